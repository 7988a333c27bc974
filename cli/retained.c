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
        cli_nomem();
        return -1;
    }
    return 0;
}

const char *cli_root_kind(const cli_heap *h, uint32_t first) {
    return h->root[first].kind == RG_ROOT_GLOBAL ? "global" : h->root[first].kind == RG_ROOT_LOCAL ? "local" : "outside";
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

uint64_t *cli_cycle_retained(const rg_graph *g, const rg_scc *scc) {
    rg_scc_dom sd;
    if (rg_scc_dominators(g, scc, &sd)) return NULL;
    uint64_t *r = sd.retained;
    free(sd.idom);
    return r;
}

/* ---- growth between two dumps ------------------------------------------------------------- */

int cli_print_growth(const rg_dom *od, const rg_graph *ng, const rg_dom *nd, const rg_match *m, size_t limit,
                     int json) {
    uint64_t *growth = malloc(((size_t)ng->n + 1) * sizeof *growth);
    uint8_t *skip = malloc((size_t)ng->n + 1);
    const uint32_t *before = m->old_of;
    uint32_t *top = NULL;
    size_t n = 0;
    if (growth && skip) {
        for (uint32_t v = 0; v < ng->n; v++) {
            uint32_t o = before[v];
            uint64_t old = o == RG_NONE ? 0 : od->retained[o];
            growth[v] = nd->retained[v] > old ? nd->retained[v] - old : 0;
            skip[v] = growth[v] == 0;
        }
        top = cli_largest(ng, growth, skip, limit, &n);
    }
    if (!top) {
        free(growth);
        free(skip);
        cli_nomem();
        return -1;
    }
    char b1[32], b2[32], b3[32], name[300];
    if (json) fputc('[', stdout);
    else if (n)
        printf("%12s %12s %12s  %s\n", "before", "after", "growth", "object");
    else
        printf("  no object's retained size grew\n");
    for (size_t i = 0; i < n; i++) {
        uint32_t v = top[i], o = before[v];
        if (json) {
            printf("%s{\"id\":%llu,\"type\":", i ? "," : "", (unsigned long long)ng->id[v]);
            json_gstr(stdout, ng->str[ng->type[v]]);
            if (o == RG_NONE)
                fputs(",\"before\":null", stdout);
            else
                printf(",\"before\":%llu", (unsigned long long)od->retained[o]);
            printf(",\"after\":%llu,\"growth\":%llu}", (unsigned long long)nd->retained[v],
                   (unsigned long long)growth[v]);
            continue;
        }
        b3[0] = '+';
        cli_bytes(growth[v], b3 + 1, sizeof b3 - 1);
        printf("%12s %12s %12s  %s\n", o == RG_NONE ? "(new)" : cli_bytes(od->retained[o], b1, sizeof b1),
               cli_bytes(nd->retained[v], b2, sizeof b2), b3, cli_obj(ng, NULL, v, name, sizeof name));
    }
    if (json) fputc(']', stdout);
    free(growth);
    free(skip);
    free(top);
    return 0;
}

void cli_print_path_ends(FILE *f, const rg_graph *g, const rg_root *root, uint32_t first, const uint32_t *edges,
                         size_t n, size_t keep) {
    if (n <= 2 * keep) {
        cli_print_path(f, g, root, first, edges, n);
        return;
    }
    cli_print_path(f, g, root, first, edges, keep);
    fprintf(f, " ... (%zu more reference%s) ... ", n - 2 * keep, n - 2 * keep == 1 ? "" : "s");
    cli_print_path(f, g, root, g->ref_target[edges[n - keep - 1]], edges + n - keep, keep);
}
