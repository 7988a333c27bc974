/* test_heap.c — heap lifecycle, accounting, the allocator, freeing without
 * recursion, failure of every Nth allocation, and misuse detection. */
#include <pthread.h>

#include "testheap.h"

/* Trims h and checks the accounting: the bytes given back leave the
 * cache, none in use, and in use plus cached is what the allocator holds.
 * Returns the bytes given back; *after gets the stats after the trim. */
static size_t trim_accounted(rg_heap *h, rg_heap_stats *after) {
    rg_heap_stats before;
    rg_heap_get_stats(h, &before);
    size_t trimmed = rg_heap_trim(h);
    rg_heap_get_stats(h, after);
    CU_ASSERT_EQUAL(after->cached_bytes, before.cached_bytes - trimmed);
    CU_ASSERT_EQUAL(after->bytes_in_use, before.bytes_in_use);
    CU_ASSERT_EQUAL(after->bytes_in_use + after->cached_bytes, ALLOC.live_bytes);
    return trimmed;
}

static void test_accounting(void) {
    rg_heap *h = heap_new();
    rg_heap_stats s0, s1, s2, s3;
    rg_heap_get_stats(h, &s0);
    /* every byte goes through the allocator: in use or cached */
    CU_ASSERT_EQUAL(s0.bytes_in_use + s0.cached_bytes, ALLOC.live_bytes);
    rg_object *l = rg_list_new(h);
    /* more ints than the first slab holds, so that the trim has slabs to give back */
    for (int i = 0; i < 5000; i++) rg_list_append_new(l, rg_int_new(h, i));
    rg_heap_get_stats(h, &s1);
    CU_ASSERT_EQUAL(s1.bytes_in_use + s1.cached_bytes, ALLOC.live_bytes);
    CU_ASSERT(s1.bytes_in_use >= s0.bytes_in_use + 5000 * rg_int_type.basic_size);
    CU_ASSERT_EQUAL(s1.live_objects, s0.live_objects + 5001);
    CU_ASSERT_EQUAL(rg_heap_count_type(h, &rg_int_type), 5000);
    CU_ASSERT_EQUAL(rg_heap_count_type(h, &rg_list_type), 1);
    rg_decref(l);
    rg_heap_get_stats(h, &s2);
    CU_ASSERT_EQUAL(s2.bytes_in_use, s0.bytes_in_use);
    CU_ASSERT_EQUAL(s2.live_objects, s0.live_objects);
    CU_ASSERT(s2.peak_bytes >= s1.bytes_in_use);
    CU_ASSERT_EQUAL(s2.bytes_in_use + s2.cached_bytes, ALLOC.live_bytes);
    CU_ASSERT(s2.cached_bytes > s0.cached_bytes); /* freed blocks kept for reuse */
    /* The trim gives back the slabs that hold nothing: all but the first
     * of the atoms' arena (64 KiB), which holds None, True and False (the
     * heap's table of kinds is no slab block). */
    CU_ASSERT(trim_accounted(h, &s3) > 0);
    CU_ASSERT_EQUAL(s3.bytes_in_use, s0.bytes_in_use);
    CU_ASSERT(s3.cached_bytes < 64 * 1024);
    CU_ASSERT_EQUAL(rg_heap_trim(h), 0);
    CU_ASSERT_EQUAL(rg_heap_count_type(h, &rg_int_type), 0);
    heap_end(h);
}

/* A trim after frees in random order: the atoms' slabs are stepped
 * through by the marks of their free blocks; the slabs that hold only
 * freed blocks go back, the free lists of the others are rebuilt and
 * serve the next allocations; every byte is accounted for. */
