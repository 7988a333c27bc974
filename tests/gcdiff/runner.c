/* runner.c — the C side of the differential test against CPython.
 *
 * Reads programs (the op language of tests/gcdiff/gcdiff.py, one op per line,
 * each program ended by a line "end") from stdin, runs each on a fresh heap
 * and prints one observation line per op, in exactly the format the Python
 * side prints (see gcdiff.py for the language and the line format). After
 * "end" it prints "end leaks=N", N being what rg_heap_destroy reported.
 *
 * Variables: g0..g4 are globals, l0..l2 locals of the innermost frame (both
 * heap roots), t0..t2 references the runner owns (C variables: what stealing
 * calls consume). "keep" is a global list that finalizers of class C2 append
 * to; "gkN" globals that finalizers of class C4 bind (N: the object's number).
 *
 * Exit codes: 0 all programs ran, 2 usage, 3 a malformed program. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "refgraph.h"

#define NG 5
#define NL 3
#define NT 3
#define NCLASSES 5
#define MAXLINE 512
#define EVMAX 4096

typedef struct runner {
    rg_heap *h;
    rg_object *temps[NT];
    rg_object *classes[NCLASSES];
    int watch;             /* watch weakrefs report which objects are alive */
    int *num;              /* program number of each heap id, or 0 */
    size_t num_cap;
    int next_num;          /* the next object's program number */
    rg_object **watched;   /* weakref per program number (watch mode) */
    size_t watched_cap;
    char ev[EVMAX];        /* events since the last line */
    size_t evlen;
    int lineno;
} runner;

static runner R;

static void die(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "gcdiff runner: stdin:%d: ", R.lineno);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(3);
}

static void *grow(void *p, size_t *cap, size_t need, size_t elem) {
    if (need < *cap) return p;
    size_t n = *cap ? *cap : 64;
    while (n <= need) n *= 2;
    char *q = realloc(p, n * elem);
    if (!q) die("out of memory");
    memset(q + *cap * elem, 0, (n - *cap) * elem);
    *cap = n;
    return q;
}

static int num_of(const rg_object *o) {
    uint64_t id = rg_id(o);
    return id < R.num_cap ? R.num[id] : 0;
}

static void event(const char *what, const rg_object *o) {
    char buf[64];
    int n = snprintf(buf, sizeof buf, "%s%s %d", R.evlen ? "," : "", what, num_of(o));
    if (n < 0 || R.evlen + (size_t)n >= EVMAX) die("too many events");
    memcpy(R.ev + R.evlen, buf, (size_t)n + 1);
    R.evlen += (size_t)n;
}

/* ---- finalizers and callbacks ------------------------------------------------- */

static void fin_log(rg_object *self) { event("fin", self); }
static void fin_keep(rg_object *self) {
    event("fin", self);
    rg_list_append(rg_global_get(R.h, "keep"), self);
}
static void fin_cycle(rg_object *self) {
    event("fin", self);
    rg_setattr(self, "me", self);
}
static void fin_global(rg_object *self) {
    event("fin", self);
    char name[32];
    snprintf(name, sizeof name, "gk%d", num_of(self));
    rg_global_set(R.h, name, self);
}
static void callback(rg_object *wr, void *ud) {
    (void)ud;
    event("cb", wr);
}

/* ---- variables ------------------------------------------------------------------- */

static int var_index(const char *v, char kind, int n) {
    if (!v || v[0] != kind || v[1] < '0' || v[1] >= '0' + n || v[2]) return -1;
    return v[1] - '0';
}

static int is_var(const char *v) {
    return var_index(v, 'g', NG) >= 0 || var_index(v, 'l', NL) >= 0 || var_index(v, 't', NT) >= 0;
}

