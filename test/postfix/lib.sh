# shellcheck shell=bash
# test/postfix/lib.sh -- a private, throwaway Postfix instance for the
# end-to-end tests of spoolgate. Sourced by bash test scripts:
#
#   . "$HERE/lib.sh"
#   pf_test_args LABEL "SCENARIO..." "$@"   # SCENARIO SPOOLGATE [SOURCE_DIR]:
#                                      # checked, usage (exit 64) or skip
#                                      # (exit 77, pf_require_root_and_postfix)
#   pf_init NAME                       # work dir, free ports, cleanup trap
#   pf_write_base_config               # main.cf/master.cf without any filter
#   pf_add_example PLACEMENT BIN WORD...    # append examples/PLACEMENT/*.cf
#                                      # (after-queue, before-queue, simple);
#                                      # PF_SMTPD_EXTRA, PF_NEXT_HOP_PORT adapt it
#   pf_apply_recipe PLACEMENT RECIPE BIN WORD...  # or the same by the
#                                      # postconf commands of RECIPE
#                                      # (examples/PLACEMENT/postconf.sh)
#   pf_add_reinjection_smtpd           # or only the 10026 smtpd, for a
#                                      # spoolgate that Postfix does not start
#   pf_start_sink                      # the final destination (sink.py)
#   pf_start                           # postfix check + start, watchdog
#   pf_start_bg NAME CMD...            # a listener of the test's own
#                                      # (socat, ...), stopped by its PID
#   pf_submit_queued FROM RCPTS FILE   # a message into the port-25 smtpd,
#                                      # QID (pf_submit: any reply)
#   ...                                # the test (pf_wait, pf_sink_has,
#                                      # pf_queue_empty, pf_maillog_has,
#                                      # pf_expect_delivered_once, ...)
#   pf_finish STATUS                   # stop everything, keep the dir on failure
#
# Everything runs on 127.0.0.1, on ports chosen free at run time. The
# instance has its own config_directory ($PF_DIR/etc), queue_directory,
# data_directory and log file ($PF_DIR/maillog, there is no syslog); it runs
# as root with mail_owner=postfix and no chroot. spawn(8) runs the filter as
# $PF_FILTER_USER (nobody): spawn(8) and pipe(8) refuse to run a command as
# root. Only what this file started is stopped, by PID or with
# "postfix -c $PF_DIR/etc stop"; a watchdog (its own process group) stops the
# instance and the pf_start_bg processes if the test dies without cleaning
# up, and the sink ends by itself.
#
# Environment: PF_KEEP=1 keeps the work directory even after a pass;
# PF_LIFETIME (default 300) bounds the life of everything started here;
# TMPDIR is where the work directory goes (default /tmp).

PF_FILTER_USER=${PF_FILTER_USER:-nobody}
PF_LIFETIME=${PF_LIFETIME:-300}
PF_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PF_SRC_DIR=$(cd "$PF_LIB_DIR/../.." && pwd)
if [ -x /usr/bin/python3 ]; then PF_PYTHON=/usr/bin/python3; else PF_PYTHON=python3; fi
PF_DIR=

pf_log() { printf '%s: %s\n' "${PF_NAME:-postfix-test}" "$*" >&2; }
pf_die() { pf_log "ERROR: $*"; exit 1; }

# pf_test_args LABEL SCENARIOS ARG...: the arguments of a scenario script,
# "SCENARIO SPOOLGATE [SOURCE_DIR]", SCENARIO one of the space-separated
# SCENARIOS (else a usage line and exit 64). Sets SCENARIO, SPOOLGATE, SRC
# (the tree under test, by default the one holding this file) and
# PF_SRC_DIR (examples/ come from SRC); exits 77 unless the test can run
# here (pf_require_root_and_postfix); then pf_test_paths "LABEL SCENARIO".
pf_test_args() {
    local label=$1 scenarios=$2
    shift 2
    SCENARIO=${1:-}
    SPOOLGATE=${2:-}
    SRC=${3:-$PF_SRC_DIR}
    case " $scenarios " in
        *" $SCENARIO "*) [ -n "$SCENARIO" ] && [ -n "$SPOOLGATE" ] ;;
        *) false ;;
    esac || { echo "usage: $0 ${scenarios// /|} SPOOLGATE [SOURCE_DIR]" >&2; exit 64; }
    PF_SRC_DIR=$SRC
    pf_require_root_and_postfix
    pf_test_paths "$label $SCENARIO"
}

# pf_test_paths LABEL: what every test script derives from its arguments
# (SPOOLGATE, SRC): SPOOLGATE made absolute, HOOKS (test/hooks),
# ADDED_HEADER (the --add-header field naming the test) and MSG (message.py)
# shellcheck disable=SC2034  # set for the test scripts that source this file
pf_test_paths() {
    SPOOLGATE=$(cd "$(dirname "$SPOOLGATE")" && pwd -P)/$(basename "$SPOOLGATE")
    HOOKS=$(cd "$SRC/test/hooks" && pwd -P)
    ADDED_HEADER="X-Spoolgate-Test: $1"
    MSG="$PF_PYTHON $PF_LIB_DIR/message.py"
}

