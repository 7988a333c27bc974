/* atoms.c — None, bool, int, float and str: immutable, never tracked. */
#include <inttypes.h>
#include <math.h>

#include "internal.h"

typedef struct rg_bool {
    rg_object ob;
    int value;
} rg_bool;
typedef struct rg_int {
    rg_object ob;
    int64_t value;
} rg_int;
typedef struct rg_float {
    rg_object ob;
    double value;
} rg_float;
typedef struct rg_str {
    rg_object ob;
    size_t len;
    uint32_t hash; /* valid when ob.flags has RG__F_HASHED */
    char data[];   /* len bytes and a NUL */
} rg_str;

static int none_repr(const rg_object *o, char *buf, size_t size) {
    (void)o;
    return snprintf(buf, size, "None");
}
static int bool_repr(const rg_object *o, char *buf, size_t size) {
    return snprintf(buf, size, "%s", ((const rg_bool *)o)->value ? "True" : "False");
}
static int int_repr(const rg_object *o, char *buf, size_t size) {
    return snprintf(buf, size, "%" PRId64, ((const rg_int *)o)->value);
}
static int float_repr(const rg_object *o, char *buf, size_t size) {
    double v = ((const rg_float *)o)->value;
    if (isnan(v)) return snprintf(buf, size, "nan");
    if (isinf(v)) return snprintf(buf, size, v < 0 ? "-inf" : "inf");
    return snprintf(buf, size, "%.17g", v);
}

/* objgraph shows a str's repr cut short; the dump escapes what is not text. */
#define RG__STR_REPR_MAX 40
static int str_repr(const rg_object *o, char *buf, size_t size) {
    const rg_str *s = (const rg_str *)o;
    if (s->len <= RG__STR_REPR_MAX) return snprintf(buf, size, "'%s'", s->data);
    return snprintf(buf, size, "'%.*s...'", RG__STR_REPR_MAX - 3, s->data);
}

const rg_type rg_none_type = {.name = "NoneType", .basic_size = sizeof(rg_object), .repr = none_repr};
const rg_type rg_bool_type = {.name = "bool", .basic_size = sizeof(rg_bool), .repr = bool_repr};
const rg_type rg_int_type = {.name = "int", .basic_size = sizeof(rg_int), .repr = int_repr};
const rg_type rg_float_type = {.name = "float", .basic_size = sizeof(rg_float), .repr = float_repr};
const rg_type rg_str_type = {.name = "str", .basic_size = sizeof(rg_str), .repr = str_repr};

void rg__bool_init(rg_object *o, int value) { ((rg_bool *)o)->value = value; }

rg_object *rg_none_new(rg_heap *h) {
    rg_incref(h->none);
    return h->none;
}

rg_object *rg_bool_new(rg_heap *h, int value) {
    rg_object *o = value ? h->true_ : h->false_;
    rg_incref(o);
    return o;
}

int rg_is_none(const rg_object *o) { return RG__IS(o, rg_none_type); }

rg_object *rg_int_new(rg_heap *h, int64_t value) {
    rg_int *o = (rg_int *)rg__object_alloc(h, &rg_int_type, sizeof(rg_int), 0);
    if (o) o->value = value;
    return (rg_object *)o;
}

int64_t rg_int_value(const rg_object *o) {
    if (RG__IS(o, rg_int_type)) return ((const rg_int *)o)->value;
    if (RG__IS(o, rg_bool_type)) return ((const rg_bool *)o)->value;
    return 0;
}

rg_object *rg_float_new(rg_heap *h, double value) {
    rg_float *o = (rg_float *)rg__object_alloc(h, &rg_float_type, sizeof(rg_float), 0);
    if (o) o->value = value;
    return (rg_object *)o;
}

double rg_float_value(const rg_object *o) {
    if (RG__IS(o, rg_float_type)) return ((const rg_float *)o)->value;
    return (double)rg_int_value(o);
}

rg_object *rg_str_newn(rg_heap *h, const char *bytes, size_t len) {
    if (!bytes && len) {
        h->last_error = RG_EINVAL;
        return NULL;
    }
    if (len > SIZE_MAX - sizeof(rg_str) - 1) {
        h->last_error = RG_ERANGE;
        return NULL;
    }
    rg_str *s = (rg_str *)rg__object_alloc(h, &rg_str_type, offsetof(rg_str, data) + len + 1, 0);
    if (!s) return NULL;
    s->len = len;
    if (len) memcpy(s->data, bytes, len);
    s->data[len] = '\0';
    return (rg_object *)s;
}

