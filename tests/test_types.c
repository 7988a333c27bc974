/* test_types.c — every built-in type and operation, user-defined types,
 * labels and introspection, and the ownership rules. */
#include <math.h>

#include "testheap.h"

static void test_atoms(void) {
    rg_heap *h = heap_new();
    rg_object *n = rg_none_new(h), *t = rg_bool_new(h, 1), *f = rg_bool_new(h, 0);
    CU_ASSERT(rg_is_none(n));
    CU_ASSERT(rg_is_true(t));
    CU_ASSERT(!rg_is_true(f));
    CU_ASSERT_PTR_EQUAL(t, rg_bool_new(h, 5)); /* singletons */
    rg_decref(t);
    rg_object *i = rg_int_new(h, -42), *x = rg_float_new(h, 2.5);
    CU_ASSERT_EQUAL(rg_int_value(i), -42);
    CU_ASSERT_DOUBLE_EQUAL(rg_float_value(x), 2.5, 0);
    CU_ASSERT_STRING_EQUAL(rg_type_name(i), "int");
    CU_ASSERT_STRING_EQUAL(rg_type_name(x), "float");
    CU_ASSERT_STRING_EQUAL(rg_type_name(n), "NoneType");
    CU_ASSERT(!rg_gc_is_tracked(i) && !rg_gc_is_tracked(x) && !rg_gc_is_tracked(n));
    char buf[64];
    rg_repr(i, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "-42");
    rg_repr(n, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "None");
    rg_repr(f, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "False");
    rg_decref(n);
    rg_decref(t);
    rg_decref(f);
    rg_decref(i);
    rg_decref(x);
    heap_end(h);
}

static void test_ids_are_sequence_numbers(void) {
    rg_heap *h = heap_new();
    rg_object *a = rg_int_new(h, 1);
    uint64_t ida = rg_id(a);
    rg_decref(a);
    rg_object *b = rg_int_new(h, 1);
    CU_ASSERT_EQUAL(rg_id(b), ida + 1); /* never reused, even for the same memory */
    rg_heap_stats s;
    rg_heap_get_stats(h, &s);
    CU_ASSERT_EQUAL(s.max_id, rg_id(b));
    rg_decref(b);
    heap_end(h);
}

static void test_str(void) {
    rg_heap *h = heap_new();
    rg_object *s = rg_str_newn(h, "a\0b\xff", 4);
    CU_ASSERT_EQUAL(rg_str_len(s), 4);
    CU_ASSERT_EQUAL(memcmp(rg_str_data(s), "a\0b\xff", 4), 0);
    CU_ASSERT_EQUAL(rg_str_data(s)[4], '\0');
    rg_object *e = rg_str_new(h, "");
    CU_ASSERT_EQUAL(rg_str_len(e), 0);
    rg_object *long_s = rg_str_new(h, "0123456789012345678901234567890123456789012345");
    char buf[128];
    rg_repr(long_s, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "'0123456789012345678901234567890123456...'");
    rg_repr(e, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "''");
    CU_ASSERT(rg_sizeof(long_s) > rg_sizeof(e));
    CU_ASSERT_PTR_NULL(rg_str_new(h, NULL));
    CU_ASSERT_EQUAL(rg_heap_errno(h), RG_EINVAL);
    rg_decref(s);
    rg_decref(e);
    rg_decref(long_s);
    heap_end(h);
}

static void test_equality(void) {
    rg_heap *h = heap_new();
    rg_object *i1 = rg_int_new(h, 1), *i1b = rg_int_new(h, 1), *f1 = rg_float_new(h, 1.0);
    rg_object *t = rg_bool_new(h, 1), *s1 = rg_str_new(h, "x"), *s2 = rg_str_new(h, "x");
    rg_object *l1 = rg_list_new(h), *l2 = rg_list_new(h);
    CU_ASSERT(rg_equal(i1, i1b));
    CU_ASSERT(rg_equal(i1, f1));
    CU_ASSERT(rg_equal(i1, t)); /* True == 1, as in Python */
    CU_ASSERT(rg_equal(s1, s2));
    CU_ASSERT(!rg_equal(s1, i1));
    CU_ASSERT(!rg_equal(l1, l2)); /* containers: identity */
    CU_ASSERT(rg_equal(l1, l1));
    rg_object *objs[] = {i1, i1b, f1, t, s1, s2, l1, l2};
    for (size_t k = 0; k < 8; k++) rg_decref(objs[k]);
    heap_end(h);
}

static void test_tuple(void) {
    rg_heap *h = heap_new();
    rg_object *a = rg_int_new(h, 1), *l = rg_list_new(h);
    rg_object *t = rg_tuple_pack(h, 2, a, l);
    CU_ASSERT_EQUAL(rg_tuple_size(t), 2);
    CU_ASSERT_PTR_EQUAL(rg_tuple_get(t, 0), a);
    CU_ASSERT_PTR_EQUAL(rg_tuple_get(t, 1), l);
    CU_ASSERT_PTR_NULL(rg_tuple_get(t, 2));
    CU_ASSERT_EQUAL(rg_heap_errno(h), RG_EINDEX);
    CU_ASSERT_EQUAL(rg_refcount(a), 2); /* borrowed in, the tuple holds its own */
    CU_ASSERT(rg_gc_is_tracked(t));     /* holds a list */
    rg_object *atoms = rg_tuple_pack(h, 1, a);
    CU_ASSERT(!rg_gc_is_tracked(atoms)); /* holds only atoms */
    rg_object *nested = rg_tuple_pack(h, 1, atoms);
    CU_ASSERT(!rg_gc_is_tracked(nested)); /* an untracked tuple never becomes tracked */
    rg_object *empty = rg_tuple_new(h, 0, NULL);
    CU_ASSERT_EQUAL(rg_tuple_size(empty), 0);
    char buf[32];
    rg_repr(t, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "2 items");
    rg_object *bad[] = {a, NULL};
    CU_ASSERT_PTR_NULL(rg_tuple_new(h, 2, bad));
    rg_decref(t);
    CU_ASSERT_EQUAL(rg_refcount(a), 2);
    rg_decref(nested);
    rg_decref(atoms);
    rg_decref(empty);
    CU_ASSERT_EQUAL(rg_refcount(a), 1);
    rg_decref(a);
    rg_decref(l);
    heap_end(h);
}

