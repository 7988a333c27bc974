/* refgraph/jsonout.h — JSON that refgraph writes, built with jansson.
 *
 * Every JSON document refgraph writes other than the bulk dump records
 * (objects, globals, frames, the trailer: refgraph/dump.h's writer) is a
 * jansson value: the dump's header record, the renderer's JSON. These
 * helpers are what jansson does not do the way refgraph needs:
 * strings from a dump may hold bytes that are not UTF-8, and what reaches a
 * terminal must not hold raw control characters.
 *
 * Ownership as in jansson: "new reference" values belong to the caller. */
#ifndef REFGRAPH_JSONOUT_H
#define REFGRAPH_JSONOUT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A JSON string of s[0..n) (NUL bytes included). Valid UTF-8 is kept;
 * each byte that is not part of valid UTF-8 becomes the four characters
 * \xNN, as the dump writer writes it. New reference; NULL when out of
 * memory. */
json_t *rg_json_text(const char *s, size_t n);

/* The same for a NUL-terminated string; NULL s gives JSON null. */
json_t *rg_json_cstr(const char *s);

/* An unsigned 64-bit count (a size, a sum of sizes) as a JSON number:
 * jansson's integers are signed, so a value above 2^63 - 1 (possible only
 * for sizes a dump claims, or sums of them) is written as the nearest
 * double. New reference; NULL when out of memory. */
json_t *rg_json_u64(uint64_t v);

/* v as compact JSON (JSON_COMPACT | flags) in a buffer of the caller's
 * (malloc'd, freed with free() whatever jansson's allocator is), *len its
 * length without the NUL. NULL when out of memory. */
char *rg_json_dump(const json_t *v, size_t flags, size_t *len);

/* Writes v compactly (JSON_COMPACT) to f, made safe for a terminal: the
 * characters jansson leaves raw that a terminal could act on (DEL, C1
 * controls U+0080..U+009F) and the non-characters U+FFFE/U+FFFF are
 * written as \uNNNN. Returns 0, RG_ENOMEM when out of memory, or RG_EIO
 * when writing to f fails. */
int rg_json_dumpf(const json_t *v, FILE *f);

#ifdef __cplusplus
}
#endif
#endif
