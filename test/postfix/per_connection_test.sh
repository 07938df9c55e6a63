#!/bin/bash
# test/postfix/per_connection_test.sh -- spoolgate started once per TCP
# connection by something other than Postfix, as examples/systemd/ sets it
# up: the address from spoolgate.socket's ListenStream=, the command from
# spoolgate@.service's ExecStart=, the next hop a real Postfix reinjection
# smtpd (the 127.0.0.1:10026 entry of examples/after-queue/master.cf) that
# relays to the sink.
#
#   per_connection_test.sh SCENARIO SPOOLGATE [SOURCE_DIR]
#
# SCENARIO:
#   systemd  under systemd-socket-activate --inetd --accept (what
#            spoolgate.socket with Accept=yes does: the connection is stdin
#            and stdout, stderr is the activator's), run as root, so with
#            --user nobody added; the unit files also pass systemd-analyze
#            verify
#   socat    under socat TCP-LISTEN:...,fork EXEC:...,nofork (the inetd-like
#            line in spoolgate.socket's comment): the connection itself is
#            stdin and stdout, stderr stays socat's; as root, --user nobody
# In both, swaks sends two messages over two connections: both reach the
# sink once, unchanged but for the --add-header field, every line swaks
# reads is an SMTP reply, spoolgate ran as nobody and exits after QUIT.
# The listener is stopped by its PID.
#
# Exit: 0 pass, 1 fail, 77 skip (not root, no postfix, no swaks, or no
# systemd-socket-activate / socat). On failure it prints what failed, then
# Postfix's log, spoolgate's log and the queue.
# shellcheck disable=SC2317,SC2015  # check functions run through pf_wait; pf_pass never fails
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=test/postfix/lib.sh
. "$HERE/lib.sh"
pf_test_args per-connection "systemd socat" "$@"
case "$SCENARIO" in
    systemd) LAUNCHER=systemd-socket-activate ;;
    socat) LAUNCHER=socat ;;
esac
for p in swaks "$LAUNCHER"; do
    command -v "$p" > /dev/null 2>&1 || { echo "SKIP: $p not found"; exit 77; }
done
UNITS=$SRC/examples/systemd

# unit_value FILE KEY: the value of the one live KEY= line of a unit file
unit_value() {
    local v n
    v=$(grep -E "^$2=" "$1" | sed "s/^$2=//")
    n=$(grep -c . <<< "$v")
    [ "$n" = 1 ] || pf_die "$1: $n live '$2=' lines, want 1"
    printf '%s' "$v"
}

# the unit files: what the test takes from them, and what they must say
check_units() {
    local sock=$UNITS/spoolgate.socket svc=$UNITS/spoolgate@.service
    [ -r "$sock" ] && [ -r "$svc" ] || pf_die "missing $sock or $svc"
    LISTEN=$(unit_value "$sock" ListenStream)
    EXEC_START=$(unit_value "$svc" ExecStart)
    local bad=0 v
    [ "$LISTEN" = 127.0.0.1:10025 ] || { pf_log "spoolgate.socket: ListenStream=$LISTEN, want 127.0.0.1:10025"; bad=1; }
    [ "$(unit_value "$sock" Accept)" = yes ] || { pf_log "spoolgate.socket: Accept= is not yes"; bad=1; }
    [ "$EXEC_START" = "/usr/bin/spoolgate localhost 10026" ] ||
        { pf_log "spoolgate@.service: ExecStart=$EXEC_START, want '/usr/bin/spoolgate localhost 10026'"; bad=1; }
    [ "$(unit_value "$svc" User)" = spoolgate ] || { pf_log "spoolgate@.service: User= is not spoolgate"; bad=1; }
    [ "$(unit_value "$svc" StandardInput)" = socket ] || { pf_log "spoolgate@.service: StandardInput= is not socket"; bad=1; }
    [ "$(unit_value "$svc" StandardOutput)" = socket ] || { pf_log "spoolgate@.service: StandardOutput= is not socket"; bad=1; }
    v=$(unit_value "$svc" StandardError)
    case "$v" in
        journal | null | syslog | kmsg | journal+console) ;;
        *) pf_log "spoolgate@.service: StandardError=$v: it must not be the socket (or inherit it)"; bad=1 ;;
    esac
    [ "$bad" = 0 ] || pf_die "examples/systemd no longer match what the test adapts"
    pf_pass "units: ListenStream=$LISTEN Accept=yes; ExecStart=$EXEC_START User=spoolgate StandardInput=socket StandardOutput=socket StandardError=$v"
    # systemd's own check of the units, with the binary path made real
    if command -v systemd-analyze > /dev/null 2>&1; then
        mkdir -p "$W/units"
        cp "$sock" "$W/units/"
        sed "s#^ExecStart=/usr/bin/spoolgate #ExecStart=$SPOOLGATE #" "$svc" > "$W/units/spoolgate@.service"
        if (cd "$W/units" && timeout 60 systemd-analyze verify --man=no ./spoolgate.socket ./spoolgate@.service) > "$W/verify.log" 2>&1 &&
            [ ! -s "$W/verify.log" ]; then
            pf_pass "systemd-analyze verify: no complaint about the units"
        else
            pf_fail "systemd-analyze verify complains about the units: $(cat "$W/verify.log")"
        fi
    else
        pf_log "note: no systemd-analyze, the units are not verified by systemd"
    fi
}

