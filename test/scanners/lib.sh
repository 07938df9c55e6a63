# shellcheck shell=bash
# test/scanners/lib.sh - run a scanner hook the way spoolgate runs it, and check what it said
#
#   . test/scanners/lib.sh
#   scan_test_init NAME HOOK          # root or skip; work dir, messages, daemons dir, EXIT trap
#   run_hook MODE MESSAGE [ARG...]    # HOOK_STATUS, HOOK_OUT, HOOK_REASON, HOOK_SECONDS
#   expect_hook WHAT STATUS [REASON-ERE]   # the exit status, and the REASON
#   expect_out WHAT ERE / expect_no_out WHAT ERE   # stdout (header fields)
#   check WHAT CMD...                 # any other check
#   scan_finish                       # the summary; exit 1 if a check failed
#
# run_hook runs HOOK as spoolgate does (SPEC "The hook"): as user nobody
# (setpriv), with only the SPOOLGATE_* environment and PATH, the message on
# stdin as a seekable regular file, SPOOLGATE_HOOK_OUTPUT=MODE ("-" leaves
# it unset). The client is 192.0.2.10 (SCAN_CLIENT_ADDRESS), a real-looking
# address that is only a value here. HOOK_REASON is the last non-empty line
# of stderr, what spoolgate takes as REASON; HOOK_SECONDS the wall time.
#
# The messages, made by scan_test_init in $SCAN_DIR/msg (a+r): clean.eml
# (a complete, ordinary message), eicar-plain.eml (EICAR as the body),
# eicar-attachment.eml (EICAR as a base64 MIME attachment), gtube.eml,
# big.eml (about 30 MB: 23,000,000 random octets in base64).
#
# SCAN_KEEP=1 keeps the work directory; it is always kept when a check fails.

SCAN_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$SCAN_HERE/daemons.sh"

SCAN_PASSED=0
SCAN_FAILED=0
SCAN_CLIENT_ADDRESS=${SCAN_CLIENT_ADDRESS:-192.0.2.10}

scan_log() { printf '%s: %s\n' "$SCAN_NAME" "$*"; }
scan_skip() {
    scan_log "SKIP: $*"
    exit 77
}

check() {
    local what=$1
    shift
    if "$@"; then
        SCAN_PASSED=$((SCAN_PASSED + 1))
        scan_log "ok - $what"
    else
        SCAN_FAILED=$((SCAN_FAILED + 1))
        scan_log "NOT OK - $what"
    fi
}

scan_cleanup() {
    stop_daemons
    if [ "$SCAN_FAILED" = 0 ] && [ "${SCAN_KEEP:-0}" != 1 ]; then
        rm -rf "$SCAN_DIR"
    else
        scan_log "work directory kept: $SCAN_DIR"
    fi
}

# scan_test_init NAME HOOK
scan_test_init() {
    SCAN_NAME=$1
    SCAN_HOOK=$2
    [ "$(id -u)" = 0 ] || scan_skip "needs root: the hooks run as nobody, the daemons switch to nobody"
    [ -x "$SCAN_HOOK" ] || { scan_log "no hook binary $SCAN_HOOK"; exit 1; }
    SCAN_DIR=$(mktemp -d "/tmp/spoolgate-$SCAN_NAME.XXXXXX") || exit 1
    chmod 755 "$SCAN_DIR"
    trap scan_cleanup EXIT
    scan_daemons_init "$SCAN_DIR/daemons"
    scan_make_messages "$SCAN_DIR/msg"
    setpriv --reuid=nobody --regid=nogroup --clear-groups -- test -x "$SCAN_HOOK" \
        || { scan_log "user nobody cannot run $SCAN_HOOK (chmod -R a+rX the tree)"; exit 1; }
}

# scan_headers SUBJECT: the header of the test messages
scan_headers() {
    printf '%s\n' "From: Alice Example <alice@example.org>" "To: Bob Example <bob@example.net>" \
        "Subject: $1" "Date: $(LC_ALL=C date -R)" "Message-ID: <$RANDOM.$$.$1@example.org>" "MIME-Version: 1.0"
}

