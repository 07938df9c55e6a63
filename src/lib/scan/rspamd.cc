// rspamd.cc - rspamd's protocol: HTTP POST /checkv2, the envelope in request fields, JSON back
#include "spoolgate/scan/rspamd.h"

#include <algorithm>
#include <array>
#include <cmath>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "spoolgate/scan/bounds.h"
#include "spoolgate/scan/daemon_conn.h"
#include "spoolgate/scan/response.h"

namespace spoolgate::scan {
namespace {

using nlohmann::json;

// The actions of rspamd's protocol documentation (discard and quarantine
// come only from force_actions); anything else is garbage.
constexpr std::array<std::string_view, 8> kActions = {
    "no action", "greylist", "add header", "rewrite subject", "soft reject", "reject", "discard", "quarantine"};

// http_status - "HTTP/1.1 200 OK" -> 200; 0 when it is no status line
int http_status(std::string_view line) {
  if (line.substr(0, 5) != "HTTP/" || line.size() < 12 || line[8] != ' ') return 0;
  int code = 0;
  for (char c : line.substr(9, 3)) {
    if (c < '0' || c > '9') return 0;
    code = code * 10 + (c - '0');
  }
  return code;
}

// error_text - rspamd's {"error": "..."} body, or the start of the body
std::string error_text(const std::string& body) {
  json j = json::parse(body, nullptr, false);
  if (j.is_object() && j.contains("error") && j["error"].is_string()) return field_safe(j["error"].get<std::string>());
  return field_safe(std::string_view(body).substr(0, 100));
}

double finite_number(const json& j, const char* key) {
  double d = j.at(key).get<double>();
  if (!std::isfinite(d)) throw DaemonError(fmt::format("garbage reply: {} is not a number", key));
  return d;
}

// result_of - the JSON body; nlohmann's exceptions say what is missing
RspamdResult result_of(const json& j) {
  RspamdResult r;
  r.action = j.at("action").get<std::string>();
  if (std::find(kActions.begin(), kActions.end(), r.action) == kActions.end())
    throw DaemonError(fmt::format("garbage reply: unknown action \"{}\"", field_safe(r.action)));
  r.score = finite_number(j, "score");
  r.required = finite_number(j, "required_score");
  if (j.contains("symbols") && j["symbols"].is_object()) {
    for (const auto& [name, value] : j["symbols"].items()) r.symbols.push_back(name);
  }
  if (j.contains("messages") && j["messages"].is_object()) {
    const json& m = j["messages"];
    if (m.contains("smtp_message") && m["smtp_message"].is_string())
      r.smtp_message = field_safe(m["smtp_message"].get<std::string>());
  }
  return r;
}

}  // namespace

std::string rspamd_request_head(const HookEnv& env, std::uint64_t content_length) {
  std::string h = fmt::format("POST /checkv2 HTTP/1.1\r\nHost: rspamd\r\nConnection: close\r\nContent-Length: {}\r\n",
                              content_length);
  if (!env.client_address.empty()) {
    h += fmt::format("IP: {}\r\n", field_safe(env.client_address));
    h += fmt::format("Hostname: {}\r\n", env.client_hostname.empty() ? "unknown" : field_safe(env.client_hostname));
  }
  if (!env.client_helo.empty()) h += fmt::format("Helo: {}\r\n", field_safe(env.client_helo));
  h += fmt::format("From: <{}>\r\n", field_safe(env.sender));
  for (const std::string& rcpt : env.recipients) h += fmt::format("Rcpt: <{}>\r\n", field_safe(rcpt));
  if (!env.queue_id.empty()) h += fmt::format("Queue-Id: {}\r\n", field_safe(env.queue_id));
  return h + "\r\n";
}

RspamdResult parse_rspamd_reply(std::string_view reply) {
  Response r = parse_response(reply);
  int status = http_status(r.status_line);
  if (status == 0) throw DaemonError(fmt::format("garbage reply: \"{}\"", field_safe(r.status_line)));
  if (status != 200) throw DaemonError(fmt::format("rspamd answered HTTP {}: {}", status, error_text(r.body)));
  try {
    return result_of(json::parse(r.body));
  } catch (const json::exception& e) {
    throw DaemonError(fmt::format("garbage reply: {}", field_safe(e.what())));
  }
}

RspamdResult rspamd_check(const Endpoint& to, const Message& message, const HookEnv& env, const Deadline& deadline,
                          std::chrono::milliseconds limit, const std::function<bool()>& keepalive) {
  DaemonConn conn(to, deadline, limit, keepalive);
  auto send_request = [&] {
    conn.send(rspamd_request_head(env, message.size()));
    message.for_each_chunk([&conn](std::string_view chunk) { conn.send(chunk); });
  };
  return parse_rspamd_reply(conn.converse(send_request, kMaxRspamdReply, response_complete));
}

}  // namespace spoolgate::scan
