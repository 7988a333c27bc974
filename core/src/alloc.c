/* alloc.c — the per-heap allocator: small blocks carved from slabs, size
 * classes with free lists, accounting, and the debug quarantine.
 *
 * Every byte comes from the heap's rg_allocator. Blocks of up to
 * RG__SMALL_MAX bytes are rounded to a class (a multiple of 16, so they are
 * aligned as malloc's) and carved from slabs: large blocks the heap takes
 * from the allocator, 64 KiB at first and then as much again as the heap
 * already holds, up to 8 MiB. Freed blocks go on their class's free list.
 * Objects allocated together then sit together in memory, mostly in the
 * order the collector's lists hold them, so a collection streams through
 * memory (gc.c prefetches on that bet), and a small object costs no
 * allocator header. With RG_ALLOCATOR_EACH_BLOCK there are no slabs: each
 * block is one allocator call, freed blocks go straight back.
 *
 * Accounting: bytes counts blocks handed out (plus larger blocks and the
 * heap's own structures); cached_bytes counts slab bytes not handed out.
 * Their sum is what the heap holds from the allocator. rg_heap_trim returns
 * the slabs that are wholly free. */
#include <stdlib.h>

#include "internal.h"

/* Free blocks are poisoned under AddressSanitizer, and under valgrind in a
 * build with RG_VALGRIND: a read or write through a stale pointer into a
 * slab is reported as it would be for malloc. LINK_OPEN makes a free
 * block's second word (the free-list link) readable for a moment,
 * WORD_OPEN its first (the mark that it is free: see free_push). */
/* A free block's link to the next on its list: its second word. */
#define LINK(p) ((void **)(void *)(p) + 1)

#if defined(__SANITIZE_ADDRESS__)
#define RG__ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RG__ASAN 1
#endif
#endif
#if defined(RG__ASAN)
#include <sanitizer/asan_interface.h>
#define POISONING 1
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#define LINK_OPEN(p) ASAN_UNPOISON_MEMORY_REGION(LINK(p), sizeof(void *))
#define WORD_OPEN(p) ASAN_UNPOISON_MEMORY_REGION((p), sizeof(size_t))
#elif defined(RG_VALGRIND)
#include <valgrind/memcheck.h>
#define POISONING 1
#define POISON(p, n) ((void)VALGRIND_MAKE_MEM_NOACCESS((p), (n)))
#define UNPOISON(p, n) ((void)VALGRIND_MAKE_MEM_UNDEFINED((p), (n)))
#define LINK_OPEN(p) ((void)VALGRIND_MAKE_MEM_DEFINED(LINK(p), sizeof(void *)))
#define WORD_OPEN(p) ((void)VALGRIND_MAKE_MEM_DEFINED((p), sizeof(size_t)))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#define LINK_OPEN(p) ((void)(p))
#define WORD_OPEN(p) ((void)(p))
#endif

/* ---- the default allocator ----------------------------------------------- */

static void *std_malloc(void *ud, size_t size) {
    (void)ud;
    return malloc(size);
}
static void *std_realloc(void *ud, void *ptr, size_t old_size, size_t new_size) {
    (void)ud;
    (void)old_size;
    return realloc(ptr, new_size);
}
static void std_free(void *ud, void *ptr, size_t size) {
    (void)ud;
    (void)size;
    free(ptr);
}
const rg_allocator rg__std_allocator = {std_malloc, std_realloc, std_free, NULL, 0};

/* ---- size classes and slabs --------------------------------------------------- */

#define SLAB_MIN ((size_t)64 << 10)
#define SLAB_MAX ((size_t)8 << 20)

static inline size_t class_of(size_t n) { return (n - 1) / RG__CLASS_SIZE; }
static inline size_t class_size(size_t k) { return (k + 1) * RG__CLASS_SIZE; }
static inline size_t held_size(size_t size) {
    return size <= RG__SMALL_MAX ? class_size(class_of(size)) : size;
}
/* True when size is carved from a slab (else it is an allocator block). */
static inline int in_slab(const rg_heap *h, size_t size) {
    return size <= RG__SMALL_MAX && !(h->alloc.flags & RG_ALLOCATOR_EACH_BLOCK);
}

