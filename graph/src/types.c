/* types.c — types by name: the exact type a user names, the closest ones
 * when no object has it ("did you mean"), and the objects of a type. */
#include <stdlib.h>
#include <string.h>

#include "refgraph/analysis.h"

/* Which strings are some object's type: [nstr], new memory or NULL. */
static uint8_t *used_types(const rg_graph *g) {
    uint8_t *used = calloc((size_t)g->nstr + 1, 1);
    if (!used) return NULL;
    for (uint32_t i = 0; i < g->n; i++) used[g->type[i]] = 1;
    return used;
}

uint32_t rg_type_find(const rg_graph *g, const char *name, size_t len) {
    /* the interned string first (one per text), then whether an object has it */
    uint32_t s = RG_NONE;
    for (uint32_t k = 0; k < g->nstr && s == RG_NONE; k++)
        if (g->str[k].len == len && memcmp(g->str[k].ptr, name, len) == 0) s = k;
    if (s == RG_NONE) return RG_NONE;
    for (uint32_t i = 0; i < g->n; i++)
        if (g->type[i] == s) return s;
    return RG_NONE;
}

static unsigned char lower(unsigned char c) { return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c; }

/* Whether a (la bytes) starts with b (lb bytes), ignoring ASCII case. */
static int iprefix(const char *a, size_t la, const char *b, size_t lb) {
    if (lb > la) return 0;
    for (size_t i = 0; i < lb; i++)
        if (lower((unsigned char)a[i]) != lower((unsigned char)b[i])) return 0;
    return 1;
}

/* Case-insensitive Levenshtein distance, or limit + 1 when it exceeds
 * limit (two rows of la + 1; a row's minimum above limit ends early). */
static size_t distance(const char *a, size_t la, const char *b, size_t lb, size_t limit, size_t *row0, size_t *row1) {
    if ((la > lb ? la - lb : lb - la) > limit) return limit + 1;
    for (size_t i = 0; i <= la; i++) row0[i] = i;
    for (size_t j = 1; j <= lb; j++) {
        row1[0] = j;
        size_t best = row1[0];
        for (size_t i = 1; i <= la; i++) {
            size_t sub = row0[i - 1] + (lower((unsigned char)a[i - 1]) != lower((unsigned char)b[j - 1]));
            size_t del = row0[i] + 1, ins = row1[i - 1] + 1;
            size_t d = sub < del ? sub : del;
            row1[i] = d < ins ? d : ins;
            if (row1[i] < best) best = row1[i];
        }
        if (best > limit) return limit + 1;
        size_t *t = row0;
        row0 = row1;
        row1 = t;
    }
    return row0[la];
}

typedef struct cand {
    uint32_t s;
    size_t score;
} cand;

#define SUGGEST_MAX_LEN 256 /* names longer than this are compared by prefix only */

int rg_names_suggest(const rg_gstr *names, uint32_t n, const uint8_t *use, const char *name, size_t len,
                     uint32_t *out, size_t max) {
    cand *best = calloc(max + 1, sizeof *best);
    size_t *rows = malloc(2 * (SUGGEST_MAX_LEN + 1) * sizeof *rows);
    if (!best || !rows) {
        free(best);
        free(rows);
        return -1;
    }
    size_t limit = len / 3 > 2 ? len / 3 : 2, nb = 0;
    for (uint32_t k = 0; k < n; k++) {
        if (use && !use[k]) continue;
        rg_gstr t = names[k];
        size_t score;
        if (len && (iprefix(t.ptr, t.len, name, len) || iprefix(name, len, t.ptr, t.len)))
            score = t.len == len ? 0 : 1; /* the same but for case, or a prefix */
        else if (len <= SUGGEST_MAX_LEN && t.len <= SUGGEST_MAX_LEN) {
            size_t d = distance(name, len, t.ptr, t.len, limit, rows, rows + SUGGEST_MAX_LEN + 1);
            if (d > limit) continue;
            score = d + 1;
        } else
            continue;
        /* insert into the best max, by score then name */
        size_t at = nb;
        while (at > 0) { /* bound: at most max places */
            cand *c = &best[at - 1];
            rg_gstr ct = names[c->s];
            size_t m = ct.len < t.len ? ct.len : t.len;
            int cmp = memcmp(ct.ptr, t.ptr, m);
            int before = c->score < score || (c->score == score && (cmp < 0 || (cmp == 0 && ct.len <= t.len)));
            if (before) break;
            at--;
        }
        if (at >= max) continue;
        size_t last = nb < max ? nb : max - 1;
        memmove(&best[at + 1], &best[at], (last - at) * sizeof *best);
        best[at] = (cand){k, score};
        if (nb < max) nb++;
    }
    /* only the closest: at most one step further than the best */
    while (nb > 1 && best[nb - 1].score > best[0].score + 1) nb--; /* bound: nb shrinks */
    for (size_t i = 0; i < nb; i++) out[i] = best[i].s;
    free(best);
    free(rows);
    return (int)nb;
}

int rg_type_suggest(const rg_graph *g, const char *name, size_t len, uint32_t *out, size_t max) {
    uint8_t *used = used_types(g);
    if (!used) return -1;
    int k = rg_names_suggest(g->str, g->nstr, used, name, len, out, max);
    free(used);
    return k;
}

uint32_t *rg_objects_of_type(const rg_graph *g, uint32_t type, size_t *count) {
    size_t n = 0;
    for (uint32_t i = 0; i < g->n; i++) n += g->type[i] == type;
    uint32_t *out = malloc((n + 1) * sizeof *out);
    if (!out) return NULL;
    n = 0;
    for (uint32_t i = 0; i < g->n; i++)
        if (g->type[i] == type) out[n++] = i;
    *count = n;
    return out;
}
