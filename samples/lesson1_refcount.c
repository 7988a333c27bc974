/* Lesson 1: the refcount of a list rises as aliases are made and falls as
 * they go. Python: a = []; b = a; c = b; ... sys.getrefcount(a). */
#include "lesson.h"

int main(void) {
    rg_heap *h = rg_heap_new();
    if (!h) return 1;
    static const char *names[] = {"a", "b", "c", "d", "e", "f", "g", "h"};
    static const char L[] = "Lesson 1: every alias is one more reference";
    printf("Lesson 1: every alias is one more reference\n");
    rg_frame_push(h, "main");
    rg_local_set_new(h, "a", rg_list_new(h));
    rg_object *list = rg_local_get(h, "a"); /* borrowed: the frame holds it */
    printf("  a = []                 refcount %ld\n", (long)rg_refcount(list));
    lesson_snapshot(h, "lesson1", L, "one-name", "One name for a new list", "a = []",
                    "The frame's local a is the only reference to the list: refcount 1.");
    for (int i = 1; i < 8; i++) {
        rg_local_set(h, names[i], list);
        printf("  %s = %s                  refcount %ld\n", names[i], names[i - 1], (long)rg_refcount(list));
    }
    lesson_snapshot(h, "lesson1", L, "eight-names", "Eight names for the same list",
                    "b = a\nc = b\nd = c\ne = d\nf = e\ng = f\nh = g",
                    "Every alias is one more reference to the same list, not a copy: refcount 8.");
    for (int i = 7; i >= 1; i--) {
        rg_local_del(h, names[i]);
        printf("  del %s                  refcount %ld\n", names[i], (long)rg_refcount(list));
    }
    lesson_snapshot(h, "lesson1", L, "one-name-again", "Back to one name",
                    "del h\ndel g\ndel f\ndel e\ndel d\ndel c\ndel b",
                    "Each del removes one reference: the list is still there, refcount 1 again.");
    rg_frame_pop(h);
    lesson_snapshot(h, "lesson1", L, "returned", "The function returned", "return",
                    "Its last reference gone with the frame, the list is freed at once: no collector needed.");
    printf("  the frame returned: the list is freed (%zu lists alive)\n",
           rg_heap_count_type(h, &rg_list_type));
    return lesson_end(h);
}
