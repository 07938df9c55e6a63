#!/bin/bash
# test/scanners/rspamd_test.sh - the rspamd hook against Debian's rspamd, started privately
#
#   rspamd_test.sh HOOK SRCDIR
#
# One rspamd (daemons.sh: its own configuration, one normal worker, DNS
# failing fast) for every case: clean mail, GTUBE (rspamd's reject action:
# reject, --spam discard, still a reject in headers mode), headers mode on
# clean mail (X-Spam-Flag: NO), the envelope reaching rspamd (its log line
# shows the client address and queue ID the hook passed), the 30 MB message
# (under the default --max-size of 50 MiB: scanned whole; above a lowered
# one: the note), the failures (bad usage, hung, garbage, nobody
# listening), and rspamd stopped. Skipped (77) without the rspamd package.
set -u
. "$(dirname "$0")/lib.sh"
have_rspamd || scan_skip "rspamd not found: install rspamd (scripts/setup.sh does)"
scan_test_init rspamd "$1"
M=$SCAN_DIR/msg
start_rspamd || exit 1
RSPAMD=127.0.0.1:$RSPAMD_PORT

run_hook check "$M/clean.eml" --rspamd "$RSPAMD"
expect_hook "clean mail is accepted" 0
check "clean mail: nothing on stderr" [ -z "$HOOK_REASON" ]
SCAN_QUEUE_ID=4SgRspamd7 run_hook headers "$M/clean.eml" --rspamd "$RSPAMD"
expect_hook "clean mail, headers mode: accepted" 0
expect_out "clean mail, headers mode" "^X-Spam-Flag: NO$"
expect_out "clean mail, headers mode" "^X-Spam-Status: No, score=-?[0-9]+\.[0-9] required=15\.0 tests="
expect_out "clean mail, headers mode" "^X-Spam-Level: \**$"
log_has() { grep -F -- "$1" "$SCAN_DIR/daemons/rspamd/log/rspamd.log" | grep -qF -- "$2"; }
check "rspamd saw the client address and queue ID the hook passed" log_has "qid: <4SgRspamd7>" "ip: $SCAN_CLIENT_ADDRESS"
check "rspamd saw the envelope sender" log_has "qid: <4SgRspamd7>" "from: <alice@example.org>"

GTUBE='^5\.7\.1 spam: score 15\.0, required 15\.0: Gtube pattern$'
run_hook check "$M/gtube.eml" --rspamd "$RSPAMD"
expect_hook "GTUBE (action reject) is rejected with the score and rspamd's words" 69 "$GTUBE"
run_hook check "$M/gtube.eml" --rspamd "$RSPAMD" --spam discard
expect_hook "GTUBE, --spam discard" 99 "$GTUBE"
run_hook headers "$M/gtube.eml" --rspamd "$RSPAMD"
expect_hook "GTUBE, headers mode: rspamd's reject is still a reject" 69 "$GTUBE"
run_hook - "$M/gtube.eml" --rspamd "$RSPAMD"
expect_hook "no SPOOLGATE_HOOK_OUTPUT: check mode" 69

# the 30 MB message: under the default --max-size (50 MiB, rspamd's max_message)
run_hook headers "$M/big.eml" --rspamd "$RSPAMD"
expect_hook "30 MB: scanned whole (in $HOOK_SECONDS s), accepted" 0
expect_out "30 MB: scanned" "^X-Spam-Status: "
expect_no_out "30 MB: scanned" "X-Spoolgate-Unscanned"
run_hook headers "$M/big.eml" --rspamd "$RSPAMD" --max-size 10M
expect_hook "30 MB, --max-size 10M: accepted" 0
expect_out "30 MB, --max-size 10M: the note" "^X-Spoolgate-Unscanned: rspamd: [0-9]+ octets over --max-size 10485760, not scanned$"
run_hook check "$M/big.eml" --rspamd "$RSPAMD" --max-size 10M --oversize defer
expect_hook "30 MB, --max-size 10M --oversize defer" 75 "^4\.3\.4 rspamd: "

expect_failures_defer --rspamd

stop_rspamd
run_hook check "$M/gtube.eml" --rspamd "$RSPAMD"
expect_hook "rspamd stopped: deferred, never accepted or rejected" 75 "^rspamd: $RSPAMD: cannot connect"
scan_finish
