/* OpenAI Responses API wire ("openai-responses"): POST {base}/responses, as
 * served by OpenAI, OpenRouter, DeepSeek and Bedrock's OpenAI-compatible
 * endpoint. Generation only.
 *
 * Choices made here:
 * - store:false always: a library call should not leave the conversation
 *   on the provider; the history is sent in full each time.
 * - System messages become `instructions` (joined by blank lines).
 * - Function tools go out with strict:false: the API defaults to strict
 *   and would reject ordinary schemas (optional properties, no
 *   additionalProperties:false). A JSON Schema response format is strict.
 * - The API has no stop sequences: a request with some is
 *   LLMOPS_E_UNSUPPORTED rather than silently different. It has no seed
 *   either; the seed is a best-effort hint, so it is left out.
 * - A custom (free-text) tool call becomes a tool call whose arguments are
 *   {"input": "<text>"}, streamed as it arrives. */
#include <stdint.h>
#include <string.h>

#include "core/alloc.h"
#include "core/strbuf.h"
#include "provider/json_out.h"
#include "provider/openai_shared.h"
#include "provider/request.h"
#include "provider/response.h"
#include "provider/stream.h"
#include "provider/wire.h"

#define WIRE "openai-responses"
#define MAX_STREAM_CALLS 256

/* ---- building ------------------------------------------------------------ */

static llmops_json *bool_v(llmops__oa_json *j, int v)
{
    llmops_json *b = j->failed ? NULL : llmops_json_new_bool(j->doc, v);
    if (!b)
        j->failed = 1;
    return b;
}

static llmops_json *num_v(llmops__oa_json *j, double v)
{
    llmops_json *n = j->failed ? NULL : llmops_json_new_double(j->doc, v);
    if (!n)
        j->failed = 1;
    return n;
}

static llmops_json *int_v(llmops__oa_json *j, int64_t v)
{
    llmops_json *n = j->failed ? NULL : llmops_json_new_int(j->doc, v);
    if (!n)
        j->failed = 1;
    return n;
}

/* {"type":"message","role":role,"content":[{"type":part_type,"text":...}]} */
static void put_message(llmops__oa_json *j, llmops_json *input, const llmops__message *m,
                        const char *role, const char *part_type)
{
    llmops_json *item = llmops__oa_obj(j), *content = llmops__oa_arr(j);
    llmops__oa_set_str(j, item, "type", "message", 7);
    llmops__oa_set_str(j, item, "role", role, strlen(role));
    for (size_t p = 0; p < m->nparts; p++) {
        llmops_json *part = llmops__oa_obj(j);
        llmops__oa_set_str(j, part, "type", part_type, strlen(part_type));
        llmops__oa_set_str(j, part, "text", m->parts[p].data, m->parts[p].len);
        llmops__oa_append(j, content, part);
    }
    llmops__oa_set(j, item, "content", content);
    llmops__oa_append(j, input, item);
}

static void put_input(llmops__oa_json *j, llmops_json *root, const llmops_request *req)
{
    llmops_json *input = llmops__oa_arr(j);
    for (size_t i = 0; i < req->nmessages; i++) {
        const llmops__message *m = &req->messages[i];
        switch (m->role) {
        case LLMOPS_ROLE_SYSTEM:
            break; /* in instructions */
        case LLMOPS_ROLE_USER:
            put_message(j, input, m, "user", "input_text");
            break;
        case LLMOPS_ROLE_ASSISTANT: {
            int has_text = 0;
            for (size_t p = 0; p < m->nparts; p++)
                has_text |= m->parts[p].len > 0;
            if (has_text || m->ncalls == 0)
                put_message(j, input, m, "assistant", "output_text");
            for (size_t c = 0; c < m->ncalls; c++) {
                const llmops__req_tool_call *tc = &m->calls[c];
                const char *args = tc->arguments ? tc->arguments : "{}";
                llmops_json *item = llmops__oa_obj(j);
                llmops__oa_set_str(j, item, "type", "function_call", 13);
                llmops__oa_set_str(j, item, "call_id", tc->id, tc->id ? strlen(tc->id) : 0);
                llmops__oa_set_str(j, item, "name", tc->name, tc->name ? strlen(tc->name) : 0);
                llmops__oa_set_str(j, item, "arguments", args, strlen(args));
                llmops__oa_append(j, input, item);
            }
            break;
        }
        case LLMOPS_ROLE_TOOL: {
            llmops_json *item = llmops__oa_obj(j);
            llmops__oa_set_str(j, item, "type", "function_call_output", 20);
            llmops__oa_set_str(j, item, "call_id", m->tool_call_id,
                               m->tool_call_id ? strlen(m->tool_call_id) : 0);
            size_t len = 0;
            char *text = llmops__request_message_text(req, i, &len);
            if (!text && len == SIZE_MAX)
                j->failed = 1;
            llmops__oa_set_str(j, item, "output", text, text ? len : 0);
            llmops__free(text);
            llmops__oa_append(j, input, item);
            break;
        }
        }
    }
    llmops__oa_set(j, root, "input", input);
}

