/* testutil.h — what every CUnit suite shares: reading a file, running a
 * suite, a scratch folder. The suites of the heap add testheap.h; those of the reading side
 * (graph, render) need nothing of the heap. */
#ifndef RG_TESTUTIL_H
#define RG_TESTUTIL_H

#include <CUnit/Basic.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A whole file, NUL-terminated (len may be NULL); NULL if unreadable. */
static inline char *slurp(const char *path, size_t *len) {
    if (len) *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
        free(b);
        b = NULL;
    }
    if (b) b[n] = '\0';
    fclose(f);
    if (b && len) *len = (size_t)n;
    return b;
}

typedef struct test_case {
    const char *name;
    void (*fn)(void);
} test_case;

/* Runs one suite; the exit status is the number of failures. */
static inline int run_suite(const char *name, const test_case *cases) {
    if (CU_initialize_registry() != CUE_SUCCESS) return 1;
    CU_pSuite s = CU_add_suite(name, NULL, NULL);
    for (const test_case *c = cases; c->name; c++) CU_add_test(s, c->name, c->fn);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    return failed ? 1 : 0;
}

/* The scratch folder of a suite run by run_suite_tmp. */
static inline char *test_tmpdir(void) {
    static char dir[256];
    return dir;
}

/* A path in the scratch folder: four at a time (the oldest is reused). */
static inline const char *tmp(const char *name) {
    static char path[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(path[k], sizeof path[k], "%s/%s", test_tmpdir(), name);
    return path[k];
}

/* run_suite with a scratch folder, /tmp/rg-test-NAME-PID, removed after
 * (kept when RG_KEEP is set); a failure to remove it fails the run. */
static inline int run_suite_tmp(const char *name, const test_case *cases) {
    snprintf(test_tmpdir(), 256, "/tmp/rg-test-%s-%d", name, (int)getpid());
    if (mkdir(test_tmpdir(), 0700) != 0 && errno != EEXIST) {
        perror(test_tmpdir());
        return 1;
    }
    int rc = run_suite(name, cases);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", test_tmpdir());
    if (!getenv("RG_KEEP") && system(cmd) != 0) rc = 1;
    return rc;
}

#endif
