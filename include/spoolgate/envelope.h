// envelope.h - one transaction's envelope: what the hook sees and what the log says
//
// DESCRIPTION
//   Envelope gathers the sender, the recipients the next hop accepted, the
//   client as XFORWARD described it, and the message size. From it come the
//   hook's macro values and SPOOLGATE_* environment (SPEC "The hook") and
//   the one log line per message (SPEC "Log"):
//
//     QUEUEID: from=<s>, to=<r1>,<r2>, nrcpt=N, size=N, verdict=V, hook=H,
//       delay=S, relay=HOST[ADDR]:PORT, reply=(...)
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "spoolgate/deadline.h"
#include "spoolgate/hook_argv.h"
#include "spoolgate/xforward.h"

namespace spoolgate {

struct Envelope {
  std::string sender;  ///< empty for <>
  std::vector<std::string> recipients;
  std::size_t recipient_bytes = 0;
  ClientInfo client;
  std::uint64_t size = 0;
  Deadline::Clock::time_point start = Deadline::Clock::now();

  void add_recipient(std::string r) {
    recipient_bytes += r.size() + 1;
    recipients.push_back(std::move(r));
  }
  /// The upstream queue ID for the log, or NOQUEUE.
  std::string log_queue_id() const { return client.ident.empty() ? "NOQUEUE" : client.ident; }
  MacroValues macros() const;
  /// SPOOLGATE_SENDER=..., SPOOLGATE_RECIPIENTS=..., and the rest.
  std::vector<std::string> environment() const;
};

/// What happened to one message, for its log line.
struct Outcome {
  std::string verdict;  ///< accept, reject, defer, discard
  std::string hook;     ///< none, an exit status, SIGNAME, timeout, ...
  std::string relay;    ///< HOST[ADDR]:PORT, or none
  std::string reply;    ///< what the client was answered
};

std::string log_line(const Envelope& env, const Outcome& outcome);
/// Log that line, if anything is logged at all (--log none costs nothing).
void log_message(const Envelope& env, const Outcome& outcome);

}  // namespace spoolgate
