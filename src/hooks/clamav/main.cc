// main.cc - clamav: spoolgate's clamav hook (see spoolgate(8), SCANNERS)
#include "spoolgate/scan/clamav_hook.h"
#include "spoolgate/scan/scanner.h"

int main(int argc, char** argv) { return spoolgate::scan::run_scanner(*spoolgate::scan::make_clamav(), argc, argv); }
