#!/bin/sh
# Fails each allocation of each command in turn (tests/failalloc/failalloc.c):
# for every command line below, runs it with RG_FAIL_ALLOC=1, 2, 3, ... until
# a run completes without reaching the failing allocation. Each run must:
#   - not crash, and not trip a sanitizer (ASan, UBSan, LeakSanitizer);
#   - either give exactly the output of the run without failure (same exit
#     code, same standard output, same output file), or exit 5 (out of
#     memory) with one line "refgraph: ...out of memory" on stderr, leaving no
#     output file and no temporary file behind.
# Usage: test_failalloc.sh REFGRAPH_FAILALLOC DATA_DIR [FILTER]
# (FILTER: only command lines containing this text). Prints the counts.
# RG_SWEEP_STRIDE=K fails only the first 16 allocations and every Kth after
# (make test uses 8 to stay fast; the default, 1, fails every one).
set -u
bin=$1
data=$2
filter=${3:-}
stride=${RG_SWEEP_STRIDE:-1}
old=$data/old.jsonl
new=$data/new.jsonl
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
asan="${ASAN_OPTIONS:+$ASAN_OPTIONS:}exitcode=86:detect_leaks=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:exitcode=87"
export NO_COLOR=1

# One command line per row; OUT is replaced by the output file's path.
cmds="info OLD
info OLD --json
stats OLD
stats OLD --json --sort size
cycles OLD
cycles OLD --json
cycles OLD -o OUT.dot
cycles OLD --cluster-cycles -o OUT.svg
leaks OLD
leaks OLD --json --check
chain OLD 5
chain OLD 5 --json
chain OLD main:x -o OUT.dot
diff OLD NEW
diff OLD NEW --json
diff OLD NEW -o OUT.dot
show-refs OLD d
show-refs OLD d --format json
show-refs OLD d w type=Node --refcounts --highlight list --stop 9 -o OUT.dot
show-backrefs OLD 7 1 -o OUT.dot
show-backrefs OLD 1 --max-depth 2 -o OUT.png
stats OLD --retained
top OLD
top OLD --json
dominators OLD 5
by-type OLD list
count OLD list --json
chain OLD d --to type=Node --json
show-refs OLD d --max-depth 0 --extra-info flags --extra-info gen -o OUT.dot
report NEW OLD -o OUT.html"

runs=0
lines=0
bad=0
# run ARGS...: runs the command in $tmp/run, output file $tmp/run/out.EXT
run() {
    rm -rf "$tmp/run"
    mkdir "$tmp/run"
    rm -f "$tmp/mark"
    "$bin" "$@" >"$tmp/run/.stdout" 2>"$tmp/run/.stderr"
    echo $? >"$tmp/run/.rc"
}

fail() {
    echo "FAIL [$cmd] with RG_FAIL_ALLOC=$n: $*"
    sed 's/^/    stderr: /' "$tmp/run/.stderr" | head -20
    bad=$((bad + 1))
}

saved_ifs=$IFS
nl='
'
IFS=$nl
for cmd in $cmds; do
    IFS=$saved_ifs
    case "$cmd" in *"$filter"*) ;; *) IFS=$nl; continue ;; esac
    lines=$((lines + 1))
    ext=
    case "$cmd" in *OUT.*) ext=${cmd##*OUT.}; ext=${ext%% *} ;; esac
    # shellcheck disable=SC2086
    set -- $(echo "$cmd" | sed "s#OLD#$old#; s#NEW#$new#; s#OUT\.#$tmp/run/out.#")
    # Graphviz's layout libraries have no frame pointers: their leak
    # suppressions need the slow unwinder, which is only paid for there.
    case "$ext" in
    png | svg | html) export ASAN_OPTIONS="$asan:fast_unwind_on_malloc=0" ;;
    *) export ASAN_OPTIONS="$asan:fast_unwind_on_malloc=1" ;;
    esac
    # the reference run, no failure
    n=0
    unset RG_FAIL_ALLOC RG_FAIL_ALLOC_MARK
    run "$@"
    ref_rc=$(cat "$tmp/run/.rc")
    if [ -s "$tmp/run/.stderr" ] || [ "$ref_rc" -gt 1 ]; then
        fail "the reference run failed (exit $ref_rc)"
        IFS=$nl
        continue
    fi
    rm -rf "$tmp/ref"
    mv "$tmp/run" "$tmp/ref"
    n=1
    while [ "$n" -le 100000 ]; do
        if [ "$n" -gt 16 ] && [ $((n % stride)) != 0 ]; then
            n=$((n + 1))
            continue
        fi
        RG_FAIL_ALLOC=$n RG_FAIL_ALLOC_MARK=$tmp/mark run "$@"
        runs=$((runs + 1))
        rc=$(cat "$tmp/run/.rc")
        if [ "$rc" -ge 86 ] || grep -q 'Sanitizer\|runtime error' "$tmp/run/.stderr"; then
            fail "crash or sanitizer report (exit $rc)"
        elif [ ! -e "$tmp/mark" ]; then
            # the failure was not reached: the command is done
            if [ "$rc" != "$ref_rc" ] || ! cmp -s "$tmp/run/.stdout" "$tmp/ref/.stdout"; then
                fail "a run without failure differs from the reference"
            fi
            break
        elif [ "$rc" = "$ref_rc" ] && [ ! -s "$tmp/run/.stderr" ] && cmp -s "$tmp/run/.stdout" "$tmp/ref/.stdout" &&
            { [ -z "$ext" ] || [ "$ext" = png ] || [ "$ext" = svg ] ||
                cmp -s "$tmp/run/out.$ext" "$tmp/ref/out.$ext"; } &&
            { [ -z "$ext" ] || [ -s "$tmp/run/out.$ext" ]; }; then
            : # recovered: the same result
        elif [ "$rc" != 5 ]; then
            fail "exit $rc instead of 5 (out of memory) or the reference's $ref_rc with the same output"
        elif [ "$(wc -l <"$tmp/run/.stderr")" != 1 ] || ! grep -q '^refgraph: .*out of memory' "$tmp/run/.stderr"; then
            fail "exit 5 without one line 'refgraph: ... out of memory' on stderr"
        elif [ -n "$(ls -A "$tmp/run" | grep -v '^\.std\|^\.rc$')" ]; then
            fail "files left behind: $(ls -A "$tmp/run" | grep -v '^\.std\|^\.rc$' | tr '\n' ' ')"
        fi
        n=$((n + 1))
    done
    echo "ok: $cmd: $((n - 1)) allocations, the sweep ran to $n"
    IFS=$nl
done
IFS=$saved_ifs
echo "test_failalloc: $lines command lines, $runs runs, $bad failures"
[ "$bad" = 0 ] && [ "$lines" -gt 0 ]
