#!/usr/bin/python3
"""gcdiff.py — differential test of refgraph's cycle collector against CPython.

Generates random programs in a small op language, runs each in refgraph (the
C runner, tests/gcdiff/runner.c) and, emitted as Python, in CPython's own gc
(a worker python3 process that execs many programs, each in a fresh namespace
after resetting the gc state), and compares the observation line both sides
print after every op. A mismatch is shrunk by delta debugging over the ops
and printed as both the op text and the emitted Python.

Usage:
  gcdiff.py --runner PATH [--seed S] [--programs N] [--corpus DIR]
            [--python PATH] [--show SEED] [--quiet]
Exit codes: 0 no mismatch, 1 a mismatch (printed, shrunk), 2 usage,
77 the python interpreter is missing (the test is skipped).

The op language (variables: globals g0..g4, locals l0..l2 of the innermost
frame, temporaries t0..t2 that the C side owns as plain C references):
  new V list|dict|inst K|int N|str S|tuple A [B [C]]|weak A
  set V W          V = W (borrowed)          move V T   V = T; del T (stolen)
  del V            append X V / append_new X T   lset X I V / lset_new X I T
  lpop X I         lclear X                  dset X K V / dset_new X K T
  ddel X K         aset X A V / aset_new X A T   adel X A
  push / pop       a C frame / a Python function call with locals
  collect G  enable  disable  isenabled  thr A B C  getthr  freeze  unfreeze
  saveall 0|1  gclear  garbage  stats  tracked V  keepclear  gkdel
Classes: C0 plain; C1..C4 have a PEP 442 finalizer that logs "fin N" and
then: C1 nothing, C2 keep.append(self), C3 self.me = self, C4 binds self to a
new global gkN (N its number). No finalizer drops a reference: which one runs
first in a collection is unspecified (see canonical()), and a finalizer that
releases another member of the garbage would make the outcome depend on it.
An instance's attributes are added in ascending name order (see PRELUDE).
Weakrefs made by "new V weak A" have a callback logging "cb N".

The line after each op: "I RESULT ev=[EVENTS] rc=NAME:REFCOUNT,... k=LEN(keep)
c=COUNT1,COUNT2 [al=[WATCHED ALIVE]]".
"""
import argparse
import os
import random
import subprocess
import sys
import threading
import time

NG, NL, NT = 5, 3, 3
GLOBALS = ['g%d' % i for i in range(NG)]
LOCALS = ['l%d' % i for i in range(NL)]
TEMPS = ['t%d' % i for i in range(NT)]
KEYS = ['k0', 'k1', 'k2']
ATTRS = ['a0', 'a1', 'a2']
ATOMS = ('int', 'str')
REGISTERED = ('list', 'dict', 'inst', 'tuple', 'weak')
BIG = 1000000  # a threshold 0 so high that automatic collection never runs
# Features the generator leaves out (--avoid), to look past a known
# difference while its fix is on the way: steal (the _new calls and move),
# resurrect (classes C2..C4), dicttrack (is_tracked of dicts).
AVOID = set()


# ---- the model: what a program has bound, to check and normalise programs ----

