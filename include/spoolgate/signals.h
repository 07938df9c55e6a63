// signals.h - the signals spoolgate handles, and how a wait sees them
//
// DESCRIPTION
//   install() ignores SIGPIPE (a write to a closed peer is an EPIPE, handled
//   where it happens) and SIGXFSZ (a spool past RLIMIT_FSIZE is an EFBIG,
//   which becomes a 4xx), and blocks SIGTERM, SIGINT and SIGHUP outside of
//   waits. wait_mask() is the mask ppoll() runs with: those three unblocked,
//   so their handler runs only inside a wait, and pending_termination() tells
//   the waiter which one arrived. A child process resets all of this with
//   reset_for_child() before it execs.
#pragma once

#include <csignal>

namespace spoolgate::signals {

/// Install the dispositions above. Call once, early in main.
void install();
/// The signal mask to wait with (termination signals unblocked).
const sigset_t* wait_mask();
/// The termination signal received so far, or 0.
int pending_termination();
/// In a forked child before exec: default dispositions, empty mask.
void reset_for_child();

}  // namespace spoolgate::signals
