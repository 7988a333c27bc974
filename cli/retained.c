/* retained.c — what the commands about retained sizes share: a dump loaded
 * with its analysis and dominator tree, the largest retainers, and the
 * objects whose retained size grew between two dumps. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void cli_heap_free(cli_heap *h) {
    rg_dom_free(&h->dom);
    rg_finder_free(&h->f);
    rg_analysis_free(&h->an);
    free(h->root);
    free(h->scratch);
    rg_graph_free(h->g);
    memset(h, 0, sizeof *h);
}

int cli_heap_load(cli_heap *h, const char *path) {
    memset(h, 0, sizeof *h);
    if (!(h->g = cli_load(path))) return EXIT_INPUT;
    if (cli_heap_analyze(h)) return EXIT_INPUT;
    return 0;
}

int cli_heap_analyze(cli_heap *h) {
    if (rg_analyze(h->g, &h->an) || rg_finder_init(&h->f, h->g, &h->an.scc) || !(h->root = rg_root_index(h->g)) ||
        !(h->scratch = malloc(((size_t)h->g->n + 1) * sizeof *h->scratch)) || rg_dominators(h->g, &h->dom)) {
        cli_error("out of memory");
        return -1;
    }
    return 0;
}

const char *cli_root_kind(const cli_heap *h, uint32_t first) {
    return h->root[first] > 0 ? "global" : h->root[first] < 0 ? "local" : "outside";
}

/* ---- the largest retainers -------------------------------------------------------------- */

static const rg_graph *cmp_g;
static const uint64_t *cmp_key;

static int bigger_first(uint32_t a, uint32_t b) { /* 1 when a goes before b */
    if (cmp_key[a] != cmp_key[b]) return cmp_key[a] > cmp_key[b];
    return cmp_g->id[a] < cmp_g->id[b];
}

static int by_key(const void *x, const void *y) {
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return a == b ? 0 : bigger_first(a, b) ? -1 : 1;
}

uint32_t *cli_largest(const rg_graph *g, const uint64_t *key, const uint8_t *skip, size_t k, size_t *count) {
    size_t n = g->n, m = 0;
    cmp_g = g;
    cmp_key = key;
    if (k == 0 || k > n) k = n;
    uint32_t *top = malloc((k + 1) * sizeof *top);
    if (!top) return NULL;
    /* a min-heap of the k best so far (the worst at the top): O(n log k) */
    for (uint32_t v = 0; v < n; v++) {
        if (skip && skip[v]) continue;
        if (m < k) { /* sift up */
            size_t i = m++;
            while (i > 0 && bigger_first(top[(i - 1) / 2], v)) {
                top[i] = top[(i - 1) / 2];
                i = (i - 1) / 2;
            }
            top[i] = v;
        } else if (bigger_first(v, top[0])) { /* replace the worst, sift down */
            size_t i = 0;
            for (;;) {
                size_t l = 2 * i + 1, r = l + 1, w = i;
                uint32_t wv = v;
                if (l < m && bigger_first(wv, top[l])) {
                    w = l;
                    wv = top[l];
                }
                if (r < m && bigger_first(wv, top[r])) w = r;
                if (w == i) break;
                top[i] = top[w];
                i = w;
            }
            top[i] = v;
        }
    }
    qsort(top, m, sizeof *top, by_key);
    *count = m;
    return top;
}
