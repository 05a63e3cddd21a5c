/* The fallback chain: retries, hints, deadline, fallback order, model
 * overrides, recorded attempts, streaming rule, and breakers per target. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "provider/fallback.h"
#include "provider/response.h"
#include "script.h"

#define MS 1000000ull

typedef struct chain {
    lt_clock clock;
    lt_script s[3];
    llmops_provider *fb;
    llmops_request *req;
    llmops_response *resp;
} chain;

/* A fallback over scripts a, b (and c when n == 3) on the fake clock. */
static void chain_init(chain *c, size_t n, const char *const *models,
                       const llmops_retry_options *opts)
{
    static const char *const names[] = {"a", "b", "c"};
    lt_clock_init(&c->clock);
    llmops_provider *ps[3] = {NULL, NULL, NULL};
    for (size_t i = 0; i < n; i++) {
        lt_script_init(&c->s[i], names[i], &c->clock);
        ps[i] = lt_script_provider(&c->s[i]);
        cr_assert_not_null(ps[i]);
    }
    cr_assert_eq(llmops_provider_new_fallback(&c->fb, "chain", ps, models, n, opts), LLMOPS_OK);
    for (size_t i = 0; i < n; i++)
        llmops_provider_free(ps[i]); /* the chain holds its own references */
    cr_assert_eq(llmops__fallback_set_clock(c->fb, &c->clock.clk), LLMOPS_OK);
    c->req = lt_request("base-model");
    cr_assert_eq(llmops_response_new(&c->resp), LLMOPS_OK);
}

static void chain_free(chain *c, size_t n)
{
    llmops_provider_free(c->fb);
    llmops_request_free(c->req);
    llmops_response_free(c->resp);
    for (size_t i = 0; i < n; i++)
        lt_script_destroy(&c->s[i]);
}

static llmops_attempt attempt(const llmops_response *r, size_t i)
{
    llmops_attempt a = LLMOPS_ATTEMPT_INIT;
    cr_assert_eq(llmops_response_attempt(r, i, &a), LLMOPS_OK, "attempt %zu", i);
    return a;
}

static llmops_retry_options opts_with(unsigned max_attempts, uint64_t deadline_ms)
{
    llmops_retry_options o = LLMOPS_RETRY_OPTIONS_INIT;
    o.max_attempts = max_attempts;
    o.base_delay_ms = 100;
    o.max_delay_ms = 1000;
    o.deadline_ms = deadline_ms;
    o.breaker_threshold = 100;
    return o;
}

Test(fallback, rejects_bad_arguments)
{
    llmops_provider *fb = NULL;
    lt_script s;
    lt_script_init(&s, "a", NULL);
    llmops_provider *p = lt_script_provider(&s);
    llmops_provider *none[1] = {NULL};
    cr_assert_eq(llmops_provider_new_fallback(NULL, "x", &p, NULL, 1, NULL),
                 LLMOPS_E_INVALID_ARGUMENT);
    cr_assert_eq(llmops_provider_new_fallback(&fb, "x", &p, NULL, 0, NULL),
                 LLMOPS_E_INVALID_ARGUMENT);
    cr_assert_eq(llmops_provider_new_fallback(&fb, "x", none, NULL, 1, NULL),
                 LLMOPS_E_INVALID_ARGUMENT);
    llmops_retry_options bad = LLMOPS_RETRY_OPTIONS_INIT;
    bad.version = 0;
    cr_assert_eq(llmops_provider_new_fallback(&fb, "x", &p, NULL, 1, &bad),
                 LLMOPS_E_INVALID_ARGUMENT);
    cr_assert_null(fb);
    cr_assert_eq(llmops_provider_new_fallback(&fb, NULL, &p, NULL, 1, NULL), LLMOPS_OK);
    cr_assert_str_eq(llmops_provider_type(fb), "fallback");
    cr_assert_str_eq(llmops_provider_name(fb), "fallback");
    cr_assert_eq(llmops__fallback_set_clock(p, NULL), LLMOPS_E_INVALID_ARGUMENT);
    cr_assert_null(llmops__fallback_breaker(fb, 1));
    cr_assert_not_null(llmops__fallback_breaker(fb, 0));
    llmops_provider_free(p);
    llmops_provider_free(fb); /* frees the target too: its last reference */
    lt_script_destroy(&s);
}

