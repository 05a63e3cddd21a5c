/* Strict RFC 8259 parser.
 *
 * The input is copied once into the document's arena and strings and number
 * texts are terminated in place in that copy (a closing quote or the byte
 * after a number becomes NUL; escaped strings are decoded over their own
 * bytes, which never grows them). That is one memcpy instead of one
 * allocation and copy per string.
 *
 * Values wait on a scratch stack until their container closes; then the
 * children move to one contiguous arena array and the container replaces them
 * on the stack. Each value is copied once and nothing is reallocated per
 * element. The loop is iterative: nesting costs scratch memory, not C stack. */
#include "json/value.h"
#include "json/number.h"
#include "json/utf8.h"
#include "core/alloc.h"

#include <stdio.h>
#include <string.h>

#define DEFAULT_MAX_DEPTH 512
#define DEFAULT_MAX_SIZE ((size_t)64 << 20)

typedef struct frame {
    uint8_t type;        /* LLMOPS_JSON_ARRAY or LLMOPS_JSON_OBJECT */
    size_t vals_start;
    size_t keys_start;
} frame;

#define LOCAL_VALS 64
#define LOCAL_FRAMES 32

typedef struct parser {
    const unsigned char *in, *end;
    char *copy;              /* arena copy of the input, same offsets */
    llmops_json_doc *doc;
    unsigned max_depth;
    int reject_dups;
    llmops_json *vals;
    size_t nvals, cap_vals;
    json_key *keys;
    size_t nkeys, cap_keys;
    frame *frames;
    size_t nframes, cap_frames;
    llmops_status status;
    size_t err_off;
    char msg[128];
    llmops_json vals_local[LOCAL_VALS];
    json_key keys_local[LOCAL_VALS];
    frame frames_local[LOCAL_FRAMES];
} parser;

void llmops_json_parse_options_init(llmops_json_parse_options *opts)
{
    if (!opts)
        return;
    opts->version = LLMOPS_JSON_PARSE_OPTIONS_VERSION;
    opts->max_depth = DEFAULT_MAX_DEPTH;
    opts->max_size = DEFAULT_MAX_SIZE;
    opts->duplicate_keys = LLMOPS_JSON_DUPKEYS_LAST_WINS;
}

/* ---- errors ------------------------------------------------------------- */

static void fail(parser *ps, llmops_status st, const unsigned char *at, const char *msg)
{
    ps->status = st;
    ps->err_off = (size_t)(at - ps->in);
    snprintf(ps->msg, sizeof ps->msg, "%s", msg);
}

/* "unexpected byte 0x7d, expected ..." — the byte is shown as hex so the
 * message never carries raw input (which may be binary or secret). */
static void fail_at(parser *ps, const unsigned char *at, const char *expected)
{
    ps->status = LLMOPS_E_PARSE;
    ps->err_off = (size_t)(at - ps->in);
    if (at >= ps->end)
        snprintf(ps->msg, sizeof ps->msg, "unexpected end of input, expected %s", expected);
    else
        snprintf(ps->msg, sizeof ps->msg, "unexpected byte 0x%02x, expected %s", *at, expected);
}

static void fail_oom(parser *ps, const unsigned char *at)
{
    fail(ps, LLMOPS_E_NO_MEMORY, at, "out of memory");
}

/* ---- scratch stacks ----------------------------------------------------- */

/* Double a scratch stack, moving it off the inline storage the first time.
 * Returns the new array (and updates *cap) or NULL, leaving the old intact. */
static void *grow(void *arr, size_t *cap, const void *local, size_t elem)
{
    if (*cap > SIZE_MAX / 2 / elem)
        return NULL;
    size_t ncap = *cap * 2;
    void *n;
    if (arr == local) {
        n = llmops__malloc(ncap * elem);
        if (n)
            memcpy(n, local, *cap * elem);
    } else {
        n = llmops__realloc(arr, ncap * elem);
    }
    if (n)
        *cap = ncap;
    return n;
}

