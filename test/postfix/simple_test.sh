#!/bin/bash
# test/postfix/simple_test.sh -- spoolgate --pipe behind a real Postfix, as
# the "simple" after-queue content filter of FILTER_README: the port-25 smtpd
# has -o content_filter=filter:dummy, pipe(8) runs spoolgate --pipe once per
# recipient, and spoolgate delivers to the reinjection smtpd by SMTP.
# Configured from examples/simple/{main,master}.cf.
#
#   simple_test.sh SCENARIO SPOOLGATE [SOURCE_DIR]
#
# SCENARIO (each starts its own private Postfix instance):
#   deliver   a message the hook accepts reaches the final destination once,
#             its body byte for byte as sent, with the --add-header field, and
#             is not filtered again: one pipe delivery in Postfix's log, one
#             line in spoolgate's log, the reinjected copy goes to the sink
#   reject    a message the hook rejects (exit 69 from spoolgate) bounces to
#             the sender, the bounce quoting the hook's reason
#   defer     a message the hook defers (exit 75) stays in the deferred
#             queue and is retried; never delivered nor bounced
#   crash     the same for a hook that dies by SIGSEGV
#   next-hop-down  the reinjection smtpd is not there (its master.cf entry
#             left out): the message is deferred; once the entry is back
#             (postfix reload) the next try delivers it, once
#   null-sender  a message from the null sender (MAIL FROM:<>) goes through
#             pipe(8)'s null_sender= as -f "" and reaches the sink as
#             MAIL FROM:<>
#
# Exit: 0 pass, 1 fail, 77 skip (not root, or no postfix). On failure it
# prints what failed, then Postfix's log, spoolgate's log and the queue.
# shellcheck disable=SC2317,SC2015  # check functions run through pf_wait; pf_pass never fails
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=test/postfix/lib.sh
. "$HERE/lib.sh"
pf_test_args simple "deliver reject defer crash next-hop-down null-sender" "$@"

# setup HOOK-WORDS: the instance, examples/simple with spoolgate --pipe
# running the hook (test/hooks/ + HOOK-WORDS)
setup() {
    local hook=$1
    pf_require_nobody_access "$SPOOLGATE" "$HOOKS/${hook%% *}"
    pf_init "simple-$SCENARIO"
    W=$PF_DIR/work
    SGLOG=$PF_DIR/spoolgate.log
    # spoolgate runs as nobody: its log file must be writable by nobody
    install -m 0644 -o "$PF_FILTER_USER" /dev/null "$SGLOG"
    pf_write_base_config
    pf_add_example simple "$SPOOLGATE" "--log-file=$SGLOG" "--hook=$HOOKS/$hook" \
        "--hook-timeout=30" "--add-header=$ADDED_HEADER"
    [ -n "${SETUP_HOOK:-}" ] && "$SETUP_HOOK"
    pf_start_sink
    pf_start
    pf_log "Postfix started; filter: $(pf_master_entry '^filter[ \t]' < "$PF_DIR/etc/master.cf" | tr -s ' \n' ' ')"
}

# spoolgate's per-message log lines for recipient $1
sglog_for() { grep -E "spoolgate\\[[0-9]+\\]: [0-9A-Za-z]+: from=<[^>]*>, to=<$1>," "$SGLOG" 2> /dev/null; }
# Postfix's log lines for the pipe delivery of queue ID $1
pipe_line_re() { echo "postfix/pipe\\[[0-9]+\\]: $1: to=<[^>]*>, relay=filter, "; }

# check_sglog RCPT PATTERN: spoolgate logged exactly one line for RCPT, and
# it matches the bash PATTERN
check_sglog() {
    local lines
    lines=$(sglog_for "$1")
    # shellcheck disable=SC2053  # $2 is a pattern
    if [ "$(grep -c . <<< "$lines")" = 1 ] && [[ "$lines" == $2 ]]; then
        pf_pass "spoolgate logged one line: $lines"
    else
        pf_fail "spoolgate's log has not exactly one line for <$1> like '$2'; got: ${lines:-nothing}"
    fi
}

