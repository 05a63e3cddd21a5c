/* The response object and the streaming sink. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "llmops.h"
#include "provider/response.h"
#include "provider/stream.h"

Test(response, setters_and_getters)
{
    llmops_response *r = NULL;
    cr_assert_eq(llmops_response_new(&r), LLMOPS_OK);
    size_t len = 9;
    cr_assert_str_eq(llmops_response_text(r, &len), "");
    cr_assert_eq(len, 0);
    cr_assert_eq(llmops_response_set_text(r, "bad\xc3", SIZE_MAX), LLMOPS_E_INVALID_ARGUMENT);
    cr_assert_eq(llmops_response_set_text(r, "héllo", SIZE_MAX), LLMOPS_OK);
    cr_assert_str_eq(llmops_response_text(r, &len), "héllo");
    cr_assert_eq(llmops_response_add_tool_call(r, "id1", "f", "{\"x\":1}"), LLMOPS_OK);
    cr_assert_eq(llmops_response_add_tool_call(r, NULL, "g", NULL), LLMOPS_OK);
    cr_assert_eq(llmops_response_add_tool_call(r, NULL, "h", "{nope"), LLMOPS_E_PARSE);
    cr_assert_eq(llmops_response_tool_call_count(r), 2);
    cr_assert_str_eq(llmops_response_tool_call_arguments(r, 1), "{}");
    cr_assert_null(llmops_response_tool_call_id(r, 1));

    llmops_usage u = LLMOPS_USAGE_INIT;
    cr_assert_eq(llmops_response_usage(r, &u), LLMOPS_E_NOT_FOUND);
    u.input_tokens = 10;
    u.output_tokens = 5;
    cr_assert_eq(llmops_response_set_usage(r, &u), LLMOPS_OK);
    llmops_usage back = LLMOPS_USAGE_INIT;
    cr_assert_eq(llmops_response_usage(r, &back), LLMOPS_OK);
    cr_assert_eq(back.input_tokens, 10);
    cr_assert_eq(back.output_tokens, 5);

    cr_assert_eq(llmops_response_set_error(r, LLMOPS_OK, "x"), LLMOPS_E_INVALID_ARGUMENT);
    cr_assert_eq(llmops_response_set_error(r, LLMOPS_E_RATE_LIMITED, "slow down"), LLMOPS_OK);
    cr_assert_eq(llmops_response_status(r), LLMOPS_E_RATE_LIMITED);
    cr_assert_str_eq(llmops_response_error(r), "slow down");

    llmops_response_reset(r);
    cr_assert_eq(llmops_response_status(r), LLMOPS_OK);
    cr_assert_eq(llmops_response_tool_call_count(r), 0);
    cr_assert_eq(llmops_response_usage(r, &back), LLMOPS_E_NOT_FOUND);
    llmops_response_free(r);
}

Test(response, labels_sorted_best_first)
{
    llmops_response *r = NULL;
    llmops_response_new(&r);
    cr_assert_eq(llmops_response_add_label(r, "b", 0.2), LLMOPS_OK);
    cr_assert_eq(llmops_response_add_label(r, "a", 0.9), LLMOPS_OK);
    cr_assert_eq(llmops_response_add_label(r, "c", 0.5), LLMOPS_OK);
    cr_assert_eq(llmops_response_add_label(r, "d", 1.5), LLMOPS_E_INVALID_ARGUMENT);
    double s;
    cr_assert_str_eq(llmops_response_label(r, 0, &s), "a");
    cr_assert_float_eq(s, 0.9, 1e-12);
    cr_assert_str_eq(llmops_response_label(r, 1, NULL), "c");
    cr_assert_str_eq(llmops_response_label(r, 2, NULL), "b");
    cr_assert_null(llmops_response_label(r, 3, &s));
    llmops_response_free(r);
}

Test(response, embeddings_and_attempts)
{
    llmops_response *r = NULL;
    llmops_response_new(&r);
    float v1[3] = {1, 2, 3}, v2[2] = {4, 5};
    cr_assert_eq(llmops_response_add_embedding(r, v1, 3), LLMOPS_OK);
    cr_assert_eq(llmops_response_add_embedding(r, v2, 2), LLMOPS_OK);
    size_t dims;
    const float *e = llmops_response_embedding(r, 1, &dims);
    cr_assert_eq(dims, 2);
    cr_assert_float_eq(e[1], 5.0f, 1e-6);
    cr_assert_null(llmops_response_embedding(r, 2, &dims));

    cr_assert_eq(llmops__response_add_attempt(r, "p1", "m", LLMOPS_E_RATE_LIMITED, 429, 10, 500),
                 LLMOPS_OK);
    llmops_attempt a = LLMOPS_ATTEMPT_INIT;
    cr_assert_eq(llmops_response_attempt(r, 0, &a), LLMOPS_OK);
    cr_assert_str_eq(a.target, "p1");
    cr_assert_eq(a.http_status, 429);
    cr_assert_eq(a.retry_after_ms, 500);
    cr_assert_eq(llmops_response_attempt(r, 1, &a), LLMOPS_E_NOT_FOUND);
    /* A retry clears the answer but keeps the attempts. */
    llmops_response_set_text(r, "partial", SIZE_MAX);
    llmops__response_clear_for_attempt(r);
    cr_assert_eq(llmops_response_attempt_count(r), 1);
    cr_assert_eq(llmops_response_embedding_count(r), 0);
    cr_assert_str_eq(llmops_response_text(r, NULL), "");
    llmops_response_free(r);
}

