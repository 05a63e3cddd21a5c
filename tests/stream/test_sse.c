/* SSE parser: the WHATWG event-stream interpretation (section 9.2.6 examples
 * and every field rule), line ends, BOM, read boundaries, limits, callback
 * stop, finish, allocation failure, and the recorded provider streams fed
 * whole, a byte at a time and split at every position. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "llmops/common.h"
#include "llmops/json.h"
#include "stream/sse.h"
#include "testdata.h"

/* ---- collecting events ------------------------------------------------------ */

typedef struct ev {
    char *event, *data, *id;
    size_t elen, dlen, idlen;
} ev;

typedef struct evlist {
    ev *v;
    size_t n, cap;
    size_t stop_after;   /* return stop_rc after this many events; 0: never */
    int stop_rc;
} evlist;

static char *dup_n(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    cr_assert_not_null(d);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

static int collect(const char *event, size_t elen, const char *data, size_t dlen,
                   const char *id, size_t idlen, void *ud)
{
    evlist *l = ud;
    cr_assert_not_null(event);
    cr_assert_not_null(data);
    cr_assert_not_null(id);
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->v = realloc(l->v, l->cap * sizeof *l->v);
        cr_assert_not_null(l->v);
    }
    ev *e = &l->v[l->n++];
    e->event = dup_n(event, elen);
    e->data = dup_n(data, dlen);
    e->id = dup_n(id, idlen);
    e->elen = elen;
    e->dlen = dlen;
    e->idlen = idlen;
    if (l->stop_after && l->n == l->stop_after)
        return l->stop_rc;
    return 0;
}

static void evlist_free(evlist *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].event);
        free(l->v[i].data);
        free(l->v[i].id);
    }
    free(l->v);
    memset(l, 0, sizeof *l);
}

static int ev_equal(const ev *a, const ev *b)
{
    return a->elen == b->elen && a->dlen == b->dlen && a->idlen == b->idlen &&
           memcmp(a->event, b->event, a->elen) == 0 && memcmp(a->data, b->data, a->dlen) == 0 &&
           memcmp(a->id, b->id, a->idlen) == 0;
}

static void assert_same(const evlist *a, const evlist *b, const char *what)
{
    cr_assert_eq(a->n, b->n, "%s: %zu events vs %zu", what, a->n, b->n);
    for (size_t i = 0; i < a->n; i++)
        cr_assert(ev_equal(&a->v[i], &b->v[i]), "%s: event %zu differs ('%s' vs '%s')", what, i,
                  a->v[i].data, b->v[i].data);
}

/* Feeds `in` cut at the given positions (ascending), then finishes. Returns
 * the first non-zero result. */
static int run_cuts(const char *in, size_t len, const size_t *cuts, size_t ncuts,
                    size_t max_event, evlist *out)
{
    llmops__sse p;
    llmops__sse_init(&p, max_event);
    size_t pos = 0;
    int rc = 0;
    for (size_t i = 0; i <= ncuts && rc == 0; i++) {
        size_t end = i < ncuts ? cuts[i] : len;
        rc = llmops__sse_feed(&p, in + pos, end - pos, collect, out);
        pos = end;
    }
    if (rc == 0)
        rc = llmops__sse_finish(&p, collect, out);
    llmops__sse_free(&p);
    return rc;
}

static int run_whole(const char *in, size_t len, size_t max_event, evlist *out)
{
    return run_cuts(in, len, NULL, 0, max_event, out);
}

static int run_bytewise(const char *in, size_t len, size_t max_event, evlist *out)
{
    llmops__sse p;
    llmops__sse_init(&p, max_event);
    int rc = 0;
    for (size_t i = 0; i < len && rc == 0; i++)
        rc = llmops__sse_feed(&p, in + i, 1, collect, out);
    if (rc == 0)
        rc = llmops__sse_finish(&p, collect, out);
    llmops__sse_free(&p);
    return rc;
}

static void expect(const evlist *l, size_t i, const char *event, const char *data, const char *id)
{
    cr_assert_lt(i, l->n, "event %zu missing (have %zu)", i, l->n);
    const ev *e = &l->v[i];
    cr_assert(e->elen == strlen(event) && memcmp(e->event, event, e->elen) == 0,
              "event %zu name '%s', want '%s'", i, e->event, event);
    cr_assert(e->dlen == strlen(data) && memcmp(e->data, data, e->dlen) == 0,
              "event %zu data '%s', want '%s'", i, e->data, data);
    cr_assert(e->idlen == strlen(id) && memcmp(e->id, id, e->idlen) == 0,
              "event %zu id '%s', want '%s'", i, e->id, id);
}