Test(fallback, retries_retryable_failures_with_backoff_then_succeeds)
{
    chain c;
    llmops_retry_options o = opts_with(3, 0);
    chain_init(&c, 1, NULL, &o);
    lt_script_step(&c.s[0], LLMOPS_E_RATE_LIMITED, 429, 0);
    lt_script_step(&c.s[0], LLMOPS_E_OVERLOADED, 529, 0);
    lt_script_step(&c.s[0], LLMOPS_OK, 200, 0);
    atomic_store(&c.clock.rnd, UINT64_MAX); /* largest draw: the cap - 1 or so */
    cr_assert_eq(llmops_provider_generate(c.fb, c.req, c.resp, NULL, NULL), LLMOPS_OK);
    cr_assert_eq(atomic_load(&c.s[0].calls), 3);
    cr_assert_str_eq(llmops_response_text(c.resp, NULL), "answer from a");
    cr_assert_str_eq(llmops_response_provider(c.resp), "a");
    cr_assert_eq(llmops_response_attempt_count(c.resp), 3);
    cr_assert_eq(attempt(c.resp, 0).status, LLMOPS_E_RATE_LIMITED);
    cr_assert_eq(attempt(c.resp, 0).http_status, 429);
    cr_assert_eq(attempt(c.resp, 1).status, LLMOPS_E_OVERLOADED);
    cr_assert_eq(attempt(c.resp, 2).status, LLMOPS_OK);
    cr_assert_str_eq(attempt(c.resp, 2).target, "a");
    cr_assert_str_eq(attempt(c.resp, 2).model, "base-model");
    /* Two waits, each within its full-jitter cap (100 ms, then 200 ms). */
    uint64_t slept = atomic_load(&c.clock.slept);
    cr_assert_leq(slept, 300 * MS);
    cr_assert_eq(slept, UINT64_MAX % (100 * MS + 1) + UINT64_MAX % (200 * MS + 1));
    chain_free(&c, 1);
}

Test(fallback, waits_for_the_retry_hint)
{
    chain c;
    llmops_retry_options o = opts_with(3, 0);
    chain_init(&c, 1, NULL, &o);
    lt_script_step(&c.s[0], LLMOPS_E_RATE_LIMITED, 429, 1500);
    lt_script_step(&c.s[0], LLMOPS_OK, 200, 0);
    cr_assert_eq(llmops_provider_generate(c.fb, c.req, c.resp, NULL, NULL), LLMOPS_OK);
    cr_assert_eq(atomic_load(&c.clock.slept), 1500 * MS, "hint beats max_delay and jitter");
    cr_assert_eq(attempt(c.resp, 0).retry_after_ms, 1500);
    chain_free(&c, 1);
}

Test(fallback, hint_past_the_deadline_moves_to_the_next_target)
{
    chain c;
    llmops_retry_options o = opts_with(3, 1000);
    chain_init(&c, 2, NULL, &o);
    lt_script_step(&c.s[0], LLMOPS_E_RATE_LIMITED, 429, 5000);
    lt_script_step(&c.s[1], LLMOPS_OK, 200, 0);
    cr_assert_eq(llmops_provider_generate(c.fb, c.req, c.resp, NULL, NULL), LLMOPS_OK);
    cr_assert_eq(atomic_load(&c.clock.slept), 0, "no wait that cannot pay off");
    cr_assert_eq(atomic_load(&c.s[0].calls), 1);
    cr_assert_eq(atomic_load(&c.s[1].calls), 1);
    cr_assert_str_eq(llmops_response_provider(c.resp), "b");
    cr_assert_eq(llmops_response_attempt_count(c.resp), 2);
    chain_free(&c, 2);
}

