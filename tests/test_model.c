/* test_model.c — randomised programs against a reachability oracle.
 *
 * Each program creates objects of every type (a user-defined container
 * type too), links and unlinks them with borrowing and with stealing calls
 * (the _new variants, and a new container handed to itself), binds and
 * unbinds roots, pushes and pops frames, collects random generations and
 * uses finalizers that resurrect (into a list, and into a cycle of their
 * own, both from a collection and at refcount zero). The test keeps its own model of the graph
 * (edges as the program made them, roots, and what finalizers reported) and
 * after every step checks the heap against it:
 *   - every object reachable from the roots is alive;
 *   - every live object's refcount equals the strong references the model
 *     expects from live objects and roots (so nothing refcounting could
 *     free is left alive, and nothing referenced was freed);
 *   - a weakref is dead exactly when its referent is gone;
 *   - after a full collection, exactly the reachable objects are alive;
 *   - after teardown, nothing is left.
 * A failing program prints its seed; RG_MODEL_SEED=<seed> replays it alone
 * and RG_MODEL_PROGRAMS sets how many run. */
#include <inttypes.h>
#include <stdarg.h>

#include "testheap.h"

#define MAXID 4096 /* ids of one program stay below this */
#define MAXE 12    /* references per container */
#define NGLOBALS 5
#define NLOCALS 3
#define MAXFRAMES 4

enum kind { K_INT, K_STR, K_LIST, K_TUPLE, K_DICT, K_INST, K_CLASS, K_WEAK, K_PAIR, K_NKINDS };

typedef struct slot {
    char name[8]; /* dict key text or attribute name */
    int key;      /* dict key object id, or 0 */
    int val;      /* target id */
} slot;

typedef struct mobj {
    int kind, n, cls, weak; /* cls: an instance's class; weak: a weakref's target */
    slot s[MAXE];
    rg_object *ptr;
} mobj;

typedef struct model {
    mobj o[MAXID];
    int globals[NGLOBALS];
    int locals[MAXFRAMES][NLOCALS];
    int nframes;
    int saved;      /* the list resurrecting finalizers append to */
    int ending;     /* teardown: finalizers no longer resurrect */
    int full_scans; /* every full collection scans all candidates, not the roots */
    unsigned char ever_unreachable[MAXID]; /* garbage once: resurrected if alive */
    unsigned char weak_dead[MAXID];        /* a weakref seen dead stays dead */
    int classes[3]; /* plain, phoenix, selfish */
    uint64_t rng;
    rg_heap *h;
    int failed;
    char why[256];
} model;

static model M;

static uint64_t rnd(void) {
    M.rng ^= M.rng << 13;
    M.rng ^= M.rng >> 7;
    M.rng ^= M.rng << 17;
    return M.rng;
}
static int pick(int n) { return (int)(rnd() % (uint64_t)n); }

static void fail(const char *fmt, ...) {
    if (M.failed) return;
    M.failed = 1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(M.why, sizeof M.why, fmt, ap);
    va_end(ap);
}

static int id_of(rg_object *o) { return (int)rg_id(o); }

/* The finalizer of class Phoenix: resurrects self into the saved list. The
 * model learns of it through the list itself (see sync_saved). */
static void phoenix(rg_object *self) {
    if (M.ending) return;
    rg_object *saved = M.o[M.saved].ptr;
    if (rg_list_size(saved) < MAXE) rg_list_append(saved, self);
}

/* The finalizer of class Selfish: resurrects self into a cycle of its own
 * (self.me = self), and tells the model of the new edge. */
static void selfish(rg_object *self) {
    if (M.ending) return;
    int id = id_of(self);
    if (id >= MAXID) return;
    mobj *o = &M.o[id];
    for (int i = 0; i < o->n; i++)
        if (strcmp(o->s[i].name, "me") == 0) return;
    if (o->n >= MAXE || rg_setattr(self, "me", self)) return;
    o->s[o->n] = (slot){"me", 0, id};
    o->n++;
}

