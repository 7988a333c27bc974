/* steps.c — what changed between two dumps of one heap (refgraph/steps.h). */
#include <stdlib.h>
#include <string.h>

#include "refgraph/steps.h"

void rg_step_diff_free(rg_step_diff *d) {
    free(d->mark);
    free(d->old_rc);
    free(d->freed);
    rg_match_free(&d->match);
    memset(d, 0, sizeof *d);
}

int rg_step_diff_compute(const rg_graph *old, const uint8_t *old_reach, const rg_graph *cur, const uint8_t *cur_reach,
                         rg_step_diff *out) {
    memset(out, 0, sizeof *out);
    size_t n = (size_t)cur->n + 1, no = old ? (size_t)old->n + 1 : 1;
    out->mark = calloc(n, sizeof *out->mark);
    out->old_rc = malloc(n * sizeof *out->old_rc);
    out->freed = malloc(no * sizeof *out->freed);
    if (!out->mark || !out->old_rc || !out->freed || (old && rg_match_init(&out->match, old, cur))) {
        rg_step_diff_free(out);
        return RG_ENOMEM;
    }
    for (uint32_t i = 0; i < cur->n; i++) { /* bound: the newer dump's objects */
        out->old_rc[i] = cur->refcount[i];
        if (!old) continue;
        uint32_t o = out->match.old_of[i];
        if (o == RG_NONE) {
            out->mark[i] = RG_STEP_NEW;
            continue;
        }
        out->old_rc[i] = old->refcount[o];
        if (old->refcount[o] != cur->refcount[i]) {
            out->mark[i] |= RG_STEP_RC;
            out->nrc++;
        }
        if (old_reach[o] && !cur_reach[i]) {
            out->mark[i] |= RG_STEP_LOST;
            out->nlost++;
        }
    }
    for (uint32_t i = 0; old && i < old->n; i++) /* bound: the older dump's objects */
        if (out->match.cur_of[i] == RG_NONE) out->freed[out->nfreed++] = i;
    out->nnew = out->match.nnew;
    out->new_bytes = out->match.new_bytes;
    out->freed_bytes = out->match.freed_bytes;
    return 0;
}
