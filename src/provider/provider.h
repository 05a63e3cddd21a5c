/* The provider object and the internal provider kinds. Owned by
 * src/provider/provider.c. Built-in HTTP providers, host vtables, the
 * fallback chain, replay and recorder are all kinds behind these ops. */
#ifndef LLMOPS_PROVIDER_PROVIDER_H
#define LLMOPS_PROVIDER_PROVIDER_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "llmops/provider.h"

/* What a single run of a provider gets besides request and response. */
typedef struct llmops__call_ctx {
    const char *model;        /* overrides the request's model, or NULL */
    uint64_t deadline_ns;     /* absolute monotonic deadline, 0: none */
    llmops_stream *stream;    /* never NULL: accumulates even when not streaming */
    int streaming;            /* the host asked for deltas */
} llmops__call_ctx;

typedef struct llmops__provider_ops {
    /* Fills resp and returns its status. */
    llmops_status (*generate)(llmops_provider *p, const llmops__call_ctx *ctx,
                              const llmops_request *req, llmops_response *resp);
    /* NULL: classify through generate with the labels as a JSON Schema enum. */
    llmops_status (*classify)(llmops_provider *p, const llmops__call_ctx *ctx,
                              const llmops_request *req, llmops_response *resp);
    llmops_status (*embed)(llmops_provider *p, const llmops__call_ctx *ctx,
                           const llmops_request *req, llmops_response *resp);
    void (*destroy)(void *impl);
} llmops__provider_ops;

struct llmops_provider {
    atomic_uint refs;
    char *name;
    const char *type;         /* static string */
    const llmops__provider_ops *ops;
    void *impl;
};

/* Creates a provider of an internal kind; on failure ops->destroy(impl) is
 * called so the caller never leaks impl. */
llmops_status llmops__provider_create(llmops_provider **out, const char *name,
                                      const char *type, const llmops__provider_ops *ops,
                                      void *impl);

/* Runs one provider inside a call that is already set up (wrappers call
 * their targets through these). Do not reset resp. */
llmops_status llmops__provider_run_generate(llmops_provider *p, const llmops__call_ctx *ctx,
                                            const llmops_request *req, llmops_response *resp);
llmops_status llmops__provider_run_classify(llmops_provider *p, const llmops__call_ctx *ctx,
                                            const llmops_request *req, llmops_response *resp);
llmops_status llmops__provider_run_embed(llmops_provider *p, const llmops__call_ctx *ctx,
                                         const llmops_request *req, llmops_response *resp);

/* Classification through generate (src/provider/classify.c). */
llmops_status llmops__classify_via_generate(llmops_provider *p, const llmops__call_ctx *ctx,
                                            const llmops_request *req, llmops_response *resp);

/* The model a call uses: ctx override, else the request's, else fallback. */
static inline const char *llmops__call_model(const llmops__call_ctx *ctx,
                                             const llmops_request *req, const char *fallback)
{
    if (ctx && ctx->model)
        return ctx->model;
    const char *m = llmops_request_model(req);
    return m ? m : fallback;
}

#endif
