#!/bin/sh
# storyboard.sh — turns the lessons' snapshots into a storyboard: for each
# lesson, a dump per step (before, after creating, after return, after
# collection), a picture of each step (PNG and SVG), and the diff between
# consecutive steps (text and picture).
# Usage: scripts/storyboard.sh BUILD_DIR OUT_DIR [SIZE]
set -eu
b=$1
out=$2
n=${3:-3}
R=$b/refgraph
mkdir -p "$out"
for lesson in lesson1_refcount lesson2_local lesson3_global lesson4_return lesson5_cycle lesson6_weakref; do
    short=${lesson%%_*}
    dir=$out/$short
    rm -rf "$dir"
    mkdir -p "$dir"
    RG_SNAPSHOT_DIR=$dir "$b/samples/$lesson" "$n" > "$dir/output.txt"
    prev=
    for snap in "$dir"/*.jsonl; do
        step=${snap%.jsonl}
        # every list, and what it holds; roots in green, cycles in red
        "$R" show-refs "$snap" type=list --max-depth 2 --refcounts -o "$step.png"
        "$R" show-refs "$snap" type=list --max-depth 2 --refcounts -o "$step.svg"
        if [ -n "$prev" ]; then
            d=$dir/diff-$(basename "${prev%.jsonl}" | cut -d- -f2)-to-$(basename "$step" | cut -d- -f2)
            "$R" diff "$prev" "$snap" > "$d.txt"
            "$R" diff "$prev" "$snap" -o "$d.png" > /dev/null
        fi
        prev=$snap
    done
    echo "storyboard: $dir ($(ls "$dir"/*.png | wc -l) pictures)"
done
# The lesson's two pictures: the cycle while func runs, and after it returned.
cp "$out/lesson5/lesson5-02-linked.png" "$out/lesson5-live-cycle.png"
cp "$out/lesson5/lesson5-02-linked.svg" "$out/lesson5-live-cycle.svg"
cp "$out/lesson5/lesson5-03-returned.png" "$out/lesson5-unreachable-cycle.png"
cp "$out/lesson5/lesson5-03-returned.svg" "$out/lesson5-unreachable-cycle.svg"
