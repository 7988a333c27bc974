/* util.c — the option parser, loading with a progress line, naming
 * objects, units and colour, shared by every command. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "refgraph/outfile.h"

/* A message formatted, then written escaped: whatever it quotes (a dump's
 * strings, a file name, Graphviz's words) cannot reach the terminal as
 * control characters or split the message over lines. */
static void vmessage(const char *prefix, const char *fmt, va_list ap, const char *suffix) {
    char small[512], *p = small;
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    if (n >= (int)sizeof small && (p = malloc((size_t)n + 1)) != NULL)
        vsnprintf(p, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    if (!p) p = small; /* out of memory: the message cut */
    fputs("refgraph: ", stderr);
    rg_fputs_escaped(stderr, prefix, strlen(prefix));
    rg_fputs_escaped(stderr, p, n < 0 ? 0 : strlen(p));
    fputs(suffix, stderr);
    if (p != small) free(p);
}

void cli_error(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vmessage("", fmt, ap, "\n");
    va_end(ap);
}

int cli_out_of_memory;

int cli_nomem(void) {
    if (!cli_out_of_memory) cli_error("out of memory");
    cli_out_of_memory = 1;
    return EXIT_MEMORY;
}

int cli_usage_error(const char *cmd, const char *fmt, ...) {
    char prefix[64] = "", suffix[96];
    if (cmd) snprintf(prefix, sizeof prefix, "%s: ", cmd);
    if (cmd)
        snprintf(suffix, sizeof suffix, " (see 'refgraph %s --help')\n", cmd);
    else
        snprintf(suffix, sizeof suffix, " (see 'refgraph --help')\n");
    va_list ap;
    va_start(ap, fmt);
    vmessage(prefix, fmt, ap, suffix);
    va_end(ap);
    return EXIT_USAGE;
}

/* ---- help ----------------------------------------------------------------------------- */

#define HELP_WIDTH 80 /* every line of every help fits (the CLI test checks) */
#define HELP_COLUMN 28 /* where an option's description starts */

/* Writes text from column col (the cursor is there), its words wrapped at
 * HELP_WIDTH, continuation lines indented to indent. A blank line in text
 * starts a new paragraph; a single newline is a space. */
static void wrap(FILE *f, const char *text, size_t col, size_t indent) {
    const char *p = text;
    int fresh = 1; /* nothing written on this line yet */
    while (*p) { /* bound: each turn consumes a word or a run of blanks */
        if (*p == ' ' || *p == '\n') {
            if (p[0] == '\n' && p[1] == '\n') { /* a new paragraph */
                fprintf(f, "\n\n%*s", (int)indent, "");
                col = indent;
                fresh = 1;
                p += 2;
            } else {
                p++;
            }
            continue;
        }
        size_t len = strcspn(p, " \n");
        if (!fresh && col + 1 + len > HELP_WIDTH) {
            fprintf(f, "\n%*s", (int)indent, "");
            col = indent;
            fresh = 1;
        }
        if (!fresh) {
            fputc(' ', f);
            col++;
        }
        fwrite(p, 1, len, f);
        col += len;
        fresh = 0;
        p += len;
    }
    fputc('\n', f);
}

void cli_print_usage(FILE *f, const char *name) {
    const cli_command *c = cli_find(name);
    if (!c) return;
    char req[64] = "";
    for (const cli_opt *o = c->opts; c->required && o && o->name; o++)
        if (strcmp(o->name, c->required) == 0) {
            if (o->shortc)
                snprintf(req, sizeof req, " -%c %s", o->shortc, o->arg ? o->arg : "");
            else
                snprintf(req, sizeof req, " --%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
        }
    fprintf(f, "usage: refgraph %s%s%s %s\n\n", c->name, req, c->opts && c->opts[0].name ? " [options]" : "",
            c->args);
    wrap(f, c->details ? c->details : c->summary, 0, 0);
    if (strstr(c->args, "DUMP")) {
        fputc('\n', f);
        wrap(f, "A dump named - is read from standard input; a dump may be gzip-compressed.", 0, 0);
    }
    if (!c->opts || !c->opts[0].name) return;
    fputs("\noptions:\n", f);
    for (const cli_opt *o = c->opts; o->name; o++) {
        char left[96];
        snprintf(left, sizeof left, "  %c%c%c --%s%s%s", o->shortc ? '-' : ' ', o->shortc ? o->shortc : ' ',
                 o->shortc ? ',' : ' ', o->name, o->arg ? " " : "", o->arg ? o->arg : "");
        size_t len = strlen(left);
        if (len + 2 > HELP_COLUMN) { /* the description on the next line */
            fprintf(f, "%s\n%*s", left, HELP_COLUMN, "");
        } else {
            fprintf(f, "%-*s", HELP_COLUMN, left);
        }
        wrap(f, o->help, HELP_COLUMN, HELP_COLUMN);
    }
}

void cli_print_summary(FILE *f, const char *name, const char *summary) {
    fprintf(f, "  %-14s ", name);
    wrap(f, summary, 17, 17);
}

/* ---- options -------------------------------------------------------------------------- */

static int index_of(const cli_args *a, const char *name) {
    for (size_t i = 0; i < a->nopts; i++)
        if (strcmp(a->opts[i].name, name) == 0) return (int)i;
    return -1;
}

static int find_opt(const cli_args *a, const char *name, size_t len, char shortc) {
    for (size_t i = 0; i < a->nopts; i++) {
        const cli_opt *o = &a->opts[i];
        if (shortc ? o->shortc == shortc : (strlen(o->name) == len && strncmp(o->name, name, len) == 0))
            return (int)i;
    }
    return -1;
}

int cli_dump_arg(const char *spec_name) { return strstr(spec_name, "DUMP") != NULL; }

/* The names in a command's positional spec ("DUMP [OLD_DUMP]", "DUMP
 * START..."), at most max: each name's start and length, how many are
 * required (*min) and whether the last repeats (*more). Returns the count. */
static size_t arg_names(const char *spec, const char **names, size_t *lens, size_t max, size_t *min, int *more) {
    size_t n = 0;
    *min = 0;
    *more = 0;
    for (const char *p = spec; *p && n < max;) { /* bound: each turn consumes a word */
        if (*p == ' ') {
            p++;
            continue;
        }
        size_t len = strcspn(p, " ");
        int optional = p[0] == '[';
        const char *w = p + optional;
        size_t wl = len - optional - (optional && p[len - 1] == ']');
        if (wl > 3 && strncmp(w + wl - 3, "...", 3) == 0) {
            *more = 1;
            wl -= 3;
        }
        names[n] = w;
        lens[n] = wl;
        n++;
        if (!optional) *min = n;
        p += len;
    }
    return n;
}

int cli_parse(const cli_command *c, int argc, char **argv, cli_args *a) {
    const char *cmd = c->name;
    const cli_opt *opts = c->opts;
    memset(a, 0, sizeof *a);
    a->cmd = cmd;
    a->opts = opts;
    a->flags = c->flags;
    while (opts && opts[a->nopts].name && a->nopts < CLI_MAX_OPTS) a->nopts++;
    a->pos = calloc((size_t)argc + 1, sizeof *a->pos);
    if (!a->pos) return cli_nomem();
    for (size_t i = 0; i < a->nopts; i++)
        if (!(a->vals[i] = calloc((size_t)argc + 1, sizeof *a->vals[i]))) return cli_nomem();
    int only_pos = 0;
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        if (only_pos || arg[0] != '-' || arg[1] == '\0') {
            a->pos[a->npos++] = arg;
            continue;
        }
        if (strcmp(arg, "--") == 0) {
            only_pos = 1;
            continue;
        }
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            cli_print_usage(stdout, cmd);
            return -1;
        }
        int k;
        const char *value = NULL;
        if (arg[1] == '-') {
            const char *name = arg + 2, *eq = strchr(name, '=');
            k = find_opt(a, name, eq ? (size_t)(eq - name) : strlen(name), 0);
            if (eq) value = eq + 1;
        } else {
            k = arg[2] ? -1 : find_opt(a, NULL, 0, arg[1]);
        }
        if (k < 0) return cli_usage_error(cmd, "unknown option '%s'", arg);
        const cli_opt *o = &opts[k];
        if (o->arg && !value) {
            if (i + 1 >= argc) return cli_usage_error(cmd, "option '--%s' needs a value", o->name);
            value = argv[++i];
        } else if (!o->arg && value) {
            return cli_usage_error(cmd, "option '--%s' takes no value", o->name);
        }
        a->vals[k][a->count[k]++] = value;
    }
    /* the positional arguments: how many, and standard input read once */
    const char *names[16];
    size_t lens[16], min;
    int more;
    size_t nnames = arg_names(c->args, names, lens, 16, &min, &more);
    if (a->npos < min) {
        if (a->npos == 0 && cli_dump_arg(names[0])) return cli_usage_error(cmd, "no dump given");
        return cli_usage_error(cmd, "missing %.*s", (int)lens[a->npos], names[a->npos]);
    }
    if (a->npos > nnames && !more) return cli_usage_error(cmd, "unexpected argument '%s'", a->pos[nnames]);
    int stdin_used = 0;
    for (size_t i = 0; i < a->npos; i++) {
        size_t k = i < nnames ? i : nnames - 1;
        char name[64];
        snprintf(name, sizeof name, "%.*s", (int)lens[k], names[k]);
        if (!cli_dump_arg(name) || strcmp(a->pos[i], "-") != 0) continue;
        if (stdin_used++) return cli_usage_error(cmd, "standard input can be read once: give '-' for one dump only");
    }
    if (c->required && !cli_has(a, c->required)) {
        int k = index_of(a, c->required);
        const cli_opt *o = &opts[k];
        char shortc[8] = "";
        if (o->shortc) snprintf(shortc, sizeof shortc, "-%c or ", o->shortc);
        return cli_usage_error(cmd, "option %s--%s is required", shortc, o->name);
    }
    return 0;
}

