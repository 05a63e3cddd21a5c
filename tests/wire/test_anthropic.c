/* Anthropic Messages wire: request building, response/stream/error parsing,
 * and conformance over the real recordings in $LLMOPS_TESTDATA/providers. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "llmops/json.h"
#include "llmops/provider.h"
#include "provider/decoder.h"
#include "provider/errors.h"
#include "provider/response.h"
#include "provider/stream.h"
#include "provider/wire.h"
#include "recordings.h"
#include "testdata.h"

static const llmops__wire *W = &llmops__wire_anthropic;

/* ---- helpers ------------------------------------------------------------ */

static llmops__provider_cfg a_cfg(void)
{
    llmops__provider_cfg c;
    memset(&c, 0, sizeof c);
    c.type = "anthropic";
    c.base_url = "https://api.anthropic.com";
    return c;
}

typedef struct built {
    llmops__http_request http;
    llmops_response *resp;
    llmops_json_doc *doc;
    const llmops_json *body;
    llmops_status st;
} built;

static void a_build(built *b, const llmops__provider_cfg *cfg, const llmops_request *req,
                    const char *model, int stream, const char *key)
{
    memset(b, 0, sizeof *b);
    llmops__http_request_init(&b->http);
    cr_assert_eq(llmops_response_new(&b->resp), LLMOPS_OK);
    b->st = W->build(cfg, req, model, LLMOPS__OP_GENERATE, stream, key, key ? strlen(key) : 0,
                     &b->http, b->resp);
    if (b->st == LLMOPS_OK) {
        llmops_json_error err = LLMOPS_JSON_ERROR_INIT;
        cr_assert_eq(llmops_json_parse(&b->doc, b->http.body.data, b->http.body.len, NULL, &err),
                     LLMOPS_OK, "built body is not JSON (%s at %zu): %s", err.message,
                     err.offset, b->http.body.data);
        b->body = llmops_json_doc_root(b->doc);
    }
}

static void a_built_free(built *b)
{
    llmops_json_doc_free(b->doc);
    llmops_response_free(b->resp);
    llmops__http_request_free(&b->http);
}

static const char *jstr(const llmops_json *v, const char *key)
{
    return llmops_json_string(llmops_json_get(v, key), NULL);
}

static int64_t jint(const llmops_json *v, const char *key)
{
    int64_t x = -12345;
    llmops_json_get_int(llmops_json_get(v, key), &x);
    return x;
}

static int has_header(const llmops__http_request *h, const char *line)
{
    return h->headers.data && strstr(h->headers.data, line) != NULL;
}

static llmops_response *a_parse(const char *body)
{
    llmops_response *r;
    cr_assert_eq(llmops_response_new(&r), LLMOPS_OK);
    W->parse(LLMOPS__OP_GENERATE, body, strlen(body), r);
    llmops__response_finalize(r);
    return r;
}

static llmops_response *a_stream(const char *bytes)
{
    llmops_response *r;
    cr_assert_eq(llmops_response_new(&r), LLMOPS_OK);
    lt_feed_stream(W, bytes, strlen(bytes), NULL, 0, r);
    return r;
}

static const char *text_of(const llmops_response *r)
{
    return llmops_response_text(r, NULL);
}

/* ---- building ----------------------------------------------------------- */

Test(anthropic_build, basic_request_url_headers_and_defaults)
{
    llmops_request *req;
    llmops_request_new(&req);
    llmops_request_add_message(req, LLMOPS_ROLE_SYSTEM, "Be brief.", SIZE_MAX);
    llmops_request_add_message(req, LLMOPS_ROLE_SYSTEM, "Answer in French.", SIZE_MAX);
    llmops_request_add_message(req, LLMOPS_ROLE_USER, "Hello \"world\"\n", SIZE_MAX);
    llmops__provider_cfg cfg = a_cfg();
    built b;
    a_build(&b, &cfg, req, "claude-sonnet-4-5", 0, "sk-ant-secret");
    cr_assert_eq(b.st, LLMOPS_OK, "%s", llmops_response_error(b.resp));
    cr_assert_str_eq(b.http.url.data, "https://api.anthropic.com/v1/messages");
    cr_assert(has_header(&b.http, "x-api-key: sk-ant-secret\n"), "headers: %s",
              b.http.headers.data);
    cr_assert(has_header(&b.http, "anthropic-version: 2023-06-01\n"));
    cr_assert(has_header(&b.http, "content-type: application/json\n"));
    cr_assert_str_eq(jstr(b.body, "model"), "claude-sonnet-4-5");
    cr_assert_eq(jint(b.body, "max_tokens"), 4096, "max_tokens defaults to 4096");
    cr_assert_str_eq(jstr(b.body, "system"), "Be brief.\n\nAnswer in French.");
    const llmops_json *msgs = llmops_json_get(b.body, "messages");
    cr_assert_eq(llmops_json_size(msgs), 1, "system messages are not in messages");
    const llmops_json *m0 = llmops_json_at(msgs, 0);
    cr_assert_str_eq(jstr(m0, "role"), "user");
    const llmops_json *blk = llmops_json_at(llmops_json_get(m0, "content"), 0);
    cr_assert_str_eq(jstr(blk, "type"), "text");
    cr_assert_str_eq(jstr(blk, "text"), "Hello \"world\"\n");
    cr_assert_null(llmops_json_get(b.body, "stream"));
    cr_assert_null(llmops_json_get(b.body, "tools"));
    cr_assert_null(llmops_json_get(b.body, "temperature"));
    cr_assert_null(strstr(llmops_response_error(b.resp), "sk-ant"));
    a_built_free(&b);

    /* Streaming, configured version, no key, explicit max tokens. */
    cfg.api_version = "2024-01-01";
    llmops_request_set_max_output_tokens(req, 77);
    a_build(&b, &cfg, req, "claude-x", 1, NULL);
    cr_assert_eq(b.st, LLMOPS_OK);
    cr_assert(llmops_json_is_true(llmops_json_get(b.body, "stream")));
    cr_assert_eq(jint(b.body, "max_tokens"), 77);
    cr_assert(has_header(&b.http, "anthropic-version: 2024-01-01\n"));
    cr_assert(!has_header(&b.http, "x-api-key"), "no key, no x-api-key header");
    a_built_free(&b);
    llmops_request_free(req);
}

