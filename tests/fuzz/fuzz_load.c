/* fuzz_load — libFuzzer target for the dump loader: any bytes must load or
 * fail with an error, never crash, leak or trip a sanitizer. Both strict and
 * lenient modes run; a graph that loads must also survive being re-written.
 * Build and run: tests/fuzz/run.sh [seconds]. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "refgraph/graph.h"

static void ignore(const rg_error *w, void *ud) {
    (void)w;
    (void)ud;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size) {
    for (int lenient = 0; lenient < 2; lenient++) {
        rg_load_options opts = {lenient, ignore, NULL, NULL, NULL};
        rg_error err = {0};
        rg_graph *g = rg_graph_load_buffer((const char *)data, size, "fuzz", &opts, &err);
        if (!g) {
            if (!err.code || !err.text[0]) abort(); /* every failure explains itself */
            continue;
        }
        if (g->ref_start[g->n] != g->nrefs || g->back_start[g->n] != g->nrefs) abort();
        for (uint32_t e = 0; e < g->nrefs; e++)
            if (g->ref_target[e] >= g->n) abort();
        char path[64];
        snprintf(path, sizeof path, "/tmp/rg-fuzz-%d.jsonl", (int)getpid());
        rg_error werr = {0};
        if (rg_graph_write(g, path, &werr) == 0) unlink(path);
        rg_graph_free(g);
    }
    return 0;
}
