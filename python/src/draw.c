/* draw.c — in-process drawings: the objects and references Python chose
 * (refgraph.show_refs and friends walk the heap in Python, objgraph's way)
 * are written as a small dump, loaded, analysed (cycles: only those drawn
 * whole), and drawn by refgraph's renderer through Graphviz's libraries.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pyrefgraph.h"
#include "refgraph/analysis.h"
#include "refgraph/dump.h"
#include "refgraph/graph.h"
#include "refgraph/render.h"
#include "walk.h"

typedef struct dedge {
    Py_ssize_t src, dst;
    PyObject *label; /* str, borrowed from the edges list */
    int weak;
} dedge;

static int by_src(const void *x, const void *y) {
    const dedge *a = x, *b = y;
    if (a->src != b->src) return a->src < b->src ? -1 : 1;
    return 0;
}

/* Writes nodes and edges as a dump at path. -1 with an exception set. */
static int write_selection(walker *w, const char *path, PyObject *nodes, dedge *edges, Py_ssize_t nedges,
                           int shortnames) {
    rg_error err;
    memset(&err, 0, sizeof err);
    rg_dump_writer *wr = rg_dump_writer_open(path, &err);
    if (!wr) {
        PyErr_Format(PyExc_OSError, "%s", err.text);
        return -1;
    }
    rg_dump_header h;
    memset(&h, 0, sizeof h);
    h.producer = "refgraph-python";
    h.producer_version = RGPY_VERSION;
    h.created = "1970-01-01T00:00:00Z";
    h.heap_id = rgpy_heap_id;
    h.ids = "addresses";
    Py_ssize_t n = PyList_GET_SIZE(nodes);
    h.live_objects = (uint64_t)n;
    rg_dump_write_header(wr, &h);
    Py_ssize_t e = 0;
    char label[RG_DUMP_LABEL_MAX + 8];
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *t = PyList_GET_ITEM(nodes, i);
        PyObject *o = PyTuple_GET_ITEM(t, 0), *extra = PyTuple_GET_ITEM(t, 3);
        size_t tlen;
        const char *tname = walker_type_name(w, Py_TYPE(o), &tlen, shortnames);
        if (!tname) goto fail;
        size_t full = walker_label(w, o, label, sizeof label);
        size_t len = full < sizeof label - 1 ? full : sizeof label - 1;
        if (extra != Py_None && PyUnicode_Check(extra) && len + 2 < sizeof label) {
            label[len++] = '\n';
            len += walker_utf8(extra, label + len, sizeof label - 1 - len);
            full = len;
        }
        rg_dump_object rec = {
            .id = (uint64_t)(uintptr_t)o, /* node names are objgraph's: o + id(obj) */
            .type = {tname, tlen},
            .size = walker_size(w, o),
            .refcount = (int64_t)Py_REFCNT(o),
            .gen = walker_is_tracked(o) ? 2 : RG_DUMP_UNTRACKED,
            .is_static = walker_is_static(o),
            .label = {label, len},
            .label_len = full > len ? full : 0,
        };
        rg_dump_object_begin(wr, &rec);
        for (; e < nedges && edges[e].src == i; e++) {
            char lb[RG_EDGE_LABEL_SCRATCH];
            size_t ll = walker_utf8(edges[e].label, lb, sizeof lb);
            PyObject *dst = PyTuple_GET_ITEM(PyList_GET_ITEM(nodes, edges[e].dst), 0);
            rg_dump_ref ref = {(uint64_t)(uintptr_t)dst, {lb, ll}, edges[e].weak};
            rg_dump_object_ref(wr, &ref);
        }
        rg_dump_object_end(wr);
    }
    if (rg_dump_writer_close(wr, &err)) {
        PyErr_Format(PyExc_OSError, "%s", err.text);
        return -1;
    }
    return 0;
fail:
    rg_dump_writer_abort(wr);
    return -1;
}