Test(anthropic_build, sampling_stops_metadata_and_default_model)
{
    llmops_request *req;
    llmops_request_new(&req);
    llmops_request_add_message(req, LLMOPS_ROLE_USER, "hi", SIZE_MAX);
    llmops_request_set_temperature(req, 0.25);
    llmops_request_set_top_p(req, 0.5);
    llmops_request_set_seed(req, 42);
    llmops_request_add_stop(req, "END");
    llmops_request_add_stop(req, "\n\n");
    llmops_request_set_metadata(req, "user_id", "u-17");
    llmops_request_set_metadata(req, "team", "ops");
    llmops__provider_cfg cfg = a_cfg();
    cfg.default_model = "claude-default";
    built b;
    a_build(&b, &cfg, req, NULL, 0, NULL);
    cr_assert_eq(b.st, LLMOPS_OK, "%s", llmops_response_error(b.resp));
    cr_assert_str_eq(jstr(b.body, "model"), "claude-default");
    double d = 0;
    llmops_json_get_double(llmops_json_get(b.body, "temperature"), &d);
    cr_assert_float_eq(d, 0.25, 1e-12);
    llmops_json_get_double(llmops_json_get(b.body, "top_p"), &d);
    cr_assert_float_eq(d, 0.5, 1e-12);
    cr_assert_null(llmops_json_get(b.body, "seed"), "Anthropic has no seed");
    const llmops_json *stops = llmops_json_get(b.body, "stop_sequences");
    cr_assert_eq(llmops_json_size(stops), 2);
    cr_assert_str_eq(llmops_json_string(llmops_json_at(stops, 1), NULL), "\n\n");
    const llmops_json *md = llmops_json_get(b.body, "metadata");
    cr_assert_eq(llmops_json_size(md), 1, "only user_id is sent");
    cr_assert_str_eq(jstr(md, "user_id"), "u-17");
    a_built_free(&b);
    llmops_request_free(req);
}

Test(anthropic_build, tool_history_merges_results_and_alternates)
{
    llmops_request *req;
    llmops_request_new(&req);
    llmops_request_add_message(req, LLMOPS_ROLE_USER, "weather in Paris and Rome?", SIZE_MAX);
    llmops_request_add_message(req, LLMOPS_ROLE_ASSISTANT, "Checking.", SIZE_MAX);
    cr_assert_eq(
        llmops_request_add_tool_call(req, "toolu_1", "get_weather", "{\"city\":\"Paris\"}"),
        LLMOPS_OK);
    cr_assert_eq(llmops_request_add_tool_call(req, "toolu_2", "get_weather", "{\"city\":\"Rome\"}"),
                 LLMOPS_OK);
    llmops_request_add_tool_result(req, "toolu_1", "get_weather", "18C", SIZE_MAX);
    llmops_request_add_tool_result(req, "toolu_2", "get_weather", "24C", SIZE_MAX);
    llmops_request_add_message(req, LLMOPS_ROLE_USER, "and tomorrow?", SIZE_MAX);
    llmops_request_add_tool(req, "get_weather", "Current weather",
                            "{\"type\":\"object\",\"properties\":{\"city\":"
                            "{\"type\":\"string\"}}}");
    llmops_request_add_tool(req, "now", NULL, NULL);
    llmops__provider_cfg cfg = a_cfg();
    built b;
    a_build(&b, &cfg, req, "claude-x", 0, NULL);
    cr_assert_eq(b.st, LLMOPS_OK, "%s", llmops_response_error(b.resp));
    const llmops_json *msgs = llmops_json_get(b.body, "messages");
    cr_assert_eq(llmops_json_size(msgs), 3, "user, assistant, user (results + text merged)");
    const llmops_json *asst = llmops_json_at(msgs, 1);
    cr_assert_str_eq(jstr(asst, "role"), "assistant");
    const llmops_json *ac = llmops_json_get(asst, "content");
    cr_assert_eq(llmops_json_size(ac), 3);
    cr_assert_str_eq(jstr(llmops_json_at(ac, 0), "text"), "Checking.");
    const llmops_json *tu = llmops_json_at(ac, 2);
    cr_assert_str_eq(jstr(tu, "type"), "tool_use");
    cr_assert_str_eq(jstr(tu, "id"), "toolu_2");
    cr_assert_str_eq(jstr(tu, "name"), "get_weather");
    cr_assert_str_eq(jstr(llmops_json_get(tu, "input"), "city"), "Rome");
    const llmops_json *u2 = llmops_json_at(msgs, 2);
    cr_assert_str_eq(jstr(u2, "role"), "user");
    const llmops_json *uc = llmops_json_get(u2, "content");
    cr_assert_eq(llmops_json_size(uc), 3);
    cr_assert_str_eq(jstr(llmops_json_at(uc, 0), "type"), "tool_result");
    cr_assert_str_eq(jstr(llmops_json_at(uc, 0), "tool_use_id"), "toolu_1");
    cr_assert_str_eq(jstr(llmops_json_at(uc, 0), "content"), "18C");
    cr_assert_str_eq(jstr(llmops_json_at(uc, 1), "tool_use_id"), "toolu_2");
    cr_assert_str_eq(jstr(llmops_json_at(uc, 2), "text"), "and tomorrow?");

    const llmops_json *tools = llmops_json_get(b.body, "tools");
    cr_assert_eq(llmops_json_size(tools), 2);
    const llmops_json *t0 = llmops_json_at(tools, 0);
    cr_assert_str_eq(jstr(t0, "description"), "Current weather");
    cr_assert_str_eq(jstr(llmops_json_get(t0, "input_schema"), "type"), "object");
    const llmops_json *t1 = llmops_json_at(tools, 1);
    cr_assert_null(llmops_json_get(t1, "description"));
    cr_assert_str_eq(jstr(llmops_json_get(t1, "input_schema"), "type"), "object",
                     "a tool without parameters still gets an input_schema");
    cr_assert_null(llmops_json_get(b.body, "tool_choice"), "auto is the default");
    a_built_free(&b);

    struct {
        llmops_tool_choice c;
        const char *name, *type;
    } cases[] = { { LLMOPS_TOOL_CHOICE_NONE, NULL, "none" },
                  { LLMOPS_TOOL_CHOICE_REQUIRED, NULL, "any" },
                  { LLMOPS_TOOL_CHOICE_NAMED, "now", "tool" } };
    for (size_t i = 0; i < 3; i++) {
        llmops_request_set_tool_choice(req, cases[i].c, cases[i].name);
        a_build(&b, &cfg, req, "claude-x", 0, NULL);
        const llmops_json *tc = llmops_json_get(b.body, "tool_choice");
        cr_assert_str_eq(jstr(tc, "type"), cases[i].type);
        if (cases[i].name)
            cr_assert_str_eq(jstr(tc, "name"), cases[i].name);
        a_built_free(&b);
    }
    llmops_request_free(req);
}

