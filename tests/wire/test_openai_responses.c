/* The OpenAI Responses API wire ("openai-responses"): request building,
 * body, typed stream events and errors, and conformance over the real
 * recordings of OpenAI, OpenRouter, DeepSeek and Bedrock. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "provider/request.h"
#include "provider/response.h"
#include "provider/stream.h"
#include "provider/wire.h"
#include "recordings.h"
#include "testdata.h"

#define KEY "sk-test-responses-0123456789abcdef"

static char base_url[] = "https://api.openai.com/v1";
static char type_name[] = "openai-responses";

static const llmops__wire *W = &llmops__wire_openai_responses;

static llmops__provider_cfg cfg_plain(void)
{
    llmops__provider_cfg c;
    memset(&c, 0, sizeof c);
    c.type = type_name;
    c.name = type_name;
    c.base_url = base_url;
    return c;
}

static const char *jstr(const llmops_json *v, const char *key)
{
    return llmops_json_string(llmops_json_get(v, key), NULL);
}

static int64_t jint(const llmops_json *v, const char *key)
{
    int64_t n = -12345;
    llmops_json_get_int(llmops_json_get(v, key), &n);
    return n;
}

static int text_is(const llmops_response *r, const char *want)
{
    size_t n = 0;
    const char *t = llmops_response_text(r, &n);
    return n == strlen(want) && memcmp(t, want, n) == 0;
}

/* ---- building ------------------------------------------------------------- */

