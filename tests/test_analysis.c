/* test_analysis.c — the analyses of graph/ on hostile and generated
 * graphs: the cycle breaker ends on dumps the core writes itself, roots in
 * tens of thousands of frames, components checked against a brute-force
 * definition on thousands of random graphs, sizes that would overflow. */
#include <stdarg.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <string.h>

#include "refgraph/analysis.h"
#include "refgraph/graph.h"
#include "refgraph/match.h"
#include "gengraph.h"
#include "testutil.h"

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
 * cycle a <-> b but on no cycle, and the breaker retried it forever. The
 * dump is the one the core wrote for that heap (saved, so that this suite
 * needs nothing of the heap): w is id 6, a id 4, b id 5. */
static void test_break_cycles_ends_on_core_dump(void) {
    uint64_t wid = 6, aid = 4;
    rg_graph *g = load(RG_TEST_DUMPS "/valid/break-downstream.jsonl");
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

/* ---- ids chosen to collide ---------------------------------------------------------- */

/* load.c's mix (x ^= x >> 31; x *= K; x ^= x >> 27) undone: ids whose hashes
 * are chosen. */
static uint64_t unxorshift(uint64_t y, int s) {
    uint64_t x = y;
    for (int i = 0; i < 64 / s + 1; i++) x = y ^ (x >> s);
    return x;
}
static uint64_t unmix(uint64_t h) {
    uint64_t inv = 0x7fb5d329728ea185ULL; /* K^-1 mod 2^64 by Newton's iteration */
    for (int i = 0; i < 6; i++) inv *= 2 - 0x7fb5d329728ea185ULL * inv;
    return unxorshift(unxorshift(h, 27) * inv, 31);
}

typedef struct text {
    char *p;
    size_t n, cap;
} text;

static void put(text *t, const char *fmt, ...) {
    va_list ap;
    for (;;) {
        va_start(ap, fmt);
        int k = vsnprintf(t->p + t->n, t->cap - t->n, fmt, ap);
        va_end(ap);
        CU_ASSERT_FATAL(k >= 0);
        if ((size_t)k < t->cap - t->n) {
            t->n += (size_t)k;
            return;
        }
        t->cap = t->cap * 2 + (size_t)k + 64;
        t->p = realloc(t->p, t->cap);
        CU_ASSERT_PTR_NOT_NULL_FATAL(t->p);
    }
}

#define HEADER                                                                                                   \
    "{\"format\":\"refgraph-dump\",\"version\":1,\"producer\":\"t\",\"producer_version\":\"1\",\"created\":\"x\","          \
    "\"heap_id\":\"00000000000000aa\",\"heap\":{\"bytes_in_use\":0,\"peak_bytes\":0,\"live_objects\":0,\"max_id\":1},"   \
    "\"gc\":{\"enabled\":true,\"thresholds\":[1,1,1],\"counts\":[0,0,0],\"stats\":[{\"collections\":0,\"collected\":0,"    \
    "\"uncollectable\":0},{\"collections\":0,\"collected\":0,\"uncollectable\":0},{\"collections\":0,\"collected\":0,"     \
    "\"uncollectable\":0}],\"garbage_id\":null}}\n"

/* A ring of n objects with these ids, as dump text. */
static text ring(const uint64_t *ids, uint32_t n) {
    text t = {NULL, 0, 0};
    put(&t, HEADER);
    for (uint32_t i = 0; i < n; i++)
        put(&t, "{\"id\":%llu,\"type\":\"t\",\"size\":1,\"rc\":1,\"gen\":0,\"label\":\"\",\"refs\":[[%llu,\"\"]]}\n",
            (unsigned long long)ids[i], (unsigned long long)ids[(i + 1) % n]);
    put(&t, "{\"trailer\":{\"objects\":%u,\"references\":%u,\"globals\":0,\"frames\":0,\"generations\":"
            "{\"untracked\":0,\"0\":%u,\"1\":0,\"2\":0,\"frozen\":0}}}\n", n, n, n);
    return t;
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Loads dump text; returns the seconds it took (the graph in *out). */
static double timed_load(const text *t, rg_graph **out, rg_error *err) {
    double t0 = now();
    *out = rg_graph_load_buffer(t->p, t->n, "ids", NULL, err);
    return now() - t0;
}

/* Issue 11, finding 3: 160,000 ids whose hashes all share their low 24 bits
 * made id resolution quadratic (37.6 s instead of 0.5 s). The hash table
 * now gives up past ID_MAX_PROBE probes and sorts the ids instead. */
static void test_colliding_ids(void) {
    enum { N = 160000 };
    uint64_t *ids = malloc(N * sizeof *ids);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ids);
    uint64_t seed = 1;
    for (uint32_t i = 0; i < N; i++) ids[i] = (gen_next(&seed) >> 1) | 1;
    text random = ring(ids, N);
    uint32_t k = 0;
    for (uint64_t h = 1; k < N; h++) { /* hashes h << 24: one slot of a table of 2^24 or fewer */
        uint64_t id = unmix(h << 24);
        if (id && id <= (uint64_t)INT64_MAX) ids[k++] = id;
    }
    text collide = ring(ids, N);
    rg_graph *g1, *g2;
    rg_error err = {0};
    double t_random = timed_load(&random, &g1, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g1);
    double t_collide = timed_load(&collide, &g2, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g2);
    printf("\n  random ids %.3f s, colliding ids %.3f s ", t_random, t_collide);
    CU_ASSERT(t_collide < 8 * t_random + 2.0); /* slack for a loaded machine; quadratic took 37 s */
    /* every id resolves, and ids not there do not */
    for (uint32_t i = 0; i < N; i += 97) CU_ASSERT_EQUAL(rg_graph_find(g2, ids[i]), i);
    CU_ASSERT_EQUAL(rg_graph_find(g2, unmix((uint64_t)1 << 60)), RG_NONE);
    CU_ASSERT_EQUAL(rg_graph_find(g2, 0), RG_NONE);
    for (uint32_t i = 0; i < N; i++) CU_ASSERT_EQUAL_FATAL(g2->ref_target[i], (i + 1) % N);
    rg_graph_free(g1);
    rg_graph_free(g2);
    /* a duplicate among colliding ids is still found, on the right lines */
    ids[5000] = ids[1234];
    ids[7000] = ids[1234];
    text dup = ring(ids, N);
    memset(&err, 0, sizeof err);
    CU_ASSERT_PTR_NULL(rg_graph_load_buffer(dup.p, dup.n, "dup", NULL, &err));
    char want[128];
    snprintf(want, sizeof want, "duplicate object id %llu (first on line 1236)", (unsigned long long)ids[1234]);
    CU_ASSERT_STRING_EQUAL(err.text, want);
    CU_ASSERT_EQUAL(err.line, 5002);
    free(random.p);
    free(collide.p);
    free(dup.p);
    free(ids);
}

/* ---- hostile files ----------------------------------------------------------------- */

static void write_file(const char *path, const char *a, size_t na, const char *b, size_t nb, const char *c,
                       size_t nc) {
    FILE *f = fopen(path, "wb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT(fwrite(a, 1, na, f) == na && fwrite(b, 1, nb, f) == nb && fwrite(c, 1, nc, f) == nc);
    CU_ASSERT(fclose(f) == 0);
}

/* Issue 11, finding 3: a 2 GiB file of NUL bytes was read whole (19.8 s,
 * 2.1 GB) before it was rejected. Now a line longer than the buffer is
 * checked while it is read: the first NUL stops it. */
static void test_nul_file_rejected_early(void) {
    const char *path = tmp("nul.bin");
    FILE *f = fopen(path, "wb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_EQUAL(ftruncate(fileno(f), (off_t)2 << 30), 0); /* sparse: no disk used */
    fclose(f);
    rg_error err = {0};
    double t0 = now();
    CU_ASSERT_PTR_NULL(rg_graph_load(path, NULL, &err));
    double t = now() - t0;
    printf("\n  2 GiB of NUL bytes rejected in %.3f s ", t);
    CU_ASSERT(t < 2.0);
    char msg[300];
    rg_error_format(&err, msg, sizeof msg);
    CU_ASSERT_STRING_EQUAL(msg, "line 1, column 1: malformed JSON: expected a value");
    unlink(path);
}

/* The early check gives the message the whole line would: the same as the
 * in-memory loader, which always sees whole lines. */
static void test_early_rejection_same_message(void) {
    size_t big = (size_t)3 << 20;
    char *fill = malloc(big);
    CU_ASSERT_PTR_NOT_NULL_FATAL(fill);
    const char *head = HEADER;
    struct {
        const char *pre, *post;
        size_t npost;
        char byte;
    } cases[] = {
        {"", "", 0, 'A'},                                        /* not JSON at all */
        {"{\"id\":1,\"label\":\"", "\x01\"}\n", 4, 'a'},          /* a control byte in a long string */
        {"{\"id\":1,\"refs\":[", "\0]}\n", 4, ' '},                /* a NUL after long whitespace */
        {"{\"id\":1,\"refs\":[", "\0]}\n", 4, '['},                /* nesting too deep comes first */
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        memset(fill, cases[k].byte, big);
        text t = {NULL, 0, 0};
        put(&t, "%s%s", head, cases[k].pre);
        t.p = realloc(t.p, t.n + big + cases[k].npost);
        CU_ASSERT_PTR_NOT_NULL_FATAL(t.p);
        memcpy(t.p + t.n, fill, big);
        memcpy(t.p + t.n + big, cases[k].post, cases[k].npost);
        t.n += big + cases[k].npost;
        write_file(tmp("early.jsonl"), t.p, t.n, "", 0, "", 0);
        rg_error e1 = {0}, e2 = {0};
        CU_ASSERT_PTR_NULL(rg_graph_load(tmp("early.jsonl"), NULL, &e1));
        CU_ASSERT_PTR_NULL(rg_graph_load_buffer(t.p, t.n, tmp("early.jsonl"), NULL, &e2));
        char m1[300], m2[300];
        rg_error_format(&e1, m1, sizeof m1);
        rg_error_format(&e2, m2, sizeof m2);
        if (strcmp(m1, m2)) printf("\n  case %zu: file '%s', memory '%s'", k, m1, m2);
        CU_ASSERT_STRING_EQUAL(m1, m2);
        free(t.p);
    }
    free(fill);
}

static long max_rss_kb(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

/* Issue 11, finding 3: unknown fields, which the format allows, each got two
 * tokens or more (a 262 KB gzip file of them took 18 s and 2.9 GB). The
 * tokenizer now skips fields the format does not know without a token: 5
 * million of them (30 MB of text, 10 million tokens before) load in little
 * more memory than the text itself. */
static void test_unknown_fields_constant_memory(void) {
    enum { FIELDS = 5000000 };
    text t = {NULL, 0, 0};
    put(&t, HEADER);
    put(&t, "{\"id\":1,\"type\":\"t\",\"size\":1,\"rc\":0,\"gen\":0,\"label\":\"\",\"refs\":[]");
    t.p = realloc(t.p, t.n + (size_t)FIELDS * 8 + 4096);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t.p);
    t.cap = t.n + (size_t)FIELDS * 8 + 4096;
    for (int i = 0; i < FIELDS; i++) {
        memcpy(t.p + t.n, i % 2 ? ",\"u\":[0]" : ",\"v\":{}", 7 + (i % 2));
        t.n += 7 + (size_t)(i % 2);
    }
    put(&t, "}\n{\"trailer\":{\"objects\":1,\"references\":0,\"globals\":0,\"frames\":0,\"generations\":"
            "{\"untracked\":0,\"0\":1,\"1\":0,\"2\":0,\"frozen\":0},\"later\":[1,2,3]}}\n");
    long before = max_rss_kb();
    rg_error err = {0};
    rg_graph *g = rg_graph_load_buffer(t.p, t.n, "unknown", NULL, &err);
    long grew = max_rss_kb() - before;
    printf("\n  %d unknown fields: peak RSS grew %ld KB ", FIELDS, grew);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    CU_ASSERT_EQUAL(g->n, 1);
    CU_ASSERT(grew < 32 * 1024);
    rg_graph_free(g);
    free(t.p);
}

/* Issue 11, finding 4: bytes after the end of a gzip stream were ignored;
 * they are an error now (tests/dumps/invalid/trailing-gzip.jsonl holds the
 * message). Several gzip members, which RFC 1952 allows, still load. */
static void test_gzip_members(void) {
    rg_graph *g = load(RG_TEST_DUMPS "/hostile/gzip-members.jsonl");
    CU_ASSERT_EQUAL(g->n, 2);
    CU_ASSERT_EQUAL(g->nglobals, 1);
    CU_ASSERT_EQUAL(g->nframes, 1);
    rg_graph_free(g);
}

/* ---- the analyses against brute force ------------------------------------------------ */

enum { BN = 12 };

/* Components, shortest cycles, cycle breaking, reachability and root chains
 * on thousands of small random graphs (1 to 12 objects, self-references,
 * weak references, random ids and roots), each checked against its
 * definition computed by brute force: u and v share a component iff each
 * reaches the other (Floyd-Warshall closure); a shortest cycle through m is
 * as long as the shortest path from m back to m; and so on. */
static void test_against_brute_force(void) {
    uint64_t seed = 12345;
    int graphs = 0, cyclic_seen = 0;
    for (int round = 0; round < 3000; round++) {
        uint32_t n = 1 + gen_below(&seed, BN), ne = gen_below(&seed, 3 * n + 1);
        uint32_t src[3 * BN + 1], dst[3 * BN + 1];
        int weak[3 * BN + 1], indeg[BN] = {0}, glob[BN] = {0}, extra[BN] = {0}, stat[BN];
        uint64_t id[BN], size[BN];
        for (uint32_t i = 0; i < n; i++) {
            id[i] = gen_below(&seed, 2) ? i + 1 : ((uint64_t)(i + 1) * 0x9e3779b97f4a7c15ULL) >> 1;
            size[i] = gen_below(&seed, 100);
            glob[i] = gen_below(&seed, 6) == 0;
            extra[i] = gen_below(&seed, 8) == 0;
            stat[i] = (i * 7 + (uint32_t)round) % 11 == 0; /* marked static: the heap's own */
        }
        for (uint32_t e = 0; e < ne; e++) {
            src[e] = gen_below(&seed, n);
            dst[e] = gen_below(&seed, n);
            weak[e] = gen_below(&seed, 7) == 0;
        }
        /* edges grouped by source, as a dump writes them */
        for (uint32_t a = 1; a < ne; a++)
            for (uint32_t b = a; b > 0 && src[b - 1] > src[b]; b--) {
                uint32_t ts = src[b], td = dst[b];
                int tw = weak[b];
                src[b] = src[b - 1], dst[b] = dst[b - 1], weak[b] = weak[b - 1];
                src[b - 1] = ts, dst[b - 1] = td, weak[b - 1] = tw;
            }
        for (uint32_t e = 0; e < ne; e++) indeg[dst[e]] += !weak[e];
        text t = {NULL, 0, 0};
        put(&t, HEADER);
        uint32_t e = 0, nglob = 0;
        for (uint32_t i = 0; i < n; i++) {
            put(&t, "{\"id\":%llu,\"type\":\"t%u\",\"size\":%llu,\"rc\":%d,\"gen\":0,\"label\":\"\"%s,\"refs\":[",
                (unsigned long long)id[i], i % 3, (unsigned long long)size[i], indeg[i] + glob[i] + extra[i],
                stat[i] ? ",\"static\":true" : "");
            for (uint32_t k = 0; e < ne && src[e] == i; e++, k++)
                put(&t, "%s[%llu,\"e%u\"%s]", k ? "," : "", (unsigned long long)id[dst[e]], e, weak[e] ? ",true" : "");
            put(&t, "]}\n");
        }
        for (uint32_t i = 0; i < n; i++)
            if (glob[i]) put(&t, "{\"global\":\"g%u\",\"id\":%llu}\n", i, (unsigned long long)id[i]), nglob++;
        put(&t, "{\"trailer\":{\"objects\":%u,\"references\":%u,\"globals\":%u,\"frames\":0,\"generations\":"
                "{\"untracked\":0,\"0\":%u,\"1\":0,\"2\":0,\"frozen\":0}}}\n", n, ne, nglob, n);
        rg_error err = {0};
        rg_graph *g = rg_graph_load_buffer(t.p, t.n, "brute", NULL, &err);
        free(t.p);
        if (!g) printf("\n  %s", err.text);
        CU_ASSERT_PTR_NOT_NULL_FATAL(g);
        CU_ASSERT_EQUAL_FATAL(g->nrefs, ne);
        /* brute force: reach[u][v] over strong references, paths of length >= 1 */
        int reach[BN][BN] = {{0}}, dist[BN][BN];
        for (e = 0; e < ne; e++)
            if (!weak[e]) reach[src[e]][dst[e]] = 1;
        for (uint32_t k = 0; k < n; k++)
            for (uint32_t u = 0; u < n; u++)
                for (uint32_t v = 0; v < n; v++)
                    if (reach[u][k] && reach[k][v]) reach[u][v] = 1;
        /* shortest path lengths (>= 1 edge) by Floyd-Warshall */
        for (uint32_t u = 0; u < n; u++)
            for (uint32_t v = 0; v < n; v++) dist[u][v] = 1000;
        for (e = 0; e < ne; e++)
            if (!weak[e]) dist[src[e]][dst[e]] = 1;
        for (uint32_t k = 0; k < n; k++)
            for (uint32_t u = 0; u < n; u++)
                for (uint32_t v = 0; v < n; v++)
                    if (dist[u][k] + dist[k][v] < dist[u][v]) dist[u][v] = dist[u][k] + dist[k][v];
        rg_scc s;
        rg_finder f;
        CU_ASSERT_EQUAL_FATAL(rg_graph_scc(g, &s), 0);
        CU_ASSERT_EQUAL_FATAL(rg_finder_init(&f, g, &s), 0);
        for (uint32_t u = 0; u < n; u++)
            for (uint32_t v = 0; v < n; v++)
                CU_ASSERT_EQUAL(s.comp[u] == s.comp[v], u == v || (reach[u][v] && reach[v][u]));
        uint32_t edges[3 * BN + 1];
        for (uint32_t u = 0; u < n; u++) {
            uint32_t c = s.comp[u], members = 0;
            uint64_t bytes = 0;
            for (uint32_t v = 0; v < n; v++)
                if (s.comp[v] == c) members++, bytes += size[v];
            CU_ASSERT_EQUAL(s.size[c], members);
            CU_ASSERT_EQUAL(s.bytes[c], bytes);
            CU_ASSERT_EQUAL(s.cyclic[c] != 0, reach[u][u]);
            uint32_t len = rg_shortest_cycle(&f, u, NULL, 0, edges);
            CU_ASSERT_EQUAL(len, reach[u][u] ? (uint32_t)dist[u][u] : 0);
            for (uint32_t k = 0; k < len; k++) { /* a cycle: u -> ... -> u over strong references */
                CU_ASSERT(!(g->ref_label[edges[k]] & RG_EDGE_WEAK));
                CU_ASSERT_EQUAL(rg_edge_source(g, edges[k]), k ? g->ref_target[edges[k - 1]] : u);
            }
            if (len) CU_ASSERT_EQUAL(g->ref_target[edges[len - 1]], u);
            if (s.cyclic[c] && f.members[f.comp_start[c]] == u) { /* once per component */
                cyclic_seen++;
                size_t nb = rg_break_cycles(&f, c, edges, 3 * BN);
                CU_ASSERT(nb > 0);
                CU_ASSERT(breaks_every_cycle(g, &s, c, edges, nb));
                if (!nb && getenv("RG_DEBUG_BRUTE")) {
                    printf("\n  comp of %u members:", s.size[c]);
                    for (uint32_t k = 0; k < ne; k++)
                        if (s.comp[src[k]] == c && s.comp[dst[k]] == c && !weak[k]) printf(" %u->%u", src[k], dst[k]);
                }
            }
        }
        /* reachability from the roots: globals and objects held from outside */
        int root[BN], reached[BN], rdist[BN];
        for (uint32_t v = 0; v < n; v++) root[v] = glob[v] || extra[v];
        for (uint32_t v = 0; v < n; v++) {
            reached[v] = root[v];
            rdist[v] = root[v] ? 0 : 1000;
            for (uint32_t r = 0; r < n; r++)
                if (root[r] && reach[r][v]) {
                    reached[v] = 1;
                    if (dist[r][v] < rdist[v]) rdist[v] = dist[r][v];
                }
        }
        int64_t *ext = rg_graph_external(g);
        uint8_t rch[BN];
        rg_root *ri = rg_root_index(g);
        CU_ASSERT_FATAL(ext && ri);
        CU_ASSERT_EQUAL(rg_graph_reachable(g, ext, rch), 0);
        for (uint32_t v = 0; v < n; v++) {
            CU_ASSERT_EQUAL(ext[v], extra[v]);
            CU_ASSERT_EQUAL(rch[v] != 0, reached[v]);
            uint32_t first;
            long len = rg_root_chain(&f, ri, ext, NULL, v, &first, edges);
            CU_ASSERT_EQUAL(len, reached[v] ? rdist[v] : -1);
            for (long k = 0; k < len; k++)
                CU_ASSERT_EQUAL(rg_edge_source(g, edges[k]), k ? g->ref_target[edges[k - 1]] : first);
            if (len > 0) CU_ASSERT_EQUAL(g->ref_target[edges[len - 1]], v);
        }
        /* forward chains (objgraph's find_ref_chain) to the objects of type t0 */
        uint8_t tgt[BN];
        for (uint32_t v = 0; v < n; v++) tgt[v] = v % 3 == 0;
        for (uint32_t u = 0; u < n; u++) {
            int want = -1;
            for (uint32_t w = 0; w < n; w++) {
                int d = u == w ? 0 : dist[u][w] < 1000 ? dist[u][w] : -1;
                if (tgt[w] && d >= 0 && (want < 0 || d < want)) want = d;
            }
            uint32_t last;
            long len = rg_forward_chain(&f, u, tgt, NULL, &last, edges);
            CU_ASSERT_EQUAL(len, want);
            for (long k = 0; k < len; k++) {
                CU_ASSERT(!(g->ref_label[edges[k]] & RG_EDGE_WEAK));
                CU_ASSERT_EQUAL(rg_edge_source(g, edges[k]), k ? g->ref_target[edges[k - 1]] : u);
            }
            if (len >= 0) CU_ASSERT(tgt[last] && (len ? g->ref_target[edges[len - 1]] : u) == last);
        }
        /* the garbage grouped by the cycle that keeps it alive, and info's counters */
        rg_analysis an;
        rg_garbage gb;
        rg_counts cnt;
        CU_ASSERT_EQUAL_FATAL(rg_analyze(g, &an), 0);
        CU_ASSERT_EQUAL_FATAL(rg_garbage_find(g, &an, &f, &gb), 0);
        rg_graph_count(g, &an, &cnt);
        uint64_t lost = 0, lost_bytes = 0, held = 0, in_groups = 0;
        for (uint32_t v = 0; v < n; v++) {
            if (!reached[v]) lost++, lost_bytes += size[v];
            held += extra[v] && !stat[v];
            CU_ASSERT_EQUAL(rg_graph_heap_owned(g, v), stat[v]);
            CU_ASSERT_EQUAL(gb.group[v] == RG_NONE, reached[v]); /* every garbage object in one group */
        }
        CU_ASSERT_EQUAL(gb.objects, lost);
        CU_ASSERT_EQUAL(gb.bytes, lost_bytes);
        CU_ASSERT_EQUAL(cnt.unreachable, lost);
        CU_ASSERT_EQUAL(cnt.unreachable_bytes, lost_bytes);
        CU_ASSERT_EQUAL(cnt.held_outside, held);
        CU_ASSERT_EQUAL(cnt.gen[0], n);
        for (size_t k = 0; k < gb.ngroups; k++) {
            const rg_garbage_group *gr = &gb.groups[k];
            if (k) CU_ASSERT(gb.groups[k - 1].bytes >= gr->bytes);
            uint64_t objs = 0, bytes = 0;
            uint32_t m = f.members[f.comp_start[gr->comp]];
            for (uint32_t v = 0; v < n; v++) {
                /* a source: no other garbage reaches it */
                if (!reached[v] && s.comp[v] != gr->comp) CU_ASSERT(!reach[v][m]);
                if (gb.group[v] != k) continue;
                objs++, bytes += size[v];
                CU_ASSERT(s.comp[v] == gr->comp || reach[m][v]); /* the source reaches each member */
            }
            CU_ASSERT_EQUAL(gr->objects, objs);
            CU_ASSERT_EQUAL(gr->bytes, bytes);
            in_groups += objs;
        }
        CU_ASSERT_EQUAL(in_groups, lost);
        uint64_t cyc = 0;
        for (uint32_t u = 0; u < n; u++) cyc += reach[u][u];
        CU_ASSERT_EQUAL(cnt.cycle_objects, cyc);
        rg_garbage_free(&gb);
        rg_analysis_free(&an);
        free(ext);
        free(ri);
        rg_finder_free(&f);
        rg_scc_free(&s);
        rg_graph_free(g);
        graphs++;
    }
    printf("\n  %d graphs, %d cyclic components ", graphs, cyclic_seen);
    CU_ASSERT(cyclic_seen > 1000);
}

/* Young objects listed before old cycles (as the core writes its
 * generations), on random graphs of up to 300 objects: the breaker ends on
 * every cyclic component and what it suggests breaks every cycle; each
 * shortest cycle is a cycle through its object. */
static void test_break_cycles_young_first(void) {
    int comps = 0;
    for (uint64_t seed = 1; seed <= 60; seed++) {
        gen_params p = {seed, 20 + (uint32_t)(seed * 5 % 280), 1 + (uint32_t)(seed % 2), (int)(seed % 5 == 0), 1,
                        (int)(seed % 3 == 0), 3, 2, 0};
        CU_ASSERT_EQUAL_FATAL(gen_write(tmp("young.jsonl"), &p), 0);
        rg_graph *g = load(tmp("young.jsonl"));
        rg_scc s;
        rg_finder f;
        CU_ASSERT_EQUAL_FATAL(rg_graph_scc(g, &s), 0);
        CU_ASSERT_EQUAL_FATAL(rg_finder_init(&f, g, &s), 0);
        uint32_t *edges = malloc(((size_t)g->nrefs + 1) * sizeof *edges);
        CU_ASSERT_PTR_NOT_NULL_FATAL(edges);
        for (uint32_t c = 0; c < s.ncomp; c++) {
            if (!s.cyclic[c]) continue;
            comps++;
            size_t nb = rg_break_cycles(&f, c, edges, g->nrefs);
            CU_ASSERT(nb > 0);
            CU_ASSERT(breaks_every_cycle(g, &s, c, edges, nb));
            uint32_t m = f.members[f.comp_start[c]];
            uint32_t len = rg_shortest_cycle(&f, m, NULL, 0, edges);
            CU_ASSERT(len > 0);
            for (uint32_t k = 0; k < len; k++)
                CU_ASSERT_EQUAL(rg_edge_source(g, edges[k]), k ? g->ref_target[edges[k - 1]] : m);
            if (len) CU_ASSERT_EQUAL(g->ref_target[edges[len - 1]], m);
        }
        free(edges);
        rg_finder_free(&f);
        rg_scc_free(&s);
        rg_graph_free(g);
    }
    CU_ASSERT(comps > 60);
}

/* Issue 12: the heap's singletons are known from the dump ("static"), not
 * from their type names: an object that merely calls its type NoneType is
 * not the heap's own. (That the core marks its None, True and False is
 * checked in test_dump.c, which links the core.) */
static void test_singletons_from_dump(void) {
    rg_graph *g2 = load(RG_TEST_DUMPS "/hostile/impostor-singletons.jsonl");
    rg_analysis an;
    rg_counts cnt;
    CU_ASSERT_EQUAL_FATAL(rg_analyze(g2, &an), 0);
    rg_graph_count(g2, &an, &cnt);
    CU_ASSERT(!rg_graph_heap_owned(g2, rg_graph_find(g2, 1)));
    CU_ASSERT(!rg_graph_heap_owned(g2, rg_graph_find(g2, 2)));
    CU_ASSERT(rg_graph_heap_owned(g2, rg_graph_find(g2, 3)));
    CU_ASSERT_EQUAL(cnt.held_outside, 2);
    rg_analysis_free(&an);
    rg_graph_free(g2);
}

/* Type names: the exact one, and the closest to a typo. */
static void test_type_lookup(void) {
    rg_graph *g = load(RG_TEST_DUMPS "/valid/lesson-2-linked.jsonl");
    CU_ASSERT(rg_type_find(g, "list", 4) != RG_NONE);
    CU_ASSERT_EQUAL(rg_type_find(g, "lst", 3), RG_NONE);
    CU_ASSERT_EQUAL(rg_type_find(g, "List", 4), RG_NONE); /* exact */
    CU_ASSERT_EQUAL(rg_type_find(g, "None", 4), RG_NONE);  /* a label, not a type */
    uint32_t out[4];
    int k = rg_type_suggest(g, "lst", 3, out, 4);
    CU_ASSERT_FATAL(k >= 1);
    CU_ASSERT(g->str[out[0]].len == 4 && memcmp(g->str[out[0]].ptr, "list", 4) == 0);
    k = rg_type_suggest(g, "LIST", 4, out, 4); /* case only: closest of all */
    CU_ASSERT_FATAL(k >= 1);
    CU_ASSERT(g->str[out[0]].len == 4 && memcmp(g->str[out[0]].ptr, "list", 4) == 0);
    k = rg_type_suggest(g, "Non", 3, out, 1); /* a prefix */
    CU_ASSERT_EQUAL_FATAL(k, 1);
    CU_ASSERT(g->str[out[0]].len == 8 && memcmp(g->str[out[0]].ptr, "NoneType", 8) == 0);
    CU_ASSERT_EQUAL(rg_type_suggest(g, "zzzzzzzzzzzz", 12, out, 4), 0);
    size_t cnt = 0;
    uint32_t *objs = rg_objects_of_type(g, rg_type_find(g, "list", 4), &cnt);
    CU_ASSERT_PTR_NOT_NULL_FATAL(objs);
    CU_ASSERT(cnt > 0);
    for (size_t i = 0; i < cnt; i++) {
        rg_gstr t = g->str[g->type[objs[i]]];
        CU_ASSERT(t.len == 4 && memcmp(t.ptr, "list", 4) == 0);
        if (i) CU_ASSERT(objs[i - 1] < objs[i]);
    }
    size_t all = 0;
    for (uint32_t i = 0; i < g->n; i++) all += g->type[i] == g->type[objs[0]];
    CU_ASSERT_EQUAL(all, cnt);
    free(objs);
    rg_graph_free(g);
}

/* The same choice among names that are not a dump's (the Python API's typo
 * check): the mask leaves names out, ties go by name, only the closest stay. */
static void test_names_suggest(void) {
    static const char *const texts[] = {"Node", "NodeList", "dict", "Nodes", "node", "int"};
    rg_gstr names[6];
    for (uint32_t i = 0; i < 6; i++) names[i] = (rg_gstr){texts[i], (uint32_t)strlen(texts[i])};
    uint32_t out[6];
    /* "nod": "node" and "Node" are prefixes (score 1), "Nodes" and "NodeList" too */
    int k = rg_names_suggest(names, 6, NULL, "Nod", 3, out, 6);
    CU_ASSERT_EQUAL_FATAL(k, 4);
    CU_ASSERT_STRING_EQUAL(texts[out[0]], "Node");
    CU_ASSERT_STRING_EQUAL(texts[out[1]], "NodeList");
    CU_ASSERT_STRING_EQUAL(texts[out[2]], "Nodes");
    CU_ASSERT_STRING_EQUAL(texts[out[3]], "node");
    /* the same but for case scores 0: only it and those one step away stay */
    k = rg_names_suggest(names, 6, NULL, "DICT", 4, out, 6);
    CU_ASSERT_EQUAL_FATAL(k, 1);
    CU_ASSERT_STRING_EQUAL(texts[out[0]], "dict");
    /* the mask: without "dict", the closest left is "int" (two edits) */
    const uint8_t use[6] = {1, 1, 0, 1, 1, 1};
    k = rg_names_suggest(names, 6, use, "DICT", 4, out, 6);
    CU_ASSERT_EQUAL_FATAL(k, 1);
    CU_ASSERT_STRING_EQUAL(texts[out[0]], "int");
    /* max: the best only */
    k = rg_names_suggest(names, 6, use, "Nod", 3, out, 1);
    CU_ASSERT_EQUAL_FATAL(k, 1);
    CU_ASSERT_STRING_EQUAL(texts[out[0]], "Node");
    CU_ASSERT_EQUAL(rg_names_suggest(names, 0, NULL, "Nod", 3, out, 6), 0);
}

/* ---- matching two dumps (refgraph/match.h) ------------------------------------------------ */

/* An object of a small dump: up to two references (0: none), maybe bound
 * to a global. Refcounts are the references the dump shows (plus 1 for a
 * global), so reachability comes from the globals alone. */
typedef struct mobj {
    uint64_t id;
    const char *type;
    uint64_t size;
    uint64_t ref[2];
    int global;
} mobj;

/* A dump of these objects; ids: the header's "ids" value, or NULL. */
static rg_graph *mini(const char *ids, uint64_t max_id, const mobj *o, size_t n) {
    text t = {NULL, 0, 0};
    put(&t, "{\"format\":\"refgraph-dump\",\"version\":1,\"producer\":\"t\",\"producer_version\":\"1\",\"created\":\"x\","
            "\"heap_id\":\"00000000000000aa\",");
    if (ids) put(&t, "\"ids\":\"%s\",", ids);
    put(&t, "\"heap\":{\"bytes_in_use\":0,\"peak_bytes\":0,\"live_objects\":%zu,\"max_id\":%llu},"
            "\"gc\":{\"enabled\":true,\"thresholds\":[1,1,1],\"counts\":[0,0,0],\"stats\":[{\"collections\":0,"
            "\"collected\":0,\"uncollectable\":0},{\"collections\":0,\"collected\":0,\"uncollectable\":0},"
            "{\"collections\":0,\"collected\":0,\"uncollectable\":0}],\"garbage_id\":null}}\n",
        n, (unsigned long long)max_id);
    size_t nrefs = 0, nglobals = 0;
    for (size_t i = 0; i < n; i++) {
        long rc = o[i].global;
        for (size_t j = 0; j < n; j++)
            for (int k = 0; k < 2; k++) rc += o[j].ref[k] == o[i].id;
        put(&t, "{\"id\":%llu,\"type\":\"%s\",\"size\":%llu,\"rc\":%ld,\"gen\":0,\"label\":\"\",\"refs\":[",
            (unsigned long long)o[i].id, o[i].type, (unsigned long long)o[i].size, rc);
        for (int k = 0; k < 2; k++)
            if (o[i].ref[k]) {
                put(&t, "%s[%llu,\"\"]", k && o[i].ref[0] ? "," : "", (unsigned long long)o[i].ref[k]);
                nrefs++;
            }
        put(&t, "]}\n");
    }
    for (size_t i = 0; i < n; i++)
        if (o[i].global) {
            put(&t, "{\"global\":\"g%zu\",\"id\":%llu}\n", i, (unsigned long long)o[i].id);
            nglobals++;
        }
    put(&t, "{\"trailer\":{\"objects\":%zu,\"references\":%zu,\"globals\":%zu,\"frames\":0,\"generations\":"
            "{\"untracked\":0,\"0\":%zu,\"1\":0,\"2\":0,\"frozen\":0}}}\n", n, nrefs, nglobals, n);
    rg_error err = {0};
    rg_graph *g = rg_graph_load_buffer(t.p, t.n, "mini", NULL, &err);
    if (!g) printf("\n  cannot load: %s\n", err.text);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    free(t.p);
    return g;
}

/* The index in cur matched to the object of old with this id, or RG_NONE. */
static uint32_t matched(const rg_match *m, const rg_graph *old, uint64_t id) {
    uint32_t o = rg_graph_find(old, id);
    CU_ASSERT_FATAL(o != RG_NONE);
    return m->cur_of[o];
}

/* Sequence ids are never reused: an id names one object, whatever its size
 * now (a list that grew), and an id above the older max_id is new. */
static void test_match_sequence_ids(void) {
    const mobj a[] = {{1, "list", 56, {2, 0}, 1}, {2, "int", 28, {0, 0}, 0}, {4, "str", 50, {0, 0}, 1}};
    const mobj b[] = {{1, "list", 120, {0, 0}, 1}, {4, "str", 50, {0, 0}, 1}, {7, "dict", 64, {0, 0}, 1}};
    rg_graph *old = mini(NULL, 5, a, 3), *cur = mini(NULL, 7, b, 3);
    CU_ASSERT_PTR_NULL(old->header.ids);
    CU_ASSERT_FALSE(rg_ids_reusable(old));
    rg_match m;
    CU_ASSERT_EQUAL_FATAL(rg_match_init(&m, old, cur), 0);
    CU_ASSERT_FALSE(m.reusable);
    CU_ASSERT_FALSE(m.mixed);
    CU_ASSERT_EQUAL(matched(&m, old, 1), rg_graph_find(cur, 1)); /* grew, same object */
    CU_ASSERT_EQUAL(matched(&m, old, 2), RG_NONE);               /* freed */
    CU_ASSERT_EQUAL(matched(&m, old, 4), rg_graph_find(cur, 4));
    CU_ASSERT_EQUAL(m.old_of[rg_graph_find(cur, 7)], RG_NONE);
    CU_ASSERT_EQUAL(m.old_of[rg_graph_find(cur, 1)], rg_graph_find(old, 1));
    CU_ASSERT_EQUAL(m.nnew, 1);
    CU_ASSERT_EQUAL(m.nfreed, 1);
    CU_ASSERT_EQUAL(m.new_bytes, 64);
    CU_ASSERT_EQUAL(m.freed_bytes, 28);
    CU_ASSERT_EQUAL(m.nreused, 0);
    CU_ASSERT_TRUE(rg_match_in_order(old, cur));
    CU_ASSERT_FALSE(rg_match_in_order(cur, old)); /* max_id went down: given the wrong way round */
    rg_match_free(&m);
    rg_graph_free(old);
    rg_graph_free(cur);
}

/* Address ids: an id seen in both dumps names the same object only when
 * the type and the size are the same too. */
static void test_match_address_ids(void) {
#define A 0x7f0000001000u
#define B 0x7f0000002000u
#define C 0x7f0000003000u
#define D 0x7f0000004000u
#define E 0x7f0000005000u
    const mobj a[] = {{A, "list", 88, {B, C}, 1},
                      {B, "__main__.Node", 48, {0, 0}, 0},
                      {C, "str", 52, {0, 0}, 0},
                      {D, "__main__.Node", 48, {0, 0}, 1},
                      {E, "list", 88, {0, 0}, 1}};
    const mobj b[] = {{A, "list", 88, {B, C}, 1},
                      {B, "dict", 48, {0, 0}, 0},          /* reused by another type */
                      {C, "str", 53, {0, 0}, 0},           /* by the same type, another size */
                      {D, "__main__.Node", 48, {0, 0}, 1}, /* same type and size: the same object */
                      {E, "list", 120, {0, 0}, 1}};        /* a list that grew: taken as freed and new */
    rg_graph *old = mini("addresses", E, a, 5), *cur = mini("addresses", E, b, 5);
    CU_ASSERT_PTR_NOT_NULL_FATAL(old->header.ids);
    CU_ASSERT_STRING_EQUAL(old->header.ids, "addresses");
    CU_ASSERT_TRUE(rg_ids_reusable(old));
    rg_match m;
    CU_ASSERT_EQUAL_FATAL(rg_match_init(&m, old, cur), 0);
    CU_ASSERT_TRUE(m.reusable);
    CU_ASSERT_FALSE(m.mixed);
    CU_ASSERT_EQUAL(matched(&m, old, A), rg_graph_find(cur, A));
    CU_ASSERT_EQUAL(matched(&m, old, B), RG_NONE);
    CU_ASSERT_EQUAL(matched(&m, old, C), RG_NONE);
    CU_ASSERT_EQUAL(matched(&m, old, D), rg_graph_find(cur, D));
    CU_ASSERT_EQUAL(matched(&m, old, E), RG_NONE);
    CU_ASSERT_EQUAL(m.old_of[rg_graph_find(cur, B)], RG_NONE);
    CU_ASSERT_EQUAL(m.old_of[rg_graph_find(cur, C)], RG_NONE);
    CU_ASSERT_EQUAL(m.nnew, 3);
    CU_ASSERT_EQUAL(m.nfreed, 3);
    CU_ASSERT_EQUAL(m.nreused, 3);
    CU_ASSERT_EQUAL(m.new_bytes, 48 + 53 + 120);
    CU_ASSERT_EQUAL(m.freed_bytes, 48 + 52 + 88);
    /* max_id says nothing about addresses: either order is accepted */
    CU_ASSERT_TRUE(rg_match_in_order(cur, old));
    rg_match_free(&m);
    rg_graph_free(old);
    rg_graph_free(cur);
}
#undef A
#undef B
#undef C
#undef D
#undef E

/* Dumps that disagree on the scheme, or a scheme this build does not know:
 * matched as reusable ids. */
static void test_match_mixed_schemes(void) {
    const mobj a[] = {{1, "list", 56, {0, 0}, 1}, {2, "int", 28, {0, 0}, 1}};
    const mobj b[] = {{1, "list", 56, {0, 0}, 1}, {2, "str", 28, {0, 0}, 1}};
    rg_graph *old = mini(NULL, 2, a, 2), *cur = mini("addresses", 2, b, 2), *other = mini("handles", 2, b, 2);
    rg_match m;
    CU_ASSERT_EQUAL_FATAL(rg_match_init(&m, old, cur), 0);
    CU_ASSERT_TRUE(m.reusable);
    CU_ASSERT_TRUE(m.mixed);
    CU_ASSERT_EQUAL(matched(&m, old, 1), 0);
    CU_ASSERT_EQUAL(matched(&m, old, 2), RG_NONE);
    CU_ASSERT_EQUAL(m.nreused, 1);
    rg_match_free(&m);
    CU_ASSERT_EQUAL_FATAL(rg_match_init(&m, cur, old), 0); /* the other way round */
    CU_ASSERT_TRUE(m.mixed);
    CU_ASSERT_EQUAL(m.nnew, 1);
    rg_match_free(&m);
    CU_ASSERT_PTR_NOT_NULL_FATAL(other->header.ids);
    CU_ASSERT_STRING_EQUAL(other->header.ids, "handles");
    CU_ASSERT_EQUAL_FATAL(rg_match_init(&m, old, other), 0);
    CU_ASSERT_TRUE(m.reusable);
    CU_ASSERT_EQUAL(m.nnew, 1);
    rg_match_free(&m);
    rg_graph_free(old);
    rg_graph_free(cur);
    rg_graph_free(other);
}

/* The changes of two dumps: analyses of each, then rg_changes_compute. */
typedef struct two {
    rg_graph *old, *cur;
    rg_scc os, ns;
    uint8_t *oreach, *nreach;
    rg_match m;
    rg_changes c;
} two;

static void two_compute(two *t, rg_graph *old, rg_graph *cur) {
    t->old = old;
    t->cur = cur;
    t->oreach = malloc((size_t)old->n + 1);
    t->nreach = malloc((size_t)cur->n + 1);
    CU_ASSERT_FATAL(t->oreach && t->nreach);
    CU_ASSERT_EQUAL_FATAL(rg_graph_scc(old, &t->os), 0);
    CU_ASSERT_EQUAL_FATAL(rg_graph_scc(cur, &t->ns), 0);
    CU_ASSERT_EQUAL_FATAL(rg_graph_reachable(old, NULL, t->oreach), 0);
    CU_ASSERT_EQUAL_FATAL(rg_graph_reachable(cur, NULL, t->nreach), 0);
    CU_ASSERT_EQUAL_FATAL(rg_match_init(&t->m, old, cur), 0);
    CU_ASSERT_EQUAL_FATAL(rg_changes_compute(&t->m, &t->os, t->oreach, cur, &t->ns, t->nreach, &t->c), 0);
}

static void two_free(two *t) {
    rg_changes_free(&t->c);
    rg_match_free(&t->m);
    rg_scc_free(&t->os);
    rg_scc_free(&t->ns);
    free(t->oreach);
    free(t->nreach);
    rg_graph_free(t->old);
    rg_graph_free(t->cur);
}

/* Lesson 5: a cycle held by a root, then by nothing (func returned): the
 * same two objects, reachable before and not now. And the reverse. */
static void test_changes_reachability(void) {
    const mobj held[] = {{1, "list", 56, {2, 3}, 1}, {2, "list", 56, {3, 0}, 0}, {3, "list", 56, {2, 0}, 0}};
    const mobj dropped[] = {{1, "list", 56, {0, 0}, 1}, {2, "list", 56, {3, 0}, 0}, {3, "list", 56, {2, 0}, 0}};
    two t;
    two_compute(&t, mini(NULL, 3, held, 3), mini(NULL, 3, dropped, 3));
    uint32_t i2 = rg_graph_find(t.cur, 2), i3 = rg_graph_find(t.cur, 3);
    CU_ASSERT_EQUAL(t.c.nnew_cycles, 0);
    CU_ASSERT_EQUAL(t.c.nvanished_cycles, 0);
    CU_ASSERT_EQUAL_FATAL(t.c.nlost_cycles, 1);
    CU_ASSERT_EQUAL(t.c.lost_cycles[0], t.ns.comp[i2]);
    CU_ASSERT_EQUAL(t.c.nfound_cycles, 0);
    CU_ASSERT_EQUAL(t.c.mark[i2], RG_CHANGE_LOST);
    CU_ASSERT_EQUAL(t.c.mark[i3], RG_CHANGE_LOST);
    CU_ASSERT_EQUAL(t.c.mark[rg_graph_find(t.cur, 1)], 0);
    CU_ASSERT_EQUAL(t.c.nlost, 2);
    CU_ASSERT_EQUAL(t.c.lost_bytes, 112);
    CU_ASSERT_EQUAL(t.c.nfound, 0);
    two_free(&t);
    two_compute(&t, mini(NULL, 3, dropped, 3), mini(NULL, 3, held, 3));
    CU_ASSERT_EQUAL(t.c.nlost_cycles, 0);
    CU_ASSERT_EQUAL(t.c.nfound_cycles, 1);
    CU_ASSERT_EQUAL(t.c.nfound, 2);
    CU_ASSERT_EQUAL(t.c.mark[rg_graph_find(t.cur, 2)], RG_CHANGE_FOUND);
    two_free(&t);
}

/* Cycles only one dump has: made, broken, or (address ids) the same ids
 * now naming objects of another type. */
static void test_changes_cycles(void) {
    const mobj chain[] = {{1, "list", 56, {2, 0}, 1}, {2, "list", 56, {0, 0}, 0}};
    const mobj ring2[] = {{1, "list", 56, {2, 0}, 1}, {2, "list", 56, {1, 0}, 0}};
    const mobj ring2d[] = {{1, "dict", 56, {2, 0}, 1}, {2, "dict", 56, {1, 0}, 0}};
    two t;
    two_compute(&t, mini(NULL, 2, chain, 2), mini(NULL, 2, ring2, 2));
    CU_ASSERT_EQUAL_FATAL(t.c.nnew_cycles, 1);
    CU_ASSERT_EQUAL(t.c.new_cycles[0], t.ns.comp[0]);
    CU_ASSERT_EQUAL(t.c.nvanished_cycles, 0);
    CU_ASSERT_EQUAL(t.c.nlost_cycles + t.c.nfound_cycles, 0);
    two_free(&t);
    two_compute(&t, mini(NULL, 2, ring2, 2), mini(NULL, 2, chain, 2));
    CU_ASSERT_EQUAL(t.c.nnew_cycles, 0);
    CU_ASSERT_EQUAL_FATAL(t.c.nvanished_cycles, 1);
    CU_ASSERT_EQUAL(t.c.vanished_cycles[0], t.os.comp[0]);
    two_free(&t);
    two_compute(&t, mini(NULL, 2, ring2, 2), mini(NULL, 2, ring2, 2));
    CU_ASSERT_EQUAL(t.c.nnew_cycles + t.c.nvanished_cycles + t.c.nlost_cycles + t.c.nfound_cycles, 0);
    two_free(&t);
    /* with sequence ids the same ids are the same cycle; with addresses
     * and another type they are another cycle */
    two_compute(&t, mini("addresses", 2, ring2, 2), mini("addresses", 2, ring2d, 2));
    CU_ASSERT_EQUAL(t.c.nnew_cycles, 1);
    CU_ASSERT_EQUAL(t.c.nvanished_cycles, 1);
    CU_ASSERT_EQUAL(t.c.mark[0], RG_CHANGE_NEW);
    two_free(&t);
}

static const test_case cases[] = {
    {"match: sequence ids name one object whatever its size", test_match_sequence_ids},
    {"match: an address reused by another type or size is a new object", test_match_address_ids},
    {"match: dumps that disagree on ids are matched as addresses", test_match_mixed_schemes},
    {"changes: a cycle that became unreachable, and the reverse", test_changes_reachability},
    {"changes: cycles made, broken, or at reused addresses", test_changes_cycles},
    {"components, cycles, chains match brute force on 3,000 graphs", test_against_brute_force},
    {"unknown fields cost no memory", test_unknown_fields_constant_memory},
    {"a 2 GiB file of NUL bytes is rejected at once", test_nul_file_rejected_early},
    {"early rejection gives the whole line's message", test_early_rejection_same_message},
    {"gzip members load, bytes after them do not", test_gzip_members},
    {"160,000 colliding ids resolve as fast as random ones", test_colliding_ids},
    {"roots in 40,000 frames, the innermost frame named", test_root_index_many_frames},
    {"the cycle breaker ends on a young object downstream of an old cycle", test_break_cycles_ends_on_core_dump},
    {"the cycle breaker ends with young objects before old cycles", test_break_cycles_young_first},
    {"the heap's singletons are known from the dump", test_singletons_from_dump},
    {"type names: exact, and the closest to a typo", test_type_lookup},
    {"names: the closest to a typo among any names", test_names_suggest},
    {NULL, NULL},
};

int main(void) { return run_suite_tmp("analysis", cases); }
