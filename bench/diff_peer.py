"""The obvious Python alternative to `refgraph diff OLD NEW`: load both
dumps with the json module; per type, counts before and after, new and freed
objects by id, bytes allocated and freed (collections.Counter)."""
import collections
import json
import sys


def load(path):
    objs = {}
    with open(path, "rb") as f:
        for line in f:
            rec = json.loads(line)
            if "id" in rec and "type" in rec:
                objs[rec["id"]] = (rec["type"], rec["size"])
    return objs


old, new = load(sys.argv[1]), load(sys.argv[2])
before = collections.Counter(t for t, _ in old.values())
after = collections.Counter(t for t, _ in new.values())
born = collections.Counter()
died = collections.Counter()
alloc = collections.Counter()
freed = collections.Counter()
for i, (t, s) in new.items():
    if i not in old:
        born[t] += 1
        alloc[t] += s
for i, (t, s) in old.items():
    if i not in new:
        died[t] += 1
        freed[t] += s
for t in sorted(set(before) | set(after), key=lambda t: -abs(alloc[t] - freed[t])):
    print(t, before[t], after[t], after[t] - before[t], born[t], died[t], alloc[t], freed[t])
