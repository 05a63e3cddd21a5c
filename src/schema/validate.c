/* Evaluating a compiled schema against an instance. Keywords that look at
 * sibling results (unevaluatedItems/unevaluatedProperties) get them as a
 * bitset of the instance's evaluated items or members, filled by the in-place
 * applicators beside them; a subschema that fails drops its marks. Branches
 * whose failures are not the instance's fault (anyOf, oneOf, not, if,
 * contains) run "quiet": they record no errors and stop at the first failed
 * keyword. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/hash.h"
#include "llmops_config.h"
#include "schema/internal.h"

#if LLMOPS_HAVE_PCRE2
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#endif

/* A set of item or member indices of one instance. */
typedef struct bits {
    uint64_t *w;
    uint64_t small[2];
    size_t n;
} bits;

typedef struct seg {
    const char *key; /* NULL: an array index */
    size_t len;      /* key length, or the index */
} seg;

#define INLINE_STACK 48

typedef struct vctx {
    const llmops__schema *s;
    size_t max_errors;
    llmops__schema_result *res;
    size_t cap_errors;
    llmops_status st;
    unsigned quiet;
    unsigned explaining;       /* inside explain_none: nested ones only summarise */
    unsigned depth;
    unsigned long steps;
    seg *path;
    size_t npath, cap_path;
    const llmops__sch_resource **scope;
    size_t nscope, cap_scope;
    void *md;                  /* pcre2 match data, made on first use */
    void *gctx;                /* its pcre2 general context (allocates from pcre_mem) */
    size_t pcre_used;
    llmops_json_doc *keys;     /* property names as string instances */
    /* ---- not zeroed per call ---- */
    _Alignas(16) unsigned char pcre_mem[512];
    seg path_inline[INLINE_STACK];
    const llmops__sch_resource *scope_inline[INLINE_STACK];
} vctx;

static int bits_init(vctx *v, bits *b, size_t n)
{
    b->n = n;
    b->small[0] = b->small[1] = 0;
    if (n <= 128) {
        b->w = b->small;
        return 0;
    }
    b->w = llmops__calloc((n + 63) / 64, sizeof *b->w);
    if (!b->w) {
        v->st = LLMOPS_E_NO_MEMORY;
        b->w = b->small;
        b->n = 0;
        return -1;
    }
    return 0;
}

static void bits_free(bits *b)
{
    if (b->w != b->small)
        llmops__free(b->w);
}

static void bits_set(bits *b, size_t i)
{
    if (b && i < b->n)
        b->w[i / 64] |= 1ull << (i % 64);
}

static int bits_get(const bits *b, size_t i)
{
    return i < b->n && ((b->w[i / 64] >> (i % 64)) & 1u);
}

static void bits_merge(bits *dst, const bits *src)
{
    if (!dst)
        return;
    for (size_t i = 0; i < (dst->n + 63) / 64 && i < (src->n + 63) / 64; i++)
        dst->w[i] |= src->w[i];
}

static void bits_fill(bits *b)
{
    for (size_t i = 0; b && i < b->n; i++)
        bits_set(b, i);
}

/* ---- errors ---------------------------------------------------------------- */

static int stop(const vctx *v)
{
    return v->st || v->quiet || v->res->nerrors >= v->max_errors;
}

static void instance_path(const vctx *v, llmops__buf *b)
{
    for (size_t i = 0; i < v->npath; i++) {
        llmops__buf_putc(b, '/');
        if (v->path[i].key)
            llmops__pointer_append_token(b, v->path[i].key, v->path[i].len);
        else
            llmops__buf_put_u64(b, v->path[i].len);
    }
}

#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static int fail(vctx *v, const llmops__sch_node *n, const char *kw, const char *fmt, ...)
{
    if (stop(v))
        return 0;
    llmops__buf ip = LLMOPS__BUF_INIT, sp = LLMOPS__BUF_INIT, msg = LLMOPS__BUF_INIT;
    instance_path(v, &ip);
    llmops__buf_puts(&sp, n->loc);
    if (kw) {
        llmops__buf_putc(&sp, '/');
        llmops__pointer_append_token(&sp, kw, strlen(kw));
    }
    va_list ap;
    va_start(ap, fmt);
    char line[512];
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    llmops__buf_puts(&msg, line);
    llmops__schema_result *r = v->res;
    if (r->nerrors == v->cap_errors) {
        size_t ncap = v->cap_errors ? v->cap_errors * 2 : 4;
        void *p = llmops__realloc(r->errors, ncap * sizeof *r->errors);
        if (!p)
            goto oom;
        r->errors = p;
        v->cap_errors = ncap;
    }
    llmops__schema_error *e = &r->errors[r->nerrors];
    e->instance_path = llmops__buf_detach(&ip, NULL);
    e->schema_path = llmops__buf_detach(&sp, NULL);
    e->message = llmops__buf_detach(&msg, NULL);
    if (!e->instance_path || !e->schema_path || !e->message) {
        llmops__free(e->instance_path);
        llmops__free(e->schema_path);
        llmops__free(e->message);
        goto oom;
    }
    r->nerrors++;
    return 0;
oom:
    llmops__buf_free(&ip);
    llmops__buf_free(&sp);
    llmops__buf_free(&msg);
    v->st = LLMOPS_E_NO_MEMORY;
    return 0;
}