static void test_list_ops(void) {
    rg_heap *h = heap_new();
    rg_object *l = rg_list_new(h);
    for (int i = 0; i < 10; i++) CU_ASSERT_EQUAL(rg_list_append_new(l, rg_int_new(h, i)), 0);
    CU_ASSERT_EQUAL(rg_list_size(l), 10);
    CU_ASSERT_EQUAL(rg_int_value(rg_list_get(l, 3)), 3);
    CU_ASSERT_EQUAL(rg_int_value(rg_list_get(l, -1)), 9);
    CU_ASSERT_PTR_NULL(rg_list_get(l, 10));
    CU_ASSERT_EQUAL(rg_heap_errno(h), RG_EINDEX);
    CU_ASSERT_PTR_NULL(rg_list_get(l, -11));
    CU_ASSERT_EQUAL(rg_list_insert_new(l, 0, rg_int_new(h, 100)), 0);
    CU_ASSERT_EQUAL(rg_list_insert_new(l, 1000, rg_int_new(h, 200)), 0); /* clamped to the end */
    CU_ASSERT_EQUAL(rg_list_insert_new(l, -1, rg_int_new(h, 300)), 0);   /* before the last */
    CU_ASSERT_EQUAL(rg_int_value(rg_list_get(l, 0)), 100);
    CU_ASSERT_EQUAL(rg_int_value(rg_list_get(l, -1)), 200);
    CU_ASSERT_EQUAL(rg_int_value(rg_list_get(l, -2)), 300);
    CU_ASSERT_EQUAL(rg_list_size(l), 13);
    CU_ASSERT_EQUAL(rg_list_set_new(l, 1, rg_str_new(h, "s")), 0);
    CU_ASSERT_STRING_EQUAL(rg_str_data(rg_list_get(l, 1)), "s");
    CU_ASSERT_EQUAL(rg_list_set_new(l, 99, rg_int_new(h, 1)), RG_EINDEX); /* consumed anyway */
    rg_object *p = rg_list_pop(l, 0);
    CU_ASSERT_EQUAL(rg_int_value(p), 100);
    CU_ASSERT_EQUAL(rg_refcount(p), 1); /* ours now */
    rg_decref(p);
    rg_object *five = rg_int_new(h, 5);
    CU_ASSERT_EQUAL(rg_list_remove(l, five), 0); /* by value */
    CU_ASSERT_EQUAL(rg_list_remove(l, five), RG_EKEY);
    CU_ASSERT_EQUAL(rg_list_size(l), 11);
    rg_decref(five);
    char buf[32];
    rg_repr(l, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "11 items");
    CU_ASSERT(rg_sizeof(l) >= rg_list_type.basic_size + 11 * sizeof(void *));
    rg_object *notlist = rg_int_new(h, 1);
    CU_ASSERT_EQUAL(rg_list_append(notlist, l), RG_ETYPE);
    CU_ASSERT_EQUAL(rg_refcount(l), 1); /* a failed borrowing call leaves the count */
    CU_ASSERT_EQUAL(rg_list_append_new(l, NULL), RG_EINVAL);
    rg_decref(notlist);
    CU_ASSERT_EQUAL(rg_list_clear(l), 0);
    CU_ASSERT_EQUAL(rg_list_size(l), 0);
    rg_decref(l);
    heap_end(h);
}

/* A dict past each index width (1, 2 and 4 bytes a slot: 254 and 65,534
 * entries), with deletions and reinsertions between the resizes: every key
 * found with its value, none found once deleted, insertion order kept, and
 * the heap's accounting back to where it was once the dict is gone. */
static void test_dict_wide_index(void) {
    rg_heap *h = heap_new();
    rg_heap_stats before;
    rg_heap_get_stats(h, &before);
    rg_object *d = rg_dict_new(h);
    const int n = 70000;
    for (int i = 0; i < n; i++) {
        rg_object *k = rg_int_new(h, i);
        CU_ASSERT_EQUAL_FATAL(rg_dict_set_new(d, k, rg_int_new(h, -i)), 0);
        rg_decref(k);
        if (i % 3 == 2) { /* delete one of the last three, put it back at the end */
            rg_object *old = rg_int_new(h, i - 1);
            CU_ASSERT_EQUAL(rg_dict_del(d, old), 0);
            CU_ASSERT_EQUAL(rg_dict_set_new(d, old, rg_int_new(h, -(i - 1))), 0);
            rg_decref(old);
        }
    }
    CU_ASSERT_EQUAL(rg_dict_size(d), (size_t)n);
    int wrong = 0;
    for (int i = 0; i < n; i++) {
        rg_object *k = rg_int_new(h, i);
        rg_object *v = rg_dict_get(d, k);
        if (!v || rg_int_value(v) != -i) wrong++;
        if (i % 2 == 0 && rg_dict_del(d, k) != 0) wrong++;
        rg_decref(k);
    }
    CU_ASSERT_EQUAL(wrong, 0);
    CU_ASSERT_EQUAL(rg_dict_size(d), (size_t)n / 2);
    size_t pos = 0, seen = 0;
    rg_object *key, *value;
    int64_t prev = -1;
    int order = 1;
    while (rg_dict_next(d, &pos, &key, &value)) {
        int64_t i = rg_int_value(key);
        if (i % 2 == 0 || rg_int_value(value) != -i) wrong++;
        /* keys went in ascending order, except each i-1 moved after i */
        if (i < prev - 1) order = 0;
        prev = i;
        seen++;
    }
    CU_ASSERT_EQUAL(wrong, 0);
    CU_ASSERT(order);
    CU_ASSERT_EQUAL(seen, (size_t)n / 2);
    rg_object *absent = rg_int_new(h, n + 1);
    CU_ASSERT_PTR_NULL(rg_dict_get(d, absent));
    rg_decref(absent);
    rg_decref(d);
    rg_heap_stats after;
    rg_heap_get_stats(h, &after);
    CU_ASSERT_EQUAL(after.bytes_in_use, before.bytes_in_use);
    heap_end(h);
}

