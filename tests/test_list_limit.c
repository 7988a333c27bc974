/* test_list_limit.c — a list's length limit, reached by appending: this
 * suite links its own build of core/src/list.c with RG__LIST_MAX of 6
 * (tests/CMakeLists.txt) in place of the library's, whose limit of
 * 2^32 - 1 items would take 32 GiB to reach. */
#include "testheap.h"

#if RG__LIST_MAX != 6
#error "test_list_limit is built with RG__LIST_MAX=6"
#endif

static void test_append_and_insert_at_the_limit(void) {
    rg_heap *h = heap_new();
    rg_object *x = rg_int_new(h, 7), *l = rg_list_new(h);
    for (int i = 0; i < 5; i++) CU_ASSERT_EQUAL_FATAL(rg_list_append(l, x), 0);
    /* 5 items would over-allocate to 8: held to the limit */
    CU_ASSERT_EQUAL(rg_sizeof(l), LIST_BYTES + 6 * sizeof(void *));
    CU_ASSERT_EQUAL(rg_list_insert(l, 0, x), 0);
    CU_ASSERT_EQUAL(rg_list_size(l), 6);
    CU_ASSERT_EQUAL(rg_list_append(l, x), RG_ERANGE);
    CU_ASSERT_EQUAL(rg_heap_errno(h), RG_ERANGE);
    CU_ASSERT_EQUAL(rg_list_insert(l, 0, x), RG_ERANGE);
    rg_object *y = rg_int_new(h, 8);
    rg_incref(y);
    CU_ASSERT_EQUAL(rg_list_append_new(l, y), RG_ERANGE); /* consumed anyway */
    CU_ASSERT_EQUAL(rg_refcount(y), 1);
    CU_ASSERT_EQUAL(rg_list_insert_new(l, 3, y), RG_ERANGE);
    CU_ASSERT_EQUAL(rg_list_size(l), 6);
    CU_ASSERT_EQUAL(rg_refcount(x), 7);
    CU_ASSERT_EQUAL(rg_sizeof(l), LIST_BYTES + 6 * sizeof(void *));
    CU_ASSERT_EQUAL(rg_list_reserve(l, 7), RG_ERANGE);
    CU_ASSERT_EQUAL(rg_list_reserve(l, 6), 0);
    /* below the limit again, it takes items */
    rg_decref(rg_list_pop(l, 0));
    CU_ASSERT_EQUAL(rg_list_append(l, x), 0);
    CU_ASSERT_EQUAL(rg_list_size(l), 6);
    rg_decref(l);
    CU_ASSERT_EQUAL(rg_refcount(x), 1);
    rg_decref(x);
    heap_end(h);
}

static void test_reserve_at_the_limit(void) {
    rg_heap *h = heap_new();
    rg_object *l = rg_list_new(h);
    CU_ASSERT_EQUAL(rg_list_reserve(l, 7), RG_ERANGE);
    CU_ASSERT_EQUAL(rg_sizeof(l), LIST_BYTES);
    CU_ASSERT_EQUAL(rg_list_reserve(l, 6), 0);
    CU_ASSERT_EQUAL(rg_sizeof(l), LIST_BYTES + 6 * sizeof(void *));
    rg_decref(l);
    heap_end(h);
}

int main(void) {
    static const test_case cases[] = {
        {"append and insert at the limit", test_append_and_insert_at_the_limit},
        {"reserve at the limit", test_reserve_at_the_limit},
        {NULL, NULL},
    };
    return run_suite("list_limit", cases);
}
