/* gc.c — the generational cycle collector.
 *
 * One collection of generation g runs these named phases over explicit
 * lists (never recursion), reusing each type's traverse function:
 *
 *   merge        younger generations join g: the candidates ("young"),
 *                known by their generation tag
 *   count        gc_refs counts the references each candidate gets from
 *                other candidates; it lives in the candidate's link.prev
 *   scan         refcount - gc_refs > 0 means referenced from outside; all
 *                it reaches is reachable and is promoted (retagged) on the
 *                spot, the rest moves to "unreachable"
 *   promote      the survivors' list joins generation g+1
 *   legacy       legacy finalizers and what they reach: uncollectable
 *   weakrefs     weakrefs to garbage are cleared, then callbacks of live
 *                weakrefs run
 *   finalize     PEP 442 finalizers, once per object
 *   resurrect    the scan again inside the garbage: what a finalizer made
 *                reachable survives, with everything it references
 *   delete       clear() each garbage object (or keep it with SAVEALL);
 *                plain garbage is freed all at once, in one pass
 *
 * Soundness: what lets a collection skip work. A set of tracked objects
 * becomes garbage only when the last reference into it from outside it
 * disappears. References from outside the heap's objects (globals, frame
 * locals, C code's own references, frozen objects) disappear in exactly
 * these ways, and each one goes through rg__possible_root (internal.h):
 *   - a decrement to a non-zero count (rg_decref: unbinding a name, popping
 *     a frame, replacing a list item, dict value or attribute, clear());
 *   - a stealing call (every _new setter) moving the caller's reference
 *     into a container, which changes no count (rg__stolen);
 *   - a finalizer run at refcount zero that resurrected its object: its
 *     hold is dropped to a non-zero count (dealloc in object.c).
 * A reference from an object that is itself freed is dropped by its clear,
 * that is by rg_decref. So every garbage set has a member recorded since
 * it became garbage, and rg__possible_root also counts the event in
 * h->decrefs. Two shortcuts rest on this invariant:
 *   idle         a collection of generation g with no event since the last
 *                collection of g or older only does the bookkeeping;
 *   from roots   a full collection examines only what the recorded
 *                possible roots reach (unless the buffer overflowed).
 *
 * Clean objects: the scan of a full collection marks what it finds
 * reachable clean, with its refcount (the baseline) and the collection's
 * epoch (internal.h, the header's aux). A decrement of a clean object of the current
 * epoch that leaves its count at or above the baseline records nothing: it
 * undoes an increment made since, and what supported the object then
 * supports it still. Everything that could change that records the object
 * and ends its cleanness: a container gaining a reference to it (rg__stored,
 * rg__stolen), a decrement below the baseline, reaching zero, resurrection,
 * being found unreachable, tracked again, untracked or frozen. The proof
 * is in docs/collector.md ("Clean objects"); it needs every clean object to
 * be of the last examining full collection's epoch, hence the epoch, and
 * after at most 15 full collections from the roots (each a new epoch) the
 * next examines everything, so that no 4-bit epoch comes round again.
 * Foreign types (user types with traverse) can move references in their
 * own C code without telling the heap, so while any foreign object lives
 * neither shortcut is taken and nothing is made clean: every collection
 * scans its generations, as CPython's does. Debug builds check every full
 * collection's scan against a plain full trial deletion (verify_scan).
 *
 * Costs: two passes over survivors and three over garbage (count, scan,
 * delete), proportional to the objects and references of the generations
 * collected; the per-object state lives in the header (flags) and in the
 * collector's block (gc_refs, in link.prev). The phases for weakrefs,
 * finalizers and legacy finalizers run only when the scan saw garbage that
 * needs them.
 *
 * The links' states (as CPython's PyGC_Head, with our header's flags in
 * place of its pointer tag bits). Outside a collection every list is doubly
 * linked: each link's next and prev are real pointers. A collection changes
 * that only for its candidates, and only between two points:
 *   count        makes each candidate COLLECTING and stores its gc_refs in
 *                its prev (cast through uintptr_t: gc_refs(), set_gc_refs());
 *                the list of candidates (young, or the roots gathered by
 *                count_from_roots) is then linked forward only, its head's
 *                prev still pointing to its tail, so that appending at the
 *                tail works (it reads the head's prev and writes the tail's
 *                next, never the tail's prev);
 *   scan         walks young forward, keeping the last reachable object: a
 *                reachable one gets its prev back (that object), an
 *                unreachable one is unlinked forward and appended to
 *                unreachable, which is doubly linked throughout; at the end
 *                young's head gets its tail back. From then on every list
 *                is doubly linked again.
 * So between count and scan nothing may unlink a candidate with
 * rg__list_move or rg__list_remove (they write the next object's prev):
 * the scan untracks tuples and dicts by unlinking them forward itself, and
 * no user code runs in between. handle_resurrected repeats count and scan
 * on the garbage, with the same states. verify_scan (debug builds) counts in
 * the prevs too and restores them; check_links (debug builds) checks after
 * every collection that each list is doubly linked.
 */
#include <stdlib.h>
#include <time.h>

#include "instance.h"

/* The phases walk linked lists, so the processor cannot see the next
 * object's address before it has loaded this one: each walk would wait for
 * memory once per object. But objects allocated together sit together in
 * the slabs, mostly in list order, so asking for the memory 1 KiB past the
 * current object (about ten objects on) fetches what the walk soon needs.
 * Where the order differs, the hint is merely wasted. */
