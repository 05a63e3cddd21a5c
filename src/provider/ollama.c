/* Ollama's native API (POST {base}/api/chat, {base}/api/embed), streamed as
 * NDJSON: one JSON object per line, the last with "done": true.
 *
 * Choices worth knowing:
 * - Ollama has no tool_choice: NONE leaves the tools out of the request,
 *   NAMED sends only the named tool, REQUIRED sends them all (Ollama
 *   cannot force a call).
 * - Sampling goes in "options": temperature, top_p, num_predict (max output
 *   tokens), seed, stop. "think" is left unset (the model's default).
 * - Structured output: "format": "json" for LLMOPS_FORMAT_JSON, the schema
 *   object itself for LLMOPS_FORMAT_JSON_SCHEMA.
 * - Tool calls carry no id in Ollama's answers: they get "call_<index>".
 *   Tool results are sent with "tool_name" (from the tool message, else
 *   from the assistant call whose id they answer).
 * - No API key is needed; when one is given it goes in
 *   "Authorization: Bearer" (for Ollama behind a proxy, or ollama.com). */
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

#define FMT "ollama"

/* ---- request ------------------------------------------------------------ */

static const char *role_name(llmops_role r)
{
    switch (r) {
    case LLMOPS_ROLE_SYSTEM: return "system";
    case LLMOPS_ROLE_ASSISTANT: return "assistant";
    case LLMOPS_ROLE_TOOL: return "tool";
    default: return "user";
    }
}

static llmops_status write_messages(llmops__buf *b, const llmops_request *req,
                                    llmops_response *resp)
{
    llmops__buf_puts(b, "\"messages\":[");
    for (size_t i = 0; i < req->nmessages; i++) {
        const llmops__message *m = &req->messages[i];
        size_t len = 0;
        char *text = llmops__request_message_text(req, i, &len);
        if (!text && len == SIZE_MAX)
            return llmops__response_fail(resp, LLMOPS_E_NO_MEMORY, FMT ": out of memory");
        if (i)
            llmops__buf_putc(b, ',');
        llmops__buf_puts(b, "{\"role\":\"");
        llmops__buf_puts(b, role_name(m->role));
        llmops__buf_puts(b, "\",\"content\":");
        llmops__jo_strn(b, text ? text : "", len);
        llmops__free(text);
        if (m->role == LLMOPS_ROLE_TOOL) {
            const char *name = m->tool_name ? m->tool_name
                                         : llmops__wire_call_name(req, i, m->tool_call_id);
            if (name) {
                llmops__buf_puts(b, ",\"tool_name\":");
                llmops__jo_str(b, name);
            }
        }
        if (m->role == LLMOPS_ROLE_ASSISTANT && m->ncalls) {
            llmops__buf_puts(b, ",\"tool_calls\":[");
            for (size_t c = 0; c < m->ncalls; c++) {
                if (c)
                    llmops__buf_putc(b, ',');
                llmops__buf_puts(b, "{\"function\":{\"name\":");
                llmops__jo_str(b, m->calls[c].name);
                llmops__buf_puts(b, ",\"arguments\":");
                llmops__jo_raw_object(b, m->calls[c].arguments);
                llmops__buf_puts(b, "}}");
            }
            llmops__buf_putc(b, ']');
        }
        llmops__buf_putc(b, '}');
    }
    llmops__buf_putc(b, ']');
    return LLMOPS_OK;
}

static void write_tools(llmops__buf *b, const llmops_request *req)
{
    if (!req->ntools || req->tool_choice == LLMOPS_TOOL_CHOICE_NONE)
        return;
    int named = req->tool_choice == LLMOPS_TOOL_CHOICE_NAMED && req->tool_choice_name;
    size_t n = 0;
    llmops__buf_puts(b, ",\"tools\":[");
    for (size_t i = 0; i < req->ntools; i++) {
        const llmops__tool *t = &req->tools[i];
        if (named && strcmp(t->name, req->tool_choice_name) != 0)
            continue;
        if (n++)
            llmops__buf_putc(b, ',');
        llmops__buf_puts(b, "{\"type\":\"function\",\"function\":{\"name\":");
        llmops__jo_str(b, t->name);
        if (t->description) {
            llmops__buf_puts(b, ",\"description\":");
            llmops__jo_str(b, t->description);
        }
        llmops__buf_puts(b, ",\"parameters\":");
        if (t->parameters)
            llmops__jo_value(b, llmops_json_doc_root(t->parameters));
        else
            llmops__buf_puts(b, "{\"type\":\"object\",\"properties\":{}}");
        llmops__buf_puts(b, "}}");
    }
    llmops__buf_putc(b, ']');
}

