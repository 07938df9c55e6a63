// hook.h - run one filter hook on one spooled message and collect what it says
//
// DESCRIPTION
//   run_hook() starts the hook (see child_process.h) with the message on
//   stdin (the LF form pipe(8) gives, seekable, read-only), SPOOLGATE_*
//   in its environment and pipe(8)'s macros expanded in its argv. Then it
//   waits, under one deadline (from --hook-timeout) that covers the run and
//   the draining of its output, for the hook to exit and close stdout and
//   stderr. A built-in hook ("builtin:NAME", builtin_hooks.h) gets the same
//   argv, environment and descriptor in this process instead, and what it
//   says is taken as a program's output would be. It keeps, whatever the
//   hook prints:
//   - REASON: the last non-empty printable line of stderr (in check mode,
//     of stdout when stderr had none);
//   - in `headers` mode, up to kMaxHookHeaders octets of stdout;
//   - in `rewrite` mode, stdout as the new message, spooled in both forms
//     (memory stays bounded: the spool moves to disk).
//   Every kKeepAliveInterval it calls `keepalive` (which sends NOOP to the
//   next hop); when that returns false, the hook is killed.
//
//   A hook gets what it needs and nothing more: its own HookSpec (command
//   and output mode) and the HookLimits every hook of a message shares.
//
// DIAGNOSTICS
//   Nothing is thrown for what the hook does: a hook that cannot start,
//   crashes, times out or prints garbage is a HookResult, which verdict.h
//   turns into a defer. Terminated (a signal to spoolgate) passes through;
//   the ChildProcess destructor then kills the hook's process group.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "spoolgate/builtin_hooks.h"
#include "spoolgate/envelope.h"
#include "spoolgate/header_block.h"
#include "spoolgate/message_spools.h"
#include "spoolgate/spool.h"

namespace spoolgate {

/// What the hook's stdout means (--hook-output).
enum class HookOutput { check, headers, rewrite };

const char* to_string(HookOutput m);

/// One --hook.
struct HookSpec {
  std::string command;             ///< as given
  std::vector<std::string> words;  ///< split like a shell; macros not yet expanded
  HookOutput output = HookOutput::check;
  /// "builtin:NAME" as the first word, resolved once, before any macro is
  /// expanded (a sender can never name one); nullptr: a program
  const BuiltinHook* builtin = nullptr;
};

/// What every hook run of a message shares.
struct HookLimits {
  std::chrono::milliseconds timeout{60'000};  ///< --hook-timeout
  SpoolConfig spool;                          ///< where a rewritten message goes
  std::uint64_t max_size = 0;                 ///< --max-size: the largest rewrite (0: none)
};

struct HookResult {
  enum class End { exited, signaled, timed_out, cannot_start, aborted };
  End end = End::exited;
  int status = 0;       ///< exit status, or signal number
  std::string reason;   ///< REASON, sanitized; may be empty
  std::string problem;  ///< why it could not start, or why its output is invalid
  std::chrono::milliseconds timeout{0};  ///< End::timed_out: the limit it ran into

  bool output_valid = true;
  std::optional<HeaderBlock> headers;        ///< headers mode: the fields it printed
  std::unique_ptr<MessageSpools> rewritten;  ///< rewrite mode: the new message, both forms
  std::uint64_t rewritten_size = 0;

  /// For the log's hook= field: "0", "75", "SIGSEGV", "timeout", "unavailable", "aborted".
  std::string status_text() const;
};

/// Run `hook` until it is done or `deadline` (the caller derives it from
/// limits.timeout and any deadline of its own).
HookResult run_hook(const HookSpec& hook, const HookLimits& limits, const Envelope& env, const Spool& message,
                    const Deadline& deadline, const std::function<bool()>& keepalive);

/// The environment for a hook: ours, without the variables named in
/// `extra` (and SPOOLGATE_RECIPIENTS_TRUNCATED), then `extra`.
std::vector<std::string> hook_environment(const std::vector<std::string>& extra);

}  // namespace spoolgate
