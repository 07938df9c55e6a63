// server_session.h - one SMTP session: the client on stdin/stdout, the next hop behind
//
// DESCRIPTION
//   ServerSession::run() is the whole server side of SPEC "SMTP, server
//   side": connect to the next hop and say EHLO before greeting (so that
//   the EHLO reply can mirror its extensions), then read commands until
//   QUIT or end of input.
//
//   Dispatch is one table row per verb (OpenSMTPD's layout): a check part
//   that answers 5xx itself, and a proceed part. MAIL, RCPT and XFORWARD
//   go to the next hop as the client sent them and are answered from its
//   replies; while the client pipelines, they are forwarded together and
//   their replies read together (Pending queue), and the client's replies
//   leave in one write when its input is drained.
//
//   DATA: 354, the message through DataDecoder into the spool (and, with a
//   hook, into a second spool in the hook's LF form), the hook, then the
//   verdict. Only an accept sends DATA and the message to the next hop;
//   every other outcome ends the next hop's transaction with RSET, and it
//   never sees a final "." (SPEC "Never lose mail").
//
// DIAGNOSTICS
//   run() returns the exit status: 0 after QUIT or end of input, 75 when it
//   had to give up (a timeout, the next hop lost, an internal failure).
//   Failures are caught in one place, run(), as in Postfix's smtpd_proto():
//   the client gets 421 if it can still be told, and RAII releases the
//   spool, the hook and the next hop.
#pragma once

#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "spoolgate/envelope.h"
#include "spoolgate/next_hop.h"
#include "spoolgate/options.h"
#include "spoolgate/smtp_command.h"
#include "spoolgate/smtp_reply.h"
#include "spoolgate/smtp_stream.h"
#include "spoolgate/xforward.h"

namespace spoolgate {

class ServerSession {
 public:
  /// `in_fd`/`out_fd`: the client (0 and 1 under spawn(8)).
  ServerSession(const Options& opts, int in_fd, int out_fd);

  /// Serve the connection; returns the exit status.
  int run();

 private:
  struct VerbRow;
  /// A reply owed to the client, in order: known now, or the next hop's
  /// reply to a forwarded command, turned into ours by `on_reply` (which
  /// returns nothing for commands the client never sent, such as RSET).
  struct Pending {
    std::string rendered;
    std::function<std::optional<Reply>(const Reply&)> on_reply;
  };
  /// The transaction in progress, created by MAIL.
  struct Transaction {
    enum class Mail { none, pending, accepted } mail = Mail::none;
    bool next_hop_open = false;  ///< MAIL went to the next hop: RSET to abort
    std::size_t rcpts_forwarded = 0;
    Envelope env;
  };

  void serve();
  void dispatch(std::string_view line, bool crlf);

  void ehlo(const Command& c, bool crlf);
  void helo(const Command& c, bool crlf);
  void mail(const Command& c, bool crlf);
  void rcpt(const Command& c, bool crlf);
  void data(const Command& c, bool crlf);
  void rset(const Command& c, bool crlf);
  void noop(const Command& c, bool crlf);
  void quit(const Command& c, bool crlf);
  void vrfy(const Command& c, bool crlf);
  void help(const Command& c, bool crlf);
  void xforward(const Command& c, bool crlf);

  void receive_message(bool data_crlf);
  void deliver(const std::string& prefix, const Spool& body, Outcome& outcome);
  bool keep_next_hop_alive();
  void abort_next_hop_transaction();
  void reset_transaction();

  bool forwardable();
  void reply(const Reply& r);
  void error(int code, std::string_view enhanced, std::string_view text);
  void junk();
  void forward(std::string_view line, std::function<std::optional<Reply>(const Reply&)> on_reply);
  void resolve_pending();
  void write_client(const std::string& rendered);
  Reply relayed(const Reply& r);
  std::uint64_t size_limit() const;

  const Options& opts_;
  std::string_view line_;  ///< the command being dispatched, as received
  SmtpStream client_;
  NextHop next_hop_;
  std::deque<Pending> pending_;
  std::size_t awaiting_ = 0;
  Transaction tx_;
  ClientInfo xforward_;
  bool greeted_ = false;
  bool quit_ = false;
  bool next_hop_closing_ = false;  ///< it said 421: relay it and close
  int errors_ = 0;
  int junk_ = 0;
  Deadline::Clock::time_point last_next_hop_io_ = Deadline::Clock::now();
};

}  // namespace spoolgate
