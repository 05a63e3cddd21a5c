/* Metrics registry: counters and histograms keyed by label sets, updated
 * from many threads on the call path and read as a snapshot (foreach) or as
 * Prometheus text exposition format 0.0.4.
 *
 * Ownership: llmops__metrics_new returns a registry the caller frees with
 * llmops__metrics_free. Label values passed to updates are copied when a new
 * series is created; nothing passed in is kept. Everything handed to a
 * foreach callback is borrowed for the duration of that callback only.
 *
 * Thread-safety: after llmops__metrics_new, every function except
 * llmops__metrics_free may be called from any number of threads at once.
 * An update to an existing series takes no lock (a lock-free hash lookup,
 * then atomic adds); a series is created once, under the registry's lock.
 * A snapshot reads each number atomically but not all numbers at one instant:
 * a histogram's _count always equals its +Inf bucket, while its _sum may trail
 * an observation that is still being recorded.
 *
 * Cardinality: the registry holds at most `max_series` label sets across all
 * metrics. Once full, an update with a new label set lands in that metric's
 * overflow series (the one attribute otel.metric.overflow="true", as the
 * OpenTelemetry SDKs do) and is counted in llmops_metric_overflow_total. */
#ifndef LLMOPS_METRICS_METRICS_H
#define LLMOPS_METRICS_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "core/strbuf.h"
#include "llmops/common.h"
#include "llmops/provider.h"

/* Built-in metrics, in the order of the definition table (metrics.c). The
 * label order of each is the order label values are passed in. */
typedef enum llmops__metric_id {
    /* ours, labelled {task, model, variant} unless noted */
    LLMOPS__M_REQUESTS = 0,     /* llmops_requests_total */
    LLMOPS__M_ERRORS,           /* llmops_errors_total {task, model, variant, status} */
    LLMOPS__M_LATENCY,          /* llmops_latency_seconds (histogram) */
    LLMOPS__M_TTFT,             /* llmops_ttft_seconds (histogram) */
    LLMOPS__M_TOKENS,           /* llmops_tokens_total {task, model, variant, type} */
    LLMOPS__M_COST,             /* llmops_cost_usd_total (floating point) */
    LLMOPS__M_RETRIES,          /* llmops_retries_total */
    LLMOPS__M_FALLBACKS,        /* llmops_fallbacks_total */
    LLMOPS__M_CACHE_HITS,       /* llmops_cache_hits_total */
    LLMOPS__M_DROPPED_SPANS,    /* llmops_dropped_spans_total {sink} */
    /* OpenTelemetry GenAI client metrics {gen_ai.operation.name,
     * gen_ai.provider.name, gen_ai.request.model, gen_ai.response.model,
     * error.type} */
    LLMOPS__M_GENAI_DURATION,   /* gen_ai.client.operation.duration */
    LLMOPS__M_GENAI_TOKENS,     /* gen_ai.client.token.usage (+ gen_ai.token.type, no error.type) */
    LLMOPS__M_GENAI_TTFC,       /* gen_ai.client.operation.time_to_first_chunk (no error.type) */
    /* the registry's own */
    LLMOPS__M_OVERFLOW,         /* llmops_metric_overflow_total {metric} */
    LLMOPS__M_BUILTIN_COUNT
} llmops__metric_id;

/* Limits. A registry holds at most LLMOPS__METRICS_MAX metric definitions
 * (built-in ones included). Label values longer than
 * LLMOPS__METRICS_VALUE_MAX bytes are cut there (at a UTF-8 boundary). */
#define LLMOPS__METRICS_MAX 64
#define LLMOPS__METRICS_LABELS_MAX 8
#define LLMOPS__METRICS_BUCKETS_MAX 64
#define LLMOPS__METRICS_VALUE_MAX 256
#define LLMOPS__METRICS_DEFAULT_SERIES 10000

typedef enum llmops__metric_kind {
    LLMOPS__METRIC_COUNTER = 1,
    LLMOPS__METRIC_HISTOGRAM = 2
} llmops__metric_kind;

/* How a counter keeps its value: an exact unsigned integer, or a double
 * (for amounts such as cost). Histograms always keep a double sum. */
typedef enum llmops__metric_value {
    LLMOPS__VALUE_INT = 1,
    LLMOPS__VALUE_DOUBLE = 2
} llmops__metric_value;