Test(anthropic_build, structured_output_uses_a_forced_tool)
{
    llmops_request *req;
    llmops_request_new(&req);
    llmops_request_add_message(req, LLMOPS_ROLE_USER, "a person", SIZE_MAX);
    cr_assert_eq(llmops_request_set_response_format(
                     req, LLMOPS_FORMAT_JSON_SCHEMA, "person",
                     "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"}}}"),
                 LLMOPS_OK);
    llmops__provider_cfg cfg = a_cfg();
    built b;
    a_build(&b, &cfg, req, "claude-x", 0, NULL);
    cr_assert_eq(b.st, LLMOPS_OK, "%s", llmops_response_error(b.resp));
    const llmops_json *tools = llmops_json_get(b.body, "tools");
    cr_assert_eq(llmops_json_size(tools), 1);
    const llmops_json *t = llmops_json_at(tools, 0);
    cr_assert_str_eq(jstr(t, "name"), "llmops_person");
    const llmops_json *props = llmops_json_get(llmops_json_get(t, "input_schema"), "properties");
    cr_assert_not_null(llmops_json_get(props, "name"), "the schema is the input_schema");
    const llmops_json *tc = llmops_json_get(b.body, "tool_choice");
    cr_assert_str_eq(jstr(tc, "type"), "tool");
    cr_assert_str_eq(jstr(tc, "name"), "llmops_person");
    a_built_free(&b);

    /* With host tools too, the model may call one of them or answer. */
    llmops_request_add_tool(req, "lookup", NULL, NULL);
    a_build(&b, &cfg, req, "claude-x", 0, NULL);
    cr_assert_eq(llmops_json_size(llmops_json_get(b.body, "tools")), 2);
    cr_assert_str_eq(jstr(llmops_json_get(b.body, "tool_choice"), "type"), "any");
    a_built_free(&b);
    llmops_request_free(req);

    /* The answer comes back as text, not as a tool call. */
    llmops_response *r = a_parse(
        "{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-x\","
        "\"content\":[{\"type\":\"tool_use\",\"id\":\"toolu_9\",\"name\":\"llmops_person\","
        "\"input\":{\"name\":\"Ada\"}}],\"stop_reason\":\"tool_use\","
        "\"usage\":{\"input_tokens\":5,\"output_tokens\":3}}");
    cr_assert_eq(llmops_response_status(r), LLMOPS_OK);
    cr_assert_str_eq(text_of(r), "{\"name\":\"Ada\"}");
    cr_assert_eq(llmops_response_tool_call_count(r), 0);
    cr_assert_eq(llmops_response_finish_reason(r), LLMOPS_FINISH_STOP);
    llmops_response_free(r);

    /* Streamed the same way: the input fragments become text deltas. */
    r = a_stream(
        "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"m\","
        "\"model\":\"c\",\"usage\":{\"input_tokens\":5,\"output_tokens\":1}}}\n\n"
        "data: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":"
        "\"tool_use\",\"id\":\"t\",\"name\":\"llmops_person\",\"input\":{}}}\n\n"
        "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":"
        "\"input_json_delta\",\"partial_json\":\"{\\\"name\\\": \"}}\n\n"
        "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":"
        "\"input_json_delta\",\"partial_json\":\"\\\"Ada\\\"}\"}}\n\n"
        "data: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
        "data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\"},"
        "\"usage\":{\"output_tokens\":9}}\n\n"
        "data: {\"type\":\"message_stop\"}\n\n");
    cr_assert_eq(llmops_response_status(r), LLMOPS_OK, "%s", llmops_response_error(r));
    cr_assert_str_eq(text_of(r), "{\"name\": \"Ada\"}");
    cr_assert_eq(llmops_response_tool_call_count(r), 0);
    cr_assert_eq(llmops_response_finish_reason(r), LLMOPS_FINISH_STOP);
    llmops_response_free(r);
}

Test(anthropic_build, refuses_what_it_cannot_send)
{
    llmops_request *req;
    llmops_request_new(&req);
    llmops__provider_cfg cfg = a_cfg();
    built b;
    llmops_request_add_message(req, LLMOPS_ROLE_SYSTEM, "only a system prompt", SIZE_MAX);
    a_build(&b, &cfg, req, "claude-x", 0, NULL);
    cr_assert_eq(b.st, LLMOPS_E_INVALID_ARGUMENT);
    cr_assert_not_null(strstr(llmops_response_error(b.resp), "no user"));
    a_built_free(&b);

    llmops_request_add_message(req, LLMOPS_ROLE_USER, "hi", SIZE_MAX);
    a_build(&b, &cfg, req, NULL, 0, NULL);
    cr_assert_eq(b.st, LLMOPS_E_INVALID_ARGUMENT, "no model anywhere");
    cr_assert_not_null(strstr(llmops_response_error(b.resp), "model"));
    a_built_free(&b);

    llmops_request_set_temperature(req, 1.5);
    a_build(&b, &cfg, req, "claude-x", 0, NULL);
    cr_assert_eq(b.st, LLMOPS_E_INVALID_ARGUMENT, "temperature above 1");
    a_built_free(&b);

    llmops__http_request h;
    llmops__http_request_init(&h);
    llmops_response *r;
    llmops_response_new(&r);
    cr_assert_eq(W->build(&cfg, req, "claude-x", LLMOPS__OP_EMBED, 0, NULL, 0, &h, r),
                 LLMOPS_E_UNSUPPORTED);
    cr_assert_eq(W->ops, 1u << LLMOPS__OP_GENERATE);
    llmops__http_request_free(&h);
    llmops_response_free(r);
    llmops_request_free(req);
}

/* ---- parsing ------------------------------------------------------------ */

Test(anthropic_parse, content_blocks_usage_and_ids)
{
    llmops_response *r = a_parse(
        "{\"id\":\"msg_01\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-x-1\","
        "\"content\":[{\"type\":\"thinking\",\"thinking\":\"Let me see.\",\"signature\":\"sig\"},"
        "{\"type\":\"redacted_thinking\",\"data\":\"xxx\"},"
        "{\"type\":\"text\",\"text\":\"I'll check \"},"
        "{\"type\":\"server_tool_use\",\"id\":\"srv_1\",\"name\":\"web_search\",\"input\":{}},"
        "{\"type\":\"text\",\"text\":\"both.\"},"
        "{\"type\":\"tool_use\",\"id\":\"toolu_a\",\"name\":\"get_weather\","
        "\"input\":{\"city\":\"Paris\"}},"
        "{\"type\":\"tool_use\",\"id\":\"toolu_b\",\"name\":\"now\",\"input\":{}}],"
        "\"stop_reason\":\"tool_use\",\"stop_sequence\":null,"
        "\"usage\":{\"input_tokens\":10,\"cache_read_input_tokens\":100,"
        "\"cache_creation_input_tokens\":7,\"output_tokens\":20,"
        "\"output_tokens_details\":{\"thinking_tokens\":6}}}");
    cr_assert_eq(llmops_response_status(r), LLMOPS_OK, "%s", llmops_response_error(r));
    cr_assert_str_eq(text_of(r), "I'll check both.");
    cr_assert_str_eq(llmops_response_reasoning(r, NULL), "Let me see.");
    cr_assert_eq(llmops_response_tool_call_count(r), 2, "server tools are not host calls");
    cr_assert_str_eq(llmops_response_tool_call_id(r, 0), "toolu_a");
    cr_assert_str_eq(llmops_response_tool_call_name(r, 0), "get_weather");
    cr_assert_str_eq(llmops_response_tool_call_arguments(r, 0), "{\"city\":\"Paris\"}");
    cr_assert_str_eq(llmops_response_tool_call_arguments(r, 1), "{}");
    cr_assert_eq(llmops_response_finish_reason(r), LLMOPS_FINISH_TOOL_CALLS);
    cr_assert_str_eq(llmops_response_finish_reason_raw(r), "tool_use");
    cr_assert_str_eq(llmops_response_model(r), "claude-x-1");
    cr_assert_str_eq(llmops_response_request_id(r), "msg_01");
    llmops_usage u = LLMOPS_USAGE_INIT;
    cr_assert_eq(llmops_response_usage(r, &u), LLMOPS_OK);
    cr_assert_eq(u.input_tokens, 117, "input + cache read + cache creation");
    cr_assert_eq(u.cached_input_tokens, 100);
    cr_assert_eq(u.cache_creation_tokens, 7);
    cr_assert_eq(u.output_tokens, 20);
    cr_assert_eq(u.reasoning_tokens, 6);
    cr_assert_eq(u.total_tokens, 137);
    llmops_response_free(r);
}

