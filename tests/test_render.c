/* test_render.c — components, reachability and the drawings: golden DOT
 * for the lessons and small heaps, valid PNG and SVG, escaping checked by
 * reading the DOT back with Graphviz's own parser, limits and filters. */
#include <graphviz/cgraph.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "refgraph/render.h"
#include "testutil.h"

static char tmpdir[256];

static const char *tmp(const char *name) {
    static char path[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(path[k], sizeof path[k], "%s/%s", tmpdir, name);
    return path[k];
}


/* ---- hand-built graphs for the component tests ---------------------------------------- */

typedef struct built {
    rg_graph g;
} built;

/* A graph of n objects from an edge list (from, to, weak). */
static rg_graph *graph_of(uint32_t n, const uint32_t (*edges)[3], uint32_t ne) {
    rg_graph *g = calloc(1, sizeof *g);
    g->n = n;
    g->nrefs = ne;
    g->size = calloc(n + 1, sizeof *g->size);
    g->ref_start = calloc(n + 2, sizeof *g->ref_start);
    g->ref_target = calloc(ne + 1, sizeof *g->ref_target);
    g->ref_label = calloc(ne + 1, sizeof *g->ref_label);
    for (uint32_t i = 0; i < n; i++) g->size[i] = 10;
    for (uint32_t e = 0; e < ne; e++) g->ref_start[edges[e][0] + 1]++;
    for (uint32_t i = 0; i < n; i++) g->ref_start[i + 1] += g->ref_start[i];
    uint32_t *fill = calloc(n + 1, sizeof *fill);
    for (uint32_t e = 0; e < ne; e++) {
        uint32_t s = edges[e][0], k = g->ref_start[s] + fill[s]++;
        g->ref_target[k] = edges[e][1];
        g->ref_label[k] = edges[e][2] ? RG_EDGE_WEAK : 0;
    }
    free(fill);
    return g;
}

static void graph_done(rg_graph *g) {
    free(g->size);
    free(g->ref_start);
    free(g->ref_target);
    free(g->ref_label);
    free(g);
}

static void test_scc_small(void) {
    /* 0: self-loop; 1<->2: a two-cycle; 3->4->5->3 and 5->6->5: cycles
     * sharing node 5 (one component); 7: alone; 8<->9 only through a weak
     * reference back: no cycle; 10->11->12->10 with 11<->12 inside (nested) */
    static const uint32_t e[][3] = {{0, 0, 0},   {1, 2, 0},  {2, 1, 0},   {3, 4, 0},   {4, 5, 0},
                                    {5, 3, 0},   {5, 6, 0},  {6, 5, 0},   {8, 9, 0},   {9, 8, 1},
                                    {10, 11, 0}, {11, 12, 0}, {12, 10, 0}, {12, 11, 0}, {7, 1, 0}};
    rg_graph *g = graph_of(13, e, sizeof e / sizeof *e);
    rg_scc s;
    CU_ASSERT_EQUAL_FATAL(rg_graph_scc(g, &s), 0);
    uint32_t *c = s.comp;
    CU_ASSERT(s.cyclic[c[0]] && s.size[c[0]] == 1);
    CU_ASSERT(c[1] == c[2] && s.cyclic[c[1]] && s.size[c[1]] == 2);
    CU_ASSERT(c[3] == c[4] && c[4] == c[5] && c[5] == c[6] && s.size[c[3]] == 4);
    CU_ASSERT(!s.cyclic[c[7]] && s.size[c[7]] == 1);
    CU_ASSERT(c[8] != c[9] && !s.cyclic[c[8]] && !s.cyclic[c[9]]);
    CU_ASSERT(c[10] == c[11] && c[11] == c[12] && s.size[c[10]] == 3 && s.bytes[c[10]] == 30);
    CU_ASSERT_EQUAL(s.ncomp, 7); /* {0} {1,2} {3..6} {7} {8} {9} {10,11,12} */
    rg_scc_free(&s);
    graph_done(g);
}

#define BIG 1000000
static void *big_ring(void *arg) {
    int ring = *(int *)arg;
    uint32_t (*e)[3] = malloc((size_t)BIG * sizeof *e);
    for (uint32_t i = 0; i < BIG; i++) {
        e[i][0] = i;
        e[i][1] = ring ? (i + 1) % BIG : i + 1;
        e[i][2] = 0;
    }
    rg_graph *g = graph_of(BIG + 1, (const uint32_t(*)[3])e, BIG);
    free(e);
    rg_scc *s = malloc(sizeof *s);
    if (rg_graph_scc(g, s) != 0) s->ncomp = 0;
    graph_done(g);
    return s;
}

static void check_big(int ring) {
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 256 * 1024); /* recursion per object would overflow this */
    pthread_t t;
    void *res;
    CU_ASSERT_EQUAL_FATAL(pthread_create(&t, &attr, big_ring, &ring), 0);
    pthread_join(t, &res);
    pthread_attr_destroy(&attr);
    rg_scc *s = res;
    if (ring) {
        CU_ASSERT_EQUAL(s->ncomp, 2); /* the ring, and the extra object */
        CU_ASSERT_EQUAL(s->size[s->comp[0]], BIG);
        CU_ASSERT(s->cyclic[s->comp[0]]);
    } else {
        CU_ASSERT_EQUAL(s->ncomp, BIG + 1); /* a chain: no cycle at all */
        CU_ASSERT(!s->cyclic[s->comp[0]]);
    }
    rg_scc_free(s);
    free(s);
}