Test(responses_build, body_fields)
{
    llmops_request *req = NULL;
    cr_assert_eq(llmops_request_new(&req), LLMOPS_OK);
    cr_assert_eq(llmops_request_add_message(req, LLMOPS_ROLE_SYSTEM, "Rule one.", SIZE_MAX),
                 LLMOPS_OK);
    cr_assert_eq(llmops_request_add_message(req, LLMOPS_ROLE_SYSTEM, "Rule two.", SIZE_MAX),
                 LLMOPS_OK);
    cr_assert_eq(llmops_request_add_message(req, LLMOPS_ROLE_USER, "Capital of \"France\"?",
                                            SIZE_MAX),
                 LLMOPS_OK);
    cr_assert_eq(llmops_request_add_text_part(req, "Be short.", SIZE_MAX), LLMOPS_OK);
    cr_assert_eq(llmops_request_add_message(req, LLMOPS_ROLE_ASSISTANT, "Checking.", SIZE_MAX),
                 LLMOPS_OK);
    cr_assert_eq(llmops_request_add_tool_call(req, "call_9", "capital", "{\"c\":\"FR\"}"),
                 LLMOPS_OK);
    cr_assert_eq(llmops_request_add_tool_result(req, "call_9", "capital", "Paris", SIZE_MAX),
                 LLMOPS_OK);
    cr_assert_eq(llmops_request_add_tool(req, "capital", "Capital city",
                                         "{\"type\":\"object\",\"properties\":{\"c\":"
                                         "{\"type\":\"string\"}}}"),
                 LLMOPS_OK);
    cr_assert_eq(llmops_request_set_tool_choice(req, LLMOPS_TOOL_CHOICE_NAMED, "capital"),
                 LLMOPS_OK);
    cr_assert_eq(llmops_request_set_response_format(req, LLMOPS_FORMAT_JSON_SCHEMA, NULL,
                                                    "{\"type\":\"object\"}"),
                 LLMOPS_OK);
    cr_assert_eq(llmops_request_set_max_output_tokens(req, 99), LLMOPS_OK);
    cr_assert_eq(llmops_request_set_temperature(req, 0.5), LLMOPS_OK);
    cr_assert_eq(llmops_request_set_top_p(req, 0.9), LLMOPS_OK);
    cr_assert_eq(llmops_request_set_metadata(req, "team", "core"), LLMOPS_OK);

    llmops__provider_cfg cfg = cfg_plain();
    llmops__http_request h;
    llmops__http_request_init(&h);
    llmops_response *resp = NULL;
    cr_assert_eq(llmops_response_new(&resp), LLMOPS_OK);
    cr_assert_eq(W->build(&cfg, req, "gpt-4.1", LLMOPS__OP_GENERATE, 1, KEY, strlen(KEY), &h,
                          resp),
                 LLMOPS_OK, "%s", llmops_response_error(resp));
    cr_assert_str_eq(h.url.data, "https://api.openai.com/v1/responses");
    cr_assert_not_null(strstr(h.headers.data, "Authorization: Bearer " KEY "\n"));
    cr_assert_null(strstr(h.body.data, KEY));
    llmops_json_doc *doc = NULL;
    cr_assert_eq(llmops_json_parse(&doc, h.body.data, h.body.len, NULL, NULL), LLMOPS_OK);
    const llmops_json *b = llmops_json_doc_root(doc);
    cr_assert_str_eq(jstr(b, "model"), "gpt-4.1");
    cr_assert_str_eq(jstr(b, "instructions"), "Rule one.\n\nRule two.");
    const llmops_json *in = llmops_json_get(b, "input");
    cr_assert_eq(llmops_json_size(in), 4, "system messages must not be input items");
    const llmops_json *u = llmops_json_at(in, 0);
    cr_assert_str_eq(jstr(u, "type"), "message");
    cr_assert_str_eq(jstr(u, "role"), "user");
    const llmops_json *parts = llmops_json_get(u, "content");
    cr_assert_eq(llmops_json_size(parts), 2);
    cr_assert_str_eq(jstr(llmops_json_at(parts, 0), "type"), "input_text");
    cr_assert_str_eq(jstr(llmops_json_at(parts, 0), "text"), "Capital of \"France\"?");
    const llmops_json *a = llmops_json_at(in, 1);
    cr_assert_str_eq(jstr(a, "role"), "assistant");
    cr_assert_str_eq(jstr(llmops_json_at(llmops_json_get(a, "content"), 0), "type"),
                     "output_text");
    const llmops_json *fc = llmops_json_at(in, 2);
    cr_assert_str_eq(jstr(fc, "type"), "function_call");
    cr_assert_str_eq(jstr(fc, "call_id"), "call_9");
    cr_assert_str_eq(jstr(fc, "name"), "capital");
    cr_assert_str_eq(jstr(fc, "arguments"), "{\"c\":\"FR\"}");
    const llmops_json *fo = llmops_json_at(in, 3);
    cr_assert_str_eq(jstr(fo, "type"), "function_call_output");
    cr_assert_str_eq(jstr(fo, "call_id"), "call_9");
    cr_assert_str_eq(jstr(fo, "output"), "Paris");
    const llmops_json *tool = llmops_json_at(llmops_json_get(b, "tools"), 0);
    cr_assert_str_eq(jstr(tool, "type"), "function");
    cr_assert_str_eq(jstr(tool, "name"), "capital");
    cr_assert_str_eq(jstr(tool, "description"), "Capital city");
    cr_assert_eq(llmops_json_type_of(llmops_json_get(tool, "strict")), LLMOPS_JSON_BOOL);
    cr_assert(!llmops_json_is_true(llmops_json_get(tool, "strict")));
    cr_assert_str_eq(jstr(llmops_json_get(tool, "parameters"), "type"), "object");
    const llmops_json *tc = llmops_json_get(b, "tool_choice");
    cr_assert_str_eq(jstr(tc, "type"), "function");
    cr_assert_str_eq(jstr(tc, "name"), "capital");
    const llmops_json *fmt = llmops_json_get(llmops_json_get(b, "text"), "format");
    cr_assert_str_eq(jstr(fmt, "type"), "json_schema");
    cr_assert_str_eq(jstr(fmt, "name"), "response");
    cr_assert(llmops_json_is_true(llmops_json_get(fmt, "strict")));
    cr_assert_str_eq(jstr(llmops_json_get(fmt, "schema"), "type"), "object");
    cr_assert_eq(jint(b, "max_output_tokens"), 99);
    double d = 0;
    cr_assert_eq(llmops_json_get_double(llmops_json_get(b, "temperature"), &d), LLMOPS_OK);
    cr_assert_float_eq(d, 0.5, 1e-12);
    cr_assert_str_eq(jstr(llmops_json_get(b, "metadata"), "team"), "core");
    cr_assert(llmops_json_is_true(llmops_json_get(b, "stream")));
    cr_assert_eq(llmops_json_type_of(llmops_json_get(b, "store")), LLMOPS_JSON_BOOL);
    cr_assert(!llmops_json_is_true(llmops_json_get(b, "store")));
    llmops_json_doc_free(doc);
    llmops__http_request_free(&h);

    /* JSON mode, no stream. */
    cr_assert_eq(llmops_request_set_response_format(req, LLMOPS_FORMAT_JSON, NULL, NULL),
                 LLMOPS_OK);
    cr_assert_eq(llmops_request_set_tool_choice(req, LLMOPS_TOOL_CHOICE_REQUIRED, NULL),
                 LLMOPS_OK);
    llmops__http_request_init(&h);
    cr_assert_eq(W->build(&cfg, req, "gpt-4.1", LLMOPS__OP_GENERATE, 0, KEY, strlen(KEY), &h,
                          resp),
                 LLMOPS_OK);
    cr_assert_eq(llmops_json_parse(&doc, h.body.data, h.body.len, NULL, NULL), LLMOPS_OK);
    b = llmops_json_doc_root(doc);
    cr_assert_str_eq(jstr(llmops_json_get(llmops_json_get(b, "text"), "format"), "type"),
                     "json_object");
    cr_assert_str_eq(jstr(b, "tool_choice"), "required");
    cr_assert_null(llmops_json_get(b, "stream"));
    llmops_json_doc_free(doc);
    llmops__http_request_free(&h);
    llmops_response_free(resp);
    llmops_request_free(req);
}

