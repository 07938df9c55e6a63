#!/bin/bash
# test/postfix/campaign_test.sh -- the randomized fault campaign: a few
# hundred messages through spoolgate behind a real Postfix (after-queue
# placement, examples/after-queue), while faults are injected at random
# points, then an account of every message.
#
#   campaign_test.sh SPOOLGATE [SOURCE_DIR]
#
# Each message has its own Message-ID, sender and recipient; every
# CAMPAIGN_REJECT_EVERY-th one has REJECTME in its Subject. They go to the
# port-25 smtpd over CAMPAIGN_SESSIONS parallel sessions, paced over
# CAMPAIGN_SUBMIT_SECONDS. Meanwhile a background loop, driven by bash's
# RANDOM seeded with CAMPAIGN_SEED (logged), every 0.3 to 1.5 s:
#   - draws the hook's next generation: the hook (test/hooks/chaos) reads a
#     mode file "chaos GEN" and, from the Message-ID and GEN, accepts most
#     messages but exits 75, crashes (SIGSEGV), hangs past --hook-timeout=2
#     or exits 3 for some 25% of its runs; REJECTME messages it rejects
#     (exit 65) whenever it would accept;
#   - and picks a fault: the reinjection smtpd taken out of master.cf and
#     put back 1 to 4 s later (postfix reload both times); one spoolgate
#     process SIGKILLed at random; one spoolgate SIGKILLed while its hook
#     runs; every spoolgate process SIGKILLed at once; or nothing.
# The faults go on CAMPAIGN_FAULT_TAIL seconds after the last message is
# submitted. Then the hook accepts (REJECTME aside), the next hop is back,
# and the queue drains (postqueue -f, at most CAMPAIGN_DRAIN_SECONDS).
#
# Every message must then be delivered exactly once at the sink, unchanged
# (body byte for byte, header lines, the --add-header field), or, for the
# REJECTME ones, bounced exactly once to its sender with the hook's reason
# and never delivered. None may be lost, duplicated, changed, bounced for a
# fault, or still queued after the drain (that would be a stuck message:
# CAMPAIGN_DRAIN_SECONDS is ample when nothing is wrong). No spoolgate or
# hook process of the instance may be left, nor any file in spoolgate's
# --spool-dir (--spool-memory=0: every message goes to disk).
#
# The figures (submitted, delivered, bounced, still queued, faults injected
# by kind, the hook's outcomes, Postfix's deferrals by reason, the seed, the
# duration) are printed on stdout.
#
# Environment: CAMPAIGN_MESSAGES (500), CAMPAIGN_SESSIONS (6),
# CAMPAIGN_SUBMIT_SECONDS (100), CAMPAIGN_FAULT_TAIL (3),
# CAMPAIGN_DRAIN_SECONDS (150), CAMPAIGN_SEED (20251122),
# CAMPAIGN_REJECT_EVERY (25); PF_KEEP=1 keeps the work directory.
# Exit: 0 pass, 1 fail, 77 skip (not root, or no postfix).
# shellcheck disable=SC2317  # the small check functions run through pf_wait
set -u
SPOOLGATE=${1:-}
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=${2:-$(cd "$HERE/../.." && pwd)}
N=${CAMPAIGN_MESSAGES:-500}
SESSIONS=${CAMPAIGN_SESSIONS:-6}
SUBMIT_SECONDS=${CAMPAIGN_SUBMIT_SECONDS:-100}
FAULT_TAIL=${CAMPAIGN_FAULT_TAIL:-3}
DRAIN_SECONDS=${CAMPAIGN_DRAIN_SECONDS:-150}
SEED=${CAMPAIGN_SEED:-20251122}
REJECT_EVERY=${CAMPAIGN_REJECT_EVERY:-25}
HOOK_TIMEOUT=2
# everything started here must outlive the campaign (the watchdog's bound)
PF_LIFETIME=${PF_LIFETIME:-$((SUBMIT_SECONDS + FAULT_TAIL + DRAIN_SECONDS + 180))}
# shellcheck source=test/postfix/lib.sh
. "$HERE/lib.sh"
# shellcheck source=test/postfix/faults_lib.sh
. "$HERE/faults_lib.sh"
# shellcheck disable=SC2034  # used by lib.sh
PF_SRC_DIR=$SRC

[ -n "$SPOOLGATE" ] || { echo "usage: $0 SPOOLGATE [SOURCE_DIR]" >&2; exit 64; }
for v in N SESSIONS SUBMIT_SECONDS FAULT_TAIL DRAIN_SECONDS SEED REJECT_EVERY; do
    if ! [[ "${!v}" =~ ^[0-9]+$ ]] || [ "${!v}" -le 0 ]; then
        echo "$0: $v must be a positive integer" >&2
        exit 64
    fi
