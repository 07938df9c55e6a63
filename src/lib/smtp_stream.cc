// smtp_stream.cc - buffered CRLF record I/O on a read fd and a write fd, with time limits
#include "spoolgate/smtp_stream.h"

#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "spoolgate/bounds.h"
#include "spoolgate/fd.h"

namespace spoolgate {

const char* to_string(Peer p) { return p == Peer::client ? "client" : "next hop"; }

SmtpStream::SmtpStream(int in_fd, int out_fd, std::chrono::milliseconds timeout, Peer peer)
    : in_fd_(in_fd),
      out_fd_(out_fd),
      in_is_socket_(is_socket(in_fd)),
      out_is_socket_(in_fd == out_fd ? in_is_socket_ : is_socket(out_fd)),
      timeout_(timeout),
      peer_(peer),
      buf_(new char[kReadBuffer]) {}

// fail - throw the IoError for this peer
void SmtpStream::fail(IoError::Kind kind, int err, const char* doing) {
  std::string what = std::string(kind == IoError::Kind::eof       ? "lost connection with "
                                 : kind == IoError::Kind::timeout ? "timeout talking to "
                                                                  : "I/O error talking to ") +
                     to_string(peer_) + " while " + doing;
  if (err != 0) what += std::string(": ") + std::strerror(err);
  throw IoError(kind, peer_, err, what);
}

// wait - one bounded wait for readiness; false (idle_ok) or IoError at the deadline
bool SmtpStream::wait(int fd, short events, const Deadline& deadline, const char* doing, bool idle_ok) {
  pollfd p{fd, events, 0};
  if (wait_for(&p, 1, deadline) > 0) return true;
  if (idle_ok) return false;
  fail(IoError::Kind::timeout, 0, doing);
}

// read_some - one read into the free part of the buffer; compacts first
SmtpStream::Fill SmtpStream::read_some(const Deadline& deadline, bool idle_ok) {
  if (eof_) return Fill::eof;
  if (start_ > 0 && (start_ == end_ || end_ == kReadBuffer)) {
    std::memmove(buf_.get(), buf_.get() + start_, end_ - start_);
    end_ -= start_;
    start_ = 0;
  }
  if (end_ == kReadBuffer) return Fill::data;  // full: the caller must consume first
  for (;;) {
    ssize_t n;
    if (in_is_socket_) {
      // Right after a write the answer cannot be there yet: wait first,
      // rather than pay for a recv that says EAGAIN.
      if (awaiting_answer_ && !wait(in_fd_, POLLIN, deadline, "reading", idle_ok)) return Fill::idle;
      awaiting_answer_ = false;
      n = retry_eintr([&] { return ::recv(in_fd_, buf_.get() + end_, kReadBuffer - end_, MSG_DONTWAIT); });
    } else {
      if (!wait(in_fd_, POLLIN, deadline, "reading", idle_ok)) return Fill::idle;
      n = retry_eintr([&] { return ::read(in_fd_, buf_.get() + end_, kReadBuffer - end_); });
    }
    if (n > 0) {
      end_ += static_cast<std::size_t>(n);
      return Fill::data;
    }
    if (n == 0) {
      eof_ = true;
      return Fill::eof;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      if (!wait(in_fd_, POLLIN, deadline, "reading", idle_ok)) return Fill::idle;
      continue;
    }
    if (errno == ECONNRESET || errno == EPIPE) {
      eof_ = true;
      return Fill::eof;
    }
    fail(IoError::Kind::failed, errno, "reading");
  }
}

// fill - flush pending output, then read more input
bool SmtpStream::fill() {
  flush();
  return read_some(Deadline::after(timeout_), false) == Fill::data;
}

SmtpStream::Fill SmtpStream::fill_for(std::chrono::milliseconds wait) {
  flush();
  return read_some(Deadline::after(wait), true);
}

// read_data - the DATA loop: decode what is buffered, then wait for more,
// keeping the other peer alive while this one is silent
void SmtpStream::read_data(DataDecoder& decoder, LineSink& sink, std::chrono::milliseconds idle,
                           const std::function<void()>& on_idle, const std::function<void()>& on_data) {
  Deadline silence = Deadline::after(timeout_);
  for (;;) {
    consume(decoder.feed(buffered(), eof_, sink));
    if (decoder.done()) return;
    if (on_data) on_data();
    if (eof_) fail(IoError::Kind::eof, 0, "receiving message data");
    for (;;) {
      if (fill_for(idle) != Fill::idle) break;
      if (silence.expired()) fail(IoError::Kind::timeout, 0, "receiving message data");
      on_idle();
    }
    silence = Deadline::after(timeout_);
  }
}

// peer_closed_now - poll with no wait; EOF or reset means the peer is gone
bool SmtpStream::peer_closed_now() {
  if (eof_) return true;
  pollfd p{in_fd_, POLLIN, 0};
  if (::poll(&p, 1, 0) <= 0) return false;
  if (end_ == kReadBuffer && start_ == 0) return false;  // cannot look further
  try {
    return read_some(Deadline::after(std::chrono::milliseconds(0)), true) == Fill::eof;
  } catch (const IoError&) {
    return true;
  }
}

// has_line - a complete line, an over-long one, or a last partial line at EOF
bool SmtpStream::has_line(std::size_t max) const {
  std::string_view b = buffered();
  if (b.find('\n') != std::string_view::npos) return true;
  if (b.size() > max + 1) return true;
  return eof_ && !b.empty();
}

// read_line - one record; an over-long line is skipped up to its LF
SmtpStream::Line SmtpStream::read_line(std::size_t max) {
  for (;;) {
    std::string_view b = buffered();
    std::size_t nl = b.find('\n');
    if (discarding_) {
      if (nl == std::string_view::npos) {
        consume(b.size());
        if (!fill()) fail(IoError::Kind::eof, 0, "reading");
        continue;
      }
      consume(nl + 1);
      discarding_ = false;
      return Line{{}, false, true};
    }
    if (nl != std::string_view::npos) {
      bool crlf = nl > 0 && b[nl - 1] == '\r';
      std::size_t len = crlf ? nl - 1 : nl;
      consume(nl + 1);
      if (len > max) return Line{{}, crlf, true};
      return Line{b.substr(0, len), crlf, false};
    }
    if (b.size() > max + 1) {
      discarding_ = true;
      continue;
    }
    if (eof_) {
      if (b.empty()) fail(IoError::Kind::eof, 0, "reading");
      consume(b.size());
      if (b.size() > max) return Line{{}, false, true};
      return Line{b, false, false};
    }
    fill();
  }
}

// flush - send everything queued; sockets with MSG_DONTWAIT so that the
// per-wait timeout holds without touching the descriptor's flags
void SmtpStream::flush() {
  if (!out_.empty()) awaiting_answer_ = true;
  std::size_t done = 0;
  Deadline deadline = Deadline::after(timeout_);
  while (done < out_.size()) {
    ssize_t n;
    if (out_is_socket_) {
      n = retry_eintr([&] { return ::send(out_fd_, out_.data() + done, out_.size() - done, MSG_DONTWAIT | MSG_NOSIGNAL); });
    } else {
      wait(out_fd_, POLLOUT, deadline, "writing");
      n = retry_eintr([&] { return ::write(out_fd_, out_.data() + done, out_.size() - done); });
    }
    if (n >= 0) {
      done += static_cast<std::size_t>(n);
      deadline = Deadline::after(timeout_);
      continue;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      wait(out_fd_, POLLOUT, deadline, "writing");
      continue;
    }
    out_.clear();
    if (errno == EPIPE || errno == ECONNRESET) fail(IoError::Kind::eof, errno, "writing");
    fail(IoError::Kind::failed, errno, "writing");
  }
  out_.clear();
}

void SmtpStream::close_output() {
  flush();
  if (out_is_socket_) ::shutdown(out_fd_, SHUT_WR);
}

// send_file - the spool goes to the socket without passing through user space
void SmtpStream::send_file(int fd, off_t offset, std::size_t n) {
  flush();
  Deadline deadline = Deadline::after(timeout_);
  while (n > 0) {
    ssize_t w = retry_eintr([&] { return ::sendfile(out_fd_, fd, &offset, n); });
    if (w > 0) {
      n -= static_cast<std::size_t>(w);
      deadline = Deadline::after(timeout_);
      continue;
    }
    if (w == 0) fail(IoError::Kind::failed, EIO, "sending the message (spool shorter than expected)");
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      wait(out_fd_, POLLOUT, deadline, "sending the message");
      continue;
    }
    if (errno == EPIPE || errno == ECONNRESET) fail(IoError::Kind::eof, errno, "sending the message");
    fail(IoError::Kind::failed, errno, "sending the message");
  }
}

}  // namespace spoolgate