static rg_object *get(const char *v) {
    rg_object *o = NULL;
    int i;
    if (!is_var(v)) die("not a variable: %s", v ? v : "(none)");
    if (v[0] == 'g') o = rg_global_get(R.h, v);
    else if (v[0] == 'l') o = rg_local_get(R.h, v);
    else if ((i = var_index(v, 't', NT)) >= 0) o = R.temps[i];
    if (!o) die("unbound variable %s", v);
    return o;
}

/* Binds v to o, stealing o. */
static void bind_new(const char *v, rg_object *o) {
    if (!o) die("allocation failed");
    int rc = 0;
    if (!is_var(v)) die("not a variable: %s", v);
    if (v[0] == 'g') {
        rc = rg_global_set_new(R.h, v, o);
    } else if (v[0] == 'l') {
        rc = rg_local_set_new(R.h, v, o);
    } else {
        int i = var_index(v, 't', NT);
        rg_object *old = R.temps[i];
        R.temps[i] = o;
        rg_decref(old);
    }
    if (rc) die("cannot bind %s: %s", v, rg_strerror(rc));
}

/* Takes the reference a temporary holds (for a stealing call). */
static rg_object *take(const char *v) {
    int i = var_index(v, 't', NT);
    if (i < 0 || !R.temps[i]) die("a stealing call needs a bound temporary, not %s", v ? v : "(none)");
    rg_object *o = R.temps[i];
    R.temps[i] = NULL;
    return o;
}

static void unbind(const char *v) {
    int rc = 0;
    if (!is_var(v)) die("not a variable: %s", v);
    if (v[0] == 'g') rc = rg_global_del(R.h, v);
    else if (v[0] == 'l') rc = rg_local_del(R.h, v);
    else rg_decref(take(v));
    if (rc) die("cannot delete %s: %s", v, rg_strerror(rc));
}

/* Gives a new object its program number (and a watch weakref). */
static rg_object *reg(rg_object *o) {
    if (!o) die("allocation failed");
    int n = R.next_num++;
    uint64_t id = rg_id(o);
    R.num = grow(R.num, &R.num_cap, (size_t)id, sizeof *R.num);
    R.num[id] = n;
    if (R.watch && (rg_type_of(o) == &rg_instance_type || rg_type_of(o) == &rg_list_type)) {
        R.watched = grow(R.watched, &R.watched_cap, (size_t)n, sizeof *R.watched);
        R.watched[n] = rg_weakref_new(R.h, o, NULL, NULL);
        if (!R.watched[n]) die("allocation failed");
    }
    return o;
}

static int is_atom(const rg_object *o) {
    return rg_type_of(o) == &rg_int_type || rg_type_of(o) == &rg_str_type || rg_type_of(o) == &rg_none_type ||
           rg_type_of(o) == &rg_bool_type || rg_type_of(o) == &rg_float_type;
}

/* ---- the observation line ----------------------------------------------------------- */

static void print_rc(const char *name, rg_object *o, int *first) {
    if (!o || is_atom(o)) return;
    printf("%s%s:%ld", *first ? "" : ",", name, (long)rg_refcount(o));
    *first = 0;
}

static void observe(int op, const char *result) {
    printf("%d %s ev=[%s] rc=", op, result, R.ev);
    R.evlen = 0;
    R.ev[0] = 0;
    int first = 1;
    char name[4];
    for (int i = 0; i < NG; i++) {
        snprintf(name, sizeof name, "g%d", i);
        print_rc(name, rg_global_get(R.h, name), &first);
    }
    print_rc("keep", rg_global_get(R.h, "keep"), &first);
    for (int i = 0; i < NL && rg_frame_depth(R.h); i++) {
        snprintf(name, sizeof name, "l%d", i);
        print_rc(name, rg_local_get(R.h, name), &first);
    }
    for (int i = 0; i < NT; i++) {
        snprintf(name, sizeof name, "t%d", i);
        print_rc(name, R.temps[i], &first);
    }
    long count[RG_GC_GENERATIONS];
    rg_gc_get_count(R.h, count);
    printf(" k=%zu c=%ld,%ld", rg_list_size(rg_global_get(R.h, "keep")), count[1], count[2]);
    if (R.watch) {
        printf(" al=[");
        first = 1;
        for (int n = 1; n < R.next_num; n++) {
            if ((size_t)n < R.watched_cap && R.watched[n] && rg_weakref_get(R.watched[n])) {
                printf("%s%d", first ? "" : ",", n);
                first = 0;
            }
        }
        printf("]");
    }
    printf("\n");
}