Test(fallback, hint_past_the_deadline_on_the_last_target_says_so)
{
    chain c;
    llmops_retry_options o = opts_with(3, 1000);
    chain_init(&c, 1, NULL, &o);
    lt_script_step(&c.s[0], LLMOPS_E_RATE_LIMITED, 429, 5000);
    cr_assert_eq(llmops_provider_generate(c.fb, c.req, c.resp, NULL, NULL),
                 LLMOPS_E_RATE_LIMITED);
    const char *err = llmops_response_error(c.resp);
    cr_assert(strstr(err, "a: rate limited (429)"), "%s", err);
    cr_assert(strstr(err, "retry hint of 5000 ms passes the deadline"), "%s", err);
    cr_assert(strstr(err, "a says rate_limited"), "last error kept: %s", err);
    chain_free(&c, 1);
}

Test(fallback, stops_at_max_attempts_and_lists_them)
{
    chain c;
    llmops_retry_options o = opts_with(4, 0);
    chain_init(&c, 2, NULL, &o);
    lt_script_step(&c.s[0], LLMOPS_E_OVERLOADED, 529, 0);
    lt_script_step(&c.s[1], LLMOPS_E_PROVIDER, 500, 0);
    cr_assert_eq(llmops_provider_generate(c.fb, c.req, c.resp, NULL, NULL), LLMOPS_E_PROVIDER);
    cr_assert_eq(atomic_load(&c.s[0].calls), 4);
    cr_assert_eq(atomic_load(&c.s[1].calls), 4);
    cr_assert_eq(llmops_response_attempt_count(c.resp), 8);
    const char *err = llmops_response_error(c.resp);
    cr_assert(strstr(err, "every target failed: a: overloaded (529) x4; "
                          "b: provider error (500) x4"),
              "%s", err);
    cr_assert_eq(llmops_response_status(c.resp), LLMOPS_E_PROVIDER);
    chain_free(&c, 2);
}

Test(fallback, auth_failure_is_not_retried_but_falls_back)
{
    chain c;
    llmops_retry_options o = opts_with(3, 0);
    chain_init(&c, 2, NULL, &o);
    lt_script_step(&c.s[0], LLMOPS_E_AUTH, 401, 0);
    lt_script_step(&c.s[1], LLMOPS_OK, 200, 0);
    cr_assert_eq(llmops_provider_generate(c.fb, c.req, c.resp, NULL, NULL), LLMOPS_OK);
    cr_assert_eq(atomic_load(&c.s[0].calls), 1);
    cr_assert_eq(atomic_load(&c.s[1].calls), 1);
    cr_assert_eq(atomic_load(&c.clock.sleeps), 0);
    cr_assert_eq(attempt(c.resp, 0).status, LLMOPS_E_AUTH);
    cr_assert_str_eq(llmops_response_text(c.resp, NULL), "answer from b");
    chain_free(&c, 2);
}

Test(fallback, bad_request_returns_at_once)
{
    chain c;
    llmops_retry_options o = opts_with(3, 0);
    chain_init(&c, 2, NULL, &o);
    lt_script_step(&c.s[0], LLMOPS_E_BAD_REQUEST, 400, 0);
    lt_script_step(&c.s[1], LLMOPS_OK, 200, 0);
    cr_assert_eq(llmops_provider_generate(c.fb, c.req, c.resp, NULL, NULL),
                 LLMOPS_E_BAD_REQUEST);
    cr_assert_eq(atomic_load(&c.s[0].calls), 1);
    cr_assert_eq(atomic_load(&c.s[1].calls), 0, "another provider would reject it too");
    cr_assert_str_eq(llmops_response_error(c.resp), "a says bad_request");
    chain_free(&c, 2);
}

