"""The obvious Python alternative to `refgraph cycles DUMP`: load the dump
with the json module, build a networkx graph of the strong references, find
the strongly connected components, and report the cycles (objects, bytes,
types), largest first."""
import collections
import json
import sys

import networkx as nx

g = nx.DiGraph()
info = {}
with open(sys.argv[1], "rb") as f:
    for line in f:
        rec = json.loads(line)
        if "id" in rec and "type" in rec:
            info[rec["id"]] = (rec["type"], rec["size"])
            g.add_node(rec["id"])
            for ref in rec["refs"]:
                if len(ref) < 3 or not ref[2]:
                    g.add_edge(rec["id"], ref[0])
cycles = []
for comp in nx.strongly_connected_components(g):
    if len(comp) > 1 or any(g.has_edge(v, v) for v in comp):
        types = collections.Counter(info[v][0] for v in comp)
        cycles.append((sum(info[v][1] for v in comp), len(comp), types))
cycles.sort(key=lambda c: -c[0])
print(len(cycles), "cycles")
for size, n, types in cycles[:20]:
    print(n, "objects", size, "bytes", dict(types.most_common(5)))
