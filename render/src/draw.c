/* draw.c — turns chosen objects and references into a Graphviz graph, in
 * objgraph's look, with the cycles marked, and writes it out atomically. */
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "refgraph/jsonout.h"
#include "refgraph/outfile.h"
#include "refgraph/render.h"
#include "picture.h"

#define DISPLAY_LABEL_MAX 48 /* bytes of a label shown in a box */
#define EXTRA_MAX 256 /* bytes of an extra_info line */
#define DISPLAY_EDGE_MAX 32  /* bytes of an edge label shown */

typedef struct dnode {
    uint32_t obj;
    int depth;
    unsigned marks;
} dnode;

typedef struct dedge {
    uint32_t e;
    unsigned marks;
} dedge;

typedef struct dmore {
    uint32_t obj, count;
    int backrefs;
} dmore;

typedef struct dghost {
    uint64_t id;
    char *type, *label, *ref_label;
    uint32_t holder;
} dghost;

typedef struct dgedge { /* a reference between two ghosts */
    uint64_t from, to;
    char *label;
} dgedge;

struct rg_drawing {
    const rg_graph *g;
    const rg_analysis *a;
    rg_render_options o;
    uint32_t *slot; /* [n] index into nodes, or RG_NONE */
    dnode *nodes;
    size_t nnodes, cap_nodes;
    dedge *edges;
    size_t nedges, cap_edges;
    dmore *mores;
    size_t nmores, cap_mores;
    dghost *ghosts;
    size_t nghosts, cap_ghosts;
    dgedge *gedges;
    size_t ngedges, cap_gedges;
    int failed;        /* out of memory while adding */
    size_t left_out;   /* objects refused over max_nodes */
};

rg_drawing *rg_drawing_new(const rg_graph *g, const rg_analysis *a, const rg_render_options *opts) {
    rg_drawing *d = calloc(1, sizeof *d);
    if (!d) return NULL;
    d->g = g;
    d->a = a;
    if (opts) d->o = *opts;
    if (d->o.max_depth <= 0) d->o.max_depth = 3;
    if (d->o.too_many <= 0) d->o.too_many = 10;
    if (d->o.max_nodes == 0) d->o.max_nodes = RG_RENDER_MAX_NODES;
    d->slot = malloc(((size_t)g->n + 1) * sizeof *d->slot);
    if (!d->slot) {
        free(d);
        return NULL;
    }
    memset(d->slot, 0xff, ((size_t)g->n + 1) * sizeof *d->slot);
    return d;
}

void rg_drawing_free(rg_drawing *d) {
    if (!d) return;
    for (size_t i = 0; i < d->nghosts; i++) {
        free(d->ghosts[i].type);
        free(d->ghosts[i].label);
        free(d->ghosts[i].ref_label);
    }
    free(d->ghosts);
    for (size_t i = 0; i < d->ngedges; i++) free(d->gedges[i].label);
    free(d->gedges);
    free(d->slot);
    free(d->nodes);
    free(d->edges);
    free(d->mores);
    free(d);
}

int rg_drawing_has(const rg_drawing *d, uint32_t obj) { return d->slot[obj] != RG_NONE; }

int rg_drawing_node(rg_drawing *d, uint32_t obj, int depth, unsigned marks) {
    if (d->slot[obj] != RG_NONE) {
        d->nodes[d->slot[obj]].marks |= marks;
        return 0;
    }
    if (d->nnodes >= d->o.max_nodes) { /* counted, said when finishing */
        d->left_out++;
        return 0;
    }
    if (rg_grow((void **)&d->nodes, &d->cap_nodes, d->nnodes + 1, sizeof *d->nodes)) {
        d->failed = 1;
        return RG_ENOMEM;
    }
    d->slot[obj] = (uint32_t)d->nnodes;
    d->nodes[d->nnodes++] = (dnode){obj, depth, marks};
    return 0;
}

int rg_drawing_edge(rg_drawing *d, uint32_t e, unsigned marks) {
    if (rg_grow((void **)&d->edges, &d->cap_edges, d->nedges + 1, sizeof *d->edges)) {
        d->failed = 1;
        return RG_ENOMEM;
    }
    d->edges[d->nedges++] = (dedge){e, marks};
    return 0;
}

int rg_drawing_more(rg_drawing *d, uint32_t obj, uint32_t count, int backrefs) {
    if (rg_grow((void **)&d->mores, &d->cap_mores, d->nmores + 1, sizeof *d->mores)) {
        d->failed = 1;
        return RG_ENOMEM;
    }
    d->mores[d->nmores++] = (dmore){obj, count, backrefs};
    return 0;
}

static char *copy_gstr(rg_gstr s) {
    char *p = malloc((size_t)s.len + 1);
    if (p) {
        memcpy(p, s.ptr, s.len);
        p[s.len] = '\0';
    }
    return p;
}

int rg_drawing_ghost(rg_drawing *d, uint64_t id, rg_gstr type, rg_gstr label, uint32_t holder, rg_gstr ref_label) {
    if (rg_grow((void **)&d->ghosts, &d->cap_ghosts, d->nghosts + 1, sizeof *d->ghosts)) {
        d->failed = 1;
        return RG_ENOMEM;
    }
    dghost *gh = &d->ghosts[d->nghosts];
    gh->id = id;
    gh->holder = holder;
    gh->type = copy_gstr(type);
    gh->label = copy_gstr(label);
    gh->ref_label = copy_gstr(ref_label);
    d->nghosts++;
    if (!gh->type || !gh->label || !gh->ref_label) d->failed = 1;
    return d->failed ? RG_ENOMEM : 0;
}

int rg_drawing_ghost_ref(rg_drawing *d, uint64_t from, uint64_t to, rg_gstr label) {
    if (rg_grow((void **)&d->gedges, &d->cap_gedges, d->ngedges + 1, sizeof *d->gedges)) {
        d->failed = 1;
        return RG_ENOMEM;
    }
    dgedge *e = &d->gedges[d->ngedges];
    e->from = from;
    e->to = to;
    e->label = copy_gstr(label);
    d->ngedges++;
    if (!e->label) d->failed = 1;
    return d->failed ? RG_ENOMEM : 0;
}

/* ---- text ------------------------------------------------------------------------- */

typedef struct sbuf {
    char *p;
    size_t len, cap;
    int oom;
} sbuf;