void cli_args_free(cli_args *a) {
    for (size_t i = 0; i < a->nopts; i++) free(a->vals[i]);
    free(a->pos);
}

int cli_has(const cli_args *a, const char *name) {
    int k = index_of(a, name);
    return k >= 0 && a->count[k] > 0;
}

const char *cli_get(const cli_args *a, const char *name) {
    int k = index_of(a, name);
    return k >= 0 && a->count[k] ? a->vals[k][a->count[k] - 1] : NULL;
}

int cli_int(const cli_args *a, const char *name, long def, long min, long max, long *out) {
    const char *v = cli_get(a, name);
    if (!v) {
        *out = def;
        return 0;
    }
    char *end;
    long n = strtol(v, &end, 10);
    if (!*v || *end || n < min || n > max) {
        cli_usage_error(a->cmd, "option '--%s' needs a whole number from %ld to %ld, not '%s'", name, min, max, v);
        return -1;
    }
    *out = n;
    return 0;
}

/* ---- loading -------------------------------------------------------------------------- */

typedef struct progress {
    const char *path;
    struct timespec t0;
    int shown;
} progress;

static double since(const struct timespec *t0) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static void on_progress(uint64_t done, uint64_t total, void *ud) {
    progress *p = ud;
    if (since(&p->t0) < 1.0) return;
    char a[32], b[32], name[256];
    rg_escape(p->path, strlen(p->path), name, sizeof name);
    if (total)
        fprintf(stderr, "\rrefgraph: loading '%s': %s of %s", name, cli_bytes(done, a, sizeof a),
                cli_bytes(total, b, sizeof b));
    else
        fprintf(stderr, "\rrefgraph: loading '%s': %s", name, cli_bytes(done, a, sizeof a));
    p->shown = 1;
}