static void test_trim_after_random_frees(void) {
    enum { N = 60000 };
    static rg_object *obj[N];
    static size_t order[N];
    rg_heap *h = heap_new();
    for (size_t i = 0; i < N; i++) {
        obj[i] = i % 2 ? rg_float_new(h, (double)i) : rg_int_new(h, (int64_t)i);
        CU_ASSERT_PTR_NOT_NULL_FATAL(obj[i]);
        order[i] = i;
    }
    unsigned seed = 99;
    for (size_t i = N - 1; i > 0; i--) { /* a random order */
        seed = seed * 1103515245u + 12345u;
        size_t j = (seed >> 8) % (i + 1), t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    /* A random quarter of the first half stays: the first half's slabs
     * keep live blocks among free ones, the second half's hold none. */
    size_t kept = 0;
    for (size_t n = 0; n < N; n++) {
        size_t i = order[n];
        seed = seed * 1103515245u + 12345u;
        if (i < N / 2 && (seed >> 16) % 4 == 0) {
            kept++;
            continue;
        }
        rg_decref(obj[i]);
        obj[i] = NULL;
    }
    rg_heap_stats s1;
    CU_ASSERT(trim_accounted(h, &s1) > 0);
    CU_ASSERT_EQUAL(rg_heap_count_type(h, &rg_int_type) + rg_heap_count_type(h, &rg_float_type), kept);
    size_t held = ALLOC.live_bytes, made = 0;
    for (size_t i = 0; i < N && made < N / 4; i++) /* the rebuilt free lists serve these */
        if (!obj[i]) {
            obj[i] = rg_int_new(h, (int64_t)i);
            CU_ASSERT_PTR_NOT_NULL_FATAL(obj[i]);
            made++;
        }
    CU_ASSERT_EQUAL(ALLOC.live_bytes, held);
    CU_ASSERT_EQUAL(rg_heap_count_type(h, &rg_int_type) + rg_heap_count_type(h, &rg_float_type), kept + made);
    CU_ASSERT_EQUAL(rg_heap_trim(h), 0);
    for (size_t i = 0; i < N; i++) rg_decref(obj[i]);
    CU_ASSERT(rg_heap_trim(h) > 0);
    CU_ASSERT_EQUAL(rg_heap_count_type(h, &rg_int_type) + rg_heap_count_type(h, &rg_float_type), 0);
    heap_end(h);
}

/* Slabs grow with the heap; freed blocks are reused; a trim gives back
 * exactly the slabs with no live block. */
static void test_slabs(void) {
    enum { N = 200000 };
    rg_heap *h = heap_new();
    rg_object *l = rg_list_new(h);
    for (int i = 0; i < N; i++) rg_list_append_new(l, rg_float_new(h, i));
    size_t full = ALLOC.live_bytes;
    CU_ASSERT(full > N * rg_float_type.basic_size);
    rg_decref(l);
    l = rg_list_new(h);
    for (int i = 0; i < N; i++) rg_list_append_new(l, rg_float_new(h, i));
    CU_ASSERT_EQUAL(ALLOC.live_bytes, full); /* the same blocks again */
    /* One float in a hundred stays: every slab keeps a live block. */
    rg_object *keep = rg_list_new(h);
    for (int i = 0; i < N; i += 100) rg_list_append(keep, rg_list_get(l, (size_t)i));
    rg_decref(l);
    CU_ASSERT_EQUAL(rg_heap_trim(h), 0);
    CU_ASSERT_EQUAL(rg_list_size(keep), N / 100);
    rg_decref(keep);
    size_t trimmed = rg_heap_trim(h);
    rg_heap_stats s;
    rg_heap_get_stats(h, &s);
    CU_ASSERT(trimmed > N * rg_float_type.basic_size);
    CU_ASSERT_EQUAL(s.bytes_in_use + s.cached_bytes, ALLOC.live_bytes);
    CU_ASSERT(ALLOC.live_bytes < full / 10);
    heap_end(h);
}

#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/asan_interface.h>
/* Under AddressSanitizer a free block inside a slab is poisoned, as a
 * freed malloc block is: a stale pointer into it is reported. */
static void test_slab_poisoning(void) {
    rg_heap *h = heap_new();
    char *p = rg_heap_malloc(h, 40);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_PTR_NULL(__asan_region_is_poisoned(p, 40));
    CU_ASSERT(__asan_address_is_poisoned(p + 48)); /* the slab's uncarved rest */
    rg_heap_free(h, p, 40);
    CU_ASSERT(__asan_address_is_poisoned(p));
    CU_ASSERT(__asan_address_is_poisoned(p + 39));
    char *q = rg_heap_malloc(h, 40); /* the same class: the same block again */
    CU_ASSERT_PTR_EQUAL(q, p);
    CU_ASSERT_PTR_NULL(__asan_region_is_poisoned(q, 40));
    rg_heap_free(h, q, 40);
    heap_end(h);
}
#endif

/* RG_ALLOCATOR_EACH_BLOCK: one allocator call per block, nothing cached. */
static void test_each_block(void) {
    test_alloc ta = {0, 0, 0, 0};
    rg_allocator a = {t_malloc, t_realloc, t_free, &ta, RG_ALLOCATOR_EACH_BLOCK};
    rg_heap *h = rg_heap_new_with(&a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    rg_object *l = rg_list_new(h);
    for (int i = 0; i < 1000; i++) rg_list_append_new(l, rg_int_new(h, i));
    rg_heap_stats s;
    rg_heap_get_stats(h, &s);
    CU_ASSERT_EQUAL(s.cached_bytes, 0);
    CU_ASSERT_EQUAL(s.bytes_in_use, ta.live_bytes);
    rg_list_append(l, l);
    rg_decref(l);
    CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 1);
    rg_heap_get_stats(h, &s);
    /* debug builds keep freed objects poisoned a while, as cached */
    CU_ASSERT_EQUAL(s.bytes_in_use + s.cached_bytes, ta.live_bytes);
    rg_heap_trim(h);
    rg_heap_get_stats(h, &s);
    CU_ASSERT_EQUAL(s.cached_bytes, 0);
    CU_ASSERT_EQUAL(s.bytes_in_use, ta.live_bytes);
    CU_ASSERT_EQUAL(rg_heap_destroy(h), 0);
    CU_ASSERT_EQUAL(ta.live_bytes, 0);
}

static void test_independent_heaps(void) {
    rg_heap *a = rg_heap_new(), *b = rg_heap_new();
    rg_object *x = rg_list_new(a), *y = rg_list_new(b);
    CU_ASSERT_EQUAL(rg_id(x), rg_id(y)); /* ids are per heap */
    rg_list_append(x, x);
    rg_decref(x);
    CU_ASSERT_EQUAL(rg_gc_collect(b, 2), 0); /* collecting b leaves a alone */
    CU_ASSERT_EQUAL(rg_heap_count_type(a, &rg_list_type), 1);
    CU_ASSERT_EQUAL(rg_gc_collect(a, 2), 1);
    rg_decref(y);
    CU_ASSERT_EQUAL(rg_heap_destroy(a), 0);
    CU_ASSERT_EQUAL(rg_heap_destroy(b), 0);
}

/* A chain of a million lists, each holding the next, freed by one decref.
 * Run on a thread with a 256 KiB stack: any recursion per link would
 * overflow it at once. */
#define CHAIN 1000000
static void *free_chain(void *arg) {
    rg_heap *h = arg;
    rg_object *head = rg_list_new(h), *cur = head;
    for (int i = 0; i < CHAIN; i++) {
        rg_object *next = rg_list_new(h);
        rg_list_append_new(cur, next);
        cur = next;
    }
    rg_decref(head);
    return NULL;
}

/* Runs fn(h) on a thread with a 256 KiB stack; returns what fn returned. */
static void *on_small_stack(void *(*fn)(void *), rg_heap *h) {
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 256 * 1024);
    pthread_t t;
    void *result = NULL;
    CU_ASSERT_EQUAL_FATAL(pthread_create(&t, &attr, fn, h), 0);
    pthread_join(t, &result);
    pthread_attr_destroy(&attr);
    return result;
}

