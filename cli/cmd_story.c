/* story: a lesson a teacher can project — the dumps of one heap taken step
 * by step, as one self-contained HTML page: for each step its title, the
 * code line(s) that led to it and a caption (the dump header's optional
 * "step" field), the figures (refcounts of what the roots hold, memory in
 * use, objects alive, unreachable objects, the collector's counts), what
 * changed since the previous step (graph/'s rg_step_diff_compute) and a
 * picture of the heap with those changes coloured in. A little inline
 * script shows one step at a time: ←/→, the buttons, or #step=N. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "refgraph/html.h"
#include "refgraph/steps.h"

#define GHOSTS_DRAWN 30  /* freed objects drawn per step */
#define RC_LISTED 6      /* refcount changes listed per step */
#define ROOTS_LISTED 12  /* objects held by roots listed per step */
#define NAMES_LISTED 8   /* names listed per root object */

const cli_opt cmd_story_opts[] = {
    {"output", 'o', "FILE", "write the page, one HTML file, to FILE (required); - is standard output"},
    {"title", 0, "TEXT", "the page's title (default: the lesson the first dump names)"},
    {"max-nodes", 0, "N", "objects drawn per step at most, changed ones first (default 60)"},
    {NULL, 0, NULL, NULL},
};

typedef struct story {
    rg_html *h;
    size_t max_nodes;
    rg_error err;
    int failed; /* out of memory or a Graphviz failure */
} story;

static const char story_css[] =
    "body{font-size:17px;max-width:80em}"
    "nav.stepper{position:sticky;top:0;background:#fff;padding:.5em 0;border-bottom:1px solid #ccc;z-index:1}"
    "nav.stepper button{font-size:1em;padding:.3em 1em;margin-right:.5em}"
    "#pos{font-weight:600;margin:0 1em}.hint{color:#777}"
    "section.step h2 .num{color:#777;font-weight:400;margin-right:.5em}"
    "pre.code{background:#1e1e2e;color:#f0f0f0;padding:.6em 1em;border-radius:4px;font-size:1.15em;white-space:pre-wrap}"
    ".caption{font-size:1.1em}"
    "table.figures th{font-weight:400;color:#555}"
    "ul.changes li.new{color:#070}ul.changes li.freed{color:#b00}"
    "ul.changes li.rc{color:#860}ul.changes li.lost{color:#c50;font-weight:600}"
    "p.empty{font-size:1.2em;padding:1em;background:#f6f6f6;border-radius:4px}"
    ".legend span{display:inline-block;padding:0 .5em;margin:.1em .3em .1em 0;border:1px solid #999}"
    "#js-error{color:#b00;font-weight:600}";

/* Installed first: any error of the page's script is written into the
 * page, where a reader (and the browser test) sees it. */
static const char story_onerror[] =
    "window.onerror = function (msg, src, line) {\n"
    "  var p = document.createElement('pre'); p.id = 'js-error';\n"
    "  p.textContent = 'JavaScript error: ' + msg + ' (line ' + line + ')';\n"
    "  document.body.appendChild(p);\n"
    "};\n";

static const char story_js[] =
    "(function () {\n"
    "  var steps = [].slice.call(document.querySelectorAll('section.step'));\n"
    "  var prev = document.getElementById('prev'), next = document.getElementById('next');\n"
    "  var pos = document.getElementById('pos'), cur = 0;\n"
    "  function show(i) {\n"
    "    if (i > steps.length - 1) i = steps.length - 1;\n"
    "    if (i < 0) i = 0;\n"
    "    cur = i;\n"
    "    steps.forEach(function (s, k) { s.hidden = k !== i; });\n"
    "    pos.textContent = 'Step ' + (i + 1) + ' of ' + steps.length;\n"
    "    prev.disabled = i === 0;\n"
    "    next.disabled = i === steps.length - 1;\n"
    "    document.body.setAttribute('data-current', String(i + 1));\n"
    "    var h = '#step=' + (i + 1);\n"
    "    if (location.hash !== h) history.replaceState(null, '', h);\n"
    "  }\n"
    "  function fromHash() {\n"
    "    var m = /^#step=(\\d+)$/.exec(location.hash);\n"
    "    return m ? parseInt(m[1], 10) - 1 : 0;\n"
    "  }\n"
    "  document.addEventListener('keydown', function (e) {\n"
    "    if (e.key === 'ArrowRight' || e.key === 'PageDown' || e.key === ' ') show(cur + 1);\n"
    "    else if (e.key === 'ArrowLeft' || e.key === 'PageUp') show(cur - 1);\n"
    "    else if (e.key === 'Home') show(0);\n"
    "    else if (e.key === 'End') show(steps.length - 1);\n"
    "    else return;\n"
    "    e.preventDefault();\n"
    "  });\n"
    "  prev.addEventListener('click', function () { show(cur - 1); });\n"
    "  next.addEventListener('click', function () { show(cur + 1); });\n"
    "  window.addEventListener('hashchange', function () { show(fromHash()); });\n"
    "  show(fromHash());\n"
    "})();\n";