class Model:
    def __init__(self):
        self.g = {}          # global name -> object
        self.frames = []     # per frame: dict local -> object (binding order)
        self.t = {}          # temporary -> object
        self.kind = {}       # object -> kind
        self.len = {}        # list -> length
        self.keys = {}       # dict -> set of keys
        self.attrs = {}      # instance -> set of attributes
        self.num = 1         # the next registered object's number
        self.atom = -1       # atoms get negative, unprinted numbers
        self.enabled = False
        self.thr0 = 700

    def scope(self, v):
        if v in GLOBALS:
            return self.g
        if v in TEMPS:
            return self.t
        if v in LOCALS and self.frames:
            return self.frames[-1]
        return None

    def val(self, v):
        s = self.scope(v)
        return None if s is None else s.get(v)

    def bind(self, v, o):
        s = self.scope(v)
        s[v] = o  # a rebinding keeps its place, as rg's name maps do

    def unbind(self, v):
        del self.scope(v)[v]

    def bound(self):
        names = [v for v in GLOBALS if v in self.g]
        if self.frames:
            names += [v for v in LOCALS if v in self.frames[-1]]
        return names + [v for v in TEMPS if v in self.t]

    def bound_kind(self, kinds):
        return [v for v in self.bound() if self.kind[self.val(v)] in kinds]

    def observed(self):
        """Names whose refcounts the line shows, in the runner's order."""
        out = [v for v in GLOBALS if v in self.g and self.kind[self.g[v]] not in ATOMS]
        out.append('keep')
        if self.frames:
            out += [v for v in LOCALS if v in self.frames[-1] and self.kind[self.frames[-1][v]] not in ATOMS]
        out += [v for v in TEMPS if v in self.t and self.kind[self.t[v]] not in ATOMS]
        return out

    def apply(self, op):
        """Applies op if it is valid here; returns False (and changes nothing) if not."""
        a = op.split()
        o = a[0]
        isint = lambda s: s.lstrip('-').isdigit()
        if o == 'new':
            if len(a) < 3 or self.scope(a[1]) is None:
                return False
            k = a[2]
            if k in ('list', 'dict'):
                if len(a) != 3:
                    return False
            elif k == 'inst':
                if len(a) != 4 or a[3] not in '01234' or len(a[3]) != 1:
                    return False
            elif k == 'int':
                if len(a) != 4 or not isint(a[3]):
                    return False
            elif k == 'str':
                if len(a) != 4:
                    return False
            elif k == 'tuple':
                # at least one container: a tuple of atoms is untracked at
                # creation in refgraph, by a collection in CPython (see
                # "Differences from CPython")
                if not 4 <= len(a) <= 6 or any(self.val(x) is None for x in a[3:]) or \
                        all(self.kind[self.val(x)] in ATOMS for x in a[3:]):
                    return False
            elif k == 'weak':
                if len(a) != 4 or self.val(a[3]) is None or self.kind[self.val(a[3])] != 'inst':
                    return False
            else:
                return False
            if k in ATOMS:
                n = self.atom
                self.atom -= 1
            else:
                n = self.num
                self.num += 1
            self.kind[n] = k
            if k == 'list':
                self.len[n] = 0
            elif k == 'dict':
                self.keys[n] = set()
            elif k == 'inst':
                self.attrs[n] = set()
            self.bind(a[1], n)
            return True
        if o in ('set', 'move'):
            if len(a) != 3 or self.scope(a[1]) is None or self.val(a[2]) is None:
                return False
            if o == 'move' and (a[2] not in TEMPS or a[1] == a[2]):
                return False
            n = self.val(a[2])
            if o == 'move':
                self.unbind(a[2])
            self.bind(a[1], n)
            return True
        if o == 'del':
            if len(a) != 2 or self.val(a[1]) is None:
                return False
            self.unbind(a[1])
            return True
        steal = o.endswith('_new')
        base = o[:-4] if steal else o
        if base in ('append', 'lset', 'dset', 'aset'):
            need = 3 if base == 'append' else 4
            if len(a) != need:
                return False
            x, v = self.val(a[1]), self.val(a[-1])
            if x is None or v is None or (steal and a[-1] not in TEMPS):
                return False
            want = {'append': 'list', 'lset': 'list', 'dset': 'dict', 'aset': 'inst'}[base]
            if self.kind[x] != want:
                return False
            if base == 'lset' and not (isint(a[2]) and 0 <= int(a[2]) < self.len[x]):
                return False
            if base == 'dset' and a[2] not in KEYS:
                return False
            if base == 'aset' and (a[2] not in ATTRS or
                                   (a[2] not in self.attrs[x] and any(b > a[2] for b in self.attrs[x]))):
                return False
            if base == 'append':
                self.len[x] += 1
            elif base == 'dset':
                self.keys[x].add(a[2])
            elif base == 'aset':
                self.attrs[x].add(a[2])
            if steal:
                self.unbind(a[-1])
            return True
        if o in ('lpop', 'ddel', 'adel'):
            if len(a) != 3 or self.val(a[1]) is None:
                return False
            x = self.val(a[1])
            if o == 'lpop':
                if self.kind[x] != 'list' or not (isint(a[2]) and 0 <= int(a[2]) < self.len[x]):
                    return False
                self.len[x] -= 1
            elif o == 'ddel':
                if self.kind[x] != 'dict' or a[2] not in self.keys[x]:
                    return False
                self.keys[x].discard(a[2])
            else:
                if self.kind[x] != 'inst' or a[2] not in self.attrs[x]:
                    return False
                self.attrs[x].discard(a[2])
            return True
        if o == 'lclear':
            if len(a) != 2 or self.val(a[1]) is None or self.kind[self.val(a[1])] != 'list':
                return False
            self.len[self.val(a[1])] = 0
            return True
        if o == 'tracked':
            return len(a) == 2 and self.val(a[1]) is not None and \
                self.kind[self.val(a[1])] not in ATOMS + ('tuple',)
        if o == 'push':
            if len(a) != 1 or len(self.frames) >= 3:
                return False
            self.frames.append({})
            return True
        if o == 'pop':
            if len(a) != 1 or not self.frames:
                return False
            self.frames.pop()
            return True
        if o == 'collect':
            return len(a) == 2 and a[1] in ('0', '1', '2')
        if o == 'thr':
            if len(a) != 4 or not all(isint(x) and int(x) >= 0 for x in a[1:]):
                return False
            t0 = int(a[1])
            if self.enabled and 0 < t0 < BIG:
                return False
            self.thr0 = t0
            return True
        if o == 'enable':
            if len(a) != 1 or 0 < self.thr0 < BIG:
                return False
            self.enabled = True
            return True
        if o == 'disable':
            self.enabled = False
            return len(a) == 1
        if o == 'saveall':
            return len(a) == 2 and a[1] in ('0', '1')
        return len(a) == 1 and o in ('isenabled', 'getthr', 'freeze', 'unfreeze', 'gclear',
                                     'garbage', 'stats', 'keepclear', 'gkdel')