static void sb_put(sbuf *b, const char *s, size_t n) {
    if (b->oom) return;
    if (b->len + n + 1 > b->cap) {
        size_t c = b->cap ? b->cap * 2 : 128;
        while (c < b->len + n + 1) c *= 2;
        char *p = realloc(b->p, c);
        if (!p) {
            b->oom = 1;
            return;
        }
        b->p = p;
        b->cap = c;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void sb_str(sbuf *b, const char *s) { sb_put(b, s, strlen(s)); }

static void sb_fmt(sbuf *b, const char *fmt, unsigned long long v) {
    char t[64];
    int n = snprintf(t, sizeof t, fmt, v);
    sb_put(b, t, (size_t)n);
}

static void sb_fmt2(sbuf *b, const char *fmt, long long x, long long y) {
    char t[96];
    int n = snprintf(t, sizeof t, fmt, x, y);
    if (n > 0) sb_put(b, t, (size_t)n < sizeof t ? (size_t)n : sizeof t - 1);
}

/* Appends text as Graphviz shows it literally, and as every renderer can
 * write it (SVG is XML). Graphviz reads labels as escape strings (\n, \l,
 * \N ...): every backslash is doubled so no content forms one. It also
 * decodes HTML entities in every label ("&#x1F;" would become the control
 * character, which XML forbids): '&' goes in as "&amp;", which every
 * renderer shows as '&' and the SVG writer writes back as "&amp;". Control
 * characters (C0, DEL, C1), the non-characters U+FFFE and U+FFFF (XML
 * forbids them) and bytes that are not UTF-8 are shown as the text \xNN
 * or \uNNNN. Quotes need nothing here: cgraph quotes attribute values
 * when it writes DOT. Text over max bytes is cut (at a character
 * boundary) and ends in "...". */
static void sb_text(sbuf *b, const char *s, size_t len, size_t max) {
    size_t n = rg_utf8_cut(s, len, max);
    size_t run = 0;
    for (size_t i = 0; i < n;) {
        unsigned long c;
        int valid;
        size_t k = rg_utf8_next(s + i, n - i, &c, &valid);
        char t[16];
        t[0] = '\0';
        if (rg_text_escape(c, valid, t + 1))
            t[0] = '\\'; /* the escape's backslash, doubled */
        else if (c == '\\')
            snprintf(t, sizeof t, "\\\\");
        else if (c == '&')
            snprintf(t, sizeof t, "&amp;");
        if (t[0]) {
            sb_put(b, s + i - run, run);
            sb_str(b, t);
            run = 0;
        } else {
            run += k;
        }
        i += k;
    }
    sb_put(b, s + n - run, run);
    if (n < len) sb_str(b, "...");
}

static void sb_gstr(sbuf *b, rg_gstr s, size_t max) { sb_text(b, s.ptr, s.len, max); }

/* ---- Graphviz's memory and results ------------------------------------------------------ */

/* cgraph allocates through this discipline, with refgraph's own malloc (so
 * that tests/failalloc can fail it). Graphviz 2.42 does not survive NULL
 * from its allocator (agopen and the layouts use the result unchecked), so
 * a failed allocation is served from a small reserve instead and recorded
 * (gv_oom): the drawing stops with "out of memory" as soon as Graphviz
 * returns. Graphviz is used from one thread at a time (render.h).
 *
 * Each graph's memory is one region: agopen opens it, every object, name,
 * attribute and string of the graph is carved from its blocks, and
 * gv_close frees the blocks at once after agclose. A malloc and a free for
 * each of cgraph's small pieces took a fifth of the time of writing a small
 * drawing as DOT. Nothing is freed before (cgraph frees little while a
 * graph lives: replaced attribute values); a resize of the last piece grows
 * it in place. The discipline has no close function: with one, agclose
 * takes its "free entire heap" path, which leaves cdt's dictionaries
 * (malloc'ed by libcdt itself) behind. */
#define GV_RESERVE ((size_t)64 * 1024)
#define GV_FIRST_BLOCK ((size_t)16 * 1024) /* a region's first block; they double */
#define GV_MAX_BLOCK ((size_t)1 << 20)     /* up to this; bigger pieces get their own */
static _Alignas(max_align_t) unsigned char gv_reserve[GV_RESERVE];
static size_t gv_reserve_used;
static int gv_oom;    /* an allocation failed */
static int gv_failed; /* a cgraph call failed (returned NULL or -1) */

typedef struct gv_block {
    struct gv_block *next;
    size_t used, cap;
    max_align_t data[]; /* cap bytes */
} gv_block;

typedef struct gv_region {
    gv_block *blocks;   /* the newest first: pieces are carved from it */
    size_t next_cap;    /* the next block's size */
    void *last;         /* the last piece carved, and its size: grown in place */
    size_t last_size;
} gv_region;

static size_t gv_nsyms;

static void gv_reset(void) {
    gv_reserve_used = 0;
    gv_oom = gv_failed = 0;
    gv_nsyms = 0; /* a new graph: its own attributes */
}

static size_t gv_round(size_t n) {
    size_t align = _Alignof(max_align_t);
    return n > SIZE_MAX - align ? 0 : (n + align - 1) / align * align;
}

static void *from_reserve(size_t req) {
    size_t need = gv_round(req);
    gv_oom = 1;
    if (need < req || need > GV_RESERVE - gv_reserve_used) return NULL;
    void *p = gv_reserve + gv_reserve_used;
    gv_reserve_used += need;
    memset(p, 0, req);
    return p;
}

/* When the region itself cannot be allocated: the drawing will fail (gv_oom)
 * but cgraph needs memory until then. One graph at a time uses it. */
static gv_region gv_spare_region;
static int gv_spare_used;

static void *mem_open(Agdisc_t *disc) {
    (void)disc;
    gv_region *r = calloc(1, sizeof *r);
    if (!r) {
        gv_oom = 1;
        if (gv_spare_used) return NULL; /* then every piece comes from the reserve */
        gv_spare_used = 1;
        r = &gv_spare_region;
        memset(r, 0, sizeof *r);
    }
    return r;
}

/* A zeroed piece of the region (as cgraph expects), or from the reserve. */
static void *mem_alloc(void *state, size_t req) {
    gv_region *r = state;
    size_t need = gv_round(req ? req : 1);
    if (!r || !need) return from_reserve(req);
    gv_block *b = r->blocks;
    if (!b || b->cap - b->used < need) {
        size_t cap = r->next_cap ? r->next_cap : GV_FIRST_BLOCK;
        int own = need > cap / 4; /* a big piece: a block of its own, behind the current one */
        if (own) cap = need;
        gv_block *nb = cap > SIZE_MAX - sizeof *nb ? NULL : malloc(sizeof *nb + cap);
        if (!nb) return from_reserve(req);
        nb->used = 0;
        nb->cap = cap;
        if (own && b) {
            nb->next = b->next;
            b->next = nb;
            nb->used = need;
            memset(nb->data, 0, req);
            r->last = NULL; /* not at the end of the current block: never grown in place */
            return nb->data;
        }
        nb->next = b;
        r->blocks = nb;
        if (!own) r->next_cap = cap < GV_MAX_BLOCK ? cap * 2 : cap;
        b = nb;
    }
    void *p = (unsigned char *)b->data + b->used;
    b->used += need;
    memset(p, 0, req);
    r->last = p;
    r->last_size = need;
    return p;
}

static void *mem_resize(void *state, void *ptr, size_t old, size_t req) {
    gv_region *r = state;
    if (ptr && r && ptr == r->last) { /* the last piece carved from the current block: in place if it fits */
        gv_block *b = r->blocks;
        size_t need = gv_round(req ? req : 1);
        if (need && b->used - r->last_size + need <= b->cap) {
            if (req > old) memset((unsigned char *)ptr + old, 0, req - old);
            b->used = b->used - r->last_size + need;
            r->last_size = need;
            return ptr;
        }
    }
    void *p = mem_alloc(state, req);
    if (p && ptr) memcpy(p, ptr, old < req ? old : req);
    return p;
}

static void mem_free(void *state, void *ptr) { /* the region goes whole, in gv_close */
    (void)state;
    (void)ptr;
}

static Agmemdisc_t gv_mem = {mem_open, mem_alloc, mem_resize, mem_free, NULL};

/* agclose, then the graph's region. */
static void gv_close(Agraph_t *G) {
    gv_region *r = G->clos->state.mem;
    agclose(G);
    if (!r) return;
    for (gv_block *b = r->blocks, *next; b; b = next) { /* bound: the region's blocks */
        next = b->next;
        free(b);
    }
    if (r == &gv_spare_region)
        gv_spare_used = 0;
    else
        free(r);
}

static Agdisc_t gv_disc = {&gv_mem, &AgIdDisc, &AgIoDisc};

/* cgraph calls that record their failure; a NULL object is a failure
 * already recorded and is skipped. */
/* The attributes of nodes and edges met so far in the graph being built:
 * agsafeset looks the name up in the graph's dictionary on every call. */
#define GV_SYMS 32
static struct gv_sym {
    const char *name; /* the caller's string literal */
    int kind;         /* AGNODE or AGEDGE */
    Agsym_t *sym;
} gv_syms[GV_SYMS];

/* agsafeset(obj, name, value, ""): the attribute declared with the default
 * "" when new, then set. */
static void set(void *obj, const char *name, const char *value) {
    if (!obj || !value) {
        gv_failed = 1;
        return;
    }
    int kind = AGTYPE(obj);
    if (kind == AGOUTEDGE || kind == AGINEDGE) kind = AGEDGE;
    if (kind != AGNODE && kind != AGEDGE) { /* a (sub)graph: declared on itself */
        if (agsafeset(obj, (char *)name, (char *)value, "") != 0) gv_failed = 1;
        return;
    }
    Agsym_t *sym = NULL;
    for (size_t i = 0; i < gv_nsyms && !sym; i++)
        if (gv_syms[i].name == name && gv_syms[i].kind == kind) sym = gv_syms[i].sym;
    if (!sym) {
        Agraph_t *G = agraphof(obj);
        sym = agattr(G, kind, (char *)name, NULL);
        if (!sym) sym = agattr(G, kind, (char *)name, "");
        if (!sym) {
            gv_failed = 1;
            return;
        }
        if (gv_nsyms < GV_SYMS) gv_syms[gv_nsyms++] = (struct gv_sym){name, kind, sym};
    }
    if (agxset(obj, sym, (char *)value) != 0) gv_failed = 1;
}

static Agnode_t *node(Agraph_t *G, const char *name) {
    Agnode_t *n = agnode(G, (char *)name, 1);
    if (!n) gv_failed = 1;
    return n;
}

static Agedge_t *edge(Agraph_t *G, Agnode_t *t, Agnode_t *h) {
    Agedge_t *e = t && h ? agedge(G, t, h, NULL, 1) : NULL;
    if (!e) gv_failed = 1;
    return e;
}

/* What a picture can show. build() records each one it draws; the legend
 * lists those, in this order, each beside a sample drawn with the same
 * colour and style as in the picture. A new kind of mark is one bit, one
 * row of legend_rows and one `seen |=` where it is drawn. */
enum {
    L_START = 1u << 0,      /* red text */
    L_DEPTH = 1u << 1,      /* grey by depth */
    L_ROOT = 1u << 2,       /* green: a global or frame local */
    L_HIGHLIGHT = 1u << 3,  /* blue */
    L_NEW = 1u << 4,        /* light green */
    L_CHANGED = 1u << 5,    /* yellow */
    L_LOST = 1u << 6,       /* orange, double border */
    L_GONE = 1u << 7,       /* light red, dashed */
    L_CYCLE = 1u << 8,      /* red border */
    L_CYCLE_EDGE = 1u << 9, /* red bold reference */
    L_CYCLE_BOX = 1u << 10, /* solid red box around a cycle */
    L_GARBAGE = 1u << 11,   /* dashed red box around a cycle */
    L_WEAK = 1u << 12,      /* dashed reference */
    L_NEW_EDGE = 1u << 13,  /* dark green reference */
    L_GONE_EDGE = 1u << 14, /* dashed red reference to a freed object */
    L_MORE = 1u << 15,      /* pink "N more references" */
};

/* Node fills (HSV, as Graphviz reads them), shared by the boxes and the
 * legend's samples. */
#define FILL_NEW "0.330 0.350 1.000"
#define FILL_GONE "0.000 0.350 1.000"
#define FILL_LOST "0.080 0.550 1.000"
#define FILL_CHANGED "0.150 0.500 1.000"
#define FILL_ROOT "0.300 1.000 0.900"
#define FILL_HIGHLIGHT "0.600 0.600 1.000"
#define FILL_GREY "0.000 0.000 0.650"
#define FILL_MORE "#ff9999"

/* ---- style ---------------------------------------------------------------------------- */

static void setf(rg_pic *p, uint32_t obj, const char *name, const char *fmt, double a, double b, double c) {
    char t[64];
    snprintf(t, sizeof t, fmt, a, b, c);
    pic_set(p, obj, name, t);
}


static int highlighted(const rg_drawing *d, uint32_t obj) {
    for (size_t i = 0; i < d->o.highlight_ids.n; i++)
        if (d->o.highlight_ids.items[i] == d->g->id[obj]) return 1;
    for (size_t i = 0; i < d->o.highlight_types.n; i++)
        if (rg_gstr_is(d->g->str[d->g->type[obj]], d->o.highlight_types.items[i])) return 1;
    return 0;
}

static int is_cyclic(const rg_drawing *d, uint32_t obj) { return d->a->scc.cyclic[d->a->scc.comp[obj]]; }

static uint32_t make_node(rg_drawing *d, rg_pic *p, const dnode *dn, sbuf *b, unsigned *seen) {
    const rg_graph *g = d->g;
    uint32_t o = dn->obj;
    char name[32];
    snprintf(name, sizeof name, "o%llu", (unsigned long long)g->id[o]);
    uint32_t n = pic_node(p, name);
    b->len = 0;
    sb_gstr(b, g->str[g->type[o]], DISPLAY_LABEL_MAX);
    if (!d->o.no_ids) sb_fmt(b, "#%llu", (unsigned long long)g->id[o]); /* as text and JSON name it */
    if (d->o.refcounts && d->o.old_refcount && d->o.old_refcount[o] != g->refcount[o])
        sb_fmt2(b, " [%lld \xe2\x86\x92 %lld]", (long long)d->o.old_refcount[o], (long long)g->refcount[o]);
    else if (d->o.refcounts)
        sb_fmt(b, " [%lld]", (unsigned long long)g->refcount[o]);
    sb_str(b, "\\n");
    sb_gstr(b, g->str[g->label[o]], DISPLAY_LABEL_MAX);
    if (d->o.retained) sb_fmt(b, "\\nretains %llu B", (unsigned long long)d->o.retained[o]);
    char extra[EXTRA_MAX];
    size_t ne = d->o.extra_info ? d->o.extra_info(g, o, extra, sizeof extra, d->o.ud) : 0;
    if (ne) {
        sb_str(b, "\\n");
        sb_text(b, extra, ne < sizeof extra ? ne : sizeof extra - 1, sizeof extra);
    }
    pic_set(p, n, "label", b->p ? b->p : "");
    /* objgraph's grey by depth; blue when highlighted; green/red in a diff */
    double v = 1.0 - 0.7 * (double)dn->depth / (double)d->o.max_depth;
    if (v < 0.3) v = 0.3;
    unsigned marks = dn->marks | (highlighted(d, o) ? RG_DRAW_HIGHLIGHT : 0);
    if (marks & RG_DRAW_NEW) {
        pic_set(p, n, "fillcolor", FILL_NEW);
        *seen |= L_NEW;
    } else if (marks & RG_DRAW_GONE) {
        pic_set(p, n, "fillcolor", FILL_GONE);
        *seen |= L_GONE;
    } else if (marks & RG_DRAW_LOST) {
        pic_set(p, n, "fillcolor", FILL_LOST);
        *seen |= L_LOST;
    } else if (marks & RG_DRAW_CHANGED) {
        pic_set(p, n, "fillcolor", FILL_CHANGED);
        *seen |= L_CHANGED;
    } else if (marks & RG_DRAW_HIGHLIGHT) {
        setf(p, n, "fillcolor", "%.3f %.3f %.3f", 0.6, 0.6, v);
        *seen |= L_HIGHLIGHT;
    } else {
        setf(p, n, "fillcolor", "%.3f %.3f %.3f", 0.0, 0.0, v);
        if (dn->depth > 0) *seen |= L_DEPTH;
    }
    if (marks & RG_DRAW_START) {
        pic_set(p, n, "fontcolor", "red");
        *seen |= L_START;
    } else if (v < 0.5 && !(marks & (RG_DRAW_NEW | RG_DRAW_GONE | RG_DRAW_LOST | RG_DRAW_CHANGED))) {
        pic_set(p, n, "fontcolor", "white");
    }
    if (is_cyclic(d, o)) {
        pic_set(p, n, "color", "red");
        pic_set(p, n, "penwidth", "2");
        *seen |= L_CYCLE;
    }
    if (marks & RG_DRAW_LOST) pic_set(p, n, "peripheries", "2");
    b->len = 0;
    sb_fmt(b, "id %llu", (unsigned long long)g->id[o]);
    sb_str(b, "\\ntype ");
    sb_gstr(b, g->str[g->type[o]], 200);
    sb_fmt(b, "\\nsize %llu bytes", (unsigned long long)g->size[o]);
    sb_fmt(b, "\\nrefcount %lld", (unsigned long long)g->refcount[o]);
    sb_str(b, "\\n");
    sb_gstr(b, g->str[g->label[o]], 200);
    if (g->label_len[o]) sb_fmt(b, " (%llu bytes in all)", (unsigned long long)g->label_len[o]);
    pic_set(p, n, "tooltip", b->p ? b->p : "");
    return n;
}

static void cluster_title(sbuf *b, const char *what, unsigned k, uint32_t size, uint64_t bytes) {
    b->len = 0;
    sb_str(b, what);
    sb_fmt(b, " %u: ", k);
    sb_fmt(b, "%u object", size);
    sb_str(b, size == 1 ? ", " : "s, ");
    sb_fmt(b, "%llu bytes", (unsigned long long)bytes);
}

/* ---- the legend ----------------------------------------------------------------------- */

typedef struct legend_row {
    unsigned bit;
    /* the sample: a table cell's attributes, and its text (or none) */
    const char *cell;
    const char *sample;
    const char *text; /* NULL: from the options (legend_start, legend_depth) */
} legend_row;

static const legend_row legend_rows[] = {
    {L_START, "border=\"1\" bgcolor=\"white\"", "<font color=\"red\">type#id</font>", NULL},
    {L_DEPTH, "border=\"1\" bgcolor=\"" FILL_GREY "\"", "", NULL},
    {L_ROOT, "border=\"1\" bgcolor=\"" FILL_ROOT "\"", "", "a root: a global or a frame's local"},
    {L_HIGHLIGHT, "border=\"1\" bgcolor=\"" FILL_HIGHLIGHT "\"", "", "highlighted"},
    {L_NEW, "border=\"1\" bgcolor=\"" FILL_NEW "\"", "", "new since the older dump"},
    {L_CHANGED, "border=\"1\" bgcolor=\"" FILL_CHANGED "\"", "", "its refcount changed"},
    {L_LOST, "border=\"3\" bgcolor=\"" FILL_LOST "\"", "", "reachable before, unreachable now"},
    {L_GONE, "border=\"1\" style=\"dashed\" color=\"red\" bgcolor=\"" FILL_GONE "\"", "", "freed since then"},
    {L_CYCLE, "border=\"2\" color=\"red\" bgcolor=\"white\"", "", "in a reference cycle"},
    {L_CYCLE_EDGE, "sides=\"b\" border=\"2\" color=\"red\"", "", "a reference of a cycle"},
    {L_CYCLE_BOX, "border=\"1\" color=\"red\"", "", "a cycle"},
    {L_GARBAGE, "border=\"1\" style=\"dashed\" color=\"red\"", "", "a cycle no root reaches: garbage"},
    {L_WEAK, "sides=\"b\" border=\"1\" style=\"dashed\"", "", "a weak reference"},
    {L_NEW_EDGE, "sides=\"b\" border=\"1\" color=\"darkgreen\"", "", "a new reference"},
    {L_GONE_EDGE, "sides=\"b\" border=\"1\" style=\"dashed\" color=\"red\"", "", "a freed reference"},
    {L_MORE, "border=\"1\" bgcolor=\"" FILL_MORE "\"", "", "references left out"},
};

/* The legend of what the picture shows (seen: L_* bits), as a table of
 * samples; nothing when it shows none of them. */
static void add_legend(const rg_drawing *d, rg_pic *p, unsigned seen, sbuf *b) {
    if (!seen) return;
    b->len = 0;
    sb_str(b, "<table border=\"0\" cellborder=\"0\" cellspacing=\"3\" cellpadding=\"1\">"
              "<tr><td colspan=\"2\" align=\"left\"><b>legend</b></td></tr>");
    for (size_t i = 0; i < sizeof legend_rows / sizeof *legend_rows; i++) {
        const legend_row *r = &legend_rows[i];
        if (!(seen & r->bit)) continue;
        const char *text = r->text;
        if (r->bit == L_START) text = d->o.legend_start ? d->o.legend_start : "where the walk starts";
        if (r->bit == L_DEPTH) text = d->o.legend_depth ? d->o.legend_depth : "farther from the start";
        sb_str(b, "<tr><td width=\"40\" height=\"12\" fixedsize=\"true\" ");
        sb_str(b, r->cell);
        sb_str(b, ">");
        sb_str(b, r->sample);
        sb_str(b, "</td><td align=\"left\">");
        sb_text(b, text, strlen(text), 200);
        sb_str(b, "</td></tr>");
    }
    sb_str(b, "</table>");
    if (b->oom) return;
    uint32_t n = pic_node(p, "legend");
    pic_set(p, n, "shape", "plain");
    pic_set(p, n, "style", "");
    pic_set(p, n, "fontsize", "9");
    pic_set_html(p, n, "label", b->p);
}

/* A root (a global or a frame's local) as a green box pointing at target. */
static void draw_root(rg_pic *p, const char *name, const char *label, uint32_t target) {
    uint32_t n = pic_node(p, name);
    pic_set(p, n, "label", label);
    pic_set(p, n, "fillcolor", FILL_ROOT);
    pic_edge(p, n, target);
}

/* Draws d into the picture p: the objects, the cycles' boxes, the
 * references, the folded counts, the freed objects, the roots and the
 * legend. p->oom tells whether it is whole. */
static void draw_picture(rg_drawing *d, rg_pic *p) {
    const rg_graph *g = d->g;
    const rg_scc *scc = &d->a->scc;
    sbuf b = {0};
    unsigned seen = 0; /* L_* bits: what the legend lists */
    uint32_t *made = malloc((d->nnodes + 1) * sizeof *made);
    uint32_t *cluster_of = calloc(scc->ncomp + 1, sizeof *cluster_of); /* comp -> cycle number */
    uint32_t *sub_of = malloc((scc->ncomp + 1) * sizeof *sub_of);     /* comp -> its subgraph */
    if (!made || !cluster_of || !sub_of) {
        p->oom = 1;
        goto done;
    }
    for (size_t i = 0; i < d->nnodes; i++) made[i] = make_node(d, p, &d->nodes[i], &b, &seen);
    /* cycles: numbered as they first appear; unreachable ones always boxed */
    unsigned ncycles = 0;
    for (size_t i = 0; i < d->nnodes; i++) {
        uint32_t o = d->nodes[i].obj, c = scc->comp[o];
        if (!scc->cyclic[c]) continue;
        int unreachable = !d->a->reach[o];
        if (!unreachable && !d->o.cluster_cycles) continue;
        if (!cluster_of[c]) {
            cluster_of[c] = ++ncycles;
            char name[48];
            snprintf(name, sizeof name, "cluster_cycle_%u", cluster_of[c]);
            uint32_t sub = sub_of[c] = pic_sub(p, name);
            cluster_title(&b, unreachable ? "unreachable cycle" : "cycle", cluster_of[c], scc->size[c], scc->bytes[c]);
            pic_set(p, sub, "label", b.p);
            pic_set(p, sub, "color", "red");
            pic_set(p, sub, "fontcolor", "red");
            pic_set(p, sub, "style", unreachable ? "dashed" : "solid");
            seen |= unreachable ? L_GARBAGE : L_CYCLE_BOX;
        }
        pic_subnode(p, sub_of[c], made[i]);
    }
    for (size_t i = 0; i < d->nedges; i++) {
        uint32_t e = d->edges[i].e;
        uint32_t src = rg_edge_source(g, e);
        uint32_t dst = g->ref_target[e];
        if (d->slot[src] == RG_NONE || d->slot[dst] == RG_NONE) continue;
        uint32_t ed = pic_edge(p, made[d->slot[src]], made[d->slot[dst]]);
        b.len = 0;
        sb_gstr(&b, g->str[RG_EDGE_LABEL(g->ref_label[e])], DISPLAY_EDGE_MAX);
        if (b.len) pic_set(p, ed, "label", b.p);
        int weak = (g->ref_label[e] & RG_EDGE_WEAK) != 0;
        int cyc = !weak && scc->comp[src] == scc->comp[dst] && scc->cyclic[scc->comp[src]];
        if (weak) {
            pic_set(p, ed, "style", "dashed");
            seen |= L_WEAK;
        }
        if (cyc) {
            pic_set(p, ed, "color", "red");
            pic_set(p, ed, "penwidth", "2");
            seen |= L_CYCLE_EDGE;
        } else if (d->edges[i].marks & RG_DRAW_NEW) {
            pic_set(p, ed, "color", "darkgreen");
            seen |= L_NEW_EDGE;
        }
    }
    for (size_t i = 0; i < d->nmores; i++) {
        const dmore *m = &d->mores[i];
        if (d->slot[m->obj] == RG_NONE) continue; /* its object left out */
        char name[48];
        snprintf(name, sizeof name, "more%llu", (unsigned long long)g->id[m->obj]);
        uint32_t n = pic_node(p, name);
        b.len = 0;
        sb_fmt(&b, "%u more ", m->count);
        sb_str(&b, m->backrefs ? "backreferences" : "references");
        pic_set(p, n, "label", b.p);
        pic_set(p, n, "fillcolor", FILL_MORE);
        seen |= L_MORE;
        pic_set(p, n, "fontsize", "8");
        uint32_t o = made[d->slot[m->obj]];
        uint32_t ed = m->backrefs ? pic_edge(p, n, o) : pic_edge(p, o, n);
        pic_set(p, ed, "style", "dotted");
        pic_set(p, ed, "color", "red");
    }
    for (size_t i = 0; i < d->nghosts; i++) {
        const dghost *gh = &d->ghosts[i];
        char name[48];
        snprintf(name, sizeof name, "gone%llu", (unsigned long long)gh->id);
        uint32_t n = pic_node(p, name);
        b.len = 0;
        sb_text(&b, gh->type, strlen(gh->type), DISPLAY_LABEL_MAX);
        sb_str(&b, "\\n");
        sb_text(&b, gh->label, strlen(gh->label), DISPLAY_LABEL_MAX);
        sb_str(&b, "\\n(freed)");
        pic_set(p, n, "label", b.p);
        pic_set(p, n, "fillcolor", FILL_GONE);
        pic_set(p, n, "color", "red");
        pic_set(p, n, "style", "filled,dashed");
        seen |= L_GONE;
        if (gh->holder != RG_NONE && d->slot[gh->holder] != RG_NONE) {
            uint32_t ed = pic_edge(p, made[d->slot[gh->holder]], n);
            b.len = 0;
            sb_text(&b, gh->ref_label, strlen(gh->ref_label), DISPLAY_EDGE_MAX);
            if (b.len) pic_set(p, ed, "label", b.p);
            pic_set(p, ed, "style", "dashed");
            pic_set(p, ed, "color", "red");
            seen |= L_GONE_EDGE;
        }
    }
    for (size_t i = 0; i < d->ngedges; i++) { /* references between freed objects */
        char from[48], to[48];
        snprintf(from, sizeof from, "gone%llu", (unsigned long long)d->gedges[i].from);
        snprintf(to, sizeof to, "gone%llu", (unsigned long long)d->gedges[i].to);
        uint32_t a = pic_find(p, from), z = pic_find(p, to);
        if (a == PIC_NONE || z == PIC_NONE) continue; /* one end not drawn */
        uint32_t ed = pic_edge(p, a, z);
        b.len = 0;
        sb_text(&b, d->gedges[i].label, strlen(d->gedges[i].label), DISPLAY_EDGE_MAX);
        if (b.len) pic_set(p, ed, "label", b.p);
        pic_set(p, ed, "style", "dashed");
        pic_set(p, ed, "color", "red");
        seen |= L_GONE_EDGE;
    }
    /* the globals and frame locals that bind drawn objects */
    for (uint32_t i = 0; i < g->nglobals; i++) {
        uint32_t o = g->global_obj[i];
        if (d->slot[o] == RG_NONE) continue;
        char name[48];
        snprintf(name, sizeof name, "global%u", i);
        b.len = 0;
        sb_str(&b, "global\\n");
        sb_gstr(&b, g->str[g->global_name[i]], DISPLAY_LABEL_MAX);
        draw_root(p, name, b.p, made[d->slot[o]]);
        seen |= L_ROOT;
    }
    for (uint32_t f = 0; f < g->nframes; f++) {
        const rg_graph_frame *fr = &g->frames[f];
        for (uint32_t k = 0; k < fr->nlocals; k++) {
            uint32_t o = fr->local_obj[k];
            if (d->slot[o] == RG_NONE) continue;
            char name[64];
            snprintf(name, sizeof name, "frame%u_%u", f, k);
            b.len = 0;
            sb_str(&b, "frame ");
            sb_gstr(&b, g->str[fr->name], DISPLAY_LABEL_MAX);
            sb_str(&b, "\\n");
            sb_gstr(&b, g->str[fr->local_name[k]], DISPLAY_LABEL_MAX);
            draw_root(p, name, b.p, made[d->slot[o]]);
            seen |= L_ROOT;
        }
    }
    if (!d->o.no_legend) add_legend(d, p, seen, &b);
    if (b.oom) p->oom = 1;
done:
    free(b.p);
    free(made);
    free(cluster_of);
    free(sub_of);
}

/* Sets an HTML-like label (Graphviz's <...>): the string must come from
 * agstrdup_html for cgraph to write and lay it out as one. */
static void set_html(Agraph_t *G, void *obj, const char *name, const char *html) {
    char *h = agstrdup_html(G, (char *)html);
    if (!h) {
        gv_failed = 1;
        return;
    }
    set(obj, name, h);
    agstrfree(G, h);
}

static void set_attrs(Agraph_t *G, const rg_pic *p, void *obj, uint32_t first) {
    for (uint32_t a = first; a != PIC_NONE; a = p->attrs[a].next) { /* bound: the object's attributes */
        const pic_attr *x = &p->attrs[a];
        if (x->html)
            set_html(G, obj, x->name, pic_str(p, x->value));
        else
            set(obj, x->name, pic_str(p, x->value));
    }
}

/* The picture as a Graphviz graph, for a layout: nodes and edges made in
 * the picture's order (the layout depends on it). NULL when out of memory. */
static Agraph_t *build(const rg_pic *p) {
    if (p->oom) return NULL;
    Agdesc_t dir = Agdirected;
    gv_reset();
    Agraph_t *G = agopen(PIC_GRAPH_NAME, dir, &gv_disc);
    if (!G) return NULL;
    for (size_t i = 0; i < pic_nnode_defaults; i++)
        if (!agattr(G, AGNODE, (char *)pic_node_defaults[i][0], (char *)pic_node_defaults[i][1])) gv_failed = 1;
    Agnode_t **nodes = malloc((p->nnodes + 1) * sizeof *nodes);
    Agraph_t **subs = malloc((p->nsubs + 1) * sizeof *subs);
    if (!nodes || !subs) {
        free(nodes);
        free(subs);
        gv_close(G);
        return NULL;
    }
    for (size_t i = 0; i < p->nnodes; i++) {
        nodes[i] = node(G, pic_str(p, p->nodes[i].name));
        if (nodes[i]) set_attrs(G, p, nodes[i], p->nodes[i].attrs);
    }
    for (size_t s = 0; s < p->nsubs; s++) {
        subs[s] = agsubg(G, (char *)pic_str(p, p->subs[s].name), 1);
        if (subs[s])
            set_attrs(G, p, subs[s], p->subs[s].attrs);
        else
            gv_failed = 1;
    }
    for (size_t i = 0; i < p->nnodes; i++) {
        uint32_t s = p->nodes[i].sub;
        if (s != PIC_NONE && (!subs[s] || !nodes[i] || !agsubnode(subs[s], nodes[i], 1))) gv_failed = 1;
    }
    for (size_t e = 0; e < p->nedges; e++) {
        Agedge_t *ed = edge(G, nodes[p->edges[e].tail], nodes[p->edges[e].head]);
        if (ed) set_attrs(G, p, ed, p->edges[e].attrs);
    }
    free(nodes);
    free(subs);
    if (gv_oom || gv_failed) {
        gv_close(G);
        return NULL;
    }
    return G;
}

/* The drawing as render/'s picture (p->oom when out of memory), and d
 * freed. */
static void picture_of(rg_drawing *d, rg_pic *p) {
    pic_init(p);
    if (d->failed)
        p->oom = 1;
    else
        draw_picture(d, p);
    rg_drawing_free(d);
}

/* The drawing as a Graphviz graph, and d freed. NULL when out of memory. */
static Agraph_t *build_drawing(rg_drawing *d) {
    rg_pic p;
    picture_of(d, &p);
    Agraph_t *G = build(&p);
    pic_free(&p);
    return G;
}

/* The drawing written as DOT text (as agwrite would), and d freed: 0,
 * RG_ENOMEM or RG_EIO. */
static int write_drawing_dot(rg_drawing *d, FILE *f) {
    rg_pic p;
    picture_of(d, &p);
    int rc = p.oom ? -2 : pic_write_dot(&p, f);
    pic_free(&p);
    if (rc == 0 && fflush(f) != 0) rc = -1;
    return rc == -2 ? RG_ENOMEM : rc ? RG_EIO : 0;
}
/* ---- output -------------------------------------------------------------------------- */

const char *rg_render_format_of(const char *path) {
    const char *dot = path ? strrchr(path, '.') : NULL;
    if (!dot) return NULL;
    static const char *const known[][2] = {{".dot", "dot"}, {".gv", "dot"}, {".png", "png"}, {".svg", "svg"},
                                           {".pdf", "pdf"}};
    for (size_t i = 0; i < sizeof known / sizeof *known; i++)
        if (strcmp(dot, known[i][0]) == 0) return known[i][1];
    return NULL;
}

static char gv_errors[1024];
static int capture_gv(char *msg) {
    size_t n = strlen(gv_errors);
    if (n < sizeof gv_errors - 1) snprintf(gv_errors + n, sizeof gv_errors - n, "%s", msg);
    return 0;
}

/* Graphviz's message, one line, lowercase first letter, no trailing period. */
static const char *gv_message(void) {
    char *s = gv_errors;
    for (char *p = s; *p; p++)
        if (*p == '\n') *p = ' ';
    if (strncmp(s, "Error: ", 7) == 0) s += 7; /* we say it is an error */
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '.')) s[--n] = '\0';
    if (s[0] >= 'A' && s[0] <= 'Z') s[0] = (char)(s[0] - 'A' + 'a');
    return n ? s : "unknown failure";
}

