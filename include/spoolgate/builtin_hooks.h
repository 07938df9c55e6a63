// builtin_hooks.h - hooks that spoolgate runs in its own process, without fork or exec
//
// DESCRIPTION
//   A --hook whose first word is "builtin:NAME" names a hook compiled into
//   spoolgate: the scanner hooks clamav, spamassassin and rspamd. The rest
//   of the words are its argv, exactly as the installed program
//   (LIBEXECDIR/spoolgate/NAME) would get them, macros expanded; it gets
//   the same environment, reads the message from the same descriptor, and
//   answers with what the program would have said: an exit status, stdout
//   and stderr. spoolgate judges that as it judges any hook (verdict.h).
//   What it saves is the process: no fork, no exec, no dynamic loader, which
//   is most of what a scanner hook costs per message (bench/RESULTS.md,
//   run 9).
//
//   A built-in hook is spoolgate's own code, so it is trusted as spoolgate
//   is: it waits only on its daemon, under the hook's deadline (the earlier
//   of its own --timeout and --hook-timeout), and while it waits it calls
//   `keepalive` every kKeepAliveInterval (NOOP to the next hop). A hook
//   deadline that passes is a timeout, as for a program; a keepalive that
//   fails ends the run with NextHopLost.
//
//   The options refuse an unknown NAME, and `--hook-output rewrite` for a
//   built-in hook (the scanner hooks never rewrite), at start-up.
//
//   The programs that have built-in hooks register them once, at start-up
//   (spoolgate's cli.cc); the core library itself knows none.
#pragma once

#include <functional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "spoolgate/deadline.h"

namespace spoolgate {

/// What a built-in hook is given: what a program would get.
struct BuiltinInput {
  const std::vector<std::string>& argv;  ///< argv[0] is the hook's name
  const std::vector<std::string>& env;   ///< "NAME=value", as a program's environment
  int message_fd;                        ///< as its stdin: seekable, read-only, not owned
  Deadline deadline;                     ///< --hook-timeout's
  std::function<bool()> keepalive;
};

/// What a built-in hook says: what a program would have.
struct BuiltinOutput {
  int status = 75;
  std::string out, err;
};

using BuiltinRun = BuiltinOutput (*)(const BuiltinInput& in);

struct BuiltinHook {
  std::string_view name;
  BuiltinRun run;
};

/// Thrown through a built-in hook when its keepalive fails.
struct NextHopLost : std::runtime_error {
  NextHopLost() : std::runtime_error("next hop lost while the hook ran") {}
};

inline constexpr std::string_view kBuiltinPrefix = "builtin:";

/// Make `hooks` the built-in hooks (they must outlive every lookup).
void register_builtin_hooks(std::span<const BuiltinHook> hooks);

/// The hook a "builtin:NAME" first word names: nullptr when `word` has no
/// "builtin:" prefix; throws std::invalid_argument naming the known ones
/// when NAME is not one of them.
const BuiltinHook* find_builtin_hook(std::string_view word);

}  // namespace spoolgate
