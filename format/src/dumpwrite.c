/* dumpwrite.c — the streaming, atomic JSON Lines writer for dumps. The
 * header record is built with jansson; the bulk records (objects, globals,
 * frames, the trailer) are written here by hand, for speed.
 *
 * Every string goes out as valid JSON and valid UTF-8, deterministically:
 * valid UTF-8 passes through, '"' and '\' and control characters are
 * escaped, and each byte that is not part of valid UTF-8 becomes the four
 * characters \xNN (as Python's backslashreplace shows it). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "refgraph/dump.h"
#include "refgraph/jsonout.h"
#include "refgraph/outfile.h"

#define BUF_SIZE (64 * 1024)

enum stage { ST_HEADER, ST_OBJECTS, ST_IN_OBJECT, ST_GLOBALS, ST_FRAMES, ST_IN_FRAME };

struct rg_dump_writer {
    char *path;
    rg_outfile *out;
    int fd;
    gzFile gz;
    enum stage stage;
    int failed; /* first rg_errno, 0 if none */
    rg_error err;
    size_t nrefs_in_object, nlocals_in_frame;
    uint64_t objects, references, globals, frames, gens[5];
    size_t len;
    char buf[BUF_SIZE];
};

/* ---- output --------------------------------------------------------------------- */

static void fail_errno(rg_dump_writer *w, const char *what) {
    if (w->failed) return;
    w->failed = RG_EIO;
    rg_error_set(&w->err, RG_EIO, w->path, 0, 0, "cannot %s '%s': %s", what, w->path, strerror(errno));
}

static void flush(rg_dump_writer *w) {
    if (w->failed || !w->len) {
        w->len = 0;
        return;
    }
    if (w->gz) {
        if (gzwrite(w->gz, w->buf, (unsigned)w->len) != (int)w->len) {
            int zerr;
            const char *msg = gzerror(w->gz, &zerr);
            if (zerr == Z_ERRNO) {
                fail_errno(w, "write");
            } else {
                w->failed = RG_EIO;
                rg_error_set(&w->err, RG_EIO, w->path, 0, 0, "cannot compress '%s': %s", w->path, msg);
            }
        }
    } else {
        const char *p = w->buf;
        size_t left = w->len;
        while (left) {
            ssize_t n = write(w->fd, p, left);
            if (n < 0) {
                if (errno == EINTR) continue;
                fail_errno(w, "write");
                break;
            }
            p += n;
            left -= (size_t)n;
        }
    }
    w->len = 0;
}

static inline void put(rg_dump_writer *w, const char *s, size_t n) {
    if (w->len + n > BUF_SIZE) {
        flush(w);
        while (n > BUF_SIZE) { /* only a huge label could be this long */
            memcpy(w->buf, s, BUF_SIZE);
            w->len = BUF_SIZE;
            flush(w);
            s += BUF_SIZE;
            n -= BUF_SIZE;
        }
    }
    memcpy(w->buf + w->len, s, n);
    w->len += n;
}

/* lit must be a string literal (sizeof of a pointer would be wrong). */
#define PUTS(w, lit) put((w), "" lit, sizeof(lit) - 1)

static inline void putc_(rg_dump_writer *w, char c) {
    if (w->len == BUF_SIZE) flush(w);
    w->buf[w->len++] = c;
}

static void put_u64(rg_dump_writer *w, uint64_t v) {
    static const char pairs[201] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
                                   "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
                                   "8081828384858687888990919293949596979899";
    char tmp[24];
    int i = 24;
    while (v >= 100) { /* two digits per division: ids are often 15 digits long */
        unsigned r = (unsigned)(v % 100);
        v /= 100;
        tmp[--i] = pairs[2 * r + 1];
        tmp[--i] = pairs[2 * r];
    }
    if (v >= 10) {
        tmp[--i] = pairs[2 * v + 1];
        tmp[--i] = pairs[2 * v];
    } else {
        tmp[--i] = (char)('0' + v);
    }
    put(w, tmp + i, (size_t)(24 - i));
}