#define AHEAD 1024
#if defined(__GNUC__) || defined(__clang__)
#define PREFETCH(o) __builtin_prefetch((const char *)(o) + AHEAD, 1)
#else
#define PREFETCH(o) ((void)(o))
#endif

/* Every phase visits an object's references through here: its type's
 * traverse, but a list's and an instance's inlined (rg__list_traverse,
 * rg__instance_traverse: the same functions list.c and instance.c use), so
 * that for the commonest containers each phase's visit is a direct call
 * rather than two indirect ones. */
static inline void traverse(rg_object *o, rg_visit_fn visit, void *arg) {
    const rg_type *t = RG__TYPE(o);
    if (t == &rg_list_type)
        (void)rg__list_traverse(o, visit, arg);
    else if (t == &rg_instance_type)
        (void)rg__instance_traverse(o, visit, arg);
    else
        (void)t->traverse(o, visit, arg);
}

static FILE *debug_out(const rg_heap *h) { return h->debug_stream ? h->debug_stream : stderr; }

/* ---- possible roots ----------------------------------------------------------
 *
 * The buffer (h->purple) is an array of entries, each pointing to a block;
 * an object holds no slot index (Bacon and Rajan's buffer, with no
 * removal): INBUF says an entry points to it, PURPLE that it was recorded
 * since the buffer was last consumed. Recording an object that is INBUF
 * only sets PURPLE. An object that dies is accounted for as freed as any
 * (forget() in object.c clears PURPLE), but if it is INBUF its block is not
 * returned: it stays a ghost (FREED and INBUF, see make_ghost in object.c)
 * until the buffer drops the entry, so no entry ever points to a block
 * that was reused. The buffer drops entries when it is consumed (the count
 * of a full collection from roots, rg__purple_reset) and when it is
 * compacted (full, or rg_heap_trim): each entry's INBUF is cleared and
 * ghosts' blocks are returned (but not, while a garbage set is deleted all
 * at once, those of its members: their flags are still read then). Every
 * loop over the buffer is bounded by npurple, which no loop changes while
 * it runs. */

/* The buffer's bound: past a quarter of the tracked objects a full
 * collection examines everything anyway (see collect_main), so the buffer
 * costs at most two bytes per tracked object beyond its first
 * RG__PURPLE_MAX entries. */
static size_t purple_max(const rg_heap *h) {
    size_t quarter = h->tracked_live / 4;
    return quarter > RG__PURPLE_MAX ? quarter : RG__PURPLE_MAX;
}

/* Drops the entry of o, returning its block if it is a ghost. Returns 1
 * if the entry must stay: a ghost of the garbage being deleted at once. */
static int purple_drop(rg_heap *h, rg_object *o) {
    if (o->flags & RG__F_FREED) {
        if ((o->flags & RG__F_UNREACHABLE) && h->gc_state == RG__GC_DELETING) return 1;
        rg__ghost_free(h, o);
        return 0;
    }
    o->flags &= (uint16_t)~(RG__F_PURPLE | RG__F_INBUF);
    return 0;
}

void rg__purple_compact(rg_heap *h) {
    size_t n = 0;
    for (size_t i = 0; i < h->npurple; i++) {
        rg_object *o = h->purple[i];
        if ((o->flags & (RG__F_PURPLE | RG__F_FREED)) == RG__F_PURPLE || purple_drop(h, o)) h->purple[n++] = o;
    }
    h->npurple = n;
}

/* Makes room for one entry: compacts the full buffer, and grows it (up to
 * its bound) unless that left it at most half full, so that compacting
 * costs O(1) a record. Returns 0 when there is no room: it overflows. */
static int purple_room(rg_heap *h) {
    if (h->npurple < h->purple_cap) return 1;
    rg__purple_compact(h);
    if (h->purple_cap && h->npurple <= h->purple_cap / 2) return 1;
    size_t cap = h->purple_cap ? h->purple_cap * 2 : 256;
    rg_object **p =
        cap <= purple_max(h) ? rg__realloc(h, h->purple, h->purple_cap * sizeof *p, cap * sizeof *p) : NULL;
    if (!p) {
        /* Not an error: the next full collection just scans everything. */
        h->purple_overflow = 1;
        return 0;
    }
    h->purple = p;
    h->purple_cap = cap;
    return 1;
}

void rg__purple_add(rg_object *o) {
    rg_heap *h = RG__HEAP(o);
    if (h->purple_overflow) return;
    if (!(o->flags & RG__F_INBUF)) {
        if (!purple_room(h)) return;
        h->purple[h->npurple++] = o;
    }
    o->flags |= RG__F_PURPLE | RG__F_INBUF;
}

void rg__purple_reset(rg_heap *h) {
    for (size_t i = 0; i < h->npurple; i++) (void)purple_drop(h, h->purple[i]);
    h->npurple = 0;
    h->purple_overflow = 0;
}

/* ---- the main scan ------------------------------------------------------------ */

/* A candidate's gc_refs: its references from other candidates, held in
 * its link.prev from the count phase until the scan reaches it. */