static int grow_path(vctx *v)
{
    size_t ncap = v->cap_path * 2;
    seg *p = v->path == v->path_inline ? llmops__malloc(ncap * sizeof *p)
                                       : llmops__realloc(v->path, ncap * sizeof *p);
    if (!p) {
        v->st = LLMOPS_E_NO_MEMORY;
        return -1;
    }
    if (v->path == v->path_inline)
        memcpy(p, v->path_inline, sizeof v->path_inline);
    v->path = p;
    v->cap_path = ncap;
    return 0;
}

static inline int push_seg(vctx *v, const char *key, size_t len)
{
    if (v->npath == v->cap_path && grow_path(v))
        return -1;
    v->path[v->npath].key = key;
    v->path[v->npath].len = len;
    v->npath++;
    return 0;
}

/* ---- value helpers ----------------------------------------------------------- */

static unsigned type_bits(const llmops_json *inst)
{
    switch (llmops_json_type_of(inst)) {
    case LLMOPS_JSON_NULL: return SCH_T_NULL;
    case LLMOPS_JSON_BOOL: return SCH_T_BOOLEAN;
    case LLMOPS_JSON_OBJECT: return SCH_T_OBJECT;
    case LLMOPS_JSON_ARRAY: return SCH_T_ARRAY;
    case LLMOPS_JSON_STRING: return SCH_T_STRING;
    case LLMOPS_JSON_NUMBER: {
        if (llmops_json_is_int(inst))
            return SCH_T_NUMBER | SCH_T_INTEGER;
        double d;
        /* integers beyond int64 ("bignum") still count as integers */
        if (llmops_json_get_double(inst, &d) == LLMOPS_OK && isfinite(d) && floor(d) == d)
            return SCH_T_NUMBER | SCH_T_INTEGER;
        return SCH_T_NUMBER;
    }
    }
    return 0;
}

static void type_list(char *out, size_t cap, unsigned types)
{
    static const char *const names[] = { "null",   "boolean", "object", "array",
                                         "number", "string",  "integer" };
    size_t len = 0;
    out[0] = '\0';
    unsigned count = 0, seen = 0;
    for (unsigned i = 0; i < 7; i++)
        count += (types >> i) & 1u;
    for (unsigned i = 0; i < 7; i++) {
        if (!((types >> i) & 1u))
            continue;
        seen++;
        const char *sep = seen == 1 ? "" : seen == count ? " or " : ", ";
        int w = snprintf(out + len, cap - len, "%s%s", sep, names[i]);
        if (w < 0 || (size_t)w >= cap - len)
            break;
        len += (size_t)w;
    }
}

static const char *inst_type_name(const llmops_json *inst)
{
    unsigned t = type_bits(inst);
    if (t & SCH_T_INTEGER)
        return "integer";
    return llmops_json_type_name(llmops_json_type_of(inst));
}

typedef struct inum {
    double d;
    int64_t i;
    int is_int;
} inum;

static void read_num(const llmops_json *inst, inum *x)
{
    x->is_int = llmops_json_get_int(inst, &x->i) == LLMOPS_OK;
    if (llmops_json_get_double(inst, &x->d) != LLMOPS_OK) {
        const char *t = llmops_json_number_text(inst, NULL);
        x->d = t && t[0] == '-' ? -HUGE_VAL : HUGE_VAL;
    }
}

/* <0, 0, >0 as the instance compares with the bound. */
static int num_cmp(const inum *x, const llmops__sch_num *b)
{
    if (x->is_int && b->is_int)
        return (x->i > b->i) - (x->i < b->i);
    return (x->d > b->d) - (x->d < b->d);
}

static void num_text(char *out, size_t cap, const llmops__sch_num *b)
{
    if (b->is_int)
        snprintf(out, cap, "%lld", (long long)b->i);
    else
        snprintf(out, cap, "%.17g", b->d);
}

static int is_multiple(const inum *x, const llmops__sch_num *m)
{
    if (x->is_int && m->is_int)
        return x->i % m->i == 0;
    double q = x->d / m->d;
    if (!isfinite(q)) {
        /* the quotient overflows: an integer is a multiple of m when 1/m is
         * an integer (0.5, 0.25, ...) */
        double inv = 1.0 / m->d;
        return isfinite(x->d) && floor(x->d) == x->d && isfinite(inv) && floor(inv) == inv;
    }
    double r = nearbyint(q);
    return fabs(q - r) <= 1e-9 * fmax(1.0, fabs(q));
}

