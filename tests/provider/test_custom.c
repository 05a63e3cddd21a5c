/* Host providers through the vtable: the public call path (reset, settle,
 * streaming, attempts, classify through generate, cancellation). */
#include <criterion/criterion.h>
#include <string.h>

#include "llmops.h"

typedef struct host {
    int destroyed;
    int calls;
    const char *answer;      /* text to answer */
    int stream_pieces;       /* answer through the stream in 1-byte pieces */
    llmops_status fail;      /* return this without a message */
    const char *seen_model;
} host;

static llmops_status gen(void *self, const llmops_request *req, llmops_response *resp,
                         llmops_stream *stream)
{
    host *h = self;
    h->calls++;
    h->seen_model = llmops_request_model(req);
    if (h->fail)
        return h->fail;
    const char *a = h->answer ? h->answer : "ok";
    if (stream && h->stream_pieces) {
        for (size_t i = 0; a[i]; i++) {
            llmops_status st = llmops_stream_text(stream, a + i, 1);
            if (st != LLMOPS_OK)
                return st;
        }
    } else {
        llmops_response_set_text(resp, a, SIZE_MAX);
    }
    llmops_usage u = LLMOPS_USAGE_INIT;
    u.input_tokens = 3;
    u.output_tokens = (int64_t)strlen(a);
    llmops_response_set_usage(resp, &u);
    llmops_response_set_finish_reason(resp, LLMOPS_FINISH_STOP, "stop");
    return LLMOPS_OK;
}

static llmops_status emb(void *self, const llmops_request *req, llmops_response *resp)
{
    for (size_t i = 0; i < llmops_request_input_count(req); i++) {
        float v[2] = {(float)i, 1.0f};
        llmops_response_add_embedding(resp, v, 2);
    }
    return LLMOPS_OK;
}

static void destroy(void *self)
{
    ((host *)self)->destroyed++;
}

static llmops_provider *make(host *h, int with_embed)
{
    llmops_provider_vtable vt = {LLMOPS_PROVIDER_VTABLE_VERSION, gen, NULL,
                                 with_embed ? emb : NULL, destroy};
    llmops_provider *p = NULL;
    cr_assert_eq(llmops_provider_new_custom(&p, "host", &vt, h), LLMOPS_OK);
    return p;
}

static llmops_request *ask(const char *text)
{
    llmops_request *r = NULL;
    llmops_request_new(&r);
    llmops_request_set_model(r, "m");
    llmops_request_add_message(r, LLMOPS_ROLE_USER, text, SIZE_MAX);
    return r;
}

typedef struct collect {
    char text[256];
    int n;
    int stop_at;
} collect;

static int on_delta(const llmops_delta *d, void *ud)
{
    collect *c = ud;
    if (d->kind == LLMOPS_DELTA_TEXT)
        strncat(c->text, d->text, d->len);
    c->n++;
    return c->stop_at && c->n >= c->stop_at;
}

Test(custom, generate_streamed_equals_non_streamed)
{
    host h = {0};
    h.answer = "hello";
    h.stream_pieces = 1;
    llmops_provider *p = make(&h, 0);
    llmops_request *r = ask("hi");
    llmops_response *a = NULL, *b = NULL;
    llmops_response_new(&a);
    llmops_response_new(&b);
    cr_assert_eq(llmops_provider_generate(p, r, a, NULL, NULL), LLMOPS_OK);
    collect c = {{0}, 0, 0};
    cr_assert_eq(llmops_provider_generate(p, r, b, on_delta, &c), LLMOPS_OK);
    cr_assert_str_eq(c.text, "hello");
    cr_assert_eq(c.n, 5, "one delta per streamed piece");
    cr_assert_str_eq(llmops_response_text(a, NULL), llmops_response_text(b, NULL));
    llmops_usage ua = LLMOPS_USAGE_INIT, ub = LLMOPS_USAGE_INIT;
    llmops_response_usage(a, &ua);
    llmops_response_usage(b, &ub);
    cr_assert_eq(ua.output_tokens, ub.output_tokens);
    cr_assert_eq(llmops_response_attempt_count(b), 1);
    cr_assert_str_eq(llmops_response_provider(b), "host");
    cr_assert_neq(llmops_response_ttft_ns(b), 0);
    cr_assert_eq(llmops_response_ttft_ns(a), 0, "no TTFT without streaming");
    cr_assert_geq(llmops_response_latency_ns(b), llmops_response_ttft_ns(b));
    llmops_response_free(a);
    llmops_response_free(b);
    llmops_request_free(r);
    llmops_provider_free(p);
    cr_assert_eq(h.destroyed, 1);
}

