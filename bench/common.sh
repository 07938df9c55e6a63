# shellcheck shell=bash
# bench/common.sh -- what the bench scripts share. Sourced, never run.
#
#   . "$(dirname "$0")/common.sh"
#   bench_init NAME [postfix]   work directory, cleanup trap (and, with
#                               "postfix", a private Postfix instance's
#                               directory from test/postfix/lib.sh)
#   bench_bg LOG CMD...         start CMD in the background, remembered by PID
#   bench_header "TITLE" "$@"   date, machine, commit, command (markdown)
#
# Every background process runs under timeout(1) (BENCH_LIFETIME seconds at
# most) and is stopped by its PID when the script ends, whatever the reason.
# Only processes started here are stopped. Everything listens on 127.0.0.1,
# on ports chosen free at run time (pf_pick_port of test/postfix/lib.sh).
#
# Environment shared by all scripts:
#   SPOOLGATE       the binary (default: build-bench/spoolgate of this tree);
#                   it runs as BENCH_USER, who must be able to read it
#   SPOOLGATE_OPTS  extra spoolgate options (default: --log none)
#   BENCH_USER      the unprivileged user for spoolgate and the sinks (nobody)
#   BENCH_LIFETIME  upper bound, in seconds, on any process started (1800)
#   BENCH_KEEP=1    keep the work directory
#   TMPDIR          where the work directory goes (default /tmp)

BENCH_HOME=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BENCH_REPO=$(cd "$BENCH_HOME/.." && pwd)
BENCH_USER=${BENCH_USER:-nobody}
BENCH_LIFETIME=${BENCH_LIFETIME:-1800}
SPOOLGATE=${SPOOLGATE:-$BENCH_REPO/build-bench/spoolgate}
SPOOLGATE_OPTS=${SPOOLGATE_OPTS:---log none}
BENCH_NAME=$(basename "$0")
if [ -x /usr/bin/python3 ]; then BENCH_PYTHON=/usr/bin/python3; else BENCH_PYTHON=python3; fi

# the project's Postfix test harness: a private instance, free ports
PF_FILTER_USER=$BENCH_USER
PF_LIFETIME=$BENCH_LIFETIME
# shellcheck source=../test/postfix/lib.sh
. "$BENCH_REPO/test/postfix/lib.sh"

say() { printf '%s: %s\n' "$BENCH_NAME" "$*" >&2; }
die() { say "ERROR: $*"; exit 1; }

bench_need() {   # bench_need COMMAND PACKAGE
    command -v "$1" > /dev/null 2>&1 || die "$1 not found (apt-get install $2)"
}

# bench_check_spoolgate: the binary exists and BENCH_USER can run it
bench_check_spoolgate() {
    [ -x "$SPOOLGATE" ] || die "no spoolgate binary at $SPOOLGATE: build it first
    (meson setup build-bench --buildtype=release -Dtests=false && ninja -C build-bench)
    or set SPOOLGATE=/path/to/spoolgate"
    SPOOLGATE=$(cd "$(dirname "$SPOOLGATE")" && pwd -P)/$(basename "$SPOOLGATE")
    pf_require_nobody_access "$SPOOLGATE"
}

BENCH_PIDS=()
W=

# bench_bg LOG CMD...: CMD in the background, its output in LOG, at most
# BENCH_LIFETIME seconds; BENCH_LAST_PID is its PID (that of timeout(1),
# which passes SIGTERM on to CMD)
bench_bg() {
    local log=$1
    shift
    timeout "$BENCH_LIFETIME" "$@" > "$log" 2>&1 < /dev/null &
    BENCH_LAST_PID=$!
    BENCH_PIDS+=("$BENCH_LAST_PID")
}

bench_stop_bg() {
    local pid i
    for pid in "${BENCH_PIDS[@]}"; do
        kill -TERM "$pid" 2> /dev/null
    done
    for pid in "${BENCH_PIDS[@]}"; do
        for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2> /dev/null
        wait "$pid" 2> /dev/null
    done
    BENCH_PIDS=()
}

bench_on_exit() {
    local st=$?
    trap - EXIT
    bench_stop_bg
    if [ "$BENCH_WITH_POSTFIX" = 1 ]; then
        [ "${BENCH_KEEP:-0}" = 1 ] && PF_KEEP=1
        ( exit "$st" )
        pf_on_exit          # stops the instance, removes PF_DIR on success, exits
    fi
    if [ -n "$W" ] && [ -d "$W" ]; then
        if [ "$st" = 0 ] && [ "${BENCH_KEEP:-0}" != 1 ]; then
            rm -rf "${W:?}"
        else
            say "work directory kept: $W"
        fi
    fi
    exit "$st"
}