Test(fallback, tries_targets_in_order_with_their_models)
{
    chain c;
    llmops_retry_options o = opts_with(2, 0);
    const char *models[] = {"model-a", NULL, "model-c"};
    chain_init(&c, 3, models, &o);
    lt_script_step(&c.s[0], LLMOPS_E_MODEL_NOT_FOUND, 404, 0);
    lt_script_step(&c.s[1], LLMOPS_E_TRANSPORT, 0, 0);
    lt_script_step(&c.s[2], LLMOPS_OK, 200, 0);
    cr_assert_eq(llmops_provider_generate(c.fb, c.req, c.resp, NULL, NULL), LLMOPS_OK);
    char m[64];
    lt_script_last_model(&c.s[0], m, sizeof m);
    cr_assert_str_eq(m, "model-a");
    lt_script_last_model(&c.s[1], m, sizeof m);
    cr_assert_str_eq(m, "base-model", "no override: the request's model");
    lt_script_last_model(&c.s[2], m, sizeof m);
    cr_assert_str_eq(m, "model-c");
    cr_assert_eq(llmops_response_attempt_count(c.resp), 4);
    const char *want_target[] = {"a", "b", "b", "c"};
    const char *want_model[] = {"model-a", "base-model", "base-model", "model-c"};
    llmops_status want_status[] = {LLMOPS_E_MODEL_NOT_FOUND, LLMOPS_E_TRANSPORT,
                                   LLMOPS_E_TRANSPORT, LLMOPS_OK};
    for (size_t i = 0; i < 4; i++) {
        llmops_attempt a = attempt(c.resp, i);
        cr_assert_str_eq(a.target, want_target[i], "attempt %zu", i);
        cr_assert_str_eq(a.model, want_model[i], "attempt %zu", i);
        cr_assert_eq(a.status, want_status[i], "attempt %zu", i);
    }
    cr_assert_str_eq(llmops_response_provider(c.resp), "c");
    chain_free(&c, 3);
}

Test(fallback, attempts_carry_latency_from_the_clock)
{
    chain c;
    llmops_retry_options o = opts_with(2, 0);
    chain_init(&c, 1, NULL, &o);
    lt_script_step(&c.s[0], LLMOPS_E_TIMEOUT, 0, 0);
    c.s[0].steps[0].cost_ns = 123 * MS;
    lt_script_step(&c.s[0], LLMOPS_OK, 200, 0);
    c.s[0].steps[1].cost_ns = 7 * MS;
    cr_assert_eq(llmops_provider_generate(c.fb, c.req, c.resp, NULL, NULL), LLMOPS_OK);
    cr_assert_eq(attempt(c.resp, 0).latency_ns, 123 * MS);
    cr_assert_eq(attempt(c.resp, 1).latency_ns, 7 * MS);
    chain_free(&c, 1);
}

typedef struct seen {
    char text[256];
    int n;
} seen;

static int collect(const llmops_delta *d, void *user)
{
    seen *s = user;
    if (d->kind == LLMOPS_DELTA_TEXT) {
        strncat(s->text, d->text, d->len < sizeof s->text - strlen(s->text) - 1
                                      ? d->len
                                      : sizeof s->text - strlen(s->text) - 1);
    }
    s->n++;
    return 0;
}

Test(fallback, never_retries_after_content_reached_the_host)
{
    chain c;
    llmops_retry_options o = opts_with(3, 0);
    chain_init(&c, 2, NULL, &o);
    lt_script_step(&c.s[0], LLMOPS_E_PROVIDER, 500, 0);
    c.s[0].steps[0].partial = "partial ";
    lt_script_step(&c.s[1], LLMOPS_OK, 200, 0);
    seen s = {{0}, 0};
    cr_assert_eq(llmops_provider_generate(c.fb, c.req, c.resp, collect, &s), LLMOPS_E_PROVIDER);
    cr_assert_str_eq(s.text, "partial ");
    cr_assert_eq(atomic_load(&c.s[0].calls), 1);
    cr_assert_eq(atomic_load(&c.s[1].calls), 0);
    cr_assert_eq(llmops_response_attempt_count(c.resp), 1);
    chain_free(&c, 2);
}

