#!/bin/bash
# bench/amavis.sh -- spoolgate with the shipped scanner hooks against
# amavisd-new with the same scanners, behind one private Postfix (after the
# queue), with CPU per message split into scanner daemons, filter framework
# and Postfix, and the peak memory of each filter path (issue 14).
#
#   bench/amavis.sh [--quick]
#
# The paths (AMAVIS_PATHS, run interleaved, the first one rotating):
#   amavis            amavisd-new (Debian's), $max_servers 2, SpamAssassin
#                     in its own processes, clamd over its UNIX socket
#                     (CONTSCAN of the parts it decoded)
#   spoolgate         spoolgate under spawn(8), process limit 2, the hook
#                     chain builtin:clamav -> builtin:spamassassin from a
#                     --config file (clamd by FILDES; spamd, 2 children,
#                     Debian's rules), the hooks run inside spoolgate
#   spoolgate-rspamd  the same with rspamd in place of spamassassin
#   spoolgate-exec    the chain of `spoolgate`, each hook the installed
#                     program (LIBEXECDIR/spoolgate/NAME): a process a message
# and, for the man page's SIZING, spoolgate with one hook or none (built-in
# hooks, /bin/true a program):
#   sg-none sg-true sg-clamav sg-spamassassin sg-rspamd
#
# One policy for all: a virus (EICAR) or spam at or over the kill level
# (AMAVIS_KILL, 6.31: Debian's amavis default; for rspamd, its reject action)
# is discarded with a quarantine copy; everything else is delivered, tagged
# with X-Spam-* fields. Each message's Message-ID carries its run, so the
# sink (test/postfix/sink.py), the filters' logs and the quarantines give
# every message's verdict; every run must give each message the verdict its
# path's scanners call for, and the scanning paths the same, message for
# message.
#
# The same Postfix instance serves every path: one port-25 style smtpd per
# path whose content_filter names the path's transport (process limit
# AMAVIS_CONC), one reinjection smtpd (examples/after-queue's 127.0.0.1:10026
# entry), one sink. The scanner daemons are Debian's, started privately by
# test/scanners/daemons.sh (clamd with its EICAR test database, spamd with 2
# children, rspamd with one worker); amavisd runs from a configuration of its
# own (amavisd -c FILE foreground, as nobody, its own directories, loopback;
# /etc/amavis is not read), $log_level 2 for its TIMING lines.
#
# CPU: every process runs in a cgroup (v2) of its kind, made for this run
# under the cgroup2 mount and removed afterwards: harness (this script, the
# client, the sink), postfix, clamd, spamd, rspamd, amavis, spoolgate (a
# static helper, cgjoin.c, moves each spoolgate that spawn(8) starts there,
# with the hooks it runs). Per run, the difference of each group's cpu.stat
# usage divided by the messages. amavisd's own CPU is its group's less the
# time its TIMING lines give to the sections "SA ..." (SpamAssassin runs in
# amavisd's processes); that time counts as scanner time. Memory: every 0.5
# s the sum of Rss and Pss (/proc/PID/smaps_rollup) of each group's
# processes; the peak of a path's sum over its run.
#
# Knobs: AMAVIS_PATHS, AMAVIS_MSGS (300), AMAVIS_REPS (3), AMAVIS_CONC (2),
# AMAVIS_SESSIONS (client sessions, 2), AMAVIS_KILL (6.31), AMAVIS_WARMUP
# (messages per path before measuring, 12), AMAVIS_WAIT (900 s: the longest
# a run may take), AMAVIS_SETTLE (3 s between runs), AMAVIS_SEED (14),
# AMAVIS_LOG_LEVEL (amavisd's $log_level, 2; below 2 there are no TIMING
# lines, and only the CPU-based split of amavisd's time is given).
# --quick: 60 messages, one repetition. Needs root, postfix, amavisd-new,
# clamav-daemon, spamassassin + spamd, rspamd, gcc, python3; the machine
# otherwise idle. Takes about 5 minutes per 1000 messages through the
# SpamAssassin paths (3 paths x 300 x 3: about 15 minutes).
# shellcheck disable=SC2034,SC2154  # variables set through eval and the sourced result files
set -u
: "${BENCH_LIFETIME:=7200}"
. "$(dirname "$0")/common.sh"
# shellcheck source=../test/scanners/daemons.sh
. "$BENCH_REPO/test/scanners/daemons.sh"

QUICK=0
[ "${1:-}" = --quick ] && QUICK=1
AMAVIS_PATHS=${AMAVIS_PATHS:-amavis spoolgate spoolgate-rspamd}
if [ "$QUICK" = 1 ]; then
    AMAVIS_MSGS=${AMAVIS_MSGS:-60}
    AMAVIS_REPS=${AMAVIS_REPS:-1}
fi
AMAVIS_MSGS=${AMAVIS_MSGS:-300}
AMAVIS_REPS=${AMAVIS_REPS:-3}
AMAVIS_CONC=${AMAVIS_CONC:-2}
AMAVIS_SESSIONS=${AMAVIS_SESSIONS:-2}
AMAVIS_KILL=${AMAVIS_KILL:-6.31}
AMAVIS_WARMUP=${AMAVIS_WARMUP:-12}
AMAVIS_WAIT=${AMAVIS_WAIT:-900}
AMAVIS_SETTLE=${AMAVIS_SETTLE:-3}
AMAVIS_SEED=${AMAVIS_SEED:-14}
AMAVIS_LOG_LEVEL=${AMAVIS_LOG_LEVEL:-2}
AMAVISD=${AMAVISD:-/usr/sbin/amavisd}
MB="$BENCH_PYTHON $BENCH_HOME/mailbench.py"
HOOKDIR=

# ---- the paths -------------------------------------------------------------

