/* cli.h — what every refgraph command shares: exit codes, the command
 * table and its option tables, loading a dump, naming objects, output
 * helpers.
 *
 * Adding a command, git-style:
 *  1. Write `int cmd_<name>(const cli_args *a)` in its own file,
 *     cli/cmd_<name>.c, with its option table `cmd_<name>_opts[]` (each
 *     option's name, short letter, value placeholder such as "N" or "FILE"
 *     or NULL for a flag, and help). The command never parses argv: main()
 *     has parsed the options, checked the positional arguments' count and
 *     handled --help before calling it, and frees what it parsed after.
 *     Check option values (cli_int, cli_draw_options) before loading
 *     anything, so that every usage error comes before any work.
 *  2. Declare it below, and add the file to cli/CMakeLists.txt.
 *  3. Add one row to the table in main.c: name, function, positional
 *     arguments ("DUMP OBJECT"; [X] optional, X... one or more; a name
 *     with DUMP in it is a dump, and "-" there reads standard input), the
 *     option table, the option that must be given (or NULL), a summary and
 *     the details for --help.
 *  4. Document it in docs/refgraph.1. The tests run --help, the 80-column
 *     check and the bash completion (generated from the table by
 *     --completion-helper) over every row. */
#ifndef RG_CLI_H
#define RG_CLI_H

#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "refgraph/analysis.h"
#include "refgraph/dominators.h"
#include "refgraph/graph.h"
#include "refgraph/match.h"
#include "refgraph/render.h"

/* Stable exit codes (docs/refgraph.1). */
#define EXIT_OK 0
#define EXIT_FOUND 1  /* a check found something (leaks --check) */
#define EXIT_USAGE 2  /* bad command line: unknown command or option, bad value, unknown object */
#define EXIT_INPUT 3  /* unreadable or invalid dump */
#define EXIT_OUTPUT 4 /* cannot write the output, or Graphviz failed */
#define EXIT_MEMORY 5 /* out of memory */

typedef struct cli_opt {
    const char *name; /* long name without "--" */
    char shortc;      /* or 0 */
    const char *arg;  /* the value's placeholder in --help ("N", "FILE",
                         "count|size|retained": the choices, which the
                         completion offers), or NULL: a flag */
    const char *help;
} cli_opt;

#define CLI_MAX_OPTS 32

/* What main() parsed from the command line, for the command (read only). */
typedef struct cli_args {
    const char *cmd;
    const cli_opt *opts;
    size_t nopts;
    const char **vals[CLI_MAX_OPTS]; /* each option's values, in order */
    size_t count[CLI_MAX_OPTS];      /* times given */
    const char **pos;                /* positional arguments */
    size_t npos;
    unsigned flags;                  /* the command's (cli_command) */
} cli_args;

struct cli_command;
/* Parses argv (after the command name) with the command's option table and
 * checks its positional arguments and required option. On a usage error
 * prints it and returns EXIT_USAGE (EXIT_MEMORY when out of memory);
 * "--help" or "-h" prints the command's usage and returns -1 (main returns
 * EXIT_OK); otherwise 0. Free a with cli_args_free whatever it returns. */
int cli_parse(const struct cli_command *c, int argc, char **argv, cli_args *a);
void cli_args_free(cli_args *a);

/* Index of an option, its last value (or NULL), whether given. */
int cli_has(const cli_args *a, const char *name);
const char *cli_get(const cli_args *a, const char *name);
/* A whole number option in [min, max]; prints an error and returns -1. */
int cli_int(const cli_args *a, const char *name, long def, long min, long max, long *out);

