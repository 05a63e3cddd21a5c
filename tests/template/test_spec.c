/* The official Mustache spec ($LLMOPS_TESTDATA/mustache, every .json file) in spec mode. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>

#include "testdata.h"
#include "tmpl_test.h"

typedef struct counts {
    int passed, failed, skipped;
} counts;

/* Lambdas are code in the data; a JSON context cannot hold them. */
static int needs_lambda(const llmops_json *v)
{
    if (llmops_json_type_of(v) == LLMOPS_JSON_OBJECT) {
        if (llmops_json_get(v, "__tag__") || llmops_json_get(v, "lambda"))
            return 1;
        for (size_t i = 0; i < llmops_json_size(v); i++) {
            if (needs_lambda(llmops_json_at(v, i)))
                return 1;
        }
    } else if (llmops_json_type_of(v) == LLMOPS_JSON_ARRAY) {
        for (size_t i = 0; i < llmops_json_size(v); i++) {
            if (needs_lambda(llmops_json_at(v, i)))
                return 1;
        }
    }
    return 0;
}

static counts run_file(const char *file, int lambdas)
{
    counts c = { 0, 0, 0 };
    const char *path = lt_testdata_path(file);
    cr_assert(path, "%s missing", file);
    size_t len = 0;
    char *text = lt_read_file(path, &len);
    cr_assert(text, "cannot read %s", path);
    llmops_json_doc *doc = NULL;
    cr_assert_eq(llmops_json_parse(&doc, text, len, NULL, NULL), LLMOPS_OK, "%s", path);
    const llmops_json *tests = llmops_json_get(llmops_json_doc_root(doc), "tests");
    cr_assert(llmops_json_size(tests) > 0, "%s has no tests", file);
    for (size_t i = 0; i < llmops_json_size(tests); i++) {
        const llmops_json *tc = llmops_json_at(tests, i);
        const char *name = llmops_json_string(llmops_json_get(tc, "name"), NULL);
        const llmops_json *data = llmops_json_get(tc, "data");
        if (lambdas || needs_lambda(data)) {
            c.skipped++;
            continue;
        }
        size_t tlen = 0, elen = 0;
        const char *tmpl = llmops_json_string(llmops_json_get(tc, "template"), &tlen);
        const char *expected = llmops_json_string(llmops_json_get(tc, "expected"), &elen);
        cr_assert(tmpl && expected, "%s: test %zu lacks template or expected", file, i);
        const llmops_json *partials = llmops_json_get(tc, "partials");
        llmops__tmpl *t = NULL;
        llmops__tmpl_error err;
        llmops_status st = llmops__tmpl_compile(&t, tmpl, tlen, &err);
        llmops__buf out = LLMOPS__BUF_INIT;
        if (st == LLMOPS_OK)
            st = llmops__tmpl_render(t, data, LLMOPS__TMPL_SPEC, tt_partials, (void *)partials,
                                     &out, &err);
        int ok = st == LLMOPS_OK && out.len == elen && memcmp(out.data ? out.data : "", expected, elen) == 0;
        if (ok) {
            c.passed++;
        } else {
            c.failed++;
            printf("FAIL %s / %s: status %s%s%s\n  got      [%.*s]\n  expected [%s]\n", file,
                   name ? name : "?", llmops_status_str(st), st ? " " : "", st ? err.message : "",
                   (int)out.len, out.data ? out.data : "", expected);
        }
        llmops__buf_free(&out);
        llmops__tmpl_free(t);
    }
    printf("mustache spec %-22s passed %3d  failed %d  skipped %d\n", file + 9, c.passed,
           c.failed, c.skipped);
    fflush(stdout);
    llmops_json_doc_free(doc);
    free(text);
    return c;
}

static void require_data(void)
{
    if (!lt_testdata_path("mustache/interpolation.json"))
        cr_skip_test("Mustache spec data not found under %s/mustache (set LLMOPS_TESTDATA)",
                     lt_testdata_dir());
}

#define SPEC_TEST(id, file)                                  \
    Test(template_spec, id)                                  \
    {                                                        \
        require_data();                                      \
        counts c = run_file("mustache/" file, 0);            \
        cr_expect_eq(c.failed, 0, "%d failures in %s", c.failed, file); \
        cr_expect_gt(c.passed, 0);                           \
    }

SPEC_TEST(comments, "comments.json")
SPEC_TEST(delimiters, "delimiters.json")
SPEC_TEST(interpolation, "interpolation.json")
SPEC_TEST(inverted, "inverted.json")
SPEC_TEST(partials, "partials.json")
SPEC_TEST(sections, "sections.json")
SPEC_TEST(inheritance, "~inheritance.json")
SPEC_TEST(dynamic_names, "~dynamic-names.json")

/* Every file in the folder, including modules this suite does not name:
 * lambdas are counted as skipped, anything else must pass. */
Test(template_spec, every_file)
{
    require_data();
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/mustache", lt_testdata_dir());
    DIR *d = opendir(dir);
    cr_assert(d, "cannot open %s", dir);
    counts total = { 0, 0, 0 };
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t n = strlen(de->d_name);
        if (n < 6 || strcmp(de->d_name + n - 5, ".json") != 0)
            continue;
        char rel[512];
        snprintf(rel, sizeof rel, "mustache/%s", de->d_name);
        counts c = run_file(rel, strstr(de->d_name, "lambdas") != NULL);
        total.passed += c.passed;
        total.failed += c.failed;
        total.skipped += c.skipped;
    }
    closedir(d);
    printf("mustache spec total                  passed %3d  failed %d  skipped %d\n",
           total.passed, total.failed, total.skipped);
    cr_expect_eq(total.failed, 0);
    cr_expect_gt(total.passed, 150);
}
