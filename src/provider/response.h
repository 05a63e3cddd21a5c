/* The response object's representation. Owned by src/provider/response.c;
 * wire formats fill it through the helpers below (or the public setters). */
#ifndef LLMOPS_PROVIDER_RESPONSE_H
#define LLMOPS_PROVIDER_RESPONSE_H

#include <stddef.h>
#include <stdint.h>

#include "core/strbuf.h"
#include "llmops/provider.h"

typedef struct llmops__resp_tool_call {
    char *id;                 /* may be NULL until known */
    char *name;
    llmops__buf args;         /* JSON text; "{}" when empty at the end */
} llmops__resp_tool_call;

typedef struct llmops__label {
    char *label;
    double score;
} llmops__label;

typedef struct llmops__attempt_rec {
    char *target;
    char *model;
    llmops_status status;
    int http_status;
    uint64_t latency_ns;
    uint64_t retry_after_ms;
} llmops__attempt_rec;

struct llmops_response {
    llmops_status status;
    llmops__buf error;            /* message, "" when none */
    char *error_code;
    uint64_t retry_after_ms;

    llmops__buf text;
    llmops__buf reasoning;
    llmops__resp_tool_call *calls;
    size_t ncalls, cap_calls;
    llmops_finish_reason finish;
    char *finish_raw;
    int has_usage;
    llmops_usage usage;
    char *model;
    char *request_id;
    char *provider;
    int http_status;
    int keep_raw;
    llmops__buf raw;

    uint64_t start_ns;            /* monotonic, set when the call starts */
    uint64_t ttft_ns;
    uint64_t latency_ns;

    float *vectors;               /* embeddings, concatenated */
    size_t nfloats, cap_floats;
    size_t *offsets;              /* start of vector i in `vectors`; offsets[n] = nfloats */
    size_t nvectors, cap_offsets;

    llmops__label *labels;
    size_t nlabels, cap_labels;

    llmops__attempt_rec *attempts;
    size_t nattempts, cap_attempts;
};

/* Appends to the answer / reasoning text (no UTF-8 check: wire formats hand
 * over text the JSON parser already validated). LLMOPS_E_NO_MEMORY. */
llmops_status llmops__response_append_text(llmops_response *r, const char *s, size_t len);
llmops_status llmops__response_append_reasoning(llmops_response *r, const char *s, size_t len);

/* Tool call `index` (0-based, in order of appearance), created on first use;
 * id/name set when non-NULL and not yet known; the fragment is appended to
 * its arguments. Streaming and non-streaming parsers both use this. */
llmops_status llmops__response_tool_call_fragment(llmops_response *r, size_t index,
                                                  const char *id, size_t id_len,
                                                  const char *name, size_t name_len,
                                                  const char *frag, size_t frag_len);

/* Sets a failure with a printf-style message (replacing any earlier one);
 * returns `status` so callers can `return llmops__response_fail(...)`. */
llmops_status llmops__response_fail(llmops_response *r, llmops_status status, const char *fmt,
                                    ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Stores strings of a given length (not NUL-terminated input). */
llmops_status llmops__response_set_model_n(llmops_response *r, const char *s, size_t len);
llmops_status llmops__response_set_request_id_n(llmops_response *r, const char *s, size_t len);
llmops_status llmops__response_set_error_code_n(llmops_response *r, const char *s, size_t len);
llmops_status llmops__response_set_finish_raw_n(llmops_response *r, const char *s, size_t len);
llmops_status llmops__response_set_provider(llmops_response *r, const char *name);

/* Records an attempt (strings copied). */
llmops_status llmops__response_add_attempt(llmops_response *r, const char *target,
                                           const char *model, llmops_status status,
                                           int http_status, uint64_t latency_ns,
                                           uint64_t retry_after_ms);

/* Clears everything a new attempt refills (answer, error, usage, ...) but
 * keeps the attempts list, the start time, the provider-independent
 * keep_raw flag and memory. Used between retries and fallbacks. */
void llmops__response_clear_for_attempt(llmops_response *r);

/* Ends a call: fills "{}" for tool calls with no arguments. */
void llmops__response_finalize(llmops_response *r);

#endif
