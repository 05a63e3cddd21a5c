/* OpenAI Chat Completions wire ("openai"), also spoken by Azure OpenAI and
 * most OpenAI-compatible servers (Groq, Mistral, DeepSeek, OpenRouter,
 * Cerebras, Together, z.ai, Ollama's /v1, Gemini's /v1beta/openai): chat
 * completions, embeddings, and the moderation endpoint as the native
 * classifier. Also defines the helpers in openai_shared.h.
 *
 * Choices made here:
 * - The output limit is sent as max_completion_tokens: OpenAI deprecated
 *   max_tokens and rejects it for reasoning models (see the recording
 *   reasoning-model-legacy-parameter-error); the servers listed above
 *   accept the new name.
 * - Request metadata is not sent: OpenAI rejects `metadata` on chat
 *   completions unless `store` is true, and turning storage on silently
 *   would keep the host's conversations on OpenAI. It still reaches traces
 *   (and the Responses wire, which takes it with store:false).
 * - A user message with several text parts goes out as content parts; other
 *   roles get their parts joined (several servers take only a string there).
 * - A refusal is answer text with finish reason content_filter. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/strbuf.h"
#include "provider/errors.h"
#include "provider/openai_shared.h"
#include "provider/request.h"
#include "provider/response.h"
#include "provider/stream.h"
#include "provider/wire.h"

#define WIRE "openai"
#define AZURE_API_VERSION "2024-10-21"
#define MAX_STREAM_CALLS 256

/* ---- shared helpers (openai_shared.h) ------------------------------------ */

llmops_json *llmops__oa_obj(llmops__oa_json *j)
{
    llmops_json *v = j->failed ? NULL : llmops_json_new_object(j->doc);
    if (!v)
        j->failed = 1;
    return v;
}

llmops_json *llmops__oa_arr(llmops__oa_json *j)
{
    llmops_json *v = j->failed ? NULL : llmops_json_new_array(j->doc);
    if (!v)
        j->failed = 1;
    return v;
}

llmops_json *llmops__oa_str(llmops__oa_json *j, const char *s, size_t len)
{
    llmops_json *v = j->failed ? NULL : llmops_json_new_string(j->doc, s ? s : "", s ? len : 0);
    if (!v)
        j->failed = 1;
    return v;
}

void llmops__oa_set(llmops__oa_json *j, llmops_json *obj, const char *key, llmops_json *v)
{
    if (j->failed || !obj || !v ||
        llmops_json_object_set(j->doc, obj, key, strlen(key), v) != LLMOPS_OK)
        j->failed = 1;
}

void llmops__oa_set_str(llmops__oa_json *j, llmops_json *obj, const char *key, const char *s,
                        size_t len)
{
    llmops__oa_set(j, obj, key, llmops__oa_str(j, s, len));
}

void llmops__oa_append(llmops__oa_json *j, llmops_json *arr, llmops_json *v)
{
    if (j->failed || !arr || !v || llmops_json_array_append(j->doc, arr, v) != LLMOPS_OK)
        j->failed = 1;
}

llmops_json *llmops__oa_metadata(llmops__oa_json *j, const llmops_request *req)
{
    if (req->nmetadata == 0)
        return NULL;
    llmops_json *m = llmops__oa_obj(j);
    for (size_t i = 0; i < req->nmetadata; i++) {
        const llmops__kv *kv = &req->metadata[i];
        llmops__oa_set_str(j, m, kv->key, kv->value, strlen(kv->value));
    }
    return m;
}

llmops_json *llmops__oa_tool_parameters(llmops__oa_json *j, const llmops_json_doc *schema)
{
    const llmops_json *root = schema ? llmops_json_doc_root(schema) : NULL;
    if (root) {
        llmops_json *v = j->failed ? NULL : llmops_json_copy(j->doc, root);
        if (!v)
            j->failed = 1;
        return v;
    }
    llmops_json *o = llmops__oa_obj(j);
    llmops__oa_set_str(j, o, "type", "object", 6);
    llmops__oa_set(j, o, "properties", llmops__oa_obj(j));
    return o;
}

llmops_status llmops__oa_write_body(llmops__oa_json *j, llmops_json *root, llmops__buf *body,
                                    const char *wire_name, llmops_response *resp)
{
    char *text = NULL;
    size_t len = 0;
    if (j->failed || !root || llmops_json_doc_set_root(j->doc, root) != LLMOPS_OK ||
        llmops_json_write(&text, &len, root, LLMOPS_JSON_WRITE_COMPACT) != LLMOPS_OK)
        return llmops__response_fail(resp, LLMOPS_E_NO_MEMORY,
                                     "%s: out of memory while building the request body",
                                     wire_name);
    llmops__buf_append(body, text, len);
    llmops_free(text);
    if (body->failed)
        return llmops__response_fail(resp, LLMOPS_E_NO_MEMORY,
                                     "%s: out of memory while building the request body",
                                     wire_name);
    return LLMOPS_OK;
}

void llmops__oa_headers(const llmops__provider_cfg *cfg, const char *key, size_t key_len,
                        llmops__http_request *out)
{
    llmops__http_request_header(out, "Content-Type", "application/json", 16);
    if (!key || key_len == 0)
        return;
    if (cfg && cfg->azure) {
        llmops__http_request_header(out, "api-key", key, key_len);
        return;
    }
    char bearer[] = "Bearer ";
    llmops__buf v = LLMOPS__BUF_INIT;
    llmops__buf_append(&v, bearer, sizeof bearer - 1);
    llmops__buf_append(&v, key, key_len);
    if (!v.failed)
        llmops__http_request_header(out, "Authorization", v.data, v.len);
    else
        out->headers.failed = 1;
    /* The buffer held the key: wipe it before giving the memory back. */
    if (v.data)
        memset(v.data, 0, v.cap);
    llmops__buf_free(&v);
}

llmops_status llmops__oa_parse_object(const char *wire_name, const char *what, const char *body,
                                      size_t len, llmops_json_doc **doc, llmops_response *resp)
{
    llmops_json_error err = LLMOPS_JSON_ERROR_INIT;
    *doc = NULL;
    llmops_status st = llmops_json_parse(doc, body ? body : "", body ? len : 0, NULL, &err);
    if (st == LLMOPS_E_NO_MEMORY)
        return llmops__response_fail(resp, st, "%s: out of memory reading the %s", wire_name,
                                     what);
    if (st != LLMOPS_OK)
        return llmops__response_fail(resp, LLMOPS_E_MALFORMED_RESPONSE,
                                     "%s: the %s is not valid JSON: %s at byte %zu", wire_name,
                                     what, err.message, err.offset);
    if (llmops_json_type_of(llmops_json_doc_root(*doc)) != LLMOPS_JSON_OBJECT) {
        llmops_json_type t = llmops_json_type_of(llmops_json_doc_root(*doc));
        llmops_json_doc_free(*doc);
        *doc = NULL;
        return llmops__response_fail(resp, LLMOPS_E_MALFORMED_RESPONSE,
                                     "%s: the %s is a JSON %s, not an object", wire_name, what,
                                     llmops_json_type_name(t));
    }
    return LLMOPS_OK;
}

static int key_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_' || c == '*' || c == '.';
}

/* Copies a provider message, masking anything shaped like an API key
 * ("sk-..."): OpenAI echoes part of a wrong key in its 401 message. Control
 * characters become spaces. */
