// server_session.cc - one SMTP session: the client on stdin/stdout, the next hop behind
#include "spoolgate/server_session.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <fmt/core.h>

#include "spoolgate/bounds.h"
#include "spoolgate/data_codec.h"
#include "spoolgate/fd.h"
#include "spoolgate/hook.h"
#include "spoolgate/log.h"
#include "spoolgate/message_spools.h"
#include "spoolgate/quarantine.h"
#include "spoolgate/spool.h"
#include "spoolgate/verdict.h"

namespace spoolgate {
namespace {

/// Thrown to end the session after a reply that closes it (421).
struct SessionEnd {
  int status;
};

// GuardedSink - a spool write error is latched, not thrown: the rest of the
// message must still be read up to "." before the 451 (Postfix's smtpd:
// "keep reading until the remote stops sending, then complain")
class GuardedSink : public LineSink {
 public:
  explicit GuardedSink(LineSink& inner) : inner_(inner) {}
  void text(std::string_view piece) override {
    if (!off_) guard([&] { inner_.text(piece); });
  }
  void end_of_line() override {
    if (!off_) guard([&] { inner_.end_of_line(); });
  }
  void crlf_lines(std::string_view lines) override {
    if (!off_) guard([&] { inner_.crlf_lines(lines); });
  }
  void turn_off() { off_ = true; }
  const std::string& error() const { return error_; }

