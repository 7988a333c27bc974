/* refgraph — the command line over heap dumps, git-style: one table of
 * subcommands, usage defined once, stable exit codes (see cli.h). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "refgraph/version.h"
#include "refgraph/outfile.h"

#define OBJECT_HELP "OBJECT is an object id, a global's name, or FRAME:LOCAL (a frame's local)."

/* The commands. Adding one: see cli.h. */
const cli_command cli_commands[] = {
    {"info", cmd_info, "DUMP", cmd_info_opts, NULL,
     "Show a dump's header, counts and statistics; check it is valid.",
     "Show a dump's header, its objects, references and roots, the heap's memory and the collector's "
     "statistics, its cycles and unreachable objects, and whether every record is valid.", 0},
    {"stats", cmd_stats, "DUMP", cmd_stats_opts, NULL, "Count objects and bytes per type, the commonest first.",
     "Count objects and their shallow bytes per type, the commonest first (objgraph's "
     "show_most_common_types, with sizes). --retained adds what each type keeps alive (the retained "
     "sizes of its objects that no object of the same type dominates, as Eclipse MAT's histogram).", 0},
    {"cycles", cmd_cycles, "DUMP", cmd_cycles_opts, NULL, "List every reference cycle and how to break it.",
     "List every reference cycle (strongly connected component with more than one object, or a "
     "self-reference): its objects, bytes and types, whether a root reaches it, one shortest cycle "
     "through it, and references that, made weak, would break it. -o draws them.", 0},
    {"leaks", cmd_leaks, "DUMP", cmd_leaks_opts, NULL,
     "List what no root reaches, by the cycle that keeps it alive.",
     "List everything no root reaches (what reference counting alone never frees), grouped by the "
     "cycle that keeps it alive, and the objects whose refcount is above the references the dump "
     "shows (held from outside the heap). --check exits 1 when anything is unreachable.", 0},
    {"chain", cmd_chain, "DUMP OBJECT", cmd_chain_opts, NULL,
     "Show the shortest chain of references from a root to an object.",
     "Show the shortest chain of references from a root (a global, a frame local, or an object held "
     "from outside the dump) to the object: why it is still alive. Exits 1 when no root reaches it. "
     "With --to TARGET, the shortest chain from the object forward to TARGET instead (objgraph's "
     "find_ref_chain): an object, or type=TYPE for the nearest object of the type; exits 1 when there "
     "is none. -o draws the chain.\n\n" OBJECT_HELP, 0},
    {"by-type", cmd_by_type, "DUMP TYPE", cmd_by_type_opts, NULL, "List the objects of a type (objgraph's by_type).",
     "List the objects of a type in dump order, one a line: type#id (and the root that binds it), "
     "then its label; --json gives ids, sizes, refcounts and labels. A type no object has is an error "
     "(exit 2) that names the closest types.", 0},
    {"count", cmd_count, "DUMP TYPE", cmd_count_opts, NULL, "Count the objects of a type (objgraph's count).",
     "Print how many objects of a type the dump holds; --json adds their shallow bytes. A type no "
     "object has is an error (exit 2) that names the closest types: 'refgraph stats' lists them all.", 0},
    {"diff", cmd_diff, "OLD_DUMP NEW_DUMP", cmd_diff_opts, NULL,
     "Compare two dumps: types, cycles, what became unreachable.",
     "Compare two dumps of one heap, objects matched by id (and by type and size when the ids are "
     "addresses): per type, objects before and after, new and freed, bytes allocated and freed, sorted "
     "by the change in bytes; then the cycles only one of them has or whose reachability changed, and "
     "the objects that became unreachable. Refuses dumps of different heaps. -o draws the new objects "
     "(green), what holds them, those that became unreachable (orange) and the freed ones (red).", 0},
    {"top", cmd_top, "DUMP", cmd_top_opts, NULL,
     "List the objects that keep the most memory alive.",
     "List the objects with the largest retained size (what freeing each would give back: its own "
     "size and everything only it keeps alive), with the share of the heap and the shortest chain of "
     "references from a root. Weak references retain nothing; garbage is counted too.", 0},
    {"dominators", cmd_dominators, "DUMP OBJECT", cmd_dominators_opts, NULL,
     "Show an object's dominator chain and what it alone keeps alive.",
     "Show the objects every path from the roots to OBJECT passes through (its dominators, from the "
     "root down, each with its retained size), and what OBJECT dominates (keeps alive alone), by type."
     "\n\n" OBJECT_HELP, 0},
    {"report", cmd_report, "DUMP [OLD_DUMP]", cmd_report_opts, "output",
     "Write a leak-suspects report: one self-contained HTML page.",
     "Write one self-contained HTML page (no network; pictures as inline SVG): a summary, the "
     "biggest retainers with their chains from a root and a picture each, the cycles only the "
     "collector frees with what they retain, and, given an older dump of the same heap, the objects "
     "whose retained size grew most.", 0},
    {"story", cmd_story, "STEP_DUMP...", cmd_story_opts, "output",
     "Write a lesson's steps as one web page a teacher can project.",
     "Write one self-contained HTML page (no network; pictures as inline SVG) that tells the steps "
     "of one heap in order: each step's title, code line(s) and caption (the dump header's \"step\" "
     "field), its figures (refcounts of what the roots hold, memory in use, objects alive, "
     "unreachable objects, collections), what changed since the previous step (new, freed, refcount "
     "changed, became unreachable) coloured in a picture of the heap. One step at a time with the "
     "arrow keys or the buttons; #step=N in the address opens step N.", 0},
    {"dump-pid", cmd_dump_pid, "PID", cmd_dump_pid_opts, "output",
     "Dump the heap of a running Python process (attaching with gdb).",
     "Dump the heap of a running CPython 3.11 process (refgraph.dump run inside it) into FILE: gdb "
     "attaches, queues the dump as a pending call and detaches at once; the process's main thread "
     "runs it at its next safe point, holding the GIL. The process is stopped only while gdb is "
     "attached and while its dump runs. Exits 3 when the process cannot be dumped (gone, not Python "
     "3.11, ptrace refused, no gdb, no extension, --timeout reached: the process is left running).", 0},
    {"show-refs", cmd_show_refs, "DUMP START...", cmd_show_opts, NULL,
     "Draw what the start objects reference (objgraph's show_refs).",
     "Draw what the start objects reference, breadth-first to --max-depth, like objgraph's show_refs, "
     "with reference cycles in red and cycles no root reaches boxed as garbage.\n\n"
     "START is an object id, a global's name, FRAME:LOCAL, or type=TYPE (every object of a type).",
     CLI_DRAWS},
    {"show-backrefs", cmd_show_backrefs, "DUMP START...", cmd_show_opts, NULL,
     "Draw what refers to the start objects (objgraph's backrefs).",
     "Draw what references the start objects, breadth-first up to the roots (globals and frame "
     "locals), like objgraph's show_backrefs.\n\n"
     "START is an object id, a global's name, FRAME:LOCAL, or type=TYPE (every object of a type).",
     CLI_DRAWS},
    {NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0},
};

