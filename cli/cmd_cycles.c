/* cycles, leaks, chain: why objects stay alive. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define MAX_BREAK 5          /* references suggested to make weak */
#define DRAW_LIMIT 500       /* objects drawn with -o */
#define TYPES_SHOWN 5        /* types listed per cycle */

const cli_opt cmd_cycles_opts[] = {
    {"unreachable", 0, 0, "only cycles no root reaches (garbage)"},
    {"min-size", 0, 1, "only cycles of at least N objects"},
    {"limit", 0, 1, "show at most N cycles (default all)"},
    {"json", 0, 0, "print JSON (shape in refgraph(1))"},
    CLI_DRAW_OPTS,
    {NULL, 0, 0, NULL},
};

const cli_opt cmd_leaks_opts[] = {
    {"check", 0, 0, "exit 1 when anything is unreachable"},
    {"limit", 0, 1, "show at most N groups and N held objects (default 20; 0 for all)"},
    {"json", 0, 0, "print JSON (shape in refgraph(1))"},
    {NULL, 0, 0, NULL},
};

const cli_opt cmd_chain_opts[] = {
    {"json", 0, 0, "print JSON (shape in refgraph(1))"},
    CLI_DRAW_OPTS,
    {NULL, 0, 0, NULL},
};

typedef struct type_count {
    uint32_t type, count, first; /* first: the order in which types were met */
} type_count;

/* Everything a command about cycles needs, loaded once. */
typedef struct ctx {
    rg_graph *g;
    rg_analysis an;
    rg_finder f;
    rg_root *root;
    uint32_t *scratch;  /* [n] edges */
    uint32_t *tslot;    /* [nstr] where each type is counted in types, or RG_NONE */
    type_count *types;  /* [n] the types of one component */
} ctx;

static void ctx_free(ctx *c) {
    rg_finder_free(&c->f);
    rg_analysis_free(&c->an);
    free(c->root);
    free(c->scratch);
    free(c->tslot);
    free(c->types);
    rg_graph_free(c->g);
}

