/* internal.h — the heap's private structures, shared by core/src only. */
#ifndef RG_INTERNAL_H
#define RG_INTERNAL_H

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "refgraph/gc.h"
#include "refgraph/heap.h"

/* ---- object flags --------------------------------------------------------- */
#define RG__F_TRACKED 0x001u     /* on a generation list (else on untracked) */
#define RG__F_COLLECTING 0x002u  /* candidate of the running collection */
#define RG__F_UNREACHABLE 0x004u /* tentatively unreachable */
#define RG__F_FINALIZED 0x008u   /* finalizer has run */
#define RG__F_HASWEAK 0x010u     /* weakrefs point here (see heap->weakrefs) */
#define RG__F_FREED 0x020u       /* poisoned: the object was freed */
#define RG__F_DYING 0x040u       /* refcount reached 0, on the free worklist */
#define RG__F_HASHED 0x080u      /* a str: its hash field is valid */
#define RG__F_MARK 0x100u        /* scratch bit for one-pass algorithms */
#define RG__F_FROZEN 0x200u      /* in the permanent generation */
#define RG__F_PURPLE 0x400u      /* a possible cycle root: see heap->purple */
#define RG__F_CLEAN 0x800u       /* survived the scan of a full collection, unchanged since: see gc.c */
#define RG__F_INBUF 0x1000u      /* an entry of heap->purple points to this block (a ghost if FREED): see gc.c */
#define RG__F_WRUD RG__F_HASHED  /* a weakref: its callback's user data is in heap->weakref_ud (HASHED is a str's) */
#define RG__F_OLDERA 0x2000u     /* made in an earlier era of ids: its id is in heap->old_ids */

/* A collector candidate that is not frozen, dying or untracked. */
static inline int rg__eligible(const rg_object *o) {
    return (o->flags & (RG__F_TRACKED | RG__F_FROZEN | RG__F_DYING)) == RG__F_TRACKED;
}

/* ---- the collector's header -------------------------------------------------
 *
 * A container (a type with traverse) is allocated with this block right
 * before its rg_object, as CPython's PyGC_Head: the links of the list it is
 * on (a generation, the permanent generation, the untracked containers, a
 * collection's working lists, or the freeing worklist). Atoms have none of
 * it. The links are real pointers except in these states (gc.c lists who
 * writes what, phase by phase):
 *   - a candidate of a running collection (COLLECTING, not UNREACHABLE)
 *     from the count phase until the scan reaches it: its prev holds its
 *     gc_refs (a count, cast through uintptr_t: gc.c's accessors), and the
 *     list it is on is linked forward only, its head's prev still its tail;
 *   - on the freeing worklists (h->pending, h->dead): only next is used;
 *   - a ghost (FREED and INBUF, see "possible roots" in gc.c): on no list,
 *     its prev holds its block's size. */
typedef struct rg_gc_link {
    struct rg_gc_link *next;
    struct rg_gc_link *prev;
} rg_gc_link;

typedef struct rg__gchead {
    rg_gc_link link;
} rg__gchead;
_Static_assert(sizeof(rg__gchead) == 16, "the collector's block is CPython's PyGC_Head: two words");

/* The header's aux, on a container while it is CLEAN: the full collection
 * that found it reachable (its epoch, the top 4 bits) and its refcount then
 * (the low 12 bits); see "clean objects" in gc.c. An object referenced more
 * than RG__CLEAN_BASELINE_MAX times is never clean. On a freed object: the
 * low 16 bits of its id's era (object.c, "ids and eras"). */
#define RG__CLEAN_EPOCH_SHIFT 12
#define RG__CLEAN_EPOCH_MASK 0xfu
#define RG__CLEAN_BASELINE_MAX 0xfffu

#define RG__GC(o) ((rg__gchead *)(void *)((char *)(o) - sizeof(rg__gchead)))
#define RG__LINK(o) (&RG__GC(o)->link)
#define RG__OBJ(l) ((rg_object *)(void *)((char *)(l) + sizeof(rg__gchead))) /* link is first */

