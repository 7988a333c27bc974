/* test_gc_diffregress.c — regression tests for differences from CPython that
 * the differential test (tests/gcdiff) found and that were bugs of the
 * collector, each the shrunk program written against the C API, with what
 * CPython 3.11 does in the comment. */
#include <stdarg.h>

#include "testheap.h"

/* gc.collect(0); gc.freeze(); gc.get_count() -> (0, 0, 0): freezing restarts
 * every generation's count, not only generation 0's. */
static void test_freeze_resets_every_count(void) {
    rg_heap *h = heap_new();
    rg_gc_disable(h);
    rg_gc_collect(h, 0);
    rg_gc_collect(h, 0);
    rg_gc_collect(h, 1);
    rg_gc_collect(h, 0);
    long c[RG_GC_GENERATIONS];
    rg_gc_get_count(h, c);
    CU_ASSERT(c[0] == 0 && c[1] == 1 && c[2] == 1);
    rg_gc_freeze(h);
    rg_gc_get_count(h, c);
    CU_ASSERT(c[0] == 0 && c[1] == 0 && c[2] == 0);
    heap_end(h);
}

/* A log of finalizer and callback calls: "f<id>" and "c<id>". */
static char LOG[256];
static void log_add(char kind, const rg_object *o) {
    size_t n = strlen(LOG);
    snprintf(LOG + n, sizeof LOG - n, "%s%c%llu", n ? " " : "", kind, (unsigned long long)rg_id(o));
}
static void fin_log(rg_object *self) { log_add('f', self); }
static void cb_log(rg_object *wr, void *ud) {
    (void)ud;
    log_add('c', wr);
}
static char *expect(const char *fmt, ...) {
    static char buf[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return buf;
}

/* l = [x, wl] where wl = [weakref(x, cb)]; del x, wl, w; del l.
 * CPython frees l's items last to first, each with all it frees before the
 * next: wl (and the weakref in it) dies before x, so no callback runs.
 * refgraph queued both and freed x first: the callback ran. */
static void test_referents_die_depth_first(void) {
    rg_heap *h = heap_new();
    rg_gc_disable(h);
    LOG[0] = 0;
    rg_object *cls = rg_class_new(h, "C");
    rg_class_set_finalizer(cls, fin_log, 0);
    rg_object *x = rg_instance_new(h, cls), *l = rg_list_new(h), *wl = rg_list_new(h);
    rg_object *w = rg_weakref_new(h, x, cb_log, NULL);
    unsigned long long xi = rg_id(x);
    rg_list_append_new(wl, w);
    rg_list_append_new(l, x);
    rg_list_append_new(l, wl);
    rg_decref(l);
    CU_ASSERT_STRING_EQUAL(LOG, expect("f%llu", xi));
    rg_decref(cls);
    heap_end(h);
}

/* x.a1 = y (both with a logging finalizer), w = weakref(x, cb); del x.
 * CPython: x's finalizer, then the callbacks of its weakrefs, then its
 * attributes are released (y's finalizer): the order depth-first release
 * must keep (run late, the callback came after y's finalizer). */
static void test_callbacks_before_referents(void) {
    rg_heap *h = heap_new();
    rg_gc_disable(h);
    LOG[0] = 0;
    rg_object *cls = rg_class_new(h, "C");
    rg_class_set_finalizer(cls, fin_log, 0);
    rg_object *x = rg_instance_new(h, cls), *y = rg_instance_new(h, cls);
    rg_object *w = rg_weakref_new(h, x, cb_log, NULL);
    unsigned long long xi = rg_id(x), yi = rg_id(y), wi = rg_id(w);
    rg_setattr_new(x, "a1", y);
    rg_decref(x);
    CU_ASSERT_STRING_EQUAL(LOG, expect("f%llu c%llu f%llu", xi, wi, yi));
    rg_decref(w);
    rg_decref(cls);
    heap_end(h);
}

/* CPython's deallocation order, depth first: a list releases its items
 * last to first, a tuple too, an instance its attributes first to last,
 * each referent with all it frees before the next. l = [[c], b]: b's
 * finalizer, then c's (refgraph's worklist ran c's first); t = (x, y): y,
 * then x; o.a0 = p, o.a1 = q: o, p, q. */
static void test_release_orders(void) {
    rg_heap *h = heap_new();
    rg_gc_disable(h);
    LOG[0] = 0;
    rg_object *cls = rg_class_new(h, "C");
    rg_class_set_finalizer(cls, fin_log, 0);
    rg_object *l = rg_list_new(h), *inner = rg_list_new(h);
    rg_object *c = rg_instance_new(h, cls), *b = rg_instance_new(h, cls);
    unsigned long long ci = rg_id(c), bi = rg_id(b);
    rg_list_append_new(inner, c);
    rg_list_append_new(l, inner);
    rg_list_append_new(l, b);
    rg_decref(l);
    CU_ASSERT_STRING_EQUAL(LOG, expect("f%llu f%llu", bi, ci));

    LOG[0] = 0;
    rg_object *x = rg_instance_new(h, cls), *y = rg_instance_new(h, cls);
    unsigned long long xi = rg_id(x), yi = rg_id(y);
    rg_object *t = rg_tuple_pack(h, 2, x, y);
    rg_decref(x);
    rg_decref(y);
    rg_decref(t);
    CU_ASSERT_STRING_EQUAL(LOG, expect("f%llu f%llu", yi, xi));

    LOG[0] = 0;
    rg_object *o = rg_instance_new(h, cls), *p = rg_instance_new(h, cls), *q = rg_instance_new(h, cls);
    unsigned long long oi = rg_id(o), pi = rg_id(p), qi = rg_id(q);
    rg_setattr_new(o, "a0", p);
    rg_setattr_new(o, "a1", q);
    rg_decref(o);
    CU_ASSERT_STRING_EQUAL(LOG, expect("f%llu f%llu f%llu", oi, pi, qi));
    rg_decref(cls);
    heap_end(h);
}

/* d = {}; d["k1"] = d; del d; gc.collect() -> 1, written with the
 * stealing call: the dict was untracked when its reference was handed
 * over, so no possible root was recorded and the cycle was never found. */
static void test_dict_stolen_into_itself(void) {
    rg_heap *h = heap_new();
    rg_gc_disable(h);
    rg_object *d = rg_dict_new(h);
    CU_ASSERT_EQUAL(rg_dict_setstr_new(d, "k1", d), 0);
    CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 1);
    rg_object *e = rg_dict_new(h), *k = rg_str_new(h, "k");
    CU_ASSERT_EQUAL(rg_dict_set_new(e, k, e), 0);
    rg_decref(k);
    CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 1);
    heap_end(h);
}

