/* refgraph/heapdump.h — dumping a heap: the walk over the heap's lists,
 * written through the format library's dump writer (refgraph/dump.h). */
#ifndef REFGRAPH_HEAPDUMP_H
#define REFGRAPH_HEAPDUMP_H

#include <stdint.h>

#include "refgraph/dump.h"
#include "refgraph/heap.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rg_dump_options {
    const char *created; /* NULL: now. A fixed value makes dumps byte-identical */
    uint64_t heap_id;    /* 0: the heap's own id; tests fix it to compare heaps */
    rg_dump_step step;   /* written as the header's "step" field (all NULL: none) */
} rg_dump_options;

/* Writes the whole heap to path in one pass. Changes no refcount and runs no
 * collection (collect first if the dump should show only live objects).
 * Unreachable objects not yet collected are dumped like any other. */
int rg_heap_dump(rg_heap *h, const char *path, const rg_dump_options *opts, rg_error *err);

#ifdef __cplusplus
}
#endif
#endif
