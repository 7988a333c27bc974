/* objtable.h — a set of live objects by address, in insertion order, with a
 * dense index per object: the dumper's worklist and id map. Holds no
 * references: valid while no Python code runs. */
#ifndef RG_PY_OBJTABLE_H
#define RG_PY_OBJTABLE_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>

#define OT_NONE UINT32_MAX

/* A slot holds the key itself, so a probe touches one cache line. */
struct ot_slot {
    PyObject *key; /* NULL: empty */
    uint32_t index;
};

typedef struct objtable {
    PyObject **obj;  /* [n] */
    int8_t *gen;     /* [n] 0..2, 3 frozen, -1 untracked */
    uint8_t *flag;   /* [n] OT_F_* */
    uint32_t n, cap;
    struct ot_slot *slot; /* [mask+1] */
    size_t mask;
} objtable;

#define OT_F_GARBAGE 0x1u

int ot_init(objtable *t, size_t hint);           /* -1 with MemoryError set */
void ot_free(objtable *t);
uint32_t ot_find(const objtable *t, PyObject *o); /* index or OT_NONE */
/* Asks the cache for o's first slot: call some time before ot_add(o). */
void ot_prefetch(const objtable *t, PyObject *o);
/* Index of o, adding it (with gen) when new; *added says which. OT_NONE
 * with MemoryError set on failure. */
uint32_t ot_add(objtable *t, PyObject *o, int gen, int *added);

#endif
