/* test_format — the format library on its own (it links nothing else of
 * refgraph): the text helpers, JSON through jansson, and the dump writer's
 * header record. */
#include <stdint.h>
#include <unistd.h>

#include "refgraph/dump.h"
#include "refgraph/jsonout.h"
#include "refgraph/text.h"
#include "testutil.h"

static void test_utf8_cut(void) {
    CU_ASSERT_EQUAL(rg_utf8_cut("a\xc3\xa9", 3, 2), 1); /* é is not cut in two */
    CU_ASSERT_EQUAL(rg_utf8_cut("a\xc3\xa9", 3, 3), 3);
    CU_ASSERT_EQUAL(rg_utf8_cut("ab\xff\xfe", 4, 3), 3); /* a byte that is not UTF-8 counts alone */
    CU_ASSERT_EQUAL(rg_utf8_cut("\xe2\x82\xac\xe2\x82\xac", 6, 5), 3);
    /* a stray continuation byte at the cut is a character of its own */
    CU_ASSERT_EQUAL(rg_utf8_cut("ab\x80\x80", 4, 3), 3);
}

static void test_utf8_next(void) {
    unsigned long c;
    int valid;
    CU_ASSERT_EQUAL(rg_utf8_next("\xf0\x9f\x98\x80", 4, &c, &valid), 4);
    CU_ASSERT(valid && c == 0x1f600);
    CU_ASSERT_EQUAL(rg_utf8_next("\xc0\x80", 2, &c, &valid), 1); /* overlong */
    CU_ASSERT(!valid && c == 0xc0);
    CU_ASSERT_EQUAL(rg_utf8_next("\xed\xa0\x80", 3, &c, &valid), 1); /* a surrogate */
    CU_ASSERT(!valid);
    CU_ASSERT_EQUAL(rg_utf8_next("\xe2\x82", 2, &c, &valid), 1); /* cut short */
    CU_ASSERT(!valid);
}

static void test_text_escape(void) {
    char e[8];
    CU_ASSERT_EQUAL(rg_text_escape(0x7f, 1, e), 4);
    CU_ASSERT_STRING_EQUAL(e, "\\x7f");
    CU_ASSERT_EQUAL(rg_text_escape(0x85, 1, e), 6);
    CU_ASSERT_STRING_EQUAL(e, "\\u0085");
    CU_ASSERT_EQUAL(rg_text_escape(0xff, 0, e), 4);
    CU_ASSERT_STRING_EQUAL(e, "\\xff");
    CU_ASSERT_EQUAL(rg_text_escape('\\', 1, e), 0);
    CU_ASSERT_EQUAL(rg_text_escape(0xe9, 1, e), 0);
    char buf[16];
    CU_ASSERT_STRING_EQUAL(rg_escape("a\x1b[31m", 6, buf, sizeof buf), "a\\x1b[31m");
    CU_ASSERT_STRING_EQUAL(rg_escape("abcdefghijklmnopqrstuvwxyz", 26, buf, 10), "abcdef...");
}

static void test_json_text(void) {
    json_t *s = rg_json_text("a\xff" "b\0c", 5);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_EQUAL(json_string_length(s), 8); /* a \xff b NUL c */
    CU_ASSERT_EQUAL(memcmp(json_string_value(s), "a\\xffb\0c", 8), 0);
    json_decref(s);
    json_t *n = rg_json_cstr(NULL);
    CU_ASSERT(json_is_null(n));
    json_decref(n);
    json_t *big = rg_json_u64(UINT64_MAX), *small = rg_json_u64(42);
    CU_ASSERT(json_is_real(big) && json_real_value(big) == 18446744073709551616.0);
    CU_ASSERT(json_is_integer(small) && json_integer_value(small) == 42);
    json_decref(big);
    json_decref(small);
}

/* What a terminal could act on never leaves raw: DEL, C1 controls and the
 * non-characters become \uNNNN (jansson leaves them raw). */
static void test_json_dumpf_terminal_safe(void) {
    json_t *v = json_pack("{s:s,s:s}", "a", "x\x7fy\xc2\x85z\xef\xbf\xbf", "b", "\x1b[2J\xc3\xa9");
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_EQUAL(rg_json_dumpf(v, f), 0);
    fclose(f);
    CU_ASSERT_STRING_EQUAL(out, "{\"a\":\"x\\u007Fy\\u0085z\\uFFFF\",\"b\":\"\\u001B[2J\xc3\xa9\"}");
    free(out);
    json_decref(v);
}

static void test_grow(void) {
    int *a = NULL;
    size_t cap = 0;
    CU_ASSERT_EQUAL(rg_grow((void **)&a, &cap, 1, sizeof *a), 0);
    CU_ASSERT_EQUAL(cap, 64);
    CU_ASSERT_EQUAL(rg_grow((void **)&a, &cap, 1000, sizeof *a), 0);
    CU_ASSERT_EQUAL(cap, 1024);
    int *before = a;
    CU_ASSERT_EQUAL(rg_grow((void **)&a, &cap, SIZE_MAX / 2, sizeof *a), -1); /* would overflow */
    CU_ASSERT(a == before && cap == 1024);
    free(a);
}

static rg_dump_header header(void) {
    rg_dump_header h;
    memset(&h, 0, sizeof h);
    h.producer = "test";
    h.producer_version = "1";
    h.created = "2026-01-01T00:00:00Z";
    h.heap_id = 0xaa;
    h.bytes_in_use = 10;
    h.gen[0].threshold = 700;
    return h;
}