static llmops_json *push_val(parser *ps)
{
    if (ps->nvals == ps->cap_vals) {
        llmops_json *n = grow(ps->vals, &ps->cap_vals, ps->vals_local, sizeof *n);
        if (!n)
            return NULL;
        ps->vals = n;
    }
    return &ps->vals[ps->nvals++];
}

static json_key *push_key(parser *ps)
{
    if (ps->nkeys == ps->cap_keys) {
        json_key *n = grow(ps->keys, &ps->cap_keys, ps->keys_local, sizeof *n);
        if (!n)
            return NULL;
        ps->keys = n;
    }
    return &ps->keys[ps->nkeys++];
}

static void free_scratch(parser *ps)
{
    if (ps->vals != ps->vals_local)
        llmops__free(ps->vals);
    if (ps->keys != ps->keys_local)
        llmops__free(ps->keys);
    if (ps->frames != ps->frames_local)
        llmops__free(ps->frames);
}

/* ---- tokens ------------------------------------------------------------- */

static const unsigned char *skip_ws(const unsigned char *p, const unsigned char *end)
{
    while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
        p++;
    return p;
}

static int hex4(const unsigned char *p)
{
    int v = 0;
    for (int i = 0; i < 4; i++) {
        unsigned c = p[i], d;
        if (c - '0' < 10)
            d = c - '0';
        else if ((c | 0x20) - 'a' < 6)
            d = (c | 0x20) - 'a' + 10;
        else
            return -1;
        v = v * 16 + (int)d;
    }
    return v;
}

/* Decode the escapes of a validated string body [s, s+n) into dst. */
static size_t unescape(char *dst, const unsigned char *s, size_t n)
{
    const unsigned char *end = s + n;
    char *o = dst;
    while (s < end) {
        const unsigned char *bs = memchr(s, '\\', (size_t)(end - s));
        if (!bs)
            bs = end;
        memmove(o, s, (size_t)(bs - s));
        o += bs - s;
        if (bs == end)
            break;
        s = bs + 1;
        switch (*s++) {
        case 'b': *o++ = '\b'; break;
        case 'f': *o++ = '\f'; break;
        case 'n': *o++ = '\n'; break;
        case 'r': *o++ = '\r'; break;
        case 't': *o++ = '\t'; break;
        case 'u': {
            uint32_t cp = (uint32_t)hex4(s);
            s += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                uint32_t lo = (uint32_t)hex4(s + 2);
                s += 6;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            }
            o += llmops__utf8_encode(cp, o);
            break;
        }
        default: *o++ = (char)s[-1]; break; /* '"', '\\', '/' */
        }
    }
    return (size_t)(o - dst);
}

/* Scan the string whose opening quote is at p; on success store its decoded
 * bytes (in the input copy) in *out and return the byte after the closing
 * quote. Lone surrogate escapes are rejected: they cannot be UTF-8. */
