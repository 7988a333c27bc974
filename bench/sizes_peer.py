"""The CPython side of bench_sizes: the same objects, one case per process.

Usage: sizes_peer.py CASE [N]

Prints one JSON line (impl cpython) with three figures per object:
  bytes_per_obj  the blocks the objects allocated, traced by tracemalloc,
                 each rounded as pymalloc rounds it (to 16 bytes up to 512)
                 and counted at its size above that: GC header included
  getsizeof      sys.getsizeof of one object (GC header included)
  rss_per_obj    resident memory growth (a separate build, tracemalloc off)
"""
import gc
import json
import sys
import tracemalloc
import weakref


def rss_kib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


class Shared:
    pass


class C:
    pass


SHARED = Shared()
KEYS = [5000000 + k for k in range(100)]
NAMES = ["a0", "a1", "a2", "a3"]


def cb(_):
    pass


def make(case, i):
    x = SHARED
    if case == "int":
        return 1000000 + i
    if case == "float":
        return i + 0.5
    if case == "str8":
        return "k%07d" % (i % 10000000)
    if case == "str100":
        return "%092d%08d" % (0, i % 100000000)
    if case.startswith("tuple"):
        return tuple([x] * int(case[5:]))
    if case.startswith("list"):
        lst = []
        for _ in range(int(case[4:])):
            lst.append(x)
        return lst
    if case.startswith("dict"):
        d = {}
        for k in KEYS[: int(case[4:])]:
            d[k] = x
        return d
    if case == "class":
        return type("C%d" % i, (), {})
    if case.startswith("inst"):
        o = C()
        for name in NAMES[: int(case[4:])]:
            setattr(o, name, x)
        return o
    if case == "weakref":
        return weakref.ref(x, cb)
    raise SystemExit("sizes_peer: unknown case '%s'" % case)


def rounded(size):
    return (size + 15) // 16 * 16 if size <= 512 else size


def main():
    case = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 200000
    gc.disable()
    if case in ("none", "bool"):
        o = None if case == "none" else True
        print(json.dumps({"bench": "sizes", "impl": "cpython", "case": case, "n": 1,
                          "bytes_per_obj": rounded(sys.getsizeof(o)), "getsizeof": sys.getsizeof(o)}))
        return
    keep = [None] * n
    make(case, 0)  # warm caches (type attribute caches, interned names)
    r0 = rss_kib()
    for i in range(n):
        keep[i] = make(case, i)
    r1 = rss_kib()
    one = sys.getsizeof(keep[0])
    keep = [None] * n
    gc.collect()
    tracemalloc.start()
    for i in range(n):
        keep[i] = make(case, i)
    snap = tracemalloc.take_snapshot()
    tracemalloc.stop()
    traced = sum(rounded(t.size) for t in snap.traces)
    print(json.dumps({"bench": "sizes", "impl": "cpython", "case": case, "n": n,
                      "bytes_per_obj": round(traced / n, 1), "getsizeof": one,
                      "rss_per_obj": round((r1 - r0) * 1024 / n, 1)}))


main()
