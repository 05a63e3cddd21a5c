/* HTTP transport over libcurl. One process-wide share handle (DNS, TLS
 * sessions, connections) and a pool of easy handles, so calls from any
 * thread reuse connections. TLS verification is always on. Honours the
 * proxy environment. Owned by src/transport/http.c. */
#ifndef LLMOPS_TRANSPORT_HTTP_H
#define LLMOPS_TRANSPORT_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "core/strbuf.h"
#include "provider/wire.h"

/* Receives 2xx body bytes as they arrive when streaming. Return non-zero to
 * stop the transfer (the call then ends with the status the consumer set). */
typedef int (*llmops__http_body_fn)(const char *data, size_t len, void *user_data);

typedef struct llmops__http_call {
    const llmops__http_request *req;
    const llmops__provider_cfg *cfg;  /* timeouts, limits, CA bundle, extra headers */
    uint64_t deadline_ns;             /* absolute monotonic, 0: none (cfg total applies) */
    const llmops_cancel *cancel;      /* may be NULL */
    llmops__http_body_fn on_body;     /* NULL: buffer the whole body */
    void *user_data;
} llmops__http_call;

typedef struct llmops__http_result {
    llmops_status status;       /* transport outcome: OK (any HTTP status),
                                   TIMEOUT, TRANSPORT, CANCELLED, LIMIT,
                                   ABORTED (on_body stopped), NO_MEMORY */
    char error[256];            /* what failed, never a header value */
    int http_status;            /* 0 when none was received */
    llmops__buf body;           /* buffered body (always for non-2xx, bounded) */
    uint64_t retry_after_ms;    /* largest retry hint from the headers */
    char request_id[128];       /* x-request-id / request-id / x-goog-... */
    uint64_t first_byte_ns;     /* monotonic time of the first body byte */
} llmops__http_result;

void llmops__http_result_init(llmops__http_result *r);
void llmops__http_result_free(llmops__http_result *r);

/* Performs one exchange. Blocking; thread-safe. Timeouts: cfg connect,
 * first byte (to the response headers), idle (no byte for that long
 * mid-body), total (and deadline_ns, whichever is earlier). Response bodies
 * beyond cfg->max_response_bytes end the transfer with LLMOPS_E_LIMIT;
 * request bodies beyond max_request_bytes are refused before sending. */
llmops_status llmops__http_perform(const llmops__http_call *call, llmops__http_result *res);

/* Releases the pooled handles (tests and leak checkers call it at exit). */
void llmops__http_global_cleanup(void);

#endif
