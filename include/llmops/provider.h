/*
 * libllmops — providers: generate, classify and embed.
 *
 * A provider (llmops_provider) turns a request (llmops_request) into a
 * response (llmops_response). Built-in providers speak the real wire formats
 * of OpenAI Chat Completions and compatible servers ("openai"), the OpenAI
 * Responses API ("openai-responses"), Anthropic Messages ("anthropic"),
 * Gemini ("gemini") and Ollama's native API ("ollama") over libcurl. A host
 * plugs in its own backend with a versioned vtable (llmops_provider_new_custom).
 * Wrappers add resilience (llmops_provider_new_fallback: retries, fallback
 * chain, circuit breakers) and offline runs (llmops_provider_new_replay,
 * llmops_provider_new_recorder).
 *
 * Ownership: every object here is created by a llmops_*_new function into
 * `*out` and released by its NULL-safe llmops_*_free. Strings and JSON passed
 * in are copied. Strings returned directly are borrowed from the object and
 * stay valid until the object changes or is freed.
 *
 * Thread-safety: a llmops_provider is safe to share between threads (its
 * connection pool and breaker state are synchronized); the last
 * llmops_provider_free must not race with calls on it. A request may be read
 * by many threads at once once it is no longer being changed. A response
 * belongs to one thread at a time. llmops_cancel_trigger may be called from
 * any thread.
 *
 * Secrets: API keys are read from the environment variable the options name,
 * or from a host callback, at the moment of each call. They never appear in an
 * error message, a recorded cassette, a raw body or a trace.
 */
#ifndef LLMOPS_PROVIDER_H
#define LLMOPS_PROVIDER_H

#include "common.h"
#include "json.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct llmops_provider llmops_provider;
typedef struct llmops_request llmops_request;
typedef struct llmops_response llmops_response;
typedef struct llmops_stream llmops_stream;
typedef struct llmops_cancel llmops_cancel;

/* ---- cancellation ------------------------------------------------------- */

/** A cancellation flag shared between the thread that runs calls and any
 *  thread that wants to stop them. Reference counted: a request that holds it
 *  keeps it alive. Errors: LLMOPS_E_INVALID_ARGUMENT, LLMOPS_E_NO_MEMORY. */
LLMOPS_API llmops_status llmops_cancel_new(llmops_cancel **out);
/** Drops the caller's reference. NULL-safe. */
LLMOPS_API void llmops_cancel_free(llmops_cancel *cancel);
/** Sets the flag. Any thread; async-signal-safe. A call that observes it ends
 *  promptly (within about 50 ms while waiting on the network) with
 *  LLMOPS_E_CANCELLED. The flag stays set until llmops_cancel_reset. */
LLMOPS_API void llmops_cancel_trigger(llmops_cancel *cancel);
/** Clears the flag so the token can be reused. Any thread. */
LLMOPS_API void llmops_cancel_reset(llmops_cancel *cancel);
/** 1 if the flag is set, else 0 (also for NULL). Any thread. */
LLMOPS_API int llmops_cancel_is_set(const llmops_cancel *cancel);

/* ---- requests ----------------------------------------------------------- */

typedef enum llmops_role {
    LLMOPS_ROLE_SYSTEM    = 0,
    LLMOPS_ROLE_USER      = 1,
    LLMOPS_ROLE_ASSISTANT = 2,
    LLMOPS_ROLE_TOOL      = 3  /* a tool result; carries the tool call id */
} llmops_role;

typedef enum llmops_tool_choice {
    LLMOPS_TOOL_CHOICE_AUTO     = 0, /* the model decides (default) */
    LLMOPS_TOOL_CHOICE_NONE     = 1, /* no tool calls */
    LLMOPS_TOOL_CHOICE_REQUIRED = 2, /* at least one tool call */
    LLMOPS_TOOL_CHOICE_NAMED    = 3  /* exactly the named tool */
} llmops_tool_choice;

typedef enum llmops_response_format {
    LLMOPS_FORMAT_TEXT        = 0, /* default */
    LLMOPS_FORMAT_JSON        = 1, /* any JSON object */
    LLMOPS_FORMAT_JSON_SCHEMA = 2  /* JSON valid against a schema */
} llmops_response_format;

