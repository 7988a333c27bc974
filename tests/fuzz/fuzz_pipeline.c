/* fuzz_pipeline — libFuzzer target for the whole reading side: load (from
 * memory), every analysis of graph/ and render/, and DOT and JSON drawings
 * written to memory (no file, no layout engine).
 *
 * Two kinds of input, told apart by the first byte:
 *   - 0x00..0x7f: the bytes are a dump as they are (what a hostile file
 *     holds: the loader must reject it cleanly or load it);
 *   - 0x80..0xff: the bytes drive a generator that writes a valid dump of a
 *     random graph (random ids, types, sizes, refcounts, generations, labels,
 *     references, cycles, globals, frames, weak references, garbage), so the
 *     analyses and the renderer see graphs and not only parse errors. Bit 0
 *     of that byte loads it leniently, bit 1 adds dangling references.
 *
 * Every result is checked against what it claims (a cycle is a cycle of
 * strong references inside its component, a chain starts at a root and ends
 * at its object, ...): a wrong answer aborts like a crash.
 *
 * Built twice: with clang -fsanitize=fuzzer for fuzzing (tests/fuzz/run.sh
 * pipeline), and with RG_FUZZ_REPLAY by the test suite, whose main() runs
 * every file of the directories it is given (tests/fuzz/pipeline-corpus);
 * with RG_FUZZ_PRINT set it prints each generated dump. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "refgraph/analysis.h"
#include "refgraph/graph.h"
#include "refgraph/render.h"
#include "../dotcanon.h"

#define CHECK(c)                                                                              \
    do {                                                                                      \
        if (!(c)) {                                                                           \
            fprintf(stderr, "fuzz_pipeline: check failed at line %d: %s\n", __LINE__, #c); \
            abort();                                                                          \
        }                                                                                     \
    } while (0)

#define GEN_MAX_OBJECTS 3000 /* a generated dump's objects, at most */
#define GEN_BYTES_PER_OBJECT 16 /* input bytes per generated object, at least */
#define CYCLES_CHECKED 32    /* components whose cycles are searched */
#define CHAINS_CHECKED 16    /* objects whose root chain is searched */

/* rg_break_cycles never ended on some graphs (issue 11, item 1, fixed);
 * -DRG_FUZZ_BREAK_CYCLES=0 leaves it out. */
#ifndef RG_FUZZ_BREAK_CYCLES
#define RG_FUZZ_BREAK_CYCLES 1
#endif

/* ---- the generator ------------------------------------------------------------------------ */

typedef struct bytes {
    const uint8_t *p;
    size_t n, i;
} bytes;

static unsigned take(bytes *b) { return b->i < b->n ? b->p[b->i++] : 0; }
static unsigned take16(bytes *b) {
    unsigned v = take(b);
    return v << 8 | take(b);
}

typedef struct text {
    char *p;
    size_t len, cap;
} text;

static void put(text *t, const char *s, size_t n) {
    if (t->len + n + 1 > t->cap) {
        size_t c = t->cap ? t->cap * 2 : 65536;
        while (c < t->len + n + 1) c *= 2;
        char *p = realloc(t->p, c);
        CHECK(p);
        t->p = p;
        t->cap = c;
    }
    memcpy(t->p + t->len, s, n);
    t->len += n;
    t->p[t->len] = '\0';
}

static void puts_(text *t, const char *s) { put(t, s, strlen(s)); }

/* A decimal number (the objects' and references' lines use this and not
 * printf: formatting was a tenth of an execution). */
static void putu(text *t, uint64_t v) {
    char buf[24];
    size_t i = sizeof buf;
    do buf[--i] = (char)('0' + v % 10); while ((v /= 10) != 0); /* bound: 20 digits */
    put(t, buf + i, sizeof buf - i);
}

static void putf(text *t, const char *fmt, ...) {
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    CHECK(n >= 0 && (size_t)n < sizeof buf);
    put(t, buf, (size_t)n);
}

/* Names as JSON text: plain, escaped, control characters, non-ASCII, a
 * bracket expression for fnmatch, backslash escapes for Graphviz, XML. */
