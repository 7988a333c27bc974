/* test_instance.c — instances' attributes: the layouts (values shared with
 * the class's keys, or a table of the instance's own) and every fallback,
 * seen through what users see: get/set/del, the order and labels traverse
 * gives (the dump's), and the exact sizes (rg_sizeof and the heap's bytes).
 * The size rules are docs/heap.md's, "Object layout": an instance is 64
 * bytes with up to 2 values inline; more go in a values buffer of 4, 8, 16
 * or 30 slots of 8 bytes; an instance that falls back owns a buffer of
 * (name, value) pairs, 16 bytes a slot, 4 slots at least, doubling. The
 * class owns its keys: 4, 8, 16 or 30 slots of 8 bytes. */
#include "testheap.h"


#define KEYS_MAX 30

/* Slots for n keys or values: 4, 8, 16, then 30. */
static size_t slots(size_t n) {
    size_t c = 4;
    while (c < n) c *= 2;
    return c > KEYS_MAX ? KEYS_MAX : c;
}

/* The size of a split instance whose last value is at position len - 1. */
static size_t split_size(size_t len) { return INST_BYTES + (len > 2 ? slots(len) * 8 : 0); }

/* The size of a fallback instance whose table has room for cap pairs. */
static size_t dict_size(size_t cap) { return INST_BYTES + cap * 16; }

/* ---- what traverse shows ---------------------------------------------------------- */

typedef struct seen {
    int n;
    char names[128][16];
    rg_object *values[128];
} seen;

static int record(rg_object *target, rg_label label, void *arg) {
    seen *s = arg;
    if (s->n >= 128) return 1;
    char buf[16];
    rg_label_format(label, buf, sizeof buf);
    if (!strcmp(buf, "__class__")) return 0;
    snprintf(s->names[s->n], sizeof s->names[s->n], "%s", buf);
    s->values[s->n++] = target;
    return 0;
}

/* The attribute names, space-separated, in traverse's order (the dump's). */
static const char *names_of(rg_object *o) {
    static char out[2048];
    static seen s;
    s.n = 0;
    out[0] = '\0';
    CU_ASSERT_EQUAL(rg_traverse(o, record, &s), 0);
    size_t k = 0;
    for (int i = 0; i < s.n; i++) k += (size_t)snprintf(out + k, sizeof out - k, "%s%s", i ? " " : "", s.names[i]);
    return out;
}

static size_t heap_bytes(rg_heap *h) {
    rg_heap_stats s;
    rg_heap_get_stats(h, &s);
    return s.bytes_in_use;
}

static int set_int(rg_object *o, const char *name, long v) {
    return rg_setattr_new(o, name, rg_int_new(rg_object_heap(o), v));
}

/* ---- layouts ---------------------------------------------------------------------- */

/* 0, 1, 2, 4 and 100 attributes: values, order, labels and sizes, each step
 * matching the heap's own accounting. */
static void test_counts(void) {
    static const int counts[] = {0, 1, 2, 4, 100};
    for (size_t c = 0; c < sizeof counts / sizeof *counts; c++) {
        rg_heap *h = heap_new();
        rg_object *cls = rg_class_new(h, "C");
        rg_object *v = rg_int_new(h, 7); /* every attribute's value: no new object */
        size_t cls0 = rg_sizeof(cls), b0 = heap_bytes(h);
        rg_object *o = rg_instance_new(h, cls);
        CU_ASSERT_EQUAL(rg_sizeof(o), INST_BYTES);
        CU_ASSERT_EQUAL(heap_bytes(h) - b0, BLOCK(INST_BYTES));
        char expect[2048] = "";
        size_t k = 0;
        for (int i = 0; i < counts[c]; i++) {
            char name[16];
            snprintf(name, sizeof name, "a%d", i);
            CU_ASSERT_EQUAL_FATAL(rg_setattr(o, name, v), 0);
            k += (size_t)snprintf(expect + k, sizeof expect - k, "%s%s", i ? " " : "", name);
            size_t n = (size_t)i + 1;
            size_t want = n <= KEYS_MAX ? split_size(n) : dict_size(n <= 60 ? 60 : 120);
            CU_ASSERT_EQUAL(rg_sizeof(o), want);
            size_t keys = slots(n < KEYS_MAX ? n : KEYS_MAX) * 8;
            CU_ASSERT_EQUAL(rg_sizeof(cls), cls0 + keys);
            /* The heap's bytes: the instance, the class's keys (the
             * interned names are the heap's own, outside any object). */
            rg_heap_stats s;
            rg_heap_get_stats(h, &s);
            CU_ASSERT(s.bytes_in_use - b0 >= want + keys);
        }
        CU_ASSERT_STRING_EQUAL(names_of(o), expect);
        for (int i = 0; i < counts[c]; i++) {
            char name[16];
            snprintf(name, sizeof name, "a%d", i);
            CU_ASSERT_PTR_EQUAL(rg_getattr(o, name), v);
        }
        CU_ASSERT_PTR_NULL(rg_getattr(o, "absent"));
        CU_ASSERT_EQUAL(rg_refcount(v), 1 + (uint32_t)counts[c]);
        rg_decref(o);
        CU_ASSERT_EQUAL(rg_refcount(v), 1);
        rg_decref(v);
        rg_decref(cls);
        heap_end(h);
    }
}