Test(anthropic_parse, stop_reasons)
{
    struct {
        const char *raw;
        llmops_finish_reason f;
    } cases[] = {
        { "end_turn", LLMOPS_FINISH_STOP },         { "stop_sequence", LLMOPS_FINISH_STOP },
        { "max_tokens", LLMOPS_FINISH_LENGTH },     { "refusal", LLMOPS_FINISH_CONTENT_FILTER },
        { "pause_turn", LLMOPS_FINISH_OTHER },      { "something_new", LLMOPS_FINISH_OTHER },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char body[256];
        snprintf(body, sizeof body,
                 "{\"type\":\"message\",\"content\":[{\"type\":\"text\",\"text\":\"x\"}],"
                 "\"stop_reason\":\"%s\"}",
                 cases[i].raw);
        llmops_response *r = a_parse(body);
        cr_assert_eq(llmops_response_status(r), LLMOPS_OK);
        cr_assert_eq(llmops_response_finish_reason(r), cases[i].f, "%s", cases[i].raw);
        cr_assert_str_eq(llmops_response_finish_reason_raw(r), cases[i].raw);
        llmops_response_free(r);
    }
}

Test(anthropic_parse, malformed_and_error_bodies)
{
    llmops_response *r = a_parse("{\"type\":\"message\",\"content\":[");
    cr_assert_eq(llmops_response_status(r), LLMOPS_E_MALFORMED_RESPONSE);
    cr_assert_not_null(strstr(llmops_response_error(r), "anthropic"));
    llmops_response_free(r);

    r = a_parse("{\"type\":\"message\",\"role\":\"assistant\"}");
    cr_assert_eq(llmops_response_status(r), LLMOPS_E_MALFORMED_RESPONSE);
    cr_assert_not_null(strstr(llmops_response_error(r), "content"));
    llmops_response_free(r);

    r = a_parse("[1,2]");
    cr_assert_eq(llmops_response_status(r), LLMOPS_E_MALFORMED_RESPONSE);
    llmops_response_free(r);

    /* A 200 body that is an error object is that error. */
    r = a_parse("{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\","
                "\"message\":\"Overloaded\"},\"request_id\":\"req_1\"}");
    cr_assert_eq(llmops_response_status(r), LLMOPS_E_OVERLOADED);
    cr_assert_str_eq(llmops_response_error_code(r), "overloaded_error");
    cr_assert_not_null(strstr(llmops_response_error(r), "Overloaded"));
    cr_assert_not_null(strstr(llmops_response_error(r), "req_1"));
    llmops_response_free(r);
}

Test(anthropic_parse, http_errors)
{
    struct {
        int http;
        const char *body;
        llmops_status st;
        const char *code;
    } cases[] = {
        { 429, "{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":\"slow "
               "down\"},\"request_id\":\"req_9\"}",
          LLMOPS_E_RATE_LIMITED, "rate_limit_error" },
        { 529, "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":"
               "\"Overloaded\"}}",
          LLMOPS_E_OVERLOADED, "overloaded_error" },
        { 401, "{\"type\":\"error\",\"error\":{\"type\":\"authentication_error\",\"message\":"
               "\"invalid x-api-key\"}}",
          LLMOPS_E_AUTH, "authentication_error" },
        { 404, "{\"type\":\"error\",\"error\":{\"type\":\"not_found_error\",\"message\":"
               "\"model: claude-nope\"}}",
          LLMOPS_E_MODEL_NOT_FOUND, "not_found_error" },
        { 400, "{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",\"message\":"
               "\"prompt is too long: 300000 tokens > 200000 maximum\"}}",
          LLMOPS_E_CONTEXT_LENGTH, "invalid_request_error" },
        { 502, "<html>Bad gateway</html>", LLMOPS_E_PROVIDER, NULL },
        { 500, "{\"detail\":\"proxy exploded\"}", LLMOPS_E_PROVIDER, NULL },
        { 503, "", LLMOPS_E_OVERLOADED, NULL },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        llmops_response *r;
        llmops_response_new(&r);
        W->parse_error(cases[i].http, cases[i].body, strlen(cases[i].body), r);
        cr_assert_eq(llmops_response_status(r), cases[i].st, "case %zu (HTTP %d): got %s: %s", i,
                     cases[i].http, llmops_status_str(llmops_response_status(r)),
                     llmops_response_error(r));
        if (cases[i].code)
            cr_assert_str_eq(llmops_response_error_code(r), cases[i].code);
        char http[16];
        snprintf(http, sizeof http, "%d", cases[i].http);
        cr_assert_not_null(strstr(llmops_response_error(r), http), "message names the status");
        llmops_response_free(r);
    }
    llmops_response *r;
    llmops_response_new(&r);
    const char *b = cases[0].body;
    W->parse_error(429, b, strlen(b), r);
    cr_assert_str_eq(llmops_response_request_id(r), "req_9");
    llmops_response_free(r);
    llmops_response_new(&r);
    b = "{\"detail\":\"proxy exploded\"}";
    W->parse_error(500, b, strlen(b), r);
    cr_assert_not_null(strstr(llmops_response_error(r), "proxy exploded"),
                       "a body that is not Anthropic's error shape is quoted: %s",
                       llmops_response_error(r));
    llmops_response_free(r);
    llmops_response_new(&r);
    W->parse_error(429, cases[0].body, strlen(cases[0].body), r);
    cr_assert_not_null(strstr(llmops_response_error(r), "slow down"));
    llmops_response_free(r);
}

/* ---- streaming ---------------------------------------------------------- */

