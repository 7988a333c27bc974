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
    const char *name = (o->flags & RG__F_FREED) ? RG__TYPE(o)->name : rg_type_name(o);
    if (h->misuse) {
        h->misuse(kind, name, rg__id(o), (intptr_t)o->refcnt, h->misuse_ud);
        return;
    }
    fprintf(stderr, "refgraph: %s: %s id %llu refcount %ld\n", misuse_text(kind), name,
            (unsigned long long)rg__id(o), (long)o->refcnt);
    if (kind != RG_MISUSE_LEAK) abort();
}

void rg_heap_set_misuse_handler(rg_heap *h, rg_misuse_fn fn, void *ud) {
    h->misuse = fn;
    h->misuse_ud = ud;
}

int rg_heap_errno(const rg_heap *h) { return h->last_error; }

/* ---- lifecycle ------------------------------------------------------------------ */

/* ---- kinds ---------------------------------------------------------------------
 *
 * An object names its heap and type by a 16-bit kind in this process-wide
 * table (internal.h) rather than by two 8-byte pointers. A heap claims a
 * free entry with a compare-and-swap (heaps may be made and used on
 * several threads at once), writes the type, and remembers the pair; it
 * clears its entries when it is destroyed. */
rg__kind rg__kinds[RG_KINDS_MAX + 1];
static _Atomic unsigned kind_hint;

static uint16_t kind_claim(rg_heap *h, const rg_type *type) {
    unsigned start = atomic_load_explicit(&kind_hint, memory_order_relaxed);
    for (unsigned i = 0; i < RG_KINDS_MAX; i++) { /* each entry is tried once */
        unsigned k = 1 + (start + i) % RG_KINDS_MAX;
        rg_heap *expected = NULL;
        if (atomic_load_explicit(&rg__kinds[k].heap, memory_order_relaxed) == NULL &&
            atomic_compare_exchange_strong(&rg__kinds[k].heap, &expected, h)) {
            rg__kinds[k].type = type;
            atomic_store_explicit(&kind_hint, k, memory_order_relaxed);
            return (uint16_t)k;
        }
    }
    return 0;
}

uint16_t rg__kind_of(rg_heap *h, const rg_type *type) {
    if (type == h->kind_type) return h->kind_last;
    void **v = rg__ptrmap_find(&h->kinds, type);
    uint16_t k = v ? (uint16_t)(uintptr_t)*v : 0;
    if (!k) {
        v = rg__ptrmap_upsert(h, &h->kinds, type);
        if (!v) {
            h->last_error = RG_ENOMEM;
            return 0;
        }
        k = kind_claim(h, type);
        if (!k) {
            rg__ptrmap_remove(&h->kinds, type);
            h->last_error = RG_ERANGE;
            return 0;
        }
        *v = (void *)(uintptr_t)k;
    }
    h->kind_type = type;
    h->kind_last = k;
    return k;
}

/* Gives back every kind of the heap: none of its objects is left. */
static void kinds_release(rg_heap *h) {
    for (size_t i = 0; i < h->kinds.cap; i++)
        if (h->kinds.slots[i].key) {
            unsigned k = (unsigned)(uintptr_t)h->kinds.slots[i].value;
            rg__kinds[k].type = NULL;
            atomic_store_explicit(&rg__kinds[k].heap, NULL, memory_order_release);
        }
    rg__ptrmap_free(h, &h->kinds);
    h->kind_type = NULL;
}

rg_heap *rg_heap_new(void) { return rg_heap_new_with(&rg__std_allocator); }

rg_heap *rg_heap_new_with(const rg_allocator *allocator) {
    if (!allocator || !allocator->malloc || !allocator->realloc || !allocator->free) return NULL;
    rg_heap *h = allocator->malloc(allocator->ud, sizeof *h);
    if (!h) return NULL;
    memset(h, 0, sizeof *h);
    h->alloc = *allocator;
    h->big_atoms.next = h->big_atoms.prev = &h->big_atoms;
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

    /* The table of kinds starts with room for 48 types (the built-in ones
     * take 11) in one block of the allocator's, above the slabs' sizes: a
     * heap without containers then holds no slab of the main arena. */
    enum { KINDS_CAP0 = 64 };
    _Static_assert(KINDS_CAP0 * sizeof(rg__ptrmap_slot) > RG__SMALL_MAX, "the kinds' first table is no slab block");
    if (rg__alloc_init(h) != 0 || !(h->kinds.slots = rg__malloc(h, KINDS_CAP0 * sizeof *h->kinds.slots))) {
        rg_heap_destroy(h);
        return NULL;
    }
    memset(h->kinds.slots, 0, KINDS_CAP0 * sizeof *h->kinds.slots);
    h->kinds.cap = KINDS_CAP0;
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
    c->n += RG__TYPE(o) == c->type;
    return 0;
}

/* A walk, not a counter: the query is rare, allocation is hot. */
size_t rg_heap_count_type(const rg_heap *h, const rg_type *type) {
    type_count c = {type, 0};
    rg_heap_foreach((rg_heap *)h, count_one, &c);
    return c.n;
}