static void put_tools(llmops__oa_json *j, llmops_json *root, const llmops_request *req)
{
    if (req->ntools == 0)
        return;
    llmops_json *tools = llmops__oa_arr(j);
    for (size_t i = 0; i < req->ntools; i++) {
        const llmops__tool *t = &req->tools[i];
        llmops_json *tool = llmops__oa_obj(j);
        llmops__oa_set_str(j, tool, "type", "function", 8);
        llmops__oa_set_str(j, tool, "name", t->name, strlen(t->name));
        if (t->description)
            llmops__oa_set_str(j, tool, "description", t->description, strlen(t->description));
        llmops__oa_set(j, tool, "parameters", llmops__oa_tool_parameters(j, t->parameters));
        llmops__oa_set(j, tool, "strict", bool_v(j, 0));
        llmops__oa_append(j, tools, tool);
    }
    llmops__oa_set(j, root, "tools", tools);
    switch (req->tool_choice) {
    case LLMOPS_TOOL_CHOICE_AUTO: llmops__oa_set_str(j, root, "tool_choice", "auto", 4); break;
    case LLMOPS_TOOL_CHOICE_NONE: llmops__oa_set_str(j, root, "tool_choice", "none", 4); break;
    case LLMOPS_TOOL_CHOICE_REQUIRED:
        llmops__oa_set_str(j, root, "tool_choice", "required", 8);
        break;
    case LLMOPS_TOOL_CHOICE_NAMED: {
        const char *name = req->tool_choice_name ? req->tool_choice_name : "";
        llmops_json *tc = llmops__oa_obj(j);
        llmops__oa_set_str(j, tc, "type", "function", 8);
        llmops__oa_set_str(j, tc, "name", name, strlen(name));
        llmops__oa_set(j, root, "tool_choice", tc);
        break;
    }
    }
}

static void put_format(llmops__oa_json *j, llmops_json *root, const llmops_request *req)
{
    if (req->format == LLMOPS_FORMAT_TEXT)
        return;
    llmops_json *text = llmops__oa_obj(j), *fmt = llmops__oa_obj(j);
    if (req->format == LLMOPS_FORMAT_JSON) {
        llmops__oa_set_str(j, fmt, "type", "json_object", 11);
    } else {
        const char *name = req->schema_name && *req->schema_name ? req->schema_name : "response";
        llmops__oa_set_str(j, fmt, "type", "json_schema", 11);
        llmops__oa_set_str(j, fmt, "name", name, strlen(name));
        llmops__oa_set(j, fmt, "schema", llmops__oa_tool_parameters(j, req->schema));
        llmops__oa_set(j, fmt, "strict", bool_v(j, 1));
    }
    llmops__oa_set(j, text, "format", fmt);
    llmops__oa_set(j, root, "text", text);
}

