# lib.sh — what every shell test in tests/ shares; sourced, never run:
#     . "$(dirname "$0")/lib.sh"
# It makes the scratch folder $TMP (removed on exit) and the counters, and
# gives:
#   ok / bad MESSAGE      count a passed check / a failed one (printed "FAIL: MESSAGE")
#   rg_skip WHY           the test cannot run here: says so and exits 77, which
#                         ctest counts as skipped (SKIP_RETURN_CODE 77 in
#                         tests/CMakeLists.txt), never as passed
#   rg_need_chromium      sets CHROMIUM, or skips the test without it
#   browse FLAGS... URL   headless Chromium, stderr in $TMP/chromium.err
#   is_png FILE [BYTES]   FILE is a PNG (of more than BYTES bytes)
#   rg_done [NOTE]        prints the counts; fails when a check failed (the last command)
# A test's own helpers (expect, error, run, check...) stay in the test.

RG_TEST=$(basename "$0" .sh)
TMP=$(mktemp -d) || { echo "FAIL: $RG_TEST: mktemp -d"; exit 1; }
trap 'rm -rf "$TMP"' EXIT
passed=0
failed=0

ok() { passed=$((passed + 1)); }
bad() {
    failed=$((failed + 1))
    echo "FAIL: $*"
}

rg_skip() {
    echo "$RG_TEST: SKIPPED: $*"
    exit 77
}

rg_need_chromium() {
    CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
    [ -n "$CHROMIUM" ] || rg_skip "chromium is not installed (scripts/deps.sh installs it)"
}

# Each start gets a profile of its own; BROWSE_BUDGET is the virtual time
# (ms) a page gets to load and run its scripts.
BROWSE_BUDGET=3000
rg_launch=0
browse() { # headless, no sandbox (containers), no network of its own
    rg_launch=$((rg_launch + 1))
    timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$TMP/profile-$rg_launch" --virtual-time-budget="$BROWSE_BUDGET" "$@" 2> "$TMP/chromium.err"
}

is_png() {
    [ -s "$1" ] && [ "$(head -c 4 "$1" | od -An -c | tr -d ' ')" = "211PNG" ] && [ "$(wc -c < "$1")" -gt "${2:-0}" ]
}

rg_done() {
    echo "$passed passed, $failed failed${1:+ ($1)}"
    [ "$failed" -eq 0 ]
}
