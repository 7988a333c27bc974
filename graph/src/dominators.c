/* dominators.c — the dominator tree and retained sizes (semi-NCA), and the
 * retained size of whole components. Every loop walks a stack, a queue or a
 * strictly decreasing chain: nothing recurses. See refgraph/dominators.h. */
#include <stdlib.h>
#include <string.h>

#include "refgraph/dominators.h"

/* pre[v] holds the DFS number of object v once it has one; before, one of
 * these marks (all above any number, since n + 1 <= MARK_LOW). */
#define UNSEEN UINT32_MAX
#define M_ROOT (UINT32_MAX - 1) /* a root of the dump */
#define M_P1 (UINT32_MAX - 2)   /* garbage, seen by the first pass over it */
#define M_CUR (UINT32_MAX - 3)  /* garbage, in the component being gathered */
#define M_SRC (UINT32_MAX - 4)  /* garbage of a source component: a child of the virtual root */
#define M_DONE (UINT32_MAX - 5) /* other garbage */
#define MARK_LOW (UINT32_MAX - 7)

static int strong(const rg_graph *g, uint32_t e) { return !(g->ref_label[e] & RG_EDGE_WEAK); }

/* buf[v] = yes for the roots (globals, frame locals, refcount above the
 * strong references the dump shows), no for the others. buf is [n]. */
static void mark_roots(const rg_graph *g, uint32_t *buf, uint32_t yes, uint32_t no) {
    uint32_t n = g->n;
    memset(buf, 0, (size_t)n * sizeof *buf);
#define HELD(v)                                   \
    do {                                          \
        uint32_t v_ = (v);                        \
        if (buf[v_] < UINT32_MAX) buf[v_]++;      \
    } while (0)
    for (uint32_t e = 0; e < g->nrefs; e++)
        if (strong(g, e)) HELD(g->ref_target[e]);
    for (uint32_t i = 0; i < g->nglobals; i++) HELD(g->global_obj[i]);
    for (uint32_t f = 0; f < g->nframes; f++)
        for (uint32_t k = 0; k < g->frames[f].nlocals; k++) HELD(g->frames[f].local_obj[k]);
#undef HELD
    for (uint32_t v = 0; v < n; v++) buf[v] = g->refcount[v] > (int64_t)buf[v] ? yes : no;
    for (uint32_t i = 0; i < g->nglobals; i++) buf[g->global_obj[i]] = yes;
    for (uint32_t f = 0; f < g->nframes; f++)
        for (uint32_t k = 0; k < g->frames[f].nlocals; k++) buf[g->frames[f].local_obj[k]] = yes;
}

uint8_t *rg_dom_roots(const rg_graph *g) {
    uint32_t *buf = malloc(((size_t)g->n + 1) * sizeof *buf);
    uint8_t *r = malloc((size_t)g->n + 1);
    if (!buf || !r) {
        free(buf);
        free(r);
        return NULL;
    }
    mark_roots(g, buf, 1, 0);
    for (uint32_t v = 0; v < g->n; v++) r[v] = (uint8_t)buf[v];
    free(buf);
    return r;
}

/* ---- numbering: a depth-first walk from the virtual root ------------------------- */

typedef struct walk {
    const rg_graph *g;
    uint32_t *pre;  /* [n+1] object -> number (or a mark) */
    uint32_t *ord;  /* [n+1] number -> object; 0 is the virtual root (n) */
    uint32_t *par;  /* [n+1] DFS parent's number; later the idom's number */
    uint32_t *semi; /* [n+1] semidominator's number */
    uint32_t *stk;  /* [n+1] DFS stack: objects; later the labels */
    uint32_t *it;   /* [n+1] DFS stack: next reference; later the ancestors */
    uint32_t cnt;   /* numbers given */
} walk;