/* A finalizer that binds a global (global gk; gk = self), run by the
 * collections of heap teardown: the globals had been dropped before them,
 * so the resurrected object was reported as a leak though the program
 * released everything. */
static void fin_bind_global(rg_object *self) { rg_global_set(rg_object_heap(self), "gk", self); }

static void test_teardown_resurrection_into_global(void) {
    rg_heap *h = heap_new();
    rg_gc_disable(h);
    rg_object *cls = rg_class_new(h, "C4");
    rg_class_set_finalizer(cls, fin_bind_global, 0);
    rg_object *x = rg_instance_new(h, cls);
    rg_setattr(x, "a0", x); /* a cycle: only a collection finds it */
    rg_decref(x);
    rg_gc_freeze(h); /* so that only teardown's collections do */
    rg_decref(cls);
    heap_end(h); /* leaks 0 */
    CU_ASSERT_EQUAL(MISUSE.count, 0);
}

/* x = C3() (finalizer: self.a2 = self); gc.freeze(); del x;
 * gc.collect() -> 1: CPython tracks an object into generation 0 to run its
 * finalizer at refcount zero, so what it resurrects is no longer frozen.
 * refgraph put it back into the permanent generation: never collected. */
static void fin_self_cycle(rg_object *self) { rg_setattr(self, "a2", self); }

