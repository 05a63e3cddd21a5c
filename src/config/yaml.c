/* YAML → JSON tree with positions (rules in yaml.h).
 *
 * Two stages. libyaml's events first build a small private tree (ynode) in
 * an arena: it keeps every node's position and the raw text of scalars, and
 * lets an alias share the anchored node instead of copying it, so the size
 * of the expansion (node weights) is known and bounded before anything is
 * expanded. The second stage writes the JSON document from that tree and,
 * when asked, walks both trees together to fill the position table (a JSON
 * value's final address is only known once its parent is complete). */
#include "config/yaml.h"
#include "core/alloc.h"
#include "core/arena.h"
#include "core/hash.h"
#include "json/number.h"
#include "json/utf8.h"
#include "llmops_config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Prints a short, printable rendering of user text into an error message. */
static void put_excerpt(llmops__buf *b, const char *s, size_t len)
{
    size_t max = 60;
    for (size_t i = 0; i < len && i < max; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7f && c != '\'')
            llmops__buf_putc(b, (char)c);
        else
            llmops__buf_printf(b, "\\x%02x", c);
    }
    if (len > max)
        llmops__buf_puts(b, "...");
}

#if LLMOPS_HAVE_YAML

#include <math.h>
#include <yaml.h>

enum ykind { Y_NULL, Y_BOOL, Y_INT, Y_DBL, Y_STR, Y_SEQ, Y_MAP, Y_ALIAS };

typedef struct ynode ynode;

typedef struct ykey {
    const char *s;
    size_t len;
    llmops__yaml_pos pos;
} ykey;

struct ynode {
    uint8_t kind;
    uint8_t complete;          /* collections: END seen (an alias may use it) */
    llmops__yaml_pos pos;
    const char *text;          /* scalars: the text as written (keys use it) */
    size_t len;
    union {
        int b;
        int64_t i;
        double d;
        ynode *target;         /* Y_ALIAS */
    } v;
    ynode **kids;              /* collections */
    ykey *keys;                /* mappings: keys[i] names kids[i] */
    size_t n, cap;
    uint64_t weight;           /* nodes in the full expansion, itself included */
    unsigned height;           /* collection levels in the expansion */
};

typedef struct anchor {
    const char *name;          /* NULL = empty slot */
    size_t len;
    uint64_t hash;
    ynode *node;
} anchor;

typedef struct frame {
    ynode *coll;
    int have_key;
    ykey key;
} frame;

typedef struct yctx {
    llmops__arena arena;
    llmops__buf *err;
    llmops_status st;
    frame *stack;
    size_t depth, stack_cap;
    anchor *anchors;
    size_t anchor_mask, anchor_count;
    uint64_t total;            /* expanded nodes so far */
    ynode *root;
    int docs;
} yctx;

static llmops__yaml_pos mark_pos(yaml_mark_t m)
{
    llmops__yaml_pos p = { (unsigned)m.line + 1, (unsigned)m.column + 1 };
    return p;
}

#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static llmops_status fail(yctx *c, llmops_status st, llmops__yaml_pos p, const char *fmt, ...)
{
    if (c->st != LLMOPS_OK)
        return c->st;
    c->st = st;
    if (c->err) {
        char msg[256];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        llmops__buf_printf(c->err, "%u:%u: %s", p.line, p.column, msg);
    }
    return st;
}

static llmops_status nomem(yctx *c)
{
    if (c->st == LLMOPS_OK) {
        c->st = LLMOPS_E_NO_MEMORY;
        if (c->err)
            llmops__buf_puts(c->err, "out of memory while reading YAML");
    }
    return c->st;
}

/* ---- anchors ------------------------------------------------------------- */

static anchor *anchor_slot(anchor *tab, size_t mask, const char *name, size_t len, uint64_t h)
{
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        anchor *a = &tab[i];
        if (!a->name || (a->hash == h && a->len == len && memcmp(a->name, name, len) == 0))
            return a;
    }
}

