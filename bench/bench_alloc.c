/* bench_alloc — allocating and releasing 10,000,000 small objects (ints and
 * one-element lists) against plain malloc/free of the same sizes, in the
 * same run. Releasing includes destroying the heap afterwards: a program
 * pays for that too. Prints one JSON line per case and round; the runner takes
 * medians. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "refgraph.h"

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* What the heap's objects cost in plain malloc: the same block sizes, the
 * same lifetime pattern (allocate all, then free all). */
static double plain(long n, size_t obj_size, size_t extra_size, void **slots) {
    double t0 = now();
    for (long i = 0; i < n; i++) {
        char *p = malloc(obj_size);
        if (!p) abort();
        memset(p, 0, obj_size);
        if (extra_size) {
            void *q = malloc(extra_size);
            if (!q) abort();
            memcpy(p + obj_size - sizeof q, &q, sizeof q);
        }
        slots[i] = p;
    }
    for (long i = 0; i < n; i++) {
        if (extra_size) {
            void *q;
            memcpy(&q, (char *)slots[i] + obj_size - sizeof q, sizeof q);
            free(q);
        }
        free(slots[i]);
    }
    return now() - t0;
}

static double ours(long n, int lists, rg_object **slots) {
    rg_heap *h = rg_heap_new();
    rg_gc_disable(h); /* allocation cost, not collection */
    double t0 = now();
    for (long i = 0; i < n; i++) {
        rg_object *o = rg_int_new(h, i);
        if (lists) {
            rg_object *l = rg_list_new(h);
            rg_list_append_new(l, o);
            o = l;
        }
        slots[i] = o;
    }
    for (long i = 0; i < n; i++) rg_decref(slots[i]);
    rg_heap_destroy(h);
    return now() - t0;
}

static int count_one(rg_object *o, void *arg) {
    (void)o;
    (*(long *)arg)++;
    return 0;
}

/* A walk of the atoms after churn: n ints made (and one rg_heap_trim
 * with all of them alive), nine in ten freed in random order, then one
 * rg_heap_foreach and one rg_heap_trim, each
 * against the floor of any walk: one read of each 32-byte block of an
 * n-block array (a plain loop). Prints the ratios; both step through the
 * slabs, skipping free blocks by their mark (heap.md, "Enumerating
 * atoms"). */
static void walk(long n, int round, rg_object **slots) {
    rg_heap *h = rg_heap_new();
    rg_gc_disable(h);
    for (long i = 0; i < n; i++) slots[i] = rg_int_new(h, i);
    double t0 = now();
    rg_heap_trim(h); /* nothing to give back: it must cost next to nothing */
    double live_trim = now() - t0;
    unsigned long x = 88172645463325252UL + (unsigned long)round;
    for (long i = n - 1; i > 0; i--) { /* a random order */
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        long j = (long)(x % (unsigned long)(i + 1));
        rg_object *t = slots[i];
        slots[i] = slots[j];
        slots[j] = t;
    }
    for (long i = n / 10; i < n; i++) rg_decref(slots[i]);
    long seen = 0;
    t0 = now();
    rg_heap_foreach(h, count_one, &seen);
    double a = now() - t0;
    t0 = now();
    size_t trimmed = rg_heap_trim(h);
    double c = now() - t0;
    uint64_t *blocks = malloc((size_t)n * 32);
    if (!blocks) abort();
    memset(blocks, 1, (size_t)n * 32);
    volatile uint64_t sum = 0;
    t0 = now();
    for (long i = 0; i < n; i++) sum += blocks[i * 4];
    double b = now() - t0;
    free(blocks);
    printf("{\"bench\":\"alloc\",\"case\":\"walk_after_random_frees\",\"n\":%ld,\"round\":%d,\"live\":%ld,"
           "\"refgraph_s\":%.4f,\"scan_s\":%.4f,\"ratio\":%.3f}\n",
           n, round, seen, a, b, a / b);
    printf("{\"bench\":\"alloc\",\"case\":\"trim_after_random_frees\",\"n\":%ld,\"round\":%d,\"trimmed\":%zu,"
           "\"refgraph_s\":%.4f,\"scan_s\":%.4f,\"ratio\":%.3f}\n",
           n, round, trimmed, c, b, c / b);
    printf("{\"bench\":\"alloc\",\"case\":\"trim_all_live\",\"n\":%ld,\"round\":%d,"
           "\"refgraph_s\":%.6f,\"scan_s\":%.4f,\"ratio\":%.4f}\n",
           n, round, live_trim, b, live_trim / b);
    for (long i = 0; i < n / 10; i++) rg_decref(slots[i]);
    rg_heap_destroy(h);
}

int main(int argc, char **argv) {
#ifdef __GLIBC__
    /* Keep freed memory in the process: otherwise whichever side runs after
     * a trim pays a gigabyte of page faults, and the figure measures the
     * kernel rather than the allocators. */
    mallopt(M_TRIM_THRESHOLD, -1);
    mallopt(M_MMAP_THRESHOLD, 1 << 30);
#endif
    long n = argc > 1 ? strtol(argv[1], NULL, 10) : 10000000L;
    int rounds = argc > 2 ? atoi(argv[2]) : 3;
    void **slots = malloc((size_t)n * sizeof *slots);
    if (!slots) return 1;
    rg_heap *probe = rg_heap_new();
    rg_object *i1 = rg_int_new(probe, 1), *l1 = rg_list_new(probe);
    rg_list_append(l1, i1);
    size_t int_size = rg_sizeof(i1), list_size = rg_list_type.basic_size;
    size_t list_extra = rg_sizeof(l1) - list_size;
    rg_decref(l1);
    rg_decref(i1);
    rg_heap_destroy(probe);
    /* A warm-up of each, so neither side pays for first-touch page faults. */
    ours(n, 1, (rg_object **)slots);
    plain(n, list_size, list_extra, slots);
    for (int r = 0; r < rounds; r++) {
        /* Alternate which side runs first: the allocator's state after one
         * run favours the next. */
        double a, b;
        if (r % 2) {
            b = plain(n, int_size, 0, slots);
            a = ours(n, 0, (rg_object **)slots);
        } else {
            a = ours(n, 0, (rg_object **)slots);
            b = plain(n, int_size, 0, slots);
        }
        printf("{\"bench\":\"alloc\",\"case\":\"int\",\"n\":%ld,\"round\":%d,\"refgraph_s\":%.4f,"
               "\"malloc_s\":%.4f,\"ratio\":%.3f}\n",
               n, r, a, b, a / b);
        /* A one-element list is an int, a list and its item buffer. */
        double c, d;
        if (r % 2) {
            c = plain(n, list_size, list_extra, slots);
            d = plain(n, int_size, 0, slots);
            a = ours(n, 1, (rg_object **)slots);
        } else {
            a = ours(n, 1, (rg_object **)slots);
            c = plain(n, list_size, list_extra, slots);
            d = plain(n, int_size, 0, slots);
        }
        printf("{\"bench\":\"alloc\",\"case\":\"list1\",\"n\":%ld,\"round\":%d,\"refgraph_s\":%.4f,"
               "\"malloc_s\":%.4f,\"ratio\":%.3f}\n",
               n, r, a, c + d, a / (c + d));
        walk(n, r, (rg_object **)slots);
        fflush(stdout);
    }
    free(slots);
    return 0;
}