# path_info P: P_KIND (amavis|spoolgate), P_HOOKS (hook names, comma
# separated), P_DAEMONS (scanner daemon groups), P_CAPS (virus, spam),
# P_RUN (builtin: the scanner hooks inside spoolgate; program: the installed
# programs)
path_info() {
    P_KIND=spoolgate P_HOOKS='' P_DAEMONS='' P_CAPS='' P_RUN=builtin
    case "$1" in
        amavis) P_KIND=amavis P_DAEMONS="clamd" P_CAPS="virus spam" ;;
        spoolgate) P_HOOKS=clamav,spamassassin P_DAEMONS="clamd spamd" P_CAPS="virus spam" ;;
        spoolgate-exec) P_HOOKS=clamav,spamassassin P_DAEMONS="clamd spamd" P_CAPS="virus spam" P_RUN=program ;;
        spoolgate-rspamd) P_HOOKS=clamav,rspamd P_DAEMONS="clamd rspamd" P_CAPS="virus spam" ;;
        sg-none) ;;
        sg-true) P_HOOKS=true ;;
        sg-clamav) P_HOOKS=clamav P_DAEMONS=clamd P_CAPS=virus ;;
        sg-spamassassin) P_HOOKS=spamassassin P_DAEMONS=spamd P_CAPS=spam ;;
        sg-rspamd) P_HOOKS=rspamd P_DAEMONS=rspamd P_CAPS=spam ;;
        *) die "unknown path $1 (amavis spoolgate spoolgate-rspamd spoolgate-exec sg-none sg-true sg-clamav sg-spamassassin sg-rspamd)" ;;
    esac
}

# hook_lines NAME [builtin|program]: the --config lines of one hook, a
# scanner hook built in (builtin:NAME) or the program beside SPOOLGATE
hook_lines() {
    local at="$HOOKDIR/"
    [ "${2:-program}" = builtin ] && at=builtin:
    case "$1" in
        true) printf 'hook = /bin/true\nhook-output = check\n' ;;
        clamav) printf 'hook = %sclamav --clamd unix:%s --virus discard\nhook-output = check\n' "$at" "$CLAMD_SOCKET" ;;
        spamassassin) printf 'hook = %sspamassassin --spamd 127.0.0.1:%s --spam discard --reject-score %s\nhook-output = headers\n' \
            "$at" "$SPAMD_PORT" "$AMAVIS_KILL" ;;
        rspamd) printf 'hook = %srspamd --rspamd 127.0.0.1:%s --spam discard\nhook-output = headers\n' "$at" "$RSPAMD_PORT" ;;
    esac
}

# ---- cgroups ---------------------------------------------------------------

CGRP_MOUNT=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
CGRP=
CGRP_HOME=
CGRP_FIXED="harness postfix clamd spamd rspamd amavis"
CGRP_GROUPS=$CGRP_FIXED

cg_setup() {
    [ -n "$CGRP_MOUNT" ] || die "no cgroup2 file system mounted (needed to account CPU per process group)"
    CGRP_HOME=$CGRP_MOUNT$(sed -n 's/^0:://p' /proc/self/cgroup)
    CGRP=$CGRP_MOUNT/spoolgate-bench.$$
    mkdir "$CGRP" || die "cannot make the cgroup $CGRP"
    local g p
    for p in $AMAVIS_PATHS; do
        path_info "$p"
        [ "$P_KIND" = spoolgate ] && CGRP_GROUPS="$CGRP_GROUPS fw-$p"
    done
    for g in $CGRP_GROUPS; do mkdir "$CGRP/$g" || die "cannot make the cgroup $CGRP/$g"; done
    # spoolgate (as BENCH_USER) moves itself from postfix to its path's
    # group: it needs write access to the target's and the common parent's
    # cgroup.procs
    chown "$BENCH_USER" "$CGRP/cgroup.procs"
    for g in $CGRP_GROUPS; do
        case "$g" in fw-*) chown "$BENCH_USER" "$CGRP/$g/cgroup.procs" ;; esac
    done
    cg_move harness
}
cg_move() { echo $$ > "$CGRP/$1/cgroup.procs"; }
cg_usage() { awk '$1 == "usage_usec" { print $2 }' "$CGRP/$1/cpu.stat"; }
cg_cleanup() {
    [ -n "$CGRP" ] && [ -d "$CGRP" ] || return 0
    [ -n "$CGRP_HOME" ] && echo $$ > "$CGRP_HOME/cgroup.procs" 2> /dev/null
    local g i left
    for ((i = 0; i < 50; i++)); do
        left=
        for g in $CGRP_GROUPS; do
            [ -d "$CGRP/$g" ] && { rmdir "$CGRP/$g" 2> /dev/null || left="$left $g"; }
        done
        [ -z "$left" ] && break
        sleep 0.1
    done
    if [ -n "$left" ]; then
        say "cgroups still in use, left in place:$left ($(for g in $left; do cat "$CGRP/$g/cgroup.procs"; done | tr '\n' ' '))"
    else
        rmdir "$CGRP" 2> /dev/null
    fi
}

# ---- set-up ----------------------------------------------------------------

on_exit() {
    local st=$?
    trap - EXIT
    stop_daemons
    bench_stop_bg
    pf_stop bench
    cg_cleanup
    ( exit "$st" )
    bench_on_exit
}