static void test_scc_million_ring(void) { check_big(1); }
static void test_scc_million_chain(void) { check_big(0); }

/* ---- heaps drawn -------------------------------------------------------------------------- */

static const rg_dump_options FIXED = {.created = "2026-01-01T00:00:00Z", .heap_id = 0xaa};

/* Dumps h, loads it, analyses it. */
static rg_graph *reload(rg_heap *h, const char *name, rg_analysis *an) {
    rg_error err = {0};
    CU_ASSERT_EQUAL_FATAL(rg_heap_dump(h, tmp(name), &FIXED, &err), 0);
    rg_graph *g = rg_graph_load(tmp(name), NULL, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    CU_ASSERT_EQUAL_FATAL(rg_analyze(g, an), 0);
    return g;
}

static int same_as_golden(const char *path, const char *golden) {
    char gpath[512];
    snprintf(gpath, sizeof gpath, RG_TEST_GOLDEN "/%s", golden);
    if (getenv("RG_UPDATE_GOLDEN")) { /* regenerate: review the diff before committing */
        char cmd[1200];
        snprintf(cmd, sizeof cmd, "cp '%s' '%s'", path, gpath);
        return system(cmd) == 0;
    }
    char *a = slurp(path, NULL), *b = slurp(gpath, NULL);
    int same = a && b && strcmp(a, b) == 0;
    if (!same) printf("\n  %s differs from %s\n", path, gpath);
    free(a);
    free(b);
    return same;
}

static uint32_t idx(const rg_graph *g, rg_object *o) { return rg_graph_find(g, rg_id(o)); }

/* The lesson: a = [1, 2, 3], b = [4, 5, 6], linked both ways, in func's frame. */
static rg_heap *lesson_heap(rg_object **a, rg_object **b) {
    rg_heap *h = heap_new();
    rg_frame_push(h, "func");
    rg_local_set_new(h, "a", rg_list_new(h));
    rg_local_set_new(h, "b", rg_list_new(h));
    *a = rg_local_get(h, "a");
    *b = rg_local_get(h, "b");
    for (int i = 1; i <= 3; i++) rg_list_append_new(*a, rg_int_new(h, i));
    for (int i = 4; i <= 6; i++) rg_list_append_new(*b, rg_int_new(h, i));
    rg_list_append(*a, *b);
    rg_list_append(*b, *a);
    return h;
}

static void test_golden_lesson_cycle(void) {
    rg_object *a, *b;
    rg_heap *h = lesson_heap(&a, &b);
    rg_analysis an;
    rg_render_options o = {0};
    rg_error err = {0};
    /* while func runs: a live cycle */
    rg_graph *g = reload(h, "live.jsonl", &an);
    uint32_t starts[2] = {idx(g, a), idx(g, b)};
    CU_ASSERT(an.reach[starts[0]] && an.scc.cyclic[an.scc.comp[starts[0]]]);
    CU_ASSERT_EQUAL(rg_show(g, &an, starts, 2, &o, tmp("live.dot"), &err), 0);
    CU_ASSERT(same_as_golden(tmp("live.dot"), "lesson-cycle-live.dot"));
    rg_analysis_free(&an);
    rg_graph_free(g);
    /* after func returned: the same cycle, unreachable */
    rg_incref(a);
    rg_incref(b);
    rg_frame_pop(h);
    rg_decref(a);
    rg_decref(b);
    g = reload(h, "gone.jsonl", &an);
    uint32_t s2[2] = {rg_graph_find(g, 4), rg_graph_find(g, 5)};
    CU_ASSERT(!an.reach[s2[0]] && !an.reach[s2[1]]);
    CU_ASSERT_EQUAL(rg_show(g, &an, s2, 2, &o, tmp("gone.dot"), &err), 0);
    CU_ASSERT(same_as_golden(tmp("gone.dot"), "lesson-cycle-unreachable.dot"));
    char *dot = slurp(tmp("gone.dot"), NULL);
    CU_ASSERT_PTR_NOT_NULL(strstr(dot, "label=\"unreachable cycle 1: 2 objects, 256 bytes\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(dot, "style=dashed"));
    free(dot);
    /* the same, each cycle boxed */
    o.cluster_cycles = 1;
    CU_ASSERT_EQUAL(rg_show(g, &an, s2, 2, &o, tmp("gone2.dot"), &err), 0);
    CU_ASSERT(same_as_golden(tmp("gone2.dot"), "lesson-cycle-unreachable.dot"));
    rg_analysis_free(&an);
    rg_graph_free(g);
    heap_end(h);
}

/* Objects referenced twice, keys, attributes, weak references, too-many. */
static void test_golden_small_heap(void) {
    rg_heap *h = heap_new();
    rg_object *cls = rg_class_new(h, "Node");
    rg_object *n = rg_instance_new(h, cls);
    rg_object *shared = rg_str_new(h, "shared");
    rg_object *d = rg_dict_new(h);
    rg_dict_setstr(d, "first", shared);
    rg_dict_setstr(d, "second", shared); /* one value under two keys: two labelled edges */
    rg_setattr(n, "d", d);
    rg_object *l = rg_list_new(h);
    rg_list_append(l, shared);
    rg_list_append(l, shared); /* the same target twice */
    for (int i = 0; i < 12; i++) rg_list_append_new(l, rg_int_new(h, i));
    rg_setattr(n, "l", l);
    rg_setattr_new(n, "w", rg_weakref_new(h, l, NULL, NULL));
    rg_global_set_new(h, "n", n);
    rg_global_set_new(h, "Node", cls);
    rg_decref(shared);
    rg_decref(d);
    rg_decref(l);
    rg_analysis an;
    rg_graph *g = reload(h, "small.jsonl", &an);
    uint32_t start = rg_graph_find(g, rg_id(rg_global_get(h, "n")));
    rg_render_options o = {0};
    o.refcounts = 1;
    o.too_many = 10;
    rg_error err = {0};
    CU_ASSERT_EQUAL(rg_show(g, &an, &start, 1, &o, tmp("small.dot"), &err), 0);
    CU_ASSERT(same_as_golden(tmp("small.dot"), "small-refs.dot"));
    char *dot = slurp(tmp("small.dot"), NULL);
    CU_ASSERT_PTR_NOT_NULL(strstr(dot, "label=first"));
    CU_ASSERT_PTR_NOT_NULL(strstr(dot, "label=second"));
    CU_ASSERT_PTR_NOT_NULL(strstr(dot, "\"4 more references\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(dot, "style=dashed")); /* the weak reference */
    free(dot);
    /* backrefs from the shared str stop at the roots */
    start = idx(g, shared);
    o.backrefs = 1;
    o.refcounts = 0;
    CU_ASSERT_EQUAL(rg_show(g, &an, &start, 1, &o, tmp("back.dot"), &err), 0);
    CU_ASSERT(same_as_golden(tmp("back.dot"), "small-backrefs.dot"));
    dot = slurp(tmp("back.dot"), NULL);
    CU_ASSERT_PTR_NOT_NULL(strstr(dot, "label=\"global\\nn\""));
    free(dot);
    rg_analysis_free(&an);
    rg_graph_free(g);
    heap_end(h);
}

static int count_nodes_named(Agraph_t *G, const char *prefix) {
    int k = 0;
    for (Agnode_t *n = agfstnode(G); n; n = agnxtnode(G, n))
        if (strncmp(agnameof(n), prefix, strlen(prefix)) == 0) k++;
    return k;
}

static void test_depth_and_filters(void) {
    rg_heap *h = heap_new();
    rg_object *head = rg_list_new(h), *cur = head;
    for (int i = 0; i < 10; i++) { /* a chain of 11 lists, each with a str */
        rg_list_append_new(cur, rg_str_new(h, "x"));
        rg_object *next = rg_list_new(h);
        rg_list_append_new(cur, next);
        cur = next;
    }
    rg_global_set_new(h, "head", head);
    rg_analysis an;
    rg_graph *g = reload(h, "chain.jsonl", &an);
    uint32_t start = rg_graph_find(g, rg_id(rg_global_get(h, "head")));
    rg_render_options o = {0};
    o.no_legend = 1;
    rg_error err = {0};
    struct {
        int depth;
        const char *skip_type, *only_label, *stop_type;
        int objects;
    } cases[] = {
        {3, NULL, NULL, NULL, 1 + 2 + 2 + 2}, /* head, then 2 per level */
        {1, NULL, NULL, NULL, 3},
        {5, "str", NULL, NULL, 6},  /* the strs hidden */
        {5, NULL, "[1]", NULL, 6},  /* only the next-link references */
        {5, NULL, NULL, "list", 3}, /* lists drawn but not expanded: only head's */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        o.max_depth = cases[i].depth;
        const char *st[1] = {cases[i].skip_type}, *lb[1] = {cases[i].only_label}, *sp[1] = {cases[i].stop_type};
        o.skip_types = (rg_strlist){st, cases[i].skip_type ? 1 : 0};
        o.labels = (rg_strlist){lb, cases[i].only_label ? 1 : 0};
        o.stop_types = (rg_strlist){sp, cases[i].stop_type ? 1 : 0};
        CU_ASSERT_EQUAL(rg_show(g, &an, &start, 1, &o, tmp("f.dot"), &err), 0);
        FILE *f = fopen(tmp("f.dot"), "r");
        Agraph_t *G = agread(f, NULL);
        fclose(f);
        CU_ASSERT_PTR_NOT_NULL_FATAL(G);
        int got = count_nodes_named(G, "o");
        if (got != cases[i].objects) printf("\n  case %zu: %d objects drawn, want %d\n", i, got, cases[i].objects);
        CU_ASSERT_EQUAL(got, cases[i].objects);
        agclose(G);
    }
    /* --ignore an object: it and what only it led to are gone */
    uint64_t ign = g->id[g->ref_target[g->ref_start[start] + 1]]; /* head's next list */
    o = (rg_render_options){0};
    o.ignore = (rg_idlist){&ign, 1};
    CU_ASSERT_EQUAL(rg_show(g, &an, &start, 1, &o, tmp("i.dot"), &err), 0);
    char *dot = slurp(tmp("i.dot"), NULL);
    char name[40];
    snprintf(name, sizeof name, "\to%llu\t", (unsigned long long)ign);
    CU_ASSERT_PTR_NULL(strstr(dot, name));
    free(dot);
    rg_analysis_free(&an);
    rg_graph_free(g);
    heap_end(h);
}

/* Labels that try to break the DOT: read back, they must be exactly the
 * text, with no extra attribute and no extra node. */
static void test_escaping(void) {
    rg_heap *h = heap_new();
    rg_object *d = rg_dict_new(h);
    const char *nasty[] = {
        "quote\" fontcolor=\"red",
        "back\\slash \\N \\G \\l",
        "new\nline\ttab\x01",
        "braces {} <b>html</b> |pipe|",
        "\xc3\xa9t\xc3\xa9 \xe2\x9c\x93",
        "]; evil [shape=circle",
    };
    for (size_t i = 0; i < sizeof nasty / sizeof *nasty; i++) rg_dict_setstr_new(d, nasty[i], rg_str_new(h, nasty[i]));
    char longkey[400];
    memset(longkey, 'z', sizeof longkey - 1);
    longkey[sizeof longkey - 1] = '\0';
    rg_dict_setstr_new(d, longkey, rg_int_new(h, 1));
    rg_global_set_new(h, "d", d);
    rg_analysis an;
    rg_graph *g = reload(h, "esc.jsonl", &an);
    uint32_t start = rg_graph_find(g, rg_id(rg_global_get(h, "d")));
    rg_render_options o = {0};
    o.no_legend = 1;
    o.skip_labels = (rg_strlist){(const char *const[]){"(key)"}, 1};
    rg_error err = {0};
    CU_ASSERT_EQUAL_FATAL(rg_show(g, &an, &start, 1, &o, tmp("esc.dot"), &err), 0);
    FILE *f = fopen(tmp("esc.dot"), "r");
    Agraph_t *G = agread(f, NULL);
    fclose(f);
    CU_ASSERT_PTR_NOT_NULL_FATAL(G);
    CU_ASSERT_EQUAL(agnnodes(G), 1 + 7 + 1); /* the dict, 7 values, the global */
    CU_ASSERT_EQUAL(count_nodes_named(G, "o"), 8);
    int checked = 0;
    char startname[32];
    snprintf(startname, sizeof startname, "o%llu", (unsigned long long)g->id[start]);
    for (Agnode_t *n = agfstnode(G); n; n = agnxtnode(G, n)) {
        char *fc = agget(n, "fontcolor");
        char *shape = agget(n, "shape");
        int red = fc && strcmp(fc, "red") == 0;
        CU_ASSERT_EQUAL(red, strcmp(agnameof(n), startname) == 0); /* only the start is red */
        CU_ASSERT(!shape || strcmp(shape, "circle") != 0);
        for (Agedge_t *e = agfstout(G, n); e; e = agnxtout(G, e)) {
            char *label = agget(e, "label");
            if (!label || !*label) continue;
            /* Graphviz reads label as an escape string: undo ours */
            if (strncmp(label, "quote", 5) == 0) CU_ASSERT_STRING_EQUAL(label, "quote\" fontcolor=\"red");
            if (strncmp(label, "back", 4) == 0) CU_ASSERT_STRING_EQUAL(label, "back\\\\slash \\\\N \\\\G \\\\l");
            if (strncmp(label, "new", 3) == 0) CU_ASSERT_STRING_EQUAL(label, "new\\\\x0aline\\\\x09tab\\\\x01");
            if (strncmp(label, "zzz", 3) == 0) CU_ASSERT_STRING_EQUAL(label + 32, "...");
            checked++;
        }
    }
    CU_ASSERT_EQUAL(checked, 7);
    agclose(G);
    rg_analysis_free(&an);
    rg_graph_free(g);
    heap_end(h);
}

static void test_png_svg_pdf(void) {
    rg_object *a, *b;
    rg_heap *h = lesson_heap(&a, &b);
    rg_analysis an;
    rg_graph *g = reload(h, "img.jsonl", &an);
    uint32_t start = idx(g, a);
    rg_render_options o = {0};
    rg_error err = {0};
    CU_ASSERT_EQUAL_FATAL(rg_show(g, &an, &start, 1, &o, tmp("x.png"), &err), 0);
    size_t len;
    unsigned char *png = (unsigned char *)slurp(tmp("x.png"), &len);
    CU_ASSERT(len > 1000);
    CU_ASSERT_EQUAL(memcmp(png, "\x89PNG\r\n\x1a\n", 8), 0);
    uint32_t w = (uint32_t)png[16] << 24 | (uint32_t)png[17] << 16 | (uint32_t)png[18] << 8 | png[19];
    uint32_t hgt = (uint32_t)png[20] << 24 | (uint32_t)png[21] << 16 | (uint32_t)png[22] << 8 | png[23];
    CU_ASSERT(w > 100 && w < 5000 && hgt > 100 && hgt < 5000);
    free(png);
    CU_ASSERT_EQUAL_FATAL(rg_show(g, &an, &start, 1, &o, tmp("x.svg"), &err), 0);
    char cmd[700];
    snprintf(cmd, sizeof cmd, "python3 -c \"import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])\" '%s'",
             tmp("x.svg"));
    CU_ASSERT_EQUAL(system(cmd), 0); /* well-formed XML */
    char *svg = slurp(tmp("x.svg"), NULL);
    CU_ASSERT_PTR_NOT_NULL(strstr(svg, "<title>o4</title>"));
    /* the tooltip: id, type, size, refcount, label, one per line */
    char want[128];
    snprintf(want, sizeof want, "xlink:title=\"id 4&#10;type list&#10;size %llu bytes&#10;refcount 2&#10;4 items",
             (unsigned long long)g->size[start]);
    CU_ASSERT_PTR_NOT_NULL(strstr(svg, want));
    free(svg);
    CU_ASSERT_EQUAL(rg_show(g, &an, &start, 1, &o, tmp("x.pdf"), &err), 0);
    char *pdf = slurp(tmp("x.pdf"), NULL);
    CU_ASSERT_EQUAL(strncmp(pdf, "%PDF-", 5), 0);
    free(pdf);
    /* Graphviz failures: a clear message, nothing left under the name */
    o.layout = "no-such-engine";
    memset(&err, 0, sizeof err);
    CU_ASSERT_EQUAL(rg_show(g, &an, &start, 1, &o, tmp("bad.png"), &err), RG_EGRAPHVIZ);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.text, "graphviz layout failed"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.text, "no-such-engine"));
    struct stat st;
    CU_ASSERT_NOT_EQUAL(stat(tmp("bad.png"), &st), 0);
    o.layout = NULL;
    memset(&err, 0, sizeof err);
    CU_ASSERT_EQUAL(rg_show(g, &an, &start, 1, &o, tmp("x.bmpx"), &err), RG_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.text, "cannot tell the format"));
    o.format = "png";
    memset(&err, 0, sizeof err);
    CU_ASSERT_EQUAL(rg_show(g, &an, &start, 1, &o, NULL, &err), RG_EINVAL);
    CU_ASSERT_STRING_EQUAL(err.text, "png output needs a file: -o FILE");
    rg_analysis_free(&an);
    rg_graph_free(g);
    heap_end(h);
}

static void test_reachability_and_external(void) {
    rg_heap *h = heap_new();
    rg_object *held = rg_list_new(h); /* held only by C: external */
    rg_list_append_new(held, rg_list_new(h));
    rg_object *cyc = rg_list_new(h); /* garbage cycle */
    rg_list_append(cyc, cyc);
    uint64_t cyc_id = rg_id(cyc);
    rg_decref(cyc);
    rg_analysis an;
    rg_graph *g = reload(h, "reach.jsonl", &an);
    uint32_t hi = idx(g, held), ci = rg_graph_find(g, cyc_id);
    CU_ASSERT_EQUAL(an.external[hi], 1);
    CU_ASSERT(an.reach[hi]);
    CU_ASSERT(an.reach[g->ref_target[g->ref_start[hi]]]); /* what it holds */
    CU_ASSERT_EQUAL(an.external[ci], 0);
    CU_ASSERT(!an.reach[ci]);
    CU_ASSERT(an.scc.cyclic[an.scc.comp[ci]]);
    rg_analysis_free(&an);
    rg_graph_free(g);
    rg_decref(held);
    heap_end(h);
}

/* ---- issue 11: hostile strings, caps ------------------------------------------------- */

static int xml_ok(const char *path) {
    char cmd[700];
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 -c \"import sys, xml.dom.minidom as m; m.parse(sys.argv[1])\" '%s'",
             path);
    return system(cmd) == 0;
}

/* Labels with "&#x1F;" (Graphviz would decode it to a control character),
 * U+FFFF, U+FFFE, C0 and C1 controls: every SVG is well-formed XML, and
 * the text is shown, not interpreted. */
static void test_hostile_labels_svg(void) {
    rg_error err = {0};
    rg_graph *g = rg_graph_load(RG_TEST_GOLDEN "/../dumps/escape/strings.jsonl", NULL, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    rg_analysis an;
    CU_ASSERT_EQUAL_FATAL(rg_analyze(g, &an), 0);
    rg_render_options o = {0};
    o.cluster_cycles = 1;
    for (uint64_t id = 1; id <= 4; id++) {
        uint32_t start = rg_graph_find(g, id);
        char name[32];
        snprintf(name, sizeof name, "hostile%llu.svg", (unsigned long long)id);
        CU_ASSERT_EQUAL_FATAL(rg_show(g, &an, &start, 1, &o, tmp(name), &err), 0);
        CU_ASSERT(xml_ok(tmp(name)));
        char *svg = slurp(tmp(name), NULL);
        CU_ASSERT_PTR_NOT_NULL(strstr(svg, id < 3 ? "&amp;#x1F;" : "&amp;#1; lost")); /* the text, as written */
        CU_ASSERT_PTR_NULL(strstr(svg, "\xef\xbf\xbf"));     /* no raw U+FFFF */
        CU_ASSERT_PTR_NULL(strstr(svg, "\x1b"));
        CU_ASSERT_PTR_NULL(strstr(svg, "\xc2\x9b"));         /* no raw CSI */
        free(svg);
    }
    uint32_t one = rg_graph_find(g, 1);
    CU_ASSERT_EQUAL(rg_show(g, &an, &one, 1, &o, tmp("hostile.dot"), &err), 0);
    char *dot = slurp(tmp("hostile.dot"), NULL);
    CU_ASSERT_PTR_NOT_NULL(strstr(dot, "&amp;#x1F; &amp;amp; <b> \\\\uffff \\\\ufffe \\\\x01 \\\\u0085"));
    free(dot);
    rg_analysis_free(&an);
    rg_graph_free(g);
}

typedef struct notes {
    int n;
    char last[400];
} notes;

static void take_note(const char *text, void *ud) {
    notes *ns = ud;
    ns->n++;
    snprintf(ns->last, sizeof ns->last, "%s", text);
}

/* max_nodes: the nearest objects drawn, the rest counted and said; many
 * starts sampled; only references between drawn objects. */
static void test_max_nodes(void) {
    rg_heap *h = heap_new();
    rg_object *root = rg_list_new(h);
    for (int i = 0; i < 40; i++) {
        rg_object *l = rg_list_new(h);
        rg_list_append_new(l, rg_int_new(h, i));
        rg_list_append_new(root, l);
    }
    rg_global_set_new(h, "root", root);
    rg_analysis an;
    rg_graph *g = reload(h, "cap.jsonl", &an);
    uint32_t start = idx(g, root);
    notes ns = {0, ""};
    rg_render_options o = {0};
    o.too_many = 1000;
    o.max_nodes = 10;
    o.note = take_note;
    o.ud = &ns;
    rg_error err = {0};
    CU_ASSERT_EQUAL_FATAL(rg_show(g, &an, &start, 1, &o, tmp("cap.dot"), &err), 0);
    FILE *f = fopen(tmp("cap.dot"), "r");
    Agraph_t *G = agread(f, NULL);
    fclose(f);
    CU_ASSERT_PTR_NOT_NULL_FATAL(G);
    CU_ASSERT_EQUAL(count_nodes_named(G, "o"), 10);
    agclose(G);
    CU_ASSERT_EQUAL(ns.n, 1);
    CU_ASSERT_STRING_EQUAL(ns.last, "drew 10 of the 81 objects within --max-depth 3, the nearest first: "
                                    "--max-nodes 81 draws them all");
    /* 81 starts, max_nodes 20: 5 starts, evenly spaced, and a note */
    uint32_t *all = malloc(g->n * sizeof *all);
    for (uint32_t i = 0; i < g->n; i++) all[i] = i;
    ns.n = 0;
    o.max_nodes = 20;
    o.format = "json";
    CU_ASSERT_EQUAL_FATAL(rg_show(g, &an, all, g->n, &o, tmp("cap.json"), &err), 0);
    char *json = slurp(tmp("cap.json"), NULL);
    int starts = 0, objects = 0;
    for (const char *p = json; (p = strstr(p, "\"start\":")) != NULL; p++) {
        objects++;
        starts += strncmp(p, "\"start\":true", 12) == 0;
    }
    CU_ASSERT_EQUAL(starts, 5);
    CU_ASSERT(objects <= 20);
    CU_ASSERT(ns.n >= 1);
    free(json);
    free(all);
    /* the default is RG_RENDER_MAX_NODES */
    o = (rg_render_options){0};
    o.too_many = 1000;
    CU_ASSERT_EQUAL(rg_show(g, &an, &start, 1, &o, tmp("cap2.dot"), &err), 0);
    rg_analysis_free(&an);
    rg_graph_free(g);
    heap_end(h);
}

int main(void) {
    snprintf(tmpdir, sizeof tmpdir, "/tmp/rg-test-render-%d", (int)getpid());
    mkdir(tmpdir, 0700);
    static const test_case cases[] = {
        {"components: loops, pairs, shared and nested cycles, weak links", test_scc_small},
        {"components: a million-object ring, no recursion", test_scc_million_ring},
        {"components: a million-object chain, no recursion", test_scc_million_chain},
        {"reachability and external references", test_reachability_and_external},
        {"golden: the lesson's cycle, live and unreachable", test_golden_lesson_cycle},
        {"golden: shared targets, keys, weak refs, too many, backrefs", test_golden_small_heap},
        {"depth, filters, stop, ignore", test_depth_and_filters},
        {"escaping survives Graphviz's parser", test_escaping},
        {"PNG, SVG, PDF and Graphviz failures", test_png_svg_pdf},
        {"hostile labels: SVG stays well-formed XML", test_hostile_labels_svg},
        {"max_nodes: nearest first, the rest said, starts sampled", test_max_nodes},
        {NULL, NULL},
    };
    int rc = run_suite("render", cases);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    if (system(cmd) != 0) rc = 1;
    return rc;
}
