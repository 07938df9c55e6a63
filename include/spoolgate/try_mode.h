// try_mode.h - --try: run the hooks on a message as in production, deliver nothing, say what would happen
//
// DESCRIPTION
//   run_try() is how an administrator checks a hook (or a chain) before
//   Postfix sees it:
//
//     spoolgate --try [OPTIONS] [-f SENDER] [-- RECIPIENT...] < message
//
//   The message comes on stdin as --pipe takes it (LF or CRLF line ends). A
//   quarantine file can be given as it is: its envelope block supplies the
//   envelope (-f and recipients on the command line replace it). The hooks
//   run exactly as in production, through the same filter_message(): the
//   same environment, user, timeouts and output modes. Nothing is delivered
//   and no quarantine copy is written.
//
//   It prints, on stdout: the envelope, each hook with its mode, status,
//   time, REASON and the fields it added; the verdict, REASON, the reply that
//   would go upstream, the header fields that would be added, whether a
//   quarantine copy would be kept, and where spoolgate's log lines go (a
//   host without /dev/log logs nothing to syslog).
//
// DIAGNOSTICS
//   Exit status as --pipe: 0 accept or discard, 69 reject, 75 defer (and
//   75 when the message cannot be read); 64 when -f and recipients are
//   missing and stdin is no quarantine file.
#pragma once

#include "spoolgate/options.h"

namespace spoolgate {

int run_try(const Options& opts);

}  // namespace spoolgate
