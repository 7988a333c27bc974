/* heap.c — heap lifecycle, statistics and misuse reports. Teardown doubles
 * as the leak check. The allocator is alloc.c. */
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "internal.h"

size_t rg__list_len(const rg_gc_link *head) {
    size_t n = 0;
    for (const rg_gc_link *l = head->next; l != head; l = l->next) n++;
    return n;
}

/* ---- misuse ------------------------------------------------------------------ */

static const char *misuse_text(rg_misuse kind) {
    switch (kind) {
    case RG_MISUSE_DECREF_BELOW_ZERO: return "decref below zero";
    case RG_MISUSE_FREED_OBJECT: return "use of a freed object";
    case RG_MISUSE_LEAK: return "object still alive at heap teardown";
    }
    return "misuse";
}

void rg__misuse(rg_heap *h, rg_misuse kind, const rg_object *o) {
    /* A freed instance's class may be gone: name the type, not the class. */
    const char *name = (o->flags & RG__F_FREED) ? o->type->name : rg_type_name(o);
    if (h->misuse) {
        h->misuse(kind, name, o->id, o->refcnt, h->misuse_ud);
        return;
    }
    fprintf(stderr, "refgraph: %s: %s id %llu refcount %ld\n", misuse_text(kind), name,
            (unsigned long long)o->id, (long)o->refcnt);
    if (kind != RG_MISUSE_LEAK) abort();
}

void rg_heap_set_misuse_handler(rg_heap *h, rg_misuse_fn fn, void *ud) {
    h->misuse = fn;
    h->misuse_ud = ud;
}

int rg_heap_errno(const rg_heap *h) { return h->last_error; }

/* ---- lifecycle ------------------------------------------------------------------ */

rg_heap *rg_heap_new(void) { return rg_heap_new_with(&rg__std_allocator); }

rg_heap *rg_heap_new_with(const rg_allocator *allocator) {
    if (!allocator || !allocator->malloc || !allocator->realloc || !allocator->free) return NULL;
    rg_heap *h = allocator->malloc(allocator->ud, sizeof *h);
    if (!h) return NULL;
    memset(h, 0, sizeof *h);
    h->alloc = *allocator;
    /* Not secret, only distinct: time, address and a per-process count. */
    /* Heaps may be made on several threads at once: the count is atomic. */
    static _Atomic uint64_t made;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t x = ((uint64_t)ts.tv_sec * 1000000007ULL) ^ (uint64_t)ts.tv_nsec ^ ((uint64_t)(uintptr_t)h << 16) ^
                 ((atomic_fetch_add(&made, 1) + 1) * 0x9e3779b97f4a7c15ULL);
    x ^= x >> 31;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 29;
    h->heap_id = x ? x : 1;
    h->bytes = h->peak = sizeof *h; /* the heap's own struct, not cached */
    for (int i = 0; i < RG_GC_GENERATIONS; i++) rg__list_init(&h->gens[i]);
    rg__list_init(&h->permanent);
    rg__list_init(&h->untracked);
    h->gen[0].threshold = 700;
    h->gen[1].threshold = 10;
    h->gen[2].threshold = 10;
    h->enabled = 1;
    h->debug_stream = NULL; /* stderr, resolved at use */

    h->none = rg__object_alloc(h, &rg_none_type, rg_none_type.basic_size, 0);
    h->true_ = rg__object_alloc(h, &rg_bool_type, rg_bool_type.basic_size, 0);
    h->false_ = rg__object_alloc(h, &rg_bool_type, rg_bool_type.basic_size, 0);
    if (!h->none || !h->true_ || !h->false_) {
        rg_heap_destroy(h);
        return NULL;
    }
    rg__bool_init(h->true_, 1);
    rg__bool_init(h->false_, 0);
    return h;
}

void rg_heap_get_stats(const rg_heap *h, rg_heap_stats *out) {
    out->bytes_in_use = h->bytes;
    out->peak_bytes = h->peak;
    out->live_objects = h->live;
    out->max_id = h->next_id;
    out->cached_bytes = h->cached_bytes;
}

typedef struct type_count {
    const rg_type *type;
    size_t n;
} type_count;

static int count_one(rg_object *o, void *arg) {
    type_count *c = arg;
    c->n += o->type == c->type;
    return 0;
}

/* A walk, not a counter: the query is rare, allocation is hot. */
size_t rg_heap_count_type(const rg_heap *h, const rg_type *type) {
    type_count c = {type, 0};
    rg_heap_foreach((rg_heap *)h, count_one, &c);
    return c.n;
}

