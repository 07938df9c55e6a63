// fd.h - owning file descriptors, pipes, and the one poll that every wait uses
//
// DESCRIPTION
//   Fd owns one descriptor and closes it exactly once (move-only, as fmt's
//   fmt::file). Pipe is a pair of them, both close-on-exec. wait_for() is the
//   single place where spoolgate sleeps: ppoll(2) with SIGTERM, SIGINT and
//   SIGHUP unblocked only while it waits, so a termination request is never
//   lost between a check and a sleep (see signals.h).
//
// DIAGNOSTICS
//   Constructors and helpers throw std::system_error with errno. wait_for()
//   throws Terminated when a termination signal arrived.
//
// SEE ALSO
//   signals.h, smtp_stream.h
#pragma once

#include <poll.h>

#include <sys/types.h>

#include <cerrno>
#include <cstdint>
#include <string>
#include <system_error>
#include <utility>

#include "spoolgate/deadline.h"

namespace spoolgate {

/// Retry a system call while it fails with EINTR.
template <typename F>
auto retry_eintr(F f) {
  for (;;) {
    auto r = f();
    if (!(r == -1 && errno == EINTR)) return r;
  }
}

/// A std::system_error from errno, with what() = "WHAT: strerror".
std::system_error errno_error(const std::string& what, int err = errno);

/// Owns a file descriptor; -1 means none.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) reset(std::exchange(other.fd_, -1));
    return *this;
  }
  ~Fd() { reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  explicit operator bool() const { return valid(); }
  /// Give up ownership without closing.
  int release() { return std::exchange(fd_, -1); }
  /// Close the current descriptor (never retried on EINTR) and own `fd`.
  void reset(int fd = -1) noexcept;

 private:
  int fd_ = -1;
};

/// A pipe(2), both ends close-on-exec.
struct Pipe {
  Fd read;
  Fd write;
  static Pipe create();
};

/// Set or clear O_NONBLOCK.
void set_nonblocking(int fd, bool on);

/// Open /dev/null on each of 0, 1 and 2 that is closed, so that no file or
/// socket spoolgate opens later can take its place (and get SMTP replies
/// or log lines meant for the client). Returns false if that failed.
bool open_missing_std_fds() noexcept;

/// Close every descriptor from `first` up (close_range(2), else a bounded
/// loop); for a child process, between fork and exec.
void close_from(unsigned first) noexcept;

/// True when `fd` is a socket (send/recv with MSG_DONTWAIT work on it).
bool is_socket(int fd);

/// Thrown by wait_for() when SIGTERM, SIGINT or SIGHUP asked spoolgate to stop.
struct Terminated {
  int signal;
};

/// poll(2) until an event, the deadline, or a termination signal. Returns the
/// number of ready descriptors (0: the deadline passed). Throws Terminated.
int wait_for(pollfd* fds, nfds_t n, const Deadline& deadline);

/// Copy `n` octets of `from`, starting at `offset`, to `to` at its current
/// position, without passing them through user space (sendfile(2)): spool to
/// spool, spool to quarantine file. Throws std::system_error naming `what`.
void copy_fd(int to, int from, off_t offset, std::uint64_t n, const char* what);

/// Write all of `data` to a regular file or other descriptor that never blocks
/// for long (spool, quarantine, log). Throws std::system_error.
void write_all(int fd, const char* data, std::size_t n, const char* what);

}  // namespace spoolgate
