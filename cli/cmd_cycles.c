/* cycles: every reference cycle, whether a root reaches it, and the
 * references that, made weak, would break it; -o draws them. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define MAX_BREAK 5          /* references suggested to make weak */
#define DRAW_LIMIT 500       /* objects drawn with -o */

const cli_opt cmd_cycles_opts[] = {
    {"unreachable", 0, NULL, "only cycles no root reaches (garbage)"},
    {"min-size", 0, "N", "only cycles of at least N objects"},
    {"limit", 0, "N", "show at most N cycles (default all)"},
    {"json", 0, NULL, "print JSON (shape in refgraph(1))"},
    {"output", 'o', "FILE", "also draw the cycles to FILE " CLI_DRAW_FILE_HELP},
    CLI_DRAW_OPTS,
    {NULL, 0, NULL, NULL},
};

static const rg_scc *sort_scc;
static const uint32_t *sort_first;
static int by_bytes(const void *x, const void *y) {
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    if (sort_scc->bytes[a] != sort_scc->bytes[b]) return sort_scc->bytes[a] < sort_scc->bytes[b] ? 1 : -1;
    return sort_first[a] < sort_first[b] ? -1 : sort_first[a] > sort_first[b];
}

/* Cyclic components, in the order shown: largest in bytes first. */
static uint32_t *sorted_cycles(cli_alive *c, int only_unreachable, long min_size, size_t *n) {
    const rg_scc *s = &c->an.scc;
    uint32_t *comps = malloc(((size_t)s->ncomp + 1) * sizeof *comps);
    uint32_t *first = malloc(((size_t)s->ncomp + 1) * sizeof *first);
    if (!comps || !first) {
        free(comps);
        free(first);
        return NULL;
    }
    *n = 0;
    for (uint32_t k = 0; k < s->ncomp; k++) {
        uint32_t m = c->f.members[c->f.comp_start[k]];
        first[k] = m;
        if (!s->cyclic[k] || s->size[k] < (uint64_t)min_size) continue;
        if (only_unreachable && c->an.reach[m]) continue;
        comps[(*n)++] = k;
    }
    sort_scc = s;
    sort_first = first;
    qsort(comps, *n, sizeof *comps, by_bytes);
    free(first);
    return comps;
}

static void print_break(FILE *out, cli_alive *c, const uint32_t *edges, size_t n) {
    const rg_graph *g = c->g;
    char a[300], b[300], l[80];
    for (size_t i = 0; i < n; i++) {
        uint32_t e = edges[i], src = rg_edge_source(g, e), dst = g->ref_target[e];
        rg_gstr lab = g->str[RG_EDGE_LABEL(g->ref_label[e])];
        fprintf(out, "%s%s -%s-> %s", i ? "; " : "", cli_obj(g, c->root, src, a, sizeof a), cli_gstr(lab, l, sizeof l),
                cli_obj(g, c->root, dst, b, sizeof b));
    }
}

/* The references to make weak as a JSON array of {"from","to","label"}. */
static json_t *json_break(cli_alive *c, const uint32_t *edges, size_t n) {
    const rg_graph *g = c->g;
    json_t *arr = json_array();
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t e = edges[i];
        json_t *o = json_object();
        cli_jset(o, "from", cli_json_u64(g->id[rg_edge_source(g, e)]), &bad);
        cli_jset(o, "to", cli_json_u64(g->id[g->ref_target[e]]), &bad);
        cli_jset(o, "label", cli_json_gstr(g->str[RG_EDGE_LABEL(g->ref_label[e])]), &bad);
        cli_jpush(arr, o, &bad);
    }
    if (bad) {
        json_decref(arr);
        return NULL;
    }
    return arr;
}

