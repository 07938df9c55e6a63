// scan/rspamd_hook.h - the rspamd hook: rspamd's action as spoolgate's verdict
//
// DESCRIPTION
//   rspamd [--rspamd HOST:PORT] [--spam reject|discard] [--timeout S]
//          [--max-size BYTES] [--oversize pass|defer]
//
//   The rspamd at --rspamd (default 127.0.0.1:11333, its normal worker)
//   checks the message (rspamd.h). rspamd_outcome() maps its action:
//
//     action            check mode         headers mode
//     no action         accept             accept, X-Spam-Flag: NO
//     greylist          accept             accept, X-Spam-Flag: NO
//     add header        accept             accept, X-Spam-Flag: YES
//     rewrite subject   accept             accept, X-Spam-Flag: YES (the
//                                          Subject is left alone: DKIM)
//     soft reject       defer, REASON rspamd's smtp_message or
//                       "4.7.1 rspamd: soft reject"
//     reject            --spam (reject), REASON "5.7.1 spam: score S,
//     quarantine        required T" and rspamd's smtp_message
//     discard           discard
//
//   In headers mode the fields are spam_fields.h's, with rspamd's
//   required_score (its reject threshold) as "required".
//   --max-size defaults to 50 MiB, rspamd's max_message.
//
// SEE ALSO
//   scanner.h, man spoolgate(8).
#pragma once

#include <memory>

#include "spoolgate/net.h"
#include "spoolgate/scan/option_parser.h"
#include "spoolgate/scan/outcome.h"
#include "spoolgate/scan/rspamd.h"

namespace spoolgate::scan {

class Scanner;

struct RspamdOptions {
  Endpoint rspamd;  ///< default 127.0.0.1:11333
  Verdict spam = Verdict::reject;
};

/// --rspamd, --spam.
void add_rspamd_options(OptionParser& parser, RspamdOptions* options);

/// The outcome of rspamd's `result`.
Outcome rspamd_outcome(const RspamdResult& result, const RspamdOptions& options, OutputMode mode);

/// The rspamd hook, for run_scanner() (the program LIBEXECDIR/spoolgate/rspamd)
/// and run_builtin() (spoolgate's --hook builtin:rspamd).
std::unique_ptr<Scanner> make_rspamd();

}  // namespace spoolgate::scan
