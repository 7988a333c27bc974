"""The CPython side of bench_gc: the same shapes, gc.disable() while
building, one timed gc.collect(). Prints the same JSON lines (impl cpython)."""
import gc
import json
import sys
import time


class Node:
    pass


def build_pairs(n):
    for _ in range(n // 2):
        a = []
        b = [a]
        a.append(b)
    return None


def build_ring(n):
    first = cur = []
    for _ in range(1, n):
        nxt = []
        cur.append(nxt)
        cur = nxt
    cur.append(first)
    return None


def build_tree(n):
    nodes = [[] for _ in range(n)]
    for i in range(n - 1, 0, -1):
        nodes[(i - 1) // 2].insert(0, nodes[i])
    return nodes[0]


def touch_all(root):
    stack = [root]
    while stack:  # every node increfed and decrefed (bound, then unbound)
        node = stack.pop()
        stack.extend(node)


def build_touched_fresh(n):
    root = build_tree(n)
    touch_all(root)
    return root


def build_touched(n):
    # long-lived: the tree has been through a full collection, as in bench_gc.c
    root = build_tree(n)
    gc.collect()
    touch_all(root)
    return root


def build_mixed(n):
    root = build_touched(n)
    build_pairs(n // 5)
    return root


def build_inst(n):
    for _ in range(n // 2):
        a = Node()
        b = Node()
        a.other = b
        b.other = a
    return None


SHAPES = [("pairs", build_pairs), ("ring", build_ring), ("tree", build_tree),
          ("touched_fresh", build_touched_fresh), ("touched", build_touched),
          ("mixed", build_mixed), ("inst", build_inst)]


def emit(rec):
    print(json.dumps(rec), flush=True)


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    for r in range(rounds):
        for name, build in SHAPES:
            for n in (100000, 1000000):
                gc.collect()
                gc.disable()
                t0 = time.perf_counter()
                kept = build(n)
                t1 = time.perf_counter()
                found = gc.collect()
                t2 = time.perf_counter()
                del kept
                gc.enable()
                emit({"bench": "gc", "impl": "cpython", "case": name, "n": n, "round": r,
                      "build_ms": round((t1 - t0) * 1e3, 2), "collect_ms": round((t2 - t1) * 1e3, 2),
                      "collect_returned": found, "ns_per_obj": round((t2 - t1) * 1e9 / (n + n // 5 if name == "mixed" else n), 2)})
        ms = []
        for on in (False, True):
            gc.collect()
            if on:
                gc.enable()
            else:
                gc.disable()
            t0 = time.perf_counter()
            root = build_tree(1000000)
            ms.append((time.perf_counter() - t0) * 1e3)
            del root
            gc.enable()
        emit({"bench": "gc", "impl": "cpython", "case": "autogc_tree", "n": 1000000, "round": r,
              "off_ms": round(ms[0], 2), "on_ms": round(ms[1], 2), "on_off_ratio": round(ms[1] / ms[0], 3)})


main()
