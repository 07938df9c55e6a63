// main.cc - spoolgate-quarantine: list, show, release, delete and expire quarantined mail (see spoolgate-quarantine(8))
#include "quarantine_cli.h"

int main(int argc, char** argv) { return spoolgate::run_quarantine_cli(argc, argv); }
