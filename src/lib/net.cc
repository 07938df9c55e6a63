// net.cc - a peer named "HOST:PORT", "[ADDR]:PORT" or "unix:PATH", and a bounded connect to it
#include "spoolgate/net.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cstring>
#include <memory>

#include <fmt/core.h>

#include "spoolgate/name_services.h"

namespace spoolgate {
namespace {

std::string numeric_address(const sockaddr* sa, socklen_t len) {
  char host[NI_MAXHOST] = "";
  if (::getnameinfo(sa, len, host, sizeof host, nullptr, 0, NI_NUMERICHOST) != 0) return "?";
  return host;
}

// connect_one - a non-blocking connect bounded by the deadline; an invalid
// Fd and errno on failure
Fd connect_one(int family, const sockaddr* addr, socklen_t len, const Deadline& deadline) {
  Fd sock(::socket(family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!sock) return sock;
  if (::connect(sock.get(), addr, len) != 0) {
    if (errno != EINPROGRESS && errno != EAGAIN) return Fd();
    pollfd p{sock.get(), POLLOUT, 0};
    if (wait_for(&p, 1, deadline) == 0) {
      errno = ETIMEDOUT;
      return Fd();
    }
    int err = 0;
    socklen_t elen = sizeof err;
    if (::getsockopt(sock.get(), SOL_SOCKET, SO_ERROR, &err, &elen) != 0) return Fd();
    if (err != 0) {
      errno = err;
      return Fd();
    }
  }
  if (family != AF_UNIX) {
    int one = 1;
    ::setsockopt(sock.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  return sock;
}

Connection connect_unix(const Endpoint& to, std::chrono::milliseconds timeout) {
  sockaddr_un sun{};
  sun.sun_family = AF_UNIX;
  if (to.path.size() >= sizeof sun.sun_path) throw ConnectError(fmt::format("connect to unix:{}: path too long", to.path));
  std::memcpy(sun.sun_path, to.path.c_str(), to.path.size() + 1);
  Fd fd = connect_one(AF_UNIX, reinterpret_cast<const sockaddr*>(&sun), sizeof sun, Deadline::after(timeout));
  if (!fd) throw ConnectError(fmt::format("connect to unix:{}: {}", to.path, std::strerror(errno)));
  return Connection{std::move(fd), "unix:" + to.path};
}

}  // namespace

std::string Endpoint::to_string() const {
  if (kind == Kind::unix_socket) return "unix:" + path;
  if (host.find(':') != std::string::npos) return fmt::format("[{}]:{}", host, port);
  return fmt::format("{}:{}", host, port);
}

// split_host_port - "host:port", "[v6]:port", "host"
bool split_host_port(const std::string& s, std::string* host, std::string* port) {
  if (s.empty()) return false;
  std::string rest;
  if (s[0] == '[') {
    std::size_t close = s.find(']');
    if (close == std::string::npos || close == 1) return false;
    *host = s.substr(1, close - 1);
    rest = s.substr(close + 1);
  } else {
    std::size_t colon = s.find(':');
    if (colon != std::string::npos && s.find(':', colon + 1) != std::string::npos) return false;  // bare IPv6
    *host = s.substr(0, colon);
    rest = colon == std::string::npos ? "" : s.substr(colon);
  }
  if (host->empty()) return false;
  if (rest.empty()) return true;
  if (rest[0] != ':' || rest.size() == 1) return false;
  *port = rest.substr(1);
  return true;
}

std::optional<Endpoint> parse_endpoint(std::string_view s, std::string_view default_port) {
  Endpoint e;
  if (s.substr(0, 5) == "unix:" || s.substr(0, 1) == "/") {
    e.kind = Endpoint::Kind::unix_socket;
    e.path = std::string(s.substr(0, 1) == "/" ? s : s.substr(5));
    if (e.path.empty() || e.path[0] != '/') return std::nullopt;
    return e;
  }
  e.port = std::string(default_port);
  if (!split_host_port(std::string(s), &e.host, &e.port) || e.port.empty()) return std::nullopt;
  return e;
}

// connect_to - every address of the host in turn
Connection connect_to(const Endpoint& to, std::chrono::milliseconds timeout) {
  if (to.kind == Endpoint::Kind::unix_socket) return connect_unix(to, timeout);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  // an address and a port number need no name service; a name does
  hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
  addrinfo* list = nullptr;
  int rc = ::getaddrinfo(to.host.c_str(), to.port.c_str(), &hints, &list);
  if (rc == EAI_NONAME) {
    before_name_lookup();
    hints.ai_flags = 0;
    rc = ::getaddrinfo(to.host.c_str(), to.port.c_str(), &hints, &list);
  }
  if (rc != 0) throw ConnectError(fmt::format("cannot resolve {}: {}", to.to_string(), ::gai_strerror(rc)));
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> guard(list, &::freeaddrinfo);
  std::string errors;
  for (const addrinfo* ai = list; ai; ai = ai->ai_next) {
    Fd fd = connect_one(ai->ai_family, ai->ai_addr, ai->ai_addrlen, Deadline::after(timeout));
    int err = errno;
    std::string addr = numeric_address(ai->ai_addr, ai->ai_addrlen);
    if (fd) return Connection{std::move(fd), fmt::format("{}[{}]:{}", to.host, addr, to.port)};
    errors += fmt::format("{}{}: {}", errors.empty() ? "" : "; ", addr, std::strerror(err));
  }
  throw ConnectError(fmt::format("connect to {}: {}", to.to_string(), errors));
}

}  // namespace spoolgate