scan_make_messages() {
    local m=$1
    mkdir -p "$m"
    { scan_headers minutes; printf '%s\n' "Content-Type: text/plain; charset=us-ascii" "" "Hello Bob," "" \
        "here are the minutes of Tuesday's meeting. We agreed to move the review" \
        "to Thursday afternoon, and Carol will send the figures beforehand." "" "Regards," "Alice"
    } > "$m/clean.eml"
    { scan_headers plain; printf '%s\n' "Content-Type: text/plain" "" "$SCAN_EICAR"; } > "$m/eicar-plain.eml"
    { scan_headers attachment
      printf '%s\n' 'Content-Type: multipart/mixed; boundary="=-b"' "" "--=-b" "Content-Type: text/plain" "" \
          "The file you asked for." "--=-b" "Content-Type: application/octet-stream; name=\"eicar.com\"" \
          "Content-Transfer-Encoding: base64" "Content-Disposition: attachment; filename=\"eicar.com\"" ""
      printf '%s' "$SCAN_EICAR" | base64 -w 76
      printf '%s\n' "--=-b--"
    } > "$m/eicar-attachment.eml"
    { scan_headers gtube; printf '%s\n' "Content-Type: text/plain" "" "$SCAN_GTUBE"; } > "$m/gtube.eml"
    { scan_headers big
      printf '%s\n' 'Content-Type: multipart/mixed; boundary="=-b"' "" "--=-b" "Content-Type: text/plain" "" \
          "The archive." "--=-b" "Content-Type: application/octet-stream; name=\"data.bin\"" \
          "Content-Transfer-Encoding: base64" ""
      head -c 23000000 /dev/urandom | base64 -w 76
      printf '%s\n' "--=-b--"
    } > "$m/big.eml"
    chmod a+rx "$m" && chmod a+r "$m"/*.eml
}

# run_hook MODE MESSAGE [ARG...]
run_hook() {
    local mode=$1 msg=$2 t0 t1
    shift 2
    local env=(PATH=/usr/bin:/bin SPOOLGATE_SENDER=alice@example.org
        "SPOOLGATE_RECIPIENTS=bob@example.net"$'\n'"carol@example.net"
        "SPOOLGATE_CLIENT_ADDRESS=$SCAN_CLIENT_ADDRESS" SPOOLGATE_CLIENT_HOSTNAME=mail.example.org
        SPOOLGATE_CLIENT_HELO=mail.example.org SPOOLGATE_CLIENT_SOURCE=REMOTE SPOOLGATE_CLIENT_PROTO=ESMTP
        "SPOOLGATE_QUEUE_ID=${SCAN_QUEUE_ID:-4SgTest1}" "SPOOLGATE_SIZE=$(stat -c %s "$msg")")
    [ "$mode" = - ] || env+=("SPOOLGATE_HOOK_OUTPUT=$mode")
    t0=$(date +%s%N)
    setpriv --reuid=nobody --regid=nogroup --clear-groups -- env -i "${env[@]}" "$SCAN_HOOK" "$@" \
        < "$msg" > "$SCAN_DIR/out" 2> "$SCAN_DIR/err"
    HOOK_STATUS=$?
    t1=$(date +%s%N)
    HOOK_SECONDS=$(awk -v n=$((t1 - t0)) 'BEGIN { printf "%.2f", n / 1e9 }')
    HOOK_OUT=$(cat "$SCAN_DIR/out")
    HOOK_REASON=$(grep -v '^[[:space:]]*$' "$SCAN_DIR/err" | tail -n 1)
    scan_log "  $(basename "$SCAN_HOOK") $* < $(basename "$msg") [${mode}]: exit $HOOK_STATUS in $HOOK_SECONDS s${HOOK_REASON:+, REASON: $HOOK_REASON}"
}

reason_matches() { grep -Eq -- "$1" <<< "$HOOK_REASON"; }

# expect_hook WHAT STATUS [REASON-ERE]
expect_hook() {
    check "$1: exit $2" [ "$HOOK_STATUS" = "$2" ]
    [ $# -lt 3 ] || check "$1: REASON matches /$3/" reason_matches "$3"
}

out_matches() { grep -Eq -- "$1" <<< "$HOOK_OUT"; }
out_lacks() { ! out_matches "$1"; }
expect_out() { check "$1: stdout has /$2/" out_matches "$2"; }
expect_no_out() { check "$1: stdout has no /$2/" out_lacks "$2"; }

# seconds_below LIMIT: the last hook run took less than LIMIT seconds
seconds_below() { awk -v s="$HOOK_SECONDS" -v l="$1" 'BEGIN { exit !(s < l) }'; }

# expect_failures_defer OPTION: a bad option, a bad output mode, rewrite
# mode, nobody listening at OPTION's address, a daemon that never answers
# (deferred within --timeout 2, with 3 s of slack for a busy machine) and
# one that answers garbage: each one defers (exit 75) with a REASON that
# names the hook and says why
expect_failures_defer() {
    local opt=$1 name port
    name=$(basename "$SCAN_HOOK")
    run_hook check "$SCAN_DIR/msg/clean.eml" --bogus
    expect_hook "unknown option" 75 "^$name: bad usage: unknown option --bogus"
    run_hook check "$SCAN_DIR/msg/clean.eml" --timeout x
    expect_hook "bad --timeout" 75 "^$name: bad usage: --timeout"
    run_hook bogus "$SCAN_DIR/msg/clean.eml"
    expect_hook "unknown SPOOLGATE_HOOK_OUTPUT" 75 "^$name: bad usage: SPOOLGATE_HOOK_OUTPUT"
    run_hook rewrite "$SCAN_DIR/msg/clean.eml"
    expect_hook "rewrite mode is refused" 75 "^4\.3\.5 $name: hook-output rewrite is not supported"
    scan_pick_port port
    run_hook check "$SCAN_DIR/msg/clean.eml" "$opt" "127.0.0.1:$port"
    expect_hook "nobody listening" 75 "^$name: 127\.0\.0\.1:$port: cannot connect: .*refused"
    start_fake_daemon hang || return 1
    run_hook check "$SCAN_DIR/msg/clean.eml" "$opt" "127.0.0.1:$FAKE_PORT" --timeout 2
    expect_hook "a hung daemon" 75 "^$name: 127\.0\.0\.1:$FAKE_PORT: timed out .*--timeout 2 s"
    check "a hung daemon: deferred within --timeout 2 s (+3 s slack), in $HOOK_SECONDS s" seconds_below 5
    stop_fake_daemon
    start_fake_daemon garbage || return 1
    run_hook headers "$SCAN_DIR/msg/clean.eml" "$opt" "127.0.0.1:$FAKE_PORT"
    expect_hook "a garbage answer" 75 "^$name: 127\.0\.0\.1:$FAKE_PORT: garbage reply"
    expect_no_out "a garbage answer" "."
    stop_fake_daemon
}

scan_finish() {
    scan_log "$SCAN_PASSED checks ok, $SCAN_FAILED not ok"
    [ "$SCAN_FAILED" = 0 ]
    exit
}