typedef enum llmops_embed_encoding {
    LLMOPS_EMBED_FLOAT  = 0, /* ask for JSON numbers (default; every server) */
    LLMOPS_EMBED_BASE64 = 1  /* ask for base64 little-endian float32 (smaller) */
} llmops_embed_encoding;

/** Creates an empty request. Errors: LLMOPS_E_INVALID_ARGUMENT (out NULL),
 *  LLMOPS_E_NO_MEMORY. */
LLMOPS_API llmops_status llmops_request_new(llmops_request **out);
/** NULL-safe. */
LLMOPS_API void llmops_request_free(llmops_request *req);
/** A deep copy (the cancel token is shared, not copied). */
LLMOPS_API llmops_status llmops_request_copy(llmops_request **out, const llmops_request *req);

/** The model id sent to the provider; NULL uses the provider's default. */
LLMOPS_API llmops_status llmops_request_set_model(llmops_request *req, const char *model);

/** Appends a message with one text part (len may be SIZE_MAX for a
 *  NUL-terminated text). Text must be valid UTF-8 (LLMOPS_E_INVALID_ARGUMENT
 *  names the byte offset otherwise). For LLMOPS_ROLE_TOOL use
 *  llmops_request_add_tool_result. */
LLMOPS_API llmops_status llmops_request_add_message(llmops_request *req, llmops_role role,
                                                    const char *text, size_t len);
/** Appends another text part to the last message (LLMOPS_E_INVALID_ARGUMENT
 *  when there is none). */
LLMOPS_API llmops_status llmops_request_add_text_part(llmops_request *req, const char *text,
                                                      size_t len);
/** Appends a tool call to the last message, which must be an assistant
 *  message (one the model produced earlier, replayed as history).
 *  arguments_json must be a JSON object. */
LLMOPS_API llmops_status llmops_request_add_tool_call(llmops_request *req, const char *id,
                                                      const char *name,
                                                      const char *arguments_json);
/** Appends a tool message answering the call `tool_call_id` of tool `name`
 *  (name may be NULL; Gemini needs it, others ignore it). */
LLMOPS_API llmops_status llmops_request_add_tool_result(llmops_request *req,
                                                        const char *tool_call_id,
                                                        const char *name, const char *content,
                                                        size_t len);

/** Sampling parameters; each is sent only when set. Errors:
 *  LLMOPS_E_RANGE for temperature outside [0, 2], top_p outside [0, 1],
 *  max_output_tokens < 1. */
LLMOPS_API llmops_status llmops_request_set_temperature(llmops_request *req, double t);
LLMOPS_API llmops_status llmops_request_set_top_p(llmops_request *req, double p);
LLMOPS_API llmops_status llmops_request_set_max_output_tokens(llmops_request *req, int64_t n);
LLMOPS_API llmops_status llmops_request_set_seed(llmops_request *req, int64_t seed);
/** Adds a stop sequence (at most 16). */
LLMOPS_API llmops_status llmops_request_add_stop(llmops_request *req, const char *stop);

/** Declares a tool. parameters_schema_json is a JSON Schema object (NULL
 *  means a tool without parameters); LLMOPS_E_PARSE when it is not JSON,
 *  LLMOPS_E_SCHEMA when it is not an object. Names must be unique. */
LLMOPS_API llmops_status llmops_request_add_tool(llmops_request *req, const char *name,
                                                 const char *description,
                                                 const char *parameters_schema_json);
/** `name` is required for LLMOPS_TOOL_CHOICE_NAMED and ignored otherwise. */
LLMOPS_API llmops_status llmops_request_set_tool_choice(llmops_request *req,
                                                        llmops_tool_choice choice,
                                                        const char *name);
/** For LLMOPS_FORMAT_JSON_SCHEMA, `schema_json` is the schema and `name` its
 *  name (default "response"); both are ignored otherwise. */
LLMOPS_API llmops_status llmops_request_set_response_format(llmops_request *req,
                                                            llmops_response_format format,
                                                            const char *name,
                                                            const char *schema_json);
/** Total time allowed for this call, retries and fallbacks included; 0 means
 *  the provider's configured total timeout. */