static void put_i64(rg_dump_writer *w, int64_t v) {
    if (v < 0) {
        putc_(w, '-');
        put_u64(w, (uint64_t)0 - (uint64_t)v);
    } else {
        put_u64(w, (uint64_t)v);
    }
}

static void put_str(rg_dump_writer *w, const char *s, size_t n) {
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s;
    putc_(w, '"');
    size_t run = 0; /* bytes that need no escaping, copied in one go */
    for (size_t i = 0; i < n;) {
        unsigned c = p[i];
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
            run++;
            i++;
            continue;
        }
        size_t k = c >= 0x80 ? rg_utf8_seq(p + i, n - i) : 0;
        if (k) { /* valid multi-byte UTF-8 passes through */
            run += k;
            i += k;
            continue;
        }
        put(w, (const char *)p + i - run, run);
        run = 0;
        char e[8];
        switch (c) {
        case '"': PUTS(w, "\\\""); break;
        case '\\': PUTS(w, "\\\\"); break;
        case '\n': PUTS(w, "\\n"); break;
        case '\r': PUTS(w, "\\r"); break;
        case '\t': PUTS(w, "\\t"); break;
        case '\b': PUTS(w, "\\b"); break;
        case '\f': PUTS(w, "\\f"); break;
        default:
            if (c < 0x20) {
                memcpy(e, "\\u00", 4);
                e[4] = hex[c >> 4];
                e[5] = hex[c & 15];
                put(w, e, 6);
            } else { /* a byte outside valid UTF-8: \xNN, its backslash escaped */
                memcpy(e, "\\\\x", 3);
                e[3] = hex[c >> 4];
                e[4] = hex[c & 15];
                put(w, e, 5);
            }
        }
        i++;
    }
    put(w, (const char *)p + n - run, run);
    putc_(w, '"');
}

/* ---- records -------------------------------------------------------------------- */

static int check_stage(rg_dump_writer *w, int ok, const char *what) {
    if (w->failed) return w->failed;
    if (ok) return 0;
    w->failed = RG_EINVAL;
    rg_error_set(&w->err, RG_EINVAL, w->path, 0, 0, "records out of order: %s", what);
    return RG_EINVAL;
}

/* The header record, built with jansson: it is written once, so its cost
 * does not matter, and its fields are many and change. Integers are
 * jansson's (long long): a count above 2^63 - 1 is refused (RG_ERANGE), as
 * the loader refuses it. */
