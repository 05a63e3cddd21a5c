/* The OpenAI Chat Completions wire ("openai"): request building, body,
 * stream and error parsing, and conformance over the real recordings of
 * every provider that speaks it. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "provider/request.h"
#include "provider/response.h"
#include "provider/stream.h"
#include "provider/wire.h"
#include "recordings.h"
#include "testdata.h"

#define KEY "sk-test-abcdefghijklmnop0123456789"

static char base_url[] = "https://api.openai.com/v1";
static char azure_url[] = "https://example.openai.azure.com";
static char type_openai[] = "openai";
static char api_version[] = "2024-06-01";

static llmops__provider_cfg cfg_plain(void)
{
    llmops__provider_cfg c;
    memset(&c, 0, sizeof c);
    c.type = type_openai;
    c.name = type_openai;
    c.base_url = base_url;
    return c;
}

typedef struct built {
    llmops__http_request h;
    llmops_response *resp;
    llmops_json_doc *doc;
    const llmops_json *body;
    llmops_status st;
} built;

static void build(built *b, const llmops__provider_cfg *cfg, const llmops_request *req,
                  const char *model, llmops__op op, int stream, const char *key)
{
    memset(b, 0, sizeof *b);
    llmops__http_request_init(&b->h);
    cr_assert_eq(llmops_response_new(&b->resp), LLMOPS_OK);
    b->st = llmops__wire_openai.build(cfg, req, model, op, stream, key, key ? strlen(key) : 0,
                                      &b->h, b->resp);
    if (b->st == LLMOPS_OK) {
        cr_assert_eq(llmops_json_parse(&b->doc, b->h.body.data, b->h.body.len, NULL, NULL),
                     LLMOPS_OK, "body is not JSON: %s", b->h.body.data);
        b->body = llmops_json_doc_root(b->doc);
    }
}

static void built_free(built *b)
{
    llmops_json_doc_free(b->doc);
    llmops_response_free(b->resp);
    llmops__http_request_free(&b->h);
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

static llmops_request *chat_request(void)
{
    llmops_request *req = NULL;
    cr_assert_eq(llmops_request_new(&req), LLMOPS_OK);
    cr_assert_eq(llmops_request_add_message(req, LLMOPS_ROLE_SYSTEM, "Be brief.", SIZE_MAX),
                 LLMOPS_OK);
    cr_assert_eq(llmops_request_add_message(req, LLMOPS_ROLE_USER, "Weather in \"Paris\"?\n",
                                            SIZE_MAX),
                 LLMOPS_OK);
    cr_assert_eq(llmops_request_add_text_part(req, "And Rome \xc3\xa9?", SIZE_MAX), LLMOPS_OK);
    cr_assert_eq(llmops_request_add_message(req, LLMOPS_ROLE_ASSISTANT, "", 0), LLMOPS_OK);
    cr_assert_eq(llmops_request_add_tool_call(req, "call_1", "weather", "{\"city\":\"Paris\"}"),
                 LLMOPS_OK);
    cr_assert_eq(llmops_request_add_tool_result(req, "call_1", "weather", "sunny", SIZE_MAX),
                 LLMOPS_OK);
    cr_assert_eq(llmops_request_set_temperature(req, 0.25), LLMOPS_OK);
    cr_assert_eq(llmops_request_set_top_p(req, 0.5), LLMOPS_OK);
    cr_assert_eq(llmops_request_set_max_output_tokens(req, 321), LLMOPS_OK);
    cr_assert_eq(llmops_request_set_seed(req, 42), LLMOPS_OK);
    cr_assert_eq(llmops_request_add_stop(req, "END"), LLMOPS_OK);
    cr_assert_eq(llmops_request_add_tool(req, "weather", "Weather for a city",
                                         "{\"type\":\"object\",\"properties\":{\"city\":"
                                         "{\"type\":\"string\"}},\"required\":[\"city\"]}"),
                 LLMOPS_OK);
    cr_assert_eq(llmops_request_add_tool(req, "now", NULL, NULL), LLMOPS_OK);
    cr_assert_eq(llmops_request_set_metadata(req, "user_id", "u-1"), LLMOPS_OK);
    return req;
}

/* ---- building ------------------------------------------------------------- */

Test(openai_build, chat_body_fields)
{
    llmops_request *req = chat_request();
    cr_assert_eq(llmops_request_set_tool_choice(req, LLMOPS_TOOL_CHOICE_NAMED, "weather"),
                 LLMOPS_OK);
    cr_assert_eq(llmops_request_set_response_format(req, LLMOPS_FORMAT_JSON_SCHEMA, "answer",
                                                    "{\"type\":\"object\"}"),
                 LLMOPS_OK);
    llmops__provider_cfg cfg = cfg_plain();
    built b;
    build(&b, &cfg, req, "gpt-4o-mini", LLMOPS__OP_GENERATE, 0, KEY);
    cr_assert_eq(b.st, LLMOPS_OK, "%s", llmops_response_error(b.resp));
    cr_assert_str_eq(b.h.url.data, "https://api.openai.com/v1/chat/completions");
    const llmops_json *body = b.body;
    cr_assert_str_eq(jstr(body, "model"), "gpt-4o-mini");
    const llmops_json *msgs = llmops_json_get(body, "messages");
    cr_assert_eq(llmops_json_size(msgs), 4);
    const llmops_json *m0 = llmops_json_at(msgs, 0), *m1 = llmops_json_at(msgs, 1);
    const llmops_json *m2 = llmops_json_at(msgs, 2), *m3 = llmops_json_at(msgs, 3);
    cr_assert_str_eq(jstr(m0, "role"), "system");
    cr_assert_str_eq(jstr(m0, "content"), "Be brief.");
    /* Two text parts: content parts, escaping preserved through the parser. */
    cr_assert_str_eq(jstr(m1, "role"), "user");
    const llmops_json *parts = llmops_json_get(m1, "content");
    cr_assert_eq(llmops_json_size(parts), 2);
    cr_assert_str_eq(jstr(llmops_json_at(parts, 0), "type"), "text");
    cr_assert_str_eq(jstr(llmops_json_at(parts, 0), "text"), "Weather in \"Paris\"?\n");
    cr_assert_str_eq(jstr(llmops_json_at(parts, 1), "text"), "And Rome \xc3\xa9?");
    cr_assert_str_eq(jstr(m2, "role"), "assistant");
    cr_assert_eq(llmops_json_type_of(llmops_json_get(m2, "content")), LLMOPS_JSON_NULL);
    const llmops_json *tc = llmops_json_at(llmops_json_get(m2, "tool_calls"), 0);
    cr_assert_str_eq(jstr(tc, "id"), "call_1");
    cr_assert_str_eq(jstr(tc, "type"), "function");
    cr_assert_str_eq(jstr(llmops_json_get(tc, "function"), "name"), "weather");
    cr_assert_str_eq(jstr(llmops_json_get(tc, "function"), "arguments"), "{\"city\":\"Paris\"}");
    cr_assert_str_eq(jstr(m3, "role"), "tool");
    cr_assert_str_eq(jstr(m3, "tool_call_id"), "call_1");
    cr_assert_str_eq(jstr(m3, "content"), "sunny");
    double d = 0;
    cr_assert_eq(llmops_json_get_double(llmops_json_get(body, "temperature"), &d), LLMOPS_OK);
    cr_assert_float_eq(d, 0.25, 1e-12);
    cr_assert_eq(llmops_json_get_double(llmops_json_get(body, "top_p"), &d), LLMOPS_OK);
    cr_assert_float_eq(d, 0.5, 1e-12);
    cr_assert_eq(jint(body, "max_completion_tokens"), 321);
    cr_assert_null(llmops_json_get(body, "max_tokens"));
    cr_assert_eq(jint(body, "seed"), 42);
    cr_assert_str_eq(llmops_json_string(llmops_json_at(llmops_json_get(body, "stop"), 0), NULL),
                     "END");
    const llmops_json *tools = llmops_json_get(body, "tools");
    cr_assert_eq(llmops_json_size(tools), 2);
    const llmops_json *f0 = llmops_json_get(llmops_json_at(tools, 0), "function");
    cr_assert_str_eq(jstr(llmops_json_at(tools, 0), "type"), "function");
    cr_assert_str_eq(jstr(f0, "name"), "weather");
    cr_assert_str_eq(jstr(f0, "description"), "Weather for a city");
    cr_assert_str_eq(jstr(llmops_json_get(f0, "parameters"), "type"), "object");
    cr_assert_not_null(llmops_json_get(llmops_json_get(llmops_json_get(f0, "parameters"),
                                                       "properties"),
                                       "city"));
    const llmops_json *f1 = llmops_json_get(llmops_json_at(tools, 1), "function");
    cr_assert_null(llmops_json_get(f1, "description"));
    cr_assert_str_eq(jstr(llmops_json_get(f1, "parameters"), "type"), "object");
    const llmops_json *choice = llmops_json_get(body, "tool_choice");
    cr_assert_str_eq(jstr(choice, "type"), "function");
    cr_assert_str_eq(jstr(llmops_json_get(choice, "function"), "name"), "weather");
    const llmops_json *rf = llmops_json_get(body, "response_format");
    cr_assert_str_eq(jstr(rf, "type"), "json_schema");
    cr_assert_str_eq(jstr(llmops_json_get(rf, "json_schema"), "name"), "answer");
    cr_assert(llmops_json_is_true(llmops_json_get(llmops_json_get(rf, "json_schema"), "strict")));
    cr_assert_str_eq(jstr(llmops_json_get(llmops_json_get(rf, "json_schema"), "schema"), "type"),
                     "object");
    /* Not streamed: no stream flags. Metadata needs store:true on OpenAI. */
    cr_assert_null(llmops_json_get(body, "stream"));
    cr_assert_null(llmops_json_get(body, "stream_options"));
    cr_assert_null(llmops_json_get(body, "metadata"));
    built_free(&b);
    llmops_request_free(req);
}

