/* show-refs and show-backrefs: objgraph's pictures from a dump. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

const cli_opt cmd_show_opts[] = {
    {"json", 0, NULL, "print the selection as JSON instead of drawing it (shape in refgraph(1))"},
    {"retained", 0, NULL, "add each object's retained size to its box (what freeing it gives back)"},
    {"output", 'o', "FILE", "write to FILE, not standard output " CLI_DRAW_FILE_HELP},
    CLI_DRAW_OPTS,
    {NULL, 0, NULL, NULL},
};

static int show(int backrefs, const cli_args *a) {
    const char *cmd = a->cmd;
    int rc = EXIT_OK;
    rg_render_options o;
    cli_store store = {0};
    rg_graph *g = NULL;
    rg_analysis an = {0};
    rg_dom dom = {0};
    uint32_t *starts = NULL;
    size_t nstarts = 0;
    if (cli_draw_options(a, &o, &store) < 0) {
        rc = EXIT_USAGE;
        goto out;
    }
    o.backrefs = backrefs;
    if (cli_has(a, "json")) o.format = "json";
    if (!(g = cli_load(a->pos[0]))) {
        rc = EXIT_INPUT;
        goto out;
    }
    if (cli_check_draw_types(a, g, NULL, a->pos[0]) < 0) {
        rc = EXIT_USAGE;
        goto out;
    }
    for (size_t i = 1; i < a->npos; i++) {
        if (cli_resolve(g, a->pos[0], a->pos[i], &starts, &nstarts) < 0) {
            rc = EXIT_USAGE;
            goto out;
        }
    }
    if (rg_analyze(g, &an) != 0 || (cli_has(a, "retained") && rg_dominators(g, &dom) != 0)) {
        cli_nomem();
        rc = EXIT_INPUT;
        goto out;
    }
    o.retained = dom.retained;
    rg_error err = {0};
    if (rg_show(g, &an, starts, nstarts, &o, cli_get(a, "output"), &err) != 0) {
        if (err.code == RG_EINVAL)
            rc = cli_usage_error(cmd, "%s", err.text);
        else if (err.code == RG_ENOMEM)
            rc = cli_nomem();
        else {
            cli_error("%s", err.text);
            rc = EXIT_OUTPUT;
        }
    }
out:
    cli_store_free(&store);
    rg_dom_free(&dom);
    rg_analysis_free(&an);
    rg_graph_free(g);
    free(starts);
    return rc;
}

int cmd_show_refs(const cli_args *a) { return show(0, a); }
int cmd_show_backrefs(const cli_args *a) { return show(1, a); }
