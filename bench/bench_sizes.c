/* bench_sizes — bytes per object of each built-in type, at a few sizes.
 *
 * Usage: bench_sizes CASE [N]   (bench_sizes --list names the cases)
 *
 * Builds N objects of one kind in a fresh heap, each kept by a pointer in a
 * plain C array (not in the heap), and prints one JSON line: the heap's own
 * accounting (bytes_in_use growth, size-class rounding included) and the
 * process's resident memory growth, each divided by N. Whatever the objects
 * refer to (the items of a list, the keys of a dict) is one shared object
 * made before the measurement, so each figure is the object itself plus the
 * buffers it owns. sizes_peer.py builds the same objects in CPython; sizes.py
 * runs both, one process per case, and compare.py prints the ratios. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "refgraph.h"

static long rss_kib(void) {
    FILE *f = fopen("/proc/self/status", "r");
    if (!f) return -1;
    char line[256];
    long kib = -1;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "VmRSS:", 6) == 0) kib = strtol(line + 6, NULL, 10);
    fclose(f);
    return kib;
}

static void weak_cb(rg_object *wr, void *ud) {
    (void)wr;
    (void)ud;
}

typedef struct ctx {
    rg_heap *h;
    rg_object *shared; /* what every object refers to */
    rg_object *keys[100];
    rg_object *cls;
} ctx;

/* One object of the case; NULL when out of memory. */
static rg_object *make(const char *c, ctx *x, long i) {
    rg_heap *h = x->h;
    char buf[128];
    if (!strcmp(c, "int")) return rg_int_new(h, 1000000 + i);
    if (!strcmp(c, "float")) return rg_float_new(h, (double)i + 0.5);
    if (!strcmp(c, "str8")) {
        snprintf(buf, sizeof buf, "k%07ld", i % 10000000);
        return rg_str_new(h, buf);
    }
    if (!strcmp(c, "str100")) {
        snprintf(buf, sizeof buf, "%092d%08ld", 0, i % 100000000);
        return rg_str_new(h, buf);
    }
    if (!strncmp(c, "tuple", 5)) {
        size_t n = (size_t)atoi(c + 5);
        rg_object *items[100];
        for (size_t k = 0; k < n; k++) items[k] = x->shared;
        return rg_tuple_new(h, n, items);
    }
    if (!strncmp(c, "list", 4)) {
        long n = atol(c + 4);
        rg_object *l = rg_list_new(h);
        for (long k = 0; l && k < n; k++)
            if (rg_list_append(l, x->shared) < 0) return NULL;
        return l;
    }
    if (!strncmp(c, "dict", 4)) {
        long n = atol(c + 4);
        rg_object *d = rg_dict_new(h);
        for (long k = 0; d && k < n; k++)
            if (rg_dict_set(d, x->keys[k], x->shared) < 0) return NULL;
        return d;
    }
    if (!strcmp(c, "class")) {
        snprintf(buf, sizeof buf, "C%ld", i);
        return rg_class_new(h, buf);
    }
    if (!strncmp(c, "inst", 4)) {
        long n = atol(c + 4);
        rg_object *o = rg_instance_new(h, x->cls);
        static const char *names[] = {"a0", "a1", "a2", "a3"};
        for (long k = 0; o && k < n; k++)
            if (rg_setattr(o, names[k], x->shared) < 0) return NULL;
        return o;
    }
    if (!strcmp(c, "weakref")) return rg_weakref_new(h, x->shared, weak_cb, NULL);
    return NULL;
}

static const char *const cases[] = {"none",   "bool",   "int",    "float",  "str8",   "str100",
                                    "tuple1", "tuple4", "tuple100", "list0", "list1", "list4",
                                    "list100", "dict0", "dict1",   "dict4",  "dict100", "class",
                                    "inst0",  "inst2",  "inst4",  "weakref"};

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: bench_sizes CASE [N] | --list\n");
        return 2;
    }
    const char *c = argv[1];
    if (!strcmp(c, "--list")) {
        for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) printf("%s\n", cases[i]);
        return 0;
    }
    long n = argc > 2 ? atol(argv[2]) : 200000;
    rg_heap *h = rg_heap_new();
    if (!h || n <= 0) return 1;
    rg_gc_disable(h);
    if (!strcmp(c, "none") || !strcmp(c, "bool")) {
        /* Singletons: the one object's block. */
        rg_object *o = !strcmp(c, "none") ? rg_none_new(h) : rg_bool_new(h, 1);
        printf("{\"bench\":\"sizes\",\"impl\":\"refgraph\",\"case\":\"%s\",\"n\":1,\"bytes_per_obj\":%zu}\n",
               c, rg_sizeof(o));
        rg_decref(o);
        return rg_heap_destroy(h) ? 1 : 0;
    }
    ctx x = {h, NULL, {0}, NULL};
    x.shared = rg_class_new(h, "Shared");
    x.cls = rg_class_new(h, "C");
    for (int k = 0; k < 100; k++) x.keys[k] = rg_int_new(h, 5000000 + k);
    rg_object **keep = calloc((size_t)n, sizeof *keep);
    if (!keep) return 1;
    for (long i = 0; i < n; i++) keep[i] = x.shared; /* resident before the measurement */
    rg_heap_stats s0, s1;
    rg_heap_get_stats(h, &s0);
    long r0 = rss_kib();
    for (long i = 0; i < n; i++) {
        keep[i] = make(c, &x, i);
        if (!keep[i]) {
            fprintf(stderr, "bench_sizes: cannot make '%s'\n", c);
            return 1;
        }
    }
    long r1 = rss_kib();
    rg_heap_get_stats(h, &s1);
    printf("{\"bench\":\"sizes\",\"impl\":\"refgraph\",\"case\":\"%s\",\"n\":%ld,\"bytes_per_obj\":%.1f,"
           "\"rss_per_obj\":%.1f}\n",
           c, n, (double)(s1.bytes_in_use - s0.bytes_in_use) / (double)n,
           (double)(r1 - r0) * 1024.0 / (double)n);
    for (long i = 0; i < n; i++) rg_decref(keep[i]);
    free(keep);
    for (int k = 0; k < 100; k++) rg_decref(x.keys[k]);
    rg_decref(x.cls);
    rg_decref(x.shared);
    return rg_heap_destroy(h) ? 1 : 0;
}
