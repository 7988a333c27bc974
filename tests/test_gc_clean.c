/* test_gc_clean.c — clean objects (gc.c): a full collection skips what it
 * found reachable last time and what has not changed since; these tests
 * check that it still misses no garbage.
 *
 * The oracle is independent of the collector: after every full collection,
 * every tracked object must be reachable from the program's own references
 * (the ones this test holds, globals, frame locals), found by a plain walk
 * over rg_traverse. Random programs mix what clean objects must survive:
 * touches (incref, decref) of old objects, references the program holds
 * across collections and swaps for others, stores of old objects into new
 * containers (stealing or not), pops that turn a container's reference into
 * the program's, dicts that stop and start being tracked, finalizers that
 * resurrect, and collections of every generation in between. Debug builds
 * also check every full collection against CPython's plain scan
 * (verify_scan in gc.c). */
#include <stdint.h>
#include <stdio.h>

#include "testheap.h"

/* ---- the oracle ------------------------------------------------------------ */

typedef struct ptrset {
    const void **slots;
    size_t cap, len;
} ptrset;

static size_t ptr_hash(const void *p) { return (size_t)(((uintptr_t)p >> 4) * 0x9E3779B97F4A7C15ull); }

/* Adds p; returns 1 if it was new. The table never fills past half. */
static int ptrset_add(ptrset *s, const void *p) {
    if (2 * (s->len + 1) > s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 1024;
        const void **slots = calloc(cap, sizeof *slots);
        CU_ASSERT_PTR_NOT_NULL_FATAL(slots);
        for (size_t i = 0; i < s->cap; i++) {
            if (!s->slots[i]) continue;
            size_t j = ptr_hash(s->slots[i]) & (cap - 1);
            while (slots[j]) j = (j + 1) & (cap - 1);
            slots[j] = s->slots[i];
        }
        free(s->slots);
        s->slots = slots;
        s->cap = cap;
    }
    size_t j = ptr_hash(p) & (s->cap - 1);
    while (s->slots[j]) {
        if (s->slots[j] == p) return 0;
        j = (j + 1) & (s->cap - 1);
    }
    s->slots[j] = p;
    s->len++;
    return 1;
}

static int ptrset_has(const ptrset *s, const void *p) {
    if (!s->cap) return 0;
    size_t j = ptr_hash(p) & (s->cap - 1);
    while (s->slots[j]) {
        if (s->slots[j] == p) return 1;
        j = (j + 1) & (s->cap - 1);
    }
    return 0;
}

typedef struct walk {
    ptrset seen;
    rg_object **stack;
    size_t len, cap;
} walk;

static void walk_push(walk *w, rg_object *o) {
    if (!o || !ptrset_add(&w->seen, o)) return;
    if (w->len == w->cap) {
        w->cap = w->cap ? w->cap * 2 : 256;
        w->stack = realloc(w->stack, w->cap * sizeof *w->stack);
        CU_ASSERT_PTR_NOT_NULL_FATAL(w->stack);
    }
    w->stack[w->len++] = o;
}

static int visit_walk(rg_object *t, rg_label label, void *arg) {
    (void)label;
    walk_push(arg, t);
    return 0;
}

typedef struct check {
    const ptrset *live;
    size_t tracked, missed;
} check;

static int print_referrer(rg_object *r, rg_label label, void *arg) {
    (void)label;
    (void)arg;
    fprintf(stderr, "    referrer %s#%llu refcount %ld tracked %d gen %d\n", rg_type_name(r), (unsigned long long)rg_id(r),
            (long)rg_refcount(r), rg_gc_is_tracked(r), rg_gc_generation(r));
    return 0;
}

static int check_one(rg_object *o, void *arg) {
    check *c = arg;
    c->tracked++;
    if (!ptrset_has(c->live, o) && c->missed++ < 5)
        fprintf(stderr, "garbage survived a full collection: %s id %llu refcount %ld at %p\n", rg_type_name(o),
                (unsigned long long)rg_id(o), (long)rg_refcount(o), (void *)o);
    if (!ptrset_has(c->live, o) && getenv("RG_CLEAN_TRACE")) rg_referrers(o, print_referrer, NULL);
    return 0;
}

/* Pushes the heap's own roots: globals and frame locals. */
static void push_heap_roots(rg_heap *h, walk *w) {
    for (size_t i = 0; i < rg_global_count(h); i++) {
        const char *name;
        rg_object *v;
        rg_global_at(h, i, &name, &v);
        walk_push(w, v);
    }
    for (size_t d = 0; d < rg_frame_depth(h); d++)
        for (size_t i = 0; i < rg_frame_local_count(h, d); i++) {
            const char *name;
            rg_object *v;
            rg_frame_local_at(h, d, i, &name, &v);
            walk_push(w, v);
        }
}

/* Collects every generation, then returns how many tracked objects the
 * program's references do not reach (0 unless garbage was missed). */
static size_t collect_and_check(rg_heap *h, rg_object **refs, size_t nrefs) {
    rg_gc_collect(h, 2);
    walk w = {{NULL, 0, 0}, NULL, 0, 0};
    for (size_t i = 0; i < nrefs; i++) walk_push(&w, refs[i]);
    push_heap_roots(h, &w);
    while (w.len) {
        rg_object *o = w.stack[--w.len];
        rg_traverse(o, visit_walk, &w);
    }
    check c = {&w.seen, 0, 0};
    rg_gc_foreach(h, -1, check_one, &c);
    free(w.seen.slots);
    free(w.stack);
    return c.missed;
}

/* ---- random programs ------------------------------------------------------------ */

static uint64_t rng;
static unsigned next(unsigned n) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)((rng >> 11) % n);
}

#define HELD_MAX 48
/* The program's references: 3 fixed (two classes, the list the finalizer
 * saves into), then held. */
