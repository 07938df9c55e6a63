// pipe_mode.cc - --pipe: the simple filter that pipe(8) runs once per message
#include "spoolgate/pipe_mode.h"

#include <unistd.h>

#include <csignal>
#include <cstring>

#include <fmt/core.h>

#include "spoolgate/data_codec.h"
#include "spoolgate/envelope.h"
#include "spoolgate/hook.h"
#include "spoolgate/log.h"
#include "spoolgate/message_spools.h"
#include "spoolgate/next_hop.h"
#include "spoolgate/quarantine.h"
#include "spoolgate/spool.h"
#include "spoolgate/verdict.h"

namespace spoolgate {
namespace {

constexpr int kExOk = 0;
constexpr int kExUnavailable = 69;
constexpr int kExTempFail = 75;

// on_alarm - the deadline passed: say so and go, before pipe(8) kills us
// and bounces. Nothing is left behind: spools have no name, and the hook
// dies with us (PR_SET_PDEATHSIG).
void on_alarm(int) {
  static const char msg[] = "4.4.7 spoolgate: --deadline exceeded, try again later\n";
  (void)!::write(1, msg, sizeof msg - 1);
  ::_exit(kExTempFail);
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

Result from_reply(const Reply& r, std::string_view what) {
  int status = r.klass() == 2 ? kExOk : r.klass() == 5 ? kExUnavailable : kExTempFail;
  Reply shown = r;
  if (r.klass() != 2 && r.klass() != 4 && r.klass() != 5) shown = Reply::make(451, "4.3.0", "unexpected reply");
  return Result{status, fmt::format("{} ({}{})", status_line(shown), what, r.klass() == 2 ? "" : " refused")};
}

// read_message - stdin to the spools, bounded by the deadline
bool read_message(LineSink& sink, DataDecoder& decoder, const Deadline& deadline, std::string* error) {
  std::string pending;
  char buf[65536];
  for (;;) {
    pollfd p{0, POLLIN, 0};
    if (wait_for(&p, 1, deadline) == 0) {
      *error = "timeout reading the message";
      return false;
    }
    ssize_t n = ::read(0, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      *error = std::string("read message: ") + std::strerror(errno);
      return false;
    }
    pending.append(buf, static_cast<std::size_t>(n));
    std::size_t used = decoder.feed(pending, n == 0, sink);
    pending.erase(0, used);
    if (n == 0) return true;
  }
}

bool is_8bit(const Spool& s) {
  if (std::optional<std::string_view> m = s.in_memory()) {
    for (char c : *m)
      if (static_cast<unsigned char>(c) >= 128) return true;
    return false;
  }
  char buf[65536];
  off_t off = 0;
  for (;;) {
    ssize_t n = ::pread(s.fd(), buf, sizeof buf, off);
    if (n <= 0) return false;
    for (ssize_t i = 0; i < n; ++i)
      if (static_cast<unsigned char>(buf[i]) >= 128) return true;
    off += n;
  }
}

bool is_clean_address(std::string_view s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) < 32 || c == 127) return false;
  return s.size() <= 2048;
}

bool is_ascii(std::string_view s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) >= 128) return false;
  return true;
}