static void write_options(llmops__buf *b, const llmops_request *req)
{
    llmops__buf o = LLMOPS__BUF_INIT;
    if (req->has_temperature) {
        llmops__buf_puts(&o, ",\"temperature\":");
        llmops__jo_double(&o, req->temperature);
    }
    if (req->has_top_p) {
        llmops__buf_puts(&o, ",\"top_p\":");
        llmops__jo_double(&o, req->top_p);
    }
    if (req->has_max_output_tokens) {
        llmops__buf_puts(&o, ",\"num_predict\":");
        llmops__buf_put_i64(&o, req->max_output_tokens);
    }
    if (req->has_seed) {
        llmops__buf_puts(&o, ",\"seed\":");
        llmops__buf_put_i64(&o, req->seed);
    }
    if (req->nstops) {
        llmops__buf_puts(&o, ",\"stop\":[");
        for (size_t i = 0; i < req->nstops; i++) {
            if (i)
                llmops__buf_putc(&o, ',');
            llmops__jo_str(&o, req->stops[i]);
        }
        llmops__buf_putc(&o, ']');
    }
    if (o.failed)
        b->failed = 1;
    if (o.len) {
        llmops__buf_puts(b, ",\"options\":{");
        llmops__buf_append(b, o.data + 1, o.len - 1);
        llmops__buf_putc(b, '}');
    }
    llmops__buf_free(&o);
}

static llmops_status ollama_build(const llmops__provider_cfg *cfg, const llmops_request *req,
                                  const char *model, llmops__op op, int stream, const char *key,
                                  size_t key_len, llmops__http_request *out,
                                  llmops_response *resp)
{
    if (op == LLMOPS__OP_CLASSIFY)
        return llmops__response_fail(resp, LLMOPS_E_UNSUPPORTED,
                                     FMT ": no native classification endpoint");
    if (!model || !*model)
        model = cfg ? cfg->default_model : NULL;
    if (!model || !*model)
        return llmops__response_fail(resp, LLMOPS_E_INVALID_ARGUMENT,
                                     FMT ": no model: set one on the request or as the "
                                         "provider's default_model");
    const char *base = cfg && cfg->base_url ? cfg->base_url : llmops__wire_ollama.default_base_url;
    llmops__buf_puts(&out->url, base);
    out->method = "POST";
    llmops__buf *b = &out->body;

    llmops__buf_puts(b, "{\"model\":");
    llmops__jo_str(b, model);
    if (op == LLMOPS__OP_EMBED) {
        if (req->ninputs == 0)
            return llmops__response_fail(resp, LLMOPS_E_INVALID_ARGUMENT,
                                         FMT ": embedding request has no input");
        llmops__buf_puts(&out->url, "/api/embed");
        llmops__buf_puts(b, ",\"input\":[");
        for (size_t i = 0; i < req->ninputs; i++) {
            if (i)
                llmops__buf_putc(b, ',');
            llmops__jo_strn(b, req->inputs[i].data, req->inputs[i].len);
        }
        llmops__buf_putc(b, ']');
        if (req->dimensions) {
            llmops__buf_puts(b, ",\"dimensions\":");
            llmops__buf_put_u64(b, req->dimensions);
        }
    } else {
        if (req->nmessages == 0)
            return llmops__response_fail(resp, LLMOPS_E_INVALID_ARGUMENT,
                                         FMT ": the request has no messages");
        llmops__buf_puts(&out->url, "/api/chat");
        llmops__buf_putc(b, ',');
        llmops_status st = write_messages(b, req, resp);
        if (st != LLMOPS_OK)
            return st;
        /* Ollama streams unless told otherwise. */
        llmops__buf_puts(b, stream ? ",\"stream\":true" : ",\"stream\":false");
        write_tools(b, req);
        if (req->format == LLMOPS_FORMAT_JSON_SCHEMA && req->schema) {
            llmops__buf_puts(b, ",\"format\":");
            llmops__jo_value(b, llmops_json_doc_root(req->schema));
        } else if (req->format != LLMOPS_FORMAT_TEXT) {
            llmops__buf_puts(b, ",\"format\":\"json\"");
        }
        write_options(b, req);
    }
    llmops__buf_putc(b, '}');

    llmops__http_request_header(out, "content-type", "application/json", 16);
    if (key && key_len) {
        llmops__buf auth = LLMOPS__BUF_INIT;
        llmops__buf_puts(&auth, "Bearer ");
        llmops__buf_append(&auth, key, key_len);
        if (!auth.failed)
            llmops__http_request_header(out, "authorization", auth.data, auth.len);
        else
            out->headers.failed = 1;
        /* The buffer held the key: wipe it before freeing. */
        if (auth.data)
            memset(auth.data, 0, auth.cap);
        llmops__buf_free(&auth);
    }
    if (out->body.failed || out->url.failed || out->headers.failed)
        return llmops__response_fail(resp, LLMOPS_E_NO_MEMORY,
                                     FMT ": out of memory building the request");
    return LLMOPS_OK;
}

