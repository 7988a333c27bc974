/* refgraph/render.h — objgraph-style reference graphs, with cycles shown.
 *
 * A drawing is built from a loaded dump (rg_graph) and its analysis, then
 * written as DOT, PNG, SVG or PDF through Graphviz's libraries (libcgraph
 * builds the graph, libgvc lays it out and renders it). Output files appear
 * atomically: a failed render leaves nothing under the target name.
 *
 * Graphviz keeps process-wide state: render from one thread at a time.
 *
 * rg_show() is objgraph's show_refs / show_backrefs: a breadth-first walk
 * from start objects. The lower-level rg_drawing_* calls draw any chosen set
 * of objects and references (cycles, chains, diffs).
 */
#ifndef REFGRAPH_RENDER_H
#define REFGRAPH_RENDER_H

#include <stdio.h>

#include "refgraph/analysis.h"
#include "refgraph/graph.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rg_strlist {
    const char *const *items;
    size_t n;
} rg_strlist;

typedef struct rg_idlist {
    const uint64_t *items;
    size_t n;
} rg_idlist;

typedef struct rg_render_options {
    int backrefs;           /* walk referrers (show-backrefs) instead of referents */
    int max_depth;          /* 3 when 0; RG_DEPTH_STARTS: only the start objects */
    int too_many;           /* references drawn per object; 10 when 0 */
    rg_strlist types;       /* draw only objects of these types (start objects always) */
    rg_strlist skip_types;  /* never draw objects of these types */
    rg_strlist labels;      /* follow only references whose label is this text or
                               matches this fnmatch pattern */
    rg_strlist skip_labels; /* never follow references whose label matches */
    rg_idlist ignore;       /* never draw these objects */
    rg_strlist highlight_types;
    rg_idlist highlight_ids;
    rg_strlist stop_types; /* draw, but do not expand, these types (starts expand) */
    rg_idlist stop_ids;    /* ... and these objects */
    int refcounts;         /* "[refcount]" after the type */
    int cluster_cycles;    /* box every cycle, not only unreachable ones */
    int no_ids;            /* leave out "#id" after the type (shown by default, as text and
                              JSON name objects: "Node#9") */
    int no_legend;         /* the legend lists only what the picture shows, with samples */
    const char *legend_start; /* what red text means in the legend; "where the walk starts"
                                 when NULL (a chain: "the object asked about") */
    const char *legend_depth; /* what grey means; "farther from the start" when NULL */
    const uint64_t *retained; /* [n] retained sizes (rg_dominators) shown in each box, or NULL */
    const int64_t *old_refcount; /* [n] refcounts at the previous step, or NULL: with refcounts,
                                    a changed one shows as "[2 → 1]" */
    /* objgraph's extra_info: one more line in each object's box (and
     * "extra" in JSON), written by the caller into buf (size bytes, text
     * the drawing escapes); returns its length, 0 for no line. May be NULL.
     * Called with ud. */
    size_t (*extra_info)(const rg_graph *g, uint32_t obj, char *buf, size_t size, void *ud);
    const char *layout; /* Graphviz engine; "dot" when NULL */
    const char *format; /* dot, png, svg, pdf, or json (the selection, no drawing);
                           NULL: from the output name (dot without one) */
    size_t max_nodes;   /* objects drawn at most (RG_RENDER_MAX_NODES when 0): the
                           walk draws the nearest first, and at most a quarter of
                           it start objects (evenly sampled); the rest is counted */
    /* What the drawing left out, and why a PNG was refused, in words
     * ("drew 500 of the 2020 objects ..."): called on the caller's thread.
     * May be NULL. The text may quote nothing from the dump. */
    void (*note)(const char *text, void *ud);
    /* Called about once a second, from another thread, while Graphviz lays
     * out and renders a drawing that takes longer than a second (seconds so
     * far, objects drawn), and once with seconds < 0 when it is done. May be
     * NULL. */
    void (*progress)(double seconds, size_t objects, void *ud);
    void *ud;
} rg_render_options;

