#!/bin/bash
# bench/throughput.sh -- messages per second through spoolgate and its
# peers, on loopback, with Postfix's own load tools: smtp-source is the
# client, smtp-sink the final server. Paths:
#
#   direct        smtp-source -> smtp-sink                   (the limit)
#   spawn         smtp-source -> Postfix spawn(8) -> spoolgate -> smtp-sink
#   spawn-hook    the same, spoolgate --hook /bin/true
#   socat         smtp-source -> socat fork (EXEC, su=nobody) -> spoolgate -> smtp-sink
#   proxsmtp      smtp-source -> proxsmtpd, no filter command -> smtp-sink
#   proxsmtp-cat  smtp-source -> proxsmtpd, FilterCommand cat -> smtp-sink
#
# Cells: message size (smtp-source -l) x parallel sessions (-s) x one
# message per connection or many (-d). In each repetition every path runs
# once, round robin (the starting path rotates), so that machine drift hits
# all paths alike; the ratio to direct is taken within each repetition, and
# its median is reported. Every run is checked: the sink must have counted
# every message smtp-source sent, or the run is a FAIL.
#
# Before the measured runs, each path is sized for each cell: a short trial
# gives its rate, and a run is then made of that rate times BENCH_SECONDS
# messages (between BENCH_MIN_MSGS and BENCH_MAX_MSGS).
#
#   bench/throughput.sh            full run (about 4-6 minutes on 2 cores)
#   bench/throughput.sh --quick    about 1-1.5 minutes (shorter runs)
#
# Environment (defaults in brackets):
#   BENCH_PATHS    [direct spawn spawn-hook socat proxsmtp proxsmtp-cat]
#   BENCH_SIZES    [5120 1048576]   bytes of payload (smtp-source -l)
#   BENCH_CONCS    [1 10]           parallel sessions (smtp-source -s)
#   BENCH_MODES    [1 many]         messages per connection
#   BENCH_SECONDS  [1.5; --quick 0.3]  target length of one measured run
#   BENCH_MSGS     []               a fixed message count per run instead
#   BENCH_REPS     [3]              repetitions (median, min, max)
#   BENCH_MIN_MSGS [4]  BENCH_MAX_MSGS [20000]
#   BENCH_RUN_TIMEOUT [60]          seconds, one smtp-source run at most
#   BENCH_DEADLINE [900; --quick 240]  seconds; runs not started by then are
#                                   skipped (shown as "skip")
#   BENCH_SPAWN_MAXPROC [20]        process limit of the spawn services
#   SPOOLGATE, SPOOLGATE_OPTS, BENCH_USER, BENCH_KEEP: see bench/common.sh
#
# Output: on stdout a markdown section (header, table) and one line per
# cell and path:
#   RESULT throughput path=P size=BYTES sessions=S per_conn=1|many msgs_s=MEDIAN min=MIN max=MAX ratio=R msgs=N drops=D
# Progress on stderr.
set -u
. "$(dirname "$0")/common.sh"

QUICK=0
ARGS=("$@")
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) QUICK=1 ;;
        -h|--help) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown argument $1 (try --help)" ;;
    esac
    shift
done

BENCH_PATHS=${BENCH_PATHS:-"direct spawn spawn-hook socat proxsmtp proxsmtp-cat"}
BENCH_SIZES=${BENCH_SIZES:-"5120 1048576"}
BENCH_CONCS=${BENCH_CONCS:-"1 10"}
BENCH_MODES=${BENCH_MODES:-"1 many"}
BENCH_REPS=${BENCH_REPS:-3}
BENCH_MSGS=${BENCH_MSGS:-}
BENCH_MIN_MSGS=${BENCH_MIN_MSGS:-4}
BENCH_MAX_MSGS=${BENCH_MAX_MSGS:-20000}
BENCH_RUN_TIMEOUT=${BENCH_RUN_TIMEOUT:-60}
BENCH_SPAWN_MAXPROC=${BENCH_SPAWN_MAXPROC:-20}
if [ "$QUICK" = 1 ]; then
    BENCH_SECONDS=${BENCH_SECONDS:-0.3}
    BENCH_DEADLINE=${BENCH_DEADLINE:-240}