static llmops_status or_build(const llmops__provider_cfg *cfg, const llmops_request *req,
                              const char *model, llmops__op op, int stream, const char *key,
                              size_t key_len, llmops__http_request *out, llmops_response *resp)
{
    if (op != LLMOPS__OP_GENERATE)
        return llmops__response_fail(resp, LLMOPS_E_UNSUPPORTED,
                                     WIRE ": only generation is supported (operation %d)",
                                     (int)op);
    if (!req)
        return llmops__response_fail(resp, LLMOPS_E_INVALID_ARGUMENT, WIRE ": no request");
    if (!model || !*model)
        return llmops__response_fail(resp, LLMOPS_E_INVALID_ARGUMENT,
                                     WIRE ": no model: set one on the request or the "
                                          "provider's default_model");
    if (req->nmessages == 0)
        return llmops__response_fail(resp, LLMOPS_E_INVALID_ARGUMENT,
                                     WIRE ": the request has no messages");
    if (req->nstops > 0)
        return llmops__response_fail(resp, LLMOPS_E_UNSUPPORTED,
                                     WIRE ": the Responses API has no stop sequences (the "
                                          "request has %zu); use the \"openai\" type",
                                     req->nstops);

    llmops__oa_json j = {NULL, 0};
    if (llmops_json_doc_new(&j.doc) != LLMOPS_OK)
        return llmops__response_fail(resp, LLMOPS_E_NO_MEMORY,
                                     WIRE ": out of memory while building the request body");
    llmops_json *root = llmops__oa_obj(&j);
    llmops__oa_set_str(&j, root, "model", model, strlen(model));
    size_t slen = 0;
    char *system = llmops__request_system_text(req, &slen);
    if (!system && slen == SIZE_MAX)
        j.failed = 1;
    if (system) {
        llmops__oa_set_str(&j, root, "instructions", system, slen);
        llmops__free(system);
    }
    put_input(&j, root, req);
    put_tools(&j, root, req);
    put_format(&j, root, req);
    if (req->has_max_output_tokens)
        llmops__oa_set(&j, root, "max_output_tokens", int_v(&j, req->max_output_tokens));
    if (req->has_temperature)
        llmops__oa_set(&j, root, "temperature", num_v(&j, req->temperature));
    if (req->has_top_p)
        llmops__oa_set(&j, root, "top_p", num_v(&j, req->top_p));
    llmops_json *meta = llmops__oa_metadata(&j, req);
    if (meta)
        llmops__oa_set(&j, root, "metadata", meta);
    if (stream)
        llmops__oa_set(&j, root, "stream", bool_v(&j, 1));
    llmops__oa_set(&j, root, "store", bool_v(&j, 0));
    llmops_status st = llmops__oa_write_body(&j, root, &out->body, WIRE, resp);
    llmops_json_doc_free(j.doc);
    if (st != LLMOPS_OK)
        return st;
    const char *base =
        cfg && cfg->base_url ? cfg->base_url : llmops__wire_openai_responses.default_base_url;
    llmops__buf_puts(&out->url, base);
    llmops__buf_puts(&out->url, "/responses");
    llmops__oa_headers(cfg, key, key_len, out);
    if (stream)
        llmops__http_request_header(out, "Accept", "text/event-stream", 17);
    out->method = "POST";
    if (out->url.failed || out->headers.failed)
        return llmops__response_fail(resp, LLMOPS_E_NO_MEMORY,
                                     WIRE ": out of memory while building the request");
    return LLMOPS_OK;
}

/* ---- reading answers ----------------------------------------------------- */

static int is(const char *s, size_t n, const char *lit)
{
    size_t m = strlen(lit);
    return s && n == m && memcmp(s, lit, m) == 0;
}

static const char *str_of(const llmops_json *obj, const char *key, size_t *n)
{
    *n = 0;
    const char *s = llmops_json_string(llmops_json_get(obj, key), n);
    if (!s)
        *n = 0;
    return s;
}

/* Where content goes: the call's stream, or straight into the response. */
typedef struct sink {
    llmops_stream *s;
    llmops_response *r;
} sink;

static llmops_status put_text(const sink *k, const char *t, size_t n)
{
    if (n == 0)
        return LLMOPS_OK;
    return k->s ? llmops__stream_text(k->s, t, n) : llmops__response_append_text(k->r, t, n);
}

static llmops_status put_reasoning(const sink *k, const char *t, size_t n)
{
    if (n == 0)
        return LLMOPS_OK;
    return k->s ? llmops__stream_reasoning(k->s, t, n)
                : llmops__response_append_reasoning(k->r, t, n);
}

static llmops_status put_call(const sink *k, size_t index, const char *id, size_t idn,
                              const char *name, size_t nn, const char *frag, size_t fn)
{
    if (k->s)
        return llmops__stream_tool_call(k->s, index, idn ? id : NULL, idn, nn ? name : NULL, nn,
                                        frag ? frag : "", fn);
    return llmops__response_tool_call_fragment(k->r, index, idn ? id : NULL, idn,
                                               nn ? name : NULL, nn, frag ? frag : "", fn);
}

