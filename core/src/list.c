/* list.c — mutable sequences. */
#include "internal.h"

/* The most items a list holds, RG_LIST_MAX: its length and capacity are
 * 32-bit, so that the list is 32 bytes (48 with the collector's block;
 * CPython's is 56, in pymalloc's 64-byte class). tests/test_list_limit.c
 * builds this file with a smaller limit. */
#ifndef RG__LIST_MAX
#define RG__LIST_MAX RG_LIST_MAX
#endif

_Static_assert(sizeof(rg_list) == 32, "a list is the header and two words: 48 bytes with its collector block");

#define LIST(o) ((rg_list *)(o))

static inline int has_buffer(const rg_list *l) { return l->cap > 1; }
static inline rg_object **slots(rg_list *l) { return rg__list_slots(l); }

static int list_traverse(rg_object *self, rg_visit_fn visit, void *arg) { return rg__list_traverse(self, visit, arg); }

/* One round of clear: detaches the items (the list is empty, without a
 * buffer, before any decref runs), then drops them from the end, as
 * CPython's list_clear; members of a garbage set being deleted at once
 * (skip_garbage) are skipped, their references dying with them. */
static void clear_round(rg_object *self, int skip_garbage) {
    rg_list *l = LIST(self);
    rg_object *one = l->u.one;
    rg_object **items = has_buffer(l) ? l->u.items : &one;
    size_t n = l->len, cap = l->cap;
    l->u.one = NULL;
    l->len = 0;
    l->cap = 1;
    while (n) {
        rg_object *item = items[--n];
        if (!skip_garbage || !(item->flags & RG__F_UNREACHABLE)) rg_decref(item);
    }
    if (cap > 1) rg__free(RG__HEAP(self), items, cap * sizeof *items);
}

/* Detaches the items, then drops them from the end, as CPython's
 * list.clear: what a finalizer run by one of the decrefs appends to the
 * list stays in it (keep.clear() with a finalizer doing keep.append(self)
 * leaves that object in keep). The buffer goes, as CPython's does. A list
 * being freed (its refcount reached zero) keeps nothing: what is appended
 * meanwhile is released by the next round, as an instance's attributes are
 * (each finalizer runs once, so the rounds end). */
static void list_clear(rg_object *self) {
    do
        clear_round(self, 0);
    while ((self->flags & RG__F_DYING) && (LIST(self)->len || has_buffer(LIST(self))));
}

void rg__list_clear_garbage(rg_object *self) { clear_round(self, 1); }

static int list_repr(const rg_object *self, char *buf, size_t size) {
    size_t n = LIST(self)->len;
    return snprintf(buf, size, "%zu item%s", n, n == 1 ? "" : "s");
}

static size_t list_extra(const rg_object *self) {
    const rg_list *l = LIST(self);
    return has_buffer(l) ? (size_t)l->cap * sizeof(rg_object *) : 0;
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
        l->u.one = NULL;
        l->len = 0;
        l->cap = 1;
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

/* Moves the items to a buffer of exactly cap (>= 2) items, or into the
 * union when cap is 1 (len must be at most 1). 0, or RG_ENOMEM with the
 * list unchanged. */
static int set_cap(rg_list *l, size_t cap) {
    rg_heap *h = RG__HEAP(&l->ob);
    if (cap <= 1) {
        if (has_buffer(l)) {
            rg_object **items = l->u.items;
            size_t old = l->cap;
            l->u.one = l->len ? items[0] : NULL;
            l->cap = 1;
            rg__free(h, items, old * sizeof *items);
        }
        return 0;
    }
    rg_object **items;
    if (has_buffer(l)) {
        items = rg__realloc(h, l->u.items, l->cap * sizeof *items, cap * sizeof *items);
    } else {
        items = rg__malloc(h, cap * sizeof *items);
        if (items && l->len) items[0] = l->u.one;
    }
    if (!items) return RG_ENOMEM;
    l->u.items = items;
    l->cap = (uint32_t)cap;
    return 0;
}

/* CPython 3.11's list_resize: the capacity for newsize items, over-allocated
 * by about an eighth. */
static size_t overallocate(size_t newsize) { return (newsize + (newsize >> 3) + 6) & ~(size_t)3; }

/* Makes room for one more item, as CPython's list_resize(len + 1). A list
 * without a buffer stands for CPython's one-item list, which already holds
 * a buffer of 4: it gets that buffer for its second item. */
static int grow(rg_list *l) {
    if (l->len >= RG__LIST_MAX) return rg__fail(RG__HEAP(&l->ob), RG_ERANGE);
    size_t newsize = (size_t)l->len + 1;
    if (newsize <= l->cap) return 0;
    size_t cap = has_buffer(l) || newsize > 4 ? overallocate(newsize) : 4;
    if (cap > RG__LIST_MAX) cap = RG__LIST_MAX;
    if (cap > SIZE_MAX / sizeof(rg_object *)) return rg__fail(RG__HEAP(&l->ob), RG_ERANGE);
    return set_cap(l, cap);
}

/* After the length dropped, returns the buffer's unused part as CPython's
 * list_resize does when fewer than half its slots are used: down to the
 * union for 0 or 1 items, else to what overallocate gives. Never fails: a
 * failed reallocation keeps the larger buffer (and no error is recorded). */
static void shrink(rg_list *l) {
    if (!has_buffer(l) || l->len >= l->cap >> 1) return;
    size_t cap = l->len <= 1 ? 1 : overallocate(l->len);
    if (cap >= l->cap) return;
    rg_heap *h = RG__HEAP(&l->ob);
    int err = h->last_error;
    if (set_cap(l, cap) < 0) h->last_error = err;
}

int rg_list_reserve(rg_object *self, size_t n) {
    if (!self) return RG_EINVAL;
    if (!RG__IS(self, rg_list_type)) return rg__fail(RG__HEAP(self), RG_ETYPE);
    rg_list *l = LIST(self);
    if (n <= l->cap) return 0;
    if (n > RG__LIST_MAX || n > SIZE_MAX / sizeof(rg_object *)) return rg__fail(RG__HEAP(self), RG_ERANGE);
    return set_cap(l, n);
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
    if ((rc = grow(l)) < 0) {
        rg_decref(item);
        return rc;
    }
    if (index < 0) index += (ptrdiff_t)l->len;
    if (index < 0) index = 0;
    size_t at = (size_t)index > l->len ? l->len : (size_t)index;
    rg_object **items = slots(l);
    memmove(items + at + 1, items + at, (l->len - at) * sizeof *items);
    items[at] = item;
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
    if (l->len == l->cap && (rc = grow(l)) < 0) {
        rg_decref(item);
        return rc;
    }
    slots(l)[l->len++] = item;
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
    return slots(LIST(self))[at];
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
    rg_object **items = slots(LIST(self));
    rg_object *old = items[at];
    items[at] = item;
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
    rg_object **items = slots(l);
    rg_object *item = items[at];
    memmove(items + at, items + at + 1, (l->len - at - 1) * sizeof *items);
    if (--l->len == 0 && !has_buffer(l)) l->u.one = NULL;
    shrink(l);
    return item;
}

int rg_list_remove(rg_object *self, const rg_object *item) {
    int rc = check(self, item);
    if (rc) return rc;
    rg_list *l = LIST(self);
    for (size_t i = 0; i < l->len; i++) {
        if (rg_equal(slots(l)[i], item)) {
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
