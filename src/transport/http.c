/* HTTP transport over libcurl (see http.h).
 *
 * Each pooled slot pairs an easy handle with its own multi handle. The
 * multi handle owns the slot's connection cache, so a slot taken from the
 * pool by any thread reuses the connections earlier calls left open; DNS
 * and TLS sessions are shared between all slots through one share handle.
 * The connection cache itself is not put in the share handle: libcurl up to
 * 8.x documents sharing connections between concurrent threads as
 * unsupported, and the pool gives the same reuse without it.
 *
 * The transfer is driven by curl_multi_perform/curl_multi_poll with a short
 * poll timeout, so this loop checks cancellation, the call deadline and the
 * first-byte and idle timeouts at least every LOOP_TICK_MS even when the
 * server sends nothing; that is what bounds cancellation latency.
 *
 * Request ids are taken from the first of x-request-id, request-id,
 * x-goog-request-id, x-amzn-requestid, cf-ray (in that preference order). */
#include "transport/http.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/alloc.h"
#include "core/clock.h"
#include "llmops/common.h"
#include "provider/errors.h"

#define LOOP_TICK_MS 20
#define POOL_MAX_IDLE 32
#define ERROR_BODY_CAP ((size_t)1 << 20)
#define NS_PER_MS 1000000ull

/* ---- process-wide state ------------------------------------------------- */

typedef struct slot {
    CURL *easy;
    CURLM *multi;
    CURLSH *share;      /* the share handle current when the slot was taken */
    struct slot *next;
} slot;

static pthread_once_t g_global_once = PTHREAD_ONCE_INIT;
static CURLcode g_global_rc = CURLE_FAILED_INIT;

static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;   /* pool and share setup */
static CURLSH *g_share;
static slot *g_idle;
static unsigned g_nidle;
static int g_http2;

/* One lock per kind of shared data, as libcurl asks. */
static pthread_mutex_t g_share_locks[CURL_LOCK_DATA_LAST];

static void share_lock(CURL *h, curl_lock_data data, curl_lock_access access, void *ud)
{
    (void)h;
    (void)access;
    (void)ud;
    if ((int)data >= 0 && data < CURL_LOCK_DATA_LAST)
        pthread_mutex_lock(&g_share_locks[data]);
}

static void share_unlock(CURL *h, curl_lock_data data, void *ud)
{
    (void)h;
    (void)ud;
    if ((int)data >= 0 && data < CURL_LOCK_DATA_LAST)
        pthread_mutex_unlock(&g_share_locks[data]);
}

static void global_init_once(void)
{
    for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
        pthread_mutex_init(&g_share_locks[i], NULL);
    g_global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
    const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);
    g_http2 = v && (v->features & CURL_VERSION_HTTP2);
}

/* Makes the share handle on first use (and again after a cleanup). Called
 * with g_mu held. */