static const char *STREAM_OK =
    "event: message_start\n"
    "data: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_s\",\"type\":\"message\","
    "\"role\":\"assistant\",\"model\":\"claude-s\",\"content\":[],\"usage\":{\"input_tokens\":"
    "12,\"cache_read_input_tokens\":30,\"cache_creation_input_tokens\":0,\"output_tokens\":1}}}"
    "\n\n"
    "event: content_block_start\n"
    "data: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":"
    "\"thinking\",\"thinking\":\"\"}}\n\n"
    "event: content_block_delta\n"
    "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"thinking_delta\","
    "\"thinking\":\"hmm\"}}\n\n"
    "event: content_block_delta\n"
    "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"signature_delta\","
    "\"signature\":\"abc\"}}\n\n"
    "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
    "event: ping\ndata: {\"type\": \"ping\"}\n\n"
    "event: content_block_start\n"
    "data: {\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"text\","
    "\"text\":\"\"}}\n\n"
    "event: content_block_delta\n"
    "data: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"text_delta\","
    "\"text\":\"Hé \"}}\n\n"
    "event: content_block_delta\n"
    "data: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"text_delta\","
    "\"text\":\"there\"}}\n\n"
    "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":1}\n\n"
    "event: content_block_start\n"
    "data: {\"type\":\"content_block_start\",\"index\":2,\"content_block\":{\"type\":"
    "\"tool_use\",\"id\":\"toolu_x\",\"name\":\"get_weather\",\"input\":{}}}\n\n"
    "event: content_block_delta\n"
    "data: {\"type\":\"content_block_delta\",\"index\":2,\"delta\":{\"type\":"
    "\"input_json_delta\",\"partial_json\":\"{\\\"city\\\":\"}}\n\n"
    "event: content_block_delta\n"
    "data: {\"type\":\"content_block_delta\",\"index\":2,\"delta\":{\"type\":"
    "\"input_json_delta\",\"partial_json\":\" \\\"Paris\\\"}\"}}\n\n"
    "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":2}\n\n"
    "event: content_block_start\n"
    "data: {\"type\":\"content_block_start\",\"index\":3,\"content_block\":{\"type\":"
    "\"tool_use\",\"id\":\"toolu_y\",\"name\":\"now\",\"input\":{}}}\n\n"
    "event: content_block_delta\n"
    "data: {\"type\":\"content_block_delta\",\"index\":3,\"delta\":{\"type\":"
    "\"input_json_delta\",\"partial_json\":\"\"}}\n\n"
    "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":3}\n\n"
    "event: message_delta\n"
    "data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\","
    "\"stop_sequence\":null},\"usage\":{\"output_tokens\":42}}\n\n"
    "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";

typedef struct seen {
    int text, reasoning, call_frags, call_done;
    size_t max_index;
    char ids[2][16];
} seen;

static int on_delta(const llmops_delta *d, void *ud)
{
    seen *s = ud;
    switch (d->kind) {
    case LLMOPS_DELTA_TEXT: s->text++; break;
    case LLMOPS_DELTA_REASONING: s->reasoning++; break;
    case LLMOPS_DELTA_TOOL_CALL:
        s->call_frags++;
        if (d->tool_index < 2 && d->tool_id)
            snprintf(s->ids[d->tool_index], sizeof s->ids[0], "%s", d->tool_id);
        if (d->tool_index > s->max_index)
            s->max_index = d->tool_index;
        break;
    case LLMOPS_DELTA_TOOL_CALL_DONE: s->call_done++; break;
    }
    return 0;
}

Test(anthropic_stream, events_to_deltas_and_response)
{
    llmops_response *r = a_stream(STREAM_OK);
    cr_assert_eq(llmops_response_status(r), LLMOPS_OK, "%s", llmops_response_error(r));
    cr_assert_str_eq(text_of(r), "Hé there");
    cr_assert_str_eq(llmops_response_reasoning(r, NULL), "hmm");
    cr_assert_eq(llmops_response_tool_call_count(r), 2);
    cr_assert_str_eq(llmops_response_tool_call_id(r, 0), "toolu_x",
                     "tool call index is the order of tool_use blocks, not the block index");
    cr_assert_str_eq(llmops_response_tool_call_arguments(r, 0), "{\"city\": \"Paris\"}");
    cr_assert_str_eq(llmops_response_tool_call_name(r, 1), "now");
    cr_assert_str_eq(llmops_response_tool_call_arguments(r, 1), "{}");
    cr_assert_eq(llmops_response_finish_reason(r), LLMOPS_FINISH_TOOL_CALLS);
    cr_assert_str_eq(llmops_response_model(r), "claude-s");
    cr_assert_str_eq(llmops_response_request_id(r), "msg_s");
    llmops_usage u = LLMOPS_USAGE_INIT;
    cr_assert_eq(llmops_response_usage(r, &u), LLMOPS_OK);
    cr_assert_eq(u.input_tokens, 42, "12 + 30 cached, kept from message_start");
    cr_assert_eq(u.cached_input_tokens, 30);
    cr_assert_eq(u.output_tokens, 42, "message_delta's cumulative count");
    llmops_response_free(r);

    /* Through a host callback: deltas carry the call index and id. */
    llmops_response_new(&r);
    r->start_ns = llmops__mono_ns();
    seen sn;
    memset(&sn, 0, sizeof sn);
    llmops_stream s;
    llmops__stream_init(&s, r, on_delta, &sn);
    llmops__decoder d;
    cr_assert_eq(llmops__decoder_init(&d, W, &s, 0), LLMOPS_OK);
    cr_assert_eq(llmops__decoder_feed(&d, STREAM_OK, strlen(STREAM_OK)), LLMOPS_OK);
    cr_assert_eq(llmops__decoder_finish(&d), LLMOPS_OK);
    llmops__decoder_free(&d);
    cr_assert_eq(llmops__stream_finish(&s), LLMOPS_OK);
    cr_assert_eq(sn.text, 2);
    cr_assert_eq(sn.reasoning, 1);
    cr_assert_geq(sn.call_frags, 3);
    cr_assert_eq(sn.max_index, 1);
    cr_assert_eq(sn.call_done, 2);
    cr_assert_str_eq(sn.ids[0], "toolu_x");
    cr_assert_str_eq(sn.ids[1], "toolu_y");
    llmops_response_free(r);
}

