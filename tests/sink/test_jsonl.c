/* JSONL sink: lines parse back whole, rotation keeps max_files and loses no
 * line under threads and processes, I/O errors are reported and counted. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "llmops.h"
#include "sink/jsonl.h"
#include "testdata.h"

static char dir[64];

static void make_dir(void)
{
    strcpy(dir, "/tmp/llmops-jsonl-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
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
        chmod(p, 0755);
        remove(p);
    }
    closedir(d);
    rmdir(dir);
}

TestSuite(jsonl, .init = make_dir, .fini = remove_dir);

/* A span whose attributes carry the writer and its sequence number. */
typedef struct {
    llmops__attr attrs[4];
    llmops__span_event ev;
    llmops__span span;
} sample;

static void fill(sample *x, int64_t writer, int64_t seq)
{
    memset(x, 0, sizeof *x);
    x->attrs[0] = (llmops__attr){"llmops.writer", LLMOPS__ATTR_INT, NULL, writer, 0};
    x->attrs[1] = (llmops__attr){"llmops.seq", LLMOPS__ATTR_INT, NULL, seq, 0};
    x->attrs[2] = (llmops__attr){"gen_ai.request.model", LLMOPS__ATTR_STRING, "gpt-4o\"mini", 0, 0};
    x->attrs[3] = (llmops__attr){"llmops.cost_usd", LLMOPS__ATTR_DOUBLE, NULL, 0, 0.25};
    x->ev = (llmops__span_event){"gen_ai.retrieval", 1700000000000000123ull, x->attrs, 1};
    strcpy(x->span.trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
    strcpy(x->span.span_id, "00f067aa0ba902b7");
    x->span.name = "chat gpt-4o-mini";
    x->span.kind = LLMOPS__SPAN_CLIENT;
    x->span.start_ns = 1700000000000000000ull;
    x->span.end_ns = 1700000000500000000ull;
    x->span.status = LLMOPS_E_RATE_LIMITED;
    x->span.status_message = "slow down";
    x->span.attrs = x->attrs;
    x->span.nattrs = 4;
    x->span.events = &x->ev;
    x->span.nevents = 1;
}

static void path_of(char *out, size_t cap, const char *name)
{
    snprintf(out, cap, "%s/%s", dir, name);
}

static int64_t int_field(const llmops_json *o, const char *key)
{
    int64_t v = -1;
    cr_assert_eq(llmops_json_get_int(llmops_json_get(o, key), &v), LLMOPS_OK, "field %s", key);
    return v;
}

/* Parses every line of `file`; calls `each` with the attributes object.
 * Returns the number of lines. */
static size_t read_lines(const char *file, void (*each)(const llmops_json *span, void *), void *ctx)
{
    size_t len = 0;
    char *text = lt_read_file(file, &len);
    if (!text)
        return 0;
    size_t n = 0;
    char *p = text, *end = text + len;
    while (p < end) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        cr_assert_not_null(nl, "%s: last line has no newline (a partial write)", file);
        llmops_json_doc *doc = NULL;
        cr_assert_eq(llmops_json_parse(&doc, p, (size_t)(nl - p), NULL, NULL), LLMOPS_OK,
                     "%s line %zu does not parse: %.*s", file, n + 1, (int)(nl - p), p);
        if (each)
            each(llmops_json_doc_root(doc), ctx);
        llmops_json_doc_free(doc);
        n++;
        p = nl + 1;
    }
    free(text);
    return n;
}

