/* test_gc.c — the cycle collector, behaviour by behaviour, after CPython's
 * Lib/test/test_gc.py, test_finalization.py and test_weakref.py. */
#include <stdio.h>

#include "testheap.h"

/* Test context for finalizers and callbacks (C functions without user data). */
static rg_heap *H;
static int fin_calls;
static rg_object *saved; /* where resurrecting finalizers put objects */

static void fin_count(rg_object *self) {
    (void)self;
    fin_calls++;
}
static void fin_resurrect(rg_object *self) {
    fin_calls++;
    rg_list_append(saved, self);
}
static void fin_collect(rg_object *self) {
    (void)self;
    fin_calls++;
    rg_gc_collect(rg_object_heap(self), 2); /* re-entrant: must be harmless */
}

static rg_object *cycle_pair(rg_heap *h) {
    rg_object *a = rg_list_new(h), *b = rg_list_new(h);
    rg_list_append(a, b);
    rg_list_append(b, a);
    rg_decref(b);
    return a; /* the caller's reference to a */
}

static void test_list_self_cycle(void) {
    rg_heap *h = heap_new();
    rg_object *l = rg_list_new(h);
    rg_list_append(l, l);
    CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 0); /* still referenced by us */
    rg_decref(l);
    CU_ASSERT_EQUAL(rg_heap_count_type(h, &rg_list_type), 1);
    CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 1);
    CU_ASSERT_EQUAL(rg_heap_count_type(h, &rg_list_type), 0);
    heap_end(h);
}

static void test_dict_self_cycle(void) {
    rg_heap *h = heap_new();
    rg_object *d = rg_dict_new(h);
    rg_dict_setstr(d, "self", d);
    rg_decref(d);
    CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 1);
    CU_ASSERT_EQUAL(rg_heap_count_type(h, &rg_dict_type), 0);
    CU_ASSERT_EQUAL(rg_heap_count_type(h, &rg_str_type), 0); /* the key went with it */
    heap_end(h);
}

static void test_instance_self_cycle(void) {
    rg_heap *h = heap_new();
    rg_object *cls = rg_class_new(h, "A");
    rg_object *a = rg_instance_new(h, cls);
    rg_setattr(a, "a", a);
    rg_decref(a);
    CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 1);
    CU_ASSERT_EQUAL(rg_refcount(cls), 1);
    /* a class whose attribute is its instance: class and instance together */
    a = rg_instance_new(h, cls);
    rg_setattr_new(cls, "singleton", a);
    rg_decref(cls);
    CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 2);
    heap_end(h);
}

static void test_list_tuple_cycle(void) {
    rg_heap *h = heap_new();
    rg_object *l = rg_list_new(h);
    rg_object *t = rg_tuple_pack(h, 1, l);
    rg_list_append_new(l, t);
    rg_decref(l);
    CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 2);
    heap_end(h);
}

static void test_cycle_through_intermediate(void) {
    rg_heap *h = heap_new();
    /* instance -> "bound method" (a tuple holding the instance) -> instance */
    rg_object *cls = rg_class_new(h, "A");
    rg_object *a = rg_instance_new(h, cls);
    rg_setattr_new(a, "method", rg_tuple_pack(h, 1, a));
    rg_decref(a);
    rg_decref(cls);
    CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 3); /* instance, tuple, and the class only they held */
    heap_end(h);
}

static void test_counts_and_promotion(void) {
    rg_heap *h = heap_new();
    rg_gc_disable(h);
    long c[3];
    rg_object *l = rg_list_new(h);
    CU_ASSERT_EQUAL(rg_gc_generation(l), 0);
    rg_gc_collect(h, 0);
    rg_gc_get_count(h, c);
    CU_ASSERT_EQUAL(c[0], 0);
    CU_ASSERT_EQUAL(c[1], 1);
    CU_ASSERT_EQUAL(c[2], 0);
    CU_ASSERT_EQUAL(rg_gc_generation(l), 1);
    rg_gc_collect(h, 1);
    rg_gc_get_count(h, c);
    CU_ASSERT_EQUAL(c[0], 0);
    CU_ASSERT_EQUAL(c[1], 0);
    CU_ASSERT_EQUAL(c[2], 1);
    CU_ASSERT_EQUAL(rg_gc_generation(l), 2);
    rg_gc_collect(h, 2);
    rg_gc_get_count(h, c);
    CU_ASSERT_EQUAL(c[0], 0);
    CU_ASSERT_EQUAL(c[1], 0);
    CU_ASSERT_EQUAL(c[2], 0);
    CU_ASSERT_EQUAL(rg_gc_generation(l), 2);
    /* allocations count in generation 0, deallocations take back */
    rg_object *x = rg_list_new(h), *y = rg_dict_new(h);
    rg_gc_get_count(h, c);
    CU_ASSERT_EQUAL(c[0], 2);
    rg_decref(x);
    rg_gc_get_count(h, c);
    CU_ASSERT_EQUAL(c[0], 1);
    rg_decref(y);
    rg_decref(l);
    heap_end(h);
}

static void test_stats_exact(void) {
    rg_heap *h = heap_new();
    rg_gc_disable(h);
    rg_gc_genstats before[3], after[3];
    rg_gc_get_stats(h, before);
    rg_decref(cycle_pair(h));
    CU_ASSERT_EQUAL(rg_gc_collect(h, 0), 2);
    rg_gc_get_stats(h, after);
    CU_ASSERT_EQUAL(after[0].collections, before[0].collections + 1);
    CU_ASSERT_EQUAL(after[0].collected, before[0].collected + 2);
    CU_ASSERT_EQUAL(after[0].uncollectable, before[0].uncollectable);
    CU_ASSERT_EQUAL(after[1].collections, before[1].collections);
    CU_ASSERT_EQUAL(after[2].collections, before[2].collections);
    rg_gc_collect(h, 2);
    rg_gc_get_stats(h, after);
    CU_ASSERT_EQUAL(after[2].collections, before[2].collections + 1);
    CU_ASSERT_EQUAL(after[2].collected, before[2].collected);
    heap_end(h);
}

static int count_cb(rg_object *o, void *arg) {
    (void)o;
    (*(size_t *)arg)++;
    return 0;
}

static void test_freeze(void) {
    rg_heap *h = heap_new();
    rg_object *a = cycle_pair(h);
    rg_gc_freeze(h);
    CU_ASSERT_EQUAL(rg_gc_freeze_count(h), 2);
    CU_ASSERT_EQUAL(rg_gc_generation(a), 3);
    rg_decref(a);
    CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 0); /* frozen: ignored */
    size_t n = 0;
    rg_gc_foreach(h, -1, count_cb, &n);
    CU_ASSERT_EQUAL(n, 0); /* nothing in the generations */
    rg_gc_unfreeze(h);
    CU_ASSERT_EQUAL(rg_gc_freeze_count(h), 0);
    CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 2);
    heap_end(h);
}

static void test_is_tracked(void) {
    rg_heap *h = heap_new();
    rg_object *i = rg_int_new(h, 1), *s = rg_str_new(h, "s"), *n = rg_none_new(h);
    rg_object *d = rg_dict_new(h), *l = rg_list_new(h);
    CU_ASSERT(!rg_gc_is_tracked(i) && !rg_gc_is_tracked(s) && !rg_gc_is_tracked(n));
    CU_ASSERT(!rg_gc_is_tracked(d)); /* {} */
    CU_ASSERT(rg_gc_is_tracked(l));  /* [] */
    rg_object *t_atoms = rg_tuple_pack(h, 2, i, s), *t_list = rg_tuple_pack(h, 1, l);
    CU_ASSERT(!rg_gc_is_tracked(t_atoms)); /* (1, "s") */
    CU_ASSERT(rg_gc_is_tracked(t_list));   /* ([],) */
    rg_dict_setstr(d, "l", l);
    CU_ASSERT(rg_gc_is_tracked(d)); /* {"l": []} */
    rg_dict_setstr(d, "l", i);
    CU_ASSERT(rg_gc_is_tracked(d)); /* stays tracked until a full collection */
    rg_gc_collect(h, 1);
    CU_ASSERT(rg_gc_is_tracked(d));
    rg_gc_collect(h, 2);
    CU_ASSERT(!rg_gc_is_tracked(d)); /* only atoms left: untracked */
    rg_object *w = rg_weakref_new(h, l, NULL, NULL);
    CU_ASSERT(rg_gc_is_tracked(w));
    rg_object *objs[] = {i, s, n, d, l, t_atoms, t_list, w};
    for (int k = 0; k < 8; k++) rg_decref(objs[k]);
    heap_end(h);
}