/* ---- errors ------------------------------------------------------------- */

/* {"error": "..."}; http_status 0 means inside a successful exchange (a
 * 200 body or a stream line), where only the message says what failed. */
static llmops_status apply_error(int http_status, const char *msg, size_t mlen,
                                 llmops_response *resp)
{
    llmops_status st;
    int in_band = http_status == 0 || (http_status >= 200 && http_status < 300);
    if (!in_band)
        st = llmops__http_status_map(http_status);
    else if (msg && mlen >= 9 && memmem(msg, mlen, "not found", 9))
        st = LLMOPS_E_MODEL_NOT_FOUND;
    else
        st = LLMOPS_E_PROVIDER;
    st = llmops__error_refine(st, NULL, 0, msg, mlen);
    char where[32] = "";
    if (http_status)
        snprintf(where, sizeof where, "HTTP %d: ", http_status);
    return llmops__response_fail(resp, st, FMT ": %s%.*s", where, msg ? (int)mlen : 18,
                                 msg ? msg : "(no message given)");
}

static void ollama_parse_error(int http_status, const char *body, size_t len,
                               llmops_response *resp)
{
    llmops_json_doc *doc = NULL;
    if (body && len && llmops_json_parse(&doc, body, len, NULL, NULL) == LLMOPS_OK) {
        size_t mlen = 0;
        const char *msg = llmops__jstr(llmops_json_doc_root(doc), "error", &mlen);
        if (msg) {
            apply_error(http_status, msg, mlen, resp);
            llmops_json_doc_free(doc);
            return;
        }
    }
    llmops_json_doc_free(doc);
    char ex[201];
    /* Ollama's plain-text errors ("404 page not found") are short and
     * readable; show an excerpt. */
    llmops__response_fail(resp, llmops__http_status_map(http_status), FMT ": HTTP %d%s%s",
                          http_status, len ? ": " : " with an empty body",
                          len ? llmops__excerpt(body, len, ex, sizeof ex) : "");
}

/* ---- responses ---------------------------------------------------------- */

typedef struct chat_state {
    size_t ncalls;
    int done;
} chat_state;

static llmops_status put_tool_calls(chat_state *c, const llmops_json *calls, llmops__sink *k)
{
    for (size_t i = 0; i < llmops_json_size(calls); i++) {
        const llmops_json *tc = llmops_json_at(calls, i);
        const llmops_json *fn = llmops_json_get(tc, "function");
        size_t nlen = 0, idlen = 0, alen = 0;
        const char *name = llmops__jstr(fn, "name", &nlen);
        if (!name)
            return llmops__response_fail(k->r, LLMOPS_E_MALFORMED_RESPONSE,
                                         FMT ": message.tool_calls[%zu] has no function name", i);
        const char *id = llmops__jstr(tc, "id", &idlen);
        char gen_id[32];
        if (!id || !idlen) {
            idlen = (size_t)snprintf(gen_id, sizeof gen_id, "call_%zu", c->ncalls);
            id = gen_id;
        }
        const llmops_json *args = llmops_json_get(fn, "arguments");
        llmops_status st;
        if (llmops_json_type_of(args) == LLMOPS_JSON_STRING) {
            /* Some servers send the arguments as JSON text. */
            const char *t = llmops_json_string(args, &alen);
            st = llmops__sink_tool_call(k, c->ncalls++, id, idlen, name, nlen, t, alen);
        } else {
            char *text = NULL;
            if (args &&
                llmops_json_write(&text, &alen, args, LLMOPS_JSON_WRITE_COMPACT) != LLMOPS_OK)
                return llmops__response_fail(k->r, LLMOPS_E_NO_MEMORY, FMT ": out of memory");
            st = llmops__sink_tool_call(k, c->ncalls++, id, idlen, name, nlen, text, alen);
            llmops__free(text);
        }
        if (st != LLMOPS_OK)
            return st;
    }
    return LLMOPS_OK;
}