static int anchor_set(yctx *c, const char *name, ynode *node)
{
    size_t len = strlen(name);
    if ((c->anchor_count + 1) * 2 > c->anchor_mask + 1 || !c->anchors) {
        size_t ncap = c->anchors ? (c->anchor_mask + 1) * 2 : 16;
        anchor *tab = llmops__calloc(ncap, sizeof *tab);
        if (!tab)
            return -1;
        for (size_t i = 0; c->anchors && i <= c->anchor_mask; i++) {
            anchor *old = &c->anchors[i];
            if (old->name)
                *anchor_slot(tab, ncap - 1, old->name, old->len, old->hash) = *old;
        }
        llmops__free(c->anchors);
        c->anchors = tab;
        c->anchor_mask = ncap - 1;
    }
    uint64_t h = llmops__hash_bytes(name, len, 0x9e3779b97f4a7c15u);
    anchor *a = anchor_slot(c->anchors, c->anchor_mask, name, len, h);
    if (!a->name) {
        char *copy = llmops__arena_strndup(&c->arena, name, len);
        if (!copy)
            return -1;
        a->name = copy;
        a->len = len;
        a->hash = h;
        c->anchor_count++;
    }
    /* A redefined anchor names the newer node from here on (YAML 1.2 6.9.2). */
    a->node = node;
    return 0;
}

static ynode *anchor_get(yctx *c, const char *name)
{
    if (!c->anchors)
        return NULL;
    size_t len = strlen(name);
    uint64_t h = llmops__hash_bytes(name, len, 0x9e3779b97f4a7c15u);
    anchor *a = anchor_slot(c->anchors, c->anchor_mask, name, len, h);
    return a->name ? a->node : NULL;
}

/* ---- scalar resolution (YAML 1.2 core schema) ----------------------------- */

#define TAG_PREFIX "tag:yaml.org,2002:"

static int is_digit(char ch) { return ch >= '0' && ch <= '9'; }

static int match3(const char *s, size_t len, const char *a, const char *b, const char *c3)
{
    size_t n = strlen(a);
    return len == n && (memcmp(s, a, n) == 0 || memcmp(s, b, n) == 0 || memcmp(s, c3, n) == 0);
}

static int is_null_text(const char *s, size_t len)
{
    return len == 0 || (len == 1 && s[0] == '~') || match3(s, len, "null", "Null", "NULL");
}

/* 1 true, 0 false, -1 not a boolean. */
static int bool_text(const char *s, size_t len)
{
    if (match3(s, len, "true", "True", "TRUE"))
        return 1;
    if (match3(s, len, "false", "False", "FALSE"))
        return 0;
    return -1;
}

enum { NUM_NONE, NUM_INT, NUM_FLOAT, NUM_INF, NUM_NAN, NUM_RANGE };

/* Classifies `s` and computes its value. NUM_RANGE: a hex or octal
 * integer beyond int64, or a float beyond double range. */
