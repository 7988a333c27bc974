/* summary.c — what the commands report about a whole dump, computed here
 * so that a command only prints: the analysis every command starts from,
 * the heap's own objects, the garbage grouped by the cycle that keeps it
 * alive, the counters of `info`, the types of a set of objects. */
#include <stdlib.h>
#include <string.h>

#include "refgraph/analysis.h"

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

int rg_graph_heap_owned(const rg_graph *g, uint32_t i) {
    return (g->flags[i] & RG_GF_STATIC) || (g->header.garbage_id && g->id[i] == g->header.garbage_id);
}

static int by_group_bytes(const void *x, const void *y) {
    const rg_garbage_group *a = x, *b = y;
    if (a->bytes != b->bytes) return a->bytes < b->bytes ? 1 : -1;
    return a->comp < b->comp ? -1 : a->comp > b->comp;
}

void rg_garbage_free(rg_garbage *gb) {
    free(gb->groups);
    free(gb->group);
    memset(gb, 0, sizeof *gb);
}

int rg_garbage_find(const rg_graph *g, const rg_analysis *an, rg_finder *f, rg_garbage *out) {
    memset(out, 0, sizeof *out);
    const rg_scc *s = &an->scc;
    const uint8_t *reach = an->reach;
    /* source components of the garbage: no strong reference from other garbage */
    uint8_t *fed = calloc((size_t)s->ncomp + 1, 1);
    uint32_t *rank = malloc(((size_t)s->ncomp + 1) * sizeof *rank);
    uint32_t *src = malloc(((size_t)s->ncomp + 1) * sizeof *src);
    out->group = malloc(((size_t)g->n + 1) * sizeof *out->group);
    out->groups = calloc((size_t)s->ncomp + 1, sizeof *out->groups);
    if (!fed || !rank || !src || !out->group || !out->groups) {
        free(fed);
        free(rank);
        free(src);
        rg_garbage_free(out);
        return RG_ENOMEM;
    }
    for (uint32_t v = 0; v < g->n; v++) {
        out->group[v] = RG_NONE;
        if (reach[v]) continue;
        out->objects++;
        out->bytes = rg_sat_add(out->bytes, g->size[v]);
        for (uint32_t e = g->ref_start[v]; e < g->ref_start[v + 1]; e++) {
            uint32_t w = g->ref_target[e];
            if (!(g->ref_label[e] & RG_EDGE_WEAK) && s->comp[w] != s->comp[v]) fed[s->comp[w]] = 1;
        }
    }
    /* each garbage object joins the first source that reaches it (breadth-first) */
    size_t ng = 0;
    uint32_t *queue = f->queue;
    for (uint32_t k = 0; k < s->ncomp; k++) {
        uint32_t m = f->members[f->comp_start[k]];
        if (reach[m] || fed[k] || out->group[m] != RG_NONE) continue;
        rg_garbage_group *gr = &out->groups[ng];
        gr->comp = k;
        uint32_t head = 0, tail = 0;
        for (uint32_t j = f->comp_start[k]; j < f->comp_start[k + 1]; j++) {
            out->group[f->members[j]] = (uint32_t)ng;
            queue[tail++] = f->members[j];
        }
        while (head < tail) { /* bound: each object joins one group, queued once (group set) */
            uint32_t v = queue[head++];
            gr->objects++;
            gr->bytes = rg_sat_add(gr->bytes, g->size[v]);
            for (uint32_t e = g->ref_start[v]; e < g->ref_start[v + 1]; e++) {
                uint32_t w = g->ref_target[e];
                if ((g->ref_label[e] & RG_EDGE_WEAK) || reach[w] || out->group[w] != RG_NONE) continue;
                out->group[w] = (uint32_t)ng;
                queue[tail++] = w;
            }
        }
        ng++;
    }
    out->ngroups = ng;
    /* each object's group, renumbered in the sorted order: src[i] is the
     * source of unsorted group i, rank[comp] the sorted place of a source */
    for (size_t i = 0; i < ng; i++) src[i] = out->groups[i].comp;
    qsort(out->groups, ng, sizeof *out->groups, by_group_bytes);
    for (size_t i = 0; i < ng; i++) rank[out->groups[i].comp] = (uint32_t)i;
    for (uint32_t v = 0; v < g->n; v++)
        if (out->group[v] != RG_NONE) out->group[v] = rank[src[out->group[v]]];
    free(fed);
    free(rank);
    free(src);
    return 0;
}

void rg_graph_count(const rg_graph *g, const rg_analysis *an, rg_counts *out) {
    memset(out, 0, sizeof *out);
    for (uint32_t i = 0; i < g->n; i++) {
        int8_t gen = g->gen[i];
        if (gen == RG_DUMP_UNTRACKED)
            out->untracked++;
        else if (gen == RG_DUMP_FROZEN)
            out->frozen++;
        else if (gen >= 0 && gen <= 2)
            out->gen[gen]++;
        if (!an->reach[i]) {
            out->unreachable++;
            out->unreachable_bytes = rg_sat_add(out->unreachable_bytes, g->size[i]);
        }
        if (an->external[i] > 0 && !rg_graph_heap_owned(g, i)) out->held_outside++;
    }
    for (uint32_t e = 0; e < g->nrefs; e++) out->weak_refs += (g->ref_label[e] & RG_EDGE_WEAK) != 0;
    for (uint32_t c = 0; c < an->scc.ncomp; c++) {
        if (!an->scc.cyclic[c]) continue;
        out->cycles++;
        out->cycle_objects += an->scc.size[c];
        out->cycle_bytes = rg_sat_add(out->cycle_bytes, an->scc.bytes[c]);
    }
    for (uint32_t f = 0; f < g->nframes; f++) out->locals += g->frames[f].nlocals;
    uint32_t garbage = g->header.garbage_id ? rg_graph_find(g, g->header.garbage_id) : RG_NONE;
    out->garbage_list = garbage == RG_NONE ? 0 : g->ref_start[garbage + 1] - g->ref_start[garbage];
}

static int by_type_count(const void *x, const void *y) {
    const rg_type_count *a = x, *b = y;
    if (a->count != b->count) return a->count < b->count ? 1 : -1;
    return a->first < b->first ? -1 : a->first > b->first;
}

uint32_t rg_count_types(const rg_graph *g, const uint32_t *objs, uint32_t nobjs, uint32_t *slot,
                        rg_type_count *out) {
    uint32_t nt = 0;
    for (uint32_t k = 0; k < nobjs; k++) { /* bound: the objects given */
        uint32_t t = g->type[objs[k]];
        if (slot[t] == RG_NONE) {
            slot[t] = nt;
            out[nt] = (rg_type_count){t, 0, nt};
            nt++;
        }
        out[slot[t]].count++;
    }
    for (uint32_t i = 0; i < nt; i++) slot[out[i].type] = RG_NONE; /* ready for the next */
    qsort(out, nt, sizeof *out, by_type_count);
    return nt;
}