/* A metric definition. Strings are copied by llmops__metrics_define.
 *   name       Prometheus name: [a-zA-Z_:][a-zA-Z0-9_:]*, counters end in _total
 *   otel_name  OpenTelemetry instrument name (dots allowed), NULL = name
 *   labels     attribute keys: [a-zA-Z_][a-zA-Z0-9_.]*; Prometheus shows them
 *              with dots as underscores, and those forms must be distinct,
 *              must not start with "__" and, for histograms, must not be "le"
 *   bounds     histogram upper bounds, finite and strictly increasing (the
 *              +Inf bucket is implicit); at least one */
typedef struct llmops__metric_def {
    const char *name;
    const char *otel_name;
    const char *help;
    const char *unit;            /* UCUM, for OTLP: "s", "{token}", ... */
    llmops__metric_kind kind;
    llmops__metric_value value;  /* counters only; histograms ignore it */
    size_t nlabels;
    const char *const *labels;
    size_t nbounds;
    const double *bounds;
} llmops__metric_def;

typedef struct llmops__metrics llmops__metrics;

/* max_series: cap on label sets across all metrics, 0 = the default 10 000.
 * The lookup table takes 16 to 32 bytes per label set the cap allows (256 KB
 * by default), allocated here. Returns NULL when out of memory or when
 * max_series is above 2^26. */
llmops__metrics *llmops__metrics_new(size_t max_series);
/* Not safe while another thread uses the registry. NULL is a no-op. */
void llmops__metrics_free(llmops__metrics *m);

/* Adds a metric after the built-in ones. LLMOPS_OK and *out_id set;
 * LLMOPS_E_INVALID_ARGUMENT (a name, label or bound is not acceptable),
 * LLMOPS_E_LIMIT (the table is full, or the Prometheus name, one of a
 * histogram's _bucket/_sum/_count names or the OpenTelemetry name is taken),
 * LLMOPS_E_NO_MEMORY. On failure *why, if not NULL, gets a message to free
 * with llmops__free. */
llmops_status llmops__metrics_define(llmops__metrics *m, const llmops__metric_def *def,
                                     int *out_id, char **why);

/* The definition of metric `id` (borrowed from the registry, immutable), or
 * NULL for an unknown id. Built-in definitions are the same in every registry. */
const llmops__metric_def *llmops__metrics_def(const llmops__metrics *m, int id);

/* Name checks of the Prometheus data model (metrics.c). 1 if valid. */
int llmops__metrics_valid_name(const char *name);
int llmops__metrics_valid_label(const char *key);

/* Updates. `values` holds `nvalues` label values, one per label of the
 * metric in its label order (NULL or "" = the label is empty, which
 * Prometheus shows as absent); LLMOPS__LABELS(array) passes an array with its
 * length. LLMOPS_OK; LLMOPS_E_INVALID_ARGUMENT for an unknown id, the wrong
 * kind, a wrong number of values, a negative or NaN amount, or a NaN
 * observation; LLMOPS_E_NO_MEMORY when a new series could not be made (the
 * update is lost). */
#define LLMOPS__LABELS(array) (array), (sizeof(array) / sizeof((array)[0]))
llmops_status llmops__metrics_counter_add(llmops__metrics *m, int id, const char *const *values,
                                          size_t nvalues, uint64_t n);
llmops_status llmops__metrics_counter_add_double(llmops__metrics *m, int id,
                                                 const char *const *values, size_t nvalues,
                                                 double v);
llmops_status llmops__metrics_histogram_observe(llmops__metrics *m, int id,
                                                const char *const *values, size_t nvalues,
                                                double v);

/* Everything one finished call contributes. Strings are borrowed for the
 * duration of llmops__metrics_record_call. NULL strings are empty labels. */
typedef struct llmops__call_sample {
    const char *task;
    const char *model;           /* the model the final attempt asked for */
    const char *response_model;  /* the model the provider said answered, NULL = model */
    const char *variant;         /* route variant ("" when the task has one target) */
    const char *provider;        /* gen_ai.provider.name ("openai", ...) */
    const char *operation;       /* gen_ai.operation.name, NULL = "chat" */
    llmops_status status;        /* the call's result */
    const char *error_type;      /* error.type, NULL = llmops_status_str(status) */
    uint64_t latency_ns;         /* the whole call, retries and fallbacks included */
    uint64_t ttft_ns;            /* to the first streamed delta; 0 = not streamed */
    int has_usage;               /* the provider reported token usage */
    llmops_usage usage;
    int cost_known;              /* cost_usd is a price, not "unpriced" */
    double cost_usd;
    unsigned retries;            /* attempts beyond the first, across targets */
    unsigned fallbacks;          /* targets moved on from */
    int cache_hit;
} llmops__call_sample;

