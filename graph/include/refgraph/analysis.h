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

/* ---- explaining cycles and chains ---------------------------------------------------- */

/* Scratch space for the searches below, reused from call to call so that a
 * dump with a million small cycles costs linear time. */
typedef struct rg_finder {
    const rg_graph *g;
    const rg_scc *scc;
    uint32_t *comp_start; /* [ncomp+1] members of each component: */
    uint32_t *members;    /* [n] grouped by component */
    uint32_t *stamp;      /* [n] visit marks */
    uint32_t *parent;     /* [n] the edge that reached each object */
    uint32_t *queue;      /* [n] */
    uint32_t *indeg;      /* [n] */
    uint32_t *cycle;      /* [n] rg_break_cycles' scratch */
    uint32_t round;
} rg_finder;

int rg_finder_init(rg_finder *f, const rg_graph *g, const rg_scc *scc); /* 0 or RG_ENOMEM */
void rg_finder_free(rg_finder *f);

/* One shortest cycle through obj inside its component, over strong
 * references not in skip: writes its edges, in order, to edges (room for
 * the component's size) and returns how many; 0 when there is none. */
uint32_t rg_shortest_cycle(rg_finder *f, uint32_t obj, const uint32_t *skip, size_t nskip, uint32_t *edges);

/* References that, made weak, leave the component without a cycle: at most
 * max of them, chosen greedily (on a shortest cycle, the reference back to
 * the oldest object). Returns how many were written to edges, or 0 when max
 * do not suffice. Allocates nothing (the finder holds its scratch). */
size_t rg_break_cycles(rg_finder *f, uint32_t comp, uint32_t *edges, size_t max);

/* What binds an object as a root: a global, or a frame's local. */
#define RG_ROOT_NONE 0
#define RG_ROOT_GLOBAL 1
#define RG_ROOT_LOCAL 2
typedef struct rg_root {
    uint32_t kind;  /* RG_ROOT_* */
    uint32_t frame; /* RG_ROOT_LOCAL: the frame's index */
    uint32_t index; /* the global's index, or the local's index in its frame */
} rg_root;

/* The roots' objects: root[i] says which global (the first of its name) or
 * else which frame local (the innermost frame's) binds object i. [n], new
 * memory; NULL when out of memory. Any number of frames and locals. */
rg_root *rg_root_index(const rg_graph *g);

/* A shortest chain of strong references from a root (a global, a frame
 * local, or an object held from outside the dump) to obj, through no object
 * i with avoid[i] set (avoid may be NULL; obj itself is never avoided).
 * Writes the edges from the root's object to obj into edges (room for n)
 * and the chain's first object to *first. Returns the number of edges, or
 * -1 when no root reaches obj that way. Time O(n + references). */
long rg_root_chain(rg_finder *f, const rg_root *root, const int64_t *external, const uint8_t *avoid, uint32_t obj,
                   uint32_t *first, uint32_t *edges);

/* The object that owns reference e (binary search over ref_start). */
uint32_t rg_edge_source(const rg_graph *g, uint32_t e);

#ifdef __cplusplus
}
#endif
#endif