# Exit 77 (meson: skipped) unless this can run at all.
pf_require_root_and_postfix() {
    if [ "$(id -u)" != 0 ]; then
        echo "SKIP: needs root (a private Postfix master runs as root)"
        exit 77
    fi
    local p
    for p in postfix postconf postqueue; do
        if ! command -v "$p" > /dev/null 2>&1; then
            echo "SKIP: $p not found (apt-get install postfix)"
            exit 77
        fi
    done
    command -v "$PF_PYTHON" > /dev/null 2>&1 || pf_die "python3 not found (the sink and the client need it)"
    command -v ss > /dev/null 2>&1 || pf_die "ss not found (iproute2): needed to find free ports"
    command -v runuser > /dev/null 2>&1 || pf_die "runuser not found (util-linux)"
    id "$PF_FILTER_USER" > /dev/null 2>&1 || pf_die "there is no user $PF_FILTER_USER to run the filter as"
}

# pf_require_nobody_access PATH...: spawn(8) runs spoolgate and its hook as
# $PF_FILTER_USER, so each PATH (and every directory above it) must be
# readable and executable by that user.
pf_require_nobody_access() {
    local f
    for f in "$@"; do
        [ -e "$f" ] || pf_die "$f does not exist"
        case "$f" in
            *[[:space:]]*) pf_die "$f contains white space: it cannot go into a master.cf argv= word" ;;
        esac
        if ! runuser -u "$PF_FILTER_USER" -- test -r "$f" -a -x "$f" 2> /dev/null; then
            pf_die "$f is not readable and executable by user $PF_FILTER_USER, who runs the filter" \
                "under spawn(8). A directory above it is probably closed to others (mode 0700," \
                "such as /root): build and test from a clone that $PF_FILTER_USER can reach," \
                "e.g. under /tmp or /work, or open the directories (chmod o+x)."
        fi
    done
}

# pf_port_free PORT: nothing uses PORT on this host (any state, any address)
pf_port_free() {
    [ -z "$(ss -Htan "( sport = :$1 )" 2> /dev/null)" ]
}

# pf_pick_port VAR: set VAR to a port that is free now and not yet taken
# by this instance. Taken below the kernel's ephemeral range, so that the
# instance's own outgoing connections cannot occupy it meanwhile.
PF_TAKEN_PORTS=" "
pf_pick_port() {
    local lo=20000 hi=32000 i p
    if [ -r /proc/sys/net/ipv4/ip_local_port_range ]; then
        read -r i _ < /proc/sys/net/ipv4/ip_local_port_range
        if [ "$i" -gt 12000 ] 2> /dev/null; then
            hi=$((i - 1))
            lo=$((i > 22000 ? i - 12000 : 10000))
        fi
    fi
    for ((i = 0; i < 200; i++)); do
        p=$((lo + (RANDOM * 32768 + RANDOM) % (hi - lo)))
        case "$PF_TAKEN_PORTS" in *" $p "*) continue ;; esac
        if pf_port_free "$p"; then
            PF_TAKEN_PORTS="$PF_TAKEN_PORTS$p "
            printf -v "$1" '%s' "$p"
            return 0
        fi
    done
    pf_die "no free port found in $lo..$hi after 200 tries"
}

# pf_init NAME: make the work directory, choose the ports, install the
# cleanup trap. Sets PF_DIR, PF_SMTP_PORT (the port-25 smtpd),
# PF_FILTER_PORT (spawn, spoolgate), PF_REINJECT_PORT (the 10026 smtpd),
# PF_SINK_PORT (the final destination).
pf_init() {
    PF_NAME=$1
    PF_TEST_PID=$$
    PF_DIR=$(mktemp -d "${TMPDIR:-/tmp}/spoolgate-pftest.$1.XXXXXX") || pf_die "mktemp failed"
    PF_DIR=$(cd "$PF_DIR" && pwd -P)
    case "$PF_DIR" in
        *[[:space:]]*) pf_die "work directory $PF_DIR contains white space" ;;
    esac
    trap 'pf_on_exit' EXIT
    trap 'exit 143' TERM
    trap 'exit 130' INT
    trap 'exit 129' HUP
    # postfix wants root-owned directories that are not group/world-writable;
    # the filter user needs to reach $PF_DIR for its log file
    chmod 755 "$PF_DIR"
    mkdir -p "$PF_DIR/etc" "$PF_DIR/queue" "$PF_DIR/data" "$PF_DIR/sink" "$PF_DIR/pids" \
        "$PF_DIR/work"
    chmod 755 "$PF_DIR/etc" "$PF_DIR/queue"
    chown postfix "$PF_DIR/data"
    runuser -u "$PF_FILTER_USER" -- test -x "$PF_DIR" ||
        pf_die "$PF_DIR is not reachable by $PF_FILTER_USER (set TMPDIR to a directory that is)"
    pf_pick_port PF_SMTP_PORT
    pf_pick_port PF_FILTER_PORT
    pf_pick_port PF_REINJECT_PORT
    pf_pick_port PF_SINK_PORT
    printf 'PF_SMTP_PORT=%s\nPF_FILTER_PORT=%s\nPF_REINJECT_PORT=%s\nPF_SINK_PORT=%s\n' \
        "$PF_SMTP_PORT" "$PF_FILTER_PORT" "$PF_REINJECT_PORT" "$PF_SINK_PORT" > "$PF_DIR/ports"
    pf_log "work directory $PF_DIR; ports: smtpd $PF_SMTP_PORT, filter $PF_FILTER_PORT," \
        "reinject $PF_REINJECT_PORT, sink $PF_SINK_PORT"
}

