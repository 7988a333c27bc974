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
        rg_error err = {0};
        g = rg_graph_load(path, &lo, &err);
        if (!g) {
            char msg[600];
            rg_error_format(&err, msg, sizeof msg);
            cli_error("cannot read '%s': %s", path, msg);
        }
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
        printf("{\"dump\":");
        json_str(stdout, path, strlen(path));
        printf(",\"format\":\"%s\",\"version\":%d,\"producer\":", RG_DUMP_FORMAT, RG_DUMP_VERSION);
        json_str(stdout, h->producer, strlen(h->producer));
        printf(",\"producer_version\":");
        json_str(stdout, h->producer_version, strlen(h->producer_version));
        printf(",\"created\":");
        json_str(stdout, h->created, strlen(h->created));
        printf(",\"heap_id\":\"%016llx\",\"objects\":%u,\"references\":%u,\"weak_references\":%llu,"
               "\"globals\":%u,\"frames\":%u,\"locals\":%llu,",
               (unsigned long long)h->heap_id, g->n, g->nrefs, (unsigned long long)weak, g->nglobals, g->nframes,
               (unsigned long long)locals);
        printf("\"heap\":{\"bytes_in_use\":%llu,\"peak_bytes\":%llu,\"live_objects\":%llu,\"max_id\":%llu},",
               (unsigned long long)h->bytes_in_use, (unsigned long long)h->peak_bytes,
               (unsigned long long)h->live_objects, (unsigned long long)h->max_id);
        printf("\"gc\":{\"enabled\":%s,\"thresholds\":[%ld,%ld,%ld],\"counts\":[%ld,%ld,%ld],\"stats\":[",
               h->gc_enabled ? "true" : "false", h->gen[0].threshold, h->gen[1].threshold, h->gen[2].threshold,
               h->gen[0].count, h->gen[1].count, h->gen[2].count);
        for (int i = 0; i < 3; i++)
            printf("%s{\"collections\":%llu,\"collected\":%llu,\"uncollectable\":%llu}", i ? "," : "",
                   (unsigned long long)h->gen[i].collections, (unsigned long long)h->gen[i].collected,
                   (unsigned long long)h->gen[i].uncollectable);
        printf("],\"garbage_list\":%llu},", (unsigned long long)ngarbage);
        printf("\"generations\":{\"untracked\":%llu,\"0\":%llu,\"1\":%llu,\"2\":%llu,\"frozen\":%llu},",
               (unsigned long long)gens[0], (unsigned long long)gens[1], (unsigned long long)gens[2],
               (unsigned long long)gens[3], (unsigned long long)gens[4]);
        printf("\"cycles\":{\"count\":%llu,\"objects\":%llu,\"bytes\":%llu},", (unsigned long long)cycles,
               (unsigned long long)cyc_objs, (unsigned long long)cyc_bytes);
        printf("\"unreachable\":{\"objects\":%llu,\"bytes\":%llu},\"held_from_outside\":%llu,",
               (unsigned long long)unreach, (unsigned long long)unreach_bytes, (unsigned long long)held);
        printf("\"valid\":%s,\"dropped_references\":%llu}\n", warns.n ? "false" : "true",
               (unsigned long long)g->dropped_refs);
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
    return EXIT_OK;
}
