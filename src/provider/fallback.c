/* The fallback chain: a provider kind that tries its targets in order, each
 * with retries (full-jitter backoff, retry hints honoured) and a circuit
 * breaker, all under one deadline.
 *
 * What a failed attempt leads to:
 *  - retried on the same target (until max_attempts): what is safe to retry
 *    (llmops__status_retryable: rate limited, overloaded, provider error,
 *    timeout, transport). A retry whose wait (the jittered backoff, or the
 *    provider's retry hint when that is longer) would reach the deadline is
 *    not taken: the chain moves on to the next target and the final error
 *    says so.
 *  - next target, no retry: what another target may well not share: AUTH,
 *    PERMISSION and MODEL_NOT_FOUND (that target's key or model), and
 *    whatever else is neither retryable nor about the request itself
 *    (UNSUPPORTED, MALFORMED_RESPONSE, NO_RECORDING, CIRCUIT_OPEN of a
 *    nested chain, CONFIG, IO, ...).
 *  - returned at once: what any provider would answer alike or what the
 *    host asked for: BAD_REQUEST, CONTEXT_LENGTH, CONTENT_FILTERED,
 *    INVALID_ARGUMENT, VALIDATION, SCHEMA, CONTRACT_VIOLATION, BLOCKED,
 *    BUDGET_EXCEEDED, CANCELLED, ABORTED, NO_MEMORY, INTERNAL.
 *  - and any failure once streamed content reached the host is returned as
 *    is: the host has already shown part of an answer, and a retry would
 *    repeat or contradict it.
 *
 * A target whose breaker is open is skipped and the skip is recorded as an
 * attempt with LLMOPS_E_CIRCUIT_OPEN (latency 0), so the attempt list shows
 * why a target was not asked. When no target was called at all the call
 * fails with LLMOPS_E_CIRCUIT_OPEN; when the deadline passes it fails with
 * LLMOPS_E_TIMEOUT; when every target failed it fails with the last
 * attempt's status. Those three messages list the attempts briefly
 * ("openai-main: rate limited (429) x3; anthropic-backup: overloaded (529)")
 * and end with the last target's own error. Breakers count per attempt; see
 * llmops__breaker_outcome_of for what counts, except that a timeout at the
 * chain's own deadline does not count against the target (the caller's
 * budget ran out, the target may be fine). */
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/strbuf.h"
#include "provider/backoff.h"
#include "provider/breaker.h"
#include "provider/errors.h"
#include "provider/fallback.h"
#include "provider/provider.h"
#include "provider/response.h"
#include "provider/stream.h"

#define DEFAULT_MAX_ATTEMPTS 3u
#define DEFAULT_BASE_DELAY_MS 250u
#define DEFAULT_MAX_DELAY_MS 20000u
#define DEFAULT_BREAKER_THRESHOLD 5u
#define DEFAULT_BREAKER_COOLDOWN_MS 30000u
#define NS_PER_MS 1000000ull

typedef struct fb_target {
    llmops_provider *p;
    char *model;                 /* NULL: the call's model */
    llmops__breaker breaker;
} fb_target;

typedef struct fallback {
    fb_target *targets;
    size_t n;
    unsigned max_attempts;
    uint64_t base_ns, max_ns;
    uint64_t deadline_ms;
    const llmops__resil_clock *clk;
} fallback;

typedef enum fb_op { FB_GENERATE, FB_CLASSIFY, FB_EMBED } fb_op;

typedef enum fb_next { NEXT_RETRY, NEXT_TARGET, NEXT_RETURN } fb_next;

static fb_next next_after(llmops_status st)
{
    if (llmops__status_retryable(st))
        return NEXT_RETRY;
    switch (st) {
    case LLMOPS_E_BAD_REQUEST:
    case LLMOPS_E_CONTEXT_LENGTH:
    case LLMOPS_E_CONTENT_FILTERED:
    case LLMOPS_E_INVALID_ARGUMENT:
    case LLMOPS_E_VALIDATION:
    case LLMOPS_E_SCHEMA:
    case LLMOPS_E_CONTRACT_VIOLATION:
    case LLMOPS_E_BLOCKED:
    case LLMOPS_E_BUDGET_EXCEEDED:
    case LLMOPS_E_CANCELLED:
    case LLMOPS_E_ABORTED:
    case LLMOPS_E_NO_MEMORY:
    case LLMOPS_E_INTERNAL:
        return NEXT_RETURN;
    default:
        return NEXT_TARGET;
    }
}

