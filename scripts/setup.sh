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
    # The scanner daemons' packages would start their system services; the
    # tests start private ones instead (test/scanners/daemons.sh), so none
    # is started here: a policy-rc.d that denies every start, for the
    # install only, unless the machine has one of its own.
    policy=/usr/sbin/policy-rc.d
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\n# scripts/setup.sh: no service starts while it installs\nexit 101\n' > "$policy"
        chmod 755 "$policy"
        trap 'rm -f "$policy"' EXIT
    fi
    # build: meson, ninja, g++, fmt, Catch2 (v2),
    #        nlohmann-json (the rspamd hook's replies; header-only)
    # tests: postfix (private instances, spawn(8), pipe(8)), swaks, python3
    #        (the tests' final SMTP sink), perl (test hooks), procps, systemd
    #        (systemd-socket-activate: the per-connection and pool tests),
    #        libnss-systemd (Debian's "passwd: files systemd", which the
    #        static spoolgate must not load: session-name-services)
    # scanners suite: clamav-daemon, spamassassin + spamd, rspamd (each
    #        daemon started privately by the tests; about 15 s of the install
    #        on a fast mirror, no sa-compile: it is only Recommended)
    # package test: dpkg-dev debhelper fakeroot (dpkg-buildpackage), lintian,
    #        git (a clean checkout of HEAD), logrotate (the package's snippet)
    apt-get install -y -q --no-install-recommends \
        meson ninja-build g++ pkg-config libfmt-dev catch2 \
        nlohmann-json3-dev \
        postfix swaks python3 perl procps ca-certificates clang-14 libclang-rt-14-dev \
        clamav-daemon spamassassin spamd rspamd systemd libnss-systemd \
        dpkg-dev debhelper fakeroot lintian git logrotate
fi

cd "$here"
if [ -d "$builddir" ] && [ -f "$builddir/build.ninja" ]; then
    meson configure "$builddir" "$@" > /dev/null
else
    meson setup "$builddir" "$@"
fi
ninja -C "$builddir"
