/* failalloc.c — fails the Nth allocation of a test build of the CLI.
 *
 * Linked with -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=strdup:
 * every call from refgraph's own code (cli/, render/, graph/, core/) comes
 * here; calls from inside libc, zlib and Graphviz do not (the drawing's
 * Graphviz graph, though, allocates through refgraph's memory discipline,
 * so its allocations are counted too).
 *
 * RG_FAIL_ALLOC=N     the Nth allocation (1-based) returns NULL; later ones
 *                     succeed again (as after a transient shortage)
 * RG_FAIL_ALLOC_MARK  a file created when the failure is injected: the
 *                     sweep (tests/test_failalloc.sh) stops when a run
 *                     completes without creating it
 * Without RG_FAIL_ALLOC every allocation succeeds. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t size);
char *__wrap_strdup(const char *s);

static unsigned long long fail_at, count;
static int armed = -1;

/* Whether this allocation is the one to fail. */
static int fail_now(void) {
    if (armed < 0) {
        const char *v = getenv("RG_FAIL_ALLOC");
        fail_at = v ? strtoull(v, NULL, 10) : 0;
        armed = fail_at > 0;
    }
    if (!armed || ++count != fail_at) return 0;
    const char *mark = getenv("RG_FAIL_ALLOC_MARK");
    if (mark) {
        int fd = open(mark, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) close(fd);
    }
    return 1;
}

void *__wrap_malloc(size_t size) { return fail_now() ? NULL : __real_malloc(size); }

void *__wrap_calloc(size_t n, size_t size) { return fail_now() ? NULL : __real_calloc(n, size); }

/* realloc(p, 0) frees: never a failure to inject. */
void *__wrap_realloc(void *p, size_t size) { return size && fail_now() ? NULL : __real_realloc(p, size); }

char *__wrap_strdup(const char *s) {
    size_t n = strlen(s) + 1;
    char *c = __wrap_malloc(n);
    if (c) memcpy(c, s, n);
    return c;
}
