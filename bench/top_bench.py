"""`refgraph top DUMP` end to end (load, analysis, dominator tree, chains of
the ten largest) against `refgraph info DUMP` on the same dump, each in its
own process: wall seconds and peak RSS as JSON lines (impl "info" is the
peer, so bench/compare.py prints top / info).
Usage: top_bench.py REFGRAPH DUMP ROUNDS"""
import json
import os
import subprocess
import sys
import time

refgraph, dump, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])


def run(argv):
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(p.pid, 0)
    t = time.perf_counter() - t0
    err = p.stderr.read().decode()
    p.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit("top_bench: %s failed: %s" % (" ".join(argv), err))
    return t, usage.ru_maxrss / 1024.0


for r in range(rounds):
    for impl, argv in (("refgraph", [refgraph, "top", dump]), ("info", [refgraph, "info", dump])):
        t, rss = run(argv)
        print(json.dumps({"bench": "cli", "case": "top_vs_info", "impl": impl, "n": 1000000, "round": r,
                          "seconds": round(t, 3), "peak_rss_mb": round(rss, 1)}), flush=True)