rg_graph *cli_load_with(const char *path, rg_load_options *lo) {
    int is_stdin = strcmp(path, "-") == 0;
    progress p = {is_stdin ? "standard input" : path, {0, 0}, 0};
    clock_gettime(CLOCK_MONOTONIC, &p.t0);
    if (isatty(2)) {
        lo->progress = on_progress;
        lo->progress_ud = &p;
    }
    rg_error err = {0};
    rg_graph *g = is_stdin ? rg_graph_load_fd(STDIN_FILENO, "-", lo, &err) : rg_graph_load(path, lo, &err);
    if (p.shown) fputs("\r\033[K", stderr);
    if (!g) {
        char msg[600];
        rg_error_format(&err, msg, sizeof msg);
        if (is_stdin)
            cli_error("cannot read standard input: %s", msg);
        else
            cli_error("cannot read '%s': %s", path, msg);
        if (err.code == RG_ENOMEM) cli_out_of_memory = 1;
    }
    return g;
}

rg_graph *cli_load(const char *path) {
    rg_load_options lo = {0, NULL, NULL, NULL, NULL};
    return cli_load_with(path, &lo);
}

/* ---- naming objects -------------------------------------------------------------------- */

/* Appends v, the array doubling (a power of two holds n exactly). */
static int push(uint32_t **out, size_t *n, uint32_t v) {
    if ((*n & (*n - 1)) == 0) { /* n is 0 or a power of two: full */
        uint32_t *p = realloc(*out, (*n ? *n * 2 : 16) * sizeof *p);
        if (!p) return cli_nomem(), -1;
        *out = p;
    }
    (*out)[(*n)++] = v;
    return 0;
}