/* Records every metric one call feeds: requests, errors by status (when
 * status != LLMOPS_OK), latency, TTFT (when streamed), tokens by type (input,
 * output, cached_input, cache_creation, reasoning; non-zero ones), cost (when
 * priced), retries, fallbacks, cache hits, and the GenAI duration, token
 * usage (input/output) and time-to-first-chunk histograms. Returns the first
 * failure, after trying every metric. */
llmops_status llmops__metrics_record_call(llmops__metrics *m, const llmops__call_sample *s);

/* One series in a snapshot. For a histogram, `buckets[i]` is the cumulative
 * count of observations <= def->bounds[i], and buckets[def->nbounds] (+Inf)
 * equals `count`. For an overflow series `overflow` is 1 and `values` NULL. */
typedef struct llmops__series_view {
    const char *const *values;   /* def->nlabels values ("" for empty) */
    int overflow;
    uint64_t count;              /* int counter value, or histogram count */
    double value;                /* double counter value, or histogram sum */
    const uint64_t *buckets;
} llmops__series_view;

/* Called once per metric that has at least one series, with its series in a
 * stable order (label values compared label by label, bytewise; the overflow
 * series last). Return non-zero to stop; foreach then returns
 * LLMOPS_E_ABORTED. Metrics come in id order. LLMOPS_E_NO_MEMORY if the
 * snapshot could not be taken. Takes no lock: updates go on meanwhile, and a
 * series created during the walk may or may not be in it. */
typedef int (*llmops__metrics_visit)(const llmops__metric_def *def, int id,
                                     const llmops__series_view *series, size_t nseries,
                                     void *user_data);
llmops_status llmops__metrics_foreach(const llmops__metrics *m, llmops__metrics_visit visit,
                                      void *user_data);

/* Reads one series (values as for updates). LLMOPS_E_NOT_FOUND if that label
 * set has no series. For a histogram, `buckets` (cumulative) is filled when
 * not NULL and must hold def->nbounds + 1 entries. */
llmops_status llmops__metrics_read(const llmops__metrics *m, int id, const char *const *values,
                                   size_t nvalues, uint64_t *count, double *value,
                                   uint64_t *buckets);

/* Number of label sets stored, the overflow counter's own series included
 * (overflow series are not label sets and are not counted). */
size_t llmops__metrics_series_count(const llmops__metrics *m);

/* Appends the whole registry as Prometheus text exposition format 0.0.4
 * (HELP and TYPE lines, escaped label values, cumulative histogram buckets
 * with +Inf, _sum and _count). Metrics without series are left out; an
 * empty label value is left out of its series' labels. Label keys show dots
 * as underscores. LLMOPS_E_NO_MEMORY if `out` failed. */
llmops_status llmops__metrics_prometheus(const llmops__metrics *m, llmops__buf *out);

/* Appends the registry as the JSON body of an OTLP/HTTP metrics export
 * (POST /v1/metrics, ExportMetricsServiceRequest): one resource with
 * service.name (NULL = "unknown_service"), one scope "libllmops", and every
 * metric with series under its OpenTelemetry name: counters as cumulative
 * monotonic sums (asInt or asDouble), histograms as cumulative explicit-bucket
 * histograms (per-bucket counts). Start time is the registry's creation, end
 * time `now_wall_ns` (Unix epoch ns). LLMOPS_E_NO_MEMORY if `out` failed. */
llmops_status llmops__metrics_otlp_json(const llmops__metrics *m, const char *service_name,
                                        uint64_t now_wall_ns, llmops__buf *out);

/* Wall-clock time (Unix epoch ns) the registry was created: the start of
 * every cumulative series. */
uint64_t llmops__metrics_start_ns(const llmops__metrics *m);

/* Shortest text that reads back as the same double, as Prometheus writes
 * numbers ("+Inf", "-Inf", "NaN" for the special values). out >= 32 bytes. */
void llmops__metrics_format_double(double v, char out[32]);

#endif