else
    BENCH_SECONDS=${BENCH_SECONDS:-1.5}
    BENCH_DEADLINE=${BENCH_DEADLINE:-900}
fi

for p in $BENCH_PATHS; do
    case "$p" in
        direct|spawn|spawn-hook|socat) ;;
        proxsmtp|proxsmtp-cat) bench_need proxsmtpd proxsmtp ;;
        *) die "unknown path $p" ;;
    esac
done
bench_need smtp-source postfix
bench_need smtp-sink postfix
[[ " $BENCH_PATHS " == *" socat "* ]] && bench_need socat socat
bench_check_spoolgate

# ------------------------------------------------------------ the paths ---
bench_init throughput postfix
pf_pick_port SINK_PORT
declare -A PORT=([direct]=$SINK_PORT)
for p in $BENCH_PATHS; do
    [ "$p" = direct ] || pf_pick_port "PORT[$p]"
done
HOP="127.0.0.1 $SINK_PORT"
read -r -a SG_OPTS <<< "$SPOOLGATE_OPTS"
for w in "${SG_OPTS[@]}"; do
    case "$w" in *[[:space:]]*) die "SPOOLGATE_OPTS: a word with white space cannot go into argv=" ;; esac
done

bench_sink "$SINK_PORT"

# spawn, spawn-hook: one private Postfix instance, nothing but its spawn(8)
# services (and the harness's idle port-25 smtpd)
if [[ " $BENCH_PATHS " == *" spawn"* ]]; then
    pf_write_base_config
    for p in spawn spawn-hook; do
        [[ " $BENCH_PATHS " == *" $p "* ]] || continue
        hook=""
        [ "$p" = spawn-hook ] && hook="--hook /bin/true"
        cat >> "$PF_DIR/etc/master.cf" <<EOF
127.0.0.1:${PORT[$p]} inet n n n - $BENCH_SPAWN_MAXPROC spawn
  user=$BENCH_USER argv=$SPOOLGATE $SPOOLGATE_OPTS $hook $HOP
EOF
    done
    pf_start
    for p in spawn spawn-hook; do
        [[ " $BENCH_PATHS " == *" $p "* ]] || continue
        bench_wait_listen "${PORT[$p]}" || die "spawn service $p does not listen"
    done
fi

# socat: one spoolgate per connection, as inetd would (EXEC with su=)
if [[ " $BENCH_PATHS " == *" socat "* ]]; then
    bench_bg "$W/socat.log" socat -T 600 \
        "TCP-LISTEN:${PORT[socat]},bind=127.0.0.1,reuseaddr,fork,backlog=256" \
        "EXEC:$SPOOLGATE $SPOOLGATE_OPTS $HOP,nofork,su=$BENCH_USER"
    bench_wait_listen "${PORT[socat]}" || die "socat does not listen: $(cat "$W/socat.log")"
fi

# proxsmtpd: Debian's per-connection SMTP proxy (threads, one daemon)
for p in proxsmtp proxsmtp-cat; do
    [[ " $BENCH_PATHS " == *" $p "* ]] || continue
    mkdir -p "$W/$p-tmp" && chown "$BENCH_USER" "$W/$p-tmp"
    {
        echo "Listen: 127.0.0.1:${PORT[$p]}"
        echo "OutAddress: 127.0.0.1:$SINK_PORT"
        echo "MaxConnections: 64"
        echo "TimeOut: 120"
        echo "TempDirectory: $W/$p-tmp"
        echo "User: $BENCH_USER"
        if [ "$p" = proxsmtp-cat ]; then
            echo "FilterCommand: cat"
            echo "FilterType: pipe"
        fi
    } > "$W/$p.conf"
    bench_bg "$W/$p.log" proxsmtpd -d 0 -f "$W/$p.conf" -p "$W/$p.pid"
    bench_wait_listen "${PORT[$p]}" || die "proxsmtpd ($p) does not listen: $(cat "$W/$p.log")"
done

# -------------------------------------------------------------- running ---
listen_drops() {   # the kernel's count of connections dropped for a full accept queue
    awk '$1 == "TcpExt:" { if (!k) { for (i = 2; i <= NF; i++) if ($i == "ListenDrops") k = i; next }
                           print $k; exit }' /proc/net/netstat
}

