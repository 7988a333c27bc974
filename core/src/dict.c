/* dict.c — an insertion-ordered hash map, laid out like CPython's compact
 * dict: a dense array of entries in insertion order and a sparse index of
 * positions into it. A dict starts untracked and is tracked as soon as it
 * holds something that may be tracked. */
#include "internal.h"

/* The table: one block holding, as CPython's keys object, a small header,
 * the sparse index (index_cap slots of 1, 2 or 4 bytes, the narrowest that
 * can number ents_cap entries and the two markers) and the dense entries.
 * A dict without one (empty, never written) is just its object: 48 bytes
 * with the collector's block (CPython's empty dict: 64). */
typedef struct entry {
    uint64_t hash;
    rg_object *key; /* NULL: deleted */
    rg_object *value;
} entry;

typedef struct table {
    uint32_t ents_cap;  /* entries allocated: two thirds of index_cap */
    uint32_t index_cap; /* a power of two, at least 8 */
    uint32_t nents;     /* entries used, deleted ones included */
    uint32_t width;     /* bytes per index slot: 1, 2 or 4 */
    /* index_cap slots, then the entries (8-byte aligned: index_cap >= 8) */
} table;

typedef struct rg_dict {
    rg_object ob;
    table *t; /* NULL until the first store */
    size_t len;
} rg_dict;

#define DICT(o) ((rg_dict *)(o))
#define MAX_INDEX ((size_t)1 << 31) /* slots; entries are numbered in 32 bits */

/* The index's markers at each width: all ones (empty) and all ones but the
 * last bit (a deleted entry's slot). Entry numbers stay below both. */
static uint32_t empty_of(const table *t) { return t->width == 4 ? UINT32_MAX : (1u << (8 * t->width)) - 1; }
static uint32_t dummy_of(const table *t) { return empty_of(t) - 1; }

/* Entries a table with index_cap slots holds: two thirds, as CPython's. */
static size_t usable(size_t index_cap) { return index_cap * 2 / 3; }
static size_t width_for(size_t ents_cap) {
    return ents_cap < 0xfe ? 1 : ents_cap < 0xfffe ? 2 : 4;
}
static size_t table_bytes(size_t index_cap, size_t width) {
    return sizeof(table) + index_cap * width + usable(index_cap) * sizeof(entry);
}
static uint8_t *index_of(const table *t) { return (uint8_t *)(void *)(t + 1); }
static entry *ents_of(const table *t) {
    return (entry *)(void *)(index_of(t) + (size_t)t->index_cap * t->width);
}
static uint32_t ix_get(const table *t, size_t i) {
    const uint8_t *x = index_of(t);
    if (t->width == 1) return x[i];
    if (t->width == 2) return ((const uint16_t *)(const void *)x)[i];
    return ((const uint32_t *)(const void *)x)[i];
}
static void ix_set(table *t, size_t i, uint32_t v) {
    uint8_t *x = index_of(t);
    if (t->width == 1)
        x[i] = (uint8_t)v;
    else if (t->width == 2)
        ((uint16_t *)(void *)x)[i] = (uint16_t)v;
    else
        ((uint32_t *)(void *)x)[i] = v;
}
static size_t t_bytes(const table *t) { return t ? table_bytes(t->index_cap, t->width) : 0; }

static int dict_traverse(rg_object *self, rg_visit_fn visit, void *arg) {
    const table *t = DICT(self)->t;
    if (!t) return 0;
    const entry *ents = ents_of(t);
    for (size_t i = 0; i < t->nents; i++) {
        const entry *e = &ents[i];
        if (!e->key) continue;
        rg_label kl = {RG_LABEL_KEYREF, {.index = 0}};
        int rc = visit(e->key, kl, arg);
        if (rc) return rc;
        rg_label vl = {RG_LABEL_KEY, {.key = e->key}};
        if ((rc = visit(e->value, vl, arg))) return rc;
    }
    return 0;
}

/* Detaches the table first: decrefs may run code that looks at the dict. */
static void dict_clear(rg_object *self) {
    rg_dict *d = DICT(self);
    /* A dict being freed (refcount zero) keeps nothing: what a finalizer
     * run by a decref sets meanwhile is released by the next round, as a
     * dying list's items are (each finalizer runs once, so the rounds end).
     * A live dict keeps it, as CPython's dict.clear does. */
    do {
        table *t = d->t;
        d->t = NULL;
        d->len = 0;
        if (!t) return;
        entry *ents = ents_of(t);
        for (size_t i = 0; i < t->nents; i++) {
            if (!ents[i].key) continue;
            rg_decref(ents[i].key);
            rg_decref(ents[i].value);
        }
        rg__free(RG__HEAP(self), t, t_bytes(t));
    } while (self->flags & RG__F_DYING);
}

static int dict_repr(const rg_object *self, char *buf, size_t size) {
    size_t n = DICT(self)->len;
    return snprintf(buf, size, "%zu item%s", n, n == 1 ? "" : "s");
}