/* A user-defined container type: two references the heap never sees change
 * (set directly by this file, as a C extension's struct fields would be). */
typedef struct pair {
    rg_object ob;
    rg_object *a, *b;
} pair;

static int pair_traverse(rg_object *self, rg_visit_fn visit, void *arg) {
    pair *p = (pair *)self;
    int rc = 0;
    if (p->a) rc = visit(p->a, (rg_label){RG_LABEL_NAME, {.name = "a"}}, arg);
    if (!rc && p->b) rc = visit(p->b, (rg_label){RG_LABEL_NAME, {.name = "b"}}, arg);
    return rc;
}
static void pair_clear(rg_object *self) {
    pair *p = (pair *)self;
    rg_object *a = p->a, *b = p->b;
    p->a = p->b = NULL;
    rg_decref(a);
    rg_decref(b);
}
static const rg_type pair_type = {
    .name = "pair",
    .basic_size = sizeof(pair),
    .traverse = pair_traverse,
    .clear = pair_clear,
};

/* Stores v (a reference the caller hands over) in slot "a" or "b". */
static void pair_store_new(rg_object *self, const char *name, rg_object *v) {
    pair *p = (pair *)self;
    rg_object **f = name[0] == 'a' ? &p->a : &p->b;
    rg_object *old = *f;
    *f = v;
    rg_decref(old);
}

/* Mirrors the saved list into the model: finalizers append to it. */
static void sync_saved(void) {
    mobj *s = &M.o[M.saved];
    size_t n = rg_list_size(s->ptr);
    for (size_t i = (size_t)s->n; i < n; i++) {
        s->s[i].val = id_of(rg_list_get(s->ptr, (ptrdiff_t)i));
        s->s[i].key = 0;
    }
    s->n = (int)n;
}

/* ---- the oracle -------------------------------------------------------------- */

static int trace;
static unsigned char live[MAXID], reach[MAXID];
static int indeg[MAXID];

static int mark_live(rg_object *o, void *arg) {
    (void)arg;
    uint64_t id = rg_id(o);
    if (id >= MAXID) {
        fail("object id %" PRIu64 " beyond the model", id);
        return 1;
    }
    live[id] = 1;
    return 0;
}

static void add_root(int id) {
    if (id) indeg[id]++;
}

