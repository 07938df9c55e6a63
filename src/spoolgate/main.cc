// main.cc - spoolgate: a Postfix content filter (see spoolgate(8))
#include "cli.h"

int main(int argc, char** argv) { return spoolgate::run_cli(argc, argv); }
