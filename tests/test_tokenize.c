/* test_tokenize — the loader's hand-written tokenizer (graph/src/json.c)
 * against jansson, the reference: every line one accepts the other accepts,
 * with the same values. The lines: every line of the saved dumps
 * (tests/dumps), of the fuzz corpora (tests/fuzz), of generated dumps
 * (tests/gengraph.h, written by the format library), and random mutations
 * of them and random JSON, from a fixed seed.
 *
 * Where the two may differ, by design, the test checks that the difference
 * is exactly that (docs/dump-format.md, "The tokenizer and jansson"):
 *   - a number jansson cannot hold: an integer outside 64-bit signed range
 *     or a real that overflows a double (the tokenizer keeps the text; the
 *     loader range-checks the fields it reads);
 *   - a NUL (\u0000) in an object key, which jansson does not support;
 *   - nesting deeper than the tokenizer's JSON_MAX_DEPTH (32): jansson
 *     allows 2048;
 *   - a raw NUL byte right after a number or a literal: jansson 2.14 drops
 *     it (its stream puts the byte back, then takes the NUL for an empty
 *     buffer), the tokenizer refuses the line (raw control bytes are not
 *     JSON). A jansson bug; the loader is the strict one. */
#include <dirent.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "gengraph.h"
#include "json.h"

static long g_lines, g_both, g_neither, g_excused, g_failures;
static char g_where[1024];

static void failf(const char *line, size_t len, const char *fmt, const char *a, const char *b) {
    if (g_failures++ < 20) {
        fprintf(stderr, "FAIL %s: ", g_where);
        fprintf(stderr, fmt, a, b);
        fprintf(stderr, "\n  line: ");
        for (size_t i = 0; i < len && i < 300; i++) {
            unsigned char c = (unsigned char)line[i];
            if (c >= 0x20 && c < 0x7f)
                fputc(c, stderr);
            else
                fprintf(stderr, "\\x%02x", c);
        }
        fputc('\n', stderr);
    }
}

/* Deepest nesting of a jansson value, without recursion: an explicit stack
 * of (value, depth). */
static int json_depth(json_t *root) {
    struct item {
        json_t *v;
        int d;
    };
    size_t cap = 64, n = 0;
    struct item *st = malloc(cap * sizeof *st);
    if (!st) abort();
    st[n++] = (struct item){root, 1};
    int max = 0;
    while (n) { /* bound: each value is pushed once */
        struct item it = st[--n];
        if (!json_is_object(it.v) && !json_is_array(it.v)) continue;
        if (it.d > max) max = it.d;
        size_t kids = json_is_object(it.v) ? json_object_size(it.v) : json_array_size(it.v);
        if (n + kids > cap) {
            while (n + kids > cap) cap *= 2;
            st = realloc(st, cap * sizeof *st);
            if (!st) abort();
        }
        if (json_is_array(it.v)) {
            for (size_t i = 0; i < kids; i++) st[n++] = (struct item){json_array_get(it.v, i), it.d + 1};
        } else {
            const char *k;
            json_t *v;
            json_object_foreach(it.v, k, v) st[n++] = (struct item){v, it.d + 1};
        }
    }
    free(st);
    return max;
}

/* Whether some number token is out of jansson's range. */
static int has_big_number(const char *line, const jparser *p) {
    for (size_t i = 0; i < p->ntoks; i++) {
        const jtok *t = &p->toks[i];
        if (t->type != J_NUMBER) continue;
        int64_t x;
        if (t->integer && rg__jint(line, t, &x) < 0) return 1;
        if (!t->integer) {
            char b[512];
            size_t n = t->end - t->start;
            if (n >= sizeof b) return 1; /* a long real: strtod decides, checked below by jansson's error */
            memcpy(b, line + t->start, n);
            b[n] = '\0';
            if (isinf(strtod(b, NULL))) return 1;
        }
    }
    return 0;
}

