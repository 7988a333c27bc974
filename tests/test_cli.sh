#!/bin/sh
# test_cli.sh — the refgraph command line, end to end: golden text and JSON
# for every command on the lesson's dumps, --help for every command of the
# dispatch table, exit codes, error messages, NO_COLOR.
# Usage: test_cli.sh REFGRAPH_BINARY SOURCE_DIR
# RG_UPDATE_GOLDEN=1 rewrites the golden files (review the diff first).
set -u
R=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
SRC=$(cd "$2" && pwd)
D=$SRC/tests/dumps/valid
GOLD=$SRC/tests/golden/cli
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
passed=0
failed=0

ok() { passed=$((passed + 1)); }
bad() {
    failed=$((failed + 1))
    echo "FAIL: $*"
}

# expect NAME WANT_EXIT CMD...: stdout must match tests/golden/cli/NAME
expect() {
    name=$1
    want=$2
    shift 2
    (cd "$D" && "$@") > "$TMP/out" 2> "$TMP/err"
    got=$?
    if [ "$got" != "$want" ]; then
        bad "$name: exit $got, want $want ($(head -c 300 "$TMP/err"))"
        return
    fi
    if [ -n "${RG_UPDATE_GOLDEN:-}" ]; then
        cp "$TMP/out" "$GOLD/$name"
    fi
    if cmp -s "$TMP/out" "$GOLD/$name"; then
        ok
    else
        bad "$name: output differs from tests/golden/cli/$name:"
        diff "$GOLD/$name" "$TMP/out" | head -20
    fi
}

# error NAME WANT_EXIT WANT_STDERR CMD...: one message, exactly
error() {
    name=$1
    want=$2
    msg=$3
    shift 3
    (cd "$D" && "$@") > "$TMP/out" 2> "$TMP/err"
    got=$?
    if [ "$got" != "$want" ]; then
        bad "$name: exit $got, want $want"
    elif [ "$(cat "$TMP/err")" != "$msg" ]; then
        bad "$name: stderr '$(cat "$TMP/err")', want '$msg'"
    elif [ -s "$TMP/out" ]; then
        bad "$name: wrote to stdout on an error"
    else
        ok
    fi
}

mkdir -p "$GOLD"

# ---- every command, text and JSON --------------------------------------------------
expect info.txt 0 "$R" info lesson-2-linked.jsonl
expect info.json 0 "$R" info --json lesson-3-returned.jsonl
expect stats.txt 0 "$R" stats lesson-2-linked.jsonl
expect stats-size.txt 0 "$R" stats lesson-2-linked.jsonl --sort size --limit 2
expect stats.json 0 "$R" stats --json lesson-2-linked.jsonl
expect stats-retained.txt 0 "$R" stats --retained retained.jsonl
expect stats-retained.json 0 "$R" stats --json --sort retained --limit 3 retained.jsonl
expect cycles-live.txt 0 "$R" cycles lesson-2-linked.jsonl
expect cycles-returned.txt 0 "$R" cycles lesson-3-returned.jsonl
expect cycles-unreachable-only.txt 0 "$R" cycles --unreachable lesson-2-linked.jsonl
expect cycles.json 0 "$R" cycles --json lesson-3-returned.jsonl
expect leaks.txt 0 "$R" leaks lesson-3-returned.jsonl
expect leaks.json 0 "$R" leaks --json lesson-3-returned.jsonl
expect leaks-check-found.txt 1 "$R" leaks --check lesson-3-returned.jsonl
expect leaks-check-clean.txt 0 "$R" leaks --check lesson-2-linked.jsonl
expect chain.txt 0 "$R" chain lesson-2-linked.jsonl 11
expect chain-local.txt 0 "$R" chain lesson-2-linked.jsonl func:b
expect chain.json 0 "$R" chain --json lesson-2-linked.jsonl 11
expect chain-garbage.txt 1 "$R" chain lesson-3-returned.jsonl 11
expect diff.txt 0 "$R" diff lesson-1-before.jsonl lesson-2-linked.jsonl
expect diff-collected.txt 0 "$R" diff lesson-3-returned.jsonl lesson-4-collected.jsonl
expect diff.json 0 "$R" diff --json lesson-2-linked.jsonl lesson-4-collected.jsonl
expect diff-retained.txt 0 "$R" diff retained.jsonl retained-2.jsonl
expect diff-retained.json 0 "$R" diff --json --limit 2 retained.jsonl retained-2.jsonl
expect cycles-retained.txt 0 "$R" cycles retained.jsonl
expect leaks-retained.json 0 "$R" leaks --json retained.jsonl
expect top.txt 0 "$R" top retained.jsonl
expect top-garbage.txt 0 "$R" top lesson-3-returned.jsonl --limit 3
expect top.json 0 "$R" top --json retained.jsonl --limit 4
expect top-no-chains.json 0 "$R" top --json --no-chains --limit 0 lesson-2-linked.jsonl
expect dominators.txt 0 "$R" dominators retained.jsonl cache
expect dominators-deep.txt 0 "$R" dominators retained.jsonl 21
expect dominators.json 0 "$R" dominators --json retained.jsonl 20
expect dominators-garbage.txt 0 "$R" dominators lesson-3-returned.jsonl 4
expect show-refs.dot 0 "$R" show-refs lesson-3-returned.jsonl 4 8
expect show-backrefs.dot 0 "$R" show-backrefs lesson-2-linked.jsonl 9 --no-legend
expect show-type.dot 0 "$R" show-refs lesson-2-linked.jsonl type=list --max-depth 1 --no-legend
expect show-refs.json 0 "$R" show-refs --json lesson-2-linked.jsonl func:a --max-depth 1 --too-many 2
expect show-refs-retained.dot 0 "$R" show-refs retained.jsonl cache --retained --no-legend --max-depth 2
expect show-backrefs-retained.json 0 "$R" show-backrefs --json --retained retained.jsonl 21

