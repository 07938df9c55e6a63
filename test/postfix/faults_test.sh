#!/bin/bash
# test/postfix/faults_test.sh -- faults injected around spoolgate behind a
# real Postfix, in the after-queue placement of examples/after-queue, one
# fault per scenario. After each, the SPEC's "Never lose mail" invariant is
# checked: once the fault is gone, every message is delivered to the sink
# exactly once, byte for byte (body, header lines, the --add-header field);
# while it lasts, the message stays in Postfix's queue; no message bounces
# for a fault, none arrives twice; no spoolgate and no hook process of the
# instance is left, and nothing is left in spoolgate's spool directory
# (--spool-dir in the instance, owned by nobody, --spool-memory=0 so that
# every message is spooled on disk).
#
#   faults_test.sh SCENARIO SPOOLGATE [SOURCE_DIR]
#
# SCENARIO (each starts its own private Postfix instance):
#   next-hop-down     the reinjection smtpd taken out of master.cf (postfix
#                     reload) after a first delivery: three messages are
#                     deferred (spoolgate's 421 4.3.0 greeting) and stay
#                     queued; put back (reload): each delivered once
#   hook-crash        the hook kills itself with SIGSEGV: deferred (451),
#                     queued; hook switched to accept-all (master.cf +
#                     reload): delivered once
#   hook-tempfail     the hook exits 75: the same
#   hook-timeout      the hook (and a child of its own) outlives
#                     --hook-timeout=2: deferred, the hook's whole process
#                     group killed; switched to accept-all: delivered once
#   kill-spoolgate    spoolgate SIGKILLed while the message is in the hook
#                     (mark-and-sleep): the hook dies with it, Postfix
#                     defers ("lost connection"), the retry delivers once;
#                     while in the hook, spoolgate's spool file is an
#                     unnamed file in --spool-dir
#   kill-spoolgate-hook-child
#                     the same with a hook that is a shell waiting for a
#                     child of its own (mark-and-sleep-child): that child,
#                     in the hook's process group, must not outlive
#                     spoolgate either
#   next-hop-4xx-data the reinjection smtpd answers DATA with 4xx
#                     (smtpd_data_restrictions=defer): deferred, queued;
#                     restored: delivered once
#   next-hop-4xx-eod  the reinjection smtpd answers the final "." with 4xx
#                     (smtpd_end_of_data_restrictions=defer): the same
#   next-hop-killed   the reinjection smtpd's process SIGKILLed while
#                     spoolgate holds a transaction open on it (the message
#                     in the hook): deferred, then delivered once
#   next-hop-killed-eod
#                     the reinjection smtpd SIGKILLed while spoolgate waits
#                     for its reply to the final "." (the smtpd pauses there:
#                     smtpd_end_of_data_restrictions=sleep,8): deferred, the
#                     try logged by spoolgate (one line per message), then
#                     delivered once
#   next-hop-5xx-rcpt the reinjection smtpd rejects the recipient
#                     (smtpd_recipient_restrictions=reject): a real
#                     rejection, relayed: the message bounces to its sender,
#                     once, with the next hop's reason, and is not delivered
#
# Exit: 0 pass, 1 fail, 77 skip (not root, or no postfix). On failure it
# prints what failed, then Postfix's log, spoolgate's log and the queue.
# shellcheck disable=SC2317  # the small check functions run through pf_wait
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=test/postfix/lib.sh
. "$HERE/lib.sh"
# shellcheck source=test/postfix/faults_lib.sh
. "$HERE/faults_lib.sh"
pf_test_args faults "next-hop-down hook-crash hook-tempfail hook-timeout kill-spoolgate kill-spoolgate-hook-child next-hop-4xx-data next-hop-4xx-eod next-hop-killed next-hop-killed-eod next-hop-5xx-rcpt" "$@"

