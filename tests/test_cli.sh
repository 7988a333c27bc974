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
. "$(dirname "$0")/lib.sh"

# in_dumps CMD...: CMD in the dumps' folder; stdout in $TMP/out, stderr in $TMP/err, exit code in $got
in_dumps() {
    (cd "$D" && "$@") > "$TMP/out" 2> "$TMP/err"
    got=$?
}

# expect NAME WANT_EXIT CMD...: stdout must match tests/golden/cli/NAME
expect() {
    name=$1
    want=$2
    shift 2
    in_dumps "$@"
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
    in_dumps "$@"
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
# lesson 5's key moment: func returned, its cycle is no longer reachable
expect diff-unreachable.txt 0 "$R" diff lesson-2-linked.jsonl lesson-3-returned.jsonl
expect diff-unreachable.json 0 "$R" diff --json lesson-2-linked.jsonl lesson-3-returned.jsonl
# address ids (CPython without refgraph.track()): an address reused by another
# type or size is a freed and a new object, never an unchanged one
expect diff-addresses.txt 0 "$R" diff addr-1.jsonl addr-2.jsonl
expect diff-addresses.json 0 "$R" diff --json addr-1.jsonl addr-2.jsonl
(cd "$D" && "$R" diff --json addr-1-seq.jsonl addr-2.jsonl) > "$TMP/out" 2> "$TMP/err"
if [ $? = 0 ] && cmp -s "$TMP/out" "$GOLD/diff-addresses-mixed.json" &&
    [ "$(cat "$TMP/err")" = "refgraph: warning: 'addr-1-seq.jsonl' has sequence ids and 'addr-2.jsonl' has reusable ids: objects are matched by id, type and size" ]
then ok; else bad "diff of a sequence-id and an address-id dump: warned, matched as addresses ($(cat "$TMP/err"))"; fi
expect cycles-retained.txt 0 "$R" cycles retained.jsonl
expect leaks-retained.json 0 "$R" leaks --json retained.jsonl
expect top.txt 0 "$R" top retained.jsonl
expect top-garbage.txt 0 "$R" top lesson-3-returned.jsonl --limit 3
expect top.json 0 "$R" top --json retained.jsonl --limit 4
expect top-long-chain.txt 0 "$R" top chain-25.jsonl --limit 0
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
expect show-refs-no-ids.dot 0 "$R" show-refs lesson-3-returned.jsonl 4 --max-depth 1 --no-ids

# ---- objgraph's verbs (issue 12): by_type, count, find_ref_chain, max_depth=0, extra_info --------
expect by-type.txt 0 "$R" by-type lesson-2-linked.jsonl int
expect by-type.json 0 "$R" by-type --json --limit 2 lesson-2-linked.jsonl int
expect count.txt 0 "$R" count lesson-2-linked.jsonl int
expect count.json 0 "$R" count --json lesson-2-linked.jsonl list
expect chain-to-type.txt 0 "$R" chain lesson-2-linked.jsonl func:a --to type=int
expect chain-to.json 0 "$R" chain --json lesson-2-linked.jsonl func:a --to 9
expect chain-to-none.txt 1 "$R" chain lesson-2-linked.jsonl 5 --to type=list
expect chain-to-none.json 1 "$R" chain --json lesson-2-linked.jsonl 5 --to type=list
expect show-depth-0.json 0 "$R" show-refs --json lesson-2-linked.jsonl func:a --max-depth 0
expect show-extra-info.dot 0 "$R" show-refs lesson-2-linked.jsonl func:a --max-depth 1 --no-legend --extra-info id --extra-info referrers --extra-info gen
expect show-extra-info.json 0 "$R" show-refs --json lesson-2-linked.jsonl func:a --max-depth 1 --extra-info size --extra-info flags
# the heap's singletons are known by the dump's "static", not by type names (issue 12)
expect leaks-impostor.txt 0 "$R" leaks ../hostile/impostor-singletons.jsonl

# ---- drawings to files ----------------------------------------------------------------
for f in png svg pdf dot; do
    if (cd "$D" && "$R" cycles lesson-3-returned.jsonl -o "$TMP/c.$f" > /dev/null) && [ -s "$TMP/c.$f" ]; then ok; else bad "cycles -o c.$f"; fi
done
if (cd "$D" && "$R" chain lesson-2-linked.jsonl 11 -o "$TMP/chain.svg" > /dev/null) && grep -q "<svg" "$TMP/chain.svg"; then ok; else bad "chain -o"; fi
# ids in the boxes, and legends that list what each picture draws: the chain's
# red text is the object asked about, the garbage cycle has no root
if (cd "$D" && "$R" chain lesson-2-linked.jsonl 11 -o "$TMP/chain.dot" > /dev/null) &&
    grep -q 'label="int#11' "$TMP/chain.dot" && grep -q "the object asked about" "$TMP/chain.dot" &&
    grep -q "farther from the root" "$TMP/chain.dot" && ! grep -q "where the walk starts" "$TMP/chain.dot"; then
    ok; else bad "chain -o: ids and the chain's legend"; fi
if (cd "$D" && "$R" cycles lesson-3-returned.jsonl -o "$TMP/c2.dot" > /dev/null) &&
    grep -q "no root reaches" "$TMP/c2.dot" && ! grep -q "a root:" "$TMP/c2.dot" &&
    ! grep -q "weak" "$TMP/c2.dot" && grep -q 'label="list#4' "$TMP/c2.dot"; then
    ok; else bad "cycles -o: ids and the legend of an unreachable cycle"; fi
if (cd "$D" && "$R" diff lesson-3-returned.jsonl lesson-4-collected.jsonl -o "$TMP/d.dot" > /dev/null) &&
    grep -q "(freed)" "$TMP/d.dot"; then ok; else bad "diff -o draws the freed objects"; fi
if (cd "$D" && "$R" diff lesson-2-linked.jsonl lesson-3-returned.jsonl -o "$TMP/u.dot" > /dev/null) &&
    [ "$(grep -c "peripheries=2" "$TMP/u.dot")" = 8 ] &&
    tr -d '\n\\' < "$TMP/u.dot" |
        grep -q 'bgcolor="0.080 0.550 1.000"></td><td align="left">reachable before, unreachable now'; then ok
else bad "diff -o draws the objects that became unreachable, with their legend entry"; fi
if (cd "$D" && "$R" show-refs lesson-2-linked.jsonl func:a --format png -o "$TMP/noext") &&
    is_png "$TMP/noext"; then ok; else bad "--format png"; fi

# ---- the command line: dispatch from the table, usage errors before any work --------------
error extra-argument 2 "refgraph: top: unexpected argument 'b.jsonl' (see 'refgraph top --help')" "$R" top a.jsonl b.jsonl
error missing-new 2 "refgraph: diff: missing NEW_DUMP (see 'refgraph diff --help')" "$R" diff lesson-1-before.jsonl
error story-no-output 2 "refgraph: story: option -o or --output is required (see 'refgraph story --help')" "$R" story lesson-1-before.jsonl
# a bad output name or format is a usage error (2) found before the dump is read (3 without the check)
error format-unknown 2 "refgraph: cycles: option '--format' takes dot, png, svg, pdf or json, not 'gif' (see 'refgraph cycles --help')" "$R" cycles nope.jsonl -o x.gif --format gif
error output-unknown 2 "refgraph: show-refs: cannot tell the format of 'x.gif': use .dot, .png, .svg, .pdf or .json, or --format (see 'refgraph show-refs --help')" "$R" show-refs nope.jsonl 1 -o x.gif
error chain-output-unknown 2 "refgraph: chain: cannot tell the format of 'x.gif': use .dot, .png, .svg, .pdf or .json, or --format (see 'refgraph chain --help')" "$R" chain nope.jsonl 1 -o x.gif
error json-format 2 "refgraph: show-refs: options '--json' and '--format svg' contradict each other: give one (see 'refgraph show-refs --help')" "$R" show-refs --json lesson-2-linked.jsonl 1 --format svg -o "$TMP/j.svg"
# --format the same way in every drawing command: refused without a file to draw to
for c in "cycles DUMP" "chain DUMP 11" "diff lesson-1-before.jsonl DUMP"; do
    # shellcheck disable=SC2086
    set -- $(echo "$c" | sed "s|DUMP|lesson-2-linked.jsonl|")
    cmd=$1
    error "$cmd-format-no-output" 2 "refgraph: $cmd: option '--format' draws to a file: give -o FILE (or -o - for standard output) (see 'refgraph $cmd --help')" "$R" "$@" --format svg
done
for c in show-refs show-backrefs; do
    error "$c-format-no-output" 2 "refgraph: $c: svg output needs a file: -o FILE (or -o - for standard output) (see 'refgraph $c --help')" "$R" "$c" lesson-2-linked.jsonl 11 --format svg
done
# every drawing command's -o says what it draws; none claims DOT on standard output but show-*
for c in cycles chain diff; do
    "$R" "$c" --help | grep -q "also draw the .* to FILE" && ! "$R" "$c" --help | grep -qi "stdout\|DOT on" && ok || bad "$c --help: -o"
done
# -o NAME.PNG: the extension in any case
(cd "$D" && "$R" show-refs lesson-2-linked.jsonl func:a -o "$TMP/upper.PNG") &&
    is_png "$TMP/upper.PNG" && ok || bad "-o x.PNG"
(cd "$D" && "$R" cycles lesson-3-returned.jsonl -o "$TMP/upper.Svg" > /dev/null) && grep -q "<svg" "$TMP/upper.Svg" && ok || bad "cycles -o x.Svg"
(cd "$D" && "$R" show-refs --json lesson-2-linked.jsonl func:a -o "$TMP/sel.txt") && grep -q "\"objects\"" "$TMP/sel.txt" && ok || bad "show-refs --json -o NAME: JSON whatever the name"
# -o - is standard output for every command that writes a file
(cd "$D" && "$R" chain lesson-2-linked.jsonl 11 -o -) > "$TMP/out" && head -1 "$TMP/out" | grep -q "^frame local: " &&
    grep -q "^digraph" "$TMP/out" && ok || bad "chain -o -: $(head -c 200 "$TMP/out")"
(cd "$D" && "$R" diff lesson-3-returned.jsonl lesson-4-collected.jsonl -o - --format svg) > "$TMP/out" && grep -q "<svg" "$TMP/out" && ok || bad "diff -o - --format svg"
(cd "$D" && "$R" report retained.jsonl -o -) > "$TMP/out" 2> "$TMP/err" && grep -q "</html>" "$TMP/out" && ok || bad "report -o -: $(cat "$TMP/err")"
(cd "$D" && "$R" story lesson-1-before.jsonl lesson-2-linked.jsonl -o -) > "$TMP/out" 2> "$TMP/err" && grep -q "Step 2 of 2" "$TMP/out" && ok || bad "story -o -: $(cat "$TMP/err")"
# a dump named - is standard input, gzip-compressed or not; read once
(cd "$D" && "$R" stats lesson-2-linked.jsonl) > "$TMP/want"
(cd "$D" && "$R" stats - < lesson-2-linked.jsonl) > "$TMP/out" && cmp -s "$TMP/want" "$TMP/out" && ok || bad "stats - < DUMP"
gzip -c "$D/lesson-2-linked.jsonl" | "$R" stats - > "$TMP/out" && cmp -s "$TMP/want" "$TMP/out" && ok || bad "stats - < DUMP.gz"
cat "$D/lesson-2-linked.jsonl" | "$R" info --lenient - | grep -q "^validation   ok" && ok || bad "info --lenient -"
(cd "$D" && "$R" diff lesson-1-before.jsonl lesson-2-linked.jsonl) > "$TMP/want"
(cd "$D" && "$R" diff lesson-1-before.jsonl - < lesson-2-linked.jsonl) > "$TMP/out" && cmp -s "$TMP/want" "$TMP/out" && ok || bad "diff OLD - < NEW"
(cd "$D" && "$R" story - lesson-2-linked.jsonl -o "$TMP/story.html" < lesson-1-before.jsonl) && grep -q "Step 2 of 2" "$TMP/story.html" && ok || bad "story - STEP"
(cd "$D" && "$R" show-refs - func:a < lesson-2-linked.jsonl) > "$TMP/out" && grep -q "^digraph" "$TMP/out" && ok || bad "show-refs - START"
error stdin-twice 2 "refgraph: diff: standard input can be read once: give '-' for one dump only (see 'refgraph diff --help')" "$R" diff - -
(cd "$D" && "$R" stats - < ../invalid/bad-utf8.jsonl) > "$TMP/out" 2> "$TMP/err"
[ $? -eq 3 ] && [ "$(cat "$TMP/err")" = "refgraph: cannot read standard input: line 3, column 59: malformed JSON: invalid UTF-8 in string" ] &&
    ok || bad "an invalid dump on standard input: $(cat "$TMP/err")"

# ---- --help for every command of the table, and help CMD -------------------------------
cmds=$("$R" --help | sed -n '/^commands:/,/^$/p' | awk '/^  [a-z]/ {print $1}')
n=0
for c in $cmds; do
    n=$((n + 1))
    out=$("$R" "$c" --help) && echo "$out" | head -1 | grep -q "^usage: refgraph $c " && ok || bad "$c --help"
    [ "$("$R" help "$c")" = "$out" ] && ok || bad "help $c differs from $c --help"
done
[ "$n" -eq 15 ] && ok || bad "the table lists $n commands, want 15"
"$R" --version | grep -q "^refgraph [0-9]" && ok || bad "--version"
"$R" --help > /dev/null && ok || bad "--help exit code"

# ---- help fits 80 columns, every placeholder means something ------------------------------
for c in "" $cmds; do
    # shellcheck disable=SC2086
    long=$("$R" $c --help | awk 'length($0) > 80 {print length($0) ": " $0}')
    [ -z "$long" ] && ok || bad "refgraph $c --help has lines over 80 columns: $long"
    # shellcheck disable=SC2086
    "$R" $c --help | grep -q -- '--[a-z-]* X\b' && bad "refgraph $c --help: a placeholder X" || ok
done
"$R" stats --help | grep -q -- '--limit N ' && "$R" show-refs --help | grep -q -- '-o, --output FILE ' && ok ||
    bad "placeholders: --limit N, -o FILE"

# ---- the bash completion, generated from the table (--completion-helper) ------------------
# the helper names every command of --help, and nothing else
[ "$("$R" --completion-helper | tr '\n' ' ')" = "$(echo $cmds | tr '\n' ' ')" ] && ok ||
    bad "--completion-helper lists '$("$R" --completion-helper | tr '\n' ' ')', --help '$cmds'"
# contrib/refgraph.bash lists no command or option by hand
grep -q -- 'show-backrefs\|--max-depth\|--retained' "$SRC/contrib/refgraph.bash" && bad "contrib/refgraph.bash lists commands or options by hand" || ok
# sourced in bash and called as bash calls it (COMP_WORDS, COMP_CWORD): prints COMPREPLY
cat > "$TMP/complete.bash" << 'EOF'
shopt -s extglob
. "$1"
shift
COMP_WORDS=("$@")
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
COMPREPLY=()
_refgraph
printf '%s\n' "${COMPREPLY[@]}"
EOF
completion() { (cd "$TMP" && bash "$TMP/complete.bash" "$SRC/contrib/refgraph.bash" "$R" "$@") 2>&1; }
if command -v bash > /dev/null 2>&1; then
    words=$(completion "")
    for c in $cmds help; do
        echo "$words" | grep -qx -- "$c" && ok || bad "completion does not offer the command $c"
    done
    [ "$(completion sho | sort | tr '\n' ' ')" = "show-backrefs show-refs " ] && ok || bad "completion of 'sho': $(completion sho)"
    nopts=0
    for c in $cmds; do
        words=$(completion "$c" -)
        for o in $("$R" "$c" --help | sed -n 's/^  \(-.\)\{0,1\},\{0,1\} *\(--[a-z-]*\).*/\1 \2/p'); do
            nopts=$((nopts + 1))
            echo "$words" | grep -qx -- "$o" && ok || bad "completion does not offer $c $o"
        done
    done
    [ "$nopts" -gt 100 ] && ok || bad "only $nopts options checked"
    [ "$(completion stats --sort "" | tr '\n' ' ')" = "count size retained " ] && ok || bad "completion of stats --sort: $(completion stats --sort "")"
    [ "$(completion cycles --format p | sort | tr '\n' ' ')" = "pdf png " ] && ok || bad "completion of cycles --format p: $(completion cycles --format p)"
    [ -z "$(completion top --limit "")" ] && ok || bad "completion of top --limit N offers '$(completion top --limit "")'"
    touch "$TMP/pick-me.html"
    completion report -o pick | grep -qx "pick-me.html" && ok || bad "completion of report -o FILE: $(completion report -o pick)"
    completion help dom | grep -qx dominators && ok || bad "completion of help COMMAND"
else
    echo "skipped: the completion checks need bash"
fi

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
error report-no-output 2 "refgraph: report: option -o or --output is required (see 'refgraph report --help')" "$R" report retained.jsonl
error report-other-heap 2 "refgraph: cannot compare 'lesson-2-linked.jsonl' and 'retained.jsonl': they are dumps of different heaps (00000000000000aa and 00000000000000cc), whose ids mean different objects" "$R" report retained.jsonl lesson-2-linked.jsonl -o "$TMP/r.html"
error report-backwards 2 "refgraph: 'retained-2.jsonl' was written after 'retained.jsonl': give the newer dump first, then the older" "$R" report retained.jsonl retained-2.jsonl -o "$TMP/r.html"
error report-unwritable 4 "refgraph: cannot create '/nonexistent-dir/r.html': No such file or directory" "$R" report retained.jsonl -o /nonexistent-dir/r.html
[ ! -e "$TMP/r.html" ] && ok || bad "a refused report left a file"
error top-no-dump 2 "refgraph: top: no dump given (see 'refgraph top --help')" "$R" top
error wrong-name 2 "refgraph: no object 'nobody' in 'lesson-2-linked.jsonl': name an id, a global, FRAME:LOCAL or type=TYPE" "$R" show-refs lesson-2-linked.jsonl nobody
error type-typo 2 "refgraph: no object of type 'lst' in 'lesson-2-linked.jsonl'; the closest: 'list', 'int'" "$R" show-refs lesson-2-linked.jsonl type=lst
error type-option-typo 2 "refgraph: no object of type 'Usr' in 'retained.jsonl'; the closest: 'User', 'str'" "$R" show-refs retained.jsonl cache --type Usr
error skip-type-typo 2 "refgraph: no object of type 'LIST' in 'lesson-2-linked.jsonl'; the closest: 'list'" "$R" chain lesson-2-linked.jsonl 11 --skip-type LIST
error highlight-typo 2 "refgraph: no object of type 'dcit' in 'retained.jsonl'; the closest: 'dict'" "$R" cycles retained.jsonl --highlight dcit
error stop-typo-diff 2 "refgraph: no object of type 'Nodes' in 'lesson-2-linked.jsonl' (types are case-sensitive; 'refgraph stats' lists them)" "$R" diff lesson-1-before.jsonl lesson-2-linked.jsonl --stop Nodes
error chain-to-typo 2 "refgraph: no object of type 'it' in 'lesson-2-linked.jsonl'; the closest: 'int', 'list'" "$R" chain lesson-2-linked.jsonl func:a --to type=it
error by-type-typo 2 "refgraph: no object of type 'Int' in 'lesson-2-linked.jsonl'; the closest: 'int'" "$R" by-type lesson-2-linked.jsonl Int
error count-unknown 2 "refgraph: no object of type 'zzzzzzzz' in 'lesson-2-linked.jsonl' (types are case-sensitive; 'refgraph stats' lists them)" "$R" count lesson-2-linked.jsonl zzzzzzzz
error extra-info-bad 2 "refgraph: show-refs: option '--extra-info' takes id, size, refcount, gen, referrers, references or flags, not 'colour' (see 'refgraph show-refs --help')" "$R" show-refs lesson-2-linked.jsonl func:a --extra-info colour
error wrong-local 2 "refgraph: no local 'func:zz' in 'lesson-2-linked.jsonl'" "$R" show-refs lesson-2-linked.jsonl func:zz
error no-start 2 "refgraph: show-refs: missing START (see 'refgraph show-refs --help')" "$R" show-refs lesson-2-linked.jsonl
error other-heap 2 "refgraph: cannot compare 'lesson-2-linked.jsonl' and 'other-heap.jsonl': they are dumps of different heaps (00000000000000aa and 00000000000000bb), whose ids mean different objects" "$R" diff lesson-2-linked.jsonl other-heap.jsonl
error backwards 2 "refgraph: 'lesson-1-before.jsonl' was written before 'lesson-4-collected.jsonl': give the older dump first" "$R" diff lesson-4-collected.jsonl lesson-1-before.jsonl
error png-stdout 2 "refgraph: show-refs: png output needs a file: -o FILE (or -o - for standard output) (see 'refgraph show-refs --help')" "$R" show-refs lesson-2-linked.jsonl func:a --format png
error bad-layout 4 "refgraph: graphviz layout failed: layout type: \"nope\" not recognized. Use one of: circo dot fdp neato nop nop1 nop2 osage patchwork sfdp twopi" "$R" show-refs lesson-2-linked.jsonl func:a --layout nope -o "$TMP/x.png"
error unwritable 4 "refgraph: cannot create '/nonexistent-dir/x.dot': No such file or directory" "$R" show-refs lesson-2-linked.jsonl func:a -o /nonexistent-dir/x.dot
[ ! -e "$TMP/x.png" ] && ok || bad "a failed render left a file"

# ---- nothing raw from a dump reaches the terminal (issue 11, item 5) ----------------------
# tests/dumps/escape/strings.jsonl holds ESC sequences, BEL, DEL, C1 controls (U+009B is CSI),
# newlines, NUL, U+FFFE/U+FFFF and "&#x1F;" in its producer, types, labels, names and edges.
E=../escape
# raw_free FILE: valid UTF-8 with no control character but newline and tab, no DEL, no C1, no U+FFFE/FFFF
raw_free() {
    /usr/bin/python3 - "$1" << 'PYEOF'
import sys
t = open(sys.argv[1], 'rb').read().decode('utf-8')
bad = [c for c in t if (ord(c) < 0x20 and c not in '\n\t') or 0x7f <= ord(c) <= 0x9f or ord(c) in (0xfffe, 0xffff)]
sys.exit(1 if bad else 0)
PYEOF
}
for args in "info" "info --json" "stats" "stats --json" "cycles" "cycles --json" "leaks" "leaks --json" \
    "chain STRINGS 1" "chain --json STRINGS 1" "show-refs STRINGS 1" "show-refs --json STRINGS 2" \
    "show-backrefs STRINGS 1" "diff STRINGS STRINGS" "diff --json STRINGS STRINGS"; do
    set -- $args
    cmd=$1
    shift
    rest=$(echo "$*" | sed "s|STRINGS|$E/strings.jsonl|g")
    case "$args" in *STRINGS*) ;; *) rest="$rest $E/strings.jsonl" ;; esac
    # shellcheck disable=SC2086
    (cd "$D" && "$R" "$cmd" $rest) > "$TMP/out" 2> "$TMP/err"
    rc=$?
    if [ $rc -gt 1 ]; then
        bad "$cmd $rest on hostile strings: exit $rc ($(head -c 300 "$TMP/err"))"
    elif raw_free "$TMP/out" && raw_free "$TMP/err"; then ok; else bad "$cmd $rest: a control character reached the terminal"; fi