static json_t *header_json(const rg_dump_header *h, int *range) {
    json_t *v = json_object();
    int bad = !v;
    char hid[24];
    snprintf(hid, sizeof hid, "%016llx", (unsigned long long)h->heap_id);
    uint64_t big[] = {h->bytes_in_use, h->peak_bytes, h->live_objects, h->max_id, h->garbage_id};
    for (int i = 0; i < 3; i++) {
        if (h->gen[i].collections > INT64_MAX || h->gen[i].collected > INT64_MAX ||
            h->gen[i].uncollectable > INT64_MAX)
            *range = 1;
    }
    for (size_t i = 0; i < sizeof big / sizeof *big; i++)
        if (big[i] > INT64_MAX) *range = 1;
    if (*range) {
        json_decref(v);
        return NULL;
    }
    bad |= json_object_set_new(v, "format", json_string(RG_DUMP_FORMAT));
    bad |= json_object_set_new(v, "version", json_integer(RG_DUMP_VERSION));
    bad |= json_object_set_new(v, "producer", rg_json_cstr(h->producer));
    bad |= json_object_set_new(v, "producer_version", rg_json_cstr(h->producer_version));
    bad |= json_object_set_new(v, "created", rg_json_cstr(h->created));
    bad |= json_object_set_new(v, "heap_id", json_string(hid));
    if (h->ids) bad |= json_object_set_new(v, "ids", rg_json_cstr(h->ids));
    bad |= json_object_set_new(v, "heap",
                               json_pack("{s:I,s:I,s:I,s:I}", "bytes_in_use", (json_int_t)h->bytes_in_use,
                                         "peak_bytes", (json_int_t)h->peak_bytes, "live_objects",
                                         (json_int_t)h->live_objects, "max_id", (json_int_t)h->max_id));
    json_t *gc = json_pack("{s:b,s:[I,I,I],s:[I,I,I]}", "enabled", h->gc_enabled != 0, "thresholds",
                           (json_int_t)h->gen[0].threshold, (json_int_t)h->gen[1].threshold,
                           (json_int_t)h->gen[2].threshold, "counts", (json_int_t)h->gen[0].count,
                           (json_int_t)h->gen[1].count, (json_int_t)h->gen[2].count);
    json_t *stats = json_array();
    for (int i = 0; i < 3; i++)
        bad |= json_array_append_new(stats, json_pack("{s:I,s:I,s:I}", "collections",
                                                      (json_int_t)h->gen[i].collections, "collected",
                                                      (json_int_t)h->gen[i].collected, "uncollectable",
                                                      (json_int_t)h->gen[i].uncollectable));
    bad |= json_object_set_new(gc, "stats", stats);
    bad |= json_object_set_new(gc, "garbage_id", h->garbage_id ? json_integer((json_int_t)h->garbage_id) : json_null());
    bad |= json_object_set_new(v, "gc", gc);
    const rg_dump_step *st = &h->step;
    if (st->lesson || st->title || st->code || st->caption) {
        json_t *step = json_object();
        static const char *const keys[] = {"lesson", "title", "code", "caption"};
        const char *vals[] = {st->lesson, st->title, st->code, st->caption};
        for (int i = 0; i < 4; i++)
            if (vals[i]) bad |= json_object_set_new(step, keys[i], rg_json_cstr(vals[i]));
        bad |= json_object_set_new(v, "step", step);
    }
    if (bad) {
        json_decref(v);
        return NULL;
    }
    return v;
}

int rg_dump_write_header(rg_dump_writer *w, const rg_dump_header *h) {
    int rc = check_stage(w, w->stage == ST_HEADER, "header after other records");
    if (rc) return rc;
    int range = 0;
    json_t *v = header_json(h, &range);
    size_t n = 0;
    char *s = v ? rg_json_dump(v, 0, &n) : NULL;
    json_decref(v);
    if (!s) {
        w->failed = range ? RG_ERANGE : RG_ENOMEM;
        rg_error_set(&w->err, w->failed, w->path, 0, 0,
                     range ? "a header count is above 2^63 - 1" : "out of memory");
        return w->failed;
    }
    put(w, s, n);
    free(s);
    putc_(w, '\n');
    w->stage = ST_OBJECTS;
    return w->failed;
}

int rg_dump_object_begin(rg_dump_writer *w, const rg_dump_object *o) {
    int rc = check_stage(w, w->stage == ST_OBJECTS, "object outside the object section");
    if (rc) return rc;
    PUTS(w, "{\"id\":");
    put_u64(w, o->id);
    PUTS(w, ",\"type\":");
    put_str(w, o->type.ptr, o->type.len);
    PUTS(w, ",\"size\":");
    put_u64(w, o->size);
    PUTS(w, ",\"rc\":");
    put_i64(w, o->refcount);
    PUTS(w, ",\"gen\":");
    if (o->gen == RG_DUMP_UNTRACKED)
        PUTS(w, "null");
    else if (o->gen == RG_DUMP_FROZEN)
        PUTS(w, "\"frozen\"");
    else
        put_i64(w, o->gen);
    PUTS(w, ",\"label\":");
    size_t cut = rg_utf8_cut(o->label.ptr, o->label.len, RG_DUMP_LABEL_MAX);
    put_str(w, o->label.ptr, cut);
    uint64_t full = o->label_len ? o->label_len : o->label.len;
    if (full > cut) {
        PUTS(w, ",\"label_len\":");
        put_u64(w, full);
    }
    if (o->finalized) PUTS(w, ",\"finalized\":true");
    if (o->garbage) PUTS(w, ",\"garbage\":true");
    if (o->is_static) PUTS(w, ",\"static\":true");
    PUTS(w, ",\"refs\":[");
    w->nrefs_in_object = 0;
    w->objects++;
    w->gens[o->gen == RG_DUMP_UNTRACKED ? 0 : o->gen == RG_DUMP_FROZEN ? 4 : (size_t)o->gen + 1]++;
    w->stage = ST_IN_OBJECT;
    return w->failed;
}

