// pipe_mode.h - --pipe: the simple filter that pipe(8) runs once per message
//
// DESCRIPTION
//   run_pipe() reads the message on stdin (LF or CRLF line ends), spools
//   it, runs the same hook as the server modes, and on accept sends it to
//   the next hop by SMTP: MAIL FROM:<-f SENDER> (SIZE=, BODY=8BITMIME and
//   SMTPUTF8 when the next hop announces them and the message needs them),
//   one RCPT per recipient, DATA. All or nothing: if the next hop refuses
//   any recipient, nothing is sent (RSET).
//
//   The exit status follows sysexits.h, as pipe(8) reads it: 0 delivered or
//   discarded, 69 rejected (hook, or a 5xx from the next hop), 75 anything
//   temporary. One line on stdout says why, beginning with an enhanced
//   status code of the exit's own class, which pipe(8) lets override the
//   status. The whole run is bounded by --deadline (SIGALRM as the last
//   resort), kept under Postfix's command_time_limit.
#pragma once

#include "spoolgate/options.h"

namespace spoolgate {

int run_pipe(const Options& opts);

}  // namespace spoolgate