static void test_dict_ops(void) {
    rg_heap *h = heap_new();
    rg_object *d = rg_dict_new(h);
    CU_ASSERT(!rg_gc_is_tracked(d)); /* an empty dict is untracked, as in CPython */
    for (int i = 0; i < 100; i++) {
        char key[16];
        snprintf(key, sizeof key, "k%d", i);
        CU_ASSERT_EQUAL(rg_dict_setstr_new(d, key, rg_int_new(h, i)), 0);
    }
    CU_ASSERT(!rg_gc_is_tracked(d)); /* only atoms */
    CU_ASSERT_EQUAL(rg_dict_size(d), 100);
    CU_ASSERT_EQUAL(rg_int_value(rg_dict_getstr(d, "k42")), 42);
    rg_object *k = rg_str_new(h, "k7");
    CU_ASSERT_EQUAL(rg_int_value(rg_dict_get(d, k)), 7);
    CU_ASSERT_EQUAL(rg_dict_del(d, k), 0);
    CU_ASSERT_EQUAL(rg_dict_del(d, k), RG_EKEY);
    CU_ASSERT_PTR_NULL(rg_dict_get(d, k));
    CU_ASSERT_EQUAL(rg_dict_size(d), 99);
    /* insertion order survives deletes and resizes */
    size_t pos = 0, n = 0;
    rg_object *key, *value;
    int64_t last = -1, ordered = 1;
    while (rg_dict_next(d, &pos, &key, &value)) {
        if (rg_int_value(value) <= last) ordered = 0;
        last = rg_int_value(value);
        n++;
    }
    CU_ASSERT_EQUAL(n, 99);
    CU_ASSERT(ordered);
    /* int keys by value; 1.0 finds 1 */
    rg_object *one = rg_int_new(h, 1), *onef = rg_float_new(h, 1.0);
    CU_ASSERT_EQUAL(rg_dict_set_new(d, one, rg_str_new(h, "one")), 0);
    CU_ASSERT_STRING_EQUAL(rg_str_data(rg_dict_get(d, onef)), "one");
    /* replacing keeps the original key and the position */
    CU_ASSERT_EQUAL(rg_dict_set_new(d, onef, rg_str_new(h, "uno")), 0);
    CU_ASSERT_EQUAL(rg_dict_size(d), 100);
    CU_ASSERT_STRING_EQUAL(rg_str_data(rg_dict_get(d, one)), "uno");
    /* unhashable keys */
    rg_object *l = rg_list_new(h);
    CU_ASSERT_EQUAL(rg_dict_set(d, l, one), RG_EUNHASHABLE);
    /* a container value tracks the dict */
    CU_ASSERT_EQUAL(rg_dict_setstr(d, "list", l), 0);
    CU_ASSERT(rg_gc_is_tracked(d));
    char buf[32];
    rg_repr(d, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "101 items");
    rg_decref(k);
    rg_decref(one);
    rg_decref(onef);
    rg_decref(l);
    rg_decref(d);
    heap_end(h);
}

static void test_class_instance(void) {
    rg_heap *h = heap_new();
    rg_object *cls = rg_class_new(h, "Node");
    rg_object *obj = rg_instance_new(h, cls);
    CU_ASSERT_STRING_EQUAL(rg_type_name(obj), "Node");
    CU_ASSERT_STRING_EQUAL(rg_type_name(cls), "class");
    CU_ASSERT_PTR_EQUAL(rg_instance_class(obj), cls);
    CU_ASSERT_EQUAL(rg_refcount(cls), 2);
    CU_ASSERT_EQUAL(rg_setattr_new(obj, "x", rg_int_new(h, 3)), 0);
    CU_ASSERT_EQUAL(rg_setattr_new(obj, "y", rg_str_new(h, "why")), 0);
    CU_ASSERT_EQUAL(rg_setattr_new(obj, "x", rg_int_new(h, 4)), 0); /* rebinding */
    CU_ASSERT_EQUAL(rg_int_value(rg_getattr(obj, "x")), 4);
    CU_ASSERT_PTR_NULL(rg_getattr(obj, "z"));
    CU_ASSERT_EQUAL(rg_delattr(obj, "y"), 0);
    CU_ASSERT_EQUAL(rg_delattr(obj, "y"), RG_EKEY);
    CU_ASSERT_EQUAL(rg_setattr_new(cls, "count", rg_int_new(h, 1)), 0); /* class attribute */
    CU_ASSERT_EQUAL(rg_int_value(rg_getattr(cls, "count")), 1);
    rg_object *i = rg_int_new(h, 1);
    CU_ASSERT_EQUAL(rg_setattr(i, "x", i), RG_ETYPE);
    CU_ASSERT_PTR_NULL(rg_instance_new(h, i));
    CU_ASSERT_EQUAL(rg_heap_errno(h), RG_ETYPE);
    char buf[64];
    rg_repr(obj, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "Node instance");
    rg_repr(cls, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "Node");
    CU_ASSERT(rg_gc_is_tracked(obj) && rg_gc_is_tracked(cls));
    rg_decref(i);
    rg_decref(obj);
    CU_ASSERT_EQUAL(rg_refcount(cls), 1);
    rg_decref(cls);
    heap_end(h);
}

static int callback_calls;
static rg_object *callback_saw;
static void on_dead(rg_object *wr, void *ud) {
    (void)ud;
    callback_calls++;
    callback_saw = rg_weakref_get(wr);
}

