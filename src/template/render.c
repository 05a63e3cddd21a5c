/* Mustache renderer: walks the op list with a context stack. No allocation
 * except the output buffer's growth, the compact JSON of container values
 * and, when partials are used, their per-render cache. */
#include "template/ops.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"

/* Total nesting while rendering (sections, partials, parents, blocks):
 * bounds the C stack whatever the templates and data. */
#define MAX_NEST 256

typedef struct slice {
    const char *p;
    size_t n;
} slice;

typedef struct pentry {
    const char *name;         /* borrowed: template source or JSON data */
    size_t len;
    uint32_t hash;
    int used;
    llmops__tmpl *t;          /* NULL: the callback has no such partial */
} pentry;

typedef struct ovr {
    const llmops__tmpl *t;    /* template holding the parent tag */
    uint32_t op;              /* the parent op; its body holds argument blocks */
    const char *pname;        /* that template's partial name (NULL: the main one) */
    size_t pname_len;
} ovr;

typedef struct rstate {
    llmops__buf *out;
    unsigned mode;
    llmops__tmpl_partial_fn fn;
    llmops__tmpl_compiled_fn cfn;
    void *ud;
    llmops__tmpl_error *err;
    const llmops_json *ctx[MAX_NEST + 1];
    unsigned nctx;
    slice ind[MAX_NEST];
    unsigned nind;
    int pending;              /* the next output starts a line: indent it first */
    ovr ovr[MAX_NEST];
    unsigned novr;
    unsigned nest;
    unsigned partial_depth;
    uint64_t steps;
    const char *pname;        /* partial being rendered, for messages */
    size_t pname_len;
    pentry *cache;
    size_t cache_cap, cache_n;
} rstate;

static const unsigned char html_special[256] = {
    ['&'] = 1, ['<'] = 1, ['>'] = 1, ['"'] = 1, ['\''] = 1,
};

static void name_copy(char *dst, size_t cap, const char *s, size_t len)
{
    size_t k = 0, max = len > 48 ? 45 : len;
    for (size_t i = 0; i < max && k + 1 < cap; i++) {
        unsigned char ch = (unsigned char)s[i];
        dst[k++] = (ch >= 0x20 && ch < 0x7f) ? (char)ch : '?';
    }
    for (size_t i = 0; max < len && i < 3 && k + 1 < cap; i++)
        dst[k++] = '.';
    dst[k] = '\0';
}

static llmops_status rfail(rstate *rs, llmops_status st, const llmops__tmpl *t, size_t pos,
                           const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

static llmops_status rfail(rstate *rs, llmops_status st, const llmops__tmpl *t, size_t pos,
                           const char *fmt, ...)
{
    if (!rs->err)
        return st;
    llmops__tmpl_error *e = rs->err;
    e->offset = pos;
    e->line = e->column = 1;
    if (t)
        llmops__tmpl_position(t->src, t->src_len, pos, &e->line, &e->column);
    char msg[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (t && rs->pname) {
        char q[64];
        name_copy(q, sizeof q, rs->pname, rs->pname_len);
        snprintf(e->message, sizeof e->message, "%.90s at %u:%u of partial '%.48s'", msg, e->line,
                 e->column, q);
    } else if (t) {
        snprintf(e->message, sizeof e->message, "%.130s at %u:%u", msg, e->line, e->column);
    } else {
        snprintf(e->message, sizeof e->message, "%s", msg);
    }
    return st;
}

static void emit(rstate *rs, const char *p, size_t n)
{
    if (!n)
        return;
    if (rs->pending) {
        rs->pending = 0;
        for (unsigned i = 0; i < rs->nind; i++)
            llmops__buf_append(rs->out, rs->ind[i].p, rs->ind[i].n);
    }
    llmops__buf_append(rs->out, p, n);
}

static void emit_escaped(rstate *rs, const char *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && !html_special[(unsigned char)p[j]])
            j++;
        emit(rs, p + i, j - i);
        if (j == n)
            break;
        switch (p[j]) {
        case '&': emit(rs, "&amp;", 5); break;
        case '<': emit(rs, "&lt;", 4); break;
        case '>': emit(rs, "&gt;", 4); break;
        case '"': emit(rs, "&quot;", 6); break;
        default: emit(rs, "&#39;", 5); break;
        }
        i = j + 1;
    }
}

