/* walk.c — references, labels, sizes and roots of live CPython objects.
 *
 * Built against CPython 3.11's internal headers (Py_BUILD_CORE) for three
 * things the public API only gives with side effects: the executing frames
 * of each thread (PyThreadState_GetFrame would create frame objects), the
 * attribute names of instances whose values are stored inline (obj.__dict__
 * would create a dict), and the pre-header size sys.getsizeof adds.
 */
#define Py_BUILD_CORE 1
#include "walk.h"

#include <stdarg.h>
#include <string.h>

#include "internal/pycore_dict.h"
#include "internal/pycore_frame.h"
#include "internal/pycore_object.h"
#include "refgraph/text.h"
#include "structmember.h"

#if PY_VERSION_HEX < 0x030B0000 || PY_VERSION_HEX >= 0x030C0000
#error "refgraph's Python extension reads CPython 3.11's object layout"
#endif

/* ---- per-type facts, computed once per walker ------------------------------------ */

typedef struct member {
    Py_ssize_t offset;
    const char *name;
} member;

enum { SZ_FORMULA, SZ_CALL };

typedef struct typeinfo {
    PyTypeObject *type;
    char *name;       /* qualified */
    size_t name_len;
    size_t short_off; /* where the short name starts */
    member *members;  /* object-valued members over the MRO */
    size_t nmembers;
    int sizeof_mode;
    PyCFunction sizeof_fn;
} typeinfo;

struct walker {
    PyObject *skip_values_of;
    int no_labels; /* references only: the dumper's first pass */
    /* type cache: open addressing on the type pointer */
    typeinfo *types;
    size_t ntypes, types_cap; /* cap is a power of two */
    pyref *refs;
    size_t nrefs, refs_cap;
    char *arena;
    size_t alen, acap;
    PyObject *sizeof_name; /* "__sizeof__" */
    PyObject *object_sizeof; /* object.__sizeof__'s descriptor */
};

static size_t ptr_hash(const void *p) {
    uint64_t x = (uint64_t)(uintptr_t)p;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return (size_t)x;
}

walker *walker_new(PyObject *skip_values_of) {
    walker *w = PyMem_RawCalloc(1, sizeof *w);
    if (!w) goto nomem;
    w->skip_values_of = skip_values_of;
    w->types_cap = 256;
    w->types = PyMem_RawCalloc(w->types_cap, sizeof *w->types);
    w->refs_cap = 64;
    w->refs = PyMem_RawMalloc(w->refs_cap * sizeof *w->refs);
    w->acap = 4096;
    w->arena = PyMem_RawMalloc(w->acap);
    if (!w->types || !w->refs || !w->arena) goto nomem;
    w->sizeof_name = PyUnicode_InternFromString("__sizeof__");
    if (!w->sizeof_name) {
        walker_free(w);
        return NULL;
    }
    w->object_sizeof = _PyType_Lookup(&PyBaseObject_Type, w->sizeof_name);
    return w;
nomem:
    walker_free(w);
    PyErr_NoMemory();
    return NULL;
}

void walker_free(walker *w) {
    if (!w) return;
    if (w->types) {
        for (size_t i = 0; i < w->types_cap; i++) {
            PyMem_RawFree(w->types[i].name);
            PyMem_RawFree(w->types[i].members);
        }
        PyMem_RawFree(w->types);
    }
    PyMem_RawFree(w->refs);
    PyMem_RawFree(w->arena);
    Py_XDECREF(w->sizeof_name);
    PyMem_RawFree(w);
}

const char *walker_arena(const walker *w) { return w->arena; }

void walker_set_labels(walker *w, int on) { w->no_labels = !on; }

/* ---- strings --------------------------------------------------------------------- */

static size_t put_cp(char *b, Py_UCS4 c) {
    if (c >= 0xd800 && c <= 0xdfff) { /* lone surrogate: not UTF-8 */
        b[0] = '?';
        return 1;
    }
    return rg_utf8_encode(b, c);
}

size_t walker_utf8(PyObject *s, char *buf, size_t max) {
    if (!PyUnicode_Check(s) || !PyUnicode_IS_READY(s)) return 0;
    Py_ssize_t n = PyUnicode_GET_LENGTH(s);
    if (PyUnicode_IS_ASCII(s)) {
        size_t k = (size_t)n < max ? (size_t)n : max;
        memcpy(buf, PyUnicode_DATA(s), k);
        return k;
    }
    int kind = PyUnicode_KIND(s);
    const void *data = PyUnicode_DATA(s);
    size_t out = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        char tmp[4];
        size_t k = put_cp(tmp, PyUnicode_READ(kind, data, i));
        if (out + k > max) break;
        memcpy(buf + out, tmp, k);
        out += k;
    }
    return out;
}

