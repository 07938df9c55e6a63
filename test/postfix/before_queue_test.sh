#!/bin/bash
# test/postfix/before_queue_test.sh -- spoolgate behind a real Postfix, in the
# before-queue placement of SMTPD_PROXY_README (smtpd_proxy_filter on the
# port-25 smtpd), configured from examples/before-queue/{main,master}.cf.
# The client is Python's smtplib (test/postfix/submit.py), which writes its
# commands as "mail FROM:", "rcpt TO:", "data": the port-25 smtpd passes them
# on to spoolgate in that letter case, one at a time, with one XFORWARD
# (IDENT=[UNAVAILABLE]), and sends QUIT right after the final ".".
#
#   before_queue_test.sh SCENARIO SPOOLGATE [SOURCE_DIR]
#
# SCENARIO (each starts its own private Postfix instance):
#   deliver   a message the hook accepts reaches the final destination once,
#             its body byte for byte as sent, with the --add-header field; the
#             client's 250 carries the reinjection smtpd's queue ID
#   reject    messages the hook rejects are refused to the client at the
#             final "." (550 5.7.1 REASON, or the 5xx code REASON begins with),
#             and nothing is queued, delivered or bounced
#   defer     messages the hook defers get a 4xx at the final "." (451 4.7.1
#             REASON, or the 4xx code REASON begins with); nothing is queued
#   xforward  the real client's address and HELO name reach spoolgate by
#             XFORWARD: the hook's SPOOLGATE_CLIENT_* variables, spoolgate's
#             dialogue log, and the delivered message's Received: fields
#   proxy-timeout  a hook slower than smtpd_proxy_timeout (5 s here, the hook
#             takes 10 s): the client gets a 4xx, and the message is not
#             delivered afterwards (spoolgate finds the connection gone and
#             says "client disconnected before the verdict")
#   cut-through  600 KiB messages, streamed to the reinjection smtpd while
#             they arrive (--hook-timeout 10, a check-mode hook): one the
#             hook rejects gets 550 and is never queued (the reinjection
#             smtpd logs "lost connection after DATA": it saw the stream
#             and no final "."); one it accepts is delivered once, byte for
#             byte
#
# Exit: 0 pass, 1 fail, 77 skip (not root, or no postfix). On failure it
# prints what failed, then Postfix's log, spoolgate's log and the queue.
# shellcheck disable=SC2317,SC2015  # check functions run through pf_wait; pf_pass never fails
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=test/postfix/lib.sh
. "$HERE/lib.sh"
pf_test_args before-queue "deliver reject defer xforward proxy-timeout cut-through" "$@"

# setup HOOK-WORDS [SPOOLGATE-OPTION...]: the instance, examples/before-queue
# with spoolgate running the hook (test/hooks/ + HOOK-WORDS)
setup() {
    local hook=$1
    shift
    pf_require_nobody_access "$SPOOLGATE" "$HOOKS/${hook%% *}"
    pf_init "before-queue-$SCENARIO"
    W=$PF_DIR/work
    SGLOG=$PF_DIR/spoolgate.log
    # spoolgate runs as nobody: its log file must be writable by nobody
    install -m 0644 -o "$PF_FILTER_USER" /dev/null "$SGLOG"
    pf_write_base_config
    pf_add_example before-queue "$SPOOLGATE" "--log-file=$SGLOG" "--hook=$HOOKS/$hook" \
        "--add-header=$ADDED_HEADER" "$@"
    pf_start_sink
    pf_start
    pf_log "Postfix started; port-25 smtpd: $(grep -A3 -E "^127\\.0\\.0\\.1:${PF_SMTP_PORT}[[:space:]]" "$PF_DIR/etc/master.cf" | tr -s ' \n' ' ')"
    pf_log "filter: $(grep -A1 -E "^127\\.0\\.0\\.1:${PF_FILTER_PORT}[[:space:]]" "$PF_DIR/etc/master.cf" | tail -1 | sed 's/^ *//')"
}

