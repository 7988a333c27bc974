/* json.h — a strict, allocation-light JSON tokenizer for one dump line.
 *
 * Like jsmn, it fills an array of tokens that point into the line instead
 * of building values; unlike jsmn it validates everything the dump format
 * promises: the grammar, escapes (surrogate pairs included), UTF-8 of raw
 * bytes, no raw control characters, numbers in JSON's syntax, and a depth
 * limit. Errors carry the 1-based column. */
#ifndef RG_JSON_H
#define RG_JSON_H

#include <stddef.h>
#include <stdint.h>

typedef enum jtype { J_OBJECT, J_ARRAY, J_STRING, J_NUMBER, J_TRUE, J_FALSE, J_NULL } jtype;

typedef struct jtok {
    uint8_t type;    /* jtype */
    uint8_t escaped; /* string with backslash escapes: decode with jstr */
    uint8_t integer; /* number without fraction or exponent */
    uint32_t start;  /* strings: after the opening quote */
    uint32_t end;    /* strings: at the closing quote */
    uint32_t size;   /* containers: children (an object's pairs) */
    uint32_t next;   /* index of the first token after this one's subtree */
} jtok;

/* Which object keys to keep: called with keep_ud, the key's raw bytes and its
 * depth (1 for the line's own object's keys); a key it refuses is checked
 * like any JSON but neither it nor its value gets a token, so unknown fields
 * cost no memory. NULL keeps every key. */
typedef int (*jkeep_fn)(void *ud, int depth, const char *key, size_t len);

typedef struct jparser {
    jtok *toks;
    size_t ntoks, cap;
    long err_column; /* 1-based, on failure */
    const char *err;
    jkeep_fn keep;
    void *keep_ud; /* keep's first argument */
} jparser;

#define JSON_MAX_DEPTH 32

/* Tokenizes line[0..len) (one complete JSON value, whitespace around it).
 * Returns 0, or -1 with err and err_column set; -2 when out of memory. */
int rg__jparse(jparser *p, const char *line, size_t len);
void rg__jparser_free(jparser *p);

/* Decodes a string token into out (at least end - start bytes); returns
 * the decoded length. */
size_t rg__jstr(const char *line, const jtok *t, char *out);

/* An integer token's value; returns 0, or -1 when it is not an integer or
 * does not fit. */
int rg__jint(const char *line, const jtok *t, int64_t *out);
int rg__juint(const char *line, const jtok *t, uint64_t *out);

/* True when string token t equals the ASCII key k (keys have no escapes). */
int rg__jkey(const char *line, const jtok *t, const char *k, size_t klen);

#endif