/* Parses whole and checks every single split and every byte-at-a-time feed
 * give the same events and result; small inputs also every pair of splits. */
static int parse_checked(const char *in, size_t len, size_t max_event, evlist *out)
{
    int rc = run_whole(in, len, max_event, out);
    evlist b = { 0 };
    cr_assert_eq(run_bytewise(in, len, max_event, &b), rc, "bytewise result differs");
    assert_same(out, &b, "bytewise");
    evlist_free(&b);
    for (size_t k = 0; k <= len; k++) {
        evlist s = { 0 };
        cr_assert_eq(run_cuts(in, len, &k, 1, max_event, &s), rc, "split at %zu: result", k);
        assert_same(out, &s, "split");
        evlist_free(&s);
    }
    if (len <= 160) {
        for (size_t i = 0; i <= len; i++) {
            for (size_t j = i; j <= len; j++) {
                size_t cuts[2] = { i, j };
                evlist s = { 0 };
                cr_assert_eq(run_cuts(in, len, cuts, 2, max_event, &s), rc,
                             "splits at %zu,%zu: result", i, j);
                assert_same(out, &s, "two splits");
                evlist_free(&s);
            }
        }
    }
    return rc;
}

static int parse_str(const char *in, evlist *out)
{
    return parse_checked(in, strlen(in), 0, out);
}

/* ---- WHATWG examples -------------------------------------------------------- */

Test(sse, spec_example_multiline_data)
{
    evlist l = { 0 };
    cr_assert_eq(parse_str("data: YHOO\ndata: +2\ndata: 10\n\n", &l), 0);
    cr_assert_eq(l.n, 1);
    expect(&l, 0, "", "YHOO\n+2\n10", "");
    evlist_free(&l);
}

Test(sse, spec_example_ids_and_comments)
{
    const char *s = ": test stream\n"
                    "\n"
                    "data: first event\n"
                    "id: 1\n"
                    "\n"
                    "data:second event\n"
                    "id\n"
                    "\n"
                    "data:  third event\n"
                    "\n";
    evlist l = { 0 };
    cr_assert_eq(parse_str(s, &l), 0);
    cr_assert_eq(l.n, 3);
    expect(&l, 0, "", "first event", "1");
    expect(&l, 1, "", "second event", "");   /* "id" without a value resets it */
    expect(&l, 2, "", " third event", "");   /* only one leading space is removed */
    evlist_free(&l);
}

Test(sse, spec_example_last_event_needs_a_blank_line)
{
    evlist l = { 0 };
    cr_assert_eq(parse_str("data: first event\nid: 1\n\ndata:  third event", &l), 0);
    cr_assert_eq(l.n, 1);
    expect(&l, 0, "", "first event", "1");
    evlist_free(&l);
    /* a terminated line but no blank line: still not dispatched */
    cr_assert_eq(parse_str("data: x\n\ndata: y\n", &l), 0);
    cr_assert_eq(l.n, 1);
    expect(&l, 0, "", "x", "");
    evlist_free(&l);
}

Test(sse, spec_example_empty_data)
{
    /* first block: data ""; middle: a single "\n"; last: discarded */
    evlist l = { 0 };
    cr_assert_eq(parse_str("data\n\ndata\ndata\n\ndata:", &l), 0);
    cr_assert_eq(l.n, 2);
    expect(&l, 0, "", "", "");
    expect(&l, 1, "", "\n", "");
    evlist_free(&l);
}

Test(sse, spec_example_space_after_colon_is_optional)
{
    evlist l = { 0 };
    cr_assert_eq(parse_str("data:test\n\ndata: test\n\n", &l), 0);
    cr_assert_eq(l.n, 2);
    expect(&l, 0, "", "test", "");
    expect(&l, 1, "", "test", "");
    evlist_free(&l);
}

/* ---- field rules ------------------------------------------------------------- */

Test(sse, event_names)
{
    evlist l = { 0 };
    const char *s = "event: message_start\ndata: {\"a\":1}\n\n"
                    "data: plain\n\n"
                    "event:ping\ndata: {}\n\n"
                    "event: second\nevent: third\ndata: x\n\n";
    cr_assert_eq(parse_str(s, &l), 0);
    cr_assert_eq(l.n, 4);
    expect(&l, 0, "message_start", "{\"a\":1}", "");
    expect(&l, 1, "", "plain", "");   /* the name does not carry over */
    expect(&l, 2, "ping", "{}", "");
    expect(&l, 3, "third", "x", "");  /* last one wins */
    evlist_free(&l);
}