/* A fresh heap's test context (H, saved, fin_calls) and a class whose
 * instances have finalizer fn; the class is the caller's. */
static rg_object *finalizing_class(rg_heap *h, const char *name, void (*fn)(rg_object *)) {
    H = h;
    saved = rg_list_new(h);
    fin_calls = 0;
    rg_object *cls = rg_class_new(h, name);
    rg_class_set_finalizer(cls, fn, 0);
    return cls;
}

static void test_finalizer_runs_once_and_resurrects(void) {
    rg_heap *h = heap_new();
    rg_object *cls = finalizing_class(h, "Phoenix", fin_resurrect);
    rg_object *a = rg_instance_new(h, cls), *b = rg_instance_new(h, cls);
    rg_setattr(a, "other", b);
    rg_setattr(b, "other", a);
    rg_setattr_new(a, "payload", rg_list_new(h)); /* transitive: must survive intact */
    rg_list_append_new(rg_getattr(a, "payload"), rg_int_new(h, 99));
    rg_decref(a);
    rg_decref(b);
    rg_decref(cls);
    CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 0); /* everything resurrected: nothing found */
    CU_ASSERT_EQUAL(fin_calls, 2);
    CU_ASSERT_EQUAL(rg_list_size(saved), 2);
    rg_object *ra = rg_list_get(saved, 0);
    CU_ASSERT(rg_gc_is_finalized(ra));
    rg_object *payload = rg_getattr(rg_list_get(saved, 0), "payload");
    if (!payload) payload = rg_getattr(rg_list_get(saved, 1), "payload");
    CU_ASSERT_PTR_NOT_NULL_FATAL(payload);
    CU_ASSERT_EQUAL(rg_list_size(payload), 1);
    CU_ASSERT_EQUAL(rg_int_value(rg_list_get(payload, 0)), 99);
    rg_gc_genstats st[3];
    rg_gc_get_stats(h, st);
    CU_ASSERT_EQUAL(st[2].collected, 0);
    /* garbage again: the finalizers do not run a second time */
    rg_list_clear(saved);
    CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 4); /* a, b, payload, the class */
    CU_ASSERT_EQUAL(fin_calls, 2);
    rg_decref(saved);
    heap_end(h);
}

/* A finalizer that makes five lists, kept in saved. */
static void fin_make_five(rg_object *self) {
    (void)self;
    fin_calls++;
    for (int i = 0; i < 5; i++) rg_list_append_new(saved, rg_list_new(H));
}

/* Each container freed while a garbage set is deleted at once lowers
 * generation 0's count, as CPython's PyObject_GC_Del does, down to 0. A
 * full collection drains the possible-root buffer first, so its garbage
 * is freed by the delete phase's common path. The count is 0 when the
 * deletion starts (the collection reset it); the first list of the pair
 * is freed at 0, then the second's clear frees the frozen instance both
 * referenced, whose finalizer makes five lists (5), the instance goes
 * (4) and the second list (3). */
static void test_deleting_lowers_young_count(void) {
    rg_heap *h = heap_new();
    rg_object *cls = finalizing_class(h, "Maker", fin_make_five);
    rg_object *f = rg_instance_new(h, cls);
    rg_gc_freeze(h); /* no candidate: freed during the delete phase */
    rg_object *a = cycle_pair(h), *b = rg_list_get(a, 0);
    rg_list_append(a, f);
    rg_list_append(b, f);
    rg_decref(f);
    rg_decref(a);
    CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 2);
    CU_ASSERT_EQUAL(fin_calls, 1);
    long count[RG_GC_GENERATIONS];
    rg_gc_get_count(h, count);
    CU_ASSERT_EQUAL(count[0], 3);
    CU_ASSERT_EQUAL(rg_list_size(saved), 5);
    rg_gc_unfreeze(h);
    rg_decref(cls);
    rg_decref(saved);
    heap_end(h);
}

static void test_resurrection_does_not_block_others(void) {
    rg_heap *h = heap_new();
    rg_object *cls = finalizing_class(h, "Phoenix", fin_resurrect);
    rg_object *a = rg_instance_new(h, cls);
    rg_setattr(a, "self", a);
    rg_decref(a);
    rg_decref(cycle_pair(h)); /* an ordinary cycle beside it */
    CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 2); /* the pair only */
    CU_ASSERT_EQUAL(rg_list_size(saved), 1);
    CU_ASSERT_EQUAL(rg_heap_count_type(h, &rg_list_type), 1); /* saved */
    rg_decref(cls);
    rg_decref(saved);
    heap_end(h);
}

static rg_object *probe_weak;
static int weak_dead_in_finalizer;
static void fin_check_weak(rg_object *self) {
    (void)self;
    fin_calls++;
    weak_dead_in_finalizer = rg_weakref_get(probe_weak) == NULL;
}

static void test_weakrefs_cleared_before_finalizers(void) {
    rg_heap *h = heap_new();
    fin_calls = 0;
    rg_object *cls = rg_class_new(h, "F");
    rg_class_set_finalizer(cls, fin_check_weak, 0);
    rg_object *a = rg_instance_new(h, cls);
    rg_object *l = rg_list_new(h);
    rg_setattr(a, "l", l);
    rg_list_append(l, a);
    probe_weak = rg_weakref_new(h, l, NULL, NULL); /* alive, to garbage */
    rg_decref(a);
    rg_decref(l);
    weak_dead_in_finalizer = 0;
    CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 2);
    CU_ASSERT_EQUAL(fin_calls, 1);
    CU_ASSERT(weak_dead_in_finalizer);
    rg_decref(probe_weak);
    rg_decref(cls);
    heap_end(h);
}

static int wcb_calls;
static int wcb_saw_dead;
static void weak_cb(rg_object *wr, void *ud) {
    (void)ud;
    wcb_calls++;
    wcb_saw_dead = rg_weakref_get(wr) == NULL;
    rg_object *tmp = rg_list_new(rg_object_heap(wr)); /* callbacks may allocate */
    rg_decref(tmp);
}

static void test_weakref_callback_on_garbage(void) {
    rg_heap *h = heap_new();
    rg_object *a = cycle_pair(h);
    rg_object *w = rg_weakref_new(h, a, weak_cb, NULL);
    rg_decref(a);
    wcb_calls = wcb_saw_dead = 0;
    CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 2);
    CU_ASSERT_EQUAL(wcb_calls, 1);
    CU_ASSERT(wcb_saw_dead);
    CU_ASSERT_PTR_NULL(rg_weakref_get(w));
    rg_decref(w);
    heap_end(h);
}

static void test_weakref_callback_in_cycle_not_called(void) {
    rg_heap *h = heap_new();
    rg_object *cls = rg_class_new(h, "C");
    rg_object *a = rg_instance_new(h, cls);
    rg_setattr(a, "self", a);
    rg_setattr_new(a, "wr", rg_weakref_new(h, a, weak_cb, NULL)); /* the weakref is garbage too */
    rg_decref(a);
    wcb_calls = 0;
    CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 2);
    CU_ASSERT_EQUAL(wcb_calls, 0);
    rg_decref(cls);
    heap_end(h);
}

