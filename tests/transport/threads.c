/* Threaded transport stress without Criterion, so ThreadSanitizer can run
 * it (Criterion's worker arena cannot be mapped under TSan here). Concurrent
 * calls, cross-thread cancellation, streams cut by the limit, pool cleanup
 * and a mock stopped under load. Exits non-zero on the first failure. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "llmops/provider.h"
#include "tests/mock/mock_server.h"
#include "transport/http.h"

#define CHECK(cond, ...)                                                        \
    do {                                                                        \
        if (!(cond)) {                                                          \
            fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                       \
            fputc('\n', stderr);                                                \
            exit(1);                                                            \
        }                                                                       \
    } while (0)

static lt_mock *mock;

static llmops__provider_cfg cfg_default(void)
{
    llmops__provider_cfg c;
    memset(&c, 0, sizeof c);
    c.connect_timeout_ms = 5000;
    c.first_byte_timeout_ms = 10000;
    c.total_timeout_ms = 30000;
    c.idle_timeout_ms = 10000;
    c.max_request_bytes = 1u << 20;
    c.max_response_bytes = 1u << 20;
    return c;
}

static llmops_status one_call(const char *path, const llmops__provider_cfg *cfg,
                              const llmops_cancel *cancel, llmops__http_body_fn fn, void *ud,
                              int *http_status, int *echoed)
{
    llmops__http_request r;
    llmops__http_request_init(&r);
    llmops__buf_puts(&r.url, lt_mock_url(mock));
    llmops__buf_puts(&r.url, path);
    llmops__buf_puts(&r.body, "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"threads\"}]}");
    llmops__http_request_header(&r, "Authorization", "Bearer sk-x", 11);
    llmops__http_call call = {&r, cfg, 0, cancel, fn, ud};
    llmops__http_result res;
    llmops__http_result_init(&res);
    llmops_status st = llmops__http_perform(&call, &res);
    if (http_status)
        *http_status = res.http_status;
    if (echoed)
        *echoed = res.body.data && strstr(res.body.data, "echo: threads") != NULL;
    llmops__http_result_free(&res);
    llmops__http_request_free(&r);
    return st;
}

typedef struct job {
    int n;
    int ok;
} job;

static void *caller(void *p)
{
    job *j = p;
    llmops__provider_cfg cfg = cfg_default();
    for (int i = 0; i < j->n; i++) {
        int status = 0, echoed = 0;
        if (one_call("/v1/chat/completions", &cfg, NULL, NULL, NULL, &status, &echoed) == LLMOPS_OK &&
            status == 200 && echoed)
            j->ok++;
    }
    return NULL;
}

static int count_bytes(const char *d, size_t n, void *ud)
{
    (void)d;
    *(size_t *)ud += n;
    return 0;
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

static void concurrent_calls(void)
{
    job jobs[4];
    pthread_t th[4];
    for (int i = 0; i < 4; i++) {
        jobs[i] = (job){40, 0};
        pthread_create(&th[i], NULL, caller, &jobs[i]);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        CHECK(jobs[i].ok == 40, "thread %d: %d of 40 calls succeeded", i, jobs[i].ok);
    }
    CHECK(lt_mock_connections(mock) <= 4, "%u connections for 4 threads", lt_mock_connections(mock));
}

/* Cancels calls to an endless stream or to a server that never answers,
 * at phases spread over the transport's poll tick. */
static void cancel_calls(lt_mock_fault fault)
{
    lt_mock_response m;
    memset(&m, 0, sizeof m);
    m.fault = fault;
    m.chunk_delay_ms = 5;
    m.max_ms = 8000;
    llmops__provider_cfg cfg = cfg_default();
    cfg.max_response_bytes = 0;
    uint64_t worst_us = 0;
    for (int round = 0; round < 8; round++) {
        lt_mock_push(mock, &m);
        canceller k = {NULL, 60 + 17u * (unsigned)round, 0};   /* varied phase against the poll tick */
        CHECK(llmops_cancel_new(&k.c) == LLMOPS_OK, "cancel_new");
        pthread_t th;
        pthread_create(&th, NULL, cancel_later, &k);
        size_t got = 0;
        uint64_t t0 = llmops__mono_ns();
        llmops_status st = one_call("/x", &cfg, k.c, count_bytes, &got, NULL, NULL);
        uint64_t end = llmops__mono_ns();
        uint64_t ms = (end - t0) / 1000000u;
        pthread_join(th, NULL);
        if ((end - k.at_ns) / 1000u > worst_us)
            worst_us = (end - k.at_ns) / 1000u;
        llmops_cancel_free(k.c);
        CHECK(st == LLMOPS_E_CANCELLED, "round %d: %s", round, llmops_status_str(st));
        CHECK(ms < 3000, "round %d: cancel took %llu ms", round, (unsigned long long)ms);
        CHECK(fault != LT_MOCK_FAULT_ENDLESS || got > 0, "round %d: no stream bytes before the cancel",
              round);
    }
    printf("cancel (%s): worst latency from trigger to return %llu us over 8 calls\n",
           fault == LT_MOCK_FAULT_ENDLESS ? "mid-stream" : "server silent", (unsigned long long)worst_us);
}

static void limits_under_load(void)
{
    lt_mock_response m;
    memset(&m, 0, sizeof m);
    m.fault = LT_MOCK_FAULT_HUGE;
    m.chunked = 1;
    m.huge_bytes = 64u << 20;
    for (int i = 0; i < 4; i++)
        lt_mock_push(mock, &m);
    job other = {20, 0};
    pthread_t th;
    pthread_create(&th, NULL, caller, &other);
    llmops__provider_cfg cfg = cfg_default();
    for (int i = 0; i < 4; i++) {
        size_t got = 0;
        llmops_status st = one_call("/x", &cfg, NULL, count_bytes, &got, NULL, NULL);
        /* The scripted responses may be taken by the other thread's calls,
         * which then see LIMIT themselves; either way nothing hangs. */
        CHECK(st == LLMOPS_OK || st == LLMOPS_E_LIMIT, "call %d: %s", i, llmops_status_str(st));
        CHECK(got <= cfg.max_response_bytes, "call %d: %zu bytes passed the limit", i, got);
    }
    pthread_join(th, NULL);
}

static void cleanup_and_reuse(void)
{
    llmops__http_global_cleanup();
    job j = {5, 0};
    caller(&j);
    CHECK(j.ok == 5, "after cleanup: %d of 5 calls succeeded", j.ok);
}

int main(void)
{
    setenv("no_proxy", "127.0.0.1", 1);
    setenv("NO_PROXY", "127.0.0.1", 1);
    mock = lt_mock_start();
    CHECK(mock != NULL, "mock server did not start");
    concurrent_calls();
    cancel_calls(LT_MOCK_FAULT_ENDLESS);
    cancel_calls(LT_MOCK_FAULT_SILENT);
    limits_under_load();
    cleanup_and_reuse();
    lt_mock_stop(mock);
    llmops__http_global_cleanup();
    printf("transport threads: ok\n");
    return 0;
}
