#!/bin/bash
# bench/cost.sh -- what one message costs the machine, not how fast it goes:
# CPU time and context switches per message, whole machine, for the direct
# path and through spoolgate; and what starting a hook costs at the least.
#
# Paths (5 KB messages, smtp-source -d: many per connection, COST_SESSIONS
# parallel sessions, smtp-sink as the final server):
#   direct         smtp-source -> smtp-sink
#   spoolgate      smtp-source -> socat fork (EXEC, su=) -> spoolgate -> smtp-sink
#   spoolgate-hook the same with --hook /bin/true
# socat forks only per connection, and each session here is one connection:
# what is left per message is spoolgate's (and the kernel's work for it).
#
# A run reads /proc/stat before and after: busy CPU time (user, nice,
# system, irq, softirq) and the machine's context switch count ("ctxt"),
# divided by the messages sent. The machine must be otherwise idle for the
# figures to mean anything; they do not depend on its speed as much as
# msgs/s do, and the difference between paths is what each path adds.
#
# Then bench/exec-floor.c: vfork + exec of /bin/true, and the same after a
# fork of a 3 MB process (the guardian spoolgate used per hook before run 4).
#
#   bench/cost.sh       about 30-60 seconds
#
# Environment: COST_MSGS [20000] (COST_HOOK_MSGS [3000] with the hook);
# COST_SESSIONS [10]; COST_REPS [3]; SPOOLGATE, SPOOLGATE_OPTS, BENCH_USER,
# BENCH_KEEP: see bench/common.sh.
#
# Output: a markdown section on stdout, and one line per path:
#   RESULT cost path=P msgs=N msgs_s=MEDIAN cpu_us_per_msg=MEDIAN cswitch_per_msg=MEDIAN
#   RESULT cost floor=vfork|fork+vfork us_per_run=U
set -u
. "$(dirname "$0")/common.sh"
ARGS=("$@")
[ $# = 0 ] || { sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 64; }

COST_MSGS=${COST_MSGS:-20000}
COST_HOOK_MSGS=${COST_HOOK_MSGS:-3000}
COST_SESSIONS=${COST_SESSIONS:-10}
COST_REPS=${COST_REPS:-3}
bench_need smtp-source postfix
bench_need smtp-sink postfix
bench_need socat socat
bench_need cc gcc
bench_check_spoolgate

bench_init cost
pf_pick_port SINK_PORT
pf_pick_port SG_PORT
pf_pick_port HOOK_PORT
bench_sink "$SINK_PORT"
HOP="127.0.0.1 $SINK_PORT"
bench_bg "$W/socat.log" socat -T 600 \
    "TCP-LISTEN:$SG_PORT,bind=127.0.0.1,reuseaddr,fork,backlog=256" \
    "EXEC:$SPOOLGATE $SPOOLGATE_OPTS $HOP,nofork,su=$BENCH_USER"
bench_bg "$W/socat-hook.log" socat -T 600 \
    "TCP-LISTEN:$HOOK_PORT,bind=127.0.0.1,reuseaddr,fork,backlog=256" \
    "EXEC:$SPOOLGATE $SPOOLGATE_OPTS --hook /bin/true $HOP,nofork,su=$BENCH_USER"
bench_wait_listen "$SG_PORT" || die "socat does not listen: $(cat "$W/socat.log")"
bench_wait_listen "$HOOK_PORT" || die "socat does not listen: $(cat "$W/socat-hook.log")"
declare -A PORT=([direct]=$SINK_PORT [spoolgate]=$SG_PORT [spoolgate-hook]=$HOOK_PORT)

# busy jiffies and context switches of the whole machine
snapshot() { awk '/^cpu / { b = $2 + $3 + $4 + $7 + $8 } /^ctxt / { c = $2 } END { print b, c }' /proc/stat; }
HZ=$(getconf CLK_TCK)

# run PATH N -> "msgs/s cpu_us/msg cswitch/msg" or FAIL
run() {
    local path=$1 n=$2 b0 c0 b1 c1 t0 t1 before
    before=$(bench_sink_count "$SINK_PORT")
    read -r b0 c0 <<< "$(snapshot)"
    t0=$(now_us)
    timeout 120 smtp-source -d -s "$COST_SESSIONS" -m "$n" -l 5120 -M bench.example \
        -f sender@bench.example -t rcpt@sink.example "127.0.0.1:${PORT[$path]}" >> "$W/smtp-source.log" 2>&1 ||
        { echo FAIL; return; }
    t1=$(now_us)
    read -r b1 c1 <<< "$(snapshot)"
    [ "$(bench_sink_got "$SINK_PORT" "$before" "$n")" = "$n" ] || { echo FAIL; return; }
    awk -v n="$n" -v us=$((t1 - t0)) -v b=$((b1 - b0)) -v c=$((c1 - c0)) -v hz="$HZ" \
        'BEGIN { printf "%.1f %.1f %.2f\n", n * 1e6 / us, b * 1e6 / hz / n, c / n }'
}

PATHS=(direct spoolgate spoolgate-hook)
declare -A RATE CPU CS N=([direct]=$COST_MSGS [spoolgate]=$COST_MSGS [spoolgate-hook]=$COST_HOOK_MSGS)
T0=$(now_us)
for p in "${PATHS[@]}"; do run "$p" 200 > /dev/null; done   # warm-up
for ((rep = 0; rep < COST_REPS; rep++)); do
    for ((j = 0; j < ${#PATHS[@]}; j++)); do
        p=${PATHS[$(((j + rep) % ${#PATHS[@]}))]}
        r=$(run "$p" "${N[$p]}")
        [ "$r" = FAIL ] && die "$p: smtp-source failed or the sink did not count every message: $(tail -n 3 "$W/smtp-source.log")"
        read -r rate cpu cs <<< "$r"
        RATE[$p]+=" $rate" CPU[$p]+=" $cpu" CS[$p]+=" $cs"
        say "repetition $((rep + 1)), $p: $rate msgs/s, $cpu us CPU and $cs context switches per message"
    done
done
cc -O2 -o "$W/exec-floor" "$BENCH_HOME/exec-floor.c" || die "cannot build exec-floor.c"
FLOOR=$(runuser -u "$BENCH_USER" -- "$W/exec-floor" 1000)
ELAPSED=$(( ($(now_us) - T0) / 1000000 ))

bench_header "Cost per message (bench/cost.sh)" "${ARGS[@]}"
echo "- spoolgate options: \`$SPOOLGATE_OPTS\`; socat EXEC nofork su=$BENCH_USER; final server smtp-sink"
echo "- load: \`smtp-source -d -s $COST_SESSIONS -m N -l 5120\`; $COST_REPS repetitions, paths round robin; took ${ELAPSED}s"
echo "- CPU: busy time of the whole machine (/proc/stat) over the run, per message; context switches: /proc/stat ctxt, per message; median of the repetitions"
echo
echo "| path | messages per run | msgs/s | CPU µs per message | context switches per message |"
echo "|---|---:|---:|---:|---:|"
OUT=()
for p in "${PATHS[@]}"; do
    # shellcheck disable=SC2086
    read -r rate _ _ <<< "$(stats ${RATE[$p]})"
    # shellcheck disable=SC2086
    read -r cpu _ _ <<< "$(stats ${CPU[$p]})"
    # shellcheck disable=SC2086
    read -r cs _ _ <<< "$(stats ${CS[$p]})"
    echo "| $p | ${N[$p]} | $(fmt "$rate") | $(fmt "$cpu") | $(fmt "$cs" 2) |"
    OUT+=("RESULT cost path=$p msgs=${N[$p]} msgs_s=$rate cpu_us_per_msg=$cpu cswitch_per_msg=$cs")
done
echo
echo "Starting /bin/true 1000 times as $BENCH_USER (bench/exec-floor.c), microseconds per run:"
echo
echo "| how | µs per run |"
echo "|---|---:|"
while read -r how us; do
    echo "| $how | $us |"
    OUT+=("RESULT cost floor=$how us_per_run=$us")
done <<< "$FLOOR"
echo
printf '%s\n' "${OUT[@]}"
