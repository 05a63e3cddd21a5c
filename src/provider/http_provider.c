/* Built-in HTTP providers: a wire format (openai.c, anthropic.c, ...) plus
 * the transport (src/transport/http.c). One attempt is: read the key, let
 * the wire build the request, perform it, and let the wire read the body
 * (whole, or piecewise through the stream decoder), or the error body. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "llmops_config.h"
#include "provider/decoder.h"
#include "provider/provider.h"
#include "provider/request.h"
#include "provider/response.h"
#include "provider/stream.h"
#include "provider/wire.h"
#if LLMOPS_HAVE_HTTP
#include "transport/http.h"
#endif

#define DEFAULT_CONNECT_MS 10000u
#define DEFAULT_FIRST_BYTE_MS 60000u
#define DEFAULT_TOTAL_MS 600000u
#define DEFAULT_IDLE_MS 60000u
#define DEFAULT_MAX_REQUEST (32u << 20)
#define DEFAULT_MAX_RESPONSE (64u << 20)
#define MAX_KEY 4096

#if LLMOPS_HAVE_HTTP

static void cfg_free(llmops__provider_cfg *c)
{
    llmops__free(c->type);
    llmops__free(c->name);
    llmops__free(c->base_url);
    llmops__free(c->api_key_env);
    llmops__free(c->default_model);
    llmops__free(c->api_version);
    llmops__free(c->ca_bundle);
    for (size_t i = 0; i < c->nheaders; i++)
        llmops__free(c->headers[i]);
    llmops__free(c->headers);
    memset(c, 0, sizeof *c);
}

typedef struct http_impl {
    llmops__provider_cfg cfg;
    const llmops__wire *wire;
} http_impl;

/* ---- configuration ------------------------------------------------------ */

