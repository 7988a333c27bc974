/* attach.c — refgraph dump-pid's mechanism: gdb queues a small Python
 * program in a running CPython, which dumps its own heap (see attach.h). */
#define _GNU_SOURCE
#include "attach.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "refgraph/outfile.h"

extern char **environ;

#define ADDR_PLACEHOLDER "0x0000000000000000"
#define PAGE 4096u
/* seconds gdb may take to attach, queue the dump and detach */
#define RG_ATTACH_GDB_LIMIT 120.0
/* the page's first line, checked by _core._attach_release before unmapping */
#define RG_ATTACH_MAGIC "# refgraph dump-pid\n"

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void nap(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

static rg_attach_status fail(rg_attach_result *r, rg_attach_status st, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
static rg_attach_status fail(rg_attach_result *r, rg_attach_status st, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->message, sizeof r->message, fmt, ap);
    va_end(ap);
    return st;
}

/* Text from the target or from gdb, made safe for a terminal: one line,
 * printable ASCII, at most size - 1 bytes. */
static void printable(char *dst, size_t size, const char *src, size_t n) {
    size_t j = 0;
    for (size_t i = 0; i < n && j + 1 < size; i++) {
        unsigned char c = (unsigned char)src[i];
        if (c == '\n' && i + 1 == n) break;
        dst[j++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
    }
    dst[j] = '\0';
}

/* A small file's contents (at most max bytes), NUL-terminated; NULL on failure. */
static char *slurp(const char *path, size_t max, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = malloc(max + 1);
    size_t n = buf ? fread(buf, 1, max, f) : 0;
    fclose(f);
    if (!buf) return NULL;
    buf[n] = '\0';
    if (len) *len = n;
    return buf;
}

/* The process's state letter from /proc/PID/stat ('R', 'S', 'Z', ...), or
 * 0 when it is gone. */
static char proc_state(pid_t pid) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
    char *s = slurp(path, 4096, NULL);
    if (!s) return 0;
    char *p = strrchr(s, ')'); /* the command name may hold anything but ends at the last ')' */
    char st = (p && p[1] == ' ') ? p[2] : 0;
    free(s);
    return st;
}

static int alive(pid_t pid) {
    char st = proc_state(pid);
    return st != 0 && st != 'Z' && st != 'X';
}

/* Uid and gid of the process (the real ones, from /proc/PID/status). */
static int proc_ids(pid_t pid, uid_t *uid, gid_t *gid) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
    char *s = slurp(path, 65536, NULL);
    if (!s) return -1;
    const char *u = strstr(s, "\nUid:"), *g = strstr(s, "\nGid:");
    int ok = u && g;
    if (ok) {
        *uid = (uid_t)strtoul(u + 5, NULL, 10);
        *gid = (gid_t)strtoul(g + 5, NULL, 10);
    }
    free(s);
    return ok ? 0 : -1;
}

static int write_file(const char *path, const char *data, size_t n) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return -1;
    size_t done = 0;
    while (done < n) {
        ssize_t w = write(fd, data + done, n - done);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            close(fd);
            return -1;
        }
        done += (size_t)w;
    }
    return close(fd);
}

/* Removes the temporary directory and whatever is in it (files only: the
 * target writes no directories there). */
static void remove_dir(const char *dir) {
    DIR *d = opendir(dir);
    if (d) {
        char path[4200];
        for (struct dirent *e; (e = readdir(d)) != NULL;) { /* ends: a directory lists finitely many names */
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            unlink(path);
        }
        closedir(d);
    }
    rmdir(dir);
}

static void hex(char *dst, const char *src) {
    static const char digits[] = "0123456789abcdef";
    for (; *src; src++) {
        unsigned char c = (unsigned char)*src;
        *dst++ = digits[c >> 4];
        *dst++ = digits[c & 15];
    }
    *dst = '\0';
}

/* The program the target runs (exec'd in a fresh dict, so that nothing is
 * bound in __main__). A is the page's address, N its size, D the private
 * directory, F the extension's file, S the extension suffix, O the dump's
 * name. Every exception is caught: a pending call must return 0, or the
 * main thread would get a SystemError. A KeyboardInterrupt that arrived
 * meanwhile is delivered again. */
