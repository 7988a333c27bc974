/* objtable.c — open addressing on object addresses, linear probing. */
#include "objtable.h"

#include <string.h>

static size_t hash_ptr(const void *p) {
    uint64_t x = (uint64_t)(uintptr_t)p >> 4;
    x *= 0x9e3779b97f4a7c15ULL;
    return (size_t)(x ^ (x >> 29));
}

int ot_init(objtable *t, size_t hint) {
    memset(t, 0, sizeof *t);
    size_t cap = 1024;
    while (cap < hint && cap < ((size_t)1 << 31)) cap *= 2;
    t->cap = (uint32_t)cap;
    t->obj = PyMem_RawMalloc(cap * sizeof *t->obj);
    t->gen = PyMem_RawMalloc(cap);
    t->flag = PyMem_RawCalloc(cap, 1);
    t->mask = cap * 2 - 1;
    t->slot = PyMem_RawCalloc(cap * 2, sizeof *t->slot);
    if (!t->obj || !t->gen || !t->flag || !t->slot) {
        ot_free(t);
        PyErr_NoMemory();
        return -1;
    }
    return 0;
}

void ot_free(objtable *t) {
    PyMem_RawFree(t->obj);
    PyMem_RawFree(t->gen);
    PyMem_RawFree(t->flag);
    PyMem_RawFree(t->slot);
    memset(t, 0, sizeof *t);
}

uint32_t ot_find(const objtable *t, PyObject *o) {
    size_t i = hash_ptr(o) & t->mask;
    for (;;) { /* the table is at most half full: an empty slot ends the probe */
        const struct ot_slot *s = &t->slot[i];
        if (!s->key) return OT_NONE;
        if (s->key == o) return s->index;
        i = (i + 1) & t->mask;
    }
}

void ot_prefetch(const objtable *t, PyObject *o) { __builtin_prefetch(&t->slot[hash_ptr(o) & t->mask]); }

static int grow(objtable *t) {
    if (t->cap >= (UINT32_MAX >> 2)) {
        PyErr_SetString(PyExc_MemoryError, "too many objects for one dump");
        return -1;
    }
    size_t cap = (size_t)t->cap * 2, mask = cap * 2 - 1;
    PyObject **obj = PyMem_RawRealloc(t->obj, cap * sizeof *obj);
    if (obj) t->obj = obj;
    int8_t *gen = obj ? PyMem_RawRealloc(t->gen, cap) : NULL;
    if (gen) t->gen = gen;
    uint8_t *flag = gen ? PyMem_RawRealloc(t->flag, cap) : NULL;
    if (flag) {
        t->flag = flag;
        memset(flag + t->cap, 0, cap - t->cap);
    }
    struct ot_slot *slot = flag ? PyMem_RawCalloc(mask + 1, sizeof *slot) : NULL;
    if (!slot) {
        PyErr_NoMemory();
        return -1;
    }
    for (uint32_t k = 0; k < t->n; k++) {
        size_t i = hash_ptr(t->obj[k]) & mask;
        while (slot[i].key) i = (i + 1) & mask;
        slot[i].key = t->obj[k];
        slot[i].index = k;
    }
    PyMem_RawFree(t->slot);
    t->slot = slot;
    t->mask = mask;
    t->cap = (uint32_t)cap;
    return 0;
}

uint32_t ot_add(objtable *t, PyObject *o, int gen, int *added) {
    size_t i = hash_ptr(o) & t->mask;
    *added = 0;
    for (;;) {
        struct ot_slot *s = &t->slot[i];
        if (!s->key) break;
        if (s->key == o) return s->index;
        i = (i + 1) & t->mask;
    }
    if (t->n == t->cap) {
        if (grow(t) < 0) return OT_NONE;
        i = hash_ptr(o) & t->mask;
        while (t->slot[i].key) i = (i + 1) & t->mask;
    }
    uint32_t k = t->n++;
    t->obj[k] = o;
    t->gen[k] = (int8_t)gen;
    t->flag[k] = 0;
    t->slot[i].key = o;
    t->slot[i].index = k;
    *added = 1;
    return k;
}