# ---- drawings to files ----------------------------------------------------------------
for f in png svg pdf dot; do
    if (cd "$D" && "$R" cycles lesson-3-returned.jsonl -o "$TMP/c.$f" > /dev/null) && [ -s "$TMP/c.$f" ]; then ok; else bad "cycles -o c.$f"; fi
done
if (cd "$D" && "$R" chain lesson-2-linked.jsonl 11 -o "$TMP/chain.svg" > /dev/null) && grep -q "<svg" "$TMP/chain.svg"; then ok; else bad "chain -o"; fi
if (cd "$D" && "$R" diff lesson-3-returned.jsonl lesson-4-collected.jsonl -o "$TMP/d.dot" > /dev/null) &&
    grep -q "(freed)" "$TMP/d.dot"; then ok; else bad "diff -o draws the freed objects"; fi
if (cd "$D" && "$R" show-refs lesson-2-linked.jsonl func:a --format png -o "$TMP/noext") &&
    [ "$(head -c 4 "$TMP/noext" | od -An -c | tr -d ' ')" = "211PNG" ]; then ok; else bad "--format png"; fi

# ---- --help for every command of the table, and help CMD -------------------------------
cmds=$("$R" --help | sed -n '/^commands:/,/^$/p' | awk 'NF >= 2 && $1 != "commands:" {print $1}')
n=0
for c in $cmds; do
    n=$((n + 1))
    out=$("$R" "$c" --help) && echo "$out" | head -1 | grep -q "^usage: refgraph $c " && ok || bad "$c --help"
    [ "$("$R" help "$c")" = "$out" ] && ok || bad "help $c differs from $c --help"
done
[ "$n" -eq 11 ] && ok || bad "the table lists $n commands, want 11"
"$R" --version | grep -q "^refgraph [0-9]" && ok || bad "--version"
"$R" --help > /dev/null && ok || bad "--help exit code"