static const char inner_program[] =
    "import os, sys\n"
    "if os.path.isdir(D):\n"
    "    m = None\n"
    "    k = False\n"
    "    try:\n"
    "        x = sys.modules['_frozen_importlib_external']\n"
    "        if S not in x.EXTENSION_SUFFIXES:\n"
    "            raise ImportError('the process runs %s %s (extensions %s); refgraph is built for %s' % (\n"
    "                sys.implementation.name, sys.version.split()[0], ' '.join(x.EXTENSION_SUFFIXES), S))\n"
    "        m = sys.modules.get('refgraph._core')\n"
    "        if m is None:\n"
    "            l = x.ExtensionFileLoader('refgraph._core', F)\n"
    "            m = l.create_module(x.spec_from_file_location('refgraph._core', F, loader=l))\n"
    "            sys.modules.pop('refgraph._core', None)\n"
    "            l.exec_module(m)\n"
    "        r = m.dump(D + '/' + O)\n"
    "        s = 'ok %d %d %.6f' % (r['objects'], r['bytes'], r['seconds'])\n"
    "    except BaseException as e:\n"
    "        k = isinstance(e, KeyboardInterrupt)\n"
    "        s = 'error %s: %s' % (type(e).__name__, e)\n"
    "    try:\n"
    "        with open(D + '/status.tmp', 'w') as h:\n"
    "            h.write(s + '\\n')\n"
    "        os.rename(D + '/status.tmp', D + '/status')\n"
    "    except BaseException:\n"
    "        pass\n"
    "    if m is not None and hasattr(m, '_attach_release'):\n"
    "        m._attach_release(A, N)\n"
    "    if k:\n"
    "        __import__('_thread').interrupt_main()\n";

/* The text PyRun_SimpleString runs: binds no name in __main__. The address
 * placeholder is overwritten by gdb once the page is mapped. */
static char *build_payload(const char *tdir, const char *so, const char *suffix, const char *dumpname,
                           size_t *len, size_t *addr_off, size_t *mapsize) {
    size_t n = strlen(inner_program) * 2 + (strlen(tdir) + strlen(so) + strlen(suffix) + strlen(dumpname)) * 2 +
               512;
    char *buf = malloc(n), *h = malloc(n);
    if (!buf || !h) {
        free(buf);
        free(h);
        return NULL;
    }
    size_t off = 0;
    off += (size_t)snprintf(buf + off, n - off, RG_ATTACH_MAGIC "try:\n    exec(bytes.fromhex('");
    hex(buf + off, inner_program);
    off += strlen(buf + off);
    /* the values, each as hex of its bytes, decoded as the file system does */
    const char *names[] = {"D", "F", "S", "O"};
    const char *vals[] = {tdir, so, suffix, dumpname};
    off += (size_t)snprintf(buf + off, n - off, "').decode(), {'A': " ADDR_PLACEHOLDER ", 'N': NNNNNNNN");
    for (size_t i = 0; i < 4; i++) {
        hex(h, vals[i]);
        off += (size_t)snprintf(buf + off, n - off, ", '%s': __import__('os').fsdecode(bytes.fromhex('%s'))",
                                names[i], h);
    }
    off += (size_t)snprintf(buf + off, n - off, "})\nexcept BaseException:\n    pass\n");
    free(h);
    if (off + 1 >= n) {
        free(buf);
        return NULL;
    }
    *mapsize = (off + 1 + PAGE - 1) / PAGE * PAGE;
    char *np = strstr(buf, "NNNNNNNN");
    char num[24]; /* a size_t's 20 digits at most; the map is far smaller than 8 */
    snprintf(num, sizeof num, "%8zu", *mapsize);
    memcpy(np, num, 8);
    *addr_off = (size_t)(strstr(buf, ADDR_PLACEHOLDER) - buf) + 2; /* the digits after 0x */
    *len = off + 1;                                                 /* with the NUL */
    return buf;
}

/* The gdb script: every step prints a marker the log is read for. A
 * failing command ends the script; gdb then detaches (batch mode). Inferior
 * calls only map a page and queue the call: nothing that takes Python's or
 * libc's locks, so the thread gdb stopped may be anywhere, even in malloc. */
