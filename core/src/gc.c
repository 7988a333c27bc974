/* gc.c — the generational cycle collector.
 *
 * One collection of generation g runs these named phases over explicit
 * lists (never recursion), reusing each type's traverse function:
 *
 *   merge        younger generations join g: the candidates ("young")
 *   update_refs  gc_refs = refcount, candidates flagged COLLECTING
 *   subtract     every reference between candidates is subtracted
 *   scan         what keeps gc_refs > 0 is referenced from outside; all it
 *                reaches is reachable, the rest moves to "unreachable"
 *   promote      survivors move to generation g+1
 *   legacy       legacy finalizers and what they reach: uncollectable
 *   weakrefs     weakrefs to garbage are cleared, then callbacks of live
 *                weakrefs run
 *   finalize     PEP 442 finalizers, once per object
 *   resurrect    the scan again inside the garbage: what a finalizer made
 *                reachable survives, with everything it references
 *   delete       clear() each garbage object (or keep it with SAVEALL)
 *
 * Costs: proportional to the objects and references of the generations
 * collected; the per-object state lives in the header (gc_refs, flags).
 */
#include <time.h>

#include "internal.h"

static FILE *debug_out(const rg_heap *h) { return h->debug_stream ? h->debug_stream : stderr; }

/* ---- phases --------------------------------------------------------------------- */

static void update_refs(rg_gc_link *young) {
    for (rg_gc_link *l = young->next; l != young; l = l->next) {
        rg_object *o = RG__OBJ(l);
        o->gc_refs = o->refcnt;
        o->flags = (o->flags & ~RG__F_UNREACHABLE) | RG__F_COLLECTING;
    }
}

static int visit_decref(rg_object *t, rg_label label, void *arg) {
    (void)label;
    (void)arg;
    if (t->flags & RG__F_COLLECTING) t->gc_refs--;
    return 0;
}

static void subtract_refs(rg_gc_link *young) {
    for (rg_gc_link *l = young->next; l != young; l = l->next) {
        rg_object *o = RG__OBJ(l);
        o->type->traverse(o, visit_decref, NULL);
    }
}

static int visit_reachable(rg_object *t, rg_label label, void *arg) {
    (void)label;
    if (!(t->flags & RG__F_COLLECTING)) return 0; /* outside, or already scanned */
    if (t->flags & RG__F_UNREACHABLE) {
        /* Tentatively unreachable, but we reach it: back to the scan's tail. */
        rg__list_move(&t->gc, (rg_gc_link *)arg);
        t->flags &= ~RG__F_UNREACHABLE;
        t->gc_refs = 1;
    } else if (t->gc_refs <= 0) {
        t->gc_refs = 1; /* will be scanned as reachable when the pass gets to it */
    }
    return 0;
}

/* The scan. Walks young once; objects found reachable later are appended to
 * its tail, so the walk covers them without recursion. Reachable objects
 * leave COLLECTING; untrack_atoms lets tuples (and, in full collections,
 * dicts) that hold nothing trackable leave the generations. Returns the
 * number of survivors still on young. */
static size_t move_unreachable(rg_gc_link *young, rg_gc_link *unreachable, int untrack_dicts) {
    size_t survivors = 0;
    rg_gc_link *l = young->next;
    while (l != young) {
        rg_object *o = RG__OBJ(l);
        if (o->gc_refs > 0) {
            o->type->traverse(o, visit_reachable, young);
            o->flags &= ~RG__F_COLLECTING;
            l = l->next; /* read after traverse: it may have appended */
            if (o->type == &rg_tuple_type ? rg__tuple_maybe_untrack(o)
                                          : (untrack_dicts && o->type == &rg_dict_type &&
                                             rg__dict_maybe_untrack(o)))
                continue;
            survivors++;
        } else {
            l = l->next;
            rg__list_move(&o->gc, unreachable);
            o->flags |= RG__F_UNREACHABLE;
        }
    }
    return survivors;
}

static void set_generation(rg_gc_link *list, int gen) {
    for (rg_gc_link *l = list->next; l != list; l = l->next) rg__set_gen(RG__OBJ(l), gen);
}

static int visit_move_legacy(rg_object *t, rg_label label, void *arg) {
    (void)label;
    if (t->flags & RG__F_UNREACHABLE) {
        t->flags &= ~RG__F_UNREACHABLE;
        rg__list_move(&t->gc, (rg_gc_link *)arg);
    }
    return 0;
}

/* Moves legacy-finalizer objects, and everything they reach inside the
 * garbage, to finalizers: they must not be torn apart. */
