// scan/spamassassin_hook.h - the spamassassin hook: spamd's score as spoolgate's verdict
//
// DESCRIPTION
//   spamassassin [--spamd HOST:PORT|unix:PATH] [--spam reject|discard]
//                [--reject-score S] [--timeout S] [--max-size BYTES]
//                [--oversize pass|defer]
//
//   The spamd at --spamd (default 127.0.0.1:783) checks the message
//   (spamd.h). spamassassin_outcome() maps its report:
//
//     check mode    spam (spamd's score >= its required score), or a score
//                   >= --reject-score when that is given: --spam (reject),
//                   REASON "5.7.1 spam: score S, required T"; else accept.
//     headers mode  accept with X-Spam-Flag, X-Spam-Status, X-Spam-Level
//                   (spam_fields.h); only a score >= --reject-score, when
//                   given, is --spam.
//
//   --max-size defaults to 500 KiB, spamc's own (bounds.h says why).
//
// SEE ALSO
//   scanner.h, man spoolgate(8).
#pragma once

#include <memory>

#include <optional>

#include "spoolgate/net.h"
#include "spoolgate/scan/option_parser.h"
#include "spoolgate/scan/outcome.h"
#include "spoolgate/scan/spam_fields.h"

namespace spoolgate::scan {

class Scanner;

struct SpamassassinOptions {
  Endpoint spamd;  ///< default 127.0.0.1:783
  Verdict spam = Verdict::reject;
  std::optional<double> reject_score;
};

/// --spamd, --spam, --reject-score.
void add_spamassassin_options(OptionParser& parser, SpamassassinOptions* options);

/// The outcome of spamd's `report`.
Outcome spamassassin_outcome(const SpamReport& report, const SpamassassinOptions& options, OutputMode mode);

/// The spamassassin hook, for run_scanner() (the program LIBEXECDIR/spoolgate/spamassassin)
/// and run_builtin() (spoolgate's --hook builtin:spamassassin).
std::unique_ptr<Scanner> make_spamassassin();

}  // namespace spoolgate::scan
