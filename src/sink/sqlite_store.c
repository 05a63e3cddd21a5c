/* SQLite trace store; the schema and concurrency rules are in
 * sqlite_store.h. */
#include "sink/sqlite_store.h"

#include "llmops_config.h"

#if LLMOPS_HAVE_SQLITE

#include <pthread.h>
#include <sqlite3.h>
#include <string.h>

#include "core/alloc.h"
#include "core/clock.h"

struct llmops__store {
    pthread_mutex_t mu;
    sqlite3 *db;
    sqlite3_stmt *insert_span, *insert_feedback;
    llmops__buf json; /* reused under mu */
};

static const char SCHEMA[] =
    "CREATE TABLE IF NOT EXISTS spans("
    " trace_id TEXT NOT NULL, span_id TEXT PRIMARY KEY, parent_span_id TEXT NOT NULL,"
    " name TEXT, kind TEXT, start_ns INTEGER, end_ns INTEGER, status TEXT,"
    " status_message TEXT, task TEXT, user TEXT, fingerprint TEXT, model TEXT,"
    " cost_usd REAL, input_tokens INTEGER, output_tokens INTEGER, json TEXT NOT NULL);"
    "CREATE INDEX IF NOT EXISTS spans_trace ON spans(trace_id);"
    "CREATE INDEX IF NOT EXISTS spans_start ON spans(start_ns);"
    "CREATE INDEX IF NOT EXISTS spans_task ON spans(task);"
    "CREATE INDEX IF NOT EXISTS spans_user ON spans(user);"
    "CREATE INDEX IF NOT EXISTS spans_fingerprint ON spans(fingerprint);"
    "CREATE TABLE IF NOT EXISTS feedback("
    " trace_id TEXT NOT NULL, time_ns INTEGER, score REAL, label TEXT, comment TEXT);"
    "CREATE INDEX IF NOT EXISTS feedback_trace ON feedback(trace_id);";

static const char INSERT_SPAN[] =
    "INSERT OR REPLACE INTO spans(trace_id, span_id, parent_span_id, name, kind, start_ns,"
    " end_ns, status, status_message, task, user, fingerprint, model, cost_usd,"
    " input_tokens, output_tokens, json)"
    " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17)";

static const char INSERT_FEEDBACK[] =
    "INSERT INTO feedback(trace_id, time_ns, score, label, comment) VALUES(?1,?2,?3,?4,?5)";

/* Newest traces first; cost and tokens from the root, else summed over the
 * client spans. */
static const char LIST[] =
    "SELECT r.trace_id, r.name, r.start_ns, r.end_ns - r.start_ns, r.status, r.task, r.user,"
    " COALESCE(r.cost_usd, (SELECT SUM(c.cost_usd) FROM spans c"
    "   WHERE c.trace_id = r.trace_id AND c.kind = 'client')),"
    " COALESCE(r.input_tokens, (SELECT SUM(c.input_tokens) FROM spans c"
    "   WHERE c.trace_id = r.trace_id AND c.kind = 'client')),"
    " COALESCE(r.output_tokens, (SELECT SUM(c.output_tokens) FROM spans c"
    "   WHERE c.trace_id = r.trace_id AND c.kind = 'client'))"
    " FROM spans r WHERE r.parent_span_id = ''"
    " AND (?1 IS NULL OR r.task = ?1) AND (?2 IS NULL OR r.user = ?2)"
    " AND (?3 IS NULL OR r.status = ?3) AND (?4 IS NULL OR r.fingerprint = ?4)"
    " AND r.start_ns >= ?5 AND r.start_ns < ?6"
    " ORDER BY r.start_ns DESC, r.trace_id LIMIT ?7";

static llmops_status db_error(sqlite3 *db, const char *what, llmops__buf *err)
{
    if (err)
        llmops__buf_printf(err, "trace store: %s: %s", what, db ? sqlite3_errmsg(db) : "no handle");
    return LLMOPS_E_IO;
}