int rg_heap_foreach(rg_heap *h, int (*fn)(rg_object *o, void *arg), void *arg) {
    rg_gc_link *lists[] = {&h->untracked, &h->gens[0], &h->gens[1], &h->gens[2], &h->permanent};
    for (size_t i = 0; i < sizeof lists / sizeof *lists; i++) {
        for (rg_gc_link *l = lists[i]->next; l != lists[i]; l = l->next) {
            int rc = fn(RG__OBJ(l), arg);
            if (rc) return rc;
        }
    }
    return 0;
}

/* Frees every object still on a list after teardown's collections: the leaks.
 * Each is reported, then all are cleared while held (so none is freed by a
 * decref half-way) and finally released. */
static size_t free_survivors(rg_heap *h) {
    rg_gc_link all;
    rg__list_init(&all);
    for (int i = 0; i < RG_GC_GENERATIONS; i++) rg__list_merge(&h->gens[i], &all);
    rg__list_merge(&h->permanent, &all);
    rg__list_merge(&h->untracked, &all);
    size_t n = 0;
    for (rg_gc_link *l = all.next; l != &all; l = l->next) {
        rg_object *o = RG__OBJ(l);
        if (o != h->none && o != h->true_ && o != h->false_) {
            rg__misuse(h, RG_MISUSE_LEAK, o);
            n++;
        }
        o->refcnt += 1; /* our hold: nothing below reaches zero */
    }
    for (rg_gc_link *l = all.next; l != &all; l = l->next) {
        rg_object *o = RG__OBJ(l);
        if (o->type->clear) o->type->clear(o);
    }
    while (!rg__list_empty(&all)) {
        rg_object *o = RG__OBJ(all.next);
        rg__list_remove(&o->gc);
        if (o->type->destroy) o->type->destroy(o);
        h->live--;
        rg__free(h, o, rg__block_size(o));
    }
    return n;
}

/* Pops every frame and unbinds every global, and frees their tables.
 * Returns 1 if there was anything to release. Finalizers run by it (or by
 * a collection) may push frames or bind globals again: teardown calls it
 * every round. */
static int release_roots(rg_heap *h) {
    int any = h->nframes || h->frames || h->globals.items;
    while (h->nframes) rg_frame_pop(h);
    rg__free(h, h->frames, h->frames_cap * sizeof *h->frames);
    h->frames = NULL;
    h->frames_cap = 0;
    rg__namemap_clear(h, &h->globals);
    return any;
}

size_t rg_heap_destroy(rg_heap *h) {
    if (!h) return 0;
    release_roots(h);
    h->debug &= ~RG_GC_DEBUG_SAVEALL;
    h->collecting = 0;
    rg_gc_unfreeze(h); /* frozen objects die with the heap too */
    /* Collect until nothing is found; garbage the program left on the
     * garbage list, and roots that finalizers bound, are released each
     * round. The last rounds treat legacy finalizers as ordinary ones, so
     * their cycles are freed too. Bounded: 100 rounds at most. */
    for (int round = 0; round < 100; round++) {
        int released = release_roots(h);
        if (h->garbage) {
            rg_object *g = h->garbage;
            h->garbage = NULL;
            rg_decref(g);
            released = 1;
        }
        if (round == 2) h->finalizing = 1;
        long found = rg_gc_collect(h, 2);
        if (found == 0 && !released && !h->garbage && !h->nframes && !h->frames && !h->globals.items &&
            round >= 2)
            break;
    }
    release_roots(h); /* what the last round's finalizers bound */
    if (h->garbage) {
        rg_object *g = h->garbage;
        h->garbage = NULL;
        rg_decref(g);
    }
    h->ncallbacks = 0;
    rg_object *singletons[3] = {h->none, h->true_, h->false_};
    size_t leaked = 0;
    /* The singletons hold the heap's own reference; others are leaks. */
    for (int i = 0; i < 3; i++) {
        if (singletons[i] && singletons[i]->refcnt > 1) {
            rg__misuse(h, RG_MISUSE_LEAK, singletons[i]);
            leaked++;
        }
    }
    h->npurple = 0; /* the survivors are freed without release() */
    leaked += free_survivors(h);
    rg__ptrmap_free(h, &h->weakrefs);
    rg__free(h, h->callbacks, h->callbacks_cap * sizeof *h->callbacks);
    rg__free(h, h->purple, h->purple_cap * sizeof *h->purple);
    rg__intern_free(h);
    rg__alloc_destroy(h);
    rg_allocator a = h->alloc;
    a.free(a.ud, h, sizeof *h);
    return leaked;
}
