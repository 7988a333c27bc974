/* instance.c — classes created at run time and their instances, both with
 * named attributes (obj.attr = x).
 *
 * Instances share their attribute names, as CPython's split dicts do (PEP
 * 412): the class keeps the names its instances set, in the order they were
 * first set (its shared keys), and each instance keeps only a values array
 * indexed by a name's position there, NULL where it has no such attribute.
 * An instance whose attributes cannot follow the shared keys falls back to
 * a table of its own, (name, value) pairs as a class has; see
 * docs/heap.md, "Object layout". */
#include "instance.h"


/* ---- attribute tables ---------------------------------------------------------- */


/* name must be interned (or NULL: never interned, so absent). */
static attr *pairs_find(attr *items, uint32_t len, const char *name) {
    for (uint32_t i = 0; name && i < len; i++)
        if (items[i].name == name) return &items[i];
    return NULL;
}

/* Removes the pair at, shifting the later ones down; returns its value
 * (the caller releases it, last). */
static rg_object *pairs_remove(attr *items, uint32_t *len, attr *at) {
    rg_object *v = at->value;
    size_t i = (size_t)(at - items);
    memmove(items + i, items + i + 1, (*len - i - 1) * sizeof *items);
    (*len)--;
    return v;
}

static int attrs_traverse(attrs *a, rg_visit_fn visit, void *arg) {
    return pairs_traverse(attrs_items(a), a->len, visit, arg);
}

/* Releases the attributes first to last, as CPython releases an
 * instance's attributes (its dict or inline values, in key order). The
 * table is detached first: a decref may run a finalizer that adds
 * attributes, which go to a fresh table that the next round releases (each
 * finalizer runs once, so the rounds end). */
static void attrs_clear(rg_heap *h, attrs *a) {
    for (;;) {
        attrs old = *a;
        attrs_init(a);
        attr *items = attrs_items(&old);
        for (uint32_t i = 0; i < old.len; i++) rg_decref(items[i].value);
        if (!attrs_inline(&old)) rg__free(h, old.u.buf, old.cap * sizeof(attr));
        if (!a->len) break;
    }
    if (!attrs_inline(a)) rg__free(h, a->u.buf, a->cap * sizeof(attr));
    attrs_init(a);
}

static size_t attrs_size(const attrs *a) { return attrs_inline(a) ? 0 : a->cap * sizeof(attr); }

static attr *attrs_find(attrs *a, const char *name) { return pairs_find(attrs_items(a), a->len, name); }

/* Binds iname (interned) to value, whose reference the table takes over
 * (consumed on failure). */
static int attrs_set(rg_heap *h, attrs *a, const char *iname, rg_object *value) {
    attr *at = attrs_find(a, iname);
    if (at) {
        rg_object *old = at->value;
        at->value = value;
        rg_decref(old);
        return 0;
    }
    if (a->len == a->cap) {
        if (a->cap > UINT32_MAX / 2) {
            rg_decref(value);
            return rg__fail(h, RG_ERANGE);
        }
        uint32_t cap = a->cap * 2;
        attr *items;
        if (attrs_inline(a)) {
            items = rg__malloc(h, cap * sizeof *items);
            if (items) memcpy(items, a->u.inl, a->len * sizeof *items);
        } else {
            items = rg__realloc(h, a->u.buf, a->cap * sizeof *items, cap * sizeof *items);
        }
        if (!items) {
            rg_decref(value);
            return RG_ENOMEM;
        }
        a->u.buf = items;
        a->cap = cap;
    }
    attrs_items(a)[a->len++] = (attr){iname, value};
    return 0;
}

/* Unbinds iname; RG_EKEY when absent. The value is released last. */
static int attrs_del(rg_heap *h, attrs *a, const char *iname) {
    attr *at = attrs_find(a, iname);
    if (!at) return rg__fail(h, RG_EKEY);
    rg_decref(pairs_remove(attrs_items(a), &a->len, at));
    return 0;
}

/* ---- shared keys ---------------------------------------------------------------- */

/* Slots allocated for n keys (or values): 4, 8, 16, then KEYS_MAX. */
static uint32_t keys_cap(uint32_t n) {
    uint32_t c = 4;
    while (c < n) c *= 2; /* n <= KEYS_MAX: a few rounds */
    return c > KEYS_MAX ? KEYS_MAX : c;
}

