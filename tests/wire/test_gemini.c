/* Gemini wire: request building (generate, stream, embed), response, stream
 * and error parsing, and conformance over the real recordings. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "llmops/json.h"
#include "llmops/provider.h"
#include "provider/decoder.h"
#include "provider/errors.h"
#include "provider/stream.h"
#include "provider/response.h"
#include "provider/wire.h"
#include "recordings.h"
#include "testdata.h"

static const llmops__wire *G = &llmops__wire_gemini;

/* ---- helpers ------------------------------------------------------------ */

static llmops__provider_cfg g_cfg(void)
{
    llmops__provider_cfg c;
    memset(&c, 0, sizeof c);
    c.type = "gemini";
    c.base_url = "https://generativelanguage.googleapis.com/v1beta";
    return c;
}

typedef struct gbuilt {
    llmops__http_request http;
    llmops_response *resp;
    llmops_json_doc *doc;
    const llmops_json *body;
    llmops_status st;
} gbuilt;

static void g_build(gbuilt *b, const llmops_request *req, const char *model, llmops__op op,
                    int stream, const char *key)
{
    llmops__provider_cfg cfg = g_cfg();
    memset(b, 0, sizeof *b);
    llmops__http_request_init(&b->http);
    cr_assert_eq(llmops_response_new(&b->resp), LLMOPS_OK);
    b->st = G->build(&cfg, req, model, op, stream, key, key ? strlen(key) : 0, &b->http,
                     b->resp);
    if (b->st == LLMOPS_OK) {
        llmops_json_error err = LLMOPS_JSON_ERROR_INIT;
        cr_assert_eq(llmops_json_parse(&b->doc, b->http.body.data, b->http.body.len, NULL, &err),
                     LLMOPS_OK, "built body is not JSON (%s at %zu): %s", err.message,
                     err.offset, b->http.body.data);
        b->body = llmops_json_doc_root(b->doc);
    }
}

static void g_built_free(gbuilt *b)
{
    llmops_json_doc_free(b->doc);
    llmops_response_free(b->resp);
    llmops__http_request_free(&b->http);
}

static const char *gs(const llmops_json *v, const char *key)
{
    return llmops_json_string(llmops_json_get(v, key), NULL);
}

static int64_t gi(const llmops_json *v, const char *key)
{
    int64_t x = -12345;
    llmops_json_get_int(llmops_json_get(v, key), &x);
    return x;
}

static llmops_response *g_parse(llmops__op op, const char *body)
{
    llmops_response *r;
    cr_assert_eq(llmops_response_new(&r), LLMOPS_OK);
    G->parse(op, body, strlen(body), r);
    llmops__response_finalize(r);
    return r;
}

static llmops_response *g_stream(const char *bytes)
{
    llmops_response *r;
    cr_assert_eq(llmops_response_new(&r), LLMOPS_OK);
    lt_feed_stream(G, bytes, strlen(bytes), NULL, 0, r);
    return r;
}

/* ---- building ----------------------------------------------------------- */

Test(gemini_build, generate_url_headers_contents_and_config)
{
    llmops_request *req;
    llmops_request_new(&req);
    llmops_request_add_message(req, LLMOPS_ROLE_SYSTEM, "Be terse.", SIZE_MAX);
    llmops_request_add_message(req, LLMOPS_ROLE_USER, "Hi", SIZE_MAX);
    llmops_request_add_text_part(req, "there", SIZE_MAX);
    llmops_request_add_message(req, LLMOPS_ROLE_ASSISTANT, "Hello!", SIZE_MAX);
    llmops_request_add_message(req, LLMOPS_ROLE_USER, "Weather?", SIZE_MAX);
    llmops_request_set_temperature(req, 0.5);
    llmops_request_set_top_p(req, 0.9);
    llmops_request_set_max_output_tokens(req, 256);
    llmops_request_set_seed(req, 7);
    llmops_request_add_stop(req, "STOP!");

    gbuilt b;
    g_build(&b, req, "models/gemini-2.5-flash", LLMOPS__OP_GENERATE, 0, "AIza-secret");
    cr_assert_eq(b.st, LLMOPS_OK, "%s", llmops_response_error(b.resp));
    cr_assert_str_eq(b.http.url.data, "https://generativelanguage.googleapis.com/v1beta/models/"
                                      "gemini-2.5-flash:generateContent");
    cr_assert_not_null(strstr(b.http.headers.data, "x-goog-api-key: AIza-secret\n"));
    cr_assert_not_null(strstr(b.http.headers.data, "content-type: application/json\n"));
    const llmops_json *contents = llmops_json_get(b.body, "contents");
    cr_assert_eq(llmops_json_size(contents), 3);
    const llmops_json *c0 = llmops_json_at(contents, 0);
    cr_assert_str_eq(gs(c0, "role"), "user");
    cr_assert_eq(llmops_json_size(llmops_json_get(c0, "parts")), 2, "one part per text part");
    cr_assert_str_eq(gs(llmops_json_at(llmops_json_get(c0, "parts"), 1), "text"), "there");
    cr_assert_str_eq(gs(llmops_json_at(contents, 1), "role"), "model");
    const llmops_json *si = llmops_json_get(b.body, "systemInstruction");
    cr_assert_str_eq(gs(llmops_json_at(llmops_json_get(si, "parts"), 0), "text"), "Be terse.");
    const llmops_json *gc = llmops_json_get(b.body, "generationConfig");
    double d;
    llmops_json_get_double(llmops_json_get(gc, "temperature"), &d);
    cr_assert_float_eq(d, 0.5, 1e-12);
    llmops_json_get_double(llmops_json_get(gc, "topP"), &d);
    cr_assert_float_eq(d, 0.9, 1e-12);
    cr_assert_eq(gi(gc, "maxOutputTokens"), 256);
    cr_assert_eq(gi(gc, "seed"), 7);
    cr_assert_str_eq(llmops_json_string(llmops_json_at(llmops_json_get(gc, "stopSequences"), 0),
                                        NULL),
                     "STOP!");
    cr_assert_null(llmops_json_get(b.body, "tools"));
    cr_assert_null(llmops_json_get(gc, "responseMimeType"));
    g_built_free(&b);

    g_build(&b, req, "gemini-2.5-flash", LLMOPS__OP_GENERATE, 1, NULL);
    cr_assert_eq(b.st, LLMOPS_OK);
    cr_assert_str_eq(b.http.url.data, "https://generativelanguage.googleapis.com/v1beta/models/"
                                      "gemini-2.5-flash:streamGenerateContent?alt=sse");
    cr_assert(!b.http.headers.data || !strstr(b.http.headers.data, "x-goog-api-key"));
    g_built_free(&b);
    llmops_request_free(req);
}