static rg_object *refs[3 + HELD_MAX];
static rg_object **const held = refs + 3;
static size_t nheld;
static rg_object *resurrected; /* where the finalizer puts what it saves */

static void fin_resurrect_some(rg_object *self) {
    if (resurrected && next(2)) rg_list_append(resurrected, self);
}

static void hold(rg_object *o) {
    if (!o) return;
    if (nheld == HELD_MAX) {
        rg_decref(o);
        return;
    }
    held[nheld++] = o;
}

static rg_object *take(unsigned i) { /* removes held[i], returns the reference */
    rg_object *o = held[i];
    held[i] = held[--nheld];
    return o;
}

/* A borrowed object reachable from a held one within a few steps. */
typedef struct pick {
    rg_object *found;
    unsigned want;
} pick;

static int visit_pick(rg_object *t, rg_label label, void *arg) {
    (void)label;
    pick *p = arg;
    if (p->want-- == 0) {
        p->found = t;
        return 1;
    }
    return 0;
}

static rg_object *reachable_one(void) {
    if (!nheld) return NULL;
    rg_object *o = held[next((unsigned)nheld)];
    for (unsigned steps = next(4); steps; steps--) {
        pick p = {NULL, next(6)};
        rg_traverse(o, visit_pick, &p);
        if (!p.found) break;
        o = p.found;
    }
    return o;
}

static int rg_is_list(const rg_object *o) { return rg_type_of(o) == &rg_list_type; }
static int rg_is_dict(const rg_object *o) { return rg_type_of(o) == &rg_dict_type; }
/* The program touches an object it can reach: now, or holding the
 * reference for a while. */
static void touch_one(void) {
    rg_object *o = reachable_one();
    if (!o) return;
    rg_incref(o);
    if (next(2))
        rg_decref(o);
    else
        hold(o);
}

static int is_container(const rg_object *o) {
    return rg_is_list(o) || rg_is_dict(o) || rg_type_of(o) == &rg_instance_type;
}

static void store(rg_object *into, rg_object *value, int steal) {
    char name[16];
    snprintf(name, sizeof name, "k%u", next(4));
    if (steal) rg_incref(value); /* the stealing call consumes this one */
    if (rg_is_list(into)) {
        size_t n = rg_list_size(into);
        if (n && next(2))
            steal ? rg_list_set_new(into, (ptrdiff_t)next((unsigned)n), value)
                  : rg_list_set(into, (ptrdiff_t)next((unsigned)n), value);
        else
            steal ? rg_list_append_new(into, value) : rg_list_append(into, value);
    } else if (rg_is_dict(into)) {
        steal ? rg_dict_setstr_new(into, name, value) : rg_dict_setstr(into, name, value);
    } else {
        steal ? rg_setattr_new(into, name, value) : rg_setattr(into, name, value);
    }
}

static void remove_one(rg_object *from) {
    char name[16];
    snprintf(name, sizeof name, "k%u", next(4));
    if (rg_is_list(from)) {
        size_t n = rg_list_size(from);
        if (!n) return;
        if (next(3) == 0)
            rg_list_clear(from);
        else
            hold(rg_list_pop(from, (ptrdiff_t)next((unsigned)n))); /* the list's reference becomes ours */
    } else if (rg_is_dict(from)) {
        rg_object *k = rg_str_new(rg_object_heap(from), name);
        rg_dict_del(from, k);
        rg_decref(k);
    } else {
        rg_delattr(from, name);
    }
}

static size_t run_program(uint64_t seed, int steps) {
    rng = seed * 0x9E3779B97F4A7C15ull + 1;
    rg_heap *h = heap_new();
    rg_object *cls = rg_class_new(h, "C");
    rg_object *fcls = rg_class_new(h, "F");
    rg_class_set_finalizer(fcls, fin_resurrect_some, 0);
    resurrected = rg_list_new(h);
    refs[0] = cls;
    refs[1] = fcls;
    refs[2] = resurrected;
    nheld = 0;
    size_t missed = 0;
    int frames = 0;
    for (int s = 0; s < steps && !missed; s++) {
        unsigned op = next(100);
        if (op < 14 || nheld < 2) { /* new objects */
            switch (next(5)) {
            case 0: hold(rg_list_new(h)); break;
            case 1: hold(rg_dict_new(h)); break;
            case 2: hold(rg_instance_new(h, cls)); break;
            case 3: hold(rg_instance_new(h, fcls)); break;
            default: {
                rg_object *none = rg_none_new(h);
                hold(rg_tuple_pack(h, 2, nheld ? held[next((unsigned)nheld)] : none, none));
                rg_decref(none);
            }
            }
        } else if (op < 40) { /* a store: the value may be old and clean */
            rg_object *into = reachable_one(), *value = next(3) ? reachable_one() : held[next((unsigned)nheld)];
            if (into && value && is_container(into)) store(into, value, next(3) == 0);
        } else if (op < 50) { /* a stealing store of a reference we give up */
            unsigned i = next((unsigned)nheld);
            rg_object *into = reachable_one();
            if (into && is_container(into) && into != held[i]) {
                rg_object *value = take(i);
                store(into, value, 0);
                rg_decref(value); /* as if stolen, but through a plain store and a decref */
            }
        } else if (op < 58) { /* removals */
            rg_object *from = reachable_one();
            if (from && is_container(from)) remove_one(from);
        } else if (op < 70) { /* a touch, now or held for a while */
            touch_one();
        } else if (op < 80) { /* the program drops a reference */
            rg_decref(take(next((unsigned)nheld)));
        } else if (op < 85) { /* globals */
            char name[16];
            snprintf(name, sizeof name, "g%u", next(6));
            if (next(2))
                rg_global_set(h, name, reachable_one());
            else
                rg_global_del(h, name);
        } else if (op < 88) { /* frames */
            if (frames < 3 && next(2)) {
                rg_frame_push(h, "f");
                frames++;
                rg_local_set(h, "x", reachable_one());
            } else if (frames) {
                rg_frame_pop(h);
                frames--;
            }
        } else if (op < 92) { /* what finalizers saved goes back to the program */
            if (rg_list_size(resurrected) && next(2)) hold(rg_list_pop(resurrected, 0));
        } else if (op < 96) {
            rg_gc_collect(h, (int)next(2));
        } else {
            missed += collect_and_check(h, refs, 3 + nheld);
        }
    }
    if (!missed) missed += collect_and_check(h, refs, 3 + nheld);
    while (nheld) rg_decref(held[--nheld]);
    while (frames--) rg_frame_pop(h);
    rg_object *saved = resurrected;
    resurrected = NULL; /* first: finalizers run by the decref must not use it */
    rg_decref(saved);
    rg_decref(cls);
    rg_decref(fcls);
    heap_end(h);
    return missed;
}