Test(responses_build, refusals_name_the_problem)
{
    llmops__provider_cfg cfg = cfg_plain();
    llmops_request *req = NULL;
    cr_assert_eq(llmops_request_new(&req), LLMOPS_OK);
    cr_assert_eq(llmops_request_add_message(req, LLMOPS_ROLE_USER, "hi", SIZE_MAX), LLMOPS_OK);
    cr_assert_eq(llmops_request_add_stop(req, "STOP"), LLMOPS_OK);
    llmops_response *resp = NULL;
    cr_assert_eq(llmops_response_new(&resp), LLMOPS_OK);
    llmops__http_request h;
    llmops__http_request_init(&h);
    cr_assert_eq(W->build(&cfg, req, "m", LLMOPS__OP_GENERATE, 0, KEY, strlen(KEY), &h, resp),
                 LLMOPS_E_UNSUPPORTED);
    cr_assert_not_null(strstr(llmops_response_error(resp), "stop"));
    cr_assert_null(strstr(llmops_response_error(resp), KEY));
    llmops__http_request_free(&h);
    llmops__http_request_init(&h);
    cr_assert_eq(W->build(&cfg, req, "m", LLMOPS__OP_EMBED, 0, KEY, strlen(KEY), &h, resp),
                 LLMOPS_E_UNSUPPORTED);
    llmops__http_request_free(&h);
    llmops__http_request_init(&h);
    cr_assert_eq(W->build(&cfg, req, NULL, LLMOPS__OP_GENERATE, 0, KEY, strlen(KEY), &h, resp),
                 LLMOPS_E_INVALID_ARGUMENT);
    llmops__http_request_free(&h);
    llmops_response_free(resp);
    llmops_request_free(req);
}

/* ---- parsing bodies --------------------------------------------------------- */

static llmops_response *parse(const char *body)
{
    llmops_response *r = NULL;
    cr_assert_eq(llmops_response_new(&r), LLMOPS_OK);
    W->parse(LLMOPS__OP_GENERATE, body, strlen(body), r);
    llmops__response_finalize(r);
    return r;
}

Test(responses_parse, output_items_usage_finish)
{
    llmops_response *r = parse(
        "{\"id\":\"resp_1\",\"model\":\"gpt-5\",\"status\":\"completed\",\"output\":["
        "{\"type\":\"reasoning\",\"summary\":[{\"type\":\"summary_text\",\"text\":\"Plan.\"}]},"
        "{\"type\":\"message\",\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\","
        "\"text\":\"Hi \"},{\"type\":\"output_text\",\"text\":\"there\"}]},"
        "{\"type\":\"function_call\",\"call_id\":\"call_a\",\"name\":\"f\",\"arguments\":"
        "\"{\\\"x\\\":1}\"},"
        "{\"type\":\"custom_tool_call\",\"call_id\":\"call_b\",\"name\":\"sql\",\"input\":"
        "\"SELECT \\\"a\\\"\"},"
        "{\"type\":\"web_search_call\",\"id\":\"ws\"}],"
        "\"usage\":{\"input_tokens\":20,\"input_tokens_details\":{\"cached_tokens\":8},"
        "\"output_tokens\":12,\"output_tokens_details\":{\"reasoning_tokens\":5},"
        "\"total_tokens\":32}}");
    cr_assert_eq(llmops_response_status(r), LLMOPS_OK, "%s", llmops_response_error(r));
    cr_assert(text_is(r, "Hi there"));
    cr_assert_str_eq(llmops_response_reasoning(r, NULL), "Plan.");
    cr_assert_eq(llmops_response_tool_call_count(r), 2);
    cr_assert_str_eq(llmops_response_tool_call_id(r, 0), "call_a");
    cr_assert_str_eq(llmops_response_tool_call_name(r, 0), "f");
    cr_assert_str_eq(llmops_response_tool_call_arguments(r, 0), "{\"x\":1}");
    cr_assert_str_eq(llmops_response_tool_call_name(r, 1), "sql");
    llmops_json_doc *doc = NULL;
    const char *args = llmops_response_tool_call_arguments(r, 1);
    cr_assert_eq(llmops_json_parse(&doc, args, strlen(args), NULL, NULL), LLMOPS_OK, "%s", args);
    cr_assert_str_eq(jstr(llmops_json_doc_root(doc), "input"), "SELECT \"a\"");
    llmops_json_doc_free(doc);
    cr_assert_eq(llmops_response_finish_reason(r), LLMOPS_FINISH_TOOL_CALLS);
    cr_assert_str_eq(llmops_response_finish_reason_raw(r), "completed");
    cr_assert_str_eq(llmops_response_model(r), "gpt-5");
    cr_assert_str_eq(llmops_response_request_id(r), "resp_1");
    llmops_usage u = LLMOPS_USAGE_INIT;
    cr_assert_eq(llmops_response_usage(r, &u), LLMOPS_OK);
    cr_assert_eq(u.input_tokens, 20);
    cr_assert_eq(u.cached_input_tokens, 8);
    cr_assert_eq(u.output_tokens, 12);
    cr_assert_eq(u.reasoning_tokens, 5);
    cr_assert_eq(u.total_tokens, 32);
    llmops_response_free(r);
}