static int ctx_load(ctx *c, const char *path) {
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

static int by_type_count(const void *x, const void *y) {
    const type_count *a = x, *b = y;
    if (a->count != b->count) return a->count < b->count ? 1 : -1;
    return a->first < b->first ? -1 : a->first > b->first;
}

/* "list 2, dict 1" for the objects of a component (the commonest first):
 * every type counted, however many (the counts add up to its size).
 * Time O(size + k log k) for k types; c->tcount and c->types are scratch. */
static void print_types(FILE *out, const ctx *c, uint32_t comp, int json) {
    const rg_graph *g = c->g;
    uint32_t first = c->f.comp_start[comp], last = c->f.comp_start[comp + 1], nt = 0;
    for (uint32_t k = first; k < last; k++) { /* bound: the component's members */
        uint32_t t = g->type[c->f.members[k]];
        if (c->tslot[t] == RG_NONE) {
            c->tslot[t] = nt;
            c->types[nt] = (type_count){t, 0, nt};
            nt++;
        }
        c->types[c->tslot[t]].count++;
    }
    for (uint32_t i = 0; i < nt; i++) c->tslot[c->types[i].type] = RG_NONE; /* ready for the next */
    qsort(c->types, nt, sizeof *c->types, by_type_count);
    char buf[128];
    if (json) {
        fputc('{', out);
        for (uint32_t i = 0; i < nt; i++) {
            if (i) fputc(',', out);
            json_gstr(out, g->str[c->types[i].type]);
            fprintf(out, ":%u", c->types[i].count);
        }
        fputc('}', out);
        return;
    }
    for (uint32_t i = 0; i < nt && i < TYPES_SHOWN; i++)
        fprintf(out, "%s%s %u", i ? ", " : "", cli_gstr(g->str[c->types[i].type], buf, sizeof buf), c->types[i].count);
    if (nt > TYPES_SHOWN) fprintf(out, ", ...");
}

static const rg_scc *sort_scc;
static const uint32_t *sort_first;
static int by_bytes(const void *x, const void *y) {
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    if (sort_scc->bytes[a] != sort_scc->bytes[b]) return sort_scc->bytes[a] < sort_scc->bytes[b] ? 1 : -1;
    return sort_first[a] < sort_first[b] ? -1 : sort_first[a] > sort_first[b];
}

/* Cyclic components, in the order shown: largest in bytes first. */
static uint32_t *sorted_cycles(ctx *c, int only_unreachable, long min_size, size_t *n) {
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

static void print_break(FILE *out, ctx *c, const uint32_t *edges, size_t n, int json) {
    const rg_graph *g = c->g;
    char a[300], b[300], l[80];
    for (size_t i = 0; i < n; i++) {
        uint32_t e = edges[i], src = rg_edge_source(g, e), dst = g->ref_target[e];
        rg_gstr lab = g->str[RG_EDGE_LABEL(g->ref_label[e])];
        if (json) {
            fprintf(out, "%s{\"from\":%llu,\"to\":%llu,\"label\":", i ? "," : "", (unsigned long long)g->id[src],
                    (unsigned long long)g->id[dst]);
            json_gstr(out, lab);
            fputc('}', out);
        } else {
            fprintf(out, "%s%s -%s-> %s", i ? "; " : "", cli_obj(g, c->root, src, a, sizeof a),
                    cli_gstr(lab, l, sizeof l), cli_obj(g, c->root, dst, b, sizeof b));
        }
    }
}

int cmd_cycles(int argc, char **argv) {
    cli_args a;
    int rc = cli_parse("cycles", argc, argv, cmd_cycles_opts, &a);
    if (rc) {
        cli_args_free(&a);
        return rc < 0 ? EXIT_OK : rc;
    }
    long min_size, limit;
    rg_render_options ro;
    cli_store store = {NULL, NULL};
    ctx c;
    memset(&c, 0, sizeof c);
    if (a.npos != 1) {
        rc = cli_usage_error("cycles", a.npos ? "give one dump" : "no dump given");
        goto out;
    }
    if (cli_int(&a, "min-size", 1, 1, 1L << 32, &min_size) < 0 || cli_int(&a, "limit", 0, 0, 1L << 32, &limit) < 0 ||
        cli_draw_options(&a, &ro, &store) < 0) {
        rc = EXIT_USAGE;
        goto out;
    }
    if ((rc = ctx_load(&c, a.pos[0]))) goto out;
    size_t n;
    uint32_t *comps = sorted_cycles(&c, cli_has(&a, "unreachable"), min_size, &n);
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
    int json = cli_has(&a, "json");
    uint64_t objects = 0, bytes = 0, unreachable = 0;
    for (size_t i = 0; i < n; i++) {
        objects += s->size[comps[i]];
        bytes = rg_sat_add(bytes, s->bytes[comps[i]]);
        unreachable += !c.an.reach[c.f.members[c.f.comp_start[comps[i]]]];
    }
    size_t shown = limit && (size_t)limit < n ? (size_t)limit : n;
    char b1[32];
    if (json)
        printf("{\"count\":%zu,\"objects\":%llu,\"bytes\":%llu,\"unreachable\":%llu,\"cycles\":[", n,
               (unsigned long long)objects, (unsigned long long)bytes, (unsigned long long)unreachable);
    else
        printf("%zu cycle%s, %llu objects, %s; %llu unreachable\n", n, n == 1 ? "" : "s",
               (unsigned long long)objects, cli_bytes(bytes, b1, sizeof b1), (unsigned long long)unreachable);
    const char *red = cli_c(stdout, "\033[31m"), *bold = cli_c(stdout, "\033[1m"), *off = cli_c(stdout, "\033[0m");
    for (size_t i = 0; i < shown; i++) {
        uint32_t k = comps[i], m = c.f.members[c.f.comp_start[k]];
        int reach = c.an.reach[m];
        uint32_t len = rg_shortest_cycle(&c.f, m, NULL, 0, c.scratch);
        size_t nb = rg_break_cycles(&c.f, k, brk, MAX_BREAK);
        if (json) {
            printf("%s{\"objects\":%u,\"bytes\":%llu,\"retained\":%llu,\"reachable\":%s,\"types\":", i ? "," : "",
                   s->size[k], (unsigned long long)s->bytes[k], (unsigned long long)cret[k], reach ? "true" : "false");
            print_types(stdout, &c, k, 1);
            printf(",\"cycle\":");
            cli_json_path(stdout, g, m, c.scratch, len);
            printf(",\"make_weak\":");
            if (nb) {
                fputc('[', stdout);
                print_break(stdout, &c, brk, nb, 1);
                fputc(']', stdout);
            } else {
                fputs("null", stdout);
            }
            fputc('}', stdout);
            continue;
        }
        char b2[32];
        printf("\n%scycle %zu%s: %u object%s, %s, retains %s, %s%s%s\n", bold, i + 1, off, s->size[k],
               s->size[k] == 1 ? "" : "s", cli_bytes(s->bytes[k], b1, sizeof b1), cli_bytes(cret[k], b2, sizeof b2),
               reach ? "" : red,
               reach ? "reachable from a root" : "unreachable (garbage only the collector frees)", reach ? "" : off);
        printf("  types     ");
        print_types(stdout, &c, k, 0);
        printf("\n  cycle     ");
        cli_print_path(stdout, g, c.root, m, c.scratch, len);
        printf("\n  break it  ");
        if (nb) {
            printf("make weak: ");
            print_break(stdout, &c, brk, nb, 0);
        } else {
            printf("no %d references break it: it is many cycles knotted together", MAX_BREAK);
        }
        putchar('\n');
    }
    if (json) printf("]}\n");
    if (cli_get(&a, "output")) { /* draw them: whole small cycles, the shortest cycle of big ones */
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
            rc = cli_finish_drawing(d, &a);
        }
    }
    free(comps);
    free(brk);
    free(cret);
out:
    cli_store_free(&store);
    ctx_free(&c);
    cli_args_free(&a);
    return rc;
}

/* ---- leaks ------------------------------------------------------------------------------------------ */

typedef struct group {
    uint32_t comp;
    uint64_t objects, bytes;
} group;

static int by_group_bytes(const void *x, const void *y) {
    const group *a = x, *b = y;
    if (a->bytes != b->bytes) return a->bytes < b->bytes ? 1 : -1;
    return a->comp < b->comp ? -1 : a->comp > b->comp;
}

int cmd_leaks(int argc, char **argv) {
    cli_args a;
    int rc = cli_parse("leaks", argc, argv, cmd_leaks_opts, &a);
    if (rc) {
        cli_args_free(&a);
        return rc < 0 ? EXIT_OK : rc;
    }
    long limit;
    ctx c;
    memset(&c, 0, sizeof c);
    if (a.npos != 1) {
        rc = cli_usage_error("leaks", a.npos ? "give one dump" : "no dump given");
        goto out;
    }
    if (cli_int(&a, "limit", 20, 0, 1L << 32, &limit) < 0) {
        rc = EXIT_USAGE;
        goto out;
    }
    if ((rc = ctx_load(&c, a.pos[0]))) goto out;
    const rg_graph *g = c.g;
    const rg_scc *s = &c.an.scc;
    const uint8_t *reach = c.an.reach;
    /* source components of the garbage: no reference from other garbage */
    uint8_t *fed = calloc((size_t)s->ncomp + 1, 1);
    uint32_t *owner = malloc(((size_t)g->n + 1) * sizeof *owner);
    group *groups = calloc((size_t)s->ncomp + 1, sizeof *groups);
    uint64_t *cret = cli_cycle_retained(g, s);
    if (!fed || !owner || !groups || !cret) {
        free(fed);
        free(owner);
        free(groups);
        free(cret);
        cli_nomem();
        rc = EXIT_INPUT;
        goto out;
    }
    uint64_t lost = 0, lost_bytes = 0;
    for (uint32_t v = 0; v < g->n; v++) {
        owner[v] = RG_NONE;
        if (reach[v]) continue;
        lost++;
        lost_bytes = rg_sat_add(lost_bytes, g->size[v]);
        for (uint32_t e = g->ref_start[v]; e < g->ref_start[v + 1]; e++) {
            uint32_t w = g->ref_target[e];
            if (!(g->ref_label[e] & RG_EDGE_WEAK) && s->comp[w] != s->comp[v]) fed[s->comp[w]] = 1;
        }
    }
    /* each garbage object joins the first source that reaches it (breadth-first) */
    size_t ngroups = 0;
    uint32_t *queue = c.f.queue;
    for (uint32_t k = 0; k < s->ncomp; k++) {
        uint32_t m = c.f.members[c.f.comp_start[k]];
        if (reach[m] || fed[k] || owner[m] != RG_NONE) continue;
        group *gr = &groups[ngroups];
        gr->comp = k;
        uint32_t head = 0, tail = 0;
        for (uint32_t j = c.f.comp_start[k]; j < c.f.comp_start[k + 1]; j++) {
            owner[c.f.members[j]] = (uint32_t)ngroups;
            queue[tail++] = c.f.members[j];
        }
        while (head < tail) { /* bound: each object joins one group, queued once (owner set) */
            uint32_t v = queue[head++];
            gr->objects++;
            gr->bytes = rg_sat_add(gr->bytes, g->size[v]);
            for (uint32_t e = g->ref_start[v]; e < g->ref_start[v + 1]; e++) {
                uint32_t w = g->ref_target[e];
                if ((g->ref_label[e] & RG_EDGE_WEAK) || reach[w] || owner[w] != RG_NONE) continue;
                owner[w] = (uint32_t)ngroups;
                queue[tail++] = w;
            }
        }
        ngroups++;
    }
    qsort(groups, ngroups, sizeof *groups, by_group_bytes);
    /* objects held from outside the dump */
    uint64_t nheld = 0;
    for (uint32_t v = 0; v < g->n; v++) nheld += c.an.external[v] > 0 && !cli_heap_owned(g, v);
    int json = cli_has(&a, "json");
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
            print_types(stdout, &c, k, 1);
            printf(",\"cycle\":");
            cli_json_path(stdout, g, m, c.scratch, len);
            fputc('}', stdout);
            continue;
        }
        char b2[32];
        printf("\ngroup %zu: %llu object%s, %s, kept alive by a cycle of %u that retains %s: ", i + 1,
               (unsigned long long)groups[i].objects, groups[i].objects == 1 ? "" : "s",
               cli_bytes(groups[i].bytes, b1, sizeof b1), s->size[k], cli_bytes(cret[k], b2, sizeof b2));
        print_types(stdout, &c, k, 0);
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
        if (c.an.external[v] <= 0 || cli_heap_owned(g, v)) continue;
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
    rc = cli_has(&a, "check") && lost ? EXIT_FOUND : EXIT_OK;
    free(fed);
    free(owner);
    free(groups);
    free(cret);
out:
    ctx_free(&c);
    cli_args_free(&a);
    return rc;
}

