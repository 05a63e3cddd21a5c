/* NDJSON reader: LF and CRLF, blank lines, read boundaries, max_line,
 * callback stop, finish, allocation failure, and the recorded Ollama-style
 * line streams (.chunks.jsonl) fed whole, bytewise and split everywhere. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "llmops/common.h"
#include "llmops/json.h"
#include "stream/ndjson.h"
#include "testdata.h"

/* Lines are collected as "len:bytes" records in one growing string. */
typedef struct lines {
    char *s;
    size_t len, cap, n;
    size_t stop_after;
    int stop_rc;
} lines;

static void put(lines *l, const char *s, size_t n)
{
    if (l->len + n + 1 > l->cap) {
        l->cap = (l->len + n + 1) * 2;
        l->s = realloc(l->s, l->cap);
        cr_assert_not_null(l->s);
    }
    memcpy(l->s + l->len, s, n);
    l->len += n;
    l->s[l->len] = '\0';
}

static int on_line(const char *line, size_t n, void *ud)
{
    lines *l = ud;
    cr_assert_not_null(line);
    char hdr[32];
    int h = snprintf(hdr, sizeof hdr, "%zu:", n);
    put(l, hdr, (size_t)h);
    put(l, line, n);
    put(l, "|", 1);
    l->n++;
    if (l->stop_after && l->n == l->stop_after)
        return l->stop_rc;
    return 0;
}

static void lines_free(lines *l)
{
    free(l->s);
    memset(l, 0, sizeof *l);
}

static const char *text(const lines *l)
{
    return l->s ? l->s : "";
}

static int run_cuts(const char *in, size_t len, const size_t *cuts, size_t ncuts, size_t max,
                    lines *out)
{
    llmops__ndjson p;
    llmops__ndjson_init(&p, max);
    size_t pos = 0;
    int rc = 0;
    for (size_t i = 0; i <= ncuts && rc == 0; i++) {
        size_t end = i < ncuts ? cuts[i] : len;
        rc = llmops__ndjson_feed(&p, in + pos, end - pos, on_line, out);
        pos = end;
    }
    if (rc == 0)
        rc = llmops__ndjson_finish(&p, on_line, out);
    llmops__ndjson_free(&p);
    return rc;
}

/* Whole, bytewise, every split and (small inputs) every pair of splits
 * must agree on lines and result. */
static int parse_checked(const char *in, size_t len, size_t max, lines *out)
{
    int rc = run_cuts(in, len, NULL, 0, max, out);
    size_t *all = malloc((len + 1) * sizeof *all);
    cr_assert_not_null(all);
    for (size_t i = 0; i < len; i++)
        all[i] = i + 1;
    lines b = { 0 };
    cr_assert_eq(run_cuts(in, len, all, len ? len - 1 : 0, max, &b), rc, "bytewise result");
    cr_assert_str_eq(text(&b), text(out), "bytewise");
    lines_free(&b);
    free(all);
    for (size_t k = 0; k <= len; k++) {
        lines s = { 0 };
        cr_assert_eq(run_cuts(in, len, &k, 1, max, &s), rc, "split at %zu: result", k);
        cr_assert_str_eq(text(&s), text(out), "split at %zu", k);
        lines_free(&s);
    }
    if (len <= 120) {
        for (size_t i = 0; i <= len; i++)
            for (size_t j = i; j <= len; j++) {
                size_t cuts[2] = { i, j };
                lines s = { 0 };
                cr_assert_eq(run_cuts(in, len, cuts, 2, max, &s), rc, "splits %zu,%zu", i, j);
                cr_assert_str_eq(text(&s), text(out), "splits %zu,%zu", i, j);
                lines_free(&s);
            }
    }
    return rc;
}

static int parse_str(const char *in, size_t max, lines *out)
{
    return parse_checked(in, strlen(in), max, out);
}

Test(ndjson, lf_and_crlf)
{
    lines l = { 0 };
    cr_assert_eq(parse_str("{\"a\":1}\n{\"b\":2}\r\n[3]\n", 0, &l), 0);
    cr_assert_str_eq(text(&l), "7:{\"a\":1}|7:{\"b\":2}|3:[3]|");
    cr_assert_eq(l.n, 3);
    lines_free(&l);
}

Test(ndjson, blank_lines_are_skipped)
{
    lines l = { 0 };
    cr_assert_eq(parse_str("\n\r\n{}\n\n  \n\t\r\n[]\n\n", 0, &l), 0);
    cr_assert_str_eq(text(&l), "2:{}|2:[]|");
    lines_free(&l);
}

