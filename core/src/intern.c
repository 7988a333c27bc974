/* intern.c — one copy per heap of each attribute name, so instances store a
 * pointer instead of allocating a string per attribute, and attribute lookup
 * compares pointers. Names live until the heap is destroyed. */
#include "internal.h"

static size_t name_hash(const char *s) {
    uint64_t x = 0xcbf29ce484222325ULL;
    for (; *s; s++) x = (x ^ (unsigned char)*s) * 0x100000001b3ULL;
    return (size_t)(x ^ (x >> 29));
}

static size_t probe(char *const *slots, size_t cap, const char *s) {
    size_t i = name_hash(s) & (cap - 1);
    while (slots[i] && strcmp(slots[i], s) != 0) i = (i + 1) & (cap - 1);
    return i;
}

const char *rg__intern_find(const rg_heap *h, const char *s) {
    if (!h->names.cap) return NULL;
    return h->names.slots[probe(h->names.slots, h->names.cap, s)];
}

const char *rg__intern(rg_heap *h, const char *s) {
    rg__names *t = &h->names;
    if ((t->len + 1) * 2 > t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 32;
        char **slots = rg__malloc(h, cap * sizeof *slots);
        if (!slots) return NULL;
        memset(slots, 0, cap * sizeof *slots);
        for (size_t i = 0; i < t->cap; i++)
            if (t->slots[i]) slots[probe(slots, cap, t->slots[i])] = t->slots[i];
        rg__free(h, t->slots, t->cap * sizeof *t->slots);
        t->slots = slots;
        t->cap = cap;
    }
    size_t i = probe(t->slots, t->cap, s);
    if (!t->slots[i]) {
        char *copy = rg__strdup(h, s);
        if (!copy) return NULL;
        t->slots[i] = copy;
        t->len++;
    }
    return t->slots[i];
}

void rg__intern_free(rg_heap *h) {
    rg__names *t = &h->names;
    for (size_t i = 0; i < t->cap; i++) rg__strfree(h, t->slots[i]);
    rg__free(h, t->slots, t->cap * sizeof *t->slots);
    t->slots = NULL;
    t->cap = t->len = 0;
}