Test(sse, event_without_data_is_not_dispatched_and_resets_name)
{
    evlist l = { 0 };
    cr_assert_eq(parse_str("event: lonely\n\ndata: after\n\n", &l), 0);
    cr_assert_eq(l.n, 1);
    expect(&l, 0, "", "after", "");
    evlist_free(&l);
    cr_assert_eq(parse_str("event: a\nid: 7\nretry: 10\n\n\n\n", &l), 0);
    cr_assert_eq(l.n, 0);
    evlist_free(&l);
}

Test(sse, field_without_colon_has_empty_value)
{
    evlist l = { 0 };
    cr_assert_eq(parse_str("event\ndata\n\nevent: x\nevent\ndata: d\n\n", &l), 0);
    cr_assert_eq(l.n, 2);
    expect(&l, 0, "", "", "");
    expect(&l, 1, "", "d", "");
    evlist_free(&l);
}

Test(sse, only_one_space_is_removed_and_colons_in_values_stay)
{
    evlist l = { 0 };
    cr_assert_eq(parse_str("data:   three\ndata:\tx\ndata: a:b: c\n\n", &l), 0);
    cr_assert_eq(l.n, 1);
    expect(&l, 0, "", "  three\n\tx\na:b: c", "");
    evlist_free(&l);
}

Test(sse, unknown_and_miscased_fields_are_ignored)
{
    evlist l = { 0 };
    cr_assert_eq(parse_str("Data: no\nDATA: no\ndatas: no\nfoo: bar\n data: no\ndata: yes\n\n",
                           &l),
                 0);
    cr_assert_eq(l.n, 1);
    expect(&l, 0, "", "yes", "");
    evlist_free(&l);
}

Test(sse, comments)
{
    evlist l = { 0 };
    cr_assert_eq(parse_str(":\n: keep-alive\n:data: no\ndata: a\n: inside\ndata: b\n\n", &l), 0);
    cr_assert_eq(l.n, 1);
    expect(&l, 0, "", "a\nb", "");
    evlist_free(&l);
    /* a comment line does not end an event */
    cr_assert_eq(parse_str("data: a\n: x\n\n", &l), 0);
    cr_assert_eq(l.n, 1);
    evlist_free(&l);
}

Test(sse, ids_persist_and_nul_ids_are_ignored)
{
    const char s[] = "id: 1\ndata: a\n\n"
                     "data: b\n\n"
                     "id: 2\0x\ndata: c\n\n"
                     "id:\ndata: d\n\n"
                     "id: 3\n\ndata: e\n\n";
    evlist l = { 0 };
    cr_assert_eq(parse_checked(s, sizeof s - 1, 0, &l), 0);
    cr_assert_eq(l.n, 5);
    expect(&l, 0, "", "a", "1");
    expect(&l, 1, "", "b", "1");   /* the last event id carries over */
    expect(&l, 2, "", "c", "1");   /* an id with NUL is ignored */
    expect(&l, 3, "", "d", "");
    expect(&l, 4, "", "e", "3");   /* set by a block that dispatched nothing */
    evlist_free(&l);
}

Test(sse, nul_bytes_in_data_are_kept)
{
    const char s[] = "data: a\0b\n\n";
    evlist l = { 0 };
    cr_assert_eq(parse_checked(s, sizeof s - 1, 0, &l), 0);
    cr_assert_eq(l.n, 1);
    cr_assert_eq(l.v[0].dlen, 3);
    cr_assert(memcmp(l.v[0].data, "a\0b", 3) == 0);
    evlist_free(&l);
}

static int64_t retry_of(const char *s)
{
    llmops__sse p;
    llmops__sse_init(&p, 0);
    evlist l = { 0 };
    cr_assert_eq(llmops__sse_feed(&p, s, strlen(s), collect, &l), 0);
    int64_t r = p.retry_ms;
    llmops__sse_free(&p);
    evlist_free(&l);
    return r;
}

