#!/bin/bash
# test/postfix/package_test.sh -- the Debian package, built, checked,
# installed on this machine, run behind a real Postfix, removed, purged and
# installed again (suite 'package').
#
#   package_test.sh [SOURCE_DIR]
#
# 1. build: a clean checkout of SOURCE_DIR's HEAD (git archive: what is
#    committed, not the work tree) becomes the source package (dpkg-source
#    -b: the .dsc) and the binary one (dpkg-buildpackage -us -uc -b, as the
#    README says; DEB_BUILD_OPTIONS=nocheck unless PKG_BUILD_OPTIONS says
#    otherwise, since CI runs the unit and session suites already). The
#    .deb holds every file meson installs (meson introspect), and the
#    package's version is meson's.
# 2. lintian on the .dsc and the .changes (the .deb in it): no error and no
#    warning but the one overridden, with its reason, in
#    debian/spoolgate.lintian-overrides (the static PIE taken for a shared
#    library).
# 3. dpkg -i: the system user and group spoolgate, the quarantine
#    directory (0700, spoolgate), the log directory (2750, spoolgate:adm),
#    the conffiles.
# 4. A private Postfix instance (lib.sh: loopback ports, its own config
#    directory) gets the after-queue postconf recipe AS INSTALLED
#    (/usr/share/doc/spoolgate/examples/after-queue/postconf.sh), ports
#    substituted, the installed /usr/bin/spoolgate run as user spoolgate
#    with --config /etc/spoolgate/spoolgate.conf, plus --hook (the installed
#    examples/hooks/check-example, which rejects the EICAR test string),
#    --log-file in /var/log/spoolgate and --add-header. A clean message is
#    delivered once; three EICAR messages are bounced and quarantined in
#    /var/lib/spoolgate/quarantine (the conffile's quarantine-dir).
#    spoolgate-quarantine (as user spoolgate): list shows them, show prints
#    one, release delivers it once with its original envelope, delete
#    removes another, expire 0 removes what is left. These steps are
#    skipped, and say so, while the package has no
#    /usr/sbin/spoolgate-quarantine (the one marked check below).
#    logrotate with the installed /etc/logrotate.d/spoolgate: the log is
#    renamed, and the next spoolgate makes a new one.
# 5. dpkg --remove keeps the user, the quarantine and the conffile; dpkg
#    --purge removes the user and group, /var/lib/spoolgate,
#    /var/log/spoolgate and /etc/spoolgate; installing again works, and the
#    last purge leaves the machine as the test found it.
#
# Skipped (exit 77, with the reason) without root, postfix, the Debian
# build tools (dpkg-buildpackage, debhelper, lintian, git) or a git
# checkout; and where the machine already has a spoolgate package, user,
# group or installed file, which this test would replace and purge.
# Missing build dependencies (debian/control) fail it: scripts/setup.sh
# installs them. Only what it started is stopped, by PID (lib.sh); if it
# fails half way, the package is purged all the same. PF_KEEP=1 keeps the
# work directory and the build directory.
# Exit: 0 pass, 1 fail, 77 skip.
# shellcheck disable=SC2317,SC2015  # check functions run through pf_wait; pf_pass never fails
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=test/postfix/lib.sh
. "$HERE/lib.sh"
SRC=${1:-$PF_SRC_DIR}
PF_NAME=package
PF_SRC_DIR=$SRC
PKG=spoolgate
QDIR=/var/lib/spoolgate/quarantine
LOGDIR=/var/log/spoolgate
CONF=/etc/spoolgate/spoolgate.conf
EXAMPLES=/usr/share/doc/spoolgate/examples
TOOL=/usr/sbin/spoolgate-quarantine
BUILD=
INSTALLED=0
T0=$SECONDS

skip() { echo "SKIP: $*"; exit 77; }
elapsed() { echo "$((SECONDS - T0)) s"; }

# ---- can it run here? ----
pf_require_root_and_postfix
for p in git dpkg-buildpackage dpkg-source dh lintian; do
    command -v "$p" > /dev/null 2>&1 ||
        skip "$p not found: the package test needs dpkg-dev, debhelper, lintian and git (scripts/setup.sh installs them)"
