/* The recorder provider: runs an inner provider and writes a cassette (see
 * cassette.h) for every successful call, for the replay provider to answer
 * from later.
 *
 * A streamed generation runs the inner provider on a stream of the
 * recorder's own (the tap) whose callback timestamps each delta and
 * forwards it to the call's stream with llmops__stream_forward, so the host
 * sees exactly what it would without the recorder while the tap accumulates
 * the answer into the response as usual. The tap is finished here (closing
 * tool calls, or delivering an answer the inner provider filled without
 * streaming), so the cassette holds every delta the host received. A
 * cassette that cannot be written is reported in the response's error text;
 * the call's status stays OK because the answer itself is good. */
#include <string.h>

#include "core/alloc.h"
#include "core/clock.h"
#include "provider/cassette.h"
#include "provider/fingerprint.h"
#include "provider/provider.h"
#include "provider/response.h"
#include "provider/stream.h"

typedef struct recorder {
    llmops_provider *inner;
    char *dir;
} recorder;

typedef struct tap_ctx {
    llmops_stream *outer;
    llmops__tape *tape;
    uint64_t t0;
    int tape_failed;
} tap_ctx;

static int tap_fn(const llmops_delta *d, void *user)
{
    tap_ctx *tc = user;
    uint64_t now = llmops__mono_ns();
    if (!tc->tape_failed && llmops__tape_add(tc->tape, now - tc->t0, d) != LLMOPS_OK)
        tc->tape_failed = 1;
    return llmops__stream_forward(tc->outer, d) != LLMOPS_OK;
}

/* Appends to the error text of a successful response without changing its
 * status. */
static void note(llmops_response *resp, const char *who, const char *what)
{
    if (resp->error.len)
        llmops__buf_puts(&resp->error, "; ");
    llmops__buf_printf(&resp->error, "%s: cassette not written: %s", who, what);
}

static llmops_status record(llmops__cassette_op op, llmops_provider *p,
                            const llmops__call_ctx *ctx, const llmops_request *req,
                            llmops_response *resp)
{
    recorder *r = p->impl;
    uint64_t t0 = llmops__mono_ns();
    llmops__tape tape = {NULL, 0, 0};
    tap_ctx tc = {ctx->stream, &tape, t0, 0};
    llmops_status st;

    if (op == LLMOPS__CASSETTE_GENERATE && ctx->streaming) {
        llmops_stream tap;
        llmops__stream_init(&tap, resp, tap_fn, &tc);
        llmops__call_ctx sub = *ctx;
        sub.stream = &tap;
        st = llmops__provider_run_generate(r->inner, &sub, req, resp);
        if (st == LLMOPS_OK && (st = llmops__stream_finish(&tap)) != LLMOPS_OK)
            llmops__response_fail(resp, st, "%s: the delta callback asked to stop", p->name);
    } else if (op == LLMOPS__CASSETTE_CLASSIFY) {
        st = llmops__provider_run_classify(r->inner, ctx, req, resp);
    } else if (op == LLMOPS__CASSETTE_EMBED) {
        st = llmops__provider_run_embed(r->inner, ctx, req, resp);
    } else {
        st = llmops__provider_run_generate(r->inner, ctx, req, resp);
    }

    if (st == LLMOPS_OK) {
        if (!resp->provider)
            llmops__response_set_provider(resp, llmops_provider_name(r->inner));
        /* Tool calls without arguments read "{}" in the cassette as they
         * will in the final response. */
        llmops__response_finalize(resp);
        uint64_t latency = llmops__mono_ns() - t0;
        const char *model = llmops__call_model(ctx, req, NULL);
        char fp[65];
        llmops__buf err = LLMOPS__BUF_INIT;
        if (tc.tape_failed)
            note(resp, p->name, "out of memory recording the deltas");
        else if (llmops__request_fingerprint_model(req, model, fp) != LLMOPS_OK)
            note(resp, p->name, "out of memory fingerprinting the request");
        else if (llmops__cassette_write(r->dir, fp, op, model, req, resp,
                                        op == LLMOPS__CASSETTE_GENERATE && ctx->streaming
                                            ? &tape
                                            : NULL,
                                        resp->ttft_ns, latency, &err) != LLMOPS_OK)
            note(resp, p->name, err.data && !err.failed ? err.data : "out of memory");
        llmops__buf_free(&err);
    }
    llmops__tape_free(&tape);
    return st;
}

static llmops_status rec_generate(llmops_provider *p, const llmops__call_ctx *ctx,
                                  const llmops_request *req, llmops_response *resp)
{
    return record(LLMOPS__CASSETTE_GENERATE, p, ctx, req, resp);
}

static llmops_status rec_classify(llmops_provider *p, const llmops__call_ctx *ctx,
                                  const llmops_request *req, llmops_response *resp)
{
    return record(LLMOPS__CASSETTE_CLASSIFY, p, ctx, req, resp);
}

static llmops_status rec_embed(llmops_provider *p, const llmops__call_ctx *ctx,
                               const llmops_request *req, llmops_response *resp)
{
    return record(LLMOPS__CASSETTE_EMBED, p, ctx, req, resp);
}

static void rec_destroy(void *impl)
{
    recorder *r = impl;
    if (r) {
        llmops_provider_free(r->inner);
        llmops__free(r->dir);
        llmops__free(r);
    }
}

static const llmops__provider_ops recorder_ops = {rec_generate, rec_classify, rec_embed,
                                                  rec_destroy};

llmops_status llmops_provider_new_recorder(llmops_provider **out, const char *name,
                                           llmops_provider *inner, const char *dir)
{
    if (!out)
        return LLMOPS_E_INVALID_ARGUMENT;
    *out = NULL;
    if (!inner || !dir || !*dir)
        return LLMOPS_E_INVALID_ARGUMENT;
    recorder *r = llmops__calloc(1, sizeof *r);
    size_t len = strlen(dir);
    while (len > 1 && dir[len - 1] == '/')
        len--;
    char *d = llmops__strndup(dir, len);
    if (!r || !d) {
        llmops__free(r);
        llmops__free(d);
        return LLMOPS_E_NO_MEMORY;
    }
    r->dir = d;
    r->inner = llmops_provider_ref(inner);
    return llmops__provider_create(out, name, "recorder", &recorder_ops, r);
}