static llmops_status exec(sqlite3 *db, const char *sql, const char *what, llmops__buf *err)
{
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return db_error(db, what, err);
    return LLMOPS_OK;
}

/* Creates the schema when the database has none; refuses a newer one. The
 * IMMEDIATE transaction makes two processes creating it at once safe. */
static llmops_status ensure_schema(sqlite3 *db, const char *path, llmops__buf *err)
{
    llmops_status rc = exec(db, "BEGIN IMMEDIATE", "cannot start the schema check", err);
    if (rc)
        return rc;
    sqlite3_stmt *q = NULL;
    int version = -1;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &q, NULL) == SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW)
        version = sqlite3_column_int(q, 0);
    sqlite3_finalize(q);
    if (version < 0) {
        rc = db_error(db, "cannot read the schema version", err);
    } else if (version > LLMOPS__STORE_SCHEMA_VERSION) {
        if (err)
            llmops__buf_printf(err,
                               "trace store: '%s' has schema version %d; this build reads up to %d",
                               path, version, LLMOPS__STORE_SCHEMA_VERSION);
        rc = LLMOPS_E_UNSUPPORTED;
    } else if (version < LLMOPS__STORE_SCHEMA_VERSION) {
        rc = exec(db, SCHEMA, "cannot create the schema", err);
        if (!rc)
            rc = exec(db, "PRAGMA user_version = 1", "cannot set the schema version", err);
    }
    if (rc) {
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        return rc;
    }
    return exec(db, "COMMIT", "cannot commit the schema", err);
}

