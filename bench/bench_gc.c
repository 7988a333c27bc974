/* bench_gc — one full collection on six heap shapes (pairs, ring, tree,
 * touched_fresh: the tree after the program touched every node, before any
 * collection; touched: the same once the tree has been through a full
 * collection (long-lived); mixed: a long-lived touched tree of n lists plus
 * n/10 garbage pairs, inst), automatic collection off while building; and the cost of automatic
 * collection while building a tree. Prints one JSON line per case, size and
 * round; gc_peer.py runs the same shapes in CPython and compare.py prints
 * the ratios. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "refgraph.h"

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* Each builder returns what the program keeps (NULL: everything dropped). */
static rg_object *build_pairs(rg_heap *h, long n) {
    for (long i = 0; i < n / 2; i++) {
        rg_object *a = rg_list_new(h), *b = rg_list_new(h);
        rg_list_append(a, b);
        rg_list_append_new(b, a);
        rg_decref(b);
    }
    return NULL;
}

static rg_object *build_ring(rg_heap *h, long n) {
    rg_object *first = rg_list_new(h), *cur = first;
    rg_incref(cur);
    for (long i = 1; i < n; i++) {
        rg_object *next = rg_list_new(h);
        rg_list_append_new(cur, next);
        cur = next;
    }
    rg_list_append(cur, first);
    rg_decref(first);
    rg_decref(first);
    return NULL;
}

/* A binary tree of n lists in heap order: node i holds 2i+1 and 2i+2. */
static rg_object *build_tree(rg_heap *h, long n) {
    rg_object **nodes = malloc((size_t)n * sizeof *nodes);
    for (long i = 0; i < n; i++) nodes[i] = rg_list_new(h);
    for (long i = n - 1; i > 0; i--) rg_list_insert_new(nodes[(i - 1) / 2], 0, nodes[i]);
    rg_object *root = nodes[0];
    free(nodes);
    return root;
}

/* The tree, then touched as a program touches what it uses: every node
 * increfed and decrefed once (a decrement to a non-zero count). */
static int touch(rg_object *t, rg_label label, void *arg) {
    (void)label;
    rg_object ***top = arg;
    *(*top)++ = t;
    return 0;
}

static void touch_all(rg_object *root, long n) {
    rg_object **stack = malloc((size_t)n * sizeof *stack), **top = stack;
    *top++ = root;
    while (top > stack) { /* each node is pushed once: a tree */
        rg_object *o = *--top;
        rg_incref(o);
        rg_decref(o);
        rg_traverse(o, touch, &top);
    }
    free(stack);
}

/* A fresh tree, touched before any collection saw it: the timed collection
 * is its first, so it examines every node. */
static rg_object *build_touched_fresh(rg_heap *h, long n) {
    rg_object *root = build_tree(h, n);
    touch_all(root, n);
    return root;
}

/* A long-lived tree: it has been through a full collection (as anything a
 * running program keeps has), then the program touches every node. */
static rg_object *build_touched(rg_heap *h, long n) {
    rg_object *root = build_tree(h, n);
    rg_gc_collect(h, 2);
    touch_all(root, n);
    return root;
}

/* A live touched tree of n lists plus n/10 garbage pairs (n/5 lists). */
static rg_object *build_mixed(rg_heap *h, long n) {
    rg_object *root = build_touched(h, n);
    build_pairs(h, n / 5);
    return root;
}

static rg_object *build_inst(rg_heap *h, long n) {
    rg_object *cls = rg_class_new(h, "Node");
    for (long i = 0; i < n / 2; i++) {
        rg_object *a = rg_instance_new(h, cls), *b = rg_instance_new(h, cls);
        rg_setattr(a, "other", b);
        rg_setattr_new(b, "other", a);
        rg_decref(b);
    }
    return cls; /* the class stays, as a Python class would */
}

typedef struct shape {
    const char *name;
    rg_object *(*build)(rg_heap *h, long n);
} shape;

static double tree_build_ms(int gc_on) {
    rg_heap *h = rg_heap_new();
    if (!gc_on) rg_gc_disable(h);
    double t0 = now_ms();
    rg_object *root = build_tree(h, 1000000);
    double ms = now_ms() - t0;
    rg_decref(root);
    rg_heap_destroy(h);
    return ms;
}

int main(int argc, char **argv) {
#ifdef __GLIBC__
    /* Keep freed memory in the process, so that no run pays the page faults
     * of memory the previous one gave back: the figures are the collector's. */
    mallopt(M_TRIM_THRESHOLD, -1);
    mallopt(M_MMAP_THRESHOLD, 1 << 30);
#endif
    int rounds = argc > 1 ? atoi(argv[1]) : 3;
    tree_build_ms(1); /* warm-up */
    static const shape shapes[] = {
        {"pairs", build_pairs}, {"ring", build_ring}, {"tree", build_tree},
                                   {"touched_fresh", build_touched_fresh}, {"touched", build_touched}, {"mixed", build_mixed}, {"inst", build_inst}};
    static const long sizes[] = {100000, 1000000};
    for (int r = 0; r < rounds; r++) {
        for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++) {
            for (size_t z = 0; z < 2; z++) {
                long n = sizes[z];
                rg_heap *h = rg_heap_new();
                rg_gc_disable(h);
                double t0 = now_ms();
                rg_object *kept = shapes[s].build(h, n);
                double t1 = now_ms();
                long found = rg_gc_collect(h, 2);
                double t2 = now_ms();
                rg_decref(kept);
                rg_heap_destroy(h);
                printf("{\"bench\":\"gc\",\"impl\":\"refgraph\",\"case\":\"%s\",\"n\":%ld,\"round\":%d,"
                       "\"build_ms\":%.2f,\"collect_ms\":%.2f,\"collect_returned\":%ld,\"ns_per_obj\":%.2f}\n",
                       shapes[s].name, n, r, t1 - t0, t2 - t1, found,
                       (t2 - t1) * 1e6 / (double)(shapes[s].build == build_mixed ? n + n / 5 : n));
                fflush(stdout);
            }
        }
        /* Automatic collection while building a 1M-list tree: on vs off. */
        /* off, on, on, off: each sits once early and once late in the
         * round, so that the order (which moves the figures by ~15 ms
         * here) cancels out. */
        double ms[2];
        ms[0] = tree_build_ms(0);
        ms[1] = tree_build_ms(1);
        ms[1] = (ms[1] + tree_build_ms(1)) / 2;
        ms[0] = (ms[0] + tree_build_ms(0)) / 2;
        printf("{\"bench\":\"gc\",\"impl\":\"refgraph\",\"case\":\"autogc_tree\",\"n\":1000000,\"round\":%d,"
               "\"off_ms\":%.2f,\"on_ms\":%.2f,\"on_off_ratio\":%.3f}\n",
               r, ms[0], ms[1], ms[1] / ms[0]);
        fflush(stdout);
    }
    return 0;
}