# check_kept_deferred MSGID DSN REASON: the message is deferred by pipe(8)
# with dsn=DSN (from spoolgate's stdout line) and a reason that begins with
# REASON (regexes), sits in the deferred queue, is tried again, and is
# neither delivered nor bounced
check_kept_deferred() {
    local msgid=$1 dsn=$2 why=$3 re
    re="$(pipe_line_re "$QID").*, dsn=($dsn), status=deferred \\(($why)"
    if pf_wait 30 pf_maillog_has "$re"; then
        pf_pass "Postfix logged the deferral of $QID: $(grep -E "$re" "$PF_DIR/maillog" | head -1 | grep -oE 'dsn=.*')"
    else
        pf_fail "no 'relay=filter, ..., dsn=$dsn, status=deferred ($why' for $QID in the maillog within 30 s"
        pf_finish
    fi
    in_deferred_queue() { [ "$(pf_queue_name "$QID")" = deferred ]; }
    if pf_wait 15 in_deferred_queue; then
        pf_pass "postqueue -j: $(postqueue -c "$PF_DIR/etc" -j | grep -F "\"queue_id\": \"$QID\"" | grep -oE '"queue_name": "[a-z]+"|"delay_reason": "[^"]*"' | tr '\n' ' ')"
    else
        pf_fail "$QID is not in the deferred queue (postqueue -j: $(postqueue -c "$PF_DIR/etc" -j))"
    fi
    deferred_twice() { [ "$(pf_maillog_count "$re")" -ge 2 ]; }
    if pf_wait 30 deferred_twice; then
        pf_pass "Postfix retried $QID and it was deferred again ($(pf_maillog_count "$re") tries so far)"
    else
        pf_fail "Postfix did not retry $QID within 30 s"
    fi
    if [ -n "$(pf_queue_name "$QID")" ]; then
        pf_pass "$QID is still queued"
    else
        pf_fail "$QID left the queue"
    fi
    if pf_sink_has "$msgid"; then pf_fail "the deferred message reached the sink"; fi
    if pf_maillog_has "$QID: .*status=(sent|bounced)"; then
        pf_fail "$QID was delivered or bounced: $(grep -E "$QID: .*status=(sent|bounced)" "$PF_DIR/maillog")"
    fi
    if [ "$(pf_sink_count)" = 0 ]; then
        pf_pass "nothing reached the sink"
    else
        pf_fail "something reached the sink (a bounce?): $(ls "$PF_DIR"/sink)"
    fi
}

scenario_deliver() {
    setup accept-all
    local msgid="simple-deliver.$$.$RANDOM@test.example.com"
    local rcpt="rcpt-$$@example.net"
    $MSG make "$W/sent.eml" "$msgid" "spoolgate --pipe end-to-end test"
    pf_submit_queued sender@example.com "$rcpt" "$W/sent.eml"
    # sleep 2: a second trip through the filter would show up by now
    pf_expect_delivered_once "$msgid" "$W/sent.eml" "$ADDED_HEADER" "$rcpt" 2
    local f=$PF_DELIVERED n
    if $MSG header-block "$f" | grep -qi '^Return-Path:'; then
        pf_fail "pipe(8)'s Return-Path: (flags=R) reached the sink: $($MSG header-block "$f" | grep -i '^Return-Path:')"
    fi
    # Postfix: one pipe delivery (QID -> filter), whose stdout line names the
    # reinjection smtpd's queue ID QID2; QID2 goes to the sink, not to the
    # filter again
    local pipe_lines qid2
    pipe_lines=$(grep -E "postfix/pipe\\[[0-9]+\\]: [0-9A-Za-z]+: to=<[^>]*>, relay=filter, " "$PF_DIR/maillog")
    n=$(grep -c . <<< "$pipe_lines")
    if [ "$n" = 1 ] && grep -qE "$(pipe_line_re "$QID").*status=sent" <<< "$pipe_lines"; then
        pf_pass "maillog: one pipe delivery: $(grep -oE "$QID: .*" <<< "$pipe_lines")"
    else
        pf_fail "the maillog shows $n pipe deliveries (want one, of $QID, status=sent): $pipe_lines"
    fi
    qid2=$(sed -n 's/.*status=sent (.*queued as \([0-9A-Za-z]\{1,\}\).*/\1/p' <<< "$pipe_lines" | head -1)
    if [ -n "$qid2" ]; then
        pf_pass "pipe(8) logged spoolgate's reply: reinjected as $qid2"
    else
        pf_fail "pipe(8)'s status=sent line does not name the reinjected queue ID ('queued as ...')"
    fi
    if [ -n "$qid2" ] && [ "$(pf_maillog_count "$qid2: to=<$rcpt>, relay=127\\.0\\.0\\.1\\[127\\.0\\.0\\.1\\]:$PF_SINK_PORT, .*status=sent")" = 1 ]; then
        pf_pass "maillog: $qid2 delivered to the sink once"
    else
        pf_fail "no single delivery of ${qid2:-?} to the sink in the maillog"
    fi
    n=$(pf_maillog_count "postfix/cleanup\\[[0-9]+\\]: [0-9A-Za-z]+: message-id=<$msgid>")
    [ "$n" = 2 ] && pf_pass "queued twice, as the simple filter does: by the port-25 smtpd ($QID) and the reinjection smtpd ($qid2)" ||
        pf_fail "the maillog shows the message queued $n times, want 2"
    check_sglog "$rcpt" "*]: $QID: from=<sender@example.com>, to=<$rcpt>, nrcpt=1, size=*, verdict=accept, hook=0, *relay=*:$PF_REINJECT_PORT, reply=(250 *queued as ${qid2:-?})"
    pf_finish
}