#define CLI_SUGGEST 5 /* closest types named when a type is unknown */

int cli_check_type(const rg_graph *g, const rg_graph *g2, const char *dump, const char *name) {
    size_t len = strlen(name);
    if (rg_type_find(g, name, len) != RG_NONE || (g2 && rg_type_find(g2, name, len) != RG_NONE)) return 0;
    uint32_t near[CLI_SUGGEST];
    int k = rg_type_suggest(g, name, len, near, CLI_SUGGEST);
    if (k < 0) return cli_nomem(), -1;
    char e[160], list[6 * 140] = "", b[128];
    for (int i = 0; i < k; i++) {
        size_t used = strlen(list);
        snprintf(list + used, sizeof list - used, "%s'%s'", i ? ", " : "", cli_gstr(g->str[near[i]], b, sizeof b));
    }
    rg_escape(name, len, e, sizeof e);
    if (k == 0)
        cli_error("no object of type '%s' in '%s' (types are case-sensitive; 'refgraph stats' lists them)", e, dump);
    else
        cli_error("no object of type '%s' in '%s'; the closest: %s", e, dump, list);
    return -1;
}

int cli_check_draw_types(const cli_args *a, const rg_graph *g, const rg_graph *g2, const char *dump) {
    /* --highlight and --stop take TYPE|ID: a number is an id */
    static const char *const opts[] = {"type", "skip-type", "highlight", "stop"};
    for (size_t j = 0; j < sizeof opts / sizeof *opts; j++) {
        int k = index_of(a, opts[j]);
        for (size_t c = 0; k >= 0 && c < a->count[k]; c++) {
            const char *s = a->vals[k][c];
            char *end;
            (void)strtoull(s, &end, 10);
            if (j >= 2 && *s && !*end && s[0] != '-') continue;
            if (cli_check_type(g, g2, dump, s) < 0) return -1;
        }
    }
    return 0;
}

