/* lesson.h — what every lesson prints: memory in MB, like the lessons do. */
#ifndef RG_LESSON_H
#define RG_LESSON_H

#include <stdio.h>
#include <stdlib.h>

#include "refgraph.h"

/* The list size: the lessons use 10,000,000; argv[1] overrides it (the
 * valgrind test runs them small). */
static inline long lesson_n(int argc, char **argv) {
    return argc > 1 ? strtol(argv[1], NULL, 10) : 10000000L;
}

static inline double lesson_mb(const rg_heap *h) {
    rg_heap_stats s;
    rg_heap_get_stats(h, &s);
    return (double)s.bytes_in_use / (1024.0 * 1024.0);
}

static inline void lesson_mem(const rg_heap *h, const char *when) {
    printf("  %-34s %9.2f MB\n", when, lesson_mb(h));
}

/* A list of n ints 0..n-1: a new reference, or NULL. */
static inline rg_object *lesson_int_list(rg_heap *h, long n) {
    rg_object *l = rg_list_new(h);
    for (long i = 0; l && i < n; i++) {
        if (rg_list_append_new(l, rg_int_new(h, i)) < 0) {
            rg_decref(l);
            return NULL;
        }
    }
    return l;
}

/* Destroys the heap and fails the lesson if anything leaked. */
static inline int lesson_end(rg_heap *h) {
    size_t leaked = rg_heap_destroy(h);
    if (leaked) fprintf(stderr, "lesson: %zu objects leaked\n", leaked);
    return leaked ? 1 : 0;
}

#endif
