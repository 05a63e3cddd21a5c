#include "recordings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "provider/decoder.h"
#include "provider/response.h"
#include "provider/stream.h"
#include "testdata.h"

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

static char *dup_n(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

/* The http_status column: a number, or one of two notes (see the header). */
static int status_of(const char *s, size_t n)
{
    if (n > 0 && s[0] >= '0' && s[0] <= '9')
        return atoi(s);
    if (n >= 12 && memcmp(s, "stream-error", 12) == 0)
        return 200;
    return 0;
}

static void fill_column(lt_recording *r, int col, const char *s, size_t n)
{
    switch (col) {
    case 0: r->file = dup_n(s, n); break;
    case 1: r->provider = dup_n(s, n); break;
    case 2: r->endpoint = dup_n(s, n); break;
    case 3: r->streaming = n == 3 && memcmp(s, "yes", 3) == 0; break;
    case 4: r->has_tool_calls = n == 3 && memcmp(s, "yes", 3) == 0; break;
    case 5: r->http_status = status_of(s, n); break;
    case 6: r->body_form = dup_n(s, n); break;
    case 7: r->model = dup_n(s, n); break;
    default: break;
    }
}

size_t lt_recordings_read(lt_recording **out)
{
    *out = NULL;
    const char *path = lt_testdata_path("providers/index.tsv");
    if (!path)
        return 0;
    size_t len = 0;
    char *text = lt_read_file(path, &len);
    if (!text)
        return 0;
    size_t rows = 0;
    for (size_t i = 0; i < len; i++)
        rows += text[i] == '\n';
    lt_recording *recs = calloc(rows + 1, sizeof *recs);
    if (!recs) {
        free(text);
        return 0;
    }
    size_t n = 0;
    const char *p = text, *end = text + len;
    int header = 1;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol)
            eol = end;
        const char *line_end = eol;
        if (line_end > p && line_end[-1] == '\r')
            line_end--;
        if (header) {
            header = 0;
        } else if (line_end > p) {
            lt_recording *r = &recs[n];
            int col = 0;
            const char *f = p;
            for (;;) {
                const char *tab = memchr(f, '\t', (size_t)(line_end - f));
                const char *fe = tab ? tab : line_end;
                fill_column(r, col++, f, (size_t)(fe - f));
                if (!tab)
                    break;
                f = tab + 1;
            }
            if (!r->file || !r->provider || !r->endpoint || !r->body_form || !r->model) {
                fprintf(stderr, "recordings: index.tsv line %zu has %d columns (need 8+)\n",
                        n + 2, col);
                lt_recordings_free(recs, n + 1);
                free(text);
                return 0;
            }
            n++;
        }
        p = eol + 1;
    }
    free(text);
    if (n == 0) {
        free(recs);
        return 0;
    }
    *out = recs;
    return n;
}

void lt_recordings_free(lt_recording *r, size_t n)
{
    if (!r)
        return;
    for (size_t i = 0; i < n; i++) {
        free(r[i].file);
        free(r[i].provider);
        free(r[i].endpoint);
        free(r[i].body_form);
        free(r[i].model);
    }
    free(r);
}

char *lt_recording_body(const lt_recording *r, size_t *len)
{
    char rel[1024];
    if (snprintf(rel, sizeof rel, "providers/%s", r->file) >= (int)sizeof rel)
        return NULL;
    const char *path = lt_testdata_path(rel);
    return path ? lt_read_file(path, len) : NULL;
}

int lt_recording_is_stream(const lt_recording *r)
{
    return ends_with(r->file, ".sse") || ends_with(r->file, ".chunks.jsonl") ||
           ends_with(r->file, ".ndjson");
}

/* The top-level "type" string of a JSON line, for the SSE event name. */
static int event_type(const char *line, size_t n, char *out, size_t cap)
{
    llmops_json_doc *doc = NULL;
    if (llmops_json_parse(&doc, line, n, NULL, NULL) != LLMOPS_OK)
        return 0;
    size_t tl = 0;
    const char *t = llmops_json_string(llmops_json_get(llmops_json_doc_root(doc), "type"), &tl);
    int ok = t && tl > 0 && tl < cap && !memchr(t, '\n', tl) && !memchr(t, '\r', tl);
    if (ok) {
        memcpy(out, t, tl);
        out[tl] = '\0';
    }
    llmops_json_doc_free(doc);
    return ok;
}

