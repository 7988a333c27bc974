/* object.c — allocation, reference counting and the freeing worklist, plus
 * the generic object accessors and introspection. */
#include <inttypes.h>

#include "internal.h"

/* ---- ids and eras --------------------------------------------------------------
 *
 * An object's header holds the low RG__ID_BITS bits of its id, the stamp;
 * the rest is the heap's era, the high bits of h->next_id. Before the
 * stamps run out (within the last sixteenth of an era) the heap begins the
 * next era: it records the full id of every live object not yet recorded
 * in h->old_ids and marks it RG__F_OLDERA, then moves next_id to the next
 * era's start. Ids stay 64-bit, never reused, larger for later objects and
 * the same in every dump; the walk costs one pass over the live objects per
 * 2^48 allocations, and a map entry per object that outlives its era.
 *
 * It is done only while no collection runs and nothing is being freed
 * (every live object is then on the heap's own lists, where
 * rg_heap_foreach finds it); until such a moment, or while recording runs
 * out of memory, the heap goes on with the stamps left, and making an
 * object fails at the last one (RG_ERANGE, RG_ENOMEM). */
#define RG__ERA_RESERVE (RG__STAMP_MAX >> 4)

static uint64_t id_in_era(uint64_t era_base, const rg_object *o) {
    return era_base | ((uint64_t)o->id_hi << 32 | o->id_lo);
}

uint64_t rg__id(const rg_object *o) {
    const rg_heap *h = RG__HEAP(o);
    if (o->flags & RG__F_FREED) {
        /* A freed header (debug builds keep it, for misuse reports) has
         * its era's low 16 bits in aux (retire_id): the latest era with
         * those bits, right unless 2^16 eras went by since. */
        uint64_t era = h->next_id >> RG__ID_BITS;
        era -= (uint16_t)(era - o->aux);
        return id_in_era(era << RG__ID_BITS, o);
    }
    if (o->flags & RG__F_OLDERA) {
        void **v = rg__ptrmap_find(&h->old_ids, o);
        return v ? (uint64_t)(uintptr_t)*v : 0;
    }
    return id_in_era(h->next_id & ~RG__STAMP_MAX, o);
}

uint16_t rg__era(const rg_heap *h) { return (uint16_t)(h->next_id >> RG__ID_BITS); }

/* An object's block is being freed: its era goes into aux (nothing reads
 * a freed object's aux as the collector's) and its record, if it has one,
 * leaves old_ids, so that rg__id still answers for the freed header. The
 * record stays until then: a dying object's destroy, or a misuse report
 * while it waits on the worklist, reads its id. */
static void retire_id(rg_heap *h, rg_object *o) {
    uint64_t era = rg__era(h); /* an unrecorded object's */
    if (o->flags & RG__F_OLDERA) {
        era = rg__id(o) >> RG__ID_BITS;
        rg__ptrmap_remove(&h->old_ids, o);
    }
    o->aux = (uint16_t)era;
}

typedef struct era_walk {
    rg_heap *h;
    uint64_t base;
} era_walk;

static int record_id(rg_object *o, void *arg) {
    era_walk *w = arg;
    if (o->flags & RG__F_OLDERA) return 0;
    void **v = rg__ptrmap_upsert(w->h, &w->h->old_ids, o);
    if (!v) return RG_ENOMEM;
    *v = (void *)(uintptr_t)id_in_era(w->base, o);
    o->flags |= RG__F_OLDERA;
    return 0;
}

/* Records every live object of the current era and begins the next: 0, or
 * -1 (h->last_error set) when it cannot now. What was recorded stays
 * recorded, with its right id, so a later attempt continues. */
static int begin_era(rg_heap *h) {
    if (UINTPTR_MAX < UINT64_MAX) return rg__fail(h, RG_ERANGE), -1; /* a map value holds an id */
    if (h->gc_state != RG__GC_IDLE || h->draining || h->pending || h->dead) return rg__fail(h, RG_ERANGE), -1;
    if (h->next_id >= UINT64_MAX - RG__STAMP_MAX) return rg__fail(h, RG_ERANGE), -1;
    era_walk w = {h, h->next_id & ~RG__STAMP_MAX};
    if (rg_heap_foreach(h, record_id, &w) != 0) return rg__fail(h, RG_ENOMEM), -1;
    h->next_id |= RG__STAMP_MAX; /* the next id is the next era's first */
    return 0;
}

