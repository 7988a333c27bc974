/* valgrind_stale.c — reads a freed slab block on purpose. Run under
 * valgrind (ctest valgrind_stale_read), memcheck must report the read:
 * proof that the slabs poison their free blocks for valgrind too. */
#include <stdio.h>

#include "refgraph.h"

int main(void) {
    rg_heap *h = rg_heap_new();
    if (!h) return 2;
    volatile char *p = rg_heap_malloc(h, 40);
    if (!p) return 2;
    p[0] = 1;
    rg_heap_free(h, (void *)p, 40);
    int stale = p[0]; /* the bug valgrind must see */
    printf("read %d\n", stale);
    rg_heap_destroy(h);
    return 0;
}
