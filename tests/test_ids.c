/* test_ids.c — ids across eras. The header holds an id's low 48 bits; the
 * heap records the full id of each object that outlives its era. This suite
 * builds object.c with 10-bit stamps (eras of 1,024 ids), so that a few
 * thousand allocations cross many eras: ids stay unique, never reused,
 * larger for later objects, and each object keeps its id for life. */
#include "refgraph/graph.h"
#include "refgraph/heapdump.h"
#include "testheap.h"

#define ERA 1024u

typedef struct seen {
    uint64_t *ids;
    size_t n, cap;
} seen;

static int collect_id(rg_object *o, void *arg) {
    seen *s = arg;
    if (s->n < s->cap) s->ids[s->n] = rg_id(o);
    s->n++;
    return 0;
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Every live object's id, sorted: all distinct and non-zero. */
static void check_distinct(rg_heap *h) {
    static uint64_t ids[1 << 16];
    seen s = {ids, 0, sizeof ids / sizeof *ids};
    rg_heap_foreach(h, collect_id, &s);
    CU_ASSERT_FATAL(s.n <= s.cap);
    qsort(ids, s.n, sizeof *ids, cmp_u64);
    for (size_t i = 0; i < s.n; i++) {
        CU_ASSERT_NOT_EQUAL(ids[i], 0);
        if (i) CU_ASSERT(ids[i] > ids[i - 1]);
    }
}

/* Long-lived objects of many eras keep their ids while the ids of new ones
 * go on growing; freed objects' blocks are reused, their ids never. */
static void eras(rg_heap *h) {
    enum { KEEP = 200, ROUNDS = 40 };
    rg_object *keep[KEEP];
    uint64_t keep_id[KEEP];
    for (int i = 0; i < KEEP; i++) {
        keep[i] = (i % 3) ? rg_int_new(h, i) : rg_list_new(h);
        CU_ASSERT_PTR_NOT_NULL_FATAL(keep[i]);
        keep_id[i] = rg_id(keep[i]);
    }
    uint64_t last = rg_id(keep[KEEP - 1]);
    for (int r = 0; r < ROUNDS; r++) {
        /* about two eras of short-lived objects per round */
        for (unsigned i = 0; i < 2 * ERA; i++) {
            rg_object *o = (i % 2) ? rg_str_new(h, "x") : rg_list_new(h);
            CU_ASSERT_PTR_NOT_NULL_FATAL(o);
            CU_ASSERT(rg_id(o) > last);
            last = rg_id(o);
            rg_decref(o);
        }
        /* replace one kept object a round: the new one is of a later era */
        int k = r % KEEP;
        rg_decref(keep[k]);
        keep[k] = rg_int_new(h, r);
        CU_ASSERT_PTR_NOT_NULL_FATAL(keep[k]);
        CU_ASSERT(rg_id(keep[k]) > last);
        last = keep_id[k] = rg_id(keep[k]);
        for (int i = 0; i < KEEP; i++) CU_ASSERT_EQUAL(rg_id(keep[i]), keep_id[i]);
        check_distinct(h);
    }
    CU_ASSERT(last > (uint64_t)ROUNDS * 2 * ERA); /* many eras went by */
    rg_heap_stats st;
    rg_heap_get_stats(h, &st);
    CU_ASSERT(st.max_id >= last);
    for (int i = 0; i < KEEP; i++) rg_decref(keep[i]);
    heap_end(h);
}

static void test_eras(void) { eras(heap_new()); }
/* Every atom on the list of large ones, walked there. */
static void test_eras_each_block(void) { eras(heap_new_each_block()); }

/* An era cannot begin while a collection runs: a finalizer that makes
 * objects near the end of an era makes them with the stamps left, and the
 * next era begins once the collection is over. */
static int made_in_finalizer;
static rg_object *finalizer_sink;

static void fin_make(rg_object *self) {
    rg_list_append(finalizer_sink, self); /* resurrected: it must keep its id */
    for (int i = 0; i < 100; i++) {
        rg_object *o = rg_int_new(rg_object_heap(self), i);
        if (!o) break;
        made_in_finalizer++;
        rg_list_append_new(finalizer_sink, o);
    }
}

static void test_era_waits_for_collection(void) {
    rg_heap *h = heap_new();
    rg_gc_disable(h);
    finalizer_sink = rg_list_new(h);
    rg_object *cls = rg_class_new(h, "F");
    rg_class_set_finalizer(cls, fin_make, 0);
    /* Bring the stamps to just before the reserve at the era's end. */
    for (unsigned i = 0; i < 2 * ERA; i++) {
        rg_object *o = rg_int_new(h, 0);
        uint64_t stamp = rg_id(o) % ERA;
        rg_decref(o);
        if (stamp >= ERA - ERA / 16 - 8) break;
    }
    /* A garbage cycle whose finalizer makes 100 objects. */
    rg_object *a = rg_instance_new(h, cls);
    rg_setattr(a, "self", a);
    uint64_t a_id = rg_id(a);
    rg_decref(a);
    made_in_finalizer = 0;
    rg_gc_collect(h, 2); /* resurrected: nothing collected */
    /* The 100 fitted in the stamps left (reserve 63 + 8); any that did not
     * failed cleanly rather than take an id of the next era. */
    CU_ASSERT(made_in_finalizer > 0);
    CU_ASSERT_EQUAL(rg_list_size(finalizer_sink), (size_t)made_in_finalizer + 1);
    CU_ASSERT_PTR_EQUAL(rg_list_get(finalizer_sink, 0), a);
    check_distinct(h);
    uint64_t before = a_id;
    for (size_t i = 1; i < rg_list_size(finalizer_sink); i++) {
        uint64_t id = rg_id(rg_list_get(finalizer_sink, (ptrdiff_t)i));
        CU_ASSERT(id > before);
        before = id;
    }
    /* After the collection the era begins: the next object is of the next one. */
    rg_object *o = rg_int_new(h, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(o);
    CU_ASSERT(rg_id(o) > before);
    CU_ASSERT(rg_id(o) % ERA < ERA - ERA / 16);
    CU_ASSERT_EQUAL(rg_id(a), a_id);
    check_distinct(h);
    rg_decref(o);
    rg_decref(finalizer_sink);
    rg_decref(cls);
    heap_end(h);
}

/* Recording an era's ids can run out of memory: the heap goes on with the
 * stamps left, then making an object fails with RG_ENOMEM at the last one;
 * nothing is half-done, and once memory is back the next era begins. */
static void test_era_out_of_memory(void) {
    rg_heap *h = heap_new();
    enum { KEEP = 300 }; /* their record needs the map to grow past 512 bytes: the allocator's */
    rg_object *keep[KEEP];
    uint64_t keep_id[KEEP];
    for (int i = 0; i < KEEP; i++) {
        keep[i] = rg_int_new(h, i);
        keep_id[i] = rg_id(keep[i]);
    }
    uint64_t last = 0;
    for (unsigned i = 0; i < 2 * ERA; i++) { /* to the reserve at the era's end */
        rg_object *o = rg_int_new(h, 0);
        last = rg_id(o);
        rg_decref(o);
        if (last % ERA >= ERA - ERA / 16) break;
    }
    ALLOC.fail_at = ALLOC.count + 1; /* every allocator call fails from now */
    rg_object *o = NULL;
    for (unsigned i = 0; i < ERA; i++) {
        o = rg_int_new(h, 0);
        if (!o) break;
        CU_ASSERT(rg_id(o) > last);
        last = rg_id(o);
        rg_decref(o);
    }
    ALLOC.fail_at = 0;
    CU_ASSERT_PTR_NULL(o);
    CU_ASSERT_EQUAL(rg_heap_errno(h), RG_ENOMEM);
    CU_ASSERT_EQUAL(last % ERA, ERA - 1); /* it failed at the last stamp, no sooner */
    for (int i = 0; i < KEEP; i++) CU_ASSERT_EQUAL(rg_id(keep[i]), keep_id[i]);
    o = rg_int_new(h, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(o);
    CU_ASSERT(rg_id(o) > last);
    CU_ASSERT_EQUAL(rg_id(o) % ERA, 0); /* the next era's first */
    rg_decref(o);
    for (int i = 0; i < KEEP; i++) CU_ASSERT_EQUAL(rg_id(keep[i]), keep_id[i]);
    check_distinct(h);
    for (int i = 0; i < KEEP; i++) rg_decref(keep[i]);
    heap_end(h);
}

/* Makes objects, kept alive (no block is freed, so the debug quarantine
 * keeps what was freed before), until an era has begun; returns how many,
 * in keep. */
static size_t cross_era(rg_heap *h, rg_object **keep, size_t cap) {
    rg_object *first = rg_int_new(h, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(first);
    uint64_t era = rg_id(first) / ERA;
    keep[0] = first;
    size_t n = 1;
    while (n < cap) {
        rg_object *o = rg_int_new(h, 0);
        CU_ASSERT_PTR_NOT_NULL_FATAL(o);
        keep[n++] = o;
        if (rg_id(o) / ERA > era) break;
    }
    CU_ASSERT_FATAL(rg_id(keep[n - 1]) / ERA > era);
    return n;
}

/* A type's destroy sees the object it destroys with its own id, an object
 * of an earlier era as any other. */
static uint64_t destroyed_id;
static void destroy_note(rg_object *o) { destroyed_id = rg_id(o); }

static void test_destroy_sees_id(void) {
    rg_heap *h = heap_new();
    static const rg_type noted = {.name = "noted", .basic_size = sizeof(rg_object), .destroy = destroy_note};
    static rg_object *keep[3 * ERA];
    rg_object *x = rg_object_new(h, &noted), *y = rg_object_new(h, &noted);
    CU_ASSERT_PTR_NOT_NULL_FATAL(x);
    CU_ASSERT_PTR_NOT_NULL_FATAL(y);
    uint64_t x_id = rg_id(x), y_id = rg_id(y);
    rg_decref(y); /* of this era */
    CU_ASSERT_EQUAL(destroyed_id, y_id);
    size_t n = cross_era(h, keep, sizeof keep / sizeof *keep);
    CU_ASSERT_EQUAL(rg_id(x), x_id);
    rg_decref(x); /* of an earlier era */
    CU_ASSERT_EQUAL(destroyed_id, x_id);
    for (size_t i = 0; i < n; i++) rg_decref(keep[i]);
    heap_end(h);
}

/* A misuse report on a freed object (debug builds keep its header) names
 * the object's id, whether it outlived its era or was freed before an era
 * began, or freed as garbage by a collection; never the id of another
 * object. */
static void test_freed_object_id(void) {
#ifdef RG_DEBUG
    rg_heap *h = heap_new();
    static rg_object *keep[3 * ERA];
    rg_object *x = rg_dict_new(h), *y = rg_dict_new(h);
    CU_ASSERT_PTR_NOT_NULL_FATAL(x);
    CU_ASSERT_PTR_NOT_NULL_FATAL(y);
    uint64_t x_id = rg_id(x), y_id = rg_id(y);
    rg_decref(y); /* freed in its own era, which then ends */
    size_t n = cross_era(h, keep, sizeof keep / sizeof *keep);
    rg_incref(y);
    CU_ASSERT_EQUAL(MISUSE.count, 1);
    CU_ASSERT_EQUAL(MISUSE.kind, RG_MISUSE_FREED_OBJECT);
    CU_ASSERT_EQUAL(MISUSE.id, y_id);
    rg_decref(x); /* an object of an earlier era, freed */
    rg_incref(x);
    CU_ASSERT_EQUAL(MISUSE.count, 2);
    CU_ASSERT_EQUAL(MISUSE.kind, RG_MISUSE_FREED_OBJECT);
    CU_ASSERT_EQUAL(MISUSE.id, x_id);
    /* Garbage of this era, freed by a collection's delete phase. */
    rg_object *a = rg_list_new(h), *b = rg_list_new(h);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    uint64_t a_id = rg_id(a);
    CU_ASSERT(a_id > ERA);
    rg_list_append_new(a, b);
    rg_list_append_new(b, a);
    CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 2);
    rg_incref(a);
    CU_ASSERT_EQUAL(MISUSE.count, 3);
    CU_ASSERT_EQUAL(MISUSE.kind, RG_MISUSE_FREED_OBJECT);
    CU_ASSERT_EQUAL(MISUSE.id, a_id);
    for (size_t i = 0; i < n; i++) rg_decref(keep[i]);
    heap_end(h);
#else
    CU_PASS("poisoned headers are kept only in RG_DEBUG_CHECKS builds");
#endif
}

/* A dump of a heap whose objects come from several eras: ids are sparse
 * (each era skips the stamps it did not use) and above 2^10; the dump
 * loads, every object and reference found by its id, max_id above all. */
static void test_dump_across_eras(void) {
    rg_heap *h = heap_new();
    static rg_object *keep[3 * ERA];
    rg_object *l = rg_list_new(h);
    CU_ASSERT_PTR_NOT_NULL_FATAL(l);
    size_t total = 0;
    for (int e = 0; e < 3; e++) { /* objects of three eras, all in the list */
        size_t n = cross_era(h, keep, sizeof keep / sizeof *keep);
        for (size_t i = 0; i < n; i++)
            if (i % 64 == 0)
                CU_ASSERT_EQUAL(rg_list_append(l, keep[i]), 0);
        for (size_t i = 0; i < n; i++) rg_decref(keep[i]);
        total += (n + 63) / 64;
    }
    CU_ASSERT_EQUAL(rg_list_size(l), total);
    rg_global_set_new(h, "l", l);
    rg_error err = {0};
    CU_ASSERT_EQUAL_FATAL(rg_heap_dump(h, tmp("eras.jsonl"), NULL, &err), 0);
    rg_graph *g = rg_graph_load(tmp("eras.jsonl"), NULL, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    rg_heap_stats st;
    rg_heap_get_stats(h, &st);
    CU_ASSERT_EQUAL(g->n, st.live_objects);
    CU_ASSERT(g->header.max_id >= 3 * ERA);
    for (uint32_t i = 0; i < g->n; i++) {
        CU_ASSERT(g->id[i] <= g->header.max_id);
        CU_ASSERT_EQUAL(rg_graph_find(g, g->id[i]), i);
    }
    uint32_t li = rg_graph_find(g, rg_id(l));
    CU_ASSERT_FATAL(li != RG_NONE);
    CU_ASSERT_EQUAL(g->ref_start[li + 1] - g->ref_start[li], total);
    for (size_t i = 0; i < total; i++)
        CU_ASSERT_EQUAL(g->id[g->ref_target[g->ref_start[li] + i]], rg_id(rg_list_get(l, (ptrdiff_t)i)));
    rg_graph_free(g);
    heap_end(h);
}

/* Crossing an era while the Nth allocator call fails, for many N: the
 * record, the kinds' map, a dict's str key and an instance's values fail in
 * turn. Whatever fails fails cleanly: the kept objects keep their ids, the
 * live ids stay distinct, nothing leaks. */
static void test_era_every_nth_fails(void) {
    enum { KEEP = 120 };
    for (long nth = 1; nth <= 60; nth++) {
        rg_heap *h = heap_new();
        rg_object *keep[KEEP], *cls = rg_class_new(h, "K");
        uint64_t keep_id[KEEP];
        CU_ASSERT_PTR_NOT_NULL_FATAL(cls);
        for (int i = 0; i < KEEP; i++) {
            keep[i] = (i % 2) ? rg_int_new(h, i) : rg_instance_new(h, cls);
            CU_ASSERT_PTR_NOT_NULL_FATAL(keep[i]);
            keep_id[i] = rg_id(keep[i]);
        }
        for (unsigned i = 0; i < 2 * ERA; i++) { /* to a few stamps before the reserve */
            rg_object *o = rg_int_new(h, 0);
            uint64_t stamp = rg_id(o) % ERA;
            rg_decref(o);
            if (stamp >= ERA - ERA / 16 - 4) break;
        }
        ALLOC.fail_at = ALLOC.count + nth;
        uint64_t last = 0;
        for (unsigned i = 0; i < ERA / 8; i++) { /* past the reserve's start, into the next era */
            rg_object *d = rg_dict_new(h);
            if (d) {
                CU_ASSERT(rg_id(d) > last);
                last = rg_id(d);
                rg_dict_setstr_new(d, "k", rg_instance_new(h, cls)); /* may fail: cleanly */
                rg_setattr_new(keep[0], (i % 2) ? "a" : "b", d); /* keep[0] holds it */
            }
            if (i == 8) ALLOC.fail_at = 0; /* memory comes back */
        }
        ALLOC.fail_at = 0;
        for (int i = 0; i < KEEP; i++) CU_ASSERT_EQUAL(rg_id(keep[i]), keep_id[i]);
        check_distinct(h);
        for (int i = 0; i < KEEP; i++) rg_decref(keep[i]);
        rg_decref(cls);
        heap_end(h);
    }
}

/* An era cannot begin while objects are being freed either: deep in a
 * chain, objects wait on the freeing worklist, on no list the walk sees; a
 * finalizer run from there that makes objects near an era's end must not
 * begin the era, or an object still waiting, resurrected by its own
 * finalizer, would come back with an id of the next era. */
static rg_object *wl_sink, *wl_a, *wl_b;
static int wl_made;

static void fin_worklist(rg_object *self) {
    if (self != wl_a && self != wl_b) return;
    if (!wl_made) { /* the first of the two: makes objects */
        wl_made = 1;
        for (int i = 0; i < 30; i++) rg_list_append_new(wl_sink, rg_int_new(rg_object_heap(self), i));
    } else {
        rg_list_append(wl_sink, self); /* the second: resurrected */
    }
}

static void test_era_waits_for_freeing(void) {
    rg_heap *h = heap_new();
    rg_gc_disable(h);
    wl_sink = rg_list_new(h);
    rg_object *cls = rg_class_new(h, "W");
    rg_class_set_finalizer(cls, fin_worklist, 0);
    enum { DEPTH = 50 }; /* RG__DEALLOC_DEPTH: deeper objects wait on the worklist */
    rg_object *top = rg_instance_new(h, cls), *o = top;
    for (int i = 1; i < DEPTH; i++) {
        rg_object *next = rg_instance_new(h, cls);
        rg_setattr_new(o, "next", next);
        o = next;
    }
    wl_a = rg_instance_new(h, cls);
    wl_b = rg_instance_new(h, cls);
    uint64_t a_id = rg_id(wl_a), b_id = rg_id(wl_b);
    rg_setattr_new(o, "a", wl_a); /* both wait on the worklist */
    rg_setattr_new(o, "b", wl_b);
    for (unsigned i = 0; i < 2 * ERA; i++) { /* to just before the reserve */
        rg_object *x = rg_int_new(h, 0);
        uint64_t stamp = rg_id(x) % ERA;
        rg_decref(x);
        if (stamp >= ERA - ERA / 16 - 8) break;
    }
    wl_made = 0;
    rg_decref(top); /* frees the chain; the 30 objects reach the reserve */
    CU_ASSERT_EQUAL(wl_made, 1);
    CU_ASSERT_EQUAL_FATAL(rg_list_size(wl_sink), 31);
    rg_object *back = rg_list_get(wl_sink, 30);
    CU_ASSERT(back == wl_a || back == wl_b);
    CU_ASSERT_EQUAL(rg_id(back), back == wl_a ? a_id : b_id);
    check_distinct(h);
    rg_decref(wl_sink);
    rg_decref(cls);
    heap_end(h);
}

int main(void) {
    static const test_case cases[] = {
        {"ids across eras", test_eras},
        {"ids across eras, each block", test_eras_each_block},
        {"an era waits for the collection to end", test_era_waits_for_collection},
        {"an era waits for the freeing to end", test_era_waits_for_freeing},
        {"an era's record out of memory", test_era_out_of_memory},
        {"destroy sees the id of an object of an earlier era", test_destroy_sees_id},
        {"a freed object's misuse report names its id across eras", test_freed_object_id},
        {"a dump across eras", test_dump_across_eras},
        {"an era crossed while the Nth allocation fails", test_era_every_nth_fails},
        {NULL, NULL},
    };
    return run_suite_tmp("ids", cases);
}
