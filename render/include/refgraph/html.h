/* refgraph/html.h — one self-contained HTML page: styles inline, pictures
 * as inline SVG, at most a little inline script of the caller's own,
 * nothing fetched from the network. Small on purpose, shared by refgraph
 * report and the lesson pages (refgraph story).
 *
 * The page goes through the output layer (refgraph/outfile.h): a temporary
 * file beside the target, renamed into place by rg_html_close, so a failure
 * leaves the target as it was ("-" writes to standard output).
 * Writes after an error are ignored; the first error is reported by close.
 *
 *   rg_html *h = rg_html_open("report.html", "refgraph report", &err);
 *   rg_html_section(h, "summary", "Summary");
 *   rg_html_raw(h, "<p>");  rg_html_text(h, label, len);  rg_html_raw(h, "</p>");
 *   rg_html_svg(h, svg, svg_len);
 *   rg_html_close(h, &err);
 */
#ifndef REFGRAPH_HTML_H
#define REFGRAPH_HTML_H

#include <stddef.h>

#include "refgraph/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rg_html rg_html;

/* Starts the page (doctype, head with title and the style sheet, body, h1
 * with the title). NULL on failure with err set. */
rg_html *rg_html_open(const char *path, const char *title, rg_error *err);
/* The same with css (the caller's own rules, NULL for none) after the
 * shared style sheet. */
rg_html *rg_html_open_style(const char *path, const char *title, const char *css, rg_error *err);

/* Markup the caller wrote itself (never text from a dump). */
void rg_html_raw(rg_html *h, const char *markup);
void rg_html_rawf(rg_html *h, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Text, escaped: & < > " ' become entities, control characters \xNN. */
void rg_html_text(rg_html *h, const char *s, size_t n);
/* The caller's own script (a constant, never text from a dump), inline. */
void rg_html_script(rg_html *h, const char *js);
/* Closes the open section (if any) and starts <section id=ID><h2>TITLE</h2>. */
void rg_html_section(rg_html *h, const char *id, const char *title);
/* An SVG document from Graphviz, inline: its XML prolog, doctype and
 * comments left out, wrapped in <figure class="picture">. */
void rg_html_svg(rg_html *h, const char *svg, size_t n);

/* Ends the page, writes it to disk and renames it into place. Returns 0 or
 * RG_EIO with err set (the temporary file removed). Frees h either way. */
int rg_html_close(rg_html *h, rg_error *err);
/* Gives the page up: the temporary file is removed, nothing is renamed. */
void rg_html_abort(rg_html *h);

#ifdef __cplusplus
}
#endif
#endif
