// next_hop.h - the SMTP client side: one connection to the next hop
//
// DESCRIPTION
//   NextHop connects (see net.h: every address of HOST in turn, each connect
//   bounded by the timeout), reads the 220 greeting, says EHLO (HELO if EHLO
//   is refused) and remembers the extensions that spoolgate mirrors to its
//   own client: SIZE, 8BITMIME, DSN, SMTPUTF8, and XFORWARD's attribute list.
//
//   send() queues a command; read_reply() flushes what is queued and reads
//   one reply, so a pipelined group leaves in one write (RFC 2920).
//
//   Two calls carry a message. data() is the end of a transaction whose MAIL
//   and RCPT the caller has already had accepted (the SMTP server relays
//   them one by one): DATA, the message, "." and the reply. deliver() is a
//   whole transaction for an envelope of its own (--pipe, a quarantine
//   release): MAIL FROM with SIZE=, BODY=8BITMIME and SMTPUTF8 as the next
//   hop announces them and the message needs them, one RCPT per recipient,
//   all or nothing (RSET when any recipient is refused), then data().
//   Every reply that ends a transaction is checked here, once: it must be of
//   class 2, 4 or 5.
//
//   NextHop never sends the final "." on its own, from a destructor or on an
//   error path: only data() and end_data() do, and only when the caller has
//   a verdict of accept. So no exception can get a partial message accepted
//   (SPEC).
//
// DIAGNOSTICS
//   IoError (peer next_hop) for EOF, timeouts and socket errors;
//   NextHopError for a reply that is not SMTP (bad code, over-long line, too
//   many lines, codes that change within a reply) or of a class that cannot
//   answer the command. After either, the connection is useless, and the
//   caller answers 421 (server) or exits 75 (--pipe).
//
// SECURITY
//   Reply lines are bounded (kMaxReplyLine, kMaxReplyLines) before they are
//   stored.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "spoolgate/envelope.h"
#include "spoolgate/fd.h"
#include "spoolgate/net.h"
#include "spoolgate/smtp_reply.h"
#include "spoolgate/smtp_stream.h"
#include "spoolgate/spool.h"

namespace spoolgate {

struct NextHopError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Where the next hop is and how to talk to it.
struct NextHopConfig {
  Endpoint endpoint{Endpoint::Kind::tcp, "127.0.0.1", "10026", {}};
  std::string hostname = "localhost";         ///< the EHLO name
  std::chrono::milliseconds timeout{300'000};  ///< each wait for the next hop
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

/// A message as it leaves: header fields to put first, then the body, both
/// in wire form (dot-stuffed, CRLF).
struct OutgoingMessage {
  std::string_view prefix;
  const Spool& body;
  std::uint64_t size = 0;  ///< the body as RFC 1870 counts it: CRLF, no dot-stuffing
};

/// How a whole transaction ended (deliver()).
struct Delivery {
  enum class Stage { mail, rcpt, data, end_of_data };
  Stage stage = Stage::mail;  ///< the command whose reply decided
  std::string recipient;      ///< Stage::rcpt: the one refused
  Reply reply;                ///< class 2 (end_of_data only), 4 or 5
  /// "MAIL FROM", "RCPT TO:<...>", "DATA", "end of data".
  std::string what() const;
};

class NextHop {
 public:
  explicit NextHop(NextHopConfig config) : config_(std::move(config)) {}

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
  /// `r`, if it is of class 4 or 5, or 2 where `positive_ok`; else
  /// NextHopError naming `what`.
  static const Reply& checked(const Reply& r, std::string_view what, bool positive_ok = true);

  /// DATA; on 354 the message and "."; the next hop's reply, checked:
  /// Stage::data when it refused DATA, else Stage::end_of_data.
  Delivery data(const OutgoingMessage& message);
  /// A whole transaction (see above).
  Delivery deliver(const Envelope& env, const OutgoingMessage& message);

  /// Cut-through, data() in steps: DATA (Stage::data: refused; else 354),
  /// then the message in pieces as it arrives (wire form, no final "."),
  /// then either end_data() (the final "." and its reply, checked) or
  /// abort() (the connection closed, no "."): a message the verdict does
  /// not accept is never completed downstream.
  Delivery begin_data();
  void stream(std::string_view wire);
  void stream(const Spool& spool, std::uint64_t offset, std::uint64_t n);
  Delivery end_data();
  void abort() noexcept;
  /// Whether the connection is there (not closed by quit() or abort()).
  bool is_open() const { return stream_ != nullptr; }
  /// Whether it is inside DATA (after a 354, before "." or abort()).
  bool in_data() const { return in_data_; }
  /// Send QUIT and close, without waiting for the 221; never throws.
  void quit() noexcept;

 private:
  void connect();
  std::string mail_command(const Envelope& env, const OutgoingMessage& message) const;
  NextHopConfig config_;
  Fd sock_;
  std::unique_ptr<SmtpStream> stream_;
  NextHopFeatures features_;
  std::string relay_;
  bool in_data_ = false;  ///< between a 354 and the final "." (quit() then aborts)
};

}  // namespace spoolgate
