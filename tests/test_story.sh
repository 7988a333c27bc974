#!/bin/sh
# test_story.sh — the lessons as web pages (refgraph story), end to end in a
# real browser: scripts/storyboard.sh runs every lesson with RG_SNAPSHOT_DIR
# and writes one page per lesson and out/index.html; headless Chromium
# loads each page at #step=2, and a checking script copied into the page
# (story_check.js) steps through it with the arrow keys and the buttons,
# writing what each step shows into the DOM; the DOM is dumped and checked
# against the dumps (title, code lines, one rendered SVG or words, the
# memory figure); a page's JavaScript error (written into the page by its
# window.onerror) fails the test. A screenshot of one step per lesson is
# left in OUTDIR for the key steps of lessons 1 and 5 (each Chromium start
# costs seconds). Then the refusals (exit codes) and a dump without the
# header's "step" field.
# Exit 77 (skipped) without chromium: scripts/deps.sh installs it.
# Usage: test_story.sh BUILD_DIR SOURCE_DIR OUTDIR
set -u
B=$1
S=$2
OUT=$3
R=$B/refgraph
. "$(dirname "$0")/lib.sh"
rg_need_chromium

# ---- the pages of every lesson, and the index -----------------------------------------------------
if sh "$S/scripts/storyboard.sh" "$B" "$TMP/out" 3 > "$TMP/storyboard.out" 2>&1; then ok; else
    bad "storyboard.sh: $(head -c 600 "$TMP/storyboard.out")"
fi
for n in 1 2 3 4 5 6; do
    grep -q "<a href=\"lesson$n.html\">Lesson $n: " "$TMP/out/index.html" 2>/dev/null && ok ||
        bad "index.html does not link lesson $n"
done

# the field of the header's "step" object in a dump: field DUMP NAME
field() { head -n 1 "$1" | sed -n "s/.*\"step\":{.*\"$2\":\"\\([^\"]*\\)\".*/\\1/p"; }

