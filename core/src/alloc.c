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
 * block's first word (the free-list link) readable for a moment. */
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
#define LINK_OPEN(p) ASAN_UNPOISON_MEMORY_REGION((p), sizeof(void *))
#elif defined(RG_VALGRIND)
#include <valgrind/memcheck.h>
#define POISONING 1
#define POISON(p, n) ((void)VALGRIND_MAKE_MEM_NOACCESS((p), (n)))
#define UNPOISON(p, n) ((void)VALGRIND_MAKE_MEM_UNDEFINED((p), (n)))
#define LINK_OPEN(p) ((void)VALGRIND_MAKE_MEM_DEFINED((p), sizeof(void *)))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#define LINK_OPEN(p) ((void)(p))
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

static inline void *free_next(void *p) {
    LINK_OPEN(p);
    void *next = *(void **)p;
    POISON(p, sizeof(void *));
    return next;
}

static inline void free_push(rg_heap *h, size_t k, void *p) {
    LINK_OPEN(p);
    *(void **)p = h->cache[k];
    POISON(p, class_size(k));
    h->cache[k] = p;
}

/* Adds a slab of at least need bytes and makes it the one blocks are carved
 * from; what was left of the previous one (less than need, a multiple of
 * the class size) becomes one free block. Returns 0, or -1 when the
 * allocator fails. */
static int slab_add(rg_heap *h, size_t need) {
    if (h->nslabs == h->slabs_cap) {
        size_t cap = h->slabs_cap ? h->slabs_cap * 2 : 8;
        rg__slab *s = h->alloc.realloc(h->alloc.ud, h->slabs, h->slabs_cap * sizeof *s, cap * sizeof *s);
        if (!s) return -1;
        h->bytes += (cap - h->slabs_cap) * sizeof *s; /* the table is the heap's own */
        if (h->bytes > h->peak) h->peak = h->bytes;
        h->slabs = s;
        h->slabs_cap = cap;
    }
    size_t size = h->slab_bytes < SLAB_MIN ? SLAB_MIN : h->slab_bytes > SLAB_MAX ? SLAB_MAX : h->slab_bytes;
    if (size < need) size = need;
    char *base = h->alloc.malloc(h->alloc.ud, size);
    if (!base) return -1;
    POISON(base, size);
    size_t rest = (size_t)(h->bump_end - h->bump);
    if (rest) free_push(h, class_of(rest), h->bump); /* still counted as cached */
    h->slabs[h->nslabs++] = (rg__slab){base, size, 0};
    h->slab_bytes += size;
    h->cached_bytes += size;
    h->bump = base;
    h->bump_end = base + size;
    return 0;
}

/* A small block, from its class's free list or the newest slab. */
static void *small_alloc(rg_heap *h, size_t k) {
    size_t n = class_size(k);
    void *p = h->cache[k];
    if (p) {
        h->cache[k] = free_next(p);
    } else {
        if ((size_t)(h->bump_end - h->bump) < n && slab_add(h, n) != 0) return NULL;
        p = h->bump;
        h->bump += n;
    }
    UNPOISON(p, n);
    h->cached_bytes -= n;
    return p;
}

void *rg__malloc(rg_heap *h, size_t size) {
    if (size == 0) size = 1;
    size_t held = held_size(size);
    void *p = in_slab(h, size) ? small_alloc(h, class_of(size)) : h->alloc.malloc(h->alloc.ud, held);
    if (!p) {
        h->last_error = RG_ENOMEM;
        return NULL;
    }
    h->bytes += held;
    if (h->bytes > h->peak) h->peak = h->bytes;
    return p;
}

/* Returns a block to its free list or the allocator, without accounting
 * for bytes in use. */
