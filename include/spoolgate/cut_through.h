// cut_through.h - a large message streamed on to the next hop while it arrives
//
// DESCRIPTION
//   Store and forward carries a large message twice in sequence: from the
//   client into the spool, then from the spool to the next hop. Cut-through
//   (Postfix's SMTPD_PROXY_README) overlaps the two: once the message is
//   past kCutThroughThreshold, CutThrough sends DATA and streams what has
//   been spooled so far (the --add-header fields first, the wire form
//   as received: CRLF, dot-stuffed), then each new piece as it is spooled.
//   The message is still spooled whole: the hooks get their seekable copy
//   as always.
//
//   The final "." is held until the verdict. complete() sends the rest and
//   the "." and returns the next hop's reply (NextHop::end_data()); for any
//   other verdict the caller closes the next-hop connection inside DATA
//   (NextHop::abort()), so that a message that was not accepted, or not
//   received whole, is never completed downstream.
//
//   The caller decides whether a message may be cut through at all
//   (ServerSession::cut_through_allowed(): check-mode hooks only, and hooks
//   that cannot outlast the next hop's patience, since no NOOP can be sent
//   inside DATA). A DATA the next hop refuses ends streaming: refused()
//   holds its reply, which answers the message if the verdict accepts it.
//
// DIAGNOSTICS
//   IoError (peer next_hop) and NextHopError pass through from NextHop. A
//   spool error is latched in the DataGuard, and streaming stops there (the
//   verdict is then a defer). complete() throws std::logic_error if the
//   message to forward is not the one streamed (a caller's bug), which ends
//   the session without the ".".
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include "spoolgate/data_guard.h"
#include "spoolgate/message_spools.h"
#include "spoolgate/next_hop.h"

namespace spoolgate {

class CutThrough {
 public:
  /// `enabled` false: advance() does nothing and the message is stored and
  /// forwarded as usual. `prefix`: the header fields that go first.
  CutThrough(NextHop& next_hop, DataGuard& sink, MessageSpools& spools, std::string prefix, bool enabled)
      : next_hop_(next_hop), sink_(sink), spools_(spools), prefix_(std::move(prefix)), enabled_(enabled) {}

  /// After each piece of the message has been spooled: past the threshold,
  /// DATA (once), then what has come since the last call.
  void advance();
  /// Whether the next hop is inside DATA with part of this message.
  bool started() const { return started_; }
  /// The next hop's refusal of DATA, if it refused.
  const std::optional<Delivery>& refused() const { return refused_; }
  /// The verdict is accept: the rest, the final ".", the next hop's reply.
  /// `message` must be what was streamed (the received message and prefix).
  Delivery complete(const OutgoingMessage& message);

 private:
  void send_new();

  NextHop& next_hop_;
  DataGuard& sink_;
  MessageSpools& spools_;
  std::string prefix_;
  bool enabled_;
  bool started_ = false;
  std::optional<Delivery> refused_;
  std::uint64_t sent_ = 0;  ///< octets of the wire spool already streamed
};

}  // namespace spoolgate
