// server_chat.cc - a session's replies, and the next hop's side of its conversation
//
// The client's replies leave in order (ReplyQueue), in one write per
// pipelined group; MAIL, RCPT and XFORWARD are forwarded as they come and
// their replies read together; the next hop is kept alive with NOOP while
// the client sends or the hook runs. Part of ServerSession (server_session.h).
#include <fmt/core.h>

#include "spoolgate/bounds.h"
#include "spoolgate/log.h"
#include "spoolgate/sysexits.h"
#include "spoolgate/server_session.h"

namespace spoolgate {

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

// reply_rendered - in order: behind any reply still owed by the next hop
void ServerSession::reply_rendered(std::string rendered) {
  if (replies_.empty()) write_client(rendered);
  else replies_.push(std::move(rendered));
}

void ServerSession::reply(const Reply& r) { reply_rendered(r.render()); }

// refuse - a reply of our own to a bad command; too many end the session
bool ServerSession::refuse(int code, std::string_view enhanced, std::string_view text) {
  reply(Reply::make(code, enhanced, text));
  ++errors_;
  return false;
}

// junk - NOOP, VRFY, HELP, RSET: harmless, but not without end
void ServerSession::junk() {
  if (++junk_ > kMaxJunkCommands) ++errors_;
}

// ---- the next hop's side

// forward - queue a command for the next hop; its reply is read later,
// together with the replies to the rest of the client's pipelined group
void ServerSession::forward(std::string_view line, ReplyQueue::OnReply on_reply) {
  if (!next_hop_.is_open()) reopen_next_hop();
  next_hop_.send(line);
  replies_.expect(std::move(on_reply));
  if (!next_hop_.features().pipelining || replies_.awaiting() >= kMaxPipelinedCommands) resolve_pending();
}

// resolve_pending - read the next hop's replies, write ours, in order; a
// 421 from the next hop is relayed and ends the session
void ServerSession::resolve_pending() {
  auto read = [this] {
    Reply r = next_hop_.read_reply();
    last_next_hop_io_ = Deadline::Clock::now();
    if (r.code == 421) enter_state(State::closing);
    return r;
  };
  auto write = [this](const std::string& rendered) { write_client(rendered); };
  if (!replies_.resolve(read, write, [this] { return state_ == State::closing; })) throw End{kExTempFail};
}

// relayed - a next hop reply for the client, of a class it may send here
Reply ServerSession::relayed(const Reply& r) { return NextHop::checked(r, "a relayed command"); }

// size_limit - the smaller non-zero of --max-size and the next hop's SIZE
std::uint64_t ServerSession::size_limit() const {
  std::uint64_t a = opts_.max_size, b = next_hop_.features().size ? next_hop_.features().size_limit : 0;
  if (a == 0) return b;
  if (b == 0) return a;
  return std::min(a, b);
}

// new_session_state - forget the transaction and the XFORWARD attributes
void ServerSession::new_session_state() {
  tx_ = Transaction();
  xforward_.clear();
  enter_state(State::ready);
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

// reopen_next_hop - a new connection after a cut-through was dropped
// inside DATA (server_data.cc); failing, the session ends as when the next
// hop is lost
void ServerSession::reopen_next_hop() {
  log::debug("next hop: reconnecting after an aborted cut-through");
  try {
    next_hop_.open();
  } catch (const IoError&) {
    throw;
  } catch (const std::exception& e) {
    throw IoError(IoError::Kind::eof, Peer::next_hop, 0, fmt::format("reconnecting to the next hop: {}", e.what()));
  }
  last_next_hop_io_ = Deadline::Clock::now();
}

// keep_next_hop_alive - a NOOP when the next hop has been idle a while, so
// that it keeps the transaction while the client sends or the hook runs
bool ServerSession::keep_next_hop_alive() {
  // closed after a cut-through: nothing to keep; inside a cut-through's
  // DATA no NOOP can be sent, and the stream itself keeps it busy
  if (!next_hop_.is_open() || next_hop_.in_data()) return true;
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

void ServerSession::keep_next_hop_alive_or_throw() {
  if (!keep_next_hop_alive()) throw IoError(IoError::Kind::eof, Peer::next_hop, 0, "next hop lost during DATA");
}

}  // namespace spoolgate
