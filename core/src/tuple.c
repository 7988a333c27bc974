/* tuple.c — immutable sequences. A tuple that holds only objects that can
 * never be tracked is untracked, at creation and again during collections. */
#include <stdarg.h>

#include "internal.h"

typedef struct rg_tuple {
    rg_object ob;
    size_t n;
    rg_object *items[];
} rg_tuple;

#define TUP(o) ((rg_tuple *)(o))

size_t rg__tuple_block_size(const rg_object *t) {
    return sizeof(rg_tuple) + TUP(t)->n * sizeof(rg_object *);
}

static int tuple_traverse(rg_object *self, rg_visit_fn visit, void *arg) {
    rg_tuple *t = TUP(self);
    for (size_t i = 0; i < t->n; i++) {
        if (t->items[i]) {
            rg_label l = {RG_LABEL_INDEX, {.index = i}};
            int rc = visit(t->items[i], l, arg);
            if (rc) return rc;
        }
    }
    return 0;
}

static void tuple_clear(rg_object *self) {
    rg_tuple *t = TUP(self);
    /* Last to first, as CPython's tupledealloc: the order is visible to
     * finalizers and weakref callbacks. */
    for (size_t i = t->n; i-- > 0;) {
        rg_object *item = t->items[i];
        t->items[i] = NULL;
        rg_decref(item);
    }
}

static int tuple_repr(const rg_object *self, char *buf, size_t size) {
    size_t n = TUP(self)->n;
    return snprintf(buf, size, "%zu item%s", n, n == 1 ? "" : "s");
}

const rg_type rg_tuple_type = {
    .name = "tuple",
    .basic_size = sizeof(rg_tuple),
    .traverse = tuple_traverse,
    .clear = tuple_clear,
    .repr = tuple_repr,
};

int rg__tuple_untrackable(const rg_object *self) {
    const rg_tuple *t = (const rg_tuple *)(const void *)self;
    for (size_t i = 0; i < t->n; i++)
        if (t->items[i] && rg__may_be_tracked(t->items[i])) return 0;
    return 1;
}

int rg__tuple_maybe_untrack(rg_object *self) {
    if (!rg__tuple_untrackable(self)) return 0;
    rg__untrack(self);
    return 1;
}

rg_object *rg_tuple_new(rg_heap *h, size_t n, rg_object *const *items) {
    if (n && !items) {
        h->last_error = RG_EINVAL;
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        if (!items[i]) {
            h->last_error = RG_EINVAL;
            return NULL;
        }
    }
    if (n > (SIZE_MAX - sizeof(rg_tuple)) / sizeof(rg_object *)) {
        h->last_error = RG_ERANGE;
        return NULL;
    }
    int track = 0;
    for (size_t i = 0; i < n && !track; i++) track = rg__may_be_tracked(items[i]);
    rg_tuple *t = TUP(rg__object_alloc(h, &rg_tuple_type, sizeof(rg_tuple) + n * sizeof(rg_object *), track));
    if (!t) return NULL;
    t->n = n;
    for (size_t i = 0; i < n; i++) {
        rg__stored(items[i]);
        t->items[i] = items[i];
    }
    return (rg_object *)t;
}

rg_object *rg_tuple_pack(rg_heap *h, size_t n, ...) {
    rg_object *small[16];
    rg_object **items = small;
    if (n > 16) {
        items = rg__malloc(h, n * sizeof *items);
        if (!items) return NULL;
    }
    va_list ap;
    va_start(ap, n);
    for (size_t i = 0; i < n; i++) items[i] = va_arg(ap, rg_object *);
    va_end(ap);
    rg_object *t = rg_tuple_new(h, n, items);
    if (items != small) rg__free(h, items, n * sizeof *items);
    return t;
}

size_t rg_tuple_size(const rg_object *t) { return RG__IS(t, rg_tuple_type) ? TUP(t)->n : 0; }

rg_object *rg_tuple_get(const rg_object *t, size_t i) {
    if (!RG__IS(t, rg_tuple_type) || i >= TUP(t)->n) {
        if (t) RG__HEAP(t)->last_error = RG__IS(t, rg_tuple_type) ? RG_EINDEX : RG_ETYPE;
        return NULL;
    }
    return TUP(t)->items[i];
}
