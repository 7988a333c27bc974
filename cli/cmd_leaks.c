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
    json_t *doc = NULL, *list = NULL, *held = NULL;
    int bad = 0;
    if (json) {
        doc = json_object();
        json_t *un = json_object();
        cli_jset(un, "objects", cli_json_u64(lost), &bad);
        cli_jset(un, "bytes", cli_json_u64(lost_bytes), &bad);
        cli_jset(doc, "unreachable", un, &bad);
        list = json_array();
        cli_jset(doc, "groups", json_incref(list), &bad);
        held = json_array();
        cli_jset(doc, "held_from_outside", json_incref(held), &bad);
    } else {
        printf("%llu object%s, %s, unreachable from every root: only the cycle collector frees them\n",
               (unsigned long long)lost, lost == 1 ? "" : "s", cli_bytes(lost_bytes, b1, sizeof b1));
    }
    for (size_t i = 0; i < gshow && !bad; i++) {
        uint32_t k = groups[i].comp, m = c.f.members[c.f.comp_start[k]];
        uint32_t len = rg_shortest_cycle(&c.f, m, NULL, 0, c.scratch);
        if (json) {
            json_t *o = json_object();
            cli_jset(o, "objects", cli_json_u64(groups[i].objects), &bad);
            cli_jset(o, "bytes", cli_json_u64(groups[i].bytes), &bad);
            cli_jset(o, "cycle_objects", cli_json_u64(s->size[k]), &bad);
            cli_jset(o, "cycle_retained", cli_json_u64(cret[k]), &bad);
            cli_jset(o, "types", cli_json_types(&c, k), &bad);
            cli_jset(o, "cycle", cli_json_path(g, c.root, m, c.scratch, len), &bad);
            cli_jpush(list, o, &bad);
            continue;
        }
        char b2[32];
        printf("\ngroup %zu: %llu object%s, %s, kept alive by a cycle of %u that retains %s: ", i + 1,
               (unsigned long long)groups[i].objects, groups[i].objects == 1 ? "" : "s",
               cli_bytes(groups[i].bytes, b1, sizeof b1), s->size[k], cli_bytes(cret[k], b2, sizeof b2));
        cli_print_types(stdout, &c, k);
        printf("\n  cycle  ");
        cli_print_path(stdout, g, c.root, m, c.scratch, len);
        putchar('\n');
    }
    if (!json && gshow < ngroups) printf("(%zu more groups)\n", ngroups - gshow);
    if (!json)
        printf("\n%llu object%s held from outside the dump (refcount above the references it shows)%s\n",
               (unsigned long long)nheld, nheld == 1 ? "" : "s", nheld ? ":" : "");
    uint64_t shown = 0;
    for (uint32_t v = 0; v < g->n && shown < hshow && !bad; v++) {
        if (c.an.external[v] <= 0 || rg_graph_heap_owned(g, v)) continue;
        if (json) {
            json_t *o = json_object();
            cli_jset(o, "id", cli_json_u64(g->id[v]), &bad);
            cli_jset(o, "type", cli_json_gstr(g->str[g->type[v]]), &bad);
            cli_jset(o, "refcount", json_integer((json_int_t)g->refcount[v]), &bad);
            cli_jset(o, "outside", json_integer((json_int_t)c.an.external[v]), &bad);
            cli_jpush(held, o, &bad);
        } else {
            printf("  %s  refcount %lld, %lld from outside\n", cli_obj(g, c.root, v, name, sizeof name),
                   (long long)g->refcount[v], (long long)c.an.external[v]);
        }
        shown++;
    }
    if (!json && shown < nheld) printf("  (%llu more)\n", (unsigned long long)(nheld - shown));
    json_decref(list);
    json_decref(held);
    rc = json ? cli_json_print(doc, bad) : EXIT_OK;
    if (!rc && cli_has(a, "check") && lost) rc = EXIT_FOUND;
    rg_garbage_free(&gb);
    free(cret);
out:
    cli_alive_free(&c);
    return rc;
}
