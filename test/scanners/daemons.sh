# shellcheck shell=bash
# test/scanners/daemons.sh - private clamd, spamd and rspamd for tests, stopped by PID
#
#   . test/scanners/daemons.sh
#   scan_daemons_init DIR        # where the daemons keep their files (made a+rx)
#   have_clamd || exit 77        # the package is installed (have_spamd, have_rspamd)
#   start_clamd                  # sets CLAMD_PID, CLAMD_SOCKET (a path), CLAMD_PORT
#   start_spamd                  # sets SPAMD_PID, SPAMD_PORT
#   start_rspamd                 # sets RSPAMD_PID, RSPAMD_PORT
#   start_fake_daemon hang|garbage [TEXT]   # sets FAKE_PID, FAKE_PORT
#   stop_clamd; stop_spamd; stop_rspamd; stop_fake_daemon
#   stop_daemons                 # every one still running (for an EXIT trap)
#
# Each daemon is the Debian package's own binary with a configuration of
# the test's own, on 127.0.0.1 at a port free at start time, or on a
# socket in DIR; system services and /etc are never touched. A start
# returns 1 (after printing the daemon's log) when the daemon dies or is not
# ready within its bound; readiness is the daemon's own PING. A stop sends
# SIGTERM to the PID the start recorded, waits up to 15 s, then SIGKILLs it
# and the children it had (spamd's and rspamd's workers). Needs root (the
# daemons switch to nobody), bash's /dev/tcp, timeout(1), python3 for the
# fake daemons.
#
# - clamd: runs as root (no User), LocalSocket DIR/clamd/clamd.sock mode 666
#   (a hook running as nobody connects; Debian's clamd.conf has 666 too),
#   TCPSocket 127.0.0.1:CLAMD_PORT, Debian's limits (MaxFileSize and
#   StreamMaxLength 25M). The official databases cannot be downloaded here,
#   so DatabaseDirectory holds two signatures written now that detect the
#   EICAR test file: a body signature (.ndb, anywhere in any file) named
#   Spoolgate.Test.EICAR-Body, and an MD5 hash signature (.hdb, the 68-octet
#   file itself) named Spoolgate.Test.EICAR-Hash; clamd adds ".UNOFFICIAL".
# - spamd: spamd -L (no network tests) -x (no per-user configuration)
#   -u nobody on 127.0.0.1:SPAMD_PORT, Debian's shipped rules; GTUBE scores
#   1000. About 2 s to start.
# - rspamd: rspamd -f -u nobody with a configuration of its own in DIR/rspamd
#   (Debian's /etc/rspamd modules, one normal worker on 127.0.0.1:RSPAMD_PORT,
#   no controller or proxy, no redis). DNS goes to 127.0.0.1:1 with a
#   0.3 s timeout: every network check fails fast, as there is no network.
#   About 17 s to start (it compiles its TLD list).
#
# SCAN_EICAR and SCAN_GTUBE hold the two test strings.

SCAN_EICAR='X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*'
SCAN_GTUBE='XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X'
SCAN_DAEMON_DIR=
SCAN_DAEMONS_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CLAMD_PID= SPAMD_PID= RSPAMD_PID= FAKE_PID=

have_clamd() { command -v clamd > /dev/null 2>&1 || [ -x /usr/sbin/clamd ]; }
have_spamd() { command -v spamd > /dev/null 2>&1 || [ -x /usr/sbin/spamd ]; }
have_rspamd() { command -v rspamd > /dev/null 2>&1; }

scan_daemon_log() { printf 'daemons: %s\n' "$*" >&2; }

# scan_daemons_init DIR: the directory every daemon's files go under
scan_daemons_init() {
    SCAN_DAEMON_DIR=$1
    mkdir -p "$SCAN_DAEMON_DIR" && chmod a+rx "$SCAN_DAEMON_DIR"
}

# scan_pick_port VAR: a loopback port nothing uses now, from the ephemeral range
scan_pick_port() {
    local lo=32768 hi=60999 p i
    [ -r /proc/sys/net/ipv4/ip_local_port_range ] && read -r lo hi < /proc/sys/net/ipv4/ip_local_port_range
    for i in $(seq 1 200); do
        p=$((lo + (RANDOM * 32768 + RANDOM) % (hi - lo)))
        if ! (exec 3<> "/dev/tcp/127.0.0.1/$p") 2> /dev/null \
            && { ! command -v ss > /dev/null || [ -z "$(ss -Htan "( sport = :$p )" 2> /dev/null)" ]; }; then
            printf -v "$1" '%s' "$p"
            return 0
        fi
    done
    scan_daemon_log "no free port after 200 tries"
    return 1
}