static int number_text(const char *s, size_t len, int64_t *iv, double *dv)
{
    if (len == 0)
        return NUM_NONE;
    if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'o')) {
        unsigned base = s[1] == 'x' ? 16 : 8;
        uint64_t v = 0;
        for (size_t i = 2; i < len; i++) {
            char ch = s[i];
            unsigned d;
            if (is_digit(ch))
                d = (unsigned)(ch - '0');
            else if (base == 16 && ch >= 'a' && ch <= 'f')
                d = (unsigned)(ch - 'a' + 10);
            else if (base == 16 && ch >= 'A' && ch <= 'F')
                d = (unsigned)(ch - 'A' + 10);
            else
                return NUM_NONE;
            if (d >= base)
                return NUM_NONE;
            if (v > ((uint64_t)INT64_MAX - d) / base) {
                /* Keep scanning: a later non-digit makes it a string. */
                for (size_t j = i + 1; j < len; j++) {
                    char cj = s[j];
                    int ok = base == 16 ? (is_digit(cj) || (cj >= 'a' && cj <= 'f') ||
                                           (cj >= 'A' && cj <= 'F'))
                                        : (cj >= '0' && cj <= '7');
                    if (!ok)
                        return NUM_NONE;
                }
                return NUM_RANGE;
            }
            v = v * base + d;
        }
        *iv = (int64_t)v;
        return NUM_INT;
    }
    size_t i = 0;
    int neg = 0;
    if (s[0] == '-' || s[0] == '+') {
        neg = s[0] == '-';
        i = 1;
    }
    const char *rest = s + i;
    size_t rlen = len - i;
    if (match3(rest, rlen, ".inf", ".Inf", ".INF"))
        return NUM_INF;
    if (i == 0 && match3(rest, rlen, ".nan", ".NaN", ".NAN"))
        return NUM_NAN;
    size_t int_start = i;
    while (i < len && is_digit(s[i]))
        i++;
    size_t int_digits = i - int_start;
    size_t frac_start = 0, frac_digits = 0;
    int has_dot = 0;
    if (i < len && s[i] == '.') {
        has_dot = 1;
        frac_start = ++i;
        while (i < len && is_digit(s[i]))
            i++;
        frac_digits = i - frac_start;
    }
    if (int_digits == 0 && frac_digits == 0)
        return NUM_NONE;
    if (int_digits == 0 && !has_dot)
        return NUM_NONE;
    size_t exp_start = 0, exp_len = 0;
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        exp_start = ++i;
        if (i < len && (s[i] == '-' || s[i] == '+'))
            i++;
        size_t d0 = i;
        while (i < len && is_digit(s[i]))
            i++;
        if (i == d0)
            return NUM_NONE;
        exp_len = i - exp_start;
    }
    if (i != len)
        return NUM_NONE;
    if (!has_dot && !exp_len) {
        /* Decimal integer: exact when it fits int64. */
        uint64_t v = 0;
        int over = 0;
        for (size_t k = int_start; k < len; k++) {
            unsigned d = (unsigned)(s[k] - '0');
            if (v > (UINT64_MAX - d) / 10)
                over = 1;
            else
                v = v * 10 + d;
        }
        if (!over && (neg ? v <= (uint64_t)INT64_MAX + 1 : v <= (uint64_t)INT64_MAX)) {
            *iv = neg ? (int64_t)(0 - v) : (int64_t)v;
            return NUM_INT;
        }
    }
    /* Rewrite as JSON number text for the locale-independent reader:
     * no '+', no empty integer part, no bare trailing '.'. */
    char small[96];
    size_t need = len + 4;
    char *buf = need <= sizeof small ? small : llmops__malloc(need);
    if (!buf)
        return NUM_RANGE;
    size_t o = 0;
    if (neg)
        buf[o++] = '-';
    size_t k = int_start;
    while (k + 1 < int_start + int_digits && s[k] == '0')
        k++;
    if (int_digits == 0)
        buf[o++] = '0';
    else {
        memcpy(buf + o, s + k, int_start + int_digits - k);
        o += int_start + int_digits - k;
    }
    if (frac_digits) {
        buf[o++] = '.';
        memcpy(buf + o, s + frac_start, frac_digits);
        o += frac_digits;
    }
    if (exp_len) {
        buf[o++] = 'e';
        memcpy(buf + o, s + exp_start, exp_len);
        o += exp_len;
    }
    buf[o] = '\0';
    double d = llmops__json_strtod(buf);
    if (buf != small)
        llmops__free(buf);
    if (!isfinite(d))
        return NUM_RANGE;
    *dv = d;
    return NUM_FLOAT;
}

