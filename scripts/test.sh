#!/bin/bash
# scripts/test.sh - set everything up on a fresh Debian 12 machine, then run every test
#
#   bash scripts/test.sh            (as root)
#
# 1. build-test: the whole suite: unit (Catch2), session (the built binary
#    against a scripted next hop), postfix (the built binary behind real,
#    private Postfix instances on loopback ports, started and stopped by the
#    tests), fuzz (short bounded libFuzzer runs).
# 2. build-asan: the unit and session suites again, with AddressSanitizer and
#    UndefinedBehaviorSanitizer (any report fails the test: spoolgate's
#    stderr is the test's socket, where only SMTP replies may appear).
# Meson's logs: build-*/meson-logs/testlog.txt. Exit status: non-zero if any
# test failed.
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
bash scripts/setup.sh build-test || exit 1
# spoolgate runs as nobody under Postfix: the tree must be readable by it
chmod -R a+rX "$here" 2>/dev/null || true
rc=0
meson test -C build-test --print-errorlogs --num-processes 2 "$@" || rc=1

SKIP_APT=1 bash scripts/setup.sh build-asan -Db_sanitize=address,undefined -Db_lundef=false \
    -Dpostfix_tests=false || exit 1
ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    meson test -C build-asan --print-errorlogs --num-processes 2 --suite unit --suite session || rc=1
exit $rc
