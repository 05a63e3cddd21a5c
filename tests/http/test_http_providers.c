/* Built-in providers end to end: the public API, the real libcurl path and
 * the mock server on 127.0.0.1 speaking each wire format. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "llmops.h"
#include "tests/mock/mock_server.h"

static lt_mock *mock;

static void start(void)
{
    mock = lt_mock_start();
    cr_assert_not_null(mock);
    setenv("LT_TEST_KEY", "sk-test-secret-123456", 1);
}

static void stop(void)
{
    lt_mock_stop(mock);
}

TestSuite(http, .init = start, .fini = stop, .timeout = 60);

typedef struct kind {
    const char *type;
    const char *suffix;   /* appended to the mock URL as base_url */
    const char *model;
} kind;

static const kind kinds[] = {
    {"openai", "/v1", "gpt-test"},
    {"openai-responses", "/v1", "gpt-test"},
    {"anthropic", "", "claude-test"},
    {"gemini", "/v1beta", "gemini-test"},
    {"ollama", "", "llama-test"},
};

static llmops_provider *provider_opts(const kind *k, llmops_provider_options *o)
{
    char base[256];
    snprintf(base, sizeof base, "%s%s", lt_mock_url(mock), k->suffix);
    o->base_url = base;
    if (!o->api_key_env)
        o->api_key_env = "LT_TEST_KEY";
    llmops_provider *p = NULL;
    char *why = NULL;
    llmops_status st = llmops_provider_new(&p, k->type, NULL, o, &why);
    cr_assert_eq(st, LLMOPS_OK, "%s: %s", k->type, why ? why : "");
    return p;
}

static llmops_provider *provider(const kind *k)
{
    llmops_provider_options o = LLMOPS_PROVIDER_OPTIONS_INIT;
    return provider_opts(k, &o);
}

static llmops_request *ask(const char *model, const char *text)
{
    llmops_request *r = NULL;
    llmops_request_new(&r);
    llmops_request_set_model(r, model);
    llmops_request_add_message(r, LLMOPS_ROLE_SYSTEM, "be brief", SIZE_MAX);
    llmops_request_add_message(r, LLMOPS_ROLE_USER, text, SIZE_MAX);
    return r;
}

typedef struct deltas {
    char text[1024];
    int count;
    int done_calls;
    int stop_at;
} deltas;

static int on_delta(const llmops_delta *d, void *ud)
{
    deltas *c = ud;
    if (d->kind == LLMOPS_DELTA_TEXT)
        strncat(c->text, d->text, d->len < sizeof c->text - strlen(c->text) - 1
                                      ? d->len
                                      : sizeof c->text - strlen(c->text) - 1);
    if (d->kind == LLMOPS_DELTA_TOOL_CALL_DONE)
        c->done_calls++;
    c->count++;
    return c->stop_at && c->count >= c->stop_at;
}

static void assert_same(const llmops_response *a, const llmops_response *b, const char *what)
{
    cr_assert_str_eq(llmops_response_text(a, NULL), llmops_response_text(b, NULL), "%s", what);
    cr_assert_eq(llmops_response_finish_reason(a), llmops_response_finish_reason(b), "%s", what);
    cr_assert_eq(llmops_response_tool_call_count(a), llmops_response_tool_call_count(b), "%s",
                 what);
    for (size_t i = 0; i < llmops_response_tool_call_count(a); i++) {
        cr_assert_str_eq(llmops_response_tool_call_name(a, i),
                         llmops_response_tool_call_name(b, i), "%s", what);
        cr_assert_str_eq(llmops_response_tool_call_arguments(a, i),
                         llmops_response_tool_call_arguments(b, i), "%s", what);
    }
    llmops_usage ua = LLMOPS_USAGE_INIT, ub = LLMOPS_USAGE_INIT;
    cr_assert_eq(llmops_response_usage(a, &ua), LLMOPS_OK, "%s: usage", what);
    cr_assert_eq(llmops_response_usage(b, &ub), LLMOPS_OK, "%s: streamed usage", what);
    cr_assert_eq(ua.input_tokens, ub.input_tokens, "%s", what);
    cr_assert_eq(ua.output_tokens, ub.output_tokens, "%s", what);
}