llmops_status llmops__store_open(const char *path, int busy_timeout_ms, llmops__store **out,
                                 llmops__buf *err)
{
    if (!path || !*path || !out) {
        if (err)
            llmops__buf_puts(err, "trace store: a path and an output pointer are required");
        return LLMOPS_E_INVALID_ARGUMENT;
    }
    *out = NULL;
    llmops__store *st = llmops__calloc(1, sizeof *st);
    if (!st)
        return LLMOPS_E_NO_MEMORY;
    llmops_status rc = LLMOPS_OK;
    if (sqlite3_open_v2(path, &st->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK) {
        if (err)
            llmops__buf_printf(err, "trace store: cannot open '%s': %s", path,
                               st->db ? sqlite3_errmsg(st->db) : "out of memory");
        rc = LLMOPS_E_IO;
        goto fail;
    }
    sqlite3_busy_timeout(st->db, busy_timeout_ms > 0 ? busy_timeout_ms : LLMOPS__STORE_BUSY_MS);
    /* The first statement reads the header: a corrupt file fails here. */
    rc = exec(st->db, "PRAGMA journal_mode = WAL", "cannot use the WAL journal", err);
    if (!rc)
        rc = exec(st->db, "PRAGMA synchronous = NORMAL", "cannot set synchronous", err);
    if (!rc)
        rc = ensure_schema(st->db, path, err);
    if (rc)
        goto fail;
    if (sqlite3_prepare_v3(st->db, INSERT_SPAN, -1, SQLITE_PREPARE_PERSISTENT, &st->insert_span,
                           NULL) != SQLITE_OK ||
        sqlite3_prepare_v3(st->db, INSERT_FEEDBACK, -1, SQLITE_PREPARE_PERSISTENT,
                           &st->insert_feedback, NULL) != SQLITE_OK) {
        rc = db_error(st->db, "cannot prepare statements", err);
        goto fail;
    }
    pthread_mutex_init(&st->mu, NULL);
    *out = st;
    return LLMOPS_OK;
fail:
    sqlite3_finalize(st->insert_span);
    sqlite3_finalize(st->insert_feedback);
    sqlite3_close(st->db);
    llmops__free(st);
    return rc;
}

void llmops__store_close(llmops__store *st)
{
    if (!st)
        return;
    sqlite3_finalize(st->insert_span);
    sqlite3_finalize(st->insert_feedback);
    sqlite3_close(st->db);
    pthread_mutex_destroy(&st->mu);
    llmops__buf_free(&st->json);
    llmops__free(st);
}

static void bind_text_attr(sqlite3_stmt *q, int col, const llmops__span *s, const char *key)
{
    const llmops__attr *a = llmops__span_attr(s, key);
    if (a && a->type == LLMOPS__ATTR_STRING && a->s)
        sqlite3_bind_text(q, col, a->s, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(q, col);
}

static void bind_num_attr(sqlite3_stmt *q, int col, const llmops__span *s, const char *key,
                          int as_int)
{
    const llmops__attr *a = llmops__span_attr(s, key);
    if (a && a->type == LLMOPS__ATTR_INT)
        as_int ? sqlite3_bind_int64(q, col, a->i) : sqlite3_bind_double(q, col, (double)a->i);
    else if (a && a->type == LLMOPS__ATTR_DOUBLE)
        as_int ? sqlite3_bind_int64(q, col, (sqlite3_int64)a->d) : sqlite3_bind_double(q, col, a->d);
    else
        sqlite3_bind_null(q, col);
}

/* Under mu, inside the transaction. */
static llmops_status insert_span(llmops__store *st, const llmops__span *s, llmops__buf *err)
{
    sqlite3_stmt *q = st->insert_span;
    llmops__buf_clear(&st->json);
    llmops__span_to_json(s, &st->json);
    if (st->json.failed)
        return LLMOPS_E_NO_MEMORY;
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
    sqlite3_bind_text(q, 1, s->trace_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, s->span_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, s->parent_span_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 4, s->name ? s->name : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 5, s->kind == LLMOPS__SPAN_CLIENT ? "client" : "internal", -1,
                      SQLITE_STATIC);
    sqlite3_bind_int64(q, 6, (sqlite3_int64)s->start_ns);
    sqlite3_bind_int64(q, 7, (sqlite3_int64)s->end_ns);
    sqlite3_bind_text(q, 8, s->status == LLMOPS_OK ? "ok" : llmops_status_str(s->status), -1,
                      SQLITE_STATIC);
    sqlite3_bind_text(q, 9, s->status_message ? s->status_message : "", -1, SQLITE_STATIC);
    bind_text_attr(q, 10, s, "llmops.task");
    bind_text_attr(q, 11, s, "llmops.user");
    bind_text_attr(q, 12, s, "llmops.task_fingerprint");
    bind_text_attr(q, 13, s, "gen_ai.request.model");
    bind_num_attr(q, 14, s, "llmops.cost_usd", 0);
    bind_num_attr(q, 15, s, "gen_ai.usage.input_tokens", 1);
    bind_num_attr(q, 16, s, "gen_ai.usage.output_tokens", 1);
    sqlite3_bind_text(q, 17, st->json.data, (int)st->json.len, SQLITE_STATIC);
    int r = sqlite3_step(q);
    sqlite3_reset(q);
    if (r != SQLITE_DONE)
        return db_error(st->db, "cannot store a span", err);
    return LLMOPS_OK;
}

llmops_status llmops__store_write_batch(llmops__store *st, const llmops__span *const *spans,
                                        size_t n, llmops__buf *err)
{
    if (!st || (n && !spans))
        return LLMOPS_E_INVALID_ARGUMENT;
    pthread_mutex_lock(&st->mu);
    /* IMMEDIATE takes the write lock up front (waiting up to the busy
     * timeout), so no read-to-write upgrade can deadlock with another
     * process. */
    llmops_status rc = exec(st->db, "BEGIN IMMEDIATE", "cannot start a write", err);
    for (size_t i = 0; !rc && i < n; i++)
        rc = insert_span(st, spans[i], err);
    if (!rc)
        rc = exec(st->db, "COMMIT", "cannot commit spans", err);
    if (rc && !sqlite3_get_autocommit(st->db))
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    pthread_mutex_unlock(&st->mu);
    return rc;
}

llmops_status llmops__store_write(llmops__store *st, const llmops__span *s, llmops__buf *err)
{
    if (!s)
        return LLMOPS_E_INVALID_ARGUMENT;
    return llmops__store_write_batch(st, &s, 1, err);
}

static void bind_opt(sqlite3_stmt *q, int col, const char *s)
{
    if (s)
        sqlite3_bind_text(q, col, s, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(q, col);
}

llmops_status llmops__store_feedback(llmops__store *st, const char *trace_id, uint64_t time_ns,
                                     double score, const char *label, const char *comment,
                                     llmops__buf *err)
{
    if (!st || !trace_id || !*trace_id)
        return LLMOPS_E_INVALID_ARGUMENT;
    pthread_mutex_lock(&st->mu);
    sqlite3_stmt *q = st->insert_feedback;
    sqlite3_reset(q);
    sqlite3_bind_text(q, 1, trace_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, (sqlite3_int64)(time_ns ? time_ns : llmops__wall_ns()));
    sqlite3_bind_double(q, 3, score);
    bind_opt(q, 4, label);
    bind_opt(q, 5, comment);
    llmops_status rc = LLMOPS_OK;
    if (sqlite3_step(q) != SQLITE_DONE)
        rc = db_error(st->db, "cannot store feedback", err);
    sqlite3_reset(q);
    pthread_mutex_unlock(&st->mu);
    return rc;
}

static const char *col_text(sqlite3_stmt *q, int col)
{
    return (const char *)sqlite3_column_text(q, col);
}

llmops_status llmops__store_list(llmops__store *st, const llmops__store_filter *f,
                                 llmops__store_summary_fn fn, void *ctx, llmops__buf *err)
{
    if (!st || !fn)
        return LLMOPS_E_INVALID_ARGUMENT;
    llmops__store_filter none;
    memset(&none, 0, sizeof none);
    if (!f)
        f = &none;
    pthread_mutex_lock(&st->mu);
    sqlite3_stmt *q = NULL;
    llmops_status rc = LLMOPS_OK;
    if (sqlite3_prepare_v2(st->db, LIST, -1, &q, NULL) != SQLITE_OK) {
        rc = db_error(st->db, "cannot prepare the trace list", err);
        goto out;
    }
    bind_opt(q, 1, f->task);
    bind_opt(q, 2, f->user);
    bind_opt(q, 3, f->status);
    bind_opt(q, 4, f->fingerprint);
    sqlite3_bind_int64(q, 5, (sqlite3_int64)f->since_ns);
    sqlite3_bind_int64(q, 6, f->until_ns ? (sqlite3_int64)f->until_ns : INT64_MAX);
    sqlite3_bind_int64(q, 7, f->limit ? (sqlite3_int64)f->limit : -1);
    int r;
    while ((r = sqlite3_step(q)) == SQLITE_ROW) {
        llmops__trace_summary t;
        memset(&t, 0, sizeof t);
        t.trace_id = col_text(q, 0);
        t.root_name = col_text(q, 1);
        t.start_ns = (uint64_t)sqlite3_column_int64(q, 2);
        t.duration_ns = (uint64_t)sqlite3_column_int64(q, 3);
        t.status = col_text(q, 4);
        t.task = col_text(q, 5);
        t.user = col_text(q, 6);
        t.has_cost = sqlite3_column_type(q, 7) != SQLITE_NULL;
        t.cost_usd = sqlite3_column_double(q, 7);
        t.has_tokens = sqlite3_column_type(q, 8) != SQLITE_NULL ||
                       sqlite3_column_type(q, 9) != SQLITE_NULL;
        t.input_tokens = sqlite3_column_int64(q, 8);
        t.output_tokens = sqlite3_column_int64(q, 9);
        if (fn(ctx, &t)) {
            rc = LLMOPS_E_ABORTED;
            break;
        }
    }
    if (!rc && r != SQLITE_DONE)
        rc = db_error(st->db, "cannot list traces", err);
out:
    sqlite3_finalize(q);
    pthread_mutex_unlock(&st->mu);
    return rc;
}

llmops_status llmops__store_trace(llmops__store *st, const char *trace_id,
                                  llmops__store_span_fn span_fn, llmops__store_feedback_fn fb_fn,
                                  void *ctx, llmops__buf *err)
{
    if (!st || !trace_id || !span_fn)
        return LLMOPS_E_INVALID_ARGUMENT;
    pthread_mutex_lock(&st->mu);
    sqlite3_stmt *q = NULL;
    llmops_status rc = LLMOPS_OK;
    size_t spans = 0;
    int r;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT json FROM spans WHERE trace_id = ?1 ORDER BY start_ns, span_id",
                           -1, &q, NULL) != SQLITE_OK) {
        rc = db_error(st->db, "cannot prepare the trace query", err);
        goto out;
    }
    sqlite3_bind_text(q, 1, trace_id, -1, SQLITE_STATIC);
    while ((r = sqlite3_step(q)) == SQLITE_ROW) {
        spans++;
        if (span_fn(ctx, col_text(q, 0), (size_t)sqlite3_column_bytes(q, 0))) {
            rc = LLMOPS_E_ABORTED;
            goto out;
        }
    }
    if (r != SQLITE_DONE) {
        rc = db_error(st->db, "cannot read the trace", err);
        goto out;
    }
    if (!spans) {
        if (err)
            llmops__buf_printf(err, "trace store: no span of trace '%s'", trace_id);
        rc = LLMOPS_E_NOT_FOUND;
        goto out;
    }
    if (!fb_fn)
        goto out;
    sqlite3_finalize(q);
    q = NULL;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT time_ns, score, label, comment FROM feedback"
                           " WHERE trace_id = ?1 ORDER BY time_ns, rowid",
                           -1, &q, NULL) != SQLITE_OK) {
        rc = db_error(st->db, "cannot prepare the feedback query", err);
        goto out;
    }
    sqlite3_bind_text(q, 1, trace_id, -1, SQLITE_STATIC);
    while ((r = sqlite3_step(q)) == SQLITE_ROW) {
        llmops__feedback_row fr = {(uint64_t)sqlite3_column_int64(q, 0),
                                   sqlite3_column_double(q, 1), col_text(q, 2), col_text(q, 3)};
        if (fb_fn(ctx, &fr)) {
            rc = LLMOPS_E_ABORTED;
            goto out;
        }
    }
    if (r != SQLITE_DONE)
        rc = db_error(st->db, "cannot read feedback", err);
