/* Lesson 2: a list created in a function's frame is freed when the function
 * returns. Python: def func(): a = list(range(10_000_000)) */
#include "lesson.h"

int main(int argc, char **argv) {
    long n = lesson_n(argc, argv);
    rg_heap *h = rg_heap_new();
    if (!h) return 1;
    static const char L[] = "Lesson 2: a local dies with its frame";
    printf("Lesson 2: a local dies with its frame (%ld ints)\n", n);
    lesson_mem(h, "before func()");
    lesson_snapshot(h, "lesson2", L, "before", "Before calling func()", "func()",
                    "Nothing is allocated yet: the heap is empty.");
    rg_frame_push(h, "func");
    if (rg_local_set_new(h, "a", lesson_int_list(h, 0, n)) < 0) return 1;
    lesson_mem(h, "inside func(), after creating a");
    lesson_snapshot(h, "lesson2", L, "created", "Inside func(), after creating a", "a = list(range(n))",
                    "The list and its ints exist while func() runs; the frame's local a holds the list.");
    rg_frame_pop(h);
    lesson_mem(h, "after func() returned");
    lesson_snapshot(h, "lesson2", L, "returned", "After func() returned", "return  # a goes with the frame",
                    "The frame held the only reference: the list and its ints are freed as func() returns.");
    return lesson_end(h);
}
