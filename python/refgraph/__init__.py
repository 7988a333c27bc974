"""refgraph: dump a live CPython heap in refgraph's format, and draw it objgraph's way.

    import refgraph
    refgraph.dump("heap.jsonl")           # then: refgraph leaks heap.jsonl
    a = [1, 2, 3]; b = [4, 5, 6]; a.append(b); b.append(a)
    refgraph.show_refs([a], filename="a.png")

The drawing functions take objgraph 3.5's parameters and walk the heap the
same way (breadth first, the same ignore, filter and too_many rules), then
draw with refgraph's renderer in this process (Graphviz's libraries, no
`dot` program): cycles drawn whole are red, references are labelled
(attribute names, dict keys, [i]), dict keys that are strs are edge labels,
not nodes. See docs/python.md.
"""
import gc
import inspect
import itertools
import operator
import os
import sys
import tempfile
import warnings

from refgraph import _core
from refgraph._core import __version__, dump, is_tracking, track, untrack

__all__ = [
    "dump", "track", "untrack", "is_tracking", "show_refs", "show_backrefs", "show_chain", "find_ref_chain", "find_backref_chain",
    "count", "typestats", "most_common_types", "show_most_common_types", "growth", "show_growth",
    "by_type", "get_leaking_objects", "UnknownTypeWarning",
]

_START, _HIGHLIGHT = 0x1, 0x2


# ---- statistics (objgraph's) -------------------------------------------------------------

class UnknownTypeWarning(UserWarning):
    """count() or by_type() was given a type name no object has, and some
    objects' type names are close to it: most likely a typo. The result
    stays objgraph's (0 or []); the warning names the closest types, chosen
    as the refgraph CLI chooses them. warnings.simplefilter("error",
    refgraph.UnknownTypeWarning) makes it an error."""


def _check_type_name(func, typename, names):
    """Warn when no object has typename but some names are close to it. A
    name far from all (a type with no object left) is a plain 0 or []."""
    names = set(names)
    if typename in names:
        return
    near = _core.suggest(typename, sorted(names))
    if near:
        warnings.warn("refgraph.%s: no object of type %r; the closest: %s"
                      % (func, typename, ", ".join(repr(n) for n in near)), UnknownTypeWarning, stacklevel=3)


def typestats(objects=None, shortnames=True, filter=None):
    """Count objects per type name: {name: count} (objgraph.typestats)."""
    if objects is None:
        objects = gc.get_objects()
    if filter is not None:
        objects = [o for o in objects if filter(o)]
    elif not isinstance(objects, list):
        objects = list(objects)
    stats = {}
    for name in _core.type_names(objects, shortnames):
        stats[name] = stats.get(name, 0) + 1
    return stats


def count(typename, objects=None):
    """How many objects of this type: a dotted name means module.qualname (objgraph.count).
    A name no object has but close to some (a typo) warns UnknownTypeWarning."""
    if objects is None:
        objects = gc.get_objects()
    objects = list(objects)
    names = _core.type_names(objects, "." not in typename)
    _check_type_name("count", typename, names)
    return sum(1 for n in names if n == typename)


def most_common_types(limit=10, objects=None, shortnames=True, filter=None):
    """[(type name, count)], the most numerous first (objgraph.most_common_types)."""
    stats = sorted(typestats(objects, shortnames=shortnames, filter=filter).items(),
                   key=operator.itemgetter(1), reverse=True)
    return stats[:limit] if limit else stats


def show_most_common_types(limit=10, objects=None, shortnames=True, file=None, filter=None):
    stats = most_common_types(limit, objects, shortnames=shortnames, filter=filter)
    width = max((len(name) for name, _ in stats), default=0)
    for name, n in stats:
        print("%-*s %i" % (width, name, n), file=file or sys.stdout)


def growth(limit=10, peak_stats={}, shortnames=True, filter=None):  # noqa: B006 (objgraph's API)
    """Types whose count rose above the stored peak: [(name, count, delta)] (objgraph.growth)."""
    gc.collect()
    stats = typestats(shortnames=shortnames, filter=filter)
    deltas = {}
    for name, n in stats.items():
        old = peak_stats.get(name, 0)
        if n > old:
            deltas[name] = n - old
            peak_stats[name] = n
    rows = sorted(deltas.items(), key=operator.itemgetter(1), reverse=True)
    if limit:
        rows = rows[:limit]
    return [(name, stats[name], delta) for name, delta in rows]


_peak_stats = {}


def show_growth(limit=10, peak_stats=None, shortnames=True, file=None, filter=None):
    """Print growth() as objgraph does."""
    if peak_stats is None:
        peak_stats = _peak_stats
    rows = growth(limit, peak_stats, shortnames, filter)
    if rows:
        width = max(len(name) for name, _, _ in rows)
        for name, n, delta in rows:
            print("%-*s%9d %+9d" % (width, name, n, delta), file=file or sys.stdout)