done
# git of the tree under test, whoever owns the clone (safe.directory)
src_git() { git -c safe.directory="$SRC" -C "$SRC" "$@"; }
src_git rev-parse --verify -q HEAD > /dev/null 2>&1 ||
    skip "$SRC is not a git checkout ($(src_git rev-parse HEAD 2>&1 | head -1)): the package is built from a clean checkout of HEAD"
if dpkg-query -W -f='${Status}' "$PKG" 2> /dev/null | grep -qv 'not-installed'; then
    skip "a $PKG package is installed here ($(dpkg-query -W -f='${Status} ${Version}' "$PKG")): this test would replace and purge it"
fi
for f in /usr/bin/spoolgate "$TOOL" /etc/spoolgate /var/lib/spoolgate "$LOGDIR" /usr/share/doc/spoolgate; do
    [ -e "$f" ] && skip "$f exists (not from the package): this test would replace it, then purge it"
done
getent passwd spoolgate > /dev/null && skip "a user spoolgate exists: the package's purge would remove it"
getent group spoolgate > /dev/null && skip "a group spoolgate exists: the package's purge would remove it"

# pkg_on_exit: purge what the test installed, remove the build directory,
# then lib.sh's own end (stop the instance, keep or remove its directory)
pkg_on_exit() {
    local st=$?
    pf_stop test
    if [ "$INSTALLED" = 1 ]; then
        dpkg --purge "$PKG" > "${BUILD:-/tmp}/purge-on-exit.log" 2>&1 ||
            { echo "package_test: dpkg --purge $PKG failed:" >&2; cat "${BUILD:-/tmp}/purge-on-exit.log" >&2; }
    fi
    if [ -n "$BUILD" ] && { [ "$st" = 0 ] && [ "${PF_KEEP:-0}" != 1 ]; }; then
        rm -rf "$BUILD"
    elif [ -n "$BUILD" ]; then
        echo "package_test: build directory kept: $BUILD" >&2
    fi
    (exit "$st")
    pf_on_exit
}
trap 'pkg_on_exit' EXIT
trap 'exit 143' TERM
trap 'exit 130' INT
trap 'exit 129' HUP

# ---- 1. build ----
BUILD=$(mktemp -d "${TMPDIR:-/tmp}/spoolgate-pkgtest.XXXXXX") || pf_die "mktemp failed"
commit=$(src_git rev-parse --short HEAD)
src_git archive --prefix=checkout/ HEAD | tar -x -C "$BUILD" || pf_die "git archive HEAD failed"
VERSION=$(cd "$BUILD/checkout" && dpkg-parsechangelog -S Version) || pf_die "no version in debian/changelog"
MESON_VERSION=$(sed -n "s/^ *version *: *'\\([^']*\\)'.*/\\1/p" "$BUILD/checkout/meson.build" | head -1)
mv "$BUILD/checkout" "$BUILD/$PKG-$VERSION"
TREE=$BUILD/$PKG-$VERSION
if [ "$VERSION" = "$MESON_VERSION" ]; then
    pf_pass "HEAD $commit checked out; version $VERSION in debian/changelog and meson.build"
else
    pf_fail "debian/changelog says $VERSION, meson.build $MESON_VERSION"
fi
(cd "$TREE" && dpkg-checkbuilddeps) > "$BUILD/builddeps.log" 2>&1 ||
    pf_die "build dependencies missing (scripts/setup.sh installs them): $(cat "$BUILD/builddeps.log")"
(cd "$BUILD" && dpkg-source -b "$PKG-$VERSION") > "$BUILD/source.log" 2>&1 ||
    { cat "$BUILD/source.log" >&2; pf_die "dpkg-source -b failed"; }
t=$SECONDS
if (cd "$TREE" && DEB_BUILD_OPTIONS="${PKG_BUILD_OPTIONS:-nocheck} parallel=$(nproc)" \
    dpkg-buildpackage -us -uc -b) > "$BUILD/build.log" 2>&1 < /dev/null; then
    pf_pass "dpkg-buildpackage -us -uc -b: built in $((SECONDS - t)) s ($(cd "$BUILD" && echo ./*.deb))"
else
    tail -40 "$BUILD/build.log" >&2
    pf_die "dpkg-buildpackage -us -uc -b failed (log: $BUILD/build.log)"