/* ---- hostile random programs ------------------------------------------------------
 *
 * The op kinds the programs above leave out: weakrefs (with callbacks that
 * store, and rg_weakref_get turning a borrowed pointer into a reference),
 * legacy finalizers (uncollectable cycles on the garbage list), SAVEALL,
 * finalizers that store themselves into a cycle or take their referents
 * out into C-held references, gc callbacks that move references while a
 * collection starts or stops, freezing and unfreezing, container dict keys,
 * foreign containers, small thresholds (automatic collections of every
 * generation inside any allocation), runs of full collections past an
 * epoch, and failing allocations. The oracle also walks from the frozen
 * objects and the garbage list, which are roots too. */

#define STASH_MAX 8
static rg_object *stash[STASH_MAX]; /* references finalizers and callbacks took (C-held) */
static size_t nstash;
static rg_object *hrefs[5 + HELD_MAX + STASH_MAX];

static void stash_put(rg_object *o) { /* takes the reference; never frees */
    if (!o) return;
    if (nstash < STASH_MAX)
        stash[nstash++] = o;
    else
        rg_list_append_new(resurrected, o); /* callers run only while resurrected lives */
}

/* A foreign container: two slots its own C code sets without telling the
 * heap, as a user type's setters do. */
typedef struct fnode {
    rg_object ob;
    rg_object *slot[2];
} fnode;

static int fnode_traverse(rg_object *self, rg_visit_fn visit, void *arg) {
    fnode *n = (fnode *)self;
    for (int i = 0; i < 2; i++) {
        if (!n->slot[i]) continue;
        rg_label l = {RG_LABEL_INDEX, {.index = (size_t)i}};
        int rc = visit(n->slot[i], l, arg);
        if (rc) return rc;
    }
    return 0;
}

static void fnode_clear(rg_object *self) {
    fnode *n = (fnode *)self;
    for (int i = 0; i < 2; i++) {
        rg_object *o = n->slot[i];
        n->slot[i] = NULL;
        rg_decref(o);
    }
}

static const rg_type fnode_type = {.name = "fnode", .basic_size = sizeof(fnode), .traverse = fnode_traverse,
                                   .clear = fnode_clear};

static void fnode_set(rg_object *n, int i, rg_object *v) {
    rg_incref(v);
    rg_object *old = ((fnode *)n)->slot[i];
    ((fnode *)n)->slot[i] = v;
    rg_decref(old);
}

/* Finalizer of class G: stores self into a cycle of its own, or takes one
 * of its attributes out into a C-held reference, or saves self. Nothing it
 * does frees an object (callers may be borrowing any). */
static void fin_hostile(rg_object *self) {
    if (!resurrected) return; /* the program has ended */
    switch (next(4)) {
    case 0: rg_setattr(self, "me", self); break;
    case 1: {
        char name[16];
        snprintf(name, sizeof name, "k%u", next(4));
        rg_object *v = rg_getattr(self, name);
        if (v) {
            rg_incref(v);
            stash_put(v); /* the attribute stays too: a second, C-held reference */
        }
        break;
    }
    case 2: rg_list_append(resurrected, self); break;
    default: break;
    }
}

/* A weakref callback: keeps the weakref (or nothing). */
static void wr_callback(rg_object *wr, void *ud) {
    (void)ud;
    if (resurrected && next(2)) rg_list_append(resurrected, wr);
}

/* A gc callback: moves a reference between two lists the program holds
 * (never frees anything), or takes a saved object into a C-held reference. */
static void gc_hostile(rg_heap *h, rg_gc_phase phase, const rg_gc_info *info, void *ud) {
    (void)h;
    (void)phase;
    (void)info;
    (void)ud;
    if (!resurrected || next(3)) return;
    if (next(2)) {
        if (rg_list_size(resurrected)) stash_put(rg_list_pop(resurrected, 0));
        return;
    }
    if (nheld < 2) return;
    rg_object *a = held[next((unsigned)nheld)], *b = held[next((unsigned)nheld)];
    if (!rg_is_list(a) || !rg_is_list(b) || !rg_list_size(a)) return;
    rg_object *v = rg_list_pop(a, -1);
    if (rg_list_append(b, v) < 0) stash_put(v); /* the popped reference stays ours */
    else rg_decref(v);
}

typedef struct gens_walk {
    ptrset in_gens;
    walk *w;
} gens_walk;

static int note_in_gens(rg_object *o, void *arg) {
    ptrset_add(&((gens_walk *)arg)->in_gens, o);
    return 0;
}

static int push_frozen(rg_object *o, void *arg) {
    gens_walk *g = arg;
    if (rg_gc_is_tracked(o) && !ptrset_has(&g->in_gens, o)) walk_push(g->w, o); /* frozen: a root */
    return 0;
}

/* collect_and_check's oracle (the collection done by the caller: gc
 * callbacks may move references into C-held ones), with the other roots:
 * frozen objects, the garbage list. */
