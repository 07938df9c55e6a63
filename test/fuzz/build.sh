#!/bin/bash
# test/fuzz/build.sh - build the libFuzzer targets with clang++-14 into OUTDIR
#
#   test/fuzz/build.sh OUTDIR
#   test/fuzz/build.sh --check     (can clang++-14 link a fuzzer here? 0 or 77)
#
# The product builds with g++ (meson); libFuzzer needs clang. So this script
# compiles the product's sources itself: the library, every src/lib/*.cc (the
# targets call the modules directly), instrumented for coverage
# (-fsanitize=fuzzer-no-link) and built with AddressSanitizer and
# UndefinedBehaviorSanitizer (any report aborts: -fno-sanitize-recover), then
# links each test/fuzz/fuzz_*.cc against them and fmt
# as the product links. Objects stay in OUTDIR/obj and are rebuilt only when
# a source, a header it includes, or the flags change.
#
# Output: OUTDIR/fuzz_command, fuzz_data, fuzz_reply, fuzz_session.
# Environment: CXX_FUZZ (default clang++-14), JOBS (default: nproc).
# Exit status: 0 built; 1 a compile or link failed; 77 clang++-14 or its
# fuzzer runtime is missing (the meson test's "skipped").
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:?usage: test/fuzz/build.sh OUTDIR}
cxx=${CXX_FUZZ:-clang++-14}
jobs=${JOBS:-$(nproc)}

if ! command -v "$cxx" > /dev/null; then
    echo "build.sh: $cxx not found (apt-get install clang-14 libclang-rt-14-dev)" >&2
    exit 77
fi

# probe DIR - can $cxx link a fuzzer with the sanitizers (libclang-rt-14-dev)?
probe() {
    local dir=$1
    printf '%s\n' '#include <cstddef>' '#include <cstdint>' \
        'extern "C" int LLVMFuzzerTestOneInput(const uint8_t*, size_t) { return 0; }' > "$dir/probe.cc"
    if ! "$cxx" -fsanitize=fuzzer,address,undefined "$dir/probe.cc" -o "$dir/probe" 2> "$dir/probe.log"; then
        echo "build.sh: $cxx cannot link a fuzzer (libclang-rt-14-dev missing?):" >&2
        cat "$dir/probe.log" >&2
        return 1
    fi
}
if [ "$out" = --check ]; then
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/spoolgate-fuzz-check.XXXXXX")
    trap 'rm -rf "$tmp"' EXIT
    probe "$tmp" || exit 77
    exit 0
fi
mkdir -p "$out/obj"
out=$(cd "$out" && pwd)
[ -x "$out/obj/probe" ] || probe "$out/obj" || exit 77

flags=(-std=c++20 -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
       -Wall -Wextra -Wno-unused-parameter -I"$here/include" -I"$here/test/fuzz")
# a change of compiler or flags rebuilds everything
stamp="$("$cxx" --version | head -1) ${flags[*]}"
if [ ! -f "$out/obj/flags" ] || [ "$(cat "$out/obj/flags")" != "$stamp" ]; then
    rm -f "$out"/obj/*.o "$out"/obj/*.d
    printf '%s' "$stamp" > "$out/obj/flags"
fi

# stale OBJ - whether OBJ is missing or older than anything its .d file names
stale() {
    local obj=$1 dep=${1%.o}.d f
    [ -f "$obj" ] && [ -f "$dep" ] || return 0
    for f in $(sed -e 's/^[^:]*://' -e 's/\\$//' "$dep"); do
        [ "$f" -nt "$obj" ] && return 0
    done
    return 1
}

# compile SRC OBJ EXTRA-FLAGS... - in the background, at most $jobs at once
# (waiting for the oldest job by its pid: "wait -n" may miss a job that
# ended before it was called)
failed=0
pids=()
wait_oldest() {
    wait "${pids[0]}" || failed=1
    pids=("${pids[@]:1}")
}
compile() {
    local src=$1 obj=$2
    shift 2
    stale "$obj" || return 0
    [ "${#pids[@]}" -lt "$jobs" ] || wait_oldest
    echo "  CXX $(basename "$src")"
    rm -f "$obj"
    "$cxx" "${flags[@]}" "$@" -MMD -MF "${obj%.o}.d" -c "$src" -o "$obj" &
    pids+=($!)
}

core_objs=()
for src in "$here"/src/lib/*.cc; do
    name=$(basename "$src" .cc)
    compile "$src" "$out/obj/$name.o" -fsanitize=fuzzer-no-link
    core_objs+=("$out/obj/$name.o")
done
targets=()
for src in "$here"/test/fuzz/fuzz_*.cc; do
    name=$(basename "$src" .cc)
    compile "$src" "$out/obj/$name.o" -fsanitize=fuzzer-no-link
    targets+=("$name")
done
while [ "${#pids[@]}" -gt 0 ]; do
    wait_oldest
done
[ "$failed" = 0 ] || { echo "build.sh: compile failed" >&2; exit 1; }

# link - each target, when an object is newer than it
libs=($(pkg-config --libs fmt) -pthread)
for name in "${targets[@]}"; do
    exe="$out/$name"
    relink=0
    [ -x "$exe" ] || relink=1
    for o in "$out/obj/$name.o" "${core_objs[@]}"; do
        [ "$o" -nt "$exe" ] && relink=1
    done
    [ "$relink" = 1 ] || continue
    echo "  LINK $name"
    "$cxx" "${flags[@]}" -fsanitize=fuzzer "$out/obj/$name.o" "${core_objs[@]}" "${libs[@]}" -o "$exe"
done
