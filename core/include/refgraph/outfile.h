/* refgraph/outfile.h — the shared output layer: every file refgraph writes
 * (dumps, DOT, PNG, SVG, PDF, JSON) goes through it, and the text it shows
 * escapes what came from a dump.
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

/* ---- text that came from a dump ------------------------------------------------- */

/* Writes s[0..n) into buf (at most size bytes with the NUL), safe for a
 * terminal and for one line: C0 controls, DEL and bytes that are not
 * UTF-8 become \xNN, C1 controls (U+0080..U+009F) and the non-characters
 * U+FFFE/U+FFFF become \uNNNN; everything else, backslashes included,
 * passes through. Text that does not fit is cut at a character and ends in
 * "...". Returns buf. */
char *rg_escape(const char *s, size_t n, char *buf, size_t size);

/* The same, written to f (no length limit). */
void rg_fputs_escaped(FILE *f, const char *s, size_t n);

/* s[0..n) as a quoted JSON string: '"' and '\\' escaped, \n, and every
 * control character (C0, DEL, C1) and U+FFFE/U+FFFF as \uNNNN, so the
 * JSON is safe on a terminal too; a byte that is not UTF-8 becomes the
 * text \xNN (as the dump writer writes it). */
void rg_fputs_json(FILE *f, const char *s, size_t n);

/* How many bytes of s[0..n) form the next character: 1 for a byte that is
 * not part of valid UTF-8 (then *cp is the byte, and *valid 0). */
size_t rg_utf8_next(const char *s, size_t n, unsigned long *cp, int *valid);

#ifdef __cplusplus
}
#endif
#endif