static size_t check_all(rg_heap *h, rg_object **r, size_t nr) {
    walk w = {{NULL, 0, 0}, NULL, 0, 0};
    for (size_t i = 0; i < nr; i++) walk_push(&w, r[i]);
    walk_push(&w, rg_gc_garbage(h));
    push_heap_roots(h, &w);
    gens_walk g = {{NULL, 0, 0}, &w};
    rg_gc_foreach(h, -1, note_in_gens, &g);
    rg_heap_foreach(h, push_frozen, &g);
    free(g.in_gens.slots);
    while (w.len) {
        rg_object *o = w.stack[--w.len];
        rg_traverse(o, visit_walk, &w);
    }
    check c = {&w.seen, 0, 0};
    rg_gc_foreach(h, -1, check_one, &c);
    if (c.missed && getenv("RG_CLEAN_TRACE"))
        for (size_t i = 0; i < nr; i++)
            fprintf(stderr, "  root %s#%llu seen %d size %zu first %p\n", rg_type_name(r[i]), (unsigned long long)rg_id(r[i]),
                    ptrset_has(&w.seen, r[i]), rg_list_size(r[i]), (void *)rg_list_get(r[i], 0));
    free(w.seen.slots);
    free(w.stack);
    return c.missed;
}

static size_t hostile_check(rg_heap *h, rg_object *const *fixed) {
    unsigned dbg = rg_gc_get_debug(h);
    if (getenv("RG_CLEAN_TRACE")) rg_gc_set_debug(h, dbg | RG_GC_DEBUG_STATS | RG_GC_DEBUG_COLLECTABLE);
    /* Deleting garbage that references a frozen object can free the frozen
     * object and leave what only it held as new garbage (a frozen object
     * is no candidate), for the next collection: collect until one finds
     * nothing. */
    for (int round = 0; round < 10 && rg_gc_collect(h, 2) > 0; round++) {
    }
    rg_gc_set_debug(h, dbg);
    size_t n = 0;
    for (int i = 0; i < 5; i++) hrefs[n++] = fixed[i];
    for (size_t i = 0; i < nheld; i++) hrefs[n++] = held[i];
    for (size_t i = 0; i < nstash; i++) hrefs[n++] = stash[i];
    return check_all(h, hrefs, n);
}

static int find_id(rg_object *o, void *arg) {
    rg_object **want = arg;
    if (rg_id(o) == (uint64_t)(uintptr_t)*want) {
        *want = o;
        return 1;
    }
    return 0;
}

static void trace_id(rg_heap *h, uint64_t id) {
    rg_object *o = (rg_object *)(uintptr_t)id;
    if (!rg_heap_foreach(h, find_id, &o)) return;
    fprintf(stderr, "   #%llu refcount %ld gen %d\n", (unsigned long long)id, (long)rg_refcount(o), rg_gc_generation(o));
    rg_referrers(o, print_referrer, NULL);
}

