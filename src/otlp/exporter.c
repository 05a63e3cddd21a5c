/* The exporter's queue and thread. The queue is a ring of span copies
 * behind one mutex; enqueue copies outside the lock and holds it only to
 * place a pointer, and the thread holds it only to take a batch out, never
 * during encoding or I/O, so a hanging collector cannot slow callers. */
#include "otlp/exporter.h"

#include "llmops_config.h"

#include <string.h>

#include "core/alloc.h"
#include "core/clock.h"
#include "core/ids.h"
#include "llmops/json.h"

#if LLMOPS_HAVE_HTTP

#include <curl/curl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <time.h>

struct llmops__otlp {
    pthread_mutex_t mu;
    pthread_cond_t wake;        /* to the thread: work, flush or stop */
    pthread_cond_t idle;        /* from the thread: queue drained */
    pthread_t thread;
    int thread_started, stopping, stopped;
    unsigned flush_waiters;
    uint64_t stop_deadline_ns;

    llmops__span **ring;
    size_t cap, head, count, inflight;

    char *url, *url_shown, *service;
    llmops__attr *res;          /* deep copy of the resource attributes */
    size_t nres;
    void *res_copy;             /* span copy holding res's strings */
    struct curl_slist *headers;
    size_t max_batch;
    unsigned interval_ms, timeout_ms, base_ms, max_ms, shutdown_ms;
    int max_retries;
    llmops__otlp_drop_policy policy;
    uint64_t rng;

    llmops__otlp_stats st;
    char last_error[256];
};

static pthread_once_t g_curl_once = PTHREAD_ONCE_INIT;
static CURLcode g_curl_rc;

static void curl_once(void)
{
    g_curl_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static void deadline_ts(uint64_t deadline_ns, struct timespec *ts)
{
    ts->tv_sec = (time_t)(deadline_ns / 1000000000u);
    ts->tv_nsec = (long)(deadline_ns % 1000000000u);
}

/* The endpoint without "user:password@", for messages. */
static char *shown_url(const char *url)
{
    const char *scheme = strstr(url, "://");
    const char *host = scheme ? scheme + 3 : url;
    const char *slash = strchr(host, '/');
    const char *at = strchr(host, '@');
    if (!at || (slash && at > slash))
        return llmops__strdup(url);
    size_t pre = (size_t)(host - url);
    llmops__buf b = LLMOPS__BUF_INIT;
    llmops__buf_append(&b, url, pre);
    llmops__buf_puts(&b, at + 1);
    return llmops__buf_detach(&b, NULL);
}

static void set_error(llmops__otlp *x, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void set_error(llmops__otlp *x, const char *fmt, ...)
{
    char msg[sizeof x->last_error];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&x->mu);
    memcpy(x->last_error, msg, sizeof msg);
    pthread_mutex_unlock(&x->mu);
}

/* ---- one POST ------------------------------------------------------------ */

typedef struct post_result {
    long status;            /* 0: no HTTP answer */
    CURLcode rc;
    uint64_t retry_after_ms;
    char curl_msg[CURL_ERROR_SIZE];
    llmops__buf *resp;      /* the answer's body, first RESP_MAX bytes */
} post_result;

/* Enough for any partialSuccess; the rest of a bigger answer is skipped. */
#define RESP_MAX 65536

static size_t keep_body(char *p, size_t size, size_t n, void *ud)
{
    post_result *r = ud;
    size_t len = size * n;
    size_t room = r->resp->len < RESP_MAX ? RESP_MAX - r->resp->len : 0;
    llmops__buf_append(r->resp, p, len < room ? len : room);
    return len;
}

static uint64_t parse_retry_after(const char *v, size_t len)
{
    char tmp[128];
    while (len && (*v == ' ' || *v == '\t'))
        v++, len--;
    while (len && (v[len - 1] == '\r' || v[len - 1] == '\n' || v[len - 1] == ' '))
        len--;
    if (!len || len >= sizeof tmp)
        return 0;
    memcpy(tmp, v, len);
    tmp[len] = '\0';
    if (tmp[0] >= '0' && tmp[0] <= '9') {
        char *end;
        unsigned long long secs = strtoull(tmp, &end, 10);
        if (*end || secs > 86400)
            return secs > 86400 ? 86400000u : 0;
        return secs * 1000u;
    }
    time_t when = curl_getdate(tmp, NULL);
    if (when < 0)
        return 0;
    uint64_t now_s = llmops__wall_ns() / 1000000000u;
    return (uint64_t)when > now_s ? ((uint64_t)when - now_s) * 1000u : 0;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
    post_result *r = ud;
    size_t len = size * n;
    static const char name[] = "retry-after:";
    if (len > sizeof name - 1 && strncasecmp(p, name, sizeof name - 1) == 0)
        r->retry_after_ms = parse_retry_after(p + sizeof name - 1, len - (sizeof name - 1));
    return len;
}

/* Runs one request on a multi handle so it can be abandoned at the shutdown
 * deadline instead of waiting out the request timeout. */
static void post(llmops__otlp *x, CURL *h, CURLM *m, const llmops__buf *body,
                 llmops__buf *resp, post_result *r)
{
    memset(r, 0, sizeof *r);
    llmops__buf_clear(resp);
    r->resp = resp;
    curl_easy_reset(h);
    curl_easy_setopt(h, CURLOPT_URL, x->url);
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body->data);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body->len);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, x->headers);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)x->timeout_ms);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)x->timeout_ms);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, keep_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, r->curl_msg);
    if (curl_multi_add_handle(m, h) != CURLM_OK) {
        r->rc = CURLE_FAILED_INIT;
        return;
    }
    int running = 1;
    r->rc = CURLE_OK;
    while (running) {
        if (curl_multi_perform(m, &running) != CURLM_OK) {
            r->rc = CURLE_FAILED_INIT;
            break;
        }
        if (!running)
            break;
        pthread_mutex_lock(&x->mu);
        int abandon = x->stopping && llmops__mono_ns() >= x->stop_deadline_ns;
        pthread_mutex_unlock(&x->mu);
        if (abandon) {
            r->rc = CURLE_ABORTED_BY_CALLBACK;
            snprintf(r->curl_msg, sizeof r->curl_msg, "abandoned at the shutdown deadline");
            break;
        }
        curl_multi_poll(m, NULL, 0, 50, NULL);
    }
    int left;
    CURLMsg *msg;
    while ((msg = curl_multi_info_read(m, &left)))
        if (msg->msg == CURLMSG_DONE && r->rc == CURLE_OK)
            r->rc = msg->data.result;
    if (r->rc == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
    curl_multi_remove_handle(m, h);
}

