#!/bin/sh
# Runs every benchmark from a build folder and prints JSON lines, then the
# medians per case.
set -eu
b=${1:-build}
out=$(mktemp)
"$b/bench/bench_alloc" 10000000 5 | tee "$out"
python3 bench/medians.py < "$out"
rm -f "$out"
