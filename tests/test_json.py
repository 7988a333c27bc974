#!/usr/bin/env python3
"""test_json.py — every command's --json output is one valid JSON document.

For every valid dump in tests/dumps/valid, runs each command that prints
JSON (info, stats, cycles, leaks, top, diff with the dump itself and the
lessons' pairs; chain, dominators and show-backrefs on the dump's first two
objects and its last) and parses its standard output with Python's json
module (what `python3 -m json.tool` uses), refusing NaN and Infinity. Also
checks what JSON used to drop while text showed it: the roots that bind the
objects of a chain (chain --json) and of a cycle (cycles --json): each path
rebuilt from its JSON steps must read exactly as the text output's path,
"list#4 (func:a) -[3]-> list#8 (func:b)".

Usage: test_json.py REFGRAPH SOURCE_DIR
"""
import json
import os
import re
import subprocess
import sys

R, SRC = os.path.abspath(sys.argv[1]), sys.argv[2]
D = os.path.join(SRC, "tests", "dumps", "valid")
ENV = dict(os.environ, NO_COLOR="1")
failed = 0
passed = 0


def bad(msg):
    global failed
    failed += 1
    print("FAIL: " + msg)


def run(args):
    p = subprocess.run([R] + args, cwd=D, env=ENV, capture_output=True, timeout=120)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def no_constant(name):
    raise ValueError("not JSON: " + name)


def parse(args):
    """Runs a --json command; its output must be one JSON document."""
    global passed
    rc, out, err = run(args)
    if rc not in (0, 1):
        bad("%s: exit %d (%s)" % (" ".join(args), rc, err.strip()[:200]))
        return None
    if not out.endswith("\n") or out.count("\n") != 1:
        bad("%s: not one line of JSON" % " ".join(args))
        return None
    try:
        doc = json.loads(out, parse_constant=no_constant)
    except ValueError as e:
        bad("%s: invalid JSON: %s" % (" ".join(args), e))
        return None
    passed += 1
    return doc


def path_text(steps):
    """A JSON path as the text output writes it."""
    parts = []
    for k, s in enumerate(steps):
        name = "%s#%d" % (s["type"], s["id"])
        if "global" in s:
            name += " (%s)" % s["global"]
        elif "frame" in s:
            name += " (%s:%s)" % (s["frame"], s["local"])
        parts.append(name)
        if k + 1 < len(steps):
            parts.append("-%s->" % s["label"])
    return " ".join(parts)


def plain(s):
    return all(32 <= ord(c) < 127 for c in s)


def same_path(what, steps, text):
    global passed
    want = path_text(steps)
    if not plain(want):
        return  # the text escapes what the JSON holds: compare plain names only
    if want != text:
        bad("%s: JSON path %r, text path %r" % (what, want, text))
    else:
        passed += 1


dumps = sorted(f for f in os.listdir(D) if f.endswith(".jsonl"))
rooted = 0
for i, dump in enumerate(dumps):
    ids = [json.loads(line)["id"] for line in open(os.path.join(D, dump), encoding="utf-8")
           if line.startswith('{"id":')]
    picks = sorted(set(ids[:2] + ids[-1:]))
    for args in (["info"], ["stats"], ["stats", "--retained"], ["cycles"], ["leaks"], ["top", "--limit", "0"]):
        parse([args[0], "--json", dump] + args[1:])
    parse(["diff", "--json", dump, dump])
    for obj in picks:
        for cmd in ("dominators", "show-backrefs"):
            parse([cmd, "--json", dump, str(obj)])
        doc = parse(["chain", "--json", dump, str(obj)])
        rc, out, _ = run(["chain", dump, str(obj)])
        if doc and doc.get("chain"):
            m = re.match(r"^(global|frame local|held from outside): (.*)$", out.strip())
            if not m:
                bad("chain %s %s: text %r" % (dump, obj, out[:200]))
            else:
                same_path("chain %s %s" % (dump, obj), doc["chain"], m.group(2))
                rooted += any("global" in s or "frame" in s for s in doc["chain"])
    # cycles: the JSON cycles in order, the text's "  cycle     " lines
    doc = parse(["cycles", "--json", dump])
    rc, out, _ = run(["cycles", dump])
    texts = [line[len("  cycle     "):] for line in out.splitlines() if line.startswith("  cycle     ")]
    if doc is not None:
        if len(texts) != len(doc["cycles"]):
            bad("cycles %s: %d cycles in JSON, %d in text" % (dump, len(doc["cycles"]), len(texts)))
        for c, t in zip(doc["cycles"], texts):
            same_path("cycles %s" % dump, c["cycle"], t)
            rooted += any("global" in s or "frame" in s for s in c["cycle"])

for old, new in (("lesson-1-before.jsonl", "lesson-2-linked.jsonl"), ("lesson-2-linked.jsonl", "lesson-3-returned.jsonl"),
                 ("retained.jsonl", "retained-2.jsonl"), ("addr-1.jsonl", "addr-2.jsonl")):
    parse(["diff", "--json", old, new])

# the root names must be there at all: the lessons' dumps bind objects to
# frame locals (lesson 2: "list#4 (func:a)") and some to globals
doc = parse(["chain", "--json", "lesson-2-linked.jsonl", "11"])
if doc is not None:
    first = doc["chain"][0]
    if (first.get("frame"), first.get("local")) != ("func", "b"):
        bad("chain --json lesson-2-linked.jsonl 11: the first step %r names no root func:b" % first)
doc = parse(["cycles", "--json", "lesson-2-linked.jsonl"])
if doc is not None:
    names = [(s.get("frame"), s.get("local")) for s in doc["cycles"][0]["cycle"]]
    if names != [("func", "a"), ("func", "b"), ("func", "a")]:
        bad("cycles --json lesson-2-linked.jsonl: root names %r" % names)
if not rooted:
    bad("no path in any dump named a root")

print("test_json: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