Test(sse, retry_takes_only_ascii_digits)
{
    cr_assert_eq(retry_of("data: x\n\n"), -1);
    cr_assert_eq(retry_of("retry: 3000\n"), 3000);
    cr_assert_eq(retry_of("retry:0\n"), 0);
    cr_assert_eq(retry_of("retry: 100\nretry: 2x\n"), 100);
    cr_assert_eq(retry_of("retry: 100\nretry: -5\n"), 100);
    cr_assert_eq(retry_of("retry: 100\nretry: 1.5\n"), 100);
    cr_assert_eq(retry_of("retry: 100\nretry:  5\n"), 100);   /* second space stays */
    cr_assert_eq(retry_of("retry: 100\nretry:\n"), 100);
    cr_assert_eq(retry_of("retry: 100\nretry\n"), 100);
    cr_assert_eq(retry_of("retry: 99999999999999999999999\n"), INT64_MAX);
    /* retry does not make an event */
    evlist l = { 0 };
    cr_assert_eq(parse_str("retry: 5\n\n", &l), 0);
    cr_assert_eq(l.n, 0);
    evlist_free(&l);
}

/* ---- line ends and BOM ------------------------------------------------------- */

Test(sse, cr_lf_and_crlf_line_ends)
{
    const char *forms[] = {
        "event: e\ndata: a\ndata: b\n\ndata: c\n\n",
        "event: e\rdata: a\rdata: b\r\rdata: c\r\r",
        "event: e\r\ndata: a\r\ndata: b\r\n\r\ndata: c\r\n\r\n",
        "event: e\r\ndata: a\rdata: b\n\r\ndata: c\r\r\n",
    };
    for (size_t i = 0; i < 4; i++) {
        evlist l = { 0 };
        cr_assert_eq(parse_str(forms[i], &l), 0);
        cr_assert_eq(l.n, 2, "form %zu", i);
        expect(&l, 0, "e", "a\nb", "");
        expect(&l, 1, "", "c", "");
        evlist_free(&l);
    }
}

Test(sse, lf_cr_is_two_line_ends)
{
    /* "\n\r" ends a line and then an empty one: the event fires */
    evlist l = { 0 };
    cr_assert_eq(parse_str("data: a\n\rdata: b\r\n\n", &l), 0);
    cr_assert_eq(l.n, 2);
    expect(&l, 0, "", "a", "");
    expect(&l, 1, "", "b", "");
    evlist_free(&l);
}

Test(sse, crlf_split_across_feeds)
{
    llmops__sse p;
    llmops__sse_init(&p, 0);
    evlist l = { 0 };
    cr_assert_eq(llmops__sse_feed(&p, "data: a\r", 8, collect, &l), 0);
    cr_assert(p.after_cr);
    /* the LF completes the CRLF (no blank line); the CR then ends an
     * empty line, which dispatches */
    cr_assert_eq(llmops__sse_feed(&p, "\n", 1, collect, &l), 0);
    cr_assert_eq(l.n, 0, "the LF after the split CR must not count as a blank line");
    cr_assert_eq(llmops__sse_feed(&p, "\r", 1, collect, &l), 0);
    cr_assert_eq(l.n, 1);
    expect(&l, 0, "", "a", "");
    /* and its LF is swallowed, not taken as another blank line */
    cr_assert_eq(llmops__sse_feed(&p, "\ndata: z\n", 9, collect, &l), 0);
    cr_assert_eq(l.n, 1);
    cr_assert_eq(llmops__sse_feed(&p, "\n", 1, collect, &l), 0);
    cr_assert_eq(l.n, 2);
    expect(&l, 1, "", "z", "");
    /* an empty feed between CR and LF keeps the pending CR */
    cr_assert_eq(llmops__sse_feed(&p, "data: b\r", 8, collect, &l), 0);
    cr_assert_eq(llmops__sse_feed(&p, "", 0, collect, &l), 0);
    cr_assert_eq(llmops__sse_feed(&p, "\n", 1, collect, &l), 0);
    cr_assert_eq(l.n, 2);
    cr_assert_eq(llmops__sse_feed(&p, "\r\n", 2, collect, &l), 0);
    cr_assert_eq(l.n, 3);
    expect(&l, 2, "", "b", "");
    llmops__sse_free(&p);
    evlist_free(&l);
}

