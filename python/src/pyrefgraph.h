/* pyrefgraph.h — what the extension's files share. */
#ifndef RG_PY_PYREFGRAPH_H
#define RG_PY_PYREFGRAPH_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>

#define RGPY_VERSION "0.1.0"

/* Names this interpreter's heap in every dump it writes (random per process). */
extern uint64_t rgpy_heap_id;

/* The id a dump gives o: its tracking sequence number when refgraph.track()
 * saw it allocated, else its address. */
uint64_t rgpy_id(PyObject *o);

/* track.c: the allocation sequence number of o, 0 when not known. */
uint64_t rgpy_track_id(PyObject *o);
/* Whether every live object has a sequence number (tracking started before
 * any object now alive was allocated): never true after startup, so dumps
 * always say their ids may be addresses unless all are sequence numbers. */
int rgpy_tracking_since_start(void);
PyObject *rgpy_track(PyObject *self, PyObject *noargs);
PyObject *rgpy_untrack(PyObject *self, PyObject *noargs);
PyObject *rgpy_is_tracking(PyObject *self, PyObject *noargs);

/* draw.c */
PyObject *rgpy_draw(PyObject *self, PyObject *args, PyObject *kw);
PyObject *rgpy_referents(PyObject *self, PyObject *obj);
PyObject *rgpy_referrers(PyObject *self, PyObject *args);
PyObject *rgpy_describe(PyObject *self, PyObject *args);
PyObject *rgpy_type_names(PyObject *self, PyObject *args);
PyObject *rgpy_suggest(PyObject *self, PyObject *args);

/* dump.c */
PyObject *rgpy_dump(PyObject *self, PyObject *args, PyObject *kw);

#endif