// deliver - one SMTP transaction, all recipients or none
Result deliver(const Options& opts, const Envelope& env, const std::string& prefix, const Spool& body,
               std::uint64_t size, bool eightbit, Outcome& outcome) {
  NextHop hop(opts);
  try {
    hop.open();
  } catch (const std::exception& e) {
    return Result{kExTempFail, fmt::format("4.4.1 next hop {}:{} unavailable: {}", opts.next_hop_host,
                                           opts.next_hop_port, e.what())};
  }
  const NextHopFeatures& f = hop.features();
  std::string mail = fmt::format("MAIL FROM:<{}>", env.sender);
  if (f.size) mail += fmt::format(" SIZE={}", size + prefix.size());
  if (eightbit && f.eightbitmime) mail += " BODY=8BITMIME";
  bool utf8 = !is_ascii(env.sender);
  for (const std::string& r : env.recipients) utf8 = utf8 || !is_ascii(r);
  if (utf8 && f.smtputf8) mail += " SMTPUTF8";
  hop.send(mail);
  if (!f.pipelining) {
    Reply r = hop.read_reply();
    if (!r.positive()) return from_reply(r, "MAIL FROM");
  }
  for (const std::string& rcpt : env.recipients) hop.send(fmt::format("RCPT TO:<{}>", rcpt));
  std::vector<Reply> replies;
  if (f.pipelining) {
    Reply r = hop.read_reply();
    for (std::size_t i = 0; i < env.recipients.size(); ++i) replies.push_back(hop.read_reply());
    if (!r.positive()) return from_reply(r, "MAIL FROM");
  } else {
    for (std::size_t i = 0; i < env.recipients.size(); ++i) replies.push_back(hop.read_reply());
  }
  // all or nothing: one refusal and the message is not sent (SPEC "--pipe")
  std::optional<Result> refused;
  for (std::size_t i = 0; i < replies.size(); ++i) {
    if (replies[i].positive()) continue;
    Result r = from_reply(replies[i], "RCPT TO:<" + env.recipients[i] + ">");
    if (!refused || (r.status == kExTempFail && refused->status != kExTempFail)) refused = r;
  }
  if (refused) {
    hop.command("RSET");
    hop.quit();
    return *refused;
  }
  Reply data = hop.command("DATA");
  if (data.code != 354) {
    // a refusal is an answer; anything else is a broken next hop, and never "delivered"
    if (data.klass() != 4 && data.klass() != 5)
      return Result{kExTempFail, "4.3.0 next hop protocol error: unexpected reply to DATA: " + data.summary()};
    return from_reply(data, "DATA");
  }
  outcome.relay = hop.relay();
  hop.send_message(prefix, body);
  Reply final_reply = hop.read_reply();
  outcome.reply = final_reply.summary();
  hop.quit();
  if (final_reply.klass() != 2 && final_reply.klass() != 4 && final_reply.klass() != 5)
    return Result{kExTempFail, "4.3.0 next hop protocol error: unexpected reply to end of data"};
  Result r = from_reply(final_reply, "end of data");
  if (r.status == kExOk) r.line = status_line(final_reply);
  return r;
}

