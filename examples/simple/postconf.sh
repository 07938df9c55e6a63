#!/bin/sh
# examples/simple/postconf.sh -- spoolgate --pipe as the "simple"
# after-queue content filter of Postfix's FILTER_README, run by pipe(8), as
# postconf(1) commands: the same settings as main.cf and master.cf next to
# this file, which explain each line.
# Run it as root (or paste its commands), then "postfix reload". It adds
# or replaces only these entries, so running it again changes nothing; it
# never removes anything.
#
# The paths are those of the Debian package (or of meson install
# --prefix=/usr): /usr/bin/spoolgate, run as the system user spoolgate
# (the package creates it; by hand: adduser --system --group spoolgate),
# with /etc/spoolgate/spoolgate.conf.
#
# The test suite applies these very commands to private Postfix instances
# (postconf -c DIR; ports, program and user substituted) and checks that
# README and spoolgate(8) show them unchanged: keep them in this form (only
# postconf commands, one per line or continued with a backslash, single
# quotes).
set -e
postconf -e 'filter_time_limit = 1000s'
postconf -P 'smtp/inet/content_filter=filter:dummy'
postconf -M 'filter/unix = filter unix - n n - 10 pipe flags=Rq user=spoolgate null_sender= argv=/usr/bin/spoolgate --config /etc/spoolgate/spoolgate.conf --pipe --queue-id ${queue_id} -f ${sender} -- ${recipient}'
postconf -M '127.0.0.1:10026/inet = 127.0.0.1:10026 inet n - n - 10 smtpd'
postconf -P '127.0.0.1:10026/inet/content_filter=' \
    '127.0.0.1:10026/inet/receive_override_options=no_unknown_recipient_checks,no_header_body_checks,no_milters' \
    '127.0.0.1:10026/inet/smtpd_helo_restrictions=' \
    '127.0.0.1:10026/inet/smtpd_client_restrictions=' \
    '127.0.0.1:10026/inet/smtpd_sender_restrictions=' \
    '127.0.0.1:10026/inet/smtpd_relay_restrictions=' \
    '127.0.0.1:10026/inet/smtpd_recipient_restrictions=permit_mynetworks,reject' \
    '127.0.0.1:10026/inet/smtpd_data_restrictions=' \
    '127.0.0.1:10026/inet/mynetworks=127.0.0.0/8' \
    '127.0.0.1:10026/inet/smtpd_authorized_xforward_hosts=127.0.0.0/8'