done
expect escape-info.txt 0 "$R" info $E/strings.jsonl
expect escape-leaks.txt 0 "$R" leaks $E/strings.jsonl
expect escape-chain.txt 0 "$R" chain $E/strings.jsonl 1
expect escape-show.json 0 "$R" show-refs --json $E/strings.jsonl 1
expect escape-top.txt 0 "$R" top $E/strings.jsonl
expect escape-top.json 0 "$R" top --json $E/strings.jsonl
expect escape-dominators.txt 0 "$R" dominators $E/strings.jsonl 1
expect escape-stats-retained.json 0 "$R" stats --json --retained $E/strings.jsonl
# an error quoting a name with a newline and ESC: one line, escaped
error escape-message 3 "refgraph: cannot read '$E/dangling-name.jsonl': line 4: global \"g\\x1b[2J\\x0asecond line\" refers to id 99, which is not in the dump" "$R" info $E/dangling-name.jsonl
error escape-argument 2 "refgraph: no object 'a\\x1b[2Jb' in 'lesson-2-linked.jsonl': name an id, a global, FRAME:LOCAL or type=TYPE" "$R" show-refs lesson-2-linked.jsonl "$(printf 'a\033[2Jb')"
# in drawings: every renderer's text well-formed (the SVGs are parsed at the end)
(cd "$D" && "$R" show-refs $E/strings.jsonl 1 -o "$TMP/escape.svg" && "$R" cycles $E/strings.jsonl -o "$TMP/escape-cycles.svg" > /dev/null &&
    "$R" show-refs $E/strings.jsonl 1 -o "$TMP/escape.dot") 2> "$TMP/err" &&
    grep -q '&amp;#x1F;' "$TMP/escape.svg" && grep -q '\\\\uffff' "$TMP/escape.dot" && ok || bad "hostile strings drawn ($(head -c 300 "$TMP/err"))"