LLMOPS_API llmops_status llmops_request_set_timeout_ms(llmops_request *req, uint64_t ms);
/** Free-form key/value metadata, recorded in traces and sent to providers
 *  that accept it (the Responses API's `metadata`, Anthropic's
 *  `metadata.user_id` for the key "user_id"; not Chat Completions, which
 *  refuses metadata unless the request is stored). Setting a key again
 *  replaces its value. */
LLMOPS_API llmops_status llmops_request_set_metadata(llmops_request *req, const char *key,
                                                     const char *value);
/** Classification: the candidate labels (at least 2 for classify). The text
 *  classified is the request's last user message. */
LLMOPS_API llmops_status llmops_request_add_label(llmops_request *req, const char *label);
/** Embedding: appends one input text. */
LLMOPS_API llmops_status llmops_request_add_input(llmops_request *req, const char *text,
                                                  size_t len);
/** Embedding: output dimensions (0 = the model's default). */
LLMOPS_API llmops_status llmops_request_set_dimensions(llmops_request *req, uint32_t dims);
LLMOPS_API llmops_status llmops_request_set_embed_encoding(llmops_request *req,
                                                           llmops_embed_encoding enc);
/** Keep the provider's raw response body on the response (off by default). */
LLMOPS_API llmops_status llmops_request_set_keep_raw(llmops_request *req, int keep);
/** A W3C traceparent ("00-<32 hex>-<16 hex>-<2 hex>") sent as the
 *  `traceparent` header of the provider request, so provider-side logs line
 *  up with the host's trace. NULL clears. LLMOPS_E_INVALID_ARGUMENT when
 *  malformed. Not part of the fingerprint. */
LLMOPS_API llmops_status llmops_request_set_traceparent(llmops_request *req,
                                                        const char *traceparent);
/** Attaches a cancellation token (the request takes a reference; NULL
 *  detaches). */
LLMOPS_API llmops_status llmops_request_set_cancel(llmops_request *req, llmops_cancel *cancel);

/* Reading a request (for host providers). Index arguments out of range give
 * NULL / 0. */
LLMOPS_API const char *llmops_request_model(const llmops_request *req);
LLMOPS_API size_t llmops_request_message_count(const llmops_request *req);
LLMOPS_API llmops_role llmops_request_message_role(const llmops_request *req, size_t i);
LLMOPS_API size_t llmops_request_message_part_count(const llmops_request *req, size_t i);
LLMOPS_API const char *llmops_request_message_part(const llmops_request *req, size_t i,
                                                   size_t part, size_t *len);
/** For a tool message: the call id it answers and the tool name (or NULL). */
LLMOPS_API const char *llmops_request_message_tool_call_id(const llmops_request *req, size_t i);
LLMOPS_API const char *llmops_request_message_tool_name(const llmops_request *req, size_t i);
/** Tool calls carried by assistant message i. */
LLMOPS_API size_t llmops_request_message_tool_call_count(const llmops_request *req, size_t i);
LLMOPS_API const char *llmops_request_message_tool_call_id_at(const llmops_request *req,
                                                              size_t i, size_t call);
LLMOPS_API const char *llmops_request_message_tool_call_name(const llmops_request *req,
                                                             size_t i, size_t call);
LLMOPS_API const char *llmops_request_message_tool_call_arguments(const llmops_request *req,
                                                                  size_t i, size_t call);
/** Each returns 1 and writes *out when the parameter is set, else 0. */
LLMOPS_API int llmops_request_temperature(const llmops_request *req, double *out);
LLMOPS_API int llmops_request_top_p(const llmops_request *req, double *out);
LLMOPS_API int llmops_request_max_output_tokens(const llmops_request *req, int64_t *out);
LLMOPS_API int llmops_request_seed(const llmops_request *req, int64_t *out);
LLMOPS_API size_t llmops_request_stop_count(const llmops_request *req);
LLMOPS_API const char *llmops_request_stop(const llmops_request *req, size_t i);
LLMOPS_API size_t llmops_request_tool_count(const llmops_request *req);
LLMOPS_API const char *llmops_request_tool_name(const llmops_request *req, size_t i);
LLMOPS_API const char *llmops_request_tool_description(const llmops_request *req, size_t i);
/** The tool's parameter schema, or NULL. Borrowed from the request. */
LLMOPS_API const llmops_json *llmops_request_tool_parameters(const llmops_request *req,
                                                             size_t i);
