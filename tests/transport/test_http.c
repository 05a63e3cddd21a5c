/* The libcurl transport against the mock server: round trips, streaming,
 * error bodies and retry hints, every timeout, cancellation, limits, broken
 * streams, connection reuse and concurrency. */
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/clock.h"
#include "llmops/provider.h"
#include "tests/mock/mock_server.h"
#include "transport/http.h"

#define SECRET "sk-transport-secret-0123456789"

static lt_mock *mock;

static void setup(void)
{
    /* Tests talk to 127.0.0.1 only; a proxy from the environment must not
     * catch them. */
    setenv("no_proxy", "127.0.0.1", 1);
    setenv("NO_PROXY", "127.0.0.1", 1);
    mock = lt_mock_start();
    cr_assert(mock, "mock server did not start");
}

static void teardown(void)
{
    lt_mock_stop(mock);
    mock = NULL;
    llmops__http_global_cleanup();
}

TestSuite(transport, .init = setup, .fini = teardown, .timeout = 60);

static uint64_t ms_since(uint64_t t0) { return (llmops__mono_ns() - t0) / 1000000u; }

static llmops__provider_cfg base_cfg(void)
{
    llmops__provider_cfg c;
    memset(&c, 0, sizeof c);
    c.connect_timeout_ms = 5000;
    c.first_byte_timeout_ms = 10000;
    c.total_timeout_ms = 30000;
    c.idle_timeout_ms = 10000;
    c.max_request_bytes = 1u << 20;
    c.max_response_bytes = 8u << 20;
    return c;
}

static void make_req(llmops__http_request *r, const char *path, const char *body)
{
    llmops__http_request_init(r);
    llmops__buf_puts(&r->url, lt_mock_url(mock));
    llmops__buf_puts(&r->url, path);
    llmops__buf_puts(&r->body, body);
    llmops__http_request_header(r, "Authorization", "Bearer " SECRET, strlen("Bearer " SECRET));
}

static const char *chat_body =
    "{\"model\":\"gpt-x\",\"messages\":[{\"role\":\"user\",\"content\":\"ping pong\"}]}";

/* One call with the defaults; fills res. */
static llmops_status run(const char *path, const char *body, const llmops__provider_cfg *cfg,
                         llmops__http_body_fn on_body, void *ud, llmops__http_result *res)
{
    llmops__http_request r;
    make_req(&r, path, body);
    llmops__http_call call = {&r, cfg, 0, NULL, on_body, ud};
    llmops__http_result_init(res);
    llmops_status st = llmops__http_perform(&call, res);
    cr_assert_eq(st, res->status, "returned and recorded status differ");
    cr_assert(!strstr(res->error, SECRET), "the key leaked into an error: %s", res->error);
    llmops__http_request_free(&r);
    return st;
}

Test(transport, round_trip_method_path_headers_body)
{
    llmops__provider_cfg cfg = base_cfg();
    char *extra[] = {"X-Extra: from-config"};
    cfg.headers = extra;
    cfg.nheaders = 1;
    llmops__http_request r;
    make_req(&r, "/v1/chat/completions?trace=1", chat_body);
    llmops__http_request_header(&r, "X-Custom", "abc", 3);
    llmops__http_call call = {&r, &cfg, 0, NULL, NULL, NULL};
    llmops__http_result res;
    llmops__http_result_init(&res);
    uint64_t before = llmops__mono_ns();
    cr_assert_eq(llmops__http_perform(&call, &res), LLMOPS_OK, "%s", res.error);
    cr_assert_eq(res.http_status, 200);
    cr_assert(strstr(res.body.data, "\"echo: ping pong\""), "%s", res.body.data);
    cr_assert_str_eq(res.request_id, "req_mock1");
    cr_assert_geq(res.first_byte_ns, before);
    cr_assert_eq(res.retry_after_ms, 0u);
    llmops__http_result_free(&res);
    llmops__http_request_free(&r);

    lt_mock_request q;
    cr_assert_eq(lt_mock_request_last(mock, &q), 0);
    char v[128];
    cr_assert_str_eq(q.method, "POST");
    cr_assert_str_eq(q.target, "/v1/chat/completions?trace=1");
    cr_assert_str_eq(q.body, chat_body);
    cr_assert(lt_mock_request_header(&q, "User-Agent", v, sizeof v));
    cr_assert_str_eq(v, "libllmops/" LLMOPS_VERSION_STRING);
    cr_assert(lt_mock_request_header(&q, "Authorization", v, sizeof v));
    cr_assert_str_eq(v, "Bearer " SECRET);
    cr_assert(lt_mock_request_header(&q, "X-Custom", v, sizeof v));
    cr_assert_str_eq(v, "abc");
    cr_assert(lt_mock_request_header(&q, "X-Extra", v, sizeof v));
    cr_assert_str_eq(v, "from-config");
    cr_assert(lt_mock_request_header(&q, "Content-Type", v, sizeof v));
    cr_assert_str_eq(v, "application/json");
    cr_assert(!lt_mock_request_header(&q, "Expect", v, sizeof v), "Expect: %s", v);
    lt_mock_request_free(&q);
}

