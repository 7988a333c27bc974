"""Reads JSON lines of both implementations (refgraph and a peer), takes the
median of each figure per (bench, case, n, impl), and prints one comparison
line per case with both figures and the ratio ours / peer."""
import json
import statistics
import sys
from collections import defaultdict

runs = defaultdict(list)
for line in sys.stdin:
    line = line.strip()
    if line.startswith("{"):
        rec = json.loads(line)
        runs[(rec["bench"], rec["case"], rec["n"], rec.get("impl", "refgraph"))].append(rec)


def medians(recs):
    out = {}
    for key, value in recs[0].items():
        if isinstance(value, (int, float)) and key not in ("n", "round"):
            out[key] = statistics.median(r[key] for r in recs)
    return out


cases = sorted({(b, c, n) for (b, c, n, _) in runs})
for bench, case, n in cases:
    ours = runs.get((bench, case, n, "refgraph"))
    if not ours:
        continue
    peers = [impl for (b, c, m, impl) in runs if (b, c, m) == (bench, case, n) and impl != "refgraph"]
    row = {"bench": bench, "case": case, "n": n, "runs": len(ours), "refgraph": medians(ours)}
    for impl in peers:
        theirs = medians(runs[(bench, case, n, impl)])
        row[impl] = theirs
        for field in ("ns_per_obj", "on_off_ratio", "seconds", "collect_ms", "peak_rss_mb", "bytes_per_obj",
                      "rss_per_obj"):
            if field in row["refgraph"] and field in theirs and theirs[field]:
                row["ratio_" + field] = round(row["refgraph"][field] / theirs[field], 3)
    print(json.dumps(row))
