/* analysis.c — components and reachability, without recursion. */
#include <stdlib.h>
#include <string.h>

#include "refgraph/analysis.h"

#define UNSEEN UINT32_MAX

int rg_graph_scc(const rg_graph *g, rg_scc *out) {
    memset(out, 0, sizeof *out);
    uint32_t n = g->n;
    uint32_t *index = malloc(((size_t)n + 1) * sizeof *index);
    uint32_t *low = malloc(((size_t)n + 1) * sizeof *low);
    uint32_t *stack = malloc(((size_t)n + 1) * sizeof *stack);      /* Tarjan's stack */
    uint32_t *call_v = malloc(((size_t)n + 1) * sizeof *call_v);    /* the explicit call stack: */
    uint32_t *call_e = malloc(((size_t)n + 1) * sizeof *call_e);    /* node, next edge to look at */
    uint8_t *on_stack = calloc((size_t)n + 1, 1);
    out->comp = malloc(((size_t)n + 1) * sizeof *out->comp);
    if (!index || !low || !stack || !call_v || !call_e || !on_stack || !out->comp) goto nomem;
    memset(index, 0xff, (size_t)n * sizeof *index);
    uint32_t counter = 0, sp = 0, csp = 0, ncomp = 0;
    for (uint32_t root = 0; root < n; root++) {
        if (index[root] != UNSEEN) continue;
        index[root] = low[root] = counter++;
        stack[sp++] = root;
        on_stack[root] = 1;
        call_v[csp] = root;
        call_e[csp++] = g->ref_start[root];
        while (csp) {
            uint32_t v = call_v[csp - 1], e = call_e[csp - 1];
            if (e < g->ref_start[v + 1]) {
                call_e[csp - 1] = e + 1;
                if (g->ref_label[e] & RG_EDGE_WEAK) continue;
                uint32_t w = g->ref_target[e];
                if (index[w] == UNSEEN) {
                    index[w] = low[w] = counter++;
                    stack[sp++] = w;
                    on_stack[w] = 1;
                    call_v[csp] = w;
                    call_e[csp++] = g->ref_start[w];
                } else if (on_stack[w] && index[w] < low[v]) {
                    low[v] = index[w];
                }
                continue;
            }
            csp--;
            if (low[v] == index[v]) {
                uint32_t w;
                do {
                    w = stack[--sp];
                    on_stack[w] = 0;
                    out->comp[w] = ncomp;
                } while (w != v);
                ncomp++;
            }
            if (csp) {
                uint32_t u = call_v[csp - 1];
                if (low[v] < low[u]) low[u] = low[v];
            }
        }
    }
    free(index);
    free(low);
    free(stack);
    free(call_v);
    free(call_e);
    free(on_stack);
    index = low = stack = call_v = call_e = NULL;
    on_stack = NULL;
    out->ncomp = ncomp;
    out->size = calloc((size_t)ncomp + 1, sizeof *out->size);
    out->bytes = calloc((size_t)ncomp + 1, sizeof *out->bytes);
    out->cyclic = calloc((size_t)ncomp + 1, 1);
    if (!out->size || !out->bytes || !out->cyclic) goto nomem;
    for (uint32_t v = 0; v < n; v++) {
        uint32_t c = out->comp[v];
        out->size[c]++;
        out->bytes[c] += g->size[v];
    }
    for (uint32_t v = 0; v < n; v++) {
        uint32_t c = out->comp[v];
        if (out->size[c] > 1) {
            out->cyclic[c] = 1;
            continue;
        }
        for (uint32_t e = g->ref_start[v]; e < g->ref_start[v + 1]; e++)
            if (g->ref_target[e] == v && !(g->ref_label[e] & RG_EDGE_WEAK)) out->cyclic[c] = 1;
    }
    return 0;
nomem:
    free(index);
    free(low);
    free(stack);
    free(call_v);
    free(call_e);
    free(on_stack);
    rg_scc_free(out);
    return RG_ENOMEM;
}

void rg_scc_free(rg_scc *s) {
    free(s->comp);
    free(s->size);
    free(s->bytes);
    free(s->cyclic);
    memset(s, 0, sizeof *s);
}

int64_t *rg_graph_external(const rg_graph *g) {
    int64_t *ext = malloc(((size_t)g->n + 1) * sizeof *ext);
    if (!ext) return NULL;
    for (uint32_t i = 0; i < g->n; i++) ext[i] = g->refcount[i];
    for (uint32_t e = 0; e < g->nrefs; e++)
        if (!(g->ref_label[e] & RG_EDGE_WEAK)) ext[g->ref_target[e]]--;
    for (uint32_t i = 0; i < g->nglobals; i++) ext[g->global_obj[i]]--;
    for (uint32_t f = 0; f < g->nframes; f++)
        for (uint32_t k = 0; k < g->frames[f].nlocals; k++) ext[g->frames[f].local_obj[k]]--;
    for (uint32_t i = 0; i < g->n; i++)
        if (ext[i] < 0) ext[i] = 0;
    return ext;
}

int rg_graph_reachable(const rg_graph *g, const int64_t *external, uint8_t *reach) {
    int64_t *own = NULL;
    if (!external) {
        external = own = rg_graph_external(g);
        if (!own) return RG_ENOMEM;
    }
    uint32_t *queue = malloc(((size_t)g->n + 1) * sizeof *queue);
    if (!queue) {
        free(own);
        return RG_ENOMEM;
    }
    memset(reach, 0, g->n);
    uint32_t head = 0, tail = 0;
#define VISIT(v)                       \
    do {                               \
        uint32_t v_ = (v);             \
        if (!reach[v_]) {              \
            reach[v_] = 1;             \
            queue[tail++] = v_;        \
        }                              \
    } while (0)
    for (uint32_t i = 0; i < g->nglobals; i++) VISIT(g->global_obj[i]);
    for (uint32_t f = 0; f < g->nframes; f++)
        for (uint32_t k = 0; k < g->frames[f].nlocals; k++) VISIT(g->frames[f].local_obj[k]);
    for (uint32_t i = 0; i < g->n; i++)
        if (external[i] > 0) VISIT(i);
    while (head < tail) {
        uint32_t v = queue[head++];
        for (uint32_t e = g->ref_start[v]; e < g->ref_start[v + 1]; e++)
            if (!(g->ref_label[e] & RG_EDGE_WEAK)) VISIT(g->ref_target[e]);
    }
#undef VISIT
    free(queue);
    free(own);
    return 0;
}