# setup HOOK-WORDS HOOK-TIMEOUT: the instance, examples/after-queue with
# spoolgate running test/hooks/HOOK-WORDS; $SETUP_HOOK (a function) may
# change master.cf before Postfix starts
setup() {
    local hook=$1 timeout=$2
    pf_require_nobody_access "$SPOOLGATE" "$HOOKS/${hook%% *}"
    pf_init "faults-$SCENARIO"
    fl_init
    # a directory where the hooks (user nobody) may leave marks
    install -d -m 0755 -o "$PF_FILTER_USER" "$W/marks"
    hook=${hook//@MARKS@/$W/marks}
    pf_write_base_config
    local words
    mapfile -t words < <(fl_spoolgate_words)
    pf_add_example after-queue "$SPOOLGATE" "${words[@]}" "--hook=$HOOKS/$hook" \
        "--hook-timeout=$timeout" "--add-header=$ADDED_HEADER"
    fl_save_master
    ACCEPT_MASTER=$W/master.cf.accept
    replace_hook_word "$(pf_master_words "--hook=$HOOKS/$hook")" " --hook=$HOOKS/accept-all" \
        < "$W/master.cf.full" > "$ACCEPT_MASTER"
    [ -n "${SETUP_HOOK:-}" ] && "$SETUP_HOOK"
    pf_start_sink
    pf_start
    pf_log "Postfix started; filter: $(pf_master_entry "^127\\.0\\.0\\.1:${PF_FILTER_PORT}[ \\t]" < "$PF_DIR/etc/master.cf" | tr -s ' \n' ' ')"
    NMSG=0
}

# replace_hook_word OLD NEW < master.cf: OLD (found exactly once) made NEW
replace_hook_word() {
    local text n
    text=$(cat)
    n=$(grep -cF -- "$1" <<< "$text")
    [ "$n" = 1 ] || pf_die "master.cf: '$1' found $n times, not once"
    printf '%s\n' "${text/"$1"/"$2"}"
}

# send_tagged TAG: a message of its own (Message-ID, sender, recipient made
# from TAG) through the port-25 smtpd (pf_submit_queued). Keeps, under index
# NMSG: TAGS, MSGIDS, FILES, SENDERS, RCPTS, QIDS.
TAGS=() MSGIDS=() FILES=() SENDERS=() RCPTS=() QIDS=()
send_tagged() {
    local tag=$1 msgid="faults-$SCENARIO-$1.$$.$RANDOM@test.example.com"
    local file=$W/$tag.eml sender=sender-$tag@example.com rcpt=$tag@example.net
    $MSG make "$file" "$msgid" "faults $SCENARIO $tag"
    pf_submit_queued "$sender" "$rcpt" "$file"
    TAGS+=("$tag") MSGIDS+=("$msgid") FILES+=("$file") SENDERS+=("$sender") RCPTS+=("$rcpt") QIDS+=("$QID")
    NMSG=${#TAGS[@]}
}

queued() { postqueue -c "$PF_DIR/etc" -j 2> /dev/null | grep -qF "\"queue_id\": \"$1\""; }
# filter_line_re QID RCPT: Postfix's delivery line for QID to the filter
filter_line_re() { echo "postfix/[a-z]+\\[[0-9]+\\]: $1: to=<$2>, relay=127\\.0\\.0\\.1\\[127\\.0\\.0\\.1\\]:$PF_FILTER_PORT, "; }
# bounces (MAIL FROM:<>) at the sink to SENDER
bounce_files() {
    local e
    for e in "$PF_DIR"/sink/*.env; do
        [ -e "$e" ] || return 0
        grep -qx 'mail_from: <> .*' "$e" && grep -q "^rcpt_to: <$1> " "$e" && echo "${e%.env}.eml"
    done
}

# expect_deferred I REASON-REGEX: message I is deferred by the filter
# transport with REASON, is still queued, has not reached the sink and has
# not bounced
expect_deferred() {
    local i=$1 re
    re="$(filter_line_re "${QIDS[i]}" "${RCPTS[i]}").*status=deferred \\(.*$2"
    if pf_wait 30 pf_maillog_has "$re"; then
        pf_pass "${TAGS[i]} (${QIDS[i]}) deferred: $(grep -E "$re" "$PF_DIR/maillog" | head -1 | grep -oE 'status=deferred.*')"
    else
        pf_fail "no deferral of ${TAGS[i]} (${QIDS[i]}) matching '$2' within 30 s; its lines: $(grep -F "${QIDS[i]}" "$PF_DIR/maillog" | tr '\n' ';')"
    fi
    if queued "${QIDS[i]}"; then
        pf_pass "${TAGS[i]} (${QIDS[i]}) is still in Postfix's queue"
    else
        pf_fail "${TAGS[i]} (${QIDS[i]}) is no longer queued"
    fi
    [ -z "$(pf_sink_files_to "${MSGIDS[i]}" "${RCPTS[i]}")" ] || pf_fail "${TAGS[i]} reached the sink during the fault"
    [ -z "$(bounce_files "${SENDERS[i]}")" ] || pf_fail "${TAGS[i]} bounced during the fault"
}

# retry_now: ask Postfix to try the deferred messages again at once
retry_now() { postqueue -c "$PF_DIR/etc" -f > /dev/null 2>&1; }

all_at_sink() {
    local i
    for ((i = 0; i < NMSG; i++)); do
        [ -n "$(pf_sink_files_to "${MSGIDS[i]}" "${RCPTS[i]}")" ] || return 1
    done
}

# expect_all_delivered_once SECONDS: the invariant once the fault is gone:
# every message at the sink once, unchanged, the queue empty, no bounce,
# nothing left behind
expect_all_delivered_once() {
    local t=$1 i
    retry_now
    pf_wait "$t" all_at_sink || pf_fail "not every message reached the sink within $t s after the fault cleared"
    pf_wait 30 pf_queue_empty || pf_fail "Postfix's queue is not empty 30 s later: $(postqueue -c "$PF_DIR/etc" -p | tr '\n' ';')"
    sleep 2     # a second copy would show up by now
    local files n
    for ((i = 0; i < NMSG; i++)); do
        files=$(pf_sink_files_to "${MSGIDS[i]}" "${RCPTS[i]}")
        n=$(grep -c . <<< "$files")
        if [ "$n" = 1 ]; then
            if $MSG compare "${FILES[i]}" "$files" "$ADDED_HEADER" > "$W/compare-${TAGS[i]}.txt"; then
                pf_pass "${TAGS[i]} delivered once, unchanged: $files ($(tr '\n' ';' < "$W/compare-${TAGS[i]}.txt"))"
            else
                pf_fail "${TAGS[i]} arrived changed: $(cat "$W/compare-${TAGS[i]}.txt")"
            fi
        else
            pf_fail "${TAGS[i]} (${MSGIDS[i]}) delivered $n times: $(tr '\n' ' ' <<< "$files")"
        fi
        [ -z "$(bounce_files "${SENDERS[i]}")" ] || pf_fail "${TAGS[i]} bounced: $(bounce_files "${SENDERS[i]}")"
        if pf_maillog_has "${QIDS[i]}: .*status=bounced"; then
            pf_fail "Postfix bounced ${TAGS[i]}: $(grep -E "${QIDS[i]}: .*status=bounced" "$PF_DIR/maillog")"
        fi
    done
    n=$(pf_sink_count)
    [ "$n" = "$NMSG" ] || pf_fail "$n messages at the sink, $NMSG sent"
    fl_no_leftovers 15
}

scenario_next_hop_down() {
    setup accept-all 30
    # a first message goes through, so that the reinjection smtpd has
    # served a connection before it goes away
    send_tagged before
    pf_wait 30 all_at_sink || pf_fail "the first message did not reach the sink"
    # the reinjection smtpd goes away: postfix reload without its entry
    fl_master_without_reinjection > "$W/master.cf.down"
    fl_install_master "$W/master.cf.down"
    pf_wait 10 fl_reinjection_closed || pf_fail "the reinjection smtpd still listens after postfix reload"
    pf_pass "reinjection smtpd removed (postfix reload), port $PF_REINJECT_PORT closed"
    send_tagged down1
    send_tagged down2
    send_tagged down3
    local i
    for i in 1 2 3; do
        expect_deferred "$i" "4\\.3\\.0 .*next hop unavailable|delivery temporarily suspended"
    done
    # one more try each, still deferred, still queued
    retry_now
    sleep 3
    for i in 1 2 3; do
        queued "${QIDS[i]}" || pf_fail "${TAGS[i]} left the queue while the next hop was down"
    done
    pf_log "deferrals while the next hop was down: $(grep -cE "relay=127\\.0\\.0\\.1\\[127\\.0\\.0\\.1\\]:$PF_FILTER_PORT, .*status=deferred" "$PF_DIR/maillog")"
    [ "$(pf_sink_count)" = 1 ] || pf_fail "something reached the sink while the next hop was down"
    fl_install_master "$W/master.cf.full"
    pf_wait 10 fl_reinjection_listening || pf_fail "the reinjection smtpd does not listen after postfix reload"
    pf_pass "reinjection smtpd back (postfix reload)"
    expect_all_delivered_once 40
    pf_finish
}

# hook_fault HOOK-WORDS TIMEOUT REASON-REGEX SGLOG-REGEX: the hook fails,
# the message is deferred; the hook becomes accept-all: delivered once
hook_fault() {
    setup "$1" "$2"
    send_tagged m1
    expect_deferred 0 "$3"
    if pf_wait 10 grep -qE -- "$4" "$SGLOG"; then
        pf_pass "spoolgate logged: $(grep -E -- "$4" "$SGLOG" | head -1)"
    else
        pf_fail "no spoolgate log line matching '$4': $(tail -3 "$SGLOG" | tr '\n' ';')"
    fi
    # Postfix tries again: deferred again
    deferred_twice() { [ "$(grep -cE "$(filter_line_re "${QIDS[0]}" "${RCPTS[0]}").*status=deferred" "$PF_DIR/maillog")" -ge 2 ]; }
    retry_now
    if pf_wait 30 deferred_twice; then pf_pass "retried and deferred again"; else pf_fail "no second deferral within 30 s"; fi
    queued "${QIDS[0]}" || pf_fail "the message left the queue"
    fl_install_master "$ACCEPT_MASTER"
    pf_pass "hook switched to accept-all (postfix reload)"
    sleep 1
    expect_all_delivered_once 40
    pf_finish
}

scenario_hook_crash() {
    hook_fault "crash SEGV" 30 "451 4\\.7\\.1 " "verdict=defer, hook=SIGSEGV, .*relay=none, reply=\\(451 4\\.7\\.1 "
}

scenario_hook_tempfail() {
    hook_fault "exit-with 75 'tempfail from the hook'" 30 "451 4\\.7\\.1 tempfail from the hook" \
        "verdict=defer, hook=75, .*relay=none, reply=\\(451 4\\.7\\.1 tempfail from the hook\\)"
}

scenario_hook_timeout() {
    # the hook starts a child that would outlive it, and takes 30 s: after
    # 2 s spoolgate kills its process group and defers
    hook_fault "sleeper 30 grandchild" 2 "451 4\\.7\\.1 " "verdict=defer, hook=timeout.*relay=none, reply=\\(451 4\\.7\\.1 "
}

# the hook process of this instance's only spoolgate, once it runs: a child
# of spoolgate (its other child, a copy of spoolgate, is the watcher that
# kills the hooks' process groups if spoolgate dies)
wait_for_hook() {
    SG_PID='' HOOK_PID=''
    local p c
    for p in $(fl_sg_pids); do
        for c in $(pgrep -P "$p"); do
            [ "$(readlink "/proc/$c/exe" 2> /dev/null)" = "$SPOOLGATE" ] && continue
            HOOK_PID=$c SG_PID=$p
            return 0
        done
    done
    return 1
}

# kill_spoolgate_in_hook HOOK-WORDS
kill_spoolgate_in_hook() {
    setup "$1" 60
    send_tagged m1
    pf_wait 30 test -e "$W/marks/in-hook" || { pf_fail "the hook did not run within 30 s"; pf_finish; }
    pf_wait 5 wait_for_hook || { pf_fail "no spoolgate with a running hook found"; pf_finish; }
    pf_pass "the message is in the hook: spoolgate $(fl_ps "$SG_PID"), hook $(fl_ps "$HOOK_PID")"
    # the leftover check would see this hook (it finds hooks by environment)
    grep -qx "$HOOK_PID" <<< "$(fl_hook_pids)" || pf_fail "fl_hook_pids does not find the running hook $HOOK_PID: $(fl_hook_pids | tr '\n' ' ')"
    # --spool-memory=0: the message is in a file in --spool-dir, unnamed
    local spoolfd
    spoolfd=$(find "/proc/$SG_PID/fd" -lname "$SPOOL/*" -printf '%f -> %l\n' 2> /dev/null | head -1)
    if [ -n "$spoolfd" ]; then
        pf_pass "spoolgate's spool file is in --spool-dir, with no name: fd $spoolfd; $SPOOL holds: $(fl_spool_files | wc -l) entries"
    else
        pf_fail "spoolgate holds no file in $SPOOL although --spool-memory=0: $(find "/proc/$SG_PID/fd" -printf '%f -> %l\n' | tr '\n' ';')"
    fi
    [ -z "$(fl_spool_files)" ] || pf_fail "the spool file has a name: $(fl_spool_files)"
    # the next try goes to a hook that accepts (the running spoolgate keeps
    # its own command line)
    fl_install_master "$ACCEPT_MASTER"
    sleep 1
    kill -0 "$HOOK_PID" 2> /dev/null || pf_fail "the hook ended before spoolgate was killed"
    # the hook leads a process group of its own:
    # what it started is there
    local group pgid
    pgid=$(ps -o pgid= -p "$HOOK_PID" | tr -d ' ')
    mapfile -t group < <(pgrep -g "$pgid")
    pf_log "the hook's process group: $(fl_ps "${group[@]}" | tr '\n' ';')"
    kill -KILL "$SG_PID"
    pf_pass "spoolgate $SG_PID killed with SIGKILL while its hook $HOOK_PID ran"
    hook_gone() { ! kill -0 "$HOOK_PID" 2> /dev/null; }
    if pf_wait 5 hook_gone; then
        pf_pass "the hook $HOOK_PID died with spoolgate"
    else
        pf_fail "the hook outlived spoolgate: $(fl_ps "$HOOK_PID")"
    fi
    group_gone() { [ -z "$(pgrep -g "$pgid")" ]; }
    if pf_wait 5 group_gone; then
        pf_pass "nothing of the hook's process group (${group[*]}) outlived spoolgate"
    else
        mapfile -t group < <(pgrep -g "$pgid")
        pf_fail "processes the hook started outlived spoolgate (SIGKILL): $(fl_ps "${group[@]}" | tr '\n' ';')"
    fi
    expect_deferred 0 "lost connection"
    expect_all_delivered_once 40
    pf_finish
}

next_hop_option_fault() {
    local opt=$1 reason=$2
    variant_master() {
        fl_master_reinject_option "$opt" > "$W/master.cf.variant"
        cp "$W/master.cf.variant" "$PF_DIR/etc/master.cf"
    }
    SETUP_HOOK=variant_master
    setup accept-all 30
    pf_log "reinjection smtpd: $(pf_master_entry "^127\\.0\\.0\\.1:${PF_REINJECT_PORT}[ \\t]" < "$PF_DIR/etc/master.cf" | tr -s ' \n' ' ')"
    send_tagged m1
    send_tagged m2
    expect_deferred 0 "$reason"
    expect_deferred 1 "$reason"
    grep -E "$reason" "$PF_DIR/maillog" | grep -vF "$PF_FILTER_PORT" | head -2 | sed 's/^/    next hop: /' >&2
    fl_install_master "$W/master.cf.full"
    pf_pass "reinjection smtpd restored (postfix reload)"
    sleep 1
    expect_all_delivered_once 40
    pf_finish
}

scenario_kill_spoolgate() {
    # the hook process itself sleeps (exec)
    kill_spoolgate_in_hook "mark-and-sleep @MARKS@/in-hook 120"
}

scenario_kill_spoolgate_hook_child() {
    # the hook is a shell that waits for a child of its own
    kill_spoolgate_in_hook "mark-and-sleep-child @MARKS@/in-hook 120"
}

scenario_next_hop_4xx_data() {
    next_hop_option_fault smtpd_data_restrictions=defer "4[0-9][0-9] 4\\.[0-9.]+ .*(in reply to end of DATA command)"
}

scenario_next_hop_4xx_eod() {
    next_hop_option_fault smtpd_end_of_data_restrictions=defer "4[0-9][0-9] 4\\.[0-9.]+ .*(in reply to end of DATA command)"
}

scenario_next_hop_killed() {
    # an smtpd killed before it finished its first session looks to the
    # master like "bad command startup": it throttles the service for
    # service_throttle_time (60 s by default), and spoolgate's next try
    # would wait that long for a greeting
    short_throttle() { echo "service_throttle_time = 2s" >> "$PF_DIR/etc/main.cf"; }
    SETUP_HOOK=short_throttle
    setup "mark-and-sleep @MARKS@/in-hook 4" 30
    send_tagged m1
    pf_wait 30 test -e "$W/marks/in-hook" || { pf_fail "the hook did not run within 30 s"; pf_finish; }
    pf_wait 5 wait_for_hook || { pf_fail "no spoolgate with a running hook found"; pf_finish; }
    # the reinjection smtpd holding spoolgate's transaction (MAIL and RCPT
    # done, DATA not yet sent)
    local smtpd
    mapfile -t smtpd < <(pgrep -f "^smtpd -n 127\\.0\\.0\\.1:$PF_REINJECT_PORT ")
    [ "${#smtpd[@]}" -gt 0 ] || { pf_fail "no reinjection smtpd process found"; pf_finish; }
    pf_log "reinjection smtpd: $(fl_ps "${smtpd[@]}" | tr '\n' ';')"
    kill -KILL "${smtpd[@]}"
    pf_pass "reinjection smtpd ${smtpd[*]} killed with SIGKILL while spoolgate $SG_PID ran its hook"
    expect_deferred 0 "4[0-9][0-9] 4\\.[0-9.]+ "
    expect_all_delivered_once 60
    pf_finish
}

scenario_next_hop_killed_eod() {
    # the reinjection smtpd pauses 8 s before it answers the final "."
    # (smtpd_end_of_data_restrictions=sleep,8); it is killed during that
    # pause, while spoolgate waits for its reply. smtpd has not told cleanup
    # to keep the message yet, so the next hop has not queued it: the try
    # must end in a deferral, and the retry deliver it once.
    slow_eod() {
        echo "service_throttle_time = 2s" >> "$PF_DIR/etc/main.cf"
        fl_master_reinject_option smtpd_end_of_data_restrictions=sleep,8 > "$W/master.cf.variant"
        cp "$W/master.cf.variant" "$PF_DIR/etc/master.cf"
    }
    SETUP_HOOK=slow_eod
    setup accept-all 30
    send_tagged m1
    # the next hop logs the queue ID it gives the message at MAIL; the
    # hook (accept-all) and the transfer take milliseconds after that
    local re
    re="postfix/smtpd\[[0-9]+\]: [0-9A-Za-z]+: client=.*, orig_queue_id=${QIDS[0]}, "
    pf_wait 30 pf_maillog_has "$re" || { pf_fail "the message did not reach the reinjection smtpd within 30 s"; pf_finish; }
    sleep 2
    local smtpd
    smtpd=$(grep -E "$re" "$PF_DIR/maillog" | head -1 | sed -n 's/.*postfix\/smtpd\[\([0-9]*\)\].*/\1/p')
    if [ -z "$smtpd" ] || ! kill -0 "$smtpd" 2> /dev/null; then
        pf_fail "the reinjection smtpd ${smtpd:-?} is gone already"
        pf_finish
    fi
    if pf_maillog_has "${QIDS[0]}: .*status="; then
        pf_fail "the try was over before the reinjection smtpd was killed: $(grep -E "${QIDS[0]}: .*status=" "$PF_DIR/maillog")"
        pf_finish
    fi
    pf_log "reinjection smtpd: $(fl_ps "$smtpd"), wchan $(cat "/proc/$smtpd/wchan" 2> /dev/null)"
    kill -KILL "$smtpd"
    pf_pass "reinjection smtpd $smtpd killed with SIGKILL while spoolgate waited for its reply to the final \".\""
    expect_deferred 0 "4[0-9][0-9] 4\\.[0-9.]+ .*in reply to end of DATA command"
    local line
    line=$(grep -E "]: ${QIDS[0]}: from=" "$SGLOG" | head -1)
    if [[ "$line" == *"verdict=accept"*"reply=(4"* || "$line" == *"verdict=defer"*"reply=(4"* ]]; then
        pf_pass "spoolgate logged the try: $line"
    else
        pf_fail "spoolgate logged no line for the try that failed (SPEC, Log: one line per message); its log: $(tr '\n' ';' < "$SGLOG")"
    fi
    fl_install_master "$W/master.cf.full"
    pf_pass "reinjection smtpd restored (postfix reload)"
    sleep 1
    expect_all_delivered_once 40
    pf_finish
}

scenario_next_hop_5xx_rcpt() {
    variant_master() {
        fl_master_reinject_option smtpd_recipient_restrictions=reject > "$W/master.cf.variant"
        cp "$W/master.cf.variant" "$PF_DIR/etc/master.cf"
    }
    SETUP_HOOK=variant_master
    setup accept-all 30
    send_tagged m1
    local re
    re="$(filter_line_re "${QIDS[0]}" "${RCPTS[0]}").*status=bounced \\(host 127\\.0\\.0\\.1\\[127\\.0\\.0\\.1\\] said: 5[0-9][0-9] 5\\.[0-9.]+ <${RCPTS[0]}>: Recipient address rejected"
    if pf_wait 30 pf_maillog_has "$re"; then
        pf_pass "Postfix bounced the message with the next hop's reason: $(grep -E "$re" "$PF_DIR/maillog" | grep -oE 'status=bounced.*')"
    else
        pf_fail "no 'status=bounced (host ... said: 5xx 5.x.x <${RCPTS[0]}>: Recipient address rejected' within 30 s: $(grep -F "${QIDS[0]}" "$PF_DIR/maillog" | tr '\n' ';')"
    fi
    have_bounce() { [ -n "$(bounce_files "${SENDERS[0]}")" ]; }
    pf_wait 30 have_bounce || pf_fail "no bounce to ${SENDERS[0]} reached the sink within 30 s"
    pf_wait 30 pf_queue_empty || pf_fail "Postfix's queue is not empty 30 s after the bounce"
    sleep 2
    local b n
    b=$(bounce_files "${SENDERS[0]}")
    n=$(grep -c . <<< "$b")
    if [ "$n" = 1 ] && grep -qF "Recipient address rejected" "$b" && grep -qF "${MSGIDS[0]}" "$b"; then
        pf_pass "one bounce to ${SENDERS[0]}, quoting the next hop's reason and the message: $b"
        grep -F "Recipient address rejected" "$b" | head -2 | sed 's/^/    /' >&2
    else
        pf_fail "want one bounce to ${SENDERS[0]} quoting 'Recipient address rejected' and ${MSGIDS[0]}; got $n: $b"
    fi
    [ -z "$(pf_sink_files_to "${MSGIDS[0]}" "${RCPTS[0]}")" ] || pf_fail "the rejected message was delivered"
    [ "$(pf_sink_count)" = 1 ] || pf_fail "$(pf_sink_count) messages at the sink, want only the bounce"
    fl_no_leftovers 15
    pf_finish
}

case "$SCENARIO" in
    next-hop-down) scenario_next_hop_down ;;
    hook-crash) scenario_hook_crash ;;
    hook-tempfail) scenario_hook_tempfail ;;
    hook-timeout) scenario_hook_timeout ;;
    kill-spoolgate) scenario_kill_spoolgate ;;
    kill-spoolgate-hook-child) scenario_kill_spoolgate_hook_child ;;
    next-hop-4xx-data) scenario_next_hop_4xx_data ;;
    next-hop-4xx-eod) scenario_next_hop_4xx_eod ;;
    next-hop-killed) scenario_next_hop_killed ;;
    next-hop-killed-eod) scenario_next_hop_killed_eod ;;
    next-hop-5xx-rcpt) scenario_next_hop_5xx_rcpt ;;
esac