static void test_saveall(void) {
    rg_heap *h = heap_new();
    rg_gc_set_debug(h, RG_GC_DEBUG_SAVEALL);
    rg_object *a = cycle_pair(h);
    uint64_t ida = rg_id(a);
    rg_decref(a);
    CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 2);
    rg_object *g = rg_gc_garbage(h);
    CU_ASSERT_EQUAL(rg_list_size(g), 2); /* exactly the unreachable objects */
    CU_ASSERT(rg_id(rg_list_get(g, 0)) == ida || rg_id(rg_list_get(g, 1)) == ida);
    CU_ASSERT_EQUAL(rg_heap_count_type(h, &rg_list_type), 3);
    rg_gc_set_debug(h, 0);
    rg_list_clear(g);
    CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 2);
    CU_ASSERT_EQUAL(rg_heap_count_type(h, &rg_list_type), 1); /* the garbage list */
    heap_end(h);
}

static void test_legacy_finalizer_uncollectable(void) {
    rg_heap *h = heap_new();
    fin_calls = 0;
    rg_object *cls = rg_class_new(h, "Legacy");
    rg_class_set_finalizer(cls, fin_count, 1);
    rg_object *a = rg_instance_new(h, cls);
    rg_setattr(a, "self", a);
    rg_setattr_new(a, "held", rg_list_new(h)); /* reached from it: uncollectable too */
    rg_decref(a);
    rg_object *l = rg_list_new(h); /* a plain cycle beside it */
    rg_list_append(l, l);
    rg_decref(l);
    CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 3);
    rg_gc_genstats st[3];
    rg_gc_get_stats(h, st);
    CU_ASSERT_EQUAL(st[2].collected, 1);
    CU_ASSERT_EQUAL(st[2].uncollectable, 2);
    rg_object *g = rg_gc_garbage(h);
    CU_ASSERT_EQUAL(rg_list_size(g), 2);
    CU_ASSERT_EQUAL(fin_calls, 0); /* a legacy finalizer never runs in a cycle */
    CU_ASSERT_EQUAL(rg_heap_count_type(h, &rg_instance_type), 1);
    rg_decref(cls);
    heap_end(h); /* teardown frees it all the same */
    CU_ASSERT_EQUAL(fin_calls, 1);
}

typedef struct cb_log {
    int starts, stops;
    rg_gc_info last_start, last_stop;
} cb_log;

static void gc_cb(rg_heap *h, rg_gc_phase phase, const rg_gc_info *info, void *ud) {
    cb_log *log = ud;
    if (phase == RG_GC_START) {
        log->starts++;
        log->last_start = *info;
    } else {
        log->stops++;
        log->last_stop = *info;
    }
    rg_object *tmp = rg_list_new(h); /* callbacks may allocate and free */
    rg_decref(tmp);
    CU_ASSERT_EQUAL(rg_gc_collect(h, 0), 0); /* and call collect: a no-op while running */
}

static void test_callbacks(void) {
    rg_heap *h = heap_new();
    cb_log log = {0};
    CU_ASSERT_EQUAL(rg_gc_callback_add(h, gc_cb, &log), 0);
    rg_object *cls = rg_class_new(h, "Legacy");
    rg_class_set_finalizer(cls, fin_count, 1);
    rg_object *a = rg_instance_new(h, cls);
    rg_setattr(a, "self", a);
    rg_decref(a);
    rg_decref(cycle_pair(h));
    CU_ASSERT_EQUAL(rg_gc_collect(h, 1), 3);
    CU_ASSERT_EQUAL(log.starts, 1);
    CU_ASSERT_EQUAL(log.stops, 1);
    CU_ASSERT_EQUAL(log.last_start.generation, 1);
    CU_ASSERT_EQUAL(log.last_start.collected, 0);
    CU_ASSERT_EQUAL(log.last_stop.generation, 1);
    CU_ASSERT_EQUAL(log.last_stop.collected, 2);
    CU_ASSERT_EQUAL(log.last_stop.uncollectable, 1);
    CU_ASSERT_EQUAL(rg_gc_callback_remove(h, gc_cb, &log), 0);
    CU_ASSERT_EQUAL(rg_gc_callback_remove(h, gc_cb, &log), RG_EKEY);
    rg_gc_collect(h, 2);
    CU_ASSERT_EQUAL(log.starts, 1);
    rg_decref(cls);
    heap_end(h);
}

static void test_finalizer_collects_under_threshold_1(void) {
    rg_heap *h = heap_new();
    fin_calls = 0;
    rg_gc_set_threshold(h, 1, 1, 1);
    rg_object *cls = rg_class_new(h, "Collector");
    rg_class_set_finalizer(cls, fin_collect, 0);
    for (int i = 0; i < 200; i++) {
        rg_object *a = rg_instance_new(h, cls);
        rg_setattr(a, "self", a);
        rg_setattr_new(a, "junk", rg_list_new(h));
        rg_decref(a);
    }
    rg_gc_collect(h, 2);
    CU_ASSERT_EQUAL(fin_calls, 200);
    CU_ASSERT_EQUAL(rg_heap_count_type(h, &rg_instance_type), 0);
    rg_decref(cls);
    heap_end(h);
}

/* A finalizer that makes and drops a cycle, then asks for a collection. */
static void fin_alloc_collect(rg_object *self) {
    fin_calls++;
    rg_object *c = cycle_pair(rg_object_heap(self));
    rg_decref(c);
    CU_ASSERT_EQUAL(rg_gc_collect(rg_object_heap(self), 2), 0); /* a collection is running */
}

/* Plain garbage (lists only) is deleted all at once. What only it held dies
 * with it, and that may run code: here an older instance whose finalizer
 * allocates and collects, and a live weakref's callback. */
static void test_garbage_frees_what_it_held(void) {
    rg_heap *h = heap_new();
    rg_gc_disable(h);
    fin_calls = 0;
    wcb_calls = 0;
    rg_object *cls = rg_class_new(h, "Held");
    rg_class_set_finalizer(cls, fin_alloc_collect, 0);
    rg_object *o = rg_instance_new(h, cls);
    rg_setattr_new(o, "n", rg_int_new(h, 7));
    rg_global_set_new(h, "w", rg_weakref_new(h, o, weak_cb, NULL));
    rg_gc_collect(h, 2);
    CU_ASSERT_EQUAL(rg_gc_generation(o), 2);
    rg_object *a = cycle_pair(h); /* young: a <-> b */
    rg_list_append_new(a, o);     /* a holds the only reference to o */
    rg_list_append_new(a, rg_str_new(h, "only here"));
    rg_decref(a);
    CU_ASSERT_EQUAL(rg_gc_collect(h, 0), 2);
    CU_ASSERT_EQUAL(fin_calls, 1);
    CU_ASSERT_EQUAL(wcb_calls, 1);
    CU_ASSERT(wcb_saw_dead);
    CU_ASSERT_PTR_NULL(rg_weakref_get(rg_global_get(h, "w")));
    CU_ASSERT_EQUAL(rg_heap_count_type(h, &rg_instance_type), 0);
    CU_ASSERT_EQUAL(rg_heap_count_type(h, &rg_str_type), 0);
    CU_ASSERT_EQUAL(rg_heap_count_type(h, &rg_list_type), 2); /* the finalizer's cycle */
    CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 2);
    CU_ASSERT_EQUAL(rg_heap_count_type(h, &rg_list_type), 0);
    rg_decref(cls);
    heap_end(h);
}