Test(sse, leading_bom_is_stripped_once)
{
    evlist l = { 0 };
    cr_assert_eq(parse_str("\xEF\xBB\xBF" "data: a\n\n", &l), 0);
    cr_assert_eq(l.n, 1);
    expect(&l, 0, "", "a", "");
    evlist_free(&l);
    /* a second BOM is part of the first field name, so "data" is unknown */
    cr_assert_eq(parse_str("\xEF\xBB\xBF\xEF\xBB\xBF" "data: a\n\ndata: b\n\n", &l), 0);
    cr_assert_eq(l.n, 1);
    expect(&l, 0, "", "b", "");
    evlist_free(&l);
    /* a BOM later in the stream is content */
    cr_assert_eq(parse_str("data: a\n\n\xEF\xBB\xBF" "data: b\n\ndata: \xEF\xBB\xBF\n\n", &l), 0);
    cr_assert_eq(l.n, 2);
    expect(&l, 0, "", "a", "");
    expect(&l, 1, "", "\xEF\xBB\xBF", "");
    evlist_free(&l);
}

Test(sse, partial_bom_prefix_is_content)
{
    evlist l = { 0 };
    /* "\xEF\xBB" + "data" is an unknown field; the next event still works */
    cr_assert_eq(parse_str("\xEF\xBB" "data: a\n\ndata: b\n\n", &l), 0);
    cr_assert_eq(l.n, 1);
    expect(&l, 0, "", "b", "");
    evlist_free(&l);
    cr_assert_eq(parse_str("\xEF", &l), 0);
    cr_assert_eq(l.n, 0);
    cr_assert_eq(parse_str("\xEF\n", &l), 0);
    cr_assert_eq(l.n, 0);
    cr_assert_eq(parse_str("\xEF\xBB\xBF", &l), 0);
    cr_assert_eq(l.n, 0);
    cr_assert_eq(parse_str("", &l), 0);
    cr_assert_eq(l.n, 0);
    evlist_free(&l);
}

/* ---- read boundaries --------------------------------------------------------- */

Test(sse, multi_event_stream_is_split_independent)
{
    /* parse_checked compares whole vs every split vs every two splits */
    const char *s = "\xEF\xBB\xBF: hi\r\n"
                    "event: a\r\ndata: 1\r\ndata:2\r\n\r\n"
                    "id: 9\rdata: x\r\r"
                    "retry: 7\ndata\n\n"
                    "event: z\n: c\ndata: {\"k\": \"v\\n\"}\n\n";
    evlist l = { 0 };
    cr_assert_eq(parse_str(s, &l), 0);
    cr_assert_eq(l.n, 4);
    expect(&l, 0, "a", "1\n2", "");
    expect(&l, 1, "", "x", "9");
    expect(&l, 2, "", "", "9");
    expect(&l, 3, "z", "{\"k\": \"v\\n\"}", "9");
    evlist_free(&l);
}

Test(sse, event_built_across_many_feeds_is_copied_correctly)
{
    /* the first data line arrives in one read, the rest in later ones */
    llmops__sse p;
    llmops__sse_init(&p, 0);
    evlist l = { 0 };
    const char *parts[] = { "event: big\ndata: first\n", "data: sec", "ond\n", "id: q\n",
                            "data: third\n\n" };
    for (size_t i = 0; i < 5; i++)
        cr_assert_eq(llmops__sse_feed(&p, parts[i], strlen(parts[i]), collect, &l), 0);
    cr_assert_eq(l.n, 1);
    expect(&l, 0, "big", "first\nsecond\nthird", "q");
    llmops__sse_free(&p);
    evlist_free(&l);
}

Test(sse, long_lines_across_reads)
{
    size_t n = 200000;
    char *s = malloc(n + 32);
    cr_assert_not_null(s);
    memcpy(s, "data: ", 6);
    for (size_t i = 0; i < n; i++)
        s[6 + i] = (char)('a' + i % 26);
    memcpy(s + 6 + n, "\n\n", 2);
    size_t len = 6 + n + 2;
    llmops__sse p;
    llmops__sse_init(&p, 0);
    evlist l = { 0 };
    for (size_t pos = 0; pos < len; pos += 4093) {
        size_t k = len - pos < 4093 ? len - pos : 4093;
        cr_assert_eq(llmops__sse_feed(&p, s + pos, k, collect, &l), 0);
    }
    cr_assert_eq(l.n, 1);
    cr_assert_eq(l.v[0].dlen, n);
    cr_assert(memcmp(l.v[0].data, s + 6, n) == 0);
    llmops__sse_free(&p);
    evlist_free(&l);
    free(s);
}

/* ---- limits, stop, finish ------------------------------------------------------ */

