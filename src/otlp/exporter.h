/* OTLP/HTTP JSON trace exporter: a trace sink that batches finished spans
 * on a background thread and POSTs them to <endpoint>/v1/traces as an
 * ExportTraceServiceRequest (protobuf JSON mapping: hex ids, 64-bit numbers
 * as decimal strings, enums as integers). Enqueue never blocks on the
 * network and never fails the caller: a span that cannot be queued is
 * dropped and counted. Without libcurl (LLMOPS_HAVE_HTTP 0) llmops__otlp_new
 * answers LLMOPS_E_UNSUPPORTED. */
#ifndef LLMOPS_OTLP_EXPORTER_H
#define LLMOPS_OTLP_EXPORTER_H

#include <stddef.h>
#include <stdint.h>

#include "core/strbuf.h"
#include "llmops/common.h"
#include "trace/span.h"

typedef enum llmops__otlp_drop_policy {
    LLMOPS__OTLP_DROP_NEWEST = 0,   /* a full queue refuses the new span */
    LLMOPS__OTLP_DROP_OLDEST = 1    /* a full queue evicts its oldest span */
} llmops__otlp_drop_policy;

typedef struct llmops__otlp_options {
    const char *endpoint;            /* base URL, "http://127.0.0.1:4318" */
    const char *const *headers;      /* "Name: value" (collector auth); never logged */
    size_t nheaders;
    const char *service_name;        /* resource service.name; NULL: "libllmops" */
    const llmops__attr *resource_attrs;
    size_t nresource_attrs;
    size_t queue_capacity;           /* spans; 0: 2048 */
    size_t max_batch;                /* spans per request; 0: 512; at most
                                        queue_capacity */
    unsigned flush_interval_ms;      /* 0: 1000 */
    unsigned timeout_ms;             /* per request; 0: 5000 */
    int max_retries;                 /* attempts after the first; 0 (or less): none */
    unsigned retry_base_ms;          /* first backoff; 0: 100 */
    unsigned retry_max_ms;           /* cap of one backoff or Retry-After; 0: 30000 */
    unsigned shutdown_timeout_ms;    /* bound of the final flush in free; 0: 2000 */
    llmops__otlp_drop_policy drop_policy;
} llmops__otlp_options;

typedef struct llmops__otlp_stats {
    uint64_t enqueued;          /* spans accepted into the queue */
    uint64_t exported;          /* spans the collector accepted (2xx, less rejected) */
    uint64_t dropped_full;      /* refused or evicted: queue full */
    uint64_t dropped_shutdown;  /* offered after shutdown, or still queued at the end */
    uint64_t dropped_nomem;     /* the span copy could not be allocated */
    uint64_t dropped_failed;    /* spans of batches that finally failed */
    uint64_t dropped_rejected;  /* spans a 2xx answer's partialSuccess refused */
    uint64_t batches_ok;        /* requests answered 2xx */
    uint64_t batches_failed;    /* batches given up (retries exhausted or not retryable) */
    uint64_t retries;           /* repeated attempts */
    size_t queued;              /* spans waiting now (not counting the one in flight) */
} llmops__otlp_stats;

typedef struct llmops__otlp llmops__otlp;

/* Starts the exporter thread. err (may be NULL) says what was wrong. */
llmops_status llmops__otlp_new(const llmops__otlp_options *o, llmops__otlp **out,
                               llmops__buf *err);

/* Copies the span into the queue or drops it (counted). Never blocks on the
 * network; only a short critical section shared with the exporter thread. */
void llmops__otlp_enqueue(llmops__otlp *exp, const llmops__span *s);

/* Asks for an export now and waits until the queue is empty and nothing is
 * in flight, or timeout_ms passed. LLMOPS_OK or LLMOPS_E_TIMEOUT. */
llmops_status llmops__otlp_flush(llmops__otlp *exp, unsigned timeout_ms);

/* Exports what is queued for at most shutdown_timeout_ms (a request in
 * flight is aborted at that deadline), then stops the thread; spans left
 * are counted as dropped_shutdown, and later enqueues are dropped. */
void llmops__otlp_shutdown(llmops__otlp *exp);

void llmops__otlp_stats_get(llmops__otlp *exp, llmops__otlp_stats *out);

/* The last export failure ("" when none): status or transport error and the
 * endpoint without user info; never a header. */
void llmops__otlp_last_error(llmops__otlp *exp, char *out, size_t outsz);

/* Shutdown, then frees. NULL-safe. */
void llmops__otlp_free(llmops__otlp *exp);

/* The OTLP JSON ExportTraceServiceRequest for n spans (exposed for tests). */
void llmops__otlp_encode(const char *service_name, const llmops__attr *res, size_t nres,
                         const llmops__span *const *spans, size_t n, llmops__buf *out);

#endif