static int write_script(const char *path, pid_t pid, const char *payload, size_t addr_off, size_t mapsize) {
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    fprintf(f,
            "set pagination off\n"
            "set confirm off\n"
            "set width 0\n"
            "set unwindonsignal on\n"
            /* look the symbols up before attaching (gdb reads its tables
             * lazily: 1 s of the process stopped on a busy machine) */
            "info functions ^Py_AddPendingCall$\n"
            "info variables ^Py_Version$\n"
            "attach %ld\n"
            "sharedlibrary libc\\.so\n"
            "sharedlibrary libpython\n"
            "printf \"rg-python %%p\\n\", &Py_AddPendingCall\n"
            "printf \"rg-version %%lx\\n\", *(unsigned long *)&Py_Version\n"
            "if (*(unsigned long *)&Py_Version >> 16) != 0x030b\n"
            "  printf \"rg-refused\\n\"\n"
            "  detach\n"
            "  quit\n"
            "end\n"
            "if ((int (*)(void))Py_IsInitialized)() == 0\n"
            "  printf \"rg-uninitialized\\n\"\n"
            "  detach\n"
            "  quit\n"
            "end\n"
            "set $rg_buf = (unsigned long)((void *(*)(void *, unsigned long, int, int, int, long))mmap)(0, %zu, 3, "
            "0x22, -1, 0)\n"
            "if $rg_buf == (unsigned long)-1\n"
            "  printf \"rg-nomap\\n\"\n"
            "  detach\n"
            "  quit\n"
            "end\n"
            "restore %s binary $rg_buf\n"
            "set $rg_i = 0\n"
            "while $rg_i < 16\n"
            "  set $rg_d = ($rg_buf >> (4 * $rg_i)) & 15\n"
            "  set *(char *)($rg_buf + %zu + 15 - $rg_i) = $rg_d < 10 ? 48 + $rg_d : 87 + $rg_d\n"
            "  set $rg_i = $rg_i + 1\n"
            "end\n"
            "set $rg_rc = ((int (*)(void *, void *))Py_AddPendingCall)((void *)&PyRun_SimpleString, (void *)$rg_buf)\n"
            "if $rg_rc != 0\n"
            "  set $rg_rc = ((int (*)(void *, unsigned long))munmap)((void *)$rg_buf, %zu)\n"
            "  printf \"rg-queue-full\\n\"\n"
            "  detach\n"
            "  quit\n"
            "end\n"
            "printf \"rg-queued\\n\"\n"
            "detach\n"
            "quit\n",
            (long)pid, mapsize, payload, addr_off, mapsize);
    return fclose(f) == 0 ? 0 : -1;
}

/* Runs gdb until it exits. gdb is never interrupted for the user's
 * timeout: a signal that reaches it while it runs a function in the
 * process (mmap, Py_AddPendingCall) can leave that process killed
 * (measured: SIGKILL there gives it a SIGSEGV; SIGINT there got it
 * killed). Its calls take no lock but the interpreter's pending-call lock,
 * so it ends in seconds; only past RG_ATTACH_GDB_LIMIT is it killed (the
 * kernel then detaches it) and the process sent SIGCONT, in case the
 * attach's SIGSTOP was still pending. Returns 0 when gdb exited, 1 when it
 * was killed, -1 when it could not be started (errno set). */
static int run_gdb(const char *gdb, pid_t pid, const char *script, const char *log) {
    char exe[64];
    snprintf(exe, sizeof exe, "/proc/%ld/exe", (long)pid);
    /* The program is named, so its symbols are read before the script
     * attaches; the shared libraries' are read only for libc and
     * libpython: the process is stopped for less time. */
    char *argv[] = {(char *)gdb, "-nx", "-q", "-batch", "-iex", "set debuginfod enabled off",
                    "-iex", "set auto-solib-add off", "-x", (char *)script, exe, NULL};
    posix_spawn_file_actions_t fa;
    if (posix_spawn_file_actions_init(&fa) != 0) return -1;
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    /* its own process group: a Ctrl-C on the terminal must not reach gdb */
    posix_spawnattr_t at;
    if (posix_spawnattr_init(&at) != 0) {
        posix_spawn_file_actions_destroy(&fa);
        return -1;
    }
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&at, 0);
    pid_t g;
    int err = posix_spawnp(&g, gdb, &fa, &at, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    if (err) {
        errno = err;
        return -1;
    }
    double limit = now() + RG_ATTACH_GDB_LIMIT;
    int st;
    for (;;) { /* ends: gdb exits, or is killed at the limit */
        pid_t w = waitpid(g, &st, WNOHANG);
        if (w == g || (w < 0 && errno != EINTR)) return 0;
        if (now() >= limit) break;
        nap(5);
    }
    kill(g, SIGKILL);
    while (waitpid(g, &st, 0) < 0 && errno == EINTR) {
    }
    kill(pid, SIGCONT);
    return 1;
}

