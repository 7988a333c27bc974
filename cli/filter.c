/* filter.c — which objects the drawing options let a command draw. */
#include <string.h>

#include "cli.h"

static int in_list(rg_gstr s, const rg_strlist *l) {
    for (size_t i = 0; i < l->n; i++) /* bound: the options given */
        if (rg_gstr_is(s, l->items[i])) return 1;
    return 0;
}

int cli_type_drawable(rg_gstr type, const rg_render_options *o) {
    if (o->types.n && !in_list(type, &o->types)) return 0;
    return !in_list(type, &o->skip_types);
}

int cli_drawable(const rg_graph *g, const rg_render_options *o, uint32_t obj) {
    for (size_t i = 0; i < o->ignore.n; i++) /* bound: the options given */
        if (o->ignore.items[i] == g->id[obj]) return 0;
    return cli_type_drawable(g->str[g->type[obj]], o);
}