def by_type(typename, objects=None):
    """The objects of this type (objgraph.by_type). A name no object has but
    close to some (a typo) warns UnknownTypeWarning."""
    if objects is None:
        objects = gc.get_objects()
    objects = list(objects)
    names = _core.type_names(objects, "." not in typename)
    _check_type_name("by_type", typename, names)
    return [o for o, n in zip(objects, names) if n == typename]


def get_leaking_objects(objects=None):
    """Tracked objects no tracked object refers to (objgraph.get_leaking_objects):
    held by C code or leaked references. refgraph's references include what
    the collector does not see (dict keys, type names), so fewer are false alarms."""
    if objects is None:
        gc.collect()
        objects = gc.get_objects()
    ids = {id(o) for o in objects}
    for o in objects:
        for target, _, _ in _core.referents(o):
            ids.discard(id(target))
    return [o for o in objects if id(o) in ids]


# ---- walks ----------------------------------------------------------------------------------

def _own_frame_ids():
    """The ids of this module's frames on the stack: the walk never shows
    itself. Ids only: a frame kept in one of its own locals would be a
    cycle, garbage left behind by the walk."""
    out, f = set(), sys._getframe(1)
    here = _own_frame_ids.__code__.co_filename
    while f is not None:
        if f.f_code.co_filename == here:
            out.add(id(f))
        f = f.f_back
    del f
    return out


def _referents(o):
    """What o holds, as drawn: dict keys that are strs become edge labels.
    In gc.get_referents' order (a list's or tuple's items last first), so that
    too_many keeps the same objects as objgraph."""
    refs = _core.referents(o)
    if isinstance(o, (list, tuple)):
        n = len(o)
        refs[:n] = refs[n - 1::-1] if n else []
    elif isinstance(o, dict):
        refs = [r for r in refs if not (r[1] == "(key)" and type(r[0]) is str)]
    return refs


class _Referrers:
    """Who refers to what, found level by level among the collector's objects
    (what gc.get_referrers scans), one pass over the heap per level."""

    def __init__(self, ignore):
        # without the walk's own objects (its frames, its lists, this):
        # none of them may hold this list, or the walk leaves a cycle behind
        self.objects = [o for o in gc.get_objects() if id(o) not in ignore and o is not self]
        ignore.add(id(self.objects))
        self.cache = {}

    def clear(self):
        self.objects = self.cache = None

    def prepare(self, targets):
        want = [t for t in targets if id(t) not in self.cache]
        if want:
            self.cache.update(_core.referrers(want, self.objects))

    def __call__(self, target):
        self.prepare([target])
        seen, out = set(), []
        for src, label, weak in self.cache[id(target)]:
            if id(src) in seen:  # one edge per referrer, as gc.get_referrers gives it once
                continue
            seen.add(id(src))
            out.append((src, label, weak))
        return out


def _is_proper_module(obj):
    return inspect.ismodule(obj) and obj is sys.modules.get(getattr(obj, "__name__", None))


def _walk(objs, backrefs, max_depth, extra_ignore, filter, too_many, highlight, extra_info, cull):
    if not isinstance(objs, (list, tuple)):
        objs = [objs]
    nodes, edges, mores = [], [], []
    index, queue = {}, []
    ignore = set(extra_ignore)
    ignore.update((id(objs), id(extra_ignore), id(nodes), id(edges), id(mores), id(index), id(queue),
                   id(ignore)))
    ignore |= _own_frame_ids()
    gc.collect()  # as objgraph does: garbage is not drawn
    referrers = _Referrers(ignore) if backrefs else None

    def node(o, depth, marks):
        index[id(o)] = len(nodes)
        extra = extra_info(o) if extra_info else None
        if highlight is not None and highlight(o):
            marks |= _HIGHLIGHT
        nodes.append((o, depth, marks, None if extra is None else str(extra)))

    for o in objs:
        if id(o) not in index:
            node(o, 0, _START)
            queue.append(o)
    head = 0
    while head < len(queue):
        target = queue[head]
        head += 1
        ti = index[id(target)]
        tdepth = nodes[ti][1]
        if tdepth >= max_depth:
            continue
        if cull is not None and cull(target):
            continue
        if backrefs:
            referrers.prepare(queue[head - 1:])
            neighbours = referrers(target)
        else:
            neighbours = _referents(target)
        n = skipped = 0
        for source, label, weak in neighbours:
            if id(source) in ignore:
                continue
            if filter and not filter(source):
                continue
            if n >= too_many:
                skipped += 1
                continue
            if id(source) not in index:
                node(source, tdepth + 1, 0)
                queue.append(source)
            si = index[id(source)]
            edges.append((si, ti, label, weak) if backrefs else (ti, si, label, weak))
            n += 1
        if skipped:
            mores.append((ti, skipped))
    if referrers is not None:
        referrers.clear()
    return nodes, edges, mores


