// try_mode.cc - --try: run the hooks on a message as in production, deliver nothing, say what would happen
#include "spoolgate/try_mode.h"

#include <unistd.h>

#include <fmt/core.h>

#include <cstring>
#include <string>
#include <string_view>

#include "spoolgate/bounds.h"
#include "spoolgate/log.h"
#include "spoolgate/message_filter.h"
#include "spoolgate/message_spools.h"
#include "spoolgate/quarantine.h"
#include "spoolgate/sysexits.h"

namespace spoolgate {
namespace {

void out(const std::string& s) { (void)!::write(1, s.data(), s.size()); }

// indented - each line of a block (LF or CRLF), two spaces in
std::string indented(std::string_view block) {
  std::string s;
  while (!block.empty()) {
    std::size_t nl = block.find('\n');
    std::string_view line = block.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    s += "  " + std::string(line) + "\n";
    block = nl == std::string_view::npos ? std::string_view() : block.substr(nl + 1);
  }
  return s;
}

// head_complete - enough of stdin to tell: no quarantine file, or the
// whole envelope block of one (it ends with X-Spoolgate-Reason, or in an
// older file at the first other line)
bool head_complete(std::string_view head) {
  const std::string_view mark = "X-Envelope-From: ";
  if (head.size() < mark.size()) return head != mark.substr(0, head.size());
  if (head.substr(0, mark.size()) != mark) return true;
  for (std::size_t nl; (nl = head.find('\n')) != std::string_view::npos; head.remove_prefix(nl + 1)) {
    std::string_view line = head.substr(0, nl);
    if (line.substr(0, 20) == "X-Spoolgate-Reason: ") return true;
    if (line.substr(0, 11) != "X-Envelope-" && line.substr(0, 12) != "X-Spoolgate-") return true;
  }
  return false;
}

// read_head - the first octets of stdin, a quarantine file's whole envelope
// block when it is one (bounded)
std::string read_head(const Deadline& deadline) {
  std::string head;
  char buf[kIoChunk];
  while (head.size() < kMaxQuarantineBlock && !head_complete(head)) {
    pollfd p{0, POLLIN, 0};
    if (wait_for(&p, 1, deadline) == 0) throw ReadError("timeout reading the message");
    ssize_t n = retry_eintr([&] { return ::read(0, buf, sizeof buf); });
    if (n < 0) throw ReadError("read message: " + std::string(std::strerror(errno)));
    if (n == 0) break;
    head.append(buf, static_cast<std::size_t>(n));
  }
  return head;
}

// envelope_for - the command line's, else the quarantine file's; the head
// is left with the message only
std::optional<Envelope> envelope_for(const Options& opts, std::string& head) {
  Envelope env;
  std::string error;
  if (std::optional<QuarantineBlock> block = read_quarantine_block(head, &error)) {
    env = block->env;
    head.erase(0, block->message_offset);
    out(fmt::format("quarantine file: {}, hook={}, reason=({})\n", to_string(block->note.verdict), block->note.hook,
                    block->note.reason));
  }
  if (opts.sender) {
    env.sender = *opts.sender;
    env.recipients.clear();
    env.recipient_bytes = 0;
    for (const std::string& r : opts.recipients) env.add_recipient(r);
  }
  if (!opts.queue_id.empty()) env.client.ident = opts.queue_id;
  if (env.recipients.empty()) return std::nullopt;
  return env;
}

// report - what happened, hook by hook, and what would have been done
void report(const Options& opts, const FilterResult& f) {
  for (std::size_t i = 0; i < f.runs.size(); ++i) {
    const HookSpec& spec = opts.filter.hooks[i];
    const HookRun& run = f.runs[i];
    out(fmt::format("hook {}: {} ({}): status {}, {:.2f} s{}\n", i + 1, spec.command, to_string(spec.output),
                    run.status, run.seconds, run.reason.empty() ? "" : ", REASON: " + run.reason));
    if (!run.headers.empty()) out("  fields:\n" + indented(run.headers));
  }
  if (f.runs.size() < opts.filter.hooks.size())
    out(fmt::format("hooks {} to {}: not run (the chain ended)\n", f.runs.size() + 1, opts.filter.hooks.size()));
  out(fmt::format("verdict: {}\n", to_string(f.decision.verdict)));
  if (f.decision.verdict == Verdict::accept) {
    out("reply: the next hop's own reply to the final \".\" (nothing was delivered)\n");
    std::string added = opts.filter.add_header_wire;  // on top: --add-header, then the hooks', newest first
    for (auto run = f.runs.rbegin(); run != f.runs.rend(); ++run) added += run->headers;
    if (!added.empty()) out("header fields added:\n" + indented(added));
  } else {
    out(fmt::format("reason: {}\nreply: {}", f.decision.reason, f.decision.reply.render()));
    bool kept = f.decision.verdict != Verdict::defer && !opts.filter.quarantine_dir.empty();
    if (kept) out(fmt::format("quarantine: a copy would be kept in {}\n", opts.filter.quarantine_dir));
  }
}

int exit_status(Verdict v) {
  switch (v) {
    case Verdict::accept:
    case Verdict::discard: return kExOk;
    case Verdict::reject: return kExUnavailable;
    case Verdict::defer: return kExTempFail;
  }
  return kExTempFail;
}

}  // namespace

int run_try(const Options& opts) {
  const Deadline deadline = Deadline::after(opts.deadline);
  MessageSpools spools(opts.filter.limits.spool, true);
  std::string head;
  std::optional<Envelope> env;
  try {
    head = read_head(deadline);
    env = envelope_for(opts, head);
    if (!env) {
      out("spoolgate --try: give -f SENDER -- RECIPIENT..., or a quarantine file on stdin\n");
      return kExUsage;
    }
    env->size = receive_plain(0, head, spools, deadline);
  } catch (const std::exception& e) {
    out(fmt::format("spoolgate --try: cannot read the message: {}\n", e.what()));
    return kExTempFail;
  }
  out(fmt::format("message: {} octets from <{}> to {} recipient(s), queue ID {}\n", env->size, env->sender,
                  env->recipients.size(), env->log_queue_id()));
  if (opts.filter.hooks.empty())
    out("hooks: none (the null filter: every message passes unchanged)\n");
  FilterConfig config = opts.filter;
  config.quarantine_dir.clear();  // --try writes nothing
  FilterResult f = filter_message(config, *env, spools, FilterCallbacks{}, deadline);
  report(opts, f);
  out(fmt::format("log: {}\n", log::destination()));
  return exit_status(f.decision.verdict);
}

}  // namespace spoolgate
