"""Runs `refgraph cycles` and `refgraph diff` end to end (load included) and
their Python peers on the same dumps, each in its own process, and prints
wall seconds and peak RSS per run as JSON lines (bench/compare.py takes the
medians and ratios).
Usage: cli_bench.py REFGRAPH PYTHON DUMP_A DUMP_B ROUNDS"""
import json
import os
import subprocess
import sys
import time

refgraph, python, a, b, rounds = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
here = os.path.dirname(os.path.abspath(__file__))


def run(argv):
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(p.pid, 0)
    t = time.perf_counter() - t0
    err = p.stderr.read().decode()
    p.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit("cli_bench: %s failed: %s" % (" ".join(argv), err))
    return t, usage.ru_maxrss / 1024.0


cases = [
    ("cycles", [refgraph, "cycles", a], [python, os.path.join(here, "cycles_peer.py"), a]),
    ("diff", [refgraph, "diff", a, b], [python, os.path.join(here, "diff_peer.py"), a, b]),
]
for r in range(rounds):
    for case, ours, theirs in cases:
        for impl, argv in (("refgraph", ours), ("python", theirs)):
            t, rss = run(argv)
            print(json.dumps({"bench": "cli", "case": case, "impl": impl, "n": 1000000, "round": r,
                              "seconds": round(t, 3), "peak_rss_mb": round(rss, 1)}), flush=True)