# spoolgate's per-message log lines ("DATE HOST spoolgate[PID]: QUEUEID: from=...")
sglog_msg_lines() { grep -E "spoolgate\[[0-9]+\]: [0-9A-Za-z]+: from=<" "$SGLOG" 2> /dev/null; }

# nothing_kept: nothing reached the sink, nothing is in Postfix's queue,
# Postfix made no bounce and queued nothing (the reinjection smtpd's
# cleanup never saw a message)
nothing_kept() {
    local what=$1
    if [ "$(pf_sink_count)" = 0 ]; then
        pf_pass "nothing reached the sink ($what)"
    else
        pf_fail "$(pf_sink_count) message(s) reached the sink: $(ls "$PF_DIR/sink")"
    fi
    if pf_queue_empty; then
        pf_pass "Postfix's queue is empty"
    else
        pf_fail "Postfix's queue is not empty: $(postqueue -c "$PF_DIR/etc" -p)"
    fi
    if pf_maillog_has 'postfix/cleanup\[[0-9]+\]: [0-9A-Za-z]+: message-id='; then
        pf_fail "Postfix queued a message: $(grep -E 'postfix/cleanup\[[0-9]+\]: ' "$PF_DIR/maillog")"
    else
        pf_pass "Postfix queued nothing (no cleanup line in the maillog)"
    fi
    if pf_maillog_has 'status=(bounced|sent|deferred)'; then
        pf_fail "Postfix delivered, bounced or deferred something: $(grep -E 'status=' "$PF_DIR/maillog")"
    fi
}

scenario_deliver() {
    setup accept-all --hook-timeout=30
    local msgid="bq-deliver.$$.$RANDOM@test.example.com"
    $MSG make "$W/sent.eml" "$msgid" "spoolgate before-queue end-to-end test"
    pf_submit sender@example.com rcpt@example.net "$W/sent.eml" BODY=8BITMIME "size=$(stat -c %s "$W/sent.eml")"
    local qid
    qid=$(sed -n 's/^250 .*queued as \([0-9A-Za-z]\{1,\}\).*/\1/p' <<< "$PF_REPLY")
    if [ "$PF_SUBMIT_STATUS" = 0 ] && [ -n "$qid" ]; then
        pf_pass "the client got '$PF_REPLY' at the final \".\" (the reinjection smtpd's queue ID, through spoolgate and the port-25 smtpd)"
    else
        pf_fail "the client did not get '250 ... queued as ...' at the final \".\": $PF_REPLY"
        pf_finish
    fi
    pf_expect_delivered_once "$msgid" "$W/sent.eml" "$ADDED_HEADER" rcpt@example.net 1
    local f=$PF_DELIVERED
    # Postfix's log: the port-25 smtpd saw the filter accept, the message was
    # queued once (by the reinjection smtpd) and delivered once
    if pf_maillog_has "postfix/smtpd\\[[0-9]+\\]: proxy-accept: END-OF-MESSAGE: 250 .*queued as $qid; from=<sender@example.com> to=<rcpt@example.net>"; then
        pf_pass "maillog: $(grep -oE 'proxy-accept: END-OF-MESSAGE: .*' "$PF_DIR/maillog" | head -1)"
    else
        pf_fail "no 'proxy-accept: END-OF-MESSAGE: 250 ... queued as $qid' from the port-25 smtpd in the maillog"
    fi
    n=$(pf_maillog_count "postfix/cleanup\\[[0-9]+\\]: [0-9A-Za-z]+: message-id=<$msgid>")
    [ "$n" = 1 ] && pf_pass "queued once ($qid)" || pf_fail "the maillog shows the message queued $n times"
    n=$(pf_maillog_count ": to=<rcpt@example.net>, relay=127\\.0\\.0\\.1\\[127\\.0\\.0\\.1\\]:$PF_SINK_PORT, .*status=sent")
    [ "$n" = 1 ] && pf_pass "delivered once to the sink, per the maillog" || pf_fail "the maillog shows $n deliveries to the sink"
    local lines line
    lines=$(sglog_msg_lines)
    line=$(head -1 <<< "$lines")
    if [ "$(grep -c . <<< "$lines")" = 1 ] &&
        [[ "$line" == *"]: NOQUEUE: from=<sender@example.com>, to=<rcpt@example.net>, nrcpt=1, size="*", verdict=accept, hook=0, "*"relay="*":$PF_REINJECT_PORT, reply=(250 "*"queued as $qid)" ]]; then
        pf_pass "spoolgate logged one line: $line"
    else
        pf_fail "spoolgate's log has not exactly one line 'NOQUEUE: from=<sender@example.com>, to=<rcpt@example.net>, nrcpt=1, ..., verdict=accept, hook=0, ..., relay=...:$PF_REINJECT_PORT, reply=(250 ... queued as $qid)'; got: ${lines:-nothing}"
    fi
    pf_finish
}