const cli_command *cli_find(const char *name) {
    for (const cli_command *c = cli_commands; c->name; c++)
        if (strcmp(c->name, name) == 0) return c;
    return NULL;
}

static void usage(FILE *f) {
    fputs("usage: refgraph [--version] [--help] COMMAND [ARGS]\n"
          "       refgraph help COMMAND\n\n"
          "Reads refgraph heap dumps and explains them.\n\ncommands:\n",
          f);
    for (const cli_command *c = cli_commands; c->name; c++) cli_print_summary(f, c->name, c->summary);
    fputs("\nexit codes: 0 success, 1 a check found something, 2 usage error,\n"
          "            3 unreadable or invalid dump, 4 cannot write the output,\n"
          "            5 out of memory\n",
          f);
}

/* The hidden --completion-helper for contrib/refgraph.bash, from the table
 * (as git's --git-completion-helper): with no argument the commands; with a
 * command its options (long and short); with a command and an option that
 * takes a value, the value's placeholder ("N", "FILE"), then its choices
 * when the placeholder lists them ("count|size|retained"). One word a line;
 * exit 2, silently, for a command or option that is not there. */
static int completion_helper(int argc, char **argv) {
    if (argc < 1) {
        for (const cli_command *c = cli_commands; c->name; c++) printf("%s\n", c->name);
        return EXIT_OK;
    }
    const cli_command *c = cli_find(argv[0]);
    if (!c) return EXIT_USAGE;
    for (const cli_opt *o = c->opts; o && o->name; o++) {
        if (argc < 2) {
            printf("--%s\n", o->name);
            if (o->shortc) printf("-%c\n", o->shortc);
            continue;
        }
        const char *want = argv[1];
        int match = (want[0] == '-' && want[1] == '-' && strcmp(want + 2, o->name) == 0) ||
                    (o->shortc && want[0] == '-' && want[1] == o->shortc && want[2] == '\0');
        if (!match) continue;
        if (!o->arg) return EXIT_USAGE; /* a flag: no value to complete */
        printf("%s\n", o->arg);
        int choices = 1; /* lowercase words between bars are choices; a capital is a placeholder */
        for (const char *p = o->arg; *p; p++) choices &= (*p >= 'a' && *p <= 'z') || *p == '|' || *p == '-';
        for (const char *p = o->arg; choices && *p;) { /* bound: each turn consumes a word */
            size_t len = strcspn(p, "|");
            printf("%.*s\n", (int)len, p);
            p += len + (p[len] == '|');
        }
        return EXIT_OK;
    }
    if (argc >= 2) return EXIT_USAGE;
    printf("--help\n");
    return EXIT_OK;
}