static int has_nul_key(const char *line, const jparser *p, char *scratch) {
    for (size_t i = 0; i < p->ntoks; i++) {
        const jtok *t = &p->toks[i];
        if (t->type != J_OBJECT) continue;
        size_t k = i + 1;
        for (uint32_t pair = 0; pair < t->size; pair++, k = p->toks[k + 1].next) {
            size_t n = rg__jstr(line, &p->toks[k], scratch);
            if (memchr(scratch, 0, n)) return 1;
        }
    }
    return 0;
}

/* Compares the token tree at toks[i] with v; returns 0 when equal. An
 * explicit stack of (token, value) pairs: no recursion. */
static int same_values(const char *line, const jparser *p, json_t *root, char *sa, char *sb, const char **why) {
    struct item {
        size_t t;
        json_t *v;
    };
    size_t cap = 64, n = 0;
    struct item *st = malloc(cap * sizeof *st);
    if (!st) abort();
    st[n++] = (struct item){0, root};
    int rc = 0;
    while (n && !rc) { /* bound: each token is pushed at most once */
        struct item it = st[--n];
        const jtok *t = &p->toks[it.t];
        json_t *v = it.v;
        switch (t->type) {
        case J_NULL: rc = !json_is_null(v); *why = "null"; break;
        case J_TRUE: rc = !json_is_true(v); *why = "true"; break;
        case J_FALSE: rc = !json_is_false(v); *why = "false"; break;
        case J_STRING: {
            size_t k = rg__jstr(line, t, sa);
            rc = !json_is_string(v) || json_string_length(v) != k || memcmp(json_string_value(v), sa, k) != 0;
            *why = "string";
            break;
        }
        case J_NUMBER:
            if (t->integer) {
                int64_t x;
                rc = !json_is_integer(v) || rg__jint(line, t, &x) < 0 || x != json_integer_value(v);
                *why = "integer";
            } else {
                size_t k = t->end - t->start;
                memcpy(sa, line + t->start, k);
                sa[k] = '\0';
                rc = !json_is_real(v) || strtod(sa, NULL) != json_real_value(v);
                *why = "real";
            }
            break;
        case J_ARRAY:
        case J_OBJECT: {
            int obj = t->type == J_OBJECT;
            *why = obj ? "object" : "array";
            if (obj ? !json_is_object(v) : !json_is_array(v)) {
                rc = 1;
                break;
            }
            if (n + t->size > cap) {
                while (n + t->size > cap) cap *= 2;
                st = realloc(st, cap * sizeof *st);
                if (!st) abort();
            }
            size_t k = it.t + 1, distinct = 0;
            for (uint32_t m = 0; m < t->size && !rc; m++) {
                if (!obj) {
                    if (m >= json_array_size(v)) {
                        rc = 1;
                        break;
                    }
                    st[n++] = (struct item){k, json_array_get(v, m)};
                    k = p->toks[k].next;
                    continue;
                }
                /* a key: jansson keeps the last of duplicates, as the loader does */
                size_t kl = rg__jstr(line, &p->toks[k], sa);
                int last = 1;
                for (size_t q = p->toks[k + 1].next, r = m + 1; r < t->size; r++, q = p->toks[q + 1].next) {
                    size_t ql = rg__jstr(line, &p->toks[q], sb);
                    if (ql == kl && memcmp(sa, sb, kl) == 0) last = 0;
                }
                if (last) {
                    distinct++;
                    json_t *e = json_object_getn(v, sa, kl);
                    if (!e) {
                        rc = 1;
                        *why = "missing key";
                        break;
                    }
                    st[n++] = (struct item){k + 1, e};
                }
                k = p->toks[k + 1].next;
            }
            if (!rc && (obj ? distinct != json_object_size(v) : t->size != json_array_size(v))) {
                rc = 1;
                *why = "size";
            }
            break;
        }
        default: rc = 1; *why = "token type";
        }
    }
    free(st);
    return rc;
}