static void check(int after_full_collect) {
    if (M.failed) return;
    sync_saved();
    rg_heap_stats st;
    rg_heap_get_stats(M.h, &st);
    int top = st.max_id + 1 < MAXID ? (int)st.max_id + 1 : MAXID; /* ids in use */
    memset(live, 0, (size_t)top);
    memset(reach, 0, (size_t)top);
    memset(indeg, 0, (size_t)top * sizeof indeg[0]);
    rg_heap_foreach(M.h, mark_live, NULL);
    /* reachability from the roots, over the model's strong edges */
    int stack[MAXID], sp = 0;
    for (int i = 0; i < NGLOBALS; i++)
        if (M.globals[i]) stack[sp++] = M.globals[i];
    for (int f = 0; f < M.nframes; f++)
        for (int i = 0; i < NLOCALS; i++)
            if (M.locals[f][i]) stack[sp++] = M.locals[f][i];
    stack[sp++] = M.saved;
    stack[sp++] = M.classes[0];
    stack[sp++] = M.classes[1];
    stack[sp++] = M.classes[2];
    while (sp) {
        int id = stack[--sp];
        if (reach[id]) continue;
        reach[id] = 1;
        mobj *o = &M.o[id];
        for (int i = 0; i < o->n; i++) {
            if (o->s[i].key && !reach[o->s[i].key]) stack[sp++] = o->s[i].key;
            if (!reach[o->s[i].val]) stack[sp++] = o->s[i].val;
        }
        if (o->cls && !reach[o->cls]) stack[sp++] = o->cls;
    }
    /* expected refcounts: roots plus strong edges from live objects */
    for (int i = 0; i < NGLOBALS; i++) add_root(M.globals[i]);
    for (int f = 0; f < M.nframes; f++)
        for (int i = 0; i < NLOCALS; i++) add_root(M.locals[f][i]);
    add_root(M.saved);
    add_root(M.classes[0]);
    add_root(M.classes[1]);
    add_root(M.classes[2]);
    for (int id = 4; id < top; id++) {
        if (!live[id]) continue;
        mobj *o = &M.o[id];
        for (int i = 0; i < o->n; i++) {
            if (o->s[i].key) indeg[o->s[i].key]++;
            indeg[o->s[i].val]++;
        }
        if (o->cls) indeg[o->cls]++;
    }
    for (int id = 4; id < top; id++)
        if (live[id] && !reach[id]) M.ever_unreachable[id] = 1;
    for (int id = 4; id < top && !M.failed; id++) {
        if (reach[id] && !live[id]) fail("reachable object %d was freed", id);
        if (!live[id]) continue;
        mobj *o = &M.o[id];
        if (!o->ptr) {
            fail("live object %d unknown to the model", id);
            break;
        }
        if (rg_refcount(o->ptr) != indeg[id] && trace) {
            printf("object %d kind %d refcount %ld; model referrers:", id, o->kind, (long)rg_refcount(o->ptr));
            for (int j = 4; j < MAXID; j++) {
                if (!live[j]) continue;
                for (int k = 0; k < M.o[j].n; k++)
                    if (M.o[j].s[k].val == id || M.o[j].s[k].key == id) printf(" %d(kind %d)", j, M.o[j].kind);
                if (M.o[j].cls == id) printf(" %d(cls)", j);
            }
            printf("\n");
        }
        if (rg_refcount(o->ptr) != indeg[id])
            fail("object %d: refcount %ld, expected %d", id, (long)rg_refcount(o->ptr), indeg[id]);
        if (after_full_collect && !reach[id])
            fail("unreachable object %d survived a full collection", id);
        if (o->kind == K_WEAK) {
            /* Dead once its referent died, or once it or its referent was
             * found as garbage (the collector clears those weakrefs before
             * finalizers may resurrect); never alive again after that. */
            rg_object *t = rg_weakref_get(o->ptr);
            int target_live = o->weak && live[o->weak];
            int may_be_dead = !target_live || M.ever_unreachable[o->weak] || M.ever_unreachable[id];
            if (t && (!target_live || M.weak_dead[id] || t != M.o[o->weak].ptr))
                fail("weakref %d to %d alive, target live %d", id, o->weak, target_live);
            if (!t && !may_be_dead)
                fail("weakref %d to live %d dead", id, o->weak);
            if (!t) M.weak_dead[id] = 1;
        }
    }
}

/* ---- random programs ----------------------------------------------------------- */

/* A random object the program can reach (so it is surely alive), or 0. */
static int random_reachable(int want_container) {
    static int cand[MAXID];
    int n = 0;
    rg_heap_stats st;
    rg_heap_get_stats(M.h, &st);
    for (int id = 4; id < (int)st.max_id + 1 && id < MAXID; id++) {
        if (!reach[id] || !live[id]) continue;
        int k = M.o[id].kind;
        if (want_container && k != K_LIST && k != K_DICT && k != K_INST && k != K_PAIR) continue;
        cand[n++] = id;
    }
    return n ? cand[pick(n)] : 0;
}

static int remember(rg_object *o, int kind) {
    if (!o) return 0;
    int id = id_of(o);
    if (id >= MAXID) {
        fail("id %d beyond the model", id);
        return 0;
    }
    memset(&M.o[id], 0, sizeof M.o[id]);
    M.o[id].kind = kind;
    M.o[id].ptr = o;
    return id;
}

static int find_slot(mobj *c, const char *name) {
    for (int i = 0; i < c->n; i++)
        if (strcmp(c->s[i].name, name) == 0) return i;
    return -1;
}

/* Stores obj into container cid, mirroring the model. With steal, the
 * caller's reference to obj is handed over (the _new calls) and consumed
 * even when nothing is stored; else obj is borrowed. */
