// cli.h - from argv to an exit status: the program around the session
//
// DESCRIPTION
//   run_cli() reads the options, handles --help and --version, drops
//   privileges, starts logging, installs the signal dispositions, and runs
//   one ServerSession on stdin/stdout, or run_pipe() with --pipe. It maps
//   what ends the run to the exit status: 64 for bad usage (one line on
//   stderr, nothing on stdout), 78 for root without --user, else what the
//   session returns (0, or 75 when it had to give up).
#pragma once

namespace spoolgate {

int run_cli(int argc, const char* const* argv);

}  // namespace spoolgate
