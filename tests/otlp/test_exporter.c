/* The OTLP exporter end to end against the mock server on 127.0.0.1:
 * batching, flush, retries, Retry-After, a hanging or absent collector,
 * headers, drop policies and shutdown. */
#include <criterion/criterion.h>
#include <string.h>

#include "common.h"
#include "core/clock.h"
#include "core/strbuf.h"
#include "llmops.h"
#include "otlp/exporter.h"
#include "tests/mock/mock_server.h"

static lt_mock *start_mock(void)
{
    lt_mock *m = lt_mock_start();
    cr_assert_not_null(m, "mock server did not start");
    return m;
}

static llmops__otlp_options opts_for(const char *url)
{
    llmops__otlp_options o;
    memset(&o, 0, sizeof o);
    o.endpoint = url;
    o.flush_interval_ms = 60000; /* only full batches and flushes send */
    o.timeout_ms = 5000;
    o.retry_base_ms = 10;
    o.shutdown_timeout_ms = 500;
    return o;
}

static llmops__otlp *new_exporter(const llmops__otlp_options *o)
{
    llmops__otlp *x = NULL;
    llmops__buf err = LLMOPS__BUF_INIT;
    llmops_status st = llmops__otlp_new(o, &x, &err);
    cr_assert_eq(st, LLMOPS_OK, "otlp_new: %s", err.data ? err.data : "");
    llmops__buf_free(&err);
    return x;
}

static void enqueue_n(llmops__otlp *x, unsigned first, unsigned n)
{
    for (unsigned i = first; i < first + n; i++) {
        lt_span_fixture f;
        lt_span_fill(&f, i);
        llmops__otlp_enqueue(x, &f.span);
    }
}

/* The span names of recorded request i, appended to names ("chat 0,chat 1,"). */
static size_t request_spans(lt_mock *m, size_t i, llmops__buf *names)
{
    lt_mock_request r;
    cr_assert_eq(lt_mock_request_get(m, i, &r), 0, "no request %zu", i);
    cr_assert_str_eq(r.method, "POST");
    cr_assert_str_eq(r.target, "/v1/traces");
    char ct[64];
    cr_assert(lt_mock_request_header(&r, "Content-Type", ct, sizeof ct));
    cr_assert_str_eq(ct, "application/json");
    llmops_json_doc *doc = NULL;
    cr_assert_eq(llmops_json_parse(&doc, r.body, r.body_len, NULL, NULL), LLMOPS_OK,
                 "request body is not JSON: %.200s", r.body);
    const llmops_json *spans = llmops_json_get(
        llmops_json_at(llmops_json_get(llmops_json_at(llmops_json_get(llmops_json_doc_root(doc),
                                                                      "resourceSpans"), 0),
                                       "scopeSpans"), 0),
        "spans");
    size_t n = llmops_json_size(spans);
    for (size_t k = 0; names && k < n; k++) {
        llmops__buf_puts(names, llmops_json_string(llmops_json_get(llmops_json_at(spans, k),
                                                                   "name"), NULL));
        llmops__buf_putc(names, ',');
    }
    llmops_json_doc_free(doc);
    lt_mock_request_free(&r);
    return n;
}

static uint64_t ms_since(uint64_t t0)
{
    return (llmops__mono_ns() - t0) / 1000000u;
}

Test(otlp, exports_queued_spans_on_flush)
{
    lt_mock *m = start_mock();
    lt_mock_push_simple(m, 200, NULL, "{}");
    llmops__otlp_options o = opts_for(lt_mock_url(m));
    llmops__otlp *x = new_exporter(&o);
    enqueue_n(x, 0, 5);
    cr_assert_eq(llmops__otlp_flush(x, 10000), LLMOPS_OK);
    cr_assert_eq(lt_mock_request_count(m), 1);
    llmops__buf names = LLMOPS__BUF_INIT;
    cr_assert_eq(request_spans(m, 0, &names), 5);
    cr_assert_str_eq(names.data, "chat 0,chat 1,chat 2,chat 3,chat 4,");
    llmops__otlp_stats st;
    llmops__otlp_stats_get(x, &st);
    cr_assert_eq(st.enqueued, 5);
    cr_assert_eq(st.exported, 5);
    cr_assert_eq(st.batches_ok, 1);
    cr_assert_eq(st.batches_failed, 0);
    cr_assert_eq(st.queued, 0);
    /* An empty queue flushes at once and sends nothing. */
    cr_assert_eq(llmops__otlp_flush(x, 10000), LLMOPS_OK);
    cr_assert_eq(lt_mock_request_count(m), 1);
    llmops__buf_free(&names);
    llmops__otlp_free(x);
    lt_mock_stop(m);
}

