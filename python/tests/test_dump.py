"""refgraph.dump on real interpreters: the CLI accepts the dumps, and what
they say matches the interpreter (sizes, refcounts, references, garbage).

Run by ctest as: python3 test_dump.py <refgraph CLI> <scratch dir>
with PYTHONPATH naming the built package.
"""
import gc
import json
import os
import sys
import weakref

import rgtest
from rgtest import check

CLI, TMP = rgtest.args("REFGRAPH", "SCRATCH_DIR")


def load(path):
    objs, roots_g, frames = {}, [], []
    with open(path, encoding="utf-8") as f:
        header = json.loads(f.readline())
        for line in f:
            r = json.loads(line)
            if "id" in r and "refs" in r:
                objs[r["id"]] = r
            elif "global" in r:
                roots_g.append(r)
            elif "frame" in r:
                frames.append(r)
            else:
                trailer = r
    return header, objs, roots_g, frames, trailer


def cli(*args):
    p = rgtest.run(CLI, *args)
    return p.returncode, p.stdout, p.stderr


# A real interpreter: many standard modules, then structures of our own.
import asyncio, decimal, email, email.message, http.client, json as _j, unittest  # noqa: E401,F401
import xml.etree.ElementTree as ET, xml.dom.minidom  # noqa: E401,F401
import refgraph

gc.disable()  # nothing is collected between the dump and the comparison


class Node:
    def __init__(self, name):
        self.name = name
        self.peer = None


class Slotted:
    __slots__ = ("left", "right")


def make_leaks():
    """Cycles nothing refers to: garbage only the collector can free."""
    for i in range(50):
        a, b = Node("a%d" % i), Node("b%d" % i)
        a.peer, b.peer = b, a
    lst = [1, 2]
    lst.append(lst)
    d = {"self": None, "text": "leaked text %d" % 12345}
    d["self"] = d
    s = Slotted()
    s.left = s
    s.right = ("x" * 3, 10**30)


make_leaks()
keep = Node("kept")
mini = xml.dom.minidom.Element("x")
keep.peer = [keep, {"k": 1.5}]
tree = ET.fromstring("<a><b x='1'/><c>text</c></a>")
wr = weakref.ref(keep)


probes = (keep, keep.peer, keep.peer[1], tree, wr, Node, sys.modules, ET.Element, xml.dom.minidom.Element, keep.name)


def inner(path):
    local_list = [keep, "local"]
    before = len(gc.get_objects())
    info = refgraph.dump(path)
    after = len(gc.get_objects())
    # the comprehension's variable and getrefcount's argument: two more
    rcs = {id(o): sys.getrefcount(o) - 2 for o in probes}
    # The comparison: what the collector finds right now, in this process.
    gc.set_debug(gc.DEBUG_SAVEALL)
    gc.collect()
    garbage_ids = {id(o) for o in gc.garbage}
    gc.set_debug(0)
    return local_list, info, before, after, rcs, garbage_ids


path = os.path.join(TMP, "heap.jsonl")
_, info, before, after, rcs, garbage_ids = inner(path)
after_list = gc.get_objects()  # gc.garbage keeps the garbage alive
check(before == after, "the dump leaves no object behind (%d tracked before, %d after)" % (before, after))
print("dumped %d objects in %.3f s (%.3f s CPU)" % (info["objects"], info["seconds"], info["cpu_seconds"]))

header, objs, globs, frames, trailer = load(path)
check(header["ids"] == "addresses", "the header says ids are addresses")
check(trailer["trailer"]["objects"] == len(objs) == info["objects"], "object counts agree")

# Every object the collector saw right after the dump is in the dump
# (garbage included: gc.collect() ran after that snapshot).
missing = [o for o in after_list if id(o) not in objs and o is not garbage_ids]
check(not missing, "tracked objects missing from the dump: %d %r" % (len(missing), [type(o) for o in missing[:5]]))

# Sizes, refcounts and types of objects that still exist.
bad_size = bad_rc = bad_type = 0
for o in probes:
    r = objs.get(id(o))
    check(r is not None, "object %r is in the dump" % type(o))
    if r is None:
        continue
    bad_size += r["size"] != sys.getsizeof(o)
    if r["rc"] != rcs[id(o)]:
        print("rc of %r: dump %d, sys.getrefcount %d" % (type(o), r["rc"], rcs[id(o)]))
        bad_rc += 1
check(bad_size == 0, "sizes equal sys.getsizeof (%d differ)" % bad_size)
check(bad_rc == 0, "refcounts equal sys.getrefcount (%d differ)" % bad_rc)
check(objs[id(ET.Element)]["type"] == "type" and objs[id(ET.Element)]["label"] == "Element", "class label")
check(objs[id(keep)]["type"] == "__main__.Node", "instances are named module.qualname")
elems = {r["type"] for r in objs.values() if r["type"].endswith(".Element")}
check(elems == {"xml.etree.ElementTree.Element", "xml.dom.minidom.Element"},
      "two classes named Element stay apart: %s" % sorted(elems))