Test(responses_parse, incomplete_refusal_failed)
{
    llmops_response *r = parse(
        "{\"status\":\"incomplete\",\"incomplete_details\":{\"reason\":\"max_output_tokens\"},"
        "\"output\":[{\"type\":\"message\",\"content\":[{\"type\":\"output_text\",\"text\":"
        "\"Par\"}]}]}");
    cr_assert_eq(llmops_response_status(r), LLMOPS_OK);
    cr_assert_eq(llmops_response_finish_reason(r), LLMOPS_FINISH_LENGTH);
    cr_assert_str_eq(llmops_response_finish_reason_raw(r), "max_output_tokens");
    llmops_response_free(r);
    r = parse("{\"status\":\"incomplete\",\"incomplete_details\":{\"reason\":"
              "\"content_filter\"},\"output\":[]}");
    cr_assert_eq(llmops_response_finish_reason(r), LLMOPS_FINISH_CONTENT_FILTER);
    llmops_response_free(r);
    r = parse("{\"status\":\"completed\",\"output\":[{\"type\":\"message\",\"content\":[{"
              "\"type\":\"refusal\",\"refusal\":\"Sorry, no.\"}]}]}");
    cr_assert(text_is(r, "Sorry, no."));
    cr_assert_eq(llmops_response_finish_reason(r), LLMOPS_FINISH_CONTENT_FILTER);
    llmops_response_free(r);
    r = parse("{\"status\":\"failed\",\"error\":{\"code\":\"server_error\",\"message\":"
              "\"Something broke\"},\"output\":[]}");
    cr_assert_eq(llmops_response_status(r), LLMOPS_E_PROVIDER);
    cr_assert_not_null(strstr(llmops_response_error(r), "Something broke"));
    llmops_response_free(r);
    r = parse("{\"error\":{\"type\":\"invalid_request_error\",\"message\":\"bad\"}}");
    cr_assert_eq(llmops_response_status(r), LLMOPS_E_BAD_REQUEST);
    llmops_response_free(r);
    r = parse("{\"output\": 3}");
    cr_assert_eq(llmops_response_status(r), LLMOPS_E_MALFORMED_RESPONSE);
    cr_assert_not_null(strstr(llmops_response_error(r), "output"));
    llmops_response_free(r);
    r = parse("nope");
    cr_assert_eq(llmops_response_status(r), LLMOPS_E_MALFORMED_RESPONSE);
    llmops_response_free(r);
}

Test(responses_errors, http_errors)
{
    llmops_response *r = NULL;
    cr_assert_eq(llmops_response_new(&r), LLMOPS_OK);
    const char *body = "{\"error\":{\"message\":\"Unsupported parameter: 'temperature'\","
                       "\"type\":\"invalid_request_error\",\"param\":\"temperature\","
                       "\"code\":\"unsupported_parameter\"}}";
    W->parse_error(400, body, strlen(body), r);
    cr_assert_eq(llmops_response_status(r), LLMOPS_E_BAD_REQUEST);
    cr_assert_str_eq(llmops_response_error_code(r), "unsupported_parameter");
    cr_assert_not_null(strstr(llmops_response_error(r), "temperature"));
    llmops_response_reset(r);
    W->parse_error(401, "Unauthorized", 12, r);
    cr_assert_eq(llmops_response_status(r), LLMOPS_E_AUTH);
    cr_assert_not_null(strstr(llmops_response_error(r), "Unauthorized"));
    llmops_response_free(r);
}

/* ---- streams ---------------------------------------------------------------- */

