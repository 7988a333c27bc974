/* test_threads.c — independent heaps on concurrent threads share nothing.
 * Built with ThreadSanitizer (when the compiler has it) against a core
 * compiled the same way, so any data race between heaps fails the test. */
#include <pthread.h>
#include <stdio.h>

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
    return total != 0;
}
