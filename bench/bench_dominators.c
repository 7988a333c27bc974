/* bench_dominators — on a loaded dump: the dominator tree and retained sizes
 * (rg_dominators), timed apart from the load, and the memory it takes beyond
 * the loaded graph: the peak resident set during the call minus the resident
 * set before it (the kernel's high-water mark is reset first through
 * /proc/self/clear_refs), in bytes per object. Also the retained size of
 * every component (rg_scc_dominators, what cycles and leaks print).
 * bench/dominators_peer.py runs networkx's immediate_dominators on the same
 * graph.
 *
 * bench_dump's heap holds every object from C while it dumps, so in that dump
 * every object is held from outside: a flat tree (case idom_retained). Case
 * idom_retained_rooted takes the same graph with the refcounts cut to the
 * references the dump shows and every 1000th object (in dump order) held
 * from outside: a deep tree, real semidominators, and garbage with its
 * source components. Usage: bench_dominators DUMP */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "refgraph/dominators.h"

static double cpu(void) {
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* VmRSS or VmHWM of this process in bytes, or -1. */
static long long status_kb(const char *field) {
    FILE *f = fopen("/proc/self/status", "r");
    if (!f) return -1;
    char line[256];
    long long v = -1;
    size_t n = strlen(field);
    while (fgets(line, sizeof line, f))
        if (strncmp(line, field, n) == 0 && line[n] == ':') v = atoll(line + n + 1);
    fclose(f);
    return v < 0 ? -1 : v * 1024;
}

static int reset_peak(void) {
    FILE *f = fopen("/proc/self/clear_refs", "w");
    if (!f) return -1;
    int ok = fputs("5", f) >= 0;
    return fclose(f) == 0 && ok ? 0 : -1;
}

/* One timed rg_dominators with its peak memory, printed as case. */
static int run(const rg_graph *g, const char *which) {
    malloc_trim(0);
    int peak_ok = reset_peak() == 0;
    long long before = status_kb("VmRSS");
    rg_dom d;
    double c0 = cpu(), t0 = now();
    if (rg_dominators(g, &d) != 0) return 1;
    double t1 = now(), c1 = cpu();
    long long peak = status_kb("VmHWM");
    uint32_t top = 0, roots = 0, unreachable_roots = 0;
    for (uint32_t v = 0; v < g->n; v++) {
        if (d.retained[v] > d.retained[top]) top = v;
        roots += d.idom[v] == RG_NONE;
        unreachable_roots += d.idom[v] == RG_NONE && g->refcount[v] == 0;
    }
    printf("{\"bench\":\"dominators\",\"case\":\"%s\",\"n\":%u,\"references\":%u,\"tree_roots\":%u,"
           "\"largest_retained\":%llu,\"seconds\":%.4f,\"cpu_seconds\":%.4f",
           which, g->n, g->nrefs, roots, (unsigned long long)d.retained[top], t1 - t0, c1 - c0);
    if (peak_ok && before > 0 && peak >= before)
        printf(",\"extra_bytes_per_object\":%.1f", (double)(peak - before) / (double)g->n);
    printf("}\n");
    fflush(stdout);
    (void)unreachable_roots;
    rg_dom_free(&d);
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: bench_dominators DUMP\n");
        return 2;
    }
    rg_error err = {0};
    double t0 = now();
    rg_graph *g = rg_graph_load(argv[1], NULL, &err);
    if (!g) {
        fprintf(stderr, "bench_dominators: cannot read '%s': %s\n", argv[1], err.text);
        return 1;
    }
    double t1 = now();
    for (int rooted = 0; rooted < 2; rooted++) {
        if (rooted) { /* refcounts from the dump's own references, every 1000th object held from outside */
            for (uint32_t v = 0; v < g->n; v++) g->refcount[v] = v % 1000 == 0;
            for (uint32_t e = 0; e < g->nrefs; e++)
                if (!(g->ref_label[e] & RG_EDGE_WEAK)) g->refcount[g->ref_target[e]]++;
            for (uint32_t i = 0; i < g->nglobals; i++) g->refcount[g->global_obj[i]]++;
            for (uint32_t f = 0; f < g->nframes; f++)
                for (uint32_t k = 0; k < g->frames[f].nlocals; k++) g->refcount[g->frames[f].local_obj[k]]++;
        }
        if (run(g, rooted ? "idom_retained_rooted" : "idom_retained")) return 1;
    }
    rg_scc scc;
    rg_scc_dom sd;
    if (rg_graph_scc(g, &scc) != 0) return 1;
    double t4 = now();
    if (rg_scc_dominators(g, &scc, &sd) != 0) return 1;
    double t5 = now();
    printf("{\"bench\":\"dominators\",\"case\":\"component_retained\",\"n\":%u,\"components\":%u,\"seconds\":%.4f}\n",
           g->n, scc.ncomp, t5 - t4);
    printf("{\"bench\":\"dominators\",\"case\":\"load\",\"n\":%u,\"seconds\":%.4f}\n", g->n, t1 - t0);
    rg_scc_dom_free(&sd);
    rg_scc_free(&scc);
    rg_graph_free(g);
    return 0;
}
