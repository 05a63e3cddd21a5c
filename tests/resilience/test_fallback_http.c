/* The chain over real built-in providers (OpenAI wire over libcurl) against
 * the mock server on 127.0.0.1: HTTP statuses and retry hints from headers
 * drive retries and fallbacks as they would in production. Real clock, short
 * hints. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../mock/mock_server.h"
#include "provider/wire.h"

/* The wire registry refers to the wire formats weakly; this strong
 * reference pulls the OpenAI wire out of the static archive. */
const llmops__wire *const lt_force_openai_wire_fb = &llmops__wire_openai;

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static long key_fn(char *buf, size_t cap, void *user)
{
    (void)user;
    if (cap < 7)
        return -1;
    memcpy(buf, "sk-test", 7);
    return 7;
}

typedef struct env {
    lt_mock *m;
    llmops_provider *main, *backup, *chain;
    llmops_request *req;
    llmops_response *resp;
} env;

static void env_init(env *e, uint64_t deadline_ms)
{
    memset(e, 0, sizeof *e);
    e->m = lt_mock_start();
    cr_assert_not_null(e->m);
    char base[128];
    snprintf(base, sizeof base, "%s/v1", lt_mock_url(e->m));
    llmops_provider_options o = LLMOPS_PROVIDER_OPTIONS_INIT;
    o.base_url = base;
    o.key_fn = key_fn;
    char *why = NULL;
    llmops_status st = llmops_provider_new(&e->main, "openai", "openai-main", &o, &why);
    if (st == LLMOPS_E_NOT_FOUND || st == LLMOPS_E_UNSUPPORTED) {
        lt_mock_stop(e->m);
        cr_skip_test("no \"openai\" provider in this build: %s", why ? why : "");
    }
    cr_assert_eq(st, LLMOPS_OK, "%s", why ? why : "");
    cr_assert_eq(llmops_provider_new(&e->backup, "openai", "openai-backup", &o, NULL), LLMOPS_OK);
    llmops_provider *targets[2] = {e->main, e->backup};
    const char *models[2] = {NULL, "backup-model"};
    llmops_retry_options r = LLMOPS_RETRY_OPTIONS_INIT;
    r.max_attempts = 3;
    r.base_delay_ms = 5;
    r.max_delay_ms = 20;
    r.deadline_ms = deadline_ms;
    cr_assert_eq(llmops_provider_new_fallback(&e->chain, "chain", targets, models, 2, &r),
                 LLMOPS_OK);
    llmops_request_new(&e->req);
    llmops_request_set_model(e->req, "main-model");
    llmops_request_add_message(e->req, LLMOPS_ROLE_USER, "ping", SIZE_MAX);
    llmops_response_new(&e->resp);
}

static void env_free(env *e)
{
    llmops_response_free(e->resp);
    llmops_request_free(e->req);
    llmops_provider_free(e->chain);
    llmops_provider_free(e->main);
    llmops_provider_free(e->backup);
    lt_mock_stop(e->m);
}

static llmops_attempt attempt(const llmops_response *r, size_t i)
{
    llmops_attempt a = LLMOPS_ATTEMPT_INIT;
    cr_assert_eq(llmops_response_attempt(r, i, &a), LLMOPS_OK, "attempt %zu", i);
    return a;
}

Test(fallback_http, retry_hint_header_is_waited_for)
{
    env e;
    env_init(&e, 0);
    lt_mock_push_simple(e.m, 429, "retry-after-ms: 120",
                        "{\"error\":{\"message\":\"slow down\",\"type\":\"rate_limit_exceeded\"}}");
    uint64_t t0 = now_ns();
    cr_assert_eq(llmops_provider_generate(e.chain, e.req, e.resp, NULL, NULL), LLMOPS_OK, "%s",
                 llmops_response_error(e.resp));
    uint64_t took = now_ns() - t0;
    cr_assert_str_eq(llmops_response_text(e.resp, NULL), "echo: ping");
    cr_assert_eq(llmops_response_attempt_count(e.resp), 2);
    llmops_attempt a = attempt(e.resp, 0);
    cr_assert_eq(a.status, LLMOPS_E_RATE_LIMITED);
    cr_assert_eq(a.http_status, 429);
    cr_assert_eq(a.retry_after_ms, 120);
    cr_assert_str_eq(a.target, "openai-main");
    cr_assert_eq(attempt(e.resp, 1).http_status, 200);
    cr_assert_geq(took, 120000000ull, "waited %llu ns", (unsigned long long)took);
    cr_assert_str_eq(llmops_response_provider(e.resp), "openai-main");
    env_free(&e);
}

Test(fallback_http, overloaded_target_falls_back_with_the_backup_model)
{
    env e;
    env_init(&e, 0);
    for (int i = 0; i < 3; i++)
        lt_mock_push_simple(e.m, 529, NULL,
                            "{\"error\":{\"message\":\"busy\",\"type\":\"overloaded_error\"}}");
    cr_assert_eq(llmops_provider_generate(e.chain, e.req, e.resp, NULL, NULL), LLMOPS_OK, "%s",
                 llmops_response_error(e.resp));
    cr_assert_eq(llmops_response_attempt_count(e.resp), 4);
    for (size_t i = 0; i < 3; i++)
        cr_assert_eq(attempt(e.resp, i).status, LLMOPS_E_OVERLOADED, "attempt %zu", i);
    llmops_attempt last = attempt(e.resp, 3);
    cr_assert_str_eq(last.target, "openai-backup");
    cr_assert_str_eq(last.model, "backup-model");
    cr_assert_str_eq(llmops_response_model(e.resp), "backup-model", "the mock echoes the model");
    cr_assert_str_eq(llmops_response_provider(e.resp), "openai-backup");
    env_free(&e);
}

Test(fallback_http, a_hint_beyond_the_deadline_is_not_waited_for)
{
    env e;
    env_init(&e, 5000);
    lt_mock_push_simple(e.m, 429, "Retry-After: 3600",
                        "{\"error\":{\"message\":\"quota\",\"type\":\"rate_limit_exceeded\"}}");
    uint64_t t0 = now_ns();
    cr_assert_eq(llmops_provider_generate(e.chain, e.req, e.resp, NULL, NULL), LLMOPS_OK, "%s",
                 llmops_response_error(e.resp));
    cr_assert_lt(now_ns() - t0, 4000000000ull, "did not sleep on a one-hour hint");
    cr_assert_eq(llmops_response_attempt_count(e.resp), 2);
    cr_assert_eq(attempt(e.resp, 0).retry_after_ms, 3600000);
    cr_assert_str_eq(attempt(e.resp, 1).target, "openai-backup");
    env_free(&e);
}

Test(fallback_http, bad_request_is_not_sent_elsewhere)
{
    env e;
    env_init(&e, 0);
    lt_mock_push_simple(e.m, 400, NULL,
                        "{\"error\":{\"message\":\"bad\",\"type\":\"invalid_request_error\"}}");
    cr_assert_eq(llmops_provider_generate(e.chain, e.req, e.resp, NULL, NULL),
                 LLMOPS_E_BAD_REQUEST);
    cr_assert_eq(lt_mock_request_count(e.m), 1);
    env_free(&e);
}
