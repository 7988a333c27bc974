"""Lesson 4: a returned value lives on in the caller's name."""
from lesson import mem, size, snapshot

n = size()
print("Lesson 4: a returned value is kept (a list of %d ints)" % n)


def func():
    made = list(range(n))
    mem("inside func()")
    return made


mem("before func()")
result = func()
mem("after result = func()")
snapshot("lesson4", "returned", [result], backrefs=True, max_depth=1,
         filter=lambda o: isinstance(o, dict) and o is globals())
del result
mem("del result")
