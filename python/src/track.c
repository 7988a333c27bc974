/* track.c — stable ids: refgraph.track() wraps CPython's object allocator
 * (PyMem_SetAllocator(PYMEM_DOMAIN_OBJ), as tracemalloc does) and gives
 * every block allocated from then on a sequence number that is never
 * reused; a dump writes an object's number (with bit 62 set, so that it
 * never equals an address) instead of its address. untrack() restores the
 * allocator and forgets every number.
 *
 * The object domain's functions are always called with the GIL held, so
 * the table needs no lock. It lives in libc's malloc, not in the domain it
 * watches. When it cannot grow, a block simply gets no number (its id is
 * its address).
 */
#include <stdlib.h>
#include <string.h>

#include "pyrefgraph.h"
#include "walk.h"

#define SEQ_BIT (UINT64_C(1) << 62)

typedef struct entry {
    void *key; /* NULL: empty */
    uint64_t seq;
} entry;

static PyMemAllocatorEx orig;
static int tracking;
static entry *tab;
static size_t tab_mask, tab_n; /* capacity - 1, entries */
static uint64_t next_seq;

static size_t slot_of(const void *p) {
    uint64_t x = (uint64_t)(uintptr_t)p >> 4;
    x *= 0x9e3779b97f4a7c15ULL;
    return (size_t)(x ^ (x >> 31)) & tab_mask;
}

static int grow(void) {
    size_t cap = tab ? (tab_mask + 1) * 2 : 1 << 16;
    entry *nt = calloc(cap, sizeof *nt);
    if (!nt) return -1;
    entry *old = tab;
    size_t old_cap = tab ? tab_mask + 1 : 0;
    tab = nt;
    tab_mask = cap - 1;
    for (size_t i = 0; i < old_cap; i++) {
        if (!old[i].key) continue;
        size_t j = slot_of(old[i].key);
        while (tab[j].key) j = (j + 1) & tab_mask;
        tab[j] = old[i];
    }
    free(old);
    return 0;
}

static void put(void *p, uint64_t seq) {
    if ((tab_n + 1) * 2 > (tab ? tab_mask + 1 : 0) && grow() < 0) return;
    size_t i = slot_of(p);
    while (tab[i].key && tab[i].key != p) i = (i + 1) & tab_mask;
    if (!tab[i].key) tab_n++;
    tab[i].key = p;
    tab[i].seq = seq;
}

/* Removes p, returning its number (0 if it had none). Backward-shift
 * deletion keeps every probe chain unbroken without tombstones. */
static uint64_t take(void *p) {
    if (!tab) return 0;
    size_t i = slot_of(p);
    while (tab[i].key && tab[i].key != p) i = (i + 1) & tab_mask;
    if (!tab[i].key) return 0;
    uint64_t seq = tab[i].seq;
    size_t j = i;
    for (;;) { /* ends at the first empty slot: the table is at most half full */
        j = (j + 1) & tab_mask;
        if (!tab[j].key) break;
        size_t home = slot_of(tab[j].key);
        /* move j back to i unless its home lies cyclically in (i, j] */
        if ((j > i && (home <= i || home > j)) || (j < i && (home <= i && home > j))) {
            tab[i] = tab[j];
            i = j;
        }
    }
    tab[i].key = NULL;
    tab_n--;
    return seq;
}

static uint64_t find(const void *p) {
    if (!tab) return 0;
    size_t i = slot_of(p);
    while (tab[i].key) {
        if (tab[i].key == p) return tab[i].seq;
        i = (i + 1) & tab_mask;
    }
    return 0;
}

static void *hook_malloc(void *ctx, size_t size) {
    (void)ctx;
    void *p = orig.malloc(orig.ctx, size);
    if (p) put(p, ++next_seq);
    return p;
}

static void *hook_calloc(void *ctx, size_t n, size_t size) {
    (void)ctx;
    void *p = orig.calloc(orig.ctx, n, size);
    if (p) put(p, ++next_seq);
    return p;
}

static void *hook_realloc(void *ctx, void *ptr, size_t size) {
    (void)ctx;
    void *p = orig.realloc(orig.ctx, ptr, size);
    if (p) { /* a resized block is the same object: it keeps its number */
        uint64_t seq = ptr ? take(ptr) : 0;
        put(p, seq ? seq : ++next_seq);
    }
    return p;
}

static void hook_free(void *ctx, void *ptr) {
    (void)ctx;
    if (ptr) take(ptr);
    orig.free(orig.ctx, ptr);
}

uint64_t rgpy_track_id(PyObject *o) {
    if (!tracking) return 0;
    uint64_t seq = find((char *)o - walker_preheader(o));
    return seq ? seq | SEQ_BIT : 0;
}

int rgpy_tracking_since_start(void) { return 0; }

PyObject *rgpy_track(PyObject *self, PyObject *noargs) {
    (void)self;
    (void)noargs;
    if (tracking) Py_RETURN_NONE;
    if (grow() < 0) return PyErr_NoMemory();
    PyMemAllocatorEx hook = {NULL, hook_malloc, hook_calloc, hook_realloc, hook_free};
    PyMem_GetAllocator(PYMEM_DOMAIN_OBJ, &orig);
    PyMem_SetAllocator(PYMEM_DOMAIN_OBJ, &hook);
    tracking = 1;
    Py_RETURN_NONE;
}

PyObject *rgpy_untrack(PyObject *self, PyObject *noargs) {
    (void)self;
    (void)noargs;
    if (!tracking) Py_RETURN_NONE;
    PyMem_SetAllocator(PYMEM_DOMAIN_OBJ, &orig);
    tracking = 0;
    free(tab);
    tab = NULL;
    tab_mask = tab_n = 0;
    Py_RETURN_NONE;
}

PyObject *rgpy_is_tracking(PyObject *self, PyObject *noargs) {
    (void)self;
    (void)noargs;
    return PyBool_FromLong(tracking);
}
