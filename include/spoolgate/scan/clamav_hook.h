// scan/clamav_hook.h - the clamav hook: clamd's verdict as spoolgate's
//
// DESCRIPTION
//   clamav [--clamd unix:PATH|HOST:PORT] [--virus reject|discard]
//          [--timeout S] [--max-size BYTES] [--oversize pass|defer]
//
//   The clamd at --clamd (default unix:/var/run/clamav/clamd.ctl, Debian's)
//   scans the message (clamd.h). clamav_outcome() maps its result:
//
//     clamd says    check mode                  headers mode
//     clean         accept                      accept, X-Virus-Status: Clean
//     virus NAME    --virus (reject), REASON "5.7.1 virus found: NAME"
//     too large     --oversize (pass: accept with the note; defer)
//
//   --max-size defaults to 25 MiB, Debian's MaxFileSize and StreamMaxLength.
//
// SEE ALSO
//   scanner.h (what every hook does around the scan), man spoolgate(8).
#pragma once

#include <memory>

#include "spoolgate/net.h"
#include "spoolgate/scan/clamd.h"
#include "spoolgate/scan/option_parser.h"
#include "spoolgate/scan/outcome.h"

namespace spoolgate::scan {

class Scanner;

struct ClamavOptions {
  Endpoint clamd;  ///< default unix:/var/run/clamav/clamd.ctl
  Verdict virus = Verdict::reject;
};

/// --clamd, --virus.
void add_clamav_options(OptionParser& parser, ClamavOptions* options);

/// The outcome of clamd's `result`.
Outcome clamav_outcome(const ClamdResult& result, const ClamavOptions& options, const CommonOptions& common,
                       OutputMode mode);

/// The clamav hook, for run_scanner() (the program LIBEXECDIR/spoolgate/clamav)
/// and run_builtin() (spoolgate's --hook builtin:clamav).
std::unique_ptr<Scanner> make_clamav();

}  // namespace spoolgate::scan