static inline uintptr_t gc_refs(const rg_object *o) { return (uintptr_t)(void *)RG__LINK(o)->prev; }
static inline void set_gc_refs(rg_object *o, uintptr_t n) { RG__LINK(o)->prev = (rg_gc_link *)(void *)n; }
static inline void inc_gc_refs(rg_object *o) { set_gc_refs(o, gc_refs(o) + 1); }

/* One collection's working state. Candidates carry COLLECTING until the
 * scan finds them reachable; gc_refs counts their references from other
 * candidates (see "the links' states" above). */
typedef struct scan {
    rg_gc_link *young; /* the candidates; reachable ones appended at its tail */
    rg_gc_link *unreachable;
    size_t n_unreachable;
    size_t rescanned; /* taken back from unreachable: the walk meets them twice */
    int any_weak, any_finalizer, any_legacy;
    int any_foreign; /* garbage of a type whose clear() runs user code */
} scan;

static int visit_count(rg_object *t, rg_label label, void *arg) {
    (void)label;
    (void)arg;
    if (t->flags & RG__F_COLLECTING) inc_gc_refs(t);
    return 0;
}

/* Every object of young is a candidate: flag them, then count. On entry
 * young is doubly linked; on exit it is linked forward only, each prev
 * holding a gc_refs, the head's prev still the tail. */
static void count_all(rg_gc_link *young) {
    for (rg_gc_link *l = young->next; l != young; l = l->next) {
        rg_object *o = RG__OBJ(l);
        PREFETCH(o);
        o->flags |= RG__F_COLLECTING;
        set_gc_refs(o, 0);
    }
    for (rg_gc_link *l = young->next; l != young; l = l->next) {
        rg_object *o = RG__OBJ(l);
        PREFETCH(o);
        traverse(o, visit_count, NULL);
    }
}

static int visit_count_full(rg_object *t, rg_label label, void *arg) {
    (void)label;
    (void)arg;
    if (t->flags & RG__F_COLLECTING) {
        inc_gc_refs(t);
    } else if (rg__eligible(t)) { /* met before its own turn */
        t->flags |= RG__F_COLLECTING;
        set_gc_refs(t, 1);
    }
    return 0;
}

/* A full collection that examines everything: every eligible object is a
 * candidate (all of them are on young, the generations merged), so the
 * flag and the count go in one pass: an object first met by a visit
 * becomes a candidate then, its prev overwritten ahead of the walk, which
 * never looks back. Links as count_all's, on entry and on exit. */
static void count_full(rg_gc_link *young) {
    for (rg_gc_link *l = young->next; l != young; l = l->next) {
        rg_object *o = RG__OBJ(l);
        PREFETCH(o);
        if (!(o->flags & RG__F_COLLECTING)) {
            o->flags |= RG__F_COLLECTING;
            set_gc_refs(o, 0);
        }
        traverse(o, visit_count_full, NULL);
    }
}

static int visit_expand(rg_object *t, rg_label label, void *arg) {
    (void)label;
    if (t->flags & RG__F_COLLECTING) {
        inc_gc_refs(t);
    } else if (rg__eligible(t)) {
        /* Not a candidate yet: its links, and its neighbours' (none is a
         * candidate), are real, so it can be moved; then prev is counts. */
        t->flags |= RG__F_COLLECTING;
        rg__list_move(RG__LINK(t), (rg_gc_link *)arg);
        set_gc_refs(t, 1);
    }
    return 0;
}

/* A full collection from the possible roots: the candidates are the roots
 * and everything they reach, gathered into young (counting references on
 * the way, so gathering and counting are one pass). Objects no root reaches
 * cannot be garbage: every garbage cycle had a member decremented to a
 * non-zero refcount since the last full collection. On entry young is
 * empty and the generation doubly linked; on exit the generation is still
 * doubly linked and young holds the candidates with count_all's links. */
static void count_from_roots(rg_heap *h, rg_gc_link *young) {
    for (size_t i = 0; i < h->npurple; i++) {
        rg_object *o = h->purple[i];
        if (o->flags & RG__F_FREED) { /* a ghost */
            rg__ghost_free(h, o);
            continue;
        }
        o->flags &= (uint16_t)~(RG__F_PURPLE | RG__F_INBUF);
        if (!rg__eligible(o) || (o->flags & RG__F_COLLECTING)) continue;
        o->flags |= RG__F_COLLECTING;
        rg__list_move(RG__LINK(o), young);
        set_gc_refs(o, 0);
    }
    h->npurple = 0;
    for (rg_gc_link *l = young->next; l != young; l = l->next) {
        rg_object *o = RG__OBJ(l);
        PREFETCH(o);
        traverse(o, visit_expand, young);
    }
}

static inline int64_t external(const rg_object *o) { return (int64_t)o->refcnt - (int64_t)gc_refs(o); }

static int visit_reachable(rg_object *t, rg_label label, void *arg) {
    (void)label;
    scan *sc = arg;
    if (!(t->flags & RG__F_COLLECTING)) return 0; /* outside, or already scanned */
    if (t->flags & RG__F_UNREACHABLE) {
        /* Tentatively unreachable, but we reach it: back to the scan's
         * tail. Its links on unreachable are real; appending reads young's
         * head's prev (its tail) and writes only the tail's next. */
        rg__list_move(RG__LINK(t), sc->young);
        t->flags &= ~RG__F_UNREACHABLE;
        set_gc_refs(t, t->refcnt - 1u);
        sc->n_unreachable--;
        sc->rescanned++;
    } else if (external(t) <= 0) {
        set_gc_refs(t, t->refcnt - 1u); /* reachable: scanned when the walk gets there */
    }
    return 0;
}

