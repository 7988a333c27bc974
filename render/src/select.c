/* select.c — objgraph's show_refs / show_backrefs walk: breadth-first from
 * the start objects to max_depth, at most too_many references per object
 * (the rest folded into one "N more" node), with type and label filters,
 * ignored objects, and objects drawn but not expanded. */
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "refgraph/render.h"


static int type_in(const rg_graph *g, uint32_t o, rg_strlist l) {
    for (size_t i = 0; i < l.n; i++)
        if (rg_gstr_is(g->str[g->type[o]], l.items[i])) return 1;
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

static void note(const rg_render_options *o, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static void note(const rg_render_options *o, const char *fmt, ...) {
    if (!o->note) return;
    char text[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    o->note(text, o->ud);
}

/* Breadth-first from the starts: every object within max_depth is visited
 * (to count what is left out), the first max_nodes are drawn. At most a
 * quarter of max_nodes start objects, evenly spaced, so the walk has room
 * to show what they reference. O(objects + references) time and memory. */
static rg_drawing *walk(const rg_graph *g, const rg_analysis *a, const uint32_t *starts, size_t nstarts,
                        const rg_render_options *opts, const char *output, rg_error *err) {
    rg_render_options o = *opts;
    int max_depth = o.max_depth == RG_DEPTH_STARTS ? 0 : o.max_depth <= 0 ? 3 : o.max_depth;
    if (o.too_many <= 0) o.too_many = 10;
    if (o.max_nodes == 0) o.max_nodes = RG_RENDER_MAX_NODES;
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
    for (size_t i = 0; i < (size_t)g->n; i++) depth[i] = -1; /* not seen */
    size_t head = 0, tail = 0, drawn = 0, nunique = 0;
    for (size_t i = 0; i < nstarts; i++)
        if (depth[starts[i]] < 0) depth[starts[i]] = 0, nunique++;
    for (size_t i = 0; i < nstarts; i++) depth[starts[i]] = -1;
    size_t max_starts = o.max_nodes / 4 ? o.max_nodes / 4 : 1;
    size_t take = nunique < max_starts ? nunique : max_starts;
    /* the k-th of the unique starts is taken when it is the first at or after k * nunique / take */
    size_t k = 0, next = 0;
    int failed = 0; /* out of memory: the walk stops, the drawing fails, no note */
    for (size_t i = 0, u = 0; i < nstarts && k < take && !failed; i++) {
        uint32_t s0 = starts[i];
        if (depth[s0] >= 0) continue;
        depth[s0] = 0;
        if (u++ < next) continue;
        k++;
        next = (size_t)((unsigned long long)k * nunique / take);
        failed = rg_drawing_node(d, s0, 0, RG_DRAW_START) != 0;
        drawn++;
        queue[tail++] = s0;
    }
    for (size_t i = 0; i < nstarts; i++) /* the starts left out are walked from no more */
        if (!rg_drawing_has(d, starts[i])) depth[starts[i]] = -1;
    if (take < nunique && !failed)
        note(&o, "started from %zu of the %zu objects named, evenly spaced: name fewer, or raise --max-nodes "
                 "(a quarter of it may be start objects)",
             take, nunique);
    while (head < tail && !failed) {
        uint32_t v = queue[head++];
        if (depth[v] >= max_depth) continue;
        if (depth[v] > 0 && (id_in(g, v, o.stop_ids) || type_in(g, v, o.stop_types))) continue; /* starts expand */
        int v_drawn = rg_drawing_has(d, v);
        uint32_t first = o.backrefs ? g->back_start[v] : g->ref_start[v];
        uint32_t last = o.backrefs ? g->back_start[v + 1] : g->ref_start[v + 1];
        uint32_t shown = 0, hidden = 0;
        for (uint32_t k2 = first; k2 < last; k2++) {
            uint32_t e = o.backrefs ? g->back_edge[k2] : k2;
            uint32_t w = o.backrefs ? g->back_src[k2] : g->ref_target[k2];
            if (!allowed(g, &o, w, e)) continue;
            if (shown == (uint32_t)o.too_many) {
                hidden++;
                continue;
            }
            shown++;
            if (depth[w] < 0) {
                depth[w] = depth[v] + 1;
                queue[tail++] = w;
                if (v_drawn && drawn < o.max_nodes) {
                    failed |= rg_drawing_node(d, w, depth[v] + 1, 0) != 0;
                    drawn++;
                }
            }
            if (v_drawn && rg_drawing_has(d, w)) rg_drawing_edge(d, e, 0);
        }
        if (hidden && v_drawn) rg_drawing_more(d, v, hidden, o.backrefs);
    }
    if (tail > drawn && !failed)
        note(&o, "drew %zu of the %zu objects within --max-depth %d, the nearest first: --max-nodes %zu draws "
                 "them all",
             drawn, tail, max_depth, tail);
    free(queue);
    free(depth);
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
