/* Ollama native wire (/api/chat, /api/embed, NDJSON streams). There are no
 * native Ollama recordings in the shared data (its recordings use the
 * OpenAI-compatible /v1 API), so the fixtures below follow the examples of
 * Ollama's API documentation (testdata/specs/ollama/docs/api.md). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "llmops/json.h"
#include "llmops/provider.h"
#include "provider/response.h"
#include "provider/wire.h"
#include "recordings.h"

static const llmops__wire *O = &llmops__wire_ollama;

typedef struct obuilt {
    llmops__http_request http;
    llmops_response *resp;
    llmops_json_doc *doc;
    const llmops_json *body;
    llmops_status st;
} obuilt;

static void o_build(obuilt *b, const llmops_request *req, const char *model, llmops__op op,
                    int stream, const char *key)
{
    llmops__provider_cfg cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.type = "ollama";
    cfg.base_url = "http://localhost:11434";
    memset(b, 0, sizeof *b);
    llmops__http_request_init(&b->http);
    cr_assert_eq(llmops_response_new(&b->resp), LLMOPS_OK);
    b->st = O->build(&cfg, req, model, op, stream, key, key ? strlen(key) : 0, &b->http, b->resp);
    if (b->st == LLMOPS_OK) {
        llmops_json_error err = LLMOPS_JSON_ERROR_INIT;
        cr_assert_eq(llmops_json_parse(&b->doc, b->http.body.data, b->http.body.len, NULL, &err),
                     LLMOPS_OK, "built body is not JSON (%s at %zu): %s", err.message,
                     err.offset, b->http.body.data);
        b->body = llmops_json_doc_root(b->doc);
    }
}

static void o_built_free(obuilt *b)
{
    llmops_json_doc_free(b->doc);
    llmops_response_free(b->resp);
    llmops__http_request_free(&b->http);
}

static const char *os(const llmops_json *v, const char *key)
{
    return llmops_json_string(llmops_json_get(v, key), NULL);
}

static int64_t oi(const llmops_json *v, const char *key)
{
    int64_t x = -12345;
    llmops_json_get_int(llmops_json_get(v, key), &x);
    return x;
}

static llmops_response *o_parse(llmops__op op, const char *body)
{
    llmops_response *r;
    cr_assert_eq(llmops_response_new(&r), LLMOPS_OK);
    O->parse(op, body, strlen(body), r);
    llmops__response_finalize(r);
    return r;
}

static llmops_response *o_stream(const char *bytes)
{
    llmops_response *r;
    cr_assert_eq(llmops_response_new(&r), LLMOPS_OK);
    lt_feed_stream(O, bytes, strlen(bytes), NULL, 0, r);
    return r;
}

/* ---- building ----------------------------------------------------------- */