/* The position of iname among the class's keys, or -1. */
static long keys_find(const rg_class *c, const char *iname) {
    for (uint32_t i = 0; iname && i < c->nkeys; i++)
        if (c->keys[i] == iname) return (long)i;
    return -1;
}

static size_t keys_size(const rg_class *c) { return c->nkeys ? keys_cap(c->nkeys) * sizeof *c->keys : 0; }

/* ---- an instance's values --------------------------------------------------------- */


static void inst_init(rg_instance *in) {
    in->len = 0;
    in->cap = VALS_INLINE;
}

/* Makes room for need values of a split instance (need <= KEYS_MAX); 0 or
 * RG_ENOMEM. */
static int vals_grow(rg_heap *h, rg_instance *in, uint32_t need) {
    uint32_t cap = keys_cap(need);
    rg_object **vals;
    if (in->cap <= VALS_INLINE) {
        vals = rg__malloc(h, cap * sizeof *vals);
        if (vals) memcpy(vals, in->u.inl, in->len * sizeof *vals);
    } else {
        vals = rg__realloc(h, in->u.buf, in->cap * sizeof *vals, cap * sizeof *vals);
    }
    if (!vals) return RG_ENOMEM;
    in->u.buf = vals;
    in->cap = cap;
    return 0;
}

/* Appends iname (interned, not yet a key) to the class's keys for the split
 * instance in, which is about to set it: the caller checked nkeys <
 * KEYS_MAX. The instance's values get room for the new key too, both or
 * neither: a failed set leaves the class's keys as they were (their size,
 * and whether its other instances share). Returns the key's position, or
 * -1 out of memory with nothing changed. */
static long keys_append(rg_heap *h, rg_class *c, rg_instance *in, const char *iname) {
    uint32_t n = c->nkeys, cap = n ? keys_cap(n) : 0, ncap = cap;
    const char **keys = c->keys;
    if (n == cap) { /* a new buffer, the old one kept until the values have room */
        ncap = keys_cap(n + 1);
        keys = rg__malloc(h, ncap * sizeof *keys);
        if (!keys) return -1;
        if (n) memcpy(keys, c->keys, n * sizeof *keys);
    }
    if (n >= in->cap && vals_grow(h, in, n + 1)) {
        if (keys != c->keys) rg__free(h, keys, ncap * sizeof *keys);
        return -1;
    }
    if (keys != c->keys) {
        rg__free(h, c->keys, cap * sizeof *keys);
        c->keys = keys;
    }
    keys[n] = iname;
    c->nkeys = n + 1;
    return (long)n;
}

/* Moves a split instance's attributes to pairs of its own, in key order
 * (the order they were set), with room for one more: the name that made it
 * fall back, which the caller adds next (so that adding it cannot fail and
 * leave the instance fallen back); 0 or RG_ENOMEM (the instance unchanged). */
static int inst_fall_back(rg_heap *h, rg_instance *in) {
    rg_object **vals = inst_vals(in);
    uint32_t n = 0;
    for (uint32_t i = 0; i < in->len; i++) n += vals[i] != NULL;
    uint32_t cap = keys_cap(n); /* n <= KEYS_MAX; doubles from there */
    if (cap == n) cap *= 2;     /* the size own_set would double it to */
    attr *own = rg__malloc(h, cap * sizeof *own);
    if (!own) return RG_ENOMEM;
    const char **keys = in->len ? CLS(in->cls)->keys : NULL; /* len > 0 only with a class */
    n = 0;
    for (uint32_t i = 0; i < in->len; i++)
        if (vals[i]) own[n++] = (attr){keys[i], vals[i]};
    if (in->cap > VALS_INLINE) rg__free(h, in->u.buf, in->cap * sizeof *vals);
    in->len = n;
    in->cap = cap | OWN;
    in->u.own = own;
    return 0;
}

/* Binds iname on an instance that has fallen back; value consumed on
 * failure. */