static llmops_response *feed(const char *sse)
{
    llmops_response *r = NULL;
    cr_assert_eq(llmops_response_new(&r), LLMOPS_OK);
    lt_feed_stream(W, sse, strlen(sse), NULL, 0, r);
    return r;
}

#define EV(type, json) "event: " type "\ndata: {\"type\":\"" type "\"" json "}\n\n"

Test(responses_stream, typed_events)
{
    llmops_response *r = feed(
        EV("response.created", ",\"response\":{\"id\":\"resp_9\",\"model\":\"gpt-5\","
                               "\"status\":\"in_progress\"}")
        EV("response.reasoning_summary_text.delta", ",\"delta\":\"Think\"")
        EV("response.output_text.delta", ",\"delta\":\"Hel\"")
        EV("response.output_text.delta", ",\"delta\":\"lo\"")
        EV("response.output_item.added", ",\"output_index\":2,\"item\":{\"type\":"
                                         "\"function_call\",\"id\":\"fc_1\",\"call_id\":"
                                         "\"call_1\",\"name\":\"f\",\"arguments\":\"\"}")
        EV("response.function_call_arguments.delta", ",\"output_index\":2,\"delta\":\"{\\\"a\"")
        EV("response.function_call_arguments.delta", ",\"output_index\":2,\"delta\":\"\\\":1}\"")
        EV("response.function_call_arguments.done", ",\"output_index\":2,\"arguments\":"
                                                    "\"{\\\"a\\\":1}\"")
        EV("response.output_item.added", ",\"output_index\":3,\"item\":{\"type\":"
                                         "\"custom_tool_call\",\"call_id\":\"call_2\","
                                         "\"name\":\"sql\",\"input\":\"\"}")
        EV("response.custom_tool_call_input.delta", ",\"output_index\":3,\"delta\":\"a\\\"b\"")
        EV("response.output_item.done", ",\"output_index\":3,\"item\":{\"type\":"
                                        "\"custom_tool_call\",\"call_id\":\"call_2\","
                                        "\"name\":\"sql\",\"input\":\"a\\\"b\"}")
        EV("response.some_future_event", ",\"x\":1")
        EV("response.completed", ",\"response\":{\"id\":\"resp_9\",\"status\":\"completed\","
                                 "\"usage\":{\"input_tokens\":4,\"output_tokens\":6,"
                                 "\"total_tokens\":10}}"));
    cr_assert_eq(llmops_response_status(r), LLMOPS_OK, "%s", llmops_response_error(r));
    cr_assert(text_is(r, "Hello"));
    cr_assert_str_eq(llmops_response_reasoning(r, NULL), "Think");
    cr_assert_eq(llmops_response_tool_call_count(r), 2);
    cr_assert_str_eq(llmops_response_tool_call_id(r, 0), "call_1");
    cr_assert_str_eq(llmops_response_tool_call_arguments(r, 0), "{\"a\":1}");
    cr_assert_str_eq(llmops_response_tool_call_arguments(r, 1), "{\"input\":\"a\\\"b\"}");
    cr_assert_eq(llmops_response_finish_reason(r), LLMOPS_FINISH_TOOL_CALLS);
    cr_assert_str_eq(llmops_response_model(r), "gpt-5");
    cr_assert_str_eq(llmops_response_request_id(r), "resp_9");
    llmops_usage u = LLMOPS_USAGE_INIT;
    cr_assert_eq(llmops_response_usage(r, &u), LLMOPS_OK);
    cr_assert_eq(u.output_tokens, 6);
    llmops_response_free(r);
}

Test(responses_stream, event_name_without_type_and_incomplete)
{
    /* The SSE event name alone identifies the event. */
    llmops_response *r = feed(
        "event: response.output_text.delta\ndata: {\"delta\":\"abc\"}\n\n"
        "event: response.incomplete\ndata: {\"response\":{\"status\":\"incomplete\","
        "\"incomplete_details\":{\"reason\":\"max_output_tokens\"}}}\n\n");
    cr_assert_eq(llmops_response_status(r), LLMOPS_OK, "%s", llmops_response_error(r));
    cr_assert(text_is(r, "abc"));
    cr_assert_eq(llmops_response_finish_reason(r), LLMOPS_FINISH_LENGTH);
    llmops_response_free(r);
}

