// server_session.cc - one SMTP session: the client on stdin/stdout, the next hop behind
//
// This file: the state, the verb table with each verb's check and proceed
// steps, and the one place a session ends. The replies and the next hop's
// side of the conversation are in server_chat.cc, DATA in server_data.cc
// (as Postfix splits smtpd.c, smtpd_chat.c and smtpd_proxy.c).
#include "spoolgate/server_session.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <fmt/core.h>

#include "spoolgate/bounds.h"
#include "spoolgate/log.h"
#include "spoolgate/sysexits.h"
#include "spoolgate/text.h"

namespace spoolgate {

const char* to_string(ServerSession::State s) {
  switch (s) {
    case ServerSession::State::connecting: return "connecting";
    case ServerSession::State::greeted: return "greeted";
    case ServerSession::State::ready: return "ready";
    case ServerSession::State::mail_sent: return "mail_sent";
    case ServerSession::State::in_transaction: return "in_transaction";
    case ServerSession::State::data: return "data";
    case ServerSession::State::closing: return "closing";
    case ServerSession::State::quit: return "quit";
  }
  return "?";
}

// The verb table (OpenSMTPD's layout): one row per command, in HELP's order.
// check answers 5xx itself and says whether to go on; nullptr: no check.
struct ServerSession::VerbRow {
  Verb verb;
  bool (ServerSession::*check)(const Command&);
  void (ServerSession::*proceed)(const Command&);
};

const ServerSession::VerbRow ServerSession::kVerbs[] = {
    {Verb::ehlo, &ServerSession::check_helo, &ServerSession::proceed_ehlo},
    {Verb::helo, &ServerSession::check_helo, &ServerSession::proceed_helo},
    {Verb::mail, &ServerSession::check_mail, &ServerSession::proceed_mail},
    {Verb::rcpt, &ServerSession::check_rcpt, &ServerSession::proceed_rcpt},
    {Verb::data, &ServerSession::check_data, &ServerSession::proceed_data},
    {Verb::rset, &ServerSession::check_no_args, &ServerSession::proceed_rset},
    {Verb::noop, nullptr, &ServerSession::proceed_noop},
    {Verb::quit, nullptr, &ServerSession::proceed_quit},
    {Verb::vrfy, &ServerSession::check_vrfy, &ServerSession::proceed_vrfy},
    {Verb::help, nullptr, &ServerSession::proceed_help},
    {Verb::xforward, &ServerSession::check_xforward, &ServerSession::proceed_xforward},
};

ServerSession::ServerSession(const Options& opts, int in_fd, int out_fd)
    : opts_(opts), client_(in_fd, out_fd, opts.timeout, Peer::client), next_hop_(opts.next_hop) {
  // replies leave in one write per pipelined group; no need to wait for ACKs
  int one = 1;
  ::setsockopt(out_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

// enter_state - the one place the state changes; closing is final (the
// next hop is going away, whatever its reply to a pipelined command says)
void ServerSession::enter_state(State s) {
  if (state_ == s || state_ == State::closing) return;
  log::debug("session: {} -> {}", to_string(state_), to_string(s));
  state_ = s;
}

// ---- the session

// say_last - a closing reply (none: only what is queued), if the client
// still listens
void ServerSession::say_last(std::string_view text) noexcept {
  try {
    if (!text.empty()) write_client(fmt::format("{}\r\n", text));
    client_.flush();
  } catch (...) {
  }
}

// run - the one place where a session ends, whatever ends it
int ServerSession::run() {
  try {
    try {
      next_hop_.open();
    } catch (const std::exception& e) {
      log::warn("next hop {} unavailable: {}", opts_.next_hop.endpoint.to_string(), e.what());
      say_last(fmt::format("421 4.3.0 {} next hop unavailable", opts_.hostname));
      return kExTempFail;
    }
    log::debug("next hop {} ready", next_hop_.relay());
    write_client(fmt::format("220 {} ESMTP spoolgate\r\n", opts_.hostname));
    enter_state(State::greeted);
    serve();
    return 0;
  } catch (const End& end) {
    // the reply that ends the session (421) is already queued
    say_last({});
    if (state_ != State::closing) next_hop_.quit();
    return end.status;
  } catch (const std::exception& e) {
    return end_with(e);
  } catch (const Terminated& t) {
    log::warn("terminated by signal {}", t.signal);
    client_.set_timeout(std::chrono::milliseconds(1000));
    say_last(fmt::format("421 4.3.2 {} Service shutting down", opts_.hostname));
    return kExTempFail;
  }
}

// end_with - what each failure tells the client, and the exit status
int ServerSession::end_with(const std::exception& failure) {
  const std::string& host = opts_.hostname;
  if (const auto* e = dynamic_cast<const IoError*>(&failure)) {
    if (e->peer == Peer::client && e->kind == IoError::Kind::eof) {
      // End of input: answer what is owed, if the client still listens.
      if (state_ == State::mail_sent || state_ == State::in_transaction || state_ == State::data)
        log::info("{}: lost connection with client in a transaction", tx_.env.log_queue_id());
      try {
        resolve_pending();
        client_.flush();
      } catch (...) {
      }
      next_hop_.quit();
      return 0;
    }
    log::warn("{}", e->what());
    if (e->peer == Peer::client) {
      if (e->kind == IoError::Kind::timeout) say_last(fmt::format("421 4.4.2 {} Error: timeout exceeded", host));
      next_hop_.quit();
    } else {
      say_last(e->kind == IoError::Kind::timeout ? fmt::format("421 4.4.2 {} Error: timeout talking to the next hop", host)
                                                 : fmt::format("421 4.4.2 {} Error: next hop connection lost", host));
    }
    return kExTempFail;
  }
  if (dynamic_cast<const NextHopError*>(&failure)) {
    log::warn("next hop {}: {}", next_hop_.relay(), failure.what());
    say_last(fmt::format("421 4.3.0 {} Error: next hop protocol error", host));
    return kExTempFail;
  }
  log::warn("internal error: {}", failure.what());
  say_last(fmt::format("421 4.3.0 {} Error: internal error", host));
  return kExTempFail;
}

// serve - read and dispatch commands until QUIT (or an exception)
void ServerSession::serve() {
  while (state_ != State::quit) {
    if (!client_.has_line(kMaxCommandLine)) resolve_pending();  // replies before we wait
    SmtpStream::Line line = client_.read_line(kMaxCommandLine);
    if (line.too_long) {
      log::debug("client < (line over {} octets)", kMaxCommandLine);
      refuse(500, "5.5.2", "Error: line too long");
    } else {
      std::string text(line.text);  // the view dies at the next read
      if (log::verbose()) log::debug("client < {}", log::printable(text));
      line_crlf_ = line.crlf;
      dispatch(text);
    }
    if (errors_ >= kMaxErrors) {
      resolve_pending();
      log::info("too many errors from client; disconnecting");
      write_client(fmt::format("421 4.7.0 {} Error: too many errors\r\n", opts_.hostname));
      throw End{kExOk};
    }
  }
  resolve_pending();
  client_.close_output();  // the client has its 221: let it go now
  next_hop_.quit();
}

// dispatch - the verb table: check, then proceed
void ServerSession::dispatch(std::string_view line) {
  Command c = parse_command(line);
  line_ = line;  // MAIL and RCPT go to the next hop exactly as the client sent them
  for (const VerbRow& row : kVerbs) {
    if (row.verb != c.verb) continue;
    if (!row.check || (this->*row.check)(c)) (this->*row.proceed)(c);
    return;
  }
  refuse(502, "5.5.2", "Error: command not recognized");
}

// forwardable - a line that goes to the next hop as it is: no control
// character in it, so that no next hop can read a bare CR as a line end
// (one command would become two)
bool ServerSession::forwardable() {
  if (!has_control(line_, /*tab_ok=*/true)) return true;
  return refuse(501, "5.5.2", "Syntax error: control character in command");
}

// ---- checks: sequence and syntax; each answers its own 5xx

bool ServerSession::check_helo(const Command& c) {
  if (!c.args.empty()) return true;
  return refuse(501, "5.5.4", c.verb == Verb::ehlo ? "Syntax: EHLO hostname" : "Syntax: HELO hostname");
}

bool ServerSession::check_xforward(const Command& c) {
  if (state_ == State::mail_sent || state_ == State::in_transaction)
    return refuse(503, "5.5.1", "Error: MAIL transaction in progress");
  if (!forwardable()) return false;
  std::string problem;
  auto attrs = parse_xforward(c.args, &problem);
  if (!attrs) return refuse(501, "5.5.4", problem);
  xforward_attrs_ = std::move(*attrs);
  return true;
}

bool ServerSession::check_mail(const Command& c) {
  if (state_ == State::mail_sent) resolve_pending();  // was the last MAIL taken?
  if (state_ == State::greeted) return refuse(503, "5.5.1", "Error: send HELO/EHLO first");
  if (state_ == State::in_transaction) return refuse(503, "5.5.1", "Error: nested MAIL command");
  if (!forwardable()) return false;
  path_ = parse_path_args(c.args, "FROM:");
  if (!path_) {
    if (!starts_with_keyword(c.args, "FROM:")) return refuse(501, "5.5.4", "Syntax: MAIL FROM:<address>");
    return refuse(501, "5.1.7", "Bad sender address syntax");
  }
  std::optional<std::int64_t> size = size_param(path_->params);
  if (size && *size < 0) return refuse(501, "5.5.4", "Bad message size syntax");
  std::uint64_t limit = size_limit();
  if (size && limit && static_cast<std::uint64_t>(*size) > limit)
    return refuse(552, "5.3.4", "Message size exceeds fixed limit");
  return true;
}

bool ServerSession::check_rcpt(const Command& c) {
  if (state_ != State::mail_sent && state_ != State::in_transaction)
    return refuse(503, "5.5.1", "Error: need MAIL command");
  if (!forwardable()) return false;
  path_ = parse_path_args(c.args, "TO:");
  if (!path_) {
    if (!starts_with_keyword(c.args, "TO:")) return refuse(501, "5.5.4", "Syntax: RCPT TO:<address>");
    return refuse(501, "5.1.3", "Bad recipient address syntax");
  }
  if (path_->address.empty()) return refuse(501, "5.1.3", "Bad recipient address syntax");
  if (tx_.rcpts_forwarded >= kMaxRecipients || tx_.env.recipient_bytes + path_->address.size() > kMaxRecipientBytes) {
    reply(Reply::make(452, "4.5.3", "Error: too many recipients"));
    return false;
  }
  return true;
}

bool ServerSession::check_data(const Command& c) {
  if (!c.args.empty()) return refuse(501, "5.5.4", "Syntax: DATA");
  resolve_pending();
  if (state_ != State::in_transaction) return refuse(503, "5.5.1", "Error: need MAIL command");
  if (tx_.env.recipients.empty()) return refuse(554, "5.5.1", "Error: no valid recipients");
  return true;
}

bool ServerSession::check_no_args(const Command& c) {
  if (c.args.empty()) return true;
  return refuse(501, "5.5.4", fmt::format("Syntax: {}", to_string(c.verb)));
}

bool ServerSession::check_vrfy(const Command& c) {
  if (!c.args.empty()) return true;
  return refuse(501, "5.5.4", "Syntax: VRFY address");
}

// ---- proceed: the work of a command that passed its check

void ServerSession::proceed_ehlo(const Command&) {
  resolve_pending();
  abort_next_hop_transaction();
  new_session_state();
  const NextHopFeatures& f = next_hop_.features();
  std::vector<std::string> lines = {opts_.hostname, "PIPELINING"};
  if (f.size) {
    std::uint64_t limit = size_limit();
    lines.push_back(limit ? fmt::format("SIZE {}", limit) : "SIZE");
  }
  if (f.eightbitmime) lines.push_back("8BITMIME");
  if (f.dsn) lines.push_back("DSN");
  if (f.smtputf8) lines.push_back("SMTPUTF8");
  lines.push_back("ENHANCEDSTATUSCODES");
  lines.push_back(fmt::format("XFORWARD {}", kXforwardNames));
  std::string out;
  for (std::size_t i = 0; i < lines.size(); ++i) out += fmt::format("250{}{}\r\n", i + 1 < lines.size() ? '-' : ' ', lines[i]);
  reply_rendered(std::move(out));
}

void ServerSession::proceed_helo(const Command&) {
  resolve_pending();
  abort_next_hop_transaction();
  new_session_state();
  reply_rendered(fmt::format("250 {}\r\n", opts_.hostname));
}

// proceed_xforward - taken for the hook and the log, forwarded as far as announced
void ServerSession::proceed_xforward(const Command&) {
  xforward_.apply(xforward_attrs_);
  std::string line = forward_line(xforward_attrs_, next_hop_.features().xforward);
  if (line.empty()) return reply(Reply::make(250, "2.0.0", "Ok"));
  forward(line, [](const Reply& r) -> std::optional<Reply> {
    if (!r.positive()) log::warn("next hop refused XFORWARD: {}", r.summary());
    return Reply::make(250, "2.0.0", "Ok");
  });
}

// proceed_mail - checked here, then the next hop decides
void ServerSession::proceed_mail(const Command&) {
  enter_state(State::mail_sent);
  tx_ = Transaction();
  tx_.next_hop_open = true;
  tx_.env.sender = path_->address;
  tx_.env.client = xforward_;
  forward(line_, [this](const Reply& r) -> std::optional<Reply> {
    if (r.positive()) {
      enter_state(State::in_transaction);
    } else {
      enter_state(State::ready);
      tx_.next_hop_open = false;
    }
    return relayed(r);
  });
}

// proceed_rcpt - the recipient counts only once the next hop accepted it
void ServerSession::proceed_rcpt(const Command&) {
  ++tx_.rcpts_forwarded;
  forward(line_, [this, address = std::move(path_->address)](const Reply& r) mutable -> std::optional<Reply> {
    if (r.positive() && state_ == State::in_transaction) tx_.env.add_recipient(std::move(address));
    else --tx_.rcpts_forwarded;  // only accepted recipients count against the limit
    return relayed(r);
  });
}

void ServerSession::proceed_data(const Command&) {
  write_client("354 End data with <CR><LF>.<CR><LF>\r\n");
  enter_state(State::data);
  receive_message();
}

// proceed_rset - both sides forget the transaction. RSET always goes to
// the next hop, so that Postfix's RSET probe of a cached connection tests
// the whole path: a next hop that has gone ends the session with 421 (SPEC)
void ServerSession::proceed_rset(const Command&) {
  junk();
  resolve_pending();
  tx_.next_hop_open = false;
  forward("RSET", [](const Reply& r) -> std::optional<Reply> {
    if (!r.positive()) throw NextHopError("RSET refused: " + r.summary());
    return Reply::make(250, "2.0.0", "Ok");
  });
  tx_ = Transaction();
  xforward_.clear();
  if (state_ != State::greeted) enter_state(State::ready);
}

void ServerSession::proceed_noop(const Command&) {
  junk();
  reply(Reply::make(250, "2.0.0", "Ok"));
}

void ServerSession::proceed_vrfy(const Command&) {
  junk();
  reply(Reply::make(252, "2.0.0", "Cannot VRFY user, but will accept message and attempt delivery"));
}

// proceed_help - the verb table's own names
void ServerSession::proceed_help(const Command&) {
  junk();
  std::string names;
  for (const VerbRow& row : kVerbs) names += fmt::format(" {}", to_string(row.verb));
  reply(Reply::make(214, "2.0.0", "Commands:" + names));
}

void ServerSession::proceed_quit(const Command&) {
  resolve_pending();
  write_client("221 2.0.0 Bye\r\n");
  enter_state(State::quit);
}

}  // namespace spoolgate