Test(anthropic_stream, errors_and_truncation)
{
    llmops_response *r = a_stream(
        "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"m\","
        "\"model\":\"c\",\"usage\":{\"input_tokens\":1,\"output_tokens\":1}}}\n\n"
        "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\","
        "\"message\":\"Overloaded\"}}\n\n");
    cr_assert_eq(llmops_response_status(r), LLMOPS_E_OVERLOADED);
    cr_assert_str_eq(llmops_response_error_code(r), "overloaded_error");
    llmops_response_free(r);

    /* Cut after the text, before message_stop. */
    const char *cut = strstr(STREAM_OK, "event: message_delta");
    size_t plen = (size_t)(cut - STREAM_OK);
    char *part = malloc(plen + 1);
    memcpy(part, STREAM_OK, plen);
    part[plen] = '\0';
    r = a_stream(part);
    cr_assert_eq(llmops_response_status(r), LLMOPS_E_MALFORMED_RESPONSE);
    cr_assert_not_null(strstr(llmops_response_error(r), "message_stop"),
                       "%s", llmops_response_error(r));
    free(part);
    llmops_response_free(r);

    r = a_stream("");
    cr_assert_eq(llmops_response_status(r), LLMOPS_E_MALFORMED_RESPONSE);
    llmops_response_free(r);

    r = a_stream("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\n\n");
    cr_assert_eq(llmops_response_status(r), LLMOPS_E_MALFORMED_RESPONSE);
    llmops_response_free(r);
}

/* ---- conformance over the recordings ------------------------------------ */

/* Expectations derived from the recording independently of the wire. */
typedef struct expect {
    llmops__buf text;
    size_t ncalls;
    char first_call_name[128];
    int has_usage;
    int64_t input, output;
} expect;

static void expect_free(expect *e)
{
    free(e->text.data);
}

static void expect_text(expect *e, const char *s)
{
    size_t n = strlen(s);
    e->text.data = realloc(e->text.data, e->text.len + n + 1);
    memcpy(e->text.data + e->text.len, s, n + 1);
    e->text.len += n;
}

static void expect_usage(expect *e, const llmops_json *u, int merge)
{
    if (!u)
        return;
    int64_t v;
    if (!merge)
        e->input = e->output = 0;
    if (llmops_json_get_int(llmops_json_get(u, "input_tokens"), &v) == LLMOPS_OK) {
        e->input = v;
        if (llmops_json_get_int(llmops_json_get(u, "cache_read_input_tokens"), &v) == LLMOPS_OK)
            e->input += v;
        if (llmops_json_get_int(llmops_json_get(u, "cache_creation_input_tokens"), &v) ==
            LLMOPS_OK)
            e->input += v;
    }
    if (llmops_json_get_int(llmops_json_get(u, "output_tokens"), &v) == LLMOPS_OK)
        e->output = v;
    e->has_usage = 1;
}

static void expect_from_message(expect *e, const llmops_json *root)
{
    const llmops_json *content = llmops_json_get(root, "content");
    for (size_t i = 0; i < llmops_json_size(content); i++) {
        const llmops_json *b = llmops_json_at(content, i);
        const char *t = jstr(b, "type");
        if (t && strcmp(t, "text") == 0)
            expect_text(e, jstr(b, "text"));
        if (t && strcmp(t, "tool_use") == 0) {
            if (e->ncalls++ == 0)
                snprintf(e->first_call_name, sizeof e->first_call_name, "%s", jstr(b, "name"));
        }
    }
    expect_usage(e, llmops_json_get(root, "usage"), 0);
}

/* Walks the data lines of a stream: text deltas of text blocks, tool_use
 * block starts, the last usage figures. */
static void expect_from_stream(expect *e, const char *bytes)
{
    char kinds[256] = { 0 };
    const char *p = bytes;
    while ((p = strstr(p, "data: ")) != NULL) {
        p += 6;
        const char *end = strchr(p, '\n');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        llmops_json_doc *doc = NULL;
        if (llmops_json_parse(&doc, p, n, NULL, NULL) == LLMOPS_OK) {
            const llmops_json *ev = llmops_json_doc_root(doc);
            const char *type = jstr(ev, "type");
            int64_t idx = -1;
            llmops_json_get_int(llmops_json_get(ev, "index"), &idx);
            if (!type) {
            } else if (strcmp(type, "message_start") == 0) {
                expect_usage(e, llmops_json_get(llmops_json_get(ev, "message"), "usage"), 1);
            } else if (strcmp(type, "message_delta") == 0) {
                expect_usage(e, llmops_json_get(ev, "usage"), 1);
            } else if (strcmp(type, "content_block_start") == 0 && idx >= 0 && idx < 256) {
                const llmops_json *cb = llmops_json_get(ev, "content_block");
                const char *bt = jstr(cb, "type");
                kinds[idx] = bt && strcmp(bt, "text") == 0 ? 't' : 'o';
                if (bt && strcmp(bt, "text") == 0 && jstr(cb, "text"))
                    expect_text(e, jstr(cb, "text"));
                if (bt && strcmp(bt, "tool_use") == 0 && e->ncalls++ == 0)
                    snprintf(e->first_call_name, sizeof e->first_call_name, "%s",
                             jstr(cb, "name"));
            } else if (strcmp(type, "content_block_delta") == 0 && idx >= 0 && idx < 256 &&
                       kinds[idx] == 't') {
                const char *t = jstr(llmops_json_get(ev, "delta"), "text");
                if (t)
                    expect_text(e, t);
            }
        }
        llmops_json_doc_free(doc);
        p += n;
    }
}

static int check_expect(const expect *e, const llmops_response *r, const char *file)
{
    size_t len = 0;
    const char *t = llmops_response_text(r, &len);
    const char *want = e->text.data ? e->text.data : "";
    if (len != e->text.len || memcmp(t, want, len) != 0) {
        printf("anthropic conformance: %s: text differs\n  got:  %.200s\n  want: %.200s\n", file,
               t, want);
        return 0;
    }
    if (llmops_response_tool_call_count(r) != e->ncalls) {
        printf("anthropic conformance: %s: %zu tool calls, want %zu\n", file,
               llmops_response_tool_call_count(r), e->ncalls);
        return 0;
    }
    if (e->ncalls && strcmp(llmops_response_tool_call_name(r, 0), e->first_call_name) != 0) {
        printf("anthropic conformance: %s: first call %s, want %s\n", file,
               llmops_response_tool_call_name(r, 0), e->first_call_name);
        return 0;
    }
    for (size_t i = 0; i < e->ncalls; i++) {
        llmops_json_doc *doc = NULL;
        const char *args = llmops_response_tool_call_arguments(r, i);
        if (llmops_json_parse(&doc, args, strlen(args), NULL, NULL) != LLMOPS_OK) {
            printf("anthropic conformance: %s: call %zu arguments are not JSON: %s\n", file, i,
                   args);
            return 0;
        }
        llmops_json_doc_free(doc);
    }
    llmops_usage u = LLMOPS_USAGE_INIT;
    int has = llmops_response_usage(r, &u) == LLMOPS_OK;
    if (has != e->has_usage ||
        (has && (u.input_tokens != e->input || u.output_tokens != e->output))) {
        printf("anthropic conformance: %s: usage %lld/%lld (has %d), want %lld/%lld (has %d)\n",
               file, (long long)u.input_tokens, (long long)u.output_tokens, has,
               (long long)e->input, (long long)e->output, e->has_usage);
        return 0;
    }
    return 1;
}