static void number(walk *w, uint32_t v, uint32_t parent) {
    uint32_t mark = w->pre[v], k = w->cnt++;
    w->pre[v] = k;
    w->ord[k] = v;
    w->par[k] = parent;
    /* a child of the virtual root has it as semidominator and idom */
    w->semi[k] = (mark == M_ROOT || mark == M_SRC) ? 0 : parent;
}

/* Depth-first from v (not numbered yet), a child of the virtual root. The
 * stack holds each object at most once: depth <= n. */
static void dfs_from(walk *w, uint32_t v) {
    const rg_graph *g = w->g;
    uint32_t sp = 0;
    number(w, v, 0);
    w->stk[sp] = v;
    w->it[sp++] = g->ref_start[v];
    while (sp) {
        uint32_t x = w->stk[sp - 1], e = w->it[sp - 1];
        if (e == g->ref_start[x + 1]) {
            sp--;
            continue;
        }
        w->it[sp - 1] = e + 1;
        if (!strong(g, e)) continue;
        uint32_t y = g->ref_target[e];
        if (w->pre[y] < MARK_LOW) continue; /* numbered */
        number(w, y, w->pre[x]);
        w->stk[sp] = y;
        w->it[sp++] = g->ref_start[y];
    }
}

/* The garbage (objects still UNSEEN): marks the objects of its source
 * components M_SRC and the rest M_DONE (Kosaraju: a forward pass gives the
 * finishing order, a backward pass in reverse finishing order gathers one
 * component at a time in topological order, so a component is a source
 * exactly when no reference reaches it from one gathered before). fin is
 * room for the garbage count. */
static void mark_garbage_sources(walk *w, uint32_t *fin) {
    const rg_graph *g = w->g;
    uint32_t n = g->n, m = 0;
    for (uint32_t s = 0; s < n; s++) {
        if (w->pre[s] != UNSEEN) continue;
        uint32_t sp = 0;
        w->pre[s] = M_P1;
        w->stk[sp] = s;
        w->it[sp++] = g->ref_start[s];
        while (sp) {
            uint32_t x = w->stk[sp - 1], e = w->it[sp - 1];
            if (e == g->ref_start[x + 1]) {
                fin[m++] = x;
                sp--;
                continue;
            }
            w->it[sp - 1] = e + 1;
            uint32_t y = g->ref_target[e];
            if (!strong(g, e) || w->pre[y] != UNSEEN) continue;
            w->pre[y] = M_P1;
            w->stk[sp] = y;
            w->it[sp++] = g->ref_start[y];
        }
    }
    uint32_t *queue = w->stk;
    for (uint32_t k = m; k-- > 0;) {
        uint32_t v = fin[k];
        if (w->pre[v] != M_P1) continue;
        uint32_t head = 0, tail = 0;
        int source = 1;
        w->pre[v] = M_CUR;
        queue[tail++] = v;
        while (head < tail) {
            uint32_t x = queue[head++];
            for (uint32_t b = g->back_start[x]; b < g->back_start[x + 1]; b++) {
                if (!strong(g, g->back_edge[b])) continue;
                uint32_t u = g->back_src[b];
                if (w->pre[u] == M_P1) {
                    w->pre[u] = M_CUR;
                    queue[tail++] = u;
                } else if (w->pre[u] != M_CUR) {
                    source = 0; /* referenced from a component gathered before */
                }
            }
        }
        for (uint32_t j = 0; j < tail; j++) w->pre[queue[j]] = source ? M_SRC : M_DONE;
    }
}

/* ---- semi-NCA ---------------------------------------------------------------------- */

/* The least semidominator on the path from v up the linked forest (objects
 * numbered above cur are linked), compressing the path. Pointer reversal
 * takes the place of the recursion: up, each ancestor pointer is turned to
 * point down; back down, each object takes its parent's label and the top's
 * ancestor. */
