/* dump.c — refgraph.dump(path): the whole live heap in refgraph's dump format.
 *
 * One pass: the collector's three generations (gc.get_objects) seed an
 * object table, the roots (sys.modules, every thread's executing frames)
 * are added, then each object in table order is written with its
 * references, adding every object they reach (untracked ints and strs,
 * frozen objects, code objects). The collector is disabled for the whole
 * dump and no Python code runs, so no object is created or freed behind the
 * table's back, and the dumper leaves nothing behind.
 */
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "objtable.h"
#include "pyrefgraph.h"
#include "refgraph/dump.h"
#include "walk.h"

typedef struct root {
    int kind; /* 0 global, 1 frame, 2 local */
    size_t name, len;
    PyObject *obj;
    int thread;
} root;

typedef struct dumper {
    objtable t;
    walker *w;
    root *roots;
    size_t nroots, roots_cap;
    char *names;
    size_t nlen, ncap;
    int failed;
} dumper;

uint64_t rgpy_heap_id;

uint64_t rgpy_id(PyObject *o) {
    uint64_t seq = rgpy_track_id(o);
    return seq ? seq : (uint64_t)(uintptr_t)o;
}

static int add_root(dumper *d, int kind, const char *name, size_t len, PyObject *obj, int thread) {
    if (d->nroots == d->roots_cap) {
        size_t nc = d->roots_cap ? d->roots_cap * 2 : 256;
        root *nr = PyMem_RawRealloc(d->roots, nc * sizeof *nr);
        if (!nr) goto nomem;
        d->roots = nr;
        d->roots_cap = nc;
    }
    if (d->nlen + len > d->ncap) {
        size_t nc = d->ncap ? d->ncap : 4096;
        while (nc < d->nlen + len) nc *= 2;
        char *nn = PyMem_RawRealloc(d->names, nc);
        if (!nn) goto nomem;
        d->names = nn;
        d->ncap = nc;
    }
    memcpy(d->names + d->nlen, name, len);
    d->roots[d->nroots++] = (root){kind, d->nlen, len, obj, thread};
    d->nlen += len;
    if (obj) {
        int added;
        if (ot_add(&d->t, obj, walker_is_tracked(obj) ? RG_DUMP_FROZEN : RG_DUMP_UNTRACKED, &added) == OT_NONE)
            return -1;
    }
    return 0;
nomem:
    PyErr_NoMemory();
    return -1;
}

static int on_frame(void *ud, const char *name, size_t len, int thread, int generator) {
    (void)generator;
    return add_root(ud, 1, name, len, NULL, thread);
}

static int on_local(void *ud, const char *name, size_t len, PyObject *value) {
    return add_root(ud, 2, name, len, value, 0);
}

/* Calls gc.<name>(*args): a new reference, NULL with an exception. */
static PyObject *gc_call(PyObject *gc, const char *name, PyObject *arg) {
    PyObject *f = PyObject_GetAttrString(gc, name);
    if (!f) return NULL;
    PyObject *r = arg ? PyObject_CallOneArg(f, arg) : PyObject_CallNoArgs(f);
    Py_DECREF(f);
    return r;
}