static void put_masked(llmops__buf *b, const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        if (c == 's' && i + 3 <= n && s[i + 1] == 'k' && s[i + 2] == '-' &&
            (i == 0 || !key_char((unsigned char)s[i - 1]))) {
            size_t e = i + 3;
            while (e < n && key_char((unsigned char)s[e]))
                e++;
            if (e - i >= 10) {
                /* Keep a trailing sentence dot out of the mask. */
                if (s[e - 1] == '.')
                    e--;
                llmops__buf_puts(b, "sk-***");
                i = e;
                continue;
            }
        }
        llmops__buf_putc(b, c < 0x20 || c == 0x7f ? ' ' : (char)c);
        i++;
    }
}

static const char *json_text(const llmops_json *v, size_t *len)
{
    *len = 0;
    if (llmops_json_type_of(v) == LLMOPS_JSON_STRING)
        return llmops_json_string(v, len);
    if (llmops_json_type_of(v) == LLMOPS_JSON_NUMBER)
        return llmops_json_number_text(v, len);
    return NULL;
}

/* Status of an error seen inside a 2xx body or stream, from its type. */
static llmops_status status_from_type(const char *t, size_t n)
{
    static const struct {
        const char *type;
        llmops_status st;
    } map[] = {
        {"invalid_request_error", LLMOPS_E_BAD_REQUEST},
        {"authentication_error", LLMOPS_E_AUTH},
        {"permission_error", LLMOPS_E_PERMISSION},
        {"not_found_error", LLMOPS_E_MODEL_NOT_FOUND},
        {"rate_limit_error", LLMOPS_E_RATE_LIMITED},
        {"rate_limit_exceeded", LLMOPS_E_RATE_LIMITED},
        {"insufficient_quota", LLMOPS_E_RATE_LIMITED},
        {"server_error", LLMOPS_E_PROVIDER},
        {"overloaded_error", LLMOPS_E_OVERLOADED},
    };
    for (size_t i = 0; t && i < sizeof map / sizeof map[0]; i++)
        if (strlen(map[i].type) == n && memcmp(map[i].type, t, n) == 0)
            return map[i].st;
    return LLMOPS_E_PROVIDER;
}

static llmops_status fail_message(llmops_response *resp, llmops_status st, const char *wire_name,
                                  int http_status, const char *msg, size_t mlen,
                                  const char *detail, size_t dlen)
{
    llmops__buf b = LLMOPS__BUF_INIT;
    /* For a non-2xx answer the caller prefixes who failed and the status;
     * an error inside a 2xx body or stream says where it came from. */
    if (http_status <= 0)
        llmops__buf_printf(&b, "%s: error in the response: ", wire_name);
    if (msg && mlen > 0)
        put_masked(&b, msg, mlen > 2048 ? 2048 : mlen);
    else
        llmops__buf_puts(&b, "error without a message");
    if (detail && dlen > 0) {
        llmops__buf_puts(&b, " (");
        put_masked(&b, detail, dlen > 1024 ? 1024 : dlen);
        llmops__buf_putc(&b, ')');
    }
    if (b.failed) {
        llmops__buf_free(&b);
        return llmops__response_fail(resp, st, "%s: error (message lost: out of memory)",
                                     wire_name);
    }
    llmops__response_fail(resp, st, "%s", b.data);
    llmops__buf_free(&b);
    return st;
}

llmops_status llmops__oa_fail_error_object(const char *wire_name, int http_status,
                                           const llmops_json *err, llmops_response *resp)
{
    size_t mlen = 0, clen = 0, tlen = 0;
    const char *msg = NULL, *code = NULL, *type = NULL;
    if (llmops_json_type_of(err) == LLMOPS_JSON_STRING) {
        msg = llmops_json_string(err, &mlen);
    } else {
        msg = json_text(llmops_json_get(err, "message"), &mlen);
        code = json_text(llmops_json_get(err, "code"), &clen);
        type = json_text(llmops_json_get(err, "type"), &tlen);
    }
    llmops_status st;
    if (http_status > 0) {
        st = llmops__http_status_map(http_status);
    } else {
        int64_t num = 0;
        if (llmops_json_get_int(llmops_json_get(err, "code"), &num) == LLMOPS_OK && num >= 400 &&
            num <= 599)
            st = llmops__http_status_map((int)num);
        else if (type)
            st = status_from_type(type, tlen);
        else
            st = LLMOPS_E_PROVIDER;
    }
    llmops_status refined = llmops__error_refine(st, code, clen, msg, mlen);
    if (refined == st && type)
        refined = llmops__error_refine(st, type, tlen, msg, mlen);
    /* OpenRouter puts the upstream provider's words in metadata.raw. */
    size_t dlen = 0;
    const char *detail =
        llmops_json_string(llmops_json_get(llmops_json_get(err, "metadata"), "raw"), &dlen);
    fail_message(resp, refined, wire_name, http_status, msg, mlen, detail, dlen);
    if (code && clen > 0)
        llmops__response_set_error_code_n(resp, code, clen);
    else if (type && tlen > 0)
        llmops__response_set_error_code_n(resp, type, tlen);
    return refined;
}

void llmops__oa_parse_error(const char *wire_name, int http_status, const char *body,
                            size_t len, llmops_response *resp)
{
    llmops_status st = llmops__http_status_map(http_status);
    if (!body)
        len = 0;
    llmops_json_doc *doc = NULL;
    if (len > 0 && llmops_json_parse(&doc, body, len, NULL, NULL) == LLMOPS_OK) {
        const llmops_json *root = llmops_json_doc_root(doc);
        const llmops_json *err = llmops_json_get(root, "error");
        const llmops_json *detail = llmops_json_get(root, "detail");
        size_t n = 0;
        const char *m = NULL;
        if (llmops_json_type_of(err) == LLMOPS_JSON_OBJECT ||
            llmops_json_type_of(err) == LLMOPS_JSON_STRING) {
            llmops__oa_fail_error_object(wire_name, http_status, err, resp);
            llmops_json_doc_free(doc);
            return;
        }
        if ((m = json_text(llmops_json_get(root, "message"), &n)) != NULL ||
            (m = json_text(detail, &n)) != NULL ||
            /* FastAPI-style validation errors: [{"msg": ...}, ...] */
            (m = json_text(llmops_json_get(llmops_json_at(detail, 0), "msg"), &n)) != NULL) {
            st = llmops__error_refine(st, NULL, 0, m, n);
            fail_message(resp, st, wire_name, http_status, m, n, NULL, 0);
            llmops_json_doc_free(doc);
            return;
        }
        llmops_json_doc_free(doc);
    }
    /* Not an error object: keep the start of the body as the message, ASCII
     * only, since it may be anything (an HTML page from a proxy, bytes). */
    char text[301];
    size_t k = 0;
    for (size_t i = 0; i < len && k < sizeof text - 1; i++) {
        unsigned char c = (unsigned char)body[i];
        text[k++] = c >= 0x20 && c < 0x7f ? (char)c : (c == '\n' || c == '\t' ? ' ' : '?');
    }
    while (k > 0 && text[k - 1] == ' ')
        k--;
    text[k] = '\0';
    if (k == 0) {
        llmops__response_fail(resp, st, "empty error body");
        return;
    }
    st = llmops__error_refine(st, NULL, 0, text, k);
    fail_message(resp, st, wire_name, http_status, text, k, NULL, 0);
}

llmops_status llmops__oa_set_usage(llmops_response *resp, const llmops_usage *u)
{
    resp->usage = *u;
    resp->usage.version = LLMOPS_USAGE_VERSION;
    resp->has_usage = 1;
    return LLMOPS_OK;
}

int64_t llmops__oa_int(const llmops_json *obj, const char *key)
{
    int64_t v = 0;
    if (llmops_json_get_int(llmops_json_get(obj, key), &v) != LLMOPS_OK)
        return 0;
    return v;
}