/* repr-like text of a str: quoted, at most maxchars characters in all (as
 * objgraph's repr(obj)[:40]). */
static size_t str_repr(PyObject *s, char *buf, size_t cap, size_t maxchars) {
    if (!PyUnicode_IS_READY(s) || cap < 8) return 0;
    Py_ssize_t n = PyUnicode_GET_LENGTH(s);
    int kind = PyUnicode_KIND(s);
    const void *data = PyUnicode_DATA(s);
    size_t out = 0, chars = 0;
    buf[out++] = '\'';
    chars++;
    for (Py_ssize_t i = 0; i < n && chars < maxchars; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        char tmp[8];
        size_t k;
        if (c == '\n' || c == '\t' || c == '\r' || c == '\\' || c == '\'') {
            tmp[0] = '\\';
            tmp[1] = c == '\n' ? 'n' : c == '\t' ? 't' : c == '\r' ? 'r' : (char)c;
            k = 2;
        } else if (c < 0x20 || c == 0x7f) {
            static const char hex[] = "0123456789abcdef";
            memcpy(tmp, "\\x", 2);
            tmp[2] = hex[c >> 4];
            tmp[3] = hex[c & 15];
            k = 4;
        } else {
            k = put_cp(tmp, c);
        }
        if (out + k + 2 > cap) break;
        memcpy(buf + out, tmp, k);
        out += k;
        chars += k > 1 && tmp[0] == '\\' ? k : 1;
    }
    if (chars < maxchars && out + 1 < cap) buf[out++] = '\'';
    return out;
}

static size_t bytes_repr(PyObject *b, char *buf, size_t cap, size_t maxchars) {
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)PyBytes_AS_STRING(b);
    Py_ssize_t n = PyBytes_GET_SIZE(b);
    size_t out = 0;
    if (cap < 8) return 0;
    buf[out++] = 'b';
    buf[out++] = '\'';
    for (Py_ssize_t i = 0; i < n && out + 6 < cap && out < maxchars; i++) {
        unsigned c = p[i];
        if (c >= 0x20 && c < 0x7f && c != '\\' && c != '\'') {
            buf[out++] = (char)c;
        } else {
            buf[out++] = '\\';
            buf[out++] = 'x';
            buf[out++] = hex[c >> 4];
            buf[out++] = hex[c & 15];
        }
    }
    if (out < maxchars) buf[out++] = '\'';
    return out > maxchars ? maxchars : out;
}

/* ---- types ----------------------------------------------------------------------- */

static int add_members(typeinfo *ti, PyTypeObject *t, size_t *cap) {
    for (PyMemberDef *m = t->tp_members; m && m->name; m++) {
        if (m->type != T_OBJECT && m->type != T_OBJECT_EX) continue;
        int dup = 0;
        for (size_t i = 0; i < ti->nmembers; i++) dup |= ti->members[i].offset == m->offset;
        if (dup) continue;
        if (ti->nmembers == *cap) {
            size_t nc = *cap ? *cap * 2 : 8;
            member *nm = PyMem_RawRealloc(ti->members, nc * sizeof *nm);
            if (!nm) return -1;
            ti->members = nm;
            *cap = nc;
        }
        ti->members[ti->nmembers++] = (member){m->offset, m->name};
    }
    return 0;
}

static int fill_name(typeinfo *ti, PyTypeObject *t) {
    char buf[512];
    size_t len = 0, short_off = 0;
    if (t->tp_flags & Py_TPFLAGS_HEAPTYPE) {
        PyHeapTypeObject *ht = (PyHeapTypeObject *)t;
        PyObject *mod = t->tp_dict ? PyDict_GetItemWithError(t->tp_dict, &_Py_ID(__module__)) : NULL;
        if (!mod) PyErr_Clear();
        if (mod && PyUnicode_Check(mod) && !_PyUnicode_EqualToASCIIString(mod, "builtins")) {
            len = walker_utf8(mod, buf, 300);
            buf[len++] = '.';
        }
        short_off = len;
        len += walker_utf8(ht->ht_qualname, buf + len, sizeof buf - len - 1);
    } else {
        const char *n = t->tp_name;
        len = strlen(n);
        if (len > sizeof buf - 1) len = sizeof buf - 1;
        memcpy(buf, n, len);
        const char *dot = memchr(n, '.', len) ? strrchr(n, '.') : NULL;
        short_off = dot && (size_t)(dot - n) < len ? (size_t)(dot - n) + 1 : 0;
    }
    /* the short name is the last dotted part of the qualified name */
    for (size_t i = short_off; i < len; i++)
        if (buf[i] == '.') short_off = i + 1;
    ti->name = PyMem_RawMalloc(len + 1);
    if (!ti->name) return -1;
    memcpy(ti->name, buf, len);
    ti->name[len] = '\0';
    ti->name_len = len;
    ti->short_off = short_off;
    return 0;
}