def epilogue(m):
    """The ops that end every program: frames popped, variables deleted,
    the resurrected released, a last full collection and a look at it."""
    ops = ['pop'] * len(m.frames)
    for op in ops:
        assert m.apply(op), op
    rest = ['del %s' % v for v in m.bound()]
    rest += ['keepclear', 'gkdel', 'saveall 0', 'gclear', 'collect 2', 'stats', 'garbage']
    for op in rest:
        assert m.apply(op), op
    return ops + rest


def normalize(body):
    """Drops the ops that are invalid where they stand (after shrinking) and
    appends the epilogue. Returns (body, full program ops)."""
    m = Model()
    kept = [op for op in body if m.apply(op)]
    return kept, kept + epilogue(m)


# ---- the generator ----------------------------------------------------------------

def generate(rng, nops):
    m = Model()
    body = []

    def emit(op):
        if m.apply(op):
            body.append(op)

    def anyvar():
        names = GLOBALS + TEMPS + (LOCALS if m.frames else [])
        return rng.choice(names)

    while len(body) < nops:
        r = rng.random() * 100
        bound = m.bound()
        temps = [v for v in TEMPS if v in m.t] if 'steal' not in AVOID else []
        if r < 26:
            k = rng.choices(['list', 'dict', 'inst', 'tuple', 'weak', 'int', 'str'],
                            [22, 14, 34, 8, 9, 8, 5])[0]
            v = anyvar()
            if k == 'inst':
                emit('new %s inst %d' % (v, rng.choice([0, 1, 1] if 'resurrect' in AVOID else [0, 1, 1, 2, 3, 4])))
            elif k == 'int':
                emit('new %s int %d' % (v, rng.randrange(1000, 1100)))
            elif k == 'str':
                emit('new %s str s%d' % (v, rng.randrange(3)))
            elif k == 'tuple' and bound:
                emit('new %s tuple %s' % (v, ' '.join(rng.choice(bound) for _ in range(rng.randint(1, 3)))))
            elif k == 'weak':
                insts = m.bound_kind(('inst',))
                if insts:
                    emit('new %s weak %s' % (v, rng.choice(insts)))
            else:
                emit('new %s %s' % (v, k))
        elif r < 32 and bound:
            emit('set %s %s' % (anyvar(), rng.choice(bound)))
        elif r < 37 and temps:
            emit('move %s %s' % (anyvar(), rng.choice(temps)))
        elif r < 44 and bound:
            emit('del %s' % rng.choice(bound))
        elif r < 70 and bound:
            cont = m.bound_kind(('list', 'dict', 'inst'))
            if not cont:
                continue
            x = rng.choice(cont)
            xo = m.val(x)
            k = m.kind[xo]
            steal = temps and rng.random() < 0.5
            v = rng.choice(temps) if steal else rng.choice(bound)
            sfx = '_new' if steal else ''
            rr = rng.random()
            if k == 'list':
                if rr < 0.6 or m.len[xo] == 0:
                    emit('append%s %s %s' % (sfx, x, v))
                elif rr < 0.75:
                    emit('lset%s %s %d %s' % (sfx, x, rng.randrange(m.len[xo]), v))
                elif rr < 0.95:
                    emit('lpop %s %d' % (x, rng.randrange(m.len[xo])))
                else:
                    emit('lclear %s' % x)
            elif k == 'dict':
                if rr < 0.75 or not m.keys[xo]:
                    emit('dset%s %s %s %s' % (sfx, x, rng.choice(KEYS), v))
                else:
                    emit('ddel %s %s' % (x, rng.choice(sorted(m.keys[xo]))))
            else:
                if rr < 0.8 or not m.attrs[xo]:
                    top = max(m.attrs[xo]) if m.attrs[xo] else ''
                    emit('aset%s %s %s %s' % (sfx, x, rng.choice([b for b in ATTRS if b >= top] or ATTRS), v))
                else:
                    emit('adel %s %s' % (x, rng.choice(sorted(m.attrs[xo]))))
        elif r < 76:
            emit('push' if (rng.random() < 0.55 and len(m.frames) < 3) else 'pop')
        elif r < 86:
            emit('collect %d' % rng.choice([0, 1, 2, 2]))
            if rng.random() < 0.5:
                emit('stats')
            if rng.random() < 0.3:
                emit('garbage')
        elif r < 89:
            vs = m.bound_kind(('list', 'inst', 'weak') if 'dicttrack' in AVOID else ('list', 'dict', 'inst', 'weak'))
            if vs:
                emit('tracked %s' % rng.choice(vs))
        else:
            c = rng.choice(['enable', 'disable', 'isenabled', 'thr', 'getthr', 'freeze', 'unfreeze',
                            'saveall', 'gclear', 'garbage', 'stats', 'keepclear', 'gkdel'])
            if c == 'thr':
                t0 = rng.choice([0, BIG, BIG + 5, 700, 10])
                emit('thr %d %d %d' % (t0, rng.randrange(1, 20), rng.randrange(1, 20)))
            elif c == 'saveall':
                emit('saveall %d' % rng.choice([0, 1]))
            else:
                emit(c)
    return body