/* One Graphviz context for the whole process, freed at exit: with a fresh
 * context per render, Graphviz 2.42's pango plugin reads a font-name cache
 * that the previous gvFreeContext freed (caught by AddressSanitizer). */
static GVC_t *shared_gvc;

static void free_gvc(void) {
    if (shared_gvc) gvFreeContext(shared_gvc);
    shared_gvc = NULL;
}

static GVC_t *gvc_get(void) {
    if (!shared_gvc) {
        shared_gvc = gvContext();
        if (shared_gvc) atexit(free_gvc);
    }
    return shared_gvc;
}

/* DOT through cgraph (agwrite), for tests that compare it with pic_write_dot. */
int rg__dot_via_cgraph;

static int write_dot(Agraph_t *G, FILE *f) { return agwrite(G, f) == 0 && fflush(f) == 0 ? 0 : -1; }

static json_t *gstr_json(rg_gstr s) { return rg_json_text(s.ptr, s.len); }

/* The drawing as JSON, for scripts: the objects with their depth and marks,
 * the references, the folded counts, the roots. Built with jansson; NULL
 * when out of memory. */
static json_t *drawing_json(const rg_drawing *d) {
    const rg_graph *g = d->g;
    json_t *objects = json_array(), *refs = json_array(), *more = json_array(), *roots = json_array();
    int bad = 0;
    for (size_t i = 0; i < d->nnodes && !bad; i++) {
        uint32_t o = d->nodes[i].obj;
        json_t *v = json_pack("{s:I,s:o,s:o,s:I,s:o}", "id", (json_int_t)g->id[o], "type",
                              gstr_json(g->str[g->type[o]]), "size", rg_json_u64(g->size[o]), "refcount",
                              (json_int_t)g->refcount[o], "label", gstr_json(g->str[g->label[o]]));
        if (v && d->o.retained) bad |= json_object_set_new(v, "retained", rg_json_u64(d->o.retained[o]));
        char extra[EXTRA_MAX];
        size_t ne = v && d->o.extra_info ? d->o.extra_info(g, o, extra, sizeof extra, d->o.ud) : 0;
        if (ne) bad |= json_object_set_new(v, "extra", rg_json_text(extra, ne < sizeof extra ? ne : sizeof extra - 1));
        if (v) {
            bad |= json_object_set_new(v, "depth", json_integer(d->nodes[i].depth));
            bad |= json_object_set_new(v, "start", json_boolean(d->nodes[i].marks & RG_DRAW_START));
            bad |= json_object_set_new(v, "cycle", json_boolean(is_cyclic(d, o)));
            bad |= json_object_set_new(v, "reachable", json_boolean(d->a->reach[o]));
        }
        bad |= json_array_append_new(objects, v);
    }
    for (size_t i = 0; i < d->nedges && !bad; i++) {
        uint32_t e = d->edges[i].e, src = rg_edge_source(g, e);
        if (d->slot[src] == RG_NONE || d->slot[g->ref_target[e]] == RG_NONE) continue; /* an end left out */
        bad |= json_array_append_new(
            refs, json_pack("{s:I,s:I,s:o,s:b}", "from", (json_int_t)g->id[src], "to",
                            (json_int_t)g->id[g->ref_target[e]], "label",
                            gstr_json(g->str[RG_EDGE_LABEL(g->ref_label[e])]), "weak",
                            (g->ref_label[e] & RG_EDGE_WEAK) != 0));
    }
    for (size_t i = 0; i < d->nmores && !bad; i++)
        if (d->slot[d->mores[i].obj] != RG_NONE)
            bad |= json_array_append_new(more, json_pack("{s:I,s:I}", "id", (json_int_t)g->id[d->mores[i].obj],
                                                         "count", (json_int_t)d->mores[i].count));
    for (uint32_t i = 0; i < g->nglobals && !bad; i++) {
        if (d->slot[g->global_obj[i]] == RG_NONE) continue;
        bad |= json_array_append_new(roots, json_pack("{s:o,s:I}", "global", gstr_json(g->str[g->global_name[i]]),
                                                      "id", (json_int_t)g->id[g->global_obj[i]]));
    }
    for (uint32_t fi = 0; fi < g->nframes && !bad; fi++) {
        const rg_graph_frame *fr = &g->frames[fi];
        for (uint32_t k = 0; k < fr->nlocals && !bad; k++) {
            if (d->slot[fr->local_obj[k]] == RG_NONE) continue;
            bad |= json_array_append_new(roots, json_pack("{s:o,s:o,s:I}", "frame", gstr_json(g->str[fr->name]),
                                                          "local", gstr_json(g->str[fr->local_name[k]]), "id",
                                                          (json_int_t)g->id[fr->local_obj[k]]));
        }
    }
    /* "o" steals each array, even when the pack fails */
    json_t *v = json_pack("{s:o,s:o,s:o,s:o}", "objects", objects, "references", refs, "more", more, "roots", roots);
    if (bad) {
        json_decref(v);
        return NULL;
    }
    return v;
}

