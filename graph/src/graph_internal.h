/* graph_internal.h — what the loader keeps beside the public arrays. */
#ifndef RG_GRAPH_INTERNAL_H
#define RG_GRAPH_INTERNAL_H

#include "refgraph/graph.h"

#define ARENA_BLOCK ((size_t)1 << 20)     /* the largest string block */
#define ARENA_FIRST_BLOCK ((size_t)16 << 10) /* the first: small dumps stay small */

typedef struct arena_block {
    struct arena_block *next;
    char data[];
} arena_block;

struct rg_graph_private {
    arena_block *blocks; /* interned string bytes */
    size_t block_used, block_cap; /* of the first block */
    size_t str_cap;
    uint32_t *hashes; /* [str_cap], during load */
    uint32_t *itab;   /* interning table, during load */
    uint64_t seed;    /* its hash's seed, drawn per load */
    size_t icap;
    /* id -> index: a direct array when ids are dense, else a hash table
     * whose probes never pass ID_MAX_PROBE, else (ids chosen to collide)
     * the ids sorted, for binary search: never quadratic. */
    uint32_t *direct; /* [max_id + 1] */
    uint64_t direct_len;
    uint64_t *hkeys;
    uint32_t *hvals;
    size_t hcap;
    struct rg_id_index *sorted; /* [nsorted] by id */
    size_t nsorted;
};

#define ID_MAX_PROBE 128

typedef struct rg_id_index {
    uint64_t id;
    uint32_t index;
} rg_id_index;
typedef struct rg_graph_private graph_priv;

#endif
