// server_session.h - one SMTP session: the client on stdin/stdout, the next hop behind
//
// DESCRIPTION
//   ServerSession::run() is the whole server side of SPEC "SMTP, server
//   side": connect to the next hop and say EHLO before greeting (so that
//   the EHLO reply can mirror its extensions), then read commands until
//   QUIT or end of input.
//
//   The session's shape, as in OpenSMTPD's smtp_session.c:
//   - a State, changed only by enter_state() (traced under -v):
//       connecting -> greeted -> ready <-> mail_sent -> in_transaction
//         -> data -> ready ... -> quit;  closing when the next hop says 421;
//   - one verb table, a row per command: its check step (sequence and
//     syntax; it answers 5xx itself) and its proceed step. HELP is printed
//     from the same table;
//   - a Transaction, created by MAIL, forgotten by RSET, EHLO or the end of
//     DATA.
//   MAIL, RCPT and XFORWARD go to the next hop as the client sent them and
//   are answered from its replies; while the client pipelines they are
//   forwarded together and their replies read together (ReplyQueue), and
//   the client's replies leave in one write when its input is drained.
//
//   DATA: 354, the message through DataDecoder into the spools (the stream
//   keeps the next hop alive meanwhile), then filter_message() (hook,
//   verdict, quarantine), then the verdict. Only an accept sends DATA and
//   the message to the next hop; every other outcome ends the next hop's
//   transaction with RSET, and it never sees a final "." (SPEC "Never lose
//   mail").
//
// DIAGNOSTICS
//   run() returns the exit status: 0 after QUIT or end of input, 75 when it
//   had to give up (a timeout, the next hop lost, an internal failure).
//   Failures are caught in one place, run(), as in Postfix's smtpd_proto():
//   the client gets 421 if it can still be told, and RAII releases the
//   spool, the hook and the next hop.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "spoolgate/envelope.h"
#include "spoolgate/message_filter.h"
#include "spoolgate/message_log.h"
#include "spoolgate/next_hop.h"
#include "spoolgate/options.h"
#include "spoolgate/reply_queue.h"
#include "spoolgate/smtp_command.h"
#include "spoolgate/smtp_reply.h"
#include "spoolgate/smtp_stream.h"
#include "spoolgate/xforward.h"

namespace spoolgate {

class CutThrough;

class ServerSession {
 public:
  /// `in_fd`/`out_fd`: the client (0 and 1 under spawn(8)).
  ServerSession(const Options& opts, int in_fd, int out_fd);

  /// Serve the connection; returns the exit status.
  int run();

  enum class State {
    connecting,      ///< not greeted yet: the next hop first
    greeted,         ///< 220 sent; EHLO or HELO expected
    ready,           ///< no transaction
    mail_sent,       ///< MAIL forwarded, its reply not read yet
    in_transaction,  ///< MAIL accepted: RCPT, DATA
    data,            ///< the message, the hook, the verdict
    closing,         ///< the next hop said 421: relay it and end
    quit,            ///< QUIT answered
  };

 private:
  struct VerbRow;
  static const VerbRow kVerbs[];
  /// Thrown to end the session after a reply that closes it (421).
  struct End {
    int status;
  };

  /// The transaction in progress, created by MAIL.
  struct Transaction {
    bool next_hop_open = false;  ///< MAIL went to the next hop: RSET to abort
    std::size_t rcpts_forwarded = 0;
    Envelope env;
  };

  void enter_state(State s);
  void serve();
  void dispatch(std::string_view line);
  int end_with(const std::exception& e);
  void say_last(std::string_view text) noexcept;

  bool check_helo(const Command& c);
  bool check_xforward(const Command& c);
  bool check_mail(const Command& c);
  bool check_rcpt(const Command& c);
  bool check_data(const Command& c);
  bool check_no_args(const Command& c);
  bool check_vrfy(const Command& c);
  void proceed_ehlo(const Command& c);
  void proceed_helo(const Command& c);
  void proceed_xforward(const Command& c);
  void proceed_mail(const Command& c);
  void proceed_rcpt(const Command& c);
  void proceed_data(const Command& c);
  void proceed_rset(const Command& c);
  void proceed_noop(const Command& c);
  void proceed_quit(const Command& c);
  void proceed_vrfy(const Command& c);
  void proceed_help(const Command& c);

  void receive_message();
  bool cut_through_allowed() const;
  void act(const Envelope& env, const MessageSpools& received, FilterResult& f, CutThrough& cut);
  void deliver(const std::function<Delivery()>& send, Outcome& outcome);
  void reopen_next_hop();
  void keep_next_hop_alive_or_throw();
  bool keep_next_hop_alive();
  bool client_gone();
  void new_session_state();
  void abort_next_hop_transaction();

  bool forwardable();
  void reply(const Reply& r);
  void reply_rendered(std::string rendered);
  bool refuse(int code, std::string_view enhanced, std::string_view text);
  void junk();
  void forward(std::string_view line, ReplyQueue::OnReply on_reply);
  void resolve_pending();
  void write_client(const std::string& rendered);
  Reply relayed(const Reply& r);
  std::uint64_t size_limit() const;

  const Options& opts_;
  State state_ = State::connecting;
  std::string_view line_;  ///< the command being dispatched, as received
  bool line_crlf_ = true;  ///< whether it ended with CRLF (DATA: strict end of data)
  std::optional<PathArgs> path_;            ///< MAIL/RCPT: what check_* parsed
  std::vector<XforwardAttr> xforward_attrs_;  ///< XFORWARD: what check_xforward parsed
  SmtpStream client_;
  NextHop next_hop_;
  ReplyQueue replies_;
  Transaction tx_;
  ClientInfo xforward_;
  int errors_ = 0;
  int junk_ = 0;
  Deadline::Clock::time_point last_next_hop_io_ = Deadline::Clock::now();
};

const char* to_string(ServerSession::State s);

}  // namespace spoolgate