# send_expect SUBJECT-TAG REASON WANT: a message whose Subject makes the
# from-subject hook exit with the tag's status and REASON on stderr; the
# client must get WANT (a regex) at the final "."
send_expect() {
    local tag=$1 reason=$2 want=$3 rcpt=$4
    local msgid="bq-$SCENARIO.$$.$RANDOM@test.example.com"
    $MSG make "$W/sent-$rcpt.eml" "$msgid" "[hook $tag] $reason"
    pf_submit sender@example.com "$rcpt@example.net" "$W/sent-$rcpt.eml" BODY=8BITMIME
    if [ "$PF_SUBMIT_STATUS" != 0 ] && grep -qE -- "^$want\$" <<< "$PF_REPLY"; then
        pf_pass "hook exit $tag, stderr '$reason': the client got '$PF_REPLY' at the final \".\""
    else
        pf_fail "hook exit $tag, stderr '$reason': the client got '$PF_REPLY', not '$want'"
    fi
    local line
    line=$(sglog_msg_lines | grep -F "to=<$rcpt@example.net>")
    if [ "$(grep -c . <<< "$line")" = 1 ] && [[ "$line" == *"]: NOQUEUE: from=<sender@example.com>, to=<$rcpt@example.net>, nrcpt=1, "*", hook=$tag, "*"relay=none, reply=("* ]] &&
        grep -qE -- "reply=\\($want\\), reason=\\(.*\\)\$" <<< "$line"; then
        pf_pass "spoolgate logged: $line"
    else
        pf_fail "spoolgate's log has not one line 'NOQUEUE: ... to=<$rcpt@example.net>, ..., hook=$tag, ..., relay=none, reply=($want), reason=(...)'; got: ${line:-nothing}"
    fi
    # the port-25 smtpd logs the filter's reply as proxy-reject
    if pf_maillog_has "postfix/smtpd\\[[0-9]+\\]: proxy-reject: END-OF-MESSAGE: $want; from=<sender@example.com> to=<$rcpt@example.net>"; then
        pf_pass "maillog: $(grep -oE "proxy-reject: END-OF-MESSAGE: .* to=<$rcpt@example.net>" "$PF_DIR/maillog" | head -1)"
    else
        pf_fail "no 'proxy-reject: END-OF-MESSAGE: $want; ... to=<$rcpt@example.net>' from the port-25 smtpd in the maillog"
    fi
}

scenario_reject() {
    setup from-subject --hook-timeout=30
    send_expect 65 "virus found: Eicar-Test-Signature" \
        '550 5\.7\.1 virus found: Eicar-Test-Signature' reject1
    send_expect 69 "554 5.7.0 spam score 15.2 is over 5" \
        '554 5\.7\.0 spam score 15\.2 is over 5' reject2
    send_expect 77 "" '550 5\.7\.1 Message content rejected' reject3
    grep -E 'verdict=' "$SGLOG" | grep -qvE 'verdict=reject' &&
        pf_fail "a verdict other than reject in spoolgate's log: $(grep -vE 'verdict=reject' "$SGLOG")"
    sleep 3     # a bounce or a late delivery would show up by now
    nothing_kept "no bounce, no delivery"
    pf_finish
}