/* Makes sure an id is left for the object about to be made: 0, or -1. */
static int take_id(rg_heap *h) {
    if ((h->next_id & RG__STAMP_MAX) >= RG__STAMP_MAX - RG__ERA_RESERVE && begin_era(h) != 0 &&
        (h->next_id & RG__STAMP_MAX) == RG__STAMP_MAX)
        return -1;
    return 0;
}

/* ---- allocation ---------------------------------------------------------------- */

rg_object *rg__object_alloc(rg_heap *h, const rg_type *type, size_t size, int track) {
    rg_object *o;
    uint16_t kind = rg__kind_of(h, type);
    if (!kind) return NULL;
    if (type->traverse) {
        h->gen[0].count++;
        rg__gc_maybe_collect(h);
        rg__gchead *g = size <= SIZE_MAX - sizeof *g ? rg__malloc(h, sizeof *g + size) : NULL;
        if (!g) {
            h->last_error = RG_ENOMEM;
            if (h->gen[0].count > 0) h->gen[0].count--;
            return NULL;
        }
        /* The id is taken after the collection, which may make objects. */
        if (take_id(h) != 0) {
            rg__free(h, g, sizeof *g + size);
            if (h->gen[0].count > 0) h->gen[0].count--;
            return NULL;
        }
        memset(g, 0, sizeof *g + size);
        o = (rg_object *)(void *)(g + 1);
    } else {
        if (take_id(h) != 0) return NULL;
        o = rg__atom_malloc(h, size);
        if (!o) return NULL;
        memset(o, 0, size);
    }
    o->kind = kind;
    uint64_t stamp = ++h->next_id & RG__STAMP_MAX;
    o->id_lo = (uint32_t)stamp;
    o->id_hi = (uint16_t)(stamp >> 32);
    o->refcnt = 1;
    if (track) {
        o->flags = RG__F_TRACKED;
        h->tracked_live++;
        if (!rg__is_builtin_container(type)) h->foreign_live++;
        rg__list_append(&h->gens[0], RG__LINK(o));
    } else if (type->traverse) {
        rg__list_append(&h->untracked, RG__LINK(o));
    }
    h->live++;
    return o;
}

rg_object *rg_object_new(rg_heap *h, const rg_type *type) {
    /* A container must be able to drop its references: clear is how the
     * collector breaks a cycle and how freeing releases the referents. */
    if (!h || !type || type->basic_size < sizeof(rg_object) || (type->traverse && !type->clear)) {
        if (h) h->last_error = RG_EINVAL;
        return NULL;
    }
    return rg__object_alloc(h, type, type->basic_size, type->traverse != NULL);
}

void rg__track(rg_object *o) {
    if (o->flags & RG__F_TRACKED) return;
    rg_heap *h = RG__HEAP(o);
    o->flags = (uint16_t)((o->flags & ~RG__F_CLEAN) | RG__F_TRACKED);
    h->tracked_live++;
    rg__list_move(RG__LINK(o), &h->gens[0]);
    /* Its decrements while untracked went unrecorded ("clean objects" in
     * gc.c relies on every tracked object's being recorded). */
    rg__record(o);
}

void rg__untrack_unlinked(rg_object *o) {
    rg_heap *h = RG__HEAP(o);
    o->flags &= (uint16_t)~(RG__F_TRACKED | RG__F_CLEAN);
    h->tracked_live--;
    rg__list_append(&h->untracked, RG__LINK(o));
}

void rg__untrack(rg_object *o) {
    if (!(o->flags & RG__F_TRACKED)) return;
    rg__list_remove(RG__LINK(o));
    rg__untrack_unlinked(o);
}

int rg__may_be_tracked(const rg_object *o) {
    if (!RG__TYPE(o)->traverse) return 0;
    return RG__TYPE(o) != &rg_tuple_type || (o->flags & RG__F_TRACKED);
}

/* ---- freeing ---------------------------------------------------------------------- */

/* The accounting of an object going away; returns its block's size. */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((always_inline))
#endif
static inline size_t forget_typed(rg_heap *h, rg_object *o, const rg_type *t) {
    size_t size = t == &rg_str_type || t == &rg_tuple_type ? rg__block_size(o) : t->basic_size;
    /* It is no possible root any more; an entry of the buffer may still
     * point to it (INBUF): its block then stays, a ghost (free_block). */
    o->flags &= (uint16_t)~RG__F_PURPLE;
    if (t->destroy) t->destroy(o);
    if (t->traverse && h->gen[0].count > 0) h->gen[0].count--;
    if (o->flags & RG__F_TRACKED) {
        h->tracked_live--;
        if (!rg__is_builtin_container(t)) h->foreign_live--;
    }
    if (o->flags & RG__F_FROZEN) h->frozen_live--;
    h->live--;
    return size;
}

