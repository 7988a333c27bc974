/* output.c — names, paths and JSON strings for the reporting commands.
 * A path reads "list#4 (func:a) -[3]-> list#8 -[3]-> list#4": each object
 * as type#id (and the root that binds it), each reference with its label. */
#include <string.h>

#include "cli.h"
#include "refgraph/outfile.h"

void json_str(FILE *f, const char *s, size_t n) { rg_fputs_json(f, s, n); }

const char *cli_obj(const rg_graph *g, const rg_root *root, uint32_t i, char *buf, size_t size) {
    char t[128], r[160] = "";
    cli_gstr(g->str[g->type[i]], t, sizeof t);
    if (root && root[i].kind == RG_ROOT_GLOBAL) {
        char n[128];
        snprintf(r, sizeof r, " (%s)", cli_gstr(g->str[g->global_name[root[i].index]], n, sizeof n));
    } else if (root && root[i].kind == RG_ROOT_LOCAL) {
        uint32_t fi = root[i].frame, k = root[i].index;
        char fn[64], ln[64];
        snprintf(r, sizeof r, " (%s:%s)", cli_gstr(g->str[g->frames[fi].name], fn, sizeof fn),
                 cli_gstr(g->str[g->frames[fi].local_name[k]], ln, sizeof ln));
    }
    snprintf(buf, size, "%s#%llu%s", t, (unsigned long long)g->id[i], r);
    return buf;
}

void cli_print_path(FILE *f, const rg_graph *g, const rg_root *root, uint32_t first, const uint32_t *edges,
                    size_t n) {
    char b[400], l[80];
    fputs(cli_obj(g, root, first, b, sizeof b), f);
    for (size_t k = 0; k < n; k++) {
        rg_gstr lab = g->str[RG_EDGE_LABEL(g->ref_label[edges[k]])];
        fprintf(f, " -%s-> %s", cli_gstr(lab, l, sizeof l), cli_obj(g, root, g->ref_target[edges[k]], b, sizeof b));
    }
}

void cli_json_path(FILE *f, const rg_graph *g, uint32_t first, const uint32_t *edges, size_t n) {
    fputc('[', f);
    uint32_t v = first;
    for (size_t k = 0; k <= n; k++) {
        fprintf(f, "%s{\"id\":%llu,\"type\":", k ? "," : "", (unsigned long long)g->id[v]);
        json_gstr(f, g->str[g->type[v]]);
        fputs(",\"label\":", f);
        if (k < n) {
            json_gstr(f, g->str[RG_EDGE_LABEL(g->ref_label[edges[k]])]);
            v = g->ref_target[edges[k]];
        } else {
            fputs("null", f);
        }
        fputc('}', f);
    }
    fputc(']', f);
}