static inline void set_link(void *p, void *next) {
    LINK_OPEN(p);
    *LINK(p) = next;
    POISON(LINK(p), sizeof(void *));
}

static inline void *free_next(void *p) {
    LINK_OPEN(p);
    void *next = *LINK(p);
    POISON(LINK(p), sizeof(void *));
    return next;
}

/* A free block is marked as one in its first word, where an object's
 * refcount and flags are: the flags say FREED, which no live object's do,
 * and the refcount holds the block's class. A walk of the atoms' slabs
 * steps over free blocks by that mark alone (rg__atoms_foreach). */
static inline void free_mark(void *p, size_t k) {
    WORD_OPEN(p);
    rg_object *o = p;
    o->refcnt = (uint32_t)k;
    o->flags = RG__F_FREED;
}

static inline void free_push(rg__arena *a, size_t k, void *p) {
    free_mark(p, k);
    set_link(p, a->cache[k]);
    POISON(p, class_size(k));
    a->cache[k] = p;
}

/* Adds a slab of at least need bytes and makes it the one blocks are carved
 * from; what was left of the previous one (less than need, a multiple of
 * the class size) becomes one free block. Returns 0, or -1 when the
 * allocator fails. */
static int slab_add(rg_heap *h, rg__arena *a, size_t need) {
    if (a->nslabs == a->slabs_cap) {
        size_t cap = a->slabs_cap ? a->slabs_cap * 2 : 8;
        rg__slab *s = h->alloc.realloc(h->alloc.ud, a->slabs, a->slabs_cap * sizeof *s, cap * sizeof *s);
        if (!s) return -1;
        h->bytes += (cap - a->slabs_cap) * sizeof *s; /* the table is the heap's own */
        if (h->bytes > h->peak) h->peak = h->bytes;
        a->slabs = s;
        a->slabs_cap = cap;
    }
    size_t size = a->slab_bytes < SLAB_MIN ? SLAB_MIN : a->slab_bytes > SLAB_MAX ? SLAB_MAX : a->slab_bytes;
    if (size < need) size = need;
    char *base = h->alloc.malloc(h->alloc.ud, size);
    if (!base) return -1;
    POISON(base, size);
    size_t rest = (size_t)(a->bump_end - a->bump);
    if (rest) free_push(a, class_of(rest), a->bump); /* still counted as cached */
    a->slabs[a->nslabs++] = (rg__slab){base, size, 0};
    a->slab_bytes += size;
    h->cached_bytes += size;
    a->bump = base;
    a->bump_end = base + size;
    return 0;
}

/* Gives each arena its table of slabs, so that the heap's own bytes do
 * not grow later when the first object of a kind arrives. */
int rg__alloc_init(rg_heap *h) {
    for (int i = 0; i < RG__ARENAS; i++) {
        rg__arena *a = &h->arena[i];
        a->slabs = h->alloc.malloc(h->alloc.ud, 8 * sizeof *a->slabs);
        if (!a->slabs) return -1;
        a->slabs_cap = 8;
        h->bytes += 8 * sizeof *a->slabs;
    }
    h->peak = h->bytes;
    return 0;
}

/* A small block, from its class's free list or the arena's newest slab. */
static void *small_alloc(rg_heap *h, rg__arena *a, size_t k) {
    size_t n = class_size(k);
    void *p = a->cache[k];
    if (p) {
        a->cache[k] = free_next(p);
    } else {
        if ((size_t)(a->bump_end - a->bump) < n && slab_add(h, a, n) != 0) return NULL;
        p = a->bump;
        a->bump += n;
    }
    UNPOISON(p, n);
    h->cached_bytes -= n;
    return p;
}

static void *arena_malloc(rg_heap *h, rg__arena *a, size_t size) {
    if (size == 0) size = 1;
    size_t held = held_size(size);
    void *p = in_slab(h, size) ? small_alloc(h, a, class_of(size)) : h->alloc.malloc(h->alloc.ud, held);
    if (!p) {
        h->last_error = RG_ENOMEM;
        return NULL;
    }
    h->bytes += held;
    if (h->bytes > h->peak) h->peak = h->bytes;
    return p;
}

void *rg__malloc(rg_heap *h, size_t size) { return arena_malloc(h, &h->arena[RG__ARENA_MAIN], size); }