/* "1,234,567" into buf (at least 32 bytes). */
static const char *grouped(uint64_t v, char *buf) {
    char t[32];
    int n = snprintf(t, sizeof t, "%llu", (unsigned long long)v), k = 0;
    for (int i = 0; i < n; i++) {
        if (i && (n - i) % 3 == 0) buf[k++] = ',';
        buf[k++] = t[i];
    }
    buf[k] = '\0';
    return buf;
}

/* Memory that means something at every size: "1.53 MiB (1,601,536 bytes)",
 * or the bytes alone when MiB would read 0.00. buf: at least 64 bytes. */
static const char *memory(uint64_t bytes, char *buf) {
    char g[32];
    double mb = (double)bytes / (1024.0 * 1024.0);
    if (mb >= 0.005)
        snprintf(buf, 64, "%.2f MiB (%s bytes)", mb, grouped(bytes, g));
    else
        snprintf(buf, 64, "%s byte%s", grouped(bytes, g), bytes == 1 ? "" : "s");
    return buf;
}

static uint64_t collections(const rg_graph *g) {
    return g->header.gen[0].collections + g->header.gen[1].collections + g->header.gen[2].collections;
}

static uint64_t collected(const rg_graph *g) {
    return g->header.gen[0].collected + g->header.gen[1].collected + g->header.gen[2].collected;
}

/* The heap's own singletons (None, True, False) nothing in the dump
 * references: not part of any lesson. */
static int shown(const rg_graph *g, uint32_t i) {
    return !rg_graph_heap_owned(g, i) || g->back_start[i] != g->back_start[i + 1];
}

static void text(story *s, const char *t) { rg_html_text(s->h, t, strlen(t)); }

static void gtext(story *s, rg_gstr t) { rg_html_text(s->h, t.ptr, t.len); }

/* "list#4 (func:a)", escaped. */
static void obj_text(story *s, const rg_graph *g, const rg_root *root, uint32_t v) {
    char name[300];
    text(s, cli_obj(g, root, v, name, sizeof name));
}

/* The code, one line of the page per line of code. */
static void code_lines(story *s, const char *code) {
    rg_html_raw(s->h, "<pre class=\"code\">");
    const char *p = code;
    for (;;) { /* each pass consumes one line: ends at the string's end */
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        rg_html_text(s->h, p, n);
        if (!nl) break;
        rg_html_raw(s->h, "\n");
        p = nl + 1;
    }
    rg_html_raw(s->h, "</pre>\n");
}

/* One row: the names that bind obj (globals, then frame locals) and its
 * refcount. */
static void root_row(story *s, const rg_graph *g, uint32_t obj) {
    rg_html_raw(s->h, "<tr class=\"root\"><th>");
    uint32_t names = 0;
    for (uint32_t i = 0; i < g->nglobals; i++) {
        if (g->global_obj[i] != obj) continue;
        if (names++ < NAMES_LISTED) {
            rg_html_raw(s->h, names > 1 ? ", " : "global ");
            gtext(s, g->str[g->global_name[i]]);
        }
    }
    for (uint32_t f = 0; f < g->nframes; f++) {
        const rg_graph_frame *fr = &g->frames[f];
        for (uint32_t i = 0; i < fr->nlocals; i++) {
            if (fr->local_obj[i] != obj) continue;
            if (names++ < NAMES_LISTED) {
                if (names > 1) rg_html_raw(s->h, ", ");
                gtext(s, g->str[fr->name]);
                rg_html_raw(s->h, ":");
                gtext(s, g->str[fr->local_name[i]]);
            }
        }
    }
    if (names > NAMES_LISTED) rg_html_rawf(s->h, " and %u more", names - NAMES_LISTED);
    rg_html_raw(s->h, "</th><td>");
    gtext(s, g->str[g->type[obj]]);
    rg_html_rawf(s->h, "#%llu, refcount <b class=\"rc\">%lld</b></td></tr>\n", (unsigned long long)g->id[obj],
                 (long long)g->refcount[obj]);
}

