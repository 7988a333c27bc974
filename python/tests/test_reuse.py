"""Without refgraph.track(), ids are addresses and CPython gives a new
object the address of one just freed. refgraph diff must not call such an
object unchanged when its type or its size changed: the freed one is freed,
the new one is new (docs/analyses.md, "Matching objects"). Run by ctest as:
python3 test_reuse.py <refgraph CLI> <scratch dir>"""
import gc
import json
import os
import sys

import refgraph
import rgtest
from rgtest import check

CLI, TMP = rgtest.args("REFGRAPH", "SCRATCH_DIR")


class Node:
    pass


class Other:  # the same layout and size as Node, another type
    pass


def reuse(addr, make):
    """Objects from make() until one gets addr (kept alive: returned with
    the misses, so that none of them frees the address again)."""
    misses = []
    for _ in range(100000):  # pymalloc hands the freed block out at once; bound anyway
        o = make()
        if id(o) == addr:
            return o, misses
        misses.append(o)
    return None, misses


def diff(p1, p2):
    r = rgtest.run(CLI, "diff", "--json", p1, p2)
    check(r.returncode == 0, "refgraph diff runs: %s" % r.stderr)
    return json.loads(r.stdout) if r.returncode == 0 else {}


def header(path):
    with open(path) as f:
        return json.loads(f.readline())


gc.disable()
check(not refgraph.is_tracking(), "not tracking")
p1, p2 = os.path.join(TMP, "reuse1.jsonl"), os.path.join(TMP, "reuse2.jsonl")

# one Node and one str of 3 characters (built at run time: not interned)
node = Node()
text = "".join(["ab", "c"])
node_addr, text_addr = id(node), id(text)
check(sys.getsizeof(Node()) == sys.getsizeof(Other()), "Node and Other have one size")
refgraph.dump(p1)
check(header(p1).get("ids") == "addresses", "the header says ids are addresses")

# the Node's address goes to an Other (another type, same size); the str's
# to a str of 4 characters (same type, one byte more: same pymalloc class)
del node
other, misses1 = reuse(node_addr, Other)
del text
text4, misses2 = reuse(text_addr, lambda: "".join(["ab", "cd"]))
check(other is not None, "CPython reused the Node's address for an Other")
check(text4 is not None, "CPython reused the str's address for a longer str")
refgraph.dump(p2)

d = diff(p1, p2)
rows = {t["type"]: t for t in d.get("types", [])}
new_ids, freed_ids = set(d.get("new_ids", [])), set(d.get("freed_ids", []))
check(d.get("ids") == "reusable", "diff says the ids are reusable: %s" % d.get("ids"))
# the Node is freed and the Other is new, though both have one id
check(rows.get("__main__.Node", {}).get("freed") == 1, "the Node is freed: %s" % rows.get("__main__.Node"))
others = rows.get("__main__.Other", {})
check(others.get("new") == others.get("after") == len(misses1) + 1, "every Other is new: %s" % others)
check(node_addr in new_ids and node_addr in freed_ids, "the Node's address is both freed and new")
# the str of 3 characters is freed, the one of 4 new
check(text_addr in new_ids and text_addr in freed_ids, "the str's address is both freed and new")
check(d.get("ids_reused", 0) >= 2, "at least the two reused ids are counted: %s" % d.get("ids_reused"))

rgtest.finish()