static const char *const names[] = {
    "list", "dict", "tuple", "Node", "str", "int", "NoneType", "bool", "weakref", "function",
    "", "[0]", "(key)", "__class__", "a\\\"b", "back\\\\slash\\\\n", "\\u0001ctl\\u001b[31m",
    "\\n", "caf\\u00e9 \\u2603", "<&amp;>", "\\\\N\\\\G", "*?[", "x\\u007fy", "\\ud83d\\ude00",
};
#define NNAMES (sizeof names / sizeof *names)

static const char *name_of(bytes *b) { return names[take(b) % NNAMES]; }

/* A label: usually a name, sometimes up to 200 bytes. */
static void put_label(text *t, bytes *b) {
    unsigned k = take(b);
    if (k < 240) {
        puts_(t, "\"");
        puts_(t, names[k % NNAMES]);
        puts_(t, "\"");
        return;
    }
    unsigned n = take(b) % 201;
    puts_(t, "\"");
    for (unsigned i = 0; i < n; i++) put(t, (i % 7) ? "x" : "\\u00e9", (i % 7) ? 1 : 6);
    puts_(t, "\"");
}

typedef struct gref {
    uint32_t target;
    int weak;
} gref;

/* Writes a valid dump of a random graph chosen by the bytes. */
static void generate(bytes *b, int dangling, text *t) {
    unsigned big = take(b); /* mostly small graphs: they run fast, and most bugs show in them */
    uint32_t n = big < 224 ? big % 32 : big < 252 ? take(b) : take16(b) % (GEN_MAX_OBJECTS + 1);
    /* At most one object per GEN_BYTES_PER_OBJECT bytes left (what an
     * object with a reference reads): a big graph needs a big input, so an
     * execution costs in proportion to its input (libFuzzer grows inputs
     * step by step), and a 20-byte input cannot write a 3,000-object dump
     * of zeros. */
    if (n > (b->n - b->i) / GEN_BYTES_PER_OBJECT) n = (uint32_t)((b->n - b->i) / GEN_BYTES_PER_OBJECT);
    unsigned scheme = take(b);
    uint64_t *id = malloc(((size_t)n + 1) * sizeof *id);
    uint32_t *ref_start = malloc(((size_t)n + 2) * sizeof *ref_start);
    CHECK(id && ref_start);
    /* ids: in order, reversed, strided, huge, or chosen to collide in a hash */
    uint64_t stride = 1 + (take(b) % 64);
    for (uint32_t i = 0; i < n; i++) {
        switch (scheme % 6) {
        case 0: id[i] = (uint64_t)i + 1; break;
        case 1: id[i] = (uint64_t)n - i; break;
        case 2: id[i] = 1 + (uint64_t)i * stride; break;
        case 3: id[i] = (uint64_t)INT64_MAX - i; break;
        case 4: id[i] = ((uint64_t)i << 32) + 1; break;
        default: id[i] = ((uint64_t)(i + 1) << 20) | (uint64_t)(i & 1); break;
        }
    }
    /* references: local (cycles), anywhere (giant components), or none */
    gref *refs = NULL;
    size_t nrefs = 0, cap = 0;
    unsigned density = take(b);
    for (uint32_t i = 0; i < n; i++) {
        ref_start[i] = (uint32_t)nrefs;
        unsigned k = take(b);
        unsigned count = k < 200 ? k % (1 + density % 6) : k < 250 ? k % 3 : take(b) % 64;
        for (unsigned j = 0; j < count; j++) {
            if (nrefs == cap) {
                cap = cap ? cap * 2 : 256;
                refs = realloc(refs, cap * sizeof *refs);
                CHECK(refs);
            }
            unsigned how = take(b), x = take16(b);
            uint32_t target;
            if (how < 96)
                target = (uint32_t)((i + n - x % 8) % n); /* a few objects back: short cycles */
            else if (how < 128)
                target = (uint32_t)((i + 1 + x % 4) % n); /* forward */
            else
                target = (uint32_t)(x % n);
            refs[nrefs++] = (gref){target, (how & 7) == 7};
        }
    }
    ref_start[n] = (uint32_t)nrefs;
    uint32_t garbage = n && take(b) > 240 ? take16(b) % n : RG_NONE;
    putf(t,
         "{\"format\":\"refgraph-dump\",\"version\":1,\"producer\":\"%s\",\"producer_version\":\"0.1.0\","
         "\"created\":\"2026-01-01T00:00:00Z\",\"heap_id\":\"00000000000000aa\","
         "\"heap\":{\"bytes_in_use\":%u,\"peak_bytes\":%u,\"live_objects\":%u,\"max_id\":%u},",
         name_of(b), take16(b), take16(b), n, n);
    puts_(t, "\"gc\":{\"enabled\":true,\"thresholds\":[700,10,10],\"counts\":[0,0,0],\"stats\":[");
    for (int k = 0; k < 3; k++)
        putf(t, "%s{\"collections\":%u,\"collected\":%u,\"uncollectable\":0}", k ? "," : "", take(b), take(b));
    if (garbage != RG_NONE)
        putf(t, "],\"garbage_id\":%llu}}\n", (unsigned long long)id[garbage]);
    else
        puts_(t, "],\"garbage_id\":null}}\n");
    uint64_t gens[5] = {0, 0, 0, 0, 0}, written_refs = 0;
    static const char *const gen_text[] = {"null", "0", "1", "2", "\"frozen\""};
    for (uint32_t i = 0; i < n; i++) {
        unsigned gk = take(b) % 5, sk = take(b), rk = take(b);
        uint64_t size = sk < 250 ? (uint64_t)sk * 8 : sk == 250 ? UINT64_MAX : sk == 251 ? (uint64_t)1 << 63 : 0;
        uint64_t rc = rk < 200 ? rk % 6 : rk < 250 ? (uint64_t)(ref_start[i + 1] - ref_start[i]) : (uint64_t)INT64_MAX;
        gens[gk]++;
        puts_(t, "{\"id\":");
        putu(t, id[i]);
        puts_(t, ",\"type\":\"");
        puts_(t, name_of(b));
        puts_(t, "\",\"size\":");
        putu(t, size);
        puts_(t, ",\"rc\":");
        putu(t, rc);
        puts_(t, ",\"gen\":");
        puts_(t, gen_text[gk]);
        puts_(t, ",\"label\":");
        put_label(t, b);
        unsigned extra = take(b);
        if (extra > 250) putf(t, ",\"label_len\":%u", 201 + take16(b));
        if ((extra & 0x30) == 0x30) puts_(t, ",\"finalized\":true");
        if (i == garbage || (extra & 0xc0) == 0xc0) puts_(t, ",\"garbage\":true");
        puts_(t, ",\"refs\":[");
        for (uint32_t e = ref_start[i]; e < ref_start[i + 1]; e++) {
            uint64_t target = id[refs[e].target];
            if (dangling && take(b) > 250) target = (uint64_t)INT64_MAX - 12345; /* no such object */
            puts_(t, e > ref_start[i] ? ",[" : "[");
            putu(t, target);
            puts_(t, ",");
            put_label(t, b);
            puts_(t, refs[e].weak ? ",true]" : "]");
            written_refs++;
        }
        puts_(t, "]}\n");
    }
    unsigned nglobals = n ? take(b) % 8 : 0, nframes = n ? take(b) % 4 : 0;
    for (unsigned k = 0; k < nglobals; k++)
        putf(t, "{\"global\":\"%s\",\"id\":%llu}\n", name_of(b), (unsigned long long)id[take16(b) % n]);
    for (unsigned f = 0; f < nframes; f++) {
        putf(t, "{\"frame\":\"%s\",\"depth\":%u,\"locals\":[", name_of(b), f);
        unsigned nl = take(b) % 5;
        for (unsigned k = 0; k < nl; k++)
            putf(t, "%s[\"%s\",%llu]", k ? "," : "", name_of(b), (unsigned long long)id[take16(b) % n]);
        puts_(t, "]}\n");
    }
    putf(t,
         "{\"trailer\":{\"objects\":%u,\"references\":%llu,\"globals\":%u,\"frames\":%u,"
         "\"generations\":{\"untracked\":%llu,\"0\":%llu,\"1\":%llu,\"2\":%llu,\"frozen\":%llu}}}\n",
         n, (unsigned long long)written_refs, nglobals, nframes, (unsigned long long)gens[0],
         (unsigned long long)gens[1], (unsigned long long)gens[2], (unsigned long long)gens[3],
         (unsigned long long)gens[4]);
    free(id);
    free(ref_start);
    free(refs);
}

