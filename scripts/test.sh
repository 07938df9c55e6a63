#!/bin/bash
# scripts/test.sh - set everything up on a fresh Debian 12 machine, then run every test
#
#   bash scripts/test.sh            (as root)
#
# Suites: unit (Catch2), session (the built binary against a scripted next
# hop), postfix (the built binary behind real, private Postfix instances on
# loopback ports, started and stopped by the tests). The build directory is
# build-test; meson's log is build-test/meson-logs/testlog.txt.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
bash scripts/setup.sh build-test
# spoolgate runs as nobody under Postfix: the tree must be readable by it
chmod -R a+rX "$here" 2>/dev/null || true
meson test -C build-test --print-errorlogs --num-processes 2 "$@"