/* 0, RG_ENOMEM, or RG_EIO when writing fails. */
static int write_json(const rg_drawing *d, FILE *f) {
    json_t *v = drawing_json(d);
    int rc = v ? rg_json_dumpf(v, f) : RG_ENOMEM;
    json_decref(v);
    if (rc == 0 && fputc('\n', f) == EOF) rc = RG_EIO;
    return fflush(f) == 0 || rc == RG_ENOMEM ? rc : RG_EIO;
}

/* ---- progress while Graphviz works -------------------------------------------------- */

typedef struct ticker {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int done, started, ticked;
    const rg_render_options *o;
    size_t objects;
    struct timespec t0;
    pthread_t th;
} ticker;

static double seconds_since(const struct timespec *t0) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static void *tick(void *p) {
    ticker *t = p;
    pthread_mutex_lock(&t->mu);
    while (!t->done) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 1;
        int rc = pthread_cond_timedwait(&t->cv, &t->mu, &until);
        if (t->done) break;
        if (rc == ETIMEDOUT) {
            t->ticked = 1;
            pthread_mutex_unlock(&t->mu);
            t->o->progress(seconds_since(&t->t0), t->objects, t->o->ud);
            pthread_mutex_lock(&t->mu);
        }
    }
    pthread_mutex_unlock(&t->mu);
    return NULL;
}

