/* refgraph/heap.h — a refcounted object heap modelled on CPython's objects.
 *
 * Ownership rules, as in jansson and CPython:
 *   - "new reference": the caller owns the returned reference and must
 *     rg_decref() it.
 *   - "borrowed": the caller must not decref it; it stays valid only while
 *     something else keeps the object alive.
 *   - constructors, rg_<type>_new (rg_int_new, rg_str_new, rg_tuple_new,
 *     rg_list_new, rg_dict_new, rg_class_new, rg_instance_new,
 *     rg_weakref_new, rg_object_new, and rg_none_new / rg_bool_new, which
 *     return the singletons), return a new reference and steal nothing:
 *     their object arguments (a tuple's items, an instance's class, a
 *     weakref's target) are borrowed, and the new object takes its own
 *     references where it keeps one (not a weakref's target);
 *   - setters whose name ends in "_new" (rg_list_append_new,
 *     rg_list_insert_new, rg_list_set_new, rg_dict_set_new,
 *     rg_dict_setstr_new, rg_setattr_new, rg_global_set_new,
 *     rg_local_set_new) steal their value argument: the reference passes to
 *     the callee, and it is consumed even when the call fails, so
 *         rg_list_append_new(list, rg_int_new(h, 42));
 *     never leaks, even when memory runs out (a NULL argument is then
 *     reported as RG_ENOMEM or RG_EINVAL); the same setters without "_new"
 *     borrow it (the container takes its own reference).
 *
 * Threads: a heap is used by one thread at a time. Several independent heaps
 * may live in one process, on several threads; they share only the
 * process-wide table of kinds (see RG_KINDS_MAX), whose entries each heap
 * claims atomically, and the atomic count behind heap ids.
 *
 * Errors: functions returning int return 0 or a negative rg_errno code;
 * functions returning an object return NULL and record the code, which
 * rg_heap_errno() returns.
 */
#ifndef REFGRAPH_HEAP_H
#define REFGRAPH_HEAP_H

#include <stddef.h>
#include <stdint.h>

#include "refgraph/error.h"
#include "refgraph/version.h"

