"""Lesson 1: names are references. Eight names for one list: one object,
eight references, and its memory is freed only when the last name goes."""
import sys

from lesson import mem, size, snapshot

n = size()
print("Lesson 1: refcounts of aliases (a list of %d ints)" % n)
mem("before")
a = list(range(n))
mem("a = list(range(n))")
print("  refcount of a: %d (the name a, and getrefcount's argument)" % sys.getrefcount(a))
b = c = d = e = f = g = h = a
print("  refcount after seven aliases: %d" % sys.getrefcount(a))
snapshot("lesson1", "eight-names", [a], backrefs=True, max_depth=1,
         filter=lambda o: isinstance(o, dict) and o is globals())
del b, c, d, e, f, g, h
print("  refcount after del of the aliases: %d" % sys.getrefcount(a))
mem("seven aliases deleted")
del a
mem("del a: the last reference")
snapshot("lesson1", "freed")
