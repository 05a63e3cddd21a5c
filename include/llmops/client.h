/*
 * libllmops — the client: a configuration snapshot (llmops.yaml), the
 * providers, models, prompts, tools and tasks it names, and the host's own
 * providers and tool callbacks.
 *
 * Ownership: a client is created by llmops_client_open / _open_string and
 * released by llmops_client_free (NULL-safe). Strings passed in are copied.
 * Messages returned through `char **errors` / `char **why` are freed with
 * llmops_free.
 *
 * Thread-safety: a client is safe to share between threads. Calls take the
 * configuration snapshot current when they start and finish on it;
 * llmops_client_reload swaps in a new snapshot atomically (a failed reload
 * leaves the running one untouched). Registering providers and tools is
 * thread-safe too; llmops_client_free must not race with calls.
 */
#ifndef LLMOPS_CLIENT_H
#define LLMOPS_CLIENT_H

#include "common.h"
#include "json.h"
#include "provider.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct llmops_client llmops_client;

/** Opens a client from a llmops.yaml file. Relative paths in it are taken
 *  from the file's directory. On failure *errors (when not NULL) lists every
 *  problem, one per line, as "FILE:LINE:COLUMN: key.path: message".
 *  Errors: LLMOPS_E_IO (unreadable file), LLMOPS_E_PARSE (broken YAML),
 *  LLMOPS_E_CONFIG (invalid configuration), LLMOPS_E_UNSUPPORTED (built
 *  without YAML), LLMOPS_E_NO_MEMORY. */
LLMOPS_API llmops_status llmops_client_open(llmops_client **out, const char *config_path,
                                            char **errors);
/** The same from YAML text; relative paths are taken from base_dir (NULL:
 *  the current directory). */
LLMOPS_API llmops_status llmops_client_open_string(llmops_client **out, const char *yaml,
                                                   size_t len, const char *base_dir,
                                                   char **errors);
/** NULL-safe. Waits for nothing: calls in flight must have ended. */
LLMOPS_API void llmops_client_free(llmops_client *client);

/** Reads the configuration file again (or, for a client opened from a
 *  string, `yaml`, which must then be non-NULL) and swaps it in. Calls in
 *  flight finish on the snapshot they started with. On failure nothing
 *  changes and *errors says why. */
LLMOPS_API llmops_status llmops_client_reload(llmops_client *client, const char *yaml,
                                              size_t len, char **errors);

/** Checks a configuration file without opening providers: every problem,
 *  one per line, in *errors (NULL when valid). Also loads every task's
 *  prompt, so a reference to a missing prompt or label is reported. */
LLMOPS_API llmops_status llmops_config_check(const char *config_path, char **errors);

/** Makes a host provider available under `name` (a provider of type
 *  "custom" in the configuration names it). Takes a reference. Replaces an
 *  earlier registration of that name. */
LLMOPS_API llmops_status llmops_client_register_provider(llmops_client *client,
                                                         const char *name,
                                                         llmops_provider *provider);

/** Where a tool callback writes its result. */
typedef struct llmops_tool_output llmops_tool_output;
/** Sets the tool's result text (UTF-8, copied) handed back to the model. */
LLMOPS_API llmops_status llmops_tool_output_set(llmops_tool_output *out, const char *text,
                                                size_t len);

/** A host tool. `arguments_json` is the model's arguments, already checked
 *  against the tool's parameter schema. Return LLMOPS_OK with a result, or
 *  an error status (the message set with llmops_tool_output_set is then
 *  reported to the model as the failure). Called on the thread running the
 *  call; may be called from many threads at once. */
typedef llmops_status (*llmops_tool_fn)(void *user_data, const char *arguments_json,
                                        size_t len, llmops_tool_output *out);

/** Registers the callback of a tool the configuration declares (its
 *  description and parameter schema come from `tools:` in llmops.yaml).
 *  LLMOPS_E_NOT_FOUND when the configuration declares no such tool. */
