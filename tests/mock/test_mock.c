/* The mock server through a plain socket client: framing, keep-alive,
 * scripted responses, every fault mode and each default format. */
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "llmops/json.h"
#include "tests/mock/mock_internal.h"
#include "tests/mock/mock_server.h"

static uint64_t ms_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int dial(lt_mock *m)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    cr_assert(fd >= 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons((uint16_t)lt_mock_port(m));
    cr_assert(connect(fd, (struct sockaddr *)&a, sizeof a) == 0, "connect: %s", strerror(errno));
    struct timeval tv = { 10, 0 };  /* a broken mock fails the test, never hangs it */
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return fd;
}

static void send_str(int fd, const char *s)
{
    size_t n = strlen(s);
    while (n) {
        ssize_t k = send(fd, s, n, MSG_NOSIGNAL);
        cr_assert(k > 0, "send failed: %s", strerror(errno));
        s += k;
        n -= (size_t)k;
    }
}

typedef struct resp {
    int status;
    lt_sb head;     /* header lines */
    lt_sb body;     /* de-chunked */
    size_t wire;    /* body bytes on the wire */
    int eof;        /* the server closed before the body was complete */
} resp;

typedef struct rd {
    int fd;
    char buf[8192];
    size_t len, pos;
} rd;

static int rd_byte(rd *r, char *c)
{
    if (r->pos == r->len) {
        ssize_t k = recv(r->fd, r->buf, sizeof r->buf, 0);
        if (k <= 0) return -1;
        r->len = (size_t)k;
        r->pos = 0;
    }
    *c = r->buf[r->pos++];
    return 0;
}

static int rd_line(rd *r, lt_sb *line)
{
    line->len = 0;
    char c;
    for (;;) {
        if (rd_byte(r, &c) != 0) return -1;
        if (c == '\n') break;
        if (c != '\r') lt_sb_add(line, &c, 1);
    }
    if (!line->data) lt_sb_puts(line, "");
    return 0;
}

static const char *hval(const resp *p, const char *name)
{
    static char v[256];
    size_t nl = strlen(name);
    const char *s = p->head.data;
    while (s && *s) {
        const char *e = strchr(s, '\n');
        if (strncasecmp(s, name, nl) == 0 && s[nl] == ':') {
            const char *b = s + nl + 1;
            while (*b == ' ') b++;
            snprintf(v, sizeof v, "%.*s", (int)(e - b), b);
            return v;
        }
        s = e ? e + 1 : NULL;
    }
    return NULL;
}

/* Reads one response (the body by Content-Length, chunks or to EOF). */
static void read_resp(rd *r, resp *p)
{
    memset(p, 0, sizeof *p);
    lt_sb line = { 0 };
    do {
        cr_assert(rd_line(r, &line) == 0, "no status line");
        p->status = atoi(line.data + 9);
        do {    /* headers (a 100 Continue has none) */
            cr_assert(rd_line(r, &line) == 0, "headers cut");
            if (line.len) {
                lt_sb_add(&p->head, line.data, line.len);
                lt_sb_add(&p->head, "\n", 1);
            }
        } while (line.len);
    } while (p->status == 100);
    const char *te = hval(p, "Transfer-Encoding");
    const char *cl = hval(p, "Content-Length");
    char c;
    if (te && strstr(te, "chunked")) {
        for (;;) {
            if (rd_line(r, &line) != 0) { p->eof = 1; break; }
            size_t n = strtoul(line.data, NULL, 16);
            p->wire += line.len + 2;
            if (n == 0) { rd_line(r, &line); break; }
            for (size_t i = 0; i < n; i++) {
                if (rd_byte(r, &c) != 0) { p->eof = 1; goto done; }
                lt_sb_add(&p->body, &c, 1);
            }
            p->wire += n + 2;
            if (rd_line(r, &line) != 0) { p->eof = 1; break; }
        }
    } else if (cl) {
        size_t n = strtoul(cl, NULL, 10);
        for (size_t i = 0; i < n; i++) {
            if (rd_byte(r, &c) != 0) { p->eof = 1; break; }
            lt_sb_add(&p->body, &c, 1);
            p->wire++;
        }
    } else {
        while (rd_byte(r, &c) == 0) { lt_sb_add(&p->body, &c, 1); p->wire++; }
    }
done:
    if (!p->body.data) lt_sb_puts(&p->body, "");
    if (!p->head.data) lt_sb_puts(&p->head, "");
    lt_sb_free(&line);
}