/** The tool choice; *name receives the tool name for NAMED (else NULL). */
LLMOPS_API llmops_tool_choice llmops_request_tool_choice(const llmops_request *req,
                                                         const char **name);
/** The response format; *name and *schema receive the schema name and schema
 *  for JSON_SCHEMA (else NULL). */
LLMOPS_API llmops_response_format llmops_request_response_format(const llmops_request *req,
                                                                 const char **name,
                                                                 const llmops_json **schema);
LLMOPS_API uint64_t llmops_request_timeout_ms(const llmops_request *req);
LLMOPS_API size_t llmops_request_metadata_count(const llmops_request *req);
LLMOPS_API const char *llmops_request_metadata_key(const llmops_request *req, size_t i);
/** The value for a key, or NULL. */
LLMOPS_API const char *llmops_request_metadata(const llmops_request *req, const char *key);
LLMOPS_API size_t llmops_request_label_count(const llmops_request *req);
LLMOPS_API const char *llmops_request_label(const llmops_request *req, size_t i);
LLMOPS_API size_t llmops_request_input_count(const llmops_request *req);
LLMOPS_API const char *llmops_request_input(const llmops_request *req, size_t i, size_t *len);
LLMOPS_API uint32_t llmops_request_dimensions(const llmops_request *req);
/** 1 when the request's cancel token is set. Host providers poll this. */
LLMOPS_API int llmops_request_cancelled(const llmops_request *req);

/** The request fingerprint: lowercase hex SHA-256 (64 chars + NUL) of the
 *  canonical JSON form of everything that decides the provider's answer
 *  (model, messages, parameters, tools, tool choice, format, labels, inputs,
 *  dimensions; not metadata, timeout or cancel token). Used by the replay
 *  provider and caches. */
LLMOPS_API llmops_status llmops_request_fingerprint(const llmops_request *req, char out[65]);

/* ---- responses ---------------------------------------------------------- */

typedef enum llmops_finish_reason {
    LLMOPS_FINISH_UNKNOWN        = 0, /* not reported */
    LLMOPS_FINISH_STOP           = 1, /* natural end or stop sequence */
    LLMOPS_FINISH_LENGTH         = 2, /* hit max output tokens */
    LLMOPS_FINISH_TOOL_CALLS     = 3, /* the model called tools */
    LLMOPS_FINISH_CONTENT_FILTER = 4, /* output filtered or refused */
    LLMOPS_FINISH_ERROR          = 5, /* the provider failed mid-answer */
    LLMOPS_FINISH_OTHER          = 6  /* something else; see the raw reason */
} llmops_finish_reason;

/** Token usage. Versioned and append-only: set `version` (LLMOPS_USAGE_INIT)
 *  before passing it; the library fills only the fields that version has. */
typedef struct llmops_usage {
    unsigned version;
    int64_t input_tokens;          /* all prompt tokens, cached ones included */
    int64_t output_tokens;         /* all generated tokens, reasoning included */
    int64_t cached_input_tokens;   /* prompt tokens read from the provider's cache */
    int64_t cache_creation_tokens; /* prompt tokens written to the cache */
    int64_t reasoning_tokens;      /* generated tokens spent on reasoning */
    int64_t total_tokens;
    double cost_usd;               /* filled by cost accounting; 0 from providers */
} llmops_usage;
#define LLMOPS_USAGE_VERSION 1
#define LLMOPS_USAGE_INIT { LLMOPS_USAGE_VERSION, 0, 0, 0, 0, 0, 0, 0.0 }

/** One attempt of a call (one HTTP exchange, or one host-provider call). */
typedef struct llmops_attempt {
    unsigned version;
    const char *target;     /* provider name; borrowed from the response */
    const char *model;      /* model asked for; borrowed, may be NULL */
    llmops_status status;   /* LLMOPS_OK or the error of this attempt */
    int http_status;        /* 0 when no HTTP status was received */
    uint64_t latency_ns;
    uint64_t retry_after_ms; /* the provider's hint, 0 when none */
} llmops_attempt;
#define LLMOPS_ATTEMPT_VERSION 1
#define LLMOPS_ATTEMPT_INIT { LLMOPS_ATTEMPT_VERSION, NULL, NULL, LLMOPS_OK, 0, 0, 0 }