static jparser P;
static char *SA, *SB;
static size_t SCAP;

/* jansson drops a NUL byte that follows a number or a literal: its stream
 * puts the byte back, then takes the NUL in its buffer for "empty". The
 * line without those bytes must be one the tokenizer accepts with
 * jansson's values. */
static int same_without_nuls(const char *line, size_t len, json_t *v) {
    char *b = malloc(len + 1);
    char *sb = malloc(len + 1);
    if (!b || !sb) abort();
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)line[i], prev = i ? (unsigned char)line[i - 1] : 0;
        int alnum = (prev >= '0' && prev <= '9') || (prev >= 'a' && prev <= 'z') || (prev >= 'A' && prev <= 'Z');
        if (c == 0 && alnum) continue;
        b[n++] = (char)c;
    }
    const char *why = "";
    int ok = n < len && rg__jparse(&P, b, n) == 0 && same_values(b, &P, v, SA, sb, &why) == 0;
    free(b);
    free(sb);
    return ok;
}

static void check_line(const char *line, size_t len) {
    g_lines++;
    if (len + 1 > SCAP) {
        SCAP = len + 1;
        SA = realloc(SA, SCAP);
        SB = realloc(SB, SCAP);
        if (!SA || !SB) abort();
    }
    int tr = rg__jparse(&P, line, len);
    if (tr == -2) abort();
    json_error_t e;
    json_t *v = json_loadb(line, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);
    if (tr == 0 && v) {
        const char *why = "";
        if (same_values(line, &P, v, SA, SB, &why)) failf(line, len, "both accept, values differ (%s)%s", why, "");
        g_both++;
    } else if (tr != 0 && !v) {
        g_neither++;
    } else if (tr == 0) { /* jansson refuses what the tokenizer takes */
        int big = strstr(e.text, "too big") || strstr(e.text, "real number overflow");
        int nul = strstr(e.text, "NUL byte in object key") != NULL;
        if ((big && has_big_number(line, &P)) || (nul && has_nul_key(line, &P, SA)))
            g_excused++;
        else
            failf(line, len, "the tokenizer accepts, jansson refuses: %s%s", e.text, "");
    } else { /* the tokenizer refuses what jansson takes */
        if (strcmp(P.err, "nesting too deep") == 0 && json_depth(v) > JSON_MAX_DEPTH)
            g_excused++;
        else if (memchr(line, 0, len) && same_without_nuls(line, len, v))
            g_excused++;
        else
            failf(line, len, "jansson accepts, the tokenizer refuses: %s%s", P.err, "");
    }
    json_decref(v);
}

static void check_lines(const char *buf, size_t n) {
    for (const char *s = buf, *end = buf + n; s < end;) { /* bound: each pass moves past a line */
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        size_t len = nl ? (size_t)(nl - s) : (size_t)(end - s);
        check_line(s, len);
        s += len + 1;
    }
}

/* A whole file, gunzipped when it is gzip; NULL if unreadable. */
static char *read_all(const char *path, size_t *len) {
    gzFile f = gzopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0;
    char *b = malloc(cap);
    for (;;) { /* bound: the file is finite */
        if (!b) break;
        if (n == cap) {
            char *nb = realloc(b, cap *= 2);
            if (!nb) {
                free(b);
                b = NULL;
                break;
            }
            b = nb;
        }
        int k = gzread(f, b + n, (unsigned)(cap - n));
        if (k <= 0) break;
        n += (size_t)k;
    }
    gzclose(f);
    *len = n;
    return b;
}

/* Every regular file below dir; the lines of each are checked, and kept
 * (up to a limit) as seeds for the mutations. */
static char **SEEDS;
static size_t *SEEDLEN, NSEEDS, SEEDCAP;