static llmops_status config_error(char **why, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static llmops_status config_error(char **why, const char *fmt, ...)
{
    if (why) {
        char tmp[512];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(tmp, sizeof tmp, fmt, ap);
        va_end(ap);
        *why = llmops__strdup(tmp);
    }
    return LLMOPS_E_CONFIG;
}

static int dup_opt(char **slot, const char *s)
{
    if (!s)
        return 0;
    *slot = llmops__strdup(s);
    return *slot ? 0 : -1;
}

static int header_ok(const char *h)
{
    const char *colon = strchr(h, ':');
    if (!colon || colon == h)
        return 0;
    for (const char *p = h; *p; p++)
        if (*p == '\r' || *p == '\n')
            return 0;
    for (const char *p = h; p < colon; p++)
        if (*p == ' ' || *p == '\t')
            return 0;
    return 1;
}

static llmops_status cfg_from_options(llmops__provider_cfg *c, const llmops__wire *w,
                                      const char *name, const llmops_provider_options *o,
                                      char **why)
{
    memset(c, 0, sizeof *c);
    const char *base = o->base_url ? o->base_url : w->default_base_url;
    if (strncmp(base, "http://", 7) != 0 && strncmp(base, "https://", 8) != 0)
        return config_error(why, "base_url must start with http:// or https://");
    if (o->azure && strcmp(w->type, "openai") != 0)
        return config_error(why, "azure applies only to the openai provider, not %s", w->type);
    if (o->azure && !o->base_url)
        return config_error(why, "azure needs base_url (https://<resource>.openai.azure.com)");
    if (o->api_key_env && strchr(o->api_key_env, '='))
        return config_error(why, "api_key_env names a variable; it must not contain '='");
    size_t nh = 0;
    if (o->headers)
        for (; o->headers[nh]; nh++)
            if (!header_ok(o->headers[nh]))
                return config_error(why,
                                    "headers[%zu] must be \"Name: value\" on one line", nh);
    if (o->ca_bundle && !*o->ca_bundle)
        return config_error(why, "ca_bundle is empty; leave it NULL for the system bundle");

    int failed = 0;
    failed |= dup_opt(&c->type, w->type);
    failed |= dup_opt(&c->name, name ? name : w->type);
    failed |= dup_opt(&c->base_url, base);
    /* "" means "no key" (a local server); NULL means the wire's usual variable. */
    const char *env = o->api_key_env ? o->api_key_env : w->default_key_env;
    if (env && *env)
        failed |= dup_opt(&c->api_key_env, env);
    failed |= dup_opt(&c->default_model, o->default_model);
    failed |= dup_opt(&c->api_version, o->api_version);
    failed |= dup_opt(&c->ca_bundle, o->ca_bundle);
    if (nh && !failed) {
        c->headers = llmops__calloc(nh, sizeof *c->headers);
        failed |= !c->headers;
        for (size_t i = 0; c->headers && i < nh && !failed; i++) {
            failed |= dup_opt(&c->headers[i], o->headers[i]);
            c->nheaders = i + 1;
        }
    }
    if (failed) {
        cfg_free(c);
        return LLMOPS_E_NO_MEMORY;
    }
    size_t bl = strlen(c->base_url);
    while (bl > 0 && c->base_url[bl - 1] == '/')
        c->base_url[--bl] = '\0';
    c->key_fn = o->key_fn;
    c->key_user_data = o->key_user_data;
    c->azure = o->azure;
    c->connect_timeout_ms = o->connect_timeout_ms ? o->connect_timeout_ms : DEFAULT_CONNECT_MS;
    c->first_byte_timeout_ms =
        o->first_byte_timeout_ms ? o->first_byte_timeout_ms : DEFAULT_FIRST_BYTE_MS;
    c->total_timeout_ms = o->total_timeout_ms ? o->total_timeout_ms : DEFAULT_TOTAL_MS;
    c->idle_timeout_ms = o->idle_timeout_ms ? o->idle_timeout_ms : DEFAULT_IDLE_MS;
    c->max_request_bytes = o->max_request_bytes ? o->max_request_bytes : DEFAULT_MAX_REQUEST;
    c->max_response_bytes = o->max_response_bytes ? o->max_response_bytes : DEFAULT_MAX_RESPONSE;
    return LLMOPS_OK;
}

/* ---- one HTTP attempt --------------------------------------------------- */

static void wipe(void *p, size_t n)
{
    volatile unsigned char *v = p;
    while (n--)
        *v++ = 0;
}

/* The key for this attempt into buf. Its value never reaches a message. */
static llmops_status read_key(const llmops__provider_cfg *c, char *buf, size_t cap, size_t *len,
                              llmops_response *resp)
{
    *len = 0;
    if (c->key_fn) {
        long n = c->key_fn(buf, cap, c->key_user_data);
        if (n < 0)
            return llmops__response_fail(resp, LLMOPS_E_AUTH,
                                         "%s: no API key: the key callback returned none",
                                         c->name);
        if ((size_t)n > cap)
            return llmops__response_fail(resp, LLMOPS_E_AUTH,
                                         "%s: the key callback returned a key longer than %zu "
                                         "bytes",
                                         c->name, cap);
        *len = (size_t)n;
        return LLMOPS_OK;
    }
    if (!c->api_key_env)
        return LLMOPS_OK;
    const char *v = getenv(c->api_key_env);
    if (!v || !*v)
        return llmops__response_fail(resp, LLMOPS_E_AUTH,
                                     "%s: no API key: environment variable %s is not set",
                                     c->name, c->api_key_env);
    size_t n = strlen(v);
    if (n > cap)
        return llmops__response_fail(resp, LLMOPS_E_AUTH,
                                     "%s: the key in %s is longer than %zu bytes", c->name,
                                     c->api_key_env, cap);
    memcpy(buf, v, n);
    *len = n;
    return LLMOPS_OK;
}

/* Replaces every occurrence of the key in b with "[redacted]". */
static void redact(llmops__buf *b, const char *key, size_t key_len)
{
    static const char mask[] = "[redacted]";
    if (key_len < 4 || !b->data || b->len < key_len)
        return;
    char *at;
    size_t from = 0;
    while ((at = memmem(b->data + from, b->len - from, key, key_len))) {
        size_t pos = (size_t)(at - b->data), tail = b->len - pos - key_len;
        if (key_len >= sizeof mask - 1) {
            memcpy(at, mask, sizeof mask - 1);
            memmove(at + sizeof mask - 1, at + key_len, tail);
            b->len = pos + sizeof mask - 1 + tail;
        } else {
            memset(at, '*', key_len);
        }
        b->data[b->len] = '\0';
        from = pos + 1;
    }
}

typedef struct body_sink {
    llmops__decoder dec;
    llmops_response *resp;
} body_sink;

static int on_body(const char *data, size_t len, void *ud)
{
    body_sink *b = ud;
    if (b->resp->keep_raw)
        llmops__buf_append(&b->resp->raw, data, len);
    return llmops__decoder_feed(&b->dec, data, len) != LLMOPS_OK;
}

/* Prefixes the wire's error message with who failed, the HTTP status and
 * the request id, so one line says everything a support ticket needs. */
static void describe_http_error(const llmops__provider_cfg *c, llmops_response *resp)
{
    llmops__buf msg = LLMOPS__BUF_INIT;
    llmops__buf_printf(&msg, "%s: HTTP %d", c->name, resp->http_status);
    if (resp->error.len) {
        llmops__buf_append(&msg, ": ", 2);
        llmops__buf_append(&msg, resp->error.data, resp->error.len);
    }
    if (resp->request_id)
        llmops__buf_printf(&msg, " (request id %s)", resp->request_id);
    if (!msg.failed) {
        llmops__buf_free(&resp->error);
        resp->error = msg;
    } else {
        llmops__buf_free(&msg);
    }
}

static llmops_status run_http(llmops_provider *p, llmops__op op, const char *model,
                              const llmops__call_ctx *ctx, const llmops_request *req,
                              llmops_response *resp)
{
    http_impl *h = p->impl;
    const llmops__provider_cfg *c = &h->cfg;
    const llmops__wire *w = h->wire;
    int streaming = op == LLMOPS__OP_GENERATE && ctx->streaming;

    char key[MAX_KEY];
    size_t key_len = 0;
    llmops_status st = read_key(c, key, sizeof key, &key_len, resp);
    if (st != LLMOPS_OK)
        return st;
    llmops__http_request hreq;
    llmops__http_request_init(&hreq);
    st = w->build(c, req, model, op, streaming, key_len ? key : NULL, key_len, &hreq, resp);
    if (st == LLMOPS_OK && req->traceparent[0])
        llmops__http_request_header(&hreq, "traceparent", req->traceparent,
                                    strlen(req->traceparent));
    if (st == LLMOPS_OK && (hreq.url.failed || hreq.body.failed || hreq.headers.failed))
        st = llmops__response_fail(resp, LLMOPS_E_NO_MEMORY, "%s: out of memory building the "
                                                             "request", c->name);
    if (st != LLMOPS_OK) {
        wipe(key, key_len);
        llmops__http_request_free(&hreq);
        if (resp->status == LLMOPS_OK)
            llmops__response_fail(resp, st, "%s: cannot build the request: %s", c->name,
                                  llmops_status_str(st));
        return st;
    }

    body_sink sink;
    sink.resp = resp;
    int decoding = 0;
    if (streaming) {
        /* One event may not exceed the response limit. */
        if ((st = llmops__decoder_init(&sink.dec, w, ctx->stream, c->max_response_bytes)) !=
            LLMOPS_OK) {
            llmops__decoder_free(&sink.dec);
            llmops__http_request_free(&hreq);
            wipe(key, key_len);
            return st;
        }
        decoding = 1;
    }
    llmops__http_call hc = {&hreq, c, ctx->deadline_ns, req->cancel, streaming ? on_body : NULL,
                            &sink};
    llmops__http_result res;
    llmops__http_result_init(&res);
    st = llmops__http_perform(&hc, &res);
    llmops__http_request_free(&hreq);
    resp->http_status = res.http_status;

    if (st == LLMOPS_E_ABORTED && decoding) {
        /* The decoder stopped the transfer: an in-stream error, a broken
         * event or the host's callback; it already set the response. */
        st = sink.dec.status != LLMOPS_OK ? sink.dec.status : LLMOPS_E_ABORTED;
        if (resp->status == LLMOPS_OK)
            llmops__response_fail(resp, st, "%s: stream stopped: %s", c->name,
                                  llmops_status_str(st));
    } else if (st != LLMOPS_OK) {
        llmops__response_fail(resp, st, "%s: %s", c->name,
                              res.error[0] ? res.error : llmops_status_str(st));
    } else if (res.http_status < 200 || res.http_status > 299) {
        w->parse_error(res.http_status, res.body.data ? res.body.data : "", res.body.len, resp);
        if (res.request_id[0] && !resp->request_id)
            llmops__response_set_request_id_n(resp, res.request_id, strlen(res.request_id));
        if (resp->status == LLMOPS_OK)
            llmops__response_fail(resp, LLMOPS_E_PROVIDER, "unexpected HTTP status");
        describe_http_error(c, resp);
        if (resp->keep_raw && res.body.len)
            llmops__buf_append(&resp->raw, res.body.data, res.body.len);
        st = resp->status;
    } else if (decoding) {
        st = llmops__decoder_finish(&sink.dec);
    } else {
        if (resp->keep_raw)
            llmops__buf_append(&resp->raw, res.body.data ? res.body.data : "", res.body.len);
        st = w->parse(op, res.body.data ? res.body.data : "", res.body.len, resp);
    }
    if (st != LLMOPS_OK && resp->status == LLMOPS_OK)
        llmops__response_fail(resp, st, "%s: %s", c->name, llmops_status_str(st));
    /* The header's id names the exchange for the provider's support; the
     * body's id (chatcmpl-..., msg_...) is kept when there is no header. */
    if (res.request_id[0])
        llmops__response_set_request_id_n(resp, res.request_id, strlen(res.request_id));
    if (res.retry_after_ms > resp->retry_after_ms)
        resp->retry_after_ms = res.retry_after_ms;
    /* A provider may quote the key it rejected; it never leaves here. */
    redact(&resp->error, key, key_len);
    redact(&resp->raw, key, key_len);
    wipe(key, key_len);
    if (decoding)
        llmops__decoder_free(&sink.dec);
    llmops__http_result_free(&res);
    return st;
}

/* ---- provider kind ------------------------------------------------------ */

static const char *need_model(llmops_provider *p, const llmops__call_ctx *ctx,
                              const llmops_request *req, llmops_response *resp)
{
    http_impl *h = p->impl;
    const char *model = llmops__call_model(ctx, req, h->cfg.default_model);
    if (!model)
        llmops__response_fail(resp, LLMOPS_E_INVALID_ARGUMENT,
                              "%s: no model: set one on the request or default_model in the "
                              "provider options",
                              p->name);
    return model;
}

static llmops_status http_generate(llmops_provider *p, const llmops__call_ctx *ctx,
                                   const llmops_request *req, llmops_response *resp)
{
    const char *model = need_model(p, ctx, req, resp);
    return model ? run_http(p, LLMOPS__OP_GENERATE, model, ctx, req, resp) : resp->status;
}

static llmops_status http_classify(llmops_provider *p, const llmops__call_ctx *ctx,
                                   const llmops_request *req, llmops_response *resp)
{
    http_impl *h = p->impl;
    const char *model = llmops__call_model(ctx, req, NULL);
    /* The native classifier (OpenAI moderation) has its own categories; it
     * answers when the host asked for no labels of its own or named a
     * moderation model. Everything else classifies through generate. */
    int native = (h->wire->ops & (1u << LLMOPS__OP_CLASSIFY)) &&
                 (req->nlabels == 0 || (model && strstr(model, "moderation")));
    if (!native)
        return llmops__classify_via_generate(p, ctx, req, resp);
    return run_http(p, LLMOPS__OP_CLASSIFY, model ? model : "omni-moderation-latest", ctx, req,
                    resp);
}

static llmops_status http_embed(llmops_provider *p, const llmops__call_ctx *ctx,
                                const llmops_request *req, llmops_response *resp)
{
    http_impl *h = p->impl;
    if (!(h->wire->ops & (1u << LLMOPS__OP_EMBED)))
        return llmops__response_fail(resp, LLMOPS_E_UNSUPPORTED,
                                     "%s: the %s API has no embeddings endpoint", p->name,
                                     h->wire->type);
    const char *model = need_model(p, ctx, req, resp);
    return model ? run_http(p, LLMOPS__OP_EMBED, model, ctx, req, resp) : resp->status;
}

static void http_destroy(void *impl)
{
    http_impl *h = impl;
    cfg_free(&h->cfg);
    llmops__free(h);
}

static const llmops__provider_ops http_ops = {http_generate, http_classify, http_embed,
                                              http_destroy};

#endif /* LLMOPS_HAVE_HTTP */

llmops_status llmops_provider_new(llmops_provider **out, const char *type, const char *name,
                                  const llmops_provider_options *opts, char **why)
{
    if (why)
        *why = NULL;
    if (!out || !type)
        return LLMOPS_E_INVALID_ARGUMENT;
    *out = NULL;
    const llmops__wire *w = llmops__wire_find(type);
    if (!w) {
        if (why) {
            const char *known = "openai, openai-responses, anthropic, gemini, ollama";
            size_t n = strlen(type) + strlen(known) + 48;
            if ((*why = llmops__malloc(n)))
                snprintf(*why, n, "unknown provider type \"%s\" (known: %s)", type, known);
        }
        return LLMOPS_E_NOT_FOUND;
    }
#if LLMOPS_HAVE_HTTP
    llmops_provider_options defaults = LLMOPS_PROVIDER_OPTIONS_INIT;
    if (!opts)
        opts = &defaults;
    if (opts->version < 1 || opts->version > LLMOPS_PROVIDER_OPTIONS_VERSION)
        return config_error(why, "options version %u is not one this library knows (1..%u)",
                            opts->version, LLMOPS_PROVIDER_OPTIONS_VERSION);
    http_impl *h = llmops__calloc(1, sizeof *h);
    if (!h)
        return LLMOPS_E_NO_MEMORY;
    h->wire = w;
    llmops_status st = cfg_from_options(&h->cfg, w, name, opts, why);
    if (st != LLMOPS_OK) {
        llmops__free(h);
        return st;
    }
    return llmops__provider_create(out, h->cfg.name, w->type, &http_ops, h);
#else
    (void)opts;
    (void)name;
    if (why)
        *why = llmops__strdup("this libllmops was built without HTTP (libcurl)");
    return LLMOPS_E_UNSUPPORTED;
#endif
}
