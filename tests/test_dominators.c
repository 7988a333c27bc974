/* test_dominators — the dominator tree and retained sizes against their
 * definition: on thousands of random small dumps, an object's retained set
 * is what becomes unreachable from the virtual root when it is removed
 * (tests/dominators_nx.py checks larger graphs against networkx). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "refgraph/dominators.h"
#include "refgraph/match.h"
#include "refgraph/steps.h"
#include "testutil.h"

/* Allocation failure: the library's malloc, calloc and realloc go through
 * these (-Wl,--wrap, see tests/CMakeLists.txt); fail_at = k makes the kth
 * allocation from now fail. */
void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t m);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t m);
void *__wrap_realloc(void *p, size_t n);
static long fail_at, allocs;
static int fails(void) { return fail_at && ++allocs == fail_at; }
void *__wrap_malloc(size_t n) { return fails() ? NULL : __real_malloc(n); }
void *__wrap_calloc(size_t n, size_t m) { return fails() ? NULL : __real_calloc(n, m); }
void *__wrap_realloc(void *p, size_t n) { return fails() ? NULL : __real_realloc(p, n); }

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint32_t rnd(uint32_t n) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng % n);
}

/* ---- building dumps ----------------------------------------------------------------- */

typedef struct buf {
    char *p;
    size_t len, cap;
} buf;