_Static_assert(sizeof(rg_object) == 16, "the header is 16 bytes, as CPython's PyObject");

/* ---- kinds: an object's heap and type ----------------------------------------
 *
 * The process-wide table of (heap, type) pairs that an object's 16-bit kind
 * indexes (heap.c). Kind 0 stays empty. A heap claims an entry (a
 * compare-and-swap on heap: heaps live on several threads) the first time it
 * makes an object of a type, and clears its entries when destroyed; an
 * object is used only by the thread that uses its heap, which claimed the
 * entry before making it. */
typedef struct rg__kind {
    rg_heap *_Atomic heap;
    const rg_type *type;
} rg__kind;
extern rg__kind rg__kinds[RG_KINDS_MAX + 1];
static inline rg_heap *rg__heap_of(const rg_object *o) {
    return atomic_load_explicit(&rg__kinds[o->kind].heap, memory_order_relaxed);
}
#define RG__HEAP(o) rg__heap_of(o)
#define RG__TYPE(o) (rg__kinds[(o)->kind].type)
/* The heap's kind for type: claimed on first use; 0 when none is left
 * (RG_ERANGE) or out of memory (RG_ENOMEM), with h->last_error set. */
uint16_t rg__kind_of(rg_heap *h, const rg_type *type);

/* ---- ids --------------------------------------------------------------------
 *
 * The header holds an id's low 48 bits (the stamp). The heap's era is the
 * rest: every object made since the era began has id era * 2^48 + stamp.
 * When the stamps run out the heap records the full id of each live object
 * in h->old_ids, marks it RG__F_OLDERA, and begins the next era (object.c). */
#ifndef RG__ID_BITS
#define RG__ID_BITS 48 /* a test build makes it smaller, to reach the end of an era */
#endif
#define RG__STAMP_MAX ((UINT64_C(1) << RG__ID_BITS) - 1)
uint64_t rg__id(const rg_object *o);

/* ---- intrusive doubly linked lists ---------------------------------------- */

static inline void rg__list_init(rg_gc_link *head) { head->next = head->prev = head; }
static inline int rg__list_empty(const rg_gc_link *head) { return head->next == head; }
static inline void rg__list_append(rg_gc_link *head, rg_gc_link *n) {
    n->prev = head->prev;
    n->next = head;
    head->prev->next = n;
    head->prev = n;
}
static inline void rg__list_remove(rg_gc_link *n) {
    n->prev->next = n->next;
    n->next->prev = n->prev;
    n->next = n->prev = NULL;
}
static inline void rg__list_move(rg_gc_link *n, rg_gc_link *head) {
    n->prev->next = n->next;
    n->next->prev = n->prev;
    rg__list_append(head, n);
}
/* Appends every node of from to the end of to; from becomes empty. */
static inline void rg__list_merge(rg_gc_link *from, rg_gc_link *to) {
    if (rg__list_empty(from)) return;
    rg_gc_link *tail = to->prev;
    tail->next = from->next;
    from->next->prev = tail;
    to->prev = from->prev;
    from->prev->next = to;
    rg__list_init(from);
}
size_t rg__list_len(const rg_gc_link *head);

/* ---- lists: the layout, and the traverse the collector inlines ---------------- */
/* While cap is 1 there is no buffer: the one item, if any, sits in the
 * items field itself, so a list of at most one item (the collector's pairs
 * and rings, a tree's leaves) costs one block and no pointer to chase.
 * From 2 items on, items points to a buffer of cap items from the heap's
 * allocator, grown and shrunk as CPython's list_resize does (so a list
 * built by appending holds the buffer CPython's would). */
typedef struct rg_list {
    rg_object ob;
    union {
        rg_object *one;    /* cap == 1: the item (len 1), or NULL (len 0) */
        rg_object **items; /* cap >= 2: the buffer */
    } u;
    uint32_t len, cap;
} rg_list;