/* Returns a block to its free list or the allocator, without accounting
 * for bytes in use. */
static void block_release(rg_heap *h, rg__arena *a, void *p, size_t size) {
    if (in_slab(h, size)) {
        size_t k = class_of(size);
        free_push(a, k, p);
        h->cached_bytes += class_size(k);
        return;
    }
    h->alloc.free(h->alloc.ud, p, held_size(size));
}

void *rg__realloc(rg_heap *h, void *ptr, size_t old_size, size_t new_size) {
    if (!ptr) return rg__malloc(h, new_size);
    if (old_size == 0) old_size = 1;
    if (new_size == 0) new_size = 1;
    size_t old_held = held_size(old_size), new_held = held_size(new_size);
    if (old_held == new_held) return ptr;
    if (!in_slab(h, old_size) && !in_slab(h, new_size)) {
        void *p = h->alloc.realloc(h->alloc.ud, ptr, old_held, new_held);
        if (!p) {
            h->last_error = RG_ENOMEM;
            return NULL;
        }
        h->bytes = h->bytes - old_held + new_held;
        if (h->bytes > h->peak) h->peak = h->bytes;
        return p;
    }
    void *p = rg__malloc(h, new_size);
    if (!p) return NULL;
    memcpy(p, ptr, old_size < new_size ? old_size : new_size);
    rg__free(h, ptr, old_size);
    return p;
}

void rg__free(rg_heap *h, void *ptr, size_t size) {
    if (!ptr) return;
    if (size == 0) size = 1;
    h->bytes -= held_size(size);
    block_release(h, &h->arena[RG__ARENA_MAIN], ptr, size);
}

#if RG_QUARANTINE
static void quarantine_release(rg_heap *h, size_t slot) {
    h->cached_bytes -= held_size(h->quarantine[slot].size);
    block_release(h, &h->arena[h->quarantine[slot].arena], h->quarantine[slot].block, h->quarantine[slot].size);
    h->quarantine[slot].block = NULL;
}

/* Counts a freed object's block as cached while it stays poisoned in the
 * ring; the block it evicts goes back to its free list. */
void rg__quarantine(rg_heap *h, void *block, size_t size, int arena) {
    h->bytes -= held_size(size);
    h->cached_bytes += held_size(size);
    size_t slot = h->qnext++ % RG_QUARANTINE;
    if (h->quarantine[slot].block) quarantine_release(h, slot);
    h->quarantine[slot].block = block;
    h->quarantine[slot].size = size;
    h->quarantine[slot].arena = arena;
}

/* Returns the ring's blocks of one arena (or of both: -1) to their lists. */
static void quarantine_flush(rg_heap *h, int arena) {
    for (size_t i = 0; i < RG_QUARANTINE; i++)
        if (h->quarantine[i].block && (arena < 0 || h->quarantine[i].arena == arena)) quarantine_release(h, i);
}
#endif

/* ---- ghosts ------------------------------------------------------------------------
 *
 * A freed container that an entry of the possible-root buffer still points
 * to keeps its block until the buffer drops the entry (gc.c): counted as
 * cached, not in use, as the quarantine counts its blocks, and on no free
 * list, so nothing reuses it. Its release undoes that and frees it as any
 * block (into the quarantine in debug builds). */
void rg__ghost_keep(rg_heap *h, size_t size) {
    if (size == 0) size = 1;
    h->bytes -= held_size(size);
    h->cached_bytes += held_size(size);
}

void rg__ghost_release(rg_heap *h, void *block, size_t size) {
    if (size == 0) size = 1;
    h->bytes += held_size(size);
    h->cached_bytes -= held_size(size);
#if RG_QUARANTINE
    rg__quarantine(h, block, size, RG__ARENA_MAIN);
#else
    rg__free(h, block, size);
#endif
}

/* ---- deferred release ------------------------------------------------------------
 *
 * The collector's delete phase frees a garbage set whose members may still
 * read each other's headers (a decref of a member is then a no-op), so
 * their blocks must not be reused, or poisoned, until the phase ends. Slab
 * blocks wait on per-class lists linked as the free lists are (through
 * their second word, which no reader looks at: a container's block begins
 * with the collector's links), and join the free lists in one splice per
 * class (main-arena blocks: no walk reads their mark); other
 * blocks (and, in debug builds, every block, bound for the quarantine) wait
 * on one list with their size in the second word. rg__free_deferred, which
 * sorts them, is inline in internal.h. */