# ---- the Python side ----------------------------------------------------------------

PRELUDE = '''\
import gc, sys, weakref
gc.disable(); gc.set_debug(0); gc.unfreeze(); gc.garbage.clear()
gc.set_threshold(700, 10, 10); gc.collect()
_base = gc.get_stats()
_log = []
_ids = {}
_watch = {}
WATCH = %(watch)d
class L(list):
    __slots__ = ('__weakref__',)
def _reg(o, n):
    _ids[id(o)] = n
    if WATCH and (type(o) is L or type(o).__name__ in ('C0', 'C1', 'C2', 'C3', 'C4')):
        _watch[n] = weakref.ref(o)
    return o
def _ev(what, o):
    _log.append('%%s %%d' %% (what, _ids.get(id(o), 0)))
def _cb(wr):
    _ev('cb', wr)
keep = []
class C0:
    pass
class C1:
    pass
class C2:
    pass
class C3:
    pass
class C4:
    pass
# CPython 3.11 releases an instance's attributes in the order of its class's
# shared keys (the first assignment of each name on any instance): fix that
# order to a0, a1, a2 before any finalizer exists; programs add an
# instance's attributes in ascending order, as refgraph releases them in
# insertion order.
for _c in (C0, C1, C2, C3, C4):
    _x = _c()
    _x.a0 = _x.a1 = _x.a2 = _x.me = None
del _c, _x
def _fin1(self):
    _ev('fin', self)
def _fin2(self):
    _ev('fin', self)
    keep.append(self)
def _fin3(self):
    _ev('fin', self)
    self.me = self
def _fin4(self):
    _ev('fin', self)
    globals()['gk%%d' %% _ids.get(id(self), 0)] = self
C1.__del__ = _fin1
C2.__del__ = _fin2
C3.__del__ = _fin3
C4.__del__ = _fin4
def _stats():
    return ','.join('%%d/%%d/%%d' %% (s['collections'] - b['collections'], s['collected'] - b['collected'],
                                   s['uncollectable'] - b['uncollectable'])
                    for s, b in zip(gc.get_stats(), _base))
def _garbage():
    return '%%d:%%s' %% (len(gc.garbage), ','.join(str(n) for n in sorted(_ids.get(id(o), 0) for o in gc.garbage[:64])))
def _o(i, res, names, *objs):
    # each variable's refcount: getrefcount's argument and objs' own
    # references are not the program's
    names = names.split()
    rc = []
    for k in range(len(objs)):
        same = 0
        for x in objs:
            same += x is objs[k]
        x = None
        rc.append('%%s:%%d' %% (names[k], sys.getrefcount(objs[k]) - 1 - same))
    rc = ','.join(rc)
    ev = ','.join(_log)
    del _log[:]
    c = gc.get_count()
    al = ''
    if WATCH:
        al = ' al=[%%s]' %% ','.join(str(n) for n, w in sorted(_watch.items()) if w() is not None)
    print('%%d %%s ev=[%%s] rc=%%s k=%%d c=%%d,%%d%%s' %% (i, res, ev, rc, len(keep), c[1], c[2], al))
'''

