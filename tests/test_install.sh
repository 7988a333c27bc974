#!/bin/sh
# test_install.sh — a build configured with the default prefix is installed
# with `cmake --install --prefix P` (the prefix chosen at install time): the
# CLI, the core library (shared and static) with its headers, the
# pkg-config and CMake package files, the man page and the bash completion
# land under P, and nothing installed names another prefix. A lesson then
# builds out of tree against it and runs: through find_package (shared and
# static) and through plain pkg-config (no --static). Last, a static-only
# build (-DRG_SHARED=OFF) installed elsewhere links with plain pkg-config
# too (zlib is then a public requirement).
# Usage: test_install.sh SOURCE_DIR [BUILD_DIR]
# BUILD_DIR: a Release build with the default prefix (tests/release_build.sh);
# without it, one is made in a temporary folder.
set -eu
SRC=$(cd "$1" && pwd)
. "$(dirname "$0")/lib.sh"
PREFIX=$TMP/prefix
run() { "$@" > "$TMP/log" 2>&1 || { cat "$TMP/log"; echo "FAIL: $*"; exit 1; }; }

if [ $# -ge 2 ]; then
    B=$(cd "$2" && pwd)
else
    B=$TMP/build
    run cmake -S "$SRC" -B "$B" -DCMAKE_BUILD_TYPE=Release -DRG_BUILD_TESTS=OFF
    run cmake --build "$B" --target refgraph refgraph_core refgraph_core_shared refgraph_format_shared -j 2
fi
grep -q '^CMAKE_INSTALL_PREFIX:PATH=/usr/local$' "$B/CMakeCache.txt" && ok || bad "the build was not configured for /usr/local"
run cmake --install "$B" --prefix "$PREFIX"
for f in bin/refgraph include/refgraph.h include/refgraph/heap.h include/refgraph/gc.h include/refgraph/dump.h \
    include/refgraph/heapdump.h include/refgraph/version.h lib/librefgraph.a lib/librefgraph.so lib/librefgraph_format.a lib/librefgraph_format.so lib/pkgconfig/refgraph.pc lib/cmake/refgraph/refgraphConfig.cmake \
    share/man/man1/refgraph.1 share/bash-completion/completions/refgraph; do
    [ -e "$PREFIX/$f" ] && ok || bad "$f was not installed"
done
# the configure-time prefix must not leak into what was installed
if grep -rl "/usr/local\|$B" "$PREFIX/lib/pkgconfig" "$PREFIX/lib/cmake" 2>/dev/null; then
    bad "installed package files name the configure-time prefix or the build tree"
fi
"$PREFIX/bin/refgraph" --version | grep -q '^refgraph 0\.1\.0' && ok || bad "installed refgraph --version"

# find_package: the shared library by default, the static one by name
run cmake -S "$SRC/tests/install" -B "$TMP/consumer" -DCMAKE_PREFIX_PATH="$PREFIX" -DLESSON_DIR="$SRC/samples"
run cmake --build "$TMP/consumer"
"$TMP/consumer/lesson5" 3 | grep -q "gc collect found 2 unreachable objects" && ok || bad "find_package build (shared)"
readelf -d "$TMP/consumer/lesson5" | grep -q 'NEEDED.*librefgraph\.so' && ok || bad "refgraph::core is not the shared library"
[ -x "$TMP/consumer/lesson5_static" ] && ok || bad "no refgraph::core_static"
"$TMP/consumer/lesson5_static" 3 | grep -q "gc collect found 2 unreachable objects" && ok || bad "find_package build (static)"
readelf -d "$TMP/consumer/lesson5_static" | grep -q 'NEEDED.*librefgraph' && bad "refgraph::core_static links the shared library"

# plain pkg-config, as a user types it
pc_build() { # PREFIX OUTPUT
    PKG_CONFIG_PATH=$1/lib/pkgconfig
    export PKG_CONFIG_PATH
    # shellcheck disable=SC2046
    cc -std=c11 -o "$2" "$SRC/samples/lesson1_refcount.c" -I"$SRC/samples" \
        $(pkg-config --cflags refgraph) $(pkg-config --libs refgraph) > "$TMP/log" 2>&1 ||
        { cat "$TMP/log"; bad "pkg-config build against $1"; return 1; }
    LD_LIBRARY_PATH=$1/lib "$2" | grep -q "h = g                  refcount 8" && ok || bad "pkg-config program against $1"
}
pc_build "$PREFIX" "$TMP/lesson1"
readelf -d "$TMP/lesson1" | grep -q 'NEEDED.*librefgraph\.so' && ok || bad "pkg-config --libs does not link the shared library"
[ "$(cd "$(pkg-config --variable=libdir refgraph)" && pwd -P)" = "$(cd "$PREFIX/lib" && pwd -P)" ] && ok ||
    bad "the .pc's libdir is not $PREFIX/lib"

# static only: the library and its package files (the "dev" component)
run cmake -S "$SRC" -B "$TMP/static-build" -DCMAKE_BUILD_TYPE=Release -DRG_BUILD_TESTS=OFF -DRG_SHARED=OFF
run cmake --build "$TMP/static-build" --target refgraph_core -j 2
run cmake --install "$TMP/static-build" --prefix "$TMP/static" --component dev
[ -e "$TMP/static/lib/librefgraph.so" ] && bad "RG_SHARED=OFF installed a shared library"
pc_build "$TMP/static" "$TMP/lesson1s"

rg_done