scenario_defer() {
    setup from-subject --hook-timeout=30
    send_expect 75 "scanner temporarily unavailable" \
        '451 4\.7\.1 scanner temporarily unavailable' defer1
    send_expect 75 "450 4.7.0 greylisted, try again in 5 minutes" \
        '450 4\.7\.0 greylisted, try again in 5 minutes' defer2
    send_expect 1 "something broke" '451 4\.7\.1 something broke' defer3
    sleep 3
    nothing_kept "the client keeps the message and tries again"
    pf_finish
}

scenario_cut_through() {
    setup from-subject --hook-timeout=10
    local rejected="bq-cut-reject.$$.$RANDOM@test.example.com" msgid
    $MSG make "$W/rejected.eml" "$rejected" "[hook 65] virus found: Eicar-Test-Signature" 600
    pf_submit sender@example.com reject@example.net "$W/rejected.eml" BODY=8BITMIME
    if [ "$PF_SUBMIT_STATUS" != 0 ] && [ "$PF_REPLY" = "550 5.7.1 virus found: Eicar-Test-Signature" ]; then
        pf_pass "a 600 KiB message the hook rejects: the client got '$PF_REPLY'"
    else
        pf_fail "a 600 KiB message the hook rejects: the client got '$PF_REPLY'"
    fi
    if pf_maillog_has 'smtpd\[[0-9]+\]: lost connection after DATA'; then
        pf_pass "it was streamed, and cut off: $(grep -oE 'lost connection after DATA.*' "$PF_DIR/maillog" | head -1)"
    else
        pf_fail "the reinjection smtpd never saw a DATA cut off (no 'lost connection after DATA' in the maillog)"
    fi
    msgid="bq-cut-deliver.$$.$RANDOM@test.example.com"
    $MSG make "$W/sent.eml" "$msgid" "cut-through end-to-end test" 600
    pf_submit sender@example.com rcpt@example.net "$W/sent.eml" BODY=8BITMIME
    if [ "$PF_SUBMIT_STATUS" = 0 ] && grep -qE '^250 .*queued as' <<< "$PF_REPLY"; then
        pf_pass "a 600 KiB message the hook accepts: the client got '$PF_REPLY'"
    else
        pf_fail "a 600 KiB message the hook accepts: the client got '$PF_REPLY'"
    fi
    pf_expect_delivered_once "$msgid" "$W/sent.eml" "$ADDED_HEADER" rcpt@example.net 2
    if [ -z "$(pf_sink_files_to "$rejected" reject@example.net)" ] && [ "$(pf_sink_count)" = 1 ]; then
        pf_pass "the rejected message reached nobody"
    else
        pf_fail "the sink holds $(pf_sink_count) messages: $(ls "$PF_DIR/sink")"
    fi
    pf_queue_empty && pf_pass "Postfix's queue is empty" || pf_fail "Postfix's queue: $(postqueue -c "$PF_DIR/etc" -p)"
    pf_finish
}

