/* test_roots.c — globals and frames, and the lessons' semantics. */
#include "testheap.h"

static void test_globals(void) {
    rg_heap *h = heap_new();
    rg_object *l = rg_list_new(h);
    CU_ASSERT_EQUAL(rg_global_set(h, "a", l), 0);
    CU_ASSERT_EQUAL(rg_refcount(l), 2);
    CU_ASSERT_PTR_EQUAL(rg_global_get(h, "a"), l);
    CU_ASSERT_PTR_NULL(rg_global_get(h, "nope"));
    CU_ASSERT_EQUAL(rg_global_set_new(h, "b", rg_int_new(h, 2)), 0);
    CU_ASSERT_EQUAL(rg_global_count(h), 2);
    const char *name;
    rg_object *v;
    CU_ASSERT_EQUAL(rg_global_at(h, 1, &name, &v), 0);
    CU_ASSERT_STRING_EQUAL(name, "b");
    CU_ASSERT_EQUAL(rg_global_at(h, 2, &name, &v), RG_EINDEX);
    CU_ASSERT_EQUAL(rg_global_set_new(h, "a", rg_int_new(h, 3)), 0); /* rebinding drops the list */
    CU_ASSERT_EQUAL(rg_refcount(l), 1);
    CU_ASSERT_EQUAL(rg_global_del(h, "a"), 0);
    CU_ASSERT_EQUAL(rg_global_del(h, "a"), RG_EKEY);
    CU_ASSERT_EQUAL(rg_global_set(h, NULL, l), RG_EINVAL);
    CU_ASSERT_EQUAL(rg_refcount(l), 1);
    rg_decref(l);
    heap_end(h); /* the remaining global "b" is dropped by teardown */
}

static void test_frames(void) {
    rg_heap *h = heap_new();
    CU_ASSERT_EQUAL(rg_frame_pop(h), RG_ENOFRAME);
    CU_ASSERT_EQUAL(rg_local_set_new(h, "x", rg_int_new(h, 1)), RG_ENOFRAME);
    CU_ASSERT_EQUAL(rg_frame_push(h, "main"), 0);
    CU_ASSERT_EQUAL(rg_frame_push(h, "func"), 0);
    CU_ASSERT_EQUAL(rg_frame_depth(h), 2);
    CU_ASSERT_STRING_EQUAL(rg_frame_name(h, 0), "main");
    CU_ASSERT_STRING_EQUAL(rg_frame_name(h, 1), "func");
    CU_ASSERT_PTR_NULL(rg_frame_name(h, 2));
    CU_ASSERT_EQUAL(rg_local_set_new(h, "x", rg_int_new(h, 1)), 0);
    CU_ASSERT_EQUAL(rg_int_value(rg_local_get(h, "x")), 1);
    CU_ASSERT_EQUAL(rg_frame_local_count(h, 1), 1);
    CU_ASSERT_EQUAL(rg_frame_local_count(h, 0), 0);
    const char *name;
    rg_object *v;
    CU_ASSERT_EQUAL(rg_frame_local_at(h, 1, 0, &name, &v), 0);
    CU_ASSERT_STRING_EQUAL(name, "x");
    CU_ASSERT_EQUAL(rg_local_del(h, "x"), 0);
    CU_ASSERT_EQUAL(rg_local_del(h, "x"), RG_EKEY);
    for (int i = 0; i < 100; i++) { /* frames grow */
        char n[16];
        snprintf(n, sizeof n, "f%d", i);
        CU_ASSERT_EQUAL(rg_frame_push(h, n), 0);
        rg_local_set_new(h, "v", rg_list_new(h));
    }
    CU_ASSERT_EQUAL(rg_heap_count_type(h, &rg_list_type), 100);
    for (int i = 0; i < 100; i++) rg_frame_pop(h);
    CU_ASSERT_EQUAL(rg_heap_count_type(h, &rg_list_type), 0);
    heap_end(h); /* main and func are still pushed: teardown pops them */
}

static void test_local_freed_on_return(void) {
    rg_heap *h = heap_new();
    rg_heap_stats before, during, after;
    rg_heap_get_stats(h, &before);
    rg_frame_push(h, "func");
    rg_object *l = rg_list_new(h);
    for (int i = 0; i < 10000; i++) rg_list_append_new(l, rg_int_new(h, i));
    rg_local_set_new(h, "a", l);
    rg_heap_get_stats(h, &during);
    CU_ASSERT(during.bytes_in_use > before.bytes_in_use + 10000 * rg_int_type.basic_size);
    rg_frame_pop(h);
    rg_heap_get_stats(h, &after);
    /* only the frame stack's own buffer remains */
    CU_ASSERT(after.bytes_in_use < before.bytes_in_use + 1024);
    CU_ASSERT_EQUAL(after.live_objects, before.live_objects);
    heap_end(h);
}

static void test_global_and_return_stay(void) {
    rg_heap *h = heap_new();
    rg_frame_push(h, "main");
    rg_frame_push(h, "func");
    rg_global_set_new(h, "g", rg_list_new(h));
    rg_local_set_new(h, "r", rg_list_new(h));
    rg_object *ret = rg_local_get(h, "r");
    rg_incref(ret); /* returned: a new reference */
    rg_frame_pop(h);
    rg_local_set_new(h, "x", ret);
    CU_ASSERT_EQUAL(rg_heap_count_type(h, &rg_list_type), 2);
    CU_ASSERT_EQUAL(rg_refcount(rg_global_get(h, "g")), 1);
    CU_ASSERT_EQUAL(rg_refcount(rg_local_get(h, "x")), 1);
    rg_frame_pop(h);
    CU_ASSERT_EQUAL(rg_heap_count_type(h, &rg_list_type), 1); /* the global */
    heap_end(h);
}

int main(void) {
    static const test_case cases[] = {
        {"globals", test_globals},
        {"frames", test_frames},
        {"a local is freed on return", test_local_freed_on_return},
        {"a global and a returned value stay", test_global_and_return_stay},
        {NULL, NULL},
    };
    return run_suite("roots", cases);
}
