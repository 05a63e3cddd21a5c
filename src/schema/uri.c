/* URI references (RFC 3986) and JSON Pointers (RFC 6901) as $id, $ref and
 * $dynamicRef use them. */
#include <string.h>

#include "core/alloc.h"
#include "schema/internal.h"

typedef struct uri_parts {
    const char *scheme, *auth, *path, *query, *frag;
    size_t scheme_len, auth_len, path_len, query_len, frag_len;
    int has_scheme, has_auth, has_query, has_frag;
} uri_parts;

static int is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static void uri_split(const char *s, uri_parts *p)
{
    memset(p, 0, sizeof *p);
    size_t i = 0;
    if (is_alpha(s[0])) {
        i = 1;
        while (is_alpha(s[i]) || (s[i] >= '0' && s[i] <= '9') || s[i] == '+' || s[i] == '-' ||
               s[i] == '.')
            i++;
        if (s[i] == ':') {
            p->has_scheme = 1;
            p->scheme = s;
            p->scheme_len = i;
            s += i + 1;
        }
    }
    if (s[0] == '/' && s[1] == '/') {
        p->has_auth = 1;
        p->auth = s + 2;
        p->auth_len = strcspn(p->auth, "/?#");
        s = p->auth + p->auth_len;
    }
    p->path = s;
    p->path_len = strcspn(s, "?#");
    s += p->path_len;
    if (*s == '?') {
        p->has_query = 1;
        p->query = s + 1;
        p->query_len = strcspn(p->query, "#");
        s = p->query + p->query_len;
    }
    if (*s == '#') {
        p->has_frag = 1;
        p->frag = s + 1;
        p->frag_len = strlen(p->frag);
    }
}

/* RFC 3986 section 5.2.4, on a writable copy of the path. */
static void remove_dots(llmops__buf *out, const char *path, size_t len)
{
    char small[256];
    char *in = len < sizeof small ? small : llmops__malloc(len + 1);
    if (!in) {
        out->failed = 1;
        return;
    }
    memcpy(in, path, len);
    in[len] = '\0';
    char *p = in, *end = in + len;
    size_t start = out->len;
    while (p < end) {
        size_t n = (size_t)(end - p);
        if (n >= 3 && !memcmp(p, "../", 3)) {
            p += 3;
        } else if (n >= 2 && !memcmp(p, "./", 2)) {
            p += 2;
        } else if (n >= 3 && !memcmp(p, "/./", 3)) {
            p += 2;
        } else if (n == 2 && !memcmp(p, "/.", 2)) {
            p += 1;
            *p = '/';
        } else if ((n >= 4 && !memcmp(p, "/../", 4)) || (n == 3 && !memcmp(p, "/..", 3))) {
            p += 2;
            *p = '/';
            /* drop the last segment (and its '/') already written */
            while (out->len > start && out->data[out->len - 1] != '/')
                out->len--;
            if (out->len > start)
                out->len--;
            if (out->data)
                out->data[out->len] = '\0';
        } else if ((n == 1 && *p == '.') || (n == 2 && !memcmp(p, "..", 2))) {
            p = end;
        } else {
            char *q = p + (*p == '/');
            while (q < end && *q != '/')
                q++;
            llmops__buf_append(out, p, (size_t)(q - p));
            p = q;
        }
    }
    if (in != small)
        llmops__free(in);
}