static uint32_t eval(uint32_t *anc, uint32_t *label, uint32_t v, uint32_t cur) {
    if (anc[v] <= cur) return label[v];
    uint32_t prev = UINT32_MAX, x = v;
    while (anc[x] > cur) {
        uint32_t next = anc[x];
        anc[x] = prev;
        prev = x;
        x = next;
    }
    uint32_t top = anc[x], above = x;
    while (prev != UINT32_MAX) {
        uint32_t below = anc[prev];
        if (label[above] < label[prev]) label[prev] = label[above];
        anc[prev] = top;
        above = prev;
        prev = below;
    }
    return label[v];
}

int rg_dominators(const rg_graph *g, rg_dom *out) {
    memset(out, 0, sizeof *out);
    uint32_t n = g->n;
    if (n >= MARK_LOW) return RG_ERANGE;
    size_t sz = ((size_t)n + 1) * sizeof(uint32_t);
    walk w = {g, malloc(sz), malloc(sz), malloc(sz), malloc(sz), malloc(sz), malloc(sz), 0};
    int rc = RG_ENOMEM;
    if (!w.pre || !w.ord || !w.par || !w.semi || !w.stk || !w.it) goto done;

    /* number the virtual root, then everything the roots reach */
    mark_roots(g, w.pre, M_ROOT, UNSEEN);
    w.pre[n] = 0;
    w.ord[0] = n;
    w.par[0] = 0;
    w.semi[0] = 0;
    w.cnt = 1;
    for (uint32_t i = 0; i < g->nglobals; i++)
        if (w.pre[g->global_obj[i]] >= MARK_LOW) dfs_from(&w, g->global_obj[i]);
    for (uint32_t f = 0; f < g->nframes; f++)
        for (uint32_t k = 0; k < g->frames[f].nlocals; k++)
            if (w.pre[g->frames[f].local_obj[k]] >= MARK_LOW) dfs_from(&w, g->frames[f].local_obj[k]);
    for (uint32_t v = 0; v < n; v++)
        if (w.pre[v] == M_ROOT) dfs_from(&w, v);
    /* then the garbage, from its source components (the numbers not given
     * yet hold the finishing order meanwhile) */
    if (w.cnt < n + 1) {
        mark_garbage_sources(&w, w.ord + w.cnt);
        for (uint32_t v = 0; v < n; v++)
            if (w.pre[v] == M_SRC) dfs_from(&w, v);
    }
    if (w.cnt != n + 1) { /* cannot happen: every component is reached from a source */
        rc = RG_EINVAL;
        goto done;
    }

    /* semidominators, in decreasing number; stk and it become the labels
     * and the linked forest's ancestors */
    uint32_t *label = w.stk, *anc = w.it;
    for (uint32_t cur = n; cur >= 1; cur--) {
        uint32_t s = w.semi[cur], v = w.ord[cur];
        for (uint32_t b = g->back_start[v]; s && b < g->back_start[v + 1]; b++) {
            if (!strong(g, g->back_edge[b])) continue;
            uint32_t k = w.pre[g->back_src[b]];
            uint32_t c = k <= cur ? k : eval(anc, label, k, cur);
            if (c < s) s = c;
        }
        w.semi[cur] = s;
        label[cur] = s;
        anc[cur] = w.par[cur]; /* link to the parent */
    }
    /* immediate dominators, in increasing number: the nearest ancestor of the
     * DFS parent, in the tree built so far, at or above the semidominator */
    uint32_t *idom = w.par;
    for (uint32_t cur = 1; cur <= n; cur++) {
        uint32_t x = idom[cur];
        while (x > w.semi[cur]) x = idom[x]; /* strictly decreasing */
        idom[cur] = x;
    }
    free(w.stk);
    free(w.it);
    free(w.semi);
    w.stk = w.it = w.semi = NULL;

    out->n = n;
    out->idom = malloc(sz);
    out->retained = malloc(((size_t)n + 1) * sizeof *out->retained);
    if (!out->idom || !out->retained) {
        rg_dom_free(out);
        goto done;
    }
    for (uint32_t v = 0; v < n; v++) {
        out->retained[v] = g->size[v];
        out->total = rg_sat_add(out->total, g->size[v]); /* sizes from a dump can be anything */
    }
    for (uint32_t cur = n; cur >= 1; cur--) /* children are numbered after their dominator */
        if (idom[cur]) {
            uint64_t *up = &out->retained[w.ord[idom[cur]]];
            *up = rg_sat_add(*up, out->retained[w.ord[cur]]);
        }
    for (uint32_t v = 0; v < n; v++) {
        uint32_t d = idom[w.pre[v]];
        out->idom[v] = d ? w.ord[d] : RG_NONE;
    }
    rc = 0;
done:
    free(w.pre);
    free(w.ord);
    free(w.par);
    free(w.semi);
    free(w.stk);
    free(w.it);
    return rc;
}