 private:
  template <typename F>
  void guard(F f) {
    try {
      f();
    } catch (const std::system_error& e) {
      error_ = e.what();
      off_ = true;
    } catch (const std::bad_alloc&) {
      error_ = "out of memory";
      off_ = true;
    }
  }
  LineSink& inner_;
  bool off_ = false;
  std::string error_;
};

}  // namespace

// The verb table (OpenSMTPD's layout): one row per command.
struct ServerSession::VerbRow {
  Verb verb;
  void (ServerSession::*handler)(const Command&, bool);
};

ServerSession::ServerSession(const Options& opts, int in_fd, int out_fd)
    : opts_(opts), client_(in_fd, out_fd, opts.timeout, Peer::client), next_hop_(opts) {
  // replies leave in one write per pipelined group; no need to wait for ACKs
  int one = 1;
  ::setsockopt(out_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

// write_client - every octet the client gets goes through here
void ServerSession::write_client(const std::string& rendered) {
  if (log::verbose()) {
    std::string_view s = rendered;
    while (!s.empty()) {
      std::size_t nl = s.find("\r\n");
      log::debug("client > {}", log::printable(s.substr(0, nl)));
      s = nl == std::string_view::npos ? std::string_view() : s.substr(nl + 2);
    }
  }
  client_.write(rendered);
}

// reply - in order: behind any reply still owed by the next hop
void ServerSession::reply(const Reply& r) {
  if (pending_.empty()) write_client(r.render());
  else pending_.push_back(Pending{r.render(), {}});
}

// error - a reply of our own to a bad command; too many end the session
void ServerSession::error(int code, std::string_view enhanced, std::string_view text) {
  reply(Reply::make(code, enhanced, text));
  ++errors_;
}

// junk - NOOP, VRFY, HELP, RSET: harmless, but not without end
void ServerSession::junk() {
  if (++junk_ > kMaxJunkCommands) ++errors_;
}

// forward - queue a command for the next hop; its reply is read later,
// together with the replies to the rest of the client's pipelined group
void ServerSession::forward(std::string_view line, std::function<std::optional<Reply>(const Reply&)> on_reply) {
  next_hop_.send(line);
  pending_.push_back(Pending{{}, std::move(on_reply)});
  ++awaiting_;
  if (!next_hop_.features().pipelining || awaiting_ >= kMaxPipelinedCommands) resolve_pending();
}

// resolve_pending - read the next hop's replies, write ours, in order
void ServerSession::resolve_pending() {
  while (!pending_.empty()) {
    Pending p = std::move(pending_.front());
    pending_.pop_front();
    if (!p.on_reply) {
      write_client(p.rendered);
      continue;
    }
    --awaiting_;
    Reply r = next_hop_.read_reply();
    last_next_hop_io_ = Deadline::Clock::now();
    if (r.code == 421) next_hop_closing_ = true;
    if (std::optional<Reply> ours = p.on_reply(r)) write_client(ours->render());
    if (next_hop_closing_) {
      pending_.clear();
      awaiting_ = 0;
      throw SessionEnd{75};
    }
  }
}

// relayed - a next hop reply for the client; a class it must not send here
// means the next hop is broken
Reply ServerSession::relayed(const Reply& r) {
  if (r.klass() != 2 && r.klass() != 4 && r.klass() != 5)
    throw NextHopError(fmt::format("unexpected reply: {}", r.summary()));
  return r;
}

// size_limit - the smaller non-zero of --max-size and the next hop's SIZE
std::uint64_t ServerSession::size_limit() const {
  std::uint64_t a = opts_.max_size, b = next_hop_.features().size ? next_hop_.features().size_limit : 0;
  if (a == 0) return b;
  if (b == 0) return a;
  return std::min(a, b);
}

// run - the one place where a session ends, whatever ends it
int ServerSession::run() {
  const std::string& host = opts_.hostname;
  try {
    try {
      next_hop_.open();
    } catch (const std::exception& e) {
      log::warn("next hop {}:{} unavailable: {}", opts_.next_hop_host, opts_.next_hop_port, e.what());
      write_client(fmt::format("421 4.3.0 {} next hop unavailable\r\n", host));
      client_.flush();
      return 75;
    }
    log::debug("next hop {} ready", next_hop_.relay());
    write_client(fmt::format("220 {} ESMTP spoolgate\r\n", host));
    serve();
    return 0;
  } catch (const SessionEnd& end) {
    // the reply that ends the session (421) is already queued
    try {
      client_.flush();
    } catch (const IoError&) {
    }
    if (!next_hop_closing_) next_hop_.quit();
    return end.status;
  } catch (const IoError& e) {
    if (e.peer == Peer::client && e.kind == IoError::Kind::eof) {
      // End of input: answer what is owed, if the client still listens.
      try {
        if (!tx_.env.recipients.empty() || tx_.mail != Transaction::Mail::none)
          log::info("{}: lost connection with client in a transaction", tx_.env.log_queue_id());
        resolve_pending();
        client_.flush();
      } catch (...) {
      }
      next_hop_.quit();
      return 0;
    }
    log::warn("{}", e.what());
    std::string text = e.peer == Peer::client ? fmt::format("421 4.4.2 {} Error: timeout exceeded\r\n", host)
                       : e.kind == IoError::Kind::timeout
                           ? fmt::format("421 4.4.2 {} Error: timeout talking to the next hop\r\n", host)
                           : fmt::format("421 4.4.2 {} Error: next hop connection lost\r\n", host);
    if (e.peer == Peer::next_hop || e.kind == IoError::Kind::timeout) {
      try {
        write_client(text);
        client_.flush();
      } catch (const IoError&) {
      }
    }
    if (e.peer == Peer::client) next_hop_.quit();
    return 75;
  } catch (const NextHopError& e) {
    log::warn("next hop {}: {}", next_hop_.relay(), e.what());
    try {
      write_client(fmt::format("421 4.3.0 {} Error: next hop protocol error\r\n", host));
      client_.flush();
    } catch (const IoError&) {
    }
    return 75;
  } catch (const Terminated& t) {
    log::warn("terminated by signal {}", t.signal);
    try {
      client_.set_timeout(std::chrono::milliseconds(1000));
      write_client(fmt::format("421 4.3.2 {} Service shutting down\r\n", host));
      client_.flush();
    } catch (...) {
    }
    return 75;
  } catch (const std::exception& e) {
    log::warn("internal error: {}", e.what());
    try {
      write_client(fmt::format("421 4.3.0 {} Error: internal error\r\n", host));
      client_.flush();
    } catch (...) {
    }
    return 75;
  }
}

// serve - read and dispatch commands until QUIT (or an exception)
void ServerSession::serve() {
  while (!quit_) {
    if (!client_.has_line(kMaxCommandLine)) resolve_pending();  // replies before we wait
    SmtpStream::Line line = client_.read_line(kMaxCommandLine);
    if (line.too_long) {
      log::debug("client < (line over {} octets)", kMaxCommandLine);
      error(500, "5.5.2", "Error: line too long");
    } else {
      std::string text(line.text);  // the view dies at the next read
      if (log::verbose()) log::debug("client < {}", log::printable(text));
      dispatch(text, line.crlf);
    }
    if (errors_ >= kMaxErrors) {
      resolve_pending();
      log::info("too many errors from client; disconnecting");
      write_client(fmt::format("421 4.7.0 {} Error: too many errors\r\n", opts_.hostname));
      throw SessionEnd{0};
    }
  }
  resolve_pending();
  client_.close_output();  // the client has its 221: let it go now
  next_hop_.quit();
}

// dispatch - the verb table
void ServerSession::dispatch(std::string_view line, bool crlf) {
  static const VerbRow kTable[] = {
      {Verb::ehlo, &ServerSession::ehlo},         {Verb::helo, &ServerSession::helo},
      {Verb::mail, &ServerSession::mail},         {Verb::rcpt, &ServerSession::rcpt},
      {Verb::data, &ServerSession::data},         {Verb::rset, &ServerSession::rset},
      {Verb::noop, &ServerSession::noop},         {Verb::quit, &ServerSession::quit},
      {Verb::vrfy, &ServerSession::vrfy},         {Verb::help, &ServerSession::help},
      {Verb::xforward, &ServerSession::xforward},
  };
  Command c = parse_command(line);
  line_ = line;  // MAIL and RCPT go to the next hop exactly as the client sent them
  for (const VerbRow& row : kTable) {
    if (row.verb == c.verb) {
      (this->*row.handler)(c, crlf);
      return;
    }
  }
  error(502, "5.5.2", "Error: command not recognized");
}

// reset_transaction - forget the envelope and the XFORWARD attributes
void ServerSession::reset_transaction() {
  tx_ = Transaction();
  xforward_.clear();
}

// abort_next_hop_transaction - RSET, so that the next hop drops MAIL and
// RCPT; its reply is read with the next group's, not waited for now
void ServerSession::abort_next_hop_transaction() {
  if (!tx_.next_hop_open) return;
  tx_.next_hop_open = false;
  forward("RSET", [](const Reply& r) -> std::optional<Reply> {
    if (!r.positive()) throw NextHopError("RSET refused: " + r.summary());
    return std::nullopt;
  });
}

void ServerSession::ehlo(const Command& c, bool) {
  if (c.args.empty()) return error(501, "5.5.4", "Syntax: EHLO hostname");
  resolve_pending();
  abort_next_hop_transaction();
  reset_transaction();
  greeted_ = true;
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
  if (pending_.empty()) write_client(out);
  else pending_.push_back(Pending{out, {}});
}

void ServerSession::helo(const Command& c, bool) {
  if (c.args.empty()) return error(501, "5.5.4", "Syntax: HELO hostname");
  resolve_pending();
  abort_next_hop_transaction();
  reset_transaction();
  greeted_ = true;
  Reply r;
  r.code = 250;
  r.lines = {opts_.hostname};
  if (pending_.empty()) write_client(fmt::format("250 {}\r\n", opts_.hostname));
  else pending_.push_back(Pending{fmt::format("250 {}\r\n", opts_.hostname), {}});
}

// xforward - taken for the hook and the log, forwarded as far as announced
void ServerSession::xforward(const Command& c, bool) {
  if (tx_.mail != Transaction::Mail::none) return error(503, "5.5.1", "Error: MAIL transaction in progress");
  if (!forwardable()) return;
  std::string problem;
  auto attrs = parse_xforward(c.args, &problem);
  if (!attrs) return error(501, "5.5.4", problem);
  xforward_.apply(*attrs);
  std::string line = forward_line(*attrs, next_hop_.features().xforward);
  if (line.empty()) return reply(Reply::make(250, "2.0.0", "Ok"));
  forward(line, [](const Reply& r) -> std::optional<Reply> {
    if (!r.positive()) log::warn("next hop refused XFORWARD: {}", r.summary());
    return Reply::make(250, "2.0.0", "Ok");
  });
}

// forwardable - a line that goes to the next hop as it is: no control
// character in it, so that no next hop can read a bare CR as a line end
// (one command would become two)
bool ServerSession::forwardable() {
  for (char ch : line_) {
    unsigned char u = static_cast<unsigned char>(ch);
    if ((u < 32 && ch != '\t') || u == 127) {
      error(501, "5.5.2", "Syntax error: control character in command");
      return false;
    }
  }
  return true;
}

// mail - checked here, then the next hop decides
void ServerSession::mail(const Command& c, bool) {
  if (tx_.mail == Transaction::Mail::pending) resolve_pending();  // was the last MAIL taken?
  if (!greeted_) return error(503, "5.5.1", "Error: send HELO/EHLO first");
  if (tx_.mail == Transaction::Mail::accepted) return error(503, "5.5.1", "Error: nested MAIL command");
  if (!forwardable()) return;
  auto path = parse_path_args(c.args, "FROM:");
  if (!path) {
    if (!starts_with_keyword(c.args, "FROM:")) return error(501, "5.5.4", "Syntax: MAIL FROM:<address>");
    return error(501, "5.1.7", "Bad sender address syntax");
  }
  std::optional<std::int64_t> size = size_param(path->params);
  if (size && *size < 0) return error(501, "5.5.4", "Bad message size syntax");
  std::uint64_t limit = size_limit();
  if (size && limit && static_cast<std::uint64_t>(*size) > limit)
    return error(552, "5.3.4", "Message size exceeds fixed limit");
  tx_.mail = Transaction::Mail::pending;
  tx_.next_hop_open = true;
  tx_.env = Envelope();
  tx_.env.sender = path->address;
  tx_.env.client = xforward_;
  forward(line_, [this](const Reply& r) -> std::optional<Reply> {
    if (r.positive()) {
      tx_.mail = Transaction::Mail::accepted;
    } else {
      tx_.mail = Transaction::Mail::none;
      tx_.next_hop_open = false;
    }
    return relayed(r);
  });
}

// rcpt - the recipient counts only once the next hop accepted it
void ServerSession::rcpt(const Command& c, bool) {
  if (tx_.mail == Transaction::Mail::none) return error(503, "5.5.1", "Error: need MAIL command");
  if (!forwardable()) return;
  auto path = parse_path_args(c.args, "TO:");
  if (!path) {
    if (!starts_with_keyword(c.args, "TO:")) return error(501, "5.5.4", "Syntax: RCPT TO:<address>");
    return error(501, "5.1.3", "Bad recipient address syntax");
  }
  if (path->address.empty()) return error(501, "5.1.3", "Bad recipient address syntax");
  if (tx_.rcpts_forwarded >= kMaxRecipients || tx_.env.recipient_bytes + path->address.size() > kMaxRecipientBytes)
    return reply(Reply::make(452, "4.5.3", "Error: too many recipients"));
  ++tx_.rcpts_forwarded;
  forward(line_, [this, address = std::move(path->address)](const Reply& r) mutable -> std::optional<Reply> {
    if (r.positive() && tx_.mail == Transaction::Mail::accepted) tx_.env.add_recipient(std::move(address));
    else --tx_.rcpts_forwarded;  // only accepted recipients count against the limit
    return relayed(r);
  });
}

void ServerSession::data(const Command& c, bool crlf) {
  if (!c.args.empty()) return error(501, "5.5.4", "Syntax: DATA");
  resolve_pending();
  if (tx_.mail != Transaction::Mail::accepted) return error(503, "5.5.1", "Error: need MAIL command");
  if (tx_.env.recipients.empty()) return error(554, "5.5.1", "Error: no valid recipients");
  write_client("354 End data with <CR><LF>.<CR><LF>\r\n");
  receive_message(crlf);
}

// rset - both sides forget the transaction
void ServerSession::rset(const Command& c, bool) {
  if (!c.args.empty()) return error(501, "5.5.4", "Syntax: RSET");
  junk();
  resolve_pending();
  if (tx_.next_hop_open) {
    tx_.next_hop_open = false;
    forward("RSET", [](const Reply& r) -> std::optional<Reply> {
      if (!r.positive()) throw NextHopError("RSET refused: " + r.summary());
      return Reply::make(250, "2.0.0", "Ok");
    });
  } else {
    reply(Reply::make(250, "2.0.0", "Ok"));
  }
  reset_transaction();
}

void ServerSession::noop(const Command&, bool) {
  junk();
  reply(Reply::make(250, "2.0.0", "Ok"));
}

void ServerSession::vrfy(const Command& c, bool) {
  if (c.args.empty()) return error(501, "5.5.4", "Syntax: VRFY address");
  junk();
  reply(Reply::make(252, "2.0.0", "Cannot VRFY user, but will accept message and attempt delivery"));
}

void ServerSession::help(const Command&, bool) {
  junk();
  reply(Reply::make(214, "2.0.0", "Commands: EHLO HELO MAIL RCPT DATA RSET NOOP QUIT VRFY HELP XFORWARD"));
}

void ServerSession::quit(const Command&, bool) {
  resolve_pending();
  write_client("221 2.0.0 Bye\r\n");
  quit_ = true;
}

// keep_next_hop_alive - a NOOP when the next hop has been idle a while, so
// that it keeps the transaction while the client sends or the hook runs
bool ServerSession::keep_next_hop_alive() {
  if (Deadline::Clock::now() - last_next_hop_io_ < kKeepAliveInterval) return true;
  try {
    Reply r = next_hop_.command("NOOP");
    last_next_hop_io_ = Deadline::Clock::now();
    return r.positive();
  } catch (const IoError& e) {
    log::warn("{}", e.what());
  } catch (const NextHopError& e) {
    log::warn("next hop {}: {}", next_hop_.relay(), e.what());
  }
  return false;
}

// receive_message - DATA to ".", spool, hook, verdict
void ServerSession::receive_message(bool data_crlf) {
  Envelope& env = tx_.env;
  const bool has_hook = !opts_.hook_words.empty();
  MessageSpools spools(opts_.spool_dir, opts_.spool_memory, has_hook);
  GuardedSink guarded(spools);
  DataDecoder decoder(DataDecoder::Mode::smtp_data, data_crlf);
  const std::uint64_t limit = size_limit();
  bool too_big = false;
  auto client_deadline = Deadline::after(opts_.timeout);

  // 1. Read to the end of data, whatever happens to the spool.
  for (;;) {
    std::size_t used = decoder.feed(client_.buffered(), client_.at_eof(), guarded);
    client_.consume(used);
    if (!too_big && limit && decoder.size() > limit) {
      too_big = true;
      guarded.turn_off();
    }
    if (decoder.done()) break;
    if (client_.at_eof()) throw IoError(IoError::Kind::eof, Peer::client, 0, "lost connection with client in DATA");
    for (;;) {
      SmtpStream::Fill f = client_.fill_for(kKeepAliveInterval);
      if (f == SmtpStream::Fill::data || f == SmtpStream::Fill::eof) {
        client_deadline = Deadline::after(opts_.timeout);
        break;
      }
      if (client_deadline.expired())
        throw IoError(IoError::Kind::timeout, Peer::client, 0, "timeout talking to client in DATA");
      if (!keep_next_hop_alive()) throw IoError(IoError::Kind::eof, Peer::next_hop, 0, "next hop lost during DATA");
    }
  }
  env.size = decoder.size();
  std::string spool_error = guarded.error();
  if (!too_big && spool_error.empty()) {
    try {
      spools.finish();
    } catch (const std::system_error& e) {
      spool_error = e.what();
    }
  }

  // 2. The verdict.
  Outcome outcome;
  outcome.hook = has_hook ? "skipped" : "none";
  Decision decision;
  HookResult hook;
  bool hook_ran = false;
  if (too_big) {
    decision = {Verdict::reject, Reply::make(552, "5.3.4", "Error: message file too big")};
  } else if (!spool_error.empty()) {
    log::warn("{}: cannot spool message: {}", env.log_queue_id(), spool_error);
    decision = {Verdict::defer, Reply::make(451, "4.3.0", "Error: internal error, cannot spool message")};
  } else if (has_hook) {
    hook = run_hook(opts_, env, spools.for_hook(), [this] { return keep_next_hop_alive(); });
    hook_ran = true;
    outcome.hook = hook.status_text();
    if (!hook.problem.empty()) log::warn("{}: {}", env.log_queue_id(), hook.problem);
    decision = decide(hook);
    if (hook.end == HookResult::End::aborted) {
      decision.reply = Reply::make(421, "4.4.2", fmt::format("{} Error: next hop connection lost", opts_.hostname));
    }
  }
  outcome.verdict = to_string(decision.verdict);

  // 3. A client that has gone gets nothing done for it: after the queue,
  // Postfix will send the message again, and it must not arrive twice.
  // (has_line() first saves a read when a command follows already; but a
  // last line without its LF only counts once EOF is known: ask again)
  if (!client_.has_line(kMaxCommandLine) && client_.peer_closed_now() && !client_.has_line(kMaxCommandLine)) {
    outcome.reply = "client disconnected before the verdict";
    log_message(env, outcome);
    abort_next_hop_transaction();
    reset_transaction();
    return;
  }
  if (hook.end == HookResult::End::aborted) {
    outcome.reply = decision.reply.summary();
    log_message(env, outcome);
    write_client(decision.reply.render());
    throw SessionEnd{75};
  }

  // 4. Keep a copy of what is not delivered, if asked; no copy, no verdict.
  if ((decision.verdict == Verdict::reject || decision.verdict == Verdict::discard) && !opts_.quarantine_dir.empty() &&
      hook_ran) {
    std::string where;
    if (quarantine_keep(opts_.quarantine_dir, env, outcome.verdict.c_str(), spools.for_hook(), &where)) {
      log::info("{}: quarantined as {}", env.log_queue_id(), where);
    } else {
      log::warn("{}: cannot quarantine: {}", env.log_queue_id(), where);
      decision = {Verdict::defer, Reply::make(451, "4.3.0", "Error: cannot keep a quarantine copy")};
      outcome.verdict = to_string(decision.verdict);
    }
  }

  // 5. Act.
  if (decision.verdict == Verdict::accept) {
    std::string prefix = opts_.add_header_wire + hook.headers_wire;
    try {
      deliver(prefix, hook.rewritten ? *hook.rewritten : spools.wire(), outcome);
    } catch (const IoError& e) {
      // the session ends with a 421 (run()); the message still gets its line
      if (e.peer != Peer::next_hop) throw;
      outcome.reply = e.kind == IoError::Kind::timeout
                          ? fmt::format("421 4.4.2 {} Error: timeout talking to the next hop", opts_.hostname)
                          : fmt::format("421 4.4.2 {} Error: next hop connection lost", opts_.hostname);
      log_message(env, outcome);
      throw;
    } catch (const NextHopError& e) {
      outcome.reply = fmt::format("421 4.3.0 {} Error: next hop protocol error", opts_.hostname);
      log_message(env, outcome);
      throw;
    }
  } else {
    outcome.reply = decision.reply.summary();
    write_client(decision.reply.render());
    abort_next_hop_transaction();
  }
  log_message(env, outcome);
  reset_transaction();
  if (next_hop_closing_) throw SessionEnd{75};
}

// deliver - DATA, the message, ".", and the next hop's reply relayed
void ServerSession::deliver(const std::string& prefix, const Spool& body, Outcome& outcome) {
  Reply r = next_hop_.command("DATA");
  last_next_hop_io_ = Deadline::Clock::now();
  if (r.code == 421) next_hop_closing_ = true;
  if (r.code != 354) {
    // a refusal is the answer to the message; anything else means a broken next hop
    if (r.klass() != 4 && r.klass() != 5) throw NextHopError("unexpected reply to DATA: " + r.summary());
    Reply ours = r;
    outcome.reply = ours.summary();
    write_client(ours.render());
    if (!next_hop_closing_) abort_next_hop_transaction();
    return;
  }
  outcome.relay = next_hop_.relay();
  next_hop_.send_message(prefix, body);
  Reply final_reply = next_hop_.read_reply();
  last_next_hop_io_ = Deadline::Clock::now();
  tx_.next_hop_open = false;
  if (final_reply.code == 421) next_hop_closing_ = true;
  Reply ours = relayed(final_reply);
  outcome.reply = ours.summary();
  write_client(ours.render());
  // Answer now, before logging and cleaning up: the shorter the time
  // between the next hop's 250 and ours, the smaller the window in which a
  // crash of ours makes Postfix send the message again (RFC 1047).
  client_.flush();
  if (ours.code == 250) {
    errors_ = 0;
    junk_ = 0;
  }
}

}  // namespace spoolgate
