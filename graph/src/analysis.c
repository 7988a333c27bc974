/* analysis.c — components and reachability, without recursion. */
#include <stdlib.h>
#include <string.h>

#include "refgraph/analysis.h"

#define UNSEEN UINT32_MAX

int rg_graph_scc(const rg_graph *g, rg_scc *out) {
    memset(out, 0, sizeof *out);
    uint32_t n = g->n;
    uint32_t *index = malloc(((size_t)n + 1) * sizeof *index);
    uint32_t *low = malloc(((size_t)n + 1) * sizeof *low);
    uint32_t *stack = malloc(((size_t)n + 1) * sizeof *stack);      /* Tarjan's stack */
    uint32_t *call_v = malloc(((size_t)n + 1) * sizeof *call_v);    /* the explicit call stack: */
    uint32_t *call_e = malloc(((size_t)n + 1) * sizeof *call_e);    /* node, next edge to look at */
    uint8_t *on_stack = calloc((size_t)n + 1, 1);
    out->comp = malloc(((size_t)n + 1) * sizeof *out->comp);
    if (!index || !low || !stack || !call_v || !call_e || !on_stack || !out->comp) goto nomem;
    memset(index, 0xff, (size_t)n * sizeof *index);
    uint32_t counter = 0, sp = 0, csp = 0, ncomp = 0;
    for (uint32_t root = 0; root < n; root++) {
        if (index[root] != UNSEEN) continue;
        index[root] = low[root] = counter++;
        stack[sp++] = root;
        on_stack[root] = 1;
        call_v[csp] = root;
        call_e[csp++] = g->ref_start[root];
        /* bound: each object is pushed once (index set), each edge looked at
         * once (call_e only grows): O(n + references) */
        while (csp) {
            uint32_t v = call_v[csp - 1], e = call_e[csp - 1];
            if (e < g->ref_start[v + 1]) {
                call_e[csp - 1] = e + 1;
                if (g->ref_label[e] & RG_EDGE_WEAK) continue;
                uint32_t w = g->ref_target[e];
                if (index[w] == UNSEEN) {
                    index[w] = low[w] = counter++;
                    stack[sp++] = w;
                    on_stack[w] = 1;
                    call_v[csp] = w;
                    call_e[csp++] = g->ref_start[w];
                } else if (on_stack[w] && index[w] < low[v]) {
                    low[v] = index[w];
                }
                continue;
            }
            csp--;
            if (low[v] == index[v]) {
                uint32_t w;
                do { /* bound: pops what this component pushed, down to v */
                    w = stack[--sp];
                    on_stack[w] = 0;
                    out->comp[w] = ncomp;
                } while (w != v);
                ncomp++;
            }
            if (csp) {
                uint32_t u = call_v[csp - 1];
                if (low[v] < low[u]) low[u] = low[v];
            }
        }
    }
    out->ncomp = ncomp;
    out->size = calloc((size_t)ncomp + 1, sizeof *out->size);
    out->bytes = calloc((size_t)ncomp + 1, sizeof *out->bytes);
    out->cyclic = calloc((size_t)ncomp + 1, 1);
    if (!out->size || !out->bytes || !out->cyclic) goto nomem;
    for (uint32_t v = 0; v < n; v++) {
        uint32_t c = out->comp[v];
        out->size[c]++;
        out->bytes[c] = rg_sat_add(out->bytes[c], g->size[v]);
    }
    for (uint32_t v = 0; v < n; v++) {
        uint32_t c = out->comp[v];
        if (out->size[c] > 1) {
            out->cyclic[c] = 1;
            continue;
        }
        for (uint32_t e = g->ref_start[v]; e < g->ref_start[v + 1]; e++)
            if (g->ref_target[e] == v && !(g->ref_label[e] & RG_EDGE_WEAK)) out->cyclic[c] = 1;
    }
    int rc = 0;
    goto done;
nomem:
    rg_scc_free(out);
    rc = RG_ENOMEM;
done:
    free(index);
    free(low);
    free(stack);
    free(call_v);
    free(call_e);
    free(on_stack);
    return rc;
}

