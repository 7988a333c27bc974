#!/bin/sh
# test_report.sh — `refgraph report` in a real browser: headless Chromium
# loads the page (no network), a checking script copied into the page lists
# the sections and, for every inline SVG, whether it rendered (a laid-out
# box with Graphviz's nodes in it); the DOM is dumped and compared; a
# screenshot is taken (left at OUTDIR/report.png to look at).
# Exit 77 (skipped) without chromium: scripts/deps.sh installs it.
# Usage: test_report.sh REFGRAPH SOURCE_DIR OUTDIR
set -u
R=$1
D=$2/tests/dumps/valid
OUT=$3
. "$(dirname "$0")/lib.sh"
rg_need_chromium
BROWSE_BUDGET=5000 # the report's pictures take longer to lay out than a story page

# check NAME PAGE WANT_SECTIONS: the page's sections and every SVG rendered
check() {
    name=$1
    page=$2
    want=$3
    # no resource from the network: nothing to fetch in src, href, url() or @import
    if grep -Eiq '(src|href)="(https?:)?//|url\(|@import|<link|<script' "$page"; then
        bad "$name: the page refers to something outside itself"
    else
        ok
    fi
    nsvg=$(grep -o '<svg' "$page" | wc -l)
    sed 's|</body>|<script>\
addEventListener("load", () => {\
  const svgs = [...document.querySelectorAll("svg")];\
  const drawn = svgs.filter(s => { const r = s.getBoundingClientRect(), b = s.getBBox();\
    return r.width > 20 \&\& r.height > 20 \&\& b.width > 0 \&\& s.querySelectorAll("g.node").length > 0; });\
  const p = document.createElement("pre"); p.id = "rg-check";\
  p.textContent = "sections=" + [...document.querySelectorAll("section")].map(s => s.id).join(",") +\
    " h2=" + document.querySelectorAll("section > h2").length + " svgs=" + svgs.length + " rendered=" + drawn.length;\
  document.body.appendChild(p); });\
</script></body>|' "$page" > "$TMP/check.html"
    browse --dump-dom "file://$TMP/check.html" > "$TMP/dom.html"
    got=$(sed -n 's|.*<pre id="rg-check">\([^<]*\)</pre>.*|\1|p' "$TMP/dom.html")
    nsec=$(echo "$want" | tr ',' '\n' | wc -l)
    if [ "$got" = "sections=$want h2=$nsec svgs=$nsvg rendered=$nsvg" ] && [ "$nsvg" -gt 0 ]; then
        ok
    else
        bad "$name: the DOM says '$got', want 'sections=$want h2=$nsec svgs=$nsvg rendered=$nsvg' ($(head -c 300 "$TMP/chromium.err"))"
    fi
}

# a report with an older dump: all four sections
"$R" report "$D/retained-2.jsonl" "$D/retained.jsonl" -o "$TMP/report.html" > "$TMP/out" 2>&1 &&
    [ ! -s "$TMP/out" ] && ok || bad "report: $(head -c 300 "$TMP/out")"
check report "$TMP/report.html" summary,retainers,garbage-cycles,growth
grep -q "list#20" "$TMP/report.html" && grep -q '+2.9 KiB' "$TMP/report.html" && ok ||
    bad "report: the growth of list#20 is missing"

# one dump: no growth section; a live cycle only (no garbage cycle)
"$R" report "$D/lesson-2-linked.jsonl" -o "$TMP/one.html" --limit 3 > /dev/null 2>&1 && ok || bad "report of one dump"
check one-dump "$TMP/one.html" summary,retainers,garbage-cycles
grep -q "None: every cycle is reachable" "$TMP/one.html" && ok || bad "one-dump: no garbage cycle should be listed"

# hostile text is escaped: no tag from the dump in the DOM
"$R" report "$D/report-escape.jsonl" -o "$TMP/esc.html" > /dev/null 2>&1 && ok || bad "report of report-escape.jsonl"
check escape "$TMP/esc.html" summary,retainers,garbage-cycles
# (the DOM check() dumped, with its own checking script)
if grep -Eiq '<script>alert|<img|<b>|<svg onload' "$TMP/dom.html"; then bad "escape: a tag from the dump reached the DOM"; else ok; fi
grep -q '&lt;script&gt;alert(1)' "$TMP/dom.html" && ok || bad "escape: the type name is not shown as text"

# terminal controls from a dump (ESC, BEL) never reach the page
"$R" report "$2/tests/dumps/escape/strings.jsonl" -o "$TMP/ctl.html" > /dev/null 2>&1 && ok || bad "report of escape/strings.jsonl"
if LC_ALL=C grep -q "$(printf '[\033\007]')" "$TMP/ctl.html"; then bad "a control character reached the page"; else ok; fi

# a long chain is shown by its two ends and drawn by its last steps
awk 'BEGIN {
    n = 100
    printf "{\"format\":\"refgraph-dump\",\"version\":1,\"producer\":\"t\",\"producer_version\":\"0\",\"created\":\"2026-01-01T00:00:00Z\",\"heap_id\":\"00000000000000ee\",\"heap\":{\"bytes_in_use\":0,\"peak_bytes\":0,\"live_objects\":%d,\"max_id\":%d},\"gc\":{\"enabled\":true,\"thresholds\":[700,10,10],\"counts\":[0,0,0],\"stats\":[{\"collections\":0,\"collected\":0,\"uncollectable\":0},{\"collections\":0,\"collected\":0,\"uncollectable\":0},{\"collections\":0,\"collected\":0,\"uncollectable\":0}],\"garbage_id\":null}}\n", n, n
    for (i = 1; i <= n; i++)
        printf "{\"id\":%d,\"type\":\"Node\",\"size\":%d,\"rc\":1,\"gen\":0,\"label\":\"\",\"refs\":[%s]}\n", i, i == n ? 100000 : 8, i < n ? "[" (i + 1) ",\"next\"]" : ""
    printf "{\"global\":\"head\",\"id\":1}\n"
    printf "{\"trailer\":{\"objects\":%d,\"references\":%d,\"globals\":1,\"frames\":0,\"generations\":{\"untracked\":0,\"0\":%d,\"1\":0,\"2\":0,\"frozen\":0}}}\n", n, n - 1, n
}' > "$TMP/chain.jsonl"
"$R" report "$TMP/chain.jsonl" -o "$TMP/chain.html" --limit 100 > /dev/null 2>&1 && ok || bad "report of a 100-object chain"
grep -q '\.\.\. (59 more references) \.\.\.' "$TMP/chain.html" && ok || bad "chain: the 99-step chain is not cut to its ends"
[ "$(grep -o '<g id="node' "$TMP/chain.html" | wc -l)" -lt 2000 ] && ok || bad "chain: the pictures draw whole chains"

# a screenshot of the full report
mkdir -p "$OUT"
rm -f "$OUT/report.png"
browse --window-size=1200,3000 --screenshot="$OUT/report.png" "file://$TMP/report.html" > /dev/null
is_png "$OUT/report.png" 20000 && ok || bad "no screenshot at $OUT/report.png"

rg_done "screenshot: $OUT/report.png"