static void test_resurrected_frozen_object_is_young(void) {
    rg_heap *h = heap_new();
    rg_gc_disable(h);
    rg_object *cls = rg_class_new(h, "C3");
    rg_class_set_finalizer(cls, fin_self_cycle, 0);
    rg_object *x = rg_instance_new(h, cls);
    rg_gc_freeze(h);
    CU_ASSERT_EQUAL(rg_gc_generation(x), 3);
    rg_decref(x); /* the finalizer resurrects it into a cycle */
    CU_ASSERT_EQUAL(rg_gc_freeze_count(h), 1); /* only the class */
    CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 1);
    rg_decref(cls);
    heap_end(h);
}

/* keep = [x]; x.a0 = y; del x, y; keep.clear(), y's finalizer doing
 * keep.append(self): CPython's list.clear detaches the items before
 * dropping them, so y stays in keep. refgraph popped items one at a time
 * and dropped y too. */
static rg_object *KEEP;
static void fin_keep(rg_object *self) { rg_list_append(KEEP, self); }

static void test_list_clear_keeps_appended(void) {
    rg_heap *h = heap_new();
    rg_gc_disable(h);
    KEEP = rg_list_new(h);
    rg_object *plain = rg_class_new(h, "C0"), *cls = rg_class_new(h, "C2");
    rg_class_set_finalizer(cls, fin_keep, 0);
    rg_object *x = rg_instance_new(h, plain), *y = rg_instance_new(h, cls);
    rg_setattr_new(x, "a0", y);
    rg_list_append_new(KEEP, x);
    CU_ASSERT_EQUAL(rg_list_clear(KEEP), 0);
    CU_ASSERT_EQUAL(rg_list_size(KEEP), 1);
    CU_ASSERT_PTR_EQUAL(rg_list_get(KEEP, 0), y);
    rg_decref(KEEP);
    rg_decref(plain);
    rg_decref(cls);
    heap_end(h);
}

/* x = C3() (finalizer: self.a2 = self); w = weakref(x, cb); gc.freeze();
 * del x (resurrected, young again); gc.collect(0) finds x and runs w's
 * callback: CPython moves every weakref whose callback it runs into the
 * collection's old generation, here out of the permanent one, so a later
 * full collection finds w too when it is garbage. refgraph left it frozen. */
static void noop_cb(rg_object *wr, void *ud) {
    (void)wr;
    (void)ud;
}

static void test_weakref_with_callback_joins_old(void) {
    rg_heap *h = heap_new();
    rg_gc_disable(h);
    rg_object *cls = rg_class_new(h, "C3");
    rg_class_set_finalizer(cls, fin_self_cycle, 0);
    rg_object *x = rg_instance_new(h, cls);
    rg_object *w = rg_weakref_new(h, x, noop_cb, NULL);
    rg_gc_freeze(h);
    rg_decref(x);
    CU_ASSERT_EQUAL(rg_gc_generation(w), 3);
    CU_ASSERT_EQUAL(rg_gc_collect(h, 0), 1);
    CU_ASSERT_EQUAL(rg_gc_generation(w), 1);
    CU_ASSERT_EQUAL(rg_gc_freeze_count(h), 1); /* only the class */
    rg_decref(w);
    rg_decref(cls);
    heap_end(h);
}

int main(void) {
    static const test_case cases[] = {
        {"freeze restarts every generation's count", test_freeze_resets_every_count},
        {"referents die depth first", test_referents_die_depth_first},
        {"weakref callbacks run before the referents are released", test_callbacks_before_referents},
        {"a dict stolen into itself is collected", test_dict_stolen_into_itself},
        {"a finalizer binding a global at teardown leaks nothing", test_teardown_resurrection_into_global},
        {"what a finalizer resurrects is no longer frozen", test_resurrected_frozen_object_is_young},
        {"what a finalizer appends during list clear stays", test_list_clear_keeps_appended},
        {"a weakref whose callback runs joins the old generation", test_weakref_with_callback_joins_old},
        {"referents are released in CPython's order", test_release_orders},
        {NULL, NULL},
    };
    return run_suite("gc_diffregress", cases);
}