PyObject *rgpy_draw(PyObject *self, PyObject *args, PyObject *kw) {
    (void)self;
    static char *kwlist[] = {"nodes", "edges", "mores", "output", "max_depth", "refcounts", "shortnames",
                             "format", "backrefs", "cluster_cycles", NULL};
    PyObject *nodes, *edgelist, *mores, *outobj = NULL;
    int max_depth = 3, refcounts = 0, shortnames = 1, backrefs = 0, cluster = 0;
    const char *format = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O!O!O!O&|$ipizpp:draw", kwlist, &PyList_Type, &nodes, &PyList_Type,
                                     &edgelist, &PyList_Type, &mores, PyUnicode_FSConverter, &outobj, &max_depth,
                                     &refcounts, &shortnames, &format, &backrefs, &cluster))
        return NULL;
    Py_ssize_t n = PyList_GET_SIZE(nodes), ne = PyList_GET_SIZE(edgelist);
    PyObject *result = NULL;
    dedge *edges = NULL;
    walker *w = NULL;
    rg_graph *g = NULL;
    rg_analysis an;
    int have_an = 0;
    char tmp[] = "/tmp/refgraph-draw-XXXXXX";
    int fd = -1;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *t = PyList_GET_ITEM(nodes, i);
        if (!PyTuple_Check(t) || PyTuple_GET_SIZE(t) != 4) {
            PyErr_SetString(PyExc_TypeError, "nodes are (object, depth, marks, extra) tuples");
            goto out;
        }
    }
    edges = PyMem_RawMalloc((size_t)(ne ? ne : 1) * sizeof *edges);
    if (!edges) {
        PyErr_NoMemory();
        goto out;
    }
    for (Py_ssize_t i = 0; i < ne; i++) {
        PyObject *t = PyList_GET_ITEM(edgelist, i);
        if (!PyTuple_Check(t) || PyTuple_GET_SIZE(t) != 4 || !PyUnicode_Check(PyTuple_GET_ITEM(t, 2))) {
            PyErr_SetString(PyExc_TypeError, "edges are (source, target, label, weak) tuples");
            goto out;
        }
        edges[i].src = PyLong_AsSsize_t(PyTuple_GET_ITEM(t, 0));
        edges[i].dst = PyLong_AsSsize_t(PyTuple_GET_ITEM(t, 1));
        edges[i].label = PyTuple_GET_ITEM(t, 2);
        edges[i].weak = PyObject_IsTrue(PyTuple_GET_ITEM(t, 3)) == 1;
        if (PyErr_Occurred()) goto out;
        if (edges[i].src < 0 || edges[i].src >= n || edges[i].dst < 0 || edges[i].dst >= n) {
            PyErr_SetString(PyExc_IndexError, "an edge names a node that is not in the list");
            goto out;
        }
    }
    /* stable: each node's references keep the order given */
    for (Py_ssize_t i = 1; i < ne; i++) { /* insertion sort: edges come almost grouped */
        dedge x = edges[i];
        Py_ssize_t j = i;
        while (j > 0 && by_src(&edges[j - 1], &x) > 0) {
            edges[j] = edges[j - 1];
            j--;
        }
        edges[j] = x;
    }
    w = walker_new(NULL);
    if (!w) goto out;
    fd = mkstemp(tmp);
    if (fd < 0) {
        PyErr_SetFromErrnoWithFilename(PyExc_OSError, tmp);
        goto out;
    }
    close(fd);
    if (write_selection(w, tmp, nodes, edges, ne, shortnames) < 0) goto out;
    rg_error err;
    memset(&err, 0, sizeof err);
    g = rg_graph_load(tmp, NULL, &err);
    if (!g) {
        PyErr_Format(PyExc_RuntimeError, "cannot read back the drawing's objects: %s", err.text);
        goto out;
    }
    if (rg_analyze(g, &an)) {
        PyErr_NoMemory();
        goto out;
    }
    have_an = 1;
    rg_render_options opts;
    memset(&opts, 0, sizeof opts);
    opts.backrefs = backrefs;
    opts.max_depth = max_depth > 0 ? max_depth : 1;
    opts.refcounts = refcounts;
    opts.cluster_cycles = cluster;
    opts.no_legend = 1;
    opts.no_ids = 1; /* objgraph's boxes: the ids here are addresses, id(obj), long and different each run */
    opts.format = format;
    rg_drawing *d = rg_drawing_new(g, &an, &opts);
    if (!d) {
        PyErr_NoMemory();
        goto out;
    }
    int rc = 0;
    for (Py_ssize_t i = 0; !rc && i < n; i++) {
        PyObject *t = PyList_GET_ITEM(nodes, i);
        long depth = PyLong_AsLong(PyTuple_GET_ITEM(t, 1));
        long marks = PyLong_AsLong(PyTuple_GET_ITEM(t, 2));
        rc = rg_drawing_node(d, (uint32_t)i, (int)depth, (unsigned)marks);
    }
    /* edge k of node i is reference g->ref_start[i] + k, in the order written */
    for (Py_ssize_t i = 0, k = 0; !rc && i < ne; i++) {
        k = i > 0 && edges[i - 1].src == edges[i].src ? k + 1 : 0;
        rc = rg_drawing_edge(d, g->ref_start[edges[i].src] + (uint32_t)k, 0);
    }
    for (Py_ssize_t i = 0; !rc && i < PyList_GET_SIZE(mores); i++) {
        PyObject *t = PyList_GET_ITEM(mores, i);
        Py_ssize_t idx = PyLong_AsSsize_t(PyTuple_GET_ITEM(t, 0));
        long count = PyLong_AsLong(PyTuple_GET_ITEM(t, 1));
        if (idx >= 0 && idx < n && count > 0) rc = rg_drawing_more(d, (uint32_t)idx, (uint32_t)count, backrefs);
    }
    if (PyErr_Occurred() || rc) {
        rg_drawing_free(d);
        if (!PyErr_Occurred()) PyErr_NoMemory();
        goto out;
    }
    if (rg_drawing_finish(d, PyBytes_AS_STRING(outobj), &err)) {
        PyErr_Format(PyExc_OSError, "%s", err.text);
        goto out;
    }
    result = Py_NewRef(Py_None);
