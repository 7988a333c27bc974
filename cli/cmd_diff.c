/* diff: what changed between two dumps of one heap, object by object (ids
 * are allocation sequence numbers, never reused, so an id names the same
 * object in both dumps). */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define NEW_DRAWN 200   /* new objects drawn with -o */
#define GONE_DRAWN 100  /* freed objects drawn with -o */
#define CYCLES_LISTED 10

const cli_opt cmd_diff_opts[] = {
    {"limit", 0, 1, "show at most N types (default 20; 0 for all)"},
    {"json", 0, 0, "print JSON (shape in refgraph(1))"},
    CLI_DRAW_OPTS,
    {NULL, 0, 0, NULL},
};

typedef struct row {
    rg_gstr type;
    uint64_t before, after, new_, freed, alloc_bytes, freed_bytes, bytes_before, bytes_after;
} row;

typedef struct table {
    row *rows;
    size_t n, cap;
    uint32_t *slots; /* open addressing over row indexes */
    size_t nslots;
} table;

static uint32_t hash_gstr(rg_gstr s) {
    uint32_t h = 2166136261u;
    for (uint32_t i = 0; i < s.len; i++) h = (h ^ (unsigned char)s.ptr[i]) * 16777619u;
    return h;
}

/* The row of a type name, added when new; NULL when out of memory. */
static row *row_for(table *t, rg_gstr type) {
    if ((t->n + 1) * 2 > t->nslots) {
        size_t ns = t->nslots ? t->nslots * 2 : 256;
        uint32_t *s = malloc(ns * sizeof *s);
        if (!s) return NULL;
        memset(s, 0xff, ns * sizeof *s);
        for (size_t i = 0; i < t->n; i++) {
            size_t j = hash_gstr(t->rows[i].type) & (ns - 1);
            while (s[j] != RG_NONE) j = (j + 1) & (ns - 1);
            s[j] = (uint32_t)i;
        }
        free(t->slots);
        t->slots = s;
        t->nslots = ns;
    }
    size_t j = hash_gstr(type) & (t->nslots - 1);
    for (; t->slots[j] != RG_NONE; j = (j + 1) & (t->nslots - 1)) {
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

static int64_t delta_bytes(const row *r) { return (int64_t)r->bytes_after - (int64_t)r->bytes_before; }

static int by_delta(const void *x, const void *y) {
    const row *a = x, *b = y;
    int64_t da = delta_bytes(a), db = delta_bytes(b);
    uint64_t ma = (uint64_t)(da < 0 ? -da : da), mb = (uint64_t)(db < 0 ? -db : db);
    if (ma != mb) return ma < mb ? 1 : -1;
    if (a->alloc_bytes != b->alloc_bytes) return a->alloc_bytes < b->alloc_bytes ? 1 : -1;
    size_t n = a->type.len < b->type.len ? a->type.len : b->type.len;
    int c = memcmp(a->type.ptr, b->type.ptr, n);
    return c ? c : (a->type.len > b->type.len) - (a->type.len < b->type.len);
}

/* "+1.5 KiB", "-3 B", "0 B" into buf (at least 32 bytes). */
static const char *signed_bytes(int64_t v, char *buf) {
    buf[0] = v < 0 ? '-' : '+';
    cli_bytes((uint64_t)(v < 0 ? -v : v), buf + (v != 0), 31);
    return buf;
}

/* A cycle of one dump that the other does not have: no member of it is in
 * a cycle there. */
static int cycle_is_only_in(const rg_graph *g, const rg_analysis *an, const rg_finder *f, uint32_t comp,
                            const rg_graph *other, const rg_analysis *oan) {
    for (uint32_t k = f->comp_start[comp]; k < f->comp_start[comp + 1]; k++) {
        uint32_t o = rg_graph_find(other, g->id[f->members[k]]);
        if (o != RG_NONE && oan->scc.cyclic[oan->scc.comp[o]]) return 0;
    }
    (void)an;
    return 1;
}

static void list_cycles(const char *what, const rg_graph *g, const rg_analysis *an, rg_finder *f,
                        const uint32_t *comps, size_t n, uint32_t *scratch, int json, int *first_json) {
    char b[32];
    for (size_t i = 0; i < n && (json || i < CYCLES_LISTED); i++) {
        uint32_t k = comps[i], m = f->members[f->comp_start[k]];
        uint32_t len = rg_shortest_cycle(f, m, NULL, 0, scratch);
        if (json) {
            printf("%s{\"change\":\"%s\",\"objects\":%u,\"bytes\":%llu,\"reachable\":%s,\"cycle\":", *first_json ? "" : ",",
                   what, an->scc.size[k], (unsigned long long)an->scc.bytes[k], an->reach[m] ? "true" : "false");
            cli_json_path(stdout, g, m, scratch, len);
            fputc('}', stdout);
            *first_json = 0;
            continue;
        }
        printf("  %s: %u object%s, %s%s: ", what, an->scc.size[k], an->scc.size[k] == 1 ? "" : "s",
               cli_bytes(an->scc.bytes[k], b, sizeof b), an->reach[m] ? "" : ", unreachable");
        cli_print_path(stdout, g, NULL, m, scratch, len);
        putchar('\n');
    }
    if (!json && n > CYCLES_LISTED) printf("  (%zu more %s cycles)\n", n - CYCLES_LISTED, what);
}

int cmd_diff(int argc, char **argv) {
    cli_args a;
    int rc = cli_parse("diff", argc, argv, cmd_diff_opts, &a);
    if (rc) {
        cli_args_free(&a);
        return rc < 0 ? EXIT_OK : rc;
    }
    long limit;
    rg_render_options ro;
    cli_store store = {NULL, NULL};
    rg_graph *og = NULL, *ng = NULL;
    rg_analysis oan = {0}, nan = {0};
    rg_finder of = {0}, nf = {0};
    table t = {0};
    uint32_t *ocyc = NULL, *ncyc = NULL, *scratch = NULL;
    if (a.npos != 2) {
        rc = cli_usage_error("diff", "give two dumps: the older, then the newer");
        goto out;
    }
    if (cli_int(&a, "limit", 20, 0, 1L << 32, &limit) < 0 || cli_draw_options(&a, &ro, &store) < 0) {
        rc = EXIT_USAGE;
        goto out;
    }
    if (!(og = cli_load(a.pos[0])) || !(ng = cli_load(a.pos[1]))) {
        rc = EXIT_INPUT;
        goto out;
    }
    if (og->header.heap_id != ng->header.heap_id) {
        cli_error("cannot compare '%s' and '%s': they are dumps of different heaps (%016llx and %016llx), "
                  "whose ids mean different objects",
                  a.pos[0], a.pos[1], (unsigned long long)og->header.heap_id,
                  (unsigned long long)ng->header.heap_id);
        rc = EXIT_USAGE;
        goto out;
    }
    if (ng->header.max_id < og->header.max_id) {
        cli_error("'%s' was written before '%s': give the older dump first", a.pos[1], a.pos[0]);
        rc = EXIT_USAGE;
        goto out;
    }
    if (rg_analyze(og, &oan) || rg_analyze(ng, &nan) || rg_finder_init(&of, og, &oan.scc) ||
        rg_finder_init(&nf, ng, &nan.scc) ||
        !(scratch = malloc(((size_t)(og->n > ng->n ? og->n : ng->n) + 1) * sizeof *scratch))) {
        cli_nomem();
        rc = EXIT_INPUT;
        goto out;
    }
    uint64_t nnew = 0, nfreed = 0, alloc = 0, freed = 0;
    for (uint32_t i = 0; i < og->n; i++) {
        row *r = row_for(&t, og->str[og->type[i]]);
        if (!r) goto nomem;
        r->before++;
        r->bytes_before += og->size[i];
        if (rg_graph_find(ng, og->id[i]) == RG_NONE) {
            r->freed++;
            r->freed_bytes += og->size[i];
            nfreed++;
            freed += og->size[i];
        }
    }
    for (uint32_t i = 0; i < ng->n; i++) {
        row *r = row_for(&t, ng->str[ng->type[i]]);
        if (!r) goto nomem;
        r->after++;
        r->bytes_after += ng->size[i];
        if (ng->id[i] > og->header.max_id || rg_graph_find(og, ng->id[i]) == RG_NONE) {
            r->new_++;
            r->alloc_bytes += ng->size[i];
            nnew++;
            alloc += ng->size[i];
        }
    }
    /* types nothing happened to are left out, as pympler's tracker does */
    size_t kept = 0;
    for (size_t i = 0; i < t.n; i++)
        if (t.rows[i].new_ || t.rows[i].freed || t.rows[i].bytes_before != t.rows[i].bytes_after)
            t.rows[kept++] = t.rows[i];
    t.n = kept;
    qsort(t.rows, t.n, sizeof *t.rows, by_delta);
    /* cycles only one side has */
    ocyc = malloc(((size_t)oan.scc.ncomp + 1) * sizeof *ocyc);
    ncyc = malloc(((size_t)nan.scc.ncomp + 1) * sizeof *ncyc);
    if (!ocyc || !ncyc) goto nomem;
    size_t nold = 0, nnewc = 0;
    for (uint32_t k = 0; k < oan.scc.ncomp; k++)
        if (oan.scc.cyclic[k] && cycle_is_only_in(og, &oan, &of, k, ng, &nan)) ocyc[nold++] = k;
    for (uint32_t k = 0; k < nan.scc.ncomp; k++)
        if (nan.scc.cyclic[k] && cycle_is_only_in(ng, &nan, &nf, k, og, &oan)) ncyc[nnewc++] = k;
    size_t shown = limit == 0 || (size_t)limit > t.n ? t.n : (size_t)limit;
    int json = cli_has(&a, "json");
    if (json) {
        printf("{\"old\":");
        json_str(stdout, a.pos[0], strlen(a.pos[0]));
        printf(",\"new\":");
        json_str(stdout, a.pos[1], strlen(a.pos[1]));
        printf(",\"heap_id\":\"%016llx\",\"new_objects\":%llu,\"freed_objects\":%llu,\"allocated_bytes\":%llu,"
               "\"freed_bytes\":%llu,\"types\":[",
               (unsigned long long)ng->header.heap_id, (unsigned long long)nnew, (unsigned long long)nfreed,
               (unsigned long long)alloc, (unsigned long long)freed);
        for (size_t i = 0; i < shown; i++) {
            const row *r = &t.rows[i];
            printf("%s{\"type\":", i ? "," : "");
            json_gstr(stdout, r->type);
            printf(",\"before\":%llu,\"after\":%llu,\"delta\":%lld,\"new\":%llu,\"freed\":%llu,"
                   "\"allocated_bytes\":%llu,\"freed_bytes\":%llu,\"size_delta\":%lld}",
                   (unsigned long long)r->before, (unsigned long long)r->after,
                   (long long)r->after - (long long)r->before, (unsigned long long)r->new_,
                   (unsigned long long)r->freed, (unsigned long long)r->alloc_bytes,
                   (unsigned long long)r->freed_bytes, (long long)delta_bytes(r));
        }
        printf("],\"cycles\":[");
        int first = 1;
        list_cycles("new", ng, &nan, &nf, ncyc, nnewc, scratch, 1, &first);
        list_cycles("vanished", og, &oan, &of, ocyc, nold, scratch, 1, &first);
        printf("]}\n");
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
                   cli_bytes(r->freed_bytes, b2, sizeof b2), signed_bytes(delta_bytes(r), b3));
        }
        if (shown < t.n) printf("(%zu more types)\n", t.n - shown);
        printf("\ncycles: %zu new, %zu vanished\n", nnewc, nold);
        int first = 1;
        list_cycles("new", ng, &nan, &nf, ncyc, nnewc, scratch, 0, &first);
        list_cycles("vanished", og, &oan, &of, ocyc, nold, scratch, 0, &first);
    }
    if (cli_get(&a, "output")) {
        /* the new objects and what holds them in green; freed ones in red */
        rg_drawing *d = rg_drawing_new(ng, &nan, &ro);
        if (!d) goto nomem;
        uint32_t drawn = 0;
        for (uint32_t i = 0; i < ng->n && drawn < NEW_DRAWN; i++) {
            if (!(ng->id[i] > og->header.max_id || rg_graph_find(og, ng->id[i]) == RG_NONE)) continue;
            rg_drawing_node(d, i, 0, RG_DRAW_NEW);
            drawn++;
        }
        for (uint32_t i = 0; i < ng->n; i++) { /* holders of the new objects */
            if (!rg_drawing_has(d, i)) continue;
            for (uint32_t k = ng->back_start[i]; k < ng->back_start[i + 1]; k++) {
                uint32_t src = ng->back_src[k];
                int src_new = ng->id[src] > og->header.max_id || rg_graph_find(og, ng->id[src]) == RG_NONE;
                if (!src_new) rg_drawing_node(d, src, 1, 0);
                if (rg_drawing_has(d, src)) rg_drawing_edge(d, ng->back_edge[k], RG_DRAW_NEW);
            }
        }
        uint32_t gone = 0;
        for (uint32_t i = 0; i < og->n && gone < GONE_DRAWN; i++) {
            if (rg_graph_find(ng, og->id[i]) != RG_NONE) continue;
            uint32_t holder = RG_NONE;
            rg_gstr rl = {"", 0};
            for (uint32_t k = og->back_start[i]; k < og->back_start[i + 1] && holder == RG_NONE; k++) {
                uint32_t h = rg_graph_find(ng, og->id[og->back_src[k]]);
                if (h != RG_NONE && rg_drawing_has(d, h)) {
                    holder = h;
                    rl = og->str[RG_EDGE_LABEL(og->ref_label[og->back_edge[k]])];
                }
            }
            rg_drawing_ghost(d, og->id[i], og->str[og->type[i]], og->str[og->label[i]], holder, rl);
            gone++;
        }
        rg_drawing_roots(d);
        rc = cli_finish_drawing(d, &a);
    }
    goto out;
nomem:
    cli_nomem();
    rc = EXIT_INPUT;
out:
    free(t.rows);
    free(t.slots);
    free(ocyc);
    free(ncyc);
    free(scratch);
    rg_finder_free(&of);
    rg_finder_free(&nf);
    rg_analysis_free(&oan);
    rg_analysis_free(&nan);
    rg_graph_free(og);
    rg_graph_free(ng);
    cli_store_free(&store);
    cli_args_free(&a);
    return rc;
}
