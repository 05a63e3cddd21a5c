/* JSONTestSuite (nst/JSONTestSuite) and round trips of real provider
 * payloads, read from the shared test data. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>

#include "json_test.h"
#include "testdata.h"

typedef struct counts {
    int y_total, y_ok, n_total, n_ok, i_total, i_accepted;
} counts;

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names of the files in `dir` ending in `suffix`; NULL-terminated. */
static char **list_dir(const char *dir, const char *suffix, size_t *count)
{
    DIR *d = opendir(dir);
    cr_assert_not_null(d, "cannot open %s", dir);
    size_t n = 0, cap = 64;
    char **names = malloc(cap * sizeof *names);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t l = strlen(e->d_name), sl = strlen(suffix);
        if (l < sl || strcmp(e->d_name + l - sl, suffix) != 0)
            continue;
        if (n + 1 == cap) {
            char **bigger = realloc(names, (cap *= 2) * sizeof *names);
            cr_assert_not_null(bigger);
            names = bigger;
        }
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, by_name);
    names[n] = NULL;
    *count = n;
    return names;
}

static void free_list(char **names)
{
    for (size_t i = 0; names[i]; i++)
        free(names[i]);
    free(names);
}

static char *read_rel(const char *dir, const char *name, size_t *len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *data = lt_read_file(path, len);
    cr_assert_not_null(data, "cannot read %s", path);
    return data;
}

/* After a successful parse, every output form must read back equal. */
static void expect_round_trip(const llmops_json *root, const char *name)
{
    static const unsigned modes[] = {
        LLMOPS_JSON_WRITE_COMPACT, LLMOPS_JSON_WRITE_PRETTY, LLMOPS_JSON_WRITE_CANONICAL,
        LLMOPS_JSON_WRITE_ASCII
    };
    for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++) {
        char *out = NULL;
        size_t len = 0;
        cr_assert_eq(llmops_json_write(&out, &len, root, modes[m]), LLMOPS_OK, "%s", name);
        llmops_json_doc *again = NULL;
        llmops_json_error err = LLMOPS_JSON_ERROR_INIT;
        cr_expect_eq(llmops_json_parse(&again, out, len, NULL, &err), LLMOPS_OK,
                     "%s: output of mode %u does not parse: %s", name, modes[m], err.message);
        cr_expect(llmops_json_equal(root, llmops_json_doc_root(again)),
                  "%s: mode %u round trip differs", name, modes[m]);
        if (modes[m] == LLMOPS_JSON_WRITE_CANONICAL && again) {
            char *twice = NULL;
            llmops_json_write(&twice, NULL, llmops_json_doc_root(again), modes[m]);
            cr_expect_str_eq(twice, out, "%s: canonical form not stable", name);
            llmops_free(twice);
        }
        llmops_json_doc_free(again);
        llmops_free(out);
    }
}

Test(json_suite, test_parsing)
{
    const char *dir = lt_testdata_path("json/JSONTestSuite/test_parsing");
    if (!dir) {
        cr_skip_test("JSONTestSuite not found under %s (set LLMOPS_TESTDATA)", lt_testdata_dir());
        return;
    }
    size_t n;
    char **names = list_dir(dir, ".json", &n);
    counts c = { 0 };
    for (size_t i = 0; i < n; i++) {
        size_t len;
        char *data = read_rel(dir, names[i], &len);
        llmops_json_doc *doc = NULL;
        llmops_json_error err = LLMOPS_JSON_ERROR_INIT;
        llmops_status st = llmops_json_parse(&doc, data, len, NULL, &err);
        cr_expect(st == LLMOPS_OK || st == LLMOPS_E_PARSE || st == LLMOPS_E_LIMIT,
                  "%s: unexpected status %s", names[i], llmops_status_str(st));
        if (st == LLMOPS_OK) {
            cr_expect_not_null(llmops_json_doc_root(doc), "%s", names[i]);
            expect_round_trip(llmops_json_doc_root(doc), names[i]);
        } else {
            cr_expect_null(doc);
            cr_expect(err.offset <= len, "%s: error offset past the input", names[i]);
            cr_expect(err.line >= 1 && err.column >= 1, "%s: no position", names[i]);
            cr_expect(err.message[0] != '\0', "%s: empty message", names[i]);
        }
        switch (names[i][0]) {
        case 'y':
            c.y_total++;
            c.y_ok += st == LLMOPS_OK;
            cr_expect_eq(st, LLMOPS_OK, "%s must be accepted: %s at %zu", names[i], err.message,
                         err.offset);
            break;
        case 'n':
            c.n_total++;
            c.n_ok += st != LLMOPS_OK;
            cr_expect_neq(st, LLMOPS_OK, "%s must be rejected", names[i]);
            break;
        default:
            c.i_total++;
            c.i_accepted += st == LLMOPS_OK;
            break;
        }
        llmops_json_doc_free(doc);
        free(data);
    }
    free_list(names);
    cr_log_info("JSONTestSuite: y %d/%d accepted, n %d/%d rejected, i %d handled (%d accepted, "
                "%d rejected)", c.y_ok, c.y_total, c.n_ok, c.n_total, c.i_total, c.i_accepted,
                c.i_total - c.i_accepted);
    cr_expect_eq(c.y_total, 95, "expected 95 y_ files, found %d", c.y_total);
    cr_expect_eq(c.n_total, 188, "expected 188 n_ files, found %d", c.n_total);
    cr_expect_eq(c.i_total, 35, "expected 35 i_ files, found %d", c.i_total);
}

