// net.h - a peer named "HOST:PORT", "[ADDR]:PORT" or "unix:PATH", and a bounded connect to it
//
// DESCRIPTION
//   Endpoint is where a stream connection goes: a TCP host and port (every
//   address of the host is tried in turn: "localhost" may be ::1 first while
//   a Postfix smtpd listens on 127.0.0.1 only), or a UNIX-domain socket.
//   parse_endpoint() reads the forms administrators write: "HOST:PORT",
//   "[ADDR]:PORT" for IPv6, "unix:/path" or "/path". connect_to() opens a
//   connection with each attempt bounded by a timeout, TCP_NODELAY set (SMTP
//   and the scanner protocols are request/response), close-on-exec.
//   The next hop, the scanner hooks' daemons and the quarantine's release
//   all connect through here.
//
// DIAGNOSTICS
//   parse_endpoint() returns nullopt for a malformed name. connect_to()
//   throws ConnectError whose what() names the endpoint and, for each
//   address tried, why it failed ("127.0.0.1: Connection refused").
#pragma once

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "spoolgate/fd.h"

namespace spoolgate {

struct Endpoint {
  enum class Kind { tcp, unix_socket };
  Kind kind = Kind::tcp;
  std::string host;  ///< tcp: a name or an address, without [ ]
  std::string port;  ///< tcp: a number or a service name
  std::string path;  ///< unix_socket
  /// As an administrator writes it: "HOST:PORT", "[ADDR]:PORT", "unix:PATH".
  std::string to_string() const;
};

/// "HOST:PORT", "[ADDR]:PORT", "unix:PATH" or "/PATH". `default_port`, when
/// not empty, allows a HOST alone.
std::optional<Endpoint> parse_endpoint(std::string_view s, std::string_view default_port = {});

/// "HOST:PORT" or "[ADDR]:PORT" (PORT optional: left as it was); false when malformed.
bool split_host_port(const std::string& s, std::string* host, std::string* port);

struct ConnectError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Connection {
  Fd fd;
  std::string peer;  ///< "HOST[ADDR]:PORT" as Postfix logs a relay, or "unix:PATH"
};

/// Connect; each address gets `timeout`. Throws ConnectError.
Connection connect_to(const Endpoint& to, std::chrono::milliseconds timeout);

}  // namespace spoolgate
