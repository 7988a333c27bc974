/* test_dump.c — the dump writer and the loader: round trips, determinism,
 * atomic writes, escaping, gzip, every invalid case with its exact message,
 * the fuzz corpus, and the lessons' snapshots. */
#include <dirent.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "refgraph/graph.h"
#include "refgraph/analysis.h"
#include "refgraph/steps.h"
#include "refgraph/outfile.h"
#include "testheap.h"


static int same_file(const char *a, const char *b) {
    size_t na, nb;
    char *x = slurp(a, &na), *y = slurp(b, &nb);
    int same = x && y && na == nb && memcmp(x, y, na) == 0;
    free(x);
    free(y);
    return same;
}

static const rg_dump_options FIXED = {.created = "2026-01-01T00:00:00Z", .heap_id = 0xaa};

static void fin_noop(rg_object *self) { (void)self; }

/* A user type with a 300-byte repr: longer than a dump keeps. */
static int verbose_repr(const rg_object *self, char *buf, size_t size) {
    (void)self;
    char text[301];
    memset(text, 'v', 300);
    text[300] = '\0';
    return snprintf(buf, size, "%s", text);
}
static const rg_type verbose_type = {
    .name = "verbose",
    .basic_size = sizeof(rg_object),
    .repr = verbose_repr,
};

/* A heap with every kind of object, root and flag the format has. */
static rg_heap *rich_heap(void) {
    rg_heap *h = heap_new();
    rg_object *cls = rg_class_new(h, "Node");
    rg_class_set_finalizer(cls, fin_noop, 0);
    rg_global_set_new(h, "Node", cls);
    rg_object *a = rg_instance_new(h, cls), *b = rg_instance_new(h, cls);
    rg_setattr(a, "other", b);
    rg_setattr(b, "other", a);
    rg_global_set_new(h, "a", a);
    rg_decref(b);
    rg_object *d = rg_dict_new(h);
    rg_dict_setstr_new(d, "quote\" back\\ nl\n tab\t ctl\x01 bad\xff ok\xc3\xa9", rg_float_new(h, 1.5));
    char longkey[300];
    memset(longkey, 'k', sizeof longkey - 1);
    longkey[sizeof longkey - 1] = '\0';
    rg_dict_setstr_new(d, longkey, rg_none_new(h));
    char longstr[500];
    for (size_t i = 0; i < sizeof longstr - 1; i++) longstr[i] = (char)('a' + i % 26);
    longstr[sizeof longstr - 1] = '\0';
    rg_dict_setstr_new(d, "s", rg_str_new(h, longstr));
    rg_dict_setstr_new(d, "t", rg_tuple_pack(h, 2, a, d));
    rg_global_set_new(h, "d", d);
    rg_global_set_new(h, "w", rg_weakref_new(h, a, NULL, NULL));
    rg_global_set_new(h, "v", rg_object_new(h, &verbose_type));
    /* a collected cycle kept on the garbage list, a frozen list, a finalized instance */
    rg_gc_set_debug(h, RG_GC_DEBUG_SAVEALL);
    rg_object *l = rg_list_new(h);
    rg_list_append(l, l);
    rg_decref(l);
    rg_object *f = rg_instance_new(h, cls);
    rg_setattr(f, "self", f);
    rg_decref(f);
    rg_gc_collect(h, 2);
    rg_gc_set_debug(h, 0);
    rg_object *frozen = rg_list_new(h);
    rg_global_set_new(h, "frozen", frozen);
    rg_gc_freeze(h);
    rg_frame_push(h, "main");
    rg_local_set_new(h, "x", rg_int_new(h, -42));
    rg_frame_push(h, "func");
    rg_local_set(h, "a", a);
    return h;
}