Test(otlp, batches_of_max_batch)
{
    lt_mock *m = start_mock();
    for (int i = 0; i < 3; i++)
        lt_mock_push_simple(m, 200, NULL, "{}");
    llmops__otlp_options o = opts_for(lt_mock_url(m));
    o.max_batch = 4;
    llmops__otlp *x = new_exporter(&o);
    enqueue_n(x, 0, 10);
    cr_assert_eq(llmops__otlp_flush(x, 10000), LLMOPS_OK);
    cr_assert_eq(lt_mock_request_count(m), 3, "10 spans in batches of 4: 3 requests");
    llmops__buf names = LLMOPS__BUF_INIT;
    size_t total = 0;
    for (size_t i = 0; i < 3; i++) {
        size_t n = request_spans(m, i, &names);
        cr_assert(n >= 1 && n <= 4, "request %zu holds %zu spans", i, n);
        total += n;
    }
    cr_assert_eq(total, 10);
    cr_assert_str_eq(names.data, "chat 0,chat 1,chat 2,chat 3,chat 4,chat 5,chat 6,chat 7,"
                                 "chat 8,chat 9,");
    llmops__buf_free(&names);
    llmops__otlp_free(x);
    lt_mock_stop(m);
}

Test(otlp, flush_interval_sends_without_flush)
{
    lt_mock *m = start_mock();
    lt_mock_push_simple(m, 200, NULL, "{}");
    llmops__otlp_options o = opts_for(lt_mock_url(m));
    o.flush_interval_ms = 50;
    llmops__otlp *x = new_exporter(&o);
    /* Let the thread go idle first: the span must wake it. */
    llmops__sleep_ns(200000000u);
    enqueue_n(x, 0, 1);
    cr_assert_eq(lt_mock_wait_requests(m, 1, 10000), 0, "the interval never sent the span");
    cr_assert_eq(request_spans(m, 0, NULL), 1);
    /* And again after an export, once the queue ran empty. */
    llmops__sleep_ns(200000000u);
    lt_mock_push_simple(m, 200, NULL, "{}");
    enqueue_n(x, 1, 1);
    cr_assert_eq(lt_mock_wait_requests(m, 2, 10000), 0, "the second span was never sent");
    llmops__otlp_free(x);
    lt_mock_stop(m);
}

Test(otlp, retries_503_then_succeeds)
{
    lt_mock *m = start_mock();
    lt_mock_push_simple(m, 503, NULL, "{}");
    lt_mock_push_simple(m, 502, NULL, "{}");
    lt_mock_push_simple(m, 200, NULL, "{}");
    llmops__otlp_options o = opts_for(lt_mock_url(m));
    o.max_retries = 3;
    llmops__otlp *x = new_exporter(&o);
    enqueue_n(x, 0, 2);
    cr_assert_eq(llmops__otlp_flush(x, 10000), LLMOPS_OK);
    cr_assert_eq(lt_mock_request_count(m), 3);
    cr_assert_eq(request_spans(m, 2, NULL), 2, "the retry sends the same batch");
    llmops__otlp_stats st;
    llmops__otlp_stats_get(x, &st);
    cr_assert_eq(st.retries, 2);
    cr_assert_eq(st.batches_ok, 1);
    cr_assert_eq(st.exported, 2);
    cr_assert_eq(st.batches_failed, 0);
    llmops__otlp_free(x);
    lt_mock_stop(m);
}

