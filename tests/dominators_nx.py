"""The dominator tree of `refgraph top --json --limit 0` against networkx's
immediate_dominators on larger random dumps (a few thousand objects: random
graphs, a deep chain with branches and back references, garbage clusters
referencing live objects, weak references). Exit 77 (skipped) when networkx
is missing: scripts/deps.sh installs python3-networkx for `make test`.
Usage: dominators_nx.py REFGRAPH"""
import json
import os
import random
import subprocess
import sys
import tempfile

try:
    import networkx as nx
except ImportError:
    print("skipped: networkx is not installed (scripts/deps.sh installs python3-networkx)")
    sys.exit(77)

HEADER = ('{"format":"refgraph-dump","version":1,"producer":"test","producer_version":"0",'
          '"created":"2026-01-01T00:00:00Z","heap_id":"00000000000000aa","heap":{"bytes_in_use":0,'
          '"peak_bytes":0,"live_objects":%d,"max_id":%d},"gc":{"enabled":true,"thresholds":[700,10,10],'
          '"counts":[0,0,0],"stats":[%s],"garbage_id":null}}\n')
STATS = ",".join(['{"collections":0,"collected":0,"uncollectable":0}'] * 3)


def make(rnd, shape, n):
    """objects: id -> (size, [(target, weak)]); globals; locals; extra refcount."""
    refs = {i: [] for i in range(1, n + 1)}
    garbage_from = n - n // 5  # the last fifth: clusters no root reaches
    live = range(1, garbage_from)
    if shape == "chain":
        for i in range(1, garbage_from - 1):
            refs[i].append((i + 1, False))
            if rnd.random() < 0.3:
                refs[i].append((rnd.randrange(1, garbage_from), rnd.random() < 0.2))
    else:
        for i in live:
            for _ in range(rnd.randrange(4)):
                # mostly forward and near, sometimes anywhere in the live part
                t = min(garbage_from - 1, i + rnd.randrange(1, 30)) if rnd.random() < 0.7 else rnd.randrange(1, garbage_from)
                refs[i].append((t, rnd.random() < 0.1))
    # garbage: clusters with cycles, references between clusters and into the live part
    start = garbage_from
    while start <= n:
        end = min(n, start + rnd.randrange(3, 40))
        for i in range(start, end + 1):
            for _ in range(rnd.randrange(3)):
                r = rnd.random()
                if r < 0.7:
                    t = rnd.randrange(start, end + 1)
                elif r < 0.85:
                    t = rnd.randrange(garbage_from, n + 1)
                else:
                    t = rnd.randrange(1, garbage_from)
                refs[i].append((t, rnd.random() < 0.1))
        start = end + 1
    globals_ = [("g%d" % k, rnd.randrange(1, garbage_from)) for k in range(3)]
    locals_ = [("l%d" % k, rnd.randrange(1, garbage_from)) for k in range(2)]
    extra = {i: 1 for i in rnd.sample(range(1, garbage_from), 5)}
    return refs, globals_, locals_, extra


def write(path, rnd, refs, globals_, locals_, extra):
    n = len(refs)
    rc = {i: extra.get(i, 0) for i in refs}
    for i, rs in refs.items():
        for t, weak in rs:
            if not weak:
                rc[t] += 1
    for _, o in globals_ + locals_:
        rc[o] += 1
    sizes = {i: rnd.randrange(16, 200) for i in refs}
    with open(path, "w") as f:
        f.write(HEADER % (n, n, STATS))
        for i in range(1, n + 1):
            rs = ",".join('[%d,"r"%s]' % (t, ",true" if w else "") for t, w in refs[i])
            f.write('{"id":%d,"type":"t%d","size":%d,"rc":%d,"gen":0,"label":"","refs":[%s]}\n'
                    % (i, i % 5, sizes[i], rc[i], rs))
        for name, o in globals_:
            f.write('{"global":"%s","id":%d}\n' % (name, o))
        f.write('{"frame":"f","depth":0,"locals":[%s]}\n' % ",".join('["%s",%d]' % (nm, o) for nm, o in locals_))
        f.write('{"trailer":{"objects":%d,"references":%d,"globals":%d,"frames":1,"generations":'
                '{"untracked":0,"0":%d,"1":0,"2":0,"frozen":0}}}\n'
                % (n, sum(len(r) for r in refs.values()), len(globals_), n))
    return sizes


def expected(refs, globals_, locals_, extra, sizes):
    g = nx.DiGraph()
    g.add_nodes_from(refs)
    for i, rs in refs.items():
        for t, weak in rs:
            if not weak:
                g.add_edge(i, t)
    roots = {o for _, o in globals_ + locals_} | set(extra)
    reach = set(roots)
    for r in roots:
        reach |= nx.descendants(g, r)
    garbage = g.subgraph(set(refs) - reach)
    cond = nx.condensation(garbage)
    for c in cond.nodes:
        if cond.in_degree(c) == 0:
            roots |= cond.nodes[c]["members"]
    g.add_node(0)
    for r in roots:
        g.add_edge(0, r)
    idom = nx.immediate_dominators(g, 0)
    children = {}
    for v, d in idom.items():
        if v != 0:
            children.setdefault(d, []).append(v)
    retained = dict(sizes)
    order, stack = [], [0]
    while stack:
        v = stack.pop()
        order.append(v)
        stack.extend(children.get(v, []))
    for v in reversed(order):
        if v != 0 and idom[v] != 0:
            retained[idom[v]] += retained[v]
    return {v: (None if d == 0 else d) for v, d in idom.items() if v != 0}, retained


def main():
    refgraph = sys.argv[1]
    rnd = random.Random(13)
    failures = 0
    cases = 0
    with tempfile.TemporaryDirectory() as tmp:
        for shape, n in [("random", 3000), ("chain", 4000), ("random", 5000), ("chain", 2000), ("random", 1500)]:
            refs, globals_, locals_, extra = make(rnd, shape, n)
            path = os.path.join(tmp, "d.jsonl")
            sizes = write(path, rnd, refs, globals_, locals_, extra)
            out = subprocess.run([refgraph, "top", "--json", "--limit", "0", "--no-chains", path],
                                 check=True, capture_output=True, text=True).stdout
            got = {o["id"]: (o["idom"], o["retained"]) for o in json.loads(out)["top"]}
            want_idom, want_ret = expected(refs, globals_, locals_, extra, sizes)
            bad = [v for v in refs if got[v] != (want_idom[v], want_ret[v])]
            cases += 1
            if bad:
                failures += 1
                v = bad[0]
                print("FAIL: %s graph of %d objects: %d objects differ, e.g. %d: got idom %s retained %s, "
                      "networkx %s %s" % (shape, n, len(bad), v, got[v][0], got[v][1], want_idom[v], want_ret[v]))
    print("%d graphs, %d differ from networkx" % (cases, failures))
    sys.exit(1 if failures else 0)


main()
