// quarantine.h - keep a copy of a rejected or discarded message
//
// DESCRIPTION
//   With --quarantine-dir, every message the hook rejects or discards is
//   kept there, one file each: "X-Envelope-From: <sender>" and one
//   "X-Envelope-To: <rcpt>" line per recipient, then the message as the
//   hook saw it (LF line ends). The file is synced before the client is
//   answered, so a discarded message is never only in memory.
//   Names are QUEUEID-VERDICT-SECONDS-PID-N, unique per process.
//
// DIAGNOSTICS
//   keep() returns false with the error when the copy cannot be made (the
//   partial file is removed); SPEC makes that verdict a defer.
//
// SECURITY
//   Created mode 0600 with O_EXCL|O_NOFOLLOW: never through a symlink, never
//   over an existing file.
#pragma once

#include <string>

#include "spoolgate/envelope.h"
#include "spoolgate/spool.h"
#include "spoolgate/verdict.h"

namespace spoolgate {

/// Write the copy; `result` is the path, or the error.
bool quarantine_keep(const std::string& dir, const Envelope& env, Verdict verdict, const Spool& message,
                     std::string* result);

}  // namespace spoolgate