static void test_deep_nesting_with_collecting_finalizers(void) {
    rg_heap *h = heap_new();
    fin_calls = 0;
    rg_gc_set_threshold(h, 1, 1, 1);
    rg_object *cls = rg_class_new(h, "Deep");
    rg_class_set_finalizer(cls, fin_collect, 0);
    rg_object *top = rg_instance_new(h, cls), *cur = top;
    for (int i = 0; i < 150; i++) {
        rg_object *next = rg_instance_new(h, cls);
        rg_object *box = rg_list_new(h); /* containers between the instances */
        rg_list_append_new(box, next);
        rg_setattr_new(cur, "child", box);
        cur = next;
    }
    rg_decref(top); /* freed by refcounting, each finalizer collecting */
    CU_ASSERT_EQUAL(fin_calls, 151);
    CU_ASSERT_EQUAL(rg_heap_count_type(h, &rg_instance_type), 0);
    rg_decref(cls);
    heap_end(h);
}

static rg_object *victim;
static void fin_mutate(rg_object *self) {
    (void)self;
    fin_calls++;
    if (victim) rg_list_clear(victim); /* tear another garbage object apart */
}

static void test_finalizer_mutating_cycle(void) {
    rg_heap *h = heap_new();
    fin_calls = 0;
    rg_object *cls = rg_class_new(h, "Mutator");
    rg_class_set_finalizer(cls, fin_mutate, 0);
    rg_object *a = rg_instance_new(h, cls);
    victim = rg_list_new(h);
    rg_setattr(a, "l", victim);
    rg_list_append(victim, a);
    rg_list_append_new(victim, rg_list_new(h));
    rg_decref(a);
    rg_decref(victim);
    /* The finalizer frees all three itself (the list, the inner list, then a
     * as its hold goes): CPython counts only what is left after the
     * finalizers, here nothing, and so returns 0. */
    CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 0);
    CU_ASSERT_EQUAL(fin_calls, 1);
    CU_ASSERT_EQUAL(rg_heap_count_type(h, &rg_list_type), 0);
    victim = NULL;
    rg_decref(cls);
    heap_end(h);
}

static void test_bad_generation(void) {
    rg_heap *h = heap_new();
    size_t n = 0;
    CU_ASSERT_EQUAL(rg_gc_collect(h, 3), RG_EINVAL);
    CU_ASSERT_EQUAL(rg_gc_collect(h, -1), RG_EINVAL);
    CU_ASSERT_EQUAL(rg_gc_foreach(h, 3, count_cb, &n), RG_EINVAL);
    CU_ASSERT_EQUAL(rg_gc_foreach(h, -2, count_cb, &n), RG_EINVAL);
    rg_object *l = rg_list_new(h);
    CU_ASSERT_EQUAL(rg_gc_foreach(h, 0, count_cb, &n), 0);
    CU_ASSERT_EQUAL(n, 1);
    n = 0;
    CU_ASSERT_EQUAL(rg_gc_foreach(h, 1, count_cb, &n), 0);
    CU_ASSERT_EQUAL(n, 0);
    rg_decref(l);
    heap_end(h);
}

static void test_debug_output(void) {
    rg_heap *h = heap_new();
    FILE *f = tmpfile();
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    rg_gc_set_debug_stream(h, f);
    rg_gc_set_debug(h, RG_GC_DEBUG_STATS | RG_GC_DEBUG_COLLECTABLE);
    rg_object *l = rg_list_new(h);
    uint64_t id = rg_id(l);
    rg_list_append(l, l);
    rg_decref(l);
    rg_gc_collect(h, 2);
    rg_gc_set_debug(h, 0);
    char text[2048] = {0};
    rewind(f);
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    char expect[64];
    snprintf(expect, sizeof expect, "gc: collectable <list id %llu>\n", (unsigned long long)id);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "gc: collecting generation 2...\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, expect));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "gc: done, 1 unreachable, 0 uncollectable, "));
    heap_end(h);
}

static void test_automatic_collection(void) {
    rg_heap *h = heap_new();
    CU_ASSERT(rg_gc_isenabled(h));
    rg_gc_set_threshold(h, 10, 10, 10);
    long t[3];
    rg_gc_get_threshold(h, t);
    CU_ASSERT_EQUAL(t[0], 10);
    rg_gc_disable(h);
    for (int i = 0; i < 50; i++) rg_decref(cycle_pair(h));
    rg_gc_genstats st[3];
    rg_gc_get_stats(h, st);
    CU_ASSERT_EQUAL(st[0].collections, 0);
    CU_ASSERT(!rg_gc_isenabled(h));
    rg_gc_enable(h);
    for (int i = 0; i < 50; i++) rg_decref(cycle_pair(h));
    rg_gc_get_stats(h, st);
    CU_ASSERT(st[0].collections >= 5);
    CU_ASSERT(st[0].collected + st[1].collected + st[2].collected >= 100);
    heap_end(h);
}

static void test_long_lived_pending(void) {
    rg_heap *h = heap_new();
    rg_gc_disable(h);
    rg_object *keep = rg_list_new(h);
    for (int i = 0; i < 2000; i++) rg_list_append_new(keep, rg_list_new(h));
    rg_gc_collect(h, 2); /* 2001 long-lived objects */
    rg_gc_set_threshold(h, 10, 1, 1);
    rg_gc_enable(h);
    rg_gc_genstats st0[3], st1[3], st2[3];
    rg_gc_get_stats(h, st0);
    for (int i = 0; i < 200; i++) rg_decref(cycle_pair(h)); /* short-lived garbage */
    rg_gc_get_stats(h, st1);
    CU_ASSERT(st1[1].collections > st0[1].collections);
    CU_ASSERT_EQUAL(st1[2].collections, st0[2].collections); /* full ones wait */
    for (int i = 0; i < 700; i++) rg_list_append_new(keep, rg_list_new(h)); /* survivors */
    rg_gc_get_stats(h, st2);
    CU_ASSERT(st2[2].collections > st1[2].collections); /* 25 % reached: a full one ran */
    rg_decref(keep);
    heap_end(h);
}

static void test_teardown_collects_cycles(void) {
    rg_heap *h = heap_new();
    rg_gc_disable(h);
    rg_frame_push(h, "func");
    rg_local_set_new(h, "a", cycle_pair(h));
    heap_end(h); /* a leaked cycle is not a leak at teardown: collected */
}

/* ---- issue 10: every event that can make garbage is seen ------------------------------- */

/* l = []; l.append(l); del l -- with the C API's stealing call, the
 * caller's reference moves into the list and no count changes. */
static void test_steal_self_cycle(void) {
    rg_heap *h = heap_new();
    rg_gc_disable(h);
    CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 0); /* an idle full collection first */
    rg_object *l = rg_list_new(h);
    CU_ASSERT_EQUAL(rg_list_append_new(l, l), 0);
    CU_ASSERT_EQUAL(rg_gc_collect(h, 0), 1); /* the young collection sees it */
    l = rg_list_new(h);
    rg_list_append_new(l, l);
    CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 1); /* and so does a full one */
    heap_end(h);
}

/* node.children = kids; kids.append(node): both stealing, in generation 2. */
static void test_steal_cycle_old(void) {
    rg_heap *h = heap_new();
    rg_gc_disable(h);
    rg_object *cls = rg_class_new(h, "Node");
    rg_object *node = rg_instance_new(h, cls);
    rg_object *kids = rg_list_new(h);
    CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 0); /* held by us: promoted to generation 2 */
    CU_ASSERT_EQUAL(rg_gc_generation(node), 2);
    rg_setattr_new(node, "children", kids);
    rg_list_append_new(kids, node);
    CU_ASSERT_EQUAL(rg_gc_collect(h, 1), 0); /* neither is young */
    CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 2);
    CU_ASSERT_EQUAL(rg_refcount(cls), 1);
    /* the same through a dict and list_set_new / insert_new */
    rg_object *d = rg_dict_new(h), *l = rg_list_new(h);
    rg_list_append_new(l, rg_none_new(h));
    rg_gc_collect(h, 2);
    rg_dict_setstr_new(d, "l", l);
    rg_list_set_new(l, 0, d);
    CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 2);
    l = rg_list_new(h);
    rg_gc_collect(h, 2);
    rg_list_insert_new(l, 0, l);
    CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 1);
    rg_decref(cls);
    heap_end(h);
}

