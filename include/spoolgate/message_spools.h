// message_spools.h - one incoming message, spooled in the forms it is needed in
//
// DESCRIPTION
//   MessageSpools is the LineSink that the message's decoder writes to. It
//   keeps the wire form (dot-stuffed, CRLF) for the next hop, and, when a
//   hook is configured, the hook's form (as received, LF line ends, the form
//   pipe(8) gives) in a second spool: the two differ (a line ending in a
//   bare CR), so one cannot be made from the other afterwards. Every mode,
//   the SMTP server, --pipe and --try, receives messages through it;
//   receive_plain() reads one from a descriptor (stdin) as --pipe gets it.
//
// DIAGNOSTICS
//   The LineSink calls and finish() throw std::system_error from the spools
//   (no disk, file size limit); the caller decides what becomes of that.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "spoolgate/data_codec.h"
#include "spoolgate/deadline.h"
#include "spoolgate/spool.h"

namespace spoolgate {

class MessageSpools : public LineSink {
 public:
  /// `for_hook`: also keep the hook's form.
  MessageSpools(const SpoolConfig& config, bool for_hook);
  MessageSpools(const MessageSpools&) = delete;
  MessageSpools& operator=(const MessageSpools&) = delete;

  void text(std::string_view piece) override;
  void end_of_line() override;
  void crlf_lines(std::string_view lines) override;

  /// The end of the message: the wire form may stay in memory (small), the
  /// hook's form is a file (the hook's stdin is a descriptor).
  void finish();

  const Spool& wire() const { return wire_; }
  /// Put what the wire form holds so far into its file (fd() then has it
  /// all: cut-through sends it on while more comes).
  void sync_wire() { wire_.finish(); }
  /// The hook's form; only when constructed `for_hook`.
  const Spool& for_hook() const { return *lf_; }

 private:
  Spool wire_;
  std::optional<Spool> lf_;
  WireWriter wire_writer_;
  std::optional<LfWriter> lf_writer_;
};

/// A message read from a descriptor cannot be read (a read error, or the
/// deadline passed); what() says which.
struct ReadError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// A whole message from `fd` in the plain form (LF or CRLF line ends, no
/// dot handling: --pipe and --try read stdin so), `head` first (octets
/// already read), into `spools`, finished. Returns its size as RFC 1870
/// counts it. Throws ReadError, or std::system_error from the spools.
std::uint64_t receive_plain(int fd, std::string_view head, MessageSpools& spools, const Deadline& deadline);

}  // namespace spoolgate