static llmops_status run_op(fb_op op, llmops_provider *t, const llmops__call_ctx *ctx,
                            const llmops_request *req, llmops_response *resp)
{
    switch (op) {
    case FB_CLASSIFY:
        return llmops__provider_run_classify(t, ctx, req, resp);
    case FB_EMBED:
        return llmops__provider_run_embed(t, ctx, req, resp);
    default:
        return llmops__provider_run_generate(t, ctx, req, resp);
    }
}

/* "rate_limited" -> "rate limited" */
static void put_status(llmops__buf *b, llmops_status st)
{
    const char *s = llmops_status_str(st);
    for (; *s; s++)
        llmops__buf_putc(b, *s == '_' ? ' ' : *s);
}

/* Appends the attempts [from, nattempts) grouped by runs of one target,
 * status and HTTP status. */
static void put_attempts(llmops__buf *b, const llmops_response *resp, size_t from)
{
    size_t i = from;
    int first = 1;
    while (i < resp->nattempts) {
        const llmops__attempt_rec *a = &resp->attempts[i];
        size_t j = i + 1;
        while (j < resp->nattempts && resp->attempts[j].status == a->status &&
               resp->attempts[j].http_status == a->http_status &&
               strcmp(resp->attempts[j].target ? resp->attempts[j].target : "",
                      a->target ? a->target : "") == 0)
            j++;
        if (!first)
            llmops__buf_puts(b, "; ");
        first = 0;
        llmops__buf_puts(b, a->target ? a->target : "?");
        llmops__buf_puts(b, ": ");
        put_status(b, a->status);
        if (a->http_status)
            llmops__buf_printf(b, " (%d)", a->http_status);
        if (j - i > 1)
            llmops__buf_printf(b, " x%zu", j - i);
        i = j;
    }
}

/* Replaces resp's error with "<what>: <attempts><notes>; last error: <msg>". */
static llmops_status fail_chain(llmops_response *resp, llmops_status st, const char *what,
                                size_t from, const llmops__buf *notes)
{
    llmops__buf b = LLMOPS__BUF_INIT;
    llmops__buf_puts(&b, what);
    llmops__buf_puts(&b, ": ");
    put_attempts(&b, resp, from);
    if (notes->len)
        llmops__buf_append(&b, notes->data, notes->len);
    if (resp->error.len) {
        llmops__buf_puts(&b, "; last error: ");
        llmops__buf_append(&b, resp->error.data, resp->error.len);
    }
    if (b.failed) {
        llmops__buf_free(&b);
        return llmops__response_fail(resp, st, "%s", what);
    }
    llmops_status r = llmops__response_fail(resp, st, "%s", b.data);
    llmops__buf_free(&b);
    return r;
}

static uint64_t add_ms(uint64_t now_ns, uint64_t ms)
{
    if (ms > (UINT64_MAX - now_ns) / NS_PER_MS)
        return UINT64_MAX;
    return now_ns + ms * NS_PER_MS;
}

