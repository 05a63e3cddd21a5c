/* A provider's wire format: how a request becomes HTTP and how bodies,
 * stream events and error bodies become a response. One file per format
 * (openai.c, openai_responses.c, anthropic.c, gemini.c, ollama.c), each
 * exporting one `const llmops__wire` below. Pure functions of their inputs:
 * no I/O, no globals, so conformance tests and fuzzers call them directly. */
#ifndef LLMOPS_PROVIDER_WIRE_H
#define LLMOPS_PROVIDER_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "core/strbuf.h"
#include "llmops/provider.h"

typedef enum llmops__op {
    LLMOPS__OP_GENERATE = 0,
    LLMOPS__OP_EMBED    = 1,
    LLMOPS__OP_CLASSIFY = 2   /* a native classifier (OpenAI moderation) */
} llmops__op;

typedef enum llmops__framing {
    LLMOPS__FRAMING_SSE    = 0,
    LLMOPS__FRAMING_NDJSON = 1
} llmops__framing;

/* A built-in provider's immutable configuration (copied from the options). */
typedef struct llmops__provider_cfg {
    char *type;
    char *name;
    char *base_url;           /* never NULL, no trailing '/' */
    char *api_key_env;        /* may be NULL (ollama) */
    llmops_key_fn key_fn;
    void *key_user_data;
    char *default_model;
    char *api_version;
    int azure;
    char *ca_bundle;
    char **headers;           /* "Name: value" */
    size_t nheaders;
    uint32_t connect_timeout_ms, first_byte_timeout_ms, total_timeout_ms, idle_timeout_ms;
    size_t max_request_bytes, max_response_bytes;
} llmops__provider_cfg;

/* An HTTP request to send. The wire fills url, body and headers. */
typedef struct llmops__http_request {
    llmops__buf url;
    llmops__buf body;
    llmops__buf headers;      /* "Name: value\n" lines */
    const char *method;       /* "POST" (default when NULL) or "GET" */
} llmops__http_request;

void llmops__http_request_init(llmops__http_request *h);
void llmops__http_request_free(llmops__http_request *h);
/* Appends "name: value\n" (value may hold a secret: never logged). */
void llmops__http_request_header(llmops__http_request *h, const char *name, const char *value,
                                 size_t value_len);

typedef struct llmops__wire {
    const char *type;                /* "openai", ... */
    const char *default_base_url;
    const char *default_key_env;     /* NULL: no key needed */
    llmops__framing framing;         /* of its streams */
    unsigned ops;                    /* bit (1u << llmops__op) per native op */

    /* Builds the HTTP request for op; `stream` asks for a streamed
     * generation. `key` (may be NULL) is the API key to put in the auth
     * header. Errors go into resp: LLMOPS_E_INVALID_ARGUMENT (request
     * lacks something: no model, no messages, ...), LLMOPS_E_UNSUPPORTED,
     * LLMOPS_E_NO_MEMORY. */
    llmops_status (*build)(const llmops__provider_cfg *cfg, const llmops_request *req,
                           const char *model, llmops__op op, int stream, const char *key,
                           size_t key_len, llmops__http_request *out, llmops_response *resp);

    /* Parses a complete 2xx body of op into resp (text, reasoning, tool
     * calls through llmops__response_tool_call_fragment, finish reason,
     * usage, model, id; embeddings; labels). LLMOPS_E_MALFORMED_RESPONSE
     * with what was wrong and where. A 200 body that carries an error
     * object is that error's typed status. */
    llmops_status (*parse)(llmops__op op, const char *body, size_t len, llmops_response *resp);

    /* Streaming. stream_new returns per-call state (NULL on no memory);
     * stream_event gets one SSE event (event name may be empty) or one
     * NDJSON line (event NULL); it emits deltas with llmops__stream_* and
     * fills usage, finish, model and id on s->resp. In-stream errors set
     * the typed status. stream_end is called at the end of the body: a
     * stream that never said it was complete is LLMOPS_E_MALFORMED_RESPONSE
     * ("stream ended before ..."). */
    void *(*stream_new)(void);
    llmops_status (*stream_event)(void *state, const char *event, size_t event_len,
                                  const char *data, size_t data_len, llmops_stream *s);
    llmops_status (*stream_end)(void *state, llmops_stream *s);
    void (*stream_free)(void *state);

    /* Maps a non-2xx answer: sets resp's status (see llmops__http_status_map
     * for the default), message (the provider's own), error code. Body may
     * be empty or not JSON. */
    void (*parse_error)(int http_status, const char *body, size_t len, llmops_response *resp);
} llmops__wire;

extern const llmops__wire llmops__wire_openai;
extern const llmops__wire llmops__wire_openai_responses;
extern const llmops__wire llmops__wire_anthropic;
extern const llmops__wire llmops__wire_gemini;
extern const llmops__wire llmops__wire_ollama;

/* The wire for a provider type, or NULL. */
const llmops__wire *llmops__wire_find(const char *type);

/* Feeds a whole stream body through the wire's framing (SSE or NDJSON) and
 * stream_event, then stream_end. For the transport's write callback the
 * same is available piecewise: see decoder.h. */

#endif
