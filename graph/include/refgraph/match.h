/* refgraph/match.h — which object of an older dump is which of a newer
 * dump of the same heap, and what changed between them: new and freed
 * objects, cycles that appeared or vanished, and objects and cycles whose
 * reachability from the roots changed. Used by refgraph diff and story.
 *
 * Two id schemes (the header's "ids" field, docs/dump-format.md):
 * - sequence ids (no "ids" field: refgraph's own heaps): allocation sequence
 *   numbers, never reused, so one id names one object in both dumps;
 * - reusable ids ("ids":"addresses", CPython without refgraph.track(), or
 *   any other value): a freed object's id can name a new object in the
 *   newer dump. Two records with one id are then the same object only when
 *   they also have the same type and the same size (the "size class" of
 *   docs/analyses.md: the exact size in bytes). When either dump has
 *   reusable ids, both are matched that way.
 */
#ifndef REFGRAPH_MATCH_H
#define REFGRAPH_MATCH_H

#include "refgraph/analysis.h"
#include "refgraph/graph.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Whether the dump's ids may be reused (its header has an "ids" field). */
int rg_ids_reusable(const rg_graph *g);

/* Whether cur can have been written after old: with sequence ids in both,
 * its max_id is not smaller; with reusable ids nothing tells, so 1. */
int rg_match_in_order(const rg_graph *old, const rg_graph *cur);

typedef struct rg_match {
    uint32_t *old_of;   /* [cur->n] the same object's index in old, or RG_NONE (new) */
    uint32_t *cur_of;   /* [old->n] the same object's index in cur, or RG_NONE (freed) */
    uint32_t nnew, nfreed;
    uint64_t new_bytes, freed_bytes; /* shallow bytes of the new and of the freed objects */
    uint32_t nreused;   /* ids in both dumps naming objects of another type or size:
                           counted as one freed and one new object */
    int reusable;       /* either dump has reusable ids: matched by id, type and size */
    int mixed;          /* the dumps disagree on the id scheme (matched as reusable) */
} rg_match;

/* Matches the objects of old and cur (dumps of one heap, old first: the
 * caller checks heap_id and rg_match_in_order). Returns 0, or RG_ENOMEM
 * (out zeroed). Time O(objects). */
int rg_match_init(rg_match *out, const rg_graph *old, const rg_graph *cur);
void rg_match_free(rg_match *m);

/* Marks of an object of the newer dump (rg_changes.mark). */
#define RG_CHANGE_NEW 0x1u   /* no counterpart in the older dump */
#define RG_CHANGE_LOST 0x2u  /* reachable from a root in the older dump, not now */
#define RG_CHANGE_FOUND 0x4u /* unreachable in the older dump, reachable now */

/* What changed, beyond new and freed objects. Cycles are given as
 * component indexes (rg_scc) of the dump named. */
typedef struct rg_changes {
    uint8_t *mark; /* [cur->n] RG_CHANGE_* */
    uint32_t nlost, nfound;
    uint64_t lost_bytes, found_bytes;
    uint32_t nnew_cycles, nvanished_cycles, nlost_cycles, nfound_cycles;
    uint32_t *new_cycles;      /* of cur: cycles none of whose members is in a cycle in old */
    uint32_t *vanished_cycles; /* of old: cycles none of whose members is in a cycle in cur */
    uint32_t *lost_cycles;     /* of cur: unreachable cycles with a member reachable in old */
    uint32_t *found_cycles;    /* of cur: reachable cycles with a member unreachable in old */
} rg_changes;

/* From a match and both dumps' components and reachability
 * (rg_graph_scc, rg_graph_reachable). Returns 0, or RG_ENOMEM (out
 * zeroed). Time O(objects + components). */
int rg_changes_compute(const rg_match *m, const rg_scc *old_scc, const uint8_t *old_reach, const rg_graph *cur,
                       const rg_scc *cur_scc, const uint8_t *cur_reach, rg_changes *out);
void rg_changes_free(rg_changes *c);

#ifdef __cplusplus
}
#endif
#endif