#ifdef __cplusplus
extern "C" {
#endif

/* An object names its heap and its type together with a 16-bit "kind", an
 * index into a process-wide table of (heap, type) pairs: a heap takes one
 * kind for each type it makes objects of, and gives them back when it is
 * destroyed. At most RG_KINDS_MAX kinds are in use at once in a process:
 * some 5,900 heaps that use every built-in type, or more that use fewer.
 * Making a heap, or an object of a type new to its heap, fails with
 * RG_ERANGE past that. */
#define RG_KINDS_MAX 65535

typedef struct rg_heap rg_heap;
typedef struct rg_type rg_type;
typedef struct rg_object rg_object;

/* ---- the object header ------------------------------------------------ */

/* Every heap object starts with this 16-byte header, as CPython's
 * PyObject. A user-defined type embeds it as its first member:
 *     typedef struct { rg_object ob; rg_object *left, *right; } node;
 * (members needing more than 8-byte alignment, such as long double, are not
 * supported: an object is as aligned as its allocator's blocks, up to 16
 * bytes, since the header, the collector's block before a container and
 * every size class are multiples of 16, and an allocator given to
 * rg_heap_new_with need not align to more than 8). Every
 * field is the heap's: read them through the accessors below (rg_type_of,
 * rg_object_heap, rg_id, rg_refcount).
 *
 * What the header does not hold: the collector's links, which only
 * containers (types with traverse) have, in a block placed right before the
 * object as CPython's PyGC_Head is; the type and the owning heap, found
 * through the kind in a process-wide table; the id's era, kept by the heap
 * for the few objects that outlive 2^48 allocations; a hash, which only str
 * caches, in the str. See docs/heap.md, "Object layout". */
struct rg_object {
    uint32_t refcnt; /* strong references (see rg_refcount) */
    uint16_t flags;  /* RG__F_* bits */
    uint16_t kind;   /* (heap, type): see RG_KINDS_MAX */
    uint32_t id_lo;  /* the id's low 32 bits (see rg_id) */
    uint16_t id_hi;  /* its next 16 bits */
    uint16_t aux;    /* the collector's (see internal.h) */
};

/* ---- edge labels ------------------------------------------------------ */

/* A reference's name, as the dump and the renderer show it: "[3]" for a
 * list or tuple item, the key for a dict value, the attribute name for an
 * instance or class. Built lazily: the collector ignores labels, so visiting
 * costs nothing for them. */
typedef enum rg_label_kind {
    RG_LABEL_NONE = 0, /* unnamed */
    RG_LABEL_INDEX,    /* u.index: "[i]" */
    RG_LABEL_NAME,     /* u.name: a C string, shown as is */
    RG_LABEL_KEY,      /* u.key: the dict value under this key */
    RG_LABEL_KEYREF    /* the dict key object itself: "(key)" */
} rg_label_kind;

typedef struct rg_label {
    rg_label_kind kind;
    union {
        size_t index;
        const char *name;
        const rg_object *key;
    } u;
} rg_label;

/* Formats a label into buf (always NUL-terminated when size > 0); returns
 * the length the full text needs, like snprintf. */
size_t rg_label_format(rg_label label, char *buf, size_t size);

/* ---- types -------------------------------------------------------------- */

/* Called once per strong reference with its label. A non-zero return stops
 * the traversal and is returned by it. */
typedef int (*rg_visit_fn)(rg_object *target, rg_label label, void *arg);

/* Type flags. */
#define RG_TYPE_LEGACY_FINALIZER 0x1u /* finalize is a tp_del: uncollectable
                                         in a cycle (goes to the garbage list) */

/* A type descriptor: the equivalent of CPython's tp_traverse, tp_clear,
 * tp_finalize and tp_repr. User types fill one in statically; it must
 * outlive every heap that holds objects of the type. */
struct rg_type {
    const char *name;   /* shown in dumps and graphs */
    size_t basic_size;  /* bytes of one object, header included */
    unsigned flags;     /* RG_TYPE_* */
    /* Visits every strong reference the object holds. An object whose type
     * has a traverse function is a container: the collector tracks it. */
    int (*traverse)(rg_object *self, rg_visit_fn visit, void *arg);
    /* Drops every strong reference (rg_decref, then forget the pointer) and
     * leaves the object valid. Breaks cycles; also runs before freeing.
     * Required when traverse is set (rg_object_new refuses the type). */
    void (*clear)(rg_object *self);
    /* Optional finalizer (PEP 442): runs at most once per object, before it
     * is freed; it may resurrect the object by storing a new reference. */
    void (*finalize)(rg_object *self);
    /* Optional: writes a short human label ("3 items"); snprintf semantics. */
    int (*repr)(const rg_object *self, char *buf, size_t size);
    /* Optional: bytes the object owns outside its basic_size (buffers
     * allocated with rg_heap_malloc), for the shallow size. */
    size_t (*extra_size)(const rg_object *self);
    /* Optional: releases non-object resources right before the memory is
     * freed (after clear). Must not touch other objects. */
    void (*destroy)(rg_object *self);
};

/* The built-in types. */
extern const rg_type rg_none_type, rg_bool_type, rg_int_type, rg_float_type,
    rg_str_type, rg_tuple_type, rg_list_type, rg_dict_type, rg_class_type,
    rg_instance_type, rg_weakref_type;

/* ---- heaps ---------------------------------------------------------------- */

/* A per-heap allocator. free and realloc receive the size that was asked
 * for, so an allocator needs no size header. Every byte the heap uses goes
 * through it. Small blocks (objects, short buffers) are carved from slabs
 * the heap takes from it, 64 KiB to 8 MiB at a time, unless flags has
 * RG_ALLOCATOR_EACH_BLOCK: then every block is one call to the allocator,
 * which is how a test fails the Nth allocation of any kind, or a tracer
 * sees each object. */
typedef struct rg_allocator {
    void *(*malloc)(void *ud, size_t size);
    void *(*realloc)(void *ud, void *ptr, size_t old_size, size_t new_size);
    void (*free)(void *ud, void *ptr, size_t size);
    void *ud;
    unsigned flags; /* RG_ALLOCATOR_* */
} rg_allocator;

#define RG_ALLOCATOR_EACH_BLOCK 0x1u /* no slabs: one allocator call per block */

/* Misuse the heap detects instead of silently corrupting memory. */
typedef enum rg_misuse {
    RG_MISUSE_DECREF_BELOW_ZERO, /* rg_decref of an object with refcount 0, or of
                                    None's, True's or False's last reference (the
                                    heap's own: they are never freed) */
    RG_MISUSE_FREED_OBJECT,      /* incref/decref of a freed object */
    RG_MISUSE_LEAK               /* still alive when the heap is destroyed */
} rg_misuse;

/* Receives each misuse with the object's type name, id and refcount. The
 * default handler prints one line to stderr and, for the first two kinds,
 * aborts: continuing would corrupt the heap. A handler that returns lets
 * the heap ignore the faulty operation. */
typedef void (*rg_misuse_fn)(rg_misuse kind, const char *type_name,
                             uint64_t id, intptr_t refcnt, void *ud);

/* Returns a new heap using malloc/realloc/free, or NULL when out of memory
 * or when the process's kinds are used up (RG_KINDS_MAX). */
rg_heap *rg_heap_new(void);

/* Returns a new heap using the allocator (copied), or NULL. */
rg_heap *rg_heap_new_with(const rg_allocator *allocator);

/* Destroys the heap: pops every frame, drops every global and the garbage
 * list, runs final collections, then reports each object still alive (held
 * by a reference the program never released) to the misuse handler as
 * RG_MISUSE_LEAK and frees it anyway. Returns how many were still alive:
 * 0 means the program released everything. */
size_t rg_heap_destroy(rg_heap *h);

/* Installs a misuse handler (NULL restores the default). */
void rg_heap_set_misuse_handler(rg_heap *h, rg_misuse_fn fn, void *ud);

/* Returns the error code of the last failed call on this heap (0 if none). */
int rg_heap_errno(const rg_heap *h);

/* Memory accounting. */
typedef struct rg_heap_stats {
    size_t bytes_in_use;  /* held by objects, their buffers and the heap */
    size_t peak_bytes;    /* highest bytes_in_use so far */
    size_t live_objects;  /* objects alive now */
    uint64_t max_id;      /* the highest id ever assigned */
    size_t cached_bytes;  /* held from the allocator, not in use: free slab space */
} rg_heap_stats;

void rg_heap_get_stats(const rg_heap *h, rg_heap_stats *out);

/* Gives every slab with no live block back to the allocator; returns how
 * many bytes. Free blocks in the other slabs stay cached for reuse. */
size_t rg_heap_trim(rg_heap *h);

/* Number of live objects of a type (instances of every class count as
 * rg_instance_type). One walk over the heap. */
size_t rg_heap_count_type(const rg_heap *h, const rg_type *type);

/* Calls fn for every live object, in a stable order (by generation list,
 * then list order). The callback must not create or free objects. */
int rg_heap_foreach(rg_heap *h, int (*fn)(rg_object *o, void *arg), void *arg);

/* Buffers a user type owns, counted in the heap's bytes. NULL when out of
 * memory. */
void *rg_heap_malloc(rg_heap *h, size_t size);
void *rg_heap_realloc(rg_heap *h, void *ptr, size_t old_size, size_t new_size);
void rg_heap_free(rg_heap *h, void *ptr, size_t size);

/* ---- references ------------------------------------------------------------ */

/* Both accept NULL. When a refcount reaches zero the object is finalized (if
 * its type has a finalizer not yet run), weak references to it are cleared
 * and their callbacks run, and it is freed; the objects it referenced are
 * released through a worklist, so freeing never recurses. */
void rg_incref(rg_object *o);
void rg_decref(rg_object *o);

/* The object's refcount: every strong reference, from other objects, roots
 * and C code. Unlike sys.getrefcount it does not count a temporary
 * reference for the call itself. The count is 32 bits wide: an object
 * that reaches 2^32 - 1 references becomes immortal (increments and
 * decrements leave it alone and it is never freed), as in CPython 3.12. */
intptr_t rg_refcount(const rg_object *o);

/* The object's id: its allocation sequence number within its heap. */
uint64_t rg_id(const rg_object *o);

/* The heap that owns the object (NULL for NULL). */
rg_heap *rg_object_heap(const rg_object *o);

/* The type's name; for an instance, the name of its class. Borrowed. */
const char *rg_type_name(const rg_object *o);
/* The type descriptor an object was made with (borrowed); NULL for NULL. */
const rg_type *rg_type_of(const rg_object *o);

/* The shallow size in bytes: the object (with a container's collector
 * header, as sys.getsizeof counts CPython's) plus buffers it owns. */
size_t rg_sizeof(const rg_object *o);

/* Writes a short label (objgraph's second line); snprintf semantics. */
size_t rg_repr(const rg_object *o, char *buf, size_t size);

/* Allocates a zeroed object of a user type with refcount 1 and a new id;
 * tracks it when the type has a traverse function. New reference. */
rg_object *rg_object_new(rg_heap *h, const rg_type *type);

/* ---- introspection --------------------------------------------------------- */

/* Calls visit for each strong reference of o (its referents) with its label.
 * Returns the first non-zero visit result, or 0. */
int rg_traverse(rg_object *o, rg_visit_fn visit, void *arg);

/* Calls visit(referrer, label, arg) for each reference to target held by an
 * object of the heap (roots are not objects: see rg_global_at and
 * rg_frame_local_at). Costs one pass over the heap. */
int rg_referrers(rg_object *target, rg_visit_fn visit, void *arg);

/* ---- None, bool, int, float, str (atoms: never tracked) -------------------- */

rg_object *rg_none_new(rg_heap *h);              /* new reference to None */
rg_object *rg_bool_new(rg_heap *h, int value);   /* new reference */
int rg_is_none(const rg_object *o);
int rg_is_true(const rg_object *o); /* Python truthiness of atoms/containers */

rg_object *rg_int_new(rg_heap *h, int64_t value); /* new reference */
int64_t rg_int_value(const rg_object *o);         /* 0 if not an int */

rg_object *rg_float_new(rg_heap *h, double value); /* new reference */
double rg_float_value(const rg_object *o);

/* Immutable length-counted bytes, normally UTF-8 (any bytes allowed). The
 * data is always followed by a NUL byte. New reference. */
rg_object *rg_str_new(rg_heap *h, const char *text);
rg_object *rg_str_newn(rg_heap *h, const char *bytes, size_t len);
const char *rg_str_data(const rg_object *o); /* borrowed; NULL if not a str */
size_t rg_str_len(const rg_object *o);

/* Value equality for atoms (int, float, bool, None, str), identity for
 * everything else: how dict keys and rg_list_remove compare. */
int rg_equal(const rg_object *a, const rg_object *b);

/* ---- tuple (immutable) ------------------------------------------------------- */

/* A tuple of n items, each borrowed (the tuple takes its own reference). New
 * reference. */
rg_object *rg_tuple_new(rg_heap *h, size_t n, rg_object *const *items);
/* The same with the items as arguments: rg_tuple_pack(h, 2, a, b). */
rg_object *rg_tuple_pack(rg_heap *h, size_t n, ...);
size_t rg_tuple_size(const rg_object *t);
rg_object *rg_tuple_get(const rg_object *t, size_t i); /* borrowed; NULL if out of range */

/* ---- list ------------------------------------------------------------------- */

/* The most items a list holds (its length is 32-bit): appending or
 * inserting beyond it is RG_ERANGE. */
#define RG_LIST_MAX UINT32_MAX
/* Indexes follow Python: negative counts from the end. */
rg_object *rg_list_new(rg_heap *h); /* new reference */
size_t rg_list_size(const rg_object *l);
/* Makes room for n items in all (what list(range(n)) knows in advance), so
 * that appending up to n items allocates nothing more. The list itself is
 * unchanged. 0, RG_ETYPE, RG_ERANGE (n above RG_LIST_MAX) or RG_ENOMEM. */
int rg_list_reserve(rg_object *l, size_t n);
int rg_list_append(rg_object *l, rg_object *item);     /* borrows item */
int rg_list_append_new(rg_object *l, rg_object *item); /* steals item */
/* Inserts before index (clamped to the list, as Python does). */
int rg_list_insert(rg_object *l, ptrdiff_t index, rg_object *item);
int rg_list_insert_new(rg_object *l, ptrdiff_t index, rg_object *item);
rg_object *rg_list_get(const rg_object *l, ptrdiff_t index); /* borrowed */
int rg_list_set(rg_object *l, ptrdiff_t index, rg_object *item);
int rg_list_set_new(rg_object *l, ptrdiff_t index, rg_object *item);
/* Removes and returns the item at index: a new reference (the list's). */
rg_object *rg_list_pop(rg_object *l, ptrdiff_t index);
/* Removes the first item equal to item (rg_equal); RG_EKEY if none. */
int rg_list_remove(rg_object *l, const rg_object *item);
/* Drops every item. */
int rg_list_clear(rg_object *l);

/* ---- dict (insertion-ordered; keys compared with rg_equal) ------------------ */

rg_object *rg_dict_new(rg_heap *h); /* new reference */
size_t rg_dict_size(const rg_object *d);
/* Sets d[key] = value. The key is borrowed (the dict takes its own
 * reference); _new steals the value. */
int rg_dict_set(rg_object *d, rg_object *key, rg_object *value);
int rg_dict_set_new(rg_object *d, rg_object *key, rg_object *value);
/* The same with a str key made from a C string. */
int rg_dict_setstr(rg_object *d, const char *key, rg_object *value);
int rg_dict_setstr_new(rg_object *d, const char *key, rg_object *value);
rg_object *rg_dict_get(const rg_object *d, const rg_object *key); /* borrowed */
rg_object *rg_dict_getstr(const rg_object *d, const char *key);   /* borrowed */
int rg_dict_del(rg_object *d, const rg_object *key); /* RG_EKEY if absent */
/* Iterates in insertion order: start with *pos = 0; returns 1 and sets the
 * borrowed key and value while there is an item, then 0. */
int rg_dict_next(const rg_object *d, size_t *pos, rg_object **key, rg_object **value);

/* ---- classes and instances -------------------------------------------------- */

/* A named type created at run time, like a Python class statement. */
rg_object *rg_class_new(rg_heap *h, const char *name); /* new reference */
const char *rg_class_name(const rg_object *cls);       /* borrowed */
/* Gives the class's instances a finalizer (PEP 442 __del__), or with legacy
 * set a legacy one (tp_del): such an instance in a garbage cycle is
 * uncollectable and goes to the garbage list. */
int rg_class_set_finalizer(rg_object *cls, void (*fn)(rg_object *self), int legacy);

/* An instance of cls (borrowed; the instance holds a reference to it). */
rg_object *rg_instance_new(rg_heap *h, rg_object *cls); /* new reference */
rg_object *rg_instance_class(const rg_object *inst);     /* borrowed */

/* Attributes of instances and classes: obj.name = value. */
int rg_setattr(rg_object *o, const char *name, rg_object *value);     /* borrows */
int rg_setattr_new(rg_object *o, const char *name, rg_object *value); /* steals */
rg_object *rg_getattr(const rg_object *o, const char *name);          /* borrowed */
int rg_delattr(rg_object *o, const char *name);                       /* RG_EKEY if absent */

/* ---- weak references --------------------------------------------------------- */

/* Called after the referent died, with the (still alive) weakref; it reads
 * as dead. */
typedef void (*rg_weakref_callback)(rg_object *weakref, void *ud);

/* A weak reference to target (not increfed), with an optional callback.
 * New reference. */
rg_object *rg_weakref_new(rg_heap *h, rg_object *target, rg_weakref_callback cb, void *ud);
/* The referent, borrowed, or NULL once it has died. */
rg_object *rg_weakref_get(const rg_object *wr);

/* ---- roots: globals and frames ---------------------------------------------- */

/* Global variables: a name bound to an object. */
int rg_global_set(rg_heap *h, const char *name, rg_object *value);     /* borrows */
int rg_global_set_new(rg_heap *h, const char *name, rg_object *value); /* steals */
rg_object *rg_global_get(const rg_heap *h, const char *name);          /* borrowed */
int rg_global_del(rg_heap *h, const char *name);                       /* RG_EKEY if absent */
size_t rg_global_count(const rg_heap *h);
/* The i-th global in binding order; name and value borrowed. */
int rg_global_at(const rg_heap *h, size_t i, const char **name, rg_object **value);

/* Frames: a function call scope with named locals. Popping a frame drops
 * its locals, which is how a local dies when its function returns. */
int rg_frame_push(rg_heap *h, const char *name);
int rg_frame_pop(rg_heap *h); /* RG_ENOFRAME if none */
size_t rg_frame_depth(const rg_heap *h);
const char *rg_frame_name(const rg_heap *h, size_t depth); /* 0 = outermost */
/* Locals of the innermost frame. */
int rg_local_set(rg_heap *h, const char *name, rg_object *value);     /* borrows */
int rg_local_set_new(rg_heap *h, const char *name, rg_object *value); /* steals */
rg_object *rg_local_get(const rg_heap *h, const char *name);          /* borrowed */
int rg_local_del(rg_heap *h, const char *name);
size_t rg_frame_local_count(const rg_heap *h, size_t depth);
int rg_frame_local_at(const rg_heap *h, size_t depth, size_t i, const char **name,
                      rg_object **value);

#ifdef __cplusplus
}
#endif
#endif