/* ---- the pipeline ------------------------------------------------------------------------- */

static void ignore(const rg_error *w, void *ud) {
    (void)w;
    (void)ud;
}

static void check_graph(const rg_graph *g) {
    CHECK(g->ref_start[0] == 0 && g->ref_start[g->n] == g->nrefs && g->back_start[g->n] == g->nrefs);
    for (uint32_t i = 0; i < g->n; i++) {
        CHECK(g->ref_start[i] <= g->ref_start[i + 1] && g->back_start[i] <= g->back_start[i + 1]);
        CHECK(g->type[i] < g->nstr && g->label[i] < g->nstr);
        CHECK(rg_graph_find(g, g->id[i]) == i);
    }
    for (uint32_t e = 0; e < g->nrefs; e++) {
        CHECK(g->ref_target[e] < g->n && RG_EDGE_LABEL(g->ref_label[e]) < g->nstr);
        uint32_t src = rg_edge_source(g, e);
        CHECK(src < g->n && g->ref_start[src] <= e && e < g->ref_start[src + 1]);
        CHECK(g->back_edge[e] < g->nrefs && g->back_src[e] < g->n);
    }
    for (uint32_t i = 0; i < g->nglobals; i++) CHECK(g->global_obj[i] < g->n);
    for (uint32_t f = 0; f < g->nframes; f++)
        for (uint32_t k = 0; k < g->frames[f].nlocals; k++) CHECK(g->frames[f].local_obj[k] < g->n);
}