/* A custom tool's free-text input as the inside of {"input": "..."}. */
static llmops_status put_custom_input(const sink *k, size_t index, const char *t, size_t n)
{
    if (n == 0)
        return LLMOPS_OK;
    llmops__buf b = LLMOPS__BUF_INIT;
    llmops__jo_escape(&b, t, n);
    llmops_status st = b.failed ? LLMOPS_E_NO_MEMORY
                                : put_call(k, index, NULL, 0, NULL, 0, b.data, b.len);
    llmops__buf_free(&b);
    return st;
}

/* Texts of a message item's output_text / refusal parts. */
static llmops_status message_text(const sink *k, const llmops_json *item, int *refusal)
{
    const llmops_json *content = llmops_json_get(item, "content");
    llmops_status st = LLMOPS_OK;
    for (size_t i = 0; i < llmops_json_size(content) && st == LLMOPS_OK; i++) {
        const llmops_json *p = llmops_json_at(content, i);
        size_t tn, n;
        const char *type = str_of(p, "type", &tn);
        const char *t;
        if (is(type, tn, "refusal")) {
            if ((t = str_of(p, "refusal", &n)) != NULL) {
                *refusal = 1;
                st = put_text(k, t, n);
            }
        } else if ((t = str_of(p, "text", &n)) != NULL) {
            st = put_text(k, t, n);
        }
    }
    return st;
}

/* A reasoning item: summary[].text, then content[].text (raw reasoning
 * text, as gpt-oss and DeepSeek send it). */
static llmops_status reasoning_text(const sink *k, const llmops_json *item)
{
    static const char *const keys[] = {"summary", "content"};
    llmops_status st = LLMOPS_OK;
    for (size_t a = 0; a < 2; a++) {
        const llmops_json *arr = llmops_json_get(item, keys[a]);
        for (size_t i = 0; i < llmops_json_size(arr) && st == LLMOPS_OK; i++) {
            size_t n;
            const char *t = str_of(llmops_json_at(arr, i), "text", &n);
            if (t)
                st = put_reasoning(k, t, n);
        }
    }
    return st;
}

static void read_usage(llmops_response *r, const llmops_json *u)
{
    if (llmops_json_type_of(u) != LLMOPS_JSON_OBJECT)
        return;
    llmops_usage us = LLMOPS_USAGE_INIT;
    us.input_tokens = llmops__oa_int(u, "input_tokens");
    us.output_tokens = llmops__oa_int(u, "output_tokens");
    us.total_tokens = llmops_json_get(u, "total_tokens") ? llmops__oa_int(u, "total_tokens")
                                                        : us.input_tokens + us.output_tokens;
    us.cached_input_tokens =
        llmops__oa_int(llmops_json_get(u, "input_tokens_details"), "cached_tokens");
    us.reasoning_tokens =
        llmops__oa_int(llmops_json_get(u, "output_tokens_details"), "reasoning_tokens");
    llmops__oa_set_usage(r, &us);
}

static llmops_status take_ids(llmops_response *r, const llmops_json *resp_obj)
{
    size_t n;
    const char *s;
    if (!r->model && (s = str_of(resp_obj, "model", &n)) && n > 0 &&
        llmops__response_set_model_n(r, s, n) != LLMOPS_OK)
        return LLMOPS_E_NO_MEMORY;
    if (!r->request_id && (s = str_of(resp_obj, "id", &n)) && n > 0 &&
        llmops__response_set_request_id_n(r, s, n) != LLMOPS_OK)
        return LLMOPS_E_NO_MEMORY;
    return LLMOPS_OK;
}

/* Finish reason, usage, ids from a response object (a body, or the one in
 * response.completed / .incomplete). A failed response is its error. */