static void ticker_start(ticker *t, const rg_render_options *o, size_t objects) {
    memset(t, 0, sizeof *t);
    if (!o->progress) return;
    t->o = o;
    t->objects = objects;
    clock_gettime(CLOCK_MONOTONIC, &t->t0);
    if (pthread_mutex_init(&t->mu, NULL) != 0) return;
    if (pthread_cond_init(&t->cv, NULL) != 0) {
        pthread_mutex_destroy(&t->mu);
        return;
    }
    if (pthread_create(&t->th, NULL, tick, t) != 0) { /* no progress line, the drawing goes on */
        pthread_cond_destroy(&t->cv);
        pthread_mutex_destroy(&t->mu);
        return;
    }
    t->started = 1;
}

static void ticker_stop(ticker *t) {
    if (!t->started) return;
    pthread_mutex_lock(&t->mu);
    t->done = 1;
    pthread_cond_signal(&t->cv);
    pthread_mutex_unlock(&t->mu);
    pthread_join(t->th, NULL);
    pthread_cond_destroy(&t->cv);
    pthread_mutex_destroy(&t->mu);
    if (t->ticked) t->o->progress(-1.0, t->objects, t->o->ud);
}

/* A PNG Graphviz would shrink to unreadable: its size at 96 dpi, after
 * the layout. 0, or RG_ERANGE with err set. */