static int share_ready_locked(void)
{
    if (g_share)
        return 1;
    CURLSH *sh = curl_share_init();
    if (!sh)
        return 0;
    if (curl_share_setopt(sh, CURLSHOPT_LOCKFUNC, share_lock) != CURLSHE_OK ||
        curl_share_setopt(sh, CURLSHOPT_UNLOCKFUNC, share_unlock) != CURLSHE_OK ||
        curl_share_setopt(sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS) != CURLSHE_OK) {
        curl_share_cleanup(sh);
        return 0;
    }
    /* Without TLS session sharing calls still work; they just resume less. */
    curl_share_setopt(sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
    g_share = sh;
    return 1;
}

static void slot_destroy(slot *s)
{
    if (!s)
        return;
    if (s->multi)
        curl_multi_cleanup(s->multi);
    if (s->easy)
        curl_easy_cleanup(s->easy);
    llmops__free(s);
}

static slot *slot_take(void)
{
    pthread_mutex_lock(&g_mu);
    if (!share_ready_locked()) {
        pthread_mutex_unlock(&g_mu);
        return NULL;
    }
    CURLSH *share = g_share;
    slot *s = g_idle;
    if (s) {
        g_idle = s->next;
        g_nidle--;
    }
    pthread_mutex_unlock(&g_mu);
    if (s) {
        s->share = share;
        return s;
    }
    s = llmops__calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->share = share;
    s->easy = curl_easy_init();
    s->multi = curl_multi_init();
    if (!s->easy || !s->multi) {
        slot_destroy(s);
        return NULL;
    }
    return s;
}

static void slot_give_back(slot *s)
{
    /* Options go, live connections and caches stay (curl_easy_reset). */
    curl_easy_reset(s->easy);
    pthread_mutex_lock(&g_mu);
    if (g_nidle < POOL_MAX_IDLE && g_share) {
        s->next = g_idle;
        g_idle = s;
        g_nidle++;
        s = NULL;
    }
    pthread_mutex_unlock(&g_mu);
    slot_destroy(s);
}

void llmops__http_global_cleanup(void)
{
    pthread_mutex_lock(&g_mu);
    slot *s = g_idle;
    g_idle = NULL;
    g_nidle = 0;
    CURLSH *sh = g_share;
    g_share = NULL;
    pthread_mutex_unlock(&g_mu);
    while (s) {
        slot *next = s->next;
        slot_destroy(s);
        s = next;
    }
    if (sh)
        curl_share_cleanup(sh);
}

/* ---- results ------------------------------------------------------------ */

void llmops__http_result_init(llmops__http_result *r)
{
    if (!r)
        return;
    memset(r, 0, sizeof *r);
}

void llmops__http_result_free(llmops__http_result *r)
{
    if (!r)
        return;
    llmops__buf_free(&r->body);
}

/* ---- one transfer ------------------------------------------------------- */

typedef enum stop_reason {
    STOP_NONE = 0,
    STOP_LIMIT,         /* response beyond max_response_bytes */
    STOP_CONSUMER,      /* on_body returned non-zero */
    STOP_NO_MEMORY,
    STOP_ERROR_FULL     /* non-2xx body reached its cap: enough for the parser */
} stop_reason;

typedef struct xfer {
    const llmops__http_call *call;
    llmops__http_result *res;
    size_t max_response;        /* 0: unlimited */
    uint64_t received;
    uint64_t last_byte_ns;
    int got_status;
    int id_rank;                /* preference of the request id kept, 0: none */
    stop_reason stop;
} xfer;

static int is_2xx(int status) { return status >= 200 && status <= 299; }

static const char *const k_id_headers[] = {
    "x-request-id", "request-id", "x-goog-request-id", "x-amzn-requestid", "cf-ray",
};

static void take_request_id(xfer *x, const char *name, size_t nlen, const char *v, size_t vlen)
{
    for (size_t i = 0; i < sizeof k_id_headers / sizeof k_id_headers[0]; i++) {
        int rank = (int)(sizeof k_id_headers / sizeof k_id_headers[0] - i);
        if (strlen(k_id_headers[i]) != nlen || strncasecmp(name, k_id_headers[i], nlen) != 0)
            continue;
        if (rank <= x->id_rank)
            return;
        size_t n = 0;
        char *out = x->res->request_id;
        for (size_t k = 0; k < vlen && n + 1 < sizeof x->res->request_id; k++) {
            unsigned char c = (unsigned char)v[k];
            if (c > 0x20 && c < 0x7f)   /* ids are printable tokens; drop the rest */
                out[n++] = (char)c;
        }
        out[n] = '\0';
        if (n)
            x->id_rank = rank;
        return;
    }
}

/* 1 when the n bytes at s contain `word` (lower case), ignoring case. */
static int contains_ci(const char *s, size_t n, const char *word)
{
    size_t w = strlen(word);
    for (size_t i = 0; i + w <= n; i++)
        if (strncasecmp(s + i, word, w) == 0)
            return 1;
    return 0;
}

static size_t on_header(char *p, size_t size, size_t nitems, void *ud)
{
    xfer *x = ud;
    size_t len = size * nitems;
    x->last_byte_ns = llmops__mono_ns();
    size_t n = len;
    while (n > 0 && (p[n - 1] == '\n' || p[n - 1] == '\r'))
        n--;
    if (n >= 5 && memcmp(p, "HTTP/", 5) == 0) {
        const char *sp = memchr(p, ' ', n);
        int status = 0;
        if (sp)
            for (const char *d = sp + 1; d < p + n && *d >= '0' && *d <= '9'; d++)
                status = status * 10 + (*d - '0');
        x->res->http_status = status;
        x->got_status = 1;
        return len;
    }
    const char *colon = memchr(p, ':', n);
    if (!colon)
        return len;
    size_t nlen = (size_t)(colon - p);
    const char *v = colon + 1;
    size_t vlen = (size_t)(p + n - v);
    while (vlen > 0 && (*v == ' ' || *v == '\t')) {
        v++;
        vlen--;
    }
    while (vlen > 0 && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
        vlen--;

    /* Every retry hint header names "retry" or "reset"; skip the parser
     * (and the clock read) for the others. */
    if (contains_ci(p, nlen, "retry") || contains_ci(p, nlen, "reset")) {
        uint64_t hint = llmops__retry_hint_header(p, nlen, v, vlen, (int64_t)llmops__wall_ns());
        if (hint > x->res->retry_after_ms)
            x->res->retry_after_ms = hint;
    }
    take_request_id(x, p, nlen, v, vlen);

    /* A declared length over the limit is refused before any body byte. */
    if (x->max_response && is_2xx(x->res->http_status) && nlen == 14 &&
        strncasecmp(p, "content-length", 14) == 0) {
        unsigned long long cl = 0;
        for (size_t i = 0; i < vlen && v[i] >= '0' && v[i] <= '9'; i++)
            cl = cl * 10 + (unsigned)(v[i] - '0');
        if (cl > x->max_response) {
            x->stop = STOP_LIMIT;
            return 0;
        }
    }
    return len;
}

static size_t on_write(char *p, size_t size, size_t nmemb, void *ud)
{
    xfer *x = ud;
    size_t len = size * nmemb;
    uint64_t now = llmops__mono_ns();
    x->last_byte_ns = now;
    if (!x->res->first_byte_ns)
        x->res->first_byte_ns = now;
    x->received += len;
    if (is_2xx(x->res->http_status)) {
        if (x->max_response && x->received > x->max_response) {
            x->stop = STOP_LIMIT;
            return 0;
        }
        if (x->call->on_body) {
            if (x->call->on_body(p, len, x->call->user_data) != 0) {
                x->stop = STOP_CONSUMER;
                return 0;
            }
            return len;
        }
        llmops__buf_append(&x->res->body, p, len);
        if (x->res->body.failed) {
            x->stop = STOP_NO_MEMORY;
            return 0;
        }
        return len;
    }
    /* Error bodies feed the error parser: the first part is all it needs. */
    size_t cap = ERROR_BODY_CAP;
    if (x->max_response && x->max_response < cap)
        cap = x->max_response;
    size_t room = cap > x->res->body.len ? cap - x->res->body.len : 0;
    llmops__buf_append(&x->res->body, p, len < room ? len : room);
    if (x->res->body.failed) {
        x->stop = STOP_NO_MEMORY;
        return 0;
    }
    if (len > room) {
        x->stop = STOP_ERROR_FULL;
        return 0;
    }
    return len;
}

/* Wipes n bytes that may have held a key (volatile: not optimised away). */
static void wipe(char *p, size_t n)
{
    volatile char *w = p;
    for (size_t i = 0; i < n; i++)
        w[i] = 0;
}

/* Adds each "Name: value" line of text (separated by '\n'). 0 ok, -1 on no
 * memory or a line over 8 KiB. */
static int add_header_lines(struct curl_slist **list, const char *text, size_t len)
{
    char line[8192];
    size_t used = 0;
    int rc = 0;
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl ? nl : end;
        size_t n = (size_t)(e - p);
        while (n > 0 && (p[n - 1] == '\r' || p[n - 1] == ' '))
            n--;
        if (n > 0) {
            if (n >= sizeof line) {
                rc = -1;
                break;
            }
            memcpy(line, p, n);
            line[n] = '\0';
            if (n + 1 > used)
                used = n + 1;
            struct curl_slist *l = curl_slist_append(*list, line);
            if (!l) {
                rc = -1;
                break;
            }
            *list = l;
        }
        p = nl ? nl + 1 : end;
    }
    wipe(line, used);
    return rc;
}

static int has_header(const struct curl_slist *l, const char *name)
{
    size_t n = strlen(name);
    for (; l; l = l->next)
        if (strncasecmp(l->data, name, n) == 0 && l->data[n] == ':')
            return 1;
    return 0;
}

/* Header copies may hold the API key: wipe them before libcurl frees them. */
static void free_headers(struct curl_slist *l)
{
    for (struct curl_slist *i = l; i; i = i->next)
        wipe(i->data, strlen(i->data));
    curl_slist_free_all(l);
}

static llmops_status fail(llmops__http_result *res, llmops_status st, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static llmops_status fail(llmops__http_result *res, llmops_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(res->error, sizeof res->error, fmt, ap);
    va_end(ap);
    res->status = st;
    return st;
}

static llmops_status map_curl(llmops__http_result *res, CURLcode rc, const char *errbuf,
                              uint32_t connect_ms)
{
    const char *msg = errbuf && errbuf[0] ? errbuf : curl_easy_strerror(rc);
    switch (rc) {
    case CURLE_OK:
        return LLMOPS_OK;
    case CURLE_OUT_OF_MEMORY:
        return fail(res, LLMOPS_E_NO_MEMORY, "out of memory in libcurl");
    case CURLE_OPERATION_TIMEDOUT:
        if (!res->http_status)
            return fail(res, LLMOPS_E_TIMEOUT, "no connection within %u ms (%s)", connect_ms, msg);
        return fail(res, LLMOPS_E_TIMEOUT, "transfer timed out (%s)", msg);
    default:
        return fail(res, LLMOPS_E_TRANSPORT, "%s (curl error %d)", msg, (int)rc);
    }
}

static void set_options(CURL *e, CURLSH *share, const llmops__http_call *call, xfer *x,
                        struct curl_slist *headers, char *errbuf)
{
    const llmops__http_request *req = call->req;
    const llmops__provider_cfg *cfg = call->cfg;
    curl_easy_setopt(e, CURLOPT_URL, req->url.data);
    curl_easy_setopt(e, CURLOPT_SHARE, share);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
#else
    curl_easy_setopt(e, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    curl_easy_setopt(e, CURLOPT_USERAGENT, "libllmops/" LLMOPS_VERSION_STRING);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    if (g_http2)
        curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
    if (cfg && cfg->ca_bundle && cfg->ca_bundle[0])
        curl_easy_setopt(e, CURLOPT_CAINFO, cfg->ca_bundle);
    if (cfg && cfg->connect_timeout_ms)
        curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)cfg->connect_timeout_ms);

    const char *method = req->method ? req->method : "POST";
    if (strcmp(method, "GET") == 0) {
        curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
    } else {
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body.len);
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, req->body.data ? req->body.data : "");
        if (strcmp(method, "POST") != 0)
            curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
    }
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, x);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
}