/* Killed while writing a file: the temporary file goes, then the process
 * dies of the signal as it would have (git's tempfile.c does the same). */
static void on_fatal_signal(int sig) {
    rg_outfile_remove_temps();
    signal(sig, SIG_DFL);
    raise(sig);
}

static void install_cleanup(void) {
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE};
    for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++) {
        struct sigaction sa, old;
        if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN) continue; /* nohup keeps it */
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_fatal_signal;
        sigemptyset(&sa.sa_mask);
        sigaction(sigs[i], &sa, NULL);
    }
}

int main(int argc, char **argv) {
    install_cleanup();
    /* jansson allocates through the same malloc as the rest of the CLI (so a
     * test build that fails allocations fails jansson's too) */
    json_set_alloc_funcs(malloc, free);
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        usage(stdout);
        return EXIT_OK;
    }
    if (strcmp(cmd, "--version") == 0) {
        printf("refgraph %s (dump format %d)\n", RG_VERSION, RG_DUMP_VERSION);
        return EXIT_OK;
    }
    if (strcmp(cmd, "--completion-helper") == 0) {
        int rc = completion_helper(argc - 2, argv + 2);
        return fflush(stdout) != 0 || ferror(stdout) ? EXIT_OUTPUT : rc;
    }
    if (strcmp(cmd, "help") == 0) {
        if (argc < 3) {
            usage(stdout);
            return EXIT_OK;
        }
        if (!cli_find(argv[2])) return cli_usage_error(NULL, "'%s' is not a refgraph command", argv[2]);
        cli_print_usage(stdout, argv[2]);
        return EXIT_OK;
    }
    const cli_command *c = cli_find(cmd);
    if (!c) return cli_usage_error(NULL, "'%s' is not a refgraph command", cmd);
    cli_args a;
    int rc = cli_parse(c, argc - 2, argv + 2, &a);
    if (rc == 0) rc = c->fn(&a);
    else if (rc < 0) rc = EXIT_OK; /* --help */
    cli_args_free(&a);
    if (cli_out_of_memory) return EXIT_MEMORY; /* what was printed is not to be trusted */
    if (fflush(stdout) != 0 || ferror(stdout)) {
        cli_error("cannot write to standard output");
        return EXIT_OUTPUT;
    }
    return rc;
}
