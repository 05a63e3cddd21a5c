/* The streaming sink: every piece goes into the call's response first and
 * then, when the host asked for deltas, to its callback. Because the
 * response is filled the same way either way, a streamed and a
 * non-streamed call end with identical responses. */
#include "provider/stream.h"

#include <string.h>

#include "core/clock.h"
#include "json/utf8.h"
#include "provider/response.h"

void llmops__stream_init(llmops_stream *s, llmops_response *resp, llmops_delta_fn fn,
                         void *user_data)
{
    memset(s, 0, sizeof *s);
    s->resp = resp;
    s->fn = fn;
    s->user_data = user_data;
    s->open_call = SIZE_MAX;
}

static void mark_first_token(llmops_stream *s)
{
    if (!s->resp->ttft_ns && s->resp->start_ns) {
        uint64_t now = llmops__mono_ns();
        s->resp->ttft_ns = now > s->resp->start_ns ? now - s->resp->start_ns : 1;
    }
}

static llmops_status deliver(llmops_stream *s, llmops_delta_kind kind, const char *text,
                             size_t len, size_t index, const char *id, const char *name)
{
    if (s->aborted)
        return LLMOPS_E_ABORTED;
    if (!s->fn)
        return LLMOPS_OK;
    llmops_delta d = {LLMOPS_DELTA_VERSION, kind, text ? text : "", len, index, id, name};
    s->emitted = 1;
    if (s->fn(&d, s->user_data) != 0) {
        s->aborted = 1;
        return LLMOPS_E_ABORTED;
    }
    return LLMOPS_OK;
}

/* Tool call i is whole: hand the host its complete arguments. */
static llmops_status close_call(llmops_stream *s, size_t i)
{
    llmops_response *r = s->resp;
    return deliver(s, LLMOPS_DELTA_TOOL_CALL_DONE, llmops_response_tool_call_arguments(r, i),
                   strlen(llmops_response_tool_call_arguments(r, i)), i, r->calls[i].id,
                   r->calls[i].name);
}

/* Closes every call before `upto` that is not closed yet. */
static llmops_status close_calls(llmops_stream *s, size_t upto)
{
    if (upto > s->resp->ncalls)
        upto = s->resp->ncalls;
    while (s->calls_done < upto) {
        llmops_status st = close_call(s, s->calls_done);
        s->calls_done++;
        if (st != LLMOPS_OK)
            return st;
    }
    return LLMOPS_OK;
}

llmops_status llmops__stream_text(llmops_stream *s, const char *text, size_t len)
{
    if (s->aborted)
        return LLMOPS_E_ABORTED;
    if (!len)
        return LLMOPS_OK;
    llmops_status st = llmops__response_append_text(s->resp, text, len);
    if (st != LLMOPS_OK)
        return st;
    mark_first_token(s);
    return deliver(s, LLMOPS_DELTA_TEXT, text, len, 0, NULL, NULL);
}

llmops_status llmops__stream_reasoning(llmops_stream *s, const char *text, size_t len)
{
    if (s->aborted)
        return LLMOPS_E_ABORTED;
    if (!len)
        return LLMOPS_OK;
    llmops_status st = llmops__response_append_reasoning(s->resp, text, len);
    if (st != LLMOPS_OK)
        return st;
    mark_first_token(s);
    return deliver(s, LLMOPS_DELTA_REASONING, text, len, 0, NULL, NULL);
}

llmops_status llmops__stream_tool_call(llmops_stream *s, size_t index, const char *id,
                                       size_t id_len, const char *name, size_t name_len,
                                       const char *frag, size_t frag_len)
{
    if (s->aborted)
        return LLMOPS_E_ABORTED;
    llmops_status st = llmops__response_tool_call_fragment(s->resp, index, id, id_len, name,
                                                           name_len, frag, frag_len);
    if (st != LLMOPS_OK)
        return st;
    mark_first_token(s);
    if (!s->fn)
        return LLMOPS_OK;
    /* A new call starting means the ones before it are whole. */
    if ((st = close_calls(s, index)) != LLMOPS_OK)
        return st;
    s->open_call = index;
    const llmops__resp_tool_call *c = &s->resp->calls[index];
    return deliver(s, LLMOPS_DELTA_TOOL_CALL, frag, frag_len, index, c->id, c->name);
}

