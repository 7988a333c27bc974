"""Lesson 2: a local variable dies with its function's return."""
from lesson import mem, size, snapshot

n = size()
print("Lesson 2: a local is freed on return (a list of %d ints)" % n)


def func():
    local = list(range(n))
    mem("inside func(), local bound")
    snapshot("lesson2", "inside", [local])
    return None


mem("before func()")
func()
mem("after func() returned")
snapshot("lesson2", "returned")
