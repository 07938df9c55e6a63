// pipe_mode.cc - --pipe: the simple filter that pipe(8) runs once per message
#include "spoolgate/pipe_mode.h"

#include <unistd.h>

#include <csignal>
#include <cstring>

#include <fmt/core.h>

#include "spoolgate/bounds.h"
#include "spoolgate/data_codec.h"
#include "spoolgate/envelope.h"
#include "spoolgate/log.h"
#include "spoolgate/message_filter.h"
#include "spoolgate/message_log.h"
#include "spoolgate/message_spools.h"
#include "spoolgate/next_hop.h"
#include "spoolgate/sysexits.h"
#include "spoolgate/text.h"

namespace spoolgate {
namespace {

// on_alarm - the deadline passed: say so and go, before pipe(8) kills us
// and bounces. Nothing is left behind: spools have no name, and the hook
// dies with us (PR_SET_PDEATHSIG).
void on_alarm(int) {
  static const char msg[] = "4.4.7 spoolgate: --deadline exceeded, try again later\n";
  (void)!::write(1, msg, sizeof msg - 1);
  ::_exit(kExTempFail);
}

// arm_deadline - SIGALRM as the last resort past --deadline
void arm_deadline(std::chrono::milliseconds deadline) {
  struct sigaction sa {};
  sa.sa_handler = on_alarm;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGALRM, &sa, nullptr);
  ::alarm(static_cast<unsigned>((deadline.count() + 999) / 1000));
}

/// The result of one run: exit status and the line that says why.
struct Result {
  int status;
  std::string line;
};

// status_line - "X.Y.Z text" from a reply, the enhanced code of its class
std::string status_line(const Reply& r) {
  std::string s = r.summary();  // "NNN X.Y.Z text ..."
  if (s.size() > 4) s.erase(0, 4);
  return s;
}

// from_delivery - the next hop's word as an exit status (its class: 2, 4 or 5)
Result from_delivery(const Delivery& d) {
  const Reply& r = d.reply;
  if (r.positive()) return Result{kExOk, status_line(r)};
  return Result{r.klass() == 5 ? kExUnavailable : kExTempFail, fmt::format("{} ({} refused)", status_line(r), d.what())};
}

// within - a time limit cut to what is left before the deadline
std::chrono::milliseconds within(const Deadline& deadline, std::chrono::milliseconds limit) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline.at() - Deadline::Clock::now());
  return std::max(std::chrono::milliseconds(1), std::min(limit, left));
}

// receive - the message into the spools; a Result only when that failed
std::optional<Result> receive(MessageSpools& spools, const Deadline& deadline, Envelope& env) {
  try {
    env.size = receive_plain(0, {}, spools, deadline);
  } catch (const ReadError& e) {
    return Result{kExTempFail, std::string("4.4.7 ") + e.what()};
  } catch (const std::system_error& e) {
    log::warn("cannot spool message: {}", e.what());
    return Result{kExTempFail, "4.3.0 cannot spool the message"};
  }
  return std::nullopt;
}

// deliver - one SMTP transaction, all recipients or none
Result deliver(const NextHopConfig& config, const Envelope& env, const OutgoingMessage& message, Outcome& outcome) {
  NextHop hop(config);
  try {
    hop.open();
  } catch (const std::exception& e) {
    return Result{kExTempFail, fmt::format("4.4.1 next hop {} unavailable: {}", config.endpoint.to_string(), e.what())};
  }
  try {
    Delivery d = hop.deliver(env, message);
    if (d.stage == Delivery::Stage::end_of_data) {
      outcome.relay = hop.relay();
      outcome.reply = d.reply.summary();
    }
    hop.quit();
    return from_delivery(d);
  } catch (const IoError& e) {
    return Result{kExTempFail, fmt::format("4.4.2 {}", e.what())};
  } catch (const NextHopError& e) {
    return Result{kExTempFail, fmt::format("4.4.0 next hop: {}", e.what())};
  }
}

// filter_and_deliver - receive, filter (hook, verdict, quarantine), deliver
Result filter_and_deliver(const Options& opts, Envelope& env, Outcome& outcome) {
  const Deadline deadline = Deadline::after(opts.deadline);
  MessageSpools spools(opts.filter.limits.spool, !opts.filter.hooks.empty());
  if (std::optional<Result> failed = receive(spools, deadline, env)) {
    outcome.verdict = Verdict::defer;
    outcome.reason = failed->line;
    return *failed;
  }
  if (opts.max_size && env.size > opts.max_size) {
    outcome.verdict = Verdict::reject;
    outcome.reason = "message file too big";
    return Result{kExUnavailable, "5.3.4 message file too big"};
  }
  FilterResult f = filter_message(opts.filter, env, spools, FilterCallbacks{}, deadline);
  outcome.hook = f.hook_field();
  outcome.verdict = f.decision.verdict;
  outcome.reason = f.decision.reason;
  switch (f.decision.verdict) {
    case Verdict::reject: return Result{kExUnavailable, status_line(f.decision.reply)};
    case Verdict::defer: return Result{kExTempFail, status_line(f.decision.reply)};
    case Verdict::discard: return Result{kExOk, "2.0.0 Ok: discarded"};
    case Verdict::accept: break;
  }
  NextHopConfig hop = opts.next_hop;
  hop.timeout = within(deadline, opts.next_hop.timeout);
  return deliver(hop, env, f.outgoing(spools), outcome);
}

// bad_address - the line that refuses a sender or recipient. Addresses go
// into MAIL FROM:<...> and RCPT TO:<...>: a control character (CR, LF)
// would let one of them add commands of its own.
std::optional<std::string> bad_address(const Envelope& env) {
  for (std::size_t i = 0; i <= env.recipients.size(); ++i) {
    const std::string& a = i == 0 ? env.sender : env.recipients[i - 1];
    if (!has_control(a) && a.size() <= kMaxAddress && (i == 0 || !a.empty())) continue;
    return fmt::format("{} bad {} address syntax: {}", i == 0 ? "5.1.7" : "5.1.3", i == 0 ? "sender" : "recipient",
                       log::printable(a, 200));
  }
  return std::nullopt;
}

void say(const std::string& line) {
  std::string out = line + "\n";
  (void)!::write(1, out.data(), out.size());
}

}  // namespace

int run_pipe(const Options& opts) {
  arm_deadline(opts.deadline);
  Envelope env;
  env.sender = *opts.sender;
  for (const std::string& r : opts.recipients) env.add_recipient(r);
  env.client.ident = opts.queue_id;  // for the log line, the hook and the quarantine file's name
  if (std::optional<std::string> bad = bad_address(env)) {
    log::warn("{}", *bad);
    say(*bad);
    return kExUnavailable;
  }
  Outcome outcome;
  outcome.hook = opts.filter.hooks.empty() ? "none" : "skipped";
  Result r;
  try {
    r = filter_and_deliver(opts, env, outcome);
  } catch (const Terminated& t) {
    outcome.verdict = Verdict::defer;
    r = Result{kExTempFail, fmt::format("4.3.2 terminated by signal {}", t.signal)};
    outcome.reason = r.line;
  } catch (const std::exception& e) {
    log::warn("internal error: {}", e.what());
    outcome.verdict = Verdict::defer;
    r = Result{kExTempFail, "4.3.0 internal error, try again later"};
    outcome.reason = std::string("internal error: ") + e.what();
  }
  // verdict= is the filter's verdict, as in the server modes; reply= says
  // what became of the message
  if (outcome.reply.empty()) outcome.reply = r.line;
  log_message(env, outcome);
  say(r.line);
  return r.status;
}

}  // namespace spoolgate