Test(otlp, honours_retry_after_on_429)
{
    lt_mock *m = start_mock();
    lt_mock_push_simple(m, 429, "Retry-After: 1", "{}");
    lt_mock_push_simple(m, 200, NULL, "{}");
    llmops__otlp_options o = opts_for(lt_mock_url(m));
    o.max_retries = 2;
    llmops__otlp *x = new_exporter(&o);
    enqueue_n(x, 0, 1);
    uint64_t t0 = llmops__mono_ns();
    cr_assert_eq(llmops__otlp_flush(x, 10000), LLMOPS_OK);
    uint64_t took = ms_since(t0);
    /* The backoff alone would be ~10 ms; Retry-After asks for a second. */
    cr_assert(took >= 900, "retried after %llu ms, before Retry-After", (unsigned long long)took);
    cr_assert_eq(lt_mock_request_count(m), 2);
    llmops__otlp_stats st;
    llmops__otlp_stats_get(x, &st);
    cr_assert_eq(st.exported, 1);
    llmops__otlp_free(x);
    lt_mock_stop(m);
}

Test(otlp, shutdown_cuts_a_long_retry_after)
{
    lt_mock *m = start_mock();
    lt_mock_push_simple(m, 503, "Retry-After: 3600", "{}");
    llmops__otlp_options o = opts_for(lt_mock_url(m));
    o.max_retries = 3;
    o.retry_max_ms = 60000; /* the hour is capped to a minute, still far too long */
    o.shutdown_timeout_ms = 300;
    llmops__otlp *x = new_exporter(&o);
    enqueue_n(x, 0, 2);
    cr_assert_eq(llmops__otlp_flush(x, 300), LLMOPS_E_TIMEOUT, "the batch waits for its retry");
    cr_assert_eq(lt_mock_request_count(m), 1);
    uint64_t t0 = llmops__mono_ns();
    llmops__otlp_shutdown(x);
    uint64_t took = ms_since(t0);
    cr_assert(took < 3000, "shutdown waited %llu ms in a backoff", (unsigned long long)took);
    llmops__otlp_stats st;
    llmops__otlp_stats_get(x, &st);
    cr_assert_eq(st.batches_failed, 1);
    cr_assert_eq(st.dropped_failed, 2);
    cr_assert_eq(lt_mock_request_count(m), 1, "no retry before the Retry-After delay");
    llmops__otlp_free(x);
    lt_mock_stop(m);
}

Test(otlp, http_date_retry_after)
{
    lt_mock *m = start_mock();
    lt_mock_push_retry_after_date(m, 2);
    lt_mock_push_simple(m, 200, NULL, "{}");
    llmops__otlp_options o = opts_for(lt_mock_url(m));
    o.max_retries = 1;
    llmops__otlp *x = new_exporter(&o);
    enqueue_n(x, 0, 1);
    uint64_t t0 = llmops__mono_ns();
    cr_assert_eq(llmops__otlp_flush(x, 10000), LLMOPS_OK);
    /* A date in whole seconds: at least one second of the two remains. */
    cr_assert(ms_since(t0) >= 900, "an HTTP-date Retry-After was ignored");
    cr_assert_eq(lt_mock_request_count(m), 2);
    llmops__otlp_free(x);
    lt_mock_stop(m);
}

Test(otlp, non_retryable_status_fails_the_batch_once)
{
    lt_mock *m = start_mock();
    lt_mock_push_simple(m, 400, NULL, "{\"message\":\"bad\"}");
    llmops__otlp_options o = opts_for(lt_mock_url(m));
    o.max_retries = 5;
    llmops__otlp *x = new_exporter(&o);
    enqueue_n(x, 0, 3);
    cr_assert_eq(llmops__otlp_flush(x, 10000), LLMOPS_OK);
    cr_assert_eq(lt_mock_request_count(m), 1, "400 must not be retried");
    llmops__otlp_stats st;
    llmops__otlp_stats_get(x, &st);
    cr_assert_eq(st.batches_failed, 1);
    cr_assert_eq(st.dropped_failed, 3);
    cr_assert_eq(st.exported, 0);
    char e[256];
    llmops__otlp_last_error(x, e, sizeof e);
    cr_assert(strstr(e, "HTTP 400") && strstr(e, "/v1/traces"), "error: %s", e);
    llmops__otlp_free(x);
    lt_mock_stop(m);
}