static void keep_seed(const char *s, size_t n) {
    if (n > 4096) return;
    if (NSEEDS == SEEDCAP) {
        SEEDCAP = SEEDCAP ? SEEDCAP * 2 : 1024;
        SEEDS = realloc(SEEDS, SEEDCAP * sizeof *SEEDS);
        SEEDLEN = realloc(SEEDLEN, SEEDCAP * sizeof *SEEDLEN);
        if (!SEEDS || !SEEDLEN) abort();
    }
    SEEDS[NSEEDS] = malloc(n + 1);
    if (!SEEDS[NSEEDS]) abort();
    memcpy(SEEDS[NSEEDS], s, n);
    SEEDLEN[NSEEDS++] = n;
}

static void walk(const char *dir, int depth) {
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "FAIL: cannot open '%s'\n", dir);
        g_failures++;
        return;
    }
    struct dirent *de;
    while ((de = readdir(d))) { /* bound: the directory's entries */
        if (de->d_name[0] == '.') continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        struct stat st;
        if (stat(path, &st) != 0) continue;
        if (S_ISDIR(st.st_mode)) {
            if (depth < 4) walk(path, depth + 1);
            continue;
        }
        size_t n;
        char *b = read_all(path, &n);
        if (!b) continue;
        snprintf(g_where, sizeof g_where, "%s", path);
        check_lines(b, n);
        size_t kept = 0;
        for (const char *s = b, *end = b + n; s < end && kept < 8;) {
            const char *nl = memchr(s, '\n', (size_t)(end - s));
            size_t len = nl ? (size_t)(nl - s) : (size_t)(end - s);
            keep_seed(s, len);
            kept++;
            s += len + 1;
        }
        free(b);
    }
    closedir(d);
}

static uint64_t RNG = 0x243f6a8885a308d3ULL;
static uint32_t rnd(uint32_t n) { return gen_below(&RNG, n); }

/* Pieces that stress both parsers: escapes, surrogates, UTF-8 edge cases,
 * numbers at and past the limits, whitespace, structure. */
static const char *const PIECES[] = {
    "\\u0000", "\\ud83d\\ude00", "\\ud800", "\\udc00", "\\uD834\\uDD1E", "\\u00e9", "\\/", "\\\\", "\\\"", "\\x",
    "\\u12", "\\n", "\\t", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xc0\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80",
    "\xff", "\x80", "\x7f", "\x01", "\t", " ", "\r", "0", "-0", "01", "1.", ".5", "1e", "1e+", "1E-5", "-", "9223372036854775807",
    "9223372036854775808", "-9223372036854775808", "-9223372036854775809", "18446744073709551616", "1e400", "-1e400",
    "1e-400", "123456789012345678901234567890", "0.1", "true", "false", "null", "tru", "nul", "[", "]", "{", "}",
    ",", ":", "\"", "\"a\"", "\"id\"", "[]", "{}", "[1,2]", "{\"a\":1}", "{\"a\":1,\"a\":2}", "{\"\\u0000\":1}",
};
#define NPIECES (sizeof PIECES / sizeof *PIECES)

