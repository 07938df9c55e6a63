#!/bin/bash
# test/postfix/scanners_test.sh -- the shipped scanner hooks in a chain, behind
# a real Postfix, against the real daemons (issue 10): spoolgate reads a
# --config file with "hook = clamav ..." then "hook = spamassassin ...", as an
# administrator writes it; Debian's clamd (with the test's own EICAR
# signatures) and spamd run privately on loopback (test/scanners/daemons.sh).
#
#   scanners_test.sh SCENARIO SPOOLGATE [SOURCE_DIR]
#
# After the queue the hooks are spoolgate's built-in ones (builtin:clamav,
# builtin:spamassassin: run inside spoolgate, the configuration the man
# page recommends); before the queue, the programs built beside SPOOLGATE
# (clamav, spamassassin), as spawned processes.
#
# SCENARIO:
#   after-queue   a clean message is delivered once, tagged by spamassassin
#                 (X-Spam-Flag: NO); EICAR and GTUBE are discarded (--virus
#                 discard, --spam discard past --reject-score 10: the
#                 after-queue advice; below it spam would be tagged),
#                 each with a quarantine copy naming its cause, never
#                 delivered or bounced; with clamd stopped a clean message
#                 stays deferred ("clamav: ... "), and once clamd is back it
#                 is delivered once
#   before-queue  the same chain before the queue, rejecting: the client
#                 gets 550 for EICAR and GTUBE, the clean message is
#                 delivered once; with spamd stopped the client gets 451
#
# Exit: 0 pass, 1 fail, 77 skip (not root, no postfix, no clamd or spamd).
# shellcheck disable=SC2317  # the check functions run through pf_wait
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=test/postfix/lib.sh
. "$HERE/lib.sh"
# shellcheck source=test/scanners/daemons.sh
. "$HERE/../scanners/daemons.sh"
pf_test_args scanners "after-queue before-queue" "$@"
CLAMAV=$(dirname "$SPOOLGATE")/clamav
SPAMASSASSIN=$(dirname "$SPOOLGATE")/spamassassin
have_clamd && have_spamd || { pf_log "SKIP: clamd or spamd is not installed (scripts/setup.sh installs them)"; exit 77; }

# setup PLACEMENT VIRUS-POLICY SPAM-POLICY: daemons, the chain's config file
# (each hook with its options), the instance
setup() {
    local placement=$1 virus=$2 spam=$3
    local at=builtin:
    [ "$placement" = after-queue ] || at=$(dirname "$SPOOLGATE")/
    pf_require_nobody_access "$SPOOLGATE" "$CLAMAV" "$SPAMASSASSIN"
    pf_init "scanners-$SCENARIO"
    # the daemons go too, whatever ends the test (then lib.sh's own clean-up)
    trap 'st=$?; stop_daemons; (exit $st); pf_on_exit' EXIT
    W=$PF_DIR/work
    chmod 0755 "$W"
    SGLOG=$PF_DIR/spoolgate.log
    QDIR=$W/quarantine
    CONF=$W/spoolgate.conf
    install -m 0644 -o "$PF_FILTER_USER" /dev/null "$SGLOG"
    install -d -m 0700 -o "$PF_FILTER_USER" "$QDIR"
    scan_daemons_init "$PF_DIR/daemons"
    start_clamd > "$W/clamd.start" 2>&1 || { cat "$W/clamd.start" >&2; pf_die "clamd did not start"; }
    start_spamd > "$W/spamd.start" 2>&1 || { cat "$W/spamd.start" >&2; pf_die "spamd did not start"; }
    cat > "$CONF" <<EOF
# the chain of the man page's SCANNERS section, daemons on the test's ports
hook = ${at}clamav --clamd unix:$CLAMD_SOCKET $virus
hook-output = check
hook = ${at}spamassassin --spamd 127.0.0.1:$SPAMD_PORT $spam
hook-output = headers
hook-timeout = 50
quarantine-dir = $QDIR
log-file = $SGLOG
EOF
    chmod 0644 "$CONF"
    pf_write_base_config
    pf_add_example "$placement" "$SPOOLGATE" "--config=$CONF"
    pf_start_sink
    pf_start
}

# message NAME BODY-LINE: a test message file and its Message-ID (MSGID)
message() {
    MSGID="scanners-$SCENARIO-$1.$$.$RANDOM@test.example.com"
    $MSG make "$W/$1.eml" "$MSGID" "$2"
}

sglog_has() { grep -qE -- "$1" "$SGLOG" 2> /dev/null; }
retry_now() { postqueue -c "$PF_DIR/etc" -f > /dev/null 2>&1; }

