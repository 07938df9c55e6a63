#!/bin/bash
# test/scanners/clamav_test.sh - the clamav hook against Debian's clamd, started privately
#
#   clamav_test.sh HOOK SRCDIR
#
# One clamd (daemons.sh: EICAR signatures of the test's own, Debian's size
# limits) for every case, over its UNIX socket (FILDES) and over TCP
# (INSTREAM): clean mail, EICAR as the body and as a base64 attachment,
# --virus discard, headers mode, the 30 MB message (above --max-size; and
# with --max-size raised: clamd's own StreamMaxLength over TCP), a pipe
# on stdin, the failures (bad usage, hung, garbage, nobody listening), and
# clamd stopped. Skipped (77) without the clamav-daemon package.
set -u
. "$(dirname "$0")/lib.sh"
have_clamd || scan_skip "clamd not found: install clamav-daemon (scripts/setup.sh does)"
scan_test_init clamav "$1"
M=$SCAN_DIR/msg
start_clamd || exit 1
check "clamd loaded both test signatures (.ndb and .hdb)" grep -q "Loaded 2 signatures" "$SCAN_DIR/daemons/clamd/clamd.log"

VIRUS='^5\.7\.1 virus found: Spoolgate\.Test\.EICAR-(Body|Hash)\.UNOFFICIAL$'
for clamd in "unix:$CLAMD_SOCKET" "127.0.0.1:$CLAMD_PORT"; do
    run_hook check "$M/clean.eml" --clamd "$clamd"
    expect_hook "$clamd: clean mail is accepted" 0
    check "$clamd: clean mail: nothing on stderr" [ -z "$HOOK_REASON" ]
    run_hook headers "$M/clean.eml" --clamd "$clamd"
    expect_hook "$clamd: clean mail, headers mode" 0
    check "$clamd: headers mode prints X-Virus-Status: Clean" [ "$HOOK_OUT" = "X-Virus-Status: Clean" ]
    run_hook check "$M/eicar-plain.eml" --clamd "$clamd"
    expect_hook "$clamd: EICAR as the body is rejected" 69 "$VIRUS"
    run_hook check "$M/eicar-attachment.eml" --clamd "$clamd"
    expect_hook "$clamd: EICAR as a base64 attachment is rejected" 69 "$VIRUS"
    run_hook headers "$M/eicar-attachment.eml" --clamd "$clamd"
    expect_hook "$clamd: a virus is still a reject in headers mode" 69 "$VIRUS"
    expect_no_out "$clamd: rejected" "."
    run_hook check "$M/eicar-plain.eml" --clamd "$clamd" --virus discard
    expect_hook "$clamd: --virus discard" 99 "$VIRUS"
done

# SPOOLGATE_HOOK_OUTPUT unset is check mode; the default socket is Debian's
run_hook - "$M/eicar-plain.eml" --clamd "unix:$CLAMD_SOCKET"
expect_hook "no SPOOLGATE_HOOK_OUTPUT: check mode" 69 "$VIRUS"
run_hook check "$M/clean.eml"
expect_hook "the default --clamd is Debian's socket" 75 "^clamav: unix:/var/run/clamav/clamd\.ctl: cannot connect"

# a pipe on stdin (a person trying the hook): copied, then scanned
check "a pipe on stdin: EICAR found" bash -c \
    "cat '$M/eicar-plain.eml' | setpriv --reuid=nobody --regid=nogroup --clear-groups -- '$SCAN_HOOK' \
     --clamd 'unix:$CLAMD_SOCKET' 2>&1 | grep -q 'virus found'; [ \${PIPESTATUS[1]} = 69 ]"

# a memfd on stdin, its offset at the end (spoolgate's in-memory spool):
# FILDES passes it as it is, INSTREAM reads it by offset
memfd_hook() {
    python3 -c 'import os, sys
fd = os.memfd_create("spool")
os.write(fd, open(sys.argv[1], "rb").read())
os.dup2(fd, 0)
os.execvp(sys.argv[2], sys.argv[2:])' "$@"
}
for clamd in "unix:$CLAMD_SOCKET" "127.0.0.1:$CLAMD_PORT"; do
    check "a memfd on stdin ($clamd): EICAR found" bash -c \
        "$(declare -f memfd_hook); memfd_hook '$M/eicar-attachment.eml' setpriv --reuid=nobody --regid=nogroup \
         --clear-groups -- '$SCAN_HOOK' --clamd '$clamd' 2>&1 | grep -q 'virus found'; [ \${PIPESTATUS[0]} = 69 ]"
done

# the 30 MB message: over the default --max-size (25 MiB, Debian's
# MaxFileSize and StreamMaxLength), never sent, never a silent pass
UNSCANNED='^X-Spoolgate-Unscanned: clamav: [0-9]+ octets over --max-size 26214400, not scanned$'
run_hook check "$M/big.eml" --clamd "unix:$CLAMD_SOCKET"
expect_hook "30 MB, check mode: accepted with the note as the last stderr line" 0 "$UNSCANNED"
run_hook headers "$M/big.eml" --clamd "unix:$CLAMD_SOCKET"
expect_hook "30 MB, headers mode: accepted" 0
expect_out "30 MB, headers mode: the note is a field" "$UNSCANNED"
expect_no_out "30 MB, headers mode: not called clean" "X-Virus-Status"
run_hook check "$M/big.eml" --clamd "unix:$CLAMD_SOCKET" --oversize defer
expect_hook "30 MB, --oversize defer" 75 "^4\.3\.4 clamav: [0-9]+ octets over --max-size"
# --max-size raised past clamd's own StreamMaxLength (25M): clamd refuses
# the stream, and --oversize still decides
run_hook headers "$M/big.eml" --clamd "127.0.0.1:$CLAMD_PORT" --max-size 64M
expect_hook "30 MB over TCP past StreamMaxLength: accepted" 0
expect_out "30 MB over TCP past StreamMaxLength: the note names clamd's refusal" \
    "^X-Spoolgate-Unscanned: clamav: clamd did not scan it: INSTREAM size limit exceeded"
run_hook check "$M/big.eml" --clamd "127.0.0.1:$CLAMD_PORT" --max-size 64M --oversize defer
expect_hook "30 MB over TCP past StreamMaxLength, --oversize defer" 75 "^4\.3\.4 clamav: clamd did not scan it"
# the trap the default avoids: over FILDES, clamd skips a file past its
# MaxFileSize and answers OK (shown, not asserted: it is clamd's behaviour)
run_hook check "$M/big.eml" --clamd "unix:$CLAMD_SOCKET" --max-size 64M
scan_log "  (FILDES past clamd's MaxFileSize: exit $HOOK_STATUS: clamd said OK without scanning; hence --max-size 25M)"

expect_failures_defer --clamd

stop_clamd
for clamd in "unix:$CLAMD_SOCKET" "127.0.0.1:$CLAMD_PORT"; do
    run_hook check "$M/eicar-plain.eml" --clamd "$clamd"
    expect_hook "clamd stopped ($clamd): deferred, never accepted or rejected" 75 "^clamav: $clamd: cannot connect"
done
scan_finish