Test(fallback, partial_content_not_shown_to_the_host_is_retried)
{
    chain c;
    llmops_retry_options o = opts_with(3, 0);
    chain_init(&c, 1, NULL, &o);
    lt_script_step(&c.s[0], LLMOPS_E_PROVIDER, 500, 0);
    lt_script_step(&c.s[0], LLMOPS_OK, 200, 0);
    /* Not streamed: the host provider gets no stream, so nothing reached
     * the host and the retry's answer replaces the failed attempt. */
    c.s[0].steps[0].partial = "partial ";
    cr_assert_eq(llmops_provider_generate(c.fb, c.req, c.resp, NULL, NULL), LLMOPS_OK);
    cr_assert_str_eq(llmops_response_text(c.resp, NULL), "answer from a");
    cr_assert_eq(atomic_load(&c.s[0].calls), 2);
    chain_free(&c, 1);
}

Test(fallback, streamed_success_after_a_silent_failure)
{
    chain c;
    llmops_retry_options o = opts_with(3, 0);
    chain_init(&c, 2, NULL, &o);
    lt_script_step(&c.s[0], LLMOPS_E_OVERLOADED, 529, 0);
    lt_script_step(&c.s[1], LLMOPS_OK, 200, 0);
    seen s = {{0}, 0};
    cr_assert_eq(llmops_provider_generate(c.fb, c.req, c.resp, collect, &s), LLMOPS_OK);
    cr_assert_str_eq(s.text, "answer from b", "the host sees only the answer");
    cr_assert_str_eq(llmops_response_text(c.resp, NULL), "answer from b");
    chain_free(&c, 2);
}

Test(fallback, deadline_ends_the_chain_with_timeout)
{
    chain c;
    llmops_retry_options o = opts_with(10, 1000);
    chain_init(&c, 2, NULL, &o);
    /* Every attempt takes 400 ms of the 1000 ms budget. */
    lt_script_step(&c.s[0], LLMOPS_E_OVERLOADED, 529, 0);
    c.s[0].steps[0].cost_ns = 400 * MS;
    lt_script_step(&c.s[1], LLMOPS_E_OVERLOADED, 529, 0);
    c.s[1].steps[0].cost_ns = 400 * MS;
    cr_assert_eq(llmops_provider_generate(c.fb, c.req, c.resp, NULL, NULL), LLMOPS_E_TIMEOUT);
    int calls = atomic_load(&c.s[0].calls) + atomic_load(&c.s[1].calls);
    cr_assert(calls >= 2 && calls <= 3, "calls %d", calls);
    const char *err = llmops_response_error(c.resp);
    cr_assert(strstr(err, "deadline of 1000 ms passed"), "%s", err);
    cr_assert(strstr(err, "a: overloaded (529)"), "%s", err);
    cr_assert_eq(llmops_response_status(c.resp), LLMOPS_E_TIMEOUT);
    chain_free(&c, 2);
}

Test(fallback, request_timeout_is_the_default_deadline)
{
    chain c;
    llmops_retry_options o = opts_with(10, 0);
    chain_init(&c, 1, NULL, &o);
    llmops_request_set_timeout_ms(c.req, 60000);
    lt_script_step(&c.s[0], LLMOPS_E_RATE_LIMITED, 429, 90000);
    cr_assert_eq(llmops_provider_generate(c.fb, c.req, c.resp, NULL, NULL),
                 LLMOPS_E_RATE_LIMITED);
    cr_assert_eq(atomic_load(&c.s[0].calls), 1, "a 90 s hint does not fit a 60 s timeout");
    cr_assert_eq(atomic_load(&c.clock.slept), 0);
    chain_free(&c, 1);
}

Test(fallback, cancel_during_backoff_ends_the_call)
{
    chain c;
    llmops_retry_options o = opts_with(5, 0);
    chain_init(&c, 1, NULL, &o);
    llmops_cancel *cancel = NULL;
    llmops_cancel_new(&cancel);
    llmops_request_set_cancel(c.req, cancel);
    lt_script_step(&c.s[0], LLMOPS_E_RATE_LIMITED, 429, 10000);
    c.s[0].cancel_on_fail = cancel;
    cr_assert_eq(llmops_provider_generate(c.fb, c.req, c.resp, NULL, NULL), LLMOPS_E_CANCELLED);
    cr_assert_eq(atomic_load(&c.s[0].calls), 1);
    cr_assert_lt(atomic_load(&c.clock.slept), 10000 * MS);
    llmops_cancel_free(cancel);
    chain_free(&c, 1);
}