Test(openai_build, stream_flags_and_choices)
{
    static const struct {
        llmops_tool_choice c;
        const char *want;
    } cases[] = {{LLMOPS_TOOL_CHOICE_AUTO, "auto"},
                 {LLMOPS_TOOL_CHOICE_NONE, "none"},
                 {LLMOPS_TOOL_CHOICE_REQUIRED, "required"}};
    llmops__provider_cfg cfg = cfg_plain();
    for (size_t i = 0; i < 3; i++) {
        llmops_request *req = chat_request();
        cr_assert_eq(llmops_request_set_tool_choice(req, cases[i].c, NULL), LLMOPS_OK);
        cr_assert_eq(llmops_request_set_response_format(req, LLMOPS_FORMAT_JSON, NULL, NULL),
                     LLMOPS_OK);
        built b;
        build(&b, &cfg, req, "m", LLMOPS__OP_GENERATE, 1, KEY);
        cr_assert_eq(b.st, LLMOPS_OK);
        cr_assert_str_eq(jstr(b.body, "tool_choice"), cases[i].want);
        cr_assert_str_eq(jstr(llmops_json_get(b.body, "response_format"), "type"),
                         "json_object");
        cr_assert(llmops_json_is_true(llmops_json_get(b.body, "stream")));
        cr_assert(llmops_json_is_true(
            llmops_json_get(llmops_json_get(b.body, "stream_options"), "include_usage")));
        cr_assert_not_null(strstr(b.h.headers.data, "Accept: text/event-stream\n"));
        built_free(&b);
        llmops_request_free(req);
    }
    /* No tools: no tool_choice (OpenAI rejects one without tools). */
    llmops_request *req = NULL;
    cr_assert_eq(llmops_request_new(&req), LLMOPS_OK);
    cr_assert_eq(llmops_request_add_message(req, LLMOPS_ROLE_USER, "hi", SIZE_MAX), LLMOPS_OK);
    cr_assert_eq(llmops_request_set_tool_choice(req, LLMOPS_TOOL_CHOICE_NONE, NULL), LLMOPS_OK);
    built b;
    build(&b, &cfg, req, "m", LLMOPS__OP_GENERATE, 0, KEY);
    cr_assert_eq(b.st, LLMOPS_OK);
    cr_assert_null(llmops_json_get(b.body, "tool_choice"));
    cr_assert_null(llmops_json_get(b.body, "tools"));
    cr_assert_null(llmops_json_get(b.body, "temperature"));
    cr_assert_null(llmops_json_get(b.body, "response_format"));
    cr_assert_str_eq(jstr(llmops_json_at(llmops_json_get(b.body, "messages"), 0), "content"),
                     "hi");
    built_free(&b);
    llmops_request_free(req);
}

Test(openai_build, headers_and_azure)
{
    llmops_request *req = chat_request();
    llmops__provider_cfg cfg = cfg_plain();
    built b;
    build(&b, &cfg, req, "gpt-4o", LLMOPS__OP_GENERATE, 0, KEY);
    cr_assert_eq(b.st, LLMOPS_OK);
    cr_assert_not_null(strstr(b.h.headers.data, "Authorization: Bearer " KEY "\n"));
    cr_assert_not_null(strstr(b.h.headers.data, "Content-Type: application/json\n"));
    cr_assert_null(strstr(b.h.body.data, KEY), "the key leaked into the body");
    cr_assert_null(strstr(b.h.url.data, KEY));
    built_free(&b);

    build(&b, &cfg, req, "gpt-4o", LLMOPS__OP_GENERATE, 0, NULL);
    cr_assert_eq(b.st, LLMOPS_OK);
    cr_assert_null(strstr(b.h.headers.data, "Authorization"));
    built_free(&b);

    cfg.azure = 1;
    cfg.base_url = azure_url;
    cfg.api_version = api_version;
    build(&b, &cfg, req, "my deploy", LLMOPS__OP_GENERATE, 0, KEY);
    cr_assert_eq(b.st, LLMOPS_OK);
    cr_assert_str_eq(b.h.url.data, "https://example.openai.azure.com/openai/deployments/"
                                   "my%20deploy/chat/completions?api-version=2024-06-01");
    cr_assert_not_null(strstr(b.h.headers.data, "api-key: " KEY "\n"));
    cr_assert_null(strstr(b.h.headers.data, "Authorization"));
    built_free(&b);
    build(&b, &cfg, req, "emb", LLMOPS__OP_EMBED, 0, KEY);
    cr_assert_neq(b.st, LLMOPS_OK, "embedding request without inputs was accepted");
    built_free(&b);
    llmops_request_free(req);
}

Test(openai_build, invalid_requests_name_the_problem_without_the_key)
{
    llmops__provider_cfg cfg = cfg_plain();
    llmops_request *req = NULL;
    cr_assert_eq(llmops_request_new(&req), LLMOPS_OK);
    built b;
    build(&b, &cfg, req, "gpt-4o", LLMOPS__OP_GENERATE, 0, KEY);
    cr_assert_eq(b.st, LLMOPS_E_INVALID_ARGUMENT);
    cr_assert_not_null(strstr(llmops_response_error(b.resp), "no messages"));
    cr_assert_null(strstr(llmops_response_error(b.resp), KEY));
    built_free(&b);
    cr_assert_eq(llmops_request_add_message(req, LLMOPS_ROLE_USER, "hi", SIZE_MAX), LLMOPS_OK);
    build(&b, &cfg, req, NULL, LLMOPS__OP_GENERATE, 0, KEY);
    cr_assert_eq(b.st, LLMOPS_E_INVALID_ARGUMENT);
    cr_assert_not_null(strstr(llmops_response_error(b.resp), "model"));
    cr_assert_null(strstr(llmops_response_error(b.resp), KEY));
    built_free(&b);
    build(&b, &cfg, req, "m", LLMOPS__OP_EMBED, 0, KEY);
    cr_assert_eq(b.st, LLMOPS_E_INVALID_ARGUMENT);
    cr_assert_not_null(strstr(llmops_response_error(b.resp), "inputs"));
    built_free(&b);
    llmops_request_free(req);
}