void rg_scc_free(rg_scc *s) {
    free(s->comp);
    free(s->size);
    free(s->bytes);
    free(s->cyclic);
    memset(s, 0, sizeof *s);
}

int64_t *rg_graph_external(const rg_graph *g) {
    int64_t *ext = malloc(((size_t)g->n + 1) * sizeof *ext);
    if (!ext) return NULL;
    for (uint32_t i = 0; i < g->n; i++) ext[i] = g->refcount[i];
    for (uint32_t e = 0; e < g->nrefs; e++)
        if (!(g->ref_label[e] & RG_EDGE_WEAK)) ext[g->ref_target[e]]--;
    for (uint32_t i = 0; i < g->nglobals; i++) ext[g->global_obj[i]]--;
    for (uint32_t f = 0; f < g->nframes; f++)
        for (uint32_t k = 0; k < g->frames[f].nlocals; k++) ext[g->frames[f].local_obj[k]]--;
    for (uint32_t i = 0; i < g->n; i++)
        if (ext[i] < 0) ext[i] = 0;
    return ext;
}

int rg_graph_reachable(const rg_graph *g, const int64_t *external, uint8_t *reach) {
    int64_t *own = NULL;
    if (!external) {
        external = own = rg_graph_external(g);
        if (!own) return RG_ENOMEM;
    }
    uint32_t *queue = malloc(((size_t)g->n + 1) * sizeof *queue);
    if (!queue) {
        free(own);
        return RG_ENOMEM;
    }
    memset(reach, 0, g->n);
    uint32_t head = 0, tail = 0;
#define VISIT(v)                       \
    do {                               \
        uint32_t v_ = (v);             \
        if (!reach[v_]) {              \
            reach[v_] = 1;             \
            queue[tail++] = v_;        \
        }                              \
    } while (0)
    for (uint32_t i = 0; i < g->nglobals; i++) VISIT(g->global_obj[i]);
    for (uint32_t f = 0; f < g->nframes; f++)
        for (uint32_t k = 0; k < g->frames[f].nlocals; k++) VISIT(g->frames[f].local_obj[k]);
    for (uint32_t i = 0; i < g->n; i++)
        if (external[i] > 0) VISIT(i);
    while (head < tail) { /* bound: each object is queued once (reach set) */
        uint32_t v = queue[head++];
        for (uint32_t e = g->ref_start[v]; e < g->ref_start[v + 1]; e++)
            if (!(g->ref_label[e] & RG_EDGE_WEAK)) VISIT(g->ref_target[e]);
    }
#undef VISIT
    free(queue);
    free(own);
    return 0;
}

/* ---- explaining cycles and chains ------------------------------------------------------ */