void rg_dom_free(rg_dom *d) {
    free(d->idom);
    free(d->retained);
    memset(d, 0, sizeof *d);
}

/* ---- the tree as lists ------------------------------------------------------------- */

int rg_dom_tree_build(const rg_dom *d, rg_dom_tree *t) {
    uint32_t n = d->n;
    t->n = n;
    t->start = calloc((size_t)n + 2, sizeof *t->start);
    t->child = malloc(((size_t)n + 1) * sizeof *t->child);
    if (!t->start || !t->child) {
        rg_dom_tree_free(t);
        return RG_ENOMEM;
    }
    /* counting sort by parent (the virtual root is n) */
    for (uint32_t v = 0; v < n; v++) t->start[(d->idom[v] == RG_NONE ? n : d->idom[v]) + 1]++;
    for (uint32_t p = 0; p <= n; p++) t->start[p + 1] += t->start[p];
    for (uint32_t v = 0; v < n; v++) {
        uint32_t p = d->idom[v] == RG_NONE ? n : d->idom[v];
        t->child[t->start[p]++] = v;
    }
    for (uint32_t p = n + 1; p-- > 1;) t->start[p] = t->start[p - 1]; /* back to the starts */
    t->start[0] = 0;
    return 0;
}

void rg_dom_tree_free(rg_dom_tree *t) {
    free(t->start);
    free(t->child);
    memset(t, 0, sizeof *t);
}

uint32_t rg_dom_dominated(const rg_dom_tree *t, uint32_t obj, uint32_t *out) {
    uint32_t head = 0, tail = 0;
    for (uint32_t k = t->start[obj]; k < t->start[obj + 1]; k++) out[tail++] = t->child[k];
    while (head < tail) { /* a tree: each object is added once */
        uint32_t v = out[head++];
        for (uint32_t k = t->start[v]; k < t->start[v + 1]; k++) out[tail++] = t->child[k];
    }
    return tail;
}

/* ---- components as a whole ------------------------------------------------------------ */

