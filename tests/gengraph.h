/* gengraph.h — random dumps for the termination tests: random graphs of
 * any size, objects in random order or young ones first, random roots, a
 * giant component, deep and numerous frames, sparse or colliding ids.
 * Deterministic for a seed. Used by test_analysis.c and gen_dump.c. */
#ifndef RG_GENGRAPH_H
#define RG_GENGRAPH_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "refgraph/dump.h"

typedef struct gen_params {
    uint64_t seed;
    uint32_t n;          /* objects */
    uint32_t degree;     /* references per object: 0..2*degree */
    int giant;           /* a ring through every object: one giant component */
    int young_first;     /* generation 0 first, then old cycles (as the core writes) */
    int sparse_ids;      /* ids spread over 63 bits instead of 1..n */
    uint32_t nglobals;   /* roots */
    uint32_t nframes;    /* frames (deep when many): one local each */
    int huge_sizes;      /* sizes up to 2^63 - 1 */
} gen_params;

#define RG_NONE_LOCAL UINT32_MAX

static inline uint64_t gen_next(uint64_t *s) { /* splitmix64 */
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static inline uint32_t gen_below(uint64_t *s, uint32_t n) { return n ? (uint32_t)(gen_next(s) % n) : 0; }

static inline rg_dump_str gen_s(const char *p) { return (rg_dump_str){p, strlen(p)}; }

/* Writes a dump of a random graph to path; 0 or an error code. */
static inline int gen_write(const char *path, const gen_params *p) {
    uint64_t s = p->seed * 0x2545f4914f6cdd1dULL + 1;
    uint32_t n = p->n;
    uint64_t *id = malloc(((size_t)n + 1) * sizeof *id);
    uint32_t *order = malloc(((size_t)n + 1) * sizeof *order);
    int *gen = malloc(((size_t)n + 1) * sizeof *gen);
    uint32_t *nref = malloc(((size_t)n + 1) * sizeof *nref), *start = malloc(((size_t)n + 2) * sizeof *start);
    int64_t *indeg = calloc((size_t)n + 1, sizeof *indeg);
    if (!id || !order || !gen || !nref || !start || !indeg) return RG_ENOMEM;
    for (uint32_t i = 0; i < n; i++) {
        /* sparse: an odd multiplier is a bijection modulo 2^63, so ids stay unique */
        id[i] = p->sparse_ids ? (((uint64_t)i + 1) * 0x9e3779b97f4a7c15ULL) & (UINT64_MAX >> 1) : (uint64_t)i + 1;
        int r = (int)gen_below(&s, 10);
        gen[i] = r < 4 ? 0 : r < 6 ? 1 : r < 8 ? 2 : r < 9 ? RG_DUMP_FROZEN : RG_DUMP_UNTRACKED;
        order[i] = i;
    }
    for (uint32_t i = n; i > 1; i--) { /* random order */
        uint32_t j = gen_below(&s, i), t = order[i - 1];
        order[i - 1] = order[j];
        order[j] = t;
    }
    if (p->young_first) { /* stable: generation 0 first, the rest after */
        uint32_t k = 0;
        uint32_t *o2 = malloc(((size_t)n + 1) * sizeof *o2);
        if (!o2) return RG_ENOMEM;
        for (int pass = 0; pass < 2; pass++)
            for (uint32_t i = 0; i < n; i++)
                if ((gen[order[i]] == 0) == (pass == 0)) o2[k++] = order[i];
        memcpy(order, o2, (size_t)n * sizeof *o2);
        free(o2);
    }
    /* references: per object, a count, then targets drawn on writing */
    uint64_t total = 0;
    for (uint32_t i = 0; i < n; i++) {
        nref[i] = gen_below(&s, 2 * p->degree + 1) + (p->giant ? 1 : 0);
        start[i] = (uint32_t)total;
        total += nref[i];
    }
    start[n] = (uint32_t)total;
    uint32_t *tgt = malloc((total + 1) * sizeof *tgt);
    uint8_t *weak = malloc(total + 1);
    if (!tgt || !weak) return RG_ENOMEM;
    for (uint32_t i = 0; i < n; i++)
        for (uint32_t k = 0; k < nref[i]; k++) {
            uint32_t e = start[i] + k;
            tgt[e] = p->giant && k == 0 ? (i + 1) % n : gen_below(&s, n);
            weak[e] = !(p->giant && k == 0) && gen_below(&s, 10) == 0;
            if (!weak[e]) indeg[tgt[e]]++;
        }
    /* roots */
    uint32_t *glob = malloc(((size_t)p->nglobals + 1) * sizeof *glob);
    uint32_t *loc = malloc(((size_t)p->nframes + 1) * sizeof *loc);
    if (!glob || !loc) return RG_ENOMEM;
    for (uint32_t i = 0; i < p->nglobals && n; i++) indeg[glob[i] = gen_below(&s, n)]++;
    /* a deep stack: only the innermost frames (the last n) have a local */
    for (uint32_t i = 0; i < p->nframes && n; i++) {
        loc[i] = RG_NONE_LOCAL;
        if (p->nframes - i <= n) indeg[loc[i] = gen_below(&s, n)]++;
    }
    rg_error err = {0};
    rg_dump_writer *w = rg_dump_writer_open(path, &err);
    if (!w) return err.code ? err.code : RG_EIO;
    rg_dump_header h;
    memset(&h, 0, sizeof h);
    h.producer = "gengraph";
    h.producer_version = "1";
    h.created = "2026-01-01T00:00:00Z";
    h.heap_id = 0x6e6;
    h.live_objects = n;
    for (uint32_t i = 0; i < n; i++)
        if (id[i] > h.max_id) h.max_id = id[i];
    h.gc_enabled = 1;
    int rc = rg_dump_write_header(w, &h);
    char label[32], rl[32];
    for (uint32_t k = 0; !rc && k < n; k++) {
        uint32_t i = order[k];
        snprintf(label, sizeof label, "obj %u", i);
        static const char *const types[] = {"list", "dict", "tuple", "Node", "str", "function", "cell", "set"};
        rg_dump_object o = {id[i], gen_s(types[gen_below(&s, 8)]),
                            p->huge_sizes ? gen_next(&s) >> 1 : 16 + gen_below(&s, 1000),
                            indeg[i] + gen_below(&s, 2), gen[i], 0, 0, gen_s(label), 0};
        rc = rg_dump_object_begin(w, &o);
        for (uint32_t e = start[i]; !rc && e < start[i + 1]; e++) {
            snprintf(rl, sizeof rl, "[%u]", e - start[i]);
            rg_dump_ref r = {id[tgt[e]], gen_s(rl), weak[e]};
            rc = rg_dump_object_ref(w, &r);
        }
        if (!rc) rc = rg_dump_object_end(w);
    }
    for (uint32_t i = 0; !rc && i < p->nglobals && n; i++) {
        snprintf(label, sizeof label, "g%u", i);
        rc = rg_dump_write_global(w, gen_s(label), id[glob[i]]);
    }
    for (uint32_t f = 0; !rc && f < p->nframes && n; f++) {
        snprintf(label, sizeof label, "f%u", f);
        rc = rg_dump_frame_begin(w, gen_s(label), f);
        if (!rc && loc[f] != RG_NONE_LOCAL) rc = rg_dump_frame_local(w, gen_s("x"), id[loc[f]]);
        if (!rc) rc = rg_dump_frame_end(w);
    }
    if (rc)
        rg_dump_writer_abort(w);
    else
        rc = rg_dump_writer_close(w, &err);
    free(id);
    free(order);
    free(gen);
    free(nref);
    free(start);
    free(indeg);
    free(tgt);
    free(weak);
    free(glob);
    free(loc);
    return rc;
}

#endif