/* ---- building ------------------------------------------------------------ */

static void put_pct(llmops__buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            llmops__buf_putc(b, (char)c);
        } else {
            llmops__buf_putc(b, '%');
            llmops__buf_putc(b, hex[c >> 4]);
            llmops__buf_putc(b, hex[c & 15]);
        }
    }
}

static void put_url(const llmops__provider_cfg *cfg, const char *model, const char *path,
                    llmops__buf *url)
{
    const char *base = cfg && cfg->base_url ? cfg->base_url : llmops__wire_openai.default_base_url;
    llmops__buf_puts(url, base);
    if (cfg && cfg->azure) {
        llmops__buf_puts(url, "/openai/deployments/");
        put_pct(url, model ? model : "");
        llmops__buf_puts(url, path);
        llmops__buf_puts(url, "?api-version=");
        put_pct(url, cfg->api_version && *cfg->api_version ? cfg->api_version : AZURE_API_VERSION);
        return;
    }
    llmops__buf_puts(url, path);
}

static const char *role_name(llmops_role r)
{
    switch (r) {
    case LLMOPS_ROLE_SYSTEM: return "system";
    case LLMOPS_ROLE_USER: return "user";
    case LLMOPS_ROLE_ASSISTANT: return "assistant";
    case LLMOPS_ROLE_TOOL: return "tool";
    }
    return "user";
}

/* The message's text as one JSON string (parts joined). */
static llmops_json *joined_text(llmops__oa_json *j, const llmops_request *req, size_t i)
{
    const llmops__message *m = &req->messages[i];
    if (m->nparts == 0)
        return llmops__oa_str(j, "", 0);
    if (m->nparts == 1)
        return llmops__oa_str(j, m->parts[0].data, m->parts[0].len);
    size_t len = 0;
    char *t = llmops__request_message_text(req, i, &len);
    if (!t) {
        j->failed = 1;
        return NULL;
    }
    llmops_json *v = llmops__oa_str(j, t, len);
    llmops__free(t);
    return v;
}

static llmops_json *message_json(llmops__oa_json *j, const llmops_request *req, size_t i)
{
    const llmops__message *m = &req->messages[i];
    llmops_json *o = llmops__oa_obj(j);
    llmops__oa_set_str(j, o, "role", role_name(m->role), strlen(role_name(m->role)));
    if (m->role == LLMOPS_ROLE_USER && m->nparts > 1) {
        llmops_json *parts = llmops__oa_arr(j);
        for (size_t p = 0; p < m->nparts; p++) {
            llmops_json *part = llmops__oa_obj(j);
            llmops__oa_set_str(j, part, "type", "text", 4);
            llmops__oa_set_str(j, part, "text", m->parts[p].data, m->parts[p].len);
            llmops__oa_append(j, parts, part);
        }
        llmops__oa_set(j, o, "content", parts);
    } else if (m->role == LLMOPS_ROLE_ASSISTANT && m->ncalls > 0) {
        int empty = 1;
        for (size_t p = 0; p < m->nparts; p++)
            empty &= m->parts[p].len == 0;
        llmops__oa_set(j, o, "content",
                       empty ? (j->failed ? NULL : llmops_json_new_null(j->doc))
                             : joined_text(j, req, i));
        llmops_json *calls = llmops__oa_arr(j);
        for (size_t c = 0; c < m->ncalls; c++) {
            const llmops__req_tool_call *tc = &m->calls[c];
            llmops_json *call = llmops__oa_obj(j);
            llmops__oa_set_str(j, call, "id", tc->id, tc->id ? strlen(tc->id) : 0);
            llmops__oa_set_str(j, call, "type", "function", 8);
            llmops_json *fn = llmops__oa_obj(j);
            llmops__oa_set_str(j, fn, "name", tc->name, tc->name ? strlen(tc->name) : 0);
            const char *args = tc->arguments ? tc->arguments : "{}";
            llmops__oa_set_str(j, fn, "arguments", args, strlen(args));
            llmops__oa_set(j, call, "function", fn);
            llmops__oa_append(j, calls, call);
        }
        llmops__oa_set(j, o, "tool_calls", calls);
    } else {
        llmops__oa_set(j, o, "content", joined_text(j, req, i));
    }
    if (m->role == LLMOPS_ROLE_TOOL)
        llmops__oa_set_str(j, o, "tool_call_id", m->tool_call_id,
                           m->tool_call_id ? strlen(m->tool_call_id) : 0);
    return o;
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
        llmops_json *fn = llmops__oa_obj(j);
        llmops__oa_set_str(j, fn, "name", t->name, strlen(t->name));
        if (t->description)
            llmops__oa_set_str(j, fn, "description", t->description, strlen(t->description));
        llmops__oa_set(j, fn, "parameters", llmops__oa_tool_parameters(j, t->parameters));
        llmops__oa_set(j, tool, "function", fn);
        llmops__oa_append(j, tools, tool);
    }
    llmops__oa_set(j, root, "tools", tools);
    /* tool_choice without tools is rejected by OpenAI, so it rides along. */
    switch (req->tool_choice) {
    case LLMOPS_TOOL_CHOICE_AUTO: llmops__oa_set_str(j, root, "tool_choice", "auto", 4); break;
    case LLMOPS_TOOL_CHOICE_NONE: llmops__oa_set_str(j, root, "tool_choice", "none", 4); break;
    case LLMOPS_TOOL_CHOICE_REQUIRED:
        llmops__oa_set_str(j, root, "tool_choice", "required", 8);
        break;
    case LLMOPS_TOOL_CHOICE_NAMED: {
        llmops_json *tc = llmops__oa_obj(j), *fn = llmops__oa_obj(j);
        const char *name = req->tool_choice_name ? req->tool_choice_name : "";
        llmops__oa_set_str(j, tc, "type", "function", 8);
        llmops__oa_set_str(j, fn, "name", name, strlen(name));
        llmops__oa_set(j, tc, "function", fn);
        llmops__oa_set(j, root, "tool_choice", tc);
        break;
    }
    }
}

static void put_format(llmops__oa_json *j, llmops_json *root, const llmops_request *req)
{
    if (req->format == LLMOPS_FORMAT_TEXT)
        return;
    llmops_json *rf = llmops__oa_obj(j);
    if (req->format == LLMOPS_FORMAT_JSON) {
        llmops__oa_set_str(j, rf, "type", "json_object", 11);
    } else {
        const char *name = req->schema_name && *req->schema_name ? req->schema_name : "response";
        llmops_json *js = llmops__oa_obj(j);
        llmops__oa_set_str(j, rf, "type", "json_schema", 11);
        llmops__oa_set_str(j, js, "name", name, strlen(name));
        llmops__oa_set(j, js, "schema", llmops__oa_tool_parameters(j, req->schema));
        llmops__oa_set(j, js, "strict", j->failed ? NULL : llmops_json_new_bool(j->doc, 1));
        llmops__oa_set(j, rf, "json_schema", js);
    }
    llmops__oa_set(j, root, "response_format", rf);
}

static llmops_json *num(llmops__oa_json *j, double v)
{
    llmops_json *n = j->failed ? NULL : llmops_json_new_double(j->doc, v);
    if (!n)
        j->failed = 1;
    return n;
}

static llmops_json *inum(llmops__oa_json *j, int64_t v)
{
    llmops_json *n = j->failed ? NULL : llmops_json_new_int(j->doc, v);
    if (!n)
        j->failed = 1;
    return n;
}