/* The items as an array: the buffer, or the union's one slot. */
static inline rg_object **rg__list_slots(rg_list *l) { return l->cap > 1 ? l->u.items : &l->u.one; }

/* A list's traverse (list.c's, and gc.c's for lists: inlined there, so
 * that each phase's visit is a direct call). */
static inline int rg__list_traverse(rg_object *self, rg_visit_fn visit, void *arg) {
    rg_list *l = (rg_list *)self;
    rg_object **items = rg__list_slots(l);
    for (size_t i = 0, n = l->len; i < n; i++) {
        rg_label label = {RG_LABEL_INDEX, {.index = i}};
        int rc = visit(items[i], label, arg);
        if (rc) return rc;
    }
    return 0;
}
/* A list of a garbage set being deleted at once (gc.c): list_clear
 * without the calls for items of the same set, whose references die
 * with it. */
void rg__list_clear_garbage(rg_object *self);
/* The same for an instance (instance.c). */
void rg__instance_clear_garbage(rg_object *self);

/* ---- pointer map (open addressing, linear probing) ------------------------- */
typedef struct rg__ptrmap_slot {
    const void *key; /* NULL = empty */
    void *value;
} rg__ptrmap_slot;

typedef struct rg__ptrmap {
    rg__ptrmap_slot *slots;
    size_t cap; /* power of two, or 0 */
    size_t len;
} rg__ptrmap;

void **rg__ptrmap_find(const rg__ptrmap *m, const void *key);
/* Returns the value slot for key, inserting NULL if absent; NULL when out of memory. */
void **rg__ptrmap_upsert(rg_heap *h, rg__ptrmap *m, const void *key);
void rg__ptrmap_remove(rg__ptrmap *m, const void *key);
void rg__ptrmap_free(rg_heap *h, rg__ptrmap *m);

/* ---- roots ------------------------------------------------------------------- */
typedef struct rg__binding {
    char *name;
    rg_object *value;
} rg__binding;

typedef struct rg__namemap {
    rg__binding *items;
    size_t len, cap;
} rg__namemap;

typedef struct rg__frame {
    char *name;
    rg__namemap locals;
} rg__frame;

/* Binds name (copied) to value, stealing value; consumes it on failure. */
int rg__namemap_set_new(rg_heap *h, rg__namemap *m, const char *name, rg_object *value);
rg_object *rg__namemap_get(const rg__namemap *m, const char *name);
int rg__namemap_del(rg_heap *h, rg__namemap *m, const char *name);
void rg__namemap_clear(rg_heap *h, rg__namemap *m);

/* ---- the heap ------------------------------------------------------------------ */
#ifndef RG_QUARANTINE
#ifdef RG_DEBUG
#define RG_QUARANTINE 1024 /* freed objects kept poisoned to catch late use */
#else
#define RG_QUARANTINE 0
#endif
#endif

typedef struct rg__gcgen {
    long threshold;
    long count;
    rg_gc_genstats stats;
    uint64_t seen; /* heap->decrefs when a collection of this or an older generation last ran */
} rg__gcgen;

typedef struct rg__callback {
    rg_gc_callback fn;
    void *ud;
} rg__callback;

#define RG__CLASS_SIZE 16
#define RG__SMALL_MAX 512
#define RG__CLASSES (RG__SMALL_MAX / RG__CLASS_SIZE)

typedef struct rg__slab {
    char *base;
    size_t size;
    size_t free; /* scratch for rg_heap_trim */
} rg__slab;

/* Slabs and the free lists of their blocks. The main arena holds
 * containers and every buffer; the atoms' arena holds only atoms, so that
 * walking its slabs enumerates them (alloc.c). */
typedef struct rg__arena {
    void *cache[RG__CLASSES]; /* freed small blocks, marked and linked (alloc.c's free_push) */
    char *bump, *bump_end;    /* the newest slab's uncarved rest */
    rg__slab *slabs;
    size_t nslabs, slabs_cap, slab_bytes;
} rg__arena;
#define RG__ARENA_MAIN 0
#define RG__ARENA_ATOMS 1
#define RG__ARENAS 2