# main.cf and master.cf of an instance with no filter at all: the port-25
# smtpd on $PF_SMTP_PORT, everything relayed to the sink.
pf_write_base_config() {
    local d=$PF_DIR
    cat > "$d/etc/main.cf" <<EOF
# written by test/postfix/lib.sh: a throwaway instance, loopback only
compatibility_level = 3.6
config_directory = $d/etc
queue_directory = $d/queue
data_directory = $d/data
daemon_directory = $(postconf -dh daemon_directory)
command_directory = $(postconf -dh command_directory)
shlib_directory = $(postconf -dh shlib_directory)
meta_directory = $(postconf -dh meta_directory)
mail_owner = postfix
setgid_group = postdrop
default_privs = nobody
myhostname = pftest.localdomain
mydomain = localdomain
myorigin = \$myhostname
mydestination =
relay_domains =
local_recipient_maps =
alias_maps =
alias_database =
local_transport = error:5.1.1 local delivery is disabled in this test instance
inet_interfaces = loopback-only
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject
# every message leaves for the sink; no DNS anywhere
relayhost = [127.0.0.1]:$PF_SINK_PORT
smtp_dns_support_level = disabled
smtp_host_lookup = native
lmtp_host_lookup = native
# no syslog here
maillog_file = $d/maillog
maillog_file_prefixes = $d
# quick retries, so that a deferred message is tried again within a test
queue_run_delay = 2s
minimal_backoff_time = 2s
maximal_backoff_time = 4s
maximal_queue_lifetime = 1h
bounce_queue_lifetime = 1h
delay_warning_time = 0
# Postfix's smtp client would fold body lines longer than 998 octets before
# they reach spoolgate; the tests send longer lines to see spoolgate pass
# them unchanged.
smtp_line_length_limit = 0
message_size_limit = 52428800
biff = no
EOF
    cat > "$d/etc/master.cf" <<EOF
# written by test/postfix/lib.sh: no chroot anywhere
127.0.0.1:$PF_SMTP_PORT inet n - n - - smtpd
postlog   unix-dgram n  -       n       -       1       postlogd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
EOF
}

# pf_sed_escape STRING: STRING made safe as a sed replacement with '#' as
# delimiter
pf_sed_escape() {
    printf '%s' "$1" | sed -e 's/[\\&#]/\\&/g'
}

# pf_master_words WORD...: the words as master.cf argv= words, each with a
# leading space; a word with white space in it is put in master.cf braces
pf_master_words() {
    local w words=""
    for w in "$@"; do
        case "$w" in
            *[[:space:]]*) words="$words { $w }" ;;
            *) words="$words $w" ;;
        esac
    done
    printf '%s' "$words"
}

# pf_master_entry REGEX < master.cf: the master.cf entry whose first line
# matches REGEX (an extended regex), with its continuation lines
pf_master_entry() {
    PF_ENTRY_RE=$1 awk '
        BEGIN { re = ENVIRON["PF_ENTRY_RE"] }
        /^[ \t]*#/ { next }
        /^[^ \t]/ { on = ($0 ~ re) }
        on && NF { print }'
}