Test(ollama_build, chat_request)
{
    llmops_request *req;
    llmops_request_new(&req);
    llmops_request_add_message(req, LLMOPS_ROLE_SYSTEM, "Be brief.", SIZE_MAX);
    llmops_request_add_message(req, LLMOPS_ROLE_USER, "what is the weather in Toronto?",
                               SIZE_MAX);
    llmops_request_add_message(req, LLMOPS_ROLE_ASSISTANT, "", 0);
    llmops_request_add_tool_call(req, "call_0", "get_weather", "{\"city\":\"Toronto\"}");
    llmops_request_add_tool_result(req, "call_0", NULL, "11 degrees celsius", SIZE_MAX);
    llmops_request_add_tool(req, "get_weather", "Get the weather in a given city",
                            "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},"
                            "\"required\":[\"city\"]}");
    llmops_request_add_tool(req, "get_time", NULL, NULL);
    llmops_request_set_temperature(req, 0);
    llmops_request_set_top_p(req, 0.75);
    llmops_request_set_max_output_tokens(req, 128);
    llmops_request_set_seed(req, 42);
    llmops_request_add_stop(req, "###");

    obuilt b;
    o_build(&b, req, "llama3.2", LLMOPS__OP_GENERATE, 0, NULL);
    cr_assert_eq(b.st, LLMOPS_OK, "%s", llmops_response_error(b.resp));
    cr_assert_str_eq(b.http.url.data, "http://localhost:11434/api/chat");
    cr_assert(!b.http.headers.data || !strstr(b.http.headers.data, "uthorization"),
              "no key, no Authorization header");
    cr_assert_str_eq(os(b.body, "model"), "llama3.2");
    cr_assert_eq(llmops_json_type_of(llmops_json_get(b.body, "stream")), LLMOPS_JSON_BOOL);
    cr_assert(!llmops_json_is_true(llmops_json_get(b.body, "stream")),
              "stream:false must be explicit: Ollama streams by default");
    const llmops_json *msgs = llmops_json_get(b.body, "messages");
    cr_assert_eq(llmops_json_size(msgs), 4);
    cr_assert_str_eq(os(llmops_json_at(msgs, 0), "role"), "system");
    cr_assert_str_eq(os(llmops_json_at(msgs, 0), "content"), "Be brief.");
    const llmops_json *asst = llmops_json_at(msgs, 2);
    cr_assert_str_eq(os(asst, "role"), "assistant");
    const llmops_json *fn =
        llmops_json_get(llmops_json_at(llmops_json_get(asst, "tool_calls"), 0), "function");
    cr_assert_str_eq(os(fn, "name"), "get_weather");
    cr_assert_eq(llmops_json_type_of(llmops_json_get(fn, "arguments")), LLMOPS_JSON_OBJECT,
                 "arguments are an object, not a string");
    cr_assert_str_eq(os(llmops_json_get(fn, "arguments"), "city"), "Toronto");
    const llmops_json *tool = llmops_json_at(msgs, 3);
    cr_assert_str_eq(os(tool, "role"), "tool");
    cr_assert_str_eq(os(tool, "content"), "11 degrees celsius");
    cr_assert_str_eq(os(tool, "tool_name"), "get_weather", "looked up from the call id");
    const llmops_json *tools = llmops_json_get(b.body, "tools");
    cr_assert_eq(llmops_json_size(tools), 2);
    const llmops_json *t0 = llmops_json_at(tools, 0);
    cr_assert_str_eq(os(t0, "type"), "function");
    cr_assert_str_eq(os(llmops_json_get(t0, "function"), "description"),
                     "Get the weather in a given city");
    const llmops_json *opt = llmops_json_get(b.body, "options");
    cr_assert_eq(oi(opt, "temperature"), 0);
    double d;
    llmops_json_get_double(llmops_json_get(opt, "top_p"), &d);
    cr_assert_float_eq(d, 0.75, 1e-12);
    cr_assert_eq(oi(opt, "num_predict"), 128);
    cr_assert_eq(oi(opt, "seed"), 42);
    cr_assert_str_eq(llmops_json_string(llmops_json_at(llmops_json_get(opt, "stop"), 0), NULL),
                     "###");
    cr_assert_null(llmops_json_get(b.body, "format"));
    cr_assert_null(llmops_json_get(b.body, "think"));
    o_built_free(&b);

    o_build(&b, req, "llama3.2", LLMOPS__OP_GENERATE, 1, "secret-key");
    cr_assert(llmops_json_is_true(llmops_json_get(b.body, "stream")));
    cr_assert_not_null(strstr(b.http.headers.data, "authorization: Bearer secret-key\n"));
    o_built_free(&b);

    llmops_request_set_tool_choice(req, LLMOPS_TOOL_CHOICE_NAMED, "get_time");
    o_build(&b, req, "llama3.2", LLMOPS__OP_GENERATE, 0, NULL);
    tools = llmops_json_get(b.body, "tools");
    cr_assert_eq(llmops_json_size(tools), 1, "a named choice sends only that tool");
    cr_assert_str_eq(os(llmops_json_get(llmops_json_at(tools, 0), "function"), "name"),
                     "get_time");
    cr_assert_str_eq(os(llmops_json_get(llmops_json_get(llmops_json_at(tools, 0), "function"),
                                        "parameters"),
                        "type"),
                     "object");
    o_built_free(&b);
    llmops_request_set_tool_choice(req, LLMOPS_TOOL_CHOICE_NONE, NULL);
    o_build(&b, req, "llama3.2", LLMOPS__OP_GENERATE, 0, NULL);
    cr_assert_null(llmops_json_get(b.body, "tools"), "NONE leaves the tools out");
    o_built_free(&b);
    llmops_request_free(req);
}

