/* Gemini API (generativelanguage.googleapis.com/v1beta):
 * POST {base}/models/{model}:generateContent, :streamGenerateContent?alt=sse,
 * :embedContent (one input) and :batchEmbedContents (several).
 *
 * Choices worth knowing:
 * - Schemas are sent as JSON Schema, unconverted: tool parameters through
 *   functionDeclarations[].parametersJsonSchema and structured output
 *   through generationConfig.responseJsonSchema (with responseMimeType
 *   application/json). Gemini's older `parameters` / `responseSchema`
 *   fields take an OpenAPI subset that would need a lossy conversion.
 * - A tool result becomes a functionResponse part; its `response` must be
 *   an object, so a result whose text is a JSON object is sent as that
 *   object and any other text as {"result": "<text>"}. The function name
 *   comes from the tool message, else from the assistant call it answers.
 * - Usage: output_tokens = candidatesTokenCount + thoughtsTokenCount (all
 *   generated tokens, like the other providers count them);
 *   reasoning_tokens = thoughtsTokenCount; cached_input_tokens =
 *   cachedContentTokenCount; total_tokens = totalTokenCount when given.
 * - Function calls without an id get "call_<index>" (index in the answer).
 * - Replayed function calls to Gemini 3 and later carry the thoughtSignature
 *   sentinel "skip_thought_signature_validator" (the request has no place
 *   for the real signature, and those models refuse calls without one).
 * - A prompt blocked by promptFeedback.blockReason is
 *   LLMOPS_E_CONTENT_FILTERED; candidates finished by SAFETY and the like
 *   end OK with finish reason content_filter. */
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

#define FMT "gemini"

/* ---- request ------------------------------------------------------------ */

/* The model id as a path segment: without a leading "models/", and
 * percent-encoded outside RFC 3986's unreserved characters. */
static void put_model_segment(llmops__buf *b, const char *model)
{
    static const char hex[] = "0123456789ABCDEF";
    if (strncmp(model, "models/", 7) == 0)
        model += 7;
    for (const unsigned char *p = (const unsigned char *)model; *p; p++) {
        unsigned char c = *p;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            llmops__buf_putc(b, (char)c);
        } else {
            char e[3] = { '%', hex[c >> 4], hex[c & 15] };
            llmops__buf_append(b, e, 3);
        }
    }
}

/* "models/<id>" as the body's model field wants it. */
static void put_model_name(llmops__buf *b, const char *model)
{
    if (strncmp(model, "models/", 7) == 0)
        model += 7;
    llmops__buf_puts(b, "\"models/");
    llmops__jo_escape(b, model, strlen(model));
    llmops__buf_putc(b, '"');
}

/* Contents assembly: consecutive messages of the same Gemini role are
 * merged (Gemini wants user and model turns to alternate). */
typedef struct contents_writer {
    llmops__buf *b;
    const char *role;
    int nparts;
    size_t ncontents;
    int sign_calls;       /* replayed calls need a thoughtSignature */
} contents_writer;

/* Gemini 3 and later reject a replayed functionCall part without the
 * thoughtSignature the model attached to it (HTTP 400). The request object
 * does not carry signatures, so such calls get Google's documented
 * sentinel that skips the check. Older models never see the field. */
#define SKIP_SIGNATURE "skip_thought_signature_validator"

static int needs_signatures(const char *model)
{
    if (strncmp(model, "models/", 7) == 0)
        model += 7;
    if (strncmp(model, "gemini-", 7) != 0)
        return 0;
    long major = strtol(model + 7, NULL, 10);
    return major >= 3;
}

static void cw_part_start(contents_writer *w, const char *role)
{
    if (w->role && strcmp(w->role, role) != 0) {
        llmops__buf_puts(w->b, "]}");
        w->role = NULL;
    }
    if (!w->role) {
        if (w->ncontents++)
            llmops__buf_putc(w->b, ',');
        llmops__buf_puts(w->b, "{\"role\":\"");
        llmops__buf_puts(w->b, role);
        llmops__buf_puts(w->b, "\",\"parts\":[");
        w->role = role;
        w->nparts = 0;
    }
    if (w->nparts++)
        llmops__buf_putc(w->b, ',');
}

static llmops_status write_tool_response(contents_writer *w, const llmops_request *req, size_t i,
                                         llmops_response *resp)
{
    const llmops__message *m = &req->messages[i];
    const char *name = m->tool_name ? m->tool_name
                                         : llmops__wire_call_name(req, i, m->tool_call_id);
    if (!name)
        return llmops__response_fail(resp, LLMOPS_E_INVALID_ARGUMENT,
                                     FMT ": the tool result in message %zu (call \"%s\") has no "
                                         "tool name and no earlier call matches its id; Gemini "
                                         "needs the name (llmops_request_add_tool_result)",
                                     i, m->tool_call_id ? m->tool_call_id : "");
    size_t len = 0;
    char *text = llmops__request_message_text(req, i, &len);
    if (!text && len == SIZE_MAX)
        return llmops__response_fail(resp, LLMOPS_E_NO_MEMORY, FMT ": out of memory");
    cw_part_start(w, "user");
    llmops__buf_puts(w->b, "{\"functionResponse\":{\"name\":");
    llmops__jo_str(w->b, name);
    llmops__buf_puts(w->b, ",\"response\":");
    llmops_json_doc *doc = NULL;
    if (text && llmops_json_parse(&doc, text, len, NULL, NULL) == LLMOPS_OK &&
        llmops_json_type_of(llmops_json_doc_root(doc)) == LLMOPS_JSON_OBJECT) {
        llmops__buf_append(w->b, text, len);
    } else {
        llmops__buf_puts(w->b, "{\"result\":");
        llmops__jo_strn(w->b, text ? text : "", len);
        llmops__buf_putc(w->b, '}');
    }
    llmops_json_doc_free(doc);
    llmops__free(text);
    llmops__buf_puts(w->b, "}}");
    return LLMOPS_OK;
}