done
pf_require_root_and_postfix
pf_test_paths campaign
CAMPAIGN="$PF_PYTHON $HERE/campaign.py"
T0=$SECONDS

pf_require_nobody_access "$SPOOLGATE" "$HOOKS/chaos"
pf_init campaign
fl_init
MODE=$W/hook-mode
HOOKLOG=$W/hook.log
FAULTLOG=$W/faults.log
install -m 0644 -o "$PF_FILTER_USER" /dev/null "$HOOKLOG"
echo "accept 0" > "$MODE"
chmod 0644 "$MODE"
: > "$FAULTLOG"
pf_write_base_config
mapfile -t words < <(fl_spoolgate_words)
pf_add_example after-queue "$SPOOLGATE" "${words[@]}" "--hook=$HOOKS/chaos $MODE $HOOKLOG" \
    "--hook-timeout=$HOOK_TIMEOUT" "--add-header=$ADDED_HEADER"
fl_save_master
fl_master_without_reinjection > "$W/master.cf.down"
pf_start_sink
pf_start
echo "campaign: seed $SEED, $N messages over $SESSIONS sessions in ${SUBMIT_SECONDS}s, faults until ${FAULT_TAIL}s after, drain at most ${DRAIN_SECONDS}s; work directory $PF_DIR"
$CAMPAIGN make "$W" "$N" "$SEED" "$REJECT_EVERY" || pf_die "campaign.py make failed"

# ---- the fault injector (in the background, its PID known to lib.sh) ----
faultlog() { printf '%5ds %s\n' $((SECONDS - T0)) "$*" >> "$FAULTLOG"; }
# sleep_ms MS: sleep MS milliseconds, or less if told to stop
sleep_ms() {
    local ms=$1 chunk
    while [ "$ms" -gt 0 ] && [ ! -e "$W/stop-faults" ]; do
        chunk=$((ms > 300 ? 300 : ms))
        sleep "$((chunk / 1000)).$(printf '%03d' $((chunk % 1000)))"
        ms=$((ms - chunk))
    done
}
# kill_sg KIND PID: SIGKILL a spoolgate of this instance (checked again
# just before, so that a reused PID is never hit)
kill_sg() {
    if [ "$(readlink "/proc/$2/exe" 2> /dev/null)" = "$SPOOLGATE" ] && kill -KILL "$2" 2> /dev/null; then
        faultlog "$1 pid=$2"
    else
        faultlog "$1-missed pid=$2"
    fi
}
reload_with() {
    cp "$1" "$PF_DIR/etc/master.cf.new" && mv "$PF_DIR/etc/master.cf.new" "$PF_DIR/etc/master.cf"
    postfix -c "$PF_DIR/etc" reload >> "$W/injector-reload.log" 2>&1 || faultlog "ERROR postfix reload failed"
}
injector() {
    RANDOM=$SEED
    local gen=0 r pids p hooked down=0 bound=$((SECONDS + SUBMIT_SECONDS + FAULT_TAIL + 120))
    trap 'exit 0' TERM
    while [ ! -e "$W/stop-faults" ] && [ "$SECONDS" -lt "$bound" ]; do
        gen=$((gen + 1))
        echo "chaos $gen" > "$MODE.new" && chmod 0644 "$MODE.new" && mv "$MODE.new" "$MODE"
        r=$((RANDOM % 100))
        if [ "$r" -lt 15 ]; then
            reload_with "$W/master.cf.down"
            down=1
            faultlog "next-hop-down"
            sleep_ms $((1000 + RANDOM % 3000))
            reload_with "$W/master.cf.full"
            down=0
            faultlog "next-hop-up"
        elif [ "$r" -lt 50 ]; then
            mapfile -t pids < <(fl_sg_pids)
            if [ "${#pids[@]}" -gt 0 ]; then
                kill_sg kill-spoolgate "${pids[RANDOM % ${#pids[@]}]}"
            else
                faultlog "kill-spoolgate-none-running"
            fi
        elif [ "$r" -lt 70 ]; then
            hooked=()
            for p in $(fl_sg_pids); do
                [ -n "$(pgrep -P "$p")" ] && hooked+=("$p")
            done
            if [ "${#hooked[@]}" -gt 0 ]; then
                kill_sg kill-spoolgate-in-hook "${hooked[RANDOM % ${#hooked[@]}]}"
            else
                faultlog "kill-spoolgate-in-hook-none-running"
            fi
        elif [ "$r" -lt 75 ]; then
            faultlog "kill-all-spoolgates"
            for p in $(fl_sg_pids); do kill_sg kill-spoolgate-all "$p"; done
        else
            faultlog "hook-draw-only gen=$gen"
        fi
        sleep_ms $((300 + RANDOM % 1200))
    done
    [ "$down" = 1 ] && reload_with "$W/master.cf.full"
    faultlog "injector stopped, generation $gen"
}

