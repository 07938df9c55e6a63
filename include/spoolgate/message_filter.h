// message_filter.h - filter one spooled message: the hook, the verdict, the quarantine copy
//
// DESCRIPTION
//   filter_message() is the per-message pipeline that every mode runs (the
//   SMTP server, --pipe): given the message as received (MessageSpools) and
//   its envelope, it runs the hook, turns what the hook did into a verdict
//   (verdict.h), keeps a quarantine copy of what is rejected or discarded,
//   and says what to do: the Decision, and on accept what to forward (the
//   --add-header fields and the hook's own, then the message or the hook's
//   rewrite). Delivering it is the caller's (NextHop), and so is the reply.
//
//   Two questions are the caller's to answer while the hook runs:
//   `keepalive` (is the next hop still there? see hook.h) and, once the
//   verdict is known, `still_wanted` (has the client gone? Then nothing is
//   done for the message, not even its quarantine copy: Postfix will send it
//   again).
//
// DIAGNOSTICS
//   A hook's failures are verdicts (defer), not exceptions. A quarantine
//   copy that cannot be written turns a reject or discard into a defer (SPEC).
//   Problems are logged here, with the message's queue ID.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "spoolgate/envelope.h"
#include "spoolgate/hook.h"
#include "spoolgate/message_spools.h"
#include "spoolgate/next_hop.h"
#include "spoolgate/verdict.h"

namespace spoolgate {

/// What filtering a message takes.
struct FilterConfig {
  std::vector<HookSpec> hooks;  ///< empty: the null filter
  HookLimits limits;            ///< timeout, spool, the largest rewrite
  std::string add_header_wire;  ///< --add-header fields, wire form
  std::string quarantine_dir;   ///< empty: no copies
};

/// The caller's answers while a message is filtered.
struct FilterCallbacks {
  std::function<bool()> keepalive = [] { return true; };
  std::function<bool()> still_wanted = [] { return true; };
};

struct FilterResult {
  Decision decision;          ///< the verdict; the reply unless accept
  std::string hook = "none";  ///< the log's hook= field
  bool next_hop_lost = false; ///< a keepalive failed while the hook ran
  bool abandoned = false;     ///< the client went before the verdict: nothing was done

  /// Accept: the header fields to put first (--add-header, then the hook's).
  std::string prefix;
  /// Accept: the body to forward, wire form: the message as received, or
  /// the hook's rewrite.
  const Spool& body(const MessageSpools& received) const { return rewritten ? *rewritten : received.wire(); }
  /// Accept: the body's size as RFC 1870 counts it.
  std::uint64_t body_size = 0;
  std::optional<Spool> rewritten;

  /// What to hand NextHop (valid while this and `received` live).
  OutgoingMessage outgoing(const MessageSpools& received) const {
    return OutgoingMessage{prefix, body(received), body_size};
  }
};

/// `until`: a deadline of the caller's own (--pipe's --deadline), besides
/// the hooks' --hook-timeout.
FilterResult filter_message(const FilterConfig& config, const Envelope& env, const MessageSpools& received,
                            const FilterCallbacks& callbacks = {}, const Deadline& until = Deadline::never());

}  // namespace spoolgate