Test(gemini_build, tools_calls_results_and_structured_output)
{
    llmops_request *req;
    llmops_request_new(&req);
    llmops_request_add_message(req, LLMOPS_ROLE_USER, "Paris weather and time?", SIZE_MAX);
    llmops_request_add_message(req, LLMOPS_ROLE_ASSISTANT, "", 0);
    llmops_request_add_tool_call(req, "call_0", "get_weather", "{\"city\":\"Paris\"}");
    llmops_request_add_tool_call(req, "call_1", "get_time", "{}");
    llmops_request_add_tool_result(req, "call_0", "get_weather", "{\"temp\":18}", SIZE_MAX);
    llmops_request_add_tool_result(req, "call_1", NULL, "12:00", SIZE_MAX);
    llmops_request_add_tool(req, "get_weather", "Weather now",
                            "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},"
                            "\"additionalProperties\":false}");
    llmops_request_add_tool(req, "get_time", NULL, NULL);
    llmops_request_set_tool_choice(req, LLMOPS_TOOL_CHOICE_NAMED, "get_time");
    llmops_request_set_response_format(req, LLMOPS_FORMAT_JSON_SCHEMA, "out",
                                       "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":"
                                       "\"integer\"}},\"required\":[\"a\"]}");
    gbuilt b;
    g_build(&b, req, "gemini-x", LLMOPS__OP_GENERATE, 0, NULL);
    cr_assert_eq(b.st, LLMOPS_OK, "%s", llmops_response_error(b.resp));
    const llmops_json *contents = llmops_json_get(b.body, "contents");
    cr_assert_eq(llmops_json_size(contents), 3, "user, model (calls), user (both results)");
    const llmops_json *model_parts = llmops_json_get(llmops_json_at(contents, 1), "parts");
    cr_assert_eq(llmops_json_size(model_parts), 2, "the empty text part is left out");
    const llmops_json *fc = llmops_json_get(llmops_json_at(model_parts, 0), "functionCall");
    cr_assert_str_eq(gs(fc, "name"), "get_weather");
    cr_assert_null(llmops_json_get(llmops_json_at(model_parts, 0), "thoughtSignature"),
                   "models before Gemini 3 get no signature");
    cr_assert_str_eq(gs(llmops_json_get(fc, "args"), "city"), "Paris");
    const llmops_json *res = llmops_json_at(contents, 2);
    cr_assert_str_eq(gs(res, "role"), "user");
    const llmops_json *rp = llmops_json_get(res, "parts");
    cr_assert_eq(llmops_json_size(rp), 2);
    const llmops_json *fr0 = llmops_json_get(llmops_json_at(rp, 0), "functionResponse");
    cr_assert_str_eq(gs(fr0, "name"), "get_weather");
    cr_assert_eq(gi(llmops_json_get(fr0, "response"), "temp"), 18, "a JSON object goes as is");
    const llmops_json *fr1 = llmops_json_get(llmops_json_at(rp, 1), "functionResponse");
    cr_assert_str_eq(gs(fr1, "name"), "get_time", "name found from the call id");
    cr_assert_str_eq(gs(llmops_json_get(fr1, "response"), "result"), "12:00");

    const llmops_json *decls =
        llmops_json_get(llmops_json_at(llmops_json_get(b.body, "tools"), 0),
                        "functionDeclarations");
    cr_assert_eq(llmops_json_size(decls), 2);
    const llmops_json *d0 = llmops_json_at(decls, 0);
    cr_assert_str_eq(gs(d0, "description"), "Weather now");
    const llmops_json *ps = llmops_json_get(d0, "parametersJsonSchema");
    cr_assert_not_null(llmops_json_get(ps, "additionalProperties"), "JSON Schema unconverted");
    cr_assert_null(llmops_json_get(llmops_json_at(decls, 1), "parametersJsonSchema"));
    const llmops_json *fcc =
        llmops_json_get(llmops_json_get(b.body, "toolConfig"), "functionCallingConfig");
    cr_assert_str_eq(gs(fcc, "mode"), "ANY");
    cr_assert_str_eq(llmops_json_string(llmops_json_at(llmops_json_get(fcc, "allowedFunctionNames"),
                                                       0),
                                        NULL),
                     "get_time");
    const llmops_json *gc = llmops_json_get(b.body, "generationConfig");
    cr_assert_str_eq(gs(gc, "responseMimeType"), "application/json");
    cr_assert_not_null(llmops_json_get(llmops_json_get(gc, "responseJsonSchema"), "required"));
    g_built_free(&b);

    /* Gemini 3 refuses replayed calls without a thoughtSignature. */
    g_build(&b, req, "models/gemini-3-pro-preview", LLMOPS__OP_GENERATE, 0, NULL);
    model_parts = llmops_json_get(llmops_json_at(llmops_json_get(b.body, "contents"), 1), "parts");
    for (size_t i = 0; i < 2; i++)
        cr_assert_str_eq(gs(llmops_json_at(model_parts, i), "thoughtSignature"),
                         "skip_thought_signature_validator");
    g_built_free(&b);

    llmops_request_set_tool_choice(req, LLMOPS_TOOL_CHOICE_NONE, NULL);
    g_build(&b, req, "gemini-x", LLMOPS__OP_GENERATE, 0, NULL);
    fcc = llmops_json_get(llmops_json_get(b.body, "toolConfig"), "functionCallingConfig");
    cr_assert_str_eq(gs(fcc, "mode"), "NONE");
    g_built_free(&b);
    llmops_request_set_tool_choice(req, LLMOPS_TOOL_CHOICE_AUTO, NULL);
    g_build(&b, req, "gemini-x", LLMOPS__OP_GENERATE, 0, NULL);
    cr_assert_null(llmops_json_get(b.body, "toolConfig"), "AUTO is the default");
    g_built_free(&b);
    llmops_request_free(req);

    /* A tool result nobody can name is refused before sending. */
    llmops_request_new(&req);
    llmops_request_add_message(req, LLMOPS_ROLE_USER, "x", 1);
    llmops_request_add_tool_result(req, "call_unknown", NULL, "1", 1);
    g_build(&b, req, "gemini-x", LLMOPS__OP_GENERATE, 0, NULL);
    cr_assert_eq(b.st, LLMOPS_E_INVALID_ARGUMENT);
    cr_assert_not_null(strstr(llmops_response_error(b.resp), "call_unknown"));
    g_built_free(&b);
    llmops_request_free(req);
}

