"""Reads benchmark JSON lines and prints the median of each figure per case."""
import json
import statistics
import sys
from collections import defaultdict

groups = defaultdict(list)
for line in sys.stdin:
    line = line.strip()
    if not line.startswith("{"):
        continue
    rec = json.loads(line)
    key = (rec.get("bench"), rec.get("case"), rec.get("n"))
    groups[key].append(rec)

for (bench, case, n), recs in groups.items():
    out = {"bench": bench, "case": case, "n": n, "runs": len(recs), "median": True}
    for field, value in recs[0].items():
        if isinstance(value, (int, float)) and field not in ("n", "round"):
            out[field] = round(statistics.median(r[field] for r in recs), 4)
    print(json.dumps(out))