static llmops_status set_done(chat_state *c, const llmops_json *root, llmops_response *r)
{
    size_t n = 0;
    const char *reason = llmops__jstr(root, "done_reason", &n);
    llmops_finish_reason f;
    if (!reason || llmops__jstr_eq(reason, n, "stop"))
        f = c->ncalls ? LLMOPS_FINISH_TOOL_CALLS : LLMOPS_FINISH_STOP;
    else if (llmops__jstr_eq(reason, n, "length"))
        f = LLMOPS_FINISH_LENGTH;
    else
        f = LLMOPS_FINISH_OTHER; /* "load", "unload" */
    r->finish = f;
    if (reason && llmops__response_set_finish_raw_n(r, reason, n) != LLMOPS_OK)
        return llmops__response_fail(r, LLMOPS_E_NO_MEMORY, FMT ": out of memory");

    int64_t in = 0, out = 0;
    int has_in = llmops__jint(root, "prompt_eval_count", &in);
    int has_out = llmops__jint(root, "eval_count", &out);
    if (has_in || has_out) {
        llmops_usage u = LLMOPS_USAGE_INIT;
        u.input_tokens = in;
        u.output_tokens = out;
        u.total_tokens = in + out;
        r->usage = u;
        r->has_usage = 1;
    }
    return LLMOPS_OK;
}

/* One chat object: the whole answer, or one NDJSON line. */
static llmops_status process_chat(chat_state *c, const llmops_json *root, llmops__sink *k)
{
    llmops_response *resp = k->r;
    size_t n = 0;
    const char *s = llmops__jstr(root, "error", &n);
    if (s)
        return apply_error(0, s, n, resp);
    llmops_status st = LLMOPS_OK;
    s = llmops__jstr(root, "model", &n);
    if (s && !resp->model && llmops__response_set_model_n(resp, s, n) != LLMOPS_OK)
        return llmops__response_fail(resp, LLMOPS_E_NO_MEMORY, FMT ": out of memory");
    const llmops_json *msg = llmops_json_get(root, "message");
    s = llmops__jstr(msg, "thinking", &n);
    if (s)
        st = llmops__sink_reasoning(k, s, n);
    s = llmops__jstr(msg, "content", &n);
    if (s && st == LLMOPS_OK)
        st = llmops__sink_text(k, s, n);
    if (st == LLMOPS_OK)
        st = put_tool_calls(c, llmops_json_get(msg, "tool_calls"), k);
    if (st != LLMOPS_OK)
        return st == LLMOPS_E_NO_MEMORY ? llmops__response_fail(resp, st, FMT ": out of memory")
                                        : st;
    if (llmops_json_is_true(llmops_json_get(root, "done"))) {
        c->done = 1;
        return set_done(c, root, resp);
    }
    return LLMOPS_OK;
}

static llmops_status parse_embeddings(const llmops_json *root, llmops_response *resp)
{
    const llmops_json *embs = llmops_json_get(root, "embeddings");
    if (llmops_json_type_of(embs) != LLMOPS_JSON_ARRAY)
        return llmops__response_fail(resp, LLMOPS_E_MALFORMED_RESPONSE,
                                     FMT ": embed response has no \"embeddings\" array");
    float *vec = NULL;
    size_t cap = 0;
    llmops_status st = LLMOPS_OK;
    for (size_t i = 0; i < llmops_json_size(embs) && st == LLMOPS_OK; i++) {
        const llmops_json *v = llmops_json_at(embs, i);
        if (llmops_json_type_of(v) != LLMOPS_JSON_ARRAY) {
            st = llmops__response_fail(resp, LLMOPS_E_MALFORMED_RESPONSE,
                                       FMT ": embeddings[%zu] is not an array", i);
            break;
        }
        size_t dims = llmops_json_size(v);
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
            if (llmops_json_get_double(llmops_json_at(v, j), &d) != LLMOPS_OK) {
                st = llmops__response_fail(resp, LLMOPS_E_MALFORMED_RESPONSE,
                                           FMT ": embeddings[%zu][%zu] is not a number", i, j);
                break;
            }
            vec[j] = (float)d;
        }
        if (st == LLMOPS_OK && (st = llmops_response_add_embedding(resp, vec, dims)) != LLMOPS_OK)
            st = llmops__response_fail(resp, st, FMT ": could not store embedding %zu", i);
    }
    llmops__free(vec);
    if (st == LLMOPS_OK) {
        int64_t in;
        if (llmops__jint(root, "prompt_eval_count", &in)) {
            llmops_usage u = LLMOPS_USAGE_INIT;
            u.input_tokens = in;
            u.total_tokens = in;
            resp->usage = u;
            resp->has_usage = 1;
        }
        size_t n = 0;
        const char *m = llmops__jstr(root, "model", &n);
        if (m && llmops__response_set_model_n(resp, m, n) != LLMOPS_OK)
            st = llmops__response_fail(resp, LLMOPS_E_NO_MEMORY, FMT ": out of memory");
    }
    return st;
}