Test(otlp, partial_success_counts_rejected_spans)
{
    lt_mock *m = start_mock();
    lt_mock_push_simple(m, 200, NULL,
                        "{\"partialSuccess\":{\"rejectedSpans\":\"2\","
                        "\"errorMessage\":\"spans too old\"}}");
    lt_mock_push_simple(m, 200, NULL, "{\"partialSuccess\":{}}");
    llmops__otlp_options o = opts_for(lt_mock_url(m));
    llmops__otlp *x = new_exporter(&o);
    enqueue_n(x, 0, 5);
    cr_assert_eq(llmops__otlp_flush(x, 10000), LLMOPS_OK);
    llmops__otlp_stats st;
    llmops__otlp_stats_get(x, &st);
    cr_assert_eq(st.batches_ok, 1);
    cr_assert_eq(st.exported, 3);
    cr_assert_eq(st.dropped_rejected, 2);
    char e[256];
    llmops__otlp_last_error(x, e, sizeof e);
    cr_assert(strstr(e, "rejected 2") && strstr(e, "spans too old"), "error: %s", e);
    /* An empty partialSuccess means everything was accepted. */
    enqueue_n(x, 5, 2);
    cr_assert_eq(llmops__otlp_flush(x, 10000), LLMOPS_OK);
    llmops__otlp_stats_get(x, &st);
    cr_assert_eq(st.exported, 5);
    cr_assert_eq(st.dropped_rejected, 2);
    llmops__otlp_free(x);
    lt_mock_stop(m);
}

Test(otlp, collector_down_counts_failures)
{
    lt_mock *m = start_mock();
    char url[64];
    snprintf(url, sizeof url, "%s", lt_mock_url(m));
    lt_mock_stop(m); /* nothing listens there now: connection refused */
    llmops__otlp_options o = opts_for(url);
    o.max_retries = 2;
    llmops__otlp *x = new_exporter(&o);
    enqueue_n(x, 0, 3);
    cr_assert_eq(llmops__otlp_flush(x, 10000), LLMOPS_OK);
    llmops__otlp_stats st;
    llmops__otlp_stats_get(x, &st);
    cr_assert_eq(st.batches_failed, 1);
    cr_assert_eq(st.retries, 2);
    cr_assert_eq(st.dropped_failed, 3);
    char e[256];
    llmops__otlp_last_error(x, e, sizeof e);
    cr_assert(strstr(e, "127.0.0.1") != NULL, "error: %s", e);
    /* Still usable: later spans are queued and tried again. */
    enqueue_n(x, 3, 1);
    cr_assert_eq(llmops__otlp_flush(x, 10000), LLMOPS_OK);
    llmops__otlp_stats_get(x, &st);
    cr_assert_eq(st.batches_failed, 2);
    llmops__otlp_free(x);
}

Test(otlp, sends_headers_and_never_shows_them)
{
    lt_mock *m = start_mock();
    lt_mock_push_simple(m, 200, NULL, "{}");
    lt_mock_push_simple(m, 401, NULL, "{\"error\":\"Bearer sk-secret-123 refused\"}");
    char url[128];
    snprintf(url, sizeof url, "http://otel:hunter2@%s", lt_mock_url(m) + strlen("http://"));
    const char *headers[] = {"Authorization: Bearer sk-secret-123", "X-Scope-OrgID: team1"};
    llmops__otlp_options o = opts_for(url);
    o.headers = headers;
    o.nheaders = 2;
    llmops__otlp *x = new_exporter(&o);
    enqueue_n(x, 0, 1);
    cr_assert_eq(llmops__otlp_flush(x, 10000), LLMOPS_OK);
    lt_mock_request r;
    cr_assert_eq(lt_mock_request_get(m, 0, &r), 0);
    char v[128];
    cr_assert(lt_mock_request_header(&r, "Authorization", v, sizeof v));
    cr_assert_str_eq(v, "Bearer sk-secret-123");
    cr_assert(lt_mock_request_header(&r, "X-Scope-OrgID", v, sizeof v));
    cr_assert_str_eq(v, "team1");
    lt_mock_request_free(&r);

    enqueue_n(x, 1, 1);
    cr_assert_eq(llmops__otlp_flush(x, 10000), LLMOPS_OK);
    char e[256];
    llmops__otlp_last_error(x, e, sizeof e);
    cr_assert(strstr(e, "HTTP 401") != NULL, "error: %s", e);
    cr_assert_null(strstr(e, "sk-secret"), "a header leaked into: %s", e);
    cr_assert_null(strstr(e, "hunter2"), "the URL password leaked into: %s", e);
    llmops__otlp_free(x);
    lt_mock_stop(m);

    /* A malformed header is refused without quoting it. */
    const char *bad[] = {"Authorization: Bearer sk-secret-123\r\nX-Evil: 1"};
    o.headers = bad;
    o.nheaders = 1;
    llmops__otlp *y = NULL;
    llmops__buf err = LLMOPS__BUF_INIT;
    cr_assert_eq(llmops__otlp_new(&o, &y, &err), LLMOPS_E_INVALID_ARGUMENT);
    cr_assert_null(y);
    cr_assert(err.data && strstr(err.data, "headers"), "err: %s", err.data);
    cr_assert_null(strstr(err.data, "sk-secret"));
    llmops__buf_free(&err);
}

