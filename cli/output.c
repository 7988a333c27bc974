/* output.c — names, paths and JSON for the reporting commands.
 * A path reads "list#4 (func:a) -[3]-> list#8 -[3]-> list#4": each object
 * as type#id (and the root that binds it), each reference with its label.
 * Every JSON document a command prints is a json_t built with jansson and
 * written by cli_json_print: the one place that chooses the format. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "refgraph/outfile.h"

json_t *cli_json_str(const char *s, size_t n) {
    size_t bad = 0;
    for (size_t i = 0; i < n;) { /* bound: i grows by at least 1 */
        unsigned long cp;
        int valid;
        i += rg_utf8_next(s + i, n - i, &cp, &valid);
        bad += !valid;
    }
    if (!bad) return json_stringn(s, n);
    /* text from outside a dump (a path) that is not UTF-8: each such byte
     * becomes the text \xNN, as the dump writer writes it */
    char *t = malloc(n + 3 * bad + 1);
    if (!t) return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n;) { /* bound: i grows by at least 1 */
        unsigned long cp;
        int valid;
        size_t k = rg_utf8_next(s + i, n - i, &cp, &valid);
        if (valid) {
            memcpy(t + o, s + i, k);
            o += k;
        } else {
            o += (size_t)snprintf(t + o, 5, "\\x%02x", (unsigned char)s[i]);
        }
        i += k;
    }
    json_t *j = json_stringn(t, o);
    free(t);
    return j;
}

json_t *cli_json_u64(uint64_t v) { return json_integer(v > (uint64_t)INT64_MAX ? INT64_MAX : (json_int_t)v); }

json_t *cli_json_share(double x) {
    if (!(x > 0)) x = 0;
    return json_real((double)(long long)(x * 10000 + 0.5) / 10000);
}

void cli_jset(json_t *o, const char *key, json_t *v, int *bad) {
    if (json_object_set_new(o, key, v) < 0) *bad = 1;
}

void cli_jpush(json_t *a, json_t *v, int *bad) {
    if (json_array_append_new(a, v) < 0) *bad = 1;
}

int cli_json_print(json_t *doc, int bad) {
    /* Into a buffer of the size a first pass measures: jansson's own growing
     * buffer ignores a failed append of an object's key (the key goes
     * missing, the document stays "valid"), and json_dumpb into a buffer
     * large enough appends without allocating. */
    const size_t flags = JSON_COMPACT | JSON_ENSURE_ASCII | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15);
    size_t n = doc && !bad ? json_dumpb(doc, NULL, 0, flags) : 0;
    char *text = n ? malloc(n) : NULL;
    if (text && json_dumpb(doc, text, n, flags) != n) {
        free(text);
        text = NULL;
    }
    json_decref(doc);
    if (!text) return cli_nomem();
    /* JSON_ENSURE_ASCII leaves one control character raw: DEL. It can only
     * stand inside a string, where \u007f means the same */
    int ok = 1;
    for (size_t i = 0; ok && i < n;) { /* bound: i moves past each DEL to n */
        const char *del = memchr(text + i, 0x7f, n - i);
        size_t k = del ? (size_t)(del - (text + i)) : n - i;
        ok = fwrite(text + i, 1, k, stdout) == k && (!del || fputs("\\u007f", stdout) >= 0);
        i += k + (del != NULL);
    }
    ok = ok && putchar('\n') != EOF;
    free(text);
    if (!ok) {
        cli_error("cannot write to standard output");
        return EXIT_OUTPUT;
    }
    return EXIT_OK;
}

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

json_t *cli_json_path(const rg_graph *g, const rg_root *root, uint32_t first, const uint32_t *edges, size_t n) {
    json_t *arr = json_array();
    int bad = 0;
    uint32_t v = first;
    for (size_t k = 0; k <= n; k++) {
        json_t *step = json_object();
        cli_jset(step, "id", cli_json_u64(g->id[v]), &bad);
        cli_jset(step, "type", cli_json_gstr(g->str[g->type[v]]), &bad);
        if (root && root[v].kind == RG_ROOT_GLOBAL) {
            cli_jset(step, "global", cli_json_gstr(g->str[g->global_name[root[v].index]]), &bad);
        } else if (root && root[v].kind == RG_ROOT_LOCAL) {
            const rg_graph_frame *fr = &g->frames[root[v].frame];
            cli_jset(step, "frame", cli_json_gstr(g->str[fr->name]), &bad);
            cli_jset(step, "local", cli_json_gstr(g->str[fr->local_name[root[v].index]]), &bad);
        }
        if (k < n) {
            cli_jset(step, "label", cli_json_gstr(g->str[RG_EDGE_LABEL(g->ref_label[edges[k]])]), &bad);
            v = g->ref_target[edges[k]];
        } else {
            cli_jset(step, "label", json_null(), &bad);
        }
        cli_jpush(arr, step, &bad);
    }
    if (bad) {
        json_decref(arr);
        return NULL;
    }
    return arr;
}
