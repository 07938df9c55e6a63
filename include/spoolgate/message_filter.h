// message_filter.h - filter one spooled message: the hook chain, the verdict, the quarantine copy
//
// DESCRIPTION
//   filter_message() is the per-message pipeline that every mode runs (the
//   SMTP server, --pipe, --try): given the message as received
//   (MessageSpools) and its envelope, it runs the hooks in order, turns
//   what they did into a verdict (verdict.h), keeps a quarantine copy of
//   what is rejected or discarded, and says what to do: the Decision, and
//   on accept what to forward. Delivering it is the caller's (NextHop), and
//   so is the reply.
//
//   The chain (SPEC "--hook"): each hook sees the message as the previous
//   one left it; the first verdict other than accept ends it. A hook in
//   `headers` mode puts its fields on top of the message, replacing every
//   field of the same name already there (a sender cannot pre-set
//   "X-Spam-Flag: NO"); one in `rewrite` mode replaces the message. The
//   hooks together get --hook-timeout, and a deadline of the caller's own
//   (--pipe's --deadline) besides.
//
//   The message is copied only where that cannot be avoided: for a next
//   hook after one that added fields (it reads a file), and for the next hop
//   only when a field must leave the original; otherwise the added fields go
//   ahead of the message as it was received.
//
//   Two questions are the caller's to answer while the hooks run:
//   `keepalive` (is the next hop still there? see hook.h) and, once the
//   verdict is known, `still_wanted` (has the client gone? Then nothing is
//   done for the message, not even its quarantine copy: Postfix will send it
//   again).
//
// DIAGNOSTICS
//   A hook's failures are verdicts (defer), not exceptions. A quarantine
//   copy that cannot be written turns a reject or discard into a defer
//   (SPEC). Problems are logged here, with the message's queue ID.
//   std::system_error from a spool (no disk) passes through: the caller
//   defers.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "spoolgate/deadline.h"
#include "spoolgate/envelope.h"
#include "spoolgate/hook.h"
#include "spoolgate/message_spools.h"
#include "spoolgate/next_hop.h"
#include "spoolgate/verdict.h"

namespace spoolgate {

/// What filtering a message takes.
struct FilterConfig {
  std::vector<HookSpec> hooks;  ///< the chain, in order; empty: the null filter
  HookLimits limits;            ///< timeout, spool, the largest rewrite
  std::string add_header_wire;  ///< --add-header fields, wire form
  std::string quarantine_dir;   ///< empty: no copies
};

/// The caller's answers while a message is filtered.
struct FilterCallbacks {
  std::function<bool()> keepalive = [] { return true; };
  std::function<bool()> still_wanted = [] { return true; };
};

/// One hook's part, for the log and for --try.
struct HookRun {
  std::string status;  ///< as in the log's hook= ("0", "SIGSEGV", "timeout", ...)
  std::string reason;  ///< its REASON, if it gave one
  double seconds = 0;
  std::string headers;  ///< headers mode: the fields it added, LF form
};

struct FilterResult {
  Decision decision;            ///< the verdict; the reply unless accept
  std::vector<HookRun> runs;    ///< the hooks that ran, in order
  bool next_hop_lost = false;   ///< a keepalive failed while a hook ran
  bool abandoned = false;       ///< the client went before the verdict: nothing was done
  bool hooks_skipped = false;   ///< decided before any hook could run (see not_filtered())
  std::string quarantined;      ///< the quarantine file, when one was written

  /// Accept: the header fields to put first (--add-header, then the hooks').
  std::string prefix;
  /// Accept: the body's size as RFC 1870 counts it (an upper bound once
  /// the hooks changed the message).
  std::uint64_t body_size = 0;

  /// The log's hook= field: "none", or each hook's status ("0,65").
  std::string hook_field() const;
  /// Accept: what to hand NextHop (valid while this and `received` live).
  OutgoingMessage outgoing(const MessageSpools& received) const {
    return OutgoingMessage{prefix, body_ ? *body_ : received.wire(), body_size};
  }

  // The message as the hooks left it, when it is not the one received.
  const Spool* body_ = nullptr;
  std::vector<std::unique_ptr<Spool>> copies_;
  std::vector<std::unique_ptr<MessageSpools>> rewrites_;
};

/// A message decided on before the hooks (too big, not spooled): the log
/// says hook=skipped when there are hooks.
FilterResult not_filtered(const FilterConfig& config, Decision decision);

/// `until`: a deadline of the caller's own, besides --hook-timeout.
FilterResult filter_message(const FilterConfig& config, const Envelope& env, const MessageSpools& received,
                            const FilterCallbacks& callbacks = {}, const Deadline& until = Deadline::never());

}  // namespace spoolgate
