/* picture.h — a drawing as Graphviz would hold it (named nodes, edges,
 * subgraphs, their attributes), kept by render/ itself (private header).
 *
 * draw.c fills a picture once; then either pic_write_dot() writes it as DOT
 * text, byte for byte what Graphviz 2.43's agwrite() writes for the same
 * graph, or draw.c turns it into a cgraph graph for a layout (PNG, SVG,
 * PDF). Writing DOT needs no cgraph: building, writing and closing a cgraph
 * graph was most of the time of a DOT drawing.
 *
 * Objects are named by handles: a node's index, or PIC_EDGE / PIC_SUB
 * with an edge's or subgraph's index. Every call with PIC_NONE does nothing
 * (so a failed pic_node() can be passed on); a failed allocation sets
 * p->oom and makes the call return PIC_NONE. Attribute names are the
 * caller's string literals; values are copied. */
#ifndef RG_PICTURE_H
#define RG_PICTURE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define PIC_EDGE 0x40000000u
#define PIC_SUB 0x80000000u
#define PIC_KIND 0xc0000000u
#define PIC_NONE 0xffffffffu
#define PIC_MAX 0x3fffffffu /* objects of a kind, at most */

typedef struct pic_attr {
    const char *name;
    uint32_t value; /* offset into text */
    uint32_t next;  /* the object's next attribute, or PIC_NONE */
    int html;       /* an HTML-like label (<...>) */
} pic_attr;

typedef struct pic_nrec {
    uint32_t name, attrs; /* name: offset into text; attrs: first attribute or PIC_NONE */
    uint32_t sub;         /* the subgraph holding it, or PIC_NONE */
} pic_nrec;

typedef struct pic_erec {
    uint32_t tail, head, attrs;
} pic_erec;

typedef struct pic_srec {
    uint32_t name, attrs;
} pic_srec;

typedef struct rg_pic {
    char *text; /* NUL-terminated strings, by offset */
    size_t ntext, cap_text;
    pic_attr *attrs;
    size_t nattrs, cap_attrs;
    pic_nrec *nodes;
    size_t nnodes, cap_nodes;
    pic_erec *edges;
    size_t nedges, cap_edges;
    pic_srec *subs;
    size_t nsubs, cap_subs;
    uint32_t *hash; /* node names: index + 1, or 0; open addressing */
    size_t hash_cap;
    int oom;
} rg_pic;

/* The graph's name, and the defaults of node attributes (every other
 * attribute defaults to ""). */
#define PIC_GRAPH_NAME "ObjectGraph"
extern const char *const pic_node_defaults[][2];
extern const size_t pic_nnode_defaults;

void pic_init(rg_pic *p);
void pic_free(rg_pic *p);
/* The node of that name, created (last) when new. */
uint32_t pic_node(rg_pic *p, const char *name);
/* The node of that name, or PIC_NONE. */
uint32_t pic_find(const rg_pic *p, const char *name);
uint32_t pic_edge(rg_pic *p, uint32_t tail, uint32_t head);
/* A new subgraph (names are the caller's to keep apart). */
uint32_t pic_sub(rg_pic *p, const char *name);
void pic_subnode(rg_pic *p, uint32_t sub, uint32_t node);
/* Sets (or replaces) an attribute of a node, edge or subgraph. */
void pic_set(rg_pic *p, uint32_t obj, const char *name, const char *value);
void pic_set_html(rg_pic *p, uint32_t obj, const char *name, const char *html);
static inline const char *pic_str(const rg_pic *p, uint32_t off) { return p->text + off; }

/* Writes the picture as DOT, as agwrite() does: 0, -1 when writing fails,
 * -2 when out of memory. */
int pic_write_dot(const rg_pic *p, FILE *f);

/* Tests only: when set, rg_drawing_write writes DOT through cgraph (agwrite),
 * the reference pic_write_dot is compared with. */
extern int rg__dot_via_cgraph;

#endif
