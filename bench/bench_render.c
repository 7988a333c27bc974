/* bench_render — on a loaded dump: strongly connected components over the
 * whole graph, the whole analysis (components, external references,
 * reachability), and show-refs from one object at depth 3 to DOT, each timed
 * apart from the load. bench/scc_peer.py runs networkx on the same graph.
 * Usage: bench_render DUMP */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "refgraph/render.h"

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: bench_render DUMP\n");
        return 2;
    }
    double t0 = now();
    rg_error err = {0};
    rg_graph *g = rg_graph_load(argv[1], NULL, &err);
    if (!g) {
        fprintf(stderr, "bench_render: cannot read '%s': %s\n", argv[1], err.text);
        return 1;
    }
    double t1 = now();
    rg_scc scc;
    if (rg_graph_scc(g, &scc) != 0) return 1;
    double t2 = now();
    uint32_t cyclic = 0, largest = 0;
    for (uint32_t c = 0; c < scc.ncomp; c++) {
        cyclic += scc.cyclic[c];
        if (scc.size[c] > largest) largest = scc.size[c];
    }
    rg_analysis an;
    double t3 = now();
    if (rg_analyze(g, &an) != 0) return 1;
    double t4 = now();
    /* show-refs from the first list at depth 3: the part a user looks at */
    uint32_t start = 0;
    for (uint32_t i = 0; i < g->n; i++) {
        rg_gstr t = g->str[g->type[i]];
        if (t.len == 4 && t.ptr[0] == 'l') {
            start = i;
            break;
        }
    }
    char path[64];
    snprintf(path, sizeof path, "/tmp/bench-render-%d.dot", (int)getpid());
    rg_render_options o = {0};
    double t5 = now();
    int rc = rg_show(g, &an, &start, 1, &o, path, &err);
    double t6 = now();
    unlink(path);
    if (rc) {
        fprintf(stderr, "bench_render: %s\n", err.text);
        return 1;
    }
    printf("{\"bench\":\"render\",\"case\":\"scc\",\"n\":%u,\"references\":%u,\"components\":%u,\"cyclic\":%u,"
           "\"largest\":%u,\"seconds\":%.4f}\n",
           g->n, g->nrefs, scc.ncomp, cyclic, largest, t2 - t1);
    printf("{\"bench\":\"render\",\"case\":\"analysis\",\"n\":%u,\"seconds\":%.4f}\n", g->n, t4 - t3);
    printf("{\"bench\":\"render\",\"case\":\"show_refs_depth3_dot\",\"n\":%u,\"seconds\":%.4f}\n", g->n, t6 - t5);
    printf("{\"bench\":\"render\",\"case\":\"load\",\"n\":%u,\"seconds\":%.4f}\n", g->n, t1 - t0);
    rg_analysis_free(&an);
    rg_scc_free(&scc);
    rg_graph_free(g);
    return 0;
}