static llmops_status ollama_parse(llmops__op op, const char *body, size_t len,
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
    size_t n = 0;
    const char *err = llmops__jstr(root, "error", &n);
    if (llmops_json_type_of(root) != LLMOPS_JSON_OBJECT) {
        st = llmops__response_fail(resp, LLMOPS_E_MALFORMED_RESPONSE,
                                   FMT ": response body is a JSON %s, not an object",
                                   llmops_json_type_name(llmops_json_type_of(root)));
    } else if (err) {
        st = apply_error(0, err, n, resp);
    } else if (op == LLMOPS__OP_EMBED) {
        st = parse_embeddings(root, resp);
    } else if (!llmops_json_get(root, "message")) {
        st = llmops__response_fail(resp, LLMOPS_E_MALFORMED_RESPONSE,
                                   FMT ": chat response has no \"message\"");
    } else {
        chat_state c = { 0, 0 };
        llmops__sink k = llmops__sink_of_response(resp);
        st = process_chat(&c, root, &k);
        /* A non-streamed answer is whole even if a proxy dropped "done". */
        if (st == LLMOPS_OK && !c.done)
            st = set_done(&c, root, resp);
    }
    llmops_json_doc_free(doc);
    return st;
}

/* ---- streaming ---------------------------------------------------------- */

static void *ollama_stream_new(void)
{
    return llmops__calloc(1, sizeof(chat_state));
}

static void ollama_stream_free(void *state)
{
    llmops__free(state);
}

static llmops_status ollama_stream_event(void *state, const char *event, size_t event_len,
                                         const char *data, size_t data_len, llmops_stream *s)
{
    chat_state *c = state;
    if (data_len == 0)
        return LLMOPS_OK;
    llmops_json_doc *doc = NULL;
    llmops_status st = llmops__wire_parse_json(FMT, "stream line", data, data_len, &doc, s->resp);
    if (st != LLMOPS_OK)
        return st;
    const llmops_json *root = llmops_json_doc_root(doc);
    if (llmops_json_type_of(root) != LLMOPS_JSON_OBJECT) {
        st = llmops__response_fail(s->resp, LLMOPS_E_MALFORMED_RESPONSE,
                                   FMT ": stream line is a JSON %s, not an object",
                                   llmops_json_type_name(llmops_json_type_of(root)));
    } else {
        llmops__sink k = llmops__sink_of_stream(s);
        st = process_chat(c, root, &k);
        if (st == LLMOPS_E_NO_MEMORY)
            st = llmops__response_fail(s->resp, st, FMT ": out of memory in stream");
    }
    llmops_json_doc_free(doc);
    return st;
}

static llmops_status ollama_stream_end(void *state, llmops_stream *s)
{
    chat_state *c = state;
    if (!c->done)
        return llmops__response_fail(s->resp, LLMOPS_E_MALFORMED_RESPONSE,
                                     FMT ": stream ended before the line with \"done\": true");
    return LLMOPS_OK;
}

const llmops__wire llmops__wire_ollama = {
    .type = "ollama",
    .default_base_url = "http://localhost:11434",
    .default_key_env = NULL,
    .framing = LLMOPS__FRAMING_NDJSON,
    .ops = (1u << LLMOPS__OP_GENERATE) | (1u << LLMOPS__OP_EMBED),
    .build = ollama_build,
    .parse = ollama_parse,
    .stream_new = ollama_stream_new,
    .stream_event = ollama_stream_event,
    .stream_end = ollama_stream_end,
    .stream_free = ollama_stream_free,
    .parse_error = ollama_parse_error,
};