static int check_png_size(Agraph_t *G, const char *src, rg_error *err) {
    boxf bb = GD_bb(G);
    double w = (bb.UR.x - bb.LL.x + 8) * 96.0 / 72.0, h = (bb.UR.y - bb.LL.y + 8) * 96.0 / 72.0;
    double side = w > h ? w : h;
    if (side <= RG_RENDER_PNG_MAX_SIDE) return 0;
    double scale = RG_RENDER_PNG_MAX_SIDE / side;
    if (scale >= RG_RENDER_PNG_MIN_SCALE) {
        /* shrunk by a lower resolution, not by cairo (which says so on stderr) */
        if (GD_drawing(G)) GD_drawing(G)->dpi = 96.0 * scale * 0.99;
        return 0;
    }
    rg_error_set(err, RG_ERANGE, src, 0, 0,
                 "the drawing is %.0fx%.0f pixels: as a PNG it would be shrunk to %.0f%% and unreadable; "
                 "write SVG or PDF instead (-o FILE.svg), draw less (--max-nodes, --max-depth), or try "
                 "--layout sfdp",
                 w, h, scale * 100.0);
    return RG_ERANGE;
}

int rg_drawing_finish(rg_drawing *d, const char *output, rg_error *err) {
    const char *src = output ? output : "<stdout>";
    int to_stdout = !output || strcmp(output, "-") == 0;
    const char *fmt = d->o.format ? d->o.format : to_stdout ? "dot" : rg_render_format_of(output);
    const char *engine = d->o.layout ? d->o.layout : "dot"; /* the caller's string: outlives d */
    int rc = 0;
    if (!fmt) {
        rg_error_set(err, RG_EINVAL, src, 0, 0, "cannot tell the format of '%s': use .dot, .png, .svg or .pdf, or --format",
                     output);
        rg_drawing_free(d);
        return RG_EINVAL;
    }
    int json = strcmp(fmt, "json") == 0;
    if (!json && strcmp(fmt, "dot") && strcmp(fmt, "png") && strcmp(fmt, "svg") && strcmp(fmt, "pdf")) {
        rg_error_set(err, RG_EINVAL, src, 0, 0, "unknown format '%s': use dot, png, svg or pdf", fmt);
        rg_drawing_free(d);
        return RG_EINVAL;
    }
    if (!output && !json && strcmp(fmt, "dot") != 0) {
        rg_error_set(err, RG_EINVAL, src, 0, 0, "%s output needs a file: -o FILE", fmt);
        rg_drawing_free(d);
        return RG_EINVAL;
    }
    if (json && d->failed) { /* out of memory while choosing: no half selection */
        rg_drawing_free(d);
        rg_error_set(err, RG_ENOMEM, src, 0, 0, "out of memory");
        return RG_ENOMEM;
    }
    Agraph_t *G = NULL;
    rg_render_options o = d->o; /* the caller's callbacks, after d is freed */
    size_t objects = d->nnodes;
    if (d->left_out && o.note) {
        char text[200];
        snprintf(text, sizeof text, "drew %zu object%s and left out %zu more: --max-nodes %zu draws them all",
                 d->nnodes, d->nnodes == 1 ? "" : "s", d->left_out, d->nnodes + d->left_out);
        o.note(text, o.ud);
    }
    /* DOT is written from render/'s own picture of the drawing; the other
     * formats need a cgraph graph for the layout. Made before the output
     * file: out of memory leaves no file. */
    int dot = strcmp(fmt, "dot") == 0;
    rg_pic pic;
    pic_init(&pic);
    if (dot) {
        if (d->failed)
            pic.oom = 1;
        else
            draw_picture(d, &pic);
        rg_drawing_free(d);
        d = NULL;
        if (pic.oom) {
            pic_free(&pic);
            rg_error_set(err, RG_ENOMEM, src, 0, 0, "out of memory");
            return RG_ENOMEM;
        }
    } else if (!json) {
        G = build_drawing(d);
        d = NULL;
        if (!G) {
            rg_error_set(err, RG_ENOMEM, src, 0, 0, "out of memory");
            return RG_ENOMEM;
        }
    }
    /* A temporary file beside the target, renamed into place when done;
     * standard output, a device or a FIFO written directly. */
    rg_outfile *out = rg_outfile_open(output, err);
    FILE *f = out ? rg_outfile_stream(out) : NULL;
    if (!f) {
        if (out) rg_error_set(err, RG_ENOMEM, src, 0, 0, "out of memory");
        rg_outfile_abort(out);
        rg_drawing_free(d);
        pic_free(&pic);
        if (G) gv_close(G);
        return err && err->code ? err->code : RG_EIO;
    }
    if (dot) {
        int wrc = pic_write_dot(&pic, f);
        if (wrc == 0 && fflush(f) != 0) wrc = -1;
        pic_free(&pic);
        if (wrc == -2) {
            rg_error_set(err, RG_ENOMEM, src, 0, 0, "out of memory");
            rc = RG_ENOMEM;
        } else if (wrc) {
            rg_error_set(err, RG_EIO, src, 0, 0, "cannot write '%s': %s", src, strerror(errno));
            rc = RG_EIO;
        }
    } else if (json) {
        rc = write_json(d, f);
        if (rc == RG_ENOMEM)
            rg_error_set(err, RG_ENOMEM, src, 0, 0, "out of memory");
        else if (rc)
            rg_error_set(err, RG_EIO, src, 0, 0, "cannot write '%s': %s", src, strerror(errno));
        rg_drawing_free(d);
    } else {
        gv_errors[0] = '\0';
        agusererrf old = agseterrf(capture_gv);
        {
            GVC_t *gvc = gvc_get();
            if (!gvc) {
                rg_error_set(err, RG_EGRAPHVIZ, src, 0, 0, "graphviz: cannot start");
                rc = RG_EGRAPHVIZ;
            }
            ticker t;
            ticker_start(&t, &o, objects);
            if (!rc && gvLayout(gvc, G, engine) != 0) {
                if (!gv_oom) rg_error_set(err, RG_EGRAPHVIZ, src, 0, 0, "graphviz layout failed: %s", gv_message());
                rc = RG_EGRAPHVIZ;
            } else if (!rc) {
                if (strcmp(fmt, "png") == 0) rc = check_png_size(G, src, err);
                if (!rc && gvRender(gvc, G, fmt, f) != 0) {
                    if (!gv_oom)
                        rg_error_set(err, RG_EGRAPHVIZ, src, 0, 0, "graphviz cannot render %s: %s", fmt, gv_message());
                    rc = RG_EGRAPHVIZ;
                }
                gvFreeLayout(gvc, G);
            }
            ticker_stop(&t);
        }
        if (gv_oom) { /* Graphviz ran short and went on from the reserve */
            rg_error_set(err, RG_ENOMEM, src, 0, 0, "out of memory");
            rc = RG_ENOMEM;
        }
        gv_close(G);
        agseterrf(old);
    }
    if (rc) {
        rg_outfile_abort(out);
        return rc;
    }
    return rg_outfile_commit(out, err);
}