int cli_resolve(const rg_graph *g, const char *dump, const char *name, uint32_t **out, size_t *n) {
    size_t len = strlen(name);
    if (strncmp(name, "type=", 5) == 0) {
        if (cli_check_type(g, NULL, dump, name + 5) < 0) return -1;
        for (uint32_t i = 0; i < g->n; i++)
            if (rg_gstr_eq(g->str[g->type[i]], name + 5, len - 5) && push(out, n, i)) return -1;
        return 0;
    }
    char *end;
    unsigned long long id = strtoull(name, &end, 10);
    if (*name && !*end && name[0] != '-') {
        uint32_t i = rg_graph_find(g, id);
        if (i == RG_NONE) {
            cli_error("no object with id %s in '%s'", name, dump);
            return -1;
        }
        return push(out, n, i);
    }
    const char *colon = strchr(name, ':');
    if (colon) { /* FRAME:LOCAL, the innermost frame of that name */
        for (uint32_t f = g->nframes; f-- > 0;) {
            const rg_graph_frame *fr = &g->frames[f];
            if (!rg_gstr_eq(g->str[fr->name], name, (size_t)(colon - name))) continue;
            for (uint32_t k = 0; k < fr->nlocals; k++)
                if (rg_gstr_eq(g->str[fr->local_name[k]], colon + 1, strlen(colon + 1)))
                    return push(out, n, fr->local_obj[k]);
        }
        cli_error("no local '%s' in '%s'", name, dump);
        return -1;
    }
    for (uint32_t i = 0; i < g->nglobals; i++)
        if (rg_gstr_eq(g->str[g->global_name[i]], name, len)) return push(out, n, g->global_obj[i]);
    cli_error("no object '%s' in '%s': name an id, a global, FRAME:LOCAL or type=TYPE", name, dump);
    return -1;
}

/* ---- output helpers ---------------------------------------------------------------------- */

const char *cli_bytes(uint64_t n, char *buf, size_t size) {
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    if (n < 1024) {
        snprintf(buf, size, "%llu B", (unsigned long long)n);
        return buf;
    }
    double v = (double)n;
    int u = 0;
    while (v >= 1024.0 && u < 4) {
        v /= 1024.0;
        u++;
    }
    snprintf(buf, size, "%.1f %s", v, units[u]);
    return buf;
}

int cli_color(FILE *f) {
    const char *nc = getenv("NO_COLOR");
    if (nc && *nc) return 0;
    return isatty(fileno(f));
}

const char *cli_c(FILE *f, const char *sgr) { return cli_color(f) ? sgr : ""; }

const char *cli_gstr(rg_gstr s, char *buf, size_t size) { return rg_escape(s.ptr, s.len, buf, size); }

/* ---- the drawing options ------------------------------------------------------------------- */

/* What a drawing left out, on stderr. */
static void draw_note(const char *text, void *ud) {
    (void)ud;
    cli_error("%s", text);
}

/* The layout's progress line on a terminal, cleared when done. */
static void draw_progress(double seconds, size_t objects, void *ud) {
    (void)ud;
    if (seconds < 0)
        fputs("\r\033[K", stderr);
    else
        fprintf(stderr, "\rrefgraph: drawing %zu objects with Graphviz: %.0f s", objects, seconds);
    fflush(stderr);
}

/* --extra-info: the dump fields a box can show, in one line. */
static const char *const extra_fields[] = {"id", "size", "refcount", "gen", "referrers", "references", "flags", NULL};

static size_t extra_info(const rg_graph *g, uint32_t i, char *buf, size_t size, void *ud) {
    const cli_store *st = ud;
    size_t len = 0;
    buf[0] = '\0';
    for (size_t k = 0; k < st->nextra && len < size; k++) {
        char v[64];
        switch (st->extra[k]) {
        case 0: snprintf(v, sizeof v, "id %llu", (unsigned long long)g->id[i]); break;
        case 1: snprintf(v, sizeof v, "size %llu B", (unsigned long long)g->size[i]); break;
        case 2: snprintf(v, sizeof v, "refcount %lld", (long long)g->refcount[i]); break;
        case 3:
            if (g->gen[i] == RG_DUMP_UNTRACKED) snprintf(v, sizeof v, "untracked");
            else if (g->gen[i] == RG_DUMP_FROZEN) snprintf(v, sizeof v, "frozen");
            else snprintf(v, sizeof v, "gen %d", g->gen[i]);
            break;
        case 4:
        case 5: {
            uint32_t m = st->extra[k] == 4 ? g->back_start[i + 1] - g->back_start[i] : g->ref_start[i + 1] - g->ref_start[i];
            snprintf(v, sizeof v, "%u %s%s", m, st->extra[k] == 4 ? "referrer" : "reference", m == 1 ? "" : "s");
            break;
        }
        default:
            snprintf(v, sizeof v, "%s%s%s%s", g->flags[i] ? "" : "no flags",
                     g->flags[i] & RG_GF_STATIC ? "static " : "", g->flags[i] & RG_GF_GARBAGE ? "garbage " : "",
                     g->flags[i] & RG_GF_FINALIZED ? "finalized " : "");
            if (g->flags[i] && v[strlen(v) - 1] == ' ') v[strlen(v) - 1] = '\0';
            break;
        }
        int w = snprintf(buf + len, size - len, "%s%s", k ? ", " : "", v);
        if (w < 0) break;
        len += (size_t)w < size - len ? (size_t)w : size - len - 1;
    }
    return len;
}