Test(responses_stream, errors_and_truncation)
{
    llmops_response *r = feed(EV("response.output_text.delta", ",\"delta\":\"x\""));
    cr_assert_eq(llmops_response_status(r), LLMOPS_E_MALFORMED_RESPONSE);
    cr_assert_not_null(strstr(llmops_response_error(r), "ended before"));
    llmops_response_free(r);
    r = feed(EV("error", ",\"code\":\"rate_limit_exceeded\",\"message\":\"Slow down\","
                         "\"param\":null"));
    cr_assert_eq(llmops_response_status(r), LLMOPS_E_RATE_LIMITED);
    cr_assert_not_null(strstr(llmops_response_error(r), "Slow down"));
    llmops_response_free(r);
    r = feed(EV("response.failed", ",\"response\":{\"status\":\"failed\",\"error\":{\"code\":"
                                   "\"server_error\",\"message\":\"boom\"}}"));
    cr_assert_eq(llmops_response_status(r), LLMOPS_E_PROVIDER);
    cr_assert_not_null(strstr(llmops_response_error(r), "boom"));
    llmops_response_free(r);
    r = feed("event: response.output_text.delta\ndata: {oops\n\n");
    cr_assert_eq(llmops_response_status(r), LLMOPS_E_MALFORMED_RESPONSE);
    cr_assert_not_null(strstr(llmops_response_error(r), "event 1"));
    llmops_response_free(r);
}

/* ---- conformance over the recordings --------------------------------------- */

static int is_responses_endpoint(const char *ep)
{
    size_t n = strlen(ep);
    return (n >= 10 && strcmp(ep + n - 10, "/responses") == 0) ||
           strstr(ep, "/responses/resp_") != NULL;
}

typedef struct expect {
    llmops__buf text, reasoning, item_text;
    size_t ncalls;
    char names[16][64];
    int has_usage, failed, complete;
    int64_t in, out;
} expect;

static void add_call(expect *e, const llmops_json *item)
{
    const char *type = jstr(item, "type");
    if (!type || (strcmp(type, "function_call") != 0 && strcmp(type, "custom_tool_call") != 0))
        return;
    if (e->ncalls < 16) {
        const char *nm = jstr(item, "name");
        snprintf(e->names[e->ncalls], sizeof e->names[0], "%s", nm ? nm : "");
    }
    e->ncalls++;
}

static void add_usage(expect *e, const llmops_json *resp)
{
    const llmops_json *u = llmops_json_get(resp, "usage");
    if (llmops_json_type_of(u) != LLMOPS_JSON_OBJECT)
        return;
    e->has_usage = 1;
    e->in = jint(u, "input_tokens");
    e->out = jint(u, "output_tokens");
}

static void item_texts(llmops__buf *text, llmops__buf *reasoning, const llmops_json *item)
{
    const char *type = jstr(item, "type");
    size_t n;
    const char *t;
    if (type && strcmp(type, "message") == 0) {
        const llmops_json *c = llmops_json_get(item, "content");
        for (size_t k = 0; k < llmops_json_size(c); k++) {
            const llmops_json *p = llmops_json_at(c, k);
            if ((t = llmops_json_string(llmops_json_get(p, "text"), &n)) ||
                (t = llmops_json_string(llmops_json_get(p, "refusal"), &n)))
                llmops__buf_append(text, t, n);
        }
    } else if (type && strcmp(type, "reasoning") == 0 && reasoning) {
        static const char *const keys[] = {"summary", "content"};
        for (int a = 0; a < 2; a++) {
            const llmops_json *arr = llmops_json_get(item, keys[a]);
            for (size_t k = 0; k < llmops_json_size(arr); k++)
                if ((t = llmops_json_string(llmops_json_get(llmops_json_at(arr, k), "text"), &n)))
                    llmops__buf_append(reasoning, t, n);
        }
    }
}

static void expect_body(expect *e, const llmops_json *root)
{
    const llmops_json *out = llmops_json_get(root, "output");
    for (size_t i = 0; i < llmops_json_size(out); i++) {
        item_texts(&e->text, &e->reasoning, llmops_json_at(out, i));
        add_call(e, llmops_json_at(out, i));
    }
    add_usage(e, root);
}