static void move_legacy_finalizers(rg_gc_link *unreachable, rg_gc_link *finalizers) {
    rg_gc_link *l = unreachable->next;
    while (l != unreachable) {
        rg_object *o = RG__OBJ(l);
        l = l->next;
        if (rg__has_legacy_finalizer(o)) {
            o->flags &= ~RG__F_UNREACHABLE;
            rg__list_move(&o->gc, finalizers);
        }
    }
    for (l = finalizers->next; l != finalizers; l = l->next) {
        rg_object *o = RG__OBJ(l);
        o->type->traverse(o, visit_move_legacy, finalizers);
    }
}

/* Clears every weakref that is garbage and every weakref to garbage, all
 * before any callback runs; then runs the callbacks of the weakrefs that
 * are not garbage themselves. */
static void handle_weakrefs(rg_gc_link *unreachable) {
    rg_object *chains = NULL; /* callback chains, linked through gc_refs */
    for (rg_gc_link *l = unreachable->next; l != unreachable; l = l->next) {
        rg_object *o = RG__OBJ(l);
        if (rg__is_weakref(o)) rg__weakref_detach(o);
    }
    for (rg_gc_link *l = unreachable->next; l != unreachable; l = l->next) {
        rg_object *o = RG__OBJ(l);
        if (!(o->flags & RG__F_HASWEAK)) continue;
        rg_object *chain = rg__weakref_clear_all(o);
        if (chain) {
            /* gc_refs of the chain head is free now: link chains through it */
            chain->gc_refs = (intptr_t)(uintptr_t)chains;
            chains = chain;
        }
    }
    while (chains) {
        rg_object *next = (rg_object *)(uintptr_t)chains->gc_refs;
        chains->gc_refs = 0;
        rg__weakref_run_callbacks(chains);
        chains = next;
    }
}

/* Runs each finalizer once. Objects are moved to seen one at a time, so a
 * finalizer that frees other garbage (which unlinks it) is harmless. */
static void finalize_garbage(rg_gc_link *unreachable) {
    rg_gc_link seen;
    rg__list_init(&seen);
    while (!rg__list_empty(unreachable)) {
        rg_object *o = RG__OBJ(unreachable->next);
        rg__list_move(&o->gc, &seen);
        void (*fin)(rg_object *) = rg__finalizer_of(o);
        if (fin && !(o->flags & RG__F_FINALIZED)) {
            o->flags |= RG__F_FINALIZED;
            rg_incref(o);
            fin(o);
            rg_decref(o);
        }
    }
    rg__list_merge(&seen, unreachable);
}

/* Moves to old whatever the finalizers made reachable again, with all it
 * references; leaves the rest (the real garbage) on unreachable. */
static size_t handle_resurrected(rg_gc_link *unreachable, rg_gc_link *old, int old_gen) {
    rg_gc_link still;
    rg__list_init(&still);
    update_refs(unreachable);
    subtract_refs(unreachable);
    move_unreachable(unreachable, &still, 0);
    size_t resurrected = rg__list_len(unreachable);
    set_generation(unreachable, old_gen);
    rg__list_merge(unreachable, old);
    rg__list_merge(&still, unreachable);
    return resurrected;
}

static void print_object(rg_heap *h, const char *what, rg_object *o) {
    fprintf(debug_out(h), "gc: %s <%s id %llu>\n", what, rg_type_name(o), (unsigned long long)o->id);
}

/* Hands each object to the garbage list (dropping the list's reference on
 * failure keeps it on the old generation: never freed while referenced). */
static void save_to_garbage(rg_heap *h, rg_gc_link *list, rg_gc_link *old, int old_gen) {
    if (rg__list_empty(list)) return;
    rg_object *garbage = rg_gc_garbage(h);
    while (!rg__list_empty(list)) {
        rg_object *o = RG__OBJ(list->next);
        o->flags &= ~(RG__F_COLLECTING | RG__F_UNREACHABLE);
        rg__set_gen(o, old_gen);
        rg__list_move(&o->gc, old);
        if (garbage) rg_list_append(garbage, o);
    }
}

static void delete_garbage(rg_heap *h, rg_gc_link *unreachable, rg_gc_link *old, int old_gen) {
    if (h->debug & RG_GC_DEBUG_SAVEALL) {
        save_to_garbage(h, unreachable, old, old_gen);
        return;
    }
    while (!rg__list_empty(unreachable)) {
        rg_object *o = RG__OBJ(unreachable->next);
        o->flags &= ~(RG__F_COLLECTING | RG__F_UNREACHABLE);
        rg__set_gen(o, old_gen);
        rg__list_move(&o->gc, old); /* where it stays if something still holds it */
        rg_incref(o);
        o->type->clear(o);
        rg_decref(o);
    }
}