/* The format a file name's extension names, in any case ("x.PNG"), or NULL. */
static const char *format_of(const char *path) {
    static const char *const known[][2] = {{".dot", "dot"}, {".gv", "dot"}, {".png", "png"},
                                           {".svg", "svg"}, {".pdf", "pdf"}, {".json", "json"}};
    const char *dot = strrchr(path, '.');
    for (size_t i = 0; dot && i < sizeof known / sizeof *known; i++)
        if (strcasecmp(dot, known[i][0]) == 0) return known[i][1];
    return NULL;
}

/* o->format from --format, or -o's name; the same rules for every drawing
 * command, checked before any work. */
static int draw_format(const cli_args *a, rg_render_options *o) {
    const char *fmt = cli_get(a, "format"), *out = cli_get(a, "output");
    static const char *const formats[] = {"dot", "png", "svg", "pdf", "json"};
    int known = 0;
    for (size_t i = 0; fmt && i < sizeof formats / sizeof *formats; i++) known |= strcmp(fmt, formats[i]) == 0;
    if (fmt && !known) {
        cli_usage_error(a->cmd, "option '--format' takes dot, png, svg, pdf or json, not '%s'", fmt);
        return -1;
    }
    if ((a->flags & CLI_DRAWS) && cli_has(a, "json")) { /* the selection as JSON, whatever the file's name */
        if (fmt && strcmp(fmt, "json") != 0) {
            cli_usage_error(a->cmd, "options '--json' and '--format %s' contradict each other: give one", fmt);
            return -1;
        }
        o->format = "json";
        return 0;
    }
    if (!out) {
        if (fmt && !(a->flags & CLI_DRAWS)) { /* a report on standard output: it draws only with -o */
            cli_usage_error(a->cmd, "option '--format' draws to a file: give -o FILE (or -o - for standard output)");
            return -1;
        }
        if (fmt && strcmp(fmt, "dot") != 0 && strcmp(fmt, "json") != 0) {
            cli_usage_error(a->cmd, "%s output needs a file: -o FILE (or -o - for standard output)", fmt);
            return -1;
        }
    } else if (!fmt && strcmp(out, "-") == 0) {
        fmt = "dot";
    } else if (!fmt && !(fmt = format_of(out))) {
        cli_usage_error(a->cmd, "cannot tell the format of '%s': use .dot, .png, .svg, .pdf or .json, or --format",
                        out);
        return -1;
    }
    o->format = fmt;
    return 0;
}