static void test_weakref(void) {
    rg_heap *h = heap_new();
    rg_object *l = rg_list_new(h);
    rg_object *w1 = rg_weakref_new(h, l, on_dead, NULL), *w2 = rg_weakref_new(h, l, NULL, NULL);
    CU_ASSERT_PTR_EQUAL(rg_weakref_get(w1), l);
    CU_ASSERT_EQUAL(rg_refcount(l), 1); /* weak: not counted */
    char buf[64];
    rg_repr(w1, buf, sizeof buf);
    CU_ASSERT_EQUAL(strncmp(buf, "to list id ", 11), 0);
    callback_calls = 0;
    callback_saw = l;
    rg_decref(l);
    CU_ASSERT_PTR_NULL(rg_weakref_get(w1));
    CU_ASSERT_PTR_NULL(rg_weakref_get(w2));
    CU_ASSERT_EQUAL(callback_calls, 1);
    CU_ASSERT_PTR_NULL(callback_saw); /* the referent reads as dead in the callback */
    rg_repr(w1, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "dead");
    /* a weakref dying before its referent unregisters itself */
    rg_object *t = rg_list_new(h);
    rg_object *w3 = rg_weakref_new(h, t, on_dead, NULL);
    rg_decref(w3);
    rg_decref(t);
    CU_ASSERT_EQUAL(callback_calls, 1);
    rg_decref(w1);
    rg_decref(w2);
    heap_end(h);
}

/* A weakref is WEAKREF_BYTES (64; CPython's weakref.ref: 80); the
 * callback's user data lives beside it in the heap, only for those that
 * have one: each callback gets its own, a weakref made where a freed one was gets its own or none,
 * one that dies before its referent takes its user data with it, and a
 * failed allocation of the user data's slot (or of the referent's) fails
 * the weakref cleanly. */
static void *ud_seen[4];
static int ud_calls;
static void on_dead_ud(rg_object *wr, void *ud) {
    (void)wr;
    if (ud_calls < 4) ud_seen[ud_calls] = ud;
    ud_calls++;
}

static void test_weakref_user_data(void) {
    rg_heap *h = heap_new_each_block();
    static int a, b, c;
    /* on a fresh heap: the weakref, the user data's table, the referents'
     * table fail in turn (the heap's errno says so; nothing is left over) */
    rg_object *u = rg_list_new(h);
    unsigned failed = 0;
    for (unsigned n = 1; n < 8; n++) {
        ALLOC.count = 0;
        ALLOC.fail_at = n;
        rg_object *w = rg_weakref_new(h, u, on_dead_ud, &c);
        ALLOC.fail_at = 0;
        if (w) {
            rg_decref(w);
            break;
        }
        failed++;
        CU_ASSERT_EQUAL(rg_heap_errno(h), RG_ENOMEM);
    }
    CU_ASSERT_EQUAL(failed, 3);
    ud_calls = 0;
    rg_decref(u);
    CU_ASSERT_EQUAL(ud_calls, 0);
    rg_object *t = rg_list_new(h);
    rg_object *w1 = rg_weakref_new(h, t, on_dead_ud, &a);
    CU_ASSERT_EQUAL(rg_sizeof(w1), WEAKREF_BYTES);
    rg_decref(w1); /* dies before its referent, with its user data */
    rg_object *w2 = rg_weakref_new(h, t, on_dead_ud, NULL), *w3 = rg_weakref_new(h, t, on_dead_ud, &b);
    CU_ASSERT_EQUAL(rg_sizeof(w2), WEAKREF_BYTES);
    CU_ASSERT_EQUAL(rg_sizeof(w3), WEAKREF_BYTES);
    ud_calls = 0;
    rg_decref(t); /* newest first: w3, then w2 */
    CU_ASSERT_EQUAL(ud_calls, 2);
    CU_ASSERT_PTR_EQUAL(ud_seen[0], &b);
    CU_ASSERT_PTR_NULL(ud_seen[1]);
    rg_decref(w2);
    rg_decref(w3);
    heap_end(h);
}

/* ---- a user-defined type ---------------------------------------------------------- */

typedef struct node {
    rg_object ob;
    rg_object *left, *right;
    int value;
} node;

static int node_traverse(rg_object *self, rg_visit_fn visit, void *arg) {
    node *n = (node *)self;
    rg_label l = {RG_LABEL_NAME, {.name = "left"}}, r = {RG_LABEL_NAME, {.name = "right"}};
    int rc = n->left ? visit(n->left, l, arg) : 0;
    if (!rc && n->right) rc = visit(n->right, r, arg);
    return rc;
}
static void node_clear(rg_object *self) {
    node *n = (node *)self;
    rg_object *l = n->left, *r = n->right;
    n->left = n->right = NULL;
    rg_decref(l);
    rg_decref(r);
}
static int node_repr(const rg_object *self, char *buf, size_t size) {
    return snprintf(buf, size, "node %d", ((const node *)self)->value);
}
static const rg_type node_type = {
    .name = "node",
    .basic_size = sizeof(node),
    .traverse = node_traverse,
    .clear = node_clear,
    .repr = node_repr,
};

typedef struct refs {
    int n;
    rg_object *targets[8];
    char labels[8][32];
} refs;

static int collect_refs(rg_object *t, rg_label label, void *arg) {
    refs *r = arg;
    if (r->n < 8) {
        r->targets[r->n] = t;
        rg_label_format(label, r->labels[r->n], sizeof r->labels[0]);
        r->n++;
    }
    return 0;
}

static void test_user_type(void) {
    rg_heap *h = heap_new();
    node *n = (node *)rg_object_new(h, &node_type);
    CU_ASSERT_PTR_NOT_NULL_FATAL(n);
    CU_ASSERT(rg_gc_is_tracked(&n->ob));
    n->value = 7;
    n->left = rg_list_new(h);
    n->right = rg_int_new(h, 1);
    refs r = {0};
    rg_traverse(&n->ob, collect_refs, &r);
    CU_ASSERT_EQUAL(r.n, 2);
    CU_ASSERT_STRING_EQUAL(r.labels[0], "left");
    CU_ASSERT_STRING_EQUAL(r.labels[1], "right");
    char buf[32];
    rg_repr(&n->ob, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "node 7");
    CU_ASSERT_EQUAL(rg_heap_count_type(h, &node_type), 1);
    /* a cycle through the user type is collected */
    rg_list_append(n->left, &n->ob);
    rg_decref(&n->ob);
    CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 2);
    CU_ASSERT_EQUAL(rg_heap_count_type(h, &node_type), 0);
    heap_end(h);
}

