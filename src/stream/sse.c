/* Server-sent events parser following the WHATWG HTML "event stream
 * interpretation" (section 9.2.6), incremental over arbitrary read
 * boundaries.
 *
 * Lines are found with memchr. An event that lies wholly inside one read is
 * dispatched straight from the caller's buffer: its first data line and its
 * event name are kept as views into the input and copied only if the event
 * is still incomplete when the read ends (or gets a second data line). */
#include "stream/sse.h"

#include <string.h>

static const unsigned char bom[3] = { 0xEF, 0xBB, 0xBF };

/* Per-feed state: views into the current input, valid only during one
 * llmops__sse_feed call. */
typedef struct sse_ctx {
    llmops__sse *p;
    llmops__sse_fn fn;
    void *user_data;
    const char *data;   /* the event's only data line so far, when data_view */
    size_t data_len;
    int data_view;
    const char *event;  /* the event name, when event_view */
    size_t event_len;
    int event_view;
} sse_ctx;

void llmops__sse_init(llmops__sse *p, size_t max_event)
{
    memset(p, 0, sizeof *p);
    p->retry_ms = -1;
    p->max_event = max_event;
}

void llmops__sse_free(llmops__sse *p)
{
    llmops__buf_free(&p->line);
    llmops__buf_free(&p->data);
    llmops__buf_free(&p->event);
    llmops__buf_free(&p->id);
    llmops__sse_init(p, p->max_event);
}

/* Failures are sticky: a limit marks the line buffer (failed = 2, the
 * strbuf convention for limits), an allocation failure any buffer. */
static int sticky_error(const llmops__sse *p)
{
    if (p->line.failed == 2)
        return LLMOPS__SSE_LIMIT;
    if (p->line.failed || p->data.failed || p->event.failed || p->id.failed)
        return LLMOPS__SSE_NOMEM;
    return LLMOPS__SSE_OK;
}

static int fail_limit(llmops__sse *p)
{
    p->line.failed = 2;
    return LLMOPS__SSE_LIMIT;
}

/* Bytes the pending event holds: data lines with their "\n", and the name. */
static size_t pending_bytes(const sse_ctx *c)
{
    size_t d = c->data_view ? c->data_len + 1 : c->p->data.len;
    size_t e = c->event_view ? c->event_len : c->p->event.len;
    return d + e;
}

/* A line of n bytes would make the event exceed max_event. Written so that
 * a line seen in pieces fails exactly when the whole line would. */
static int over_limit(const sse_ctx *c, size_t n)
{
    size_t max = c->p->max_event;
    if (!max)
        return 0;
    size_t pend = pending_bytes(c);
    return n > max || pend > max - n;
}

/* Copies the views into the parser's buffers before the input goes away. */
static void materialize(sse_ctx *c)
{
    llmops__sse *p = c->p;
    if (c->data_view) {
        llmops__buf_clear(&p->data);
        llmops__buf_append(&p->data, c->data, c->data_len);
        llmops__buf_putc(&p->data, '\n');
        c->data_view = 0;
    }
    if (c->event_view) {
        llmops__buf_clear(&p->event);
        llmops__buf_append(&p->event, c->event, c->event_len);
        c->event_view = 0;
    }
}

static void reset_event(sse_ctx *c)
{
    llmops__buf_clear(&c->p->data);
    llmops__buf_clear(&c->p->event);
    c->p->has_data = 0;
    c->data_view = 0;
    c->event_view = 0;
}

static int dispatch(sse_ctx *c)
{
    llmops__sse *p = c->p;
    if (!p->has_data) {
        /* spec: an empty data buffer resets the event name, nothing fires */
        reset_event(c);
        return LLMOPS__SSE_OK;
    }
    int err = sticky_error(p);
    if (err) {
        reset_event(c);
        return err;
    }
    const char *data, *event = "", *id = "";
    size_t data_len, event_len = 0, id_len = 0;
    if (c->data_view) {
        data = c->data;
        data_len = c->data_len;
    } else {
        data = p->data.data;
        data_len = p->data.len - 1;   /* the last line's "\n" is not data */
    }
    if (c->event_view) {
        event = c->event;
        event_len = c->event_len;
    } else if (p->event.len) {
        event = p->event.data;
        event_len = p->event.len;
    }
    if (p->id.data) {
        id = p->id.data;
        id_len = p->id.len;
    }
    int rc = c->fn(event, event_len, data, data_len, id, id_len, c->user_data);
    reset_event(c);
    return rc;
}

static int field_is(const char *f, size_t n, const char *name, size_t name_len)
{
    return n == name_len && memcmp(f, name, n) == 0;
}

/* One complete line without its line end. `in_input`: the line lives in the
 * caller's buffer (so views into it stay valid until the feed returns). */
