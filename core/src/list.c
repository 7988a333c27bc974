/* list.c — mutable sequences. */
#include "internal.h"

/* Up to INLINE items live in the object itself: most lists are small, and a
 * list that needs no buffer costs one allocation and one cache line less to
 * create, traverse and free. */
#define INLINE 2

typedef struct rg_list {
    rg_object ob;
    rg_object **items; /* inline_items, or a buffer from the heap's allocator */
    size_t len, cap;
    rg_object *inline_items[INLINE];
} rg_list;

static int is_inline(const rg_list *l) { return l->items == l->inline_items; }

#define LIST(o) ((rg_list *)(o))

static int list_traverse(rg_object *self, rg_visit_fn visit, void *arg) {
    rg_list *l = LIST(self);
    for (size_t i = 0; i < l->len; i++) {
        rg_label label = {RG_LABEL_INDEX, {.index = i}};
        int rc = visit(l->items[i], label, arg);
        if (rc) return rc;
    }
    return 0;
}

/* Detaches the items, then drops them from the end, as CPython's
 * list.clear: what a finalizer run by one of the decrefs appends to the
 * list stays in it (keep.clear() with a finalizer doing keep.append(self)
 * leaves that object in keep). */
static void list_clear(rg_object *self) {
    rg_list *l = LIST(self);
    rg_object *inl[INLINE];
    rg_object **items = l->items;
    size_t n = l->len, cap = l->cap;
    int was_inline = is_inline(l);
    if (was_inline) {
        memcpy(inl, l->inline_items, sizeof inl);
        items = inl;
    }
    l->items = l->inline_items;
    l->len = 0;
    l->cap = INLINE;
    while (n) rg_decref(items[--n]);
    if (!was_inline) rg__free(RG__HEAP(self), items, cap * sizeof *items);
}

static int list_repr(const rg_object *self, char *buf, size_t size) {
    size_t n = LIST(self)->len;
    return snprintf(buf, size, "%zu item%s", n, n == 1 ? "" : "s");
}

static size_t list_extra(const rg_object *self) {
    return is_inline(LIST(self)) ? 0 : LIST(self)->cap * sizeof(rg_object *);
}

const rg_type rg_list_type = {
    .name = "list",
    .basic_size = sizeof(rg_list),
    .traverse = list_traverse,
    .clear = list_clear,
    .repr = list_repr,
    .extra_size = list_extra,
};

rg_object *rg_list_new(rg_heap *h) {
    rg_list *l = LIST(rg__object_alloc(h, &rg_list_type, sizeof(rg_list), 1));
    if (l) {
        l->items = l->inline_items;
        l->cap = INLINE;
    }
    return (rg_object *)l;
}

size_t rg_list_size(const rg_object *l) { return RG__IS(l, rg_list_type) ? LIST(l)->len : 0; }

static int check(const rg_object *l, const rg_object *item) {
    if (!l) return RG_EINVAL;
    if (!RG__IS(l, rg_list_type)) return rg__fail(RG__HEAP(l), RG_ETYPE);
    if (!item) return rg__fail(RG__HEAP(l), RG_EINVAL);
    return 0;
}

static int reserve(rg_list *l, size_t need) {
    if (need <= l->cap) return 0;
    size_t cap = l->cap + (l->cap >> 1) + 2; /* about 1.5x, like CPython */
    if (cap < need) cap = need;
    if (cap > SIZE_MAX / sizeof(rg_object *)) return rg__fail(RG__HEAP(&l->ob), RG_ERANGE);
    rg_object **items;
    if (is_inline(l)) {
        items = rg__malloc(RG__HEAP(&l->ob), cap * sizeof *items);
        if (items) memcpy(items, l->items, l->len * sizeof *items);
    } else {
        items = rg__realloc(RG__HEAP(&l->ob), l->items, l->cap * sizeof *items, cap * sizeof *items);
    }
    if (!items) return RG_ENOMEM;
    l->items = items;
    l->cap = cap;
    return 0;
}

int rg_list_reserve(rg_object *self, size_t n) {
    if (!self) return RG_EINVAL;
    if (!RG__IS(self, rg_list_type)) return rg__fail(RG__HEAP(self), RG_ETYPE);
    rg_list *l = LIST(self);
    if (n <= l->cap) return 0;
    if (n > SIZE_MAX / sizeof(rg_object *)) return rg__fail(RG__HEAP(self), RG_ERANGE);
    rg_object **items;
    if (is_inline(l)) {
        items = rg__malloc(RG__HEAP(self), n * sizeof *items);
        if (items) memcpy(items, l->items, l->len * sizeof *items);
    } else {
        items = rg__realloc(RG__HEAP(self), l->items, l->cap * sizeof *items, n * sizeof *items);
    }
    if (!items) return RG_ENOMEM;
    l->items = items;
    l->cap = n;
    return 0;
}

