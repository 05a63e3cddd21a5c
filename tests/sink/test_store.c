/* SQLite trace store: round trip, filters, concurrent processes, corrupt
 * and locked databases, schema version. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "llmops.h"
#include "llmops_config.h"
#include "sink/sqlite_store.h"

#if LLMOPS_HAVE_SQLITE
#include <sqlite3.h>
#endif

static char dir[64];
static char db_path[128];

static void make_dir(void)
{
    strcpy(dir, "/tmp/llmops-store-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    snprintf(db_path, sizeof db_path, "%s/traces.db", dir);
}

static void remove_dir(void)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    char p[512];
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        remove(p);
    }
    closedir(d);
    rmdir(dir);
}

TestSuite(store, .init = make_dir, .fini = remove_dir);

typedef struct {
    llmops__attr attrs[7];
    llmops__span span;
} sample;

/* Root span (parent "") of trace number t, or a client child when child. */
static void fill(sample *x, int t, int child, const char *task, const char *user, double cost,
                 int64_t tokens_in)
{
    memset(x, 0, sizeof *x);
    size_t n = 0;
    if (task)
        x->attrs[n++] = (llmops__attr){"llmops.task", LLMOPS__ATTR_STRING, task, 0, 0};
    if (user)
        x->attrs[n++] = (llmops__attr){"llmops.user", LLMOPS__ATTR_STRING, user, 0, 0};
    x->attrs[n++] = (llmops__attr){"llmops.task_fingerprint", LLMOPS__ATTR_STRING,
                                   t % 2 ? "fp-odd" : "fp-even", 0, 0};
    x->attrs[n++] = (llmops__attr){"gen_ai.request.model", LLMOPS__ATTR_STRING, "gpt-4o-mini", 0, 0};
    if (cost >= 0)
        x->attrs[n++] = (llmops__attr){"llmops.cost_usd", LLMOPS__ATTR_DOUBLE, NULL, 0, cost};
    if (tokens_in >= 0) {
        x->attrs[n++] = (llmops__attr){"gen_ai.usage.input_tokens", LLMOPS__ATTR_INT, NULL, tokens_in, 0};
        x->attrs[n++] = (llmops__attr){"gen_ai.usage.output_tokens", LLMOPS__ATTR_INT, NULL, 7, 0};
    }
    snprintf(x->span.trace_id, sizeof x->span.trace_id, "%032x", t);
    snprintf(x->span.span_id, sizeof x->span.span_id, "%08x%08x", t, child);
    if (child)
        snprintf(x->span.parent_span_id, sizeof x->span.parent_span_id, "%08x%08x", t, 0);
    x->span.name = child ? "chat gpt-4o-mini" : "llmops.call answer";
    x->span.kind = child ? LLMOPS__SPAN_CLIENT : LLMOPS__SPAN_INTERNAL;
    x->span.start_ns = 1000000000ull * (uint64_t)(t + 1) + (uint64_t)child;
    x->span.end_ns = x->span.start_ns + 250;
    x->span.status = t % 3 == 2 ? LLMOPS_E_TIMEOUT : LLMOPS_OK;
    x->span.status_message = t % 3 == 2 ? "deadline passed" : "";
    x->span.attrs = x->attrs;
    x->span.nattrs = n;
}

static llmops__store *open_store(int busy_ms)
{
    llmops__store *st = NULL;
    llmops__buf err = LLMOPS__BUF_INIT;
    llmops_status rc = llmops__store_open(db_path, busy_ms, &st, &err);
#if !LLMOPS_HAVE_SQLITE
    cr_assert_eq(rc, LLMOPS_E_UNSUPPORTED);
    llmops__buf_free(&err);
    cr_skip_test("built without SQLite: open says unsupported, as it should");
#endif
    cr_assert_eq(rc, LLMOPS_OK, "open: %s", err.data ? err.data : "");
    llmops__buf_free(&err);
    return st;
}

typedef struct {
    char ids[16][33];
    char names[16][64];
    double cost[16];
    int64_t in[16], out[16];
    int has_cost[16];
    size_t n;
} listing;

static int collect(void *ctx, const llmops__trace_summary *t)
{
    listing *l = ctx;
    cr_assert_lt(l->n, 16);
    snprintf(l->ids[l->n], 33, "%s", t->trace_id);
    snprintf(l->names[l->n], 64, "%s", t->root_name);
    l->cost[l->n] = t->cost_usd;
    l->has_cost[l->n] = t->has_cost;
    l->in[l->n] = t->input_tokens;
    l->out[l->n] = t->output_tokens;
    l->n++;
    return 0;
}