fi
ARCH=$(dpkg --print-architecture)
DEB=$BUILD/${PKG}_${VERSION}_$ARCH.deb
CHANGES=$BUILD/${PKG}_${VERSION}_$ARCH.changes
DSC=$BUILD/${PKG}_$VERSION.dsc
for f in "$DEB" "$CHANGES" "$DSC"; do [ -s "$f" ] || pf_die "$f was not made"; done

# the .deb holds every file meson installs (the programs, the hooks, the
# manual pages compressed, the examples), and the package's own files
dpkg-deb -c "$DEB" | awk '{ print $NF }' | sed -e 's#^\.##' -e 's#\(.\)/$#\1#' > "$BUILD/contents"
missing=$("$PF_PYTHON" - "$TREE"/obj-*/meson-info/intro-installed.json "$BUILD/contents" <<'EOF'
import json, sys
installed = json.load(open(sys.argv[1])).values()
have = set(open(sys.argv[2]).read().split())
for dest in sorted(installed):
    if not ({dest, dest + ".gz"} & have):
        print(dest)
EOF
)
n=$("$PF_PYTHON" -c 'import json, sys; print(len(json.load(open(sys.argv[1]))))' "$TREE"/obj-*/meson-info/intro-installed.json)
if [ -z "$missing" ] && [ "$n" -gt 0 ]; then
    pf_pass "the .deb holds all $n files meson installs"
else
    pf_fail "files meson installs but the .deb lacks: $(tr '\n' ' ' <<< "$missing")"
fi
for f in /usr/bin/spoolgate /usr/share/man/man8/spoolgate.8.gz "$CONF" "$EXAMPLES/after-queue/postconf.sh" \
    "$EXAMPLES/hooks/check-example" /etc/logrotate.d/spoolgate /etc/cron.daily/spoolgate \
    /lib/systemd/system/spoolgate-quarantine.timer /lib/systemd/system/spoolgate-quarantine.service; do
    grep -qxF "$f" "$BUILD/contents" || pf_fail "the .deb has no $f"
done

# /usr/bin/spoolgate is a static PIE (no dynamic loader at each spawn(8)
# start), and the package says which glibc is in it
dpkg-deb -x "$DEB" "$BUILD/unpacked"
if file -L "$BUILD/unpacked/usr/bin/spoolgate" | grep -q 'static-pie linked'; then
    pf_pass "/usr/bin/spoolgate in the .deb is a static PIE"
else
    pf_fail "/usr/bin/spoolgate in the .deb is not a static PIE: $(file -L "$BUILD/unpacked/usr/bin/spoolgate")"
fi
built_using=$(dpkg-deb -f "$DEB" Built-Using)
case $built_using in
    "glibc (= "*")") pf_pass "Built-Using: $built_using" ;;
    *) pf_fail "Built-Using names no glibc: '$built_using'" ;;
esac

# ---- 2. lintian ----
t=$SECONDS
if lintian --fail-on error,warning --display-info "$DSC" "$CHANGES" > "$BUILD/lintian.log" 2>&1; then
    pf_pass "lintian: no error, no warning on the .dsc, the .changes and the .deb ($((SECONDS - t)) s)$(grep -vE '^running with root' "$BUILD/lintian.log" | sed 's/^/; /' | tr -d '\n')"
else
    pf_fail "lintian (--fail-on error,warning):"
    cat "$BUILD/lintian.log" >&2
fi

# ---- 3. install ----
INSTALLED=1
dpkg -i "$DEB" > "$BUILD/install.log" 2>&1 || { cat "$BUILD/install.log" >&2; pf_die "dpkg -i failed"; }
# check_installed WHEN: what postinst makes, and the conffiles
check_installed() {
    local uid st
    uid=$(getent passwd spoolgate | cut -d: -f3)
    if [ -n "$uid" ] && [ "$uid" -lt 1000 ] && getent group spoolgate > /dev/null &&
        [ "$(id -gn spoolgate)" = spoolgate ]; then
        pf_pass "$1: system user spoolgate (uid $uid, $(getent passwd spoolgate | cut -d: -f6,7)), group spoolgate"
    else
        pf_fail "$1: no system user spoolgate with group spoolgate: $(getent passwd spoolgate) / $(getent group spoolgate)"
    fi
    for st in "$QDIR:700:spoolgate:spoolgate" "$LOGDIR:2750:spoolgate:adm"; do
        if [ "$(stat -c '%n:%a:%U:%G' "${st%%:*}" 2> /dev/null)" = "$st" ]; then
            pf_pass "$1: ${st%%:*} (mode ${st#*:})"
        else
            pf_fail "$1: want ${st%%:*} as $st, got $(stat -c '%n:%a:%U:%G' "${st%%:*}" 2>&1)"
        fi
    done
    local cf
    cf=$(dpkg-query -W -f='${Conffiles}' "$PKG" | awk '{ print $1 }' | sort | tr '\n' ' ')
    [ "$cf" = "/etc/cron.daily/spoolgate /etc/logrotate.d/spoolgate $CONF " ] &&
        pf_pass "$1: conffiles $cf" || pf_fail "$1: conffiles are '$cf'"
    /usr/bin/spoolgate --version > /dev/null 2>&1 || pf_fail "$1: /usr/bin/spoolgate --version fails"
}
check_installed "dpkg -i"