char *lt_recording_stream_bytes(const lt_recording *r, size_t *len)
{
    size_t n = 0;
    char *body = lt_recording_body(r, &n);
    if (!body || !ends_with(r->file, ".chunks.jsonl")) {
        if (body && len)
            *len = n;
        return body;
    }
    llmops__buf b = LLMOPS__BUF_INIT;
    const char *p = body, *end = body + n;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol)
            eol = end;
        const char *le = eol;
        if (le > p && le[-1] == '\r')
            le--;
        if (le > p) {
            char type[256];
            if (event_type(p, (size_t)(le - p), type, sizeof type)) {
                llmops__buf_puts(&b, "event: ");
                llmops__buf_puts(&b, type);
                llmops__buf_putc(&b, '\n');
            }
            llmops__buf_puts(&b, "data: ");
            llmops__buf_append(&b, p, (size_t)(le - p));
            llmops__buf_puts(&b, "\n\n");
        }
        p = eol + 1;
    }
    free(body);
    if (b.failed) {
        llmops__buf_free(&b);
        return NULL;
    }
    /* Hand out malloc'd memory like every other helper here. */
    char *out = dup_n(b.data ? b.data : "", b.len);
    if (out && len)
        *len = b.len;
    llmops__buf_free(&b);
    return out;
}

llmops_status lt_feed_stream(const llmops__wire *wire, const char *bytes, size_t len,
                             const size_t *splits, size_t nsplits, llmops_response *resp)
{
    llmops_response_reset(resp);
    resp->start_ns = llmops__mono_ns();
    llmops_stream s;
    llmops__stream_init(&s, resp, NULL, NULL);
    llmops__decoder d;
    llmops_status st = llmops__decoder_init(&d, wire, &s, 0);
    if (st != LLMOPS_OK)
        return llmops_response_set_error(resp, st, "test: decoder init failed");
    size_t at = 0;
    for (size_t i = 0; i < nsplits && st == LLMOPS_OK; i++) {
        size_t cut = splits[i];
        if (cut <= at || cut > len)
            continue;
        st = llmops__decoder_feed(&d, bytes + at, cut - at);
        at = cut;
    }
    if (st == LLMOPS_OK && at < len)
        st = llmops__decoder_feed(&d, bytes + at, len - at);
    if (st == LLMOPS_OK)
        st = llmops__decoder_finish(&d);
    llmops__decoder_free(&d);
    if (st == LLMOPS_OK) {
        st = llmops__stream_finish(&s);
        llmops__response_finalize(resp);
    }
    if (st != LLMOPS_OK && resp->status == LLMOPS_OK)
        resp->status = st;
    return st;
}

static int str_eq(const char *a, const char *b)
{
    if (!a || !b)
        return (!a || !*a) && (!b || !*b);
    return strcmp(a, b) == 0;
}

static int buf_eq(const llmops__buf *a, const llmops__buf *b)
{
    return a->len == b->len && (a->len == 0 || memcmp(a->data, b->data, a->len) == 0);
}

static int json_text_eq(const llmops__buf *a, const llmops__buf *b)
{
    if (buf_eq(a, b))
        return 1;
    llmops_json_doc *da = NULL, *db = NULL;
    int eq = 0;
    if (llmops_json_parse(&da, a->data ? a->data : "", a->len, NULL, NULL) == LLMOPS_OK &&
        llmops_json_parse(&db, b->data ? b->data : "", b->len, NULL, NULL) == LLMOPS_OK)
        eq = llmops_json_equal(llmops_json_doc_root(da), llmops_json_doc_root(db));
    llmops_json_doc_free(da);
    llmops_json_doc_free(db);
    return eq;
}

#define DIFF(...)                                   \
    do {                                            \
        if (why && cap)                             \
            snprintf(why, cap, __VA_ARGS__);        \
        return 0;                                   \
    } while (0)