/* ---- the thread ---------------------------------------------------------- */

static uint64_t next_rand(llmops__otlp *x)
{
    x->rng ^= x->rng << 13;
    x->rng ^= x->rng >> 7;
    x->rng ^= x->rng << 17;
    return x->rng;
}

/* Waits delay_ms unless the shutdown deadline comes first. 0: waited, -1:
 * give up (stopping and past the deadline). */
static int backoff_wait(llmops__otlp *x, uint64_t delay_ms)
{
    uint64_t until = llmops__mono_ns() + delay_ms * 1000000u;
    pthread_mutex_lock(&x->mu);
    for (;;) {
        uint64_t limit = until;
        if (x->stopping && x->stop_deadline_ns < limit)
            limit = x->stop_deadline_ns;
        if (llmops__mono_ns() >= limit)
            break;
        struct timespec ts;
        deadline_ts(limit, &ts);
        pthread_cond_timedwait(&x->wake, &x->mu, &ts);
    }
    int give_up = x->stopping && llmops__mono_ns() >= x->stop_deadline_ns;
    pthread_mutex_unlock(&x->mu);
    return give_up ? -1 : 0;
}

static int retryable(const post_result *r)
{
    if (r->rc != CURLE_OK)
        return r->rc != CURLE_ABORTED_BY_CALLBACK;
    return r->status == 429 || r->status == 502 || r->status == 503 || r->status == 504;
}

/* The spans a 2xx answer says it rejected (ExportTraceServiceResponse
 * partialSuccess; rejectedSpans is an int64, so a string in JSON, but a
 * number is taken too). 0 when the body is empty or not JSON. */