void rg__free_deferred_rest(rg_heap *h, void *ptr, size_t size) {
    ((void **)ptr)[0] = h->deferred_rest;
    ((size_t *)ptr)[1] = size;
    h->deferred_rest = ptr;
}

void rg__free_deferred_flush(rg_heap *h) {
    for (void *p = h->deferred_rest, *next; p; p = next) {
        next = ((void **)p)[0];
        size_t size = ((size_t *)p)[1];
#if RG_QUARANTINE
        rg__quarantine(h, p, size, RG__ARENA_MAIN);
#else
        rg__free(h, p, size);
#endif
    }
    h->deferred_rest = NULL;
#if !RG_QUARANTINE
    for (size_t k = 0; k < RG__CLASSES; k++) {
        if (!h->deferred[k]) continue;
#ifdef POISONING
        for (void *p = h->deferred[k], *next; p; p = next) {
            next = *LINK(p);
            POISON(p, class_size(k));
        }
#endif
        void *tail = h->deferred_tail[k];
        rg__arena *a = &h->arena[RG__ARENA_MAIN];
        set_link(tail, a->cache[k]);
        a->cache[k] = h->deferred[k];
        h->deferred[k] = NULL;
    }
#endif
}

/* ---- trimming ------------------------------------------------------------------- */

static int slab_cmp(const void *a, const void *b) {
    const char *x = ((const rg__slab *)a)->base, *y = ((const rg__slab *)b)->base;
    return x < y ? -1 : x > y;
}

/* The slab holding p (the table sorted by base), or NULL. */
static rg__slab *slab_of(rg__arena *a, const char *p) {
    size_t lo = 0, hi = a->nslabs;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        rg__slab *s = &a->slabs[mid];
        if (p < s->base)
            hi = mid;
        else if (p >= s->base + s->size)
            lo = mid + 1;
        else
            return s;
    }
    return NULL;
}

/* Where the blocks of a slab end: its end, or in the newest slab the start
 * of its uncarved rest. The newest slab is told by its end, bump_end: bump
 * may sit at a full slab's end, which another slab may begin at. */
static char *carved_end(const rg__arena *a, const rg__slab *s) {
    char *end = s->base + s->size;
    return a->bump_end == end ? a->bump : end;
}

/* The size of the block at p of an atoms' slab; *k is its class when it is
 * free (marked: free_mark), else RG__CLASSES. A free block is not read as
 * an object; its mark's word is unpoisoned for the moment it is read. */
static size_t atom_block(char *p, size_t *k) {
    rg_object *o = (rg_object *)(void *)p;
    WORD_OPEN(p);
    if (o->flags & RG__F_FREED) {
        *k = o->refcnt;
        POISON(p, sizeof(size_t));
        return class_size(*k);
    }
    *k = RG__CLASSES;
    return held_size(rg__block_size(o));
}

/* Adds each free block's bytes to its slab's count, following the free
 * lists: a cache miss a block when they were freed at random. 0, or -1
 * (the counts incomplete) once more than budget blocks were seen. */
static int count_by_lists(rg__arena *a, size_t budget) {
    size_t seen = 0;
    for (size_t k = 0; k < RG__CLASSES; k++)
        for (void *p = a->cache[k]; p; p = free_next(p)) {
            if (++seen > budget) return -1;
            slab_of(a, p)->free += class_size(k);
        }
    return 0;
}

/* The same for the atoms' arena by stepping through its slabs by the free
 * marks: one sequential pass over the slabs' memory. */
static void count_by_marks(rg__arena *a) {
    for (size_t i = 0; i < a->nslabs; i++) {
        rg__slab *s = &a->slabs[i];
        for (char *p = s->base, *end = carved_end(a, s); p < end;) { /* each step >= 16 bytes */
            size_t k, n = atom_block(p, &k);
            if (k < RG__CLASSES) s->free += n;
            p += n;
        }
    }
}