# ---- 4. behind a private Postfix, as user spoolgate ----
# shellcheck disable=SC2034  # read by lib.sh
PF_FILTER_USER=spoolgate SPOOLGATE=/usr/bin/spoolgate
pf_test_paths package
pf_init package
trap 'pkg_on_exit' EXIT    # pf_init set lib.sh's own
W=$PF_DIR/work
SGLOG=$LOGDIR/spoolgate.log
pf_write_base_config
pf_apply_recipe after-queue "$EXAMPLES/after-queue/postconf.sh" "/usr/bin/spoolgate --config $CONF" \
    "--hook=$EXAMPLES/hooks/check-example" "--log-file=$SGLOG" "--add-header=$ADDED_HEADER"
pf_pass "the installed after-queue recipe applied: $(postconf -c "$PF_DIR/etc" -M | grep -E ' spawn ' | tr -s ' ')"
pf_start_sink
pf_start

msgid="package-clean.$$.$RANDOM@test.example.com"
$MSG make "$W/clean.eml" "$msgid" "spoolgate package test"
pf_submit_queued sender@example.com rcpt@example.net "$W/clean.eml"
pf_expect_delivered_once "$msgid" "$W/clean.eml" "$ADDED_HEADER" rcpt@example.net 1
# made by spoolgate: its owner, the directory's group (setgid), not for others
if [[ "$(stat -c '%U:%G:%a' "$SGLOG" 2> /dev/null)" == spoolgate:adm:6[04]0 ]] &&
    grep -qE "spoolgate\\[[0-9]+\\]: $QID: from=<sender@example.com>, to=<rcpt@example.net>, .*verdict=accept" "$SGLOG"; then
    pf_pass "$SGLOG ($(stat -c '%U:%G:%a' "$SGLOG")): $(grep -F "$QID: " "$SGLOG" | head -1)"
else
    pf_fail "no accept line for $QID in $SGLOG ($(stat -c '%U:%G:%a' "$SGLOG" 2>&1)): $(cat "$SGLOG" 2>&1)"
fi

# three messages with the EICAR test string: check-example rejects them,
# Postfix bounces them, spoolgate keeps each in the quarantine
declare -A QMSGID QFILE
for tag in a b c; do
    QMSGID[$tag]="package-eicar-$tag.$$.$RANDOM@test.example.com"
    $MSG make "$W/eicar-$tag.eml" "${QMSGID[$tag]}" "spoolgate package test, EICAR $tag"
    # shellcheck disable=SC2016  # the test string, as it is
    printf '%s\r\n' 'X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*' >> "$W/eicar-$tag.eml"
    pf_submit_queued sender@example.com "eicar-$tag@example.net" "$W/eicar-$tag.eml"