# pf_add_example PLACEMENT SPOOLGATE WORD...: append the administrator's
# snippets examples/PLACEMENT/main.cf and master.cf (PLACEMENT: after-queue,
# before-queue or simple), changing only what must change here, by textual
# substitution on the lines that are not comments:
#   - the ports 10025 (the spawn service, content_filter=scan:...,
#     smtpd_proxy_filter=...) and 10026 (the reinjection smtpd, spoolgate's
#     next hop "localhost 10026");
#   - the port-25 smtpd "smtp inet" -> 127.0.0.1:$PF_SMTP_PORT (it then
#     replaces the base configuration's plain smtpd), with the extra lines
#     of $PF_SMTPD_EXTRA (e.g. "-o smtpd_proxy_timeout=5s") added to it;
#   - user=spoolgate -> $PF_FILTER_USER;
#   - the program and its configuration file, "/usr/bin/spoolgate --config
#     /etc/spoolgate/spoolgate.conf" -> SPOOLGATE, followed by the extra
#     spoolgate options WORD... (a word with white space is put in master.cf
#     braces); with --pipe the next hop "127.0.0.1 PORT" is put before -f.
# spoolgate's next hop is the reinjection smtpd, or port $PF_NEXT_HOP_PORT
# when that is set (e.g. a closed port). Fails if a substitution found
# nothing to change or a default value survived, so that the examples and
# the tests cannot drift apart.
pf_add_example() {
    local placement=$1 bin=$2
    shift 2
    local words
    words=$(pf_master_words "$@")
    local ex=$PF_SRC_DIR/examples/$placement
    if [ ! -r "$ex/main.cf" ] || [ ! -r "$ex/master.cf" ]; then
        pf_die "missing $ex/main.cf or master.cf"
    fi
    local fp=$PF_FILTER_PORT rp=$PF_REINJECT_PORT sp=$PF_SMTP_PORT
    local np=${PF_NEXT_HOP_PORT:-$PF_REINJECT_PORT}
    local argv pipe_argv
    local prog="/usr/bin/spoolgate --config /etc/spoolgate/spoolgate.conf"
    argv=$(pf_sed_escape "$bin$words")
    pipe_argv=$(pf_sed_escape "$bin$words --pipe 127.0.0.1 $np --queue-id")
    # the example's own port-25 smtpd replaces the base configuration's
    if grep -qE '^smtp[[:space:]]+inet[[:space:]]' "$ex/master.cf"; then
        sed -i -e "/^127\\.0\\.0\\.1:${sp}[[:space:]].*[[:space:]]smtpd\$/d" "$PF_DIR/etc/master.cf"
    fi
    {
        echo
        echo "# ---- from examples/$placement/main.cf (ports substituted) ----"
        sed -e '/^[[:space:]]*#/b' \
            -e "s#\\[127\\.0\\.0\\.1\\]:10025\\([[:space:]]*\\)\$#[127.0.0.1]:$fp\\1#" \
            "$ex/main.cf"
    } >> "$PF_DIR/etc/main.cf"
    {
        echo
        echo "# ---- from examples/$placement/master.cf (ports, user, argv substituted) ----"
        sed -e '/^[[:space:]]*#/b' \
            -e "s#^smtp\\([[:space:]]\\{1,\\}inet[[:space:]]\\)#127.0.0.1:$sp\\1#" \
            -e "s#^127\\.0\\.0\\.1:10025\\([[:space:]]\\)#127.0.0.1:$fp\\1#" \
            -e "s#^127\\.0\\.0\\.1:10026\\([[:space:]]\\)#127.0.0.1:$rp\\1#" \
            -e "s#\\([[:space:]]\\)-o smtpd_proxy_filter=127\\.0\\.0\\.1:10025\\([[:space:]]*\\)\$#\\1-o smtpd_proxy_filter=127.0.0.1:$fp\\2#" \
            -e "s#\\([[:space:]]\\)user=spoolgate\\([[:space:]]\\)#\\1user=$PF_FILTER_USER\\2#" \
            -e "s#\\([[:space:]]\\)argv=$prog --pipe --queue-id\\([[:space:]]\\)#\\1argv=$pipe_argv\\2#" \
            -e "s#\\([[:space:]]\\)argv=$prog\\([[:space:]]\\)#\\1argv=$argv\\2#" \
            -e "s#\\([[:space:]]\\)localhost 10026\\([[:space:]]*\\)\$#\\1localhost $np\\2#" \
            "$ex/master.cf" |
            awk -v head="^127\\\\.0\\\\.0\\\\.1:${sp}[ \\t]+inet[ \\t]" -v extra="${PF_SMTPD_EXTRA:-}" '
                { print }
                $0 ~ head && extra != "" {
                    n = split(extra, e, /[ \t]+-o[ \t]+|^-o[ \t]+/)
                    for (i = 1; i <= n; i++) if (e[i] != "") print "  -o " e[i]
                }'
    } >> "$PF_DIR/etc/master.cf"
    # every substitution must have happened, and no default value survive
    local live_main live_master bad=0
    live_main=$(grep -v '^[[:space:]]*#' "$PF_DIR/etc/main.cf")
    live_master=$(grep -v '^[[:space:]]*#' "$PF_DIR/etc/master.cf")
    # pf_expect WHAT REGEX TEXT: TEXT has a line matching REGEX
    pf_expect() {
        grep -qE -- "$2" <<< "$3" ||
            { pf_log "examples/$placement: no $1 to adapt"; bad=1; }
    }
    local smtpd_re="^127\\.0\\.0\\.1:${sp}[[:space:]]+inet[[:space:]].*[[:space:]]smtpd\$"
    pf_expect "'127.0.0.1:10026 inet ... smtpd' entry" \
        "^127\\.0\\.0\\.1:${rp}[[:space:]]+inet[[:space:]].*[[:space:]]smtpd\$" "$live_master"
    case "$placement" in
        after-queue)
            pf_expect "'content_filter = scan:[127.0.0.1]:10025' line in main.cf" \
                "^content_filter = scan:\\[127\\.0\\.0\\.1\\]:${fp}[[:space:]]*\$" "$live_main"
            pf_expect "'scan unix ... smtp' transport" '^scan[[:space:]]+unix[[:space:]].*[[:space:]]smtp$' "$live_master"
            ;;
        before-queue)
            pf_expect "'smtp inet ... smtpd' entry" "$smtpd_re" "$live_master"
            pf_master_entry "$smtpd_re" <<< "$live_master" |
                grep -qE "^[[:space:]]+-o smtpd_proxy_filter=127\\.0\\.0\\.1:${fp}[[:space:]]*\$" ||
                { pf_log "examples/$placement: the smtp entry has no '-o smtpd_proxy_filter=127.0.0.1:10025'"; bad=1; }
            ;;
        simple)
            pf_expect "'smtp inet ... smtpd' entry" "$smtpd_re" "$live_master"
            pf_master_entry "$smtpd_re" <<< "$live_master" |
                grep -qE "^[[:space:]]+-o content_filter=filter:dummy[[:space:]]*\$" ||
                { pf_log "examples/$placement: the smtp entry has no '-o content_filter=filter:dummy'"; bad=1; }
            pf_expect "'filter unix ... pipe' transport" '^filter[[:space:]]+unix[[:space:]].*[[:space:]]pipe$' "$live_master"
            pf_expect "'flags=Rq user=spoolgate null_sender=' line" \
                "^[[:space:]]+flags=Rq user=$PF_FILTER_USER null_sender=[[:space:]]*\$" "$live_master"
            grep -qF "argv=$bin$words --pipe 127.0.0.1 $np --queue-id \${queue_id} -f \${sender} -- \${recipient}" <<< "$live_master" ||
                { pf_log "examples/$placement: no 'argv=$prog --pipe --queue-id \${queue_id} -f \${sender} -- \${recipient}' to adapt"; bad=1; }
            ;;
        *) pf_die "pf_add_example: unknown placement $placement" ;;
    esac
    case "$placement" in
        after-queue | before-queue)
            pf_expect "'127.0.0.1:10025 inet ... spawn' entry" \
                "^127\\.0\\.0\\.1:${fp}[[:space:]]+inet[[:space:]].*[[:space:]]spawn\$" "$live_master"
            grep -qF "user=$PF_FILTER_USER argv=$bin$words localhost $np" <<< "$live_master" ||
                { pf_log "examples/$placement: no 'user=spoolgate argv=$prog localhost 10026' to adapt"; bad=1; }
            ;;
    esac
    if grep -qE '1002[56]|user=spoolgate|/usr/bin/spoolgate|/etc/spoolgate' <<< "$live_main
