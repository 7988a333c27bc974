/* refgraph/outfile.h — the shared output layer: every file refgraph writes
 * (dumps, DOT, PNG, SVG, PDF, JSON) goes through it. The text it shows
 * escapes what came from a dump with refgraph/text.h.
 *
 * Replacing a file atomically (git's tempfile.c and lockfile.c are the
 * model): rg_outfile_open creates a temporary file in the target's
 * directory, named ".<start of the name>.tmp-XXXXXX" and never longer than
 * NAME_MAX whatever the target's name; rg_outfile_commit flushes it,
 * fsyncs it, renames it over the target and fsyncs the directory. Until
 * then the target is untouched, and on any failure the temporary file is
 * removed.
 *
 * Written directly, never replaced:
 *   - "-" (and NULL): standard output; also any name of the file standard
 *     output is (/dev/stdout, /dev/fd/1 when it is a regular file): the
 *     stdout stream itself, so what the program printed before stays;
 *   - a target that exists and is not a regular file: a device such as
 *     /dev/null or /dev/stdout, a FIFO, a socket;
 *   - a symlink to one of those.
 * A symlink to a regular file is followed: the file it points to is
 * replaced atomically and the link stays a link. A dangling symlink is
 * refused (EEXIST-like: refgraph will not create files through it).
 *
 * Signals: every live temporary file is in a registry that
 * rg_outfile_remove_temps() walks; it only calls unlink(), so a SIGINT or
 * SIGTERM handler may call it (the CLI does, then dies of the signal). It
 * also runs at exit. A program embedding the library and writing dumps
 * should do the same in its own handlers.
 *
 * Not thread-safe: open and commit files from one thread at a time.
 */
#ifndef REFGRAPH_OUTFILE_H
#define REFGRAPH_OUTFILE_H

#include <stddef.h>
#include <stdio.h>

#include "refgraph/error.h"
#include "refgraph/text.h" /* rg_escape and the other text helpers, declared here before */

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rg_outfile rg_outfile;

/* Opens path for writing as above. NULL on failure, err set ("cannot
 * create 'x': ..."). The caller owns the result: commit or abort it. */
rg_outfile *rg_outfile_open(const char *path, rg_error *err);

/* The stream to write to (borrowed: closed by commit or abort). Buffered;
 * writing through rg_outfile_fd instead is fine when the stream is not
 * used. */
FILE *rg_outfile_stream(rg_outfile *o);
int rg_outfile_fd(const rg_outfile *o);
/* Whether the target is replaced (a temporary file) or written directly. */
int rg_outfile_is_atomic(const rg_outfile *o);

/* Flushes, syncs, closes and renames into place (the directory synced
 * too); frees o. On failure the temporary file is removed, the target is
 * left as it was, and err says why (0 or RG_EIO). Standard output is
 * flushed, not closed. */
int rg_outfile_commit(rg_outfile *o, rg_error *err);

/* Gives up: closes, removes the temporary file, frees o. NULL is fine. */
void rg_outfile_abort(rg_outfile *o);

/* Unlinks every live temporary file. Async-signal-safe. */
void rg_outfile_remove_temps(void);

#ifdef __cplusplus
}
#endif
#endif
