/* Lesson 4: the list returned to the caller and kept stays alive.
 * Python: def func(): return list(range(10_000_000)); x = func() */
#include "lesson.h"

int main(int argc, char **argv) {
    long n = lesson_n(argc, argv);
    rg_heap *h = rg_heap_new();
    if (!h) return 1;
    static const char L[] = "Lesson 4: a returned value lives on in the caller";
    printf("Lesson 4: a returned value lives on in the caller (%ld ints)\n", n);
    rg_frame_push(h, "main");
    lesson_mem(h, "before x = func()");
    lesson_snapshot(h, "lesson4", L, "before", "Before x = func()", "x = func()",
                    "Nothing is allocated yet: the heap is empty.");
    rg_frame_push(h, "func");
    if (rg_local_set_new(h, "a", lesson_int_list(h, 0, n)) < 0) return 1;
    lesson_mem(h, "inside func(), after creating a");
    lesson_snapshot(h, "lesson4", L, "created", "Inside func(), after creating a", "a = list(range(n))",
                    "func()'s local a holds the new list.");
    rg_object *ret = rg_local_get(h, "a");
    rg_incref(ret); /* the return value: a new reference for the caller */
    rg_frame_pop(h);
    rg_local_set_new(h, "x", ret);
    lesson_mem(h, "after x = func() returned");
    lesson_snapshot(h, "lesson4", L, "returned", "After x = func() returned", "return a  # x = func()",
                    "func()'s frame is gone, but the caller's x took the returned reference: the list lives on.");
    rg_frame_pop(h);
    lesson_mem(h, "after main() returned");
    lesson_snapshot(h, "lesson4", L, "main-returned", "After main() returned", "return  # from main()",
                    "x went with main()'s frame: the list and its ints are freed.");
    return lesson_end(h);
}
