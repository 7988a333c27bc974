/* report: a leak-suspects report in one self-contained HTML page — the
 * summary, the biggest retainers with their chains from a root and a
 * picture each, the cycles only the collector frees, and, given an older
 * dump of the same heap, what grew. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "refgraph/html.h"

#define CHILDREN_DRAWN 8   /* references drawn from each retainer */
#define CYCLE_DRAWN_WHOLE 30 /* cycles up to this size are drawn whole */
#define SUSPECT_SHARE 0.10 /* a retainer of this share of the heap is a suspect, as in Eclipse MAT */
#define PATH_SHOWN 20      /* steps of a long chain shown at each end */
#define CHAIN_DRAWN 12     /* steps of a chain drawn, the last ones */

const cli_opt cmd_report_opts[] = {
    {"output", 'o', "FILE", "write the report, one HTML page, to FILE (required); - is standard output"},
    {"limit", 0, "N", "retainers, cycles and grown objects shown (default 8)"},
    {NULL, 0, NULL, NULL},
};

typedef struct report {
    rg_html *h;
    cli_heap *cur, *old;
    rg_scc_dom sd;
    rg_render_options ro;
    size_t limit;
    int failed; /* out of memory or a Graphviz failure: exit 4 */
    rg_error err;
} report;

/* Text that would go to a FILE, escaped into the page. */
static void path_text(report *r, uint32_t first, const uint32_t *edges, size_t n) {
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) {
        r->failed = 1;
        return;
    }
    cli_print_path_ends(f, r->cur->g, r->cur->root, first, edges, n, PATH_SHOWN);
    if (fclose(f) == 0) {
        rg_html_raw(r->h, "<div class=\"path\">");
        rg_html_text(r->h, buf, len);
        rg_html_raw(r->h, "</div>\n");
    } else {
        r->failed = 1;
    }
    free(buf);
}

static void obj_text(report *r, const cli_heap *hp, uint32_t v) {
    char name[300];
    const char *s = cli_obj(hp->g, hp->root, v, name, sizeof name);
    rg_html_text(r->h, s, strlen(s));
}

static void bytes_cell(report *r, uint64_t n) {
    char b[32];
    rg_html_rawf(r->h, "<td class=\"n\">%s</td>", cli_bytes(n, b, sizeof b));
}

static void picture(report *r, rg_drawing *d) {
    char *svg = NULL;
    size_t len = 0;
    if (!d) {
        r->failed = 1;
        return;
    }
    if (rg_drawing_svg(d, &svg, &len, &r->err) != 0) {
        r->failed = 1;
        return;
    }
    rg_html_svg(r->h, svg, len);
    free(svg);
}

/* ---- sections --------------------------------------------------------------------------------------- */

static void summary(report *r, const char *path, const char *old_path) {
    const cli_heap *c = r->cur;
    const rg_graph *g = c->g;
    uint64_t unreach = 0, unreach_bytes = 0, held = 0, cycles = 0, garbage_cycles = 0;
    for (uint32_t v = 0; v < g->n; v++) {
        if (!c->an.reach[v]) {
            unreach++;
            unreach_bytes = rg_sat_add(unreach_bytes, g->size[v]);
        }
        held += c->an.external[v] > 0 && !rg_graph_heap_owned(g, v);
    }
    for (uint32_t k = 0; k < c->an.scc.ncomp; k++) {
        if (!c->an.scc.cyclic[k]) continue;
        cycles++;
        garbage_cycles += !c->an.reach[c->f.members[c->f.comp_start[k]]];
    }
    char b[32];
    rg_html_section(r->h, "summary", "Summary");
    rg_html_raw(r->h, "<table>\n<tr><th>dump</th><td><code>");
    rg_html_text(r->h, path, strlen(path));
    rg_html_raw(r->h, "</code></td></tr>\n");
    if (old_path) {
        rg_html_raw(r->h, "<tr><th>compared with</th><td><code>");
        rg_html_text(r->h, old_path, strlen(old_path));
        rg_html_raw(r->h, "</code></td></tr>\n");
    }
    rg_html_rawf(r->h, "<tr><th>heap</th><td>%016llx, written by ", (unsigned long long)g->header.heap_id);
    rg_html_text(r->h, g->header.producer, strlen(g->header.producer));
    rg_html_raw(r->h, " on ");
    rg_html_text(r->h, g->header.created, strlen(g->header.created));
    rg_html_rawf(r->h, "</td></tr>\n<tr><th>objects</th><td>%u, %s, %u references</td></tr>\n", g->n,
                 cli_bytes(c->dom.total, b, sizeof b), g->nrefs);
    rg_html_rawf(r->h, "<tr><th>cycles</th><td>%llu, %llu of them garbage only the collector frees</td></tr>\n",
                 (unsigned long long)cycles, (unsigned long long)garbage_cycles);
    rg_html_rawf(r->h, "<tr><th>unreachable</th><td>%llu objects, %s</td></tr>\n", (unsigned long long)unreach,
                 cli_bytes(unreach_bytes, b, sizeof b));
    rg_html_rawf(r->h, "<tr><th>held from outside</th><td>%llu objects</td></tr>\n</table>\n",
                 (unsigned long long)held);
}