GLOBAL_DECL = 'global ' + ', '.join(GLOBALS + TEMPS + ['gk'])


def emit_python(ops, watch, name='?'):
    """The Python program for a full op list (epilogue included)."""
    m = Model()
    out = [PRELUDE % {'watch': watch}, "print('prog %s')" % name]
    depth = [0]
    fnum = [0]
    fstack = []

    def line(s):
        out.append('    ' * depth[0] + s)

    def obs(i, res):
        names = m.observed()
        line("_o(%d, %s, '%s', %s)" % (i, res, ' '.join(names), ', '.join(names)))

    for i, op in enumerate(ops):
        a = op.split()
        o = a[0]
        res = "'ok'"
        if o == 'push':
            fnum[0] += 1
            fstack.append(fnum[0])
            line('def _f%d():' % fnum[0])
            depth[0] += 1
            line(GLOBAL_DECL)
            assert m.apply(op)
            obs(i, res)
            continue
        if o == 'pop':
            for v in reversed(list(m.frames[-1])):
                line('del %s' % v)  # rg pops locals from the last bound back
            line('pass')
            depth[0] -= 1
            line('_f%d()' % fstack.pop())
            assert m.apply(op)
            obs(i, res)
            continue
        if o == 'new':
            k, v = a[2], a[1]
            if k == 'list':
                expr = 'L()' if watch else '[]'
            elif k == 'dict':
                expr = '{}'
            elif k == 'inst':
                expr = 'C%s()' % a[3]
            elif k == 'int':
                expr = a[3]
            elif k == 'str':
                expr = repr(a[3])
            elif k == 'tuple':
                expr = '(%s,)' % ', '.join(a[3:])
            else:
                expr = 'weakref.ref(%s, _cb)' % a[3]
            if k in ATOMS:
                line('%s = %s' % (v, expr))
            else:  # registered before the binding drops the old value
                line('%s = _reg(%s, %d)' % (v, expr, m.num))
        elif o == 'set':
            line('%s = %s' % (a[1], a[2]))
        elif o == 'move':
            line('%s = %s' % (a[1], a[2]))
            line('del %s' % a[2])
        elif o == 'del':
            line('del %s' % a[1])
        elif o in ('append', 'append_new'):
            line('%s.append(%s)' % (a[1], a[2]))
        elif o in ('lset', 'lset_new'):
            line('%s[%s] = %s' % (a[1], a[2], a[3]))
        elif o == 'lpop':
            line('%s.pop(%s)' % (a[1], a[2]))
        elif o == 'lclear':
            line('%s.clear()' % a[1])
        elif o in ('dset', 'dset_new'):
            line('%s[%r] = %s' % (a[1], a[2], a[3]))
        elif o == 'ddel':
            line('del %s[%r]' % (a[1], a[2]))
        elif o in ('aset', 'aset_new'):
            line('%s.%s = %s' % (a[1], a[2], a[3]))
        elif o == 'adel':
            line('del %s.%s' % (a[1], a[2]))
        elif o == 'collect':
            res = 'gc.collect(%s)' % a[1]
        elif o == 'enable':
            line('gc.enable()')
        elif o == 'disable':
            line('gc.disable()')
        elif o == 'isenabled':
            res = 'int(gc.isenabled())'
        elif o == 'thr':
            line('gc.set_threshold(%s, %s, %s)' % (a[1], a[2], a[3]))
        elif o == 'getthr':
            res = "'%d,%d,%d' % gc.get_threshold()"
        elif o == 'freeze':
            line('gc.freeze()')
        elif o == 'unfreeze':
            line('gc.unfreeze()')
        elif o == 'saveall':
            line('gc.set_debug(%s)' % ('gc.DEBUG_SAVEALL' if a[1] == '1' else '0'))
        elif o == 'gclear':
            line('gc.garbage.clear()')
        elif o == 'garbage':
            res = '_garbage()'
        elif o == 'stats':
            res = '_stats()'
        elif o == 'tracked':
            res = 'int(gc.is_tracked(%s))' % a[1]
        elif o == 'keepclear':
            line('keep.clear()')
        elif o == 'gkdel':
            line("for _k in [_k for _k in globals() if _k.startswith('gk')]: del globals()[_k]")
        if o in ('append_new', 'lset_new', 'dset_new', 'aset_new'):
            line('del %s' % a[-1])
        assert m.apply(op), op
        obs(i, res)
    out.append("print('end leaks=0')")
    return '\n'.join(out) + '\n'