out:
    sqlite3_finalize(q);
    pthread_mutex_unlock(&st->mu);
    return rc;
}

#else /* !LLMOPS_HAVE_SQLITE */

static llmops_status unsupported(llmops__buf *err)
{
    if (err)
        llmops__buf_puts(err, "trace store: this build of libllmops has no SQLite");
    return LLMOPS_E_UNSUPPORTED;
}

llmops_status llmops__store_open(const char *path, int busy_timeout_ms, llmops__store **out,
                                 llmops__buf *err)
{
    if (out)
        *out = NULL;
    return unsupported(err);
}

void llmops__store_close(llmops__store *st) {}

llmops_status llmops__store_write(llmops__store *st, const llmops__span *s, llmops__buf *err)
{
    return unsupported(err);
}

llmops_status llmops__store_write_batch(llmops__store *st, const llmops__span *const *spans,
                                        size_t n, llmops__buf *err)
{
    return unsupported(err);
}

llmops_status llmops__store_feedback(llmops__store *st, const char *trace_id, uint64_t time_ns,
                                     double score, const char *label, const char *comment,
                                     llmops__buf *err)
{
    return unsupported(err);
}

llmops_status llmops__store_list(llmops__store *st, const llmops__store_filter *f,
                                 llmops__store_summary_fn fn, void *ctx, llmops__buf *err)
{
    return unsupported(err);
}

llmops_status llmops__store_trace(llmops__store *st, const char *trace_id,
                                  llmops__store_span_fn span_fn, llmops__store_feedback_fn fb_fn,
                                  void *ctx, llmops__buf *err)
{
    return unsupported(err);
}

#endif
