/*
 * libllmops — one call of a task: input in, checked output out.
 *
 * A call runs the pipeline of DESIGN.md on the client's current
 * configuration snapshot: look up the task, check the input against the
 * task's input schema, resolve and render the prompt, call the model through
 * its route (fallbacks, retries, breakers, one deadline), run the tool loop
 * with the task's permitted tools, check the output contract (re-asking the
 * model with the violations, a bounded number of times), and account usage.
 *
 * Ownership: llmops_call_new / llmops_call_free (NULL-safe). Strings passed
 * in are copied; strings returned are borrowed from the call and valid
 * until it is run again or freed.
 *
 * Thread-safety: a call belongs to one thread at a time; many calls may run
 * at once on one client.
 */
#ifndef LLMOPS_CALL_H
#define LLMOPS_CALL_H

#include "client.h"
#include "common.h"
#include "json.h"
#include "provider.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct llmops_call llmops_call;

/** A call of `task` on `client`. LLMOPS_E_NOT_FOUND when the current
 *  configuration has no such task. The call holds the client; the client
 *  must outlive it. */
LLMOPS_API llmops_status llmops_call_new(llmops_call **out, llmops_client *client,
                                         const char *task);
/** NULL-safe. */
LLMOPS_API void llmops_call_free(llmops_call *call);

/** The input: a JSON value (usually an object) the prompt renders from.
 *  LLMOPS_E_PARSE when it is not JSON (the call's error says where). */
LLMOPS_API llmops_status llmops_call_set_input(llmops_call *call, const char *json, size_t len);
/** Who the call is for; recorded in traces (user goes to providers that
 *  accept a user id). NULL clears. */
LLMOPS_API llmops_status llmops_call_set_user(llmops_call *call, const char *user);
LLMOPS_API llmops_status llmops_call_set_session(llmops_call *call, const char *session);
LLMOPS_API llmops_status llmops_call_set_tenant(llmops_call *call, const char *tenant);
LLMOPS_API llmops_status llmops_call_set_metadata(llmops_call *call, const char *key,
                                                  const char *value);
/** An incoming W3C traceparent ("00-<32 hex>-<16 hex>-<2 hex>"); the call
 *  joins that trace. LLMOPS_E_INVALID_ARGUMENT when malformed. */
LLMOPS_API llmops_status llmops_call_set_traceparent(llmops_call *call, const char *traceparent);
/** Streams the model's answer to on_delta as it arrives. Only the first
 *  turn is streamed (a re-ask or a turn after tool results is not: the host
 *  has already shown text), so check llmops_call_reask_count and use the
 *  final output text when it is non-zero. NULL turns streaming off. */
LLMOPS_API llmops_status llmops_call_set_stream(llmops_call *call, llmops_delta_fn on_delta,
                                                void *user_data);
/** Overrides the task's deadline for this call (0: the task's). */
LLMOPS_API llmops_status llmops_call_set_deadline_ms(llmops_call *call, uint64_t ms);
/** Attaches a cancellation token (the call takes a reference). */
LLMOPS_API llmops_status llmops_call_set_cancel(llmops_call *call, llmops_cancel *cancel);

/** Runs the call (blocking). Returns the outcome, also kept on the call:
 *  LLMOPS_E_VALIDATION (input failed the input schema),
 *  LLMOPS_E_CONTRACT_VIOLATION (the output failed the contract after every
 *  re-ask; the violations are listed), any provider status, ... Running a
 *  call again starts over with the same settings. */
LLMOPS_API llmops_status llmops_call_run(llmops_call *call);

/** The outcome of the last run, and a message saying what failed ("" when
 *  OK). */
LLMOPS_API llmops_status llmops_call_status(const llmops_call *call);
LLMOPS_API const char *llmops_call_error(const llmops_call *call);

/** The output text, and for a JSON contract the parsed output (else NULL). */
LLMOPS_API const char *llmops_call_output_text(const llmops_call *call, size_t *len);
LLMOPS_API const llmops_json *llmops_call_output_json(const llmops_call *call);
/** The last model response (model, request id, finish reason, attempts of
 *  that turn, ...), or NULL before a model was called. */
LLMOPS_API const llmops_response *llmops_call_response(const llmops_call *call);
/** Usage summed over every model turn of the call (tool loop and re-asks
 *  included). LLMOPS_E_NOT_FOUND when no turn reported usage. */
LLMOPS_API llmops_status llmops_call_usage(const llmops_call *call, llmops_usage *out);
/** The call's cost in US dollars over every model turn, priced with the
 *  client's price table (llmops_client_load_prices): LLMOPS_OK and *usd, or
 *  LLMOPS_E_NOT_FOUND when no table is loaded or a turn's model is unpriced
 *  (an unpriced call is never reported as $0). */
LLMOPS_API llmops_status llmops_call_cost(const llmops_call *call, double *usd);
/** The model that produced the output (as the provider reported it, else
 *  the id asked for), the configured model name that was used, and the
 *  number of model turns. */
LLMOPS_API const char *llmops_call_model(const llmops_call *call);
LLMOPS_API const char *llmops_call_model_name(const llmops_call *call);
LLMOPS_API unsigned llmops_call_turn_count(const llmops_call *call);
/** The prompt that was rendered: its name and version (hex SHA-256). */
LLMOPS_API const char *llmops_call_prompt_name(const llmops_call *call);
LLMOPS_API const char *llmops_call_prompt_version(const llmops_call *call);
/** The task fingerprint of the snapshot the call ran on. */
LLMOPS_API const char *llmops_call_task_fingerprint(const llmops_call *call);
/** The call's W3C trace id (32 hex digits) and its own span id. */
LLMOPS_API const char *llmops_call_trace_id(const llmops_call *call);
LLMOPS_API const char *llmops_call_span_id(const llmops_call *call);
/** How many times the model was re-asked after a contract violation. */
LLMOPS_API unsigned llmops_call_reask_count(const llmops_call *call);
/** The violations of the last checked output (after the final re-ask). */
LLMOPS_API size_t llmops_call_violation_count(const llmops_call *call);
LLMOPS_API const char *llmops_call_violation(const llmops_call *call, size_t i);

/** One tool call the model made during the call. */
typedef struct llmops_tool_record {
    unsigned version;
    const char *id;          /* the model's call id (may be NULL) */
    const char *name;
    const char *arguments;   /* JSON text */
    const char *result;      /* what was handed back to the model */
    llmops_status status;    /* LLMOPS_OK, LLMOPS_E_BLOCKED (not permitted),
                                LLMOPS_E_VALIDATION (arguments failed the
                                schema), or the callback's status */
    uint64_t duration_ns;
} llmops_tool_record;
#define LLMOPS_TOOL_RECORD_VERSION 1
#define LLMOPS_TOOL_RECORD_INIT { LLMOPS_TOOL_RECORD_VERSION, NULL, NULL, NULL, NULL, LLMOPS_OK, 0 }

LLMOPS_API size_t llmops_call_tool_count(const llmops_call *call);
/** Borrowed strings. LLMOPS_E_NOT_FOUND when i is out of range. */
LLMOPS_API llmops_status llmops_call_tool(const llmops_call *call, size_t i,
                                          llmops_tool_record *out);

#ifdef __cplusplus
}
#endif

#endif /* LLMOPS_CALL_H */
