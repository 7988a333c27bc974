/* select.c — objgraph's show_refs / show_backrefs walk: breadth-first from
 * the start objects to max_depth, at most too_many references per object
 * (the rest folded into one "N more" node), with type and label filters,
 * ignored objects, and objects drawn but not expanded. */
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "refgraph/render.h"

int rg_analyze(const rg_graph *g, rg_analysis *out) {
    memset(out, 0, sizeof *out);
    if (rg_graph_scc(g, &out->scc) != 0) return RG_ENOMEM;
    out->external = rg_graph_external(g);
    out->reach = malloc((size_t)g->n + 1);
    if (!out->external || !out->reach || rg_graph_reachable(g, out->external, out->reach) != 0) {
        rg_analysis_free(out);
        return RG_ENOMEM;
    }
    return 0;
}

void rg_analysis_free(rg_analysis *a) {
    rg_scc_free(&a->scc);
    free(a->external);
    free(a->reach);
    a->external = NULL;
    a->reach = NULL;
}

static int gstr_is(rg_gstr s, const char *t) { return strlen(t) == s.len && memcmp(s.ptr, t, s.len) == 0; }

static int type_in(const rg_graph *g, uint32_t o, rg_strlist l) {
    for (size_t i = 0; i < l.n; i++)
        if (gstr_is(g->str[g->type[o]], l.items[i])) return 1;
    return 0;
}

static int id_in(const rg_graph *g, uint32_t o, rg_idlist l) {
    for (size_t i = 0; i < l.n; i++)
        if (l.items[i] == g->id[o]) return 1;
    return 0;
}

static int label_in(rg_gstr label, rg_strlist l, char *buf, size_t size) {
    size_t n = label.len < size - 1 ? label.len : size - 1;
    memcpy(buf, label.ptr, n); /* fnmatch wants a C string */
    buf[n] = '\0';
    /* Equal text first: "[1]" is a label here, though fnmatch would read a
     * bracket expression in it. */
    for (size_t i = 0; i < l.n; i++)
        if (strcmp(l.items[i], buf) == 0 || fnmatch(l.items[i], buf, 0) == 0) return 1;
    return 0;
}

/* May the walk draw obj, reached over reference e? */
static int allowed(const rg_graph *g, const rg_render_options *o, uint32_t obj, uint32_t e) {
    if (id_in(g, obj, o->ignore)) return 0;
    if (o->types.n && !type_in(g, obj, o->types)) return 0;
    if (type_in(g, obj, o->skip_types)) return 0;
    char buf[512];
    rg_gstr label = g->str[RG_EDGE_LABEL(g->ref_label[e])];
    if (o->labels.n && !label_in(label, o->labels, buf, sizeof buf)) return 0;
    if (o->skip_labels.n && label_in(label, o->skip_labels, buf, sizeof buf)) return 0;
    return 1;
}

/* The walk; NULL with err set when out of memory. */
static rg_drawing *walk(const rg_graph *g, const rg_analysis *a, const uint32_t *starts, size_t nstarts,
                        const rg_render_options *opts, const char *output, rg_error *err) {
    rg_render_options o = *opts;
    if (o.max_depth <= 0) o.max_depth = 3;
    if (o.too_many <= 0) o.too_many = 10;
    rg_drawing *d = rg_drawing_new(g, a, &o);
    uint32_t *queue = malloc(((size_t)g->n + 1) * sizeof *queue);
    int *depth = malloc(((size_t)g->n + 1) * sizeof *depth);
    if (!d || !queue || !depth) {
        rg_drawing_free(d);
        free(queue);
        free(depth);
        rg_error_set(err, RG_ENOMEM, output ? output : "<stdout>", 0, 0, "out of memory");
        return NULL;
    }
    /* Every object is queued once, when it is added to the drawing: when an
     * addition fails (out of memory: the drawing fails as a whole) the walk
     * stops, so an object that is not in the drawing is never queued twice. */
    size_t head = 0, tail = 0;
    int failed = 0;
    for (size_t i = 0; i < nstarts && !failed; i++) {
        if (rg_drawing_has(d, starts[i])) continue;
        if (rg_drawing_node(d, starts[i], 0, RG_DRAW_START)) {
            failed = 1;
            break;
        }
        depth[starts[i]] = 0;
        queue[tail++] = starts[i];
    }
    while (head < tail && !failed) {
        uint32_t v = queue[head++];
        if (depth[v] >= o.max_depth) continue;
        if (depth[v] > 0 && (id_in(g, v, o.stop_ids) || type_in(g, v, o.stop_types))) continue; /* starts expand */
        uint32_t first = o.backrefs ? g->back_start[v] : g->ref_start[v];
        uint32_t last = o.backrefs ? g->back_start[v + 1] : g->ref_start[v + 1];
        uint32_t shown = 0, hidden = 0;
        for (uint32_t k = first; k < last; k++) {
            uint32_t e = o.backrefs ? g->back_edge[k] : k;
            uint32_t w = o.backrefs ? g->back_src[k] : g->ref_target[k];
            if (!allowed(g, &o, w, e)) continue;
            if (shown == (uint32_t)o.too_many) {
                hidden++;
                continue;
            }
            shown++;
            if (!rg_drawing_has(d, w)) {
                if (rg_drawing_node(d, w, depth[v] + 1, 0)) {
                    failed = 1;
                    break;
                }
                depth[w] = depth[v] + 1;
                queue[tail++] = w;
            }
            rg_drawing_edge(d, e, 0);
        }
        if (hidden) rg_drawing_more(d, v, hidden, o.backrefs);
    }
    free(queue);
    free(depth);
    rg_drawing_roots(d);
    return d;
}

int rg_show(const rg_graph *g, const rg_analysis *a, const uint32_t *starts, size_t nstarts,
            const rg_render_options *opts, const char *output, rg_error *err) {
    rg_drawing *d = walk(g, a, starts, nstarts, opts, output, err);
    return d ? rg_drawing_finish(d, output, err) : RG_ENOMEM;
}

int rg_show_write(const rg_graph *g, const rg_analysis *a, const uint32_t *starts, size_t nstarts,
                  const rg_render_options *opts, FILE *f, rg_error *err) {
    rg_drawing *d = walk(g, a, starts, nstarts, opts, "<stream>", err);
    return d ? rg_drawing_write(d, f, "<stream>", err) : RG_ENOMEM;
}