/* The links of a large atom (see alloc.c). */
typedef struct rg__big {
    struct rg__big *next, *prev;
} rg__big;

typedef struct rg__intern {
    char **slots; /* NULL = empty */
    size_t cap, len;
} rg__names;

/* What the collector is doing (h->gc_state). Each state holds until the
 * next is set; DELETING happens only inside COLLECTING.
 *   IDLE        no collection runs
 *   COLLECTING  a collection runs, from its START callbacks to its STOP
 *               ones: another request (automatic or rg_gc_collect) does
 *               nothing, as in CPython
 *   DELETING    it frees a garbage set all at once (delete_at_once in
 *               gc.c): a decref of a member is a no-op, since the set's
 *               references to one another die with it */
typedef enum rg__gc_state { RG__GC_IDLE, RG__GC_COLLECTING, RG__GC_DELETING } rg__gc_state;

struct rg_heap {
    rg_allocator alloc;
    uint64_t heap_id; /* tells dumps of different heaps apart */
    rg__arena arena[RG__ARENAS];
    rg__big big_atoms; /* large atoms (and all atoms with RG_ALLOCATOR_EACH_BLOCK) */
    /* Kinds (see above): the last type asked for, and every type's. */
    const rg_type *kind_type;
    uint16_t kind_last;
    rg__ptrmap kinds; /* type -> its kind, as a uintptr_t */
    void *deferred[RG__CLASSES], *deferred_tail[RG__CLASSES], *deferred_rest; /* see alloc.c */
    size_t cached_bytes; /* slab bytes not handed out */
    rg__names names; /* attribute names, interned */
    int last_error;
    size_t bytes, peak, live;
    uint64_t next_id; /* the last id handed out */
    rg__ptrmap old_ids; /* object -> its id, for objects of earlier eras */
    rg_misuse_fn misuse;
    void *misuse_ud;

    rg_object *none, *true_, *false_;

    /* Every live container is on exactly one of these lists; atoms are on
     * none (the atoms' arena enumerates them). */
    rg_gc_link gens[RG_GC_GENERATIONS];
    rg_gc_link permanent;
    rg_gc_link untracked;

    /* Containers whose refcount reached zero beyond the nesting bound of
     * release() (object.c), linked through their link.next, drained by its loop. */
    rg_object *pending;
    int draining;    /* nested releases running (see release() in object.c) */
    rg_object *dead; /* freed by them, blocks returned when the outermost ends */

    rg__namemap globals;
    rg__frame *frames;
    size_t nframes, frames_cap;

    rg__ptrmap weakrefs;   /* referent -> newest weakref to it */
    rg__ptrmap weakref_ud; /* weakref -> its callback's user data, for those that have one */

    rg__gcgen gen[RG_GC_GENERATIONS];
    size_t long_lived_total, long_lived_pending;
    int enabled;
    rg__gc_state gc_state;
    /* The last rounds of rg_heap_destroy: legacy finalizers run as
     * ordinary ones, so their cycles are freed too. */
    int tearing_down;
    size_t tracked_live, frozen_live;
    /* Live tracked objects of foreign types (see rg__is_builtin_container).
     * While there are any, collections take no shortcut: CPython's scan. */
    size_t foreign_live;

