/* dotcanon.h — DOT text in a form where render/'s writer and cgraph's agwrite
 * must agree byte for byte.
 *
 * render/ writes the cluster subgraphs in the order it made them; cgraph 2.x
 * orders them by the address of their interned names (docs/render.md), which
 * depends on what malloc returns: under ASan's allocator it is usually the
 * order they were made, under glibc's often not. dot_canon moves every
 * top-level subgraph block (a line "\tsubgraph ..." through the next line
 * "\t}") to the end, sorted as text; everything else stays in place. Both
 * texts are compared in this form.
 *
 * Header-only (static functions): shared by test_render.c and
 * tests/fuzz/fuzz_pipeline.c, which link nothing else of the tests. */
#ifndef RG_DOTCANON_H
#define RG_DOTCANON_H

#include <stdlib.h>
#include <string.h>

typedef struct dot_span {
    const char *p;
    size_t n;
} dot_span;

static int dot_span_cmp(const void *a, const void *b) {
    const dot_span *x = a, *y = b;
    int c = memcmp(x->p, y->p, x->n < y->n ? x->n : y->n);
    return c ? c : (x->n > y->n) - (x->n < y->n);
}

/* The line starting at p (through its '\n', or to end); its length. */
static size_t dot_line(const char *p, const char *end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    return nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
}

/* A new NUL-terminated copy of text[0..n) in canonical form (*out_len its
 * length); NULL when out of memory. Linear in n plus the sort of the blocks;
 * every loop advances by at least one byte. */
static char *dot_canon(const char *text, size_t n, size_t *out_len) {
    const char *end = text + n;
    dot_span *blocks = malloc((n / 12 + 1) * sizeof *blocks); /* a block is at least 12 bytes */
    char *out = malloc(n + 1);
    if (!blocks || !out) {
        free(blocks);
        free(out);
        return NULL;
    }
    size_t nblocks = 0, len = 0;
    for (const char *p = text; p < end;) {
        size_t l = dot_line(p, end);
        if (l > 11 && memcmp(p, "\tsubgraph ", 10) == 0) {
            const char *q = p + l; /* the block runs to the line "\t}\n" */
            while (q < end) {
                size_t lq = dot_line(q, end);
                q += lq;
                if (lq == 3 && memcmp(q - 3, "\t}\n", 3) == 0) break;
            }
            blocks[nblocks++] = (dot_span){p, (size_t)(q - p)};
            p = q;
            continue;
        }
        memcpy(out + len, p, l);
        len += l;
        p += l;
    }
    qsort(blocks, nblocks, sizeof *blocks, dot_span_cmp);
    for (size_t k = 0; k < nblocks; k++) {
        memcpy(out + len, blocks[k].p, blocks[k].n);
        len += blocks[k].n;
    }
    out[len] = '\0';
    free(blocks);
    *out_len = len;
    return out;
}

/* 1 when a and b are the same DOT text but for the order of their
 * top-level subgraphs; 0 when not; -1 when out of memory. */
static int dot_same(const char *a, size_t alen, const char *b, size_t blen) {
    if (alen != blen) return 0;
    size_t la, lb;
    char *ca = dot_canon(a, alen, &la), *cb = dot_canon(b, blen, &lb);
    int same = !ca || !cb ? -1 : la == lb && memcmp(ca, cb, la) == 0;
    free(ca);
    free(cb);
    return same;
}

#endif