static size_t forget(rg_heap *h, rg_object *o) { return forget_typed(h, o, RG__TYPE(o)); }

/* Keeps a dead container's block while an entry of the possible-root
 * buffer points to it (INBUF): a ghost, FREED to every check, its block's
 * size in its link's prev, until the buffer drops the entry and calls
 * rg__ghost_free. extra is kept in the flags (UNREACHABLE: see
 * rg__free_garbage). */
static void make_ghost(rg_heap *h, rg_object *o, size_t size, uint16_t extra) {
    o->flags = (uint16_t)(RG__F_FREED | RG__F_INBUF | extra);
    o->refcnt = 0;
    RG__LINK(o)->next = NULL;
    RG__LINK(o)->prev = (rg_gc_link *)(void *)(uintptr_t)(sizeof(rg__gchead) + size);
    rg__ghost_keep(h, sizeof(rg__gchead) + size);
}

void rg__ghost_free(rg_heap *h, rg_object *o) {
    size_t size = (size_t)(uintptr_t)(void *)RG__LINK(o)->prev;
    o->flags = RG__F_FREED;
    rg__ghost_release(h, RG__GC(o), size);
}

/* Frees an object's block: the collector's header before a container. */
static void free_block(rg_heap *h, rg_object *o, size_t size) {
    retire_id(h, o);
    if (o->flags & RG__F_INBUF) {
        make_ghost(h, o, size, 0);
        return;
    }
    o->flags = RG__F_FREED;
    if (!RG__TYPE(o)->traverse) {
#if RG_QUARANTINE
        o->refcnt = 0; /* kept poisoned for a while, so late incref/decref is caught */
#endif
        rg__atom_free(h, o, size);
        return;
    }
#if RG_QUARANTINE
    o->refcnt = 0;
    rg__quarantine(h, RG__GC(o), sizeof(rg__gchead) + size, RG__ARENA_MAIN);
#else
    rg__free(h, RG__GC(o), sizeof(rg__gchead) + size);
#endif
}

static void release_memory(rg_heap *h, rg_object *o) { free_block(h, o, forget(h, o)); }

/* A container released while others are being freed: accounted for now,
 * its block kept (DYING, refcount 0, so a stray second decref from a
 * clear() still running is reported as below zero rather than touching
 * freed memory) until the outermost release is back at its top. Linked
 * through its link.next; its block's size is computed again then. */
static void release_later(rg_heap *h, rg_object *o) {
    forget(h, o);
    RG__LINK(o)->next = (rg_gc_link *)h->dead;
    h->dead = o;
}

static void free_dead(rg_heap *h) {
    while (h->dead) {
        rg_object *d = h->dead;
        h->dead = (rg_object *)RG__LINK(d)->next;
        RG__LINK(d)->next = NULL;
        free_block(h, d, rg__block_size(d));
    }
}

void rg__free_garbage_any(rg_heap *h, rg_object *o, const rg_type *t) {
    size_t size = forget_typed(h, o, t);
    retire_id(h, o);
    /* Still UNREACHABLE: other garbage may decref it until the flush (or
     * while it is a ghost: the buffer keeps ghosts made while DELETING). */
    if (o->flags & RG__F_INBUF) {
        make_ghost(h, o, size, RG__F_UNREACHABLE);
        return;
    }
    o->flags = RG__F_FREED | RG__F_UNREACHABLE;
#if RG_QUARANTINE
    o->refcnt = 0;
#endif
    rg__free_deferred(h, RG__GC(o), sizeof(rg__gchead) + size);
}