/* What garbage other than lists, tuples and dicts may need: the phases for
 * weakrefs and finalizers, or deleting one object at a time. */
static void note_garbage(scan *sc, const rg_object *o) {
    const rg_type *t = RG__TYPE(o);
    if (t == &rg_weakref_type) sc->any_weak = 1;
    if (t != &rg_instance_type && t != &rg_class_type && t != &rg_weakref_type) sc->any_foreign = 1;
    void (*fin)(rg_object *) = rg__finalizer_of(o);
    if (fin && !(o->flags & RG__F_FINALIZED)) sc->any_finalizer = 1;
    if (fin && rg__has_legacy_finalizer(o)) sc->any_legacy = 1;
}

/* The scan (CPython's move_unreachable). Walks young once; objects found
 * reachable later are appended to its tail, so the walk covers them
 * without recursion. A reachable object leaves COLLECTING, which also
 * marks it scanned; in a full collection that may grant it, it becomes
 * clean with its refcount as baseline (see "clean objects" above). Garbage
 * moves to unreachable and is not clean, and the scan notes whether any of
 * it needs the rarer phases (weakrefs, finalizers, legacy finalizers).
 * Links: on entry young is linked forward only (count_all's state) and
 * unreachable doubly linked; the walk keeps the last reachable object
 * (prev), gives each reachable object its prev back, unlinks the others
 * forward (prev->next), and at the end gives young's head its tail: on
 * exit both lists are doubly linked. Tuples (and in full collections
 * dicts) that can be untracked are, as CPython's untrack_tuples and
 * untrack_dicts do after the scan, in the same order: unlinked forward
 * here, since rg__untrack would write the next candidate's prev, its
 * gc_refs. Returns the objects examined. */
static size_t scan_young(scan *sc, int full, int grant, uint32_t epoch) {
    rg_gc_link *young = sc->young, *prev = young, *l = young->next;
    size_t examined = 0;
    while (l != young) {
        rg_object *o = RG__OBJ(l);
        PREFETCH(o);
        examined++;
        if (external(o) > 0) {
            traverse(o, visit_reachable, sc);
            o->flags &= (uint16_t)~RG__F_COLLECTING;
            if (grant && o->refcnt <= RG__CLEAN_BASELINE_MAX) {
                o->flags |= RG__F_CLEAN;
                o->aux = (uint16_t)(epoch << RG__CLEAN_EPOCH_SHIFT | o->refcnt);
            } else if (full) {
                o->flags &= (uint16_t)~RG__F_CLEAN;
            }
            const rg_type *t = RG__TYPE(o);
            if ((t == &rg_tuple_type && rg__tuple_untrackable(o)) ||
                (full && t == &rg_dict_type && rg__dict_untrackable(o))) {
                prev->next = l->next; /* read after traverse: it may have appended */
                rg__untrack_unlinked(o);
            } else {
                l->prev = prev;
                prev = l;
            }
        } else {
            prev->next = l->next;
            rg__list_append(sc->unreachable, l);
            o->flags = (uint16_t)((o->flags & ~RG__F_CLEAN) | RG__F_UNREACHABLE);
            sc->n_unreachable++;
            if (o->flags & RG__F_HASWEAK) sc->any_weak = 1;
            const rg_type *t = RG__TYPE(o);
            if (t != &rg_list_type && t != &rg_tuple_type && t != &rg_dict_type) note_garbage(sc, o);
        }
        l = prev->next;
    }
    young->prev = prev;
    return examined - sc->rescanned;
}

/* Makes o an ordinary member of the old generation again. */
static void settle(rg_object *o, rg_gc_link *old) {
    o->flags &= ~(RG__F_COLLECTING | RG__F_UNREACHABLE);
    rg__list_move(RG__LINK(o), old); /* links: real on both lists */
}

/* ---- legacy finalizers ------------------------------------------------------------ */

static int visit_move_legacy(rg_object *t, rg_label label, void *arg) {
    (void)label;
    if (t->flags & RG__F_UNREACHABLE) {
        /* no longer a candidate: resurrection must not take it back */
        t->flags &= ~(RG__F_UNREACHABLE | RG__F_COLLECTING);
        rg__list_move(RG__LINK(t), (rg_gc_link *)arg);
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
            o->flags &= ~(RG__F_UNREACHABLE | RG__F_COLLECTING);
            rg__list_move(RG__LINK(o), finalizers);
        }
    }
    for (l = finalizers->next; l != finalizers; l = l->next) {
        rg_object *o = RG__OBJ(l);
        traverse(o, visit_move_legacy, finalizers);
    }
}

/* ---- weakrefs ------------------------------------------------------------------------ */

/* Clears every weakref that is garbage and every weakref to garbage, all
 * before any callback runs; then runs the callbacks of the weakrefs that
 * are not garbage themselves. */