Test(openai_build, embeddings_and_moderation)
{
    llmops__provider_cfg cfg = cfg_plain();
    llmops_request *req = NULL;
    cr_assert_eq(llmops_request_new(&req), LLMOPS_OK);
    cr_assert_eq(llmops_request_add_input(req, "first", SIZE_MAX), LLMOPS_OK);
    cr_assert_eq(llmops_request_add_input(req, "second", SIZE_MAX), LLMOPS_OK);
    cr_assert_eq(llmops_request_set_dimensions(req, 256), LLMOPS_OK);
    built b;
    build(&b, &cfg, req, "text-embedding-3-small", LLMOPS__OP_EMBED, 0, KEY);
    cr_assert_eq(b.st, LLMOPS_OK, "%s", llmops_response_error(b.resp));
    cr_assert_str_eq(b.h.url.data, "https://api.openai.com/v1/embeddings");
    const llmops_json *in = llmops_json_get(b.body, "input");
    cr_assert_eq(llmops_json_size(in), 2);
    cr_assert_str_eq(llmops_json_string(llmops_json_at(in, 1), NULL), "second");
    cr_assert_eq(jint(b.body, "dimensions"), 256);
    cr_assert_str_eq(jstr(b.body, "encoding_format"), "float");
    built_free(&b);
    cr_assert_eq(llmops_request_set_embed_encoding(req, LLMOPS_EMBED_BASE64), LLMOPS_OK);
    build(&b, &cfg, req, "text-embedding-3-small", LLMOPS__OP_EMBED, 0, KEY);
    cr_assert_str_eq(jstr(b.body, "encoding_format"), "base64");
    built_free(&b);

    cr_assert_eq(llmops_request_add_message(req, LLMOPS_ROLE_USER, "old", SIZE_MAX), LLMOPS_OK);
    cr_assert_eq(llmops_request_add_message(req, LLMOPS_ROLE_ASSISTANT, "x", SIZE_MAX),
                 LLMOPS_OK);
    cr_assert_eq(llmops_request_add_message(req, LLMOPS_ROLE_USER, "classify me", SIZE_MAX),
                 LLMOPS_OK);
    build(&b, &cfg, req, "omni-moderation-latest", LLMOPS__OP_CLASSIFY, 0, KEY);
    cr_assert_eq(b.st, LLMOPS_OK, "%s", llmops_response_error(b.resp));
    cr_assert_str_eq(b.h.url.data, "https://api.openai.com/v1/moderations");
    cr_assert_str_eq(jstr(b.body, "input"), "classify me");
    cr_assert_str_eq(jstr(b.body, "model"), "omni-moderation-latest");
    built_free(&b);
    llmops_request_free(req);
}

/* ---- parsing bodies --------------------------------------------------------- */

static llmops_response *parse(llmops__op op, const char *body)
{
    llmops_response *r = NULL;
    cr_assert_eq(llmops_response_new(&r), LLMOPS_OK);
    llmops__wire_openai.parse(op, body, strlen(body), r);
    llmops__response_finalize(r);
    return r;
}

/* Compared by length: an empty answer's buffer need not be terminated
 * before the call ends. */
static int text_is(const llmops_response *r, const char *want)
{
    size_t n = 0;
    const char *t = llmops_response_text(r, &n);
    return n == strlen(want) && memcmp(t, want, n) == 0;
}

Test(openai_parse, text_usage_model_id)
{
    llmops_response *r = parse(
        LLMOPS__OP_GENERATE,
        "{\"id\":\"chatcmpl-1\",\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"message\":"
        "{\"role\":\"assistant\",\"content\":\"Hello\"},\"finish_reason\":\"stop\"}],"
        "\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":5,\"total_tokens\":15,"
        "\"prompt_tokens_details\":{\"cached_tokens\":4},"
        "\"completion_tokens_details\":{\"reasoning_tokens\":2}}}");
    cr_assert_eq(llmops_response_status(r), LLMOPS_OK, "%s", llmops_response_error(r));
    cr_assert(text_is(r, "Hello"), "text is not %s", "Hello");
    cr_assert_str_eq(llmops_response_model(r), "gpt-4o");
    cr_assert_str_eq(llmops_response_request_id(r), "chatcmpl-1");
    cr_assert_eq(llmops_response_finish_reason(r), LLMOPS_FINISH_STOP);
    cr_assert_str_eq(llmops_response_finish_reason_raw(r), "stop");
    llmops_usage u = LLMOPS_USAGE_INIT;
    cr_assert_eq(llmops_response_usage(r, &u), LLMOPS_OK);
    cr_assert_eq(u.input_tokens, 10);
    cr_assert_eq(u.output_tokens, 5);
    cr_assert_eq(u.total_tokens, 15);
    cr_assert_eq(u.cached_input_tokens, 4);
    cr_assert_eq(u.reasoning_tokens, 2);
    llmops_response_free(r);
}

Test(openai_parse, usage_variants)
{
    /* DeepSeek's cache hits, Together's top-level cached_tokens, Groq's
     * x_groq.usage, and no total. */
    llmops_response *r = parse(LLMOPS__OP_GENERATE,
                               "{\"choices\":[{\"message\":{\"content\":\"a\"}}],\"usage\":{"
                               "\"prompt_tokens\":7,\"completion_tokens\":3,"
                               "\"prompt_cache_hit_tokens\":6}}");
    llmops_usage u = LLMOPS_USAGE_INIT;
    cr_assert_eq(llmops_response_usage(r, &u), LLMOPS_OK);
    cr_assert_eq(u.cached_input_tokens, 6);
    cr_assert_eq(u.total_tokens, 10);
    llmops_response_free(r);
    r = parse(LLMOPS__OP_GENERATE,
              "{\"choices\":[{\"message\":{\"content\":\"a\"}}],\"usage\":{\"cached_tokens\":2,"
              "\"prompt_tokens\":5,\"completion_tokens\":1,\"total_tokens\":6}}");
    cr_assert_eq(llmops_response_usage(r, &u), LLMOPS_OK);
    cr_assert_eq(u.cached_input_tokens, 2);
    llmops_response_free(r);
    r = parse(LLMOPS__OP_GENERATE, "{\"choices\":[{\"message\":{\"content\":\"a\"}}],"
                                   "\"x_groq\":{\"usage\":{\"prompt_tokens\":9,"
                                   "\"completion_tokens\":8,\"total_tokens\":17}}}");
    cr_assert_eq(llmops_response_usage(r, &u), LLMOPS_OK);
    cr_assert_eq(u.input_tokens, 9);
    cr_assert_eq(u.output_tokens, 8);
    llmops_response_free(r);
    r = parse(LLMOPS__OP_GENERATE, "{\"choices\":[{\"message\":{\"content\":\"a\"}}]}");
    cr_assert_eq(llmops_response_usage(r, &u), LLMOPS_E_NOT_FOUND);
    llmops_response_free(r);
}

