// scan/rspamd.h - rspamd's protocol: HTTP POST /checkv2, the envelope in request fields, JSON back
//
// DESCRIPTION
//   rspamd_check() posts the message to /checkv2 with the request fields
//   rspamd reads the envelope from (rspamd's protocol documentation): IP,
//   Hostname, Helo, From, one Rcpt per recipient, Queue-Id. Without IP,
//   rspamd would take the connection's own address, 127.0.0.1, and skip the
//   checks it skips for local clients; each field is sent only when
//   spoolgate knows its value (Hostname "unknown" when the address is
//   known but not its name, as Postfix writes it; From "<>" for the null
//   sender).
//
//   parse_rspamd_reply() reads the HTTP reply and its JSON body (Debian's
//   nlohmann-json): the action ("no action", "greylist", "add header",
//   "rewrite subject", "soft reject", "reject", "discard", "quarantine"),
//   score, required_score, the names of the symbols, and
//   messages.smtp_message (the words rspamd wants in the SMTP reply).
//
// DIAGNOSTICS
//   Both throw DaemonError: an HTTP status other than 200 (with rspamd's
//   "error" text), a body that is not JSON, an action not in the list
//   above, a missing or non-numeric score, every I/O failure. A message
//   past rspamd's max_message makes it reset the connection: that is a
//   DaemonError too (the hook's --max-size is there to stay under it).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "spoolgate/deadline.h"
#include "spoolgate/net.h"
#include "spoolgate/scan/hook_env.h"
#include "spoolgate/scan/message.h"

namespace spoolgate::scan {

struct RspamdResult {
  std::string action;
  double score = 0;
  double required = 0;
  std::vector<std::string> symbols;
  std::string smtp_message;  ///< empty when rspamd gave none
};

/// The request head for a message of `content_length` octets.
std::string rspamd_request_head(const HookEnv& env, std::uint64_t content_length);

/// A whole HTTP reply. Throws DaemonError.
RspamdResult parse_rspamd_reply(std::string_view reply);

/// Check `message` with the rspamd at `to`. Throws DaemonError.
RspamdResult rspamd_check(const Endpoint& to, const Message& message, const HookEnv& env,
                          const Deadline& deadline, std::chrono::milliseconds limit,
                          const std::function<bool()>& keepalive = {});

}  // namespace spoolgate::scan