Test(transport, get_request_has_no_body)
{
    llmops__provider_cfg cfg = base_cfg();
    llmops__http_request r;
    llmops__http_request_init(&r);
    llmops__buf_puts(&r.url, lt_mock_url(mock));
    llmops__buf_puts(&r.url, "/v1/models");
    r.method = "GET";
    lt_mock_push_simple(mock, 200, NULL, "{\"data\":[]}");
    llmops__http_call call = {&r, &cfg, 0, NULL, NULL, NULL};
    llmops__http_result res;
    llmops__http_result_init(&res);
    cr_assert_eq(llmops__http_perform(&call, &res), LLMOPS_OK, "%s", res.error);
    cr_assert_str_eq(res.body.data, "{\"data\":[]}");
    lt_mock_request q;
    cr_assert_eq(lt_mock_request_last(mock, &q), 0);
    cr_assert_str_eq(q.method, "GET");
    cr_assert_eq(q.body_len, 0u);
    lt_mock_request_free(&q);
    llmops__http_result_free(&res);
    llmops__http_request_free(&r);
}

typedef struct sink {
    llmops__buf got;
    int calls;
    size_t stop_after;  /* 0: never */
} sink;

static int collect(const char *data, size_t len, void *ud)
{
    sink *s = ud;
    s->calls++;
    llmops__buf_append(&s->got, data, len);
    return s->stop_after && s->got.len >= s->stop_after;
}

Test(transport, streaming_body_reaches_on_body_in_full)
{
    lt_mock_response m;
    memset(&m, 0, sizeof m);
    static const char sse[] =
        "data: {\"choices\":[{\"delta\":{\"content\":\"he\"}}]}\n\n"
        "data: {\"choices\":[{\"delta\":{\"content\":\"llo\"}}]}\n\n"
        "data: [DONE]\n\n";
    m.body = sse;
    m.chunked = 1;
    m.chunk_size = 7;
    m.chunk_delay_ms = 2;
    lt_mock_push(mock, &m);
    llmops__provider_cfg cfg = base_cfg();
    sink s = {LLMOPS__BUF_INIT, 0, 0};
    llmops__http_result res;
    cr_assert_eq(run("/v1/chat/completions", chat_body, &cfg, collect, &s, &res), LLMOPS_OK, "%s", res.error);
    cr_assert_eq(res.http_status, 200);
    cr_assert_eq(s.got.len, sizeof sse - 1);
    cr_assert_str_eq(s.got.data, sse);
    cr_assert_gt(s.calls, 1, "pieces arrived in one callback: delays not honoured?");
    cr_assert_eq(res.body.len, 0u, "a streamed 2xx body must not be buffered");
    llmops__buf_free(&s.got);
    llmops__http_result_free(&res);
}

Test(transport, consumer_stop_is_aborted)
{
    lt_mock_response m;
    memset(&m, 0, sizeof m);
    m.fault = LT_MOCK_FAULT_ENDLESS;
    m.chunk_delay_ms = 5;
    m.max_ms = 5000;
    lt_mock_push(mock, &m);
    llmops__provider_cfg cfg = base_cfg();
    sink s = {LLMOPS__BUF_INIT, 0, 40};
    llmops__http_result res;
    uint64_t t0 = llmops__mono_ns();
    cr_assert_eq(run("/x", "{}", &cfg, collect, &s, &res), LLMOPS_E_ABORTED, "%s", res.error);
    cr_assert_lt(ms_since(t0), 4000u);
    cr_assert_geq(s.got.len, 40u);
    llmops__buf_free(&s.got);
    llmops__http_result_free(&res);
}

