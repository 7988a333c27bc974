/* instance.c — classes created at run time and their instances, both with
 * named attributes (obj.attr = x). */
#include "internal.h"

typedef struct attr {
    const char *name; /* interned: compared by pointer */
    rg_object *value;
} attr;

/* Up to ATTRS_INLINE attributes live in the object itself, as small lists'
 * items do: most instances have few. */
#define ATTRS_INLINE 2

/* 40 bytes: an instance with its class pointer fills 112, a size class,
 * and the collector streams through fewer cache lines. */
typedef struct attrs {
    uint32_t len, cap; /* cap > ATTRS_INLINE: the items are in buf */
    union {
        attr *buf; /* from the heap's allocator */
        attr inl[ATTRS_INLINE];
    } u;
} attrs;

static void attrs_init(attrs *a) {
    a->len = 0;
    a->cap = ATTRS_INLINE;
}

static inline int attrs_inline(const attrs *a) { return a->cap <= ATTRS_INLINE; }
static inline attr *attrs_items(attrs *a) { return attrs_inline(a) ? a->u.inl : a->u.buf; }

typedef struct rg_class {
    rg_object ob;
    char *name;
    attrs attrs;
    void (*fin)(rg_object *self);
    int legacy;
} rg_class;

typedef struct rg_instance {
    rg_object ob;
    rg_object *cls;
    attrs attrs;
} rg_instance;

#define CLS(o) ((rg_class *)(o))
#define INST(o) ((rg_instance *)(o))

/* ---- attribute tables ---------------------------------------------------------- */

static int attrs_traverse(attrs *a, rg_visit_fn visit, void *arg) {
    attr *items = attrs_items(a);
    for (size_t i = 0; i < a->len; i++) {
        rg_label l = {RG_LABEL_NAME, {.name = items[i].name}};
        int rc = visit(items[i].value, l, arg);
        if (rc) return rc;
    }
    return 0;
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

/* name must be interned (or NULL: never interned, so absent). */
static attr *attrs_find(attrs *a, const char *name) {
    attr *items = attrs_items(a);
    for (size_t i = 0; name && i < a->len; i++)
        if (items[i].name == name) return &items[i];
    return NULL;
}

static attrs *attrs_of(const rg_object *o) {
    if (RG__IS(o, rg_instance_type)) return &INST(o)->attrs;
    if (RG__IS(o, rg_class_type)) return &CLS(o)->attrs;
    return NULL;
}

/* Stores value, whose reference the object takes over (consumed on failure). */
static int setattr_owned(rg_object *o, const char *name, rg_object *value) {
    attrs *a = attrs_of(o);
    int rc = 0;
    if (!o || !name || !value)
        rc = o ? rg__fail(RG__HEAP(o), RG_EINVAL) : RG_EINVAL;
    else if (!a)
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
            if (items) memcpy(items, a->u.inl, sizeof a->u.inl);
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

int rg_setattr_new(rg_object *o, const char *name, rg_object *value) {
    rg__stolen(value);
    return setattr_owned(o, name, value);
}

int rg_setattr(rg_object *o, const char *name, rg_object *value) {
    rg__stored(value);
    return setattr_owned(o, name, value);
}

rg_object *rg_getattr(const rg_object *o, const char *name) {
    attrs *a = attrs_of(o);
    if (!a || !name) return NULL;
    attr *at = attrs_find(a, rg__intern_find(RG__HEAP(o), name));
    return at ? at->value : NULL;
}

int rg_delattr(rg_object *o, const char *name) {
    attrs *a = attrs_of(o);
    if (!o || !name) return RG_EINVAL;
    if (!a) return rg__fail(RG__HEAP(o), RG_ETYPE);
    attr *at = attrs_find(a, rg__intern_find(RG__HEAP(o), name));
    if (!at) return rg__fail(RG__HEAP(o), RG_EKEY);
    rg_object *v = at->value;
    attr *items = attrs_items(a);
    size_t i = (size_t)(at - items);
    memmove(items + i, items + i + 1, (a->len - i - 1) * sizeof *items);
    a->len--;
    rg_decref(v);
    return 0;
}

/* ---- classes ---------------------------------------------------------------------- */

static int class_traverse(rg_object *self, rg_visit_fn visit, void *arg) {
    return attrs_traverse(&CLS(self)->attrs, visit, arg);
}
static void class_clear(rg_object *self) { attrs_clear(RG__HEAP(self), &CLS(self)->attrs); }
static void class_destroy(rg_object *self) {
    rg__strfree(RG__HEAP(self), CLS(self)->name);
    CLS(self)->name = NULL;
}
static int class_repr(const rg_object *self, char *buf, size_t size) {
    return snprintf(buf, size, "%s", CLS(self)->name ? CLS(self)->name : "?");
}
static size_t class_extra(const rg_object *self) {
    const rg_class *c = CLS(self);
    return attrs_size(&c->attrs) + (c->name ? strlen(c->name) + 1 : 0);
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

static int instance_traverse(rg_object *self, rg_visit_fn visit, void *arg) {
    rg_instance *in = INST(self);
    if (in->cls) {
        rg_label l = {RG_LABEL_NAME, {.name = "__class__"}};
        int rc = visit(in->cls, l, arg);
        if (rc) return rc;
    }
    return attrs_traverse(&in->attrs, visit, arg);
}

static void instance_clear(rg_object *self) {
    rg_instance *in = INST(self);
    attrs_clear(RG__HEAP(self), &in->attrs);
    rg_object *cls = in->cls;
    in->cls = NULL;
    rg_decref(cls);
}

static int instance_repr(const rg_object *self, char *buf, size_t size) {
    const char *name = INST(self)->cls ? rg_class_name(INST(self)->cls) : NULL;
    return snprintf(buf, size, "%s instance", name ? name : "?");
}

static size_t instance_extra(const rg_object *self) { return attrs_size(&INST(self)->attrs); }

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
    attrs_init(&in->attrs);
    return (rg_object *)in;
}

rg_object *rg_instance_class(const rg_object *inst) {
    return RG__IS(inst, rg_instance_type) ? INST(inst)->cls : NULL;
}

/* ---- finalizers --------------------------------------------------------------------------- */

void (*rg__finalizer_of(const rg_object *o))(rg_object *) {
    if (o->type == &rg_instance_type) {
        rg_object *cls = INST(o)->cls;
        return cls ? CLS(cls)->fin : NULL;
    }
    return o->type->finalize;
}

int rg__has_legacy_finalizer(const rg_object *o) {
    if (RG__HEAP(o)->tearing_down) return 0;
    if (o->type == &rg_instance_type) {
        rg_object *cls = INST(o)->cls;
        return cls && CLS(cls)->fin && CLS(cls)->legacy;
    }
    return (o->type->flags & RG_TYPE_LEGACY_FINALIZER) && o->type->finalize;
}