static size_t handle_weakrefs(rg_gc_link *unreachable, rg_gc_link *old) {
    size_t freed = 0;
    /* Callback chains, linked through their heads in the order the
     * garbage list gives them (CPython's order): first to last. */
    rg_object *chains = NULL, *last = NULL;
    for (rg_gc_link *l = unreachable->next; l != unreachable; l = l->next) {
        rg_object *o = RG__OBJ(l);
        if (rg__is_weakref(o)) rg__weakref_detach(o);
    }
    for (rg_gc_link *l = unreachable->next; l != unreachable; l = l->next) {
        rg_object *o = RG__OBJ(l);
        if (!(o->flags & RG__F_HASWEAK)) continue;
        rg_object *chain = rg__weakref_clear_all(o);
        if (chain) {
            /* As CPython: a weakref whose callback runs joins the old
             * generation, from whichever it was in (the permanent too). */
            rg__weakref_chain_move(chain, old);
            rg__weakref_set_chains(chain, NULL);
            if (last)
                rg__weakref_set_chains(last, chain);
            else
                chains = chain;
            last = chain;
        }
    }
    while (chains) {
        rg_object *next = rg__weakref_chains(chains);
        rg__weakref_set_chains(chains, NULL);
        freed += rg__weakref_run_callbacks(chains);
        chains = next;
    }
    return freed;
}

/* ---- finalizers and resurrection ------------------------------------------------------- */

/* Runs each finalizer once. Objects are moved to seen one at a time, so a
 * finalizer that frees other garbage (which unlinks it) is harmless. */
