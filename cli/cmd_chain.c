/* chain: the shortest chain of references from a root to an object: why
 * it is still alive; with --to, the shortest chain from the object forward
 * to another (objgraph's find_ref_chain); -o draws it. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "refgraph/outfile.h"

const cli_opt cmd_chain_opts[] = {
    {"json", 0, NULL, "print JSON (shape in refgraph(1))"},
    {"to", 0, "TARGET", "the chain from OBJECT forward to TARGET: an object, or type=TYPE (any of the type)"},
    {"output", 'o', "FILE", "also draw the chain to FILE " CLI_DRAW_FILE_HELP},
    CLI_DRAW_OPTS,
    {NULL, 0, NULL, NULL},
};

/* Draws a chain: first, then each edge's target, obj marked as the start. */
static int draw_chain(const cli_args *a, cli_alive *c, const rg_render_options *ro, uint32_t first, long len,
                      uint32_t start) {
    rg_render_options o = *ro;
    o.legend_start = "the object asked about"; /* the chain ends (or, with --to, starts) at it */
    o.legend_depth = "farther from the root";
    rg_drawing *d = rg_drawing_new(c->g, &c->an, &o);
    if (!d) {
        cli_nomem();
        return EXIT_OUTPUT;
    }
    rg_drawing_node(d, first, 0, first == start ? RG_DRAW_START : 0);
    for (long i = 0; i < len; i++) {
        uint32_t w = c->g->ref_target[c->scratch[i]];
        rg_drawing_node(d, w, (int)(i + 1 < 3 ? i + 1 : 3), w == start ? RG_DRAW_START : 0);
        rg_drawing_edge(d, c->scratch[i], 0);
    }
    return cli_finish_drawing(d, a);
}

/* --to: objgraph's find_ref_chain, from obj forward to any target. */
static int forward(const cli_args *a, cli_alive *c, uint32_t obj, const uint8_t *avoid, const rg_render_options *ro) {
    const rg_graph *g = c->g;
    const char *to = cli_get(a, "to");
    uint32_t *targets = NULL;
    size_t ntargets = 0;
    if (cli_resolve(g, a->pos[0], to, &targets, &ntargets) < 0) {
        free(targets);
        return EXIT_USAGE;
    }
    uint8_t *target = calloc((size_t)g->n + 1, 1);
    if (!target) {
        free(targets);
        return cli_nomem();
    }
    for (size_t i = 0; i < ntargets; i++) target[targets[i]] = 1;
    free(targets);
    uint32_t last;
    long len = rg_forward_chain(&c->f, obj, target, avoid, &last, c->scratch);
    free(target);
    int json = cli_has(a, "json");
    char name[300], e[200];
    if (len < 0) {
        if (json) {
            json_t *doc = json_object();
            int bad = 0;
            cli_jset(doc, "id", cli_json_u64(g->id[obj]), &bad);
            cli_jset(doc, "found", json_false(), &bad);
            cli_jset(doc, "to", json_null(), &bad);
            cli_jset(doc, "chain", json_null(), &bad);
            int rc = cli_json_print(doc, bad);
            return rc ? rc : EXIT_FOUND;
        }
        printf("no chain of strong references from %s to '%s'%s\n", cli_obj(g, c->root, obj, name, sizeof name),
                   rg_escape(to, strlen(to), e, sizeof e), avoid ? " around the objects left out" : "");
        return EXIT_FOUND;
    }
    if (json) {
        json_t *doc = json_object();
        int bad = 0;
        cli_jset(doc, "id", cli_json_u64(g->id[obj]), &bad);
        cli_jset(doc, "found", json_true(), &bad);
        cli_jset(doc, "to", cli_json_u64(g->id[last]), &bad);
        cli_jset(doc, "chain", cli_json_path(g, c->root, obj, c->scratch, (size_t)len), &bad);
        int rc = cli_json_print(doc, bad);
        if (rc) return rc;
    } else {
        cli_print_path(stdout, g, c->root, obj, c->scratch, (size_t)len);
        putchar('\n');
    }
    return cli_get(a, "output") ? draw_chain(a, c, ro, obj, len, obj) : EXIT_OK;
}

int cmd_chain(const cli_args *a) {
    int rc = EXIT_OK;
    rg_render_options ro;
    cli_store store = {0};
    cli_alive c;
    memset(&c, 0, sizeof c);
    uint32_t *objs = NULL;
    size_t nobjs = 0;
    if (cli_draw_options(a, &ro, &store) < 0) {
        rc = EXIT_USAGE;
        goto out;
    }
    if ((rc = cli_alive_load(&c, a->pos[0]))) goto out;
    const rg_graph *g = c.g;
    if (cli_check_draw_types(a, g, NULL, a->pos[0]) < 0) {
        rc = EXIT_USAGE;
        goto out;
    }
    if (cli_resolve(c.g, a->pos[0], a->pos[1], &objs, &nobjs) < 0 || nobjs != 1) {
        if (nobjs > 1) cli_error("'%s' names %zu objects: name one", a->pos[1], nobjs);
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
    int json = cli_has(a, "json");
    char name[300];
    if (cli_get(a, "to")) {
        rc = forward(a, &c, obj, avoid, &ro);
        free(avoid);
        goto out;
    }
    long len = rg_root_chain(&c.f, c.root, c.an.external, avoid, obj, &first, c.scratch);
    free(avoid);
    if (len < 0 && filtered && rg_root_chain(&c.f, c.root, c.an.external, NULL, obj, &first, c.scratch) >= 0) {
        if (json) {
            json_t *doc = json_object();
            int bad = 0;
            cli_jset(doc, "id", cli_json_u64(g->id[obj]), &bad);
            cli_jset(doc, "reachable", json_true(), &bad);
            cli_jset(doc, "root", json_null(), &bad);
            cli_jset(doc, "chain", json_null(), &bad);
            if ((rc = cli_json_print(doc, bad))) goto out;
        } else {
            printf("%s: every chain from a root passes an object --skip-type or --ignore leaves out\n",
                   cli_obj(g, c.root, obj, name, sizeof name));
        }
        rc = EXIT_FOUND;
        goto out;
    }
    if (len < 0) {
        if (json) {
            json_t *doc = json_object();
            int bad = 0;
            cli_jset(doc, "id", cli_json_u64(g->id[obj]), &bad);
            cli_jset(doc, "reachable", json_false(), &bad);
            cli_jset(doc, "chain", json_null(), &bad);
            if ((rc = cli_json_print(doc, bad))) goto out;
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
        json_t *doc = json_object();
        int bad = 0;
        cli_jset(doc, "id", cli_json_u64(g->id[obj]), &bad);
        cli_jset(doc, "reachable", json_true(), &bad);
        cli_jset(doc, "root",
                 json_string(kind == RG_ROOT_GLOBAL ? "global" : kind == RG_ROOT_LOCAL ? "local" : "outside"), &bad);
        cli_jset(doc, "chain", cli_json_path(g, c.root, first, c.scratch, (size_t)len), &bad);
        if ((rc = cli_json_print(doc, bad))) goto out;
    } else {
        printf("%s: ", held);
        cli_print_path(stdout, g, c.root, first, c.scratch, (size_t)len);
        putchar('\n');
    }
    if (cli_get(a, "output")) rc = draw_chain(a, &c, &ro, first, len, obj);
out:
    free(objs);
    cli_store_free(&store);
    cli_alive_free(&c);
    return rc;
}
