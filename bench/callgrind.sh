#!/bin/bash
# bench/callgrind.sh -- instructions executed by spoolgate, counted by
# valgrind --tool=callgrind: repeatable where timings are not. spoolgate runs
# as user nobody with its session on a socketpair (bench/session.py), its
# next hop an smtp-sink on loopback. Sessions, each over ONE connection:
#
#   0 messages     connect, EHLO, QUIT: the start-up cost (dynamic linking,
#                  option parsing, connecting to the next hop and EHLO)
#   1 message      one 5 KB message
#   100 messages   100 such messages
#
# per message = (I(100) - I(1)) / 99. From the callgrind files it also
# writes, for the optimizers: the start-up cost by shared object, the
# per-message cost by function (self instructions of the 100-message session
# minus the 1-message one, / 99), and callgrind_annotate's inclusive and
# self listings of the 0- and 100-message sessions.
#
#   bench/callgrind.sh         about 5 seconds
#
# Environment: CG_SIZE [5120] message payload; CG_MANY [100] the larger
# session; CG_TOP [25] rows per table; CG_OUT [bench/out/callgrind] where
# the callgrind files and listings go (replaced on each run);
# SPOOLGATE, SPOOLGATE_OPTS, BENCH_USER, BENCH_KEEP: see bench/common.sh.
#
# Output: a markdown section on stdout, and
#   RESULT callgrind startup_ir=I0 one_msg_ir=I1 many_msg_ir=IN many=N per_msg_ir=P size=BYTES
set -u
. "$(dirname "$0")/common.sh"
ARGS=("$@")
[ $# = 0 ] || { sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 64; }

CG_SIZE=${CG_SIZE:-5120}
CG_MANY=${CG_MANY:-100}
CG_TOP=${CG_TOP:-25}
CG_OUT=${CG_OUT:-$BENCH_HOME/out/callgrind}
bench_need valgrind valgrind
bench_need callgrind_annotate valgrind
bench_need smtp-sink postfix
bench_check_spoolgate
read -r -a SG_OPTS <<< "$SPOOLGATE_OPTS"
[ "$CG_MANY" -ge 2 ] || die "CG_MANY must be at least 2"

bench_init callgrind
mkdir -p "$W/cg" "$CG_OUT"
chmod 1777 "$W/cg"
CG_OUT=$(cd "$CG_OUT" && pwd)
rm -f "$CG_OUT"/callgrind.out.* "$CG_OUT"/*.txt
pf_pick_port SINK_PORT
bench_sink "$SINK_PORT"
say "work directory $W; listings in $CG_OUT"

declare -A IR
T0=$(now_us)
for n in 0 1 "$CG_MANY"; do
    out=$("$BENCH_PYTHON" "$BENCH_HOME/session.py" --messages "$n" --size "$CG_SIZE" \
        --user "$BENCH_USER" --stderr "$W/cg/valgrind-$n.log" -- \
        valgrind --tool=callgrind --callgrind-out-file="$W/cg/callgrind.out.$n" \
        "$SPOOLGATE" "${SG_OPTS[@]}" 127.0.0.1 "$SINK_PORT")
    st=$?
    say "$n messages: $out"
    [ "$st" = 0 ] || die "the $n-message session failed: $out (see $W/cg/valgrind-$n.log)"
    cp "$W/cg/callgrind.out.$n" "$CG_OUT/"
    IR[$n]=$("$BENCH_PYTHON" "$BENCH_HOME/cgsummary.py" total "$W/cg/callgrind.out.$n")
done
ELAPSED=$(( ($(now_us) - T0) / 1000000 ))
PER=$(( (IR[$CG_MANY] - IR[1]) / (CG_MANY - 1) ))

for n in 0 "$CG_MANY"; do
    callgrind_annotate --inclusive=yes "$CG_OUT/callgrind.out.$n" > "$CG_OUT/inclusive-$n.txt" 2>&1
    callgrind_annotate "$CG_OUT/callgrind.out.$n" > "$CG_OUT/self-$n.txt" 2>&1
done
"$BENCH_PYTHON" "$BENCH_HOME/cgsummary.py" diff "$CG_OUT/callgrind.out.1" "$CG_OUT/callgrind.out.$CG_MANY" \
    $((CG_MANY - 1)) 200 > "$CG_OUT/per-message.txt"
"$BENCH_PYTHON" "$BENCH_HOME/cgsummary.py" objects "$CG_OUT/callgrind.out.0" > "$CG_OUT/startup-objects.txt"
"$BENCH_PYTHON" "$BENCH_HOME/cgsummary.py" top "$CG_OUT/callgrind.out.0" 200 > "$CG_OUT/startup-self.txt"

num() { printf "%'d" "$1" 2> /dev/null || echo "$1"; }
bench_header "Instructions (bench/callgrind.sh)" "${ARGS[@]}"
echo "- $(valgrind --version), \`valgrind --tool=callgrind\`; spoolgate \`${SG_OPTS[*]} 127.0.0.1 PORT\` as $BENCH_USER, session on a socketpair, next hop smtp-sink; took ${ELAPSED}s"
echo "- a message: ${CG_SIZE} bytes of 78-octet lines and 7 header fields, MAIL, RCPT, DATA, one connection for all"
echo "- listings: $CG_OUT (callgrind.out.N, inclusive-N.txt and self-N.txt from callgrind_annotate, per-message.txt, startup-*.txt)"
echo
echo "| session | instructions (Ir) |"
echo "|---|---:|"
echo "| 0 messages (start-up: exec, EHLO both sides, QUIT) | $(num "${IR[0]}") |"
echo "| 1 message | $(num "${IR[1]}") |"
echo "| $CG_MANY messages | $(num "${IR[$CG_MANY]}") |"
echo "| **per message**, (I($CG_MANY) - I(1)) / $((CG_MANY - 1)) | **$(num "$PER")** |"
echo "| start-up share of a one-message connection, I(0) / I(1) | $(awk -v a="${IR[0]}" -v b="${IR[1]}" 'BEGIN { printf "%.0f%%", 100 * a / b }') |"
echo
echo "Start-up (0 messages), self instructions by shared object:"
echo
cat "$CG_OUT/startup-objects.txt"
echo
echo "Start-up (0 messages), the functions with the most self instructions:"
echo
head -n $((CG_TOP / 2 + 2)) "$CG_OUT/startup-self.txt"
echo
echo "Per message: self instructions by function, (session of $CG_MANY - session of 1) / $((CG_MANY - 1)):"
echo
head -n $((CG_TOP + 2)) "$CG_OUT/per-message.txt"
echo
echo "Session of $CG_MANY messages, callgrind_annotate --inclusive=yes (first $CG_TOP functions):"
echo
echo '```'
awk '/^Ir +file:function/ { on = 1; getline; next } on && NF { print }' "$CG_OUT/inclusive-$CG_MANY.txt" |
    head -n "$CG_TOP" | cut -c1-160
echo '```'
echo
echo "RESULT callgrind startup_ir=${IR[0]} one_msg_ir=${IR[1]} many_msg_ir=${IR[$CG_MANY]} many=$CG_MANY per_msg_ir=$PER size=$CG_SIZE"