int cli_draw_options(const cli_args *a, rg_render_options *o, cli_store *store) {
    long v;
    memset(o, 0, sizeof *o);
    memset(store, 0, sizeof *store);
    if (cli_int(a, "max-depth", 3, 0, 1000, &v) < 0) return -1;
    o->max_depth = v == 0 ? RG_DEPTH_STARTS : (int)v;
    if (cli_int(a, "too-many", 10, 1, 1000000, &v) < 0) return -1;
    o->too_many = (int)v;
    if (cli_int(a, "max-nodes", RG_RENDER_MAX_NODES, 1, 100000000, &v) < 0) return -1;
    o->max_nodes = (size_t)v;
    o->note = draw_note;
    if (isatty(2)) o->progress = draw_progress;
    o->refcounts = cli_has(a, "refcounts");
    o->cluster_cycles = cli_has(a, "cluster-cycles");
    o->no_legend = cli_has(a, "no-legend");
    o->no_ids = cli_has(a, "no-ids");
    o->layout = cli_get(a, "layout");
    if (draw_format(a, o) < 0) return -1;
    int k;
    if ((k = index_of(a, "extra-info")) >= 0) {
        for (size_t c = 0; c < a->count[k]; c++) {
            int f = 0;
            while (extra_fields[f] && strcmp(extra_fields[f], a->vals[k][c]) != 0) f++; /* bound: the table */
            if (!extra_fields[f]) {
                char e[128];
                cli_usage_error(a->cmd, "option '--extra-info' takes id, size, refcount, gen, referrers, references "
                                        "or flags, not '%s'", rg_escape(a->vals[k][c], strlen(a->vals[k][c]), e, sizeof e));
                return -1;
            }
            if (store->nextra < sizeof store->extra / sizeof *store->extra) store->extra[store->nextra++] = f;
        }
        o->extra_info = extra_info;
        o->ud = store;
    }
    if ((k = index_of(a, "type")) >= 0) o->types = (rg_strlist){a->vals[k], a->count[k]};
    if ((k = index_of(a, "skip-type")) >= 0) o->skip_types = (rg_strlist){a->vals[k], a->count[k]};
    if ((k = index_of(a, "label")) >= 0) o->labels = (rg_strlist){a->vals[k], a->count[k]};
    if ((k = index_of(a, "skip-label")) >= 0) o->skip_labels = (rg_strlist){a->vals[k], a->count[k]};
    /* --ignore ID, --highlight TYPE|ID, --stop TYPE|ID: a number is an id */
    static const char *const idopts[] = {"ignore", "highlight", "stop"};
    size_t total = 0;
    for (int j = 0; j < 3; j++)
        if ((k = index_of(a, idopts[j])) >= 0) total += a->count[k];
    store->ids = calloc(total + 1, sizeof *store->ids);
    store->names = calloc(total + 1, sizeof *store->names);
    if (!store->ids || !store->names) {
        cli_nomem();
        return -1;
    }
    size_t ni = 0, nn = 0;
    for (int j = 0; j < 3; j++) {
        k = index_of(a, idopts[j]);
        size_t first_id = ni, first_name = nn;
        for (size_t c = 0; k >= 0 && c < a->count[k]; c++) {
            const char *s = a->vals[k][c];
            char *end;
            unsigned long long id = strtoull(s, &end, 10);
            if (*s && !*end && s[0] != '-')
                store->ids[ni++] = id;
            else if (j == 0) {
                cli_usage_error(a->cmd, "option '--ignore' needs an object id, not '%s'", s);
                return -1;
            } else
                store->names[nn++] = s;
        }
        rg_idlist il = {store->ids + first_id, ni - first_id};
        rg_strlist sl = {store->names + first_name, nn - first_name};
        if (j == 0) o->ignore = il;
        if (j == 1) {
            o->highlight_ids = il;
            o->highlight_types = sl;
        }
        if (j == 2) {
            o->stop_ids = il;
            o->stop_types = sl;
        }
    }
    return 0;
}

void cli_store_free(cli_store *store) {
    free(store->ids);
    free(store->names);
}

int cli_finish_drawing(rg_drawing *d, const cli_args *a) {
    rg_error err = {0};
    const char *out = cli_get(a, "output");
    if (rg_drawing_finish(d, out, &err) != 0) {
        if (err.code == RG_EINVAL) return cli_usage_error(a->cmd, "%s", err.text);
        if (err.code == RG_ENOMEM) return cli_nomem();
        cli_error("%s", err.text);
        return EXIT_OUTPUT;
    }
    return EXIT_OK;
}
