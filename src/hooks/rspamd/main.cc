// main.cc - rspamd: spoolgate's rspamd hook (see spoolgate(8), SCANNERS)
#include "spoolgate/scan/rspamd_hook.h"
#include "spoolgate/scan/scanner.h"

int main(int argc, char** argv) { return spoolgate::scan::run_scanner(*spoolgate::scan::make_rspamd(), argc, argv); }
