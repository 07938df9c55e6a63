#!/bin/bash
# test/postfix/after_queue_test.sh -- spoolgate behind a real Postfix, in the
# after-queue "advanced" placement of FILTER_README, configured from
# examples/after-queue/{main,master}.cf.
#
#   after_queue_test.sh SCENARIO SPOOLGATE [SOURCE_DIR]
#
# SCENARIO (each starts its own private Postfix instance):
#   deliver   a message submitted to Postfix reaches the final destination
#             once, its body byte for byte as sent (8-bit bytes, lines that
#             begin with ".", a 10000-octet line), with the --add-header field
#   reject    a message the hook rejects comes back to its sender as a bounce
#             (through the sink) that quotes the hook's reason
#   defer     a message the hook defers stays in Postfix's deferred queue and
#             is retried; Postfix's log shows the 451 4.7.1
#   queue-id  spoolgate's log line for a delivered message (two recipients)
#             carries the queue ID Postfix logged for it, verdict=accept, and
#             the next hop's "queued as" reply
#   burst     20 messages over 5 parallel client sessions (Postfix reuses
#             filter connections): each arrives once, each has its log line
#
# Exit: 0 pass, 1 fail, 77 skip (not root, or no postfix). On failure it
# prints what failed, then Postfix's log, spoolgate's log and the queue.
# shellcheck disable=SC2317  # the small check functions run through pf_wait
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=test/postfix/lib.sh
. "$HERE/lib.sh"
pf_test_args after-queue "deliver reject defer queue-id burst" "$@"

# the instance: examples/after-queue with spoolgate running HOOK
setup() {
    local hook=$HOOKS/$1
    pf_require_nobody_access "$SPOOLGATE" "$hook"
    pf_init "after-queue-$SCENARIO"
    W=$PF_DIR/work
    SGLOG=$PF_DIR/spoolgate.log
    # spoolgate runs as nobody: its log file must be writable by nobody
    install -m 0644 -o "$PF_FILTER_USER" /dev/null "$SGLOG"
    pf_write_base_config
    pf_add_after_queue_example "$SPOOLGATE" "--log-file=$SGLOG" "--hook=$hook" \
        "--hook-timeout=30" "--add-header=$ADDED_HEADER"
    pf_start_sink
    pf_start
    pf_log "Postfix started; filter: $(grep -A1 -E "^127\\.0\\.0\\.1:$PF_FILTER_PORT" "$PF_DIR/etc/master.cf" | tail -1 | sed 's/^ *//')"
}

# spoolgate's log lines for queue ID $1 ("DATE HOST spoolgate[PID]: $1: from=...")
sglog_lines() { grep -E "^.*spoolgate\[[0-9]+\]: $1: " "$SGLOG" 2> /dev/null; }
# the delivery of queue ID $1 to the filter port, as Postfix logs it
scan_line_re() { echo "postfix/[a-z]+\\[[0-9]+\\]: $1: to=<[^>]*>, relay=127\\.0\\.0\\.1\\[127\\.0\\.0\\.1\\]:$PF_FILTER_PORT, "; }

scenario_deliver() {
    setup accept-all
    local msgid="deliver.$$.$RANDOM@test.example.com"
    $MSG make "$W/sent.eml" "$msgid"
    pf_submit_queued sender@example.com rcpt@example.net "$W/sent.eml"
    pf_expect_delivered_once "$msgid" "$W/sent.eml" "$ADDED_HEADER" rcpt@example.net 1
    local f=$PF_DELIVERED
    if pf_maillog_has "$(scan_line_re "$QID").*status=sent"; then
        pf_pass "Postfix delivered $QID through the filter port $PF_FILTER_PORT (status=sent)"
    else
        pf_fail "the maillog shows no delivery of $QID to the filter port $PF_FILTER_PORT"
    fi
    pf_finish
}

