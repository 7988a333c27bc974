/* taste.c — the README's first example ("A taste") as a program.
 * scripts/readme.py copies the lines between the readme markers into the
 * README, runs it, and shows what refgraph says about its dumps: the code
 * and the output there cannot drift apart (test_readme). */
#include <stdio.h>

/* readme { */
#include <refgraph.h>
/* } readme */

int main(void) {
    /* readme { */
    rg_heap *h = rg_heap_new();
    if (!h) return 1;
    rg_frame_push(h, "func");                       /* def func():            */
    rg_local_set_new(h, "a", rg_list_new(h));       /*     a = []             */
    rg_local_set_new(h, "b", rg_list_new(h));       /*     b = []             */
    rg_list_append(rg_local_get(h, "a"), rg_local_get(h, "b")); /* a.append(b) */
    rg_list_append(rg_local_get(h, "b"), rg_local_get(h, "a")); /* b.append(a) */
    rg_heap_dump(h, "running.jsonl", NULL, NULL);   /* a snapshot             */
    rg_frame_pop(h);                                /* return: a and b leak   */
    rg_heap_dump(h, "returned.jsonl", NULL, NULL);
    long found = rg_gc_collect(h, 2);               /* gc.collect() -> 2      */
    size_t leaked = rg_heap_destroy(h);             /* 0: nothing leaked      */
    /* } readme */
    printf("gc.collect() found %ld; %zu objects leaked\n", found, leaked);
    return found == 2 && leaked == 0 ? 0 : 1;
}