Test(ollama_build, formats_embed_and_refusals)
{
    llmops_request *req;
    llmops_request_new(&req);
    obuilt b;
    o_build(&b, req, "llama3.1", LLMOPS__OP_GENERATE, 0, NULL);
    cr_assert_eq(b.st, LLMOPS_E_INVALID_ARGUMENT, "no messages");
    o_built_free(&b);

    llmops_request_add_message(req, LLMOPS_ROLE_USER, "Ollama is 22 years old.", SIZE_MAX);
    llmops_request_set_response_format(req, LLMOPS_FORMAT_JSON, NULL, NULL);
    o_build(&b, req, "llama3.1", LLMOPS__OP_GENERATE, 0, NULL);
    cr_assert_str_eq(os(b.body, "format"), "json");
    o_built_free(&b);
    llmops_request_set_response_format(req, LLMOPS_FORMAT_JSON_SCHEMA, "age",
                                       "{\"type\":\"object\",\"properties\":{\"age\":{\"type\":"
                                       "\"integer\"}},\"required\":[\"age\"]}");
    o_build(&b, req, "llama3.1", LLMOPS__OP_GENERATE, 0, NULL);
    const llmops_json *fmt = llmops_json_get(b.body, "format");
    cr_assert_eq(llmops_json_type_of(fmt), LLMOPS_JSON_OBJECT, "the schema itself");
    cr_assert_not_null(llmops_json_get(llmops_json_get(fmt, "properties"), "age"));
    o_built_free(&b);

    o_build(&b, req, NULL, LLMOPS__OP_GENERATE, 0, NULL);
    cr_assert_eq(b.st, LLMOPS_E_INVALID_ARGUMENT, "no model");
    o_built_free(&b);
    o_build(&b, req, "llama3.1", LLMOPS__OP_CLASSIFY, 0, NULL);
    cr_assert_eq(b.st, LLMOPS_E_UNSUPPORTED);
    o_built_free(&b);

    o_build(&b, req, "all-minilm", LLMOPS__OP_EMBED, 0, NULL);
    cr_assert_eq(b.st, LLMOPS_E_INVALID_ARGUMENT, "no inputs");
    o_built_free(&b);
    llmops_request_add_input(req, "Why is the sky blue?", SIZE_MAX);
    llmops_request_add_input(req, "Why is the grass green?", SIZE_MAX);
    llmops_request_set_dimensions(req, 64);
    o_build(&b, req, "all-minilm", LLMOPS__OP_EMBED, 0, NULL);
    cr_assert_eq(b.st, LLMOPS_OK, "%s", llmops_response_error(b.resp));
    cr_assert_str_eq(b.http.url.data, "http://localhost:11434/api/embed");
    const llmops_json *in = llmops_json_get(b.body, "input");
    cr_assert_eq(llmops_json_size(in), 2);
    cr_assert_str_eq(llmops_json_string(llmops_json_at(in, 1), NULL), "Why is the grass green?");
    cr_assert_eq(oi(b.body, "dimensions"), 64);
    o_built_free(&b);
    llmops_request_free(req);
}

/* ---- parsing ------------------------------------------------------------ */

