/* chain: the shortest chain of references from a root to an object: why
 * it is still alive; -o draws it. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

const cli_opt cmd_chain_opts[] = {
    {"json", 0, NULL, "print JSON (shape in refgraph(1))"},
    CLI_DRAW_OPTS,
    {NULL, 0, NULL, NULL},
};

int cmd_chain(const cli_args *a) {
    int rc = EXIT_OK;
    rg_render_options ro;
    cli_store store = {NULL, NULL};
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
    long len = rg_root_chain(&c.f, c.root, c.an.external, avoid, obj, &first, c.scratch);
    free(avoid);
    int json = cli_has(a, "json");
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
    if (cli_get(a, "output")) {
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
        rg_drawing_roots(d);
        rc = cli_finish_drawing(d, a);
    }
out:
    free(objs);
    cli_store_free(&store);
    cli_alive_free(&c);
    return rc;
}
