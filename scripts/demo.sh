#!/bin/bash
# scripts/demo.sh - see spoolgate work, with nothing but this repository
#
#   bash scripts/demo.sh            (as root, on a fresh Debian 12 machine)
#
# Installs what it needs, builds, starts a throwaway next hop on a loopback
# port (the fake next hop of the tests), and pipes each transcript of
# examples/transcripts through spoolgate, first as the null filter, then
# with the example hook examples/hooks/check-example. For each run it shows
# what spoolgate answered and what the next hop received.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
bash scripts/setup.sh build -Dpostfix_tests=false
chmod -R a+rX "$here" 2>/dev/null || true

work=$(mktemp -d /tmp/spoolgate-demo.XXXXXX)
chmod 755 "$work"
hop_pid=
cleanup() {
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
echo
echo "demo done: see man/spoolgate.8 (man -l man/spoolgate.8) for the whole story"
