#!/bin/bash
# scripts/demo.sh - see spoolgate work, with nothing but this repository
#
#   bash scripts/demo.sh            (as root, on a fresh Debian 12 machine)
#
# Installs what it needs, builds, starts a throwaway next hop on a loopback
# port (the fake next hop of the tests), and pipes each transcript of
# examples/transcripts through spoolgate, first as the null filter, then
# with the example hook examples/hooks/check-example, then with the shipped
# ClamAV hook against a clamd of its own (started privately, with a
# signature database that detects the EICAR test file, as the tests do).
# For each run it shows what spoolgate answered and what the next hop
# received.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
bash scripts/setup.sh build -Dpostfix_tests=false
chmod -R a+rX "$here" 2>/dev/null || true

work=$(mktemp -d /tmp/spoolgate-demo.XXXXXX)
chmod 755 "$work"
hop_pid=
# shellcheck source=test/scanners/daemons.sh
. "$here/test/scanners/daemons.sh"
cleanup() {
    stop_daemons 2>/dev/null || true
    touch "$work/hop/stop" 2>/dev/null || true
    [ -n "$hop_pid" ] && wait "$hop_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

# spoolgate never runs as root: as root, it switches to --user nobody
as_user=()
[ "$(id -u)" = 0 ] && as_user=(--user nobody)

run() {   # run TITLE TRANSCRIPT SPOOLGATE-OPTIONS...
    local title=$1 transcript=$2
    shift 2
    mkdir -p "$work/hop"
    rm -f "$work/hop"/*
    build/test/session/fake-next-hop "$work/hop" 60 &
    hop_pid=$!
    for _ in $(seq 50); do [ -s "$work/hop/port" ] && break; sleep 0.1; done
    local port
    port=$(cat "$work/hop/port")
    echo
    echo "=================================================================="
    echo "== $title: $(basename "$transcript")"
    echo "== spoolgate ${*} 127.0.0.1 $port < $transcript"
    echo "------------------------------------------------ spoolgate answered"
    build/spoolgate "${as_user[@]}" --log stderr "$@" 127.0.0.1 "$port" < "$transcript" 2>"$work/log" || true
    echo "------------------------------------------------ log"
    cat "$work/log"
    echo "------------------------------------------------ the next hop received"
    sed 's/^/    /' "$work/hop/commands.log" 2>/dev/null || true
    local m
    for m in "$work/hop"/message-*.eml; do
        [ -e "$m" ] || { echo "    (no message)"; break; }
        echo "  -- $(basename "$m"):"
        sed 's/\r$//; s/^/    | /' "$m"
    done
    touch "$work/hop/stop"
    wait "$hop_pid" 2>/dev/null || true
    hop_pid=
}

for t in examples/transcripts/*.txt; do
    run "null filter" "$t"
    run "with examples/hooks/check-example" "$t" --hook "$here/examples/hooks/check-example" \
        --add-header "X-Filtered-By: spoolgate demo"
done
# scan - the two transcripts through the ClamAV hook and a private clamd
scan() {
    if ! have_clamd; then
        echo; echo "== no scan shown: clamd is not installed (apt-get install clamav-daemon)"
        return
    fi
    scan_daemons_init "$work/daemons"
    if ! start_clamd; then
        echo; echo "== no scan shown: the private clamd did not start (its log is above)"
        return
    fi
    local t
    for t in examples/transcripts/simple.txt examples/transcripts/eicar.txt; do
        run "with the ClamAV hook ($CLAMD_SOCKET)" "$t" --hook "$here/build/clamav --clamd unix:$CLAMD_SOCKET" \
            --add-header "X-Filtered-By: spoolgate demo"
    done
    stop_clamd
}
scan

echo
echo "demo done: see man/spoolgate.8 (man -l man/spoolgate.8) for the whole story"
