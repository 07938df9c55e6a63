#!/bin/bash
# bench/memory.sh -- peak resident memory (VmHWM) of one spoolgate process
# for large or hostile input: spoolgate runs directly, as user nobody, its
# SMTP session on a socketpair driven by bench/session.py, its next hop an
# smtp-sink on loopback, --spool-dir a directory on disk. Scenarios:
#
#   idle        connect, EHLO, QUIT (the baseline)
#   5KB         one 5 KB message
#   20MB        one 20 MB message (78-octet lines)
#   200MB       one 200 MB message
#   line-10MB   one message whose body is a single 10 MB line
#   rcpt-100k   100 000 RCPT commands attempted (pipelined), then a short message
#
# VmHWM is read from /proc/PID/status when the scenario is done, just before
# QUIT. Pages of the in-memory spool (a memfd, up to --spool-memory) that are
# written with write(2) are page cache, not part of the RSS of the process.
#
#   bench/memory.sh            about 5 seconds
#
# Environment: MEM_SCENARIOS [idle 5KB 20MB 200MB line-10MB rcpt-100k];
# SPOOLGATE, SPOOLGATE_OPTS, BENCH_USER, BENCH_KEEP: see bench/common.sh.
#
# Output: a markdown section on stdout, and one line per scenario:
#   RESULT memory scenario=S vmhwm_kb=K seconds=T accepted=A exit=STATUS ok=0|1
set -u
. "$(dirname "$0")/common.sh"
ARGS=("$@")
[ $# = 0 ] || { sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 64; }

MEM_SCENARIOS=${MEM_SCENARIOS:-"idle 5KB 20MB 200MB line-10MB rcpt-100k"}
bench_need smtp-sink postfix
bench_check_spoolgate
read -r -a SG_OPTS <<< "$SPOOLGATE_OPTS"

bench_init memory
mkdir -p "$W/spool"
chown "$BENCH_USER" "$W/spool"
chmod 700 "$W/spool"
pf_pick_port SINK_PORT
bench_sink "$SINK_PORT"

declare -A ARG=(
    [idle]="--messages 0"
    [5KB]="--messages 1 --size 5120"
    [20MB]="--big 20971520"
    [200MB]="--big 209715200"
    [line-10MB]="--line 10485760"
    [rcpt-100k]="--rcpts 100000"
)
declare -A WHAT=(
    [idle]="connect, EHLO, QUIT"
    [5KB]="one 5 KB message"
    [20MB]="one 20 MB message"
    [200MB]="one 200 MB message"
    [line-10MB]="one message, its body a single 10 MB line"
    [rcpt-100k]="100 000 RCPT commands, then a short message"
)
say "work directory $W"
T0=$(now_us)
declare -A OUT
for s in $MEM_SCENARIOS; do
    [ -n "${ARG[$s]:-}" ] || die "unknown scenario $s"
    # shellcheck disable=SC2086  # ARG holds words
    OUT[$s]=$(timeout 600 "$BENCH_PYTHON" "$BENCH_HOME/session.py" ${ARG[$s]} --user "$BENCH_USER" \
        --stderr "$W/spoolgate-$s.err" -- \
        "$SPOOLGATE" "${SG_OPTS[@]}" --spool-dir "$W/spool" 127.0.0.1 "$SINK_PORT")
    say "$s: ${OUT[$s]}"
done
ELAPSED=$(( ($(now_us) - T0) / 1000000 ))
left=$(find "$W/spool" -mindepth 1 | wc -l)

kv() { sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p" <<< "$2"; }
bench_header "Peak memory (bench/memory.sh)" "${ARGS[@]}"
echo "- spoolgate \`${SG_OPTS[*]} --spool-dir DIR 127.0.0.1 PORT\` (DIR on $(df -P "$W/spool" | awk 'NR == 2 { print $1 }'), next hop smtp-sink), as $BENCH_USER, session on a socketpair; took ${ELAPSED}s"
echo "- peak RSS: VmHWM of the spoolgate process once the scenario is done (before QUIT); files left in the spool directory afterwards: $left"
echo
echo "| scenario | what | peak RSS (kB) | seconds | accepted | last reply | exit |"
echo "|---|---|---:|---:|---:|---|---:|"
for s in $MEM_SCENARIOS; do
    o=${OUT[$s]}
    last=$(sed -n 's/.*last_reply=//p' <<< "$o" | cut -c1-110 | sed 's/|/\\|/g')
    echo "| $s | ${WHAT[$s]} | $(kv vmhwm_kb "$o") | $(kv seconds "$o") | $(kv accepted "$o") | $last | $(kv exit "$o") |"
done
echo
for s in $MEM_SCENARIOS; do
    o=${OUT[$s]}
    echo "RESULT memory scenario=$s vmhwm_kb=$(kv vmhwm_kb "$o") seconds=$(kv seconds "$o") accepted=$(kv accepted "$o") exit=$(kv exit "$o") ok=$(kv ok "$o")"
done