$live_master"; then
        pf_log "examples/$placement: a default value was left unsubstituted:"
        grep -nE '1002[56]|user=spoolgate|/usr/bin/spoolgate|/etc/spoolgate' "$PF_DIR/etc/main.cf" "$PF_DIR/etc/master.cf" |
            grep -v ':[0-9]*:[[:space:]]*#' >&2
        bad=1
    fi
    if [ "$(grep -cE "^127\\.0\\.0\\.1:${sp}[[:space:]]" <<< "$live_master")" != 1 ]; then
        pf_log "master.cf: not exactly one service on the port-25 smtpd's port $sp"
        bad=1
    fi
    [ "$bad" = 0 ] || pf_die "examples/$placement/*.cf no longer match what the test adapts"
}

# pf_add_after_queue_example SPOOLGATE WORD...: pf_add_example after-queue
pf_add_after_queue_example() {
    pf_add_example after-queue "$@"
}

# pf_apply_recipe PLACEMENT RECIPE PROGRAM WORD...: apply the postconf
# recipe RECIPE (examples/PLACEMENT/postconf.sh, from the tree or as a
# package installed it) to this instance with recipe.py, which runs each of
# its postconf commands with "-c $PF_DIR/etc", changing only what must
# change here, as pf_add_example does: the ports 10025 and 10026 (the spawn
# service, content_filter=scan:..., smtpd_proxy_filter=..., the reinjection
# smtpd, spoolgate's next hop), the port-25 smtpd smtp/inet ->
# 127.0.0.1:$PF_SMTP_PORT/inet, user=spoolgate -> user=$PF_FILTER_USER, and
# "/usr/bin/spoolgate --config /etc/spoolgate/spoolgate.conf" -> PROGRAM
# followed by the words WORD... (in master.cf braces where they hold white
# space; with --pipe the next hop "127.0.0.1 PORT" goes before -f).
# recipe.py refuses a recipe in which one of these is missing, or which
# holds anything but postconf commands.
pf_apply_recipe() {
    local placement=$1 recipe=$2 prog=$3
    shift 3
    local np=${PF_NEXT_HOP_PORT:-$PF_REINJECT_PORT} words
    words=$(pf_master_words "$@")
    local subs=(
        "/usr/bin/spoolgate --config /etc/spoolgate/spoolgate.conf" "$prog$words"
        "user=spoolgate" "user=$PF_FILTER_USER"
        "127.0.0.1:10026" "127.0.0.1:$PF_REINJECT_PORT"
    )
    case "$placement" in
        after-queue) subs+=("[127.0.0.1]:10025" "[127.0.0.1]:$PF_FILTER_PORT") ;;
        before-queue) subs+=("smtp/inet/" "127.0.0.1:$PF_SMTP_PORT/inet/") ;;
        simple) subs+=("smtp/inet/" "127.0.0.1:$PF_SMTP_PORT/inet/" " --pipe --queue-id " " --pipe 127.0.0.1 $np --queue-id ") ;;
        *) pf_die "pf_apply_recipe: unknown placement $placement" ;;
    esac
    case "$placement" in
        after-queue | before-queue)
            subs+=("127.0.0.1:10025" "127.0.0.1:$PF_FILTER_PORT" "localhost 10026" "localhost $np") ;;
    esac
    "$PF_PYTHON" "$PF_LIB_DIR/recipe.py" apply "$PF_DIR/etc" "$recipe" "${subs[@]}" > "$PF_DIR/recipe.log" 2>&1 ||
        { cat "$PF_DIR/recipe.log" >&2; pf_die "$recipe could not be applied"; }
}

# pf_add_reinjection_smtpd: only the reinjection smtpd (127.0.0.1:10026,
# the entry with its -o lines) of examples/after-queue/master.cf, on
# $PF_REINJECT_PORT: the next hop for a spoolgate that Postfix does not
# start itself
pf_add_reinjection_smtpd() {
    local ex=$PF_SRC_DIR/examples/after-queue/master.cf
    {
        echo
        echo "# ---- the 127.0.0.1:10026 smtpd of examples/after-queue/master.cf (port substituted) ----"
        awk -v port="$PF_REINJECT_PORT" '
            /^[ \t]*#/ || /^[ \t]*$/ { if (on) on = 0; next }
            /^[^ \t]/ { on = ($1 == "127.0.0.1:10026") ; if (on) { sub(/^127\.0\.0\.1:10026/, "127.0.0.1:" port); print }; next }
            on { print }
        ' "$ex"
    } >> "$PF_DIR/etc/master.cf"
    # shellcheck disable=SC2015  # either grep failing is fatal
    grep -qE "^127\\.0\\.0\\.1:${PF_REINJECT_PORT}[[:space:]]+inet[[:space:]].*[[:space:]]smtpd\$" "$PF_DIR/etc/master.cf" &&
        grep -qE '^[[:space:]]+-o content_filter=$' "$PF_DIR/etc/master.cf" ||
        pf_die "examples/after-queue/master.cf: no '127.0.0.1:10026 inet ... smtpd' entry with '-o content_filter=' found"
}

