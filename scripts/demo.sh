#!/bin/sh
# The main job: the lessons at full size (memory in MB, as the lessons show
# it), then every lesson as a web page a teacher can project (a small size,
# so the pictures stay readable: memory shown in bytes), and what refgraph
# says about the cycle lesson. Ends with the index page's path.
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
echo "pictures: out/lesson5-live-cycle.png, out/lesson5-unreachable-cycle.png"
echo "every lesson, step by step (open it in a browser): $(cd out && pwd)/index.html"
