"""refgraph.track(): objects allocated while tracking get ids that are never
reused, so refgraph diff tells new objects from freed ones even when CPython
gives a new object a freed one's address. Run by ctest as:
python3 test_track.py <refgraph CLI> <scratch dir>"""
import gc
import json
import os

import refgraph
import rgtest
from rgtest import check

CLI, TMP = rgtest.args("REFGRAPH", "SCRATCH_DIR")


class Node:
    pass


def node_ids(path):
    out = set()
    with open(path) as f:
        for line in f:
            r = json.loads(line)
            if r.get("type") == "__main__.Node":
                out.add(r["id"])
    return out


def round_trip(name):
    """2,000 Nodes dumped, freed, 2,000 new ones (mostly at the same
    addresses) dumped: returns (addresses reused, ids shared, diff JSON)."""
    olds = [Node() for _ in range(2000)]
    p1, p2 = os.path.join(TMP, name + "1.jsonl"), os.path.join(TMP, name + "2.jsonl")
    refgraph.dump(p1)
    old_addr = {id(o) for o in olds}
    del olds
    news = [Node() for _ in range(2000)]
    reused = sum(1 for o in news if id(o) in old_addr)
    refgraph.dump(p2)
    r = rgtest.run(CLI, "diff", p1, p2, "--json")
    check(r.returncode == 0, "refgraph diff runs: %s" % r.stderr)
    shared = len(node_ids(p1) & node_ids(p2))
    return reused, shared, json.loads(r.stdout) if r.returncode == 0 else {}


gc.disable()
reused, shared, _ = round_trip("plain")
check(reused > 500 and shared == reused, "without tracking, reused addresses are shared ids (%d, %d)" % (reused, shared))
refgraph.track()
check(refgraph.is_tracking(), "is_tracking")
reused, shared, diff = round_trip("tracked")
check(reused > 500, "CPython reused %d addresses" % reused)
check(shared == 0, "with tracking, no id is shared between the freed and the new Nodes (%d)" % shared)
rows = {t["type"]: t for t in diff.get("types", [])}
node = rows.get("__main__.Node", {})
check(node.get("new") == 2000 and node.get("freed") == 2000, "diff: 2000 new and 2000 freed Nodes: %s" % node)
refgraph.untrack()
check(not refgraph.is_tracking(), "untrack")
rgtest.finish()