static int process_line(sse_ctx *c, const char *line, size_t n, int in_input)
{
    llmops__sse *p = c->p;
    if (over_limit(c, n))
        return fail_limit(p);
    if (n == 0)
        return dispatch(c);
    if (line[0] == ':')
        return LLMOPS__SSE_OK;   /* comment */

    const char *colon = memchr(line, ':', n);
    size_t flen = colon ? (size_t)(colon - line) : n;
    const char *v = colon ? colon + 1 : line + n;
    size_t vlen = n - flen - (colon ? 1 : 0);
    if (vlen && *v == ' ') {
        v++;
        vlen--;
    }

    if (field_is(line, flen, "data", 4)) {
        if (!p->has_data && in_input) {
            c->data = v;
            c->data_len = vlen;
            c->data_view = 1;
        } else {
            materialize(c);
            llmops__buf_append(&p->data, v, vlen);
            llmops__buf_putc(&p->data, '\n');
        }
        p->has_data = 1;
    } else if (field_is(line, flen, "event", 5)) {
        llmops__buf_clear(&p->event);
        if (in_input) {
            c->event = v;
            c->event_len = vlen;
            c->event_view = 1;
        } else {
            c->event_view = 0;
            llmops__buf_append(&p->event, v, vlen);
        }
    } else if (field_is(line, flen, "id", 2)) {
        if (!memchr(v, '\0', vlen)) {
            llmops__buf_clear(&p->id);
            llmops__buf_append(&p->id, v, vlen);
        }
    } else if (field_is(line, flen, "retry", 5)) {
        int64_t ms = 0;
        size_t i = 0;
        for (; i < vlen && v[i] >= '0' && v[i] <= '9'; i++) {
            int d = v[i] - '0';
            ms = ms > (INT64_MAX - d) / 10 ? INT64_MAX : ms * 10 + d;
        }
        if (vlen && i == vlen)
            p->retry_ms = ms;
    }
    /* any other field is ignored */
    return sticky_error(p);
}

/* Keeps an incomplete line for the next read. */
static int carry(sse_ctx *c, const char *s, size_t n)
{
    llmops__sse *p = c->p;
    if (over_limit(c, p->line.len + n))
        return fail_limit(p);
    llmops__buf_append(&p->line, s, n);
    return p->line.failed ? LLMOPS__SSE_NOMEM : LLMOPS__SSE_OK;
}

/* Consumes a leading BOM, which may arrive a byte at a time. A prefix that
 * turns out not to be a BOM stays in `line` as the start of the first line. */
static size_t skip_bom(llmops__sse *p, const char *buf, size_t len)
{
    size_t pos = 0;
    while (!p->started && pos < len) {
        if ((unsigned char)buf[pos] != bom[p->line.len]) {
            p->started = 1;
            break;
        }
        llmops__buf_putc(&p->line, buf[pos++]);
        if (p->line.len == sizeof bom) {
            llmops__buf_clear(&p->line);
            p->started = 1;
        }
    }
    return pos;
}

static size_t find(const char *buf, size_t from, size_t len, char ch)
{
    const char *hit = memchr(buf + from, ch, len - from);
    return hit ? (size_t)(hit - buf) : len;
}

int llmops__sse_feed(llmops__sse *p, const char *buf, size_t len, llmops__sse_fn fn,
                     void *user_data)
{
    int rc = sticky_error(p);
    if (rc || len == 0)
        return rc;
    sse_ctx c = { .p = p, .fn = fn, .user_data = user_data };
    size_t pos = 0;
    if (!p->started) {
        pos = skip_bom(p, buf, len);
        if (p->line.failed)
            return LLMOPS__SSE_NOMEM;
    }
    if (p->after_cr && pos < len) {
        if (buf[pos] == '\n')
            pos++;   /* the LF half of a CRLF split across reads */
        p->after_cr = 0;
    }

    /* Next CR and next LF at or after pos; each is searched again only
     * once passed, so the scan stays linear whatever the line-end mix. */
    size_t cr = pos < len ? find(buf, pos, len, '\r') : len;
    size_t lf = pos < len ? find(buf, pos, len, '\n') : len;
    while (pos < len) {
        if (cr < pos)
            cr = find(buf, pos, len, '\r');
        if (lf < pos)
            lf = find(buf, pos, len, '\n');
        size_t eol = cr < lf ? cr : lf;
        if (eol == len) {
            rc = carry(&c, buf + pos, len - pos);
            break;
        }
        if (p->line.len) {
            if (over_limit(&c, p->line.len + (eol - pos))) {
                rc = fail_limit(p);
                break;
            }
            llmops__buf_append(&p->line, buf + pos, eol - pos);
            rc = p->line.failed ? LLMOPS__SSE_NOMEM
                                : process_line(&c, p->line.data, p->line.len, 0);
            llmops__buf_clear(&p->line);
        } else {
            rc = process_line(&c, buf + pos, eol - pos, 1);
        }
        if (buf[eol] == '\r') {
            if (eol + 1 == len)
                p->after_cr = 1;
            else if (buf[eol + 1] == '\n')
                eol++;
        }
        pos = eol + 1;
        if (rc)
            break;
    }
    materialize(&c);
    if (rc == 0)
        rc = sticky_error(p);
    return rc;
}

int llmops__sse_finish(llmops__sse *p, llmops__sse_fn fn, void *user_data)
{
    int rc = sticky_error(p);
    if (rc)
        return rc;
    sse_ctx c = { .p = p, .fn = fn, .user_data = user_data };
    p->started = 1;   /* a partial BOM at the end is ordinary content */
    if (p->line.len)
        rc = process_line(&c, p->line.data, p->line.len, 0);
    /* whatever event is still open was never terminated: discard it */
    if (p->line.failed != 2)
        llmops__buf_clear(&p->line);
    reset_event(&c);
    p->after_cr = 0;
    return rc;
}
