/* roots.c — the named roots: global variables and a stack of frames. */
#include "internal.h"

int rg__namemap_set_new(rg_heap *h, rg__namemap *m, const char *name, rg_object *value) {
    if (!name || !value) {
        rg_decref(value);
        return rg__fail(h, RG_EINVAL);
    }
    for (size_t i = 0; i < m->len; i++) {
        if (strcmp(m->items[i].name, name) == 0) {
            rg_object *old = m->items[i].value;
            m->items[i].value = value;
            rg_decref(old);
            return 0;
        }
    }
    if (m->len == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 8;
        rg__binding *items = rg__realloc(h, m->items, m->cap * sizeof *items, cap * sizeof *items);
        if (!items) {
            rg_decref(value);
            return RG_ENOMEM;
        }
        m->items = items;
        m->cap = cap;
    }
    char *copy = rg__strdup(h, name);
    if (!copy) {
        rg_decref(value);
        return RG_ENOMEM;
    }
    m->items[m->len++] = (rg__binding){copy, value};
    return 0;
}

rg_object *rg__namemap_get(const rg__namemap *m, const char *name) {
    if (!name) return NULL;
    for (size_t i = 0; i < m->len; i++)
        if (strcmp(m->items[i].name, name) == 0) return m->items[i].value;
    return NULL;
}

int rg__namemap_del(rg_heap *h, rg__namemap *m, const char *name) {
    if (!name) return rg__fail(h, RG_EINVAL);
    for (size_t i = 0; i < m->len; i++) {
        if (strcmp(m->items[i].name, name) == 0) {
            rg_object *v = m->items[i].value;
            rg__strfree(h, m->items[i].name);
            memmove(m->items + i, m->items + i + 1, (m->len - i - 1) * sizeof *m->items);
            m->len--;
            rg_decref(v);
            return 0;
        }
    }
    return rg__fail(h, RG_EKEY);
}

/* Releases the bindings of a map already detached from its owner, from the
 * last name back, as a frame's locals die. Each decref may run a finalizer
 * that binds names or pushes frames (moving h->frames): the detached copy
 * is the only thing read across them. */
static void release_detached(rg_heap *h, rg__namemap taken) {
    while (taken.len) {
        rg__binding *b = &taken.items[--taken.len];
        rg_object *v = b->value;
        rg__strfree(h, b->name);
        rg_decref(v);
    }
    rg__free(h, taken.items, taken.cap * sizeof *taken.items);
}

/* Empties *m. What finalizers bind meanwhile goes to a fresh table, which
 * the next round releases; every finalizer runs once, so the rounds end. */
void rg__namemap_clear(rg_heap *h, rg__namemap *m) {
    while (m->items) {
        rg__namemap taken = *m;
        *m = (rg__namemap){NULL, 0, 0};
        release_detached(h, taken);
    }
}

/* ---- globals ------------------------------------------------------------------- */

int rg_global_set_new(rg_heap *h, const char *name, rg_object *value) {
    return rg__namemap_set_new(h, &h->globals, name, value);
}
int rg_global_set(rg_heap *h, const char *name, rg_object *value) {
    rg_incref(value);
    return rg__namemap_set_new(h, &h->globals, name, value);
}
rg_object *rg_global_get(const rg_heap *h, const char *name) { return rg__namemap_get(&h->globals, name); }
int rg_global_del(rg_heap *h, const char *name) { return rg__namemap_del(h, &h->globals, name); }
size_t rg_global_count(const rg_heap *h) { return h->globals.len; }

int rg_global_at(const rg_heap *h, size_t i, const char **name, rg_object **value) {
    if (i >= h->globals.len) return RG_EINDEX;
    if (name) *name = h->globals.items[i].name;
    if (value) *value = h->globals.items[i].value;
    return 0;
}

/* ---- frames -------------------------------------------------------------------- */

int rg_frame_push(rg_heap *h, const char *name) {
    if (!name) return rg__fail(h, RG_EINVAL);
    if (h->nframes == h->frames_cap) {
        size_t cap = h->frames_cap ? h->frames_cap * 2 : 8;
        rg__frame *f = rg__realloc(h, h->frames, h->frames_cap * sizeof *f, cap * sizeof *f);
        if (!f) return RG_ENOMEM;
        h->frames = f;
        h->frames_cap = cap;
    }
    char *copy = rg__strdup(h, name);
    if (!copy) return RG_ENOMEM;
    h->frames[h->nframes++] = (rg__frame){copy, {NULL, 0, 0}};
    return 0;
}

int rg_frame_pop(rg_heap *h) {
    if (!h->nframes) return rg__fail(h, RG_ENOFRAME);
    /* Locals die while the frame still exists, as when a function returns.
     * A finalizer they run may push frames, moving the array: the frame is
     * found again by its index after every round. */
    size_t idx = h->nframes - 1;
    while (idx < h->nframes && h->frames[idx].locals.items) {
        rg__namemap taken = h->frames[idx].locals;
        h->frames[idx].locals = (rg__namemap){NULL, 0, 0};
        release_detached(h, taken);
    }
    if (idx >= h->nframes) return 0; /* a finalizer popped it (a misuse) */
    rg__strfree(h, h->frames[idx].name);
    h->nframes = idx;
    return 0;
}

size_t rg_frame_depth(const rg_heap *h) { return h->nframes; }

const char *rg_frame_name(const rg_heap *h, size_t depth) {
    return depth < h->nframes ? h->frames[depth].name : NULL;
}

static rg__frame *top(const rg_heap *h) { return h->nframes ? &h->frames[h->nframes - 1] : NULL; }

int rg_local_set_new(rg_heap *h, const char *name, rg_object *value) {
    rg__frame *f = top(h);
    if (!f) {
        rg_decref(value);
        return rg__fail(h, RG_ENOFRAME);
    }
    return rg__namemap_set_new(h, &f->locals, name, value);
}

int rg_local_set(rg_heap *h, const char *name, rg_object *value) {
    rg_incref(value);
    return rg_local_set_new(h, name, value);
}

rg_object *rg_local_get(const rg_heap *h, const char *name) {
    rg__frame *f = top(h);
    return f ? rg__namemap_get(&f->locals, name) : NULL;
}

int rg_local_del(rg_heap *h, const char *name) {
    rg__frame *f = top(h);
    if (!f) return rg__fail(h, RG_ENOFRAME);
    return rg__namemap_del(h, &f->locals, name);
}

size_t rg_frame_local_count(const rg_heap *h, size_t depth) {
    return depth < h->nframes ? h->frames[depth].locals.len : 0;
}

int rg_frame_local_at(const rg_heap *h, size_t depth, size_t i, const char **name, rg_object **value) {
    if (depth >= h->nframes || i >= h->frames[depth].locals.len) return RG_EINDEX;
    if (name) *name = h->frames[depth].locals.items[i].name;
    if (value) *value = h->frames[depth].locals.items[i].value;
    return 0;
}