/* Prints "refgraph: <message>" to stderr. */
void cli_error(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
/* A usage error: prints it and the hint to see the command's help. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* A command's --help: synopsis, details and options, every line at most 80
 * columns. */
void cli_print_usage(FILE *f, const char *cmd);
/* One command's line in refgraph --help. */
void cli_print_summary(FILE *f, const char *name, const char *summary);
/* Whether a positional argument of this name in a command's spec is a dump
 * (its name has DUMP in it): "-" there is standard input. */
int cli_dump_arg(const char *spec_name);

/* Out of memory: prints "refgraph: out of memory" (once) and returns
 * EXIT_MEMORY. Once memory ran out, main() exits with EXIT_MEMORY whatever
 * the command returns: no command's output is trusted after it. */
int cli_nomem(void);
extern int cli_out_of_memory;

/* Loads a dump ("-": standard input); on failure prints "refgraph: cannot read 'x': line L: ..."
 * and returns NULL (the caller exits with EXIT_INPUT; main() turns that into
 * EXIT_MEMORY when memory ran out). Shows a progress line
 * on a terminal when loading takes longer than a second. */
rg_graph *cli_load(const char *path);
/* The same with load options (lo->progress is the CLI's own). */
rg_graph *cli_load_with(const char *path, rg_load_options *lo);

/* Resolves an object name: an id, a global, FRAME:LOCAL, or type=TYPE
 * (every object of the type). Appends indexes to *out; prints an error and
 * returns -1 when it names nothing. */
int cli_resolve(const rg_graph *g, const char *dump, const char *name, uint32_t **out, size_t *n);

/* Whether some object of g (or of g2, which may be NULL) has the type
 * name; otherwise prints "no object of type 'X' in 'DUMP'; the closest:
 * ..." (rg_type_suggest) and returns -1: the caller exits with EXIT_USAGE. */
int cli_check_type(const rg_graph *g, const rg_graph *g2, const char *dump, const char *name);
/* The same for every type the drawing options name (--type, --skip-type,
 * and --highlight and --stop when not an id). */
int cli_check_draw_types(const cli_args *a, const rg_graph *g, const rg_graph *g2, const char *dump);

/* Human units: "1.5 KiB", "12.0 MiB". */
const char *cli_bytes(uint64_t n, char *buf, size_t size);

/* Colour on a terminal, never with NO_COLOR set. */
int cli_color(FILE *f);
const char *cli_c(FILE *f, const char *sgr); /* the escape, or "" */

/* A rendered-string for a graph string (quoted-safe, cut to max bytes). */
const char *cli_gstr(rg_gstr s, char *buf, size_t size);

/* Commands (one file each: cmd_<name>.c), and their option tables. */
int cmd_show_refs(const cli_args *a);
int cmd_show_backrefs(const cli_args *a);
int cmd_info(const cli_args *a);
int cmd_stats(const cli_args *a);
int cmd_cycles(const cli_args *a);
int cmd_leaks(const cli_args *a);
int cmd_chain(const cli_args *a);
int cmd_diff(const cli_args *a);
int cmd_top(const cli_args *a);
int cmd_dominators(const cli_args *a);
int cmd_report(const cli_args *a);
int cmd_story(const cli_args *a);
int cmd_dump_pid(const cli_args *a);
int cmd_by_type(const cli_args *a);
int cmd_count(const cli_args *a);

extern const cli_opt cmd_show_opts[], cmd_info_opts[], cmd_stats_opts[], cmd_cycles_opts[], cmd_leaks_opts[],
    cmd_chain_opts[], cmd_diff_opts[], cmd_top_opts[], cmd_dominators_opts[], cmd_report_opts[], cmd_story_opts[],
    cmd_dump_pid_opts[], cmd_by_type_opts[], cmd_count_opts[];

/* The table: dispatch, --help, the completion helper and their tests. */
typedef struct cli_command {
    const char *name;
    int (*fn)(const cli_args *a);
    const char *args;     /* positional arguments: "DUMP OBJECT"; [X] optional, X... one or more */
    const cli_opt *opts;  /* ends with {NULL}; may be NULL */
    const char *required; /* the long name of an option that must be given, or NULL */
    const char *summary;  /* one line, for refgraph --help */
    const char *details;  /* paragraphs for refgraph CMD --help (reflowed to 80 columns) */
    unsigned flags;       /* CLI_DRAWS */
} cli_command;

/* The command's output is a drawing (or with --json its selection), on
 * standard output without -o; the other drawing commands print a report
 * and draw only with -o. */
#define CLI_DRAWS 0x1u

extern const cli_command cli_commands[];
const cli_command *cli_find(const char *name);

/* What -o says about the drawing's file, in each drawing command's help. */
#define CLI_DRAW_FILE_HELP "(the format from its extension in any case: .dot, .png, .svg, .pdf, .json; or --format); - is standard output"

/* The options every drawing command takes, for its option table (after
 * its own -o). */
#define CLI_DRAW_OPTS                                                                                           \
    {"format", 0, "dot|png|svg|pdf|json", "the drawing's format, whatever -o's name says (json: the objects chosen, not drawn)"}, \
    {"layout", 0, "ENGINE", "Graphviz engine: dot (default), sfdp or neato for large graphs"},                  \
    {"max-depth", 0, "N", "how far to walk from the start (default 3; 0: the start objects alone)"},            \
    {"max-nodes", 0, "N", "objects drawn at most, the nearest first (default 500)"},                             \
    {"too-many", 0, "N", "references drawn per object before folding the rest (default 10)"},                    \
    {"type", 0, "TYPE", "draw only objects of this type (repeatable)"},                                          \
    {"skip-type", 0, "TYPE", "never draw objects of this type (repeatable)"},                                    \
    {"label", 0, "PATTERN", "follow only references whose label matches this pattern (repeatable)"},             \
    {"skip-label", 0, "PATTERN", "never follow references whose label matches (repeatable)"},                    \
    {"ignore", 0, "ID", "never draw the object with this id (repeatable)"},                                      \
    {"highlight", 0, "TYPE|ID", "draw objects of this type, or this id, in blue (repeatable)"},                  \
    {"stop", 0, "TYPE|ID", "draw objects of this type, or this id, without expanding them (repeatable)"},        \
    {"refcounts", 0, NULL, "add each object's refcount to its first line"},                                      \
    {"extra-info", 0, "FIELD", "add a line with this dump field to each box: id, size, refcount, gen, "            \
                               "referrers, references or flags (repeatable)"},                                  \
    {"cluster-cycles", 0, NULL, "box every cycle, live ones too"},                                               \
    {"no-ids", 0, NULL, "leave out the ids (\"Node#9\") in the boxes"},                                       \
    {"no-legend", 0, NULL, "leave out the legend"}

/* What the drawing options point into, freed after drawing. */
typedef struct cli_store {
    uint64_t *ids;
    const char **names;
    int extra[8]; /* --extra-info fields, in order (CLI_FIELD_*) */
    size_t nextra;
} cli_store;

/* Reads the drawing options into o, and the format from --format or -o's
 * name; prints an error and returns -1 on a bad value or a format the
 * output cannot take. Call it before any work: these are usage errors. */
int cli_draw_options(const cli_args *a, rg_render_options *o, cli_store *store);
void cli_store_free(cli_store *store);

/* Whether --type, --skip-type and --ignore let an object (or a type) be
 * drawn: for the commands that choose what to draw themselves. */
int cli_drawable(const rg_graph *g, const rg_render_options *o, uint32_t obj);
int cli_type_drawable(rg_gstr type, const rg_render_options *o);

/* Draws d to the --output file (or stdout); returns an exit code. */
int cli_finish_drawing(rg_drawing *d, const cli_args *a);

/* ---- output shared by the reporting commands ---------------------------------------- */

/* JSON: each command builds one json_t (new references throughout; NULL
 * when out of memory) and prints it with cli_json_print. */
/* A string: a dump's (valid UTF-8 once loaded) or any text, whose bytes
 * that are not UTF-8 become the text \xNN. */
json_t *cli_json_str(const char *s, size_t n);
static inline json_t *cli_json_gstr(rg_gstr s) { return cli_json_str(s.ptr, s.len); }
/* A count or size (saturated at INT64_MAX, as JSON integers are signed). */
json_t *cli_json_u64(uint64_t v);
/* A fraction, rounded to 4 decimals. */
json_t *cli_json_share(double x);
/* o[key] = v and append v to a: steal v (NULL allowed); set *bad when o, a
 * or v is NULL or memory runs out. */
void cli_jset(json_t *o, const char *key, json_t *v, int *bad);
void cli_jpush(json_t *a, json_t *v, int *bad);
/* Writes doc on stdout, compact, on one line, ASCII only with every control
 * character escaped (so nothing from a dump reaches a terminal raw), and
 * frees it. Steals doc. A NULL doc or bad
 * set: out of memory, nothing printed. Returns EXIT_OK, EXIT_MEMORY or
 * EXIT_OUTPUT. */
int cli_json_print(json_t *doc, int bad);

/* "list#4", with " (func:a)" or " (a)" when a root binds it. root may be NULL. */
const char *cli_obj(const rg_graph *g, const rg_root *root, uint32_t i, char *buf, size_t size);
/* A chain of edges as text: "list#4 -[3]-> list#8 -[3]-> list#4". */
void cli_print_path(FILE *f, const rg_graph *g, const rg_root *root, uint32_t first, const uint32_t *edges,
                    size_t n);
/* The same as a JSON array of {"id","type",...,"label"} steps (new
 * reference, NULL when out of memory); a step a root binds has "global", or
 * "frame" and "local", before its label. root may be NULL. */
json_t *cli_json_path(const rg_graph *g, const rg_root *root, uint32_t first, const uint32_t *edges, size_t n);

/* ---- why objects stay alive (alive.c) -------------------------------------------------- */

/* Everything a command about cycles needs, loaded once. */
typedef struct cli_alive {
    rg_graph *g;
    rg_analysis an;
    rg_finder f;
    rg_root *root;
    uint32_t *scratch;     /* [n] edges */
    uint32_t *tslot;       /* [nstr] rg_count_types' scratch, all RG_NONE */
    rg_type_count *types;  /* [n] the types of one component */
} cli_alive;

/* Loads and analyses a dump; prints the error and returns EXIT_INPUT. */
int cli_alive_load(cli_alive *c, const char *path);
void cli_alive_free(cli_alive *c);
/* "list 2, dict 1" (at most 5 types) for the objects of a component. */
void cli_print_types(FILE *out, const cli_alive *c, uint32_t comp);
/* The same as a JSON object of every type's count (new reference, NULL
 * when out of memory). */
json_t *cli_json_types(const cli_alive *c, uint32_t comp);

/* ---- retained sizes (retained.c) ------------------------------------------------------ */

/* A dump with everything the retained-size commands need. */
typedef struct cli_heap {
    rg_graph *g;
    rg_analysis an;
    rg_finder f;
    rg_root *root;     /* rg_root_index */
    uint32_t *scratch; /* [n] edges, for chains */
    rg_dom dom;
} cli_heap;

/* Loads and analyses a dump; prints the error and returns EXIT_INPUT. */
int cli_heap_load(cli_heap *h, const char *path);
int cli_heap_analyze(cli_heap *h); /* h->g loaded; -1 (message printed) when out of memory */
void cli_heap_free(cli_heap *h);
/* "global", "local" or "outside": what holds the first object of a chain. */
const char *cli_root_kind(const cli_heap *h, uint32_t first);
/* The k objects with the largest key (all when k is 0), largest first, ties
 * by id; skip (may be NULL) leaves objects out. New memory, *count set. */
uint32_t *cli_largest(const rg_graph *g, const uint64_t *key, const uint8_t *skip, size_t k, size_t *count);
/* cli_print_path, but a chain of more than 2 * keep references is shown by
 * its first and last keep, with the count of those left out between. */
void cli_print_path_ends(FILE *f, const rg_graph *g, const rg_root *root, uint32_t first, const uint32_t *edges,
                         size_t n, size_t keep);
/* Each component's retained size as a whole ([ncomp], new memory; NULL when
 * out of memory): what freeing the whole cycle gives back. */
uint64_t *cli_cycle_retained(const rg_graph *g, const rg_scc *scc);
/* The objects whose retained size grew most from old to new (matched by m;
 * a new object grew from 0), at most limit (0: all), as text on stdout, or,
 * when json is not NULL, as a JSON array stored in *json (new reference).
 * Returns 0, or -1 when out of memory (message printed). */
int cli_print_growth(const rg_dom *od, const rg_graph *ng, const rg_dom *nd, const rg_match *m, size_t limit,
                     json_t **json);

#endif