    /* Possible cycle roots (Bacon and Rajan): tracked objects whose refcount
     * was decremented to a non-zero value since the last full collection.
     * Every garbage cycle has one, so a full collection only examines what
     * they reach. The buffer is bounded: past RG__PURPLE_MAX entries or a
     * quarter of the tracked objects, whichever is more (or on
     * allocation failure) it overflows and the next full collection scans
     * every candidate instead. An object an entry points to is INBUF; one
     * that dies so stays a ghost until the buffer drops the entry (gc.c). */
    rg_object **purple;
    size_t npurple, purple_cap;
    int purple_overflow;
    /* Decrements of tracked objects to a non-zero count, ever. A garbage
     * cycle needs one: a collection of generation g with none since the
     * last collection of g or older has nothing to find. */
    uint64_t decrefs;
    /* Clean objects (gc.c): the epoch of the last full collection that
     * examined anything (4 bits, wrapping), and how many such collections
     * ran since the last that examined everything (at most 15, so that no
     * epoch still written in an object comes round again). */
    uint32_t clean_epoch;
    unsigned epochs_since_full_scan;
    unsigned debug;
    FILE *debug_stream;
    rg_object *garbage;
    rg__callback *callbacks;
    size_t ncallbacks, callbacks_cap;

#if RG_QUARANTINE
    struct {
        void *block;
        size_t size;
        int arena;
    } quarantine[RG_QUARANTINE];
    size_t qnext;
#endif
};

/* ---- allocation and accounting -------------------------------------------------- */
extern const rg_allocator rg__std_allocator;
void *rg__malloc(rg_heap *h, size_t size);
void *rg__realloc(rg_heap *h, void *ptr, size_t old_size, size_t new_size);
void rg__free(rg_heap *h, void *ptr, size_t size);
int rg__alloc_init(rg_heap *h);     /* 0, or -1 when out of memory */
void rg__alloc_destroy(rg_heap *h); /* frees every slab */
/* Frees a block that must stay readable (not reused) until the flush. */
void rg__free_deferred_flush(rg_heap *h);
void rg__free_deferred_rest(rg_heap *h, void *ptr, size_t size); /* what is not a slab block */
/* Frees a block the collector's delete phase may still read (alloc.c,
 * "deferred release"): a slab block waits on its class's list, inline
 * since the phase frees every object of a garbage set through here. */
static inline void rg__free_deferred(rg_heap *h, void *ptr, size_t size) {
#if !RG_QUARANTINE
    if (size <= RG__SMALL_MAX && !(h->alloc.flags & RG_ALLOCATOR_EACH_BLOCK)) { /* alloc.c's in_slab */
        size_t k = (size - 1) / RG__CLASS_SIZE, held = (k + 1) * RG__CLASS_SIZE;
        h->bytes -= held;
        h->cached_bytes += held;
        ((void **)ptr)[1] = h->deferred[k]; /* linked as the free lists (alloc.c) */
        if (!h->deferred[k]) h->deferred_tail[k] = ptr;
        h->deferred[k] = ptr;
        return;
    }
#endif
    rg__free_deferred_rest(h, ptr, size);
}
#if RG_QUARANTINE
void rg__quarantine(rg_heap *h, void *block, size_t size, int arena);
#endif
/* Atoms' blocks (alloc.c): from the atoms' arena, enumerable. */
void *rg__atom_malloc(rg_heap *h, size_t size);
void rg__atom_free(rg_heap *h, void *p, size_t size);
/* Calls fn for every live atom; the first non-zero result stops the calls
 * and is returned. fn must not allocate or free atoms. */
int rg__atoms_foreach(rg_heap *h, int (*fn)(rg_object *o, void *arg), void *arg);
char *rg__strdup(rg_heap *h, const char *s);
/* Interned attribute names: one copy per heap, compared by pointer. */
const char *rg__intern(rg_heap *h, const char *s);            /* NULL: no memory */
const char *rg__intern_find(const rg_heap *h, const char *s); /* NULL: never interned */
void rg__intern_free(rg_heap *h);
void rg__strfree(rg_heap *h, char *s);
static inline int rg__fail(rg_heap *h, int err) {
    h->last_error = err;
    return err;
}

/* Allocates an object of size bytes (header included, the collector's
 * header of a container not) with refcount 1 and a fresh id; a container
 * of the tracked kind goes on generation 0, other containers on the
 * untracked list, atoms on no list. May run an automatic collection first. */
