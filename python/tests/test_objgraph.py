"""refgraph.show_refs / show_backrefs draw the same objects and references
as objgraph 3.5 on the same objects (when Debian's python3-objgraph is
installed), and the seed example works as written.

Run by ctest as: python3 test_objgraph.py <scratch dir>
"""
import gc
import io
import os
import re
import warnings

import refgraph
import rgtest
from rgtest import check

(TMP,) = rgtest.args("SCRATCH_DIR")
os.chdir(TMP)


EDGE = re.compile(r"\b(o\d+)\s*->\s*(o\d+)")
NODE = re.compile(r"^\s*(o\d+)\s*\[", re.M)


def sets(dot):
    return set(NODE.findall(dot)), set(EDGE.findall(dot))


# The seed example, as written.
a = [1, 2, 3]; b = [4, 5, 6]; a.append(b); b.append(a)  # noqa: E702
refgraph.show_refs([a], filename='a.png')
check(os.path.getsize("a.png") > 1000 and open("a.png", "rb").read(4) == b"\x89PNG", "a.png is a PNG")
out = io.StringIO()
refgraph.show_refs([a], output=out)
nodes, edges = sets(out.getvalue())
check(("o%d" % id(a), "o%d" % id(b)) in edges and ("o%d" % id(b), "o%d" % id(a)) in edges, "a -> b -> a drawn")
check(len(nodes) == 8, "8 objects: two lists and six ints (%d)" % len(nodes))
check('color=red' in out.getvalue(), "the cycle is red")


class Node:
    def __init__(self, name, parent=None):
        self.name = name
        self.parent = parent
        self.kids = []
        self.meta = {"depth": 0, "tags": ["x", "y"]}
        if parent is not None:
            parent.kids.append(self)


root = Node("root")
kids = [Node("k%d" % i, root) for i in range(15)]
holder = {"root": root, "first": kids[0]}
shelf = [kids[0], kids[1], holder]


def not_type(o):
    return not isinstance(o, type)


cases = [
    ("seed", [a], dict()),
    ("seed depth 1", [b], dict(max_depth=1)),
    ("tree", [root], dict(max_depth=3, filter=not_type)),
    ("tree too_many", [root], dict(max_depth=2, too_many=5, filter=not_type)),
    ("holder", [holder, shelf], dict(max_depth=4, filter=not_type)),
]
backcases = [
    ("kid backrefs", [kids[0]], dict(max_depth=2)),
    ("kid backrefs too_many", [kids[3]], dict(max_depth=3, too_many=2)),
    ("tags backrefs", [root.meta["tags"]], dict(max_depth=3)),
]

try:
    import objgraph
except ImportError:
    objgraph = None
    print("objgraph is not installed: comparisons skipped (Debian: python3-objgraph)")

if objgraph is not None:
    for name, objs, kw in cases + backcases:
        back = (name, objs, kw) in backcases
        ours, theirs = io.StringIO(), io.StringIO()
        (refgraph.show_backrefs if back else refgraph.show_refs)(objs, output=ours, **kw)
        (objgraph.show_backrefs if back else objgraph.show_refs)(objs, output=theirs, **kw)
        n1, e1 = sets(ours.getvalue())
        n2, e2 = sets(theirs.getvalue())
        check(n1 == n2, "%s: the same objects (%d vs objgraph's %d; only ours %s, only objgraph's %s)" %
              (name, len(n1), len(n2), sorted(n1 - n2)[:5], sorted(n2 - n1)[:5]))
        check(e1 == e2, "%s: the same references (%d vs objgraph's %d; only ours %s, only objgraph's %s)" %
              (name, len(e1), len(e2), sorted(e1 - e2)[:5], sorted(e2 - e1)[:5]))
        more1 = len(re.findall(r"\d+ more", ours.getvalue()))
        more2 = len(re.findall(r"\d+ more", theirs.getvalue()))
        check(more1 == more2, "%s: the same 'N more' nodes (%d vs %d)" % (name, more1, more2))

    # statistics and chains agree with objgraph's
    check(refgraph.count("Node") == objgraph.count("Node") == 16, "count('Node')")
    check(refgraph.count("__main__.Node") == 16, "count('__main__.Node')")
    check(set(map(id, refgraph.by_type("Node"))) == set(map(id, objgraph.by_type("Node"))), "by_type")
    chain = refgraph.find_backref_chain(kids[5], lambda o: o is globals())
    check(chain[0] is globals() and chain[-1] is kids[5] and len(chain) ==
          len(objgraph.find_backref_chain(kids[5], lambda o: o is globals())), "find_backref_chain")

# Labels: attribute names and dict keys on the edges, str keys not drawn as
# objects. (A fresh object: objgraph's labels create instance dicts, refgraph's
# do not.)
fresh = Node("fresh")
fresh_holder = {"root": fresh}
chain = refgraph.find_ref_chain(fresh_holder, lambda o: isinstance(o, list) and o == ["x", "y"])
check(chain[0] is fresh_holder and chain[-1] is fresh.meta["tags"] and len(chain) == 4,
      "find_ref_chain: %s" % [type(x).__name__ for x in chain])