static void test_round_trip_same_bytes(void) {
    rg_heap *h = rich_heap();
    rg_error err = {0};
    CU_ASSERT_EQUAL_FATAL(rg_heap_dump(h, tmp("rich.jsonl"), &FIXED, &err), 0);
    rg_graph *g = rg_graph_load(tmp("rich.jsonl"), NULL, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    CU_ASSERT_EQUAL(rg_graph_write(g, tmp("rich2.jsonl"), &err), 0);
    CU_ASSERT(same_file(tmp("rich.jsonl"), tmp("rich2.jsonl")));
    /* what the graph holds */
    rg_heap_stats s;
    rg_heap_get_stats(h, &s);
    CU_ASSERT_EQUAL(g->n, s.live_objects);
    CU_ASSERT_EQUAL(g->nglobals, 6);
    CU_ASSERT_EQUAL(g->nframes, 2);
    CU_ASSERT_NOT_EQUAL(g->header.garbage_id, 0);
    int garbage = 0, frozen = 0, finalized = 0, weak = 0, cut = 0;
    for (uint32_t i = 0; i < g->n; i++) {
        garbage += (g->flags[i] & RG_GF_GARBAGE) != 0;
        frozen += g->gen[i] == RG_DUMP_FROZEN;
        finalized += (g->flags[i] & RG_GF_FINALIZED) != 0;
        cut += g->label_len[i] != 0;
    }
    for (uint32_t e = 0; e < g->nrefs; e++) weak += (g->ref_label[e] & RG_EDGE_WEAK) != 0;
    CU_ASSERT_EQUAL(garbage, 2); /* the list and the instance */
    CU_ASSERT(frozen > 0);
    CU_ASSERT_EQUAL(finalized, 1);
    CU_ASSERT_EQUAL(weak, 1);
    CU_ASSERT_EQUAL(cut, 1); /* the verbose object's label, with its full length */
    uint32_t v = rg_graph_find(g, rg_id(rg_global_get(h, "v")));
    CU_ASSERT_EQUAL(g->label_len[v], 300);
    CU_ASSERT_EQUAL(g->str[g->label[v]].len, RG_DUMP_LABEL_MAX);
    /* referrers mirror references */
    for (uint32_t t = 0; t < g->n; t++)
        for (uint32_t k = g->back_start[t]; k < g->back_start[t + 1]; k++)
            CU_ASSERT_EQUAL(g->ref_target[g->back_edge[k]], t);
    rg_graph_free(g);
    /* gzip: the same content */
    CU_ASSERT_EQUAL(rg_heap_dump(h, tmp("rich.jsonl.gz"), &FIXED, &err), 0);
    gzFile z = gzopen(tmp("rich.jsonl.gz"), "rb");
    char *plain = slurp(tmp("rich.jsonl"), NULL);
    char buf[1 << 16];
    int n = gzread(z, buf, sizeof buf);
    gzclose(z);
    CU_ASSERT(n > 0 && (size_t)n == strlen(plain) && memcmp(buf, plain, (size_t)n) == 0);
    free(plain);
    g = rg_graph_load(tmp("rich.jsonl.gz"), NULL, &err);
    CU_ASSERT_PTR_NOT_NULL(g);
    rg_graph_free(g);
    heap_end(h);
}

/* The header's optional "step" field: written when given, exposed by the
 * loader, written back the same; a dump without it loads with NULLs. */
static void test_step_field(void) {
    rg_heap *h = rich_heap();
    rg_error err = {0};
    rg_dump_options o = FIXED;
    o.step = (rg_dump_step){"Lesson 5", "After func() returned", "a = [1]\nb = [2]", "quote\" <b>\x01"};
    CU_ASSERT_EQUAL_FATAL(rg_heap_dump(h, tmp("step.jsonl"), &o, &err), 0);
    rg_graph *g = rg_graph_load(tmp("step.jsonl"), NULL, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    CU_ASSERT_STRING_EQUAL(g->header.step.lesson, "Lesson 5");
    CU_ASSERT_STRING_EQUAL(g->header.step.title, "After func() returned");
    CU_ASSERT_STRING_EQUAL(g->header.step.code, "a = [1]\nb = [2]");
    CU_ASSERT_STRING_EQUAL(g->header.step.caption, "quote\" <b>\x01");
    CU_ASSERT_STRING_EQUAL(g->header.producer, "refgraph");
    CU_ASSERT_EQUAL(rg_graph_write(g, tmp("step2.jsonl"), &err), 0);
    CU_ASSERT(same_file(tmp("step.jsonl"), tmp("step2.jsonl")));
    rg_graph_free(g);
    /* only some of the four */
    o.step = (rg_dump_step){NULL, "only a title", NULL, NULL};
    CU_ASSERT_EQUAL_FATAL(rg_heap_dump(h, tmp("step.jsonl"), &o, &err), 0);
    char *text = slurp(tmp("step.jsonl"), NULL);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, ",\"step\":{\"title\":\"only a title\"}}\n"));
    free(text);
    g = rg_graph_load(tmp("step.jsonl"), NULL, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    CU_ASSERT_PTR_NULL(g->header.step.lesson);
    CU_ASSERT_STRING_EQUAL(g->header.step.title, "only a title");
    CU_ASSERT_PTR_NULL(g->header.step.code);
    rg_graph_free(g);
    /* none: no field, as before it existed */
    CU_ASSERT_EQUAL_FATAL(rg_heap_dump(h, tmp("step.jsonl"), &FIXED, &err), 0);
    text = slurp(tmp("step.jsonl"), NULL);
    CU_ASSERT_PTR_NULL(strstr(text, "\"step\""));
    free(text);
    g = rg_graph_load(RG_TEST_DUMPS "/valid/lesson-2-linked.jsonl", NULL, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    CU_ASSERT(!g->header.step.lesson && !g->header.step.title && !g->header.step.code && !g->header.step.caption);
    rg_graph_free(g);
    heap_end(h);
}

/* graph/'s step diff: new, freed, refcount changed, reachable -> unreachable. */
static void test_step_diff(void) {
    rg_heap *h = heap_new();
    rg_error err = {0};
    rg_frame_push(h, "main");
    rg_local_set_new(h, "a", rg_list_new(h));
    rg_local_set_new(h, "c", rg_list_new(h));
    rg_frame_push(h, "func");
    rg_local_set_new(h, "p", rg_list_new(h));
    rg_local_set_new(h, "q", rg_list_new(h));
    rg_object *p = rg_local_get(h, "p"), *q = rg_local_get(h, "q");
    rg_list_append(p, q);
    rg_list_append(q, p);
    CU_ASSERT_EQUAL_FATAL(rg_heap_dump(h, tmp("s1.jsonl"), &FIXED, &err), 0);
    rg_frame_pop(h);                                /* p and q: refcount 2 -> 1, unreachable */
    rg_global_set(h, "g", rg_local_get(h, "a"));    /* a: refcount 1 -> 2 */
    rg_local_del(h, "c");                           /* c: freed */
    rg_local_set_new(h, "n", rg_list_new(h));       /* n: new */
    CU_ASSERT_EQUAL_FATAL(rg_heap_dump(h, tmp("s2.jsonl"), &FIXED, &err), 0);
    rg_graph *g1 = rg_graph_load(tmp("s1.jsonl"), NULL, &err), *g2 = rg_graph_load(tmp("s2.jsonl"), NULL, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g2);
    uint8_t *r1 = calloc(g1->n + 1, 1), *r2 = calloc(g2->n + 1, 1);
    CU_ASSERT_FATAL(r1 && r2);
    CU_ASSERT_EQUAL(rg_graph_reachable(g1, NULL, r1), 0);
    CU_ASSERT_EQUAL(rg_graph_reachable(g2, NULL, r2), 0);
    rg_step_diff d;
    CU_ASSERT_EQUAL_FATAL(rg_step_diff_compute(g1, r1, g2, r2, &d), 0);
    CU_ASSERT_EQUAL(d.nnew, 1);
    CU_ASSERT_EQUAL(d.nfreed, 1);
    CU_ASSERT_EQUAL(d.nrc, 3);
    CU_ASSERT_EQUAL(d.nlost, 2);
    uint32_t ia = rg_graph_find(g2, rg_id(rg_local_get(h, "a"))), in = rg_graph_find(g2, rg_id(rg_local_get(h, "n")));
    uint32_t ip = rg_graph_find(g2, rg_id(p));
    CU_ASSERT_EQUAL(d.mark[ia], RG_STEP_RC);
    CU_ASSERT_EQUAL(d.old_rc[ia], 1);
    CU_ASSERT_EQUAL(g2->refcount[ia], 2);
    CU_ASSERT_EQUAL(d.mark[in], RG_STEP_NEW);
    CU_ASSERT_EQUAL(d.mark[ip], RG_STEP_RC | RG_STEP_LOST);
    CU_ASSERT_EQUAL(d.old_rc[ip], 2);
    CU_ASSERT_EQUAL(g1->type[d.freed[0]], g1->type[rg_graph_find(g1, rg_id(p))]); /* a list */
    CU_ASSERT_EQUAL(d.freed_bytes, g1->size[d.freed[0]]);
    rg_step_diff_free(&d);
    /* the first step: nothing marked */
    CU_ASSERT_EQUAL_FATAL(rg_step_diff_compute(NULL, NULL, g2, r2, &d), 0);
    CU_ASSERT(d.nnew == 0 && d.nfreed == 0 && d.nrc == 0 && d.nlost == 0 && d.mark[ia] == 0);
    rg_step_diff_free(&d);
    free(r1);
    free(r2);
    rg_graph_free(g1);
    rg_graph_free(g2);
    rg_frame_pop(h);
    rg_global_del(h, "g");
    rg_gc_collect(h, 2);
    heap_end(h);
}

static void test_deterministic(void) {
    rg_heap *h1 = rich_heap();
    rg_error err = {0};
    CU_ASSERT_EQUAL(rg_heap_dump(h1, tmp("d1.jsonl"), &FIXED, &err), 0);
    CU_ASSERT_EQUAL(rg_heap_dump(h1, tmp("d2.jsonl"), &FIXED, &err), 0);
    CU_ASSERT(same_file(tmp("d1.jsonl"), tmp("d2.jsonl")));
    heap_end(h1);
    rg_heap *h2 = rich_heap(); /* the same program again */
    CU_ASSERT_EQUAL(rg_heap_dump(h2, tmp("d3.jsonl"), &FIXED, &err), 0);
    CU_ASSERT(same_file(tmp("d1.jsonl"), tmp("d3.jsonl")));
    heap_end(h2);
}

typedef struct rc_snap {
    size_t n;
    intptr_t rc[4096];
} rc_snap;

static int snap_rc(rg_object *o, void *arg) {
    rc_snap *s = arg;
    if (s->n < 4096) s->rc[s->n++] = rg_refcount(o);
    return 0;
}

static void test_dump_changes_nothing(void) {
    rg_heap *h = rich_heap();
    static rc_snap before, after;
    before.n = after.n = 0;
    rg_gc_genstats st0[3], st1[3];
    rg_gc_get_stats(h, st0);
    rg_heap_foreach(h, snap_rc, &before);
    rg_error err = {0};
    CU_ASSERT_EQUAL(rg_heap_dump(h, tmp("n.jsonl"), NULL, &err), 0);
    rg_heap_foreach(h, snap_rc, &after);
    rg_gc_get_stats(h, st1);
    CU_ASSERT_EQUAL(before.n, after.n);
    CU_ASSERT_EQUAL(memcmp(before.rc, after.rc, before.n * sizeof before.rc[0]), 0);
    CU_ASSERT_EQUAL(st0[0].collections + st0[1].collections + st0[2].collections,
                    st1[0].collections + st1[1].collections + st1[2].collections);
    heap_end(h);
}

/* A type whose traverse fails: the dump fails half-way through. */
static int bad_traverse(rg_object *self, rg_visit_fn visit, void *arg) {
    (void)self;
    (void)visit;
    (void)arg;
    return RG_EIO;
}
static void bad_clear(rg_object *self) { (void)self; }
static const rg_type bad_type = {
    .name = "bad",
    .basic_size = sizeof(rg_object),
    .traverse = bad_traverse,
    .clear = bad_clear,
};

static int count_dir_entries(const char *dir) {
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.' || strstr(e->d_name, ".tmp-")) n++;
    closedir(d);
    return n;
}

static void test_atomic_on_failure(void) {
    char dir[300];
    snprintf(dir, sizeof dir, "%s/atomic", test_tmpdir());
    mkdir(dir, 0700);
    char path[400];
    snprintf(path, sizeof path, "%s/target.jsonl", dir);
    FILE *f = fopen(path, "w");
    fputs("precious\n", f);
    fclose(f);
    rg_heap *h = heap_new();
    for (int i = 0; i < 10; i++) rg_global_set_new(h, i % 2 ? "x" : "y", rg_list_new(h));
    rg_object *bad = rg_object_new(h, &bad_type);
    rg_error err = {0};
    CU_ASSERT_EQUAL(rg_heap_dump(h, path, NULL, &err), RG_EIO);
    char *content = slurp(path, NULL);
    CU_ASSERT_STRING_EQUAL(content, "precious\n"); /* the old file is intact */
    free(content);
    CU_ASSERT_EQUAL(count_dir_entries(dir), 1);    /* no temporary file left */
    rg_decref(bad);
    /* an unwritable place: a clear error, no file */
    memset(&err, 0, sizeof err);
    CU_ASSERT_EQUAL(rg_heap_dump(h, "/nonexistent-dir/x.jsonl", NULL, &err), RG_EIO);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.text, "cannot create '/nonexistent-dir/x.jsonl'"));
    heap_end(h);
}

