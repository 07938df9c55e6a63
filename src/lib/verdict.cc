// verdict.cc - from what the hook did to what the client is told
#include "spoolgate/verdict.h"

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

// decide - the exit-status table (SPEC "The hook")
Decision decide(const HookResult& r) {
  Decision d;
  if (r.end != HookResult::End::exited) {
    d.verdict = Verdict::defer;
  } else {
    switch (r.status) {
      case 0:
        d.verdict = r.output_valid ? Verdict::accept : Verdict::defer;
        break;
      case kExDataErr:
      case kExNoUser:
      case kExNoHost:
      case kExUnavailable:
      case kExNoPerm:
        d.verdict = Verdict::reject;
        break;
      case kHookDiscard:
        d.verdict = Verdict::discard;
        break;
      default:  // EX_TEMPFAIL and everything unknown
        d.verdict = Verdict::defer;
        break;
    }
  }
  switch (d.verdict) {
    case Verdict::accept: break;
    case Verdict::reject: d.reply = reject_reply(r.reason); break;
    case Verdict::defer: d.reply = defer_reply(r.reason); break;
    case Verdict::discard: d.reply = Reply::make(250, "2.0.0", "Ok: discarded"); break;
  }
  return d;
}

}  // namespace spoolgate