Test(json_suite, test_transform)
{
    const char *dir = lt_testdata_path("json/JSONTestSuite/test_transform");
    if (!dir) {
        cr_skip_test("JSONTestSuite not found under %s (set LLMOPS_TESTDATA)", lt_testdata_dir());
        return;
    }
    size_t n;
    char **names = list_dir(dir, ".json", &n);
    int parsed = 0;
    for (size_t i = 0; i < n; i++) {
        size_t len;
        char *data = read_rel(dir, names[i], &len);
        llmops_json_doc *doc = NULL;
        if (llmops_json_parse(&doc, data, len, NULL, NULL) == LLMOPS_OK) {
            parsed++;
            expect_round_trip(llmops_json_doc_root(doc), names[i]);
        }
        llmops_json_doc_free(doc);
        free(data);
    }
    free_list(names);
    cr_log_info("JSONTestSuite transform: %d/%zu parsed and round-tripped (the rest hold invalid "
                "UTF-8 or lone surrogates, which are rejected)", parsed, n);
    /* Six files carry invalid UTF-8 or lone surrogate escapes. */
    cr_expect_eq(parsed, (int)n - 6);
}

/* A few transform cases whose results are pinned exactly. */
Test(json_suite, transform_values)
{
    const char *dir = lt_testdata_path("json/JSONTestSuite/test_transform");
    if (!dir) {
        cr_skip_test("JSONTestSuite not found under %s (set LLMOPS_TESTDATA)", lt_testdata_dir());
        return;
    }
    static const struct { const char *file, *canonical; } cases[] = {
        { "number_1.0.json", "[1]" },
        { "number_1e-999.json", "[0]" },
        { "number_-9223372036854775808.json", "[-9223372036854775808]" },
        { "number_9223372036854775807.json", "[9223372036854775807]" },
        { "number_10000000000000000999.json", "[10000000000000000000]" },
        { "object_same_key_different_values.json", "{\"a\":2}" },
        { "string_with_escaped_NULL.json", "[\"A\\u0000B\"]" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t len;
        char *data = read_rel(dir, cases[i].file, &len);
        llmops_json_doc *doc = NULL;
        cr_assert_eq(llmops_json_parse(&doc, data, len, NULL, NULL), LLMOPS_OK, "%s",
                     cases[i].file);
        jt_expect_write(llmops_json_doc_root(doc), LLMOPS_JSON_WRITE_CANONICAL, cases[i].canonical);
        llmops_json_doc_free(doc);
        free(data);
    }
}

/* ---- provider payloads -------------------------------------------------- */

static void check_payload(const char *text, size_t len, const char *what, int *count)
{
    llmops_json_doc *doc = NULL;
    llmops_json_error err = LLMOPS_JSON_ERROR_INIT;
    llmops_status st = llmops_json_parse(&doc, text, len, NULL, &err);
    cr_expect_eq(st, LLMOPS_OK, "%s: %s at %u:%u", what, err.message, err.line, err.column);
    if (st == LLMOPS_OK) {
        expect_round_trip(llmops_json_doc_root(doc), what);
        (*count)++;
    }
    llmops_json_doc_free(doc);
}

static void walk_providers(const char *dir, int *docs, int *lines)
{
    DIR *d = opendir(dir);
    cr_assert_not_null(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || strcmp(e->d_name, "licenses") == 0)
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        DIR *sub = opendir(path);
        if (sub) {
            closedir(sub);
            walk_providers(path, docs, lines);
            continue;
        }
        size_t l = strlen(e->d_name);
        int is_json = l > 5 && strcmp(e->d_name + l - 5, ".json") == 0;
        int is_chunks = l > 13 && strcmp(e->d_name + l - 13, ".chunks.jsonl") == 0;
        if (!is_json && !is_chunks)
            continue;
        size_t len;
        char *data = lt_read_file(path, &len);
        cr_assert_not_null(data);
        if (is_json) {
            check_payload(data, len, path, docs);
        } else {
            char *p = data, *end = data + len;
            while (p < end) {
                char *nl = memchr(p, '\n', (size_t)(end - p));
                size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
                if (n)
                    check_payload(p, n, path, lines);
                p += n + 1;
            }
        }
        free(data);
    }
    closedir(d);
}

Test(json_suite, provider_payloads)
{
    const char *dir = lt_testdata_path("providers");
    if (!dir) {
        cr_skip_test("provider recordings not found under %s (set LLMOPS_TESTDATA)",
                     lt_testdata_dir());
        return;
    }
    int docs = 0, lines = 0;
    walk_providers(dir, &docs, &lines);
    cr_log_info("providers: %d JSON bodies and %d stream chunks parsed and round-tripped", docs,
                lines);
    cr_expect_gt(docs, 100);
    cr_expect_gt(lines, 500);
}
