/* refgraph/graph.h — a loaded dump as a compact, read-only graph.
 *
 * Objects live in arrays by dense index (0..n-1, in dump order); ids map to
 * indexes; forward references are one array in CSR form (the references of
 * object i are edges ref_start[i] .. ref_start[i+1]-1); referrers are built
 * at load time by counting sort (back_start / back_src / back_edge); every
 * string is interned once (graph->str). Used by render/ and cli/.
 *
 * Memory: about 70 bytes per object and 16 bytes per reference, strings
 * aside (docs/dump-format.md gives the measured figures).
 */
#ifndef REFGRAPH_GRAPH_H
#define REFGRAPH_GRAPH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "refgraph/dump.h"
#include "refgraph/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RG_NONE UINT32_MAX /* no index */

/* Object flags (graph->flags). */
#define RG_GF_FINALIZED 0x1u
#define RG_GF_GARBAGE 0x2u /* on the garbage list */
#define RG_GF_STATIC 0x4u  /* statically allocated: its refcount counts the runtime's references */

/* Edge label word (graph->ref_label): string index, weak bit on top. */
#define RG_EDGE_WEAK 0x80000000u
#define RG_EDGE_LABEL(w) ((w) & ~RG_EDGE_WEAK)

typedef struct rg_gstr {
    const char *ptr; /* not NUL-terminated in general: use len */
    uint32_t len;
} rg_gstr;

typedef struct rg_graph_frame {
    uint32_t name;
    uint64_t depth;
    uint32_t nlocals;
    uint32_t *local_name, *local_obj; /* [nlocals] */
} rg_graph_frame;

typedef struct rg_graph {
    const char *source; /* the file name, for messages */
    rg_dump_header header;
    char *header_strings; /* owns the header's strings */

    uint32_t n;           /* objects */
    uint64_t *id;         /* [n] */
    uint32_t *type;       /* [n] string index */
    uint64_t *size;       /* [n] shallow size */
    int64_t *refcount;    /* [n] */
    int8_t *gen;          /* [n] 0..2, RG_DUMP_FROZEN, RG_DUMP_UNTRACKED */
    uint8_t *flags;       /* [n] RG_GF_* */
    uint32_t *label;      /* [n] string index */
    uint64_t *label_len;  /* [n] full length when the dump cut it, else 0 */

    uint32_t nrefs;
    uint32_t *ref_start;  /* [n+1] */
    uint32_t *ref_target; /* [nrefs] object index */
    uint32_t *ref_label;  /* [nrefs] string index | RG_EDGE_WEAK */

    uint32_t *back_start; /* [n+1] */
    uint32_t *back_src;   /* [nrefs] referrer index */
    uint32_t *back_edge;  /* [nrefs] the edge (index into ref_*) */

    uint32_t nglobals;
    uint32_t *global_name, *global_obj; /* [nglobals] */
    uint32_t nframes;
    rg_graph_frame *frames; /* [nframes], outermost first */

    uint32_t nstr;
    rg_gstr *str; /* [nstr] interned strings */

    uint64_t dropped_refs; /* lenient mode: dangling references left out */

    struct rg_graph_private *priv;
} rg_graph;

/* Warnings in lenient mode (dangling references): called once per problem
 * with the file, line and text in w. */
typedef void (*rg_warn_fn)(const rg_error *w, void *ud);

typedef struct rg_load_options {
    int lenient;     /* load what can be loaded; dangling references are
                        dropped and reported as warnings instead of errors */
    rg_warn_fn warn; /* NULL: warnings are only counted (dropped_refs) */
    void *warn_ud;
    /* Called about every 64 MiB of input with the bytes read so far and the
     * file size (0 if unknown): for a progress line. */
    void (*progress)(uint64_t done, uint64_t total, void *ud);
    void *progress_ud;
} rg_load_options;

/* Loads a dump (gzip when compressed, detected from its content). Returns
 * NULL on failure with err saying which file, line, column and what. */
rg_graph *rg_graph_load(const char *path, const rg_load_options *opts, rg_error *err);

/* The same from an open file descriptor (standard input for "-"), read to
 * its end and left open; name is used in messages. */
rg_graph *rg_graph_load_fd(int fd, const char *name, const rg_load_options *opts, rg_error *err);

/* The same from memory (uncompressed); name is used in messages. */
rg_graph *rg_graph_load_buffer(const char *data, size_t len, const char *name,
                               const rg_load_options *opts, rg_error *err);

void rg_graph_free(rg_graph *g);

/* Writes the graph back as a dump: a dump written by refgraph, loaded and
 * written again, gives the same bytes. */
int rg_graph_write(const rg_graph *g, const char *path, rg_error *err);

/* Bytes the graph holds: per-object arrays and the id map (objects),
 * reference and referrer arrays (refs), interned strings (strings). */
typedef struct rg_graph_memory {
    size_t objects, refs, strings, roots;
} rg_graph_memory;
void rg_graph_get_memory(const rg_graph *g, rg_graph_memory *out);

/* The index of an id, or RG_NONE. */
uint32_t rg_graph_find(const rg_graph *g, uint64_t id);

/* Sums of sizes saturate: a dump may give any size up to 2^64 - 1, and a
 * total that would pass 2^64 - 1 stays there instead of wrapping around. */
static inline uint64_t rg_sat_add(uint64_t a, uint64_t b) { return a > UINT64_MAX - b ? UINT64_MAX : a + b; }

/* Whether s holds exactly the len bytes at t; rg_gstr_is for a C string. */
static inline int rg_gstr_eq(rg_gstr s, const char *t, size_t len) { return s.len == len && memcmp(s.ptr, t, len) == 0; }
static inline int rg_gstr_is(rg_gstr s, const char *t) { return rg_gstr_eq(s, t, strlen(t)); }

#ifdef __cplusplus
}
#endif
#endif