/* Every object the roots hold (the first ROOTS_LISTED), with the names
 * that bind it and its refcount: what a lesson about refcounts is about.
 * Linear in the roots: each binding is looked at once here, and once per
 * row in root_row. */
static void root_figures(story *s, const rg_graph *g) {
    uint32_t listed[ROOTS_LISTED], nlisted = 0;
    for (uint32_t f = 0; f <= g->nframes && nlisted < ROOTS_LISTED; f++) { /* 0: the globals; f: frame f-1 */
        uint32_t n = f == 0 ? g->nglobals : g->frames[f - 1].nlocals;
        const uint32_t *objs = f == 0 ? g->global_obj : g->frames[f - 1].local_obj;
        for (uint32_t i = 0; i < n && nlisted < ROOTS_LISTED; i++) {
            int seen = 0;
            for (uint32_t k = 0; k < nlisted; k++) seen |= listed[k] == objs[i];
            if (seen) continue;
            listed[nlisted++] = objs[i];
            root_row(s, g, objs[i]);
        }
    }
}

static void figures(story *s, const rg_graph *g, const rg_analysis *an, const rg_graph *prev) {
    char b[64], c[64], n1[32];
    uint64_t unreach = 0;
    for (uint32_t i = 0; i < g->n; i++) unreach += !an->reach[i];
    rg_html_raw(s->h, "<table class=\"figures\">\n");
    rg_html_rawf(s->h, "<tr class=\"memory\"><th>memory in use</th><td data-bytes=\"%llu\">%s",
                 (unsigned long long)g->header.bytes_in_use, memory(g->header.bytes_in_use, b));
    if (prev) {
        uint64_t was = prev->header.bytes_in_use, now = g->header.bytes_in_use;
        if (now != was)
            rg_html_rawf(s->h, " <span class=\"delta\">(%s%s since the previous step)</span>", now > was ? "+" : "−",
                         memory(now > was ? now - was : was - now, c));
    }
    rg_html_raw(s->h, "</td></tr>\n");
    rg_html_rawf(s->h, "<tr class=\"objects\"><th>objects alive</th><td>%s</td></tr>\n",
                 grouped(g->header.live_objects, n1));
    rg_html_rawf(s->h, "<tr class=\"unreachable\"><th>unreachable (only the collector frees them)</th><td>%s</td></tr>\n",
                 grouped(unreach, n1));
    uint64_t runs = collections(g);
    rg_html_rawf(s->h, "<tr class=\"gc\"><th>collector</th><td>%s, %llu collection%s, %llu object%s collected</td></tr>\n",
                 g->header.gc_enabled ? "enabled" : "disabled", (unsigned long long)runs, runs == 1 ? "" : "s",
                 (unsigned long long)collected(g), collected(g) == 1 ? "" : "s");
    root_figures(s, g);
    rg_html_raw(s->h, "</table>\n");
}

static void changes(story *s, const rg_graph *g, const rg_root *root, const rg_graph *prev, const rg_step_diff *d) {
    char b[64], n1[32];
    rg_html_raw(s->h, "<ul class=\"changes\">\n");
    if (!prev) {
        rg_html_raw(s->h, "<li>The first step.</li>\n</ul>\n");
        return;
    }
    if (d->nnew)
        rg_html_rawf(s->h, "<li class=\"new\">%s new object%s (%s), in green</li>\n", grouped(d->nnew, n1),
                     d->nnew == 1 ? "" : "s", memory(d->new_bytes, b));
    if (d->nfreed)
        rg_html_rawf(s->h, "<li class=\"freed\">%s object%s freed (%s), in red, dashed</li>\n",
                     grouped(d->nfreed, n1), d->nfreed == 1 ? "" : "s", memory(d->freed_bytes, b));
    if (d->nrc) {
        rg_html_rawf(s->h, "<li class=\"rc\">refcount changed, in yellow: ");
        uint32_t listed = 0;
        for (uint32_t i = 0; i < g->n && listed < RC_LISTED; i++) {
            if (!(d->mark[i] & RG_STEP_RC)) continue;
            if (listed++) rg_html_raw(s->h, "; ");
            obj_text(s, g, root, i);
            rg_html_rawf(s->h, " %lld → %lld", (long long)d->old_rc[i], (long long)g->refcount[i]);
        }
        if (d->nrc > listed) rg_html_rawf(s->h, "; and %u more", d->nrc - listed);
        rg_html_raw(s->h, "</li>\n");
    }
    if (d->nlost)
        rg_html_rawf(s->h, "<li class=\"lost\">%s object%s no longer reachable from any root, in orange with a "
                           "double border: garbage that only the cycle collector can free</li>\n",
                     grouped(d->nlost, n1), d->nlost == 1 ? "" : "s");
    if (!d->nnew && !d->nfreed && !d->nrc && !d->nlost)
        rg_html_raw(s->h, "<li class=\"same\">No object changed since the previous step.</li>\n");
    rg_html_raw(s->h, "</ul>\n");
}

