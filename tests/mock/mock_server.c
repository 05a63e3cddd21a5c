/* The mock HTTP server: sockets, request parsing, scripted responses and
 * fault modes. The default format responder is in mock_formats.c. */
#include "mock_server.h"
#include "mock_internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MOCK_MAX_HEAD (64u * 1024u)
#define MOCK_MAX_BODY ((size_t)64 * 1024 * 1024)
#define MOCK_DEFAULT_MAX_MS 3000u
/* A normal response to a client that stops reading is given up after this. */
#define MOCK_SEND_GIVEUP_MS 30000u

typedef struct scripted {
    lt_mock_response r;
    char *headers, *body, *content_type, *endless_piece;
    struct scripted *next;
} scripted;

typedef struct conn {
    lt_mock *m;
    int fd;
    unsigned id;
    int done;
    pthread_t th;
    struct conn *next;
} conn;

struct lt_mock {
    int lfd;
    int port;
    char url[64];
    pthread_t accept_th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stopping;
    scripted *head, *tail;
    size_t npending;
    lt_mock_request *reqs;
    size_t nreq, capreq, total_requests;
    unsigned nconn, nopen;
    conn *conns;
    unsigned long serial;
    int no_recording;
};

/* ---- small buffer ------------------------------------------------------- */

void lt_sb_reserve(lt_sb *b, size_t extra)
{
    if (b->failed) return;
    if (b->len + extra + 1 <= b->cap) return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1) cap *= 2;
    char *p = realloc(b->data, cap);
    if (!p) { b->failed = 1; return; }
    b->data = p;
    b->cap = cap;
}

void lt_sb_add(lt_sb *b, const void *p, size_t n)
{
    lt_sb_reserve(b, n);
    if (b->failed) return;
    memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void lt_sb_puts(lt_sb *b, const char *s) { lt_sb_add(b, s, strlen(s)); }

void lt_sb_printf(lt_sb *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) { b->failed = 1; return; }
    lt_sb_reserve(b, (size_t)n);
    if (b->failed) return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void lt_sb_json_str(lt_sb *b, const char *s, size_t n)
{
    lt_sb_add(b, "\"", 1);
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        lt_sb_add(b, s + run, i - run);
        run = i + 1;
        switch (c) {
        case '"': lt_sb_puts(b, "\\\""); break;
        case '\\': lt_sb_puts(b, "\\\\"); break;
        case '\n': lt_sb_puts(b, "\\n"); break;
        case '\r': lt_sb_puts(b, "\\r"); break;
        case '\t': lt_sb_puts(b, "\\t"); break;
        default: lt_sb_printf(b, "\\u%04x", c); break;
        }
    }
    lt_sb_add(b, s + run, n - run);
    lt_sb_add(b, "\"", 1);
}

void lt_sb_free(lt_sb *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}

/* ---- time and interruptible waits --------------------------------------- */

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int is_stopping(lt_mock *m)
{
    pthread_mutex_lock(&m->mu);
    int s = m->stopping;
    pthread_mutex_unlock(&m->mu);
    return s;
}

/* Sleeps ms unless the server stops first; returns -1 when stopping. */
static int mock_sleep(lt_mock *m, unsigned ms)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += ms / 1000u;
    until.tv_nsec += (long)(ms % 1000u) * 1000000L;
    if (until.tv_nsec >= 1000000000L) { until.tv_sec++; until.tv_nsec -= 1000000000L; }
    pthread_mutex_lock(&m->mu);
    while (!m->stopping) {
        if (pthread_cond_timedwait(&m->cv, &m->mu, &until) == ETIMEDOUT) break;
    }
    int s = m->stopping;
    pthread_mutex_unlock(&m->mu);
    return s ? -1 : 0;
}

/* ---- socket I/O --------------------------------------------------------- */

/* Sends everything unless the peer goes away, the server stops or
 * `deadline` (monotonic ms) passes. 0 ok, -1 otherwise. */
static int send_all(lt_mock *m, int fd, const char *p, size_t n, uint64_t deadline)
{
    while (n > 0) {
        ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
        if (k > 0) { p += k; n -= (size_t)k; continue; }
        if (k < 0 && errno == EINTR) continue;
        if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            /* SO_SNDTIMEO expired: the client is not reading. */
            if (now_ms() >= deadline || is_stopping(m)) return -1;
            continue;
        }
        return -1;
    }
    return 0;
}

