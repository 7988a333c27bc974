/* refgraph/analysis.h — what a loaded dump says about cycles and
 * reachability. Every algorithm is iterative: a million-object chain or
 * ring needs no deeper C stack than a single object. */
#ifndef REFGRAPH_ANALYSIS_H
#define REFGRAPH_ANALYSIS_H

#include "refgraph/graph.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Strongly connected components over the strong references (weak ones
 * never keep a cycle alive). */
typedef struct rg_scc {
    uint32_t ncomp;
    uint32_t *comp;      /* [n] component of each object */
    uint32_t *size;      /* [ncomp] objects */
    uint64_t *bytes;     /* [ncomp] shallow bytes */
    uint8_t *cyclic;     /* [ncomp] more than one object, or a self-reference */
} rg_scc;

/* Computes the components (Tarjan's algorithm with an explicit stack).
 * Returns 0, or RG_ENOMEM. */
int rg_graph_scc(const rg_graph *g, rg_scc *out);
void rg_scc_free(rg_scc *s);

/* The references an object gets from outside the dump: its refcount minus
 * the strong references the dump shows (C code, the heap's own singletons;
 * negative would mean an inconsistent dump and reads as 0). [n] array, new
 * memory; NULL when out of memory. */
int64_t *rg_graph_external(const rg_graph *g);

/* Marks (reach[i] = 1) every object reachable over strong references from
 * the roots: globals, frame locals, and objects held from outside the dump
 * (external > 0). What stays 0 is garbage only the cycle collector can
 * free. reach is [n]; external may be NULL (then computed). Returns 0 or
 * RG_ENOMEM. */
int rg_graph_reachable(const rg_graph *g, const int64_t *external, uint8_t *reach);

#ifdef __cplusplus
}
#endif
#endif
