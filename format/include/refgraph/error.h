/* refgraph/error.h — error codes shared by every refgraph library.
 *
 * One X-macro table yields the constants, their names and their messages, so
 * the three can never drift apart. Codes are negative; 0 means success.
 */
#ifndef REFGRAPH_ERROR_H
#define REFGRAPH_ERROR_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RG_ERRNO_MAP(X)                                                     \
    X(NOMEM, -1, "out of memory")                                           \
    X(INVAL, -2, "invalid argument")                                        \
    X(TYPE, -3, "object has the wrong type")                                \
    X(INDEX, -4, "index out of range")                                      \
    X(KEY, -5, "key not found")                                             \
    X(UNHASHABLE, -6, "key type cannot be hashed")                          \
    X(NOFRAME, -7, "no frame is active")                                    \
    X(IO, -8, "input/output error")                                         \
    X(FORMAT, -9, "malformed input")                                        \
    X(VERSION, -10, "unsupported format version")                           \
    X(RANGE, -11, "value out of range")                                     \
    X(BUSY, -12, "operation not allowed while the collector runs")          \
    X(GRAPHVIZ, -13, "graphviz failed")

typedef enum rg_errno {
    RG_OK = 0,
#define RG__ERRNO_ENUM(name, value, msg) RG_E##name = value,
    RG_ERRNO_MAP(RG__ERRNO_ENUM)
#undef RG__ERRNO_ENUM
} rg_errno;

/* A caller-owned error report, as jansson's json_error_t: filling it never
 * allocates, and the first error wins (a later one does not overwrite it).
 * line and column are 1-based; 0 means unknown. */
typedef struct rg_error {
    int code;         /* an rg_errno value, 0 while no error */
    long line;
    long column;
    char source[256]; /* the file (or "<buffer>") */
    char text[256];   /* the problem, lowercase, no trailing period */
} rg_error;

/* Records an error unless one is recorded already; err may be NULL. */
void rg_error_set(rg_error *err, int code, const char *source, long line, long column,
                  const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 6, 7)))
#endif
    ;

/* Writes "line L, column C: text" ("line L: text" without a column, just
 * the text without a line) into buf; snprintf semantics. The source is left
 * out: callers say it their own way. */
size_t rg_error_format(const rg_error *err, char *buf, size_t size);

/* Returns a static message for an error code ("unknown error" if unknown). */
const char *rg_strerror(int err);

/* Returns the static constant name ("RG_ENOMEM") of an error code. */
const char *rg_err_name(int err);

#ifdef __cplusplus
}
#endif
#endif
