/* dominators: why one object's memory cannot be freed without another's —
 * its dominator chain from the root, and what it alone keeps alive, by type. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

const cli_opt cmd_dominators_opts[] = {
    {"limit", 0, "N", "how many types to list (default 10; 0 for all)"},
    {"json", 0, NULL, "print JSON (shape in refgraph(1))"},
    {NULL, 0, NULL, NULL},
};

typedef struct trow {
    uint32_t type;
    uint64_t count, bytes;
} trow;

static int by_bytes(const void *x, const void *y) {
    const trow *a = x, *b = y;
    if (a->bytes != b->bytes) return a->bytes < b->bytes ? 1 : -1;
    if (a->count != b->count) return a->count < b->count ? 1 : -1;
    return a->type < b->type ? -1 : a->type > b->type;
}

int cmd_dominators(const cli_args *a) {
    int rc = EXIT_OK;
    long limit;
    cli_heap h;
    memset(&h, 0, sizeof h);
    rg_dom_tree t = {0};
    uint32_t *objs = NULL, *chain = NULL, *under = NULL, *row_of = NULL;
    trow *rows = NULL;
    size_t nobjs = 0;
    if (cli_int(a, "limit", 10, 0, 1L << 30, &limit) < 0) {
        rc = EXIT_USAGE;
        goto out;
    }
    if ((rc = cli_heap_load(&h, a->pos[0]))) goto out;
    if (cli_resolve(h.g, a->pos[0], a->pos[1], &objs, &nobjs) < 0 || nobjs != 1) {
        if (nobjs > 1) cli_error("'%s' names %zu objects: name one", a->pos[1], nobjs);
        rc = EXIT_USAGE;
        goto out;
    }
    const rg_graph *g = h.g;
    uint32_t obj = objs[0];
    chain = malloc(((size_t)g->n + 1) * sizeof *chain);
    under = malloc(((size_t)g->n + 1) * sizeof *under);
    row_of = malloc(((size_t)g->nstr + 1) * sizeof *row_of);
    rows = calloc((size_t)g->nstr + 1, sizeof *rows);
    if (!chain || !under || !row_of || !rows || rg_dom_tree_build(&h.dom, &t)) {
        cli_nomem();
        rc = EXIT_INPUT;
        goto out;
    }
    /* the chain: obj, its idom, ... up to a child of the virtual root; at most n steps */
    size_t nchain = 0;
    for (uint32_t v = obj; v != RG_NONE && nchain < g->n; v = h.dom.idom[v]) chain[nchain++] = v;
    uint32_t nunder = rg_dom_dominated(&t, obj, under);
    memset(row_of, 0xff, ((size_t)g->nstr + 1) * sizeof *row_of);
    size_t nrows = 0;
    for (uint32_t i = 0; i < nunder; i++) {
        uint32_t ty = g->type[under[i]];
        if (row_of[ty] == RG_NONE) {
            row_of[ty] = (uint32_t)nrows;
            rows[nrows++].type = ty;
        }
        rows[row_of[ty]].count++;
        rows[row_of[ty]].bytes = rg_sat_add(rows[row_of[ty]].bytes, g->size[under[i]]);
    }
    qsort(rows, nrows, sizeof *rows, by_bytes);
    size_t shown = limit == 0 || (size_t)limit > nrows ? nrows : (size_t)limit;
    uint64_t ubytes = h.dom.retained[obj] - g->size[obj];
    double share = h.dom.total ? 100.0 * (double)h.dom.retained[obj] / (double)h.dom.total : 0.0;
    char b1[32], b2[32], name[300], tn[128];
    if (cli_has(a, "json")) {
        printf("{\"id\":%llu,\"type\":", (unsigned long long)g->id[obj]);
        json_gstr(stdout, g->str[g->type[obj]]);
        printf(",\"size\":%llu,\"retained\":%llu,\"share\":%.4f,\"reachable\":%s,\"chain\":[",
               (unsigned long long)g->size[obj], (unsigned long long)h.dom.retained[obj], share / 100.0,
               h.an.reach[obj] ? "true" : "false");
        for (size_t k = nchain; k-- > 0;) {
            uint32_t v = chain[k];
            printf("%s{\"id\":%llu,\"type\":", k + 1 == nchain ? "" : ",", (unsigned long long)g->id[v]);
            json_gstr(stdout, g->str[g->type[v]]);
            printf(",\"size\":%llu,\"retained\":%llu}", (unsigned long long)g->size[v],
                   (unsigned long long)h.dom.retained[v]);
        }
        printf("],\"dominated\":{\"objects\":%u,\"bytes\":%llu,\"types\":[", nunder, (unsigned long long)ubytes);
        for (size_t i = 0; i < shown; i++) {
            printf("%s{\"type\":", i ? "," : "");
            json_gstr(stdout, g->str[rows[i].type]);
            printf(",\"objects\":%llu,\"bytes\":%llu}", (unsigned long long)rows[i].count,
                   (unsigned long long)rows[i].bytes);
        }
        printf("]}}\n");
        goto out;
    }
    printf("%s: %s, retains %s (%.1f%% of %s)%s\n", cli_obj(g, h.root, obj, name, sizeof name),
           cli_bytes(g->size[obj], b1, sizeof b1), cli_bytes(h.dom.retained[obj], b2, sizeof b2), share,
           cli_bytes(h.dom.total, tn, sizeof tn), h.an.reach[obj] ? "" : ", unreachable (garbage)");
    printf("\ndominator chain from the root (freeing one frees everything below it):\n");
    printf("  %10s  %s\n", "retained", "object");
    for (size_t k = nchain; k-- > 0;)
        printf("  %10s  %*s%s\n", cli_bytes(h.dom.retained[chain[k]], b1, sizeof b1), (int)(2 * (nchain - k) < 40 ? 2 * (nchain - k) : 40), "",
               cli_obj(g, h.root, chain[k], name, sizeof name));
    printf("\ndominates %u object%s, %s%s\n", nunder, nunder == 1 ? "" : "s", cli_bytes(ubytes, b1, sizeof b1),
           nunder ? ":" : "");
    if (nrows) {
        int w = 4;
        for (size_t i = 0; i < shown; i++) {
            int len = (int)strlen(cli_gstr(g->str[rows[i].type], tn, sizeof tn));
            if (len > w) w = len;
        }
        printf("  %-*s %10s %10s\n", w, "type", "objects", "size");
        for (size_t i = 0; i < shown; i++)
            printf("  %-*s %10llu %10s\n", w, cli_gstr(g->str[rows[i].type], tn, sizeof tn),
                   (unsigned long long)rows[i].count, cli_bytes(rows[i].bytes, b1, sizeof b1));
        if (shown < nrows) printf("  (%zu more types)\n", nrows - shown);
    }
out:
    free(objs);
    free(chain);
    free(under);
    free(row_of);
    free(rows);
    rg_dom_tree_free(&t);
    cli_heap_free(&h);
    return rc;
}