static uint64_t rejected_spans(llmops__otlp *x, const llmops__buf *resp)
{
    if (resp->failed || !resp->len)
        return 0;
    llmops_json_doc *doc = NULL;
    if (llmops_json_parse(&doc, resp->data, resp->len, NULL, NULL) != LLMOPS_OK)
        return 0;
    const llmops_json *ps = llmops_json_get(llmops_json_doc_root(doc), "partialSuccess");
    const llmops_json *rj = llmops_json_get(ps, "rejectedSpans");
    int64_t n = 0;
    if (llmops_json_type_of(rj) == LLMOPS_JSON_STRING) {
        const char *t = llmops_json_string(rj, NULL);
        char *end;
        long long v = strtoll(t, &end, 10);
        n = (*t && !*end) ? v : 0;
    } else if (llmops_json_get_int(rj, &n) != LLMOPS_OK) {
        n = 0;
    }
    if (n > 0) {
        const char *msg = llmops_json_string(llmops_json_get(ps, "errorMessage"), NULL);
        set_error(x, "otlp: POST %s: the collector rejected %lld spans: %.120s", x->url_shown,
                  (long long)n, msg ? msg : "(no message)");
    }
    llmops_json_doc_free(doc);
    return n > 0 ? (uint64_t)n : 0;
}

/* Sends one batch with retries; 1 answered 2xx (*rejected: spans it still
 * refused), 0 given up. */
static int export_batch(llmops__otlp *x, CURL *h, CURLM *m, const llmops__buf *body,
                        llmops__buf *resp, uint64_t *rejected)
{
    *rejected = 0;
    for (int attempt = 0;; attempt++) {
        post_result r;
        post(x, h, m, body, resp, &r);
        if (r.rc == CURLE_OK && r.status >= 200 && r.status < 300) {
            *rejected = rejected_spans(x, resp);
            return 1;
        }
        if (r.rc != CURLE_OK)
            set_error(x, "otlp: POST %s failed: %s (%s)", x->url_shown,
                      r.curl_msg[0] ? r.curl_msg : curl_easy_strerror(r.rc),
                      curl_easy_strerror(r.rc));
        else
            set_error(x, "otlp: POST %s answered HTTP %ld", x->url_shown, r.status);
        if (!retryable(&r) || attempt >= x->max_retries)
            return 0;
        uint64_t delay;
        if (r.retry_after_ms && (r.status == 429 || r.status == 503)) {
            delay = r.retry_after_ms;
        } else {
            uint64_t d = (uint64_t)x->base_ms << (attempt < 20 ? attempt : 20);
            if (d > x->max_ms)
                d = x->max_ms;
            /* Half fixed, half jitter, so clients that failed together spread. */
            delay = d / 2 + (d ? next_rand(x) % (d / 2 + 1) : 0);
        }
        if (delay > x->max_ms)
            delay = x->max_ms;
        if (backoff_wait(x, delay) != 0)
            return 0;
        pthread_mutex_lock(&x->mu);
        x->st.retries++;
        pthread_mutex_unlock(&x->mu);
    }
}