WORKER = r'''
import sys
src = []
for line in sys.stdin:
    if line != '#--end--\n':
        src.append(line)
        continue
    text = ''.join(src)
    src = []
    try:
        exec(compile(text, '<gcdiff>', 'exec'), {'__name__': '__gcdiff__'})
    except BaseException as e:
        print('error %s: %s' % (type(e).__name__, str(e).replace('\n', ' ')))
        print('end leaks=?')
    sys.stdout.flush()
'''


# ---- running both sides ------------------------------------------------------------

def c_text(ops, watch, name):
    return 'prog %s watch=%d\n%s\nend\n' % (name, watch, '\n'.join(ops))


def split_outputs(text):
    """Splits a side's output into one list of lines per program."""
    progs, cur = [], None
    for ln in text.splitlines():
        if ln.startswith('prog '):
            cur = []
            progs.append(cur)
        elif cur is not None:
            cur.append(ln)
    return progs


class Sides:
    def __init__(self, runner, python):
        self.runner = runner
        self.python = python

    def _run_c(self, programs, out):
        """Runs the programs in the C runner; a crash ends that runner, and
        the rest run in a new one."""
        results = []
        i = 0
        while i < len(programs):
            text = ''.join(c_text(ops, w, str(i + j)) for j, (ops, w) in enumerate(programs[i:]))
            p = subprocess.run([self.runner], input=text, capture_output=True, text=True)
            got = split_outputs(p.stdout)
            if p.returncode != 0:
                got = got or [[]]
                got[-1].append('crash rc=%d %s' % (p.returncode, ' | '.join(p.stderr.strip().splitlines()[-3:])))
            results += got
            i += len(got) if got else 1
        out[0] = results[:len(programs)]

    def _run_py(self, programs, out):
        text = ''.join(emit_python(ops, w, str(j)) + '#--end--\n' for j, (ops, w) in enumerate(programs))
        p = subprocess.run([self.python, '-c', WORKER], input=text, capture_output=True, text=True)
        got = split_outputs(p.stdout)
        while len(got) < len(programs):
            got.append(['python worker died: ' + ' | '.join(p.stderr.strip().splitlines()[-3:])])
        out[0] = got

    def run(self, programs):
        """programs: list of (ops, watch). Returns a list of (c_lines, py_lines)."""
        c, py = [None], [None]
        t = threading.Thread(target=self._run_py, args=(programs, py))
        t.start()
        self._run_c(programs, c)
        t.join()
        return list(zip(c[0], py[0]))