static llmops_status resolve_scalar(yctx *c, ynode *n, const yaml_event_t *ev)
{
    const char *tag = (const char *)ev->data.scalar.tag;
    const char *s = n->text;
    size_t len = n->len;
    const char *want = NULL;   /* explicit core tag name */
    if (tag) {
        if (strcmp(tag, "!") == 0) {
            n->kind = Y_STR;
            return LLMOPS_OK;
        }
        if (strncmp(tag, TAG_PREFIX, strlen(TAG_PREFIX)) == 0)
            want = tag + strlen(TAG_PREFIX);
        if (!want || !(strcmp(want, "str") == 0 || strcmp(want, "null") == 0 ||
                       strcmp(want, "bool") == 0 || strcmp(want, "int") == 0 ||
                       strcmp(want, "float") == 0)) {
            llmops__buf t = LLMOPS__BUF_INIT;
            put_excerpt(&t, tag, strlen(tag));
            llmops_status st = fail(c, LLMOPS_E_PARSE, n->pos,
                                    "unsupported tag '%s' on a scalar (only the YAML 1.2 core "
                                    "tags !!str, !!null, !!bool, !!int and !!float are allowed)",
                                    t.data ? t.data : "");
            llmops__buf_free(&t);
            return st;
        }
        if (strcmp(want, "str") == 0) {
            n->kind = Y_STR;
            return LLMOPS_OK;
        }
    } else if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) {
        n->kind = Y_STR;
        return LLMOPS_OK;
    }

    if ((!want || strcmp(want, "null") == 0) && is_null_text(s, len)) {
        n->kind = Y_NULL;
        return LLMOPS_OK;
    }
    int b = bool_text(s, len);
    if ((!want || strcmp(want, "bool") == 0) && b >= 0) {
        n->kind = Y_BOOL;
        n->v.b = b;
        return LLMOPS_OK;
    }
    int64_t iv = 0;
    double dv = 0;
    int num = (!want || strcmp(want, "int") == 0 || strcmp(want, "float") == 0)
                  ? number_text(s, len, &iv, &dv)
                  : NUM_NONE;
    if (want && strcmp(want, "int") == 0 && num == NUM_FLOAT) {
        /* !!int on "1.5" is a mistake, but "1e3"-like integers are floats in
         * the core schema: only integral spellings pass. */
        num = NUM_NONE;
    }
    switch (num) {
    case NUM_INT:
        if (want && strcmp(want, "float") == 0) {
            n->kind = Y_DBL;
            n->v.d = (double)iv;
        } else {
            n->kind = Y_INT;
            n->v.i = iv;
        }
        return LLMOPS_OK;
    case NUM_FLOAT:
        n->kind = Y_DBL;
        n->v.d = dv;
        return LLMOPS_OK;
    case NUM_INF:
    case NUM_NAN:
        return fail(c, LLMOPS_E_PARSE, n->pos,
                    "'%.*s' is not a JSON number (JSON has no infinity or NaN); quote it "
                    "to make it a string",
                    (int)len, s);
    case NUM_RANGE:
        return fail(c, LLMOPS_E_PARSE, n->pos, "number '%.*s%s' is out of range",
                    (int)(len > 40 ? 40 : len), s, len > 40 ? "..." : "");
    default:
        break;
    }
    if (want) {
        llmops__buf t = LLMOPS__BUF_INIT;
        put_excerpt(&t, s, len);
        llmops_status st = fail(c, LLMOPS_E_PARSE, n->pos, "'%s' is not a valid !!%s",
                                t.data ? t.data : "", want);
        llmops__buf_free(&t);
        return st;
    }
    n->kind = Y_STR;
    return LLMOPS_OK;
}

/* ---- building the private tree ------------------------------------------ */

static ynode *new_node(yctx *c, uint8_t kind, yaml_mark_t m)
{
    ynode *n = llmops__arena_calloc(&c->arena, 1, sizeof *n);
    if (!n) {
        nomem(c);
        return NULL;
    }
    n->kind = kind;
    n->pos = mark_pos(m);
    n->weight = 1;
    return n;
}

static int kid_push(yctx *c, ynode *coll, ynode *kid, const ykey *key)
{
    if (coll->n == coll->cap) {
        size_t ncap = llmops__grow_cap(coll->cap, coll->n + 1, sizeof(ynode *));
        if (!ncap)
            return -1;
        ynode **kids = llmops__arena_realloc(&c->arena, coll->kids, coll->cap * sizeof *kids,
                                             ncap * sizeof *kids);
        if (!kids)
            return -1;
        coll->kids = kids;
        if (key) {
            ykey *keys = llmops__arena_realloc(&c->arena, coll->keys, coll->cap * sizeof *keys,
                                               ncap * sizeof *keys);
            if (!keys)
                return -1;
            coll->keys = keys;
        }
        coll->cap = ncap;
    }
    coll->kids[coll->n] = kid;
    if (key)
        coll->keys[coll->n] = *key;
    coll->n++;
    return 0;
}