/* 1 when the peer has closed its side (or the socket failed). */
static int peer_gone(int fd)
{
    struct pollfd p = { fd, POLLIN, 0 };
    if (poll(&p, 1, 0) <= 0) return 0;
    if (p.revents & (POLLHUP | POLLERR)) return 1;
    char c;
    ssize_t k = recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
    return k == 0 || (k < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

typedef struct reader {
    int fd;
    char *buf;
    size_t len, cap, pos;
} reader;

/* Reads more bytes into r; 0 ok, -1 on EOF/error. */
static int rd_fill(reader *r)
{
    if (r->pos > 0 && r->pos == r->len) r->pos = r->len = 0;
    if (r->len == r->cap) {
        if (r->pos > 0) {
            memmove(r->buf, r->buf + r->pos, r->len - r->pos);
            r->len -= r->pos;
            r->pos = 0;
        } else {
            size_t cap = r->cap ? r->cap * 2 : 16384;
            char *p = realloc(r->buf, cap);
            if (!p) return -1;
            r->buf = p;
            r->cap = cap;
        }
    }
    for (;;) {
        ssize_t k = recv(r->fd, r->buf + r->len, r->cap - r->len, 0);
        if (k > 0) { r->len += (size_t)k; return 0; }
        if (k < 0 && errno == EINTR) continue;
        return -1;
    }
}

/* Reads one CRLF (or LF) terminated line; returns its length without the
 * terminator and sets *line (points into the reader). -1 on EOF or when a
 * line exceeds the head limit. */
static long rd_line(reader *r, char **line)
{
    size_t scanned = 0;
    /* No offset into a buffer that does not exist yet (UBSan). */
    if (!r->buf && rd_fill(r) != 0)
        return -1;
    for (;;) {
        char *start = r->buf + r->pos;
        size_t avail = r->len - r->pos - scanned;
        char *nl = avail ? memchr(start + scanned, '\n', avail) : NULL;
        if (nl) {
            size_t n = (size_t)(nl - start);
            r->pos += n + 1;
            if (n > 0 && start[n - 1] == '\r') n--;
            start[n] = '\0';
            *line = start;
            return (long)n;
        }
        scanned = r->len - r->pos;
        if (scanned > MOCK_MAX_HEAD) return -1;
        if (rd_fill(r) != 0) return -1;
    }
}

static int rd_bytes(reader *r, lt_sb *out, size_t n)
{
    while (n > 0) {
        if (r->pos == r->len && rd_fill(r) != 0) return -1;
        size_t k = r->len - r->pos;
        if (k > n) k = n;
        lt_sb_add(out, r->buf + r->pos, k);
        r->pos += k;
        n -= k;
    }
    return out->failed ? -1 : 0;
}

/* ---- requests ----------------------------------------------------------- */

static const char *find_header(const char *headers, const char *name, size_t *vlen)
{
    size_t nlen = strlen(name);
    const char *p = headers;
    while (p && *p) {
        const char *eol = strchr(p, '\n');
        size_t ll = eol ? (size_t)(eol - p) : strlen(p);
        if (ll > nlen && p[nlen] == ':' && strncasecmp(p, name, nlen) == 0) {
            const char *v = p + nlen + 1;
            const char *e = p + ll;
            while (v < e && (*v == ' ' || *v == '\t')) v++;
            while (e > v && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r')) e--;
            *vlen = (size_t)(e - v);
            return v;
        }
        p = eol ? eol + 1 : NULL;
    }
    return NULL;
}

int lt_mock_request_header(const lt_mock_request *r, const char *name, char *out, size_t outsz)
{
    size_t vlen = 0;
    const char *v = r && r->headers ? find_header(r->headers, name, &vlen) : NULL;
    if (!v) return 0;
    if (out && outsz > 0) {
        size_t n = vlen < outsz - 1 ? vlen : outsz - 1;
        memcpy(out, v, n);
        out[n] = '\0';
    }
    return 1;
}

static int header_has_token(const char *headers, const char *name, const char *token)
{
    size_t vlen = 0;
    const char *v = find_header(headers, name, &vlen);
    if (!v) return 0;
    size_t tl = strlen(token);
    for (size_t i = 0; i + tl <= vlen; i++)
        if (strncasecmp(v + i, token, tl) == 0) return 1;
    return 0;
}

/* Reads one request. 0 ok, -1 when the connection ends (or is unusable). */
static int read_request(lt_mock *m, reader *r, lt_mock_request *req, int *keep_alive)
{
    char *line;
    long n;
    do {    /* tolerate stray empty lines between requests (RFC 9112 2.2) */
        n = rd_line(r, &line);
        if (n < 0) return -1;
    } while (n == 0);
    char *sp1 = strchr(line, ' ');
    char *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
    if (!sp1 || !sp2 || (size_t)(sp1 - line) >= sizeof req->method) return -1;
    memcpy(req->method, line, (size_t)(sp1 - line));
    req->method[sp1 - line] = '\0';
    req->target = strndup(sp1 + 1, (size_t)(sp2 - sp1 - 1));
    int http10 = strcmp(sp2 + 1, "HTTP/1.0") == 0;
    lt_sb hb = { 0 };
    for (;;) {
        n = rd_line(r, &line);
        if (n < 0) { lt_sb_free(&hb); return -1; }
        if (n == 0) break;
        lt_sb_add(&hb, line, (size_t)n);
        lt_sb_add(&hb, "\n", 1);
        if (hb.len > MOCK_MAX_HEAD) { lt_sb_free(&hb); return -1; }
    }
    req->headers = hb.data ? hb.data : strdup("");
    if (!req->target || !req->headers) return -1;

    *keep_alive = !http10 && !header_has_token(req->headers, "Connection", "close");
    if (http10 && header_has_token(req->headers, "Connection", "keep-alive")) *keep_alive = 1;

    if (header_has_token(req->headers, "Expect", "100-continue")) {
        static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
        if (send_all(m, r->fd, cont, sizeof cont - 1, now_ms() + 5000) != 0) return -1;
    }

    lt_sb body = { 0 };
    size_t vlen = 0;
    if (header_has_token(req->headers, "Transfer-Encoding", "chunked")) {
        for (;;) {
            n = rd_line(r, &line);
            if (n < 0) { lt_sb_free(&body); return -1; }
            char *end = NULL;
            unsigned long long sz = strtoull(line, &end, 16);
            if (end == line || sz > MOCK_MAX_BODY || body.len + sz > MOCK_MAX_BODY) {
                lt_sb_free(&body);
                return -1;
            }
            if (sz == 0) {
                do {    /* trailers up to the empty line */
                    n = rd_line(r, &line);
                    if (n < 0) { lt_sb_free(&body); return -1; }
                } while (n > 0);
                break;
            }
            if (rd_bytes(r, &body, (size_t)sz) != 0 || rd_line(r, &line) != 0) {
                lt_sb_free(&body);
                return -1;
            }
        }
    } else {
        const char *cl = find_header(req->headers, "Content-Length", &vlen);
        if (cl) {
            unsigned long long sz = strtoull(cl, NULL, 10);
            if (sz > MOCK_MAX_BODY || rd_bytes(r, &body, (size_t)sz) != 0) {
                lt_sb_free(&body);
                return -1;
            }
        }
    }
    req->body_len = body.len;
    req->body = body.data ? body.data : strdup("");
    return req->body ? 0 : -1;
}

static void request_clear(lt_mock_request *r)
{
    free(r->target);
    free(r->headers);
    free(r->body);
    memset(r, 0, sizeof *r);
}

void lt_mock_request_free(lt_mock_request *r)
{
    if (r) request_clear(r);
}

static int request_copy(const lt_mock_request *src, lt_mock_request *dst)
{
    memset(dst, 0, sizeof *dst);
    memcpy(dst->method, src->method, sizeof dst->method);
    dst->target = strdup(src->target);
    dst->headers = strdup(src->headers);
    dst->body = malloc(src->body_len + 1);
    if (!dst->target || !dst->headers || !dst->body) {
        request_clear(dst);
        return -1;
    }
    memcpy(dst->body, src->body, src->body_len);
    dst->body[src->body_len] = '\0';
    dst->body_len = src->body_len;
    dst->connection = src->connection;
    return 0;
}

/* Records req (copied) and takes the next scripted response, if any. */
static scripted *record_and_take(lt_mock *m, const lt_mock_request *req, unsigned long *serial)
{
    lt_mock_request copy;
    pthread_mutex_lock(&m->mu);
    int record = !m->no_recording;
    pthread_mutex_unlock(&m->mu);
    int ok = record && request_copy(req, &copy) == 0;
    pthread_mutex_lock(&m->mu);
    if (ok && m->nreq == m->capreq) {
        size_t cap = m->capreq ? m->capreq * 2 : 16;
        lt_mock_request *p = realloc(m->reqs, cap * sizeof *p);
        if (p) { m->reqs = p; m->capreq = cap; }
    }
    if (ok && m->nreq < m->capreq) m->reqs[m->nreq++] = copy;
    else if (ok) request_clear(&copy);
    m->total_requests++;
    *serial = ++m->serial;
    scripted *s = m->head;
    if (s) {
        m->head = s->next;
        if (!m->head) m->tail = NULL;
        m->npending--;
    }
    pthread_cond_broadcast(&m->cv);
    pthread_mutex_unlock(&m->mu);
    return s;
}

/* ---- responses ---------------------------------------------------------- */

static const char *reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 408: return "Request Timeout";
    case 413: return "Payload Too Large";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 529: return "Overloaded";
    default: return "Status";
    }
}

static void scripted_free(scripted *s)
{
    if (!s) return;
    free(s->headers);
    free(s->body);
    free(s->content_type);
    free(s->endless_piece);
    free(s);
}

/* Writes the status line and headers. `length` < 0: no Content-Length. */
static void put_head(lt_sb *h, const lt_mock_response *r, const char *body, size_t body_len,
                     long long length, int chunked, int close_conn)
{
    int status = r->status ? r->status : 200;
    const char *ct = r->content_type;
    if (!ct) {
        int sse = body_len >= 5 && (strncmp(body, "data:", 5) == 0 || strncmp(body, "event:", 6) == 0);
        if (r->fault == LT_MOCK_FAULT_ENDLESS && !body_len) sse = 1;
        ct = sse ? "text/event-stream" : "application/json";
    }
    lt_sb_printf(h, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nServer: lt-mock\r\n", status,
                 reason(status), ct);
    if (chunked) lt_sb_puts(h, "Transfer-Encoding: chunked\r\n");
    else if (length >= 0) lt_sb_printf(h, "Content-Length: %lld\r\n", length);
    if (close_conn) lt_sb_puts(h, "Connection: close\r\n");
    const char *p = r->headers;
    while (p && *p) {
        const char *eol = strchr(p, '\n');
        size_t n = eol ? (size_t)(eol - p) : strlen(p);
        if (n > 0 && p[n - 1] == '\r') n--;
        if (n > 0) {
            lt_sb_add(h, p, n);
            lt_sb_puts(h, "\r\n");
        }
        p = eol ? eol + 1 : NULL;
    }
    lt_sb_puts(h, "\r\n");
}

static void put_chunk(lt_sb *w, const char *p, size_t n)
{
    lt_sb_printf(w, "%zx\r\n", n);
    lt_sb_add(w, p, n);
    lt_sb_puts(w, "\r\n");
}

/* Sends `body` in pieces (framed when chunked) with the scripted delays,
 * stopping after `limit` wire bytes. 0 ok, -1 peer gone/stopped. */
static int send_pieces(lt_mock *m, int fd, const lt_mock_response *r, const char *body,
                       size_t body_len, size_t *limit, uint64_t deadline)
{
    size_t piece = r->chunk_size ? r->chunk_size : (body_len ? body_len : 1);
    lt_sb w = { 0 };
    int rc = 0;
    for (size_t off = 0; off < body_len && rc == 0; off += piece) {
        if (off > 0 && r->chunk_delay_ms && mock_sleep(m, r->chunk_delay_ms) != 0) { rc = -1; break; }
        size_t n = body_len - off < piece ? body_len - off : piece;
        w.len = 0;
        if (r->chunked) put_chunk(&w, body + off, n);
        else lt_sb_add(&w, body + off, n);
        if (w.failed) { rc = -1; break; }
        size_t k = w.len < *limit ? w.len : *limit;
        if (send_all(m, fd, w.data, k, deadline) != 0) rc = -1;
        *limit -= k;
        if (*limit == 0) rc = -1;
    }
    lt_sb_free(&w);
    return rc;
}

/* Answers with a scripted response. Returns 1 to keep the connection. */
static int answer(lt_mock *m, int fd, const lt_mock_response *r, int keep_alive)
{
    const char *body = r->body ? r->body : "";
    size_t body_len = r->body ? (r->body_len ? r->body_len : strlen(r->body)) : 0;
    unsigned max_ms = r->max_ms ? r->max_ms : MOCK_DEFAULT_MAX_MS;
    uint64_t start = now_ms();
    uint64_t deadline = start + (r->fault == LT_MOCK_FAULT_NONE ? MOCK_SEND_GIVEUP_MS : max_ms);

    if (r->header_delay_ms && mock_sleep(m, r->header_delay_ms) != 0) return 0;

    if (r->fault == LT_MOCK_FAULT_SILENT) {
        while (now_ms() < deadline && !is_stopping(m) && !peer_gone(fd)) {
            struct pollfd p = { fd, POLLIN, 0 };
            poll(&p, 1, 20);
        }
        return 0;
    }

    int close_conn = r->close || !keep_alive || r->fault != LT_MOCK_FAULT_NONE;
    lt_sb h = { 0 };
    long long length = (long long)body_len;
    if (r->fault == LT_MOCK_FAULT_ENDLESS) length = -1;
    if (r->fault == LT_MOCK_FAULT_HUGE) length = (long long)(r->huge_bytes ? r->huge_bytes : 64ull << 20);
    put_head(&h, r, body, body_len, length, r->chunked, close_conn);
    if (r->fault == LT_MOCK_FAULT_NONE && !r->chunk_size && body_len <= 65536) {
        /* A plain response goes out in one write, as real servers do. */
        if (r->chunked) {
            if (body_len) put_chunk(&h, body, body_len);
            lt_sb_puts(&h, "0\r\n\r\n");
        } else {
            lt_sb_add(&h, body, body_len);
        }
        int ok = !h.failed && send_all(m, fd, h.data, h.len, deadline) == 0;
        lt_sb_free(&h);
        return ok && !close_conn;
    }
    int rc = h.failed ? -1 : send_all(m, fd, h.data, h.len, deadline);
    lt_sb_free(&h);
    if (rc != 0) return 0;

    size_t limit = r->fault == LT_MOCK_FAULT_CUT ? r->cut_after : SIZE_MAX;
    if (r->fault == LT_MOCK_FAULT_CUT && limit == 0) return 0;
    if (r->fault != LT_MOCK_FAULT_HUGE &&
        send_pieces(m, fd, r, body, body_len, &limit, deadline) != 0)
        return 0;
    if (r->fault == LT_MOCK_FAULT_CUT) return 0;

    if (r->fault == LT_MOCK_FAULT_ENDLESS) {
        const char *piece = r->endless_piece ? r->endless_piece : ": ping\n\n";
        size_t plen = strlen(piece);
        unsigned delay = r->chunk_delay_ms ? r->chunk_delay_ms : 10;
        lt_sb w = { 0 };
        if (r->chunked) put_chunk(&w, piece, plen);
        else lt_sb_add(&w, piece, plen);
        while (!w.failed && now_ms() < deadline && !peer_gone(fd)) {
            if (send_all(m, fd, w.data, w.len, deadline) != 0) break;
            if (mock_sleep(m, delay) != 0) break;
        }
        lt_sb_free(&w);
        return 0;
    }

    if (r->fault == LT_MOCK_FAULT_HUGE) {
        uint64_t total = (uint64_t)length, sent = 0;
        size_t blk = 64 * 1024;
        char *buf = malloc(blk + 32);
        if (!buf) return 0;
        for (size_t i = 0; i < blk; i++) buf[i] = body_len ? body[i % body_len] : 'x';
        while (sent < total && now_ms() < deadline) {
            size_t n = total - sent < blk ? (size_t)(total - sent) : blk;
            int k = 0;
            if (r->chunked) {
                char hdr[24];
                k = snprintf(hdr, sizeof hdr, "%zx\r\n", n);
                if (send_all(m, fd, hdr, (size_t)k, deadline) != 0) break;
            }
            if (send_all(m, fd, buf, n, deadline) != 0) break;
            if (r->chunked && send_all(m, fd, "\r\n", 2, deadline) != 0) break;
            sent += n;
        }
        if (sent == total && r->chunked) send_all(m, fd, "0\r\n\r\n", 5, deadline);
        free(buf);
        return 0;
    }

    if (r->chunked && send_all(m, fd, "0\r\n\r\n", 5, deadline) != 0) return 0;
    return !close_conn;
}

/* ---- connection and accept threads -------------------------------------- */

static void *conn_main(void *arg)
{
    conn *c = arg;
    lt_mock *m = c->m;
    reader r = { c->fd, NULL, 0, 0, 0 };
    for (;;) {
        lt_mock_request req;
        memset(&req, 0, sizeof req);
        int keep_alive = 1;
        if (read_request(m, &r, &req, &keep_alive) != 0) {
            request_clear(&req);
            break;
        }
        req.connection = c->id;
        unsigned long serial = 0;
        scripted *s = record_and_take(m, &req, &serial);
        int keep;
        if (s) {
            keep = answer(m, c->fd, &s->r, keep_alive);
            scripted_free(s);
        } else {
            lt_mock_response resp;
            lt_sb body = { 0 }, hdrs = { 0 };
            memset(&resp, 0, sizeof resp);
            lt_mock__format_respond(&req, serial, &resp, &hdrs, &body);
            resp.headers = hdrs.data;
            resp.body = body.len ? body.data : NULL;
            resp.body_len = body.len;
            keep = body.failed || hdrs.failed ? 0 : answer(m, c->fd, &resp, keep_alive);
            lt_sb_free(&body);
            lt_sb_free(&hdrs);
        }
        request_clear(&req);
        if (!keep || is_stopping(m)) break;
    }
    free(r.buf);
    shutdown(c->fd, SHUT_RDWR);
    pthread_mutex_lock(&m->mu);
    close(c->fd);
    c->fd = -1;
    c->done = 1;
    m->nopen--;
    pthread_cond_broadcast(&m->cv);
    pthread_mutex_unlock(&m->mu);
    return NULL;
}

/* Joins finished connection threads so a long benchmark does not pile up
 * thread stacks. Called with m->mu held. */
static void reap_locked(lt_mock *m)
{
    conn **pp = &m->conns;
    while (*pp) {
        conn *c = *pp;
        if (c->done) {
            *pp = c->next;
            pthread_join(c->th, NULL);
            free(c);
        } else {
            pp = &c->next;
        }
    }
}

static void *accept_main(void *arg)
{
    lt_mock *m = arg;
    while (!is_stopping(m)) {
        struct pollfd p = { m->lfd, POLLIN, 0 };
        int pr = poll(&p, 1, 50);
        pthread_mutex_lock(&m->mu);
        reap_locked(m);
        pthread_mutex_unlock(&m->mu);
        if (pr <= 0) continue;
        int fd = accept(m->lfd, NULL, NULL);
        if (fd < 0) continue;
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        struct timeval tv = { 0, 200000 };
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        conn *c = calloc(1, sizeof *c);
        if (!c) { close(fd); continue; }
        c->m = m;
        c->fd = fd;
        pthread_mutex_lock(&m->mu);
        if (m->stopping) {
            pthread_mutex_unlock(&m->mu);
            close(fd);
            free(c);
            break;
        }
        c->id = ++m->nconn;
        m->nopen++;
        if (pthread_create(&c->th, NULL, conn_main, c) != 0) {
            m->nopen--;
            pthread_mutex_unlock(&m->mu);
            close(fd);
            free(c);
            continue;
        }
        c->next = m->conns;
        m->conns = c;
        pthread_mutex_unlock(&m->mu);
    }
    return NULL;
}

/* ---- public API --------------------------------------------------------- */

lt_mock *lt_mock_start(void)
{
    lt_mock *m = calloc(1, sizeof *m);
    if (!m) return NULL;
    m->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (m->lfd < 0) { perror("lt_mock: socket"); free(m); return NULL; }
    int one = 1;
    setsockopt(m->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    socklen_t alen = sizeof a;
    if (bind(m->lfd, (struct sockaddr *)&a, sizeof a) != 0 || listen(m->lfd, 128) != 0 ||
        getsockname(m->lfd, (struct sockaddr *)&a, &alen) != 0) {
        perror("lt_mock: bind/listen on 127.0.0.1");
        close(m->lfd);
        free(m);
        return NULL;
    }
    m->port = ntohs(a.sin_port);
    snprintf(m->url, sizeof m->url, "http://127.0.0.1:%d", m->port);
    pthread_mutex_init(&m->mu, NULL);
    pthread_cond_init(&m->cv, NULL);
    if (pthread_create(&m->accept_th, NULL, accept_main, m) != 0) {
        fprintf(stderr, "lt_mock: cannot start the accept thread\n");
        close(m->lfd);
        pthread_mutex_destroy(&m->mu);
        pthread_cond_destroy(&m->cv);
        free(m);
        return NULL;
    }
    return m;
}

static void drop_queue_locked(lt_mock *m)
{
    while (m->head) {
        scripted *s = m->head;
        m->head = s->next;
        scripted_free(s);
    }
    m->tail = NULL;
    m->npending = 0;
}

static void drop_requests_locked(lt_mock *m)
{
    for (size_t i = 0; i < m->nreq; i++) request_clear(&m->reqs[i]);
    m->nreq = 0;
}

void lt_mock_stop(lt_mock *m)
{
    if (!m) return;
    pthread_mutex_lock(&m->mu);
    m->stopping = 1;
    pthread_cond_broadcast(&m->cv);
    pthread_mutex_unlock(&m->mu);
    pthread_join(m->accept_th, NULL);
    close(m->lfd);
    pthread_mutex_lock(&m->mu);
    /* Wake connection threads blocked in recv/send. */
    for (conn *c = m->conns; c; c = c->next)
        if (c->fd >= 0) shutdown(c->fd, SHUT_RDWR);
    pthread_mutex_unlock(&m->mu);
    for (;;) {
        pthread_mutex_lock(&m->mu);
        conn *c = m->conns;
        if (c) m->conns = c->next;
        pthread_mutex_unlock(&m->mu);
        if (!c) break;
        pthread_join(c->th, NULL);
        free(c);
    }
    drop_queue_locked(m);
    drop_requests_locked(m);
    free(m->reqs);
    pthread_mutex_destroy(&m->mu);
    pthread_cond_destroy(&m->cv);
    free(m);
}

const char *lt_mock_url(const lt_mock *m) { return m->url; }
int lt_mock_port(const lt_mock *m) { return m->port; }

static char *dup_or_null(const char *s, int *fail)
{
    if (!s) return NULL;
    char *d = strdup(s);
    if (!d) *fail = 1;
    return d;
}

int lt_mock_push(lt_mock *m, const lt_mock_response *r)
{
    scripted *s = calloc(1, sizeof *s);
    if (!s) return -1;
    s->r = *r;
    int fail = 0;
    s->headers = dup_or_null(r->headers, &fail);
    s->content_type = dup_or_null(r->content_type, &fail);
    s->endless_piece = dup_or_null(r->endless_piece, &fail);
    if (r->body) {
        size_t n = r->body_len ? r->body_len : strlen(r->body);
        s->body = malloc(n + 1);
        if (s->body) {
            memcpy(s->body, r->body, n);
            s->body[n] = '\0';
        } else {
            fail = 1;
        }
        s->r.body_len = n;
    }
    if (fail) { scripted_free(s); return -1; }
    s->r.headers = s->headers;
    s->r.content_type = s->content_type;
    s->r.endless_piece = s->endless_piece;
    s->r.body = s->body;
    pthread_mutex_lock(&m->mu);
    if (m->tail) m->tail->next = s;
    else m->head = s;
    m->tail = s;
    m->npending++;
    pthread_mutex_unlock(&m->mu);
    return 0;
}

int lt_mock_push_simple(lt_mock *m, int status, const char *headers, const char *body)
{
    lt_mock_response r;
    memset(&r, 0, sizeof r);
    r.status = status;
    r.headers = headers;
    r.body = body;
    return lt_mock_push(m, &r);
}

int lt_mock_push_gemini_retry(lt_mock *m, const char *retry_delay)
{
    lt_sb b = { 0 };
    lt_sb_puts(&b, "{\"error\":{\"code\":429,\"message\":\"Resource has been exhausted "
                   "(e.g. check quota).\",\"status\":\"RESOURCE_EXHAUSTED\",\"details\":["
                   "{\"@type\":\"type.googleapis.com/google.rpc.QuotaFailure\",\"violations\":"
                   "[{\"quotaMetric\":\"generativelanguage.googleapis.com/generate_content_"
                   "free_tier_requests\",\"quotaId\":\"GenerateRequestsPerMinutePerProject"
                   "PerModel-FreeTier\"}]},{\"@type\":\"type.googleapis.com/google.rpc."
                   "RetryInfo\",\"retryDelay\":");
    lt_sb_json_str(&b, retry_delay, strlen(retry_delay));
    lt_sb_puts(&b, "}]}}");
    int rc = b.failed ? -1 : lt_mock_push_simple(m, 429, NULL, b.data);
    lt_sb_free(&b);
    return rc;
}

int lt_mock_push_retry_after_date(lt_mock *m, unsigned seconds)
{
    static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
    static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
    time_t t = time(NULL) + (time_t)seconds;
    struct tm tm;
    gmtime_r(&t, &tm);
    char h[96];
    snprintf(h, sizeof h, "Retry-After: %s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday],
             tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
    return lt_mock_push_simple(m, 429, h,
                               "{\"error\":{\"message\":\"Rate limit reached\",\"type\":"
                               "\"rate_limit_error\",\"code\":\"rate_limit_exceeded\"}}");
}

size_t lt_mock_pending(lt_mock *m)
{
    pthread_mutex_lock(&m->mu);
    size_t n = m->npending;
    pthread_mutex_unlock(&m->mu);
    return n;
}

void lt_mock_clear(lt_mock *m)
{
    pthread_mutex_lock(&m->mu);
    drop_queue_locked(m);
    drop_requests_locked(m);
    pthread_mutex_unlock(&m->mu);
}

void lt_mock_set_recording(lt_mock *m, int on)
{
    pthread_mutex_lock(&m->mu);
    m->no_recording = !on;
    pthread_mutex_unlock(&m->mu);
}

size_t lt_mock_request_count(lt_mock *m)
{
    pthread_mutex_lock(&m->mu);
    size_t n = m->total_requests;
    pthread_mutex_unlock(&m->mu);
    return n;
}

unsigned lt_mock_connections(lt_mock *m)
{
    pthread_mutex_lock(&m->mu);
    unsigned n = m->nconn;
    pthread_mutex_unlock(&m->mu);
    return n;
}

unsigned lt_mock_open_connections(lt_mock *m)
{
    pthread_mutex_lock(&m->mu);
    unsigned n = m->nopen;
    pthread_mutex_unlock(&m->mu);
    return n;
}

static int wait_until(lt_mock *m, unsigned timeout_ms, int (*ready)(lt_mock *, size_t), size_t arg)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += timeout_ms / 1000u;
    until.tv_nsec += (long)(timeout_ms % 1000u) * 1000000L;
    if (until.tv_nsec >= 1000000000L) { until.tv_sec++; until.tv_nsec -= 1000000000L; }
    pthread_mutex_lock(&m->mu);
    int rc = 0;
    while (!ready(m, arg)) {
        if (pthread_cond_timedwait(&m->cv, &m->mu, &until) == ETIMEDOUT) {
            rc = ready(m, arg) ? 0 : -1;
            break;
        }
    }
    pthread_mutex_unlock(&m->mu);
    return rc;
}

static int have_requests(lt_mock *m, size_t n) { return m->total_requests >= n; }
static int is_idle(lt_mock *m, size_t unused) { (void)unused; return m->nopen == 0; }

int lt_mock_wait_requests(lt_mock *m, size_t n, unsigned timeout_ms)
{
    return wait_until(m, timeout_ms, have_requests, n);
}

int lt_mock_wait_idle(lt_mock *m, unsigned timeout_ms)
{
    return wait_until(m, timeout_ms, is_idle, 0);
}

int lt_mock_request_get(lt_mock *m, size_t i, lt_mock_request *out)
{
    pthread_mutex_lock(&m->mu);
    int rc = i < m->nreq ? request_copy(&m->reqs[i], out) : -1;
    pthread_mutex_unlock(&m->mu);
    return rc;
}

int lt_mock_request_last(lt_mock *m, lt_mock_request *out)
{
    pthread_mutex_lock(&m->mu);
    int rc = m->nreq ? request_copy(&m->reqs[m->nreq - 1], out) : -1;
    pthread_mutex_unlock(&m->mu);
    return rc;
}
