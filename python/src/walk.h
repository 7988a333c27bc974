/* walk.h — what a live CPython object references, with labels, and what
 * refgraph writes about it (type name, label, size, static or not).
 *
 * Nothing here runs Python code: references come from tp_traverse and from
 * the objects' own fields, labels from those fields, sizes from builtin
 * __sizeof__ methods only. So a walk cannot free or create the objects it
 * looks at, and pointers stay valid for as long as the caller runs no Python
 * code (the dumper also keeps the collector disabled).
 */
#ifndef RG_PY_WALK_H
#define RG_PY_WALK_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stddef.h>
#include <stdint.h>

/* Room for an edge label: more than the dump keeps (120 bytes), so that the
 * writer sees a long label and cuts it with "...". */
#define RG_EDGE_LABEL_SCRATCH 160

typedef struct pyref {
    PyObject *target;      /* borrowed */
    size_t label, len;     /* the label: offset into the walker's arena, bytes */
    int weak;
} pyref;

typedef struct walker walker;

/* New walker; NULL with MemoryError set. skip_values_of: a dict (sys.modules)
 * whose value references are left out (the dump shows them as roots). */
walker *walker_new(PyObject *skip_values_of);
void walker_free(walker *w);

/* The references of o, in order, into *refs (valid until the next call);
 * label bytes are at walker_arena(w) + ref.label. -1 with MemoryError set. */
int walker_refs(walker *w, PyObject *o, const pyref **refs, size_t *n);
const char *walker_arena(const walker *w);
/* Off: walker_refs gives empty labels, faster (a first pass that only
 * needs the targets). On by default. */
void walker_set_labels(walker *w, int on);

/* objgraph's second line for o, into buf (at most cap-1 bytes, NUL added);
 * returns its full length in bytes. */
size_t walker_label(walker *w, PyObject *o, char *buf, size_t cap);

/* The type's name: module.qualname for classes (builtins' without module),
 * tp_name for static types; shortname: only the last dotted part. NULL with
 * MemoryError set. */
const char *walker_type_name(walker *w, PyTypeObject *t, size_t *len, int shortname);

/* sys.getsizeof(o), without running Python code (a class whose __sizeof__
 * is written in Python gets object.__sizeof__'s answer). */
uint64_t walker_size(walker *w, PyObject *o);

/* Statically allocated (static types, immortal-count objects, None, bools,
 * Ellipsis, NotImplemented): their refcounts count nothing in the heap. */
int walker_is_static(PyObject *o);

/* The collector generation of a tracked object is not known here; this is
 * whether the collector tracks o at all. */
int walker_is_tracked(PyObject *o);
/* Bytes CPython allocates before o (the collector's header, the managed
 * dict pointers): o's block starts that far before it. */
size_t walker_preheader(PyObject *o);
int walker_is_finalized(PyObject *o);

/* Roots: every executing frame of every thread, outermost first per thread
 * (threads in the interpreter's order). For each frame frame(name, thread
 * index, whether a generator owns it), then local(name, value) for each
 * reference the frame holds (see docs/python.md for the pseudo names). A
 * callback returning -1 stops the walk, which returns -1. */
typedef struct frame_visitor {
    int (*frame)(void *ud, const char *name, size_t len, int thread, int generator);
    int (*local)(void *ud, const char *name, size_t len, PyObject *value);
    void *ud;
} frame_visitor;
int walker_frames(const frame_visitor *v);

/* A str's UTF-8 text, at most max bytes, cut at a character boundary, into
 * buf (cap > max); returns the bytes written. No cache is filled. */
size_t walker_utf8(PyObject *s, char *buf, size_t max);

#endif