static size_t in_use(const rg_heap *h) {
    rg_heap_stats s;
    rg_heap_get_stats(h, &s);
    return s.bytes_in_use;
}

/* A list of at most one item keeps it in the object (64 bytes with the
 * collector's block, no buffer); the second item moves both to a buffer of
 * 4, as CPython's one-item list built by append already holds; dropping
 * back to one item or none returns the buffer. rg_sizeof (the dump's size)
 * and the heap's bytes follow every step. */
static void test_list_one_item_boundaries(void) {
    rg_heap *h = heap_new();
    rg_object *a = rg_int_new(h, 1), *b = rg_int_new(h, 2), *c = rg_int_new(h, 3);
    size_t base = in_use(h);
    rg_object *l = rg_list_new(h);
    CU_ASSERT_EQUAL(rg_sizeof(l), LIST_BYTES);
    CU_ASSERT_EQUAL(in_use(h), base + BLOCK(LIST_BYTES));
    /* 0 -> 1: no buffer */
    CU_ASSERT_EQUAL(rg_list_append(l, a), 0);
    CU_ASSERT_EQUAL(rg_list_size(l), 1);
    CU_ASSERT_EQUAL(rg_sizeof(l), LIST_BYTES);
    CU_ASSERT_EQUAL(in_use(h), base + BLOCK(LIST_BYTES));
    CU_ASSERT_PTR_EQUAL(rg_list_get(l, 0), a);
    CU_ASSERT_PTR_EQUAL(rg_list_get(l, -1), a);
    CU_ASSERT_PTR_NULL(rg_list_get(l, 1));
    CU_ASSERT_PTR_NULL(rg_list_get(l, -2));
    /* set on a one-item list */
    CU_ASSERT_EQUAL(rg_list_set(l, 0, b), 0);
    CU_ASSERT_PTR_EQUAL(rg_list_get(l, 0), b);
    CU_ASSERT_EQUAL(rg_refcount(a), 1);
    CU_ASSERT_EQUAL(rg_refcount(b), 2);
    CU_ASSERT_EQUAL(rg_list_set(l, -1, a), 0);
    CU_ASSERT_PTR_EQUAL(rg_list_get(l, 0), a);
    CU_ASSERT_EQUAL(rg_refcount(b), 1);
    CU_ASSERT_EQUAL(rg_list_set(l, 1, b), RG_EINDEX);
    CU_ASSERT_EQUAL(rg_refcount(b), 1);
    /* traverse a one-item list */
    refs r = {0};
    CU_ASSERT_EQUAL(rg_traverse(l, collect_refs, &r), 0);
    CU_ASSERT_EQUAL(r.n, 1);
    CU_ASSERT_PTR_EQUAL(r.targets[0], a);
    CU_ASSERT_STRING_EQUAL(r.labels[0], "[0]");
    char buf[32];
    rg_repr(l, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "1 item");
    /* insert at 0 with no buffer: 1 -> 2 moves both items to a buffer of 4 */
    CU_ASSERT_EQUAL(rg_list_insert(l, 0, b), 0);
    CU_ASSERT_EQUAL(rg_list_size(l), 2);
    CU_ASSERT_PTR_EQUAL(rg_list_get(l, 0), b);
    CU_ASSERT_PTR_EQUAL(rg_list_get(l, 1), a);
    CU_ASSERT_EQUAL(rg_sizeof(l), LIST_BYTES + 4 * sizeof(void *));
    CU_ASSERT_EQUAL(in_use(h), base + BLOCK(LIST_BYTES) + 32);
    memset(&r, 0, sizeof r);
    rg_traverse(l, collect_refs, &r);
    CU_ASSERT_EQUAL(r.n, 2);
    CU_ASSERT(r.targets[0] == b && r.targets[1] == a);
    CU_ASSERT_STRING_EQUAL(r.labels[1], "[1]");
    /* pop back to one: the buffer goes, the item stays */
    rg_object *p = rg_list_pop(l, 0);
    CU_ASSERT_PTR_EQUAL(p, b);
    rg_decref(p);
    CU_ASSERT_EQUAL(rg_list_size(l), 1);
    CU_ASSERT_PTR_EQUAL(rg_list_get(l, 0), a);
    CU_ASSERT_EQUAL(rg_sizeof(l), LIST_BYTES);
    CU_ASSERT_EQUAL(in_use(h), base + BLOCK(LIST_BYTES));
    /* then to none */
    p = rg_list_pop(l, -1);
    CU_ASSERT_PTR_EQUAL(p, a);
    rg_decref(p);
    CU_ASSERT_EQUAL(rg_list_size(l), 0);
    CU_ASSERT_PTR_NULL(rg_list_get(l, 0));
    CU_ASSERT_EQUAL(rg_sizeof(l), LIST_BYTES);
    memset(&r, 0, sizeof r);
    rg_traverse(l, collect_refs, &r);
    CU_ASSERT_EQUAL(r.n, 0);
    /* insert at 0 into the empty list, then append: [b, c] */
    CU_ASSERT_EQUAL(rg_list_insert(l, 0, b), 0);
    CU_ASSERT_PTR_EQUAL(rg_list_get(l, 0), b);
    CU_ASSERT_EQUAL(rg_sizeof(l), LIST_BYTES);
    CU_ASSERT_EQUAL(rg_list_append(l, c), 0);
    CU_ASSERT_EQUAL(rg_sizeof(l), LIST_BYTES + 32);
    CU_ASSERT_EQUAL(in_use(h), base + BLOCK(LIST_BYTES) + 32);
    /* remove to one and to none */
    CU_ASSERT_EQUAL(rg_list_remove(l, b), 0);
    CU_ASSERT_EQUAL(rg_list_size(l), 1);
    CU_ASSERT_PTR_EQUAL(rg_list_get(l, 0), c);
    CU_ASSERT_EQUAL(rg_sizeof(l), LIST_BYTES);
    CU_ASSERT_EQUAL(in_use(h), base + BLOCK(LIST_BYTES));
    CU_ASSERT_EQUAL(rg_list_remove(l, c), 0);
    CU_ASSERT_EQUAL(rg_list_size(l), 0);
    CU_ASSERT_EQUAL(rg_list_remove(l, c), RG_EKEY);
    /* clear from two items and from one */
    rg_list_append(l, a);
    rg_list_append(l, b);
    CU_ASSERT_EQUAL(rg_sizeof(l), LIST_BYTES + 32);
    CU_ASSERT_EQUAL(rg_list_clear(l), 0);
    CU_ASSERT_EQUAL(rg_list_size(l), 0);
    CU_ASSERT_EQUAL(rg_sizeof(l), LIST_BYTES);
    CU_ASSERT_EQUAL(in_use(h), base + BLOCK(LIST_BYTES));
    CU_ASSERT_EQUAL(rg_refcount(a), 1);
    CU_ASSERT_EQUAL(rg_refcount(b), 1);
    rg_list_append(l, c);
    CU_ASSERT_EQUAL(rg_list_clear(l), 0);
    CU_ASSERT_EQUAL(rg_refcount(c), 1);
    CU_ASSERT_PTR_NULL(rg_list_get(l, 0));
    /* a one-item cycle is found and freed by the collector */
    rg_list_append(l, l);
    CU_ASSERT_EQUAL(rg_sizeof(l), LIST_BYTES);
    rg_decref(l);
    CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 1);
    rg_decref(a);
    rg_decref(b);
    rg_decref(c);
    heap_end(h);
}