static int header_gc(PyObject *gc, rg_dump_header *h, PyObject **garbage) {
    PyObject *th = gc_call(gc, "get_threshold", NULL);
    PyObject *ct = th ? gc_call(gc, "get_count", NULL) : NULL;
    PyObject *st = ct ? gc_call(gc, "get_stats", NULL) : NULL;
    int rc = -1;
    if (!st) goto out;
    if (!PyTuple_Check(th) || PyTuple_GET_SIZE(th) != 3 || !PyTuple_Check(ct) || PyTuple_GET_SIZE(ct) != 3 ||
        !PyList_Check(st) || PyList_GET_SIZE(st) != 3) {
        PyErr_SetString(PyExc_RuntimeError, "gc module answers in an unexpected shape");
        goto out;
    }
    static const char *const keys[] = {"collections", "collected", "uncollectable"};
    for (int i = 0; i < 3; i++) {
        h->gen[i].threshold = PyLong_AsLong(PyTuple_GET_ITEM(th, i));
        h->gen[i].count = PyLong_AsLong(PyTuple_GET_ITEM(ct, i));
        PyObject *gs = PyList_GET_ITEM(st, i);
        uint64_t *out[] = {&h->gen[i].collections, &h->gen[i].collected, &h->gen[i].uncollectable};
        for (int k = 0; k < 3; k++) {
            PyObject *v = PyDict_Check(gs) ? PyDict_GetItemString(gs, keys[k]) : NULL;
            long long x = v ? PyLong_AsLongLong(v) : 0;
            *out[k] = x > 0 ? (uint64_t)x : 0;
        }
    }
    if (PyErr_Occurred()) goto out;
    *garbage = PyObject_GetAttrString(gc, "garbage");
    if (!*garbage) goto out;
    if (!PyList_Check(*garbage)) {
        Py_CLEAR(*garbage);
        PyErr_SetString(PyExc_RuntimeError, "gc.garbage is not a list");
        goto out;
    }
    rc = 0;
out:
    Py_XDECREF(th);
    Py_XDECREF(ct);
    Py_XDECREF(st);
    return rc;
}

/* The three generations, in order, into the table (sized for them and
 * the untracked objects they reach, so that it rarely grows). */
static int seed(dumper *d, PyObject *gc) {
    PyObject *lists[3] = {NULL, NULL, NULL};
    int rc = -1;
    size_t total = 0;
    for (int g = 0; g < 3; g++) {
        PyObject *gen = PyLong_FromLong(g);
        lists[g] = gen ? gc_call(gc, "get_objects", gen) : NULL;
        Py_XDECREF(gen);
        if (!lists[g]) goto out;
        if (!PyList_Check(lists[g])) {
            PyErr_SetString(PyExc_RuntimeError, "gc.get_objects did not return a list");
            goto out;
        }
        total += (size_t)PyList_GET_SIZE(lists[g]);
    }
    if (ot_init(&d->t, total * 2) < 0) goto out;
    for (int g = 0; g < 3; g++) {
        for (Py_ssize_t i = 0; i < PyList_GET_SIZE(lists[g]); i++) {
            PyObject *o = PyList_GET_ITEM(lists[g], i);
            int added;
            /* a list made by an earlier call is not an object of the heap */
            if (o == lists[0] || o == lists[1]) continue;
            if (ot_add(&d->t, o, g, &added) == OT_NONE) goto out;
        }
    }
    rc = 0;
out:
    /* every object listed is held by something else too: freeing the lists
     * frees nothing else */
    for (int g = 0; g < 3; g++) Py_XDECREF(lists[g]);
    return rc;
}