Test(openai_parse, content_forms_reasoning_refusal)
{
    llmops_response *r = parse(LLMOPS__OP_GENERATE,
                               "{\"choices\":[{\"message\":{\"content\":null,"
                               "\"reasoning_content\":\"think\"},\"finish_reason\":\"length\"}]}");
    cr_assert_eq(llmops_response_status(r), LLMOPS_OK);
    cr_assert(text_is(r, ""), "text is not %s", "");
    cr_assert_str_eq(llmops_response_reasoning(r, NULL), "think");
    cr_assert_eq(llmops_response_finish_reason(r), LLMOPS_FINISH_LENGTH);
    llmops_response_free(r);
    r = parse(LLMOPS__OP_GENERATE,
              "{\"choices\":[{\"message\":{\"content\":[{\"type\":\"thinking\",\"thinking\":"
              "[{\"type\":\"text\",\"text\":\"hm\"}]},{\"type\":\"text\",\"text\":\"A\"},"
              "{\"type\":\"text\",\"text\":\"B\"}],\"reasoning\":\"r\"},"
              "\"finish_reason\":\"model_length\"}]}");
    cr_assert(text_is(r, "AB"), "text is not %s", "AB");
    cr_assert_str_eq(llmops_response_reasoning(r, NULL), "rhm");
    cr_assert_eq(llmops_response_finish_reason(r), LLMOPS_FINISH_LENGTH);
    llmops_response_free(r);
    r = parse(LLMOPS__OP_GENERATE,
              "{\"choices\":[{\"message\":{\"content\":null,\"refusal\":\"I can't help.\"},"
              "\"finish_reason\":\"stop\"}]}");
    cr_assert(text_is(r, "I can't help."), "text is not %s", "I can't help.");
    cr_assert_eq(llmops_response_finish_reason(r), LLMOPS_FINISH_CONTENT_FILTER);
    llmops_response_free(r);
    r = parse(LLMOPS__OP_GENERATE, "{\"choices\":[{\"message\":{\"content\":\"x\"},"
                                   "\"finish_reason\":\"content_filter\"}]}");
    cr_assert_eq(llmops_response_finish_reason(r), LLMOPS_FINISH_CONTENT_FILTER);
    llmops_response_free(r);
    r = parse(LLMOPS__OP_GENERATE, "{\"choices\":[{\"message\":{\"content\":\"x\"},"
                                   "\"finish_reason\":\"weird_new_reason\"}]}");
    cr_assert_eq(llmops_response_finish_reason(r), LLMOPS_FINISH_OTHER);
    cr_assert_str_eq(llmops_response_finish_reason_raw(r), "weird_new_reason");
    llmops_response_free(r);
}

Test(openai_parse, parallel_and_legacy_tool_calls)
{
    llmops_response *r = parse(
        LLMOPS__OP_GENERATE,
        "{\"choices\":[{\"message\":{\"content\":null,\"tool_calls\":["
        "{\"id\":\"c1\",\"type\":\"function\",\"function\":{\"name\":\"a\",\"arguments\":"
        "\"{\\\"x\\\":1}\"}},"
        "{\"id\":\"c2\",\"type\":\"function\",\"function\":{\"name\":\"b\",\"arguments\":\"\"}},"
        "{\"id\":\"c3\",\"type\":\"function\",\"function\":{\"name\":\"c\",\"arguments\":"
        "{\"y\":2}}}]},\"finish_reason\":\"tool_calls\"}]}");
    cr_assert_eq(llmops_response_status(r), LLMOPS_OK, "%s", llmops_response_error(r));
    cr_assert_eq(llmops_response_tool_call_count(r), 3);
    cr_assert_str_eq(llmops_response_tool_call_id(r, 0), "c1");
    cr_assert_str_eq(llmops_response_tool_call_name(r, 0), "a");
    cr_assert_str_eq(llmops_response_tool_call_arguments(r, 0), "{\"x\":1}");
    cr_assert_str_eq(llmops_response_tool_call_name(r, 1), "b");
    cr_assert_str_eq(llmops_response_tool_call_arguments(r, 1), "{}");
    cr_assert_str_eq(llmops_response_tool_call_arguments(r, 2), "{\"y\":2}");
    cr_assert_eq(llmops_response_finish_reason(r), LLMOPS_FINISH_TOOL_CALLS);
    llmops_response_free(r);
    r = parse(LLMOPS__OP_GENERATE,
              "{\"choices\":[{\"message\":{\"function_call\":{\"name\":\"f\",\"arguments\":"
              "\"{}\"}},\"finish_reason\":\"function_call\"}]}");
    cr_assert_eq(llmops_response_tool_call_count(r), 1);
    cr_assert_str_eq(llmops_response_tool_call_name(r, 0), "f");
    cr_assert_eq(llmops_response_finish_reason(r), LLMOPS_FINISH_TOOL_CALLS);
    llmops_response_free(r);
}

Test(openai_parse, malformed_bodies_say_what_and_where)
{
    llmops_response *r = parse(LLMOPS__OP_GENERATE, "{\"choices\": [}");
    cr_assert_eq(llmops_response_status(r), LLMOPS_E_MALFORMED_RESPONSE);
    cr_assert_not_null(strstr(llmops_response_error(r), "byte"), "%s", llmops_response_error(r));
    llmops_response_free(r);
    r = parse(LLMOPS__OP_GENERATE, "[1,2]");
    cr_assert_eq(llmops_response_status(r), LLMOPS_E_MALFORMED_RESPONSE);
    llmops_response_free(r);
    r = parse(LLMOPS__OP_GENERATE, "{\"id\":\"x\"}");
    cr_assert_eq(llmops_response_status(r), LLMOPS_E_MALFORMED_RESPONSE);
    cr_assert_not_null(strstr(llmops_response_error(r), "choices"));
    llmops_response_free(r);
    r = parse(LLMOPS__OP_GENERATE, "{\"choices\":[{\"message\":7}]}");
    cr_assert_eq(llmops_response_status(r), LLMOPS_E_MALFORMED_RESPONSE);
    llmops_response_free(r);
    /* A 200 body that is an error. */
    r = parse(LLMOPS__OP_GENERATE, "{\"error\":{\"message\":\"Rate limit reached\",\"type\":"
                                   "\"rate_limit_error\",\"code\":\"rate_limit_exceeded\"}}");
    cr_assert_eq(llmops_response_status(r), LLMOPS_E_RATE_LIMITED);
    cr_assert_str_eq(llmops_response_error_code(r), "rate_limit_exceeded");
    cr_assert_not_null(strstr(llmops_response_error(r), "Rate limit reached"));
    llmops_response_free(r);
    r = parse(LLMOPS__OP_GENERATE, "{\"error\":{\"message\":\"upstream\",\"code\":502}}");
    cr_assert_eq(llmops_response_status(r), LLMOPS_E_PROVIDER);
    llmops_response_free(r);
}

/* Standard base64 of little-endian float32 values, written here so the
 * test does not reuse the decoder under test. */
static void b64_floats(const float *v, size_t n, char *out)
{
    static const char al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    unsigned char bytes[64];
    for (size_t i = 0; i < n; i++) {
        uint32_t u;
        memcpy(&u, &v[i], 4);
        for (int k = 0; k < 4; k++)
            bytes[4 * i + (size_t)k] = (unsigned char)(u >> (8 * k));
    }
    size_t len = n * 4, o = 0;
    for (size_t i = 0; i < len; i += 3) {
        uint32_t x = (uint32_t)bytes[i] << 16;
        if (i + 1 < len)
            x |= (uint32_t)bytes[i + 1] << 8;
        if (i + 2 < len)
            x |= bytes[i + 2];
        out[o++] = al[(x >> 18) & 63];
        out[o++] = al[(x >> 12) & 63];
        out[o++] = i + 1 < len ? al[(x >> 6) & 63] : '=';
        out[o++] = i + 2 < len ? al[x & 63] : '=';
    }
    out[o] = '\0';
}