Test(transport, error_body_is_buffered_with_retry_after_seconds)
{
    lt_mock_push_simple(mock, 429, "Retry-After: 3\nx-request-id: req_abc",
                        "{\"error\":{\"message\":\"Rate limit reached\",\"code\":\"rate_limit_exceeded\"}}");
    llmops__provider_cfg cfg = base_cfg();
    sink s = {LLMOPS__BUF_INIT, 0, 0};
    llmops__http_result res;
    cr_assert_eq(run("/v1/chat/completions", chat_body, &cfg, collect, &s, &res), LLMOPS_OK, "%s", res.error);
    cr_assert_eq(res.http_status, 429);
    cr_assert_eq(res.retry_after_ms, 3000u);
    cr_assert_str_eq(res.request_id, "req_abc");
    cr_assert(strstr(res.body.data, "rate_limit_exceeded"));
    cr_assert_eq(s.calls, 0, "a non-2xx body went to on_body");
    llmops__buf_free(&s.got);
    llmops__http_result_free(&res);
}

Test(transport, retry_hint_forms)
{
    llmops__provider_cfg cfg = base_cfg();
    llmops__http_result res;

    lt_mock_push_simple(mock, 429, "retry-after-ms: 1500", "{}");
    cr_assert_eq(run("/x", "{}", &cfg, NULL, NULL, &res), LLMOPS_OK);
    cr_assert_eq(res.retry_after_ms, 1500u);
    llmops__http_result_free(&res);

    lt_mock_push_retry_after_date(mock, 120);
    cr_assert_eq(run("/x", "{}", &cfg, NULL, NULL, &res), LLMOPS_OK);
    cr_assert(res.retry_after_ms >= 100000u && res.retry_after_ms <= 121000u, "HTTP-date gave %llu ms",
              (unsigned long long)res.retry_after_ms);
    llmops__http_result_free(&res);

    lt_mock_push_simple(mock, 429, "x-ratelimit-reset-requests: 6m0s\nx-ratelimit-reset-tokens: 2.5s", "{}");
    cr_assert_eq(run("/x", "{}", &cfg, NULL, NULL, &res), LLMOPS_OK);
    cr_assert_eq(res.retry_after_ms, 360000u, "the largest hint wins");
    llmops__http_result_free(&res);

    lt_mock_push_simple(mock, 503, "Retry-After: 2\nretry-after-ms: 2500", "{}");
    cr_assert_eq(run("/x", "{}", &cfg, NULL, NULL, &res), LLMOPS_OK);
    cr_assert_eq(res.http_status, 503);
    cr_assert_eq(res.retry_after_ms, 2500u);
    llmops__http_result_free(&res);

    /* Gemini puts the hint in the body: the transport hands the body over. */
    lt_mock_push_gemini_retry(mock, "17s");
    cr_assert_eq(run("/v1beta/models/g:generateContent", "{}", &cfg, NULL, NULL, &res), LLMOPS_OK);
    cr_assert_eq(res.http_status, 429);
    cr_assert(strstr(res.body.data, "\"retryDelay\":\"17s\""));
    llmops__http_result_free(&res);
}

Test(transport, error_statuses_500_503_529)
{
    static const int codes[] = {500, 503, 529};
    llmops__provider_cfg cfg = base_cfg();
    for (size_t i = 0; i < 3; i++) {
        lt_mock_push_simple(mock, codes[i], NULL, "{\"error\":{\"message\":\"boom\"}}");
        llmops__http_result res;
        cr_assert_eq(run("/x", "{}", &cfg, NULL, NULL, &res), LLMOPS_OK, "%s", res.error);
        cr_assert_eq(res.http_status, codes[i]);
        cr_assert_str_eq(res.body.data, "{\"error\":{\"message\":\"boom\"}}");
        llmops__http_result_free(&res);
    }
}

