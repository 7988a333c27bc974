#!/bin/sh
# Installs the Debian packages refgraph needs, only those that are missing.
# Runs apt-get as root, or through sudo where there is one; otherwise says
# plainly what to install and fails. "deps.sh bench" also installs what the
# benchmarks' peers need (Debian's python3 with networkx).
# python3-dev builds the Python extension (python/); python3-objgraph is the
# peer its tests compare drawings with (tests skip that part without it).
set -eu

# package : what proves it is installed
need="pkg-config:pkg-config
libjansson-dev:jansson
libcunit1-dev:cunit
libgraphviz-dev:libgvc
graphviz:dot
zlib1g-dev:zlib
python3:python3
python3-dev:python3-dev
python3-objgraph:objgraph"

if [ "${1:-}" = bench ]; then
    need="$need
python3-networkx:networkx"
fi

missing=""
for entry in $need; do
    pkg=${entry%%:*}
    probe=${entry#*:}
    case "$probe" in
        pkg-config|dot|python3) command -v "$probe" >/dev/null 2>&1 && continue ;;
        networkx) /usr/bin/python3 -c 'import networkx' >/dev/null 2>&1 && continue ;;
        objgraph) /usr/bin/python3 -c 'import objgraph' >/dev/null 2>&1 && continue ;;
        python3-dev) [ -f /usr/include/python3.11/Python.h ] || /usr/bin/python3 -c 'import sysconfig, os, sys; sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))' >/dev/null 2>&1 && continue ;;
        *) command -v pkg-config >/dev/null 2>&1 && pkg-config --exists "$probe" && continue ;;
    esac
    missing="$missing $pkg"
done
# The valgrind test runs only where valgrind exists; installing it is optional.
[ -n "$missing" ] || exit 0

echo "deps: installing missing packages:$missing" >&2
if [ "$(id -u)" = 0 ]; then
    run=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    run="sudo -n"
else
    echo "deps: cannot install packages (not root, no passwordless sudo)." >&2
    echo "deps: please run: sudo apt-get install$missing" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$run apt-get update -qq >&2 || true
# shellcheck disable=SC2086
$run apt-get install -y -qq --no-install-recommends $missing >&2