Test(otlp, rejects_bad_options)
{
    llmops__otlp *x = NULL;
    llmops__buf err = LLMOPS__BUF_INIT;
    llmops__otlp_options o;
    memset(&o, 0, sizeof o);
    cr_assert_eq(llmops__otlp_new(&o, &x, &err), LLMOPS_E_INVALID_ARGUMENT);
    cr_assert(strstr(err.data, "endpoint"), "err: %s", err.data);
    llmops__buf_clear(&err);
    o.endpoint = "127.0.0.1:4318";
    cr_assert_eq(llmops__otlp_new(&o, &x, &err), LLMOPS_E_INVALID_ARGUMENT);
    cr_assert(strstr(err.data, "http://"), "err: %s", err.data);
    cr_assert_null(x);
    llmops__buf_free(&err);
}

/* The queue keeps the first or the last spans offered while the thread is
 * stuck on a hung request (the request times out after 1 s; the queue is
 * filled within microseconds of it starting). */
static void check_policy(llmops__otlp_drop_policy p, const char *want)
{
    lt_mock *m = start_mock();
    lt_mock_response hang;
    memset(&hang, 0, sizeof hang);
    hang.fault = LT_MOCK_FAULT_SILENT;
    hang.max_ms = 20000;
    lt_mock_push(m, &hang);
    lt_mock_push_simple(m, 200, NULL, "{}");
    llmops__otlp_options o = opts_for(lt_mock_url(m));
    o.queue_capacity = 4;
    o.max_batch = 100; /* clamped to the queue: a full queue sends */
    o.timeout_ms = 1000;
    o.drop_policy = p;
    llmops__otlp *x = new_exporter(&o);
    enqueue_n(x, 0, 4);
    cr_assert_eq(lt_mock_wait_requests(m, 1, 10000), 0, "a full queue did not send");
    enqueue_n(x, 4, 10);
    llmops__otlp_stats st;
    llmops__otlp_stats_get(x, &st);
    cr_assert_eq(st.dropped_full, 6);
    cr_assert_eq(st.queued, 4);
    cr_assert_eq(llmops__otlp_flush(x, 10000), LLMOPS_OK);
    llmops__otlp_stats_get(x, &st);
    cr_assert_eq(st.batches_failed, 1, "the hung request timed out");
    cr_assert_eq(st.exported, 4);
    llmops__buf names = LLMOPS__BUF_INIT;
    cr_assert_eq(request_spans(m, 1, &names), 4);
    cr_assert_str_eq(names.data, want);
    llmops__buf_free(&names);
    llmops__otlp_free(x);
    lt_mock_stop(m);
}

Test(otlp, drop_newest_keeps_the_first)
{
    check_policy(LLMOPS__OTLP_DROP_NEWEST, "chat 4,chat 5,chat 6,chat 7,");
}

