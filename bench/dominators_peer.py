"""The networkx side of bench_dominators: the same dump loaded by Python's
json module into a networkx DiGraph of the strong references, the same
virtual root (globals, frame locals, objects whose refcount is above the
strong references the dump shows, and every object of a source component
of the unreachable part), then immediate_dominators timed alone. Prints a
JSON line (impl networkx) per case: as dumped (every object held from
outside in bench_dump's heap), and rooted (refcounts cut to the dump's
references, every 1000th object in dump order held from outside), as
bench_dominators does."""
import json
import sys
import time

import networkx as nx

path = sys.argv[1]
g = nx.DiGraph()
rc = {}
held = {}
roots = set()
order = []
with open(path, "rb") as f:
    for line in f:
        rec = json.loads(line)
        if "id" in rec and "type" in rec:
            v = rec["id"]
            order.append(v)
            g.add_node(v)
            rc[v] = rec["rc"]
            for ref in rec["refs"]:
                if len(ref) < 3 or not ref[2]:
                    g.add_edge(v, ref[0])
                    held[ref[0]] = held.get(ref[0], 0) + 1
        elif "global" in rec:
            roots.add(rec["id"])
            held[rec["id"]] = held.get(rec["id"], 0) + 1
        elif "frame" in rec:
            for _, o in rec["locals"]:
                roots.add(o)
                held[o] = held.get(o, 0) + 1
explicit = set(roots)


def run(case, outside):
    h = g.copy()
    rts = explicit | outside
    t0 = time.perf_counter()
    reach = set(rts)
    stack = list(rts)
    while stack:
        for w in h.successors(stack.pop()):
            if w not in reach:
                reach.add(w)
                stack.append(w)
    garbage = h.subgraph(set(h.nodes) - reach)
    cond = nx.condensation(garbage)
    for c in cond.nodes:
        if cond.in_degree(c) == 0:
            rts |= cond.nodes[c]["members"]
    h.add_node(0)  # ids start at 1
    h.add_edges_from((0, r) for r in rts)
    t1 = time.perf_counter()
    nx.immediate_dominators(h, 0)
    t2 = time.perf_counter()
    print(json.dumps({"bench": "dominators", "case": case, "impl": "networkx", "n": len(rc),
                      "seconds": round(t2 - t1, 4), "root_seconds": round(t1 - t0, 4)}), flush=True)


run("idom_retained", {v for v in rc if rc[v] > held.get(v, 0)})
run("idom_retained_rooted", {v for k, v in enumerate(order) if k % 1000 == 0})