/* Every container, list by list (fn returns non-zero to stop). */
static int foreach_container(rg_heap *h, int (*fn)(rg_object *o, void *arg), void *arg) {
    rg_gc_link *lists[] = {&h->untracked, &h->gens[0], &h->gens[1], &h->gens[2], &h->permanent};
    for (size_t i = 0; i < sizeof lists / sizeof *lists; i++) {
        for (rg_gc_link *l = lists[i]->next; l != lists[i]; l = l->next) {
            int rc = fn(RG__OBJ(l), arg);
            if (rc) return rc;
        }
    }
    return 0;
}

int rg_heap_foreach(rg_heap *h, int (*fn)(rg_object *o, void *arg), void *arg) {
    int rc = rg__atoms_foreach(h, fn, arg);
    return rc ? rc : foreach_container(h, fn, arg);
}

/* Frees every object still alive after teardown's collections: the
 * leaks. Each is reported, then the containers are cleared while held (so
 * none is freed by a decref half-way) and finally everything is released. */
typedef struct survivors {
    rg_heap *h;
    size_t n;
} survivors;

static int report_survivor(rg_object *o, void *arg) {
    survivors *sv = arg;
    rg_heap *h = sv->h;
    if (o != h->none && o != h->true_ && o != h->false_) {
        rg__misuse(h, RG_MISUSE_LEAK, o);
        sv->n++;
    }
    return 0;
}

static int destroy_atom(rg_object *o, void *arg) {
    rg_heap *h = arg;
    if (RG__TYPE(o)->destroy) RG__TYPE(o)->destroy(o);
    h->live--;
    return 0;
}

static int count_one_container(rg_object *o, void *arg) {
    (void)o;
    (*(size_t *)arg)++;
    return 0;
}

static size_t free_survivors(rg_heap *h) {
    survivors sv = {h, 0};
    /* Every live container is on a list; the rest of h->live are atoms.
     * When they are only the singletons (never freed: release() refuses;
     * a leaked reference to one rg_heap_destroy reports; no destroy to run:
     * None and bool have none), the atoms' slabs are not walked: a pass
     * over all of them, which nothing needs. */
    size_t containers = 0, singletons = (h->none != NULL) + (h->true_ != NULL) + (h->false_ != NULL);
    foreach_container(h, count_one_container, &containers);
    int walk_atoms = h->live != containers + singletons || rg_none_type.destroy || rg_bool_type.destroy;
    if (walk_atoms)
        rg_heap_foreach(h, report_survivor, &sv);
    else
        foreach_container(h, report_survivor, &sv);
    rg_gc_link all;
    rg__list_init(&all);
    for (int i = 0; i < RG_GC_GENERATIONS; i++) rg__list_merge(&h->gens[i], &all);
    rg__list_merge(&h->permanent, &all);
    rg__list_merge(&h->untracked, &all);
    for (rg_gc_link *l = all.next; l != &all; l = l->next) RG__OBJ(l)->refcnt += 1; /* our hold */
    for (rg_gc_link *l = all.next; l != &all; l = l->next) {
        rg_object *o = RG__OBJ(l);
        if (RG__TYPE(o)->clear) RG__TYPE(o)->clear(o);
    }
    while (!rg__list_empty(&all)) {
        rg_object *o = RG__OBJ(all.next);
        rg__list_remove(RG__LINK(o));
        if (RG__TYPE(o)->destroy) RG__TYPE(o)->destroy(o);
        h->live--;
        rg__free(h, RG__GC(o), sizeof(rg__gchead) + rg__block_size(o));
    }
    /* Atoms: their destroy functions run; the small ones' blocks go with
     * the slabs, the large ones (all of them with RG_ALLOCATOR_EACH_BLOCK)
     * are freed one by one. No allocation: this must work out of memory. */
    /* Again after the containers' clear and destroy, which may have made
     * atoms. */
    if (walk_atoms || h->live != singletons)
        rg__atoms_foreach(h, destroy_atom, h);
    else
        h->live = 0;
    while (h->big_atoms.next != &h->big_atoms) {
        rg_object *o = (rg_object *)(void *)(h->big_atoms.next + 1);
        rg__atom_free(h, o, rg__block_size(o));
    }
    return sv.n;
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
    h->gc_state = RG__GC_IDLE;
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
        if (round == 2) h->tearing_down = 1;
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
    /* The survivors are freed without release(): no entry may point to
     * them, and none is added while they are cleared. */
    rg__purple_reset(h);
    h->purple_overflow = 1;
    leaked += free_survivors(h);
    rg__ptrmap_free(h, &h->weakrefs);
    rg__ptrmap_free(h, &h->weakref_ud);
    rg__ptrmap_free(h, &h->old_ids);
    kinds_release(h);
    rg__free(h, h->callbacks, h->callbacks_cap * sizeof *h->callbacks);
    rg__free(h, h->purple, h->purple_cap * sizeof *h->purple);
    rg__intern_free(h);
    rg__alloc_destroy(h);
    rg_allocator a = h->alloc;
    a.free(a.ud, h, sizeof *h);
    return leaked;
}
