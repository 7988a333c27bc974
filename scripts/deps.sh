#!/bin/sh
# Installs the Debian packages refgraph needs, only those that are missing.
# Runs apt-get as root, or through sudo where there is one; otherwise says
# plainly what to install and fails. "deps.sh bench" also installs what the
# benchmarks' peers need (Debian's python3 with networkx).
# python3-dev builds the Python extension (python/); python3-objgraph is the
# peer its tests compare drawings with (tests skip that part without it).
# Optional test dependencies are installed too when possible, and a failure
# to install them is only a warning: python3-networkx (the dominator tree
# is checked against networkx; the test is skipped without it), chromium
# (the HTML report is checked in headless Chromium; skipped without it),
# gdb (refgraph dump-pid attaches with it at run time; its test is skipped
# without it) and valgrind (the lessons run under memcheck; skipped without
# it). A skipped test says so in ctest's summary ("The following tests did
# not run").
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

optional="python3-networkx:networkx
chromium:chromium
gdb:gdb
valgrind:valgrind"
if [ "${1:-}" = bench ]; then
    need="$need
python3-networkx:networkx"
fi

present() {
    case "$1" in
        pkg-config|dot|python3|chromium|gdb|valgrind) command -v "$1" >/dev/null 2>&1 ;;
        networkx) /usr/bin/python3 -c 'import networkx' >/dev/null 2>&1 ;;
        objgraph) /usr/bin/python3 -c 'import objgraph' >/dev/null 2>&1 ;;
        python3-dev) [ -f /usr/include/python3.11/Python.h ] ||
            /usr/bin/python3 -c 'import sysconfig, os, sys; sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))' >/dev/null 2>&1 ;;
        *) command -v pkg-config >/dev/null 2>&1 && pkg-config --exists "$1" ;;
    esac
}
missing=""
for entry in $need; do
    present "${entry#*:}" || missing="$missing ${entry%%:*}"
done
missing_optional=""
for entry in $optional; do
    case " $missing " in *" ${entry%%:*} "*) continue ;; esac
    present "${entry#*:}" || missing_optional="$missing_optional ${entry%%:*}"
done
[ -n "$missing$missing_optional" ] || exit 0

if [ "$(id -u)" = 0 ]; then
    run=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    run="sudo -n"
elif [ -z "$missing" ]; then
    echo "deps: optional test packages missing (their tests are skipped):$missing_optional" >&2
    exit 0
else
    echo "deps: cannot install packages (not root, no passwordless sudo)." >&2
    echo "deps: please run: sudo apt-get install$missing" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$run apt-get update -qq >&2 || true
if [ -n "$missing" ]; then
    echo "deps: installing missing packages:$missing" >&2
    # shellcheck disable=SC2086
    $run apt-get install -y -qq --no-install-recommends $missing >&2
fi
if [ -n "$missing_optional" ]; then
    echo "deps: installing optional test packages:$missing_optional" >&2
    # shellcheck disable=SC2086
    $run apt-get install -y -qq --no-install-recommends $missing_optional >&2 ||
        echo "deps: could not install$missing_optional: their tests will be skipped" >&2
fi
