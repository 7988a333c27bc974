/* testheap.h — for the suites of the heap: a heap on a counting allocator
 * that can fail the Nth allocation, a misuse recorder, and the end-of-test
 * check that the heap is empty and every byte came back. */
#ifndef RG_TESTHEAP_H
#define RG_TESTHEAP_H

#include "refgraph.h"
#include "testutil.h"

/* Object sizes the tests expect (docs/heap.md, "Object layout"): the
 * collector's block before every container, then the object. */
#define GC_BLOCK 16
#define LIST_BYTES (GC_BLOCK + 32)    /* 48; CPython 3.11: 56 */
#define INST_BYTES (GC_BLOCK + 48)    /* 64; CPython 3.11: 56 + a dict or values */
#define WEAKREF_BYTES (GC_BLOCK + 48) /* 64; CPython 3.11: 80 */
/* What the heap's bytes grow by for an object of n bytes: its block, in a
 * class of 16 bytes. */
#define BLOCK(n) (((n) + 15) / 16 * 16)

typedef struct test_alloc {
    long fail_at;      /* 0: never; n: the nth allocation (malloc or realloc) fails */
    long count;        /* allocations so far */
    long failures;     /* allocations refused */
    size_t live_bytes; /* allocated and not yet freed */
} test_alloc;

static inline void *t_malloc(void *ud, size_t n) {
    test_alloc *a = ud;
    if (a->fail_at && ++a->count >= a->fail_at) {
        a->failures++;
        return NULL;
    }
    void *p = malloc(n);
    if (p) a->live_bytes += n;
    return p;
}

static inline void *t_realloc(void *ud, void *p, size_t old_n, size_t n) {
    test_alloc *a = ud;
    if (a->fail_at && ++a->count >= a->fail_at) {
        a->failures++;
        return NULL;
    }
    void *q = realloc(p, n);
    if (q) a->live_bytes = a->live_bytes - old_n + n;
    return q;
}

static inline void t_free(void *ud, void *p, size_t n) {
    test_alloc *a = ud;
    if (p) a->live_bytes -= n;
    free(p);
}

typedef struct misuse_log {
    int count;
    rg_misuse kind;
    char type[64];
    uint64_t id;
    intptr_t refcnt;
} misuse_log;

static misuse_log MISUSE;

static inline void record_misuse(rg_misuse kind, const char *type_name, uint64_t id, intptr_t refcnt, void *ud) {
    (void)ud;
    MISUSE.count++;
    MISUSE.kind = kind;
    snprintf(MISUSE.type, sizeof MISUSE.type, "%s", type_name);
    MISUSE.id = id;
    MISUSE.refcnt = refcnt;
}

static test_alloc ALLOC;

/* A fresh heap on the counting allocator with the allocator flags given,
 * misuse recorded. */
static inline rg_heap *heap_new_flags(unsigned flags) {
    memset(&ALLOC, 0, sizeof ALLOC);
    memset(&MISUSE, 0, sizeof MISUSE);
    rg_allocator a = {t_malloc, t_realloc, t_free, &ALLOC, flags};
    rg_heap *h = rg_heap_new_with(&a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    rg_heap_set_misuse_handler(h, record_misuse, NULL);
    return h;
}

/* A fresh heap on the counting allocator, misuse recorded. */
static inline rg_heap *heap_new(void) { return heap_new_flags(0); }

/* The same with every block its own allocator call: the Nth allocation,
 * an object's too, can be made to fail, and ASan sees a late use. */
static inline rg_heap *heap_new_each_block(void) { return heap_new_flags(RG_ALLOCATOR_EACH_BLOCK); }

/* Destroys the heap: nothing may survive and every byte must come back. */
static inline void heap_end(rg_heap *h) {
    ALLOC.fail_at = 0;
    size_t leaked = rg_heap_destroy(h);
    CU_ASSERT_EQUAL(leaked, 0);
    CU_ASSERT_EQUAL(ALLOC.live_bytes, 0);
}

#endif
