#!/bin/sh
# Builds a libFuzzer target with clang (Debian's clang and libclang-rt
# packages) and runs it: one process, niced (the machine is shared).
#
# Usage: tests/fuzz/run.sh [TARGET] [seconds]
#   TARGET  load      the loader alone (fuzz_load.c), corpus tests/fuzz/corpus
#           pipeline  load + every analysis + DOT/JSON drawing in memory, with a
#                     generator of valid dumps (fuzz_pipeline.c), corpus
#                     tests/fuzz/pipeline-corpus
#           (default load; a number alone is the seconds for load)
#   seconds default 600
# New inputs go to a scratch folder; -merge keeps only those that add
# coverage to the corpus. Crashes are written to build/fuzz/.
# The test suite replays both corpora (test_dump, fuzz_pipeline_replay).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
target=load
case "${1:-}" in
load | pipeline) target=$1; shift ;;
esac
secs=${1:-600}
out=${FUZZ_BUILD:-$top/build/fuzz}
mkdir -p "$out"
command -v clang >/dev/null || { echo "fuzz: clang is needed: apt-get install clang libclang-rt-14-dev" >&2; exit 1; }
inc="-I$top/format/include -I$top/graph/include -I$top/graph/src"
san="-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all"
export LSAN_OPTIONS="suppressions=$here/../lsan.supp:print_suppressions=0"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ "$target" = load ]; then
    corpus=$here/corpus
    mkdir -p "$corpus"
    # shellcheck disable=SC2086
    clang -g -O1 -std=c11 -D_POSIX_C_SOURCE=200809L $san $inc \
        "$here/fuzz_load.c" "$top"/graph/src/*.c "$top"/format/src/*.c $(pkg-config --libs jansson) -lz -lm \
        -o "$out/fuzz_load"
    "$out/fuzz_load" -max_total_time="$secs" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$out/" -print_final_stats=1 "$work" "$corpus"
    "$out/fuzz_load" -merge=1 "$corpus" "$work" >/dev/null 2>&1 || true
    exit 0
fi
corpus=$here/pipeline-corpus
mkdir -p "$corpus"
# Comparison tracing (trace-cmp) is left out: it made every execution about
# five times slower, and the generator gets inputs past the parser without it
# (fuzz_load keeps it for the parser).
# shellcheck disable=SC2086
clang -g -O2 -std=c11 -D_POSIX_C_SOURCE=200809L $san -fno-sanitize-coverage=trace-cmp $inc \
    -I"$top/render/include" $(pkg-config --cflags libcgraph) \
    "$here/fuzz_pipeline.c" "$top"/graph/src/*.c "$top"/render/src/*.c "$top"/format/src/*.c \
    $(pkg-config --libs libgvc libcgraph jansson) -lz -lm -o "$out/fuzz_pipeline"
# ASan options for speed: no malloc fill, a small quarantine (8 MB: freed
# memory is reused while still in the cache), no allocation stacks (these
# two: 1.3 times the executions per CPU second; a crash is replayed with
# stacks: see tests/fuzz/README.md), and freed memory kept mapped
# (returning it to the system every few seconds made the next executions
# fault every page in again). Inputs up to 1 MiB. The run stops at the
# first crash (written to build/fuzz/crash-*); the corpus is minimized
# either way. The entropic schedule is scaled by execution time
# (-entropic_scale_per_exec_time=1): inputs that run faster get more of the
# mutations, up to 30 times; and it keeps only its 100 rarest features
# (-entropic_feature_frequency_threshold=1: with the default, 255, the list
# grew to thousands of features, searched for every feature of every
# execution: a third of the time). tests/fuzz/README.md, "Speed".
status=0
ASAN_OPTIONS=max_malloc_fill_size=0:quarantine_size_mb=8:malloc_context_size=0:allocator_release_to_os_interval_ms=-1 \
    nice "$out/fuzz_pipeline" -max_total_time="$secs" -max_len=1048576 -timeout=10 -rss_limit_mb=2048 \
    -entropic_scale_per_exec_time=1 -entropic_feature_frequency_threshold=1 \
    -artifact_prefix="$out/" -print_final_stats=1 "$work" "$corpus" || status=$?
# Keep only what adds coverage: merge the old corpus and the new inputs into
# an empty folder, then replace the corpus with it. (Inputs that once crashed
# live in tests/fuzz/pipeline-regress, never merged away.)
mkdir "$work.min"
if "$out/fuzz_pipeline" -merge=1 "$work.min" "$corpus" "$work" >/dev/null 2>&1; then
    rm -f "$corpus"/*
    cp "$work.min"/* "$corpus"/
fi
rm -rf "$work.min"
exit "$status"
