/* test_render.c — components, reachability and the drawings: golden DOT
 * for the lessons and small heaps, valid PNG and SVG, escaping checked by
 * reading the DOT back with Graphviz's own parser, limits and filters. */
#include <graphviz/cgraph.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "refgraph/render.h"
#include "dotcanon.h"
#include "testutil.h"


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

/* The heaps below were built with the core and dumped (the code that built
 * each is in its comment); the dumps are saved in tests/dumps/render, so
 * that the renderer's tests need nothing of the heap and its pictures do not
 * change when the heap's object layout does. Loads one and analyses it. */
static rg_graph *load_saved(const char *name, rg_analysis *an) {
    char path[512];
    snprintf(path, sizeof path, RG_TEST_GOLDEN "/../dumps/render/%s", name);
    rg_error err = {0};
    rg_graph *g = rg_graph_load(path, NULL, &err);
    if (!g) printf("\n  cannot load '%s': %s\n", path, err.text);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    CU_ASSERT_EQUAL_FATAL(rg_analyze(g, an), 0);
    return g;
}

/* The object a global (or else a frame local) of that name binds. */
static uint32_t bound(const rg_graph *g, const char *name) {
    for (uint32_t i = 0; i < g->nglobals; i++)
        if (rg_gstr_is(g->str[g->global_name[i]], name)) return g->global_obj[i];
    for (uint32_t f = 0; f < g->nframes; f++)
        for (uint32_t k = 0; k < g->frames[f].nlocals; k++)
            if (rg_gstr_is(g->str[g->frames[f].local_name[k]], name)) return g->frames[f].local_obj[k];
    CU_FAIL_FATAL("no such root");
    return RG_NONE;
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

/* The lesson (live.jsonl): a = [1, 2, 3], b = [4, 5, 6], linked both ways,
 * in func's frame:
 *     rg_frame_push(h, "func");
 *     rg_local_set_new(h, "a", rg_list_new(h));
 *     rg_local_set_new(h, "b", rg_list_new(h));
 *     for (int i = 1; i <= 3; i++) rg_list_append_new(a, rg_int_new(h, i));
 *     for (int i = 4; i <= 6; i++) rg_list_append_new(b, rg_int_new(h, i));
 *     rg_list_append(a, b);
 *     rg_list_append(b, a);
 * then (gone.jsonl) func returns: a and b are held by nothing but each other:
 *     rg_incref(a); rg_incref(b); rg_frame_pop(h); rg_decref(a); rg_decref(b); */
static void test_golden_lesson_cycle(void) {
    rg_analysis an;
    rg_render_options o = {0};
    rg_error err = {0};
    /* while func runs: a live cycle */
    rg_graph *g = load_saved("live.jsonl", &an);
    uint32_t starts[2] = {bound(g, "a"), bound(g, "b")};
    CU_ASSERT(an.reach[starts[0]] && an.scc.cyclic[an.scc.comp[starts[0]]]);
    CU_ASSERT_EQUAL(rg_show(g, &an, starts, 2, &o, tmp("live.dot"), &err), 0);
    CU_ASSERT(same_as_golden(tmp("live.dot"), "lesson-cycle-live.dot"));
    rg_analysis_free(&an);
    rg_graph_free(g);
    /* after func returned: the same cycle, unreachable */
    g = load_saved("gone.jsonl", &an);
    uint32_t s2[2] = {rg_graph_find(g, 4), rg_graph_find(g, 5)};
    CU_ASSERT(!an.reach[s2[0]] && !an.reach[s2[1]]);
    CU_ASSERT_EQUAL(rg_show(g, &an, s2, 2, &o, tmp("gone.dot"), &err), 0);
    CU_ASSERT(same_as_golden(tmp("gone.dot"), "lesson-cycle-unreachable.dot"));
    char *dot = slurp(tmp("gone.dot"), NULL);
    CU_ASSERT_PTR_NOT_NULL(strstr(dot, "label=\"unreachable cycle 1: 2 objects, 288 bytes\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(dot, "style=dashed"));
    free(dot);
    /* the same, each cycle boxed */
    o.cluster_cycles = 1;
    CU_ASSERT_EQUAL(rg_show(g, &an, s2, 2, &o, tmp("gone2.dot"), &err), 0);
    CU_ASSERT(same_as_golden(tmp("gone2.dot"), "lesson-cycle-unreachable.dot"));
    rg_analysis_free(&an);
    rg_graph_free(g);
}

/* Objects referenced twice, keys, attributes, weak references, too-many
 * (small.jsonl):
 *     cls = rg_class_new(h, "Node"); n = rg_instance_new(h, cls);
 *     shared = rg_str_new(h, "shared"); d = rg_dict_new(h);
 *     rg_dict_setstr(d, "first", shared);
 *     rg_dict_setstr(d, "second", shared);  -- one value under two keys: two labelled edges
 *     rg_setattr(n, "d", d);
 *     l = rg_list_new(h); rg_list_append(l, shared);
 *     rg_list_append(l, shared);            -- the same target twice
 *     for (int i = 0; i < 12; i++) rg_list_append_new(l, rg_int_new(h, i));
 *     rg_setattr(n, "l", l); rg_setattr_new(n, "w", rg_weakref_new(h, l, NULL, NULL));
 *     rg_global_set_new(h, "n", n); rg_global_set_new(h, "Node", cls);
 *     rg_decref(shared); rg_decref(d); rg_decref(l); */
static void test_golden_small_heap(void) {
    rg_analysis an;
    rg_graph *g = load_saved("small.jsonl", &an);
    uint32_t start = bound(g, "n");
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
    start = rg_graph_find(g, 6); /* the str 'shared' */
    CU_ASSERT_FATAL(start != RG_NONE && rg_gstr_is(g->str[g->label[start]], "'shared'"));
    o.backrefs = 1;
    o.refcounts = 0;
    CU_ASSERT_EQUAL(rg_show(g, &an, &start, 1, &o, tmp("back.dot"), &err), 0);
    CU_ASSERT(same_as_golden(tmp("back.dot"), "small-backrefs.dot"));
    dot = slurp(tmp("back.dot"), NULL);
    CU_ASSERT_PTR_NOT_NULL(strstr(dot, "label=\"global\\nn\""));
    free(dot);
    rg_analysis_free(&an);
    rg_graph_free(g);
}

static int count_nodes_named(Agraph_t *G, const char *prefix) {
    int k = 0;
    for (Agnode_t *n = agfstnode(G); n; n = agnxtnode(G, n))
        if (strncmp(agnameof(n), prefix, strlen(prefix)) == 0) k++;
    return k;
}

/* A chain of 11 lists, each with a str (chain.jsonl):
 *     head = rg_list_new(h), cur = head;
 *     for (int i = 0; i < 10; i++) {
 *         rg_list_append_new(cur, rg_str_new(h, "x"));
 *         next = rg_list_new(h); rg_list_append_new(cur, next); cur = next;
 *     }
 *     rg_global_set_new(h, "head", head); */
static void test_depth_and_filters(void) {
    rg_analysis an;
    rg_graph *g = load_saved("chain.jsonl", &an);
    uint32_t start = bound(g, "head");
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
}

/* Labels that try to break the DOT: read back, they must be exactly the
 * text, with no extra attribute and no extra node. */
/* esc.jsonl: a global dict d whose keys and str values are the nasty
 * strings below (d[s] = s for each), and a 399-byte key "zzz...z" -> 1:
 *     "quote\" fontcolor=\"red", "back\\slash \\N \\G \\l", "new\nline\ttab\x01",
 *     "braces {} <b>html</b> |pipe|", "\xc3\xa9t\xc3\xa9 \xe2\x9c\x93", "]; evil [shape=circle" */
static void test_escaping(void) {
    rg_analysis an;
    rg_graph *g = load_saved("esc.jsonl", &an);
    uint32_t start = bound(g, "d");
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
}

static void test_png_svg_pdf(void) {
    rg_analysis an;
    rg_graph *g = load_saved("live.jsonl", &an); /* the lesson */
    uint32_t start = bound(g, "a");
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
}

/* reach.jsonl: a list held only by C (external, id 4) holding another
 * list, and a list that holds itself and nothing else holds (id 6):
 *     held = rg_list_new(h); rg_list_append_new(held, rg_list_new(h));
 *     cyc = rg_list_new(h); rg_list_append(cyc, cyc); rg_decref(cyc); */
static void test_reachability_and_external(void) {
    rg_analysis an;
    rg_graph *g = load_saved("reach.jsonl", &an);
    uint32_t hi = rg_graph_find(g, 4), ci = rg_graph_find(g, 6);
    CU_ASSERT_FATAL(hi != RG_NONE && ci != RG_NONE);
    CU_ASSERT_EQUAL(an.external[hi], 1);
    CU_ASSERT(an.reach[hi]);
    CU_ASSERT(an.reach[g->ref_target[g->ref_start[hi]]]); /* what it holds */
    CU_ASSERT_EQUAL(an.external[ci], 0);
    CU_ASSERT(!an.reach[ci]);
    CU_ASSERT(an.scc.cyclic[an.scc.comp[ci]]);
    rg_analysis_free(&an);
    rg_graph_free(g);
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
/* ---- DOT without cgraph: what agwrite wrote, byte for byte ------------------------------- */

/* rg_drawing_write writes DOT through cgraph's agwrite when set (render/src/draw.c):
 * the reference render/'s own writer is compared with. */
extern int rg__dot_via_cgraph;

static void puts_dump(FILE *f, const char *text) { fputs(text, f); }

/* A dump whose strings are what DOT must quote or break: DOT keywords in
 * any case, numbers and near-numbers, quotes, backslashes, non-ASCII,
 * labels of 300 bytes with and without places to break, empty labels; two
 * cycles, a weak reference, many references to one object (folded), a
 * global and a frame local. */
static char *keyword_dump(size_t *len) {
    static const char *const labels[] = {
        "node", "Graph", "EDGE", "strict", "digraph", "subgraph", "nodes", "-1", "1.5", "1.2.3", ".", "-", "-.5",
        "1-2", "", "a\\\"b", "back\\\\slash", "caf\u00e9", "_x_", "x y", "0", "007", ".5.", "a.b",
    };
    size_t nl = sizeof labels / sizeof *labels;
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    puts_dump(f, "{\"format\":\"refgraph-dump\",\"version\":1,\"producer\":\"test\",\"producer_version\":\"0.1.0\","
                 "\"created\":\"2026-01-01T00:00:00Z\",\"heap_id\":\"00000000000000aa\",\"heap\":{\"bytes_in_use\":1,"
                 "\"peak_bytes\":1,\"live_objects\":40,\"max_id\":40},\"gc\":{\"enabled\":true,\"thresholds\":[700,10,10],"
                 "\"counts\":[0,0,0],\"stats\":[{\"collections\":0,\"collected\":0,\"uncollectable\":0},"
                 "{\"collections\":0,\"collected\":0,\"uncollectable\":0},{\"collections\":0,\"collected\":0,"
                 "\"uncollectable\":0}],\"garbage_id\":null}}\n");
    unsigned refs = 0;
    for (unsigned i = 1; i <= 40; i++) {
        char label[400];
        if (i % 10 == 3) { /* 300 bytes: words (breakable) */
            label[0] = '\0';
            for (int k = 0; k < 30; k++) strcat(label, "word.word ");
        } else if (i % 10 == 7) { /* 300 bytes, one identifier: no place to break */
            memset(label, 'x', 300);
            label[300] = '\0';
        } else {
            snprintf(label, sizeof label, "%s", labels[i % nl]);
        }
        fprintf(f, "{\"id\":%u,\"type\":\"%s\",\"size\":8,\"rc\":1,\"gen\":2,\"label\":\"%s\",\"refs\":[", i,
                labels[(i * 7) % nl], label);
        /* 1 -> 2..13 (folded past too_many), a cycle 2 -> 3 -> 2, a cycle 20 -> 21 -> 22 -> 20, a weak ref */
        if (i == 1)
            for (unsigned t = 2; t <= 13; t++) fprintf(f, "%s[%u,\"%s\"]", t > 2 ? "," : "", t, labels[t % nl]), refs++;
        if (i == 2) fprintf(f, "[3,\"node\"],[20,\"\"]"), refs += 2;
        if (i == 3) fprintf(f, "[2,\"-1\"],[2,\"1.5\"]"), refs += 2;
        if (i == 20) fprintf(f, "[21,\"Graph\"],[25,\"w\",true]"), refs += 2;
        if (i == 21) fprintf(f, "[22,\"%s\"]", label), refs++;
        if (i == 22) fprintf(f, "[20,\"x y\"],[20,\"x y\"],[2,\"back\"]"), refs += 3;
        fputs("]}\n", f);
    }
    fputs("{\"global\":\"node\",\"id\":1}\n{\"frame\":\"graph\",\"depth\":0,\"locals\":[[\"edge\",20]]}\n", f);
    fprintf(f, "{\"trailer\":{\"objects\":40,\"references\":%u,\"globals\":1,\"frames\":1,\"generations\":{"
               "\"untracked\":0,\"0\":0,\"1\":0,\"2\":40,\"frozen\":0}}}\n", refs);
    fclose(f);
    *len = n;
    return buf;
}

/* 180 bytes of "a a-a}a.a_" over and over, shifted by the object:
 * agstrcanon's break after 128 bytes falls on each of these bytes in some
 * box, and it breaks only between a byte that is not an identifier byte
 * and one that is, where '-' and '.' count as identifier bytes and '_'
 * does not (Graphviz 2.42's write.c: render/'s writer once broke before
 * a '-', which the pipeline fuzzer's replay found). */
static size_t sweep_extra(const rg_graph *g, uint32_t obj, char *buf, size_t size, void *ud) {
    (void)g;
    (void)ud;
    static const char pattern[] = "a a-a}a.a_";
    size_t n = 0;
    while (n < 180 && n + 1 < size) {
        buf[n] = pattern[(n + obj) % (sizeof pattern - 1)];
        n++;
    }
    return n;
}

/* The show-refs drawing and a hand-made one (ghosts, references between
 * them, a "more" node made twice) as DOT in new memory. */
static char *dot_of(const rg_graph *g, const rg_analysis *an, const rg_render_options *o, size_t *len) {
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    rg_error err = {0};
    uint32_t starts[2] = {rg_graph_find(g, 1), rg_graph_find(g, 20)};
    CU_ASSERT_EQUAL(rg_show_write(g, an, starts, 2, o, f, &err), 0);
    rg_drawing *d = rg_drawing_new(g, an, o);
    for (uint32_t i = 0; i < g->n; i++) rg_drawing_node(d, i, (int)(i % 4), i % 2 ? RG_DRAW_NEW : RG_DRAW_LOST);
    for (uint32_t e = 0; e < g->nrefs; e++)
        if (rg_drawing_has(d, rg_edge_source(g, e)) && rg_drawing_has(d, g->ref_target[e])) rg_drawing_edge(d, e, RG_DRAW_NEW);
    rg_gstr kw = {"node", 4}, num = {"-1", 2}, brk = {"a b c d e f g h i j k l m n o p q r s t u v w x y z", 51};
    rg_drawing_more(d, 0, 5, 0);
    rg_drawing_more(d, 0, 6, 1); /* the same node again */
    rg_drawing_ghost(d, 100, kw, brk, 0, num);
    rg_drawing_ghost(d, 101, num, kw, RG_NONE, kw);
    rg_drawing_ghost_ref(d, 100, 101, kw);
    rg_drawing_ghost_ref(d, 101, 100, brk);
    rg_drawing_ghost_ref(d, 100, 999, kw); /* one end not drawn */
    CU_ASSERT_EQUAL(rg_drawing_write(d, f, "<test>", &err), 0);
    fclose(f);
    return buf;
}

/* dot_same (dotcanon.h), the comparison above: cluster blocks in any order
 * are the same text, anything else that differs is not. cgraph orders
 * clusters by the address of their names, so without it the comparison
 * failed when malloc handed the second name a lower address (the pipeline
 * fuzzer built without ASan found it). */
static void test_dot_same_clusters_any_order(void) {
    static const char a[] = "digraph G {\n\tnode [shape=box];\n"
                            "\tsubgraph cluster_cycle_1 {\n\t\tgraph [color=red];\n\t\to1;\n\t}\n"
                            "\tsubgraph cluster_cycle_2 {\n\t\tgraph [color=red];\n\t\to2;\n\t}\n"
                            "\to1 -> o2;\n}\n";
    static const char b[] = "digraph G {\n\tnode [shape=box];\n"
                            "\tsubgraph cluster_cycle_2 {\n\t\tgraph [color=red];\n\t\to2;\n\t}\n"
                            "\tsubgraph cluster_cycle_1 {\n\t\tgraph [color=red];\n\t\to1;\n\t}\n"
                            "\to1 -> o2;\n}\n";
    static const char c[] = "digraph G {\n\tnode [shape=box];\n"
                            "\tsubgraph cluster_cycle_2 {\n\t\tgraph [color=red];\n\t\to1;\n\t}\n"
                            "\tsubgraph cluster_cycle_1 {\n\t\tgraph [color=red];\n\t\to2;\n\t}\n"
                            "\to1 -> o2;\n}\n";
    static const char d[] = "digraph G {\n\tnode [shape=box];\n"
                            "\tsubgraph cluster_cycle_1 {\n\t\tgraph [color=red];\n\t\to1;\n\t}\n"
                            "\tsubgraph cluster_cycle_2 {\n\t\tgraph [color=red];\n\t\to2;\n\t}\n"
                            "\to2 -> o1;\n}\n";
    CU_ASSERT(memcmp(a, b, sizeof a) != 0);
    CU_ASSERT_EQUAL(dot_same(a, sizeof a - 1, b, sizeof b - 1), 1);
    CU_ASSERT_EQUAL(dot_same(a, sizeof a - 1, a, sizeof a - 1), 1);
    CU_ASSERT_EQUAL(dot_same(a, sizeof a - 1, c, sizeof c - 1), 0); /* a node moved between clusters */
    CU_ASSERT_EQUAL(dot_same(a, sizeof a - 1, d, sizeof d - 1), 0); /* an edge turned round */
    CU_ASSERT_EQUAL(dot_same(a, sizeof a - 1, a, sizeof a - 2), 0);
    /* an unterminated block runs to the end, and still compares */
    static const char open[] = "\tsubgraph x {\n\tn;\n";
    CU_ASSERT_EQUAL(dot_same(open, sizeof open - 1, open, sizeof open - 1), 1);
}

static void test_dot_as_agwrite(void) {
    size_t n;
    char *text = keyword_dump(&n);
    rg_error err = {0};
    rg_graph *g = rg_graph_load_buffer(text, n, "keywords", NULL, &err);
    free(text);
    if (!g) printf("\n  %s: line %ld: %s\n", "keywords", err.line, err.text);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    rg_analysis an;
    CU_ASSERT_EQUAL_FATAL(rg_analyze(g, &an), 0);
    int compared = 0;
    for (unsigned knobs = 0; knobs < 16; knobs++) {
        rg_render_options o = {0};
        o.backrefs = knobs & 1;
        o.cluster_cycles = (knobs >> 1) & 1;
        o.refcounts = (knobs >> 2) & 1;
        o.no_legend = (knobs >> 3) & 1;
        if (knobs & 4) o.extra_info = sweep_extra;
        size_t len_own, len_ref;
        char *own = dot_of(g, &an, &o, &len_own);
        rg__dot_via_cgraph = 1;
        char *ref = dot_of(g, &an, &o, &len_ref);
        rg__dot_via_cgraph = 0;
        int same = dot_same(own, len_own, ref, len_ref); /* clusters in any order: see dotcanon.h */
        CU_ASSERT(len_own > 0 && same == 1);
        if (same != 1) printf("\n--- agwrite\n%s\n--- render\n%s\n", ref, own);
        compared += len_own == len_ref;
        free(own);
        free(ref);
    }
    CU_ASSERT_EQUAL(compared, 16);
    rg_analysis_free(&an);
    rg_graph_free(g);
}

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
/* cap.jsonl: a global list root of 40 lists, each holding an int:
 *     root = rg_list_new(h);
 *     for (int i = 0; i < 40; i++) { l = rg_list_new(h); rg_list_append_new(l, rg_int_new(h, i));
 *                                     rg_list_append_new(root, l); }
 *     rg_global_set_new(h, "root", root); */
static void test_max_nodes(void) {
    rg_analysis an;
    rg_graph *g = load_saved("cap.jsonl", &an);
    uint32_t start = bound(g, "root");
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
}

/* ---- ids and the legend, read back from the DOT ---------------------------------------- */

static int attr_is(void *obj, const char *name, const char *value) {
    const char *v = agget(obj, (char *)name);
    return v && strcmp(v, value) == 0;
}

static int attr_has(void *obj, const char *name, const char *part) {
    const char *v = agget(obj, (char *)name);
    return v && strstr(v, part) != NULL;
}

/* What the picture in path draws, found from the DOT's attributes (not
 * from the renderer's bookkeeping), against what its legend lists: every
 * kind drawn is listed, nothing else is, and each row has a sample (a cell
 * with a border or a fill before its text). start_text: what the legend
 * should say red text means. Returns the number of rows. */
static int check_legend(const char *path, const char *start_text) {
    FILE *f = fopen(path, "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    Agraph_t *G = agread(f, NULL);
    fclose(f);
    CU_ASSERT_PTR_NOT_NULL_FATAL(G);
    int start = 0, grey = 0, root = 0, cyc = 0, cyc_edge = 0, weak = 0, garbage = 0, more = 0, fresh = 0,
        freed = 0, fresh_edge = 0, freed_edge = 0;
    for (Agnode_t *n = agfstnode(G); n; n = agnxtnode(G, n)) {
        if (strcmp(agnameof(n), "legend") == 0) continue;
        if (attr_is(n, "fontcolor", "red")) start = 1;
        const char *fill = agget(n, "fillcolor");
        if (fill && strncmp(fill, "0.000 0.000 ", 12) == 0 && strcmp(fill, "0.000 0.000 1.000") != 0) grey = 1;
        if (attr_is(n, "fillcolor", "0.300 1.000 0.900")) root = 1;
        if (attr_is(n, "fillcolor", "0.330 0.350 1.000")) fresh = 1;
        if (attr_has(n, "style", "dashed") && attr_is(n, "color", "red")) freed = 1;
        if (attr_is(n, "color", "red") && attr_is(n, "penwidth", "2")) cyc = 1;
        if (attr_is(n, "fillcolor", "#ff9999")) more = 1;
        for (Agedge_t *e = agfstout(G, n); e; e = agnxtout(G, e)) {
            if (attr_is(e, "color", "red") && attr_is(e, "penwidth", "2")) cyc_edge = 1;
            if (attr_is(e, "style", "dashed") && !attr_is(e, "color", "red")) weak = 1;
            if (attr_is(e, "color", "darkgreen")) fresh_edge = 1;
            if (attr_is(e, "style", "dashed") && attr_is(e, "color", "red")) freed_edge = 1;
        }
    }
    for (Agraph_t *sub = agfstsubg(G); sub; sub = agnxtsubg(sub))
        if (attr_is(sub, "style", "dashed")) garbage = 1;
    Agnode_t *leg = agnode(G, "legend", 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(leg);
    const char *l = agget(leg, "label");
    CU_ASSERT_PTR_NOT_NULL_FATAL(l);
    struct {
        int drawn;
        const char *text;
    } kinds[] = {
        {start, start_text},
        {grey, "farther from"},
        {root, "a root"},
        {cyc, "in a reference cycle"},
        {cyc_edge, "a reference of a cycle"},
        {garbage, "no root reaches"},
        {weak, "a weak reference"},
        {more, "references left out"},
        {fresh, "new since"},
        {freed, "freed since"},
        {fresh_edge, "a new reference"},
        {freed_edge, "a freed reference"},
        {0, "highlighted"},
    };
    int rows = 0;
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++) {
        int listed = strstr(l, kinds[i].text) != NULL;
        if (listed != kinds[i].drawn)
            printf("\n  %s: '%s' is %s but %s\n", path, kinds[i].text, kinds[i].drawn ? "drawn" : "not drawn",
                   listed ? "listed" : "not listed");
        CU_ASSERT_EQUAL(listed, kinds[i].drawn);
        rows += kinds[i].drawn;
    }
    /* one sample cell per row: a border or a fill, before the row's text */
    int samples = 0;
    for (const char *p = l; (p = strstr(p, "<tr><td width=")) != NULL; p++) {
        const char *end = strstr(p, "</td>");
        CU_ASSERT_PTR_NOT_NULL_FATAL(end);
        char cell[400];
        size_t n = (size_t)(end - p) < sizeof cell - 1 ? (size_t)(end - p) : sizeof cell - 1;
        memcpy(cell, p, n);
        cell[n] = '\0';
        CU_ASSERT(strstr(cell, "border=\"") != NULL || strstr(cell, "bgcolor=\"") != NULL);
        samples++;
    }
    CU_ASSERT_EQUAL(samples, rows);
    agclose(G);
    return rows;
}

/* The label of the node drawn for id, read back from the DOT. */
static int label_of(const char *path, uint64_t id, char *out, size_t size) {
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    Agraph_t *G = agread(f, NULL);
    fclose(f);
    if (!G) return -1;
    char name[32];
    snprintf(name, sizeof name, "o%llu", (unsigned long long)id);
    Agnode_t *n = agnode(G, name, 0);
    const char *l = n ? agget(n, "label") : NULL;
    snprintf(out, size, "%s", l ? l : "");
    agclose(G);
    return n ? 0 : -1;
}

/* Ids in the boxes by default ("list#4", as text and JSON name objects),
 * none with no_ids. */
static void test_ids_in_labels(void) {
    rg_analysis an;
    rg_graph *g = load_saved("live.jsonl", &an);
    uint32_t start = bound(g, "a");
    uint64_t a_id = g->id[start];
    rg_render_options o = {0};
    rg_error err = {0};
    char want[64], got[256];
    CU_ASSERT_EQUAL(rg_show(g, &an, &start, 1, &o, tmp("ids.dot"), &err), 0);
    for (uint32_t i = 0; i < g->n; i++) {
        if (label_of(tmp("ids.dot"), g->id[i], got, sizeof got) != 0) continue;
        rg_gstr t = g->str[g->type[i]];
        snprintf(want, sizeof want, "%.*s#%llu\\n", (int)t.len, t.ptr, (unsigned long long)g->id[i]);
        CU_ASSERT_EQUAL(strncmp(got, want, strlen(want)), 0);
    }
    CU_ASSERT_EQUAL(label_of(tmp("ids.dot"), a_id, got, sizeof got), 0);
    snprintf(want, sizeof want, "list#%llu\\n", (unsigned long long)a_id);
    CU_ASSERT_EQUAL(strncmp(got, want, strlen(want)), 0);
    o.no_ids = 1;
    o.refcounts = 1;
    CU_ASSERT_EQUAL(rg_show(g, &an, &start, 1, &o, tmp("noids.dot"), &err), 0);
    CU_ASSERT_EQUAL(label_of(tmp("noids.dot"), a_id, got, sizeof got), 0);
    CU_ASSERT_EQUAL(strncmp(got, "list [2]\\n", 10), 0);
    char *dot = slurp(tmp("noids.dot"), NULL);
    CU_ASSERT_PTR_NOT_NULL(dot);
    CU_ASSERT_PTR_NULL(strstr(dot, "label=\"list#"));
    CU_ASSERT_PTR_NULL(strstr(dot, "label=\"int#"));
    free(dot);
    rg_analysis_free(&an);
    rg_graph_free(g);
}

/* The legend of each kind of picture lists what it draws and nothing else:
 * a walk with weak references and folded ones, a live cycle held by a
 * frame, an unreachable cycle, a chain (red text is the object asked
 * about), a diff with new and freed objects; no legend when asked. */
static void test_legend_lists_what_is_drawn(void) {
    rg_analysis an;
    rg_error err = {0};
    rg_render_options o = {0};
    /* the live cycle, drawn as `cycles` draws it: members, their references, roots */
    rg_graph *g = load_saved("live.jsonl", &an);
    rg_drawing *d = rg_drawing_new(g, &an, &o);
    uint32_t ia = bound(g, "a"), ib = bound(g, "b");
    rg_drawing_node(d, ia, 0, 0);
    rg_drawing_node(d, ib, 0, 0);
    for (uint32_t v = 0; v < g->n; v++)
        if (v == ia || v == ib)
            for (uint32_t e = g->ref_start[v]; e < g->ref_start[v + 1]; e++)
                if (g->ref_target[e] == ia || g->ref_target[e] == ib) rg_drawing_edge(d, e, 0);
    CU_ASSERT_EQUAL(rg_drawing_finish(d, tmp("leg-live.dot"), &err), 0);
    CU_ASSERT_EQUAL(check_legend(tmp("leg-live.dot"), "where the walk starts"), 3); /* root, cycle, its edges */
    char *dot = slurp(tmp("leg-live.dot"), NULL);
    CU_ASSERT_PTR_NULL(strstr(dot, "weak")); /* nothing weak here: not listed */
    CU_ASSERT_PTR_NULL(strstr(dot, "highlighted"));
    free(dot);
    /* a chain: root -> a -> b, asked about b */
    o.legend_start = "the object asked about";
    o.legend_depth = "farther from the root";
    d = rg_drawing_new(g, &an, &o);
    rg_drawing_node(d, ia, 0, 0);
    for (uint32_t e = g->ref_start[ia]; e < g->ref_start[ia + 1]; e++)
        if (g->ref_target[e] == ib) {
            rg_drawing_node(d, ib, 1, 0);
            rg_drawing_edge(d, e, 0);
        }
    rg_drawing_node(d, ib, 0, RG_DRAW_START);
    CU_ASSERT_EQUAL(rg_drawing_finish(d, tmp("leg-chain.dot"), &err), 0);
    check_legend(tmp("leg-chain.dot"), "the object asked about");
    dot = slurp(tmp("leg-chain.dot"), NULL);
    CU_ASSERT_PTR_NULL(strstr(dot, "where the walk starts"));
    CU_ASSERT_PTR_NOT_NULL(strstr(dot, "farther from the root"));
    free(dot);
    /* a diff: the lists new, an int freed */
    o = (rg_render_options){0};
    d = rg_drawing_new(g, &an, &o);
    rg_drawing_node(d, ia, 0, RG_DRAW_NEW);
    rg_drawing_ghost(d, 999, (rg_gstr){"int", 3}, (rg_gstr){"7", 1}, ia, (rg_gstr){"[4]", 3});
    CU_ASSERT_EQUAL(rg_drawing_finish(d, tmp("leg-diff.dot"), &err), 0);
    check_legend(tmp("leg-diff.dot"), "where the walk starts");
    rg_analysis_free(&an);
    rg_graph_free(g);
    /* show-refs from a: the walk, grey by depth */
    uint32_t start;
    g = load_saved("live.jsonl", &an);
    start = bound(g, "a");
    CU_ASSERT_EQUAL(rg_show(g, &an, &start, 1, &o, tmp("leg-walk.dot"), &err), 0);
    check_legend(tmp("leg-walk.dot"), "where the walk starts");
    rg_analysis_free(&an);
    rg_graph_free(g);
    /* after func returned: unreachable, boxed (ids as in test_golden_lesson_cycle) */
    g = load_saved("gone.jsonl", &an);
    uint32_t s2[2] = {rg_graph_find(g, 4), rg_graph_find(g, 5)};
    CU_ASSERT(!an.reach[s2[0]] && !an.reach[s2[1]]);
    CU_ASSERT_EQUAL(rg_show(g, &an, s2, 2, &o, tmp("leg-gone.dot"), &err), 0);
    check_legend(tmp("leg-gone.dot"), "where the walk starts");
    o.no_legend = 1;
    CU_ASSERT_EQUAL(rg_show(g, &an, s2, 2, &o, tmp("leg-none.dot"), &err), 0);
    dot = slurp(tmp("leg-none.dot"), NULL);
    CU_ASSERT_PTR_NULL(strstr(dot, "legend"));
    free(dot);
    rg_analysis_free(&an);
    rg_graph_free(g);
}

/* A heap with a weak reference and too many references (small.jsonl): the
 * walk's legend. */
static void test_legend_weak_and_more(void) {
    rg_analysis an;
    rg_graph *g = load_saved("small.jsonl", &an);
    uint32_t start = bound(g, "n");
    rg_render_options o = {0};
    o.too_many = 10;
    rg_error err = {0};
    CU_ASSERT_EQUAL(rg_show(g, &an, &start, 1, &o, tmp("leg-weak.dot"), &err), 0);
    check_legend(tmp("leg-weak.dot"), "where the walk starts");
    char *dot = slurp(tmp("leg-weak.dot"), NULL);
    CU_ASSERT_PTR_NOT_NULL(strstr(dot, "a weak reference"));
    CU_ASSERT_PTR_NOT_NULL(strstr(dot, "references left out"));
    CU_ASSERT_PTR_NULL(strstr(dot, "cycle"));
    free(dot);
    rg_analysis_free(&an);
    rg_graph_free(g);
}

int main(void) {
    static const test_case cases[] = {
        {"components: loops, pairs, shared and nested cycles, weak links", test_scc_small},
        {"components: a million-object ring, no recursion", test_scc_million_ring},
        {"components: a million-object chain, no recursion", test_scc_million_chain},
        {"reachability and external references", test_reachability_and_external},
        {"golden: the lesson's cycle, live and unreachable", test_golden_lesson_cycle},
        {"golden: shared targets, keys, weak refs, too many, backrefs", test_golden_small_heap},
        /* before any layout: gvContext() gives every later graph a default
         * label "\\N", which agwrite then writes (render/'s writer never does) */
        {"DOT comparison: clusters in any order, nothing else", test_dot_same_clusters_any_order},
        {"DOT without cgraph: agwrite's bytes (keywords, numbers, long labels, clusters, ghosts)", test_dot_as_agwrite},
        {"depth, filters, stop, ignore", test_depth_and_filters},
        {"escaping survives Graphviz's parser", test_escaping},
        {"PNG, SVG, PDF and Graphviz failures", test_png_svg_pdf},
        {"hostile labels: SVG stays well-formed XML", test_hostile_labels_svg},
        {"max_nodes: nearest first, the rest said, starts sampled", test_max_nodes},
        {"ids in the boxes, none with no_ids", test_ids_in_labels},
        {"legend: what each picture draws, nothing else, with samples", test_legend_lists_what_is_drawn},
        {"legend: weak and folded references", test_legend_weak_and_more},
        {NULL, NULL},
    };
    return run_suite_tmp("render", cases);
}