Test(openai_parse, embeddings_in_index_order_float_and_base64)
{
    llmops_response *r = parse(
        LLMOPS__OP_EMBED,
        "{\"object\":\"list\",\"data\":[{\"index\":1,\"embedding\":[0.5,-1]},"
        "{\"index\":0,\"embedding\":[1.25,2,3]}],\"model\":\"text-embedding-3-small\","
        "\"usage\":{\"prompt_tokens\":8,\"total_tokens\":8}}");
    cr_assert_eq(llmops_response_status(r), LLMOPS_OK, "%s", llmops_response_error(r));
    cr_assert_eq(llmops_response_embedding_count(r), 2);
    size_t dims = 0;
    const float *v = llmops_response_embedding(r, 0, &dims);
    cr_assert_eq(dims, 3);
    cr_assert_float_eq(v[0], 1.25f, 1e-7);
    v = llmops_response_embedding(r, 1, &dims);
    cr_assert_eq(dims, 2);
    cr_assert_float_eq(v[1], -1.0f, 1e-7);
    llmops_usage u = LLMOPS_USAGE_INIT;
    cr_assert_eq(llmops_response_usage(r, &u), LLMOPS_OK);
    cr_assert_eq(u.input_tokens, 8);
    llmops_response_free(r);

    const float want[5] = {0.1f, -2.5f, 3.0e-8f, 12345.678f, -0.0f};
    char b64[64], body[256];
    b64_floats(want, 5, b64);
    snprintf(body, sizeof body, "{\"data\":[{\"index\":0,\"embedding\":\"%s\"}]}", b64);
    r = parse(LLMOPS__OP_EMBED, body);
    cr_assert_eq(llmops_response_status(r), LLMOPS_OK, "%s", llmops_response_error(r));
    v = llmops_response_embedding(r, 0, &dims);
    cr_assert_eq(dims, 5);
    cr_assert_eq(memcmp(v, want, sizeof want), 0, "base64 floats differ");
    llmops_response_free(r);
    r = parse(LLMOPS__OP_EMBED, "{\"data\":[{\"index\":0,\"embedding\":\"AAA!\"}]}");
    cr_assert_eq(llmops_response_status(r), LLMOPS_E_MALFORMED_RESPONSE);
    cr_assert_not_null(strstr(llmops_response_error(r), "data[0]"));
    llmops_response_free(r);
    r = parse(LLMOPS__OP_EMBED, "{\"data\":[{\"index\":0,\"embedding\":[1,\"x\"]}]}");
    cr_assert_eq(llmops_response_status(r), LLMOPS_E_MALFORMED_RESPONSE);
    cr_assert_not_null(strstr(llmops_response_error(r), "embedding[1]"));
    llmops_response_free(r);
}

Test(openai_parse, moderation_flagged_first_then_by_score)
{
    llmops_response *r = parse(
        LLMOPS__OP_CLASSIFY,
        "{\"id\":\"modr-1\",\"model\":\"omni-moderation-latest\",\"results\":[{\"flagged\":true,"
        "\"categories\":{\"harassment\":false,\"violence\":true,\"self-harm\":true,"
        "\"sexual\":false},\"category_scores\":{\"harassment\":0.9,\"violence\":0.6,"
        "\"self-harm\":0.7,\"sexual\":0.01}}]}");
    cr_assert_eq(llmops_response_status(r), LLMOPS_OK, "%s", llmops_response_error(r));
    cr_assert_eq(llmops_response_label_count(r), 4);
    double s = 0;
    cr_assert_str_eq(llmops_response_label(r, 0, &s), "self-harm");
    cr_assert_float_eq(s, 0.7, 1e-12);
    cr_assert_str_eq(llmops_response_label(r, 1, &s), "violence");
    cr_assert_str_eq(llmops_response_label(r, 2, &s), "harassment");
    cr_assert_str_eq(llmops_response_label(r, 3, &s), "sexual");
    llmops_response_free(r);
    r = parse(LLMOPS__OP_CLASSIFY, "{\"results\":[]}");
    cr_assert_eq(llmops_response_status(r), LLMOPS_E_MALFORMED_RESPONSE);
    llmops_response_free(r);
}

/* ---- error bodies ------------------------------------------------------------ */

static llmops_response *perr(int status, const char *body)
{
    llmops_response *r = NULL;
    cr_assert_eq(llmops_response_new(&r), LLMOPS_OK);
    llmops__wire_openai.parse_error(status, body, strlen(body), r);
    return r;
}

Test(openai_errors, typed_statuses_messages_codes)
{
    llmops_response *r =
        perr(401, "{\"error\":{\"message\":\"Incorrect API key provided: "
                  "sk-proj-abcdefghijklmnopqrstuvwxyz012345. You can find your API key at "
                  "https://platform.openai.com/account/api-keys.\",\"type\":"
                  "\"invalid_request_error\",\"param\":null,\"code\":\"invalid_api_key\"}}");
    cr_assert_eq(llmops_response_status(r), LLMOPS_E_AUTH);
    cr_assert_str_eq(llmops_response_error_code(r), "invalid_api_key");
    cr_assert_not_null(strstr(llmops_response_error(r), "Incorrect API key"));
    cr_assert_null(strstr(llmops_response_error(r), "abcdefghijklmnop"),
                   "key-shaped token kept: %s", llmops_response_error(r));
    llmops_response_free(r);
    r = perr(429, "{\"error\":{\"message\":\"You exceeded your current quota\",\"type\":"
                  "\"insufficient_quota\",\"param\":null,\"code\":\"insufficient_quota\"}}");
    cr_assert_eq(llmops_response_status(r), LLMOPS_E_RATE_LIMITED);
    llmops_response_free(r);
    r = perr(400, "{\"error\":{\"message\":\"This model's maximum context length is 8192 "
                  "tokens\",\"type\":\"invalid_request_error\",\"code\":"
                  "\"context_length_exceeded\"}}");
    cr_assert_eq(llmops_response_status(r), LLMOPS_E_CONTEXT_LENGTH);
    llmops_response_free(r);
    r = perr(429, "{\"error\":{\"code\":429,\"message\":\"Provider returned error\","
                  "\"metadata\":{\"raw\":\"temporarily rate-limited upstream\"}}}");
    cr_assert_eq(llmops_response_status(r), LLMOPS_E_RATE_LIMITED);
    cr_assert_not_null(strstr(llmops_response_error(r), "rate-limited upstream"));
    llmops_response_free(r);
    r = perr(404, "{\"message\":\"model not found\"}");
    cr_assert_eq(llmops_response_status(r), LLMOPS_E_MODEL_NOT_FOUND);
    cr_assert_not_null(strstr(llmops_response_error(r), "model not found"));
    llmops_response_free(r);
    r = perr(422, "{\"detail\":[{\"loc\":[\"body\"],\"msg\":\"field required\"}]}");
    cr_assert_eq(llmops_response_status(r), LLMOPS_E_BAD_REQUEST);
    cr_assert_not_null(strstr(llmops_response_error(r), "field required"));
    llmops_response_free(r);
    r = perr(502, "<html>Bad gateway\x01</html>");
    cr_assert_eq(llmops_response_status(r), LLMOPS_E_PROVIDER);
    cr_assert_not_null(strstr(llmops_response_error(r), "Bad gateway"));
    llmops_response_free(r);
    r = perr(503, "");
    cr_assert_eq(llmops_response_status(r), LLMOPS_E_OVERLOADED);
    cr_assert_not_null(strstr(llmops_response_error(r), "empty error body"));
    llmops_response_free(r);
}

/* ---- streams ---------------------------------------------------------------- */

static llmops_response *feed(const char *sse)
{
    llmops_response *r = NULL;
    cr_assert_eq(llmops_response_new(&r), LLMOPS_OK);
    lt_feed_stream(&llmops__wire_openai, sse, strlen(sse), NULL, 0, r);
    return r;
}

#define CHUNK(delta, fin) \
    "data: {\"id\":\"c1\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":" delta \
    ",\"finish_reason\":" fin "}]}\n\n"