static llmops_status write_contents(contents_writer *w, const llmops_request *req,
                                    llmops_response *resp)
{
    for (size_t i = 0; i < req->nmessages; i++) {
        const llmops__message *m = &req->messages[i];
        if (m->role == LLMOPS_ROLE_SYSTEM)
            continue;
        if (m->role == LLMOPS_ROLE_TOOL) {
            llmops_status st = write_tool_response(w, req, i, resp);
            if (st != LLMOPS_OK)
                return st;
            continue;
        }
        const char *role = m->role == LLMOPS_ROLE_ASSISTANT ? "model" : "user";
        for (size_t p = 0; p < m->nparts; p++) {
            if (m->parts[p].len == 0)
                continue;
            cw_part_start(w, role);
            llmops__buf_puts(w->b, "{\"text\":");
            llmops__jo_strn(w->b, m->parts[p].data, m->parts[p].len);
            llmops__buf_putc(w->b, '}');
        }
        for (size_t c = 0; m->role == LLMOPS_ROLE_ASSISTANT && c < m->ncalls; c++) {
            cw_part_start(w, "model");
            llmops__buf_puts(w->b, "{\"functionCall\":{\"name\":");
            llmops__jo_str(w->b, m->calls[c].name);
            llmops__buf_puts(w->b, ",\"args\":");
            llmops__jo_raw_object(w->b, m->calls[c].arguments);
            llmops__buf_putc(w->b, '}');
            if (w->sign_calls)
                llmops__buf_puts(w->b, ",\"thoughtSignature\":\"" SKIP_SIGNATURE "\"");
            llmops__buf_putc(w->b, '}');
        }
    }
    if (w->role)
        llmops__buf_puts(w->b, "]}");
    return LLMOPS_OK;
}

static llmops_status build_generate(const llmops_request *req, const char *model,
                                    llmops__buf *b, llmops_response *resp)
{
    llmops__buf_puts(b, "{\"contents\":[");
    contents_writer w = { b, NULL, 0, 0, needs_signatures(model) };
    llmops_status st = write_contents(&w, req, resp);
    if (st != LLMOPS_OK)
        return st;
    llmops__buf_putc(b, ']');
    if (w.ncontents == 0 && !b->failed)
        return llmops__response_fail(resp, LLMOPS_E_INVALID_ARGUMENT,
                                     FMT ": the request has no user, assistant or tool message "
                                         "with content");

    size_t slen = 0;
    char *system = llmops__request_system_text(req, &slen);
    if (!system && slen == SIZE_MAX)
        return llmops__response_fail(resp, LLMOPS_E_NO_MEMORY, FMT ": out of memory");
    if (system) {
        llmops__buf_puts(b, ",\"systemInstruction\":{\"parts\":[{\"text\":");
        llmops__jo_strn(b, system, slen);
        llmops__buf_puts(b, "}]}");
        llmops__free(system);
    }

    /* generationConfig: only what the request sets. */
    llmops__buf cfg = LLMOPS__BUF_INIT;
    if (req->has_temperature) {
        llmops__buf_puts(&cfg, ",\"temperature\":");
        llmops__jo_double(&cfg, req->temperature);
    }
    if (req->has_top_p) {
        llmops__buf_puts(&cfg, ",\"topP\":");
        llmops__jo_double(&cfg, req->top_p);
    }
    if (req->has_max_output_tokens) {
        llmops__buf_puts(&cfg, ",\"maxOutputTokens\":");
        llmops__buf_put_i64(&cfg, req->max_output_tokens);
    }
    if (req->has_seed) {
        llmops__buf_puts(&cfg, ",\"seed\":");
        llmops__buf_put_i64(&cfg, req->seed);
    }
    if (req->nstops) {
        llmops__buf_puts(&cfg, ",\"stopSequences\":[");
        for (size_t i = 0; i < req->nstops; i++) {
            if (i)
                llmops__buf_putc(&cfg, ',');
            llmops__jo_str(&cfg, req->stops[i]);
        }
        llmops__buf_putc(&cfg, ']');
    }
    if (req->format == LLMOPS_FORMAT_JSON || req->format == LLMOPS_FORMAT_JSON_SCHEMA) {
        llmops__buf_puts(&cfg, ",\"responseMimeType\":\"application/json\"");
        if (req->format == LLMOPS_FORMAT_JSON_SCHEMA && req->schema) {
            llmops__buf_puts(&cfg, ",\"responseJsonSchema\":");
            llmops__jo_value(&cfg, llmops_json_doc_root(req->schema));
        }
    }
    if (cfg.failed)
        b->failed = 1;
    if (cfg.len) {
        llmops__buf_puts(b, ",\"generationConfig\":{");
        llmops__buf_append(b, cfg.data + 1, cfg.len - 1);
        llmops__buf_putc(b, '}');
    }
    llmops__buf_free(&cfg);

    if (req->ntools) {
        llmops__buf_puts(b, ",\"tools\":[{\"functionDeclarations\":[");
        for (size_t i = 0; i < req->ntools; i++) {
            const llmops__tool *t = &req->tools[i];
            if (i)
                llmops__buf_putc(b, ',');
            llmops__buf_puts(b, "{\"name\":");
            llmops__jo_str(b, t->name);
            if (t->description) {
                llmops__buf_puts(b, ",\"description\":");
                llmops__jo_str(b, t->description);
            }
            if (t->parameters) {
                llmops__buf_puts(b, ",\"parametersJsonSchema\":");
                llmops__jo_value(b, llmops_json_doc_root(t->parameters));
            }
            llmops__buf_putc(b, '}');
        }
        llmops__buf_puts(b, "]}]");
        const char *mode = NULL;
        switch (req->tool_choice) {
        case LLMOPS_TOOL_CHOICE_NONE: mode = "NONE"; break;
        case LLMOPS_TOOL_CHOICE_REQUIRED:
        case LLMOPS_TOOL_CHOICE_NAMED: mode = "ANY"; break;
        default: break; /* AUTO is Gemini's default */
        }
        if (mode) {
            llmops__buf_puts(b, ",\"toolConfig\":{\"functionCallingConfig\":{\"mode\":\"");
            llmops__buf_puts(b, mode);
            llmops__buf_putc(b, '"');
            if (req->tool_choice == LLMOPS_TOOL_CHOICE_NAMED && req->tool_choice_name) {
                llmops__buf_puts(b, ",\"allowedFunctionNames\":[");
                llmops__jo_str(b, req->tool_choice_name);
                llmops__buf_putc(b, ']');
            }
            llmops__buf_puts(b, "}}");
        }
    }
    llmops__buf_putc(b, '}');
    return LLMOPS_OK;
}

