// message_filter.cc - filter one spooled message: the hook, the verdict, the quarantine copy
#include "spoolgate/message_filter.h"

#include "spoolgate/log.h"
#include "spoolgate/quarantine.h"

namespace spoolgate {
namespace {

// keep_copy - the quarantine copy of a reject or discard; no copy, no
// verdict: it becomes a defer (SPEC)
void keep_copy(const FilterConfig& config, const Envelope& env, const MessageSpools& received, FilterResult& r) {
  std::string where;
  if (quarantine_keep(config.quarantine_dir, env, r.decision.verdict, received.for_hook(), &where)) {
    log::info("{}: quarantined as {}", env.log_queue_id(), where);
    return;
  }
  log::warn("{}: cannot quarantine: {}", env.log_queue_id(), where);
  r.decision = {Verdict::defer, Reply::make(451, "4.3.0", "Error: cannot keep a quarantine copy")};
}

}  // namespace

// filter_message - hook, verdict, quarantine; what to forward on accept
FilterResult filter_message(const FilterConfig& config, const Envelope& env, const MessageSpools& received,
                            const FilterCallbacks& callbacks, const Deadline& until) {
  FilterResult r;
  r.prefix = config.add_header_wire;
  r.body_size = env.size;
  HookResult hook;
  if (!config.hooks.empty()) {
    Deadline deadline = Deadline::earliest(Deadline::after(config.limits.timeout), until);
    hook = run_hook(config.hooks.front(), config.limits, env, received.for_hook(), deadline, callbacks.keepalive);
    r.hook = hook.status_text();
    if (!hook.problem.empty()) log::warn("{}: {}", env.log_queue_id(), hook.problem);
    r.decision = decide(hook);
    r.next_hop_lost = hook.end == HookResult::End::aborted;
  }
  if (!callbacks.still_wanted()) {
    r.abandoned = true;
    return r;
  }
  if (r.next_hop_lost) return r;
  const Verdict v = r.decision.verdict;
  if ((v == Verdict::reject || v == Verdict::discard) && !config.quarantine_dir.empty())
    keep_copy(config, env, received, r);
  if (r.decision.verdict != Verdict::accept) return r;
  r.prefix += hook.headers_wire;
  if (hook.rewritten) {
    r.body_size = hook.rewritten_size;
    r.rewritten = std::move(hook.rewritten);
  }
  return r;
}

}  // namespace spoolgate
