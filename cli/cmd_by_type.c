/* by-type: the objects of a type, in dump order (objgraph's by_type). */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

const cli_opt cmd_by_type_opts[] = {
    {"limit", 0, "N", "list at most N objects (default 0: all)"},
    {"json", 0, NULL, "print JSON (shape in refgraph(1))"},
    {NULL, 0, NULL, NULL},
};

int cmd_by_type(const cli_args *a) {
    long limit;
    if (cli_int(a, "limit", 0, 0, 1L << 32, &limit) < 0) return EXIT_USAGE;
    rg_graph *g = cli_load(a->pos[0]);
    if (!g) return EXIT_INPUT;
    const char *name = a->pos[1];
    int rc = EXIT_OK;
    rg_root *root = NULL;
    uint32_t *objs = NULL;
    size_t n = 0;
    if (cli_check_type(g, NULL, a->pos[0], name) < 0) {
        rc = EXIT_USAGE;
        goto out;
    }
    if (!(root = rg_root_index(g)) || !(objs = rg_objects_of_type(g, rg_type_find(g, name, strlen(name)), &n))) {
        rc = cli_nomem();
        goto out;
    }
    size_t shown = limit == 0 || (size_t)limit > n ? n : (size_t)limit;
    char b[400], l[200];
    if (cli_has(a, "json")) {
        json_t *doc = json_object(), *list = json_array();
        int bad = 0;
        cli_jset(doc, "type", cli_json_str(name, strlen(name)), &bad);
        cli_jset(doc, "count", cli_json_u64(n), &bad);
        cli_jset(doc, "objects", json_incref(list), &bad);
        for (size_t i = 0; i < shown && !bad; i++) {
            uint32_t v = objs[i];
            json_t *o = json_object();
            cli_jset(o, "id", cli_json_u64(g->id[v]), &bad);
            cli_jset(o, "size", cli_json_u64(g->size[v]), &bad);
            cli_jset(o, "refcount", json_integer((json_int_t)g->refcount[v]), &bad);
            cli_jset(o, "label", cli_json_gstr(g->str[g->label[v]]), &bad);
            cli_jpush(list, o, &bad);
        }
        json_decref(list);
        rc = cli_json_print(doc, bad);
    } else {
        for (size_t i = 0; i < shown; i++) {
            uint32_t v = objs[i];
            printf("%s  %s\n", cli_obj(g, root, v, b, sizeof b), cli_gstr(g->str[g->label[v]], l, sizeof l));
        }
        if (shown < n) printf("(%zu more)\n", n - shown);
    }
out:
    free(objs);
    free(root);
    rg_graph_free(g);
    return rc;
}
