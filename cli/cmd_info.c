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
    rg_counts n;
    rg_graph_count(g, &an, &n);
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
               (unsigned long long)h->heap_id, g->n, g->nrefs, (unsigned long long)n.weak_refs, g->nglobals, g->nframes,
               (unsigned long long)n.locals);
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
        printf("],\"garbage_list\":%llu},", (unsigned long long)n.garbage_list);
        printf("\"generations\":{\"untracked\":%llu,\"0\":%llu,\"1\":%llu,\"2\":%llu,\"frozen\":%llu},",
               (unsigned long long)n.untracked, (unsigned long long)n.gen[0], (unsigned long long)n.gen[1],
               (unsigned long long)n.gen[2], (unsigned long long)n.frozen);
        printf("\"cycles\":{\"count\":%llu,\"objects\":%llu,\"bytes\":%llu},", (unsigned long long)n.cycles,
               (unsigned long long)n.cycle_objects, (unsigned long long)n.cycle_bytes);
        printf("\"unreachable\":{\"objects\":%llu,\"bytes\":%llu},\"held_from_outside\":%llu,",
               (unsigned long long)n.unreachable, (unsigned long long)n.unreachable_bytes,
               (unsigned long long)n.held_outside);
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
    return EXIT_OK;
}