# ---- output files: atomic, or written directly (issue 11, item 7) -------------------------
# -o - is standard output, any format
(cd "$D" && "$R" show-refs lesson-2-linked.jsonl func:a --format png -o -) > "$TMP/stdout.png"
is_png "$TMP/stdout.png" && ok || bad "-o - writes the PNG to standard output"
# a FIFO is written, not replaced (the reader would wait forever)
mkfifo "$TMP/fifo"
timeout 20 cat "$TMP/fifo" > "$TMP/fifo.out" &
catpid=$!
(cd "$D" && timeout 20 "$R" show-refs lesson-2-linked.jsonl func:a --format dot -o "$TMP/fifo") 2> "$TMP/err"
wait $catpid
[ -p "$TMP/fifo" ] && grep -q "^digraph" "$TMP/fifo.out" && ok || bad "-o FIFO: replaced or not written ($(cat "$TMP/err"))"
rm -f "$TMP/fifo"
# a device is written, not replaced (safe to run only with the fix: as root the old code replaced it)
if [ -c /dev/null ] && (cd "$D" && "$R" show-refs lesson-2-linked.jsonl func:a -o /dev/null --format svg) && [ -c /dev/null ]; then ok; else bad "-o /dev/null"; fi
# /dev/stdout redirected to a file: written through standard output, after the report, not replaced
(cd "$D" && "$R" cycles lesson-3-returned.jsonl --format dot -o /dev/stdout) > "$TMP/so.txt" 2> "$TMP/err"
head -1 "$TMP/so.txt" | grep -q "^1 cycle" && grep -q "^digraph" "$TMP/so.txt" && ok ||
    bad "-o /dev/stdout to a file: $(head -c 100 "$TMP/so.txt") $(cat "$TMP/err")"