static size_t run_hostile(uint64_t seed, int steps) {
    rng = seed * 0x9E3779B97F4A7C15ull + 7;
    rg_heap *h = next(2) ? heap_new_each_block() : heap_new();
    rg_object *cls = rg_class_new(h, "C"), *fcls = rg_class_new(h, "F"), *lcls = rg_class_new(h, "L"),
              *gcls = rg_class_new(h, "G");
    rg_class_set_finalizer(fcls, fin_resurrect_some, 0);
    rg_class_set_finalizer(lcls, fin_resurrect_some, 1);
    rg_class_set_finalizer(gcls, fin_hostile, 0);
    resurrected = rg_list_new(h);
    rg_object *fixed[5] = {cls, fcls, lcls, gcls, resurrected};
    nheld = 0;
    nstash = 0;
    int callback = next(2);
    if (callback) rg_gc_callback_add(h, gc_hostile, NULL);
    if (next(2)) rg_gc_set_threshold(h, 3 + next(30), 1 + next(4), 1 + next(4));
    size_t missed = 0;
    int frames = 0;
    const char *trace = getenv("RG_CLEAN_TRACE");
    for (int s = 0; s < steps && !missed; s++) {
        unsigned op = next(100);
        if (trace) {
            fprintf(stderr, "step %d op %u fail_at %ld held:", s, op, ALLOC.fail_at);
            for (size_t i = 0; i < nheld; i++)
                fprintf(stderr, " %s#%llu/%ld", rg_type_name(held[i]), (unsigned long long)rg_id(held[i]),
                        (long)rg_refcount(held[i]));
            fprintf(stderr, " | resurrected %zu stash %zu\n", rg_list_size(resurrected), nstash);
            if (getenv("RG_CLEAN_TRACE_ID")) trace_id(h, (uint64_t)atol(getenv("RG_CLEAN_TRACE_ID")));
        }
        if (op < 12 || nheld < 2) { /* new objects */
            switch (next(9)) {
            case 0: hold(rg_list_new(h)); break;
            case 1: hold(rg_dict_new(h)); break;
            case 2: hold(rg_instance_new(h, cls)); break;
            case 3: hold(rg_instance_new(h, fcls)); break;
            case 4: hold(rg_instance_new(h, next(2) ? lcls : gcls)); break;
            case 5: hold(rg_object_new(h, &fnode_type)); break;
            case 6: {
                rg_object *t = nheld ? reachable_one() : NULL;
                if (t) hold(rg_weakref_new(h, t, next(2) ? wr_callback : NULL, NULL));
                break;
            }
            default: {
                rg_object *none = rg_none_new(h);
                hold(rg_tuple_pack(h, 2, nheld ? held[next((unsigned)nheld)] : none,
                                   nheld ? held[next((unsigned)nheld)] : none));
                rg_decref(none);
            }
            }
        } else if (op < 34) { /* a store: the value may be old and clean */
            rg_object *into = reachable_one(), *value = next(3) ? reachable_one() : held[next((unsigned)nheld)];
            if (!into || !value) continue;
            if (trace)
                fprintf(stderr, "  store %s#%llu into %s#%llu\n", rg_type_name(value), (unsigned long long)rg_id(value),
                        rg_type_name(into), (unsigned long long)rg_id(into));
            if (rg_type_of(into) == &fnode_type)
                fnode_set(into, (int)next(2), value);
            else if (rg_is_dict(into) && next(3) == 0 && rg_type_of(value) != &rg_list_type &&
                     rg_type_of(value) != &rg_dict_type)
                rg_dict_set(into, value, held[next((unsigned)nheld)]); /* a container as key */
            else if (is_container(into))
                store(into, value, next(3) == 0);
        } else if (op < 42) { /* a reference we give up, moved into a container */
            unsigned i = next((unsigned)nheld);
            rg_object *into = reachable_one();
            if (into && is_container(into) && into != held[i]) {
                rg_object *value = take(i);
                if (next(2)) {
                    store(into, value, 0);
                    rg_decref(value);
                } else {
                    char name[16];
                    snprintf(name, sizeof name, "k%u", next(4));
                    if (rg_is_list(into))
                        rg_list_insert_new(into, 0, value);
                    else if (rg_is_dict(into))
                        rg_dict_setstr_new(into, name, value);
                    else
                        rg_setattr_new(into, name, value);
                }
            }
        } else if (op < 50) { /* removals */
            rg_object *from = reachable_one();
            if (from && rg_type_of(from) == &fnode_type)
                fnode_set(from, (int)next(2), NULL);
            else if (from && is_container(from))
                remove_one(from);
        } else if (op < 58) { /* a touch, now or held for a while */
            touch_one();
        } else if (op < 66) { /* the program drops a reference */
            rg_decref(take(next((unsigned)nheld)));
        } else if (op < 69) { /* a weakref's referent becomes ours again */
            rg_object *o = held[next((unsigned)nheld)];
            if (rg_type_of(o) == &rg_weakref_type && rg_weakref_get(o)) {
                rg_incref(rg_weakref_get(o));
                hold(rg_weakref_get(o));
            }
        } else if (op < 72) { /* C-held references go back to the program, or go */
            if (nstash) {
                rg_object *o = stash[--nstash];
                if (next(2))
                    hold(o);
                else
                    rg_decref(o);
            }
        } else if (op < 75) { /* globals and frames */
            char name[16];
            snprintf(name, sizeof name, "g%u", next(6));
            if (next(2))
                rg_global_set(h, name, reachable_one());
            else if (next(2))
                rg_global_del(h, name);
            else if (frames < 3 && next(2)) {
                rg_frame_push(h, "f");
                frames++;
                rg_local_set(h, "x", reachable_one());
            } else if (frames) {
                rg_frame_pop(h);
                frames--;
            }
        } else if (op < 78) { /* what finalizers and callbacks saved goes back to the program */
            if (rg_list_size(resurrected) && next(2)) hold(rg_list_pop(resurrected, 0));
        } else if (op < 81) { /* the garbage list */
            rg_object *g = rg_gc_garbage(h);
            if (g && rg_list_size(g)) {
                if (next(2))
                    hold(rg_list_pop(g, -1));
                else
                    rg_list_clear(g);
            }
        } else if (op < 83) { /* SAVEALL on or off */
            rg_gc_set_debug(h, next(2) ? RG_GC_DEBUG_SAVEALL : 0);
        } else if (op < 85) { /* freezing */
            if (next(2))
                rg_gc_freeze(h);
            else
                rg_gc_unfreeze(h);
        } else if (op < 86) { /* many full collections: past an epoch */
            unsigned n = 200 + next(120);
            for (unsigned i = 0; i < n; i++) {
                if (next(2)) {
                    rg_object *x = rg_list_new(h);
                    rg_list_append(x, x);
                    rg_decref(x);
                }
                rg_gc_collect(h, 2);
            }
        } else if (op < 88) { /* a window of failing allocations */
            ALLOC.fail_at = ALLOC.count + 1 + next(20);
        } else if (op < 90) {
            ALLOC.fail_at = 0;
        } else if (op < 95) {
            rg_gc_collect(h, (int)next(3));
        } else {
            long saved_fail = ALLOC.fail_at;
            ALLOC.fail_at = 0; /* the oracle allocates (the garbage list) */
            missed += hostile_check(h, fixed);
            ALLOC.fail_at = saved_fail;
        }
    }
    ALLOC.fail_at = 0;
    if (!missed) missed += hostile_check(h, fixed);
    if (callback) rg_gc_callback_remove(h, gc_hostile, NULL);
    rg_gc_set_debug(h, 0);
    rg_gc_unfreeze(h);
    while (frames--) rg_frame_pop(h);
    while (nheld) rg_decref(held[--nheld]);
    while (nstash) rg_decref(stash[--nstash]); /* finalizers run by these may stash more */
    rg_object *saved = resurrected;
    resurrected = NULL; /* first: finalizers and callbacks run from here on do nothing */
    rg_decref(saved);
    rg_decref(cls);
    rg_decref(fcls);
    rg_decref(lcls);
    rg_decref(gcls);
    unsigned before = CU_get_number_of_failures();
    heap_end(h);
    if (CU_get_number_of_failures() != before) missed++;
    nstash = 0; /* teardown's finalizers may have stashed: heap_end freed it all */
    return missed;
}

static void test_hostile_programs(void) {
    const char *env = getenv("RG_CLEAN_HOSTILE");
    long programs = env ? atol(env) : 150;
    const char *first = getenv("RG_CLEAN_HOSTILE_FIRST");
    long from = first ? atol(first) : 1;
    size_t failed = 0;
    int verbose = getenv("RG_CLEAN_SEEDS") != NULL;
    const char *steps_env = getenv("RG_CLEAN_HOSTILE_STEPS");
    int steps = steps_env ? atoi(steps_env) : 300;
    for (long seed = from; seed < from + programs; seed++) {
        if (verbose) fprintf(stderr, "hostile seed %ld\n", seed);
        if (run_hostile((uint64_t)seed, steps)) {
            if (failed++ < 5) fprintf(stderr, "  (hostile program seed %ld)\n", seed);
        }
    }
    CU_ASSERT_EQUAL(failed, 0);
}

