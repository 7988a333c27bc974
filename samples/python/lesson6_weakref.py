"""Lesson 6: a weak back reference breaks the cycle: the pair is freed on
return by reference counting alone, without the collector."""
import gc
import weakref

from lesson import mem, size, snapshot

n = size()
print("Lesson 6: a weakref breaks the cycle (a list of %d ints)" % n)
gc.disable()


class Parent:
    def __init__(self):
        self.data = list(range(n))
        self.child = Child(self)


class Child:
    def __init__(self, parent):
        self.parent = weakref.ref(parent)


gone = []


def func():
    p = Parent()
    weakref.finalize(p, gone.append, "parent freed")
    mem("inside func()")
    snapshot("lesson6", "inside", [p], max_depth=3)


mem("before func()")
func()
print("  on return: %s, with no collection" % (gone[0] if gone else "parent still alive"))
mem("after func() returned")
print("  gc.collect() found %d unreachable objects" % gc.collect())
snapshot("lesson6", "returned")