static llmops_status emit_value(rstate *rs, const llmops_json *v, int escape)
{
    const char *p = NULL;
    size_t n = 0;
    switch (llmops_json_type_of(v)) {
    case LLMOPS_JSON_NULL:
        return LLMOPS_OK;
    case LLMOPS_JSON_BOOL:
        if (llmops_json_is_true(v))
            p = "true", n = 4;
        else
            p = "false", n = 5;
        break;
    case LLMOPS_JSON_NUMBER:
        p = llmops_json_number_text(v, &n);
        break;
    case LLMOPS_JSON_STRING:
        p = llmops_json_string(v, &n);
        break;
    default: {
        char *json = NULL;
        size_t len = 0;
        if (llmops_json_write(&json, &len, v, LLMOPS_JSON_WRITE_COMPACT) != LLMOPS_OK)
            return LLMOPS_E_NO_MEMORY;
        if (escape)
            emit_escaped(rs, json, len);
        else
            emit(rs, json, len);
        llmops_free(json);
        return LLMOPS_OK;
    }
    }
    if (escape)
        emit_escaped(rs, p, n);
    else
        emit(rs, p, n);
    return LLMOPS_OK;
}

/* Resolve a name against the context stack. On a miss, *miss is the index
 * of the first part that was not found. */
static const llmops_json *lookup(const rstate *rs, const llmops__tmpl *t, uint32_t idx,
                                 uint32_t *miss)
{
    const llmops__tmpl_name *nm = &t->names[idx];
    *miss = 0;
    if (nm->nparts == 0)
        return rs->ctx[rs->nctx - 1];
    const llmops__tmpl_part *part = &t->parts[nm->first];
    const llmops_json *v = NULL;
    for (unsigned k = rs->nctx; k-- > 0;) {
        v = llmops_json_getn(rs->ctx[k], t->src + part->off, part->len);
        if (v)
            break;
    }
    for (uint32_t i = 1; v && i < nm->nparts; i++) {
        part++;
        v = llmops_json_getn(v, t->src + part->off, part->len);
        if (!v)
            *miss = i;
    }
    return v;
}

static llmops_status missing(rstate *rs, const llmops__tmpl *t, const llmops__tmpl_op *op,
                             uint32_t miss, const char *what)
{
    const llmops__tmpl_name *nm = &t->names[op->name];
    char q[64];
    name_copy(q, sizeof q, t->src + nm->off, nm->len);
    if (miss == 0 || nm->nparts < 2)
        return rfail(rs, LLMOPS_E_NOT_FOUND, t, op->pos, "missing %s '%s'", what, q);
    const llmops__tmpl_part *pp = &t->parts[nm->first + miss];
    char q2[64];
    name_copy(q2, sizeof q2, t->src + pp->off, pp->len);
    return rfail(rs, LLMOPS_E_NOT_FOUND, t, op->pos, "missing %s '%s' (no '%s' in it)", what, q,
                 q2);
}

static int truthy(const llmops_json *v)
{
    if (!v)
        return 0;
    switch (llmops_json_type_of(v)) {
    case LLMOPS_JSON_NULL:
        return 0;
    case LLMOPS_JSON_BOOL:
        return llmops_json_is_true(v);
    case LLMOPS_JSON_ARRAY:
        return llmops_json_size(v) > 0;
    case LLMOPS_JSON_STRING: {
        size_t n = 0;
        llmops_json_string(v, &n);
        return n > 0;
    }
    default:
        return 1;
    }
}

/* The compiled partial called `name`, compiled on first use in this render;
 * *t is NULL when the callback does not know it. */