/* Finalizes, clears and frees one object whose refcount reached zero. */
static void dealloc(rg_heap *h, rg_object *o) {
    void (*fin)(rg_object *) = rg__finalizer_of(o);
    if (fin && !(o->flags & RG__F_FINALIZED)) {
        /* Run the finalizer on a live object: relinked, refcount 1. As in
         * CPython, a tracked one goes to generation 0, frozen or not: what
         * the finalizer resurrects is young again. */
        o->flags = (o->flags & ~RG__F_DYING) | RG__F_FINALIZED;
        o->refcnt = 1;
        if (o->flags & RG__F_FROZEN) {
            o->flags &= ~RG__F_FROZEN;
            h->frozen_live--;
        }
        if (o->flags & RG__F_TRACKED)
            rg__list_append(&h->gens[0], RG__LINK(o));
        else if (RG__TYPE(o)->traverse)
            rg__list_append(&h->untracked, RG__LINK(o));
        fin(o);
        if (--o->refcnt > 0) {
            /* Resurrected: dropping the finalizer's hold is a decrement to
             * a non-zero count like any other. The finalizer may have stored
             * o only in a cycle of its own (self.a = self): a possible root. */
            rg__record(o);
            return;
        }
        if (RG__TYPE(o)->traverse) rg__list_remove(RG__LINK(o));
        o->flags |= RG__F_DYING;
    }
    /* As CPython: weakrefs are cleared and their callbacks run before the
     * object releases its referents (the callbacks see it dead already). */
    if (o->flags & RG__F_HASWEAK) {
        rg_object *callbacks = rg__weakref_clear_all(o);
        if (callbacks) rg__weakref_run_callbacks(callbacks);
    }
    if (RG__TYPE(o)->clear) RG__TYPE(o)->clear(o); /* releases the referents: see release() */
    if (RG__TYPE(o)->traverse)
        release_later(h, o);
    else
        release_memory(h, o); /* an atom: no stray decref can come from its own clear */
}

/* Nested deallocations before the worklist takes over (CPython's trashcan
 * allows 50). */
#define RG__DEALLOC_DEPTH 50

static void release(rg_object *o) {
    rg_heap *h = RG__HEAP(o);
    if (!RG__TYPE(o)->traverse) {
        if (o == h->none || o == h->true_ || o == h->false_) {
            /* The heap holds None, True and False: this decref took its
             * own reference, one too many (CPython: "deallocating None").
             * They are never freed: the heap's reference is given back. */
            rg__misuse(h, RG_MISUSE_DECREF_BELOW_ZERO, o);
            o->refcnt = 1;
            return;
        }
        /* An atom holds no references: nothing to queue. */
        if (!RG__TYPE(o)->clear && !RG__TYPE(o)->finalize && !(o->flags & RG__F_HASWEAK)) {
            release_memory(h, o);
            return;
        }
        /* A finalizer or weakref callbacks to run: at once, since an atom
         * has no links to wait on the worklist with. */
        o->flags |= RG__F_DYING;
    } else {
        rg__list_remove(RG__LINK(o));
        o->flags = (o->flags & ~(RG__F_COLLECTING | RG__F_UNREACHABLE | RG__F_CLEAN)) | RG__F_DYING;
    }
    /* As CPython's deallocation: an object's referents die, each with all
     * it frees, before the next referent is released (the order is
     * visible: a weakref freed with an earlier referent gets no callback
     * for a later one). The nesting is bounded, like CPython's trashcan:
     * deeper objects wait on a worklist that the outermost release
     * drains, so freeing a long chain never recurses deeply. */
    if (h->draining >= RG__DEALLOC_DEPTH && RG__TYPE(o)->traverse) {
        RG__LINK(o)->next = (rg_gc_link *)h->pending;
        h->pending = o;
        return;
    }
    h->draining++;
    dealloc(h, o);
    if (h->draining == 1) {
        /* Back at the top, no clear() is running any more: the blocks can go. */
        free_dead(h);
        while (h->pending) {
            rg_object *next = h->pending;
            h->pending = (rg_object *)RG__LINK(next)->next;
            RG__LINK(next)->next = NULL;
            dealloc(h, next);
            free_dead(h);
        }
    }
    h->draining--;
}

void rg_incref(rg_object *o) {
    if (!o) return;
    /* A dying object sits on the free worklist with refcount 0: reviving
     * it now would leave a dangling reference once the worklist frees it. */
    if (o->flags & (RG__F_FREED | RG__F_DYING)) {
        rg__misuse(RG__HEAP(o), RG_MISUSE_FREED_OBJECT, o);
        return;
    }
    if (o->refcnt != UINT32_MAX) o->refcnt++; /* at the top: immortal */
}