static void resp_free(resp *p)
{
    lt_sb_free(&p->head);
    lt_sb_free(&p->body);
}

static char *post(const char *path, const char *body)
{
    lt_sb s = { 0 };
    lt_sb_printf(&s, "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                     "Authorization: Bearer sk-test\r\nContent-Length: %zu\r\n\r\n%s",
                 path, strlen(body), body);
    return s.data;
}

/* One request on a fresh connection. */
static void exchange(lt_mock *m, const char *path, const char *body, resp *out)
{
    int fd = dial(m);
    char *req = post(path, body);
    send_str(fd, req);
    free(req);
    rd r = { fd, { 0 }, 0, 0 };
    read_resp(&r, out);
    close(fd);
}

static llmops_json_doc *parse(const char *s, size_t n)
{
    llmops_json_doc *d = NULL;
    llmops_json_error e = LLMOPS_JSON_ERROR_INIT;
    cr_assert_eq(llmops_json_parse(&d, s, n, NULL, &e), LLMOPS_OK, "not JSON at %zu (%s): %.*s", e.offset,
                 e.message, (int)(n > 300 ? 300 : n), s);
    return d;
}

static const llmops_json *path(const llmops_json *v, const char *p)
{
    char key[64];
    while (*p && v) {
        size_t n = strcspn(p, ".");
        snprintf(key, sizeof key, "%.*s", (int)n, p);
        if (key[0] >= '0' && key[0] <= '9') v = llmops_json_at(v, (size_t)atoi(key));
        else v = llmops_json_get(v, key);
        p += n;
        if (*p == '.') p++;
    }
    return v;
}

static const char *pstr(const llmops_json *root, const char *p)
{
    const char *s = llmops_json_string(path(root, p), NULL);
    cr_assert(s, "no string at %s", p);
    return s;
}

static int64_t pint(const llmops_json *root, const char *p)
{
    int64_t v = -1;
    cr_assert_eq(llmops_json_get_int(path(root, p), &v), LLMOPS_OK, "no integer at %s", p);
    return v;
}

/* Walks an SSE body: calls back with each data payload; returns the count. */
typedef void (*data_fn)(const char *event, const char *data, size_t len, void *ud);

static int each_sse(const char *body, data_fn fn, void *ud)
{
    int count = 0;
    char event[64] = "";
    const char *p = body;
    while (*p) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        size_t ln = n && p[n - 1] == '\r' ? n - 1 : n;
        if (ln > 7 && !strncmp(p, "event: ", 7)) snprintf(event, sizeof event, "%.*s", (int)(ln - 7), p + 7);
        else if (ln > 6 && !strncmp(p, "data: ", 6)) {
            fn(event, p + 6, ln - 6, ud);
            count++;
        } else if (ln == 0) event[0] = '\0';
        if (!e) break;
        p = e + 1;
    }
    return count;
}

Test(mock, url_and_openai_chat_round_trip)
{
    lt_mock *m = lt_mock_start();
    cr_assert(m);
    char want[64];
    snprintf(want, sizeof want, "http://127.0.0.1:%d", lt_mock_port(m));
    cr_assert_str_eq(lt_mock_url(m), want);

    resp p;
    exchange(m, "/v1/chat/completions",
             "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"system\",\"content\":\"be brief\"},"
             "{\"role\":\"user\",\"content\":\"hello there world\"}]}", &p);
    cr_assert_eq(p.status, 200);
    cr_assert_str_eq(hval(&p, "Content-Type"), "application/json");
    cr_assert(hval(&p, "x-request-id"));
    llmops_json_doc *d = parse(p.body.data, p.body.len);
    const llmops_json *r = llmops_json_doc_root(d);
    cr_assert_str_eq(pstr(r, "choices.0.message.content"), "echo: hello there world");
    cr_assert_str_eq(pstr(r, "choices.0.finish_reason"), "stop");
    cr_assert_str_eq(pstr(r, "model"), "gpt-4o-mini");
    cr_assert_eq(pint(r, "usage.prompt_tokens"), 5);
    cr_assert_eq(pint(r, "usage.completion_tokens"), 4);
    cr_assert_eq(pint(r, "usage.total_tokens"), 9);
    llmops_json_doc_free(d);
    resp_free(&p);

    lt_mock_request q;
    cr_assert_eq(lt_mock_request_last(m, &q), 0);
    cr_assert_str_eq(q.method, "POST");
    cr_assert_str_eq(q.target, "/v1/chat/completions");
    char auth[64];
    cr_assert(lt_mock_request_header(&q, "authorization", auth, sizeof auth));
    cr_assert_str_eq(auth, "Bearer sk-test");
    cr_assert(!lt_mock_request_header(&q, "x-missing", auth, sizeof auth));
    cr_assert(strstr(q.body, "hello there world"));
    cr_assert_eq(q.connection, 1u);
    lt_mock_request_free(&q);
    cr_assert_eq(lt_mock_request_count(m), 1u);
    lt_mock_stop(m);
}