static llmops_status get_partial(rstate *rs, const char *name, size_t len,
                                 const llmops__tmpl **t)
{
    *t = NULL;
    if (rs->cfn) {
        if (!rs->cfn(rs->ud, name, len, t))
            *t = NULL;
        return LLMOPS_OK;
    }
    if (!rs->fn)
        return LLMOPS_OK;
    uint32_t h = llmops__tmpl_hash(name, len);
    if (rs->cache_n * 2 >= rs->cache_cap) {
        size_t cap = rs->cache_cap ? rs->cache_cap * 2 : 16;
        pentry *nc = llmops__calloc(cap, sizeof *nc);
        if (!nc)
            return LLMOPS_E_NO_MEMORY;
        for (size_t i = 0; i < rs->cache_cap; i++) {
            if (!rs->cache[i].used)
                continue;
            size_t j = rs->cache[i].hash & (cap - 1);
            while (nc[j].used)
                j = (j + 1) & (cap - 1);
            nc[j] = rs->cache[i];
        }
        llmops__free(rs->cache);
        rs->cache = nc;
        rs->cache_cap = cap;
    }
    size_t j = h & (rs->cache_cap - 1);
    for (; rs->cache[j].used; j = (j + 1) & (rs->cache_cap - 1)) {
        pentry *e = &rs->cache[j];
        if (e->hash == h && e->len == len && memcmp(e->name, name, len) == 0) {
            *t = e->t;
            return LLMOPS_OK;
        }
    }
    const char *src = NULL;
    size_t slen = 0;
    llmops__tmpl *pt = NULL;
    if (rs->fn(rs->ud, name, len, &src, &slen)) {
        llmops__tmpl_error perr;
        llmops_status st = llmops__tmpl_compile(&pt, src, slen, &perr);
        if (st) {
            if (rs->err) {
                char q[64];
                name_copy(q, sizeof q, name, len);
                *rs->err = perr;
                if (st == LLMOPS_E_NO_MEMORY)
                    snprintf(rs->err->message, sizeof rs->err->message,
                             "out of memory compiling partial '%.48s'", q);
                else
                    snprintf(rs->err->message, sizeof rs->err->message,
                             "partial '%.48s' at %u:%u: %.80s", q, perr.line, perr.column,
                             perr.message);
            }
            return st;
        }
    }
    pentry *e = &rs->cache[j];
    e->used = 1;
    e->hash = h;
    e->name = name;
    e->len = len;
    e->t = pt;
    rs->cache_n++;
    *t = pt;
    return LLMOPS_OK;
}

static llmops_status render_range(rstate *rs, const llmops__tmpl *t, uint32_t from, uint32_t to);

static llmops_status nest_in(rstate *rs, const llmops__tmpl *t, const llmops__tmpl_op *op)
{
    if (rs->nest >= MAX_NEST)
        return rfail(rs, LLMOPS_E_LIMIT, t, op->pos, "rendering nested deeper than %d",
                     MAX_NEST);
    rs->nest++;
    return LLMOPS_OK;
}

static llmops_status render_section(rstate *rs, const llmops__tmpl *t, const llmops__tmpl_op *op,
                                    uint32_t i)
{
    uint32_t miss;
    const llmops_json *v = lookup(rs, t, op->name, &miss);
    int yes = truthy(v);
    if (op->kind == LLMOPS__OP_INVERTED)
        return yes ? LLMOPS_OK : render_range(rs, t, i + 1, op->end);
    if (!yes)
        return LLMOPS_OK;
    llmops_status st = nest_in(rs, t, op);
    if (st)
        return st;
    if (llmops_json_type_of(v) == LLMOPS_JSON_ARRAY) {
        size_t n = llmops_json_size(v);
        for (size_t k = 0; k < n && !st; k++) {
            rs->ctx[rs->nctx++] = llmops_json_at(v, k);
            st = render_range(rs, t, i + 1, op->end);
            rs->nctx--;
            if (rs->out->failed)
                break;
        }
    } else {
        rs->ctx[rs->nctx++] = v;
        st = render_range(rs, t, i + 1, op->end);
        rs->nctx--;
    }
    rs->nest--;
    return st;
}

/* The name of the partial or parent `op` refers to; *found = 0 when a
 * dynamic name does not resolve to a string. */
static llmops_status partial_name(rstate *rs, const llmops__tmpl *t, const llmops__tmpl_op *op,
                                  const char **name, size_t *len, int *found)
{
    *found = 1;
    if (!(op->flags & LLMOPS__OPF_DYNAMIC)) {
        *name = t->src + op->off;
        *len = op->len;
        return LLMOPS_OK;
    }
    uint32_t miss;
    const llmops_json *v = lookup(rs, t, op->name, &miss);
    *name = llmops_json_string(v, len);
    if (*name)
        return LLMOPS_OK;
    *found = 0;
    if (rs->mode == LLMOPS__TMPL_PROMPT)
        return missing(rs, t, op, miss, v ? "string for the dynamic name" : "variable");
    return LLMOPS_OK;
}