static typeinfo *type_info(walker *w, PyTypeObject *t) {
    size_t mask = w->types_cap - 1, i = ptr_hash(t) & mask;
    while (w->types[i].type) {
        if (w->types[i].type == t) return &w->types[i];
        i = (i + 1) & mask;
    }
    if ((w->ntypes + 1) * 2 > w->types_cap) { /* grow, then insert */
        size_t nc = w->types_cap * 2;
        typeinfo *nt = PyMem_RawCalloc(nc, sizeof *nt);
        if (!nt) {
            PyErr_NoMemory();
            return NULL;
        }
        for (size_t k = 0; k < w->types_cap; k++) {
            if (!w->types[k].type) continue;
            size_t j = ptr_hash(w->types[k].type) & (nc - 1);
            while (nt[j].type) j = (j + 1) & (nc - 1);
            nt[j] = w->types[k];
        }
        PyMem_RawFree(w->types);
        w->types = nt;
        w->types_cap = nc;
        return type_info(w, t);
    }
    typeinfo ti = {.type = t};
    size_t cap = 0;
    if (fill_name(&ti, t) < 0) goto nomem;
    PyObject *mro = t->tp_mro;
    if (mro && PyTuple_Check(mro)) {
        for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE(mro); k++)
            if (PyType_Check(PyTuple_GET_ITEM(mro, k)) &&
                add_members(&ti, (PyTypeObject *)PyTuple_GET_ITEM(mro, k), &cap) < 0)
                goto nomem;
    } else if (add_members(&ti, t, &cap) < 0) {
        goto nomem;
    }
    PyObject *sz = _PyType_Lookup(t, w->sizeof_name); /* borrowed, runs no code */
    ti.sizeof_mode = SZ_FORMULA;
    if (sz && sz != w->object_sizeof && Py_IS_TYPE(sz, &PyMethodDescr_Type)) {
        PyMethodDef *md = ((PyMethodDescrObject *)sz)->d_method;
        if ((md->ml_flags & (METH_NOARGS | METH_VARARGS | METH_O | METH_KEYWORDS | METH_FASTCALL)) == METH_NOARGS) {
            ti.sizeof_mode = SZ_CALL;
            ti.sizeof_fn = md->ml_meth;
        }
    }
    w->types[i] = ti;
    w->ntypes++;
    return &w->types[i];
nomem:
    PyMem_RawFree(ti.name);
    PyMem_RawFree(ti.members);
    PyErr_NoMemory();
    return NULL;
}

const char *walker_type_name(walker *w, PyTypeObject *t, size_t *len, int shortname) {
    typeinfo *ti = type_info(w, t);
    if (!ti) return NULL;
    *len = ti->name_len - (shortname ? ti->short_off : 0);
    return ti->name + (shortname ? ti->short_off : 0);
}

uint64_t walker_size(walker *w, PyObject *o) {
    PyTypeObject *t = Py_TYPE(o);
    typeinfo *ti = type_info(w, t);
    Py_ssize_t size = -1;
    if (ti && ti->sizeof_mode == SZ_CALL) {
        PyObject *r = ti->sizeof_fn(o, NULL);
        if (r) {
            size = PyLong_AsSsize_t(r);
            Py_DECREF(r);
        }
        if (size < 0) {
            PyErr_Clear();
            size = -1;
        }
    }
    if (!ti) PyErr_Clear();
    if (size < 0) { /* object.__sizeof__ */
        size = t->tp_basicsize;
        if (t->tp_itemsize) {
            Py_ssize_t n = Py_SIZE(o);
            size += (n < 0 ? -n : n) * t->tp_itemsize;
        }
    }
    return (uint64_t)size + _PyType_PreHeaderSize(t);
}

int walker_is_static(PyObject *o) {
    if (PyType_Check(o) && !(((PyTypeObject *)o)->tp_flags & Py_TPFLAGS_HEAPTYPE)) return 1;
    if (o == Py_None || o == Py_True || o == Py_False || o == Py_Ellipsis || o == Py_NotImplemented) return 1;
    /* 3.11 gives statically allocated strs, ints, bytes and tuples the
     * refcount 999999999 (_PyObject_IMMORTAL_INIT) */
    return Py_REFCNT(o) >= 500000000;
}

int walker_is_tracked(PyObject *o) { return _PyObject_IS_GC(o) && _PyObject_GC_IS_TRACKED(o); }