out:
    if (fd >= 0) unlink(tmp);
    if (have_an) rg_analysis_free(&an);
    rg_graph_free(g);
    walker_free(w);
    PyMem_RawFree(edges);
    Py_XDECREF(outobj);
    return result;
}

/* referents(obj) -> [(target, label, weak)]: what obj holds, labelled. */
PyObject *rgpy_referents(PyObject *self, PyObject *obj) {
    (void)self;
    walker *w = walker_new(NULL);
    if (!w) return NULL;
    const pyref *refs;
    size_t nrefs;
    PyObject *out = NULL;
    if (walker_refs(w, obj, &refs, &nrefs) < 0) goto done;
    out = PyList_New((Py_ssize_t)nrefs);
    if (!out) goto done;
    const char *arena = walker_arena(w);
    for (size_t i = 0; i < nrefs; i++) {
        PyObject *t = Py_BuildValue("(Os#O)", refs[i].target, arena + refs[i].label, (Py_ssize_t)refs[i].len,
                                    refs[i].weak ? Py_True : Py_False);
        if (!t) {
            /* a label cut inside a character: decode what is valid */
            PyErr_Clear();
            PyObject *lab = PyUnicode_DecodeUTF8(arena + refs[i].label, (Py_ssize_t)refs[i].len, "replace");
            t = lab ? Py_BuildValue("(ONO)", refs[i].target, lab, refs[i].weak ? Py_True : Py_False) : NULL;
        }
        if (!t) {
            Py_CLEAR(out);
            goto done;
        }
        PyList_SET_ITEM(out, (Py_ssize_t)i, t);
    }
done:
    walker_free(w);
    return out;
}

/* referrers(targets, objects) -> {id(target): [(referrer, label, weak)]}:
 * which of objects (a list, usually gc.get_objects()) refer to each target. */
PyObject *rgpy_referrers(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *targets, *objects;
    if (!PyArg_ParseTuple(args, "O!O!:referrers", &PyList_Type, &targets, &PyList_Type, &objects)) return NULL;
    PyObject *want = PyDict_New();
    if (!want) return NULL;
    walker *w = NULL;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(targets); i++) {
        PyObject *key = PyLong_FromVoidPtr(PyList_GET_ITEM(targets, i));
        PyObject *lst = key ? PyList_New(0) : NULL;
        int bad = !lst || PyDict_SetItem(want, key, lst) < 0;
        Py_XDECREF(key);
        Py_XDECREF(lst);
        if (bad) goto fail;
    }
    w = walker_new(NULL);
    if (!w) goto fail;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(objects); i++) {
        PyObject *o = PyList_GET_ITEM(objects, i);
        const pyref *refs;
        size_t nrefs;
        if (walker_refs(w, o, &refs, &nrefs) < 0) goto fail;
        const char *arena = walker_arena(w);
        for (size_t k = 0; k < nrefs; k++) {
            PyObject *key = PyLong_FromVoidPtr(refs[k].target);
            if (!key) goto fail;
            PyObject *lst = PyDict_GetItemWithError(want, key);
            Py_DECREF(key);
            if (!lst) {
                if (PyErr_Occurred()) goto fail;
                continue;
            }
            PyObject *lab = PyUnicode_DecodeUTF8(arena + refs[k].label, (Py_ssize_t)refs[k].len, "replace");
            PyObject *t = lab ? Py_BuildValue("(ONO)", o, lab, refs[k].weak ? Py_True : Py_False) : NULL;
            if (!t || PyList_Append(lst, t) < 0) {
                Py_XDECREF(t);
                goto fail;
            }
            Py_DECREF(t);
        }
    }
    walker_free(w);
    return want;
fail:
    walker_free(w);
    Py_DECREF(want);
    return NULL;
}

