/* ptrmap.c — a small pointer-keyed hash map (linear probing, backward-shift
 * deletion, so no tombstones). Used for the weakref registry. */
#include "internal.h"

static size_t slot_of(const void *key, size_t cap) {
    uint64_t x = (uint64_t)(uintptr_t)key;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return (size_t)x & (cap - 1);
}

void **rg__ptrmap_find(const rg__ptrmap *m, const void *key) {
    if (m->cap == 0) return NULL;
    for (size_t i = slot_of(key, m->cap);; i = (i + 1) & (m->cap - 1)) {
        if (m->slots[i].key == key) return &m->slots[i].value;
        if (m->slots[i].key == NULL) return NULL;
    }
}

static int grow(rg_heap *h, rg__ptrmap *m) {
    size_t cap = m->cap ? m->cap * 2 : 16;
    rg__ptrmap_slot *slots = rg__malloc(h, cap * sizeof *slots);
    if (!slots) return RG_ENOMEM;
    memset(slots, 0, cap * sizeof *slots);
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->slots[i].key) continue;
        size_t j = slot_of(m->slots[i].key, cap);
        while (slots[j].key) j = (j + 1) & (cap - 1);
        slots[j] = m->slots[i];
    }
    rg__free(h, m->slots, m->cap * sizeof *m->slots);
    m->slots = slots;
    m->cap = cap;
    return 0;
}

void **rg__ptrmap_upsert(rg_heap *h, rg__ptrmap *m, const void *key) {
    void **found = rg__ptrmap_find(m, key);
    if (found) return found;
    if ((m->len + 1) * 4 > m->cap * 3 && grow(h, m) < 0) return NULL;
    size_t i = slot_of(key, m->cap);
    while (m->slots[i].key) i = (i + 1) & (m->cap - 1);
    m->slots[i].key = key;
    m->slots[i].value = NULL;
    m->len++;
    return &m->slots[i].value;
}

void rg__ptrmap_remove(rg__ptrmap *m, const void *key) {
    if (m->cap == 0) return;
    size_t mask = m->cap - 1, i = slot_of(key, m->cap);
    while (m->slots[i].key != key) {
        if (m->slots[i].key == NULL) return;
        i = (i + 1) & mask;
    }
    /* Backward-shift: pull later entries of the probe run into the hole. */
    size_t j = i;
    for (;;) {
        j = (j + 1) & mask;
        if (m->slots[j].key == NULL) break;
        size_t home = slot_of(m->slots[j].key, m->cap);
        /* Move j into i unless its home lies cyclically in (i, j]. */
        if ((j > i && (home <= i || home > j)) || (j < i && home <= i && home > j)) {
            m->slots[i] = m->slots[j];
            i = j;
        }
    }
    m->slots[i].key = NULL;
    m->slots[i].value = NULL;
    m->len--;
}

void rg__ptrmap_free(rg_heap *h, rg__ptrmap *m) {
    rg__free(h, m->slots, m->cap * sizeof *m->slots);
    m->slots = NULL;
    m->cap = m->len = 0;
}
