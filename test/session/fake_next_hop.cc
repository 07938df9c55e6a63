// fake_next_hop.cc - a scripted SMTP server on loopback, standing in for Postfix's smtpd
#include "fake_next_hop.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <map>
#include <chrono>
#include <stdexcept>

namespace spoolgate::test {
namespace {

constexpr int kMaxWaitMs = 30000;  // no wait in a test lasts longer

std::string upper_verb(const std::string& line) {
  std::string v = line.substr(0, line.find(' '));
  for (char& c : v) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return v;
}

// Conn - blocking reads with a bounded poll, one buffer
class Conn {
 public:
  explicit Conn(int fd) : fd_(fd) {}
  bool send(const std::string& s) {
    std::size_t off = 0;
    while (off < s.size()) {
      ssize_t n = ::send(fd_, s.data() + off, s.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return false;
      off += static_cast<std::size_t>(n);
    }
    return true;
  }
  bool fill(int ms = kMaxWaitMs) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, ms) <= 0) return false;
    char b[65536];
    ssize_t n = ::recv(fd_, b, sizeof b, 0);
    if (n <= 0) return false;
    buf_.append(b, static_cast<std::size_t>(n));
    return true;
  }
  std::optional<std::string> line() {
    for (;;) {
      std::size_t nl = buf_.find('\n');
      if (nl != std::string::npos) {
        std::string l = buf_.substr(0, nl);
        buf_.erase(0, nl + 1);
        if (!l.empty() && l.back() == '\r') l.pop_back();
        return l;
      }
      if (!fill()) return std::nullopt;
    }
  }
  /// Message data up to "\r\n.\r\n"; nullopt (with what came) if cut off.
  std::optional<std::string> message(std::string* partial) {
    // the data starts right after DATA's CRLF; an empty message is ".\r\n"
    for (;;) {
      if (buf_.rfind(".\r\n", 0) == 0) {
        buf_.erase(0, 3);
        return std::string();
      }
      std::size_t end = buf_.find("\r\n.\r\n");
      if (end != std::string::npos) {
        std::string m = buf_.substr(0, end + 2);
        buf_.erase(0, end + 5);
        return m;
      }
      if (!fill()) {
        *partial = buf_;
        return std::nullopt;
      }
    }
  }
  void stall() {
    for (int i = 0; i < kMaxWaitMs / 100; ++i) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 100) > 0) {
        char b[4096];
        if (::recv(fd_, b, sizeof b, 0) <= 0) return;
      }
    }
  }

 private:
  int fd_;
  std::string buf_;
};

}  // namespace

FakeNextHop::FakeNextHop(Config config) : config_(std::move(config)) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) throw std::runtime_error("bind");
  socklen_t len = sizeof a;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
  port_ = ntohs(a.sin_port);
  if (!config_.listen) {
    ::close(listen_fd_);  // the port is free again: connections are refused
    listen_fd_ = -1;
    return;
  }
  ::listen(listen_fd_, 16);
  thread_ = std::thread([this] { serve(); });
}

FakeNextHop::~FakeNextHop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  if (listen_fd_ >= 0) ::close(listen_fd_);
}

void FakeNextHop::serve() {
  while (!stop_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++connections_;
    }
    serve_connection(fd);
    ::close(fd);
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++closed_;
    }
    cv_.notify_all();
  }
}