Result filter_and_deliver(const Options& opts, Outcome& outcome, Envelope& env) {
  Deadline deadline = Deadline::after(opts.deadline);
  const bool has_hook = !opts.hook_words.empty();
  MessageSpools spools(opts.spool_dir, opts.spool_memory, has_hook);
  DataDecoder decoder(DataDecoder::Mode::plain);
  std::string error;
  try {
    if (!read_message(spools, decoder, deadline, &error)) {
      outcome.verdict = "defer";
      return Result{kExTempFail, "4.4.7 " + error};
    }
    spools.finish();
  } catch (const std::system_error& e) {
    log::warn("cannot spool message: {}", e.what());
    outcome.verdict = "defer";
    return Result{kExTempFail, "4.3.0 cannot spool the message"};
  }
  env.size = decoder.size();
  if (opts.max_size && env.size > opts.max_size) {
    outcome.verdict = "reject";
    return Result{kExUnavailable, "5.3.4 message file too big"};
  }

  HookResult hook;
  Decision decision;
  if (has_hook) {
    Options limited = opts;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline.at() - Deadline::Clock::now());
    limited.hook_timeout = std::max(std::chrono::milliseconds(1), std::min(opts.hook_timeout, left));
    hook = run_hook(limited, env, spools.for_hook(), [] { return true; });
    outcome.hook = hook.status_text();
    if (!hook.problem.empty()) log::warn("{}: {}", env.log_queue_id(), hook.problem);
    decision = decide(hook);
  }
  outcome.verdict = to_string(decision.verdict);
  if ((decision.verdict == Verdict::reject || decision.verdict == Verdict::discard) && !opts.quarantine_dir.empty() &&
      has_hook) {
    std::string where;
    if (!quarantine_keep(opts.quarantine_dir, env, outcome.verdict.c_str(), spools.for_hook(), &where)) {
      log::warn("{}: cannot quarantine: {}", env.log_queue_id(), where);
      outcome.verdict = "defer";
      return Result{kExTempFail, "4.3.0 cannot keep a quarantine copy"};
    }
    log::info("{}: quarantined as {}", env.log_queue_id(), where);
  }
  switch (decision.verdict) {
    case Verdict::reject: return Result{kExUnavailable, status_line(decision.reply)};
    case Verdict::defer: return Result{kExTempFail, status_line(decision.reply)};
    case Verdict::discard: return Result{kExOk, "2.0.0 Ok: discarded"};
    case Verdict::accept: break;
  }
  Options limited = opts;
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline.at() - Deadline::Clock::now());
  limited.timeout = std::max(std::chrono::milliseconds(1), std::min(opts.timeout, left));
  bool eightbit = is_8bit(hook.rewritten ? *hook.rewritten : spools.wire());
  std::string prefix = opts.add_header_wire + hook.headers_wire;
  try {
    // SIZE= is the message as RFC 1870 counts it: CRLF line ends, no dot-stuffing
    return deliver(limited, env, prefix, hook.rewritten ? *hook.rewritten : spools.wire(),
                   hook.rewritten ? hook.rewritten_size : env.size, eightbit, outcome);
  } catch (const IoError& e) {
    return Result{kExTempFail, fmt::format("4.4.2 {}", e.what())};
  } catch (const NextHopError& e) {
    return Result{kExTempFail, fmt::format("4.4.0 next hop: {}", e.what())};
  }
}

}  // namespace

int run_pipe(const Options& opts) {
  struct sigaction sa {};
  sa.sa_handler = on_alarm;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGALRM, &sa, nullptr);
  ::alarm(static_cast<unsigned>((opts.deadline.count() + 999) / 1000));

  Envelope env;
  env.sender = *opts.sender;
  for (const std::string& r : opts.recipients) env.add_recipient(r);
  // Addresses go into MAIL FROM:<...> and RCPT TO:<...>: a control
  // character (CR, LF) would let one of them add commands of its own.
  for (std::size_t i = 0; i <= env.recipients.size(); ++i) {
    const std::string& a = i == 0 ? env.sender : env.recipients[i - 1];
    if (!is_clean_address(a) || (i > 0 && a.empty())) {
      std::string line = fmt::format("{} bad {} address syntax: {}", i == 0 ? "5.1.7" : "5.1.3",
                                     i == 0 ? "sender" : "recipient", log::printable(a, 200));
      log::warn("{}", line);
      line += "\n";
      (void)!::write(1, line.data(), line.size());
      return kExUnavailable;
    }
  }
  Outcome outcome;
  outcome.hook = opts.hook_words.empty() ? "none" : "skipped";
  outcome.verdict = "accept";
  Result r;
  try {
    r = filter_and_deliver(opts, outcome, env);
  } catch (const Terminated& t) {
    outcome.verdict = "defer";
    r = Result{kExTempFail, fmt::format("4.3.2 terminated by signal {}", t.signal)};
  } catch (const std::exception& e) {
    log::warn("internal error: {}", e.what());
    outcome.verdict = "defer";
    r = Result{kExTempFail, "4.3.0 internal error, try again later"};
  }
  // verdict= is the filter's verdict, as in the server modes; reply= says
  // what became of the message
  if (outcome.reply.empty()) outcome.reply = r.line;
  log_message(env, outcome);
  std::string line = r.line + "\n";
  (void)!::write(1, line.data(), line.size());
  return r.status;
}

}  // namespace spoolgate