static void test_random_programs(void) {
    const char *env = getenv("RG_CLEAN_PROGRAMS");
    long programs = env ? atol(env) : 400;
    size_t failed = 0;
    for (long seed = 1; seed <= programs; seed++) {
        if (run_program((uint64_t)seed, 400)) {
            if (failed++ < 5) fprintf(stderr, "  (program seed %ld)\n", seed);
        }
    }
    CU_ASSERT_EQUAL(failed, 0);
}

/* a <-> b, two lists; returns a (ours; b only a's). */
static rg_object *two_cycle(rg_heap *h) {
    rg_object *a = rg_list_new(h), *b = rg_list_new(h);
    rg_list_append(a, b);
    rg_list_append(b, a);
    rg_decref(b);
    return a;
}

/* ---- what clean objects buy, and the cases they must get right ---------------------- */

static size_t examined(rg_heap *h) {
    rg_gc_genstats st[3];
    rg_gc_get_stats(h, st);
    return st[2].examined;
}

/* A binary tree of n lists; returns the root (ours). */
static rg_object *tree(rg_heap *h, int n, rg_object **nodes) {
    for (int i = 0; i < n; i++) nodes[i] = rg_list_new(h);
    for (int i = n - 1; i > 0; i--) rg_list_append_new(nodes[(i - 1) / 2], nodes[i]);
    return nodes[0];
}

static void test_touched_tree_costs_nothing(void) {
    rg_heap *h = heap_new();
    rg_object *nodes[1000];
    rg_object *root = tree(h, 1000, nodes);
    rg_gc_collect(h, 2);
    size_t before = examined(h);
    CU_ASSERT(before >= 1000); /* the first collection looked at every node */
    for (int i = 0; i < 1000; i++) { /* the program touches every node */
        rg_incref(nodes[i]);
        rg_decref(nodes[i]);
    }
    CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 0);
    CU_ASSERT_EQUAL(examined(h), before); /* nothing changed: nothing to examine */
    /* A node cut out of the tree into a cycle of its own: examined, freed. */
    rg_object *leaf = nodes[999], *parent = nodes[499];
    rg_list_append(leaf, leaf);
    rg_list_clear(parent); /* drops 998 and 999 */
    CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 1);
    CU_ASSERT(examined(h) - before < 10);
    rg_decref(root);
    heap_end(h);
}

/* The scan meets an object twice when it first takes it as garbage and
 * later reaches it: examined counts it once. */
static void test_examined_counts_each_object_once(void) {
    rg_heap *h = heap_new();
    rg_object *b = rg_list_new(h), *a = rg_list_new(h); /* b first on the list */
    rg_list_append(a, b);
    rg_decref(b);
    rg_gc_unfreeze(h); /* nothing frozen: the next full collection scans everything */
    size_t before = examined(h);
    CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 0);
    CU_ASSERT_EQUAL(examined(h) - before, 2);
    rg_decref(a);
    heap_end(h);
}

/* An old object's reference swapped for one the program took after the
 * collection: the count is back at what the collection saw, but the cycle
 * is garbage once the second reference goes too. */
static void test_swapped_reference(void) {
    rg_heap *h = heap_new();
    rg_object *a = two_cycle(h);
    rg_gc_collect(h, 2); /* a: our reference and b's */
    rg_incref(a);        /* a second reference of ours */
    rg_decref(a);        /* the first goes: the count is what the collection saw */
    CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 0);
    rg_decref(a); /* the second goes: a and b are garbage */
    CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 2);
    heap_end(h);
}

/* An old object stored into a new container, then the program's reference
 * dropped: the count is what the collection saw, but the referrer is new. */
static void test_old_object_stored_then_dropped(void) {
    rg_heap *h = heap_new();
    rg_object *a = rg_list_new(h);
    rg_gc_collect(h, 2); /* a is clean, refcount 1 (ours) */
    rg_object *n = rg_list_new(h);
    rg_list_append(n, a); /* a: 2 */
    rg_list_append(a, n); /* n: 2 */
    rg_decref(n);
    rg_decref(a); /* a: 1, what the collection saw; the cycle is garbage */
    CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 2);
    heap_end(h);
}

/* The same through a stealing call and through a pop. */
static void test_old_object_stolen_and_popped(void) {
    rg_heap *h = heap_new();
    rg_object *a = rg_list_new(h), *holder = rg_list_new(h);
    rg_list_append(holder, a);
    rg_gc_collect(h, 2); /* a: ours and holder's */
    rg_object *n = rg_list_new(h);
    rg_list_append_new(n, a); /* our reference moves into n */
    rg_list_append(a, n);
    rg_decref(n);
    rg_object *p = rg_list_pop(holder, 0); /* holder's reference becomes ours */
    CU_ASSERT_PTR_EQUAL(p, a);
    rg_decref(p); /* a and n are garbage; a's count is 1 */
    CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 2);
    rg_decref(holder);
    heap_end(h);
}

/* Clean objects that a full collection does not examine (another part of
 * the heap changed) must not keep a baseline from an older collection. */
static void test_unexamined_clean_objects(void) {
    rg_heap *h = heap_new();
    rg_object *a = two_cycle(h);
    rg_gc_collect(h, 2); /* a: 2 (ours, b's), b: 1 */
    rg_incref(a);         /* a: 3 */
    for (int i = 0; i < 300; i++) { /* more full collections than epochs */
        rg_object *x = rg_list_new(h), *y = rg_list_new(h);
        rg_list_append(x, y);
        rg_list_append_new(y, x); /* garbage elsewhere: each collection examines only it */
        rg_decref(y);
        CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 2);
    }
    rg_decref(a); /* a: 2 */
    rg_decref(a); /* a: 1: a and b are garbage */
    CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 2);
    heap_end(h);
}

