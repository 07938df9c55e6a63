#!/bin/bash
# test/session/name_services_test.sh -- the statically linked spoolgate looks
# names up without loading a name-service module (include/spoolgate/
# name_services.h), under Debian's own nsswitch.conf with libnss-systemd:
# "passwd: files systemd". The test gives spoolgate that file, and "systemd"
# in every other line it reads, in a private mount namespace:
#
#   1. as root, --user naming no user: "unknown user" on stderr and in the
#      log, exit 78 (a static glibc that loaded libnss_systemd crashed there:
#      SIGSEGV, no greeting, no reason for Postfix or the log)
#   2. as root, --user nobody, next hop "localhost": the next hop's name is
#      found, spoolgate greets and relays EHLO and QUIT
#
#   name_services_test.sh SPOOLGATE FAKE_NEXT_HOP
#
# Exit: 0 pass, 1 fail, 77 skip (not root, no unshare, or no libnss_systemd).
set -u
SPOOLGATE=$1 FAKE_NEXT_HOP=$2

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }
[ "$(id -u)" = 0 ] || skip "needs root (a private mount namespace)"
command -v unshare > /dev/null || skip "no unshare"
ls /usr/lib/*/libnss_systemd.so.2 /lib/*/libnss_systemd.so.2 > /dev/null 2>&1 ||
    skip "no libnss_systemd.so.2 (package libnss-systemd)"

W=$(mktemp -d /tmp/sg-nss.XXXXXX)
hop_pid=
cleanup() {
    [ -n "$hop_pid" ] && kill "$hop_pid" 2> /dev/null
    rm -rf "$W"
}
trap cleanup EXIT
chmod 755 "$W"
printf '%s\n' 'passwd: files systemd' 'group: files systemd' 'shadow: files systemd' \
    'hosts: files systemd dns' 'services: systemd files' > "$W/nsswitch.conf"

# in_namespace COMMAND...: COMMAND with $W/nsswitch.conf as /etc/nsswitch.conf
in_namespace() {
    unshare --mount --propagation private -- /bin/sh -c \
        'mount --bind "$0" /etc/nsswitch.conf && exec "$@"' "$W/nsswitch.conf" "$@"
}
unshare --mount --propagation private -- true 2> /dev/null || skip "unshare --mount not permitted here"

# 1. an unknown --user (stdin a pipe: the cause goes to stderr and the log)
out=$(in_namespace "$SPOOLGATE" --user no-such-user-spoolgate --log-file "$W/1.log" \
    localhost 1 < /dev/null 2>&1)
rc=$?
echo "1. exit $rc, said: $out"
[ "$rc" = 78 ] || fail "unknown --user: exit $rc, not 78 (139 is SIGSEGV)"
case $out in
    *"unknown user 'no-such-user-spoolgate'"*) ;;
    *) fail "unknown --user: stderr does not name the user" ;;
esac
grep -q "fatal: --user: unknown user 'no-such-user-spoolgate'" "$W/1.log" ||
    fail "unknown --user: not logged"

# 2. the next hop by name
mkdir "$W/hop" && chmod 777 "$W/hop"
"$FAKE_NEXT_HOP" "$W/hop" 30 &
hop_pid=$!
for _ in $(seq 100); do [ -s "$W/hop/port" ] && break; sleep 0.1; done
[ -s "$W/hop/port" ] || fail "the fake next hop did not start"
out=$(printf 'EHLO client.test\r\nQUIT\r\n' | in_namespace "$SPOOLGATE" --user nobody \
    --log-file "$W/2.log" localhost "$(cat "$W/hop/port")" 2> /dev/null)
rc=$?
echo "2. exit $rc, said: $(echo "$out" | tr -d '\r' | tr '\n' '|')"
[ "$rc" = 0 ] || fail "next hop localhost: exit $rc"
case $out in
    "220 "*"221 "*) ;;
    *) fail "next hop localhost: no greeting and 221" ;;
esac
grep -q '^EHLO' "$W/hop/commands.log" || fail "the next hop got no EHLO"
echo PASS