setup() {
    pf_require_nobody_access "$SPOOLGATE" "$HOOKS/record"
    pf_init "per-connection-$SCENARIO"
    W=$PF_DIR/work
    SGLOG=$PF_DIR/spoolgate.log
    install -m 0644 -o "$PF_FILTER_USER" /dev/null "$SGLOG"
    REC=$PF_DIR/record
    install -d -m 0755 -o "$PF_FILTER_USER" "$REC"
    check_units
    # Postfix: only the reinjection smtpd (and the plain port-25 smtpd of
    # the base configuration, unused), relaying to the sink
    pf_write_base_config
    pf_add_reinjection_smtpd
    pf_start_sink
    pf_start
    # spoolgate's options in a --config file: socat's EXEC splits its
    # command at every space, so no word may contain one
    CONF=$PF_DIR/spoolgate.conf
    cat > "$CONF" <<EOF
# spoolgate options for the per-connection test
log-file = $SGLOG
hook = $HOOKS/record $REC 0
hook-timeout = 30
timeout = 60
add-header = $ADDED_HEADER
EOF
    chmod 644 "$CONF"
    # ExecStart=/usr/bin/spoolgate localhost 10026, adapted: the binary,
    # --user (the launcher runs as root; the unit has User=spoolgate instead),
    # the options, the next hop's port
    local rest=${EXEC_START#/usr/bin/spoolgate }
    rest=${rest/%localhost 10026/localhost $PF_REINJECT_PORT}
    # shellcheck disable=SC2206  # words, as systemd splits ExecStart=
    CMD=("$SPOOLGATE" --user "$PF_FILTER_USER" --config "$CONF" $rest)
    LP=$PF_FILTER_PORT
    local addr=${LISTEN%:10025}:$LP
    case "$SCENARIO" in
        systemd)
            pf_start_bg listener systemd-socket-activate --inetd --accept -l "$addr" "${CMD[@]}"
            ;;
        socat)
            # nofork: the per-connection socat process execs spoolgate with
            # the TCP connection itself as stdin and stdout; stderr stays
            # socat's (the listener's log), never the socket
            pf_start_bg listener socat "TCP-LISTEN:$LP,bind=${LISTEN%:10025},fork,reuseaddr" \
                "EXEC:${CMD[*]},nofork"
            ;;
    esac
    LISTENER_PID=$PF_BG_PID
    listening() { ! pf_port_free "$LP"; }
    if ! pf_wait 10 listening; then
        cat "$PF_DIR/listener.log" >&2
        pf_fail "$LAUNCHER does not listen on $addr"
        pf_finish
    fi
    pf_pass "$LAUNCHER (PID $LISTENER_PID) listens on $addr, runs: ${CMD[*]}"
}

# send N: one swaks session, a message with Message-ID MSGID_N to rcptN
send() {
    local n=$1 msgid="pc-$SCENARIO-$1.$$.$RANDOM@test.example.com"
    eval "MSGID_$n=\$msgid"
    $MSG make "$W/sent$n.eml" "$msgid" "per-connection $SCENARIO message $n"
    # swaks ends the data with CRLF "." CRLF even after a last CRLF of its
    # own: give it the message without its last line end
    head -c -2 "$W/sent$n.eml" > "$W/swaks-data$n.eml"
    timeout 60 swaks --server 127.0.0.1 --port "$LP" --helo "client$n.example.org" \
        --from sender@example.com --to "rcpt$n@example.net" --data "@$W/swaks-data$n.eml" \
        --timeout 30 --suppress-data > "$W/swaks$n.log" 2>&1
    local st=$?
    if [ "$st" = 0 ]; then
        pf_pass "swaks session $n: exit 0; $(grep -E '^<-  ' "$W/swaks$n.log" | sed -n '1p;$p' | tr -s ' ' | tr '\n' ' ')"
    else
        pf_fail "swaks session $n: exit $st"
        sed 's/^/    /' "$W/swaks$n.log" >&2
    fi
    # every line from the server is an SMTP reply: nothing from stderr, no
    # stray output
    local junk
    junk=$(grep -E '^(<-|<\*\*)' "$W/swaks$n.log" | grep -vE '^<-  [2-5][0-9][0-9][ -]')
    if [ -z "$junk" ]; then
        pf_pass "swaks session $n: $(grep -cE '^<-  ' "$W/swaks$n.log") server lines, all SMTP replies"
    else
        pf_fail "swaks session $n: lines from the server that are not SMTP replies:"
        printf '%s\n' "$junk" | sed 's/^/    /' >&2
    fi
    grep -qE '^<-  220 [^ ]+ ESMTP spoolgate' "$W/swaks$n.log" || pf_fail "swaks session $n: no '220 ... ESMTP spoolgate' greeting"
    grep -qE '^<-  250 .*queued as ' "$W/swaks$n.log" || pf_fail "swaks session $n: no '250 ... queued as' at the final \".\""
    grep -qE '^<-  221 ' "$W/swaks$n.log" || pf_fail "swaks session $n: no 221 to QUIT"
    [ "$(stat -c %U "$REC/env" 2> /dev/null)" = "$PF_FILTER_USER" ] &&
        grep -qxF "SPOOLGATE_RECIPIENTS=rcpt$n@example.net" "$REC/env" &&
        pf_pass "session $n: the hook ran as $PF_FILTER_USER ($REC/env is owned by it)" ||
        pf_fail "session $n: the hook did not run as $PF_FILTER_USER for rcpt$n ($(stat -c %U "$REC/env" 2> /dev/null); $(tr '\n' ' ' < "$REC/env" 2> /dev/null))"
}

