/* Anthropic Messages API (POST {base}/v1/messages): request building,
 * response and stream parsing, error mapping.
 *
 * Choices worth knowing:
 * - max_tokens is required by Anthropic; when the request sets none we send
 *   4096 (LLMOPS__ANTHROPIC_DEFAULT_MAX_TOKENS).
 * - Anthropic has no seed parameter; a request's seed is not sent.
 * - Temperatures above 1 (Anthropic's maximum) are refused before sending.
 * - Structured output (LLMOPS_FORMAT_JSON / _JSON_SCHEMA) goes through a
 *   forced tool: a tool named "llmops_" + the schema name (e.g.
 *   "llmops_response") whose input_schema is the schema, with tool_choice
 *   forcing it. Its tool_use input comes back as the answer TEXT (compact
 *   JSON; streamed as text deltas), not as a tool call. When the request
 *   also declares its own tools, tool_choice becomes {"type":"any"} (the
 *   model calls one of them or answers through the output tool) unless a
 *   named tool is forced. The prefix is how parsing (which does not see
 *   the request) recognises the output tool, so host tools must not use it.
 * - Server-side tool blocks (server_tool_use, web_search_tool_result,
 *   mcp_tool_use, ...) run at Anthropic and are not tool calls for the host;
 *   only "tool_use" blocks are.
 * - Usage: input_tokens reported here is Anthropic's input_tokens plus
 *   cache_read_input_tokens plus cache_creation_input_tokens (all prompt
 *   tokens); cached_input_tokens is the cache read part. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/strbuf.h"
#include "provider/errors.h"
#include "provider/json_out.h"
#include "provider/request.h"
#include "provider/response.h"
#include "provider/stream.h"
#include "provider/wire.h"
#include "provider/wire_common.h"

#define LLMOPS__ANTHROPIC_DEFAULT_MAX_TOKENS 4096
#define ANTHROPIC_VERSION_DEFAULT "2023-06-01"
#define OUTPUT_TOOL_PREFIX "llmops_"
#define FMT "anthropic"

/* ---- request ------------------------------------------------------------ */

/* The output tool's name: prefix + the schema name restricted to the
 * characters Anthropic allows in tool names, at most 64 bytes. */
static void output_tool_name(const llmops_request *req, char out[65])
{
    const char *name = (req->format == LLMOPS_FORMAT_JSON_SCHEMA && req->schema_name &&
                        *req->schema_name)
                           ? req->schema_name
                           : "response";
    size_t n = strlen(OUTPUT_TOOL_PREFIX);
    memcpy(out, OUTPUT_TOOL_PREFIX, n);
    for (const char *p = name; *p && n < 64; p++) {
        char c = *p;
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '_' || c == '-';
        out[n++] = ok ? c : '_';
    }
    out[n] = '\0';
}

/* Message assembly: consecutive messages that map to the same Anthropic
 * role are merged into one message (Anthropic wants user and assistant to
 * alternate; tool results travel in user messages). */
typedef struct msg_writer {
    llmops__buf *b;
    const char *role;     /* role of the open message, NULL when none */
    int nblocks;          /* blocks in the open message */
    size_t nmessages;
} msg_writer;

static void mw_block_start(msg_writer *w, const char *role)
{
    if (w->role && strcmp(w->role, role) != 0) {
        llmops__buf_puts(w->b, "]}");
        w->role = NULL;
    }
    if (!w->role) {
        if (w->nmessages++)
            llmops__buf_putc(w->b, ',');
        llmops__buf_puts(w->b, "{\"role\":\"");
        llmops__buf_puts(w->b, role);
        llmops__buf_puts(w->b, "\",\"content\":[");
        w->role = role;
        w->nblocks = 0;
    }
    if (w->nblocks++)
        llmops__buf_putc(w->b, ',');
}

static void mw_finish(msg_writer *w)
{
    if (w->role)
        llmops__buf_puts(w->b, "]}");
    w->role = NULL;
}