static llmops_status finish_from(llmops_response *r, const llmops_json *obj, int refusal)
{
    if (take_ids(r, obj) != LLMOPS_OK)
        return llmops__response_fail(r, LLMOPS_E_NO_MEMORY, WIRE ": out of memory");
    read_usage(r, llmops_json_get(obj, "usage"));
    size_t n, rn;
    const char *status = str_of(obj, "status", &n);
    const llmops_json *err = llmops_json_get(obj, "error");
    if (is(status, n, "failed") || llmops_json_type_of(err) == LLMOPS_JSON_OBJECT) {
        if (llmops_json_type_of(err) == LLMOPS_JSON_OBJECT)
            return llmops__oa_fail_error_object(WIRE, 0, err, r);
        return llmops__response_fail(r, LLMOPS_E_PROVIDER,
                                     WIRE ": the response failed without an error object");
    }
    const char *raw = status;
    size_t raw_n = n;
    if (is(status, n, "completed") || is(status, n, "complete")) {
        r->finish = r->ncalls > 0 ? LLMOPS_FINISH_TOOL_CALLS : LLMOPS_FINISH_STOP;
    } else if (is(status, n, "incomplete")) {
        const char *reason = str_of(llmops_json_get(obj, "incomplete_details"), "reason", &rn);
        if (is(reason, rn, "max_output_tokens"))
            r->finish = LLMOPS_FINISH_LENGTH;
        else if (is(reason, rn, "content_filter"))
            r->finish = LLMOPS_FINISH_CONTENT_FILTER;
        else
            r->finish = LLMOPS_FINISH_OTHER;
        if (reason) {
            raw = reason;
            raw_n = rn;
        }
    } else if (status) {
        /* queued / in_progress: a background response not done yet. */
        r->finish = LLMOPS_FINISH_UNKNOWN;
    }
    if (refusal)
        r->finish = LLMOPS_FINISH_CONTENT_FILTER;
    if (raw && raw_n > 0 && llmops__response_set_finish_raw_n(r, raw, raw_n) != LLMOPS_OK)
        return llmops__response_fail(r, LLMOPS_E_NO_MEMORY, WIRE ": out of memory");
    return LLMOPS_OK;
}

/* A function_call or custom_tool_call item, whole. */
static llmops_status whole_call(const sink *k, size_t index, const llmops_json *item, int custom)
{
    size_t idn, nn, an;
    const char *id = str_of(item, "call_id", &idn);
    if (!id)
        id = str_of(item, "id", &idn);
    const char *name = str_of(item, "name", &nn);
    if (!custom) {
        const char *args = str_of(item, "arguments", &an);
        return put_call(k, index, id, idn, name, nn, args, an);
    }
    const char *input = str_of(item, "input", &an);
    llmops_status st = put_call(k, index, id, idn, name, nn, "{\"input\":\"", 10);
    if (st == LLMOPS_OK)
        st = put_custom_input(k, index, input, an);
    if (st == LLMOPS_OK)
        st = put_call(k, index, NULL, 0, NULL, 0, "\"}", 2);
    return st;
}

static llmops_status parse_output(llmops_response *r, const llmops_json *root)
{
    const llmops_json *output = llmops_json_get(root, "output");
    if (output && llmops_json_type_of(output) != LLMOPS_JSON_ARRAY)
        return llmops__response_fail(r, LLMOPS_E_MALFORMED_RESPONSE,
                                     WIRE ": \"output\" is a %s, not an array",
                                     llmops_json_type_name(llmops_json_type_of(output)));
    if (!output && !llmops_json_get(root, "status"))
        return llmops__response_fail(r, LLMOPS_E_MALFORMED_RESPONSE,
                                     WIRE ": the response has neither \"output\" nor "
                                          "\"status\"");
    sink k = {NULL, r};
    int refusal = 0;
    llmops_status st = LLMOPS_OK;
    for (size_t i = 0; i < llmops_json_size(output) && st == LLMOPS_OK; i++) {
        const llmops_json *item = llmops_json_at(output, i);
        size_t tn;
        const char *type = str_of(item, "type", &tn);
        if (is(type, tn, "message"))
            st = message_text(&k, item, &refusal);
        else if (is(type, tn, "reasoning"))
            st = reasoning_text(&k, item);
        else if (is(type, tn, "function_call"))
            st = whole_call(&k, r->ncalls, item, 0);
        else if (is(type, tn, "custom_tool_call"))
            st = whole_call(&k, r->ncalls, item, 1);
        /* Server-side tool items (web search, tool search, ...) carry no
         * answer text of their own. */
    }
    if (st != LLMOPS_OK)
        return r->status != LLMOPS_OK ? r->status
                                      : llmops__response_fail(r, st, WIRE ": out of memory");
    return finish_from(r, root, refusal);
}