static void test_escaping(void) {
    rg_heap *h = heap_new();
    rg_object *d = rg_dict_new(h);
    rg_dict_setstr_new(d, "a\"b\\c\nd\x01" "e\xff\xc3\xa9", rg_int_new(h, 1));
    rg_global_set_new(h, "d", d);
    rg_error err = {0};
    CU_ASSERT_EQUAL(rg_heap_dump(h, tmp("esc.jsonl"), &FIXED, &err), 0);
    char *text = slurp(tmp("esc.jsonl"), NULL);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"a\\\"b\\\\c\\nd\\u0001e\\\\xff\xc3\xa9\""));
    free(text);
    rg_graph *g = rg_graph_load(tmp("esc.jsonl"), NULL, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    /* the invalid byte reads back as the 4 characters \xff: 15 bytes */
    int found = 0;
    for (uint32_t e = 0; e < g->nrefs; e++) {
        rg_gstr s = g->str[RG_EDGE_LABEL(g->ref_label[e])];
        found += s.len == 15 && memcmp(s.ptr, "a\"b\\c\nd\x01" "e\\xff\xc3\xa9", 15) == 0;
    }
    CU_ASSERT_EQUAL(found, 1);
    rg_graph_free(g);
    heap_end(h);
}

/* Every file in tests/dumps/invalid fails with exactly its .err message. */
static void test_invalid_dumps(void) {
    DIR *d = opendir(RG_TEST_DUMPS "/invalid");
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    struct dirent *e;
    int cases = 0;
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n < 7 || strcmp(e->d_name + n - 6, ".jsonl") != 0) continue;
        char path[512], errpath[512];
        snprintf(path, sizeof path, RG_TEST_DUMPS "/invalid/%s", e->d_name);
        snprintf(errpath, sizeof errpath, RG_TEST_DUMPS "/invalid/%.*s.err", (int)(n - 6), e->d_name);
        char *want = slurp(errpath, NULL);
        CU_ASSERT_PTR_NOT_NULL_FATAL(want);
        want[strcspn(want, "\n")] = '\0';
        rg_error err = {0};
        rg_graph *g = rg_graph_load(path, NULL, &err);
        char got[512];
        rg_error_format(&err, got, sizeof got);
        if (g || strcmp(got, want) != 0) printf("\n  %s: got '%s', want '%s'\n", e->d_name, got, want);
        CU_ASSERT_PTR_NULL(g);
        CU_ASSERT_STRING_EQUAL(got, want);
        CU_ASSERT_STRING_EQUAL(err.source, path);
        rg_graph_free(g);
        free(want);
        cases++;
    }
    closedir(d);
    CU_ASSERT(cases >= 25);
}