/* Freezing, then unfreezing, old clean objects. */
static void test_freeze_clean_objects(void) {
    rg_heap *h = heap_new();
    rg_object *a = two_cycle(h);
    rg_gc_collect(h, 2);
    rg_incref(a);
    rg_gc_freeze(h);
    rg_decref(a); /* while frozen */
    CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 0);
    rg_gc_unfreeze(h);
    rg_decref(a);
    CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 2);
    heap_end(h);
}

/* A dict that is untracked by a collection, then tracked again by a store. */
static void test_dict_retracked(void) {
    rg_heap *h = heap_new();
    rg_object *d = rg_dict_new(h), *l = rg_list_new(h);
    rg_dict_setstr_new(d, "x", rg_int_new(h, 1));
    rg_list_append(l, d);
    rg_gc_collect(h, 2); /* d holds only an int: untracked */
    CU_ASSERT_FALSE(rg_gc_is_tracked(d));
    rg_decref(d);             /* d: 1 (l's), unrecorded while untracked */
    rg_dict_setstr(d, "l", l); /* tracked again, and a cycle */
    rg_decref(l);
    CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 2);
    heap_end(h);
}

static void fin_nothing(rg_object *self) { (void)self; }

/* An uncollectable cycle (a legacy finalizer) while the garbage list
 * cannot be created: the collection keeps the cycle, unreferenced, in the
 * old generation. The next full collection must find it again (and put it
 * on the list), not skip it as untouched. */
static void test_uncollectable_without_garbage_list(void) {
    rg_heap *h = heap_new_each_block(); /* so that the list's allocation can fail */
    rg_object *cls = rg_class_new(h, "L");
    rg_class_set_finalizer(cls, fin_nothing, 1);
    rg_object *a = rg_instance_new(h, cls), *b = rg_list_new(h);
    rg_setattr(a, "b", b);
    rg_list_append(b, a);
    rg_decref(b);
    rg_decref(a);
    ALLOC.fail_at = ALLOC.count + 1; /* the garbage list's allocation fails */
    CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 2);
    CU_ASSERT_EQUAL(ALLOC.failures, 1);
    ALLOC.fail_at = 0;
    /* The next collection finds the two again and saves them. */
    CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 2);
    CU_ASSERT_EQUAL(rg_list_size(rg_gc_garbage(h)), 2);
    rg_decref(cls);
    heap_end(h);
}

/* The garbage list's first allocation runs an automatic collection that
 * saves garbage (SAVEALL), and so makes the list itself: the list the
 * outer call allocated must not replace it (that lost the saved garbage
 * and leaked the first list: found by the hostile programs). */
static void test_garbage_list_made_by_its_own_allocation(void) {
    rg_heap *h = heap_new();
    rg_gc_set_debug(h, RG_GC_DEBUG_SAVEALL);
    rg_object *a = rg_list_new(h);
    rg_list_append(a, a);
    rg_decref(a);                       /* garbage in generation 0 */
    rg_gc_set_threshold(h, 1, 100, 100); /* the next container's allocation collects */
    rg_object *g = rg_gc_garbage(h);
    CU_ASSERT_EQUAL(rg_list_size(g), 1);
    CU_ASSERT_PTR_EQUAL(rg_list_get(g, 0), a);
    CU_ASSERT_PTR_EQUAL(rg_gc_garbage(h), g);
    rg_gc_set_debug(h, 0);
    heap_end(h); /* no list leaked */
}

/* Refcounts at the baseline's 12-bit edge (the header's aux: a 4-bit
 * epoch above it): an object whose count does not fit is not made clean
 * (every decrement records it, and the next full collection examines it);
 * one at the largest that fits is clean (touching it records nothing) and
 * keeps its baseline whole. A truncated baseline would let the program
 * drop references unrecorded. */
static void clean_at_refcount(uint32_t count, int clean) {
    rg_heap *h = heap_new();
    rg_object *a = two_cycle(h); /* a: ours and b's */
    for (uint32_t i = 2; i < count; i++) rg_incref(a);
    CU_ASSERT_EQUAL(rg_refcount(a), (intptr_t)count);
    CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 0);
    rg_incref(a); /* a touch */
    rg_decref(a);
    size_t before = examined(h);
    CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 0);
    CU_ASSERT_EQUAL(examined(h) == before, clean);
    for (uint32_t i = 1; i < count; i++) rg_decref(a); /* all ours: a and b are garbage */
    CU_ASSERT_EQUAL(rg_refcount(a), 1);
    CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 2);
    heap_end(h);
}

static void test_refcount_at_baseline_edge(void) {
    clean_at_refcount(0xfffu, 1);      /* the largest baseline */
    clean_at_refcount(0x1000u, 0);     /* one more: not clean */
    clean_at_refcount(0x1000000u, 0);  /* far above */
}

/* A gc callback that moves a clean object's references while the next
 * full collection starts: the container's reference becomes the
 * callback's, which it drops at the stop. */
static rg_object *cb_holder, *cb_taken;

static void cb_move(rg_heap *h, rg_gc_phase phase, const rg_gc_info *info, void *ud) {
    (void)h;
    (void)ud;
    if (info->generation != 2) return;
    if (phase == RG_GC_START && cb_holder && rg_list_size(cb_holder)) cb_taken = rg_list_pop(cb_holder, 0);
    if (phase == RG_GC_STOP && cb_taken) {
        rg_object *t = cb_taken;
        cb_taken = NULL;
        rg_decref(t);
    }
}

