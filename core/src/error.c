/* error.c — names and messages of the rg_errno codes. */
#include "refgraph/error.h"

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
