"""Lesson 5: two lists in a cycle survive their function; reference
counting never frees them, one gc.collect() does."""
import gc
import sys

from lesson import draw, mem, size, snapshot

n = size()
print("Lesson 5: a reference cycle needs the collector (2 x %d ints)" % n)
gc.disable()  # so that the lesson, not a threshold, decides when it runs
ids = []


def func():
    a = list(range(n))
    b = list(range(n, 2 * n))
    a.append(b)
    b.append(a)
    ids.extend((id(a), id(b)))
    mem("inside func(), a and b linked")
    snapshot("lesson5", "linked", [a])


mem("before func()")
func()
mem("after func() returned")
snapshot("lesson5", "returned")  # refgraph leaks shows the unreachable cycle
# the lists are unreachable now: find them among the collector's objects to draw them
lost = [o for o in gc.get_objects() if id(o) in ids]
# each is held by the other: refcount 1 once the list lost, the loop's name
# and getrefcount's argument are left aside
print("  still alive after return: %d lists, refcounts %s" % (len(lost), [sys.getrefcount(o) - 3 for o in lost]))
if size() <= 100_000:
    draw("lesson5", "returned", lost[:1])
del lost
print("  gc.collect() found %d unreachable objects" % gc.collect())
mem("after one collection")
snapshot("lesson5", "collected")
