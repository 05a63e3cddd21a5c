/* Mustache compiler: one pass over the source into a flat op list.
 *
 * Whitespace rules (spec v1.4 and its whitespace notes):
 *  - A non-interpolation tag alone on its line (only spaces/tabs around it)
 *    is standalone: the whole line, line ending included, disappears. For
 *    partials and parents the removed leading whitespace becomes the
 *    indentation of every line they expand to.
 *  - A parent element whose open tag has only whitespace before it and whose
 *    close tag has only whitespace after it is standalone as a whole, even
 *    when other tags share those lines.
 *  - An argument block (a block directly inside a parent) whose open tag ends
 *    its line starts on the next line; the leading whitespace of that line is
 *    the block's intrinsic indentation and is removed from each content line.
 *    A standalone parameter block (outside a parent) does the same, and its
 *    intrinsic indentation is put back, at render time, in front of each
 *    line of whatever fills it. A parameter block that shares its lines
 *    with text-free tags only (e.g. "  {{$b}}{{/b}}") instead uses the
 *    whitespace before its open tag as the indentation of an override.
 * Text is cut into one op per source line so the renderer can indent lines
 * without looking at the bytes again.
 */
#include "template/ops.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"

#define NONE UINT32_MAX

typedef struct elem {
    uint32_t op;              /* index of the open op */
    uint32_t name_off, name_len;
    uint32_t pos;             /* offset of the open tag */
    uint32_t lead_op;         /* text op holding the whitespace before the tag, or NONE */
    uint32_t lead_off, lead_len; /* that whitespace in src */
    uint32_t strip_off, strip_len; /* raw indentation removed from content lines */
    uint8_t kind;
    uint8_t ws_before;        /* only whitespace before the open tag on its line */
    uint8_t standalone;       /* the open tag alone on its line */
    uint8_t argument;         /* a block directly inside a parent */
} elem;

typedef struct compiler {
    llmops__tmpl *t;
    const char *s;
    size_t n;
    size_t pos;
    const char *od, *cd;      /* current delimiters */
    size_t odl, cdl;
    size_t line_start;        /* offset where the current source line starts */
    unsigned line_tags;       /* tags already seen on the current line */
    elem stack[LLMOPS__TMPL_MAX_DEPTH];
    unsigned depth;
    uint32_t cap_ops, cap_names, cap_parts;
    llmops__tmpl_error *err;
} compiler;

void llmops__tmpl_position(const char *src, size_t len, size_t offset, unsigned *line,
                           unsigned *column)
{
    unsigned l = 1;
    size_t ls = 0;
    if (offset > len)
        offset = len;
    for (const char *p = src, *end = src + offset; (p = memchr(p, '\n', (size_t)(end - p)));) {
        p++;
        l++;
        ls = (size_t)(p - src);
    }
    *line = l;
    *column = (unsigned)(offset - ls + 1);
}

uint32_t llmops__tmpl_hash(const char *s, size_t len)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

/* Copy a name into a message: at most 48 bytes, unprintable bytes as '?'. */
static void quote_name(char *dst, size_t cap, const char *s, size_t len)
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

static llmops_status fail(compiler *c, llmops_status st, size_t offset, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

static llmops_status fail(compiler *c, llmops_status st, size_t offset, const char *fmt, ...)
{
    if (c->err) {
        c->err->offset = offset;
        llmops__tmpl_position(c->s, c->n, offset, &c->err->line, &c->err->column);
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->err->message, sizeof c->err->message, fmt, ap);
        va_end(ap);
    }
    return st;
}

static int is_ws(char ch)
{
    return ch == ' ' || ch == '\t';
}