static void now_iso(char *buf, size_t n) {
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* First pass: every object the table's objects reach joins the table, and
 * the header's totals are summed. */
static int discover(dumper *d, uint64_t *bytes, uint64_t *max_id) {
    objtable *t = &d->t;
    walker_set_labels(d->w, 0);
    /* t->n grows while this runs: each object is looked at once, and the
     * heap is finite */
    for (uint32_t i = 0; i < t->n; i++) {
        PyObject *o = t->obj[i];
        const pyref *refs;
        size_t nrefs;
        if (i + 4 < t->n) __builtin_prefetch(t->obj[i + 4]);
        if (walker_refs(d->w, o, &refs, &nrefs) < 0) return -1;
        for (size_t k = 0; k < nrefs; k++) ot_prefetch(t, refs[k].target);
        for (size_t k = 0; k < nrefs; k++) {
            /* the target's own memory is touched only when it is new */
            int added;
            uint32_t k2 = ot_add(t, refs[k].target, RG_DUMP_UNTRACKED, &added);
            if (k2 == OT_NONE) return -1;
            if (added && walker_is_tracked(refs[k].target)) t->gen[k2] = RG_DUMP_FROZEN;
        }
        *bytes += walker_size(d->w, o);
        uint64_t id = rgpy_id(o);
        if (id > *max_id) *max_id = id;
    }
    walker_set_labels(d->w, 1);
    return 0;
}

static int write_objects(dumper *d, rg_dump_writer *wr) {
    char label[RG_DUMP_LABEL_MAX + 8];
    objtable *t = &d->t;
    uint32_t n = t->n; /* complete after discover() */
    for (uint32_t i = 0; i < n; i++) {
        PyObject *o = t->obj[i];
        const pyref *refs;
        size_t nrefs, tlen;
        if (walker_refs(d->w, o, &refs, &nrefs) < 0) return -1;
        const char *tname = walker_type_name(d->w, Py_TYPE(o), &tlen, 0);
        if (!tname) return -1;
        size_t full = walker_label(d->w, o, label, sizeof label);
        size_t len = full < sizeof label - 1 ? full : sizeof label - 1;
        uint64_t size = walker_size(d->w, o);
        rg_dump_object rec = {
            .id = rgpy_id(o),
            .type = {tname, tlen},
            .size = size,
            .refcount = (int64_t)Py_REFCNT(o),
            .gen = t->gen[i],
            .finalized = walker_is_finalized(o),
            .garbage = (t->flag[i] & OT_F_GARBAGE) != 0,
            .is_static = walker_is_static(o),
            .label = {label, len},
            .label_len = full > len ? full : 0,
        };
        rg_dump_object_begin(wr, &rec);
        const char *arena = walker_arena(d->w);
        for (size_t k = 0; k < nrefs; k++) {
            /* every target is in the table: discover() added it and no
             * code ran since */
            PyObject *target = refs[k].target;
            rg_dump_ref ref = {rgpy_id(target), {arena + refs[k].label, refs[k].len}, refs[k].weak};
            rg_dump_object_ref(wr, &ref);
        }
        if (rg_dump_object_end(wr)) return 0; /* the writer keeps the error */
    }
    return 0;
}

static int write_roots(dumper *d, rg_dump_writer *wr) {
    uint64_t depth = 0;
    int thread = -1;
    for (size_t i = 0; i < d->nroots; i++) {
        root *r = &d->roots[i];
        rg_dump_str name = {d->names + r->name, r->len};
        if (r->kind == 0) {
            rg_dump_write_global(wr, name, rgpy_id(r->obj));
            continue;
        }
        if (r->kind == 1) {
            if (r->thread != thread) depth = 0;
            thread = r->thread;
            char b[300];
            if (r->thread) { /* other threads' frames say which thread */
                int n = PyOS_snprintf(b, sizeof b, "%.*s [thread %d]", (int)(r->len > 200 ? 200 : r->len),
                                      name.ptr, r->thread);
                name = (rg_dump_str){b, (size_t)n};
            }
            rg_dump_frame_begin(wr, name, depth++);
            if (i + 1 == d->nroots || d->roots[i + 1].kind != 2) rg_dump_frame_end(wr);
            continue;
        }
        rg_dump_frame_local(wr, name, rgpy_id(r->obj));
        if (i + 1 == d->nroots || d->roots[i + 1].kind != 2) rg_dump_frame_end(wr);
    }
    return 0;
}

PyObject *rgpy_dump(PyObject *self, PyObject *args, PyObject *kw) {
    (void)self;
    static char *kwlist[] = {"path", "created", NULL};
    PyObject *pathobj = NULL;
    const char *created = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O&|$z:dump", kwlist, PyUnicode_FSConverter, &pathobj, &created))
        return NULL;
    const char *path = PyBytes_AS_STRING(pathobj);
    PyObject *gc = PyImport_ImportModule("gc");
    if (!gc) {
        Py_DECREF(pathobj);
        return NULL;
    }
    struct timespec t0, t1, c0, c1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
    int was_enabled = PyGC_Disable();
    dumper d;
    memset(&d, 0, sizeof d);
    PyObject *garbage = NULL, *result = NULL;
    rg_dump_writer *wr = NULL;
    rg_dump_header h;
    memset(&h, 0, sizeof h);
    if (header_gc(gc, &h, &garbage) < 0) goto out;
    PyObject *modules = PyImport_GetModuleDict(); /* borrowed */
    d.w = walker_new(modules);
    if (!d.w) goto out;
    if (seed(&d, gc) < 0) goto out;
    /* roots: each module once, as a global named after its sys.modules key */
    {
        Py_ssize_t pos = 0;
        PyObject *k, *v;
        while (PyDict_Next(modules, &pos, &k, &v)) {
            char b[256];
            size_t n = walker_utf8(k, b, sizeof b);
            if (add_root(&d, 0, b, n, v, 0) < 0) goto out;
        }
    }
    frame_visitor fv = {on_frame, on_local, &d};
    if (walker_frames(&fv) < 0) goto out;
    {
        int added;
        uint32_t gi = ot_add(&d.t, garbage, walker_is_tracked(garbage) ? RG_DUMP_FROZEN : RG_DUMP_UNTRACKED, &added);
        if (gi == OT_NONE) goto out;
        for (Py_ssize_t i = 0; i < PyList_GET_SIZE(garbage); i++) {
            PyObject *g = PyList_GET_ITEM(garbage, i);
            uint32_t k = ot_add(&d.t, g, walker_is_tracked(g) ? RG_DUMP_FROZEN : RG_DUMP_UNTRACKED, &added);
            if (k == OT_NONE) goto out;
            d.t.flag[k] |= OT_F_GARBAGE;
        }
    }
    uint64_t bytes = 0, max_id = 0;
    if (discover(&d, &bytes, &max_id) < 0) goto out;
    rg_error err;
    memset(&err, 0, sizeof err);
    wr = rg_dump_writer_open(path, &err);
    if (!wr) {
        PyErr_Format(PyExc_OSError, "%s", err.text);
        goto out;
    }
    char now[32];
    if (!created) {
        now_iso(now, sizeof now);
        created = now;
    }
    h.producer = "refgraph-python";
    h.producer_version = RGPY_VERSION;
    h.created = created;
    h.heap_id = rgpy_heap_id;
    h.gc_enabled = was_enabled;
    h.garbage_id = rgpy_id(garbage);
    h.ids = rgpy_tracking_since_start() ? NULL : "addresses";
    h.bytes_in_use = h.peak_bytes = bytes; /* what the dump shows: see docs/python.md */
    h.live_objects = d.t.n;
    h.max_id = max_id;
    rg_dump_write_header(wr, &h);
    if (write_objects(&d, wr) < 0) goto out;
    write_roots(&d, wr);
    uint32_t nobjs = d.t.n;
    int rc = rg_dump_writer_close(wr, &err);
    wr = NULL;
    if (rc) {
        PyErr_Format(PyExc_OSError, "%s", err.text);
        goto out;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    double cpu = (double)(c1.tv_sec - c0.tv_sec) + (double)(c1.tv_nsec - c0.tv_nsec) / 1e9;
    result = Py_BuildValue("{s:I,s:K,s:d,s:d}", "objects", nobjs, "bytes", (unsigned long long)bytes, "seconds",
                           secs, "cpu_seconds", cpu);
out:
    if (wr) rg_dump_writer_abort(wr);
    walker_free(d.w);
    ot_free(&d.t);
    PyMem_RawFree(d.roots);
    PyMem_RawFree(d.names);
    Py_XDECREF(garbage);
    if (was_enabled) PyGC_Enable();
    Py_DECREF(gc);
    Py_DECREF(pathobj);
    return result;
}
