/* Cassettes: one recorded provider answer per file, written by the recorder
 * and read by the replay provider. Owned by src/provider/cassette.c.
 *
 * File: <dir>/<fingerprint>.json for generate, <fingerprint>.classify.json
 * and <fingerprint>.embed.json for the other operations (one request may be
 * used for several operations; the fingerprint alone would make them
 * collide). The fingerprint is llmops__request_fingerprint_model with the
 * call's effective model (a fallback target's model override included).
 * Written atomically (a temp file in the same directory, then rename), so a
 * reader never sees half a cassette and concurrent recorders of one request
 * leave one whole file.
 *
 * Format (pretty JSON, version 1):
 *   {"version": 1, "fingerprint": "<hex>", "op": "generate|classify|embed",
 *    "model": "<model asked for>",
 *    "request": <canonical request JSON, for humans; never read back>,
 *    "response": {"text", "reasoning",
 *                 "tool_calls": [{"id", "name", "arguments": "<JSON text>"}],
 *                 "finish_reason": "stop|length|tool_calls|content_filter|
 *                                   error|other|unknown",
 *                 "finish_reason_raw", "usage": {"input_tokens", ...},
 *                 "model", "request_id", "http_status",
 *                 "labels": [{"label", "score"}], "embeddings": [[...]]},
 *    "deltas": [{"t_ns": <offset from the call's start>,
 *                "kind": "text|reasoning|tool_call|tool_call_done",
 *                "text", "index", "id", "name"}],
 *    "ttft_ns", "latency_ns"}
 * Absent values are left out. No header, key or raw body is ever stored:
 * the request's canonical form holds no secret, and the response fields are
 * the parsed answer only. */
#ifndef LLMOPS_PROVIDER_CASSETTE_H
#define LLMOPS_PROVIDER_CASSETTE_H

#include <stddef.h>
#include <stdint.h>

#include "core/strbuf.h"
#include "llmops/json.h"
#include "llmops/provider.h"

typedef enum llmops__cassette_op {
    LLMOPS__CASSETTE_GENERATE = 0,
    LLMOPS__CASSETTE_CLASSIFY = 1,
    LLMOPS__CASSETTE_EMBED    = 2
} llmops__cassette_op;

/* "generate", "classify", "embed". */
const char *llmops__cassette_op_name(llmops__cassette_op op);

/* One recorded delta (strings owned by the tape). */
typedef struct llmops__tape_delta {
    uint64_t t_ns;
    llmops_delta_kind kind;
    char *text;
    size_t len;
    size_t index;
    char *id;      /* NULL when not known */
    char *name;
} llmops__tape_delta;

/* The deltas of one call, in order. Zero-initialise. */
typedef struct llmops__tape {
    llmops__tape_delta *d;
    size_t n, cap;
} llmops__tape;

/* Appends a copy of delta at t_ns. LLMOPS_E_NO_MEMORY. */
llmops_status llmops__tape_add(llmops__tape *tape, uint64_t t_ns, const llmops_delta *delta);
void llmops__tape_free(llmops__tape *tape);

/* "<dir>/<fingerprint><suffix>.json" (freed with llmops__free), NULL when
 * out of memory. */
char *llmops__cassette_path(const char *dir, const char *fingerprint, llmops__cassette_op op);

/* Writes the cassette of a successful call. model (may be NULL) is the model
 * asked for; tape may be NULL (not streamed). On failure returns
 * LLMOPS_E_IO / LLMOPS_E_NO_MEMORY / LLMOPS_E_INVALID_ARGUMENT and appends
 * what failed and where to *err. */
llmops_status llmops__cassette_write(const char *dir, const char *fingerprint,
                                     llmops__cassette_op op, const char *model,
                                     const llmops_request *req, const llmops_response *resp,
                                     const llmops__tape *tape, uint64_t ttft_ns,
                                     uint64_t latency_ns, llmops__buf *err);

/* Reads and checks the cassette at `path` (version, fingerprint, op) into
 * *doc (freed with llmops_json_doc_free). Errors, also set on resp:
 * LLMOPS_E_NO_RECORDING (no such file: names the fingerprint and dir),
 * LLMOPS_E_IO (unreadable), LLMOPS_E_MALFORMED_RESPONSE (not a cassette:
 * names the file and what is wrong). */
llmops_status llmops__cassette_load(const char *path, const char *dir, const char *fingerprint,
                                    llmops__cassette_op op, llmops_json_doc **doc,
                                    llmops_response *resp);

/* Fills resp from a loaded cassette: everything but the answer content
 * (text, reasoning, tool calls) when `content` is 0, because replayed deltas
 * already put it there. LLMOPS_E_MALFORMED_RESPONSE naming `path` and the
 * field when a value has the wrong type. */
llmops_status llmops__cassette_apply(const llmops_json *root, const char *path, int content,
                                     llmops_response *resp);

/* Reads recorded delta i of a loaded cassette (borrowed strings, valid while
 * doc lives) into *out and its t_ns. Returns 0, or -1 when malformed (the
 * reason, naming `path`, is set on resp as LLMOPS_E_MALFORMED_RESPONSE). */
size_t llmops__cassette_delta_count(const llmops_json *root);
int llmops__cassette_delta(const llmops_json *root, size_t i, const char *path,
                           llmops_delta *out, uint64_t *t_ns, llmops_response *resp);

#endif
