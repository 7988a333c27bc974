/* instance.h — the layout of classes and instances, private to core/src:
 * instance.c's, and gc.c's, which inlines an instance's traverse as it
 * does a list's (rg__instance_traverse is the one traverse of instances). */
#ifndef RG_INSTANCE_H
#define RG_INSTANCE_H

#include "internal.h"

typedef struct attr {
    const char *name; /* interned: compared by pointer */
    rg_object *value;
} attr;

/* Up to ATTRS_INLINE attributes live in the table itself, as small lists'
 * items do: most classes have few. */
#define ATTRS_INLINE 2

/* A (name, value) table: a class's attributes, and an instance's when it
 * cannot share its class's keys. 40 bytes. */
typedef struct attrs {
    uint32_t len, cap; /* cap > ATTRS_INLINE: the items are in buf */
    union {
        attr *buf; /* from the heap's allocator */
        attr inl[ATTRS_INLINE];
    } u;
} attrs;

static inline void attrs_init(attrs *a) {
    a->len = 0;
    a->cap = ATTRS_INLINE;
}

static inline int attrs_inline(const attrs *a) { return a->cap <= ATTRS_INLINE; }
static inline attr *attrs_items(attrs *a) { return attrs_inline(a) ? a->u.inl : a->u.buf; }

/* The most names a class shares with its instances, CPython's
 * SHARED_KEYS_MAX_SIZE: an instance setting a further name falls back to a
 * table of its own. It also bounds an instance's values array. */
#define KEYS_MAX 30

/* Values an instance holds in itself, in the space of the buffer pointer
 * and 8 bytes more: the instance is then 48 bytes, 64 with the collector's
 * block, one size class exactly. */
#define VALS_INLINE 2

typedef struct rg_class {
    rg_object ob;
    char *name;
    attrs attrs; /* the class's own attributes */
    void (*fin)(rg_object *self);
    const char **keys; /* shared keys: interned names, the order first set; NULL while none */
    uint32_t nkeys;    /* at most KEYS_MAX; never shrinks */
    int legacy;
} rg_class;

/* In an instance's cap: its attributes are pairs of its own, in u.own. */
#define OWN 0x80000000u

/* 48 bytes, 64 with the collector's block: one size class. */
typedef struct rg_instance {
    rg_object ob;
    rg_object *cls;
    /* Split (no OWN bit in cap): value i is the attribute named by the
     * class's key i (NULL: none), for i < len; len is one past the last
     * value present, so the values present, in key order, are in the order
     * they were set. Fallen back (OWN): len (name, value) pairs in u.own,
     * in the order they were set, room for cap & ~OWN (at least 4). */
    uint32_t len, cap;
    union {
        rg_object **buf;              /* split, cap > VALS_INLINE: from the heap's allocator */
        rg_object *inl[VALS_INLINE]; /* split, cap == VALS_INLINE */
        attr *own;                    /* OWN: from the heap's allocator */
    } u;
} rg_instance;

#define CLS(o) ((rg_class *)(o))
#define INST(o) ((rg_instance *)(o))

static inline int pairs_traverse(attr *items, uint32_t len, rg_visit_fn visit, void *arg) {
    for (uint32_t i = 0; i < len; i++) {
        rg_label l = {RG_LABEL_NAME, {.name = items[i].name}};
        int rc = visit(items[i].value, l, arg);
        if (rc) return rc;
    }
    return 0;
}

static inline rg_object **inst_vals(rg_instance *in) { return in->cap <= VALS_INLINE ? in->u.inl : in->u.buf; }

static inline int rg__instance_traverse(rg_object *self, rg_visit_fn visit, void *arg) {
    rg_instance *in = INST(self);
    if (in->cls) {
        rg_label l = {RG_LABEL_NAME, {.name = "__class__"}};
        int rc = visit(in->cls, l, arg);
        if (rc) return rc;
    }
    if (in->cap & OWN) return pairs_traverse(in->u.own, in->len, visit, arg);
    if (!in->len) return 0;
    rg_object **vals = inst_vals(in);
    const char **keys = CLS(in->cls)->keys; /* len > 0 only with a class */
    for (uint32_t i = 0; i < in->len; i++) {
        if (!vals[i]) continue;
        rg_label l = {RG_LABEL_NAME, {.name = keys[i]}};
        int rc = visit(vals[i], l, arg);
        if (rc) return rc;
    }
    return 0;
}

#endif
