/* refgraph/version.h — the release and the dump format it writes.
 *
 * The lowest header of all: the CLI's --version, the dump writer and the
 * loader read their numbers here, so a program that only reads dumps needs
 * nothing of the heap. */
#ifndef REFGRAPH_VERSION_H
#define REFGRAPH_VERSION_H

#define RG_VERSION "0.1.0"

#define RG_DUMP_FORMAT "refgraph-dump" /* the header's "format" */
#define RG_DUMP_VERSION 1              /* the header's "version" */

#endif