# check LESSON SHOT_STEP: the page in the browser, every step
check() {
    lesson=$1
    shot=$2
    page=$TMP/out/$lesson.html
    if grep -Eiq '(src|href)="(https?:)?//|url\(|@import|<link|<script src' "$page"; then
        bad "$lesson: the page refers to something outside itself"
    else
        ok
    fi
    head -n -2 "$page" > "$TMP/check.html"
    { echo '<script>'; cat "$S/tests/story_check.js"; echo '</script></body></html>'; } >> "$TMP/check.html"
    browse --dump-dom "file://$TMP/check.html#step=2" > "$TMP/dom.html"
    if grep -q 'id="js-error"' "$TMP/dom.html"; then
        bad "$lesson: $(grep -o '<pre id="js-error">[^<]*' "$TMP/dom.html" | sed 's/.*>//' | head -n 1)"
    else
        ok
    fi
    sed -n '/<pre id="rg-check">/,/<\/pre>/p' "$TMP/dom.html" | sed 's|<pre id="rg-check">||; s|</pre>.*||' |
        sed 's/&gt;/>/g; s/&lt;/</g; s/&amp;/\&/g' > "$TMP/lines"
    set -- "$TMP/out/$lesson"/*.jsonl
    nsteps=$#
    [ "$(wc -l < "$TMP/lines")" -eq $((nsteps + 4)) ] && ok ||
        bad "$lesson: the check script wrote $(wc -l < "$TMP/lines") lines, want $((nsteps + 4)) ($(head -c 300 "$TMP/chromium.err"))"
    # what each move should show: hash -> 2, key -> 1..n, end -> n, back -> 1, button -> 2
    want_steps="2"
    k=1
    while [ $k -le "$nsteps" ]; do want_steps="$want_steps $k"; k=$((k + 1)); done
    want_steps="$want_steps $nsteps 1 2"
    i=0
    for want in $want_steps; do
        i=$((i + 1))
        line=$(sed -n "${i}p" "$TMP/lines")
        eval "dump=\${$want}"
        title=$(field "$dump" title)
        code=$(field "$dump" code)
        bytes=$(head -n 1 "$dump" | sed -n 's/.*"bytes_in_use":\([0-9]*\).*/\1/p')
        # (through the environment: echo and awk -v would turn the code's \n into new lines)
        err=$(printf '%s\n' "$line" | K=$want T=$title C=$code N=$bytes awk -F'|' '
            { k = ENVIRON["K"]; t = ENVIRON["T"]; c = ENVIRON["C"]; b = ENVIRON["N"] }
            $2 != k { print "the page shows step " $2 ", want " k; exit }
            $3 != "step-" k { print "the visible section is " $3; exit }
            $4 != t || t == "" { print "title \"" $4 "\", want \"" t "\""; exit }
            $5 != c || c == "" { print "code \"" $5 "\", want \"" c "\""; exit }
            $6 > 1 { print $6 " pictures"; exit }
            $7 != $6 { print $6 " pictures, " $7 " rendered"; exit }
            $6 == 0 && $8 != "empty" { print "no picture and no words saying why"; exit }
            $9 != b { print "memory " $9 " bytes, want " b; exit }
            $10 ~ /0\.00 MiB/ || $10 !~ /bytes/ { print "memory reads \"" $10 "\""; exit }')
        if [ -n "$line" ] && [ -z "$err" ]; then ok; else bad "$lesson: move $i: ${err:-no line} ($line)"; fi
    done
    [ "$shot" = 0 ] && return
    png=$OUT/$lesson-step$shot.png
    mkdir -p "$OUT"
    rm -f "$png"
    browse --window-size=1280,1100 --screenshot="$png" "file://$page#step=$shot" > /dev/null
    is_png "$png" 20000 && ok || bad "no screenshot at $png"
}

# the section of step N of a page, for what a lesson is about: section PAGE N
section() { sed -n "/<section class=\"step\" id=\"step-$2\">/,/<\/section>/p" "$1"; }

check lesson1 2
section "$TMP/out/lesson1.html" 2 | grep -q 'refcount <b class="rc">8</b>' && ok || bad "lesson1: step 2 does not show refcount 8"
section "$TMP/out/lesson1.html" 2 | grep -q '1 → 8' && ok || bad "lesson1: step 2 does not show the change 1 → 8"
section "$TMP/out/lesson1.html" 4 | grep -q 'class="empty">Nothing is left to draw' && ok || bad "lesson1: the last step does not say the list is gone"
check lesson2 0
section "$TMP/out/lesson2.html" 1 | grep -q 'class="empty">Nothing to draw' && ok || bad "lesson2: the empty first step has no words"
section "$TMP/out/lesson2.html" 3 | grep -q 'class="freed">4 objects freed' && ok || bad "lesson2: the list and its 3 ints are not freed at return"
check lesson3 0
section "$TMP/out/lesson3.html" 3 | grep -q 'global a' && ok || bad "lesson3: the global does not hold the list after return"
check lesson4 0
check lesson5 3
section "$TMP/out/lesson5.html" 3 > "$TMP/l5s3"
grep -q 'class="lost">8 objects no longer reachable' "$TMP/l5s3" && ok || bad "lesson5: the cycle becoming garbage is not shown"
grep -q '2 → 1' "$TMP/l5s3" && grep -q 'unreachable cycle 1' "$TMP/l5s3" && ok || bad "lesson5: step 3's picture lacks the refcount change or the garbage box"
section "$TMP/out/lesson5.html" 4 > "$TMP/l5s4"
grep -q '1 collection, 2 objects collected' "$TMP/l5s4" && grep -q 'Nothing is left to draw: the 8 objects' "$TMP/l5s4" &&
    ok || bad "lesson5: the collection is not shown"
grep -q 'gone[0-9]*&#45;&gt;gone[0-9]*' "$TMP/l5s4" && ok || bad "lesson5: the freed cycle is drawn without its references"
check lesson6 0
section "$TMP/out/lesson6.html" 3 | grep -q 'disabled, 0 collections' && ok || bad "lesson6: the collector should not have run"

# ---- refusals and older dumps ----------------------------------------------------------------------------
D=$S/tests/dumps/valid
L5=$TMP/out/lesson5
"$R" story "$L5/lesson5-02-linked.jsonl" "$L5/lesson5-01-before.jsonl" -o "$TMP/x.html" > /dev/null 2>&1
[ $? -eq 2 ] && [ ! -e "$TMP/x.html" ] && ok || bad "steps out of order: want exit 2 and no page"
"$R" story "$L5/lesson5-02-linked.jsonl" "$TMP/out/lesson6/lesson6-02-linked.jsonl" -o "$TMP/x.html" > "$TMP/err" 2>&1
[ $? -eq 2 ] && grep -q "different heaps" "$TMP/err" && [ ! -e "$TMP/x.html" ] && ok || bad "two heaps: want exit 2"
"$R" story "$L5/lesson5-02-linked.jsonl" > /dev/null 2>&1
[ $? -eq 2 ] && ok || bad "no -o: want exit 2"
printf '{"format":"refgraph-dump"}\n' > "$TMP/bad.jsonl"
"$R" story "$TMP/bad.jsonl" -o "$TMP/x.html" > "$TMP/err" 2>&1
[ $? -eq 3 ] && grep -q "bad.jsonl" "$TMP/err" && ok || bad "invalid dump: want exit 3 naming the file"
"$R" story "$L5/lesson5-02-linked.jsonl" -o "$TMP/no/such/dir/x.html" > /dev/null 2>&1
[ $? -eq 4 ] && ok || bad "unwritable output: want exit 4"
# a dump written before the "step" field existed: the file name as title
"$R" story "$D/lesson-2-linked.jsonl" -o "$TMP/old.html" > "$TMP/err" 2>&1 && ok || bad "older dump: $(cat "$TMP/err")"
grep -q '<span class="title">lesson-2-linked.jsonl</span>' "$TMP/old.html" &&
    grep -q 'no code line recorded' "$TMP/old.html" && ok || bad "older dump: no fallback title"

# text from a dump's step field is text on the page: no tag, no terminal control
head -n 1 "$L5/lesson5-03-returned.jsonl" |
    sed 's/"title":"[^"]*"/"title":"<script>alert(1)<\/script>\\u001b[31m"/; s/"code":"[^"]*"/"code":"<img src=x onerror=alert(2)>"/' > "$TMP/hostile.jsonl"
tail -n +2 "$L5/lesson5-03-returned.jsonl" >> "$TMP/hostile.jsonl"
"$R" story "$TMP/hostile.jsonl" -o "$TMP/hostile.html" > "$TMP/err" 2>&1 && ok || bad "hostile step: $(cat "$TMP/err")"
grep -q '&lt;script&gt;alert(1)&lt;/script&gt;\\x1b\[31m' "$TMP/hostile.html" &&
    grep -q '&lt;img src=x onerror=alert(2)&gt;' "$TMP/hostile.html" && ok || bad "hostile step: not escaped as text"
if grep -q '<script>alert\|<img' "$TMP/hostile.html" || LC_ALL=C grep -q "$(printf '\033')" "$TMP/hostile.html"; then
    bad "hostile step: markup or a control character from the dump reached the page"
else
    ok
fi

rg_done "screenshots: $OUT/lesson*-step*.png"