// serve_connection - greeting, then one reply (or action) per command
void FakeNextHop::serve_connection(int fd) {
  Conn c(fd);
  std::map<std::string, int> nth;
  int message_count = 0;
  auto act = [&](const std::string& reply) -> bool {  // false: connection over
    if (reply == "CLOSE") return false;
    if (reply == "STALL") {
      c.stall();
      return false;
    }
    if (reply.rfind("RAW:", 0) == 0) return c.send(reply.substr(4));
    return c.send(reply + "\r\n");
  };
  std::optional<std::string> greet = config_.script ? config_.script("CONNECT", "", 1) : std::nullopt;
  if (!act(greet ? *greet : config_.greeting)) return;
  while (!stop_) {
    std::optional<std::string> line = c.line();
    if (!line) return;
    std::string verb = upper_verb(*line);
    {
      std::lock_guard<std::mutex> lock(mu_);
      commands_.push_back(*line);
    }
    int n = ++nth[verb];
    std::optional<std::string> scripted = config_.script ? config_.script(verb, *line, n) : std::nullopt;
    if (scripted && verb == "DATA" && (*scripted == "354-CLOSE" || *scripted == "354-STALL")) {
      // a next hop that breaks off in the middle of the message
      if (!c.send("354 End data with <CR><LF>.<CR><LF>\r\n")) return;
      if (*scripted == "354-CLOSE") c.fill();
      else c.stall();
      std::lock_guard<std::mutex> lock(mu_);
      ++partial_;
      return;
    }
    if (scripted) {
      if (!act(*scripted)) return;
      if (verb == "QUIT") return;
      if (verb != "DATA" || scripted->rfind("354", 0) != 0) continue;
    } else if (verb == "EHLO") {
      std::string r;
      for (std::size_t i = 0; i < config_.ehlo.size(); ++i)
        r += "250" + std::string(i + 1 < config_.ehlo.size() ? "-" : " ") + config_.ehlo[i] + "\r\n";
      if (!c.send(r)) return;
      continue;
    } else if (verb == "QUIT") {
      c.send("221 2.0.0 Bye\r\n");
      return;
    } else if (verb == "MAIL") {
      if (!c.send("250 2.1.0 Ok\r\n")) return;
      continue;
    } else if (verb == "RCPT") {
      if (!c.send("250 2.1.5 Ok\r\n")) return;
      continue;
    } else if (verb == "DATA") {
      if (!c.send("354 End data with <CR><LF>.<CR><LF>\r\n")) return;
    } else if (verb == "HELO" || verb == "RSET" || verb == "NOOP" || verb == "XFORWARD") {
      if (!c.send(verb == "HELO" ? "250 fake.example\r\n" : "250 2.0.0 Ok\r\n")) return;
      continue;
    } else {
      if (!c.send("502 5.5.2 Error: command not recognized\r\n")) return;
      continue;
    }
    // DATA accepted: the message, then the reply to "."
    std::string partial;
    std::optional<std::string> m = c.message(&partial);
    if (!m) {
      std::lock_guard<std::mutex> lock(mu_);
      ++partial_;
      return;
    }
    ++message_count;
    {
      std::lock_guard<std::mutex> lock(mu_);
      messages_.push_back(*m);
    }
    std::optional<std::string> r = config_.on_message ? config_.on_message(*m, message_count) : std::nullopt;
    if (!act(r ? *r : "250 2.0.0 Ok: queued as FAKE" + std::to_string(message_count))) return;
  }
}

std::vector<std::string> FakeNextHop::commands() const {
  std::lock_guard<std::mutex> lock(mu_);
  return commands_;
}
std::vector<std::string> FakeNextHop::messages() const {
  std::lock_guard<std::mutex> lock(mu_);
  return messages_;
}
int FakeNextHop::partial_messages() const {
  std::lock_guard<std::mutex> lock(mu_);
  return partial_;
}
int FakeNextHop::connections() const {
  std::lock_guard<std::mutex> lock(mu_);
  return connections_;
}
int FakeNextHop::count(const std::string& verb) const {
  std::lock_guard<std::mutex> lock(mu_);
  int n = 0;
  for (const std::string& c : commands_) n += upper_verb(c) == verb;
  return n;
}
bool FakeNextHop::wait_closed(int n, int ms) const {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_for(lock, std::chrono::milliseconds(ms), [&] { return closed_ >= n; });
}

}  // namespace spoolgate::test