static const ynode *deref(const ynode *n)
{
    return n->kind == Y_ALIAS ? n->v.target : n;
}

/* Hands a finished node to the collection being read, or makes it the root. */
static llmops_status attach(yctx *c, ynode *n)
{
    if (c->depth == 0) {
        c->root = n;
        return LLMOPS_OK;
    }
    frame *f = &c->stack[c->depth - 1];
    ynode *coll = f->coll;
    if (coll->kind == Y_MAP && !f->have_key) {
        const ynode *k = deref(n);
        if (k->kind == Y_SEQ || k->kind == Y_MAP)
            return fail(c, LLMOPS_E_PARSE, n->pos,
                        "a mapping key must be a scalar, not a %s",
                        k->kind == Y_SEQ ? "sequence" : "mapping");
        f->key.s = k->text;
        f->key.len = k->len;
        f->key.pos = n->pos;
        f->have_key = 1;
        return LLMOPS_OK;
    }
    uint64_t w = coll->weight + n->weight;
    coll->weight = w < coll->weight ? UINT64_MAX : w;
    unsigned h = (n->kind == Y_ALIAS ? n->v.target->height : n->height) + 1;
    if (h > coll->height)
        coll->height = h;
    if (kid_push(c, coll, n, coll->kind == Y_MAP ? &f->key : NULL) != 0)
        return nomem(c);
    f->have_key = 0;
    return LLMOPS_OK;
}

/* Counts nodes toward the expansion bound. */
static llmops_status count(yctx *c, uint64_t w, llmops__yaml_pos p)
{
    if (w > LLMOPS__YAML_MAX_NODES || c->total + w > LLMOPS__YAML_MAX_NODES)
        return fail(c, LLMOPS_E_LIMIT, p,
                    "the document expands to more than %u nodes (aliases included)",
                    LLMOPS__YAML_MAX_NODES);
    c->total += w;
    return LLMOPS_OK;
}

