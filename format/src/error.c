/* error.c — names and messages of the rg_errno codes. */
#include "refgraph/error.h"

#include <stdarg.h>
#include <stdio.h>

const char *rg_strerror(int err) {
    switch (err) {
    case RG_OK: return "success";
#define RG__ERRNO_MSG(name, value, msg) case value: return msg;
        RG_ERRNO_MAP(RG__ERRNO_MSG)
#undef RG__ERRNO_MSG
    default: return "unknown error";
    }
}

const char *rg_err_name(int err) {
    switch (err) {
    case RG_OK: return "RG_OK";
#define RG__ERRNO_NAME(name, value, msg) case value: return "RG_E" #name;
        RG_ERRNO_MAP(RG__ERRNO_NAME)
#undef RG__ERRNO_NAME
    default: return "RG_EUNKNOWN";
    }
}

void rg_error_set(rg_error *err, int code, const char *source, long line, long column,
                  const char *fmt, ...) {
    if (!err || err->code) return;
    err->code = code ? code : RG_EINVAL;
    err->line = line;
    err->column = column;
    snprintf(err->source, sizeof err->source, "%s", source ? source : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->text, sizeof err->text, fmt, ap);
    va_end(ap);
}

size_t rg_error_format(const rg_error *err, char *buf, size_t size) {
    int n;
    if (err->line > 0 && err->column > 0)
        n = snprintf(buf, size, "line %ld, column %ld: %s", err->line, err->column, err->text);
    else if (err->line > 0)
        n = snprintf(buf, size, "line %ld: %s", err->line, err->text);
    else
        n = snprintf(buf, size, "%s", err->text);
    return n < 0 ? 0 : (size_t)n;
}
