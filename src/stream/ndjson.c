/* Newline-delimited JSON framing: LF or CRLF line ends, blank lines skipped,
 * lines delivered straight from the caller's buffer unless they span reads. */
#include "stream/ndjson.h"

#include <string.h>

void llmops__ndjson_init(llmops__ndjson *p, size_t max_line)
{
    memset(p, 0, sizeof *p);
    p->max_line = max_line;
}

void llmops__ndjson_free(llmops__ndjson *p)
{
    llmops__buf_free(&p->line);
    llmops__ndjson_init(p, p->max_line);
}

/* Sticky failures, kept in the line buffer's flag (2 = limit). */
static int sticky_error(const llmops__ndjson *p)
{
    if (p->line.failed == 2)
        return LLMOPS__NDJSON_LIMIT;
    return p->line.failed ? LLMOPS__NDJSON_NOMEM : LLMOPS__NDJSON_OK;
}

static int fail_limit(llmops__ndjson *p)
{
    p->line.failed = 2;
    return LLMOPS__NDJSON_LIMIT;
}

/* Whitespace-only lines carry no JSON value; keep-alive newlines and the
 * blank line some servers put between objects are skipped. */
static int blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
            return 0;
    return 1;
}

/* A complete line (without its LF): drop the CR of a CRLF, check the limit,
 * deliver. */
static int deliver(llmops__ndjson *p, const char *s, size_t n, llmops__ndjson_fn fn,
                   void *user_data)
{
    if (n && s[n - 1] == '\r')
        n--;
    if (p->max_line && n > p->max_line)
        return fail_limit(p);
    if (blank(s, n))
        return LLMOPS__NDJSON_OK;
    return fn(s, n, user_data);
}

/* Length a partial line counts for the limit: a trailing CR may yet be the
 * first half of a CRLF, which is not part of the line. */
static size_t partial_len(const char *s, size_t n)
{
    return (n && s[n - 1] == '\r') ? n - 1 : n;
}

int llmops__ndjson_feed(llmops__ndjson *p, const char *buf, size_t len, llmops__ndjson_fn fn,
                        void *user_data)
{
    int rc = sticky_error(p);
    if (rc)
        return rc;
    size_t pos = 0;
    while (pos < len) {
        const char *nl = memchr(buf + pos, '\n', len - pos);
        if (!nl) {
            /* The line is at least as long as what has arrived of it (a
             * trailing CR may still turn out to be half of a CRLF), so an
             * over-long line fails here exactly when it would at its end. */
            size_t n = len - pos;
            if (p->max_line && p->line.len + partial_len(buf + pos, n) > p->max_line)
                return fail_limit(p);
            llmops__buf_append(&p->line, buf + pos, n);
            return p->line.failed ? LLMOPS__NDJSON_NOMEM : LLMOPS__NDJSON_OK;
        }
        size_t end = (size_t)(nl - buf);
        if (p->line.len) {
            /* check before copying a large tail only to reject it; with no
             * tail, the carried part's own CR may be the one of the CRLF */
            size_t total = end > pos ? p->line.len + partial_len(buf + pos, end - pos)
                                     : partial_len(p->line.data, p->line.len);
            if (p->max_line && total > p->max_line)
                return fail_limit(p);
            llmops__buf_append(&p->line, buf + pos, end - pos);
            if (p->line.failed)
                return LLMOPS__NDJSON_NOMEM;
            rc = deliver(p, p->line.data, p->line.len, fn, user_data);
            llmops__buf_clear(&p->line);
        } else {
            rc = deliver(p, buf + pos, end - pos, fn, user_data);
        }
        pos = end + 1;
        if (rc)
            return rc;
    }
    return LLMOPS__NDJSON_OK;
}

int llmops__ndjson_finish(llmops__ndjson *p, llmops__ndjson_fn fn, void *user_data)
{
    int rc = sticky_error(p);
    if (rc)
        return rc;
    if (p->line.len) {
        rc = deliver(p, p->line.data, p->line.len, fn, user_data);
        llmops__buf_clear(&p->line);
    }
    return rc;
}