void llmops__uri_resolve(llmops__buf *out, const char *base, const char *ref)
{
    uri_parts b, r;
    uri_split(base ? base : "", &b);
    uri_split(ref, &r);
    const uri_parts *auth_from = &r, *query_from = &r;
    const char *scheme = r.has_scheme ? r.scheme : b.scheme;
    size_t scheme_len = r.has_scheme ? r.scheme_len : b.scheme_len;
    int has_scheme = r.has_scheme || b.has_scheme;

    if (has_scheme) {
        llmops__buf_append(out, scheme, scheme_len);
        llmops__buf_putc(out, ':');
    }
    if (!r.has_scheme && !r.has_auth)
        auth_from = &b;
    if (auth_from->has_auth) {
        llmops__buf_puts(out, "//");
        llmops__buf_append(out, auth_from->auth, auth_from->auth_len);
    }
    if (r.has_scheme || r.has_auth) {
        remove_dots(out, r.path, r.path_len);
    } else if (r.path_len == 0) {
        llmops__buf_append(out, b.path, b.path_len);
        if (!r.has_query)
            query_from = &b;
    } else if (r.path[0] == '/') {
        remove_dots(out, r.path, r.path_len);
    } else {
        llmops__buf merged = LLMOPS__BUF_INIT;
        if (b.has_auth && b.path_len == 0) {
            llmops__buf_putc(&merged, '/');
        } else {
            size_t keep = b.path_len;
            while (keep > 0 && b.path[keep - 1] != '/')
                keep--;
            llmops__buf_append(&merged, b.path, keep);
        }
        llmops__buf_append(&merged, r.path, r.path_len);
        if (merged.failed)
            out->failed = 1;
        else if (merged.len)
            remove_dots(out, merged.data, merged.len);
        llmops__buf_free(&merged);
    }
    if (query_from->has_query) {
        llmops__buf_putc(out, '?');
        llmops__buf_append(out, query_from->query, query_from->query_len);
    }
    if (r.has_frag) {
        llmops__buf_putc(out, '#');
        llmops__buf_append(out, r.frag, r.frag_len);
    }
    if (!out->data)
        llmops__buf_reserve(out, 0);
}

size_t llmops__uri_doc_len(const char *uri)
{
    const char *h = strchr(uri, '#');
    return h ? (size_t)(h - uri) : strlen(uri);
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int llmops__uri_pct_decode(llmops__buf *out, const char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        const char *pct = memchr(s + i, '%', len - i);
        size_t run = pct ? (size_t)(pct - (s + i)) : len - i;
        llmops__buf_append(out, s + i, run);
        i += run;
        if (i >= len)
            break;
        if (len - i < 3)
            return -1;
        int hi = hexval(s[i + 1]), lo = hexval(s[i + 2]);
        if (hi < 0 || lo < 0)
            return -1;
        llmops__buf_putc(out, (char)(hi * 16 + lo));
        i += 3;
    }
    if (!out->data)
        llmops__buf_reserve(out, 0);
    return 0;
}

const llmops_json *llmops__json_pointer_get(const llmops_json *root, const char *ptr,
                                            size_t len)
{
    const llmops_json *cur = root;
    if (len == 0)
        return cur;
    if (ptr[0] != '/')
        return NULL;
    char small[128];
    size_t i = 1;
    while (cur) {
        const char *tok = ptr + i;
        const char *slash = memchr(tok, '/', len - i);
        size_t tlen = slash ? (size_t)(slash - tok) : len - i;
        char *dec = tlen < sizeof small ? small : llmops__malloc(tlen + 1);
        if (!dec)
            return NULL;
        size_t n = 0;
        int bad = 0;
        for (size_t k = 0; k < tlen; k++) {
            if (tok[k] == '~') {
                if (k + 1 < tlen && (tok[k + 1] == '0' || tok[k + 1] == '1')) {
                    dec[n++] = tok[k + 1] == '0' ? '~' : '/';
                    k++;
                } else {
                    bad = 1;
                    break;
                }
            } else {
                dec[n++] = tok[k];
            }
        }
        const llmops_json *next = NULL;
        if (!bad) {
            if (llmops_json_type_of(cur) == LLMOPS_JSON_OBJECT) {
                next = llmops_json_getn(cur, dec, n);
            } else if (llmops_json_type_of(cur) == LLMOPS_JSON_ARRAY && n > 0 &&
                       (n == 1 || dec[0] != '0')) {
                size_t idx = 0;
                int ok = 1;
                for (size_t k = 0; k < n; k++) {
                    if (dec[k] < '0' || dec[k] > '9' || idx > (SIZE_MAX - 9) / 10) {
                        ok = 0;
                        break;
                    }
                    idx = idx * 10 + (size_t)(dec[k] - '0');
                }
                next = ok ? llmops_json_at(cur, idx) : NULL;
            }
        }
        if (dec != small)
            llmops__free(dec);
        cur = next;
        if (!slash)
            break;
        i += tlen + 1;
    }
    return cur;
}

void llmops__pointer_append_token(llmops__buf *b, const char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        size_t run = 0;
        while (i + run < len && s[i + run] != '~' && s[i + run] != '/')
            run++;
        llmops__buf_append(b, s + i, run);
        i += run;
        if (i < len) {
            llmops__buf_puts(b, s[i] == '~' ? "~0" : "~1");
            i++;
        }
    }
}