static void build_chat(llmops__oa_json *j, llmops_json *root, const llmops_request *req,
                       int stream)
{
    llmops_json *msgs = llmops__oa_arr(j);
    for (size_t i = 0; i < req->nmessages; i++)
        llmops__oa_append(j, msgs, message_json(j, req, i));
    llmops__oa_set(j, root, "messages", msgs);
    if (req->has_temperature)
        llmops__oa_set(j, root, "temperature", num(j, req->temperature));
    if (req->has_top_p)
        llmops__oa_set(j, root, "top_p", num(j, req->top_p));
    if (req->has_max_output_tokens)
        llmops__oa_set(j, root, "max_completion_tokens", inum(j, req->max_output_tokens));
    if (req->has_seed)
        llmops__oa_set(j, root, "seed", inum(j, req->seed));
    if (req->nstops > 0) {
        llmops_json *stops = llmops__oa_arr(j);
        for (size_t i = 0; i < req->nstops; i++)
            llmops__oa_append(j, stops, llmops__oa_str(j, req->stops[i], strlen(req->stops[i])));
        llmops__oa_set(j, root, "stop", stops);
    }
    put_tools(j, root, req);
    put_format(j, root, req);
    if (stream) {
        llmops__oa_set(j, root, "stream", j->failed ? NULL : llmops_json_new_bool(j->doc, 1));
        llmops_json *so = llmops__oa_obj(j);
        llmops__oa_set(j, so, "include_usage", j->failed ? NULL : llmops_json_new_bool(j->doc, 1));
        llmops__oa_set(j, root, "stream_options", so);
    }
}

static void build_embed(llmops__oa_json *j, llmops_json *root, const llmops_request *req)
{
    llmops_json *in = llmops__oa_arr(j);
    for (size_t i = 0; i < req->ninputs; i++)
        llmops__oa_append(j, in, llmops__oa_str(j, req->inputs[i].data, req->inputs[i].len));
    llmops__oa_set(j, root, "input", in);
    if (req->dimensions > 0)
        llmops__oa_set(j, root, "dimensions", inum(j, req->dimensions));
    if (req->embed_encoding == LLMOPS_EMBED_BASE64)
        llmops__oa_set_str(j, root, "encoding_format", "base64", 6);
    else
        llmops__oa_set_str(j, root, "encoding_format", "float", 5);
}

static llmops_status oa_build(const llmops__provider_cfg *cfg, const llmops_request *req,
                              const char *model, llmops__op op, int stream, const char *key,
                              size_t key_len, llmops__http_request *out, llmops_response *resp)
{
    if (!req)
        return llmops__response_fail(resp, LLMOPS_E_INVALID_ARGUMENT, WIRE ": no request");
    if (!model || !*model) {
        /* The moderation endpoint picks its own model when none is named. */
        if (op != LLMOPS__OP_CLASSIFY)
            return llmops__response_fail(resp, LLMOPS_E_INVALID_ARGUMENT,
                                         WIRE ": no model: set one on the request or the "
                                              "provider's default_model");
        model = NULL;
    }
    const char *path;
    size_t classify_msg = SIZE_MAX;
    switch (op) {
    case LLMOPS__OP_GENERATE:
        if (req->nmessages == 0)
            return llmops__response_fail(resp, LLMOPS_E_INVALID_ARGUMENT,
                                         WIRE ": the request has no messages");
        path = "/chat/completions";
        break;
    case LLMOPS__OP_EMBED:
        if (req->ninputs == 0)
            return llmops__response_fail(resp, LLMOPS_E_INVALID_ARGUMENT,
                                         WIRE ": the embedding request has no inputs");
        path = "/embeddings";
        break;
    case LLMOPS__OP_CLASSIFY:
        for (size_t i = req->nmessages; i-- > 0;)
            if (req->messages[i].role == LLMOPS_ROLE_USER) {
                classify_msg = i;
                break;
            }
        if (classify_msg == SIZE_MAX)
            return llmops__response_fail(resp, LLMOPS_E_INVALID_ARGUMENT,
                                         WIRE ": moderation needs a user message to classify");
        path = "/moderations";
        break;
    default:
        return llmops__response_fail(resp, LLMOPS_E_UNSUPPORTED,
                                     WIRE ": operation %d is not supported", (int)op);
    }
    if (cfg && cfg->azure && !model)
        return llmops__response_fail(resp, LLMOPS_E_INVALID_ARGUMENT,
                                     WIRE ": Azure needs a model (the deployment name)");

    llmops__oa_json j = {NULL, 0};
    if (llmops_json_doc_new(&j.doc) != LLMOPS_OK)
        return llmops__response_fail(resp, LLMOPS_E_NO_MEMORY,
                                     WIRE ": out of memory while building the request body");
    llmops_json *root = llmops__oa_obj(&j);
    /* Azure names the deployment in the URL, but the body may still carry it. */
    if (model)
        llmops__oa_set_str(&j, root, "model", model, strlen(model));
    if (op == LLMOPS__OP_GENERATE)
        build_chat(&j, root, req, stream);
    else if (op == LLMOPS__OP_EMBED)
        build_embed(&j, root, req);
    else
        llmops__oa_set(&j, root, "input", joined_text(&j, req, classify_msg));
    llmops_status st = llmops__oa_write_body(&j, root, &out->body, WIRE, resp);
    llmops_json_doc_free(j.doc);
    if (st != LLMOPS_OK)
        return st;
    put_url(cfg, model, path, &out->url);
    llmops__oa_headers(cfg, key, key_len, out);
    if (stream && op == LLMOPS__OP_GENERATE)
        llmops__http_request_header(out, "Accept", "text/event-stream", 17);
    out->method = "POST";
    if (out->url.failed || out->headers.failed)
        return llmops__response_fail(resp, LLMOPS_E_NO_MEMORY,
                                     WIRE ": out of memory while building the request");
    return LLMOPS_OK;
}

/* ---- reading answers ----------------------------------------------------- */

/* Where content goes: the stream (streamed and plain calls end identical
 * because the stream also accumulates) or straight into the response. */
typedef struct sink {
    llmops_stream *s;
    llmops_response *r;
    int refusal;
} sink;

static llmops_status put_text(sink *k, const char *t, size_t n)
{
    if (n == 0)
        return LLMOPS_OK;
    return k->s ? llmops__stream_text(k->s, t, n) : llmops__response_append_text(k->r, t, n);
}

static llmops_status put_reasoning(sink *k, const char *t, size_t n)
{
    if (n == 0)
        return LLMOPS_OK;
    return k->s ? llmops__stream_reasoning(k->s, t, n)
                : llmops__response_append_reasoning(k->r, t, n);
}

/* Mistral's thinking part: {"type":"thinking","thinking":[{"type":"text",
 * "text":...}]} (or a plain string). */
static llmops_status put_thinking(sink *k, const llmops_json *th)
{
    size_t n = 0;
    const char *t = llmops_json_string(th, &n);
    if (t)
        return put_reasoning(k, t, n);
    for (size_t i = 0; i < llmops_json_size(th); i++) {
        const llmops_json *p = llmops_json_at(th, i);
        t = llmops_json_string(llmops_json_get(p, "text"), &n);
        if (!t)
            t = llmops_json_string(p, &n);
        if (t) {
            llmops_status st = put_reasoning(k, t, n);
            if (st != LLMOPS_OK)
                return st;
        }
    }
    return LLMOPS_OK;
}

/* content (string, null or parts), reasoning_content / reasoning, refusal
 * of a message or a stream delta. */
