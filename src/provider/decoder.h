/* Stream decoder: bytes of a streamed response body → the wire's framing
 * (SSE or NDJSON) → the wire's stream_event → deltas on the call's stream.
 * The transport's write callback feeds it piecewise; conformance tests and
 * fuzzers feed recordings split anywhere. Owned by src/provider/decoder.c. */
#ifndef LLMOPS_PROVIDER_DECODER_H
#define LLMOPS_PROVIDER_DECODER_H

#include <stddef.h>

#include "provider/wire.h"
#include "stream/ndjson.h"
#include "stream/sse.h"

typedef struct llmops__decoder {
    const llmops__wire *wire;
    void *state;               /* the wire's stream state */
    llmops_stream *stream;
    llmops__sse sse;
    llmops__ndjson ndjson;
    llmops_status status;      /* first failure, sticky */
    int ended;                 /* finish ran */
} llmops__decoder;

/* max_event bounds one event/line (0: none). LLMOPS_E_NO_MEMORY. */
llmops_status llmops__decoder_init(llmops__decoder *d, const llmops__wire *wire,
                                   llmops_stream *stream, size_t max_event);
/* Returns LLMOPS_OK or the first failure (typed: the wire's in-stream
 * error, LLMOPS_E_MALFORMED_RESPONSE, LLMOPS_E_LIMIT, LLMOPS_E_ABORTED).
 * After a failure further input is ignored. The failure is also set on the
 * response with a message. */
llmops_status llmops__decoder_feed(llmops__decoder *d, const char *data, size_t len);
/* End of body: flushes the framing and runs the wire's stream_end. */
llmops_status llmops__decoder_finish(llmops__decoder *d);
void llmops__decoder_free(llmops__decoder *d);

#endif