/** Creates an empty response. */
LLMOPS_API llmops_status llmops_response_new(llmops_response **out);
/** NULL-safe. */
LLMOPS_API void llmops_response_free(llmops_response *resp);
/** Empties a response for reuse, keeping its memory. */
LLMOPS_API void llmops_response_reset(llmops_response *resp);

/** The call's outcome: LLMOPS_OK or the typed error. */
LLMOPS_API llmops_status llmops_response_status(const llmops_response *resp);
/** A readable error message ("" when none): what failed, the provider's own
 *  message and request id where given. Never holds a key. */
LLMOPS_API const char *llmops_response_error(const llmops_response *resp);
/** The provider's error type or code ("rate_limit_exceeded",
 *  "overloaded_error", "RESOURCE_EXHAUSTED", ...), or NULL. */
LLMOPS_API const char *llmops_response_error_code(const llmops_response *resp);
/** The provider's retry hint in milliseconds (Retry-After, retry-after-ms,
 *  x-ratelimit-reset-*, Gemini RetryInfo), 0 when none. */
LLMOPS_API uint64_t llmops_response_retry_after_ms(const llmops_response *resp);

/** The answer text (UTF-8, "" when none) and its length. */
LLMOPS_API const char *llmops_response_text(const llmops_response *resp, size_t *len);
/** Reasoning/thinking text, kept apart from the answer ("" when none). */
LLMOPS_API const char *llmops_response_reasoning(const llmops_response *resp, size_t *len);
LLMOPS_API size_t llmops_response_tool_call_count(const llmops_response *resp);
LLMOPS_API const char *llmops_response_tool_call_id(const llmops_response *resp, size_t i);
LLMOPS_API const char *llmops_response_tool_call_name(const llmops_response *resp, size_t i);
/** The call's arguments as JSON text ("{}" when the model sent none). */
LLMOPS_API const char *llmops_response_tool_call_arguments(const llmops_response *resp,
                                                           size_t i);
LLMOPS_API llmops_finish_reason llmops_response_finish_reason(const llmops_response *resp);
/** The provider's own finish reason string ("end_turn", "STOP", ...) or NULL. */
LLMOPS_API const char *llmops_response_finish_reason_raw(const llmops_response *resp);
/** Copies the usage into *out (out->version must be set). LLMOPS_E_NOT_FOUND
 *  when the provider reported none (out is then zeroed). */
LLMOPS_API llmops_status llmops_response_usage(const llmops_response *resp, llmops_usage *out);
/** The model the provider says answered, or NULL. */
LLMOPS_API const char *llmops_response_model(const llmops_response *resp);
/** The provider's id for the request (x-request-id, request-id, response id). */
LLMOPS_API const char *llmops_response_request_id(const llmops_response *resp);
/** The name of the provider that answered (after fallback), or NULL. */
LLMOPS_API const char *llmops_response_provider(const llmops_response *resp);
/** HTTP status of the last attempt; 0 when no HTTP exchange happened. */
LLMOPS_API int llmops_response_http_status(const llmops_response *resp);
/** The raw body of the last attempt when the request asked for it (see
 *  llmops_request_set_keep_raw), else NULL. For streams: the raw stream. */
LLMOPS_API const char *llmops_response_raw(const llmops_response *resp, size_t *len);
/** Nanoseconds from the start of the call to the first streamed content
 *  (0 when not streamed), and to the end of the call. */
LLMOPS_API uint64_t llmops_response_ttft_ns(const llmops_response *resp);
LLMOPS_API uint64_t llmops_response_latency_ns(const llmops_response *resp);
/** Embeddings: how many vectors, and vector i with its dimension. */
LLMOPS_API size_t llmops_response_embedding_count(const llmops_response *resp);
LLMOPS_API const float *llmops_response_embedding(const llmops_response *resp, size_t i,
                                                  size_t *dims);
/** Classification: labels with scores in [0, 1], best first. */
LLMOPS_API size_t llmops_response_label_count(const llmops_response *resp);
LLMOPS_API const char *llmops_response_label(const llmops_response *resp, size_t i,
                                             double *score);
/** The attempts made (retries and fallbacks), in order. out->version must be
 *  set. LLMOPS_E_NOT_FOUND when i is out of range. */