Test(fallback, embed_and_classify_fall_back_too)
{
    chain c;
    llmops_retry_options o = opts_with(1, 0);
    chain_init(&c, 2, NULL, &o);
    lt_script_step(&c.s[0], LLMOPS_E_UNSUPPORTED, 0, 0);
    lt_script_step(&c.s[1], LLMOPS_OK, 200, 0);
    llmops_request_add_input(c.req, "x", SIZE_MAX);
    cr_assert_eq(llmops_provider_embed(c.fb, c.req, c.resp), LLMOPS_OK);
    cr_assert_eq(llmops_response_embedding_count(c.resp), 1);
    cr_assert_str_eq(llmops_response_provider(c.resp), "b");

    llmops_request_add_label(c.req, "no");
    llmops_request_add_label(c.req, "yes");
    cr_assert_eq(llmops_provider_classify(c.fb, c.req, c.resp), LLMOPS_OK);
    double score = 0;
    cr_assert_str_eq(llmops_response_label(c.resp, 0, &score), "yes");
    cr_assert_float_eq(score, 0.75, 1e-12);
    cr_assert_eq(llmops_response_attempt_count(c.resp), 2);
    chain_free(&c, 2);
}

/* ---- breakers ----------------------------------------------------------- */

static llmops_retry_options breaker_opts(unsigned threshold)
{
    llmops_retry_options o = opts_with(1, 0);
    o.breaker_threshold = threshold;
    o.breaker_cooldown_ms = 5000;
    return o;
}

Test(fallback, breaker_opens_after_threshold_and_skips_the_target)
{
    chain c;
    llmops_retry_options o = breaker_opts(3);
    chain_init(&c, 2, NULL, &o);
    lt_script_step(&c.s[0], LLMOPS_E_OVERLOADED, 529, 0);
    lt_script_step(&c.s[1], LLMOPS_OK, 200, 0);
    for (int i = 0; i < 3; i++)
        cr_assert_eq(llmops_provider_generate(c.fb, c.req, c.resp, NULL, NULL), LLMOPS_OK);
    cr_assert_eq(atomic_load(&c.s[0].calls), 3);
    cr_assert_eq(llmops__breaker_state_at(llmops__fallback_breaker(c.fb, 0),
                                          atomic_load(&c.clock.now)),
                 LLMOPS__BREAKER_OPEN);
    /* Open: a is not asked; the skip is recorded. */
    cr_assert_eq(llmops_provider_generate(c.fb, c.req, c.resp, NULL, NULL), LLMOPS_OK);
    cr_assert_eq(atomic_load(&c.s[0].calls), 3);
    cr_assert_eq(atomic_load(&c.s[1].calls), 4);
    llmops_attempt a = attempt(c.resp, 0);
    cr_assert_eq(a.status, LLMOPS_E_CIRCUIT_OPEN);
    cr_assert_str_eq(a.target, "a");
    cr_assert_eq(a.latency_ns, 0);
    cr_assert_eq(attempt(c.resp, 1).status, LLMOPS_OK);
    chain_free(&c, 2);
}