size_t walker_preheader(PyObject *o) { return _PyType_PreHeaderSize(Py_TYPE(o)); }

int walker_is_finalized(PyObject *o) { return _PyObject_IS_GC(o) && _PyGC_FINALIZED(o); }

/* ---- labels ---------------------------------------------------------------------- */

static size_t copy_cut(char *buf, size_t cap, const char *s, size_t n) {
    if (!cap) return n;
    size_t k = n < cap - 1 ? n : cap - 1;
    memcpy(buf, s, k);
    buf[k] = '\0';
    return n;
}

static size_t fmt(char *buf, size_t cap, const char *f, ...) {
    va_list ap;
    va_start(ap, f);
    int n = PyOS_vsnprintf(buf, cap, f, ap);
    va_end(ap);
    return n < 0 ? 0 : (size_t)n;
}

static size_t name_of(PyObject *s, char *buf, size_t cap) {
    size_t n = s && PyUnicode_Check(s) ? walker_utf8(s, buf, cap - 1) : 0;
    buf[n] = '\0';
    return n;
}

size_t walker_label(walker *w, PyObject *o, char *buf, size_t cap) {
    PyTypeObject *t = Py_TYPE(o);
    char tmp[512];
    size_t n;
    if (cap == 0) return 0;
    buf[0] = '\0';
    if (o == Py_None) return copy_cut(buf, cap, "None", 4);
    if (o == Py_True) return copy_cut(buf, cap, "True", 4);
    if (o == Py_False) return copy_cut(buf, cap, "False", 5);
    if (PyLong_Check(o)) {
        int overflow = 0;
        long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
        if (v == -1 && PyErr_Occurred()) PyErr_Clear();
        if (overflow) {
            int64_t bits = (int64_t)_PyLong_NumBits(o);
            if (bits < 0) PyErr_Clear();
            return fmt(buf, cap, "%sint of %lld bits", overflow < 0 ? "negative " : "", (long long)bits);
        }
        return fmt(buf, cap, "%lld", v);
    }
    if (PyFloat_Check(o)) {
        char *s = PyOS_double_to_string(PyFloat_AS_DOUBLE(o), 'r', 0, Py_DTSF_ADD_DOT_0, NULL);
        if (!s) {
            PyErr_Clear();
            return 0;
        }
        n = copy_cut(buf, cap, s, strlen(s));
        PyMem_Free(s);
        return n;
    }
    if (PyUnicode_Check(o)) return copy_cut(buf, cap, tmp, str_repr(o, tmp, sizeof tmp, 40));
    if (PyBytes_Check(o)) return copy_cut(buf, cap, tmp, bytes_repr(o, tmp, sizeof tmp, 40));
    if (PyTuple_Check(o) || PyList_Check(o) || PyDict_Check(o) || PyAnySet_Check(o)) {
        Py_ssize_t len = PyTuple_Check(o) ? PyTuple_GET_SIZE(o)
                         : PyList_Check(o) ? PyList_GET_SIZE(o)
                         : PyDict_Check(o) ? PyDict_GET_SIZE(o)
                                           : PySet_GET_SIZE(o);
        return fmt(buf, cap, "%zd items", len);
    }
    if (PyType_Check(o)) {
        size_t len;
        const char *nm = walker_type_name(w, (PyTypeObject *)o, &len, 1);
        if (!nm) {
            PyErr_Clear();
            return 0;
        }
        return copy_cut(buf, cap, nm, len);
    }
    if (PyModule_Check(o)) {
        PyObject *d = PyModule_GetDict(o);
        PyObject *nm = d ? PyDict_GetItemWithError(d, &_Py_ID(__name__)) : NULL;
        if (!nm) PyErr_Clear();
        n = name_of(nm, tmp, sizeof tmp);
        return copy_cut(buf, cap, tmp, n);
    }
    if (PyFunction_Check(o)) {
        n = name_of(((PyFunctionObject *)o)->func_qualname, tmp, sizeof tmp);
        return copy_cut(buf, cap, tmp, n);
    }
    if (PyCFunction_Check(o)) {
        const char *nm = ((PyCFunctionObject *)o)->m_ml->ml_name;
        return copy_cut(buf, cap, nm, strlen(nm));
    }
    if (PyMethod_Check(o)) {
        PyObject *f = PyMethod_GET_FUNCTION(o);
        n = 0;
        if (PyFunction_Check(f)) n = name_of(((PyFunctionObject *)f)->func_name, tmp, sizeof tmp - 16);
        memcpy(tmp + n, " (bound)", 8);
        return copy_cut(buf, cap, tmp, n + 8);
    }
    if (PyFrame_Check(o)) {
        PyFrameObject *f = (PyFrameObject *)o;
        PyCodeObject *code = f->f_frame ? f->f_frame->f_code : NULL;
        n = code ? name_of(code->co_filename, tmp, 400) : 0;
        tmp[n] = '\0';
        return fmt(buf, cap, "%s:%d", tmp, PyFrame_GetLineNumber(f));
    }
    if (PyCode_Check(o)) {
        n = name_of(((PyCodeObject *)o)->co_qualname, tmp, sizeof tmp);
        return copy_cut(buf, cap, tmp, n);
    }
    if (PyWeakref_CheckRefExact(o) || PyWeakref_CheckProxy(o)) {
        PyObject *r = ((PyWeakReference *)o)->wr_object;
        if (!r || r == Py_None) return copy_cut(buf, cap, "dead", 4);
        size_t len;
        const char *nm = walker_type_name(w, Py_TYPE(r), &len, 1);
        if (!nm) {
            PyErr_Clear();
            return 0;
        }
        return fmt(buf, cap, "to %.*s", (int)len, nm);
    }
    if (t->tp_flags & Py_TPFLAGS_HEAPTYPE) {
        size_t len;
        const char *nm = walker_type_name(w, t, &len, 1);
        if (!nm) {
            PyErr_Clear();
            return 0;
        }
        return fmt(buf, cap, "%.*s instance", (int)len, nm);
    }
    return 0;
}