static void retainers(report *r) {
    cli_heap *c = r->cur;
    const rg_graph *g = c->g;
    size_t n;
    uint32_t *top = cli_largest(g, c->dom.retained, NULL, r->limit, &n);
    if (!top) {
        r->failed = 1;
        return;
    }
    char b[32];
    rg_html_section(r->h, "retainers", "Biggest retainers");
    rg_html_raw(r->h, "<p>The objects whose freeing would give back the most memory: each one's own size and "
                      "everything only it keeps alive. In <span class=\"suspect\">red</span>, suspects retaining "
                      "10% of the heap or more.</p>\n<table>\n<tr><th>#</th><th class=\"n\">retained</th>"
                      "<th class=\"n\">share</th><th class=\"n\">size</th><th>object</th></tr>\n");
    double total = c->dom.total ? (double)c->dom.total : 1.0;
    for (size_t i = 0; i < n; i++) {
        uint32_t v = top[i];
        double share = (double)c->dom.retained[v] / total;
        rg_html_rawf(r->h, "<tr%s><td>%zu</td>", share >= SUSPECT_SHARE ? " class=\"suspect\"" : "", i + 1);
        bytes_cell(r, c->dom.retained[v]);
        rg_html_rawf(r->h, "<td class=\"n\">%.1f%%</td>", 100.0 * share);
        bytes_cell(r, g->size[v]);
        rg_html_raw(r->h, "<td><a href=\"#retainer-");
        rg_html_rawf(r->h, "%zu\">", i + 1);
        obj_text(r, c, v);
        rg_html_raw(r->h, "</a></td></tr>\n");
    }
    rg_html_raw(r->h, "</table>\n");
    for (size_t i = 0; i < n && !r->failed; i++) {
        uint32_t v = top[i], first = 0;
        rg_html_rawf(r->h, "<h3 id=\"retainer-%zu\">%zu. ", i + 1, i + 1);
        obj_text(r, c, v);
        rg_html_rawf(r->h, " retains %s</h3>\n", cli_bytes(c->dom.retained[v], b, sizeof b));
        long len = rg_root_chain(&c->f, c->root, c->an.external, NULL, v, &first, c->scratch);
        rg_drawing *d = rg_drawing_new(g, &c->an, &r->ro);
        if (len < 0) {
            rg_html_raw(r->h, "<p class=\"none\">No root reaches it: garbage only the cycle collector frees.</p>\n");
        } else {
            const char *kind = cli_root_kind(c, first);
            rg_html_rawf(r->h, "<p>Chain of references from a root (%s):</p>\n",
                         strcmp(kind, "global") == 0  ? "a global"
                         : strcmp(kind, "local") == 0 ? "a frame local"
                                                      : "an object held from outside the dump");
            path_text(r, first, c->scratch, (size_t)len);
            if (d) { /* the root's end when short, else the last steps */
                long from = len > CHAIN_DRAWN ? len - CHAIN_DRAWN : 0;
                rg_drawing_node(d, from ? g->ref_target[c->scratch[from - 1]] : first, 0, 0);
                for (long k = from; k < len; k++) {
                    rg_drawing_node(d, g->ref_target[c->scratch[k]], (int)(k - from + 1 < 3 ? k - from + 1 : 3), 0);
                    rg_drawing_edge(d, c->scratch[k], 0);
                }
            }
        }
        if (d) { /* the object and what it references */
            rg_drawing_node(d, v, 0, RG_DRAW_START);
            uint32_t drawn = 0, e;
            for (e = g->ref_start[v]; e < g->ref_start[v + 1] && drawn < CHILDREN_DRAWN; e++) {
                uint32_t w = g->ref_target[e];
                if (!rg_drawing_has(d, w)) rg_drawing_node(d, w, 1, 0);
                rg_drawing_edge(d, e, 0);
                drawn++;
            }
            if (e < g->ref_start[v + 1]) rg_drawing_more(d, v, g->ref_start[v + 1] - e, 0);
        }
        picture(r, d);
    }
    free(top);
}

