/* refgraph — the command line over heap dumps. Until the dump loader and the
 * renderer exist it only knows its version and usage. */
#include <stdio.h>
#include <string.h>

#include "refgraph.h"

static const char usage[] =
    "usage: refgraph [--version] [--help] <command> [<args>]\n"
    "\n"
    "refgraph reads heap dumps and explains them. The commands (show-refs,\n"
    "show-backrefs, cycles, leaks, chain, stats, diff, info) arrive with the\n"
    "dump format; this build has none yet.\n";

int main(int argc, char **argv) {
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("refgraph %s\n", RG_VERSION);
        return 0;
    }
    fprintf(stderr, "refgraph: '%s' is not a refgraph command\n%s", argv[1], usage);
    return 2;
}
