// clamd.cc - clamd's protocol: FILDES on a UNIX socket, INSTREAM over TCP
#include "spoolgate/scan/clamd.h"

#include <arpa/inet.h>

#include <cstring>

#include <fmt/core.h>

#include "spoolgate/scan/bounds.h"
#include "spoolgate/scan/daemon_conn.h"
#include "spoolgate/scan/hook_env.h"

namespace spoolgate::scan {
namespace {

bool ends_with(std::string_view s, std::string_view tail) {
  return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail;
}

bool has_nul(std::string_view received) { return received.find('\0') != std::string_view::npos; }

// send_instream - the message in length-prefixed chunks, then a zero length
void send_instream(DaemonConn& conn, const Message& message) {
  conn.send(std::string_view("zINSTREAM", sizeof "zINSTREAM"));
  message.for_each_chunk([&conn](std::string_view chunk) {
    std::uint32_t len = htonl(static_cast<std::uint32_t>(chunk.size()));
    conn.send(std::string_view(reinterpret_cast<const char*>(&len), sizeof len));
    conn.send(chunk);
  });
  conn.send(std::string_view("\0\0\0\0", 4));
}

}  // namespace

// parse_clamd_reply - "NAME: OK", "NAME: VIRUS FOUND", "[NAME: ]WORDS ERROR"
ClamdResult parse_clamd_reply(std::string_view reply) {
  while (!reply.empty() && (reply.back() == '\0' || reply.back() == '\n')) reply.remove_suffix(1);
  if (reply.empty()) throw DaemonError("closed the connection without a reply");
  std::string safe = field_safe(reply);
  if (ends_with(reply, " ERROR")) {
    if (reply.find("size limit exceeded") != std::string_view::npos) return {ClamdResult::Kind::too_large, safe};
    throw DaemonError(fmt::format("clamd error: {}", safe));
  }
  std::size_t colon = reply.find(": ");
  if (colon == std::string_view::npos) throw DaemonError(fmt::format("garbage reply: \"{}\"", safe));
  std::string_view result = reply.substr(colon + 2);
  if (result == "OK") return {ClamdResult::Kind::clean, {}};
  if (ends_with(result, " FOUND") && result.size() > 6) {
    std::string name = field_safe(result.substr(0, result.size() - 6));
    if (name.rfind("Heuristics.Limits.Exceeded", 0) == 0) return {ClamdResult::Kind::too_large, name};
    return {ClamdResult::Kind::virus, name};
  }
  throw DaemonError(fmt::format("garbage reply: \"{}\"", safe));
}

// clamd_scan - one command per connection
ClamdResult clamd_scan(const Endpoint& to, const Message& message, const Deadline& deadline,
                       std::chrono::milliseconds limit, const std::function<bool()>& keepalive) {
  DaemonConn conn(to, deadline, limit, keepalive);
  auto send_request = [&] {
    if (to.kind == Endpoint::Kind::unix_socket) {
      conn.send(std::string_view("zFILDES", sizeof "zFILDES"));
      conn.send_fd(std::string_view("\0", 1), message.fd());
    } else {
      send_instream(conn, message);
    }
  };
  return parse_clamd_reply(conn.converse(send_request, kMaxClamdReply, has_nul));
}

}  // namespace spoolgate::scan
