/* Lesson 5: two lists that reference each other survive their function:
 * reference counting alone never frees a cycle; one collection does.
 * Python: def func(): a = [...]; b = [...]; a.append(b); b.append(a) */
#include "lesson.h"

int main(int argc, char **argv) {
    long n = lesson_n(argc, argv);
    rg_heap *h = rg_heap_new();
    if (!h) return 1;
    static const char L[] = "Lesson 5: a reference cycle needs the collector";
    printf("Lesson 5: a reference cycle needs the collector (2 x %ld ints)\n", n);
    lesson_mem(h, "before func()");
    lesson_snapshot(h, "lesson5", L, "before", "Before calling func()", "func()",
                    "Nothing is allocated yet: the heap is empty.");
    rg_frame_push(h, "func");
    /* a = [1, 2, 3], b = [4, 5, 6] with the default size 3 of the picture */
    if (rg_local_set_new(h, "a", lesson_int_list(h, 1, n)) < 0) return 1;
    if (rg_local_set_new(h, "b", lesson_int_list(h, n + 1, n)) < 0) return 1;
    rg_object *a = rg_local_get(h, "a"), *b = rg_local_get(h, "b");
    rg_list_append(a, b);
    rg_list_append(b, a);
    lesson_mem(h, "inside func(), a and b linked");
    lesson_snapshot(h, "lesson5", L, "linked", "Inside func(): a and b reference each other",
                    "a = [1, 2, 3]\nb = [4, 5, 6]\na.append(b)\nb.append(a)",
                    "Each list holds the other: refcount 2 each (a frame local and the other list).");
    printf("  refcounts: a %ld, b %ld (a frame local and the other list)\n", (long)rg_refcount(a),
           (long)rg_refcount(b));
    rg_frame_pop(h);
    lesson_mem(h, "after func() returned");
    lesson_snapshot(h, "lesson5", L, "returned", "After func() returned: the cycle is garbage",
                    "return  # a and b go with the frame",
                    "The locals are gone, yet each list still holds the other: refcount 1 each, never 0. "
                    "No root reaches them: reference counting alone never frees a cycle.");
    long found = rg_gc_collect(h, 2);
    printf("  gc collect found %ld unreachable objects\n", found);
    lesson_mem(h, "after one collection");
    lesson_snapshot(h, "lesson5", L, "collected", "After one collection", "gc.collect()",
                    "The cycle collector finds the unreachable cycle and frees it.");
    return lesson_end(h);
}