static llmops_status on_event(yctx *c, const yaml_event_t *ev)
{
    llmops__yaml_pos p = mark_pos(ev->start_mark);
    switch (ev->type) {
    case YAML_DOCUMENT_START_EVENT:
        if (c->docs++ > 0)
            return fail(c, LLMOPS_E_PARSE, p,
                        "a second YAML document starts here; only one is allowed");
        return LLMOPS_OK;
    case YAML_ALIAS_EVENT: {
        const char *name = (const char *)ev->data.alias.anchor;
        ynode *t = anchor_get(c, name);
        if (!t || !t->complete) {
            llmops__buf nb = LLMOPS__BUF_INIT;
            put_excerpt(&nb, name, strlen(name));
            llmops_status st = fail(c, LLMOPS_E_PARSE, p,
                                    t ? "alias '*%s' refers to a node that contains it"
                                      : "alias '*%s' names no anchor defined before it",
                                    nb.data ? nb.data : "");
            llmops__buf_free(&nb);
            return st;
        }
        if (c->depth + t->height > LLMOPS__YAML_MAX_DEPTH)
            return fail(c, LLMOPS_E_LIMIT, p, "nesting deeper than %u levels (aliases included)",
                        LLMOPS__YAML_MAX_DEPTH);
        if (count(c, t->weight, p) != LLMOPS_OK)
            return c->st;
        ynode *a = new_node(c, Y_ALIAS, ev->start_mark);
        if (!a)
            return c->st;
        a->v.target = t;
        a->weight = t->weight;
        a->text = t->text;
        a->len = t->len;
        return attach(c, a);
    }
    case YAML_SCALAR_EVENT: {
        if (count(c, 1, p) != LLMOPS_OK)
            return c->st;
        ynode *n = new_node(c, Y_STR, ev->start_mark);
        if (!n)
            return c->st;
        n->len = ev->data.scalar.length;
        n->text = llmops__arena_strndup(&c->arena, (const char *)ev->data.scalar.value, n->len);
        if (!n->text)
            return nomem(c);
        if (llmops__utf8_check(n->text, n->len) != n->len)
            return fail(c, LLMOPS_E_PARSE, p,
                        "scalar is not valid UTF-8 (a \\u escape of a lone surrogate?)");
        n->complete = 1;
        if (resolve_scalar(c, n, ev) != LLMOPS_OK)
            return c->st;
        if (ev->data.scalar.anchor && anchor_set(c, (const char *)ev->data.scalar.anchor, n) != 0)
            return nomem(c);
        return attach(c, n);
    }
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT: {
        int is_seq = ev->type == YAML_SEQUENCE_START_EVENT;
        const char *tag = (const char *)(is_seq ? ev->data.sequence_start.tag
                                                : ev->data.mapping_start.tag);
        const char *anc = (const char *)(is_seq ? ev->data.sequence_start.anchor
                                                : ev->data.mapping_start.anchor);
        if (tag && strcmp(tag, "!") != 0 &&
            strcmp(tag, is_seq ? TAG_PREFIX "seq" : TAG_PREFIX "map") != 0) {
            llmops__buf t = LLMOPS__BUF_INIT;
            put_excerpt(&t, tag, strlen(tag));
            llmops_status st = fail(c, LLMOPS_E_PARSE, p,
                                    "unsupported tag '%s' on a %s (only %s is allowed)",
                                    t.data ? t.data : "", is_seq ? "sequence" : "mapping",
                                    is_seq ? "!!seq" : "!!map");
            llmops__buf_free(&t);
            return st;
        }
        if (c->depth >= LLMOPS__YAML_MAX_DEPTH)
            return fail(c, LLMOPS_E_LIMIT, p, "nesting deeper than %u levels",
                        LLMOPS__YAML_MAX_DEPTH);
        if (count(c, 1, p) != LLMOPS_OK)
            return c->st;
        ynode *n = new_node(c, is_seq ? Y_SEQ : Y_MAP, ev->start_mark);
        if (!n)
            return c->st;
        n->height = 1;
        if (anc && anchor_set(c, anc, n) != 0)
            return nomem(c);
        if (c->depth == c->stack_cap) {
            size_t ncap = llmops__grow_cap(c->stack_cap, c->depth + 1, sizeof(frame));
            frame *st = ncap ? llmops__realloc(c->stack, ncap * sizeof *st) : NULL;
            if (!st)
                return nomem(c);
            c->stack = st;
            c->stack_cap = ncap;
        }
        memset(&c->stack[c->depth], 0, sizeof c->stack[0]);
        c->stack[c->depth++].coll = n;
        return LLMOPS_OK;
    }
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT: {
        ynode *n = c->stack[--c->depth].coll;
        n->complete = 1;
        return attach(c, n);
    }
    default:
        return LLMOPS_OK;
    }
}

/* ---- JSON output --------------------------------------------------------- */

typedef struct pos_entry {
    const llmops_json *v;      /* NULL = empty slot */
    llmops__yaml_pos pos, key_pos;
} pos_entry;

struct llmops__yaml_positions {
    size_t mask;
    pos_entry *slots;
};