Test(transport, huge_error_body_is_capped_not_failed)
{
    lt_mock_response m;
    memset(&m, 0, sizeof m);
    m.status = 500;
    m.fault = LT_MOCK_FAULT_HUGE;
    m.huge_bytes = 4u << 20;
    lt_mock_push(mock, &m);
    llmops__provider_cfg cfg = base_cfg();
    llmops__http_result res;
    cr_assert_eq(run("/x", "{}", &cfg, NULL, NULL, &res), LLMOPS_OK, "%s", res.error);
    cr_assert_eq(res.http_status, 500);
    cr_assert_eq(res.body.len, 1u << 20);
    llmops__http_result_free(&res);
}

Test(transport, first_byte_timeout)
{
    lt_mock_response m;
    memset(&m, 0, sizeof m);
    m.header_delay_ms = 3000;
    m.body = "{}";
    lt_mock_push(mock, &m);
    llmops__provider_cfg cfg = base_cfg();
    cfg.first_byte_timeout_ms = 200;
    llmops__http_result res;
    uint64_t t0 = llmops__mono_ns();
    cr_assert_eq(run("/x", "{}", &cfg, NULL, NULL, &res), LLMOPS_E_TIMEOUT, "%s", res.error);
    uint64_t took = ms_since(t0);
    cr_assert(took >= 190 && took < 2000, "took %llu ms", (unsigned long long)took);
    cr_assert_str_eq(res.error, "no response headers within 200 ms");
    cr_assert_eq(res.http_status, 0);
    llmops__http_result_free(&res);
}

Test(transport, idle_timeout_mid_stream)
{
    lt_mock_response m;
    memset(&m, 0, sizeof m);
    m.body = "data: {\"a\":1}\n\n";
    m.fault = LT_MOCK_FAULT_ENDLESS;
    m.chunk_delay_ms = 3000;  /* first piece at once, then silence */
    m.max_ms = 4000;
    lt_mock_push(mock, &m);
    llmops__provider_cfg cfg = base_cfg();
    cfg.idle_timeout_ms = 250;
    sink s = {LLMOPS__BUF_INIT, 0, 0};
    llmops__http_result res;
    uint64_t t0 = llmops__mono_ns();
    cr_assert_eq(run("/x", "{}", &cfg, collect, &s, &res), LLMOPS_E_TIMEOUT, "%s", res.error);
    uint64_t took = ms_since(t0);
    cr_assert(took >= 240 && took < 2500, "took %llu ms", (unsigned long long)took);
    cr_assert_str_eq(res.error, "stream idle for 250 ms (no byte received)");
    cr_assert_eq(res.http_status, 200);
    cr_assert(strstr(s.got.data, "{\"a\":1}"));
    llmops__buf_free(&s.got);
    llmops__http_result_free(&res);
}

Test(transport, total_timeout_on_a_busy_endless_stream)
{
    lt_mock_response m;
    memset(&m, 0, sizeof m);
    m.fault = LT_MOCK_FAULT_ENDLESS;
    m.chunk_delay_ms = 10;
    m.max_ms = 5000;
    lt_mock_push(mock, &m);
    llmops__provider_cfg cfg = base_cfg();
    cfg.total_timeout_ms = 400;
    cfg.idle_timeout_ms = 1000;
    sink s = {LLMOPS__BUF_INIT, 0, 0};
    llmops__http_result res;
    uint64_t t0 = llmops__mono_ns();
    cr_assert_eq(run("/x", "{}", &cfg, collect, &s, &res), LLMOPS_E_TIMEOUT, "%s", res.error);
    uint64_t took = ms_since(t0);
    cr_assert(took >= 390 && took < 2500, "took %llu ms", (unsigned long long)took);
    cr_assert_str_eq(res.error, "no complete response within the total timeout of 400 ms");
    cr_assert_gt(s.calls, 3);
    llmops__buf_free(&s.got);
    llmops__http_result_free(&res);
}

