/* refgraph/steps.h — what changed between two dumps of one heap, object by
 * object, for a story told step by step (refgraph story): which objects
 * are new, which were freed, whose refcount changed, and which were
 * reachable from a root before and are not now (garbage only the collector
 * frees). Objects are matched as refgraph/match.h says (by id; also by
 * type and size when ids may be reused).
 */
#ifndef REFGRAPH_STEPS_H
#define REFGRAPH_STEPS_H

#include "refgraph/graph.h"
#include "refgraph/match.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Marks of an object of the newer dump. */
#define RG_STEP_NEW 0x1u  /* allocated since the older dump */
#define RG_STEP_RC 0x2u   /* its refcount changed (old_rc has the older one) */
#define RG_STEP_LOST 0x4u /* reachable from a root in the older dump, not now */

typedef struct rg_step_diff {
    uint8_t *mark;    /* [cur->n] RG_STEP_* */
    int64_t *old_rc;  /* [cur->n] refcount in the older dump; the current one when new */
    uint32_t nfreed;
    uint32_t *freed;  /* [nfreed] indexes into the older dump of the objects freed */
    uint32_t nnew, nrc, nlost;
    uint64_t new_bytes, freed_bytes; /* shallow bytes of the new and of the freed objects */
    rg_match match; /* which object is which (all zero when old is NULL) */
} rg_step_diff;

/* Compares old (may be NULL: the first step, where nothing is marked)
 * with cur. old_reach and cur_reach are the dumps' reachability
 * (rg_graph_reachable; old_reach unused when old is NULL). The caller
 * checks that both are dumps of one heap, old first (rg_match_in_order). Returns 0 or
 * RG_ENOMEM (out zeroed). */
int rg_step_diff_compute(const rg_graph *old, const uint8_t *old_reach, const rg_graph *cur, const uint8_t *cur_reach,
                         rg_step_diff *out);
void rg_step_diff_free(rg_step_diff *d);

#ifdef __cplusplus
}
#endif
#endif
