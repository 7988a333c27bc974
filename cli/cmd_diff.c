/* diff: what changed between two dumps of one heap, object by object
 * (matched as refgraph/match.h says), cycle by cycle, and in reachability. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

#define NEW_DRAWN 200   /* new objects drawn with -o */
#define GONE_DRAWN 100  /* freed objects drawn with -o */
#define LOST_DRAWN 100  /* objects that became unreachable drawn with -o */
#define CYCLES_LISTED 10

const cli_opt cmd_diff_opts[] = {
    {"limit", 0, "N", "show at most N types (default 20; 0 for all)"},
    {"json", 0, NULL, "print JSON (shape in refgraph(1))"},
    {"output", 'o', "FILE", "also draw the new and freed objects to FILE " CLI_DRAW_FILE_HELP},
    CLI_DRAW_OPTS,
    {NULL, 0, NULL, NULL},
};

typedef struct row {
    rg_gstr type;
    uint64_t before, after, new_, freed, alloc_bytes, freed_bytes, bytes_before, bytes_after;
    uint64_t lost, lost_bytes, found, found_bytes; /* matched objects whose reachability changed */
} row;

typedef struct table {
    row *rows;
    size_t n, cap;
    uint32_t *slots; /* open addressing over row indexes */
    size_t nslots;
} table;

/* Type names come from the dumps: a fixed hash would let a file hold names
 * chosen to collide. FNV-1a from a seed drawn per run, then splitmix64's
 * finalizer (the seed changes no output: rows are sorted). */
static uint64_t hash_seed;

static uint32_t hash_gstr(rg_gstr s) {
    uint64_t h = hash_seed;
    for (uint32_t i = 0; i < s.len; i++) h = (h ^ (unsigned char)s.ptr[i]) * 0x100000001b3ULL;
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebULL;
    h ^= h >> 31;
    return (uint32_t)h;
}

/* Every object's row, looked up once per distinct type string of a graph. */
static row *row_of(table *t, uint32_t *cache, const rg_graph *g, uint32_t i);

/* The row of a type name, added when new; NULL when out of memory. */
static row *row_for(table *t, rg_gstr type) {
    if ((t->n + 1) * 2 > t->nslots) {
        size_t ns = t->nslots ? t->nslots * 2 : 256;
        uint32_t *s = malloc(ns * sizeof *s);
        if (!s) return NULL;
        memset(s, 0xff, ns * sizeof *s);
        for (size_t i = 0; i < t->n; i++) {
            size_t j = hash_gstr(t->rows[i].type) & (ns - 1);
            while (s[j] != RG_NONE) j = (j + 1) & (ns - 1); /* bound: at most half full */
            s[j] = (uint32_t)i;
        }
        free(t->slots);
        t->slots = s;
        t->nslots = ns;
    }
    size_t j = hash_gstr(type) & (t->nslots - 1);
    for (; t->slots[j] != RG_NONE; j = (j + 1) & (t->nslots - 1)) { /* bound: at most half full */
        row *r = &t->rows[t->slots[j]];
        if (r->type.len == type.len && memcmp(r->type.ptr, type.ptr, type.len) == 0) return r;
    }
    if (t->n == t->cap) {
        size_t c = t->cap ? t->cap * 2 : 64;
        row *r = realloc(t->rows, c * sizeof *r);
        if (!r) return NULL;
        t->rows = r;
        t->cap = c;
    }
    t->slots[j] = (uint32_t)t->n;
    row *r = &t->rows[t->n++];
    memset(r, 0, sizeof *r);
    r->type = type;
    return r;
}

/* The change in bytes as a sign and a magnitude: totals go up to 2^64 - 1,
 * so their difference does not fit an int64. */
static row *row_of(table *t, uint32_t *cache, const rg_graph *g, uint32_t i) {
    uint32_t ty = g->type[i];
    if (cache[ty] == RG_NONE) {
        row *r = row_for(t, g->str[ty]);
        if (!r) return NULL;
        cache[ty] = (uint32_t)(r - t->rows);
    }
    return &t->rows[cache[ty]];
}

