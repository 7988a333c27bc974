/* Lesson 4: the list returned to the caller and kept stays alive.
 * Python: def func(): return list(range(10_000_000)); x = func() */
#include "lesson.h"

int main(int argc, char **argv) {
    long n = lesson_n(argc, argv);
    rg_heap *h = rg_heap_new();
    if (!h) return 1;
    printf("Lesson 4: a returned value lives on in the caller (%ld ints)\n", n);
    rg_frame_push(h, "main");
    lesson_mem(h, "before x = func()");
    lesson_snapshot(h, "lesson4", "before");
    rg_frame_push(h, "func");
    if (rg_local_set_new(h, "a", lesson_int_list(h, 0, n)) < 0) return 1;
    lesson_mem(h, "inside func(), after creating a");
    lesson_snapshot(h, "lesson4", "created");
    rg_object *ret = rg_local_get(h, "a");
    rg_incref(ret); /* the return value: a new reference for the caller */
    rg_frame_pop(h);
    rg_local_set_new(h, "x", ret);
    lesson_mem(h, "after x = func() returned");
    lesson_snapshot(h, "lesson4", "returned");
    rg_frame_pop(h);
    lesson_mem(h, "after main() returned");
    return lesson_end(h);
}