/* ---- programs --------------------------------------------------------------------------- */

static void setup(int watch) {
    memset(R.temps, 0, sizeof R.temps);
    R.h = rg_heap_new();
    if (!R.h) die("out of memory");
    rg_gc_disable(R.h);
    R.watch = watch;
    R.next_num = 1;
    R.evlen = 0;
    R.ev[0] = 0;
    if (R.num) memset(R.num, 0, R.num_cap * sizeof *R.num);
    if (R.watched) memset(R.watched, 0, R.watched_cap * sizeof *R.watched);
    rg_global_set_new(R.h, "keep", rg_list_new(R.h));
    static void (*const fins[NCLASSES])(rg_object *) = {NULL, fin_log, fin_keep, fin_cycle, fin_global};
    for (int i = 0; i < NCLASSES; i++) {
        char name[4];
        snprintf(name, sizeof name, "C%d", i);
        R.classes[i] = rg_class_new(R.h, name);
        if (!R.classes[i]) die("out of memory");
        if (fins[i]) rg_class_set_finalizer(R.classes[i], fins[i], 0);
        rg_global_set_new(R.h, name, R.classes[i]);
    }
}

/* Drops what the runner owns and destroys the heap; returns the leaks. */
static size_t teardown(void) {
    for (int i = 0; i < NT; i++) {
        rg_decref(R.temps[i]);
        R.temps[i] = NULL;
    }
    for (size_t n = 0; n < R.watched_cap; n++) {
        rg_decref(R.watched[n]);
        R.watched[n] = NULL;
    }
    size_t leaks = rg_heap_destroy(R.h);
    R.h = NULL;
    return leaks;
}

static rg_object *container(const char *v, const rg_type *type) {
    rg_object *o = get(v);
    if (rg_type_of(o) != type) die("%s is a %s, not a %s", v, rg_type_name(o), type->name);
    return o;
}

static long number(const char *s) {
    char *end;
    if (!s) die("missing number");
    long v = strtol(s, &end, 10);
    if (*end) die("not a number: %s", s);
    return v;
}