static void *run(void *arg)
{
    llmops__otlp *x = arg;
    CURL *h = curl_easy_init();
    CURLM *m = curl_multi_init();
    llmops__span **batch = llmops__calloc(x->max_batch, sizeof *batch);
    llmops__buf body = LLMOPS__BUF_INIT, resp = LLMOPS__BUF_INIT;
    uint64_t next_flush = llmops__mono_ns() + (uint64_t)x->interval_ms * 1000000u;

    pthread_mutex_lock(&x->mu);
    for (;;) {
        /* Send when a batch is full, the interval passed, someone flushes or
         * we are stopping; otherwise sleep until one of those. */
        while (!x->stopping && x->count < x->max_batch && !(x->flush_waiters && x->count) &&
               !(x->count && llmops__mono_ns() >= next_flush)) {
            if (!x->count) {
                pthread_cond_wait(&x->wake, &x->mu);
                next_flush = llmops__mono_ns() + (uint64_t)x->interval_ms * 1000000u;
                continue;
            }
            struct timespec ts;
            deadline_ts(next_flush, &ts);
            pthread_cond_timedwait(&x->wake, &x->mu, &ts);
        }
        if (x->stopping && (!x->count || llmops__mono_ns() >= x->stop_deadline_ns))
            break;
        size_t n = x->count < x->max_batch ? x->count : x->max_batch;
        for (size_t i = 0; i < n; i++) {
            batch[i] = x->ring[x->head];
            x->ring[x->head] = NULL;
            x->head = (x->head + 1) % x->cap;
        }
        x->count -= n;
        x->inflight = n;
        pthread_mutex_unlock(&x->mu);

        int ok = 0;
        uint64_t rejected = 0;
        if (h && m && batch) {
            llmops__buf_clear(&body);
            llmops__otlp_encode(x->service, x->res, x->nres,
                                (const llmops__span *const *)batch, n, &body);
            if (!body.failed)
                ok = export_batch(x, h, m, &body, &resp, &rejected);
            else
                set_error(x, "otlp: out of memory encoding %zu spans", n);
        }
        for (size_t i = 0; i < n; i++)
            llmops__free(batch[i]);
        next_flush = llmops__mono_ns() + (uint64_t)x->interval_ms * 1000000u;

        pthread_mutex_lock(&x->mu);
        x->inflight = 0;
        if (ok) {
            x->st.batches_ok++;
            if (rejected > n)
                rejected = n;
            x->st.exported += n - rejected;
            x->st.dropped_rejected += rejected;
        } else {
            x->st.batches_failed++;
            x->st.dropped_failed += n;
        }
        if (!x->count)
            pthread_cond_broadcast(&x->idle);
    }
    x->stopped = 1;
    pthread_cond_broadcast(&x->idle);
    pthread_mutex_unlock(&x->mu);
    llmops__buf_free(&body);
    llmops__buf_free(&resp);
    llmops__free(batch);
    if (m)
        curl_multi_cleanup(m);
    if (h)
        curl_easy_cleanup(h);
    return NULL;
}

/* ---- the caller's side --------------------------------------------------- */

static void otlp_destroy(llmops__otlp *x)
{
    if (x->ring) {
        for (size_t i = 0; i < x->count; i++)
            llmops__free(x->ring[(x->head + i) % x->cap]);
        llmops__free(x->ring);
    }
    curl_slist_free_all(x->headers);
    llmops__free(x->url);
    llmops__free(x->url_shown);
    llmops__free(x->service);
    llmops__free(x->res_copy);
    pthread_cond_destroy(&x->idle);
    pthread_cond_destroy(&x->wake);
    pthread_mutex_destroy(&x->mu);
    llmops__free(x);
}

static llmops_status fail(llmops__otlp *x, llmops__buf *err, llmops_status st, const char *msg)
{
    if (err)
        llmops__buf_printf(err, "otlp: %s", msg);
    if (x)
        otlp_destroy(x);
    return st;
}

