#!/bin/bash
# scripts/setup.sh - install what spoolgate needs on Debian 12, and build it
#
#   bash scripts/setup.sh [BUILDDIR] [MESON-OPTIONS...]
#
# Run as root on a fresh Debian 12 machine (it uses apt-get). Postfix is
# installed as "No configuration": the tests run private instances of their
# own and never touch /etc/postfix. Set SKIP_APT=1 to skip the packages.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
builddir=${1:-build}
shift || true

if [ "${SKIP_APT:-0}" != 1 ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "setup.sh: run as root (it installs Debian packages), or set SKIP_APT=1" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
    apt-get update -q
    # build: meson, ninja, g++, Boost.Program_options, fmt, Catch2 (v2)
    # tests: postfix (private instances, spawn(8), pipe(8)), swaks, python3
    #        (the tests' final SMTP sink), perl (test hooks), procps
    # package test: dpkg-dev debhelper fakeroot (dpkg-buildpackage), lintian,
    #        git (a clean checkout of HEAD), logrotate (the package's snippet);
    #        nlohmann-json3-dev is the scanner hooks' build dependency
    apt-get install -y -q --no-install-recommends \
        meson ninja-build g++ pkg-config libboost-program-options-dev libfmt-dev catch2 \
        postfix swaks python3 perl procps ca-certificates clang-14 libclang-rt-14-dev \
        dpkg-dev debhelper fakeroot lintian git logrotate nlohmann-json3-dev
fi

cd "$here"
if [ -d "$builddir" ] && [ -f "$builddir/build.ninja" ]; then
    meson configure "$builddir" "$@" > /dev/null
else
    meson setup "$builddir" "$@"
fi
ninja -C "$builddir"