static void write_messages(msg_writer *w, const llmops_request *req)
{
    for (size_t i = 0; i < req->nmessages; i++) {
        const llmops__message *m = &req->messages[i];
        if (m->role == LLMOPS_ROLE_SYSTEM)
            continue;
        if (m->role == LLMOPS_ROLE_TOOL) {
            size_t len = 0;
            char *text = llmops__request_message_text(req, i, &len);
            if (!text && len == SIZE_MAX) {
                w->b->failed = 1;
                return;
            }
            mw_block_start(w, "user");
            llmops__buf_puts(w->b, "{\"type\":\"tool_result\",\"tool_use_id\":");
            llmops__jo_str(w->b, m->tool_call_id);
            llmops__buf_puts(w->b, ",\"content\":");
            llmops__jo_strn(w->b, text ? text : "", len);
            llmops__buf_putc(w->b, '}');
            llmops__free(text);
            continue;
        }
        const char *role = m->role == LLMOPS_ROLE_ASSISTANT ? "assistant" : "user";
        /* Anthropic rejects empty text blocks: leave them out. */
        for (size_t p = 0; p < m->nparts; p++) {
            if (m->parts[p].len == 0)
                continue;
            mw_block_start(w, role);
            llmops__buf_puts(w->b, "{\"type\":\"text\",\"text\":");
            llmops__jo_strn(w->b, m->parts[p].data, m->parts[p].len);
            llmops__buf_putc(w->b, '}');
        }
        if (m->role == LLMOPS_ROLE_ASSISTANT) {
            for (size_t c = 0; c < m->ncalls; c++) {
                mw_block_start(w, "assistant");
                llmops__buf_puts(w->b, "{\"type\":\"tool_use\",\"id\":");
                llmops__jo_str(w->b, m->calls[c].id);
                llmops__buf_puts(w->b, ",\"name\":");
                llmops__jo_str(w->b, m->calls[c].name);
                llmops__buf_puts(w->b, ",\"input\":");
                llmops__jo_raw_object(w->b, m->calls[c].arguments);
                llmops__buf_putc(w->b, '}');
            }
        }
    }
    mw_finish(w);
}

static void write_tool(llmops__buf *b, const char *name, const char *description,
                       const llmops_json *schema)
{
    llmops__buf_puts(b, "{\"name\":");
    llmops__jo_str(b, name);
    if (description) {
        llmops__buf_puts(b, ",\"description\":");
        llmops__jo_str(b, description);
    }
    /* input_schema is required; a tool without parameters takes an empty
     * object. */
    llmops__buf_puts(b, ",\"input_schema\":");
    if (schema)
        llmops__jo_value(b, schema);
    else
        llmops__buf_puts(b, "{\"type\":\"object\",\"properties\":{}}");
    llmops__buf_putc(b, '}');
}