typedef struct {
    char json[4][600];
    size_t spans;
    double scores[4];
    char labels[4][32];
    size_t fb;
} trace_rows;

static int on_span(void *ctx, const char *json, size_t len)
{
    trace_rows *r = ctx;
    cr_assert_lt(r->spans, 4);
    cr_assert_lt(len, sizeof r->json[0]);
    memcpy(r->json[r->spans], json, len);
    r->json[r->spans][len] = 0;
    r->spans++;
    return 0;
}

static int on_feedback(void *ctx, const llmops__feedback_row *f)
{
    trace_rows *r = ctx;
    cr_assert_lt(r->fb, 4);
    r->scores[r->fb] = f->score;
    snprintf(r->labels[r->fb], 32, "%s", f->label ? f->label : "(null)");
    r->fb++;
    return 0;
}

Test(store, spans_and_feedback_round_trip)
{
    llmops__store *st = open_store(0);
    sample root, a1, a2;
    fill(&root, 1, 0, "answer", "u1", -1, -1);     /* root without cost: summed from attempts */
    fill(&a1, 1, 1, "answer", "u1", 0.001, 10);
    fill(&a2, 1, 2, "answer", "u1", 0.002, 20);
    const llmops__span *batch[] = {&a2.span, &root.span, &a1.span};
    llmops__buf err = LLMOPS__BUF_INIT;
    cr_assert_eq(llmops__store_write_batch(st, batch, 3, &err), LLMOPS_OK, "%s", err.data);
    cr_assert_eq(llmops__store_feedback(st, root.span.trace_id, 5, 1.0, "good", "thanks", &err),
                 LLMOPS_OK);
    cr_assert_eq(llmops__store_feedback(st, root.span.trace_id, 9, -1.0, NULL, NULL, &err),
                 LLMOPS_OK);

    trace_rows r;
    memset(&r, 0, sizeof r);
    cr_assert_eq(llmops__store_trace(st, root.span.trace_id, on_span, on_feedback, &r, &err),
                 LLMOPS_OK);
    cr_assert_eq(r.spans, 3);
    /* Start order, each the span's JSON form exactly. */
    const llmops__span *order[] = {&root.span, &a1.span, &a2.span};
    for (size_t i = 0; i < 3; i++) {
        llmops__buf j = LLMOPS__BUF_INIT;
        llmops__span_to_json(order[i], &j);
        cr_assert_str_eq(r.json[i], j.data);
        llmops__buf_free(&j);
    }
    cr_assert_eq(r.fb, 2);
    cr_assert_float_eq(r.scores[0], 1.0, 1e-12);
    cr_assert_str_eq(r.labels[0], "good");
    cr_assert_float_eq(r.scores[1], -1.0, 1e-12);
    cr_assert_str_eq(r.labels[1], "(null)");

    listing l;
    memset(&l, 0, sizeof l);
    cr_assert_eq(llmops__store_list(st, NULL, collect, &l, &err), LLMOPS_OK);
    cr_assert_eq(l.n, 1);
    cr_assert_str_eq(l.names[0], "llmops.call answer");
    cr_assert(l.has_cost[0]);
    cr_assert_float_eq(l.cost[0], 0.003, 1e-12);
    cr_assert_eq(l.in[0], 30);
    cr_assert_eq(l.out[0], 14);

    memset(&r, 0, sizeof r);
    cr_assert_eq(llmops__store_trace(st, "ffffffffffffffffffffffffffffffff", on_span, NULL, &r,
                                     &err),
                 LLMOPS_E_NOT_FOUND);
    llmops__buf_free(&err);
    llmops__store_close(st);

    /* Still there after reopening. */
    st = open_store(0);
    memset(&r, 0, sizeof r);
    cr_assert_eq(llmops__store_trace(st, root.span.trace_id, on_span, NULL, &r, NULL), LLMOPS_OK);
    cr_assert_eq(r.spans, 3);
    llmops__store_close(st);
}