# pf_start_sink: the final destination, 127.0.0.1:$PF_SINK_PORT, keeping
# each message in $PF_DIR/sink/NNNN.eml (+ .env). It ends by itself after
# PF_LIFETIME + 30 seconds.
pf_start_sink() {
    local i
    rm -f "$PF_DIR/sink.ready"
    "$PF_PYTHON" "$PF_LIB_DIR/sink.py" "$PF_DIR/sink" "$PF_SINK_PORT" $((PF_LIFETIME + 30)) \
        > "$PF_DIR/sink.log" 2>&1 < /dev/null &
    echo $! > "$PF_DIR/pids/sink"
    for ((i = 0; i < 100; i++)); do
        [ -s "$PF_DIR/sink.ready" ] && return 0
        kill -0 "$(cat "$PF_DIR/pids/sink")" 2> /dev/null || break
        sleep 0.1
    done
    cat "$PF_DIR/sink.log" >&2
    pf_die "the sink did not start on 127.0.0.1:$PF_SINK_PORT"
}

# pf_start: postfix check, postfix start, the watchdog; returns once the
# port-25 smtpd listens.
pf_start() {
    local d=$PF_DIR i
    postfix -c "$d/etc" check > "$d/postfix-check.log" 2>&1 < /dev/null ||
        { cat "$d/postfix-check.log" >&2; pf_die "postfix -c $d/etc check failed"; }
    # the watchdog: stops this instance when the test process is gone or
    # after PF_LIFETIME seconds, whichever comes first. Its own session and
    # process group (setsid), so that a test runner killing the test's group
    # does not take it along; it writes its PID (= its process group) itself.
    # shellcheck disable=SC2016  # expanded by the inner bash
    setsid bash -c '
        echo $$ > "$3/pids/watchdog"
        for ((i = 0; i < $2; i++)); do
            kill -0 "$4" 2> /dev/null || break
            sleep 1
        done
        PF_IN_WATCHDOG=1
        . "$1"
        PF_DIR=$3
        pf_stop "watchdog"
    ' _ "$PF_LIB_DIR/lib.sh" "$PF_LIFETIME" "$d" "$PF_TEST_PID" > "$d/watchdog.log" 2>&1 < /dev/null &
    for ((i = 0; i < 50; i++)); do [ -s "$d/pids/watchdog" ] && break; sleep 0.1; done
    [ -s "$d/pids/watchdog" ] || pf_die "the watchdog did not start"
    postfix -c "$d/etc" start > "$d/postfix-start.log" 2>&1 < /dev/null ||
        { cat "$d/postfix-start.log" >&2; pf_dump_maillog; pf_die "postfix -c $d/etc start failed"; }
    for ((i = 0; i < 100; i++)); do
        pf_port_free "$PF_SMTP_PORT" || return 0
        sleep 0.1
    done
    pf_dump_maillog
    pf_die "Postfix does not listen on 127.0.0.1:$PF_SMTP_PORT after 10 s"
}

# pf_start_bg NAME CMD...: run CMD in the background (a listener such as
# socat or systemd-socket-activate), its output in $PF_DIR/NAME.log; its PID
# goes to $PF_DIR/pids/bg-NAME, and pf_stop (also the watchdog's) ends it by
# that PID. Sets PF_BG_PID.
pf_start_bg() {
    local name=$1
    shift
    "$@" > "$PF_DIR/$name.log" 2>&1 < /dev/null &
    PF_BG_PID=$!
    echo "$PF_BG_PID" > "$PF_DIR/pids/bg-$name"
}

# pf_stop_bg NAME: end what pf_start_bg NAME started, by its PID
pf_stop_bg() {
    pf_stop_pidfile "$PF_DIR/pids/bg-$1"
}

# pf_stop_pidfile FILE: end the process whose PID FILE holds (a child of
# the test), then remove FILE: TERM, then KILL after 3 s
pf_stop_pidfile() {
    local f=$1 pid i
    [ -s "$f" ] || return 0
    pid=$(cat "$f")
    rm -f "$f"
    kill -TERM "$pid" 2> /dev/null
    for ((i = 0; i < 30; i++)); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2> /dev/null
    [ "${PF_IN_WATCHDOG:-0}" = 1 ] || wait "$pid" 2> /dev/null
    return 0
}