static llmops_status run_chain(fb_op op, llmops_provider *p, const llmops__call_ctx *ctx,
                               const llmops_request *req, llmops_response *resp)
{
    fallback *fb = p->impl;
    const llmops__resil_clock *clk = fb->clk;
    uint64_t start = clk->now_ns(clk->user);

    uint64_t deadline = ctx->deadline_ns;
    uint64_t budget_ms = fb->deadline_ms ? fb->deadline_ms : llmops_request_timeout_ms(req);
    if (budget_ms) {
        uint64_t d = add_ms(start, budget_ms);
        if (deadline == 0 || d < deadline)
            deadline = d;
    }

    size_t from = resp->nattempts;
    llmops__buf notes = LLMOPS__BUF_INIT;
    int called = 0;
    llmops_status last = LLMOPS_E_CIRCUIT_OPEN;
    llmops_status result;

    for (size_t i = 0; i < fb->n; i++) {
        fb_target *t = &fb->targets[i];
        const char *tname = llmops_provider_name(t->p);
        llmops__call_ctx sub = *ctx;
        sub.model = t->model ? t->model : ctx->model;
        sub.deadline_ns = deadline;
        const char *model = llmops__call_model(&sub, req, NULL);

        for (unsigned attempt = 1; attempt <= fb->max_attempts; attempt++) {
            uint64_t now = clk->now_ns(clk->user);
            if (deadline && now >= deadline)
                goto timed_out;
            llmops__breaker_ticket ticket = llmops__breaker_acquire(&t->breaker, now);
            if (ticket == LLMOPS__BREAKER_DENY) {
                if (llmops__response_add_attempt(resp, tname, model, LLMOPS_E_CIRCUIT_OPEN, 0,
                                                 0, 0) != LLMOPS_OK) {
                    result = llmops__response_fail(resp, LLMOPS_E_NO_MEMORY,
                                                   "fallback: out of memory recording an attempt");
                    goto out;
                }
                break;
            }
            if (called) {
                llmops__response_clear_for_attempt(resp);
                llmops__stream_restart(ctx->stream);
            }
            called = 1;
            llmops_status st = run_op(op, t->p, &sub, req, resp);
            uint64_t end = clk->now_ns(clk->user);
            /* A timeout at our own deadline says the call's budget ran out,
             * not that the target is failing. */
            llmops__breaker_outcome outcome =
                st == LLMOPS_E_TIMEOUT && deadline && end >= deadline
                    ? LLMOPS__BREAKER_NEUTRAL
                    : llmops__breaker_outcome_of(st);
            llmops__breaker_release(&t->breaker, ticket, outcome, end);
            if (llmops__response_add_attempt(resp, tname, model, st, resp->http_status,
                                             end - now, resp->retry_after_ms) != LLMOPS_OK) {
                result = llmops__response_fail(resp, LLMOPS_E_NO_MEMORY,
                                               "fallback: out of memory recording an attempt");
                goto out;
            }
            if (st == LLMOPS_OK) {
                if (!resp->provider && llmops__response_set_provider(resp, tname) != LLMOPS_OK) {
                    result = llmops__response_fail(resp, LLMOPS_E_NO_MEMORY,
                                                   "fallback: out of memory");
                    goto out;
                }
                result = LLMOPS_OK;
                goto out;
            }
            last = st;
            if (ctx->stream->emitted || ctx->stream->aborted) {
                result = st;
                goto out;
            }
            fb_next next = next_after(st);
            if (next == NEXT_RETURN) {
                result = st;
                goto out;
            }
            if (next == NEXT_TARGET || attempt == fb->max_attempts)
                break;

            uint64_t wait = 0;
            llmops__backoff_verdict v =
                llmops__backoff_plan(clk, attempt, fb->base_ns, fb->max_ns,
                                     resp->retry_after_ms, end, deadline, &wait);
            if (v == LLMOPS__BACKOFF_HINT_PAST_DEADLINE) {
                llmops__buf_printf(&notes,
                                   "; %s not retried: its retry hint of %llu ms passes the "
                                   "deadline",
                                   tname, (unsigned long long)resp->retry_after_ms);
                break;
            }
            if (v == LLMOPS__BACKOFF_PAST_DEADLINE) {
                llmops__buf_printf(&notes,
                                   "; %s not retried: a %llu ms backoff passes the deadline",
                                   tname, (unsigned long long)(wait / NS_PER_MS));
                break;
            }
            if (llmops__backoff_sleep(clk, wait, req) != 0) {
                result = llmops__response_fail(resp, LLMOPS_E_CANCELLED,
                                               "fallback: cancelled while waiting to retry %s",
                                               tname);
                goto out;
            }
        }
    }

    if (!called)
        result = fail_chain(resp, LLMOPS_E_CIRCUIT_OPEN,
                            "fallback: every target's circuit breaker is open", from, &notes);
    else
        result = fail_chain(resp, last, "fallback: every target failed", from, &notes);
    goto out;

timed_out: {
        char what[96];
        snprintf(what, sizeof what, "fallback: deadline of %llu ms passed",
                 (unsigned long long)((deadline - start) / NS_PER_MS));
        result = fail_chain(resp, LLMOPS_E_TIMEOUT, what, from, &notes);
    }
out:
    llmops__buf_free(&notes);
    return result;
}

static llmops_status fb_generate(llmops_provider *p, const llmops__call_ctx *ctx,
                                 const llmops_request *req, llmops_response *resp)
{
    return run_chain(FB_GENERATE, p, ctx, req, resp);
}