static void block_release(rg_heap *h, void *p, size_t size) {
    if (in_slab(h, size)) {
        size_t k = class_of(size);
        free_push(h, k, p);
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
    block_release(h, ptr, size);
}

#if RG_QUARANTINE
/* Counts a freed object as cached while it stays poisoned in the ring; the
 * block it evicts goes back to its free list. */
void rg__quarantine(rg_heap *h, rg_object *o, size_t size) {
    h->bytes -= held_size(size);
    h->cached_bytes += held_size(size);
    size_t slot = h->qnext++ % RG_QUARANTINE;
    if (h->quarantine[slot].obj) {
        h->cached_bytes -= held_size(h->quarantine[slot].size);
        block_release(h, h->quarantine[slot].obj, h->quarantine[slot].size);
    }
    h->quarantine[slot].obj = o;
    h->quarantine[slot].size = size;
}

static void quarantine_flush(rg_heap *h) {
    for (size_t i = 0; i < RG_QUARANTINE; i++) {
        if (h->quarantine[i].obj) {
            h->cached_bytes -= held_size(h->quarantine[i].size);
            block_release(h, h->quarantine[i].obj, h->quarantine[i].size);
            h->quarantine[i].obj = NULL;
        }
    }
}
#endif

/* ---- deferred release ------------------------------------------------------------
 *
 * The collector's delete phase frees a garbage set whose members may still
 * read each other's headers (a decref of a member is then a no-op), so
 * their blocks must not be reused, or poisoned, until the phase ends. Slab
 * blocks wait on per-class lists linked through their first word, which no
 * reader looks at, and join the free lists in one splice per class; other
 * blocks (and, in debug builds, every block, bound for the quarantine) wait
 * on one list with their size in the second word. */

void rg__free_deferred(rg_heap *h, void *ptr, size_t size) {
#if !RG_QUARANTINE
    if (in_slab(h, size)) {
        size_t k = class_of(size);
        h->bytes -= class_size(k);
        h->cached_bytes += class_size(k);
        *(void **)ptr = h->deferred[k];
        if (!h->deferred[k]) h->deferred_tail[k] = ptr;
        h->deferred[k] = ptr;
        return;
    }
#endif
    ((void **)ptr)[0] = h->deferred_rest;
    ((size_t *)ptr)[1] = size;
    h->deferred_rest = ptr;
}

void rg__free_deferred_flush(rg_heap *h) {
    for (void *p = h->deferred_rest, *next; p; p = next) {
        next = ((void **)p)[0];
        size_t size = ((size_t *)p)[1];
#if RG_QUARANTINE
        rg__quarantine(h, p, size);
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
            next = *(void **)p;
            POISON(p, class_size(k));
        }
#endif
        void *tail = h->deferred_tail[k];
        LINK_OPEN(tail);
        *(void **)tail = h->cache[k];
        POISON(tail, sizeof(void *));
        h->cache[k] = h->deferred[k];
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
static rg__slab *slab_of(rg_heap *h, const char *p) {
    size_t lo = 0, hi = h->nslabs;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        rg__slab *s = &h->slabs[mid];
        if (p < s->base)
            hi = mid;
        else if (p >= s->base + s->size)
            lo = mid + 1;
        else
            return s;
    }
    return NULL;
}

/* Counts each slab's free bytes (free lists plus the uncarved rest), gives
 * back the slabs that are wholly free and keeps the free lists of the rest.
 * O(free blocks x log slabs): trimming is rare, allocation is hot. */
size_t rg_heap_trim(rg_heap *h) {
#if RG_QUARANTINE
    quarantine_flush(h);
#endif
    if (!h->nslabs) return 0;
    qsort(h->slabs, h->nslabs, sizeof *h->slabs, slab_cmp);
    for (size_t i = 0; i < h->nslabs; i++) h->slabs[i].free = 0;
    for (size_t k = 0; k < RG__CLASSES; k++)
        for (void *p = h->cache[k]; p; p = free_next(p)) slab_of(h, p)->free += class_size(k);
    if (h->bump != h->bump_end) slab_of(h, h->bump)->free += (size_t)(h->bump_end - h->bump);

    /* Keep the free blocks of the slabs that stay. */
    for (size_t k = 0; k < RG__CLASSES; k++) {
        void *keep = NULL, *p = h->cache[k];
        while (p) {
            void *next = free_next(p);
            rg__slab *s = slab_of(h, p);
            if (s->free != s->size) {
                LINK_OPEN(p);
                *(void **)p = keep;
                POISON(p, sizeof(void *));
                keep = p;
            }
            p = next;
        }
        h->cache[k] = keep;
    }
    size_t released = 0, n = 0;
    for (size_t i = 0; i < h->nslabs; i++) {
        rg__slab s = h->slabs[i];
        if (s.free != s.size) {
            h->slabs[n++] = s;
            continue;
        }
        if (h->bump >= s.base && h->bump < s.base + s.size) h->bump = h->bump_end = NULL;
        UNPOISON(s.base, s.size);
        h->alloc.free(h->alloc.ud, s.base, s.size);
        released += s.size;
    }
    h->nslabs = n;
    h->slab_bytes -= released;
    h->cached_bytes -= released;
    return released;
}

/* Gives every slab back, whatever it still holds: the heap is going away. */
void rg__alloc_destroy(rg_heap *h) {
#if RG_QUARANTINE
    quarantine_flush(h);
#endif
    for (size_t i = 0; i < h->nslabs; i++) {
        UNPOISON(h->slabs[i].base, h->slabs[i].size);
        h->alloc.free(h->alloc.ud, h->slabs[i].base, h->slabs[i].size);
    }
    h->alloc.free(h->alloc.ud, h->slabs, h->slabs_cap * sizeof *h->slabs);
    h->slabs = NULL;
    h->nslabs = h->slabs_cap = 0;
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