static const unsigned char *scan_string(parser *ps, const unsigned char *p, json_key *out)
{
    const unsigned char *start = ++p, *end = ps->end;
    int escaped = 0;
    for (;;) {
        while (end - p >= 8) {
            uint64_t m = llmops__swar_special(llmops__swar_load(p), 1);
            if (m) {
                p += llmops__swar_first(m);
                break;
            }
            p += 8;
        }
        if (p >= end) {
            fail(ps, LLMOPS_E_PARSE, end, "unterminated string");
            return NULL;
        }
        unsigned c = *p;
        if (c == '"')
            break;
        if (c == '\\') {
            escaped = 1;
            const unsigned char *esc = p++;
            if (p >= end) {
                fail(ps, LLMOPS_E_PARSE, end, "unterminated string");
                return NULL;
            }
            switch (*p) {
            case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
                p++;
                continue;
            case 'u':
                break;
            default:
                fail(ps, LLMOPS_E_PARSE, esc, "invalid escape sequence");
                return NULL;
            }
            int cp = end - p >= 5 ? hex4(p + 1) : -1;
            if (cp < 0) {
                fail(ps, LLMOPS_E_PARSE, esc, "invalid \\u escape: expected four hex digits");
                return NULL;
            }
            p += 5;
            if (cp >= 0xDC00 && cp <= 0xDFFF) {
                fail(ps, LLMOPS_E_PARSE, esc, "unpaired low surrogate escape");
                return NULL;
            }
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                int lo = (end - p >= 6 && p[0] == '\\' && p[1] == 'u') ? hex4(p + 2) : -1;
                if (lo < 0xDC00 || lo > 0xDFFF) {
                    fail(ps, LLMOPS_E_PARSE, esc, "unpaired high surrogate escape");
                    return NULL;
                }
                p += 6;
            }
            continue;
        }
        if (c < 0x20) {
            fail(ps, LLMOPS_E_PARSE, p, "control character in string (must be escaped)");
            return NULL;
        }
        if (c >= 0x80) {
            size_t n = llmops__utf8_seq(p, end);
            if (!n) {
                fail(ps, LLMOPS_E_PARSE, p, "invalid UTF-8 in string");
                return NULL;
            }
            p += n;
            continue;
        }
        p++;
    }
    size_t raw = (size_t)(p - start);
    char *dst = ps->copy + (start - ps->in);
    size_t len = escaped ? unescape(dst, start, raw) : raw;
    dst[len] = '\0';
    out->s = dst;
    out->len = len;
    return p + 1;
}

static int is_digit(const unsigned char *p, const unsigned char *end)
{
    return p < end && (unsigned)(*p - '0') < 10u;
}

/* Digits are gathered while scanning (value, significant digits, trailing
 * zeros, exponent) so the number is classified without a second pass. */
static const unsigned char *scan_number(parser *ps, const unsigned char *p, llmops_json *v)
{
    const unsigned char *s = p, *end = ps->end;
    int neg = *p == '-';
    if (neg)
        p++;
    /* acc wraps harmlessly past 19 significant digits; it is only used up
     * to that (longer numbers are re-read by llmops__json_num_classify). */
    uint64_t acc = 0;
    size_t sig = 0, tz = 0, frac = 0;
#define DIGIT()                                          \
    do {                                                 \
        unsigned d_ = (unsigned)(*p++ - '0');            \
        acc = acc * 10 + d_;                             \
        sig += (sig | d_) != 0;                          \
        tz = d_ ? 0 : tz + 1;                            \
    } while (0)
    if (!is_digit(p, end)) {
        fail_at(ps, p, "a digit");
        return NULL;
    }
    if (*p == '0') {
        p++;
        if (is_digit(p, end)) {
            fail(ps, LLMOPS_E_PARSE, p, "leading zero in number");
            return NULL;
        }
    } else {
        while (is_digit(p, end))
            DIGIT();
    }
    int simple = 1;
    if (p < end && *p == '.') {
        simple = 0;
        p++;
        if (!is_digit(p, end)) {
            fail_at(ps, p, "a digit after the decimal point");
            return NULL;
        }
        const unsigned char *fs = p;
        while (is_digit(p, end))
            DIGIT();
        frac = (size_t)(p - fs);
    }
#undef DIGIT
    int64_t e = 0;
    if (p < end && (*p | 0x20) == 'e') {
        simple = 0;
        p++;
        int eneg = 0;
        if (p < end && (*p == '+' || *p == '-'))
            eneg = *p++ == '-';
        if (!is_digit(p, end)) {
            fail_at(ps, p, "a digit in the exponent");
            return NULL;
        }
        while (is_digit(p, end)) {
            if (e < JSON_EXP_LIMIT)
                e = e * 10 + (*p - '0');
            p++;
        }
        if (eneg)
            e = -e;
    }
    size_t len = (size_t)(p - s);
    char *txt = ps->copy + (s - ps->in);
    txt[len] = '\0';
    v->type = LLMOPS_JSON_NUMBER;
    v->flags = JSON_F_PLACED;
    v->reserved = 0;
    v->doc_tag = ps->doc->tag;
    v->len = len;
    v->p.s = txt;
    if (simple && sig <= 18) {
        v->flags |= JSON_F_INT;
        v->num.i = neg ? -(int64_t)acc : (int64_t)acc;
    } else if (e >= JSON_EXP_LIMIT / 2 || e <= -JSON_EXP_LIMIT / 2) {
        /* Absurd exponents: let the exact reader apply the saturation. */
        v->num.i = 0;
        llmops__json_num_classify(v);
    } else {
        v->num.i = 0;
        llmops__json_num_from_parts(v, neg, acc, sig, tz, e - (int64_t)frac);
    }
    return p;
}

