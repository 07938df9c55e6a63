// main.cc - spamassassin: spoolgate's spamassassin hook (see spoolgate(8), SCANNERS)
#include "spoolgate/scan/spamassassin_hook.h"
#include "spoolgate/scan/scanner.h"

int main(int argc, char** argv) { return spoolgate::scan::run_scanner(*spoolgate::scan::make_spamassassin(), argc, argv); }
