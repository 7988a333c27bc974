#!/bin/sh
# The main job: the lessons at full size (memory in MB, as the lessons show
# it), then the storyboard of every lesson drawn at a small size into out/,
# and what refgraph says about the cycle lesson.
set -eu
b=${1:-build}
for lesson in lesson1_refcount lesson2_local lesson3_global lesson4_return lesson5_cycle lesson6_weakref; do
    "$b/samples/$lesson"
    echo
done
sh scripts/storyboard.sh "$b" out 3
echo
echo "refgraph cycles out/lesson5/lesson5-03-returned.jsonl:"
"$b/refgraph" cycles out/lesson5/lesson5-03-returned.jsonl
echo
echo "pictures: out/lesson5-live-cycle.png, out/lesson5-unreachable-cycle.png (and .svg); every step in out/lesson*/"