start_amavis() {
    local a=$W/amavis i
    pf_pick_port AMAVIS_PORT
    mkdir -p "$a" "$W/q/amavis"
    for i in tmp db var log; do install -d -m 0750 -o "$BENCH_USER" "$a/$i"; done
    chown "$BENCH_USER" "$W/q/amavis"
    # the whole policy in one file of its own (amavisd refuses a config
    # file in a directory its user can write)
    cat > "$a/amavisd.conf" <<EOF
# written by bench/amavis.sh: a private amavisd-new, loopback only
use strict;
\$MYHOME = '$a/var';
\$TEMPBASE = '$a/tmp';
\$db_home = '$a/db';
\$pid_file = '$a/var/amavisd.pid';
\$lock_file = '$a/var/amavisd.lock';
\$daemon_user = '$BENCH_USER';
\$daemon_group = '$(id -gn "$BENCH_USER")';
\$max_servers = $AMAVIS_CONC;
\$inet_socket_bind = '127.0.0.1';
\$inet_socket_port = $AMAVIS_PORT;
@inet_acl = qw(127.0.0.1);
\$mydomain = 'example.net';
\$myhostname = 'amavis.bench.localdomain';
\$DO_SYSLOG = 0;
\$LOGFILE = '$a/log/amavis.log';
\$log_level = $AMAVIS_LOG_LEVEL;             # 2: for the TIMING lines
\$forward_method = 'smtp:[127.0.0.1]:$PF_REINJECT_PORT';
\$notify_method = \$forward_method;
@local_domains_maps = (1);  # X-Spam-* fields are added for local recipients only
# the policy: viruses and spam at or over the kill level discarded and
# quarantined, the rest delivered with X-Spam-* fields; no notices
\$QUARANTINEDIR = '$W/q/amavis';
\$quarantine_subdir_levels = undef;
\$virus_quarantine_method = 'local:virus-%m';
\$spam_quarantine_method = 'local:spam-%m';
\$final_virus_destiny = D_DISCARD;
\$final_spam_destiny = D_DISCARD;
\$final_banned_destiny = D_PASS;
\$final_bad_header_destiny = D_PASS;
@bypass_virus_checks_maps = (0);
@bypass_spam_checks_maps = (0);
@bypass_banned_checks_maps = (1);   # spoolgate's chain checks no file names
@bypass_header_checks_maps = (1);   # nor header syntax
\$virus_admin = undef;
\$spam_admin = undef;
\$banned_admin = undef;
\$bad_header_admin = undef;
\$warnvirusrecip = 0;
\$warnbannedrecip = 0;
\$sa_tag_level_deflt = undef;       # X-Spam-* fields on every message
\$sa_tag2_level_deflt = $AMAVIS_KILL;
\$sa_kill_level_deflt = $AMAVIS_KILL;
\$sa_dsn_cutoff_level = 0;
\$sa_spam_subject_tag = undef;      # the Subject stays (so does spoolgate's)
\$sa_local_tests_only = 1;          # as spamd -L: no network here
\$sa_mail_body_size_limit = 500*1024;   # the spamassassin hook's --max-size
\$sa_userprefs_file = '$a/sa-user_prefs';
\$enable_dkim_verification = 0;
\$enable_dkim_signing = 0;
\$enable_db = 0;
\$enable_global_cache = 0;
@av_scanners = (
  ['ClamAV-clamd', \\&ask_daemon, ["CONTSCAN {}\\n", '$CLAMD_SOCKET'],
    qr/\\bOK\$/m, qr/\\bFOUND\$/m, qr/^.*?: (?!Infected Archive)(.*) FOUND\$/m ],
);
@av_scanners_backup = ();
# measurement only (bench/amavis.sh): the CPU time this process spends in
# SpamAssassin's parse and check, one line per message in sa-cpu.log
# ("PID PARSE_MS CHECK_MS"), since TIMING's sections are wall clock
{
  package Amavis::BenchSA;
  use Time::HiRes ();
  require Mail::SpamAssassin;
  our \$parse_cpu = 0;
  sub cpu_now { Time::HiRes::clock_gettime(Time::HiRes::CLOCK_PROCESS_CPUTIME_ID()) }
  my \$parse = \\&Mail::SpamAssassin::parse;
  my \$check = \\&Mail::SpamAssassin::check;
  no warnings 'redefine';
  *Mail::SpamAssassin::parse = sub {
    my \$t = cpu_now(); my \$r = \$parse->(@_); \$parse_cpu += cpu_now() - \$t; \$r };
  *Mail::SpamAssassin::check = sub {
    my \$t = cpu_now(); my \$r = \$check->(@_); my \$c = cpu_now() - \$t;
    if (open(my \$fh, '>>', '$a/log/sa-cpu.log')) {
      printf \$fh "%d %.3f %.3f\\n", \$\$, \$parse_cpu * 1000, \$c * 1000; close(\$fh) }
    \$parse_cpu = 0; \$r };
}
1;
EOF
    # spamd runs as nobody with no home: no Bayes database; the same here
    printf 'use_bayes 0\nbayes_auto_learn 0\n' > "$a/sa-user_prefs"
    chmod 644 "$a/amavisd.conf" "$a/sa-user_prefs"
    cg_move amavis
    bench_bg "$a/amavisd.out" "$AMAVISD" -c "$a/amavisd.conf" foreground
    AMAVIS_PID=$BENCH_LAST_PID
    cg_move harness
    for ((i = 0; i < 600; i++)); do
        [ -n "$(ss -Hltn "( sport = :$AMAVIS_PORT )" 2> /dev/null)" ] && break
        kill -0 "$AMAVIS_PID" 2> /dev/null || { cat "$a/amavisd.out" >&2; die "amavisd died while starting"; }
        sleep 0.2
    done
    [ -n "$(ss -Hltn "( sport = :$AMAVIS_PORT )" 2> /dev/null)" ] || die "amavisd does not listen on $AMAVIS_PORT after 120 s"
    say "amavisd listens on 127.0.0.1:$AMAVIS_PORT (PID $AMAVIS_PID)"
}