# sizes of all objects of builtin types that are still alive
n = 0
for o in after_list:
    r = objs.get(id(o))
    # (this module's globals grew since the dump)
    if r is not None and type(o) in (list, dict, tuple, set, str, Node, type(inner)) and o is not globals():
        if type(o) in (list, dict, set) and r["label"] != "%d items" % len(o):
            continue  # changed since the dump (gc.garbage, ...)
        n += 1
        if r["size"] != sys.getsizeof(o):
            bad_size += 1
            print("size of %s %r: dump %d, sys.getsizeof %d" % (r["type"], r["label"], r["size"], sys.getsizeof(o)))
check(n > 1000 and bad_size == 0, "sizes of %d containers equal sys.getsizeof (%d differ)" % (n, bad_size))

# Labels: attribute names, dict keys, indexes, __class__, weak references.
k = objs[id(keep)]
labels = {lab: t for t, lab, *_ in k["refs"]}
check(labels.get("name") == id(keep.name) and labels.get("peer") == id(keep.peer), "instance attribute labels")
check(labels.get("__class__") == id(Node), "__class__ label")
p = objs[id(keep.peer)]
check([lab for _, lab, *_ in p["refs"]] == ["[0]", "[1]"], "list item labels")
dd = objs[id(keep.peer[1])]
check(dd["refs"][0][1] == "(key)" and dd["refs"][1][1] == "k", "dict key and value labels")
w = objs[id(wr)]
check(any(len(ref) == 3 and ref[2] is True and ref[0] == id(keep) for ref in w["refs"]), "weakref target is weak")

# Statically allocated objects are marked.
check(objs.get(id(int), {}).get("static") is True, "static type 'int' marked static")
check(objs.get(id(None), {}).get("static") is True, "None marked static")

# Roots: modules as globals; this thread's frames with their locals.
gnames = {g["global"]: g["id"] for g in globs}
check(gnames.get("__main__") == id(sys.modules["__main__"]), "__main__ is a global root")
check(gnames.get("json") == id(_j), "json is a global root")
fr = [f for f in frames if f["frame"] == "inner"]
check(len(fr) == 1, "the inner frame is dumped")
if fr:
    loc = dict((n_, i) for n_, i in fr[0]["locals"])
    check(loc.get("path") == id(path), "frame local 'path'")
    check("local_list" in loc and objs[loc["local_list"]]["label"] == "2 items", "frame local 'local_list'")

# The CLI accepts the dump.
for cmd in (["info", path], ["cycles", path, "--unreachable"], ["leaks", path], ["stats", path]):
    rc, out, err = cli(*cmd)
    check(rc == 0, "refgraph %s exits 0 (got %d: %s)" % (cmd[0], rc, err.strip()[:300]))

# leaks finds exactly what gc.collect() found: the collector's objects the
# dump calls unreachable are gc.garbage; the rest it calls unreachable are
# untracked objects only garbage refers to.
rc, out, err = cli("leaks", path, "--json", "--limit", "0")
lk = json.loads(out)
ext = {i: r["rc"] for i, r in objs.items()}
for r in objs.values():
    for ref in r["refs"]:
        if len(ref) < 3:
            ext[ref[0]] -= 1
for g in globs:
    ext[g["id"]] -= 1
for f in frames:
    for _, i in f["locals"]:
        ext[i] -= 1
seen = set(i for i, e in ext.items() if e > 0) | set(gnames.values()) | {i for f in frames for _, i in f["locals"]}
todo = list(seen)
while todo:
    i = todo.pop()
    for ref in objs[i]["refs"]:
        if len(ref) < 3 and ref[0] not in seen:
            seen.add(ref[0])
            todo.append(ref[0])
unreachable = set(objs) - seen
tracked_unreachable = {i for i in unreachable if objs[i]["gen"] is not None}
check(lk["unreachable"]["objects"] == len(unreachable),
      "leaks counts %d unreachable, the dump's references give %d" % (lk["unreachable"]["objects"], len(unreachable)))
check(tracked_unreachable == garbage_ids,
      "unreachable tracked objects == gc.garbage (%d vs %d; %d only in dump, %d only in gc)" %
      (len(tracked_unreachable), len(garbage_ids), len(tracked_unreachable - garbage_ids),
       len(garbage_ids - tracked_unreachable)))
check(len(garbage_ids) >= 50 * 2 + 3, "the leaked cycles were found (%d)" % len(garbage_ids))
held = lk["held_from_outside"]
check(not any(objs[h["id"]].get("static") for h in held), "static objects are not 'held from outside'")
check(sum(1 for r in objs.values() if r.get("static")) > 1000, "many objects are marked static")

# gzip output
gz = os.path.join(TMP, "heap.jsonl.gz")
refgraph.dump(gz)
rc, out, err = cli("info", gz)
check(rc == 0, "a .gz dump loads")
# an unwritable path raises OSError and leaves nothing
try:
    refgraph.dump("/nonexistent-dir/x.jsonl")
    check(False, "dump to a missing directory raises")
except OSError as e:
    check("nonexistent" in str(e), "the error names the file: %s" % e)

rgtest.finish()
