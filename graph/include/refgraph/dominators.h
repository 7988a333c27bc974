/* refgraph/dominators.h — what keeps memory alive: the dominator tree of a
 * loaded dump and the retained size of every object and of every strongly
 * connected component (docs/dominators.md).
 *
 * The tree hangs from a virtual root whose children are the roots: globals,
 * frame locals, and objects held from outside the dump (refcount above the
 * strong references the dump shows, as rg_graph_reachable). Garbage that no
 * root reaches is attached too: every object of a source component of the
 * unreachable part (a component no other garbage references) is a child of
 * the virtual root, so garbage gets retained sizes like everything else.
 * Weak references are ignored: they retain nothing.
 *
 * Object d dominates o when every path from the virtual root to o passes
 * through d; the retained size of d is its shallow size plus the sizes of
 * everything it dominates: what freeing d would give back. */
#ifndef REFGRAPH_DOMINATORS_H
#define REFGRAPH_DOMINATORS_H

#include "refgraph/analysis.h"
#include "refgraph/graph.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rg_dom {
    uint32_t n;
    uint32_t *idom;     /* [n] the immediate dominator, RG_NONE for the virtual root */
    uint64_t *retained; /* [n] retained bytes */
    uint64_t total;     /* the shallow bytes of every object: the virtual root's retained size */
} rg_dom;

/* Computes the dominator tree with the semi-NCA algorithm (Georgiadis,
 * Tarjan and Werneck), iterative throughout: an explicit DFS stack and path
 * compression by pointer reversal, no recursion.
 *
 * Time: O(n + E) for the numbering, the garbage's components and the sizes;
 * O(E log n) for the semidominators (simple path compression); the NCA step
 * is O(n) per tree level in the worst case (quadratic only for contrived
 * graphs; linear on heaps, whose dominator trees are shallow or chains).
 * Memory: 24 bytes per object at the peak (six 4-byte arrays during the
 * work; the result keeps 12: idom and retained), nothing else; out is
 * zeroed on failure. Returns 0 or RG_ENOMEM (RG_ERANGE for a graph of more
 * than 2^32 - 8 objects). */
int rg_dominators(const rg_graph *g, rg_dom *out);
void rg_dom_free(rg_dom *d);

/* The tree as lists of children: the children of object v are
 * child[start[v]] .. child[start[v+1]-1], those of the virtual root are at
 * v = n; each list in object order. 8 bytes per object. */
typedef struct rg_dom_tree {
    uint32_t n;
    uint32_t *start; /* [n+2] */
    uint32_t *child; /* [n] */
} rg_dom_tree;

int rg_dom_tree_build(const rg_dom *d, rg_dom_tree *t); /* 0 or RG_ENOMEM */
void rg_dom_tree_free(rg_dom_tree *t);

/* Writes every object obj dominates (not obj itself), breadth-first, to out
 * (room for n) and returns how many. */
uint32_t rg_dom_dominated(const rg_dom_tree *t, uint32_t obj, uint32_t *out);

/* Retained bytes per type, as Eclipse MAT's histogram: the sum of the
 * retained sizes of the objects of the type that no other object of the
 * same type dominates (so nothing is counted twice). by_type is indexed by
 * type string (room for g->nstr), added to; count_type (may be NULL) counts
 * those objects. One walk of the tree with an explicit stack; 4 bytes per
 * object and 4 per string of scratch. Returns 0 or RG_ENOMEM. */
int rg_dom_type_retained(const rg_graph *g, const rg_dom *d, const rg_dom_tree *t, uint64_t *by_type,
                         uint64_t *count_type);

/* Retained size of each strongly connected component as a whole: what
 * freeing all of its objects at once gives back (its own bytes and every
 * object only it keeps alive), from the dominator tree of the condensation
 * (same virtual root, same garbage rule as above). scc must come from
 * rg_graph_scc (its numbering is a reverse topological order). idom[c] is
 * the component's immediate dominator component, RG_NONE for the virtual
 * root. Time O(n + E) plus the tree walks of Cooper, Harvey and Kennedy's
 * intersect (O(depth) per cross reference); memory 16 bytes per object and
 * 12 per component beyond the result. */
typedef struct rg_scc_dom {
    uint32_t ncomp;
    uint32_t *idom;     /* [ncomp] */
    uint64_t *retained; /* [ncomp] */
} rg_scc_dom;

int rg_scc_dominators(const rg_graph *g, const rg_scc *scc, rg_scc_dom *out); /* 0, RG_ENOMEM or RG_EINVAL */
void rg_scc_dom_free(rg_scc_dom *d);

/* The roots as the dominator tree sees them: root[v] = 1 for globals, frame
 * locals and objects held from outside. [n] bytes, new memory; NULL when out
 * of memory. */
uint8_t *rg_dom_roots(const rg_graph *g);

#ifdef __cplusplus
}
#endif
#endif