/* ---- containers --------------------------------------------------------- */

static int open_container(parser *ps, const unsigned char *at, uint8_t type)
{
    if (ps->nframes >= ps->max_depth) {
        fail(ps, LLMOPS_E_LIMIT, at, "nesting deeper than the maximum depth");
        return -1;
    }
    if (ps->nframes == ps->cap_frames) {
        frame *n = grow(ps->frames, &ps->cap_frames, ps->frames_local, sizeof *n);
        if (!n) {
            fail_oom(ps, at);
            return -1;
        }
        ps->frames = n;
    }
    frame *f = &ps->frames[ps->nframes++];
    f->type = type;
    f->vals_start = ps->nvals;
    f->keys_start = ps->nkeys;
    return 0;
}

static int close_container(parser *ps, const unsigned char *at)
{
    frame *f = &ps->frames[--ps->nframes];
    int is_obj = f->type == LLMOPS_JSON_OBJECT;
    size_t n = ps->nvals - f->vals_start;
    json_body *b = NULL;
    if (n) {
        size_t per = sizeof(llmops_json) + (is_obj ? sizeof(json_key) : 0);
        if (n > (SIZE_MAX - sizeof *b) / per) {
            fail_oom(ps, at);
            return -1;
        }
        b = llmops__arena_alloc(&ps->doc->arena, sizeof *b + n * per);
        if (!b) {
            fail_oom(ps, at);
            return -1;
        }
        b->count = b->cap = n;
        b->items = (llmops_json *)(b + 1);
        memcpy(b->items, ps->vals + f->vals_start, n * sizeof(llmops_json));
        b->keys = NULL;
        b->index = NULL;
        b->up = NULL;
        if (is_obj) {
            b->keys = (json_key *)(b->items + n);
            memcpy(b->keys, ps->keys + f->keys_start, n * sizeof(json_key));
            ps->nkeys = f->keys_start;
            size_t dup;
            int rc = n > JSON_INDEX_MIN
                ? llmops__json_index_build(ps->doc, b, ps->reject_dups, &dup)
                : llmops__json_dedup_small(b, ps->reject_dups, &dup);
            if (rc != 0) {
                fail_oom(ps, at);
                return -1;
            }
            if (dup != SIZE_MAX) {
                /* Keys live in the input copy at their input offset; the
                 * opening quote is the byte before. */
                const char *k = b->keys[dup].s - 1;
                fail(ps, LLMOPS_E_PARSE, ps->in + (k - ps->copy), "duplicate object key");
                return -1;
            }
        }
    }
    ps->nvals = f->vals_start;
    llmops_json *v = push_val(ps); /* cannot fail: a slot was just freed or n == 0 */
    if (!v) {
        fail_oom(ps, at);
        return -1;
    }
    v->type = f->type;
    v->flags = JSON_F_PLACED;
    v->reserved = 0;
    v->doc_tag = ps->doc->tag;
    v->len = 0;
    v->p.body = b;
    v->num.i = 0;
    return 0;
}

/* ---- the document ------------------------------------------------------- */

