/* module.c — the refgraph._core extension module. */
#define _DEFAULT_SOURCE
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "pyrefgraph.h"

PyDoc_STRVAR(dump_doc,
             "dump(path, *, created=None) -> dict\n\n"
             "Write the whole live heap to path in refgraph's dump format (JSON Lines;\n"
             "gzip when the name ends in .gz). created fixes the header's timestamp.\n"
             "Returns {'objects': N, 'bytes': B, 'seconds': S}.");

/* refgraph dump-pid's program runs from a page gdb mapped in this process;
 * once it has been compiled, it unmaps that page with this. Only a mapped
 * range (mincore) starting with the program's first line is unmapped. */
static PyObject *attach_release(PyObject *self, PyObject *args) {
    (void)self;
    unsigned long long addr, size;
    if (!PyArg_ParseTuple(args, "KK", &addr, &size)) return NULL;
    static const char magic[] = "# refgraph dump-pid\n";
    long page = sysconf(_SC_PAGESIZE);
    if (page <= 0 || addr == 0 || addr % (unsigned long long)page || size == 0 || size > (1u << 20) ||
        size % (unsigned long long)page)
        Py_RETURN_FALSE;
    unsigned char vec[256];
    if (mincore((void *)(uintptr_t)addr, (size_t)page, vec) != 0) Py_RETURN_FALSE;
    if (memcmp((const void *)(uintptr_t)addr, magic, sizeof magic - 1) != 0) Py_RETURN_FALSE;
    if (munmap((void *)(uintptr_t)addr, (size_t)size) != 0) Py_RETURN_FALSE;
    Py_RETURN_TRUE;
}

static PyMethodDef methods[] = {
    {"_attach_release", attach_release, METH_VARARGS, "_attach_release(address, size) -> bool (refgraph dump-pid)"},
    {"dump", (PyCFunction)(void (*)(void))rgpy_dump, METH_VARARGS | METH_KEYWORDS, dump_doc},
    {"draw", (PyCFunction)(void (*)(void))rgpy_draw, METH_VARARGS | METH_KEYWORDS,
     "draw(nodes, edges, mores, output, *, max_depth=3, refcounts=False, shortnames=True, format=None,\n"
     "     backrefs=False, cluster_cycles=False)\n\n"
     "Draw chosen objects: nodes are (object, depth, marks, extra text or None), edges (source index,\n"
     "target index, label, weak), mores (node index, count)."},
    {"track", rgpy_track, METH_NOARGS,
     "track()\n\nFrom now on every object allocated gets a sequence number that is never reused;\n"
     "dumps use it as the object's id, so that diff never takes a new object for a freed one."},
    {"untrack", rgpy_untrack, METH_NOARGS, "untrack()\n\nStop tracking and forget every number."},
    {"is_tracking", rgpy_is_tracking, METH_NOARGS, "is_tracking() -> bool"},
    {"referents", rgpy_referents, METH_O, "referents(obj) -> [(target, label, weak)]"},
    {"referrers", rgpy_referrers, METH_VARARGS,
     "referrers(targets, objects) -> {id(target): [(referrer, label, weak)]}"},
    {"describe", rgpy_describe, METH_VARARGS, "describe(obj, shortnames=True) -> (type, label, size, static)"},
    {"type_names", rgpy_type_names, METH_VARARGS, "type_names(objects, shortnames=True) -> [type name]"},
    {"suggest", rgpy_suggest, METH_VARARGS,
     "suggest(name, names, max=5) -> [name]\n\nThe names closest to name (none of them equal to it), the closest first:\n"
     "the rule the refgraph CLI uses to name the types closest to a typo."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef moddef = {
    PyModuleDef_HEAD_INIT, "_core", "refgraph's C core: heap dumps and in-process drawings.", -1, methods,
    NULL, NULL, NULL, NULL,
};

static uint64_t mix(uint64_t x) {
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

PyMODINIT_FUNC PyInit__core(void) {
    /* the heap's name: random bytes when the system has them, else the
     * process id and the time, so two processes never share one */
    uint64_t id = 0;
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        if (read(fd, &id, sizeof id) != (ssize_t)sizeof id) id = 0;
        close(fd);
    }
    if (!id) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        id = mix((uint64_t)getpid() << 32 ^ (uint64_t)ts.tv_sec ^ (uint64_t)ts.tv_nsec << 20);
    }
    rgpy_heap_id = id ? id : 1;
    PyObject *m = PyModule_Create(&moddef);
    if (!m) return NULL;
    if (PyModule_AddStringConstant(m, "__version__", RGPY_VERSION) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
