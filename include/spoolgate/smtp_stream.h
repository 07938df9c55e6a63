// smtp_stream.h - buffered CRLF record I/O on a read fd and a write fd, with time limits
//
// DESCRIPTION
//   One SmtpStream per peer: the client (stdin/stdout, which under spawn(8)
//   are one socket) and the next hop (one socket). It borrows the
//   descriptors. Reads fill a fixed buffer of kReadBuffer octets; lines are
//   handed out as views into it, and message data is taken straight from it
//   (buffered(), consume()), so that data pipelined behind a command is never
//   lost or read twice.
//
//   Output is buffered and leaves in one write when the stream is about to
//   block for input (fill() flushes first), as Postfix's VSTREAM does: the
//   replies to a pipelined group go out together, which avoids the Nagle and
//   delayed-ACK stall of one write per reply.
//
//   `timeout` is a limit on each wait for the peer (Postfix's per-call model),
//   not on a whole exchange.
//
// DIAGNOSTICS
//   IoError (eof, timeout, failed) names the peer. A line longer than the
//   caller's maximum is consumed up to its LF and reported as too_long, so
//   memory stays bounded whatever the peer sends.
//
// SEE ALSO
//   Postfix smtp_stream.c (smtp_get, smtp_fputs); RFC 2920.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "spoolgate/data_codec.h"
#include "spoolgate/deadline.h"

namespace spoolgate {

enum class Peer { client, next_hop };

const char* to_string(Peer p);

/// EOF, a timeout, or a failed read/write on one peer.
struct IoError : std::runtime_error {
  enum class Kind { eof, timeout, failed };
  IoError(Kind k, Peer p, int e, const std::string& what)
      : std::runtime_error(what), kind(k), peer(p), err(e) {}
  Kind kind;
  Peer peer;
  int err;  ///< errno for Kind::failed, else 0
};

class SmtpStream {
 public:
  /// One record read by read_line().
  struct Line {
    std::string_view text;  ///< without the terminator
    bool crlf = false;      ///< ended with CRLF (false: bare LF, or EOF)
    bool too_long = false;  ///< longer than the maximum: text is empty
  };

  SmtpStream(int in_fd, int out_fd, std::chrono::milliseconds timeout, Peer peer);
  SmtpStream(const SmtpStream&) = delete;
  SmtpStream& operator=(const SmtpStream&) = delete;

  /// Whether read_line(max) can return without waiting.
  bool has_line(std::size_t max) const;
  /// The next line, waiting for it if needed (flushing output first). A
  /// partial last line at EOF counts as a line. Throws IoError (eof when
  /// nothing is left).
  Line read_line(std::size_t max);

  /// Data read but not yet consumed.
  std::string_view buffered() const { return {buf_.get() + start_, end_ - start_}; }
  void consume(std::size_t n) { start_ += n; }
  /// Read more (flushing output first). Returns false at EOF. Throws IoError
  /// on a timeout or a failure.
  bool fill();
  enum class Fill { data, eof, idle };
  /// Like fill(), but waits at most `wait` and says `idle` when nothing came
  /// (so the caller can keep the other peer alive, then wait again).
  Fill fill_for(std::chrono::milliseconds wait);
  bool at_eof() const { return eof_; }
  /// Whether the input is a socket (not a pipe or a file: a manual run).
  bool input_is_socket() const { return in_is_socket_; }
  /// After DATA: what follows, through `decoder` into `sink`, up to the end
  /// of data (what comes after it stays buffered). While the peer is silent,
  /// `on_idle` runs every `idle` (to keep the other peer alive); the timeout
  /// still bounds the silence. `on_data`, if given, runs after each piece
  /// that was decoded (cut-through passes it on). Throws IoError: EOF
  /// before the end, timeout.
  void read_data(DataDecoder& decoder, LineSink& sink, std::chrono::milliseconds idle,
                 const std::function<void()>& on_idle, const std::function<void()>& on_data = {});
  /// Without waiting: read what is there, and tell whether the peer has
  /// closed its side (EOF or a reset).
  bool peer_closed_now();

  /// Queue output; it leaves at flush() or before the next wait for input.
  void write(std::string_view s) { out_.append(s); }
  std::size_t pending_output() const { return out_.size(); }
  /// Write all queued output, each wait bounded by the timeout. Throws IoError.
  void flush();
  /// Flush, then tell the peer there is no more (shutdown SHUT_WR on a
  /// socket), so that it need not wait for this process to exit.
  void close_output();
  /// Flush, then send `n` octets of `fd` from `offset` (sendfile(2)).
  void send_file(int fd, off_t offset, std::size_t n);

  std::chrono::milliseconds timeout() const { return timeout_; }
  void set_timeout(std::chrono::milliseconds t) { timeout_ = t; }

 private:
  Fill read_some(const Deadline& deadline, bool idle_ok);
  bool wait(int fd, short events, const Deadline& deadline, const char* doing, bool idle_ok = false);
  [[noreturn]] void fail(IoError::Kind kind, int err, const char* doing);

  int in_fd_;
  int out_fd_;
  bool in_is_socket_;
  bool out_is_socket_;
  std::chrono::milliseconds timeout_;
  Peer peer_;
  std::unique_ptr<char[]> buf_;
  std::size_t start_ = 0;
  std::size_t end_ = 0;
  bool eof_ = false;
  bool discarding_ = false;  // inside an over-long line
  bool awaiting_answer_ = false;  // output just left: wait before trying to read
  std::string out_;
};

}  // namespace spoolgate
