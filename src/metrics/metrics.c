/* Metrics registry: the definition table, series lookup and updates, and
 * snapshots. Series live in one open-addressing table of fixed size (at
 * least twice the series cap), so it never resizes: readers probe it with
 * acquire loads and no lock, and a writer fills an empty slot under the lock
 * with a release store. Slots are only emptied by llmops__metrics_free. */
#include "metrics/metrics.h"

#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/clock.h"
#include "core/hash.h"
#include "json/utf8.h"

/* ---- the built-in definitions ---------------------------------------------- */

static const char *const L_CALL[] = {"task", "model", "variant"};
static const char *const L_ERROR[] = {"task", "model", "variant", "status"};
static const char *const L_TOKEN[] = {"task", "model", "variant", "type"};
static const char *const L_SINK[] = {"sink"};
static const char *const L_METRIC[] = {"metric"};
static const char *const L_GENAI[] = {"gen_ai.operation.name", "gen_ai.provider.name",
                                      "gen_ai.request.model", "gen_ai.response.model",
                                      "error.type"};
static const char *const L_GENAI_CHUNK[] = {"gen_ai.operation.name", "gen_ai.provider.name",
                                            "gen_ai.request.model", "gen_ai.response.model"};
static const char *const L_GENAI_TOKEN[] = {"gen_ai.operation.name", "gen_ai.provider.name",
                                            "gen_ai.request.model", "gen_ai.response.model",
                                            "gen_ai.token.type"};

/* The ExplicitBucketBoundaries the GenAI semantic conventions recommend
 * (docs/gen-ai/gen-ai-metrics.md): durations, token counts, and the server
 * time-to-first-token ones, which suit our TTFT better than the duration ones
 * (first tokens mostly come well under 100 ms). */
static const double B_DURATION[] = {0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64,
                                    1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92};
static const double B_TOKENS[] = {1, 4, 16, 64, 256, 1024, 4096, 16384, 65536,
                                  262144, 1048576, 4194304, 16777216, 67108864};
static const double B_TTFT[] = {0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1,
                                0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0};

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define COUNTER(name, otel, help, unit, value, labels) \
    {name, otel, help, unit, LLMOPS__METRIC_COUNTER, value, N(labels), labels, 0, NULL}
#define HISTOGRAM(name, otel, help, unit, labels, bounds) \
    {name, otel, help, unit, LLMOPS__METRIC_HISTOGRAM, LLMOPS__VALUE_DOUBLE, N(labels), labels, \
     N(bounds), bounds}

static const llmops__metric_def builtin[LLMOPS__M_BUILTIN_COUNT] = {
    [LLMOPS__M_REQUESTS] = COUNTER("llmops_requests_total", "llmops.requests",
        "Calls finished, successful or not, by task, model and route variant.",
        "{request}", LLMOPS__VALUE_INT, L_CALL),
    [LLMOPS__M_ERRORS] = COUNTER("llmops_errors_total", "llmops.errors",
        "Calls that failed, by status.", "{error}", LLMOPS__VALUE_INT, L_ERROR),
    [LLMOPS__M_LATENCY] = HISTOGRAM("llmops_latency_seconds", "llmops.latency",
        "Call duration in seconds, retries and fallbacks included.", "s", L_CALL, B_DURATION),
    [LLMOPS__M_TTFT] = HISTOGRAM("llmops_ttft_seconds", "llmops.ttft",
        "Seconds from the start of a streamed call to its first delta.", "s", L_CALL, B_TTFT),
    [LLMOPS__M_TOKENS] = COUNTER("llmops_tokens_total", "llmops.tokens",
        "Tokens by type: input, output, cached_input, cache_creation, reasoning.",
        "{token}", LLMOPS__VALUE_INT, L_TOKEN),
    [LLMOPS__M_COST] = COUNTER("llmops_cost_usd_total", "llmops.cost_usd",
        "Cost of priced calls in US dollars (unpriced calls add nothing).", "{USD}",
        LLMOPS__VALUE_DOUBLE, L_CALL),
    [LLMOPS__M_RETRIES] = COUNTER("llmops_retries_total", "llmops.retries",
        "Provider attempts beyond the first.", "{retry}", LLMOPS__VALUE_INT, L_CALL),
    [LLMOPS__M_FALLBACKS] = COUNTER("llmops_fallbacks_total", "llmops.fallbacks",
        "Moves to the next target of a fallback chain.", "{fallback}", LLMOPS__VALUE_INT,
        L_CALL),
    [LLMOPS__M_CACHE_HITS] = COUNTER("llmops_cache_hits_total", "llmops.cache_hits",
        "Calls answered from the response cache.", "{hit}", LLMOPS__VALUE_INT, L_CALL),
    [LLMOPS__M_DROPPED_SPANS] = COUNTER("llmops_dropped_spans_total", "llmops.dropped_spans",
        "Spans a trace sink dropped (queue full, export failed, store unwritable).", "{span}",
        LLMOPS__VALUE_INT, L_SINK),
    [LLMOPS__M_GENAI_DURATION] = HISTOGRAM("gen_ai_client_operation_duration_seconds",
        "gen_ai.client.operation.duration", "GenAI operation duration.", "s", L_GENAI,
        B_DURATION),
    [LLMOPS__M_GENAI_TOKENS] = HISTOGRAM("gen_ai_client_token_usage",
        "gen_ai.client.token.usage", "Number of input and output tokens used.", "{token}",
        L_GENAI_TOKEN, B_TOKENS),
    [LLMOPS__M_GENAI_TTFC] = HISTOGRAM("gen_ai_client_operation_time_to_first_chunk_seconds",
        "gen_ai.client.operation.time_to_first_chunk",
        "Time to receive the first chunk of a streamed response.", "s", L_GENAI_CHUNK,
        B_DURATION),
    [LLMOPS__M_OVERFLOW] = COUNTER("llmops_metric_overflow_total", "llmops.metric.overflow",
        "Updates folded into a metric's overflow series because the series limit was reached.",
        "{update}", LLMOPS__VALUE_INT, L_METRIC),
};