static int own_set(rg_heap *h, rg_instance *in, const char *iname, rg_object *value) {
    attr *at = pairs_find(in->u.own, in->len, iname);
    if (at) {
        rg_object *old = at->value;
        at->value = value;
        rg_decref(old);
        return 0;
    }
    uint32_t cap = in->cap & ~OWN;
    if (in->len == cap) {
        if (cap >= OWN / 2) {
            rg_decref(value);
            return rg__fail(h, RG_ERANGE);
        }
        attr *own = rg__realloc(h, in->u.own, cap * sizeof *own, 2 * cap * sizeof *own);
        if (!own) {
            rg_decref(value);
            return RG_ENOMEM;
        }
        in->u.own = own;
        in->cap = 2 * cap | OWN;
    }
    in->u.own[in->len++] = (attr){iname, value};
    return 0;
}

/* Binds iname (interned) on an instance; value consumed on failure. Shares
 * the class's keys while the name is a key past the instance's last value,
 * or can become one; else falls back to pairs of its own. */
static int inst_set(rg_heap *h, rg_instance *in, const char *iname, rg_object *value) {
    if (!(in->cap & OWN)) {
        rg_class *c = in->cls ? CLS(in->cls) : NULL;
        long k = c ? keys_find(c, iname) : -1;
        rg_object **vals = inst_vals(in);
        if (k >= 0 && (uint32_t)k < in->len && vals[k]) {
            rg_object *old = vals[k];
            vals[k] = value;
            rg_decref(old);
            return 0;
        }
        if (k < 0 && c && c->nkeys < KEYS_MAX && (k = keys_append(h, c, in, iname)) < 0) {
            rg_decref(value);
            return RG_ENOMEM;
        }
        if (k >= 0 && (uint32_t)k >= in->len) { /* in order: shared */
            if ((uint32_t)k >= in->cap && vals_grow(h, in, (uint32_t)k + 1)) {
                rg_decref(value);
                return RG_ENOMEM;
            }
            vals = inst_vals(in);
            for (uint32_t i = in->len; i < (uint32_t)k; i++) vals[i] = NULL;
            vals[k] = value;
            in->len = (uint32_t)k + 1;
            return 0;
        }
        /* Set before a later name (another order than the keys', or
         * re-set after a delete), the keys full, or no class. */
        if (inst_fall_back(h, in)) {
            rg_decref(value);
            return RG_ENOMEM;
        }
    }
    return own_set(h, in, iname, value);
}

/* The slot holding the attribute iname of a split instance, or NULL. */
static rg_object **inst_slot(rg_instance *in, const char *iname) {
    long k = in->cls && iname ? keys_find(CLS(in->cls), iname) : -1;
    if (k < 0 || (uint32_t)k >= in->len) return NULL;
    rg_object **slot = &inst_vals(in)[k];
    return *slot ? slot : NULL;
}

static int inst_del(rg_heap *h, rg_instance *in, const char *iname) {
    rg_object *v;
    if (in->cap & OWN) {
        attr *at = pairs_find(in->u.own, in->len, iname);
        if (!at) return rg__fail(h, RG_EKEY);
        v = pairs_remove(in->u.own, &in->len, at);
    } else {
        rg_object **slot = inst_slot(in, iname);
        if (!slot) return rg__fail(h, RG_EKEY);
        v = *slot;
        *slot = NULL;
        rg_object **vals = inst_vals(in);
        while (in->len && !vals[in->len - 1]) in->len--; /* len stays one past the last */
    }
    rg_decref(v);
    return 0;
}

/* Releases an instance's values first to last (as attrs_clear), split or
 * fallen back, and leaves it split and empty; the rounds end as
 * attrs_clear's do. */
static void inst_clear_values(rg_heap *h, rg_instance *in) {
    for (;;) {
        rg_instance old = *in;
        inst_init(in);
        if (old.cap & OWN) {
            for (uint32_t i = 0; i < old.len; i++) rg_decref(old.u.own[i].value);
            rg__free(h, old.u.own, (old.cap & ~OWN) * sizeof *old.u.own);
        } else {
            rg_object **vals = inst_vals(&old);
            for (uint32_t i = 0; i < old.len; i++) rg_decref(vals[i]); /* NULL: a no-op */
            if (old.cap > VALS_INLINE) rg__free(h, old.u.buf, old.cap * sizeof *vals);
        }
        if (!in->len && in->cap == VALS_INLINE) break;
    }
}