int rg_scc_dominators(const rg_graph *g, const rg_scc *scc, rg_scc_dom *out) {
    memset(out, 0, sizeof *out);
    uint32_t n = g->n, nc = scc->ncomp, root = nc; /* the virtual root: above every component */
    uint32_t *start = calloc((size_t)nc + 2, sizeof *start);
    uint32_t *members = malloc(((size_t)n + 1) * sizeof *members);
    uint32_t *held = malloc(((size_t)n + 1) * sizeof *held);
    uint8_t *rooted = calloc((size_t)nc + 1, 1);
    out->idom = malloc(((size_t)nc + 1) * sizeof *out->idom);
    out->retained = malloc(((size_t)nc + 1) * sizeof *out->retained);
    int rc = RG_ENOMEM;
    if (!start || !members || !held || !rooted || !out->idom || !out->retained) goto done;
    out->ncomp = nc;
    /* Tarjan's numbering: a reference between components goes to a lower
     * number; processing in decreasing number is a topological order */
    for (uint32_t e = 0; e < g->nrefs; e++) {
        uint32_t a = scc->comp[rg_edge_source(g, e)], b = scc->comp[g->ref_target[e]];
        if (strong(g, e) && b > a) {
            rc = RG_EINVAL;
            goto done;
        }
    }
    mark_roots(g, held, 1, 0);
    for (uint32_t v = 0; v < n; v++) {
        start[scc->comp[v] + 1]++;
        if (held[v]) rooted[scc->comp[v]] = 1;
    }
    for (uint32_t c = 0; c < nc; c++) start[c + 1] += start[c];
    for (uint32_t v = 0; v < n; v++) members[start[scc->comp[v]]++] = v;
    for (uint32_t c = nc + 1; c-- > 1;) start[c] = start[c - 1];
    start[0] = 0;
    uint32_t *idom = out->idom;
    for (uint32_t c = nc; c-- > 0;) {
        uint32_t d = rooted[c] ? root : RG_NONE;
        for (uint32_t k = start[c]; k < start[c + 1] && d != root; k++) {
            uint32_t v = members[k];
            for (uint32_t b = g->back_start[v]; b < g->back_start[v + 1] && d != root; b++) {
                uint32_t p = scc->comp[g->back_src[b]];
                if (!strong(g, g->back_edge[b]) || p == c) continue;
                if (d == RG_NONE) {
                    d = p;
                    continue;
                }
                /* Cooper, Harvey and Kennedy's intersect: dominators have
                 * higher numbers; each step climbs, so it ends at the root */
                uint32_t x = p;
                while (x != d) {
                    while (x < d) x = idom[x];
                    while (d < x) d = idom[d];
                }
            }
        }
        idom[c] = d == RG_NONE ? root : d; /* no referrer: a source of the garbage */
    }
    for (uint32_t c = 0; c < nc; c++) out->retained[c] = scc->bytes[c];
    for (uint32_t c = 0; c < nc; c++) /* a component's dominator has a higher number */
        if (idom[c] != root) out->retained[idom[c]] = rg_sat_add(out->retained[idom[c]], out->retained[c]);
    for (uint32_t c = 0; c < nc; c++)
        if (idom[c] == root) idom[c] = RG_NONE;
    rc = 0;
done:
    if (rc) rg_scc_dom_free(out);
    free(start);
    free(members);
    free(held);
    free(rooted);
    return rc;
}

void rg_scc_dom_free(rg_scc_dom *d) {
    free(d->idom);
    free(d->retained);
    memset(d, 0, sizeof *d);
}

/* ---- per type ------------------------------------------------------------------------------ */

int rg_dom_type_retained(const rg_graph *g, const rg_dom *d, const rg_dom_tree *t, uint64_t *by_type,
                         uint64_t *count_type) {
    uint32_t n = g->n;
    uint32_t *active = calloc((size_t)g->nstr + 1, sizeof *active); /* objects of the type on the path */
    uint32_t *stk = malloc(((size_t)n + 2) * sizeof *stk);           /* the path: tree nodes */
    uint32_t *pos = malloc(((size_t)n + 2) * sizeof *pos);           /* next child of each */
    if (!active || !stk || !pos) {
        free(active);
        free(stk);
        free(pos);
        return RG_ENOMEM;
    }
    uint32_t sp = 0;
    stk[sp] = n; /* the virtual root */
    pos[sp++] = t->start[n];
    while (sp) { /* each object is pushed once: depth <= n + 1 */
        uint32_t v = stk[sp - 1], k = pos[sp - 1];
        if (k == t->start[v + 1]) {
            if (v != n) active[g->type[v]]--;
            sp--;
            continue;
        }
        pos[sp - 1] = k + 1;
        uint32_t c = t->child[k], ty = g->type[c];
        if (!active[ty]) {
            by_type[ty] = rg_sat_add(by_type[ty], d->retained[c]);
            if (count_type) count_type[ty]++;
        }
        active[ty]++;
        stk[sp] = c;
        pos[sp++] = t->start[c];
    }
    free(active);
    free(stk);
    free(pos);
    return 0;
}