/* The heap's bytes move exactly as rg_sizeof says, once the names are
 * interned and the class's keys are in place. */
static void test_bytes_exact(void) {
    rg_heap *h = heap_new();
    rg_object *cls = rg_class_new(h, "C");
    rg_object *v = rg_int_new(h, 7);
    rg_object *first = rg_instance_new(h, cls);
    for (int i = 0; i < 5; i++) {
        char name[16];
        snprintf(name, sizeof name, "a%d", i);
        rg_setattr(first, name, v); /* interns the names, grows the keys */
    }
    size_t b0 = heap_bytes(h);
    rg_object *o = rg_instance_new(h, cls);
    static const char *names[] = {"a0", "a1", "a2", "a3", "a4"};
    /* 2 values inline, then a buffer of 4 slots (32 bytes), then of 8 */
    static const size_t buffer[] = {0, 0, 32, 32, 64};
    CU_ASSERT_EQUAL(heap_bytes(h) - b0, BLOCK(INST_BYTES));
    for (int i = 0; i < 5; i++) {
        rg_setattr(o, names[i], v);
        CU_ASSERT_EQUAL(rg_sizeof(o), INST_BYTES + buffer[i]);
        CU_ASSERT_EQUAL(heap_bytes(h) - b0, BLOCK(INST_BYTES) + buffer[i]);
    }
    /* A delete keeps the buffer, as a list keeps its capacity. */
    CU_ASSERT_EQUAL(rg_delattr(o, "a4"), 0);
    CU_ASSERT_EQUAL(heap_bytes(h) - b0, BLOCK(INST_BYTES) + 64);
    /* Re-set out of order: the table of its own, 4 pairs in 8 slots. */
    CU_ASSERT_EQUAL(rg_delattr(o, "a1"), 0);
    CU_ASSERT_EQUAL(rg_setattr(o, "a1", v), 0);
    CU_ASSERT_STRING_EQUAL(names_of(o), "a0 a2 a3 a1");
    CU_ASSERT_EQUAL(rg_sizeof(o), dict_size(4));
    CU_ASSERT_EQUAL(heap_bytes(h) - b0, BLOCK(INST_BYTES) + 4 * 16);
    rg_decref(o); /* its bytes back: heap_end checks */
    rg_decref(first);
    rg_decref(v);
    rg_decref(cls);
    heap_end(h);
}

/* Set, delete, re-set: the order is the order of setting, as today's
 * per-instance tables (and CPython) give. */
