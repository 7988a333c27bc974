/* refgraph/text.h — the text helpers every layer shares: UTF-8, escaping
 * text that came from a dump for a terminal, cutting it, and growing
 * arrays. One of each: the dump writer, the loader, the renderer and the
 * commands all use these. */
#ifndef REFGRAPH_TEXT_H
#define REFGRAPH_TEXT_H

#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- UTF-8 ------------------------------------------------------------------------ */

/* Length of the valid UTF-8 sequence at s (at most n bytes, n > 0), or 0
 * when the bytes there are not valid UTF-8 (overlong, surrogate, beyond
 * U+10FFFF). What the dump writer passes through and the loader accepts. */
size_t rg_utf8_seq(const unsigned char *s, size_t n);

/* How many bytes of s[0..n) (n > 0) form the next character: 1 for a byte
 * that is not part of valid UTF-8 (then *cp is the byte, and *valid 0). */
size_t rg_utf8_next(const char *s, size_t n, unsigned long *cp, int *valid);

/* Writes code point cp (at most U+10FFFF) as UTF-8 into out (4 bytes of
 * room); returns the length. */
size_t rg_utf8_encode(char *out, unsigned long cp);

/* The longest prefix of s[0..len), at most max bytes, that does not cut a
 * valid UTF-8 sequence in two (a byte that is not UTF-8 counts alone). */
size_t rg_utf8_cut(const char *s, size_t len, size_t max);

/* ---- text that came from a dump ------------------------------------------------- */

/* The escape that shows character c (valid: from rg_utf8_next) safely on
 * a terminal and on one line, written into out with its length, or 0 when
 * c passes as it is: C0 controls, DEL and bytes that are not UTF-8 become
 * \xNN, C1 controls (U+0080..U+009F) and the non-characters U+FFFE/U+FFFF
 * become \uNNNN. Backslashes pass through. */
int rg_text_escape(unsigned long c, int valid, char out[8]);

/* Writes s[0..n) into buf (at most size bytes with the NUL), each
 * character escaped by rg_text_escape. Text that does not fit is cut at a
 * character and ends in "...". Returns buf. */
char *rg_escape(const char *s, size_t n, char *buf, size_t size);

/* The same, written to f (no length limit). */
void rg_fputs_escaped(FILE *f, const char *s, size_t n);


/* ---- arrays ---------------------------------------------------------------------- */

/* Makes room for need elements of elem bytes in *arr (capacity *cap):
 * doubles from 64 until need fits. 0, or -1 when out of memory or the
 * size would overflow (then *arr and *cap are as they were). */
int rg_grow(void **arr, size_t *cap, size_t need, size_t elem);

#ifdef __cplusplus
}
#endif
#endif
