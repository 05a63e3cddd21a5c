/* Host backends behind a versioned vtable (llmops_provider_new_custom). */
#include <string.h>

#include "core/alloc.h"
#include "provider/provider.h"
#include "provider/request.h"
#include "provider/response.h"

typedef struct custom_impl {
    llmops_provider_vtable vt;
    void *self;
} custom_impl;

/* A fallback target may be asked for another model than the request
 * names; the host reads the model from the request, so it gets a copy
 * that says so. Only that case pays for the copy. */
static llmops_status with_model(const llmops__call_ctx *ctx, const llmops_request *req,
                                llmops_request **copy)
{
    *copy = NULL;
    if (!ctx->model || (req->model && strcmp(req->model, ctx->model) == 0))
        return LLMOPS_OK;
    llmops_status st = llmops_request_copy(copy, req);
    if (st == LLMOPS_OK && (st = llmops_request_set_model(*copy, ctx->model)) != LLMOPS_OK) {
        llmops_request_free(*copy);
        *copy = NULL;
    }
    return st;
}

static llmops_status custom_generate(llmops_provider *p, const llmops__call_ctx *ctx,
                                     const llmops_request *req, llmops_response *resp)
{
    custom_impl *c = p->impl;
    if (!c->vt.generate)
        return llmops__response_fail(resp, LLMOPS_E_UNSUPPORTED,
                                     "%s: this provider does not generate", p->name);
    llmops_request *copy;
    llmops_status st = with_model(ctx, req, &copy);
    if (st != LLMOPS_OK)
        return st;
    st = c->vt.generate(c->self, copy ? copy : req, resp, ctx->streaming ? ctx->stream : NULL);
    llmops_request_free(copy);
    return st;
}

static llmops_status custom_classify(llmops_provider *p, const llmops__call_ctx *ctx,
                                     const llmops_request *req, llmops_response *resp)
{
    custom_impl *c = p->impl;
    if (!c->vt.classify)
        return llmops__classify_via_generate(p, ctx, req, resp);
    llmops_request *copy;
    llmops_status st = with_model(ctx, req, &copy);
    if (st != LLMOPS_OK)
        return st;
    st = c->vt.classify(c->self, copy ? copy : req, resp);
    llmops_request_free(copy);
    return st;
}

static llmops_status custom_embed(llmops_provider *p, const llmops__call_ctx *ctx,
                                  const llmops_request *req, llmops_response *resp)
{
    custom_impl *c = p->impl;
    if (!c->vt.embed)
        return llmops__response_fail(resp, LLMOPS_E_UNSUPPORTED,
                                     "%s: this provider does not embed", p->name);
    llmops_request *copy;
    llmops_status st = with_model(ctx, req, &copy);
    if (st != LLMOPS_OK)
        return st;
    st = c->vt.embed(c->self, copy ? copy : req, resp);
    llmops_request_free(copy);
    return st;
}

static void custom_destroy(void *impl)
{
    custom_impl *c = impl;
    if (c->vt.destroy)
        c->vt.destroy(c->self);
    llmops__free(c);
}

static const llmops__provider_ops custom_ops = {custom_generate, custom_classify, custom_embed,
                                                custom_destroy};

llmops_status llmops_provider_new_custom(llmops_provider **out, const char *name,
                                         const llmops_provider_vtable *vtable, void *self)
{
    if (out)
        *out = NULL;
    if (!out || !vtable || vtable->version < 1) {
        /* The contract says self is handed to destroy even on failure. */
        if (vtable && vtable->destroy)
            vtable->destroy(self);
        return LLMOPS_E_INVALID_ARGUMENT;
    }
    custom_impl *c = llmops__calloc(1, sizeof *c);
    if (!c) {
        if (vtable->destroy)
            vtable->destroy(self);
        return LLMOPS_E_NO_MEMORY;
    }
    /* A host built against a newer header passes a longer vtable; we read
     * only the fields this version knows. */
    memcpy(&c->vt, vtable, sizeof c->vt);
    c->vt.version = LLMOPS_PROVIDER_VTABLE_VERSION;
    c->self = self;
    return llmops__provider_create(out, name, "custom", &custom_ops, c);
}