static void test_set_del_reset(void) {
    rg_heap *h = heap_new();
    rg_object *cls = rg_class_new(h, "C");
    rg_object *o = rg_instance_new(h, cls);
    CU_ASSERT_EQUAL(set_int(o, "a", 1), 0);
    CU_ASSERT_EQUAL(set_int(o, "b", 2), 0);
    CU_ASSERT_EQUAL(set_int(o, "c", 3), 0);
    CU_ASSERT_STRING_EQUAL(names_of(o), "a b c");
    CU_ASSERT_EQUAL(rg_sizeof(o), split_size(3));
    CU_ASSERT_EQUAL(set_int(o, "b", 20), 0); /* rebinding keeps the place */
    CU_ASSERT_STRING_EQUAL(names_of(o), "a b c");
    CU_ASSERT_EQUAL(rg_int_value(rg_getattr(o, "b")), 20);
    /* Delete the last, re-set it: still in order, still shared. */
    CU_ASSERT_EQUAL(rg_delattr(o, "c"), 0);
    CU_ASSERT_PTR_NULL(rg_getattr(o, "c"));
    CU_ASSERT_EQUAL(rg_delattr(o, "c"), RG_EKEY);
    CU_ASSERT_STRING_EQUAL(names_of(o), "a b");
    CU_ASSERT_EQUAL(set_int(o, "c", 30), 0);
    CU_ASSERT_STRING_EQUAL(names_of(o), "a b c");
    CU_ASSERT_EQUAL(rg_sizeof(o), split_size(3));
    /* Delete the middle: a hole, the others keep their order. */
    CU_ASSERT_EQUAL(rg_delattr(o, "b"), 0);
    CU_ASSERT_STRING_EQUAL(names_of(o), "a c");
    CU_ASSERT_PTR_NULL(rg_getattr(o, "b"));
    CU_ASSERT_EQUAL(rg_delattr(o, "b"), RG_EKEY);
    CU_ASSERT_EQUAL(rg_sizeof(o), split_size(3));
    /* Re-set it: it comes last now, so the instance falls back. */
    CU_ASSERT_EQUAL(set_int(o, "b", 200), 0);
    CU_ASSERT_STRING_EQUAL(names_of(o), "a c b");
    CU_ASSERT_EQUAL(rg_sizeof(o), dict_size(4));
    CU_ASSERT_EQUAL(rg_int_value(rg_getattr(o, "a")), 1);
    CU_ASSERT_EQUAL(rg_int_value(rg_getattr(o, "b")), 200);
    CU_ASSERT_EQUAL(rg_int_value(rg_getattr(o, "c")), 30);
    /* And the fallback table behaves as the shared one did. */
    CU_ASSERT_EQUAL(rg_delattr(o, "a"), 0);
    CU_ASSERT_EQUAL(rg_delattr(o, "a"), RG_EKEY);
    CU_ASSERT_EQUAL(set_int(o, "a", 1000), 0);
    CU_ASSERT_STRING_EQUAL(names_of(o), "c b a");
    CU_ASSERT_EQUAL(set_int(o, "c", 3000), 0);
    CU_ASSERT_STRING_EQUAL(names_of(o), "c b a");
    CU_ASSERT_EQUAL(rg_int_value(rg_getattr(o, "c")), 3000);
    /* Emptied: deleting everything, split or not. */
    CU_ASSERT_EQUAL(rg_delattr(o, "a"), 0);
    CU_ASSERT_EQUAL(rg_delattr(o, "b"), 0);
    CU_ASSERT_EQUAL(rg_delattr(o, "c"), 0);
    CU_ASSERT_STRING_EQUAL(names_of(o), "");
    rg_object *p = rg_instance_new(h, cls);
    CU_ASSERT_EQUAL(set_int(p, "a", 1), 0);
    CU_ASSERT_EQUAL(rg_delattr(p, "a"), 0);
    CU_ASSERT_STRING_EQUAL(names_of(p), "");
    CU_ASSERT_EQUAL(set_int(p, "c", 3), 0); /* past the hole: shared */
    CU_ASSERT_EQUAL(set_int(p, "b", 2), 0); /* before c: falls back */
    CU_ASSERT_STRING_EQUAL(names_of(p), "c b");
    CU_ASSERT_EQUAL(rg_sizeof(p), dict_size(4));
    rg_decref(p);
    rg_decref(o);
    rg_decref(cls);
    heap_end(h);
}

/* A second instance setting the names in another order falls back; the
 * first keeps sharing; a third following the keys' order shares. */