static size_t dict_extra(const rg_object *self) { return t_bytes(DICT(self)->t); }

const rg_type rg_dict_type = {
    .name = "dict",
    .basic_size = sizeof(rg_dict),
    .traverse = dict_traverse,
    .clear = dict_clear,
    .repr = dict_repr,
    .extra_size = dict_extra,
};

rg_object *rg_dict_new(rg_heap *h) {
    return rg__object_alloc(h, &rg_dict_type, sizeof(rg_dict), 0);
}

size_t rg_dict_size(const rg_object *d) { return RG__IS(d, rg_dict_type) ? DICT(d)->len : 0; }

int rg__dict_untrackable(const rg_object *self) {
    const table *t = ((const rg_dict *)(const void *)self)->t;
    const entry *ents = t ? ents_of(t) : NULL;
    for (size_t i = 0; t && i < t->nents; i++) {
        const entry *e = &ents[i];
        if (e->key && (rg__may_be_tracked(e->key) || rg__may_be_tracked(e->value))) return 0;
    }
    return 1;
}

int rg__dict_maybe_untrack(rg_object *self) {
    if (!rg__dict_untrackable(self)) return 0;
    rg__untrack(self);
    return 1;
}

/* Returns the index slot holding key, or the slot where it would go (*found
 * says which). At most two thirds of the slots hold entries, so an EMPTY
 * slot always ends the probing. */
static size_t probe(const table *t, const rg_object *key, uint64_t hash, int *found) {
    size_t mask = t->index_cap - 1, i = (size_t)hash & mask, insert_at = SIZE_MAX;
    uint32_t empty = empty_of(t), dummy = dummy_of(t);
    const entry *ents = ents_of(t);
    for (;; i = (i + 1) & mask) {
        uint32_t ix = ix_get(t, i);
        if (ix == empty) {
            *found = 0;
            return insert_at != SIZE_MAX ? insert_at : i;
        }
        if (ix == dummy) {
            if (insert_at == SIZE_MAX) insert_at = i;
            continue;
        }
        const entry *e = &ents[ix];
        if (e->hash == hash && rg_equal(e->key, key)) {
            *found = 1;
            return i;
        }
    }
}

/* Compacts the entries into a new table with room for at least need, as
 * CPython sizes it: an index of the smallest power of two (8 at least)
 * whose two thirds hold 3 * need / 2, so a growing dict resizes rarely. */
static int resize(rg_dict *d, size_t need) {
    rg_heap *h = RG__HEAP(&d->ob);
    size_t want = need + need / 2, index_cap = 8;
    while (index_cap < MAX_INDEX && usable(index_cap) < want) index_cap *= 2;
    size_t ents_cap = usable(index_cap);
    if (ents_cap < need) return rg__fail(h, RG_ERANGE);
    size_t width = width_for(ents_cap);
    table *t = rg__malloc(h, table_bytes(index_cap, width));
    if (!t) return rg__fail(h, RG_ENOMEM);
    t->ents_cap = (uint32_t)ents_cap;
    t->index_cap = (uint32_t)index_cap;
    t->width = (uint32_t)width;
    memset(index_of(t), 0xff, index_cap * width); /* every slot EMPTY */
    entry *ents = ents_of(t);
    size_t n = 0;
    table *old = d->t;
    for (size_t i = 0; old && i < old->nents; i++) {
        const entry *e = &ents_of(old)[i];
        if (!e->key) continue;
        ents[n] = *e;
        size_t j = (size_t)e->hash & (index_cap - 1);
        while (ix_get(t, j) != empty_of(t)) j = (j + 1) & (index_cap - 1);
        ix_set(t, j, (uint32_t)n++);
    }
    t->nents = (uint32_t)n;
    rg__free(h, old, t_bytes(old));
    d->t = t;
    return 0;
}

/* Stores value, whose reference the dict takes over (consumed on failure). */
static int set_owned(rg_object *self, rg_object *key, rg_object *value) {
    uint64_t hash;
    int rc = 0;
    if (!self || !key || !value)
        rc = self ? rg__fail(RG__HEAP(self), RG_EINVAL) : RG_EINVAL;
    else if (!RG__IS(self, rg_dict_type))
        rc = rg__fail(RG__HEAP(self), RG_ETYPE);
    else if ((rc = rg__hash(key, &hash)) < 0)
        rg__fail(RG__HEAP(self), rc);
    if (rc) {
        rg_decref(value);
        return rc;
    }
    rg_dict *d = DICT(self);
    int found = 0;
    size_t slot = 0;
    if (d->t) slot = probe(d->t, key, hash, &found);
    if (found) {
        entry *e = &ents_of(d->t)[ix_get(d->t, slot)];
        rg_object *old = e->value;
        e->value = value;
        if (rg__may_be_tracked(value))
            rg__track(self);
        else if (rg__may_be_tracked(old))
            rg__record(self); /* may hold only atoms now: let a full collection look */
        rg_decref(old);
        return 0;
    }
    if (!d->t || d->t->nents == d->t->ents_cap) {
        if ((rc = resize(d, d->len + 1)) < 0) {
            rg_decref(value);
            return rc;
        }
        slot = probe(d->t, key, hash, &found);
    }
    rg__stored(key);
    table *t = d->t;
    ents_of(t)[t->nents] = (entry){hash, key, value};
    ix_set(t, slot, t->nents++);
    d->len++;
    if (!(self->flags & RG__F_TRACKED) && (rg__may_be_tracked(key) || rg__may_be_tracked(value)))
        rg__track(self);
    return 0;
}

