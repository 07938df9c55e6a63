#!/bin/bash
# test/postfix/pool_test.sh -- the pool layout of spoolgate(8)'s SCALING
# section, on loopback: the MX is a private Postfix whose scan transport
# (examples/after-queue's, content_filter = scan:[127.0.0.2]:PORT) delivers
# to spoolgate on a "filter host", 127.0.0.2, started per connection by
# systemd-socket-activate --inetd --accept (what a socket unit with
# Accept=yes does); spoolgate's next hop is the MX's reinjection smtpd on
# 127.0.0.1 (examples/after-queue's 10026 entry). A second filter host on
# 127.0.0.3 is the scan transport's smtp_fallback_relay: the pool.
#
#   pool_test.sh SPOOLGATE [SOURCE_DIR]
#
# 1. both filter hosts up: a message goes through 127.0.0.2 and reaches the
#    sink once, unchanged but for the --add-header field; the filter hosts
#    listen on their own addresses only, not on 127.0.0.1
# 2. 127.0.0.2 stopped (by its PID): the next message goes through 127.0.0.3,
#    once
# 3. both stopped: a message waits in the MX's queue (deferred, not lost,
#    not delivered); a new filter host process on 127.0.0.2 (nothing kept
#    from the old one) takes it on Postfix's next try: delivered once
#
# Only loopback addresses; every wait is bounded; the listeners are stopped
# by their PIDs. Exit: 0 pass, 1 fail, 77 skip (not root, no postfix, no
# systemd-socket-activate). On failure it prints what failed, then Postfix's
# log and the queue, and keeps the work directory (spoolgate-host1.log and
# spoolgate-host2.log are the filter hosts' logs).
# shellcheck disable=SC2317,SC2015  # check functions run through pf_wait; pf_pass never fails
set -u
SPOOLGATE=${1:-}
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=${2:-$(cd "$HERE/../.." && pwd)}
# shellcheck source=test/postfix/lib.sh
. "$HERE/lib.sh"
# shellcheck disable=SC2034  # used by lib.sh
PF_SRC_DIR=$SRC   # examples/ come from the tree under test

[ -n "$SPOOLGATE" ] || { echo "usage: $0 SPOOLGATE [SOURCE_DIR]" >&2; exit 64; }
pf_require_root_and_postfix
command -v systemd-socket-activate > /dev/null 2>&1 || { echo "SKIP: systemd-socket-activate not found (systemd)"; exit 77; }
pf_test_paths "pool"
HOST1=127.0.0.2
HOST2=127.0.0.3

# filter_host N ADDR: start filter host N (spoolgate per connection on
# ADDR:$PF_FILTER_PORT, as root with --user, its own config and log file,
# next hop the MX's reinjection smtpd on 127.0.0.1); waits until it listens
filter_host() {
    local n=$1 addr=$2 conf=$PF_DIR/filter$1.conf
    [ -e "$PF_DIR/spoolgate-host$n.log" ] || install -m 0644 -o "$PF_FILTER_USER" /dev/null "$PF_DIR/spoolgate-host$n.log"
    cat > "$conf" <<EOF
# spoolgate on filter host $n of the pool ($addr)
log-file = $PF_DIR/spoolgate-host$n.log
hostname = filter$n.pool.test
hook = $HOOKS/accept-all
hook-timeout = 30
timeout = 60
add-header = $ADDED_HEADER
EOF
    chmod 644 "$conf"
    pf_start_bg "filter$n" systemd-socket-activate --inetd --accept -l "$addr:$PF_FILTER_PORT" \
        "$SPOOLGATE" --user "$PF_FILTER_USER" --config "$conf" 127.0.0.1 "$PF_REINJECT_PORT"
    listening() { [ -n "$(ss -Hltn "( src $addr and sport = :$PF_FILTER_PORT )" 2> /dev/null)" ]; }
    if pf_wait 10 listening; then
        pf_pass "filter host $n: systemd-socket-activate (PID $PF_BG_PID) listens on $addr:$PF_FILTER_PORT"
    else
        cat "$PF_DIR/spoolgate-host$n.log" >&2
        pf_fail "filter host $n does not listen on $addr:$PF_FILTER_PORT"
        pf_finish
    fi
}

