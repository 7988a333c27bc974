/* test_gc_diffregress.c — regression tests for differences from CPython that
 * the differential test (tests/gcdiff) found and that were bugs of the
 * collector, each the shrunk program written against the C API, with what
 * CPython 3.11 does in the comment. */
#include "testutil.h"

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

int main(void) {
    static const test_case cases[] = {
        {"freeze restarts every generation's count", test_freeze_resets_every_count},
        {NULL, NULL},
    };
    return run_suite("gc_diffregress", cases);
}
