/* alive.c — what the commands about why objects stay alive (cycles, leaks,
 * chain) share: a dump loaded with its analysis, cycle finder and root
 * index, and the types of a cycle in words. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define TYPES_SHOWN 5 /* types listed per cycle */

void cli_alive_free(cli_alive *c) {
    rg_finder_free(&c->f);
    rg_analysis_free(&c->an);
    free(c->root);
    free(c->scratch);
    free(c->tslot);
    free(c->types);
    rg_graph_free(c->g);
}

int cli_alive_load(cli_alive *c, const char *path) {
    memset(c, 0, sizeof *c);
    if (!(c->g = cli_load(path))) return EXIT_INPUT;
    if (rg_analyze(c->g, &c->an) || rg_finder_init(&c->f, c->g, &c->an.scc) || !(c->root = rg_root_index(c->g)) ||
        !(c->scratch = malloc(((size_t)c->g->n + 1) * sizeof *c->scratch)) ||
        !(c->tslot = malloc(((size_t)c->g->nstr + 1) * sizeof *c->tslot)) ||
        !(c->types = malloc(((size_t)c->g->n + 1) * sizeof *c->types))) {
        cli_nomem();
        return EXIT_INPUT;
    }
    memset(c->tslot, 0xff, ((size_t)c->g->nstr + 1) * sizeof *c->tslot);
    return 0;
}

/* The types of a component's objects into c->types (the commonest first):
 * every type counted, however many (the counts add up to its size). */
static uint32_t count_types(const cli_alive *c, uint32_t comp) {
    uint32_t first = c->f.comp_start[comp], last = c->f.comp_start[comp + 1];
    return rg_count_types(c->g, c->f.members + first, last - first, c->tslot, c->types);
}

/* "list 2, dict 1" for the objects of a component. */
void cli_print_types(FILE *out, const cli_alive *c, uint32_t comp) {
    const rg_graph *g = c->g;
    uint32_t nt = count_types(c, comp);
    char buf[128];
    for (uint32_t i = 0; i < nt && i < TYPES_SHOWN; i++)
        fprintf(out, "%s%s %u", i ? ", " : "", cli_gstr(g->str[c->types[i].type], buf, sizeof buf), c->types[i].count);
    if (nt > TYPES_SHOWN) fprintf(out, ", ...");
}

json_t *cli_json_types(const cli_alive *c, uint32_t comp) {
    const rg_graph *g = c->g;
    uint32_t nt = count_types(c, comp);
    json_t *o = json_object();
    int bad = !o;
    for (uint32_t i = 0; i < nt && !bad; i++) {
        rg_gstr t = g->str[c->types[i].type];
        /* the key with its length: a type name may hold a NUL byte */
        if (json_object_setn_new(o, t.ptr, t.len, json_integer(c->types[i].count)) < 0) bad = 1;
    }
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}