llmops_status llmops__otlp_new(const llmops__otlp_options *o, llmops__otlp **out,
                               llmops__buf *err)
{
    if (!out)
        return fail(NULL, err, LLMOPS_E_INVALID_ARGUMENT, "no output pointer");
    *out = NULL;
    if (!o || !o->endpoint || !o->endpoint[0])
        return fail(NULL, err, LLMOPS_E_INVALID_ARGUMENT, "options.endpoint is empty");
    if (strncmp(o->endpoint, "http://", 7) != 0 && strncmp(o->endpoint, "https://", 8) != 0)
        return fail(NULL, err, LLMOPS_E_INVALID_ARGUMENT,
                    "options.endpoint must start with http:// or https://");
    for (size_t i = 0; i < o->nheaders; i++)
        if (!o->headers || !o->headers[i] || !strchr(o->headers[i], ':') ||
            strpbrk(o->headers[i], "\r\n"))
            /* The header itself is not quoted: it may hold a secret. */
            return fail(NULL, err, LLMOPS_E_INVALID_ARGUMENT,
                        "options.headers: an entry is not a single \"Name: value\" line");
    pthread_once(&g_curl_once, curl_once);
    if (g_curl_rc != CURLE_OK)
        return fail(NULL, err, LLMOPS_E_TRANSPORT, "curl_global_init failed");

    llmops__otlp *x = llmops__calloc(1, sizeof *x);
    if (!x)
        return fail(NULL, err, LLMOPS_E_NO_MEMORY, "out of memory");
    pthread_mutex_init(&x->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&x->wake, &ca);
    pthread_cond_init(&x->idle, &ca);
    pthread_condattr_destroy(&ca);

    x->cap = o->queue_capacity ? o->queue_capacity : 2048;
    x->max_batch = o->max_batch ? o->max_batch : 512;
    /* A batch larger than the queue would never fill: a full queue sends. */
    if (x->max_batch > x->cap)
        x->max_batch = x->cap;
    x->interval_ms = o->flush_interval_ms ? o->flush_interval_ms : 1000;
    x->timeout_ms = o->timeout_ms ? o->timeout_ms : 5000;
    x->max_retries = o->max_retries > 0 ? o->max_retries : 0;
    x->base_ms = o->retry_base_ms ? o->retry_base_ms : 100;
    x->max_ms = o->retry_max_ms ? o->retry_max_ms : 30000;
    x->shutdown_ms = o->shutdown_timeout_ms ? o->shutdown_timeout_ms : 2000;
    x->policy = o->drop_policy;
    if (llmops__random_bytes(&x->rng, sizeof x->rng) != 0 || !x->rng)
        x->rng = llmops__mono_ns() | 1u;

    size_t elen = strlen(o->endpoint);
    while (elen && o->endpoint[elen - 1] == '/')
        elen--;
    llmops__buf u = LLMOPS__BUF_INIT;
    llmops__buf_append(&u, o->endpoint, elen);
    llmops__buf_puts(&u, "/v1/traces");
    x->url = llmops__buf_detach(&u, NULL);
    x->ring = llmops__calloc(x->cap, sizeof *x->ring);
    x->service = llmops__strdup(o->service_name ? o->service_name : "libllmops");
    if (!x->url || !x->ring || !x->service || !(x->url_shown = shown_url(x->url)))
        return fail(x, err, LLMOPS_E_NO_MEMORY, "out of memory");
    if (o->nresource_attrs) {
        /* The span copy already deep-copies an attribute array. */
        llmops__span tmp;
        memset(&tmp, 0, sizeof tmp);
        tmp.name = "";
        tmp.status_message = "";
        tmp.attrs = o->resource_attrs;
        tmp.nattrs = o->nresource_attrs;
        llmops__span *c = llmops__span_copy(&tmp);
        if (!c)
            return fail(x, err, LLMOPS_E_NO_MEMORY, "out of memory");
        x->res_copy = c;
        x->res = (llmops__attr *)c->attrs;
        x->nres = c->nattrs;
    }
    struct curl_slist *hl = curl_slist_append(NULL, "Content-Type: application/json");
    for (size_t i = 0; hl && i < o->nheaders; i++) {
        struct curl_slist *n = curl_slist_append(hl, o->headers[i]);
        if (!n) {
            curl_slist_free_all(hl);
            hl = NULL;
        }
        hl = n;
    }
    if (!hl)
        return fail(x, err, LLMOPS_E_NO_MEMORY, "out of memory");
    x->headers = hl;
    if (pthread_create(&x->thread, NULL, run, x) != 0)
        return fail(x, err, LLMOPS_E_INTERNAL, "cannot start the exporter thread");
    x->thread_started = 1;
    *out = x;
    return LLMOPS_OK;
}

void llmops__otlp_enqueue(llmops__otlp *x, const llmops__span *s)
{
    if (!x || !s)
        return;
    /* A span that would be refused is not copied first: with a hung
     * collector every enqueue is a drop, and it stays a lock and a count. */
    pthread_mutex_lock(&x->mu);
    if (x->stopping || (x->count == x->cap && x->policy != LLMOPS__OTLP_DROP_OLDEST)) {
        if (x->stopping)
            x->st.dropped_shutdown++;
        else
            x->st.dropped_full++;
        pthread_mutex_unlock(&x->mu);
        return;
    }
    pthread_mutex_unlock(&x->mu);
    llmops__span *c = llmops__span_copy(s);
    llmops__span *evicted = NULL;
    pthread_mutex_lock(&x->mu);
    if (!c) {
        x->st.dropped_nomem++;
    } else if (x->stopping) {
        x->st.dropped_shutdown++;
        evicted = c;
    } else if (x->count == x->cap && x->policy != LLMOPS__OTLP_DROP_OLDEST) {
        x->st.dropped_full++;
        evicted = c;
    } else {
        if (x->count == x->cap) {
            evicted = x->ring[x->head];
            x->head = (x->head + 1) % x->cap;
            x->count--;
            x->st.dropped_full++;
        }
        x->ring[(x->head + x->count) % x->cap] = c;
        x->count++;
        x->st.enqueued++;
        /* The first span starts the interval timer of an idle thread; a
         * full batch goes at once. */
        if (x->count == 1 || x->count == x->max_batch)
            pthread_cond_signal(&x->wake);
    }
    pthread_mutex_unlock(&x->mu);
    llmops__free(evicted);
}

