#!/bin/bash
# test/scanners/spamassassin_test.sh - the spamassassin hook against Debian's spamd, started privately
#
#   spamassassin_test.sh HOOK SRCDIR
#
# One spamd (daemons.sh: -L, Debian's shipped rules) for every case: clean
# mail, GTUBE (reject, --spam discard), headers mode (the X-Spam-* fields,
# NO on clean mail, GTUBE tagged and accepted unless past --reject-score),
# the envelope reaching SpamAssassin (the hook's Received: field), the
# 30 MB message (above the default --max-size; scanned whole with it
# raised), the failures (bad usage, hung, garbage, nobody listening), and
# spamd stopped. Skipped (77) without the spamd package.
set -u
. "$(dirname "$0")/lib.sh"
have_spamd || scan_skip "spamd not found: install spamd and spamassassin (scripts/setup.sh does)"
scan_test_init spamassassin "$1"
M=$SCAN_DIR/msg
start_spamd || exit 1
SPAMD=127.0.0.1:$SPAMD_PORT

run_hook check "$M/clean.eml" --spamd "$SPAMD"
expect_hook "clean mail is accepted" 0
check "clean mail: nothing on stderr" [ -z "$HOOK_REASON" ]
run_hook headers "$M/clean.eml" --spamd "$SPAMD"
expect_hook "clean mail, headers mode: accepted" 0
expect_out "clean mail, headers mode" "^X-Spam-Flag: NO$"
expect_out "clean mail, headers mode" "^X-Spam-Status: No, score=-?[0-9]+\.[0-9] required=5\.0 tests="
expect_out "clean mail, headers mode" "^X-Spam-Level: \**$"
# the hook's Received: field tells SpamAssassin the relay and the envelope
expect_no_out "the synthesized Received: reached spamd" "NO_RECEIVED|NO_RELAYS"

run_hook check "$M/gtube.eml" --spamd "$SPAMD"
expect_hook "GTUBE is rejected with the score and threshold" 69 "^5\.7\.1 spam: score 1[0-9]{3}\.[0-9], required 5\.0$"
run_hook check "$M/gtube.eml" --spamd "$SPAMD" --spam discard
expect_hook "GTUBE, --spam discard" 99 "^5\.7\.1 spam: score"
run_hook headers "$M/gtube.eml" --spamd "$SPAMD"
expect_hook "GTUBE, headers mode: tagged and accepted" 0
expect_out "GTUBE, headers mode" "^X-Spam-Flag: YES$"
expect_out "GTUBE, headers mode" "^X-Spam-Status: Yes, score=1[0-9]{3}\.[0-9] required=5\.0 tests=(.*,)?GTUBE"
expect_out "GTUBE, headers mode" "^X-Spam-Level: \*{50}$"
run_hook headers "$M/gtube.eml" --spamd "$SPAMD" --reject-score 100
expect_hook "GTUBE, headers mode, --reject-score 100: rejected" 69 "^5\.7\.1 spam: score 1[0-9]{3}\.[0-9], required 100\.0$"
run_hook check "$M/gtube.eml" --spamd "$SPAMD" --reject-score 2000
expect_hook "GTUBE, check mode, --reject-score 2000: accepted" 0
run_hook - "$M/gtube.eml" --spamd "$SPAMD"
expect_hook "no SPOOLGATE_HOOK_OUTPUT: check mode" 69

# the 30 MB message: over the default --max-size (500 KiB, spamc's)
run_hook headers "$M/big.eml" --spamd "$SPAMD"
expect_hook "30 MB, headers mode: accepted" 0
expect_out "30 MB, headers mode: the note" "^X-Spoolgate-Unscanned: spamassassin: [0-9]+ octets over --max-size 512000, not scanned$"
expect_no_out "30 MB, headers mode: no X-Spam-Flag for a message not scanned" "X-Spam-Flag"
run_hook check "$M/big.eml" --spamd "$SPAMD"
expect_hook "30 MB, check mode: the note is the last stderr line" 0 "^X-Spoolgate-Unscanned: spamassassin: "
run_hook check "$M/big.eml" --spamd "$SPAMD" --oversize defer
expect_hook "30 MB, --oversize defer" 75 "^4\.3\.4 spamassassin: "
run_hook headers "$M/big.eml" --spamd "$SPAMD" --max-size 64M --timeout 50
expect_hook "30 MB, --max-size 64M: scanned whole (in $HOOK_SECONDS s)" 0
expect_out "30 MB, --max-size 64M" "^X-Spam-Flag: NO$"

expect_failures_defer --spamd

stop_spamd
run_hook check "$M/gtube.eml" --spamd "$SPAMD"
expect_hook "spamd stopped: deferred, never accepted or rejected" 75 "^spamassassin: $SPAMD: cannot connect"
scan_finish