static int cmp_int(const void *a, const void *b) {
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* Runs one op; writes its result text. */
static void run_op(char **a, int n, char *res, size_t size) {
    rg_heap *h = R.h;
    snprintf(res, size, "ok");
    const char *op = a[0];
#define NEED(k)                                                   \
    do {                                                          \
        if (n < (k)) die("%s needs %d operands", op, (k) - 1);    \
    } while (0)
    if (!strcmp(op, "new")) {
        NEED(3);
        const char *kind = a[2];
        rg_object *o = NULL;
        if (!strcmp(kind, "list")) {
            o = reg(rg_list_new(h));
        } else if (!strcmp(kind, "dict")) {
            o = reg(rg_dict_new(h));
        } else if (!strcmp(kind, "inst")) {
            NEED(4);
            long c = number(a[3]);
            if (c < 0 || c >= NCLASSES) die("no class %ld", c);
            o = reg(rg_instance_new(h, R.classes[c]));
        } else if (!strcmp(kind, "int")) {
            NEED(4);
            o = rg_int_new(h, number(a[3]));
        } else if (!strcmp(kind, "str")) {
            NEED(4);
            o = rg_str_new(h, a[3]);
        } else if (!strcmp(kind, "tuple")) {
            rg_object *items[8];
            int k = n - 3;
            if (k > 8) die("tuple too long");
            for (int i = 0; i < k; i++) items[i] = get(a[3 + i]);
            o = reg(rg_tuple_new(h, (size_t)k, items));
        } else if (!strcmp(kind, "weak")) {
            NEED(4);
            o = reg(rg_weakref_new(h, get(a[3]), callback, NULL));
        } else {
            die("unknown kind %s", kind);
        }
        bind_new(a[1], o);
    } else if (!strcmp(op, "set")) {
        NEED(3);
        rg_object *o = get(a[2]);
        rg_incref(o);
        bind_new(a[1], o);
    } else if (!strcmp(op, "move")) {
        NEED(3);
        bind_new(a[1], take(a[2]));
    } else if (!strcmp(op, "del")) {
        NEED(2);
        unbind(a[1]);
    } else if (!strcmp(op, "append")) {
        NEED(3);
        rg_list_append(container(a[1], &rg_list_type), get(a[2]));
    } else if (!strcmp(op, "append_new")) {
        NEED(3);
        rg_object *l = container(a[1], &rg_list_type);
        rg_list_append_new(l, take(a[2]));
    } else if (!strcmp(op, "lset") || !strcmp(op, "lset_new")) {
        NEED(4);
        rg_object *l = container(a[1], &rg_list_type);
        long i = number(a[2]);
        int rc = op[4] ? rg_list_set_new(l, i, take(a[3])) : rg_list_set(l, i, get(a[3]));
        if (rc) die("lset: %s", rg_strerror(rc));
    } else if (!strcmp(op, "lpop")) {
        NEED(3);
        rg_object *o = rg_list_pop(container(a[1], &rg_list_type), number(a[2]));
        if (!o) die("lpop: no such item");
        rg_decref(o);
    } else if (!strcmp(op, "lclear")) {
        NEED(2);
        rg_list_clear(container(a[1], &rg_list_type));
    } else if (!strcmp(op, "dset") || !strcmp(op, "dset_new")) {
        NEED(4);
        rg_object *d = container(a[1], &rg_dict_type);
        int rc = op[4] ? rg_dict_setstr_new(d, a[2], take(a[3])) : rg_dict_setstr(d, a[2], get(a[3]));
        if (rc) die("dset: %s", rg_strerror(rc));
    } else if (!strcmp(op, "ddel")) {
        NEED(3);
        rg_object *d = container(a[1], &rg_dict_type);
        rg_object *k = rg_str_new(h, a[2]);
        int rc = rg_dict_del(d, k);
        rg_decref(k);
        if (rc) die("ddel: %s", rg_strerror(rc));
    } else if (!strcmp(op, "aset") || !strcmp(op, "aset_new")) {
        NEED(4);
        rg_object *o = container(a[1], &rg_instance_type);
        int rc = op[4] ? rg_setattr_new(o, a[2], take(a[3])) : rg_setattr(o, a[2], get(a[3]));
        if (rc) die("aset: %s", rg_strerror(rc));
    } else if (!strcmp(op, "adel")) {
        NEED(3);
        int rc = rg_delattr(container(a[1], &rg_instance_type), a[2]);
        if (rc) die("adel: %s", rg_strerror(rc));
    } else if (!strcmp(op, "push")) {
        if (rg_frame_push(h, "f")) die("push failed");
    } else if (!strcmp(op, "pop")) {
        if (rg_frame_pop(h)) die("pop without a frame");
    } else if (!strcmp(op, "collect")) {
        NEED(2);
        snprintf(res, size, "%ld", rg_gc_collect(h, (int)number(a[1])));
    } else if (!strcmp(op, "enable")) {
        rg_gc_enable(h);
    } else if (!strcmp(op, "disable")) {
        rg_gc_disable(h);
    } else if (!strcmp(op, "isenabled")) {
        snprintf(res, size, "%d", rg_gc_isenabled(h));
    } else if (!strcmp(op, "thr")) {
        NEED(4);
        rg_gc_set_threshold(h, number(a[1]), number(a[2]), number(a[3]));
    } else if (!strcmp(op, "getthr")) {
        long t[RG_GC_GENERATIONS];
        rg_gc_get_threshold(h, t);
        snprintf(res, size, "%ld,%ld,%ld", t[0], t[1], t[2]);
    } else if (!strcmp(op, "freeze")) {
        rg_gc_freeze(h);
    } else if (!strcmp(op, "unfreeze")) {
        rg_gc_unfreeze(h);
    } else if (!strcmp(op, "saveall")) {
        NEED(2);
        rg_gc_set_debug(h, number(a[1]) ? RG_GC_DEBUG_SAVEALL : 0);
    } else if (!strcmp(op, "gclear")) {
        rg_list_clear(rg_gc_garbage(h));
    } else if (!strcmp(op, "garbage")) {
        rg_object *g = rg_gc_garbage(h);
        size_t len = rg_list_size(g), at = 0;
        int nums[64];
        for (size_t i = 0; i < len && i < 64; i++) nums[i] = num_of(rg_list_get(g, (ptrdiff_t)i));
        qsort(nums, len < 64 ? len : 64, sizeof nums[0], cmp_int);
        at += (size_t)snprintf(res, size, "%zu:", len);
        for (size_t i = 0; i < len && i < 64 && at < size; i++)
            at += (size_t)snprintf(res + at, size - at, "%s%d", i ? "," : "", nums[i]);
    } else if (!strcmp(op, "stats")) {
        rg_gc_genstats st[RG_GC_GENERATIONS];
        rg_gc_get_stats(h, st);
        snprintf(res, size, "%zu/%zu/%zu,%zu/%zu/%zu,%zu/%zu/%zu", st[0].collections, st[0].collected,
                 st[0].uncollectable, st[1].collections, st[1].collected, st[1].uncollectable,
                 st[2].collections, st[2].collected, st[2].uncollectable);
    } else if (!strcmp(op, "tracked")) {
        NEED(2);
        snprintf(res, size, "%d", rg_gc_is_tracked(get(a[1])));
    } else if (!strcmp(op, "keepclear")) {
        rg_list_clear(rg_global_get(h, "keep"));
    } else if (!strcmp(op, "gkdel")) {
        /* the gkN globals bound now, in binding order (what their deletion
         * binds stays) */
        static char names[256][16];
        size_t n = 0;
        for (size_t i = 0; i < rg_global_count(h) && n < 256; i++) {
            const char *name;
            rg_global_at(h, i, &name, NULL);
            if (!strncmp(name, "gk", 2)) snprintf(names[n++], sizeof names[0], "%s", name);
        }
        for (size_t i = 0; i < n; i++) rg_global_del(h, names[i]);
    } else {
        die("unknown op %s", op);
    }
#undef NEED
}

int main(int argc, char **argv) {
    (void)argv;
    if (argc != 1) {
        fprintf(stderr, "usage: gcdiff_runner < programs\n");
        return 2;
    }
    char line[MAXLINE];
    int op = 0;
    while (fgets(line, sizeof line, stdin)) {
        R.lineno++;
        size_t len = strlen(line);
        if (len && line[len - 1] == '\n') line[--len] = 0;
        char *a[12];
        int n = 0;
        for (char *tok = strtok(line, " "); tok && n < 12; tok = strtok(NULL, " ")) a[n++] = tok;
        if (!n) continue;
        if (!strcmp(a[0], "prog")) {
            if (R.h) die("prog inside a program");
            setup(n > 2 && !strcmp(a[2], "watch=1"));
            op = 0;
            printf("prog %s\n", n > 1 ? a[1] : "?");
            continue;
        }
        if (!R.h) die("op outside a program");
        if (!strcmp(a[0], "end")) {
            printf("end leaks=%zu\n", teardown());
            fflush(stdout);
            continue;
        }
        char res[1024];
        run_op(a, n, res, sizeof res);
        observe(op++, res);
    }
    if (R.h) die("the last program has no end");
    free(R.num);
    free(R.watched);
    return 0;
}