Test(ndjson, lone_cr_is_not_a_line_end)
{
    lines l = { 0 };
    cr_assert_eq(parse_str("a\rb\nc\r\r\n", 0, &l), 0);
    /* only the CR right before the LF is dropped */
    cr_assert_str_eq(text(&l), "3:a\rb|2:c\r|");
    lines_free(&l);
}

Test(ndjson, surrounding_spaces_are_kept)
{
    lines l = { 0 };
    cr_assert_eq(parse_str(" {\"a\": 1} \n", 0, &l), 0);
    cr_assert_str_eq(text(&l), "10: {\"a\": 1} |");
    lines_free(&l);
}

Test(ndjson, finish_delivers_unterminated_last_line)
{
    lines l = { 0 };
    cr_assert_eq(parse_str("{\"a\":1}\n{\"done\":true}", 0, &l), 0);
    cr_assert_str_eq(text(&l), "7:{\"a\":1}|13:{\"done\":true}|");
    lines_free(&l);
    cr_assert_eq(parse_str("{\"x\":0}\r", 0, &l), 0);
    cr_assert_str_eq(text(&l), "7:{\"x\":0}|");
    lines_free(&l);
    cr_assert_eq(parse_str("   ", 0, &l), 0);
    cr_assert_eq(l.n, 0);
    lines_free(&l);
    cr_assert_eq(parse_str("", 0, &l), 0);
    cr_assert_eq(l.n, 0);
    lines_free(&l);

    llmops__ndjson p;
    llmops__ndjson_init(&p, 0);
    cr_assert_eq(llmops__ndjson_feed(&p, "{\"a\"", 4, on_line, &l), 0);
    cr_assert_eq(l.n, 0);
    cr_assert_eq(llmops__ndjson_finish(&p, on_line, &l), 0);
    cr_assert_str_eq(text(&l), "4:{\"a\"|");
    cr_assert_eq(p.line.len, 0);
    cr_assert_eq(llmops__ndjson_finish(&p, on_line, &l), 0);
    cr_assert_eq(l.n, 1);
    llmops__ndjson_free(&p);
    lines_free(&l);
}

Test(ndjson, max_line)
{
    lines l = { 0 };
    cr_assert_eq(parse_str("12345\n123\n", 5, &l), 0);
    cr_assert_eq(l.n, 2);
    lines_free(&l);
    /* the CR of a CRLF does not count, also when split right after it */
    cr_assert_eq(parse_str("12345\r\n12345\r\n", 5, &l), 0);
    cr_assert_eq(l.n, 2);
    lines_free(&l);
    cr_assert_eq(parse_str("ab\n123456\ncd\n", 5, &l), LLMOPS__NDJSON_LIMIT);
    cr_assert_str_eq(text(&l), "2:ab|");
    lines_free(&l);
    /* a lone CR inside the line does count */
    cr_assert_eq(parse_str("1234\r5\n", 5, &l), LLMOPS__NDJSON_LIMIT);
    lines_free(&l);
    /* an unterminated over-long line is caught before the end */
    cr_assert_eq(parse_str("1234567", 5, &l), LLMOPS__NDJSON_LIMIT);
    cr_assert_eq(l.n, 0);
    lines_free(&l);
    /* blank lines are measured too, so a flood of spaces is bounded */
    cr_assert_eq(parse_str("       \n{}\n", 5, &l), LLMOPS__NDJSON_LIMIT);
    lines_free(&l);
}

Test(ndjson, limit_is_sticky)
{
    llmops__ndjson p;
    llmops__ndjson_init(&p, 4);
    lines l = { 0 };
    cr_assert_eq(llmops__ndjson_feed(&p, "123456", 6, on_line, &l), LLMOPS__NDJSON_LIMIT);
    cr_assert_eq(llmops__ndjson_feed(&p, "\n{}\n", 4, on_line, &l), LLMOPS__NDJSON_LIMIT);
    cr_assert_eq(llmops__ndjson_finish(&p, on_line, &l), LLMOPS__NDJSON_LIMIT);
    cr_assert_eq(l.n, 0);
    llmops__ndjson_free(&p);
    lines_free(&l);
}