Test(transport, call_deadline)
{
    lt_mock_response m;
    memset(&m, 0, sizeof m);
    m.fault = LT_MOCK_FAULT_SILENT;
    m.max_ms = 5000;
    lt_mock_push(mock, &m);
    llmops__provider_cfg cfg = base_cfg();
    llmops__http_request r;
    make_req(&r, "/x", "{}");
    uint64_t t0 = llmops__mono_ns();
    llmops__http_call call = {&r, &cfg, t0 + 300u * 1000000u, NULL, NULL, NULL};
    llmops__http_result res;
    llmops__http_result_init(&res);
    cr_assert_eq(llmops__http_perform(&call, &res), LLMOPS_E_TIMEOUT, "%s", res.error);
    uint64_t took = ms_since(t0);
    cr_assert(took >= 290 && took < 2500, "took %llu ms", (unsigned long long)took);
    cr_assert(strstr(res.error, "call deadline reached"), "%s", res.error);
    llmops__http_result_free(&res);

    /* A deadline already past fails before any network traffic. */
    size_t before = lt_mock_request_count(mock);
    llmops__http_call late = {&r, &cfg, llmops__mono_ns() - 1, NULL, NULL, NULL};
    llmops__http_result_init(&res);
    cr_assert_eq(llmops__http_perform(&late, &res), LLMOPS_E_TIMEOUT);
    cr_assert_eq(lt_mock_request_count(mock), before);
    llmops__http_result_free(&res);
    llmops__http_request_free(&r);
}

