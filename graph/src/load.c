/* load.c — reads a dump into an rg_graph, strictly.
 *
 * One pass over the lines: each is tokenized (json.c) and its fields go
 * straight into growing arrays; references keep their target ids until
 * every object is known, then resolve to indexes; referrers come last, by
 * counting sort. Any problem stops the load with the file, line, column and
 * what is wrong; nothing half-built is returned. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "graph_internal.h"
#include "json.h"

#define MAX_LINE ((size_t)1 << 30)
#define MAX_COUNT (RG_NONE - 1)
#define PROGRESS_STEP ((uint64_t)64 << 20)

/* ---- input ------------------------------------------------------------------------ */

#define IN_SIZE ((size_t)256 << 10) /* compressed bytes read at a time */
#define CHUNK ((size_t)64 << 20)    /* at most this much inflated or read per call */

/* Reads a file (gzip or not, from its first two bytes) or a buffer, a line
 * at a time. zlib's gzread is not used: it ignores bytes after the end of a
 * gzip stream and takes int sizes. Lines longer than the buffer are checked
 * while they are read, so a file of NUL bytes stops at its first megabyte. */
typedef struct reader {
    int fd;
    const char *mem; /* or a memory buffer */
    size_t memlen, mempos;
    int gzip, zinit, zdone; /* gzip: the stream started, the current member ended */
    z_stream zs;            /* next_in/avail_in: the compressed bytes not used yet */
    unsigned char *in;      /* [IN_SIZE] */
    int in_eof;
    char *buf;
    size_t cap, start, end;
    size_t searched; /* bytes of the line at start known to hold no newline */
    size_t scanned;  /* bytes of the line at start checked by clearly_invalid */
    int eof;
    uint64_t consumed, total, next_progress;
} reader;

static int read_error(rg_error *err, const char *src, long lineno) {
    rg_error_set(err, RG_EIO, src, lineno, 0, "read error: %s", strerror(errno));
    return -1;
}

/* More bytes of the file into r->in after those not used yet; sets in_eof
 * at the end. 0, or -1 on a read error. */
static int read_more(reader *r, rg_error *err, const char *src, long lineno) {
    if (r->zs.avail_in && r->zs.next_in != r->in) memmove(r->in, r->zs.next_in, r->zs.avail_in);
    r->zs.next_in = r->in;
    for (;;) { /* bound: retries only on EINTR */
        ssize_t n = read(r->fd, r->in + r->zs.avail_in, IN_SIZE - r->zs.avail_in);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return read_error(err, src, lineno);
        if (n == 0) r->in_eof = 1;
        r->zs.avail_in += (uInt)n;
        r->consumed += (uint64_t)n;
        return 0;
    }
}

static int gzip_error(rg_error *err, const char *src, long lineno, const char *what) {
    rg_error_set(err, RG_EFORMAT, src, lineno, 0, "broken gzip stream: %s", what);
    return -1;
}

/* Up to room bytes of the file's content into dst: how many (0 at the
 * end), or -1 with err set. */
static long fill(reader *r, char *dst, size_t room, rg_error *err, const char *src, long lineno) {
    if (room > CHUNK) room = CHUNK;
    if (!r->gzip) {
        if (r->zs.avail_in) { /* the bytes read to tell gzip from text */
            size_t n = r->zs.avail_in < room ? r->zs.avail_in : room;
            memcpy(dst, r->zs.next_in, n);
            r->zs.next_in += n;
            r->zs.avail_in -= (uInt)n;
            return (long)n;
        }
        if (r->in_eof) return 0;
        for (;;) { /* bound: retries only on EINTR */
            ssize_t n = read(r->fd, dst, room);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) return read_error(err, src, lineno);
            if (n == 0) r->in_eof = 1;
            r->consumed += (uint64_t)n;
            return (long)n;
        }
    }
    /* bound: each pass reads more of the (finite) file, inflates some of
     * what was read, starts the next gzip member, or returns */
    for (;;) {
        if (r->zs.avail_in < 2 && !r->in_eof && read_more(r, err, src, lineno) < 0) return -1;
        if (r->zdone) {
            if (r->zs.avail_in == 0 && r->in_eof) return 0;
            if (r->zs.avail_in < 2 && !r->in_eof) continue;
            if (r->zs.avail_in >= 2 && r->zs.next_in[0] == 0x1f && r->zs.next_in[1] == 0x8b) {
                inflateReset(&r->zs); /* another member: RFC 1952 allows several */
                r->zdone = 0;
                continue;
            }
            rg_error_set(err, RG_EFORMAT, src, lineno, 0,
                         "corrupt gzip file: %llu bytes after the end of the gzip stream",
                         (unsigned long long)(r->total > r->consumed - r->zs.avail_in
                                                  ? r->total - (r->consumed - r->zs.avail_in)
                                                  : r->zs.avail_in));
            return -1;
        }
        r->zs.next_out = (Bytef *)dst;
        r->zs.avail_out = (uInt)room;
        int zr = inflate(&r->zs, Z_NO_FLUSH);
        size_t got = room - r->zs.avail_out;
        if (zr == Z_STREAM_END) {
            r->zdone = 1;
        } else if (zr == Z_MEM_ERROR) {
            rg_error_set(err, RG_ENOMEM, src, lineno, 0, "out of memory");
            return -1;
        } else if (zr != Z_OK && zr != Z_BUF_ERROR) {
            return gzip_error(err, src, lineno, r->zs.msg ? r->zs.msg : "invalid data");
        } else if (got == 0 && r->zs.avail_in == 0 && r->in_eof) {
            return gzip_error(err, src, lineno, "unexpected end of file");
        }
        if (got) return (long)got;
    }
}

/* Whether a line's first megabytes already show it cannot be a record: a
 * control byte JSON never allows (NUL included) or a first byte that does
 * not open an object. Sets *bad to the offset of the byte. */
static int clearly_invalid(reader *r, size_t *bad) {
    const unsigned char *s = (const unsigned char *)r->buf + r->start;
    size_t n = r->end - r->start, i = r->scanned;
    if (i == 0) {
        while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r')) i++;
        if (i < n && s[i] != '{') {
            *bad = i;
            return 1;
        }
    }
    for (; i < n; i++) /* bound: each byte of the line once */
        if (s[i] < 0x20 && s[i] != '\t' && s[i] != '\r') {
            *bad = i;
            return 1;
        }
    r->scanned = n;
    return 0;
}

/* The next line, without its newline, into line and len: 1, 0 at the end, -1 on
 * a read error (err set), -2 when a line is too long, -3 when a line too long
 * for the buffer is clearly invalid (line and len then hold its beginning,
 * up to and with the offending byte). */
static int next_line(reader *r, const char **line, size_t *len, rg_error *err, const char *src, long lineno) {
    if (r->mem) {
        if (r->mempos >= r->memlen) return 0;
        const char *p = r->mem + r->mempos;
        const char *nl = memchr(p, '\n', r->memlen - r->mempos);
        size_t n = nl ? (size_t)(nl - p) : r->memlen - r->mempos;
        if (n > MAX_LINE) return -2;
        *line = p;
        *len = n;
        r->mempos += n + (nl != NULL);
        r->consumed = r->mempos;
        return 1;
    }
    /* bound: each pass finds a line, ends, or reads at least one byte more
     * of a line that can never pass MAX_LINE + 1 bytes */
    for (;;) {
        char *nl = r->end - r->start > r->searched
                       ? memchr(r->buf + r->start + r->searched, '\n', r->end - r->start - r->searched)
                       : NULL;
        if (nl || r->eof) {
            if (!nl && r->start == r->end) return 0;
            *line = r->buf + r->start;
            *len = nl ? (size_t)(nl - (r->buf + r->start)) : r->end - r->start;
            r->start += *len + (nl != NULL);
            r->searched = r->scanned = 0;
            return 1;
        }
        r->searched = r->end - r->start;
        if (r->start) {
            memmove(r->buf, r->buf + r->start, r->end - r->start);
            r->end -= r->start;
            r->start = 0;
        }
        if (r->end == r->cap) { /* a line longer than the buffer */
            size_t bad;
            if (clearly_invalid(r, &bad)) {
                *line = r->buf;
                *len = bad + 1;
                return -3;
            }
            if (r->cap > MAX_LINE) return -2; /* MAX_LINE + 1 bytes and no newline */
            size_t cap = r->cap * 2 > MAX_LINE + 1 ? MAX_LINE + 1 : r->cap * 2;
            char *b = realloc(r->buf, cap);
            if (!b) {
                rg_error_set(err, RG_ENOMEM, src, lineno, 0, "out of memory");
                return -1;
            }
            r->buf = b;
            r->cap = cap;
        }
        long n = fill(r, r->buf + r->end, r->cap - r->end, err, src, lineno);
        if (n < 0) return -1;
        if (n == 0) r->eof = 1;
        r->end += (size_t)n;
    }
}