/* ---- references ------------------------------------------------------------------ */

static int arena_put(walker *w, const char *s, size_t n, size_t *off) {
    if (w->alen + n > w->acap) {
        size_t nc = w->acap;
        while (nc < w->alen + n) nc *= 2;
        char *na = PyMem_RawRealloc(w->arena, nc);
        if (!na) return -1;
        w->arena = na;
        w->acap = nc;
    }
    memcpy(w->arena + w->alen, s, n);
    *off = w->alen;
    w->alen += n;
    return 0;
}

static int push(walker *w, PyObject *target, const char *label, size_t len, int weak) {
    if (!target) return 0;
    if (w->nrefs == w->refs_cap) {
        size_t nc = w->refs_cap * 2;
        pyref *nr = PyMem_RawRealloc(w->refs, nc * sizeof *nr);
        if (!nr) return -1;
        w->refs = nr;
        w->refs_cap = nc;
    }
    pyref *r = &w->refs[w->nrefs];
    if (w->no_labels) {
        r->label = 0;
        len = 0;
    } else if (arena_put(w, label, len, &r->label) < 0) {
        return -1;
    }
    r->target = target;
    r->len = len;
    r->weak = weak;
    w->nrefs++;
    return 0;
}

#define PUSH_LIT(w, t, lit) push((w), (t), "" lit, sizeof(lit) - 1, 0)