llmops_status llmops__stream_finish(llmops_stream *s)
{
    if (s->aborted)
        return LLMOPS_E_ABORTED;
    if (!s->fn)
        return LLMOPS_OK;
    llmops_response *r = s->resp;
    if (!s->emitted) {
        /* The provider filled the response without streaming: the host
         * still gets the answer through its callback, as whole pieces. */
        size_t len;
        const char *t = llmops_response_reasoning(r, &len);
        llmops_status st;
        if (len && (st = deliver(s, LLMOPS_DELTA_REASONING, t, len, 0, NULL, NULL)) != LLMOPS_OK)
            return st;
        t = llmops_response_text(r, &len);
        if (len && (st = deliver(s, LLMOPS_DELTA_TEXT, t, len, 0, NULL, NULL)) != LLMOPS_OK)
            return st;
        for (size_t i = s->calls_done; i < r->ncalls; i++) {
            const char *args = llmops_response_tool_call_arguments(r, i);
            st = deliver(s, LLMOPS_DELTA_TOOL_CALL, args, strlen(args), i, r->calls[i].id,
                         r->calls[i].name);
            if (st != LLMOPS_OK)
                return st;
        }
        if (r->ttft_ns == 0 && r->start_ns && (r->text.len || r->reasoning.len || r->ncalls))
            mark_first_token(s);
    }
    return close_calls(s, r->ncalls);
}

llmops_status llmops__stream_forward(llmops_stream *s, const llmops_delta *d)
{
    if (s->aborted)
        return LLMOPS_E_ABORTED;
    if (!s->fn || !d)
        return LLMOPS_OK;
    if (d->kind == LLMOPS_DELTA_TOOL_CALL)
        s->open_call = d->tool_index;
    if (d->kind == LLMOPS_DELTA_TOOL_CALL_DONE && s->calls_done < d->tool_index + 1)
        s->calls_done = d->tool_index + 1;
    s->emitted = 1;
    if (s->fn(d, s->user_data) != 0) {
        s->aborted = 1;
        return LLMOPS_E_ABORTED;
    }
    return LLMOPS_OK;
}

void llmops__stream_restart(llmops_stream *s)
{
    s->open_call = SIZE_MAX;
    s->calls_done = 0;
    s->aborted = 0;
}

/* ---- public, for host providers ----------------------------------------- */

llmops_status llmops_stream_text(llmops_stream *s, const char *text, size_t len)
{
    if (!s || (!text && len))
        return LLMOPS_E_INVALID_ARGUMENT;
    if (len == SIZE_MAX)
        len = strlen(text);
    if (len && llmops__utf8_check(text, len) != len)
        return LLMOPS_E_INVALID_ARGUMENT;
    return llmops__stream_text(s, text, len);
}

llmops_status llmops_stream_reasoning(llmops_stream *s, const char *text, size_t len)
{
    if (!s || (!text && len))
        return LLMOPS_E_INVALID_ARGUMENT;
    if (len == SIZE_MAX)
        len = strlen(text);
    if (len && llmops__utf8_check(text, len) != len)
        return LLMOPS_E_INVALID_ARGUMENT;
    return llmops__stream_reasoning(s, text, len);
}

llmops_status llmops_stream_tool_call(llmops_stream *s, size_t index, const char *id,
                                      const char *name, const char *frag, size_t len)
{
    if (!s || (!frag && len) || index > s->resp->ncalls)
        return LLMOPS_E_INVALID_ARGUMENT;
    if (index == s->resp->ncalls && (!name || !*name))
        return LLMOPS_E_INVALID_ARGUMENT; /* a new call needs its name */
    if (len == SIZE_MAX)
        len = strlen(frag);
    if (len && llmops__utf8_check(frag, len) != len)
        return LLMOPS_E_INVALID_ARGUMENT;
    return llmops__stream_tool_call(s, index, id, id ? strlen(id) : 0, name,
                                    name ? strlen(name) : 0, frag, len);
}
