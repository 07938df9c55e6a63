# shellcheck shell=bash
# test/postfix/faults_lib.sh -- what the fault tests (faults_test.sh,
# campaign_test.sh) add to lib.sh: spoolgate with a spool directory of its
# own, master.cf changed and reloaded while the instance runs, and the
# processes and spool files spoolgate must not leave behind. Sourced after
# lib.sh and pf_init; uses SPOOLGATE (the binary, a physical path).
#
#   fl_init                        W, SGLOG, SPOOL (owned by nobody, 0700)
#   fl_spoolgate_words             the spoolgate options every fault test
#                                  uses: --log-file, --spool-dir,
#                                  --spool-memory=0 (every message on disk)
#   fl_save_master                 keep master.cf as $W/master.cf.full
#   fl_master_without_reinjection  master.cf.full less the reinjection smtpd
#   fl_master_reinject_option N=V  master.cf.full, the reinjection smtpd
#                                  with "-o N=V" instead of its own -o N=
#   fl_install_master FILE         FILE becomes master.cf, postfix reload
#   fl_sg_pids / fl_hook_pids      spoolgate and hook processes of this
#                                  instance
#   fl_no_leftovers SECONDS        wait for none of them, and no spool file

fl_init() {
    W=$PF_DIR/work
    SGLOG=$PF_DIR/spoolgate.log
    SPOOL=$PF_DIR/spool
    # spoolgate runs as nobody: its log file and spool dir belong to nobody
    install -m 0644 -o "$PF_FILTER_USER" /dev/null "$SGLOG"
    install -d -m 0700 -o "$PF_FILTER_USER" "$SPOOL"
}

fl_spoolgate_words() {
    printf '%s\n' "--log-file=$SGLOG" "--spool-dir=$SPOOL" "--spool-memory=0"
}

fl_save_master() {
    cp "$PF_DIR/etc/master.cf" "$W/master.cf.full"
}

# the reinjection smtpd's entry (head line and its continuation lines) left out
fl_master_without_reinjection() {
    PF_ENTRY_RE="^127\\.0\\.0\\.1:${PF_REINJECT_PORT}[ \t]" awk '
        BEGIN { re = ENVIRON["PF_ENTRY_RE"] }
        /^[^ \t#]/ { on = ($0 ~ re) }
        /^[ \t]*#/ { on = 0 }
        !on { print }' "$W/master.cf.full"
}

# fl_master_reinject_option NAME=VALUE: the reinjection smtpd's entry gets
# "-o NAME=VALUE" right after its head line, and loses its own -o NAME=...
fl_master_reinject_option() {
    PF_ENTRY_RE="^127\\.0\\.0\\.1:${PF_REINJECT_PORT}[ \t]" FL_OPT=$1 awk '
        BEGIN { re = ENVIRON["PF_ENTRY_RE"]; opt = ENVIRON["FL_OPT"]
                name = opt; sub(/=.*/, "", name) }
        /^[^ \t#]/ { on = ($0 ~ re); print; if (on) print "  -o " opt; next }
        /^[ \t]*#/ { on = 0 }
        on && $1 == "-o" && index($2, name "=") == 1 { next }
        { print }' "$W/master.cf.full"
}

# fl_install_master FILE: FILE becomes master.cf, then postfix reload. The
# master re-reads master.cf at once; idle daemons of a changed service end
# when they notice, so give them a moment.
fl_install_master() {
    cp "$1" "$PF_DIR/etc/master.cf.new" && mv "$PF_DIR/etc/master.cf.new" "$PF_DIR/etc/master.cf"
    postfix -c "$PF_DIR/etc" reload > "$W/reload.log" 2>&1 ||
        { pf_fail "postfix reload failed: $(cat "$W/reload.log")"; return 1; }
}

# a listener on the reinjection smtpd's port (connections in TIME_WAIT left
# aside, unlike pf_port_free)
fl_reinjection_listening() { [ -n "$(ss -Hltn "( sport = :$PF_REINJECT_PORT )" 2> /dev/null)" ]; }
fl_reinjection_closed() { ! fl_reinjection_listening; }

# spoolgate processes of this instance: its --log-file is in $PF_DIR
fl_sg_pids() {
    local p
    for p in $(pgrep -f -- "--log-file=$SGLOG" 2> /dev/null); do
        [ "$(readlink "/proc/$p/exe" 2> /dev/null)" = "$SPOOLGATE" ] || continue
        # not the hook group's watcher (a fork of spoolgate, its child)
        [ "$(readlink "/proc/$(ps -o ppid= -p "$p" | tr -d ' ')/exe" 2> /dev/null)" = "$SPOOLGATE" ] && continue
        echo "$p"
    done
}

# hook processes of this instance (and anything they started): the
# SPOOLGATE_* variables spoolgate gives the hook, and the MAIL_CONFIG that
# the instance's master passes down to spawn(8) and its commands
fl_hook_pids() {
    local f pid
    grep -lzxF "MAIL_CONFIG=$PF_DIR/etc" /proc/[0-9]*/environ 2> /dev/null | while read -r f; do
        if grep -qz '^SPOOLGATE_SENDER=' "$f" 2> /dev/null; then
            pid=${f#/proc/}
            echo "${pid%%/*}"
        fi
    done
}

fl_no_procs() { [ -z "$(fl_sg_pids)$(fl_hook_pids)" ]; }
fl_spool_files() { find "$SPOOL" -mindepth 1 2> /dev/null; }

# fl_ps PID...: one line each, for reports
fl_ps() {
    local p
    for p in "$@"; do ps -o pid=,ppid=,user=,etimes=,args= -p "$p" 2> /dev/null; done
}

# fl_no_leftovers SECONDS: within SECONDS, no spoolgate and no hook process
# of this instance runs any more (Postfix closes cached filter connections
# after a couple of seconds), and the spool directory is empty
fl_no_leftovers() {
    if pf_wait "$1" fl_no_procs; then
        pf_pass "no spoolgate or hook process of this instance left"
    else
        # shellcheck disable=SC2046
        pf_fail "processes left $1 s after the end: $(fl_ps $(fl_sg_pids) $(fl_hook_pids) | tr '\n' ';')"
    fi
    local files
    files=$(fl_spool_files)
    if [ -z "$files" ]; then
        pf_pass "spool directory $SPOOL is empty"
    else
        pf_fail "files left in the spool directory: $(find "$SPOOL" -mindepth 1 -printf '%M %u %s %p\n' | tr '\n' ';')"
    fi
}