Test(sse, max_event_limits_line_plus_pending_data)
{
    const char *s = "data: 0123456789\n\n";   /* line 16 bytes */
    evlist l = { 0 };
    cr_assert_eq(parse_checked(s, strlen(s), 16, &l), 0);
    cr_assert_eq(l.n, 1);
    evlist_free(&l);
    cr_assert_eq(parse_checked(s, strlen(s), 15, &l), LLMOPS__SSE_LIMIT);
    cr_assert_eq(l.n, 0);
    evlist_free(&l);
    /* two data lines: the second line (7) plus pending "abcde\n" (6) */
    const char *m = "data: abcde\ndata: x\n\n";
    cr_assert_eq(parse_checked(m, strlen(m), 13, &l), 0);
    cr_assert_eq(l.n, 1);
    evlist_free(&l);
    cr_assert_eq(parse_checked(m, strlen(m), 12, &l), LLMOPS__SSE_LIMIT);
    evlist_free(&l);
    /* events before the oversized one are delivered; pending data resets
     * with each dispatch, so many small events never add up */
    const char *k = "data: a\n\ndata: b\n\ndata: 0123456789abcdef\n\n";
    cr_assert_eq(parse_checked(k, strlen(k), 12, &l), LLMOPS__SSE_LIMIT);
    cr_assert_eq(l.n, 2);
    evlist_free(&l);
    /* an over-long comment or unterminated line is caught too */
    cr_assert_eq(parse_str(": 0123456789", &l), 0);
    evlist_free(&l);
    cr_assert_eq(parse_checked(": 0123456789", 12, 8, &l), LLMOPS__SSE_LIMIT);
    evlist_free(&l);
}

Test(sse, limit_is_sticky)
{
    llmops__sse p;
    llmops__sse_init(&p, 8);
    evlist l = { 0 };
    cr_assert_eq(llmops__sse_feed(&p, "data: 0123456789", 16, collect, &l), LLMOPS__SSE_LIMIT);
    cr_assert_eq(llmops__sse_feed(&p, "\n\ndata: a\n\n", 11, collect, &l), LLMOPS__SSE_LIMIT);
    cr_assert_eq(llmops__sse_finish(&p, collect, &l), LLMOPS__SSE_LIMIT);
    cr_assert_eq(l.n, 0);
    llmops__sse_free(&p);
    evlist_free(&l);
}

Test(sse, callback_stop_is_returned_and_parsing_stops)
{
    const char *s = "data: a\n\ndata: b\n\ndata: c\n\n";
    llmops__sse p;
    llmops__sse_init(&p, 0);
    evlist l = { .stop_after = 2, .stop_rc = 42 };
    cr_assert_eq(llmops__sse_feed(&p, s, strlen(s), collect, &l), 42);
    cr_assert_eq(l.n, 2);
    expect(&l, 1, "", "b", "");
    llmops__sse_free(&p);
    evlist_free(&l);
    /* stop on the event completed by the final byte of a later read */
    llmops__sse_init(&p, 0);
    evlist m = { .stop_after = 1, .stop_rc = 3 };
    cr_assert_eq(llmops__sse_feed(&p, "data: a\n", 8, collect, &m), 0);
    cr_assert_eq(llmops__sse_feed(&p, "\ndata: b\n\n", 10, collect, &m), 3);
    cr_assert_eq(m.n, 1);
    llmops__sse_free(&p);
    evlist_free(&m);
}

Test(sse, finish_processes_last_line_and_discards_open_event)
{
    llmops__sse p;
    llmops__sse_init(&p, 0);
    evlist l = { 0 };
    cr_assert_eq(llmops__sse_feed(&p, "data: a\n\ndata: open\nid: 5", 25, collect, &l), 0);
    cr_assert_eq(llmops__sse_finish(&p, collect, &l), 0);
    cr_assert_eq(l.n, 1);
    /* the unterminated "id: 5" line was processed */
    cr_assert_eq(p.id.len, 1);
    cr_assert_eq(p.id.data[0], '5');
    cr_assert_eq(p.has_data, 0);
    cr_assert_eq(p.data.len, 0);
    cr_assert_eq(p.line.len, 0);
    llmops__sse_free(&p);
    evlist_free(&l);
    /* finish with nothing pending, twice */
    llmops__sse_init(&p, 0);
    cr_assert_eq(llmops__sse_finish(&p, collect, &l), 0);
    cr_assert_eq(llmops__sse_finish(&p, collect, &l), 0);
    cr_assert_eq(l.n, 0);
    llmops__sse_free(&p);
    evlist_free(&l);
}