static int copy_out(const char *from, const char *out, rg_attach_result *r) {
    FILE *in = fopen(from, "rb");
    if (!in) {
        snprintf(r->message, sizeof r->message, "cannot read the dump the process wrote: %s", strerror(errno));
        return -1;
    }
    rg_error err = {0};
    rg_outfile *o = rg_outfile_open(out, &err);
    if (!o) {
        rg_error_format(&err, r->message, sizeof r->message);
        fclose(in);
        return -1;
    }
    FILE *f = rg_outfile_stream(o);
    char buf[65536];
    size_t n;
    int bad = 0;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0) /* ends at the end of the file */
        if (fwrite(buf, 1, n, f) != n) {
            bad = 1;
            break;
        }
    if (ferror(in)) bad = 1;
    fclose(in);
    if (bad) {
        rg_outfile_abort(o);
        snprintf(r->message, sizeof r->message, "cannot write '%s'", out);
        return -1;
    }
    if (rg_outfile_commit(o, &err) != 0) {
        rg_error_format(&err, r->message, sizeof r->message);
        return -1;
    }
    return 0;
}

/* What gdb's log says, as a status (the log has the markers printed by
 * the script and gdb's own errors). */
static rg_attach_status read_log(const char *log, pid_t pid, const rg_attach_options *o, rg_attach_result *r) {
    char *s = slurp(log, 1 << 20, NULL);
    if (!s) return fail(r, RG_ATTACH_FAILED, "gdb wrote no log");
    rg_attach_status st = RG_ATTACH_OK;
    char line[300] = "";
    const char *p;
    if (strstr(s, "rg-queued")) {
        st = RG_ATTACH_OK;
    } else if ((p = strstr(s, "ptrace: ")) != NULL) {
        printable(line, sizeof line, p, strcspn(p, "\n"));
        if (strstr(p, "No such process"))
            st = fail(r, RG_ATTACH_NO_PROCESS, "no process %ld", (long)pid);
        else
            st = fail(r, RG_ATTACH_PTRACE,
                      "cannot attach to process %ld: gdb says '%s' (attaching needs the same user and "
                      "/proc/sys/kernel/yama/ptrace_scope 0, or CAP_SYS_PTRACE)",
                      (long)pid, line);
    } else if (strstr(s, "No symbol \"Py_AddPendingCall\"")) {
        st = fail(r, RG_ATTACH_NOT_PYTHON, "process %ld is not a Python interpreter (no Py_AddPendingCall in it)",
                  (long)pid);
    } else if (strstr(s, "No symbol \"Py_Version\"")) {
        st = fail(r, RG_ATTACH_VERSION, "process %ld runs a Python older than 3.11; refgraph's extension is built for CPython 3.11 (%s)",
                  (long)pid, o->ext_suffix);
    } else if (strstr(s, "rg-refused")) {
        unsigned long v = 0;
        if ((p = strstr(s, "rg-version ")) != NULL) v = strtoul(p + 11, NULL, 16);
        st = fail(r, RG_ATTACH_VERSION, "process %ld runs Python %lu.%lu.%lu; refgraph's extension is built for CPython 3.11 (%s)",
                  (long)pid, v >> 24, (v >> 16) & 0xff, (v >> 8) & 0xff, o->ext_suffix);
    } else if (strstr(s, "rg-uninitialized")) {
        st = fail(r, RG_ATTACH_NOT_PYTHON, "process %ld has not initialized its Python interpreter (or has finalized it)",
                  (long)pid);
    } else if (strstr(s, "rg-queue-full")) {
        st = fail(r, RG_ATTACH_FAILED, "process %ld's queue of pending calls is full; try again", (long)pid);
    } else if (strstr(s, "rg-nomap")) {
        st = fail(r, RG_ATTACH_FAILED, "cannot map a page in process %ld", (long)pid);
    } else {
        /* gdb's first error line, for the message */
        const char *q = strstr(s, "rg-python") ? strstr(s, "rg-python") : s;
        const char *e = strstr(q, "rror");
        if (e) {
            while (e > s && e[-1] != '\n') e--;
            printable(line, sizeof line, e, strcspn(e, "\n"));
        }
        st = fail(r, RG_ATTACH_FAILED, "gdb could not queue the dump in process %ld%s%s%s", (long)pid,
                  *line ? " ('" : "", line, *line ? "')" : "");
    }
    free(s);
    return st;
}