Test(otlp, drop_oldest_keeps_the_last)
{
    check_policy(LLMOPS__OTLP_DROP_OLDEST, "chat 10,chat 11,chat 12,chat 13,");
}

Test(otlp, hanging_collector_never_slows_enqueue)
{
    lt_mock *m = start_mock();
    lt_mock_response r;
    memset(&r, 0, sizeof r);
    r.fault = LT_MOCK_FAULT_SILENT;
    r.max_ms = 20000;
    for (int i = 0; i < 4; i++)
        lt_mock_push(m, &r);
    llmops__otlp_options o = opts_for(lt_mock_url(m));
    o.queue_capacity = 64;
    o.max_batch = 8;
    o.timeout_ms = 20000;
    o.shutdown_timeout_ms = 300;
    llmops__otlp *x = new_exporter(&o);
    enqueue_n(x, 0, 8); /* a full batch: the thread posts it and hangs */
    cr_assert_eq(lt_mock_wait_requests(m, 1, 10000), 0);

    uint64_t worst = 0, t0 = llmops__mono_ns();
    for (unsigned i = 0; i < 5000; i++) {
        uint64_t a = llmops__mono_ns();
        enqueue_n(x, 8 + i, 1);
        uint64_t d = llmops__mono_ns() - a;
        if (d > worst)
            worst = d;
    }
    uint64_t total_ms = ms_since(t0);
    /* Generous bounds (noisy machine): the hang is 20 s, enqueue must not
     * wait for any of it. */
    cr_assert(total_ms < 2000, "5000 enqueues took %llu ms", (unsigned long long)total_ms);
    cr_assert(worst < 200000000u, "one enqueue took %llu ns", (unsigned long long)worst);
    llmops__otlp_stats st;
    llmops__otlp_stats_get(x, &st);
    cr_assert_eq(st.queued, 64, "queue bounded at its capacity");
    cr_assert_eq(st.dropped_full, 5000 - 64);
    cr_assert_eq(st.enqueued, 8 + 64);
    cr_assert_eq(llmops__otlp_flush(x, 100), LLMOPS_E_TIMEOUT);

    t0 = llmops__mono_ns();
    llmops__otlp_shutdown(x);
    uint64_t shut_ms = ms_since(t0);
    cr_assert(shut_ms < 3000, "shutdown took %llu ms with a 300 ms bound",
              (unsigned long long)shut_ms);
    llmops__otlp_stats_get(x, &st);
    cr_assert_eq(st.queued, 0);
    cr_assert_eq(st.dropped_shutdown, 64, "the spans still queued at shutdown are counted");
    cr_assert_eq(st.batches_failed, 1, "the hung batch is abandoned, counted failed");
    enqueue_n(x, 0, 2);
    llmops__otlp_stats_get(x, &st);
    cr_assert_eq(st.dropped_shutdown, 66, "enqueue after shutdown is dropped and counted");
    llmops__otlp_free(x);
    lt_mock_stop(m);
}

Test(otlp, free_with_a_full_queue_and_healthy_collector_exports_it)
{
    lt_mock *m = start_mock();
    for (int i = 0; i < 8; i++)
        lt_mock_push_simple(m, 200, NULL, "{}");
    llmops__otlp_options o = opts_for(lt_mock_url(m));
    o.queue_capacity = 100;
    o.max_batch = 50;
    o.shutdown_timeout_ms = 5000;
    llmops__otlp *x = new_exporter(&o);
    enqueue_n(x, 0, 130);
    llmops__otlp_shutdown(x); /* drains what it can within its bound */
    llmops__otlp_stats st;
    llmops__otlp_stats_get(x, &st);
    cr_assert(st.enqueued >= 100, "enqueued %llu", (unsigned long long)st.enqueued);
    cr_assert_eq(st.enqueued + st.dropped_full, 130);
    cr_assert_eq(st.exported, st.enqueued, "a healthy collector gets every queued span");
    cr_assert_eq(st.dropped_shutdown, 0);
    size_t total = 0;
    for (size_t i = 0; i < lt_mock_request_count(m); i++)
        total += request_spans(m, i, NULL);
    cr_assert_eq(total, st.exported);
    llmops__otlp_free(x);
    lt_mock_stop(m);
}
