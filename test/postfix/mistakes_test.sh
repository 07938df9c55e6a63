#!/bin/bash
# test/postfix/mistakes_test.sh -- a configuration mistake never bounces mail
# and always says what is wrong (issue 13), behind a real Postfix in each
# placement, spoolgate reading a --config file of the test's own.
#
#   mistakes_test.sh SCENARIO SPOOLGATE [SOURCE_DIR]
#
# SCENARIO (each starts its own private Postfix instance):
#   simple-typo        --pipe with "hook-timout = 30" in the config file: the
#                      message stays deferred, the queue's reason naming the
#                      typo; once the file is mended it is delivered, once
#   simple-unreadable  --pipe with a config file the filter user cannot read:
#                      deferred with "cannot read config file"; readable
#                      again: delivered once
#   simple-logfile     --pipe with a --log-file that cannot be opened: no
#                      reason to refuse mail, delivered once
#   after-queue        the spawn service's spoolgate with a bad option in its
#                      config file: Postfix's smtp client gets the 421 4.3.5
#                      greeting, the message stays deferred with that cause;
#                      mended: delivered once
#   before-queue       the same before the queue: the client gets a 4xx at
#                      the end of data, nothing is queued or delivered
#
# Exit: 0 pass, 1 fail, 77 skip (not root, or no postfix).
# shellcheck disable=SC2317  # the check functions run through pf_wait
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=test/postfix/lib.sh
. "$HERE/lib.sh"
pf_test_args mistakes "simple-typo simple-unreadable simple-logfile after-queue before-queue" "$@"

# setup PLACEMENT CONFIG-TEXT [LOG-FILE]: the instance, the example of
# PLACEMENT with spoolgate --config $CONF (CONF holds CONFIG-TEXT) and
# --log-file LOG-FILE ($SGLOG when not given; relative: under the work dir)
setup() {
    local placement=$1 text=$2 log=${3:-}
    pf_require_nobody_access "$SPOOLGATE" "$HOOKS/accept-all"
    pf_init "mistakes-$SCENARIO"
    W=$PF_DIR/work
    SGLOG=$PF_DIR/spoolgate.log
    CONF=$W/spoolgate.conf
    install -m 0644 -o "$PF_FILTER_USER" /dev/null "$SGLOG"
    printf '%s\n' "$text" > "$CONF"
    chmod 0644 "$CONF"
    chmod 0755 "$W"
    pf_write_base_config
    pf_add_example "$placement" "$SPOOLGATE" "--config=$CONF" "--log-file=${log:+$W/}${log:-$SGLOG}" \
        "--add-header=$ADDED_HEADER"
    pf_start_sink
    pf_start
}

retry_now() { postqueue -c "$PF_DIR/etc" -f > /dev/null 2>&1; }
delay_reason() {
    postqueue -c "$PF_DIR/etc" -j 2> /dev/null | grep -F "\"queue_id\": \"$QID\"" |
        grep -oE '"delay_reason": "[^"]*"' | head -1
}
# deferred_because REGEX: the queue holds $QID, deferred, its reason matching REGEX
deferred_because() { delay_reason | grep -qE -- "$1"; }

# expect_deferred REGEX: deferred with that cause, never bounced
expect_deferred() {
    if pf_wait 40 deferred_because "$1"; then
        pf_pass "$QID stays deferred: $(delay_reason)"
    else
        pf_fail "$QID is not deferred with a reason like /$1/ within 40 s: $(delay_reason)"
        pf_finish
    fi
    if pf_maillog_has "$QID: .*status=bounced"; then pf_fail "$QID was bounced"; fi
}

# expect_dsn: pipe(8) took spoolgate's 4.3.5 as the status: a deferral
expect_dsn() {
    if pf_maillog_has "postfix/pipe\\[[0-9]+\\]: $QID: .*dsn=4\\.3\\.5, status=deferred"; then
        pf_pass "pipe(8) logged dsn=4.3.5, status=deferred"
    else
        pf_fail "no 'dsn=4.3.5, status=deferred' for $QID from pipe(8)"
    fi
}