/* Resolves a Python index; returns 0 and sets *out, or RG_EINDEX. */
static int resolve(const rg_list *l, ptrdiff_t index, size_t *out) {
    if (index < 0) index += (ptrdiff_t)l->len;
    if (index < 0 || (size_t)index >= l->len) return rg__fail(RG__HEAP(&l->ob), RG_EINDEX);
    *out = (size_t)index;
    return 0;
}

/* Stores item, whose reference the list takes over (consumed on failure). */
static int insert_owned(rg_object *self, ptrdiff_t index, rg_object *item) {
    int rc = check(self, item);
    if (rc) {
        rg_decref(item);
        return rc;
    }
    rg_list *l = LIST(self);
    if ((rc = reserve(l, l->len + 1)) < 0) {
        rg_decref(item);
        return rc;
    }
    if (index < 0) index += (ptrdiff_t)l->len;
    if (index < 0) index = 0;
    size_t at = (size_t)index > l->len ? l->len : (size_t)index;
    memmove(l->items + at + 1, l->items + at, (l->len - at) * sizeof *l->items);
    l->items[at] = item;
    l->len++;
    return 0;
}

int rg_list_insert_new(rg_object *self, ptrdiff_t index, rg_object *item) {
    rg__stolen(item);
    return insert_owned(self, index, item);
}

int rg_list_insert(rg_object *l, ptrdiff_t index, rg_object *item) {
    rg__stored(item);
    return insert_owned(l, index, item);
}

/* Stores item, whose reference the list takes over (consumed on failure). */
static int append_owned(rg_object *self, rg_object *item) {
    int rc = check(self, item);
    if (rc) {
        rg_decref(item);
        return rc;
    }
    rg_list *l = LIST(self);
    if (l->len == l->cap && (rc = reserve(l, l->len + 1)) < 0) {
        rg_decref(item);
        return rc;
    }
    l->items[l->len++] = item;
    return 0;
}

int rg_list_append_new(rg_object *self, rg_object *item) {
    rg__stolen(item);
    return append_owned(self, item);
}

int rg_list_append(rg_object *l, rg_object *item) {
    rg__stored(item);
    return append_owned(l, item);
}

rg_object *rg_list_get(const rg_object *self, ptrdiff_t index) {
    size_t at;
    if (!self || check(self, self) || resolve(LIST(self), index, &at)) return NULL;
    return LIST(self)->items[at];
}

/* Stores item, whose reference the list takes over (consumed on failure). */
static int set_owned(rg_object *self, ptrdiff_t index, rg_object *item) {
    size_t at;
    int rc = check(self, item);
    if (!rc) rc = resolve(LIST(self), index, &at);
    if (rc) {
        rg_decref(item);
        return rc;
    }
    rg_object *old = LIST(self)->items[at];
    LIST(self)->items[at] = item;
    rg_decref(old); /* last: a finalizer it runs sees the new item */
    return 0;
}

int rg_list_set_new(rg_object *self, ptrdiff_t index, rg_object *item) {
    rg__stolen(item);
    return set_owned(self, index, item);
}

int rg_list_set(rg_object *l, ptrdiff_t index, rg_object *item) {
    rg__stored(item);
    return set_owned(l, index, item);
}

rg_object *rg_list_pop(rg_object *self, ptrdiff_t index) {
    size_t at;
    if (!self || check(self, self) || resolve(LIST(self), index, &at)) return NULL;
    rg_list *l = LIST(self);
    rg_object *item = l->items[at];
    memmove(l->items + at, l->items + at + 1, (l->len - at - 1) * sizeof *l->items);
    l->len--;
    return item;
}

int rg_list_remove(rg_object *self, const rg_object *item) {
    int rc = check(self, item);
    if (rc) return rc;
    rg_list *l = LIST(self);
    for (size_t i = 0; i < l->len; i++) {
        if (rg_equal(l->items[i], item)) {
            rg_decref(rg_list_pop(self, (ptrdiff_t)i));
            return 0;
        }
    }
    return rg__fail(RG__HEAP(self), RG_EKEY);
}

int rg_list_clear(rg_object *self) {
    int rc = check(self, self);
    if (rc) return rc;
    list_clear(self);
    return 0;
}