static int is_name_ws(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

static llmops__tmpl_op *new_op(compiler *c, unsigned kind, size_t pos)
{
    llmops__tmpl *t = c->t;
    if (t->nops == c->cap_ops) {
        size_t cap = llmops__grow_cap(c->cap_ops, (size_t)c->cap_ops + 1, sizeof *t->ops);
        if (!cap || cap > UINT32_MAX)
            return NULL;
        llmops__tmpl_op *ops = llmops__realloc(t->ops, cap * sizeof *ops);
        if (!ops)
            return NULL;
        t->ops = ops;
        c->cap_ops = (uint32_t)cap;
    }
    llmops__tmpl_op *op = &t->ops[t->nops++];
    memset(op, 0, sizeof *op);
    op->kind = (uint8_t)kind;
    op->pos = (uint32_t)pos;
    op->end = NONE;
    return op;
}

/* Append [a, b) as text ops, one per line. `bol` lines lose the current
 * intrinsic indentation. Tracks where lines start. */
static llmops_status emit_text(compiler *c, size_t a, size_t b, int keep)
{
    const elem *top = c->depth ? &c->stack[c->depth - 1] : NULL;
    /* Text directly inside a parent is ignored by the spec: track lines only. */
    if (top && top->kind == LLMOPS__OP_PARENT)
        keep = 0;
    while (a < b) {
        const char *nl = memchr(c->s + a, '\n', b - a);
        size_t e = nl ? (size_t)(nl - c->s) + 1 : b;
        if (keep) {
            size_t off = a, len = e - a;
            int bol = a == 0 || c->s[a - 1] == '\n';
            if (bol && top && top->strip_len && len >= top->strip_len &&
                memcmp(c->s + off, c->s + top->strip_off, top->strip_len) == 0) {
                off += top->strip_len;
                len -= top->strip_len;
            }
            if (len) {
                llmops__tmpl_op *op = new_op(c, LLMOPS__OP_TEXT, a);
                if (!op)
                    return LLMOPS_E_NO_MEMORY;
                op->off = (uint32_t)off;
                op->len = (uint32_t)len;
                op->flags = bol ? LLMOPS__OPF_BOL : 0;
            }
        }
        if (nl) {
            c->line_start = e;
            c->line_tags = 0;
        }
        a = e;
    }
    return LLMOPS_OK;
}

/* Parse a (dotted) variable name in [a, b) (already trimmed). */
static llmops_status add_name(compiler *c, size_t a, size_t b, size_t tag, uint32_t *out)
{
    llmops__tmpl *t = c->t;
    for (size_t i = a; i < b; i++) {
        if (is_name_ws(c->s[i]))
            return fail(c, LLMOPS_E_PARSE, tag, "tag name contains whitespace");
    }
    if (t->nnames == c->cap_names) {
        size_t cap = llmops__grow_cap(c->cap_names, (size_t)c->cap_names + 1, sizeof *t->names);
        llmops__tmpl_name *nn = cap && cap <= UINT32_MAX ? llmops__realloc(t->names, cap * sizeof *nn) : NULL;
        if (!nn)
            return LLMOPS_E_NO_MEMORY;
        t->names = nn;
        c->cap_names = (uint32_t)cap;
    }
    llmops__tmpl_name *nm = &t->names[t->nnames];
    nm->off = (uint32_t)a;
    nm->len = (uint32_t)(b - a);
    nm->first = t->nparts;
    nm->nparts = 0;
    if (!(b - a == 1 && c->s[a] == '.')) {
        size_t p = a;
        for (;;) {
            const char *dot = memchr(c->s + p, '.', b - p);
            size_t e = dot ? (size_t)(dot - c->s) : b;
            if (e == p) {
                char q[64];
                quote_name(q, sizeof q, c->s + a, b - a);
                return fail(c, LLMOPS_E_PARSE, tag, "empty part in dotted name '%s'", q);
            }
            if (t->nparts == c->cap_parts) {
                size_t cap = llmops__grow_cap(c->cap_parts, (size_t)c->cap_parts + 1, sizeof *t->parts);
                llmops__tmpl_part *np = cap && cap <= UINT32_MAX ? llmops__realloc(t->parts, cap * sizeof *np) : NULL;
                if (!np)
                    return LLMOPS_E_NO_MEMORY;
                t->parts = np;
                c->cap_parts = (uint32_t)cap;
            }
            t->parts[t->nparts].off = (uint32_t)p;
            t->parts[t->nparts].len = (uint32_t)(e - p);
            t->nparts++;
            nm->nparts++;
            if (!dot)
                break;
            p = e + 1;
        }
    }
    *out = t->nnames++;
    return LLMOPS_OK;
}

/* A partial, parent or block name: one non-empty word. */
static llmops_status check_word(compiler *c, size_t a, size_t b, size_t tag, const char *what)
{
    if (a == b)
        return fail(c, LLMOPS_E_PARSE, tag, "%s tag without a name", what);
    for (size_t i = a; i < b; i++) {
        if (is_name_ws(c->s[i]))
            return fail(c, LLMOPS_E_PARSE, tag, "%s name contains whitespace", what);
    }
    return LLMOPS_OK;
}

/* {{=<% %>=}}: two words, no '=' in them. */
static llmops_status set_delims(compiler *c, size_t a, size_t b, size_t tag)
{
    size_t p = a;
    while (p < b && is_name_ws(c->s[p]))
        p++;
    size_t o1 = p;
    while (p < b && !is_name_ws(c->s[p]))
        p++;
    size_t o2 = p;
    while (p < b && is_name_ws(c->s[p]))
        p++;
    size_t c1 = p;
    while (p < b && !is_name_ws(c->s[p]))
        p++;
    size_t c2 = p;
    while (p < b && is_name_ws(c->s[p]))
        p++;
    if (o1 == o2 || c1 == c2 || p != b)
        return fail(c, LLMOPS_E_PARSE, tag,
                    "set-delimiter tag needs two delimiters separated by whitespace");
    if (memchr(c->s + o1, '=', o2 - o1) || memchr(c->s + c1, '=', c2 - c1))
        return fail(c, LLMOPS_E_PARSE, tag, "a delimiter cannot contain '='");
    c->od = c->s + o1;
    c->odl = o2 - o1;
    c->cd = c->s + c1;
    c->cdl = c2 - c1;
    return LLMOPS_OK;
}

/* Leading spaces/tabs of the line starting at `at`. */
static size_t leading_ws(const compiler *c, size_t at)
{
    size_t e = at;
    while (e < c->n && is_ws(c->s[e]))
        e++;
    return e - at;
}

/* Indentation [off, off+len) minus the current intrinsic indentation. */
static void relative_indent(const compiler *c, size_t off, size_t len, uint32_t *ioff, uint32_t *ilen)
{
    const elem *top = c->depth ? &c->stack[c->depth - 1] : NULL;
    if (top && top->strip_len && len >= top->strip_len &&
        memcmp(c->s + off, c->s + top->strip_off, top->strip_len) == 0) {
        off += top->strip_len;
        len -= top->strip_len;
    }
    *ioff = (uint32_t)off;
    *ilen = (uint32_t)len;
}

static llmops_status open_elem(compiler *c, llmops__tmpl_op *op, size_t name_a, size_t name_b,
                               size_t ts, size_t ls, int ws_before, int standalone,
                               int lead_emitted)
{
    if (c->depth == LLMOPS__TMPL_MAX_DEPTH)
        return fail(c, LLMOPS_E_LIMIT, ts, "sections nested deeper than %d",
                    LLMOPS__TMPL_MAX_DEPTH);
    const elem *outer = c->depth ? &c->stack[c->depth - 1] : NULL;
    elem *e = &c->stack[c->depth++];
    memset(e, 0, sizeof *e);
    e->op = (uint32_t)(op - c->t->ops);
    e->kind = op->kind;
    e->name_off = (uint32_t)name_a;
    e->name_len = (uint32_t)(name_b - name_a);
    e->pos = (uint32_t)ts;
    e->ws_before = (uint8_t)ws_before;
    e->standalone = (uint8_t)standalone;
    e->lead_off = (uint32_t)ls;
    e->lead_len = (uint32_t)(ts - ls);
    e->lead_op = lead_emitted ? c->t->nops - 2 : NONE; /* the text op just before `op` */
    e->argument = op->kind == LLMOPS__OP_BLOCK && outer && outer->kind == LLMOPS__OP_PARENT;
    if (outer) {
        e->strip_off = outer->strip_off;
        e->strip_len = outer->strip_len;
    }
    return LLMOPS_OK;
}

static llmops_status close_elem(compiler *c, size_t a, size_t b, size_t ts, int ws_after,
                                int standalone, size_t eol)
{
    char q1[64], q2[64];
    if (!c->depth) {
        quote_name(q1, sizeof q1, c->s + a, b - a);
        return fail(c, LLMOPS_E_PARSE, ts, "closing tag '%s' without an open section", q1);
    }
    elem *e = &c->stack[c->depth - 1];
    if (e->name_len != b - a || memcmp(c->s + e->name_off, c->s + a, b - a) != 0) {
        unsigned l, col;
        llmops__tmpl_position(c->s, c->n, e->pos, &l, &col);
        quote_name(q1, sizeof q1, c->s + e->name_off, e->name_len);
        quote_name(q2, sizeof q2, c->s + a, b - a);
        return fail(c, LLMOPS_E_PARSE, ts, "section '%s' opened at %u:%u is closed by '%s'", q1,
                    l, col, q2);
    }
    c->depth--;
    llmops__tmpl *t = c->t;
    llmops__tmpl_op *op = &t->ops[e->op];
    op->end = t->nops;
    /* Parent and parameter-block elements that are standalone as a whole. */
    int whole = e->ws_before && !e->standalone && ws_after;
    if (whole && (e->kind == LLMOPS__OP_PARENT || (e->kind == LLMOPS__OP_BLOCK && !e->argument))) {
        if (e->lead_op != NONE)
            t->ops[e->lead_op].len = 0;
        relative_indent(c, e->lead_off, e->lead_len, &op->ind_off, &op->ind_len);
        op->flags |= e->kind == LLMOPS__OP_PARENT ? LLMOPS__OPF_INDENT : LLMOPS__OPF_LEADING;
        /* The ops after the removed whitespace start the line. */
        op->flags |= LLMOPS__OPF_BOL;
        if (e->kind == LLMOPS__OP_PARENT && !standalone) {
            c->pos = eol;
            c->line_start = eol;
            c->line_tags = 0;
            return LLMOPS_OK;
        }
    }
    return LLMOPS_OK;
}

/* Find "<sigil-close><close delimiter>" from `from`; returns its offset or NONE. */
static size_t find_close(const compiler *c, size_t from, char lead)
{
    size_t p = from;
    while (p < c->n) {
        const char *hit = memmem(c->s + p, c->n - p, c->cd, c->cdl);
        if (!hit)
            return (size_t)-1;
        size_t at = (size_t)(hit - c->s);
        if (!lead)
            return at;
        if (at > from && c->s[at - 1] == lead)
            return at - 1;
        p = at + 1;
    }
    return (size_t)-1;
}

static llmops_status compile_tag(compiler *c, size_t ts)
{
    size_t p = ts + c->odl;
    char sigil = p < c->n ? c->s[p] : '\0';
    size_t ca, cb, te;
    char lead = 0;
    if (sigil == '{')
        lead = '}';
    else if (sigil == '=')
        lead = '=';
    if (sigil == '{' || sigil == '=' || sigil == '!' || sigil == '#' || sigil == '^' ||
        sigil == '/' || sigil == '>' || sigil == '<' || sigil == '$' || sigil == '&')
        ca = p + 1;
    else {
        sigil = 0;
        ca = p;
    }
    size_t close = find_close(c, ca, lead);
    if (close == (size_t)-1) {
        char q[64];
        quote_name(q, sizeof q, c->cd, c->cdl);
        return fail(c, LLMOPS_E_PARSE, ts, "unclosed tag: no '%s%s' after it",
                    lead == '}' ? "}" : lead == '=' ? "=" : "", q);
    }
    cb = close;
    te = close + (lead ? 1 : 0) + c->cdl;

    /* Standalone: only spaces/tabs from the line start to the tag and from the
     * tag to the end of the line. */
    const char *nl = ts > c->pos ? memrchr(c->s + c->pos, '\n', ts - c->pos) : NULL;
    size_t ls = nl ? (size_t)(nl - c->s) + 1 : c->line_start;
    int ws_before = 1;
    if (!nl && c->line_tags)
        ws_before = 0;
    for (size_t i = ls > c->pos ? ls : c->pos; ws_before && i < ts; i++)
        ws_before = is_ws(c->s[i]);
    if (ls < c->pos && c->line_tags == 0) {
        /* Text before c->pos on this line was already emitted; it was tag-free. */
        for (size_t i = ls; ws_before && i < c->pos; i++)
            ws_before = is_ws(c->s[i]);
    }
    size_t q = te;
    while (q < c->n && is_ws(c->s[q]))
        q++;
    int ws_after = 1;
    size_t eol = q;
    if (q == c->n)
        eol = q;
    else if (c->s[q] == '\n')
        eol = q + 1;
    else if (c->s[q] == '\r' && q + 1 < c->n && c->s[q + 1] == '\n')
        eol = q + 2;
    else
        ws_after = 0;
    int capable = sigil && sigil != '{' && sigil != '&';
    int standalone = capable && ws_before && ws_after;
    /* A block directly inside a parent whose tag ends the line starts on the next line. */
    const elem *top = c->depth ? &c->stack[c->depth - 1] : NULL;
    int argument_eol = sigil == '$' && top && top->kind == LLMOPS__OP_PARENT && ws_after;

    llmops_status st;
    int lead_emitted = 0;
    if (standalone) {
        st = emit_text(c, c->pos, ls > c->pos ? ls : c->pos, 1);
    } else {
        uint32_t before = c->t->nops;
        st = emit_text(c, c->pos, ts, 1);
        /* The whitespace before the tag is one op of its own (text ops are per line). */
        lead_emitted = ws_before && ts > ls && c->t->nops > before &&
                       c->t->ops[c->t->nops - 1].pos == ls;
    }
    if (st)
        return st;

    /* Trim the tag content. */
    size_t a = ca, b = cb;
    while (a < b && is_name_ws(c->s[a]))
        a++;
    while (b > a && is_name_ws(c->s[b - 1]))
        b--;

    int in_parent = top && top->kind == LLMOPS__OP_PARENT;
    llmops__tmpl_op *op = NULL;
    uint32_t idx;
    switch (sigil) {
    case '!':
        break;
    case '=':
        st = set_delims(c, ca, cb, ts);
        break;
    case '#':
    case '^':
        if (a == b)
            return fail(c, LLMOPS_E_PARSE, ts, "section tag without a name");
        if ((st = add_name(c, a, b, ts, &idx)))
            return st;
        if (!(op = new_op(c, sigil == '#' ? LLMOPS__OP_SECTION : LLMOPS__OP_INVERTED, ts)))
            return LLMOPS_E_NO_MEMORY;
        op->name = idx;
        op->off = (uint32_t)a;
        op->len = (uint32_t)(b - a);
        st = open_elem(c, op, a, b, ts, ls, ws_before, standalone, lead_emitted);
        break;
    case '/':
        if (a == b)
            return fail(c, LLMOPS_E_PARSE, ts, "closing tag without a name");
        st = close_elem(c, a, b, ts, ws_after, standalone, eol);
        if (st)
            return st;
        if (c->pos > te) /* a whole parent element consumed its line */
            return LLMOPS_OK;
        break;
    case '>':
    case '<': {
        int dyn = a < b && c->s[a] == '*';
        size_t na = dyn ? a + 1 : a;
        while (dyn && na < b && is_name_ws(c->s[na])) /* "{{> * name }}" */
            na++;
        if ((st = check_word(c, na, b, ts, sigil == '>' ? "partial" : "parent")))
            return st;
        if (in_parent && sigil == '>')
            break; /* ignored inside a parent */
        if (dyn && (st = add_name(c, na, b, ts, &idx)))
            return st;
        if (!(op = new_op(c, sigil == '>' ? LLMOPS__OP_PARTIAL : LLMOPS__OP_PARENT, ts)))
            return LLMOPS_E_NO_MEMORY;
        op->off = (uint32_t)na;
        op->len = (uint32_t)(b - na);
        if (dyn) {
            op->flags |= LLMOPS__OPF_DYNAMIC;
            op->name = idx;
        }
        if (standalone) {
            op->flags |= LLMOPS__OPF_INDENT | LLMOPS__OPF_BOL;
            relative_indent(c, ls, ts - ls, &op->ind_off, &op->ind_len);
        }
        if (sigil == '<')
            st = open_elem(c, op, a, b, ts, ls, ws_before, standalone, lead_emitted);
        break;
    }
    case '$': {
        if ((st = check_word(c, a, b, ts, "block")))
            return st;
        if (!(op = new_op(c, LLMOPS__OP_BLOCK, ts)))
            return LLMOPS_E_NO_MEMORY;
        op->off = (uint32_t)a;
        op->len = (uint32_t)(b - a);
        op->hash = llmops__tmpl_hash(c->s + a, b - a);
        if (standalone)
            op->flags |= LLMOPS__OPF_BOL;
        if ((st = open_elem(c, op, a, b, ts, ls, ws_before, standalone, lead_emitted)))
            return st;
        elem *e = &c->stack[c->depth - 1];
        if ((argument_eol || (standalone && !e->argument)) && eol < c->n &&
            c->s[eol - 1] == '\n') {
            /* Intrinsic indentation: the next line's leading whitespace. */
            size_t iw = leading_ws(c, eol);
            if (!e->argument) {
                relative_indent(c, eol, iw, &op->ind_off, &op->ind_len);
                op->flags |= LLMOPS__OPF_INTRINSIC;
            }
            e->strip_off = (uint32_t)eol;
            e->strip_len = (uint32_t)iw;
        }
        if (argument_eol && !standalone) {
            c->pos = eol;
            c->line_start = eol;
            c->line_tags = 0;
            return LLMOPS_OK;
        }
        break;
    }
    default:
        if (a == b)
            return fail(c, LLMOPS_E_PARSE, ts, "empty tag");
        if ((st = add_name(c, a, b, ts, &idx)))
            return st;
        if (in_parent)
            break; /* ignored inside a parent */
        if (!(op = new_op(c, LLMOPS__OP_VAR, ts)))
            return LLMOPS_E_NO_MEMORY;
        op->name = idx;
        op->off = (uint32_t)a;
        op->len = (uint32_t)(b - a);
        if (!sigil)
            op->flags |= LLMOPS__OPF_ESCAPE;
        break;
    }
    if (st)
        return st;
    if (op && (standalone || ts == ls))
        op->flags |= LLMOPS__OPF_BOL;
    if (standalone) {
        c->pos = eol;
        c->line_start = eol;
        c->line_tags = 0;
    } else {
        c->pos = te;
        /* A tag spanning lines moves the line start to its last line. */
        const char *tnl = memrchr(c->s + ts, '\n', te - ts);
        if (tnl)
            c->line_start = (size_t)(tnl - c->s) + 1;
        c->line_tags++;
    }
    return LLMOPS_OK;
}

void llmops__tmpl_free(llmops__tmpl *t)
{
    if (!t)
        return;
    llmops__free(t->src);
    llmops__free(t->ops);
    llmops__free(t->names);
    llmops__free(t->parts);
    llmops__free(t);
}

llmops_status llmops__tmpl_compile(llmops__tmpl **out, const char *src, size_t len,
                                   llmops__tmpl_error *err)
{
    if (err) {
        memset(err, 0, sizeof *err);
        err->line = err->column = 1;
    }
    if (!out || (!src && len)) {
        if (err)
            snprintf(err->message, sizeof err->message, "no output pointer or no source");
        return LLMOPS_E_INVALID_ARGUMENT;
    }
    *out = NULL;
    if (len >= UINT32_MAX) {
        if (err)
            snprintf(err->message, sizeof err->message, "template larger than 4 GiB");
        return LLMOPS_E_LIMIT;
    }
    llmops__tmpl *t = llmops__calloc(1, sizeof *t);
    if (t)
        t->src = llmops__strndup(len ? src : "", len);
    if (!t || !t->src) {
        llmops__free(t);
        if (err)
            snprintf(err->message, sizeof err->message, "out of memory compiling the template");
        return LLMOPS_E_NO_MEMORY;
    }
    t->src_len = len;
    compiler c;
    memset(&c, 0, sizeof c);
    c.t = t;
    c.s = t->src;
    c.n = len;
    c.od = "{{";
    c.odl = 2;
    c.cd = "}}";
    c.cdl = 2;
    c.err = err;
    llmops_status st = LLMOPS_OK;
    while (c.pos < c.n) {
        const char *hit = memmem(c.s + c.pos, c.n - c.pos, c.od, c.odl);
        if (!hit) {
            st = emit_text(&c, c.pos, c.n, 1);
            c.pos = c.n;
            break;
        }
        if ((st = compile_tag(&c, (size_t)(hit - c.s))))
            break;
    }
    if (!st && c.depth) {
        const elem *e = &c.stack[c.depth - 1];
        char q[64];
        quote_name(q, sizeof q, c.s + e->name_off, e->name_len);
        st = fail(&c, LLMOPS_E_PARSE, e->pos, "section '%s' is never closed", q);
    }
    if (st) {
        if (st == LLMOPS_E_NO_MEMORY && err)
            snprintf(err->message, sizeof err->message, "out of memory compiling the template");
        llmops__tmpl_free(t);
        return st;
    }
    *out = t;
    return LLMOPS_OK;
}