Test(store, list_filters)
{
    llmops__store *st = open_store(0);
    sample x;
    for (int t = 0; t < 9; t++) {
        fill(&x, t, 0, t < 5 ? "answer" : "summarize", t % 2 ? "alice" : "bob", 0.5, 3);
        cr_assert_eq(llmops__store_write(st, &x.span, NULL), LLMOPS_OK);
    }
    listing l;
    llmops__store_filter f;
#define LIST_WITH(...)                                                                      \
    do {                                                                                    \
        memset(&l, 0, sizeof l);                                                            \
        memset(&f, 0, sizeof f);                                                            \
        __VA_ARGS__;                                                                        \
        cr_assert_eq(llmops__store_list(st, &f, collect, &l, NULL), LLMOPS_OK);             \
    } while (0)
    LIST_WITH((void)0);
    cr_assert_eq(l.n, 9);
    cr_assert_str_eq(l.ids[0], "00000000000000000000000000000008", "newest first");
    LIST_WITH(f.task = "summarize");
    cr_assert_eq(l.n, 4);
    LIST_WITH(f.task = "answer"; f.user = "alice");
    cr_assert_eq(l.n, 2); /* t = 1, 3 */
    LIST_WITH(f.status = "ok");
    cr_assert_eq(l.n, 6);
    LIST_WITH(f.status = llmops_status_str(LLMOPS_E_TIMEOUT));
    cr_assert_eq(l.n, 3);
    LIST_WITH(f.fingerprint = "fp-odd");
    cr_assert_eq(l.n, 4);
    LIST_WITH(f.since_ns = 3000000000ull; f.until_ns = 6000000000ull);
    cr_assert_eq(l.n, 3); /* t = 2, 3, 4 */
    cr_assert_str_eq(l.ids[2], "00000000000000000000000000000002");
    LIST_WITH(f.limit = 2);
    cr_assert_eq(l.n, 2);
    LIST_WITH(f.user = "nobody");
    cr_assert_eq(l.n, 0);
#undef LIST_WITH
    llmops__store_close(st);
}

enum { PROCS = 4, PER_PROC = 200 };

Test(store, four_processes_write_concurrently)
{
    llmops__store *st = open_store(0); /* schema first, so children race only on writes */
    llmops__store_close(st);
    pid_t kids[PROCS];
    for (int k = 0; k < PROCS; k++) {
        kids[k] = fork();
        cr_assert_neq(kids[k], -1);
        if (kids[k] == 0) {
            llmops__store *c = NULL;
            if (llmops__store_open(db_path, 20000, &c, NULL) != LLMOPS_OK)
                _exit(2);
            sample x;
            int bad = 0;
            for (int i = 0; i < PER_PROC; i++) {
                fill(&x, k * PER_PROC + i, 0, "load", "u", 0.1, 1);
                bad += llmops__store_write(c, &x.span, NULL) != LLMOPS_OK;
            }
            llmops__store_close(c);
            _exit(bad ? 1 : 0);
        }
    }
    for (int k = 0; k < PROCS; k++) {
        int status = 0;
        cr_assert_eq(waitpid(kids[k], &status, 0), kids[k]);
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "writer %d failed (%d)", k,
                  WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    }
#if LLMOPS_HAVE_SQLITE
    sqlite3 *db = NULL;
    cr_assert_eq(sqlite3_open(db_path, &db), SQLITE_OK);
    sqlite3_stmt *q = NULL;
    cr_assert_eq(sqlite3_prepare_v2(db, "SELECT COUNT(DISTINCT trace_id) FROM spans", -1, &q, NULL),
                 SQLITE_OK);
    cr_assert_eq(sqlite3_step(q), SQLITE_ROW);
    cr_assert_eq(sqlite3_column_int(q, 0), PROCS * PER_PROC);
    sqlite3_finalize(q);
    sqlite3_close(db);
#endif
}

static void write_file(const char *path, const char *bytes, size_t n)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    cr_assert_eq(fwrite(bytes, 1, n, f), n);
    fclose(f);
}

Test(store, corrupt_file_is_an_io_error)
{
#if !LLMOPS_HAVE_SQLITE
    cr_skip_test("built without SQLite");
#endif
    char garbage[8192];
    for (size_t i = 0; i < sizeof garbage; i++)
        garbage[i] = (char)(i * 131 + 7);
    write_file(db_path, garbage, sizeof garbage);
    llmops__store *st = NULL;
    llmops__buf err = LLMOPS__BUF_INIT;
    cr_assert_eq(llmops__store_open(db_path, 100, &st, &err), LLMOPS_E_IO);
    cr_assert_null(st);
    cr_assert_not_null(err.data);
    cr_assert_not_null(strstr(err.data, "not a database"), "sqlite's message: %s", err.data);
    llmops__buf_free(&err);
}

