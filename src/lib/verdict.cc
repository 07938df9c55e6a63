// verdict.cc - from what the hook did to what the client is told
#include "spoolgate/verdict.h"

#include <fmt/core.h>

#include "spoolgate/reason.h"
#include "spoolgate/sysexits.h"

namespace spoolgate {

const char* to_string(Verdict v) {
  switch (v) {
    case Verdict::accept: return "accept";
    case Verdict::reject: return "reject";
    case Verdict::defer: return "defer";
    case Verdict::discard: return "discard";
  }
  return "?";
}

Reply defer_reply(std::string_view reason) { return reason_reply(reason, 4, 451, "4.7.1", "Try again later"); }

Reply reject_reply(std::string_view reason) {
  return reason_reply(reason, 5, 550, "5.7.1", "Message content rejected");
}

// cause - the hook's end in a few words, for a defer without a REASON
std::string cause(const HookResult& r) {
  switch (r.end) {
    case HookResult::End::exited:
      if (r.status == 0 && !r.output_valid) return r.problem;
      return fmt::format("hook exited {}", r.status);
    case HookResult::End::signaled:
      return fmt::format("hook killed by signal {}", r.status);
    case HookResult::End::timed_out:
      return fmt::format("hook timed out after {:g} s", std::chrono::duration<double>(r.timeout).count());
    case HookResult::End::cannot_start:
    case HookResult::End::aborted:
      return r.problem;
  }
  return "hook failed";
}

// verdict_of - the exit-status table (SPEC "The hook")
Verdict verdict_of(const HookResult& r) {
  if (r.end != HookResult::End::exited) return Verdict::defer;
  switch (r.status) {
    case 0:
      return r.output_valid ? Verdict::accept : Verdict::defer;
    case kExDataErr:
    case kExNoUser:
    case kExNoHost:
    case kExUnavailable:
    case kExNoPerm:
      return Verdict::reject;
    case kHookDiscard:
      return Verdict::discard;
    default:  // EX_TEMPFAIL and everything unknown
      return Verdict::defer;
  }
}

// decide - the verdict, and its reply with REASON (or, on defer, the cause)
Decision decide(const HookResult& r) {
  Decision d;
  d.verdict = verdict_of(r);
  switch (d.verdict) {
    case Verdict::accept:
      break;
    case Verdict::reject:
      d.reply = reject_reply(r.reason);
      break;
    case Verdict::defer:
      d.reply = defer_reply(r.reason.empty() ? cause(r) : r.reason);
      break;
    case Verdict::discard:
      d.reply = Reply::make(250, "2.0.0", "Ok: discarded");
      break;
  }
  if (d.verdict != Verdict::accept) d.reason = r.reason.empty() ? cause(r) : r.reason;
  return d;
}

}  // namespace spoolgate