START=$SECONDS
pf_start_bg injector injector
INJECTOR_PID=$PF_BG_PID
echo "campaign: fault injector started (pid $INJECTOR_PID, seed $SEED)"
if ! $CAMPAIGN submit "$PF_SMTP_PORT" "$W" "$SESSIONS" "$SUBMIT_SECONDS" "$SEED" > "$W/submit.log" 2>&1; then
    pf_fail "submission incomplete: $(cat "$W/submit.log"); $(grep -vE ' [0-9A-Za-z]+$' "$W/submitted.tsv" | head -5 | tr '\n' ';')"
fi
echo "campaign: $(cat "$W/submit.log") ($((SECONDS - START)) s)"
SUBMITTED_AT=$SECONDS
sleep "$FAULT_TAIL"
touch "$W/stop-faults"
injector_gone() { ! kill -0 "$INJECTOR_PID" 2> /dev/null; }
pf_wait 15 injector_gone || pf_fail "the fault injector did not stop within 15 s"
pf_stop_bg injector
FAULTS_END=$SECONDS
AT_STOP_SINK=$(pf_sink_count)
AT_STOP_QUEUED=$(postqueue -c "$PF_DIR/etc" -j 2> /dev/null | grep -c .)
echo "campaign: faults stopped $((FAULTS_END - START)) s after the start; by then $AT_STOP_SINK messages at the sink, $AT_STOP_QUEUED in the queue"

# ---- the drain: the hook accepts, the next hop is back ----
echo "accept 0" > "$MODE.new" && chmod 0644 "$MODE.new" && mv "$MODE.new" "$MODE"
if ! cmp -s "$PF_DIR/etc/master.cf" "$W/master.cf.full"; then
    fl_install_master "$W/master.cf.full"
fi
pf_wait 10 fl_reinjection_listening || pf_fail "the reinjection smtpd does not listen after the faults"
settled() { pf_queue_empty && $CAMPAIGN settled "$W" "$PF_DIR/sink"; }
drained=0
for ((t = 0; t < DRAIN_SECONDS; t += 5)); do
    postqueue -c "$PF_DIR/etc" -f > /dev/null 2>&1
    if pf_wait 5 settled; then drained=1; break; fi
done
DRAIN_END=$SECONDS
if [ "$drained" = 1 ]; then
    echo "campaign: queue drained $((DRAIN_END - FAULTS_END)) s after the faults stopped"
else
    echo "campaign: the queue did not drain within $DRAIN_SECONDS s"
fi
sleep 3     # a late duplicate would arrive by now

# ---- the account ----
postqueue -c "$PF_DIR/etc" -j > "$W/queue.json" 2> /dev/null
count() { grep -cE "$1" "$FAULTLOG"; }
echo "campaign figures (seed $SEED):"
echo "  messages                         $N (REJECTME: every ${REJECT_EVERY}th)"
if $CAMPAIGN account "$W" "$PF_DIR/sink" "$W/queue.json" "$PF_DIR/maillog" "$PF_FILTER_PORT" \
    "$ADDED_HEADER" "$HOOKLOG" > "$W/account.txt" 2>&1; then
    cat "$W/account.txt"
else
    cat "$W/account.txt"
    pf_fail "the account does not balance (PROBLEM lines above)"
fi
echo "  faults injected:"
echo "    reinjection smtpd down and up    $(count ' next-hop-down$')"
echo "    spoolgate SIGKILLed at random    $(count ' kill-spoolgate pid=')"
echo "    spoolgate SIGKILLed in its hook  $(count ' kill-spoolgate-in-hook pid=')"
echo "    all spoolgates SIGKILLed         $(count ' kill-all-spoolgates$') times, $(count ' kill-spoolgate-all pid=') processes"
echo "    kills that found nothing         $(count '(-missed |none-running)')"
echo "    hook generations drawn           $(sed -n 's/.*injector stopped, generation \([0-9]*\)/\1/p' "$FAULTLOG")"
echo "  spoolgate log lines              $(grep -c . "$SGLOG"), verdicts: $(grep -oE 'verdict=[a-z]+' "$SGLOG" | sort | uniq -c | tr -s ' \n' ' ')"
echo "  when the faults stopped          $AT_STOP_SINK at the sink, $AT_STOP_QUEUED in the queue"
echo "  durations: submission $((SUBMITTED_AT - START)) s, faults $((FAULTS_END - START)) s, drain $((DRAIN_END - FAULTS_END)) s, total $((SECONDS - T0)) s"
if grep -q ERROR "$FAULTLOG"; then
    pf_fail "the injector reported: $(grep ERROR "$FAULTLOG" | head -3 | tr '\n' ';')"
fi
fl_no_leftovers 20
if [ "$PF_FAILED" != 0 ]; then
    echo "---- the fault log ($FAULTLOG) ----" >&2
    tail -n 40 "$FAULTLOG" >&2
fi
pf_finish