Test(ndjson, callback_stop)
{
    llmops__ndjson p;
    llmops__ndjson_init(&p, 0);
    lines l = { .stop_after = 2, .stop_rc = 9 };
    cr_assert_eq(llmops__ndjson_feed(&p, "a\nb\nc\n", 6, on_line, &l), 9);
    cr_assert_str_eq(text(&l), "1:a|1:b|");
    llmops__ndjson_free(&p);
    lines_free(&l);
    /* stop from finish */
    llmops__ndjson_init(&p, 0);
    lines m = { .stop_after = 1, .stop_rc = 4 };
    cr_assert_eq(llmops__ndjson_feed(&p, "tail", 4, on_line, &m), 0);
    cr_assert_eq(llmops__ndjson_finish(&p, on_line, &m), 4);
    llmops__ndjson_free(&p);
    lines_free(&m);
}

Test(ndjson, many_lines_split_independent)
{
    const char *s = "{\"model\":\"m\",\"done\":false}\r\n\n"
                    "{\"x\":\"a\\nb\"}\n"
                    "   \n"
                    "[1,2]\r\n"
                    "{\"done\":true}";
    lines l = { 0 };
    cr_assert_eq(parse_str(s, 0, &l), 0);
    cr_assert_eq(l.n, 4);
    lines_free(&l);
}

/* ---- allocation failure --------------------------------------------------------- */

static long budget = -1;
static long live;

static int take(void)
{
    if (budget == 0)
        return 0;
    if (budget > 0)
        budget--;
    return 1;
}

static void *f_alloc(size_t n, void *ctx)
{
    (void)ctx;
    if (!take())
        return NULL;
    void *p = malloc(n ? n : 1);
    live += p != NULL;
    return p;
}

static void *f_realloc(void *p, size_t n, void *ctx)
{
    (void)ctx;
    if (!take())
        return NULL;
    void *q = realloc(p, n ? n : 1);
    if (q && !p)
        live++;
    return q;
}

static void f_free(void *p, void *ctx)
{
    (void)ctx;
    if (p)
        live--;
    free(p);
}

Test(ndjson, allocation_failure)
{
    llmops_allocator a = { LLMOPS_ALLOCATOR_VERSION, f_alloc, f_realloc, f_free, NULL };
    cr_assert_eq(llmops_set_allocator(&a), LLMOPS_OK);
    char big[300];
    memset(big, 'x', sizeof big);
    for (long fail_at = 0; fail_at < 3; fail_at++) {
        budget = fail_at;
        live = 0;
        llmops__ndjson p;
        llmops__ndjson_init(&p, 0);
        lines l = { 0 };
        /* whole lines need no memory */
        int rc = llmops__ndjson_feed(&p, "{}\n[]\n", 6, on_line, &l);
        cr_assert_eq(rc, 0);
        cr_assert_eq(l.n, 2);
        /* a carried line grows past the first block (64 bytes) */
        rc = llmops__ndjson_feed(&p, "{", 1, on_line, &l);
        if (rc == 0)
            rc = llmops__ndjson_feed(&p, big, sizeof big, on_line, &l);
        if (rc == 0)
            rc = llmops__ndjson_feed(&p, "}\n", 2, on_line, &l);
        if (fail_at < 2) {
            cr_assert_eq(rc, LLMOPS__NDJSON_NOMEM, "fail_at %ld", fail_at);
            cr_assert_eq(llmops__ndjson_finish(&p, on_line, &l), LLMOPS__NDJSON_NOMEM);
            cr_assert_eq(l.n, 2);
        } else {
            cr_assert_eq(rc, 0);
            cr_assert_eq(l.n, 3);
        }
        llmops__ndjson_free(&p);
        cr_assert_eq(live, 0, "fail_at %ld leaked %ld", fail_at, live);
        lines_free(&l);
    }
    budget = -1;
    llmops_set_allocator(NULL);
}

/* ---- recorded line streams ------------------------------------------------------ */

static void collect_jsonl(const char *dir, char ***files, size_t *n, size_t *cap)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        size_t nl = strlen(de->d_name);
        if (nl > 6 && strcmp(de->d_name + nl - 6, ".jsonl") == 0) {
            if (*n == *cap) {
                *cap = *cap ? *cap * 2 : 32;
                *files = realloc(*files, *cap * sizeof **files);
                cr_assert_not_null(*files);
            }
            (*files)[(*n)++] = strdup(path);
        } else {
            collect_jsonl(path, files, n, cap);
        }
    }
    closedir(d);
}

/* Reference lines of one recording, each a copy. */
typedef struct reflines {
    char **v;
    size_t *len;
    size_t n, cap;
} reflines;