scenario_xforward() {
    pf_require_nobody_access "$SPOOLGATE" "$HOOKS/record"
    pf_init "before-queue-$SCENARIO"
    W=$PF_DIR/work
    SGLOG=$PF_DIR/spoolgate.log
    install -m 0644 -o "$PF_FILTER_USER" /dev/null "$SGLOG"
    local rec=$PF_DIR/record
    install -d -m 0755 -o "$PF_FILTER_USER" "$rec"
    pf_write_base_config
    pf_add_example before-queue "$SPOOLGATE" "--log-file=$SGLOG" "--hook=$HOOKS/record $rec 0" \
        "--add-header=$ADDED_HEADER" -v
    pf_start_sink
    pf_start
    pf_log "filter: $(grep -A1 -E "^127\\.0\\.0\\.1:${PF_FILTER_PORT}[[:space:]]" "$PF_DIR/etc/master.cf" | tail -1 | sed 's/^ *//')"

    local msgid="bq-xforward.$$.$RANDOM@test.example.com"
    $MSG make "$W/sent.eml" "$msgid" "XFORWARD before the queue"
    # smtplib: EHLO client.example.org, "mail FROM:<...> size=N", "rcpt TO:", "data"
    pf_submit sender@example.com rcpt@example.net "$W/sent.eml" "size=$(stat -c %s "$W/sent.eml")" BODY=8BITMIME
    local qid
    qid=$(sed -n 's/^250 .*queued as \([0-9A-Za-z]\{1,\}\).*/\1/p' <<< "$PF_REPLY")
    if [ "$PF_SUBMIT_STATUS" = 0 ] && [ -n "$qid" ]; then
        pf_pass "the client got '$PF_REPLY'"
    else
        pf_fail "the client did not get '250 ... queued as ...': $PF_REPLY"
        pf_finish
    fi
    pf_wait 30 pf_sink_has "$msgid" || { pf_fail "the message did not reach the sink within 30 s"; pf_finish; }

    # 1. the hook's environment
    local envf=$rec/env
    if [ -s "$envf" ]; then
        pf_log "the hook's environment:"
        sed 's/^/    /' "$envf" >&2
    else
        pf_fail "the record hook left no $envf"
        pf_finish
    fi
    local kv
    for kv in SPOOLGATE_CLIENT_ADDRESS=127.0.0.1 SPOOLGATE_CLIENT_HELO=client.example.org \
        SPOOLGATE_CLIENT_HOSTNAME=localhost SPOOLGATE_QUEUE_ID= SPOOLGATE_SENDER=sender@example.com \
        SPOOLGATE_RECIPIENTS=rcpt@example.net; do
        if grep -qxF -- "$kv" "$envf"; then
            pf_pass "hook environment: $kv"
        else
            pf_fail "hook environment: want $kv, got '$(grep -E "^${kv%%=*}=" "$envf")'"
        fi
    done
    # 2. spoolgate's dialogue log (-v): what the port-25 smtpd sent, as sent
    local c
    for c in "client < EHLO pftest\\.localdomain\$" \
        "client < XFORWARD .*ADDR=127\\.0\\.0\\.1( |\$)" \
        "client < XFORWARD .*HELO=client\\.example\\.org( |\$)" \
        "client < XFORWARD .*IDENT=\\[UNAVAILABLE\\]( |\$)" \
        "client < mail FROM:<sender@example\\.com>" \
        "client < rcpt TO:<rcpt@example\\.net>\$" \
        "client < data\$" \
        "client < QUIT\$" \
        "next hop > XFORWARD .*ADDR=127\\.0\\.0\\.1( |\$)" \
        "next hop > XFORWARD .*HELO=client\\.example\\.org( |\$)"; do
        if grep -qE -- "spoolgate\\[[0-9]+\\]: $c" "$SGLOG"; then
            pf_pass "spoolgate's log: $(grep -oE -- "$c.*" "$SGLOG" | head -1)"
        else
            pf_fail "spoolgate's log has no line '$c'"
        fi
    done
    local line
    line=$(sglog_msg_lines)
    if [ "$(grep -c . <<< "$line")" = 1 ] &&
        [[ "$line" == *"]: NOQUEUE: from=<sender@example.com>, to=<rcpt@example.net>, nrcpt=1, "*"verdict=accept, hook=0, "*"reply=(250 "*"queued as $qid)" ]]; then
        pf_pass "spoolgate logged: $line"
    else
        pf_fail "no single spoolgate line 'NOQUEUE: ... verdict=accept, hook=0, ... reply=(250 ... queued as $qid)'; got: ${line:-nothing}"
    fi
    # 3. the delivered message: the port-25 smtpd's Received: field names the
    # client and its HELO name (Postfix's reinjection smtpd writes its own
    # client, spoolgate, in its Received: field even with XFORWARD; its log
    # shows orig_client= instead, checked below)
    local f
    f=$(pf_sink_files_with "$msgid" | head -1)
    "$PF_PYTHON" - "$f" > "$W/received.txt" <<'EOF'
import sys
m = open(sys.argv[1], "rb").read()
head = m[:m.index(b"\r\n\r\n") + 2].decode("latin-1")
fields, cur = [], ""
for l in head.split("\r\n")[:-1]:
    if l[:1] in (" ", "\t"):
        cur += " " + l.strip()
    else:
        if cur:
            fields.append(cur)
        cur = l
fields.append(cur)
for x in fields:
    if x.lower().startswith("received:"):
        print(x)
EOF
    pf_log "Received: fields of the delivered message:"
    sed 's/^/    /' "$W/received.txt" >&2
    if [ "$(grep -c . "$W/received.txt")" = 2 ] &&
        sed -n 2p "$W/received.txt" | grep -qE '^Received: from client\.example\.org \(localhost \[127\.0\.0\.1\]\) by pftest\.localdomain \(Postfix\) with ESMTP for <rcpt@example\.net>;'; then
        pf_pass "the port-25 smtpd's Received: field (the second) names client.example.org (localhost [127.0.0.1])"
    else
        pf_fail "not two Received: fields, the second (the port-25 smtpd's) 'from client.example.org (localhost [127.0.0.1]) by pftest.localdomain (Postfix) with ESMTP for <rcpt@example.net>'"
    fi
    if sed -n 1p "$W/received.txt" | grep -qE "^Received: from localhost \(localhost \[127\.0\.0\.1\]\) by pftest\.localdomain \(Postfix\) with ESMTP id $qid for <rcpt@example\.net>;"; then
        pf_pass "the reinjection smtpd's Received: field (the first, id $qid) names spoolgate (EHLO localhost)"
    else
        pf_fail "the first Received: field is not the reinjection smtpd's 'from localhost (localhost [127.0.0.1]) ... with ESMTP id $qid'"
    fi
    # 4. Postfix's log: the reinjection smtpd took the XFORWARD attributes
    if pf_maillog_has "postfix/smtpd\\[[0-9]+\\]: $qid: client=localhost\\[127\\.0\\.0\\.1\\], orig_client=localhost\\[127\\.0\\.0\\.1\\]"; then
        pf_pass "maillog: $(grep -oE "$qid: client=.*" "$PF_DIR/maillog" | head -1)"
    else
        pf_fail "no '$qid: client=localhost[127.0.0.1], orig_client=localhost[127.0.0.1]' in the maillog"
    fi
    if pf_maillog_has "proxy-accept: END-OF-MESSAGE: 250 .*queued as $qid; .* helo=<client\\.example\\.org>"; then
        pf_pass "maillog: $(grep -oE 'proxy-accept: .*' "$PF_DIR/maillog" | head -1)"
    else
        pf_fail "no 'proxy-accept: END-OF-MESSAGE: 250 ... queued as $qid; ... helo=<client.example.org>' in the maillog"
    fi
    pf_finish
}