static void check_full(const llmops_json *o, void *ctx)
{
    (void)ctx;
    cr_assert_str_eq(llmops_json_string(llmops_json_get(o, "trace_id"), NULL),
                     "4bf92f3577b34da6a3ce929d0e0e4736");
    cr_assert_str_eq(llmops_json_string(llmops_json_get(o, "span_id"), NULL), "00f067aa0ba902b7");
    cr_assert_str_eq(llmops_json_string(llmops_json_get(o, "parent_span_id"), NULL), "");
    cr_assert_str_eq(llmops_json_string(llmops_json_get(o, "name"), NULL), "chat gpt-4o-mini");
    cr_assert_str_eq(llmops_json_string(llmops_json_get(o, "kind"), NULL), "client");
    cr_assert_eq(int_field(o, "start_ns"), 1700000000000000000ll);
    cr_assert_eq(int_field(o, "end_ns"), 1700000000500000000ll);
    cr_assert_str_eq(llmops_json_string(llmops_json_get(o, "status"), NULL),
                     llmops_status_str(LLMOPS_E_RATE_LIMITED));
    cr_assert_str_eq(llmops_json_string(llmops_json_get(o, "status_message"), NULL), "slow down");
    const llmops_json *a = llmops_json_get(o, "attributes");
    cr_assert_eq(llmops_json_size(a), 4);
    cr_assert_str_eq(llmops_json_string(llmops_json_get(a, "gen_ai.request.model"), NULL),
                     "gpt-4o\"mini");
    double cost = 0;
    cr_assert_eq(llmops_json_get_double(llmops_json_get(a, "llmops.cost_usd"), &cost), LLMOPS_OK);
    cr_assert_float_eq(cost, 0.25, 1e-12);
    const llmops_json *ev = llmops_json_at(llmops_json_get(o, "events"), 0);
    cr_assert_str_eq(llmops_json_string(llmops_json_get(ev, "name"), NULL), "gen_ai.retrieval");
    cr_assert_eq(int_field(ev, "time_ns"), 1700000000000000123ll);
}

Test(jsonl, lines_parse_back_with_every_field)
{
    char p[256];
    path_of(p, sizeof p, "spans.jsonl");
    llmops__jsonl *s = NULL;
    cr_assert_eq(llmops__jsonl_open(p, 0, 0, &s, NULL), LLMOPS_OK);
    sample x;
    for (int i = 0; i < 3; i++) {
        fill(&x, 0, i);
        cr_assert_eq(llmops__jsonl_write(s, &x.span), LLMOPS_OK);
    }
    cr_assert_eq(llmops__jsonl_errors(s), 0);
    llmops__jsonl_close(s);
    cr_assert_eq(read_lines(p, check_full, NULL), 3);
}

/* Marks seen[writer * per + seq]; fails on a duplicate. */
typedef struct {
    unsigned char *seen;
    int per;
    int writers;
} tally;

static void mark(const llmops_json *o, void *ctx)
{
    tally *t = ctx;
    const llmops_json *a = llmops_json_get(o, "attributes");
    int64_t w = int_field(a, "llmops.writer"), q = int_field(a, "llmops.seq");
    cr_assert(w >= 0 && w < t->writers && q >= 0 && q < t->per, "writer %lld seq %lld",
              (long long)w, (long long)q);
    cr_assert_eq(t->seen[w * t->per + q], 0, "line writer %lld seq %lld twice", (long long)w,
                 (long long)q);
    t->seen[w * t->per + q] = 1;
}

/* Reads path, path.1 ... path.<max>; returns the line count, fails when a
 * file past path.<max_files> exists. */
static size_t read_all(const char *p, unsigned max_files, tally *t, unsigned *files)
{
    size_t n = read_lines(p, mark, t);
    *files = 1;
    char q[300];
    for (unsigned k = 1; k <= max_files + 1; k++) {
        snprintf(q, sizeof q, "%s.%u", p, k);
        if (access(q, F_OK) != 0)
            continue;
        cr_assert_leq(k, max_files, "%s exists beyond max_files %u", q, max_files);
        ++*files;
        n += read_lines(q, mark, t);
    }
    return n;
}

Test(jsonl, rotation_keeps_max_files_newest_lines)
{
    char p[256];
    path_of(p, sizeof p, "rot.jsonl");
    llmops__jsonl *s = NULL;
    cr_assert_eq(llmops__jsonl_open(p, 2000, 3, &s, NULL), LLMOPS_OK);
    sample x;
    enum { N = 200 };
    for (int i = 0; i < N; i++) {
        fill(&x, 0, i);
        cr_assert_eq(llmops__jsonl_write(s, &x.span), LLMOPS_OK);
    }
    llmops__jsonl_close(s);
    unsigned char seen[N] = {0};
    tally t = {seen, N, 1};
    unsigned files = 0;
    size_t n = read_all(p, 3, &t, &files);
    cr_assert_eq(files, 4, "the live file and 3 rotations, got %u", files);
    cr_assert(n > 0 && n < N, "old lines dropped, got %zu", n);
    /* What is kept is the newest lines, with no gap. */
    for (int i = N - (int)n; i < N; i++)
        cr_assert_eq(seen[i], 1, "line %d missing among the newest %zu", i, n);
    struct stat st;
    cr_assert_eq(stat(p, &st), 0);
    cr_assert_leq((uint64_t)st.st_size, 2000);
}