Test(fallback, breaker_half_opens_after_cooldown_and_closes_on_success)
{
    chain c;
    llmops_retry_options o = breaker_opts(1);
    chain_init(&c, 2, NULL, &o);
    lt_script_step(&c.s[0], LLMOPS_E_OVERLOADED, 529, 0);
    lt_script_step(&c.s[0], LLMOPS_OK, 200, 0);
    lt_script_step(&c.s[1], LLMOPS_OK, 200, 0);
    cr_assert_eq(llmops_provider_generate(c.fb, c.req, c.resp, NULL, NULL), LLMOPS_OK);
    cr_assert_str_eq(llmops_response_provider(c.resp), "b");
    lt_clock_advance(&c.clock, 4999 * MS);
    cr_assert_eq(llmops_provider_generate(c.fb, c.req, c.resp, NULL, NULL), LLMOPS_OK);
    cr_assert_eq(atomic_load(&c.s[0].calls), 1, "still cooling down");
    lt_clock_advance(&c.clock, 1 * MS);
    cr_assert_eq(llmops_provider_generate(c.fb, c.req, c.resp, NULL, NULL), LLMOPS_OK);
    cr_assert_eq(atomic_load(&c.s[0].calls), 2, "the probe");
    cr_assert_str_eq(llmops_response_provider(c.resp), "a");
    cr_assert_eq(llmops__breaker_state_at(llmops__fallback_breaker(c.fb, 0),
                                          atomic_load(&c.clock.now)),
                 LLMOPS__BREAKER_CLOSED);
    cr_assert_eq(llmops_provider_generate(c.fb, c.req, c.resp, NULL, NULL), LLMOPS_OK);
    cr_assert_eq(atomic_load(&c.s[0].calls), 3);
    cr_assert_eq(atomic_load(&c.s[1].calls), 2);
    chain_free(&c, 2);
}

Test(fallback, breaker_reopens_when_the_probe_fails)
{
    chain c;
    llmops_retry_options o = breaker_opts(1);
    chain_init(&c, 2, NULL, &o);
    lt_script_step(&c.s[0], LLMOPS_E_PROVIDER, 502, 0);
    lt_script_step(&c.s[1], LLMOPS_OK, 200, 0);
    cr_assert_eq(llmops_provider_generate(c.fb, c.req, c.resp, NULL, NULL), LLMOPS_OK);
    lt_clock_advance(&c.clock, 5000 * MS);
    cr_assert_eq(llmops_provider_generate(c.fb, c.req, c.resp, NULL, NULL), LLMOPS_OK);
    cr_assert_eq(atomic_load(&c.s[0].calls), 2, "probe ran and failed");
    cr_assert_eq(llmops_provider_generate(c.fb, c.req, c.resp, NULL, NULL), LLMOPS_OK);
    cr_assert_eq(atomic_load(&c.s[0].calls), 2, "open again after the failed probe");
    cr_assert_eq(llmops__fallback_breaker(c.fb, 0)->opens, 2);
    chain_free(&c, 2);
}

Test(fallback, all_breakers_open_fails_fast_without_calls)
{
    chain c;
    llmops_retry_options o = breaker_opts(1);
    chain_init(&c, 2, NULL, &o);
    lt_script_step(&c.s[0], LLMOPS_E_OVERLOADED, 529, 0);
    lt_script_step(&c.s[1], LLMOPS_E_RATE_LIMITED, 429, 0);
    cr_assert_eq(llmops_provider_generate(c.fb, c.req, c.resp, NULL, NULL),
                 LLMOPS_E_RATE_LIMITED);
    cr_assert_eq(llmops_provider_generate(c.fb, c.req, c.resp, NULL, NULL),
                 LLMOPS_E_CIRCUIT_OPEN);
    cr_assert_eq(atomic_load(&c.s[0].calls), 1);
    cr_assert_eq(atomic_load(&c.s[1].calls), 1);
    cr_assert_eq(llmops_response_attempt_count(c.resp), 2);
    cr_assert_eq(attempt(c.resp, 0).status, LLMOPS_E_CIRCUIT_OPEN);
    cr_assert_eq(attempt(c.resp, 1).status, LLMOPS_E_CIRCUIT_OPEN);
    const char *err = llmops_response_error(c.resp);
    cr_assert(strstr(err, "circuit breaker is open: a: circuit open; b: circuit open"), "%s",
              err);
    chain_free(&c, 2);
}

Test(fallback, request_errors_do_not_trip_the_breaker)
{
    chain c;
    llmops_retry_options o = breaker_opts(2);
    chain_init(&c, 1, NULL, &o);
    lt_script_step(&c.s[0], LLMOPS_E_CONTEXT_LENGTH, 400, 0);
    for (int i = 0; i < 6; i++)
        cr_assert_eq(llmops_provider_generate(c.fb, c.req, c.resp, NULL, NULL),
                     LLMOPS_E_CONTEXT_LENGTH);
    cr_assert_eq(atomic_load(&c.s[0].calls), 6);
    chain_free(&c, 1);
}