/* A user type that stores references in its own C code, as a C extension
 * would: the collector cannot see those moves, so it must not rely on them. */
typedef struct pair_obj {
    rg_object ob;
    rg_object *first;
} pair_obj;
static int pair_traverse(rg_object *self, rg_visit_fn visit, void *arg) {
    pair_obj *p = (pair_obj *)self;
    return p->first ? visit(p->first, (rg_label){RG_LABEL_NAME, {.name = "first"}}, arg) : 0;
}
static void pair_clear(rg_object *self) {
    pair_obj *p = (pair_obj *)self;
    rg_object *f = p->first;
    p->first = NULL;
    rg_decref(f);
}
static const rg_type pair_type = {
    .name = "pair",
    .basic_size = sizeof(pair_obj),
    .traverse = pair_traverse,
    .clear = pair_clear,
};

static void test_foreign_steal_cycle(void) {
    rg_heap *h = heap_new();
    rg_gc_disable(h);
    pair_obj *a = (pair_obj *)rg_object_new(h, &pair_type), *b = (pair_obj *)rg_object_new(h, &pair_type);
    CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 0);
    a->first = &b->ob; /* our reference to b, handed over in plain C */
    b->first = &a->ob;
    CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 2);
    heap_end(h);
}

static void fin_log_self(rg_object *self) {
    fin_calls++;
    rg_list_append(rg_getattr(self, "log"), self); /* self.log.append(self) */
}
static void fin_self_a0(rg_object *self) {
    fin_calls++;
    rg_setattr(self, "a0", self); /* self.a0 = self */
}

/* A finalizer run at refcount zero that resurrects its object into a cycle:
 * x.log = []; del x; collect() == 2, as in CPython. */
static void test_resurrect_into_cycle_at_zero(void) {
    rg_heap *h = heap_new();
    rg_gc_disable(h);
    fin_calls = 0;
    rg_object *cls = rg_class_new(h, "D");
    rg_class_set_finalizer(cls, fin_log_self, 0);
    rg_object *x = rg_instance_new(h, cls);
    rg_setattr_new(x, "log", rg_list_new(h));
    rg_decref(x); /* refcount zero: the finalizer resurrects x into x <-> log */
    CU_ASSERT_EQUAL(fin_calls, 1);
    CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 2);
    CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 0);
    CU_ASSERT_EQUAL(rg_heap_count_type(h, &rg_instance_type), 0);
    CU_ASSERT_EQUAL(fin_calls, 1); /* never twice */
    rg_decref(cls);
    heap_end(h); /* no false leak report */
}

/* x.a0 = y; x.a1 = x; del x, y, with a finalizer self.a0 = self: x's
 * finalizer drops y to zero, y's finalizer then resurrects y into a cycle
 * of its own. CPython: 1, then 1 (y), then 0. */
static void test_finalizer_frees_and_resurrects_garbage(void) {
    rg_heap *h = heap_new();
    rg_gc_disable(h);
    fin_calls = 0;
    rg_object *cls = rg_class_new(h, "C");
    rg_class_set_finalizer(cls, fin_self_a0, 0);
    rg_object *x = rg_instance_new(h, cls), *y = rg_instance_new(h, cls);
    rg_setattr(x, "a0", y);
    rg_setattr(x, "a1", x);
    rg_decref(x);
    rg_decref(y);
    CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 1); /* x; y left garbage, not collected */
    rg_gc_genstats st[3];
    rg_gc_get_stats(h, st);
    CU_ASSERT_EQUAL(st[2].collected, 1);
    CU_ASSERT_EQUAL(rg_heap_count_type(h, &rg_instance_type), 1);
    CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 1); /* y, found afterwards */
    CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 0);
    CU_ASSERT_EQUAL(rg_heap_count_type(h, &rg_instance_type), 0);
    CU_ASSERT_EQUAL(fin_calls, 2);
    rg_decref(cls);
    heap_end(h);
}

/* d = {}; d["x"] = []; d["x"] = 1; collect; collect: d is untracked. */
static void test_dict_untracked_after_idle(void) {
    rg_heap *h = heap_new();
    rg_gc_disable(h);
    rg_object *d = rg_dict_new(h);
    CU_ASSERT_EQUAL(rg_gc_is_tracked(d), 0);
    rg_dict_setstr_new(d, "x", rg_list_new(h));
    CU_ASSERT_EQUAL(rg_gc_is_tracked(d), 1);
    rg_gc_collect(h, 2);
    rg_dict_setstr_new(d, "x", rg_int_new(h, 1)); /* frees the list: no decrement to non-zero */
    CU_ASSERT_EQUAL(rg_gc_is_tracked(d), 1); /* as in CPython, until a full collection */
    rg_gc_collect(h, 2);
    rg_gc_collect(h, 2);
    CU_ASSERT_EQUAL(rg_gc_is_tracked(d), 0);
    /* the same after del d["x"] */
    rg_dict_setstr_new(d, "y", rg_list_new(h));
    rg_gc_collect(h, 2);
    rg_object *k = rg_str_new(h, "y");
    rg_dict_del(d, k);
    rg_decref(k);
    rg_gc_collect(h, 2);
    CU_ASSERT_EQUAL(rg_gc_is_tracked(d), 0);
    rg_decref(d);
    heap_end(h);
}

/* a <-> b, and a -> L where L has a legacy finalizer: L is freed when the
 * delete phase clears a, so it is not uncollectable (CPython counts after
 * delete): 2 collected, 0 uncollectable, nothing on the garbage list. */
static void test_legacy_freed_during_delete(void) {
    rg_heap *h = heap_new();
    rg_gc_disable(h);
    fin_calls = 0;
    rg_object *cls = rg_class_new(h, "Legacy");
    rg_class_set_finalizer(cls, fin_count, 1);
    rg_object *a = cycle_pair(h);
    rg_list_append_new(a, rg_instance_new(h, cls));
    rg_decref(a);
    CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 2);
    rg_gc_genstats st[3];
    rg_gc_get_stats(h, st);
    CU_ASSERT_EQUAL(st[2].collected, 2);
    CU_ASSERT_EQUAL(st[2].uncollectable, 0);
    CU_ASSERT_EQUAL(rg_list_size(rg_gc_garbage(h)), 0);
    CU_ASSERT_EQUAL(rg_heap_count_type(h, &rg_instance_type), 0);
    CU_ASSERT_EQUAL(fin_calls, 1); /* it ran when L was freed */
    rg_decref(cls);
    heap_end(h);
}

/* ---- review of issue 10's fix: what a hostile reader found ------------------------------ */

/* def __del__(self): run in a frame of its own, which binds self. */
static void fin_in_frame(rg_object *self) {
    rg_heap *h = rg_object_heap(self);
    fin_calls++;
    rg_frame_push(h, "__del__");
    rg_local_set(h, "self", self);
    rg_global_set(h, "tmp", self);
    rg_global_del(h, "tmp");
    rg_frame_pop(h); /* self's count 2 -> 1: a possible root, freed right after */
}

/* The finalizer's frame makes the dying object a possible root again; it
 * must leave the buffer when it is freed (else a use after free). */
static void test_finalizer_frame_leaves_no_stale_root(void) {
    rg_heap *h = heap_new_each_block();
    rg_gc_disable(h);
    fin_calls = 0;
    rg_object *cls = rg_class_new(h, "C");
    rg_class_set_finalizer(cls, fin_in_frame, 0);
    rg_decref(rg_instance_new(h, cls)); /* x = C(); del x */
    CU_ASSERT_EQUAL(fin_calls, 1);
    for (int i = 0; i < 3000; i++) rg_decref(rg_list_new(h));
    CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 0);
    rg_decref(cls);
    heap_end(h);
}

