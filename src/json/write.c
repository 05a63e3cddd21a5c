/* Serialization: compact, pretty, canonical and ASCII-only output.
 *
 * Strings are copied in runs: a word-at-a-time scan finds the next byte that
 * needs escaping and everything before it goes out in one memcpy. Space is
 * reserved for the rest of the string up front, so the hot path does no
 * per-byte bounds checks. The walk is iterative (no C recursion). */
#include "json/value.h"
#include "json/number.h"
#include "json/utf8.h"
#include "core/alloc.h"
#include "core/strbuf.h"

#include <string.h>

#define KNOWN_FLAGS (LLMOPS_JSON_WRITE_PRETTY | LLMOPS_JSON_WRITE_CANONICAL | LLMOPS_JSON_WRITE_ASCII)

typedef struct wframe {
    const json_body *body;
    size_t i;
    size_t ord;            /* canonical objects: start of the sorted order in w->ord */
    int is_obj;
    int sorted;
} wframe;

typedef struct writer {
    llmops__buf b;
    int pretty, canon, ascii;
    int esc_seps;          /* escape U+2028/U+2029 (not in canonical output) */
    uint8_t esc_mask;      /* which esc_class bits apply in this mode */
    wframe *f;
    size_t nf, capf;
    size_t *ord;           /* sorted member orders of the open canonical objects */
    size_t nord, capord;
    wframe local[32];
} writer;

static const char hexdig[] = "0123456789abcdef";

/* Ensure room for n more bytes (plus the NUL the buffer keeps). */
static int room(writer *w, size_t n)
{
    if (w->b.cap - w->b.len > n)
        return 0;
    return llmops__buf_reserve(&w->b, n);
}

static void put(writer *w, const char *s, size_t n)
{
    if (room(w, n) != 0)
        return;
    memcpy(w->b.data + w->b.len, s, n);
    w->b.len += n;
}

static void putc1(writer *w, char c)
{
    if (room(w, 1) != 0)
        return;
    w->b.data[w->b.len++] = c;
}

static void newline(writer *w, size_t depth)
{
    if (depth > (SIZE_MAX - 1) / 2 || room(w, 1 + depth * 2) != 0)
        return;
    char *o = w->b.data + w->b.len;
    *o++ = '\n';
    memset(o, ' ', depth * 2);
    w->b.len += 1 + depth * 2;
}

/* ---- strings ------------------------------------------------------------ */

/* Why a byte may need escaping: bit 0 always ('"', '\\', control), bit 1
 * in ASCII mode (any byte >= 0x80), bit 2 as the first byte of U+2028/9. */
static const uint8_t esc_class[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 6, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
};

static char *put_u(char *o, unsigned u)
{
    o[0] = '\\';
    o[1] = 'u';
    o[2] = hexdig[(u >> 12) & 15];
    o[3] = hexdig[(u >> 8) & 15];
    o[4] = hexdig[(u >> 4) & 15];
    o[5] = hexdig[u & 15];
    return o + 6;
}