static llmops_status read_content(sink *k, const llmops_json *m)
{
    llmops_status st = LLMOPS_OK;
    size_t n = 0;
    const char *t;
    static const char *const reasoning_keys[] = {"reasoning_content", "reasoning"};
    for (size_t i = 0; i < 2 && st == LLMOPS_OK; i++)
        if ((t = llmops_json_string(llmops_json_get(m, reasoning_keys[i]), &n)) != NULL) {
            st = put_reasoning(k, t, n);
            break;
        }
    const llmops_json *c = llmops_json_get(m, "content");
    if (st == LLMOPS_OK && (t = llmops_json_string(c, &n)) != NULL)
        st = put_text(k, t, n);
    else if (st == LLMOPS_OK && llmops_json_type_of(c) == LLMOPS_JSON_ARRAY) {
        for (size_t i = 0; i < llmops_json_size(c) && st == LLMOPS_OK; i++) {
            const llmops_json *p = llmops_json_at(c, i);
            size_t tn = 0;
            const char *type = llmops_json_string(llmops_json_get(p, "type"), &tn);
            if ((t = llmops_json_string(p, &n)) != NULL)
                st = put_text(k, t, n);
            else if (type && tn == 8 && memcmp(type, "thinking", 8) == 0)
                st = put_thinking(k, llmops_json_get(p, "thinking"));
            else if (type && tn == 7 && memcmp(type, "refusal", 7) == 0) {
                if ((t = llmops_json_string(llmops_json_get(p, "refusal"), &n)) != NULL) {
                    k->refusal = 1;
                    st = put_text(k, t, n);
                }
            } else if ((t = llmops_json_string(llmops_json_get(p, "text"), &n)) != NULL)
                st = put_text(k, t, n);
        }
    }
    if (st == LLMOPS_OK && (t = llmops_json_string(llmops_json_get(m, "refusal"), &n)) != NULL) {
        k->refusal = 1;
        st = put_text(k, t, n);
    }
    return st;
}

static llmops_finish_reason map_finish(const char *f, size_t n)
{
    static const struct {
        const char *raw;
        llmops_finish_reason r;
    } map[] = {
        {"stop", LLMOPS_FINISH_STOP},
        {"eos", LLMOPS_FINISH_STOP},
        {"end_turn", LLMOPS_FINISH_STOP},
        {"length", LLMOPS_FINISH_LENGTH},
        {"model_length", LLMOPS_FINISH_LENGTH},
        {"max_tokens", LLMOPS_FINISH_LENGTH},
        {"tool_calls", LLMOPS_FINISH_TOOL_CALLS},
        {"function_call", LLMOPS_FINISH_TOOL_CALLS},
        {"tool_use", LLMOPS_FINISH_TOOL_CALLS},
        {"content_filter", LLMOPS_FINISH_CONTENT_FILTER},
        {"error", LLMOPS_FINISH_ERROR},
        {"insufficient_system_resource", LLMOPS_FINISH_ERROR},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strlen(map[i].raw) == n && memcmp(map[i].raw, f, n) == 0)
            return map[i].r;
    return LLMOPS_FINISH_OTHER;
}

static llmops_status set_finish(llmops_response *r, const llmops_json *fr)
{
    size_t n = 0;
    const char *f = llmops_json_string(fr, &n);
    if (!f)
        return LLMOPS_OK;
    r->finish = map_finish(f, n);
    return llmops__response_set_finish_raw_n(r, f, n);
}

/* usage of a chat completion, with the variants seen in the wild:
 * prompt_tokens_details.cached_tokens (OpenAI), prompt_cache_hit_tokens
 * (DeepSeek), cached_tokens at the top (Together). */
static int read_usage(const llmops_json *u, llmops_usage *out)
{
    if (llmops_json_type_of(u) != LLMOPS_JSON_OBJECT)
        return 0;
    if (!llmops_json_get(u, "prompt_tokens") && !llmops_json_get(u, "completion_tokens") &&
        !llmops_json_get(u, "total_tokens"))
        return 0;
    llmops_usage z = LLMOPS_USAGE_INIT;
    *out = z;
    out->input_tokens = llmops__oa_int(u, "prompt_tokens");
    out->output_tokens = llmops__oa_int(u, "completion_tokens");
    out->total_tokens = llmops_json_get(u, "total_tokens")
                            ? llmops__oa_int(u, "total_tokens")
                            : out->input_tokens + out->output_tokens;
    const llmops_json *pd = llmops_json_get(u, "prompt_tokens_details");
    if (llmops_json_get(pd, "cached_tokens"))
        out->cached_input_tokens = llmops__oa_int(pd, "cached_tokens");
    else if (llmops_json_get(u, "prompt_cache_hit_tokens"))
        out->cached_input_tokens = llmops__oa_int(u, "prompt_cache_hit_tokens");
    else
        out->cached_input_tokens = llmops__oa_int(u, "cached_tokens");
    out->reasoning_tokens =
        llmops__oa_int(llmops_json_get(u, "completion_tokens_details"), "reasoning_tokens");
    /* Our output count includes reasoning. Some servers (xAI) count the
     * reasoning outside completion_tokens: their total is prompt +
     * completion + reasoning. */
    if (out->reasoning_tokens > 0 && llmops_json_get(u, "total_tokens") &&
        out->total_tokens == out->input_tokens + out->output_tokens + out->reasoning_tokens)
        out->output_tokens += out->reasoning_tokens;
    return 1;
}

/* The usage object of a body or chunk: `usage`, or Groq's x_groq.usage. */
static void take_usage(llmops_response *r, const llmops_json *root)
{
    llmops_usage u;
    if (read_usage(llmops_json_get(root, "usage"), &u) ||
        read_usage(llmops_json_get(llmops_json_get(root, "x_groq"), "usage"), &u))
        llmops__oa_set_usage(r, &u);
}

static llmops_status take_ids(llmops_response *r, const llmops_json *root)
{
    size_t n = 0;
    const char *s;
    if (!r->model && (s = llmops_json_string(llmops_json_get(root, "model"), &n)) && n > 0 &&
        llmops__response_set_model_n(r, s, n) != LLMOPS_OK)
        return LLMOPS_E_NO_MEMORY;
    if (!r->request_id && (s = llmops_json_string(llmops_json_get(root, "id"), &n)) && n > 0 &&
        llmops__response_set_request_id_n(r, s, n) != LLMOPS_OK)
        return LLMOPS_E_NO_MEMORY;
    return LLMOPS_OK;
}

/* A tool call's arguments: a JSON string, or (some servers) the object. */
static llmops_status args_text(const llmops_json *a, const char **t, size_t *n, char **owned)
{
    *owned = NULL;
    *t = llmops_json_string(a, n);
    if (*t || !a || llmops_json_type_of(a) == LLMOPS_JSON_NULL) {
        if (!*t) {
            *t = "";
            *n = 0;
        }
        return LLMOPS_OK;
    }
    if (llmops_json_write(owned, n, a, LLMOPS_JSON_WRITE_COMPACT) != LLMOPS_OK)
        return LLMOPS_E_NO_MEMORY;
    *t = *owned;
    return LLMOPS_OK;
}