/* A listener whose accept queue is full: further connects hang in SYN. */
Test(transport, connect_timeout)
{
    int l = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t al = sizeof a;
    cr_assert_eq(bind(l, (struct sockaddr *)&a, sizeof a), 0);
    cr_assert_eq(listen(l, 0), 0);
    getsockname(l, (struct sockaddr *)&a, &al);
    int fill[4];
    for (int i = 0; i < 4; i++) {
        fill[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        connect(fill[i], (struct sockaddr *)&a, sizeof a);
    }
    usleep(50000);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/x", ntohs(a.sin_port));
    llmops__http_request r;
    llmops__http_request_init(&r);
    llmops__buf_puts(&r.url, url);
    llmops__buf_puts(&r.body, "{}");
    llmops__provider_cfg cfg = base_cfg();
    cfg.connect_timeout_ms = 300;
    llmops__http_call call = {&r, &cfg, 0, NULL, NULL, NULL};
    llmops__http_result res;
    llmops__http_result_init(&res);
    uint64_t t0 = llmops__mono_ns();
    llmops_status st = llmops__http_perform(&call, &res);
    uint64_t took = ms_since(t0);
    for (int i = 0; i < 4; i++) close(fill[i]);
    close(l);
    cr_assert_eq(st, LLMOPS_E_TIMEOUT, "%s: %s", llmops_status_str(st), res.error);
    cr_assert(took >= 250 && took < 3000, "took %llu ms", (unsigned long long)took);
    cr_assert(strstr(res.error, "no connection within 300 ms"), "%s", res.error);
    llmops__http_result_free(&res);
    llmops__http_request_free(&r);
}

typedef struct canceller {
    llmops_cancel *c;
    unsigned after_ms;
    uint64_t at_ns;
} canceller;

static void *cancel_later(void *p)
{
    canceller *k = p;
    llmops__sleep_ns((uint64_t)k->after_ms * 1000000u);
    k->at_ns = llmops__mono_ns();
    llmops_cancel_trigger(k->c);
    return NULL;
}

Test(transport, cancel_from_another_thread_ends_a_silent_call)
{
    lt_mock_response m;
    memset(&m, 0, sizeof m);
    m.fault = LT_MOCK_FAULT_SILENT;
    m.max_ms = 10000;
    lt_mock_push(mock, &m);
    llmops__provider_cfg cfg = base_cfg();
    canceller k = {NULL, 200, 0};
    cr_assert_eq(llmops_cancel_new(&k.c), LLMOPS_OK);
    llmops__http_request r;
    make_req(&r, "/x", "{}");
    llmops__http_call call = {&r, &cfg, 0, k.c, NULL, NULL};
    llmops__http_result res;
    llmops__http_result_init(&res);
    pthread_t th;
    pthread_create(&th, NULL, cancel_later, &k);
    uint64_t t0 = llmops__mono_ns();
    llmops_status st = llmops__http_perform(&call, &res);
    uint64_t end = llmops__mono_ns();
    pthread_join(th, NULL);
    cr_assert_eq(st, LLMOPS_E_CANCELLED, "%s", res.error);
    uint64_t latency_ms = (end - k.at_ns) / 1000000u;
    cr_log_info("cancel latency %llu ms", (unsigned long long)latency_ms);
    cr_assert_lt(latency_ms, 2000u);
    cr_assert_lt((end - t0) / 1000000u, 2500u);
    cr_assert(strstr(res.error, "cancelled"), "%s", res.error);
    llmops__http_result_free(&res);

    /* Already cancelled: no request at all. */
    size_t before = lt_mock_request_count(mock);
    llmops__http_result_init(&res);
    cr_assert_eq(llmops__http_perform(&call, &res), LLMOPS_E_CANCELLED);
    cr_assert_eq(lt_mock_request_count(mock), before);
    llmops__http_result_free(&res);
    llmops__http_request_free(&r);
    llmops_cancel_free(k.c);
}

Test(transport, response_limit_with_content_length)
{
    lt_mock_response m;
    memset(&m, 0, sizeof m);
    m.fault = LT_MOCK_FAULT_HUGE;
    m.huge_bytes = 256u << 20;
    lt_mock_push(mock, &m);
    llmops__provider_cfg cfg = base_cfg();
    cfg.max_response_bytes = 1u << 20;
    llmops__http_result res;
    uint64_t t0 = llmops__mono_ns();
    cr_assert_eq(run("/x", "{}", &cfg, NULL, NULL, &res), LLMOPS_E_LIMIT, "%s", res.error);
    cr_assert_lt(ms_since(t0), 5000u);
    cr_assert_str_eq(res.error, "response body exceeds the limit of 1048576 bytes");
    cr_assert_leq(res.body.len, 1u << 20);
    llmops__http_result_free(&res);
}

Test(transport, response_limit_chunked_buffered_and_streamed)
{
    lt_mock_response m;
    memset(&m, 0, sizeof m);
    m.fault = LT_MOCK_FAULT_HUGE;
    m.chunked = 1;          /* no Content-Length: counted as it arrives */
    m.huge_bytes = 256u << 20;
    lt_mock_push(mock, &m);
    lt_mock_push(mock, &m);
    llmops__provider_cfg cfg = base_cfg();
    cfg.max_response_bytes = 1u << 20;
    llmops__http_result res;
    cr_assert_eq(run("/x", "{}", &cfg, NULL, NULL, &res), LLMOPS_E_LIMIT, "%s", res.error);
    cr_assert_leq(res.body.len, 1u << 20);
    cr_assert_leq(res.body.cap, 2u << 20, "buffer grew to %zu bytes", res.body.cap);
    llmops__http_result_free(&res);

    sink s = {LLMOPS__BUF_INIT, 0, 0};
    cr_assert_eq(run("/x", "{}", &cfg, collect, &s, &res), LLMOPS_E_LIMIT, "%s", res.error);
    cr_assert_leq(s.got.len, 1u << 20);
    llmops__buf_free(&s.got);
    llmops__http_result_free(&res);
}

Test(transport, request_limit_refuses_before_sending)
{
    llmops__provider_cfg cfg = base_cfg();
    cfg.max_request_bytes = 1000;
    char big[2001];
    memset(big, 'a', 2000);
    big[2000] = '\0';
    llmops__http_result res;
    cr_assert_eq(run("/x", big, &cfg, NULL, NULL, &res), LLMOPS_E_LIMIT);
    cr_assert_str_eq(res.error, "request body of 2000 bytes exceeds the limit of 1000 bytes");
    cr_assert_eq(lt_mock_request_count(mock), 0u);
    cr_assert_eq(lt_mock_connections(mock), 0u);
    llmops__http_result_free(&res);
}

Test(transport, large_request_body_arrives_intact)
{
    llmops__provider_cfg cfg = base_cfg();
    cfg.max_request_bytes = 4u << 20;
    size_t n = 3u << 20;
    char *big = malloc(n + 1);
    for (size_t i = 0; i < n; i++) big[i] = (char)('a' + i % 26);
    big[n] = '\0';
    lt_mock_push_simple(mock, 200, NULL, "{}");
    llmops__http_result res;
    cr_assert_eq(run("/x", big, &cfg, NULL, NULL, &res), LLMOPS_OK, "%s", res.error);
    lt_mock_request q;
    cr_assert_eq(lt_mock_request_last(mock, &q), 0);
    cr_assert_eq(q.body_len, n);
    cr_assert(memcmp(q.body, big, n) == 0);
    lt_mock_request_free(&q);
    free(big);
    llmops__http_result_free(&res);
}

Test(transport, cut_stream_is_a_transport_error)
{
    lt_mock_response m;
    memset(&m, 0, sizeof m);
    m.body = "{\"id\":\"chatcmpl-1\",\"choices\":[]}";
    m.fault = LT_MOCK_FAULT_CUT;
    m.cut_after = 10;
    lt_mock_push(mock, &m);
    m.body = "data: {\"a\":1}\n\ndata: {\"a\":2}\n\n";
    m.chunked = 1;
    m.cut_after = 20;
    lt_mock_push(mock, &m);
    llmops__provider_cfg cfg = base_cfg();
    llmops__http_result res;
    cr_assert_eq(run("/x", "{}", &cfg, NULL, NULL, &res), LLMOPS_E_TRANSPORT, "%s", res.error);
    cr_assert_eq(res.http_status, 200);
    cr_assert_neq(res.error[0], '\0');
    llmops__http_result_free(&res);
    sink s = {LLMOPS__BUF_INIT, 0, 0};
    cr_assert_eq(run("/x", "{}", &cfg, collect, &s, &res), LLMOPS_E_TRANSPORT, "%s", res.error);
    llmops__buf_free(&s.got);
    llmops__http_result_free(&res);
}

Test(transport, refused_connection)
{
    int l = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t al = sizeof a;
    bind(l, (struct sockaddr *)&a, sizeof a);
    getsockname(l, (struct sockaddr *)&a, &al);
    close(l);   /* nothing listens on this port now */
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/v1/chat/completions", ntohs(a.sin_port));
    llmops__http_request r;
    llmops__http_request_init(&r);
    llmops__buf_puts(&r.url, url);
    llmops__buf_puts(&r.body, "{}");
    llmops__http_request_header(&r, "Authorization", "Bearer " SECRET, strlen("Bearer " SECRET));
    llmops__provider_cfg cfg = base_cfg();
    llmops__http_call call = {&r, &cfg, 0, NULL, NULL, NULL};
    llmops__http_result res;
    llmops__http_result_init(&res);
    cr_assert_eq(llmops__http_perform(&call, &res), LLMOPS_E_TRANSPORT, "%s", res.error);
    cr_assert(strstr(res.error, "curl error 7"), "%s", res.error);
    cr_assert(!strstr(res.error, SECRET));
    cr_assert_eq(res.http_status, 0);
    llmops__http_result_free(&res);
    llmops__http_request_free(&r);
}

static void calls(int n, llmops_status *worst)
{
    llmops__provider_cfg cfg = base_cfg();
    for (int i = 0; i < n; i++) {
        llmops__http_result res;
        llmops__http_request r;
        make_req(&r, "/v1/chat/completions", chat_body);
        llmops__http_call call = {&r, &cfg, 0, NULL, NULL, NULL};
        llmops__http_result_init(&res);
        llmops_status st = llmops__http_perform(&call, &res);
        if (st == LLMOPS_OK && (res.http_status != 200 || !strstr(res.body.data, "echo: ping pong")))
            st = LLMOPS_E_INTERNAL;
        if (st != LLMOPS_OK)
            *worst = st;
        llmops__http_result_free(&res);
        llmops__http_request_free(&r);
    }
}

typedef struct worker {
    int n;
    llmops_status worst;
} worker;

static void *work(void *p)
{
    worker *w = p;
    calls(w->n, &w->worst);
    return NULL;
}

Test(transport, connection_reused_across_calls_and_threads)
{
    llmops_status worst = LLMOPS_OK;
    calls(20, &worst);
    cr_assert_eq(worst, LLMOPS_OK);
    cr_assert_eq(lt_mock_request_count(mock), 20u);
    cr_assert_eq(lt_mock_connections(mock), 1u, "calls on one thread opened %u connections",
                 lt_mock_connections(mock));
    for (int t = 0; t < 2; t++) {   /* one after the other: the idle handle moves over */
        worker w = {10, LLMOPS_OK};
        pthread_t th;
        pthread_create(&th, NULL, work, &w);
        pthread_join(th, NULL);
        cr_assert_eq(w.worst, LLMOPS_OK);
    }
    cr_assert_eq(lt_mock_request_count(mock), 40u);
    cr_assert_eq(lt_mock_connections(mock), 1u, "other threads opened %u connections",
                 lt_mock_connections(mock));
}

Test(transport, concurrent_calls_from_four_threads)
{
    worker w[4];
    pthread_t th[4];
    for (int i = 0; i < 4; i++) {
        w[i] = (worker){50, LLMOPS_OK};
        pthread_create(&th[i], NULL, work, &w[i]);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        cr_assert_eq(w[i].worst, LLMOPS_OK, "thread %d: %s", i, llmops_status_str(w[i].worst));
    }
    cr_assert_eq(lt_mock_request_count(mock), 200u);
    cr_assert_leq(lt_mock_connections(mock), 4u, "200 calls on 4 threads opened %u connections",
                  lt_mock_connections(mock));
    /* After the burst the pooled connections serve new calls. */
    unsigned before = lt_mock_connections(mock);
    llmops_status worst = LLMOPS_OK;
    calls(10, &worst);
    cr_assert_eq(worst, LLMOPS_OK);
    cr_assert_eq(lt_mock_connections(mock), before);
}

Test(transport, server_closing_after_each_response_is_fine)
{
    llmops__provider_cfg cfg = base_cfg();
    for (int i = 0; i < 5; i++) {
        lt_mock_response m;
        memset(&m, 0, sizeof m);
        m.body = "{\"ok\":true}";
        m.close = 1;
        lt_mock_push(mock, &m);
        llmops__http_result res;
        cr_assert_eq(run("/x", "{}", &cfg, NULL, NULL, &res), LLMOPS_OK, "%s", res.error);
        cr_assert_str_eq(res.body.data, "{\"ok\":true}");
        llmops__http_result_free(&res);
    }
    cr_assert_eq(lt_mock_connections(mock), 5u);
}

Test(transport, invalid_calls)
{
    llmops__http_result res;
    llmops__http_result_init(&res);
    cr_assert_eq(llmops__http_perform(NULL, &res), LLMOPS_E_INVALID_ARGUMENT);
    llmops__http_request r;
    llmops__http_request_init(&r);
    llmops__http_call call = {&r, NULL, 0, NULL, NULL, NULL};
    cr_assert_eq(llmops__http_perform(&call, &res), LLMOPS_E_INVALID_ARGUMENT);
    cr_assert_str_eq(res.error, "HTTP call without a URL");
    llmops__buf_puts(&r.url, "ftp://127.0.0.1/x");
    cr_assert_eq(llmops__http_perform(&call, &res), LLMOPS_E_TRANSPORT, "%s", res.error);
    llmops__http_result_free(&res);
    llmops__http_request_free(&r);
}

/* TLS is always verified; a plain-HTTP server behind an https URL and a
 * missing CA bundle both fail as transport errors with curl's reason. */
Test(transport, tls_failures_are_transport_errors)
{
    char url[96];
    snprintf(url, sizeof url, "https://127.0.0.1:%d/v1/chat/completions", lt_mock_port(mock));
    llmops__http_request r;
    llmops__http_request_init(&r);
    llmops__buf_puts(&r.url, url);
    llmops__buf_puts(&r.body, "{}");
    llmops__provider_cfg cfg = base_cfg();
    llmops__http_call call = {&r, &cfg, 0, NULL, NULL, NULL};
    llmops__http_result res;
    llmops__http_result_init(&res);
    cr_assert_eq(llmops__http_perform(&call, &res), LLMOPS_E_TRANSPORT, "%s", res.error);
    cr_assert_eq(res.http_status, 0);
    cr_assert(strstr(res.error, "curl error 35"), "%s", res.error);
    llmops__http_result_free(&res);

    cfg.ca_bundle = "/nonexistent/ca-bundle.pem";
    llmops__http_result_init(&res);
    cr_assert_eq(llmops__http_perform(&call, &res), LLMOPS_E_TRANSPORT, "%s", res.error);
    cr_assert(strstr(res.error, "curl error 77"), "%s", res.error);
    llmops__http_result_free(&res);
    llmops__http_request_free(&r);
}