# scan_ask PORT DATA: send DATA (printf %b escapes) to 127.0.0.1:PORT and
# print the reply, NULs removed; 3 s at most
scan_ask() {
    timeout 3 bash -c 'exec 3<> "/dev/tcp/127.0.0.1/$0" || exit 1; printf "%b" "$1" >&3; cat <&3' "$1" "$2" \
        2> /dev/null | tr -d '\0'
}

# scan_wait_ready NAME PID SECONDS LOG CMD...: until CMD succeeds, the
# daemon dies, or SECONDS pass
scan_wait_ready() {
    local name=$1 pid=$2 limit=$3 log=$4 start=$SECONDS
    shift 4
    while ! "$@"; do
        if ! kill -0 "$pid" 2> /dev/null; then
            scan_daemon_log "$name (PID $pid) died while starting; its log:"
            tail -n 30 "$log" >&2
            return 1
        fi
        if [ $((SECONDS - start)) -ge "$limit" ]; then
            scan_daemon_log "$name (PID $pid) not ready within $limit s; its log:"
            tail -n 30 "$log" >&2
            return 1
        fi
        sleep 0.2
    done
    scan_daemon_log "$name ready (PID $pid) after $((SECONDS - start)) s"
}

# scan_stop_pid NAME PID: SIGTERM, 15 s, then SIGKILL to it and its children
scan_stop_pid() {
    local name=$1 pid=$2 children i
    [ -n "$pid" ] || return 0
    kill -0 "$pid" 2> /dev/null || return 0
    children=$(pgrep -P "$pid" || true)
    kill -TERM "$pid" 2> /dev/null
    for i in $(seq 1 75); do
        kill -0 "$pid" 2> /dev/null || break
        sleep 0.2
    done
    if kill -0 "$pid" 2> /dev/null; then
        scan_daemon_log "$name (PID $pid) still running 15 s after SIGTERM: SIGKILL"
        kill -KILL "$pid" 2> /dev/null
    fi
    for i in $children; do kill -KILL "$i" 2> /dev/null; done
    wait "$pid" 2> /dev/null
    return 0
}

clamd_ready() { [ -S "$CLAMD_SOCKET" ] && [ "$(scan_ask "$CLAMD_PORT" 'zPING\0')" = PONG ]; }

# clamd_write_config DIR: clamd.conf and the two EICAR signatures
clamd_write_config() {
    local d=$1 hex md5
    mkdir -p "$d/db" && chmod a+rx "$d" "$d/db" || return 1
    hex=$(printf '%s' "$SCAN_EICAR" | od -An -tx1 -v | tr -d ' \n')
    md5=$(printf '%s' "$SCAN_EICAR" | md5sum | cut -d' ' -f1)
    echo "Spoolgate.Test.EICAR-Body:0:*:$hex" > "$d/db/spoolgate-test.ndb"
    echo "$md5:68:Spoolgate.Test.EICAR-Hash" > "$d/db/spoolgate-test.hdb"
    printf '%s\n' "Foreground yes" "LocalSocket $CLAMD_SOCKET" "LocalSocketMode 666" "FixStaleSocket yes" \
        "TCPSocket $CLAMD_PORT" "TCPAddr 127.0.0.1" "DatabaseDirectory $d/db" "PidFile $d/clamd.pid" \
        "LogFile $d/clamd.log" "LogTime yes" "MaxFileSize 25M" "StreamMaxLength 25M" "MaxScanSize 100M" \
        > "$d/clamd.conf"
}

start_clamd() {
    local d=$SCAN_DAEMON_DIR/clamd
    scan_pick_port CLAMD_PORT || return 1
    CLAMD_SOCKET=$d/clamd.sock
    clamd_write_config "$d" || return 1
    "$(command -v clamd || echo /usr/sbin/clamd)" -c "$d/clamd.conf" > "$d/clamd.out" 2>&1 &
    CLAMD_PID=$!
    scan_wait_ready clamd "$CLAMD_PID" 60 "$d/clamd.out" clamd_ready
}
stop_clamd() {
    scan_stop_pid clamd "$CLAMD_PID"
    CLAMD_PID=
}