static llmops_status render_partial(rstate *rs, const llmops__tmpl *t, const llmops__tmpl_op *op,
                                    uint32_t i)
{
    const char *name;
    size_t len;
    int found;
    llmops_status st = partial_name(rs, t, op, &name, &len, &found);
    if (st || !found)
        return st;
    const llmops__tmpl *pt;
    if ((st = get_partial(rs, name, len, &pt)))
        return st;
    if (!pt) {
        if (rs->mode == LLMOPS__TMPL_PROMPT) {
            char q[64];
            name_copy(q, sizeof q, name, len);
            return rfail(rs, LLMOPS_E_NOT_FOUND, t, op->pos, "missing partial '%s'", q);
        }
        return LLMOPS_OK;
    }
    if (rs->partial_depth >= LLMOPS__TMPL_MAX_PARTIAL_DEPTH)
        return rfail(rs, LLMOPS_E_LIMIT, t, op->pos, "partials nested deeper than %d",
                     LLMOPS__TMPL_MAX_PARTIAL_DEPTH);
    if ((st = nest_in(rs, t, op)))
        return st;
    rs->partial_depth++;
    int indent = (op->flags & LLMOPS__OPF_INDENT) && op->ind_len;
    if (indent)
        rs->ind[rs->nind++] = (slice){ t->src + op->ind_off, op->ind_len };
    const char *saved = rs->pname;
    size_t saved_len = rs->pname_len;
    if (op->kind == LLMOPS__OP_PARENT)
        rs->ovr[rs->novr++] = (ovr){ t, i, saved, saved_len };
    rs->pname = name;
    rs->pname_len = len;
    st = render_range(rs, pt, 0, pt->nops);
    rs->pname = saved;
    rs->pname_len = saved_len;
    if (op->kind == LLMOPS__OP_PARENT)
        rs->novr--;
    if (indent)
        rs->nind--;
    rs->partial_depth--;
    rs->nest--;
    return st;
}

/* The argument block overriding block `name`: the outermost parent wins. */
static const ovr *find_override(rstate *rs, const llmops__tmpl *bt,
                                const llmops__tmpl_op *bop, uint32_t *oi)
{
    const char *name = bt->src + bop->off;
    for (unsigned f = 0; f < rs->novr; f++) {
        const llmops__tmpl *pt = rs->ovr[f].t;
        const llmops__tmpl_op *pop = &pt->ops[rs->ovr[f].op];
        for (uint32_t j = rs->ovr[f].op + 1; j < pop->end;) {
            const llmops__tmpl_op *a = &pt->ops[j];
            rs->steps++; /* the scan is work too: keep the step cap meaningful */
            if (a->kind == LLMOPS__OP_BLOCK && a->hash == bop->hash && a->len == bop->len &&
                memcmp(pt->src + a->off, name, a->len) == 0) {
                *oi = j;
                return &rs->ovr[f];
            }
            j = a->end != UINT32_MAX ? a->end : j + 1;
        }
    }
    return NULL;
}

static llmops_status render_block(rstate *rs, const llmops__tmpl *t, const llmops__tmpl_op *op,
                                  uint32_t i)
{
    llmops_status st = nest_in(rs, t, op);
    if (st)
        return st;
    uint32_t oi;
    int reindent = op->flags & (LLMOPS__OPF_INTRINSIC | LLMOPS__OPF_LEADING);
    const ovr *o = find_override(rs, t, op, &oi);
    if (o) {
        if (reindent) {
            rs->ind[rs->nind++] = (slice){ t->src + op->ind_off, op->ind_len };
            rs->pending = 1;
        }
        /* The override is written in another template: name that one in messages. */
        const char *saved = rs->pname;
        size_t saved_len = rs->pname_len;
        rs->pname = o->pname;
        rs->pname_len = o->pname_len;
        st = render_range(rs, o->t, oi + 1, o->t->ops[oi].end);
        rs->pname = saved;
        rs->pname_len = saved_len;
        if (reindent)
            rs->nind--;
    } else if (op->flags & LLMOPS__OPF_INTRINSIC) {
        rs->ind[rs->nind++] = (slice){ t->src + op->ind_off, op->ind_len };
        st = render_range(rs, t, i + 1, op->end);
        rs->nind--;
    } else {
        if (op->flags & LLMOPS__OPF_LEADING)
            emit(rs, t->src + op->ind_off, op->ind_len);
        st = render_range(rs, t, i + 1, op->end);
    }
    rs->nest--;
    return st;
}

