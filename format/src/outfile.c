/* outfile.c — atomic output files and text escaping, shared by the dump
 * writer, the renderer and the CLI (see refgraph/outfile.h). */
/* realpath is XSI */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700
#endif
#include "refgraph/outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TMP_SUFFIX ".tmp-XXXXXX"
#define MAX_LIVE 16 /* temporary files open at once */

struct rg_outfile {
    char *shown;  /* the name the caller gave, for messages */
    char *target; /* the file to replace; NULL when written directly */
    char *tmp;    /* the temporary file, when atomic */
    int fd;
    int is_stdout;
    int slot; /* in the registry, or -1 */
    FILE *f;
};

/* ---- the registry of live temporary files ----------------------------------------------- */

/* A slot is filled (name set) before it is marked live, and marked dead
 * before its name is freed, so a signal handler walking it sees either a
 * whole name or nothing. */
static char *volatile live_name[MAX_LIVE];
static volatile sig_atomic_t live[MAX_LIVE];
static int atexit_done;

void rg_outfile_remove_temps(void) {
    for (int i = 0; i < MAX_LIVE; i++)
        if (live[i] && live_name[i]) unlink(live_name[i]);
}

static void remove_at_exit(void) {
    rg_outfile_remove_temps();
    for (int i = 0; i < MAX_LIVE; i++) live[i] = 0;
}

static int register_temp(char *name) {
    if (!atexit_done) atexit_done = atexit(remove_at_exit) == 0;
    for (int i = 0; i < MAX_LIVE; i++) {
        if (live[i]) continue;
        live_name[i] = name;
        live[i] = 1;
        return i;
    }
    return -1;
}

static void unregister_temp(int slot) {
    if (slot < 0) return;
    live[slot] = 0;
    live_name[slot] = NULL;
}

/* ---- opening ------------------------------------------------------------------------------ */

static char *dup_str(const char *s) {
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p) memcpy(p, s, n);
    return p;
}

static void outfile_free(rg_outfile *o) {
    free(o->shown);
    free(o->target);
    free(o->tmp);
    free(o);
}

/* "dir/.<base, cut>.tmp-XXXXXX", the whole last component at most the
 * directory's NAME_MAX. */
static char *temp_name(const char *target) {
    const char *slash = strrchr(target, '/');
    size_t dir = slash ? (size_t)(slash - target) + 1 : 0;
    const char *base = target + dir;
    long name_max = 255;
    if (dir) {
        char *d = malloc(dir + 1);
        if (!d) return NULL;
        memcpy(d, target, dir);
        d[dir] = '\0';
        long m = pathconf(d, _PC_NAME_MAX);
        free(d);
        if (m > 0) name_max = m;
    } else {
        long m = pathconf(".", _PC_NAME_MAX);
        if (m > 0) name_max = m;
    }
    if (name_max > 255) name_max = 255;
    if (name_max < 14) name_max = 14; /* POSIX's least: room for ".x.tmp-XXXXXX" */
    size_t room = (size_t)name_max - 1 - strlen(TMP_SUFFIX); /* '.' and the suffix */
    size_t k = strlen(base);
    if (k > room) {
        k = room;
        while (k > 0 && ((unsigned char)base[k] & 0xc0) == 0x80) k--; /* a whole character */
    }
    size_t len = dir + 1 + k + strlen(TMP_SUFFIX) + 1;
    char *t = malloc(len);
    if (t) snprintf(t, len, "%.*s.%.*s%s", (int)dir, target, (int)k, base, TMP_SUFFIX);
    return t;
}

static rg_outfile *open_direct(rg_outfile *o, const char *path, rg_error *err) {
    o->fd = open(path, O_WRONLY | O_NOCTTY);
    if (o->fd < 0) {
        rg_error_set(err, RG_EIO, path, 0, 0, "cannot open '%s': %s", path, strerror(errno));
        outfile_free(o);
        return NULL;
    }
    return o;
}

