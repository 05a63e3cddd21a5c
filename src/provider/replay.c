/* The replay provider: answers from cassettes (see cassette.h) instead of
 * a network, for tests, evals and offline development.
 *
 * A streamed generation replays the recorded deltas through the call's
 * stream, so the host sees the same pieces in the same order as when it was
 * recorded (with the recorded gaps under LLMOPS_REPLAY_TIMING, cut short by
 * the call's deadline and cancel token); the recorded response then fills
 * what deltas do not carry (finish reason, usage, model, ids) and the
 * replayed text is checked against the recorded one. Without streaming, or
 * when the cassette holds no deltas, the response is filled directly.
 * Cassettes are read on every call (no cache): they are small, and a test
 * that rewrites one sees the change at once. Stateless, so thread-safe. */
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/clock.h"
#include "provider/cassette.h"
#include "provider/fingerprint.h"
#include "provider/provider.h"
#include "provider/response.h"
#include "provider/stream.h"

#define SLICE_NS 50000000ull /* cancel is noticed within 50 ms */

typedef struct replay {
    char *dir;
    unsigned flags;
} replay;

/* Waits until mono time `until`, in slices. */
static llmops_status wait_until(llmops_provider *p, const llmops__call_ctx *ctx,
                                const llmops_request *req, llmops_response *resp,
                                uint64_t until)
{
    for (;;) {
        if (llmops_request_cancelled(req))
            return llmops__response_fail(resp, LLMOPS_E_CANCELLED,
                                         "%s: cancelled while replaying recorded timing",
                                         p->name);
        uint64_t now = llmops__mono_ns();
        if (ctx->deadline_ns && now >= ctx->deadline_ns)
            return llmops__response_fail(resp, LLMOPS_E_TIMEOUT,
                                         "%s: the deadline passed while replaying recorded "
                                         "timing",
                                         p->name);
        if (now >= until)
            return LLMOPS_OK;
        uint64_t step = until - now;
        if (ctx->deadline_ns && ctx->deadline_ns - now < step)
            step = ctx->deadline_ns - now;
        llmops__sleep_ns(step < SLICE_NS ? step : SLICE_NS);
    }
}

static llmops_status replay_deltas(llmops_provider *p, const llmops__call_ctx *ctx,
                                   const llmops_request *req, const llmops_json *root,
                                   const char *path, llmops_response *resp)
{
    replay *r = p->impl;
    llmops_stream *s = ctx->stream;
    uint64_t start = llmops__mono_ns();
    size_t n = llmops__cassette_delta_count(root);
    for (size_t i = 0; i < n; i++) {
        llmops_delta d;
        uint64_t t_ns;
        if (llmops__cassette_delta(root, i, path, &d, &t_ns, resp) != 0)
            return LLMOPS_E_MALFORMED_RESPONSE;
        llmops_status st;
        if ((r->flags & LLMOPS_REPLAY_TIMING) &&
            (st = wait_until(p, ctx, req, resp,
                             t_ns > UINT64_MAX - start ? UINT64_MAX : start + t_ns)) !=
                LLMOPS_OK)
            return st;
        switch (d.kind) {
        case LLMOPS_DELTA_TEXT:
            st = llmops__stream_text(s, d.text, d.len);
            break;
        case LLMOPS_DELTA_REASONING:
            st = llmops__stream_reasoning(s, d.text, d.len);
            break;
        case LLMOPS_DELTA_TOOL_CALL:
            if (d.tool_index > resp->ncalls ||
                (d.tool_index == resp->ncalls && (!d.tool_name || !*d.tool_name))) {
                char what[96];
                snprintf(what, sizeof what,
                         "replay: delta %zu starts tool call %zu out of order or without a name",
                         i, d.tool_index);
                return llmops__response_fail(resp, LLMOPS_E_MALFORMED_RESPONSE,
                                             "%s: cassette %s", what, path);
            }
            st = llmops__stream_tool_call(s, d.tool_index, d.tool_id,
                                          d.tool_id ? strlen(d.tool_id) : 0, d.tool_name,
                                          d.tool_name ? strlen(d.tool_name) : 0, d.text, d.len);
            break;
        default:
            /* TOOL_CALL_DONE: the stream sink closes a call itself when the
             * next one starts or the call finishes, as it did when this was
             * recorded. */
            st = LLMOPS_OK;
            break;
        }
        if (st == LLMOPS_E_ABORTED)
            return llmops__response_fail(resp, st, "%s: the delta callback asked to stop",
                                         p->name);
        if (st != LLMOPS_OK)
            return llmops__response_fail(resp, st, "%s: out of memory replaying %s", p->name,
                                         path);
    }
    return LLMOPS_OK;
}