static void test_million_chain_no_recursion(void) {
    rg_heap *h = heap_new();
    rg_gc_disable(h);
    on_small_stack(free_chain, h);
    CU_ASSERT_EQUAL(rg_heap_count_type(h, &rg_list_type), 0);
    heap_end(h);
}

static void *collect_chain_cycle(void *arg) {
    rg_heap *h = arg;
    rg_object *head = rg_list_new(h), *cur = head;
    for (int i = 0; i < CHAIN; i++) {
        rg_object *next = rg_list_new(h);
        rg_list_append_new(cur, next);
        cur = next;
    }
    rg_list_append(cur, head); /* close the ring */
    rg_decref(head);
    long *found = malloc(sizeof *found);
    *found = rg_gc_collect(h, 2);
    return found;
}

static void test_million_ring_collected_no_recursion(void) {
    rg_heap *h = heap_new();
    rg_gc_disable(h);
    void *found = on_small_stack(collect_chain_cycle, h);
    CU_ASSERT_EQUAL(*(long *)found, CHAIN + 1);
    free(found);
    heap_end(h);
}

/* ---- failure of the Nth allocation ----------------------------------------------- */

static void on_weak(rg_object *wr, void *ud) {
    (void)wr;
    (*(int *)ud)++;
}

/* Exercises every allocating API without checking results: each call must
 * cope with the allocation failing, and nothing may leak. */
static void scenario(rg_heap *h) {
    int calls = 0;
    rg_frame_push(h, "func");
    rg_local_set_new(h, "a", rg_list_new(h));
    rg_object *a = rg_local_get(h, "a");
    for (int i = 0; i < 20; i++) rg_list_append_new(a, rg_int_new(h, i));
    rg_list_insert_new(a, 0, rg_str_new(h, "head"));
    rg_object *d = rg_dict_new(h);
    for (int i = 0; i < 20; i++) {
        char k[8];
        snprintf(k, sizeof k, "k%d", i);
        rg_dict_setstr_new(d, k, rg_float_new(h, i));
    }
    rg_object *key = rg_int_new(h, 5);
    rg_dict_set_new(d, key, rg_list_new(h)); /* borrows the key: ours to drop */
    rg_decref(key);
    rg_list_append_new(a, d);
    rg_object *cls = rg_class_new(h, "C");
    rg_object *inst = rg_instance_new(h, cls);
    rg_setattr(inst, "self", inst); /* a self-cycle */
    rg_setattr_new(inst, "t", rg_tuple_pack(h, 2, a, cls));
    rg_global_set(h, "inst", inst);
    rg_object *w = rg_weakref_new(h, inst, on_weak, &calls);
    rg_global_set_new(h, "w", w);
    rg_decref(inst);
    rg_decref(cls);
    rg_frame_push(h, "inner");
    rg_local_set_new(h, "b", rg_list_new(h));
    rg_object *b = rg_local_get(h, "b");
    rg_list_append(b, b);
    rg_frame_pop(h);
    rg_frame_pop(h);
    rg_global_del(h, "inst");
    rg_gc_collect(h, 0);
    rg_gc_collect(h, 2);
}

static void test_every_nth_allocation_fails(void) {
    /* First a clean run, to learn how many allocations the scenario makes. */
    rg_heap *h = heap_new();
    scenario(h);
    heap_end(h);
    long total = 0;
    for (long n = 1;; n++) {
        test_alloc ta = {n, 0, 0, 0};
        rg_allocator a = {t_malloc, t_realloc, t_free, &ta, RG_ALLOCATOR_EACH_BLOCK};
        h = rg_heap_new_with(&a);
        if (h) {
            rg_heap_set_misuse_handler(h, record_misuse, NULL);
            MISUSE.count = 0;
            scenario(h);
            size_t leaked = rg_heap_destroy(h);
            CU_ASSERT_EQUAL(leaked, 0);
            CU_ASSERT_EQUAL(MISUSE.count, 0);
        }
        CU_ASSERT_EQUAL(ta.live_bytes, 0);
        if (ta.failures == 0) {
            total = n;
            break; /* the scenario ran to the end without hitting the failure */
        }
        if (n > 100000) break;
    }
    CU_ASSERT(total > 50); /* the scenario really allocates */
}

/* ---- misuse ------------------------------------------------------------------------ */

typedef struct pair {
    rg_object ob;
    rg_object *a, *b;
} pair;
static int pair_traverse(rg_object *self, rg_visit_fn visit, void *arg) {
    pair *p = (pair *)self;
    rg_label l = {RG_LABEL_NONE, {.index = 0}};
    int rc = p->a ? visit(p->a, l, arg) : 0;
    return rc ? rc : (p->b ? visit(p->b, l, arg) : 0);
}
/* A buggy clear: drops a and b even when they are one reference. */
static void pair_clear(rg_object *self) {
    pair *p = (pair *)self;
    rg_object *a = p->a, *b = p->b;
    p->a = p->b = NULL;
    rg_decref(a);
    rg_decref(b);
}
static const rg_type pair_type = {
    .name = "pair",
    .basic_size = sizeof(pair),
    .traverse = pair_traverse,
    .clear = pair_clear,
};

static void test_decref_below_zero(void) {
    rg_heap *h = heap_new();
    pair *p = (pair *)rg_object_new(h, &pair_type);
    rg_object *x = rg_list_new(h);
    uint64_t xid = rg_id(x);
    p->a = p->b = x; /* one reference stored twice: the bug */
    rg_decref(&p->ob);
    CU_ASSERT_EQUAL(MISUSE.count, 1);
    CU_ASSERT_EQUAL(MISUSE.kind, RG_MISUSE_DECREF_BELOW_ZERO);
    CU_ASSERT_STRING_EQUAL(MISUSE.type, "list");
    CU_ASSERT_EQUAL(MISUSE.id, xid);
    CU_ASSERT_EQUAL(MISUSE.refcnt, 0);
    heap_end(h);
}