Test(gemini_build, embeddings_single_and_batch)
{
    llmops_request *req;
    llmops_request_new(&req);
    gbuilt b;
    g_build(&b, req, "text-embedding-004", LLMOPS__OP_EMBED, 0, NULL);
    cr_assert_eq(b.st, LLMOPS_E_INVALID_ARGUMENT, "no input");
    g_built_free(&b);

    llmops_request_add_input(req, "first", SIZE_MAX);
    llmops_request_set_dimensions(req, 256);
    g_build(&b, req, "text-embedding-004", LLMOPS__OP_EMBED, 0, "k");
    cr_assert_eq(b.st, LLMOPS_OK, "%s", llmops_response_error(b.resp));
    cr_assert_str_eq(b.http.url.data, "https://generativelanguage.googleapis.com/v1beta/models/"
                                      "text-embedding-004:embedContent");
    cr_assert_str_eq(gs(b.body, "model"), "models/text-embedding-004");
    const llmops_json *parts = llmops_json_get(llmops_json_get(b.body, "content"), "parts");
    cr_assert_str_eq(gs(llmops_json_at(parts, 0), "text"), "first");
    cr_assert_eq(gi(b.body, "outputDimensionality"), 256);
    g_built_free(&b);

    llmops_request_add_input(req, "second", SIZE_MAX);
    g_build(&b, req, "models/text-embedding-004", LLMOPS__OP_EMBED, 0, "k");
    cr_assert_eq(b.st, LLMOPS_OK);
    cr_assert_str_eq(b.http.url.data, "https://generativelanguage.googleapis.com/v1beta/models/"
                                      "text-embedding-004:batchEmbedContents");
    const llmops_json *reqs = llmops_json_get(b.body, "requests");
    cr_assert_eq(llmops_json_size(reqs), 2);
    const llmops_json *r1 = llmops_json_at(reqs, 1);
    cr_assert_str_eq(gs(r1, "model"), "models/text-embedding-004");
    cr_assert_str_eq(gs(llmops_json_at(llmops_json_get(llmops_json_get(r1, "content"), "parts"), 0),
                        "text"),
                     "second");
    g_built_free(&b);

    g_build(&b, req, "a b/c", LLMOPS__OP_EMBED, 0, NULL);
    cr_assert_not_null(strstr(b.http.url.data, "/models/a%20b%2Fc:batchEmbedContents"),
                       "model ids are escaped in the path: %s", b.http.url.data);
    g_built_free(&b);

    g_build(&b, req, "gemini-x", LLMOPS__OP_CLASSIFY, 0, NULL);
    cr_assert_eq(b.st, LLMOPS_E_UNSUPPORTED);
    g_built_free(&b);
    g_build(&b, req, NULL, LLMOPS__OP_EMBED, 0, NULL);
    cr_assert_eq(b.st, LLMOPS_E_INVALID_ARGUMENT, "no model");
    g_built_free(&b);
    llmops_request_free(req);
}

/* ---- parsing ------------------------------------------------------------ */