Test(http, every_format_streamed_equals_non_streamed)
{
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        const kind *k = &kinds[i];
        llmops_provider *p = provider(k);
        llmops_request *r = ask(k->model, "hello there friend");
        llmops_response *plain = NULL, *streamed = NULL;
        llmops_response_new(&plain);
        llmops_response_new(&streamed);
        cr_assert_eq(llmops_provider_generate(p, r, plain, NULL, NULL), LLMOPS_OK, "%s: %s",
                     k->type, llmops_response_error(plain));
        cr_assert_str_eq(llmops_response_text(plain, NULL), "echo: hello there friend", "%s",
                         k->type);
        cr_assert_eq(llmops_response_finish_reason(plain), LLMOPS_FINISH_STOP, "%s", k->type);
        cr_assert_eq(llmops_response_http_status(plain), 200);
        deltas d = {{0}, 0, 0, 0};
        cr_assert_eq(llmops_provider_generate(p, r, streamed, on_delta, &d), LLMOPS_OK,
                     "%s stream: %s", k->type, llmops_response_error(streamed));
        cr_assert_gt(d.count, 2, "%s: streamed in several deltas", k->type);
        cr_assert_str_eq(d.text, "echo: hello there friend", "%s", k->type);
        cr_assert_neq(llmops_response_ttft_ns(streamed), 0, "%s", k->type);
        assert_same(plain, streamed, k->type);
        cr_assert_str_eq(llmops_response_provider(plain), k->type);
        llmops_response_free(plain);
        llmops_response_free(streamed);
        llmops_request_free(r);
        llmops_provider_free(p);
    }
}

Test(http, every_format_round_trips_a_tool_call)
{
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        const kind *k = &kinds[i];
        llmops_provider *p = provider(k);
        llmops_request *r = ask(k->model, "please call tool now");
        llmops_request_add_tool(r, "lookup", "finds things",
                                "{\"type\":\"object\",\"properties\":{\"text\":{\"type\":"
                                "\"string\"}}}");
        llmops_response *plain = NULL, *streamed = NULL;
        llmops_response_new(&plain);
        llmops_response_new(&streamed);
        cr_assert_eq(llmops_provider_generate(p, r, plain, NULL, NULL), LLMOPS_OK, "%s: %s",
                     k->type, llmops_response_error(plain));
        cr_assert_eq(llmops_response_tool_call_count(plain), 1, "%s", k->type);
        cr_assert_str_eq(llmops_response_tool_call_name(plain, 0), "lookup", "%s", k->type);
        cr_assert_not_null(strstr(llmops_response_tool_call_arguments(plain, 0),
                                  "please call tool now"),
                           "%s: %s", k->type, llmops_response_tool_call_arguments(plain, 0));
        cr_assert_eq(llmops_response_finish_reason(plain), LLMOPS_FINISH_TOOL_CALLS, "%s",
                     k->type);
        deltas d = {{0}, 0, 0, 0};
        cr_assert_eq(llmops_provider_generate(p, r, streamed, on_delta, &d), LLMOPS_OK,
                     "%s stream: %s", k->type, llmops_response_error(streamed));
        cr_assert_eq(d.done_calls, 1, "%s: one TOOL_CALL_DONE", k->type);
        assert_same(plain, streamed, k->type);
        llmops_response_free(plain);
        llmops_response_free(streamed);
        llmops_request_free(r);
        llmops_provider_free(p);
    }
}

Test(http, keys_go_in_the_right_header_and_nowhere_else)
{
    static const struct {
        const char *type;
        const char *header;
        const char *value;
    } want[] = {
        {"openai", "Authorization", "Bearer sk-test-secret-123456"},
        {"openai-responses", "Authorization", "Bearer sk-test-secret-123456"},
        {"anthropic", "x-api-key", "sk-test-secret-123456"},
        {"gemini", "x-goog-api-key", "sk-test-secret-123456"},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const kind *k = &kinds[i];
        cr_assert_str_eq(k->type, want[i].type);
        llmops_provider *p = provider(k);
        llmops_request *r = ask(k->model, "hi");
        llmops_response *resp = NULL;
        llmops_response_new(&resp);
        cr_assert_eq(llmops_provider_generate(p, r, resp, NULL, NULL), LLMOPS_OK);
        lt_mock_request got;
        cr_assert_eq(lt_mock_request_last(mock, &got), 0);
        char value[256];
        cr_assert_eq(lt_mock_request_header(&got, want[i].header, value, sizeof value), 1,
                     "%s: %s header", k->type, want[i].header);
        cr_assert_str_eq(value, want[i].value);
        cr_assert_null(strstr(got.body, "sk-test-secret"), "%s: key in the body", k->type);
        cr_assert_null(strstr(got.target, "sk-test-secret"), "%s: key in the URL", k->type);
        cr_assert_eq(lt_mock_request_header(&got, "User-Agent", value, sizeof value), 1);
        cr_assert_not_null(strstr(value, "libllmops/"));
        lt_mock_request_free(&got);
        llmops_response_free(resp);
        llmops_request_free(r);
        llmops_provider_free(p);
    }
}