static size_t collect_main(rg_heap *h, int gen, size_t *uncollectable_out) {
    struct timespec t0;
    if (h->debug & RG_GC_DEBUG_STATS) {
        clock_gettime(CLOCK_MONOTONIC, &t0);
        fprintf(debug_out(h), "gc: collecting generation %d...\n", gen);
        fprintf(debug_out(h), "gc: objects in each generation: %zu %zu %zu\n", rg__list_len(&h->gens[0]),
                rg__list_len(&h->gens[1]), rg__list_len(&h->gens[2]));
        fprintf(debug_out(h), "gc: objects in permanent generation: %zu\n", rg__list_len(&h->permanent));
    }
    /* merge */
    if (gen + 1 < RG_GC_GENERATIONS) h->gen[gen + 1].count++;
    for (int i = 0; i <= gen; i++) h->gen[i].count = 0;
    rg_gc_link *young = &h->gens[gen];
    for (int i = 0; i < gen; i++) rg__list_merge(&h->gens[i], young);
    int old_gen = gen + 1 < RG_GC_GENERATIONS ? gen + 1 : gen;
    rg_gc_link *old = &h->gens[old_gen];

    update_refs(young);
    subtract_refs(young);
    rg_gc_link unreachable, finalizers;
    rg__list_init(&unreachable);
    rg__list_init(&finalizers);
    size_t survivors = move_unreachable(young, &unreachable, gen == RG_GC_GENERATIONS - 1);

    /* promote */
    if (young != old) {
        set_generation(young, old_gen);
        rg__list_merge(young, old);
    }
    if (gen == 1) h->long_lived_pending += survivors;
    if (gen == RG_GC_GENERATIONS - 1) {
        h->long_lived_pending = 0;
        h->long_lived_total = survivors;
    }

    move_legacy_finalizers(&unreachable, &finalizers);
    /* Everything on finalizers stays alive: it is no longer a candidate. */
    for (rg_gc_link *l = finalizers.next; l != &finalizers; l = l->next)
        RG__OBJ(l)->flags &= ~(RG__F_COLLECTING | RG__F_UNREACHABLE);

    if (h->debug & RG_GC_DEBUG_COLLECTABLE)
        for (rg_gc_link *l = unreachable.next; l != &unreachable; l = l->next)
            print_object(h, "collectable", RG__OBJ(l));

    /* Found garbage counts as collected even when a finalizer frees part
     * of it before delete; only what it resurrects is taken back. */
    size_t collected = rg__list_len(&unreachable);
    handle_weakrefs(&unreachable);
    finalize_garbage(&unreachable);
    collected -= handle_resurrected(&unreachable, old, old_gen);
    delete_garbage(h, &unreachable, old, old_gen);

    size_t uncollectable = rg__list_len(&finalizers);
    if (h->debug & RG_GC_DEBUG_UNCOLLECTABLE)
        for (rg_gc_link *l = finalizers.next; l != &finalizers; l = l->next)
            print_object(h, "uncollectable", RG__OBJ(l));
    save_to_garbage(h, &finalizers, old, old_gen);

    if (h->debug & RG_GC_DEBUG_STATS) {
        struct timespec t1;
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
        fprintf(debug_out(h), "gc: done, %zu unreachable, %zu uncollectable, %.4fs elapsed\n",
                collected + uncollectable, uncollectable, s);
    }
    h->gen[gen].stats.collections++;
    h->gen[gen].stats.collected += collected;
    h->gen[gen].stats.uncollectable += uncollectable;
    *uncollectable_out = uncollectable;
    return collected;
}

static void invoke_callbacks(rg_heap *h, rg_gc_phase phase, int gen, size_t collected,
                             size_t uncollectable) {
    rg_gc_info info = {gen, collected, uncollectable};
    /* A callback may add or remove callbacks: index, never a saved pointer. */
    for (size_t i = 0; i < h->ncallbacks; i++) h->callbacks[i].fn(h, phase, &info, h->callbacks[i].ud);
}

static long collect_with_callbacks(rg_heap *h, int gen) {
    h->collecting = 1;
    invoke_callbacks(h, RG_GC_START, gen, 0, 0);
    size_t uncollectable = 0;
    size_t collected = collect_main(h, gen, &uncollectable);
    invoke_callbacks(h, RG_GC_STOP, gen, collected, uncollectable);
    h->collecting = 0;
    return (long)(collected + uncollectable);
}

/* ---- public API ---------------------------------------------------------------------- */

long rg_gc_collect(rg_heap *h, int generation) {
    if (generation < 0 || generation >= RG_GC_GENERATIONS) return rg__fail(h, RG_EINVAL);
    if (h->collecting) return 0;
    return collect_with_callbacks(h, generation);
}

void rg__gc_maybe_collect(rg_heap *h) {
    if (!h->enabled || h->collecting || h->gen[0].threshold <= 0) return;
    if (h->gen[0].count <= h->gen[0].threshold) return;
    for (int i = RG_GC_GENERATIONS - 1; i >= 0; i--) {
        if (h->gen[i].count > h->gen[i].threshold) {
            /* Long-lived-pending rule: a full collection waits until the
             * survivors of younger collections are a quarter of the oldest
             * generation, keeping full collections amortised linear. */
            if (i == RG_GC_GENERATIONS - 1 && h->long_lived_pending < h->long_lived_total / 4) continue;
            collect_with_callbacks(h, i);
            return;
        }
    }
}