/* Appending 100 items, then popping them, holds the buffer CPython 3.11's
 * list holds at each length: sys.getsizeof of CPython's list (measured
 * with python3.11, its 16-byte collector header included), less the 8
 * bytes by which our list is smaller (LIST_BYTES against CPython's 56); a
 * list of at most one item has no buffer. */
static void test_list_grows_and_shrinks_as_cpython(void) {
    /* (length, getsizeof) where CPython's size changes, growing ... */
    static const size_t grow[][2] = {{2, 88},   {5, 120},  {9, 184},  {17, 248}, {25, 312}, {33, 376},
                                     {41, 472}, {53, 568}, {65, 664}, {77, 792}, {93, 920}};
    /* ... and shrinking from 100 by pops */
    static const size_t shrink[][2] = {{99, 920}, {53, 568}, {31, 376}, {19, 248},
                                       {11, 184}, {7, 152},  {5, 120}};
    rg_heap *h = heap_new();
    rg_object *x = rg_int_new(h, 7);
    size_t base = in_use(h);
    rg_object *l = rg_list_new(h);
    size_t k = 0, expect = LIST_BYTES;
    for (size_t n = 1; n <= 100; n++) {
        CU_ASSERT_EQUAL_FATAL(rg_list_append(l, x), 0);
        if (k < sizeof grow / sizeof *grow && n == grow[k][0]) expect = grow[k++][1] + LIST_BYTES - 56;
        CU_ASSERT_EQUAL(rg_sizeof(l), expect);
        if (rg_sizeof(l) != expect) printf("\n  after %zu appends: %zu bytes, CPython %zu\n", n, rg_sizeof(l), expect);
    }
    CU_ASSERT_EQUAL(rg_sizeof(l), LIST_BYTES + 864);
    CU_ASSERT_EQUAL(in_use(h), base + BLOCK(LIST_BYTES) + 864); /* a buffer above 512 bytes is not rounded */
    k = 0;
    for (size_t n = 99; n >= 2; n--) {
        rg_decref(rg_list_pop(l, -1));
        if (k < sizeof shrink / sizeof *shrink && n == shrink[k][0]) expect = shrink[k++][1] + LIST_BYTES - 56;
        CU_ASSERT_EQUAL(rg_sizeof(l), expect);
        if (rg_sizeof(l) != expect) printf("\n  at %zu items: %zu bytes, CPython %zu\n", n, rg_sizeof(l), expect);
    }
    CU_ASSERT_EQUAL(in_use(h), base + BLOCK(LIST_BYTES) + 64); /* 8 slots: a 64-byte buffer */
    rg_decref(rg_list_pop(l, 0));
    CU_ASSERT_EQUAL(rg_sizeof(l), LIST_BYTES); /* CPython: 88, a buffer of 4 */
    CU_ASSERT_EQUAL(in_use(h), base + BLOCK(LIST_BYTES));
    rg_decref(l);
    CU_ASSERT_EQUAL(rg_refcount(x), 1);
    rg_decref(x);
    heap_end(h);
}

/* Every allocator failure at a boundary: the second item's buffer, a
 * reserve, a growth past 4; and a shrink whose reallocation fails keeps the
 * larger buffer, the pop succeeding with no error recorded. Each block is
 * one allocator call, so each can be failed. */