Test(http, missing_key_fails_before_any_request)
{
    llmops_provider_options o = LLMOPS_PROVIDER_OPTIONS_INIT;
    o.api_key_env = "LT_TEST_KEY_NOT_SET";
    unsetenv("LT_TEST_KEY_NOT_SET");
    llmops_provider *p = provider_opts(&kinds[0], &o);
    llmops_request *r = ask("gpt-test", "hi");
    llmops_response *resp = NULL;
    llmops_response_new(&resp);
    size_t before = lt_mock_request_count(mock);
    cr_assert_eq(llmops_provider_generate(p, r, resp, NULL, NULL), LLMOPS_E_AUTH);
    cr_assert_not_null(strstr(llmops_response_error(resp), "LT_TEST_KEY_NOT_SET"));
    cr_assert_eq(lt_mock_request_count(mock), before);
    llmops_response_free(resp);
    llmops_request_free(r);
    llmops_provider_free(p);
}

static long key_cb(char *buf, size_t cap, void *ud)
{
    const char *k = ud;
    size_t n = strlen(k);
    if (n > cap)
        return -1;
    memcpy(buf, k, n);
    return (long)n;
}

Test(http, key_callback_and_a_provider_quoting_the_key_back)
{
    llmops_provider_options o = LLMOPS_PROVIDER_OPTIONS_INIT;
    o.key_fn = key_cb;
    o.key_user_data = "sk-from-callback-987654";
    llmops_provider *p = provider_opts(&kinds[0], &o);
    llmops_request *r = ask("gpt-test", "hi");
    llmops_request_set_keep_raw(r, 1);
    llmops_response *resp = NULL;
    llmops_response_new(&resp);
    lt_mock_push_simple(mock, 401, "x-request-id: req_abc",
                        "{\"error\":{\"message\":\"Incorrect API key provided: "
                        "sk-from-callback-987654.\",\"type\":\"invalid_request_error\","
                        "\"code\":\"invalid_api_key\"}}");
    cr_assert_eq(llmops_provider_generate(p, r, resp, NULL, NULL), LLMOPS_E_AUTH);
    const char *err = llmops_response_error(resp);
    cr_assert_null(strstr(err, "sk-from-callback"), "key leaked: %s", err);
    cr_assert_not_null(strstr(err, "Incorrect API key"), "%s", err);
    cr_assert_not_null(strstr(err, "401"), "%s", err);
    cr_assert_not_null(strstr(err, "req_abc"), "%s", err);
    size_t raw_len;
    const char *raw = llmops_response_raw(resp, &raw_len);
    cr_assert_not_null(raw);
    cr_assert_null(strstr(raw, "sk-from-callback"));
    cr_assert_str_eq(llmops_response_request_id(resp), "req_abc");
    lt_mock_request got;
    lt_mock_request_last(mock, &got);
    char value[128];
    lt_mock_request_header(&got, "Authorization", value, sizeof value);
    cr_assert_str_eq(value, "Bearer sk-from-callback-987654");
    lt_mock_request_free(&got);
    llmops_response_free(resp);
    llmops_request_free(r);
    llmops_provider_free(p);
}

typedef struct err_case {
    int kind;
    int status;
    const char *headers;
    const char *body;
    llmops_status want;
    uint64_t retry_ms_min, retry_ms_max;
} err_case;