scenario_reject() {
    setup reject-virus
    local msgid="reject.$$.$RANDOM@test.example.com"
    $MSG make "$W/sent.eml" "$msgid" "please reject this"
    pf_submit_queued sender@example.com reject@example.net "$W/sent.eml"
    local re
    re="$(scan_line_re "$QID").*status=bounced \\(host 127\\.0\\.0\\.1\\[127\\.0\\.0\\.1\\] said: 550 5\\.7\\.1 virus found: Eicar-Test-Signature"
    if pf_wait 30 pf_maillog_has "$re"; then
        pf_pass "Postfix logged the bounce of $QID: $(grep -oE "status=bounced.*" "$PF_DIR/maillog" | head -1)"
    else
        pf_fail "no 'status=bounced (... 550 5.7.1 virus found: Eicar-Test-Signature' for $QID in the maillog within 30 s"
    fi
    # the bounce: from <>, to the sender, quoting the reason and the message
    pf_expect_bounce "$msgid" "virus found: Eicar-Test-Signature" reject@example.net
    local line
    line=$(sglog_lines "$QID" | head -1)
    if [[ "$line" == *"from=<sender@example.com>, to=<reject@example.net>, nrcpt=1, "*"verdict=reject, "*"reply=(550 5.7.1 virus found: Eicar-Test-Signature)"* ]]; then
        pf_pass "spoolgate logged: $line"
    else
        pf_fail "no spoolgate log line '$QID: from=<sender@example.com>, to=<reject@example.net>, ... verdict=reject, ... reply=(550 5.7.1 virus found: Eicar-Test-Signature)'; got: ${line:-nothing}"
    fi
    # Postfix does not send the bounces it writes itself through
    # content_filter (only mail received by smtpd, pickup and qmqpd), so the
    # reject hook never sees the bounce
    if grep -qF "from=<>, to=<sender@example.com>" "$SGLOG"; then
        pf_fail "the bounce went through the filter (and was rejected too?): $(grep -F "from=<>" "$SGLOG")"
    fi
    pf_finish
}