/* ---- SVG in memory, for pages that inline their pictures ------------------------------ */

int rg_drawing_svg(rg_drawing *d, char **out, size_t *len, rg_error *err) {
    *out = NULL;
    *len = 0;
    const char *engine = d->o.layout ? d->o.layout : "dot";
    Agraph_t *G = build_drawing(d);
    if (!G) {
        rg_error_set(err, RG_ENOMEM, "<svg>", 0, 0, "out of memory");
        return RG_ENOMEM;
    }
    gv_errors[0] = '\0';
    agusererrf old = agseterrf(capture_gv);
    GVC_t *gvc = gvc_get();
    int rc = 0;
    char *data = NULL;
    unsigned int n = 0;
    if (!gvc) {
        rg_error_set(err, RG_EGRAPHVIZ, "<svg>", 0, 0, "graphviz: cannot start");
        rc = RG_EGRAPHVIZ;
    } else if (gvLayout(gvc, G, engine) != 0) {
        rg_error_set(err, RG_EGRAPHVIZ, "<svg>", 0, 0, "graphviz layout failed: %s", gv_message());
        rc = RG_EGRAPHVIZ;
    } else {
        if (gvRenderData(gvc, G, "svg", &data, &n) != 0 || !data) {
            rg_error_set(err, RG_EGRAPHVIZ, "<svg>", 0, 0, "graphviz cannot render svg: %s", gv_message());
            rc = RG_EGRAPHVIZ;
        } else if (!(*out = malloc((size_t)n + 1))) {
            rg_error_set(err, RG_ENOMEM, "<svg>", 0, 0, "out of memory");
            rc = RG_ENOMEM;
        } else {
            memcpy(*out, data, n);
            (*out)[n] = '\0';
            *len = n;
        }
        if (data) gvFreeRenderData(data);
        gvFreeLayout(gvc, G);
    }
    gv_close(G);
    agseterrf(old);
    return rc;
}

