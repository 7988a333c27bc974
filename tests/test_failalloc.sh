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
. "$(dirname "$0")/lib.sh"
asan="${ASAN_OPTIONS:+$ASAN_OPTIONS:}exitcode=86:detect_leaks=1"
# Run by hand as well as by ctest: the leak suppressions for the libraries
# under Graphviz (fontconfig, pango) unless the caller set its own.
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$(cd "$(dirname "$0")" && pwd)/lsan.supp:print_suppressions=0}"
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
# run ARGS...: runs the command in $TMP/run, output file $TMP/run/out.EXT
run() {
    rm -rf "$TMP/run"
    mkdir "$TMP/run"
    rm -f "$TMP/mark"
    "$bin" "$@" >"$TMP/run/.stdout" 2>"$TMP/run/.stderr"
    echo $? >"$TMP/run/.rc"
}

fail() {
    bad "[$cmd] with RG_FAIL_ALLOC=$n: $*"
    sed 's/^/    stderr: /' "$TMP/run/.stderr" | head -20
}

saved_ifs=$IFS
nl='
'
IFS=$nl
for cmd in $cmds; do
    IFS=$saved_ifs
    case "$cmd" in *"$filter"*) ;; *) IFS=$nl; continue ;; esac
    lines=$((lines + 1))
    failed_before=$failed
    ext=
    case "$cmd" in *OUT.*) ext=${cmd##*OUT.}; ext=${ext%% *} ;; esac
    # shellcheck disable=SC2086
    set -- $(echo "$cmd" | sed "s#OLD#$old#; s#NEW#$new#; s#OUT\.#$TMP/run/out.#")
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
    ref_rc=$(cat "$TMP/run/.rc")
    if [ -s "$TMP/run/.stderr" ] || [ "$ref_rc" -gt 1 ]; then
        fail "the reference run failed (exit $ref_rc)"
        IFS=$nl
        continue
    fi
    rm -rf "$TMP/ref"
    mv "$TMP/run" "$TMP/ref"
    n=1
    while [ "$n" -le 100000 ]; do
        if [ "$n" -gt 16 ] && [ $((n % stride)) != 0 ]; then
            n=$((n + 1))
            continue
        fi
        RG_FAIL_ALLOC=$n RG_FAIL_ALLOC_MARK=$TMP/mark run "$@"
        runs=$((runs + 1))
        rc=$(cat "$TMP/run/.rc")
        if [ "$rc" -ge 86 ] || grep -q 'Sanitizer\|runtime error' "$TMP/run/.stderr"; then
            fail "crash or sanitizer report (exit $rc)"
        elif [ ! -e "$TMP/mark" ]; then
            # the failure was not reached: the command is done
            if [ "$rc" != "$ref_rc" ] || ! cmp -s "$TMP/run/.stdout" "$TMP/ref/.stdout"; then
                fail "a run without failure differs from the reference"
            fi
            break
        elif [ "$rc" = "$ref_rc" ] && [ ! -s "$TMP/run/.stderr" ] && cmp -s "$TMP/run/.stdout" "$TMP/ref/.stdout" &&
            { [ -z "$ext" ] || [ "$ext" = png ] || [ "$ext" = svg ] ||
                cmp -s "$TMP/run/out.$ext" "$TMP/ref/out.$ext"; } &&
            { [ -z "$ext" ] || [ -s "$TMP/run/out.$ext" ]; }; then
            : # recovered: the same result
        elif [ "$rc" != 5 ]; then
            fail "exit $rc instead of 5 (out of memory) or the reference's $ref_rc with the same output"
        elif [ "$(wc -l <"$TMP/run/.stderr")" != 1 ] || ! grep -q '^refgraph: .*out of memory' "$TMP/run/.stderr"; then
            fail "exit 5 without one line 'refgraph: ... out of memory' on stderr"
        elif [ -n "$(ls -A "$TMP/run" | grep -v '^\.std\|^\.rc$')" ]; then
            fail "files left behind: $(ls -A "$TMP/run" | grep -v '^\.std\|^\.rc$' | tr '\n' ' ')"
        fi
        n=$((n + 1))
    done
    echo "ok: $cmd: $((n - 1)) allocations, the sweep ran to $n"
    [ "$failed" = "$failed_before" ] && ok
    IFS=$nl
done
IFS=$saved_ifs
[ "$lines" -gt 0 ] || bad "no command line has '$filter'"
rg_done "$lines command lines, $runs runs"
