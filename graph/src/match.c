/* match.c — which object of one dump is which of another's, and what
 * changed (refgraph/match.h). */
#include <stdlib.h>
#include <string.h>

#include "refgraph/match.h"

int rg_ids_reusable(const rg_graph *g) { return g->header.ids != NULL; }

int rg_match_in_order(const rg_graph *old, const rg_graph *cur) {
    if (rg_ids_reusable(old) || rg_ids_reusable(cur)) return 1;
    return cur->header.max_id >= old->header.max_id;
}

void rg_match_free(rg_match *m) {
    free(m->old_of);
    free(m->cur_of);
    memset(m, 0, sizeof *m);
}

int rg_match_init(rg_match *out, const rg_graph *old, const rg_graph *cur) {
    memset(out, 0, sizeof *out);
    out->old_of = malloc(((size_t)cur->n + 1) * sizeof *out->old_of);
    out->cur_of = malloc(((size_t)old->n + 1) * sizeof *out->cur_of);
    if (!out->old_of || !out->cur_of) {
        rg_match_free(out);
        return RG_ENOMEM;
    }
    int ro = rg_ids_reusable(old), rc = rg_ids_reusable(cur);
    out->reusable = ro || rc;
    out->mixed = ro != rc;
    memset(out->cur_of, 0xff, ((size_t)old->n + 1) * sizeof *out->cur_of);
    for (uint32_t i = 0; i < cur->n; i++) { /* bound: the newer dump's objects */
        uint64_t id = cur->id[i];
        /* sequence ids: an id above the older dump's max_id was assigned after it */
        uint32_t o = !out->reusable && id > old->header.max_id ? RG_NONE : rg_graph_find(old, id);
        if (o != RG_NONE && out->reusable &&
            (old->size[o] != cur->size[i] || !rg_gstr_eq(old->str[old->type[o]], cur->str[cur->type[i]].ptr, cur->str[cur->type[i]].len))) {
            o = RG_NONE; /* the id was reused by another object */
            out->nreused++;
        }
        out->old_of[i] = o;
        if (o != RG_NONE) {
            out->cur_of[o] = i;
        } else {
            out->nnew++;
            out->new_bytes = rg_sat_add(out->new_bytes, cur->size[i]);
        }
    }
    for (uint32_t o = 0; o < old->n; o++) { /* bound: the older dump's objects */
        if (out->cur_of[o] != RG_NONE) continue;
        out->nfreed++;
        out->freed_bytes = rg_sat_add(out->freed_bytes, old->size[o]);
    }
    return 0;
}

void rg_changes_free(rg_changes *c) {
    free(c->mark);
    free(c->new_cycles);
    free(c->vanished_cycles);
    free(c->lost_cycles);
    free(c->found_cycles);
    memset(c, 0, sizeof *c);
}

/* Component flags while computing. */
#define F_OTHER_CYCLE 0x1u /* a member's counterpart is in a cycle of the other dump */
#define F_WAS_REACH 0x2u   /* (cur) a member's counterpart was reachable in old */
#define F_WAS_UNREACH 0x4u /* (cur) a member's counterpart was unreachable in old */

int rg_changes_compute(const rg_match *m, const rg_scc *old_scc, const uint8_t *old_reach, const rg_graph *cur,
                       const rg_scc *cur_scc, const uint8_t *cur_reach, rg_changes *out) {
    memset(out, 0, sizeof *out);
    size_t nc = (size_t)cur_scc->ncomp + 1, no = (size_t)old_scc->ncomp + 1;
    uint8_t *cf = calloc(nc, 1), *of = calloc(no, 1);
    uint32_t *first = malloc(nc * sizeof *first); /* a member of each of cur's components */
    out->mark = calloc((size_t)cur->n + 1, 1);
    out->new_cycles = malloc(nc * sizeof *out->new_cycles);
    out->lost_cycles = malloc(nc * sizeof *out->lost_cycles);
    out->found_cycles = malloc(nc * sizeof *out->found_cycles);
    out->vanished_cycles = malloc(no * sizeof *out->vanished_cycles);
    if (!cf || !of || !first || !out->mark || !out->new_cycles || !out->lost_cycles || !out->found_cycles ||
        !out->vanished_cycles) {
        free(cf);
        free(of);
        free(first);
        rg_changes_free(out);
        return RG_ENOMEM;
    }
    for (uint32_t i = 0; i < cur->n; i++) { /* bound: the newer dump's objects */
        uint32_t o = m->old_of[i], c = cur_scc->comp[i];
        if (o == RG_NONE) {
            out->mark[i] = RG_CHANGE_NEW;
            continue;
        }
        uint32_t oc = old_scc->comp[o];
        if (old_scc->cyclic[oc] && cur_scc->cyclic[c]) {
            cf[c] |= F_OTHER_CYCLE;
            of[oc] |= F_OTHER_CYCLE;
        }
        cf[c] |= old_reach[o] ? F_WAS_REACH : F_WAS_UNREACH;
        if (old_reach[o] && !cur_reach[i]) {
            out->mark[i] = RG_CHANGE_LOST;
            out->nlost++;
            out->lost_bytes = rg_sat_add(out->lost_bytes, cur->size[i]);
        } else if (!old_reach[o] && cur_reach[i]) {
            out->mark[i] = RG_CHANGE_FOUND;
            out->nfound++;
            out->found_bytes = rg_sat_add(out->found_bytes, cur->size[i]);
        }
    }
    /* reachability is the same for every member of a component (each
     * reaches all the others over strong references): one member's tells */
    memset(first, 0xff, nc * sizeof *first);
    for (uint32_t i = 0; i < cur->n; i++) /* bound: the newer dump's objects */
        if (first[cur_scc->comp[i]] == RG_NONE) first[cur_scc->comp[i]] = i;
    for (uint32_t c = 0; c < cur_scc->ncomp; c++) { /* bound: the newer dump's components */
        if (!cur_scc->cyclic[c]) continue;
        if (!(cf[c] & F_OTHER_CYCLE)) out->new_cycles[out->nnew_cycles++] = c;
        int reach = first[c] != RG_NONE && cur_reach[first[c]];
        if (!reach && (cf[c] & F_WAS_REACH)) out->lost_cycles[out->nlost_cycles++] = c;
        if (reach && (cf[c] & F_WAS_UNREACH)) out->found_cycles[out->nfound_cycles++] = c;
    }
    for (uint32_t c = 0; c < old_scc->ncomp; c++) /* bound: the older dump's components */
        if (old_scc->cyclic[c] && !(of[c] & F_OTHER_CYCLE)) out->vanished_cycles[out->nvanished_cycles++] = c;
    free(first);
    free(cf);
    free(of);
    return 0;
}
