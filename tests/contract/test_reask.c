/* The re-ask message: every problem listed, what to answer instead, and a
 * bounded size however many problems there are. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ct_test.h"
#include "core/alloc.h"

static char *reask(const llmops__contract *c, const llmops__contract_result *r)
{
    llmops__buf b = LLMOPS__BUF_INIT;
    cr_assert_eq(llmops__contract_reask_message(c, r, &b), LLMOPS_OK);
    cr_assert_not_null(b.data);
    cr_expect_leq(b.len, LLMOPS__CONTRACT_REASK_MAX, "message of %zu bytes", b.len);
    char *s = strdup(b.data);
    llmops__buf_free(&b);
    return s;
}

static size_t count_lines_starting(const char *s, const char *prefix)
{
    size_t n = 0, pl = strlen(prefix);
    for (const char *p = s; p; p = strchr(p, '\n')) {
        if (*p == '\n')
            p++;
        n += strncmp(p, prefix, pl) == 0;
        if (!*p)
            break;
    }
    return n;
}

Test(contract_reask, json_object_contract)
{
    CT_NEED_PCRE2();
    const char *forb[] = { "(?i)as an ai" };
    ct_spec s = { .json = 1,
                  .schema = "{\"type\":\"object\",\"required\":[\"answer\"],"
                            "\"properties\":{\"answer\":{\"type\":\"string\"},"
                            "\"score\":{\"type\":\"number\"}}}",
                  .max_length = 40,
                  .forbidden = forb,
                  .nforbidden = 1 };
    llmops__contract *c = ct_make(&s);
    llmops__contract_result r;
    ct_check(c, "As an AI: {\"answer\": 1, \"score\": \"high\"} -- that is all I can say", &r);
    cr_assert_geq(r.n, 5, "prose, two schema errors, length, forbidden: %zu", r.n);
    char *m = reask(c, &r);
    cr_expect(strncmp(m, "Your previous answer", 20) == 0, "opening: %s", m);
    cr_expect(strstr(m, "text before and after the JSON value") != NULL, "prose item: %s", m);
    cr_expect(strstr(m, "- at /answer: ") != NULL, "schema item with path: %s", m);
    cr_expect(strstr(m, "- at /score: ") != NULL, "schema item with path: %s", m);
    cr_expect(strstr(m, "limit of 40") != NULL, "length item: %s", m);
    cr_expect(strstr(m, "\"(?i)as an ai\"") != NULL, "pattern item: %s", m);
    cr_expect(strstr(m, "Answer again with only a JSON object that is valid against the JSON "
                        "Schema below, at most 40 characters long") != NULL,
              "closing: %s", m);
    cr_expect(strstr(m, "\nJSON Schema: {\"type\":\"object\",\"required\":[\"answer\"],") != NULL,
              "a short schema is quoted: %s", m);
    cr_expect(strstr(m, "no code fence") != NULL, "strict JSON forbids fences: %s", m);
    cr_expect_eq(count_lines_starting(m, "- "), r.n, "one item per violation:\n%s", m);
    free(m);
    llmops__contract_result_free(&r);
    llmops__contract_free(c);
}

Test(contract_reask, root_errors_and_extraction_wording)
{
    ct_spec s = { .json = 1, .extract = 1, .schema = "{\"type\":\"array\"}" };
    llmops__contract *c = ct_make(&s);
    llmops__contract_result r;
    ct_check(c, "{\"a\":1}", &r);
    cr_assert_eq(r.n, 1);
    char *m = reask(c, &r);
    cr_expect(strstr(m, "- at the top level: ") != NULL, "root path wording: %s", m);
    cr_expect(strstr(m, "only a JSON array") != NULL, "noun from the schema type: %s", m);
    cr_expect(strstr(m, "code fence") == NULL, "fences are allowed when extracting: %s", m);
    free(m);
    llmops__contract_result_free(&r);
    llmops__contract_free(c);
}

Test(contract_reask, not_json_without_schema)
{
    ct_spec s = { .json = 1 };
    llmops__contract *c = ct_make(&s);
    llmops__contract_result r;
    ct_check(c, "hello", &r);
    char *m = reask(c, &r);
    cr_expect(strstr(m, "- the answer is not JSON") != NULL, "item: %s", m);
    cr_expect(strstr(m, "Answer again with only a JSON value, fixing every problem") != NULL,
              "closing: %s", m);
    free(m);
    llmops__contract_result_free(&r);
    llmops__contract_free(c);
}

Test(contract_reask, text_contract)
{
    CT_NEED_PCRE2();
    const char *req[] = { "^Answer:" };
    ct_spec s = { .max_length = 8, .required = req, .nrequired = 1 };
    llmops__contract *c = ct_make(&s);
    llmops__contract_result r;
    ct_check(c, "I think the answer\nis yes", &r);
    cr_assert_eq(r.n, 2);
    char *m = reask(c, &r);
    cr_expect(strstr(m, "must match the pattern \"^Answer:\"") != NULL, "item: %s", m);
    cr_expect(strstr(m, "Answer again, fixing every problem listed above, in at most 8 "
                        "characters.") != NULL, "closing: %s", m);
    cr_expect(strstr(m, "JSON") == NULL, "no JSON wording for text: %s", m);
    free(m);
    llmops__contract_result_free(&r);
    llmops__contract_free(c);
}

Test(contract_reask, items_stay_on_one_line_and_are_shortened)
{
    ct_spec s = { .json = 1 };
    llmops__contract *c = ct_make(&s);
    llmops__contract_result r = { 0 };
    llmops__violation v = { 0 };
    v.kind = "schema";
    v.path = "/a\nb";
    char *long_msg = malloc(3000);
    memset(long_msg, 'x', 2999);
    long_msg[2999] = '\0';
    long_msg[10] = '\n';
    v.message = long_msg;
    r.v = &v;
    r.n = 1;
    char *m = reask(c, &r);
    cr_expect_eq(count_lines_starting(m, "- "), 1);
    cr_expect(strstr(m, "- at /a b: xxxxxxxxxx xxx") != NULL, "newlines become spaces: %s", m);
    cr_expect(strstr(m, "x...\n") != NULL, "a long item is cut with ...: %.200s", m);
    cr_expect_lt(strlen(m), 1200, "one item is bounded: %zu bytes", strlen(m));
    free(m);
    free(long_msg);
    llmops__contract_free(c);
}

Test(contract_reask, bounded_with_many_violations)
{
    ct_spec s = { .json = 1, .schema = "{\"type\":\"object\"}" };
    llmops__contract *c = ct_make(&s);
    enum { N = 400 };
    llmops__violation *v = calloc(N, sizeof *v);
    char msgs[N][64];
    for (int i = 0; i < N; i++) {
        snprintf(msgs[i], sizeof msgs[i], "problem number %d is described here in words", i);
        v[i].kind = "forbidden_pattern";
        v[i].message = msgs[i];
    }
    llmops__contract_result r = { 0 };
    r.v = v;
    r.n = N;
    char *m = reask(c, &r);
    cr_expect_gt(strlen(m), LLMOPS__CONTRACT_REASK_MAX / 2, "the room is used");
    size_t shown = count_lines_starting(m, "- problem number");
    cr_expect_gt(shown, 10);
    cr_expect_lt(shown, N);
    char more[64];
    snprintf(more, sizeof more, "- and %zu more problems not listed here\n", N - shown);
    cr_expect(strstr(m, more) != NULL, "counts the rest (%s): %s", more, m + strlen(m) - 300);
    cr_expect(strstr(m, "Answer again with only a JSON object") != NULL,
              "the closing survives the cut");
    free(m);
    free(v);
    llmops__contract_free(c);
}

Test(contract_reask, truncated_schema_errors_are_mentioned)
{
    ct_spec s = { .json = 1, .schema = "{\"items\":{\"type\":\"string\"}}" };
    llmops__contract *c = ct_make(&s);
    char text[256] = "[";
    for (int i = 0; i < 30; i++)
        strcat(text, i ? ",0" : "0");
    strcat(text, "]");
    llmops__contract_result r;
    ct_check(c, text, &r);
    cr_assert(r.truncated);
    char *m = reask(c, &r);
    cr_expect(strstr(m, "- at /0: ") != NULL, "%s", m);
    cr_expect(strstr(m, "more schema errors not listed") != NULL, "%s", m);
    free(m);
    llmops__contract_result_free(&r);
    llmops__contract_free(c);
}

Test(contract_reask, appends_and_rejects_empty_results)
{
    ct_spec s = { .json = 1 };
    llmops__contract *c = ct_make(&s);
    llmops__contract_result r;
    ct_check(c, "{}", &r);
    llmops__buf b = LLMOPS__BUF_INIT;
    cr_expect_eq(llmops__contract_reask_message(c, &r, &b), LLMOPS_E_INVALID_ARGUMENT,
                 "nothing to re-ask about");
    llmops__contract_result_free(&r);
    ct_check(c, "nope", &r);
    llmops__buf_puts(&b, "PREFIX|");
    cr_assert_eq(llmops__contract_reask_message(c, &r, &b), LLMOPS_OK);
    cr_expect(strncmp(b.data, "PREFIX|Your previous answer", 27) == 0, "appends: %s", b.data);
    llmops__buf_free(&b);
    llmops__contract_result_free(&r);
    llmops__contract_free(c);
}

Test(contract_reask, long_schemas_are_not_quoted)
{
    /* A schema beyond LLMOPS__CONTRACT_REASK_SCHEMA_MAX compact bytes. */
    char schema[4096] = "{\"type\":\"object\",\"required\":[\"p0\"],\"properties\":{";
    for (int i = 0; i < 60; i++) {
        char prop[64];
        snprintf(prop, sizeof prop, "%s\"p%d\":{\"type\":\"string\"}", i ? "," : "", i);
        strcat(schema, prop);
    }
    strcat(schema, "}}");
    cr_assert_gt(strlen(schema), LLMOPS__CONTRACT_REASK_SCHEMA_MAX);
    ct_spec s = { .json = 1, .schema = schema };
    llmops__contract *c = ct_make(&s);
    llmops__contract_result r;
    ct_check(c, "{\"p1\": 1}", &r);
    cr_assert_eq(r.n, 2);
    char *m = reask(c, &r);
    cr_expect(strstr(m, "valid against the JSON Schema you were given") != NULL, "%s", m);
    cr_expect(strstr(m, "JSON Schema: ") == NULL, "%s", m);
    free(m);
    llmops__contract_result_free(&r);
    llmops__contract_free(c);
}

