// main.cc - spamassassin: spoolgate's spamassassin hook (see spoolgate(8), SCANNERS)
#include "spoolgate/scan/spamassassin_hook.h"

int main(int argc, char** argv) { return spoolgate::scan::run_spamassassin(argc, argv); }
