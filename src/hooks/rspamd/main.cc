// main.cc - rspamd: spoolgate's rspamd hook (see spoolgate(8), SCANNERS)
#include "spoolgate/scan/rspamd_hook.h"

int main(int argc, char** argv) { return spoolgate::scan::run_rspamd(argc, argv); }
