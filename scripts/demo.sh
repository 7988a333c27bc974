#!/bin/sh
# The main job: the lessons at full size (memory in MiB, as the lessons show
# it), then every lesson as a web page a teacher can project (a small size,
# so the pictures stay readable: memory shown in bytes), and what refgraph
# says about the cycle lesson. Ends with the index page's path.
# The full-size lessons take a while (lesson 5 holds 2 x 10,000,000 ints):
# one line on stderr says what runs and how long the last step took.
set -eu
b=${1:-build}
lessons="lesson1_refcount lesson2_local lesson3_global lesson4_return lesson5_cycle lesson6_weakref"
total=8
step=0
t0=$(date +%s)
# progress STEP_TEXT: one line per step, numbered, with the time so far
progress() {
    step=$((step + 1))
    echo "demo: [$step/$total] $1 ($(($(date +%s) - t0)) s so far)" >&2
}
for lesson in $lessons; do
    progress "$lesson at full size"
    "$b/samples/$lesson"
    echo
done
progress "each lesson as a web page (scripts/storyboard.sh)"
sh scripts/storyboard.sh "$b" out 3
echo
progress "refgraph cycles on lesson 5"
echo "refgraph cycles out/lesson5/lesson5-03-returned.jsonl:"
"$b/refgraph" cycles out/lesson5/lesson5-03-returned.jsonl
echo
echo "demo: done in $(($(date +%s) - t0)) s" >&2
echo "pictures: out/lesson5-live-cycle.png, out/lesson5-unreachable-cycle.png"
echo "every lesson, step by step (open it in a browser): $(cd out && pwd)/index.html"
