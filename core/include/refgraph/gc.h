/* refgraph/gc.h — the generational cycle collector, like CPython's gc module.
 *
 * Reference counting frees everything except cycles. The collector finds
 * them by trial deletion over the tracked containers of one or more
 * generations: what only the candidates themselves reference is garbage.
 */
#ifndef REFGRAPH_GC_H
#define REFGRAPH_GC_H

#include <stdio.h>

#include "refgraph/heap.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RG_GC_GENERATIONS 3

/* Debug flags (CPython's gc.DEBUG_*). */
#define RG_GC_DEBUG_STATS 0x01u         /* print each collection's figures */
#define RG_GC_DEBUG_COLLECTABLE 0x02u   /* name each collectable object */
#define RG_GC_DEBUG_UNCOLLECTABLE 0x04u /* name each uncollectable object */
#define RG_GC_DEBUG_SAVEALL 0x20u       /* keep garbage on the garbage list */
#define RG_GC_DEBUG_LEAK                                                     \
    (RG_GC_DEBUG_COLLECTABLE | RG_GC_DEBUG_UNCOLLECTABLE | RG_GC_DEBUG_SAVEALL)

/* Collects generation 0..generation (2 = full). Returns the number of
 * unreachable objects found (collected plus uncollectable), 0 when a
 * collection is already running (a finalizer or callback asked for one),
 * or RG_EINVAL for a generation outside 0..2. */
long rg_gc_collect(rg_heap *h, int generation);

void rg_gc_enable(rg_heap *h);
void rg_gc_disable(rg_heap *h);
int rg_gc_isenabled(const rg_heap *h);

/* Automatic collection: when allocations minus deallocations of tracked
 * objects exceed threshold 0, generation 0 is collected; when generation 0
 * was collected more than threshold 1 times, generation 1; and so on.
 * Defaults (700, 10, 10). Threshold 0 of 0 disables automatic collection. */
void rg_gc_set_threshold(rg_heap *h, long t0, long t1, long t2);
void rg_gc_get_threshold(const rg_heap *h, long out[RG_GC_GENERATIONS]);
void rg_gc_get_count(const rg_heap *h, long out[RG_GC_GENERATIONS]);

typedef struct rg_gc_genstats {
    size_t collections;   /* collections of this generation */
    size_t collected;     /* objects freed by them */
    size_t uncollectable; /* objects found but not freeable */
    size_t examined;      /* objects the scans looked at (refgraph's own figure;
                             CPython's gc.get_stats has no such field) */
} rg_gc_genstats;
void rg_gc_get_stats(const rg_heap *h, rg_gc_genstats out[RG_GC_GENERATIONS]);

/* Freeze moves every tracked object to a permanent generation that
 * collections ignore; unfreeze moves them back into the oldest generation. */
void rg_gc_freeze(rg_heap *h);
void rg_gc_unfreeze(rg_heap *h);
size_t rg_gc_freeze_count(const rg_heap *h);

int rg_gc_is_tracked(const rg_object *o);
int rg_gc_is_finalized(const rg_object *o);

/* Generation of a tracked object: 0..2, 3 when frozen, -1 when untracked. */
int rg_gc_generation(const rg_object *o);

void rg_gc_set_debug(rg_heap *h, unsigned flags);
unsigned rg_gc_get_debug(const rg_heap *h);
/* Where debug output goes (stderr by default). */
void rg_gc_set_debug_stream(rg_heap *h, FILE *stream);

/* The garbage list (gc.garbage): uncollectable objects, and with SAVEALL
 * everything found. Borrowed; a list object of the heap that the program may
 * inspect and clear. NULL only when it could not be allocated. */
rg_object *rg_gc_garbage(rg_heap *h);

/* Calls fn for each tracked object, of one generation (0..2) or of all
 * (-1). RG_EINVAL for any other generation. The callback must not create or
 * free objects. */
int rg_gc_foreach(rg_heap *h, int generation, int (*fn)(rg_object *o, void *arg), void *arg);

/* Collection callbacks (gc.callbacks), called at the start and the end of
 * every collection. They may allocate, drop references or call collect. */
typedef enum rg_gc_phase { RG_GC_START, RG_GC_STOP } rg_gc_phase;
typedef struct rg_gc_info {
    int generation;
    size_t collected;     /* 0 at START */
    size_t uncollectable; /* 0 at START */
} rg_gc_info;
typedef void (*rg_gc_callback)(rg_heap *h, rg_gc_phase phase, const rg_gc_info *info,
                               void *ud);
int rg_gc_callback_add(rg_heap *h, rg_gc_callback fn, void *ud);
int rg_gc_callback_remove(rg_heap *h, rg_gc_callback fn, void *ud); /* RG_EKEY if absent */

#ifdef __cplusplus
}
#endif
#endif
