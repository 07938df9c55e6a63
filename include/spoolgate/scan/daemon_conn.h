// scan/daemon_conn.h - one conversation with a scanning daemon, under one deadline
//
// DESCRIPTION
//   DaemonConn connects to a daemon through spoolgate's bounded connect
//   (net.h), then sends and receives on the non-blocking socket, every
//   wait against the one Deadline of the hook's --timeout: connect, the
//   message and the reply all fit in it (Postfix's smtp_stream.c calls this
//   the deadline model, as opposed to a limit per system call).
//
//   send_fd() passes a descriptor (SCM_RIGHTS) on a UNIX-domain socket:
//   clamd's FILDES scans the message without a copy. receive() reads until
//   the daemon closes or `complete` says the reply is whole, and never
//   keeps more than its bound.
//
// DIAGNOSTICS
//   Every failure throws DaemonError, whose what() says what went wrong
//   without naming the daemon (the hook names it): "connect: 127.0.0.1:
//   Connection refused", "no reply within 20 s", "reply over 4096 octets".
//   A failed send throws SendError (a DaemonError); converse() reads the
//   answer a daemon may have sent before it closed (clamd's "size limit
//   exceeded") and throws the SendError only when there is none.
//
//   With a `keepalive` (a built-in hook: spoolgate itself waits, and owes
//   the next hop a NOOP every kKeepAliveInterval), a wait wakes that often
//   to call it; when it returns false, NextHopLost (builtin_hooks.h) ends
//   the conversation.
//
// SECURITY
//   The descriptor is close-on-exec; sends use MSG_NOSIGNAL, so a daemon
//   that goes away is an error, never a SIGPIPE.
#pragma once

#include <chrono>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "spoolgate/deadline.h"
#include "spoolgate/fd.h"
#include "spoolgate/net.h"

namespace spoolgate::scan {

struct DaemonError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct SendError : DaemonError {
  using DaemonError::DaemonError;
};

class DaemonConn {
 public:
  /// Connect to `to` before `deadline`; `limit` is the --timeout it was
  /// made from, for the error messages.
  DaemonConn(const Endpoint& to, const Deadline& deadline, std::chrono::milliseconds limit,
             std::function<bool()> keepalive = {});

  /// Send all of `data`.
  void send(std::string_view data);
  /// Send `data` (at least one octet) with descriptor `fd` attached.
  void send_fd(std::string_view data, int fd);
  /// Read the reply: until the daemon closes, or `complete(received)` is
  /// true (when given), or more than `max` octets (an error).
  std::string receive(std::size_t max, const std::function<bool(std::string_view)>& complete = {});
  /// `send_request()`, then receive(). When a send fails, the daemon may
  /// have answered before it closed: that answer is returned, and only
  /// without one is the SendError thrown.
  std::string converse(const std::function<void()>& send_request, std::size_t max,
                       const std::function<bool(std::string_view)>& complete);

 private:
  void wait(short events, const char* doing);
  Fd fd_;
  Deadline deadline_;
  std::chrono::milliseconds limit_;
  std::function<bool()> keepalive_;
};

}  // namespace spoolgate::scan
