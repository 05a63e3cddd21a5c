/* Stream decoder: body bytes → framing (SSE or NDJSON) → the wire's
 * stream_event → deltas. The first failure is sticky: after it, bytes are
 * ignored so a broken stream cannot emit more. */
#include "provider/decoder.h"

#include <string.h>

#include "provider/response.h"
#include "provider/stream.h"

static int on_sse(const char *event, size_t elen, const char *data, size_t dlen, const char *id,
                  size_t idlen, void *ud)
{
    llmops__decoder *d = ud;
    d->status = d->wire->stream_event(d->state, event, elen, data, dlen, d->stream);
    return d->status != LLMOPS_OK;
}

static int on_line(const char *line, size_t len, void *ud)
{
    llmops__decoder *d = ud;
    d->status = d->wire->stream_event(d->state, NULL, 0, line, len, d->stream);
    return d->status != LLMOPS_OK;
}

llmops_status llmops__decoder_init(llmops__decoder *d, const llmops__wire *wire,
                                   llmops_stream *stream, size_t max_event)
{
    memset(d, 0, sizeof *d);
    d->wire = wire;
    d->stream = stream;
    if (wire->framing == LLMOPS__FRAMING_NDJSON)
        llmops__ndjson_init(&d->ndjson, max_event);
    else
        llmops__sse_init(&d->sse, max_event);
    d->state = wire->stream_new();
    if (!d->state) {
        d->status = LLMOPS_E_NO_MEMORY;
        return llmops__response_fail(stream->resp, LLMOPS_E_NO_MEMORY,
                                     "out of memory starting a stream");
    }
    return LLMOPS_OK;
}

/* Turns a framing result into the decoder's status and a message on the
 * response (unless the wire already explained the failure). */
static llmops_status settle(llmops__decoder *d, int rc, size_t max_event)
{
    llmops_response *resp = d->stream->resp;
    if (rc == 0)
        return LLMOPS_OK;
    if (rc > 0) {
        if (d->status == LLMOPS_OK)
            d->status = LLMOPS_E_INTERNAL;
    } else if (rc == LLMOPS__SSE_LIMIT) {
        d->status = LLMOPS_E_LIMIT;
        return llmops__response_fail(resp, LLMOPS_E_LIMIT,
                                     "a stream event is larger than the %zu-byte limit",
                                     max_event);
    } else {
        d->status = LLMOPS_E_NO_MEMORY;
    }
    if (resp->status == LLMOPS_OK || resp->status != d->status) {
        if (d->status == LLMOPS_E_ABORTED)
            llmops__response_fail(resp, d->status, "the delta callback asked to stop");
        else if (resp->status == LLMOPS_OK)
            llmops__response_fail(resp, d->status, "stream: %s",
                                  llmops_status_str(d->status));
    }
    return d->status;
}

llmops_status llmops__decoder_feed(llmops__decoder *d, const char *data, size_t len)
{
    if (d->status != LLMOPS_OK || d->ended)
        return d->status;
    int rc = d->wire->framing == LLMOPS__FRAMING_NDJSON
                 ? llmops__ndjson_feed(&d->ndjson, data, len, on_line, d)
                 : llmops__sse_feed(&d->sse, data, len, on_sse, d);
    return settle(d, rc,
                  d->wire->framing == LLMOPS__FRAMING_NDJSON ? d->ndjson.max_line
                                                             : d->sse.max_event);
}

llmops_status llmops__decoder_finish(llmops__decoder *d)
{
    if (d->status != LLMOPS_OK || d->ended)
        return d->status;
    d->ended = 1;
    int rc = d->wire->framing == LLMOPS__FRAMING_NDJSON
                 ? llmops__ndjson_finish(&d->ndjson, on_line, d)
                 : llmops__sse_finish(&d->sse, on_sse, d);
    llmops_status st = settle(d, rc,
                              d->wire->framing == LLMOPS__FRAMING_NDJSON ? d->ndjson.max_line
                                                                         : d->sse.max_event);
    if (st != LLMOPS_OK)
        return st;
    d->status = d->wire->stream_end(d->state, d->stream);
    if (d->status != LLMOPS_OK && d->stream->resp->status == LLMOPS_OK)
        llmops__response_fail(d->stream->resp, d->status, "stream: %s",
                              llmops_status_str(d->status));
    return d->status;
}

void llmops__decoder_free(llmops__decoder *d)
{
    if (d->wire && d->wire->framing == LLMOPS__FRAMING_NDJSON)
        llmops__ndjson_free(&d->ndjson);
    else
        llmops__sse_free(&d->sse);
    if (d->state)
        d->wire->stream_free(d->state);
    d->state = NULL;
}