/* ---- data ---------------------------------------------------------------- */

typedef struct series series;
struct series {
    uint64_t hash;
    int metric;
    int overflow;
    size_t nvalues;
    const char **values;         /* into this allocation */
    size_t *lens;
    _Atomic(series *) next;      /* the metric's list, in creation order */
    /* Keeps the fields every lookup reads off the cache line that updates
     * from other threads keep writing. */
    char pad[64];
    _Atomic uint64_t count;      /* int counter value (histograms use buckets) */
    _Atomic uint64_t bits;       /* double counter value or histogram sum, as bits */
    _Atomic uint64_t buckets[];  /* histogram: per-bucket (not cumulative) counts */
};

typedef struct metric {
    llmops__metric_def def;
    void *owned;                 /* a defined metric's copied strings and arrays */
    _Atomic(series *) head;
    series *tail;                /* under the lock */
    _Atomic(series *) overflow;
} metric;

struct llmops__metrics {
    pthread_mutex_t lock;
    _Atomic int nmetrics;
    size_t max_series;
    size_t stored;               /* series in the table, under the lock */
    _Atomic size_t labelled;     /* the same, readable without the lock */
    size_t mask;
    uint64_t seed;               /* per registry, so probe chains cannot be planned */
    uint64_t start_ns;           /* wall clock at creation */
    _Atomic(series *) *slots;
    metric metrics[LLMOPS__METRICS_MAX];
};

/* The overflow counter may always add its (at most one per metric) series
 * beyond the cap, so folding is counted even in a full registry. */
#define RESERVED LLMOPS__METRICS_MAX

/* ---- names ---------------------------------------------------------------- */

static int is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

int llmops__metrics_valid_name(const char *name)
{
    if (!name || !(is_alpha(*name) || *name == ':'))
        return 0;
    for (const char *p = name + 1; *p; p++)
        if (!is_alpha(*p) && !is_digit(*p) && *p != ':')
            return 0;
    return 1;
}

int llmops__metrics_valid_label(const char *key)
{
    if (!key || !is_alpha(*key))
        return 0;
    if (key[0] == '_' && key[1] == '_')
        return 0;
    for (const char *p = key + 1; *p; p++)
        if (!is_alpha(*p) && !is_digit(*p) && *p != '.')
            return 0;
    return 1;
}