LLMOPS_API size_t llmops_response_attempt_count(const llmops_response *resp);
LLMOPS_API llmops_status llmops_response_attempt(const llmops_response *resp, size_t i,
                                                 llmops_attempt *out);

/* Filling a response (for host providers; the library uses the same calls).
 * Text must be valid UTF-8. */
LLMOPS_API llmops_status llmops_response_set_text(llmops_response *resp, const char *text,
                                                  size_t len);
LLMOPS_API llmops_status llmops_response_set_reasoning(llmops_response *resp,
                                                       const char *text, size_t len);
/** arguments_json must be JSON (NULL means "{}"). */
LLMOPS_API llmops_status llmops_response_add_tool_call(llmops_response *resp, const char *id,
                                                       const char *name,
                                                       const char *arguments_json);
/** `raw` (may be NULL) is the provider's own reason string. */
LLMOPS_API llmops_status llmops_response_set_finish_reason(llmops_response *resp,
                                                           llmops_finish_reason reason,
                                                           const char *raw);
LLMOPS_API llmops_status llmops_response_set_usage(llmops_response *resp,
                                                   const llmops_usage *usage);
LLMOPS_API llmops_status llmops_response_set_model(llmops_response *resp, const char *model);
LLMOPS_API llmops_status llmops_response_set_request_id(llmops_response *resp,
                                                        const char *id);
LLMOPS_API llmops_status llmops_response_add_embedding(llmops_response *resp,
                                                       const float *vector, size_t dims);
/** Adds a label; labels are kept sorted by score, best first. */
LLMOPS_API llmops_status llmops_response_add_label(llmops_response *resp, const char *label,
                                                   double score);
/** A host backend's retry hint in milliseconds (its own Retry-After), read
 *  by fallback chains when deciding how long to wait before a retry. */
LLMOPS_API llmops_status llmops_response_set_retry_after_ms(llmops_response *resp,
                                                            uint64_t ms);
/** Records a failure: a non-OK status and a message (copied). */
LLMOPS_API llmops_status llmops_response_set_error(llmops_response *resp, llmops_status status,
                                                   const char *message);

/* ---- streaming ---------------------------------------------------------- */

typedef enum llmops_delta_kind {
    LLMOPS_DELTA_TEXT           = 1, /* a piece of answer text */
    LLMOPS_DELTA_REASONING      = 2, /* a piece of reasoning text */
    LLMOPS_DELTA_TOOL_CALL      = 3, /* a fragment of tool call `tool_index` */
    LLMOPS_DELTA_TOOL_CALL_DONE = 4  /* tool call `tool_index` is whole; text
                                        holds its complete arguments */
} llmops_delta_kind;

/** One streamed piece. Pointers are valid only during the callback. */
typedef struct llmops_delta {
    unsigned version;
    llmops_delta_kind kind;
    const char *text;      /* the piece (UTF-8, not NUL-terminated) */
    size_t len;
    size_t tool_index;     /* for tool calls: 0, 1, ... in order of appearance */
    const char *tool_id;   /* for tool calls, when known, else NULL */
    const char *tool_name; /* for tool calls, when known, else NULL */
} llmops_delta;
#define LLMOPS_DELTA_VERSION 1

/** Receives deltas as they arrive; return non-zero to stop the call, which
 *  then ends with LLMOPS_E_ABORTED. Called on the thread running the call. */
typedef int (*llmops_delta_fn)(const llmops_delta *delta, void *user_data);

/** For host providers: emit streamed pieces. Each also accumulates into the
 *  call's response, so a streamed and a non-streamed answer end identical.
 *  Returns LLMOPS_E_ABORTED when the host's callback asked to stop (the
 *  provider should then return promptly). A tool call fragment may repeat id
 *  and name or leave them NULL after the first. */
LLMOPS_API llmops_status llmops_stream_text(llmops_stream *stream, const char *text,
                                            size_t len);
LLMOPS_API llmops_status llmops_stream_reasoning(llmops_stream *stream, const char *text,
                                                 size_t len);
LLMOPS_API llmops_status llmops_stream_tool_call(llmops_stream *stream, size_t index,
                                                 const char *id, const char *name,
                                                 const char *arguments_fragment, size_t len);

/* ---- providers ---------------------------------------------------------- */