static size_t utf8_count(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += ((unsigned char)s[i] & 0xC0) != 0x80;
    return n;
}

#if LLMOPS_HAVE_PCRE2
/* PCRE2's match data lives in the call's own stack buffer: no allocation per
 * validation. Anything larger (interpreter backtracking frames when JIT is
 * unavailable) goes to the library allocator. */
static void *pcre_alloc(size_t size, void *ud)
{
    vctx *v = ud;
    size = (size + 15) & ~(size_t)15;
    if (size <= sizeof v->pcre_mem - v->pcre_used) {
        void *p = v->pcre_mem + v->pcre_used;
        v->pcre_used += size;
        return p;
    }
    return llmops__malloc(size);
}

static void pcre_free(void *p, void *ud)
{
    vctx *v = ud;
    uintptr_t a = (uintptr_t)p, lo = (uintptr_t)v->pcre_mem;
    if (a >= lo && a < lo + sizeof v->pcre_mem)
        return;
    llmops__free(p);
}
#endif

static int regex_match(vctx *v, void *re, const char *s, size_t len)
{
#if LLMOPS_HAVE_PCRE2
    if (!v->md) {
        if (!v->gctx && !(v->gctx = pcre2_general_context_create(pcre_alloc, pcre_free, v))) {
            v->st = LLMOPS_E_NO_MEMORY;
            return 0;
        }
        if (!(v->md = pcre2_match_data_create(1, v->gctx))) {
            v->st = LLMOPS_E_NO_MEMORY;
            return 0;
        }
    }
    /* JSON strings are valid UTF-8 by construction */
    int rc = pcre2_match(re, (PCRE2_SPTR)s, len, 0, PCRE2_NO_UTF_CHECK, v->md, NULL);
    return rc >= 0;
#else
    (void)v;
    (void)re;
    (void)s;
    (void)len;
    return 0;
#endif
}

/* A hash agreeing with llmops_json_equal: equal values hash alike. */
static uint64_t mix(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    return h ^ (h >> 33);
}

static uint64_t json_hash(const llmops_json *j)
{
    switch (llmops_json_type_of(j)) {
    case LLMOPS_JSON_NULL: return 0x9e3779b97f4a7c15ull;
    case LLMOPS_JSON_BOOL: return mix(2 + (uint64_t)llmops_json_is_true(j));
    case LLMOPS_JSON_NUMBER: {
        int64_t i;
        double d;
        if (llmops_json_get_int(j, &i) == LLMOPS_OK)
            return mix((uint64_t)i);
        if (llmops_json_get_double(j, &d) != LLMOPS_OK)
            return 0x51ed27ull;
        uint64_t u;
        memcpy(&u, &d, sizeof u);
        return mix(u ^ 0x7f4a7c15ull);
    }
    case LLMOPS_JSON_STRING: {
        size_t len;
        const char *s = llmops_json_string(j, &len);
        return llmops__hash_bytes(s, len, 3);
    }
    case LLMOPS_JSON_ARRAY: {
        uint64_t h = 5;
        for (size_t i = 0; i < llmops_json_size(j); i++)
            h = mix(h * 31 + json_hash(llmops_json_at(j, i)));
        return h;
    }
    case LLMOPS_JSON_OBJECT: {
        uint64_t h = 7;
        for (size_t i = 0; i < llmops_json_size(j); i++) {
            size_t kl;
            const char *k = llmops_json_key_at(j, i, &kl);
            h += mix(llmops__hash_bytes(k, kl, 11) ^ (json_hash(llmops_json_at(j, i)) * 3));
        }
        return h;
    }
    }
    return 0;
}

typedef struct hidx {
    uint64_t h;
    size_t i;
} hidx;

