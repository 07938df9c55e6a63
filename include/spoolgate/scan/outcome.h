// scan/outcome.h - a scanner hook's result, and how it is told to spoolgate
//
// DESCRIPTION
//   An Outcome is what a scanner hook decided: a verdict, a REASON, header
//   fields for `headers` mode, and, for a message that passes unscanned,
//   why. deliver() says it the way the hook contract reads it (SPEC "The
//   hook"), and returns the exit status:
//
//     verdict   exit  stdout (headers mode)       last stderr line
//     accept     0    the fields                  (check mode) the note below
//     reject    69    -                           REASON
//     discard   99    -                           REASON
//     defer     75    -                           REASON
//
//   A message that passed unscanned (over a size cap, --oversize pass) is
//   never silent: "X-Spoolgate-Unscanned: HOOK: WHY" is one more field in
//   headers mode and the last stderr line in check mode (spoolgate logs it).
//   unscanned() makes the outcome of such a message from --oversize.
//
// DIAGNOSTICS
//   deliver() returns 75 when it cannot write stdout: the fields would be
//   lost, and spoolgate defers a hook that exits 75.
#pragma once

#include <string>
#include <string_view>

#include "spoolgate/builtin_hooks.h"
#include "spoolgate/scan/hook_env.h"
#include "spoolgate/scan/option_parser.h"

namespace spoolgate::scan {

enum class Verdict { accept, reject, discard, defer };

struct Outcome {
  Verdict verdict = Verdict::accept;
  std::string reason;     ///< REASON: reject, discard, defer
  std::string fields;     ///< header fields for headers mode, each line ending in LF
  std::string unscanned;  ///< why the message was not scanned; empty when it was

  static Outcome accept(std::string fields = {}) { return {Verdict::accept, {}, std::move(fields), {}}; }
  static Outcome of(Verdict v, std::string reason) { return {v, std::move(reason), {}, {}}; }
};

/// The exit status of a verdict: 0, 69, 99, 75.
int exit_status(Verdict verdict);

/// A message `hook` could not scan (`why`): accepted with the note, or
/// deferred with "4.3.4 HOOK: WHY" as --oversize says.
Outcome unscanned(std::string_view hook, Oversize policy, std::string why);

/// What the hook says for `outcome`: exit status, stdout, stderr.
BuiltinOutput report(const Outcome& outcome, std::string_view hook, OutputMode mode);

/// Write `said` on stdout and stderr; returns its exit status (75 when
/// stdout cannot be written: the fields would be lost).
int write_report(const BuiltinOutput& said, std::string_view hook);

/// write_report(report(...)): the outcome as the contract wants it.
int deliver(const Outcome& outcome, std::string_view hook, OutputMode mode);

}  // namespace spoolgate::scan