/* The earliest absolute deadline, and whether it is the caller's. */
static uint64_t deadline_of(const llmops__http_call *call, uint64_t start, int *is_call)
{
    uint64_t total = call->cfg && call->cfg->total_timeout_ms
                         ? start + (uint64_t)call->cfg->total_timeout_ms * NS_PER_MS
                         : 0;
    uint64_t d = call->deadline_ns;
    *is_call = d && (!total || d <= total);
    return *is_call ? d : total;
}

/* Checks cancellation and the timeouts; returns non-OK to stop. */
static llmops_status check_clock(const llmops__http_call *call, xfer *x, uint64_t start,
                                 uint64_t deadline, int deadline_is_call, uint64_t now)
{
    llmops__http_result *res = x->res;
    const llmops__provider_cfg *cfg = call->cfg;
    if (call->cancel && llmops_cancel_is_set(call->cancel))
        return fail(res, LLMOPS_E_CANCELLED, "cancelled by the host after %llu ms",
                    (unsigned long long)((now - start) / NS_PER_MS));
    if (deadline && now >= deadline) {
        if (deadline_is_call)
            return fail(res, LLMOPS_E_TIMEOUT, "call deadline reached after %llu ms",
                        (unsigned long long)((now - start) / NS_PER_MS));
        return fail(res, LLMOPS_E_TIMEOUT, "no complete response within the total timeout of %u ms",
                    cfg->total_timeout_ms);
    }
    if (!cfg)
        return LLMOPS_OK;
    if (!x->got_status && cfg->first_byte_timeout_ms &&
        now - start >= (uint64_t)cfg->first_byte_timeout_ms * NS_PER_MS)
        return fail(res, LLMOPS_E_TIMEOUT, "no response headers within %u ms",
                    cfg->first_byte_timeout_ms);
    if (x->got_status && cfg->idle_timeout_ms &&
        now - x->last_byte_ns >= (uint64_t)cfg->idle_timeout_ms * NS_PER_MS)
        return fail(res, LLMOPS_E_TIMEOUT, "stream idle for %u ms (no byte received)",
                    cfg->idle_timeout_ms);
    return LLMOPS_OK;
}

