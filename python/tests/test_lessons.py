"""The Python lessons (samples/python) run, snapshot and draw, and say what
each lesson teaches. Run by ctest as:
python3 test_lessons.py <samples/python dir> <refgraph CLI> <scratch dir>"""
import glob
import os
import subprocess
import sys

import rgtest
from rgtest import check

SAMPLES, CLI, TMP = rgtest.args("SAMPLES_DIR", "REFGRAPH", "SCRATCH_DIR")


expect = {
    "lesson1_refcount.py": ["refcount after seven aliases: 9", "refcount after del of the aliases: 2"],
    "lesson2_local.py": ["after func() returned"],
    "lesson3_global.py": ["after func() returned"],
    "lesson4_return.py": ["after result = func()"],
    "lesson5_cycle.py": ["still alive after return: 2 lists, refcounts [1, 1]", "gc.collect() found 2 unreachable"],
    "lesson6_weakref.py": ["on return: parent freed, with no collection", "gc.collect() found 0 unreachable"],
}
env = dict(os.environ)
env["PYTHONPATH"] = os.pathsep.join([SAMPLES, env.get("PYTHONPATH", "")])
for script, lines in sorted(expect.items()):
    out = os.path.join(TMP, script[:-3])
    p = subprocess.run([sys.executable, os.path.join(SAMPLES, script), "3", out], capture_output=True, text=True,
                       env=env, timeout=240)
    check(p.returncode == 0, "%s exits 0: %s" % (script, p.stderr[-500:]))
    for line in lines:
        check(line in p.stdout, "%s says %r:\n%s" % (script, line, p.stdout))
    dumps = sorted(glob.glob(os.path.join(out, "*.jsonl.gz")))
    check(len(dumps) >= 1, "%s took snapshots" % script)
    for png in glob.glob(os.path.join(out, "*.png")):
        check(open(png, "rb").read(4) == b"\x89PNG", "%s is a PNG" % png)
    if dumps:
        r = rgtest.run(CLI, "info", dumps[-1])
        check(r.returncode == 0, "refgraph info accepts %s: %s" % (dumps[-1], r.stderr))
# lesson 5's cycle, seen by the CLI in the snapshot taken after return
r = rgtest.run(CLI, "leaks", os.path.join(TMP, "lesson5_cycle", "returned.jsonl.gz"), "--json")
check(r.returncode == 0 and '"cycle_objects":2' in r.stdout, "leaks sees lesson 5's two lists? %s" % r.stdout[:300])
rgtest.finish()