llmops_status llmops__otlp_flush(llmops__otlp *x, unsigned timeout_ms)
{
    if (!x)
        return LLMOPS_E_INVALID_ARGUMENT;
    uint64_t deadline = llmops__mono_ns() + (uint64_t)timeout_ms * 1000000u;
    struct timespec ts;
    deadline_ts(deadline, &ts);
    pthread_mutex_lock(&x->mu);
    x->flush_waiters++;
    pthread_cond_signal(&x->wake);
    while ((x->count || x->inflight) && !x->stopped) {
        if (pthread_cond_timedwait(&x->idle, &x->mu, &ts) != 0 &&
            llmops__mono_ns() >= deadline)
            break;
    }
    int done = !x->count && !x->inflight;
    x->flush_waiters--;
    pthread_mutex_unlock(&x->mu);
    return done ? LLMOPS_OK : LLMOPS_E_TIMEOUT;
}

void llmops__otlp_shutdown(llmops__otlp *x)
{
    if (!x)
        return;
    pthread_mutex_lock(&x->mu);
    int join = x->thread_started;
    x->thread_started = 0;
    if (!x->stopping) {
        x->stopping = 1;
        x->stop_deadline_ns = llmops__mono_ns() + (uint64_t)x->shutdown_ms * 1000000u;
    }
    pthread_cond_broadcast(&x->wake);
    pthread_mutex_unlock(&x->mu);
    if (join)
        pthread_join(x->thread, NULL);
    pthread_mutex_lock(&x->mu);
    while (x->count) {
        llmops__free(x->ring[x->head]);
        x->ring[x->head] = NULL;
        x->head = (x->head + 1) % x->cap;
        x->count--;
        x->st.dropped_shutdown++;
    }
    pthread_mutex_unlock(&x->mu);
}

void llmops__otlp_stats_get(llmops__otlp *x, llmops__otlp_stats *out)
{
    memset(out, 0, sizeof *out);
    if (!x)
        return;
    pthread_mutex_lock(&x->mu);
    *out = x->st;
    out->queued = x->count;
    pthread_mutex_unlock(&x->mu);
}

void llmops__otlp_last_error(llmops__otlp *x, char *out, size_t outsz)
{
    if (!outsz)
        return;
    out[0] = '\0';
    if (!x)
        return;
    pthread_mutex_lock(&x->mu);
    snprintf(out, outsz, "%s", x->last_error);
    pthread_mutex_unlock(&x->mu);
}

void llmops__otlp_free(llmops__otlp *x)
{
    if (!x)
        return;
    llmops__otlp_shutdown(x);
    otlp_destroy(x);
}

#else /* !LLMOPS_HAVE_HTTP */

struct llmops__otlp {
    int unused;
};

llmops_status llmops__otlp_new(const llmops__otlp_options *o, llmops__otlp **out,
                               llmops__buf *err)
{
    (void)o;
    if (out)
        *out = NULL;
    if (err)
        llmops__buf_puts(err, "otlp: this build has no HTTP support (libcurl)");
    return LLMOPS_E_UNSUPPORTED;
}

void llmops__otlp_enqueue(llmops__otlp *x, const llmops__span *s) { (void)x; (void)s; }
llmops_status llmops__otlp_flush(llmops__otlp *x, unsigned t)
{
    (void)x;
    (void)t;
    return LLMOPS_E_UNSUPPORTED;
}
void llmops__otlp_shutdown(llmops__otlp *x) { (void)x; }
void llmops__otlp_stats_get(llmops__otlp *x, llmops__otlp_stats *out)
{
    (void)x;
    memset(out, 0, sizeof *out);
}
void llmops__otlp_last_error(llmops__otlp *x, char *out, size_t outsz)
{
    (void)x;
    if (outsz)
        out[0] = '\0';
}
void llmops__otlp_free(llmops__otlp *x) { (void)x; }

#endif