# a symlink to a regular file: the file is replaced, the link stays
echo old > "$TMP/real.dot"
ln -s real.dot "$TMP/link.dot"
(cd "$D" && "$R" show-refs lesson-2-linked.jsonl func:a -o "$TMP/link.dot") && [ -L "$TMP/link.dot" ] &&
    grep -q "^digraph" "$TMP/real.dot" && ok || bad "-o SYMLINK: link replaced or file not written"
# a legal 250-character name (the temporary name must fit NAME_MAX too)
long=$(printf '%0246d' 0).dot
(cd "$D" && "$R" show-refs lesson-2-linked.jsonl func:a -o "$TMP/$long") 2> "$TMP/err" && grep -q "^digraph" "$TMP/$long" &&
    ok || bad "a 250-character output name ($(cat "$TMP/err"))"
(cd "$D" && "$R" show-refs --json lesson-2-linked.jsonl func:a -o "$TMP/$(printf '%0245d' 0).json") && ok || bad "a 250-character JSON name"
# --json -o replaces the file by a rename: a new inode, never the old file truncated in place
echo precious > "$TMP/sel.json"
ino1=$(ls -i "$TMP/sel.json" | awk '{print $1}')
(cd "$D" && "$R" show-refs --json lesson-2-linked.jsonl func:a -o "$TMP/sel.json")
ino2=$(ls -i "$TMP/sel.json" | awk '{print $1}')
[ "$ino1" != "$ino2" ] && grep -q '"objects"' "$TMP/sel.json" && ok || bad "--json -o is not atomic (same inode)"
# killed while drawing: no temporary file, the old target intact
/usr/bin/python3 - "$TMP/slow.jsonl" << 'PYEOF'
import json, random, sys
random.seed(1)
n = 5000
out = open(sys.argv[1], 'w')
out.write(json.dumps({"format": "refgraph-dump", "version": 1, "producer": "test", "producer_version": "1",
    "created": "2026-01-01T00:00:00Z", "heap_id": "00000000000000cc",
    "heap": {"bytes_in_use": 0, "peak_bytes": 0, "live_objects": n, "max_id": n},
    "gc": {"enabled": True, "thresholds": [700, 10, 10], "counts": [0, 0, 0],
           "stats": [{"collections": 0, "collected": 0, "uncollectable": 0}] * 3, "garbage_id": None}}) + "\n")
