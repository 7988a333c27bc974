#!/bin/sh
# test_install.sh — cmake --install puts the CLI, the core library with its
# headers, the pkg-config and CMake package files, the man page and the bash
# completion in place; a lesson then builds out of tree against it, through
# find_package and through pkg-config, and runs.
# Usage: test_install.sh SOURCE_DIR
set -eu
SRC=$(cd "$1" && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
PREFIX=$TMP/prefix
cmake -S "$SRC" -B "$TMP/build" -DCMAKE_BUILD_TYPE=Release -DRG_BUILD_TESTS=OFF \
    -DCMAKE_INSTALL_PREFIX="$PREFIX" > "$TMP/log" 2>&1 || { cat "$TMP/log"; exit 1; }
cmake --build "$TMP/build" --target refgraph refgraph_core refgraph_format -j 2 > "$TMP/log" 2>&1 || { cat "$TMP/log"; exit 1; }
cmake --install "$TMP/build" > "$TMP/log" 2>&1 || { cat "$TMP/log"; exit 1; }
fail=0
for f in bin/refgraph include/refgraph.h include/refgraph/heap.h include/refgraph/gc.h include/refgraph/dump.h \
    include/refgraph/heapdump.h include/refgraph/version.h lib/librefgraph.a lib/librefgraph_format.a lib/pkgconfig/refgraph.pc lib/cmake/refgraph/refgraphConfig.cmake \
    share/man/man1/refgraph.1 share/bash-completion/completions/refgraph; do
    [ -e "$PREFIX/$f" ] || { echo "FAIL: $f was not installed"; fail=1; }
done
"$PREFIX/bin/refgraph" --version | grep -q '^refgraph 0\.1\.0' || { echo "FAIL: installed refgraph --version"; fail=1; }

# find_package
cmake -S "$SRC/tests/install" -B "$TMP/consumer" -DCMAKE_PREFIX_PATH="$PREFIX" -DLESSON_DIR="$SRC/samples" \
    > "$TMP/log" 2>&1 || { cat "$TMP/log"; exit 1; }
cmake --build "$TMP/consumer" > "$TMP/log" 2>&1 || { cat "$TMP/log"; exit 1; }
"$TMP/consumer/lesson5" 3 | grep -q "gc collect found 2 unreachable objects" || { echo "FAIL: find_package build"; fail=1; }

# pkg-config
PKG_CONFIG_PATH=$PREFIX/lib/pkgconfig
export PKG_CONFIG_PATH
# shellcheck disable=SC2046
cc -std=c11 -o "$TMP/lesson1" "$SRC/samples/lesson1_refcount.c" -I"$SRC/samples" \
    $(pkg-config --cflags --libs --static refgraph) || { echo "FAIL: pkg-config build"; fail=1; }
"$TMP/lesson1" | grep -q "h = g                  refcount 8" || { echo "FAIL: pkg-config program"; fail=1; }
[ "$fail" -eq 0 ] && echo "1 passed, 0 failed" || echo "0 passed, 1 failed"
exit "$fail"