static void test_other_order(void) {
    rg_heap *h = heap_new();
    rg_object *cls = rg_class_new(h, "C");
    rg_object *x = rg_instance_new(h, cls), *y = rg_instance_new(h, cls), *z = rg_instance_new(h, cls);
    CU_ASSERT_EQUAL(set_int(x, "a", 1), 0);
    CU_ASSERT_EQUAL(set_int(x, "b", 2), 0);
    CU_ASSERT_EQUAL(set_int(y, "b", 20), 0);
    CU_ASSERT_EQUAL(rg_sizeof(y), split_size(2)); /* b alone: still shared */
    CU_ASSERT_STRING_EQUAL(names_of(y), "b");
    CU_ASSERT_EQUAL(set_int(y, "a", 10), 0);
    CU_ASSERT_STRING_EQUAL(names_of(y), "b a");
    CU_ASSERT_EQUAL(rg_sizeof(y), dict_size(4));
    CU_ASSERT_EQUAL(rg_int_value(rg_getattr(y, "a")), 10);
    CU_ASSERT_EQUAL(rg_int_value(rg_getattr(y, "b")), 20);
    CU_ASSERT_EQUAL(set_int(y, "c", 30), 0); /* a new name: the class's key 2 */
    CU_ASSERT_STRING_EQUAL(names_of(y), "b a c");
    CU_ASSERT_EQUAL(set_int(z, "a", 100), 0);
    CU_ASSERT_EQUAL(set_int(z, "c", 300), 0); /* skips b: a hole */
    CU_ASSERT_STRING_EQUAL(names_of(z), "a c");
    CU_ASSERT_EQUAL(rg_sizeof(z), split_size(3));
    CU_ASSERT_PTR_NULL(rg_getattr(z, "b"));
    CU_ASSERT_EQUAL(rg_delattr(z, "b"), RG_EKEY);
    CU_ASSERT_STRING_EQUAL(names_of(x), "a b");
    CU_ASSERT_EQUAL(rg_sizeof(x), split_size(2));
    CU_ASSERT_EQUAL(rg_int_value(rg_getattr(x, "a")), 1);
    CU_ASSERT_PTR_NULL(rg_getattr(x, "c"));
    /* Class attributes are the class's own table, apart from the keys. */
    CU_ASSERT_EQUAL(set_int(cls, "a", 5), 0);
    CU_ASSERT_STRING_EQUAL(names_of(cls), "a");
    CU_ASSERT_EQUAL(rg_int_value(rg_getattr(x, "a")), 1);
    rg_decref(x);
    rg_decref(y);
    rg_decref(z);
    rg_decref(cls);
    heap_end(h);
}

/* The class shares at most 30 names: an instance setting a 31st falls back,
 * another instance setting only an unshared name falls back at once, and
 * the shared names still share. */
static void test_keys_limit(void) {
    rg_heap *h = heap_new();
    rg_object *cls = rg_class_new(h, "C");
    size_t cls0 = rg_sizeof(cls);
    rg_object *x = rg_instance_new(h, cls);
    char name[16];
    for (int i = 0; i < KEYS_MAX; i++) {
        snprintf(name, sizeof name, "k%d", i);
        CU_ASSERT_EQUAL(set_int(x, name, i), 0);
    }
    CU_ASSERT_EQUAL(rg_sizeof(x), split_size(KEYS_MAX));
    CU_ASSERT_EQUAL(rg_sizeof(cls), cls0 + KEYS_MAX * 8);
    CU_ASSERT_EQUAL(set_int(x, "k30", 30), 0);
    CU_ASSERT_EQUAL(rg_sizeof(x), dict_size(60)); /* 30 moved, then doubled */
    CU_ASSERT_EQUAL(rg_sizeof(cls), cls0 + KEYS_MAX * 8);
    CU_ASSERT_EQUAL(rg_int_value(rg_getattr(x, "k30")), 30);
    CU_ASSERT_EQUAL(rg_int_value(rg_getattr(x, "k0")), 0);
    CU_ASSERT_EQUAL(rg_int_value(rg_getattr(x, "k29")), 29);
    seen s = {0};
    rg_traverse(x, record, &s);
    CU_ASSERT_EQUAL(s.n, 31);
    for (int i = 0; i < s.n && i < 31; i++) {
        snprintf(name, sizeof name, "k%d", i);
        CU_ASSERT_STRING_EQUAL(s.names[i], name);
        CU_ASSERT_EQUAL(rg_int_value(s.values[i]), i);
    }
    rg_object *y = rg_instance_new(h, cls);
    CU_ASSERT_EQUAL(set_int(y, "k31", 31), 0);
    CU_ASSERT_EQUAL(rg_sizeof(y), dict_size(4));
    CU_ASSERT_STRING_EQUAL(names_of(y), "k31");
    rg_object *z = rg_instance_new(h, cls);
    CU_ASSERT_EQUAL(set_int(z, "k0", 0), 0);
    CU_ASSERT_EQUAL(set_int(z, "k29", 29), 0);
    CU_ASSERT_EQUAL(rg_sizeof(z), split_size(KEYS_MAX));
    CU_ASSERT_STRING_EQUAL(names_of(z), "k0 k29");
    rg_decref(x);
    rg_decref(y);
    rg_decref(z);
    rg_decref(cls);
    heap_end(h);
}