# pf_instance_pids: processes of this instance still alive: those with
# MAIL_CONFIG=$PF_DIR/etc in their environment (the master and its children,
# spawn(8)'s commands and their hooks included, since export_environment
# passes MAIL_CONFIG on) or $PF_DIR/ in their command line (spoolgate, whose
# --log-file is there). The caller's own process group (this shell, its
# commands, the sink) is left out.
pf_instance_pids() {
    local f pid own pgid
    own=$(awk '{ print $5 }' /proc/$$/stat)
    {
        grep -lzxF "MAIL_CONFIG=$PF_DIR/etc" /proc/[0-9]*/environ 2> /dev/null
        grep -lzF "$PF_DIR/" /proc/[0-9]*/cmdline 2> /dev/null
    } | while read -r f; do
        pid=${f#/proc/}
        pid=${pid%%/*}
        # /proc/PID/stat: "PID (COMM) STATE PPID PGRP ...", COMM may hold spaces
        pgid=$(sed -e 's/^.*) //' "/proc/$pid/stat" 2> /dev/null | awk '{ print $3 }')
        [ -n "$pgid" ] && [ "$pgid" != "$own" ] && echo "$pid"
    done | sort -un
}

# pf_stop [WHO]: stop what this instance started, and only that. Idempotent.
pf_stop() {
    local d=$PF_DIR who=${1:-test} i pid left
    [ -n "$d" ] && [ -d "$d/etc" ] || return 0
    if [ -s "$d/queue/pid/master.pid" ] && postfix -c "$d/etc" status > /dev/null 2>&1; then
        # "postfix stop" waits up to 5 s, then kills the master's process group
        postfix -c "$d/etc" stop > "$d/postfix-stop.log" 2>&1 < /dev/null
        for ((i = 0; i < 50; i++)); do
            postfix -c "$d/etc" status > /dev/null 2>&1 || break
            sleep 0.1
        done
    fi
    local f
    for f in "$d"/pids/bg-*; do
        [ -e "$f" ] && pf_stop_bg "${f#"$d"/pids/bg-}"
    done
    pf_stop_pidfile "$d/pids/sink"
    # anything of this instance still alive (a spoolgate or hook that
    # outlived the master): report it, then end it by its PID
    left=$(pf_instance_pids)
    if [ -n "$left" ]; then
        echo "$who: processes of this instance still running after postfix stop:" >> "$d/leftovers.log"
        for pid in $left; do
            ps -o pid=,ppid=,user=,args= -p "$pid" >> "$d/leftovers.log" 2> /dev/null
            kill -KILL "$pid" 2> /dev/null
        done
    fi
    if [ -s "$d/pids/watchdog" ] && [ "${PF_IN_WATCHDOG:-0}" = 0 ]; then
        pid=$(cat "$d/pids/watchdog")
        rm -f "$d/pids/watchdog"
        kill -TERM -- "-$pid" 2> /dev/null    # the watchdog's bash and its sleep
    fi
    [ "${PF_IN_WATCHDOG:-0}" = 1 ] && echo "watchdog stopped the instance in $d" >> "$d/watchdog.log"
    return 0
}

# maillog lines, for failure reports
pf_dump_maillog() {
    local n=${1:-60}
    if [ -s "$PF_DIR/maillog" ]; then
        echo "---- last $n lines of $PF_DIR/maillog ----" >&2
        tail -n "$n" "$PF_DIR/maillog" >&2
    else
        echo "---- $PF_DIR/maillog is empty or missing ----" >&2
    fi
}

# on failure: what the test saw, for the report
pf_dump_all() {
    pf_dump_maillog 80
    echo "---- $PF_DIR/spoolgate.log ----" >&2
    cat "$PF_DIR/spoolgate.log" >&2 2> /dev/null || echo "(none)" >&2
    echo "---- sink: envelopes in $PF_DIR/sink ----" >&2
    local f
    for f in "$PF_DIR"/sink/*.env; do
        [ -e "$f" ] || { echo "(no message reached the sink)" >&2; break; }
        echo "$f:" >&2
        sed 's/^/    /' "$f" >&2
    done
    echo "---- postqueue -j ----" >&2
    postqueue -c "$PF_DIR/etc" -j >&2 2> /dev/null || echo "(postqueue failed)" >&2
}

# checks shared by the tests: the sink's copies, the queue, the logs
# pf_sink_files_with MSGID: the sink's files holding Message-ID <MSGID>
pf_sink_files_with() {
    grep -lF -- "Message-ID: <$1>" "$PF_DIR"/sink/*.eml 2> /dev/null
}
pf_sink_has() { [ -n "$(pf_sink_files_with "$1")" ]; }
# pf_sink_files_to MSGID RCPT: the sink's files holding Message-ID <MSGID>
# delivered to RCPT (not the bounces, which quote the Message-ID too)
pf_sink_files_to() {
    local e
    for e in "$PF_DIR"/sink/*.env; do
        [ -e "$e" ] || return 0
        grep -q "^rcpt_to: <$2> " "$e" && grep -qF -- "Message-ID: <$1>" "${e%.env}.eml" && echo "${e%.env}.eml"
    done
}
pf_sink_count() { find "$PF_DIR/sink" -name '*.eml' | wc -l; }
# pf_queue_empty: nothing in any of Postfix's queues
pf_queue_empty() { [ -z "$(postqueue -c "$PF_DIR/etc" -j 2> /dev/null)" ]; }
# pf_queue_name QID: the queue QID is in (deferred, active, ...), or nothing
pf_queue_name() {
    postqueue -c "$PF_DIR/etc" -j 2> /dev/null | grep -F "\"queue_id\": \"$1\"" |
        grep -oE '"queue_name": "[a-z]+"' | sed 's/.*: "\(.*\)"/\1/'
}
pf_maillog_has() { grep -qE -- "$1" "$PF_DIR/maillog" 2> /dev/null; }
pf_maillog_count() { grep -cE -- "$1" "$PF_DIR/maillog" 2> /dev/null; }

# pf_submit FROM RCPTS FILE [MAIL-PARAM...]: send FILE through the port-25
# smtpd with submit.py (smtplib), within 120 s. PF_REPLY: the reply to the
# final "." (or to the command refused), on one line; PF_SUBMIT_STATUS: 0
# when it was 2xx.
pf_submit() {
    local from=$1 rcpts=$2 file=$3
    shift 3
    PF_REPLY=$(timeout 120 "$PF_PYTHON" "$PF_LIB_DIR/submit.py" "$PF_SMTP_PORT" "$from" "$rcpts" "$file" "$@" 2>&1)
    PF_SUBMIT_STATUS=$?
    PF_REPLY=$(tr '\n' ' ' <<< "$PF_REPLY" | sed 's/ *$//')
}

# pf_submit_queued FROM RCPTS FILE: pf_submit with BODY=8BITMIME, which
# Postfix must queue: sets QID (from "queued as QID" in the reply); a
# message not queued fails the test and ends it
pf_submit_queued() {
    pf_submit "$1" "$2" "$3" BODY=8BITMIME
    QID=$(sed -n 's/.*queued as \([0-9A-Za-z]\{1,\}\).*/\1/p' <<< "$PF_REPLY" | head -1)
    if [ "$PF_SUBMIT_STATUS" != 0 ] || [ -z "$QID" ]; then
        pf_fail "Postfix did not queue the message from <$1> to <$2>: $PF_REPLY"
        pf_finish
    fi
    pf_pass "submitted to Postfix's smtpd, <$1> to <$2>, queued as $QID ($PF_REPLY)"
}

# pf_expect_delivered_once MSGID SENT ADDED_HEADER RCPT SETTLE: the message
# reaches the sink within 30 s, exactly once (SETTLE more seconds for a
# duplicate to show up), byte-identical to SENT but for ADDED_HEADER, with
# envelope <sender@example.com> -> <RCPT>, and the queue empties. The sink's
# copy is left in PF_DELIVERED for further checks. Needs MSG (message.py).
pf_expect_delivered_once() {
    local msgid=$1 sent=$2 added=$3 rcpt=$4 settle=$5 files n
    PF_DELIVERED=
    if ! pf_wait 30 pf_sink_has "$msgid"; then
        pf_fail "the message did not reach the sink within 30 s"
        pf_finish
    fi
    pf_wait 30 pf_queue_empty || pf_fail "Postfix's queue is not empty 30 s after the delivery"
    sleep "$settle"     # a duplicate delivery would show up by now
    files=$(pf_sink_files_with "$msgid")
    n=$(wc -l <<< "$files")
    if [ "$n" = 1 ]; then
        pf_pass "delivered to the sink exactly once ($files)"
    else
        pf_fail "delivered $n times: $(tr '\n' ' ' <<< "$files")"
    fi
    PF_DELIVERED=${files%%$'\n'*}
    if $MSG compare "$sent" "$PF_DELIVERED" "$added" > "$PF_DIR/compare.txt"; then
        pf_pass "$(tr '\n' ';' < "$PF_DIR/compare.txt")"
    else
        pf_fail "the message arrived changed:"
        cat "$PF_DIR/compare.txt" >&2
    fi
    local env=${PF_DELIVERED%.eml}.env
    if grep -qx "mail_from: <sender@example.com> .*" "$env" && grep -q "^rcpt_to: <$rcpt>" "$env" &&
        [ "$(grep -c '^rcpt_to:' "$env")" = 1 ]; then
        pf_pass "envelope kept: $(grep -E '^(mail_from|rcpt_to):' "$env" | tr '\n' ' ')"
    else
        pf_fail "wrong envelope at the sink:"; cat "$env" >&2
    fi
}

# pf_expect_bounce MSGID REASON REJECTED-RCPT: within 30 s a bounce from <>
# to <sender@example.com> reaches the sink, quoting REASON (the hook's last
# stderr line, not its first, "scanning message") and the message; the queue
# empties; the rejected recipient never got the message. The bounce is left
# in PF_BOUNCE.
pf_expect_bounce() {
    local msgid=$1 reason=$2 rejected=$3 e
    bounce_at_sink() {
        local e
        for e in "$PF_DIR"/sink/*.env; do
            [ -e "$e" ] || return 1
            grep -qx 'mail_from: <> .*' "$e" && grep -q '^rcpt_to: <sender@example.com>' "$e" &&
                grep -qF "$reason" "${e%.env}.eml" &&
                grep -qF "$msgid" "${e%.env}.eml" && { PF_BOUNCE=${e%.env}.eml; return 0; }
        done
        return 1
    }
    PF_BOUNCE=
    if pf_wait 30 bounce_at_sink; then
        pf_pass "the bounce reached the sink, from <> to <sender@example.com>, quoting the reason: $PF_BOUNCE"
        grep -F "$reason" "$PF_BOUNCE" | head -3 | sed 's/^/    /' >&2
        if grep -qF "scanning message" "$PF_BOUNCE"; then
            pf_fail "the bounce quotes the hook's first stderr line too, not only the last"
        fi
    else
        pf_fail "no bounce to <sender@example.com> quoting '$reason' reached the sink within 30 s"
    fi
    pf_wait 30 pf_queue_empty || pf_fail "Postfix's queue is not empty 30 s after the bounce"
    for e in "$PF_DIR"/sink/*.env; do
        [ -e "$e" ] || break
        grep -q "^rcpt_to: <$rejected>" "$e" && pf_fail "the rejected message reached its recipient anyway: $e"
    done
}


PF_FAILED=0
pf_fail() { PF_FAILED=1; pf_log "FAIL: $*"; }
pf_pass() { pf_log "ok: $*"; }

# pf_wait SECONDS CMD...: run CMD every 0.2 s until it succeeds, at most
# SECONDS seconds; its status is the last one of CMD
pf_wait() {
    local limit=$(($1 * 5)) i
    shift
    for ((i = 0; i < limit; i++)); do
        "$@" && return 0
        sleep 0.2
    done
    "$@"
}

pf_on_exit() {
    local st=$?
    trap - EXIT
    [ -n "$PF_DIR" ] || exit "$st"
    pf_stop test
    if [ -s "$PF_DIR/leftovers.log" ]; then
        cat "$PF_DIR/leftovers.log" >&2
    fi
    if [ "$st" = 0 ] && [ "${PF_KEEP:-0}" != 1 ]; then
        rm -rf "${PF_DIR:?}"
    else
        pf_log "work directory kept: $PF_DIR"
    fi
    exit "$st"
}

# pf_finish: the test's verdict, after a dump on failure
pf_finish() {
    if [ "$PF_FAILED" != 0 ]; then
        pf_dump_all
        pf_log "FAILED"
        exit 1
    fi
    pf_log "PASSED"
    exit 0
}