# expect_mended_delivery MSGID: after the fix, the next try delivers once
expect_mended_delivery() {
    retry_now
    pf_expect_delivered_once "$1" "$W/sent.eml" "$ADDED_HEADER" rcpt@example.net 2
    pf_finish
}

submit() {
    MSGID="$SCENARIO.$$.$RANDOM@test.example.com"
    $MSG make "$W/sent.eml" "$MSGID" "a message for a misconfigured filter"
    pf_submit_queued sender@example.com rcpt@example.net "$W/sent.eml"
}

scenario_simple-typo() {
    setup simple "hook-timout = 30"
    submit
    expect_deferred "spoolgate: bad usage: config file $CONF, line 1: unknown option 'hook-timout'"
    expect_dsn
    printf 'hook-timeout = 30\nhook = %s\n' "$HOOKS/accept-all" > "$CONF"
    expect_mended_delivery "$MSGID"
}

scenario_simple-unreadable() {
    setup simple "hook = $HOOKS/accept-all"
    chmod 0600 "$CONF"   # root's: the filter user cannot read it
    submit
    expect_deferred "spoolgate: bad usage: cannot read config file $CONF"
    expect_dsn
    if grep -qF "fatal: bad usage: cannot read config file $CONF" "$SGLOG"; then
        pf_pass "spoolgate logged why: $(grep -F 'fatal:' "$SGLOG" | head -1)"
    else
        pf_fail "no 'fatal: bad usage: cannot read config file' in spoolgate's log"
    fi
    chmod 0644 "$CONF"
    expect_mended_delivery "$MSGID"
}

scenario_simple-logfile() {
    setup simple "hook = $HOOKS/accept-all" no-such-dir/spoolgate.log
    submit
    pf_expect_delivered_once "$MSGID" "$W/sent.eml" "$ADDED_HEADER" rcpt@example.net 2
    pf_finish
}

scenario_after-queue() {
    setup after-queue "hook-timeout = soon"
    submit
    expect_deferred "421 4\\.3\\.5 spoolgate: bad usage: --hook-timeout: 'soon' is not a number of seconds"
    if grep -qF "fatal: bad usage: --hook-timeout: 'soon'" "$SGLOG"; then
        pf_pass "spoolgate logged why: $(grep -F 'fatal:' "$SGLOG" | head -1)"
    else
        pf_fail "no 'fatal: bad usage: --hook-timeout' in spoolgate's log"
    fi
    printf 'hook-timeout = 30\n' > "$CONF"
    expect_mended_delivery "$MSGID"
}

scenario_before-queue() {
    setup before-queue "hook-output = sideways"
    MSGID="$SCENARIO.$$.$RANDOM@test.example.com"
    $MSG make "$W/sent.eml" "$MSGID" "a message for a misconfigured filter"
    pf_submit sender@example.com rcpt@example.net "$W/sent.eml"
    if [ "$PF_SUBMIT_STATUS" != 0 ] && grep -qE '(^|: )4[0-9][0-9] ' <<< "$PF_REPLY"; then
        pf_pass "the client got a temporary failure: $PF_REPLY"
    else
        pf_fail "the client got '$PF_REPLY' (status $PF_SUBMIT_STATUS), not a 4xx"
    fi
    if pf_maillog_has "421 4\\.3\\.5 spoolgate: bad usage: --hook-output: 'sideways'"; then
        pf_pass "Postfix logged spoolgate's 421: $(grep -oE "421 4\\.3\\.5 spoolgate[^;]*" "$PF_DIR/maillog" | head -1)"
    else
        pf_fail "the maillog does not show spoolgate's 421 4.3.5 greeting"
    fi
    sleep 2
    [ "$(pf_sink_count)" = 0 ] && pf_pass "nothing reached the sink" || pf_fail "something reached the sink"
    pf_queue_empty && pf_pass "nothing queued" || pf_fail "Postfix queued something: $(postqueue -c "$PF_DIR/etc" -j)"
    pf_finish
}

"scenario_$SCENARIO"