scenario_defer() {
    setup defer-tempfail
    local msgid="defer.$$.$RANDOM@test.example.com"
    $MSG make "$W/sent.eml" "$msgid" "please defer this"
    pf_submit_queued sender@example.com rcpt@example.net "$W/sent.eml"
    local re
    re="$(scan_line_re "$QID").*status=deferred \\(host 127\\.0\\.0\\.1\\[127\\.0\\.0\\.1\\] said: 451 4\\.7\\.1 scanner temporarily unavailable"
    if pf_wait 30 pf_maillog_has "$re"; then
        pf_pass "Postfix logged the deferral of $QID: $(grep -E "$re" "$PF_DIR/maillog" | head -1 | grep -oE 'status=deferred.*')"
    else
        pf_fail "no 'status=deferred (... 451 4.7.1 scanner temporarily unavailable' for $QID in the maillog within 30 s"
        pf_finish
    fi
    # in the deferred queue (between two tries it is there; during a try it
    # is in the active queue for a moment)
    in_deferred_queue() {
        postqueue -c "$PF_DIR/etc" -j 2> /dev/null |
            grep -F "\"queue_id\": \"$QID\"" | grep -qF '"queue_name": "deferred"'
    }
    if pf_wait 15 in_deferred_queue; then
        pf_pass "postqueue -j: $(postqueue -c "$PF_DIR/etc" -j | grep -F "\"queue_id\": \"$QID\"" | grep -oE '"queue_name": "[a-z]+"|"delay_reason": "[^"]*"' | tr '\n' ' ')"
    else
        pf_fail "$QID is not in the deferred queue (postqueue -j: $(postqueue -c "$PF_DIR/etc" -j))"
    fi
    # Postfix tries again (minimal_backoff_time = 2s here): deferred again,
    # still queued, never delivered nor bounced
    deferred_twice() { [ "$(grep -cE "$re" "$PF_DIR/maillog")" -ge 2 ]; }
    if pf_wait 30 deferred_twice; then
        pf_pass "Postfix retried $QID and it was deferred again ($(grep -cE "$re" "$PF_DIR/maillog") tries so far)"
    else
        pf_fail "Postfix did not retry $QID within 30 s"
    fi
    if postqueue -c "$PF_DIR/etc" -j 2> /dev/null | grep -qF "\"queue_id\": \"$QID\""; then
        pf_pass "$QID is still queued"
    else
        pf_fail "$QID left the queue"
    fi
    if pf_sink_has "$msgid"; then pf_fail "the deferred message reached the sink"; fi
    if pf_maillog_has "$QID: .*status=(sent|bounced)"; then
        pf_fail "$QID was delivered or bounced: $(grep -E "$QID: .*status=(sent|bounced)" "$PF_DIR/maillog")"
    fi
    if ls "$PF_DIR"/sink/*.eml > /dev/null 2>&1; then
        pf_fail "something reached the sink (a bounce?): $(ls "$PF_DIR"/sink)"
    else
        pf_pass "nothing reached the sink"
    fi
    local line
    line=$(sglog_lines "$QID" | head -1)
    if [[ "$line" == *"from=<sender@example.com>, to=<rcpt@example.net>, nrcpt=1, "*"verdict=defer, "*"relay=none, reply=(451 4.7.1 scanner temporarily unavailable)"* ]]; then
        pf_pass "spoolgate logged: $line"
    else
        pf_fail "no spoolgate log line '$QID: ... verdict=defer, ... relay=none, reply=(451 4.7.1 scanner temporarily unavailable)'; got: ${line:-nothing}"
    fi
    pf_finish
}

scenario_queue_id() {
    setup accept-all
    local msgid="queue-id.$$.$RANDOM@test.example.com"
    $MSG make "$W/sent.eml" "$msgid" "queue ID in the log"
    pf_submit_queued sender@example.com rcpt1@example.net,rcpt2@example.net "$W/sent.eml"
    pf_wait 30 pf_sink_has "$msgid" || { pf_fail "the message did not reach the sink within 30 s"; pf_finish; }
    pf_wait 30 pf_queue_empty || pf_fail "Postfix's queue is not empty 30 s after the delivery"
    # Postfix's log: QID went to the filter, whose next hop queued it as QID2
    local scan qid2
    scan=$(grep -E "$(scan_line_re "$QID").*status=sent" "$PF_DIR/maillog" | head -1)
    qid2=$(sed -n 's/.*status=sent (250 .*queued as \([0-9A-Za-z]\{1,\}\)).*/\1/p' <<< "$scan")
    if [ -n "$qid2" ]; then
        pf_pass "maillog: $QID went through the filter and came back as $qid2"
    else
        pf_fail "no 'status=sent (250 ... queued as ...)' for $QID via the filter port in the maillog"
    fi
    if [ -n "$qid2" ] && pf_maillog_has "$qid2: to=<rcpt1@example.net>, relay=127\\.0\\.0\\.1\\[127\\.0\\.0\\.1\\]:$PF_SINK_PORT, .*status=sent"; then
        pf_pass "maillog: $qid2 delivered to the sink"
    else
        pf_fail "no delivery of ${qid2:-?} to the sink in the maillog"
    fi
    local n line
    n=$(sglog_lines "$QID" | grep -c .)
    line=$(sglog_lines "$QID" | head -1)
    [ "$n" = 1 ] || pf_fail "spoolgate logged $n lines for $QID (want 1): $(sglog_lines "$QID")"
    if [[ "$line" == *"]: $QID: from=<sender@example.com>, to=<rcpt1@example.net>,<rcpt2@example.net>, nrcpt=2, size="*", verdict=accept, hook="*", relay="*":$PF_REINJECT_PORT, reply=(250 "*"queued as $qid2)" ]]; then
        pf_pass "spoolgate's log line carries Postfix's queue ID: $line"
    else
        pf_fail "spoolgate's log line for $QID is not '$QID: from=<sender@example.com>, to=<rcpt1@example.net>,<rcpt2@example.net>, nrcpt=2, size=N, verdict=accept, hook=..., relay=...:$PF_REINJECT_PORT, reply=(250 ... queued as ${qid2:-?})'; got: ${line:-nothing}"
    fi
    # size= is the message as spoolgate received it: what reached the sink
    # less the reinjection smtpd's Received: field (the first one) and the
    # added header line
    local f size want
    f=$(pf_sink_files_with "$msgid" | head -1)
    size=$(sed -n 's/.*, size=\([0-9]*\),.*/\1/p' <<< "$line")
    want=$($PF_PYTHON - "$f" "$ADDED_HEADER" <<'EOF'
import sys
m = open(sys.argv[1], "rb").read()
head = m[:m.index(b"\r\n\r\n") + 2]
fields, cur = [], b""
for l in head.split(b"\r\n")[:-1]:
    if l[:1] in (b" ", b"\t"):
        cur += l + b"\r\n"
    else:
        if cur:
            fields.append(cur)
        cur = l + b"\r\n"
fields.append(cur)
first = fields[0] if fields[0].lower().startswith(b"received:") else b""
print(len(m) - len(first) - len(sys.argv[2].encode()) - 2)
EOF
)
    if [ -n "$size" ] && [ "$size" = "$want" ]; then
        pf_pass "size=$size is the message as Postfix sent it to the filter"
    else
        pf_fail "size=${size:-?} in spoolgate's log, but the message Postfix sent to the filter had $want octets"
    fi
    pf_finish
}

