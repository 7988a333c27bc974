/* refgraph.h — everything the core library offers. */
#ifndef REFGRAPH_H
#define REFGRAPH_H
#include "refgraph/error.h"
#include "refgraph/heap.h"
#include "refgraph/gc.h"
#include "refgraph/heapdump.h"
#endif
