// scan/spamd.h - spamd's SPAMC/1.5 protocol: SYMBOLS, and the envelope SpamAssassin reads
//
// DESCRIPTION
//   spamd_check() sends "SYMBOLS SPAMC/1.5" with Content-length and the
//   message, and reads spamd's "SPAMD/1.1 0 EX_OK" reply: the "Spam: True ;
//   S / T" field (verdict, score, required score) and the body, the
//   comma-separated names of the rules that hit. SYMBOLS leaves the message
//   alone: spamd's report_safe and its rewritten copy never come into play.
//
//   SPAMC has no place for the envelope, but SpamAssassin reads it from the
//   header, where an MTA puts it. envelope_prefix() writes the fields that
//   are missing, the way spamass-milter does, in front of what spamd gets
//   (never in the message that is delivered):
//   - "Received: from HELO (HOSTNAME [ADDR]) by HOST (spoolgate) with PROTO
//     id QUEUEID for <RCPT>; DATE", Postfix's own format, when the client
//     address is known and no Received: field of the message names it
//     (a message behind Postfix's smtpd has it already): the relay that
//     SpamAssassin's network tests (RBLs, SPF, trust path) start from;
//   - "X-Envelope-From: <SENDER>" when the message has none (SPF and the
//     envelope-sender rules).
//
//   parse_spamd_reply() reads a whole reply.
//
// DIAGNOSTICS
//   Both throw DaemonError: a status other than 0 ("SPAMD/1.0 76 Bad
//   header line"), a reply without a Spam: field or with a malformed one,
//   a truncated reply, every I/O failure.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "spoolgate/deadline.h"
#include "spoolgate/net.h"
#include "spoolgate/scan/hook_env.h"
#include "spoolgate/scan/message.h"
#include "spoolgate/scan/spam_fields.h"

namespace spoolgate::scan {

/// The fields missing from `header_block` (see above), each line ending in
/// LF as the message's do. `host` names this machine, `date` is an RFC 5322
/// date.
std::string envelope_prefix(const HookEnv& env, std::string_view header_block, std::string_view host,
                            std::string_view date);

/// A whole reply to SYMBOLS. Throws DaemonError.
SpamReport parse_spamd_reply(std::string_view reply);

/// Check `message` with the spamd at `to`. Throws DaemonError.
SpamReport spamd_check(const Endpoint& to, const Message& message, const HookEnv& env,
                       const Deadline& deadline, std::chrono::milliseconds limit,
                       const std::function<bool()>& keepalive = {});

}  // namespace spoolgate::scan