rg_attach_status rg_attach_dump(pid_t pid, const char *out, const rg_attach_options *o, rg_attach_result *r) {
    memset(r, 0, sizeof *r);
    if (pid <= 0) return fail(r, RG_ATTACH_NO_PROCESS, "no process %ld", (long)pid);
    if (pid == getpid()) return fail(r, RG_ATTACH_NOT_PYTHON, "process %ld is refgraph itself", (long)pid);
    if (kill(pid, 0) != 0 && errno == ESRCH) return fail(r, RG_ATTACH_NO_PROCESS, "no process %ld", (long)pid);
    if (!alive(pid)) return fail(r, RG_ATTACH_NO_PROCESS, "process %ld has exited", (long)pid);

    /* the extension must be there before the process is touched */
    char so[4200];
    if ((size_t)snprintf(so, sizeof so, "%s/refgraph/_core%s", o->python_dir, o->ext_suffix) >= sizeof so)
        return fail(r, RG_ATTACH_NO_MODULE, "the directory of the Python extension is too long");
    if (so[0] != '/') return fail(r, RG_ATTACH_NO_MODULE, "'%s' is not an absolute path", o->python_dir);
    if (access(so, R_OK) != 0)
        return fail(r, RG_ATTACH_NO_MODULE,
                    "no refgraph Python extension at '%s' (build it with make, or give --python-path DIR)", so);

    char *scope = slurp("/proc/sys/kernel/yama/ptrace_scope", 64, NULL);
    int yama = scope ? atoi(scope) : 0;
    free(scope);
    if (yama >= 3)
        return fail(r, RG_ATTACH_PTRACE,
                    "cannot attach to process %ld: /proc/sys/kernel/yama/ptrace_scope is 3 (no attaching at all)",
                    (long)pid);

    uid_t uid = 0;
    gid_t gid = 0;
    int have_ids = proc_ids(pid, &uid, &gid) == 0;
    if (have_ids && geteuid() != 0 && uid != geteuid())
        return fail(r, RG_ATTACH_PTRACE,
                    "cannot attach to process %ld: it belongs to user %ld (attaching needs the same user, or "
                    "root / CAP_SYS_PTRACE)",
                    (long)pid, (long)uid);

    /* a private directory in the target's /tmp (its own mount namespace
     * when it runs in a container), owned by the target's user so that it
     * can write there */
    char dir[200];
    struct stat ours, theirs;
    snprintf(dir, sizeof dir, "/proc/%ld/root/tmp", (long)pid);
    /* the same /tmp as ours: use our own name for it, which stays valid if the process exits */
    int same = stat("/tmp", &ours) == 0 && stat(dir, &theirs) == 0 && ours.st_dev == theirs.st_dev &&
               ours.st_ino == theirs.st_ino;
    if (same) snprintf(dir, sizeof dir, "/tmp/refgraph-dump-XXXXXX");
    else snprintf(dir, sizeof dir, "/proc/%ld/root/tmp/refgraph-dump-XXXXXX", (long)pid);
    size_t rootlen = strlen(dir) - strlen("/tmp/refgraph-dump-XXXXXX");
    if (!mkdtemp(dir)) {
        int e = errno;
        if (e == EACCES || e == EPERM)
            return fail(r, RG_ATTACH_PTRACE, "cannot reach process %ld's /tmp: %s (another user's process?)",
                        (long)pid, strerror(e));
        if (!alive(pid)) return fail(r, RG_ATTACH_NO_PROCESS, "process %ld has exited", (long)pid);
        return fail(r, RG_ATTACH_FAILED, "cannot create a directory in process %ld's /tmp: %s", (long)pid,
                    strerror(e));
    }
    const char *tdir = dir + rootlen; /* the same directory as the target sees it */
    if (geteuid() == 0 && have_ids && uid != 0 && chown(dir, uid, gid) != 0) {
        remove_dir(dir);
        return fail(r, RG_ATTACH_FAILED, "cannot give the temporary directory to process %ld's user: %s",
                    (long)pid, strerror(errno));
    }

    size_t olen = strlen(out);
    const char *dumpname = olen > 3 && strcmp(out + olen - 3, ".gz") == 0 ? "heap.jsonl.gz" : "heap.jsonl";
    char payload_path[300], script_path[300], log_path[300], status_path[300], dump_path[300];
    snprintf(payload_path, sizeof payload_path, "%s/payload", dir);
    snprintf(script_path, sizeof script_path, "%s/inject.gdb", dir);
    snprintf(log_path, sizeof log_path, "%s/gdb.log", dir);
    snprintf(status_path, sizeof status_path, "%s/status", dir);
    snprintf(dump_path, sizeof dump_path, "%s/%s", dir, dumpname);

    size_t plen, addr_off, mapsize;
    char *payload = build_payload(tdir, so, o->ext_suffix, dumpname, &plen, &addr_off, &mapsize);
    if (!payload) {
        remove_dir(dir);
        return fail(r, RG_ATTACH_NOMEM, "out of memory");
    }
    int bad = write_file(payload_path, payload, plen) != 0 || write_script(script_path, pid, payload_path, addr_off, mapsize);
    free(payload);
    if (bad) {
        int e = errno;
        remove_dir(dir);
        return fail(r, RG_ATTACH_FAILED, "cannot write gdb's script: %s", strerror(e));
    }

    const char *gdb = o->gdb ? o->gdb : "gdb";
    double g0 = now();
    int gr = run_gdb(gdb, pid, script_path, log_path);
    r->gdb_seconds = now() - g0;
    if (gr < 0) {
        int e = errno;
        remove_dir(dir);
        return fail(r, RG_ATTACH_NO_GDB, "cannot run '%s': %s (Debian: apt-get install gdb)", gdb, strerror(e));
    }
    rg_attach_status st = read_log(log_path, pid, o, r);
    if (gr == 1)
        st = fail(r, RG_ATTACH_TIMEOUT, "gdb did not finish within %g s (it was killed; the kernel detached it)",
                  RG_ATTACH_GDB_LIMIT);
    if (st != RG_ATTACH_OK) {
        if (st == RG_ATTACH_FAILED && !alive(pid)) st = fail(r, RG_ATTACH_NO_PROCESS, "process %ld has exited", (long)pid);
        remove_dir(dir);
        return st;
    }

    /* the target runs the dump at its main thread's next safe point */
    double w0 = now(), deadline = w0 + o->timeout;
    int have = 0;
    for (;;) { /* ends: by the deadline at the latest */
        if (access(status_path, F_OK) == 0) {
            have = 1;
            break;
        }
        if (!alive(pid)) break;
        if (now() >= deadline) break;
        nap(5);
    }
    r->wait_seconds = now() - w0;
    if (!have) {
        int gone = !alive(pid);
        remove_dir(dir); /* a dump still queued finds no directory and does nothing */
        if (gone) return fail(r, RG_ATTACH_NO_PROCESS, "process %ld exited before writing the dump", (long)pid);
        return fail(r, RG_ATTACH_TIMEOUT,
                    "process %ld did not run the dump within %g s: its main thread has not run Python code since "
                    "(blocked in a long call?); it was left running and will not dump",
                    (long)pid, o->timeout);
    }
    size_t n;
    char *status = slurp(status_path, 4096, &n);
    if (!status) {
        remove_dir(dir);
        return fail(r, RG_ATTACH_FAILED, "cannot read the status the process wrote");
    }
    if (strncmp(status, "ok ", 3) == 0 &&
        sscanf(status + 3, "%llu %llu %lf", &r->objects, &r->bytes, &r->dump_seconds) == 3) {
        free(status);
        st = copy_out(dump_path, out, r) == 0 ? RG_ATTACH_OK : RG_ATTACH_OUTPUT;
        remove_dir(dir);
        return st;
    }
    char text[600];
    printable(text, sizeof text, strncmp(status, "error ", 6) == 0 ? status + 6 : status,
              strncmp(status, "error ", 6) == 0 ? n - 6 : n);
    free(status);
    remove_dir(dir);
    return fail(r, strstr(text, "refgraph is built for") ? RG_ATTACH_VERSION : RG_ATTACH_FAILED,
                "process %ld could not dump its heap: %s", (long)pid, text);
}