enum { THREADS = 4, PROCS = 3, PER = 150 };

typedef struct {
    llmops__jsonl *s;
    int writer;
    int failures;
} job;

static void *thread_main(void *arg)
{
    job *j = arg;
    sample x;
    for (int i = 0; i < PER; i++) {
        fill(&x, j->writer, i);
        if (llmops__jsonl_write(j->s, &x.span) != LLMOPS_OK)
            j->failures++;
    }
    return NULL;
}

Test(jsonl, threads_and_processes_rotate_without_losing_a_line)
{
    char p[256];
    path_of(p, sizeof p, "shared.jsonl");
    const uint64_t max_bytes = 6000;
    const unsigned max_files = 1000; /* enough that nothing is dropped */
    pid_t kids[PROCS];
    for (int k = 0; k < PROCS; k++) {
        kids[k] = fork();
        cr_assert_neq(kids[k], -1);
        if (kids[k] == 0) {
            llmops__jsonl *s = NULL;
            if (llmops__jsonl_open(p, max_bytes, max_files, &s, NULL) != LLMOPS_OK)
                _exit(2);
            job j = {s, THREADS + k, 0};
            thread_main(&j);
            llmops__jsonl_close(s);
            _exit(j.failures ? 1 : 0);
        }
    }
    llmops__jsonl *s = NULL;
    cr_assert_eq(llmops__jsonl_open(p, max_bytes, max_files, &s, NULL), LLMOPS_OK);
    pthread_t th[THREADS];
    job jobs[THREADS];
    for (int i = 0; i < THREADS; i++) {
        jobs[i] = (job){s, i, 0};
        cr_assert_eq(pthread_create(&th[i], NULL, thread_main, &jobs[i]), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
        cr_assert_eq(jobs[i].failures, 0);
    }
    llmops__jsonl_close(s);
    for (int k = 0; k < PROCS; k++) {
        int status = 0;
        cr_assert_eq(waitpid(kids[k], &status, 0), kids[k]);
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child %d failed", k);
    }
    static unsigned char seen[(THREADS + PROCS) * PER];
    memset(seen, 0, sizeof seen);
    tally t = {seen, PER, THREADS + PROCS};
    unsigned files = 0;
    size_t n = read_all(p, max_files, &t, &files);
    cr_assert_eq(n, (size_t)(THREADS + PROCS) * PER, "every line kept, got %zu", n);
    cr_assert_gt(files, 5, "the test must rotate, got %u files", files);
}

Test(jsonl, read_only_directory_is_an_io_error)
{
    if (geteuid() == 0) {
        remove_dir(); /* a skip does not run .fini */
        cr_skip_test("running as root: a read-only directory is still writable");
    }
    cr_assert_eq(chmod(dir, 0555), 0);
    char p[256];
    path_of(p, sizeof p, "ro.jsonl");
    llmops__jsonl *s = NULL;
    llmops__buf err = LLMOPS__BUF_INIT;
    llmops_status st = llmops__jsonl_open(p, 0, 0, &s, &err);
    chmod(dir, 0755);
    cr_assert_eq(st, LLMOPS_E_IO);
    cr_assert_null(s);
    cr_assert_not_null(strstr(err.data, p), "message names the file: %s", err.data);
    cr_assert_not_null(strstr(err.data, strerror(EACCES)), "message has errno text: %s", err.data);
    llmops__buf_free(&err);
}

/* Runs as root too: a regular file used as a directory cannot be written. */
Test(jsonl, path_under_a_file_is_an_io_error)
{
    char file[256], p[300];
    path_of(file, sizeof file, "plain");
    FILE *f = fopen(file, "w");
    cr_assert_not_null(f);
    fclose(f);
    snprintf(p, sizeof p, "%s/spans.jsonl", file);
    llmops__jsonl *s = NULL;
    llmops__buf err = LLMOPS__BUF_INIT;
    cr_assert_eq(llmops__jsonl_open(p, 0, 0, &s, &err), LLMOPS_E_IO);
    cr_assert_null(s);
    cr_assert_not_null(strstr(err.data, p), "message names the file: %s", err.data);
    cr_assert_not_null(strstr(err.data, strerror(ENOTDIR)), "message has errno text: %s", err.data);
    llmops__buf_free(&err);
}

Test(jsonl, deleted_file_is_recreated)
{
    char p[256];
    path_of(p, sizeof p, "gone.jsonl");
    llmops__jsonl *s = NULL;
    cr_assert_eq(llmops__jsonl_open(p, 0, 0, &s, NULL), LLMOPS_OK);
    sample x;
    fill(&x, 0, 0);
    cr_assert_eq(llmops__jsonl_write(s, &x.span), LLMOPS_OK);
    cr_assert_eq(unlink(p), 0);
    cr_assert_eq(llmops__jsonl_write(s, &x.span), LLMOPS_OK);
    cr_assert_eq(llmops__jsonl_write(s, &x.span), LLMOPS_OK);
    llmops__jsonl_close(s);
    cr_assert_eq(read_lines(p, check_full, NULL), 2);
}

/* A file size limit (RLIMIT_FSIZE) stands in for a full disk; in a child so
 * the limit does not leak into other tests. */
Test(jsonl, write_errors_are_returned_and_counted)
{
    char p[256];
    path_of(p, sizeof p, "full.jsonl");
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        signal(SIGXFSZ, SIG_IGN);
        struct rlimit rl = {1000, 1000};
        if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
            _exit(10);
        llmops__jsonl *s = NULL;
        if (llmops__jsonl_open(p, 0, 0, &s, NULL) != LLMOPS_OK)
            _exit(11);
        sample x;
        fill(&x, 0, 0);
        int ok = 0, io = 0;
        for (int i = 0; i < 20; i++) {
            llmops_status st = llmops__jsonl_write(s, &x.span);
            ok += st == LLMOPS_OK;
            io += st == LLMOPS_E_IO;
        }
        llmops__buf msg = LLMOPS__BUF_INIT;
        llmops__jsonl_last_error(s, &msg);
        int named = msg.data && strstr(msg.data, p) != NULL;
        int counted = llmops__jsonl_errors(s) == (uint64_t)io;
        llmops__buf_free(&msg);
        llmops__jsonl_close(s);
        _exit(ok > 0 && io > 0 && ok + io == 20 && named && counted ? 0 : 12);
    }
    int status = 0;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFEXITED(status), "child crashed");
    cr_assert_eq(WEXITSTATUS(status), 0, "child reported %d", WEXITSTATUS(status));
}

/* A line longer than max_bytes is written whole into a file of its own. */
Test(jsonl, line_larger_than_max_bytes_goes_whole_into_its_own_file)
{
    char p[256], q[300];
    path_of(p, sizeof p, "big.jsonl");
    llmops__jsonl *s = NULL;
    cr_assert_eq(llmops__jsonl_open(p, 100, 2, &s, NULL), LLMOPS_OK);
    sample x;
    for (int i = 0; i < 3; i++) {
        fill(&x, 0, i);
        cr_assert_eq(llmops__jsonl_write(s, &x.span), LLMOPS_OK);
    }
    llmops__jsonl_close(s);
    cr_assert_eq(read_lines(p, check_full, NULL), 1);
    snprintf(q, sizeof q, "%s.1", p);
    cr_assert_eq(read_lines(q, check_full, NULL), 1);
    snprintf(q, sizeof q, "%s.2", p);
    cr_assert_eq(read_lines(q, check_full, NULL), 1);
    snprintf(q, sizeof q, "%s.3", p);
    cr_assert_neq(access(q, F_OK), 0, "%s beyond max_files", q);
}