rg_object *rg__object_alloc(rg_heap *h, const rg_type *type, size_t size, int track);
void rg__bool_init(rg_object *o, int value);         /* True and False */
size_t rg__tuple_block_size(const rg_object *t);
/* Bytes of the object's own block (what rg__object_alloc was given). */
size_t rg__block_size(const rg_object *o);
void rg__misuse(rg_heap *h, rg_misuse kind, const rg_object *o);

/* ---- tracking -------------------------------------------------------------------- */
void rg__track(rg_object *o);   /* untracked -> generation 0 */
void rg__untrack(rg_object *o); /* generation -> untracked */
/* True when o is, or may become, tracked (CPython's MAY_BE_TRACKED): any
 * container except an untracked tuple. */
int rg__may_be_tracked(const rg_object *o);
int rg__tuple_maybe_untrack(rg_object *t); /* 1 if it was untracked */
int rg__dict_maybe_untrack(rg_object *d);
/* True when the container could be untracked: no item may be tracked. */
int rg__tuple_untrackable(const rg_object *t);
int rg__dict_untrackable(const rg_object *d);
/* Untracks o, a tracked container the caller has already unlinked from its
 * list (its links are not read): it joins the untracked list. */
void rg__untrack_unlinked(rg_object *o);

/* The low 16 bits of the heap's era, which a freed header keeps in its
 * aux (object.c, "ids and eras"). Eras begin only while no collection
 * runs, so it holds for a whole collection. */
uint16_t rg__era(const rg_heap *h);
/* Frees o, a member of a garbage set the collector deletes at once (after
 * its clear): the block stays readable until rg__free_deferred_flush. t is
 * o's type. */
void rg__free_garbage_any(rg_heap *h, rg_object *o, const rg_type *t);
/* The same (era: rg__era(h)), with the common case inline, for the delete
 * phase frees every member through here: a tracked list or instance, neither frozen nor
 * recorded in old_ids nor pointed to by the possible-root buffer. What
 * forget_typed and retire_id do (object.c), for such an object: a list and
 * an instance have no destroy and a fixed size. */
static inline void rg__free_garbage(rg_heap *h, rg_object *o, const rg_type *t, uint16_t era) {
    if ((t == &rg_list_type || t == &rg_instance_type) &&
        (o->flags & (RG__F_TRACKED | RG__F_FROZEN | RG__F_INBUF | RG__F_OLDERA)) == RG__F_TRACKED) {
        if (h->gen[0].count > 0) h->gen[0].count--;
        h->tracked_live--;
        h->live--;
        o->aux = era;
        o->flags = RG__F_FREED | RG__F_UNREACHABLE;
#if RG_QUARANTINE
        o->refcnt = 0;
#endif
        rg__free_deferred(h, RG__GC(o), sizeof(rg__gchead) + t->basic_size);
        return;
    }
    rg__free_garbage_any(h, o, t);
}

/* The collector's entry from allocation. */
void rg__gc_maybe_collect(rg_heap *h);
#define RG__PURPLE_MAX 65536
void rg__purple_add(rg_object *o);
void rg__purple_reset(rg_heap *h);   /* forget every root, return every ghost */
void rg__purple_compact(rg_heap *h); /* drop the entries of ghosts and of objects no longer PURPLE */
/* Ghosts: a freed container an entry of heap->purple still points to keeps
 * its block (accounted as freed: cached, not in use) until the buffer drops
 * the entry, which returns the block with rg__ghost_free (object.c). */
void rg__ghost_keep(rg_heap *h, size_t size);                 /* alloc.c */
void rg__ghost_release(rg_heap *h, void *block, size_t size); /* alloc.c */
void rg__ghost_free(rg_heap *h, rg_object *o);

/* The built-in container types, whose every reference change goes through
 * the heap's API (so it is seen); any other type with traverse is "foreign":
 * its C code may move references the collector never hears of. */