static llmops_status or_parse(llmops__op op, const char *body, size_t len, llmops_response *resp)
{
    if (op != LLMOPS__OP_GENERATE)
        return llmops__response_fail(resp, LLMOPS_E_UNSUPPORTED,
                                     WIRE ": only generation is supported (operation %d)",
                                     (int)op);
    llmops_json_doc *doc = NULL;
    llmops_status st = llmops__oa_parse_object(WIRE, "response body", body, len, &doc, resp);
    if (st != LLMOPS_OK)
        return st;
    const llmops_json *root = llmops_json_doc_root(doc);
    const llmops_json *err = llmops_json_get(root, "error");
    size_t n;
    const char *status = str_of(root, "status", &n);
    if (!is(status, n, "failed") && (llmops_json_type_of(err) == LLMOPS_JSON_OBJECT ||
                                     llmops_json_type_of(err) == LLMOPS_JSON_STRING) &&
        !llmops_json_get(root, "output"))
        st = llmops__oa_fail_error_object(WIRE, 0, err, resp);
    else
        st = parse_output(resp, root);
    llmops_json_doc_free(doc);
    return st;
}

static void or_parse_error(int http_status, const char *body, size_t len, llmops_response *resp)
{
    llmops__oa_parse_error(WIRE, http_status, body, len, resp);
}

/* ---- streams --------------------------------------------------------------- */

typedef struct or_call {
    int64_t output_index;
    int custom;
    int got_args;      /* argument deltas arrived */
    int closed;        /* a custom call's closing "\"}" was sent */
} or_call;

typedef struct or_stream {
    int complete;      /* response.completed / .incomplete arrived */
    int refusal;
    int got_text, got_reasoning;
    size_t events;
    or_call calls[MAX_STREAM_CALLS];
    size_t ncalls;
} or_stream;

static void *or_stream_new(void)
{
    return llmops__calloc(1, sizeof(or_stream));
}

static void or_stream_free(void *state)
{
    llmops__free(state);
}

static size_t call_slot(or_stream *os, const llmops_json *ev)
{
    int64_t oi;
    if (llmops_json_get_int(llmops_json_get(ev, "output_index"), &oi) != LLMOPS_OK)
        return os->ncalls ? os->ncalls - 1 : SIZE_MAX;
    for (size_t i = os->ncalls; i-- > 0;)
        if (os->calls[i].output_index == oi)
            return i;
    return SIZE_MAX;
}

static llmops_status new_slot(or_stream *os, const llmops_json *ev, int custom, size_t *slot,
                              llmops_stream *s)
{
    if (os->ncalls == MAX_STREAM_CALLS)
        return llmops__response_fail(s->resp, LLMOPS_E_MALFORMED_RESPONSE,
                                     WIRE ": stream has more than %d tool calls",
                                     MAX_STREAM_CALLS);
    int64_t oi = -1 - (int64_t)os->ncalls;
    llmops_json_get_int(llmops_json_get(ev, "output_index"), &oi);
    or_call *c = &os->calls[os->ncalls];
    memset(c, 0, sizeof *c);
    c->output_index = oi;
    c->custom = custom;
    *slot = os->ncalls++;
    return LLMOPS_OK;
}

static llmops_status on_item_added(or_stream *os, const llmops_json *ev, const sink *k)
{
    const llmops_json *item = llmops_json_get(ev, "item");
    size_t tn, idn, nn;
    const char *type = str_of(item, "type", &tn);
    int custom = is(type, tn, "custom_tool_call");
    if (!custom && !is(type, tn, "function_call"))
        return LLMOPS_OK;
    size_t slot = 0;
    llmops_status st = new_slot(os, ev, custom, &slot, k->s);
    if (st != LLMOPS_OK)
        return st;
    const char *id = str_of(item, "call_id", &idn);
    if (!id)
        id = str_of(item, "id", &idn);
    const char *name = str_of(item, "name", &nn);
    if (custom)
        return put_call(k, slot, id, idn, name, nn, "{\"input\":\"", 10);
    size_t an;
    const char *args = str_of(item, "arguments", &an);
    if (an > 0)
        os->calls[slot].got_args = 1;
    return put_call(k, slot, id, idn, name, nn, args, an);
}

