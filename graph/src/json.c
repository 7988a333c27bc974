/* json.c — see json.h. One pass, explicit stack, no recursion. */
#include "json.h"

#include "refgraph/text.h"

#include <stdlib.h>
#include <string.h>

enum state {
    S_VALUE,          /* a value must come */
    S_VALUE_OR_CLOSE, /* after '[' */
    S_KEY,            /* after ',' in an object */
    S_KEY_OR_CLOSE,   /* after '{' */
    S_COLON,
    S_AFTER /* after a value: ',' or a closing bracket, or the end */
};

static int push(jparser *p, jtok t) {
    if (p->ntoks == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 256;
        jtok *n = realloc(p->toks, cap * sizeof *n);
        if (!n) return -2;
        p->toks = n;
        p->cap = cap;
    }
    p->toks[p->ntoks++] = t;
    return 0;
}

static int fail(jparser *p, size_t pos, const char *msg) {
    p->err = msg;
    p->err_column = (long)pos + 1;
    return -1;
}

static int hexval(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static long hex4(const unsigned char *s, size_t n, size_t i) {
    if (i + 4 > n) return -1;
    long v = 0;
    for (int k = 0; k < 4; k++) {
        int h = hexval(s[i + (size_t)k]);
        if (h < 0) return -1;
        v = v * 16 + h;
    }
    return v;
}

/* Scans a string starting after its opening quote; returns the index of
 * the closing quote, or (size_t)-1 with the error set. */
static size_t scan_string(jparser *p, const unsigned char *s, size_t n, size_t i, int *escaped) {
    for (;;) { /* bound: each pass moves i forward or returns */
        while (i < n && s[i] >= 0x20 && s[i] < 0x80 && s[i] != '"' && s[i] != '\\') i++;
        if (i >= n) return fail(p, i, "unterminated string"), (size_t)-1;
        unsigned c = s[i];
        if (c == '"') return i;
        if (c < 0x20) return fail(p, i, "control character in string"), (size_t)-1;
        if (c >= 0x80) {
            size_t k = rg_utf8_seq(s + i, n - i);
            if (!k) return fail(p, i, "invalid UTF-8 in string"), (size_t)-1;
            i += k;
            continue;
        }
        /* backslash */
        *escaped = 1;
        if (i + 1 >= n) return fail(p, i, "unterminated string"), (size_t)-1;
        unsigned e = s[i + 1];
        if (e == 'u') {
            long u = hex4(s, n, i + 2);
            if (u < 0) return fail(p, i, "bad \\u escape"), (size_t)-1;
            if (u >= 0xdc00 && u <= 0xdfff) return fail(p, i, "lone low surrogate in \\u escape"), (size_t)-1;
            if (u >= 0xd800 && u <= 0xdbff) {
                long lo = (i + 7 < n && s[i + 6] == '\\' && s[i + 7] == 'u') ? hex4(s, n, i + 8) : -1;
                if (lo < 0xdc00 || lo > 0xdfff)
                    return fail(p, i, "high surrogate without its low half"), (size_t)-1;
                i += 12;
            } else {
                i += 6;
            }
        } else if (strchr("\"\\/bfnrt", (int)e) && e) {
            i += 2;
        } else {
            return fail(p, i, "bad escape in string"), (size_t)-1;
        }
    }
}

/* Scans a number; returns the index after it or (size_t)-1. */
static size_t scan_number(jparser *p, const unsigned char *s, size_t n, size_t i, int *integer) {
    size_t start = i;
    *integer = 1;
    if (s[i] == '-') i++;
    if (i < n && s[i] == '0') {
        i++;
    } else if (i < n && s[i] >= '1' && s[i] <= '9') {
        while (i < n && s[i] >= '0' && s[i] <= '9') i++;
    } else {
        return fail(p, start, "bad number"), (size_t)-1;
    }
    if (i < n && s[i] == '.') {
        *integer = 0;
        i++;
        if (i >= n || s[i] < '0' || s[i] > '9') return fail(p, i, "bad number"), (size_t)-1;
        while (i < n && s[i] >= '0' && s[i] <= '9') i++;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        *integer = 0;
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-')) i++;
        if (i >= n || s[i] < '0' || s[i] > '9') return fail(p, i, "bad number"), (size_t)-1;
        while (i < n && s[i] >= '0' && s[i] <= '9') i++;
    }
    return i;
}

int rg__jparse(jparser *p, const char *line, size_t len) {
    const unsigned char *s = (const unsigned char *)line;
    /* the open containers: their token, or NONE when skipped, and type */
    enum { NONE = UINT32_MAX };
    uint32_t stack[JSON_MAX_DEPTH];
    uint8_t kind[JSON_MAX_DEPTH];
    int depth = 0;
    int skip = 0; /* > 0: the value of a refused key at this depth is being skipped */
    enum state st = S_VALUE;
    size_t i = 0;
    p->ntoks = 0;
    p->err = NULL;
    if (len >= UINT32_MAX) return fail(p, 0, "line too long");
    /* bound: every pass consumes at least one byte of the line */
    for (;;) {
        while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n')) i++;
        if (i >= len) {
            if (st == S_AFTER && depth == 0) return 0;
            return fail(p, i, p->ntoks ? "unexpected end of line" : "empty line");
        }
        unsigned c = s[i];
        if (st == S_AFTER) {
            if (depth == 0) return fail(p, i, "data after the JSON value");
            uint8_t top = kind[depth - 1];
            if (c == ',') {
                st = top == J_OBJECT ? S_KEY : S_VALUE;
                i++;
                continue;
            }
            if ((c == '}' && top == J_OBJECT) || (c == ']' && top == J_ARRAY)) {
                if (stack[depth - 1] != NONE) {
                    p->toks[stack[depth - 1]].end = (uint32_t)i + 1;
                    p->toks[stack[depth - 1]].next = (uint32_t)p->ntoks;
                }
                depth--;
                if (skip == depth) skip = 0; /* the skipped value is complete */
                i++;
                continue; /* stays S_AFTER */
            }
            return fail(p, i, top == J_OBJECT ? "expected ',' or '}'" : "expected ',' or ']'");
        }
        if (st == S_COLON) {
            if (c != ':') return fail(p, i, "expected ':'");
            st = S_VALUE;
            i++;
            continue;
        }
        if ((st == S_KEY_OR_CLOSE && c == '}') || (st == S_VALUE_OR_CLOSE && c == ']')) {
            if (stack[depth - 1] != NONE) {
                p->toks[stack[depth - 1]].end = (uint32_t)i + 1;
                p->toks[stack[depth - 1]].next = (uint32_t)p->ntoks;
            }
            depth--;
            if (skip == depth) skip = 0;
            st = S_AFTER;
            i++;
            continue;
        }
        if (st == S_KEY || st == S_KEY_OR_CLOSE) {
            if (c != '"') return fail(p, i, "expected a string key");
            int escaped = 0;
            size_t end = scan_string(p, s, len, i + 1, &escaped);
            if (end == (size_t)-1) return -1;
            if (!skip && p->keep && !p->keep(p->keep_ud, depth, line + i + 1, end - i - 1)) {
                skip = depth; /* neither the key nor its value is kept */
            } else if (!skip) {
                p->toks[stack[depth - 1]].size++;
                jtok t = {J_STRING, (uint8_t)escaped, 0, (uint32_t)i + 1, (uint32_t)end, 0, (uint32_t)p->ntoks + 1};
                if (push(p, t)) return -2;
            }
            i = end + 1;
            st = S_COLON;
            continue;
        }
        /* a value */
        if (!skip && depth && kind[depth - 1] == J_ARRAY) p->toks[stack[depth - 1]].size++;
        if (c == '{' || c == '[') {
            if (depth == JSON_MAX_DEPTH) return fail(p, i, "nesting too deep");
            kind[depth] = c == '{' ? J_OBJECT : J_ARRAY;
            stack[depth] = skip ? NONE : (uint32_t)p->ntoks;
            depth++;
            if (!skip) {
                jtok t = {kind[depth - 1], 0, 0, (uint32_t)i, 0, 0, 0};
                if (push(p, t)) return -2;
            }
            st = c == '{' ? S_KEY_OR_CLOSE : S_VALUE_OR_CLOSE;
            i++;
            continue;
        }
        jtok t = {J_NULL, 0, 0, (uint32_t)i, 0, 0, (uint32_t)p->ntoks + 1};
        if (c == '"') {
            int escaped = 0;
            size_t end = scan_string(p, s, len, i + 1, &escaped);
            if (end == (size_t)-1) return -1;
            t.type = J_STRING;
            t.escaped = (uint8_t)escaped;
            t.start = (uint32_t)i + 1;
            t.end = (uint32_t)end;
            i = end + 1;
        } else if (c == '-' || (c >= '0' && c <= '9')) {
            int integer;
            size_t end = scan_number(p, s, len, i, &integer);
            if (end == (size_t)-1) return -1;
            t.type = J_NUMBER;
            t.integer = (uint8_t)integer;
            t.end = (uint32_t)end;
            i = end;
        } else if (len - i >= 4 && memcmp(s + i, "true", 4) == 0) {
            t.type = J_TRUE;
            i += 4;
        } else if (len - i >= 5 && memcmp(s + i, "false", 5) == 0) {
            t.type = J_FALSE;
            i += 5;
        } else if (len - i >= 4 && memcmp(s + i, "null", 4) == 0) {
            t.type = J_NULL;
            i += 4;
        } else {
            return fail(p, i, "expected a value");
        }
        t.end = t.type == J_STRING || t.type == J_NUMBER ? t.end : (uint32_t)i;
        if (!skip) {
            if (push(p, t)) return -2;
        } else if (skip == depth) {
            skip = 0; /* a skipped scalar value */
        }
        st = S_AFTER;
    }
}

void rg__jparser_free(jparser *p) {
    free(p->toks);
    p->toks = NULL;
    p->ntoks = p->cap = 0;
}

size_t rg__jstr(const char *line, const jtok *t, char *out) {
    const unsigned char *s = (const unsigned char *)line;
    size_t o = 0;
    if (!t->escaped) {
        memcpy(out, line + t->start, t->end - t->start);
        return t->end - t->start;
    }
    for (size_t i = t->start; i < t->end;) {
        if (s[i] != '\\') {
            out[o++] = (char)s[i++];
            continue;
        }
        char e = (char)s[i + 1];
        switch (e) {
        case 'b': out[o++] = '\b'; break;
        case 'f': out[o++] = '\f'; break;
        case 'n': out[o++] = '\n'; break;
        case 'r': out[o++] = '\r'; break;
        case 't': out[o++] = '\t'; break;
        case 'u': {
            unsigned long u = (unsigned long)hex4(s, t->end, i + 2);
            if (u >= 0xd800 && u <= 0xdbff) { /* validated: a low half follows */
                unsigned long lo = (unsigned long)hex4(s, t->end, i + 8);
                u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
                i += 6;
            }
            o += rg_utf8_encode(out + o, u);
            i += 6;
            continue;
        }
        default: out[o++] = e; /* " \ / */
        }
        i += 2;
    }
    return o;
}

static int digits(const char *line, uint32_t from, uint32_t to, uint64_t *out) {
    uint64_t v = 0;
    for (uint32_t i = from; i < to; i++) {
        unsigned d = (unsigned)(line[i] - '0');
        if (v > (UINT64_MAX - d) / 10) return -1;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

int rg__juint(const char *line, const jtok *t, uint64_t *out) {
    if (t->type != J_NUMBER || !t->integer || line[t->start] == '-') return -1;
    return digits(line, t->start, t->end, out);
}

int rg__jint(const char *line, const jtok *t, int64_t *out) {
    uint64_t v;
    if (t->type != J_NUMBER || !t->integer) return -1;
    int neg = line[t->start] == '-';
    if (digits(line, t->start + (uint32_t)neg, t->end, &v) < 0) return -1;
    if (v > (uint64_t)INT64_MAX + (uint64_t)neg) return -1;
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return 0;
}

int rg__jkey(const char *line, const jtok *t, const char *k, size_t klen) {
    return t->end - t->start == klen && memcmp(line + t->start, k, klen) == 0;
}
