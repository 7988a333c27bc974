"""Lesson 3: a global outlives the function that made it."""
from lesson import mem, size, snapshot

n = size()
print("Lesson 3: a global is kept (a list of %d ints)" % n)
kept = None


def func():
    global kept
    kept = list(range(n))
    mem("inside func(), global bound")


mem("before func()")
func()
mem("after func() returned")
snapshot("lesson3", "returned", [kept], backrefs=True, max_depth=1,
         filter=lambda o: isinstance(o, dict) and o is globals())
kept = None
mem("kept = None")