rg_outfile *rg_outfile_open(const char *path, rg_error *err) {
    if (path && !*path) {
        rg_error_set(err, RG_EINVAL, "", 0, 0, "no file name given");
        return NULL;
    }
    rg_outfile *o = calloc(1, sizeof *o);
    if (o) o->shown = dup_str(path ? path : "-");
    if (!o || !o->shown) {
        free(o);
        rg_error_set(err, RG_ENOMEM, path ? path : "-", 0, 0, "out of memory");
        return NULL;
    }
    o->fd = -1;
    o->slot = -1;
    struct stat st, out;
    if (!path || strcmp(path, "-") == 0 ||
        (stat(path, &st) == 0 && fstat(STDOUT_FILENO, &out) == 0 && st.st_dev == out.st_dev &&
         st.st_ino == out.st_ino)) { /* "-", or /dev/stdout: our own standard output, written in order */
        o->is_stdout = 1;
        o->fd = STDOUT_FILENO;
        o->f = stdout;
        return o;
    }
    mode_t mode;
    if (lstat(path, &st) != 0) {
        if (errno != ENOENT) {
            rg_error_set(err, RG_EIO, path, 0, 0, "cannot create '%s': %s", path, strerror(errno));
            outfile_free(o);
            return NULL;
        }
        mode_t mask = umask(0);
        umask(mask);
        mode = 0666 & ~mask;
        o->target = dup_str(path);
    } else if (S_ISLNK(st.st_mode)) {
        if (stat(path, &st) != 0) {
            rg_error_set(err, RG_EIO, path, 0, 0, "cannot write '%s': %s", path,
                         errno == ENOENT ? "a symbolic link to nothing" : strerror(errno));
            outfile_free(o);
            return NULL;
        }
        if (!S_ISREG(st.st_mode)) {
            if (S_ISDIR(st.st_mode)) goto is_dir;
            return open_direct(o, path, err);
        }
        mode = st.st_mode & 07777;
        o->target = realpath(path, NULL); /* the file the link names is replaced */
        if (!o->target) {
            rg_error_set(err, RG_EIO, path, 0, 0, "cannot write '%s': %s", path, strerror(errno));
            outfile_free(o);
            return NULL;
        }
    } else if (S_ISREG(st.st_mode)) {
        mode = st.st_mode & 07777;
        o->target = dup_str(path);
    } else if (S_ISDIR(st.st_mode)) {
    is_dir:
        rg_error_set(err, RG_EIO, path, 0, 0, "cannot write '%s': it is a directory", path);
        outfile_free(o);
        return NULL;
    } else {
        return open_direct(o, path, err); /* a device, FIFO or socket */
    }
    if (o->target) o->tmp = temp_name(o->target);
    if (!o->target || !o->tmp) {
        rg_error_set(err, RG_ENOMEM, path, 0, 0, "out of memory");
        outfile_free(o);
        return NULL;
    }
    /* Registered before it exists, so no signal can leave it behind. */
    sigset_t all, old;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &old);
    o->slot = register_temp(o->tmp);
    o->fd = o->slot >= 0 ? mkstemp(o->tmp) : -1;
    int saved = o->slot >= 0 ? errno : EMFILE;
    if (o->fd < 0) unregister_temp(o->slot);
    sigprocmask(SIG_SETMASK, &old, NULL);
    if (o->fd < 0) {
        rg_error_set(err, RG_EIO, path, 0, 0, "cannot create '%s': %s", path, strerror(saved));
        outfile_free(o);
        return NULL;
    }
    if (fchmod(o->fd, mode) != 0) { /* mkstemp makes 0600; a failure only keeps that */
    }
    return o;
}

FILE *rg_outfile_stream(rg_outfile *o) {
    if (!o->f) o->f = fdopen(o->fd, "w");
    return o->f;
}

int rg_outfile_fd(const rg_outfile *o) { return o->fd; }

int rg_outfile_is_atomic(const rg_outfile *o) { return o->tmp != NULL; }

/* ---- closing ------------------------------------------------------------------------------ */

static int close_file(rg_outfile *o) {
    int rc = 0;
    if (o->f) {
        rc = fclose(o->f);
    } else if (o->fd >= 0) {
        rc = close(o->fd);
    }
    o->f = NULL;
    o->fd = -1;
    return rc;
}

static void sync_dir(const char *target) {
    const char *slash = strrchr(target, '/');
    char *dir = slash ? malloc((size_t)(slash - target) + 2) : dup_str(".");
    if (!dir) return;
    if (slash) {
        size_t n = slash == target ? 1 : (size_t)(slash - target);
        memcpy(dir, target, n);
        dir[n] = '\0';
    }
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        (void)fsync(fd); /* some file systems cannot: the rename is done either way */
        close(fd);
    }
    free(dir);
}

void rg_outfile_abort(rg_outfile *o) {
    if (!o) return;
    if (o->is_stdout) {
        if (o->f) fflush(o->f);
    } else {
        close_file(o);
    }
    if (o->tmp) {
        unlink(o->tmp);
        unregister_temp(o->slot);
    }
    outfile_free(o);
}

int rg_outfile_commit(rg_outfile *o, rg_error *err) {
    if (!o) return RG_EINVAL;
    const char *what = NULL;
    int e = 0;
    if (o->is_stdout) {
        if ((o->f && fflush(o->f) != 0) || (o->f && ferror(o->f))) {
            e = errno;
            what = "write";
        }
        if (what) rg_error_set(err, RG_EIO, "-", 0, 0, "cannot write to standard output: %s", strerror(e));
        outfile_free(o);
        return what ? RG_EIO : 0;
    }
    if (o->f && (fflush(o->f) != 0 || ferror(o->f))) what = "write";
    if (!what && o->tmp && fsync(o->fd) != 0) what = "sync";
    e = errno;
    if (close_file(o) != 0 && !what) {
        what = "write";
        e = errno;
    }
    if (!what && o->tmp && rename(o->tmp, o->target) != 0) {
        what = "rename into";
        e = errno;
    }
    if (what) {
        rg_error_set(err, RG_EIO, o->shown, 0, 0, "cannot %s '%s': %s", what, o->shown,
                     e ? strerror(e) : "input/output error");
        rg_outfile_abort(o);
        return RG_EIO;
    }
    if (o->tmp) {
        unregister_temp(o->slot);
        sync_dir(o->target);
    }
    outfile_free(o);
    return 0;
}