# run PATH SIZE CONC MODE N: one smtp-source run; prints msgs/s, or FAIL
run() {
    local path=$1 size=$2 conc=$3 mode=$4 n=$5 d="" before got t0 t1 rc
    [ "$mode" = many ] && d=-d
    before=$(bench_sink_count "$SINK_PORT")
    t0=$(now_us)
    timeout "$BENCH_RUN_TIMEOUT" smtp-source $d -s "$conc" -m "$n" -l "$size" -M bench.example \
        -f sender@bench.example -t rcpt@sink.example "127.0.0.1:${PORT[$path]}" \
        >> "$W/smtp-source.log" 2>&1
    rc=$?
    t1=$(now_us)
    got=$(bench_sink_got "$SINK_PORT" "$before" "$n")
    if [ "$rc" != 0 ] || [ "$got" != "$n" ]; then
        echo "$path size=$size sessions=$conc per_conn=$mode n=$n: smtp-source status $rc, sink counted $got" \
            >> "$W/failures.log"
        echo FAIL
        return
    fi
    awk -v n="$n" -v us=$((t1 - t0)) 'BEGIN { printf "%.3f", n * 1e6 / (us > 0 ? us : 1) }'
}

# size PATH SIZE CONC MODE: the message count of a run of ~BENCH_SECONDS
size_run() {
    local path=$1 size=$2 conc=$3 mode=$4 n r k
    if [ -n "$BENCH_MSGS" ]; then echo "$BENCH_MSGS"; return; fi
    n=$((conc < 2 ? 2 : conc))
    for ((k = 0; k < 2; k++)); do   # a small trial, then one of ~1/4 of the target
        r=$(run "$path" "$size" "$conc" "$mode" "$n")
        [ "$r" = FAIL ] && { echo FAIL; return; }
        [ "$k" = 0 ] && n=$(awk -v r="$r" -v s="$BENCH_SECONDS" -v n="$n" 'BEGIN {
            m = int(r * s / 4); if (m <= n) m = n; print m }')
    done
    awk -v r="$r" -v s="$BENCH_SECONDS" -v lo="$BENCH_MIN_MSGS" -v hi="$BENCH_MAX_MSGS" -v c="$conc" 'BEGIN {
        m = int(r * s + 0.5); if (m < 2 * c) m = 2 * c; if (m < lo) m = lo; if (m > hi) m = hi; print m }'
}

label() { case "$1" in 5120) echo 5KB ;; 1048576) echo 1MB ;; *) echo "${1}B" ;; esac; }

read -r -a PATHS <<< "$BENCH_PATHS"
declare -A N RATES RATIOS DROPS MED MIN MAX RMED
START_US=$(now_us)
late() { [ $(( $(now_us) - START_US )) -gt $((BENCH_DEADLINE * 1000000)) ]; }
say "work directory $W; spoolgate $SPOOLGATE $SPOOLGATE_OPTS; runs of ~${BENCH_SECONDS}s, $BENCH_REPS repetitions"