/* A local whose finalizer calls a function (pushes a frame) while its own
 * frame is popped, eight frames deep: the frame array moves under it. */
static void test_frame_pop_while_finalizer_pushes(void) {
    rg_heap *h = heap_new_each_block();
    fin_calls = 0;
    rg_object *cls = rg_class_new(h, "C");
    rg_class_set_finalizer(cls, fin_in_frame, 0);
    for (int i = 0; i < 8; i++) rg_frame_push(h, "f");
    rg_local_set_new(h, "x", rg_instance_new(h, cls));
    CU_ASSERT_EQUAL(rg_frame_pop(h), 0);
    CU_ASSERT_EQUAL(fin_calls, 1);
    CU_ASSERT_EQUAL(rg_frame_depth(h), 7);
    rg_decref(cls);
    heap_end(h); /* pops the rest */
}

/* Teardown's collections run finalizers that push frames and bind globals:
 * their tables are freed too (every byte back). */
static void test_teardown_frees_roots_finalizers_make(void) {
    rg_heap *h = heap_new_each_block();
    fin_calls = 0;
    rg_object *cls = rg_class_new(h, "C");
    rg_class_set_finalizer(cls, fin_in_frame, 0);
    rg_object *x = rg_instance_new(h, cls);
    rg_setattr(x, "me", x);
    rg_decref(x);
    rg_decref(cls);
    heap_end(h);
    CU_ASSERT_EQUAL(fin_calls, 1);
}

/* Garbage can appear while a collection deletes (a frozen list freed with
 * the garbage held the only reference to a cycle): not a missed object.
 * CPython: 1, then 1. */
static void test_garbage_made_by_delete_is_next_collections(void) {
    rg_heap *h = heap_new();
    rg_gc_disable(h);
    rg_object *f = rg_list_new(h);
    rg_gc_freeze(h);
    rg_object *l = rg_list_new(h);
    rg_list_append(l, l);
    rg_list_append_new(f, l);
    rg_object *g = rg_list_new(h);
    rg_list_append(g, g);
    rg_list_append_new(g, f);
    rg_decref(g);
    CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 1);
    CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 1);
    rg_gc_unfreeze(h);
    heap_end(h);
}

static char cb_order[8];
static size_t cb_n;
static void cb_record(rg_object *wr, void *ud) {
    (void)wr;
    if (cb_n < sizeof cb_order - 1) cb_order[cb_n++] = *(const char *)ud;
}

/* Weakref callbacks run in the order of the garbage, as CPython's: a, b. */
static void test_weakref_callbacks_in_order(void) {
    rg_heap *h = heap_new();
    rg_gc_disable(h);
    cb_n = 0;
    memset(cb_order, 0, sizeof cb_order);
    rg_object *a = cycle_pair(h);
    rg_object *b = rg_list_get(a, 0);
    rg_object *wa = rg_weakref_new(h, a, cb_record, "a");
    rg_object *wb = rg_weakref_new(h, b, cb_record, "b");
    rg_decref(a);
    CU_ASSERT_EQUAL(rg_gc_collect(h, 0), 2);
    CU_ASSERT_STRING_EQUAL(cb_order, "ab");
    rg_decref(wa);
    rg_decref(wb);
    heap_end(h);
}

/* A legacy-finalizer object reached from garbage that a finalizer then
 * resurrects stays uncollectable. CPython (tp_del): 1, garbage 1. */
static void test_legacy_reached_from_resurrected(void) {
    rg_heap *h = heap_new();
    rg_gc_disable(h);
    saved = rg_list_new(h);
    fin_calls = 0;
    rg_object *legacy = rg_class_new(h, "Legacy"), *phoenix = rg_class_new(h, "Phoenix");
    rg_class_set_finalizer(legacy, fin_count, 1);
    rg_class_set_finalizer(phoenix, fin_resurrect, 0);
    rg_object *l = rg_instance_new(h, legacy), *a = rg_instance_new(h, phoenix);
    rg_setattr(l, "ref", l);
    rg_setattr(a, "l", l);
    rg_setattr(a, "me", a);
    rg_decref(l);
    rg_decref(a);
    CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 1);
    rg_gc_genstats st[3];
    rg_gc_get_stats(h, st);
    CU_ASSERT_EQUAL(st[2].uncollectable, 1);
    CU_ASSERT_EQUAL(rg_list_size(rg_gc_garbage(h)), 1);
    CU_ASSERT_EQUAL(rg_list_size(saved), 1);
    rg_decref(legacy);
    rg_decref(phoenix);
    rg_decref(saved);
    heap_end(h);
}

/* CPython's long-lived-pending adds up generation 1's survivors: after a
 * large heap is dropped, new long-lived objects still earn a full
 * collection once they are a quarter of the last full collection's count. */
static void test_long_lived_pending_adds_survivors(void) {
    rg_heap *h = heap_new();
    rg_gc_disable(h);
    rg_object *keep = rg_list_new(h);
    for (int i = 0; i < 100000; i++) rg_list_append_new(keep, rg_list_new(h));
    rg_gc_collect(h, 2); /* long-lived total: 100,001 */
    rg_decref(keep);
    rg_gc_enable(h);
    keep = rg_list_new(h);
    for (int i = 0; i < 120000; i++) rg_list_append_new(keep, rg_list_new(h));
    rg_gc_genstats st[3];
    rg_gc_get_stats(h, st);
    CU_ASSERT(st[2].collections >= 2); /* ours, and at least one automatic */
    rg_decref(keep);
    heap_end(h);
}

static int noop_traverse(rg_object *self, rg_visit_fn visit, void *arg) {
    (void)self;
    (void)visit;
    (void)arg;
    return 0;
}

/* A container type without clear could never release what it holds. */
static void test_container_type_needs_clear(void) {
    rg_heap *h = heap_new();
    static const rg_type bad = {.name = "bad", .basic_size = sizeof(rg_object), .traverse = noop_traverse};
    CU_ASSERT_PTR_NULL(rg_object_new(h, &bad));
    CU_ASSERT_EQUAL(rg_heap_errno(h), RG_EINVAL);
    heap_end(h);
}

/* The garbage list is not an allocation of the program's: after a full
 * collection that fills it, get_count is (0, 0, 0) as in CPython. */
static void test_garbage_list_not_counted(void) {
    rg_heap *h = heap_new();
    rg_gc_disable(h);
    rg_gc_set_debug(h, RG_GC_DEBUG_SAVEALL);
    rg_decref(cycle_pair(h));
    CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 2);
    long count[3];
    rg_gc_get_count(h, count);
    CU_ASSERT(count[0] == 0 && count[1] == 0 && count[2] == 0);
    rg_gc_set_debug(h, 0);
    heap_end(h);
}

#include <signal.h>
/* The collector keeps a candidate's gc_refs in its link's prev until the
 * scan reaches it, so untracking a dict during the scan must not write the
 * next candidate's prev (as rg__list_move would): d (tracked, its values
 * now atoms) is scanned first and untracked, c right after it is held
 * only by us. Were c's count overwritten by a pointer, c would be taken as
 * garbage and freed under us. Both the scan from the possible roots and
 * the full scan (after unfreeze). (A tuple cannot be made so: one is
 * tracked only while an item may be, and its items never change.) */
static int collect_order(rg_object *o, void *arg) {
    rg_object **seen = arg;
    for (int i = 0; i < 8; i++)
        if (!seen[i]) {
            seen[i] = o;
            return 0;
        }
    return 1;
}