typedef struct caller {
    chain *c;
    llmops_status st;
    char provider[16];
} caller;

static void *call_thread(void *arg)
{
    caller *k = arg;
    llmops_response *resp = NULL;
    llmops_response_new(&resp);
    k->st = llmops_provider_generate(k->c->fb, k->c->req, resp, NULL, NULL);
    const char *p = llmops_response_provider(resp);
    snprintf(k->provider, sizeof k->provider, "%s", p ? p : "");
    llmops_response_free(resp);
    return NULL;
}

Test(fallback, exactly_one_half_open_probe_under_concurrency)
{
    chain c;
    llmops_retry_options o = breaker_opts(1);
    chain_init(&c, 2, NULL, &o);
    lt_script_step(&c.s[0], LLMOPS_E_OVERLOADED, 529, 0);
    lt_script_step(&c.s[0], LLMOPS_OK, 200, 0);
    lt_script_step(&c.s[1], LLMOPS_OK, 200, 0);
    cr_assert_eq(llmops_provider_generate(c.fb, c.req, c.resp, NULL, NULL), LLMOPS_OK);
    lt_clock_advance(&c.clock, 5000 * MS);

    /* The probe blocks inside target a until released; meanwhile every
     * other caller must find the breaker half-open and go to b. */
    c.s[0].block = 1;
    enum { N = 6 };
    caller k[N];
    pthread_t th[N];
    for (int i = 0; i < N; i++) {
        k[i].c = &c;
        k[i].st = LLMOPS_E_INTERNAL;
        cr_assert_eq(pthread_create(&th[i], NULL, call_thread, &k[i]), 0);
    }
    /* Wait (bounded) until the N - 1 non-probes are done at b. */
    for (int w = 0; w < 5000 && atomic_load(&c.s[1].calls) < 1 + N - 1; w++) {
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    cr_assert_eq(atomic_load(&c.s[0].calls), 2, "one probe (plus the first failure)");
    cr_assert_eq(atomic_load(&c.s[1].calls), 1 + N - 1);
    atomic_store(&c.s[0].release, 1);
    int at_a = 0;
    for (int i = 0; i < N; i++) {
        pthread_join(th[i], NULL);
        cr_assert_eq(k[i].st, LLMOPS_OK);
        at_a += strcmp(k[i].provider, "a") == 0;
    }
    cr_assert_eq(at_a, 1);
    cr_assert_eq(llmops__breaker_state_at(llmops__fallback_breaker(c.fb, 0),
                                          atomic_load(&c.clock.now)),
                 LLMOPS__BREAKER_CLOSED);
    chain_free(&c, 2);
}

Test(fallback, running_out_of_budget_does_not_trip_the_breaker)
{
    chain c;
    llmops_retry_options o = breaker_opts(1);
    o.deadline_ms = 1000;
    chain_init(&c, 1, NULL, &o);
    /* The target times out because the chain's deadline passed. */
    lt_script_step(&c.s[0], LLMOPS_E_TIMEOUT, 0, 0);
    c.s[0].steps[0].cost_ns = 1000 * MS;
    cr_assert_eq(llmops_provider_generate(c.fb, c.req, c.resp, NULL, NULL), LLMOPS_E_TIMEOUT);
    cr_assert_eq(llmops__breaker_state_at(llmops__fallback_breaker(c.fb, 0),
                                          atomic_load(&c.clock.now)),
                 LLMOPS__BREAKER_CLOSED);
    /* A timeout of the target's own, well before the deadline, counts. */
    c.s[0].steps[0].cost_ns = 10 * MS;
    cr_assert_eq(llmops_provider_generate(c.fb, c.req, c.resp, NULL, NULL), LLMOPS_E_TIMEOUT);
    cr_assert_eq(llmops__breaker_state_at(llmops__fallback_breaker(c.fb, 0),
                                          atomic_load(&c.clock.now)),
                 LLMOPS__BREAKER_OPEN);
    chain_free(&c, 1);
}