/* Counts each slab's free bytes (free lists plus the uncarved rest), gives
 * back the slabs that are wholly free and keeps the free lists of the rest.
 * The free lists are followed while their blocks are few against the
 * slabs (the main arena always: its buffers have no header, so its slabs
 * cannot be stepped through); past one block per 4 KiB of slab, the atoms'
 * arena steps through its slabs by the marks instead, and if a slab goes
 * it rebuilds the free lists of the others from the marks, in address
 * order. So a trim costs O(free blocks) or one pass over the atoms' slabs,
 * whichever is less. */
static size_t arena_trim(rg_heap *h, rg__arena *a) {
    if (!a->nslabs) return 0;
    qsort(a->slabs, a->nslabs, sizeof *a->slabs, slab_cmp);
    int atoms = a == &h->arena[RG__ARENA_ATOMS], by_marks = 0, any_free = 0;
    for (size_t i = 0; i < a->nslabs; i++) a->slabs[i].free = 0;
    if (count_by_lists(a, atoms ? a->slab_bytes / 4096 : SIZE_MAX) != 0) {
        for (size_t i = 0; i < a->nslabs; i++) a->slabs[i].free = 0;
        count_by_marks(a);
        by_marks = 1;
    }
    if (a->bump != a->bump_end) slab_of(a, a->bump)->free += (size_t)(a->bump_end - a->bump);
    for (size_t i = 0; i < a->nslabs; i++) any_free |= a->slabs[i].free == a->slabs[i].size;
    if (!any_free) return 0; /* the free lists stay as they are */
    if (by_marks) {
        void *tails[RG__CLASSES] = {0};
        for (size_t k = 0; k < RG__CLASSES; k++) a->cache[k] = NULL;
        for (size_t i = 0; i < a->nslabs; i++) {
            rg__slab *s = &a->slabs[i];
            if (s->free == s->size) continue;
            for (char *p = s->base, *end = carved_end(a, s); p < end;) {
                size_t k, n = atom_block(p, &k);
                if (k < RG__CLASSES) {
                    set_link(p, NULL);
                    if (tails[k])
                        set_link(tails[k], p);
                    else
                        a->cache[k] = p;
                    tails[k] = p;
                }
                p += n;
            }
        }
    } else {
        /* Keep the free blocks of the slabs that stay. */
        for (size_t k = 0; k < RG__CLASSES; k++) {
            void *keep = NULL, *p = a->cache[k];
            while (p) {
                void *next = free_next(p);
                rg__slab *s = slab_of(a, p);
                if (s->free != s->size) {
                    set_link(p, keep);
                    keep = p;
                }
                p = next;
            }
            a->cache[k] = keep;
        }
    }
    size_t released = 0, n = 0;
    for (size_t i = 0; i < a->nslabs; i++) {
        rg__slab s = a->slabs[i];
        if (s.free != s.size) {
            a->slabs[n++] = s;
            continue;
        }
        if (a->bump_end == s.base + s.size) a->bump = a->bump_end = NULL; /* the newest slab */
        UNPOISON(s.base, s.size);
        h->alloc.free(h->alloc.ud, s.base, s.size);
        released += s.size;
    }
    a->nslabs = n;
    a->slab_bytes -= released;
    h->cached_bytes -= released;
    return released;
}

size_t rg_heap_trim(rg_heap *h) {
    rg__purple_compact(h); /* ghosts' blocks back to their slabs */
#if RG_QUARANTINE
    quarantine_flush(h, -1);
#endif
    return arena_trim(h, &h->arena[RG__ARENA_MAIN]) + arena_trim(h, &h->arena[RG__ARENA_ATOMS]);
}

/* Gives every slab back, whatever it still holds: the heap is going away. */
void rg__alloc_destroy(rg_heap *h) {
#if RG_QUARANTINE
    quarantine_flush(h, -1);
#endif
    for (int i = 0; i < RG__ARENAS; i++) {
        rg__arena *a = &h->arena[i];
        for (size_t j = 0; j < a->nslabs; j++) {
            UNPOISON(a->slabs[j].base, a->slabs[j].size);
            h->alloc.free(h->alloc.ud, a->slabs[j].base, a->slabs[j].size);
        }
        h->alloc.free(h->alloc.ud, a->slabs, a->slabs_cap * sizeof *a->slabs);
        a->slabs = NULL;
        a->nslabs = a->slabs_cap = 0;
    }
}