static int json_line(const char *line, size_t n, void *ud)
{
    reflines *r = ud;
    llmops_json_doc *doc = NULL;
    llmops_json_error err = LLMOPS_JSON_ERROR_INIT;
    cr_assert_eq(llmops_json_parse(&doc, line, n, NULL, &err), LLMOPS_OK,
                 "line is not JSON (%s): %.80s", err.message, line);
    llmops_json_doc_free(doc);
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 64;
        r->v = realloc(r->v, r->cap * sizeof *r->v);
        r->len = realloc(r->len, r->cap * sizeof *r->len);
        cr_assert(r->v && r->len);
    }
    r->v[r->n] = malloc(n ? n : 1);
    cr_assert_not_null(r->v[r->n]);
    memcpy(r->v[r->n], line, n);
    r->len[r->n++] = n;
    return 0;
}

typedef struct cmp_state {
    const reflines *ref;
    size_t next;
    int mismatch;
} cmp_state;

/* Checks each line against the reference as it arrives, without copying,
 * so splitting at every position stays linear per split. */
static int compare_line(const char *line, size_t n, void *ud)
{
    cmp_state *c = ud;
    if (c->next >= c->ref->n || c->ref->len[c->next] != n ||
        memcmp(c->ref->v[c->next], line, n) != 0)
        c->mismatch = 1;
    c->next++;
    return c->mismatch;
}

static void check_split(const char *in, size_t len, const size_t *cuts, size_t ncuts,
                        const reflines *ref, const char *name)
{
    llmops__ndjson p;
    llmops__ndjson_init(&p, 1 << 20);
    cmp_state c = { ref, 0, 0 };
    size_t pos = 0;
    int rc = 0;
    for (size_t i = 0; i <= ncuts && rc == 0; i++) {
        size_t end = i < ncuts ? cuts[i] : len;
        rc = llmops__ndjson_feed(&p, in + pos, end - pos, compare_line, &c);
        pos = end;
    }
    if (rc == 0)
        rc = llmops__ndjson_finish(&p, compare_line, &c);
    llmops__ndjson_free(&p);
    cr_assert_eq(rc, 0, "%s: rc %d at line %zu (%zu cuts, first %zu)", name, rc, c.next, ncuts,
                 ncuts ? cuts[0] : 0);
    cr_assert_eq(c.next, ref->n, "%s: %zu lines, want %zu", name, c.next, ref->n);
}

Test(ndjson, recorded_line_streams, .timeout = 240)
{
    const char *dir = lt_testdata_path("providers");
    if (!dir)
        cr_skip_test("shared test data not found at %s/providers (set LLMOPS_TESTDATA)",
                     lt_testdata_dir());
    char **files = NULL;
    size_t n = 0, cap = 0, total = 0;
    collect_jsonl(dir, &files, &n, &cap);
    if (n == 0)
        cr_skip_test("no .jsonl recordings under %s", dir);
    for (size_t f = 0; f < n; f++) {
        size_t len;
        char *in = lt_read_file(files[f], &len);
        cr_assert_not_null(in, "cannot read %s", files[f]);
        /* every line is one JSON value */
        llmops__ndjson p;
        llmops__ndjson_init(&p, 1 << 20);
        reflines ref = { 0 };
        cr_assert_eq(llmops__ndjson_feed(&p, in, len, json_line, &ref), 0, "%s", files[f]);
        cr_assert_eq(llmops__ndjson_finish(&p, json_line, &ref), 0, "%s", files[f]);
        llmops__ndjson_free(&p);
        cr_assert_gt(ref.n, 0, "%s: no lines", files[f]);
        total += ref.n;
        /* and the framing is split-independent: bytewise, every split */
        size_t *all = malloc((len + 1) * sizeof *all);
        cr_assert_not_null(all);
        for (size_t i = 0; i < len; i++)
            all[i] = i + 1;
        check_split(in, len, all, len ? len - 1 : 0, &ref, files[f]);
        free(all);
        for (size_t k = 0; k <= len; k++)
            check_split(in, len, &k, 1, &ref, files[f]);
        for (size_t i = 0; i < ref.n; i++)
            free(ref.v[i]);
        free(ref.v);
        free(ref.len);
        free(in);
        free(files[f]);
    }
    free(files);
    printf("ndjson: %zu recorded line streams checked whole, bytewise and split at every "
           "byte (%zu lines)\n", n, total);
    fflush(stdout);
}