#define RG_RENDER_MAX_NODES 500
#define RG_DEPTH_STARTS (-1) /* max_depth: draw the start objects alone (objgraph's max_depth=0) */
/* A PNG side above this many pixels is scaled down by Graphviz (cairo's
 * limit); a drawing that would shrink below RG_RENDER_PNG_MIN_SCALE of its
 * size is refused with RG_ERANGE and advice instead. */
#define RG_RENDER_PNG_MAX_SIDE 32767
#define RG_RENDER_PNG_MIN_SCALE 0.5

/* Draws the walk from starts (object indexes) to output, or DOT on stdout
 * when output is NULL. Returns 0 or an rg_errno with err set. */
int rg_show(const rg_graph *g, const rg_analysis *a, const uint32_t *starts, size_t nstarts,
            const rg_render_options *opts, const char *output, rg_error *err);

/* The same walk written to an open stream (see rg_drawing_write). */
int rg_show_write(const rg_graph *g, const rg_analysis *a, const uint32_t *starts, size_t nstarts,
                  const rg_render_options *opts, FILE *f, rg_error *err);

/* ---- drawing chosen objects -------------------------------------------------------- */

typedef struct rg_drawing rg_drawing;

/* Node marks. */
#define RG_DRAW_START 0x1u     /* red font */
#define RG_DRAW_HIGHLIGHT 0x2u /* blue */
#define RG_DRAW_NEW 0x4u       /* green: new in a diff */
#define RG_DRAW_GONE 0x8u      /* red: freed in a diff */
#define RG_DRAW_CHANGED 0x10u  /* yellow: its refcount changed (a story's step) */
#define RG_DRAW_LOST 0x20u     /* orange, double border: reachable before, unreachable now */

rg_drawing *rg_drawing_new(const rg_graph *g, const rg_analysis *a, const rg_render_options *opts);
/* Adds an object (once; a later call only adds marks); depth sets its grey. */
int rg_drawing_node(rg_drawing *d, uint32_t obj, int depth, unsigned marks);
int rg_drawing_has(const rg_drawing *d, uint32_t obj);
/* Adds the reference e (an index into g->ref_*) between two drawn objects. */
int rg_drawing_edge(rg_drawing *d, uint32_t e, unsigned marks);
/* Adds a "N more references" node hanging off obj. */
int rg_drawing_more(rg_drawing *d, uint32_t obj, uint32_t count, int backrefs);
/* Adds a freed object (from an older dump) drawn in red, with a dashed red
 * reference from holder (a drawn object, or RG_NONE) labelled label. The
 * strings are copied. */
int rg_drawing_ghost(rg_drawing *d, uint64_t id, rg_gstr type, rg_gstr label, uint32_t holder, rg_gstr ref_label);
/* Adds a dashed red reference between two freed objects added with
 * rg_drawing_ghost (by their ids; left out unless both are drawn). The
 * label is copied. */
int rg_drawing_ghost_ref(rg_drawing *d, uint64_t from, uint64_t to, rg_gstr label);

/* Writes it (see rg_show for output and formats) and frees it. The
 * globals and frame locals that bind drawn objects are drawn with them. */
int rg_drawing_finish(rg_drawing *d, const char *output, rg_error *err);
void rg_drawing_free(rg_drawing *d);
/* Writes it as DOT (or JSON with format "json") to an open stream, with no
 * layout and no file, and frees it: for tests and the fuzz target. name is
 * used in messages. Returns 0 or an rg_errno with err set. */
int rg_drawing_write(rg_drawing *d, FILE *f, const char *name, rg_error *err);

/* Lays the drawing out and renders it as SVG into new memory (*out, NUL-
 * terminated, *len bytes), then frees the drawing. Returns 0 or an rg_errno
 * with err set. For pages that inline their pictures (refgraph/html.h). */
int rg_drawing_svg(rg_drawing *d, char **out, size_t *len, rg_error *err);

/* The format implied by a file name's extension, or NULL. */
const char *rg_render_format_of(const char *path);

#ifdef __cplusplus
}
#endif
#endif
