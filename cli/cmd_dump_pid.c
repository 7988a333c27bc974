/* dump-pid: dump the heap of a running CPython process (attach.c does it). */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attach.h"
#include "cli.h"

const cli_opt cmd_dump_pid_opts[] = {
    {"output", 'o', "FILE", "write the dump to FILE (gzip when it ends in .gz)"},
    {"timeout", 0, "S", "seconds to wait for the process to run the dump once queued (default 60)"},
    {"python-path", 0, "DIR", "the directory holding refgraph/_core*.so (default: the build's or the install's)"},
    {NULL, 0, NULL, NULL},
};

/* Where the extension is: --python-path, $REFGRAPH_PYTHON_PATH, the build
 * tree's when this binary is the build tree's, else the install's. NULL
 * when this build has no extension. */
static const char *python_dir(const cli_args *a) {
    const char *d = cli_get(a, "python-path");
    if (d) return d;
    d = getenv("REFGRAPH_PYTHON_PATH");
    if (d && *d) return d;
#if defined(RG_PYTHON_BUILD_DIR) && defined(RG_PYTHON_INSTALL_DIR) && defined(RG_BUILD_BINARY_DIR)
    static char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) *slash = '\0';
        char *build = realpath(RG_BUILD_BINARY_DIR, NULL);
        int in_build = build && strcmp(build, exe) == 0;
        free(build);
        if (in_build) return RG_PYTHON_BUILD_DIR;
    }
    return RG_PYTHON_INSTALL_DIR;
#else
    return NULL;
#endif
}

int cmd_dump_pid(const cli_args *a) {
    int rc = 0;
    const char *out = cli_get(a, "output"); /* main() checked it is given, and one PID */
    char *end = NULL;
    long pid = 0;
    errno = 0;
    pid = strtol(a->pos[0], &end, 10);
    if (errno || end == a->pos[0] || *end || pid <= 0 || pid > INT_MAX)
        rc = cli_usage_error("dump-pid", "'%s' is not a process id", a->pos[0]);
    double timeout = 60;
    const char *t = cli_get(a, "timeout");
    if (!rc && t) {
        errno = 0;
        timeout = strtod(t, &end);
        if (errno || end == t || *end || !(timeout > 0 && timeout <= 86400))
            rc = cli_usage_error("dump-pid", "--timeout wants seconds between 0 and 86400, not '%s'", t);
    }
    const char *dir = rc ? NULL : python_dir(a);
    char *absdir = NULL; /* the process has its own working directory: give it an absolute path */
    if (!rc && !dir) {
        cli_error("this refgraph was built without the Python extension: give --python-path DIR");
        rc = EXIT_INPUT;
    } else if (!rc && dir[0] != '/') {
        absdir = realpath(dir, NULL);
        if (!absdir) {
            cli_error("cannot use '%s' as the extension's directory: %s", dir, strerror(errno));
            rc = EXIT_INPUT;
        }
        dir = absdir;
    }
    if (rc) {
        free(absdir);
        return rc;
    }
#ifdef RG_PYTHON_EXT_SUFFIX
    const char *suffix = RG_PYTHON_EXT_SUFFIX;
#else
    const char *suffix = ".cpython-311-x86_64-linux-gnu.so";
#endif
    rg_attach_options o = {dir, suffix, NULL, timeout};
    rg_attach_result r;
    rg_attach_status st = rg_attach_dump((pid_t)pid, out, &o, &r);
    free(absdir);
    if (st != RG_ATTACH_OK) {
        cli_error("%s", r.message);
        return st == RG_ATTACH_NOMEM ? cli_nomem() : st == RG_ATTACH_OUTPUT ? EXIT_OUTPUT : EXIT_INPUT;
    }
    /* the summary goes to stderr when the dump itself went to stdout */
    FILE *f = strcmp(out, "-") == 0 ? stderr : stdout;
    char b[32];
    fprintf(f, "wrote '%s': %llu objects, %s, process %ld\n", out, r.objects, cli_bytes(r.bytes, b, sizeof b), pid);
    fprintf(f, "dump: %.3f s in the process; gdb: %.3f s (attach, inject, detach); waited %.3f s for the process\n",
            r.dump_seconds, r.gdb_seconds, r.wait_seconds);
    return EXIT_OK;
}