static void put(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#include <stdarg.h>
static void put(buf *b, const char *fmt, ...) {
    va_list ap;
    for (;;) {
        va_start(ap, fmt);
        int k = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
        if (k >= 0 && b->len + (size_t)k < b->cap) {
            b->len += (size_t)k;
            return;
        }
        b->cap = b->cap ? b->cap * 2 : 4096;
        b->p = realloc(b->p, b->cap);
        if (!b->p) abort();
    }
}

#define MAXN 64
#define ROUNDS 3000
#define BATCH 20
typedef struct spec {
    uint32_t n;
    uint32_t size[MAXN];
    int64_t rc[MAXN];
    uint32_t nref[MAXN], to[MAXN][8];
    int weak[MAXN][8];
    uint32_t nglob, glob[4];
    uint32_t nloc, loc[4];
} spec;

/* One dump of count specs side by side (spec j's objects after spec j-1's):
 * disjoint graphs, so one load checks many. */
static rg_graph *load_specs(const spec *s, size_t count) {
    buf b = {0};
    uint32_t n = 0, nrefs = 0, nglob = 0, nloc = 0;
    for (size_t j = 0; j < count; j++) {
        n += s[j].n;
        nglob += s[j].nglob;
        nloc += s[j].nloc;
        for (uint32_t i = 0; i < s[j].n; i++) nrefs += s[j].nref[i];
    }
    put(&b, "{\"format\":\"refgraph-dump\",\"version\":1,\"producer\":\"test\",\"producer_version\":\"0\","
            "\"created\":\"2026-01-01T00:00:00Z\",\"heap_id\":\"00000000000000aa\",\"heap\":{\"bytes_in_use\":0,"
            "\"peak_bytes\":0,\"live_objects\":%u,\"max_id\":%u},\"gc\":{\"enabled\":true,\"thresholds\":[700,10,10],"
            "\"counts\":[0,0,0],\"stats\":[{\"collections\":0,\"collected\":0,\"uncollectable\":0},"
            "{\"collections\":0,\"collected\":0,\"uncollectable\":0},{\"collections\":0,\"collected\":0,"
            "\"uncollectable\":0}],\"garbage_id\":null}}\n",
        n, n);
    uint32_t base = 0;
    for (size_t j = 0; j < count; base += s[j++].n)
        for (uint32_t i = 0; i < s[j].n; i++) {
            put(&b, "{\"id\":%u,\"type\":\"t%u\",\"size\":%u,\"rc\":%lld,\"gen\":null,\"label\":\"\",\"refs\":[",
                base + i + 1, i % 3, s[j].size[i], (long long)s[j].rc[i]);
            for (uint32_t k = 0; k < s[j].nref[i]; k++)
                put(&b, "%s[%u,\"r\"%s]", k ? "," : "", base + s[j].to[i][k] + 1, s[j].weak[i][k] ? ",true" : "");
            put(&b, "]}\n");
        }
    base = 0;
    for (size_t j = 0; j < count; base += s[j++].n)
        for (uint32_t i = 0; i < s[j].nglob; i++)
            put(&b, "{\"global\":\"g%zu_%u\",\"id\":%u}\n", j, i, base + s[j].glob[i] + 1);
    if (nloc) {
        put(&b, "{\"frame\":\"f\",\"depth\":0,\"locals\":[");
        base = 0;
        int first = 1;
        for (size_t j = 0; j < count; base += s[j++].n)
            for (uint32_t i = 0; i < s[j].nloc; i++, first = 0)
                put(&b, "%s[\"l%zu_%u\",%u]", first ? "" : ",", j, i, base + s[j].loc[i] + 1);
        put(&b, "]}\n");
    }
    put(&b, "{\"trailer\":{\"objects\":%u,\"references\":%u,\"globals\":%u,\"frames\":%u,\"generations\":"
            "{\"untracked\":%u,\"0\":0,\"1\":0,\"2\":0,\"frozen\":0}}}\n",
        n, nrefs, nglob, nloc ? 1u : 0u, n);
    rg_error err = {0};
    rg_graph *g = rg_graph_load_buffer(b.p, b.len, "random", NULL, &err);
    if (!g) fprintf(stderr, "load: %s\n%.*s", err.text, (int)b.len, b.p);
    free(b.p);
    return g;
}

static rg_graph *load_spec(const spec *s) { return load_specs(s, 1); }

static void random_spec(spec *s, uint32_t maxn) {
    memset(s, 0, sizeof *s);
    s->n = 1 + rnd(maxn);
    uint32_t deg = 1 + rnd(3);
    for (uint32_t i = 0; i < s->n; i++) {
        s->size[i] = 1 + rnd(100);
        s->nref[i] = rnd(deg + 1);
        for (uint32_t k = 0; k < s->nref[i]; k++) {
            s->to[i][k] = rnd(s->n);
            s->weak[i][k] = rnd(6) == 0;
        }
    }
    /* refcounts: the strong references, sometimes one more (held from outside) */
    for (uint32_t i = 0; i < s->n; i++)
        for (uint32_t k = 0; k < s->nref[i]; k++)
            if (!s->weak[i][k]) s->rc[s->to[i][k]]++;
    s->nglob = rnd(3);
    for (uint32_t i = 0; i < s->nglob; i++) s->glob[i] = rnd(s->n);
    s->nloc = rnd(3);
    for (uint32_t i = 0; i < s->nloc; i++) s->loc[i] = rnd(s->n);
    for (uint32_t i = 0; i < s->nglob; i++) s->rc[s->glob[i]]++;
    for (uint32_t i = 0; i < s->nloc; i++) s->rc[s->loc[i]]++;
    for (uint32_t i = 0; i < s->n; i++) {
        if (rnd(8) == 0) s->rc[i]++;
    }
}

/* ---- the definition --------------------------------------------------------------------- */

/* The virtual root's children, computed independently: roots by
 * rg_graph_external, garbage sources by rg_graph_scc. */
static void root_children(const rg_graph *g, uint8_t *child) {
    int64_t *ext = rg_graph_external(g);
    uint8_t *reach = malloc(g->n + 1);
    rg_scc scc;
    CU_ASSERT_FATAL(ext && reach && rg_graph_reachable(g, ext, reach) == 0 && rg_graph_scc(g, &scc) == 0);
    memset(child, 0, g->n);
    for (uint32_t v = 0; v < g->n; v++) child[v] = ext[v] > 0;
    for (uint32_t i = 0; i < g->nglobals; i++) child[g->global_obj[i]] = 1;
    for (uint32_t f = 0; f < g->nframes; f++)
        for (uint32_t k = 0; k < g->frames[f].nlocals; k++) child[g->frames[f].local_obj[k]] = 1;
    uint8_t *fed = calloc(scc.ncomp + 1, 1);
    for (uint32_t e = 0; e < g->nrefs; e++) {
        uint32_t a = rg_edge_source(g, e), b = g->ref_target[e];
        if (!(g->ref_label[e] & RG_EDGE_WEAK) && scc.comp[a] != scc.comp[b]) fed[scc.comp[b]] = 1;
    }
    for (uint32_t v = 0; v < g->n; v++)
        if (!reach[v] && !fed[scc.comp[v]]) child[v] = 1;
    free(fed);
    rg_scc_free(&scc);
    free(ext);
    free(reach);
}

/* seen[v] = 1 for what the root reaches without passing through removed objects. */
static void reach_without(const rg_graph *g, const uint8_t *child, const uint8_t *removed, uint8_t *seen) {
    uint32_t *queue = malloc((g->n + 1) * sizeof *queue), head = 0, tail = 0;
    CU_ASSERT_PTR_NOT_NULL_FATAL(queue);
    memset(seen, 0, g->n);
    for (uint32_t v = 0; v < g->n; v++)
        if (child[v] && !removed[v]) {
            seen[v] = 1;
            queue[tail++] = v;
        }
    while (head < tail) {
        uint32_t v = queue[head++];
        for (uint32_t e = g->ref_start[v]; e < g->ref_start[v + 1]; e++) {
            uint32_t w = g->ref_target[e];
            if ((g->ref_label[e] & RG_EDGE_WEAK) || removed[w] || seen[w]) continue;
            seen[w] = 1;
            queue[tail++] = w;
        }
    }
    free(queue);
}

static int check_one(const rg_graph *g) {
    uint32_t n = g->n;
    uint8_t *child = malloc(n + 1), *removed = malloc(n + 1), *seen = malloc(n + 1);
    uint8_t *dom = calloc((size_t)n * n + 1, 1); /* dom[d * n + v]: d strictly dominates v */
    uint32_t *ndom = calloc(n + 1, sizeof *ndom); /* strict dominators of each object */
    uint64_t *want_ret = malloc((n + 1) * sizeof *want_ret);
    CU_ASSERT_FATAL(child && removed && seen && dom && ndom && want_ret);
    root_children(g, child);
    for (uint32_t d = 0; d < n; d++) {
        memset(removed, 0, n);
        removed[d] = 1;
        reach_without(g, child, removed, seen);
        want_ret[d] = g->size[d];
        for (uint32_t v = 0; v < n; v++)
            if (v != d && !seen[v]) {
                dom[(size_t)d * n + v] = 1;
                ndom[v]++;
                want_ret[d] += g->size[v];
            }
    }
    rg_dom got;
    CU_ASSERT_FATAL(rg_dominators(g, &got) == 0);
    int bad = 0;
    uint64_t total = 0;
    for (uint32_t v = 0; v < n; v++) {
        total += g->size[v];
        uint32_t want = RG_NONE;
        for (uint32_t d = 0; d < n; d++) /* the strict dominator every other one dominates */
            if (dom[(size_t)d * n + v] && ndom[d] == ndom[v] - 1) want = d;
        if (got.idom[v] != want || got.retained[v] != want_ret[v]) bad = 1;
    }
    if (got.total != total) bad = 1;
    /* per type: objects no object of the same type dominates */
    uint64_t *want_type = calloc(g->nstr + 1, sizeof *want_type), *got_type = calloc(g->nstr + 1, sizeof *got_type);
    rg_dom_tree t;
    CU_ASSERT_FATAL(want_type && got_type && rg_dom_tree_build(&got, &t) == 0);
    CU_ASSERT_FATAL(rg_dom_type_retained(g, &got, &t, got_type, NULL) == 0);
    for (uint32_t v = 0; v < n; v++) {
        int top = 1;
        for (uint32_t d = 0; d < n; d++)
            if (dom[(size_t)d * n + v] && g->type[d] == g->type[v]) top = 0;
        if (top) want_type[g->type[v]] += want_ret[v];
    }
    if (memcmp(want_type, got_type, (g->nstr + 1) * sizeof *want_type) != 0) bad = 1;
    free(want_type);
    free(got_type);
    rg_dom_tree_free(&t);
    /* the components as a whole: remove every member */
    rg_scc scc;
    rg_scc_dom sd;
    CU_ASSERT_FATAL(rg_graph_scc(g, &scc) == 0);
    CU_ASSERT_FATAL(rg_scc_dominators(g, &scc, &sd) == 0);
    for (uint32_t c = 0; c < scc.ncomp; c++) {
        for (uint32_t v = 0; v < n; v++) removed[v] = scc.comp[v] == c;
        reach_without(g, child, removed, seen);
        uint64_t want = 0;
        for (uint32_t v = 0; v < n; v++)
            if (!seen[v]) want += g->size[v];
        if (sd.retained[c] != want) bad = 1;
        /* a single object's component retains what the object does */
        if (scc.size[c] == 1)
            for (uint32_t v = 0; v < n; v++)
                if (scc.comp[v] == c && sd.retained[c] != got.retained[v]) bad = 1;
    }
    rg_scc_dom_free(&sd);
    rg_scc_free(&scc);
    rg_dom_free(&got);
    free(child);
    free(removed);
    free(seen);
    free(dom);
    free(ndom);
    free(want_ret);
    return bad;
}

/* ROUNDS random graphs, BATCH at a time in one dump (disjoint, so each is
 * checked on its own all the same). */
static void test_random_small(void) {
    int failures = 0;
    static spec s[BATCH];
    for (int round = 0; round < ROUNDS; round += BATCH) {
        for (int j = 0; j < BATCH; j++) random_spec(&s[j], round < ROUNDS / 2 ? 8 : 24);
        rg_graph *g = load_specs(s, BATCH);
        CU_ASSERT_PTR_NOT_NULL_FATAL(g);
        if (check_one(g)) {
            if (failures++ < 3) fprintf(stderr, "\nrounds %d-%d differ from the definition\n", round, round + BATCH - 1);
        }
        rg_graph_free(g);
    }
    CU_ASSERT_EQUAL(failures, 0);
}

/* ---- shapes -------------------------------------------------------------------------------- */

/* root -> a; a -> b, a -> c; b -> d; c -> d; d -> e; e weak-> a: a keeps all,
 * d keeps e, b and c keep only themselves. A garbage pair x <-> y holding z. */
static void test_diamond_and_garbage(void) {
    spec s;
    memset(&s, 0, sizeof s);
    s.n = 8; /* a b c d e x y z */
    for (int i = 0; i < 8; i++) s.size[i] = 10 * (uint32_t)(i + 1);
    uint32_t edges[][3] = {{0, 1, 0}, {0, 2, 0}, {1, 3, 0}, {2, 3, 0}, {3, 4, 0}, {4, 0, 1},
                           {5, 6, 0}, {6, 5, 0}, {6, 7, 0}};
    for (size_t k = 0; k < sizeof edges / sizeof *edges; k++) {
        uint32_t a = edges[k][0];
        s.to[a][s.nref[a]] = edges[k][1];
        s.weak[a][s.nref[a]++] = (int)edges[k][2];
        if (!edges[k][2]) s.rc[edges[k][1]]++;
    }
    s.nglob = 1;
    s.glob[0] = 0;
    s.rc[0]++;
    rg_graph *g = load_spec(&s);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    rg_dom d;
    CU_ASSERT_EQUAL_FATAL(rg_dominators(g, &d), 0);
    CU_ASSERT_EQUAL(d.idom[0], RG_NONE);
    CU_ASSERT_EQUAL(d.idom[1], 0);
    CU_ASSERT_EQUAL(d.idom[2], 0);
    CU_ASSERT_EQUAL(d.idom[3], 0);
    CU_ASSERT_EQUAL(d.idom[4], 3);
    CU_ASSERT_EQUAL(d.retained[0], 10 + 20 + 30 + 40 + 50);
    CU_ASSERT_EQUAL(d.retained[3], 40 + 50);
    CU_ASSERT_EQUAL(d.retained[1], 20);
    /* the garbage pair: both children of the root, each keeping what only it holds */
    CU_ASSERT_EQUAL(d.idom[5], RG_NONE);
    CU_ASSERT_EQUAL(d.idom[6], RG_NONE);
    CU_ASSERT_EQUAL(d.idom[7], 6);
    CU_ASSERT_EQUAL(d.retained[6], 70 + 80);
    CU_ASSERT_EQUAL(d.retained[5], 60);
    CU_ASSERT_EQUAL(d.total, 360);
    /* as a whole, the pair retains itself and z */
    rg_scc scc;
    rg_scc_dom sd;
    CU_ASSERT_EQUAL_FATAL(rg_graph_scc(g, &scc), 0);
    CU_ASSERT_EQUAL_FATAL(rg_scc_dominators(g, &scc, &sd), 0);
    CU_ASSERT_EQUAL(sd.retained[scc.comp[5]], 60 + 70 + 80);
    CU_ASSERT_EQUAL(sd.idom[scc.comp[5]], RG_NONE);
    CU_ASSERT_EQUAL(sd.idom[scc.comp[7]], scc.comp[5]);
    /* the tree as lists */
    rg_dom_tree t;
    uint32_t out[8];
    CU_ASSERT_EQUAL_FATAL(rg_dom_tree_build(&d, &t), 0);
    CU_ASSERT_EQUAL(rg_dom_dominated(&t, 0, out), 4);
    CU_ASSERT_EQUAL(rg_dom_dominated(&t, 3, out), 1);
    CU_ASSERT_EQUAL(out[0], 4);
    CU_ASSERT_EQUAL(t.start[8 + 1] - t.start[8], 3); /* a, x, y under the virtual root */
    rg_dom_tree_free(&t);
    rg_scc_dom_free(&sd);
    rg_scc_free(&scc);
    rg_dom_free(&d);
    rg_graph_free(g);
}

/* A 300,000-object chain held by one global, and a garbage ring as long: the deepest trees, no recursion, exact sizes. */
static rg_graph *big(uint32_t n, int ring) {
    buf b = {0};
    put(&b, "{\"format\":\"refgraph-dump\",\"version\":1,\"producer\":\"test\",\"producer_version\":\"0\","
            "\"created\":\"2026-01-01T00:00:00Z\",\"heap_id\":\"00000000000000aa\",\"heap\":{\"bytes_in_use\":0,"
            "\"peak_bytes\":0,\"live_objects\":%u,\"max_id\":%u},\"gc\":{\"enabled\":true,\"thresholds\":[700,10,10],"
            "\"counts\":[0,0,0],\"stats\":[{\"collections\":0,\"collected\":0,\"uncollectable\":0},"
            "{\"collections\":0,\"collected\":0,\"uncollectable\":0},{\"collections\":0,\"collected\":0,"
            "\"uncollectable\":0}],\"garbage_id\":null}}\n",
        n, n);
    uint32_t refs = 0;
    for (uint32_t i = 0; i < n; i++) {
        int has = ring || i + 1 < n;
        put(&b, "{\"id\":%u,\"type\":\"node\",\"size\":2,\"rc\":1,\"gen\":0,\"label\":\"\",\"refs\":[", i + 1);
        if (has) put(&b, "[%u,\"next\"]", (i + 1) % n + 1);
        put(&b, "]}\n");
        refs += (uint32_t)has;
    }
    if (!ring) put(&b, "{\"global\":\"head\",\"id\":1}\n");
    put(&b, "{\"trailer\":{\"objects\":%u,\"references\":%u,\"globals\":%d,\"frames\":0,\"generations\":"
            "{\"untracked\":0,\"0\":%u,\"1\":0,\"2\":0,\"frozen\":0}}}\n",
        n, refs, ring ? 0 : 1, n);
    rg_error err = {0};
    rg_graph *g = rg_graph_load_buffer(b.p, b.len, "big", NULL, &err);
    free(b.p);
    return g;
}

static void test_long_chain_and_ring(void) {
    uint32_t n = 300000;
    for (int ring = 0; ring < 2; ring++) {
        rg_graph *g = big(n, ring);
        CU_ASSERT_PTR_NOT_NULL_FATAL(g);
        rg_dom d;
        CU_ASSERT_EQUAL_FATAL(rg_dominators(g, &d), 0);
        /* chain: object i keeps i..n-1; ring (garbage, one component, every
         * member a child of the root): the same along the ring from any member */
        CU_ASSERT_EQUAL(d.retained[0], ring ? 2ull : 2ull * n);
        CU_ASSERT_EQUAL(d.idom[0], RG_NONE);
        CU_ASSERT_EQUAL(d.retained[n / 2], ring ? 2ull : 2ull * (n - n / 2));
        CU_ASSERT_EQUAL(d.idom[n - 1], ring ? RG_NONE : n - 2);
        rg_scc scc;
        rg_scc_dom sd;
        CU_ASSERT_EQUAL_FATAL(rg_graph_scc(g, &scc), 0);
        CU_ASSERT_EQUAL_FATAL(rg_scc_dominators(g, &scc, &sd), 0);
        CU_ASSERT_EQUAL(sd.retained[scc.comp[0]], 2ull * n);
        rg_scc_dom_free(&sd);
        rg_scc_free(&scc);
        rg_dom_free(&d);
        rg_graph_free(g);
    }
}

/* Every allocation of every entry point fails in turn: RG_ENOMEM, nothing
 * leaked (LeakSanitizer checks at exit), out zeroed; then success. */
static void test_allocation_failures(void) {
    spec s;
    random_spec(&s, 24);
    rg_graph *g = load_spec(&s);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    rg_scc scc;
    CU_ASSERT_EQUAL_FATAL(rg_graph_scc(g, &scc), 0);
    int kinds_failed = 0;
    for (int which = 0; which < 4; which++) {
        for (long k = 1;; k++) {
            rg_dom d = {0};
            rg_dom_tree t = {0};
            rg_scc_dom sd;
            uint64_t by_type[64] = {0};
            int rc;
            if (which >= 2) CU_ASSERT_EQUAL_FATAL(rg_dominators(g, &d), 0);
            if (which == 3) CU_ASSERT_EQUAL_FATAL(rg_dom_tree_build(&d, &t), 0);
            allocs = 0;
            fail_at = k;
            if (which == 0)
                rc = rg_dominators(g, &d);
            else if (which == 1)
                rc = rg_scc_dominators(g, &scc, &sd);
            else if (which == 2)
                rc = rg_dom_tree_build(&d, &t);
            else
                rc = g->nstr <= 64 ? rg_dom_type_retained(g, &d, &t, by_type, NULL) : 0;
            int failed = allocs >= k;
            fail_at = 0;
            if (failed) {
                CU_ASSERT_EQUAL(rc, RG_ENOMEM);
                if (which == 0) CU_ASSERT_PTR_NULL(d.idom);
                if (which == 2) CU_ASSERT_PTR_NULL(t.start);
            } else {
                CU_ASSERT_EQUAL(rc, 0);
            }
            if (which == 1 && rc == 0) rg_scc_dom_free(&sd);
            rg_dom_tree_free(&t);
            rg_dom_free(&d);
            if (!failed) break;
            kinds_failed += k == 1;
        }
    }
    CU_ASSERT_EQUAL(kinds_failed, 4);
    rg_scc_free(&scc);
    rg_graph_free(g);
}

/* graph/steps.h: each allocation of rg_step_diff_compute fails in turn:
 * RG_ENOMEM, out zeroed, nothing leaked; then the same answer as ever. */
static void test_step_diff_allocation_failures(void) {
    spec s;
    random_spec(&s, 24);
    rg_graph *g = load_spec(&s);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    uint8_t *reach = calloc(g->n + 1, 1);
    CU_ASSERT_FATAL(reach != NULL);
    CU_ASSERT_EQUAL_FATAL(rg_graph_reachable(g, NULL, reach), 0);
    long k = 1;
    for (;; k++) {
        rg_step_diff d;
        allocs = 0;
        fail_at = k;
        int rc = rg_step_diff_compute(g, reach, g, reach, &d);
        int failed = allocs >= k;
        fail_at = 0;
        if (failed) {
            CU_ASSERT_EQUAL(rc, RG_ENOMEM);
            CU_ASSERT(d.mark == NULL && d.old_rc == NULL && d.freed == NULL);
        } else {
            CU_ASSERT_EQUAL(rc, 0); /* a dump against itself: nothing changed */
            CU_ASSERT(d.nnew == 0 && d.nfreed == 0 && d.nrc == 0 && d.nlost == 0);
        }
        rg_step_diff_free(&d);
        if (!failed) break;
    }
    CU_ASSERT_EQUAL(k, 6); /* three allocations and the match's two, each failed once */
    free(reach);
    rg_graph_free(g);
}

/* graph/match.h: each allocation of rg_match_init and rg_changes_compute
 * fails in turn: RG_ENOMEM, out zeroed, nothing leaked (ASan). */
static void test_match_allocation_failures(void) {
    spec s;
    random_spec(&s, 24);
    rg_graph *g = load_spec(&s);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    uint8_t *reach = calloc(g->n + 1, 1);
    rg_scc scc;
    CU_ASSERT_FATAL(reach != NULL);
    CU_ASSERT_EQUAL_FATAL(rg_graph_reachable(g, NULL, reach), 0);
    CU_ASSERT_EQUAL_FATAL(rg_graph_scc(g, &scc), 0);
    long k = 1;
    for (;; k++) {
        rg_match m;
        rg_changes c;
        memset(&c, 0, sizeof c);
        allocs = 0;
        fail_at = k;
        int rc = rg_match_init(&m, g, g);
        if (rc == 0) rc = rg_changes_compute(&m, &scc, reach, g, &scc, reach, &c);
        int failed = allocs >= k;
        fail_at = 0;
        if (failed) {
            CU_ASSERT_EQUAL(rc, RG_ENOMEM);
            CU_ASSERT(c.mark == NULL && c.new_cycles == NULL && c.vanished_cycles == NULL);
        } else {
            CU_ASSERT_EQUAL(rc, 0); /* a dump against itself: nothing changed */
            CU_ASSERT(m.nnew == 0 && m.nfreed == 0 && c.nlost == 0 && c.nnew_cycles == 0 && c.nvanished_cycles == 0);
        }
        rg_changes_free(&c);
        rg_match_free(&m);
        if (!failed) break;
    }
    CU_ASSERT_EQUAL(k, 11); /* the match's two allocations and the changes' eight, each failed once */
    rg_scc_free(&scc);
    free(reach);
    rg_graph_free(g);
}

int main(void) {
    static const test_case cases[] = {
        {"graph/steps.h: every allocation can fail", test_step_diff_allocation_failures},
        {"graph/match.h: every allocation can fail", test_match_allocation_failures},
        {"every allocation can fail", test_allocation_failures},
        {"a diamond, a weak back reference, a garbage pair", test_diamond_and_garbage},
        {"3000 random dumps against the definition", test_random_small},
        {"a 300,000-object chain and garbage ring, no recursion", test_long_chain_and_ring},
        {NULL, NULL},
    };
    return run_suite("dominators", cases);
}
