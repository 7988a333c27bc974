/* graph.c — freeing a graph and writing it back as a dump. */
#include <stdlib.h>

#include "graph_internal.h"

void rg_graph_free(rg_graph *g) {
    if (!g) return;
    graph_priv *p = g->priv;
    if (p) {
        while (p->blocks) { /* bound: the list of blocks, each freed once */
            arena_block *next = p->blocks->next;
            free(p->blocks);
            p->blocks = next;
        }
        free(p->hashes);
        free(p->itab);
        free(p->direct);
        free(p->hkeys);
        free(p->hvals);
        free(p->sorted);
        free(p);
    }
    void *arrays[] = {g->id, g->type, g->size, g->refcount, g->gen, g->flags, g->label, g->label_len,
                      g->ref_start, g->ref_target, g->ref_label, g->back_start, g->back_src, g->back_edge,
                      g->global_name, g->global_obj, g->str, g->header_strings, (void *)g->source};
    for (size_t i = 0; i < sizeof arrays / sizeof *arrays; i++) free(arrays[i]);
    for (uint32_t f = 0; f < g->nframes; f++) {
        free(g->frames[f].local_name);
        free(g->frames[f].local_obj);
    }
    free(g->frames);
    free(g);
}

static rg_dump_str dstr(const rg_graph *g, uint32_t s) { return (rg_dump_str){g->str[s].ptr, g->str[s].len}; }

int rg_graph_write(const rg_graph *g, const char *path, rg_error *err) {
    rg_dump_writer *w = rg_dump_writer_open(path, err);
    if (!w) return err && err->code ? err->code : RG_EIO;
    int rc = rg_dump_write_header(w, &g->header);
    for (uint32_t i = 0; !rc && i < g->n; i++) {
        rg_dump_object o = {
            .id = g->id[i],
            .type = dstr(g, g->type[i]),
            .size = g->size[i],
            .refcount = g->refcount[i],
            .gen = g->gen[i],
            .finalized = (g->flags[i] & RG_GF_FINALIZED) != 0,
            .garbage = (g->flags[i] & RG_GF_GARBAGE) != 0,
            .is_static = (g->flags[i] & RG_GF_STATIC) != 0,
            .label = dstr(g, g->label[i]),
            .label_len = g->label_len[i],
        };
        rc = rg_dump_object_begin(w, &o);
        for (uint32_t e = g->ref_start[i]; !rc && e < g->ref_start[i + 1]; e++) {
            rg_dump_ref ref = {g->id[g->ref_target[e]], dstr(g, RG_EDGE_LABEL(g->ref_label[e])),
                               (g->ref_label[e] & RG_EDGE_WEAK) != 0};
            rc = rg_dump_object_ref(w, &ref);
        }
        if (!rc) rc = rg_dump_object_end(w);
    }
    for (uint32_t i = 0; !rc && i < g->nglobals; i++)
        rc = rg_dump_write_global(w, dstr(g, g->global_name[i]), g->id[g->global_obj[i]]);
    for (uint32_t f = 0; !rc && f < g->nframes; f++) {
        const rg_graph_frame *fr = &g->frames[f];
        rc = rg_dump_frame_begin(w, dstr(g, fr->name), fr->depth);
        for (uint32_t k = 0; !rc && k < fr->nlocals; k++)
            rc = rg_dump_frame_local(w, dstr(g, fr->local_name[k]), g->id[fr->local_obj[k]]);
        if (!rc) rc = rg_dump_frame_end(w);
    }
    if (rc) {
        rg_dump_writer_close(w, err);
        return rc;
    }
    return rg_dump_writer_close(w, err);
}

void rg_graph_get_memory(const rg_graph *g, rg_graph_memory *out) {
    const graph_priv *p = g->priv;
    size_t n = g->n, e = g->nrefs;
    out->objects = n * (sizeof *g->id + sizeof *g->type + sizeof *g->size + sizeof *g->refcount + sizeof *g->gen +
                        sizeof *g->flags + sizeof *g->label + sizeof *g->label_len) +
                   2 * (n + 1) * sizeof *g->ref_start + /* ref_start and back_start */
                   (size_t)p->direct_len * sizeof *p->direct + p->hcap * (sizeof *p->hkeys + sizeof *p->hvals) +
                   p->nsorted * sizeof *p->sorted;
    out->refs = e * (sizeof *g->ref_target + sizeof *g->ref_label + sizeof *g->back_src + sizeof *g->back_edge);
    out->strings = (size_t)g->nstr * sizeof *g->str;
    for (const arena_block *b = p->blocks; b; b = b->next) out->strings += sizeof *b; /* headers */
    size_t arena = 0;
    for (uint32_t i = 0; i < g->nstr; i++) arena += g->str[i].len;
    out->strings += arena;
    out->roots = (size_t)g->nglobals * 8 + (size_t)g->nframes * sizeof *g->frames;
    for (uint32_t f = 0; f < g->nframes; f++) out->roots += (size_t)g->frames[f].nlocals * 8;
}
