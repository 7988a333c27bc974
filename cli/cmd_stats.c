/* stats: objects and bytes per type, the commonest first (objgraph's
 * show_most_common_types, with sizes and retained sizes). */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

const cli_opt cmd_stats_opts[] = {
    {"limit", 0, "N", "how many types to show (default 10; 0 for all)"},
    {"sort", 0, "count|size|retained", "count (default), size, or retained (the default with --retained; implies it)"},
    {"retained", 0, NULL, "add each type's retained size (objects not dominated by one of the same type)"},
    {"json", 0, NULL, "print JSON (shape in refgraph(1))"},
    {NULL, 0, NULL, NULL},
};

typedef struct type_row {
    uint32_t type;
    uint64_t count, bytes, retained;
} type_row;

static int by_count(const void *x, const void *y) {
    const type_row *a = x, *b = y;
    if (a->count != b->count) return a->count < b->count ? 1 : -1;
    if (a->bytes != b->bytes) return a->bytes < b->bytes ? 1 : -1;
    return a->type < b->type ? -1 : a->type > b->type;
}

static int by_size(const void *x, const void *y) {
    const type_row *a = x, *b = y;
    if (a->bytes != b->bytes) return a->bytes < b->bytes ? 1 : -1;
    return by_count(x, y);
}

static int by_retained(const void *x, const void *y) {
    const type_row *a = x, *b = y;
    if (a->retained != b->retained) return a->retained < b->retained ? 1 : -1;
    return by_size(x, y);
}

/* Retained bytes per type string into by_type ([nstr]); -1 when out of memory. */
static int type_retained(const rg_graph *g, uint64_t *by_type) {
    rg_dom d;
    rg_dom_tree t = {0};
    if (rg_dominators(g, &d)) return -1;
    int rc = rg_dom_tree_build(&d, &t) || rg_dom_type_retained(g, &d, &t, by_type, NULL) ? -1 : 0;
    rg_dom_tree_free(&t);
    rg_dom_free(&d);
    return rc;
}

int cmd_stats(const cli_args *a) {
    int rc = EXIT_OK;
    long limit;
    const char *sort = cli_get(a, "sort");
    if (cli_int(a, "limit", 10, 0, 1L << 30, &limit) < 0) {
        rc = EXIT_USAGE;
    } else if (sort && strcmp(sort, "count") && strcmp(sort, "size") && strcmp(sort, "retained")) {
        rc = cli_usage_error("stats", "option '--sort' takes count, size or retained, not '%s'", sort);
    }
    rg_graph *g = rc ? NULL : cli_load(a->pos[0]);
    if (rc || !g) {
        return rc ? rc : EXIT_INPUT;
    }
    /* one row per type: types are interned strings, so index by string */
    int retained = cli_has(a, "retained") || (sort && strcmp(sort, "retained") == 0);
    uint32_t *row_of = malloc(((size_t)g->nstr + 1) * sizeof *row_of);
    type_row *rows = calloc((size_t)g->nstr + 1, sizeof *rows);
    uint64_t *by_type = retained ? calloc((size_t)g->nstr + 1, sizeof *by_type) : NULL;
    size_t nrows = 0;
    uint64_t total = 0, bytes = 0;
    if (!row_of || !rows || (retained && (!by_type || type_retained(g, by_type)))) {
        cli_nomem();
        free(row_of);
        free(rows);
        free(by_type);
        rg_graph_free(g);
        return EXIT_INPUT;
    }
    memset(row_of, 0xff, ((size_t)g->nstr + 1) * sizeof *row_of);
    for (uint32_t i = 0; i < g->n; i++) {
        uint32_t t = g->type[i];
        if (row_of[t] == RG_NONE) {
            row_of[t] = (uint32_t)nrows;
            rows[nrows++].type = t;
        }
        rows[row_of[t]].count++;
        rows[row_of[t]].bytes = rg_sat_add(rows[row_of[t]].bytes, g->size[i]);
        if (retained) rows[row_of[t]].retained = by_type[t];
        total++;
        bytes = rg_sat_add(bytes, g->size[i]);
    }
    int (*order)(const void *, const void *) = retained ? by_retained : by_count;
    if (sort) order = strcmp(sort, "size") == 0 ? by_size : strcmp(sort, "count") == 0 ? by_count : by_retained;
    qsort(rows, nrows, sizeof *rows, order);
    size_t shown = limit == 0 || (size_t)limit > nrows ? nrows : (size_t)limit;
    if (cli_has(a, "json")) {
        printf("{\"objects\":%llu,\"bytes\":%llu,\"types\":%zu,\"rows\":[", (unsigned long long)total,
               (unsigned long long)bytes, nrows);
        for (size_t i = 0; i < shown; i++) {
            printf("%s{\"type\":", i ? "," : "");
            json_gstr(stdout, g->str[rows[i].type]);
            printf(",\"count\":%llu,\"bytes\":%llu", (unsigned long long)rows[i].count,
                   (unsigned long long)rows[i].bytes);
            if (retained) printf(",\"retained\":%llu", (unsigned long long)rows[i].retained);
            putchar('}');
        }
        printf("]}\n");
    } else {
        int w = 5; /* "total" */
        char t[128], b[32];
        for (size_t i = 0; i < shown; i++) {
            int len = (int)strlen(cli_gstr(g->str[rows[i].type], t, sizeof t));
            if (len > w) w = len;
        }
        const char *bold = cli_c(stdout, "\033[1m"), *off = cli_c(stdout, "\033[0m");
        char r[32];
        printf("%s%-*s %12s %12s%s%s\n", bold, w, "type", "objects", "size", retained ? "     retained" : "", off);
        for (size_t i = 0; i < shown; i++) {
            printf("%-*s %12llu %12s", w, cli_gstr(g->str[rows[i].type], t, sizeof t),
                   (unsigned long long)rows[i].count, cli_bytes(rows[i].bytes, b, sizeof b));
            if (retained) printf(" %12s", cli_bytes(rows[i].retained, r, sizeof r));
            putchar('\n');
        }
        if (shown < nrows) printf("(%zu more types)\n", nrows - shown);
        printf("%-*s %12llu %12s\n", w, "total", (unsigned long long)total, cli_bytes(bytes, b, sizeof b));
    }
    free(row_of);
    free(rows);
    free(by_type);
    rg_graph_free(g);
    return EXIT_OK;
}
