"""refgraph dump-pid against running Debian python3 processes.

usage: test_dump_pid.py REFGRAPH WORKDIR

Each target builds a known structure (two instances of a class with a
unique name in a cycle, reachable from a global, and an unreachable cycle
of two others, the collector disabled so that it stays), then runs one of
three loops: printing a counter, blocked in time.sleep, or busy in pure
Python. The test dumps it with `refgraph dump-pid`, checks the dump with
`refgraph cycles/leaks/info`, checks that the target kept running, made
progress after the dump and exits normally with the expected output (no
traceback, no SystemError, nothing left in its __main__ or sys.modules),
and prints how long the target was stopped. Then the errors: a dead pid, a
process that is not Python, a Python of another version (when pyenv has
one), a main thread blocked past --timeout (the target is left running,
never dumps, and exits normally), bad command lines.

Exits 77 (skipped) when gdb is missing or attaching is not permitted here.
"""
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import time

import rgtest
from rgtest import check

REFGRAPH, WORK = rgtest.args("REFGRAPH", "SCRATCH_DIR")
PY = "/usr/bin/python3"
SKIP = 77

TARGET = r'''
import gc, os, sys, time
try:  # let a sibling (gdb) attach where yama's ptrace_scope is 1
    import ctypes
    ctypes.CDLL(None).prctl(0x59616d61, ctypes.c_ulong(-1 & 0xffffffffffffffff), 0, 0, 0)
except Exception:
    pass
gc.disable()
MODE, STOP, EXTRA = sys.argv[1], sys.argv[2], int(sys.argv[3])

class RgPidLive:
    pass

class RgPidGarbage:
    pass

live_a = RgPidLive(); live_b = RgPidLive()
live_a.peer = live_b; live_b.peer = live_a
g1 = RgPidGarbage(); g2 = RgPidGarbage(); g1.peer = g2; g2.peer = g1
del g1, g2
ballast = [[i] for i in range(EXTRA)]
names = sorted(globals())
modules = set(sys.modules)
print("ready", os.getpid(), flush=True)
i = 0
gap = 0.0
last = time.monotonic()
while True:
    i += 1
    if MODE == "busy":
        # pure Python, no call between two clock reads but the clock itself
        x = 0
        for k in range(2000):
            x += k * k
    now = time.monotonic()
    if now - last > gap:
        gap = now - last
    last = now
    if MODE == "sleep":
        time.sleep(0.05)
    if i % 20 == 0:
        print("tick", i, flush=True)
        if os.path.exists(STOP):
            break
changed = sorted(set(globals()) - set(names) - {"names", "modules", "i", "gap", "last", "now", "x", "k"})
print("done", i, "%.4f" % gap, "globals+%s" % ",".join(changed),
      "modules+%s" % ",".join(sorted(set(sys.modules) - modules - {"ctypes", "_ctypes", "struct", "_struct"})),
      flush=True)
'''

rgtest.verbose = True
STALE = set(glob.glob("/tmp/refgraph-dump-*"))  # not ours: left by a killed run, or another one running


def new_temp_dirs():
    return set(glob.glob("/tmp/refgraph-dump-*")) - STALE


def refgraph(*args, timeout=120):
    return rgtest.run(REFGRAPH, *args, timeout=timeout)


def target_env():
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)  # the target cannot import refgraph itself
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


class Target:
    def __init__(self, mode, extra=0, argv0=PY):
        self.stop = os.path.join(WORK, "stop-" + mode)
        if os.path.exists(self.stop):
            os.remove(self.stop)
        self.out = open(os.path.join(WORK, "target-%s.out" % mode), "w+")
        self.err = open(os.path.join(WORK, "target-%s.err" % mode), "w+")
        self.p = subprocess.Popen([argv0, "-c", TARGET, mode, self.stop, str(extra)],
                                  stdout=self.out, stderr=self.err, env=target_env())
        self.pid = self.p.pid
        deadline = time.monotonic() + 60
        while "ready" not in self.read() and time.monotonic() < deadline:
            if self.p.poll() is not None:
                raise RuntimeError("target %s exited: %s" % (mode, self.stderr()))
            time.sleep(0.02)

    def read(self):
        self.out.flush()
        with open(self.out.name) as f:
            return f.read()

    def stderr(self):
        with open(self.err.name) as f:
            return f.read()

    def ticks(self):
        t = re.findall(r"^tick (\d+)$", self.read(), re.M)
        return int(t[-1]) if t else 0

    def finish(self):
        open(self.stop, "w").close()
        try:
            rc = self.p.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.p.kill()
            rc = None
        return rc, self.read(), self.stderr()