static int check_error_recording(const lt_recording *rec, const char *body, size_t len)
{
    llmops_response *r;
    llmops_response_new(&r);
    W->parse_error(rec->http_status, body, len, r);
    llmops_status st = llmops_response_status(r);
    int ok = st != LLMOPS_OK;
    /* The expected status: HTTP class, refined by the error type the body
     * names (walked here with llmops_json). */
    llmops_status want = llmops__http_status_map(rec->http_status);
    llmops_json_doc *doc = NULL;
    const char *type = NULL, *msg = NULL;
    if (llmops_json_parse(&doc, body, len, NULL, NULL) == LLMOPS_OK) {
        const llmops_json *err = llmops_json_get(llmops_json_doc_root(doc), "error");
        type = jstr(err, "type");
        msg = jstr(err, "message");
        want = llmops__error_refine(want, type, type ? strlen(type) : 0, msg,
                                    msg ? strlen(msg) : 0);
    }
    if (st != want) {
        printf("anthropic conformance: %s: HTTP %d gave %s, want %s\n", rec->file,
               rec->http_status, llmops_status_str(st), llmops_status_str(want));
        ok = 0;
    }
    if (type && (!llmops_response_error_code(r) || strcmp(llmops_response_error_code(r), type))) {
        printf("anthropic conformance: %s: error code %s, want %s\n", rec->file,
               llmops_response_error_code(r) ? llmops_response_error_code(r) : "(none)", type);
        ok = 0;
    }
    if (msg && !strstr(llmops_response_error(r), msg)) {
        printf("anthropic conformance: %s: message lost: %s\n", rec->file,
               llmops_response_error(r));
        ok = 0;
    }
    llmops_json_doc_free(doc);
    llmops_response_free(r);
    return ok;
}

/* 1 when `part` (a stream cut short but complete) holds a prefix of the
 * text of `whole` and no more tool calls. */
static int is_prefix_answer(const llmops_response *part, const llmops_response *whole)
{
    size_t pl, wl;
    const char *p = llmops_response_text(part, &pl);
    const char *w = llmops_response_text(whole, &wl);
    return pl <= wl && memcmp(p, w, pl) == 0 &&
           llmops_response_tool_call_count(part) <= llmops_response_tool_call_count(whole);
}

/* Whole, every two-piece split, and byte by byte must agree. */
static int check_splits(const llmops__wire *wire, const char *bytes, size_t len,
                        const llmops_response *whole, const char *file, const char *who)
{
    llmops_response *r;
    llmops_response_new(&r);
    char why[256];
    int ok = 1;
    for (size_t cut = 1; cut < len && ok; cut++) {
        lt_feed_stream(wire, bytes, len, &cut, 1, r);
        if (!lt_response_equal(whole, r, why, sizeof why)) {
            printf("%s conformance: %s: split at %zu differs: %s\n", who, file, cut, why);
            ok = 0;
        }
    }
    /* Cut short at every line end: the stream is reported malformed, or the
     * cut came after a complete message (a recording may hold several
     * messages back to back) and what was read is a prefix of the whole. */
    for (size_t cut = 0; cut < len && ok; cut++) {
        if (bytes[cut] != '\n')
            continue;
        llmops_status st = lt_feed_stream(wire, bytes, cut, NULL, 0, r);
        if (st != LLMOPS_E_MALFORMED_RESPONSE &&
            (st != LLMOPS_OK || !is_prefix_answer(r, whole) ||
             !memmem(bytes, cut, "message_stop", strlen("message_stop")))) {
            printf("%s conformance: %s: truncated at %zu gave %s\n", who, file, cut,
                   llmops_status_str(st));
            ok = 0;
        }
    }
    if (ok) {
        size_t *all = malloc(len * sizeof *all);
        for (size_t i = 0; i < len; i++)
            all[i] = i + 1;
        lt_feed_stream(wire, bytes, len, all, len, r);
        free(all);
        if (!lt_response_equal(whole, r, why, sizeof why)) {
            printf("%s conformance: %s: byte by byte differs: %s\n", who, file, why);
            ok = 0;
        }
    }
    llmops_response_free(r);
    return ok;
}

Test(anthropic_conformance, recordings)
{
    lt_recording *recs = NULL;
    size_t n = lt_recordings_read(&recs);
    if (n == 0)
        cr_skip_test("no provider recordings: $LLMOPS_TESTDATA/providers/index.tsv is missing");
    size_t supported = 0, passed = 0, skipped = 0, streams = 0, errors = 0;
    for (size_t i = 0; i < n; i++) {
        const lt_recording *rec = &recs[i];
        if (strcmp(rec->provider, "anthropic") != 0)
            continue;
        if (strcmp(rec->endpoint, "/v1/messages") != 0) {
            skipped++;
            continue;
        }
        supported++;
        int ok = 0;
        size_t len = 0;
        if (rec->http_status != 200) {
            char *body = lt_recording_body(rec, &len);
            cr_assert_not_null(body, "%s is listed but missing", rec->file);
            ok = check_error_recording(rec, body, len);
            errors++;
            free(body);
        } else if (lt_recording_is_stream(rec)) {
            char *bytes = lt_recording_stream_bytes(rec, &len);
            cr_assert_not_null(bytes, "%s is listed but missing", rec->file);
            llmops_response *r;
            llmops_response_new(&r);
            llmops_status st = lt_feed_stream(W, bytes, len, NULL, 0, r);
            expect e;
            memset(&e, 0, sizeof e);
            expect_from_stream(&e, bytes);
            if (st != LLMOPS_OK)
                printf("anthropic conformance: %s: stream failed: %s\n", rec->file,
                       llmops_response_error(r));
            else
                ok = check_expect(&e, r, rec->file) &&
                     check_splits(W, bytes, len, r, rec->file, "anthropic");
            expect_free(&e);
            streams++;
            llmops_response_free(r);
            free(bytes);
        } else {
            char *body = lt_recording_body(rec, &len);
            cr_assert_not_null(body, "%s is listed but missing", rec->file);
            llmops_response *r;
            llmops_response_new(&r);
            llmops_status st = W->parse(LLMOPS__OP_GENERATE, body, len, r);
            llmops__response_finalize(r);
            llmops_json_doc *doc = NULL;
            expect e;
            memset(&e, 0, sizeof e);
            if (llmops_json_parse(&doc, body, len, NULL, NULL) == LLMOPS_OK)
                expect_from_message(&e, llmops_json_doc_root(doc));
            if (st != LLMOPS_OK)
                printf("anthropic conformance: %s: parse failed: %s\n", rec->file,
                       llmops_response_error(r));
            else
                ok = check_expect(&e, r, rec->file);
            expect_free(&e);
            llmops_json_doc_free(doc);
            llmops_response_free(r);
            free(body);
        }
        passed += ok;
    }
    lt_recordings_free(recs, n);
    printf("anthropic conformance: supported %zu (streams %zu, errors %zu), passed %zu, "
           "skipped-unsupported endpoint %zu\n",
           supported, streams, errors, passed, skipped);
    cr_assert_gt(supported, 0, "the index lists no anthropic /v1/messages recording");
    cr_assert_eq(passed, supported, "%zu of %zu anthropic recordings failed",
                 supported - passed, supported);
}

