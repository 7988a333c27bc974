#!/bin/sh
# Runs every benchmark from a build folder: raw JSON lines on stdout, then
# the medians and, where a peer runs the same work, the ratios.
# Usage: bench/run.sh [build-folder] [rounds]
set -eu
b=${1:-build}
rounds=${2:-3}
here=$(dirname "$0")
py=/usr/bin/python3 # Debian's python3: the peer the issues name
[ -x "$py" ] || py=python3
raw=$(mktemp)
trap 'rm -f "$raw"' EXIT

echo "# alloc: 10M small objects, refgraph vs malloc/free" >&2
"$b/bench/bench_alloc" 10000000 "$rounds" | tee -a "$raw"
echo "# sizes: bytes per object of each built-in type, refgraph vs CPython" >&2
"$py" "$here/sizes.py" "$b/bench/bench_sizes" "$py" "$rounds" | tee -a "$raw"
echo "# gc: one full collection, refgraph vs CPython ($($py --version 2>&1))" >&2
"$b/bench/bench_gc" "$rounds" | tee -a "$raw"
"$py" "$here/gc_peer.py" "$rounds" | tee -a "$raw"

echo "# dump: 1M objects, 2M references; load against Python's json (parse only)" >&2
dump=$(mktemp --suffix=.jsonl)
dump2=$(mktemp --suffix=.jsonl)
trap 'rm -f "$raw" "$dump" "$dump2"' EXIT
for _ in $(seq "$rounds"); do
    "$b/bench/bench_dump" write "$dump" | tee -a "$raw"
    "$b/bench/bench_dump" load "$dump" | tee -a "$raw"
    "$py" "$here/dump_peer.py" "$dump" | tee -a "$raw"
done

echo "# tokenize: the loader's tokenizer against jansson on the same 1M-object dump" >&2
"$b/bench/bench_tokenize" "$dump" "$rounds" | tee -a "$raw"

echo "# render: components and show-refs on the 1M-object dump, against networkx" >&2
for _ in $(seq "$rounds"); do
    "$b/bench/bench_render" "$dump" | tee -a "$raw"
    "$py" "$here/scc_peer.py" "$dump" | tee -a "$raw"
done

echo "# dominators: idom and retained sizes of the 1M-object dump, against networkx's immediate_dominators" >&2
for _ in $(seq "$rounds"); do
    "$b/bench/bench_dominators" "$dump" | tee -a "$raw"
    "$py" "$here/dominators_peer.py" "$dump" | tee -a "$raw"
done
echo "# cli: refgraph top end to end, against refgraph info on the same dump" >&2
"$py" "$here/top_bench.py" "$b/refgraph" "$dump" "$rounds" | tee -a "$raw"

echo "# cli: refgraph cycles and diff end to end, against json + networkx / Counter" >&2
"$b/bench/bench_dump" pair "$dump" "$dump2" > /dev/null
"$py" "$here/cli_bench.py" "$b/refgraph" "$py" "$dump" "$dump2" "$rounds" | tee -a "$raw"

if [ -d "$b/python/refgraph" ]; then
    echo "# python: refgraph.dump of a live interpreter against objgraph's gc.get_referents walk" >&2
    PYTHONPATH="$b/python" "$py" "$here/python_dump.py" "$rounds" | tee -a "$raw"
fi

echo "# medians and ratios" >&2
"$py" "$here/compare.py" < "$raw"