Test(contract_reask, one_line_summary)
{
    const char *forb[] = { "x" };
    ct_spec s = { .json = 1, .schema = "{\"type\":\"object\",\"required\":[\"a\"]}",
                  .forbidden = forb, .nforbidden = LLMOPS_HAVE_PCRE2 ? 1 : 0 };
    llmops__contract *c = ct_make(&s);
    llmops__contract_result r;
    ct_check(c, "{\"x\": 1}", &r);
    llmops__buf b = LLMOPS__BUF_INIT;
    cr_assert_eq(llmops__contract_summary(&r, &b), LLMOPS_OK);
    cr_expect(strchr(b.data, '\n') == NULL, "one line: %s", b.data);
    if (LLMOPS_HAVE_PCRE2)
        cr_expect(strncmp(b.data, "2 contract violations: schema at the top level: ", 48) == 0 &&
                      strstr(b.data, "; forbidden_pattern: the answer must not match") != NULL,
                  "%s", b.data);
    else
        cr_expect(strncmp(b.data, "1 contract violation: schema at the top level: ", 47) == 0,
                  "%s", b.data);
    llmops__buf_free(&b);
    llmops__contract_result_free(&r);
    ct_check(c, "{\"a\": 1}", &r);
    cr_assert_eq(llmops__contract_summary(&r, &b), LLMOPS_OK);
    cr_expect_str_eq(b.data, "no contract violations");
    llmops__buf_free(&b);
    llmops__contract_result_free(&r);
    cr_expect_eq(llmops__contract_summary(NULL, &b), LLMOPS_E_INVALID_ARGUMENT);
    llmops__contract_free(c);
}