rg_object *rg_str_new(rg_heap *h, const char *text) {
    if (!text) {
        h->last_error = RG_EINVAL;
        return NULL;
    }
    return rg_str_newn(h, text, strlen(text));
}

const char *rg_str_data(const rg_object *o) {
    return RG__IS(o, rg_str_type) ? ((const rg_str *)o)->data : NULL;
}

size_t rg_str_len(const rg_object *o) {
    return RG__IS(o, rg_str_type) ? ((const rg_str *)o)->len : 0;
}

/* ---- equality and hashing ------------------------------------------------------ */

static int is_number(const rg_object *o) {
    return RG__IS(o, rg_int_type) || RG__IS(o, rg_bool_type) || RG__IS(o, rg_float_type);
}

int rg_equal(const rg_object *a, const rg_object *b) {
    if (a == b) return 1;
    if (!a || !b) return 0;
    if (is_number(a) && is_number(b)) {
        if (RG__IS(a, rg_float_type) || RG__IS(b, rg_float_type))
            return rg_float_value(a) == rg_float_value(b);
        return rg_int_value(a) == rg_int_value(b);
    }
    if (RG__IS(a, rg_str_type) && RG__IS(b, rg_str_type)) {
        const rg_str *x = (const rg_str *)a, *y = (const rg_str *)b;
        return x->len == y->len && memcmp(x->data, y->data, x->len) == 0;
    }
    return 0; /* None is a singleton per heap: identity covers it */
}

static uint64_t mix64(uint64_t x) {
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

uint64_t rg__str_hash(const char *data, size_t len) {
    uint64_t x = 0xcbf29ce484222325ULL; /* FNV-1a, then mixed */
    for (size_t i = 0; i < len; i++) x = (x ^ (unsigned char)data[i]) * 0x100000001b3ULL;
    return (uint32_t)mix64(x);
}

/* Hashes are 32 bits wide (what a str caches). Only a str caches its
 * hash: a number's is a few instructions, and other objects hash by
 * identity (their id, which never changes). */
int rg__hash(rg_object *o, uint64_t *out) {
    uint64_t hv;
    if (RG__IS(o, rg_str_type)) {
        rg_str *s = (rg_str *)o;
        if (!(o->flags & RG__F_HASHED)) {
            s->hash = (uint32_t)rg__str_hash(s->data, s->len);
            o->flags |= RG__F_HASHED;
        }
        *out = s->hash;
        return 0;
    }
    if (RG__IS(o, rg_list_type) || RG__IS(o, rg_dict_type)) return RG_EUNHASHABLE;
    if (RG__IS(o, rg_int_type) || RG__IS(o, rg_bool_type)) {
        hv = mix64((uint64_t)rg_int_value(o));
    } else if (RG__IS(o, rg_float_type)) {
        double v = ((rg_float *)o)->value;
        /* Equal numbers hash alike: 1.0 finds the key 1. */
        if (v == floor(v) && v >= -9.2e18 && v <= 9.2e18) {
            hv = mix64((uint64_t)(int64_t)v);
        } else {
            uint64_t bits;
            memcpy(&bits, &v, sizeof bits);
            hv = mix64(bits);
        }
    } else {
        hv = mix64(rg__id(o));
    }
    *out = (uint32_t)hv;
    return 0;
}

int rg_is_true(const rg_object *o) {
    if (!o || RG__IS(o, rg_none_type)) return 0;
    if (RG__IS(o, rg_bool_type) || RG__IS(o, rg_int_type)) return rg_int_value(o) != 0;
    if (RG__IS(o, rg_float_type)) return ((const rg_float *)o)->value != 0.0;
    if (RG__IS(o, rg_str_type)) return rg_str_len(o) != 0;
    if (RG__IS(o, rg_list_type)) return rg_list_size(o) != 0;
    if (RG__IS(o, rg_tuple_type)) return rg_tuple_size(o) != 0;
    if (RG__IS(o, rg_dict_type)) return rg_dict_size(o) != 0;
    return 1;
}

/* ---- block sizes ---------------------------------------------------------------- */

size_t rg__block_size(const rg_object *o) {
    if (RG__TYPE(o) == &rg_str_type) return offsetof(rg_str, data) + ((const rg_str *)o)->len + 1;
    if (RG__TYPE(o) == &rg_tuple_type) return rg__tuple_block_size(o);
    return RG__TYPE(o)->basic_size;
}