static void test_use_after_free(void) {
#ifdef RG_DEBUG
    rg_heap *h = heap_new();
    rg_object *x = rg_dict_new(h);
    uint64_t xid = rg_id(x);
    rg_decref(x);
    rg_incref(x); /* the poisoned header is still there in debug builds */
    CU_ASSERT_EQUAL(MISUSE.count, 1);
    CU_ASSERT_EQUAL(MISUSE.kind, RG_MISUSE_FREED_OBJECT);
    CU_ASSERT_STRING_EQUAL(MISUSE.type, "dict");
    CU_ASSERT_EQUAL(MISUSE.id, xid);
    rg_decref(x);
    CU_ASSERT_EQUAL(MISUSE.count, 2);
    CU_ASSERT_EQUAL(MISUSE.kind, RG_MISUSE_FREED_OBJECT);
    heap_end(h);
#else
    CU_PASS("poisoned headers are kept only in RG_DEBUG_CHECKS builds");
#endif
}

static void test_destroy_reports_survivors(void) {
    rg_heap *h = heap_new();
    rg_object *l = rg_list_new(h);
    rg_list_append_new(l, rg_str_new(h, "kept"));
    rg_incref(l); /* refcount 2, never released */
    uint64_t id = rg_id(l);
    size_t leaked = rg_heap_destroy(h);
    CU_ASSERT_EQUAL(leaked, 2); /* the list and the str it holds */
    CU_ASSERT_EQUAL(MISUSE.kind, RG_MISUSE_LEAK);
    CU_ASSERT_EQUAL(ALLOC.live_bytes, 0); /* freed anyway */
    (void)id;
}

static void test_destroy_reports_type_id_refcount(void) {
    rg_heap *h = heap_new();
    rg_object *l = rg_list_new(h);
    rg_incref(l);
    uint64_t id = rg_id(l);
    CU_ASSERT_EQUAL(rg_heap_destroy(h), 1);
    CU_ASSERT_EQUAL(MISUSE.count, 1);
    CU_ASSERT_STRING_EQUAL(MISUSE.type, "list");
    CU_ASSERT_EQUAL(MISUSE.id, id);
    CU_ASSERT_EQUAL(MISUSE.refcnt, 2);
}

static int count_objects(rg_object *o, void *arg) {
    (void)o;
    (*(size_t *)arg)++;
    return 0;
}

static void test_foreach_sees_all(void) {
    rg_heap *h = heap_new();
    rg_object *l = rg_list_new(h);
    rg_list_append_new(l, rg_int_new(h, 1));
    size_t n = 0;
    rg_heap_foreach(h, count_objects, &n);
    rg_heap_stats s;
    rg_heap_get_stats(h, &s);
    CU_ASSERT_EQUAL(n, s.live_objects);
    CU_ASSERT_EQUAL(n, 5); /* None, True, False, the list, the int */
    rg_decref(l);
    heap_end(h);
}

/* The layout docs/heap.md describes: a 16-byte header, as CPython's;
 * atoms without the collector's links, so an int or a float (24 bytes)
 * fills a 32-byte class (CPython's size in pymalloc). */
static void test_compact_header(void) {
    CU_ASSERT_EQUAL(sizeof(rg_object), 16);
    rg_heap *h = heap_new();
    rg_gc_disable(h);
    rg_object *keep[1000];
    rg_heap_stats s0, s1;
    rg_heap_get_stats(h, &s0);
    for (int i = 0; i < 1000; i++) keep[i] = rg_int_new(h, 1000 + i);
    rg_heap_get_stats(h, &s1);
    CU_ASSERT_EQUAL(s1.bytes_in_use - s0.bytes_in_use, 1000 * 32);
    CU_ASSERT_EQUAL(rg_sizeof(keep[0]), 24); /* CPython's getsizeof: 28 */
    for (int i = 0; i < 1000; i++) rg_decref(keep[i]);
    rg_heap_get_stats(h, &s0);
    for (int i = 0; i < 1000; i++) keep[i] = rg_float_new(h, i + 0.5);
    rg_heap_get_stats(h, &s1);
    CU_ASSERT_EQUAL(s1.bytes_in_use - s0.bytes_in_use, 1000 * 32);
    for (int i = 0; i < 1000; i++) rg_decref(keep[i]);
    rg_object *str = rg_str_new(h, "k0000001"); /* 8 bytes: 48, CPython's 57 in 64 */
    CU_ASSERT(rg_sizeof(str) <= 48);
    rg_decref(str);
    rg_object *l = rg_list_new(h);
    CU_ASSERT(rg_sizeof(l) <= 96); /* its collector header included */
    rg_decref(l);
    heap_end(h);
}

/* The id promise of docs/dump-format.md under heavy reuse of blocks: every
 * new object gets the next id (larger = allocated later), no id comes back
 * when a freed object's block does, and an object keeps its id; the walk
 * of the heap (what dumps and get_objects use) sees exactly the live
 * objects, atoms included, after every round. With slabs and without. */
typedef struct id_check {
    uint64_t *live; /* ids we hold, by slot */
    rg_object **obj;
    size_t n, seen, wrong;
    rg_object *anchor;
} id_check;

#define RG_IS_BOOL(o) (strcmp(rg_type_name(o), "bool") == 0)

static int check_id(rg_object *o, void *arg) {
    id_check *c = arg;
    c->seen++;
    for (size_t i = 0; i < c->n; i++)
        if (c->obj[i] == o) return c->live[i] == rg_id(o) ? 0 : (int)++c->wrong;
    /* not in the table: None, True, False, the anchor */
    if (!rg_is_none(o) && !RG_IS_BOOL(o) && o != c->anchor) c->wrong++;
    return 0;
}