/* ---- the collector and the class's lifetime ----------------------------------------- */

/* Instance pairs (the bench's inst shape), a class in a cycle with its
 * instances, fallback instances in cycles: all collected, every byte back. */
static void test_cycles(void) {
    rg_heap *h = heap_new();
    rg_gc_disable(h);
    rg_object *cls = rg_class_new(h, "Node");
    for (int i = 0; i < 50; i++) {
        rg_object *a = rg_instance_new(h, cls), *b = rg_instance_new(h, cls);
        rg_setattr(a, "other", b);
        if (i % 2) set_int(b, "x", i);
        rg_setattr_new(b, "other", a); /* b: other after x, out of order when i is odd */
        rg_decref(b);
    }
    rg_setattr(cls, "me", cls);
    rg_object *inst = rg_instance_new(h, cls);
    rg_setattr_new(cls, "one", inst); /* class -> instance -> class */
    rg_decref(cls);
    CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 102);
    heap_end(h);
}

/* A finalizer run by the clearing of an instance's values adds attributes
 * to it: released too, split or fallen back. */
static rg_object *VICTIM;
static void fin_adds(rg_object *self) {
    (void)self;
    if (!VICTIM) return;
    set_int(VICTIM, "late", 1);
    set_int(VICTIM, "a", 2); /* before late in the keys: falls back */
}

static void test_finalizer_adds(void) {
    for (int mode = 0; mode < 2; mode++) {
        rg_heap *h = heap_new();
        rg_object *cls = rg_class_new(h, "C"), *fcls = rg_class_new(h, "F");
        rg_class_set_finalizer(fcls, fin_adds, 0);
        rg_object *o = rg_instance_new(h, cls);
        set_int(o, "a", 0);
        rg_setattr_new(o, "f", rg_instance_new(h, fcls));
        if (mode) {
            set_int(o, "b", 0);
            rg_delattr(o, "a");
            set_int(o, "a", 0); /* fallen back */
        }
        VICTIM = o;
        rg_decref(o);
        VICTIM = NULL;
        CU_ASSERT_EQUAL(MISUSE.count, 0);
        rg_decref(cls);
        rg_decref(fcls);
        heap_end(h);
    }
}

/* The same finalizer run by the release of the class, the last thing an
 * instance's clear does (the instance held the class's last reference, and
 * a class attribute the finalizer's object): what it adds to the instance
 * then is released too, with the pairs it falls back to. */
static void test_finalizer_adds_after_class(void) {
    rg_heap *h = heap_new();
    rg_object *cls = rg_class_new(h, "C"), *fcls = rg_class_new(h, "F");
    rg_class_set_finalizer(fcls, fin_adds, 0);
    CU_ASSERT_EQUAL(rg_setattr_new(cls, "f", rg_instance_new(h, fcls)), 0);
    rg_object *o = rg_instance_new(h, cls);
    set_int(o, "a", 0);
    rg_decref(cls); /* o holds the class's last reference */
    VICTIM = o;
    rg_decref(o);
    VICTIM = NULL;
    CU_ASSERT_EQUAL(MISUSE.count, 0);
    CU_ASSERT_EQUAL(rg_heap_count_type(h, &rg_int_type), 0); /* "late" and "a" released */
    rg_decref(fcls);
    heap_end(h);
}

/* ---- out of memory ---------------------------------------------------------------- */

/* Runs the script (+name sets, -name deletes) on a fresh instance once for
 * each N, the Nth allocation failing: the failing call returns RG_ENOMEM
 * and changes nothing (the names in order, the instance's and the class's
 * size), the script goes on against a model of the names set, and every
 * byte comes back. Returns how many calls failed. */
