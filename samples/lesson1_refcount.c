/* Lesson 1: the refcount of a list rises as aliases are made and falls as
 * they go. Python: a = []; b = a; c = b; ... sys.getrefcount(a). */
#include "lesson.h"

int main(void) {
    rg_heap *h = rg_heap_new();
    if (!h) return 1;
    static const char *names[] = {"a", "b", "c", "d", "e", "f", "g", "h"};
    printf("Lesson 1: every alias is one more reference\n");
    rg_frame_push(h, "main");
    rg_local_set_new(h, "a", rg_list_new(h));
    rg_object *list = rg_local_get(h, "a"); /* borrowed: the frame holds it */
    printf("  a = []                 refcount %ld\n", (long)rg_refcount(list));
    lesson_snapshot(h, "lesson1", "one-name");
    for (int i = 1; i < 8; i++) {
        rg_local_set(h, names[i], list);
        printf("  %s = %s                  refcount %ld\n", names[i], names[i - 1], (long)rg_refcount(list));
    }
    lesson_snapshot(h, "lesson1", "eight-names");
    for (int i = 7; i >= 1; i--) {
        rg_local_del(h, names[i]);
        printf("  del %s                  refcount %ld\n", names[i], (long)rg_refcount(list));
    }
    rg_frame_pop(h);
    printf("  the frame returned: the list is freed (%zu lists alive)\n",
           rg_heap_count_type(h, &rg_list_type));
    return lesson_end(h);
}
