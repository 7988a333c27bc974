#!/bin/sh
# release_build.sh — the build users make (Release, no sanitizers, no debug
# checks, default options), for the tests that check what users get:
# test_install installs it, test_readme runs its programs (their figures
# differ under the test build's debug checks). A ctest fixture: built once
# per ctest run, incrementally.
# Usage: release_build.sh SOURCE_DIR BUILD_DIR
set -eu
SRC=$(cd "$1" && pwd)
B=$2
log=$B.log
mkdir -p "$B"
{ cmake -S "$SRC" -B "$B" -DCMAKE_BUILD_TYPE=Release -DRG_BUILD_TESTS=OFF &&
    cmake --build "$B" --target refgraph refgraph_core refgraph_core_shared refgraph_format_shared samples -j 2; } > "$log" 2>&1 ||
    { cat "$log"; echo "FAIL: the Release build in $B"; exit 1; }
echo "the Release build in $B is up to date"