/* Walks the "data: " payloads of a recording's stream. */
static void expect_stream(expect *e, const char *bytes, size_t len)
{
    const char *p = bytes, *end = bytes + len;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol)
            eol = end;
        llmops_json_doc *doc = NULL;
        if (eol - p > 6 && memcmp(p, "data: ", 6) == 0 &&
            llmops_json_parse(&doc, p + 6, (size_t)(eol - p - 6), NULL, NULL) == LLMOPS_OK) {
            const llmops_json *ev = llmops_json_doc_root(doc);
            const char *type = jstr(ev, "type");
            size_t n;
            const char *t = llmops_json_string(llmops_json_get(ev, "delta"), &n);
            if (!type)
                type = "";
            if (t && (strcmp(type, "response.output_text.delta") == 0 ||
                      strcmp(type, "response.refusal.delta") == 0))
                llmops__buf_append(&e->text, t, n);
            else if (t && (strcmp(type, "response.reasoning_summary_text.delta") == 0 ||
                           strcmp(type, "response.reasoning_text.delta") == 0))
                llmops__buf_append(&e->reasoning, t, n);
            else if (strcmp(type, "response.output_item.added") == 0)
                add_call(e, llmops_json_get(ev, "item"));
            else if (strcmp(type, "response.output_item.done") == 0)
                item_texts(&e->item_text, NULL, llmops_json_get(ev, "item"));
            else if (strcmp(type, "response.completed") == 0 ||
                     strcmp(type, "response.incomplete") == 0) {
                e->complete = 1;
                add_usage(e, llmops_json_get(ev, "response"));
            } else if (strcmp(type, "error") == 0 || strcmp(type, "response.failed") == 0)
                e->failed = 1;
        }
        llmops_json_doc_free(doc);
        p = eol + 1;
    }
    /* A stream without text deltas carries its text in the finished items. */
    if (e->text.len == 0 && e->item_text.len > 0)
        llmops__buf_append(&e->text, e->item_text.data, e->item_text.len);
}

static int check_expect(const expect *e, const llmops_response *r, char *why, size_t cap)
{
    size_t n;
    const char *t = llmops_response_text(r, &n);
    if (n != e->text.len || (n && memcmp(t, e->text.data, n) != 0)) {
        snprintf(why, cap, "text: got %zu bytes \"%.60s\", want %zu \"%.60s\"", n, t,
                 e->text.len, e->text.data ? e->text.data : "");
        return 0;
    }
    t = llmops_response_reasoning(r, &n);
    if (n != e->reasoning.len || (n && memcmp(t, e->reasoning.data, n) != 0)) {
        snprintf(why, cap, "reasoning: got %zu bytes, want %zu", n, e->reasoning.len);
        return 0;
    }
    if (llmops_response_tool_call_count(r) != e->ncalls) {
        snprintf(why, cap, "tool calls: got %zu, want %zu", llmops_response_tool_call_count(r),
                 e->ncalls);
        return 0;
    }
    for (size_t i = 0; i < e->ncalls && i < 16; i++) {
        const char *nm = llmops_response_tool_call_name(r, i);
        const char *args = llmops_response_tool_call_arguments(r, i);
        llmops_json_doc *doc = NULL;
        if (!nm || strcmp(nm, e->names[i]) != 0) {
            snprintf(why, cap, "tool call %zu name: got %s, want %s", i, nm ? nm : "(null)",
                     e->names[i]);
            return 0;
        }
        if (llmops_json_parse(&doc, args, strlen(args), NULL, NULL) != LLMOPS_OK) {
            snprintf(why, cap, "tool call %zu arguments are not JSON: %.80s", i, args);
            return 0;
        }
        llmops_json_doc_free(doc);
    }
    llmops_usage u = LLMOPS_USAGE_INIT;
    int has = llmops_response_usage(r, &u) == LLMOPS_OK;
    if (e->has_usage && (!has || u.input_tokens != e->in || u.output_tokens != e->out)) {
        snprintf(why, cap, "usage: got %d in %lld out %lld, want in %lld out %lld", has,
                 (long long)u.input_tokens, (long long)u.output_tokens, (long long)e->in,
                 (long long)e->out);
        return 0;
    }
    return 1;
}

static int status_fits(int http, llmops_status st)
{
    switch (http) {
    case 400:
    case 422:
        return st == LLMOPS_E_BAD_REQUEST || st == LLMOPS_E_CONTEXT_LENGTH ||
               st == LLMOPS_E_CONTENT_FILTERED;
    case 401: return st == LLMOPS_E_AUTH;
    case 403: return st == LLMOPS_E_PERMISSION || st == LLMOPS_E_CONTENT_FILTERED;
    case 404: return st == LLMOPS_E_MODEL_NOT_FOUND;
    case 429: return st == LLMOPS_E_RATE_LIMITED;
    default: return http >= 500 && (st == LLMOPS_E_PROVIDER || st == LLMOPS_E_OVERLOADED);
    }
}

#define MAX_SPLITS 3000

/* LLMOPS_WIRE_EXHAUSTIVE=1 checks every two-piece split of every stream
 * (minutes, not seconds). */
static size_t max_splits(void)
{
    const char *e = getenv("LLMOPS_WIRE_EXHAUSTIVE");
    return e && *e == '1' ? 0 : MAX_SPLITS;
}