/* edges[0..len) is a cycle of strong references from obj back to obj,
 * inside obj's component. */
static void check_cycle(const rg_graph *g, const rg_scc *s, uint32_t obj, const uint32_t *edges, uint32_t len,
                        const uint32_t *skip, size_t nskip) {
    uint32_t v = obj;
    for (uint32_t k = 0; k < len; k++) {
        uint32_t e = edges[k];
        CHECK(e < g->nrefs && rg_edge_source(g, e) == v && !(g->ref_label[e] & RG_EDGE_WEAK));
        for (size_t j = 0; j < nskip; j++) CHECK(skip[j] != e);
        v = g->ref_target[e];
        CHECK(s->comp[v] == s->comp[obj]);
    }
    CHECK(v == obj);
}

/* rg_drawing_write's DOT through cgraph (agwrite) when set: the reference
 * render/'s own DOT writer must match byte for byte (render/src/draw.c). */
extern int rg__dot_via_cgraph;

/* The cycles' drawing (up to 200 of their objects), written to out. */
static void draw_cycles(const rg_graph *g, const rg_analysis *an, const rg_finder *f, const rg_render_options *op,
                        FILE *out) {
    rg_render_options o = *op;
    rg_error err = {0};
    rg_drawing *d = rg_drawing_new(g, an, &o);
    CHECK(d);
    for (uint32_t k = 0, drawn = 0; k < an->scc.ncomp && drawn < 200; k++) {
        if (!an->scc.cyclic[k]) continue;
        for (uint32_t j = f->comp_start[k]; j < f->comp_start[k + 1] && drawn < 200; j++, drawn++) {
            uint32_t v = f->members[j];
            CHECK(rg_drawing_node(d, v, (int)(j % 4), j == f->comp_start[k] ? RG_DRAW_START : RG_DRAW_NEW) == 0);
            CHECK(rg_drawing_has(d, v) || o.max_nodes); /* left out only over the cap */
            for (uint32_t e = g->ref_start[v]; e < g->ref_start[v + 1]; e++)
                if (rg_drawing_has(d, g->ref_target[e])) CHECK(rg_drawing_edge(d, e, RG_DRAW_NEW) == 0);
            if (j == f->comp_start[k]) {
                CHECK(rg_drawing_more(d, v, j + 1, (int)(k & 1)) == 0);
                CHECK(rg_drawing_ghost(d, g->id[v] + 1, g->str[g->type[v]], g->str[g->label[v]], v,
                                       g->str[g->label[v]]) == 0);
                CHECK(rg_drawing_ghost_ref(d, g->id[v] + 1, g->id[v] + 1, g->str[g->type[v]]) == 0);
            }
        }
    }
    CHECK(rg_drawing_write(d, out, "<fuzz>", &err) == 0);
}