static llmops_status render_range(rstate *rs, const llmops__tmpl *t, uint32_t from, uint32_t to)
{
    llmops_status st = LLMOPS_OK;
    for (uint32_t i = from; i < to && !st;) {
        const llmops__tmpl_op *op = &t->ops[i];
        if (++rs->steps > LLMOPS__TMPL_MAX_STEPS)
            return rfail(rs, LLMOPS_E_LIMIT, t, op->pos,
                         "rendering took more than %u steps (runaway loops or partials?)",
                         (unsigned)LLMOPS__TMPL_MAX_STEPS);
        if (op->flags & LLMOPS__OPF_BOL)
            rs->pending = 1;
        switch (op->kind) {
        case LLMOPS__OP_TEXT:
            emit(rs, t->src + op->off, op->len);
            i++;
            break;
        case LLMOPS__OP_VAR: {
            uint32_t miss;
            const llmops_json *v = lookup(rs, t, op->name, &miss);
            if (v)
                st = emit_value(rs, v, rs->mode == LLMOPS__TMPL_SPEC &&
                                           (op->flags & LLMOPS__OPF_ESCAPE));
            else if (rs->mode == LLMOPS__TMPL_PROMPT)
                st = missing(rs, t, op, miss, "variable");
            i++;
            break;
        }
        case LLMOPS__OP_SECTION:
        case LLMOPS__OP_INVERTED:
            st = render_section(rs, t, op, i);
            i = op->end;
            break;
        case LLMOPS__OP_PARTIAL:
            st = render_partial(rs, t, op, i);
            i++;
            break;
        case LLMOPS__OP_PARENT:
            st = render_partial(rs, t, op, i);
            i = op->end;
            break;
        case LLMOPS__OP_BLOCK:
            st = render_block(rs, t, op, i);
            i = op->end;
            break;
        default:
            return rfail(rs, LLMOPS_E_INTERNAL, t, op->pos, "unknown template op %u", op->kind);
        }
        if (rs->out->failed)
            break;
    }
    return st;
}

static llmops_status render(const llmops__tmpl *t, const llmops_json *data, unsigned mode,
                            llmops__tmpl_partial_fn partials, llmops__tmpl_compiled_fn compiled,
                            void *ud, llmops__buf *out, llmops__tmpl_error *err)
{
    if (err) {
        memset(err, 0, sizeof *err);
        err->line = err->column = 1;
    }
    if (!t || !out || mode > LLMOPS__TMPL_PROMPT) {
        if (err)
            snprintf(err->message, sizeof err->message,
                     "render needs a template, an output buffer and a known mode");
        return LLMOPS_E_INVALID_ARGUMENT;
    }
    if (out->failed) {
        if (err)
            snprintf(err->message, sizeof err->message, "the output buffer has already failed");
        return out->failed == 2 ? LLMOPS_E_LIMIT : LLMOPS_E_NO_MEMORY;
    }
    size_t start = out->len;
    /* Only the scalars are set: the stacks are read below their counts. */
    rstate state;
    rstate *rs = &state;
    rs->out = out;
    rs->mode = mode;
    rs->fn = partials;
    rs->cfn = compiled;
    rs->ud = ud;
    rs->err = err;
    rs->nctx = 1;
    rs->ctx[0] = data;
    rs->nind = rs->novr = 0;
    rs->pending = 0;
    rs->nest = rs->partial_depth = 0;
    rs->steps = 0;
    rs->pname = NULL;
    rs->pname_len = 0;
    rs->cache = NULL;
    rs->cache_cap = rs->cache_n = 0;
    llmops_status st = render_range(rs, t, 0, t->nops);
    if (!st && out->failed) {
        st = out->failed == 2 ? LLMOPS_E_LIMIT : LLMOPS_E_NO_MEMORY;
        if (err)
            snprintf(err->message, sizeof err->message, "%s",
                     st == LLMOPS_E_LIMIT ? "rendered text exceeds the output buffer's limit"
                                          : "out of memory rendering the template");
    } else if (st == LLMOPS_E_NO_MEMORY && err && !err->message[0]) {
        snprintf(err->message, sizeof err->message, "out of memory rendering the template");
    }
    for (size_t i = 0; i < rs->cache_cap; i++)
        llmops__tmpl_free(rs->cache[i].t);
    llmops__free(rs->cache);
    if (st) {
        out->failed = 0;
        out->len = start;
        if (out->data)
            out->data[start] = '\0';
    }
    return st;
}

llmops_status llmops__tmpl_render(const llmops__tmpl *t, const llmops_json *data, unsigned mode,
                                  llmops__tmpl_partial_fn partials, void *ud, llmops__buf *out,
                                  llmops__tmpl_error *err)
{
    return render(t, data, mode, partials, NULL, ud, out, err);
}

llmops_status llmops__tmpl_render_compiled(const llmops__tmpl *t, const llmops_json *data,
                                           unsigned mode, llmops__tmpl_compiled_fn partials,
                                           void *ud, llmops__buf *out, llmops__tmpl_error *err)
{
    return render(t, data, mode, NULL, partials, ud, out, err);
}
