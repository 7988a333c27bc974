/* Lesson 3: the same list bound to a global stays after the function
 * returns. Python: def func(): global a; a = list(range(10_000_000)) */
#include "lesson.h"

int main(int argc, char **argv) {
    long n = lesson_n(argc, argv);
    rg_heap *h = rg_heap_new();
    if (!h) return 1;
    static const char L[] = "Lesson 3: a global outlives the function";
    printf("Lesson 3: a global outlives the function (%ld ints)\n", n);
    lesson_mem(h, "before func()");
    lesson_snapshot(h, "lesson3", L, "before", "Before calling func()", "func()",
                    "Nothing is allocated yet: the heap is empty.");
    rg_frame_push(h, "func");
    if (rg_global_set_new(h, "a", lesson_int_list(h, 0, n)) < 0) return 1;
    lesson_mem(h, "inside func(), after creating a");
    lesson_snapshot(h, "lesson3", L, "created", "Inside func(), after creating a",
                    "global a\na = list(range(n))", "The list is bound to the global a, not to the frame.");
    rg_frame_pop(h);
    lesson_mem(h, "after func() returned");
    lesson_snapshot(h, "lesson3", L, "returned", "After func() returned", "return",
                    "The frame is gone but the global still holds the list: nothing is freed.");
    rg_global_del(h, "a");
    lesson_mem(h, "after del a");
    lesson_snapshot(h, "lesson3", L, "deleted", "After del a", "del a",
                    "Deleting the global drops the last reference: the list and its ints are freed.");
    return lesson_end(h);
}
