/* dump.c — writes a heap through the dump writer in one pass over its
 * lists. Changes no refcount and runs no collection. */
#include <time.h>

#include "internal.h"
#include "refgraph/heapdump.h"

typedef struct dump_ctx {
    rg_dump_writer *w;
    const rg_heap *h;
    char label[RG_DUMP_EDGE_LABEL_MAX + 8];
} dump_ctx;

static rg_dump_str str_of(const char *s) { return (rg_dump_str){s, strlen(s)}; }

static int write_ref(rg_object *target, rg_label label, void *arg) {
    dump_ctx *c = arg;
    size_t full = rg_label_format(label, c->label, sizeof c->label);
    size_t len = full < sizeof c->label - 1 ? full : sizeof c->label - 1;
    rg_dump_ref ref = {rg__id(target), {c->label, len}, 0};
    return rg_dump_object_ref(c->w, &ref);
}

static int write_object(dump_ctx *c, rg_object *o, int gen) {
    char label[RG_DUMP_LABEL_MAX + 8];
    size_t full = rg_repr(o, label, sizeof label);
    size_t len = full < sizeof label - 1 ? full : sizeof label - 1;
    rg_dump_object rec = {
        .id = rg__id(o),
        .type = str_of(rg_type_name(o)),
        .size = rg_sizeof(o),
        .refcount = o->refcnt,
        .gen = gen,
        .finalized = (o->flags & RG__F_FINALIZED) != 0,
        .garbage = (o->flags & RG__F_MARK) != 0,
        /* the heap's singletons: held by the heap for its whole life, so
         * their refcount counts the runtime's references (docs/dump-format.md) */
        .is_static = o == c->h->none || o == c->h->true_ || o == c->h->false_,
        .label = {label, len},
        .label_len = full > len ? full : 0,
    };
    int rc = rg_dump_object_begin(c->w, &rec);
    if (!rc && RG__TYPE(o)->traverse) rc = RG__TYPE(o)->traverse(o, write_ref, c);
    if (!rc && RG__TYPE(o) == &rg_weakref_type) {
        rg_object *t = rg_weakref_get(o);
        if (t) {
            rg_dump_ref ref = {rg__id(t), {"", 0}, 1};
            rc = rg_dump_object_ref(c->w, &ref);
        }
    }
    return rc ? rc : rg_dump_object_end(c->w);
}

static int write_atom(rg_object *o, void *arg) { return write_object(arg, o, RG_DUMP_UNTRACKED); }

static void mark_garbage(rg_heap *h, int on) {
    if (!h->garbage) return;
    for (size_t i = 0, n = rg_list_size(h->garbage); i < n; i++) {
        rg_object *o = rg_list_get(h->garbage, (ptrdiff_t)i);
        if (on)
            o->flags |= RG__F_MARK;
        else
            o->flags &= ~RG__F_MARK;
    }
}

static int write_all(rg_heap *h, rg_dump_writer *w, const char *created, uint64_t heap_id, const rg_dump_step *step) {
    rg_dump_header hd = {
        .producer = "refgraph",
        .producer_version = RG_VERSION,
        .created = created,
        .heap_id = heap_id ? heap_id : h->heap_id,
        .bytes_in_use = h->bytes,
        .peak_bytes = h->peak,
        .live_objects = h->live,
        .max_id = h->next_id,
        .gc_enabled = h->enabled,
        .garbage_id = h->garbage ? rg__id(h->garbage) : 0,
    };
    if (step) hd.step = *step;
    for (int i = 0; i < 3; i++) {
        hd.gen[i] = (rg_dump_genstats){h->gen[i].threshold, h->gen[i].count, h->gen[i].stats.collections,
                                       h->gen[i].stats.collected, h->gen[i].stats.uncollectable};
    }
    int rc = rg_dump_write_header(w, &hd);
    dump_ctx c;
    c.w = w;
    c.h = h;
    struct {
        rg_gc_link *list;
        int gen;
    } lists[] = {{&h->untracked, RG_DUMP_UNTRACKED}, {&h->gens[0], 0}, {&h->gens[1], 1},
                 {&h->gens[2], 2}, {&h->permanent, RG_DUMP_FROZEN}};
    /* Atoms are on no list: the walk of their slabs finds them. */
    if (!rc) rc = rg__atoms_foreach(h, write_atom, &c);
    for (size_t i = 0; !rc && i < sizeof lists / sizeof *lists; i++)
        for (rg_gc_link *l = lists[i].list->next; !rc && l != lists[i].list; l = l->next)
            rc = write_object(&c, RG__OBJ(l), lists[i].gen);
    for (size_t i = 0; !rc && i < h->globals.len; i++)
        rc = rg_dump_write_global(w, str_of(h->globals.items[i].name), rg__id(h->globals.items[i].value));
    for (size_t d = 0; !rc && d < h->nframes; d++) {
        rg__frame *f = &h->frames[d];
        rc = rg_dump_frame_begin(w, str_of(f->name), d);
        for (size_t i = 0; !rc && i < f->locals.len; i++)
            rc = rg_dump_frame_local(w, str_of(f->locals.items[i].name), rg__id(f->locals.items[i].value));
        if (!rc) rc = rg_dump_frame_end(w);
    }
    return rc;
}

int rg_heap_dump(rg_heap *h, const char *path, const rg_dump_options *opts, rg_error *err) {
    char now[32];
    const char *created = opts && opts->created ? opts->created : NULL;
    if (!created) {
        time_t t = time(NULL);
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tm);
        created = now;
    }
    rg_dump_writer *w = rg_dump_writer_open(path, err);
    if (!w) return err && err->code ? err->code : RG_EIO;
    mark_garbage(h, 1);
    int rc = write_all(h, w, created, opts ? opts->heap_id : 0, opts ? &opts->step : NULL);
    mark_garbage(h, 0);
    if (rc) {
        rg_dump_writer_close(w, err); /* reports the first failure, removes the file */
        return rc;
    }
    return rg_dump_writer_close(w, err);
}
