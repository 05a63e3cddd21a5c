/* A fault-injecting mock HTTP/1.1 server for tests and benchmarks.
 *
 * Listens on 127.0.0.1 only, on an ephemeral port. One accept thread, one
 * thread per connection; keep-alive; request bodies with Content-Length or
 * chunked transfer encoding; "Expect: 100-continue" is answered. Test code:
 * the server itself uses plain malloc; the format responder reads request
 * bodies with llmops_json_parse (the library's allocator), so a test that
 * swaps in a failing allocator should script its responses.
 *
 * Each request is answered by the next scripted response in the queue (in
 * push order, whichever connection asks); when the queue is empty the
 * built-in format responder answers (see below). Every request is recorded.
 *
 * Format responder (empty queue), by path:
 *   POST /v1/chat/completions      OpenAI chat completion
 *   POST /v1/embeddings            OpenAI embeddings
 *   POST /v1/moderations           OpenAI moderation
 *   POST /v1/responses             OpenAI Responses
 *   POST /v1/messages              Anthropic messages
 *   POST /v1beta/models/{m}:generateContent
 *   POST /v1beta/models/{m}:streamGenerateContent?alt=sse
 *   POST /v1beta/models/{m}:embedContent, :batchEmbedContents
 *   POST /api/chat, /api/embed     Ollama
 *   anything else                  404 with an OpenAI-style error body
 * (A path prefix before these, such as "/openai" or "/proxy/v1", is
 * ignored: the responder matches on the path's suffix.)
 * The answer text is "echo: " + the text of the last user message (for
 * Gemini the last "user" content, for Responses the last user input or a
 * string input). "stream": true (or :streamGenerateContent) answers with the
 * real event shapes: SSE for OpenAI chat (chunks, a final usage chunk, then
 * "data: [DONE]"), Responses (response.created ... response.completed with
 * usage), Anthropic (message_start ... message_stop, usage in message_start
 * and message_delta) and Gemini (usageMetadata in the last event); NDJSON for
 * Ollama (done:true line with eval counts). Streamed text comes in several
 * deltas ("echo: " then the user text split in pieces of up to 8 bytes).
 * When the request declares tools and the last user text contains
 * "call tool", the answer is one call of the first declared tool with
 * arguments {"text":"<user text>"} (finish reason tool_calls / tool_use /
 * STOP with functionCall / done with tool_calls). When the last message
 * carries a tool result (role "tool"; an Anthropic tool_result block; a
 * Responses function_call_output; a Gemini functionResponse) the answer is
 * the text "tool result: <its content>" and never another call, so agent
 * loops end. Ollama /api/chat streams unless "stream": false (as the real
 * server does). OpenAI answers carry "x-request-id: req_mock<n>", Anthropic
 * "request-id: req_mock<n>" (n counts requests from 1). Usage: input tokens = the
 * number of whitespace-separated words in all message texts (at least 1),
 * output tokens = words in the answer. Model echoes the request's "model"
 * (Gemini: the {m} in the path). Embeddings: one vector per input, dimension
 * "dimensions" / "outputDimensionality" when given, else 8; values in
 * [-1, 1] derived from a hash of the text, so equal texts give equal
 * vectors. Moderation: flagged (category "violence") when the input contains
 * "flag me". A body that is not JSON gets 400 with an error body.
 */
#ifndef LT_MOCK_SERVER_H
#define LT_MOCK_SERVER_H

#include <stddef.h>
#include <stdint.h>

typedef struct lt_mock lt_mock;

typedef enum lt_mock_fault {
    LT_MOCK_FAULT_NONE = 0,
    /* Headers (declaring the full body), then only `cut_after` body bytes
     * (counted on the wire after chunk framing when chunked), then close. */
    LT_MOCK_FAULT_CUT,
    /* Headers and `body`, then `endless_piece` (default ": ping\n\n", an SSE
     * comment) every `chunk_delay_ms` (default 10) until the client goes
     * away or `max_ms` has passed; then the connection is closed. No
     * Content-Length (chunked when `chunked`, else close-delimited). */
    LT_MOCK_FAULT_ENDLESS,
    /* Reads the request and never answers: waits until the client closes or
     * `max_ms` has passed, then closes without a byte. */
    LT_MOCK_FAULT_SILENT,
    /* Declares Content-Length `huge_bytes` (default 64 MiB; chunked when
     * `chunked`) and sends that many bytes ('x' or `body` repeated) until
     * the client stops reading/closes or `max_ms` has passed. */
    LT_MOCK_FAULT_HUGE
} lt_mock_fault;

