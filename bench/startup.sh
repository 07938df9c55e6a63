#!/bin/bash
# bench/startup.sh -- how long spoolgate takes to greet: from exec (fork,
# really) to its "220" line, with its next hop (smtp-sink) on loopback, the
# connection on a socketpair, as user nobody, stderr to /dev/null. Before it
# greets, spoolgate connects to the next hop and sends EHLO, so this is also
# the least time any one-message connection through it can take.
#
# For scale, the same for two floors built from bench/greeter.c (plain C,
# libc only): "greeter" greets at once; "greeter-hop" first connects to the
# next hop and sends EHLO, as spoolgate must. And, through a private Postfix
# spawn(8) service on loopback, the time from connect(2) to the greeting
# for spoolgate and for greeter-hop: what a Postfix smtp client waits for.
#
# Runs are interleaved: STARTUP_BLOCKS rounds, each running every variant
# STARTUP_RUNS / STARTUP_BLOCKS times. Client: bench/startup-client.c.
#
# Then, where the time of a whole one-message connection goes (phases.py:
# greeting, EHLO, MAIL, RCPT, DATA, a 5 KB message, QUIT, close; median of
# each), through the spawn(8) service and straight to the sink, interleaved
# the same way.
#
#   bench/startup.sh            about 10 seconds
#
# Environment: STARTUP_RUNS [200] runs per variant; STARTUP_BLOCKS [10];
# STARTUP_SPAWN [1] (0: skip the spawn(8) variants and Postfix);
# SPOOLGATE, SPOOLGATE_OPTS, BENCH_USER, BENCH_KEEP: see bench/common.sh.
#
# Output: a markdown section on stdout, and one line per variant:
#   RESULT startup variant=V greeting_us=MEDIAN min=MIN p10=P10 p90=P90 exit_us=MEDIAN cpu_us=MEDIAN runs=N bad=B
#   RESULT phases path=spawn-spoolgate|direct greeting=MS ehlo=MS ... total=MS runs=N failed=F
set -u
. "$(dirname "$0")/common.sh"
ARGS=("$@")
[ $# = 0 ] || { sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 64; }

STARTUP_RUNS=${STARTUP_RUNS:-200}
STARTUP_BLOCKS=${STARTUP_BLOCKS:-10}
STARTUP_SPAWN=${STARTUP_SPAWN:-1}
bench_need cc gcc
bench_need smtp-sink postfix
bench_check_spoolgate
read -r -a SG_OPTS <<< "$SPOOLGATE_OPTS"

if [ "$STARTUP_SPAWN" = 1 ]; then bench_init startup postfix; else bench_init startup; fi
mkdir -p "$W/bin"
chmod 755 "$W/bin"
cc -O2 -o "$W/bin/startup-client" "$BENCH_HOME/startup-client.c" || die "cannot build startup-client"
cc -O2 -o "$W/bin/greeter" "$BENCH_HOME/greeter.c" || die "cannot build greeter"
chmod 755 "$W/bin/greeter"
pf_pick_port SINK_PORT
bench_sink "$SINK_PORT"

VARIANTS=(exec-spoolgate exec-greeter-hop exec-greeter)
declare -A CMD=(
    [exec-spoolgate]="$BENCH_USER $SPOOLGATE ${SG_OPTS[*]} 127.0.0.1 $SINK_PORT"
    [exec-greeter-hop]="$BENCH_USER $W/bin/greeter 127.0.0.1 $SINK_PORT"
    [exec-greeter]="$BENCH_USER $W/bin/greeter"
)
if [ "$STARTUP_SPAWN" = 1 ]; then
    pf_pick_port SPAWN_SG
    pf_pick_port SPAWN_GR
    pf_write_base_config
    cat >> "$PF_DIR/etc/master.cf" <<EOF
127.0.0.1:$SPAWN_SG inet n n n - 4 spawn
  user=$BENCH_USER argv=$SPOOLGATE $SPOOLGATE_OPTS 127.0.0.1 $SINK_PORT
127.0.0.1:$SPAWN_GR inet n n n - 4 spawn
  user=$BENCH_USER argv=$W/bin/greeter 127.0.0.1 $SINK_PORT
EOF
    pf_start
    bench_wait_listen "$SPAWN_SG" && bench_wait_listen "$SPAWN_GR" || die "the spawn services do not listen"
    VARIANTS+=(spawn-spoolgate spawn-greeter-hop)
    CMD[spawn-spoolgate]="--connect $SPAWN_SG"
    CMD[spawn-greeter-hop]="--connect $SPAWN_GR"
fi

per=$(( (STARTUP_RUNS + STARTUP_BLOCKS - 1) / STARTUP_BLOCKS ))
say "work directory $W; $((per * STARTUP_BLOCKS)) runs per variant in $STARTUP_BLOCKS rounds"
T0=$(now_us)
for v in "${VARIANTS[@]}"; do : > "$W/$v.txt"; done
for ((b = 0; b < STARTUP_BLOCKS; b++)); do
    for v in "${VARIANTS[@]}"; do
        # shellcheck disable=SC2086  # CMD holds words
        timeout 120 "$W/bin/startup-client" "$per" ${CMD[$v]} >> "$W/$v.txt" 2>> "$W/errors.log" ||
            say "$v: startup-client failed (see $W/errors.log)"
    done
done
if [ "$STARTUP_SPAWN" = 1 ]; then
    PHASE_PATHS=(spawn-spoolgate direct)
    declare -A PHASE_PORT=([spawn-spoolgate]=$SPAWN_SG [direct]=$SINK_PORT)
    for p in "${PHASE_PATHS[@]}"; do : > "$W/phases-$p.txt"; done
    for ((b = 0; b < STARTUP_BLOCKS; b++)); do
        for p in "${PHASE_PATHS[@]}"; do
            timeout 120 "$BENCH_PYTHON" "$BENCH_HOME/phases.py" run "${PHASE_PORT[$p]}" "$per" "$W/phases-$p.txt" ||
                say "phases.py failed on $p"
        done
    done
fi
ELAPSED=$(( ($(now_us) - T0) / 1000000 ))

# col FILE KEY: the values of KEY=... of the runs that got a 220
col() {
    awk -v k="$2" '{ v = ""; ok = 0
        for (i = 1; i <= NF; i++) {
            if (index($i, k "=") == 1) v = substr($i, length(k) + 2)
            if ($i == "reply=220") ok = 1
        }
        if (ok && v != "" && v >= 0) print v }' "$1" | sort -n
}
# quant P: the P-quantile (nearest rank) of the sorted numbers on stdin
quant() { awk -v p="$1" '{ a[NR] = $1 } END { if (NR == 0) print "-"; else print a[int(p * (NR - 1) + 0.5) + 1] }'; }

