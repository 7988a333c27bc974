/* track.c — stable ids: not yet implemented; every id is an address. */
#include "pyrefgraph.h"

uint64_t rgpy_track_id(PyObject *o) {
    (void)o;
    return 0;
}

int rgpy_tracking_since_start(void) { return 0; }
