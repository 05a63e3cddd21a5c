/* SQLite trace store: every span (one row, with its JSON form) and feedback
 * on traces, queried by the CLI. Several processes may write one database at
 * once: WAL journal, a busy timeout, and short IMMEDIATE transactions.
 *
 * Schema, version 1 (PRAGMA user_version = 1), created when missing:
 *   spans(trace_id TEXT, span_id TEXT PRIMARY KEY, parent_span_id TEXT,
 *         name TEXT, kind TEXT ('internal'|'client'), start_ns INTEGER,
 *         end_ns INTEGER, status TEXT ('ok' or llmops_status_str),
 *         status_message TEXT, task TEXT, user TEXT, fingerprint TEXT,
 *         model TEXT, cost_usd REAL, input_tokens INTEGER,
 *         output_tokens INTEGER, json TEXT (llmops__span_to_json))
 *     task/user/fingerprint/model/cost/tokens come from the attributes
 *     llmops.task, llmops.user, llmops.task_fingerprint,
 *     gen_ai.request.model, llmops.cost_usd, gen_ai.usage.input_tokens,
 *     gen_ai.usage.output_tokens (NULL when absent);
 *     indexes on trace_id, start_ns, task, user, fingerprint.
 *   feedback(trace_id TEXT, time_ns INTEGER, score REAL, label TEXT,
 *            comment TEXT), indexed by trace_id.
 * A database with a newer user_version is refused (LLMOPS_E_UNSUPPORTED).
 *
 * Without SQLite in the build (LLMOPS_HAVE_SQLITE 0) open returns
 * LLMOPS_E_UNSUPPORTED. Errors from SQLite (corrupt file, lock held past the
 * busy timeout, disk full) are LLMOPS_E_IO with SQLite's message in `err`
 * (optional everywhere); a failed write rolls back only itself. A store
 * handle is thread-safe (one connection behind a mutex). */
#ifndef LLMOPS_SINK_SQLITE_STORE_H
#define LLMOPS_SINK_SQLITE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "core/strbuf.h"
#include "llmops/common.h"
#include "trace/span.h"

#define LLMOPS__STORE_SCHEMA_VERSION 1
#define LLMOPS__STORE_BUSY_MS 5000

typedef struct llmops__store llmops__store;

/* busy_timeout_ms 0 means LLMOPS__STORE_BUSY_MS. */
llmops_status llmops__store_open(const char *path, int busy_timeout_ms, llmops__store **out,
                                 llmops__buf *err);
void llmops__store_close(llmops__store *st);

/* One transaction per call; a span written again (same span_id) replaces
 * the row. */
llmops_status llmops__store_write(llmops__store *st, const llmops__span *s, llmops__buf *err);
llmops_status llmops__store_write_batch(llmops__store *st, const llmops__span *const *spans,
                                        size_t n, llmops__buf *err);

/* time_ns 0 means now. label and comment may be NULL. */
llmops_status llmops__store_feedback(llmops__store *st, const char *trace_id, uint64_t time_ns,
                                     double score, const char *label, const char *comment,
                                     llmops__buf *err);

/* Every field optional (NULL / 0 = no filter); matched against the trace's
 * root span (parent_span_id ""), so a trace shows once its root is stored.
 * Newest first. */
typedef struct llmops__store_filter {
    const char *task, *user, *status, *fingerprint;
    uint64_t since_ns, until_ns; /* root start_ns in [since, until) */
    size_t limit;                /* 0: no limit */
} llmops__store_filter;

/* Strings are borrowed for the callback; NULL when not recorded. Cost and
 * tokens are the root span's when it has them, else the sum over the
 * trace's client spans (attempts); has_cost / has_tokens say whether any
 * was recorded. */
typedef struct llmops__trace_summary {
    const char *trace_id, *root_name, *status, *task, *user;
    uint64_t start_ns, duration_ns;
    double cost_usd;
    int64_t input_tokens, output_tokens;
    int has_cost, has_tokens;
} llmops__trace_summary;

typedef struct llmops__feedback_row {
    uint64_t time_ns;
    double score;
    const char *label, *comment; /* NULL when not given */
} llmops__feedback_row;

/* Callbacks return 0 to continue, nonzero to stop (the call then returns
 * LLMOPS_E_ABORTED). */
typedef int (*llmops__store_summary_fn)(void *ctx, const llmops__trace_summary *t);
typedef int (*llmops__store_span_fn)(void *ctx, const char *span_json, size_t len);
typedef int (*llmops__store_feedback_fn)(void *ctx, const llmops__feedback_row *f);

llmops_status llmops__store_list(llmops__store *st, const llmops__store_filter *f,
                                 llmops__store_summary_fn fn, void *ctx, llmops__buf *err);

/* Spans of `trace_id` in start order (then feedback rows in time order, when
 * fb_fn is non-NULL). LLMOPS_E_NOT_FOUND when the trace has no span. */
llmops_status llmops__store_trace(llmops__store *st, const char *trace_id,
                                  llmops__store_span_fn span_fn, llmops__store_feedback_fn fb_fn,
                                  void *ctx, llmops__buf *err);

#endif