/* The header record, built with jansson: exact bytes, a step's newline and
 * a byte that is not UTF-8 included. */
static void test_header_record(void) {
    rg_error err = {0};
    rg_dump_writer *w = rg_dump_writer_open(tmp("header.jsonl"), &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(w);
    rg_dump_header h = header();
    h.step.title = "a\nb\xff";
    CU_ASSERT_EQUAL(rg_dump_write_header(w, &h), 0);
    CU_ASSERT_EQUAL(rg_dump_writer_close(w, &err), 0);
    char *s = slurp(tmp("header.jsonl"), NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    const char *want =
        "{\"format\":\"refgraph-dump\",\"version\":1,\"producer\":\"test\",\"producer_version\":\"1\","
        "\"created\":\"2026-01-01T00:00:00Z\",\"heap_id\":\"00000000000000aa\",\"heap\":{\"bytes_in_use\":10,"
        "\"peak_bytes\":0,\"live_objects\":0,\"max_id\":0},\"gc\":{\"enabled\":false,\"thresholds\":[700,0,0],"
        "\"counts\":[0,0,0],\"stats\":[{\"collections\":0,\"collected\":0,\"uncollectable\":0},{\"collections\":0,"
        "\"collected\":0,\"uncollectable\":0},{\"collections\":0,\"collected\":0,\"uncollectable\":0}],"
        "\"garbage_id\":null},\"step\":{\"title\":\"a\\nb\\\\xff\"}}\n";
    CU_ASSERT_EQUAL(strncmp(s, want, strlen(want)), 0);
    if (strncmp(s, want, strlen(want)) != 0) fprintf(stderr, "\n got: %.*s\nwant: %s", (int)strlen(want), s, want);
    free(s);
    unlink(tmp("header.jsonl"));
}

/* A header count above 2^63 - 1 cannot be a jansson integer: refused, and
 * no file appears. */
static void test_header_count_range(void) {
    rg_error err = {0};
    unlink(tmp("big.jsonl"));
    rg_dump_writer *w = rg_dump_writer_open(tmp("big.jsonl"), &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(w);
    rg_dump_header h = header();
    h.gen[2].collected = (uint64_t)INT64_MAX + 1;
    CU_ASSERT_EQUAL(rg_dump_write_header(w, &h), RG_ERANGE);
    CU_ASSERT_EQUAL(rg_dump_writer_close(w, &err), RG_ERANGE);
    CU_ASSERT_EQUAL(err.code, RG_ERANGE);
    CU_ASSERT_STRING_EQUAL(err.text, "a header count is above 2^63 - 1");
    CU_ASSERT_NOT_EQUAL(access(tmp("big.jsonl"), F_OK), 0);
}

/* jansson's allocations fail one after another (as jansson's own chaos
 * test): the header is written or RG_ENOMEM comes back, and every block
 * jansson allocated is freed either way. */
static long J_FAIL_AT, J_COUNT, J_LIVE;
static void *j_malloc(size_t n) {
    if (J_FAIL_AT && ++J_COUNT >= J_FAIL_AT) return NULL;
    void *p = malloc(n);
    if (p) J_LIVE++;
    return p;
}
static void j_free(void *p) {
    if (p) J_LIVE--;
    free(p);
}

static void test_header_out_of_memory(void) {
    int written = 0, refused = 0;
    for (long n = 1; n < 400 && !written; n++) {
        J_FAIL_AT = n;
        J_COUNT = J_LIVE = 0;
        json_set_alloc_funcs(j_malloc, j_free);
        rg_error err = {0};
        rg_dump_writer *w = rg_dump_writer_open(tmp("oom.jsonl"), &err);
        CU_ASSERT_PTR_NOT_NULL_FATAL(w);
        rg_dump_header h = header();
        h.step.lesson = "lesson \xff";
        h.step.caption = "caption";
        int rc = rg_dump_write_header(w, &h);
        CU_ASSERT(rc == 0 || rc == RG_ENOMEM);
        rg_dump_writer_close(w, &err);
        json_set_alloc_funcs(malloc, free);
        CU_ASSERT_EQUAL(J_LIVE, 0);
        if (J_LIVE) printf("\n  failing allocation %ld of the header leaks %ld blocks\n", n, J_LIVE);
        if (rc == 0) written = 1;
        else refused++;
    }
    CU_ASSERT(written && refused > 10); /* every allocation failed once, then it fit */
    unlink(tmp("oom.jsonl"));
}

int main(void) {
    static const test_case cases[] = {
        {"rg_utf8_cut keeps characters whole", test_utf8_cut},
        {"rg_utf8_next refuses what is not UTF-8", test_utf8_next},
        {"rg_text_escape and rg_escape", test_text_escape},
        {"rg_json_text keeps bytes that are not UTF-8 as \\xNN", test_json_text},
        {"rg_json_dumpf is safe on a terminal", test_json_dumpf_terminal_safe},
        {"rg_grow doubles and refuses overflow", test_grow},
        {"the header record, built with jansson", test_header_record},
        {"a header count above 2^63 - 1 is refused", test_header_count_range},
        {"the header record when jansson runs out of memory", test_header_out_of_memory},
        {NULL, NULL},
    };
    return run_suite_tmp("format", cases);
}