/* A dict stored into itself is tracked by that very store: tracked first,
 * so the stolen reference is recorded as a possible root (d = {};
 * d["k"] = d; del d leaves a cycle that no decrement announced). */
static void stolen_value(rg_object *d, rg_object *value) {
    if (value && value == d && RG__IS(d, rg_dict_type)) rg__track(d);
    rg__stolen(value);
}

int rg_dict_set_new(rg_object *d, rg_object *key, rg_object *value) {
    stolen_value(d, value);
    return set_owned(d, key, value);
}

int rg_dict_set(rg_object *d, rg_object *key, rg_object *value) {
    rg__stored(value);
    return set_owned(d, key, value);
}

static int setstr_owned(rg_object *d, const char *key, rg_object *value) {
    if (!d || !key) {
        rg_decref(value);
        return d ? rg__fail(RG__HEAP(d), RG_EINVAL) : RG_EINVAL;
    }
    rg_object *k = rg_str_new(RG__HEAP(d), key);
    if (!k) {
        rg_decref(value);
        return rg_heap_errno(RG__HEAP(d)); /* RG_ENOMEM, or RG_ERANGE */
    }
    int rc = set_owned(d, k, value);
    rg_decref(k);
    return rc;
}

int rg_dict_setstr_new(rg_object *d, const char *key, rg_object *value) {
    stolen_value(d, value);
    return setstr_owned(d, key, value);
}

int rg_dict_setstr(rg_object *d, const char *key, rg_object *value) {
    rg__stored(value);
    return setstr_owned(d, key, value);
}

static entry *lookup(const rg_object *self, const rg_object *key, size_t *slot_out) {
    uint64_t hash;
    if (!RG__IS(self, rg_dict_type) || !key) return NULL;
    const table *t = DICT(self)->t;
    if (!t || rg__hash((rg_object *)key, &hash) < 0) return NULL;
    int found;
    size_t slot = probe(t, key, hash, &found);
    if (!found) return NULL;
    if (slot_out) *slot_out = slot;
    return &ents_of(t)[ix_get(t, slot)];
}

rg_object *rg_dict_get(const rg_object *d, const rg_object *key) {
    entry *e = lookup(d, key, NULL);
    return e ? e->value : NULL;
}

rg_object *rg_dict_getstr(const rg_object *self, const char *key) {
    if (!RG__IS(self, rg_dict_type) || !key || !DICT(self)->t) return NULL;
    const table *t = DICT(self)->t;
    size_t len = strlen(key);
    uint64_t hash = rg__str_hash(key, len);
    uint32_t empty = empty_of(t), dummy = dummy_of(t);
    for (size_t mask = t->index_cap - 1, i = (size_t)hash & mask;; i = (i + 1) & mask) {
        uint32_t ix = ix_get(t, i);
        if (ix == empty) return NULL;
        if (ix == dummy) continue;
        const entry *e = &ents_of(t)[ix];
        if (e->hash == hash && RG__IS(e->key, rg_str_type) && rg_str_len(e->key) == len &&
            memcmp(rg_str_data(e->key), key, len) == 0)
            return e->value;
    }
}

int rg_dict_del(rg_object *self, const rg_object *key) {
    size_t slot;
    if (!self) return RG_EINVAL;
    if (!RG__IS(self, rg_dict_type)) return rg__fail(RG__HEAP(self), RG_ETYPE);
    entry *e = lookup(self, key, &slot);
    if (!e) return rg__fail(RG__HEAP(self), RG_EKEY);
    rg_dict *d = DICT(self);
    rg_object *k = e->key, *v = e->value;
    ix_set(d->t, slot, dummy_of(d->t));
    e->key = e->value = NULL;
    d->len--;
    if (rg__may_be_tracked(k) || rg__may_be_tracked(v))
        rg__record(self); /* may hold only atoms now: let a full collection look */
    rg_decref(k);
    rg_decref(v);
    return 0;
}

int rg_dict_next(const rg_object *self, size_t *pos, rg_object **key, rg_object **value) {
    if (!RG__IS(self, rg_dict_type) || !pos) return 0;
    const table *t = DICT(self)->t;
    while (t && *pos < t->nents) {
        const entry *e = &ents_of(t)[(*pos)++];
        if (!e->key) continue;
        if (key) *key = e->key;
        if (value) *value = e->value;
        return 1;
    }
    return 0;
}