static void test_list_allocation_failures(void) {
    rg_heap *h = heap_new_each_block();
    rg_object *x = rg_int_new(h, 7), *l = rg_list_new(h);
    CU_ASSERT_EQUAL(rg_list_append(l, x), 0); /* no allocation */
    ALLOC.count = 0;
    ALLOC.fail_at = 1;
    CU_ASSERT_EQUAL(rg_list_append(l, x), RG_ENOMEM);
    CU_ASSERT_EQUAL(rg_list_insert(l, 0, x), RG_ENOMEM);
    CU_ASSERT_EQUAL(rg_list_reserve(l, 10), RG_ENOMEM);
    CU_ASSERT_EQUAL(rg_list_size(l), 1);
    CU_ASSERT_PTR_EQUAL(rg_list_get(l, 0), x);
    CU_ASSERT_EQUAL(rg_sizeof(l), LIST_BYTES);
    CU_ASSERT_EQUAL(rg_refcount(x), 2);
    ALLOC.fail_at = 0;
    for (int i = 0; i < 107; i++) CU_ASSERT_EQUAL_FATAL(rg_list_append(l, x), 0);
    CU_ASSERT_EQUAL(rg_sizeof(l), LIST_BYTES + 864); /* 108 items fill the 108 slots */
    ALLOC.count = 0;
    ALLOC.fail_at = 1;
    CU_ASSERT_EQUAL(rg_list_append(l, x), RG_ENOMEM); /* the 109th needs 128 */
    CU_ASSERT_EQUAL(rg_list_insert(l, 50, x), RG_ENOMEM);
    CU_ASSERT_EQUAL(rg_list_size(l), 108);
    CU_ASSERT_EQUAL(rg_sizeof(l), LIST_BYTES + 864);
    CU_ASSERT_PTR_NULL(rg_list_get(l, 1000)); /* an error to see kept */
    long failures = ALLOC.failures;
    for (int i = 108; i > 53; i--) rg_decref(rg_list_pop(l, -1)); /* 53 < 108 / 2: shrinks to 64 */
    CU_ASSERT_EQUAL(ALLOC.failures, failures + 1);
    CU_ASSERT_EQUAL(rg_list_size(l), 53);
    CU_ASSERT_EQUAL(rg_sizeof(l), LIST_BYTES + 864); /* the failed shrink kept the buffer */
    CU_ASSERT_EQUAL(rg_heap_errno(h), RG_EINDEX); /* not RG_ENOMEM */
    ALLOC.fail_at = 0;
    rg_decref(rg_list_pop(l, -1));
    CU_ASSERT_EQUAL(rg_sizeof(l), LIST_BYTES + 64 * sizeof(void *)); /* 52 < 54: now it shrinks */
    CU_ASSERT_EQUAL(rg_list_clear(l), 0);
    CU_ASSERT_EQUAL(rg_sizeof(l), LIST_BYTES);
    CU_ASSERT_EQUAL(rg_refcount(x), 1);
    rg_decref(l);
    rg_decref(x);
    heap_end(h);
}

/* Lengths are 32-bit: a reserve beyond them is RG_ERANGE, allocating
 * nothing (the limit reached by appending is tests/test_list_limit.c). */
static void test_list_length_limit(void) {
#if SIZE_MAX > UINT32_MAX
    rg_heap *h = heap_new();
    rg_object *l = rg_list_new(h);
    size_t before = in_use(h);
    CU_ASSERT_EQUAL(rg_list_reserve(l, (size_t)UINT32_MAX + 1), RG_ERANGE);
    CU_ASSERT_EQUAL(rg_heap_errno(h), RG_ERANGE);
    CU_ASSERT_EQUAL(rg_list_reserve(l, SIZE_MAX), RG_ERANGE);
    CU_ASSERT_EQUAL(in_use(h), before);
    CU_ASSERT_EQUAL(rg_sizeof(l), LIST_BYTES);
    CU_ASSERT_EQUAL(rg_list_reserve(l, 1), 0); /* fits without a buffer */
    CU_ASSERT_EQUAL(rg_sizeof(l), LIST_BYTES);
    CU_ASSERT_EQUAL(rg_list_reserve(l, 3), 0);
    CU_ASSERT_EQUAL(rg_sizeof(l), LIST_BYTES + 3 * sizeof(void *));
    rg_decref(l);
    heap_end(h);
#endif
}

/* A list freed by its last decref releases its items; one of them runs a
 * finalizer that appends to the dying list (as a finalizer adds attributes
 * to a dying instance, tests/test_instance.c): what it appends, with the
 * buffer it needs, is released too, not left in the freed list. A list
 * cleared while alive keeps what is appended (rg_list_clear, as CPython's
 * list.clear). */
static rg_object *LIST_VICTIM;
static void fin_appends(rg_object *self) {
    rg_heap *h = rg_object_heap(self);
    if (!LIST_VICTIM) return;
    rg_list_append_new(LIST_VICTIM, rg_int_new(h, 1));
    rg_list_append_new(LIST_VICTIM, rg_int_new(h, 2)); /* the second item: a buffer */
    rg_list_append_new(LIST_VICTIM, rg_int_new(h, 3));
}

static void test_list_finalizer_appends_while_freed(void) {
    for (int alive = 0; alive < 2; alive++) {
        rg_heap *h = heap_new();
        rg_object *fcls = rg_class_new(h, "F"), *l = rg_list_new(h);
        rg_class_set_finalizer(fcls, fin_appends, 0);
        CU_ASSERT_EQUAL(rg_list_append_new(l, rg_instance_new(h, fcls)), 0);
        LIST_VICTIM = l;
        if (alive) {
            CU_ASSERT_EQUAL(rg_list_clear(l), 0);
            CU_ASSERT_EQUAL(rg_list_size(l), 3); /* kept */
            LIST_VICTIM = NULL;
        }
        rg_decref(l);
        LIST_VICTIM = NULL;
        CU_ASSERT_EQUAL(MISUSE.count, 0);
        CU_ASSERT_EQUAL(rg_heap_count_type(h, &rg_int_type), 0);
        CU_ASSERT_EQUAL(rg_heap_count_type(h, &rg_list_type), 0);
        rg_decref(fcls);
        heap_end(h);
    }
}

/* The same for a dict freed by its last decref: a value's finalizer that
 * sets keys in the dying dict (a new table included) has them released
 * with it. (The mistake the list had, found in review; the dict had it
 * too.) */
static void fin_sets(rg_object *self) {
    rg_heap *h = rg_object_heap(self);
    if (!LIST_VICTIM) return;
    for (int k = 0; k < 3; k++) {
        rg_object *key = rg_int_new(h, 100 + k); /* borrowed by the set */
        rg_dict_set_new(LIST_VICTIM, key, rg_int_new(h, k));
        rg_decref(key);
    }
}