static void test_dict_untracked_mid_scan(void) {
    for (int variant = 0; variant < 2; variant++) {
        rg_heap *h = heap_new();
        rg_gc_disable(h);
        rg_object *d = rg_dict_new(h);
        rg_dict_setstr_new(d, "x", rg_list_new(h)); /* tracked: to generation 0's tail */
        rg_object *c = rg_list_new(h);              /* after d */
        rg_object *c2 = rg_list_new(h);             /* and another candidate after c */
        rg_dict_setstr_new(d, "x", rg_int_new(h, 1));
        CU_ASSERT_EQUAL(rg_gc_is_tracked(d), 1);
        /* d, c and c2 possible roots, in that order */
        rg_incref(d);
        rg_decref(d);
        rg_incref(c);
        rg_decref(c);
        rg_incref(c2);
        rg_decref(c2);
        if (variant) { /* every candidate examined: the full scan */
            rg_gc_freeze(h);
            rg_gc_unfreeze(h);
        }
        CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 0);
        CU_ASSERT_EQUAL(rg_gc_is_tracked(d), 0);
        CU_ASSERT_EQUAL(rg_gc_is_tracked(c), 1);
        CU_ASSERT_EQUAL(rg_gc_generation(c), 2);
        CU_ASSERT_EQUAL(rg_gc_generation(c2), 2);
        CU_ASSERT_EQUAL(rg_heap_count_type(h, &rg_list_type), 2);
        CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 0); /* the lists are sound */
        rg_decref(d);
        rg_decref(c);
        rg_decref(c2);
        heap_end(h);
    }
}

/* x, y, r, g on generation 0: y holds x, r (ours) holds y, g is a
 * self-cycle at the tail. The scan moves x and y to unreachable, takes y
 * back from unreachable's tail when it scans r, then x (its only member),
 * and moves g out from young's tail: the survivors reach generation 1 in
 * CPython's order (r, then y and x as found), doubly linked, and g is
 * collected. */
static void test_scan_takes_back_unreachable_tail(void) {
    rg_heap *h = heap_new();
    rg_gc_disable(h);
    rg_object *x = rg_list_new(h), *y = rg_list_new(h), *r = rg_list_new(h), *g = rg_list_new(h);
    rg_list_append_new(y, x);
    rg_list_append_new(r, y);
    rg_list_append(g, g);
    rg_decref(g);
    CU_ASSERT_EQUAL(rg_gc_collect(h, 0), 1);
    rg_object *seen[8] = {0};
    CU_ASSERT_EQUAL(rg_gc_foreach(h, 1, collect_order, seen), 0);
    CU_ASSERT_PTR_EQUAL(seen[0], r);
    CU_ASSERT_PTR_EQUAL(seen[1], y);
    CU_ASSERT_PTR_EQUAL(seen[2], x);
    CU_ASSERT_PTR_NULL(seen[3]);
    /* the list's links are whole: a new object, a collection, the order kept */
    rg_object *z = rg_list_new(h);
    CU_ASSERT_EQUAL(rg_gc_collect(h, 1), 0);
    rg_object *seen2[8] = {0};
    CU_ASSERT_EQUAL(rg_gc_foreach(h, 2, collect_order, seen2), 0);
    CU_ASSERT_PTR_EQUAL(seen2[0], r);
    CU_ASSERT_PTR_EQUAL(seen2[1], y);
    CU_ASSERT_PTR_EQUAL(seen2[2], x);
    CU_ASSERT_PTR_EQUAL(seen2[3], z);
    rg_decref(z);
    rg_decref(r);
    CU_ASSERT_EQUAL(rg_heap_count_type(h, &rg_list_type), 0);
    heap_end(h);
}

/* ---- the possible-root buffer and its ghosts ------------------------------------------ */

/* Makes o a possible root: a decrement to a non-zero count. */
static void record(rg_object *o) {
    rg_incref(o);
    rg_decref(o);
}

/* Makes n ghosts: lists recorded as possible roots, then freed. */
static void make_ghosts(rg_heap *h, size_t n) {
    for (size_t i = 0; i < n; i++) {
        rg_object *o = rg_list_new(h);
        record(o);
        rg_decref(o);
    }
}

/* Allocates and frees lists n times; returns 1 if one of them was given
 * the block at addr. */
static int churn_meets(rg_heap *h, const void *addr, int n) {
    int met = 0;
    for (int i = 0; i < n; i++) {
        rg_object *o = rg_list_new(h);
        if ((const void *)o == addr) met = 1;
        rg_decref(o);
    }
    return met;
}

/* A possible root that dies stays in the buffer's entry as a ghost: the
 * heap's figures say freed (as for an object that was no root), but its
 * block is not reused (not even after the debug quarantine has turned
 * over) until a full collection drops the entry; then it is. */
static void test_ghost_accounted_and_not_reused(void) {
    for (int each_block = 0; each_block < 2; each_block++) {
        rg_heap *h = each_block ? heap_new_each_block() : heap_new();
        rg_gc_disable(h);
        rg_object *a = rg_list_new(h), *b = rg_list_new(h);
        record(a);
        const void *addr = a;
        rg_heap_stats s0, s1, s2;
        rg_heap_get_stats(h, &s0);
        rg_decref(b); /* no root: freed as usual */
        rg_heap_get_stats(h, &s1);
        rg_decref(a); /* a root: a ghost */
        rg_heap_get_stats(h, &s2);
        CU_ASSERT_EQUAL(s0.bytes_in_use - s1.bytes_in_use, s1.bytes_in_use - s2.bytes_in_use);
        CU_ASSERT(s0.bytes_in_use > s1.bytes_in_use);
        CU_ASSERT_EQUAL(s0.live_objects - 1, s1.live_objects);
        CU_ASSERT_EQUAL(s1.live_objects - 1, s2.live_objects);
        /* b's block is cached (a free list, or the debug quarantine), or
         * with one allocator call per block returned; the ghost's is held */
#ifdef RG_DEBUG
        const int b_cached = 1;
#else
        const int b_cached = !each_block;
#endif
        if (b_cached) {
            CU_ASSERT_EQUAL(s1.cached_bytes - s0.cached_bytes, s2.cached_bytes - s1.cached_bytes);
            CU_ASSERT_EQUAL(s0.bytes_in_use + s0.cached_bytes, s2.bytes_in_use + s2.cached_bytes);
        } else {
            CU_ASSERT_EQUAL(s1.cached_bytes, s0.cached_bytes);
            CU_ASSERT_EQUAL(s2.cached_bytes - s1.cached_bytes, s1.bytes_in_use - s2.bytes_in_use);
        }
        /* a stray decref of the ghost is reported, as for any freed object */
        MISUSE.count = 0;
        rg_decref((rg_object *)(uintptr_t)addr);
        CU_ASSERT_EQUAL(MISUSE.count, 1);
        CU_ASSERT_EQUAL(MISUSE.kind, RG_MISUSE_FREED_OBJECT);
        if (!each_block) {
            CU_ASSERT_FALSE(churn_meets(h, addr, 3000));
            CU_ASSERT_EQUAL(rg_gc_collect(h, 1), 0); /* a young collection keeps the buffer */
            CU_ASSERT_FALSE(churn_meets(h, addr, 3000));
            CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 0); /* drops the entry: the block is returned */
            CU_ASSERT_TRUE(churn_meets(h, addr, 3000));
        }
        /* ghosts left at teardown are returned too */
        make_ghosts(h, 100);
        heap_end(h);
    }
}

/* Garbage deleted all at once by a young collection (which keeps the
 * buffer) leaves ghosts of its recorded members, freed once. */
static void test_ghosts_of_garbage_deleted_at_once(void) {
    rg_heap *h = heap_new_each_block();
    rg_gc_disable(h);
    rg_object *a = cycle_pair(h); /* b recorded */
    rg_decref(a);                 /* a recorded */
    rg_object *t = rg_tuple_pack(h, 1, rg_list_new(h)); /* a tuple holding a list */
    rg_decref(rg_tuple_get(t, 0));
    rg_list_append(rg_tuple_get(t, 0), t); /* a cycle through it, recorded */
    rg_decref(t);
    rg_heap_stats s0, s1;
    rg_heap_get_stats(h, &s0);
    CU_ASSERT_EQUAL(rg_gc_collect(h, 0), 4);
    rg_heap_get_stats(h, &s1);
    CU_ASSERT_EQUAL(s0.live_objects - 4, s1.live_objects);
    CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 0);
    CU_ASSERT_EQUAL(MISUSE.count, 0);
    heap_end(h);
}

