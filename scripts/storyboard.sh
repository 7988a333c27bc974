#!/bin/sh
# storyboard.sh — turns the lessons' snapshots into pages a teacher can
# project: for each lesson, a dump per step (each with its title, code
# line(s) and caption in the header's "step" field), then one web page
# per lesson (refgraph story: every step, its figures, what changed, the
# heap's picture), and an index page linking every lesson.
# Usage: scripts/storyboard.sh BUILD_DIR OUT_DIR [SIZE]
set -eu
b=$1
out=$2
n=${3:-3}
R=$b/refgraph
mkdir -p "$out"
index=$out/index.html
items=
for lesson in lesson1_refcount lesson2_local lesson3_global lesson4_return lesson5_cycle lesson6_weakref; do
    short=${lesson%%_*}
    dir=$out/$short
    rm -rf "$dir"
    mkdir -p "$dir"
    RG_SNAPSHOT_DIR=$dir "$b/samples/$lesson" "$n" > "$dir/output.txt"
    "$R" story "$dir"/*.jsonl -o "$out/$short.html"
    # the page's own title, already escaped by refgraph
    title=$(sed -n 's|^<title>\(.*\)</title>$|\1|p' "$out/$short.html" | head -n 1)
    steps=$(ls "$dir"/*.jsonl | wc -l)
    items="$items<li><a href=\"$short.html\">$title</a> <span class=\"none\">($steps steps)</span></li>
"
    echo "story: $out/$short.html ($steps steps)"
done
# The lesson's two pictures for the README: the cycle while func runs, and
# after it returned.
"$R" show-refs "$out/lesson5/lesson5-02-linked.jsonl" type=list --max-depth 2 --refcounts -o "$out/lesson5-live-cycle.png"
"$R" show-refs "$out/lesson5/lesson5-03-returned.jsonl" type=list --max-depth 2 --refcounts -o "$out/lesson5-unreachable-cycle.png"
tmp=$index.tmp.$$
cat > "$tmp" <<HTML
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>refgraph: the lessons</title>
<style>body{font:18px/1.5 system-ui,sans-serif;margin:2em auto;max-width:50em;padding:0 1em;color:#222}
li{margin:.4em 0}.none{color:#777}</style>
</head>
<body>
<h1>refgraph: the lessons</h1>
<p>Each lesson is one page: step through it with the arrow keys or the buttons.</p>
<ol>
$items</ol>
</body>
</html>
HTML
mv "$tmp" "$index"