int rg_drawing_write(rg_drawing *d, FILE *f, const char *name, rg_error *err) {
    const char *src = name ? name : "<stream>";
    int json = d->o.format && strcmp(d->o.format, "json") == 0;
    if (d->o.format && !json && strcmp(d->o.format, "dot") != 0) {
        rg_error_set(err, RG_EINVAL, src, 0, 0, "a stream takes dot or json, not '%s'", d->o.format);
        rg_drawing_free(d);
        return RG_EINVAL;
    }
    if (json) {
        int rc = d->failed ? RG_ENOMEM : write_json(d, f);
        if (rc) rg_error_set(err, rc, src, 0, 0, rc == RG_ENOMEM ? "out of memory" : "cannot write");
        rg_drawing_free(d);
        return rc;
    }
    int rc;
    if (rg__dot_via_cgraph) { /* the test's reference: cgraph's agwrite */
        Agraph_t *G = build_drawing(d);
        rc = !G ? RG_ENOMEM : write_dot(G, f) ? RG_EIO : gv_oom ? RG_ENOMEM : 0;
        if (G) gv_close(G);
    } else {
        rc = write_drawing_dot(d, f);
    }
    if (rc) rg_error_set(err, rc, src, 0, 0, rc == RG_ENOMEM ? "out of memory" : "cannot write");
    return rc;
}