int cmd_cycles(const cli_args *a) {
    int rc = EXIT_OK;
    long min_size, limit;
    rg_render_options ro;
    cli_store store = {0};
    cli_alive c;
    memset(&c, 0, sizeof c);
    if (cli_int(a, "min-size", 1, 1, 1L << 32, &min_size) < 0 || cli_int(a, "limit", 0, 0, 1L << 32, &limit) < 0 ||
        cli_draw_options(a, &ro, &store) < 0) {
        rc = EXIT_USAGE;
        goto out;
    }
    if ((rc = cli_alive_load(&c, a->pos[0]))) goto out;
    if (cli_check_draw_types(a, c.g, NULL, a->pos[0]) < 0) {
        rc = EXIT_USAGE;
        goto out;
    }
    size_t n;
    uint32_t *comps = sorted_cycles(&c, cli_has(a, "unreachable"), min_size, &n);
    uint32_t *brk = malloc((MAX_BREAK + 1) * sizeof *brk);
    uint64_t *cret = cli_cycle_retained(c.g, &c.an.scc);
    if (!comps || !brk || !cret) {
        free(comps);
        free(brk);
        free(cret);
        cli_nomem();
        rc = EXIT_INPUT;
        goto out;
    }
    const rg_scc *s = &c.an.scc;
    const rg_graph *g = c.g;
    int json = cli_has(a, "json");
    uint64_t objects = 0, bytes = 0, unreachable = 0;
    for (size_t i = 0; i < n; i++) {
        objects += s->size[comps[i]];
        bytes = rg_sat_add(bytes, s->bytes[comps[i]]);
        unreachable += !c.an.reach[c.f.members[c.f.comp_start[comps[i]]]];
    }
    size_t shown = limit && (size_t)limit < n ? (size_t)limit : n;
    char b1[32];
    json_t *doc = NULL, *list = NULL;
    int bad = 0;
    if (json) {
        doc = json_object();
        list = json_array();
        cli_jset(doc, "count", cli_json_u64(n), &bad);
        cli_jset(doc, "objects", cli_json_u64(objects), &bad);
        cli_jset(doc, "bytes", cli_json_u64(bytes), &bad);
        cli_jset(doc, "unreachable", cli_json_u64(unreachable), &bad);
        cli_jset(doc, "cycles", json_incref(list), &bad);
    } else {
        printf("%zu cycle%s, %llu objects, %s; %llu unreachable\n", n, n == 1 ? "" : "s",
               (unsigned long long)objects, cli_bytes(bytes, b1, sizeof b1), (unsigned long long)unreachable);
    }
    const char *red = cli_c(stdout, "\033[31m"), *bold = cli_c(stdout, "\033[1m"), *off = cli_c(stdout, "\033[0m");
    for (size_t i = 0; i < shown && !bad; i++) {
        uint32_t k = comps[i], m = c.f.members[c.f.comp_start[k]];
        int reach = c.an.reach[m];
        uint32_t len = rg_shortest_cycle(&c.f, m, NULL, 0, c.scratch);
        size_t nb = rg_break_cycles(&c.f, k, brk, MAX_BREAK);
        if (json) {
            json_t *o = json_object();
            cli_jset(o, "objects", cli_json_u64(s->size[k]), &bad);
            cli_jset(o, "bytes", cli_json_u64(s->bytes[k]), &bad);
            cli_jset(o, "retained", cli_json_u64(cret[k]), &bad);
            cli_jset(o, "reachable", json_boolean(reach), &bad);
            cli_jset(o, "types", cli_json_types(&c, k), &bad);
            cli_jset(o, "cycle", cli_json_path(g, c.root, m, c.scratch, len), &bad);
            cli_jset(o, "make_weak", nb ? json_break(&c, brk, nb) : json_null(), &bad);
            cli_jpush(list, o, &bad);
            continue;
        }
        char b2[32];
        printf("\n%scycle %zu%s: %u object%s, %s, retains %s, %s%s%s\n", bold, i + 1, off, s->size[k],
               s->size[k] == 1 ? "" : "s", cli_bytes(s->bytes[k], b1, sizeof b1), cli_bytes(cret[k], b2, sizeof b2),
               reach ? "" : red,
               reach ? "reachable from a root" : "unreachable (garbage only the collector frees)", reach ? "" : off);
        printf("  types     ");
        cli_print_types(stdout, &c, k);
        printf("\n  cycle     ");
        cli_print_path(stdout, g, c.root, m, c.scratch, len);
        printf("\n  break it  ");
        if (nb) {
            printf("make weak: ");
            print_break(stdout, &c, brk, nb);
        } else {
            printf("no %d references break it: it is many cycles knotted together", MAX_BREAK);
        }
        putchar('\n');
    }
    json_decref(list);
    if (json) rc = cli_json_print(doc, bad);
    if (!rc && cli_get(a, "output")) { /* draw them: whole small cycles, the shortest cycle of big ones */
        rg_drawing *d = rg_drawing_new(g, &c.an, &ro);
        size_t drawn = 0;
        for (size_t i = 0; d && i < shown && drawn < DRAW_LIMIT; i++) {
            uint32_t k = comps[i], first = c.f.comp_start[k], last = c.f.comp_start[k + 1];
            if (last - first <= 50) {
                for (uint32_t j = first; j < last; j++) rg_drawing_node(d, c.f.members[j], 0, 0);
                for (uint32_t j = first; j < last; j++) {
                    uint32_t v = c.f.members[j];
                    for (uint32_t e = g->ref_start[v]; e < g->ref_start[v + 1]; e++)
                        if (s->comp[g->ref_target[e]] == k) rg_drawing_edge(d, e, 0);
                }
                drawn += last - first;
            } else {
                uint32_t m = c.f.members[first], len = rg_shortest_cycle(&c.f, m, NULL, 0, c.scratch);
                rg_drawing_node(d, m, 0, 0);
                for (uint32_t j = 0; j < len; j++) {
                    rg_drawing_node(d, g->ref_target[c.scratch[j]], 0, 0);
                    rg_drawing_edge(d, c.scratch[j], 0);
                }
                drawn += len;
            }
        }
        if (drawn >= DRAW_LIMIT) fprintf(stderr, "refgraph: drew the first %zu objects of the cycles\n", drawn);
        if (!d) {
            cli_nomem();
            rc = EXIT_OUTPUT;
        } else {
            rc = cli_finish_drawing(d, a);
        }
    }
    free(comps);
    free(brk);
    free(cret);
out:
    cli_store_free(&store);
    cli_alive_free(&c);
    return rc;
}
