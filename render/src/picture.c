/* picture.c — a drawing's nodes, edges and subgraphs, and DOT text written
 * from them the way Graphviz 2.43's agwrite() writes a cgraph graph (see
 * picture.h). */
#include <stdlib.h>
#include <string.h>

#include "picture.h"
#include "refgraph/text.h"

const char *const pic_node_defaults[][2] = {{"fillcolor", "white"}, {"shape", "box"}, {"style", "filled"}};
const size_t pic_nnode_defaults = sizeof pic_node_defaults / sizeof *pic_node_defaults;

void pic_init(rg_pic *p) { memset(p, 0, sizeof *p); }

void pic_free(rg_pic *p) {
    free(p->text);
    free(p->attrs);
    free(p->nodes);
    free(p->edges);
    free(p->subs);
    free(p->hash);
    memset(p, 0, sizeof *p);
}

/* A copy of s in p->text: its offset, or PIC_NONE. */
static uint32_t add_text(rg_pic *p, const char *s) {
    size_t n = strlen(s) + 1;
    if (p->ntext + n > UINT32_MAX - 1 || rg_grow((void **)&p->text, &p->cap_text, p->ntext + n, 1)) {
        p->oom = 1;
        return PIC_NONE;
    }
    memcpy(p->text + p->ntext, s, n);
    p->ntext += n;
    return (uint32_t)(p->ntext - n);
}

static size_t hash_of(const char *s) {
    size_t h = 2166136261u;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u; /* bound: the string */
    return h;
}

/* The slot of name in the hash: holding it, or empty. */
static size_t slot_of(const rg_pic *p, const char *name) {
    size_t mask = p->hash_cap - 1, i = hash_of(name) & mask;
    /* bound: the table is at most half full, so an empty slot ends the probe */
    while (p->hash[i] && strcmp(p->text + p->nodes[p->hash[i] - 1].name, name) != 0) i = (i + 1) & mask;
    return i;
}

uint32_t pic_find(const rg_pic *p, const char *name) {
    if (!p->hash_cap) return PIC_NONE;
    size_t i = slot_of(p, name);
    return p->hash[i] ? p->hash[i] - 1 : PIC_NONE;
}

/* Room in the hash for one more name (at most half full). */
static int hash_room(rg_pic *p) {
    if (2 * (p->nnodes + 1) <= p->hash_cap) return 0;
    size_t cap = p->hash_cap ? 2 * p->hash_cap : 64;
    if (cap > SIZE_MAX / sizeof *p->hash) return -1;
    uint32_t *old = p->hash;
    size_t old_cap = p->hash_cap;
    p->hash = calloc(cap, sizeof *p->hash);
    if (!p->hash) {
        p->hash = old;
        return -1;
    }
    p->hash_cap = cap;
    for (size_t i = 0; i < old_cap; i++)
        if (old[i]) p->hash[slot_of(p, p->text + p->nodes[old[i] - 1].name)] = old[i];
    free(old);
    return 0;
}

uint32_t pic_node(rg_pic *p, const char *name) {
    uint32_t n = pic_find(p, name);
    if (n != PIC_NONE) return n;
    if (p->nnodes >= PIC_MAX || hash_room(p) ||
        rg_grow((void **)&p->nodes, &p->cap_nodes, p->nnodes + 1, sizeof *p->nodes)) {
        p->oom = 1;
        return PIC_NONE;
    }
    uint32_t off = add_text(p, name);
    if (off == PIC_NONE) return PIC_NONE;
    n = (uint32_t)p->nnodes++;
    p->nodes[n] = (pic_nrec){off, PIC_NONE, PIC_NONE};
    p->hash[slot_of(p, name)] = n + 1;
    return n;
}

uint32_t pic_edge(rg_pic *p, uint32_t tail, uint32_t head) {
    if (tail == PIC_NONE || head == PIC_NONE) return PIC_NONE;
    if (p->nedges >= PIC_MAX || rg_grow((void **)&p->edges, &p->cap_edges, p->nedges + 1, sizeof *p->edges)) {
        p->oom = 1;
        return PIC_NONE;
    }
    p->edges[p->nedges] = (pic_erec){tail, head, PIC_NONE};
    return PIC_EDGE | (uint32_t)p->nedges++;
}

uint32_t pic_sub(rg_pic *p, const char *name) {
    if (p->nsubs >= PIC_MAX || rg_grow((void **)&p->subs, &p->cap_subs, p->nsubs + 1, sizeof *p->subs)) {
        p->oom = 1;
        return PIC_NONE;
    }
    uint32_t off = add_text(p, name);
    if (off == PIC_NONE) return PIC_NONE;
    p->subs[p->nsubs] = (pic_srec){off, PIC_NONE};
    return PIC_SUB | (uint32_t)p->nsubs++;
}

