/* bench_tokenize — the loader's hand-written tokenizer (graph/src/json.c)
 * against jansson on the same dump lines.
 *   bench_tokenize FILE [ROUNDS]
 * Reads FILE (an uncompressed dump) into memory, then tokenizes every line
 * ROUNDS times (default 3) with each: the tokenizer keeping every field
 * (no filter, so it does all the work jansson does but for building
 * values), and json_loadb with the flags of the differential test
 * (tests/test_tokenize.c). Prints one JSON line: the best round's seconds
 * of each, MB/s, and jansson's time over the tokenizer's. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json.h"

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: bench_tokenize FILE [ROUNDS]\n");
        return 2;
    }
    int rounds = argc == 3 ? atoi(argv[2]) : 3;
    if (rounds < 1) rounds = 1;
    FILE *f = fopen(argv[1], "rb");
    if (!f) {
        perror(argv[1]);
        return 3;
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = n > 0 ? malloc((size_t)n) : NULL;
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        fprintf(stderr, "bench_tokenize: cannot read '%s'\n", argv[1]);
        return 3;
    }
    fclose(f);
    size_t lines = 0;
    double best_tok = 1e30, best_jan = 1e30;
    jparser p;
    memset(&p, 0, sizeof p);
    for (int r = 0; r < rounds; r++) {
        double t0 = now();
        lines = 0;
        for (const char *s = buf, *end = buf + n; s < end;) { /* bound: each pass moves past a line */
            const char *nl = memchr(s, '\n', (size_t)(end - s));
            size_t len = nl ? (size_t)(nl - s) : (size_t)(end - s);
            if (rg__jparse(&p, s, len) != 0) {
                fprintf(stderr, "bench_tokenize: line %zu: %s\n", lines + 1, p.err ? p.err : "out of memory");
                return 1;
            }
            lines++;
            s += len + 1;
        }
        double t = now() - t0;
        if (t < best_tok) best_tok = t;
        t0 = now();
        for (const char *s = buf, *end = buf + n; s < end;) {
            const char *nl = memchr(s, '\n', (size_t)(end - s));
            size_t len = nl ? (size_t)(nl - s) : (size_t)(end - s);
            json_error_t e;
            json_t *v = json_loadb(s, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);
            if (!v) {
                fprintf(stderr, "bench_tokenize: jansson: %s\n", e.text);
                return 1;
            }
            json_decref(v);
            s += len + 1;
        }
        t = now() - t0;
        if (t < best_jan) best_jan = t;
    }
    rg__jparser_free(&p);
    free(buf);
    printf("{\"bench\":\"tokenize\",\"case\":\"dump lines\",\"n\":%zu,\"bytes\":%ld,\"rounds\":%d,\"tokenizer_seconds\":%.3f,"
           "\"tokenizer_mb_per_s\":%.1f,\"jansson_seconds\":%.3f,\"jansson_mb_per_s\":%.1f,"
           "\"jansson_over_tokenizer\":%.2f}\n",
           lines, n, rounds, best_tok, (double)n / 1e6 / best_tok, best_jan, (double)n / 1e6 / best_jan,
           best_jan / best_tok);
    return 0;
}