/* After the rows are sorted: the slots point at their new places. */
static void reindex(table *t) {
    memset(t->slots, 0xff, t->nslots * sizeof *t->slots);
    for (size_t i = 0; i < t->n; i++) { /* bound: the rows; each probe ends, the table is half empty */
        size_t j = hash_gstr(t->rows[i].type) & (t->nslots - 1);
        while (t->slots[j] != RG_NONE) j = (j + 1) & (t->nslots - 1);
        t->slots[j] = (uint32_t)i;
    }
}

/* The place of a type's row in the sorted table, or RG_NONE. */
static uint32_t row_rank(const table *t, rg_gstr type) {
    if (!t->nslots) return RG_NONE;
    for (size_t j = hash_gstr(type) & (t->nslots - 1); t->slots[j] != RG_NONE; j = (j + 1) & (t->nslots - 1)) {
        const row *r = &t->rows[t->slots[j]];
        if (r->type.len == type.len && memcmp(r->type.ptr, type.ptr, type.len) == 0) return t->slots[j];
    }
    return RG_NONE;
}

/* Objects to draw, the most telling first: by their type's place in the
 * table (the largest change in bytes first), then the biggest, then in
 * dump order. */
typedef struct pick {
    uint32_t rank, obj;
    uint64_t size;
} pick;

static int by_pick(const void *x, const void *y) {
    const pick *a = x, *b = y;
    if (a->rank != b->rank) return a->rank < b->rank ? -1 : 1;
    if (a->size != b->size) return a->size > b->size ? -1 : 1;
    return a->obj < b->obj ? -1 : a->obj > b->obj;
}

static uint64_t delta_mag(const row *r) {
    return r->bytes_after >= r->bytes_before ? r->bytes_after - r->bytes_before : r->bytes_before - r->bytes_after;
}
static int delta_neg(const row *r) { return r->bytes_after < r->bytes_before; }

static int by_delta(const void *x, const void *y) {
    const row *a = x, *b = y;
    uint64_t ma = delta_mag(a), mb = delta_mag(b);
    if (ma != mb) return ma < mb ? 1 : -1;
    if (a->alloc_bytes != b->alloc_bytes) return a->alloc_bytes < b->alloc_bytes ? 1 : -1;
    size_t n = a->type.len < b->type.len ? a->type.len : b->type.len;
    int c = memcmp(a->type.ptr, b->type.ptr, n);
    return c ? c : (a->type.len > b->type.len) - (a->type.len < b->type.len);
}

/* "+1.5 KiB", "-3 B", "0 B" into buf (at least 32 bytes). */
static const char *signed_bytes(uint64_t mag, int neg, char *buf) {
    buf[0] = neg ? '-' : '+';
    cli_bytes(mag, buf + (mag != 0), 31);
    return buf;
}

/* Cycles as text (at most CYCLES_LISTED) or, when list is not NULL, as
 * JSON elements appended to it (*bad set when out of memory); the text says
 * "unreachable" unless what already tells the reachability. */
static void list_cycles(const char *what, const rg_graph *g, const rg_analysis *an, rg_finder *f,
                        const uint32_t *comps, size_t n, uint32_t *scratch, json_t *list, int *bad) {
    char b[32];
    for (size_t i = 0; i < n && (list ? !*bad : i < CYCLES_LISTED); i++) {
        uint32_t k = comps[i], m = f->members[f->comp_start[k]];
        uint32_t len = rg_shortest_cycle(f, m, NULL, 0, scratch);
        if (list) {
            json_t *o = json_object();
            cli_jset(o, "change", json_string(what), bad);
            cli_jset(o, "objects", cli_json_u64(an->scc.size[k]), bad);
            cli_jset(o, "bytes", cli_json_u64(an->scc.bytes[k]), bad);
            cli_jset(o, "reachable", json_boolean(an->reach[m]), bad);
            cli_jset(o, "cycle", cli_json_path(g, NULL, m, scratch, len), bad);
            cli_jpush(list, o, bad);
            continue;
        }
        printf("  %s: %u object%s, %s%s: ", what, an->scc.size[k], an->scc.size[k] == 1 ? "" : "s",
               cli_bytes(an->scc.bytes[k], b, sizeof b),
               an->reach[m] || strstr(what, "reachable") ? "" : ", unreachable");
        cli_print_path(stdout, g, NULL, m, scratch, len);
        putchar('\n');
    }
    if (!list && n > CYCLES_LISTED) printf("  (%zu more %s cycles)\n", n - CYCLES_LISTED, what);
}