Test(gemini_parse, parts_calls_usage_and_ids)
{
    llmops_response *r = g_parse(
        LLMOPS__OP_GENERATE,
        "{\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":["
        "{\"text\":\"Thinking it over\",\"thought\":true},"
        "{\"text\":\"Calling \"},{\"text\":\"tools.\",\"thoughtSignature\":\"abc\"},"
        "{\"functionCall\":{\"name\":\"get_weather\",\"args\":{\"city\":\"Paris\"}}},"
        "{\"functionCall\":{\"id\":\"fc-7\",\"name\":\"get_time\"}}]},"
        "\"finishReason\":\"STOP\",\"index\":0}],"
        "\"usageMetadata\":{\"promptTokenCount\":11,\"candidatesTokenCount\":5,"
        "\"thoughtsTokenCount\":20,\"cachedContentTokenCount\":4,\"totalTokenCount\":36},"
        "\"modelVersion\":\"gemini-2.5-pro\",\"responseId\":\"resp-1\"}");
    cr_assert_eq(llmops_response_status(r), LLMOPS_OK, "%s", llmops_response_error(r));
    cr_assert_str_eq(llmops_response_text(r, NULL), "Calling tools.");
    cr_assert_str_eq(llmops_response_reasoning(r, NULL), "Thinking it over");
    cr_assert_eq(llmops_response_tool_call_count(r), 2);
    cr_assert_str_eq(llmops_response_tool_call_id(r, 0), "call_0", "generated id");
    cr_assert_str_eq(llmops_response_tool_call_arguments(r, 0), "{\"city\":\"Paris\"}");
    cr_assert_str_eq(llmops_response_tool_call_id(r, 1), "fc-7", "the server's id is kept");
    cr_assert_str_eq(llmops_response_tool_call_arguments(r, 1), "{}");
    cr_assert_eq(llmops_response_finish_reason(r), LLMOPS_FINISH_TOOL_CALLS);
    cr_assert_str_eq(llmops_response_finish_reason_raw(r), "STOP");
    cr_assert_str_eq(llmops_response_model(r), "gemini-2.5-pro");
    cr_assert_str_eq(llmops_response_request_id(r), "resp-1");
    llmops_usage u = LLMOPS_USAGE_INIT;
    cr_assert_eq(llmops_response_usage(r, &u), LLMOPS_OK);
    cr_assert_eq(u.input_tokens, 11);
    cr_assert_eq(u.output_tokens, 25, "candidates + thoughts");
    cr_assert_eq(u.reasoning_tokens, 20);
    cr_assert_eq(u.cached_input_tokens, 4);
    cr_assert_eq(u.total_tokens, 36);
    llmops_response_free(r);
}

Test(gemini_parse, finish_reasons_and_blocked_prompt)
{
    struct {
        const char *raw;
        llmops_finish_reason f;
    } cases[] = {
        { "STOP", LLMOPS_FINISH_STOP },
        { "MAX_TOKENS", LLMOPS_FINISH_LENGTH },
        { "SAFETY", LLMOPS_FINISH_CONTENT_FILTER },
        { "RECITATION", LLMOPS_FINISH_CONTENT_FILTER },
        { "BLOCKLIST", LLMOPS_FINISH_CONTENT_FILTER },
        { "PROHIBITED_CONTENT", LLMOPS_FINISH_CONTENT_FILTER },
        { "SPII", LLMOPS_FINISH_CONTENT_FILTER },
        { "MALFORMED_FUNCTION_CALL", LLMOPS_FINISH_ERROR },
        { "LANGUAGE", LLMOPS_FINISH_OTHER },
        { "OTHER", LLMOPS_FINISH_OTHER },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char body[256];
        snprintf(body, sizeof body,
                 "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"x\"}]},"
                 "\"finishReason\":\"%s\"}]}",
                 cases[i].raw);
        llmops_response *r = g_parse(LLMOPS__OP_GENERATE, body);
        cr_assert_eq(llmops_response_status(r), LLMOPS_OK);
        cr_assert_eq(llmops_response_finish_reason(r), cases[i].f, "%s", cases[i].raw);
        llmops_response_free(r);
    }
    llmops_response *r = g_parse(LLMOPS__OP_GENERATE,
                                 "{\"promptFeedback\":{\"blockReason\":\"SAFETY\","
                                 "\"blockReasonMessage\":\"unsafe prompt\"},"
                                 "\"usageMetadata\":{\"promptTokenCount\":9,"
                                 "\"totalTokenCount\":9}}");
    cr_assert_eq(llmops_response_status(r), LLMOPS_E_CONTENT_FILTERED);
    cr_assert_not_null(strstr(llmops_response_error(r), "SAFETY"));
    cr_assert_not_null(strstr(llmops_response_error(r), "unsafe prompt"));
    cr_assert_eq(llmops_response_finish_reason(r), LLMOPS_FINISH_CONTENT_FILTER);
    llmops_response_free(r);

    r = g_parse(LLMOPS__OP_GENERATE, "{\"modelVersion\":\"x\"}");
    cr_assert_eq(llmops_response_status(r), LLMOPS_E_MALFORMED_RESPONSE);
    llmops_response_free(r);
    r = g_parse(LLMOPS__OP_GENERATE, "{\"candidates\":[{\"content\"");
    cr_assert_eq(llmops_response_status(r), LLMOPS_E_MALFORMED_RESPONSE);
    cr_assert_not_null(strstr(llmops_response_error(r), "gemini"));
    llmops_response_free(r);
    r = g_parse(LLMOPS__OP_GENERATE,
                "{\"candidates\":[{\"content\":{\"parts\":[{\"functionCall\":{\"args\":{}}}]}}]}");
    cr_assert_eq(llmops_response_status(r), LLMOPS_E_MALFORMED_RESPONSE, "call without name");
    llmops_response_free(r);
}

Test(gemini_parse, embeddings)
{
    llmops_response *r = g_parse(LLMOPS__OP_EMBED, "{\"embedding\":{\"values\":[0.5,-1,2.25]}}");
    cr_assert_eq(llmops_response_status(r), LLMOPS_OK, "%s", llmops_response_error(r));
    cr_assert_eq(llmops_response_embedding_count(r), 1);
    size_t dims = 0;
    const float *v = llmops_response_embedding(r, 0, &dims);
    cr_assert_eq(dims, 3);
    cr_assert_float_eq(v[2], 2.25f, 1e-6);
    llmops_response_free(r);

    r = g_parse(LLMOPS__OP_EMBED,
                "{\"embeddings\":[{\"values\":[1,2]},{\"values\":[3,4]},{\"values\":[5,6]}]}");
    cr_assert_eq(llmops_response_embedding_count(r), 3);
    v = llmops_response_embedding(r, 2, &dims);
    cr_assert_eq(dims, 2);
    cr_assert_float_eq(v[0], 5.0f, 1e-6);
    llmops_response_free(r);

    r = g_parse(LLMOPS__OP_EMBED, "{\"embeddings\":[{\"values\":[1,\"x\"]}]}");
    cr_assert_eq(llmops_response_status(r), LLMOPS_E_MALFORMED_RESPONSE);
    llmops_response_free(r);
    r = g_parse(LLMOPS__OP_EMBED, "{\"values\":[1]}");
    cr_assert_eq(llmops_response_status(r), LLMOPS_E_MALFORMED_RESPONSE);
    llmops_response_free(r);
}

Test(gemini_parse, http_errors_and_retry_info)
{
    const char *b429 =
        "{\"error\":{\"code\":429,\"message\":\"Quota exceeded\",\"status\":"
        "\"RESOURCE_EXHAUSTED\",\"details\":[{\"@type\":\"type.googleapis.com/google.rpc."
        "QuotaFailure\"},{\"@type\":\"type.googleapis.com/google.rpc.RetryInfo\","
        "\"retryDelay\":\"30s\"}]}}";
    llmops_response *r;
    llmops_response_new(&r);
    G->parse_error(429, b429, strlen(b429), r);
    cr_assert_eq(llmops_response_status(r), LLMOPS_E_RATE_LIMITED);
    cr_assert_eq(llmops_response_retry_after_ms(r), 30000);
    cr_assert_str_eq(llmops_response_error_code(r), "RESOURCE_EXHAUSTED");
    cr_assert_not_null(strstr(llmops_response_error(r), "Quota exceeded"));
    llmops_response_free(r);

    struct {
        int http;
        const char *body;
        llmops_status st;
    } cases[] = {
        { 403, "{\"error\":{\"code\":403,\"message\":\"no\",\"status\":\"PERMISSION_DENIED\"}}",
          LLMOPS_E_PERMISSION },
        { 404, "[{\"error\":{\"code\":404,\"message\":\"models/x is not found\",\"status\":"
               "\"NOT_FOUND\"}}]",
          LLMOPS_E_MODEL_NOT_FOUND },
        { 400, "{\"error\":{\"code\":400,\"message\":\"Invalid JSON payload received\","
               "\"status\":\"INVALID_ARGUMENT\"}}",
          LLMOPS_E_BAD_REQUEST },
        /* Gemini says a bad key with 400; the shared refinement knows. */
        { 400, "{\"error\":{\"code\":400,\"message\":\"API key not valid. Please pass a valid "
               "API key.\",\"status\":\"INVALID_ARGUMENT\"}}",
          LLMOPS_E_AUTH },
        { 500, "upstream connect error", LLMOPS_E_PROVIDER },
        { 503, "", LLMOPS_E_OVERLOADED },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        llmops_response_new(&r);
        G->parse_error(cases[i].http, cases[i].body, strlen(cases[i].body), r);
        cr_assert_eq(llmops_response_status(r), cases[i].st, "case %zu: %s: %s", i,
                     llmops_status_str(llmops_response_status(r)), llmops_response_error(r));
        char http[16];
        snprintf(http, sizeof http, "%d", cases[i].http);
        cr_assert_not_null(strstr(llmops_response_error(r), http));
        llmops_response_free(r);
    }

    /* An error object in a 200 body is that error. */
    r = g_parse(LLMOPS__OP_GENERATE,
                "{\"error\":{\"code\":503,\"message\":\"The model is overloaded.\",\"status\":"
                "\"UNAVAILABLE\"}}");
    cr_assert_eq(llmops_response_status(r), LLMOPS_E_OVERLOADED);
    llmops_response_free(r);
}

/* ---- streaming ---------------------------------------------------------- */

Test(gemini_stream, chunks_accumulate_and_complete_on_finish)
{
    const char *s =
        "data: {\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"Plan\","
        "\"thought\":true}]}}],\"modelVersion\":\"g-1\",\"responseId\":\"r1\"}\r\n\r\n"
        "data: {\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"The "
        "answer\"}]}}],\"usageMetadata\":{\"promptTokenCount\":3,\"candidatesTokenCount\":1,"
        "\"totalTokenCount\":4}}\r\n\r\n"
        "data: {\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\" is\"},"
        "{\"functionCall\":{\"name\":\"f\",\"args\":{\"x\":1}}}]}}]}\r\n\r\n"
        "data: {\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"functionCall\":"
        "{\"name\":\"g\",\"args\":{}}}]},\"finishReason\":\"STOP\"}],\"usageMetadata\":{"
        "\"promptTokenCount\":3,\"candidatesTokenCount\":9,\"thoughtsTokenCount\":2,"
        "\"totalTokenCount\":14}}\r\n\r\n";
    llmops_response *r = g_stream(s);
    cr_assert_eq(llmops_response_status(r), LLMOPS_OK, "%s", llmops_response_error(r));
    cr_assert_str_eq(llmops_response_text(r, NULL), "The answer is");
    cr_assert_str_eq(llmops_response_reasoning(r, NULL), "Plan");
    cr_assert_eq(llmops_response_tool_call_count(r), 2);
    cr_assert_str_eq(llmops_response_tool_call_id(r, 1), "call_1");
    cr_assert_str_eq(llmops_response_tool_call_name(r, 1), "g");
    cr_assert_str_eq(llmops_response_tool_call_arguments(r, 0), "{\"x\":1}");
    cr_assert_eq(llmops_response_finish_reason(r), LLMOPS_FINISH_TOOL_CALLS);
    cr_assert_str_eq(llmops_response_model(r), "g-1");
    llmops_usage u = LLMOPS_USAGE_INIT;
    llmops_response_usage(r, &u);
    cr_assert_eq(u.output_tokens, 11, "usage of the last chunk that has it");
    cr_assert_eq(u.total_tokens, 14);
    llmops_response_free(r);

    /* Cut before the finishing chunk. */
    const char *last = strstr(s, "data: {\"candidates\":[{\"content\":{\"role\":\"model\","
                                 "\"parts\":[{\"functionCall\":{\"name\":\"g\"");
    size_t n = (size_t)(last - s);
    char *part = malloc(n + 1);
    memcpy(part, s, n);
    part[n] = '\0';
    r = g_stream(part);
    cr_assert_eq(llmops_response_status(r), LLMOPS_E_MALFORMED_RESPONSE);
    cr_assert_not_null(strstr(llmops_response_error(r), "finishReason"));
    free(part);
    llmops_response_free(r);

    r = g_stream("data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"a\"}]}}]}\n\n"
                 "data: {\"error\":{\"code\":429,\"message\":\"Resource exhausted\",\"status\":"
                 "\"RESOURCE_EXHAUSTED\"}}\n\n");
    cr_assert_eq(llmops_response_status(r), LLMOPS_E_RATE_LIMITED);
    llmops_response_free(r);

    r = g_stream("data: {\"promptFeedback\":{\"blockReason\":\"PROHIBITED_CONTENT\"}}\n\n");
    cr_assert_eq(llmops_response_status(r), LLMOPS_E_CONTENT_FILTERED);
    llmops_response_free(r);

    r = g_stream("data: [1]\n\n");
    cr_assert_eq(llmops_response_status(r), LLMOPS_E_MALFORMED_RESPONSE);
    llmops_response_free(r);
}

Test(gemini_stream, streamed_function_call_arguments)
{
    /* Vertex's streamFunctionCallArguments: a named call with willContinue,
     * then partialArgs by JSON path (strings may continue), then an empty
     * functionCall closing it. */
    const char *s =
        "data: {\"candidates\":[{\"content\":{\"parts\":[{\"functionCall\":{\"name\":\"book\","
        "\"willContinue\":true}}]}}]}\n\n"
        "data: {\"candidates\":[{\"content\":{\"parts\":[{\"functionCall\":{\"partialArgs\":["
        "{\"jsonPath\":\"$.city\",\"stringValue\":\"San \",\"willContinue\":true}],"
        "\"willContinue\":true}}]}}]}\n\n"
        "data: {\"candidates\":[{\"content\":{\"parts\":[{\"functionCall\":{\"partialArgs\":["
        "{\"jsonPath\":\"$.city\",\"stringValue\":\"Francisco\"},"
        "{\"jsonPath\":\"$.when.nights\",\"numberValue\":3},"
        "{\"jsonPath\":\"$.tags[0]\",\"stringValue\":\"sea\"},"
        "{\"jsonPath\":\"$.tags[1]\",\"stringValue\":\"view\"},"
        "{\"jsonPath\":\"$.pets\",\"boolValue\":false}],\"willContinue\":true}}]}}]}\n\n"
        "data: {\"candidates\":[{\"content\":{\"parts\":[{\"functionCall\":{}}]}}]}\n\n"
        "data: {\"candidates\":[{\"content\":{\"parts\":[{\"functionCall\":{\"name\":\"pay\","
        "\"args\":{\"amount\":1}}}]},\"finishReason\":\"STOP\"}]}\n\n";
    llmops_response *r = g_stream(s);
    cr_assert_eq(llmops_response_status(r), LLMOPS_OK, "%s", llmops_response_error(r));
    cr_assert_eq(llmops_response_tool_call_count(r), 2);
    cr_assert_str_eq(llmops_response_tool_call_name(r, 0), "book");
    cr_assert_str_eq(llmops_response_tool_call_arguments(r, 0),
                     "{\"city\":\"San Francisco\",\"when\":{\"nights\":3},"
                     "\"tags\":[\"sea\",\"view\"],\"pets\":false}");
    cr_assert_str_eq(llmops_response_tool_call_id(r, 1), "call_1");
    cr_assert_eq(llmops_response_finish_reason(r), LLMOPS_FINISH_TOOL_CALLS);
    llmops_response_free(r);

    /* The recording of the same feature yields both calls whole. */
    const char *path = lt_testdata_path(
        "providers/gemini/vercel-ai__google-stream-tool-call-arguments.chunks.jsonl");
    if (!path)
        return;
    lt_recording rec;
    memset(&rec, 0, sizeof rec);
    rec.file = "gemini/vercel-ai__google-stream-tool-call-arguments.chunks.jsonl";
    size_t len = 0;
    char *bytes = lt_recording_stream_bytes(&rec, &len);
    cr_assert_not_null(bytes);
    llmops_response_new(&r);
    cr_assert_eq(lt_feed_stream(G, bytes, len, NULL, 0, r), LLMOPS_OK, "%s",
                 llmops_response_error(r));
    cr_assert_eq(llmops_response_tool_call_count(r), 2);
    cr_assert_str_eq(llmops_response_tool_call_arguments(r, 0), "{\"location\":\"Boston\"}");
    cr_assert_str_eq(llmops_response_tool_call_arguments(r, 1),
                     "{\"location\":\"San Francisco\"}");
    free(bytes);
    llmops_response_free(r);
}

typedef struct gdeltas {
    int text, calls_done;
    char done_args[2][96];
    char done_ids[2][16];
} gdeltas;

static int g_on_delta(const llmops_delta *d, void *ud)
{
    gdeltas *g = ud;
    if (d->kind == LLMOPS_DELTA_TEXT)
        g->text++;
    if (d->kind == LLMOPS_DELTA_TOOL_CALL_DONE && d->tool_index < 2) {
        g->calls_done++;
        snprintf(g->done_args[d->tool_index], sizeof g->done_args[0], "%.*s", (int)d->len,
                 d->text);
        snprintf(g->done_ids[d->tool_index], sizeof g->done_ids[0], "%s",
                 d->tool_id ? d->tool_id : "");
    }
    return 0;
}

Test(gemini_stream, host_deltas_for_whole_and_streamed_calls)
{
    const char *s =
        "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"ok\"},{\"functionCall\":"
        "{\"name\":\"a\",\"args\":{\"k\":1}}}]}}]}\n\n"
        "data: {\"candidates\":[{\"content\":{\"parts\":[{\"functionCall\":{\"name\":\"b\","
        "\"willContinue\":true}}]}}]}\n\n"
        "data: {\"candidates\":[{\"content\":{\"parts\":[{\"functionCall\":{\"partialArgs\":["
        "{\"jsonPath\":\"$.q\",\"stringValue\":\"hi\"}]}}]},\"finishReason\":\"STOP\"}]}\n\n";
    llmops_response *r;
    llmops_response_new(&r);
    r->start_ns = llmops__mono_ns();
    gdeltas g;
    memset(&g, 0, sizeof g);
    llmops_stream st;
    llmops__stream_init(&st, r, g_on_delta, &g);
    llmops__decoder d;
    cr_assert_eq(llmops__decoder_init(&d, G, &st, 0), LLMOPS_OK);
    cr_assert_eq(llmops__decoder_feed(&d, s, strlen(s)), LLMOPS_OK, "%s", llmops_response_error(r));
    cr_assert_eq(llmops__decoder_finish(&d), LLMOPS_OK, "%s", llmops_response_error(r));
    llmops__decoder_free(&d);
    cr_assert_eq(llmops__stream_finish(&st), LLMOPS_OK);
    cr_assert_eq(g.text, 1);
    cr_assert_eq(g.calls_done, 2);
    cr_assert_str_eq(g.done_args[0], "{\"k\":1}");
    cr_assert_str_eq(g.done_ids[0], "call_0");
    cr_assert_str_eq(g.done_args[1], "{\"q\":\"hi\"}",
                     "the streamed call is whole when the host hears it is done");
    cr_assert_str_eq(g.done_ids[1], "call_1");
    cr_assert_eq(llmops_response_finish_reason(r), LLMOPS_FINISH_TOOL_CALLS);
    llmops_response_free(r);
}

/* ---- conformance over the recordings ------------------------------------ */

typedef struct gexpect {
    char *text, *reasoning;
    size_t tlen, rlen;
    size_t ncalls;
    int has_usage, finished, blocked;
    int64_t input, output;
} gexpect;

static void gx_append(char **dst, size_t *len, const char *s)
{
    size_t n = strlen(s);
    *dst = realloc(*dst, *len + n + 1);
    memcpy(*dst + *len, s, n + 1);
    *len += n;
}

static void gx_chunk(gexpect *e, const llmops_json *root)
{
    const llmops_json *um = llmops_json_get(root, "usageMetadata");
    int64_t p = 0, c = 0, t = 0;
    int any = llmops_json_get_int(llmops_json_get(um, "promptTokenCount"), &p) == LLMOPS_OK;
    any |= llmops_json_get_int(llmops_json_get(um, "candidatesTokenCount"), &c) == LLMOPS_OK;
    any |= llmops_json_get_int(llmops_json_get(um, "thoughtsTokenCount"), &t) == LLMOPS_OK;
    if (any) {
        e->has_usage = 1;
        e->input = p;
        e->output = c + t;
    }
    const llmops_json *cand = llmops_json_at(llmops_json_get(root, "candidates"), 0);
    if (!cand && llmops_json_get(llmops_json_get(root, "promptFeedback"), "blockReason"))
        e->blocked = 1;
    const llmops_json *parts = llmops_json_get(llmops_json_get(cand, "content"), "parts");
    for (size_t i = 0; i < llmops_json_size(parts); i++) {
        const llmops_json *part = llmops_json_at(parts, i);
        /* A call starts with a part that names it (streamed arguments
         * follow in nameless parts). */
        if (gs(llmops_json_get(part, "functionCall"), "name"))
            e->ncalls++;
        const char *text = gs(part, "text");
        if (!text)
            continue;
        if (llmops_json_is_true(llmops_json_get(part, "thought")))
            gx_append(&e->reasoning, &e->rlen, text);
        else
            gx_append(&e->text, &e->tlen, text);
    }
    if (gs(cand, "finishReason"))
        e->finished = 1;
}

static int gx_check(const gexpect *e, const llmops_response *r, const char *file)
{
    size_t len;
    const char *t = llmops_response_text(r, &len);
    if (len != e->tlen || (len && memcmp(t, e->text, len))) {
        printf("gemini conformance: %s: text differs\n  got:  %.200s\n  want: %.200s\n", file, t,
               e->text ? e->text : "");
        return 0;
    }
    t = llmops_response_reasoning(r, &len);
    if (len != e->rlen || (len && memcmp(t, e->reasoning, len))) {
        printf("gemini conformance: %s: reasoning differs\n", file);
        return 0;
    }
    if (llmops_response_tool_call_count(r) != e->ncalls) {
        printf("gemini conformance: %s: %zu tool calls, want %zu\n", file,
               llmops_response_tool_call_count(r), e->ncalls);
        return 0;
    }
    for (size_t i = 0; i < e->ncalls; i++) {
        const char *args = llmops_response_tool_call_arguments(r, i);
        llmops_json_doc *doc = NULL;
        if (!llmops_response_tool_call_id(r, i) || !llmops_response_tool_call_name(r, i) ||
            llmops_json_parse(&doc, args, strlen(args), NULL, NULL) != LLMOPS_OK) {
            printf("gemini conformance: %s: call %zu incomplete (args %s)\n", file, i, args);
            return 0;
        }
        llmops_json_doc_free(doc);
    }
    if (e->ncalls && llmops_response_finish_reason(r) != LLMOPS_FINISH_TOOL_CALLS &&
        e->finished) {
        printf("gemini conformance: %s: calls but finish %d\n", file,
               (int)llmops_response_finish_reason(r));
        return 0;
    }
    llmops_usage u = LLMOPS_USAGE_INIT;
    int has = llmops_response_usage(r, &u) == LLMOPS_OK;
    if (has != e->has_usage ||
        (has && (u.input_tokens != e->input || u.output_tokens != e->output))) {
        printf("gemini conformance: %s: usage %lld/%lld (has %d), want %lld/%lld (has %d)\n", file,
               (long long)u.input_tokens, (long long)u.output_tokens, has, (long long)e->input,
               (long long)e->output, e->has_usage);
        return 0;
    }
    return 1;
}

static void gx_free(gexpect *e)
{
    free(e->text);
    free(e->reasoning);
}

static int g_check_error(const lt_recording *rec, const char *body, size_t len)
{
    llmops_response *r;
    llmops_response_new(&r);
    G->parse_error(rec->http_status, body, len, r);
    llmops_status want = llmops__http_status_map(rec->http_status);
    llmops_json_doc *doc = NULL;
    uint64_t want_retry = 0;
    if (llmops_json_parse(&doc, body, len, NULL, NULL) == LLMOPS_OK) {
        const llmops_json *err = llmops_json_get(llmops_json_doc_root(doc), "error");
        const char *status = gs(err, "status"), *msg = gs(err, "message");
        want = llmops__error_refine(want, status, status ? strlen(status) : 0, msg,
                                    msg ? strlen(msg) : 0);
        const llmops_json *details = llmops_json_get(err, "details");
        for (size_t i = 0; i < llmops_json_size(details); i++) {
            const char *delay = gs(llmops_json_at(details, i), "retryDelay");
            if (delay)
                want_retry = (uint64_t)(strtod(delay, NULL) * 1000.0 + 0.5);
        }
    }
    llmops_json_doc_free(doc);
    int ok = llmops_response_status(r) != LLMOPS_OK && llmops_response_status(r) == want &&
             llmops_response_retry_after_ms(r) == want_retry;
    if (!ok)
        printf("gemini conformance: %s: HTTP %d gave %s (retry %llu), want %s (retry %llu)\n",
               rec->file, rec->http_status, llmops_status_str(llmops_response_status(r)),
               (unsigned long long)llmops_response_retry_after_ms(r), llmops_status_str(want),
               (unsigned long long)want_retry);
    llmops_response_free(r);
    return ok;
}

static int g_check_embed(const lt_recording *rec, const char *body, size_t len)
{
    llmops_response *r;
    llmops_response_new(&r);
    llmops_status st = G->parse(LLMOPS__OP_EMBED, body, len, r);
    llmops_json_doc *doc = NULL;
    int ok = st == LLMOPS_OK && llmops_json_parse(&doc, body, len, NULL, NULL) == LLMOPS_OK;
    if (ok) {
        const llmops_json *root = llmops_json_doc_root(doc);
        const llmops_json *one = llmops_json_get(root, "embedding");
        const llmops_json *many = llmops_json_get(root, "embeddings");
        size_t n = one ? 1 : llmops_json_size(many);
        ok = llmops_response_embedding_count(r) == n && n > 0;
        for (size_t i = 0; ok && i < n; i++) {
            const llmops_json *e = one ? one : llmops_json_at(many, i);
            const llmops_json *vals = llmops_json_get(e, "values");
            size_t dims = 0;
            const float *v = llmops_response_embedding(r, i, &dims);
            double first = 0;
            llmops_json_get_double(llmops_json_at(vals, 0), &first);
            ok = dims == llmops_json_size(vals) && fabs(v[0] - first) < 1e-6;
        }
    }
    if (!ok)
        printf("gemini conformance: %s: embeddings wrong (%s)\n", rec->file,
               llmops_response_error(r));
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

static int g_check_splits(const char *bytes, size_t len, const llmops_response *whole,
                          const char *file)
{
    llmops_response *r;
    llmops_response_new(&r);
    char why[256];
    int ok = 1;
    for (size_t cut = 1; cut < len && ok; cut++) {
        lt_feed_stream(G, bytes, len, &cut, 1, r);
        if (!lt_response_equal(whole, r, why, sizeof why)) {
            printf("gemini conformance: %s: split at %zu differs: %s\n", file, cut, why);
            ok = 0;
        }
    }
    /* Cut short at every line end: the stream is reported malformed, or the
     * cut came after a complete message (a recording may hold several
     * messages back to back) and what was read is a prefix of the whole. */
    for (size_t cut = 0; cut < len && ok; cut++) {
        if (bytes[cut] != '\n')
            continue;
        llmops_status st = lt_feed_stream(G, bytes, cut, NULL, 0, r);
        if (st != LLMOPS_E_MALFORMED_RESPONSE &&
            (st != LLMOPS_OK || !is_prefix_answer(r, whole) ||
             !memmem(bytes, cut, "finishReason", strlen("finishReason")))) {
            printf("%s conformance: %s: truncated at %zu gave %s\n", "gemini", file, cut,
                   llmops_status_str(st));
            ok = 0;
        }
    }
    if (ok) {
        size_t *all = malloc(len * sizeof *all);
        for (size_t i = 0; i < len; i++)
            all[i] = i + 1;
        lt_feed_stream(G, bytes, len, all, len, r);
        free(all);
        if (!lt_response_equal(whole, r, why, sizeof why)) {
            printf("gemini conformance: %s: byte by byte differs: %s\n", file, why);
            ok = 0;
        }
    }
    llmops_response_free(r);
    return ok;
}

static int g_supported(const char *endpoint)
{
    return strstr(endpoint, "/models/{model}:generateContent") ||
           strstr(endpoint, "/models/{model}:streamGenerateContent") ||
           strstr(endpoint, "/models/{model}:embedContent") ||
           strstr(endpoint, "/models/{model}:batchEmbedContents");
}

Test(gemini_conformance, recordings)
{
    lt_recording *recs = NULL;
    size_t n = lt_recordings_read(&recs);
    if (n == 0)
        cr_skip_test("no provider recordings: $LLMOPS_TESTDATA/providers/index.tsv is missing");
    struct {
        const char *name;
        size_t supported, passed, skipped;
    } per[2] = { { "gemini", 0, 0, 0 }, { "gemini-vertex", 0, 0, 0 } };
    for (size_t i = 0; i < n; i++) {
        const lt_recording *rec = &recs[i];
        int which = strcmp(rec->provider, "gemini") == 0          ? 0
                    : strcmp(rec->provider, "gemini-vertex") == 0 ? 1
                                                                  : -1;
        if (which < 0)
            continue;
        if (!g_supported(rec->endpoint)) {
            per[which].skipped++;
            continue;
        }
        per[which].supported++;
        int embed = strstr(rec->endpoint, "mbedContent") != NULL;
        int ok = 0;
        size_t len = 0;
        if (rec->http_status != 200) {
            char *body = lt_recording_body(rec, &len);
            cr_assert_not_null(body, "%s is listed but missing", rec->file);
            ok = g_check_error(rec, body, len);
            free(body);
        } else if (embed) {
            char *body = lt_recording_body(rec, &len);
            cr_assert_not_null(body, "%s is listed but missing", rec->file);
            ok = g_check_embed(rec, body, len);
            free(body);
        } else if (lt_recording_is_stream(rec)) {
            char *bytes = lt_recording_stream_bytes(rec, &len);
            cr_assert_not_null(bytes, "%s is listed but missing", rec->file);
            gexpect e;
            memset(&e, 0, sizeof e);
            for (const char *p = bytes; (p = strstr(p, "data: ")) != NULL;) {
                p += 6;
                const char *end = strchr(p, '\n');
                size_t m = end ? (size_t)(end - p) : strlen(p);
                llmops_json_doc *doc = NULL;
                if (llmops_json_parse(&doc, p, m, NULL, NULL) == LLMOPS_OK)
                    gx_chunk(&e, llmops_json_doc_root(doc));
                llmops_json_doc_free(doc);
                p += m;
            }
            llmops_response *r;
            llmops_response_new(&r);
            llmops_status st = lt_feed_stream(G, bytes, len, NULL, 0, r);
            if (st != LLMOPS_OK)
                printf("gemini conformance: %s: stream failed: %s\n", rec->file,
                       llmops_response_error(r));
            else
                ok = gx_check(&e, r, rec->file) && g_check_splits(bytes, len, r, rec->file);
            gx_free(&e);
            llmops_response_free(r);
            free(bytes);
        } else {
            char *body = lt_recording_body(rec, &len);
            cr_assert_not_null(body, "%s is listed but missing", rec->file);
            gexpect e;
            memset(&e, 0, sizeof e);
            llmops_json_doc *doc = NULL;
            if (llmops_json_parse(&doc, body, len, NULL, NULL) == LLMOPS_OK)
                gx_chunk(&e, llmops_json_doc_root(doc));
            llmops_json_doc_free(doc);
            llmops_response *r;
            llmops_response_new(&r);
            llmops_status st = G->parse(LLMOPS__OP_GENERATE, body, len, r);
            llmops__response_finalize(r);
            if (e.blocked) {
                ok = st == LLMOPS_E_CONTENT_FILTERED;
                if (!ok)
                    printf("gemini conformance: %s: blocked prompt gave %s\n", rec->file,
                           llmops_status_str(st));
            } else if (st != LLMOPS_OK) {
                printf("gemini conformance: %s: parse failed: %s\n", rec->file,
                       llmops_response_error(r));
            } else {
                ok = gx_check(&e, r, rec->file);
            }
            gx_free(&e);
            llmops_response_free(r);
            free(body);
        }
        per[which].passed += ok;
    }
    lt_recordings_free(recs, n);
    size_t sup = 0, pass = 0;
    for (int i = 0; i < 2; i++) {
        printf("gemini conformance: %s: supported %zu, passed %zu, skipped-unsupported "
               "endpoint %zu\n",
               per[i].name, per[i].supported, per[i].passed, per[i].skipped);
        sup += per[i].supported;
        pass += per[i].passed;
    }
    cr_assert_gt(sup, 0, "the index lists no supported gemini recording");
    cr_assert_eq(pass, sup, "%zu of %zu gemini recordings failed", sup - pass, sup);
}

/* ---- allocation failure ------------------------------------------------- */

/* Allocations left before the allocator fails; -1: unlimited. Each test
 * runs in its own process, so the allocator swap stays inside this test. */
static long g_budget = -1;

static void *g_alloc(size_t n, void *ctx)
{
    (void)ctx;
    if (g_budget == 0)
        return NULL;
    if (g_budget > 0)
        g_budget--;
    return malloc(n);
}

static void *g_realloc(void *p, size_t n, void *ctx)
{
    (void)ctx;
    if (g_budget == 0)
        return NULL;
    if (g_budget > 0)
        g_budget--;
    return realloc(p, n);
}

static void g_free(void *p, void *ctx)
{
    (void)ctx;
    free(p);
}

/* Fails the 1st, 2nd, ... allocation of building `req`, parsing `body` and
 * decoding `stream` until one run needs no failure: every run must end OK
 * with the same result as without failures, or with LLMOPS_E_NO_MEMORY. */
static void g_nomem_sweep(const llmops__wire *w, const llmops_request *req, const char *model,
                            const char *body, const char *stream)
{
    llmops_allocator a = { LLMOPS_ALLOCATOR_VERSION, g_alloc, g_realloc, g_free, NULL };
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
        g_budget = budget;
        llmops_status sb = w->build(&cfg, req, model, LLMOPS__OP_GENERATE, 1, "k", 1, &h, rb);
        llmops_status sp = w->parse(LLMOPS__OP_GENERATE, body, strlen(body), rp);
        if (sp == LLMOPS_OK)
            llmops__response_finalize(rp);
        llmops_status ss = lt_feed_stream(w, stream, strlen(stream), NULL, 0, rs);
        /* lt_feed_stream returns llmops_response_set_error's own status
         * (OK) when the decoder cannot start: read the response's. */
        if (ss == LLMOPS_OK)
            ss = llmops_response_status(rs);
        long left = g_budget;
        g_budget = -1;
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

Test(gemini_nomem, every_allocation_failure_is_clean)
{
    llmops_request *req;
    llmops_request_new(&req);
    llmops_request_add_message(req, LLMOPS_ROLE_SYSTEM, "sys", SIZE_MAX);
    llmops_request_add_message(req, LLMOPS_ROLE_USER, "hi", SIZE_MAX);
    llmops_request_add_message(req, LLMOPS_ROLE_ASSISTANT, "", 0);
    llmops_request_add_tool_call(req, "c0", "f", "{\"a\":1}");
    llmops_request_add_tool_result(req, "c0", NULL, "{\"ok\":true}", SIZE_MAX);
    llmops_request_add_tool(req, "f", "d", "{\"type\":\"object\"}");
    llmops_request_set_temperature(req, 0.5);
    llmops_request_set_response_format(req, LLMOPS_FORMAT_JSON_SCHEMA, "s",
                                       "{\"type\":\"object\"}");
    g_nomem_sweep(G, req, "gemini-x",
                  "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"t\",\"thought\":true},"
                  "{\"text\":\"a\"},{\"functionCall\":{\"name\":\"f\",\"args\":{\"x\":[1]}}}]},"
                  "\"finishReason\":\"STOP\"}],\"usageMetadata\":{\"promptTokenCount\":1},"
                  "\"modelVersion\":\"g\",\"responseId\":\"r\"}",
                  "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"a\"}]}}],"
                  "\"modelVersion\":\"g\"}\n\n"
                  "data: {\"candidates\":[{\"content\":{\"parts\":[{\"functionCall\":{\"name\":"
                  "\"book\",\"willContinue\":true}}]}}]}\n\n"
                  "data: {\"candidates\":[{\"content\":{\"parts\":[{\"functionCall\":{"
                  "\"partialArgs\":[{\"jsonPath\":\"$.a.b[0]\",\"stringValue\":\"x\"},"
                  "{\"jsonPath\":\"$.n\",\"numberValue\":2}],\"willContinue\":true}}]}}]}\n\n"
                  "data: {\"candidates\":[{\"content\":{\"parts\":[{\"functionCall\":{}}]},"
                  "\"finishReason\":\"STOP\"}],\"usageMetadata\":{\"promptTokenCount\":3,"
                  "\"candidatesTokenCount\":4}}\n\n");
    llmops_request_free(req);
}