/* ---- allocation failure ------------------------------------------------- */

/* Allocations left before the allocator fails; -1: unlimited. Each test
 * runs in its own process, so the allocator swap stays inside this test. */
static long a_budget = -1;

static void *a_alloc(size_t n, void *ctx)
{
    (void)ctx;
    if (a_budget == 0)
        return NULL;
    if (a_budget > 0)
        a_budget--;
    return malloc(n);
}

static void *a_realloc(void *p, size_t n, void *ctx)
{
    (void)ctx;
    if (a_budget == 0)
        return NULL;
    if (a_budget > 0)
        a_budget--;
    return realloc(p, n);
}

static void a_free(void *p, void *ctx)
{
    (void)ctx;
    free(p);
}

/* Fails the 1st, 2nd, ... allocation of building `req`, parsing `body` and
 * decoding `stream` until one run needs no failure: every run must end OK
 * with the same result as without failures, or with LLMOPS_E_NO_MEMORY. */
static void a_nomem_sweep(const llmops__wire *w, const llmops_request *req, const char *model,
                            const char *body, const char *stream)
{
    llmops_allocator a = { LLMOPS_ALLOCATOR_VERSION, a_alloc, a_realloc, a_free, NULL };
    cr_assert_eq(llmops_set_allocator(&a), LLMOPS_OK);
    llmops__provider_cfg cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.base_url = (char *)w->default_base_url;

    llmops_response *ref_p, *ref_s, *rp, *rs, *rb;
    llmops_response_new(&ref_p);
    llmops_response_new(&ref_s);
    llmops_response_new(&rp);
    llmops_response_new(&rs);
    llmops_response_new(&rb);
    llmops__http_request ref_h;
    llmops__http_request_init(&ref_h);
    cr_assert_eq(w->build(&cfg, req, model, LLMOPS__OP_GENERATE, 1, "k", 1, &ref_h, rb), LLMOPS_OK);
    cr_assert_eq(w->parse(LLMOPS__OP_GENERATE, body, strlen(body), ref_p), LLMOPS_OK, "%s",
                 llmops_response_error(ref_p));
    llmops__response_finalize(ref_p);
    cr_assert_eq(lt_feed_stream(w, stream, strlen(stream), NULL, 0, ref_s), LLMOPS_OK, "%s",
                 llmops_response_error(ref_s));

    char why[256];
    long budget;
    for (budget = 0; budget < 20000; budget++) {
        llmops__http_request h;
        llmops__http_request_init(&h);
        llmops_response_reset(rb);
        llmops_response_reset(rp);
        a_budget = budget;
        llmops_status sb = w->build(&cfg, req, model, LLMOPS__OP_GENERATE, 1, "k", 1, &h, rb);
        llmops_status sp = w->parse(LLMOPS__OP_GENERATE, body, strlen(body), rp);
        if (sp == LLMOPS_OK)
            llmops__response_finalize(rp);
        llmops_status ss = lt_feed_stream(w, stream, strlen(stream), NULL, 0, rs);
        /* lt_feed_stream returns llmops_response_set_error's own status
         * (OK) when the decoder cannot start: read the response's. */
        if (ss == LLMOPS_OK)
            ss = llmops_response_status(rs);
        long left = a_budget;
        a_budget = -1;
        cr_assert(sb == LLMOPS_OK || sb == LLMOPS_E_NO_MEMORY, "build at %ld: %s", budget,
                  llmops_status_str(sb));
        if (sb == LLMOPS_OK)
            cr_assert(h.body.len == ref_h.body.len &&
                          memcmp(h.body.data, ref_h.body.data, h.body.len) == 0,
                      "build at %ld: a different body", budget);
        cr_assert(sp == LLMOPS_OK || sp == LLMOPS_E_NO_MEMORY, "parse at %ld: %s: %s", budget,
                  llmops_status_str(sp), llmops_response_error(rp));
        if (sp == LLMOPS_OK)
            cr_assert(lt_response_equal(ref_p, rp, why, sizeof why), "parse at %ld: %s", budget,
                      why);
        cr_assert(ss == LLMOPS_OK || ss == LLMOPS_E_NO_MEMORY, "stream at %ld: %s: %s", budget,
                  llmops_status_str(ss), llmops_response_error(rs));
        if (ss == LLMOPS_OK)
            cr_assert(lt_response_equal(ref_s, rs, why, sizeof why), "stream at %ld: %s", budget,
                      why);
        llmops__http_request_free(&h);
        if (left > 0)
            break; /* this run had allocations to spare: every failure point was tried */
    }
    cr_assert_lt(budget, 20000, "the sweep did not finish");
    printf("%s: allocation failure at each of %ld points handled\n", w->type, budget);
    cr_assert_gt(budget, 10, "too few allocations to be a real sweep");
    llmops__http_request_free(&ref_h);
    llmops_response_free(ref_p);
    llmops_response_free(ref_s);
    llmops_response_free(rp);
    llmops_response_free(rs);
    llmops_response_free(rb);
    llmops_set_allocator(NULL);
}

Test(anthropic_nomem, every_allocation_failure_is_clean)
{
    llmops_request *req;
    llmops_request_new(&req);
    llmops_request_add_message(req, LLMOPS_ROLE_SYSTEM, "sys", SIZE_MAX);
    llmops_request_add_message(req, LLMOPS_ROLE_USER, "hi", SIZE_MAX);
    llmops_request_add_message(req, LLMOPS_ROLE_ASSISTANT, "", 0);
    llmops_request_add_tool_call(req, "t1", "f", "{\"a\":1}");
    llmops_request_add_tool_result(req, "t1", "f", "ok", SIZE_MAX);
    llmops_request_add_tool(req, "f", "d", "{\"type\":\"object\"}");
    llmops_request_set_response_format(req, LLMOPS_FORMAT_JSON_SCHEMA, "s",
                                       "{\"type\":\"object\"}");
    a_nomem_sweep(W, req, "claude-x",
                  "{\"id\":\"msg_01\",\"type\":\"message\",\"model\":\"claude-x-1\",\"content\":["
                  "{\"type\":\"thinking\",\"thinking\":\"hm\"},{\"type\":\"text\",\"text\":\"a\"},"
                  "{\"type\":\"tool_use\",\"id\":\"toolu_a\",\"name\":\"f\","
                  "\"input\":{\"x\":[1]}}],\"stop_reason\":\"tool_use\","
                  "\"usage\":{\"input_tokens\":1,\"output_tokens\":2}}",
                  STREAM_OK);
    llmops_request_free(req);
}