/* A bijective 64-bit mix (for ids and seeds). */
static uint64_t mix(uint64_t x) {
    x ^= x >> 31;
    x *= 0x7fb5d329728ea185ULL;
    x ^= x >> 27;
    return x;
}

/* ---- interning -------------------------------------------------------------------- */

/* Strings come from the dump: with a fixed hash, a file could hold strings
 * chosen to collide and make interning quadratic. The hash starts from a
 * seed drawn per load (unknown to whoever wrote the file) and ends with a
 * full avalanche, so every bit of the string reaches the table index. The
 * seed changes no result: string indexes follow the dump's order. */
static uint32_t hash_bytes(const char *s, size_t n, uint64_t seed) {
    uint64_t h = seed ^ n;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t v;
        memcpy(&v, s + i, 8);
        h = (h ^ v) * 0xff51afd7ed558ccdULL;
        h ^= h >> 32;
    }
    uint64_t tail = 0;
    memcpy(&tail, s + i, n - i);
    h = (h ^ tail) * 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ULL; /* splitmix64's finalizer */
    h ^= h >> 31;
    return (uint32_t)h;
}

static char *arena_alloc(graph_priv *p, size_t n) {
    if (n > ARENA_BLOCK / 4) { /* a big string gets a block of its own */
        arena_block *b = malloc(sizeof *b + n);
        if (!b) return NULL;
        b->next = p->blocks ? p->blocks->next : NULL;
        if (p->blocks)
            p->blocks->next = b;
        else
            p->blocks = b;
        return b->data;
    }
    if (!p->blocks || p->block_used + n > p->block_cap) { /* blocks double up to ARENA_BLOCK */
        size_t cap = p->block_cap ? p->block_cap * 2 : ARENA_FIRST_BLOCK;
        if (cap > ARENA_BLOCK) cap = ARENA_BLOCK;
        while (cap < n) cap *= 2;
        arena_block *b = malloc(sizeof *b + cap);
        if (!b) return NULL;
        b->next = p->blocks;
        p->blocks = b;
        p->block_used = 0;
        p->block_cap = cap;
    }
    char *r = p->blocks->data + p->block_used;
    p->block_used += n;
    return r;
}

/* Returns the string's index, adding it if new; RG_NONE when out of memory. */
static uint32_t intern(rg_graph *g, graph_priv *p, const char *s, size_t n) {
    if ((g->nstr + 1) * 2 > p->icap) {
        size_t cap = p->icap ? p->icap * 2 : 1024;
        uint32_t *t = malloc(cap * sizeof *t);
        if (!t) return RG_NONE;
        memset(t, 0xff, cap * sizeof *t);
        for (uint32_t i = 0; i < g->nstr; i++) {
            size_t j = p->hashes[i] & (cap - 1);
            while (t[j] != RG_NONE) j = (j + 1) & (cap - 1); /* bound: the table is at most half full */
            t[j] = i;
        }
        free(p->itab);
        p->itab = t;
        p->icap = cap;
    }
    uint32_t h = hash_bytes(s, n, p->seed);
    size_t j = h & (p->icap - 1);
    for (; p->itab[j] != RG_NONE; j = (j + 1) & (p->icap - 1)) {
        uint32_t k = p->itab[j];
        if (p->hashes[k] == h && g->str[k].len == n && memcmp(g->str[k].ptr, s, n) == 0) return k;
    }
    if (g->nstr == MAX_COUNT) return RG_NONE;
    if (g->nstr == p->str_cap) {
        size_t cap = p->str_cap ? p->str_cap * 2 : 1024;
        rg_gstr *ns = realloc(g->str, cap * sizeof *ns);
        if (!ns) return RG_NONE;
        g->str = ns;
        uint32_t *nh = realloc(p->hashes, cap * sizeof *nh);
        if (!nh) return RG_NONE;
        p->hashes = nh;
        p->str_cap = cap;
    }
    char *copy = arena_alloc(p, n ? n : 1);
    if (!copy) return RG_NONE;
    memcpy(copy, s, n);
    g->str[g->nstr] = (rg_gstr){copy, (uint32_t)n};
    p->hashes[g->nstr] = h;
    p->itab[j] = g->nstr;
    return g->nstr++;
}

/* ---- the loader's state ---------------------------------------------------------------- */

enum section { SEC_HEADER, SEC_OBJECTS, SEC_GLOBALS, SEC_FRAMES, SEC_DONE };

typedef struct loader {
    rg_graph *g;
    graph_priv *p;
    const rg_load_options *opts;
    rg_error *err;
    const char *src;
    const char *line;
    long lineno;
    jparser jp;
    char *scratch; /* decoded strings */
    size_t scratch_cap;
    enum section sec;
    size_t obj_cap, ref_cap, glob_cap, frame_cap;
    uint64_t *ref_id;    /* targets by id until resolved */
    uint32_t *obj_line;  /* where each object was, for messages */
    uint32_t *glob_line; /* where each global was */
    uint64_t *glob_id;
    uint64_t trailer[9]; /* objects, references, globals, frames, untracked, 0, 1, 2, frozen */
    uint64_t gen_count[5];
    uint64_t trailer_refs_found; /* references as written, dangling ones included */
    uint64_t *fids;              /* frame locals' ids, in frame order, until resolved */
    uint32_t *fline;
    size_t nfids, fids_cap;
    uint64_t globals_found;      /* global records, dangling ones included */
} loader;

