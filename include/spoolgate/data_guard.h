// data_guard.h - the message's way into the spools during DATA, with an error latch
//
// DESCRIPTION
//   DataGuard is the LineSink the DATA decoder writes to. It passes each
//   line on to the spools until something goes wrong: a spool write error
//   (no disk, the file size limit, no memory) or a message past the size
//   limit. Either is latched, not thrown: the rest of the message must
//   still be read up to "." before the 4xx or 5xx (Postfix's smtpd: "keep
//   reading until the remote stops sending, then complain"; OpenSMTPD's
//   tx->error), and nothing more is written once it happened, so the disk
//   stays bounded too.
//
// DIAGNOSTICS
//   too_big() and error() say what happened; nothing is thrown.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "spoolgate/data_codec.h"
#include "spoolgate/message_spools.h"

namespace spoolgate {

class DataGuard : public LineSink {
 public:
  /// `limit`: the largest message, as `decoder` counts it (0: none).
  DataGuard(MessageSpools& spools, const DataDecoder& decoder, std::uint64_t limit)
      : spools_(spools), decoder_(decoder), limit_(limit) {}

  void text(std::string_view piece) override;
  void end_of_line() override;
  void crlf_lines(std::string_view lines) override;
  /// The end of data: the last size check, then the spools' end.
  void finish();
  /// Cut-through: what the wire spool holds so far into its file.
  void sync_wire();

  bool too_big() const { return too_big_; }
  /// The spool error, if any.
  const std::string& error() const { return error_; }
  bool ok() const { return !too_big_ && error_.empty(); }

 private:
  template <typename F>
  void guard(F f);
  MessageSpools& spools_;
  const DataDecoder& decoder_;
  std::uint64_t limit_;
  bool too_big_ = false;
  std::string error_;
};

}  // namespace spoolgate