static void test_dict_finalizer_sets_while_freed(void) {
    rg_heap *h = heap_new();
    rg_object *fcls = rg_class_new(h, "F"), *d = rg_dict_new(h);
    rg_class_set_finalizer(fcls, fin_sets, 0);
    rg_object *key = rg_int_new(h, 7);
    CU_ASSERT_EQUAL(rg_dict_set_new(d, key, rg_instance_new(h, fcls)), 0);
    rg_decref(key);
    LIST_VICTIM = d;
    rg_decref(d);
    LIST_VICTIM = NULL;
    CU_ASSERT_EQUAL(MISUSE.count, 0);
    CU_ASSERT_EQUAL(rg_heap_count_type(h, &rg_int_type), 0);
    CU_ASSERT_EQUAL(rg_heap_count_type(h, &rg_dict_type), 0);
    rg_decref(fcls);
    heap_end(h);
}

static void test_referents_labels(void) {
    rg_heap *h = heap_new();
    rg_object *l = rg_list_new(h), *d = rg_dict_new(h), *x = rg_int_new(h, 9);
    rg_list_append(l, x);
    rg_list_append(l, x); /* the same target twice: two edges */
    refs r = {0};
    rg_traverse(l, collect_refs, &r);
    CU_ASSERT_EQUAL(r.n, 2);
    CU_ASSERT_STRING_EQUAL(r.labels[0], "[0]");
    CU_ASSERT_STRING_EQUAL(r.labels[1], "[1]");
    rg_dict_setstr(d, "a", x);
    rg_dict_setstr(d, "b", x); /* one value under two keys: each edge its own key */
    memset(&r, 0, sizeof r);
    rg_traverse(d, collect_refs, &r);
    CU_ASSERT_EQUAL(r.n, 4);
    CU_ASSERT_STRING_EQUAL(r.labels[0], "(key)");
    CU_ASSERT_STRING_EQUAL(r.labels[1], "a");
    CU_ASSERT_STRING_EQUAL(r.labels[3], "b");
    CU_ASSERT_PTR_EQUAL(r.targets[1], x);
    /* atoms have no referents */
    memset(&r, 0, sizeof r);
    rg_traverse(x, collect_refs, &r);
    CU_ASSERT_EQUAL(r.n, 0);
    /* referrers: the list twice, the dict twice */
    memset(&r, 0, sizeof r);
    rg_referrers(x, collect_refs, &r);
    CU_ASSERT_EQUAL(r.n, 4);
    int from_list = 0, from_dict = 0;
    for (int i = 0; i < r.n; i++) {
        from_list += r.targets[i] == l;
        from_dict += r.targets[i] == d;
    }
    CU_ASSERT_EQUAL(from_list, 2);
    CU_ASSERT_EQUAL(from_dict, 2);
    CU_ASSERT_EQUAL(rg_refcount(x), 5);
    rg_decref(l);
    rg_decref(d);
    CU_ASSERT_EQUAL(rg_refcount(x), 1);
    rg_decref(x);
    heap_end(h);
}

static void test_steal_consumes_on_failure(void) {
    rg_heap *h = heap_new();
    rg_object *notlist = rg_int_new(h, 0);
    rg_object *item = rg_str_new(h, "x");
    rg_incref(item);
    CU_ASSERT_EQUAL(rg_list_append_new(notlist, item), RG_ETYPE);
    CU_ASSERT_EQUAL(rg_refcount(item), 1); /* the stolen reference was consumed */
    rg_incref(item);
    CU_ASSERT_EQUAL(rg_dict_setstr_new(notlist, "k", item), RG_ETYPE);
    CU_ASSERT_EQUAL(rg_refcount(item), 1);
    rg_incref(item);
    CU_ASSERT_EQUAL(rg_local_set_new(h, "x", item), RG_ENOFRAME);
    CU_ASSERT_EQUAL(rg_refcount(item), 1);
    /* a NULL from a failed constructor is accepted and reported */
    CU_ASSERT(rg_list_append_new(notlist, NULL) < 0);
    rg_decref(item);
    rg_decref(notlist);
    heap_end(h);
}

static void test_error_names(void) {
    CU_ASSERT_STRING_EQUAL(rg_strerror(RG_ENOMEM), "out of memory");
    CU_ASSERT_STRING_EQUAL(rg_err_name(RG_EKEY), "RG_EKEY");
    CU_ASSERT_STRING_EQUAL(rg_strerror(12345), "unknown error");
    CU_ASSERT_STRING_EQUAL(rg_strerror(0), "success");
}

int main(void) {
    static const test_case cases[] = {
        {"atoms", test_atoms},
        {"ids are sequence numbers", test_ids_are_sequence_numbers},
        {"str", test_str},
        {"equality", test_equality},
        {"tuple", test_tuple},
        {"list operations", test_list_ops},
        {"list: one item without a buffer, and back", test_list_one_item_boundaries},
        {"list: grows and shrinks as CPython's", test_list_grows_and_shrinks_as_cpython},
        {"list: allocation failures at each boundary", test_list_allocation_failures},
        {"list: 32-bit length", test_list_length_limit},
        {"list: a finalizer appending to the list being freed", test_list_finalizer_appends_while_freed},
        {"dict: a finalizer setting keys in the dict being freed", test_dict_finalizer_sets_while_freed},
        {"dict operations", test_dict_ops},
        {"dict past each index width", test_dict_wide_index},
        {"class and instance", test_class_instance},
        {"weakref", test_weakref},
        {"weakref: 64 bytes, user data beside it", test_weakref_user_data},
        {"user-defined type", test_user_type},
        {"referents and labels", test_referents_labels},
        {"_new steals even on failure", test_steal_consumes_on_failure},
        {"error names", test_error_names},
        {NULL, NULL},
    };
    return run_suite("types", cases);
}