def main():
    if not shutil.which("gdb"):
        print("test_dump_pid: SKIPPED: gdb is missing (Debian: apt-get install gdb)")
        return SKIP
    try:
        with open("/proc/sys/kernel/yama/ptrace_scope") as f:
            if int(f.read()) >= 3:
                print("test_dump_pid: SKIPPED: yama ptrace_scope is 3 (no attaching)")
                return SKIP
    except OSError:
        pass

    for mode, extra in (("print", 0), ("sleep", 0), ("busy", 100000)):
        t = Target(mode, extra)
        before = t.ticks()
        dump = os.path.join(WORK, "heap-%s.jsonl" % mode)
        if os.path.exists(dump):
            os.remove(dump)
        t0 = time.monotonic()
        r = refgraph("dump-pid", str(t.pid), "-o", dump, "--timeout", "60")
        took = time.monotonic() - t0
        if r.returncode != 0 and "cannot attach" in r.stderr:
            t.finish()
            print("test_dump_pid: SKIPPED: attaching is not permitted here: " + r.stderr.strip())
            return SKIP
        check(r.returncode == 0, "%s: dump-pid exits 0 (%s)" % (mode, (r.stdout + r.stderr).strip()))
        if r.returncode != 0:
            t.finish()
            continue
        m = re.search(r"dump: ([\d.]+) s in the process; gdb: ([\d.]+) s", r.stdout)
        dump_s, gdb_s = float(m.group(1)), float(m.group(2))
        # progress after the dump
        deadline = time.monotonic() + 20
        after_dump = t.ticks()
        while t.ticks() <= after_dump and time.monotonic() < deadline:
            time.sleep(0.05)
        check(t.ticks() > after_dump >= before, "%s: the target makes progress after the dump (%d -> %d -> %d)"
              % (mode, before, after_dump, t.ticks()))
        check(t.p.poll() is None, "%s: the target is alive after the dump" % mode)

        info = refgraph("info", dump)
        check(info.returncode == 0 and "validation   ok" in info.stdout, "%s: refgraph info finds the dump valid" % mode)
        cycles = json.loads(refgraph("cycles", dump, "--json", "--limit", "0").stdout)
        live = [c for c in cycles["cycles"] if c["types"] == {"__main__.RgPidLive": 2}]
        check(len(live) == 1 and live[0]["reachable"], "%s: the live cycle of two RgPidLive is there, reachable" % mode)
        dead = [c for c in cycles["cycles"] if "__main__.RgPidGarbage" in c["types"]]
        check(len(dead) == 1 and not dead[0]["reachable"], "%s: the RgPidGarbage cycle is there, unreachable" % mode)
        leaks = refgraph("leaks", dump, "--check")
        check(leaks.returncode == 1 and "RgPidGarbage" in leaks.stdout and "RgPidLive" not in leaks.stdout,
              "%s: leaks --check finds RgPidGarbage and not RgPidLive" % mode)
        stats = refgraph("stats", dump, "--limit", "0").stdout
        if extra:
            n = re.search(r"^\s*list\s+(\d+)", stats, re.M)
            check(n and int(n.group(1)) >= extra, "%s: the %d ballast lists are in the dump" % (mode, extra))

        rc, out, err = t.finish()
        done = re.search(r"^done (\d+) ([\d.]+) globals\+(\S*) modules\+(\S*)$", out, re.M)
        check(rc == 0 and done is not None, "%s: the target exits 0 with its last line (rc %s)" % (mode, rc))
        check(err == "", "%s: nothing on the target's stderr (%r)" % (mode, err[-300:]))
        if done:
            check(done.group(3) == "", "%s: no name left in __main__ (%s)" % (mode, done.group(3)))
            check(done.group(4) == "", "%s: no module left in sys.modules (%s)" % (mode, done.group(4)))
            gap = float(done.group(2))
            print("      %s: target stopped at most %.3f s (loop's longest gap); dump %.3f s in the target, "
                  "gdb ran %.3f s, dump-pid took %.3f s, %s" % (mode, gap, dump_s, gdb_s, took,
                                                             r.stdout.splitlines()[0]))
            if mode != "sleep":
                check(gap <= gdb_s + dump_s + 0.5, "%s: the target stopped no longer than gdb and the dump (%.3f <= %.3f)"
                      % (mode, gap, gdb_s + dump_s + 0.5))
        check(not new_temp_dirs(), "%s: no temporary directory left in /tmp" % mode)

    # a main thread blocked longer than --timeout: left running, never dumps
    long_prog = TARGET.replace('if MODE == "sleep":\n        time.sleep(0.05)',
                               'if MODE == "sleep-long" and i == 1:\n        time.sleep(8)')
    stop = os.path.join(WORK, "stop-long")
    if os.path.exists(stop):
        os.remove(stop)
    out = open(os.path.join(WORK, "target-long.out"), "w+")
    p = subprocess.Popen([PY, "-c", long_prog, "sleep-long", stop, "0"], stdout=out, stderr=subprocess.PIPE,
                         env=target_env())
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with open(out.name) as f:
            if "ready" in f.read():
                break
        time.sleep(0.02)
    time.sleep(0.3)
    dump = os.path.join(WORK, "heap-long.jsonl")
    if os.path.exists(dump):
        os.remove(dump)
    r = refgraph("dump-pid", str(p.pid), "-o", dump, "--timeout", "1")
    check(r.returncode == 3 and "did not run the dump within 1 s" in r.stderr,
          "timeout: exits 3 and says so (%s)" % r.stderr.strip())
    check(not os.path.exists(dump), "timeout: no output file")
    check(p.poll() is None, "timeout: the target is left running")
    check(not new_temp_dirs(), "timeout: no temporary directory left")
    time.sleep(6)  # the sleep ends; the queued call runs, finds no directory, does nothing
    open(stop, "w").close()
    rc = p.wait(timeout=60)
    err = p.stderr.read().decode()
    with open(out.name) as f:
        text = f.read()
    done = re.search(r"^done (\d+) ([\d.]+) globals\+(\S*) modules\+(\S*)$", text, re.M)
    check(rc == 0 and done and done.group(3) == "" and done.group(4) == "" and err == "",
          "timeout: the target ends normally, nothing left behind (rc %s, %r)" % (rc, err[-200:]))
    check(not os.path.exists(dump), "timeout: the cancelled dump never appears")

    # a dead process
    p = subprocess.Popen(["true"])
    p.wait()
    r = refgraph("dump-pid", str(p.pid), "-o", os.path.join(WORK, "x.jsonl"))
    check(r.returncode == 3 and r.stderr.strip() == "refgraph: no process %d" % p.pid,
          "dead pid: exits 3, 'no process' (%s)" % r.stderr.strip())

    # not Python
    p = subprocess.Popen(["sleep", "30"])
    time.sleep(0.2)
    r = refgraph("dump-pid", str(p.pid), "-o", os.path.join(WORK, "x.jsonl"))
    check(r.returncode == 3 and "is not a Python interpreter" in r.stderr, "sleep: exits 3, not Python (%s)"
          % r.stderr.strip())
    check(p.poll() is None, "sleep: still running")
    p.kill()
    p.wait()

    # another user's process: refused before gdb runs (root only: runs refgraph as nobody)
    if os.geteuid() == 0 and shutil.which("setpriv"):
        p = subprocess.Popen([PY, "-c", "import time\nwhile True: time.sleep(0.05)"])
        time.sleep(0.3)
        r = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", REFGRAPH, "dump-pid",
                            str(p.pid), "-o", "/tmp/refgraph-test-nobody.jsonl"], capture_output=True, text=True)
        check(r.returncode == 3 and "cannot attach to process %d: it belongs to user 0" % p.pid in r.stderr
              and p.poll() is None, "another user's process: exits 3, says so, left running (%s)" % r.stderr.strip())
        p.kill()
        p.wait()

    # the dump on standard output, the summary on standard error
    t = Target("stdout")
    r = subprocess.run([REFGRAPH, "dump-pid", str(t.pid), "-o", "-"], capture_output=True)
    lines = r.stdout.splitlines()
    check(r.returncode == 0 and lines and b'"format"' in lines[0] and b"wrote '-'" in r.stderr,
          "-o -: the dump on stdout, the summary on stderr")
    rc, out, err = t.finish()
    check(rc == 0 and err == "", "-o -: the target exits normally")

    # another Python version, when there is one
    others = sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.12*/bin/python3")))[:1]
    for other in others[:2]:
        p = subprocess.Popen([other, "-c", "import time\nwhile True: time.sleep(0.05)"])
        time.sleep(0.5)
        r = refgraph("dump-pid", str(p.pid), "-o", os.path.join(WORK, "x.jsonl"))
        check(r.returncode == 3 and "built for CPython 3.11" in r.stderr and p.poll() is None,
              "%s: refused, exits 3, left running (%s)" % (other, r.stderr.strip()))
        p.kill()
        p.wait()
    if not others:
        print("      (no other Python version under ~/.pyenv: the version refusal is not exercised)")

    # command lines
    for args, why in ((["dump-pid", "12"], "no -o"), (["dump-pid", "abc", "-o", "x"], "bad pid"),
                      (["dump-pid", "-o", "x"], "no pid"), (["dump-pid", "1", "-o", "x", "--timeout", "0"], "bad timeout")):
        r = refgraph(*args)
        check(r.returncode == 2 and r.stderr.startswith("refgraph"), "usage: %s exits 2 (%s)" % (why, r.stderr.strip()))
    r = refgraph("dump-pid", str(os.getpid()), "-o", os.path.join(WORK, "x.jsonl"), "--python-path", WORK)
    check(r.returncode == 3 and "no refgraph Python extension" in r.stderr, "no extension: exits 3 (%s)"
          % r.stderr.strip())

    rgtest.finish()


if __name__ == "__main__":
    sys.exit(main())