Test(ollama_parse, chat_answers)
{
    llmops_response *r = o_parse(
        LLMOPS__OP_GENERATE,
        "{\"model\":\"llama3.2\",\"created_at\":\"2023-12-12T14:13:43.416799Z\","
        "\"message\":{\"role\":\"assistant\",\"content\":\"Hello! How are you today?\","
        "\"thinking\":\"The user greets.\"},\"done\":true,\"total_duration\":5191566416,"
        "\"load_duration\":2154458,\"prompt_eval_count\":26,\"prompt_eval_duration\":383809000,"
        "\"eval_count\":298,\"eval_duration\":4799921000}");
    cr_assert_eq(llmops_response_status(r), LLMOPS_OK, "%s", llmops_response_error(r));
    cr_assert_str_eq(llmops_response_text(r, NULL), "Hello! How are you today?");
    cr_assert_str_eq(llmops_response_reasoning(r, NULL), "The user greets.");
    cr_assert_str_eq(llmops_response_model(r), "llama3.2");
    cr_assert_eq(llmops_response_finish_reason(r), LLMOPS_FINISH_STOP);
    llmops_usage u = LLMOPS_USAGE_INIT;
    cr_assert_eq(llmops_response_usage(r, &u), LLMOPS_OK);
    cr_assert_eq(u.input_tokens, 26);
    cr_assert_eq(u.output_tokens, 298);
    cr_assert_eq(u.total_tokens, 324);
    llmops_response_free(r);

    r = o_parse(LLMOPS__OP_GENERATE,
                "{\"model\":\"llama3.2\",\"message\":{\"role\":\"assistant\",\"content\":\"\","
                "\"tool_calls\":[{\"function\":{\"name\":\"get_weather\",\"arguments\":{\"city\":"
                "\"Tokyo\"}}},{\"id\":\"srv-1\",\"function\":{\"name\":\"get_time\","
                "\"arguments\":\"{\\\"tz\\\":\\\"JST\\\"}\"}}]},\"done_reason\":\"stop\","
                "\"done\":true,\"prompt_eval_count\":169,\"eval_count\":18}");
    cr_assert_eq(llmops_response_status(r), LLMOPS_OK, "%s", llmops_response_error(r));
    cr_assert_eq(llmops_response_tool_call_count(r), 2);
    cr_assert_str_eq(llmops_response_tool_call_id(r, 0), "call_0");
    cr_assert_str_eq(llmops_response_tool_call_name(r, 0), "get_weather");
    cr_assert_str_eq(llmops_response_tool_call_arguments(r, 0), "{\"city\":\"Tokyo\"}");
    cr_assert_str_eq(llmops_response_tool_call_id(r, 1), "srv-1");
    cr_assert_str_eq(llmops_response_tool_call_arguments(r, 1), "{\"tz\":\"JST\"}");
    cr_assert_eq(llmops_response_finish_reason(r), LLMOPS_FINISH_TOOL_CALLS);
    cr_assert_str_eq(llmops_response_finish_reason_raw(r), "stop");
    llmops_response_free(r);

    struct {
        const char *raw;
        llmops_finish_reason f;
    } cases[] = { { "length", LLMOPS_FINISH_LENGTH },
                  { "load", LLMOPS_FINISH_OTHER },
                  { "unload", LLMOPS_FINISH_OTHER } };
    for (size_t i = 0; i < 3; i++) {
        char body[200];
        snprintf(body, sizeof body,
                 "{\"model\":\"m\",\"message\":{\"role\":\"assistant\",\"content\":\"\"},"
                 "\"done_reason\":\"%s\",\"done\":true}",
                 cases[i].raw);
        r = o_parse(LLMOPS__OP_GENERATE, body);
        cr_assert_eq(llmops_response_finish_reason(r), cases[i].f, "%s", cases[i].raw);
        cr_assert_eq(llmops_response_usage(r, &u), LLMOPS_E_NOT_FOUND, "no counts, no usage");
        llmops_response_free(r);
    }

    r = o_parse(LLMOPS__OP_GENERATE, "{\"model\":\"m\",\"done\":true}");
    cr_assert_eq(llmops_response_status(r), LLMOPS_E_MALFORMED_RESPONSE);
    cr_assert_not_null(strstr(llmops_response_error(r), "message"));
    llmops_response_free(r);
    r = o_parse(LLMOPS__OP_GENERATE, "{\"model\":\"m\",\"message\":{\"tool_calls\":[{}]}}");
    cr_assert_eq(llmops_response_status(r), LLMOPS_E_MALFORMED_RESPONSE, "call without name");
    llmops_response_free(r);
    r = o_parse(LLMOPS__OP_GENERATE, "not json");
    cr_assert_eq(llmops_response_status(r), LLMOPS_E_MALFORMED_RESPONSE);
    llmops_response_free(r);
}