for size in $BENCH_SIZES; do
    for conc in $BENCH_CONCS; do
        for mode in $BENCH_MODES; do
            cell="$size/$conc/$mode"
            for p in "${PATHS[@]}"; do
                if late; then N[$cell/$p]=skip; else N[$cell/$p]=$(size_run "$p" "$size" "$conc" "$mode"); fi
                RATES[$cell/$p]=""; RATIOS[$cell/$p]=""; DROPS[$cell/$p]=0
            done
            for ((rep = 0; rep < BENCH_REPS; rep++)); do
                declare -A THIS=()
                for ((j = 0; j < ${#PATHS[@]}; j++)); do
                    p=${PATHS[$(((j + rep) % ${#PATHS[@]}))]}
                    case "${N[$cell/$p]}" in FAIL|skip) continue ;; esac
                    if late; then N[$cell/$p]=skip; continue; fi
                    d0=$(listen_drops)
                    r=$(run "$p" "$size" "$conc" "$mode" "${N[$cell/$p]}")
                    d1=$(listen_drops)
                    DROPS[$cell/$p]=$((DROPS[$cell/$p] + d1 - d0))
                    [ "$r" = FAIL ] && { N[$cell/$p]=FAIL; continue; }
                    THIS[$p]=$r
                    RATES[$cell/$p]+=" $r"
                done
                if [ -n "${THIS[direct]:-}" ]; then
                    for p in "${!THIS[@]}"; do
                        RATIOS[$cell/$p]+=" $(awk -v a="${THIS[$p]}" -v b="${THIS[direct]}" 'BEGIN { printf "%.4f", a / b }')"
                    done
                fi
                unset THIS
            done
            line=""
            for p in "${PATHS[@]}"; do
                # shellcheck disable=SC2086
                read -r MED[$cell/$p] MIN[$cell/$p] MAX[$cell/$p] <<< "$(stats ${RATES[$cell/$p]})"
                # shellcheck disable=SC2086
                read -r RMED[$cell/$p] _ _ <<< "$(stats ${RATIOS[$cell/$p]})"
                case "${N[$cell/$p]}" in FAIL|skip) MED[$cell/$p]=${N[$cell/$p]} ;; esac
                line+="$p=${MED[$cell/$p]} "
            done
            say "$(label "$size") sessions=$conc per_conn=$mode: ${line}msgs/s"
        done
    done
done
ELAPSED=$(( ($(now_us) - START_US) / 1000000 ))

# --------------------------------------------------------------- report ---
bench_header "Throughput (bench/throughput.sh)" "${ARGS[@]}"
echo "- $(postconf -dh mail_version 2> /dev/null | sed 's/^/Postfix /'), $(proxsmtpd -v 2>&1 | head -n 1), $(socat -V 2> /dev/null | awk '/socat version/ { print "socat " $3; exit }')"
echo "- spoolgate options: \`$SPOOLGATE_OPTS\`; spawn(8) maxproc $BENCH_SPAWN_MAXPROC, user $BENCH_USER; socat EXEC nofork su=$BENCH_USER; proxsmtpd User $BENCH_USER"
echo "- load: \`smtp-source [-d] -s SESSIONS -m N -l SIZE\`, final server \`smtp-sink\`; runs of ~${BENCH_SECONDS}s${BENCH_MSGS:+ (fixed $BENCH_MSGS messages)}; $BENCH_REPS repetitions, paths round robin; measuring took ${ELAPSED}s"
echo "- msgs/s: median (min, max) of the repetitions; ratio: median over the repetitions of path / direct in the same repetition;"
echo "  drops: connections the kernel dropped for a full listen queue during the path's runs (each costs the client a 1 s SYN retry)"
echo
echo "| size | sessions | msgs/conn | path | msgs/s | min | max | ratio to direct | msgs/run | drops |"
echo "|---|---:|---|---|---:|---:|---:|---:|---:|---:|"
for size in $BENCH_SIZES; do
    for conc in $BENCH_CONCS; do
        for mode in $BENCH_MODES; do
            cell="$size/$conc/$mode"
            for p in "${PATHS[@]}"; do
                med=${MED[$cell/$p]} lo=${MIN[$cell/$p]} hi=${MAX[$cell/$p]} ratio=${RMED[$cell/$p]}
                case "$med" in FAIL|skip) lo=-; hi=-; ratio=- ;;
                    *) med=$(fmt "$med"); lo=$(fmt "$lo"); hi=$(fmt "$hi")
                       [ "$ratio" = - ] || ratio=$(fmt "$ratio" 3) ;;
                esac
                echo "| $(label "$size") | $conc | $mode | $p | $med | $lo | $hi | $ratio | ${N[$cell/$p]} | ${DROPS[$cell/$p]} |"
            done
        done
    done
done
if [ -s "$W/failures.log" ]; then
    echo
    echo "FAIL (a run that did not deliver every message; the path's later runs in that cell were dropped):"
    echo
    sed 's/^/    /' "$W/failures.log"
fi
echo
for size in $BENCH_SIZES; do
    for conc in $BENCH_CONCS; do
        for mode in $BENCH_MODES; do
            cell="$size/$conc/$mode"
            for p in "${PATHS[@]}"; do
                echo "RESULT throughput path=$p size=$size sessions=$conc per_conn=$mode msgs_s=${MED[$cell/$p]} min=${MIN[$cell/$p]} max=${MAX[$cell/$p]} ratio=${RMED[$cell/$p]} msgs=${N[$cell/$p]} drops=${DROPS[$cell/$p]}"
            done
        done
    done
done