Test(custom, non_streaming_host_still_delivers_one_delta)
{
    host h = {0};
    h.answer = "whole answer";
    llmops_provider *p = make(&h, 0);
    llmops_request *r = ask("hi");
    llmops_response *a = NULL;
    llmops_response_new(&a);
    collect c = {{0}, 0, 0};
    cr_assert_eq(llmops_provider_generate(p, r, a, on_delta, &c), LLMOPS_OK);
    cr_assert_str_eq(c.text, "whole answer");
    cr_assert_eq(c.n, 1);
    llmops_response_free(a);
    llmops_request_free(r);
    llmops_provider_free(p);
}

Test(custom, callback_stop_gives_aborted)
{
    host h = {0};
    h.answer = "abcdef";
    h.stream_pieces = 1;
    llmops_provider *p = make(&h, 0);
    llmops_request *r = ask("hi");
    llmops_response *a = NULL;
    llmops_response_new(&a);
    collect c = {{0}, 0, 2};
    cr_assert_eq(llmops_provider_generate(p, r, a, on_delta, &c), LLMOPS_E_ABORTED);
    cr_assert_eq(llmops_response_status(a), LLMOPS_E_ABORTED);
    cr_assert_eq(c.n, 2);
    llmops_response_free(a);
    llmops_request_free(r);
    llmops_provider_free(p);
}

Test(custom, status_without_message_is_settled)
{
    host h = {0};
    h.fail = LLMOPS_E_OVERLOADED;
    llmops_provider *p = make(&h, 0);
    llmops_request *r = ask("hi");
    llmops_response *a = NULL;
    llmops_response_new(&a);
    cr_assert_eq(llmops_provider_generate(p, r, a, NULL, NULL), LLMOPS_E_OVERLOADED);
    cr_assert_eq(llmops_response_status(a), LLMOPS_E_OVERLOADED);
    cr_assert_not_null(strstr(llmops_response_error(a), "host"));
    llmops_attempt at = LLMOPS_ATTEMPT_INIT;
    cr_assert_eq(llmops_response_attempt(a, 0, &at), LLMOPS_OK);
    cr_assert_eq(at.status, LLMOPS_E_OVERLOADED);
    llmops_response_free(a);
    llmops_request_free(r);
    llmops_provider_free(p);
}

Test(custom, bad_calls_are_explained)
{
    host h = {0};
    llmops_provider *p = make(&h, 0);
    llmops_request *empty = NULL;
    llmops_request_new(&empty);
    llmops_response *a = NULL;
    llmops_response_new(&a);
    cr_assert_eq(llmops_provider_generate(p, empty, a, NULL, NULL), LLMOPS_E_INVALID_ARGUMENT);
    cr_assert_not_null(strstr(llmops_response_error(a), "at least one message"));
    cr_assert_eq(llmops_provider_embed(p, empty, a), LLMOPS_E_INVALID_ARGUMENT);
    llmops_request_add_input(empty, "x", 1);
    cr_assert_eq(llmops_provider_embed(p, empty, a), LLMOPS_E_UNSUPPORTED);
    cr_assert_eq(llmops_provider_generate(NULL, empty, a, NULL, NULL),
                 LLMOPS_E_INVALID_ARGUMENT);
    cr_assert_eq(llmops_provider_generate(p, empty, NULL, NULL, NULL),
                 LLMOPS_E_INVALID_ARGUMENT);
    cr_assert_eq(h.calls, 0, "nothing reached the host");
    llmops_response_free(a);
    llmops_request_free(empty);
    llmops_provider_free(p);
}

Test(custom, cancelled_request_never_starts)
{
    host h = {0};
    llmops_provider *p = make(&h, 0);
    llmops_request *r = ask("hi");
    llmops_cancel *c = NULL;
    llmops_cancel_new(&c);
    llmops_request_set_cancel(r, c);
    llmops_cancel_trigger(c);
    llmops_response *a = NULL;
    llmops_response_new(&a);
    cr_assert_eq(llmops_provider_generate(p, r, a, NULL, NULL), LLMOPS_E_CANCELLED);
    cr_assert_eq(h.calls, 0);
    llmops_cancel_reset(c);
    cr_assert_eq(llmops_provider_generate(p, r, a, NULL, NULL), LLMOPS_OK);
    llmops_cancel_free(c);
    llmops_response_free(a);
    llmops_request_free(r);
    llmops_provider_free(p);
}