int rg_dump_object_ref(rg_dump_writer *w, const rg_dump_ref *ref) {
    int rc = check_stage(w, w->stage == ST_IN_OBJECT, "reference outside an object");
    if (rc) return rc;
    if (w->nrefs_in_object++) putc_(w, ',');
    putc_(w, '[');
    put_u64(w, ref->target);
    putc_(w, ',');
    if (ref->label.len > RG_DUMP_EDGE_LABEL_MAX) {
        /* Cut to at most RG_DUMP_EDGE_LABEL_MAX bytes ending in "...": a
         * label that fits is never cut, so re-writing a loaded dump gives
         * the same bytes. */
        size_t cut = rg_utf8_cut(ref->label.ptr, ref->label.len, RG_DUMP_EDGE_LABEL_MAX - 3);
        char tmp[RG_DUMP_EDGE_LABEL_MAX];
        memcpy(tmp, ref->label.ptr, cut);
        memcpy(tmp + cut, "...", 3);
        put_str(w, tmp, cut + 3);
    } else {
        put_str(w, ref->label.ptr, ref->label.len);
    }
    if (ref->weak) PUTS(w, ",true");
    putc_(w, ']');
    w->references++;
    return w->failed;
}

int rg_dump_object_end(rg_dump_writer *w) {
    int rc = check_stage(w, w->stage == ST_IN_OBJECT, "object end without begin");
    if (rc) return rc;
    PUTS(w, "]}\n");
    w->stage = ST_OBJECTS;
    return w->failed;
}

int rg_dump_write_global(rg_dump_writer *w, rg_dump_str name, uint64_t id) {
    int rc = check_stage(w, w->stage == ST_OBJECTS || w->stage == ST_GLOBALS, "global after frames");
    if (rc) return rc;
    PUTS(w, "{\"global\":");
    put_str(w, name.ptr, name.len);
    PUTS(w, ",\"id\":");
    put_u64(w, id);
    PUTS(w, "}\n");
    w->globals++;
    w->stage = ST_GLOBALS;
    return w->failed;
}

int rg_dump_frame_begin(rg_dump_writer *w, rg_dump_str name, uint64_t depth) {
    int rc = check_stage(w, w->stage == ST_OBJECTS || w->stage == ST_GLOBALS || w->stage == ST_FRAMES,
                         "frame out of place");
    if (rc) return rc;
    PUTS(w, "{\"frame\":");
    put_str(w, name.ptr, name.len);
    PUTS(w, ",\"depth\":");
    put_u64(w, depth);
    PUTS(w, ",\"locals\":[");
    w->nlocals_in_frame = 0;
    w->frames++;
    w->stage = ST_IN_FRAME;
    return w->failed;
}

int rg_dump_frame_local(rg_dump_writer *w, rg_dump_str name, uint64_t id) {
    int rc = check_stage(w, w->stage == ST_IN_FRAME, "local outside a frame");
    if (rc) return rc;
    if (w->nlocals_in_frame++) putc_(w, ',');
    putc_(w, '[');
    put_str(w, name.ptr, name.len);
    putc_(w, ',');
    put_u64(w, id);
    putc_(w, ']');
    return w->failed;
}