Test(mock, keep_alive_serves_several_requests_on_one_connection)
{
    lt_mock *m = lt_mock_start();
    cr_assert(m);
    int fd = dial(m);
    rd r = { fd, { 0 }, 0, 0 };
    for (int i = 0; i < 3; i++) {
        char *req = post("/v1/chat/completions", "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        send_str(fd, req);
        free(req);
        resp p;
        read_resp(&r, &p);
        cr_assert_eq(p.status, 200);
        cr_assert(strstr(p.body.data, "echo: hi"));
        resp_free(&p);
    }
    close(fd);
    cr_assert_eq(lt_mock_request_count(m), 3u);
    cr_assert_eq(lt_mock_connections(m), 1u);
    lt_mock_request q;
    cr_assert_eq(lt_mock_request_get(m, 2, &q), 0);
    lt_mock_request_free(&q);
    cr_assert_eq(lt_mock_wait_idle(m, 2000), 0);
    cr_assert_eq(lt_mock_open_connections(m), 0u);
    lt_mock_stop(m);
}

Test(mock, chunked_request_body_and_expect_continue)
{
    lt_mock *m = lt_mock_start();
    cr_assert(m);
    int fd = dial(m);
    send_str(fd, "POST /v1/embeddings HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                 "Expect: 100-continue\r\n\r\n");
    rd r = { fd, { 0 }, 0, 0 };
    lt_sb line = { 0 };
    cr_assert_eq(rd_line(&r, &line), 0);
    cr_assert_str_eq(line.data, "HTTP/1.1 100 Continue");
    rd_line(&r, &line);
    cr_assert_eq(line.len, 0u);
    lt_sb_free(&line);
    send_str(fd, "c\r\n{\"input\":\"ab\r\n"
                 "1a\r\n\",\"model\":\"e\",\"dimensions\"\r\n"
                 "4\r\n:3}\n\r\n0\r\nX-Trailer: 1\r\n\r\n");
    resp p;
    read_resp(&r, &p);
    close(fd);
    cr_assert_eq(p.status, 200, "%s", p.body.data);
    llmops_json_doc *d = parse(p.body.data, p.body.len);
    cr_assert_eq(llmops_json_size(path(llmops_json_doc_root(d), "data.0.embedding")), 3u);
    llmops_json_doc_free(d);
    resp_free(&p);
    lt_mock_request q;
    cr_assert_eq(lt_mock_request_get(m, 0, &q), 0);
    cr_assert_str_eq(q.body, "{\"input\":\"ab\",\"model\":\"e\",\"dimensions\":3}\n");
    cr_assert_eq(q.body_len, strlen(q.body));
    lt_mock_request_free(&q);
    cr_assert_eq(lt_mock_request_get(m, 1, &q), -1);
    lt_mock_stop(m);
}

Test(mock, scripted_responses_answer_in_order_then_default)
{
    lt_mock *m = lt_mock_start();
    cr_assert(m);
    cr_assert_eq(lt_mock_push_simple(m, 429, "Retry-After: 7\nx-ratelimit-reset-requests: 6m0s",
                                     "{\"error\":{\"message\":\"slow down\"}}"), 0);
    cr_assert_eq(lt_mock_push_simple(m, 529, NULL, "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\"}}"), 0);
    cr_assert_eq(lt_mock_push_gemini_retry(m, "31s"), 0);
    cr_assert_eq(lt_mock_push_retry_after_date(m, 120), 0);
    cr_assert_eq(lt_mock_pending(m), 4u);
    const char *body = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";
    resp p;
    exchange(m, "/v1/chat/completions", body, &p);
    cr_assert_eq(p.status, 429);
    cr_assert_str_eq(hval(&p, "Retry-After"), "7");
    cr_assert_str_eq(hval(&p, "x-ratelimit-reset-requests"), "6m0s");
    cr_assert_str_eq(p.body.data, "{\"error\":{\"message\":\"slow down\"}}");
    resp_free(&p);
    exchange(m, "/v1/chat/completions", body, &p);
    cr_assert_eq(p.status, 529);
    cr_assert(strstr(p.body.data, "overloaded_error"));
    resp_free(&p);
    exchange(m, "/v1/chat/completions", body, &p);
    cr_assert_eq(p.status, 429);
    llmops_json_doc *d = parse(p.body.data, p.body.len);
    cr_assert_str_eq(pstr(llmops_json_doc_root(d), "error.details.1.retryDelay"), "31s");
    cr_assert_str_eq(pstr(llmops_json_doc_root(d), "error.status"), "RESOURCE_EXHAUSTED");
    llmops_json_doc_free(d);
    resp_free(&p);
    exchange(m, "/v1/chat/completions", body, &p);
    cr_assert_eq(p.status, 429);
    const char *ra = hval(&p, "Retry-After");
    cr_assert(ra && strlen(ra) == 29 && !strcmp(ra + 25, " GMT"), "HTTP-date expected, got %s", ra ? ra : "none");
    resp_free(&p);
    cr_assert_eq(lt_mock_pending(m), 0u);
    exchange(m, "/v1/chat/completions", body, &p);
    cr_assert_eq(p.status, 200);
    resp_free(&p);
    lt_mock_push_simple(m, 500, NULL, "x");
    lt_mock_clear(m);
    cr_assert_eq(lt_mock_pending(m), 0u);
    cr_assert_eq(lt_mock_request_count(m), 5u);
    lt_mock_request q;
    cr_assert_eq(lt_mock_request_last(m, &q), -1);
    lt_mock_stop(m);
}

Test(mock, chunked_response_in_delayed_pieces)
{
    lt_mock *m = lt_mock_start();
    cr_assert(m);
    lt_mock_response r;
    memset(&r, 0, sizeof r);
    r.body = "data: {\"a\":1}\n\ndata: {\"a\":2}\n\ndata: [DONE]\n\n";
    r.chunked = 1;
    r.chunk_size = 5;
    r.chunk_delay_ms = 5;
    r.header_delay_ms = 150;
    cr_assert_eq(lt_mock_push(m, &r), 0);
    uint64_t t0 = ms_now();
    resp p;
    exchange(m, "/anything", "{}", &p);
    cr_assert_geq(ms_now() - t0, 140u, "header delay not applied");
    cr_assert_eq(p.status, 200);
    cr_assert_str_eq(hval(&p, "Content-Type"), "text/event-stream");
    cr_assert_str_eq(p.body.data, r.body);
    cr_assert(!p.eof);
    resp_free(&p);
    lt_mock_stop(m);
}

Test(mock, cut_stream_closes_after_n_bytes)
{
    lt_mock *m = lt_mock_start();
    cr_assert(m);
    lt_mock_response r;
    memset(&r, 0, sizeof r);
    r.body = "0123456789abcdefghij";
    r.fault = LT_MOCK_FAULT_CUT;
    r.cut_after = 7;
    lt_mock_push(m, &r);
    resp p;
    exchange(m, "/x", "{}", &p);
    cr_assert_eq(p.status, 200);
    cr_assert_str_eq(hval(&p, "Content-Length"), "20");
    cr_assert(p.eof);
    cr_assert_str_eq(p.body.data, "0123456");
    resp_free(&p);
    lt_mock_stop(m);
}

Test(mock, silent_connection_never_answers_and_is_bounded)
{
    lt_mock *m = lt_mock_start();
    cr_assert(m);
    lt_mock_response r;
    memset(&r, 0, sizeof r);
    r.fault = LT_MOCK_FAULT_SILENT;
    r.max_ms = 400;
    lt_mock_push(m, &r);
    int fd = dial(m);
    char *req = post("/v1/messages", "{}");
    send_str(fd, req);
    free(req);
    struct pollfd pf = { fd, POLLIN, 0 };
    cr_assert_eq(poll(&pf, 1, 150), 0, "silent mode answered");
    uint64_t t0 = ms_now();
    char c;
    ssize_t k = recv(fd, &c, 1, 0);
    cr_assert_eq(k, 0, "expected a close without a byte");
    cr_assert_lt(ms_now() - t0, 5000u);
    close(fd);
    lt_mock_stop(m);
}

static size_t count_sub(const char *s, const char *sub)
{
    size_t n = 0;
    for (const char *p = strstr(s, sub); p; p = strstr(p + 1, sub)) n++;
    return n;
}

Test(mock, endless_stream_is_bounded)
{
    lt_mock *m = lt_mock_start();
    cr_assert(m);
    lt_mock_response r;
    memset(&r, 0, sizeof r);
    r.body = "data: {\"start\":true}\n\n";
    r.fault = LT_MOCK_FAULT_ENDLESS;
    r.chunk_delay_ms = 5;
    r.max_ms = 300;
    lt_mock_push(m, &r);
    uint64_t t0 = ms_now();
    resp p;
    exchange(m, "/x", "{}", &p);
    cr_assert_lt(ms_now() - t0, 5000u);
    cr_assert(!hval(&p, "Content-Length"));
    cr_assert(!strncmp(p.body.data, r.body, strlen(r.body)));
    cr_assert_geq(count_sub(p.body.data, ": ping\n\n"), 5u, "%s", p.body.data);
    resp_free(&p);

    r.chunked = 1;
    r.endless_piece = "data: {\"d\":\"x\"}\n\n";
    lt_mock_push(m, &r);
    exchange(m, "/x", "{}", &p);
    cr_assert_str_eq(hval(&p, "Transfer-Encoding"), "chunked");
    cr_assert(p.eof, "an endless chunked stream never ends properly");
    cr_assert_geq(count_sub(p.body.data, "{\"d\":\"x\"}"), 5u);
    resp_free(&p);
    lt_mock_stop(m);
}

Test(mock, huge_body_sends_what_it_declares)
{
    lt_mock *m = lt_mock_start();
    cr_assert(m);
    lt_mock_response r;
    memset(&r, 0, sizeof r);
    r.fault = LT_MOCK_FAULT_HUGE;
    r.huge_bytes = 3u << 20;
    lt_mock_push(m, &r);
    resp p;
    exchange(m, "/x", "{}", &p);
    cr_assert_str_eq(hval(&p, "Content-Length"), "3145728");
    cr_assert_eq(p.body.len, 3u << 20);
    cr_assert(!p.eof);
    cr_assert_eq(p.body.data[12345], 'x');
    resp_free(&p);
    lt_mock_stop(m);
}

Test(mock, stop_ends_endless_and_silent_connections_promptly)
{
    lt_mock *m = lt_mock_start();
    cr_assert(m);
    lt_mock_response r;
    memset(&r, 0, sizeof r);
    r.fault = LT_MOCK_FAULT_ENDLESS;
    r.max_ms = 60000;
    lt_mock_push(m, &r);
    r.fault = LT_MOCK_FAULT_SILENT;
    lt_mock_push(m, &r);
    int a = dial(m), b = dial(m);
    char *req = post("/x", "{}");
    send_str(a, req);
    cr_assert_eq(lt_mock_wait_requests(m, 1, 2000), 0);
    send_str(b, req);
    free(req);
    cr_assert_eq(lt_mock_wait_requests(m, 2, 2000), 0);
    uint64_t t0 = ms_now();
    lt_mock_stop(m);
    cr_assert_lt(ms_now() - t0, 2000u, "stop took too long");
    close(a);
    close(b);
}

/* ---- default formats ---------------------------------------------------- */

typedef struct collect {
    lt_sb text;
    int done, usage, n;
    char last_event[64];
} collect;

static void chat_chunk(const char *ev, const char *data, size_t len, void *ud)
{
    collect *c = ud;
    c->n++;
    if (len == 6 && !memcmp(data, "[DONE]", 6)) { c->done = 1; return; }
    llmops_json_doc *d = parse(data, len);
    const llmops_json *r = llmops_json_doc_root(d);
    const char *t = llmops_json_string(path(r, "choices.0.delta.content"), NULL);
    if (t) lt_sb_puts(&c->text, t);
    if (path(r, "usage.total_tokens")) c->usage = 1;
    llmops_json_doc_free(d);
}

Test(mock, openai_chat_stream_has_chunks_usage_and_done)
{
    lt_mock *m = lt_mock_start();
    cr_assert(m);
    resp p;
    exchange(m, "/v1/chat/completions",
             "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"a longer text here\"}]}", &p);
    cr_assert_eq(p.status, 200);
    cr_assert_str_eq(hval(&p, "Content-Type"), "text/event-stream");
    collect c = { { 0 }, 0, 0, 0, "" };
    each_sse(p.body.data, chat_chunk, &c);
    cr_assert_str_eq(c.text.data, "echo: a longer text here");
    cr_assert(c.done && c.usage);
    cr_assert_geq(c.n, 6);
    lt_sb_free(&c.text);
    resp_free(&p);
    lt_mock_stop(m);
}

Test(mock, openai_chat_tool_call)
{
    lt_mock *m = lt_mock_start();
    cr_assert(m);
    const char *tools = "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"lookup\",\"parameters\":{}}}]";
    char body[512];
    snprintf(body, sizeof body, "{\"model\":\"m\",%s,\"messages\":[{\"role\":\"user\",\"content\":\"please call tool\"}]}", tools);
    resp p;
    exchange(m, "/v1/chat/completions", body, &p);
    llmops_json_doc *d = parse(p.body.data, p.body.len);
    const llmops_json *r = llmops_json_doc_root(d);
    cr_assert_str_eq(pstr(r, "choices.0.finish_reason"), "tool_calls");
    cr_assert_str_eq(pstr(r, "choices.0.message.tool_calls.0.function.name"), "lookup");
    cr_assert_str_eq(pstr(r, "choices.0.message.tool_calls.0.function.arguments"), "{\"text\":\"please call tool\"}");
    llmops_json_doc_free(d);
    resp_free(&p);

    snprintf(body, sizeof body, "{\"model\":\"m\",%s,\"messages\":[{\"role\":\"user\",\"content\":\"please call tool\"},"
             "{\"role\":\"assistant\",\"tool_calls\":[]},{\"role\":\"tool\",\"tool_call_id\":\"c1\",\"content\":\"42\"}]}", tools);
    exchange(m, "/v1/chat/completions", body, &p);
    d = parse(p.body.data, p.body.len);
    cr_assert_str_eq(pstr(llmops_json_doc_root(d), "choices.0.message.content"), "tool result: 42");
    llmops_json_doc_free(d);
    resp_free(&p);
    lt_mock_stop(m);
}

static void anthropic_event(const char *ev, const char *data, size_t len, void *ud)
{
    collect *c = ud;
    llmops_json_doc *d = parse(data, len);
    const llmops_json *r = llmops_json_doc_root(d);
    cr_assert_str_eq(pstr(r, "type"), ev, "event name and type differ");
    const char *t = llmops_json_string(path(r, "delta.text"), NULL);
    if (t) lt_sb_puts(&c->text, t);
    t = llmops_json_string(path(r, "delta.partial_json"), NULL);
    if (t) lt_sb_puts(&c->text, t);
    if (path(r, "usage.output_tokens")) c->usage = 1;
    snprintf(c->last_event, sizeof c->last_event, "%s", ev);
    llmops_json_doc_free(d);
}

Test(mock, anthropic_messages_plain_stream_and_tool)
{
    lt_mock *m = lt_mock_start();
    cr_assert(m);
    resp p;
    exchange(m, "/v1/messages", "{\"model\":\"claude-x\",\"max_tokens\":10,\"system\":\"s\","
             "\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"hey\"}]}]}", &p);
    cr_assert(hval(&p, "request-id"));
    llmops_json_doc *d = parse(p.body.data, p.body.len);
    const llmops_json *r = llmops_json_doc_root(d);
    cr_assert_str_eq(pstr(r, "content.0.text"), "echo: hey");
    cr_assert_str_eq(pstr(r, "stop_reason"), "end_turn");
    cr_assert_eq(pint(r, "usage.input_tokens"), 2);
    llmops_json_doc_free(d);
    resp_free(&p);

    exchange(m, "/v1/messages", "{\"model\":\"claude-x\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hey you\"}]}", &p);
    collect c = { { 0 }, 0, 0, 0, "" };
    each_sse(p.body.data, anthropic_event, &c);
    cr_assert_str_eq(c.text.data, "echo: hey you");
    cr_assert_str_eq(c.last_event, "message_stop");
    cr_assert(c.usage);
    lt_sb_free(&c.text);
    resp_free(&p);

    exchange(m, "/v1/messages", "{\"model\":\"c\",\"stream\":true,\"tools\":[{\"name\":\"get_weather\",\"input_schema\":{}}],"
             "\"messages\":[{\"role\":\"user\",\"content\":\"call tool now\"}]}", &p);
    c = (collect){ { 0 }, 0, 0, 0, "" };
    each_sse(p.body.data, anthropic_event, &c);
    cr_assert_str_eq(c.text.data, "{\"text\":\"call tool now\"}");
    cr_assert(strstr(p.body.data, "\"name\":\"get_weather\""));
    cr_assert(strstr(p.body.data, "\"stop_reason\":\"tool_use\""));
    lt_sb_free(&c.text);
    resp_free(&p);
    lt_mock_stop(m);
}

static void gemini_event(const char *ev, const char *data, size_t len, void *ud)
{
    collect *c = ud;
    llmops_json_doc *d = parse(data, len);
    const llmops_json *r = llmops_json_doc_root(d);
    const char *t = llmops_json_string(path(r, "candidates.0.content.parts.0.text"), NULL);
    if (t) lt_sb_puts(&c->text, t);
    if (path(r, "usageMetadata.totalTokenCount")) c->usage = 1;
    if (path(r, "candidates.0.finishReason")) c->done = 1;
    llmops_json_doc_free(d);
}

Test(mock, gemini_generate_stream_and_embed)
{
    lt_mock *m = lt_mock_start();
    cr_assert(m);
    const char *body = "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"gem text\"}]}]}";
    resp p;
    exchange(m, "/v1beta/models/gemini-2.0-flash:generateContent", body, &p);
    llmops_json_doc *d = parse(p.body.data, p.body.len);
    const llmops_json *r = llmops_json_doc_root(d);
    cr_assert_str_eq(pstr(r, "candidates.0.content.parts.0.text"), "echo: gem text");
    cr_assert_str_eq(pstr(r, "modelVersion"), "gemini-2.0-flash");
    cr_assert_eq(pint(r, "usageMetadata.promptTokenCount"), 2);
    llmops_json_doc_free(d);
    resp_free(&p);

    exchange(m, "/v1beta/models/g:streamGenerateContent?alt=sse", body, &p);
    cr_assert_str_eq(hval(&p, "Content-Type"), "text/event-stream");
    collect c = { { 0 }, 0, 0, 0, "" };
    cr_assert_geq(each_sse(p.body.data, gemini_event, &c), 2);
    cr_assert_str_eq(c.text.data, "echo: gem text");
    cr_assert(c.usage && c.done);
    lt_sb_free(&c.text);
    resp_free(&p);

    exchange(m, "/v1beta/models/e:embedContent", "{\"content\":{\"parts\":[{\"text\":\"v\"}]},\"outputDimensionality\":5}", &p);
    d = parse(p.body.data, p.body.len);
    cr_assert_eq(llmops_json_size(path(llmops_json_doc_root(d), "embedding.values")), 5u);
    llmops_json_doc_free(d);
    resp_free(&p);

    exchange(m, "/v1beta/models/e:batchEmbedContents", "{\"requests\":[{\"content\":{\"parts\":[{\"text\":\"same\"}]}},"
             "{\"content\":{\"parts\":[{\"text\":\"same\"}]}},{\"content\":{\"parts\":[{\"text\":\"other\"}]}}]}", &p);
    d = parse(p.body.data, p.body.len);
    r = llmops_json_doc_root(d);
    cr_assert_eq(llmops_json_size(path(r, "embeddings")), 3u);
    cr_assert(llmops_json_equal(path(r, "embeddings.0.values"), path(r, "embeddings.1.values")));
    cr_assert(!llmops_json_equal(path(r, "embeddings.0.values"), path(r, "embeddings.2.values")));
    llmops_json_doc_free(d);
    resp_free(&p);
    lt_mock_stop(m);
}

Test(mock, ollama_chat_ndjson_and_embed)
{
    lt_mock *m = lt_mock_start();
    cr_assert(m);
    resp p;
    exchange(m, "/api/chat", "{\"model\":\"llama3\",\"messages\":[{\"role\":\"user\",\"content\":\"yo\"}]}", &p);
    cr_assert_str_eq(hval(&p, "Content-Type"), "application/x-ndjson");
    lt_sb text = { 0 };
    int lines = 0, done = 0;
    for (char *s = p.body.data; *s;) {
        char *e = strchr(s, '\n');
        cr_assert(e, "NDJSON line without newline");
        llmops_json_doc *d = parse(s, (size_t)(e - s));
        const llmops_json *r = llmops_json_doc_root(d);
        lt_sb_puts(&text, pstr(r, "message.content"));
        if (llmops_json_is_true(path(r, "done"))) {
            done = 1;
            cr_assert_gt(pint(r, "eval_count"), 0);
        }
        llmops_json_doc_free(d);
        lines++;
        s = e + 1;
    }
    cr_assert(done);
    cr_assert_geq(lines, 3);
    cr_assert_str_eq(text.data, "echo: yo");
    lt_sb_free(&text);
    resp_free(&p);

    exchange(m, "/api/chat", "{\"model\":\"llama3\",\"stream\":false,\"messages\":[{\"role\":\"user\",\"content\":\"yo\"}]}", &p);
    llmops_json_doc *d = parse(p.body.data, p.body.len);
    cr_assert_str_eq(pstr(llmops_json_doc_root(d), "message.content"), "echo: yo");
    llmops_json_doc_free(d);
    resp_free(&p);

    exchange(m, "/api/embed", "{\"model\":\"e\",\"input\":[\"a\",\"b\"]}", &p);
    d = parse(p.body.data, p.body.len);
    cr_assert_eq(llmops_json_size(path(llmops_json_doc_root(d), "embeddings")), 2u);
    cr_assert_eq(llmops_json_size(path(llmops_json_doc_root(d), "embeddings.1")), 8u);
    llmops_json_doc_free(d);
    resp_free(&p);
    lt_mock_stop(m);
}

static void responses_event(const char *ev, const char *data, size_t len, void *ud)
{
    collect *c = ud;
    llmops_json_doc *d = parse(data, len);
    const llmops_json *r = llmops_json_doc_root(d);
    cr_assert_str_eq(pstr(r, "type"), ev);
    if (!strcmp(ev, "response.output_text.delta")) lt_sb_puts(&c->text, pstr(r, "delta"));
    if (!strcmp(ev, "response.completed")) {
        c->done = 1;
        c->usage = pint(r, "response.usage.total_tokens") > 0;
    }
    llmops_json_doc_free(d);
}

Test(mock, responses_moderation_and_unknown_path)
{
    lt_mock *m = lt_mock_start();
    cr_assert(m);
    resp p;
    exchange(m, "/v1/responses", "{\"model\":\"o\",\"input\":\"just text\"}", &p);
    llmops_json_doc *d = parse(p.body.data, p.body.len);
    cr_assert_str_eq(pstr(llmops_json_doc_root(d), "output.0.content.0.text"), "echo: just text");
    llmops_json_doc_free(d);
    resp_free(&p);

    exchange(m, "/v1/responses", "{\"model\":\"o\",\"stream\":true,\"input\":[{\"role\":\"user\",\"content\":"
             "[{\"type\":\"input_text\",\"text\":\"streamed words\"}]}]}", &p);
    collect c = { { 0 }, 0, 0, 0, "" };
    each_sse(p.body.data, responses_event, &c);
    cr_assert_str_eq(c.text.data, "echo: streamed words");
    cr_assert(c.done && c.usage);
    lt_sb_free(&c.text);
    resp_free(&p);

    exchange(m, "/v1/moderations", "{\"input\":[\"fine\",\"please flag me\"]}", &p);
    d = parse(p.body.data, p.body.len);
    cr_assert(!llmops_json_is_true(path(llmops_json_doc_root(d), "results.0.flagged")));
    cr_assert(llmops_json_is_true(path(llmops_json_doc_root(d), "results.1.flagged")));
    llmops_json_doc_free(d);
    resp_free(&p);

    exchange(m, "/v2/unknown", "{}", &p);
    cr_assert_eq(p.status, 404);
    resp_free(&p);
    exchange(m, "/v1/chat/completions", "{not json", &p);
    cr_assert_eq(p.status, 400);
    cr_assert(strstr(p.body.data, "not JSON"));
    resp_free(&p);
    lt_mock_stop(m);
}

Test(mock, recording_can_be_turned_off)
{
    lt_mock *m = lt_mock_start();
    cr_assert(m);
    const char *body = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"r\"}]}";
    resp p;
    exchange(m, "/v1/chat/completions", body, &p);
    resp_free(&p);
    lt_mock_set_recording(m, 0);
    exchange(m, "/v1/chat/completions", body, &p);
    cr_assert_eq(p.status, 200);
    resp_free(&p);
    cr_assert_eq(lt_mock_request_count(m), 2u);
    lt_mock_request q;
    cr_assert_eq(lt_mock_request_get(m, 0, &q), 0);
    lt_mock_request_free(&q);
    cr_assert_eq(lt_mock_request_get(m, 1, &q), -1, "a request was recorded while recording was off");
    lt_mock_set_recording(m, 1);
    exchange(m, "/v1/chat/completions", body, &p);
    resp_free(&p);
    cr_assert_eq(lt_mock_request_get(m, 1, &q), 0);
    lt_mock_request_free(&q);
    lt_mock_stop(m);
}