setup() {
    pf_require_nobody_access "$SPOOLGATE" "$HOOKS/accept-all"
    pf_init pool
    W=$PF_DIR/work
    # the MX: the base instance, the reinjection smtpd and the scan
    # transport of examples/after-queue, content_filter to the first filter
    # host, the second one as the scan transport's fallback relay
    pf_write_base_config
    pf_add_reinjection_smtpd
    local scan
    scan=$(pf_master_entry '^scan[[:space:]]+unix[[:space:]]' < "$SRC/examples/after-queue/master.cf")
    grep -qE '^scan[[:space:]]+unix[[:space:]].*[[:space:]]smtp$' <<< "$scan" ||
        pf_die "examples/after-queue/master.cf: no 'scan unix ... smtp' entry"
    {
        echo
        echo "# ---- the scan transport of examples/after-queue/master.cf, and the pool's second filter host ----"
        printf '%s\n' "$scan"
        echo "  -o smtp_fallback_relay=[$HOST2]:$PF_FILTER_PORT"
    } >> "$PF_DIR/etc/master.cf"
    {
        echo
        echo "# ---- the pool: the filter host on $HOST1 ----"
        echo "content_filter = scan:[$HOST1]:$PF_FILTER_PORT"
        echo "receive_override_options = no_address_mappings"
    } >> "$PF_DIR/etc/main.cf"
    pf_start_sink
    pf_start
    filter_host 1 "$HOST1"
    filter_host 2 "$HOST2"
}

# stop_host N: stop filter host N's listener by its PID, then wait until
# its spoolgate processes are gone: they end when the MX closes its cached
# connection to them (QUIT), as on a filter host taken out of the pool
stop_host() {
    local n=$1
    pf_stop_bg "filter$n"
    host_procs() { pgrep -f -- "--config $PF_DIR/filter$n.conf" 2> /dev/null; }
    no_host_procs() { [ -z "$(host_procs)" ]; }
    if pf_wait 15 no_host_procs; then
        pf_pass "filter host $n stopped, no spoolgate of it left"
    else
        pf_fail "filter host $n: spoolgate processes still running 15 s after its listener stopped: $(host_procs | tr '\n' ' ')"
    fi
}

# submit MSGID SUBJECT: make the message $W/MSGID.eml and submit it to the
# MX's port-25 smtpd; QID is its queue ID
submit() {
    $MSG make "$W/$1.eml" "$1" "$2"
    pf_submit_queued sender@example.com rcpt@example.net "$W/$1.eml"
}

# through_host N QID: filter host N logged QID as accepted and relayed to
# the MX's reinjection smtpd on 127.0.0.1, and Postfix logged the delivery
# of QID to that host
through_host() {
    local n=$1 qid=$2 addr line
    [ "$n" = 1 ] && addr=$HOST1 || addr=$HOST2
    line=$(grep -E "spoolgate\\[[0-9]+\\]: $qid: from=<sender@example.com>, " "$PF_DIR/spoolgate-host$n.log")
    if [ "$(grep -c . <<< "$line")" = 1 ] &&
        [[ "$line" == *", verdict=accept, hook=0, "*"relay="*"[127.0.0.1]:$PF_REINJECT_PORT, reply=(250 "* ]]; then
        pf_pass "filter host $n logged: ${line#*]: }"
    else
        pf_fail "filter host $n has not one line '$qid: from=<sender@example.com>, ..., verdict=accept, hook=0, relay=...[127.0.0.1]:$PF_REINJECT_PORT, reply=(250 ...)'; got: ${line:-nothing}"
    fi
    if pf_maillog_has "\\]: $qid: to=<rcpt@example.net>, relay=${addr//./\\.}\\[${addr//./\\.}\\]:$PF_FILTER_PORT, .*status=sent"; then
        pf_pass "the MX delivered $qid to the filter host on $addr"
    else
        pf_fail "the maillog shows no delivery of $qid to $addr:$PF_FILTER_PORT"
    fi
}