Test(store, locked_database_is_an_io_error_and_keeps_data)
{
#if !LLMOPS_HAVE_SQLITE
    cr_skip_test("built without SQLite");
#else
    llmops__store *st = open_store(100);
    sample x;
    fill(&x, 1, 0, "answer", "u", 0.1, 1);
    cr_assert_eq(llmops__store_write(st, &x.span, NULL), LLMOPS_OK);

    sqlite3 *other = NULL;
    cr_assert_eq(sqlite3_open(db_path, &other), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(other, "BEGIN EXCLUSIVE", NULL, NULL, NULL), SQLITE_OK);

    fill(&x, 2, 0, "answer", "u", 0.1, 1);
    llmops__buf err = LLMOPS__BUF_INIT;
    cr_assert_eq(llmops__store_write(st, &x.span, &err), LLMOPS_E_IO);
    cr_assert_not_null(strstr(err.data, "locked"), "sqlite's message: %s", err.data);
    llmops__buf_free(&err);

    cr_assert_eq(sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(other);
    /* The earlier span survives and the store works again. */
    cr_assert_eq(llmops__store_write(st, &x.span, NULL), LLMOPS_OK);
    listing l;
    memset(&l, 0, sizeof l);
    cr_assert_eq(llmops__store_list(st, NULL, collect, &l, NULL), LLMOPS_OK);
    cr_assert_eq(l.n, 2);
    llmops__store_close(st);
#endif
}

Test(store, schema_version_is_set_and_newer_is_refused)
{
#if !LLMOPS_HAVE_SQLITE
    cr_skip_test("built without SQLite");
#else
    llmops__store_close(open_store(0));
    sqlite3 *db = NULL;
    cr_assert_eq(sqlite3_open(db_path, &db), SQLITE_OK);
    sqlite3_stmt *q = NULL;
    cr_assert_eq(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &q, NULL), SQLITE_OK);
    cr_assert_eq(sqlite3_step(q), SQLITE_ROW);
    cr_assert_eq(sqlite3_column_int(q, 0), LLMOPS__STORE_SCHEMA_VERSION);
    sqlite3_finalize(q);
    cr_assert_eq(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &q, NULL), SQLITE_OK);
    cr_assert_eq(sqlite3_step(q), SQLITE_ROW);
    cr_assert_str_eq((const char *)sqlite3_column_text(q, 0), "wal");
    sqlite3_finalize(q);
    cr_assert_eq(sqlite3_exec(db, "PRAGMA user_version = 2", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);

    llmops__store *st = NULL;
    llmops__buf err = LLMOPS__BUF_INIT;
    cr_assert_eq(llmops__store_open(db_path, 0, &st, &err), LLMOPS_E_UNSUPPORTED);
    cr_assert_null(st);
    cr_assert_not_null(strstr(err.data, "schema version 2"), "%s", err.data);
    llmops__buf_free(&err);
#endif
}

#if LLMOPS_HAVE_SQLITE
#include <pthread.h>

static int count_one(void *ctx, const llmops__trace_summary *t)
{
    (void)t;
    ++*(size_t *)ctx;
    return 0;
}

typedef struct {
    llmops__store *st;
    int base, failures;
} thread_job;

static void *thread_writer(void *arg)
{
    thread_job *j = arg;
    sample x;
    for (int i = 0; i < 50; i++) {
        fill(&x, j->base + i, 0, "threads", "u", 0.1, 1);
        j->failures += llmops__store_write(j->st, &x.span, NULL) != LLMOPS_OK;
        j->failures += llmops__store_feedback(j->st, x.span.trace_id, 0, 0.5, "ok", NULL, NULL) !=
                       LLMOPS_OK;
    }
    return NULL;
}
#endif

Test(store, one_handle_shared_by_threads)
{
#if !LLMOPS_HAVE_SQLITE
    cr_skip_test("built without SQLite");
#else
    llmops__store *st = open_store(0);
    pthread_t th[3];
    thread_job jobs[3];
    for (int i = 0; i < 3; i++) {
        jobs[i] = (thread_job){st, i * 1000, 0};
        cr_assert_eq(pthread_create(&th[i], NULL, thread_writer, &jobs[i]), 0);
    }
    for (int i = 0; i < 3; i++) {
        pthread_join(th[i], NULL);
        cr_assert_eq(jobs[i].failures, 0);
    }
    llmops__store_filter f;
    memset(&f, 0, sizeof f);
    f.task = "threads";
    size_t n = 0;
    cr_assert_eq(llmops__store_list(st, &f, count_one, &n, NULL), LLMOPS_OK);
    cr_assert_eq(n, 150);
    llmops__store_close(st);
#endif
}
