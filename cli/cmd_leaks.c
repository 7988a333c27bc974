/* leaks: what no root reaches, grouped by the cycle that keeps it alive,
 * and the objects held from outside the dump. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

const cli_opt cmd_leaks_opts[] = {
    {"check", 0, NULL, "exit 1 when anything is unreachable"},
    {"limit", 0, "N", "show at most N groups and N held objects (default 20; 0 for all)"},
    {"json", 0, NULL, "print JSON (shape in refgraph(1))"},
    {NULL, 0, NULL, NULL},
};

int cmd_leaks(const cli_args *a) {
    int rc = EXIT_OK;
    long limit;
    cli_alive c;
    memset(&c, 0, sizeof c);
    if (cli_int(a, "limit", 20, 0, 1L << 32, &limit) < 0) {
        rc = EXIT_USAGE;
        goto out;
    }
    if ((rc = cli_alive_load(&c, a->pos[0]))) goto out;
    const rg_graph *g = c.g;
    const rg_scc *s = &c.an.scc;
    rg_garbage gb;
    uint64_t *cret = cli_cycle_retained(g, s);
    if (!cret || rg_garbage_find(g, &c.an, &c.f, &gb) != 0) {
        free(cret);
        cli_nomem();
        rc = EXIT_INPUT;
        goto out;
    }
    const rg_garbage_group *groups = gb.groups;
    size_t ngroups = gb.ngroups;
    uint64_t lost = gb.objects, lost_bytes = gb.bytes;
    /* objects held from outside the dump */
    uint64_t nheld = 0;
    for (uint32_t v = 0; v < g->n; v++) nheld += c.an.external[v] > 0 && !rg_graph_heap_owned(g, v);
    int json = cli_has(a, "json");
    size_t gshow = limit == 0 || (size_t)limit > ngroups ? ngroups : (size_t)limit;
    uint64_t hshow = limit == 0 || (uint64_t)limit > nheld ? nheld : (uint64_t)limit;
    char b1[32], name[300];
    if (json) {
        printf("{\"unreachable\":{\"objects\":%llu,\"bytes\":%llu},\"groups\":[", (unsigned long long)lost,
               (unsigned long long)lost_bytes);
    } else {
        printf("%llu object%s, %s, unreachable from every root: only the cycle collector frees them\n",
               (unsigned long long)lost, lost == 1 ? "" : "s", cli_bytes(lost_bytes, b1, sizeof b1));
    }
    for (size_t i = 0; i < gshow; i++) {
        uint32_t k = groups[i].comp, m = c.f.members[c.f.comp_start[k]];
        uint32_t len = rg_shortest_cycle(&c.f, m, NULL, 0, c.scratch);
        if (json) {
            printf("%s{\"objects\":%llu,\"bytes\":%llu,\"cycle_objects\":%u,\"cycle_retained\":%llu,\"types\":",
                   i ? "," : "", (unsigned long long)groups[i].objects, (unsigned long long)groups[i].bytes, s->size[k],
                   (unsigned long long)cret[k]);
            cli_print_types(stdout, &c, k, 1);
            printf(",\"cycle\":");
            cli_json_path(stdout, g, m, c.scratch, len);
            fputc('}', stdout);
            continue;
        }
        char b2[32];
        printf("\ngroup %zu: %llu object%s, %s, kept alive by a cycle of %u that retains %s: ", i + 1,
               (unsigned long long)groups[i].objects, groups[i].objects == 1 ? "" : "s",
               cli_bytes(groups[i].bytes, b1, sizeof b1), s->size[k], cli_bytes(cret[k], b2, sizeof b2));
        cli_print_types(stdout, &c, k, 0);
        printf("\n  cycle  ");
        cli_print_path(stdout, g, c.root, m, c.scratch, len);
        putchar('\n');
    }
    if (!json && gshow < ngroups) printf("(%zu more groups)\n", ngroups - gshow);
    if (json)
        printf("],\"held_from_outside\":[");
    else
        printf("\n%llu object%s held from outside the dump (refcount above the references it shows)%s\n",
               (unsigned long long)nheld, nheld == 1 ? "" : "s", nheld ? ":" : "");
    uint64_t shown = 0;
    for (uint32_t v = 0; v < g->n && shown < hshow; v++) {
        if (c.an.external[v] <= 0 || rg_graph_heap_owned(g, v)) continue;
        if (json) {
            printf("%s{\"id\":%llu,\"type\":", shown ? "," : "", (unsigned long long)g->id[v]);
            json_gstr(stdout, g->str[g->type[v]]);
            printf(",\"refcount\":%lld,\"outside\":%lld}", (long long)g->refcount[v], (long long)c.an.external[v]);
        } else {
            printf("  %s  refcount %lld, %lld from outside\n", cli_obj(g, c.root, v, name, sizeof name),
                   (long long)g->refcount[v], (long long)c.an.external[v]);
        }
        shown++;
    }
    if (!json && shown < nheld) printf("  (%llu more)\n", (unsigned long long)(nheld - shown));
    if (json) printf("]}\n");
    rc = cli_has(a, "check") && lost ? EXIT_FOUND : EXIT_OK;
    rg_garbage_free(&gb);
    free(cret);
out:
    cli_alive_free(&c);
    return rc;
}