/* ---- atoms ----------------------------------------------------------------------
 *
 * Objects without a traverse function (atoms) carry no collector links:
 * nothing lists them. Small ones are carved from slabs of their own, which
 * hold nothing else, so the heap can enumerate them by walking those slabs.
 * A walk must tell live blocks from free ones without reading a free block
 * as an object (it is poisoned): every free block carries a mark in its
 * first word, where an object's flags are (free_mark: FREED, and its
 * class), and its free-list link in the second (every block has at least
 * 16 bytes, two words: None is its 16-byte header). Large atoms, and every
 * atom when each block is an allocator call, carry a 16-byte prefix of
 * links on one list instead. */

#define BIG_PREFIX sizeof(rg__big)
#define BIG(o) ((rg__big *)(void *)((char *)(o) - BIG_PREFIX))

void *rg__atom_malloc(rg_heap *h, size_t size) {
    if (in_slab(h, size)) return arena_malloc(h, &h->arena[RG__ARENA_ATOMS], size);
    if (size > SIZE_MAX - BIG_PREFIX) {
        h->last_error = RG_ENOMEM;
        return NULL;
    }
    rg__big *b = arena_malloc(h, &h->arena[RG__ARENA_ATOMS], size + BIG_PREFIX);
    if (!b) return NULL;
    rg__big *head = &h->big_atoms;
    b->next = head;
    b->prev = head->prev;
    head->prev->next = b;
    head->prev = b;
    return (char *)b + BIG_PREFIX;
}

void rg__atom_free(rg_heap *h, void *p, size_t size) {
    if (!in_slab(h, size)) {
        rg__big *b = BIG(p);
        b->prev->next = b->next;
        b->next->prev = b->prev;
        p = b;
        size += BIG_PREFIX;
    }
#if RG_QUARANTINE
    rg__quarantine(h, p, size, RG__ARENA_ATOMS);
#else
    h->bytes -= held_size(size);
    block_release(h, &h->arena[RG__ARENA_ATOMS], p, size);
#endif
}

/* Steps through each slab of the atoms' arena, up to its uncarved rest: a
 * block marked free (free_mark) is skipped by its class's size, any other
 * is a live atom, skipped by its own. One pass over the slabs' memory in
 * address order, no allocation (teardown works out of memory), and no
 * free block read as an object. */
int rg__atoms_foreach(rg_heap *h, int (*fn)(rg_object *o, void *arg), void *arg) {
    int rc = 0;
    rg__arena *a = &h->arena[RG__ARENA_ATOMS];
#if RG_QUARANTINE
    quarantine_flush(h, RG__ARENA_ATOMS); /* its blocks are free, but on no list */
#endif
    if (a->nslabs) qsort(a->slabs, a->nslabs, sizeof *a->slabs, slab_cmp); /* atoms in address order */
    for (size_t i = 0; i < a->nslabs && !rc; i++) {
        for (char *p = a->slabs[i].base, *end = carved_end(a, &a->slabs[i]); p < end && !rc;) {
            size_t k, n = atom_block(p, &k); /* each step >= 16 bytes */
            if (k == RG__CLASSES) rc = fn((rg_object *)(void *)p, arg);
            p += n;
        }
    }
    rg__big *head = &h->big_atoms;
    if (head->next)
        for (rg__big *b = head->next; b != head && !rc; b = b->next) rc = fn((rg_object *)(void *)((char *)b + BIG_PREFIX), arg);
    return rc;
}

/* ---- strings and the public wrappers ----------------------------------------------- */

char *rg__strdup(rg_heap *h, const char *s) {
    size_t n = strlen(s) + 1;
    char *p = rg__malloc(h, n);
    if (p) memcpy(p, s, n);
    return p;
}

void rg__strfree(rg_heap *h, char *s) {
    if (s) rg__free(h, s, strlen(s) + 1);
}

void *rg_heap_malloc(rg_heap *h, size_t size) { return rg__malloc(h, size); }
void *rg_heap_realloc(rg_heap *h, void *ptr, size_t old_size, size_t new_size) {
    return rg__realloc(h, ptr, old_size, new_size);
}
void rg_heap_free(rg_heap *h, void *ptr, size_t size) { rg__free(h, ptr, size); }