static void run(parser *ps)
{
    const unsigned char *p = ps->in, *end = ps->end;
    llmops_json *v;

value:
    p = skip_ws(p, end);
    if (p >= end) {
        fail_at(ps, p, "a value");
        return;
    }
    switch (*p) {
    case '{':
        if (open_container(ps, p, LLMOPS_JSON_OBJECT) != 0)
            return;
        p = skip_ws(p + 1, end);
        if (p < end && *p == '}') {
            if (close_container(ps, p++) != 0)
                return;
            goto after;
        }
        goto key;
    case '[':
        if (open_container(ps, p, LLMOPS_JSON_ARRAY) != 0)
            return;
        p = skip_ws(p + 1, end);
        if (p < end && *p == ']') {
            if (close_container(ps, p++) != 0)
                return;
            goto after;
        }
        goto value;
    case '"': {
        json_key s;
        if (!(p = scan_string(ps, p, &s)))
            return;
        if (!(v = push_val(ps))) {
            fail_oom(ps, p);
            return;
        }
        v->type = LLMOPS_JSON_STRING;
        v->flags = JSON_F_PLACED;
        v->reserved = 0;
        v->doc_tag = ps->doc->tag;
        v->len = s.len;
        v->p.s = s.s;
        v->num.i = 0;
        goto after;
    }
    case '-': case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9':
        if (!(v = push_val(ps))) {
            fail_oom(ps, p);
            return;
        }
        if (!(p = scan_number(ps, p, v)))
            return;
        goto after;
    case 't': case 'f': case 'n': {
        static const char *const words[3] = { "true", "false", "null" };
        int w = *p == 't' ? 0 : *p == 'f' ? 1 : 2;
        size_t wl = strlen(words[w]);
        size_t i = 1;
        while (i < wl && p + i < end && p[i] == (unsigned char)words[w][i])
            i++;
        if (i < wl) {
            fail_at(ps, p + i, "a literal (true, false or null)");
            return;
        }
        if (!(v = push_val(ps))) {
            fail_oom(ps, p);
            return;
        }
        v->type = w == 2 ? LLMOPS_JSON_NULL : LLMOPS_JSON_BOOL;
        v->flags = (uint8_t)(JSON_F_PLACED | (w == 0 ? JSON_F_TRUE : 0));
        v->reserved = 0;
        v->doc_tag = ps->doc->tag;
        v->len = 0;
        v->p.s = NULL;
        v->num.i = 0;
        p += wl;
        goto after;
    }
    default:
        fail_at(ps, p, "a value");
        return;
    }

key:
    if (p >= end || *p != '"') {
        fail_at(ps, p, "a string key");
        return;
    }
    {
        json_key *k = push_key(ps);
        if (!k) {
            fail_oom(ps, p);
            return;
        }
        if (!(p = scan_string(ps, p, k)))
            return;
    }
    p = skip_ws(p, end);
    if (p >= end || *p != ':') {
        fail_at(ps, p, "':' after an object key");
        return;
    }
    p++;
    goto value;

after:
    if (ps->nframes == 0) {
        p = skip_ws(p, end);
        if (p < end)
            fail_at(ps, p, "the end of input after the root value");
        return;
    }
    p = skip_ws(p, end);
    if (ps->frames[ps->nframes - 1].type == LLMOPS_JSON_ARRAY) {
        if (p < end && *p == ',') {
            p++;
            goto value;
        }
        if (p < end && *p == ']') {
            if (close_container(ps, p++) != 0)
                return;
            goto after;
        }
        fail_at(ps, p, "',' or ']'");
        return;
    }
    if (p < end && *p == ',') {
        p = skip_ws(p + 1, end);
        goto key;
    }
    if (p < end && *p == '}') {
        if (close_container(ps, p++) != 0)
            return;
        goto after;
    }
    fail_at(ps, p, "',' or '}'");
}

static void report(llmops_json_error *err, const char *text, size_t len,
                   size_t off, const char *msg)
{
    if (!err || err->version < 1)
        return;
    unsigned line = 1;
    size_t line_start = 0;
    if (off > len)
        off = len;
    for (size_t i = 0; i < off; i++) {
        if (text[i] == '\n') {
            line++;
            line_start = i + 1;
        }
    }
    err->offset = off;
    err->line = line;
    err->column = (unsigned)(off - line_start + 1);
    snprintf(err->message, sizeof err->message, "%s", msg);
}