static void write_embed_request(llmops__buf *b, const char *model, const llmops__text *in,
                                uint32_t dims)
{
    llmops__buf_puts(b, "{\"model\":");
    put_model_name(b, model);
    llmops__buf_puts(b, ",\"content\":{\"parts\":[{\"text\":");
    llmops__jo_strn(b, in->data, in->len);
    llmops__buf_puts(b, "}]}");
    if (dims) {
        llmops__buf_puts(b, ",\"outputDimensionality\":");
        llmops__buf_put_u64(b, dims);
    }
    llmops__buf_putc(b, '}');
}

static llmops_status gemini_build(const llmops__provider_cfg *cfg, const llmops_request *req,
                                  const char *model, llmops__op op, int stream, const char *key,
                                  size_t key_len, llmops__http_request *out,
                                  llmops_response *resp)
{
    if (op == LLMOPS__OP_CLASSIFY)
        return llmops__response_fail(resp, LLMOPS_E_UNSUPPORTED,
                                     FMT ": no native classification endpoint");
    if (!model || !*model)
        model = cfg ? cfg->default_model : NULL;
    if (!model || !*model || strcmp(model, "models/") == 0)
        return llmops__response_fail(resp, LLMOPS_E_INVALID_ARGUMENT,
                                     FMT ": no model: set one on the request or as the "
                                         "provider's default_model");
    const char *base = cfg && cfg->base_url ? cfg->base_url : llmops__wire_gemini.default_base_url;
    llmops__buf_puts(&out->url, base);
    llmops__buf_puts(&out->url, "/models/");
    put_model_segment(&out->url, model);
    out->method = "POST";

    llmops_status st = LLMOPS_OK;
    if (op == LLMOPS__OP_EMBED) {
        if (req->ninputs == 0)
            return llmops__response_fail(resp, LLMOPS_E_INVALID_ARGUMENT,
                                         FMT ": embedding request has no input");
        if (req->ninputs == 1) {
            llmops__buf_puts(&out->url, ":embedContent");
            write_embed_request(&out->body, model, &req->inputs[0], req->dimensions);
        } else {
            llmops__buf_puts(&out->url, ":batchEmbedContents");
            llmops__buf_puts(&out->body, "{\"requests\":[");
            for (size_t i = 0; i < req->ninputs; i++) {
                if (i)
                    llmops__buf_putc(&out->body, ',');
                write_embed_request(&out->body, model, &req->inputs[i], req->dimensions);
            }
            llmops__buf_puts(&out->body, "]}");
        }
    } else {
        llmops__buf_puts(&out->url, stream ? ":streamGenerateContent?alt=sse" : ":generateContent");
        st = build_generate(req, model, &out->body, resp);
        if (st != LLMOPS_OK)
            return st;
    }
    llmops__http_request_header(out, "content-type", "application/json", 16);
    if (key && key_len)
        llmops__http_request_header(out, "x-goog-api-key", key, key_len);
    if (out->body.failed || out->url.failed || out->headers.failed)
        return llmops__response_fail(resp, LLMOPS_E_NO_MEMORY,
                                     FMT ": out of memory building the request");
    return LLMOPS_OK;
}

/* ---- errors ------------------------------------------------------------- */

