"""What the tests in python/tests share (each imports it from its own
folder, which Python puts first on sys.path): the command line ctest
gives, the scratch folder, check() and the exit status, and running the
refgraph CLI.

    CLI, TMP = rgtest.args("REFGRAPH", "SCRATCH_DIR")
    rgtest.check(x == 1, "x is 1 (%d)" % x)
    rgtest.finish()  # exits 1 when a check failed
"""
import os
import subprocess
import sys

failures = []
verbose = False  # print the checks that pass too


def args(*names):
    """The arguments, one per name (the last is the scratch folder, created)."""
    if len(sys.argv) != len(names) + 1:
        print("usage: %s %s" % (os.path.basename(sys.argv[0]), " ".join(names)), file=sys.stderr)
        sys.exit(2)
    os.makedirs(sys.argv[-1], exist_ok=True)
    return sys.argv[1:]


def check(cond, what):
    if cond:
        if verbose:
            print("ok    " + what, flush=True)
        return
    failures.append(what)
    print("FAIL: " + what, flush=True)


def run(cli, *args, timeout=None):
    """The CLI's run, its output as text: a subprocess.CompletedProcess."""
    return subprocess.run([cli, *args], capture_output=True, text=True, timeout=timeout)


def finish():
    print("%d failures" % len(failures))
    sys.exit(1 if failures else 0)
