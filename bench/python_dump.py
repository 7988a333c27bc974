"""Dump speed of refgraph's Python extension against objgraph's own way of
walking the heap (gc.get_referents over every object of gc.get_objects()),
on the same heap in the same process, and show_refs of the seed example
against objgraph's (which runs the dot program).

Usage: PYTHONPATH=<build>/python python3 bench/python_dump.py [rounds] [nodes]
Prints JSON lines (one per measurement) like the other benchmarks."""
import gc
import io
import json
import os
import sys
import tempfile
import time

import asyncio, decimal, email, email.message, http.client, json as _json, unittest  # noqa: E401,F401
import xml.etree.ElementTree, xml.dom.minidom  # noqa: E401,F401

import refgraph

rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
nodes = int(sys.argv[2]) if len(sys.argv) > 2 else 120_000


class Node:
    def __init__(self, n, parent):
        self.n = n
        self.parent = parent
        self.kids = []
        self.name = "node %d" % n
        if parent is not None:
            parent.kids.append(self)


tree = [Node(0, None)]
for i in range(1, nodes):
    tree.append(Node(i, tree[(i - 1) // 3]))
gc.collect()
gc.disable()
out = tempfile.mkdtemp()
path = os.path.join(out, "heap.jsonl")


def emit(**kw):
    print(json.dumps(kw), flush=True)


for r in range(rounds):
    info = refgraph.dump(path)
    emit(bench="python", case="heap walk: dump vs get_referents", n=nodes, impl="refgraph",
         objects=info["objects"], seconds=info["seconds"],
         cpu_seconds=info["cpu_seconds"], objects_per_s=round(info["objects"] / info["seconds"]),
         objects_per_cpu_s=round(info["objects"] / info["cpu_seconds"]))
    t0, c0 = time.perf_counter(), time.thread_time()
    objs = gc.get_objects()
    refs = 0
    for o in objs:
        refs += len(gc.get_referents(o))
    t1, c1 = time.perf_counter(), time.thread_time()
    emit(bench="python", case="heap walk: dump vs get_referents", n=nodes, impl="objgraph", objects=len(objs),
         references=refs,
         seconds=t1 - t0, cpu_seconds=c1 - c0, objects_per_s=round(len(objs) / (t1 - t0)),
         objects_per_cpu_s=round(len(objs) / (c1 - c0)))
    del objs
os.unlink(path)

a = [1, 2, 3]; b = [4, 5, 6]; a.append(b); b.append(a)  # noqa: E702
try:
    import objgraph
except ImportError:
    objgraph = None
for r in range(rounds):
    png = os.path.join(out, "a.png")
    t0 = time.perf_counter()
    refgraph.show_refs([a], filename=png)
    emit(bench="python", case="show_refs seed example to png", n=8, impl="refgraph",
         seconds=time.perf_counter() - t0)
    if objgraph is not None:
        t0 = time.perf_counter()
        objgraph.show_refs([a], filename=png)
        emit(bench="python", case="show_refs seed example to png", n=8, impl="objgraph",
             seconds=time.perf_counter() - t0)

# A 100,000-object structure: a list of 1,000 lists of 100 distinct ints
# (101,001 objects), drawn with objgraph's default limits (max_depth 3,
# too_many 10) by both, the same parameters.
big = [[1000 + i * 100 + j for j in range(100)] for i in range(1000)]
for r in range(rounds):
    png = os.path.join(out, "big.png")
    t0 = time.perf_counter()
    refgraph.show_refs([big], filename=png, max_depth=3)
    emit(bench="python", case="show_refs 100k-object structure to png", n=101001, impl="refgraph",
         seconds=time.perf_counter() - t0)
    if objgraph is not None:
        t0 = time.perf_counter()
        objgraph.show_refs([big], filename=png, max_depth=3)
        emit(bench="python", case="show_refs 100k-object structure to png", n=101001, impl="objgraph",
             seconds=time.perf_counter() - t0)