scenario_reject() {
    setup reject-virus
    local msgid="simple-reject.$$.$RANDOM@test.example.com"
    $MSG make "$W/sent.eml" "$msgid" "please reject this"
    pf_submit_queued sender@example.com reject@example.net "$W/sent.eml"
    local re
    re="$(pipe_line_re "$QID").*status=bounced \\(virus found: Eicar-Test-Signature"
    if pf_wait 30 pf_maillog_has "$re"; then
        pf_pass "Postfix logged the bounce of $QID: $(grep -E "$re" "$PF_DIR/maillog" | head -1 | grep -oE 'dsn=.*')"
    else
        pf_fail "no 'relay=filter, ... status=bounced (virus found: Eicar-Test-Signature' for $QID in the maillog within 30 s"
    fi
    if pf_maillog_has "$(pipe_line_re "$QID").*dsn=5\\.7\\.1, status=bounced"; then
        pf_pass "dsn=5.7.1, from spoolgate's stdout line"
    else
        pf_fail "the bounce's dsn is not 5.7.1: $(grep -E "$(pipe_line_re "$QID")" "$PF_DIR/maillog" | grep -oE 'dsn=[^,]*')"
    fi
    pf_expect_bounce "$msgid" "virus found: Eicar-Test-Signature" reject@example.net
    check_sglog reject@example.net "*]: $QID: from=<sender@example.com>, to=<reject@example.net>, nrcpt=1, *verdict=reject, hook=65, *relay=none, reply=(*virus found: Eicar-Test-Signature)"
    # the bounce is Postfix's own: it does not go through the filter
    if grep -qF "from=<>" "$SGLOG"; then
        pf_fail "the bounce went through the filter: $(grep -F "from=<>" "$SGLOG")"
    fi
    pf_finish
}

scenario_defer() {
    setup defer-tempfail
    local msgid="simple-defer.$$.$RANDOM@test.example.com"
    $MSG make "$W/sent.eml" "$msgid" "please defer this"
    pf_submit_queued sender@example.com defer@example.net "$W/sent.eml"
    check_kept_deferred "$msgid" '4\.7\.1' "scanner temporarily unavailable"
    local line
    line=$(sglog_for defer@example.net | head -1)
    if [[ "$line" == *"]: $QID: from=<sender@example.com>, to=<defer@example.net>, nrcpt=1, "*"verdict=defer, hook=75, "*"relay=none, reply=("*"scanner temporarily unavailable)" ]]; then
        pf_pass "spoolgate logged (once per try): $line"
    else
        pf_fail "no spoolgate line '$QID: ... to=<defer@example.net>, ... verdict=defer, hook=75, ... relay=none, reply=(... scanner temporarily unavailable)'; got: ${line:-nothing}"
    fi
    pf_finish
}

scenario_crash() {
    setup "crash SEGV"
    local msgid="simple-crash.$$.$RANDOM@test.example.com"
    $MSG make "$W/sent.eml" "$msgid" "the hook crashes on this"
    pf_submit_queued sender@example.com crash@example.net "$W/sent.eml"
    # the crash hook writes nothing: spoolgate names the cause
    check_kept_deferred "$msgid" '4\.7\.1' "hook killed by signal 11"
    local line
    line=$(sglog_for crash@example.net | head -1)
    if [[ "$line" == *"]: $QID: from=<sender@example.com>, to=<crash@example.net>, nrcpt=1, "*"verdict=defer, hook=SIGSEGV, "*"relay=none, reply=("* ]]; then
        pf_pass "spoolgate logged (once per try): $line"
    else
        pf_fail "no spoolgate line '$QID: ... to=<crash@example.net>, ... verdict=defer, hook=SIGSEGV, ... relay=none, ...'; got: ${line:-nothing}"
    fi
    pf_finish
}