Test(sse, init_state)
{
    llmops__sse p;
    memset(&p, 0x5a, sizeof p);
    llmops__sse_init(&p, 77);
    cr_assert_eq(p.retry_ms, -1);
    cr_assert_eq(p.max_event, 77);
    cr_assert_eq(p.started, 0);
    cr_assert_eq(p.after_cr, 0);
    cr_assert_null(p.data.data);
    llmops__sse_free(&p);
}

/* ---- allocation failure --------------------------------------------------------- */

static long budget = -1;
static long live;

static int take(void)
{
    if (budget == 0)
        return 0;
    if (budget > 0)
        budget--;
    return 1;
}

static void *f_alloc(size_t n, void *ctx)
{
    (void)ctx;
    if (!take())
        return NULL;
    void *p = malloc(n ? n : 1);
    live += p != NULL;
    return p;
}

static void *f_realloc(void *p, size_t n, void *ctx)
{
    (void)ctx;
    if (!take())
        return NULL;
    void *q = realloc(p, n ? n : 1);
    if (q && !p)
        live++;
    return q;
}

static void f_free(void *p, void *ctx)
{
    (void)ctx;
    if (p)
        live--;
    free(p);
}

Test(sse, allocation_failure_reports_nomem_without_leaks)
{
    llmops_allocator a = { LLMOPS_ALLOCATOR_VERSION, f_alloc, f_realloc, f_free, NULL };
    cr_assert_eq(llmops_set_allocator(&a), LLMOPS_OK);
    /* every piece spans reads, so every buffer has to allocate */
    const char *parts[] = { "event: na", "me\nid: 4", "2\ndata: one\n", "data: tw", "o\n\n" };
    int saw_nomem = 0, saw_ok = 0;
    for (long fail_at = 0; fail_at < 64 && !saw_ok; fail_at++) {
        budget = fail_at;
        live = 0;
        llmops__sse p;
        llmops__sse_init(&p, 0);
        evlist l = { 0 };
        int rc = 0;
        for (size_t i = 0; i < 5 && rc == 0; i++)
            rc = llmops__sse_feed(&p, parts[i], strlen(parts[i]), collect, &l);
        if (rc == 0) {
            saw_ok = 1;
            cr_assert_eq(l.n, 1);
            expect(&l, 0, "name", "one\ntwo", "42");
        } else {
            cr_assert_eq(rc, LLMOPS__SSE_NOMEM, "fail_at %ld: rc %d", fail_at, rc);
            cr_assert_eq(l.n, 0);
            saw_nomem = 1;
            /* the failure is sticky */
            cr_assert_eq(llmops__sse_feed(&p, "\n", 1, collect, &l), LLMOPS__SSE_NOMEM);
        }
        llmops__sse_free(&p);
        cr_assert_eq(live, 0, "fail_at %ld: %ld blocks leaked", fail_at, live);
        evlist_free(&l);
    }
    budget = -1;
    llmops_set_allocator(NULL);
    cr_assert(saw_nomem && saw_ok);
}

Test(sse, whole_events_in_one_read_do_not_allocate)
{
    llmops_allocator a = { LLMOPS_ALLOCATOR_VERSION, f_alloc, f_realloc, f_free, NULL };
    cr_assert_eq(llmops_set_allocator(&a), LLMOPS_OK);
    budget = 0;   /* any allocation fails */
    const char *s = "event: delta\ndata: {\"text\":\"hi\"}\n\n: ping\n\ndata: [DONE]\r\n\r\n";
    llmops__sse p;
    llmops__sse_init(&p, 0);
    evlist l = { 0 };
    cr_assert_eq(llmops__sse_feed(&p, s, strlen(s), collect, &l), 0);
    budget = -1;
    llmops_set_allocator(NULL);
    cr_assert_eq(l.n, 2);
    expect(&l, 0, "delta", "{\"text\":\"hi\"}", "");
    expect(&l, 1, "", "[DONE]", "");
    llmops__sse_free(&p);
    evlist_free(&l);
}

/* ---- recorded provider streams ------------------------------------------------ */

typedef struct cmp_state {
    const evlist *ref;
    size_t next;
    int mismatch;
} cmp_state;

/* Compares each event against the reference as it arrives: no copies, so
 * splitting a stream at every position stays affordable. */
static int compare_cb(const char *event, size_t elen, const char *data, size_t dlen,
                      const char *id, size_t idlen, void *ud)
{
    cmp_state *c = ud;
    ev e = { (char *)event, (char *)data, (char *)id, elen, dlen, idlen };
    if (c->next >= c->ref->n || !ev_equal(&e, &c->ref->v[c->next]))
        c->mismatch = 1;
    c->next++;
    return c->mismatch;
}