def _render(nodes, edges, mores, filename, output, max_depth, refcounts, shortnames, backrefs):
    if filename and output:
        raise ValueError("Cannot specify both output and filename.")
    path = filename
    if output is not None or not filename:
        suffix = ".dot" if output is not None else ".png"
        fd, path = tempfile.mkstemp(prefix="refgraph-", suffix=suffix)
        os.close(fd)
    fmt = None
    if path.endswith(".dot") or path.endswith(".gv"):
        fmt = "dot"
    _core.draw(nodes, edges, mores, path, max_depth=max_depth, refcounts=bool(refcounts),
               shortnames=bool(shortnames), format=fmt, backrefs=backrefs)
    if output is not None:
        with open(path, encoding="utf-8") as f:
            output.write(f.read())
        os.unlink(path)
        return None
    print("Graph written to %s (%d nodes)" % (path, len(nodes)))
    return path


def show_refs(objs, max_depth=3, extra_ignore=(), filter=None, too_many=10, highlight=None,
              filename=None, extra_info=None, refcounts=False, shortnames=True, output=None,
              extra_node_attrs=None):
    """Draw what objs refer to, breadth first (objgraph.show_refs).

    filename: .png, .svg, .pdf or .dot (format from the name); output: a
    text file object that receives DOT. Neither: a temporary .png. Returns
    the file name written (None with output)."""
    nodes, edges, mores = _walk(objs, False, max_depth, extra_ignore, filter, too_many, highlight,
                                extra_info, None)
    return _render(nodes, edges, mores, filename, output, max_depth, refcounts, shortnames, False)


def show_backrefs(objs, max_depth=3, extra_ignore=(), filter=None, too_many=10, highlight=None,
                  filename=None, extra_info=None, refcounts=False, shortnames=True, output=None,
                  extra_node_attrs=None):
    """Draw what refers to objs, breadth first, stopping at modules (objgraph.show_backrefs)."""
    nodes, edges, mores = _walk(objs, True, max_depth, extra_ignore, filter, too_many, highlight,
                                extra_info, _is_proper_module)
    return _render(nodes, edges, mores, filename, output, max_depth, refcounts, shortnames, True)


def _find_chain(obj, predicate, backrefs, max_depth, extra_ignore):
    queue, depth, parent = [obj], {id(obj): 0}, {id(obj): None}
    ignore = set(extra_ignore)
    ignore.update((id(extra_ignore), id(queue), id(depth), id(parent), id(ignore)))
    ignore |= _own_frame_ids()
    gc.collect()
    referrers = _Referrers(ignore) if backrefs else None
    head = 0
    while head < len(queue):
        target = queue[head]
        head += 1
        if predicate(target):
            chain = [target]
            while parent[id(target)] is not None:
                target = parent[id(target)]
                chain.append(target)
            if referrers is not None:
                referrers.clear()
            return chain
        tdepth = depth[id(target)]
        if tdepth >= max_depth:
            continue
        if backrefs:
            referrers.prepare(queue[head - 1:])
            neighbours = referrers(target)
        else:
            neighbours = _core.referents(target)
        for source, _, _ in neighbours:
            if id(source) in ignore or id(source) in depth:
                continue
            depth[id(source)] = tdepth + 1
            parent[id(source)] = target
            queue.append(source)
    if referrers is not None:
        referrers.clear()
    return [obj]  # not found


def find_ref_chain(obj, predicate, max_depth=20, extra_ignore=()):
    """The shortest chain of references from obj to an object predicate accepts:
    [obj, ..., found], or [obj] (objgraph.find_ref_chain)."""
    return _find_chain(obj, predicate, False, max_depth, extra_ignore)[::-1]


def find_backref_chain(obj, predicate, max_depth=20, extra_ignore=()):
    """The shortest chain from an object predicate accepts to obj: [found, ..., obj]
    (objgraph.find_backref_chain); find_backref_chain(obj, inspect.ismodule) shows
    why obj is alive."""
    return _find_chain(obj, predicate, True, max_depth, extra_ignore)


def show_chain(*chains, **kw):
    """Draw chains found by find_backref_chain (backrefs=True, the default) or
    find_ref_chain (backrefs=False) (objgraph.show_chain)."""
    backrefs = kw.pop("backrefs", True)
    chains = [c for c in chains if c]
    ids = {id(x) for x in itertools.chain(*chains)}

    def in_chains(x):
        return id(x) in ids

    max_depth = max(map(len, chains)) - 1
    if backrefs:
        return show_backrefs([c[-1] for c in chains], max_depth=max_depth, filter=in_chains, **kw)
    return show_refs([c[0] for c in chains], max_depth=max_depth, filter=in_chains, **kw)
