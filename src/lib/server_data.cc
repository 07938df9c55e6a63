// server_data.cc - a session's DATA: the message received, filtered, and acted on
//
// 354, the message to "." into the spools (DataGuard latches spool errors
// and the size limit), filter_message() (hook, verdict, quarantine), then
// the verdict carried out: an accept is forwarded with NextHop::data() and
// the next hop's reply relayed; anything else is answered here and the next
// hop's transaction aborted, so that it never sees a final ".".
//
// A large message may be cut through (cut_through.h): streamed to the next
// hop while it arrives, the "." held until the verdict. Then anything but
// an accept closes the next-hop connection inside DATA, and the next
// command for the next hop opens a new one. Part of ServerSession
// (server_session.h).
#include <fmt/core.h>

#include "spoolgate/bounds.h"
#include "spoolgate/cut_through.h"
#include "spoolgate/data_guard.h"
#include "spoolgate/log.h"
#include "spoolgate/sysexits.h"
#include "spoolgate/message_spools.h"
#include "spoolgate/server_session.h"

namespace spoolgate {

// client_gone - a client that has gone gets nothing done for it: after
// the queue, Postfix will send the message again, and it must not arrive
// twice (SPEC). On a socket (spawn(8), inetd, systemd) end of input before
// the verdict means the client has gone, even after a pipelined QUIT. A
// manual run (a pipe or a file) delivers a transcript that ends with QUIT:
// there has_line() first saves a read when a command follows already; a
// last line without its LF only counts once EOF is known, so ask again.
bool ServerSession::client_gone() {
  if (client_.input_is_socket()) return client_.peer_closed_now();
  return !client_.has_line(kMaxCommandLine) && client_.peer_closed_now() && !client_.has_line(kMaxCommandLine);
}

// receive_message - the message to ".", into the spools; then its verdict
void ServerSession::receive_message() {
  Envelope& env = tx_.env;
  MessageSpools spools(opts_.filter.limits.spool, !opts_.filter.hooks.empty());
  DataDecoder decoder(DataDecoder::Mode::smtp_data, line_crlf_);
  DataGuard sink(spools, decoder, size_limit());
  CutThrough cut(next_hop_, sink, spools, opts_.filter.add_header_wire, cut_through_allowed());
  client_.read_data(
      decoder, sink, kKeepAliveInterval, [this] { keep_next_hop_alive_or_throw(); }, [&cut] { cut.advance(); });
  env.size = decoder.size();
  sink.finish();

  FilterResult f;
  if (sink.too_big()) {
    f = not_filtered(opts_.filter, {Verdict::reject, Reply::make(552, "5.3.4", "Error: message file too big"),
                                    "message file too big"});
    f.abandoned = client_gone();
  } else if (!sink.error().empty()) {
    log::warn("{}: cannot spool message: {}", env.log_queue_id(), sink.error());
    f = not_filtered(opts_.filter, {Verdict::defer, Reply::make(451, "4.3.0", "Error: internal error, cannot spool message"),
                                    "cannot spool message: " + sink.error()});
    f.abandoned = client_gone();
  } else {
    FilterCallbacks callbacks{[this] { return keep_next_hop_alive(); }, [this] { return !client_gone(); }};
    f = filter_message(opts_.filter, env, spools, callbacks);
  }
  act(env, spools, f, cut);
}

// cut_through_allowed - whether this message may be streamed before its
// verdict: the hooks only judge (no field added, nothing rewritten: what
// was streamed is what is forwarded) and cannot run past
// kCutThroughMaxHookTime, since inside DATA no NOOP keeps the next hop
// waiting
bool ServerSession::cut_through_allowed() const {
  if (!tx_.next_hop_open) return false;
  const FilterConfig& filter = opts_.filter;
  for (const HookSpec& hook : filter.hooks)
    if (hook.output != HookOutput::check) return false;
  return filter.hooks.empty() || filter.limits.timeout <= kCutThroughMaxHookTime;
}

// act - the verdict carried out: forwarded, or answered and the next hop's
// transaction aborted; one log line either way
void ServerSession::act(const Envelope& env, const MessageSpools& received, FilterResult& f, CutThrough& cut) {
  Outcome outcome{f.decision.verdict, f.hook_field(), {}, {}, f.decision.reason};
  if (f.abandoned) {  // and nothing it sent after the message is answered either
    if (cut.started()) next_hop_.abort();
    outcome.reply = "client disconnected before the verdict";
    log_message(env, outcome);
    throw End{kExOk};
  }
  if (f.next_hop_lost) {
    Reply lost = Reply::make(421, "4.4.2", fmt::format("{} Error: next hop connection lost", opts_.hostname));
    outcome.reply = lost.summary();
    log_message(env, outcome);
    write_client(lost.render());
    throw End{kExTempFail};
  }
  if (f.decision.verdict == Verdict::accept) {
    OutgoingMessage message = f.outgoing(received);
    if (cut.started())
      deliver([&] { return cut.complete(message); }, outcome);
    else if (cut.refused())
      deliver([&] { return *cut.refused(); }, outcome);
    else
      deliver([&] { return next_hop_.data(message); }, outcome);
  } else {
    outcome.reply = f.decision.reply.summary();
    write_client(f.decision.reply.render());
    if (cut.started()) {
      next_hop_.abort();  // no "." downstream; the next transaction reconnects
      tx_.next_hop_open = false;
    } else {
      abort_next_hop_transaction();
    }
  }
  log_message(env, outcome);
  new_session_state();
  if (state_ == State::closing) throw End{kExTempFail};
}

// deliver - `send` delivers (DATA, the message, "."; or the rest of a
// cut-through), and the next hop's reply is relayed. If the next hop fails
// on the way, the session ends (run()); the message still gets its log line
void ServerSession::deliver(const std::function<Delivery()>& send, Outcome& outcome) {
  Delivery d;
  try {
    d = send();
  } catch (const IoError& e) {
    if (e.peer != Peer::next_hop) throw;
    outcome.relay = next_hop_.relay();
    outcome.reply = e.kind == IoError::Kind::timeout
                        ? fmt::format("421 4.4.2 {} Error: timeout talking to the next hop", opts_.hostname)
                        : fmt::format("421 4.4.2 {} Error: next hop connection lost", opts_.hostname);
    log_message(tx_.env, outcome);
    throw;
  } catch (const NextHopError&) {
    outcome.reply = fmt::format("421 4.3.0 {} Error: next hop protocol error", opts_.hostname);
    log_message(tx_.env, outcome);
    throw;
  }
  last_next_hop_io_ = Deadline::Clock::now();
  if (d.reply.code == 421) enter_state(State::closing);
  std::string rendered = d.reply.render();
  outcome.reply = Reply::summary_of(rendered);
  write_client(rendered);
  if (d.stage == Delivery::Stage::data) {  // DATA refused: the answer to the message
    if (state_ != State::closing) abort_next_hop_transaction();
    return;
  }
  outcome.relay = next_hop_.relay();
  tx_.next_hop_open = false;
  // Answer now, before logging and cleaning up: the shorter the time
  // between the next hop's 250 and ours, the smaller the window in which a
  // crash of ours makes Postfix send the message again (RFC 1047).
  client_.flush();
  if (d.reply.code == 250) {
    errors_ = 0;
    junk_ = 0;
  }
}

}  // namespace spoolgate
