#!/bin/sh
# scripts/install-conf.sh - meson's install script for spoolgate's
# configuration file (meson.build): installs SOURCE as DIR/spoolgate.conf,
# unless that file exists already. A `meson install` over an earlier one
# thus keeps the administrator's settings, as a Debian conffile would; the
# new file is then left beside it as spoolgate.conf.new. DIR is meson's
# sysconfdir/spoolgate: absolute (/etc/spoolgate) or relative to the prefix;
# DESTDIR, when set, is put in front (the Debian package's build does that).
#
#   install-conf.sh SOURCE DIR        (run by meson install, in the source root)
set -eu
src=$MESON_SOURCE_ROOT/$1
case $2 in
/*) dir=${DESTDIR:-}$2 ;;
*) dir=$MESON_INSTALL_DESTDIR_PREFIX/$2 ;;
esac
conf=$dir/spoolgate.conf
install -d -m 0755 "$dir"
if [ -e "$conf" ] && ! cmp -s "$src" "$conf"; then
    install -m 0644 "$src" "$conf.new"
    echo "Kept $conf (yours); the new one is $conf.new"
else
    install -m 0644 "$src" "$conf"
    echo "Installing $conf"
fi
