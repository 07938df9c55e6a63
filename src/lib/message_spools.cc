// message_spools.cc - one incoming message, spooled in the forms it is needed in
#include "spoolgate/message_spools.h"

#include <unistd.h>

#include <cstring>
#include <vector>

#include "spoolgate/bounds.h"
#include "spoolgate/fd.h"

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

// receive_plain - read to EOF, each wait bounded by the deadline
std::uint64_t receive_plain(int fd, std::string_view head, MessageSpools& spools, const Deadline& deadline) {
  DataDecoder decoder(DataDecoder::Mode::plain);
  std::string pending(head);
  std::vector<char> buf(kIoChunk);
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    if (wait_for(&p, 1, deadline) == 0) throw ReadError("timeout reading the message");
    ssize_t n = retry_eintr([&] { return ::read(fd, buf.data(), buf.size()); });
    if (n < 0) throw ReadError(std::string("read message: ") + std::strerror(errno));
    pending.append(buf.data(), static_cast<std::size_t>(n));
    pending.erase(0, decoder.feed(pending, n == 0, spools));
    if (n == 0) break;
  }
  spools.finish();
  return decoder.size();
}

}  // namespace spoolgate
