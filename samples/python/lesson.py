"""Helpers shared by the Python lessons: memory as Python shows it
(tracemalloc), snapshots (refgraph.dump) and pictures (refgraph.show_refs).

Each lesson takes the list size as its first argument (default 10,000,000:
memory in MiB; `3` gives readable pictures) and writes into out/pylessonN/
(or the directory named by the second argument)."""
import os
import sys
import tracemalloc

import refgraph

tracemalloc.start()


def size():
    return int(sys.argv[1]) if len(sys.argv) > 1 else 10_000_000


def outdir(lesson):
    d = sys.argv[2] if len(sys.argv) > 2 else os.path.join("out", "py" + lesson)
    os.makedirs(d, exist_ok=True)
    return d


def mem(what):
    cur, peak = tracemalloc.get_traced_memory()
    print("  %-34s %9.1f MiB in use (peak %.1f MiB)" % (what, cur / 2**20, peak / 2**20))
    return cur


def _quiet_peak():
    """The dumper's own buffers are not the lesson's: the peak starts again."""
    tracemalloc.reset_peak()


def snapshot(lesson, step, objs=None, backrefs=False, **kw):
    """Dumps the whole heap to <dir>/<step>.jsonl.gz and draws objs (if any)
    to <dir>/<step>.png. Only for small sizes: a dump of ten million ints is
    a gigabyte; run the lesson with 3 for its pictures."""
    if size() > 100_000:
        return None
    d = outdir(lesson)
    path = os.path.join(d, step + ".jsonl.gz")
    info = refgraph.dump(path)
    line = "  snapshot %-24s %d objects" % (path, info["objects"])
    if objs:
        line += ", drawn in " + draw(lesson, step, objs, backrefs, **kw)
    print(line)
    _quiet_peak()
    return path


def draw(lesson, step, objs, backrefs=False, **kw):
    """Draws objs to <dir>/<step>.png, objgraph's way; returns the file name."""
    png = os.path.join(outdir(lesson), step + ".png")
    kw.setdefault("too_many", 5)
    kw.setdefault("max_depth", 2)
    (refgraph.show_backrefs if backrefs else refgraph.show_refs)(objs, filename=png, **kw)
    return png