static void ids_under_reuse(unsigned flags) {
    enum { N = 600, ROUNDS = 60 };
    test_alloc ta = {0, 0, 0, 0};
    rg_allocator a = {t_malloc, t_realloc, t_free, &ta, flags};
    rg_heap *h = rg_heap_new_with(&a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    static rg_object *obj[N];
    static uint64_t live[N];
    static void *addr[N]; /* addresses of recently freed objects */
    rg_object *anchor = rg_int_new(h, -1); /* what the tuples hold */
    uint64_t last = rg_id(anchor);
    size_t reused = 0, nfreed = 0;
    unsigned seed = 12345;
    memset(obj, 0, sizeof obj);
    for (int round = 0; round < ROUNDS; round++) {
        for (size_t i = 0; i < N; i++) {
            seed = seed * 1103515245u + 12345u;
            if (obj[i] && (seed >> 16) % 3 != 0) continue; /* a third replaced per round */
            if (obj[i]) {
                addr[nfreed++ % N] = obj[i];
                rg_decref(obj[i]);
            }
            char buf[64];
            switch ((seed >> 8) % 5) {
            case 0: obj[i] = rg_int_new(h, (int64_t)seed); break;
            case 1: obj[i] = rg_float_new(h, (double)seed); break;
            case 2:
                snprintf(buf, sizeof buf, "s%u%.*s", seed, (int)(seed % 40), "........................................");
                obj[i] = rg_str_new(h, buf);
                break;
            case 3: obj[i] = rg_list_new(h); break;
            default: obj[i] = rg_tuple_pack(h, 1, anchor); break;
            }
            CU_ASSERT_PTR_NOT_NULL_FATAL(obj[i]);
            uint64_t id = rg_id(obj[i]);
            CU_ASSERT_EQUAL(id, last + 1); /* the next id: never an old one */
            last = id;
            live[i] = id;
            for (size_t j = 0; j < N && j < nfreed; j++)
                if (addr[j] == (void *)obj[i]) { /* a freed object's block, or its address */
                    reused++;
                    break;
                }
        }
        id_check c = {live, obj, N, 0, 0, anchor};
        CU_ASSERT_EQUAL(rg_heap_foreach(h, check_id, &c), 0);
        rg_heap_stats s;
        rg_heap_get_stats(h, &s);
        CU_ASSERT_EQUAL(c.seen, s.live_objects);
        CU_ASSERT_EQUAL(c.seen, N + 4);
        CU_ASSERT_EQUAL(c.wrong, 0);
        CU_ASSERT_EQUAL(s.max_id, last);
    }
    /* Blocks did come back (malloc under ASan holds freed blocks back, so
     * only the slabs are sure to reuse them). */
    if (!(flags & RG_ALLOCATOR_EACH_BLOCK)) CU_ASSERT(reused > N);
    for (size_t i = 0; i < N; i++) rg_decref(obj[i]);
    rg_decref(anchor);
    CU_ASSERT_EQUAL(rg_heap_destroy(h), 0);
    CU_ASSERT_EQUAL(ta.live_bytes, 0);
}

static void test_ids_under_reuse(void) { ids_under_reuse(0); }
static void test_ids_under_reuse_each_block(void) { ids_under_reuse(RG_ALLOCATOR_EACH_BLOCK); }

/* Atoms are on no list: teardown finds leaked ones by walking their slabs
 * (and the large ones' list), reports each and gives every byte back. */
static void test_leaked_atoms_reported(void) {
    rg_heap *h = heap_new();
    char big[2000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    rg_int_new(h, 7);        /* leaked */
    rg_str_new(h, big);      /* leaked, a large atom */
    rg_object *f = rg_float_new(h, 1.5);
    rg_decref(f);
    CU_ASSERT_EQUAL(rg_heap_destroy(h), 2);
    CU_ASSERT_EQUAL(MISUSE.count, 2);
    CU_ASSERT_EQUAL(ALLOC.live_bytes, 0);
}

/* A walk of the atoms steps over free blocks by the mark in their first
 * word alone: after atoms of many sizes are freed in random order, in
 * address order and in reverse, and after a trim gives slabs back, it
 * finds exactly the live ones, every time, and allocation goes on from
 * the free lists it left as they were. */
typedef struct seen_set {
    rg_object **obj;
    size_t n, seen, foreign;
} seen_set;

static int note_seen(rg_object *o, void *arg) {
    seen_set *c = arg;
    c->seen++;
    for (size_t i = 0; i < c->n; i++)
        if (c->obj[i] == o) return 0;
    if (!rg_is_none(o) && !RG_IS_BOOL(o)) c->foreign++;
    return 0;
}

static void walk_after_frees(unsigned order) {
    enum { N = 3000 };
    static rg_object *obj[N];
    rg_heap *h = heap_new();
    unsigned seed = 7u + order;
    char buf[300];
    for (size_t i = 0; i < N; i++) {
        seed = seed * 1103515245u + 12345u;
        switch ((seed >> 16) % 4) {
        case 0: obj[i] = rg_int_new(h, (int64_t)i); break;
        case 1: obj[i] = rg_float_new(h, (double)i); break;
        default: /* strs of 16 to 300 bytes: many classes */
            memset(buf, 'a' + (int)(i % 26), sizeof buf);
            buf[(seed >> 8) % (sizeof buf - 1)] = '\0';
            obj[i] = rg_str_new(h, buf);
            break;
        }
        CU_ASSERT_PTR_NOT_NULL_FATAL(obj[i]);
    }
    for (int round = 0; round < 4; round++) {
        /* free half: random, ascending or descending slots */
        size_t kept = 0;
        for (size_t j = 0; j < N; j++) {
            size_t i = order == 1 ? j : order == 2 ? N - 1 - j : j;
            seed = seed * 1103515245u + 12345u;
            int drop = order == 0 ? (seed >> 16) % 2 : (i % 2) == (size_t)(round % 2);
            if (drop && obj[i]) {
                rg_decref(obj[i]);
                obj[i] = NULL;
            }
        }
        if (round == 2) rg_heap_trim(h);
        for (size_t i = 0; i < N; i++) kept += obj[i] != NULL;
        for (int walk = 0; walk < 2; walk++) {
            seen_set c = {obj, N, 0, 0};
            CU_ASSERT_EQUAL(rg_heap_foreach(h, note_seen, &c), 0);
            CU_ASSERT_EQUAL(c.seen, kept + 3); /* and None, True, False */
            CU_ASSERT_EQUAL(c.foreign, 0);
        }
        for (size_t i = 0; i < N; i++) /* refill from the free lists */
            if (!obj[i]) {
                obj[i] = i % 3 ? rg_int_new(h, (int64_t)i) : rg_str_new(h, "refilled, a str of some length");
                CU_ASSERT_PTR_NOT_NULL_FATAL(obj[i]);
            }
    }
    for (size_t i = 0; i < N; i++) rg_decref(obj[i]);
    CU_ASSERT_EQUAL(rg_heap_destroy(h), 0);
    CU_ASSERT_EQUAL(ALLOC.live_bytes, 0);
}

/* An allocator that hands out blocks from the top of a buffer downwards,
 * so that each new slab ends where the one before begins. */
static struct {
    char buf[1 << 20];
    size_t top;
} down;
static void *down_malloc(void *ud, size_t size) {
    (void)ud;
    size = (size + 15) & ~(size_t)15;
    if (size > down.top) return NULL;
    down.top -= size;
    return down.buf + down.top;
}
static void *down_realloc(void *ud, void *ptr, size_t old_size, size_t new_size) {
    void *p = down_malloc(ud, new_size);
    if (p && ptr) memcpy(p, ptr, old_size < new_size ? old_size : new_size);
    return p;
}
static void down_free(void *ud, void *ptr, size_t size) {
    (void)ud;
    (void)ptr;
    (void)size;
}

/* The newest slab full, its uncarved rest empty: the bump pointer sits at
 * its end, where an older slab begins. The walk must still step through
 * that older slab (it used to take it for the newest, empty from its
 * start). Every count from 3,900 to 4,300 ints spans the moment the second
 * slab fills. */
static void test_walk_slabs_back_to_back(void) {
    down.top = sizeof down.buf;
    rg_allocator a = {down_malloc, down_realloc, down_free, NULL, 0};
    rg_heap *h = rg_heap_new_with(&a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    rg_heap_set_misuse_handler(h, record_misuse, NULL);
    size_t wrong = 0;
    for (long n = 1; n <= 4300; n++) {
        CU_ASSERT_PTR_NOT_NULL_FATAL(rg_int_new(h, n)); /* leaked: the heap goes whole */
        if (n >= 3900 && rg_heap_count_type(h, &rg_int_type) != (size_t)n) wrong++;
    }
    CU_ASSERT_EQUAL(wrong, 0);
    CU_ASSERT_EQUAL(rg_heap_destroy(h), 4300);
}

static void test_walk_after_frees(void) {
    for (unsigned order = 0; order < 3; order++) walk_after_frees(order);
}

/* Teardown skips walking the atoms only when the singletons alone are
 * left: an atom that a leaked container's clear makes during teardown
 * still has its type's destroy run, and None or True given a decref too
 * many is kept (reported), not freed to stand in for a leaked atom. */
static int token_destroyed;
static void token_destroy(rg_object *o) {
    (void)o;
    token_destroyed++;
}
static const rg_type token_type = {.name = "token", .basic_size = 32, .destroy = token_destroy};
typedef struct box {
    rg_object ob;
    rg_object *slot;
} box;
static int box_traverse(rg_object *self, rg_visit_fn visit, void *arg) {
    box *b = (box *)self;
    rg_label label = {RG_LABEL_INDEX, {.index = 0}};
    return b->slot ? visit(b->slot, label, arg) : 0;
}
static void box_clear(rg_object *self) { /* leaves a fresh token in the slot */
    box *b = (box *)self;
    rg_object *old = b->slot;
    b->slot = rg_object_new(rg_object_heap(self), &token_type);
    rg_decref(old);
}
static const rg_type box_type = {
    .name = "box", .basic_size = sizeof(box), .traverse = box_traverse, .clear = box_clear};

static void test_teardown_atoms_made_late(void) {
    rg_heap *h = heap_new();
    token_destroyed = 0;
    CU_ASSERT_PTR_NOT_NULL_FATAL(rg_object_new(h, &box_type)); /* leaked */
    CU_ASSERT_EQUAL(rg_heap_destroy(h), 1);
    CU_ASSERT_EQUAL(token_destroyed, 1);
    CU_ASSERT_EQUAL(ALLOC.live_bytes, 0);

    /* A decref too many of None or True is reported and the heap keeps
     * them: they cannot stand in for leaked atoms at teardown (a freed
     * block's refcount field holds its size class: True's, 20 bytes, is
     * class 1). */
    h = heap_new();
    rg_object *none = rg_none_new(h), *yes = rg_bool_new(h, 1);
    rg_decref(none);
    rg_decref(none); /* one too many */
    CU_ASSERT_EQUAL(MISUSE.count, 1);
    CU_ASSERT_EQUAL(MISUSE.kind, RG_MISUSE_DECREF_BELOW_ZERO);
    rg_decref(yes);
    rg_decref(yes);
    CU_ASSERT_EQUAL(MISUSE.count, 2);
    CU_ASSERT(rg_is_none(rg_none_new(h)));
    CU_ASSERT_EQUAL(rg_refcount(none), 2);
    CU_ASSERT_PTR_EQUAL(rg_bool_new(h, 1), yes);
    CU_ASSERT_PTR_NOT_NULL_FATAL(rg_str_new(h, "a leaked str, long enough for another class")); /* leaked */
    CU_ASSERT_PTR_NOT_NULL_FATAL(rg_int_new(h, 42));                                             /* leaked */
    rg_decref(none);
    rg_decref(yes);
    CU_ASSERT_EQUAL(rg_heap_destroy(h), 2);
    CU_ASSERT_EQUAL(MISUSE.kind, RG_MISUSE_LEAK);
    CU_ASSERT_EQUAL(MISUSE.count, 4);
}

/* Kinds: a heap takes one (heap, type) kind per type it has objects of,
 * from a process-wide table of RG_KINDS_MAX, and gives them back when it is
 * destroyed. One heap with more types than that gets RG_ERANGE for the
 * first type too many, and nothing else changes; after its destruction a
 * new heap has every kind again. */
static void test_kinds_run_out_and_come_back(void) {
    size_t ntypes = RG_KINDS_MAX + 10;
    rg_type *types = calloc(ntypes, sizeof *types);
    CU_ASSERT_PTR_NOT_NULL_FATAL(types);
    for (size_t i = 0; i < ntypes; i++) types[i] = (rg_type){.name = "T", .basic_size = sizeof(rg_object)};
    rg_heap *h = heap_new();
    rg_object **objs = calloc(ntypes, sizeof *objs);
    CU_ASSERT_PTR_NOT_NULL_FATAL(objs);
    size_t made = 0;
    for (size_t i = 0; i < ntypes; i++) {
        objs[i] = rg_object_new(h, &types[i]);
        if (!objs[i]) {
            CU_ASSERT_EQUAL(rg_heap_errno(h), RG_ERANGE);
            break;
        }
        CU_ASSERT_PTR_EQUAL(rg_type_of(objs[i]), &types[i]);
        CU_ASSERT_PTR_EQUAL(rg_object_heap(objs[i]), h);
        made++;
    }
    /* None and bool took two; other suites' heaps in this process none */
    CU_ASSERT_EQUAL(made, RG_KINDS_MAX - 2);
    /* a type the heap has already still works, and a second heap cannot start */
    rg_object *again = rg_object_new(h, &types[0]);
    CU_ASSERT_PTR_NOT_NULL(again);
    CU_ASSERT_PTR_NULL(rg_heap_new());
    rg_decref(again);
    for (size_t i = 0; i < made; i++) rg_decref(objs[i]);
    heap_end(h);
    /* all back: a new heap makes an object of every one of those types but
     * the last few */
    h = heap_new();
    for (size_t i = 0; i < RG_KINDS_MAX - 2; i++) {
        objs[i] = rg_object_new(h, &types[i]);
        CU_ASSERT_PTR_NOT_NULL_FATAL(objs[i]);
        CU_ASSERT_PTR_EQUAL(rg_type_of(objs[i]), &types[i]);
    }
    for (size_t i = 0; i < RG_KINDS_MAX - 2; i++) rg_decref(objs[i]);
    heap_end(h);
    free(objs);
    free(types);
}

/* With the kinds used up, a heap still makes objects of the types it has
 * and fails cleanly, with RG_ERANGE, for the others: in whatever API the
 * object is made (a weakref, a dict's str key), nothing leaks. */
static void test_kinds_run_out_in_every_api(void) {
    rg_heap *h = heap_new();
    rg_object *d = rg_dict_new(h), *cls = rg_class_new(h, "C"), *none = rg_none_new(h);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cls);
    /* Another heap takes every kind left. */
    size_t ntypes = RG_KINDS_MAX;
    rg_type *types = calloc(ntypes, sizeof *types);
    rg_object **objs = calloc(ntypes, sizeof *objs);
    CU_ASSERT_PTR_NOT_NULL_FATAL(types);
    CU_ASSERT_PTR_NOT_NULL_FATAL(objs);
    rg_heap *other = rg_heap_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(other);
    size_t made = 0;
    for (size_t i = 0; i < ntypes; i++) {
        types[i] = (rg_type){.name = "T", .basic_size = sizeof(rg_object)};
        objs[i] = rg_object_new(other, &types[i]);
        if (!objs[i]) break;
        made++;
    }
    CU_ASSERT_EQUAL(rg_heap_errno(other), RG_ERANGE);

    CU_ASSERT_PTR_NULL(rg_int_new(h, 1));
    CU_ASSERT_EQUAL(rg_heap_errno(h), RG_ERANGE);
    CU_ASSERT_PTR_NULL(rg_weakref_new(h, none, NULL, NULL));
    CU_ASSERT_EQUAL(rg_heap_errno(h), RG_ERANGE);
    CU_ASSERT_EQUAL(rg_dict_setstr(d, "k", none), RG_ERANGE); /* no str */
    CU_ASSERT_EQUAL(rg_heap_errno(h), RG_ERANGE);
    CU_ASSERT_EQUAL(rg_dict_size(d), 0);
    CU_ASSERT_PTR_NULL(rg_instance_new(h, cls));
    CU_ASSERT_EQUAL(rg_heap_errno(h), RG_ERANGE);
    rg_object *d2 = rg_dict_new(h); /* a type it has */
    CU_ASSERT_PTR_NOT_NULL(d2);
    rg_decref(d2);

    for (size_t i = 0; i < made; i++) rg_decref(objs[i]);
    CU_ASSERT_EQUAL(rg_heap_destroy(other), 0);
    free(objs);
    free(types);
    CU_ASSERT_EQUAL(rg_dict_setstr(d, "k", none), 0); /* kinds are back */
    rg_decref(none);
    rg_decref(cls);
    rg_decref(d);
    heap_end(h);
}

/* rg_heap_new with one kind left: None takes it, bool finds none; the
 * half-made heap is destroyed and gives the kind back. With two left the
 * heap starts, and its first int is refused. */
static void test_kinds_run_out_in_heap_new(void) {
    rg_heap *y = rg_heap_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(y);
    rg_object *yi = rg_int_new(y, 1); /* y: None, bool, int */
    CU_ASSERT_PTR_NOT_NULL_FATAL(yi);
    size_t ntypes = RG_KINDS_MAX;
    rg_type *types = calloc(ntypes, sizeof *types);
    rg_object **objs = calloc(ntypes, sizeof *objs);
    CU_ASSERT_PTR_NOT_NULL_FATAL(types);
    CU_ASSERT_PTR_NOT_NULL_FATAL(objs);
    for (size_t i = 0; i < ntypes; i++) types[i] = (rg_type){.name = "T", .basic_size = sizeof(rg_object)};
    rg_heap *x = rg_heap_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(x);
    size_t made = 0;
    while (made < ntypes && (objs[made] = rg_object_new(x, &types[made])) != NULL) made++;
    CU_ASSERT_EQUAL(rg_heap_errno(x), RG_ERANGE);
    rg_decref(yi);
    CU_ASSERT_EQUAL(rg_heap_destroy(y), 0); /* three kinds back */
    CU_ASSERT_PTR_NOT_NULL_FATAL(objs[made] = rg_object_new(x, &types[made]));
    made++; /* two left */
    rg_heap *z = rg_heap_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(z);
    CU_ASSERT_PTR_NULL(rg_int_new(z, 1));
    CU_ASSERT_EQUAL(rg_heap_errno(z), RG_ERANGE);
    CU_ASSERT_EQUAL(rg_heap_destroy(z), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(objs[made] = rg_object_new(x, &types[made]));
    made++; /* one left */
    for (int i = 0; i < 3; i++) CU_ASSERT_PTR_NULL(rg_heap_new()); /* and given back each time */
    CU_ASSERT_PTR_NOT_NULL_FATAL(objs[made] = rg_object_new(x, &types[made]));
    made++; /* none left */
    CU_ASSERT_PTR_NULL(rg_object_new(x, &types[made]));
    CU_ASSERT_EQUAL(rg_heap_errno(x), RG_ERANGE);
    for (size_t i = 0; i < made; i++) rg_decref(objs[i]);
    CU_ASSERT_EQUAL(rg_heap_destroy(x), 0);
    free(objs);
    free(types);
}

/* An empty heap holds one slab, the atoms' (None, True, False): its table
 * of kinds does not take a 64 KiB slab of the main arena for 256 bytes, so
 * a process's thousands of small heaps cost what they did before kinds. */
static void test_empty_heap_one_slab(void) {
    rg_heap *h = heap_new();
    rg_heap_stats s;
    rg_heap_get_stats(h, &s);
    CU_ASSERT(s.cached_bytes <= 64 * 1024);
    CU_ASSERT_EQUAL(s.bytes_in_use + s.cached_bytes, ALLOC.live_bytes);
    /* a few types more, then many: the table grows, the bytes stay counted */
    rg_object *l = rg_list_new(h), *d = rg_dict_new(h), *i = rg_int_new(h, 1);
    static rg_type types[100];
    rg_object *objs[100];
    for (int k = 0; k < 100; k++) {
        types[k] = (rg_type){.name = "T", .basic_size = sizeof(rg_object)};
        objs[k] = rg_object_new(h, &types[k]);
        CU_ASSERT_PTR_NOT_NULL_FATAL(objs[k]);
        CU_ASSERT_PTR_EQUAL(rg_type_of(objs[k]), &types[k]);
    }
    rg_heap_get_stats(h, &s);
    CU_ASSERT_EQUAL(s.bytes_in_use + s.cached_bytes, ALLOC.live_bytes);
    for (int k = 0; k < 100; k++) rg_decref(objs[k]);
    rg_decref(l);
    rg_decref(d);
    rg_decref(i);
    heap_end(h);
}

static void test_bad_allocator(void) {
    rg_allocator bad = {NULL, NULL, NULL, NULL, 0};
    CU_ASSERT_PTR_NULL(rg_heap_new_with(&bad));
    CU_ASSERT_PTR_NULL(rg_heap_new_with(NULL));
    CU_ASSERT_EQUAL(rg_heap_destroy(NULL), 0);
}

int main(void) {
    static const test_case cases[] = {
        {"accounting", test_accounting},
        {"slabs: growth, reuse, trim", test_slabs},
        {"allocator without slabs", test_each_block},
#ifdef __SANITIZE_ADDRESS__
        {"free slab blocks are poisoned", test_slab_poisoning},
#endif
        {"independent heaps", test_independent_heaps},
        {"million-element chain freed without recursion", test_million_chain_no_recursion},
        {"million-element ring collected without recursion", test_million_ring_collected_no_recursion},
        {"every Nth allocation fails cleanly", test_every_nth_allocation_fails},
        {"decref below zero is reported", test_decref_below_zero},
        {"use after free is reported", test_use_after_free},
        {"destroy reports survivors", test_destroy_reports_survivors},
        {"destroy reports type, id, refcount", test_destroy_reports_type_id_refcount},
        {"foreach sees every object", test_foreach_sees_all},
        {"teardown: atoms made late; None and True decrefed too often", test_teardown_atoms_made_late},
        {"a walk of the atoms after frees in any order", test_walk_after_frees},
        {"a walk of slabs laid back to back", test_walk_slabs_back_to_back},
        {"a trim after frees in random order", test_trim_after_random_frees},
        {"compact header: int 32 bytes, atoms without links", test_compact_header},
        {"ids under heavy reuse, with slabs", test_ids_under_reuse},
        {"ids under heavy reuse, each block", test_ids_under_reuse_each_block},
        {"leaked atoms reported at teardown", test_leaked_atoms_reported},
        {"bad allocator", test_bad_allocator},
        {"kinds run out and come back", test_kinds_run_out_and_come_back},
        {"kinds run out: every API fails cleanly", test_kinds_run_out_in_every_api},
        {"kinds run out in rg_heap_new", test_kinds_run_out_in_heap_new},
        {"an empty heap holds one slab", test_empty_heap_one_slab},
        {NULL, NULL},
    };
    return run_suite("heap", cases);
}