static long sweep_script(const char *const *script, size_t nscript) {
    long failures = 0;
    for (long fail = 1; fail < 200; fail++) {
        rg_heap *h = heap_new_each_block();
        rg_object *cls = rg_class_new(h, "C");
        rg_object *o = rg_instance_new(h, cls), *v = rg_int_new(h, 1);
        CU_ASSERT_PTR_NOT_NULL_FATAL(o);
        CU_ASSERT_PTR_NOT_NULL_FATAL(v);
        ALLOC.count = 0;
        ALLOC.fail_at = fail;
        int failed = 0;
        char model[32] = ""; /* the names set, in order */
        for (size_t i = 0; i < nscript; i++) {
            const char *name = script[i] + 1;
            char *at = strchr(model, name[0]);
            size_t so = rg_sizeof(o), sc = rg_sizeof(cls);
            int rc = script[i][0] == '+' ? rg_setattr(o, name, v) : rg_delattr(o, name);
            if (rc == RG_ENOMEM) {
                failed = 1;
                failures++;
                ALLOC.fail_at = 0; /* only the Nth */
                CU_ASSERT_EQUAL(rg_sizeof(o), so);
                CU_ASSERT_EQUAL(rg_sizeof(cls), sc);
                if (rg_sizeof(o) != so || rg_sizeof(cls) != sc)
                    printf("\n  %s failing at allocation %ld: instance %zu -> %zu bytes, class %zu -> %zu",
                           script[i], fail, so, rg_sizeof(o), sc, rg_sizeof(cls));
            } else if (script[i][0] == '-' && !at) {
                CU_ASSERT_EQUAL(rc, RG_EKEY); /* its set failed */
            } else {
                CU_ASSERT_EQUAL(rc, 0);
                if (script[i][0] == '-') memmove(at, at + 1, strlen(at));
                else if (!at) strncat(model, name, 1);
            }
            CU_ASSERT_EQUAL(rg_getattr(o, name) == v, strchr(model, name[0]) != NULL);
            char want[64] = "";
            for (size_t k = 0, w = 0; model[k]; k++)
                w += (size_t)snprintf(want + w, sizeof want - w, "%s%c", k ? " " : "", model[k]);
            CU_ASSERT_STRING_EQUAL(names_of(o), want);
        }
        ALLOC.fail_at = 0;
        size_t len = strlen(names_of(o)); /* one-letter names, one space apart */
        CU_ASSERT_EQUAL(rg_refcount(v), 1 + (len + 1) / 2);
        rg_decref(o);
        CU_ASSERT_EQUAL(rg_refcount(v), 1);
        rg_decref(v);
        rg_decref(cls);
        heap_end(h);
        if (!failed) break; /* past the script's last allocation */
    }
    return failures;
}

/* A script that takes every path: names interned, keys grown, values
 * grown, fallen back, the pairs grown. */
static void test_failalloc(void) {
    static const char *const script[] = {"+a", "+b", "+c", "+d", "+e", "-c", "+c", "+f",
                                         "+g", "+h", "-a", "+a", "+i", "+j", "+k"};
    long failures = sweep_script(script, sizeof script / sizeof *script);
    printf("\n  %ld allocations failed in turn\n", failures);
    CU_ASSERT(failures >= 15); /* names, keys, values, fallback, pairs */
}

/* A set that fails for want of memory changes no size: not the class's
 * (a new name joins the keys only when the instance's values have room for
 * it too: both allocations, or neither), nor the instance's (the pairs an
 * instance falls back to have room for the name that made it fall back:
 * it does not stay fallen back when their growth fails). The script grows
 * the keys and the values in one set (e, i), and falls back with 4 values
 * left of 9 (b), whose pairs are full at once. */
static void test_failalloc_sizes(void) {
    static const char *const script[] = {"+a", "+b", "+c", "+d", "+e", "+f", "+g", "+h", "+i",
                                         "-b", "-c", "-d", "-e", "-f", "+b", "+j"};
    CU_ASSERT(sweep_script(script, sizeof script / sizeof *script) >= 10);
}

int main(void) {
    static const test_case tests[] = {
        {"0, 1, 2, 4 and 100 attributes", test_counts},
        {"the heap's bytes, exactly", test_bytes_exact},
        {"set, delete, re-set", test_set_del_reset},
        {"another order on a second instance", test_other_order},
        {"the shared keys' limit", test_keys_limit},
        {"cycles of instances and classes", test_cycles},
        {"finalizers adding attributes while cleared", test_finalizer_adds},
        {"finalizers adding attributes as the class goes", test_finalizer_adds_after_class},
        {"every allocation fails in turn", test_failalloc},
        {"a failed set changes no size", test_failalloc_sizes},
        {NULL, NULL},
    };
    return run_suite("instance", tests);
}