Test(response, fail_formats_long_messages)
{
    llmops_response *r = NULL;
    llmops_response_new(&r);
    char big[2000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = 0;
    cr_assert_eq(llmops__response_fail(r, LLMOPS_E_PROVIDER, "p: %s", big), LLMOPS_E_PROVIDER);
    cr_assert_eq(strlen(llmops_response_error(r)), 3 + sizeof big - 1);
    llmops_response_free(r);
}

/* ---- the streaming sink ------------------------------------------------- */

typedef struct seen {
    char log[1024];
    int stop_after;
    int count;
} seen;

static int record(const llmops_delta *d, void *ud)
{
    seen *s = ud;
    static const char *const kinds[] = {"?", "T", "R", "C", "D"};
    char piece[256];
    snprintf(piece, sizeof piece, "%s%zu:%.*s|", kinds[d->kind], d->tool_index, (int)d->len,
             d->text);
    strncat(s->log, piece, sizeof s->log - strlen(s->log) - 1);
    s->count++;
    return s->stop_after && s->count >= s->stop_after;
}

Test(stream, deltas_accumulate_and_calls_close_in_order)
{
    llmops_response *r = NULL;
    llmops_response_new(&r);
    r->start_ns = 1;
    seen s = {{0}, 0, 0};
    llmops_stream st;
    llmops__stream_init(&st, r, record, &s);
    cr_assert_eq(llmops__stream_reasoning(&st, "hmm", 3), LLMOPS_OK);
    cr_assert_eq(llmops__stream_text(&st, "Hi", 2), LLMOPS_OK);
    cr_assert_eq(llmops__stream_tool_call(&st, 0, "a", 1, "f", 1, "{\"x\"", 4), LLMOPS_OK);
    cr_assert_eq(llmops__stream_tool_call(&st, 0, NULL, 0, NULL, 0, ":1}", 3), LLMOPS_OK);
    cr_assert_eq(llmops__stream_tool_call(&st, 1, "b", 1, "g", 1, "", 0), LLMOPS_OK);
    cr_assert_eq(llmops__stream_finish(&st), LLMOPS_OK);
    cr_assert_str_eq(s.log, "R0:hmm|T0:Hi|C0:{\"x\"|C0::1}|D0:{\"x\":1}|C1:|D1:{}|");
    cr_assert_str_eq(llmops_response_text(r, NULL), "Hi");
    cr_assert_str_eq(llmops_response_tool_call_arguments(r, 0), "{\"x\":1}");
    cr_assert_neq(r->ttft_ns, 0);
    llmops_response_free(r);
}

Test(stream, filled_response_is_delivered_whole_at_finish)
{
    llmops_response *r = NULL;
    llmops_response_new(&r);
    seen s = {{0}, 0, 0};
    llmops_stream st;
    llmops__stream_init(&st, r, record, &s);
    llmops_response_set_text(r, "whole", SIZE_MAX);
    llmops_response_add_tool_call(r, "id", "f", "{}");
    cr_assert_eq(llmops__stream_finish(&st), LLMOPS_OK);
    cr_assert_str_eq(s.log, "T0:whole|C0:{}|D0:{}|");
    llmops_response_free(r);
}

Test(stream, callback_stop_aborts_and_sticks)
{
    llmops_response *r = NULL;
    llmops_response_new(&r);
    seen s = {{0}, 2, 0};
    llmops_stream st;
    llmops__stream_init(&st, r, record, &s);
    cr_assert_eq(llmops__stream_text(&st, "a", 1), LLMOPS_OK);
    cr_assert_eq(llmops__stream_text(&st, "b", 1), LLMOPS_E_ABORTED);
    cr_assert_eq(llmops__stream_text(&st, "c", 1), LLMOPS_E_ABORTED);
    cr_assert_eq(llmops__stream_finish(&st), LLMOPS_E_ABORTED);
    cr_assert_eq(s.count, 2);
    llmops_response_free(r);
}

Test(stream, public_emitters_validate)
{
    llmops_response *r = NULL;
    llmops_response_new(&r);
    llmops_stream st;
    llmops__stream_init(&st, r, NULL, NULL);
    cr_assert_eq(llmops_stream_text(&st, "\xff", 1), LLMOPS_E_INVALID_ARGUMENT);
    cr_assert_eq(llmops_stream_tool_call(&st, 0, "x", NULL, "{}", 2), LLMOPS_E_INVALID_ARGUMENT,
                 "a new call needs a name");
    cr_assert_eq(llmops_stream_tool_call(&st, 5, "x", "f", "{}", 2), LLMOPS_E_INVALID_ARGUMENT);
    cr_assert_eq(llmops_stream_tool_call(&st, 0, "x", "f", "{", 1), LLMOPS_OK);
    cr_assert_eq(llmops_stream_tool_call(&st, 0, NULL, NULL, "}", 1), LLMOPS_OK);
    cr_assert_str_eq(llmops_response_tool_call_arguments(r, 0), "{}");
    llmops_response_free(r);
}
