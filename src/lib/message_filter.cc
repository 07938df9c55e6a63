// message_filter.cc - filter one spooled message: the hook chain, the verdict, the quarantine copy
#include "spoolgate/message_filter.h"

#include <fmt/core.h>

#include <algorithm>

#include "spoolgate/field_filter.h"
#include "spoolgate/log.h"
#include "spoolgate/quarantine.h"

namespace spoolgate {
namespace {

// HookChain - the message as the hooks have left it so far: the received
// message or a rewrite (`wire_`, `lf_`), and the fields added on top of it
// that have not become part of a copy yet (`fields_*`, newest first), with
// the names whose older fields they replace (`drop_`)
class HookChain {
 public:
  HookChain(const MessageSpools& received, std::uint64_t size, const SpoolConfig& spool, FilterResult& keep)
      : wire_(&received.wire()), lf_(&received.for_hook()), size_(size), spool_(spool), keep_(keep) {}

  /// The message for the next hook (LF form): a copy with the fields added
  /// so far, if there are any.
  const Spool& input() {
    if (!fields_lf_.empty()) materialize();
    return *lf_;
  }
  /// A headers-mode hook's fields: on top, replacing older fields of their names.
  void add(const HeaderBlock& block) {
    fields_wire_.insert(0, block.wire);
    fields_lf_.insert(0, block.lf);
    for (const std::string& n : block.names)
      if (std::find(drop_.begin(), drop_.end(), n) == drop_.end()) drop_.push_back(n);
  }
  /// A rewrite-mode hook's message: it replaces everything.
  void replace(std::unique_ptr<MessageSpools> message, std::uint64_t size) {
    fields_wire_.clear();
    fields_lf_.clear();
    drop_.clear();
    wire_ = &message->wire();
    lf_ = &message->for_hook();
    size_ = size;
    keep_.rewrites_.push_back(std::move(message));
  }
  /// On accept: what goes to the next hop.
  void finish(const MessageSpools& received) {
    if (!drop_.empty() && has_fields(*wire_, MessageForm::wire, drop_)) {
      Spool& copy = keep(std::make_unique<Spool>(spool_));
      copy_without_fields(*wire_, MessageForm::wire, drop_, copy);
      copy.finish_in_memory();
      wire_ = &copy;
      size_ = copy.size();  // dot-stuffed: an upper bound (RFC 1870 allows one)
    }
    keep_.prefix += fields_wire_;
    keep_.body_size = size_;
    if (wire_ != &received.wire()) keep_.body_ = wire_;
  }

 private:
  Spool& keep(std::unique_ptr<Spool> s) {
    keep_.copies_.push_back(std::move(s));
    return *keep_.copies_.back();
  }
  // materialize - the fields made part of a copy, in both forms
  void materialize() {
    Spool& lf = keep(std::make_unique<Spool>(spool_));
    lf.append(fields_lf_);
    copy_without_fields(*lf_, MessageForm::lf, drop_, lf);
    lf.finish();
    Spool& wire = keep(std::make_unique<Spool>(spool_));
    wire.append(fields_wire_);
    copy_without_fields(*wire_, MessageForm::wire, drop_, wire);
    wire.finish_in_memory();
    lf_ = &lf;
    wire_ = &wire;
    size_ = wire.size();  // dot-stuffed: an upper bound
    fields_wire_.clear();
    fields_lf_.clear();
    drop_.clear();
  }

  const Spool* wire_;
  const Spool* lf_;
  std::uint64_t size_;
  const SpoolConfig& spool_;
  FilterResult& keep_;
  std::string fields_wire_, fields_lf_;
  std::vector<std::string> drop_;
};

// keep_copy - the quarantine copy of a reject or discard; no copy, no
// verdict: it becomes a defer (SPEC)
void keep_copy(const FilterConfig& config, const Envelope& env, const Spool& seen, FilterResult& r) {
  QuarantineNote note{r.decision.verdict, r.hook_field(), r.decision.reason};
  std::string where;
  if (quarantine_keep(config.quarantine_dir, env, note, seen, &where)) {
    log::info("{}: quarantined as {}", env.log_queue_id(), where);
    r.quarantined = where;
    return;
  }
  log::warn("{}: cannot quarantine: {}", env.log_queue_id(), where);
  std::string why = "cannot keep a quarantine copy: " + where;
  r.decision = {Verdict::defer, Reply::make(451, "4.3.0", "Error: " + why), why};
}

// run_one - one hook of the chain; its verdict
Decision run_one(const HookSpec& spec, const FilterConfig& config, const Envelope& env, const Spool& input,
                 const Deadline& deadline, const FilterCallbacks& callbacks, HookChain& chain, FilterResult& r) {
  auto started = Deadline::Clock::now();
  HookResult hook = run_hook(spec, config.limits, env, input, deadline, callbacks.keepalive);
  HookRun run{hook.status_text(), hook.reason, std::chrono::duration<double>(Deadline::Clock::now() - started).count(),
              hook.headers ? hook.headers->lf : std::string()};
  r.runs.push_back(std::move(run));
  if (!hook.problem.empty()) log::warn("{}: {}", env.log_queue_id(), hook.problem);
  r.next_hop_lost = hook.end == HookResult::End::aborted;
  Decision d = decide(hook);
  if (d.verdict == Verdict::accept) {
    if (hook.headers) chain.add(*hook.headers);
    if (hook.rewritten) chain.replace(std::move(hook.rewritten), hook.rewritten_size);
    if (!hook.reason.empty()) log::info("{}: note from hook {}: {}", env.log_queue_id(), r.runs.size(), hook.reason);
  }
  return d;
}

}  // namespace

std::string FilterResult::hook_field() const {
  if (hooks_skipped) return "skipped";
  if (runs.empty()) return "none";
  std::string s;
  for (const HookRun& run : runs) s += (s.empty() ? "" : ",") + run.status;
  return s;
}

FilterResult not_filtered(const FilterConfig& config, Decision decision) {
  FilterResult r;
  r.decision = std::move(decision);
  r.hooks_skipped = !config.hooks.empty();
  return r;
}

// filter_message - the chain, the verdict, the quarantine; what to forward on accept
FilterResult filter_message(const FilterConfig& config, const Envelope& env, const MessageSpools& received,
                            const FilterCallbacks& callbacks, const Deadline& until) {
  FilterResult r;
  r.prefix = config.add_header_wire;
  r.body_size = env.size;
  HookChain chain(received, env.size, config.limits.spool, r);
  const Spool* seen = nullptr;  // what the deciding hook read
  const Deadline deadline = Deadline::earliest(Deadline::after(config.limits.timeout), until);
  for (const HookSpec& spec : config.hooks) {
    seen = &chain.input();
    r.decision = run_one(spec, config, env, *seen, deadline, callbacks, chain, r);
    if (r.decision.verdict != Verdict::accept || r.next_hop_lost) break;
  }
  if (!callbacks.still_wanted()) {
    r.abandoned = true;
    return r;
  }
  if (r.next_hop_lost) return r;
  const Verdict v = r.decision.verdict;
  if ((v == Verdict::reject || v == Verdict::discard) && !config.quarantine_dir.empty()) keep_copy(config, env, *seen, r);
  if (r.decision.verdict == Verdict::accept) chain.finish(received);
  return r;
}

}  // namespace spoolgate