int rg_dump_frame_end(rg_dump_writer *w) {
    int rc = check_stage(w, w->stage == ST_IN_FRAME, "frame end without begin");
    if (rc) return rc;
    PUTS(w, "]}\n");
    w->stage = ST_FRAMES;
    return w->failed;
}

/* ---- the file ------------------------------------------------------------------------ */

static int ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

rg_dump_writer *rg_dump_writer_open(const char *path, rg_error *err) {
    if (!path || !*path) {
        rg_error_set(err, RG_EINVAL, "", 0, 0, "no file name given");
        return NULL;
    }
    rg_dump_writer *w = calloc(1, sizeof *w);
    size_t n = strlen(path);
    if (w) w->path = malloc(n + 1);
    if (!w || !w->path) {
        if (w) free(w);
        rg_error_set(err, RG_ENOMEM, path, 0, 0, "out of memory");
        return NULL;
    }
    memcpy(w->path, path, n + 1);
    /* A temporary file beside the target, renamed into place at close
     * (or the device, FIFO or standard output written directly). */
    w->out = rg_outfile_open(path, err);
    if (!w->out) {
        free(w->path);
        free(w);
        return NULL;
    }
    w->fd = rg_outfile_fd(w->out);
    if (ends_with(path, ".gz")) {
        int fd2 = dup(w->fd);
        w->gz = fd2 >= 0 ? gzdopen(fd2, "wb1") : NULL;
        if (!w->gz) {
            if (fd2 >= 0) close(fd2);
            fail_errno(w, "compress");
        }
    }
    return w;
}

static void discard(rg_dump_writer *w) {
    if (w->gz) gzclose(w->gz);
    rg_outfile_abort(w->out);
    free(w->path);
    free(w);
}

void rg_dump_writer_abort(rg_dump_writer *w) {
    if (w) discard(w);
}

int rg_dump_writer_close(rg_dump_writer *w, rg_error *err) {
    if (!w) return RG_EINVAL;
    check_stage(w, w->stage != ST_HEADER && w->stage != ST_IN_OBJECT && w->stage != ST_IN_FRAME,
                "incomplete record at close");
    PUTS(w, "{\"trailer\":{\"objects\":");
    put_u64(w, w->objects);
    PUTS(w, ",\"references\":");
    put_u64(w, w->references);
    PUTS(w, ",\"globals\":");
    put_u64(w, w->globals);
    PUTS(w, ",\"frames\":");
    put_u64(w, w->frames);
    PUTS(w, ",\"generations\":{\"untracked\":");
    put_u64(w, w->gens[0]);
    for (int i = 0; i < 3; i++) {
        static const char *const keys[] = {",\"0\":", ",\"1\":", ",\"2\":"};
        put(w, keys[i], 5);
        put_u64(w, w->gens[i + 1]);
    }
    PUTS(w, ",\"frozen\":");
    put_u64(w, w->gens[4]);
    PUTS(w, "}}}\n");
    flush(w);
    if (w->gz) {
        int zrc = gzclose(w->gz);
        w->gz = NULL;
        if (zrc != Z_OK && !w->failed) {
            if (zrc == Z_ERRNO)
                fail_errno(w, "write");
            else {
                w->failed = RG_EIO;
                rg_error_set(&w->err, RG_EIO, w->path, 0, 0, "cannot compress '%s'", w->path);
            }
        }
    }
    if (!w->failed) {
        rg_outfile *out = w->out;
        w->out = NULL;
        if (rg_outfile_commit(out, &w->err) != 0) w->failed = RG_EIO;
    }
    int rc = w->failed;
    if (rc) {
        if (err && !err->code) *err = w->err;
        discard(w);
        return rc;
    }
    free(w->path);
    free(w);
    return 0;
}
