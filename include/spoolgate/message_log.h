// message_log.h - the one log line per message
//
// DESCRIPTION
//   Every message spoolgate was given ends in one line, in the style of
//   Postfix's own (SPEC "Log"):
//
//     QUEUEID: from=<s>, to=<r1>,<r2>, nrcpt=N, size=N, verdict=V, hook=H,
//       delay=S, relay=HOST[ADDR]:PORT, reply=(...)[, reason=(...)]
//
//   QUEUEID is the upstream queue ID (XFORWARD IDENT) or NOQUEUE; to= is cut
//   at kMaxLogRecipients characters with "..."; relay=none when nothing was
//   forwarded; reply= is what the client (or pipe(8)) was answered; reason=
//   follows for reject, defer and discard: the hook's REASON, or the cause.
//
// SECURITY
//   Addresses and the queue ID come from peers: they are made printable.
#pragma once

#include <string>

#include "spoolgate/envelope.h"
#include "spoolgate/verdict.h"

namespace spoolgate {

/// What happened to one message.
struct Outcome {
  Verdict verdict = Verdict::accept;
  std::string hook = "none";  ///< none, an exit status, SIGNAME, timeout, ...
  std::string relay;          ///< HOST[ADDR]:PORT; empty: none
  std::string reply;          ///< what the client was answered
  std::string reason;         ///< reject, defer, discard: why
};

std::string log_line(const Envelope& env, const Outcome& outcome);
/// Log that line, if anything is logged at all (--log none costs nothing).
void log_message(const Envelope& env, const Outcome& outcome);

}  // namespace spoolgate