static llmops_status read_tool_calls(llmops_response *r, const llmops_json *msg)
{
    const llmops_json *calls = llmops_json_get(msg, "tool_calls");
    size_t base = r->ncalls;
    for (size_t i = 0; i < llmops_json_size(calls); i++) {
        const llmops_json *c = llmops_json_at(calls, i);
        const llmops_json *fn = llmops_json_get(c, "function");
        size_t idn = 0, nn = 0, an = 0;
        const char *id = llmops_json_string(llmops_json_get(c, "id"), &idn);
        const char *name = llmops_json_string(llmops_json_get(fn, "name"), &nn);
        const char *args;
        char *owned;
        if (args_text(llmops_json_get(fn, "arguments"), &args, &an, &owned) != LLMOPS_OK)
            return llmops__response_fail(r, LLMOPS_E_NO_MEMORY, WIRE ": out of memory");
        llmops_status st = llmops__response_tool_call_fragment(r, base + i, id, idn, name, nn,
                                                               args, an);
        llmops_free(owned);
        if (st != LLMOPS_OK)
            return llmops__response_fail(r, st, WIRE ": could not store tool call %zu", i);
    }
    /* The legacy single function_call. */
    const llmops_json *fc = llmops_json_get(msg, "function_call");
    if (llmops_json_type_of(fc) == LLMOPS_JSON_OBJECT) {
        size_t nn = 0, an = 0;
        const char *name = llmops_json_string(llmops_json_get(fc, "name"), &nn);
        const char *args;
        char *owned;
        if (args_text(llmops_json_get(fc, "arguments"), &args, &an, &owned) != LLMOPS_OK)
            return llmops__response_fail(r, LLMOPS_E_NO_MEMORY, WIRE ": out of memory");
        llmops_status st =
            llmops__response_tool_call_fragment(r, r->ncalls, NULL, 0, name, nn, args, an);
        llmops_free(owned);
        if (st != LLMOPS_OK)
            return llmops__response_fail(r, st, WIRE ": could not store the function call");
    }
    return LLMOPS_OK;
}

static llmops_status parse_chat(const llmops_json *root, llmops_response *r)
{
    const llmops_json *choices = llmops_json_get(root, "choices");
    if (llmops_json_type_of(choices) != LLMOPS_JSON_ARRAY)
        return llmops__response_fail(r, LLMOPS_E_MALFORMED_RESPONSE,
                                     WIRE ": the response has no \"choices\" array");
    if (llmops_json_size(choices) == 0)
        return llmops__response_fail(r, LLMOPS_E_MALFORMED_RESPONSE,
                                     WIRE ": the response's \"choices\" array is empty");
    const llmops_json *choice = llmops_json_at(choices, 0);
    const llmops_json *msg = llmops_json_get(choice, "message");
    if (llmops_json_type_of(msg) != LLMOPS_JSON_OBJECT)
        return llmops__response_fail(r, LLMOPS_E_MALFORMED_RESPONSE,
                                     WIRE ": choices[0] has no \"message\" object");
    if (take_ids(r, root) != LLMOPS_OK)
        return llmops__response_fail(r, LLMOPS_E_NO_MEMORY, WIRE ": out of memory");
    sink k = {NULL, r, 0};
    llmops_status st = read_content(&k, msg);
    if (st == LLMOPS_OK)
        st = read_tool_calls(r, msg);
    if (st == LLMOPS_OK)
        st = set_finish(r, llmops_json_get(choice, "finish_reason"));
    if (st != LLMOPS_OK)
        return r->status != LLMOPS_OK ? r->status
                                      : llmops__response_fail(r, st, WIRE ": out of memory");
    if (k.refusal)
        r->finish = LLMOPS_FINISH_CONTENT_FILTER;
    take_usage(r, root);
    return LLMOPS_OK;
}

static int b64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+' || c == '-')
        return 62;
    if (c == '/' || c == '_')
        return 63;
    return -1;
}

/* Decodes base64 (padding optional) into out (room for len*3/4 bytes);
 * returns the byte count or SIZE_MAX on a bad character. */
static size_t b64_decode(const char *s, size_t len, unsigned char *out)
{
    while (len > 0 && s[len - 1] == '=')
        len--;
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < len; i++) {
        int v = b64_value((unsigned char)s[i]);
        if (v < 0)
            return SIZE_MAX;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (unsigned char)(acc >> bits);
        }
    }
    return o;
}

typedef struct floats {
    float *v;
    size_t cap;
} floats;

static int floats_reserve(floats *f, size_t n)
{
    if (n <= f->cap)
        return 0;
    size_t cap = llmops__grow_cap(f->cap, n, sizeof(float));
    float *p = cap ? llmops__realloc(f->v, cap * sizeof(float)) : NULL;
    if (!p)
        return -1;
    f->v = p;
    f->cap = cap;
    return 0;
}

/* One embedding: an array of numbers or base64 little-endian float32. */
static llmops_status read_vector(const llmops_json *e, size_t i, floats *f, size_t *dims,
                                 llmops_response *r)
{
    size_t n = 0;
    const char *b64 = llmops_json_string(e, &n);
    if (b64) {
        size_t bytes_cap = n / 4 * 3 + 3;
        if (floats_reserve(f, bytes_cap / 4 + 1) != 0)
            return llmops__response_fail(r, LLMOPS_E_NO_MEMORY, WIRE ": out of memory");
        /* Decode in place into the float buffer's bytes. */
        unsigned char *bytes = (unsigned char *)f->v;
        size_t got = b64_decode(b64, n, bytes);
        if (got == SIZE_MAX || got % 4 != 0)
            return llmops__response_fail(r, LLMOPS_E_MALFORMED_RESPONSE,
                                         WIRE ": data[%zu].embedding is not base64 float32 "
                                              "(%zu characters)",
                                         i, n);
        *dims = got / 4;
        for (size_t k = 0; k < *dims; k++) {
            const unsigned char *b = bytes + 4 * k;
            uint32_t u = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
                         (uint32_t)b[3] << 24;
            memcpy(&f->v[k], &u, sizeof u);
        }
        return LLMOPS_OK;
    }
    if (llmops_json_type_of(e) != LLMOPS_JSON_ARRAY)
        return llmops__response_fail(r, LLMOPS_E_MALFORMED_RESPONSE,
                                     WIRE ": data[%zu].embedding is a %s, not an array or "
                                          "base64 string",
                                     i, llmops_json_type_name(llmops_json_type_of(e)));
    n = llmops_json_size(e);
    if (floats_reserve(f, n) != 0)
        return llmops__response_fail(r, LLMOPS_E_NO_MEMORY, WIRE ": out of memory");
    for (size_t k = 0; k < n; k++) {
        double d;
        if (llmops_json_get_double(llmops_json_at(e, k), &d) != LLMOPS_OK)
            return llmops__response_fail(r, LLMOPS_E_MALFORMED_RESPONSE,
                                         WIRE ": data[%zu].embedding[%zu] is not a number", i, k);
        f->v[k] = (float)d;
    }
    *dims = n;
    return LLMOPS_OK;
}

