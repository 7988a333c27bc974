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
    uint64_t gens[5] = {0}, weak = 0, cycles = 0, cyc_objs = 0, cyc_bytes = 0, unreach = 0, unreach_bytes = 0,
             held = 0, locals = 0;
    for (uint32_t i = 0; i < g->n; i++) {
        gens[g->gen[i] == RG_DUMP_UNTRACKED ? 0 : g->gen[i] == RG_DUMP_FROZEN ? 4 : (size_t)g->gen[i] + 1]++;
        if (!an.reach[i]) {
            unreach++;
            unreach_bytes = rg_sat_add(unreach_bytes, g->size[i]);
        }
        if (an.external[i] > 0 && !cli_heap_owned(g, i)) held++;
    }
    for (uint32_t e = 0; e < g->nrefs; e++) weak += (g->ref_label[e] & RG_EDGE_WEAK) != 0;
    for (uint32_t c = 0; c < an.scc.ncomp; c++) {
        if (!an.scc.cyclic[c]) continue;
        cycles++;
        cyc_objs += an.scc.size[c];
        cyc_bytes = rg_sat_add(cyc_bytes, an.scc.bytes[c]);
    }
    for (uint32_t f = 0; f < g->nframes; f++) locals += g->frames[f].nlocals;
    uint32_t garbage = h->garbage_id ? rg_graph_find(g, h->garbage_id) : RG_NONE;
    uint64_t ngarbage = garbage == RG_NONE ? 0 : g->ref_start[garbage + 1] - g->ref_start[garbage];
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
        cli_jset(doc, "weak_references", cli_json_u64(weak), &bad);
        cli_jset(doc, "globals", cli_json_u64(g->nglobals), &bad);
        cli_jset(doc, "frames", cli_json_u64(g->nframes), &bad);
        cli_jset(doc, "locals", cli_json_u64(locals), &bad);
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
        cli_jset(gc, "garbage_list", cli_json_u64(ngarbage), &bad);
        cli_jset(doc, "gc", gc, &bad);
        o = json_object();
        cli_jset(o, "untracked", cli_json_u64(gens[0]), &bad);
        cli_jset(o, "0", cli_json_u64(gens[1]), &bad);
        cli_jset(o, "1", cli_json_u64(gens[2]), &bad);
        cli_jset(o, "2", cli_json_u64(gens[3]), &bad);
        cli_jset(o, "frozen", cli_json_u64(gens[4]), &bad);
        cli_jset(doc, "generations", o, &bad);
        o = json_object();
        cli_jset(o, "count", cli_json_u64(cycles), &bad);
        cli_jset(o, "objects", cli_json_u64(cyc_objs), &bad);
        cli_jset(o, "bytes", cli_json_u64(cyc_bytes), &bad);
        cli_jset(doc, "cycles", o, &bad);
        o = json_object();
        cli_jset(o, "objects", cli_json_u64(unreach), &bad);
        cli_jset(o, "bytes", cli_json_u64(unreach_bytes), &bad);
        cli_jset(doc, "unreachable", o, &bad);
        cli_jset(doc, "held_from_outside", cli_json_u64(held), &bad);
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
               (unsigned long long)weak);
        printf("%sroots%s        %u global%s, %u frame%s with %llu local%s\n", bold, off, g->nglobals,
               g->nglobals == 1 ? "" : "s", g->nframes, g->nframes == 1 ? "" : "s", (unsigned long long)locals,
               locals == 1 ? "" : "s");
        printf("%smemory%s       %s in use, %s at the peak, ids up to %llu\n", bold, off,
               cli_bytes(h->bytes_in_use, b1, sizeof b1), cli_bytes(h->peak_bytes, b2, sizeof b2),
               (unsigned long long)h->max_id);
        printf("%scollector%s    %s, thresholds %ld %ld %ld, counts %ld %ld %ld\n", bold, off,
               h->gc_enabled ? "enabled" : "disabled", h->gen[0].threshold, h->gen[1].threshold,
               h->gen[2].threshold, h->gen[0].count, h->gen[1].count, h->gen[2].count);
        printf("%sgenerations%s  0: %llu, 1: %llu, 2: %llu, frozen: %llu, untracked: %llu\n", bold, off,
               (unsigned long long)gens[1], (unsigned long long)gens[2], (unsigned long long)gens[3],
               (unsigned long long)gens[4], (unsigned long long)gens[0]);
        for (int i = 0; i < 3; i++)
            printf("%s%-12s%s generation %d: %llu collections, %llu collected, %llu uncollectable\n", bold,
                   i == 0 ? "collections" : "", off, i, (unsigned long long)h->gen[i].collections,
                   (unsigned long long)h->gen[i].collected, (unsigned long long)h->gen[i].uncollectable);
        printf("%sgarbage list%s %llu object%s\n", bold, off, (unsigned long long)ngarbage, ngarbage == 1 ? "" : "s");
        printf("%scycles%s       %llu, with %llu objects, %s\n", bold, off, (unsigned long long)cycles,
               (unsigned long long)cyc_objs, cli_bytes(cyc_bytes, b1, sizeof b1));
        printf("%sunreachable%s  %llu objects, %s (only the cycle collector frees them)\n", bold, off,
               (unsigned long long)unreach, cli_bytes(unreach_bytes, b1, sizeof b1));
        printf("%sheld outside%s %llu objects have references the dump does not show\n", bold, off,
               (unsigned long long)held);
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