static void test_gc_callback_moves_references(void) {
    rg_heap *h = heap_new();
    rg_object *a = rg_list_new(h), *b = rg_list_new(h);
    cb_holder = rg_list_new(h);
    rg_list_append(a, b);
    rg_list_append(b, a);
    rg_decref(b);
    rg_list_append(cb_holder, a);
    rg_decref(a); /* a: cb_holder's and b's */
    CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 0);
    rg_gc_callback_add(h, cb_move, NULL);
    /* The start takes cb_holder's reference (a is reachable through the
     * callback's), the stop drops it: a and b are garbage after. */
    CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 0);
    CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 2);
    rg_gc_callback_remove(h, cb_move, NULL);
    rg_decref(cb_holder);
    cb_holder = NULL;
    heap_end(h);
}

/* A cycle's member revived through a weakref (a borrowed pointer made a
 * reference) after the program dropped it, then dropped again. */
static void test_revived_through_weakref(void) {
    rg_heap *h = heap_new();
    rg_object *a = two_cycle(h);
    rg_object *w = rg_weakref_new(h, a, NULL, NULL);
    CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 0); /* a clean: ours and b's */
    rg_decref(a);                            /* garbage now */
    rg_object *again = rg_weakref_get(w);
    CU_ASSERT_PTR_EQUAL(again, a);
    rg_incref(again); /* reachable again: the count is what the collection saw */
    CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 0);
    rg_incref(again);
    rg_decref(again); /* a touch at the new baseline */
    CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 0);
    rg_decref(again);
    CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 2);
    CU_ASSERT_PTR_NULL(rg_weakref_get(w));
    rg_decref(w);
    heap_end(h);
}

/* A finalizer run by a full collection freezes the heap, right after the
 * scan made its survivors clean; the program drops its reference to a
 * cycle while frozen, then unfreezes. */
static void fin_freeze(rg_object *self) { rg_gc_freeze(rg_object_heap(self)); }

static void test_freeze_from_finalizer(void) {
    rg_heap *h = heap_new();
    rg_object *cls = rg_class_new(h, "Z");
    rg_class_set_finalizer(cls, fin_freeze, 0);
    rg_object *a = two_cycle(h);
    rg_object *z = rg_instance_new(h, cls);
    rg_setattr(z, "me", z);
    rg_decref(z); /* garbage with a finalizer */
    CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 1);
    CU_ASSERT_EQUAL(rg_gc_generation(a), 3); /* frozen by the finalizer */
    rg_decref(a);
    CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 0); /* frozen objects are not candidates */
    rg_gc_unfreeze(h);
    CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 2);
    rg_decref(cls);
    heap_end(h);
}

/* A legacy-finalizer object reachable only from plain garbage (not in a
 * cycle itself) is kept out of the deletion, then freed by it at refcount
 * zero: its finalizer runs then (tp_del) and binds it to a global. It must
 * come back with the collector's working count at 0, as every tracked
 * object has outside collections: a full collection that examines
 * everything counts on it, and a stale count makes the global's object
 * look unreferenced (uncollectable, or freed once the finalizer goes). */
static void fin_bind_global(rg_object *self) { rg_global_set(rg_object_heap(self), "kept", self); }

static void test_legacy_object_resurrected_at_refcount_zero(void) {
    rg_heap *h = heap_new();
    rg_object *cls = rg_class_new(h, "L");
    rg_class_set_finalizer(cls, fin_bind_global, 1);
    rg_object *d = rg_list_new(h), *l = rg_instance_new(h, cls);
    rg_list_append(d, d);
    rg_list_append(d, l);
    rg_decref(l);
    rg_decref(d); /* d: a cycle holding l */
    CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 1); /* d freed; l's finalizer binds it */
    CU_ASSERT_PTR_EQUAL(rg_global_get(h, "kept"), l);
    CU_ASSERT_EQUAL(rg_refcount(l), 1);
    rg_class_set_finalizer(cls, NULL, 0); /* no finalizer any more: plain garbage would be freed */
    rg_gc_unfreeze(h); /* the next full collection examines everything */
    CU_ASSERT_EQUAL(rg_gc_collect(h, 2), 0); /* was 1: l freed, the global left dangling */
    CU_ASSERT_EQUAL(MISUSE.count, 0);
    CU_ASSERT_EQUAL(rg_refcount(rg_global_get(h, "kept")), 1);
    rg_global_del(h, "kept");
    rg_decref(cls);
    heap_end(h);
}

int main(void) {
    static const test_case cases[] = {
        {"a touched old tree costs no collection work", test_touched_tree_costs_nothing},
        {"examined counts each object once", test_examined_counts_each_object_once},
        {"a reference swapped for a newer one", test_swapped_reference},
        {"an old object stored into a new container", test_old_object_stored_then_dropped},
        {"an old object stolen and popped", test_old_object_stolen_and_popped},
        {"clean objects no collection examines", test_unexamined_clean_objects},
        {"freezing clean objects", test_freeze_clean_objects},
        {"a dict untracked, then tracked again", test_dict_retracked},
        {"an uncollectable cycle while the garbage list cannot be made", test_uncollectable_without_garbage_list},
        {"a legacy object resurrected at refcount zero by a collection", test_legacy_object_resurrected_at_refcount_zero},
        {"the garbage list made by its own allocation's collection", test_garbage_list_made_by_its_own_allocation},
        {"refcounts at the baseline's 12-bit edge", test_refcount_at_baseline_edge},
        {"a gc callback that moves references", test_gc_callback_moves_references},
        {"a cycle revived through a weakref", test_revived_through_weakref},
        {"a finalizer that freezes the heap", test_freeze_from_finalizer},
        {"random programs against a reachability oracle", test_random_programs},
        {"hostile random programs against the oracle", test_hostile_programs},
        {NULL, NULL},
    };
    return run_suite("gc_clean", cases);
}