static int check_recording(const lt_recording *rec, char *why, size_t cap)
{
    llmops_response *r = NULL;
    cr_assert_eq(llmops_response_new(&r), LLMOPS_OK);
    expect e;
    memset(&e, 0, sizeof e);
    int ok = 1;
    size_t len = 0;
    if (lt_recording_is_stream(rec)) {
        char *bytes = lt_recording_stream_bytes(rec, &len);
        cr_assert_not_null(bytes, "cannot read %s", rec->file);
        ok = lt_stream_split_check(W, bytes, len, max_splits(), r, why, cap);
        expect_stream(&e, bytes, len);
        if (ok && e.failed) {
            /* The stream carries an error event: a typed failure. */
            llmops_status st = llmops_response_status(r);
            if (st == LLMOPS_OK || st == LLMOPS_E_MALFORMED_RESPONSE) {
                snprintf(why, cap, "stream with an error event ended with status %d (%s)",
                         (int)st, llmops_response_error(r));
                ok = 0;
            }
        } else if (ok && llmops_response_status(r) != LLMOPS_OK) {
            snprintf(why, cap, "stream failed: %s", llmops_response_error(r));
            ok = 0;
        } else if (ok) {
            ok = check_expect(&e, r, why, cap);
        }
        free(bytes);
    } else {
        char *body = lt_recording_body(rec, &len);
        cr_assert_not_null(body, "cannot read %s", rec->file);
        if (rec->http_status == 200) {
            W->parse(LLMOPS__OP_GENERATE, body, len, r);
            llmops__response_finalize(r);
            llmops_json_doc *doc = NULL;
            cr_assert_eq(llmops_json_parse(&doc, body, len, NULL, NULL), LLMOPS_OK);
            if (llmops_response_status(r) != LLMOPS_OK) {
                snprintf(why, cap, "parse failed: %s", llmops_response_error(r));
                ok = 0;
            } else {
                expect_body(&e, llmops_json_doc_root(doc));
                ok = check_expect(&e, r, why, cap);
            }
            llmops_json_doc_free(doc);
        } else if (rec->http_status > 0) {
            W->parse_error(rec->http_status, body, len, r);
            if (!status_fits(rec->http_status, llmops_response_status(r)) ||
                !*llmops_response_error(r)) {
                snprintf(why, cap, "HTTP %d became status %d (%s)", rec->http_status,
                         (int)llmops_response_status(r), llmops_response_error(r));
                ok = 0;
            }
        } else {
            W->parse(LLMOPS__OP_GENERATE, body, len, r);
            if (llmops_response_status(r) == LLMOPS_OK) {
                snprintf(why, cap, "error body parsed as success");
                ok = 0;
            }
        }
        free(body);
    }
    llmops__buf_free(&e.text);
    llmops__buf_free(&e.reasoning);
    llmops__buf_free(&e.item_text);
    llmops_response_free(r);
    return ok;
}

typedef struct tally {
    char provider[32];
    int supported, passed, skipped;
} tally;

Test(responses_conformance, recordings, .timeout = 280)
{
    lt_recording *recs = NULL;
    size_t n = lt_recordings_read(&recs);
    if (n == 0)
        cr_skip_test("no provider recordings (set LLMOPS_TESTDATA; looked in %s)",
                     lt_testdata_dir());
    tally t[64];
    size_t nt = 0;
    int failed = 0, total = 0;
    for (size_t i = 0; i < n; i++) {
        const lt_recording *rec = &recs[i];
        tally *x = NULL;
        for (size_t k = 0; k < nt && !x; k++)
            if (strcmp(t[k].provider, rec->provider) == 0)
                x = &t[k];
        if (!x) {
            cr_assert_lt(nt, 64);
            x = &t[nt++];
            memset(x, 0, sizeof *x);
            snprintf(x->provider, sizeof x->provider, "%s", rec->provider);
        }
        if (!is_responses_endpoint(rec->endpoint)) {
            x->skipped++;
            continue;
        }
        x->supported++;
        total++;
        char why[768] = "";
        if (check_recording(rec, why, sizeof why)) {
            x->passed++;
        } else {
            failed++;
            printf("FAIL %s: %s\n", rec->file, why);
        }
    }
    printf("openai-responses wire conformance (provider: supported / passed / skipped "
           "endpoint):\n");
    for (size_t i = 0; i < nt; i++)
        if (t[i].supported)
            printf("  %-18s %3d / %3d / %3d\n", t[i].provider, t[i].supported, t[i].passed,
                   t[i].skipped);
    printf("openai-responses wire: %d recordings checked, %d failed\n", total, failed);
    fflush(stdout);
    lt_recordings_free(recs, n);
    cr_assert_gt(total, 25, "only %d recordings matched the responses wire", total);
    cr_assert_eq(failed, 0, "%d of %d recordings failed (see the log)", failed, total);
}