static llmops_status on_item_done(or_stream *os, const llmops_json *ev, const sink *k)
{
    const llmops_json *item = llmops_json_get(ev, "item");
    size_t tn;
    const char *type = str_of(item, "type", &tn);
    int custom = is(type, tn, "custom_tool_call");
    if (is(type, tn, "message") && !os->got_text) {
        /* A server that sends whole items without text deltas. */
        int refusal = 0;
        llmops_status st = message_text(k, item, &refusal);
        os->refusal |= refusal;
        return st;
    }
    if (is(type, tn, "reasoning") && !os->got_reasoning)
        return reasoning_text(k, item);
    if (!custom && !is(type, tn, "function_call"))
        return LLMOPS_OK;
    size_t slot = call_slot(os, ev);
    if (slot == SIZE_MAX || os->calls[slot].custom != custom) {
        /* The item was never announced: take it whole. */
        llmops_status st = new_slot(os, ev, custom, &slot, k->s);
        if (st != LLMOPS_OK)
            return st;
        os->calls[slot].closed = 1;
        return whole_call(k, slot, item, custom);
    }
    or_call *c = &os->calls[slot];
    size_t idn, nn, an;
    const char *id = str_of(item, "call_id", &idn);
    const char *name = str_of(item, "name", &nn);
    llmops_status st = LLMOPS_OK;
    if (!c->got_args) {
        const char *args = str_of(item, custom ? "input" : "arguments", &an);
        c->got_args = an > 0;
        st = custom ? put_custom_input(k, slot, args, an)
                    : put_call(k, slot, id, idn, name, nn, args, an);
    }
    if (st == LLMOPS_OK && custom && !c->closed) {
        c->closed = 1;
        st = put_call(k, slot, NULL, 0, NULL, 0, "\"}", 2);
    }
    return st;
}

static llmops_status on_args(or_stream *os, const llmops_json *ev, const sink *k, int custom,
                             int done)
{
    size_t slot = call_slot(os, ev);
    if (slot == SIZE_MAX) {
        llmops_status st = new_slot(os, ev, custom, &slot, k->s);
        if (st != LLMOPS_OK)
            return st;
        if (custom && (st = put_call(k, slot, NULL, 0, NULL, 0, "{\"input\":\"", 10)) !=
                          LLMOPS_OK)
            return st;
    }
    or_call *c = &os->calls[slot];
    size_t n;
    if (done) {
        /* .done repeats the whole arguments: only needed when no delta came. */
        const char *args = str_of(ev, "arguments", &n);
        if (c->got_args || !args)
            return LLMOPS_OK;
        c->got_args = n > 0;
        return put_call(k, slot, NULL, 0, NULL, 0, args, n);
    }
    const char *delta = str_of(ev, "delta", &n);
    if (!delta || n == 0)
        return LLMOPS_OK;
    c->got_args = 1;
    return custom ? put_custom_input(k, slot, delta, n)
                  : put_call(k, slot, NULL, 0, NULL, 0, delta, n);
}

/* Closes custom calls whose output_item.done never came, so arguments are
 * always JSON. */
static llmops_status close_custom(or_stream *os, const sink *k)
{
    for (size_t i = 0; i < os->ncalls; i++)
        if (os->calls[i].custom && !os->calls[i].closed) {
            os->calls[i].closed = 1;
            llmops_status st = put_call(k, i, NULL, 0, NULL, 0, "\"}", 2);
            if (st != LLMOPS_OK)
                return st;
        }
    return LLMOPS_OK;
}

static llmops_status dispatch(or_stream *os, const char *type, size_t tn,
                              const llmops_json *ev, llmops_stream *s)
{
    sink k = {s, s->resp};
    llmops_response *r = s->resp;
    size_t n;
    const char *t;
    if (is(type, tn, "response.output_text.delta")) {
        os->got_text = 1;
        t = str_of(ev, "delta", &n);
        return t ? put_text(&k, t, n) : LLMOPS_OK;
    }
    if (is(type, tn, "response.refusal.delta")) {
        os->got_text = 1;
        os->refusal = 1;
        t = str_of(ev, "delta", &n);
        return t ? put_text(&k, t, n) : LLMOPS_OK;
    }
    if (is(type, tn, "response.reasoning_summary_text.delta") ||
        is(type, tn, "response.reasoning_text.delta")) {
        os->got_reasoning = 1;
        t = str_of(ev, "delta", &n);
        return t ? put_reasoning(&k, t, n) : LLMOPS_OK;
    }
    if (is(type, tn, "response.function_call_arguments.delta"))
        return on_args(os, ev, &k, 0, 0);
    if (is(type, tn, "response.function_call_arguments.done"))
        return on_args(os, ev, &k, 0, 1);
    if (is(type, tn, "response.custom_tool_call_input.delta"))
        return on_args(os, ev, &k, 1, 0);
    if (is(type, tn, "response.output_item.added"))
        return on_item_added(os, ev, &k);
    if (is(type, tn, "response.output_item.done"))
        return on_item_done(os, ev, &k);
    if (is(type, tn, "response.created") || is(type, tn, "response.in_progress") ||
        is(type, tn, "response.queued")) {
        if (take_ids(r, llmops_json_get(ev, "response")) != LLMOPS_OK)
            return llmops__response_fail(r, LLMOPS_E_NO_MEMORY, WIRE ": out of memory");
        return LLMOPS_OK;
    }
    if (is(type, tn, "response.completed") || is(type, tn, "response.incomplete") ||
        is(type, tn, "response.done")) {
        llmops_status st = close_custom(os, &k);
        if (st != LLMOPS_OK)
            return st;
        os->complete = 1;
        return finish_from(r, llmops_json_get(ev, "response"), os->refusal);
    }
    if (is(type, tn, "response.failed")) {
        const llmops_json *err = llmops_json_get(llmops_json_get(ev, "response"), "error");
        if (llmops_json_type_of(err) == LLMOPS_JSON_OBJECT)
            return llmops__oa_fail_error_object(WIRE, 0, err, r);
        return llmops__response_fail(r, LLMOPS_E_PROVIDER,
                                     WIRE ": the response failed (stream event %zu)",
                                     os->events);
    }
    if (is(type, tn, "error")) {
        const llmops_json *err = llmops_json_get(ev, "error");
        return llmops__oa_fail_error_object(WIRE, 0,
                                            llmops_json_type_of(err) == LLMOPS_JSON_OBJECT ? err
                                                                                          : ev,
                                            r);
    }
    return LLMOPS_OK; /* events this library does not need */
}