run() {
    setup
    local own
    own=$(ss -Hltn "( sport = :$PF_FILTER_PORT )" 2> /dev/null | awk '{ print $4 }' | sort | tr '\n' ' ')
    if [ "$own" = "$HOST1:$PF_FILTER_PORT $HOST2:$PF_FILTER_PORT " ]; then
        pf_pass "port $PF_FILTER_PORT is open on the filter hosts' addresses only: $own"
    else
        pf_fail "listeners on port $PF_FILTER_PORT: '$own', want $HOST1 and $HOST2 only"
    fi

    # 1. through the first filter host
    local id1="pool-1.$$.$RANDOM@test.example.com"
    submit "$id1" "pool: through filter host 1"
    pf_expect_delivered_once "$id1" "$W/$id1.eml" "$ADDED_HEADER" rcpt@example.net 1
    through_host 1 "$QID"

    # 2. the first filter host down: the second one takes the mail
    stop_host 1
    local id2="pool-2.$$.$RANDOM@test.example.com"
    submit "$id2" "pool: through filter host 2"
    pf_expect_delivered_once "$id2" "$W/$id2.eml" "$ADDED_HEADER" rcpt@example.net 1
    through_host 2 "$QID"

    # 3. no filter host: the MX keeps the message; a new filter host
    # process on 127.0.0.2 takes it on the next try
    stop_host 2
    local id3="pool-3.$$.$RANDOM@test.example.com" qid3
    submit "$id3" "pool: queued while no filter host is up"
    qid3=$QID
    deferred() { pf_maillog_has "\\]: $qid3: to=<rcpt@example.net>, relay=none, .*status=deferred"; }
    if pf_wait 30 deferred; then
        pf_pass "the MX deferred $qid3: $(grep -E "\\]: $qid3: to=<rcpt@example.net>, relay=none, .*status=deferred" "$PF_DIR/maillog" | head -1 | grep -oE 'status=deferred.*')"
    else
        pf_fail "no 'status=deferred' for $qid3 within 30 s while no filter host was up"
    fi
    if pf_sink_has "$id3"; then pf_fail "the message reached the sink with no filter host up"; fi
    [ -n "$(pf_queue_name "$qid3")" ] && pf_pass "$qid3 waits in the $(pf_queue_name "$qid3") queue" ||
        pf_fail "$qid3 is not in the MX's queue"
    filter_host 1 "$HOST1"
    pf_expect_delivered_once "$id3" "$W/$id3.eml" "$ADDED_HEADER" rcpt@example.net 1
    through_host 1 "$qid3"
    if pf_maillog_has "\\]: $qid3: .*status=(bounced|expired)"; then pf_fail "$qid3 bounced"; fi

    # nothing went through the filter twice, nothing reached 127.0.0.1's port
    local n
    n=$(cat "$PF_DIR"/spoolgate-host*.log | grep -cE 'verdict=')
    [ "$n" = 3 ] && pf_pass "the filter hosts logged 3 messages in all" || pf_fail "the filter hosts logged $n messages, want 3"
    if pf_maillog_has "relay=127\\.0\\.0\\.1\\[127\\.0\\.0\\.1\\]:$PF_FILTER_PORT,"; then
        pf_fail "the MX delivered to 127.0.0.1:$PF_FILTER_PORT"
    fi
    stop_host 1
    [ -z "$(ss -Hltn "( sport = :$PF_FILTER_PORT )" 2> /dev/null)" ] && pf_pass "no listener left on port $PF_FILTER_PORT" ||
        pf_fail "still listening on $PF_FILTER_PORT: $(ss -Hltn "( sport = :$PF_FILTER_PORT )")"
    pf_finish
}

run
