// message_spools.cc - one incoming message, spooled in the forms it is needed in
#include "spoolgate/message_spools.h"

namespace spoolgate {

MessageSpools::MessageSpools(const SpoolConfig& config, bool for_hook) : wire_(config), wire_writer_(wire_) {
  if (for_hook) {
    lf_.emplace(config);
    lf_writer_.emplace(*lf_);
  }
}

void MessageSpools::text(std::string_view piece) {
  wire_writer_.text(piece);
  if (lf_writer_) lf_writer_->text(piece);
}

void MessageSpools::end_of_line() {
  wire_writer_.end_of_line();
  if (lf_writer_) lf_writer_->end_of_line();
}

void MessageSpools::crlf_lines(std::string_view lines) {
  wire_writer_.crlf_lines(lines);
  if (lf_writer_) lf_writer_->crlf_lines(lines);
}

void MessageSpools::finish() {
  wire_.finish_in_memory();
  if (lf_) lf_->finish();
}

}  // namespace spoolgate