static llmops_status build_body(const llmops_request *req, const char *model, int stream,
                                llmops__buf *b, llmops_response *resp)
{
    int structured = req->format == LLMOPS_FORMAT_JSON || req->format == LLMOPS_FORMAT_JSON_SCHEMA;
    char out_tool[65];
    output_tool_name(req, out_tool);

    llmops__buf_puts(b, "{\"model\":");
    llmops__jo_str(b, model);
    llmops__buf_puts(b, ",\"max_tokens\":");
    llmops__buf_put_i64(b, req->has_max_output_tokens ? req->max_output_tokens
                                                      : LLMOPS__ANTHROPIC_DEFAULT_MAX_TOKENS);

    size_t slen = 0;
    char *system = llmops__request_system_text(req, &slen);
    if (!system && slen == SIZE_MAX)
        return llmops__response_fail(resp, LLMOPS_E_NO_MEMORY, FMT ": out of memory");
    if (system) {
        llmops__buf_puts(b, ",\"system\":");
        llmops__jo_strn(b, system, slen);
        llmops__free(system);
    }

    llmops__buf_puts(b, ",\"messages\":[");
    msg_writer w = { b, NULL, 0, 0 };
    write_messages(&w, req);
    llmops__buf_putc(b, ']');
    if (w.nmessages == 0 && !b->failed)
        return llmops__response_fail(resp, LLMOPS_E_INVALID_ARGUMENT,
                                     FMT ": the request has no user, assistant or tool message "
                                         "with content");

    if (req->has_temperature) {
        llmops__buf_puts(b, ",\"temperature\":");
        llmops__jo_double(b, req->temperature);
    }
    if (req->has_top_p) {
        llmops__buf_puts(b, ",\"top_p\":");
        llmops__jo_double(b, req->top_p);
    }
    if (req->nstops) {
        llmops__buf_puts(b, ",\"stop_sequences\":[");
        for (size_t i = 0; i < req->nstops; i++) {
            if (i)
                llmops__buf_putc(b, ',');
            llmops__jo_str(b, req->stops[i]);
        }
        llmops__buf_putc(b, ']');
    }

    if (req->ntools || structured) {
        llmops__buf_puts(b, ",\"tools\":[");
        for (size_t i = 0; i < req->ntools; i++) {
            if (i)
                llmops__buf_putc(b, ',');
            const llmops__tool *t = &req->tools[i];
            write_tool(b, t->name, t->description,
                       t->parameters ? llmops_json_doc_root(t->parameters) : NULL);
        }
        if (structured) {
            if (req->ntools)
                llmops__buf_putc(b, ',');
            const llmops_json *schema = req->format == LLMOPS_FORMAT_JSON_SCHEMA && req->schema
                                            ? llmops_json_doc_root(req->schema)
                                            : NULL;
            llmops__buf_puts(b, "{\"name\":");
            llmops__jo_str(b, out_tool);
            llmops__buf_puts(b, ",\"description\":\"Give your final answer by calling this "
                                "tool: its input is the answer, a JSON object");
            llmops__buf_puts(b, schema ? " matching the schema.\"" : ".\"");
            llmops__buf_puts(b, ",\"input_schema\":");
            if (schema)
                llmops__jo_value(b, schema);
            else
                llmops__buf_puts(b, "{\"type\":\"object\"}");
            llmops__buf_putc(b, '}');
        }
        llmops__buf_putc(b, ']');

        llmops_tool_choice tc = req->tool_choice;
        if (structured && tc == LLMOPS_TOOL_CHOICE_NAMED) {
            llmops__buf_puts(b, ",\"tool_choice\":{\"type\":\"tool\",\"name\":");
            llmops__jo_str(b, req->tool_choice_name);
            llmops__buf_putc(b, '}');
        } else if (structured && req->ntools && tc != LLMOPS_TOOL_CHOICE_NONE) {
            llmops__buf_puts(b, ",\"tool_choice\":{\"type\":\"any\"}");
        } else if (structured) {
            llmops__buf_puts(b, ",\"tool_choice\":{\"type\":\"tool\",\"name\":");
            llmops__jo_str(b, out_tool);
            llmops__buf_putc(b, '}');
        } else if (tc == LLMOPS_TOOL_CHOICE_NONE) {
            llmops__buf_puts(b, ",\"tool_choice\":{\"type\":\"none\"}");
        } else if (tc == LLMOPS_TOOL_CHOICE_REQUIRED) {
            llmops__buf_puts(b, ",\"tool_choice\":{\"type\":\"any\"}");
        } else if (tc == LLMOPS_TOOL_CHOICE_NAMED) {
            llmops__buf_puts(b, ",\"tool_choice\":{\"type\":\"tool\",\"name\":");
            llmops__jo_str(b, req->tool_choice_name);
            llmops__buf_putc(b, '}');
        }
        /* AUTO is Anthropic's default: nothing to send. */
    }

    for (size_t i = 0; i < req->nmetadata; i++) {
        if (req->metadata[i].key && strcmp(req->metadata[i].key, "user_id") == 0) {
            llmops__buf_puts(b, ",\"metadata\":{\"user_id\":");
            llmops__jo_str(b, req->metadata[i].value);
            llmops__buf_putc(b, '}');
            break;
        }
    }
    if (stream)
        llmops__buf_puts(b, ",\"stream\":true");
    llmops__buf_putc(b, '}');
    return LLMOPS_OK;
}

static llmops_status anthropic_build(const llmops__provider_cfg *cfg, const llmops_request *req,
                                     const char *model, llmops__op op, int stream,
                                     const char *key, size_t key_len, llmops__http_request *out,
                                     llmops_response *resp)
{
    if (op != LLMOPS__OP_GENERATE)
        return llmops__response_fail(resp, LLMOPS_E_UNSUPPORTED,
                                     FMT ": the Messages API has no %s endpoint",
                                     op == LLMOPS__OP_EMBED ? "embeddings" : "classification");
    if (!model || !*model)
        model = cfg ? cfg->default_model : NULL;
    if (!model || !*model)
        return llmops__response_fail(resp, LLMOPS_E_INVALID_ARGUMENT,
                                     FMT ": no model: set one on the request or as the "
                                         "provider's default_model");
    if (req->has_temperature && req->temperature > 1.0)
        return llmops__response_fail(resp, LLMOPS_E_INVALID_ARGUMENT,
                                     FMT ": temperature %g is above Anthropic's maximum of 1",
                                     req->temperature);

    llmops_status st = build_body(req, model, stream, &out->body, resp);
    if (st != LLMOPS_OK)
        return st;

    const char *base =
        cfg && cfg->base_url ? cfg->base_url : llmops__wire_anthropic.default_base_url;
    llmops__buf_puts(&out->url, base);
    llmops__buf_puts(&out->url, "/v1/messages");
    out->method = "POST";

    const char *version = cfg && cfg->api_version && *cfg->api_version
                              ? cfg->api_version
                              : ANTHROPIC_VERSION_DEFAULT;
    llmops__http_request_header(out, "content-type", "application/json", 16);
    llmops__http_request_header(out, "anthropic-version", version, strlen(version));
    if (key && key_len)
        llmops__http_request_header(out, "x-api-key", key, key_len);
    if (stream)
        llmops__http_request_header(out, "accept", "text/event-stream", 17);

    if (out->body.failed || out->url.failed || out->headers.failed)
        return llmops__response_fail(resp, LLMOPS_E_NO_MEMORY,
                                     FMT ": out of memory building the request");
    return LLMOPS_OK;
}

