/* jsonout.c — see refgraph/jsonout.h. */
#include "refgraph/jsonout.h"

#include <stdlib.h>
#include <string.h>

#include "refgraph/error.h"
#include "refgraph/text.h"

json_t *rg_json_text(const char *s, size_t n) {
    size_t extra = 0; /* 3 more bytes for each byte that is not UTF-8 */
    for (size_t i = 0; i < n;) { /* bound: i grows by at least 1 */
        size_t k = rg_utf8_seq((const unsigned char *)s + i, n - i);
        if (!k) extra += 3;
        i += k ? k : 1;
    }
    if (!extra) return json_stringn(s, n);
    if (n > (SIZE_MAX - 1) / 4) return NULL;
    char *b = malloc(n + extra + 1);
    if (!b) return NULL;
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        size_t k = rg_utf8_seq((const unsigned char *)s + i, n - i);
        if (k) {
            memcpy(b + o, s + i, k);
            o += k;
            i += k;
            continue;
        }
        unsigned c = (unsigned char)s[i++];
        b[o++] = '\\';
        b[o++] = 'x';
        b[o++] = hex[c >> 4];
        b[o++] = hex[c & 15];
    }
    json_t *v = json_stringn(b, o);
    free(b);
    return v;
}

json_t *rg_json_cstr(const char *s) { return s ? rg_json_text(s, strlen(s)) : json_null(); }

json_t *rg_json_u64(uint64_t v) { return v <= INT64_MAX ? json_integer((json_int_t)v) : json_real((double)v); }

typedef struct dump_buf {
    char *p;
    size_t len, cap;
    int failed; /* sticky: jansson ignores a failure while writing an object's key */
} dump_buf;

static int dump_piece(const char *piece, size_t n, void *data) {
    dump_buf *b = data;
    if (b->failed || n > SIZE_MAX - 1 - b->len) {
        b->failed = 1;
        return -1;
    }
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1) /* bound: cap doubles up to the length */
            cap = cap > SIZE_MAX / 2 ? b->len + n + 1 : cap * 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->failed = 1;
            return -1;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, piece, n);
    b->len += n;
    return 0;
}

/* One pass through jansson, into a buffer that doubles (json_dumpb needs
 * two: one to learn the size, one to write). */
char *rg_json_dump(const json_t *v, size_t flags, size_t *len) {
    dump_buf b = {NULL, 0, 0, 0};
    if (json_dump_callback(v, dump_piece, &b, JSON_COMPACT | flags) != 0 || b.failed || !b.len) { /* out of memory */
        free(b.p);
        return NULL;
    }
    b.p[b.len] = '\0';
    *len = b.len;
    return b.p;
}

int rg_json_dumpf(const json_t *v, FILE *f) {
    size_t n;
    char *s = rg_json_dump(v, JSON_ENCODE_ANY, &n);
    if (!s) return RG_ENOMEM;
    /* jansson writes only valid UTF-8, and raw bytes at or above 0x7f only
     * inside strings: each character that needs it becomes \uNNNN there */
    size_t run = 0;
    int rc = 0;
    for (size_t i = 0; i < n;) { /* bound: i grows by at least 1 */
        if ((unsigned char)s[i] < 0x7f) { /* ASCII, as most of it is */
            run++;
            i++;
            continue;
        }
        unsigned long c;
        int valid;
        size_t k = rg_utf8_next(s + i, n - i, &c, &valid);
        if (c == 0x7f || (c >= 0x80 && c <= 0x9f) || c == 0xfffe || c == 0xffff) {
            if (fwrite(s + i - run, 1, run, f) != run || fprintf(f, "\\u%04lX", c) < 0) rc = RG_EIO;
            run = 0;
        } else {
            run += k;
        }
        i += k;
    }
    if (fwrite(s + n - run, 1, run, f) != run) rc = RG_EIO;
    free(s);
    return rc;
}
