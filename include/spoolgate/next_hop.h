// next_hop.h - the SMTP client side: one connection to the next hop
//
// DESCRIPTION
//   NextHop connects (every address of HOST in turn, each connect bounded by
//   --timeout), reads the 220 greeting, says EHLO (HELO if EHLO is refused)
//   and remembers the extensions that spoolgate mirrors to its own client:
//   SIZE, 8BITMIME, DSN, SMTPUTF8, and XFORWARD's attribute list.
//
//   send() queues a command; read_reply() flushes what is queued and reads
//   one reply, so a pipelined group leaves in one write (RFC 2920).
//
//   NextHop never sends the final "." on its own, from a destructor or on an
//   error path: only send_message() does, when the session has a verdict of
//   accept. So no exception can get a partial message accepted (SPEC).
//
// DIAGNOSTICS
//   IoError (peer next_hop) for EOF, timeouts and socket errors;
//   NextHopError for a reply that is not SMTP (bad code, over-long line, too
//   many lines, codes that change within a reply). After either, the
//   connection is useless, and the session answers 421.
//
// SECURITY
//   Reply lines are bounded (kMaxReplyLine, kMaxReplyLines) before they are
//   stored.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "spoolgate/fd.h"
#include "spoolgate/options.h"
#include "spoolgate/smtp_reply.h"
#include "spoolgate/smtp_stream.h"
#include "spoolgate/spool.h"

namespace spoolgate {

struct NextHopError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct NextHopFeatures {
  bool pipelining = false;
  bool eightbitmime = false;
  bool dsn = false;
  bool smtputf8 = false;
  bool size = false;
  std::uint64_t size_limit = 0;       ///< 0: none announced
  std::vector<std::string> xforward;  ///< attribute names announced
};

class NextHop {
 public:
  explicit NextHop(const Options& opts) : opts_(opts) {}

  /// Connect, greeting, EHLO. Throws NextHopError or IoError with the reason.
  void open();
  const NextHopFeatures& features() const { return features_; }
  /// "HOST[ADDR]:PORT", as Postfix logs a relay.
  const std::string& relay() const { return relay_; }

  /// Queue one command line (CRLF is added).
  void send(std::string_view line);
  /// Flush, then read one whole reply.
  Reply read_reply();
  Reply command(std::string_view line) {
    send(line);
    return read_reply();
  }
  /// After a 354: the header prefix, the body (wire form), and ".".
  void send_message(std::string_view prefix, const Spool& body);
  /// Send QUIT and close, without waiting for the 221; never throws.
  void quit() noexcept;

 private:
  void connect();
  const Options& opts_;
  Fd sock_;
  std::unique_ptr<SmtpStream> stream_;
  NextHopFeatures features_;
  std::string relay_;
};

}  // namespace spoolgate