static void finalize_garbage(rg_gc_link *unreachable) {
    rg_gc_link seen;
    rg__list_init(&seen);
    while (!rg__list_empty(unreachable)) {
        rg_object *o = RG__OBJ(unreachable->next);
        rg__list_move(RG__LINK(o), &seen);
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

static int visit_rescue(rg_object *t, rg_label label, void *arg) {
    (void)label;
    if (!(t->flags & RG__F_COLLECTING)) return 0;
    t->flags &= ~RG__F_COLLECTING;
    rg__list_move(RG__LINK(t), (rg_gc_link *)arg);
    return 0;
}

/* After finalizers ran: the same trial deletion restricted to the garbage.
 * Whatever a finalizer made reachable again survives, with everything it
 * references, in the old generation. Postcondition: unreachable holds only
 * garbage again (CPython's final_unreachable). Links: unreachable is doubly
 * linked on entry and on exit; in between, count_all's state (prevs hold
 * gc_refs, the list linked forward only) until the walk that moves what is
 * referenced from outside to rescued gives the rest their prevs back. */
static void handle_resurrected(rg_gc_link *unreachable, rg_gc_link *old) {
    count_all(unreachable);
    rg_gc_link rescued;
    rg__list_init(&rescued);
    rg_gc_link *prev = unreachable, *l = unreachable->next;
    while (l != unreachable) {
        rg_object *o = RG__OBJ(l);
        if (external(o) > 0) {
            o->flags &= ~RG__F_COLLECTING;
            prev->next = l->next;
            rg__list_append(&rescued, l);
        } else {
            l->prev = prev;
            prev = l;
        }
        l = prev->next;
    }
    unreachable->prev = prev;
    for (l = rescued.next; l != &rescued; l = l->next) {
        rg_object *o = RG__OBJ(l);
        traverse(o, visit_rescue, &rescued);
    }
    while (!rg__list_empty(&rescued)) settle(RG__OBJ(rescued.next), old);
    for (l = unreachable->next; l != unreachable; l = l->next) RG__OBJ(l)->flags &= ~RG__F_COLLECTING;
}

/* ---- deleting ----------------------------------------------------------------------------- */

static void print_object(rg_heap *h, const char *what, rg_object *o) {
    fprintf(debug_out(h), "gc: %s <%s id %llu>\n", what, rg_type_name(o), (unsigned long long)rg__id(o));
}

/* Hands each object to the garbage list. If the list cannot be allocated
 * the objects stay in the old generation: never freed while referenced,
 * and recorded as possible roots, so that the next full collection finds
 * them again (no event announces them: it would be idle, or follow only
 * other roots, and leave them behind unreferenced). A failed append
 * records its object through the decref that undoes it. */
static void save_to_garbage(rg_heap *h, rg_gc_link *list, rg_gc_link *old) {
    if (rg__list_empty(list)) return;
    rg_object *garbage = rg_gc_garbage(h);
    while (!rg__list_empty(list)) {
        rg_object *o = RG__OBJ(list->next);
        settle(o, old);
        if (garbage)
            rg_list_append(garbage, o);
        else
            rg__record(o);
    }
}

/* Frees garbage that no code will see again (no weakref, finalizer or
 * user-defined clear): nothing outside it references it, so its members'
 * references to one another need no counting. Each object is cleared
 * (a decref of a member is a no-op while DELETING; other referents are
 * decref'd as usual and may be freed, but cannot reach back) and freed at
 * once; the blocks are reused only after the flush. One pass. */
static void delete_at_once(rg_heap *h, rg_gc_link *unreachable) {
    h->gc_state = RG__GC_DELETING;
    uint16_t era = rg__era(h);
    rg_gc_link *l = unreachable->next;
    while (l != unreachable) {
        rg_object *o = RG__OBJ(l);
        PREFETCH(o);
        l = l->next;
        const rg_type *t = RG__TYPE(o);
        if (t == &rg_list_type)
            rg__list_clear_garbage(o);
        else if (t == &rg_instance_type)
            rg__instance_clear_garbage(o);
        else
            t->clear(o);
        rg__free_garbage(h, o, t, era);
    }
    rg__list_init(unreachable);
    h->gc_state = RG__GC_COLLECTING;
    rg__free_deferred_flush(h);
}

/* Breaks the cycles: clear() each object while holding it. Usually the
 * first clear frees the whole cycle through the worklist. */
static void delete_garbage(rg_heap *h, rg_gc_link *unreachable, rg_gc_link *old, const scan *sc) {
    if (h->debug & RG_GC_DEBUG_SAVEALL) {
        save_to_garbage(h, unreachable, old);
        return;
    }
    if (!sc->any_weak && !sc->any_finalizer && !sc->any_legacy && !sc->any_foreign) {
        delete_at_once(h, unreachable);
        return;
    }
    while (!rg__list_empty(unreachable)) {
        rg_object *o = RG__OBJ(unreachable->next);
        o->refcnt++; /* our hold */
        RG__TYPE(o)->clear(o);
        if (o->refcnt > 1)
            settle(o, old); /* still referenced: it lives on in old */
        rg_decref(o);             /* else this frees it and unlinks it */
    }
}

#ifdef RG_DEBUG
/* ---- the debug check ----------------------------------------------------------------------- */

/* Debug builds check the scan of every full collection, before any user
 * code runs: whatever is garbage among all the candidates must be on the
 * unreachable list, and nothing on it may be reachable. It is CPython's
 * full scan, written plainly and independently of the shortcuts: count the
 * references among the candidates, mark from everything referenced from
 * outside them (an explicit stack, no recursion), and compare the unmarked
 * with what the scan found. Aborts naming the difference. */
typedef struct verify_stack {
    rg_object **items;
    size_t len;
} verify_stack;

static int visit_verify_count(rg_object *t, rg_label label, void *arg) {
    (void)label;
    (void)arg;
    if (t->flags & RG__F_MARK) inc_gc_refs(t);
    return 0;
}

static int visit_verify_mark(rg_object *t, rg_label label, void *arg) {
    (void)label;
    verify_stack *st = arg;
    if (t->flags & RG__F_MARK) {
        t->flags &= ~RG__F_MARK; /* each object is pushed once: len <= candidates */
        st->items[st->len++] = t;
    }
    return 0;
}

static void verify_scan(rg_heap *h, rg_gc_link *unreachable) {
    rg_gc_link *lists[RG_GC_GENERATIONS + 1];
    for (int i = 0; i < RG_GC_GENERATIONS; i++) lists[i] = &h->gens[i];
    lists[RG_GC_GENERATIONS] = unreachable;
    const int nlists = RG_GC_GENERATIONS + 1;
    size_t n = 0;
    for (int i = 0; i < nlists; i++)
        for (rg_gc_link *l = lists[i]->next; l != lists[i]; l = l->next) {
            rg_object *o = RG__OBJ(l);
            if (!rg__eligible(o)) continue;
            o->flags |= RG__F_MARK;
            set_gc_refs(o, 0); /* the lists are linked forward only until the end */
            n++;
        }
    for (int i = 0; i < nlists; i++)
        for (rg_gc_link *l = lists[i]->next; l != lists[i]; l = l->next)
            if (RG__OBJ(l)->flags & RG__F_MARK) traverse(RG__OBJ(l), visit_verify_count, NULL);
    verify_stack st = {malloc((n ? n : 1) * sizeof *st.items), 0};
    for (int i = 0; i < nlists && st.items; i++)
        for (rg_gc_link *l = lists[i]->next; l != lists[i]; l = l->next) {
            rg_object *o = RG__OBJ(l);
            if ((o->flags & RG__F_MARK) && external(o) > 0) {
                o->flags &= ~RG__F_MARK;
                st.items[st.len++] = o;
            }
        }
    while (st.len) {
        rg_object *o = st.items[--st.len];
        traverse(o, visit_verify_mark, &st);
    }
    size_t missed = 0, wrong = 0;
    for (int i = 0; i < nlists; i++) {
        rg_gc_link *prev = lists[i];
        for (rg_gc_link *l = lists[i]->next; l != lists[i]; prev = l, l = l->next) {
            rg_object *o = RG__OBJ(l);
            int garbage = (o->flags & RG__F_MARK) != 0, found = (o->flags & RG__F_UNREACHABLE) != 0;
            if (st.items && rg__eligible(o) && garbage != found) {
                if (garbage && missed++ < 20) print_object(h, "missed garbage", o);
                if (!garbage && wrong++ < 20) print_object(h, "reachable object taken as garbage", o);
            }
            o->flags &= ~RG__F_MARK;
            l->prev = prev; /* the link back, where the count was */
        }
    }
    free(st.items);
    if (missed || wrong) {
        fprintf(debug_out(h), "gc: a full collection missed %zu garbage objects and took %zu reachable ones\n",
                missed, wrong);
        abort();
    }
}

/* Every list the heap keeps is doubly linked after a collection (see "the
 * links' states" above): a prev left holding a count would corrupt the
 * next move or removal. Aborts naming the list; else returns its length,
 * and adds the objects of foreign types to *foreign. */
static size_t check_list(rg_heap *h, const rg_gc_link *head, const char *name, size_t *foreign) {
    size_t limit = h->live + 1, n = 0; /* no list holds more */
    const rg_gc_link *l = head;
    do {
        if (l->next->prev != l) {
            fprintf(debug_out(h), "gc: the %s list is broken after a collection\n", name);
            abort();
        }
        l = l->next;
        if (l != head) {
            n++;
            if (!rg__is_builtin_container(RG__TYPE(RG__OBJ(l)))) (*foreign)++;
        }
    } while (l != head && limit--);
    if (l != head) {
        fprintf(debug_out(h), "gc: the %s list does not end\n", name);
        abort();
    }
    return n;
}

/* The lists' links, and the heap's counts of tracked, foreign and frozen
 * objects against the lists (while nothing is being freed: a dying
 * object leaves its list before its accounting). */
static void check_links(rg_heap *h) {
    static const char *const names[RG_GC_GENERATIONS] = {"generation 0", "generation 1", "generation 2"};
    size_t tracked = 0, foreign = 0, untracked_foreign = 0;
    for (int i = 0; i < RG_GC_GENERATIONS; i++) tracked += check_list(h, &h->gens[i], names[i], &foreign);
    size_t frozen = check_list(h, &h->permanent, "permanent", &foreign);
    check_list(h, &h->untracked, "untracked", &untracked_foreign);
    tracked += frozen;
    if (h->draining || h->pending || h->dead) return;
    if (tracked != h->tracked_live || foreign != h->foreign_live || frozen != h->frozen_live) {
        fprintf(debug_out(h), "gc: the heap counts %zu tracked, %zu foreign and %zu frozen objects; its lists hold %zu, %zu and %zu\n",
                h->tracked_live, h->foreign_live, h->frozen_live, tracked, foreign, frozen);
        abort();
    }
}
#endif

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
    int full = gen == RG_GC_GENERATIONS - 1;
    rg_gc_link *old = &h->gens[full ? gen : gen + 1];
    rg_gc_link roots, unreachable, finalizers;
    rg__list_init(&roots);
    rg__list_init(&unreachable);
    rg__list_init(&finalizers);
    rg_gc_link *young = &h->gens[gen];
    for (int i = 0; i < gen; i++) rg__list_merge(&h->gens[i], young);

    /* No event (see "soundness" above) since the last collection of this
     * generation or an older one: no new garbage can exist here, and
     * everything examined then survived for a reason that still holds. */
    int shortcuts = h->foreign_live == 0;
    int idle = shortcuts && h->gen[gen].seen == h->decrefs;
    for (int i = 0; i <= gen; i++) h->gen[i].seen = h->decrefs;

    /* A full collection that examines anything starts a new epoch of
     * clean objects; after 15 in a row from the roots the next examines
     * everything, so that no epoch still written in an object comes round
     * again. */
    int grant = 0;
    if (full && !idle) {
        h->clean_epoch = (h->clean_epoch + 1) & RG__CLEAN_EPOCH_MASK;
        grant = shortcuts;
    }

    /* count */
    if (idle) {
        if (full) rg__purple_reset(h); /* the roots have been answered */
    } else if (full && shortcuts && !h->purple_overflow && h->epochs_since_full_scan < RG__CLEAN_EPOCH_MASK &&
               (h->npurple <= 64 || h->npurple < h->tracked_live / 4)) {
        count_from_roots(h, &roots);
        young = &roots;
        h->epochs_since_full_scan++;
    } else if (full) {
        rg__purple_reset(h); /* everything is examined anyway */
        count_full(young);
        h->epochs_since_full_scan = 0;
    } else {
        count_all(young);
    }

    scan sc;
    memset(&sc, 0, sizeof sc);
    sc.young = young;
    sc.unreachable = &unreachable;
    size_t examined = idle ? 0 : scan_young(&sc, full, grant, h->clean_epoch);
    /* Generation 1's survivors, for the long-lived-pending rule: young
     * holds only survivors now (a few thousand objects at most here). */
    size_t survivors = gen == 1 ? rg__list_len(young) : 0;
    if (young != old) rg__list_merge(young, old); /* promote */
#ifdef RG_DEBUG
    if (full) verify_scan(h, &unreachable);
#endif

    size_t moved_legacy = 0;
    if (sc.any_legacy) {
        move_legacy_finalizers(&unreachable, &finalizers);
        moved_legacy = rg__list_len(&finalizers);
    }

    if (h->debug & RG_GC_DEBUG_COLLECTABLE)
        for (rg_gc_link *l = unreachable.next; l != &unreachable; l = l->next)
            print_object(h, "collectable", RG__OBJ(l));

    /* Counted as CPython counts: live weakrefs freed once their callback
     * ran, plus the garbage left after finalizers (what a finalizer freed
     * or resurrected is not counted); uncollectable after delete, which
     * may free some of it. */
    size_t collected = 0;
    if (sc.any_weak) collected += handle_weakrefs(&unreachable, old);
    if (sc.any_finalizer) {
        finalize_garbage(&unreachable);
        handle_resurrected(&unreachable, old);
        collected += rg__list_len(&unreachable);
    } else {
        collected += sc.n_unreachable - moved_legacy;
    }
    delete_garbage(h, &unreachable, old, &sc);

    size_t uncollectable = sc.any_legacy ? rg__list_len(&finalizers) : 0;
    if (h->debug & RG_GC_DEBUG_UNCOLLECTABLE)
        for (rg_gc_link *l = finalizers.next; l != &finalizers; l = l->next)
            print_object(h, "uncollectable", RG__OBJ(l));
    save_to_garbage(h, &finalizers, old);
    /* After a collection of generation 1 or 2, generations 0 and 1 are
     * empty: generation 2 holds every tracked object that is not frozen. */
    if (full) {
        h->long_lived_pending = 0;
        h->long_lived_total = h->tracked_live - h->frozen_live;
    } else if (gen == 1) { /* as CPython: the survivors of every generation-1 collection add up */
        h->long_lived_pending += survivors;
    }

    if (h->debug & RG_GC_DEBUG_STATS) {
        struct timespec t1;
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
        fprintf(debug_out(h), "gc: done, %zu unreachable, %zu uncollectable, %.4fs elapsed\n",
                collected + uncollectable, uncollectable, s);
    }
    h->gen[gen].stats.collections++;
    h->gen[gen].stats.examined += examined;
    h->gen[gen].stats.collected += collected;
    h->gen[gen].stats.uncollectable += uncollectable;
    *uncollectable_out = uncollectable;
#ifdef RG_DEBUG
    check_links(h);
#endif
    return collected;
}

static void invoke_callbacks(rg_heap *h, rg_gc_phase phase, int gen, size_t collected,
                             size_t uncollectable) {
    rg_gc_info info = {gen, collected, uncollectable};
    /* A callback may add or remove callbacks: index, never a saved pointer. */
    for (size_t i = 0; i < h->ncallbacks; i++) h->callbacks[i].fn(h, phase, &info, h->callbacks[i].ud);
}

static long collect_with_callbacks(rg_heap *h, int gen) {
    h->gc_state = RG__GC_COLLECTING;
    invoke_callbacks(h, RG_GC_START, gen, 0, 0);
    size_t uncollectable = 0;
    size_t collected = collect_main(h, gen, &uncollectable);
    invoke_callbacks(h, RG_GC_STOP, gen, collected, uncollectable);
    h->gc_state = RG__GC_IDLE;
    return (long)(collected + uncollectable);
}

/* ---- public API ---------------------------------------------------------------------- */

long rg_gc_collect(rg_heap *h, int generation) {
    if (generation < 0 || generation >= RG_GC_GENERATIONS) return rg__fail(h, RG_EINVAL);
    if (h->gc_state != RG__GC_IDLE) return 0;
    return collect_with_callbacks(h, generation);
}

void rg__gc_maybe_collect(rg_heap *h) {
    if (!h->enabled || h->gc_state != RG__GC_IDLE || h->gen[0].threshold <= 0) return;
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
        for (rg_gc_link *l = h->gens[i].next; l != &h->gens[i]; l = l->next) {
            RG__OBJ(l)->flags = (uint16_t)((RG__OBJ(l)->flags & ~RG__F_CLEAN) | RG__F_FROZEN);
            h->frozen_live++;
        }
        rg__list_merge(&h->gens[i], &h->permanent);
        h->gen[i].count = 0; /* as CPython: every generation's count restarts */
    }
}