static const uint64_t *cmp_ret;
static int by_retained(const void *x, const void *y) {
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    if (cmp_ret[a] != cmp_ret[b]) return cmp_ret[a] < cmp_ret[b] ? 1 : -1;
    return a < b ? -1 : a > b;
}

static void garbage_cycles(report *r) {
    cli_heap *c = r->cur;
    const rg_graph *g = c->g;
    const rg_scc *s = &c->an.scc;
    uint32_t *comps = malloc(((size_t)s->ncomp + 1) * sizeof *comps);
    if (!comps) {
        r->failed = 1;
        return;
    }
    size_t n = 0;
    for (uint32_t k = 0; k < s->ncomp; k++)
        if (s->cyclic[k] && !c->an.reach[c->f.members[c->f.comp_start[k]]]) comps[n++] = k;
    cmp_ret = r->sd.retained;
    qsort(comps, n, sizeof *comps, by_retained);
    char b1[32], b2[32];
    rg_html_section(r->h, "garbage-cycles", "Cycles only the collector frees");
    if (!n) {
        rg_html_raw(r->h, "<p class=\"none\">None: every cycle is reachable from a root.</p>\n");
        free(comps);
        return;
    }
    rg_html_rawf(r->h, "<p>%zu cycle%s no root reaches: reference counting alone never frees them. "
                       "Largest retained first (what collecting the cycle gives back).</p>\n",
                 n, n == 1 ? "" : "s");
    for (size_t i = 0; i < n && i < r->limit && !r->failed; i++) {
        uint32_t k = comps[i], m = c->f.members[c->f.comp_start[k]];
        rg_html_rawf(r->h, "<h3>cycle %zu: %u objects, %s, retains %s</h3>\n", i + 1, s->size[k],
                     cli_bytes(s->bytes[k], b1, sizeof b1), cli_bytes(r->sd.retained[k], b2, sizeof b2));
        uint32_t len = rg_shortest_cycle(&c->f, m, NULL, 0, c->scratch);
        path_text(r, m, c->scratch, len);
        rg_drawing *d = rg_drawing_new(g, &c->an, &r->ro);
        if (d) {
            uint32_t first = c->f.comp_start[k], last = c->f.comp_start[k + 1];
            if (last - first <= CYCLE_DRAWN_WHOLE) {
                for (uint32_t j = first; j < last; j++) rg_drawing_node(d, c->f.members[j], 0, 0);
                for (uint32_t j = first; j < last; j++) {
                    uint32_t v = c->f.members[j];
                    for (uint32_t e = g->ref_start[v]; e < g->ref_start[v + 1]; e++)
                        if (s->comp[g->ref_target[e]] == k) rg_drawing_edge(d, e, 0);
                }
            } else {
                rg_drawing_node(d, m, 0, 0);
                for (uint32_t j = 0; j < len; j++) {
                    rg_drawing_node(d, g->ref_target[c->scratch[j]], 0, 0);
                    rg_drawing_edge(d, c->scratch[j], 0);
                }
            }
        }
        picture(r, d);
    }
    if (n > r->limit) rg_html_rawf(r->h, "<p class=\"none\">(%zu more cycles: refgraph cycles --unreachable)</p>\n",
                                   n - r->limit);
    free(comps);
}