Test(contract_reask, summary_is_bounded)
{
    enum { N = 300 };
    llmops__violation *v = calloc(N, sizeof *v);
    char *long_msg = malloc(2000);
    memset(long_msg, 'y', 1999);
    long_msg[1999] = '\0';
    for (int i = 0; i < N; i++) {
        v[i].kind = "schema";
        v[i].path = "/items/3";
        v[i].message = i == 0 ? long_msg : "expected string, got number";
    }
    llmops__contract_result r = { 0 };
    r.v = v;
    r.n = N;
    llmops__buf b = LLMOPS__BUF_INIT;
    cr_assert_eq(llmops__contract_summary(&r, &b), LLMOPS_OK);
    cr_expect_leq(b.len, LLMOPS__CONTRACT_SUMMARY_MAX, "%zu bytes", b.len);
    cr_expect(strncmp(b.data, "300 contract violations: schema at /items/3: yyy", 48) == 0,
              "%.80s", b.data);
    cr_expect(strstr(b.data, "y...; schema at /items/3: expected string") != NULL,
              "a long item is cut: %.400s", b.data);
    const char *more = strstr(b.data, "; and ");
    cr_assert_not_null(more, "the rest is counted: %s", b.data);
    cr_expect(strstr(more, " more") != NULL && more[strlen(more) - 1] == 'e', "%s", more);
    llmops__buf_free(&b);
    free(long_msg);
    free(v);
}