/* The drawings of which (DRAW_SHOW: the show-refs drawing, DRAW_CYCLES: a
 * drawing of the cycles, with ghosts, "more" nodes and roots, as cycles
 * and diff draw them), written into new memory (*buf, *len). */
#define DRAW_SHOW 1
#define DRAW_CYCLES 2
static void draw_into(const rg_graph *g, const rg_analysis *an, const rg_finder *f, const uint32_t *starts,
                      size_t nstarts, const rg_render_options *op, unsigned which, char **buf, size_t *len) {
    rg_render_options o = *op;
    FILE *out = open_memstream(buf, len);
    CHECK(out);
    rg_error err = {0};
    if (which & DRAW_SHOW) CHECK(rg_show_write(g, an, starts, nstarts, &o, out, &err) == 0);
    if (which & DRAW_CYCLES) draw_cycles(g, an, f, &o, out);
    CHECK(fclose(out) == 0);
    CHECK(*len == 0 || (*buf)[*len - 1] == '\n' || (*buf)[*len - 1] == '}');
}

/* How often the DOT is also written through cgraph and compared, while
 * fuzzing: 1 in RG_FUZZ_AGWRITE_EVERY inputs (the replay: every input). */
#ifndef RG_FUZZ_AGWRITE_EVERY
#define RG_FUZZ_AGWRITE_EVERY 16
#endif

static void draw(const rg_graph *g, const rg_analysis *an, const rg_finder *f, const uint32_t *starts,
                 size_t nstarts, unsigned knobs) {
    rg_render_options o;
    memset(&o, 0, sizeof o);
    o.backrefs = knobs & 1;
    o.max_depth = 1 + (int)((knobs >> 1) & 3);
    o.too_many = 1 + (int)((knobs >> 3) & 15);
    o.refcounts = (knobs >> 7) & 1;
    o.cluster_cycles = (knobs >> 8) & 1;
    o.no_legend = (knobs >> 9) & 1;
    static const char *const types[] = {"list", "dict", "[0]", "*"};
    static const char *const labels[] = {"[0]", "*", "a\"b", "[[:alpha:]]*"};
    static const uint64_t ids[] = {1, 2, 3};
    if (knobs & 0x400) o.skip_types = (rg_strlist){types, 2};
    if (knobs & 0x800) o.labels = (rg_strlist){labels, 4};
    if (knobs & 0x1000) o.skip_labels = (rg_strlist){labels, 2};
    if (knobs & 0x2000) o.highlight_types = (rg_strlist){types, 4};
    if (knobs & 0x4000) o.stop_ids = (rg_idlist){ids, 3};
    if (knobs & 0x8000) o.ignore = (rg_idlist){ids + 1, 1};
    /* JSON for a quarter of the inputs: its writer is jansson's (not
     * instrumented) fed by a few lines of ours, and building a jansson
     * value per node and attribute took a quarter of the fuzzer's time
     * when half the inputs were written as JSON. */
    if ((knobs & 0x10010000) == 0x10010000) o.format = "json";
    if ((knobs & 0xe0000) == 0) o.max_nodes = 1 + ((knobs >> 20) & 31); /* an eighth: the cap, and what it leaves out */
    char *buf = NULL;
    size_t len = 0;
#ifdef RG_FUZZ_REPLAY
    int compare = !o.format;
    unsigned which = DRAW_SHOW | DRAW_CYCLES;
#else
    int compare = !o.format && (knobs >> 25) % RG_FUZZ_AGWRITE_EVERY == 0;
    /* One of the two drawings per input while fuzzing (writing both was
     * half of an execution); the replay writes both. */
    unsigned which = (knobs >> 29) & 1 ? DRAW_CYCLES : DRAW_SHOW;
#endif
    draw_into(g, an, f, starts, nstarts, &o, which, &buf, &len);
    if (compare) { /* the same drawings through cgraph: the same bytes */
        char *ref = NULL;
        size_t ref_len = 0;
        rg__dot_via_cgraph = 1;
        draw_into(g, an, f, starts, nstarts, &o, which, &ref, &ref_len);
        rg__dot_via_cgraph = 0;
        int same = dot_same(ref, ref_len, buf, len); /* clusters in any order: see dotcanon.h */
        CHECK(same >= 0);
        if (!same) {
            fprintf(stderr, "fuzz_pipeline: DOT differs from agwrite's\n--- agwrite\n%s\n--- render\n%s\n", ref, buf);
            abort();
        }
        free(ref);
    }
    free(buf);
}

