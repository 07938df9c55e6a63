#!/bin/bash
# test/postfix/recipe_test.sh -- each placement's postconf recipe
# (examples/PLACEMENT/postconf.sh) against the main.cf and master.cf
# snippets next to it. One private instance's configuration is made twice:
# once from the snippets (pf_add_example, as every placement test does),
# once by the recipe's postconf commands (pf_apply_recipe, as the package
# test does), with the same ports, program, user and options. Postfix must
# read the same settings from both: postconf -n, -M and -P agree, and
# "postfix check" accepts the recipe's. So the recipe is as tested as the
# snippets that the placement and fault tests run with. Nothing is started.
#
#   recipe_test.sh PLACEMENT SPOOLGATE [SOURCE_DIR]
#
# PLACEMENT: after-queue, before-queue or simple.
# Exit: 0 pass, 1 fail, 77 skip (not root, or no postfix).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=test/postfix/lib.sh
. "$HERE/lib.sh"
pf_test_args recipe "after-queue before-queue simple" "$@"
pf_init "recipe-$SCENARIO"
# the options of the placement tests, one of them with a space (braces)
WORDS=("--log-file=$PF_DIR/spoolgate.log" "--hook=$HOOKS/accept-all" "--hook-timeout=30"
    "--add-header=$ADDED_HEADER")
pf_write_base_config
cp -a "$PF_DIR/etc" "$PF_DIR/etc.base"

# record NAME: what postconf -n, -M and -P show for the instance as it is
# now, one setting a line, blanks squeezed, sorted, in $PF_DIR/NAME-OPTION
# (always from $PF_DIR/etc, the config_directory its main.cf names)
record() {
    local opt
    for opt in -n -M -P; do
        postconf -c "$PF_DIR/etc" "$opt" 2>&1 | tr -s ' \t' ' ' | sort > "$PF_DIR/$1$opt"
    done
}
pf_add_example "$SCENARIO" "$SPOOLGATE" "${WORDS[@]}"
record snippets
rm -rf "${PF_DIR:?}/etc"
cp -a "$PF_DIR/etc.base" "$PF_DIR/etc"
pf_apply_recipe "$SCENARIO" "$SRC/examples/$SCENARIO/postconf.sh" "$SPOOLGATE" "${WORDS[@]}"
pf_pass "applied: $(grep -c '^recipe: ' "$PF_DIR/recipe.log") postconf commands of examples/$SCENARIO/postconf.sh"
record recipe
for opt in -n -M -P; do
    if diff "$PF_DIR/snippets$opt" "$PF_DIR/recipe$opt" > "$PF_DIR/diff$opt"; then
        pf_pass "postconf $opt: the same $(grep -c . "$PF_DIR/recipe$opt") lines from the snippets and from the recipe"
    else
        pf_fail "postconf $opt differs (< snippets, > recipe):"
        cat "$PF_DIR/diff$opt" >&2
    fi
done
if grep -h '^postconf: ' "$PF_DIR"/snippets-? "$PF_DIR"/recipe-? >&2; then
    pf_fail "postconf complained (above)"
fi
if postfix -c "$PF_DIR/etc" check > "$PF_DIR/check.log" 2>&1 && [ ! -s "$PF_DIR/check.log" ]; then
    pf_pass "postfix check: no complaint about the recipe's configuration"
else
    pf_fail "postfix check: $(cat "$PF_DIR/check.log")"
fi
# what the filter's entry became, for the log
pf_log "$(postconf -c "$PF_DIR/etc" -M | grep -E ' (spawn|pipe) ' | tr -s ' ')"
pf_finish