void rg_gc_unfreeze(rg_heap *h) {
    for (rg_gc_link *l = h->permanent.next; l != &h->permanent; l = l->next)
        RG__OBJ(l)->flags &= ~RG__F_FROZEN;
    h->frozen_live = 0;
    rg__list_merge(&h->permanent, &h->gens[RG_GC_GENERATIONS - 1]);
    /* Roots recorded while frozen were skipped: examine everything once,
     * and let no collection count as idle. */
    h->purple_overflow = 1;
    h->decrefs++;
}

size_t rg_gc_freeze_count(const rg_heap *h) { return h->frozen_live; }

int rg_gc_is_tracked(const rg_object *o) { return o && (o->flags & RG__F_TRACKED) != 0; }
int rg_gc_is_finalized(const rg_object *o) { return o && (o->flags & RG__F_FINALIZED) != 0; }
/* Generations are list membership: walk to the list's head. */
int rg_gc_generation(const rg_object *o) {
    if (!o || !(o->flags & RG__F_TRACKED) || (o->flags & RG__F_DYING)) return -1;
    if (o->flags & RG__F_FROZEN) return 3;
    const rg_heap *h = RG__HEAP(o);
    size_t limit = h->live + 8; /* a collection's private list has no known head */
    for (const rg_gc_link *l = RG__LINK(o)->next; limit--; l = l->next)
        for (int i = 0; i < RG_GC_GENERATIONS; i++)
            if (l == &h->gens[i]) return i;
    return -1;
}

void rg_gc_set_debug(rg_heap *h, unsigned flags) { h->debug = flags; }
unsigned rg_gc_get_debug(const rg_heap *h) { return h->debug; }
void rg_gc_set_debug_stream(rg_heap *h, FILE *stream) { h->debug_stream = stream; }

rg_object *rg_gc_garbage(rg_heap *h) {
    if (!h->garbage) {
        /* Created untracked-proof: it is a root, not a candidate. Like
         * CPython's gc.garbage, which exists from the start, it is not an
         * allocation the program made: generation 0's count ignores it. */
        rg_object *l = rg_list_new(h);
        if (h->garbage) {
            /* The allocation ran a collection that saved garbage, and so
             * made the list: keep that one (with what it saved). */
            rg_decref(l);
        } else {
            h->garbage = l;
            if (l && h->gen[0].count > 0) h->gen[0].count--;
        }
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