/* The ids of g's objects without a counterpart in the other dump (other:
 * the match's index map of g): objgraph's get_new_ids. New reference, NULL
 * when out of memory. */
static json_t *json_ids(const rg_graph *g, const uint32_t *other) {
    json_t *arr = json_array();
    int bad = 0;
    for (uint32_t i = 0; i < g->n && !bad; i++) /* bound: the dump's objects */
        if (other[i] == RG_NONE) cli_jpush(arr, cli_json_u64(g->id[i]), &bad);
    if (bad) {
        json_decref(arr);
        return NULL;
    }
    return arr;
}

/* A signed size change of magnitude mag (saturated, as JSON integers are
 * signed 64-bit). */
static json_t *json_signed(uint64_t mag, int neg) {
    json_int_t v = mag > (uint64_t)INT64_MAX ? INT64_MAX : (json_int_t)mag;
    return json_integer(neg ? -v : v);
}

/* Objects whose reachability from the roots changed, in all and per type
 * (rows in the table's order, at most limit types; 0: all). */
/* Objects whose reachability from the roots changed, in all and per type
 * (rows in the table's order, at most limit types; 0: all), as text or,
 * when json is not NULL, as a JSON object stored there (new reference, NULL
 * when out of memory). */
static void print_reach(const table *t, const rg_changes *ch, size_t limit, json_t **json) {
    char b1[32], b2[32], tn[128];
    size_t shown = 0, more = 0;
    json_t *doc = NULL, *types = NULL;
    int bad = 0;
    if (json) {
        doc = json_object();
        types = json_array();
        cli_jset(doc, "unreachable_objects", cli_json_u64(ch->nlost), &bad);
        cli_jset(doc, "unreachable_bytes", cli_json_u64(ch->lost_bytes), &bad);
        cli_jset(doc, "reachable_objects", cli_json_u64(ch->nfound), &bad);
        cli_jset(doc, "reachable_bytes", cli_json_u64(ch->found_bytes), &bad);
        cli_jset(doc, "types", json_incref(types), &bad);
    } else if (!ch->nlost && !ch->nfound) {
        printf("no object became unreachable or reachable again\n");
    } else {
        printf("%u object%s (%s) became unreachable, %u became reachable again (%s)\n", ch->nlost,
               ch->nlost == 1 ? "" : "s", cli_bytes(ch->lost_bytes, b1, sizeof b1), ch->nfound,
               cli_bytes(ch->found_bytes, b2, sizeof b2));
    }
    for (size_t i = 0; i < t->n && !bad; i++) { /* bound: the table's rows */
        const row *r = &t->rows[i];
        if (!r->lost && !r->found) continue;
        if (limit && shown == limit) {
            more++;
            continue;
        }
        if (json) {
            json_t *o = json_object();
            cli_jset(o, "type", cli_json_gstr(r->type), &bad);
            cli_jset(o, "unreachable", cli_json_u64(r->lost), &bad);
            cli_jset(o, "unreachable_bytes", cli_json_u64(r->lost_bytes), &bad);
            cli_jset(o, "reachable", cli_json_u64(r->found), &bad);
            cli_jset(o, "reachable_bytes", cli_json_u64(r->found_bytes), &bad);
            cli_jpush(types, o, &bad);
        } else {
            printf("  %s: %llu unreachable now (%s), %llu reachable again (%s)\n", cli_gstr(r->type, tn, sizeof tn),
                   (unsigned long long)r->lost, cli_bytes(r->lost_bytes, b1, sizeof b1),
                   (unsigned long long)r->found, cli_bytes(r->found_bytes, b2, sizeof b2));
        }
        shown++;
    }
    json_decref(types);
    if (json) {
        if (bad) json_decref(doc);
        *json = bad ? NULL : doc;
    } else if (more) {
        printf("  (%zu more types)\n", more);
    }
}