for i in range(1, n + 1):
    refs = [[random.randint(1, n), "[%d]" % k] for k in range(3)]
    out.write(json.dumps({"id": i, "type": "node", "size": 64, "rc": 5, "gen": 2, "label": "x", "refs": refs}) + "\n")
out.write(json.dumps({"trailer": {"objects": n, "references": 3 * n, "globals": 0, "frames": 0,
    "generations": {"untracked": 0, "0": 0, "1": 0, "2": n, "frozen": 0}}}) + "\n")
PYEOF
mkdir "$TMP/kill"
for sig in TERM INT; do
    echo precious > "$TMP/kill/slow.target"
    # background jobs of a script ignore SIGINT: give the command the default back
    env --default-signal=INT,TERM "$R" show-refs "$TMP/slow.jsonl" type=node --max-nodes 800 --format svg -o "$TMP/kill/slow.target" 2> /dev/null &
    pid=$!
    i=0
    while [ $i -lt 200 ] && ! ls -a "$TMP/kill" | grep -q 'tmp-'; do sleep 0.05; i=$((i + 1)); done
    [ $i -lt 200 ] || bad "SIG$sig: no temporary file appeared"
    kill -$sig $pid
    wait $pid 2> /dev/null
    rc=$?
    left=$(ls -a "$TMP/kill" | grep -c 'tmp-')
    if [ "$left" -eq 0 ] && [ "$(cat "$TMP/kill/slow.target")" = precious ] && [ $rc -gt 128 ]; then ok; else
        bad "killed by SIG$sig (exit $rc): $left temporary file(s) left, target '$(head -c 20 "$TMP/kill/slow.target")'"
    fi