# bench_init NAME [postfix]: W is the work directory (readable by BENCH_USER)
BENCH_WITH_POSTFIX=0
bench_init() {
    [ "$(id -u)" = 0 ] || die "run as root (a private Postfix master, runuser, smtp-sink -u)"
    if [ "${2:-}" = postfix ]; then
        pf_require_root_and_postfix
        BENCH_WITH_POSTFIX=1
        pf_init "$1"              # PF_DIR, four free ports, traps
        W=$PF_DIR/work
    else
        W=$(mktemp -d "${TMPDIR:-/tmp}/spoolgate-bench.$1.XXXXXX") || die "mktemp failed"
        W=$(cd "$W" && pwd -P)
        chmod 755 "$W"
        trap 'exit 143' TERM
        trap 'exit 130' INT
        trap 'exit 129' HUP
    fi
    trap bench_on_exit EXIT
    mkdir -p "$W"
    runuser -u "$BENCH_USER" -- test -x "$W" ||
        die "$W is not reachable by $BENCH_USER (set TMPDIR to a directory that is)"
}

# bench_wait_listen PORT: until something listens on 127.0.0.1:PORT (10 s)
bench_wait_listen() {
    local i
    for ((i = 0; i < 100; i++)); do
        [ -n "$(ss -Hltn "( sport = :$1 )" 2> /dev/null)" ] && return 0
        sleep 0.1
    done
    return 1
}

# bench_sink PORT: smtp-sink on 127.0.0.1:PORT with running counters
# (-c) in $W/sink-PORT.out; bench_sink_count PORT reads the message count
bench_sink() {
    bench_bg "$W/sink-$1.out" smtp-sink -u "$BENCH_USER" -c "127.0.0.1:$1" 1024
    bench_wait_listen "$1" || die "smtp-sink did not start on 127.0.0.1:$1: $(cat "$W/sink-$1.out")"
}
bench_sink_count() {
    local n
    n=$(tail -c 400 "$W/sink-$1.out" 2> /dev/null | tr '\r' '\n' | grep -o 'mesg=[0-9]*' | tail -n 1)
    echo "${n#mesg=}" | sed 's/^$/0/'
}
# bench_sink_got PORT BEFORE N: how many messages the sink has counted since
# BEFORE, once it shows N of them or after a short grace (1 s) for its
# counter output. spoolgate and proxsmtp answer the final "." only after the
# sink did, so when the client is done the sink has them all.
bench_sink_got() {
    local i after
    for ((i = 0; i < 50; i++)); do
        after=$(bench_sink_count "$1")
        [ $((after - $2)) -ge "$3" ] && break
        sleep 0.02
    done
    echo $((after - $2))
}

# bench_commit: the commit of the git tree that holds the spoolgate binary
# (its build directory inside a clone), "+uncommitted" when that tree's src/,
# include/ or meson.build differ from it
bench_commit() {
    local c top
    top=$(git -C "$(dirname "$SPOOLGATE")" rev-parse --show-toplevel 2> /dev/null) || { echo "unknown (binary outside a git tree)"; return; }
    c=$(git -C "$top" rev-parse --short HEAD 2> /dev/null) || { echo unknown; return; }
    git -C "$top" diff --quiet HEAD -- src include meson.build 2> /dev/null || c="$c+uncommitted changes"
    echo "$c"
}

# bench_header TITLE ARGS...: the facts a RESULTS.md section needs
bench_header() {
    local title=$1
    shift
    local cpu
    cpu=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
    echo "## $title, $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    echo "- machine: $(nproc) CPUs, $cpu, $(awk '/MemTotal/ { printf "%.0f GiB RAM", $2 / 1048576 }' /proc/meminfo), kernel $(uname -r)"
    echo "- load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "- spoolgate commit $(bench_commit), binary $SPOOLGATE"
    echo "- command: \`$(bench_command_line "$@")\`"
}

bench_command_line() {   # the environment knobs set, then the script and its arguments
    local v out=""
    for v in $(compgen -v | grep -E '^(BENCH_|E2E_|MEM_|CG_|STARTUP_|AMAVIS_|SPOOLGATE)' | sort); do
        case "$v" in
            BENCH_HOME|BENCH_REPO|BENCH_NAME|BENCH_PIDS|BENCH_LAST_PID|BENCH_WITH_POSTFIX|BENCH_PYTHON|BENCH_USER|BENCH_LIFETIME) continue ;;
        esac
        # only what the caller exported
        if printenv "$v" > /dev/null 2>&1; then out+="$v='${!v}' "; fi
    done
    echo "${out}bench/$BENCH_NAME $*" | sed 's/ *$//'
}

# fmt NUMBER [DECIMALS]
fmt() { awk -v x="$1" -v d="${2:-1}" 'BEGIN { printf "%.*f", d, x }'; }

# stats V...: "median min max" of the numbers given
stats() {
    printf '%s\n' "$@" | grep -E '^[0-9.eE+-]+$' | sort -g | awk '
        { a[NR] = $1 }
        END {
            if (NR == 0) { print "- - -"; exit }
            m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
            print m, a[1], a[NR]
        }'
}

# the microseconds clock, as an integer
now_us() { local t=${EPOCHREALTIME/./}; echo "${t#0}"; }