static int warnings;
static void count_warning(const rg_error *w, void *ud) {
    (void)ud;
    CU_ASSERT(w->line > 0);
    warnings++;
}

static void test_lenient(void) {
    rg_load_options opts = {1, count_warning, NULL, NULL, NULL};
    const char *cases[] = {"dangling-ref", "dangling-global", "dangling-local"};
    for (int i = 0; i < 3; i++) {
        char path[512];
        snprintf(path, sizeof path, RG_TEST_DUMPS "/invalid/%s.jsonl", cases[i]);
        warnings = 0;
        rg_error err = {0};
        rg_graph *g = rg_graph_load(path, &opts, &err);
        CU_ASSERT_PTR_NOT_NULL(g);
        CU_ASSERT_EQUAL(warnings, 1);
        if (g) CU_ASSERT_EQUAL(g->dropped_refs, 1);
        rg_graph_free(g);
    }
    /* lenient mode still refuses what it cannot read */
    rg_error err = {0};
    CU_ASSERT_PTR_NULL(rg_graph_load(RG_TEST_DUMPS "/invalid/no-trailer.jsonl", &opts, &err));
}

/* The fuzzer's corpus: each input loads or fails cleanly (under the
 * sanitizers of the test build). */
static void test_fuzz_corpus(void) {
    DIR *d = opendir(RG_TEST_FUZZ_CORPUS);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    struct dirent *e;
    int files = 0;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char path[512];
        snprintf(path, sizeof path, RG_TEST_FUZZ_CORPUS "/%s", e->d_name);
        size_t len;
        char *data = slurp(path, &len);
        if (!data) continue;
        for (int lenient = 0; lenient < 2; lenient++) {
            rg_load_options opts = {lenient, NULL, NULL, NULL, NULL};
            rg_error err = {0};
            rg_graph *g = rg_graph_load_buffer(data, len, e->d_name, &opts, &err);
            CU_ASSERT(g != NULL || (err.code != 0 && err.text[0] != '\0'));
            rg_graph_free(g);
        }
        free(data);
        files++;
    }
    closedir(d);
    CU_ASSERT(files >= 10);
}