/* describe(obj, shortnames=True) -> (type name, label, size, static) */
PyObject *rgpy_describe(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *o;
    int shortnames = 1;
    if (!PyArg_ParseTuple(args, "O|p:describe", &o, &shortnames)) return NULL;
    walker *w = walker_new(NULL);
    if (!w) return NULL;
    size_t tlen;
    char label[RG_DUMP_LABEL_MAX + 8];
    const char *tname = walker_type_name(w, Py_TYPE(o), &tlen, shortnames);
    PyObject *r = NULL;
    if (tname) {
        size_t full = walker_label(w, o, label, sizeof label);
        size_t len = full < sizeof label - 1 ? full : sizeof label - 1;
        PyObject *tn = PyUnicode_DecodeUTF8(tname, (Py_ssize_t)tlen, "replace");
        PyObject *lb = tn ? PyUnicode_DecodeUTF8(label, (Py_ssize_t)len, "replace") : NULL;
        if (lb)
            r = Py_BuildValue("(NNKO)", tn, lb, (unsigned long long)walker_size(w, o),
                              walker_is_static(o) ? Py_True : Py_False);
        else
            Py_XDECREF(tn);
    }
    walker_free(w);
    return r;
}

/* type_names(objects, shortnames=True) -> [name]: each object's type name
 * as dumps write it (module.qualname), or its last part. */
PyObject *rgpy_type_names(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *objects;
    int shortnames = 1;
    if (!PyArg_ParseTuple(args, "O!|p:type_names", &PyList_Type, &objects, &shortnames)) return NULL;
    walker *w = walker_new(NULL);
    if (!w) return NULL;
    PyObject *cache = PyDict_New(); /* type -> name str */
    PyObject *out = cache ? PyList_New(PyList_GET_SIZE(objects)) : NULL;
    if (!out) goto fail;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(objects); i++) {
        PyObject *t = (PyObject *)Py_TYPE(PyList_GET_ITEM(objects, i));
        PyObject *name = PyDict_GetItemWithError(cache, t);
        if (!name) {
            if (PyErr_Occurred()) goto fail;
            size_t len;
            const char *s = walker_type_name(w, (PyTypeObject *)t, &len, shortnames);
            name = s ? PyUnicode_DecodeUTF8(s, (Py_ssize_t)len, "replace") : NULL;
            if (!name || PyDict_SetItem(cache, t, name) < 0) {
                Py_XDECREF(name);
                goto fail;
            }
            Py_DECREF(name);
        }
        PyList_SET_ITEM(out, i, Py_NewRef(name));
    }
    Py_DECREF(cache);
    walker_free(w);
    return out;
fail:
    Py_XDECREF(out);
    Py_XDECREF(cache);
    walker_free(w);
    return NULL;
}

/* suggest(name, names, max=5) -> [name]: the names closest to name, the
 * closest first, chosen as the CLI chooses types for "did you mean"
 * (rg_names_suggest). names: a list of str, none equal to name. */
PyObject *rgpy_suggest(PyObject *self, PyObject *args) {
    (void)self;
    const char *name;
    Py_ssize_t len;
    PyObject *names;
    Py_ssize_t max = 5;
    if (!PyArg_ParseTuple(args, "s#O!|n:suggest", &name, &len, &PyList_Type, &names, &max)) return NULL;
    Py_ssize_t n = PyList_GET_SIZE(names);
    if (max < 0 || max > 1000 || n > (Py_ssize_t)UINT32_MAX - 1) {
        PyErr_SetString(PyExc_ValueError, "suggest: max is 0 to 1000, names at most 2**32 - 2");
        return NULL;
    }
    rg_gstr *strs = PyMem_Calloc((size_t)n + 1, sizeof *strs);
    uint32_t *near = PyMem_Calloc((size_t)max + 1, sizeof *near);
    PyObject *out = NULL;
    if (!strs || !near) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t i = 0; i < n; i++) { /* pointers into the list's strs: valid while it holds them */
        Py_ssize_t l;
        const char *s = PyUnicode_AsUTF8AndSize(PyList_GET_ITEM(names, i), &l);
        if (!s) goto done;
        if (l > (Py_ssize_t)UINT32_MAX) {
            PyErr_SetString(PyExc_ValueError, "suggest: a name over 4 GiB");
            goto done;
        }
        strs[i] = (rg_gstr){s, (uint32_t)l};
    }
    int k = rg_names_suggest(strs, (uint32_t)n, NULL, name, (size_t)len, near, (size_t)max);
    if (k < 0) {
        PyErr_NoMemory();
        goto done;
    }
    out = PyList_New(k);
    for (int i = 0; out && i < k; i++) PyList_SET_ITEM(out, i, Py_NewRef(PyList_GET_ITEM(names, near[i])));
done:
    PyMem_Free(strs);
    PyMem_Free(near);
    return out;
}