static int cmp_hidx(const void *a, const void *b)
{
    const hidx *x = a, *y = b;
    if (x->h != y->h)
        return x->h < y->h ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

/* First duplicate pair (*a < *b), or 0 when the items are unique. Sorting by
 * a structural hash keeps this n log n for long arrays. */
static int find_duplicate(vctx *v, const llmops_json *arr, size_t *a, size_t *b)
{
    size_t n = llmops_json_size(arr);
    if (n <= 12) {
        const llmops_json *it[12];
        const char *str[12];
        size_t len[12];
        for (size_t i = 0; i < n; i++) {
            it[i] = llmops_json_at(arr, i);
            str[i] = llmops_json_string(it[i], &len[i]);
        }
        for (size_t i = 0; i < n; i++)
            for (size_t k = i + 1; k < n; k++) {
                int eq;
                if (str[i] || str[k])
                    eq = str[i] && str[k] && len[i] == len[k] && !memcmp(str[i], str[k], len[i]);
                else
                    eq = llmops_json_equal(it[i], it[k]);
                if (eq) {
                    *a = i;
                    *b = k;
                    return 1;
                }
            }
        return 0;
    }
    hidx *hs = llmops__malloc(n * sizeof *hs);
    if (!hs) {
        v->st = LLMOPS_E_NO_MEMORY;
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        hs[i].h = json_hash(llmops_json_at(arr, i));
        hs[i].i = i;
    }
    qsort(hs, n, sizeof *hs, cmp_hidx);
    int found = 0;
    for (size_t s = 0; s < n && !found;) {
        size_t e = s + 1;
        while (e < n && hs[e].h == hs[s].h)
            e++;
        /* a run shares a hash; collisions between different values are rare */
        for (size_t i = s; i < e && !found; i++)
            for (size_t k = i + 1; k < e; k++)
                if (llmops_json_equal(llmops_json_at(arr, hs[i].i), llmops_json_at(arr, hs[k].i))) {
                    *a = hs[i].i < hs[k].i ? hs[i].i : hs[k].i;
                    *b = hs[i].i < hs[k].i ? hs[k].i : hs[i].i;
                    found = 1;
                    break;
                }
        s = e;
    }
    llmops__free(hs);
    return found;
}

static const llmops__sch_prop *find_prop(const llmops__sch_prop *p, size_t n, const char *key,
                                         size_t len)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = p[mid].len != len ? (p[mid].len < len ? -1 : 1) : memcmp(p[mid].key, key, len);
        if (c == 0)
            return &p[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* ---- evaluation --------------------------------------------------------------- */

static int eval(vctx *v, const llmops__sch_node *n, const llmops_json *inst, bits *ev);

#define CHECK(expr)                   \
    do {                              \
        if (!(expr)) {                \
            ok = 0;                   \
            if (stop(v))              \
                return 0;             \
        }                             \
    } while (0)

static int eval_at_key(vctx *v, const llmops__sch_node *n, const llmops_json *val,
                       const char *key, size_t len)
{
    if (push_seg(v, key, len))
        return 0;
    int r = eval(v, n, val, NULL);
    v->npath--;
    return r;
}

static int eval_at_index(vctx *v, const llmops__sch_node *n, const llmops_json *val, size_t i)
{
    if (push_seg(v, NULL, i))
        return 0;
    int r = eval(v, n, val, NULL);
    v->npath--;
    return r;
}

/* A member the schema forbids outright (a false subschema) gets a message
 * naming it; the schema path is that false subschema's. */
static int eval_member(vctx *v, const llmops__sch_node *n, const llmops_json *val,
                       const char *key, size_t len)
{
    if (n->kind != SCH_NODE_FALSE)
        return eval_at_key(v, n, val, key, len);
    if (stop(v))
        return 0;
    if (push_seg(v, key, len))
        return 0;
    fail(v, n, NULL, "property \"%.*s\" is not allowed", (int)(len > 100 ? 100 : len), key);
    v->npath--;
    return 0;
}

static int eval_string(vctx *v, const llmops__sch_node *n, const llmops_json *inst)
{
    int ok = 1;
    size_t len;
    const char *s = llmops_json_string(inst, &len);
    if (n->has & (SCH_MINLEN | SCH_MAXLEN)) {
        size_t cps = utf8_count(s, len);
        if ((n->has & SCH_MINLEN) && cps < n->min_len)
            CHECK(fail(v, n, "minLength", "string has %zu characters, fewer than minLength %llu",
                       cps, (unsigned long long)n->min_len));
        if ((n->has & SCH_MAXLEN) && cps > n->max_len)
            CHECK(fail(v, n, "maxLength", "string has %zu characters, more than maxLength %llu",
                       cps, (unsigned long long)n->max_len));
    }
    if ((n->has & SCH_PATTERN) && !regex_match(v, n->pattern, s, len))
        CHECK(fail(v, n, "pattern", "string does not match pattern \"%.200s\"", n->pattern_src));
    if ((n->has & SCH_FORMAT) && !llmops__sch_format_check(n->format, s, len))
        CHECK(fail(v, n, "format", "string is not a valid %s", n->format_name));
    return ok;
}

static int eval_number(vctx *v, const llmops__sch_node *n, const llmops_json *inst)
{
    int ok = 1;
    inum x;
    char bound[40];
    const char *t = llmops_json_number_text(inst, NULL);
    read_num(inst, &x);
    if ((n->has & SCH_MIN) && num_cmp(&x, &n->min) < 0) {
        num_text(bound, sizeof bound, &n->min);
        CHECK(fail(v, n, "minimum", "%.40s is less than minimum %s", t, bound));
    }
    if ((n->has & SCH_XMIN) && num_cmp(&x, &n->xmin) <= 0) {
        num_text(bound, sizeof bound, &n->xmin);
        CHECK(fail(v, n, "exclusiveMinimum", "%.40s is not greater than %s", t, bound));
    }
    if ((n->has & SCH_MAX) && num_cmp(&x, &n->max) > 0) {
        num_text(bound, sizeof bound, &n->max);
        CHECK(fail(v, n, "maximum", "%.40s is greater than maximum %s", t, bound));
    }
    if ((n->has & SCH_XMAX) && num_cmp(&x, &n->xmax) >= 0) {
        num_text(bound, sizeof bound, &n->xmax);
        CHECK(fail(v, n, "exclusiveMaximum", "%.40s is not less than %s", t, bound));
    }
    if ((n->has & SCH_MULT) && !is_multiple(&x, &n->mult)) {
        num_text(bound, sizeof bound, &n->mult);
        CHECK(fail(v, n, "multipleOf", "%.40s is not a multiple of %s", t, bound));
    }
    return ok;
}

static int eval_array(vctx *v, const llmops__sch_node *n, const llmops_json *inst, bits *ev)
{
    int ok = 1;
    size_t cnt = llmops_json_size(inst);
    if ((n->has & SCH_MINITEMS) && cnt < n->min_items)
        CHECK(fail(v, n, "minItems", "array has %zu items, fewer than minItems %llu", cnt,
                   (unsigned long long)n->min_items));
    if ((n->has & SCH_MAXITEMS) && cnt > n->max_items)
        CHECK(fail(v, n, "maxItems", "array has %zu items, more than maxItems %llu", cnt,
                   (unsigned long long)n->max_items));
    size_t a, b;
    if ((n->has & SCH_UNIQUE) && find_duplicate(v, inst, &a, &b))
        CHECK(fail(v, n, "uniqueItems", "items %zu and %zu are equal", a, b));
    if (v->st)
        return 0;
    size_t np = n->nprefix < cnt ? n->nprefix : cnt;
    for (size_t i = 0; i < np; i++) {
        CHECK(eval_at_index(v, n->prefix[i], llmops_json_at(inst, i), i));
        bits_set(ev, i);
    }
    if (n->items)
        for (size_t i = np; i < cnt; i++) {
            CHECK(eval_at_index(v, n->items, llmops_json_at(inst, i), i));
            bits_set(ev, i);
        }
    if (n->contains) {
        uint64_t min = (n->has & SCH_MINCONT) ? n->min_cont : 1, found = 0;
        v->quiet++;
        for (size_t i = 0; i < cnt && !v->st; i++) {
            if (eval(v, n->contains, llmops_json_at(inst, i), NULL)) {
                found++;
                bits_set(ev, i);
                if (!ev && found >= min && !(n->has & SCH_MAXCONT))
                    break;
            }
        }
        v->quiet--;
        if (found < min)
            CHECK(fail(v, n, found ? "minContains" : "contains",
                       "array has %llu items matching contains, fewer than %llu",
                       (unsigned long long)found, (unsigned long long)min));
        if ((n->has & SCH_MAXCONT) && found > n->max_cont)
            CHECK(fail(v, n, "maxContains",
                       "array has %llu items matching contains, more than maxContains %llu",
                       (unsigned long long)found, (unsigned long long)n->max_cont));
    }
    return ok;
}

static int eval_object(vctx *v, const llmops__sch_node *n, const llmops_json *inst, bits *ev)
{
    int ok = 1;
    size_t cnt = llmops_json_size(inst);
    if ((n->has & SCH_MINPROPS) && cnt < n->min_props)
        CHECK(fail(v, n, "minProperties", "object has %zu properties, fewer than %llu", cnt,
                   (unsigned long long)n->min_props));
    if ((n->has & SCH_MAXPROPS) && cnt > n->max_props)
        CHECK(fail(v, n, "maxProperties", "object has %zu properties, more than %llu", cnt,
                   (unsigned long long)n->max_props));
    for (size_t i = 0; i < n->nrequired; i++)
        if (!llmops_json_getn(inst, n->required[i], n->required_len[i]))
            CHECK(fail(v, n, "required", "missing required property \"%.*s\"",
                       (int)(n->required_len[i] > 100 ? 100 : n->required_len[i]),
                       n->required[i]));
    for (size_t i = 0; i < n->ndep_req; i++) {
        const llmops__sch_depreq *d = &n->dep_req[i];
        if (!llmops_json_getn(inst, d->key, d->len))
            continue;
        for (size_t k = 0; k < d->n; k++)
            if (!llmops_json_getn(inst, d->names[k], d->lens[k]))
                CHECK(fail(v, n, "dependentRequired",
                           "property \"%.*s\" requires property \"%.*s\"",
                           (int)(d->len > 100 ? 100 : d->len), d->key,
                           (int)(d->lens[k] > 100 ? 100 : d->lens[k]), d->names[k]));
    }
    if (n->nprops || n->npprops || n->addl) {
        for (size_t i = 0; i < cnt; i++) {
            size_t kl;
            const char *key = llmops_json_key_at(inst, i, &kl);
            const llmops_json *val = llmops_json_at(inst, i);
            int matched = 0;
            const llmops__sch_prop *p = n->nprops ? find_prop(n->props, n->nprops, key, kl) : NULL;
            if (p) {
                matched = 1;
                CHECK(eval_member(v, p->node, val, key, kl));
            }
            for (size_t k = 0; k < n->npprops; k++)
                if (regex_match(v, n->pprops[k].re, key, kl)) {
                    matched = 1;
                    CHECK(eval_at_key(v, n->pprops[k].node, val, key, kl));
                }
            if (!matched && n->addl) {
                matched = 1;
                CHECK(eval_member(v, n->addl, val, key, kl));
            }
            if (matched)
                bits_set(ev, i);
        }
    }
    if (n->prop_names) {
        if (!v->keys && llmops_json_doc_new(&v->keys)) {
            v->st = LLMOPS_E_NO_MEMORY;
            return 0;
        }
        for (size_t i = 0; i < cnt; i++) {
            size_t kl;
            const char *key = llmops_json_key_at(inst, i, &kl);
            llmops_json *ks = llmops_json_new_string(v->keys, key, kl);
            if (!ks) {
                v->st = LLMOPS_E_NO_MEMORY;
                return 0;
            }
            CHECK(eval_member(v, n->prop_names, ks, key, kl));
        }
    }
    for (size_t i = 0; i < n->ndep_schemas; i++)
        if (llmops_json_getn(inst, n->dep_schemas[i].key, n->dep_schemas[i].len))
            CHECK(eval(v, n->dep_schemas[i].node, inst, ev));
    return ok;
}

/* An in-place subschema whose failure is its own verdict, not an error:
 * annotations count only when it passes. */
static int eval_branch(vctx *v, const llmops__sch_node *n, const llmops_json *inst, bits *ev)
{
    int r;
    v->quiet++;
    if (ev) {
        bits tmp;
        if (bits_init(v, &tmp, ev->n)) {
            v->quiet--;
            return 0;
        }
        r = eval(v, n, inst, &tmp);
        if (r)
            bits_merge(ev, &tmp);
        bits_free(&tmp);
    } else {
        r = eval(v, n, inst, NULL);
    }
    v->quiet--;
    return r && !v->st;
}

static const llmops__sch_node *dynamic_target(const vctx *v, const llmops__sch_node *n)
{
    if (!n->dyn_name)
        return n->dyn_ref;
    /* the outermost resource in the dynamic scope that declares the anchor */
    for (size_t i = 0; i < v->nscope; i++) {
        const llmops__sch_resource *r = v->scope[i];
        for (size_t k = 0; k < r->ndyn; k++)
            if (!strcmp(r->dyn_names[k], n->dyn_name))
                return r->dyn_nodes[k];
    }
    return n->dyn_ref;
}

static void drop_errors(vctx *v, size_t keep)
{
    llmops__schema_result *r = v->res;
    while (r->nerrors > keep) {
        llmops__schema_error *e = &r->errors[--r->nerrors];
        llmops__free(e->instance_path);
        llmops__free(e->schema_path);
        llmops__free(e->message);
    }
}

/* No branch of anyOf/oneOf matched. A bare "matches none" does not tell a
 * model what to fix, so: when every branch wants another type, name the
 * types; otherwise add the errors of the branch that came closest (fewest
 * errors, type mismatches last). Scoring re-runs the branches, so nested
 * unions inside it only summarise. */
static int explain_none(vctx *v, const llmops__sch_node *n, const char *kw,
                        llmops__sch_node *const *br, size_t nb, const llmops_json *inst)
{
    if (stop(v))
        return 0;
    unsigned tb = type_bits(inst), wanted = 0;
    size_t wrong_type = 0;
    for (size_t i = 0; i < nb; i++)
        if (br[i]->kind == SCH_NODE_SCHEMA && (br[i]->has & SCH_TYPE) && !(br[i]->types & tb)) {
            wrong_type++;
            wanted |= br[i]->types;
        }
    if (wrong_type == nb) {
        char want[96];
        type_list(want, sizeof want, wanted);
        return fail(v, n, kw, "matches none of the %zu schemas in %s: expected %s, got %s", nb,
                    kw, want, inst_type_name(inst));
    }
    if (v->explaining)
        return fail(v, n, kw, "matches none of the %zu schemas in %s", nb, kw);
    size_t base = v->res->nerrors, saved_max = v->max_errors, best = nb, best_score = SIZE_MAX;
    v->max_errors = base + 16;
    v->explaining++;
    for (size_t i = 0; i < nb && !v->st; i++) {
        eval(v, br[i], inst, NULL);
        size_t count = v->res->nerrors - base;
        const char *sp = count ? v->res->errors[base].schema_path : "";
        size_t ll = strlen(br[i]->loc);
        int type_only = count == 1 && strlen(sp) >= ll && !memcmp(sp, br[i]->loc, ll) &&
                        !strcmp(sp + ll, "/type");
        size_t score = count + (type_only ? 1000 : 0);
        if (count && score < best_score) {
            best_score = score;
            best = i;
        }
        drop_errors(v, base);
    }
    v->max_errors = saved_max;
    if (v->st) {
        v->explaining--;
        return 0;
    }
    if (best < nb) {
        fail(v, n, kw, "matches none of the %zu schemas in %s (closest: %s/%zu, errors follow)",
             nb, kw, kw, best);
        if (!stop(v))
            eval(v, br[best], inst, NULL);
    } else {
        fail(v, n, kw, "matches none of the %zu schemas in %s", nb, kw);
    }
    v->explaining--;
    return 0;
}

static int eval_applicators(vctx *v, const llmops__sch_node *n, const llmops_json *inst,
                            bits *ev)
{
    int ok = 1;
    if (n->ref)
        CHECK(eval(v, n->ref, inst, ev));
    if (n->dyn_ref)
        CHECK(eval(v, dynamic_target(v, n), inst, ev));
    for (size_t i = 0; i < n->nall_of; i++)
        CHECK(eval(v, n->all_of[i], inst, ev));
    if (n->nany_of) {
        int any = 0;
        for (size_t i = 0; i < n->nany_of && !v->st; i++)
            if (eval_branch(v, n->any_of[i], inst, ev)) {
                any = 1;
                if (!ev)
                    break; /* later branches only add annotations */
            }
        if (!any)
            CHECK(explain_none(v, n, "anyOf", n->any_of, n->nany_of, inst));
    }
    if (n->none_of) {
        size_t first = 0, matches = 0;
        for (size_t i = 0; i < n->none_of && matches < 2 && !v->st; i++)
            if (eval_branch(v, n->one_of[i], inst, ev)) {
                if (!matches)
                    first = i;
                else
                    CHECK(fail(v, n, "oneOf", "matches schemas %zu and %zu of oneOf, not just one",
                               first, i));
                matches++;
            }
        if (!matches)
            CHECK(explain_none(v, n, "oneOf", n->one_of, n->none_of, inst));
    }
    if (n->not_) {
        v->quiet++;
        int r = eval(v, n->not_, inst, NULL);
        v->quiet--;
        if (r && !v->st)
            CHECK(fail(v, n, "not", "must not match the schema in \"not\""));
    }
    if (n->if_) {
        if (eval_branch(v, n->if_, inst, ev)) {
            if (n->then_)
                CHECK(eval(v, n->then_, inst, ev));
        } else if (n->else_) {
            CHECK(eval(v, n->else_, inst, ev));
        }
    }
    return ok;
}

static int eval_keywords(vctx *v, const llmops__sch_node *n, const llmops_json *inst, bits *ev)
{
    int ok = 1;
    llmops_json_type t = llmops_json_type_of(inst);
    unsigned g = n->groups;
    if (g & SCH_G_VALUE) {
        if (n->has & SCH_TYPE) {
            unsigned tb = type_bits(inst);
            if (!(tb & n->types)) {
                char want[96];
                type_list(want, sizeof want, n->types);
                CHECK(fail(v, n, "type", "expected %s, got %s", want, inst_type_name(inst)));
            }
        }
        if ((n->has & SCH_CONST) && !llmops_json_equal(inst, n->const_v))
            CHECK(fail(v, n, "const", "value is not the constant the schema requires"));
        if (n->has & SCH_ENUM) {
            int found = 0;
            size_t sl;
            const char *sv = llmops_json_string(inst, &sl);
            if (sv) {
                for (size_t i = 0; i < n->nenum_str && !found; i++)
                    found = n->enum_str_len[i] == sl && !memcmp(n->enum_str[i], sv, sl);
            } else {
                for (size_t i = 0; i < llmops_json_size(n->enum_v) && !found; i++)
                    found = llmops_json_equal(inst, llmops_json_at(n->enum_v, i));
            }
            if (!found)
                CHECK(fail(v, n, "enum", "value is not one of the %zu allowed values",
                           llmops_json_size(n->enum_v)));
        }
    }
    if (t == LLMOPS_JSON_STRING) {
        if (g & SCH_G_STRING)
            CHECK(eval_string(v, n, inst));
    } else if (t == LLMOPS_JSON_OBJECT) {
        if (g & SCH_G_OBJECT)
            CHECK(eval_object(v, n, inst, ev));
    } else if (t == LLMOPS_JSON_NUMBER) {
        if (g & SCH_G_NUMBER)
            CHECK(eval_number(v, n, inst));
    } else if (t == LLMOPS_JSON_ARRAY) {
        if (g & SCH_G_ARRAY)
            CHECK(eval_array(v, n, inst, ev));
    }
    if (g & SCH_G_APPLY)
        CHECK(eval_applicators(v, n, inst, ev));
    return ok;
}

static int eval_schema(vctx *v, const llmops__sch_node *n, const llmops_json *inst, bits *ev)
{
    llmops_json_type t = llmops_json_type_of(inst);
    const llmops__sch_node *uneval = t == LLMOPS_JSON_OBJECT  ? n->uneval_props
                                     : t == LLMOPS_JSON_ARRAY ? n->uneval_items
                                                              : NULL;
    if (!uneval)
        return eval_keywords(v, n, inst, ev);
    /* this node needs to know what its siblings evaluated */
    bits local;
    if (bits_init(v, &local, llmops_json_size(inst)))
        return 0;
    int ok = eval_keywords(v, n, inst, &local);
    if ((ok || !stop(v)) && !v->st) {
        for (size_t i = 0; i < local.n; i++) {
            if (bits_get(&local, i))
                continue;
            int r;
            if (t == LLMOPS_JSON_OBJECT) {
                size_t kl;
                const char *key = llmops_json_key_at(inst, i, &kl);
                r = eval_member(v, uneval, llmops_json_at(inst, i), key, kl);
            } else {
                r = eval_at_index(v, uneval, llmops_json_at(inst, i), i);
            }
            if (!r) {
                ok = 0;
                if (stop(v))
                    break;
            }
        }
    }
    bits_free(&local);
    if (ok)
        bits_fill(ev);
    return ok;
}

static int eval(vctx *v, const llmops__sch_node *n, const llmops_json *inst, bits *ev)
{
    if (v->st)
        return 0;
    if (n->kind == SCH_NODE_TRUE)
        return 1;
    if (n->kind == SCH_NODE_FALSE)
        return fail(v, n, NULL, "no value is allowed here (the schema is false)");
    if (v->depth >= v->s->max_depth || ++v->steps > v->s->max_steps) {
        v->st = LLMOPS_E_LIMIT;
        return 0;
    }
    v->depth++;
    int pushed = 0;
    if (!v->nscope || v->scope[v->nscope - 1] != n->res) {
        if (v->nscope == v->cap_scope) {
            size_t ncap = v->cap_scope * 2;
            const llmops__sch_resource **p =
                v->scope == v->scope_inline ? llmops__malloc(ncap * sizeof *p)
                                            : llmops__realloc((void *)v->scope, ncap * sizeof *p);
            if (!p) {
                v->st = LLMOPS_E_NO_MEMORY;
                v->depth--;
                return 0;
            }
            if (v->scope == v->scope_inline)
                memcpy((void *)p, v->scope_inline, sizeof v->scope_inline);
            v->scope = p;
            v->cap_scope = ncap;
        }
        v->scope[v->nscope++] = n->res;
        pushed = 1;
    }
    int ok = eval_schema(v, n, inst, ev);
    if (pushed)
        v->nscope--;
    v->depth--;
    return ok && !v->st;
}

llmops_status llmops__schema_validate(const llmops__schema *s, const llmops_json *instance,
                                      size_t max_errors, llmops__schema_result *res)
{
    if (!res)
        return LLMOPS_E_INVALID_ARGUMENT;
    res->valid = 0;
    res->errors = NULL;
    res->nerrors = 0;
    if (!s || !instance)
        return LLMOPS_E_INVALID_ARGUMENT;
    vctx v;
    memset(&v, 0, offsetof(vctx, pcre_mem));
    v.s = s;
    v.max_errors = max_errors;
    v.res = res;
    v.path = v.path_inline;
    v.cap_path = INLINE_STACK;
    v.scope = v.scope_inline;
    v.cap_scope = INLINE_STACK;
    int ok = eval(&v, s->root, instance, NULL);
    if (v.path != v.path_inline)
        llmops__free(v.path);
    if (v.scope != v.scope_inline)
        llmops__free((void *)v.scope);
#if LLMOPS_HAVE_PCRE2
    if (v.md)
        pcre2_match_data_free(v.md);
    if (v.gctx)
        pcre2_general_context_free(v.gctx);
#endif
    llmops_json_doc_free(v.keys);
    res->valid = ok && !v.st;
    return v.st;
}

void llmops__schema_result_free(llmops__schema_result *res)
{
    if (!res)
        return;
    for (size_t i = 0; i < res->nerrors; i++) {
        llmops__free(res->errors[i].instance_path);
        llmops__free(res->errors[i].schema_path);
        llmops__free(res->errors[i].message);
    }
    llmops__free(res->errors);
    res->errors = NULL;
    res->nerrors = 0;
}