static void put_string(writer *w, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    /* Invariant: room for the rest of the input plus the closing quote. */
    if (len > SIZE_MAX - 3 || room(w, len + 2) != 0)
        return;
    w->b.data[w->b.len++] = '"';
    int high = w->ascii;
    int seps = w->esc_seps && !w->ascii;
    uint8_t mask = w->esc_mask;
    while (p < end) {
        const unsigned char *start = p;
        for (;;) {
            while (end - p >= 8) {
                uint64_t word = llmops__swar_load(p);
                uint64_t m = llmops__swar_special(word, high);
                if (seps)
                    m |= llmops__swar_eq(word, 0xE2);
                if (m) {
                    p += llmops__swar_first(m);
                    break;
                }
                p += 8;
            }
            while (p < end && !(esc_class[*p] & mask))
                p++;
            /* A lone 0xE2 that does not start U+2028/9 is plain text. */
            if (p < end && *p == 0xE2 && !w->ascii &&
                !(end - p >= 3 && p[1] == 0x80 && (p[2] == 0xA8 || p[2] == 0xA9))) {
                p++;
                continue;
            }
            break;
        }
        if (p > start) {
            memcpy(w->b.data + w->b.len, start, (size_t)(p - start));
            w->b.len += (size_t)(p - start);
        }
        if (p >= end)
            break;
        unsigned c = *p;
        size_t in = 1;
        char esc[12], *o = esc;
        if (c == '"' || c == '\\') {
            *o++ = '\\';
            *o++ = (char)c;
        } else if (c < 0x20) {
            static const char short_esc[32] = {
                0, 0, 0, 0, 0, 0, 0, 0, 'b', 't', 'n', 0, 'f', 'r', 0, 0,
                0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
            };
            if (short_esc[c]) {
                *o++ = '\\';
                *o++ = short_esc[c];
            } else {
                o = put_u(o, c);
            }
        } else {
            uint32_t cp = llmops__utf8_decode(p, &in);
            if (cp >= 0x10000) {
                cp -= 0x10000;
                o = put_u(o, 0xD800 + (cp >> 10));
                o = put_u(o, 0xDC00 + (cp & 0x3FF));
            } else {
                o = put_u(o, cp);
            }
        }
        p += in;
        size_t n = (size_t)(o - esc);
        if (room(w, n + (size_t)(end - p) + 1) != 0)
            return;
        memcpy(w->b.data + w->b.len, esc, n);
        w->b.len += n;
    }
    w->b.data[w->b.len++] = '"';
}

/* ---- canonical member order --------------------------------------------- */

static int key_cmp(const json_key *a, const json_key *b)
{
    size_t n = a->len < b->len ? a->len : b->len;
    int c = n ? memcmp(a->s, b->s, n) : 0;
    if (c)
        return c;
    return a->len < b->len ? -1 : a->len > b->len;
}

static void sort_members(size_t *idx, size_t *tmp, size_t n, const json_key *keys)
{
    if (n <= 12) {
        for (size_t i = 1; i < n; i++) {
            size_t x = idx[i], j = i;
            while (j > 0 && key_cmp(&keys[idx[j - 1]], &keys[x]) > 0) {
                idx[j] = idx[j - 1];
                j--;
            }
            idx[j] = x;
        }
        return;
    }
    size_t h = n / 2;
    sort_members(idx, tmp, h, keys);
    sort_members(idx + h, tmp, n - h, keys);
    memcpy(tmp, idx, h * sizeof *idx);
    size_t a = 0, b = h, o = 0;
    while (a < h && b < n)
        idx[o++] = key_cmp(&keys[tmp[a]], &keys[idx[b]]) <= 0 ? tmp[a++] : idx[b++];
    while (a < h)
        idx[o++] = tmp[a++];
}

/* Reserve 2n order slots (order + merge scratch) for a canonical object. */
static int push_order(writer *w, const json_body *body, size_t *start)
{
    size_t n = body->count;
    if (n > (SIZE_MAX / sizeof(size_t) - w->nord) / 2)
        return -1;
    if (w->nord + 2 * n > w->capord) {
        size_t cap = llmops__grow_cap(w->capord, w->nord + 2 * n, sizeof(size_t));
        size_t *o = cap ? llmops__realloc(w->ord, cap * sizeof *o) : NULL;
        if (!o)
            return -1;
        w->ord = o;
        w->capord = cap;
    }
    size_t *idx = w->ord + w->nord;
    for (size_t i = 0; i < n; i++)
        idx[i] = i;
    sort_members(idx, idx + n, n, body->keys);
    *start = w->nord;
    w->nord += 2 * n;
    return 0;
}

/* ---- values ------------------------------------------------------------- */