/** Returns the API key into buf (at most cap bytes, not NUL-terminated) and
 *  its length, or -1 when there is none. Called once per HTTP attempt. */
typedef long (*llmops_key_fn)(char *buf, size_t cap, void *user_data);

/** Options of a built-in provider. Versioned and append-only; start from
 *  LLMOPS_PROVIDER_OPTIONS_INIT or llmops_provider_options_init(). Strings
 *  are copied by llmops_provider_new. */
typedef struct llmops_provider_options {
    unsigned version;
    const char *base_url;      /* NULL: the provider's public endpoint */
    const char *api_key_env;   /* env var holding the key; NULL: the provider's
                                  usual one (OPENAI_API_KEY, ANTHROPIC_API_KEY,
                                  GEMINI_API_KEY; none for ollama) */
    llmops_key_fn key_fn;      /* overrides api_key_env when set */
    void *key_user_data;
    const char *default_model; /* used when a request names no model */
    const char *api_version;   /* Azure OpenAI api-version, or anthropic-version */
    int azure;                 /* openai: Azure style (api-key header,
                                  /openai/deployments/{model}/..., api-version) */
    const char *ca_bundle;     /* CA bundle path; TLS verification is always on */
    const char *const *headers; /* extra "Name: value" headers, NULL-terminated */
    uint32_t connect_timeout_ms;    /* 0: 10 000 */
    uint32_t first_byte_timeout_ms; /* 0: 60 000; time to the response headers */
    uint32_t total_timeout_ms;      /* 0: 600 000 */
    uint32_t idle_timeout_ms;       /* 0: 60 000; longest silence mid-stream */
    size_t max_request_bytes;       /* 0: 32 MiB */
    size_t max_response_bytes;      /* 0: 64 MiB */
} llmops_provider_options;
#define LLMOPS_PROVIDER_OPTIONS_VERSION 1
#define LLMOPS_PROVIDER_OPTIONS_INIT \
    { LLMOPS_PROVIDER_OPTIONS_VERSION, NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL, \
      0, 0, 0, 0, 0, 0 }
LLMOPS_API void llmops_provider_options_init(llmops_provider_options *opts);

/** Creates a built-in provider of `type` ("openai", "openai-responses",
 *  "anthropic", "gemini", "ollama") named `name` (used in errors, attempts
 *  and traces; NULL: the type). On failure *why (when not NULL) receives a
 *  message to free with llmops_free. Errors: LLMOPS_E_NOT_FOUND (unknown
 *  type), LLMOPS_E_CONFIG (bad option: which and why), LLMOPS_E_UNSUPPORTED
 *  (built without HTTP), LLMOPS_E_NO_MEMORY. */
LLMOPS_API llmops_status llmops_provider_new(llmops_provider **out, const char *type,
                                             const char *name,
                                             const llmops_provider_options *opts, char **why);

/** A host backend. Versioned and append-only. Any function may be NULL:
 *  classify then runs through generate with the labels as a JSON Schema enum;
 *  a NULL generate or embed answers LLMOPS_E_UNSUPPORTED. Functions may be
 *  called from many threads at once. Each fills `resp` (text, tool calls,
 *  usage, ... or llmops_response_set_error) and returns its status. For
 *  generate, `stream` is non-NULL when the host asked for streaming; emitting
 *  through it is optional (a provider that fills the text directly is
 *  delivered as one delta). */
typedef struct llmops_provider_vtable {
    unsigned version;
    llmops_status (*generate)(void *self, const llmops_request *req, llmops_response *resp,
                              llmops_stream *stream);
    llmops_status (*classify)(void *self, const llmops_request *req, llmops_response *resp);
    llmops_status (*embed)(void *self, const llmops_request *req, llmops_response *resp);
    void (*destroy)(void *self); /* called once, by the last llmops_provider_free */
} llmops_provider_vtable;
#define LLMOPS_PROVIDER_VTABLE_VERSION 1

/** Wraps a host backend. The vtable is copied; `self` is passed to every
 *  function and handed to destroy at the end (also when this call fails). */
LLMOPS_API llmops_status llmops_provider_new_custom(llmops_provider **out, const char *name,
                                                    const llmops_provider_vtable *vtable,
                                                    void *self);