/* Records the error at the current line; returns -1. */
static int lfail(loader *L, long col, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
static int lfail(loader *L, long col, int code, const char *fmt, ...) {
    char text[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    rg_error_set(L->err, code, L->src, L->lineno, col, "%s", text);
    return -1;
}
#define FAIL lfail

/* The 1-based column of a token (a string's opening quote). */
static long col_of(const jtok *t) { return (long)t->start + (t->type == J_STRING ? 0 : 1); }

/* Grows every per-object array together. */
static int grow_objects(loader *L) {
    rg_graph *g = L->g;
    size_t cap = L->obj_cap ? L->obj_cap * 2 : 256;
    void **arrs[] = {(void **)&g->id, (void **)&g->type, (void **)&g->size, (void **)&g->refcount,
                     (void **)&g->gen, (void **)&g->flags, (void **)&g->label, (void **)&g->label_len,
                     (void **)&L->obj_line};
    size_t elem[] = {sizeof *g->id, sizeof *g->type, sizeof *g->size, sizeof *g->refcount, sizeof *g->gen,
                     sizeof *g->flags, sizeof *g->label, sizeof *g->label_len, sizeof *L->obj_line};
    for (size_t k = 0; k < sizeof arrs / sizeof *arrs; k++) {
        void *n = realloc(*arrs[k], cap * elem[k]);
        if (!n) return -1;
        *arrs[k] = n;
    }
    uint32_t *rs = realloc(g->ref_start, (cap + 1) * sizeof *rs);
    if (!rs) return -1;
    if (!g->ref_start) rs[0] = 0;
    g->ref_start = rs;
    L->obj_cap = cap;
    return 0;
}

static int finish_objects(loader *L);
static void warn(loader *L, long line, const char *fmt, ...);

/* Decoded string of token t, interned. */
static int get_str(loader *L, const jtok *t, const char *field, uint32_t *out) {
    if (t->type != J_STRING) return FAIL(L, col_of(t), RG_EFORMAT, "field \"%s\" must be a string", field);
    size_t n = t->end - t->start;
    const char *s = L->line + t->start;
    if (t->escaped) {
        if (n > L->scratch_cap) {
            char *b = realloc(L->scratch, n);
            if (!b) return FAIL(L, 0, RG_ENOMEM, "out of memory");
            L->scratch = b;
            L->scratch_cap = n;
        }
        n = rg__jstr(L->line, t, L->scratch);
        s = L->scratch;
    }
    uint32_t k = intern(L->g, L->p, s, n);
    if (k == RG_NONE) return FAIL(L, 0, RG_ENOMEM, "out of memory, or more than 4294967294 strings");
    *out = k;
    return 0;
}

static int get_uint(loader *L, const jtok *t, const char *field, uint64_t *out) {
    if (rg__juint(L->line, t, out) < 0)
        return FAIL(L, col_of(t), RG_EFORMAT, "field \"%s\" must be a non-negative integer", field);
    return 0;
}

/* Finds the fields of the object token at index o: vals[i] gets the value
 * token index of names[i], or 0 when absent. Unknown fields are ignored:
 * later versions may add optional ones. */
static void fields(const loader *L, size_t o, const char *const *names, size_t nn, size_t *vals) {
    const jtok *t = L->jp.toks;
    size_t lens[16]; /* nn <= 16: the names' lengths, once */
    for (size_t i = 0; i < nn; i++) {
        vals[i] = 0;
        lens[i] = strlen(names[i]);
    }
    size_t k = o + 1;
    for (uint32_t pair = 0; pair < t[o].size; pair++) { /* bound: the object's pairs */
        for (size_t i = 0; i < nn; i++) {
            if (rg__jkey(L->line, &t[k], names[i], lens[i])) {
                vals[i] = k + 1;
                break;
            }
        }
        k = t[k + 1].next;
    }
}

/* A header count: jansson writes the header record (its integers are
 * signed 64-bit), so a count above 2^63 - 1 cannot be written back. */
static int get_count(loader *L, const jtok *t, const char *field, uint64_t *out) {
    if (rg__juint(L->line, t, out) < 0 || *out > (uint64_t)INT64_MAX)
        return FAIL(L, col_of(t), RG_EFORMAT, "field \"%s\" must be an integer from 0 to 2^63 - 1", field);
    return 0;
}

static int need(loader *L, size_t val, const char *field, const jtok *where) {
    if (val) return 0;
    return FAIL(L, where ? col_of(where) : 1, RG_EFORMAT, "missing field \"%s\"", field);
}

/* ---- the fields the format knows ------------------------------------------------------ */

/* Every field the parsers read, one list per JSON object, each with the
 * depth of its keys (1: a record's own fields; 2: those of "heap", "gc",
 * "step" and "trailer"; 3: of "generations"; 4: of the objects in the
 * "stats" array). The parsers' name tables and the tokenizer's filter
 * (known_field) are both generated from these lists: a field added to a
 * parser is known to the filter with nothing else to change. */
#define HEADER_FIELDS(X) \
    X("format") X("version") X("producer") X("producer_version") X("created") X("heap") X("gc") X("heap_id") X("step") \
        X("ids")
#define STEP_FIELDS(X) X("lesson") X("title") X("code") X("caption")
#define HEAP_FIELDS(X) X("bytes_in_use") X("peak_bytes") X("live_objects") X("max_id")
#define GC_FIELDS(X) X("enabled") X("thresholds") X("counts") X("stats") X("garbage_id")
#define STATS_FIELDS(X) X("collections") X("collected") X("uncollectable")
#define RECORD_KINDS(X) X("id") X("global") X("frame") X("trailer")
#define OBJECT_FIELDS(X)                                                                                    \
    X("id") X("type") X("size") X("rc") X("gen") X("label") X("refs") X("label_len") X("finalized") X("garbage") \
    X("static")
#define FRAME_FIELDS(X) X("frame") X("depth") X("locals")
#define TRAILER_FIELDS(X) X("objects") X("references") X("globals") X("frames") X("generations")
#define GENERATION_FIELDS(X) X("untracked") X("0") X("1") X("2") X("frozen")

#define NAME(lit) lit,
#define COUNT(lit) +1
#define FIELD_D1(lit) {1, sizeof lit - 1, lit},
#define FIELD_D2(lit) {2, sizeof lit - 1, lit},
#define FIELD_D3(lit) {3, sizeof lit - 1, lit},
#define FIELD_D4(lit) {4, sizeof lit - 1, lit},

typedef struct known_name {
    uint8_t depth, len;
    const char *name;
} known_name;

_Static_assert(HEADER_FIELDS(COUNT) <= 16 && OBJECT_FIELDS(COUNT) <= 16, "fields() takes at most 16 names");

static const known_name KNOWN[] = {
    HEADER_FIELDS(FIELD_D1) RECORD_KINDS(FIELD_D1) OBJECT_FIELDS(FIELD_D1) FRAME_FIELDS(FIELD_D1)
    STEP_FIELDS(FIELD_D2) HEAP_FIELDS(FIELD_D2) GC_FIELDS(FIELD_D2) TRAILER_FIELDS(FIELD_D2)
    GENERATION_FIELDS(FIELD_D3) STATS_FIELDS(FIELD_D4)
};

/* The filter's table: open addressing on a hash of the depth, the length
 * and the first and last bytes, built from KNOWN at each load (a few dozen
 * inserts). A lookup is one hash and, for a known field, usually one
 * memcmp: as fast as the switch it replaces (see docs/dump-format.md). */
#define KNOWN_SLOTS 256 /* a power of two, well over twice the names */

typedef struct known_table {
    uint8_t used[KNOWN_SLOTS];
    uint8_t index[KNOWN_SLOTS]; /* into KNOWN */
} known_table;

static inline unsigned known_hash(int depth, const char *key, size_t len) {
    unsigned h = (unsigned)depth * 0x9e37u ^ (unsigned)len * 0x85ebu ^ (unsigned char)key[0] * 0xc2b3u ^
                 (unsigned char)key[len - 1] * 0x27d5u;
    return (h ^ h >> 7) & (KNOWN_SLOTS - 1);
}

static void known_build(known_table *t) {
    memset(t->used, 0, sizeof t->used);
    for (size_t i = 0; i < sizeof KNOWN / sizeof *KNOWN; i++) {
        unsigned j = known_hash(KNOWN[i].depth, KNOWN[i].name, KNOWN[i].len);
        /* bound: fewer names than slots, so a free slot or the name comes */
        for (; t->used[j]; j = (j + 1) & (KNOWN_SLOTS - 1)) {
            const known_name *k = &KNOWN[t->index[j]];
            if (k->depth == KNOWN[i].depth && k->len == KNOWN[i].len && memcmp(k->name, KNOWN[i].name, k->len) == 0)
                break; /* "id" and "frame" are in two lists */
        }
        t->used[j] = 1;
        t->index[j] = (uint8_t)i;
    }
}

/* Whether the tokenizer keeps a key: any other field is skipped without a
 * token, so a line of unknown fields costs no memory. */
static int known_field(void *ud, int depth, const char *key, size_t len) {
    const known_table *t = ud;
    if (len == 0 || len > 255) return 0;
    /* bound: the table is never full */
    for (unsigned j = known_hash(depth, key, len); t->used[j]; j = (j + 1) & (KNOWN_SLOTS - 1)) {
        const known_name *k = &KNOWN[t->index[j]];
        if (k->depth == depth && k->len == len && memcmp(k->name, key, len) == 0) return 1;
    }
    return 0;
}

/* ---- records ------------------------------------------------------------------------------ */

static int parse_header(loader *L) {
    static const char *const names[] = {HEADER_FIELDS(NAME)};
    size_t v[HEADER_FIELDS(COUNT)];
    const jtok *t = L->jp.toks;
    if (t[0].type != J_OBJECT) return FAIL(L, 1, RG_EFORMAT, "not a refgraph dump: the first line is not an object");
    fields(L, 0, names, sizeof names / sizeof *names, v);
    if (!v[0]) return FAIL(L, 1, RG_EFORMAT, "not a refgraph dump: the first line has no \"format\" field");
    if (t[v[0]].type != J_STRING || !rg__jkey(L->line, &t[v[0]], RG_DUMP_FORMAT, strlen(RG_DUMP_FORMAT)))
        return FAIL(L, col_of(&t[v[0]]), RG_EFORMAT, "not a refgraph dump: format is not \"" RG_DUMP_FORMAT "\"");
    uint64_t version;
    if (need(L, v[1], "version", &t[0]) || get_uint(L, &t[v[1]], "version", &version)) return -1;
    if (version != RG_DUMP_VERSION)
        return FAIL(L, col_of(&t[v[1]]), RG_EVERSION, "unsupported dump version %llu (this build reads version %d)",
                    (unsigned long long)version, RG_DUMP_VERSION);
    for (int i = 2; i < 8; i++)
        if (need(L, v[i], names[i], &t[0])) return -1;
    const jtok *hid = &t[v[7]];
    char hex[17];
    if (hid->type != J_STRING || hid->escaped || hid->end - hid->start != 16)
        return FAIL(L, col_of(hid), RG_EFORMAT, "field \"heap_id\" must be 16 hex digits");
    memcpy(hex, L->line + hid->start, 16);
    hex[16] = '\0';
    char *hend;
    L->g->header.heap_id = strtoull(hex, &hend, 16);
    if (*hend || strspn(hex, "0123456789abcdef") != 16)
        return FAIL(L, col_of(hid), RG_EFORMAT, "field \"heap_id\" must be 16 hex digits");
    /* strings: producer, producer_version, created, the optional step's
     * lesson, title, code and caption, and the optional ids, kept in one
     * block. Any ids value but absence means ids may be reused
     * (refgraph/match.h): a value this build does not know is read as the
     * most cautious scheme, not refused. */
    uint32_t s[8];
    for (int i = 0; i < 3; i++)
        if (get_str(L, &t[v[2 + i]], names[2 + i], &s[i])) return -1;
    static const char *const stn[] = {STEP_FIELDS(NAME)};
    size_t sv[STEP_FIELDS(COUNT)] = {0};
    if (v[8]) {
        if (t[v[8]].type != J_OBJECT) return FAIL(L, col_of(&t[v[8]]), RG_EFORMAT, "field \"step\" must be an object");
        fields(L, v[8], stn, sizeof stn / sizeof *stn, sv);
    }
    for (int i = 0; i < 4; i++) {
        s[3 + i] = RG_NONE;
        if (sv[i] && get_str(L, &t[sv[i]], stn[i], &s[3 + i])) return -1;
    }
    s[7] = RG_NONE;
    if (v[9] && get_str(L, &t[v[9]], "ids", &s[7])) return -1;
    size_t total = 0;
    for (int i = 0; i < 8; i++)
        if (s[i] != RG_NONE) total += L->g->str[s[i]].len + 1;
    char *block = malloc(total);
    if (!block) return FAIL(L, 0, RG_ENOMEM, "out of memory");
    L->g->header_strings = block;
    const char **dst[8] = {&L->g->header.producer, &L->g->header.producer_version, &L->g->header.created,
                           &L->g->header.step.lesson, &L->g->header.step.title, &L->g->header.step.code,
                           &L->g->header.step.caption, &L->g->header.ids};
    for (int i = 0; i < 8; i++) {
        if (s[i] == RG_NONE) continue; /* an absent step or ids field stays NULL */
        rg_gstr g = L->g->str[s[i]];
        memcpy(block, g.ptr, g.len);
        block[g.len] = '\0';
        *dst[i] = block;
        block += g.len + 1;
    }
    /* heap */
    if (t[v[5]].type != J_OBJECT) return FAIL(L, col_of(&t[v[5]]), RG_EFORMAT, "field \"heap\" must be an object");
    static const char *const hn[] = {HEAP_FIELDS(NAME)};
    size_t hv[HEAP_FIELDS(COUNT)];
    fields(L, v[5], hn, sizeof hn / sizeof *hn, hv);
    uint64_t *hd[] = {&L->g->header.bytes_in_use, &L->g->header.peak_bytes, &L->g->header.live_objects,
                      &L->g->header.max_id};
    for (int i = 0; i < 4; i++)
        if (need(L, hv[i], hn[i], &t[v[5]]) || get_count(L, &t[hv[i]], hn[i], hd[i])) return -1;
    /* gc */
    if (t[v[6]].type != J_OBJECT) return FAIL(L, col_of(&t[v[6]]), RG_EFORMAT, "field \"gc\" must be an object");
    static const char *const gn[] = {GC_FIELDS(NAME)};
    size_t gv[GC_FIELDS(COUNT)];
    fields(L, v[6], gn, sizeof gn / sizeof *gn, gv);
    for (int i = 0; i < 5; i++)
        if (need(L, gv[i], gn[i], &t[v[6]])) return -1;
    if (t[gv[0]].type != J_TRUE && t[gv[0]].type != J_FALSE)
        return FAIL(L, col_of(&t[gv[0]]), RG_EFORMAT, "field \"enabled\" must be true or false");
    L->g->header.gc_enabled = t[gv[0]].type == J_TRUE;
    for (int k = 1; k <= 3; k++) {
        const jtok *a = &t[gv[k]];
        if (a->type != J_ARRAY || a->size != 3)
            return FAIL(L, col_of(a), RG_EFORMAT, "field \"%s\" must be an array of 3", gn[k]);
        size_t e = gv[k] + 1;
        for (int i = 0; i < 3; i++, e = t[e].next) {
            rg_dump_genstats *gs = &L->g->header.gen[i];
            if (k < 3) {
                int64_t x;
                if (rg__jint(L->line, &t[e], &x) < 0)
                    return FAIL(L, col_of(&t[e]), RG_EFORMAT, "field \"%s\" must hold integers", gn[k]);
                if (k == 1)
                    gs->threshold = (long)x;
                else
                    gs->count = (long)x;
            } else {
                static const char *const sn[] = {STATS_FIELDS(NAME)};
                if (t[e].type != J_OBJECT)
                    return FAIL(L, col_of(&t[e]), RG_EFORMAT, "field \"stats\" must hold objects");
                size_t sv[3];
                fields(L, e, sn, sizeof sn / sizeof *sn, sv);
                uint64_t *sd[] = {&gs->collections, &gs->collected, &gs->uncollectable};
                for (int j = 0; j < 3; j++)
                    if (need(L, sv[j], sn[j], &t[e]) || get_count(L, &t[sv[j]], sn[j], sd[j])) return -1;
            }
        }
    }
    if (t[gv[4]].type == J_NULL)
        L->g->header.garbage_id = 0;
    else if (get_count(L, &t[gv[4]], "garbage_id", &L->g->header.garbage_id))
        return -1;
    return 0;
}

static int parse_object(loader *L) {
    static const char *const names[] = {OBJECT_FIELDS(NAME)};
    static const uint8_t bits[] = {RG_GF_FINALIZED, RG_GF_GARBAGE, RG_GF_STATIC};
    size_t v[OBJECT_FIELDS(COUNT)];
    const jtok *t = L->jp.toks;
    rg_graph *g = L->g;
    fields(L, 0, names, sizeof names / sizeof *names, v);
    for (int i = 0; i < 7; i++)
        if (need(L, v[i], names[i], &t[0])) return -1;
    if (g->n == MAX_COUNT) return FAIL(L, 1, RG_ERANGE, "too many objects (more than %u)", MAX_COUNT);
    if (g->n == L->obj_cap && grow_objects(L)) return FAIL(L, 0, RG_ENOMEM, "out of memory");
    uint32_t i = g->n;
    uint64_t id, size, label_len = 0;
    int64_t rc;
    if (get_uint(L, &t[v[0]], "id", &id)) return -1;
    if (id == 0 || id > (uint64_t)INT64_MAX) return FAIL(L, col_of(&t[v[0]]), RG_EFORMAT, "field \"id\" must be a positive integer");
    if (get_str(L, &t[v[1]], "type", &g->type[i]) || get_uint(L, &t[v[2]], "size", &size)) return -1;
    if (rg__jint(L->line, &t[v[3]], &rc) < 0 || rc < 0)
        return FAIL(L, col_of(&t[v[3]]), RG_EFORMAT, "field \"rc\" must be a non-negative integer");
    const jtok *gt = &t[v[4]];
    int gen;
    uint64_t gu;
    if (gt->type == J_NULL)
        gen = RG_DUMP_UNTRACKED;
    else if (gt->type == J_STRING && rg__jkey(L->line, gt, "frozen", 6))
        gen = RG_DUMP_FROZEN;
    else if (rg__juint(L->line, gt, &gu) == 0 && gu <= 2)
        gen = (int)gu;
    else
        return FAIL(L, col_of(gt), RG_EFORMAT, "field \"gen\" must be 0, 1, 2, \"frozen\" or null");
    if (get_str(L, &t[v[5]], "label", &g->label[i])) return -1;
    if (v[7] && get_uint(L, &t[v[7]], "label_len", &label_len)) return -1;
    uint8_t flags = 0;
    for (int k = 8; k <= 10; k++) {
        if (!v[k]) continue;
        if (t[v[k]].type != J_TRUE && t[v[k]].type != J_FALSE)
            return FAIL(L, col_of(&t[v[k]]), RG_EFORMAT, "field \"%s\" must be true or false", names[k]);
        if (t[v[k]].type == J_TRUE) flags |= bits[k - 8];
    }
    const jtok *refs = &t[v[6]];
    if (refs->type != J_ARRAY) return FAIL(L, col_of(refs), RG_EFORMAT, "field \"refs\" must be an array");
    if ((uint64_t)g->nrefs + refs->size >= MAX_COUNT)
        return FAIL(L, col_of(refs), RG_ERANGE, "too many references (more than %u)", MAX_COUNT);
    size_t need_refs = (size_t)g->nrefs + refs->size;
    size_t rc2 = L->ref_cap;
    if (rg_grow((void **)&L->ref_id, &rc2, need_refs, sizeof *L->ref_id) ||
        (rc2 = L->ref_cap, rg_grow((void **)&g->ref_label, &rc2, need_refs, sizeof *g->ref_label)))
        return FAIL(L, 0, RG_ENOMEM, "out of memory");
    L->ref_cap = rc2;
    size_t e = v[6] + 1;
    for (uint32_t k = 0; k < refs->size; k++, e = t[e].next) {
        const jtok *r = &t[e];
        if (r->type != J_ARRAY || r->size < 2 || r->size > 3)
            return FAIL(L, col_of(r), RG_EFORMAT, "a reference must be [id, label] or [id, label, weak]");
        uint64_t target;
        uint32_t lab;
        if (get_uint(L, &t[e + 1], "refs", &target) || get_str(L, &t[e + 2], "refs", &lab)) return -1;
        if (lab & RG_EDGE_WEAK) return FAIL(L, 0, RG_ERANGE, "too many strings");
        if (r->size == 3) {
            const jtok *w = &t[t[e + 2].next];
            if (w->type != J_TRUE && w->type != J_FALSE)
                return FAIL(L, col_of(w), RG_EFORMAT, "a reference's weak flag must be true or false");
            if (w->type == J_TRUE) lab |= RG_EDGE_WEAK;
        }
        L->ref_id[g->nrefs] = target;
        g->ref_label[g->nrefs] = lab;
        g->nrefs++;
    }
    g->id[i] = id;
    g->size[i] = size;
    g->refcount[i] = rc;
    g->gen[i] = (int8_t)gen;
    g->flags[i] = flags;
    g->label_len[i] = label_len;
    L->obj_line[i] = (uint32_t)(L->lineno > (long)UINT32_MAX ? UINT32_MAX : (uint32_t)L->lineno);
    g->ref_start[i + 1] = g->nrefs;
    L->gen_count[gen == RG_DUMP_UNTRACKED ? 0 : gen == RG_DUMP_FROZEN ? 4 : gen + 1]++;
    g->n++;
    return 0;
}

static int parse_global(loader *L, size_t name_tok, size_t id_tok) {
    rg_graph *g = L->g;
    if (need(L, id_tok, "id", &L->jp.toks[0])) return -1;
    if (g->nglobals == MAX_COUNT) return FAIL(L, 1, RG_ERANGE, "too many globals");
    size_t n = (size_t)g->nglobals + 1, cap = L->glob_cap;
    if (rg_grow((void **)&g->global_name, &cap, n, sizeof *g->global_name) ||
        (cap = L->glob_cap, rg_grow((void **)&g->global_obj, &cap, n, sizeof *g->global_obj)) ||
        (cap = L->glob_cap, rg_grow((void **)&L->glob_id, &cap, n, sizeof *L->glob_id)) ||
        (cap = L->glob_cap, rg_grow((void **)&L->glob_line, &cap, n, sizeof *L->glob_line)))
        return FAIL(L, 0, RG_ENOMEM, "out of memory");
    L->glob_cap = cap;
    if (get_str(L, &L->jp.toks[name_tok], "global", &g->global_name[g->nglobals]) ||
        get_uint(L, &L->jp.toks[id_tok], "id", &L->glob_id[g->nglobals]))
        return -1;
    L->glob_line[g->nglobals] = (uint32_t)L->lineno;
    g->nglobals++;
    return 0;
}

static int parse_frame(loader *L, size_t name_tok) {
    static const char *const names[] = {FRAME_FIELDS(NAME)};
    size_t v[FRAME_FIELDS(COUNT)];
    const jtok *t = L->jp.toks;
    rg_graph *g = L->g;
    fields(L, 0, names, sizeof names / sizeof *names, v);
    if (need(L, v[1], "depth", &t[0]) || need(L, v[2], "locals", &t[0])) return -1;
    if (g->nframes == MAX_COUNT) return FAIL(L, 1, RG_ERANGE, "too many frames");
    size_t cap = L->frame_cap;
    if (rg_grow((void **)&g->frames, &cap, (size_t)g->nframes + 1, sizeof *g->frames))
        return FAIL(L, 0, RG_ENOMEM, "out of memory");
    L->frame_cap = cap;
    rg_graph_frame *f = &g->frames[g->nframes];
    memset(f, 0, sizeof *f);
    g->nframes++; /* counted now so that rg_graph_free releases its arrays */
    if (get_str(L, &t[name_tok], "frame", &f->name) || get_uint(L, &t[v[1]], "depth", &f->depth)) return -1;
    const jtok *loc = &t[v[2]];
    if (loc->type != J_ARRAY) return FAIL(L, col_of(loc), RG_EFORMAT, "field \"locals\" must be an array");
    f->local_name = malloc(((size_t)loc->size + 1) * sizeof *f->local_name);
    f->local_obj = malloc(((size_t)loc->size + 1) * sizeof *f->local_obj);
    uint64_t *ids = malloc(((size_t)loc->size + 1) * sizeof *ids);
    if (!f->local_name || !f->local_obj || !ids) {
        free(ids);
        return FAIL(L, 0, RG_ENOMEM, "out of memory");
    }
    size_t e = v[2] + 1;
    for (uint32_t k = 0; k < loc->size; k++, e = t[e].next) {
        if (t[e].type != J_ARRAY || t[e].size != 2) {
            free(ids);
            return FAIL(L, col_of(&t[e]), RG_EFORMAT, "a local must be [name, id]");
        }
        if (get_str(L, &t[e + 1], "locals", &f->local_name[k]) || get_uint(L, &t[e + 2], "locals", &ids[k])) {
            free(ids);
            return -1;
        }
    }
    f->nlocals = loc->size;
    /* ids resolve once every object is known: keep them until then */
    size_t fcap = L->fids_cap;
    if (rg_grow((void **)&L->fids, &fcap, L->nfids + loc->size + 1, sizeof *L->fids) ||
        (fcap = L->fids_cap, rg_grow((void **)&L->fline, &fcap, L->nfids + loc->size + 1, sizeof *L->fline))) {
        free(ids);
        return FAIL(L, 0, RG_ENOMEM, "out of memory");
    }
    L->fids_cap = fcap;
    for (uint32_t k = 0; k < f->nlocals; k++) {
        L->fids[L->nfids] = ids[k];
        L->fline[L->nfids++] = (uint32_t)L->lineno;
    }
    free(ids);
    return 0;
}

static int parse_trailer(loader *L, size_t tr) {
    static const char *const names[] = {TRAILER_FIELDS(NAME)};
    static const char *const gnames[] = {GENERATION_FIELDS(NAME)};
    const jtok *t = L->jp.toks;
    if (t[tr].type != J_OBJECT) return FAIL(L, col_of(&t[tr]), RG_EFORMAT, "field \"trailer\" must be an object");
    size_t v[TRAILER_FIELDS(COUNT)], gv[GENERATION_FIELDS(COUNT)];
    fields(L, tr, names, sizeof names / sizeof *names, v);
    for (int i = 0; i < 4; i++)
        if (need(L, v[i], names[i], &t[tr]) || get_uint(L, &t[v[i]], names[i], &L->trailer[i])) return -1;
    if (need(L, v[4], "generations", &t[tr])) return -1;
    if (t[v[4]].type != J_OBJECT) return FAIL(L, col_of(&t[v[4]]), RG_EFORMAT, "field \"generations\" must be an object");
    fields(L, v[4], gnames, sizeof gnames / sizeof *gnames, gv);
    for (int i = 0; i < 5; i++)
        if (need(L, gv[i], gnames[i], &t[v[4]]) || get_uint(L, &t[gv[i]], gnames[i], &L->trailer[4 + i])) return -1;
    return 0;
}

static int parse_line(loader *L) {
    if (L->sec == SEC_HEADER) {
        if (parse_header(L)) return -1;
        L->sec = SEC_OBJECTS;
        return 0;
    }
    const jtok *t = L->jp.toks;
    if (t[0].type != J_OBJECT) return FAIL(L, 1, RG_EFORMAT, "a record must be a JSON object");
    if (L->sec == SEC_DONE) return FAIL(L, 1, RG_EFORMAT, "record after the trailer");
    static const char *const kinds[] = {RECORD_KINDS(NAME)};
    size_t v[RECORD_KINDS(COUNT)];
    fields(L, 0, kinds, sizeof kinds / sizeof *kinds, v);
    /* A global record has an "id" too: the root kinds are checked first. */
    if (v[1]) {
        if (L->sec > SEC_GLOBALS) return FAIL(L, 1, RG_EFORMAT, "global record after the frames");
        L->sec = SEC_GLOBALS;
        return parse_global(L, v[1], v[0]);
    }
    if (v[2]) {
        L->sec = SEC_FRAMES;
        return parse_frame(L, v[2]);
    }
    if (v[3]) {
        L->sec = SEC_DONE;
        return parse_trailer(L, v[3]);
    }
    if (v[0]) {
        if (L->sec != SEC_OBJECTS) return FAIL(L, 1, RG_EFORMAT, "object record after the roots");
        return parse_object(L);
    }
    return FAIL(L, 1, RG_EFORMAT, "unknown record: expected an \"id\", \"global\", \"frame\" or \"trailer\" field");
}

/* ---- resolving ids ----------------------------------------------------------------------- */


static int by_id(const void *x, const void *y) {
    const rg_id_index *a = x, *b = y;
    if (a->id != b->id) return a->id < b->id ? -1 : 1;
    return a->index < b->index ? -1 : a->index > b->index;
}

/* The id map for ids a hash table would probe too long for (chosen to
 * collide): the ids sorted, O(n log n) whatever they are. */
static int build_sorted(loader *L) {
    rg_graph *g = L->g;
    graph_priv *p = L->p;
    free(p->hkeys);
    free(p->hvals);
    p->hkeys = NULL;
    p->hvals = NULL;
    p->hcap = 0;
    p->sorted = malloc(((size_t)g->n + 1) * sizeof *p->sorted);
    if (!p->sorted) return FAIL(L, 0, RG_ENOMEM, "out of memory");
    for (uint32_t i = 0; i < g->n; i++) p->sorted[i] = (rg_id_index){g->id[i], i};
    p->nsorted = g->n;
    qsort(p->sorted, p->nsorted, sizeof *p->sorted, by_id);
    /* a duplicate: report the one that comes first in the dump, as the
     * hash table does, with the line of the id's first object */
    uint32_t dup = RG_NONE, first = RG_NONE;
    size_t run = 0; /* where the current id's run starts */
    for (size_t k = 1; k < p->nsorted; k++) {
        if (p->sorted[k].id != p->sorted[k - 1].id) {
            run = k;
            continue;
        }
        if (p->sorted[k].index < dup) {
            dup = p->sorted[k].index;
            first = p->sorted[run].index;
        }
    }
    if (dup != RG_NONE) {
        L->lineno = L->obj_line[dup];
        return FAIL(L, 0, RG_EFORMAT, "duplicate object id %llu (first on line %u)", (unsigned long long)g->id[dup],
                    L->obj_line[first]);
    }
    return 0;
}

/* Builds the id map; a duplicate id is an error naming both lines. */
static int build_idmap(loader *L) {
    rg_graph *g = L->g;
    graph_priv *p = L->p;
    uint64_t max = 0;
    for (uint32_t i = 0; i < g->n; i++)
        if (g->id[i] > max) max = g->id[i];
    if (max <= (uint64_t)g->n * 4 + 4096) {
        p->direct_len = max + 1;
        p->direct = malloc(p->direct_len * sizeof *p->direct);
        if (!p->direct) return FAIL(L, 0, RG_ENOMEM, "out of memory");
        memset(p->direct, 0xff, p->direct_len * sizeof *p->direct);
        for (uint32_t i = 0; i < g->n; i++) {
            uint32_t *slot = &p->direct[g->id[i]];
            if (*slot != RG_NONE) {
                L->lineno = L->obj_line[i];
                return FAIL(L, 0, RG_EFORMAT, "duplicate object id %llu (first on line %u)",
                            (unsigned long long)g->id[i], L->obj_line[*slot]);
            }
            *slot = i;
        }
        return 0;
    }
    size_t cap = 16;
    while (cap < (size_t)g->n * 2) cap *= 2; /* bound: doubles up to 2n */
    p->hkeys = malloc(cap * sizeof *p->hkeys);
    p->hvals = malloc(cap * sizeof *p->hvals);
    if (!p->hkeys || !p->hvals) return FAIL(L, 0, RG_ENOMEM, "out of memory");
    memset(p->hkeys, 0, cap * sizeof *p->hkeys); /* ids are never 0 */
    p->hcap = cap;
    for (uint32_t i = 0; i < g->n; i++) {
        size_t j = mix(g->id[i]) & (cap - 1), probe = 0;
        /* bound: ID_MAX_PROBE slots; random ids at load 1/2 stay far below */
        while (p->hkeys[j] && p->hkeys[j] != g->id[i]) {
            if (++probe > ID_MAX_PROBE) return build_sorted(L);
            j = (j + 1) & (cap - 1);
        }
        if (p->hkeys[j]) {
            L->lineno = L->obj_line[i];
            return FAIL(L, 0, RG_EFORMAT, "duplicate object id %llu (first on line %u)",
                        (unsigned long long)g->id[i], L->obj_line[p->hvals[j]]);
        }
        p->hkeys[j] = g->id[i];
        p->hvals[j] = i;
    }
    return 0;
}

uint32_t rg_graph_find(const rg_graph *g, uint64_t id) {
    const graph_priv *p = g->priv;
    if (p->direct) return id < p->direct_len ? p->direct[id] : RG_NONE;
    if (p->sorted) { /* bound: log2(n) halvings */
        size_t lo = 0, hi = p->nsorted;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (p->sorted[mid].id < id)
                lo = mid + 1;
            else
                hi = mid;
        }
        return lo < p->nsorted && p->sorted[lo].id == id ? p->sorted[lo].index : RG_NONE;
    }
    if (!p->hcap || !id) return RG_NONE;
    /* bound: an id sits at most ID_MAX_PROBE slots after its home */
    size_t j = mix(id) & (p->hcap - 1);
    for (size_t probe = 0; probe <= ID_MAX_PROBE && p->hkeys[j]; probe++, j = (j + 1) & (p->hcap - 1))
        if (p->hkeys[j] == id) return p->hvals[j];
    return RG_NONE;
}

static void warn(loader *L, long line, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
static void warn(loader *L, long line, const char *fmt, ...) {
    if (!L->opts->warn) return;
    rg_error w = {0};
    char text[sizeof w.text];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    rg_error_set(&w, RG_EFORMAT, L->src, line, 0, "%s", text);
    L->opts->warn(&w, L->opts->warn_ud);
}

/* All objects are known: ids become indexes. Dangling references are an
 * error, or in lenient mode dropped with a warning. */
static int finish_objects(loader *L) {
    rg_graph *g = L->g;
    if (g->n == 0 && !g->ref_start) {
        g->ref_start = malloc(sizeof *g->ref_start);
        if (!g->ref_start) return FAIL(L, 0, RG_ENOMEM, "out of memory");
        g->ref_start[0] = 0;
    }
    long saved = L->lineno;
    if (build_idmap(L)) return -1;
    g->ref_target = malloc(((size_t)g->nrefs + 1) * sizeof *g->ref_target);
    if (!g->ref_target) return FAIL(L, 0, RG_ENOMEM, "out of memory");
    uint32_t out = 0;
    for (uint32_t i = 0; i < g->n; i++) {
        uint32_t from = g->ref_start[i], to = g->ref_start[i + 1];
        g->ref_start[i] = out;
        for (uint32_t e = from; e < to; e++) {
            uint32_t t = rg_graph_find(g, L->ref_id[e]);
            if (t == RG_NONE) {
                if (!L->opts->lenient) {
                    L->lineno = L->obj_line[i];
                    return FAIL(L, 0, RG_EFORMAT, "object %llu references id %llu, which is not in the dump",
                                (unsigned long long)g->id[i], (unsigned long long)L->ref_id[e]);
                }
                warn(L, L->obj_line[i], "object %llu references id %llu, which is not in the dump; dropped",
                     (unsigned long long)g->id[i], (unsigned long long)L->ref_id[e]);
                g->dropped_refs++;
                continue;
            }
            g->ref_target[out] = t;
            g->ref_label[out] = g->ref_label[e];
            out++;
        }
    }
    g->ref_start[g->n] = out;
    L->trailer_refs_found = g->nrefs; /* as written, dropped ones included */
    g->nrefs = out;
    free(L->ref_id);
    L->ref_id = NULL;
    L->lineno = saved;
    return 0;
}

static int finish_globals(loader *L) {
    rg_graph *g = L->g;
    uint32_t out = 0;
    for (uint32_t i = 0; i < g->nglobals; i++) {
        uint32_t t = rg_graph_find(g, L->glob_id[i]);
        if (t == RG_NONE) {
            rg_gstr name = g->str[g->global_name[i]];
            if (!L->opts->lenient) {
                L->lineno = L->glob_line[i];
                return FAIL(L, 0, RG_EFORMAT, "global \"%.*s\" refers to id %llu, which is not in the dump",
                            (int)name.len, name.ptr, (unsigned long long)L->glob_id[i]);
            }
            warn(L, L->glob_line[i], "global \"%.*s\" refers to id %llu, which is not in the dump; dropped",
                 (int)name.len, name.ptr, (unsigned long long)L->glob_id[i]);
            g->dropped_refs++;
            continue;
        }
        g->global_name[out] = g->global_name[i];
        g->global_obj[out++] = t;
    }
    g->nglobals = out;
    return 0;
}

static int finish_frames(loader *L) {
    rg_graph *g = L->g;
    size_t k = 0;
    for (uint32_t fi = 0; fi < g->nframes; fi++) {
        rg_graph_frame *f = &g->frames[fi];
        uint32_t out = 0, n = f->nlocals;
        for (uint32_t j = 0; j < n; j++, k++) {
            uint32_t t = rg_graph_find(g, L->fids[k]);
            rg_gstr name = g->str[f->local_name[j]], fname = g->str[f->name];
            if (t == RG_NONE) {
                if (!L->opts->lenient) {
                    L->lineno = L->fline[k];
                    return FAIL(L, 0, RG_EFORMAT,
                                "local \"%.*s\" of frame \"%.*s\" refers to id %llu, which is not in the dump",
                                (int)name.len, name.ptr, (int)fname.len, fname.ptr, (unsigned long long)L->fids[k]);
                }
                warn(L, L->fline[k], "local \"%.*s\" refers to id %llu, which is not in the dump; dropped",
                     (int)name.len, name.ptr, (unsigned long long)L->fids[k]);
                g->dropped_refs++;
                continue;
            }
            f->local_name[out] = f->local_name[j];
            f->local_obj[out++] = t;
        }
        f->nlocals = out;
    }
    return 0;
}

/* Referrers by counting sort: back_src/back_edge grouped by target. */
static int build_backrefs(loader *L) {
    rg_graph *g = L->g;
    g->back_start = calloc((size_t)g->n + 1, sizeof *g->back_start);
    g->back_src = malloc(((size_t)g->nrefs + 1) * sizeof *g->back_src);
    g->back_edge = malloc(((size_t)g->nrefs + 1) * sizeof *g->back_edge);
    if (!g->back_start || !g->back_src || !g->back_edge) return FAIL(L, 0, RG_ENOMEM, "out of memory");
    for (uint32_t e = 0; e < g->nrefs; e++) g->back_start[g->ref_target[e] + 1]++;
    for (uint32_t i = 0; i < g->n; i++) g->back_start[i + 1] += g->back_start[i];
    uint32_t *fill = malloc(((size_t)g->n + 1) * sizeof *fill);
    if (!fill) return FAIL(L, 0, RG_ENOMEM, "out of memory");
    memcpy(fill, g->back_start, ((size_t)g->n + 1) * sizeof *fill);
    for (uint32_t i = 0; i < g->n; i++) {
        for (uint32_t e = g->ref_start[i]; e < g->ref_start[i + 1]; e++) {
            uint32_t slot = fill[g->ref_target[e]]++;
            g->back_src[slot] = i;
            g->back_edge[slot] = e;
        }
    }
    free(fill);
    return 0;
}

static int check_trailer(loader *L) {
    rg_graph *g = L->g;
    struct {
        const char *what;
        uint64_t said, found;
    } c[] = {{"objects", L->trailer[0], g->n},
             {"references", L->trailer[1], L->trailer_refs_found},
             {"globals", L->trailer[2], 0},
             {"frames", L->trailer[3], g->nframes},
             {"untracked objects", L->trailer[4], L->gen_count[0]},
             {"objects in generation 0", L->trailer[5], L->gen_count[1]},
             {"objects in generation 1", L->trailer[6], L->gen_count[2]},
             {"objects in generation 2", L->trailer[7], L->gen_count[3]},
             {"frozen objects", L->trailer[8], L->gen_count[4]}};
    c[2].found = L->globals_found;
    for (size_t i = 0; i < sizeof c / sizeof *c; i++)
        if (c[i].said != c[i].found)
            return FAIL(L, 1, RG_EFORMAT, "the trailer counts %llu %s but the dump has %llu: corrupt or truncated",
                        (unsigned long long)c[i].said, c[i].what, (unsigned long long)c[i].found);
    return 0;
}

/* ---- the load ------------------------------------------------------------------------------- */

static rg_graph *load(reader *r, const char *src, const rg_load_options *opts, rg_error *err) {
    static const rg_load_options defaults = {0, NULL, NULL, NULL, NULL};
    loader L;
    memset(&L, 0, sizeof L);
    L.opts = opts ? opts : &defaults;
    L.err = err;
    L.src = src;
    rg_graph *g = calloc(1, sizeof *g);
    graph_priv *p = calloc(1, sizeof *p);
    char *srccopy = malloc(strlen(src) + 1);
    if (!g || !p || !srccopy) {
        free(g);
        free(p);
        free(srccopy);
        rg_error_set(err, RG_ENOMEM, src, 0, 0, "out of memory");
        return NULL;
    }
    strcpy(srccopy, src);
    g->source = srccopy;
    g->priv = p;
    L.g = g;
    L.p = p;
    known_table known;
    known_build(&known);
    L.jp.keep = known_field;
    L.jp.keep_ud = &known;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    p->seed = mix((uint64_t)now.tv_nsec ^ ((uint64_t)now.tv_sec << 32) ^ (uint64_t)(uintptr_t)&now ^
                  ((uint64_t)getpid() << 16)) |
              1;
    int ok = 0;
    for (;;) { /* bound: each pass takes one line of the (finite) input or ends */
        const char *line;
        size_t len;
        int rc = next_line(r, &line, &len, err, src, L.lineno + 1);
        if (rc == 0) break;
        L.lineno++;
        if (rc == -2) {
            FAIL(&L, 0, RG_ERANGE, "line too long (over 1 GiB)");
            goto out;
        }
        if (rc == -3) { /* the line's beginning, up to a byte that makes it invalid */
            int jr = rg__jparse(&L.jp, line, len);
            if (jr == -1 && L.jp.err_column >= 1 && (size_t)L.jp.err_column <= len)
                FAIL(&L, L.jp.err_column, RG_EFORMAT, "malformed JSON: %s", L.jp.err);
            else if (L.lineno == 1)
                FAIL(&L, (long)len, RG_EFORMAT, "not a refgraph dump: the first line is not an object");
            else
                FAIL(&L, (long)len, RG_EFORMAT, "a record must be a JSON object");
            goto out;
        }
        if (rc < 0) goto out;
        if (r->consumed >= r->next_progress) {
            if (L.opts->progress) L.opts->progress(r->consumed, r->total, L.opts->progress_ud);
            r->next_progress = r->consumed + PROGRESS_STEP;
        }
        L.line = line;
        int jr = rg__jparse(&L.jp, line, len);
        if (jr == -2) {
            FAIL(&L, 0, RG_ENOMEM, "out of memory");
            goto out;
        }
        if (jr < 0) {
            FAIL(&L, L.jp.err_column, RG_EFORMAT, "malformed JSON: %s", L.jp.err);
            goto out;
        }
        if (parse_line(&L)) goto out;
    }
    if (L.sec == SEC_HEADER) {
        L.lineno = 1;
        FAIL(&L, 0, RG_EFORMAT, "the dump is empty");
        goto out;
    }
    if (L.sec != SEC_DONE) {
        L.lineno++;
        FAIL(&L, 0, RG_EFORMAT, "truncated dump: no trailer line");
        goto out;
    }
    L.globals_found = g->nglobals;
    if (finish_objects(&L) || finish_globals(&L) || finish_frames(&L) || check_trailer(&L) ||
        build_backrefs(&L))
        goto out;
    ok = 1;
out:
    rg__jparser_free(&L.jp);
    free(L.scratch);
    free(L.ref_id);
    free(L.obj_line);
    free(L.glob_line);
    free(L.glob_id);
    free(L.fids);
    free(L.fline);
    free(p->itab);
    free(p->hashes);
    p->itab = NULL;
    p->hashes = NULL;
    if (!ok) {
        rg_graph_free(g); /* frees a half-built graph too */
        return NULL;
    }
    return g;
}

/* Reads the dump from r->fd (open, closed by the caller); name is used in messages. */
static rg_graph *load_fd(reader *r, const char *name, const rg_load_options *opts, rg_error *err) {
    r->cap = 1 << 20;
    r->buf = malloc(r->cap);
    r->in = malloc(IN_SIZE);
    rg_graph *g = NULL;
    if (!r->buf || !r->in) {
        rg_error_set(err, RG_ENOMEM, name, 0, 0, "out of memory");
        goto out;
    }
    r->zs.next_in = r->in;
    /* gzip or text, from the first two bytes; bound: each read adds a byte or ends */
    while (r->zs.avail_in < 2 && !r->in_eof)
        if (read_more(r, err, name, 1) < 0) goto out;
    if (r->zs.avail_in >= 2 && r->in[0] == 0x1f && r->in[1] == 0x8b) {
        if (inflateInit2(&r->zs, 16 + MAX_WBITS) != Z_OK) {
            rg_error_set(err, RG_ENOMEM, name, 0, 0, "out of memory");
            goto out;
        }
        r->gzip = r->zinit = 1;
    }
    g = load(r, name, opts, err);
out:
    if (r->zinit) inflateEnd(&r->zs);
    free(r->buf);
    free(r->in);
    return g;
}

rg_graph *rg_graph_load(const char *path, const rg_load_options *opts, rg_error *err) {
    if (!path) {
        rg_error_set(err, RG_EINVAL, "", 0, 0, "no file name given");
        return NULL;
    }
    reader r;
    memset(&r, 0, sizeof r);
    struct stat st;
    if (stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            rg_error_set(err, RG_EIO, path, 0, 0, "is a directory");
            return NULL;
        }
        r.total = (uint64_t)st.st_size;
    }
    r.fd = open(path, O_RDONLY | O_CLOEXEC);
    if (r.fd < 0) {
        rg_error_set(err, RG_EIO, path, 0, 0, "cannot open: %s", strerror(errno));
        return NULL;
    }
    rg_graph *g = load_fd(&r, path, opts, err);
    close(r.fd);
    return g;
}

rg_graph *rg_graph_load_fd(int fd, const char *name, const rg_load_options *opts, rg_error *err) {
    if (!name) name = "<fd>";
    reader r;
    memset(&r, 0, sizeof r);
    struct stat st;
    if (fstat(fd, &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            rg_error_set(err, RG_EIO, name, 0, 0, "is a directory");
            return NULL;
        }
        if (S_ISREG(st.st_mode)) r.total = (uint64_t)st.st_size; /* a pipe's size means nothing */
    }
    r.fd = fd;
    return load_fd(&r, name, opts, err);
}

rg_graph *rg_graph_load_buffer(const char *data, size_t len, const char *name, const rg_load_options *opts,
                               rg_error *err) {
    reader r;
    memset(&r, 0, sizeof r);
    r.mem = data ? data : "";
    r.memlen = data ? len : 0;
    r.total = len;
    return load(&r, name ? name : "<buffer>", opts, err);
}