Test(openai_stream, text_tools_usage_done)
{
    llmops_response *r = feed(
        CHUNK("{\"role\":\"assistant\",\"content\":\"\"}", "null")
        CHUNK("{\"reasoning_content\":\"hmm\"}", "null")
        CHUNK("{\"content\":\"Hel\"}", "null")
        CHUNK("{\"content\":\"lo\"}", "null")
        CHUNK("{\"tool_calls\":[{\"index\":1,\"id\":\"t1\",\"type\":\"function\",\"function\":"
              "{\"name\":\"a\",\"arguments\":\"\"}}]}", "null")
        CHUNK("{\"tool_calls\":[{\"index\":2,\"id\":\"t2\",\"function\":{\"name\":\"b\","
              "\"arguments\":\"{\\\"q\\\"\"}}]}", "null")
        CHUNK("{\"tool_calls\":[{\"index\":1,\"function\":{\"arguments\":\"{\\\"p\\\":1}\"}}]}",
              "null")
        CHUNK("{\"tool_calls\":[{\"index\":2,\"function\":{\"arguments\":\":2}\"}}]}", "null")
        CHUNK("{}", "\"tool_calls\"")
        "data: {\"id\":\"c1\",\"choices\":[],\"usage\":{\"prompt_tokens\":3,"
        "\"completion_tokens\":4,\"total_tokens\":7}}\n\n"
        "data: [DONE]\n\n");
    cr_assert_eq(llmops_response_status(r), LLMOPS_OK, "%s", llmops_response_error(r));
    cr_assert(text_is(r, "Hello"), "text is not %s", "Hello");
    cr_assert_str_eq(llmops_response_reasoning(r, NULL), "hmm");
    cr_assert_eq(llmops_response_tool_call_count(r), 2);
    cr_assert_str_eq(llmops_response_tool_call_id(r, 0), "t1");
    cr_assert_str_eq(llmops_response_tool_call_name(r, 0), "a");
    cr_assert_str_eq(llmops_response_tool_call_arguments(r, 0), "{\"p\":1}");
    cr_assert_str_eq(llmops_response_tool_call_arguments(r, 1), "{\"q\":2}");
    cr_assert_eq(llmops_response_finish_reason(r), LLMOPS_FINISH_TOOL_CALLS);
    cr_assert_str_eq(llmops_response_request_id(r), "c1");
    cr_assert_str_eq(llmops_response_model(r), "m");
    llmops_usage u = LLMOPS_USAGE_INIT;
    cr_assert_eq(llmops_response_usage(r, &u), LLMOPS_OK);
    cr_assert_eq(u.total_tokens, 7);
    llmops_response_free(r);
}

Test(openai_stream, calls_without_index_and_refusal)
{
    llmops_response *r = feed(
        CHUNK("{\"tool_calls\":[{\"id\":\"x\",\"function\":{\"name\":\"f\",\"arguments\":"
              "\"{\\\"a\\\":\"}}]}", "null")
        CHUNK("{\"tool_calls\":[{\"function\":{\"arguments\":\"1}\"}}]}", "null")
        CHUNK("{\"tool_calls\":[{\"id\":\"y\",\"function\":{\"name\":\"g\",\"arguments\":"
              "\"{}\"}}]}", "\"tool_calls\""));
    cr_assert_eq(llmops_response_status(r), LLMOPS_OK, "%s", llmops_response_error(r));
    cr_assert_eq(llmops_response_tool_call_count(r), 2);
    cr_assert_str_eq(llmops_response_tool_call_arguments(r, 0), "{\"a\":1}");
    cr_assert_str_eq(llmops_response_tool_call_name(r, 1), "g");
    llmops_response_free(r);
    r = feed(CHUNK("{\"function_call\":{\"name\":\"legacy\",\"arguments\":\"{\\\"k\\\"\"}}", "null")
             CHUNK("{\"function_call\":{\"arguments\":\":3}\"}}", "null")
             CHUNK("{}", "\"function_call\""));
    cr_assert_eq(llmops_response_status(r), LLMOPS_OK, "%s", llmops_response_error(r));
    cr_assert_eq(llmops_response_tool_call_count(r), 1);
    cr_assert_str_eq(llmops_response_tool_call_name(r, 0), "legacy");
    cr_assert_str_eq(llmops_response_tool_call_arguments(r, 0), "{\"k\":3}");
    cr_assert_eq(llmops_response_finish_reason(r), LLMOPS_FINISH_TOOL_CALLS);
    llmops_response_free(r);
    r = feed(CHUNK("{\"refusal\":\"No.\"}", "null") CHUNK("{}", "\"stop\"") "data: [DONE]\n\n");
    cr_assert(text_is(r, "No."), "text is not %s", "No.");
    cr_assert_eq(llmops_response_finish_reason(r), LLMOPS_FINISH_CONTENT_FILTER);
    llmops_response_free(r);
}

Test(openai_stream, truncated_error_and_garbage)
{
    llmops_response *r = feed(CHUNK("{\"content\":\"Hel\"}", "null"));
    cr_assert_eq(llmops_response_status(r), LLMOPS_E_MALFORMED_RESPONSE);
    cr_assert_not_null(strstr(llmops_response_error(r), "ended before"),
                       "%s", llmops_response_error(r));
    llmops_response_free(r);
    r = feed(CHUNK("{\"content\":\"Hel\"}", "null")
             "data: {\"error\":{\"message\":\"The server is overloaded\",\"type\":"
             "\"server_error\",\"code\":null}}\n\n");
    cr_assert_neq(llmops_response_status(r), LLMOPS_OK);
    cr_assert(llmops_response_status(r) == LLMOPS_E_PROVIDER ||
              llmops_response_status(r) == LLMOPS_E_OVERLOADED);
    cr_assert_not_null(strstr(llmops_response_error(r), "overloaded"));
    llmops_response_free(r);
    r = feed("data: {\"choices\": [\n\n");
    cr_assert_eq(llmops_response_status(r), LLMOPS_E_MALFORMED_RESPONSE);
    cr_assert_not_null(strstr(llmops_response_error(r), "event 1"));
    llmops_response_free(r);
    /* Keep-alive comments and empty data are not events of ours. */
    r = feed(": keep-alive\n\ndata: \n\n" CHUNK("{\"content\":\"ok\"}", "\"stop\""));
    cr_assert_eq(llmops_response_status(r), LLMOPS_OK, "%s", llmops_response_error(r));
    cr_assert(text_is(r, "ok"), "text is not %s", "ok");
    llmops_response_free(r);
}

/* ---- conformance over the recordings --------------------------------------- */

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* What a recording holds, derived by walking its JSON here. */
typedef struct expect {
    llmops__buf text, reasoning;
    size_t ncalls;
    char names[16][64];
    int has_usage;
    int64_t in, out;
    char ids[16][96];
    size_t nids;
    int64_t idx[16];
    size_t nidx;
} expect;

static void add_content(expect *e, const llmops_json *m)
{
    size_t n;
    const char *t = llmops_json_string(llmops_json_get(m, "reasoning_content"), &n);
    if (!t)
        t = llmops_json_string(llmops_json_get(m, "reasoning"), &n);
    if (t)
        llmops__buf_append(&e->reasoning, t, n);
    const llmops_json *c = llmops_json_get(m, "content");
    if ((t = llmops_json_string(c, &n)))
        llmops__buf_append(&e->text, t, n);
    for (size_t i = 0; llmops_json_type_of(c) == LLMOPS_JSON_ARRAY && i < llmops_json_size(c);
         i++) {
        const llmops_json *p = llmops_json_at(c, i);
        const char *type = jstr(p, "type");
        if (type && strcmp(type, "thinking") == 0) {
            const llmops_json *th = llmops_json_get(p, "thinking");
            for (size_t k = 0; k < llmops_json_size(th); k++)
                if ((t = llmops_json_string(llmops_json_get(llmops_json_at(th, k), "text"), &n)))
                    llmops__buf_append(&e->reasoning, t, n);
        } else if ((t = llmops_json_string(llmops_json_get(p, "text"), &n))) {
            llmops__buf_append(&e->text, t, n);
        }
    }
    if ((t = llmops_json_string(llmops_json_get(m, "refusal"), &n)))
        llmops__buf_append(&e->text, t, n);
}

