// quarantine.h - keep a copy of a rejected or discarded message, and read it back
//
// DESCRIPTION
//   With --quarantine-dir, every message the hooks reject or discard is kept
//   there, one file each, mode 0600: an envelope block, then the message as
//   the deciding hook saw it (LF line ends). The block is lines that look
//   like header fields, so the file reads as a message in any mail reader:
//
//     X-Envelope-From: <sender>
//     X-Envelope-To: <rcpt>               one per recipient
//     X-Spoolgate-Queue-ID: 4AbCdE        each only when known
//     X-Spoolgate-Client-Address: 192.0.2.1
//     X-Spoolgate-Client-Name: mail.example.com
//     X-Spoolgate-Client-Helo: mail.example.com
//     X-Spoolgate-Client-Source: REMOTE    (XFORWARD SOURCE and PROTO)
//     X-Spoolgate-Client-Proto: ESMTP
//     X-Spoolgate-Verdict: discard
//     X-Spoolgate-Hook: 0,99
//     X-Spoolgate-Reason: 5.7.1 virus found: Eicar-Signature
//
//   X-Spoolgate-Reason is always there and always last: it ends the block,
//   so a message that begins with lines of the same names cannot add
//   recipients of its own when the file is released (a file written before
//   these fields existed, with X-Envelope-* lines only, is read up to its
//   first other line). The file is synced before the client is answered, so
//   a discarded message is never only in memory.
//   Names are QUEUEID-VERDICT-SECONDS-PID-N, unique per process.
//
//   read_quarantine_block() reads the block back: spoolgate-quarantine and
//   --try take the envelope from it.
//
// DIAGNOSTICS
//   quarantine_keep() returns false with the error when the copy cannot be
//   made (the partial file is removed); SPEC makes that verdict a defer.
//
// SECURITY
//   Created mode 0600 with O_EXCL|O_NOFOLLOW: never through a symlink, never
//   over an existing file. Values are written printable and on one line.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "spoolgate/envelope.h"
#include "spoolgate/spool.h"
#include "spoolgate/verdict.h"

namespace spoolgate {

/// What the block records besides the envelope.
struct QuarantineNote {
  Verdict verdict = Verdict::reject;
  std::string hook;    ///< as the log's hook= field
  std::string reason;  ///< as the log's reason=
};

/// Write the copy; `result` is the path, or the error.
bool quarantine_keep(const std::string& dir, const Envelope& env, const QuarantineNote& note, const Spool& message,
                     std::string* result);

/// A quarantine file's block, read back.
struct QuarantineBlock {
  Envelope env;  ///< sender, recipients, client and queue ID
  QuarantineNote note;
  std::uint64_t message_offset = 0;  ///< where the message starts in the file
};

/// The block at the start of `head` (the file's first octets: the block is
/// at most kMaxQuarantineBlock long). nullopt, with `error`, when `head` does
/// not start with one.
std::optional<QuarantineBlock> read_quarantine_block(std::string_view head, std::string* error);

}  // namespace spoolgate
