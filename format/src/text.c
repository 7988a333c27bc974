/* text.c — see refgraph/text.h. */
#include "refgraph/text.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- UTF-8 ---------------------------------------------------------------------------- */

size_t rg_utf8_seq(const unsigned char *s, size_t n) {
    unsigned c = s[0];
    if (c < 0x80) return 1;
    size_t need;
    unsigned min;
    if (c >= 0xc2 && c <= 0xdf) {
        need = 2;
        min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
        need = 3;
        min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
        need = 4;
        min = 0x10000;
    } else {
        return 0;
    }
    if (n < need) return 0;
    unsigned cp = c & (0x3fu >> (need - 1));
    for (size_t i = 1; i < need; i++) {
        if ((s[i] & 0xc0) != 0x80) return 0;
        cp = (cp << 6) | (s[i] & 0x3fu);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
    return need;
}

size_t rg_utf8_next(const char *s, size_t n, unsigned long *cp, int *valid) {
    const unsigned char *u = (const unsigned char *)s;
    size_t k = rg_utf8_seq(u, n);
    if (!k) {
        *cp = u[0];
        *valid = 0;
        return 1;
    }
    unsigned long c = k == 1 ? u[0] : u[0] & (0x3fu >> (k - 1));
    for (size_t i = 1; i < k; i++) c = c << 6 | (u[i] & 0x3fu);
    *cp = c;
    *valid = 1;
    return k;
}

size_t rg_utf8_encode(char *out, unsigned long cp) {
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xc0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xe0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    out[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

size_t rg_utf8_cut(const char *s, size_t len, size_t max) {
    if (len <= max) return len;
    size_t i = 0;
    while (i < max) { /* bound: i grows by at least 1 */
        size_t k = rg_utf8_seq((const unsigned char *)s + i, len - i);
        if (k == 0) k = 1;
        if (i + k > max) break;
        i += k;
    }
    return i;
}

/* ---- escaping ---------------------------------------------------------------------------- */

int rg_text_escape(unsigned long c, int valid, char out[8]) {
    if (!valid || c < 0x20 || c == 0x7f) return snprintf(out, 8, "\\x%02lx", c & 0xff);
    if ((c >= 0x80 && c <= 0x9f) || c == 0xfffe || c == 0xffff) return snprintf(out, 8, "\\u%04lx", c);
    return 0;
}

/* The character at s (n bytes left) as it is written: its escape in e
 * (*len bytes, *escaped set), or itself (*len bytes of s). Returns the bytes it
 * takes in s. */
static size_t escape_step(const char *s, size_t n, char e[8], size_t *len, int *escaped) {
    unsigned long c;
    int valid;
    size_t k = rg_utf8_next(s, n, &c, &valid);
    int m = rg_text_escape(c, valid, e);
    *escaped = m != 0;
    *len = m ? (size_t)m : k;
    return k;
}

char *rg_escape(const char *s, size_t n, char *buf, size_t size) {
    if (!size) return buf;
    size_t total = 0; /* the whole text escaped */
    char e[8];
    size_t len;
    int escaped;
    for (size_t i = 0; i < n;) {
        i += escape_step(s + i, n - i, e, &len, &escaped);
        total += len;
    }
    size_t room = total < size ? total : size > 4 ? size - 4 : 0; /* else cut, room for "..." */
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        size_t k = escape_step(s + i, n - i, e, &len, &escaped);
        if (o + len > room) break;
        memcpy(buf + o, escaped ? e : s + i, len);
        o += len;
        i += k;
    }
    if (total >= size && size > 4) {
        memcpy(buf + o, "...", 3);
        o += 3;
    }
    buf[o] = '\0';
    return buf;
}

/* Writes s, each character that escape_fn escapes replaced by its escape,
 * the runs between escapes in one fwrite each. */
static void write_escaped(FILE *f, const char *s, size_t n, int (*escape_fn)(unsigned long, int, char *)) {
    size_t i = 0, run = 0;
    while (i < n) {
        unsigned long c;
        int valid;
        size_t k = rg_utf8_next(s + i, n - i, &c, &valid);
        char e[8];
        int m = escape_fn(c, valid, e);
        if (m) {
            fwrite(s + i - run, 1, run, f);
            fwrite(e, 1, (size_t)m, f);
            run = 0;
        } else {
            run += k;
        }
        i += k;
    }
    fwrite(s + n - run, 1, run, f);
}

void rg_fputs_escaped(FILE *f, const char *s, size_t n) { write_escaped(f, s, n, rg_text_escape); }

/* ---- arrays ---------------------------------------------------------------------------- */

int rg_grow(void **arr, size_t *cap, size_t need, size_t elem) {
    if (need <= *cap) return 0;
    size_t c = *cap ? *cap : 64;
    while (c < need) { /* bound: c doubles, and stops before it would overflow */
        if (c > SIZE_MAX / 2) return -1;
        c *= 2;
    }
    if (elem && c > SIZE_MAX / elem) return -1;
    void *n = realloc(*arr, c * elem);
    if (!n) return -1;
    *arr = n;
    *cap = c;
    return 0;
}