# expect_discarded NAME MSGID REASON-REGEX: discarded, quarantined, never delivered
expect_discarded() {
    local name=$1 msgid=$2 why=$3
    if pf_wait 40 sglog_has "verdict=discard, .*reason=\\($why"; then
        pf_pass "$name: spoolgate discarded it: $(grep -E "verdict=discard, .*reason=\\($why" "$SGLOG" | head -1 | grep -oE 'hook=.*')"
    else
        pf_fail "$name: no 'verdict=discard ... reason=($why' in spoolgate's log"
    fi
    local q
    q=$(grep -lF "Message-ID: <$msgid>" "$QDIR"/* 2> /dev/null | head -1)
    if [ -n "$q" ] && grep -qE "^X-Spoolgate-Reason: .*$why" "$q"; then
        pf_pass "$name: quarantined as $(basename "$q"), $(grep -E '^X-Spoolgate-(Verdict|Hook|Reason):' "$q" | tr '\n' ' ')"
    else
        pf_fail "$name: no quarantine file with its Message-ID and 'X-Spoolgate-Reason: ...$why'"
    fi
    pf_wait 30 pf_queue_empty || pf_fail "$name: the queue is not empty"
    sleep 1
    if pf_sink_has "$msgid"; then pf_fail "$name: it reached the sink (or a bounce of it did)"; fi
}

scenario_after-queue() {
    setup after-queue "--virus discard" "--spam discard --reject-score 10"
    message clean "Lunch on Thursday? The usual place at noon."
    local clean=$MSGID
    pf_submit_queued sender@example.com rcpt@example.net "$W/clean.eml"
    pf_expect_delivered_once "$clean" "$W/clean.eml" "X-Spam-Flag: NO" rcpt@example.net 1
    message eicar "$SCAN_EICAR"
    pf_submit_queued sender@example.com rcpt@example.net "$W/eicar.eml"
    expect_discarded EICAR "$MSGID" "5\\.7\\.1 virus found: Spoolgate\\.Test\\.EICAR"
    message gtube "$SCAN_GTUBE"
    pf_submit_queued sender@example.com rcpt@example.net "$W/gtube.eml"
    expect_discarded GTUBE "$MSGID" "5\\.7\\.1 spam: score"
    # clamd down: deferred, with the hook's reason; back: delivered once
    stop_clamd
    message later "Sent while the virus scanner was down."
    pf_submit_queued sender@example.com rcpt@example.net "$W/later.eml"
    deferred_by_clamav() {
        postqueue -c "$PF_DIR/etc" -j 2> /dev/null | grep -F "\"queue_id\": \"$QID\"" |
            grep -qE '"delay_reason": "[^"]*451 4\.7\.1 clamav: '
    }
    if pf_wait 40 deferred_by_clamav; then
        pf_pass "clamd down: $QID deferred: $(postqueue -c "$PF_DIR/etc" -j | grep -F "\"queue_id\": \"$QID\"" | grep -oE '"delay_reason": "[^"]*"')"
    else
        pf_fail "clamd down: $QID is not deferred with the clamav hook's reason"
        pf_finish
    fi
    start_clamd > "$W/clamd.restart" 2>&1 || pf_die "clamd did not start again"
    retry_now
    pf_expect_delivered_once "$MSGID" "$W/later.eml" "X-Spam-Flag: NO" rcpt@example.net 1
    pf_finish
}

# refused NAME CODE-REGEX: the client's reply to the message matches
refused() {
    if [ "$PF_SUBMIT_STATUS" != 0 ] && grep -qE -- "^$2" <<< "$PF_REPLY"; then
        pf_pass "$1: the client got $PF_REPLY"
    else
        pf_fail "$1: the client got '$PF_REPLY', not /$2/"
    fi
}

scenario_before-queue() {
    setup before-queue "" "--reject-score 10"
    message clean "Lunch on Thursday? The usual place at noon."
    local clean=$MSGID
    pf_submit sender@example.com rcpt@example.net "$W/clean.eml"
    [ "$PF_SUBMIT_STATUS" = 0 ] || pf_fail "the clean message was refused: $PF_REPLY"
    pf_expect_delivered_once "$clean" "$W/clean.eml" "X-Spam-Flag: NO" rcpt@example.net 1
    message eicar "$SCAN_EICAR"
    pf_submit sender@example.com rcpt@example.net "$W/eicar.eml"
    refused EICAR "550 5\\.7\\.1 virus found: Spoolgate\\.Test\\.EICAR"
    message gtube "$SCAN_GTUBE"
    pf_submit sender@example.com rcpt@example.net "$W/gtube.eml"
    refused GTUBE "550 5\\.7\\.1 spam: score"
    stop_spamd
    message later "Sent while the spam scanner was down."
    pf_submit sender@example.com rcpt@example.net "$W/later.eml"
    refused "spamd down" "451 4\\.7\\.1 spamassassin: "
    sleep 2
    [ "$(pf_sink_count)" = 1 ] && pf_pass "only the clean message reached the sink" ||
        pf_fail "the sink holds $(pf_sink_count) messages, not 1"
    pf_finish
}

"scenario_$SCENARIO"
