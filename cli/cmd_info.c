/* info: what a dump holds — its header, counts, the collector's
 * statistics, cycles, unreachable objects — and whether it is valid. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "refgraph/outfile.h"

const cli_opt cmd_info_opts[] = {
    {"json", 0, NULL, "print JSON (shape in refgraph(1))"},
    {"lenient", 0, NULL, "load what can be loaded; report dangling references instead of failing"},
    {NULL, 0, NULL, NULL},
};


typedef struct warn_log {
    uint64_t n;
    char first[5][300];
} warn_log;

static void log_warning(const rg_error *w, void *ud) {
    warn_log *l = ud;
    if (l->n < 5) rg_error_format(w, l->first[l->n], sizeof l->first[0]);
    l->n++;
}

int cmd_info(const cli_args *a) {
    const char *path = a->pos[0];
    warn_log warns = {0};
    rg_graph *g;
    if (cli_has(a, "lenient")) {
        rg_load_options lo = {1, log_warning, &warns, NULL, NULL};
        g = cli_load_with(path, &lo);
    } else {
        g = cli_load(path);
    }
    rg_analysis an;
    if (!g || rg_analyze(g, &an) != 0) {
        if (g) cli_nomem();
        rg_graph_free(g);
        return EXIT_INPUT;
    }
    const rg_dump_header *h = &g->header;
    int rc = EXIT_OK;
    rg_counts n;
    rg_graph_count(g, &an, &n);
    if (cli_has(a, "json")) {
        json_t *doc = json_object(), *o;
        int bad = 0;
        char hid[24];
        snprintf(hid, sizeof hid, "%016llx", (unsigned long long)h->heap_id);
        cli_jset(doc, "dump", cli_json_str(path, strlen(path)), &bad);
        cli_jset(doc, "format", json_string(RG_DUMP_FORMAT), &bad);
        cli_jset(doc, "version", json_integer(RG_DUMP_VERSION), &bad);
        cli_jset(doc, "producer", cli_json_str(h->producer, strlen(h->producer)), &bad);
        cli_jset(doc, "producer_version", cli_json_str(h->producer_version, strlen(h->producer_version)), &bad);
        cli_jset(doc, "created", cli_json_str(h->created, strlen(h->created)), &bad);
        cli_jset(doc, "heap_id", json_string(hid), &bad);
        cli_jset(doc, "objects", cli_json_u64(g->n), &bad);
        cli_jset(doc, "references", cli_json_u64(g->nrefs), &bad);
        cli_jset(doc, "weak_references", cli_json_u64(n.weak_refs), &bad);
        cli_jset(doc, "globals", cli_json_u64(g->nglobals), &bad);
        cli_jset(doc, "frames", cli_json_u64(g->nframes), &bad);
        cli_jset(doc, "locals", cli_json_u64(n.locals), &bad);
        o = json_object();
        cli_jset(o, "bytes_in_use", cli_json_u64(h->bytes_in_use), &bad);
        cli_jset(o, "peak_bytes", cli_json_u64(h->peak_bytes), &bad);
        cli_jset(o, "live_objects", cli_json_u64(h->live_objects), &bad);
        cli_jset(o, "max_id", cli_json_u64(h->max_id), &bad);
        cli_jset(doc, "heap", o, &bad);
        json_t *gc = json_object(), *thr = json_array(), *cnt = json_array(), *st = json_array();
        for (int i = 0; i < 3; i++) {
            cli_jpush(thr, json_integer(h->gen[i].threshold), &bad);
            cli_jpush(cnt, json_integer(h->gen[i].count), &bad);
            o = json_object();
            cli_jset(o, "collections", cli_json_u64(h->gen[i].collections), &bad);
            cli_jset(o, "collected", cli_json_u64(h->gen[i].collected), &bad);
            cli_jset(o, "uncollectable", cli_json_u64(h->gen[i].uncollectable), &bad);
            cli_jpush(st, o, &bad);
        }
        cli_jset(gc, "enabled", json_boolean(h->gc_enabled), &bad);
        cli_jset(gc, "thresholds", thr, &bad);
        cli_jset(gc, "counts", cnt, &bad);
        cli_jset(gc, "stats", st, &bad);
        cli_jset(gc, "garbage_list", cli_json_u64(n.garbage_list), &bad);
        cli_jset(doc, "gc", gc, &bad);
        o = json_object();
        cli_jset(o, "untracked", cli_json_u64(n.untracked), &bad);
        cli_jset(o, "0", cli_json_u64(n.gen[0]), &bad);
        cli_jset(o, "1", cli_json_u64(n.gen[1]), &bad);
        cli_jset(o, "2", cli_json_u64(n.gen[2]), &bad);
        cli_jset(o, "frozen", cli_json_u64(n.frozen), &bad);
        cli_jset(doc, "generations", o, &bad);
        o = json_object();
        cli_jset(o, "count", cli_json_u64(n.cycles), &bad);
        cli_jset(o, "objects", cli_json_u64(n.cycle_objects), &bad);
        cli_jset(o, "bytes", cli_json_u64(n.cycle_bytes), &bad);
        cli_jset(doc, "cycles", o, &bad);
        o = json_object();
        cli_jset(o, "objects", cli_json_u64(n.unreachable), &bad);
        cli_jset(o, "bytes", cli_json_u64(n.unreachable_bytes), &bad);
        cli_jset(doc, "unreachable", o, &bad);
        cli_jset(doc, "held_from_outside", cli_json_u64(n.held_outside), &bad);
        cli_jset(doc, "valid", json_boolean(!warns.n), &bad);
        cli_jset(doc, "dropped_references", cli_json_u64(g->dropped_refs), &bad);
        rc = cli_json_print(doc, bad);
    } else {
        char b1[32], b2[32];
        const char *bold = cli_c(stdout, "\033[1m"), *off = cli_c(stdout, "\033[0m");
        char e1[256], e2[128], e3[128];
        printf("%sdump%s         %s\n", bold, off, rg_escape(path, strlen(path), e1, sizeof e1));
        printf("%sformat%s       %s %d, written by ", bold, off, RG_DUMP_FORMAT, RG_DUMP_VERSION);
        printf("%s %s on %s\n", rg_escape(h->producer, strlen(h->producer), e1, sizeof e1),
               rg_escape(h->producer_version, strlen(h->producer_version), e2, sizeof e2),
               rg_escape(h->created, strlen(h->created), e3, sizeof e3));
        printf("%sheap%s         %016llx\n", bold, off, (unsigned long long)h->heap_id);
        printf("%sobjects%s      %u, %u references (%llu weak)\n", bold, off, g->n, g->nrefs,
               (unsigned long long)n.weak_refs);
        printf("%sroots%s        %u global%s, %u frame%s with %llu local%s\n", bold, off, g->nglobals,
               g->nglobals == 1 ? "" : "s", g->nframes, g->nframes == 1 ? "" : "s", (unsigned long long)n.locals,
               n.locals == 1 ? "" : "s");
        printf("%smemory%s       %s in use, %s at the peak, ids up to %llu\n", bold, off,
               cli_bytes(h->bytes_in_use, b1, sizeof b1), cli_bytes(h->peak_bytes, b2, sizeof b2),
               (unsigned long long)h->max_id);
        printf("%scollector%s    %s, thresholds %ld %ld %ld, counts %ld %ld %ld\n", bold, off,
               h->gc_enabled ? "enabled" : "disabled", h->gen[0].threshold, h->gen[1].threshold,
               h->gen[2].threshold, h->gen[0].count, h->gen[1].count, h->gen[2].count);
        printf("%sgenerations%s  0: %llu, 1: %llu, 2: %llu, frozen: %llu, untracked: %llu\n", bold, off,
               (unsigned long long)n.gen[0], (unsigned long long)n.gen[1], (unsigned long long)n.gen[2],
               (unsigned long long)n.frozen, (unsigned long long)n.untracked);
        for (int i = 0; i < 3; i++)
            printf("%s%-12s%s generation %d: %llu collections, %llu collected, %llu uncollectable\n", bold,
                   i == 0 ? "collections" : "", off, i, (unsigned long long)h->gen[i].collections,
                   (unsigned long long)h->gen[i].collected, (unsigned long long)h->gen[i].uncollectable);
        printf("%sgarbage list%s %llu object%s\n", bold, off, (unsigned long long)n.garbage_list,
               n.garbage_list == 1 ? "" : "s");
        printf("%scycles%s       %llu, with %llu objects, %s\n", bold, off, (unsigned long long)n.cycles,
               (unsigned long long)n.cycle_objects, cli_bytes(n.cycle_bytes, b1, sizeof b1));
        printf("%sunreachable%s  %llu objects, %s (only the cycle collector frees them)\n", bold, off,
               (unsigned long long)n.unreachable, cli_bytes(n.unreachable_bytes, b1, sizeof b1));
        printf("%sheld outside%s %llu objects have references the dump does not show\n", bold, off,
               (unsigned long long)n.held_outside);
        if (!warns.n) {
            printf("%svalidation%s   ok: every record well-formed, every reference resolved, the trailer matches\n",
                   bold, off);
        } else {
            printf("%svalidation%s   %llu dangling reference%s dropped:\n", bold, off, (unsigned long long)warns.n,
                   warns.n == 1 ? "" : "s");
            for (uint64_t i = 0; i < warns.n && i < 5; i++)
                printf("             %s\n", rg_escape(warns.first[i], strlen(warns.first[i]), e1, sizeof e1));
        }
    }
    rg_analysis_free(&an);
    rg_graph_free(g);
    return rc;
}