static void store_as(int cid, int vid, int steal) {
    sync_saved(); /* an allocation this step may have run a finalizer */
    mobj *c = &M.o[cid];
    rg_object *v = M.o[vid].ptr;
    char name[8];
    snprintf(name, sizeof name, "k%d", pick(6));
    if (c->kind == K_PAIR) {
        snprintf(name, sizeof name, "%c", pick(2) ? 'a' : 'b');
        if (!steal) rg_incref(v);
        int at = find_slot(c, name);
        if (at >= 0) {
            c->s[at].val = vid;
        } else {
            c->s[c->n] = (slot){"", 0, vid};
            memcpy(c->s[c->n].name, name, sizeof name);
            c->n++;
        }
        pair_store_new(c->ptr, name, v); /* last: the old value's finalizer may look */
        return;
    }
    if (c->kind == K_LIST) {
        if (c->n >= MAXE) {
            if (steal) rg_decref(v);
            return;
        }
        if (c->n && pick(3) == 0) { /* overwrite an item */
            int at = pick(c->n);
            int old = c->s[at].val;
            c->s[at].val = vid;
            (void)old;
            if (steal)
                rg_list_set_new(c->ptr, at, v);
            else
                rg_list_set(c->ptr, at, v);
            return;
        }
        c->s[c->n++] = (slot){"", 0, vid};
        if (steal)
            rg_list_append_new(c->ptr, v);
        else
            rg_list_append(c->ptr, v);
    } else if (c->kind == K_DICT) {
        int at = find_slot(c, name);
        if (at < 0 && c->n >= MAXE) {
            if (steal) rg_decref(v);
            return;
        }
        rg_object *k = rg_str_new(M.h, name);
        int kid = remember(k, K_STR);
        sync_saved();
        c = &M.o[cid];
        if (at >= 0) {
            c->s[at].val = vid;
        } else {
            c->s[c->n] = (slot){"", kid, vid};
            memcpy(c->s[c->n].name, name, sizeof name);
            c->n++;
        }
        if (steal)
            rg_dict_set_new(c->ptr, k, v);
        else
            rg_dict_set(c->ptr, k, v);
        rg_decref(k); /* the dict keeps its original key if it had one */
    } else if (c->kind == K_INST) {
        int at = find_slot(c, name);
        if (at < 0 && c->n >= MAXE) {
            if (steal) rg_decref(v);
            return;
        }
        if (at >= 0) {
            c->s[at].val = vid;
        } else {
            c->s[c->n] = (slot){"", 0, vid};
            memcpy(c->s[c->n].name, name, sizeof name);
            c->n++;
        }
        if (steal)
            rg_setattr_new(c->ptr, name, v);
        else
            rg_setattr(c->ptr, name, v);
    } else if (steal) {
        rg_decref(v);
    }
}

static void store(int cid, int vid) { store_as(cid, vid, 0); }

static void unlink_one(int cid) {
    sync_saved();
    mobj *c = &M.o[cid];
    if (!c->n) return;
    int at = pick(c->n);
    if (c->kind == K_LIST) {
        rg_decref(rg_list_pop(c->ptr, at));
    } else if (c->kind == K_DICT) {
        rg_object *k = M.o[c->s[at].key].ptr;
        rg_dict_del(c->ptr, k);
    } else if (c->kind == K_INST) {
        rg_delattr(c->ptr, c->s[at].name);
    } else if (c->kind == K_PAIR) {
        char name[8];
        memcpy(name, c->s[at].name, sizeof name);
        memmove(&c->s[at], &c->s[at + 1], (size_t)(c->n - at - 1) * sizeof c->s[0]);
        c->n--;
        pair_store_new(c->ptr, name, NULL);
        return;
    } else {
        return;
    }
    memmove(&c->s[at], &c->s[at + 1], (size_t)(c->n - at - 1) * sizeof c->s[0]);
    c->n--;
}

