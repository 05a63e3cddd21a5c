/* The provider object and the public call entry points. Every kind (HTTP
 * wire formats, host vtables, fallback chains, replay, recorder) sits
 * behind llmops__provider_ops; this file sets a call up (response reset,
 * clock, deadline, streaming sink), runs the kind, and settles the outcome
 * so the returned status and the response always agree. */
#include "provider/provider.h"

#include <string.h>

#include "core/alloc.h"
#include "core/clock.h"
#include "provider/request.h"
#include "provider/response.h"
#include "provider/stream.h"

llmops_status llmops__provider_create(llmops_provider **out, const char *name, const char *type,
                                      const llmops__provider_ops *ops, void *impl)
{
    llmops_provider *p = llmops__calloc(1, sizeof *p);
    char *nm = llmops__strdup(name && *name ? name : type);
    if (!p || !nm) {
        llmops__free(p);
        llmops__free(nm);
        if (ops->destroy)
            ops->destroy(impl);
        return LLMOPS_E_NO_MEMORY;
    }
    atomic_init(&p->refs, 1);
    p->name = nm;
    p->type = type;
    p->ops = ops;
    p->impl = impl;
    *out = p;
    return LLMOPS_OK;
}

llmops_provider *llmops_provider_ref(llmops_provider *p)
{
    if (p)
        atomic_fetch_add_explicit(&p->refs, 1, memory_order_relaxed);
    return p;
}

void llmops_provider_free(llmops_provider *p)
{
    if (!p || atomic_fetch_sub_explicit(&p->refs, 1, memory_order_acq_rel) != 1)
        return;
    if (p->ops->destroy)
        p->ops->destroy(p->impl);
    llmops__free(p->name);
    llmops__free(p);
}

const char *llmops_provider_name(const llmops_provider *p)
{
    return p ? p->name : NULL;
}

const char *llmops_provider_type(const llmops_provider *p)
{
    return p ? p->type : NULL;
}

void llmops_provider_options_init(llmops_provider_options *opts)
{
    if (opts) {
        llmops_provider_options init = LLMOPS_PROVIDER_OPTIONS_INIT;
        *opts = init;
    }
}

/* The returned status and the response's status must agree whatever the
 * kind did: a kind (or a host vtable) that returned an error without
 * saying why gets the status name as message; one that set an error on the
 * response but returned OK reports that error. */
static llmops_status settle(llmops_provider *p, llmops_response *resp, llmops_status st)
{
    if (st != LLMOPS_OK && resp->status == LLMOPS_OK)
        llmops__response_fail(resp, st, "%s: %s", p->name, llmops_status_str(st));
    else if (st == LLMOPS_OK && resp->status != LLMOPS_OK)
        st = resp->status;
    else if (st != LLMOPS_OK)
        resp->status = st;
    return st;
}

/* Checks shared by every kind before it runs: a cancelled or expired call
 * does not start. */
static llmops_status precheck(llmops_provider *p, const llmops__call_ctx *ctx,
                              const llmops_request *req, llmops_response *resp)
{
    if (llmops_request_cancelled(req))
        return llmops__response_fail(resp, LLMOPS_E_CANCELLED, "%s: cancelled before the call",
                                     p->name);
    if (ctx->deadline_ns && llmops__mono_ns() >= ctx->deadline_ns)
        return llmops__response_fail(resp, LLMOPS_E_TIMEOUT,
                                     "%s: the call's deadline passed before it started", p->name);
    return LLMOPS_OK;
}

llmops_status llmops__provider_run_generate(llmops_provider *p, const llmops__call_ctx *ctx,
                                            const llmops_request *req, llmops_response *resp)
{
    llmops_status st = precheck(p, ctx, req, resp);
    if (st != LLMOPS_OK)
        return st;
    return settle(p, resp, p->ops->generate(p, ctx, req, resp));
}

llmops_status llmops__provider_run_classify(llmops_provider *p, const llmops__call_ctx *ctx,
                                            const llmops_request *req, llmops_response *resp)
{
    llmops_status st = precheck(p, ctx, req, resp);
    if (st != LLMOPS_OK)
        return st;
    st = p->ops->classify ? p->ops->classify(p, ctx, req, resp)
                          : llmops__classify_via_generate(p, ctx, req, resp);
    return settle(p, resp, st);
}