Test(ollama_parse, embeddings)
{
    llmops_response *r = o_parse(
        LLMOPS__OP_EMBED,
        "{\"model\":\"all-minilm\",\"embeddings\":[[0.010071029,-0.0017594862,0.05007221],"
        "[-0.0098027075,0.06042469,0.025257962]],\"total_duration\":14143917,"
        "\"prompt_eval_count\":8}");
    cr_assert_eq(llmops_response_status(r), LLMOPS_OK, "%s", llmops_response_error(r));
    cr_assert_eq(llmops_response_embedding_count(r), 2);
    size_t dims = 0;
    const float *v = llmops_response_embedding(r, 1, &dims);
    cr_assert_eq(dims, 3);
    cr_assert_float_eq(v[1], 0.06042469f, 1e-7);
    llmops_usage u = LLMOPS_USAGE_INIT;
    cr_assert_eq(llmops_response_usage(r, &u), LLMOPS_OK);
    cr_assert_eq(u.input_tokens, 8);
    llmops_response_free(r);

    r = o_parse(LLMOPS__OP_EMBED, "{\"model\":\"m\",\"embeddings\":[1]}");
    cr_assert_eq(llmops_response_status(r), LLMOPS_E_MALFORMED_RESPONSE);
    llmops_response_free(r);
    r = o_parse(LLMOPS__OP_EMBED, "{\"model\":\"m\"}");
    cr_assert_eq(llmops_response_status(r), LLMOPS_E_MALFORMED_RESPONSE);
    llmops_response_free(r);
}