static int *root_slot(char *name, size_t size) {
    if (M.nframes && pick(2)) {
        int i = pick(NLOCALS);
        snprintf(name, size, "l%d", i);
        return &M.locals[M.nframes - 1][i];
    }
    int i = pick(NGLOBALS);
    snprintf(name, size, "g%d", i);
    return &M.globals[i];
}

/* Binds a root to the object; with steal, hands the caller's reference
 * over (rg_global_set_new, rg_local_set_new). */
static void bind_as(int id, int steal) {
    char name[8];
    int *slotp = root_slot(name, sizeof name);
    rg_object *v = M.o[id].ptr;
    *slotp = id;
    if (slotp >= &M.globals[0] && slotp < &M.globals[NGLOBALS])
        steal ? rg_global_set_new(M.h, name, v) : rg_global_set(M.h, name, v);
    else
        steal ? rg_local_set_new(M.h, name, v) : rg_local_set(M.h, name, v);
}

static void bind(int id) { bind_as(id, 0); }

static void unbind(void) {
    char name[8];
    int *slotp = root_slot(name, sizeof name);
    if (!*slotp) return;
    if (slotp >= &M.globals[0] && slotp < &M.globals[NGLOBALS])
        rg_global_del(M.h, name);
    else
        rg_local_del(M.h, name);
    *slotp = 0;
}

static rg_object *make(int kind, int *out_id) {
    rg_object *o = NULL;
    int target = 0;
    switch (kind) {
    case K_INT: o = rg_int_new(M.h, pick(100)); break;
    case K_STR: o = rg_str_new(M.h, "s"); break;
    case K_LIST: o = rg_list_new(M.h); break;
    case K_DICT: o = rg_dict_new(M.h); break;
    case K_INST: o = rg_instance_new(M.h, M.o[M.classes[pick(3)]].ptr); break;
    case K_PAIR: o = rg_object_new(M.h, &pair_type); break;
    case K_TUPLE: {
        int n = pick(3), ids[3] = {0};
        rg_object *items[3] = {NULL};
        for (int i = 0; i < n; i++) {
            ids[i] = random_reachable(0);
            if (!ids[i]) return NULL;
            items[i] = M.o[ids[i]].ptr;
        }
        o = rg_tuple_new(M.h, (size_t)n, items);
        int id = remember(o, K_TUPLE);
        for (int i = 0; i < n; i++) M.o[id].s[i] = (slot){"", 0, ids[i]};
        M.o[id].n = n;
        *out_id = id;
        return o;
    }
    case K_WEAK:
        target = random_reachable(0);
        if (!target) return NULL;
        o = rg_weakref_new(M.h, M.o[target].ptr, NULL, NULL);
        break;
    default: return NULL;
    }
    int id = remember(o, kind);
    if (kind == K_INST) M.o[id].cls = id_of(rg_instance_class(o));
    if (kind == K_WEAK) M.o[id].weak = target;
    *out_id = id;
    return o;
}