static unsigned draw_marks(uint8_t m) {
    return (m & RG_STEP_NEW ? RG_DRAW_NEW : 0) | (m & RG_STEP_RC ? RG_DRAW_CHANGED : 0) |
           (m & RG_STEP_LOST ? RG_DRAW_LOST : 0);
}

/* The heap at this step: changed objects first, then the rest, up to
 * max_nodes; their references; the objects freed since the previous step
 * as red ghosts; the roots. Says in words when there is nothing to draw. */
static void picture(story *s, const rg_graph *g, const rg_analysis *an, const rg_root *root, const rg_graph *prev,
                    const rg_step_diff *d, const char *file) {
    char b[64], n1[32], n2[32];
    uint32_t alive = 0;
    for (uint32_t i = 0; i < g->n; i++) alive += shown(g, i);
    uint32_t ghosts = d->nfreed < GHOSTS_DRAWN ? d->nfreed : GHOSTS_DRAWN;
    if (!alive) {
        rg_html_raw(s->h, "<p class=\"empty\">");
        if (prev && d->nfreed)
            rg_html_rawf(s->h, "Nothing is left to draw: the %s object%s of the previous step %s freed, memory back "
                               "to %s.",
                         grouped(d->nfreed, n1), d->nfreed == 1 ? "" : "s", d->nfreed == 1 ? "was" : "were",
                         memory(g->header.bytes_in_use, b));
        else
            rg_html_rawf(s->h, "Nothing to draw: the heap holds no object yet; memory in use %s.",
                         memory(g->header.bytes_in_use, b));
        rg_html_raw(s->h, "</p>\n");
        if (!ghosts) return;
    }
    rg_render_options ro = {0};
    ro.no_legend = 1;
    ro.max_depth = 3;
    ro.refcounts = 1;
    ro.old_refcount = d->old_rc;
    rg_drawing *dr = rg_drawing_new(g, an, &ro);
    if (!dr) {
        s->failed = 1;
        return;
    }
    size_t drawn = 0, leaves = 0;
    /* When not everything fits: four passes, most telling first: changed
     * objects that a root holds or that hold others (the lists of a
     * lesson, not their ten thousand ints), other changed objects, then the
     * unchanged ones likewise; objects holding nothing at most a quarter of
     * the picture (the rest is counted in "N more references" boxes), so
     * that it stays readable when projected. */
    size_t max_leaves = alive <= s->max_nodes ? s->max_nodes : s->max_nodes / 4;
    for (unsigned level = 0; level < 4; level++)
        for (uint32_t i = 0; i < g->n && drawn < s->max_nodes; i++) {
            int holder = root[i].kind != RG_ROOT_NONE || g->ref_start[i + 1] > g->ref_start[i];
            unsigned lv = (d->mark[i] ? 0u : 2u) + (holder ? 0u : 1u);
            if (lv != level || !shown(g, i) || rg_drawing_has(dr, i) || (!holder && leaves >= max_leaves)) continue;
            if (rg_drawing_node(dr, i, 0, draw_marks(d->mark[i])) != 0) s->failed = 1;
            drawn++;
            leaves += !holder;
        }
    for (uint32_t i = 0; i < g->n; i++) {
        if (!rg_drawing_has(dr, i)) continue;
        uint32_t more = 0;
        for (uint32_t e = g->ref_start[i]; e < g->ref_start[i + 1]; e++) {
            if (rg_drawing_has(dr, g->ref_target[e]))
                rg_drawing_edge(dr, e, d->mark[i] & RG_STEP_NEW ? RG_DRAW_NEW : 0);
            else if (shown(g, g->ref_target[e]))
                more++;
        }
        if (more) rg_drawing_more(dr, i, more, 0);
    }
    for (uint32_t k = 0; k < ghosts; k++) { /* freed: what held each, if it is drawn */
        uint32_t o = d->freed[k], holder = RG_NONE;
        rg_gstr rl = {"", 0};
        for (uint32_t e = prev->back_start[o]; e < prev->back_start[o + 1] && holder == RG_NONE; e++) {
            uint32_t hld = d->match.cur_of[prev->back_src[e]];
            if (hld != RG_NONE && rg_drawing_has(dr, hld)) {
                holder = hld;
                rl = prev->str[RG_EDGE_LABEL(prev->ref_label[prev->back_edge[e]])];
            }
        }
        rg_drawing_ghost(dr, prev->id[o], prev->str[prev->type[o]], prev->str[prev->label[o]], holder, rl);
    }
    /* the references between the freed objects drawn (a freed cycle keeps its shape) */
    for (uint32_t k = 0; k < ghosts; k++) {
        uint32_t o = d->freed[k];
        for (uint32_t e = prev->ref_start[o]; e < prev->ref_start[o + 1]; e++) {
            int drawn_ghost = 0; /* its target among the ghosts drawn (at most GHOSTS_DRAWN) */
            for (uint32_t j = 0; j < ghosts && !drawn_ghost; j++) drawn_ghost = d->freed[j] == prev->ref_target[e];
            if (drawn_ghost)
                rg_drawing_ghost_ref(dr, prev->id[o], prev->id[prev->ref_target[e]],
                                     prev->str[RG_EDGE_LABEL(prev->ref_label[e])]);
        }
    }
    char *svg = NULL;
    size_t len = 0;
    if (rg_drawing_svg(dr, &svg, &len, &s->err) != 0) {
        s->failed = 1;
        return;
    }
    rg_html_svg(s->h, svg, len);
    free(svg);
    if (drawn < alive || ghosts < d->nfreed) {
        rg_html_raw(s->h, "<p class=\"note\">");
        if (alive)
            rg_html_rawf(s->h, "Drew %s of the %s objects alive", grouped(drawn, n1), grouped(alive, n2));
        if (ghosts < d->nfreed)
            rg_html_rawf(s->h, "%s %s of the %s freed", alive ? " and" : "Drew", grouped(ghosts, n1),
                         grouped(d->nfreed, n2));
        rg_html_raw(s->h, " (--max-nodes); <code>");
        text(s, file);
        rg_html_raw(s->h, "</code> has them all.</p>\n");
    }
}