static void check_split(const char *in, size_t len, size_t k, const evlist *ref, const char *name)
{
    llmops__sse p;
    llmops__sse_init(&p, 1 << 20);
    cmp_state c = { ref, 0, 0 };
    int rc = llmops__sse_feed(&p, in, k, compare_cb, &c);
    if (rc == 0)
        rc = llmops__sse_feed(&p, in + k, len - k, compare_cb, &c);
    if (rc == 0)
        rc = llmops__sse_finish(&p, compare_cb, &c);
    llmops__sse_free(&p);
    cr_assert_eq(rc, 0, "%s split at %zu: rc %d (event %zu)", name, k, rc, c.next);
    cr_assert_eq(c.next, ref->n, "%s split at %zu: %zu events, want %zu", name, k, c.next, ref->n);
}

static void collect_sse_files(const char *dir, char ***files, size_t *n, size_t *cap)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        size_t nl = strlen(de->d_name);
        if (nl > 4 && strcmp(de->d_name + nl - 4, ".sse") == 0) {
            if (*n == *cap) {
                *cap = *cap ? *cap * 2 : 64;
                *files = realloc(*files, *cap * sizeof **files);
                cr_assert_not_null(*files);
            }
            (*files)[(*n)++] = strdup(path);
        } else {
            collect_sse_files(path, files, n, cap);   /* not a dir: opendir fails */
        }
    }
    closedir(d);
}

static int ends_with(const char *s, size_t len, const char *suffix)
{
    size_t n = strlen(suffix);
    return len >= n && memcmp(s + len - n, suffix, n) == 0;
}

static int ends_with_blank_line(const char *s, size_t len)
{
    return ends_with(s, len, "\n\n") || ends_with(s, len, "\r\r") ||
           ends_with(s, len, "\r\n\r\n") || ends_with(s, len, "\n\r\n");
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

Test(sse, recorded_provider_streams_are_split_independent, .timeout = 240)
{
    const char *dir = lt_testdata_path("providers");
    if (!dir)
        cr_skip_test("shared test data not found at %s/providers (set LLMOPS_TESTDATA)",
                     lt_testdata_dir());
    char **files = NULL;
    size_t n = 0, cap = 0;
    collect_sse_files(dir, &files, &n, &cap);
    if (n == 0)
        cr_skip_test("no .sse recordings under %s", dir);
    qsort(files, n, sizeof *files, cmp_str);
    size_t total_events = 0, json_events = 0, unterminated = 0;
    for (size_t f = 0; f < n; f++) {
        size_t len;
        char *in = lt_read_file(files[f], &len);
        cr_assert_not_null(in, "cannot read %s", files[f]);
        const char *name = strrchr(files[f], '/') + 1;

        evlist ref = { 0 };
        cr_assert_eq(run_whole(in, len, 1 << 20, &ref), 0, "%s", name);
        cr_assert_gt(ref.n, 0, "%s: no events", name);
        /* each payload is one JSON value or the [DONE] sentinel: the
         * framing neither cut nor glued events */
        for (size_t i = 0; i < ref.n; i++) {
            if (ref.v[i].dlen == 6 && memcmp(ref.v[i].data, "[DONE]", 6) == 0)
                continue;
            llmops_json_doc *doc = NULL;
            llmops_json_error err = LLMOPS_JSON_ERROR_INIT;
            cr_assert_eq(llmops_json_parse(&doc, ref.v[i].data, ref.v[i].dlen, NULL, &err),
                         LLMOPS_OK, "%s event %zu: data is not JSON (%s): %.80s", name, i,
                         err.message, ref.v[i].data);
            llmops_json_doc_free(doc);
            json_events++;
        }
        total_events += ref.n;
        if (!ends_with_blank_line(in, len))
            unterminated++;

        evlist b = { 0 };
        cr_assert_eq(run_bytewise(in, len, 1 << 20, &b), 0, "%s bytewise", name);
        assert_same(&ref, &b, name);
        evlist_free(&b);
        for (size_t k = 0; k <= len; k++)
            check_split(in, len, k, &ref, name);
        evlist_free(&ref);
        free(in);
        free(files[f]);
    }
    free(files);
    printf("sse: %zu recorded streams checked whole, bytewise and split at every byte "
           "(%zu events, %zu JSON payloads; %zu streams end without a blank line)\n",
           n, total_events, json_events, unterminated);
    fflush(stdout);
}
