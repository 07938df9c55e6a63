#!/bin/bash
# test/fuzz/run.sh - run the fuzz targets for a bounded time or number of runs
#
#   test/fuzz/run.sh OUTDIR LIMIT [TARGET...]
#
# OUTDIR holds the targets that build.sh made. LIMIT is a time ("30s", "5m")
# for libFuzzer's -max_total_time, or a number of runs for -runs. TARGETs
# are command, data, reply, session (default: all, one after the other).
#
# Each target starts from its seed corpus, test/fuzz/corpus/TARGET, copied to
# a temporary directory first, so that a run never changes the repository,
# with the dictionary test/fuzz/smtp.dict. A crash, a sanitizer report or a
# broken invariant stops the run with a non-zero status; the input is kept
# as OUTDIR/crash-TARGET-*, and the target's log is printed.
#
# Environment: FUZZ_CORPUS_OUT=DIR keeps each grown corpus in DIR/TARGET (to
# minimize into the repository, see README.md); FUZZ_LOG_DIR=DIR keeps each
# libFuzzer log as DIR/fuzz_TARGET.log; FUZZ_ARGS adds libFuzzer options.
# Exit status: 0 no failure; 1 a target failed (libFuzzer's own 77 is not
# passed on: meson would read it as "skipped"); 77 nothing to run (targets
# not built: clang++-14 missing).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: test/fuzz/run.sh OUTDIR LIMIT [TARGET...]}
limit=${2:?usage: test/fuzz/run.sh OUTDIR LIMIT [TARGET...]}
shift 2
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(command data reply session)

case $limit in
    *s) bound=(-max_total_time="${limit%s}") ;;
    *m) bound=(-max_total_time=$((${limit%m} * 60))) ;;
    *) bound=(-runs="$limit") ;;
esac

work=$(mktemp -d "${TMPDIR:-/tmp}/spoolgate-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
rc=0
for t in "${targets[@]}"; do
    exe="$out/fuzz_$t"
    if [ ! -x "$exe" ]; then
        echo "run.sh: $exe not built" >&2
        exit 77
    fi
    corpus="$work/$t"
    mkdir -p "$corpus"
    cp "$here/corpus/$t"/* "$corpus"/ 2>/dev/null || true
    # a session holds sockets and a thread: 10 s per input is a hang, not slowness
    # (-timeout)
    start=$(date +%s)
    (cd "$work" && "$exe" "${bound[@]}" -timeout=10 -rss_limit_mb=2048 \
        -dict="$here/smtp.dict" -artifact_prefix="$work/crash-$t-" -print_final_stats=1 \
        ${FUZZ_ARGS:-} "$corpus" > "$work/$t.log" 2>&1)
    status=$?
    secs=$(($(date +%s) - start))
    summary=$(grep -E '^#[0-9]+.*(DONE|INITED|pulse|NEW|REDUCE)' "$work/$t.log" | tail -1)
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$t.log")
    echo "fuzz_$t: ${secs}s, ${execs:-?} executions, $(ls "$corpus" | wc -l) corpus entries; last: $summary"
    if [ "$status" != 0 ]; then
        echo "fuzz_$t FAILED (status $status):"
        grep -v '^#[0-9]' "$work/$t.log" | tail -60
        for c in "$work"/crash-"$t"-*; do
            [ -f "$c" ] || continue
            cp "$c" "$out/"
            echo "input kept as $out/$(basename "$c") (base64: $(base64 -w0 "$c" | head -c 2000))"
        done
        rc=1
    fi
    if [ -n "${FUZZ_LOG_DIR:-}" ]; then
        mkdir -p "$FUZZ_LOG_DIR"
        cp "$work/$t.log" "$FUZZ_LOG_DIR/fuzz_$t.log"
    fi
    if [ -n "${FUZZ_CORPUS_OUT:-}" ]; then
        mkdir -p "$FUZZ_CORPUS_OUT/$t"
        cp "$corpus"/* "$FUZZ_CORPUS_OUT/$t"/
    fi
done
exit $rc