def canonical(line, op):
    """The line as compared. A collection's finalizers and callbacks run in
    the order of the collector's unreachable list, which neither CPython nor
    refgraph specifies (CPython's follows its generation lists, refgraph's
    the order its possible roots were recorded): within a collect op the
    events are compared as a set per run of one kind (callbacks before
    finalizers stays checked). See "Differences from CPython" in
    docs/collector.md."""
    if not op.startswith('collect ') or ' ev=[' not in line:
        return line
    head, rest = line.split(' ev=[', 1)
    evs, tail = rest.split(']', 1)
    if not evs:
        return line
    runs = []
    for e in evs.split(','):
        kind = e.split(' ')[0]
        if runs and runs[-1][0] == kind:
            runs[-1][1].append(e)
        else:
            runs.append((kind, [e]))
    evs = ','.join(e for _, run in runs for e in sorted(run, key=lambda x: int(x.split(' ')[1])))
    return '%s ev=[%s]%s' % (head, evs, tail)


def first_difference(c, py, ops=None):
    """The index of the first differing line, or None."""
    for i in range(max(len(c), len(py))):
        a = c[i] if i < len(c) else '(missing)'
        b = py[i] if i < len(py) else '(missing)'
        if ops is not None and i < len(ops) and a != b:
            if canonical(a, ops[i]) == canonical(b, ops[i]):
                continue
        if a != b:
            return i, a, b
    return None


# ---- shrinking -----------------------------------------------------------------------