static llmops_status parse_embed(const llmops_json *root, llmops_response *r)
{
    const llmops_json *data = llmops_json_get(root, "data");
    if (llmops_json_type_of(data) != LLMOPS_JSON_ARRAY)
        return llmops__response_fail(r, LLMOPS_E_MALFORMED_RESPONSE,
                                     WIRE ": the embeddings response has no \"data\" array");
    size_t n = llmops_json_size(data);
    /* order[k] = the item whose "index" is k, when the indices are exactly
     * 0..n-1; otherwise document order. */
    size_t *order = llmops__calloc(n ? n : 1, sizeof *order);
    if (!order)
        return llmops__response_fail(r, LLMOPS_E_NO_MEMORY, WIRE ": out of memory");
    for (size_t k = 0; k < n; k++)
        order[k] = SIZE_MAX;
    int indexed = 1;
    for (size_t i = 0; i < n && indexed; i++) {
        int64_t idx;
        if (llmops_json_get_int(llmops_json_get(llmops_json_at(data, i), "index"), &idx) !=
                LLMOPS_OK ||
            idx < 0 || (uint64_t)idx >= n || order[idx] != SIZE_MAX)
            indexed = 0;
        else
            order[idx] = i;
    }
    for (size_t k = 0; k < n && !indexed; k++)
        order[k] = k;
    floats f = {NULL, 0};
    llmops_status st = LLMOPS_OK;
    for (size_t k = 0; k < n && st == LLMOPS_OK; k++) {
        size_t dims = 0;
        st = read_vector(llmops_json_get(llmops_json_at(data, order[k]), "embedding"), order[k],
                         &f, &dims, r);
        if (st == LLMOPS_OK && llmops_response_add_embedding(r, f.v, dims) != LLMOPS_OK)
            st = llmops__response_fail(r, LLMOPS_E_NO_MEMORY, WIRE ": out of memory");
    }
    llmops__free(f.v);
    llmops__free(order);
    if (st != LLMOPS_OK)
        return st;
    if (take_ids(r, root) != LLMOPS_OK)
        return llmops__response_fail(r, LLMOPS_E_NO_MEMORY, WIRE ": out of memory");
    const llmops_json *u = llmops_json_get(root, "usage");
    if (llmops_json_type_of(u) == LLMOPS_JSON_OBJECT) {
        llmops_usage us = LLMOPS_USAGE_INIT;
        us.input_tokens = llmops_json_get(u, "prompt_tokens") ? llmops__oa_int(u, "prompt_tokens")
                                                              : llmops__oa_int(u, "total_tokens");
        us.total_tokens = llmops_json_get(u, "total_tokens") ? llmops__oa_int(u, "total_tokens")
                                                             : us.input_tokens;
        llmops__oa_set_usage(r, &us);
    }
    return LLMOPS_OK;
}

typedef struct mod_label {
    const char *name;
    size_t len;
    double score;
    int flagged;
} mod_label;

static int mod_cmp(const void *a, const void *b)
{
    const mod_label *x = a, *y = b;
    if (x->flagged != y->flagged)
        return y->flagged - x->flagged;
    if (x->score != y->score)
        return x->score < y->score ? 1 : -1;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->name, y->name, n);
    return c ? c : (x->len > y->len) - (x->len < y->len);
}

static llmops_status parse_moderation(const llmops_json *root, llmops_response *r)
{
    const llmops_json *res = llmops_json_at(llmops_json_get(root, "results"), 0);
    const llmops_json *scores = llmops_json_get(res, "category_scores");
    const llmops_json *cats = llmops_json_get(res, "categories");
    if (llmops_json_type_of(scores) != LLMOPS_JSON_OBJECT)
        return llmops__response_fail(r, LLMOPS_E_MALFORMED_RESPONSE,
                                     WIRE ": the moderation response has no "
                                          "results[0].category_scores object");
    size_t n = llmops_json_size(scores);
    mod_label *ls = llmops__calloc(n ? n : 1, sizeof *ls);
    if (!ls)
        return llmops__response_fail(r, LLMOPS_E_NO_MEMORY, WIRE ": out of memory");
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        double d;
        if (llmops_json_get_double(llmops_json_at(scores, i), &d) != LLMOPS_OK)
            continue;
        ls[m].name = llmops_json_key_at(scores, i, &ls[m].len);
        ls[m].score = d < 0 ? 0 : d > 1 ? 1 : d;
        ls[m].flagged = llmops_json_is_true(llmops_json_getn(cats, ls[m].name, ls[m].len));
        m++;
    }
    qsort(ls, m, sizeof *ls, mod_cmp);
    /* Filled directly: the public setter orders by score alone, and flagged
     * categories go first here. */
    llmops_status st = LLMOPS_OK;
    if (r->nlabels + m > r->cap_labels) {
        size_t cap = llmops__grow_cap(r->cap_labels, r->nlabels + m, sizeof *r->labels);
        llmops__label *p = cap ? llmops__realloc(r->labels, cap * sizeof *p) : NULL;
        if (!p)
            st = LLMOPS_E_NO_MEMORY;
        else {
            r->labels = p;
            r->cap_labels = cap;
        }
    }
    for (size_t i = 0; i < m && st == LLMOPS_OK; i++) {
        char *name = llmops__strndup(ls[i].name, ls[i].len);
        if (!name) {
            st = LLMOPS_E_NO_MEMORY;
            break;
        }
        r->labels[r->nlabels].label = name;
        r->labels[r->nlabels].score = ls[i].score;
        r->nlabels++;
    }
    llmops__free(ls);
    if (st != LLMOPS_OK)
        return llmops__response_fail(r, st, WIRE ": out of memory");
    if (take_ids(r, root) != LLMOPS_OK)
        return llmops__response_fail(r, LLMOPS_E_NO_MEMORY, WIRE ": out of memory");
    return LLMOPS_OK;
}

static llmops_status oa_parse(llmops__op op, const char *body, size_t len, llmops_response *resp)
{
    llmops_json_doc *doc = NULL;
    llmops_status st = llmops__oa_parse_object(WIRE, "response body", body, len, &doc, resp);
    if (st != LLMOPS_OK)
        return st;
    const llmops_json *root = llmops_json_doc_root(doc);
    const llmops_json *err = llmops_json_get(root, "error");
    if (llmops_json_type_of(err) == LLMOPS_JSON_OBJECT ||
        llmops_json_type_of(err) == LLMOPS_JSON_STRING)
        st = llmops__oa_fail_error_object(WIRE, 0, err, resp);
    else if (op == LLMOPS__OP_GENERATE)
        st = parse_chat(root, resp);
    else if (op == LLMOPS__OP_EMBED)
        st = parse_embed(root, resp);
    else if (op == LLMOPS__OP_CLASSIFY)
        st = parse_moderation(root, resp);
    else
        st = llmops__response_fail(resp, LLMOPS_E_UNSUPPORTED, WIRE ": operation %d", (int)op);
    llmops_json_doc_free(doc);
    return st;
}

static void oa_parse_error(int http_status, const char *body, size_t len, llmops_response *resp)
{
    llmops__oa_parse_error(WIRE, http_status, body, len, resp);
}

/* ---- streams --------------------------------------------------------------- */

typedef struct oa_stream {
    int done;        /* "[DONE]" arrived */
    int finished;    /* a finish_reason arrived */
    int refusal;
    size_t events;
    /* The server's tool call index for each call, in order of appearance:
     * servers number them from 0 or 1, or leave the index out. */
    int64_t keys[MAX_STREAM_CALLS];
    size_t nkeys;
} oa_stream;

static void *oa_stream_new(void)
{
    return llmops__calloc(1, sizeof(oa_stream));
}

static void oa_stream_free(void *state)
{
    llmops__free(state);
}