static void test_buffer_and_missing_file(void) {
    rg_error err = {0};
    CU_ASSERT_PTR_NULL(rg_graph_load(tmp("does-not-exist.jsonl"), NULL, &err));
    CU_ASSERT_STRING_EQUAL(err.text, "cannot open: No such file or directory");
    CU_ASSERT_EQUAL(err.line, 0);
    memset(&err, 0, sizeof err);
    CU_ASSERT_PTR_NULL(rg_graph_load(test_tmpdir(), NULL, &err));
    CU_ASSERT_STRING_EQUAL(err.text, "is a directory");
    size_t len;
    char *data = slurp(RG_TEST_DUMPS "/valid/small.jsonl", &len);
    rg_graph *g = rg_graph_load_buffer(data, len, "mem", NULL, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    CU_ASSERT_EQUAL(g->n, 2);
    CU_ASSERT_EQUAL(g->nrefs, 2);
    CU_ASSERT_EQUAL(rg_graph_find(g, 2), 1);
    CU_ASSERT_EQUAL(rg_graph_find(g, 3), RG_NONE);
    rg_graph_free(g);
    free(data);
}

/* Lines printed by a lesson: "snapshot <path> objects N references M". */
static void test_lesson_snapshots(void) {
    char cmd[1024];
    int checked = 0;
    const char *lessons[] = {"lesson1_refcount", "lesson2_local", "lesson3_global", "lesson4_return",
                             "lesson5_cycle", "lesson6_weakref"};
    for (int k = 0; k < 6; k++) {
        snprintf(cmd, sizeof cmd, "mkdir -p %s/snap && RG_SNAPSHOT_DIR=%s/snap %s/%s 5", test_tmpdir(), test_tmpdir(),
                 RG_TEST_LESSON_DIR, lessons[k]);
        FILE *p = popen(cmd, "r");
        CU_ASSERT_PTR_NOT_NULL_FATAL(p);
        char line[2048];
        while (fgets(line, sizeof line, p)) {
            char path[1024];
            unsigned long objects, refs;
            if (sscanf(line, " snapshot %1023s objects %lu references %lu", path, &objects, &refs) != 3) continue;
            rg_error err = {0};
            rg_graph *g = rg_graph_load(path, NULL, &err);
            CU_ASSERT_PTR_NOT_NULL(g);
            if (g) {
                CU_ASSERT_EQUAL(g->n, objects);
                CU_ASSERT_EQUAL(g->nrefs, refs);
                CU_ASSERT_EQUAL(g->header.live_objects, objects);
            }
            rg_graph_free(g);
            checked++;
        }
        CU_ASSERT_EQUAL(pclose(p), 0);
    }
    CU_ASSERT_EQUAL(checked, 4 + 3 + 4 + 4 + 4 + 3);
}

/* ---- the shared output layer (issue 11, items 5 and 7) ---------------------------------- */

static void test_escape_text(void) {
    char buf[64];
    CU_ASSERT_STRING_EQUAL(rg_escape("a\x1b[31mb", 7, buf, sizeof buf), "a\\x1b[31mb");
    CU_ASSERT_STRING_EQUAL(rg_escape("x\ny\x7f", 4, buf, sizeof buf), "x\\x0ay\\x7f");
    CU_ASSERT_STRING_EQUAL(rg_escape("\xc2\x9b" "2J\xc2\x85", 6, buf, sizeof buf), "\\u009b2J\\u0085"); /* C1 */
    CU_ASSERT_STRING_EQUAL(rg_escape("\xef\xbf\xbf\xef\xbf\xbe", 6, buf, sizeof buf), "\\uffff\\ufffe");
    CU_ASSERT_STRING_EQUAL(rg_escape("\xff" "a\xc3", 3, buf, sizeof buf), "\\xffa\\xc3"); /* not UTF-8 */
    CU_ASSERT_STRING_EQUAL(rg_escape("caf\xc3\xa9 \\N", 8, buf, sizeof buf), "caf\xc3\xa9 \\N");
    CU_ASSERT_STRING_EQUAL(rg_escape("a\0b", 3, buf, sizeof buf), "a\\x00b");
    /* cut at a whole character, never inside an escape */
    CU_ASSERT_STRING_EQUAL(rg_escape("abcdefghij", 10, buf, 11), "abcdefghij");
    CU_ASSERT_STRING_EQUAL(rg_escape("abcdefghijk", 11, buf, 11), "abcdefg...");
    CU_ASSERT_STRING_EQUAL(rg_escape("abcdef\x1bxyz", 10, buf, 11), "abcdef...");
    CU_ASSERT_STRING_EQUAL(rg_escape("abcdef\xc3\xa9xyz", 11, buf, 11), "abcdef...");
    FILE *f = fopen(tmp("esc.txt"), "w+");
    rg_fputs_escaped(f, "p\x1b]0;t\x07q\xc2\x9br", 11);
    fclose(f);
    char *text = slurp(tmp("esc.txt"), NULL);
    CU_ASSERT_STRING_EQUAL(text, "p\\x1b]0;t\\x07q\\u009br");
    free(text);
}

static int temps_in(const char *dir) {
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strstr(e->d_name, ".tmp-")) n++;
    closedir(d);
    return n;
}

