/* refgraph/dump.h — the dump format: JSON Lines, one record per line.
 *
 * The format is documented in docs/dump-format.md (schema in
 * docs/dump-format.schema.json). A dump is written through a streaming
 * writer: records go out as they are produced, memory stays at one buffer,
 * and the file appears under its name only when complete (written to a
 * temporary file beside it, flushed, synced, renamed: see refgraph/outfile.h;
 * "-", a device or a FIFO is written directly). A name ending in ".gz" is
 * gzip-compressed.
 */
#ifndef REFGRAPH_DUMP_H
#define REFGRAPH_DUMP_H

#include <stddef.h>
#include <stdint.h>

#include "refgraph/error.h"
#include "refgraph/text.h"
#include "refgraph/version.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RG_DUMP_LABEL_MAX 200     /* bytes of an object label kept */
#define RG_DUMP_EDGE_LABEL_MAX 120 /* bytes of an edge label kept */

/* Generation values of a record. */
#define RG_DUMP_UNTRACKED (-1)
#define RG_DUMP_FROZEN 3

typedef struct rg_dump_genstats {
    long threshold, count;
    uint64_t collections, collected, uncollectable;
} rg_dump_genstats;

/* A step of a story (docs/dump-format.md, "step"): NUL-terminated
 * strings, each NULL when absent. */
typedef struct rg_dump_step {
    const char *lesson;  /* the lesson (or story) the step belongs to */
    const char *title;   /* the step's title */
    const char *code;    /* the line(s) of code that led to it ('\n' between lines) */
    const char *caption; /* what it shows, in a sentence or two */
} rg_dump_step;

/* The header line. Strings are NUL-terminated. */
typedef struct rg_dump_header {
    const char *producer, *producer_version;
    const char *created; /* ISO 8601 UTC, "2026-11-21T18:37:13Z" */
    uint64_t heap_id;    /* which heap: dumps of one heap share it (written in hex) */
    uint64_t bytes_in_use, peak_bytes, live_objects, max_id;
    int gc_enabled;
    rg_dump_genstats gen[3];
    uint64_t garbage_id; /* the garbage list's id, 0 if none */
    const char *ids;     /* what ids are: NULL (allocation sequence numbers, not
                            written) or "addresses" (reusable: see dump-format.md) */
    /* The optional "step" field: what a program was showing when it wrote
     * the dump (a lesson's title, the step's title, the code line(s) that
     * led to it, a caption). Each NULL when absent; the field is left out
     * of the dump when all four are NULL. */
    rg_dump_step step;
} rg_dump_header;

/* A string with its length: dump strings may hold any bytes. */
typedef struct rg_dump_str {
    const char *ptr;
    size_t len;
} rg_dump_str;

/* One object record, without its references. */
typedef struct rg_dump_object {
    uint64_t id;
    rg_dump_str type; /* type name; an instance's class name */
    uint64_t size;    /* shallow size in bytes */
    int64_t refcount;
    int gen; /* 0..2, RG_DUMP_FROZEN, or RG_DUMP_UNTRACKED */
    int finalized, garbage;
    int is_static;      /* statically allocated: its refcount counts nothing */
    rg_dump_str label;  /* cut to RG_DUMP_LABEL_MAX bytes when written */
    uint64_t label_len; /* the label's full length, if already cut; else 0 */
} rg_dump_object;

typedef struct rg_dump_ref {
    uint64_t target;
    rg_dump_str label; /* "" for an unnamed reference */
    int weak;
} rg_dump_ref;

typedef struct rg_dump_writer rg_dump_writer;

/* Opens a writer to a temporary file beside path. NULL on failure (err set). */
rg_dump_writer *rg_dump_writer_open(const char *path, rg_error *err);

/* Records, in this order: the header, every object (begin, its references,
 * end), the globals, the frames. Each returns 0 or a negative rg_errno; the
 * first failure is kept and reported again by rg_dump_writer_close. */
int rg_dump_write_header(rg_dump_writer *w, const rg_dump_header *h);
int rg_dump_object_begin(rg_dump_writer *w, const rg_dump_object *o);
int rg_dump_object_ref(rg_dump_writer *w, const rg_dump_ref *ref);
int rg_dump_object_end(rg_dump_writer *w);
int rg_dump_write_global(rg_dump_writer *w, rg_dump_str name, uint64_t id);
int rg_dump_frame_begin(rg_dump_writer *w, rg_dump_str name, uint64_t depth);
int rg_dump_frame_local(rg_dump_writer *w, rg_dump_str name, uint64_t id);
int rg_dump_frame_end(rg_dump_writer *w);

/* Writes the trailer (counts of objects, references, globals, frames and
 * objects per generation, all counted by the writer), flushes, syncs and renames the file into place, and
 * frees the writer. On any failure (now or earlier) the temporary file is
 * removed, an existing file under path stays as it was, and err says why. */
int rg_dump_writer_close(rg_dump_writer *w, rg_error *err);

/* Gives up: removes the temporary file and frees the writer. */
void rg_dump_writer_abort(rg_dump_writer *w);

#ifdef __cplusplus
}
#endif
#endif
