"""The networkx side of bench_render: the same dump loaded by Python's json
module into a networkx DiGraph (strong references only), then
strongly_connected_components timed alone. Prints a JSON line (impl networkx)."""
import json
import sys
import time

import networkx as nx

path = sys.argv[1]
g = nx.DiGraph()
with open(path, "rb") as f:
    for line in f:
        rec = json.loads(line)
        if "id" in rec and "type" in rec:
            g.add_node(rec["id"])
            for ref in rec["refs"]:
                if len(ref) < 3 or not ref[2]:
                    g.add_edge(rec["id"], ref[0])
t0 = time.perf_counter()
comps = list(nx.strongly_connected_components(g))
t = time.perf_counter() - t0
cyclic = sum(1 for c in comps if len(c) > 1)
print(json.dumps({"bench": "render", "case": "scc", "impl": "networkx", "n": g.number_of_nodes(),
                  "components": len(comps), "seconds": round(t, 4)}))