llmops_status llmops_json_parse(llmops_json_doc **out, const char *text, size_t len,
                                const llmops_json_parse_options *opts,
                                llmops_json_error *err)
{
    if (err && err->version >= 1) {
        err->offset = 0;
        err->line = 0;
        err->column = 0;
        err->message[0] = '\0';
    }
    if (out)
        *out = NULL;
    if (!out || (!text && len)) {
        report(err, "", 0, 0, "invalid argument: NULL pointer");
        return LLMOPS_E_INVALID_ARGUMENT;
    }
    unsigned max_depth = DEFAULT_MAX_DEPTH;
    size_t max_size = DEFAULT_MAX_SIZE;
    int reject = 0;
    if (opts) {
        if (opts->version < 1 || opts->version > LLMOPS_JSON_PARSE_OPTIONS_VERSION ||
            opts->duplicate_keys > LLMOPS_JSON_DUPKEYS_REJECT) {
            report(err, "", 0, 0,
                   "invalid argument: unknown options version or duplicate_keys mode");
            return LLMOPS_E_INVALID_ARGUMENT;
        }
        if (opts->max_depth)
            max_depth = opts->max_depth;
        if (opts->max_size)
            max_size = opts->max_size;
        reject = opts->duplicate_keys == LLMOPS_JSON_DUPKEYS_REJECT;
    }
    if (len > max_size) {
        report(err, text, len, max_size, "input larger than the maximum size");
        return LLMOPS_E_LIMIT;
    }
    if (!text)
        text = "";
    if (len > SIZE_MAX / 4) {
        report(err, text, len, 0, "out of memory");
        return LLMOPS_E_NO_MEMORY;
    }

    /* Room for the document, the input copy and roughly as much again for
     * the tree, so typical documents take a single allocation. */
    size_t first = len < ((size_t)8 << 20) ? 2 * len + 1024 : ((size_t)16 << 20);
    llmops_json_doc *doc = llmops__json_doc_create(first);
    char *copy = doc ? llmops__arena_alloc(&doc->arena, len + 1) : NULL;
    if (!copy) {
        llmops_json_doc_free(doc);
        report(err, text, len, 0, "out of memory");
        return LLMOPS_E_NO_MEMORY;
    }
    memcpy(copy, text, len);
    copy[len] = '\0';

    /* About 4 KiB: the scratch stacks start inside it, so small documents
     * need no scratch allocation at all. */
    parser storage;
    parser *ps = &storage;
    ps->in = (const unsigned char *)text;
    ps->end = ps->in + len;
    ps->copy = copy;
    ps->doc = doc;
    ps->max_depth = max_depth;
    ps->reject_dups = reject;
    ps->vals = ps->vals_local;
    ps->nvals = 0;
    ps->cap_vals = LOCAL_VALS;
    ps->keys = ps->keys_local;
    ps->nkeys = 0;
    ps->cap_keys = LOCAL_VALS;
    ps->frames = ps->frames_local;
    ps->nframes = 0;
    ps->cap_frames = LOCAL_FRAMES;
    ps->status = LLMOPS_OK;
    ps->err_off = 0;
    ps->msg[0] = '\0';

    run(ps);

    llmops_status st = ps->status;
    if (st == LLMOPS_OK) {
        llmops_json *root = llmops__arena_alloc(&doc->arena, sizeof *root);
        if (root) {
            *root = ps->vals[0];
            doc->root = root;
        } else {
            st = LLMOPS_E_NO_MEMORY;
            ps->err_off = len;
            snprintf(ps->msg, sizeof ps->msg, "out of memory");
        }
    }
    if (st != LLMOPS_OK) {
        report(err, text, len, ps->err_off, ps->msg);
        llmops_json_doc_free(doc);
    } else {
        *out = doc;
    }
    free_scratch(ps);
    return st;
}