llmops_status llmops__provider_run_embed(llmops_provider *p, const llmops__call_ctx *ctx,
                                         const llmops_request *req, llmops_response *resp)
{
    llmops_status st = precheck(p, ctx, req, resp);
    if (st != LLMOPS_OK)
        return st;
    if (!p->ops->embed)
        return llmops__response_fail(resp, LLMOPS_E_UNSUPPORTED,
                                     "%s: this provider does not embed", p->name);
    return settle(p, resp, p->ops->embed(p, ctx, req, resp));
}

typedef enum call_op { CALL_GENERATE, CALL_CLASSIFY, CALL_EMBED } call_op;

static llmops_status validate(llmops_provider *p, call_op op, const llmops_request *req,
                              llmops_response *resp)
{
    switch (op) {
    case CALL_GENERATE:
        if (!req->nmessages)
            return llmops__response_fail(resp, LLMOPS_E_INVALID_ARGUMENT,
                                         "%s: generate needs at least one message", p->name);
        break;
    case CALL_CLASSIFY:
        if (req->nlabels == 1)
            return llmops__response_fail(resp, LLMOPS_E_INVALID_ARGUMENT,
                                         "%s: classify needs at least 2 labels (got 1)",
                                         p->name);
        for (size_t i = req->nmessages; i-- > 0;)
            if (req->messages[i].role == LLMOPS_ROLE_USER)
                return LLMOPS_OK;
        return llmops__response_fail(resp, LLMOPS_E_INVALID_ARGUMENT,
                                     "%s: classify needs a user message to classify", p->name);
    case CALL_EMBED:
        if (!req->ninputs)
            return llmops__response_fail(resp, LLMOPS_E_INVALID_ARGUMENT,
                                         "%s: embed needs at least one input", p->name);
        break;
    }
    return LLMOPS_OK;
}

static llmops_status call(llmops_provider *p, call_op op, const llmops_request *req,
                          llmops_response *resp, llmops_delta_fn fn, void *user_data)
{
    if (!resp)
        return LLMOPS_E_INVALID_ARGUMENT;
    llmops_response_reset(resp);
    if (!p || !req)
        return llmops__response_fail(resp, LLMOPS_E_INVALID_ARGUMENT,
                                     "provider call: %s is NULL", !p ? "provider" : "request");
    resp->start_ns = llmops__mono_ns();
    resp->keep_raw = req->keep_raw;
    llmops_stream stream;
    llmops__stream_init(&stream, resp, fn, user_data);
    llmops__call_ctx ctx = {NULL, 0, &stream, fn != NULL};
    if (req->timeout_ms)
        ctx.deadline_ns = resp->start_ns + req->timeout_ms * 1000000ull;

    llmops_status st = validate(p, op, req, resp);
    if (st == LLMOPS_OK) {
        switch (op) {
        case CALL_GENERATE:
            st = llmops__provider_run_generate(p, &ctx, req, resp);
            break;
        case CALL_CLASSIFY:
            st = llmops__provider_run_classify(p, &ctx, req, resp);
            break;
        case CALL_EMBED:
            st = llmops__provider_run_embed(p, &ctx, req, resp);
            break;
        }
    }
    if (st == LLMOPS_OK && op == CALL_GENERATE)
        st = llmops__stream_finish(&stream);
    if (st == LLMOPS_E_ABORTED && resp->status != LLMOPS_E_ABORTED)
        llmops__response_fail(resp, LLMOPS_E_ABORTED, "%s: the delta callback asked to stop",
                              p->name);
    llmops__response_finalize(resp);
    st = resp->status;
    resp->latency_ns = llmops__mono_ns() - resp->start_ns;
    if (!resp->provider)
        llmops__response_set_provider(resp, p->name);
    /* Wrappers record each attempt they make; a plain provider is one. */
    if (!resp->nattempts)
        llmops__response_add_attempt(resp, p->name, llmops__call_model(&ctx, req, NULL), st,
                                     resp->http_status, resp->latency_ns,
                                     resp->retry_after_ms);
    return st;
}

llmops_status llmops_provider_generate(llmops_provider *p, const llmops_request *req,
                                       llmops_response *resp, llmops_delta_fn on_delta,
                                       void *user_data)
{
    return call(p, CALL_GENERATE, req, resp, on_delta, user_data);
}

llmops_status llmops_provider_classify(llmops_provider *p, const llmops_request *req,
                                       llmops_response *resp)
{
    return call(p, CALL_CLASSIFY, req, resp, NULL, NULL);
}

llmops_status llmops_provider_embed(llmops_provider *p, const llmops_request *req,
                                    llmops_response *resp)
{
    return call(p, CALL_EMBED, req, resp, NULL, NULL);
}