static void test_outfile(void) {
    char dir[300], path[700];
    snprintf(dir, sizeof dir, "%s/out", test_tmpdir());
    mkdir(dir, 0700);
    rg_error err = {0};
    /* a legal 250-character name: the temporary name is cut to NAME_MAX */
    char name[251];
    memset(name, 'n', 246);
    memcpy(name + 246, ".txt", 5);
    snprintf(path, sizeof path, "%s/%s", dir, name);
    rg_outfile *o = rg_outfile_open(path, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(o);
    CU_ASSERT(rg_outfile_is_atomic(o));
    CU_ASSERT_EQUAL(temps_in(dir), 1);
    fputs("hello\n", rg_outfile_stream(o));
    CU_ASSERT_EQUAL(rg_outfile_commit(o, &err), 0);
    CU_ASSERT_EQUAL(temps_in(dir), 0);
    char *text = slurp(path, NULL);
    CU_ASSERT_STRING_EQUAL(text, "hello\n");
    free(text);
    /* a dump under a 250-character name */
    memcpy(name + 244, ".jsonl", 7);
    snprintf(path, sizeof path, "%s/%s", dir, name);
    rg_heap *h = heap_new();
    rg_global_set_new(h, "x", rg_list_new(h));
    CU_ASSERT_EQUAL(rg_heap_dump(h, path, &FIXED, &err), 0);
    heap_end(h);
    struct stat st;
    CU_ASSERT_EQUAL(stat(path, &st), 0);
    /* abort: the target untouched, nothing left */
    snprintf(path, sizeof path, "%s/keep.txt", dir);
    FILE *f = fopen(path, "w");
    fputs("precious\n", f);
    fclose(f);
    o = rg_outfile_open(path, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(o);
    fputs("half", rg_outfile_stream(o));
    rg_outfile_abort(o);
    text = slurp(path, NULL);
    CU_ASSERT_STRING_EQUAL(text, "precious\n");
    free(text);
    CU_ASSERT_EQUAL(temps_in(dir), 0);
    /* what a signal handler calls: every live temporary file goes */
    o = rg_outfile_open(path, &err);
    rg_outfile *o2 = rg_outfile_open(tmp("out/other.txt"), &err);
    CU_ASSERT_EQUAL(temps_in(dir), 2);
    rg_outfile_remove_temps();
    CU_ASSERT_EQUAL(temps_in(dir), 0);
    rg_outfile_abort(o);
    rg_outfile_abort(o2);
    /* a symlink to a regular file: the file replaced, the link kept */
    char link[700];
    snprintf(link, sizeof link, "%s/link.txt", dir);
    CU_ASSERT_EQUAL(symlink("keep.txt", link), 0);
    o = rg_outfile_open(link, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(o);
    fputs("new\n", rg_outfile_stream(o));
    CU_ASSERT_EQUAL(rg_outfile_commit(o, &err), 0);
    CU_ASSERT(lstat(link, &st) == 0 && S_ISLNK(st.st_mode));
    text = slurp(path, NULL);
    CU_ASSERT_STRING_EQUAL(text, "new\n");
    free(text);
    /* a device is written directly, never replaced */
    o = rg_outfile_open("/dev/null", &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(o);
    CU_ASSERT(!rg_outfile_is_atomic(o));
    fputs("gone\n", rg_outfile_stream(o));
    CU_ASSERT_EQUAL(rg_outfile_commit(o, &err), 0);
    CU_ASSERT(stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode));
    /* refused: a directory, a dangling symlink */
    memset(&err, 0, sizeof err);
    CU_ASSERT_PTR_NULL(rg_outfile_open(dir, &err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.text, "it is a directory"));
    snprintf(link, sizeof link, "%s/dangling.txt", dir);
    CU_ASSERT_EQUAL(symlink("nowhere/x", link), 0);
    memset(&err, 0, sizeof err);
    CU_ASSERT_PTR_NULL(rg_outfile_open(link, &err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.text, "a symbolic link to nothing"));
    CU_ASSERT_EQUAL(temps_in(dir), 0);
}

/* Issue 12: the core marks its None, True and False "static" in the dump,
 * and the loader knows them as the heap's own by that alone. */
static void test_singletons_from_dump(void) {
    rg_heap *h = heap_new();
    rg_object *none = rg_none_new(h), *t = rg_bool_new(h, 1), *l = rg_list_new(h);
    uint64_t nid = rg_id(none), tid = rg_id(t), lid = rg_id(l);
    rg_error err = {0};
    CU_ASSERT_EQUAL_FATAL(rg_heap_dump(h, tmp("singletons.jsonl"), &FIXED, &err), 0);
    rg_decref(none);
    rg_decref(t);
    rg_decref(l);
    heap_end(h);
    rg_graph *g = rg_graph_load(tmp("singletons.jsonl"), NULL, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    uint32_t ni = rg_graph_find(g, nid), ti = rg_graph_find(g, tid), li = rg_graph_find(g, lid);
    CU_ASSERT_FATAL(ni != RG_NONE && ti != RG_NONE && li != RG_NONE);
    CU_ASSERT(g->flags[ni] & RG_GF_STATIC);
    CU_ASSERT(g->flags[ti] & RG_GF_STATIC);
    CU_ASSERT(rg_graph_heap_owned(g, ni));
    CU_ASSERT(rg_graph_heap_owned(g, ti));
    CU_ASSERT(!rg_graph_heap_owned(g, li));
    rg_graph_free(g);
}

/* Issue 16: instances sharing their class's keys and instances that fell
 * back to pairs of their own dump their attributes in the order each set
 * them, labelled with their names, with their exact sizes. */
static void test_instance_layouts(void) {
    rg_heap *h = heap_new();
    rg_object *cls = rg_class_new(h, "C");
    rg_object *x = rg_instance_new(h, cls), *y = rg_instance_new(h, cls), *z = rg_instance_new(h, cls);
    static const char *xs[] = {"a", "b", "c", "d"};
    for (int i = 0; i < 4; i++) rg_setattr_new(x, xs[i], rg_int_new(h, i)); /* shared, 4 values */
    rg_setattr_new(y, "c", rg_int_new(h, 10));
    rg_setattr_new(y, "a", rg_int_new(h, 11)); /* before c in the keys: falls back */
    rg_setattr_new(y, "e", rg_int_new(h, 12));
    rg_setattr_new(z, "a", rg_int_new(h, 20));
    rg_setattr_new(z, "d", rg_int_new(h, 21)); /* a hole: shared */
    rg_object *objs[] = {x, y, z};
    const char *want[] = {"__class__ a b c d", "__class__ c a e", "__class__ a d"};
    rg_error err = {0};
    CU_ASSERT_EQUAL_FATAL(rg_heap_dump(h, tmp("inst.jsonl"), &FIXED, &err), 0);
    rg_graph *g = rg_graph_load(tmp("inst.jsonl"), NULL, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    for (int k = 0; k < 3; k++) {
        uint32_t i = rg_graph_find(g, rg_id(objs[k]));
        CU_ASSERT_FATAL(i != RG_NONE);
        char names[128] = "";
        size_t w = 0;
        for (uint32_t e = g->ref_start[i]; e < g->ref_start[i + 1]; e++) {
            rg_gstr s = g->str[RG_EDGE_LABEL(g->ref_label[e])];
            w += (size_t)snprintf(names + w, sizeof names - w, "%s%.*s", w ? " " : "", (int)s.len, s.ptr);
        }
        CU_ASSERT_STRING_EQUAL(names, want[k]);
        CU_ASSERT_EQUAL(g->size[i], rg_sizeof(objs[k]));
    }
    CU_ASSERT_EQUAL(g->size[rg_graph_find(g, rg_id(x))], INST_BYTES + 4 * 8); /* 2 inline, then 4 slots */
    CU_ASSERT_EQUAL(g->size[rg_graph_find(g, rg_id(y))], INST_BYTES + 4 * 16); /* 4 pairs */
    CU_ASSERT_EQUAL(g->size[rg_graph_find(g, rg_id(z))], INST_BYTES + 4 * 8);
    rg_graph_free(g);
    rg_decref(x);
    rg_decref(y);
    rg_decref(z);
    rg_decref(cls);
    heap_end(h);
}

int main(void) {
    static const test_case cases[] = {
        {"dump, load, dump: the same bytes", test_round_trip_same_bytes},
        {"the header's step field", test_step_field},
        {"what changed between two steps (graph/steps.h)", test_step_diff},
        {"deterministic", test_deterministic},
        {"dumping changes no refcount, runs no collection", test_dump_changes_nothing},
        {"atomic on failure", test_atomic_on_failure},
        {"escaping", test_escaping},
        {"escaping text for a terminal and JSON", test_escape_text},
        {"output files: NAME_MAX, abort, signals, symlinks, devices", test_outfile},
        {"invalid dumps give their exact messages", test_invalid_dumps},
        {"lenient mode", test_lenient},
        {"fuzz corpus", test_fuzz_corpus},
        {"buffers and missing files", test_buffer_and_missing_file},
        {"lesson snapshots match the lessons' counts", test_lesson_snapshots},
        {"the core's singletons are marked static", test_singletons_from_dump},
        {"instances: shared keys and fallbacks, order, labels, sizes", test_instance_layouts},
        {NULL, NULL},
    };
    return run_suite_tmp("dump", cases);
}