/* A step's file name without its folder, for a title when the dump has none. */
static const char *base_name(const char *path) {
    const char *sl = strrchr(path, '/');
    return sl ? sl + 1 : path;
}

static void legend(story *s) {
    rg_html_raw(s->h,
                "<p class=\"legend\">In the pictures: "
                "<span style=\"background:#a6ffb7\">new since the previous step</span>"
                "<span style=\"background:#fffa80\">refcount changed [before → now]</span>"
                "<span style=\"background:#ffbd73;border:3px double #555\">just became unreachable</span>"
                "<span style=\"background:#ffa6a6;border:1px dashed red\">freed since the previous step</span>"
                "<span style=\"border:2px solid red\">in a reference cycle</span>"
                "<span style=\"border:1px dashed red\">dashed red box: a cycle no root reaches</span>"
                "<span style=\"background:#1ae600\">a root: a global or a frame's local</span>"
                "<span style=\"border:1px dashed #555\">dashed arrow: a weak reference</span></p>\n");
}

int cmd_story(const cli_args *a) {
    int rc = EXIT_OK;
    story s = {0};
    rg_graph *prev = NULL, *g = NULL, *first = NULL;
    rg_analysis pan = {0}, an = {0};
    rg_root *root = NULL;
    rg_step_diff d = {0};
    long max_nodes;
    const char *out = cli_get(a, "output");
    if (cli_int(a, "max-nodes", 60, 1, 5000, &max_nodes) < 0) {
        rc = EXIT_USAGE;
        goto done;
    }
    s.max_nodes = (size_t)max_nodes;
    /* the first dump gives the title and is the first step (standard input
     * is read once); the others are loaded in turn below, so that only two
     * are in memory at once */
    if (!(first = cli_load(a->pos[0]))) {
        rc = EXIT_INPUT;
        goto done;
    }
    char title[300];
    const char *t = cli_get(a, "title");
    snprintf(title, sizeof title, "%s", t ? t : first->header.step.lesson ? first->header.step.lesson : "refgraph story");
    if (!(s.h = rg_html_open_style(out, title, story_css, &s.err))) {
        cli_error("%s", s.err.text);
        rc = EXIT_OUTPUT;
        goto done;
    }
    rg_html_script(s.h, story_onerror);
    rg_html_rawf(s.h,
                 "<nav class=\"stepper\"><button id=\"prev\" type=\"button\">← previous</button>"
                 "<button id=\"next\" type=\"button\">next →</button><span id=\"pos\">%zu steps</span>"
                 "<span class=\"hint\">keys ← and →</span></nav>\n",
                 a->npos);
    legend(&s);
    for (size_t k = 0; k < a->npos && !s.failed; k++) {
        const char *file = a->pos[k];
        if (k == 0) {
            g = first;
            first = NULL;
        } else if (!(g = cli_load(file))) {
            rc = EXIT_INPUT;
            goto abort;
        }
        if (prev && g->header.heap_id != prev->header.heap_id) {
            cli_error("cannot tell a story of '%s' and '%s': they are dumps of different heaps (%016llx and %016llx)",
                      a->pos[k - 1], file, (unsigned long long)prev->header.heap_id,
                      (unsigned long long)g->header.heap_id);
            rc = EXIT_USAGE;
            goto abort;
        }
        if (prev && !rg_match_in_order(prev, g)) {
            cli_error("'%s' was written before '%s': give the steps in order", file, a->pos[k - 1]);
            rc = EXIT_USAGE;
            goto abort;
        }
        if (rg_analyze(g, &an) || !(root = rg_root_index(g)) ||
            rg_step_diff_compute(prev, prev ? pan.reach : NULL, g, an.reach, &d)) {
            cli_nomem();
            rc = EXIT_INPUT;
            goto abort;
        }
        if (prev && d.match.mixed)
            cli_error("warning: '%s' has %s ids and '%s' has %s ids: objects are matched by id, type and size",
                      a->pos[k - 1], rg_ids_reusable(prev) ? "reusable" : "sequence", file,
                      rg_ids_reusable(g) ? "reusable" : "sequence");
        const rg_dump_step *st = &g->header.step;
        rg_html_rawf(s.h, "<section class=\"step\" id=\"step-%zu\">\n<h2><span class=\"num\">Step %zu of %zu</span>",
                     k + 1, k + 1, a->npos);
        rg_html_raw(s.h, "<span class=\"title\">");
        text(&s, st->title ? st->title : base_name(file));
        rg_html_raw(s.h, "</span></h2>\n");
        if (st->code)
            code_lines(&s, st->code);
        else
            rg_html_raw(s.h, "<p class=\"code none\">(no code line recorded in this dump)</p>\n");
        if (st->caption) {
            rg_html_raw(s.h, "<p class=\"caption\">");
            text(&s, st->caption);
            rg_html_raw(s.h, "</p>\n");
        }
        figures(&s, g, &an, prev);
        changes(&s, g, root, prev, &d);
        picture(&s, g, &an, root, prev, &d, file);
        rg_html_raw(s.h, "</section>\n");
        /* this step becomes the previous one */
        rg_step_diff_free(&d);
        free(root);
        root = NULL;
        rg_analysis_free(&pan);
        rg_graph_free(prev);
        pan = an;
        memset(&an, 0, sizeof an);
        prev = g;
        g = NULL;
    }
    if (s.failed) {
        cli_error("cannot write '%s': %s", out, s.err.code ? s.err.text : "out of memory");
        rc = EXIT_OUTPUT;
        goto abort;
    }
    rg_html_script(s.h, story_js);
    if (rg_html_close(s.h, &s.err) != 0) {
        cli_error("%s", s.err.text);
        rc = EXIT_OUTPUT;
    }
    s.h = NULL;
    goto done;
abort: /* the page is not finished: nothing under its name */
    rg_html_abort(s.h);
done:
    rg_step_diff_free(&d);
    free(root);
    rg_analysis_free(&an);
    rg_analysis_free(&pan);
    rg_graph_free(g);
    rg_graph_free(prev);
    rg_graph_free(first);
    return rc;
}