static void growth(report *r) {
    const cli_heap *c = r->cur, *o = r->old;
    const rg_graph *ng = c->g, *og = o->g;
    rg_match m;
    uint64_t *grew = malloc(((size_t)ng->n + 1) * sizeof *grew);
    uint8_t *skip = malloc((size_t)ng->n + 1);
    uint32_t *top = NULL, *before = NULL;
    size_t n = 0;
    int matched = rg_match_init(&m, og, ng) == 0;
    if (grew && skip && matched) {
        before = m.old_of;
        for (uint32_t v = 0; v < ng->n; v++) {
            uint32_t k = before[v];
            uint64_t was = k == RG_NONE ? 0 : o->dom.retained[k];
            grew[v] = c->dom.retained[v] > was ? c->dom.retained[v] - was : 0;
            skip[v] = grew[v] == 0;
        }
        top = cli_largest(ng, grew, skip, r->limit, &n);
    }
    if (!top) {
        r->failed = 1;
    } else {
        char b1[32], b2[32];
        rg_html_section(r->h, "growth", "What grew since the older dump");
        rg_html_rawf(r->h, "<p>%llu new objects (%s), %llu freed (%s); heap %s &rarr; %s.</p>\n",
                     (unsigned long long)m.nnew, cli_bytes(m.new_bytes, b1, sizeof b1), (unsigned long long)m.nfreed,
                     cli_bytes(m.freed_bytes, b2, sizeof b2), cli_bytes(o->dom.total, b1, sizeof b1),
                     cli_bytes(c->dom.total, b2, sizeof b2));
        if (!n) {
            rg_html_raw(r->h, "<p class=\"none\">No object's retained size grew.</p>\n");
        } else {
            rg_html_raw(r->h, "<table>\n<tr><th class=\"n\">before</th><th class=\"n\">after</th>"
                              "<th class=\"n\">growth</th><th>object</th></tr>\n");
            for (size_t i = 0; i < n; i++) {
                uint32_t v = top[i];
                rg_html_raw(r->h, "<tr>");
                if (before[v] == RG_NONE)
                    rg_html_raw(r->h, "<td class=\"n\">new</td>");
                else
                    bytes_cell(r, o->dom.retained[before[v]]);
                bytes_cell(r, c->dom.retained[v]);
                rg_html_rawf(r->h, "<td class=\"n\">+%s</td><td>", cli_bytes(grew[v], b1, sizeof b1));
                obj_text(r, c, v);
                rg_html_raw(r->h, "</td></tr>\n");
            }
            rg_html_raw(r->h, "</table>\n");
        }
    }
    free(grew);
    free(skip);
    free(top);
    if (matched) rg_match_free(&m);
}

int cmd_report(const cli_args *a) {
    int rc = EXIT_OK;
    long limit;
    cli_heap cur, old;
    memset(&cur, 0, sizeof cur);
    memset(&old, 0, sizeof old);
    report r;
    memset(&r, 0, sizeof r);
    const char *out = cli_get(a, "output");
    if (cli_int(a, "limit", 8, 1, 1000, &limit) < 0) {
        rc = EXIT_USAGE;
        goto done;
    }
    if ((rc = cli_heap_load(&cur, a->pos[0]))) goto done;
    if (a->npos == 2) {
        if ((rc = cli_heap_load(&old, a->pos[1]))) goto done;
        if (old.g->header.heap_id != cur.g->header.heap_id) {
            cli_error("cannot compare '%s' and '%s': they are dumps of different heaps (%016llx and %016llx), "
                      "whose ids mean different objects",
                      a->pos[1], a->pos[0], (unsigned long long)old.g->header.heap_id,
                      (unsigned long long)cur.g->header.heap_id);
            rc = EXIT_USAGE;
            goto done;
        }
        if (!rg_match_in_order(old.g, cur.g)) {
            cli_error("'%s' was written after '%s': give the newer dump first, then the older", a->pos[1], a->pos[0]);
            rc = EXIT_USAGE;
            goto done;
        }
        r.old = &old;
    }
    r.cur = &cur;
    r.limit = (size_t)limit;
    r.ro.no_legend = 1;
    r.ro.max_depth = 3;
    r.ro.too_many = CHILDREN_DRAWN;
    r.ro.retained = cur.dom.retained;
    if (rg_scc_dominators(cur.g, &cur.an.scc, &r.sd)) {
        cli_nomem();
        rc = EXIT_INPUT;
        goto done;
    }
    char title[300];
    snprintf(title, sizeof title, "refgraph report: %s", a->pos[0]);
    if (!(r.h = rg_html_open(out, title, &r.err))) {
        if (r.err.code == RG_ENOMEM)
            cli_nomem();
        else
            cli_error("%s", r.err.text);
        rc = EXIT_OUTPUT;
        goto done;
    }
    summary(&r, a->pos[0], a->npos == 2 ? a->pos[1] : NULL);
    if (!r.failed) retainers(&r);
    if (!r.failed) garbage_cycles(&r);
    if (!r.failed && r.old) growth(&r);
    if (r.failed) { /* the page is not finished: nothing under its name */
        rg_html_abort(r.h);
        if (!r.err.code || r.err.code == RG_ENOMEM) /* main exits 5 */
            cli_nomem();
        else
            cli_error("cannot write '%s': %s", out, r.err.text);
        rc = EXIT_OUTPUT;
        goto done;
    }
    if (rg_html_close(r.h, &r.err) != 0) {
        if (r.err.code == RG_ENOMEM)
            cli_nomem();
        else
            cli_error("%s", r.err.text);
        rc = EXIT_OUTPUT;
    }
done:
    rg_scc_dom_free(&r.sd);
    cli_heap_free(&cur);
    cli_heap_free(&old);
    return rc;
}