void pic_subnode(rg_pic *p, uint32_t sub, uint32_t node) {
    if (sub == PIC_NONE || node == PIC_NONE) return;
    p->nodes[node].sub = sub & ~PIC_KIND;
}

static uint32_t *attrs_of(rg_pic *p, uint32_t obj) {
    uint32_t i = obj & ~PIC_KIND;
    switch (obj & PIC_KIND) {
    case 0: return &p->nodes[i].attrs;
    case PIC_EDGE: return &p->edges[i].attrs;
    default: return &p->subs[i].attrs;
    }
}

static void set_attr(rg_pic *p, uint32_t obj, const char *name, const char *value, int html) {
    if (obj == PIC_NONE || !value) {
        p->oom |= !value; /* a value that could not be made */
        return;
    }
    uint32_t value_off = add_text(p, value);
    if (value_off == PIC_NONE) return;
    uint32_t *head = attrs_of(p, obj);
    for (uint32_t a = *head; a != PIC_NONE; a = p->attrs[a].next) /* bound: the object's attributes */
        if (p->attrs[a].name == name || strcmp(p->attrs[a].name, name) == 0) {
            p->attrs[a].value = value_off;
            p->attrs[a].html = html;
            return;
        }
    if (p->nattrs >= PIC_MAX || rg_grow((void **)&p->attrs, &p->cap_attrs, p->nattrs + 1, sizeof *p->attrs)) {
        p->oom = 1;
        return;
    }
    head = attrs_of(p, obj); /* unchanged: attrs_of points into nodes, edges or subs */
    p->attrs[p->nattrs] = (pic_attr){name, value_off, PIC_NONE, html};
    /* appended, so that an object's attributes keep the order they were set in */
    uint32_t *at = head;
    while (*at != PIC_NONE) at = &p->attrs[*at].next; /* bound: the object's attributes */
    *at = (uint32_t)p->nattrs++;
}

void pic_set(rg_pic *p, uint32_t obj, const char *name, const char *value) { set_attr(p, obj, name, value, 0); }

void pic_set_html(rg_pic *p, uint32_t obj, const char *name, const char *html) { set_attr(p, obj, name, html, 1); }

/* ---- DOT, as agwrite writes it -------------------------------------------------------- */

/* agwrite (Graphviz 2.43, lib/cgraph/write.c) writes a graph this way:
 *   - a header, "digraph NAME {", then the attribute defaults that are not
 *     "" ("node [a=x,\n\t\tb=y\n\t];"), names sorted with strcmp;
 *   - each subgraph (here: clusters, in the order they were made) with its
 *     own "graph [...]" attributes, its nodes, and "}";
 *   - the nodes in the order they were made, each written once where it
 *     is first needed: on its own turn, or right before the first edge
 *     that reaches it from an earlier node; nodes of a subgraph are not
 *     written again; then each node's edges in the order they were made;
 *   - an object's attributes that differ from their default, names sorted,
 *     "\t[a=x,\n<indent>b=y]";
 *   - every string through agstrcanon: bare when it is an identifier or a
 *     number and no keyword, else quoted with '"' escaped and a "\\\n"
 *     break in strings longer than 128 bytes; HTML-like labels as <...>. */

#define MAX_OUTPUTLINE 128

typedef struct dot_out {
    FILE *f;
    char buf[8192];
    size_t n;
    int err;
    char *canon; /* agstrcanon's buffer */
    size_t cap_canon;
    int oom;
} dot_out;

static void out_flush(dot_out *o) {
    if (o->n && fwrite(o->buf, 1, o->n, o->f) != o->n) o->err = 1;
    o->n = 0;
}

static void out_put(dot_out *o, const char *s, size_t n) {
    if (n > sizeof o->buf - o->n) {
        out_flush(o);
        if (n > sizeof o->buf) {
            if (fwrite(s, 1, n, o->f) != n) o->err = 1;
            return;
        }
    }
    memcpy(o->buf + o->n, s, n);
    o->n += n;
}

static void out_str(dot_out *o, const char *s) { out_put(o, s, strlen(s)); }

static void out_indent(dot_out *o, int level) {
    for (int i = 0; i < level; i++) out_put(o, "\t", 1); /* bound: the nesting, at most 3 */
}