/* ---- chain ------------------------------------------------------------------------------------------ */

int cmd_chain(int argc, char **argv) {
    cli_args a;
    int rc = cli_parse("chain", argc, argv, cmd_chain_opts, &a);
    if (rc) {
        cli_args_free(&a);
        return rc < 0 ? EXIT_OK : rc;
    }
    rg_render_options ro;
    cli_store store = {NULL, NULL};
    ctx c;
    memset(&c, 0, sizeof c);
    uint32_t *objs = NULL;
    size_t nobjs = 0;
    if (a.npos != 2) {
        rc = cli_usage_error("chain", a.npos < 2 ? "give a dump and an object" : "give one dump and one object");
        goto out;
    }
    if (cli_draw_options(&a, &ro, &store) < 0) {
        rc = EXIT_USAGE;
        goto out;
    }
    if ((rc = ctx_load(&c, a.pos[0]))) goto out;
    const rg_graph *g = c.g;
    if (cli_resolve(c.g, a.pos[0], a.pos[1], &objs, &nobjs) < 0 || nobjs != 1) {
        if (nobjs > 1) cli_error("'%s' names %zu objects: name one", a.pos[1], nobjs);
        rc = EXIT_USAGE;
        goto out;
    }
    uint32_t obj = objs[0], first;
    /* --skip-type and --ignore: a chain around those objects */
    int filtered = ro.skip_types.n || ro.ignore.n;
    uint8_t *avoid = filtered ? malloc((size_t)g->n + 1) : NULL;
    if (filtered && !avoid) {
        cli_nomem();
        rc = EXIT_INPUT;
        goto out;
    }
    rg_render_options only_skip = ro;
    only_skip.types = (rg_strlist){NULL, 0};
    for (uint32_t i = 0; avoid && i < g->n; i++) avoid[i] = !cli_drawable(g, &only_skip, i);
    long len = rg_root_chain(&c.f, c.root, c.an.external, avoid, obj, &first, c.scratch);
    free(avoid);
    int json = cli_has(&a, "json");
    char name[300];
    if (len < 0 && filtered && rg_root_chain(&c.f, c.root, c.an.external, NULL, obj, &first, c.scratch) >= 0) {
        if (json)
            printf("{\"id\":%llu,\"reachable\":true,\"root\":null,\"chain\":null}\n", (unsigned long long)g->id[obj]);
        else
            printf("%s: every chain from a root passes an object --skip-type or --ignore leaves out\n",
                   cli_obj(g, c.root, obj, name, sizeof name));
        rc = EXIT_FOUND;
        goto out;
    }
    if (len < 0) {
        if (json) {
            printf("{\"id\":%llu,\"reachable\":false,\"chain\":null}\n", (unsigned long long)g->id[obj]);
        } else {
            printf("%s is not reachable from any root: it is garbage that only the cycle collector frees "
                   "(see 'refgraph leaks')\n",
                   cli_obj(g, c.root, obj, name, sizeof name));
        }
        rc = EXIT_FOUND;
        goto out;
    }
    uint32_t kind = c.root[first].kind;
    const char *held = kind == RG_ROOT_GLOBAL ? "global" : kind == RG_ROOT_LOCAL ? "frame local" : "held from outside";
    if (json) {
        printf("{\"id\":%llu,\"reachable\":true,\"root\":\"%s\",\"chain\":", (unsigned long long)g->id[obj],
               kind == RG_ROOT_GLOBAL ? "global" : kind == RG_ROOT_LOCAL ? "local" : "outside");
        cli_json_path(stdout, g, first, c.scratch, (size_t)len);
        printf("}\n");
    } else {
        printf("%s: ", held);
        cli_print_path(stdout, g, c.root, first, c.scratch, (size_t)len);
        putchar('\n');
    }
    if (cli_get(&a, "output")) {
        rg_drawing *d = rg_drawing_new(g, &c.an, &ro);
        if (!d) {
            cli_nomem();
            rc = EXIT_OUTPUT;
            goto out;
        }
        rg_drawing_node(d, first, 0, 0);
        for (long i = 0; i < len; i++) {
            rg_drawing_node(d, g->ref_target[c.scratch[i]], (int)(i + 1 < 3 ? i + 1 : 3), 0);
            rg_drawing_edge(d, c.scratch[i], 0);
        }
        rg_drawing_node(d, obj, 0, RG_DRAW_START);
        rc = cli_finish_drawing(d, &a);
    }
out:
    free(objs);
    cli_store_free(&store);
    ctx_free(&c);
    cli_args_free(&a);
    return rc;
}
