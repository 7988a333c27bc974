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

/* ---- a dump's analysis, and what the commands report from it (summary.c) ------------- */

/* Everything the commands and the drawing need to know about the whole
 * dump: its components, what each object gets from outside it, what a root
 * reaches. */
typedef struct rg_analysis {
    rg_scc scc;
    int64_t *external; /* [n] references from outside the dump (rg_graph_external) */
    uint8_t *reach;    /* [n] reachable from a root (rg_graph_reachable) */
} rg_analysis;

int rg_analyze(const rg_graph *g, rg_analysis *out); /* 0 or RG_ENOMEM (out then holds nothing) */
void rg_analysis_free(rg_analysis *a);

/* Whether the heap itself holds object i, so that its refcount above the
 * references the dump shows is not "held from outside": the objects the
 * dump marks "static" (CPython's static objects; the core's None, True
 * and False) and the heap's garbage list (the header's garbage_id). Read
 * from the dump alone, never from type names. */
int rg_graph_heap_owned(const rg_graph *g, uint32_t i);

/* The objects no root reaches, grouped by the cycle that keeps them alive:
 * one group per source component of the garbage (a component no other
 * garbage references strongly), holding that component and every garbage
 * object it reaches first (breadth-first, sources in component order). */
typedef struct rg_garbage_group {
    uint32_t comp;          /* the source component */
    uint64_t objects, bytes; /* the group's objects and shallow bytes */
} rg_garbage_group;

typedef struct rg_garbage {
    uint64_t objects, bytes;  /* every unreachable object */
    size_t ngroups;
    rg_garbage_group *groups; /* [ngroups] the most bytes first, ties by component */
    uint32_t *group;          /* [n] each object's group (index into groups), RG_NONE when reachable */
} rg_garbage;

/* Computes the groups; f is scratch (its queue) and must be initialised on
 * an's components. Returns 0 or RG_ENOMEM (out then holds nothing). Time
 * O(n + references + k log k) for k groups. */
int rg_garbage_find(const rg_graph *g, const rg_analysis *an, rg_finder *f, rg_garbage *out);
void rg_garbage_free(rg_garbage *gb);

/* What `info` reports about a dump, counted in one pass. */
typedef struct rg_counts {
    uint64_t untracked, gen[3], frozen;  /* objects per generation */
    uint64_t weak_refs;                  /* weak references */
    uint64_t locals;                     /* frame locals, every frame */
    uint64_t cycles, cycle_objects, cycle_bytes; /* cyclic components */
    uint64_t unreachable, unreachable_bytes;     /* objects no root reaches */
    uint64_t held_outside; /* objects with references from outside, the heap's own excepted */
    uint64_t garbage_list; /* references the heap's garbage list holds */
} rg_counts;

void rg_graph_count(const rg_graph *g, const rg_analysis *an, rg_counts *out);

/* The types of a set of objects: each distinct type (string index) with its
 * count, the commonest first, ties in the order first met. */
typedef struct rg_type_count {
    uint32_t type, count, first;
} rg_type_count;

/* Counts the types of objs[0..nobjs-1] into out (room for nobjs); slot is
 * scratch of g->nstr entries, all RG_NONE on entry and on return. Returns
 * the number of types. Time O(nobjs + k log k). */
uint32_t rg_count_types(const rg_graph *g, const uint32_t *objs, uint32_t nobjs, uint32_t *slot,
                        rg_type_count *out);

/* ---- types by name (types.c) ----------------------------------------------------------- */

/* The string index of the type named name (len bytes) if some object has
 * it, else RG_NONE. Exact, case-sensitive. */
uint32_t rg_type_find(const rg_graph *g, const char *name, size_t len);

/* The types closest to a name no object has, for "did you mean": those
 * that start with it or it starts with (case-insensitive), or at a small
 * edit distance (case-insensitive Levenshtein, at most max(2, len / 3)),
 * the closest first, ties by name: the same name but for case scores 0, a
 * prefix 1, a distance d scores d + 1, and only those within one of the
 * best score are kept. Writes at most max string indexes to
 * out; returns how many, or -1 when out of memory. */
int rg_type_suggest(const rg_graph *g, const char *name, size_t len, uint32_t *out, size_t max);

/* The same choice among any names: names[0..n-1], those with use[k] set
 * (all when use is NULL), none of them equal to name. Writes at most max
 * indexes into names to out; returns how many, or -1 when out of memory.
 * The Python API's typo check (refgraph.count, refgraph.by_type) uses it. */
int rg_names_suggest(const rg_gstr *names, uint32_t n, const uint8_t *use, const char *name, size_t len,
                     uint32_t *out, size_t max);

/* The objects of a type (string index), in dump order: new memory [*count]
 * (not NULL when *count is 0), NULL when out of memory. */
uint32_t *rg_objects_of_type(const rg_graph *g, uint32_t type, size_t *count);

/* ---- forward chains (analysis.c) ------------------------------------------------------ */

/* objgraph's find_ref_chain: a shortest chain of strong references from
 * obj to an object for which target[i] is set (obj itself counts, with no
 * edge), through no object with avoid[i] set (avoid may be NULL; obj is
 * never avoided). Writes the edges to edges (room for n) and the object
 * reached to *last. Returns the number of edges, or -1 when none is
 * reached. f is scratch. Time O(n + references). */
long rg_forward_chain(rg_finder *f, uint32_t obj, const uint8_t *target, const uint8_t *avoid, uint32_t *last,
                      uint32_t *edges);

#ifdef __cplusplus
}
#endif
#endif