static void add_usage(expect *e, const llmops_json *root)
{
    const llmops_json *u = llmops_json_get(root, "usage");
    if (llmops_json_type_of(u) != LLMOPS_JSON_OBJECT)
        u = llmops_json_get(llmops_json_get(root, "x_groq"), "usage");
    if (llmops_json_type_of(u) != LLMOPS_JSON_OBJECT || !llmops_json_get(u, "prompt_tokens"))
        return;
    e->has_usage = 1;
    e->in = jint(u, "prompt_tokens");
    e->out = llmops_json_get(u, "completion_tokens") ? jint(u, "completion_tokens") : 0;
    /* llmops_usage counts reasoning in the output; xAI reports it outside
     * completion_tokens (its total is prompt + completion + reasoning). */
    const llmops_json *cd = llmops_json_get(u, "completion_tokens_details");
    int64_t r = llmops_json_get(cd, "reasoning_tokens") ? jint(cd, "reasoning_tokens") : 0;
    if (r > 0 && llmops_json_get(u, "total_tokens") && jint(u, "total_tokens") == e->in + e->out + r)
        e->out += r;
}

static void expect_chat_body(expect *e, const llmops_json *root)
{
    const llmops_json *msg = llmops_json_get(llmops_json_at(llmops_json_get(root, "choices"), 0),
                                             "message");
    add_content(e, msg);
    const llmops_json *calls = llmops_json_get(msg, "tool_calls");
    e->ncalls = llmops_json_size(calls);
    for (size_t i = 0; i < e->ncalls && i < 16; i++) {
        const char *nm = jstr(llmops_json_get(llmops_json_at(calls, i), "function"), "name");
        snprintf(e->names[i], sizeof e->names[i], "%s", nm ? nm : "");
    }
    add_usage(e, root);
}

/* The SSE data payloads of a recording's stream bytes: the recordings use
 * one "data: " line per event. */
static void expect_chat_stream(expect *e, const char *bytes, size_t len)
{
    const char *p = bytes, *end = bytes + len;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol)
            eol = end;
        if (eol - p > 6 && memcmp(p, "data: ", 6) == 0 && memcmp(p + 6, "[DONE]", 6) != 0) {
            llmops_json_doc *doc = NULL;
            if (llmops_json_parse(&doc, p + 6, (size_t)(eol - p - 6), NULL, NULL) == LLMOPS_OK) {
                const llmops_json *root = llmops_json_doc_root(doc);
                const llmops_json *ch = llmops_json_at(llmops_json_get(root, "choices"), 0);
                const llmops_json *d = llmops_json_get(ch, "delta");
                add_content(e, d);
                const llmops_json *calls = llmops_json_get(d, "tool_calls");
                for (size_t i = 0; i < llmops_json_size(calls); i++) {
                    const llmops_json *c = llmops_json_at(calls, i);
                    const char *id = jstr(c, "id");
                    int64_t ix;
                    if (id && *id && e->nids < 16) {
                        int seen = 0;
                        for (size_t k = 0; k < e->nids; k++)
                            seen |= strcmp(e->ids[k], id) == 0;
                        if (!seen) {
                            const char *nm = jstr(llmops_json_get(c, "function"), "name");
                            snprintf(e->names[e->nids], sizeof e->names[0], "%s", nm ? nm : "");
                            snprintf(e->ids[e->nids++], sizeof e->ids[0], "%s", id);
                        }
                    }
                    if (llmops_json_get_int(llmops_json_get(c, "index"), &ix) == LLMOPS_OK &&
                        e->nidx < 16) {
                        int seen = 0;
                        for (size_t k = 0; k < e->nidx; k++)
                            seen |= e->idx[k] == ix;
                        if (!seen)
                            e->idx[e->nidx++] = ix;
                    }
                }
                add_usage(e, root);
            }
            llmops_json_doc_free(doc);
        }
        p = eol + 1;
    }
    e->ncalls = e->nids > e->nidx ? e->nids : e->nidx;
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
        llmops_json_doc *doc = NULL;
        const char *args = llmops_response_tool_call_arguments(r, i);
        if (e->names[i][0] && (!nm || strcmp(nm, e->names[i]) != 0)) {
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

static void expect_free(expect *e)
{
    llmops__buf_free(&e->text);
    llmops__buf_free(&e->reasoning);
}

/* An HTTP error status and the typed status it may become (refinements
 * included). */
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

typedef struct tally {
    char provider[32];
    int supported, passed, skipped;
} tally;

static tally *tally_for(tally *t, size_t *n, const char *provider)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp(t[i].provider, provider) == 0)
            return &t[i];
    cr_assert_lt(*n, 64);
    tally *x = &t[(*n)++];
    memset(x, 0, sizeof *x);
    snprintf(x->provider, sizeof x->provider, "%s", provider);
    return x;
}

/* Streams longer than this get an even spread of this many two-piece
 * splits instead of every one (every split of a 100 KB stream re-parses it
 * 100 000 times); byte-by-byte feeding always covers every boundary. */
#define MAX_SPLITS 3000

/* Decoded size of standard base64, and its first 4 bytes. */
static size_t test_b64_len(const char *s, size_t n)
{
    while (n > 0 && s[n - 1] == '=')
        n--;
    return n * 6 / 8;
}

static void test_b64_first4(const char *s, unsigned char out[4])
{
    static const char al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    uint32_t v[8];
    for (int i = 0; i < 8; i++) {
        const char *p = strchr(al, s[i]);
        v[i] = p && s[i] ? (uint32_t)(p - al) : 0;
    }
    uint32_t a = v[0] << 18 | v[1] << 12 | v[2] << 6 | v[3];
    uint32_t b = v[4] << 18 | v[5] << 12 | v[6] << 6 | v[7];
    out[0] = (unsigned char)(a >> 16);
    out[1] = (unsigned char)(a >> 8);
    out[2] = (unsigned char)a;
    out[3] = (unsigned char)(b >> 16);
}

/* LLMOPS_WIRE_EXHAUSTIVE=1 checks every two-piece split of every stream
 * (minutes, not seconds). */
static size_t max_splits(void)
{
    const char *e = getenv("LLMOPS_WIRE_EXHAUSTIVE");
    return e && *e == '1' ? 0 : MAX_SPLITS;
}