static void random_lines(long count) {
    char buf[8192];
    for (long i = 0; i < count; i++) {
        size_t n = 0;
        if (NSEEDS && rnd(4)) { /* a mutated seed line */
            size_t s = rnd((uint32_t)NSEEDS);
            n = SEEDLEN[s] < sizeof buf - 256 ? SEEDLEN[s] : sizeof buf - 256;
            memcpy(buf, SEEDS[s], n);
            int edits = 1 + (int)rnd(3);
            for (int k = 0; k < edits && n; k++) {
                size_t at = rnd((uint32_t)n + 1);
                switch (rnd(4)) {
                case 0: buf[rnd((uint32_t)n)] = (char)rnd(256); break; /* a byte */
                case 1: n = at; break;                                    /* cut */
                case 2: {                                                 /* a piece in */
                    const char *pc = PIECES[rnd(NPIECES)];
                    size_t pl = strlen(pc);
                    if (n + pl < sizeof buf) {
                        memmove(buf + at + pl, buf + at, n - at);
                        memcpy(buf + at, pc, pl);
                        n += pl;
                    }
                    break;
                }
                default: /* a number or string value swapped for a piece */
                    if (at < n && (buf[at] == ':' || buf[at] == ',')) {
                        const char *pc = PIECES[rnd(NPIECES)];
                        size_t pl = strlen(pc), end = at + 1;
                        while (end < n && buf[end] != ',' && buf[end] != '}' && buf[end] != ']') end++;
                        if (at + 1 + pl + (n - end) < sizeof buf) {
                            memmove(buf + at + 1 + pl, buf + end, n - end);
                            memcpy(buf + at + 1, pc, pl);
                            n = at + 1 + pl + (n - end);
                        }
                    }
                }
            }
        } else { /* random JSON-ish text from the pieces, nested */
            int parts = 1 + (int)rnd(12);
            if (rnd(8) == 0) { /* deep: around the tokenizer's limit */
                int depth = 28 + (int)rnd(10);
                for (int d = 0; d < depth; d++) buf[n++] = '[';
                for (int d = 0; d < depth; d++) buf[n++] = ']';
            }
            for (int k = 0; k < parts; k++) {
                const char *pc = PIECES[rnd(NPIECES)];
                size_t pl = strlen(pc);
                if (n + pl >= sizeof buf) break;
                if (rnd(3) == 0 && n + pl + 2 < sizeof buf) {
                    buf[n++] = '"';
                    memcpy(buf + n, pc, pl);
                    n += pl;
                    buf[n++] = '"';
                } else {
                    memcpy(buf + n, pc, pl);
                    n += pl;
                }
            }
        }
        check_line(buf, n);
    }
}

int main(int argc, char **argv) {
    long count = argc > 1 ? atol(argv[1]) : 200000;
    walk(RG_TEST_DUMPS, 0);
    walk(RG_TEST_FUZZ, 0);
    /* generated dumps, written by the format library's writer */
    for (uint64_t seed = 1; seed <= 6; seed++) {
        gen_params p = {seed, 300, 3, (int)(seed & 1), (int)(seed & 2), (int)(seed % 3 == 0), 5, 4, (int)(seed & 1)};
        char path[256];
        snprintf(path, sizeof path, "test_tokenize-gen-%llu.jsonl", (unsigned long long)seed);
        if (gen_write(path, &p) != 0) {
            fprintf(stderr, "FAIL: cannot write '%s'\n", path);
            g_failures++;
            continue;
        }
        size_t n;
        char *b = read_all(path, &n);
        snprintf(g_where, sizeof g_where, "%s", path);
        if (b) check_lines(b, n);
        for (const char *s = b, *end = b + n; b && s < end;) {
            const char *nl = memchr(s, '\n', (size_t)(end - s));
            size_t len = nl ? (size_t)(nl - s) : (size_t)(end - s);
            if (rnd(16) == 0) keep_seed(s, len);
            s += len + 1;
        }
        free(b);
        remove(path);
    }
    long corpus = g_lines;
    snprintf(g_where, sizeof g_where, "random line");
    random_lines(count);
    printf("%ld lines (%ld from files, %ld random): %ld accepted by both, %ld by neither, %ld differ as "
           "documented, %ld failures\n",
           g_lines, corpus, g_lines - corpus, g_both, g_neither, g_excused, g_failures);
    for (size_t i = 0; i < NSEEDS; i++) free(SEEDS[i]);
    free(SEEDS);
    free(SEEDLEN);
    free(SA);
    free(SB);
    rg__jparser_free(&P);
    /* the test must have seen real dumps and both kinds of line */
    if (corpus < 1000 || g_both < 1000 || g_neither < 1000) {
        fprintf(stderr, "FAIL: too few lines checked\n");
        return 1;
    }
    return g_failures ? 1 : 0;
}
