// hook.h - run the filter hook on one spooled message and collect what it says
//
// DESCRIPTION
//   run_hook() starts the hook (see child_process.h) with the message on
//   stdin (the LF form pipe(8) gives, seekable, read-only), SPOOLGATE_*
//   in its environment and pipe(8)'s macros expanded in its argv. Then it
//   waits, under one deadline (--hook-timeout) that covers the run and the
//   draining of its output, for the hook to exit and close stdout and
//   stderr. It keeps, whatever the hook prints:
//   - REASON: the last non-empty printable line of stderr (in check mode,
//     of stdout when stderr had none);
//   - in `headers` mode, up to kMaxHookHeaders octets of stdout;
//   - in `rewrite` mode, stdout as the new message, spooled in wire form
//     (memory stays bounded: the spool moves to disk).
//   Every kKeepAliveInterval it calls `keepalive` (which sends NOOP to the
//   next hop); when that returns false, the hook is killed.
//
// DIAGNOSTICS
//   Nothing is thrown for what the hook does: a hook that cannot start,
//   crashes, times out or prints garbage is a HookResult, which verdict.h
//   turns into a defer. Terminated (a signal to spoolgate) passes through;
//   the ChildProcess destructor then kills the hook's process group.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "spoolgate/envelope.h"
#include "spoolgate/options.h"
#include "spoolgate/spool.h"

namespace spoolgate {

struct HookResult {
  enum class End { exited, signaled, timed_out, cannot_start, aborted };
  End end = End::exited;
  int status = 0;       ///< exit status, or signal number
  std::string reason;   ///< REASON, sanitized; may be empty
  std::string problem;  ///< for the log: why it could not start, or why its output is invalid

  bool output_valid = true;
  std::string headers_wire;        ///< headers mode: the block, wire form
  std::optional<Spool> rewritten;  ///< rewrite mode: the new message, wire form
  std::uint64_t rewritten_size = 0;

  /// For the log's hook= field: "0", "75", "SIGSEGV", "timeout", "unavailable", "aborted".
  std::string status_text() const;
};

HookResult run_hook(const Options& opts, const Envelope& env, const Spool& message,
                    const std::function<bool()>& keepalive);

/// The environment for a hook: ours without SPOOLGATE_*, then `extra`.
std::vector<std::string> hook_environment(const std::vector<std::string>& extra);

}  // namespace spoolgate