scenario_burst() {
    setup accept-all
    command -v smtp-source > /dev/null || { pf_fail "smtp-source not found (postfix package)"; pf_finish; }
    local total=20
    if ! timeout 60 smtp-source -s 5 -m "$total" -l 2000 -f burst@example.com -t rcpt@example.net \
        "127.0.0.1:$PF_SMTP_PORT" > "$W/smtp-source.log" 2>&1; then
        pf_fail "smtp-source failed: $(cat "$W/smtp-source.log")"
        pf_finish
    fi
    pf_pass "smtp-source sent $total messages over 5 sessions"
    sink_count() { find "$PF_DIR/sink" -name '*.eml' | wc -l; }
    sink_full() { [ "$(sink_count)" -ge "$total" ]; }
    pf_wait 60 sink_full || pf_fail "only $(sink_count) of $total messages reached the sink within 60 s"
    pf_wait 30 pf_queue_empty || pf_fail "Postfix's queue is not empty 30 s after the burst"
    sleep 1
    if [ "$(sink_count)" = "$total" ]; then
        pf_pass "all $total messages reached the sink, none twice"
    else
        pf_fail "$(sink_count) messages at the sink, $total sent"
    fi
    local f bad=0
    for f in "$PF_DIR"/sink/*.eml; do
        [ -e "$f" ] || break
        [ "$($MSG header-block "$f" | grep -cxF "$ADDED_HEADER"$'\r')" = 1 ] ||
            { bad=$((bad + 1)); pf_fail "$f does not carry '$ADDED_HEADER' exactly once"; }
    done
    [ "$bad" = 0 ] && pf_pass "each carries '$ADDED_HEADER' once"
    local qids n
    qids=$(grep -E "relay=127\\.0\\.0\\.1\\[127\\.0\\.0\\.1\\]:$PF_FILTER_PORT, .*status=sent" "$PF_DIR/maillog" |
        sed -n 's/.*\]: \([0-9A-Za-z]\{1,\}\): to=.*/\1/p' | sort -u)
    n=$(grep -c . <<< "$qids")
    [ "$n" = "$total" ] || pf_fail "the maillog shows $n deliveries through the filter, not $total"
    local q missing=0
    for q in $qids; do
        sglog_lines "$q" | grep -q ": $q: from=<burst@example.com>, .*verdict=accept, " || { missing=$((missing + 1)); pf_fail "no spoolgate accept line for $q"; }
    done
    [ "$missing" = 0 ] && pf_pass "spoolgate logged verdict=accept under the right queue ID for all $n"
    local reused
    reused=$(grep -E "relay=127\\.0\\.0\\.1\\[127\\.0\\.0\\.1\\]:$PF_FILTER_PORT, .*conn_use=[0-9]+" "$PF_DIR/maillog" | grep -c .)
    pf_log "deliveries over a reused filter connection: $reused of $n"
    pf_finish
}

case "$SCENARIO" in
    deliver) scenario_deliver ;;
    reject) scenario_reject ;;
    defer) scenario_defer ;;
    queue-id) scenario_queue_id ;;
    burst) scenario_burst ;;
esac
