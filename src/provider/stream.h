/* The streaming sink of one call. Owned by src/provider/stream.c. Every
 * delta goes both into the call's response (so streamed and non-streamed
 * answers end identical) and to the host's callback. */
#ifndef LLMOPS_PROVIDER_STREAM_H
#define LLMOPS_PROVIDER_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "llmops/provider.h"

struct llmops_stream {
    llmops_response *resp;
    llmops_delta_fn fn;          /* NULL: accumulate only (non-streamed call) */
    void *user_data;
    int emitted;                 /* some content reached the host: no retry */
    int aborted;                 /* the host's callback returned non-zero */
    size_t open_call;            /* tool call index being streamed, SIZE_MAX none */
    size_t calls_done;           /* calls [0, calls_done) had TOOL_CALL_DONE */
};

/* fn may be NULL. resp->start_ns must be set (ttft is measured from it). */
void llmops__stream_init(llmops_stream *s, llmops_response *resp, llmops_delta_fn fn,
                         void *user_data);

/* The internal forms of llmops_stream_text/_reasoning/_tool_call with
 * lengths for id and name (wire formats hand over unterminated slices). */
llmops_status llmops__stream_text(llmops_stream *s, const char *text, size_t len);
llmops_status llmops__stream_reasoning(llmops_stream *s, const char *text, size_t len);
llmops_status llmops__stream_tool_call(llmops_stream *s, size_t index, const char *id,
                                       size_t id_len, const char *name, size_t name_len,
                                       const char *frag, size_t frag_len);

/* End of a successful call: emits TOOL_CALL_DONE for calls not yet closed
 * and, when the provider filled the response without streaming, delivers
 * the reasoning, text and tool calls as deltas. Returns LLMOPS_E_ABORTED if
 * the host stopped. */
llmops_status llmops__stream_finish(llmops_stream *s);

/* Delivers a delta to s's host callback without accumulating it into s's
 * response (a wrapper that runs its target with a stream of its own — the
 * recorder — forwards what that stream saw), keeping s's emitted, aborted
 * and tool-call bookkeeping. LLMOPS_E_ABORTED when the host stops. */
llmops_status llmops__stream_forward(llmops_stream *s, const llmops_delta *d);

/* Discards what an attempt accumulated before a retry (only valid while
 * s->emitted is 0). */
void llmops__stream_restart(llmops_stream *s);

#endif
