/* The official JSON Schema test suite, draft 2020-12
 * (json-schema-org/JSON-Schema-Test-Suite), read from the shared test data:
 * every required file must pass; optional files are counted and reported. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema_support.h"
#include "testdata.h"

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Run every .json file of `rel` (under the test data dir); prints one line
 * per file and the total. Returns the number of files run. */
static size_t run_dir(const char *rel, int format_assert, st_counts *total)
{
    const char *dir = lt_testdata_path(rel);
    if (!dir)
        return 0;
    char dirpath[4096];
    snprintf(dirpath, sizeof dirpath, "%s", dir);
    DIR *d = opendir(dirpath);
    cr_assert_not_null(d, "cannot open %s", dirpath);
    char *names[256];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < 256) {
        size_t l = strlen(e->d_name);
        if (l > 5 && !strcmp(e->d_name + l - 5, ".json"))
            names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, by_name);
    for (size_t i = 0; i < n; i++) {
        char path[4200];
        snprintf(path, sizeof path, "%s/%s", dirpath, names[i]);
        st_counts c = { 0, 0, 0, 0 };
        cr_assert_eq(st_run_file(path, format_assert, &c), 0, "cannot read or parse %s", path);
        fprintf(stderr, "%-40s %4zu passed %4zu failed%s", names[i], c.passed, c.failed,
                c.compile_errors ? " (some schemas did not compile)" : "");
        if (c.skipped)
            fprintf(stderr, " %zu skipped (no PCRE2 in this build)", c.skipped);
        fputc('\n', stderr);
        total->skipped += c.skipped;
        total->passed += c.passed;
        total->failed += c.failed;
        total->compile_errors += c.compile_errors;
        free(names[i]);
    }
    return n;
}

Test(official, required_draft2020_12)
{
    if (!lt_testdata_path("jsonschema/draft2020-12"))
        cr_skip_test("shared test data jsonschema/draft2020-12 is missing (set LLMOPS_TESTDATA)");
    st_counts total = { 0, 0, 0, 0 };
    size_t files = run_dir("jsonschema/draft2020-12", 0, &total);
    fprintf(stderr, "draft2020-12 required: %zu files, %zu passed, %zu failed, %zu skipped\n",
            files, total.passed, total.failed, total.skipped);
    cr_assert_gt(files, 40, "expected the 46 draft 2020-12 files, found %zu", files);
    cr_assert_gt(total.passed, 1000);
    cr_assert_eq(total.failed, 0, "%zu official test cases failed (listed above)", total.failed);
}

/* Not asserted: optional behaviour. The counts go to the log. */
Test(official, optional_draft2020_12)
{
    if (!lt_testdata_path("jsonschema/draft2020-12/optional"))
        cr_skip_test("shared test data jsonschema/draft2020-12/optional is missing");
    st_counts total = { 0, 0, 0, 0 };
    size_t files = run_dir("jsonschema/draft2020-12/optional", 0, &total);
    fprintf(stderr, "draft2020-12 optional: %zu files, %zu passed, %zu failed\n", files,
            total.passed, total.failed);
    cr_assert_gt(total.passed + total.failed, 0);
}

Test(official, optional_formats_asserted)
{
    if (!lt_testdata_path("jsonschema/draft2020-12/optional/format"))
        cr_skip_test("shared test data jsonschema/draft2020-12/optional/format is missing");
    st_counts total = { 0, 0, 0, 0 };
    size_t files = run_dir("jsonschema/draft2020-12/optional/format", 1, &total);
    fprintf(stderr, "draft2020-12 optional/format (asserted): %zu files, %zu passed, %zu failed\n",
            files, total.passed, total.failed);
    cr_assert_gt(total.passed + total.failed, 0);
}
