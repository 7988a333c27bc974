/* Lesson 6: a weak reference breaks the cycle, so reference counting alone
 * frees both lists and no collection is needed.
 * Python: a.append(b); b.append(weakref.ref(a)) */
#include "lesson.h"

static void on_death(rg_object *wr, void *ud) {
    (void)wr;
    printf("  weakref callback: %s has died\n", (const char *)ud);
}

int main(int argc, char **argv) {
    long n = lesson_n(argc, argv);
    rg_heap *h = rg_heap_new();
    if (!h) return 1;
    rg_gc_disable(h); /* prove that no collection is involved */
    static const char L[] = "Lesson 6: a weakref breaks the cycle";
    printf("Lesson 6: a weakref breaks the cycle (2 x %ld ints)\n", n);
    lesson_mem(h, "before func()");
    lesson_snapshot(h, "lesson6", L, "before", "Before calling func() (collector disabled)",
                    "gc.disable()\nfunc()", "Nothing is allocated yet; the collector is off to show it is not needed.");
    rg_frame_push(h, "func");
    if (rg_local_set_new(h, "a", lesson_int_list(h, 1, n)) < 0) return 1;
    if (rg_local_set_new(h, "b", lesson_int_list(h, n + 1, n)) < 0) return 1;
    rg_object *a = rg_local_get(h, "a"), *b = rg_local_get(h, "b");
    rg_list_append(a, b);
    rg_list_append_new(b, rg_weakref_new(h, a, on_death, "a"));
    lesson_mem(h, "inside func(), a -> b -weak-> a");
    lesson_snapshot(h, "lesson6", L, "linked", "Inside func(): a -> b, and b -weak-> a",
                    "a = [1, 2, 3]\nb = [4, 5, 6]\na.append(b)\nb.append(weakref.ref(a))",
                    "b refers back to a only weakly: a weak reference does not count, so there is no cycle of "
                    "strong references.");
    rg_frame_pop(h);
    lesson_mem(h, "after func() returned");
    lesson_snapshot(h, "lesson6", L, "returned", "After func() returned", "return  # a and b go with the frame",
                    "a's refcount falls to 0, so a is freed, then b: reference counting alone frees it all, "
                    "with no collection.");
    rg_gc_genstats st[RG_GC_GENERATIONS];
    rg_gc_get_stats(h, st);
    printf("  collections run: %zu\n", st[0].collections + st[1].collections + st[2].collections);
    return lesson_end(h);
}