static llmops_json *to_json(yctx *c, llmops_json_doc *doc, const ynode *n)
{
    n = deref(n);
    switch (n->kind) {
    case Y_NULL:
        return llmops_json_new_null(doc);
    case Y_BOOL:
        return llmops_json_new_bool(doc, n->v.b);
    case Y_INT:
        return llmops_json_new_int(doc, n->v.i);
    case Y_DBL:
        return llmops_json_new_double(doc, n->v.d);
    case Y_STR:
        /* Scalars were checked for UTF-8 when read: NULL here is memory. */
        return llmops_json_new_string(doc, n->text, n->len);
    case Y_SEQ: {
        llmops_json *arr = llmops_json_new_array(doc);
        for (size_t i = 0; arr && i < n->n; i++) {
            llmops_json *kid = to_json(c, doc, n->kids[i]);
            if (!kid || llmops_json_array_append(doc, arr, kid) != LLMOPS_OK)
                return NULL;
        }
        return arr;
    }
    case Y_MAP: {
        llmops_json *obj = llmops_json_new_object(doc);
        for (size_t i = 0; obj && i < n->n; i++) {
            const ykey *k = &n->keys[i];
            if (llmops_json_getn(obj, k->s, k->len)) {
                size_t first = 0;
                while (first < i && !(n->keys[first].len == k->len &&
                                      memcmp(n->keys[first].s, k->s, k->len) == 0))
                    first++;
                llmops__buf kb = LLMOPS__BUF_INIT;
                put_excerpt(&kb, k->s, k->len);
                fail(c, LLMOPS_E_PARSE, k->pos, "duplicate key '%s' (first defined at %u:%u)",
                     kb.data ? kb.data : "", n->keys[first].pos.line, n->keys[first].pos.column);
                llmops__buf_free(&kb);
                return NULL;
            }
            llmops_json *kid = to_json(c, doc, n->kids[i]);
            if (!kid || llmops_json_object_set(doc, obj, k->s, k->len, kid) != LLMOPS_OK)
                return NULL;
        }
        return obj;
    }
    default:
        return NULL;
    }
}

static void pos_put(llmops__yaml_positions *t, const llmops_json *v, llmops__yaml_pos p,
                    llmops__yaml_pos kp)
{
    uint64_t h = llmops__hash_bytes(&v, sizeof v, 0x51ed270b27e1f3a5u);
    for (size_t i = (size_t)h & t->mask;; i = (i + 1) & t->mask) {
        if (!t->slots[i].v || t->slots[i].v == v) {
            t->slots[i].v = v;
            t->slots[i].pos = p;
            t->slots[i].key_pos = kp;
            return;
        }
    }
}

/* `p` overrides the node's own position for an alias copy's root. */
static void fill_positions(llmops__yaml_positions *t, const llmops_json *v, const ynode *n,
                           llmops__yaml_pos kp)
{
    llmops__yaml_pos p = n->pos;
    n = deref(n);
    pos_put(t, v, p, kp);
    llmops__yaml_pos none = { 0, 0 };
    for (size_t i = 0; i < n->n && (n->kind == Y_SEQ || n->kind == Y_MAP); i++)
        fill_positions(t, llmops_json_at(v, i), n->kids[i],
                       n->kind == Y_MAP ? n->keys[i].pos : none);
}