Test(http, errors_map_to_typed_statuses_with_hints)
{
    static const err_case cases[] = {
        {0, 429, "Retry-After: 7", "{\"error\":{\"message\":\"slow down\",\"type\":\"requests\","
                                   "\"code\":\"rate_limit_exceeded\"}}",
         LLMOPS_E_RATE_LIMITED, 7000, 7000},
        {0, 429, "retry-after-ms: 1500", "{\"error\":{\"message\":\"slow\"}}",
         LLMOPS_E_RATE_LIMITED, 1500, 1500},
        {0, 429, "x-ratelimit-reset-requests: 2.5s", "{\"error\":{\"message\":\"slow\"}}",
         LLMOPS_E_RATE_LIMITED, 2500, 2500},
        {0, 400, NULL,
         "{\"error\":{\"message\":\"This model's maximum context length is 8192 tokens\","
         "\"code\":\"context_length_exceeded\"}}",
         LLMOPS_E_CONTEXT_LENGTH, 0, 0},
        {0, 404, NULL, "{\"error\":{\"message\":\"The model does not exist\","
                       "\"code\":\"model_not_found\"}}",
         LLMOPS_E_MODEL_NOT_FOUND, 0, 0},
        {0, 500, NULL, "oops", LLMOPS_E_PROVIDER, 0, 0},
        {0, 503, NULL, "", LLMOPS_E_OVERLOADED, 0, 0},
        {2, 529, NULL, "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\","
                       "\"message\":\"Overloaded\"}}",
         LLMOPS_E_OVERLOADED, 0, 0},
        {2, 403, NULL, "{\"type\":\"error\",\"error\":{\"type\":\"permission_error\","
                       "\"message\":\"no\"}}",
         LLMOPS_E_PERMISSION, 0, 0},
        {4, 404, NULL, "{\"error\":\"model \\\"llama-test\\\" not found, try pulling it first\"}",
         LLMOPS_E_MODEL_NOT_FOUND, 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const err_case *c = &cases[i];
        const kind *k = &kinds[c->kind];
        llmops_provider *p = provider(k);
        llmops_request *r = ask(k->model, "hi");
        llmops_response *resp = NULL;
        llmops_response_new(&resp);
        lt_mock_push_simple(mock, c->status, c->headers, c->body);
        llmops_status st = llmops_provider_generate(p, r, resp, NULL, NULL);
        cr_assert_eq(st, c->want, "case %zu (%s %d): got %s: %s", i, k->type, c->status,
                     llmops_status_str(st), llmops_response_error(resp));
        cr_assert_eq(llmops_response_http_status(resp), c->status);
        uint64_t ra = llmops_response_retry_after_ms(resp);
        cr_assert(ra >= c->retry_ms_min && ra <= c->retry_ms_max, "case %zu: retry %llu", i,
                  (unsigned long long)ra);
        llmops_response_free(resp);
        llmops_request_free(r);
        llmops_provider_free(p);
    }
}

Test(http, gemini_retry_info_and_http_date_hints)
{
    llmops_provider *p = provider(&kinds[3]);
    llmops_request *r = ask("gemini-test", "hi");
    llmops_response *resp = NULL;
    llmops_response_new(&resp);
    lt_mock_push_gemini_retry(mock, "30s");
    cr_assert_eq(llmops_provider_generate(p, r, resp, NULL, NULL), LLMOPS_E_RATE_LIMITED, "%s",
                 llmops_response_error(resp));
    cr_assert_eq(llmops_response_retry_after_ms(resp), 30000);
    llmops_provider_free(p);
    p = provider(&kinds[0]);
    llmops_request_set_model(r, "gpt-test");
    lt_mock_push_retry_after_date(mock, 120);
    cr_assert_eq(llmops_provider_generate(p, r, resp, NULL, NULL), LLMOPS_E_RATE_LIMITED);
    uint64_t ra = llmops_response_retry_after_ms(resp);
    cr_assert(ra >= 100000 && ra <= 121000, "HTTP-date hint %llu", (unsigned long long)ra);
    llmops_response_free(resp);
    llmops_request_free(r);
    llmops_provider_free(p);
}

Test(http, malformed_and_truncated_answers_are_typed)
{
    llmops_provider *p = provider(&kinds[0]);
    llmops_request *r = ask("gpt-test", "hi");
    llmops_response *resp = NULL;
    llmops_response_new(&resp);
    lt_mock_push_simple(mock, 200, NULL, "{\"choices\": [ {\"message\": ");
    cr_assert_eq(llmops_provider_generate(p, r, resp, NULL, NULL), LLMOPS_E_MALFORMED_RESPONSE,
                 "%s", llmops_response_error(resp));

    /* A stream that stops after a few events, without [DONE]. */
    lt_mock_push_simple(mock, 200, NULL,
                        "data: {\"id\":\"x\",\"object\":\"chat.completion.chunk\",\"model\":"
                        "\"gpt-test\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"par\"}}]}"
                        "\n\n");
    deltas d = {{0}, 0, 0, 0};
    llmops_status st = llmops_provider_generate(p, r, resp, on_delta, &d);
    cr_assert_eq(st, LLMOPS_E_MALFORMED_RESPONSE, "%s: %s", llmops_status_str(st),
                 llmops_response_error(resp));
    cr_assert_str_eq(d.text, "par", "what arrived was delivered");

    /* The connection drops in the middle of the body. */
    lt_mock_response cut = {0};
    cut.body = "data: {\"id\":\"x\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
               "\"delta\":{\"content\":\"abc\"}}]}\n\ndata: {\"id\":\"x\",\"choices\":[{\"index\":0,"
               "\"delta\":{\"content\":\"def\"}}]}\n\ndata: [DONE]\n\n";
    cut.fault = LT_MOCK_FAULT_CUT;
    cut.cut_after = 60;
    lt_mock_push(mock, &cut);
    st = llmops_provider_generate(p, r, resp, on_delta, &d);
    cr_assert(st == LLMOPS_E_TRANSPORT || st == LLMOPS_E_MALFORMED_RESPONSE, "cut: %s: %s",
              llmops_status_str(st), llmops_response_error(resp));
    llmops_response_free(resp);
    llmops_request_free(r);
    llmops_provider_free(p);
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

Test(http, timeouts_and_limits_end_bad_servers)
{
    llmops_provider_options o = LLMOPS_PROVIDER_OPTIONS_INIT;
    o.first_byte_timeout_ms = 300;
    o.idle_timeout_ms = 300;
    o.max_response_bytes = 1 << 20;
    llmops_provider *p = provider_opts(&kinds[0], &o);
    llmops_request *r = ask("gpt-test", "hi");
    llmops_response *resp = NULL;
    llmops_response_new(&resp);

    lt_mock_response silent = {0};
    silent.fault = LT_MOCK_FAULT_SILENT;
    silent.max_ms = 5000;
    lt_mock_push(mock, &silent);
    uint64_t t0 = now_ms();
    cr_assert_eq(llmops_provider_generate(p, r, resp, NULL, NULL), LLMOPS_E_TIMEOUT, "%s",
                 llmops_response_error(resp));
    cr_assert_lt(now_ms() - t0, 3000);

    /* An endless stream of keep-alive comments ends at the call's deadline. */
    lt_mock_response endless = {0};
    endless.fault = LT_MOCK_FAULT_ENDLESS;
    endless.body = "data: {\"id\":\"x\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}\n\n";
    endless.content_type = "text/event-stream";
    endless.max_ms = 5000;
    lt_mock_push(mock, &endless);
    llmops_request_set_timeout_ms(r, 500);
    deltas d = {{0}, 0, 0, 0};
    t0 = now_ms();
    cr_assert_eq(llmops_provider_generate(p, r, resp, on_delta, &d), LLMOPS_E_TIMEOUT, "%s",
                 llmops_response_error(resp));
    cr_assert_lt(now_ms() - t0, 3000);
    llmops_request_set_timeout_ms(r, 0);

    lt_mock_response huge = {0};
    huge.fault = LT_MOCK_FAULT_HUGE;
    huge.huge_bytes = 64u << 20;
    huge.max_ms = 5000;
    lt_mock_push(mock, &huge);
    cr_assert_eq(llmops_provider_generate(p, r, resp, NULL, NULL), LLMOPS_E_LIMIT, "%s",
                 llmops_response_error(resp));
    llmops_response_free(resp);
    llmops_request_free(r);
    llmops_provider_free(p);
}

typedef struct canceller {
    llmops_cancel *c;
    unsigned after_ms;
} canceller;

static void *cancel_later(void *arg)
{
    canceller *c = arg;
    struct timespec ts = {0, (long)c->after_ms * 1000000L};
    nanosleep(&ts, NULL);
    llmops_cancel_trigger(c->c);
    return NULL;
}

Test(http, cancel_from_another_thread_ends_the_call_promptly)
{
    llmops_provider *p = provider(&kinds[2]);
    llmops_request *r = ask("claude-test", "hi");
    llmops_cancel *c = NULL;
    llmops_cancel_new(&c);
    llmops_request_set_cancel(r, c);
    llmops_response *resp = NULL;
    llmops_response_new(&resp);
    lt_mock_response silent = {0};
    silent.fault = LT_MOCK_FAULT_SILENT;
    silent.max_ms = 10000;
    lt_mock_push(mock, &silent);
    canceller cl = {c, 200};
    pthread_t t;
    pthread_create(&t, NULL, cancel_later, &cl);
    uint64_t t0 = now_ms();
    cr_assert_eq(llmops_provider_generate(p, r, resp, NULL, NULL), LLMOPS_E_CANCELLED, "%s",
                 llmops_response_error(resp));
    uint64_t took = now_ms() - t0;
    pthread_join(t, NULL);
    cr_assert_lt(took, 2000, "cancel took %llu ms", (unsigned long long)took);
    llmops_cancel_free(c);
    llmops_response_free(resp);
    llmops_request_free(r);
    llmops_provider_free(p);
}

Test(http, embeddings_in_every_format_that_has_them)
{
    const size_t with_embed[] = {0, 3, 4};
    for (size_t j = 0; j < 3; j++) {
        const kind *k = &kinds[with_embed[j]];
        llmops_provider *p = provider(k);
        llmops_request *r = NULL;
        llmops_request_new(&r);
        llmops_request_set_model(r, k->model);
        llmops_request_add_input(r, "first text", SIZE_MAX);
        llmops_request_add_input(r, "second text", SIZE_MAX);
        llmops_request_add_input(r, "first text", SIZE_MAX);
        llmops_request_set_dimensions(r, 16);
        llmops_response *resp = NULL;
        llmops_response_new(&resp);
        cr_assert_eq(llmops_provider_embed(p, r, resp), LLMOPS_OK, "%s: %s", k->type,
                     llmops_response_error(resp));
        cr_assert_eq(llmops_response_embedding_count(resp), 3, "%s", k->type);
        size_t d0, d2;
        const float *v0 = llmops_response_embedding(resp, 0, &d0);
        const float *v2 = llmops_response_embedding(resp, 2, &d2);
        cr_assert_eq(d0, 16, "%s: dims %zu", k->type, d0);
        cr_assert_eq(memcmp(v0, v2, d0 * sizeof *v0), 0, "%s: order kept", k->type);
        llmops_response_free(resp);
        llmops_request_free(r);
        llmops_provider_free(p);
    }
    /* Anthropic has no embeddings endpoint. */
    llmops_provider *p = provider(&kinds[2]);
    llmops_request *r = NULL;
    llmops_request_new(&r);
    llmops_request_add_input(r, "x", 1);
    llmops_response *resp = NULL;
    llmops_response_new(&resp);
    cr_assert_eq(llmops_provider_embed(p, r, resp), LLMOPS_E_UNSUPPORTED);
    llmops_response_free(resp);
    llmops_request_free(r);
    llmops_provider_free(p);
}

Test(http, embeddings_base64_encoding)
{
    llmops_provider *p = provider(&kinds[0]);
    llmops_request *r = NULL;
    llmops_request_new(&r);
    llmops_request_set_model(r, "emb");
    llmops_request_add_input(r, "x", 1);
    llmops_request_set_embed_encoding(r, LLMOPS_EMBED_BASE64);
    llmops_response *resp = NULL;
    llmops_response_new(&resp);
    /* [1.0, -2.5] as little-endian float32, base64. */
    lt_mock_push_simple(mock, 200, NULL,
                        "{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,"
                        "\"embedding\":\"AACAPwAAIMA=\"}],\"model\":\"emb\",\"usage\":"
                        "{\"prompt_tokens\":1,\"total_tokens\":1}}");
    cr_assert_eq(llmops_provider_embed(p, r, resp), LLMOPS_OK, "%s", llmops_response_error(resp));
    size_t dims;
    const float *v = llmops_response_embedding(resp, 0, &dims);
    cr_assert_eq(dims, 2);
    cr_assert_float_eq(v[0], 1.0f, 1e-6);
    cr_assert_float_eq(v[1], -2.5f, 1e-6);
    lt_mock_request got;
    lt_mock_request_last(mock, &got);
    cr_assert_not_null(strstr(got.body, "base64"));
    lt_mock_request_free(&got);
    llmops_response_free(resp);
    llmops_request_free(r);
    llmops_provider_free(p);
}

Test(http, classify_natively_and_through_generate)
{
    llmops_provider *p = provider(&kinds[0]);
    llmops_request *r = ask("gpt-test", "flag me please");
    llmops_response *resp = NULL;
    llmops_response_new(&resp);
    /* No labels of its own: OpenAI's moderation endpoint answers. */
    cr_assert_eq(llmops_provider_classify(p, r, resp), LLMOPS_OK, "%s",
                 llmops_response_error(resp));
    cr_assert_geq(llmops_response_label_count(resp), 1);
    cr_assert_str_eq(llmops_response_label(resp, 0, NULL), "violence");
    lt_mock_request got;
    lt_mock_request_last(mock, &got);
    cr_assert_not_null(strstr(got.target, "/moderations"));
    lt_mock_request_free(&got);

    /* With labels: generate constrained by a JSON Schema enum. */
    llmops_request_add_label(r, "spam");
    llmops_request_add_label(r, "ham");
    lt_mock_push_simple(mock, 200, NULL,
                        "{\"id\":\"c1\",\"object\":\"chat.completion\",\"model\":\"gpt-test\","
                        "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
                        "\"content\":\"{\\\"label\\\":\\\"ham\\\"}\"},\"finish_reason\":"
                        "\"stop\"}],\"usage\":{\"prompt_tokens\":20,\"completion_tokens\":5,"
                        "\"total_tokens\":25}}");
    cr_assert_eq(llmops_provider_classify(p, r, resp), LLMOPS_OK, "%s",
                 llmops_response_error(resp));
    cr_assert_str_eq(llmops_response_label(resp, 0, NULL), "ham");
    llmops_usage u = LLMOPS_USAGE_INIT;
    cr_assert_eq(llmops_response_usage(resp, &u), LLMOPS_OK);
    cr_assert_eq(u.input_tokens, 20);
    lt_mock_request_last(mock, &got);
    cr_assert_not_null(strstr(got.body, "\"enum\""), "%s", got.body);
    cr_assert_not_null(strstr(got.body, "json_schema"));
    lt_mock_request_free(&got);
    llmops_response_free(resp);
    llmops_request_free(r);
    llmops_provider_free(p);
}

typedef struct worker {
    llmops_provider *p;
    int ok;
} worker;

static void *run_calls(void *arg)
{
    worker *w = arg;
    llmops_request *r = ask("gpt-test", "threads");
    llmops_response *resp = NULL;
    llmops_response_new(&resp);
    for (int i = 0; i < 25; i++)
        if (llmops_provider_generate(w->p, r, resp, NULL, NULL) == LLMOPS_OK &&
            strcmp(llmops_response_text(resp, NULL), "echo: threads") == 0)
            w->ok++;
    llmops_response_free(resp);
    llmops_request_free(r);
    return NULL;
}

Test(http, one_provider_shared_by_threads_reuses_connections)
{
    llmops_provider *p = provider(&kinds[0]);
    unsigned conns_before = lt_mock_connections(mock);
    worker w[4];
    pthread_t t[4];
    for (int i = 0; i < 4; i++) {
        w[i].p = p;
        w[i].ok = 0;
        pthread_create(&t[i], NULL, run_calls, &w[i]);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        cr_assert_eq(w[i].ok, 25);
    }
    unsigned conns = lt_mock_connections(mock) - conns_before;
    cr_assert_leq(conns, 12, "100 calls over %u connections", conns);
    llmops_provider_free(p);
}

Test(http, options_are_validated)
{
    llmops_provider *p = NULL;
    char *why = NULL;
    llmops_provider_options o = LLMOPS_PROVIDER_OPTIONS_INIT;
    o.base_url = "ftp://example";
    cr_assert_eq(llmops_provider_new(&p, "openai", NULL, &o, &why), LLMOPS_E_CONFIG);
    cr_assert_not_null(strstr(why, "base_url"));
    llmops_free(why);
    o.base_url = NULL;
    o.azure = 1;
    cr_assert_eq(llmops_provider_new(&p, "anthropic", NULL, &o, &why), LLMOPS_E_CONFIG);
    llmops_free(why);
    o.azure = 0;
    const char *bad_headers[] = {"X-Ok: 1", "Broken\r\nInjected: 1", NULL};
    o.headers = bad_headers;
    cr_assert_eq(llmops_provider_new(&p, "openai", NULL, &o, &why), LLMOPS_E_CONFIG);
    cr_assert_not_null(strstr(why, "headers[1]"), "%s", why);
    llmops_free(why);
    o.headers = NULL;
    o.version = 99;
    cr_assert_eq(llmops_provider_new(&p, "openai", NULL, &o, &why), LLMOPS_E_CONFIG);
    llmops_free(why);
    cr_assert_null(p);
}

Test(http, no_model_anywhere_is_explained)
{
    llmops_provider *p = provider(&kinds[0]);
    llmops_request *r = NULL;
    llmops_request_new(&r);
    llmops_request_add_message(r, LLMOPS_ROLE_USER, "hi", SIZE_MAX);
    llmops_response *resp = NULL;
    llmops_response_new(&resp);
    cr_assert_eq(llmops_provider_generate(p, r, resp, NULL, NULL), LLMOPS_E_INVALID_ARGUMENT);
    cr_assert_not_null(strstr(llmops_response_error(resp), "default_model"));
    llmops_response_free(resp);
    llmops_request_free(r);
    llmops_provider_free(p);
}

/* ---- resilience over the real path -------------------------------------- */

static llmops_provider *named(const kind *k, const char *name)
{
    char base[256];
    snprintf(base, sizeof base, "%s%s", lt_mock_url(mock), k->suffix);
    llmops_provider_options o = LLMOPS_PROVIDER_OPTIONS_INIT;
    o.base_url = base;
    o.api_key_env = "LT_TEST_KEY";
    llmops_provider *p = NULL;
    char *why = NULL;
    llmops_status st = llmops_provider_new(&p, k->type, name, &o, &why);
    cr_assert_eq(st, LLMOPS_OK, "%s: %s: %s", k->type, llmops_status_str(st), why ? why : "");
    return p;
}

Test(http, fallback_retries_then_moves_to_the_next_provider)
{
    llmops_provider *targets[2] = {named(&kinds[0], "main"), named(&kinds[2], "backup")};
    const char *models[2] = {NULL, "claude-test"};
    llmops_retry_options ro = LLMOPS_RETRY_OPTIONS_INIT;
    ro.max_attempts = 2;
    ro.base_delay_ms = 1;
    ro.max_delay_ms = 5;
    llmops_provider *fb = NULL;
    cr_assert_eq(llmops_provider_new_fallback(&fb, "chain", targets, models, 2, &ro), LLMOPS_OK);
    llmops_provider_free(targets[0]);
    llmops_provider_free(targets[1]);

    llmops_request *r = ask("gpt-test", "hello");
    llmops_response *resp = NULL;
    llmops_response_new(&resp);
    lt_mock_push_simple(mock, 503, NULL, "{\"error\":{\"message\":\"busy\"}}");
    lt_mock_push_simple(mock, 500, NULL, "{\"error\":{\"message\":\"boom\"}}");
    deltas d = {{0}, 0, 0, 0};
    cr_assert_eq(llmops_provider_generate(fb, r, resp, on_delta, &d), LLMOPS_OK, "%s",
                 llmops_response_error(resp));
    cr_assert_str_eq(d.text, "echo: hello", "only the answer that succeeded was streamed");
    cr_assert_str_eq(llmops_response_provider(resp), "backup");
    cr_assert_eq(llmops_response_attempt_count(resp), 3);
    llmops_attempt a = LLMOPS_ATTEMPT_INIT;
    llmops_response_attempt(resp, 0, &a);
    cr_assert_str_eq(a.target, "main");
    cr_assert_eq(a.http_status, 503);
    cr_assert_eq(a.status, LLMOPS_E_OVERLOADED);
    llmops_response_attempt(resp, 1, &a);
    cr_assert_eq(a.http_status, 500);
    llmops_response_attempt(resp, 2, &a);
    cr_assert_str_eq(a.target, "backup");
    cr_assert_str_eq(a.model, "claude-test");
    cr_assert_eq(a.status, LLMOPS_OK);
    lt_mock_request got;
    lt_mock_request_last(mock, &got);
    cr_assert_not_null(strstr(got.body, "claude-test"), "the backup's model was sent");
    lt_mock_request_free(&got);
    llmops_response_free(resp);
    llmops_request_free(r);
    llmops_provider_free(fb);
}

Test(http, fallback_honours_the_retry_hint_and_the_deadline)
{
    llmops_provider *t = named(&kinds[0], "main");
    llmops_retry_options ro = LLMOPS_RETRY_OPTIONS_INIT;
    ro.max_attempts = 3;
    ro.base_delay_ms = 1;
    ro.max_delay_ms = 2;
    llmops_provider *fb = NULL;
    cr_assert_eq(llmops_provider_new_fallback(&fb, "chain", &t, NULL, 1, &ro), LLMOPS_OK);
    llmops_provider_free(t);
    llmops_request *r = ask("gpt-test", "hi");
    llmops_response *resp = NULL;
    llmops_response_new(&resp);

    /* A 300 ms hint is waited out even though the backoff would be 1 ms. */
    lt_mock_push_simple(mock, 429, "retry-after-ms: 300", "{\"error\":{\"message\":\"slow\"}}");
    uint64_t t0 = now_ms();
    cr_assert_eq(llmops_provider_generate(fb, r, resp, NULL, NULL), LLMOPS_OK, "%s",
                 llmops_response_error(resp));
    cr_assert_geq(now_ms() - t0, 290);
    cr_assert_eq(llmops_response_attempt_count(resp), 2);

    /* A hint beyond the call's deadline is not waited for. */
    llmops_request_set_timeout_ms(r, 1000);
    lt_mock_push_simple(mock, 429, "Retry-After: 30", "{\"error\":{\"message\":\"slow\"}}");
    t0 = now_ms();
    llmops_status st = llmops_provider_generate(fb, r, resp, NULL, NULL);
    cr_assert_neq(st, LLMOPS_OK);
    cr_assert_lt(now_ms() - t0, 900, "no 30 s wait");
    cr_assert_eq(llmops_response_attempt_count(resp), 1);
    lt_mock_clear(mock);
    llmops_response_free(resp);
    llmops_request_free(r);
    llmops_provider_free(fb);
}

Test(http, traceparent_reaches_the_provider)
{
    llmops_provider *p = provider(&kinds[0]);
    llmops_request *r = ask("gpt-test", "hi");
    cr_assert_eq(llmops_request_set_traceparent(r, "00-abc"), LLMOPS_E_INVALID_ARGUMENT);
    const char *tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    cr_assert_eq(llmops_request_set_traceparent(r, tp), LLMOPS_OK);
    llmops_response *resp = NULL;
    llmops_response_new(&resp);
    cr_assert_eq(llmops_provider_generate(p, r, resp, NULL, NULL), LLMOPS_OK);
    lt_mock_request got;
    lt_mock_request_last(mock, &got);
    char value[128];
    cr_assert_eq(lt_mock_request_header(&got, "traceparent", value, sizeof value), 1);
    cr_assert_str_eq(value, tp);
    lt_mock_request_free(&got);
    /* Not part of the fingerprint: the same request either way. */
    char a[65], b[65];
    llmops_request_fingerprint(r, a);
    llmops_request_set_traceparent(r, NULL);
    llmops_request_fingerprint(r, b);
    cr_assert_str_eq(a, b);
    llmops_response_free(resp);
    llmops_request_free(r);
    llmops_provider_free(p);
}