Test(ollama_parse, errors)
{
    struct {
        int http;
        const char *body;
        llmops_status st;
        const char *needle;
    } cases[] = {
        { 404, "{\"error\":\"model \\\"llama9\\\" not found, try pulling it first\"}",
          LLMOPS_E_MODEL_NOT_FOUND, "try pulling it first" },
        { 400, "{\"error\":\"invalid options: foo\"}", LLMOPS_E_BAD_REQUEST, "invalid options" },
        { 500, "{\"error\":\"llama runner process has terminated\"}", LLMOPS_E_PROVIDER,
          "runner" },
        { 404, "404 page not found", LLMOPS_E_MODEL_NOT_FOUND, "page not found" },
        { 502, "", LLMOPS_E_PROVIDER, "502" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        llmops_response *r;
        llmops_response_new(&r);
        O->parse_error(cases[i].http, cases[i].body, strlen(cases[i].body), r);
        cr_assert_eq(llmops_response_status(r), cases[i].st, "case %zu: %s: %s", i,
                     llmops_status_str(llmops_response_status(r)), llmops_response_error(r));
        cr_assert_not_null(strstr(llmops_response_error(r), cases[i].needle), "case %zu: %s", i,
                           llmops_response_error(r));
        llmops_response_free(r);
    }
    /* A 200 body that is an error. */
    llmops_response *r = o_parse(LLMOPS__OP_GENERATE,
                                 "{\"error\":\"model 'x' not found\"}");
    cr_assert_eq(llmops_response_status(r), LLMOPS_E_MODEL_NOT_FOUND);
    llmops_response_free(r);
}

/* ---- streaming ---------------------------------------------------------- */

static const char *NDJSON_OK =
    "{\"model\":\"llama3.2\",\"created_at\":\"2023-08-04T08:52:19.385406455-07:00\","
    "\"message\":{\"role\":\"assistant\",\"content\":\"\",\"thinking\":\"Sky physics.\"},"
    "\"done\":false}\n"
    "{\"model\":\"llama3.2\",\"created_at\":\"2023-08-04T08:52:19.385406455-07:00\","
    "\"message\":{\"role\":\"assistant\",\"content\":\"The\",\"images\":null},\"done\":false}\n"
    "{\"model\":\"llama3.2\",\"message\":{\"role\":\"assistant\",\"content\":\" sky é\"},"
    "\"done\":false}\r\n"
    "\n"
    "{\"model\":\"llama3.2\",\"message\":{\"role\":\"assistant\",\"content\":\"\","
    "\"tool_calls\":[{\"function\":{\"name\":\"get_weather\",\"arguments\":{\"city\":"
    "\"Tokyo\"}}}]},\"done\":false}\n"
    "{\"model\":\"llama3.2\",\"created_at\":\"2023-08-04T19:22:45.499127Z\",\"message\":{"
    "\"role\":\"assistant\",\"content\":\"\"},\"done_reason\":\"stop\",\"done\":true,"
    "\"total_duration\":4883583458,\"load_duration\":1334875,\"prompt_eval_count\":26,"
    "\"prompt_eval_duration\":342546000,\"eval_count\":282,\"eval_duration\":4535599000}\n";

Test(ollama_stream, ndjson_lines)
{
    llmops_response *whole = o_stream(NDJSON_OK);
    cr_assert_eq(llmops_response_status(whole), LLMOPS_OK, "%s", llmops_response_error(whole));
    cr_assert_str_eq(llmops_response_text(whole, NULL), "The sky é");
    cr_assert_str_eq(llmops_response_reasoning(whole, NULL), "Sky physics.");
    cr_assert_eq(llmops_response_tool_call_count(whole), 1);
    cr_assert_str_eq(llmops_response_tool_call_id(whole, 0), "call_0");
    cr_assert_str_eq(llmops_response_tool_call_arguments(whole, 0), "{\"city\":\"Tokyo\"}");
    cr_assert_eq(llmops_response_finish_reason(whole), LLMOPS_FINISH_TOOL_CALLS);
    llmops_usage u = LLMOPS_USAGE_INIT;
    cr_assert_eq(llmops_response_usage(whole, &u), LLMOPS_OK);
    cr_assert_eq(u.input_tokens, 26);
    cr_assert_eq(u.output_tokens, 282);

    /* Same answer however the bytes arrive. */
    size_t len = strlen(NDJSON_OK);
    llmops_response *r;
    llmops_response_new(&r);
    char why[256];
    for (size_t cut = 1; cut < len; cut++) {
        lt_feed_stream(O, NDJSON_OK, len, &cut, 1, r);
        cr_assert(lt_response_equal(whole, r, why, sizeof why), "split at %zu: %s", cut, why);
    }
    size_t *all = malloc(len * sizeof *all);
    for (size_t i = 0; i < len; i++)
        all[i] = i + 1;
    lt_feed_stream(O, NDJSON_OK, len, all, len, r);
    free(all);
    cr_assert(lt_response_equal(whole, r, why, sizeof why), "byte by byte: %s", why);
    llmops_response_free(r);
    llmops_response_free(whole);

    /* No final line without a newline is lost either. */
    r = o_stream("{\"model\":\"m\",\"message\":{\"content\":\"hi\"},\"done\":false}\n"
                 "{\"model\":\"m\",\"message\":{\"content\":\"\"},\"done\":true,"
                 "\"done_reason\":\"length\"}");
    cr_assert_eq(llmops_response_status(r), LLMOPS_OK, "%s", llmops_response_error(r));
    cr_assert_eq(llmops_response_finish_reason(r), LLMOPS_FINISH_LENGTH);
    llmops_response_free(r);
}

Test(ollama_stream, errors_and_truncation)
{
    llmops_response *r =
        o_stream("{\"model\":\"m\",\"message\":{\"content\":\"par\"},\"done\":false}\n"
                 "{\"error\":\"an error was encountered while running the model: "
                 "unexpected EOF\"}\n");
    cr_assert_eq(llmops_response_status(r), LLMOPS_E_PROVIDER);
    cr_assert_not_null(strstr(llmops_response_error(r), "unexpected EOF"));
    llmops_response_free(r);

    r = o_stream("{\"model\":\"m\",\"message\":{\"content\":\"par\"},\"done\":false}\n"
                 "{\"model\":\"m\",\"message\":{\"content\":\"tial\"},\"done\":false}\n");
    cr_assert_eq(llmops_response_status(r), LLMOPS_E_MALFORMED_RESPONSE);
    cr_assert_not_null(strstr(llmops_response_error(r), "done"));
    llmops_response_free(r);

    r = o_stream("{\"model\":\"m\",\"message\":{\"content\":\"par\"},\"done\":fa\n");
    cr_assert_eq(llmops_response_status(r), LLMOPS_E_MALFORMED_RESPONSE);
    llmops_response_free(r);

    r = o_stream("");
    cr_assert_eq(llmops_response_status(r), LLMOPS_E_MALFORMED_RESPONSE);
    llmops_response_free(r);
}

/* ---- allocation failure ------------------------------------------------- */

/* Allocations left before the allocator fails; -1: unlimited. Each test
 * runs in its own process, so the allocator swap stays inside this test. */
static long o_budget = -1;

static void *o_alloc(size_t n, void *ctx)
{
    (void)ctx;
    if (o_budget == 0)
        return NULL;
    if (o_budget > 0)
        o_budget--;
    return malloc(n);
}

static void *o_realloc(void *p, size_t n, void *ctx)
{
    (void)ctx;
    if (o_budget == 0)
        return NULL;
    if (o_budget > 0)
        o_budget--;
    return realloc(p, n);
}

static void o_free(void *p, void *ctx)
{
    (void)ctx;
    free(p);
}

/* Fails the 1st, 2nd, ... allocation of building `req`, parsing `body` and
 * decoding `stream` until one run needs no failure: every run must end OK
 * with the same result as without failures, or with LLMOPS_E_NO_MEMORY. */
static void o_nomem_sweep(const llmops__wire *w, const llmops_request *req, const char *model,
                            const char *body, const char *stream)
{
    llmops_allocator a = { LLMOPS_ALLOCATOR_VERSION, o_alloc, o_realloc, o_free, NULL };
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
        o_budget = budget;
        llmops_status sb = w->build(&cfg, req, model, LLMOPS__OP_GENERATE, 1, "k", 1, &h, rb);
        llmops_status sp = w->parse(LLMOPS__OP_GENERATE, body, strlen(body), rp);
        if (sp == LLMOPS_OK)
            llmops__response_finalize(rp);
        llmops_status ss = lt_feed_stream(w, stream, strlen(stream), NULL, 0, rs);
        /* lt_feed_stream returns llmops_response_set_error's own status
         * (OK) when the decoder cannot start: read the response's. */
        if (ss == LLMOPS_OK)
            ss = llmops_response_status(rs);
        long left = o_budget;
        o_budget = -1;
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

Test(ollama_nomem, every_allocation_failure_is_clean)
{
    llmops_request *req;
    llmops_request_new(&req);
    llmops_request_add_message(req, LLMOPS_ROLE_SYSTEM, "sys", SIZE_MAX);
    llmops_request_add_message(req, LLMOPS_ROLE_USER, "hi", SIZE_MAX);
    llmops_request_add_message(req, LLMOPS_ROLE_ASSISTANT, "", 0);
    llmops_request_add_tool_call(req, "c0", "f", "{\"a\":1}");
    llmops_request_add_tool_result(req, "c0", NULL, "11C", SIZE_MAX);
    llmops_request_add_tool(req, "f", "d", "{\"type\":\"object\"}");
    llmops_request_set_temperature(req, 0.5);
    llmops_request_add_stop(req, "x");
    o_nomem_sweep(O, req, "llama3.2",
                  "{\"model\":\"llama3.2\",\"message\":{\"role\":\"assistant\",\"content\":\"a\","
                  "\"thinking\":\"t\",\"tool_calls\":[{\"function\":{\"name\":\"f\",\"arguments\":"
                  "{\"x\":[1]}}}]},\"done_reason\":\"stop\",\"done\":true,"
                  "\"prompt_eval_count\":3,\"eval_count\":4}",
                  NDJSON_OK);
    llmops_request_free(req);
}