/* The buffer full of ghosts is compacted, not overflowed: a full
 * collection then still starts from the possible roots (it examines only
 * what they reach, not the 20,000 other tracked objects), and finds the
 * garbage recorded after. Without compaction (its bound is 65,536 entries
 * here) the buffer would overflow and the collection examine everything. */
static void test_buffer_compacts_ghosts(void) {
    rg_heap *h = heap_new();
    rg_gc_disable(h);
    enum { N = 20000 };
    rg_object *keep = rg_list_new(h);
    for (int i = 0; i < N; i++) rg_list_append_new(keep, rg_list_new(h));
    CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 0);
    make_ghosts(h, 70000);
    rg_object *a = cycle_pair(h);
    rg_decref(a);
    rg_gc_genstats before[RG_GC_GENERATIONS], after[RG_GC_GENERATIONS];
    rg_gc_get_stats(h, before);
    CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 2);
    rg_gc_get_stats(h, after);
    CU_ASSERT(after[2].examined - before[2].examined < 100);
    rg_decref(keep);
    heap_end(h);
}

/* Live roots filling more than half of the buffer (its bound: 65,536
 * entries, 130,000 tracked objects) make it overflow even after
 * compacting; fewer are kept, with the ghosts dropped. Either way the next
 * full collection finds the garbage: from the roots when the buffer held
 * (examining about what they reach), by examining everything after an
 * overflow, which drops the records made since. */
static void test_buffer_overflows_only_when_live_roots_fill_it(void) {
    enum { N = 130000 };
    static const size_t live_roots[2] = {30000, 40000};
    for (int k = 0; k < 2; k++) {
        rg_heap *h = heap_new();
        rg_gc_disable(h);
        rg_object *keep = rg_list_new(h);
        for (int i = 0; i < N; i++) rg_list_append_new(keep, rg_list_new(h));
        CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 0); /* all clean: touches record nothing */
        for (size_t i = 0; i < live_roots[k]; i++) {
            rg_object *o = rg_list_get(keep, (ptrdiff_t)i);
            rg_list_append(o, o); /* a store makes it unclean */
            rg_decref(rg_list_pop(o, -1)); /* a decrement to non-zero: recorded */
        }
        make_ghosts(h, 65536 - live_roots[k] + 1); /* the buffer fills: compacted */
        rg_object *a = cycle_pair(h);
        rg_decref(a);
        rg_gc_genstats before[RG_GC_GENERATIONS], after[RG_GC_GENERATIONS];
        rg_gc_get_stats(h, before);
        CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 2);
        rg_gc_get_stats(h, after);
        size_t examined = after[2].examined - before[2].examined;
        if (k == 0) {
            CU_ASSERT(examined < live_roots[k] + 100);
        } else {
            CU_ASSERT(examined > N);
        }
        rg_decref(keep);
        heap_end(h);
    }
}

#ifdef RG_DEBUG
#include <sys/wait.h>
#include <unistd.h>
/* The debug check is not a formality: garbage hidden from the collector by
 * a reference dropped behind the heap's back makes a full collection abort. */
static void test_debug_check_catches_missed_garbage(void) {
    fflush(NULL);
    pid_t pid = fork();
    CU_ASSERT_FATAL(pid >= 0);
    if (pid == 0) {
        rg_heap *h = rg_heap_new();
        FILE *quiet = fopen("/dev/null", "w");
        rg_gc_set_debug_stream(h, quiet);
        rg_object *l = rg_list_new(h);
        rg_list_append(l, l);
        l->refcnt--; /* our reference, gone without the heap hearing of it */
        rg_gc_collect(h, 2);
        _exit(0); /* not reached if the check works */
    }
    int status = 0;
    waitpid(pid, &status, 0);
    CU_ASSERT(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
}
#endif

int main(void) {
    static const test_case cases[] = {
        {"list self-cycle", test_list_self_cycle},
        {"dict self-cycle", test_dict_self_cycle},
        {"instance self-cycle", test_instance_self_cycle},
        {"list-tuple cycle", test_list_tuple_cycle},
        {"cycle through an intermediate object", test_cycle_through_intermediate},
        {"counts and promotion", test_counts_and_promotion},
        {"stats increment exactly", test_stats_exact},
        {"freeze", test_freeze},
        {"is_tracked", test_is_tracked},
        {"finalizer once, resurrection transitive", test_finalizer_runs_once_and_resurrects},
        {"resurrection does not block others", test_resurrection_does_not_block_others},
        {"weakrefs cleared before finalizers", test_weakrefs_cleared_before_finalizers},
        {"weakref callback on garbage", test_weakref_callback_on_garbage},
        {"weakref callback in a cycle", test_weakref_callback_in_cycle_not_called},
        {"SAVEALL", test_saveall},
        {"legacy finalizer uncollectable", test_legacy_finalizer_uncollectable},
        {"callbacks and their counts", test_callbacks},
        {"finalizer collects under threshold 1", test_finalizer_collects_under_threshold_1},
        {"150-deep nesting with collecting finalizers", test_deep_nesting_with_collecting_finalizers},
        {"finalizer mutating a cycle", test_finalizer_mutating_cycle},
        {"garbage frees what only it held", test_garbage_frees_what_it_held},
        {"bad generation", test_bad_generation},
        {"debug output", test_debug_output},
        {"automatic collection", test_automatic_collection},
        {"long-lived-pending rule", test_long_lived_pending},
        {"teardown collects cycles", test_teardown_collects_cycles},
        {"stealing call: self-cycle", test_steal_self_cycle},
        {"stealing calls: old cycle", test_steal_cycle_old},
        {"user type moving references in C", test_foreign_steal_cycle},
        {"finalizer at zero resurrects into a cycle", test_resurrect_into_cycle_at_zero},
        {"finalizer frees and resurrects garbage", test_finalizer_frees_and_resurrects_garbage},
        {"dict untracked after an idle collection", test_dict_untracked_after_idle},
        {"legacy finalizer freed during delete", test_legacy_freed_during_delete},
        {"finalizer's frame leaves no stale root", test_finalizer_frame_leaves_no_stale_root},
        {"frame pop while a finalizer pushes", test_frame_pop_while_finalizer_pushes},
        {"teardown frees roots that finalizers make", test_teardown_frees_roots_finalizers_make},
        {"garbage made by delete is the next collection's", test_garbage_made_by_delete_is_next_collections},
        {"weakref callbacks in order", test_weakref_callbacks_in_order},
        {"legacy reached from resurrected garbage", test_legacy_reached_from_resurrected},
        {"long-lived-pending adds survivors", test_long_lived_pending_adds_survivors},
        {"container type needs clear", test_container_type_needs_clear},
        {"garbage list not counted", test_garbage_list_not_counted},
        {"dict untracked in the middle of a scan", test_dict_untracked_mid_scan},
        {"scan takes back unreachable's tail", test_scan_takes_back_unreachable_tail},
        {"a dead possible root is a ghost until a full collection", test_ghost_accounted_and_not_reused},
        {"ghosts of garbage deleted at once", test_ghosts_of_garbage_deleted_at_once},
        {"the buffer compacts its ghosts", test_buffer_compacts_ghosts},
        {"deleting garbage lowers generation 0's count", test_deleting_lowers_young_count},
        {"the buffer overflows only when live roots fill it", test_buffer_overflows_only_when_live_roots_fill_it},
#ifdef RG_DEBUG
        {"debug check catches missed garbage", test_debug_check_catches_missed_garbage},
#endif
        {NULL, NULL},
    };
    return run_suite("gc", cases);
}
