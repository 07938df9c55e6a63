// daemon_conn.cc - one conversation with a scanning daemon, under one deadline
#include "spoolgate/scan/daemon_conn.h"

#include <sys/socket.h>

#include <cstring>

#include <fmt/core.h>

#include "spoolgate/bounds.h"
#include "spoolgate/builtin_hooks.h"

namespace spoolgate::scan {
namespace {

std::string seconds(std::chrono::milliseconds ms) {
  if (ms.count() % 1000 == 0) return fmt::format("{} s", ms.count() / 1000);
  return fmt::format("{:.1f} s", static_cast<double>(ms.count()) / 1000);
}

// connect_within - net.h's connect, its error without the endpoint (the hook names it)
Fd connect_within(const Endpoint& to, const Deadline& deadline, std::chrono::milliseconds limit) {
  int ms = deadline.poll_ms();
  if (ms == 0) throw DaemonError(fmt::format("no time left to connect (--timeout {})", seconds(limit)));
  try {
    return connect_to(to, std::chrono::milliseconds(ms)).fd;
  } catch (const ConnectError& e) {
    std::string_view what = e.what();
    std::string prefix = "connect to " + to.to_string() + ": ";
    if (what.substr(0, prefix.size()) == prefix) what.remove_prefix(prefix.size());
    throw DaemonError(fmt::format("cannot connect: {}", what));
  }
}

}  // namespace

DaemonConn::DaemonConn(const Endpoint& to, const Deadline& deadline, std::chrono::milliseconds limit,
                       std::function<bool()> keepalive)
    : fd_(connect_within(to, deadline, limit)), deadline_(deadline), limit_(limit), keepalive_(std::move(keepalive)) {}

// DaemonConn::wait - poll for `events` until the deadline, the keepalive
// called every kKeepAliveInterval meanwhile
void DaemonConn::wait(short events, const char* doing) {
  for (;;) {
    pollfd p{fd_.get(), events, 0};
    Deadline wake = keepalive_ ? Deadline::earliest(deadline_, Deadline::after(kKeepAliveInterval)) : deadline_;
    if (wait_for(&p, 1, wake) > 0) return;
    if (deadline_.expired()) throw DaemonError(fmt::format("timed out {} (--timeout {})", doing, seconds(limit_)));
    if (keepalive_ && !keepalive_()) throw NextHopLost();
  }
}

void DaemonConn::send(std::string_view data) {
  while (!data.empty()) {
    ssize_t n = retry_eintr([&] { return ::send(fd_.get(), data.data(), data.size(), MSG_NOSIGNAL | MSG_DONTWAIT); });
    if (n >= 0) {
      data.remove_prefix(static_cast<std::size_t>(n));
      continue;
    }
    if (errno != EAGAIN && errno != EWOULDBLOCK) throw SendError(fmt::format("send: {}", std::strerror(errno)));
    wait(POLLOUT, "sending the message");
  }
}

// DaemonConn::send_fd - the descriptor rides on the first octet (SCM_RIGHTS)
void DaemonConn::send_fd(std::string_view data, int fd) {
  iovec iov{const_cast<char*>(data.data()), data.size()};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  cmsghdr* c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  std::memcpy(CMSG_DATA(c), &fd, sizeof fd);
  for (;;) {
    ssize_t n = retry_eintr([&] { return ::sendmsg(fd_.get(), &msg, MSG_NOSIGNAL | MSG_DONTWAIT); });
    if (n > 0) {
      send(data.substr(static_cast<std::size_t>(n)));
      return;
    }
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
      throw SendError(fmt::format("sending the descriptor: {}", std::strerror(errno)));
    wait(POLLOUT, "sending the descriptor");
  }
}

// DaemonConn::receive - bounded: a reply past `max` is garbage, not something to buffer
std::string DaemonConn::receive(std::size_t max, const std::function<bool(std::string_view)>& complete) {
  std::string got;
  char buf[16384];
  for (;;) {
    wait(POLLIN, "waiting for the reply");
    ssize_t n = retry_eintr([&] { return ::recv(fd_.get(), buf, sizeof buf, MSG_DONTWAIT); });
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) continue;
      if (got.empty()) throw DaemonError(fmt::format("reading the reply: {}", std::strerror(errno)));
      return got;  // a reset after the reply: the parser judges what came
    }
    if (n == 0) return got;
    got.append(buf, static_cast<std::size_t>(n));
    if (got.size() > max) throw DaemonError(fmt::format("reply over {} octets", max));
    if (complete && complete(got)) return got;
  }
}

// DaemonConn::converse - a daemon that stops reading may have said why
std::string DaemonConn::converse(const std::function<void()>& send_request, std::size_t max,
                                 const std::function<bool(std::string_view)>& complete) {
  try {
    send_request();
  } catch (const SendError&) {
    std::string reply;
    try {
      reply = receive(max, complete);
    } catch (const DaemonError&) {
    }
    if (reply.empty()) throw;
    return reply;
  }
  return receive(max, complete);
}

}  // namespace spoolgate::scan