void rg_decref(rg_object *o) {
    if (!o) return;
    if (o->flags & (RG__F_FREED | RG__F_UNREACHABLE)) {
        /* Garbage the collector is deleting all at once: its references
         * to one another die with it, uncounted. */
        if ((o->flags & RG__F_UNREACHABLE) && RG__HEAP(o)->gc_state == RG__GC_DELETING) return;
        if (o->flags & RG__F_FREED) {
            rg__misuse(RG__HEAP(o), RG_MISUSE_FREED_OBJECT, o);
            return;
        }
    }
    if (o->refcnt == 0) {
        rg__misuse(RG__HEAP(o), RG_MISUSE_DECREF_BELOW_ZERO, o);
        return;
    }
    if (o->refcnt == UINT32_MAX) return; /* immortal */
    if (--o->refcnt == 0)
        release(o);
    else
        rg__possible_root(o); /* it may have just become garbage in a cycle */
}

/* ---- accessors ---------------------------------------------------------------------- */

intptr_t rg_refcount(const rg_object *o) { return o ? (intptr_t)o->refcnt : 0; }
uint64_t rg_id(const rg_object *o) { return o ? rg__id(o) : 0; }
const rg_type *rg_type_of(const rg_object *o) { return o ? RG__TYPE(o) : NULL; }
rg_heap *rg_object_heap(const rg_object *o) { return o ? RG__HEAP(o) : NULL; }

const char *rg_type_name(const rg_object *o) {
    if (!o) return "NULL";
    if (RG__TYPE(o) == &rg_instance_type && !(o->flags & RG__F_FREED)) {
        rg_object *cls = rg_instance_class(o);
        if (cls) return rg_class_name(cls);
    }
    return RG__TYPE(o)->name;
}

size_t rg_sizeof(const rg_object *o) {
    if (!o) return 0;
    size_t n = rg__block_size(o);
    if (RG__TYPE(o)->traverse) n += sizeof(rg__gchead); /* as getsizeof counts PyGC_Head */
    if (RG__TYPE(o)->extra_size) n += RG__TYPE(o)->extra_size(o);
    return n;
}

size_t rg_repr(const rg_object *o, char *buf, size_t size) {
    int n;
    if (RG__TYPE(o)->repr)
        n = RG__TYPE(o)->repr(o, buf, size);
    else
        n = snprintf(buf, size, "<%s id %" PRIu64 ">", rg_type_name(o), rg__id(o));
    return n < 0 ? 0 : (size_t)n;
}

size_t rg_label_format(rg_label label, char *buf, size_t size) {
    int n = 0;
    switch (label.kind) {
    case RG_LABEL_NONE:
        if (size) buf[0] = '\0';
        return 0;
    case RG_LABEL_INDEX: n = snprintf(buf, size, "[%zu]", label.u.index); break;
    case RG_LABEL_NAME: n = snprintf(buf, size, "%s", label.u.name); break;
    case RG_LABEL_KEYREF: n = snprintf(buf, size, "(key)"); break;
    case RG_LABEL_KEY: {
        const rg_object *k = label.u.key;
        if (RG__IS(k, rg_str_type)) {
            size_t len = rg_str_len(k);
            if (size) {
                size_t c = len < size - 1 ? len : size - 1;
                memcpy(buf, rg_str_data(k), c);
                buf[c] = '\0';
            }
            return len;
        }
        return rg_repr(k, buf, size);
    }
    }
    return n < 0 ? 0 : (size_t)n;
}

/* ---- introspection -------------------------------------------------------------------- */

int rg_traverse(rg_object *o, rg_visit_fn visit, void *arg) {
    if (!o || !RG__TYPE(o)->traverse) return 0;
    return RG__TYPE(o)->traverse(o, visit, arg);
}

typedef struct referrer_ctx {
    rg_object *target, *holder;
    rg_visit_fn visit;
    void *arg;
} referrer_ctx;

static int referrer_visit(rg_object *t, rg_label label, void *arg) {
    referrer_ctx *c = arg;
    return t == c->target ? c->visit(c->holder, label, c->arg) : 0;
}

static int referrer_each(rg_object *o, void *arg) {
    referrer_ctx *c = arg;
    c->holder = o;
    return rg_traverse(o, referrer_visit, c);
}

int rg_referrers(rg_object *target, rg_visit_fn visit, void *arg) {
    if (!target) return RG_EINVAL;
    referrer_ctx c = {target, NULL, visit, arg};
    return rg_heap_foreach(RG__HEAP(target), referrer_each, &c);
}
