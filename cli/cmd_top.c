/* top: the objects that keep the most memory alive (largest retained size
 * first), with the chain of references from a root to each. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

const cli_opt cmd_top_opts[] = {
    {"limit", 0, "N", "how many objects to show (default 10; 0 for all)"},
    {"json", 0, NULL, "print JSON (shape in refgraph(1))"},
    {"no-chains", 0, NULL, "leave out the chains from a root (faster with --limit 0 on a large dump)"},
    {NULL, 0, NULL, NULL},
};

static const char *kind_text(const char *kind) {
    return strcmp(kind, "global") == 0 ? "global" : strcmp(kind, "local") == 0 ? "frame local" : "held from outside";
}

int cmd_top(const cli_args *a) {
    int rc = EXIT_OK;
    long limit;
    cli_heap h;
    memset(&h, 0, sizeof h);
    uint32_t *top = NULL;
    if (cli_int(a, "limit", 10, 0, 1L << 32, &limit) < 0) {
        rc = EXIT_USAGE;
        goto out;
    }
    if ((rc = cli_heap_load(&h, a->pos[0]))) goto out;
    const rg_graph *g = h.g;
    size_t n;
    if (!(top = cli_largest(g, h.dom.retained, NULL, (size_t)limit, &n))) {
        cli_nomem();
        rc = EXIT_INPUT;
        goto out;
    }
    int json = cli_has(a, "json"), chains = !cli_has(a, "no-chains");
    double total = h.dom.total ? (double)h.dom.total : 1.0;
    char b1[32], b2[32], name[300];
    if (json) {
        printf("{\"objects\":%u,\"bytes\":%llu,\"top\":[", g->n, (unsigned long long)h.dom.total);
    } else {
        printf("%u object%s, %s in all; ", g->n, g->n == 1 ? "" : "s", cli_bytes(h.dom.total, b1, sizeof b1));
        if (n == g->n)
            printf("all of them by retained size (what freeing each gives back):\n\n");
        else
            printf("the %zu largest by retained size (what freeing each gives back):\n\n", n);
        if (n) printf("%10s %7s %10s  %s\n", "retained", "share", "size", "object");
    }
    for (size_t i = 0; i < n; i++) {
        uint32_t v = top[i], d = h.dom.idom[v], first = 0;
        long len = chains ? rg_root_chain(&h.f, h.root, h.an.external, NULL, v, &first, h.scratch) : -1;
        double share = 100.0 * (double)h.dom.retained[v] / total;
        if (json) {
            printf("%s{\"id\":%llu,\"type\":", i ? "," : "", (unsigned long long)g->id[v]);
            json_gstr(stdout, g->str[g->type[v]]);
            printf(",\"size\":%llu,\"retained\":%llu,\"share\":%.4f,\"idom\":", (unsigned long long)g->size[v],
                   (unsigned long long)h.dom.retained[v], share / 100.0);
            if (d == RG_NONE)
                fputs("null", stdout);
            else
                printf("%llu", (unsigned long long)g->id[d]);
            printf(",\"reachable\":%s", h.an.reach[v] ? "true" : "false");
            if (chains) {
                if (len < 0) {
                    fputs(",\"root\":null,\"chain\":null", stdout);
                } else {
                    printf(",\"root\":\"%s\",\"chain\":", cli_root_kind(&h, first));
                    cli_json_path(stdout, g, first, h.scratch, (size_t)len);
                }
            }
            fputc('}', stdout);
            continue;
        }
        printf("%10s %6.1f%% %10s  %s\n", cli_bytes(h.dom.retained[v], b1, sizeof b1), share,
               cli_bytes(g->size[v], b2, sizeof b2), cli_obj(g, h.root, v, name, sizeof name));
        if (!chains) continue;
        if (len < 0) {
            printf("%30s unreachable: only the cycle collector frees it\n", "");
        } else {
            printf("%30s %s: ", "", kind_text(cli_root_kind(&h, first)));
            cli_print_path_ends(stdout, g, h.root, first, h.scratch, (size_t)len, 10);
            putchar('\n');
        }
    }
    if (json) printf("]}\n");
out:
    free(top);
    cli_heap_free(&h);
    return rc;
}