static llmops_status or_stream_event(void *state, const char *event, size_t event_len,
                                     const char *data, size_t data_len, llmops_stream *s)
{
    or_stream *os = state;
    os->events++;
    size_t a = 0, b = data_len;
    while (a < b && (data[a] == ' ' || data[a] == '\t' || data[a] == '\r' || data[a] == '\n'))
        a++;
    while (b > a && (data[b - 1] == ' ' || data[b - 1] == '\t' || data[b - 1] == '\r' ||
                     data[b - 1] == '\n'))
        b--;
    if (a == b || (b - a == 6 && memcmp(data + a, "[DONE]", 6) == 0))
        return LLMOPS_OK;
    llmops_json_doc *doc = NULL;
    llmops_json_error jerr = LLMOPS_JSON_ERROR_INIT;
    llmops_status st = llmops_json_parse(&doc, data + a, b - a, NULL, &jerr);
    if (st == LLMOPS_E_NO_MEMORY)
        return llmops__response_fail(s->resp, st, WIRE ": out of memory reading stream event %zu",
                                     os->events);
    if (st != LLMOPS_OK)
        return llmops__response_fail(s->resp, LLMOPS_E_MALFORMED_RESPONSE,
                                     WIRE ": stream event %zu is not valid JSON: %s at byte %zu",
                                     os->events, jerr.message, jerr.offset);
    const llmops_json *ev = llmops_json_doc_root(doc);
    if (llmops_json_type_of(ev) != LLMOPS_JSON_OBJECT) {
        llmops_json_doc_free(doc);
        return llmops__response_fail(s->resp, LLMOPS_E_MALFORMED_RESPONSE,
                                     WIRE ": stream event %zu is not a JSON object", os->events);
    }
    size_t tn = 0;
    const char *type = str_of(ev, "type", &tn);
    if (!type && event && event_len > 0) {
        type = event;
        tn = event_len;
    }
    st = type ? dispatch(os, type, tn, ev, s) : LLMOPS_OK;
    llmops_json_doc_free(doc);
    return st;
}

static llmops_status or_stream_end(void *state, llmops_stream *s)
{
    or_stream *os = state;
    if (!os->complete)
        return llmops__response_fail(s->resp, LLMOPS_E_MALFORMED_RESPONSE,
                                     WIRE ": stream ended before it was complete (no "
                                          "response.completed or response.incomplete after "
                                          "%zu events)",
                                     os->events);
    return LLMOPS_OK;
}

const llmops__wire llmops__wire_openai_responses = {
    "openai-responses",
    "https://api.openai.com/v1",
    "OPENAI_API_KEY",
    LLMOPS__FRAMING_SSE,
    1u << LLMOPS__OP_GENERATE,
    or_build,
    or_parse,
    or_stream_new,
    or_stream_event,
    or_stream_end,
    or_stream_free,
    or_parse_error,
};
