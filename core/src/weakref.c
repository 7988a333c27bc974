/* weakref.c — weak references. The heap maps each referent to the newest
 * weakref pointing at it; the weakrefs to one referent form a chain. */
#include <inttypes.h>

#include "internal.h"

/* 48 bytes, 64 with the collector's block (CPython's weakref.ref takes
 * 80). The callback's user data, which most weakrefs do not have, is kept
 * by the heap beside the weakref (heap->weakref_ud, flag RG__F_WRUD) until
 * the weakref is cleared. */
typedef struct rg_weakref {
    rg_object ob;
    rg_object *target; /* not owned; NULL once dead */
    rg_weakref_callback cb;
    struct rg_weakref *wnext; /* the referent's chain, newest first; then a callback chain */
    union {
        struct rg_weakref *wprev; /* while attached: the referent's chain */
        rg_object *chains; /* detached, heading a callback chain: the collector's next chain (gc.c) */
    } u;
} rg_weakref;

#define WR(o) ((rg_weakref *)(o))

/* The callback's user data: NULL unless the heap keeps one for wr. */
static void *ud_of(const rg_weakref *wr) {
    if (!(wr->ob.flags & RG__F_WRUD)) return NULL;
    void **v = rg__ptrmap_find(&RG__HEAP(&wr->ob)->weakref_ud, wr);
    return v ? *v : NULL;
}

static void drop_ud(rg_weakref *wr) {
    if (!(wr->ob.flags & RG__F_WRUD)) return;
    rg__ptrmap_remove(&RG__HEAP(&wr->ob)->weakref_ud, wr);
    wr->ob.flags &= (uint16_t)~RG__F_WRUD;
}

void rg__weakref_detach(rg_object *self) {
    rg_weakref *wr = WR(self);
    rg_object *target = wr->target;
    if (!target) return;
    rg_heap *h = RG__HEAP(self);
    if (wr->wnext) wr->wnext->u.wprev = wr->u.wprev;
    if (wr->u.wprev) {
        wr->u.wprev->wnext = wr->wnext;
    } else {
        void **slot = rg__ptrmap_find(&h->weakrefs, target);
        if (wr->wnext) {
            *slot = wr->wnext;
        } else {
            rg__ptrmap_remove(&h->weakrefs, target);
            target->flags &= ~RG__F_HASWEAK;
        }
    }
    wr->target = NULL;
    wr->wnext = wr->u.wprev = NULL;
}

static int weakref_traverse(rg_object *self, rg_visit_fn visit, void *arg) {
    (void)self; /* no strong references: the callback is C code */
    (void)visit;
    (void)arg;
    return 0;
}

static void weakref_clear(rg_object *self) {
    rg__weakref_detach(self);
    WR(self)->cb = NULL;
    drop_ud(WR(self));
}

static int weakref_repr(const rg_object *self, char *buf, size_t size) {
    const rg_object *t = WR(self)->target;
    if (!t) return snprintf(buf, size, "dead");
    return snprintf(buf, size, "to %s id %" PRIu64, rg_type_name(t), rg__id(t));
}

const rg_type rg_weakref_type = {
    .name = "weakref",
    .basic_size = sizeof(rg_weakref),
    .traverse = weakref_traverse,
    .clear = weakref_clear,
    .repr = weakref_repr,
};

int rg__is_weakref(const rg_object *o) { return RG__TYPE(o) == &rg_weakref_type; }

rg_object *rg__weakref_chains(rg_object *chain) { return WR(chain)->u.chains; }
void rg__weakref_set_chains(rg_object *chain, rg_object *next) { WR(chain)->u.chains = next; }

rg_object *rg_weakref_new(rg_heap *h, rg_object *target, rg_weakref_callback cb, void *ud) {
    if (!target || (target->flags & (RG__F_FREED | RG__F_DYING))) {
        h->last_error = RG_EINVAL;
        return NULL;
    }
    /* The allocation may run a collection whose finalizers release what
     * kept a borrowed target alive: hold it until the weakref is attached. */
    rg_incref(target);
    rg_weakref *wr = WR(rg__object_alloc(h, &rg_weakref_type, sizeof(rg_weakref), 1));
    void **uslot = wr && ud ? rg__ptrmap_upsert(h, &h->weakref_ud, wr) : NULL;
    if (uslot) {
        *uslot = ud;
        wr->ob.flags |= RG__F_WRUD;
    }
    void **slot = wr && (uslot || !ud) ? rg__ptrmap_upsert(h, &h->weakrefs, target) : NULL;
    if (!slot) {
        if (wr) {
            rg_decref(&wr->ob); /* its clear drops the user data */
            h->last_error = RG_ENOMEM;
        } /* else the allocation set it: RG_ENOMEM or RG_ERANGE */
        rg_decref(target);
        return NULL;
    }
    wr->target = target;
    wr->cb = cb;
    wr->wnext = *slot;
    if (wr->wnext) wr->wnext->u.wprev = wr;
    *slot = wr;
    target->flags |= RG__F_HASWEAK;
    rg_decref(target); /* if this was the last reference, the weakref is dead at once */
    return &wr->ob;
}

rg_object *rg_weakref_get(const rg_object *wr) {
    return RG__IS(wr, rg_weakref_type) ? WR(wr)->target : NULL;
}

rg_object *rg__weakref_clear_all(rg_object *o) {
    rg_heap *h = RG__HEAP(o);
    void **slot = rg__ptrmap_find(&h->weakrefs, o);
    rg_weakref *wr = slot ? *slot : NULL;
    rg__ptrmap_remove(&h->weakrefs, o);
    o->flags &= ~RG__F_HASWEAK;
    rg_weakref *chain = NULL, *tail = NULL;
    while (wr) {
        rg_weakref *next = wr->wnext;
        wr->target = NULL;
        wr->wnext = wr->u.wprev = NULL;
        /* A weakref that is itself dying or garbage gets no callback. */
        if (wr->cb && !(wr->ob.flags & (RG__F_DYING | RG__F_UNREACHABLE))) {
            rg_incref(&wr->ob);
            if (tail)
                tail->wnext = wr;
            else
                chain = wr;
            tail = wr;
        }
        wr = next;
    }
    return chain ? &chain->ob : NULL;
}

void rg__weakref_chain_move(rg_object *chain, rg_gc_link *old) {
    for (rg_weakref *wr = chain ? WR(chain) : NULL; wr; wr = wr->wnext) {
        rg_object *o = &wr->ob;
        if (!(o->flags & RG__F_TRACKED)) continue;
        if (o->flags & RG__F_FROZEN) {
            o->flags &= ~RG__F_FROZEN;
            RG__HEAP(o)->frozen_live--;
        }
        rg__list_move(RG__LINK(o), old);
    }
}

size_t rg__weakref_run_callbacks(rg_object *chain) {
    rg_weakref *wr = chain ? WR(chain) : NULL;
    size_t freed = 0;
    while (wr) {
        rg_weakref *next = wr->wnext;
        wr->wnext = NULL;
        if (wr->cb) wr->cb(&wr->ob, ud_of(wr));
        if (wr->ob.refcnt == 1) freed++; /* our hold is the last: this decref frees it */
        rg_decref(&wr->ob);
        wr = next;
    }
    return freed;
}