scenario_next_hop_down() {
    # the reinjection smtpd's entry is kept aside: nothing listens on its port
    hold_back_reinjection() {
        cp "$PF_DIR/etc/master.cf" "$W/master.cf.full"
        local entry_re="^127\\.0\\.0\\.1:${PF_REINJECT_PORT}[ \t]"
        PF_ENTRY_RE=$entry_re awk '
            BEGIN { re = ENVIRON["PF_ENTRY_RE"] }
            /^[^ \t#]/ { on = ($0 ~ re) }
            /^[ \t]*#/ { on = 0 }
            !on { print }' "$W/master.cf.full" > "$PF_DIR/etc/master.cf"
        grep -qE "^127\\.0\\.0\\.1:${PF_REINJECT_PORT}[[:space:]]" "$PF_DIR/etc/master.cf" &&
            pf_die "could not take the reinjection smtpd out of master.cf"
    }
    SETUP_HOOK=hold_back_reinjection
    setup accept-all
    pf_port_free "$PF_REINJECT_PORT" || pf_die "something listens on $PF_REINJECT_PORT"
    local msgid="simple-down.$$.$RANDOM@test.example.com"
    $MSG make "$W/sent.eml" "$msgid" "the next hop is down"
    pf_submit_queued sender@example.com down@example.net "$W/sent.eml"
    check_kept_deferred "$msgid" '4\.[0-9]{1,3}\.[0-9]{1,3}' "next hop 127\\.0\\.0\\.1:$PF_REINJECT_PORT unavailable"
    local line
    line=$(sglog_for down@example.net | head -1)
    if [[ "$line" == *"]: $QID: from=<sender@example.com>, to=<down@example.net>, nrcpt=1, "*"verdict="*", relay=none, reply=(4"* ]]; then
        pf_pass "spoolgate logged (once per try): $line"
    else
        pf_fail "no spoolgate line '$QID: ... to=<down@example.net>, ..., relay=none, reply=(4...)'; got: ${line:-nothing}"
    fi
    # the next hop comes back: the next try delivers the message, once
    cp "$W/master.cf.full" "$PF_DIR/etc/master.cf"
    postfix -c "$PF_DIR/etc" reload > "$W/reload.log" 2>&1 || pf_fail "postfix reload failed: $(cat "$W/reload.log")"
    listening() { ! pf_port_free "$PF_REINJECT_PORT"; }
    pf_wait 10 listening || pf_fail "the reinjection smtpd does not listen after postfix reload"
    postqueue -c "$PF_DIR/etc" -f > /dev/null 2>&1
    if pf_wait 30 pf_sink_has "$msgid"; then
        pf_pass "once the reinjection smtpd was back, the message was delivered: $(pf_sink_files_with "$msgid")"
    else
        pf_fail "the message was not delivered within 30 s after the reinjection smtpd came back"
    fi
    pf_wait 30 pf_queue_empty || pf_fail "Postfix's queue is not empty 30 s after the delivery"
    sleep 1
    [ "$(pf_sink_files_with "$msgid" | grep -c .)" = 1 ] || pf_fail "delivered $(pf_sink_files_with "$msgid" | grep -c .) times"
    [ "$(sglog_for down@example.net | grep -c 'verdict=accept, .*reply=(250 ')" = 1 ] &&
        pf_pass "spoolgate logged one delivery: $(sglog_for down@example.net | grep 'reply=(250 ')" ||
        pf_fail "spoolgate's log has not exactly one delivery for <down@example.net>: $(sglog_for down@example.net)"
    pf_finish
}

scenario_null_sender() {
    setup accept-all
    local msgid="simple-null.$$.$RANDOM@test.example.com"
    local rcpt="bounce-rcpt-$$@example.net"
    $MSG make "$W/sent.eml" "$msgid" "Undelivered Mail Returned to Sender"
    pf_submit_queued "" "$rcpt" "$W/sent.eml"
    if pf_maillog_has "postfix/qmgr\\[[0-9]+\\]: $QID: from=<>,"; then
        pf_pass "Postfix queued $QID from the null sender"
    else
        pf_fail "the maillog does not show $QID from=<>"
    fi
    if ! pf_wait 30 pf_sink_has "$msgid"; then
        pf_fail "the message did not reach the sink within 30 s"
        pf_finish
    fi
    local f env
    f=$(pf_sink_files_with "$msgid" | head -1)
    env=${f%.eml}.env
    if grep -qxE 'mail_from: <>( .*)?' "$env" && grep -q "^rcpt_to: <$rcpt>" "$env"; then
        pf_pass "MAIL FROM:<> at the sink: $(grep -E '^(mail_from|rcpt_to):' "$env" | tr '\n' ' ')"
    else
        pf_fail "wrong envelope at the sink: $(tr '\n' ' ' < "$env")"
    fi
    if pf_maillog_has "$(pipe_line_re "$QID").*status=sent"; then
        pf_pass "maillog: $(grep -oE "$QID: to=.*relay=filter.*" "$PF_DIR/maillog" | head -1)"
    else
        pf_fail "no pipe delivery of $QID with status=sent in the maillog"
    fi
    check_sglog "$rcpt" "*]: $QID: from=<>, to=<$rcpt>, nrcpt=1, *verdict=accept, hook=0, *reply=(250 *"
    pf_finish
}

case "$SCENARIO" in
    deliver) scenario_deliver ;;
    reject) scenario_reject ;;
    defer) scenario_defer ;;
    crash) scenario_crash ;;
    next-hop-down) scenario_next_hop_down ;;
    null-sender) scenario_null_sender ;;
esac