done
quarantined() { [ "$(find "$QDIR" -type f | wc -l)" -ge 3 ]; }
pf_wait 30 quarantined || pf_fail "$(find "$QDIR" -type f | wc -l) files in $QDIR 30 s after, want 3"
for tag in a b c; do
    QFILE[$tag]=$(grep -lF "Message-ID: <${QMSGID[$tag]}>" "$QDIR"/* 2> /dev/null | head -1)
    f=${QFILE[$tag]}
    if [ -n "$f" ] && [ "$(stat -c '%U:%a' "$f")" = spoolgate:600 ] &&
        grep -qx 'X-Envelope-From: <sender@example.com>' "$f" && grep -qx "X-Envelope-To: <eicar-$tag@example.net>" "$f"; then
        pf_pass "EICAR $tag quarantined: $f (spoolgate, 0600, its envelope first)"
    else
        pf_fail "EICAR $tag: no quarantine file of spoolgate's, 0600, with X-Envelope-From/To (${f:-none})"
    fi
done
pf_expect_bounce "${QMSGID[a]}" "EICAR test virus" eicar-a@example.net
grep -qE "verdict=reject, .*reply=\\(550 5\\.7\\.1 Message rejected: it contains the EICAR test virus\\)" "$SGLOG" &&
    pf_pass "spoolgate logged the rejects: $(grep -c 'verdict=reject' "$SGLOG") lines" ||
    pf_fail "no 'verdict=reject ... reply=(550 5.7.1 Message rejected: it contains the EICAR test virus)' in $SGLOG"

# ---- the quarantine tool ----
[ -x "$TOOL" ] || pf_fail "the package has no $TOOL"
sgq() { runuser -u spoolgate -- "$TOOL" --config "$CONF" --next-hop "127.0.0.1:$PF_REINJECT_PORT" "$@"; }
sgq list > "$W/list.txt" 2>&1 || pf_fail "spoolgate-quarantine list failed: $(cat "$W/list.txt")"
for tag in a b c; do
    grep -qF "$(basename "${QFILE[$tag]}")" "$W/list.txt" && grep -qF "eicar-$tag@example.net" "$W/list.txt" ||
        pf_fail "spoolgate-quarantine list does not show $(basename "${QFILE[$tag]}") (eicar-$tag): $(cat "$W/list.txt")"
done
pf_pass "spoolgate-quarantine list: $(tr '\n' '|' < "$W/list.txt")"
ida=$(basename "${QFILE[a]}") idb=$(basename "${QFILE[b]}")
sgq show "$ida" > "$W/show.txt" 2>&1 && grep -qF "Message-ID: <${QMSGID[a]}>" "$W/show.txt" &&
    pf_pass "spoolgate-quarantine show $ida prints the message" ||
    pf_fail "spoolgate-quarantine show $ida: $(head -5 "$W/show.txt")"
# release: to the next hop with the stored envelope, past the hook
if sgq release "$ida" > "$W/release.txt" 2>&1; then
    pf_pass "spoolgate-quarantine release $ida: $(tr '\n' ' ' < "$W/release.txt")"
else
    pf_fail "spoolgate-quarantine release $ida failed: $(cat "$W/release.txt")"
fi
released() { [ -n "$(pf_sink_files_to "${QMSGID[a]}" eicar-a@example.net)" ]; }
pf_wait 30 released || pf_fail "the released message did not reach eicar-a@example.net within 30 s"
pf_wait 30 pf_queue_empty || pf_fail "Postfix's queue is not empty 30 s after the release"
sleep 1
files=$(pf_sink_files_to "${QMSGID[a]}" eicar-a@example.net)
env=${files%%.eml*}.env
if [ "$(grep -c . <<< "$files")" = 1 ] && grep -qx 'mail_from: <sender@example.com> .*' "$env" &&
    [ "$(grep -c '^rcpt_to:' "$env")" = 1 ] && grep -qF 'EICAR-STANDARD-ANTIVIRUS-TEST-FILE' "$files"; then
    pf_pass "released: delivered once, unscanned, envelope $(grep -E '^(mail_from|rcpt_to):' "$env" | tr '\n' ' ')"
else
    pf_fail "the released message: delivered $(grep -c . <<< "$files") times; first envelope: $(tr '\n' ' ' < "$env" 2>&1)"
fi
sgq delete "$idb" > "$W/delete.txt" 2>&1 && [ ! -e "$QDIR/$idb" ] &&
    pf_pass "spoolgate-quarantine delete $idb: gone" ||
    pf_fail "spoolgate-quarantine delete $idb: $(cat "$W/delete.txt"); still there: $(ls "$QDIR")"
sgq expire 0 > "$W/expire.txt" 2>&1 && [ -z "$(find "$QDIR" -mindepth 1)" ] &&
    pf_pass "spoolgate-quarantine expire 0: $QDIR is empty" ||
    pf_fail "spoolgate-quarantine expire 0: $(cat "$W/expire.txt"); left: $(ls "$QDIR")"

# ---- log rotation, as /etc/logrotate.d/spoolgate says ----
# (once no spoolgate runs: one still running would end its lines in the
# renamed file, by design)
no_spoolgate() { ! pgrep -u spoolgate > /dev/null; }
if command -v logrotate > /dev/null 2>&1; then
    pf_wait 20 no_spoolgate || pf_fail "processes of user spoolgate still run: $(pgrep -a -u spoolgate | tr '\n' ';')"
    if logrotate -f -s "$W/logrotate.state" /etc/logrotate.d/spoolgate > "$W/logrotate.log" 2>&1 &&
        [ -s "$SGLOG.1" ] && [ ! -e "$SGLOG" ]; then
        pf_pass "logrotate: $SGLOG renamed to $SGLOG.1, none made in its place"
    else
        pf_fail "logrotate: $(cat "$W/logrotate.log"); $(ls -l "$LOGDIR")"
    fi
    msgid="package-after-rotation.$$.$RANDOM@test.example.com"
    $MSG make "$W/clean2.eml" "$msgid" "after the rotation"
    pf_submit_queued sender@example.com rcpt2@example.net "$W/clean2.eml"
    pf_wait 30 pf_sink_has "$msgid" || pf_fail "the message after the rotation did not reach the sink"
    pf_wait 10 grep -qF "$QID: from=<sender@example.com>, to=<rcpt2@example.net>" "$SGLOG" &&
        pf_pass "the next spoolgate made a new $SGLOG ($(stat -c '%U:%G:%a' "$SGLOG")) for its line" ||
        pf_fail "no new $SGLOG with the line of $QID: $(ls -l "$LOGDIR")"
else
    pf_log "note: no logrotate here, /etc/logrotate.d/spoolgate not tried"
fi
pf_stop test     # no process may use the user spoolgate at the purge

# ---- 5. remove, purge, install again ----
dpkg --remove "$PKG" > "$BUILD/remove.log" 2>&1 || { cat "$BUILD/remove.log" >&2; pf_fail "dpkg --remove failed"; }
if [ ! -e /usr/bin/spoolgate ] && [ -f "$CONF" ] && [ -d "$QDIR" ] && getent passwd spoolgate > /dev/null; then
    pf_pass "dpkg --remove: the program is gone; the conffile, the quarantine and the user stay"
else
    pf_fail "after dpkg --remove: $(ls -ld /usr/bin/spoolgate "$CONF" "$QDIR" 2>&1 | tr '\n' ' ') user: $(getent passwd spoolgate)"
fi
# check_purged WHEN: nothing of the package is left
check_purged() {
    local left=""
    getent passwd spoolgate > /dev/null && left="$left user spoolgate;"
    getent group spoolgate > /dev/null && left="$left group spoolgate;"
    local f
    for f in /var/lib/spoolgate "$LOGDIR" /etc/spoolgate /etc/logrotate.d/spoolgate /etc/cron.daily/spoolgate \
        /usr/bin/spoolgate /usr/share/doc/spoolgate /lib/systemd/system/spoolgate-quarantine.timer; do
        [ -e "$f" ] && left="$left $f;"
    done
    dpkg-query -W -f='${Status}' "$PKG" 2> /dev/null | grep -qv 'not-installed' &&
        left="$left dpkg still knows it ($(dpkg-query -W -f='${Status}' "$PKG"));"
    if [ -z "$left" ]; then
        pf_pass "$1: no user, no group, no directory, no conffile, no file of the package left"
    else
        pf_fail "$1: left:$left"
    fi
}
dpkg --purge "$PKG" > "$BUILD/purge.log" 2>&1 || { cat "$BUILD/purge.log" >&2; pf_fail "dpkg --purge failed"; }
check_purged "dpkg --purge"
dpkg -i "$DEB" > "$BUILD/install2.log" 2>&1 || { cat "$BUILD/install2.log" >&2; pf_die "dpkg -i (again) failed"; }
check_installed "dpkg -i again"
dpkg --purge "$PKG" > "$BUILD/purge2.log" 2>&1 || { cat "$BUILD/purge2.log" >&2; pf_fail "dpkg --purge (again) failed"; }
INSTALLED=0
check_purged "dpkg --purge again"
pf_log "package test done in $(elapsed)"
pf_finish
