/* count: how many objects of a type, and their bytes (objgraph's count). */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

const cli_opt cmd_count_opts[] = {
    {"json", 0, NULL, "print JSON (shape in refgraph(1))"},
    {NULL, 0, NULL, NULL},
};

int cmd_count(const cli_args *a) {
    rg_graph *g = cli_load(a->pos[0]);
    if (!g) return EXIT_INPUT;
    const char *name = a->pos[1];
    int rc = EXIT_OK;
    uint32_t *objs = NULL;
    size_t n = 0;
    if (cli_check_type(g, NULL, a->pos[0], name) < 0) {
        rc = EXIT_USAGE;
        goto out;
    }
    if (!(objs = rg_objects_of_type(g, rg_type_find(g, name, strlen(name)), &n))) {
        rc = cli_nomem();
        goto out;
    }
    uint64_t bytes = 0;
    for (size_t i = 0; i < n; i++) bytes = rg_sat_add(bytes, g->size[objs[i]]);
    if (cli_has(a, "json")) {
        json_t *doc = json_object();
        int bad = 0;
        cli_jset(doc, "type", cli_json_str(name, strlen(name)), &bad);
        cli_jset(doc, "count", cli_json_u64(n), &bad);
        cli_jset(doc, "bytes", cli_json_u64(bytes), &bad);
        rc = cli_json_print(doc, bad);
    } else {
        printf("%zu\n", n);
    }
out:
    free(objs);
    rg_graph_free(g);
    return rc;
}
