// cut_through.cc - a large message streamed on to the next hop while it arrives
#include "spoolgate/cut_through.h"

#include <stdexcept>

#include "spoolgate/bounds.h"
#include "spoolgate/log.h"

namespace spoolgate {

// advance - start past the threshold, then keep up with the spool
void CutThrough::advance() {
  if (!enabled_ || refused_ || !sink_.ok()) return;
  if (!started_ && spools_.wire().size() < kCutThroughThreshold) return;
  sink_.sync_wire();  // a spool error is latched there: stop, the verdict defers
  if (!sink_.ok()) return;
  if (!started_) {
    Delivery d = next_hop_.begin_data();
    if (d.stage == Delivery::Stage::data) {
      refused_ = d;
      return;
    }
    started_ = true;
    log::debug("next hop > (cut-through: {} octets of header fields, then the message as it arrives)", prefix_.size());
    next_hop_.stream(prefix_);
  }
  send_new();
}

// send_new - what the wire spool holds past what was sent
void CutThrough::send_new() {
  const Spool& wire = spools_.wire();
  if (wire.size() <= sent_) return;
  std::uint64_t n = wire.size() - sent_;
  next_hop_.stream(wire, sent_, n);
  sent_ += n;
}

// complete - the accepted message's rest and its final "."
Delivery CutThrough::complete(const OutgoingMessage& message) {
  if (!started_ || message.prefix != prefix_ || &message.body != &spools_.wire())
    throw std::logic_error("cut-through: the message to forward is not the one streamed");
  sink_.sync_wire();
  if (!sink_.ok()) throw std::logic_error("cut-through: an accepted message with a spool error");
  send_new();
  return next_hop_.end_data();
}

}  // namespace spoolgate