# ---- errors: one message, the documented exit code ------------------------------------
"$R" > "$TMP/out" 2> "$TMP/err"
[ $? -eq 2 ] && head -1 "$TMP/err" | grep -q "^usage: refgraph " && [ ! -s "$TMP/out" ] && ok || bad "no arguments: usage on stderr, exit 2"
error unknown-command 2 "refgraph: 'frobnicate' is not a refgraph command (see 'refgraph --help')" "$R" frobnicate
error unknown-option 2 "refgraph: stats: unknown option '--frob' (see 'refgraph stats --help')" "$R" stats --frob x.jsonl
error bad-number 2 "refgraph: stats: option '--limit' needs a whole number from 0 to 1073741824, not 'many' (see 'refgraph stats --help')" "$R" stats --limit many lesson-2-linked.jsonl
error bad-sort 2 "refgraph: stats: option '--sort' takes count, size or retained, not 'name' (see 'refgraph stats --help')" "$R" stats --sort name lesson-2-linked.jsonl
error missing-value 2 "refgraph: cycles: option '--min-size' needs a value (see 'refgraph cycles --help')" "$R" cycles lesson-2-linked.jsonl --min-size
error missing-file 3 "refgraph: cannot read 'nope.jsonl': cannot open: No such file or directory" "$R" info nope.jsonl
error invalid-dump 3 "refgraph: cannot read '../invalid/bad-utf8.jsonl': line 3, column 59: malformed JSON: invalid UTF-8 in string" "$R" stats ../invalid/bad-utf8.jsonl
error wrong-id 2 "refgraph: no object with id 999 in 'lesson-2-linked.jsonl'" "$R" chain lesson-2-linked.jsonl 999
error dominators-wrong-id 2 "refgraph: no object with id 999 in 'retained.jsonl'" "$R" dominators retained.jsonl 999
error dominators-many 2 "refgraph: 'type=str' names 6 objects: name one" "$R" dominators retained.jsonl type=str
error report-no-output 2 "refgraph: report: give the output file: -o report.html (see 'refgraph report --help')" "$R" report retained.jsonl
error report-other-heap 2 "refgraph: cannot compare 'lesson-2-linked.jsonl' and 'retained.jsonl': they are dumps of different heaps (00000000000000aa and 00000000000000cc), whose ids mean different objects" "$R" report retained.jsonl lesson-2-linked.jsonl -o "$TMP/r.html"
error report-backwards 2 "refgraph: 'retained-2.jsonl' was written after 'retained.jsonl': give the newer dump first, then the older" "$R" report retained.jsonl retained-2.jsonl -o "$TMP/r.html"
error report-unwritable 4 "refgraph: cannot create '/nonexistent-dir/r.html': No such file or directory" "$R" report retained.jsonl -o /nonexistent-dir/r.html
[ ! -e "$TMP/r.html" ] && ok || bad "a refused report left a file"
error top-no-dump 2 "refgraph: top: no dump given (see 'refgraph top --help')" "$R" top
error wrong-name 2 "refgraph: no object 'nobody' in 'lesson-2-linked.jsonl': name an id, a global, FRAME:LOCAL or type=TYPE" "$R" show-refs lesson-2-linked.jsonl nobody
error wrong-local 2 "refgraph: no local 'func:zz' in 'lesson-2-linked.jsonl'" "$R" show-refs lesson-2-linked.jsonl func:zz
error no-start 2 "refgraph: show-refs: name at least one object to start from (see 'refgraph show-refs --help')" "$R" show-refs lesson-2-linked.jsonl
error other-heap 2 "refgraph: cannot compare 'lesson-2-linked.jsonl' and 'other-heap.jsonl': they are dumps of different heaps (00000000000000aa and 00000000000000bb), whose ids mean different objects" "$R" diff lesson-2-linked.jsonl other-heap.jsonl
error backwards 2 "refgraph: 'lesson-1-before.jsonl' was written before 'lesson-4-collected.jsonl': give the older dump first" "$R" diff lesson-4-collected.jsonl lesson-1-before.jsonl
error png-stdout 2 "refgraph: show-refs: png output needs a file: -o FILE (see 'refgraph show-refs --help')" "$R" show-refs lesson-2-linked.jsonl func:a --format png
error bad-layout 4 "refgraph: graphviz layout failed: layout type: \"nope\" not recognized. Use one of: circo dot fdp neato nop nop1 nop2 osage patchwork sfdp twopi" "$R" show-refs lesson-2-linked.jsonl func:a --layout nope -o "$TMP/x.png"
error unwritable 4 "refgraph: cannot create '/nonexistent-dir/x.dot': No such file or directory" "$R" show-refs lesson-2-linked.jsonl func:a -o /nonexistent-dir/x.dot
[ ! -e "$TMP/x.png" ] && ok || bad "a failed render left a file"

# ---- colour: only on a terminal, never with NO_COLOR ------------------------------------
if command -v script > /dev/null 2>&1; then
    script -qec "$R stats $D/lesson-2-linked.jsonl" /dev/null > "$TMP/tty" 2>&1
    grep -q "$(printf '\033')\[1m" "$TMP/tty" && ok || bad "no colour on a terminal"
    NO_COLOR=1 script -qec "$R stats $D/lesson-2-linked.jsonl" /dev/null > "$TMP/tty" 2>&1
    grep -q "$(printf '\033')\[" "$TMP/tty" && bad "colour despite NO_COLOR" || ok
else
    echo "skipped: the colour checks need script(1)"
fi
"$R" stats "$D/lesson-2-linked.jsonl" | grep -q "$(printf '\033')" && bad "colour in a pipe" || ok

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