static int check_recording(const lt_recording *rec, char *why, size_t cap)
{
    int embed = ends_with(rec->endpoint, "/embeddings");
    llmops__op op = embed ? LLMOPS__OP_EMBED : LLMOPS__OP_GENERATE;
    llmops_response *r = NULL;
    cr_assert_eq(llmops_response_new(&r), LLMOPS_OK);
    int ok = 1;
    expect e;
    memset(&e, 0, sizeof e);
    if (lt_recording_is_stream(rec)) {
        size_t len = 0;
        char *bytes = lt_recording_stream_bytes(rec, &len);
        if (!bytes) {
            snprintf(why, cap, "cannot read");
            llmops_response_free(r);
            return 0;
        }
        ok = lt_stream_split_check(&llmops__wire_openai, bytes, len, max_splits(), r, why, cap);
        if (ok && rec->http_status == 200) {
            if (llmops_response_status(r) != LLMOPS_OK) {
                snprintf(why, cap, "stream failed: %s", llmops_response_error(r));
                ok = 0;
            } else {
                expect_chat_stream(&e, bytes, len);
                ok = check_expect(&e, r, why, cap);
            }
        }
        free(bytes);
    } else {
        size_t len = 0;
        char *body = lt_recording_body(rec, &len);
        if (!body) {
            snprintf(why, cap, "cannot read");
            llmops_response_free(r);
            return 0;
        }
        if (rec->http_status == 200) {
            llmops__wire_openai.parse(op, body, len, r);
            llmops__response_finalize(r);
            llmops_json_doc *doc = NULL;
            cr_assert_eq(llmops_json_parse(&doc, body, len, NULL, NULL), LLMOPS_OK);
            const llmops_json *root = llmops_json_doc_root(doc);
            if (llmops_response_status(r) != LLMOPS_OK) {
                snprintf(why, cap, "parse failed: %s", llmops_response_error(r));
                ok = 0;
            } else if (embed) {
                const llmops_json *data = llmops_json_get(root, "data");
                size_t dims = 0;
                const float *v = llmops_response_embedding(r, 0, &dims);
                const llmops_json *first = NULL;
                for (size_t i = 0; i < llmops_json_size(data); i++)
                    if (jint(llmops_json_at(data, i), "index") == 0 ||
                        (i == 0 && !llmops_json_get(llmops_json_at(data, i), "index")))
                        first = llmops_json_get(llmops_json_at(data, i), "embedding");
                double d0 = 0;
                size_t want_dims = llmops_json_size(first);
                size_t sl = 0;
                const char *s64 = llmops_json_string(first, &sl);
                if (s64) {
                    /* base64 little-endian float32 */
                    unsigned char b[4];
                    want_dims = test_b64_len(s64, sl) / 4;
                    test_b64_first4(s64, b);
                    uint32_t u32 = (uint32_t)b[0] | (uint32_t)b[1] << 8 |
                                   (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
                    float f;
                    memcpy(&f, &u32, 4);
                    d0 = f;
                } else {
                    llmops_json_get_double(llmops_json_at(first, 0), &d0);
                }
                if (llmops_response_embedding_count(r) != llmops_json_size(data) ||
                    dims != want_dims || !v || fabs(v[0] - d0) > 1e-6) {
                    snprintf(why, cap, "embeddings: got %zu vectors (dims %zu), want %zu (%zu)",
                             llmops_response_embedding_count(r), dims, llmops_json_size(data),
                             llmops_json_size(first));
                    ok = 0;
                }
            } else {
                expect_chat_body(&e, root);
                ok = check_expect(&e, r, why, cap);
            }
            llmops_json_doc_free(doc);
        } else if (rec->http_status > 0) {
            llmops__wire_openai.parse_error(rec->http_status, body, len, r);
            if (!status_fits(rec->http_status, llmops_response_status(r)) ||
                !*llmops_response_error(r)) {
                snprintf(why, cap, "HTTP %d became status %d (%s)", rec->http_status,
                         (int)llmops_response_status(r), llmops_response_error(r));
                ok = 0;
            }
        } else {
            /* An error body whose HTTP status was not recorded: as a 2xx
             * body it must still be that error. */
            llmops__wire_openai.parse(op, body, len, r);
            if (llmops_response_status(r) == LLMOPS_OK) {
                snprintf(why, cap, "error body parsed as success");
                ok = 0;
            }
        }
        free(body);
    }
    expect_free(&e);
    llmops_response_free(r);
    return ok;
}

Test(openai_conformance, recordings, .timeout = 280)
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
        int chat = ends_with(rec->endpoint, "/chat/completions");
        int embed = ends_with(rec->endpoint, "/embeddings");
        tally *x = tally_for(t, &nt, rec->provider);
        if (!chat && !embed) {
            x->skipped++;
            continue;
        }
        x->supported++;
        total++;
        char why[768] = "";
        uint64_t t0 = llmops__mono_ns();
        if (check_recording(rec, why, sizeof why)) {
            x->passed++;
        } else {
            failed++;
            printf("FAIL %s: %s\n", rec->file, why);
        }
        uint64_t ms = (llmops__mono_ns() - t0) / 1000000;
        if (ms > 2000)
            printf("slow %s: %llu ms\n", rec->file, (unsigned long long)ms);
    }
    printf("openai wire conformance (provider: supported / passed / skipped endpoint):\n");
    for (size_t i = 0; i < nt; i++)
        printf("  %-18s %3d / %3d / %3d\n", t[i].provider, t[i].supported, t[i].passed,
               t[i].skipped);
    printf("openai wire: %d recordings checked, %d failed\n", total, failed);
    fflush(stdout);
    lt_recordings_free(recs, n);
    cr_assert_gt(total, 30, "only %d recordings matched the openai wire", total);
    cr_assert_eq(failed, 0, "%d of %d recordings failed (see the log)", failed, total);
}

/* ---- the shared recordings helper ------------------------------------------ */

Test(recordings_helper, index_streams_and_comparison)
{
    lt_recording *recs = NULL;
    size_t n = lt_recordings_read(&recs);
    if (n == 0)
        cr_skip_test("no provider recordings (set LLMOPS_TESTDATA; looked in %s)",
                     lt_testdata_dir());
    cr_assert_gt(n, 150, "index.tsv parsed into only %zu rows", n);
    const lt_recording *chunks = NULL, *sse = NULL;
    int statuses_ok = 1;
    for (size_t i = 0; i < n; i++) {
        if (!chunks && strcmp(recs[i].file, "openai/vercel-ai__openai-custom-tool.1.chunks.jsonl") == 0)
            chunks = &recs[i];
        if (!sse && strcmp(recs[i].file, "openai/pydai__test_openai_responses_stream__0.sse") == 0)
            sse = &recs[i];
        statuses_ok &= recs[i].http_status == 0 || (recs[i].http_status >= 200 &&
                                                      recs[i].http_status < 600);
    }
    cr_assert(statuses_ok);
    cr_assert_not_null(chunks);
    cr_assert_not_null(sse);
    cr_assert(chunks->streaming && chunks->has_tool_calls);
    cr_assert_str_eq(chunks->endpoint, "/v1/responses");
    cr_assert(lt_recording_is_stream(chunks) && lt_recording_is_stream(sse));
    size_t len = 0;
    char *bytes = lt_recording_stream_bytes(chunks, &len);
    cr_assert_not_null(bytes);
    /* JSON lines become SSE events named after their "type". */
    cr_assert_eq(strncmp(bytes, "event: response.created\ndata: {\"type\":\"response.created\"",
                         56),
                 0, "%.80s", bytes);
    cr_assert_eq(len, strlen(bytes));
    cr_assert_eq(memcmp(bytes + len - 2, "\n\n", 2), 0);
    free(bytes);
    size_t raw_len = 0, sse_len = 0;
    char *raw = lt_recording_body(sse, &raw_len);
    bytes = lt_recording_stream_bytes(sse, &sse_len);
    cr_assert(raw && bytes && raw_len == sse_len && memcmp(raw, bytes, raw_len) == 0,
              ".sse files are passed through unchanged");
    free(raw);
    free(bytes);
    lt_recordings_free(recs, n);

    /* The comparison sees differences and ignores JSON spacing. */
    llmops_response *a = NULL, *b = NULL;
    cr_assert_eq(llmops_response_new(&a), LLMOPS_OK);
    cr_assert_eq(llmops_response_new(&b), LLMOPS_OK);
    cr_assert_eq(llmops_response_set_text(a, "hi", 2), LLMOPS_OK);
    cr_assert_eq(llmops_response_set_text(b, "hi", 2), LLMOPS_OK);
    cr_assert_eq(llmops_response_add_tool_call(a, "c", "f", "{\"x\": [1, 2]}"), LLMOPS_OK);
    cr_assert_eq(llmops_response_add_tool_call(b, "c", "f", "{\"x\":[1,2]}"), LLMOPS_OK);
    char why[256];
    cr_assert(lt_response_equal(a, b, why, sizeof why), "%s", why);
    cr_assert_eq(llmops_response_set_text(b, "ho", 2), LLMOPS_OK);
    cr_assert(!lt_response_equal(a, b, why, sizeof why));
    cr_assert_not_null(strstr(why, "text"));
    cr_assert_eq(llmops_response_set_text(b, "hi", 2), LLMOPS_OK);
    cr_assert_eq(llmops_response_set_finish_reason(b, LLMOPS_FINISH_LENGTH, "length"), LLMOPS_OK);
    cr_assert(!lt_response_equal(a, b, why, sizeof why));
    cr_assert_not_null(strstr(why, "finish"));
    llmops_response_free(a);
    llmops_response_free(b);
}