static inline int rg__is_builtin_container(const rg_type *t) {
    return t == &rg_list_type || t == &rg_tuple_type || t == &rg_dict_type || t == &rg_class_type ||
           t == &rg_instance_type || t == &rg_weakref_type;
}

/* Records o as a possible cycle root, unconditionally: it is no longer
 * clean, the event counts (h->decrefs) and it joins the buffer. */
static inline void rg__record(rg_object *o) {
    if (!(o->flags & RG__F_TRACKED)) return;
    o->flags &= (uint16_t)~RG__F_CLEAN;
    RG__HEAP(o)->decrefs++;
    if (!(o->flags & RG__F_PURPLE)) rg__purple_add(o);
}

/* Records that o may have just become garbage: its refcount was
 * decremented to a non-zero value (unbinding a name, popping a frame,
 * replacing or removing an item, clear()). See "soundness" at the top of
 * gc.c: every event that can turn a live object into garbage must come
 * through here, rg__stolen or rg__stored. A clean object whose count is
 * still at least what the last full collection saw has lost only a
 * reference taken since, so nothing is recorded ("clean objects" in gc.c):
 * the touch of a long-lived object (incref, decref) costs no collection
 * work. */
static inline void rg__possible_root(rg_object *o) {
    if (o->flags & RG__F_CLEAN) {
        unsigned c = o->aux;
        if ((c >> RG__CLEAN_EPOCH_SHIFT) == RG__HEAP(o)->clean_epoch && o->refcnt >= (c & RG__CLEAN_BASELINE_MAX))
            return;
    }
    rg__record(o);
}

/* A stealing call (any _new setter) is about to move the caller's
 * reference to o into a container: o loses a reference from outside the
 * heap's objects without any count changing, so it is a possible root.
 * Called before the store: if the store fails, o is released as usual (and
 * leaves the buffer); after it, user code may already free o. Nothing in
 * between allocates an object, so no collection consumes the record first. */
static inline void rg__stolen(rg_object *o) {
    if (o) rg__record(o);
}

/* A container is about to take a new reference to o (the incref of a
 * non-stealing store: list, dict key or value, attribute, tuple item, an
 * instance's class). A clean object gains a referrer the last full
 * collection did not see, so it stops being clean, with a record; other
 * objects need nothing (their every decrement is recorded anyway). */
static inline void rg__stored(rg_object *o) {
    rg_incref(o);
    if (o && (o->flags & RG__F_CLEAN)) rg__record(o);
}

/* ---- finalizers, weakrefs -------------------------------------------------------- */
void (*rg__finalizer_of(const rg_object *o))(rg_object *);
int rg__has_legacy_finalizer(const rg_object *o);

/* Detaches every weakref to o; those with a callback are returned as a
 * chain (each increfed) for rg__weakref_run_callbacks. */
rg_object *rg__weakref_clear_all(rg_object *o);
/* Moves the chain's weakrefs into a collection's old generation (frozen or
 * not), as CPython moves the weakrefs whose callbacks it runs. */
void rg__weakref_chain_move(rg_object *chain, rg_gc_link *old);
/* Runs and releases the chain; returns how many weakrefs that freed. */
size_t rg__weakref_run_callbacks(rg_object *chain);
/* Detaches one weakref from its referent (the referent is now dead to it). */
void rg__weakref_detach(rg_object *wr);
/* The collector links the heads of callback chains through them. */
rg_object *rg__weakref_chains(rg_object *chain);
void rg__weakref_set_chains(rg_object *chain, rg_object *next);
/* True when o is a weakref whose callback the collector must consider. */
int rg__is_weakref(const rg_object *o);

/* ---- hashing (dict keys) ------------------------------------------------------------ */
/* Returns 0 and the hash, or RG_EUNHASHABLE. */
int rg__hash(rg_object *o, uint64_t *out);
uint64_t rg__str_hash(const char *data, size_t len); /* what rg__hash gives a str */

/* Type checks. */
#define RG__IS(o, t) ((o) != NULL && RG__TYPE(o) == &(t))

#endif