spamd_ready() { scan_ask "$SPAMD_PORT" 'PING SPAMC/1.5\r\n\r\n' | grep -q PONG; }

start_spamd() {
    local d=$SCAN_DAEMON_DIR/spamd
    mkdir -p "$d" && chmod a+rx "$d" || return 1
    scan_pick_port SPAMD_PORT || return 1
    "$(command -v spamd || echo /usr/sbin/spamd)" -L -x -i 127.0.0.1 -A 127.0.0.1 -p "$SPAMD_PORT" -u nobody \
        --pidfile "$d/spamd.pid" --max-children 2 --min-children 1 -s stderr > "$d/spamd.log" 2>&1 &
    SPAMD_PID=$!
    scan_wait_ready spamd "$SPAMD_PID" 90 "$d/spamd.log" spamd_ready
}
stop_spamd() {
    scan_stop_pid spamd "$SPAMD_PID"
    SPAMD_PID=
}

rspamd_ready() { scan_ask "$RSPAMD_PORT" 'GET /ping HTTP/1.0\r\n\r\n' | grep -q pong; }

# rspamd_write_config DIR: rspamd.conf and the DNS override; Debian's modules otherwise
rspamd_write_config() {
    local d=$1
    mkdir -p "$d/local/override.d" "$d/db" "$d/run" "$d/log" && chmod -R a+rX "$d" || return 1
    chown nobody:nogroup "$d/db" "$d/run" "$d/log" || return 1
    printf '%s\n' 'dns {' '    nameserver = ["127.0.0.1:1"];' '    timeout = 0.3s;' '    retransmits = 1;' '}' \
        > "$d/local/override.d/options.inc"
    printf '%s\n' \
        "# a private rspamd for spoolgate's tests: one normal worker on 127.0.0.1:$RSPAMD_PORT" \
        '.include "$CONFDIR/common.conf"' \
        'options {' \
        '    pidfile = "$RUNDIR/rspamd.pid";' \
        '    .include "$CONFDIR/options.inc"' \
        '    .include(priority=10) "$LOCAL_CONFDIR/override.d/options.inc"' \
        '}' \
        'logging {' \
        '    type = "file";' \
        '    filename = "$LOGDIR/rspamd.log";' \
        '    level = "info";' \
        '}' \
        'worker "normal" {' \
        "    bind_socket = \"127.0.0.1:$RSPAMD_PORT\";" \
        '    .include "$CONFDIR/worker-normal.inc"' \
        '    count = 1;' \
        '}' > "$d/rspamd.conf"
}

start_rspamd() {
    local d=$SCAN_DAEMON_DIR/rspamd
    scan_pick_port RSPAMD_PORT || return 1
    rspamd_write_config "$d" || return 1
    rspamd -f -c "$d/rspamd.conf" -u nobody -g nogroup --var="LOCAL_CONFDIR=$d/local" --var="DBDIR=$d/db" \
        --var="RUNDIR=$d/run" --var="LOGDIR=$d/log" > "$d/rspamd.out" 2>&1 &
    RSPAMD_PID=$!
    scan_wait_ready rspamd "$RSPAMD_PID" "${RSPAMD_START_TIMEOUT:-180}" "$d/log/rspamd.log" rspamd_ready
}
stop_rspamd() {
    scan_stop_pid rspamd "$RSPAMD_PID"
    RSPAMD_PID=
}

# start_fake_daemon hang|garbage [TEXT]: a listener that accepts and never
# answers, or answers TEXT and closes (fake_daemon.py)
start_fake_daemon() {
    local d=$SCAN_DAEMON_DIR/fake-$1 i
    mkdir -p "$d" || return 1
    rm -f "$d/port"
    python3 "$SCAN_DAEMONS_HERE/fake_daemon.py" "$1" "$d/port" "${2:-}" > "$d/log" 2>&1 &
    FAKE_PID=$!
    for i in $(seq 1 50); do
        [ -s "$d/port" ] && FAKE_PORT=$(cat "$d/port") && return 0
        sleep 0.1
    done
    scan_daemon_log "fake daemon ($1) did not start"
    return 1
}
stop_fake_daemon() {
    scan_stop_pid fake-daemon "$FAKE_PID"
    FAKE_PID=
}

stop_daemons() {
    stop_fake_daemon
    stop_clamd
    stop_spamd
    stop_rspamd
}
