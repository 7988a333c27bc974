/* gen_dump — writes a random dump for test_hostile.sh (see gengraph.h).
 * Usage: gen_dump OUT SEED OBJECTS DEGREE [giant] [young] [sparse] [huge]
 *                 [globals=N] [frames=N] */
#include "gengraph.h"

int main(int argc, char **argv) {
    if (argc < 5) {
        fputs("usage: gen_dump OUT SEED OBJECTS DEGREE [giant] [young] [sparse] [huge] [globals=N] [frames=N]\n",
              stderr);
        return 2;
    }
    gen_params p;
    memset(&p, 0, sizeof p);
    p.seed = strtoull(argv[2], NULL, 10);
    p.n = (uint32_t)strtoul(argv[3], NULL, 10);
    p.degree = (uint32_t)strtoul(argv[4], NULL, 10);
    for (int i = 5; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "giant")) p.giant = 1;
        else if (!strcmp(a, "young")) p.young_first = 1;
        else if (!strcmp(a, "sparse")) p.sparse_ids = 1;
        else if (!strcmp(a, "huge")) p.huge_sizes = 1;
        else if (!strncmp(a, "globals=", 8)) p.nglobals = (uint32_t)strtoul(a + 8, NULL, 10);
        else if (!strncmp(a, "frames=", 7)) p.nframes = (uint32_t)strtoul(a + 7, NULL, 10);
        else {
            fprintf(stderr, "gen_dump: unknown option '%s'\n", a);
            return 2;
        }
    }
    int rc = gen_write(argv[1], &p);
    if (rc) fprintf(stderr, "gen_dump: cannot write '%s' (error %d)\n", argv[1], rc);
    return rc ? 1 : 0;
}
