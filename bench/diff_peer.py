"""The obvious Python alternative to `refgraph diff OLD NEW`, doing the same
work: load both dumps with the json module; per type, counts before and
after, new and freed objects by id, bytes allocated and freed
(collections.Counter); and the cycles only one dump has (networkx's strongly
connected components of both)."""
import collections
import json
import sys

import networkx as nx


def load(path):
    objs = {}
    g = nx.DiGraph()
    with open(path, "rb") as f:
        for line in f:
            rec = json.loads(line)
            if "id" in rec and "type" in rec:
                objs[rec["id"]] = (rec["type"], rec["size"])
                g.add_node(rec["id"])
                for ref in rec["refs"]:
                    if len(ref) < 3 or not ref[2]:
                        g.add_edge(rec["id"], ref[0])
    return objs, g


def cycle_members(g):
    members = {}
    for comp in nx.strongly_connected_components(g):
        if len(comp) > 1 or any(g.has_edge(v, v) for v in comp):
            key = min(comp)
            for v in comp:
                members[v] = key
    return members


(old, og), (new, ng) = load(sys.argv[1]), load(sys.argv[2])
before = collections.Counter(t for t, _ in old.values())
after = collections.Counter(t for t, _ in new.values())
born, died, alloc, freed = (collections.Counter() for _ in range(4))
for i, (t, s) in new.items():
    if i not in old:
        born[t] += 1
        alloc[t] += s
for i, (t, s) in old.items():
    if i not in new:
        died[t] += 1
        freed[t] += s
for t in sorted(set(before) | set(after), key=lambda t: -abs(alloc[t] - freed[t])):
    print(t, before[t], after[t], after[t] - before[t], born[t], died[t], alloc[t], freed[t])
oc, nc = cycle_members(og), cycle_members(ng)
new_cycles = {k for v, k in nc.items()} - {nc[v] for v in nc if v in oc}
gone_cycles = {k for v, k in oc.items()} - {oc[v] for v in oc if v in nc}
print("cycles:", len(new_cycles), "new,", len(gone_cycles), "vanished")
