/* test_threads.c — independent heaps on concurrent threads share nothing.
 * Built with ThreadSanitizer (when the compiler has it) against a core
 * compiled the same way, so any data race between heaps fails the test. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "refgraph.h"

#define THREADS 4
#define ROUNDS 50

static void *work(void *arg) {
    long *failures = arg;
    for (int round = 0; round < ROUNDS; round++) {
        rg_heap *h = rg_heap_new(); /* every thread makes heaps at once */
        if (!h) {
            (*failures)++;
            continue;
        }
        rg_frame_push(h, "f");
        for (int i = 0; i < 20; i++) {
            rg_object *a = rg_list_new(h), *b = rg_list_new(h);
            rg_list_append(a, b);
            rg_list_append_new(b, a); /* a <-> b, our reference to a stolen */
            rg_local_set_new(h, "b", b);
        }
        rg_frame_pop(h);
        if (rg_gc_collect(h, 2) != 40) (*failures)++; /* every pair */
        if (rg_heap_destroy(h) != 0) (*failures)++;
    }
    return NULL;
}

/* Kinds: every heap claims entries of the process-wide (heap, type) table
 * for the types it uses, while other threads' heaps claim theirs and
 * destroyed heaps give theirs back. Each thread makes heaps using every
 * built-in type and many user types of its own, and checks that each
 * object still names its heap and type. One thread also takes every kind
 * left for a while: the others then fail cleanly (RG_ERANGE, or no heap),
 * and succeed again once it gives them back. */
#define USER_TYPES 64
#define GREEDY_TYPES 66000

static int nothing(rg_object *self, rg_visit_fn visit, void *arg) {
    (void)self, (void)visit, (void)arg;
    return 0;
}
static void clear_nothing(rg_object *self) { (void)self; }

static _Atomic long refused;
static _Atomic int greedy_done; /* objects or heaps refused for want of kinds: timing decides how many */

static void *kinds_work(void *arg) {
    long *failures = arg;
    rg_type types[USER_TYPES];
    for (int i = 0; i < USER_TYPES; i++)
        types[i] = (rg_type){.name = "U", .basic_size = sizeof(rg_object) + 8,
                             .traverse = (i % 2) ? nothing : NULL, .clear = (i % 2) ? clear_nothing : NULL};
    /* until the greedy thread is done, so that they overlap; bounded */
    for (int round = 0; round < 100 * ROUNDS && (round < ROUNDS || !greedy_done); round++) {
        rg_heap *h = rg_heap_new();
        if (!h) { /* the kinds are taken: the greedy thread's moment */
            refused++;
            continue;
        }
        rg_object *objs[USER_TYPES + 8] = {0};
        const rg_type *want[USER_TYPES + 8];
        size_t n = 0;
        rg_object *c = rg_class_new(h, "C");
        want[n] = &rg_class_type, objs[n++] = c;
        want[n] = &rg_instance_type, objs[n++] = c ? rg_instance_new(h, c) : NULL;
        want[n] = &rg_int_type, objs[n++] = rg_int_new(h, round);
        want[n] = &rg_float_type, objs[n++] = rg_float_new(h, 0.5);
        want[n] = &rg_str_type, objs[n++] = rg_str_new(h, "s");
        want[n] = &rg_dict_type, objs[n++] = rg_dict_new(h);
        want[n] = &rg_tuple_type, objs[n++] = rg_tuple_new(h, 0, NULL);
        want[n] = &rg_weakref_type, objs[n++] = c ? rg_weakref_new(h, c, NULL, NULL) : NULL;
        for (int i = 0; i < USER_TYPES; i++) want[n] = &types[i], objs[n++] = rg_object_new(h, &types[i]);
        for (size_t i = 0; i < n; i++) {
            if (!objs[i]) {
                if (rg_heap_errno(h) != RG_ERANGE) (*failures)++;
                refused++;
                continue;
            }
            if (rg_type_of(objs[i]) != want[i] || rg_object_heap(objs[i]) != h) (*failures)++;
        }
        for (size_t i = n; i-- > 0;) rg_decref(objs[i]);
        if (rg_heap_destroy(h) != 0) (*failures)++;
    }
    return NULL;
}

static void *greedy(void *arg) {
    long *failures = arg;
    rg_type *types = calloc(GREEDY_TYPES, sizeof *types);
    rg_object **objs = calloc(GREEDY_TYPES, sizeof *objs);
    if (!types || !objs) {
        (*failures)++;
        free(types);
        free(objs);
        return NULL;
    }
    for (int round = 0; round < 3; round++) {
        rg_heap *h = rg_heap_new();
        if (!h) continue;
        size_t made = 0;
        for (size_t i = 0; i < GREEDY_TYPES; i++) {
            types[i] = (rg_type){.name = "G", .basic_size = sizeof(rg_object)};
            objs[i] = rg_object_new(h, &types[i]);
            if (!objs[i]) break;
            made++;
        }
        if (made == GREEDY_TYPES || rg_heap_errno(h) != RG_ERANGE) (*failures)++;
        for (size_t i = 0; i < made; i++) {
            if (rg_type_of(objs[i]) != &types[i] || rg_object_heap(objs[i]) != h) (*failures)++;
            rg_decref(objs[i]);
        }
        if (rg_heap_destroy(h) != 0) (*failures)++;
    }
    free(types);
    free(objs);
    greedy_done = 1;
    return NULL;
}

int main(void) {
    pthread_t t[THREADS];
    long failures[THREADS] = {0};
    for (int i = 0; i < THREADS; i++)
        if (pthread_create(&t[i], NULL, work, &failures[i]) != 0) return 1;
    long total = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
        total += failures[i];
    }
    printf("%d threads x %d heaps: %ld failures\n", THREADS, ROUNDS, total);
    long kfail[THREADS] = {0};
    for (int i = 0; i < THREADS; i++)
        if (pthread_create(&t[i], NULL, i == 0 ? greedy : kinds_work, &kfail[i]) != 0) return 1;
    long ktotal = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
        ktotal += kfail[i];
    }
    printf("kinds: %d threads x %d+ heaps of %d user types, one taking every kind: %ld failures (%ld refused)\n",
           THREADS - 1, ROUNDS, USER_TYPES, ktotal, (long)refused);
    return total != 0 || ktotal != 0;
}
