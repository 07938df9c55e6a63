// verdict.h - from what the hook did to what the client is told
//
// DESCRIPTION
//   decide() is SPEC's exit-status table as one pure function:
//     0 (and valid output)        accept   the next hop's own reply
//     65, 67, 68, 69, 77          reject   550 5.7.1 REASON
//     99                          discard  250 2.0.0 Ok: discarded
//     75, anything else, a signal, the timeout, a hook that cannot start,
//     invalid output              defer    451 4.7.1 REASON
//   A broken filter is always a defer, never a bounce. A defer without a
//   REASON from the hook names its cause instead (cause()): "hook exited 1",
//   "hook killed by signal 11", "hook timed out after 60 s", "hook not
//   found: /path", "invalid hook output: ...", so that mailq explains itself.
#pragma once

#include <string>

#include "spoolgate/hook.h"
#include "spoolgate/smtp_reply.h"

namespace spoolgate {

enum class Verdict { accept, reject, defer, discard };

const char* to_string(Verdict v);

struct Decision {
  Verdict verdict = Verdict::accept;
  Reply reply;         ///< for reject, defer and discard: the reply to the client
  std::string reason;  ///< for reject, defer and discard: why, for the log
};

Decision decide(const HookResult& r);

/// What happened to the hook, in a few words ("hook exited 1", ...).
std::string cause(const HookResult& r);

/// The reply for a defer with this REASON (also used outside the hook).
Reply defer_reply(std::string_view reason);
/// The reply for a reject with this REASON.
Reply reject_reply(std::string_view reason);

}  // namespace spoolgate