static void pipeline(const rg_graph *g, unsigned knobs) {
    check_graph(g);
    rg_analysis an;
    CHECK(rg_analyze(g, &an) == 0);
    const rg_scc *s = &an.scc;
    CHECK(s->ncomp <= g->n);
    uint64_t members = 0;
    for (uint32_t k = 0; k < s->ncomp; k++) members += s->size[k];
    CHECK(members == g->n);
    rg_finder f;
    CHECK(rg_finder_init(&f, g, s) == 0);
    rg_root *root = rg_root_index(g);
    uint32_t *edges = malloc(((size_t)g->n + 1) * sizeof *edges);
    CHECK(root && edges);
    for (uint32_t i = 0; i < g->n; i++) {
        CHECK(s->comp[i] < s->ncomp);
        CHECK(root[i].kind <= RG_ROOT_LOCAL);
        if (root[i].kind || an.external[i] > 0) CHECK(an.reach[i]); /* roots are reachable */
    }
    /* cycles: a shortest one through the first member, and references that break them */
    uint32_t checked = 0;
    for (uint32_t k = 0; k < s->ncomp && checked < CYCLES_CHECKED; k++) {
        uint32_t first = f.comp_start[k], last = f.comp_start[k + 1];
        CHECK(last - first == s->size[k]);
        if (!s->cyclic[k]) continue;
        checked++;
        uint32_t m = f.members[first];
        uint32_t len = rg_shortest_cycle(&f, m, NULL, 0, edges);
        CHECK(len > 0 && len <= s->size[k]);
        check_cycle(g, s, m, edges, len, NULL, 0);
        uint32_t brk[5];
        size_t nb = RG_FUZZ_BREAK_CYCLES ? rg_break_cycles(&f, k, brk, 5) : 0;
        CHECK(nb <= 5);
        for (size_t j = 0; j < nb; j++) CHECK(s->comp[rg_edge_source(g, brk[j])] == k);
        /* made weak, they leave no cycle through the first few members */
        for (uint32_t j = first; nb && j < last && j < first + 8; j++) {
            uint32_t v = f.members[j];
            uint32_t l2 = rg_shortest_cycle(&f, v, brk, nb, edges);
            CHECK(l2 == 0);
        }
    }
    /* chains from a root: for a few objects, and only for reachable ones */
    for (uint32_t j = 0; j < CHAINS_CHECKED && g->n; j++) {
        uint32_t obj = (uint32_t)(((uint64_t)j * 2654435761u + knobs) % g->n), first = RG_NONE;
        long len = rg_root_chain(&f, root, an.external, NULL, obj, &first, edges);
        CHECK((len >= 0) == (an.reach[obj] != 0));
        if (len < 0) continue;
        CHECK(first < g->n && (root[first].kind != RG_ROOT_NONE || an.external[first] > 0));
        uint32_t v = first;
        for (long k = 0; k < len; k++) {
            CHECK(rg_edge_source(g, edges[k]) == v && !(g->ref_label[edges[k]] & RG_EDGE_WEAK));
            v = g->ref_target[edges[k]];
        }
        CHECK(v == obj);
    }
    /* drawings from a few start objects */
    uint32_t starts[4];
    size_t nstarts = 0;
    for (uint32_t j = 0; j < 4 && g->n; j++) starts[nstarts++] = (uint32_t)(((uint64_t)j * 40503u + knobs) % g->n);
    draw(g, &an, &f, starts, nstarts, knobs);
    free(root);
    free(edges);
    rg_finder_free(&f);
    rg_analysis_free(&an);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0 || size > (1u << 20)) return 0;
    static text t; /* kept from run to run: no page faults for a fresh buffer each time */
    t.len = 0;
    const char *dump = (const char *)data;
    size_t len = size;
    int lenient = 0, generated = 0;
    bytes b = {data, size, 1};
    if (data[0] & 0x80) {
        generate(&b, (data[0] & 2) != 0, &t);
        generated = 1;
        dump = t.p;
#ifdef RG_FUZZ_REPLAY
        if (getenv("RG_FUZZ_PRINT")) fputs(t.p, stdout); /* the generated dump, to look at */
#endif
        len = t.len;
        lenient = data[0] & 1;
    }
    unsigned knobs = (take(&b) << 16) ^ (unsigned)(size * 2654435761u);
    /* raw bytes load strictly and leniently; a generated dump in the mode its first byte says */
    for (int pass = 0; pass < (generated ? 1 : 2); pass++, lenient = !lenient) {
        rg_load_options opts = {lenient, ignore, NULL, NULL, NULL};
        rg_error err = {0};
        rg_graph *g = rg_graph_load_buffer(dump, len, "fuzz", &opts, &err);
        if (!g) {
            CHECK(err.code && err.text[0]); /* every failure explains itself */
            /* a generated dump is valid: only dangling references may fail it */
            if (generated && !(data[0] & 2)) {
                fprintf(stderr, "fuzz_pipeline: generated dump rejected: line %ld: %s\n", err.line, err.text);
                abort();
            }
            continue;
        }
        pipeline(g, knobs);
        rg_graph_free(g);
    }
    return 0;
}