/* google.rpc status names, for errors without an HTTP error status. */
static llmops_status rpc_status(const char *s, size_t n, int64_t code)
{
    static const struct {
        const char *name;
        llmops_status st;
    } map[] = {
        { "INVALID_ARGUMENT", LLMOPS_E_BAD_REQUEST },
        { "FAILED_PRECONDITION", LLMOPS_E_BAD_REQUEST },
        { "OUT_OF_RANGE", LLMOPS_E_BAD_REQUEST },
        { "UNAUTHENTICATED", LLMOPS_E_AUTH },
        { "PERMISSION_DENIED", LLMOPS_E_PERMISSION },
        { "NOT_FOUND", LLMOPS_E_MODEL_NOT_FOUND },
        { "RESOURCE_EXHAUSTED", LLMOPS_E_RATE_LIMITED },
        { "UNAVAILABLE", LLMOPS_E_OVERLOADED },
        { "DEADLINE_EXCEEDED", LLMOPS_E_TIMEOUT },
        { "INTERNAL", LLMOPS_E_PROVIDER },
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (llmops__jstr_eq(s, n, map[i].name))
            return map[i].st;
    if (code >= 300 && code < 600)
        return llmops__http_status_map((int)code);
    return LLMOPS_E_PROVIDER;
}

/* Fills resp from {"error":{"code","message","status","details"}}.
 * http_status 0 means the error came inside a successful exchange. */
static llmops_status apply_error(int http_status, const llmops_json *root, llmops_response *resp)
{
    if (llmops_json_type_of(root) == LLMOPS_JSON_ARRAY)
        root = llmops_json_at(root, 0); /* the non-SSE stream form wraps it */
    const llmops_json *err = llmops_json_get(root, "error");
    size_t slen = 0, mlen = 0;
    const char *status = llmops__jstr(err, "status", &slen);
    const char *msg = llmops__jstr(err, "message", &mlen);
    int64_t code = 0;
    llmops__jint(err, "code", &code);

    int in_band = http_status == 0 || (http_status >= 200 && http_status < 300);
    llmops_status st =
        in_band ? rpc_status(status, slen, code) : llmops__http_status_map(http_status);
    st = llmops__error_refine(st, status, slen, msg, mlen);
    if (status)
        llmops__response_set_error_code_n(resp, status, slen);

    const llmops_json *details = llmops_json_get(err, "details");
    for (size_t i = 0; i < llmops_json_size(details); i++) {
        const llmops_json *d = llmops_json_at(details, i);
        size_t tn = 0, dn = 0;
        const char *t = llmops__jstr(d, "@type", &tn);
        const char *delay = llmops__jstr(d, "retryDelay", &dn);
        if (delay && llmops__jstr_eq(t, tn, "type.googleapis.com/google.rpc.RetryInfo")) {
            uint64_t ms = llmops__retry_hint_duration(delay, dn);
            if (ms)
                resp->retry_after_ms = ms;
        }
    }
    char where[32] = "";
    if (http_status)
        snprintf(where, sizeof where, "HTTP %d ", http_status);
    return llmops__response_fail(resp, st, FMT ": %s%.*s: %.*s", where,
                                 status ? (int)slen : 5, status ? status : "error",
                                 msg ? (int)mlen : 18, msg ? msg : "(no message given)");
}

static void gemini_parse_error(int http_status, const char *body, size_t len,
                               llmops_response *resp)
{
    llmops_json_doc *doc = NULL;
    if (body && len && llmops_json_parse(&doc, body, len, NULL, NULL) == LLMOPS_OK) {
        const llmops_json *root = llmops_json_doc_root(doc);
        if (llmops_json_type_of(root) == LLMOPS_JSON_ARRAY)
            root = llmops_json_at(root, 0);
        if (llmops_json_type_of(llmops_json_get(root, "error")) == LLMOPS_JSON_OBJECT) {
            apply_error(http_status, root, resp);
            llmops_json_doc_free(doc);
            return;
        }
    }
    llmops_json_doc_free(doc);
    char ex[201];
    llmops__response_fail(resp, llmops__http_status_map(http_status), FMT ": HTTP %d%s%s",
                          http_status, len ? ": " : " with an empty body",
                          len ? llmops__excerpt(body, len, ex, sizeof ex) : "");
}

/* ---- responses ---------------------------------------------------------- */

/* What a generation accumulates across chunks (one chunk when not
 * streamed). */
/* One piece of a call whose arguments stream as partialArgs (Vertex's
 * streamFunctionCallArguments): the value at a JSON path, string values
 * possibly continued over several pieces. */
typedef struct partial_arg {
    char *path;
    llmops__buf value;   /* string bytes, or JSON text for other kinds */
    int is_string;
} partial_arg;

typedef struct gen_state {
    size_t ncalls;
    int finished;                  /* a finishReason was seen */
    llmops_finish_reason reason;   /* mapped finishReason, before tool calls */
    int partial_open;              /* a call with willContinue is being assembled */
    size_t partial_index;
    partial_arg *args;
    size_t nargs, cap_args;
} gen_state;

static void partial_reset(gen_state *g)
{
    for (size_t i = 0; i < g->nargs; i++) {
        llmops__free(g->args[i].path);
        llmops__buf_free(&g->args[i].value);
    }
    g->nargs = 0;
    g->partial_open = 0;
}

static void gen_state_clear(gen_state *g)
{
    partial_reset(g);
    llmops__free(g->args);
    g->args = NULL;
    g->cap_args = 0;
}

static llmops_finish_reason map_finish(const char *s, size_t n)
{
    static const char *const filtered[] = { "SAFETY", "RECITATION", "BLOCKLIST",
                                            "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY" };
    if (llmops__jstr_eq(s, n, "STOP"))
        return LLMOPS_FINISH_STOP;
    if (llmops__jstr_eq(s, n, "MAX_TOKENS"))
        return LLMOPS_FINISH_LENGTH;
    for (size_t i = 0; i < sizeof filtered / sizeof filtered[0]; i++)
        if (llmops__jstr_eq(s, n, filtered[i]))
            return LLMOPS_FINISH_CONTENT_FILTER;
    if (llmops__jstr_eq(s, n, "MALFORMED_FUNCTION_CALL"))
        return LLMOPS_FINISH_ERROR;
    return LLMOPS_FINISH_OTHER;
}

static void store_usage(const llmops_json *um, llmops_response *r)
{
    if (llmops_json_type_of(um) != LLMOPS_JSON_OBJECT)
        return;
    int64_t prompt = 0, cand = 0, thoughts = 0, cached = 0, total = 0;
    int any = 0, has_total = 0;
    any |= llmops__jint(um, "promptTokenCount", &prompt);
    any |= llmops__jint(um, "candidatesTokenCount", &cand);
    any |= llmops__jint(um, "thoughtsTokenCount", &thoughts);
    any |= llmops__jint(um, "cachedContentTokenCount", &cached);
    has_total = llmops__jint(um, "totalTokenCount", &total);
    if (!any && !has_total)
        return; /* e.g. {"trafficType": ...} alone */
    llmops_usage u = LLMOPS_USAGE_INIT;
    u.input_tokens = prompt;
    u.output_tokens = cand + thoughts;
    u.reasoning_tokens = thoughts;
    u.cached_input_tokens = cached;
    u.total_tokens = has_total ? total : prompt + cand + thoughts;
    r->usage = u;
    r->has_usage = 1;
}

static llmops_status apply_finish(gen_state *g, llmops_response *r)
{
    if (!g->finished)
        return LLMOPS_OK;
    r->finish = (g->reason == LLMOPS_FINISH_STOP && g->ncalls) ? LLMOPS_FINISH_TOOL_CALLS
                                                               : g->reason;
    return LLMOPS_OK;
}

/* Stores one partialArgs entry. A string continues the previous piece at
 * the same path when that piece said willContinue. */
static llmops_status partial_add(gen_state *g, const llmops_json *pa, llmops_response *resp)
{
    size_t plen = 0, slen = 0;
    const char *path = llmops__jstr(pa, "jsonPath", &plen);
    if (!path)
        return llmops__response_fail(resp, LLMOPS_E_MALFORMED_RESPONSE,
                                     FMT ": partialArgs entry without a jsonPath");
    const char *str = llmops__jstr(pa, "stringValue", &slen);
    partial_arg *last = g->nargs ? &g->args[g->nargs - 1] : NULL;
    if (str && last && last->is_string && strlen(last->path) == plen &&
        memcmp(last->path, path, plen) == 0) {
        llmops__buf_append(&last->value, str, slen);
        return last->value.failed
                   ? llmops__response_fail(resp, LLMOPS_E_NO_MEMORY, FMT ": out of memory")
                   : LLMOPS_OK;
    }
    if (g->nargs == g->cap_args) {
        size_t cap = llmops__grow_cap(g->cap_args, g->nargs + 1, sizeof(partial_arg));
        partial_arg *na = cap ? llmops__realloc(g->args, cap * sizeof *na) : NULL;
        if (!na)
            return llmops__response_fail(resp, LLMOPS_E_NO_MEMORY, FMT ": out of memory");
        g->args = na;
        g->cap_args = cap;
    }
    partial_arg *a = &g->args[g->nargs];
    memset(a, 0, sizeof *a);
    a->path = llmops__strndup(path, plen);
    if (!a->path)
        return llmops__response_fail(resp, LLMOPS_E_NO_MEMORY, FMT ": out of memory");
    g->nargs++;
    if (str) {
        a->is_string = 1;
        llmops__buf_append(&a->value, str, slen);
        if (!a->value.data)
            llmops__buf_puts(&a->value, "");
    } else {
        static const char *const kinds[] = { "numberValue", "boolValue", "nullValue" };
        const llmops_json *v = NULL;
        for (size_t i = 0; i < 3 && !v; i++)
            v = llmops_json_get(pa, kinds[i]);
        if (llmops_json_get(pa, "nullValue"))
            llmops__buf_puts(&a->value, "null");
        else if (v)
            llmops__jo_value(&a->value, v);
        else
            llmops__buf_puts(&a->value, "null");
    }
    return a->value.failed ? llmops__response_fail(resp, LLMOPS_E_NO_MEMORY, FMT ": out of memory")
                           : LLMOPS_OK;
}

/* Places `value` at `path` ("$.a.b", "$.list[0]") under `root`, creating
 * the objects and arrays on the way. 0 on success, -1 for a path that does
 * not fit what is there, -2 when out of memory. */
static int place_at_path(llmops_json_doc *doc, llmops_json *root, const char *path,
                         llmops_json *value)
{
    if (path[0] != '$')
        return -1;
    const char *p = path + 1;
    llmops_json *cur = root;
    while (*p) {
        const char *key = NULL;
        size_t klen = 0;
        int64_t index = -1;
        if (*p == '.') {
            key = ++p;
            while (*p && *p != '.' && *p != '[')
                p++;
            klen = (size_t)(p - key);
        } else if (*p == '[') {
            index = strtoll(p + 1, (char **)&p, 10);
            if (*p != ']' || index < 0)
                return -1;
            p++;
        } else {
            return -1;
        }
        int last = *p == '\0';
        /* What the next step needs inside this one. */
        llmops_json *next = NULL;
        if (last)
            next = value;
        if (key) {
            if (llmops_json_type_of(cur) != LLMOPS_JSON_OBJECT || klen == 0)
                return -1;
            llmops_json *existing = (llmops_json *)llmops_json_getn(cur, key, klen);
            if (!last && existing) {
                cur = existing;
                continue;
            }
            if (!last)
                next = *p == '[' ? llmops_json_new_array(doc) : llmops_json_new_object(doc);
            if (!next || llmops_json_object_set(doc, cur, key, klen, next) != LLMOPS_OK)
                return -2;
        } else {
            if (llmops_json_type_of(cur) != LLMOPS_JSON_ARRAY)
                return -1;
            size_t size = llmops_json_size(cur);
            if ((size_t)index < size && !last) {
                cur = (llmops_json *)llmops_json_at(cur, (size_t)index);
                continue;
            }
            if ((size_t)index != size)
                return -1; /* only appends, in order */
            if (!last)
                next = *p == '[' ? llmops_json_new_array(doc) : llmops_json_new_object(doc);
            if (!next || llmops_json_array_append(doc, cur, next) != LLMOPS_OK)
                return -2;
        }
        cur = next;
    }
    return 0;
}

/* The assembled arguments of the open partial call, emitted as its one
 * argument fragment. */
static llmops_status partial_finish(gen_state *g, llmops__sink *k)
{
    llmops_response *resp = k->r;
    llmops_json_doc *doc = NULL;
    llmops_status st = llmops_json_doc_new(&doc);
    llmops_json *root = doc ? llmops_json_new_object(doc) : NULL;
    if (st != LLMOPS_OK || !root || llmops_json_doc_set_root(doc, root) != LLMOPS_OK) {
        llmops_json_doc_free(doc);
        return llmops__response_fail(resp, LLMOPS_E_NO_MEMORY, FMT ": out of memory");
    }
    for (size_t i = 0; i < g->nargs && st == LLMOPS_OK; i++) {
        const partial_arg *a = &g->args[i];
        llmops_json *v = NULL;
        if (a->is_string) {
            v = llmops_json_new_string(doc, a->value.data ? a->value.data : "", a->value.len);
        } else {
            llmops_json_doc *tmp = NULL;
            if (llmops_json_parse(&tmp, a->value.data, a->value.len, NULL, NULL) == LLMOPS_OK)
                v = llmops_json_copy(doc, llmops_json_doc_root(tmp));
            llmops_json_doc_free(tmp);
        }
        int placed = v ? place_at_path(doc, root, a->path, v) : -2;
        if (placed == -2)
            st = llmops__response_fail(resp, LLMOPS_E_NO_MEMORY, FMT ": out of memory");
        else if (placed != 0)
            st = llmops__response_fail(resp, LLMOPS_E_MALFORMED_RESPONSE,
                                       FMT ": cannot place streamed argument at \"%s\" of call %zu",
                                       a->path, g->partial_index);
    }
    char *text = NULL;
    size_t len = 0;
    if (st == LLMOPS_OK &&
        llmops_json_write(&text, &len, root, LLMOPS_JSON_WRITE_COMPACT) != LLMOPS_OK)
        st = llmops__response_fail(resp, LLMOPS_E_NO_MEMORY, FMT ": out of memory");
    if (st == LLMOPS_OK)
        st = llmops__sink_tool_call(k, g->partial_index, NULL, 0, NULL, 0, text, len);
    llmops__free(text);
    llmops_json_doc_free(doc);
    partial_reset(g);
    return st;
}

/* Streamed call arguments: a functionCall with a name and willContinue
 * opens a call, functionCall parts with partialArgs add to it, and an empty
 * functionCall (or one without willContinue) closes it. */
static llmops_status partial_piece(gen_state *g, const llmops_json *fc, llmops__sink *k)
{
    const llmops_json *pas = llmops_json_get(fc, "partialArgs");
    for (size_t i = 0; i < llmops_json_size(pas); i++) {
        llmops_status st = partial_add(g, llmops_json_at(pas, i), k->r);
        if (st != LLMOPS_OK)
            return st;
    }
    if (!llmops_json_is_true(llmops_json_get(fc, "willContinue")))
        return partial_finish(g, k);
    return LLMOPS_OK;
}

static llmops_status put_function_call(gen_state *g, const llmops_json *fc, llmops__sink *k,
                                       llmops_response *resp)
{
    if (g->partial_open && !llmops_json_get(fc, "name"))
        return partial_piece(g, fc, k);
    if (g->partial_open) {
        llmops_status pst = partial_finish(g, k);
        if (pst != LLMOPS_OK)
            return pst;
    }
    if (!llmops_json_get(fc, "name") && llmops_json_size(fc) == 0)
        return LLMOPS_OK; /* an empty closing marker with nothing open */
    size_t nlen = 0, idlen = 0, alen = 0;
    const char *name = llmops__jstr(fc, "name", &nlen);
    if (!name)
        return llmops__response_fail(resp, LLMOPS_E_MALFORMED_RESPONSE,
                                     FMT ": functionCall without a name (call %zu)", g->ncalls);
    const char *id = llmops__jstr(fc, "id", &idlen);
    char gen_id[32];
    if (!id || !idlen) {
        idlen = (size_t)snprintf(gen_id, sizeof gen_id, "call_%zu", g->ncalls);
        id = gen_id;
    }
    const llmops_json *args = llmops_json_get(fc, "args");
    if (!args && llmops_json_is_true(llmops_json_get(fc, "willContinue"))) {
        g->partial_open = 1;
        g->partial_index = g->ncalls;
        llmops_status st = llmops__sink_tool_call(k, g->ncalls++, id, idlen, name, nlen, "", 0);
        if (st == LLMOPS_OK && llmops_json_get(fc, "partialArgs"))
            st = partial_piece(g, fc, k);
        return st;
    }
    char *text = NULL;
    if (args && llmops_json_write(&text, &alen, args, LLMOPS_JSON_WRITE_COMPACT) != LLMOPS_OK)
        return llmops__response_fail(resp, LLMOPS_E_NO_MEMORY, FMT ": out of memory");
    llmops_status st = llmops__sink_tool_call(k, g->ncalls++, id, idlen, name, nlen, text, alen);
    llmops__free(text);
    return st;
}

/* One GenerateContentResponse (the whole answer, or one stream chunk). */
static llmops_status process_chunk(gen_state *g, const llmops_json *root, llmops__sink *k)
{
    llmops_response *resp = k->r;
    size_t n = 0;
    llmops_status st = LLMOPS_OK;
    const char *s = llmops__jstr(root, "responseId", &n);
    if (s)
        st = llmops__response_set_request_id_n(resp, s, n);
    s = llmops__jstr(root, "modelVersion", &n);
    if (s && st == LLMOPS_OK)
        st = llmops__response_set_model_n(resp, s, n);
    if (st != LLMOPS_OK)
        return llmops__response_fail(resp, st, FMT ": out of memory");
    store_usage(llmops_json_get(root, "usageMetadata"), resp);

    const llmops_json *cands = llmops_json_get(root, "candidates");
    const llmops_json *cand = llmops_json_at(cands, 0);
    if (!cand) {
        const llmops_json *fb = llmops_json_get(root, "promptFeedback");
        size_t bl = 0, ml = 0;
        const char *block = llmops__jstr(fb, "blockReason", &bl);
        if (block) {
            const char *why = llmops__jstr(fb, "blockReasonMessage", &ml);
            resp->finish = LLMOPS_FINISH_CONTENT_FILTER;
            llmops__response_set_finish_raw_n(resp, block, bl);
            llmops__response_set_error_code_n(resp, block, bl);
            return llmops__response_fail(resp, LLMOPS_E_CONTENT_FILTERED,
                                         FMT ": the prompt was blocked (%.*s)%s%.*s", (int)bl,
                                         block, why ? ": " : "", why ? (int)ml : 0,
                                         why ? why : "");
        }
        return LLMOPS_OK;
    }

    const llmops_json *parts = llmops_json_get(llmops_json_get(cand, "content"), "parts");
    for (size_t i = 0; i < llmops_json_size(parts) && st == LLMOPS_OK; i++) {
        const llmops_json *p = llmops_json_at(parts, i);
        const llmops_json *fc = llmops_json_get(p, "functionCall");
        if (fc) {
            st = put_function_call(g, fc, k, resp);
            continue;
        }
        const char *t = llmops__jstr(p, "text", &n);
        if (!t)
            continue; /* inlineData, executableCode, ...: not text */
        if (llmops_json_is_true(llmops_json_get(p, "thought")))
            st = llmops__sink_reasoning(k, t, n);
        else
            st = llmops__sink_text(k, t, n);
    }
    if (st != LLMOPS_OK)
        return st == LLMOPS_E_NO_MEMORY ? llmops__response_fail(resp, st, FMT ": out of memory")
                                        : st;

    s = llmops__jstr(cand, "finishReason", &n);
    if (s && !llmops__jstr_eq(s, n, "FINISH_REASON_UNSPECIFIED")) {
        /* The answer is over: a call still collecting arguments is whole. */
        if (g->partial_open && (st = partial_finish(g, k)) != LLMOPS_OK)
            return st;
        g->finished = 1;
        g->reason = map_finish(s, n);
        if (llmops__response_set_finish_raw_n(resp, s, n) != LLMOPS_OK)
            return llmops__response_fail(resp, LLMOPS_E_NO_MEMORY, FMT ": out of memory");
    }
    return apply_finish(g, resp);
}

static llmops_status parse_embeddings(const llmops_json *root, llmops_response *resp)
{
    const llmops_json *one = llmops_json_get(root, "embedding");
    const llmops_json *many = llmops_json_get(root, "embeddings");
    size_t count = one ? 1 : llmops_json_size(many);
    if (!one && llmops_json_type_of(many) != LLMOPS_JSON_ARRAY)
        return llmops__response_fail(resp, LLMOPS_E_MALFORMED_RESPONSE,
                                     FMT ": embedding response has neither \"embedding\" nor "
                                         "\"embeddings\"");
    float *vec = NULL;
    size_t cap = 0;
    llmops_status st = LLMOPS_OK;
    for (size_t i = 0; i < count && st == LLMOPS_OK; i++) {
        const llmops_json *e = one ? one : llmops_json_at(many, i);
        const llmops_json *values = llmops_json_get(e, "values");
        if (llmops_json_type_of(values) != LLMOPS_JSON_ARRAY) {
            st = llmops__response_fail(resp, LLMOPS_E_MALFORMED_RESPONSE,
                                       FMT ": embedding %zu has no \"values\" array", i);
            break;
        }
        size_t dims = llmops_json_size(values);
        if (dims > cap) {
            float *nv = llmops__realloc(vec, dims * sizeof *vec);
            if (!nv) {
                st = llmops__response_fail(resp, LLMOPS_E_NO_MEMORY, FMT ": out of memory");
                break;
            }
            vec = nv;
            cap = dims;
        }
        for (size_t j = 0; j < dims; j++) {
            double d;
            if (llmops_json_get_double(llmops_json_at(values, j), &d) != LLMOPS_OK) {
                st = llmops__response_fail(resp, LLMOPS_E_MALFORMED_RESPONSE,
                                           FMT ": embedding %zu value %zu is not a number", i, j);
                break;
            }
            vec[j] = (float)d;
        }
        if (st == LLMOPS_OK && (st = llmops_response_add_embedding(resp, vec, dims)) != LLMOPS_OK)
            st = llmops__response_fail(resp, st, FMT ": could not store embedding %zu", i);
    }
    llmops__free(vec);
    return st;
}

static llmops_status gemini_parse(llmops__op op, const char *body, size_t len,
                                  llmops_response *resp)
{
    if (op == LLMOPS__OP_CLASSIFY)
        return llmops__response_fail(resp, LLMOPS_E_UNSUPPORTED,
                                     FMT ": no native classification endpoint");
    llmops_json_doc *doc = NULL;
    llmops_status st = llmops__wire_parse_json(FMT, "response body", body, len, &doc, resp);
    if (st != LLMOPS_OK)
        return st;
    const llmops_json *root = llmops_json_doc_root(doc);
    if (llmops_json_type_of(root) != LLMOPS_JSON_OBJECT) {
        st = llmops__response_fail(resp, LLMOPS_E_MALFORMED_RESPONSE,
                                   FMT ": response body is a JSON %s, not an object",
                                   llmops_json_type_name(llmops_json_type_of(root)));
    } else if (llmops_json_type_of(llmops_json_get(root, "error")) == LLMOPS_JSON_OBJECT) {
        st = apply_error(0, root, resp);
    } else if (op == LLMOPS__OP_EMBED) {
        st = parse_embeddings(root, resp);
    } else {
        gen_state g;
        memset(&g, 0, sizeof g);
        llmops__sink k = llmops__sink_of_response(resp);
        st = process_chunk(&g, root, &k);
        gen_state_clear(&g);
        if (st == LLMOPS_OK && !g.finished && !llmops_json_get(root, "candidates"))
            st = llmops__response_fail(resp, LLMOPS_E_MALFORMED_RESPONSE,
                                       FMT ": response has no candidates and no promptFeedback");
    }
    llmops_json_doc_free(doc);
    return st;
}

/* ---- streaming ---------------------------------------------------------- */

static void *gemini_stream_new(void)
{
    return llmops__calloc(1, sizeof(gen_state));
}

static void gemini_stream_free(void *state)
{
    if (state)
        gen_state_clear(state);
    llmops__free(state);
}

static llmops_status gemini_stream_event(void *state, const char *event, size_t event_len,
                                         const char *data, size_t data_len, llmops_stream *s)
{
    gen_state *g = state;
    if (data_len == 0)
        return LLMOPS_OK;
    llmops_json_doc *doc = NULL;
    llmops_status st = llmops__wire_parse_json(FMT, "stream chunk", data, data_len, &doc, s->resp);
    if (st != LLMOPS_OK)
        return st;
    const llmops_json *root = llmops_json_doc_root(doc);
    if (llmops_json_type_of(root) != LLMOPS_JSON_OBJECT) {
        st = llmops__response_fail(s->resp, LLMOPS_E_MALFORMED_RESPONSE,
                                   FMT ": stream chunk is a JSON %s, not an object",
                                   llmops_json_type_name(llmops_json_type_of(root)));
    } else if (llmops_json_type_of(llmops_json_get(root, "error")) == LLMOPS_JSON_OBJECT) {
        st = apply_error(0, root, s->resp);
    } else {
        llmops__sink k = llmops__sink_of_stream(s);
        st = process_chunk(g, root, &k);
        if (st == LLMOPS_E_NO_MEMORY)
            st = llmops__response_fail(s->resp, st, FMT ": out of memory in stream");
    }
    llmops_json_doc_free(doc);
    return st;
}

static llmops_status gemini_stream_end(void *state, llmops_stream *s)
{
    gen_state *g = state;
    if (!g->finished)
        return llmops__response_fail(s->resp, LLMOPS_E_MALFORMED_RESPONSE,
                                     FMT ": stream ended before a chunk with a finishReason");
    if (g->partial_open)
        return llmops__response_fail(s->resp, LLMOPS_E_MALFORMED_RESPONSE,
                                     FMT ": stream ended inside the streamed arguments of "
                                         "call %zu",
                                     g->partial_index);
    return LLMOPS_OK;
}

const llmops__wire llmops__wire_gemini = {
    .type = "gemini",
    .default_base_url = "https://generativelanguage.googleapis.com/v1beta",
    .default_key_env = "GEMINI_API_KEY",
    .framing = LLMOPS__FRAMING_SSE,
    .ops = (1u << LLMOPS__OP_GENERATE) | (1u << LLMOPS__OP_EMBED),
    .build = gemini_build,
    .parse = gemini_parse,
    .stream_new = gemini_stream_new,
    .stream_event = gemini_stream_event,
    .stream_end = gemini_stream_end,
    .stream_free = gemini_stream_free,
    .parse_error = gemini_parse_error,
};