/* Equal once dots read as underscores (as Prometheus shows them). */
static int same_prom_label(const char *a, const char *b)
{
    for (;; a++, b++) {
        char x = *a == '.' ? '_' : *a, y = *b == '.' ? '_' : *b;
        if (x != y)
            return 0;
        if (!x)
            return 1;
    }
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

/* The names a metric occupies in the exposition: its own, and for a
 * histogram the _bucket, _sum and _count series. */
static int names_clash(const llmops__metric_def *a, const llmops__metric_def *b)
{
    static const char *const sfx[] = {"", "_bucket", "_sum", "_count"};
    size_t na = a->kind == LLMOPS__METRIC_HISTOGRAM ? 4 : 1;
    size_t nb = b->kind == LLMOPS__METRIC_HISTOGRAM ? 4 : 1;
    size_t la = strlen(a->name), lb = strlen(b->name);
    for (size_t i = 0; i < na; i++)
        for (size_t j = 0; j < nb; j++) {
            size_t ia = strlen(sfx[i]), jb = strlen(sfx[j]);
            if (la + ia == lb + jb) {
                /* compare a->name+sfx[i] with b->name+sfx[j] without building them */
                char x[2][LLMOPS__METRICS_VALUE_MAX + 16];
                if (la + ia >= sizeof x[0])
                    continue;
                memcpy(x[0], a->name, la);
                memcpy(x[0] + la, sfx[i], ia + 1);
                memcpy(x[1], b->name, lb);
                memcpy(x[1] + lb, sfx[j], jb + 1);
                if (strcmp(x[0], x[1]) == 0)
                    return 1;
            }
        }
    return 0;
}

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void set_why(char **why, const char *fmt, ...)
{
    if (!why)
        return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    *why = llmops__strdup(msg);
}

static llmops_status check_def(const llmops__metric_def *d, char **why)
{
    if (!d || !d->name) {
        set_why(why, "metric definition without a name");
        return LLMOPS_E_INVALID_ARGUMENT;
    }
    const char *nm = d->name;
    if (!llmops__metrics_valid_name(nm) || strlen(nm) > LLMOPS__METRICS_VALUE_MAX) {
        set_why(why, "metric name \"%s\" is not a Prometheus metric name "
                     "([a-zA-Z_:][a-zA-Z0-9_:]*, at most 256 bytes)", nm);
        return LLMOPS_E_INVALID_ARGUMENT;
    }
    if (!d->help || !d->unit) {
        set_why(why, "metric %s: help and unit are required", nm);
        return LLMOPS_E_INVALID_ARGUMENT;
    }
    if (d->kind == LLMOPS__METRIC_COUNTER) {
        if (!ends_with(nm, "_total")) {
            set_why(why, "counter %s: the name must end in _total", nm);
            return LLMOPS_E_INVALID_ARGUMENT;
        }
        if (d->value != LLMOPS__VALUE_INT && d->value != LLMOPS__VALUE_DOUBLE) {
            set_why(why, "counter %s: value type must be int or double", nm);
            return LLMOPS_E_INVALID_ARGUMENT;
        }
    } else if (d->kind == LLMOPS__METRIC_HISTOGRAM) {
        if (d->nbounds == 0 || d->nbounds > LLMOPS__METRICS_BUCKETS_MAX || !d->bounds) {
            set_why(why, "histogram %s: needs 1 to 64 bucket bounds", nm);
            return LLMOPS_E_INVALID_ARGUMENT;
        }
        for (size_t i = 0; i < d->nbounds; i++)
            if (!isfinite(d->bounds[i]) || (i && !(d->bounds[i] > d->bounds[i - 1]))) {
                set_why(why, "histogram %s: bucket bounds must be finite and strictly "
                             "increasing", nm);
                return LLMOPS_E_INVALID_ARGUMENT;
            }
    } else {
        set_why(why, "metric %s: kind must be counter or histogram", nm);
        return LLMOPS_E_INVALID_ARGUMENT;
    }
    if (d->otel_name && (!*d->otel_name || strlen(d->otel_name) > LLMOPS__METRICS_VALUE_MAX)) {
        set_why(why, "metric %s: OpenTelemetry name must be 1 to 256 bytes", nm);
        return LLMOPS_E_INVALID_ARGUMENT;
    }
    if (d->nlabels > LLMOPS__METRICS_LABELS_MAX || (d->nlabels && !d->labels)) {
        set_why(why, "metric %s: at most 8 labels", nm);
        return LLMOPS_E_INVALID_ARGUMENT;
    }
    for (size_t i = 0; i < d->nlabels; i++) {
        const char *k = d->labels[i];
        if (!llmops__metrics_valid_label(k) || strlen(k) > LLMOPS__METRICS_VALUE_MAX) {
            set_why(why, "metric %s: label \"%s\" is not a valid label name "
                         "([a-zA-Z_][a-zA-Z0-9_.]*, not starting with __)", nm, k);
            return LLMOPS_E_INVALID_ARGUMENT;
        }
        if (d->kind == LLMOPS__METRIC_HISTOGRAM && strcmp(k, "le") == 0) {
            set_why(why, "histogram %s: label \"%s\" is reserved for bucket bounds", nm, k);
            return LLMOPS_E_INVALID_ARGUMENT;
        }
        if (same_prom_label(k, "otel.metric.overflow")) {
            set_why(why, "metric %s: label \"%s\" is reserved for the overflow series", nm, k);
            return LLMOPS_E_INVALID_ARGUMENT;
        }
        for (size_t j = 0; j < i; j++)
            if (same_prom_label(k, d->labels[j])) {
                set_why(why, "metric %s: label \"%s\" appears twice (dots count as "
                             "underscores)", nm, k);
                return LLMOPS_E_INVALID_ARGUMENT;
            }
    }
    return LLMOPS_OK;
}

/* ---- registry --------------------------------------------------------------- */

llmops__metrics *llmops__metrics_new(size_t max_series)
{
    if (max_series == 0)
        max_series = LLMOPS__METRICS_DEFAULT_SERIES;
    if (max_series > ((size_t)1 << 26))
        return NULL;
    llmops__metrics *m = llmops__calloc(1, sizeof *m);
    if (!m)
        return NULL;
    /* load factor at most one half, so probes stay short and always end */
    size_t cap = 16;
    while (cap < 2 * (max_series + RESERVED))
        cap *= 2;
    m->slots = llmops__calloc(cap, sizeof *m->slots);
    if (!m->slots || pthread_mutex_init(&m->lock, NULL) != 0) {
        llmops__free(m->slots);
        llmops__free(m);
        return NULL;
    }
    m->mask = cap - 1;
    m->start_ns = llmops__wall_ns();
    m->seed = llmops__hash_bytes(&m, sizeof m, llmops__mono_ns());
    m->max_series = max_series;
    for (int i = 0; i < LLMOPS__M_BUILTIN_COUNT; i++)
        m->metrics[i].def = builtin[i];
    atomic_store_explicit(&m->nmetrics, LLMOPS__M_BUILTIN_COUNT, memory_order_release);
    return m;
}

void llmops__metrics_free(llmops__metrics *m)
{
    if (!m)
        return;
    int n = atomic_load_explicit(&m->nmetrics, memory_order_acquire);
    for (int i = 0; i < n; i++) {
        series *s = atomic_load_explicit(&m->metrics[i].head, memory_order_acquire);
        while (s) {
            series *next = atomic_load_explicit(&s->next, memory_order_relaxed);
            llmops__free(s);
            s = next;
        }
        llmops__free(atomic_load_explicit(&m->metrics[i].overflow, memory_order_relaxed));
        llmops__free(m->metrics[i].owned);
    }
    pthread_mutex_destroy(&m->lock);
    llmops__free(m->slots);
    llmops__free(m);
}

static size_t align8(size_t n)
{
    return (n + 7) & ~(size_t)7;
}

/* One block: the definition's strings and arrays, copied. */
static void *copy_def(const llmops__metric_def *d, llmops__metric_def *out)
{
    const char *strs[3] = {d->name, d->otel_name ? d->otel_name : d->name, d->help};
    size_t size = align8(d->nbounds * sizeof(double)) + align8(d->nlabels * sizeof(char *));
    size += strlen(d->unit) + 1;
    for (size_t i = 0; i < 3; i++)
        size += strlen(strs[i]) + 1;
    for (size_t i = 0; i < d->nlabels; i++)
        size += strlen(d->labels[i]) + 1;
    char *block = llmops__malloc(size ? size : 1);
    if (!block)
        return NULL;
    *out = *d;
    double *bounds = (double *)(void *)block;
    if (d->nbounds)
        memcpy(bounds, d->bounds, d->nbounds * sizeof(double));
    out->bounds = d->nbounds ? bounds : NULL;
    const char **labels = (const char **)(void *)(block + align8(d->nbounds * sizeof(double)));
    char *p = (char *)labels + align8(d->nlabels * sizeof(char *));
    const char **dst[3] = {&out->name, &out->otel_name, &out->help};
    for (size_t i = 0; i < 3; i++) {
        size_t n = strlen(strs[i]) + 1;
        memcpy(p, strs[i], n);
        *dst[i] = p;
        p += n;
    }
    size_t n = strlen(d->unit) + 1;
    memcpy(p, d->unit, n);
    out->unit = p;
    p += n;
    for (size_t i = 0; i < d->nlabels; i++) {
        n = strlen(d->labels[i]) + 1;
        memcpy(p, d->labels[i], n);
        labels[i] = p;
        p += n;
    }
    out->labels = d->nlabels ? labels : NULL;
    return block;
}

llmops_status llmops__metrics_define(llmops__metrics *m, const llmops__metric_def *def,
                                     int *out_id, char **why)
{
    if (why)
        *why = NULL;
    if (!m || !out_id) {
        set_why(why, "llmops__metrics_define: no registry or no out_id");
        return LLMOPS_E_INVALID_ARGUMENT;
    }
    llmops_status st = check_def(def, why);
    if (st != LLMOPS_OK)
        return st;
    pthread_mutex_lock(&m->lock);
    int n = atomic_load_explicit(&m->nmetrics, memory_order_relaxed);
    if (n >= LLMOPS__METRICS_MAX) {
        pthread_mutex_unlock(&m->lock);
        set_why(why, "metric %s: the registry already holds 64 metrics", def->name);
        return LLMOPS_E_LIMIT;
    }
    const char *otel = def->otel_name ? def->otel_name : def->name;
    for (int i = 0; i < n; i++)
        if (names_clash(def, &m->metrics[i].def) ||
            strcmp(otel, m->metrics[i].def.otel_name) == 0) {
            pthread_mutex_unlock(&m->lock);
            set_why(why, "metric %s: its name clashes with metric %s", def->name,
                    m->metrics[i].def.name);
            return LLMOPS_E_LIMIT;
        }
    metric *mt = &m->metrics[n];
    mt->owned = copy_def(def, &mt->def);
    if (!mt->owned) {
        pthread_mutex_unlock(&m->lock);
        return LLMOPS_E_NO_MEMORY;
    }
    atomic_store_explicit(&m->nmetrics, n + 1, memory_order_release);
    pthread_mutex_unlock(&m->lock);
    *out_id = n;
    return LLMOPS_OK;
}

const llmops__metric_def *llmops__metrics_def(const llmops__metrics *m, int id)
{
    if (!m || id < 0 || id >= atomic_load_explicit(&m->nmetrics, memory_order_acquire))
        return NULL;
    return &m->metrics[id].def;
}

uint64_t llmops__metrics_start_ns(const llmops__metrics *m)
{
    return m ? m->start_ns : 0;
}

size_t llmops__metrics_series_count(const llmops__metrics *m)
{
    return m ? atomic_load_explicit(&m->labelled, memory_order_relaxed) : 0;
}

/* ---- series lookup --------------------------------------------------------- */

/* A label set as looked up: values cut to LLMOPS__METRICS_VALUE_MAX bytes. */
typedef struct key {
    size_t n;
    const char *v[LLMOPS__METRICS_LABELS_MAX];
    size_t len[LLMOPS__METRICS_LABELS_MAX];
    uint64_t hash;
    /* values that were not UTF-8, with U+FFFD for each bad byte */
    char fixed[LLMOPS__METRICS_LABELS_MAX][LLMOPS__METRICS_VALUE_MAX + 1];
} key;

static size_t cut_len(const char *s)
{
    size_t n = strnlen(s, LLMOPS__METRICS_VALUE_MAX + 1);
    if (n <= LLMOPS__METRICS_VALUE_MAX)
        return n;
    n = LLMOPS__METRICS_VALUE_MAX;
    /* back off to the start of the character that straddles the cut */
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return n;
}

/* The hash of a label set, on the update path for every call: one multiply
 * per 8 bytes, the last (or only) bytes read as overlapping words rather
 * than one at a time, and one final mix for the set. Lengths are mixed in so
 * ("ab", "c") and ("a", "bc") differ. */
static uint64_t hash_value(uint64_t h, const char *s, size_t len, uint64_t *seen)
{
    const unsigned char *p = (const unsigned char *)s;
    uint64_t w = 0;
    h = (h ^ len) * 0x9E3779B97F4A7C15ull;
    if (len > 8) {
        size_t i = 0;
        for (; len - i > 8; i += 8) {
            memcpy(&w, p + i, 8);
            *seen |= w;
            h = (h ^ w) * 0xBF58476D1CE4E5B9ull;
            h ^= h >> 31;
        }
        memcpy(&w, p + len - 8, 8);
    } else if (len >= 4) {
        uint32_t x, y;
        memcpy(&x, p, 4);
        memcpy(&y, p + len - 4, 4);
        w = ((uint64_t)x << 32) | y;
    } else if (len > 0) {
        w = ((uint64_t)p[0] << 16) | ((uint64_t)p[len / 2] << 8) | p[len - 1];
    }
    *seen |= w;
    h = (h ^ w) * 0x94D049BB133111EBull;
    return h ^ (h >> 29);
}

/* A copy of a value that is not well-formed UTF-8, each bad byte replaced by
 * U+FFFD, cut to LLMOPS__METRICS_VALUE_MAX bytes at a character. */
static size_t fix_utf8(const char *v, size_t len, char *out)
{
    const unsigned char *p = (const unsigned char *)v, *end = p + len;
    size_t n = 0;
    while (p < end) {
        size_t k = *p < 0x80 ? 1 : llmops__utf8_seq(p, end), step = k;
        const char *src = (const char *)p;
        if (k == 0) {
            src = "\xEF\xBF\xBD";
            k = 3;
            step = 1;
        }
        if (n + k > LLMOPS__METRICS_VALUE_MAX)
            break;
        memcpy(out + n, src, k);
        n += k;
        p += step;
    }
    out[n] = '\0';
    return n;
}

/* Values are kept as UTF-8, which both exposition formats require, and
 * fixed before hashing so that values differing only in bad bytes share the
 * series they would be shown as. Plain ASCII costs one OR per word. */
static void make_key(const llmops__metrics *m, key *k, int id, size_t n,
                     const char *const *values)
{
    k->n = n;
    uint64_t h = m->seed ^ (uint64_t)id;
    for (size_t i = 0; i < n; i++) {
        const char *v = values && values[i] ? values[i] : "";
        size_t len = cut_len(v);
        uint64_t hv, seen;
        /* at most twice round; one call site keeps hash_value inlined */
        for (;;) {
            seen = 0;
            hv = hash_value(h, v, len, &seen);
            if (!(seen & 0x8080808080808080ull) || v == k->fixed[i] ||
                llmops__utf8_check(v, len) == len)
                break;
            len = fix_utf8(v, len, k->fixed[i]);
            v = k->fixed[i];
        }
        k->v[i] = v;
        k->len[i] = len;
        h = hv;
    }
    h ^= h >> 33;
    h *= 0xFF51AFD7ED558CCDull;
    k->hash = h ^ (h >> 33);
}

static int key_matches(const series *s, int id, const key *k)
{
    if (s->hash != k->hash || s->metric != id)
        return 0;
    for (size_t i = 0; i < k->n; i++)
        if (s->lens[i] != k->len[i] || memcmp(s->values[i], k->v[i], k->len[i]) != 0)
            return 0;
    return 1;
}

static series *probe(const llmops__metrics *m, int id, const key *k)
{
    for (size_t i = (size_t)k->hash & m->mask;; i = (i + 1) & m->mask) {
        series *s = atomic_load_explicit(&m->slots[i], memory_order_acquire);
        if (!s || key_matches(s, id, k))
            return s;
    }
}

static series *alloc_series(const llmops__metric_def *d, int id, const key *k)
{
    size_t nb = d->kind == LLMOPS__METRIC_HISTOGRAM ? d->nbounds + 1 : 0;
    size_t n = k ? k->n : 0;
    size_t size = sizeof(series) + nb * sizeof(uint64_t) + n * (sizeof(char *) + sizeof(size_t));
    for (size_t i = 0; i < n; i++)
        size += k->len[i] + 1;
    series *s = llmops__calloc(1, size);
    if (!s)
        return NULL;
    s->metric = id;
    s->nvalues = n;
    s->values = (const char **)(void *)((char *)s + sizeof(series) + nb * sizeof(uint64_t));
    s->lens = (size_t *)(void *)(s->values + n);
    char *p = (char *)(s->lens + n);
    for (size_t i = 0; i < n; i++) {
        memcpy(p, k->v[i], k->len[i]);
        p[k->len[i]] = '\0';
        s->values[i] = p;
        s->lens[i] = k->len[i];
        p += k->len[i] + 1;
    }
    if (k)
        s->hash = k->hash;
    else
        s->overflow = 1;
    return s;
}

static void record_overflow(llmops__metrics *m, int id);

/* The series for a label set, created under the lock when new. `reserved`:
 * may use the room kept beyond the cap (the overflow counter only). */
static series *get_series(llmops__metrics *m, int id, const char *const *values, int reserved)
{
    metric *mt = &m->metrics[id];
    key k;
    make_key(m, &k, id, mt->def.nlabels, values);
    series *s = probe(m, id, &k);
    if (s)
        return s;
    /* The count never drops, so in a full registry a label set that is not
     * stored goes to the overflow series, without the lock once it exists. */
    if (!reserved && atomic_load_explicit(&m->labelled, memory_order_relaxed) >= m->max_series) {
        s = atomic_load_explicit(&mt->overflow, memory_order_acquire);
        if (s) {
            record_overflow(m, id);
            return s;
        }
    }
    int folded = 0;
    pthread_mutex_lock(&m->lock);
    s = probe(m, id, &k);
    if (!s && m->stored < m->max_series + (reserved ? RESERVED : 0)) {
        s = alloc_series(&mt->def, id, &k);
        if (s) {
            size_t i = (size_t)k.hash & m->mask;
            while (atomic_load_explicit(&m->slots[i], memory_order_relaxed))
                i = (i + 1) & m->mask;
            if (mt->tail)
                atomic_store_explicit(&mt->tail->next, s, memory_order_release);
            else
                atomic_store_explicit(&mt->head, s, memory_order_release);
            mt->tail = s;
            m->stored++;
            atomic_store_explicit(&m->labelled, m->stored, memory_order_relaxed);
            atomic_store_explicit(&m->slots[i], s, memory_order_release);
        }
    } else if (!s) {
        s = atomic_load_explicit(&mt->overflow, memory_order_relaxed);
        if (!s) {
            s = alloc_series(&mt->def, id, NULL);
            if (s)
                atomic_store_explicit(&mt->overflow, s, memory_order_release);
        }
        folded = s != NULL && !reserved;
    }
    pthread_mutex_unlock(&m->lock);
    if (folded)
        record_overflow(m, id);
    return s;
}

static void record_overflow(llmops__metrics *m, int id)
{
    if (id == LLMOPS__M_OVERFLOW)
        return;
    const char *name = m->metrics[id].def.name;
    series *s = get_series(m, LLMOPS__M_OVERFLOW, &name, 1);
    if (s)
        atomic_fetch_add_explicit(&s->count, 1, memory_order_relaxed);
}

/* ---- updates ------------------------------------------------------------------ */

static const llmops__metric_def *def_of(const llmops__metrics *m, int id,
                                        llmops__metric_kind kind, size_t nvalues)
{
    if (!m || id < 0 || id >= atomic_load_explicit(&m->nmetrics, memory_order_acquire))
        return NULL;
    const llmops__metric_def *d = &m->metrics[id].def;
    return d->kind == kind && d->nlabels == nvalues ? d : NULL;
}

static void add_double(_Atomic uint64_t *bits, double v)
{
    uint64_t old = atomic_load_explicit(bits, memory_order_relaxed);
    for (;;) {
        double d;
        memcpy(&d, &old, sizeof d);
        d += v;
        uint64_t nw;
        memcpy(&nw, &d, sizeof nw);
        if (atomic_compare_exchange_weak_explicit(bits, &old, nw, memory_order_relaxed,
                                                  memory_order_relaxed))
            return;
    }
}

static double load_double(const _Atomic uint64_t *bits)
{
    uint64_t b = atomic_load_explicit((_Atomic uint64_t *)bits, memory_order_relaxed);
    double d;
    memcpy(&d, &b, sizeof d);
    return d;
}

llmops_status llmops__metrics_counter_add(llmops__metrics *m, int id, const char *const *values,
                                          size_t nvalues, uint64_t n)
{
    const llmops__metric_def *d = def_of(m, id, LLMOPS__METRIC_COUNTER, nvalues);
    if (!d)
        return LLMOPS_E_INVALID_ARGUMENT;
    series *s = get_series(m, id, values, 0);
    if (!s)
        return LLMOPS_E_NO_MEMORY;
    if (d->value == LLMOPS__VALUE_INT)
        atomic_fetch_add_explicit(&s->count, n, memory_order_relaxed);
    else
        add_double(&s->bits, (double)n);
    return LLMOPS_OK;
}

llmops_status llmops__metrics_counter_add_double(llmops__metrics *m, int id,
                                                 const char *const *values, size_t nvalues,
                                                 double v)
{
    const llmops__metric_def *d = def_of(m, id, LLMOPS__METRIC_COUNTER, nvalues);
    if (!d || !(v >= 0) || d->value != LLMOPS__VALUE_DOUBLE)
        return LLMOPS_E_INVALID_ARGUMENT;
    series *s = get_series(m, id, values, 0);
    if (!s)
        return LLMOPS_E_NO_MEMORY;
    add_double(&s->bits, v);
    return LLMOPS_OK;
}

/* Index of the first bound >= v (le is inclusive), nbounds for +Inf. */
static size_t bucket_of(const llmops__metric_def *d, double v)
{
    size_t lo = 0, hi = d->nbounds;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v <= d->bounds[mid])
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

llmops_status llmops__metrics_histogram_observe(llmops__metrics *m, int id,
                                                const char *const *values, size_t nvalues,
                                                double v)
{
    const llmops__metric_def *d = def_of(m, id, LLMOPS__METRIC_HISTOGRAM, nvalues);
    if (!d || isnan(v))
        return LLMOPS_E_INVALID_ARGUMENT;
    series *s = get_series(m, id, values, 0);
    if (!s)
        return LLMOPS_E_NO_MEMORY;
    atomic_fetch_add_explicit(&s->buckets[bucket_of(d, v)], 1, memory_order_relaxed);
    add_double(&s->bits, v);
    return LLMOPS_OK;
}

/* ---- one finished call ------------------------------------------------------ */

/* Record one update, keeping the first failure in *st. */
static void add(llmops_status *st, llmops__metrics *m, int id, const char *const *v, size_t nv,
                uint64_t n)
{
    llmops_status r = llmops__metrics_counter_add(m, id, v, nv, n);
    if (*st == LLMOPS_OK)
        *st = r;
}

static void observe(llmops_status *st, llmops__metrics *m, int id, const char *const *v,
                    size_t nv, double x)
{
    llmops_status r = llmops__metrics_histogram_observe(m, id, v, nv, x);
    if (*st == LLMOPS_OK)
        *st = r;
}

llmops_status llmops__metrics_record_call(llmops__metrics *m, const llmops__call_sample *s)
{
    if (!m || !s)
        return LLMOPS_E_INVALID_ARGUMENT;
    const char *call[3] = {s->task, s->model, s->variant};
    const char *status = s->status != LLMOPS_OK ? llmops_status_str(s->status) : NULL;
    const char *err[4] = {s->task, s->model, s->variant, status};
    const char *error_type = NULL;
    if (s->status != LLMOPS_OK)
        error_type = s->error_type ? s->error_type : status;
    const char *genai[5] = {s->operation ? s->operation : "chat", s->provider, s->model,
                            s->response_model ? s->response_model : s->model, error_type};
    double latency = (double)s->latency_ns / 1e9;
    llmops_status st = LLMOPS_OK;
    add(&st, m, LLMOPS__M_REQUESTS, call, N(call), 1);
    if (s->status != LLMOPS_OK)
        add(&st, m, LLMOPS__M_ERRORS, err, N(err), 1);
    observe(&st, m, LLMOPS__M_LATENCY, call, N(call), latency);
    observe(&st, m, LLMOPS__M_GENAI_DURATION, genai, N(genai), latency);
    if (s->ttft_ns) {
        double ttft = (double)s->ttft_ns / 1e9;
        observe(&st, m, LLMOPS__M_TTFT, call, N(call), ttft);
        /* the GenAI duration attributes but error.type */
        observe(&st, m, LLMOPS__M_GENAI_TTFC, genai, 4, ttft);
    }
    if (s->has_usage) {
        static const char *const types[] = {"input", "output", "cached_input",
                                            "cache_creation", "reasoning"};
        const int64_t counts[] = {s->usage.input_tokens, s->usage.output_tokens,
                                  s->usage.cached_input_tokens, s->usage.cache_creation_tokens,
                                  s->usage.reasoning_tokens};
        for (size_t i = 0; i < N(types); i++) {
            const char *tok[4] = {s->task, s->model, s->variant, types[i]};
            if (counts[i] > 0)
                add(&st, m, LLMOPS__M_TOKENS, tok, N(tok), (uint64_t)counts[i]);
        }
        /* gen_ai.token.type has only input and output; the histogram records
         * what a call used, zero included. */
        for (size_t i = 0; i < 2; i++) {
            const char *gt[5] = {genai[0], genai[1], genai[2], genai[3], types[i]};
            observe(&st, m, LLMOPS__M_GENAI_TOKENS, gt, N(gt),
                    counts[i] > 0 ? (double)counts[i] : 0.0);
        }
    }
    if (s->cost_known && s->cost_usd > 0) {
        llmops_status r = llmops__metrics_counter_add_double(m, LLMOPS__M_COST, call, N(call),
                                                             s->cost_usd);
        if (st == LLMOPS_OK)
            st = r;
    }
    if (s->retries)
        add(&st, m, LLMOPS__M_RETRIES, call, N(call), s->retries);
    if (s->fallbacks)
        add(&st, m, LLMOPS__M_FALLBACKS, call, N(call), s->fallbacks);
    if (s->cache_hit)
        add(&st, m, LLMOPS__M_CACHE_HITS, call, N(call), 1);
    return st;
}

/* ---- snapshots ------------------------------------------------------------------ */

/* Reads a series into a view; `buckets` has nbounds + 1 slots. */
static void read_series(const llmops__metric_def *d, const series *s, llmops__series_view *out,
                        uint64_t *buckets)
{
    out->values = s->overflow ? NULL : s->values;
    out->overflow = s->overflow;
    out->buckets = NULL;
    if (d->kind == LLMOPS__METRIC_HISTOGRAM) {
        uint64_t total = 0;
        for (size_t i = 0; i <= d->nbounds; i++) {
            total += atomic_load_explicit((_Atomic uint64_t *)&s->buckets[i],
                                          memory_order_relaxed);
            buckets[i] = total;
        }
        out->count = total;
        out->value = load_double(&s->bits);
        out->buckets = buckets;
    } else if (d->value == LLMOPS__VALUE_INT) {
        out->count = atomic_load_explicit((_Atomic uint64_t *)&s->count, memory_order_relaxed);
        out->value = (double)out->count;
    } else {
        out->value = load_double(&s->bits);
        out->count = 0;
    }
}

static int cmp_series(const void *a, const void *b)
{
    const series *x = *(const series *const *)a, *y = *(const series *const *)b;
    if (x->overflow != y->overflow)
        return x->overflow - y->overflow;
    for (size_t i = 0; i < x->nvalues; i++) {
        size_t n = x->lens[i] < y->lens[i] ? x->lens[i] : y->lens[i];
        int c = memcmp(x->values[i], y->values[i], n);
        if (c)
            return c;
        if (x->lens[i] != y->lens[i])
            return x->lens[i] < y->lens[i] ? -1 : 1;
    }
    return 0;
}

llmops_status llmops__metrics_foreach(const llmops__metrics *m, llmops__metrics_visit visit,
                                      void *user_data)
{
    if (!m || !visit)
        return LLMOPS_E_INVALID_ARGUMENT;
    series **list = NULL;
    size_t cap = 0;
    llmops__series_view *views = NULL;
    size_t vcap = 0;
    uint64_t *buckets = NULL;
    size_t bcap = 0;
    llmops_status st = LLMOPS_OK;
    int n = atomic_load_explicit(&m->nmetrics, memory_order_acquire);
    for (int id = 0; id < n && st == LLMOPS_OK; id++) {
        const metric *mt = &m->metrics[id];
        size_t count = 0;
        series *s = atomic_load_explicit((_Atomic(series *) *)&mt->head, memory_order_acquire);
        for (; s; s = atomic_load_explicit(&s->next, memory_order_acquire)) {
            if (count == cap && llmops__grow_array((void **)&list, &cap, count + 1,
                                                   sizeof *list) != 0) {
                st = LLMOPS_E_NO_MEMORY;
                break;
            }
            list[count++] = s;
        }
        s = atomic_load_explicit((_Atomic(series *) *)&mt->overflow, memory_order_acquire);
        if (st == LLMOPS_OK && s) {
            if (count == cap && llmops__grow_array((void **)&list, &cap, count + 1,
                                                   sizeof *list) != 0)
                st = LLMOPS_E_NO_MEMORY;
            else
                list[count++] = s;
        }
        if (st != LLMOPS_OK || count == 0)
            continue;
        qsort(list, count, sizeof *list, cmp_series);
        size_t nb = mt->def.kind == LLMOPS__METRIC_HISTOGRAM ? mt->def.nbounds + 1 : 0;
        if (llmops__grow_array((void **)&views, &vcap, count, sizeof *views) != 0 ||
            (nb && llmops__grow_array((void **)&buckets, &bcap, count * nb,
                                      sizeof *buckets) != 0)) {
            st = LLMOPS_E_NO_MEMORY;
            break;
        }
        for (size_t i = 0; i < count; i++)
            read_series(&mt->def, list[i], &views[i], nb ? buckets + i * nb : NULL);
        if (visit(&mt->def, id, views, count, user_data) != 0)
            st = LLMOPS_E_ABORTED;
    }
    llmops__free(list);
    llmops__free(views);
    llmops__free(buckets);
    return st;
}

llmops_status llmops__metrics_read(const llmops__metrics *m, int id, const char *const *values,
                                   size_t nvalues, uint64_t *count, double *value,
                                   uint64_t *buckets)
{
    const llmops__metric_def *d = llmops__metrics_def(m, id);
    if (!d || d->nlabels != nvalues)
        return LLMOPS_E_INVALID_ARGUMENT;
    key k;
    make_key(m, &k, id, d->nlabels, values);
    const series *s = probe(m, id, &k);
    if (!s)
        return LLMOPS_E_NOT_FOUND;
    uint64_t local[LLMOPS__METRICS_BUCKETS_MAX + 1];
    llmops__series_view v;
    read_series(d, s, &v, buckets ? buckets : local);
    if (count)
        *count = v.count;
    if (value)
        *value = v.value;
    return LLMOPS_OK;
}