LLMOPS_API llmops_status llmops_client_register_tool(llmops_client *client, const char *name,
                                                     llmops_tool_fn fn, void *user_data);

/** The task fingerprint: lowercase hex SHA-256 over everything that decides
 *  the task's behaviour (prompt version, model ids and parameters, tools and
 *  their schemas, contract, route). `parts_json` (may be NULL) receives the
 *  canonical JSON that was hashed, for display (free with llmops_free).
 *  LLMOPS_E_NOT_FOUND for an unknown task; the prompt errors of the task. */
LLMOPS_API llmops_status llmops_client_task_fingerprint(llmops_client *client, const char *task,
                                                        char out[65], char **parts_json,
                                                        char **why);

/** Loads a price table in LiteLLM's model_prices_and_context_window.json
 *  format; calls then carry their cost (llmops_call_cost) and the metrics
 *  count it. Replaces an earlier table (calls in flight keep theirs).
 *  Errors: LLMOPS_E_IO (naming the file), LLMOPS_E_PARSE (with line and
 *  column), LLMOPS_E_LIMIT (too large), LLMOPS_E_NO_MEMORY; *why says which. */
LLMOPS_API llmops_status llmops_client_load_prices(llmops_client *client, const char *path,
                                                   char **why);

/** The client's metrics (requests, errors by status, latency, time to first
 *  token, tokens, cost, retries, fallbacks; the OpenTelemetry GenAI client
 *  metrics) by task, model and status, in Prometheus text exposition format
 *  0.0.4. *text is freed with llmops_free. */
LLMOPS_API llmops_status llmops_client_metrics_prometheus(llmops_client *client, char **text);

/** One span of a call, as the span hooks see it. Strings are valid only
 *  during the hook. */
typedef struct llmops_span_info {
    unsigned version;
    const char *trace_id;       /* 32 hex digits */
    const char *span_id;        /* 16 hex digits */
    const char *parent_span_id; /* "" for a call's root span */
    const char *name;           /* "llmops.call <task>", "chat <model>", "tool <name>" */
    uint64_t start_ns;          /* wall clock, ns since the Unix epoch */
    uint64_t end_ns;            /* 0 in the start hook */
    llmops_status status;       /* LLMOPS_OK in the start hook */
    const char *json;           /* the whole span (attributes with the OpenTelemetry
                                   GenAI and llmops.* names, events) as one JSON
                                   object; NULL in the start hook */
} llmops_span_info;
#define LLMOPS_SPAN_INFO_VERSION 1

typedef void (*llmops_span_fn)(const llmops_span_info *span, void *user_data);

/** Hooks called when a span of a call starts and ends (either may be NULL;
 *  NULL for both removes them). Called on the thread running the call; a
 *  hook must not call back into the client. Message content is never put
 *  in spans, and neither are keys. */
LLMOPS_API llmops_status llmops_client_set_span_hooks(llmops_client *client,
                                                      llmops_span_fn on_start,
                                                      llmops_span_fn on_end, void *user_data);

/** Direct calls on a configured model, for hosts that need no task: the
 *  model's provider (with its fallbacks, if the model is a route target)
 *  gets `req` with the model's pinned id and its parameters where the
 *  request sets none. Same semantics as llmops_provider_generate & co. */
LLMOPS_API llmops_status llmops_client_generate(llmops_client *client, const char *model,
                                                const llmops_request *req,
                                                llmops_response *resp,
                                                llmops_delta_fn on_delta, void *user_data);
LLMOPS_API llmops_status llmops_client_classify(llmops_client *client, const char *model,
                                                const llmops_request *req,
                                                llmops_response *resp);
LLMOPS_API llmops_status llmops_client_embed(llmops_client *client, const char *model,
                                             const llmops_request *req, llmops_response *resp);

#ifdef __cplusplus
}
#endif

#endif /* LLMOPS_CLIENT_H */