static void put_value(writer *w, const llmops_json *v)
{
    switch (v->type) {
    case LLMOPS_JSON_NULL:
        put(w, "null", 4);
        return;
    case LLMOPS_JSON_BOOL:
        if (v->flags & JSON_F_TRUE)
            put(w, "true", 4);
        else
            put(w, "false", 5);
        return;
    case LLMOPS_JSON_NUMBER:
        if (w->canon)
            llmops__json_num_canonical(&w->b, v);
        else
            put(w, v->p.s, v->len);
        return;
    case LLMOPS_JSON_STRING:
        put_string(w, v->p.s, v->len);
        return;
    default:
        break;
    }
    int is_obj = v->type == LLMOPS_JSON_OBJECT;
    const json_body *body = v->p.body;
    if (!body || body->count == 0) {
        put(w, is_obj ? "{}" : "[]", 2);
        return;
    }
    if (w->nf == w->capf) {
        size_t cap = w->capf * 2;
        wframe *n = w->f == w->local ? llmops__malloc(cap * sizeof *n)
                                     : llmops__realloc(w->f, cap * sizeof *n);
        if (!n) {
            w->b.failed = 1;
            return;
        }
        if (w->f == w->local)
            memcpy(n, w->local, sizeof w->local);
        w->f = n;
        w->capf = cap;
    }
    wframe *f = &w->f[w->nf];
    f->body = body;
    f->i = 0;
    f->is_obj = is_obj;
    f->sorted = 0;
    if (is_obj && w->canon && body->count > 1) {
        if (push_order(w, body, &f->ord) != 0) {
            w->b.failed = 1;
            return;
        }
        f->sorted = 1;
    }
    w->nf++;
    putc1(w, is_obj ? '{' : '[');
}

static void run(writer *w, const llmops_json *root)
{
    put_value(w, root);
    while (w->nf && !w->b.failed) {
        wframe *f = &w->f[w->nf - 1];
        const json_body *body = f->body;
        if (f->i == body->count) {
            int is_obj = f->is_obj;
            if (f->sorted)
                w->nord = f->ord;
            w->nf--;
            if (w->pretty)
                newline(w, w->nf);
            putc1(w, is_obj ? '}' : ']');
            continue;
        }
        if (f->i)
            putc1(w, ',');
        if (w->pretty)
            newline(w, w->nf);
        size_t idx = f->sorted ? w->ord[f->ord + f->i] : f->i;
        f->i++;
        if (f->is_obj) {
            put_string(w, body->keys[idx].s, body->keys[idx].len);
            if (w->pretty)
                put(w, ": ", 2);
            else
                putc1(w, ':');
        }
        put_value(w, &body->items[idx]); /* may push: f is stale after this */
    }
}

llmops_status llmops_json_write(char **out, size_t *out_len, const llmops_json *v, unsigned flags)
{
    if (out)
        *out = NULL;
    if (out_len)
        *out_len = 0;
    if (!out || !v || (flags & ~(unsigned)KNOWN_FLAGS))
        return LLMOPS_E_INVALID_ARGUMENT;
    writer w;
    memset(&w, 0, sizeof w);
    w.pretty = (flags & LLMOPS_JSON_WRITE_PRETTY) != 0;
    w.canon = (flags & LLMOPS_JSON_WRITE_CANONICAL) != 0;
    w.ascii = (flags & LLMOPS_JSON_WRITE_ASCII) != 0;
    w.esc_seps = !w.canon;
    w.esc_mask = (uint8_t)(1 | (w.ascii ? 2 : 0) | (w.esc_seps ? 4 : 0));
    w.f = w.local;
    w.capf = sizeof w.local / sizeof w.local[0];
    room(&w, 512); /* most stream chunks fit without regrowing */
    run(&w, v);
    if (w.f != w.local)
        llmops__free(w.f);
    llmops__free(w.ord);
    char *s = llmops__buf_detach(&w.b, out_len);
    if (!s)
        return LLMOPS_E_NO_MEMORY;
    *out = s;
    return LLMOPS_OK;
}