llmops_status llmops__yaml_parse(const char *text, size_t len, llmops_json_doc **out,
                                 llmops__yaml_positions **pos, llmops__buf *err)
{
    if (out)
        *out = NULL;
    if (pos)
        *pos = NULL;
    if (!out || (!text && len > 0)) {
        if (err)
            llmops__buf_puts(err, "llmops__yaml_parse: NULL output or text");
        return LLMOPS_E_INVALID_ARGUMENT;
    }
    if (len > LLMOPS__YAML_MAX_BYTES) {
        if (err)
            llmops__buf_printf(err, "1:1: YAML text of %zu bytes is over the %zu-byte limit", len,
                               LLMOPS__YAML_MAX_BYTES);
        return LLMOPS_E_LIMIT;
    }
    yctx c;
    memset(&c, 0, sizeof c);
    llmops__arena_init(&c.arena, 0);
    c.err = err;

    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) {
        llmops__arena_free(&c.arena);
        return nomem(&c);
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)(text ? text : ""), len);
    int done = 0;
    while (!done && c.st == LLMOPS_OK) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&parser, &ev)) {
            if (parser.error == YAML_MEMORY_ERROR) {
                nomem(&c);
                break;
            }
            llmops__yaml_pos p = mark_pos(parser.problem_mark);
            const char *problem = parser.problem ? parser.problem : "malformed YAML";
            if (parser.context)
                fail(&c, LLMOPS_E_PARSE, p, "%s (%s at %u:%u)", problem, parser.context,
                     (unsigned)parser.context_mark.line + 1,
                     (unsigned)parser.context_mark.column + 1);
            else
                fail(&c, LLMOPS_E_PARSE, p, "%s", problem);
            break;
        }
        done = ev.type == YAML_STREAM_END_EVENT;
        on_event(&c, &ev);
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&parser);
    llmops__free(c.stack);
    llmops__free(c.anchors);

    llmops_json_doc *doc = NULL;
    llmops__yaml_positions *tab = NULL;
    if (c.st == LLMOPS_OK && llmops_json_doc_new(&doc) != LLMOPS_OK)
        nomem(&c);
    if (c.st == LLMOPS_OK) {
        llmops_json *root = c.root ? to_json(&c, doc, c.root) : llmops_json_new_null(doc);
        if (!root || llmops_json_doc_set_root(doc, root) != LLMOPS_OK)
            nomem(&c);
    }
    if (c.st == LLMOPS_OK && pos) {
        /* At most half full: weight counts every value in the expansion. */
        uint64_t nodes = c.root ? deref(c.root)->weight : 1;
        size_t cap = 16;
        while (cap < nodes * 2)
            cap *= 2;
        tab = llmops__calloc(1, sizeof *tab);
        if (tab && !(tab->slots = llmops__calloc(cap, sizeof *tab->slots))) {
            llmops__free(tab);
            tab = NULL;
        }
        if (!tab) {
            nomem(&c);
        } else {
            tab->mask = cap - 1;
            llmops__yaml_pos none = { 0, 0 };
            if (c.root) {
                fill_positions(tab, llmops_json_doc_root(doc), c.root, none);
            } else {
                llmops__yaml_pos first = { 1, 1 };
                pos_put(tab, llmops_json_doc_root(doc), first, none);
            }
        }
    }
    llmops__arena_free(&c.arena);
    if (c.st != LLMOPS_OK) {
        llmops_json_doc_free(doc);
        llmops__yaml_positions_free(tab);
        return c.st;
    }
    *out = doc;
    if (pos)
        *pos = tab;
    return LLMOPS_OK;
}

static const pos_entry *pos_find(const llmops__yaml_positions *t, const llmops_json *v)
{
    if (!t || !v)
        return NULL;
    uint64_t h = llmops__hash_bytes(&v, sizeof v, 0x51ed270b27e1f3a5u);
    for (size_t i = (size_t)h & t->mask;; i = (i + 1) & t->mask) {
        if (t->slots[i].v == v)
            return &t->slots[i];
        if (!t->slots[i].v)
            return NULL;
    }
}

const llmops__yaml_pos *llmops__yaml_pos_of(const llmops__yaml_positions *p,
                                            const llmops_json *value)
{
    const pos_entry *e = pos_find(p, value);
    return e ? &e->pos : NULL;
}

const llmops__yaml_pos *llmops__yaml_key_pos_of(const llmops__yaml_positions *p,
                                                const llmops_json *value)
{
    const pos_entry *e = pos_find(p, value);
    return e && e->key_pos.line ? &e->key_pos : NULL;
}

void llmops__yaml_positions_free(llmops__yaml_positions *p)
{
    if (!p)
        return;
    llmops__free(p->slots);
    llmops__free(p);
}

#else /* !LLMOPS_HAVE_YAML */

llmops_status llmops__yaml_parse(const char *text, size_t len, llmops_json_doc **out,
                                 llmops__yaml_positions **pos, llmops__buf *err)
{
    if (out)
        *out = NULL;
    if (pos)
        *pos = NULL;
    if (err)
        llmops__buf_puts(err, "YAML support is not built into this libllmops "
                              "(configure with libyaml: meson -Dyaml=enabled)");
    (void)text;
    (void)len;
    (void)put_excerpt;
    return LLMOPS_E_UNSUPPORTED;
}

const llmops__yaml_pos *llmops__yaml_pos_of(const llmops__yaml_positions *p,
                                            const llmops_json *value)
{
    return NULL;
}

const llmops__yaml_pos *llmops__yaml_key_pos_of(const llmops__yaml_positions *p,
                                                const llmops_json *value)
{
    return NULL;
}

void llmops__yaml_positions_free(llmops__yaml_positions *p)
{
    (void)p;
}

#endif