int lt_response_equal(const llmops_response *a, const llmops_response *b, char *why,
                      size_t cap)
{
    if (a->status != b->status)
        DIFF("status %d vs %d (%s | %s)", (int)a->status, (int)b->status,
             a->error.data ? a->error.data : "", b->error.data ? b->error.data : "");
    if (!buf_eq(&a->text, &b->text))
        DIFF("text differs (%zu vs %zu bytes)", a->text.len, b->text.len);
    if (!buf_eq(&a->reasoning, &b->reasoning))
        DIFF("reasoning differs (%zu vs %zu bytes)", a->reasoning.len, b->reasoning.len);
    if (a->ncalls != b->ncalls)
        DIFF("tool call count %zu vs %zu", a->ncalls, b->ncalls);
    for (size_t i = 0; i < a->ncalls; i++) {
        const llmops__resp_tool_call *x = &a->calls[i], *y = &b->calls[i];
        if (!str_eq(x->id, y->id))
            DIFF("tool call %zu id %s vs %s", i, x->id ? x->id : "(null)",
                 y->id ? y->id : "(null)");
        if (!str_eq(x->name, y->name))
            DIFF("tool call %zu name %s vs %s", i, x->name ? x->name : "(null)",
                 y->name ? y->name : "(null)");
        if (!json_text_eq(&x->args, &y->args))
            DIFF("tool call %zu arguments %.80s vs %.80s", i, x->args.data ? x->args.data : "",
                 y->args.data ? y->args.data : "");
    }
    if (a->finish != b->finish)
        DIFF("finish %d vs %d", (int)a->finish, (int)b->finish);
    if (a->has_usage != b->has_usage)
        DIFF("usage present %d vs %d", a->has_usage, b->has_usage);
    if (a->has_usage) {
        const llmops_usage *u = &a->usage, *v = &b->usage;
        if (u->input_tokens != v->input_tokens || u->output_tokens != v->output_tokens ||
            u->cached_input_tokens != v->cached_input_tokens ||
            u->cache_creation_tokens != v->cache_creation_tokens ||
            u->reasoning_tokens != v->reasoning_tokens || u->total_tokens != v->total_tokens)
            DIFF("usage differs: in %lld/%lld out %lld/%lld total %lld/%lld",
                 (long long)u->input_tokens, (long long)v->input_tokens,
                 (long long)u->output_tokens, (long long)v->output_tokens,
                 (long long)u->total_tokens, (long long)v->total_tokens);
    }
    if (!str_eq(a->model, b->model))
        DIFF("model %s vs %s", a->model ? a->model : "(null)", b->model ? b->model : "(null)");
    if (!str_eq(a->request_id, b->request_id))
        DIFF("request id %s vs %s", a->request_id ? a->request_id : "(null)",
             b->request_id ? b->request_id : "(null)");
    return 1;
}

int lt_stream_split_check(const llmops__wire *wire, const char *bytes, size_t len,
                          size_t max_two_piece_splits, llmops_response *whole, char *why,
                          size_t cap)
{
    lt_feed_stream(wire, bytes, len, NULL, 0, whole);
    llmops_response *other = NULL;
    if (llmops_response_new(&other) != LLMOPS_OK) {
        snprintf(why, cap, "out of memory");
        return 0;
    }
    char diff[512];
    int ok = 1;
    /* Every boundary, or an even spread of them for long streams. */
    size_t step = 1;
    if (max_two_piece_splits && len > max_two_piece_splits)
        step = (len + max_two_piece_splits - 1) / max_two_piece_splits;
    for (size_t cut = 1; cut < len && ok; cut += step) {
        lt_feed_stream(wire, bytes, len, &cut, 1, other);
        if (!lt_response_equal(whole, other, diff, sizeof diff)) {
            snprintf(why, cap, "split at byte %zu of %zu: %s", cut, len, diff);
            ok = 0;
        }
    }
    if (ok) {
        size_t *all = malloc((len ? len : 1) * sizeof *all);
        if (!all) {
            snprintf(why, cap, "out of memory");
            ok = 0;
        } else {
            for (size_t i = 0; i < len; i++)
                all[i] = i + 1;
            lt_feed_stream(wire, bytes, len, all, len, other);
            free(all);
            if (!lt_response_equal(whole, other, diff, sizeof diff)) {
                snprintf(why, cap, "fed byte by byte: %s", diff);
                ok = 0;
            }
        }
    }
    llmops_response_free(other);
    return ok;
}
