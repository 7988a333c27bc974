"""The Python side of bench_dump: json-parse every line of the same dump
(parse only, nothing built). Prints a JSON line (impl python)."""
import json
import resource
import sys
import time

path = sys.argv[1]
t0 = time.perf_counter()
n = 0  # object records, as bench_dump counts them
with open(path, "rb") as f:
    for line in f:
        rec = json.loads(line)
        n += "type" in rec and "id" in rec
t = time.perf_counter() - t0
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
print(json.dumps({"bench": "dump", "case": "load", "impl": "python", "n": n,
                  "seconds": round(t, 3), "peak_rss_mb": round(rss, 1)}))
