#!/bin/bash
# bench/e2e.sh -- end-to-end throughput through a real Postfix: messages per
# second submitted to Postfix and delivered to the final server, with
# spoolgate as the after-queue content filter against the same Postfix
# without one, in one run, interleaved; and, for comparison, the same
# spoolgate service before the queue.
#
# One private Postfix instance (test/postfix/lib.sh: its own config and
# queue, loopback only, no chroot) with two port-25 style smtpd listeners:
#
#   filter     smtpd -> queue -> scan (smtp) -> spawn(8) -> spoolgate
#              -> reinjection smtpd -> queue -> smtp -> smtp-sink
#              (examples/after-queue/main.cf and master.cf as shipped, with
#              only the ports, the user and the binary path changed)
#   nofilter   smtpd (-o content_filter=) -> queue -> smtp -> smtp-sink
#   before     smtpd (-o smtpd_proxy_filter=a spawn service of its own, -o
#              content_filter=) -> spawn(8) -> spoolgate -> a reinjection
#              smtpd of its own -> queue -> smtp -> smtp-sink: the message is queued
#              once, but Postfix's smtpd opens a new proxy connection (a new
#              spoolgate) for every message
#   proxy      smtpd (-o smtpd_proxy_filter=the before path's reinjection
#              smtpd itself) -> queue -> smtp -> smtp-sink: the before-queue
#              placement with no filter in it, its own floor
#
# A run: smtp-source -s E2E_SESSIONS -m E2E_MSGS -l SIZE into one listener;
# the clock runs from the start of submission until the sink has counted all
# E2E_MSGS messages (bounded by E2E_WAIT seconds). msgs/s = E2E_MSGS / that
# time; the submission alone (until smtp-source is done) is shown too.
# Repetitions rotate which path goes first; the ratios to nofilter are
# taken within each repetition and their medians reported.
#
#   bench/e2e.sh               about 20-60 seconds
#
# Environment: E2E_MSGS [1000]; E2E_SESSIONS [10]; E2E_SIZES [5120];
# E2E_REPS [3]; E2E_WAIT [300]; E2E_WARMUP [20] messages per path first,
# not measured; SPOOLGATE, SPOOLGATE_OPTS, BENCH_USER, BENCH_KEEP: see
# bench/common.sh.
#
# Output: a markdown section on stdout, and one line per size and path:
#   RESULT e2e path=nofilter|filter|before|proxy size=BYTES sessions=S msgs=N msgs_s=MEDIAN min=MIN max=MAX submit_msgs_s=MEDIAN ratio=R
set -u
. "$(dirname "$0")/common.sh"
ARGS=("$@")
[ $# = 0 ] || { sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 64; }

E2E_MSGS=${E2E_MSGS:-1000}
E2E_SESSIONS=${E2E_SESSIONS:-10}
E2E_SIZES=${E2E_SIZES:-5120}
E2E_REPS=${E2E_REPS:-3}
E2E_WAIT=${E2E_WAIT:-300}
E2E_WARMUP=${E2E_WARMUP:-20}
bench_need smtp-source postfix
bench_need smtp-sink postfix
bench_check_spoolgate
read -r -a SG_OPTS <<< "$SPOOLGATE_OPTS"

bench_init e2e postfix
pf_write_base_config
# the administrator's after-queue snippets (the harness's helper has two
# names, depending on its version)
if declare -F pf_add_example > /dev/null; then
    pf_add_example after-queue "$SPOOLGATE" "${SG_OPTS[@]}"
else
    pf_add_after_queue_example "$SPOOLGATE" "${SG_OPTS[@]}"
fi
pf_pick_port NOFILTER_PORT
pf_pick_port BEFORE_PORT
pf_pick_port BEFORE_FILTER_PORT
pf_pick_port BEFORE_REINJECT_PORT
pf_pick_port PROXY_PORT
cat >> "$PF_DIR/etc/master.cf" <<EOF

# bench/e2e.sh: the same Postfix without the content filter
127.0.0.1:$NOFILTER_PORT inet n - n - - smtpd
  -o syslog_name=postfix/nofilter
  -o content_filter=

# bench/e2e.sh: the same spoolgate service before the queue
127.0.0.1:$BEFORE_PORT inet n - n - - smtpd
  -o syslog_name=postfix/before
  -o content_filter=
  -o smtpd_proxy_filter=127.0.0.1:$BEFORE_FILTER_PORT

# its own spawn service and reinjection smtpd (as in examples/before-queue):
# the after-queue ones (process limit 10) are held by the connections that
# the scan transport keeps in its cache
127.0.0.1:$BEFORE_FILTER_PORT inet n n n - 10 spawn
  user=$BENCH_USER argv=$SPOOLGATE $SPOOLGATE_OPTS localhost $BEFORE_REINJECT_PORT
127.0.0.1:$BEFORE_REINJECT_PORT inet n - n - 10 smtpd
  -o syslog_name=postfix/before-reinject
  -o content_filter=
  -o receive_override_options=no_unknown_recipient_checks,no_header_body_checks,no_milters
  -o smtpd_helo_restrictions=
  -o smtpd_client_restrictions=
  -o smtpd_sender_restrictions=
  -o smtpd_relay_restrictions=
  -o smtpd_recipient_restrictions=permit_mynetworks,reject
  -o smtpd_data_restrictions=
  -o mynetworks=127.0.0.0/8
  -o smtpd_authorized_xforward_hosts=127.0.0.0/8

# bench/e2e.sh: the before-queue placement without a filter (smtpd proxies
# straight to the reinjection smtpd)
127.0.0.1:$PROXY_PORT inet n - n - - smtpd
  -o syslog_name=postfix/proxy
  -o content_filter=
  -o smtpd_proxy_filter=127.0.0.1:$BEFORE_REINJECT_PORT
EOF
bench_sink "$PF_SINK_PORT"
pf_start
bench_wait_listen "$NOFILTER_PORT" || die "the nofilter smtpd does not listen"
bench_wait_listen "$BEFORE_PORT" || die "the before-queue smtpd does not listen"
bench_wait_listen "$PROXY_PORT" || die "the proxy-only smtpd does not listen"
declare -A PORT=([filter]=$PF_SMTP_PORT [nofilter]=$NOFILTER_PORT [before]=$BEFORE_PORT [proxy]=$PROXY_PORT)
say "work directory $W; Postfix in $PF_DIR"

# run PATH SIZE N -> "total_seconds submit_seconds" or FAIL
run() {
    local path=$1 size=$2 n=$3 before got t0 t1 t2 rc i
    before=$(bench_sink_count "$PF_SINK_PORT")
    t0=$(now_us)
    timeout "$E2E_WAIT" smtp-source -s "$E2E_SESSIONS" -m "$n" -l "$size" -M bench.example \
        -f sender@bench.example -t rcpt@sink.example "127.0.0.1:${PORT[$path]}" \
        >> "$W/smtp-source.log" 2>&1
    rc=$?
    t1=$(now_us)
    for ((i = 0; i < E2E_WAIT * 50; i++)); do
        got=$(( $(bench_sink_count "$PF_SINK_PORT") - before ))
        [ "$got" -ge "$n" ] && break
        [ $(( $(now_us) - t0 )) -gt $((E2E_WAIT * 1000000)) ] && break
        sleep 0.02
    done
    t2=$(now_us)
    if [ "$rc" != 0 ] || [ "$got" -lt "$n" ]; then
        echo "$path size=$size n=$n: smtp-source status $rc, the sink got $got in $(( (t2 - t0) / 1000000 ))s;" \
            "queue: $(postqueue -c "$PF_DIR/etc" -p 2> /dev/null | tail -n 1)" >> "$W/failures.log"
        echo FAIL
        return
    fi
    awk -v a=$((t2 - t0)) -v b=$((t1 - t0)) 'BEGIN { printf "%.6f %.6f\n", a / 1e6, b / 1e6 }'
}

PATHS=(nofilter filter before proxy)
declare -A RATE SUBMIT RATIO
T0=$(now_us)
for size in $E2E_SIZES; do
    for p in "${PATHS[@]}"; do
        [ "$(run "$p" "$size" "$E2E_WARMUP")" = FAIL ] && die "warm-up through $p failed: $(cat "$W/failures.log")"
    done
    [ -n "${ML0:-}" ] || ML0=$(wc -l < "$PF_DIR/maillog")
    for ((rep = 0; rep < E2E_REPS; rep++)); do
        declare -A THIS=()
        for ((j = 0; j < ${#PATHS[@]}; j++)); do
            p=${PATHS[$(((j + rep) % ${#PATHS[@]}))]}
            read -r tt ts <<< "$(run "$p" "$size" "$E2E_MSGS")"
            [ "$tt" = FAIL ] && continue
            THIS[$p]=$(awk -v n="$E2E_MSGS" -v t="$tt" 'BEGIN { printf "%.3f", n / t }')
            RATE[$size/$p]+=" ${THIS[$p]}"
            SUBMIT[$size/$p]+=" $(awk -v n="$E2E_MSGS" -v t="$ts" 'BEGIN { printf "%.3f", n / t }')"
            say "size $size, repetition $((rep + 1)), $p: ${THIS[$p]} msgs/s (${tt}s)"
        done
        for p in filter before proxy; do
            if [ -n "${THIS[$p]:-}" ] && [ -n "${THIS[nofilter]:-}" ]; then
                RATIO[$size/$p]+=" $(awk -v a="${THIS[$p]}" -v b="${THIS[nofilter]}" 'BEGIN { printf "%.4f", a / b }')"
            fi
        done
        unset THIS
    done
done
ELAPSED=$(( ($(now_us) - T0) / 1000000 ))
deferred=$(grep -c 'status=deferred' "$PF_DIR/maillog" 2> /dev/null)
bounced=$(grep -c 'status=bounced' "$PF_DIR/maillog" 2> /dev/null)
# the scan transport's deliveries to spoolgate (after the warm-up): how many
# reused a cached connection (conn_use=), and Postfix's delays c (connection
# set-up: connect, greeting, EHLO) and d (transmission: MAIL to the reply to
# the final ".", which includes spoolgate forwarding to the reinjection smtpd)
scan=$(tail -n +"$((ML0 + 1))" "$PF_DIR/maillog" |
    grep -F "relay=127.0.0.1[127.0.0.1]:$PF_FILTER_PORT," | grep 'status=sent' | awk '
    { n++; if ($0 ~ /conn_use=/) r++
      if (match($0, /delays=[0-9.]+\/[0-9.]+\/[0-9.]+\/[0-9.]+/)) {
          split(substr($0, RSTART + 7, RLENGTH - 7), d, "/"); c += d[3]; t += d[4] } }
    END { if (n) printf "%d deliveries to spoolgate, %.0f%% over a cached connection; mean delays: connection set-up %.1f ms, transmission %.1f ms", n, 100 * r / n, 1000 * c / n, 1000 * t / n
          else print "no delivery to spoolgate found in the maillog" }')

bench_header "End to end through Postfix (bench/e2e.sh)" "${ARGS[@]}"
echo "- $(postconf -dh mail_version 2> /dev/null | sed 's/^/Postfix /'); after-queue placement from examples/after-queue (scan and spawn process limit 10), spoolgate options \`$SPOOLGATE_OPTS\`, user $BENCH_USER; final server smtp-sink; before: a second smtpd with smtpd_proxy_filter pointing at a second spawn service of the same spoolgate command and a second reinjection smtpd, process limits 10; proxy: a smtpd with smtpd_proxy_filter pointing straight at that second reinjection smtpd"
echo "- load: \`smtp-source -s $E2E_SESSIONS -m $E2E_MSGS -l SIZE\` into the port-25 smtpd; time from submission until the sink counted all; $E2E_REPS repetitions, paths rotating; took ${ELAPSED}s"
echo "- maillog: $deferred deliveries deferred, $bounced bounced (both should be 0); scan transport: $scan (Postfix logs delays to 10 ms)"
echo
echo "| size | path | msgs/s, submitted to delivered | min | max | msgs/s, submission only | ratio to nofilter |"
echo "|---|---|---:|---:|---:|---:|---:|"
OUT=()
for size in $E2E_SIZES; do
    for p in "${PATHS[@]}"; do
        r=1
        # shellcheck disable=SC2086
        [ "$p" = nofilter ] || read -r r _ _ <<< "$(stats ${RATIO[$size/$p]:-})"
        # shellcheck disable=SC2086
        read -r med lo hi <<< "$(stats ${RATE[$size/$p]:-})"
        # shellcheck disable=SC2086
        read -r sub _ _ <<< "$(stats ${SUBMIT[$size/$p]:-})"
        ratio=-
        [ "$p" != nofilter ] && [ "$r" != - ] && ratio=$(fmt "$r" 3)
        f() { [ "$1" = - ] && echo - || fmt "$1"; }
        echo "| $size | $p | $(f "$med") | $(f "$lo") | $(f "$hi") | $(f "$sub") | $ratio |"
        OUT+=("RESULT e2e path=$p size=$size sessions=$E2E_SESSIONS msgs=$E2E_MSGS msgs_s=$med min=$lo max=$hi submit_msgs_s=$sub ratio=$r")
    done
done
if [ -s "$W/failures.log" ]; then
    echo
    echo "Failed runs:"
    echo
    sed 's/^/    /' "$W/failures.log"
fi
echo
printf '%s\n' "${OUT[@]}"
