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

static int check_one(rg_object *o, void *arg) {
    check *c = arg;
    c->tracked++;
    if (!ptrset_has(c->live, o) && c->missed++ < 5)
        fprintf(stderr, "garbage survived a full collection: %s id %llu refcount %ld\n", rg_type_name(o),
                (unsigned long long)rg_id(o), (long)rg_refcount(o));
    return 0;
}

/* Collects every generation, then returns how many tracked objects the
 * program's references do not reach (0 unless garbage was missed). */
static size_t collect_and_check(rg_heap *h, rg_object **refs, size_t nrefs) {
    rg_gc_collect(h, 2);
    walk w = {{NULL, 0, 0}, NULL, 0, 0};
    for (size_t i = 0; i < nrefs; i++) walk_push(&w, refs[i]);
    for (size_t i = 0; i < rg_global_count(h); i++) {
        const char *name;
        rg_object *v;
        rg_global_at(h, i, &name, &v);
        walk_push(&w, v);
    }
    for (size_t d = 0; d < rg_frame_depth(h); d++)
        for (size_t i = 0; i < rg_frame_local_count(h, d); i++) {
            const char *name;
            rg_object *v;
            rg_frame_local_at(h, d, i, &name, &v);
            walk_push(&w, v);
        }
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

static int rg_is_list(const rg_object *o) { return o->type == &rg_list_type; }
static int rg_is_dict(const rg_object *o) { return o->type == &rg_dict_type; }
static int is_container(const rg_object *o) {
    return rg_is_list(o) || rg_is_dict(o) || o->type == &rg_instance_type;
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
            rg_object *o = reachable_one();
            if (o) {
                rg_incref(o);
                if (next(2))
                    rg_decref(o);
                else
                    hold(o);
            }
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

/* An old object's reference swapped for one the program took after the
 * collection: the count is back at what the collection saw, but the cycle
 * is garbage once the second reference goes too. */
static void test_swapped_reference(void) {
    rg_heap *h = heap_new();
    rg_object *a = rg_list_new(h), *b = rg_list_new(h);
    rg_list_append(a, b);
    rg_list_append(b, a);
    rg_decref(b);
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
    rg_object *a = rg_list_new(h), *b = rg_list_new(h);
    rg_list_append(a, b);
    rg_list_append(b, a);
    rg_decref(b);
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
    rg_object *a = rg_list_new(h), *b = rg_list_new(h);
    rg_list_append(a, b);
    rg_list_append(b, a);
    rg_decref(b);
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

int main(void) {
    static const test_case cases[] = {
        {"a touched old tree costs no collection work", test_touched_tree_costs_nothing},
        {"a reference swapped for a newer one", test_swapped_reference},
        {"an old object stored into a new container", test_old_object_stored_then_dropped},
        {"an old object stolen and popped", test_old_object_stolen_and_popped},
        {"clean objects no collection examines", test_unexamined_clean_objects},
        {"freezing clean objects", test_freeze_clean_objects},
        {"a dict untracked, then tracked again", test_dict_retracked},
        {"random programs against a reachability oracle", test_random_programs},
        {NULL, NULL},
    };
    return run_suite("gc_clean", cases);
}