static void step(void) {
    int op = pick(100);
    if (trace) printf("step op %d (saved has %zu)\n", op, rg_list_size(M.o[M.saved].ptr));
    if (op < 35) { /* create, then bind or store, borrowing or stealing */
        int id = 0;
        rg_object *o = make(pick(K_NKINDS), &id); /* K_CLASS makes nothing: classes are fixed */
        if (!o) return;
        int c = pick(2) ? random_reachable(1) : 0, steal = pick(2);
        if (c)
            store_as(c, id, steal);
        else
            bind_as(id, steal);
        if (!steal) rg_decref(o);
    } else if (op < 38) {
        /* a new container handed to itself: its only reference is its own
         * (l = []; l.append(l); del l, written with a stealing call) */
        static const int kinds[] = {K_LIST, K_DICT, K_INST, K_PAIR};
        int id = 0;
        rg_object *o = make(kinds[pick(4)], &id);
        if (!o) return;
        store_as(id, id, 1);
    } else if (op < 55) {
        int c = random_reachable(1), v = random_reachable(0);
        if (c && v) store(c, v);
    } else if (op < 70) {
        int c = random_reachable(1);
        if (c) unlink_one(c);
    } else if (op < 80) {
        int v = random_reachable(0);
        if (v && pick(2)) bind(v);
        else unbind();
    } else if (op < 86) {
        if (M.nframes < MAXFRAMES && pick(2)) {
            rg_frame_push(M.h, "f");
            memset(M.locals[M.nframes], 0, sizeof M.locals[0]);
            M.nframes++;
        } else if (M.nframes) {
            rg_frame_pop(M.h);
            M.nframes--;
        }
    } else if (op < 96) {
        int gen = pick(3);
        if (M.full_scans) { /* unfreezing forces the full scan */
            rg_gc_freeze(M.h);
            rg_gc_unfreeze(M.h);
        }
        rg_gc_collect(M.h, gen);
        check(gen == 2);
        return;
    } else if (op < 98) {
        rg_list_clear(M.o[M.saved].ptr); /* the resurrected die again */
        M.o[M.saved].n = 0;
    } else {
        /* freeze and unfreeze: the next full collection scans every
         * candidate instead of starting from the possible roots */
        rg_gc_freeze(M.h);
        rg_gc_unfreeze(M.h);
    }
    check(0);
}

static int run_program(uint64_t seed, int steps) {
    memset(&M, 0, sizeof M);
    M.rng = seed * 2654435761u + 1;
    M.full_scans = (int)(seed & 1); /* half the programs take the other path */
    M.h = heap_new();
    rg_gc_set_threshold(M.h, 1 + pick(20), 1 + pick(5), 1 + pick(5)); /* frequent automatic runs */
    rg_object *saved = rg_list_new(M.h);
    M.saved = remember(saved, K_LIST);
    rg_global_set_new(M.h, "saved", saved);
    rg_object *plain = rg_class_new(M.h, "Plain"), *ph = rg_class_new(M.h, "Phoenix");
    rg_object *self_cls = rg_class_new(M.h, "Selfish");
    rg_class_set_finalizer(ph, phoenix, 0);
    rg_class_set_finalizer(self_cls, selfish, 0);
    M.classes[0] = remember(plain, K_CLASS);
    M.classes[1] = remember(ph, K_CLASS);
    M.classes[2] = remember(self_cls, K_CLASS);
    rg_global_set_new(M.h, "Plain", plain);
    rg_global_set_new(M.h, "Phoenix", ph);
    rg_global_set_new(M.h, "Selfish", self_cls);
    check(0);
    for (int i = 0; i < steps && !M.failed; i++) step();
    if (!M.failed) {
        rg_gc_collect(M.h, 2);
        check(1);
    }
    memset(&MISUSE, 0, sizeof MISUSE);
    M.ending = 1;
    size_t leaked = rg_heap_destroy(M.h);
    if (!M.failed && (leaked || ALLOC.live_bytes || MISUSE.count))
        fail("teardown: %zu leaked, %zu bytes left, %d misuses", leaked, ALLOC.live_bytes, MISUSE.count);
    if (M.failed) printf("\nmodel: seed %" PRIu64 " failed: %s\n", seed, M.why);
    return !M.failed;
}

static void test_random_programs(void) {
    const char *one = getenv("RG_MODEL_SEED"), *count = getenv("RG_MODEL_PROGRAMS");
    trace = getenv("RG_MODEL_TRACE") != NULL;
    if (one) {
        CU_ASSERT(run_program(strtoull(one, NULL, 10), count ? atoi(count) : 150));
        return;
    }
    int programs = count ? atoi(count) : 5000, failures = 0;
    for (int i = 1; i <= programs && failures < 3; i++) failures += !run_program((uint64_t)i, 150);
    CU_ASSERT_EQUAL(failures, 0);
}

int main(void) {
    static const test_case cases[] = {
        {"random programs against a reachability oracle", test_random_programs},
        {NULL, NULL},
    };
    return run_suite("model", cases);
}
