/* lesson.h — what every lesson prints: memory in MiB (2^20 bytes), the unit
 * refgraph uses everywhere. */
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
    printf("  %-34s %9.2f MiB\n", when, lesson_mb(h));
}

/* A list of the n ints first, first+1, ...: a new reference, or NULL. Its
 * size is known in advance, as list(range(n)) knows it. */
static inline rg_object *lesson_int_list(rg_heap *h, long first, long n) {
    rg_object *l = rg_list_new(h);
    if (l && n > 0 && rg_list_reserve(l, (size_t)n) < 0) {
        rg_decref(l);
        return NULL;
    }
    for (long i = 0; l && i < n; i++) {
        if (rg_list_append_new(l, rg_int_new(h, first + i)) < 0) {
            rg_decref(l);
            return NULL;
        }
    }
    return l;
}

static inline int lesson_count_ref(rg_object *t, rg_label l, void *arg) {
    (void)t;
    (void)l;
    (*(size_t *)arg)++;
    return 0;
}

static inline int lesson_count_refs(rg_object *o, void *arg) {
    rg_traverse(o, lesson_count_ref, arg);
    if (rg_weakref_get(o)) (*(size_t *)arg)++; /* the dump shows weak edges too */
    return 0;
}

/* With RG_SNAPSHOT_DIR set, writes the heap to
 * <dir>/<lesson>-<NN>-<step>.jsonl, with the step's title, the line(s) of
 * code that led to it and a caption in the dump header's "step" field
 * (docs/dump-format.md; refgraph story shows them), and prints one line
 * with the objects and references the heap has, which the tests compare
 * with what the loader reads. */
static inline void lesson_snapshot(rg_heap *h, const char *lesson, const char *title, const char *step,
                                   const char *step_title, const char *code, const char *caption) {
    static int n;
    const char *dir = getenv("RG_SNAPSHOT_DIR");
    if (!dir) return;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s-%02d-%s.jsonl", dir, lesson, ++n, step);
    rg_error err = {0};
    rg_dump_options opts = {0};
    opts.step = (rg_dump_step){title, step_title, code, caption};
    if (rg_heap_dump(h, path, &opts, &err) != 0) {
        fprintf(stderr, "lesson: cannot write '%s': %s\n", path, err.text);
        exit(1);
    }
    rg_heap_stats s;
    rg_heap_get_stats(h, &s);
    size_t refs = 0;
    rg_heap_foreach(h, lesson_count_refs, &refs);
    printf("  snapshot %s objects %zu references %zu\n", path, s.live_objects, refs);
}

/* Destroys the heap and fails the lesson if anything leaked. */
static inline int lesson_end(rg_heap *h) {
    size_t leaked = rg_heap_destroy(h);
    if (leaked) fprintf(stderr, "lesson: %zu objects leaked\n", leaked);
    return leaked ? 1 : 0;
}

#endif