static llmops_status stream_tool_calls(oa_stream *os, const llmops_json *calls, llmops_stream *s)
{
    for (size_t i = 0; i < llmops_json_size(calls); i++) {
        const llmops_json *c = llmops_json_at(calls, i);
        const llmops_json *fn = llmops_json_get(c, "function");
        size_t idn = 0, nn = 0, an = 0;
        const char *id = llmops_json_string(llmops_json_get(c, "id"), &idn);
        const char *name = llmops_json_string(llmops_json_get(fn, "name"), &nn);
        int64_t key;
        size_t slot = SIZE_MAX;
        if (llmops_json_get_int(llmops_json_get(c, "index"), &key) == LLMOPS_OK) {
            for (size_t k = os->nkeys; k-- > 0;)
                if (os->keys[k] == key) {
                    slot = k;
                    break;
                }
        } else {
            /* No index: a call with an id or name starts a new call, a bare
             * fragment continues the last one. */
            key = INT64_MIN + (int64_t)os->nkeys;
            if (!(id && idn) && !(name && nn) && os->nkeys > 0)
                slot = os->nkeys - 1;
        }
        if (slot == SIZE_MAX) {
            if (os->nkeys == MAX_STREAM_CALLS)
                return llmops__response_fail(s->resp, LLMOPS_E_MALFORMED_RESPONSE,
                                             WIRE ": stream has more than %d tool calls",
                                             MAX_STREAM_CALLS);
            slot = os->nkeys;
            os->keys[os->nkeys++] = key;
        }
        const char *args;
        char *owned;
        if (args_text(llmops_json_get(fn, "arguments"), &args, &an, &owned) != LLMOPS_OK)
            return llmops__response_fail(s->resp, LLMOPS_E_NO_MEMORY, WIRE ": out of memory");
        llmops_status st = llmops__stream_tool_call(s, slot, idn ? id : NULL, idn,
                                                    nn ? name : NULL, nn, args, an);
        llmops_free(owned);
        if (st != LLMOPS_OK)
            return st;
    }
    return LLMOPS_OK;
}

/* The legacy single function_call, streamed: one call, under a key no
 * tool_calls index can take. */
static llmops_status stream_function_call(oa_stream *os, const llmops_json *fc, llmops_stream *s)
{
    size_t slot = SIZE_MAX;
    for (size_t k = 0; k < os->nkeys; k++)
        if (os->keys[k] == INT64_MAX)
            slot = k;
    if (slot == SIZE_MAX) {
        if (os->nkeys == MAX_STREAM_CALLS)
            return llmops__response_fail(s->resp, LLMOPS_E_MALFORMED_RESPONSE,
                                         WIRE ": stream has more than %d tool calls",
                                         MAX_STREAM_CALLS);
        slot = os->nkeys;
        os->keys[os->nkeys++] = INT64_MAX;
    }
    size_t nn = 0, an = 0;
    const char *name = llmops_json_string(llmops_json_get(fc, "name"), &nn);
    const char *args;
    char *owned;
    if (args_text(llmops_json_get(fc, "arguments"), &args, &an, &owned) != LLMOPS_OK)
        return llmops__response_fail(s->resp, LLMOPS_E_NO_MEMORY, WIRE ": out of memory");
    llmops_status st = llmops__stream_tool_call(s, slot, NULL, 0, nn ? name : NULL, nn, args, an);
    llmops_free(owned);
    return st;
}

static llmops_status oa_stream_event(void *state, const char *event, size_t event_len,
                                     const char *data, size_t data_len, llmops_stream *s)
{
    oa_stream *os = state;
    llmops_response *r = s->resp;
    os->events++;
    size_t a = 0, b = data_len;
    while (a < b && (data[a] == ' ' || data[a] == '\t' || data[a] == '\r' || data[a] == '\n'))
        a++;
    while (b > a && (data[b - 1] == ' ' || data[b - 1] == '\t' || data[b - 1] == '\r' ||
                     data[b - 1] == '\n'))
        b--;
    if (a == b)
        return LLMOPS_OK;
    if (b - a == 6 && memcmp(data + a, "[DONE]", 6) == 0) {
        os->done = 1;
        return LLMOPS_OK;
    }
    llmops_json_doc *doc = NULL;
    llmops_json_error jerr = LLMOPS_JSON_ERROR_INIT;
    llmops_status st = llmops_json_parse(&doc, data + a, b - a, NULL, &jerr);
    if (st == LLMOPS_E_NO_MEMORY)
        return llmops__response_fail(r, st, WIRE ": out of memory reading stream event %zu",
                                     os->events);
    if (st != LLMOPS_OK)
        return llmops__response_fail(r, LLMOPS_E_MALFORMED_RESPONSE,
                                     WIRE ": stream event %zu is not valid JSON: %s at byte %zu",
                                     os->events, jerr.message, jerr.offset);
    const llmops_json *root = llmops_json_doc_root(doc);
    const llmops_json *err = llmops_json_get(root, "error");
    if (llmops_json_type_of(err) == LLMOPS_JSON_OBJECT ||
        llmops_json_type_of(err) == LLMOPS_JSON_STRING) {
        st = llmops__oa_fail_error_object(WIRE, 0, err, r);
        llmops_json_doc_free(doc);
        return st;
    }
    if (event_len == 5 && memcmp(event, "error", 5) == 0) {
        st = llmops__oa_fail_error_object(WIRE, 0, root, r);
        llmops_json_doc_free(doc);
        return st;
    }
    if (llmops_json_type_of(root) != LLMOPS_JSON_OBJECT) {
        llmops_json_doc_free(doc);
        return llmops__response_fail(r, LLMOPS_E_MALFORMED_RESPONSE,
                                     WIRE ": stream event %zu is not a JSON object", os->events);
    }
    if (take_ids(r, root) != LLMOPS_OK) {
        llmops_json_doc_free(doc);
        return llmops__response_fail(r, LLMOPS_E_NO_MEMORY, WIRE ": out of memory");
    }
    const llmops_json *choices = llmops_json_get(root, "choices");
    for (size_t i = 0; i < llmops_json_size(choices) && st == LLMOPS_OK; i++) {
        const llmops_json *ch = llmops_json_at(choices, i);
        int64_t idx = 0;
        if (llmops_json_get(ch, "index") &&
            (llmops_json_get_int(llmops_json_get(ch, "index"), &idx) != LLMOPS_OK || idx != 0))
            continue;   /* only the first choice is read */
        const llmops_json *delta = llmops_json_get(ch, "delta");
        sink k = {s, r, 0};
        st = read_content(&k, delta);
        os->refusal |= k.refusal;
        if (st == LLMOPS_OK)
            st = stream_tool_calls(os, llmops_json_get(delta, "tool_calls"), s);
        if (st == LLMOPS_OK && llmops_json_type_of(llmops_json_get(delta, "function_call")) ==
                                   LLMOPS_JSON_OBJECT)
            st = stream_function_call(os, llmops_json_get(delta, "function_call"), s);
        if (st == LLMOPS_OK && llmops_json_string(llmops_json_get(ch, "finish_reason"), NULL)) {
            os->finished = 1;
            if (set_finish(r, llmops_json_get(ch, "finish_reason")) != LLMOPS_OK)
                st = llmops__response_fail(r, LLMOPS_E_NO_MEMORY, WIRE ": out of memory");
        }
    }
    if (st == LLMOPS_OK)
        take_usage(r, root);
    llmops_json_doc_free(doc);
    return st;
}

static llmops_status oa_stream_end(void *state, llmops_stream *s)
{
    oa_stream *os = state;
    if (!os->done && !os->finished)
        return llmops__response_fail(s->resp, LLMOPS_E_MALFORMED_RESPONSE,
                                     WIRE ": stream ended before it was complete (no "
                                          "finish_reason and no [DONE] after %zu events)",
                                     os->events);
    if (os->refusal)
        s->resp->finish = LLMOPS_FINISH_CONTENT_FILTER;
    return LLMOPS_OK;
}

const llmops__wire llmops__wire_openai = {
    "openai",
    "https://api.openai.com/v1",
    "OPENAI_API_KEY",
    LLMOPS__FRAMING_SSE,
    (1u << LLMOPS__OP_GENERATE) | (1u << LLMOPS__OP_EMBED) | (1u << LLMOPS__OP_CLASSIFY),
    oa_build,
    oa_parse,
    oa_stream_new,
    oa_stream_event,
    oa_stream_end,
    oa_stream_free,
    oa_parse_error,
};