static size_t inst_size(const rg_instance *in) {
    if (in->cap & OWN) return (in->cap & ~OWN) * sizeof *in->u.own;
    return in->cap > VALS_INLINE ? in->cap * sizeof *in->u.buf : 0;
}

/* ---- attributes of either ---------------------------------------------------------- */

/* Stores value, whose reference the object takes over (consumed on failure). */
static int setattr_owned(rg_object *o, const char *name, rg_object *value) {
    int rc = 0;
    if (!o || !name || !value)
        rc = o ? rg__fail(RG__HEAP(o), RG_EINVAL) : RG_EINVAL;
    else if (!RG__IS(o, rg_instance_type) && !RG__IS(o, rg_class_type))
        rc = rg__fail(RG__HEAP(o), RG_ETYPE);
    if (rc) {
        rg_decref(value);
        return rc;
    }
    rg_heap *h = RG__HEAP(o);
    const char *iname = rg__intern(h, name);
    if (!iname) {
        rg_decref(value);
        return RG_ENOMEM;
    }
    if (RG__IS(o, rg_instance_type)) return inst_set(h, INST(o), iname, value);
    return attrs_set(h, &CLS(o)->attrs, iname, value);
}

int rg_setattr_new(rg_object *o, const char *name, rg_object *value) {
    rg__stolen(value);
    return setattr_owned(o, name, value);
}

int rg_setattr(rg_object *o, const char *name, rg_object *value) {
    rg__stored(value);
    return setattr_owned(o, name, value);
}

rg_object *rg_getattr(const rg_object *o, const char *name) {
    if (!name) return NULL;
    if (RG__IS(o, rg_class_type)) {
        attr *at = attrs_find(&CLS(o)->attrs, rg__intern_find(RG__HEAP(o), name));
        return at ? at->value : NULL;
    }
    if (!RG__IS(o, rg_instance_type)) return NULL;
    rg_instance *in = INST(o);
    const char *iname = rg__intern_find(RG__HEAP(o), name);
    if (in->cap & OWN) {
        attr *at = pairs_find(in->u.own, in->len, iname);
        return at ? at->value : NULL;
    }
    rg_object **slot = inst_slot(in, iname);
    return slot ? *slot : NULL;
}

int rg_delattr(rg_object *o, const char *name) {
    if (!o || !name) return RG_EINVAL;
    rg_heap *h = RG__HEAP(o);
    const char *iname = rg__intern_find(h, name);
    if (RG__IS(o, rg_instance_type)) return inst_del(h, INST(o), iname);
    if (RG__IS(o, rg_class_type)) return attrs_del(h, &CLS(o)->attrs, iname);
    return rg__fail(h, RG_ETYPE);
}

/* ---- classes ---------------------------------------------------------------------- */

static int class_traverse(rg_object *self, rg_visit_fn visit, void *arg) {
    return attrs_traverse(&CLS(self)->attrs, visit, arg);
}
static void class_clear(rg_object *self) { attrs_clear(RG__HEAP(self), &CLS(self)->attrs); }
/* The keys go with the class's memory, not in clear: an instance cleared
 * later in the same cycle may still read them. */
static void class_destroy(rg_object *self) {
    rg_class *c = CLS(self);
    rg__free(RG__HEAP(self), c->keys, keys_size(c));
    c->keys = NULL;
    c->nkeys = 0;
    rg__strfree(RG__HEAP(self), c->name);
    c->name = NULL;
}
static int class_repr(const rg_object *self, char *buf, size_t size) {
    return snprintf(buf, size, "%s", CLS(self)->name ? CLS(self)->name : "?");
}
static size_t class_extra(const rg_object *self) {
    const rg_class *c = CLS(self);
    return attrs_size(&c->attrs) + keys_size(c) + (c->name ? strlen(c->name) + 1 : 0);
}

const rg_type rg_class_type = {
    .name = "class",
    .basic_size = sizeof(rg_class),
    .traverse = class_traverse,
    .clear = class_clear,
    .repr = class_repr,
    .extra_size = class_extra,
    .destroy = class_destroy,
};

rg_object *rg_class_new(rg_heap *h, const char *name) {
    if (!name) {
        h->last_error = RG_EINVAL;
        return NULL;
    }
    char *copy = rg__strdup(h, name);
    if (!copy) return NULL;
    rg_class *c = CLS(rg__object_alloc(h, &rg_class_type, sizeof(rg_class), 1));
    if (!c) {
        rg__strfree(h, copy);
        return NULL;
    }
    c->name = copy;
    attrs_init(&c->attrs);
    c->keys = NULL;
    c->nkeys = 0;
    return (rg_object *)c;
}