static llmops_status fb_classify(llmops_provider *p, const llmops__call_ctx *ctx,
                                 const llmops_request *req, llmops_response *resp)
{
    return run_chain(FB_CLASSIFY, p, ctx, req, resp);
}

static llmops_status fb_embed(llmops_provider *p, const llmops__call_ctx *ctx,
                              const llmops_request *req, llmops_response *resp)
{
    return run_chain(FB_EMBED, p, ctx, req, resp);
}

static void fb_free_targets(fb_target *targets, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        llmops_provider_free(targets[i].p);
        llmops__free(targets[i].model);
        llmops__breaker_destroy(&targets[i].breaker);
    }
    llmops__free(targets);
}

static void fb_destroy(void *impl)
{
    fallback *fb = impl;
    if (!fb)
        return;
    fb_free_targets(fb->targets, fb->n);
    llmops__free(fb);
}

static const llmops__provider_ops fallback_ops = {
    fb_generate, fb_classify, fb_embed, fb_destroy,
};

llmops_status llmops_provider_new_fallback(llmops_provider **out, const char *name,
                                           llmops_provider *const *targets,
                                           const char *const *models, size_t n,
                                           const llmops_retry_options *opts)
{
    if (!out)
        return LLMOPS_E_INVALID_ARGUMENT;
    *out = NULL;
    if (!targets || n == 0 || (opts && opts->version < 1))
        return LLMOPS_E_INVALID_ARGUMENT;
    for (size_t i = 0; i < n; i++)
        if (!targets[i])
            return LLMOPS_E_INVALID_ARGUMENT;

    llmops_retry_options o = LLMOPS_RETRY_OPTIONS_INIT;
    if (opts)
        o = *opts; /* version 1 is every field this library knows */
    fallback *fb = llmops__calloc(1, sizeof *fb);
    if (!fb)
        return LLMOPS_E_NO_MEMORY;
    fb->max_attempts = o.max_attempts ? o.max_attempts : DEFAULT_MAX_ATTEMPTS;
    fb->base_ns = (uint64_t)(o.base_delay_ms ? o.base_delay_ms : DEFAULT_BASE_DELAY_MS) * NS_PER_MS;
    fb->max_ns = (uint64_t)(o.max_delay_ms ? o.max_delay_ms : DEFAULT_MAX_DELAY_MS) * NS_PER_MS;
    fb->deadline_ms = o.deadline_ms;
    fb->clk = llmops__resil_clock_real();
    unsigned threshold = o.breaker_threshold ? o.breaker_threshold : DEFAULT_BREAKER_THRESHOLD;
    uint64_t cooldown_ns =
        (uint64_t)(o.breaker_cooldown_ms ? o.breaker_cooldown_ms : DEFAULT_BREAKER_COOLDOWN_MS) *
        NS_PER_MS;

    fb->targets = llmops__calloc(n, sizeof *fb->targets);
    if (!fb->targets) {
        llmops__free(fb);
        return LLMOPS_E_NO_MEMORY;
    }
    for (size_t i = 0; i < n; i++) {
        fb_target *t = &fb->targets[i];
        const char *m = models ? models[i] : NULL;
        t->model = m ? llmops__strdup(m) : NULL;
        if ((m && !t->model) || llmops__breaker_init(&t->breaker, threshold, cooldown_ns) != 0) {
            llmops__free(t->model);
            fb_free_targets(fb->targets, i);
            llmops__free(fb);
            return LLMOPS_E_NO_MEMORY;
        }
        t->p = llmops_provider_ref(targets[i]);
        fb->n = i + 1;
    }
    return llmops__provider_create(out, name ? name : "fallback", "fallback", &fallback_ops, fb);
}

llmops_status llmops__fallback_set_clock(llmops_provider *p, const llmops__resil_clock *clk)
{
    if (!p || p->ops != &fallback_ops)
        return LLMOPS_E_INVALID_ARGUMENT;
    ((fallback *)p->impl)->clk = clk ? clk : llmops__resil_clock_real();
    return LLMOPS_OK;
}

llmops__breaker *llmops__fallback_breaker(llmops_provider *p, size_t i)
{
    if (!p || p->ops != &fallback_ops)
        return NULL;
    fallback *fb = p->impl;
    return i < fb->n ? &fb->targets[i].breaker : NULL;
}