/* The replayed deltas must add up to the recorded answer; a cassette edited
 * by hand in one place only is caught here. */
static llmops_status check_sum(const llmops_json *root, const char *path, llmops_response *resp)
{
    const llmops_json *r = llmops_json_get(root, "response");
    static const char *const keys[] = {"text", "reasoning"};
    const llmops__buf *got[] = {&resp->text, &resp->reasoning};
    for (size_t k = 0; k < 2; k++) {
        size_t len = 0;
        const char *want = llmops_json_string(llmops_json_get(r, keys[k]), &len);
        if (!want)
            want = "";
        if (len != got[k]->len || (len && memcmp(want, got[k]->data, len) != 0))
            return llmops__response_fail(resp, LLMOPS_E_MALFORMED_RESPONSE,
                                         "replay: cassette %s: the deltas do not add up to "
                                         "\"response.%s\"",
                                         path, keys[k]);
    }
    return LLMOPS_OK;
}

static llmops_status replay_op(llmops__cassette_op op, llmops_provider *p,
                               const llmops__call_ctx *ctx, const llmops_request *req,
                               llmops_response *resp)
{
    replay *r = p->impl;
    char fp[65];
    if (llmops__request_fingerprint_model(req, llmops__call_model(ctx, req, NULL), fp) !=
        LLMOPS_OK)
        return llmops__response_fail(resp, LLMOPS_E_NO_MEMORY,
                                     "%s: out of memory fingerprinting the request", p->name);
    char *path = llmops__cassette_path(r->dir, fp, op);
    if (!path)
        return llmops__response_fail(resp, LLMOPS_E_NO_MEMORY, "%s: out of memory", p->name);
    llmops_json_doc *doc = NULL;
    llmops_status st = llmops__cassette_load(path, r->dir, fp, op, &doc, resp);
    if (st == LLMOPS_OK) {
        const llmops_json *root = llmops_json_doc_root(doc);
        if (op == LLMOPS__CASSETTE_GENERATE && ctx->streaming &&
            llmops__cassette_delta_count(root) > 0) {
            st = replay_deltas(p, ctx, req, root, path, resp);
            if (st == LLMOPS_OK)
                st = llmops__cassette_apply(root, path, 0, resp);
            if (st == LLMOPS_OK)
                st = check_sum(root, path, resp);
        } else {
            st = llmops__cassette_apply(root, path, 1, resp);
        }
        if (st == LLMOPS_E_NO_MEMORY && resp->status == LLMOPS_OK)
            llmops__response_fail(resp, st, "%s: out of memory replaying %s", p->name, path);
    }
    llmops_json_doc_free(doc);
    llmops__free(path);
    return st;
}

static llmops_status replay_generate(llmops_provider *p, const llmops__call_ctx *ctx,
                                     const llmops_request *req, llmops_response *resp)
{
    return replay_op(LLMOPS__CASSETTE_GENERATE, p, ctx, req, resp);
}

static llmops_status replay_classify(llmops_provider *p, const llmops__call_ctx *ctx,
                                     const llmops_request *req, llmops_response *resp)
{
    return replay_op(LLMOPS__CASSETTE_CLASSIFY, p, ctx, req, resp);
}

static llmops_status replay_embed(llmops_provider *p, const llmops__call_ctx *ctx,
                                  const llmops_request *req, llmops_response *resp)
{
    return replay_op(LLMOPS__CASSETTE_EMBED, p, ctx, req, resp);
}

static void replay_destroy(void *impl)
{
    replay *r = impl;
    if (r) {
        llmops__free(r->dir);
        llmops__free(r);
    }
}

static const llmops__provider_ops replay_ops = {replay_generate, replay_classify, replay_embed,
                                                replay_destroy};

llmops_status llmops_provider_new_replay(llmops_provider **out, const char *name,
                                         const char *dir, unsigned flags)
{
    if (!out)
        return LLMOPS_E_INVALID_ARGUMENT;
    *out = NULL;
    if (!dir || !*dir || (flags & ~(unsigned)LLMOPS_REPLAY_TIMING))
        return LLMOPS_E_INVALID_ARGUMENT;
    replay *r = llmops__calloc(1, sizeof *r);
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
    r->flags = flags;
    return llmops__provider_create(out, name, "replay", &replay_ops, r);
}
