#!/bin/sh
# Builds the loader's libFuzzer target with clang (Debian's clang and
# libclang-rt packages) and runs it. The corpus lives in tests/fuzz/corpus
# and seeds the test suite (every file there must load or fail cleanly).
# Usage: tests/fuzz/run.sh [seconds] (default 600)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
secs=${1:-600}
out=${FUZZ_BUILD:-$top/build/fuzz}
mkdir -p "$out" "$here/corpus"
command -v clang >/dev/null || { echo "fuzz: clang is needed: apt-get install clang libclang-rt-14-dev" >&2; exit 1; }
clang -g -O1 -std=c11 -D_POSIX_C_SOURCE=200809L -fsanitize=fuzzer,address,undefined \
    -fno-sanitize-recover=all \
    -I"$top/core/include" -I"$top/core/src" -I"$top/graph/include" -I"$top/graph/src" \
    "$here/fuzz_load.c" "$top"/graph/src/*.c "$top"/core/src/*.c -lz -lm -o "$out/fuzz_load"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# New inputs go to a scratch folder; -merge keeps only those that add coverage.
"$out/fuzz_load" -max_total_time="$secs" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$out/" -print_final_stats=1 "$work" "$here/corpus"
"$out/fuzz_load" -merge=1 "$here/corpus" "$work" >/dev/null 2>&1 || true
