// fd.cc - owning file descriptors, pipes, and the one poll that every wait uses
#include "spoolgate/fd.h"

#include <fcntl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>

#include "spoolgate/signals.h"

namespace spoolgate {

// errno_error - wrap errno in a std::system_error that names the operation
std::system_error errno_error(const std::string& what, int err) {
  return std::system_error(err, std::generic_category(), what);
}

// Fd::reset - close once; close(2) is never retried (fmt: "Don't retry close
// in case of EINTR!"): on Linux the descriptor is gone either way.
void Fd::reset(int fd) noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

// Pipe::create - both ends close-on-exec, so a hook inherits only what
// ChildProcess hands it on purpose.
Pipe Pipe::create() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw errno_error("pipe");
  return Pipe{Fd(fds[0]), Fd(fds[1])};
}

// open_missing_std_fds - open(2) takes the lowest free number: in order,
// each closed one of 0, 1, 2 gets /dev/null
bool open_missing_std_fds() noexcept {
  for (int fd = 0; fd < 3; ++fd) {
    if (::fcntl(fd, F_GETFD) >= 0 || errno != EBADF) continue;
    int got = ::open("/dev/null", O_RDWR);
    if (got != fd) {
      if (got >= 0) ::close(got);
      return false;
    }
  }
  return true;
}

// close_from - everything from `first` up; close_range(2), else a bounded loop
void close_from(unsigned first) noexcept {
#ifdef SYS_close_range
  if (::syscall(SYS_close_range, first, ~0U, 0U) == 0) return;
#endif
  long max = ::sysconf(_SC_OPEN_MAX);
  if (max < 0 || max > 65536) max = 65536;
  for (int fd = static_cast<int>(first); fd < max; ++fd) ::close(fd);
}

// set_nonblocking - toggle O_NONBLOCK on a descriptor we own
void set_nonblocking(int fd, bool on) {
  int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0) throw errno_error("fcntl F_GETFL");
  int want = on ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK);
  if (want != flags && ::fcntl(fd, F_SETFL, want) < 0) throw errno_error("fcntl F_SETFL");
}

// is_socket - fstat and check the type
bool is_socket(int fd) {
  struct stat st;
  return ::fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode);
}

// wait_for - ppoll with the termination signals unblocked only while waiting
int wait_for(pollfd* fds, nfds_t n, const Deadline& deadline) {
  for (;;) {
    if (int sig = signals::pending_termination()) throw Terminated{sig};
    int ms = deadline.poll_ms();
    timespec ts{};
    timespec* tsp = nullptr;
    if (ms >= 0) {
      ts.tv_sec = ms / 1000;
      ts.tv_nsec = static_cast<long>(ms % 1000) * 1000000L;
      tsp = &ts;
    }
    int r = ::ppoll(fds, n, tsp, signals::wait_mask());
    if (r >= 0) {
      if (r == 0 && !deadline.expired()) continue;  // woke a hair early
      return r;
    }
    if (errno != EINTR) throw errno_error("poll");
  }
}

// copy_fd - sendfile until all is there; a short source is an error
void copy_fd(int to, int from, off_t offset, std::uint64_t n, const char* what) {
  while (n > 0) {
    ssize_t w = retry_eintr([&] { return ::sendfile(to, from, &offset, n); });
    if (w <= 0) throw errno_error(what, w < 0 ? errno : EIO);
    n -= static_cast<std::uint64_t>(w);
  }
}

// write_all - loop over short writes; EINTR is retried
void write_all(int fd, const char* data, std::size_t n, const char* what) {
  while (n > 0) {
    ssize_t w = retry_eintr([&] { return ::write(fd, data, n); });
    if (w < 0) throw errno_error(what);
    data += w;
    n -= static_cast<std::size_t>(w);
  }
}

}  // namespace spoolgate