const char *rg_class_name(const rg_object *cls) {
    return RG__IS(cls, rg_class_type) && CLS(cls)->name ? CLS(cls)->name : NULL;
}

int rg_class_set_finalizer(rg_object *cls, void (*fn)(rg_object *self), int legacy) {
    if (!cls) return RG_EINVAL;
    if (!RG__IS(cls, rg_class_type)) return rg__fail(RG__HEAP(cls), RG_ETYPE);
    CLS(cls)->fin = fn;
    CLS(cls)->legacy = legacy != 0;
    return 0;
}

/* ---- instances ------------------------------------------------------------------------ */


/* The class goes last, and its release may run finalizers too (its own
 * attributes', when this was its last reference): what they add to the
 * instance, now classless (so in pairs of its own), is released as well. */
static void instance_clear(rg_object *self) {
    rg_instance *in = INST(self);
    inst_clear_values(RG__HEAP(self), in);
    rg_object *cls = in->cls;
    in->cls = NULL;
    rg_decref(cls);
    if (in->len || in->cap != VALS_INLINE) inst_clear_values(RG__HEAP(self), in);
}

void rg__instance_clear_garbage(rg_object *self) {
    rg_instance *in = INST(self);
    if (in->cap == VALS_INLINE) { /* split, values inline: the common case */
        rg_object *v[VALS_INLINE] = {in->u.inl[0], in->u.inl[1]};
        uint32_t n = in->len;
        inst_init(in);
        for (uint32_t i = 0; i < n; i++)
            if (v[i] && !(v[i]->flags & RG__F_UNREACHABLE)) rg_decref(v[i]);
        rg_object *cls = in->cls;
        in->cls = NULL;
        rg_decref(cls);
        if (!in->len && in->cap == VALS_INLINE) return;
    }
    instance_clear(self);
}

static int instance_repr(const rg_object *self, char *buf, size_t size) {
    const char *name = INST(self)->cls ? rg_class_name(INST(self)->cls) : NULL;
    return snprintf(buf, size, "%s instance", name ? name : "?");
}

static size_t instance_extra(const rg_object *self) { return inst_size(INST(self)); }

static int instance_traverse(rg_object *self, rg_visit_fn visit, void *arg) {
    return rg__instance_traverse(self, visit, arg);
}

const rg_type rg_instance_type = {
    .name = "instance",
    .basic_size = sizeof(rg_instance),
    .traverse = instance_traverse,
    .clear = instance_clear,
    .repr = instance_repr,
    .extra_size = instance_extra,
};

rg_object *rg_instance_new(rg_heap *h, rg_object *cls) {
    if (!RG__IS(cls, rg_class_type)) {
        h->last_error = cls ? RG_ETYPE : RG_EINVAL;
        return NULL;
    }
    rg_instance *in = INST(rg__object_alloc(h, &rg_instance_type, sizeof(rg_instance), 1));
    if (!in) return NULL;
    rg__stored(cls);
    in->cls = cls;
    inst_init(in);
    return (rg_object *)in;
}

rg_object *rg_instance_class(const rg_object *inst) {
    return RG__IS(inst, rg_instance_type) ? INST(inst)->cls : NULL;
}

/* ---- finalizers --------------------------------------------------------------------------- */

void (*rg__finalizer_of(const rg_object *o))(rg_object *) {
    if (RG__TYPE(o) == &rg_instance_type) {
        rg_object *cls = INST(o)->cls;
        return cls ? CLS(cls)->fin : NULL;
    }
    return RG__TYPE(o)->finalize;
}

int rg__has_legacy_finalizer(const rg_object *o) {
    if (RG__HEAP(o)->tearing_down) return 0;
    if (RG__TYPE(o) == &rg_instance_type) {
        rg_object *cls = INST(o)->cls;
        return cls && CLS(cls)->fin && CLS(cls)->legacy;
    }
    return (RG__TYPE(o)->flags & RG_TYPE_LEGACY_FINALIZER) && RG__TYPE(o)->finalize;
}