/** Providers are reference counted: wrappers (fallback, recorder) take a
 *  reference. Returns p. Any thread. */
LLMOPS_API llmops_provider *llmops_provider_ref(llmops_provider *p);
/** Drops a reference; the last one frees. NULL-safe. */
LLMOPS_API void llmops_provider_free(llmops_provider *p);
LLMOPS_API const char *llmops_provider_name(const llmops_provider *p);
LLMOPS_API const char *llmops_provider_type(const llmops_provider *p);

/** Runs a generation. `resp` is reset first and receives the answer or the
 *  error; the status is also returned. on_delta non-NULL streams. Blocking;
 *  thread-safe on a shared provider. */
LLMOPS_API llmops_status llmops_provider_generate(llmops_provider *p, const llmops_request *req,
                                                  llmops_response *resp,
                                                  llmops_delta_fn on_delta, void *user_data);
/** Classifies the last user message among the request's labels. */
LLMOPS_API llmops_status llmops_provider_classify(llmops_provider *p, const llmops_request *req,
                                                  llmops_response *resp);
/** Embeds the request's inputs, one vector per input, in order. */
LLMOPS_API llmops_status llmops_provider_embed(llmops_provider *p, const llmops_request *req,
                                               llmops_response *resp);

/* ---- resilience --------------------------------------------------------- */

/** Retry, deadline and breaker policy of a fallback chain. Versioned. */
typedef struct llmops_retry_options {
    unsigned version;
    unsigned max_attempts;        /* per target, first try included; 0: 3 */
    uint32_t base_delay_ms;       /* 0: 250; backoff base (full jitter) */
    uint32_t max_delay_ms;        /* 0: 20 000; cap of one wait */
    uint64_t deadline_ms;         /* one deadline for every retry and fallback;
                                     0: the request's timeout, else none */
    unsigned breaker_threshold;   /* consecutive failures that open a target's
                                     breaker; 0: 5 */
    uint32_t breaker_cooldown_ms; /* open time before a half-open probe; 0: 30 000 */
} llmops_retry_options;
#define LLMOPS_RETRY_OPTIONS_VERSION 1
#define LLMOPS_RETRY_OPTIONS_INIT { LLMOPS_RETRY_OPTIONS_VERSION, 0, 0, 0, 0, 0, 0 }

/** A provider that tries `targets` in order. Each target is retried on
 *  failures that are safe to retry (rate limited, overloaded, server error,
 *  timeout, transport) with exponential backoff and full jitter, honouring
 *  the provider's retry hint, until max_attempts; then the next target is
 *  tried. Never retried once streamed content reached the host. models[i]
 *  (models may be NULL, an entry may be NULL) overrides the request's model
 *  for target i. Takes a reference on each target. Every attempt is recorded
 *  on the response. When every target's breaker is open the call fails with
 *  LLMOPS_E_CIRCUIT_OPEN without a network round trip. */
LLMOPS_API llmops_status llmops_provider_new_fallback(llmops_provider **out, const char *name,
                                                      llmops_provider *const *targets,
                                                      const char *const *models, size_t n,
                                                      const llmops_retry_options *opts);

/* ---- record and replay -------------------------------------------------- */

enum {
    LLMOPS_REPLAY_TIMING = 1u << 0 /* replay streamed deltas with recorded gaps */
};

/** A provider that answers from cassettes in `dir` (one JSON file per
 *  request fingerprint and operation: <fingerprint>.json for generate,
 *  <fingerprint>.classify.json and <fingerprint>.embed.json; the
 *  fingerprint is taken with the model the call uses). A request without a cassette
 *  fails with LLMOPS_E_NO_RECORDING naming the fingerprint. */
LLMOPS_API llmops_status llmops_provider_new_replay(llmops_provider **out, const char *name,
                                                    const char *dir, unsigned flags);
/** Wraps `inner` and writes a cassette into `dir` for every successful call
 *  (streamed deltas with their timing included). Takes a reference on inner.
 *  A failure to write the cassette is reported in the response error but
 *  does not change the call's status. */
LLMOPS_API llmops_status llmops_provider_new_recorder(llmops_provider **out, const char *name,
                                                      llmops_provider *inner, const char *dir);

#ifdef __cplusplus
}
#endif

#endif /* LLMOPS_PROVIDER_H */
