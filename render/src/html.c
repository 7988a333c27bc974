/* html.c — a self-contained HTML page, written through the output layer
 * (refgraph/outfile.h: a temporary file renamed into place) (refgraph/html.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "refgraph/html.h"
#include "refgraph/outfile.h"

struct rg_html {
    rg_outfile *o;
    FILE *f; /* borrowed from o */
    int in_section;
    int failed; /* errno of the first failed write, or 0 */
};

static const char style[] =
    "body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:72em;padding:0 1em;color:#222}"
    "h1{font-size:1.6em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:2em}"
    "h3{font-size:1.05em;margin:1.5em 0 .3em}"
    "table{border-collapse:collapse;margin:.5em 0}td,th{padding:.2em .8em;text-align:left;border-bottom:1px solid #eee}"
    "td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}"
    "code,.path{font-family:ui-monospace,monospace;font-size:.92em}"
    ".path{background:#f6f6f6;padding:.4em .6em;border-radius:4px;overflow-wrap:anywhere}"
    ".suspect{color:#b00;font-weight:600}.none{color:#777}"
    "figure.picture{margin:.5em 0 1.5em;overflow:auto;border:1px solid #eee;padding:.5em}"
    "figure.picture svg{max-width:100%;height:auto}";

static void put(rg_html *h, const char *s, size_t n) {
    if (h->failed || !n) return;
    if (fwrite(s, 1, n, h->f) != n) h->failed = errno ? errno : EIO;
}

void rg_html_raw(rg_html *h, const char *markup) { put(h, markup, strlen(markup)); }

void rg_html_rawf(rg_html *h, const char *fmt, ...) {
    if (h->failed) return;
    va_list ap;
    va_start(ap, fmt);
    if (vfprintf(h->f, fmt, ap) < 0) h->failed = errno ? errno : EIO;
    va_end(ap);
}

void rg_html_text(rg_html *h, const char *s, size_t n) {
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *ent = c == '&' ? "&amp;" : c == '<' ? "&lt;" : c == '>' ? "&gt;" : c == '"' ? "&quot;"
                        : c == '\'' ? "&#39;" : NULL;
        if (!ent && c >= 0x20 && c != 0x7f) {
            run++;
            continue;
        }
        put(h, s + i - run, run);
        run = 0;
        if (ent) {
            rg_html_raw(h, ent);
        } else {
            char t[8];
            snprintf(t, sizeof t, "\\x%02x", c);
            rg_html_raw(h, t);
        }
    }
    put(h, s + n - run, run);
}

rg_html *rg_html_open(const char *path, const char *title, rg_error *err) {
    return rg_html_open_style(path, title, NULL, err);
}

rg_html *rg_html_open_style(const char *path, const char *title, const char *css, rg_error *err) {
    rg_html *h = calloc(1, sizeof *h);
    if (!h) {
        rg_error_set(err, RG_ENOMEM, path, 0, 0, "out of memory");
        return NULL;
    }
    if (!(h->o = rg_outfile_open(path, err))) {
        free(h);
        return NULL;
    }
    h->f = rg_outfile_stream(h->o);
    rg_html_raw(h, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>");
    rg_html_text(h, title, strlen(title));
    rg_html_rawf(h, "</title>\n<style>%s%s</style>\n</head>\n<body>\n<h1>", style, css ? css : "");
    rg_html_text(h, title, strlen(title));
    rg_html_raw(h, "</h1>\n");
    return h;
}

void rg_html_script(rg_html *h, const char *js) {
    rg_html_raw(h, "<script>\n");
    rg_html_raw(h, js);
    rg_html_raw(h, "</script>\n");
}

void rg_html_section(rg_html *h, const char *id, const char *title) {
    if (h->in_section) rg_html_raw(h, "</section>\n");
    rg_html_raw(h, "<section id=\"");
    rg_html_text(h, id, strlen(id));
    rg_html_raw(h, "\">\n<h2>");
    rg_html_text(h, title, strlen(title));
    rg_html_raw(h, "</h2>\n");
    h->in_section = 1;
}

/* The first occurrence of needle in s[0..n), or NULL. */
static const char *find(const char *s, size_t n, const char *needle) {
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++)
        if (memcmp(s + i, needle, k) == 0) return s + i;
    return NULL;
}

void rg_html_svg(rg_html *h, const char *svg, size_t n) {
    const char *start = find(svg, n, "<svg");
    if (!start) return;
    const char *end = svg + n;
    rg_html_raw(h, "<figure class=\"picture\">\n");
    /* copy, leaving out comments (Graphviz writes the graph's name in one) */
    const char *p = start;
    while (p < end) {
        const char *c = find(p, (size_t)(end - p), "<!--");
        if (!c) {
            put(h, p, (size_t)(end - p));
            break;
        }
        put(h, p, (size_t)(c - p));
        const char *close = find(c + 4, (size_t)(end - c - 4), "-->");
        p = close ? close + 3 : end;
    }
    rg_html_raw(h, "</figure>\n");
}

int rg_html_close(rg_html *h, rg_error *err) {
    if (h->in_section) rg_html_raw(h, "</section>\n");
    rg_html_raw(h, "</body>\n</html>\n");
    int rc = 0;
    if (h->failed) {
        rg_error_set(err, RG_EIO, "<html>", 0, 0, "cannot write: %s", strerror(h->failed));
        rg_outfile_abort(h->o);
        rc = RG_EIO;
    } else {
        rc = rg_outfile_commit(h->o, err);
    }
    free(h);
    return rc;
}

void rg_html_abort(rg_html *h) {
    rg_outfile_abort(h->o);
    free(h);
}