/* How long to wait in poll: a tick, or less when a deadline is nearer. */
static int poll_ms(const llmops__http_call *call, const xfer *x, uint64_t start, uint64_t deadline,
                   uint64_t now)
{
    uint64_t wait = (uint64_t)LOOP_TICK_MS * NS_PER_MS;
    const llmops__provider_cfg *cfg = call->cfg;
    uint64_t next[3] = {deadline, 0, 0};
    if (cfg && !x->got_status && cfg->first_byte_timeout_ms)
        next[1] = start + (uint64_t)cfg->first_byte_timeout_ms * NS_PER_MS;
    if (cfg && x->got_status && cfg->idle_timeout_ms)
        next[2] = x->last_byte_ns + (uint64_t)cfg->idle_timeout_ms * NS_PER_MS;
    for (int i = 0; i < 3; i++)
        if (next[i] && next[i] > now && next[i] - now < wait)
            wait = next[i] - now;
    int ms = (int)((wait + NS_PER_MS - 1) / NS_PER_MS);
    return ms > 0 ? ms : 1;
}

llmops_status llmops__http_perform(const llmops__http_call *call, llmops__http_result *res)
{
    if (!res)
        return LLMOPS_E_INVALID_ARGUMENT;
    if (!call || !call->req || !call->req->url.data || !call->req->url.len)
        return fail(res, LLMOPS_E_INVALID_ARGUMENT, "HTTP call without a URL");
    const llmops__provider_cfg *cfg = call->cfg;
    const llmops__http_request *req = call->req;
    if (req->url.failed || req->body.failed || req->headers.failed)
        return fail(res, LLMOPS_E_NO_MEMORY, "HTTP request was built without memory");
    if (cfg && cfg->max_request_bytes && req->body.len > cfg->max_request_bytes)
        return fail(res, LLMOPS_E_LIMIT, "request body of %zu bytes exceeds the limit of %zu bytes",
                    req->body.len, cfg->max_request_bytes);

    uint64_t start = llmops__mono_ns();
    int deadline_is_call = 0;
    uint64_t deadline = deadline_of(call, start, &deadline_is_call);
    xfer x;
    memset(&x, 0, sizeof x);
    x.call = call;
    x.res = res;
    x.max_response = cfg ? cfg->max_response_bytes : 0;
    x.last_byte_ns = start;
    llmops_status st = check_clock(call, &x, start, deadline, deadline_is_call, start);
    if (st != LLMOPS_OK)
        return st;

    pthread_once(&g_global_once, global_init_once);
    if (g_global_rc != CURLE_OK)
        return fail(res, LLMOPS_E_TRANSPORT, "libcurl failed to initialise: %s",
                    curl_easy_strerror(g_global_rc));

    struct curl_slist *headers = NULL;
    int bad = add_header_lines(&headers, req->headers.data ? req->headers.data : "",
                               req->headers.len);
    for (size_t i = 0; cfg && !bad && i < cfg->nheaders; i++)
        if (cfg->headers[i])
            bad = add_header_lines(&headers, cfg->headers[i], strlen(cfg->headers[i]));
    /* JSON APIs; and no 100-continue round trip before large bodies. */
    if (!bad && !has_header(headers, "Content-Type") && strcmp(req->method ? req->method : "POST", "GET"))
        bad = add_header_lines(&headers, "Content-Type: application/json", 30);
    if (!bad)
        bad = add_header_lines(&headers, "Expect:", 7);
    if (bad) {
        free_headers(headers);
        return fail(res, LLMOPS_E_NO_MEMORY, "cannot build the request headers (out of memory or a "
                                             "header line over 8 KiB)");
    }

    slot *s = slot_take();
    if (!s) {
        free_headers(headers);
        return fail(res, LLMOPS_E_NO_MEMORY, "cannot create a libcurl handle");
    }
    char errbuf[CURL_ERROR_SIZE];
    errbuf[0] = '\0';
    set_options(s->easy, s->share, call, &x, headers, errbuf);

    CURLcode rc = CURLE_OK;
    int done = 0;
    if (curl_multi_add_handle(s->multi, s->easy) != CURLM_OK) {
        st = fail(res, LLMOPS_E_NO_MEMORY, "cannot start the transfer in libcurl");
    } else {
        for (;;) {
            int running = 0;
            CURLMcode mc = curl_multi_perform(s->multi, &running);
            if (mc != CURLM_OK) {
                st = fail(res, mc == CURLM_OUT_OF_MEMORY ? LLMOPS_E_NO_MEMORY : LLMOPS_E_TRANSPORT,
                          "libcurl: %s", curl_multi_strerror(mc));
                break;
            }
            int left = 0;
            CURLMsg *m;
            while ((m = curl_multi_info_read(s->multi, &left)) != NULL)
                if (m->msg == CURLMSG_DONE) {
                    rc = m->data.result;
                    done = 1;
                }
            if (done || !running)
                break;
            uint64_t now = llmops__mono_ns();
            st = check_clock(call, &x, start, deadline, deadline_is_call, now);
            if (st != LLMOPS_OK)
                break;
            mc = curl_multi_poll(s->multi, NULL, 0, poll_ms(call, &x, start, deadline, now), NULL);
            if (mc != CURLM_OK) {
                st = fail(res, LLMOPS_E_TRANSPORT, "libcurl: %s", curl_multi_strerror(mc));
                break;
            }
        }
        /* Removing an unfinished transfer closes its connection. */
        curl_multi_remove_handle(s->multi, s->easy);
    }

    if (st == LLMOPS_OK) {
        switch (x.stop) {
        case STOP_LIMIT:
            st = fail(res, LLMOPS_E_LIMIT, "response body exceeds the limit of %zu bytes",
                      x.max_response);
            break;
        case STOP_CONSUMER:
            st = fail(res, LLMOPS_E_ABORTED, "the body consumer stopped the transfer after %llu bytes",
                      (unsigned long long)x.received);
            break;
        case STOP_NO_MEMORY:
            st = fail(res, LLMOPS_E_NO_MEMORY, "out of memory buffering the response body");
            break;
        case STOP_ERROR_FULL:
            break;  /* the error body is kept as far as it fits */
        case STOP_NONE:
            if (!done)
                st = fail(res, LLMOPS_E_TRANSPORT, "transfer ended without a result");
            else
                st = map_curl(res, rc, errbuf, cfg ? cfg->connect_timeout_ms : 0);
            break;
        }
    }
    if (st == LLMOPS_OK && !res->http_status)
        st = fail(res, LLMOPS_E_TRANSPORT, "no HTTP status line received");
    res->status = st;

    slot_give_back(s);
    free_headers(headers);
    return st;
}