int cmd_diff(const cli_args *a) {
    int rc = EXIT_OK;
    long limit;
    rg_render_options ro;
    cli_store store = {0};
    rg_graph *og = NULL, *ng = NULL;
    rg_analysis oan = {0}, nan = {0};
    rg_finder of = {0}, nf = {0};
    rg_dom od = {0}, nd = {0};
    rg_match m = {0};
    rg_changes ch = {0};
    table t = {0};
    uint32_t *scratch = NULL, *ocache = NULL, *ncache = NULL;
    if (cli_int(a, "limit", 20, 0, 1L << 32, &limit) < 0 || cli_draw_options(a, &ro, &store) < 0) {
        rc = EXIT_USAGE;
        goto out;
    }
    if (!(og = cli_load(a->pos[0])) || !(ng = cli_load(a->pos[1]))) {
        rc = EXIT_INPUT;
        goto out;
    }
    if (cli_check_draw_types(a, ng, og, a->pos[1]) < 0) {
        rc = EXIT_USAGE;
        goto out;
    }
    if (og->header.heap_id != ng->header.heap_id) {
        cli_error("cannot compare '%s' and '%s': they are dumps of different heaps (%016llx and %016llx), "
                  "whose ids mean different objects",
                  a->pos[0], a->pos[1], (unsigned long long)og->header.heap_id,
                  (unsigned long long)ng->header.heap_id);
        rc = EXIT_USAGE;
        goto out;
    }
    if (!rg_match_in_order(og, ng)) {
        cli_error("'%s' was written before '%s': give the older dump first", a->pos[1], a->pos[0]);
        rc = EXIT_USAGE;
        goto out;
    }
    if (rg_analyze(og, &oan) || rg_analyze(ng, &nan) || rg_finder_init(&of, og, &oan.scc) ||
        rg_finder_init(&nf, ng, &nan.scc) || rg_dominators(og, &od) || rg_dominators(ng, &nd) ||
        rg_match_init(&m, og, ng) ||
        rg_changes_compute(&m, &oan.scc, oan.reach, ng, &nan.scc, nan.reach, &ch) ||
        !(scratch = malloc(((size_t)(og->n > ng->n ? og->n : ng->n) + 1) * sizeof *scratch))) {
        cli_nomem();
        rc = EXIT_INPUT;
        goto out;
    }
    if (m.mixed)
        cli_error("warning: '%s' has %s ids and '%s' has %s ids: objects are matched by id, type and size",
                  a->pos[0], rg_ids_reusable(og) ? "reusable" : "sequence", a->pos[1],
                  rg_ids_reusable(ng) ? "reusable" : "sequence");
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    hash_seed = 0xcbf29ce484222325ULL ^ (uint64_t)now.tv_nsec ^ ((uint64_t)now.tv_sec << 32) ^ (uint64_t)(uintptr_t)&now;
    ocache = malloc(((size_t)og->nstr + 1) * sizeof *ocache);
    ncache = malloc(((size_t)ng->nstr + 1) * sizeof *ncache);
    if (!ocache || !ncache) goto nomem;
    memset(ocache, 0xff, ((size_t)og->nstr + 1) * sizeof *ocache);
    memset(ncache, 0xff, ((size_t)ng->nstr + 1) * sizeof *ncache);
    uint64_t nnew = m.nnew, nfreed = m.nfreed, alloc = m.new_bytes, freed = m.freed_bytes;
    for (uint32_t i = 0; i < og->n; i++) {
        row *r = row_of(&t, ocache, og, i);
        if (!r) goto nomem;
        r->before++;
        r->bytes_before = rg_sat_add(r->bytes_before, og->size[i]);
        if (m.cur_of[i] == RG_NONE) {
            r->freed++;
            r->freed_bytes = rg_sat_add(r->freed_bytes, og->size[i]);
        }
    }
    for (uint32_t i = 0; i < ng->n; i++) {
        row *r = row_of(&t, ncache, ng, i);
        if (!r) goto nomem;
        r->after++;
        r->bytes_after = rg_sat_add(r->bytes_after, ng->size[i]);
        if (ch.mark[i] & RG_CHANGE_NEW) {
            r->new_++;
            r->alloc_bytes = rg_sat_add(r->alloc_bytes, ng->size[i]);
        } else if (ch.mark[i] & RG_CHANGE_LOST) {
            r->lost++;
            r->lost_bytes = rg_sat_add(r->lost_bytes, ng->size[i]);
        } else if (ch.mark[i] & RG_CHANGE_FOUND) {
            r->found++;
            r->found_bytes = rg_sat_add(r->found_bytes, ng->size[i]);
        }
    }
    /* types nothing happened to are left out, as pympler's tracker does */
    size_t kept = 0;
    for (size_t i = 0; i < t.n; i++)
        if (t.rows[i].new_ || t.rows[i].freed || t.rows[i].bytes_before != t.rows[i].bytes_after ||
            t.rows[i].lost || t.rows[i].found)
            t.rows[kept++] = t.rows[i];
    t.n = kept;
    qsort(t.rows, t.n, sizeof *t.rows, by_delta);
    if (t.nslots) reindex(&t);
    size_t nold = ch.nvanished_cycles, nnewc = ch.nnew_cycles;
    size_t shown = limit == 0 || (size_t)limit > t.n ? t.n : (size_t)limit;
    int json = cli_has(a, "json");
    if (json) {
        json_t *doc = json_object(), *types = json_array(), *cycles = json_array(), *reach = NULL,
               *growth = NULL;
        int bad = 0;
        char hid[24];
        snprintf(hid, sizeof hid, "%016llx", (unsigned long long)ng->header.heap_id);
        cli_jset(doc, "old", cli_json_str(a->pos[0], strlen(a->pos[0])), &bad);
        cli_jset(doc, "new", cli_json_str(a->pos[1], strlen(a->pos[1])), &bad);
        cli_jset(doc, "heap_id", json_string(hid), &bad);
        cli_jset(doc, "new_objects", cli_json_u64(nnew), &bad);
        cli_jset(doc, "freed_objects", cli_json_u64(nfreed), &bad);
        cli_jset(doc, "allocated_bytes", cli_json_u64(alloc), &bad);
        cli_jset(doc, "freed_bytes", cli_json_u64(freed), &bad);
        cli_jset(doc, "new_ids", json_ids(ng, m.old_of), &bad);
        cli_jset(doc, "freed_ids", json_ids(og, m.cur_of), &bad);
        cli_jset(doc, "ids", json_string(m.reusable ? "reusable" : "sequence"), &bad);
        cli_jset(doc, "ids_reused", cli_json_u64(m.nreused), &bad);
        cli_jset(doc, "types", json_incref(types), &bad);
        for (size_t i = 0; i < shown && !bad; i++) {
            const row *r = &t.rows[i];
            json_t *o = json_object();
            cli_jset(o, "type", cli_json_gstr(r->type), &bad);
            cli_jset(o, "before", cli_json_u64(r->before), &bad);
            cli_jset(o, "after", cli_json_u64(r->after), &bad);
            cli_jset(o, "delta", json_integer((json_int_t)r->after - (json_int_t)r->before), &bad);
            cli_jset(o, "new", cli_json_u64(r->new_), &bad);
            cli_jset(o, "freed", cli_json_u64(r->freed), &bad);
            cli_jset(o, "allocated_bytes", cli_json_u64(r->alloc_bytes), &bad);
            cli_jset(o, "freed_bytes", cli_json_u64(r->freed_bytes), &bad);
            cli_jset(o, "size_delta", json_signed(delta_mag(r), delta_neg(r)), &bad);
            cli_jpush(types, o, &bad);
        }
        cli_jset(doc, "cycles", json_incref(cycles), &bad);
        list_cycles("new", ng, &nan, &nf, ch.new_cycles, nnewc, scratch, cycles, &bad);
        list_cycles("vanished", og, &oan, &of, ch.vanished_cycles, nold, scratch, cycles, &bad);
        list_cycles("unreachable", ng, &nan, &nf, ch.lost_cycles, ch.nlost_cycles, scratch, cycles, &bad);
        list_cycles("reachable", ng, &nan, &nf, ch.found_cycles, ch.nfound_cycles, scratch, cycles, &bad);
        json_decref(types);
        json_decref(cycles);
        if (!bad) print_reach(&t, &ch, (size_t)limit, &reach);
        cli_jset(doc, "reachability", reach, &bad);
        if (!bad && cli_print_growth(&od, ng, &nd, &m, (size_t)limit, &growth)) {
            json_decref(doc);
            goto nomem;
        }
        cli_jset(doc, "retained_growth", growth, &bad);
        if ((rc = cli_json_print(doc, bad))) goto out;
    } else {
        char b1[32], b2[32], b3[32], tn[128];
        printf("%llu new object%s (%s allocated), %llu freed (%s)\n", (unsigned long long)nnew, nnew == 1 ? "" : "s",
               cli_bytes(alloc, b1, sizeof b1), (unsigned long long)nfreed, cli_bytes(freed, b2, sizeof b2));
        int w = 4;
        for (size_t i = 0; i < shown; i++) {
            int len = (int)strlen(cli_gstr(t.rows[i].type, tn, sizeof tn));
            if (len > w) w = len;
        }
        const char *bold = cli_c(stdout, "\033[1m"), *off = cli_c(stdout, "\033[0m");
        if (t.n)
            printf("%s%-*s %9s %9s %9s %9s %9s %11s %11s %11s%s\n", bold, w, "type", "before", "after", "delta",
                   "new", "freed", "allocated", "freed", "size delta", off);
        else
            printf("no type changed\n");
        for (size_t i = 0; i < shown; i++) {
            const row *r = &t.rows[i];
            char d[32];
            snprintf(d, sizeof d, "%+lld", (long long)r->after - (long long)r->before);
            printf("%-*s %9llu %9llu %9s %9llu %9llu %11s %11s %11s\n", w, cli_gstr(r->type, tn, sizeof tn),
                   (unsigned long long)r->before, (unsigned long long)r->after, d, (unsigned long long)r->new_,
                   (unsigned long long)r->freed, cli_bytes(r->alloc_bytes, b1, sizeof b1),
                   cli_bytes(r->freed_bytes, b2, sizeof b2), signed_bytes(delta_mag(r), delta_neg(r), b3));
        }
        if (shown < t.n) printf("(%zu more types)\n", t.n - shown);
        if (m.nreused)
            printf("(ids are reusable addresses: %u id%s named objects of another type or size, counted as freed "
                   "and new)\n",
                   m.nreused, m.nreused == 1 ? "" : "s");
        printf("\ncycles: %zu new, %zu vanished, %u became unreachable, %u became reachable\n", nnewc, nold,
               ch.nlost_cycles, ch.nfound_cycles);
        list_cycles("new", ng, &nan, &nf, ch.new_cycles, nnewc, scratch, NULL, NULL);
        list_cycles("vanished", og, &oan, &of, ch.vanished_cycles, nold, scratch, NULL, NULL);
        list_cycles("now unreachable", ng, &nan, &nf, ch.lost_cycles, ch.nlost_cycles, scratch, NULL, NULL);
        list_cycles("reachable again", ng, &nan, &nf, ch.found_cycles, ch.nfound_cycles, scratch, NULL, NULL);
        printf("\nreachability: ");
        print_reach(&t, &ch, (size_t)limit, NULL);
        printf("\nretained size grew most (what freeing each would give back):\n");
        if (cli_print_growth(&od, ng, &nd, &m, (size_t)limit, NULL)) goto nomem;
    }
    if (cli_get(a, "output")) {
        /* the new objects of the types that grew most, and what holds them, in
         * green; objects that became unreachable in orange; freed ones of the
         * types that shrank most in red; all as --type, --skip-type and
         * --ignore allow */
        ro.legend_depth = "holds a new object";
        rg_drawing *d = rg_drawing_new(ng, &nan, &ro);
        size_t npick = (size_t)(ng->n > og->n ? ng->n : og->n);
        pick *picks = malloc((npick + 1) * sizeof *picks);
        if (!d || !picks) {
            free(picks);
            rg_drawing_free(d);
            goto nomem;
        }
        size_t np = 0;
        for (uint32_t i = 0; i < ng->n; i++) { /* bound: the new dump's objects */
            if (!(ch.mark[i] & RG_CHANGE_NEW)) continue;
            if (!cli_drawable(ng, &ro, i)) continue;
            picks[np++] = (pick){row_rank(&t, ng->str[ng->type[i]]), i, ng->size[i]};
        }
        qsort(picks, np, sizeof *picks, by_pick);
        for (size_t k = 0; k < np && k < NEW_DRAWN; k++) rg_drawing_node(d, picks[k].obj, 0, RG_DRAW_NEW);
        for (uint32_t i = 0; i < ng->n; i++) { /* holders of the new objects; bound: objects and references */
            if (!rg_drawing_has(d, i)) continue;
            for (uint32_t k = ng->back_start[i]; k < ng->back_start[i + 1]; k++) {
                uint32_t src = ng->back_src[k];
                int src_new = (ch.mark[src] & RG_CHANGE_NEW) != 0;
                if (!src_new && cli_drawable(ng, &ro, src)) rg_drawing_node(d, src, 1, 0);
                if (rg_drawing_has(d, src)) rg_drawing_edge(d, ng->back_edge[k], RG_DRAW_NEW);
            }
        }
        /* objects reachable before and not now (a cycle left behind), in
         * orange with a double border, with the references between them */
        size_t nlost = 0;
        for (uint32_t i = 0; i < ng->n && nlost < LOST_DRAWN; i++) { /* bound: the new dump's objects */
            if (!(ch.mark[i] & RG_CHANGE_LOST) || !cli_drawable(ng, &ro, i)) continue;
            rg_drawing_node(d, i, 0, RG_DRAW_LOST);
            nlost++;
        }
        for (uint32_t i = 0; i < ng->n && nlost; i++) { /* bound: objects and references */
            if (!(ch.mark[i] & RG_CHANGE_LOST) || !rg_drawing_has(d, i)) continue;
            for (uint32_t e = ng->ref_start[i]; e < ng->ref_start[i + 1]; e++)
                if ((ch.mark[ng->ref_target[e]] & RG_CHANGE_LOST) && rg_drawing_has(d, ng->ref_target[e]))
                    rg_drawing_edge(d, e, 0); /* between two of them: edges into new ones are drawn above */
        }
        np = 0;
        for (uint32_t i = 0; i < og->n; i++) { /* bound: the old dump's objects */
            if (m.cur_of[i] != RG_NONE) continue;
            int ignored = 0;
            for (size_t k = 0; k < ro.ignore.n; k++) ignored |= ro.ignore.items[k] == og->id[i];
            if (ignored || !cli_type_drawable(og->str[og->type[i]], &ro)) continue;
            picks[np++] = (pick){row_rank(&t, og->str[og->type[i]]), i, og->size[i]};
        }
        qsort(picks, np, sizeof *picks, by_pick);
        for (size_t p = 0; p < np && p < GONE_DRAWN; p++) {
            uint32_t i = picks[p].obj, holder = RG_NONE;
            rg_gstr rl = {"", 0};
            for (uint32_t k = og->back_start[i]; k < og->back_start[i + 1] && holder == RG_NONE; k++) {
                uint32_t h = m.cur_of[og->back_src[k]];
                if (h != RG_NONE && rg_drawing_has(d, h)) {
                    holder = h;
                    rl = og->str[RG_EDGE_LABEL(og->ref_label[og->back_edge[k]])];
                }
            }
            rg_drawing_ghost(d, og->id[i], og->str[og->type[i]], og->str[og->label[i]], holder, rl);
        }
        free(picks);
        rc = cli_finish_drawing(d, a);
    }
    goto out;
nomem:
    cli_nomem();
    rc = EXIT_INPUT;
out:
    free(t.rows);
    free(t.slots);
    rg_changes_free(&ch);
    rg_match_free(&m);
    free(ocache);
    free(ncache);
    free(scratch);
    rg_finder_free(&of);
    rg_finder_free(&nf);
    rg_dom_free(&od);
    rg_dom_free(&nd);
    rg_analysis_free(&oan);
    rg_analysis_free(&nan);
    rg_graph_free(og);
    rg_graph_free(ng);
    cli_store_free(&store);
    return rc;
}