# write_postfix: the base instance, the reinjection smtpd of
# examples/after-queue, and per path an smtpd whose content_filter is the
# path's transport (process limit AMAVIS_CONC) and, for spoolgate, the
# spawn(8) service (same limit) that starts it from its --config file
write_postfix() {
    local p i=0 conf
    pf_write_base_config
    pf_add_reinjection_smtpd
    echo "receive_override_options = no_address_mappings" >> "$PF_DIR/etc/main.cf"
    for p in $AMAVIS_PATHS; do
        i=$((i + 1))
        path_info "$p"
        pf_pick_port "IN_PORT_$i"
        eval "IN_PORT_${p//-/_}=\$IN_PORT_$i"
        if [ "$P_KIND" = amavis ]; then
            FILTER_PORT_amavis=$AMAVIS_PORT
            cat >> "$PF_DIR/etc/master.cf" <<EOF
# ---- path amavis (bench/amavis.sh) ----
127.0.0.1:$(eval echo "\$IN_PORT_$i") inet n - n - - smtpd
  -o content_filter=amavisfeed:[127.0.0.1]:$AMAVIS_PORT
amavisfeed unix - - n - $AMAVIS_CONC smtp
  -o smtp_data_done_timeout=1200
  -o smtp_send_xforward_command=yes
  -o disable_mime_output_conversion=yes
  -o smtp_generic_maps=
EOF
            continue
        fi
        pf_pick_port "FILTER_PORT_$i"
        eval "FILTER_PORT_${p//-/_}=\$FILTER_PORT_$i"
        conf=$W/sg-$p.conf
        install -m 0644 -o "$BENCH_USER" /dev/null "$W/log/spoolgate-$p.log"
        install -d -m 0700 -o "$BENCH_USER" "$W/q/$p"
        {
            echo "# written by bench/amavis.sh: path $p"
            echo "log-file = $W/log/spoolgate-$p.log"
            echo "quarantine-dir = $W/q/$p"
            echo "hook-timeout = 120"
            local h
            for h in ${P_HOOKS//,/ }; do hook_lines "$h" "$P_RUN"; done
        } > "$conf"
        chmod 644 "$conf"
        cat >> "$PF_DIR/etc/master.cf" <<EOF
# ---- path $p (bench/amavis.sh) ----
127.0.0.1:$(eval echo "\$IN_PORT_$i") inet n - n - - smtpd
  -o content_filter=scan$i:[127.0.0.1]:$(eval echo "\$FILTER_PORT_$i")
scan$i unix - - n - $AMAVIS_CONC smtp
  -o smtp_send_xforward_command=yes
  -o disable_mime_output_conversion=yes
  -o smtp_generic_maps=
127.0.0.1:$(eval echo "\$FILTER_PORT_$i") inet n n n - $AMAVIS_CONC spawn
  user=$BENCH_USER argv=$W/cgjoin $CGRP/fw-$p $SPOOLGATE --config $conf localhost $PF_REINJECT_PORT
EOF
    done
}

# ---- one run ---------------------------------------------------------------

# maillog_counts OFFSET FILTER-PORT: "FILTERED DELIVERED DEFERRED-OR-BOUNCED"
# since byte OFFSET: deliveries to the filter answered 2xx, to the sink,
# and deferrals or bounces anywhere
maillog_counts() {
    tail -c +$(($1 + 1)) "$PF_DIR/maillog" 2> /dev/null | awk -v f="relay=127.0.0.1[127.0.0.1]:$2, " \
        -v s="relay=127.0.0.1[127.0.0.1]:$PF_SINK_PORT, " '
        /status=sent/ { if (index($0, f)) nf++; else if (index($0, s)) ns++ }
        /status=(deferred|bounced)/ { nd++ }
        END { printf "%d %d %d\n", nf, ns, nd }'
}

# expected_pass P: how many corpus messages path P delivers
expected_pass() {
    path_info "$1"
    local n=$CORPUS_N
    case " $P_CAPS " in *" virus "*) n=$((n - CORPUS_eicar)) ;; esac
    case " $P_CAPS " in *" spam "*) n=$((n - CORPUS_gtube)) ;; esac
    echo "$n"
}

busy_jiffies() { awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }

# run_path P TAG DIR N: submit the N messages of DIR through path P's
# smtpd, wait until the filter has answered every one and the sink has the
# ones it should; RUN_* hold the figures
run_path() {
    local p=$1 tag=$2 dir=$3 n=$4 in fp want off aoff g t0 t1 j0 j1 i c nf=0 ns=0 nd=0
    path_info "$p"
    eval "in=\$IN_PORT_${p//-/_} fp=\$FILTER_PORT_${p//-/_}"
    want=$(expected_pass "$p")
    off=$(stat -c %s "$PF_DIR/maillog")
    aoff=$(stat -c %s "$W/amavis/log/amavis.log" 2> /dev/null || echo 0)
    RUN_SOFF=$(stat -c %s "$W/amavis/log/sa-cpu.log" 2> /dev/null || echo 0)
    declare -gA RUN_CPU0 RUN_CPU
    for g in $CGRP_GROUPS; do RUN_CPU0[$g]=$(cg_usage "$g"); done
    j0=$(busy_jiffies)
    t0=$EPOCHREALTIME
    $MB submit "$in" "$dir" "$tag" "$AMAVIS_SESSIONS" > "$W/submit-$tag.out" 2>&1 &
    local spid=$!
    for ((i = 0; i < AMAVIS_WAIT * 5; i++)); do
        read -r nf ns nd <<< "$(maillog_counts "$off" "$fp")"
        [ "$nf" -ge "$n" ] && [ "$ns" -ge "$want" ] && break
        sleep 0.2
    done
    t1=$EPOCHREALTIME
    j1=$(busy_jiffies)
    for g in $CGRP_GROUPS; do RUN_CPU[$g]=$(( $(cg_usage "$g") - RUN_CPU0[$g] )); done
    wait "$spid"
    c=$?
    RUN_T0=$t0 RUN_T1=$t1 RUN_OFF=$off RUN_AOFF=$aoff RUN_NF=$nf RUN_NS=$ns RUN_ND=$nd RUN_WANT=$want
    RUN_SECONDS=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
    RUN_MACHINE_MS=$(awk -v j=$((j1 - j0)) -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", j * 1000 / hz }')
    RUN_OK=1
    RUN_WHY=
    [ "$c" = 0 ] || { RUN_OK=0; RUN_WHY="client: $(tr -d "'" < "$W/submit-$tag.out" | tr '\n' ' ')"; }
    [ "$nf" -ge "$n" ] || { RUN_OK=0; RUN_WHY="$RUN_WHY the filter answered $nf of $n within ${AMAVIS_WAIT}s;"; }
    [ "$ns" -ge "$want" ] || { RUN_OK=0; RUN_WHY="$RUN_WHY the sink got $ns of $want;"; }
    [ "$nd" = 0 ] || RUN_WHY="$RUN_WHY $nd deliveries deferred or bounced;"
}

# ---- main ------------------------------------------------------------------

main() {
    bench_init amavis postfix
    trap on_exit EXIT
    bench_check_spoolgate
    bench_need gcc gcc
    bench_need ss iproute2
    HOOKDIR=$(dirname "$SPOOLGATE")
    local p h
    for p in $AMAVIS_PATHS; do
        path_info "$p"
        if [ "$P_KIND" = amavis ]; then
            [ -x "$AMAVISD" ] || die "no $AMAVISD (apt-get install amavisd-new, with no service started)"
        fi
        for h in ${P_HOOKS//,/ }; do
            [ "$h" = true ] || [ -x "$HOOKDIR/$h" ] || die "no hook $HOOKDIR/$h (build it: ninja -C $(basename "$HOOKDIR"))"
            [ "$h" = true ] || pf_require_nobody_access "$HOOKDIR/$h"
        done
        case " $P_DAEMONS " in *" clamd "*) NEED_clamd=1 ;; esac
        case " $P_DAEMONS " in *" spamd "*) NEED_spamd=1 ;; esac
        case " $P_DAEMONS " in *" rspamd "*) NEED_rspamd=1 ;; esac
    done
    # amavisd-new needs clamd too
    case " $AMAVIS_PATHS " in *" amavis "*) NEED_clamd=1 ;; esac
    [ "${NEED_clamd:-0}" = 0 ] || have_clamd || die "no clamd (apt-get install clamav-daemon)"
    [ "${NEED_spamd:-0}" = 0 ] || have_spamd || die "no spamd (apt-get install spamassassin spamd)"
    [ "${NEED_rspamd:-0}" = 0 ] || have_rspamd || die "no rspamd (apt-get install rspamd)"

    cg_setup
    mkdir -p "$W/log" "$W/q" "$W/res" "$W/verdicts"
    chmod 755 "$W/log" "$W/q"
    gcc -O2 -static -o "$W/cgjoin" "$BENCH_HOME/cgjoin.c" 2> "$W/gcc.log" ||
        gcc -O2 -o "$W/cgjoin" "$BENCH_HOME/cgjoin.c" || die "cannot build cgjoin.c"
    gcc -O2 -static -o "$W/peakrss" "$BENCH_HOME/peakrss.c" 2>> "$W/gcc.log" ||
        gcc -O2 -o "$W/peakrss" "$BENCH_HOME/peakrss.c" || die "cannot build peakrss.c"
    chmod 755 "$W/cgjoin" "$W/peakrss"

    say "corpus: $AMAVIS_MSGS messages (seed $AMAVIS_SEED)"
    local counts
    counts=$($MB corpus "$W/corpus" "$AMAVIS_MSGS" "$AMAVIS_SEED") || die "corpus"
    CORPUS_N=$AMAVIS_MSGS
    eval "$(tr ' ' '\n' <<< "$counts" | sed 's/^/CORPUS_/')"
    $MB corpus "$W/warm" "$AMAVIS_WARMUP" $((AMAVIS_SEED + 1)) > "$W/warm.counts" || die "corpus"
    chmod -R a+rX "$W/corpus" "$W/warm"

    # the scanner daemons, each in its group
    scan_daemons_init "$W/daemons"
    local d
    for d in clamd spamd rspamd; do
        eval "[ \"\${NEED_$d:-0}\" = 1 ]" || continue
        say "starting $d"
        cg_move "$d"
        "start_$d" || { cg_move harness; die "$d did not start"; }
        cg_move harness
    done
    case " $AMAVIS_PATHS " in *" amavis "*) start_amavis ;; esac

    write_postfix
    pf_start_sink
    cg_move postfix
    pf_start
    cg_move harness
    [ -s "$PF_DIR/pids/watchdog" ] && cat "$PF_DIR/pids/watchdog" > "$CGRP/harness/cgroup.procs" 2> /dev/null
    # shellcheck disable=SC2086  # MB is two words
    bench_bg "$W/memwatch.err" $MB memwatch "$CGRP" 1 "$W/mem.log"

    # warm-up: every path once (not measured), so that spamd's and amavisd's
    # children exist and every cache is warm
    local saved_n=$CORPUS_N
    eval "$(tr ' ' '\n' < "$W/warm.counts" | sed 's/^/WARMC_/')"
    for p in $AMAVIS_PATHS; do
        say "warm-up: $p ($AMAVIS_WARMUP messages)"
        CORPUS_N=$AMAVIS_WARMUP
        local se=$CORPUS_eicar sg=$CORPUS_gtube
        CORPUS_eicar=$WARMC_eicar CORPUS_gtube=$WARMC_gtube
        run_path "$p" "warm-${p//-/_}" "$W/warm" "$AMAVIS_WARMUP"
        CORPUS_eicar=$se CORPUS_gtube=$sg CORPUS_N=$saved_n
        [ "$RUN_OK" = 1 ] || { pf_dump_maillog 40; die "warm-up of $p failed:$RUN_WHY"; }
        sleep "$AMAVIS_SETTLE"
    done

    local np rep k idx start_ts=$SECONDS
    read -ra PATHS <<< "$AMAVIS_PATHS"
    np=${#PATHS[@]}
    LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
    for ((rep = 1; rep <= AMAVIS_REPS; rep++)); do
        for ((k = 0; k < np; k++)); do
            idx=$(((k + rep - 1) % np))
            p=${PATHS[$idx]}
            say "rep $rep/$AMAVIS_REPS: $p ($AMAVIS_MSGS messages, load $(cut -d' ' -f1 /proc/loadavg))"
            run_path "$p" "r$rep-${p//-/_}" "$W/corpus" "$AMAVIS_MSGS"
            record_run "$p" "$rep"
            sleep "$AMAVIS_SETTLE"
        done
    done
    LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
    MEASURE_SECONDS=$((SECONDS - start_ts))
    # each hook's own peak RSS, once, on the largest corpus message, in the
    # output mode spoolgate runs it in (as root here: a setpriv or env in
    # front of it would be counted in its peak)
    HOOK_RSS=
    local big h line mode
    big=$(ls -S "$W"/corpus/*.eml | head -1)
    local used=" "
    for p in $AMAVIS_PATHS; do
        path_info "$p"
        for h in ${P_HOOKS//,/ }; do case "$used" in *" $h "*) ;; *) used="$used$h " ;; esac; done
    done
    for h in $used; do
        line=$(hook_lines "$h" | sed -n 's/^hook = //p')
        mode=$(hook_lines "$h" | sed -n 's/^hook-output = //p')
        # shellcheck disable=SC2086  # the hook's words
        read -r kb st <<< "$(export PATH=/usr/bin:/bin SPOOLGATE_HOOK_OUTPUT="$mode" SPOOLGATE_SENDER=sender@example.com \
            SPOOLGATE_RECIPIENTS=rcpt@example.net SPOOLGATE_CLIENT_ADDRESS=127.0.0.1; "$W/peakrss" $line < "$big")"
        HOOK_RSS="$HOOK_RSS${HOOK_RSS:+, }$h $(awk -v k="$kb" 'BEGIN { printf "%.1f", k / 1024 }') MiB (exit $st)"
    done
    report "$@"
}

# record_run P REP: the figures of the run just made, in $W/res/P.REP
record_run() {
    local p=$1 rep=$2 tag="r$2-${1//-/_}" n=$AMAVIS_MSGS f g fwg sa=0 av=0 tn=0 sp=0 sc=0 scan fw fw_timing pf fp
    path_info "$p"
    unset sa_ms av_wait_ms timing_n sa_cpu_ms fw_timing
    f=$W/res/$p.$rep
    if [ "$P_KIND" = amavis ]; then fwg=amavis; else fwg=fw-$p; fi
    per_msg() { awk -v u="$1" -v n="$n" -v d="${2:-1000}" 'BEGIN { printf "%.2f", u / d / n }'; }
    {
        echo "ok=$RUN_OK"
        echo "why='$RUN_WHY'"
        echo "seconds=$RUN_SECONDS"
        echo "msgs_s=$(awk -v n="$n" -v s="$RUN_SECONDS" 'BEGIN { printf "%.2f", n / s }')"
        for g in $CGRP_FIXED; do echo "cpu_$g=$(per_msg "${RUN_CPU[$g]}")"; done
        echo "cpu_fw=$(per_msg "${RUN_CPU[$fwg]}")"
        local sum=0
        for g in $CGRP_GROUPS; do sum=$((sum + RUN_CPU[$g])); done
        echo "machine=$(awk -v m="$RUN_MACHINE_MS" -v n="$n" 'BEGIN { printf "%.2f", m / n }')"
        echo "others=$(awk -v m="$RUN_MACHINE_MS" -v s="$sum" -v n="$n" 'BEGIN { x = (m - s / 1000) / n; printf "%.2f", x < 0 ? 0 : x }')"
        echo "deferred=$RUN_ND"
        if [ "$P_KIND" = amavis ]; then
            # amavisd's TIMING: SpamAssassin and the wait for clamd (wall
            # clock); the CPU time of SpamAssassin's parse and check
            read -r tn sa av _ <<< "$($MB timing "$W/amavis/log/amavis.log" "$RUN_AOFF" | sed 's/[a-z_]*=//g')"
            read -r sp sc <<< "$(tail -c +$((RUN_SOFF + 1)) "$W/amavis/log/sa-cpu.log" | awk '{ p += $2; c += $3 } END { print p + 0, c + 0 }')"
            echo "timing_n=$tn"
            echo "sa_ms=$(per_msg "$sa" 1)"
            echo "av_wait_ms=$(per_msg "$av" 1)"
            echo "sa_cpu_ms=$(per_msg "$(awk -v a="$sp" -v b="$sc" 'BEGIN { print a + b }')" 1)"
        fi
    } > "$f"
    # shellcheck disable=SC1090
    . "$f"
    eval "fp=\$FILTER_PORT_${p//-/_}"
    read -r _ d_mean d_max <<< "$($MB delays "$PF_DIR/maillog" "$RUN_OFF" "$fp" | sed 's/[a-z_]*=//g')"
    # the split: scanner daemons / the filter framework / Postfix. amavisd's
    # own: its group less SpamAssassin's CPU (and, as the issue puts it,
    # less its TIMING sections "SA ...": fw_timing)
    if [ "$P_KIND" = amavis ]; then
        scan=$(awk -v a="$cpu_clamd" -v b="$sa_cpu_ms" 'BEGIN { printf "%.2f", a + b }')
        fw=$(awk -v a="$cpu_amavis" -v b="$sa_cpu_ms" 'BEGIN { printf "%.2f", a - b }')
        fw_timing=$(awk -v a="$cpu_amavis" -v b="$sa_ms" 'BEGIN { printf "%.2f", a - b }')
        mem_fw=amavis
    else
        scan=0
        for g in $P_DAEMONS; do scan=$(awk -v a="$scan" -v b="$(eval echo "\$cpu_$g")" 'BEGIN { printf "%.2f", a + b }'); done
        fw=$cpu_fw
        fw_timing=$fw
        mem_fw=fw-$p+spawn-$fp
    fi
    pf=$cpu_postfix
    local memspec=$mem_fw d
    for d in $P_DAEMONS; do memspec="$memspec+$d"; done
    local m_all m_fw m_sgmax
    m_all=$($MB mempeak "$W/mem.log" "$RUN_T0" "$RUN_T1" "$memspec")
    m_fw=$($MB mempeak "$W/mem.log" "$RUN_T0" "$RUN_T1" "$mem_fw")
    m_sgmax=$($MB mempeak "$W/mem.log" "$RUN_T0" "$RUN_T1" "max-$fwg")
    # the verdicts of every message, from the sink, the logs and the quarantine
    if [ "$P_KIND" = amavis ]; then
        $MB verdicts amavis "$W/amavis/log/amavis.log" "$PF_DIR/maillog" "$RUN_OFF" "$PF_DIR/sink" "$W/q/amavis" "$tag" - \
            > "$W/verdicts/$p.$rep"
    else
        $MB verdicts spoolgate "$W/log/spoolgate-$p.log" "$PF_DIR/maillog" "$RUN_OFF" "$PF_DIR/sink" "$W/q/$p" "$tag" "$P_HOOKS" \
            > "$W/verdicts/$p.$rep"
    fi
    {
        echo "scan=$scan"
        echo "fw=$fw"
        echo "fw_timing=$fw_timing"
        echo "pf=$pf"
        echo "ceiling=$(awk -v a="$scan" -v b="$fw" -v c="$pf" -v k="$(nproc)" 'BEGIN { printf "%.1f", k * 1000 / (a + b + c) }')"
        echo "d_mean=$d_mean"
        echo "d_max=$d_max"
        echo "rss_all=$(awk '{ printf "%.1f", $1 / 1024 }' <<< "$m_all")"
        echo "pss_all=$(awk '{ printf "%.1f", $2 / 1024 }' <<< "$m_all")"
        echo "rss_fw=$(awk '{ printf "%.1f", $1 / 1024 }' <<< "$m_fw")"
        echo "pss_fw=$(awk '{ printf "%.1f", $2 / 1024 }' <<< "$m_fw")"
        echo "rss_proc=$(awk '{ printf "%.1f", $1 / 1024 }' <<< "$m_sgmax")"
        echo "pss_proc=$(awk '{ printf "%.1f", $2 / 1024 }' <<< "$m_sgmax")"
        echo "verdicts='$(verdict_summary "$W/verdicts/$p.$rep")'"
        echo "mismatch=$(verdict_mismatches "$p" "$W/verdicts/$p.$rep" | grep -c .)"
    } >> "$f"
    # shellcheck disable=SC1090
    . "$f"
    say "  $p: $msgs_s msgs/s; CPU ms/msg: scanners $scan, framework $fw, Postfix $pf, others' $others; peak RSS/PSS ${rss_all}/${pss_all} MiB; $verdicts; mismatches $mismatch${why:+; $why}"
}

# verdict_summary FILE: "D delivered (Y tagged YES, N tagged NO, U untagged), V virus, S spam discarded, Q quarantined, M missing"
verdict_summary() {
    awk '
        $2 == "pass" { d++; if ($3 == "YES") y++; else if ($3 == "NO") no++; else if ($3 ~ /^dup/) dup++; else u++ }
        $2 == "discard-virus" { v++; if ($4 == 1) q++ }
        $2 == "discard-spam" { s++; if ($4 == 1) q++ }
        $2 == "missing" { m++ }
        END { printf "%d delivered (%d X-Spam-Flag YES, %d NO, %d untagged, %d twice), %d discarded (%d virus, %d spam; %d quarantined once), %d missing",
              d, y, no, u, dup, v + s, v, s, q, m }' "$1"
}

# verdict_mismatches P FILE: the messages whose verdict is not the one
# path P's scanners call for (ham delivered, tagged when P has a spam
# scanner; EICAR discarded as a virus when P has clamav; GTUBE discarded
# as spam when P has a spam scanner; one quarantine copy per discard)
verdict_mismatches() {
    path_info "$1"
    awk -v caps=" $P_CAPS " '
        {
            split($1, a, "-"); kind = a[2]
            want = "pass"
            if (kind == "eicar" && index(caps, " virus ")) want = "discard-virus"
            if (kind == "gtube" && index(caps, " spam ")) want = "discard-spam"
            bad = ($2 != want)
            if (want == "pass" && index(caps, " spam ") && $3 != "YES" && $3 != "NO") bad = 1
            if (want == "pass" && $3 ~ /^dup/) bad = 1
            if (want != "pass" && $4 != 1) bad = 1
            if (bad) print $0 " (want " want ")"
        }' "$2"
    # every corpus message must have a line
    local have
    have=$(grep -c . "$2")
    [ "$have" = "$AMAVIS_MSGS" ] || echo "only $have of $AMAVIS_MSGS messages accounted for"
}

# med P KEY: the median over the repetitions of KEY for path P
med() {
    local f vals=()
    for f in "$W/res/$1".*; do
        vals+=("$(sed -n "s/^$2=//p" "$f" | tr -d "'")")
    done
    stats "${vals[@]}" | cut -d' ' -f1
}
maxof() {
    local f vals=()
    for f in "$W/res/$1".*; do vals+=("$(sed -n "s/^$2=//p" "$f")"); done
    stats "${vals[@]}" | cut -d' ' -f3
}
minof() {
    local f vals=()
    for f in "$W/res/$1".*; do vals+=("$(sed -n "s/^$2=//p" "$f")"); done
    stats "${vals[@]}" | cut -d' ' -f2
}

report() {
    local p rep f
    bench_header "Against amavisd-new with the same scanners (bench/amavis.sh)" "$@"
    echo "- Postfix $(postconf -dh mail_version), amavisd-new $($AMAVISD -V 2> /dev/null | head -1 | awk '{ print $1 }' | sed 's/amavis-//'), ClamAV $(clamd --version 2> /dev/null | sed 's#/.*##;s/ClamAV //'), SpamAssassin $(spamassassin --version 2> /dev/null | awk '/version/ { print $3; exit }'), rspamd $(rspamd --version 2> /dev/null | grep -o '[0-9][0-9.]*' | head -1)"
    echo "- corpus: $AMAVIS_MSGS messages ($CORPUS_text text ham, $CORPUS_multipart multipart ham with attachments, $CORPUS_gtube GTUBE, $CORPUS_eicar EICAR; $(du -sk "$W/corpus" | cut -f1) kB), seed $AMAVIS_SEED; submitted over $AMAVIS_SESSIONS SMTP sessions to the path's smtpd; a run ends when the filter has answered every message and the sink has every delivered one"
    echo "- concurrency $AMAVIS_CONC on every path: the filter transport's and spawn(8)'s process limits, amavisd \$max_servers; spamd --max-children 2, rspamd one worker; kill level $AMAVIS_KILL (rspamd: its reject action); amavisd \$log_level $AMAVIS_LOG_LEVEL, its other settings its defaults (\$max_requests 20) but for the policy"
    echo "- $AMAVIS_REPS repetitions, the paths in rotating order, $AMAVIS_WARMUP warm-up messages per path first; measuring took ${MEASURE_SECONDS}s; load average at the end: $LOAD_END"
    echo "- CPU: cgroup v2 cpu.stat per process group, per message (median of the runs). Scanners: the daemons' groups (clamd, spamd, rspamd) and, for amavisd, the CPU time of SpamAssassin's parse and check in its processes (clock_gettime around them, from its config file); framework: amavisd's group less that (and, as TIMING puts it, less its \"SA ...\" sections, wall clock: framework by TIMING), or spoolgate with its hooks and their children; Postfix: every Postfix process (spawn(8) included). Others: the machine's busy time (/proc/stat) less all groups of this run, i.e. other users of the machine. Ceiling: $(nproc) cores' worth of ms / (scanners + framework + Postfix): the msgs/s this path would reach with the cores to itself"
    echo "- memory: peak over the run of the summed Rss / Pss (/proc/PID/smaps_rollup, sampled every second) of the filter path's processes: amavisd's, or spoolgate's with its hooks and its spawn(8) service, plus the scanner daemons it uses (the largest of the runs)"
    echo
    echo "| path | msgs/s (min-max) | ceiling msgs/s | scanners ms/msg | framework ms/msg | framework by TIMING | Postfix ms/msg | others' ms/msg | peak RSS / PSS MiB, whole filter path | framework alone RSS / PSS | latency (mean d) s | verdicts (last run) | mismatches |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|"
    for p in "${PATHS[@]}"; do
        echo "| $p | $(med "$p" msgs_s) ($(minof "$p" msgs_s)-$(maxof "$p" msgs_s)) | $(med "$p" ceiling) | $(med "$p" scan) | $(med "$p" fw) | $(med "$p" fw_timing) | $(med "$p" pf) | $(med "$p" others) | $(maxof "$p" rss_all) / $(maxof "$p" pss_all) | $(maxof "$p" rss_fw) / $(maxof "$p" pss_fw) | $(med "$p" d_mean) | $(sed -n "s/^verdicts='\(.*\)'/\1/p" "$W/res/$p.$AMAVIS_REPS") | $(for f in "$W/res/$p".*; do sed -n 's/^mismatch=//p' "$f"; done | awk '{ s += $1 } END { print s + 0 }') |"
    done
    echo
    # ratios within each repetition
    if [ -e "$W/res/amavis.1" ]; then
        echo "Within each repetition, against amavis (the issue's targets: framework CPU ratio at most 0.1, msgs/s ratio at least 1, memory ratios below 1; framework CPU ratio by TIMING: against amavisd's own by its TIMING lines):"
        echo
        echo "| path | rep | framework CPU ratio | by TIMING | msgs/s ratio | ceiling ratio | PSS ratio | RSS ratio |"
        echo "|---|---:|---:|---:|---:|---:|---:|---:|"
        for p in "${PATHS[@]}"; do
            [ "$p" = amavis ] && continue
            for ((rep = 1; rep <= AMAVIS_REPS; rep++)); do
                [ -e "$W/res/$p.$rep" ] || continue
                awk -F= -v p="$p" -v rep="$rep" '
                    FNR == 1 { file++ }
                    { v[file, $1] = $2 }
                    END {
                        printf "| %s | %d | %.3f | %.3f | %.2f | %.2f | %.2f | %.2f |\n", p, rep, v[1, "fw"] / v[2, "fw"],
                            v[1, "fw"] / v[2, "fw_timing"], v[1, "msgs_s"] / v[2, "msgs_s"], v[1, "ceiling"] / v[2, "ceiling"],
                            v[1, "pss_all"] / v[2, "pss_all"], v[1, "rss_all"] / v[2, "rss_all"]
                    }' "$W/res/$p.$rep" "$W/res/amavis.$rep"
            done
        done
        echo
    fi
    echo "Per run (CPU ms per message by group; amavisd: SpamAssassin's CPU in its processes, and its TIMING per message: the \"SA ...\" sections and the wait for clamd, wall clock; largest process: the framework's largest, RSS / PSS):"
    echo
    echo "| run | path | s | msgs/s | clamd | spamd | rspamd | amavisd (all) | amavisd SA CPU | amavisd SA TIMING | amavisd clamd wait | spoolgate+hooks | Postfix | harness | others | RSS / PSS MiB | largest process MiB | deferred |"
    echo "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    for ((rep = 1; rep <= AMAVIS_REPS; rep++)); do
        for p in "${PATHS[@]}"; do
            f=$W/res/$p.$rep
            [ -e "$f" ] || continue
            (
                # shellcheck disable=SC1090
                unset sa_ms sa_cpu_ms av_wait_ms
                # shellcheck disable=SC1090
                . "$f"
                local sgc=-
                [ "$p" = amavis ] || sgc=$cpu_fw
                echo "| $rep | $p | $seconds | $msgs_s | $cpu_clamd | $cpu_spamd | $cpu_rspamd | $cpu_amavis | ${sa_cpu_ms:--} | ${sa_ms:--} | ${av_wait_ms:--} | $sgc | $cpu_postfix | $cpu_harness | $others | $rss_all / $pss_all | $rss_proc / $pss_proc | $deferred |"
            )
        done
    done
    echo
    local bad=0
    for p in "${PATHS[@]}"; do
        for ((rep = 1; rep <= AMAVIS_REPS; rep++)); do
            f=$W/res/$p.$rep
            [ -e "$f" ] || continue
            if ! grep -q '^ok=1' "$f"; then
                echo "- run $rep of $p FAILED: $(sed -n "s/^why='\(.*\)'/\1/p" "$f")"
                bad=1
            fi
            if [ -s "$W/verdicts/$p.$rep" ] && verdict_mismatches "$p" "$W/verdicts/$p.$rep" | grep -q .; then
                echo "- run $rep of $p: messages without the verdict they should have:"
                verdict_mismatches "$p" "$W/verdicts/$p.$rep" | head -20 | sed 's/^/    /'
                bad=1
            fi
        done
    done
    # the scanning paths against each other, message for message
    local scanning=() a b
    for p in "${PATHS[@]}"; do path_info "$p"; [ "$P_CAPS" = "virus spam" ] && scanning+=("$p"); done
    if [ "${#scanning[@]}" -ge 2 ]; then
        a=$(for p in "${scanning[@]}"; do for f in "$W/verdicts/$p".*; do awk '{ print $1, $2 }' "$f"; done; done |
            sort | uniq | awk '{ c[$1]++ } END { for (m in c) if (c[m] > 1) n++; print n + 0 }')
        b=$(cat "$W/verdicts/${scanning[0]}.1" | grep -c .)
        echo "- same verdict on every message in every run of ${scanning[*]}: $([ "$a" = 0 ] && echo yes || echo "NO, $a messages differ") ($b messages)"
    fi
    [ "$bad" = 0 ] && echo "- every run complete, every message with the verdict its path's scanners call for"
    [ -n "$HOOK_RSS" ] && echo "- peak RSS of each hook process alone (wait4's ru_maxrss, peakrss.c), run once as spoolgate runs it on the largest corpus message ($(ls -S "$W"/corpus/*.eml | head -1 | xargs stat -c %s) octets): $HOOK_RSS"
    echo
    echo '```text'
    for ((rep = 1; rep <= AMAVIS_REPS; rep++)); do
        for p in "${PATHS[@]}"; do
            f=$W/res/$p.$rep
            [ -e "$f" ] || continue
            (
                # shellcheck disable=SC1090
                . "$f"
                echo "RESULT amavis path=$p rep=$rep ok=$ok msgs=$AMAVIS_MSGS seconds=$seconds msgs_s=$msgs_s cpu_scanners_ms=$scan cpu_framework_ms=$fw cpu_postfix_ms=$pf cpu_framework_timing_ms=$fw_timing cpu_harness_ms=$cpu_harness cpu_others_ms=$others ceiling_msgs_s=$ceiling rss_mib=$rss_all pss_mib=$pss_all rss_framework_mib=$rss_fw pss_framework_mib=$pss_fw largest_proc_rss_mib=$rss_proc largest_proc_pss_mib=$pss_proc latency_s=$d_mean mismatches=$mismatch"
            )
        done
    done
    echo '```'
    [ "$bad" = 0 ]
}

main "$@"