summary() {   # summary FILE -> "median min p10 p90 exit_median cpu_median runs failed"
    local g n
    g=$(col "$1" greeting_us)
    n=$(printf '%s' "$g" | grep -c .)
    echo "$(quant 0.5 <<< "$g") $(quant 0 <<< "$g") $(quant 0.1 <<< "$g") $(quant 0.9 <<< "$g")" \
        "$(col "$1" exit_us | quant 0.5) $(col "$1" cpu_us | quant 0.5) $n $(( $(grep -c . "$1") - n ))"
}

declare -A WHAT=(
    [exec-spoolgate]="spoolgate on a socketpair: exec, connect + EHLO to the next hop, greet"
    [exec-greeter-hop]="floor: C program, connect + EHLO to the next hop, greet"
    [exec-greeter]="floor: C program that greets at once (fork + exec only)"
    [spawn-spoolgate]="connect(2) to a spawn(8) service running spoolgate"
    [spawn-greeter-hop]="connect(2) to a spawn(8) service running greeter-hop"
)
bench_header "Start-up (bench/startup.sh)" "${ARGS[@]}"
echo "- spoolgate options: \`$SPOOLGATE_OPTS\`, next hop smtp-sink on 127.0.0.1; user $BENCH_USER; $((per * STARTUP_BLOCKS)) runs per variant, interleaved in $STARTUP_BLOCKS rounds; took ${ELAPSED}s"
echo "- the machine's scheduler delays show in the median and p90 when it is busy; min and p10, and the CPU time, show the program's own cost"
echo "- greeting: until the end of the 220 line; exit: QUIT sent, until the process is reaped (exec) or the connection closes (spawn); CPU: the process's user + system time (wait4), exec variants only"
echo
echo "| variant | what | greeting ms, median | min | p10 | p90 | exit ms, median | CPU ms, median | runs | failed |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
RESULTS=()
for v in "${VARIANTS[@]}"; do
    read -r med lo p10 p90 ex cpu n bad <<< "$(summary "$W/$v.txt")"
    ms() { [ "$1" = - ] && echo - || awk -v x="$1" 'BEGIN { printf "%.2f", x / 1000 }'; }
    cpu_ms=$(ms "$cpu")
    case "$v" in spawn-*) cpu_ms=- ;; esac
    echo "| $v | ${WHAT[$v]} | $(ms "$med") | $(ms "$lo") | $(ms "$p10") | $(ms "$p90") | $(ms "$ex") | $cpu_ms | $n | $bad |"
    RESULTS+=("RESULT startup variant=$v greeting_us=$med min=$lo p10=$p10 p90=$p90 exit_us=$ex cpu_us=$cpu runs=$n bad=$bad")
done
if [ "$STARTUP_SPAWN" = 1 ]; then
    echo
    echo "A whole one-message connection (5 KB), phase by phase: milliseconds from the previous reply, median of $((per * STARTUP_BLOCKS)) connections (phases.py, TCP_NODELAY):"
    echo
    echo "| path | greeting | EHLO | MAIL | RCPT | DATA | message | QUIT | close | total | failed |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    for p in "${PHASE_PATHS[@]}"; do
        sum=$("$BENCH_PYTHON" "$BENCH_HOME/phases.py" summary "$W/phases-$p.txt")
        row="| $p |"
        for k in greeting ehlo mail rcpt data message quit close total failed; do
            v=$(sed -n "s/.*\b$k=\([^ ]*\).*/\1/p" <<< "$sum")
            [ "$k" = failed ] || v=$(fmt "${v:-0}" 2)
            row+=" $v |"
        done
        echo "$row"
        RESULTS+=("RESULT phases path=$p $sum")
    done
fi
echo
printf '%s\n' "${RESULTS[@]}"