def shrink(sides, body, watch, log):
    """Delta debugging (ddmin) over the body's ops: the smallest program that
    still shows a difference. Candidates of one round run as one batch."""
    def full(b):
        return normalize(b)[1]

    n = 2
    rounds = 0
    while len(body) >= 2 and rounds < 200:
        rounds += 1
        size = max(1, len(body) // n)
        chunks = [body[i:i + size] for i in range(0, len(body), size)]
        cands = []
        for i in range(len(chunks)):
            cand = [op for j, ch in enumerate(chunks) if j != i for op in ch]
            cand = normalize(cand)[0]
            if cand and len(cand) < len(body):
                cands.append(cand)
        results = sides.run([(full(cb), watch) for cb in cands]) if cands else []
        smaller = next((cb for cb, (c, p) in zip(cands, results) if first_difference(c, p, full(cb))), None)
        if smaller is not None:
            body = smaller
            n = max(n - 1, 2)
            log('  shrunk to %d ops' % len(body))
        elif size == 1:
            break
        else:
            n = min(len(body), n * 2)
    # a watch-free program is simpler to read, when it still differs
    if watch:
        c, p = sides.run([(full(body), 0)])[0]
        if first_difference(c, p, full(body)):
            watch = 0
    return body, watch


# ---- main ------------------------------------------------------------------------------

def program_for(seed):
    rng = random.Random(seed)
    watch = rng.random() < 0.5
    body = normalize(generate(rng, rng.randint(10, 60)))[0]
    return body, int(watch)


def load_corpus(d):
    progs = []
    if not d or not os.path.isdir(d):
        return progs
    for fn in sorted(os.listdir(d)):
        if not fn.endswith('.ops'):
            continue
        watch = 0
        body = []
        with open(os.path.join(d, fn)) as f:
            for ln in f:
                ln = ln.strip()
                if ln.startswith('#'):
                    if ln.startswith('# watch=1'):
                        watch = 1
                    continue
                if ln:
                    body.append(ln)
        kept = normalize(body)[0]
        if kept != body:
            bad = next(i for i, op in enumerate(body) if i >= len(kept) or kept[i] != op)
            raise SystemExit('gcdiff: %s: op %d (%r) is invalid where it stands'
                             % (os.path.join(d, fn), bad + 1, body[bad]))
        progs.append((fn, kept, watch))
    return progs


def report(sides, label, body, watch, c, p, log):
    d = first_difference(c, p, normalize(body)[1])
    log('MISMATCH in %s at line %d:\n  refgraph: %s\n  CPython:  %s' % (label, d[0], d[1], d[2]))
    log('shrinking %d ops...' % len(body))
    small, watch = shrink(sides, body, watch, log)
    ops = normalize(small)[1]
    c, p = sides.run([(ops, watch)])[0]
    d = first_difference(c, p, ops)
    log('minimal program (%d ops before the epilogue; # watch=%d):' % (len(small), watch))
    for op in small:
        log('  ' + op)
    log('full op text as the runner reads it:')
    log(c_text(ops, watch, 'min'))
    log('emitted Python:')
    log(emit_python(ops, watch, 'min'))
    if d:
        log('first difference at line %d:\n  refgraph: %s\n  CPython:  %s' % d)
    log('refgraph output:\n  ' + '\n  '.join(c))
    log('CPython output:\n  ' + '\n  '.join(p))


def main():
    ap = argparse.ArgumentParser(description='differential test of the collector against CPython')
    ap.add_argument('--runner', required=True)
    ap.add_argument('--python', default='/usr/bin/python3')
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--programs', type=int, default=1000)
    ap.add_argument('--batch', type=int, default=500)
    ap.add_argument('--corpus')
    ap.add_argument('--show', type=int, help='print one seed\'s program (ops and Python) and exit')
    ap.add_argument('--max-mismatches', type=int, default=1)
    ap.add_argument('--quiet', action='store_true')
    ap.add_argument('--avoid', default='', help='comma-separated: steal, resurrect, dicttrack')
    args = ap.parse_args()
    AVOID.update(x for x in args.avoid.split(',') if x)
    log = lambda s: print(s, flush=True)
    if not os.path.exists(args.python):
        print('gcdiff: SKIPPED: %s is missing, so there is nothing to compare against' % args.python)
        return 77
    if not os.access(args.runner, os.X_OK):
        print('gcdiff: %s: not an executable runner' % args.runner, file=sys.stderr)
        return 2
    if args.show is not None:
        body, watch = program_for(args.show)
        ops = normalize(body)[1]
        print(c_text(ops, watch, str(args.show)))
        print(emit_python(ops, watch, str(args.show)))
        return 0
    sides = Sides(args.runner, args.python)
    t0 = time.time()
    mismatches = 0
    # the saved corpus first: programs that once found a difference
    corpus = load_corpus(args.corpus)
    if corpus:
        res = sides.run([(normalize(b)[1], w) for _, b, w in corpus])
        for (fn, body, watch), (c, p) in zip(corpus, res):
            if first_difference(c, p, normalize(body)[1]):
                mismatches += 1
                report(sides, 'corpus file ' + fn, body, watch, c, p, log)
                if mismatches >= args.max_mismatches:
                    return 1
    done = 0
    lines = 0
    seed = args.seed
    while done < args.programs:
        k = min(args.batch, args.programs - done)
        progs = [program_for(seed + j) for j in range(k)]
        res = sides.run([(normalize(b)[1], w) for b, w in progs])
        for j, ((body, watch), (c, p)) in enumerate(zip(progs, res)):
            lines += len(c)
            if first_difference(c, p, normalize(body)[1]):
                mismatches += 1
                report(sides, 'seed %d' % (seed + j), body, watch, c, p, log)
                if mismatches >= args.max_mismatches:
                    return 1
        done += k
        seed += k
        if not args.quiet:
            el = time.time() - t0
            log('gcdiff: %d programs (seeds %d..%d), %d lines compared, %.1f s, %.0f programs/s'
                % (done, args.seed, seed - 1, lines, el, done / el))
    el = time.time() - t0
    log('gcdiff: %d programs + %d corpus programs, %d observation lines, no difference; %.1f s (%.0f programs/s)'
        % (done, len(corpus), lines, el, done / el if el else 0))
    return 1 if mismatches else 0


if __name__ == '__main__':
    sys.exit(main())