static int is_alnum(unsigned char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static int is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
/* cgraph's ISALNUM: letters, digits, '_' and every byte above ASCII */
static int is_idchar(unsigned char c) { return is_alnum(c) || c == '_' || c >= 0x80; }
/* write.c's is_id_char in Graphviz 2.42: where a long string may not be
 * broken (letters, digits, '.', '-' and bytes above ASCII; not '_') */
static int is_unbreakable(unsigned char c) { return is_alnum(c) || c == '.' || c == '-' || c >= 0x80; }

/* A word of DOT, in any case: quoted even when an identifier. */
static int is_keyword(const char *s) {
    static const char *const keywords[] = {"node", "edge", "strict", "graph", "digraph", "subgraph"};
    for (size_t k = 0; k < sizeof keywords / sizeof *keywords; k++) {
        const char *w = keywords[k];
        size_t i = 0;
        /* ASCII case folding, as strcasecmp in the C locale (bound: the keyword) */
        while (w[i] && (s[i] == w[i] || (s[i] >= 'A' && s[i] <= 'Z' && s[i] - 'A' + 'a' == w[i]))) i++;
        if (!w[i] && !s[i]) return 1;
    }
    return 0;
}

/* agstrcanon of a plain string: bare, or quoted with breaks. */
static void out_canon(dot_out *o, const char *arg) {
    if (!*arg) {
        out_put(o, "\"\"", 2);
        return;
    }
    const unsigned char *u = (const unsigned char *)arg;
    size_t len = 0;
    if (!is_digit(u[0]) && u[0] != '.' && u[0] != '-') /* an identifier (names, most values): as it is */
        while (len < MAX_OUTPUTLINE && is_idchar(u[len])) len++; /* bound: 128 */
    if (len < MAX_OUTPUTLINE && !u[len] && (len < 4 || len > 8 || !is_keyword(arg))) {
        out_put(o, arg, len);
        return;
    }
    len += strlen(arg + len);
    /* at most: quotes, an escape per byte, a break per 128 bytes (the worst: 2 per 64) */
    size_t need = 2 * len + 2 * (len / 64 + 1) + 3;
    if (need > o->cap_canon) {
        char *c = realloc(o->canon, need);
        if (!c) {
            o->oom = 1;
            return;
        }
        o->canon = c;
        o->cap_canon = need;
    }
    char *p = o->canon;
    const unsigned char *s = (const unsigned char *)arg;
    int cnt = 0, dotcnt = 0, needs_quotes = 0, backslash_pending = 0;
    *p++ = '"';
    unsigned char uc = *s++;
    int maybe_num = is_digit(uc) || uc == '.' || uc == '-';
    while (uc) { /* bound: the string */
        if (uc == '"') {
            *p++ = '\\';
            needs_quotes = 1;
        } else if (maybe_num) {
            if (uc == '-') {
                if (cnt) {
                    maybe_num = 0;
                    needs_quotes = 1;
                }
            } else if (uc == '.') {
                if (dotcnt++) {
                    maybe_num = 0;
                    needs_quotes = 1;
                }
            } else if (!is_digit(uc)) {
                maybe_num = 0;
                needs_quotes = 1;
            }
        } else if (!is_idchar(uc)) {
            needs_quotes = 1;
        }
        *p++ = (char)uc;
        uc = *s++;
        cnt++;
        /* breaks only after a byte that is no identifier byte and no backslash, before one that is */
        unsigned char last = (unsigned char)p[-1];
        if (uc && backslash_pending && !(is_unbreakable(last) || last == '\\') && is_unbreakable(uc)) {
            *p++ = '\\';
            *p++ = '\n';
            needs_quotes = 1;
            backslash_pending = 0;
            cnt = 0;
        } else if (uc && cnt >= MAX_OUTPUTLINE) {
            if (!(is_unbreakable(last) || last == '\\') && is_unbreakable(uc)) {
                *p++ = '\\';
                *p++ = '\n';
                needs_quotes = 1;
                cnt = 0;
            } else {
                backslash_pending = 1;
            }
        }
    }
    *p++ = '"';
    if (needs_quotes || (cnt == 1 && (arg[0] == '.' || arg[0] == '-')) || is_keyword(arg))
        out_put(o, o->canon, (size_t)(p - o->canon));
    else
        out_put(o, arg, len);
}

static void out_value(dot_out *o, const rg_pic *p, const pic_attr *a) {
    if (!a->html) {
        out_canon(o, pic_str(p, a->value));
        return;
    }
    out_put(o, "<", 1);
    out_str(o, pic_str(p, a->value));
    out_put(o, ">", 1);
}

static const char *node_default(const char *name) {
    for (size_t i = 0; i < pic_nnode_defaults; i++)
        if (strcmp(pic_node_defaults[i][0], name) == 0) return pic_node_defaults[i][1];
    return "";
}

/* Does the attribute differ from its default? (cgraph keeps one copy of
 * each string: equal text is the default; an HTML string never is.) */
static int non_default(const rg_pic *p, const pic_attr *a, int node) {
    return a->html || strcmp(pic_str(p, a->value), node ? node_default(a->name) : "") != 0;
}

/* An object's attributes, sorted by name (insertion sort: a handful). */
static size_t sorted_attrs(const rg_pic *p, uint32_t first, const pic_attr **out, size_t max) {
    size_t n = 0;
    for (uint32_t a = first; a != PIC_NONE && n < max; a = p->attrs[a].next) { /* bound: max */
        const pic_attr *x = &p->attrs[a];
        size_t j = n++;
        while (j > 0 && strcmp(out[j - 1]->name, x->name) > 0) { /* bound: j */
            out[j] = out[j - 1];
            j--;
        }
        out[j] = x;
    }
    return n;
}

#define PIC_ATTRS_MAX 64 /* attributes of one object: build() sets a dozen at most */

/* write_nondefault_attrs: "\t[a=x,\n<indent>b=y]" or nothing. */
static void out_attrs(dot_out *o, const rg_pic *p, uint32_t first, int node, int level) {
    const pic_attr *a[PIC_ATTRS_MAX];
    size_t n = sorted_attrs(p, first, a, PIC_ATTRS_MAX), cnt = 0;
    for (size_t i = 0; i < n; i++) {
        if (!non_default(p, a[i], node)) continue;
        if (cnt++ == 0) {
            out_put(o, "\t[", 2);
        } else {
            out_put(o, ",\n", 2);
            out_indent(o, level + 1);
        }
        out_canon(o, a[i]->name);
        out_put(o, "=", 1);
        out_value(o, p, a[i]);
    }
    if (cnt) out_put(o, "]", 1);
}

static int has_non_default(const rg_pic *p, uint32_t first, int node) {
    for (uint32_t a = first; a != PIC_NONE; a = p->attrs[a].next)
        if (non_default(p, &p->attrs[a], node)) return 1;
    return 0;
}

/* write_node: the name, then its attributes the first time only. */
static void out_node(dot_out *o, const rg_pic *p, uint32_t n, unsigned char *written, int level) {
    out_indent(o, level);
    out_canon(o, pic_str(p, p->nodes[n].name));
    if (!written[n]) out_attrs(o, p, p->nodes[n].attrs, 1, level);
    written[n] = 1;
    out_put(o, ";\n", 2);
}

/* write_dict: "graph [a=x]" or "graph [a=x,\n\tb=y\n];" (defaults, or a subgraph's values). */
static void out_dict(dot_out *o, const char *kind, const char *const (*names)[2], const pic_attr *const *attrs,
                     const rg_pic *p, size_t n, int level) {
    size_t cnt = 0;
    for (size_t i = 0; i < n; i++) {
        const char *name = names ? names[i][0] : attrs[i]->name;
        if (names && !*names[i][1]) continue; /* a default "" is not written */
        if (cnt++ == 0) {
            out_indent(o, level);
            out_str(o, kind);
            out_put(o, " [", 2);
        } else {
            out_put(o, ",\n", 2);
            out_indent(o, level + 1);
        }
        out_canon(o, name);
        out_put(o, "=", 1);
        if (names)
            out_canon(o, names[i][1]);
        else
            out_value(o, p, attrs[i]);
    }
    if (cnt > 1) {
        out_put(o, "\n", 1);
        out_indent(o, level);
    }
    if (cnt) out_put(o, "];\n", 3);
}

int pic_write_dot(const rg_pic *p, FILE *f) {
    dot_out *o = calloc(1, sizeof *o);
    size_t n = p->nnodes, ne = p->nedges;
    /* the out-edges of each node in the order they were made (CSR), the
     * earliest node with an edge to each node, and what was written */
    uint32_t *out_start = calloc(n + 1, sizeof *out_start), *out_edge = malloc((ne + 1) * sizeof *out_edge);
    uint32_t *min_pred = malloc((n + 1) * sizeof *min_pred), *by_head = malloc((ne + 1) * sizeof *by_head);
    unsigned char *written = calloc(n + 1, 1), *has_edge = calloc(n + 1, 1);
    int rc = 0;
    if (!o || !out_start || !out_edge || !min_pred || !by_head || !written || !has_edge || p->oom) {
        rc = -2;
        goto done;
    }
    o->f = f;
    for (size_t e = 0; e < ne; e++) {
        const pic_erec *x = &p->edges[e];
        out_start[x->tail + 1]++;
        has_edge[x->tail] = has_edge[x->head] = 1;
    }
    for (size_t i = 0; i < n; i++) out_start[i + 1] += out_start[i];
    /* cgraph keeps a node's out-edges sorted by their head (in the order
     * nodes were made), then in the order they were made: edges sorted by
     * head (a stable counting sort into by_head), then placed by tail in that
     * order. min_pred serves as the next free place of each node, then is
     * computed. */
    for (size_t i = 0; i <= n; i++) min_pred[i] = 0;
    for (size_t e = 0; e < ne; e++) min_pred[p->edges[e].head]++;
    for (size_t i = 0, sum = 0; i < n; i++) { /* counts into starts */
        size_t c = min_pred[i];
        min_pred[i] = (uint32_t)sum;
        sum += c;
    }
    for (size_t e = 0; e < ne; e++) by_head[min_pred[p->edges[e].head]++] = (uint32_t)e;
    for (size_t i = 0; i < n; i++) min_pred[i] = out_start[i];
    for (size_t k = 0; k < ne; k++) out_edge[min_pred[p->edges[by_head[k]].tail]++] = by_head[k];
    for (size_t i = 0; i < n; i++) min_pred[i] = PIC_NONE;
    for (size_t e = 0; e < ne; e++)
        if (p->edges[e].tail < min_pred[p->edges[e].head]) min_pred[p->edges[e].head] = p->edges[e].tail;

    out_str(o, "digraph ");
    out_canon(o, PIC_GRAPH_NAME);
    out_str(o, " {\n");
    {
        /* the node defaults, sorted by name */
        const char *sorted[8][2];
        size_t nd = 0;
        for (size_t i = 0; i < pic_nnode_defaults && nd < 8; i++) {
            size_t j = nd++;
            while (j > 0 && strcmp(sorted[j - 1][0], pic_node_defaults[i][0]) > 0) {
                sorted[j][0] = sorted[j - 1][0];
                sorted[j][1] = sorted[j - 1][1];
                j--;
            }
            sorted[j][0] = pic_node_defaults[i][0];
            sorted[j][1] = pic_node_defaults[i][1];
        }
        out_dict(o, "node", (const char *const(*)[2])sorted, NULL, p, nd, 1);
    }
    /* the subgraphs: header, their own attributes, their nodes in order */
    for (size_t s = 0; s < p->nsubs; s++) {
        out_indent(o, 1);
        out_str(o, "subgraph ");
        out_canon(o, pic_str(p, p->subs[s].name));
        out_str(o, " {\n");
        const pic_attr *a[PIC_ATTRS_MAX];
        size_t na = sorted_attrs(p, p->subs[s].attrs, a, PIC_ATTRS_MAX);
        out_dict(o, "graph", NULL, a, p, na, 2);
        for (size_t i = 0; i < n; i++)
            if (p->nodes[i].sub == s) out_node(o, p, (uint32_t)i, written, 2);
        out_indent(o, 1);
        out_str(o, "}\n");
    }
    /* write_body: a node on its own turn when nothing earlier reaches it,
     * else before the first edge from an earlier node; never one of a subgraph */
    for (size_t i = 0; i < n; i++) {
        uint32_t v = (uint32_t)i;
        int node_test_v = p->nodes[v].sub == PIC_NONE && min_pred[v] >= v &&
                          (!has_edge[v] || has_non_default(p, p->nodes[v].attrs, 1));
        if (node_test_v) out_node(o, p, v, written, 1);
        uint32_t prev = v;
        for (uint32_t k = out_start[v]; k < out_start[v + 1]; k++) {
            const pic_erec *x = &p->edges[out_edge[k]];
            uint32_t h = x->head;
            if (prev != h && p->nodes[h].sub == PIC_NONE && h >= v && min_pred[h] >= v &&
                (!has_edge[h] || has_non_default(p, p->nodes[h].attrs, 1))) {
                out_node(o, p, h, written, 1);
                prev = h;
            }
            out_indent(o, 1);
            out_canon(o, pic_str(p, p->nodes[x->tail].name));
            out_put(o, " -> ", 4);
            out_canon(o, pic_str(p, p->nodes[h].name));
            out_attrs(o, p, x->attrs, 0, 1);
            out_put(o, ";\n", 2);
        }
        if (o->oom) break;
    }
    out_str(o, "}\n");
    out_flush(o);
    rc = o->oom ? -2 : o->err ? -1 : 0;
done:
    if (o) free(o->canon);
    free(o);
    free(out_start);
    free(out_edge);
    free(min_pred);
    free(by_head);
    free(written);
    free(has_edge);
    return rc;
}
