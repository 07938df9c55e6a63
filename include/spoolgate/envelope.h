// envelope.h - one transaction's envelope: what the hook sees
//
// DESCRIPTION
//   Envelope gathers the sender, the recipients the next hop accepted, the
//   client as XFORWARD described it, and the message size. From it come the
//   hook's macro values and SPOOLGATE_* environment (SPEC "The hook"), and
//   the facts of the log line (message_log.h).
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

}  // namespace spoolgate