Test(custom, embed_one_vector_per_input)
{
    host h = {0};
    llmops_provider *p = make(&h, 1);
    llmops_request *r = NULL;
    llmops_request_new(&r);
    llmops_request_add_input(r, "a", 1);
    llmops_request_add_input(r, "b", 1);
    llmops_response *a = NULL;
    llmops_response_new(&a);
    cr_assert_eq(llmops_provider_embed(p, r, a), LLMOPS_OK);
    cr_assert_eq(llmops_response_embedding_count(a), 2);
    size_t dims;
    cr_assert_float_eq(llmops_response_embedding(a, 1, &dims)[0], 1.0f, 1e-6);
    llmops_response_free(a);
    llmops_request_free(r);
    llmops_provider_free(p);
}

Test(custom, classify_through_generate)
{
    host h = {0};
    h.answer = "{\"label\":\"spam\"}";
    llmops_provider *p = make(&h, 0);
    llmops_request *r = ask("BUY NOW");
    llmops_response *a = NULL;
    llmops_response_new(&a);
    cr_assert_eq(llmops_provider_classify(p, r, a), LLMOPS_E_INVALID_ARGUMENT, "no labels");
    llmops_request_add_label(r, "spam");
    cr_assert_eq(llmops_provider_classify(p, r, a), LLMOPS_E_INVALID_ARGUMENT, "one label");
    llmops_request_add_label(r, "ham");
    cr_assert_eq(llmops_provider_classify(p, r, a), LLMOPS_OK, "%s", llmops_response_error(a));
    double score;
    cr_assert_str_eq(llmops_response_label(a, 0, &score), "spam");
    cr_assert_float_eq(score, 1.0, 1e-12);

    h.answer = "{\"label\":\"eggs\"}";
    cr_assert_eq(llmops_provider_classify(p, r, a), LLMOPS_E_MALFORMED_RESPONSE);
    h.answer = "ham";
    cr_assert_eq(llmops_provider_classify(p, r, a), LLMOPS_OK, "a bare label is accepted");
    cr_assert_str_eq(llmops_response_label(a, 0, NULL), "ham");
    llmops_response_free(a);
    llmops_request_free(r);
    llmops_provider_free(p);
}

Test(custom, new_custom_failure_still_destroys)
{
    host h = {0};
    llmops_provider_vtable vt = {0, gen, NULL, NULL, destroy};
    llmops_provider *p = NULL;
    cr_assert_eq(llmops_provider_new_custom(&p, "x", &vt, &h), LLMOPS_E_INVALID_ARGUMENT);
    cr_assert_null(p);
    cr_assert_eq(h.destroyed, 1);
}

Test(custom, refs_keep_the_provider_alive)
{
    host h = {0};
    llmops_provider *p = make(&h, 0);
    cr_assert_eq(llmops_provider_ref(p), p);
    llmops_provider_free(p);
    cr_assert_eq(h.destroyed, 0);
    cr_assert_str_eq(llmops_provider_type(p), "custom");
    llmops_provider_free(p);
    cr_assert_eq(h.destroyed, 1);
}

Test(custom, unknown_builtin_type_is_explained)
{
    llmops_provider *p = NULL;
    char *why = NULL;
    cr_assert_eq(llmops_provider_new(&p, "openaii", NULL, NULL, &why), LLMOPS_E_NOT_FOUND);
    cr_assert_not_null(why);
    cr_assert_not_null(strstr(why, "openaii"));
    llmops_free(why);
}

Test(custom, host_retry_hint_reaches_the_response)
{
    llmops_response *r = NULL;
    llmops_response_new(&r);
    cr_assert_eq(llmops_response_set_retry_after_ms(r, 1234), LLMOPS_OK);
    cr_assert_eq(llmops_response_retry_after_ms(r), 1234);
    cr_assert_eq(llmops_response_set_retry_after_ms(NULL, 1), LLMOPS_E_INVALID_ARGUMENT);
    llmops_response_free(r);
}
