// scan/scanner.h - what every scanner hook does around its scan, written once
//
// DESCRIPTION
//   A Scanner is one hook: its name, its own options, its daemon and its
//   scan. run_scanner() is the whole program around it, the same for all:
//
//   1. read the command line (the common options and the scanner's own)
//      and SPOOLGATE_HOOK_OUTPUT; `rewrite` mode is refused (the hooks
//      only judge or add fields: use `headers`);
//   2. take the message from stdin; past --max-size it is not sent at all,
//      and --oversize decides (pass with a note, or defer);
//   3. scan, the whole conversation under one Deadline of --timeout;
//   4. tell spoolgate (outcome.h).
//
//   --help prints the usage on stdout and exits 75, like every run that
//   scans nothing: a hook exits 0 only for a message it has scanned or
//   explicitly passed.
//
//   run_builtin() is the same hook inside spoolgate (builtin_hooks.h): the
//   same steps on the argv, environment and message descriptor it is given,
//   what the program would have printed returned instead, the scan under
//   the earlier of --timeout and spoolgate's hook deadline, and the
//   keepalive called while it waits.
//
// DIAGNOSTICS
//   Every failure defers (exit 75), never rejects and never accepts: a bad
//   option or SPOOLGATE_HOOK_OUTPUT ("HOOK: bad usage: ..."), the daemon
//   unreachable, silent past --timeout or answering garbage ("HOOK: DAEMON:
//   ..."), any internal error ("HOOK: internal error: ..."), a termination
//   signal. In run_builtin(), a termination signal (Terminated) and a
//   failed keepalive (NextHopLost) are not the hook's to judge: they pass.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "spoolgate/builtin_hooks.h"
#include "spoolgate/deadline.h"
#include "spoolgate/scan/hook_env.h"
#include "spoolgate/scan/message.h"
#include "spoolgate/scan/option_parser.h"
#include "spoolgate/scan/outcome.h"

namespace spoolgate::scan {

class Scanner {
 public:
  virtual ~Scanner() = default;
  /// The hook's name, the first word of its REASONs ("clamav").
  virtual std::string_view name() const = 0;
  /// Add the scanner's own options to `parser`.
  virtual void add_options(OptionParser& parser) = 0;
  /// The daemon, as REASONs name it ("unix:/var/run/clamav/clamd.ctl").
  virtual std::string daemon() const = 0;
  /// Scan `message`. Throws DaemonError when the daemon gives no verdict.
  virtual Outcome scan(const Message& message, const HookEnv& env, const Deadline& deadline) = 0;

  CommonOptions common;
  /// Called while waiting for the daemon, when set (run_builtin).
  std::function<bool()> keepalive;
};

/// The program: returns the exit status.
int run_scanner(Scanner& scanner, int argc, char** argv);

/// The hook inside spoolgate: what the program would have said.
BuiltinOutput run_builtin(Scanner& scanner, const BuiltinInput& in);

}  // namespace spoolgate::scan