# spoolgate processes still alive (they end after QUIT)
spoolgates_left() { pgrep -f -- "^$SPOOLGATE --user $PF_FILTER_USER --config $CONF" 2> /dev/null; }
no_spoolgate_left() { [ -z "$(spoolgates_left)" ]; }

run() {
    setup
    send 1
    pf_wait 10 no_spoolgate_left && pf_pass "no spoolgate process left after session 1" ||
        pf_fail "spoolgate processes still running after session 1: $(spoolgates_left | tr '\n' ' ')"
    send 2
    pf_wait 10 no_spoolgate_left && pf_pass "no spoolgate process left after session 2" ||
        pf_fail "spoolgate processes still running after session 2: $(spoolgates_left | tr '\n' ' ')"
    local n f msgid files
    for n in 1 2; do
        eval "msgid=\$MSGID_$n"
        if ! pf_wait 30 pf_sink_has "$msgid"; then
            pf_fail "message $n did not reach the sink within 30 s"
            continue
        fi
    done
    pf_wait 30 pf_queue_empty || pf_fail "Postfix's queue is not empty 30 s after the deliveries"
    sleep 1
    for n in 1 2; do
        eval "msgid=\$MSGID_$n"
        files=$(pf_sink_files_with "$msgid")
        [ -n "$files" ] || continue
        if [ "$(grep -c . <<< "$files")" = 1 ]; then
            pf_pass "message $n delivered to the sink exactly once"
        else
            pf_fail "message $n delivered $(grep -c . <<< "$files") times"
        fi
        f=${files%%$'\n'*}
        if $MSG compare "$W/sent$n.eml" "$f" "$ADDED_HEADER" > "$W/compare$n.txt"; then
            pf_pass "message $n: $(tr '\n' ';' < "$W/compare$n.txt")"
        else
            pf_fail "message $n arrived changed:"
            cat "$W/compare$n.txt" >&2
        fi
        grep -q "^rcpt_to: <rcpt$n@example.net>" "${f%.eml}.env" || pf_fail "message $n: wrong envelope: $(tr '\n' ' ' < "${f%.eml}.env")"
        local line
        line=$(grep -E "spoolgate\\[[0-9]+\\]: NOQUEUE: from=<sender@example.com>, to=<rcpt$n@example.net>, " "$SGLOG")
        if [ "$(grep -c . <<< "$line")" = 1 ] && [[ "$line" == *", verdict=accept, hook=0, "*"relay="*":$PF_REINJECT_PORT, reply=(250 "*"queued as "* ]]; then
            pf_pass "spoolgate logged: $line"
        else
            pf_fail "spoolgate's log has not one line 'NOQUEUE: from=<sender@example.com>, to=<rcpt$n@example.net>, ..., verdict=accept, hook=0, ..., reply=(250 ... queued as ...)'; got: ${line:-nothing}"
        fi
    done
    n=$(grep -cE 'verdict=' "$SGLOG")
    [ "$n" = 2 ] || pf_fail "spoolgate logged $n messages, want 2"
    # the listener's output: the launcher's own lines only, nothing from
    # spoolgate (which must not write to stderr)
    if grep -qE '^spoolgate(\[[0-9]+\])?: ' "$PF_DIR/listener.log"; then
        pf_fail "spoolgate wrote to stderr: $(grep -E '^spoolgate(\[[0-9]+\])?: ' "$PF_DIR/listener.log")"
    fi
    [ -s "$PF_DIR/listener.log" ] && pf_log "$LAUNCHER's output: $(tr '\n' '|' < "$PF_DIR/listener.log")"
    # stop the listener by its PID; nothing of it may stay
    pf_stop_bg listener
    if kill -0 "$LISTENER_PID" 2> /dev/null; then
        pf_fail "$LAUNCHER (PID $LISTENER_PID) still runs after TERM and KILL"
    else
        pf_pass "$LAUNCHER (PID $LISTENER_PID) stopped"
    fi
    if [ -z "$(ss -Htln "( sport = :$LP )" 2> /dev/null)" ]; then
        pf_pass "nothing listens on $LP any more"
    else
        pf_fail "something still listens on $LP: $(ss -Htlnp "( sport = :$LP )")"
    fi
    pf_finish
}

run