#ifdef RG_FUZZ_REPLAY
/* The replay: every file of the directories (or files) given, once. */
#include <dirent.h>
#include <sys/stat.h>

static int run_file(const char *path) {
    FILE *f = fopen(path, "rb");
    struct stat st;
    if (!f || fstat(fileno(f), &st) != 0) {
        fprintf(stderr, "fuzz_pipeline: cannot open '%s'\n", path);
        if (f) fclose(f);
        return -1;
    }
    size_t cap = st.st_size > 0 && st.st_size < (1 << 20) ? (size_t)st.st_size : 1 << 20;
    uint8_t *buf = malloc(cap + 1);
    CHECK(buf);
    size_t n = fread(buf, 1, cap, f);
    fclose(f);
    LLVMFuzzerTestOneInput(buf, n);
    free(buf);
    return 0;
}

int main(int argc, char **argv) {
    unsigned long files = 0;
    for (int a = 1; a < argc; a++) {
        struct stat st;
        if (stat(argv[a], &st) != 0) {
            fprintf(stderr, "fuzz_pipeline: cannot open '%s'\n", argv[a]);
            return 1;
        }
        if (!S_ISDIR(st.st_mode)) {
            if (run_file(argv[a])) return 1;
            files++;
            continue;
        }
        DIR *d = opendir(argv[a]);
        if (!d) return 1;
        struct dirent *e;
        while ((e = readdir(d))) {
            if (e->d_name[0] == '.') continue;
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", argv[a], e->d_name);
            if (run_file(path)) return 1;
            files++;
        }
        closedir(d);
    }
    printf("fuzz_pipeline: %lu inputs ran\n", files);
    return files ? 0 : 1;
}
#endif