/* ---- errors ------------------------------------------------------------- */

/* Anthropic's error types, for errors that arrive without an HTTP error
 * status (inside a 200 body or mid-stream). */
static llmops_status error_type_status(const char *type, size_t n)
{
    static const struct {
        const char *type;
        llmops_status st;
    } map[] = {
        { "invalid_request_error", LLMOPS_E_BAD_REQUEST },
        { "authentication_error", LLMOPS_E_AUTH },
        { "permission_error", LLMOPS_E_PERMISSION },
        { "billing_error", LLMOPS_E_PERMISSION },
        { "not_found_error", LLMOPS_E_MODEL_NOT_FOUND },
        { "request_too_large", LLMOPS_E_CONTEXT_LENGTH },
        { "rate_limit_error", LLMOPS_E_RATE_LIMITED },
        { "api_error", LLMOPS_E_PROVIDER },
        { "overloaded_error", LLMOPS_E_OVERLOADED },
        { "timeout_error", LLMOPS_E_TIMEOUT },
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (llmops__jstr_eq(type, n, map[i].type))
            return map[i].st;
    return LLMOPS_E_PROVIDER;
}

/* Fills resp from an {"type":"error","error":{"type","message"},
 * "request_id"} object (root may also be the bare inner error object).
 * http_status 0 means the error came inside a successful exchange. */
static llmops_status apply_error(int http_status, const llmops_json *root, llmops_response *resp)
{
    const llmops_json *err = llmops_json_get(root, "error");
    if (llmops_json_type_of(err) != LLMOPS_JSON_OBJECT)
        err = root;
    size_t tlen = 0, mlen = 0, rlen = 0;
    const char *type = llmops__jstr(err, "type", &tlen);
    const char *msg = llmops__jstr(err, "message", &mlen);
    const char *rid = llmops__jstr(root, "request_id", &rlen);

    int in_band = http_status == 0 || (http_status >= 200 && http_status < 300);
    llmops_status st =
        in_band ? error_type_status(type, tlen) : llmops__http_status_map(http_status);
    st = llmops__error_refine(st, type, tlen, msg, mlen);
    if (type)
        llmops__response_set_error_code_n(resp, type, tlen);
    if (rid)
        llmops__response_set_request_id_n(resp, rid, rlen);
    char where[32] = "";
    if (http_status)
        snprintf(where, sizeof where, "HTTP %d ", http_status);
    return llmops__response_fail(resp, st, FMT ": %s%.*s: %.*s%s%.*s%s", where,
                                 type ? (int)tlen : 5, type ? type : "error",
                                 msg ? (int)mlen : 19, msg ? msg : "(no message given)",
                                 rid ? " (request " : "", rid ? (int)rlen : 0, rid ? rid : "",
                                 rid ? ")" : "");
}

static void anthropic_parse_error(int http_status, const char *body, size_t len,
                                  llmops_response *resp)
{
    llmops_json_doc *doc = NULL;
    llmops_json_error jerr = LLMOPS_JSON_ERROR_INIT;
    /* Proxies in front of Anthropic answer with other shapes: only an
     * Anthropic error object is read as one, anything else is quoted. */
    if (body && len && llmops_json_parse(&doc, body, len, NULL, &jerr) == LLMOPS_OK &&
        llmops_json_type_of(llmops_json_get(llmops_json_doc_root(doc), "error")) ==
            LLMOPS_JSON_OBJECT) {
        apply_error(http_status, llmops_json_doc_root(doc), resp);
        llmops_json_doc_free(doc);
        return;
    }
    llmops_json_doc_free(doc);
    char ex[201];
    llmops__response_fail(resp, llmops__http_status_map(http_status), FMT ": HTTP %d%s%s",
                          http_status, len ? ": " : " with an empty body",
                          len ? llmops__excerpt(body, len, ex, sizeof ex) : "");
}

/* ---- response ----------------------------------------------------------- */

static llmops_finish_reason map_stop_reason(const char *s, size_t n)
{
    if (llmops__jstr_eq(s, n, "end_turn") || llmops__jstr_eq(s, n, "stop_sequence"))
        return LLMOPS_FINISH_STOP;
    if (llmops__jstr_eq(s, n, "max_tokens") ||
        llmops__jstr_eq(s, n, "model_context_window_exceeded"))
        return LLMOPS_FINISH_LENGTH;
    if (llmops__jstr_eq(s, n, "tool_use"))
        return LLMOPS_FINISH_TOOL_CALLS;
    if (llmops__jstr_eq(s, n, "refusal"))
        return LLMOPS_FINISH_CONTENT_FILTER;
    return s ? LLMOPS_FINISH_OTHER : LLMOPS_FINISH_UNKNOWN;
}

/* Sets finish from Anthropic's stop_reason. A forced output tool ends with
 * "tool_use" although the host got text, not a tool call: that is a stop. */
static llmops_status set_finish(llmops_response *r, const char *s, size_t n)
{
    if (!s)
        return LLMOPS_OK;
    llmops_finish_reason f = map_stop_reason(s, n);
    if (f == LLMOPS_FINISH_TOOL_CALLS && r->ncalls == 0)
        f = LLMOPS_FINISH_STOP;
    r->finish = f;
    return llmops__response_set_finish_raw_n(r, s, n);
}

typedef struct usage_acc {
    int seen;
    int64_t input, cache_read, cache_creation, output, thinking;
    int has_thinking;
} usage_acc;

/* Later reports replace earlier ones field by field (message_delta carries
 * cumulative counts, and only some of them). */
static void usage_merge(usage_acc *u, const llmops_json *usage)
{
    if (llmops_json_type_of(usage) != LLMOPS_JSON_OBJECT)
        return;
    int64_t v;
    if (llmops__jint(usage, "input_tokens", &v))
        u->input = v, u->seen = 1;
    if (llmops__jint(usage, "cache_read_input_tokens", &v))
        u->cache_read = v, u->seen = 1;
    if (llmops__jint(usage, "cache_creation_input_tokens", &v))
        u->cache_creation = v, u->seen = 1;
    if (llmops__jint(usage, "output_tokens", &v))
        u->output = v, u->seen = 1;
    if (llmops__jint(llmops_json_get(usage, "output_tokens_details"), "thinking_tokens", &v))
        u->thinking = v, u->has_thinking = 1;
}

static void usage_store(const usage_acc *u, llmops_response *r)
{
    if (!u->seen)
        return;
    llmops_usage x = LLMOPS_USAGE_INIT;
    x.input_tokens = u->input + u->cache_read + u->cache_creation;
    x.cached_input_tokens = u->cache_read;
    x.cache_creation_tokens = u->cache_creation;
    x.output_tokens = u->output;
    x.reasoning_tokens = u->has_thinking ? u->thinking : 0;
    x.total_tokens = x.input_tokens + x.output_tokens;
    r->usage = x;
    r->has_usage = 1;
}

static int is_output_tool(const char *name, size_t n)
{
    size_t p = strlen(OUTPUT_TOOL_PREFIX);
    return name && n > p && memcmp(name, OUTPUT_TOOL_PREFIX, p) == 0;
}

static llmops_status parse_message(const llmops_json *root, llmops_response *resp)
{
    const llmops_json *content = llmops_json_get(root, "content");
    if (llmops_json_type_of(content) != LLMOPS_JSON_ARRAY)
        return llmops__response_fail(resp, LLMOPS_E_MALFORMED_RESPONSE,
                                     FMT ": response has no \"content\" array");
    llmops__sink k = llmops__sink_of_response(resp);
    llmops_status st = LLMOPS_OK;
    size_t ncalls = 0;
    for (size_t i = 0; i < llmops_json_size(content) && st == LLMOPS_OK; i++) {
        const llmops_json *blk = llmops_json_at(content, i);
        size_t tlen = 0, n = 0;
        const char *type = llmops__jstr(blk, "type", &tlen);
        if (llmops__jstr_eq(type, tlen, "text")) {
            const char *t = llmops__jstr(blk, "text", &n);
            st = llmops__sink_text(&k, t, n);
        } else if (llmops__jstr_eq(type, tlen, "thinking")) {
            const char *t = llmops__jstr(blk, "thinking", &n);
            st = llmops__sink_reasoning(&k, t, n);
        } else if (llmops__jstr_eq(type, tlen, "tool_use")) {
            size_t idlen = 0, nlen = 0, alen = 0;
            const char *id = llmops__jstr(blk, "id", &idlen);
            const char *name = llmops__jstr(blk, "name", &nlen);
            if (!name)
                return llmops__response_fail(resp, LLMOPS_E_MALFORMED_RESPONSE,
                                             FMT ": content[%zu] (tool_use) has no name", i);
            const llmops_json *input = llmops_json_get(blk, "input");
            char *args = NULL;
            if (input && llmops_json_write(&args, &alen, input, LLMOPS_JSON_WRITE_COMPACT) !=
                             LLMOPS_OK)
                return llmops__response_fail(resp, LLMOPS_E_NO_MEMORY, FMT ": out of memory");
            if (is_output_tool(name, nlen))
                st = llmops__sink_text(&k, args ? args : "{}", args ? alen : 2);
            else
                st = llmops__sink_tool_call(&k, ncalls++, id, idlen, name, nlen, args, alen);
            llmops__free(args);
        }
        /* redacted_thinking has no readable text; server-side tool blocks
         * are not the host's tool calls. */
    }
    if (st != LLMOPS_OK)
        return st == LLMOPS_E_NO_MEMORY ? llmops__response_fail(resp, st, FMT ": out of memory")
                                        : st;

    size_t n = 0;
    const char *s = llmops__jstr(root, "id", &n);
    if (s)
        st = llmops__response_set_request_id_n(resp, s, n);
    s = llmops__jstr(root, "model", &n);
    if (s && st == LLMOPS_OK)
        st = llmops__response_set_model_n(resp, s, n);
    s = llmops__jstr(root, "stop_reason", &n);
    if (st == LLMOPS_OK)
        st = set_finish(resp, s, n);
    if (st != LLMOPS_OK)
        return llmops__response_fail(resp, st, FMT ": out of memory");
    usage_acc u = { 0 };
    usage_merge(&u, llmops_json_get(root, "usage"));
    usage_store(&u, resp);
    return LLMOPS_OK;
}

static llmops_status anthropic_parse(llmops__op op, const char *body, size_t len,
                                     llmops_response *resp)
{
    if (op != LLMOPS__OP_GENERATE)
        return llmops__response_fail(resp, LLMOPS_E_UNSUPPORTED,
                                     FMT ": only generation responses are parsed");
    llmops_json_doc *doc = NULL;
    llmops_status st = llmops__wire_parse_json(FMT, "response body", body, len, &doc, resp);
    if (st != LLMOPS_OK)
        return st;
    const llmops_json *root = llmops_json_doc_root(doc);
    size_t tlen = 0;
    const char *type = llmops__jstr(root, "type", &tlen);
    if (llmops_json_type_of(root) != LLMOPS_JSON_OBJECT)
        st = llmops__response_fail(resp, LLMOPS_E_MALFORMED_RESPONSE,
                                   FMT ": response body is a JSON %s, not an object",
                                   llmops_json_type_name(llmops_json_type_of(root)));
    else if (llmops__jstr_eq(type, tlen, "error") || (!type && llmops_json_get(root, "error")))
        st = apply_error(0, root, resp);
    else
        st = parse_message(root, resp);
    llmops_json_doc_free(doc);
    return st;
}

/* ---- streaming ---------------------------------------------------------- */

enum block_kind { BLK_OTHER = 0, BLK_TEXT, BLK_THINKING, BLK_TOOL, BLK_OUTPUT };

typedef struct block {
    unsigned char kind;
    unsigned char prefilled;  /* tool input came whole in content_block_start */
    size_t call;              /* tool call index for BLK_TOOL */
} block;

typedef struct anthropic_stream {
    block *blocks;            /* by content block index */
    size_t nblocks;
    size_t ncalls;
    usage_acc usage;
    int started, stopped;
} anthropic_stream;

/* Anthropic numbers content blocks 0, 1, 2, ...; a wild index is a broken
 * stream, not a reason to allocate gigabytes. */
#define MAX_BLOCKS 65536

static void *anthropic_stream_new(void)
{
    return llmops__calloc(1, sizeof(anthropic_stream));
}

static void anthropic_stream_free(void *state)
{
    anthropic_stream *a = state;
    if (!a)
        return;
    llmops__free(a->blocks);
    llmops__free(a);
}

static block *block_at(anthropic_stream *a, const llmops_json *ev, llmops_response *resp,
                       int create, llmops_status *st)
{
    int64_t idx;
    *st = LLMOPS_OK;
    if (!llmops__jint(ev, "index", &idx) || idx < 0 || idx >= MAX_BLOCKS) {
        *st = llmops__response_fail(resp, LLMOPS_E_MALFORMED_RESPONSE,
                                    FMT ": stream event without a valid content block index");
        return NULL;
    }
    size_t i = (size_t)idx;
    if (i >= a->nblocks) {
        if (!create)
            return NULL; /* a delta for a block never started: ignore it */
        size_t cap = llmops__grow_cap(a->nblocks, i + 1, sizeof(block));
        block *nb = cap ? llmops__realloc(a->blocks, cap * sizeof(block)) : NULL;
        if (!nb) {
            *st = llmops__response_fail(resp, LLMOPS_E_NO_MEMORY, FMT ": out of memory");
            return NULL;
        }
        memset(nb + a->nblocks, 0, (cap - a->nblocks) * sizeof(block));
        a->blocks = nb;
        a->nblocks = cap;
    }
    return &a->blocks[i];
}

static llmops_status on_block_start(anthropic_stream *a, const llmops_json *ev, llmops_stream *s)
{
    llmops_status st;
    block *b = block_at(a, ev, s->resp, 1, &st);
    if (!b)
        return st;
    const llmops_json *cb = llmops_json_get(ev, "content_block");
    size_t tlen = 0, n = 0;
    const char *type = llmops__jstr(cb, "type", &tlen);
    llmops__sink k = llmops__sink_of_stream(s);
    memset(b, 0, sizeof *b);
    if (llmops__jstr_eq(type, tlen, "text")) {
        b->kind = BLK_TEXT;
        const char *t = llmops__jstr(cb, "text", &n);
        return llmops__sink_text(&k, t, n);
    }
    if (llmops__jstr_eq(type, tlen, "thinking")) {
        b->kind = BLK_THINKING;
        const char *t = llmops__jstr(cb, "thinking", &n);
        return llmops__sink_reasoning(&k, t, n);
    }
    if (!llmops__jstr_eq(type, tlen, "tool_use"))
        return LLMOPS_OK;

    size_t idlen = 0, nlen = 0;
    const char *id = llmops__jstr(cb, "id", &idlen);
    const char *name = llmops__jstr(cb, "name", &nlen);
    if (!name)
        return llmops__response_fail(s->resp, LLMOPS_E_MALFORMED_RESPONSE,
                                     FMT ": content_block_start (tool_use) without a name");
    const llmops_json *input = llmops_json_get(cb, "input");
    char *args = NULL;
    size_t alen = 0;
    /* Input normally streams as input_json_delta after an empty {}; when a
     * server sends it whole here, take it and ignore later fragments. */
    if (llmops_json_type_of(input) == LLMOPS_JSON_OBJECT && llmops_json_size(input) > 0) {
        if (llmops_json_write(&args, &alen, input, LLMOPS_JSON_WRITE_COMPACT) != LLMOPS_OK)
            return llmops__response_fail(s->resp, LLMOPS_E_NO_MEMORY, FMT ": out of memory");
        b->prefilled = 1;
    }
    if (is_output_tool(name, nlen)) {
        b->kind = BLK_OUTPUT;
        st = llmops__sink_text(&k, args, alen);
    } else {
        b->kind = BLK_TOOL;
        b->call = a->ncalls++;
        st = llmops__sink_tool_call(&k, b->call, id, idlen, name, nlen, args, alen);
    }
    llmops__free(args);
    return st;
}

static llmops_status on_block_delta(anthropic_stream *a, const llmops_json *ev, llmops_stream *s)
{
    llmops_status st;
    block *b = block_at(a, ev, s->resp, 0, &st);
    if (!b)
        return st;
    const llmops_json *d = llmops_json_get(ev, "delta");
    size_t tlen = 0, n = 0;
    const char *type = llmops__jstr(d, "type", &tlen);
    llmops__sink k = llmops__sink_of_stream(s);
    if (llmops__jstr_eq(type, tlen, "text_delta") && b->kind == BLK_TEXT) {
        const char *t = llmops__jstr(d, "text", &n);
        return llmops__sink_text(&k, t, n);
    }
    if (llmops__jstr_eq(type, tlen, "thinking_delta") && b->kind == BLK_THINKING) {
        const char *t = llmops__jstr(d, "thinking", &n);
        return llmops__sink_reasoning(&k, t, n);
    }
    if (llmops__jstr_eq(type, tlen, "input_json_delta") && !b->prefilled) {
        const char *t = llmops__jstr(d, "partial_json", &n);
        if (!n)
            return LLMOPS_OK;
        if (b->kind == BLK_OUTPUT)
            return llmops__sink_text(&k, t, n);
        if (b->kind == BLK_TOOL)
            return llmops__sink_tool_call(&k, b->call, NULL, 0, NULL, 0, t, n);
    }
    /* signature_delta, citations_delta and deltas of server-side blocks
     * carry nothing the host reads. */
    return LLMOPS_OK;
}

static llmops_status stream_fail_status(llmops_stream *s, llmops_status st)
{
    if (st == LLMOPS_E_NO_MEMORY)
        return llmops__response_fail(s->resp, st, FMT ": out of memory in stream");
    return st;
}

static llmops_status anthropic_stream_event(void *state, const char *event, size_t event_len,
                                            const char *data, size_t data_len, llmops_stream *s)
{
    anthropic_stream *a = state;
    llmops_response *resp = s->resp;
    if (data_len == 0)
        return LLMOPS_OK;
    llmops_json_doc *doc = NULL;
    llmops_status st = llmops__wire_parse_json(FMT, "stream event", data, data_len, &doc, resp);
    if (st != LLMOPS_OK)
        return st;
    const llmops_json *ev = llmops_json_doc_root(doc);
    size_t tlen = 0;
    const char *type = llmops__jstr(ev, "type", &tlen);
    if (!type) {
        type = event;
        tlen = event ? event_len : 0;
    }

    if (llmops__jstr_eq(type, tlen, "message_start")) {
        const llmops_json *m = llmops_json_get(ev, "message");
        size_t n = 0;
        const char *v = llmops__jstr(m, "id", &n);
        if (v)
            st = llmops__response_set_request_id_n(resp, v, n);
        v = llmops__jstr(m, "model", &n);
        if (v && st == LLMOPS_OK)
            st = llmops__response_set_model_n(resp, v, n);
        usage_merge(&a->usage, llmops_json_get(m, "usage"));
        usage_store(&a->usage, resp);
        a->started = 1;
    } else if (llmops__jstr_eq(type, tlen, "content_block_start")) {
        st = on_block_start(a, ev, s);
    } else if (llmops__jstr_eq(type, tlen, "content_block_delta")) {
        st = on_block_delta(a, ev, s);
    } else if (llmops__jstr_eq(type, tlen, "message_delta")) {
        size_t n = 0;
        const char *r = llmops__jstr(llmops_json_get(ev, "delta"), "stop_reason", &n);
        st = set_finish(resp, r, n);
        usage_merge(&a->usage, llmops_json_get(ev, "usage"));
        usage_store(&a->usage, resp);
    } else if (llmops__jstr_eq(type, tlen, "message_stop")) {
        a->stopped = 1;
    } else if (llmops__jstr_eq(type, tlen, "error")) {
        st = apply_error(0, ev, resp);
    }
    /* ping, content_block_stop and unknown events change nothing. */
    llmops_json_doc_free(doc);
    return st == LLMOPS_OK ? st : stream_fail_status(s, st);
}

static llmops_status anthropic_stream_end(void *state, llmops_stream *s)
{
    anthropic_stream *a = state;
    if (!a->stopped)
        return llmops__response_fail(s->resp, LLMOPS_E_MALFORMED_RESPONSE,
                                     FMT ": stream ended before message_stop (%s)",
                                     a->started ? "the message was cut off"
                                                : "no message_start either");
    return LLMOPS_OK;
}

const llmops__wire llmops__wire_anthropic = {
    .type = "anthropic",
    .default_base_url = "https://api.anthropic.com",
    .default_key_env = "ANTHROPIC_API_KEY",
    .framing = LLMOPS__FRAMING_SSE,
    .ops = 1u << LLMOPS__OP_GENERATE,
    .build = anthropic_build,
    .parse = anthropic_parse,
    .stream_new = anthropic_stream_new,
    .stream_event = anthropic_stream_event,
    .stream_end = anthropic_stream_end,
    .stream_free = anthropic_stream_free,
    .parse_error = anthropic_parse_error,
};