uint32_t rg_edge_source(const rg_graph *g, uint32_t e) {
    uint32_t lo = 0, hi = g->n;
    while (lo + 1 < hi) { /* bound: halves hi - lo */
        uint32_t mid = lo + (hi - lo) / 2;
        if (g->ref_start[mid] <= e)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

int rg_finder_init(rg_finder *f, const rg_graph *g, const rg_scc *scc) {
    memset(f, 0, sizeof *f);
    f->g = g;
    f->scc = scc;
    size_t n = (size_t)g->n + 1;
    f->comp_start = calloc((size_t)scc->ncomp + 2, sizeof *f->comp_start);
    f->members = malloc(n * sizeof *f->members);
    f->stamp = calloc(n, sizeof *f->stamp);
    f->parent = malloc(n * sizeof *f->parent);
    f->queue = malloc(n * sizeof *f->queue);
    f->indeg = malloc(n * sizeof *f->indeg);
    f->cycle = malloc(n * sizeof *f->cycle);
    if (!f->comp_start || !f->members || !f->stamp || !f->parent || !f->queue || !f->indeg || !f->cycle) {
        rg_finder_free(f);
        return RG_ENOMEM;
    }
    for (uint32_t v = 0; v < g->n; v++) f->comp_start[scc->comp[v] + 1]++;
    for (uint32_t c = 0; c < scc->ncomp; c++) f->comp_start[c + 1] += f->comp_start[c];
    uint32_t *fill = f->queue; /* borrowed as the fill cursor */
    memcpy(fill, f->comp_start, (size_t)scc->ncomp * sizeof *fill);
    for (uint32_t v = 0; v < g->n; v++) f->members[fill[scc->comp[v]]++] = v;
    return 0;
}

void rg_finder_free(rg_finder *f) {
    free(f->comp_start);
    free(f->members);
    free(f->stamp);
    free(f->parent);
    free(f->queue);
    free(f->indeg);
    free(f->cycle);
    memset(f, 0, sizeof *f);
}

static int skipped(uint32_t e, const uint32_t *skip, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (skip[i] == e) return 1;
    return 0;
}

static uint32_t next_round(rg_finder *f) {
    if (++f->round == 0) { /* wrapped: clear the marks once */
        memset(f->stamp, 0, ((size_t)f->g->n + 1) * sizeof *f->stamp);
        f->round = 1;
    }
    return f->round;
}

uint32_t rg_shortest_cycle(rg_finder *f, uint32_t obj, const uint32_t *skip, size_t nskip, uint32_t *edges) {
    const rg_graph *g = f->g;
    uint32_t c = f->scc->comp[obj], r = next_round(f);
    uint32_t head = 0, tail = 0, found = RG_NONE;
    f->queue[tail++] = obj;
    f->stamp[obj] = r;
    while (head < tail && found == RG_NONE) { /* bound: each member queued once (stamped) */
        uint32_t v = f->queue[head++];
        for (uint32_t e = g->ref_start[v]; e < g->ref_start[v + 1]; e++) {
            uint32_t w = g->ref_target[e];
            if ((g->ref_label[e] & RG_EDGE_WEAK) || f->scc->comp[w] != c || skipped(e, skip, nskip)) continue;
            if (w == obj) {
                found = e;
                break;
            }
            if (f->stamp[w] == r) continue;
            f->stamp[w] = r;
            f->parent[w] = e;
            f->queue[tail++] = w;
        }
    }
    if (found == RG_NONE) return 0;
    /* walk back from the closing edge to obj, then reverse */
    uint32_t n = 0;
    edges[n++] = found;
    /* bound: parents lead back to obj along the breadth-first tree */
    for (uint32_t v = rg_edge_source(g, found); v != obj; v = rg_edge_source(g, f->parent[v])) edges[n++] = f->parent[v];
    for (uint32_t i = 0; i < n / 2; i++) {
        uint32_t t = edges[i];
        edges[i] = edges[n - 1 - i];
        edges[n - 1 - i] = t;
    }
    return n;
}

/* Whether edge e counts inside component c without the skipped edges. */
static int counts(const rg_finder *f, uint32_t e, uint32_t w, uint32_t c, const uint32_t *skip, size_t nskip) {
    return !(f->g->ref_label[e] & RG_EDGE_WEAK) && f->scc->comp[w] == c && !skipped(e, skip, nskip);
}

/* Kahn's algorithm inside component c without the skipped edges: the first
 * member left over (in f->indeg, what is left keeps an in-degree above 0),
 * or RG_NONE when the component is acyclic without them.
 *
 * What is left is not all on cycles: an object downstream of a cycle stays
 * too (its in-degree never drops to 0) without lying on one. See
 * upstream_cycle. Time O(size + edges of c) times the skip list's length. */
static uint32_t left_over(rg_finder *f, uint32_t c, const uint32_t *skip, size_t nskip) {
    const rg_graph *g = f->g;
    uint32_t first = f->comp_start[c], last = f->comp_start[c + 1];
    for (uint32_t k = first; k < last; k++) f->indeg[f->members[k]] = 0;
    for (uint32_t k = first; k < last; k++) { /* bound: the component's members and their edges */
        uint32_t v = f->members[k];
        for (uint32_t e = g->ref_start[v]; e < g->ref_start[v + 1]; e++)
            if (counts(f, e, g->ref_target[e], c, skip, nskip)) f->indeg[g->ref_target[e]]++;
    }
    uint32_t head = 0, tail = 0, done = 0;
    for (uint32_t k = first; k < last; k++)
        if (f->indeg[f->members[k]] == 0) f->queue[tail++] = f->members[k];
    while (head < tail) { /* bound: each member is queued once, when its in-degree reaches 0 */
        uint32_t v = f->queue[head++];
        done++;
        for (uint32_t e = g->ref_start[v]; e < g->ref_start[v + 1]; e++) {
            uint32_t w = g->ref_target[e];
            if (counts(f, e, w, c, skip, nskip) && --f->indeg[w] == 0) f->queue[tail++] = w;
        }
    }
    if (done == last - first) return RG_NONE;
    for (uint32_t k = first; k < last; k++)
        if (f->indeg[f->members[k]] > 0) return f->members[k];
    return RG_NONE;
}

/* An object on a cycle upstream of v, which left_over just left over: walk
 * backwards. Every object left over has a predecessor left over too (its
 * remaining in-degree counts exactly those), so the walk can always go on,
 * and within the component's size it meets an object it passed already:
 * that one is on a cycle. RG_NONE only if that reasoning were wrong. */
static uint32_t upstream_cycle(rg_finder *f, uint32_t c, uint32_t v, const uint32_t *skip, size_t nskip) {
    const rg_graph *g = f->g;
    uint32_t size = f->comp_start[c + 1] - f->comp_start[c], r = next_round(f);
    f->stamp[v] = r;
    for (uint32_t steps = 0; steps <= size; steps++) { /* bound: a member not passed yet each step */
        uint32_t u = RG_NONE;
        for (uint32_t k = g->back_start[v]; k < g->back_start[v + 1] && u == RG_NONE; k++) {
            uint32_t src = g->back_src[k];
            if (f->scc->comp[src] == c && f->indeg[src] > 0 && counts(f, g->back_edge[k], v, c, skip, nskip))
                u = src;
        }
        if (u == RG_NONE) return RG_NONE;
        if (f->stamp[u] == r) return u;
        f->stamp[u] = r;
        v = u;
    }
    return RG_NONE;
}

size_t rg_break_cycles(rg_finder *f, uint32_t comp, uint32_t *edges, size_t max) {
    const rg_graph *g = f->g;
    uint32_t *cycle = f->cycle; /* no allocation here: 0 means only "max do not suffice" */
    size_t n = 0;
    /* Bound: every pass either ends or adds one edge to edges (a cycle found
     * without the skipped edges holds none of them), so at most max + 1
     * passes; each costs O(size + edges of the component) times max. */
    for (size_t pass = 0; pass <= max; pass++) {
        uint32_t start = left_over(f, comp, edges, n);
        if (start == RG_NONE) break; /* acyclic now: done */
        uint32_t len = rg_shortest_cycle(f, start, edges, n, cycle);
        if (len == 0) { /* start is downstream of a cycle, on none */
            start = upstream_cycle(f, comp, start, edges, n);
            len = start == RG_NONE ? 0 : rg_shortest_cycle(f, start, edges, n, cycle);
        }
        if (len == 0 || n == max) { /* (len 0 cannot happen: start is on a cycle) */
            n = 0;
            break;
        }
        /* the reference back to the oldest object of the cycle */
        uint32_t best = cycle[0];
        for (uint32_t i = 1; i < len; i++)
            if (g->id[g->ref_target[cycle[i]]] < g->id[g->ref_target[best]]) best = cycle[i];
        edges[n++] = best;
    }
    return n;
}

rg_root *rg_root_index(const rg_graph *g) {
    rg_root *root = calloc((size_t)g->n + 1, sizeof *root);
    if (!root) return NULL;
    /* frames are outermost first: the innermost frame's name, written last, wins */
    for (uint32_t fi = 0; fi < g->nframes; fi++)
        for (uint32_t k = g->frames[fi].nlocals; k-- > 0;)
            root[g->frames[fi].local_obj[k]] = (rg_root){RG_ROOT_LOCAL, fi, k};
    for (uint32_t i = g->nglobals; i-- > 0;) /* globals first */
        root[g->global_obj[i]] = (rg_root){RG_ROOT_GLOBAL, 0, i};
    return root;
}

/* Breadth-first from obj along strong references, backward (to referrers)
 * or forward (to referents), never through an avoided object, to the
 * nearest object that hit() accepts; RG_NONE when none is reached. On
 * return f->parent[v] is the edge that reached v. One walk serves the chain
 * from a root (backward) and find_ref_chain (forward). */
static uint32_t nearest(rg_finder *f, uint32_t obj, int backward, const uint8_t *avoid,
                        int (*hit)(uint32_t v, const void *arg), const void *arg) {
    const rg_graph *g = f->g;
    uint32_t r = next_round(f), head = 0, tail = 0;
    f->queue[tail++] = obj;
    f->stamp[obj] = r;
    f->parent[obj] = RG_NONE;
    while (head < tail) { /* bound: each object is queued once (stamped) */
        uint32_t v = f->queue[head++];
        if (hit(v, arg)) return v;
        uint32_t k = backward ? g->back_start[v] : g->ref_start[v];
        uint32_t end = backward ? g->back_start[v + 1] : g->ref_start[v + 1];
        for (; k < end; k++) {
            uint32_t e = backward ? g->back_edge[k] : k, w = backward ? g->back_src[k] : g->ref_target[k];
            if ((g->ref_label[e] & RG_EDGE_WEAK) || f->stamp[w] == r || (avoid && avoid[w])) continue;
            f->stamp[w] = r;
            f->parent[w] = e; /* the edge between v and w */
            f->queue[tail++] = w;
        }
    }
    return RG_NONE;
}

typedef struct root_hit {
    const rg_root *root;
    const int64_t *external;
} root_hit;

static int is_root(uint32_t v, const void *arg) {
    const root_hit *h = arg;
    return h->root[v].kind != RG_ROOT_NONE || h->external[v] > 0;
}

static int is_target(uint32_t v, const void *arg) { return ((const uint8_t *)arg)[v] != 0; }

long rg_root_chain(rg_finder *f, const rg_root *root, const int64_t *external, const uint8_t *avoid, uint32_t obj,
                   uint32_t *first, uint32_t *edges) {
    const rg_graph *g = f->g;
    root_hit h = {root, external};
    uint32_t found = nearest(f, obj, 1, avoid, is_root, &h);
    if (found == RG_NONE) return -1;
    *first = found;
    long n = 0;
    /* bound: parents lead back to obj along the breadth-first tree */
    for (uint32_t v = found; v != obj; v = g->ref_target[f->parent[v]]) edges[n++] = f->parent[v];
    return n;
}

long rg_forward_chain(rg_finder *f, uint32_t obj, const uint8_t *target, const uint8_t *avoid, uint32_t *last,
                      uint32_t *edges) {
    const rg_graph *g = f->g;
    uint32_t found = nearest(f, obj, 0, avoid, is_target, target);
    if (found == RG_NONE) return -1;
    *last = found;
    long n = 0;
    /* bound: parents lead back to obj along the breadth-first tree */
    for (uint32_t v = found; v != obj; v = rg_edge_source(g, f->parent[v])) edges[n++] = f->parent[v];
    for (long i = 0; i < n / 2; i++) { /* from obj onwards */
        uint32_t t = edges[i];
        edges[i] = edges[n - 1 - i];
        edges[n - 1 - i] = t;
    }
    return n;
}
