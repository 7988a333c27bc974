/* dict.c — an insertion-ordered hash map, laid out like CPython's compact
 * dict: a dense array of entries in insertion order and a sparse index of
 * positions into it. A dict starts untracked and is tracked as soon as it
 * holds something that may be tracked. */
#include "internal.h"

#define EMPTY UINT32_MAX
#define DUMMY (UINT32_MAX - 1)
#define MAX_ENTRIES (UINT32_MAX - 2)

typedef struct entry {
    uint64_t hash;
    rg_object *key; /* NULL: deleted */
    rg_object *value;
} entry;

typedef struct rg_dict {
    rg_object ob;
    entry *ents;
    size_t nents, ents_cap; /* used (deleted included) and allocated entries */
    uint32_t *index;
    size_t index_cap; /* power of two, or 0 */
    size_t len;
} rg_dict;

#define DICT(o) ((rg_dict *)(o))

static int dict_traverse(rg_object *self, rg_visit_fn visit, void *arg) {
    rg_dict *d = DICT(self);
    for (size_t i = 0; i < d->nents; i++) {
        entry *e = &d->ents[i];
        if (!e->key) continue;
        rg_label kl = {RG_LABEL_KEYREF, {.index = 0}};
        int rc = visit(e->key, kl, arg);
        if (rc) return rc;
        rg_label vl = {RG_LABEL_KEY, {.key = e->key}};
        if ((rc = visit(e->value, vl, arg))) return rc;
    }
    return 0;
}

static void free_tables(rg_heap *h, entry *ents, size_t ents_cap, uint32_t *index, size_t index_cap) {
    rg__free(h, ents, ents_cap * sizeof *ents);
    rg__free(h, index, index_cap * sizeof *index);
}

/* Detaches the tables first: decrefs may run code that looks at the dict. */
static void dict_clear(rg_object *self) {
    rg_dict *d = DICT(self);
    entry *ents = d->ents;
    size_t n = d->nents, ents_cap = d->ents_cap, index_cap = d->index_cap;
    uint32_t *index = d->index;
    d->ents = NULL;
    d->index = NULL;
    d->nents = d->ents_cap = d->index_cap = d->len = 0;
    for (size_t i = 0; i < n; i++) {
        if (!ents[i].key) continue;
        rg_decref(ents[i].key);
        rg_decref(ents[i].value);
    }
    free_tables(RG__HEAP(self), ents, ents_cap, index, index_cap);
}

static int dict_repr(const rg_object *self, char *buf, size_t size) {
    size_t n = DICT(self)->len;
    return snprintf(buf, size, "%zu item%s", n, n == 1 ? "" : "s");
}

static size_t dict_extra(const rg_object *self) {
    return DICT(self)->ents_cap * sizeof(entry) + DICT(self)->index_cap * sizeof(uint32_t);
}

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

int rg__dict_maybe_untrack(rg_object *self) {
    rg_dict *d = DICT(self);
    for (size_t i = 0; i < d->nents; i++) {
        entry *e = &d->ents[i];
        if (e->key && (rg__may_be_tracked(e->key) || rg__may_be_tracked(e->value))) return 0;
    }
    rg__untrack(self);
    return 1;
}

/* Returns the index slot holding key, or the slot where it would go (*found
 * says which). The index always has an EMPTY slot, so probing ends. */
static size_t probe(const rg_dict *d, const rg_object *key, uint64_t hash, int *found) {
    size_t mask = d->index_cap - 1, i = (size_t)hash & mask, insert_at = SIZE_MAX;
    for (;; i = (i + 1) & mask) {
        uint32_t ix = d->index[i];
        if (ix == EMPTY) {
            *found = 0;
            return insert_at != SIZE_MAX ? insert_at : i;
        }
        if (ix == DUMMY) {
            if (insert_at == SIZE_MAX) insert_at = i;
            continue;
        }
        const entry *e = &d->ents[ix];
        if (e->hash == hash && rg_equal(e->key, key)) {
            *found = 1;
            return i;
        }
    }
}