static int push_index(walker *w, PyObject *t, Py_ssize_t i) {
    char b[32];
    size_t k = sizeof b;
    size_t v = (size_t)i;
    b[--k] = ']';
    do {
        b[--k] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    b[--k] = '[';
    return push(w, t, b + k, sizeof b - k, 0);
}

/* The label of a dict value: the key's text for a str, else its label. */
static int push_keyed(walker *w, PyObject *key, PyObject *value) {
    char b[RG_EDGE_LABEL_SCRATCH];
    size_t n;
    if (w->no_labels) return push(w, value, "", 0, 0);
    if (PyUnicode_CheckExact(key))
        n = walker_utf8(key, b, sizeof b - 1);
    else {
        n = walker_label(w, key, b, sizeof b);
        if (n > sizeof b - 1) n = sizeof b - 1;
    }
    return push(w, value, b, n, 0);
}

static int visit_collect(PyObject *o, void *arg) {
    walker *w = arg;
    return push(w, o, "", 0, 0);
}

static PyObject **dict_ptr(PyObject *o) {
    PyTypeObject *t = Py_TYPE(o);
    if (t->tp_flags & Py_TPFLAGS_MANAGED_DICT) return _PyObject_ManagedDictPointer(o);
    Py_ssize_t off = t->tp_dictoffset;
    if (off == 0) return NULL;
    if (off < 0) {
        Py_ssize_t n = Py_SIZE(o);
        size_t size = _PyObject_VAR_SIZE(t, n < 0 ? -n : n);
        off += (Py_ssize_t)size;
    }
    return (PyObject **)((char *)o + off);
}

/* Instance extras: __class__ for heap types, __dict__ or the inline
 * attribute values by name, object-valued members (slots). Used after the
 * items of a container subclass. */
static int push_instance(walker *w, PyObject *o, typeinfo *ti) {
    PyTypeObject *t = Py_TYPE(o);
    for (size_t i = 0; i < ti->nmembers; i++) {
        PyObject *v = *(PyObject **)((char *)o + ti->members[i].offset);
        if (v && push(w, v, ti->members[i].name, strlen(ti->members[i].name), 0) < 0) return -1;
    }
    if (t->tp_flags & Py_TPFLAGS_MANAGED_DICT) {
        PyDictValues *values = *_PyObject_ValuesPointer(o);
        if (values) {
            PyDictKeysObject *keys = ((PyHeapTypeObject *)t)->ht_cached_keys;
            for (Py_ssize_t i = 0; keys && i < keys->dk_nentries; i++) {
                PyObject *v = values->values[i];
                if (!v) continue;
                char b[RG_EDGE_LABEL_SCRATCH];
                size_t n = w->no_labels ? 0 : walker_utf8(DK_UNICODE_ENTRIES(keys)[i].me_key, b, sizeof b);
                if (push(w, v, b, n, 0) < 0) return -1;
            }
        }
    }
    PyObject **dp = dict_ptr(o);
    if (dp && *dp && PUSH_LIT(w, *dp, "__dict__") < 0) return -1;
    if ((t->tp_flags & Py_TPFLAGS_HEAPTYPE) && PUSH_LIT(w, (PyObject *)t, "__class__") < 0) return -1;
    return 0;
}

static void set_label(walker *w, size_t from, PyObject *target, const char *label) {
    for (size_t i = from; i < w->nrefs; i++) {
        pyref *r = &w->refs[i];
        if (r->target == target && r->len == 0) {
            size_t n = strlen(label), off;
            if (arena_put(w, label, n, &off) == 0) {
                r->label = off;
                r->len = n;
            }
            return;
        }
    }
}

static void set_label_obj(walker *w, size_t from, PyObject *target, PyObject *name) {
    if (!target || !name) return;
    char b[RG_EDGE_LABEL_SCRATCH];
    size_t n = walker_utf8(name, b, sizeof b - 1);
    b[n] = '\0';
    set_label(w, from, target, b);
}

/* Labels for what tp_traverse found, from the fields of the object. */
static void label_traversed(walker *w, PyObject *o, typeinfo *ti) {
    PyTypeObject *t = Py_TYPE(o);
    if (PyFunction_Check(o)) {
        PyFunctionObject *f = (PyFunctionObject *)o;
        set_label(w, 0, f->func_code, "__code__");
        set_label(w, 0, f->func_globals, "__globals__");
        set_label(w, 0, f->func_builtins, "__builtins__");
        set_label(w, 0, f->func_module, "__module__");
        set_label(w, 0, f->func_defaults, "__defaults__");
        set_label(w, 0, f->func_kwdefaults, "__kwdefaults__");
        set_label(w, 0, f->func_doc, "__doc__");
        set_label(w, 0, f->func_name, "__name__");
        set_label(w, 0, f->func_dict, "__dict__");
        set_label(w, 0, f->func_closure, "__closure__");
        set_label(w, 0, f->func_annotations, "__annotations__");
        set_label(w, 0, f->func_qualname, "__qualname__");
    } else if (PyCell_Check(o)) {
        set_label(w, 0, PyCell_GET(o), "cell_contents");
    } else if (PyMethod_Check(o)) {
        set_label(w, 0, PyMethod_GET_FUNCTION(o), "__func__");
        set_label(w, 0, PyMethod_GET_SELF(o), "__self__");
    } else if (PyCFunction_Check(o)) {
        set_label(w, 0, ((PyCFunctionObject *)o)->m_self, "__self__");
        set_label(w, 0, ((PyCFunctionObject *)o)->m_module, "__module__");
    } else if (PyTraceBack_Check(o)) {
        set_label(w, 0, (PyObject *)((PyTracebackObject *)o)->tb_next, "tb_next");
        set_label(w, 0, (PyObject *)((PyTracebackObject *)o)->tb_frame, "tb_frame");
    } else if (PyFrame_Check(o)) {
        PyFrameObject *f = (PyFrameObject *)o;
        set_label(w, 0, (PyObject *)f->f_back, "f_back");
        set_label(w, 0, f->f_trace, "f_trace");
        _PyInterpreterFrame *fr = f->f_frame;
        if (fr && fr->owner == FRAME_OWNED_BY_FRAME_OBJECT) {
            set_label(w, 0, (PyObject *)fr->f_code, "f_code");
            set_label(w, 0, fr->f_locals, "f_locals");
            set_label(w, 0, (PyObject *)fr->f_func, "f_func");
            PyObject *names = fr->f_code->co_localsplusnames;
            for (int i = 0; i < fr->f_code->co_nlocalsplus && i < fr->stacktop; i++)
                set_label_obj(w, 0, fr->localsplus[i], PyTuple_GET_ITEM(names, i));
        }
    } else if (PyExceptionInstance_Check(o)) {
        PyBaseExceptionObject *e = (PyBaseExceptionObject *)o;
        set_label(w, 0, e->args, "args");
        set_label(w, 0, e->traceback, "__traceback__");
        set_label(w, 0, e->context, "__context__");
        set_label(w, 0, e->cause, "__cause__");
        set_label(w, 0, e->notes, "__notes__");
    } else if (PyType_Check(o)) {
        PyTypeObject *tt = (PyTypeObject *)o;
        set_label(w, 0, tt->tp_dict, "__dict__");
        set_label(w, 0, tt->tp_mro, "__mro__");
        set_label(w, 0, tt->tp_bases, "__bases__");
        set_label(w, 0, (PyObject *)tt->tp_base, "__base__");
        set_label(w, 0, tt->tp_subclasses, "__subclasses__");
        if (tt->tp_flags & Py_TPFLAGS_HEAPTYPE) set_label(w, 0, ((PyHeapTypeObject *)tt)->ht_module, "__module__");
    }
    for (size_t i = 0; i < ti->nmembers; i++) {
        PyObject *v = *(PyObject **)((char *)o + ti->members[i].offset);
        if (v) set_label(w, 0, v, ti->members[i].name);
    }
    if (t->tp_flags & Py_TPFLAGS_MANAGED_DICT) {
        PyDictValues *values = *_PyObject_ValuesPointer(o);
        PyDictKeysObject *keys = ((PyHeapTypeObject *)t)->ht_cached_keys;
        for (Py_ssize_t i = 0; values && keys && i < keys->dk_nentries; i++)
            if (values->values[i]) set_label_obj(w, 0, values->values[i], DK_UNICODE_ENTRIES(keys)[i].me_key);
    }
    PyObject **dp = dict_ptr(o);
    if (dp && *dp) set_label(w, 0, *dp, "__dict__");
    if (t->tp_flags & Py_TPFLAGS_HEAPTYPE) set_label(w, 0, (PyObject *)t, "__class__");
}

int walker_refs(walker *w, PyObject *o, const pyref **refs, size_t *n) {
    PyTypeObject *t = Py_TYPE(o);
    w->nrefs = 0;
    w->alen = 0;
    typeinfo *ti = type_info(w, t);
    if (!ti) return -1;
    int rc = 0;
    if (PyTuple_Check(o)) {
        for (Py_ssize_t i = 0; !rc && i < PyTuple_GET_SIZE(o); i++) rc = push_index(w, PyTuple_GET_ITEM(o, i), i);
        if (!rc && !PyTuple_CheckExact(o)) rc = push_instance(w, o, ti);
    } else if (PyList_Check(o)) {
        for (Py_ssize_t i = 0; !rc && i < PyList_GET_SIZE(o); i++) rc = push_index(w, PyList_GET_ITEM(o, i), i);
        if (!rc && !PyList_CheckExact(o)) rc = push_instance(w, o, ti);
    } else if (PyDict_Check(o)) {
        Py_ssize_t pos = 0;
        PyObject *k, *v;
        int skip = o == w->skip_values_of;
        while (!rc && PyDict_Next(o, &pos, &k, &v)) {
            rc = PUSH_LIT(w, k, "(key)");
            if (!rc && !skip) rc = push_keyed(w, k, v);
        }
        if (!rc && !PyDict_CheckExact(o)) rc = push_instance(w, o, ti);
    } else if (PyAnySet_Check(o)) {
        Py_ssize_t pos = 0;
        PyObject *k;
        Py_hash_t h;
        while (!rc && _PySet_NextEntry(o, &pos, &k, &h)) rc = push(w, k, "", 0, 0);
        if (!rc && !PyAnySet_CheckExact(o)) rc = push_instance(w, o, ti);
    } else if (PyType_Check(o) && !(((PyTypeObject *)o)->tp_flags & Py_TPFLAGS_HEAPTYPE)) {
        /* a static type: not a collector object, its fields are its references */
        PyTypeObject *tt = (PyTypeObject *)o;
        rc = PUSH_LIT(w, tt->tp_dict, "__dict__");
        if (!rc) rc = PUSH_LIT(w, tt->tp_bases, "__bases__");
        if (!rc) rc = PUSH_LIT(w, tt->tp_mro, "__mro__");
        if (!rc) rc = PUSH_LIT(w, (PyObject *)tt->tp_base, "__base__");
        if (!rc && tt->tp_subclasses && PyDict_Check(tt->tp_subclasses))
            rc = PUSH_LIT(w, tt->tp_subclasses, "__subclasses__");
    } else if (_PyObject_IS_GC(o) && t->tp_traverse) {
        if (t->tp_traverse(o, visit_collect, w) != 0) rc = -1;
        if (!rc && !w->no_labels) label_traversed(w, o, ti);
        if (!rc && PyType_Check(o)) { /* heap type: strs the collector does not see */
            PyHeapTypeObject *ht = (PyHeapTypeObject *)o;
            rc = PUSH_LIT(w, ht->ht_name, "__name__");
            if (!rc) rc = PUSH_LIT(w, ht->ht_qualname, "__qualname__");
            if (!rc) rc = PUSH_LIT(w, ht->ht_slots, "__slots__");
        }
    } else if (PyWeakref_CheckRefExact(o) || PyWeakref_CheckProxy(o)) {
        /* handled below */
    } else {
        /* not a collector object (code objects, ranges, ...): its
         * object-valued members are what it holds */
        for (size_t i = 0; !rc && i < ti->nmembers; i++) {
            PyObject *v = *(PyObject **)((char *)o + ti->members[i].offset);
            if (v) rc = push(w, v, ti->members[i].name, strlen(ti->members[i].name), 0);
        }
    }
    if (!rc && (PyWeakref_Check(o))) {
        PyWeakReference *wr = (PyWeakReference *)o;
        if (wr->wr_object && wr->wr_object != Py_None) rc = push(w, wr->wr_object, "", 0, 1);
        if (!rc && !_PyObject_IS_GC(o)) rc = PUSH_LIT(w, wr->wr_callback, "__callback__");
        if (!rc) set_label(w, 0, wr->wr_callback, "__callback__");
    }
    if (rc) {
        if (!PyErr_Occurred()) PyErr_NoMemory();
        return -1;
    }
    *refs = w->refs;
    *n = w->nrefs;
    return 0;
}

/* ---- frames ---------------------------------------------------------------------- */

static int frame_locals(_PyInterpreterFrame *fr, const frame_visitor *v) {
    PyCodeObject *code = fr->f_code;
    char b[256];
    int rc = 0;
    if (fr->owner == FRAME_OWNED_BY_GENERATOR) return 0; /* the generator holds them */
    /* an executing frame's stacktop is stale; its locals are always set
     * (NULL when unbound) */
    for (int i = 0; !rc && i < code->co_nlocalsplus; i++) {
        PyObject *val = fr->localsplus[i];
        if (!val) continue;
        size_t n = walker_utf8(PyTuple_GET_ITEM(code->co_localsplusnames, i), b, sizeof b);
        rc = v->local(v->ud, b, n, val);
    }
    if (!rc && fr->f_func) rc = v->local(v->ud, "(function)", 10, (PyObject *)fr->f_func);
    if (!rc) rc = v->local(v->ud, "(code)", 6, (PyObject *)fr->f_code);
    if (!rc && fr->f_locals) rc = v->local(v->ud, "(locals)", 8, fr->f_locals);
    if (!rc && fr->frame_obj) rc = v->local(v->ud, "(frame)", 7, (PyObject *)fr->frame_obj);
    return rc;
}

int walker_frames(const frame_visitor *v) {
    PyInterpreterState *interp = PyInterpreterState_Get();
    int thread = 0;
    size_t cap = 64;
    _PyInterpreterFrame **stack = PyMem_RawMalloc(cap * sizeof *stack);
    if (!stack) {
        PyErr_NoMemory();
        return -1;
    }
    int rc = 0;
    for (PyThreadState *ts = PyInterpreterState_ThreadHead(interp); ts && !rc; ts = PyThreadState_Next(ts), thread++) {
        size_t n = 0;
        /* the frame chain is finite and acyclic: each frame is older than the last */
        for (_PyInterpreterFrame *fr = ts->cframe ? ts->cframe->current_frame : NULL; fr; fr = fr->previous) {
            if (_PyFrame_IsIncomplete(fr)) continue;
            if (n == cap) {
                _PyInterpreterFrame **ns = PyMem_RawRealloc(stack, cap * 2 * sizeof *ns);
                if (!ns) {
                    PyMem_RawFree(stack);
                    PyErr_NoMemory();
                    return -1;
                }
                stack = ns;
                cap *= 2;
            }
            stack[n++] = fr;
        }
        while (n-- > 0 && !rc) {
            _PyInterpreterFrame *fr = stack[n];
            char b[256];
            size_t len = name_of(fr->f_code->co_qualname, b, sizeof b);
            rc = v->frame(v->ud, b, len, thread, fr->owner == FRAME_OWNED_BY_GENERATOR);
            if (!rc) rc = frame_locals(fr, v);
        }
    }
    PyMem_RawFree(stack);
    return rc;
}