void rg_gc_enable(rg_heap *h) { h->enabled = 1; }
void rg_gc_disable(rg_heap *h) { h->enabled = 0; }
int rg_gc_isenabled(const rg_heap *h) { return h->enabled; }

void rg_gc_set_threshold(rg_heap *h, long t0, long t1, long t2) {
    h->gen[0].threshold = t0;
    h->gen[1].threshold = t1;
    h->gen[2].threshold = t2;
}

void rg_gc_get_threshold(const rg_heap *h, long out[RG_GC_GENERATIONS]) {
    for (int i = 0; i < RG_GC_GENERATIONS; i++) out[i] = h->gen[i].threshold;
}

void rg_gc_get_count(const rg_heap *h, long out[RG_GC_GENERATIONS]) {
    for (int i = 0; i < RG_GC_GENERATIONS; i++) out[i] = h->gen[i].count;
}

void rg_gc_get_stats(const rg_heap *h, rg_gc_genstats out[RG_GC_GENERATIONS]) {
    for (int i = 0; i < RG_GC_GENERATIONS; i++) out[i] = h->gen[i].stats;
}

void rg_gc_freeze(rg_heap *h) {
    for (int i = 0; i < RG_GC_GENERATIONS; i++) {
        set_generation(&h->gens[i], RG__PERMANENT);
        rg__list_merge(&h->gens[i], &h->permanent);
    }
    h->gen[0].count = 0;
}

void rg_gc_unfreeze(rg_heap *h) {
    set_generation(&h->permanent, RG_GC_GENERATIONS - 1);
    rg__list_merge(&h->permanent, &h->gens[RG_GC_GENERATIONS - 1]);
}

size_t rg_gc_freeze_count(const rg_heap *h) { return rg__list_len(&h->permanent); }

int rg_gc_is_tracked(const rg_object *o) { return o && (o->flags & RG__F_TRACKED) != 0; }
int rg_gc_is_finalized(const rg_object *o) { return o && (o->flags & RG__F_FINALIZED) != 0; }
int rg_gc_generation(const rg_object *o) {
    return o && (o->flags & RG__F_TRACKED) ? rg__gen_of(o) : -1;
}

void rg_gc_set_debug(rg_heap *h, unsigned flags) { h->debug = flags; }
unsigned rg_gc_get_debug(const rg_heap *h) { return h->debug; }
void rg_gc_set_debug_stream(rg_heap *h, FILE *stream) { h->debug_stream = stream; }

rg_object *rg_gc_garbage(rg_heap *h) {
    if (!h->garbage) {
        /* Created untracked-proof: it is a root, not a candidate. */
        h->garbage = rg_list_new(h);
    }
    return h->garbage;
}

int rg_gc_foreach(rg_heap *h, int generation, int (*fn)(rg_object *o, void *arg), void *arg) {
    if (generation < -1 || generation >= RG_GC_GENERATIONS) return rg__fail(h, RG_EINVAL);
    for (int i = 0; i < RG_GC_GENERATIONS; i++) {
        if (generation != -1 && generation != i) continue;
        for (rg_gc_link *l = h->gens[i].next; l != &h->gens[i]; l = l->next) {
            int rc = fn(RG__OBJ(l), arg);
            if (rc) return rc;
        }
    }
    return 0;
}

int rg_gc_callback_add(rg_heap *h, rg_gc_callback fn, void *ud) {
    if (!fn) return rg__fail(h, RG_EINVAL);
    if (h->ncallbacks == h->callbacks_cap) {
        size_t cap = h->callbacks_cap ? h->callbacks_cap * 2 : 4;
        rg__callback *c = rg__realloc(h, h->callbacks, h->callbacks_cap * sizeof *c, cap * sizeof *c);
        if (!c) return RG_ENOMEM;
        h->callbacks = c;
        h->callbacks_cap = cap;
    }
    h->callbacks[h->ncallbacks++] = (rg__callback){fn, ud};
    return 0;
}

int rg_gc_callback_remove(rg_heap *h, rg_gc_callback fn, void *ud) {
    for (size_t i = 0; i < h->ncallbacks; i++) {
        if (h->callbacks[i].fn == fn && h->callbacks[i].ud == ud) {
            memmove(h->callbacks + i, h->callbacks + i + 1, (h->ncallbacks - i - 1) * sizeof *h->callbacks);
            h->ncallbacks--;
            return 0;
        }
    }
    return rg__fail(h, RG_EKEY);
}