done

# ---- drawings stay usable (issue 11, item 9) ----------------------------------------------
# a cap on drawn objects, said on stderr with how to raise it; many starts sampled
(cd "$D" && "$R" show-refs --json "$TMP/slow.jsonl" type=node) > "$TMP/out" 2> "$TMP/err"
nobj=$(/usr/bin/python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["objects"]))' "$TMP/out")
[ "$nobj" = 500 ] && ok || bad "default cap: $nobj objects drawn, want 500"
[ "$(cat "$TMP/err")" = "refgraph: started from 125 of the 5000 objects named, evenly spaced: name fewer, or raise --max-nodes (a quarter of it may be start objects)
refgraph: drew 500 of the 2840 objects within --max-depth 3, the nearest first: --max-nodes 2840 draws them all" ] &&
    ok || bad "the cap's notes: $(cat "$TMP/err")"
(cd "$D" && "$R" show-refs --json "$TMP/slow.jsonl" 1 --max-nodes 7) > "$TMP/out" 2> /dev/null
nobj=$(/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); ids={o["id"] for o in d["objects"]}; assert all(r["from"] in ids and r["to"] in ids for r in d["references"]); print(len(ids))' "$TMP/out")
[ "$nobj" = 7 ] && ok || bad "--max-nodes 7: $nobj objects drawn"
# every drawing command: cycles -o too
(cd "$D" && "$R" cycles lesson-3-returned.jsonl --max-nodes 1 -o "$TMP/cap.dot" > /dev/null) 2> "$TMP/err"
[ "$(cat "$TMP/err")" = "refgraph: drew 1 object and left out 1 more: --max-nodes 2 draws them all" ] &&
    [ "$(grep -c "^$(printf '\t*')o[0-9]" "$TMP/cap.dot")" -eq 1 ] && ok || bad "cycles --max-nodes 1: $(cat "$TMP/err")"
error max-nodes-bad 2 "refgraph: show-refs: option '--max-nodes' needs a whole number from 1 to 100000000, not '0' (see 'refgraph show-refs --help')" "$R" show-refs lesson-2-linked.jsonl func:a --max-nodes 0
# a PNG Graphviz would shrink to unreadable is refused with advice, and nothing written
# (1000 start objects side by side; --max-depth 0 draws nothing else, so the layout is quick)
(cd "$D" && "$R" show-refs "$TMP/slow.jsonl" type=node --max-nodes 4000 --max-depth 0 -o "$TMP/wide.png") > /dev/null 2> "$TMP/err"
rc=$?
[ $rc -eq 4 ] && [ ! -e "$TMP/wide.png" ] && grep -q "as a PNG it would be shrunk to .* write SVG or PDF instead (-o FILE.svg), draw less (--max-nodes, --max-depth), or try --layout sfdp" "$TMP/err" &&
    ok || bad "an unreadable PNG: exit $rc, $(tail -1 "$TMP/err")"
# progress on a terminal while Graphviz works more than a second (killed once it shows)
if command -v script > /dev/null 2>&1; then
    script -qec "$R show-refs $TMP/slow.jsonl type=node --max-nodes 800 -o $TMP/kill/tty.svg" /dev/null > "$TMP/tty" 2>&1 &
    spid=$!
    i=0
    while [ $i -lt 300 ] && ! grep -q "drawing 800 objects with Graphviz: 1 s" "$TMP/tty"; do sleep 0.05; i=$((i + 1)); done
    [ $i -lt 300 ] && ok || bad "no progress line on a terminal: $(tail -c 200 "$TMP/tty")"
    kill -TERM $spid 2> /dev/null
    wait $spid
    i=0
    while [ $i -lt 100 ] && ls -a "$TMP/kill" | grep -q 'tmp-'; do sleep 0.05; i=$((i + 1)); done
    [ $i -lt 100 ] && ok || bad "a temporary file left when the terminal went away"
fi
(cd "$D" && "$R" show-refs "$TMP/slow.jsonl" 1 --max-nodes 30 -o "$TMP/quiet.svg") 2> "$TMP/err"
grep -q "Graphviz" "$TMP/err" && bad "a progress line without a terminal" || ok

# ---- every SVG the tests wrote is well-formed XML (issue 11, item 6) ---------------------
nsvg=0
for f in $(find "$TMP" -name '*.svg' -type f); do
    nsvg=$((nsvg + 1))
    /usr/bin/python3 -c 'import sys, xml.dom.minidom as m; m.parse(sys.argv[1])' "$f" 2> "$TMP/err" && ok ||
        bad "$f is not well-formed XML: $(tail -1 "$TMP/err")"
done
[ $nsvg -ge 5 ] && ok || bad "only $nsvg SVG files checked"

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

rg_done