/* Compacts the entries and rebuilds the index for at least need entries. */
static int resize(rg_dict *d, size_t need) {
    rg_heap *h = RG__HEAP(&d->ob);
    size_t ents_cap = need < 8 ? 8 : need + need / 2;
    if (ents_cap > MAX_ENTRIES) return rg__fail(h, RG_ERANGE);
    size_t index_cap = 8;
    while (index_cap < ents_cap + ents_cap / 2) index_cap *= 2;
    entry *ents = rg__malloc(h, ents_cap * sizeof *ents);
    uint32_t *index = rg__malloc(h, index_cap * sizeof *index);
    if (!ents || !index) {
        rg__free(h, ents, ents_cap * sizeof *ents);
        rg__free(h, index, index_cap * sizeof *index);
        return rg__fail(h, RG_ENOMEM);
    }
    memset(index, 0xff, index_cap * sizeof *index);
    size_t n = 0;
    for (size_t i = 0; i < d->nents; i++) {
        if (!d->ents[i].key) continue;
        ents[n] = d->ents[i];
        size_t j = (size_t)ents[n].hash & (index_cap - 1);
        while (index[j] != EMPTY) j = (j + 1) & (index_cap - 1);
        index[j] = (uint32_t)n++;
    }
    free_tables(h, d->ents, d->ents_cap, d->index, d->index_cap);
    d->ents = ents;
    d->ents_cap = ents_cap;
    d->index = index;
    d->index_cap = index_cap;
    d->nents = n;
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
    if (d->index_cap) slot = probe(d, key, hash, &found);
    if (found) {
        entry *e = &d->ents[d->index[slot]];
        rg_object *old = e->value;
        e->value = value;
        if (rg__may_be_tracked(value))
            rg__track(self);
        else if (rg__may_be_tracked(old))
            rg__record(self); /* may hold only atoms now: let a full collection look */
        rg_decref(old);
        return 0;
    }
    if (d->nents == d->ents_cap) {
        if ((rc = resize(d, d->len + 1)) < 0) {
            rg_decref(value);
            return rc;
        }
        slot = probe(d, key, hash, &found);
    }
    rg__stored(key);
    d->ents[d->nents] = (entry){hash, key, value};
    d->index[slot] = (uint32_t)d->nents++;
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
        return RG_ENOMEM;
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
    rg_dict *d = DICT(self);
    if (!d->index_cap || rg__hash((rg_object *)key, &hash) < 0) return NULL;
    int found;
    size_t slot = probe(d, key, hash, &found);
    if (!found) return NULL;
    if (slot_out) *slot_out = slot;
    return &d->ents[d->index[slot]];
}

rg_object *rg_dict_get(const rg_object *d, const rg_object *key) {
    entry *e = lookup(d, key, NULL);
    return e ? e->value : NULL;
}

rg_object *rg_dict_getstr(const rg_object *self, const char *key) {
    if (!RG__IS(self, rg_dict_type) || !key || !DICT(self)->index_cap) return NULL;
    const rg_dict *d = DICT(self);
    size_t len = strlen(key);
    uint64_t hash = rg__str_hash(key, len);
    for (size_t mask = d->index_cap - 1, i = (size_t)hash & mask;; i = (i + 1) & mask) {
        uint32_t ix = d->index[i];
        if (ix == EMPTY) return NULL;
        if (ix == DUMMY) continue;
        const entry *e = &d->ents[ix];
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
    d->index[slot] = DUMMY;
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
    const rg_dict *d = DICT(self);
    while (*pos < d->nents) {
        const entry *e = &d->ents[(*pos)++];
        if (!e->key) continue;
        if (key) *key = e->key;
        if (value) *value = e->value;
        return 1;
    }
    return 0;
}