scenario_proxy_timeout() {
    # smtpd_proxy_timeout 5 s on the port-25 smtpd; the hook takes 10 s and
    # --hook-timeout allows it 30 s
    # shellcheck disable=SC2034  # read by pf_add_example
    PF_SMTPD_EXTRA="-o smtpd_proxy_timeout=5s"
    setup "sleeper 10" --hook-timeout=30
    local msgid="bq-timeout.$$.$RANDOM@test.example.com"
    $MSG make "$W/sent.eml" "$msgid" "slower than smtpd_proxy_timeout"
    local t0 t1
    t0=$(date +%s)
    pf_submit sender@example.com rcpt@example.net "$W/sent.eml" BODY=8BITMIME
    t1=$(date +%s)
    if [ "$PF_SUBMIT_STATUS" != 0 ] && grep -qE '^4[0-9][0-9] ' <<< "$PF_REPLY"; then
        pf_pass "the client got a 4xx after $((t1 - t0)) s: $PF_REPLY"
    else
        pf_fail "the client got '$PF_REPLY' after $((t1 - t0)) s, not a 4xx"
    fi
    [ $((t1 - t0)) -lt 9 ] || pf_fail "the client waited $((t1 - t0)) s: Postfix did not give up after smtpd_proxy_timeout (5 s)"
    if pf_maillog_has "postfix/smtpd\\[[0-9]+\\]: .*(timeout|time limit)"; then
        pf_pass "maillog: $(grep -E "postfix/smtpd\\[[0-9]+\\]: .*(timeout|time limit)" "$PF_DIR/maillog" | head -1 | sed 's/^.*postfix/postfix/')"
    else
        pf_log "note: no timeout line from the port-25 smtpd in the maillog"
    fi
    # the hook ends at about t0 + 10 s: spoolgate must then see that the
    # client (the port-25 smtpd) is gone, and send nothing on
    gave_up_logged() { grep -qF "reply=(client disconnected before the verdict)" "$SGLOG"; }
    if pf_wait 25 gave_up_logged; then
        pf_pass "spoolgate logged, $(($(date +%s) - t0)) s after the submission: $(grep -F "client disconnected before the verdict" "$SGLOG" | head -1 | sed 's/^.*spoolgate/spoolgate/')"
    else
        pf_fail "spoolgate's log has no 'reply=(client disconnected before the verdict)' $(($(date +%s) - t0)) s after the submission"
    fi
    # wait until 20 s after the hook would have finished: nothing delivered
    local left=$((t0 + 30 - $(date +%s)))
    [ "$left" -gt 0 ] && sleep "$left"
    local when="$(($(date +%s) - t0)) s after the submission"
    if pf_sink_has "$msgid"; then
        pf_fail "the message reached the sink ($when): $(pf_sink_files_with "$msgid")"
    else
        pf_pass "the message did not reach the sink ($when)"
    fi
    # Postfix's own notice to the postmaster about the proxy timeout
    # (notify_classes resource: "queue file write error") may be there; no
    # message to the recipient, no bounce to the sender
    local e
    for e in "$PF_DIR"/sink/*.env; do
        [ -e "$e" ] || break
        if grep -qE '^rcpt_to: <(rcpt@example\.net|sender@example\.com)>' "$e"; then
            pf_fail "something reached the recipient or the sender: $e: $(tr '\n' ' ' < "$e")"
        elif grep -qx 'mail_from: <double-bounce@pftest\.localdomain> .*' "$e" &&
            grep -q '^rcpt_to: <postmaster@pftest\.localdomain>' "$e"; then
            pf_log "note: Postfix mailed the postmaster a notice about the timeout ($(grep -m1 -E '^Subject:' "${e%.env}.eml" | tr -d '\r'))"
        else
            pf_fail "an unexpected message reached the sink: $e: $(tr '\n' ' ' < "$e")"
        fi
    done
    pf_queue_empty && pf_pass "Postfix's queue is empty" ||
        pf_fail "Postfix's queue is not empty: $(postqueue -c "$PF_DIR/etc" -p)"
    if pf_maillog_has "postfix/cleanup\\[[0-9]+\\]: [0-9A-Za-z]+: message-id=<$msgid>"; then
        pf_fail "Postfix queued the message: $(grep -F "message-id=<$msgid>" "$PF_DIR/maillog")"
    else
        pf_pass "Postfix never queued the message (no cleanup line for its Message-ID)"
    fi
    # the reinjection smtpd (the one that got XFORWARD) never got DATA
    local rd
    rd=$(grep -E 'postfix/smtpd\[[0-9]+\]: disconnect from .* xforward=1 ' "$PF_DIR/maillog")
    if [ -n "$rd" ] && ! grep -q ' data=' <<< "$rd"; then
        pf_pass "the reinjection smtpd never got DATA: disconnect${rd#*disconnect}"
    else
        pf_fail "the reinjection smtpd's session: ${rd:-no disconnect line with xforward=1 in the maillog}"
    fi
    if grep -E 'verdict=' "$SGLOG" | grep -qvF "client disconnected before the verdict"; then
        pf_fail "spoolgate logged another outcome: $(grep -E 'verdict=' "$SGLOG" | grep -vF "client disconnected before the verdict")"
    fi
    pf_finish
}

case "$SCENARIO" in
    deliver) scenario_deliver ;;
    reject) scenario_reject ;;
    defer) scenario_defer ;;
    xforward) scenario_xforward ;;
    proxy-timeout) scenario_proxy_timeout ;;
    cut-through) scenario_cut_through ;;
esac
