/* bench_dump — the dump format's speed and memory.
 *   bench_dump write FILE   builds a heap of 1,000,000 objects with 2,000,000
 *                           references (lists, dicts, instances, strs,
 *                           ints), dumps it, prints dump seconds and MB/s
 *   bench_dump pair A B     the same heap dumped twice: B after 100,000 new
 *                           lists were linked in and 50,000 lists cleared
 *   bench_dump load FILE    loads it into the compact graph, prints the load
 *                           seconds and this process's peak RSS
 * The loader runs in its own process so that its peak RSS is its own.
 * bench/run.sh runs both and Python's json on the same file. */
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include "refgraph.h"
#include "refgraph/graph.h"

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static uint64_t rng = 88172645463325252ULL;
static size_t pick(size_t n) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (size_t)(rng % n);
}

#define ATOMS 300000 /* ints and as many strs */
#define LISTS 200000 /* 5 items each: 1,000,000 references */
#define DICTS 100000 /* 2 entries each: 400,000 references */
#define INSTS 100000 /* class + 5 attributes: 600,000 references */

static int write_dump(const char *path, const char *second) {
    rg_heap *h = rg_heap_new();
    rg_gc_disable(h);
    size_t n = 2 * ATOMS + LISTS + DICTS + INSTS;
    rg_object **objs = malloc(n * sizeof *objs);
    size_t k = 0;
    char buf[32];
    for (size_t i = 0; i < ATOMS; i++) objs[k++] = rg_int_new(h, (int64_t)i * 7);
    for (size_t i = 0; i < ATOMS; i++) {
        snprintf(buf, sizeof buf, "s%zu", i);
        objs[k++] = rg_str_new(h, buf);
    }
    size_t first_container = k;
    for (size_t i = 0; i < LISTS; i++) objs[k++] = rg_list_new(h);
    for (size_t i = 0; i < DICTS; i++) objs[k++] = rg_dict_new(h);
    rg_object *cls = rg_class_new(h, "Record");
    for (size_t i = 0; i < INSTS; i++) objs[k++] = rg_instance_new(h, cls);
    static const char *attrs[] = {"a", "b", "c", "d", "e"};
    for (size_t i = first_container; i < n; i++) {
        rg_object *o = objs[i];
        if (i < first_container + LISTS) {
            for (int j = 0; j < 5; j++) rg_list_append(o, objs[pick(n)]);
        } else if (i < first_container + LISTS + DICTS) {
            size_t s = pick(ATOMS - 1);
            rg_dict_set(o, objs[ATOMS + s], objs[pick(n)]);
            rg_dict_set(o, objs[ATOMS + s + 1], objs[pick(n)]);
        } else {
            for (int j = 0; j < 5; j++) rg_setattr(o, attrs[j], objs[pick(n)]);
        }
    }
    double t0 = now();
    rg_error err = {0};
    if (rg_heap_dump(h, path, NULL, &err) != 0) {
        fprintf(stderr, "bench_dump: %s\n", err.text);
        return 1;
    }
    double t = now() - t0;
    struct stat st;
    stat(path, &st);
    rg_heap_stats hs;
    rg_heap_get_stats(h, &hs);
    printf("{\"bench\":\"dump\",\"case\":\"write\",\"n\":%zu,\"objects\":%zu,\"bytes\":%lld,\"seconds\":%.3f,"
           "\"mb_per_s\":%.1f}\n",
           n, hs.live_objects, (long long)st.st_size, t, (double)st.st_size / 1e6 / t);
    if (second) { /* the heap moves on: new lists linked in, some lists emptied */
        for (size_t i = 0; i < 100000; i++) {
            rg_object *l = rg_list_new(h);
            rg_list_append(l, objs[pick(2 * ATOMS)]);
            rg_list_append_new(objs[first_container + pick(LISTS)], l);
        }
        for (size_t i = 0; i < 50000; i++) rg_list_clear(objs[first_container + pick(LISTS)]);
        if (rg_heap_dump(h, second, NULL, &err) != 0) {
            fprintf(stderr, "bench_dump: %s\n", err.text);
            return 1;
        }
    }
    for (size_t i = 0; i < n; i++) rg_decref(objs[i]);
    rg_decref(cls);
    free(objs);
    rg_heap_destroy(h);
    return 0;
}

static int load_dump(const char *path) {
    double t0 = now();
    rg_error err = {0};
    rg_graph *g = rg_graph_load(path, NULL, &err);
    double t = now() - t0;
    if (!g) {
        fprintf(stderr, "bench_dump: cannot read '%s': line %ld: %s\n", path, err.line, err.text);
        return 1;
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    rg_graph_memory m;
    rg_graph_get_memory(g, &m);
    printf("{\"bench\":\"dump\",\"case\":\"load\",\"n\":%u,\"references\":%u,\"seconds\":%.3f,"
           "\"peak_rss_mb\":%.1f,\"bytes_per_object\":%.1f,\"bytes_per_ref\":%.1f,\"string_mb\":%.1f}\n",
           g->n, g->nrefs, t, (double)ru.ru_maxrss / 1024.0, (double)m.objects / g->n,
           (double)m.refs / (g->nrefs ? g->nrefs : 1), (double)m.strings / 1e6);
    rg_graph_free(g);
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "write") == 0) return write_dump(argv[2], NULL);
    if (argc == 4 && strcmp(argv[1], "pair") == 0) return write_dump(argv[2], argv[3]);
    if (argc == 3 && strcmp(argv[1], "load") == 0) return load_dump(argv[2]);
    fprintf(stderr, "usage: bench_dump write FILE | pair A B | load FILE\n");
    return 2;
}