out = io.StringIO()
refgraph.show_refs([fresh], max_depth=2, filter=not_type, output=out)
dot = out.getvalue()
for lab in ("name", "kids", "meta", "depth", "tags"):
    check(re.search(r'label="?%s"?[,\]]' % lab, dot) is not None,
          "edge label %r in %s" % (lab, [ln.strip() for ln in dot.splitlines() if "->" in ln]))
check("(key)" not in dot, "str dict keys are labels, not nodes")

# show_chain, show_growth, most_common_types, get_leaking_objects run
refgraph.show_chain(refgraph.find_backref_chain(kids[2], lambda o: o is globals()), filename="chain.svg")
check(open("chain.svg").read().lstrip().startswith("<?xml"), "show_chain writes an SVG")
out = io.StringIO()
refgraph.show_growth(limit=3, file=out)
refgraph.show_growth(limit=3, file=out)
extra = [Node("new%d" % i) for i in range(7)]
out = io.StringIO()
refgraph.show_growth(limit=3, file=out)
check(re.search(r"Node\s+24\s+\+7", out.getvalue()) is not None, "show_growth sees 7 new Nodes: %r" % out.getvalue())
mc = dict(refgraph.most_common_types(limit=0))
check(mc.get("Node") == 24, "most_common_types counts Nodes")
check(isinstance(refgraph.get_leaking_objects(), list), "get_leaking_objects")

# Typos (issue 12): a type name no object has but close to some warns
# UnknownTypeWarning naming the closest, chosen as the CLI chooses; the result
# stays objgraph's (0, []); a name far from all, or an exact one, is silent.
def warned(f, *args):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        result = f(*args)
    return result, [str(x.message) for x in w if issubclass(x.category, refgraph.UnknownTypeWarning)]


objs = [root, kids[0], holder, shelf, "text", 3, 4.5]  # Node, Node, dict, list, str, int, float
n, msgs = warned(refgraph.count, "Nod", objs)
check(n == 0 and msgs == ["refgraph.count: no object of type 'Nod'; the closest: 'Node'"], "count('Nod'): %r" % msgs)
found, msgs = warned(refgraph.by_type, "lst", objs)
check(found == [] and msgs == ["refgraph.by_type: no object of type 'lst'; the closest: 'list', 'int', 'str'"],
      "by_type('lst'): %r" % msgs)
n, msgs = warned(refgraph.count, "__main__.node", objs)  # dotted: full names; case differs only
check(n == 0 and msgs == ["refgraph.count: no object of type '__main__.node'; the closest: '__main__.Node'"],
      "count('__main__.node'): %r" % msgs)
n, msgs = warned(refgraph.count, "Node", objs)
check(n == 2 and msgs == [], "count('Node') is silent: %r" % msgs)
n, msgs = warned(refgraph.count, "Released", objs)  # a type with no object left: a plain 0
check(n == 0 and msgs == [], "count('Released') is silent: %r" % msgs)
found, msgs = warned(refgraph.by_type, "Nodes")  # all of gc.get_objects(): Node is a prefix
check(found == [] and any("'Node'" in m for m in msgs), "by_type('Nodes') over the heap: %r" % msgs)
with warnings.catch_warnings():
    warnings.simplefilter("error", refgraph.UnknownTypeWarning)
    try:
        refgraph.count("Nod", objs)
        check(False, "UnknownTypeWarning as an error raises")
    except refgraph.UnknownTypeWarning as e:
        check("'Node'" in str(e), "UnknownTypeWarning as an error: %s" % e)
# the CLI's choice among the same types (tests/test_cli.sh: type-typo, type-option-typo)
check(refgraph._core.suggest("lst", ["int", "list", "bool", "NoneType"]) == ["list", "int"], "suggest('lst') as the CLI")
check(refgraph._core.suggest("Usr", ["str", "list", "dict", "User", "bytearray", "bytes", "type", "weakref", "NoneType"])
      == ["User", "str"], "suggest('Usr') as the CLI")
check(refgraph._core.suggest("LIST", ["int", "list"]) == ["list"], "suggest: case only is the closest")
check(refgraph._core.suggest("zzzzzzzz", ["int", "list"]) == [], "suggest: nothing close")
if objgraph is not None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", refgraph.UnknownTypeWarning)
        check(objgraph.count("Nod", objs) == refgraph.count("Nod", objs) == 0 and
              objgraph.by_type("lst", objs) == refgraph.by_type("lst", objs) == [], "typos: objgraph's results")

# the walks leave no garbage behind (objgraph's own leave none either)
gc.collect()
gc.disable()
refgraph.show_refs([root], max_depth=3, output=io.StringIO())
refgraph.show_backrefs([kids[1]], max_depth=2, output=io.StringIO())
refgraph.find_backref_chain(kids[4], lambda o: o is globals())
left = gc.collect()
gc.enable()
check(left == 0, "show_refs, show_backrefs and find_backref_chain leave no garbage (%d objects)" % left)

rgtest.finish()