/* A scripted response. Zero-initialise, set what you need; everything is
 * copied by lt_mock_push. */
typedef struct lt_mock_response {
    int status;                 /* 0: 200 */
    const char *headers;        /* extra "Name: value" lines separated by '\n'; NULL: none */
    const char *body;           /* NULL: empty */
    size_t body_len;            /* 0: strlen(body) */
    const char *content_type;   /* NULL: "application/json" (or "text/event-stream"
                                   when the body starts with "data:" or "event:") */
    int chunked;                /* Transfer-Encoding: chunked instead of Content-Length */
    size_t chunk_size;          /* >0: body written in pieces of this size (one HTTP
                                   chunk each when chunked) */
    unsigned chunk_delay_ms;    /* pause before each piece after the first */
    unsigned header_delay_ms;   /* slow first byte: pause before the status line */
    int close;                  /* "Connection: close" and close after this response */
    lt_mock_fault fault;
    size_t cut_after;           /* LT_MOCK_FAULT_CUT */
    uint64_t huge_bytes;        /* LT_MOCK_FAULT_HUGE */
    const char *endless_piece;  /* LT_MOCK_FAULT_ENDLESS */
    unsigned max_ms;            /* bound of ENDLESS / SILENT / HUGE; 0: 3000 */
} lt_mock_response;

/* A recorded request. Strings are NUL-terminated; free with
 * lt_mock_request_free. */
typedef struct lt_mock_request {
    char method[16];
    char *target;               /* path and query, as sent */
    char *headers;              /* "Name: value\n" lines, as received */
    char *body;                 /* de-chunked */
    size_t body_len;
    unsigned connection;        /* 1-based number of the connection it came on */
} lt_mock_request;

/* Starts the server. NULL on failure (message on stderr). */
lt_mock *lt_mock_start(void);
/* Stops the server: closes every connection (ending endless/silent/huge
 * responses at once), joins every thread, frees everything. NULL-safe. */
void lt_mock_stop(lt_mock *m);

/* "http://127.0.0.1:PORT" (no trailing slash), valid until stop. */
const char *lt_mock_url(const lt_mock *m);
int lt_mock_port(const lt_mock *m);

/* Queues a scripted response (copied). 0 ok, -1 out of memory. */
int lt_mock_push(lt_mock *m, const lt_mock_response *r);
/* Shorthand: status, extra header lines (may be NULL), body (may be NULL). */
int lt_mock_push_simple(lt_mock *m, int status, const char *headers, const char *body);
/* 429 with a Gemini google.rpc.RetryInfo error body, retryDelay e.g. "30s". */
int lt_mock_push_gemini_retry(lt_mock *m, const char *retry_delay);
/* 429 with "Retry-After: <HTTP-date>" `seconds` from now (IMF-fixdate). */
int lt_mock_push_retry_after_date(lt_mock *m, unsigned seconds);
/* Scripted responses not yet used. */
size_t lt_mock_pending(lt_mock *m);
/* Drops the queued responses and the recorded requests; counters stay. */
void lt_mock_clear(lt_mock *m);

/* Recording of request copies is on by default; a long benchmark turns it
 * off (0) so memory stays flat. Counters keep counting either way. */
void lt_mock_set_recording(lt_mock *m, int on);

/* Requests received so far (complete requests, answered or not). */
size_t lt_mock_request_count(lt_mock *m);
/* Connections accepted so far. */
unsigned lt_mock_connections(lt_mock *m);
/* Connections currently open. */
unsigned lt_mock_open_connections(lt_mock *m);
/* Waits until at least n requests were received; 0 ok, -1 on timeout. */
int lt_mock_wait_requests(lt_mock *m, size_t n, unsigned timeout_ms);
/* Waits until no connection is open; 0 ok, -1 on timeout. */
int lt_mock_wait_idle(lt_mock *m, unsigned timeout_ms);

/* Copies recorded request i (0-based, in arrival order) into out. 0 ok,
 * -1 when there is no such request. The copy survives lt_mock_clear/stop. */
int lt_mock_request_get(lt_mock *m, size_t i, lt_mock_request *out);
/* The last recorded request; -1 when none. */
int lt_mock_request_last(lt_mock *m, lt_mock_request *out);
void lt_mock_request_free(lt_mock_request *r);
/* Value of header `name` (case-insensitive, first occurrence, trimmed) of a
 * recorded request, copied into out (truncated to outsz-1). 1 found, 0 not. */
int lt_mock_request_header(const lt_mock_request *r, const char *name, char *out, size_t outsz);

#endif
