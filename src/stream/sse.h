/* Server-sent events parser (WHATWG HTML "event stream interpretation"):
 * `event`, `data`, `id`, `retry` fields, comments, multi-line data, CR, LF
 * and CRLF line ends, a leading BOM, events split across any read boundary.
 * Incremental and allocation-free per byte: lines are scanned with memchr and
 * copied only when an event spans reads. Owned by src/stream/sse.c. */
#ifndef LLMOPS_STREAM_SSE_H
#define LLMOPS_STREAM_SSE_H

#include <stddef.h>
#include <stdint.h>

#include "core/strbuf.h"

/* One dispatched event. `event` is "" when the stream named none (the spec's
 * "message"); data has the lines joined by "\n" without the final one; id is
 * the last event id seen so far (may be ""). Return non-zero to stop. */
typedef int (*llmops__sse_fn)(const char *event, size_t event_len, const char *data,
                              size_t data_len, const char *id, size_t id_len, void *user_data);

typedef struct llmops__sse {
    llmops__buf line;       /* a partial line carried between reads */
    llmops__buf data;       /* data of the event being assembled */
    llmops__buf event;      /* its event name */
    llmops__buf id;         /* last event id */
    int64_t retry_ms;       /* last valid `retry`, -1 when none */
    int after_cr;           /* the previous read ended in CR (a following LF
                               belongs to the same line end) */
    int started;            /* BOM check done */
    int has_data;           /* a data field was seen in this event */
    size_t max_event;       /* limit on line + event bytes, 0: none */
} llmops__sse;

/* Result codes of feed/finish besides the callback's own non-zero value. */
#define LLMOPS__SSE_OK 0
#define LLMOPS__SSE_LIMIT (-1)     /* an event exceeded max_event */
#define LLMOPS__SSE_NOMEM (-2)

void llmops__sse_init(llmops__sse *p, size_t max_event);
/* Parses len bytes; dispatches each complete event. Returns 0, the
 * callback's non-zero return (parsing stops there), or a negative code. */
int llmops__sse_feed(llmops__sse *p, const char *buf, size_t len, llmops__sse_fn fn,
                     void *user_data);
/* End of stream: a final line without a line end is processed; an event
 * not terminated by a blank line is discarded, as the spec requires. */
int llmops__sse_finish(llmops__sse *p, llmops__sse_fn fn, void *user_data);
void llmops__sse_free(llmops__sse *p);

#endif
