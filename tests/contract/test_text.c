/* Text contracts: length in code points, required and forbidden patterns,
 * invalid UTF-8, and every violation reported at once. */
#include <stdlib.h>
#include <string.h>

#include "ct_test.h"

Test(contract_text, anything_goes_without_rules)
{
    ct_spec s = { 0 };
    llmops__contract *c = ct_make(&s);
    llmops__contract_result r;
    ct_check(c, "", &r);
    cr_expect(r.ok);
    cr_expect_null(r.json, "text contracts parse nothing");
    llmops__contract_result_free(&r);
    ct_check(c, "{ not json at all", &r);
    cr_expect(r.ok);
    llmops__contract_result_free(&r);
    cr_expect_not(llmops__contract_is_json(c));
    cr_expect_null(llmops__contract_schema(c));
    llmops__contract_free(c);
}

Test(contract_text, max_length_counts_code_points)
{
    ct_spec s = { .max_length = 5 };
    llmops__contract *c = ct_make(&s);
    llmops__contract_result r;
    /* Five code points in eleven bytes: within the limit. */
    ct_check(c, "h\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80o", &r);
    cr_expect(r.ok, "5 code points must pass a limit of 5");
    llmops__contract_result_free(&r);
    ct_check(c, "hello", &r);
    cr_expect(r.ok);
    llmops__contract_result_free(&r);
    ct_check(c, "hello!", &r);
    cr_expect_not(r.ok);
    cr_assert_eq(r.n, 1);
    cr_expect_str_eq(r.v[0].kind, "max_length");
    cr_expect_null(r.v[0].path);
    cr_expect(strstr(r.v[0].message, "6 characters") != NULL, "message: %s", r.v[0].message);
    cr_expect(strstr(r.v[0].message, "limit of 5") != NULL, "message: %s", r.v[0].message);
    llmops__contract_result_free(&r);
    ct_check(c, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", &r);
    cr_expect_eq(ct_count(&r, "max_length"), 1, "six two-byte characters exceed 5");
    llmops__contract_result_free(&r);
    llmops__contract_free(c);
}

Test(contract_text, required_patterns)
{
    CT_NEED_PCRE2();
    const char *req[] = { "^Answer:", "\\d{3}" };
    ct_spec s = { .required = req, .nrequired = 2 };
    llmops__contract *c = ct_make(&s);
    llmops__contract_result r;
    ct_check(c, "Answer: code 404", &r);
    cr_expect(r.ok);
    llmops__contract_result_free(&r);
    ct_check(c, "Answer: no digits", &r);
    cr_assert_eq(r.n, 1);
    cr_expect_str_eq(r.v[0].kind, "required_pattern");
    cr_expect(strstr(r.v[0].message, "\\\\d{3}") != NULL, "names the pattern: %s",
              r.v[0].message);
    llmops__contract_result_free(&r);
    ct_check(c, "nothing", &r);
    cr_expect_eq(ct_count(&r, "required_pattern"), 2, "both missing patterns reported");
    cr_expect(strstr(ct_find(&r, "required_pattern", 0)->message, "^Answer:") != NULL);
    llmops__contract_result_free(&r);
    llmops__contract_free(c);
}

Test(contract_text, forbidden_patterns_report_where)
{
    CT_NEED_PCRE2();
    const char *forb[] = { "(?i)as an ai", "password" };
    ct_spec s = { .forbidden = forb, .nforbidden = 2 };
    llmops__contract *c = ct_make(&s);
    llmops__contract_result r;
    ct_check(c, "Here is the answer.", &r);
    cr_expect(r.ok);
    llmops__contract_result_free(&r);
    /* The match starts at character 4 after a two-byte character. */
    ct_check(c, "\xc3\xa9h, As An AI I cannot", &r);
    cr_assert_eq(r.n, 1);
    cr_expect_str_eq(r.v[0].kind, "forbidden_pattern");
    cr_expect(strstr(r.v[0].message, "at character 5") != NULL, "message: %s", r.v[0].message);
    cr_expect(strstr(r.v[0].message, "\"As An AI\"") != NULL, "quotes the match: %s",
              r.v[0].message);
    llmops__contract_result_free(&r);
    ct_check(c, "as an ai, my password is", &r);
    cr_expect_eq(ct_count(&r, "forbidden_pattern"), 2);
    llmops__contract_result_free(&r);
    llmops__contract_free(c);
}

Test(contract_text, patterns_are_unicode_aware)
{
    CT_NEED_PCRE2();
    /* With UTF and Unicode properties, . is one character and \w a letter. */
    const char *req[] = { "^.{3}$", "^\\w+$" };
    ct_spec s = { .required = req, .nrequired = 2 };
    llmops__contract *c = ct_make(&s);
    llmops__contract_result r;
    ct_check(c, "\xc3\xa9t\xc3\xa9", &r); /* "été" */
    cr_expect(r.ok, "three letters, %zu violations: %s", r.n, r.n ? r.v[0].message : "");
    llmops__contract_result_free(&r);
    llmops__contract_free(c);
}

Test(contract_text, every_violation_at_once)
{
    CT_NEED_PCRE2();
    const char *req[] = { "^Answer:" };
    const char *forb[] = { "sorry", "\\bTODO\\b" };
    ct_spec s = { .max_length = 10, .required = req, .nrequired = 1, .forbidden = forb,
                  .nforbidden = 2 };
    llmops__contract *c = ct_make(&s);
    llmops__contract_result r;
    ct_check(c, "sorry, TODO later", &r);
    cr_expect_not(r.ok);
    cr_expect_eq(r.n, 4, "length, one required and two forbidden: got %zu", r.n);
    cr_expect_eq(ct_count(&r, "max_length"), 1);
    cr_expect_eq(ct_count(&r, "required_pattern"), 1);
    cr_expect_eq(ct_count(&r, "forbidden_pattern"), 2);
    llmops__contract_result_free(&r);
    llmops__contract_free(c);
}

Test(contract_text, invalid_utf8_is_a_violation)
{
    CT_NEED_PCRE2();
    const char *forb[] = { "secret" };
    ct_spec s = { .max_length = 100, .forbidden = forb, .nforbidden = 1 };
    llmops__contract *c = ct_make(&s);
    llmops__contract_result r;
    ct_check(c, "abc \xff secret", &r);
    cr_expect_not(r.ok, "patterns cannot vouch for bytes that are not text");
    const llmops__violation *v = ct_find(&r, "invalid_utf8", 0);
    cr_assert_not_null(v);
    cr_expect(strstr(v->message, "byte 4") != NULL, "message: %s", v->message);
    cr_expect(strstr(v->message, "could not be checked") != NULL, "message: %s", v->message);
    llmops__contract_result_free(&r);
    /* An overlong encoding and a UTF-8 encoded surrogate are not UTF-8 either. */
    ct_check(c, "\xc0\xaf", &r);
    cr_expect_eq(ct_count(&r, "invalid_utf8"), 1);
    llmops__contract_result_free(&r);
    ct_check(c, "\xed\xa0\x80", &r);
    cr_expect_eq(ct_count(&r, "invalid_utf8"), 1);
    llmops__contract_result_free(&r);
    llmops__contract_free(c);
}

Test(contract_text, text_with_nul_bytes)
{
    CT_NEED_PCRE2();
    const char *forb[] = { "b" };
    ct_spec s = { .forbidden = forb, .nforbidden = 1 };
    llmops__contract *c = ct_make(&s);
    llmops__contract_result r;
    /* The whole length counts, not the C string. */
    cr_assert_eq(llmops__contract_check(c, "a\0b", 3, &r), LLMOPS_OK);
    cr_expect_eq(ct_count(&r, "forbidden_pattern"), 1);
    llmops__contract_result_free(&r);
    llmops__contract_free(c);
}

Test(contract_text, runaway_pattern_fails_closed)
{
    CT_NEED_PCRE2();
    /* Catastrophic backtracking hits the match limit: the rule is not
     * silently passed, it is reported as not checkable. */
    const char *forb[] = { "^(a+)+$" };
    ct_spec s = { .forbidden = forb, .nforbidden = 1 };
    llmops__contract *c = ct_make(&s);
    char text[64];
    memset(text, 'a', 40);
    text[40] = 'b';
    text[41] = '\0';
    llmops__contract_result r;
    ct_check(c, text, &r);
    cr_expect_not(r.ok);
    cr_assert_eq(r.n, 1);
    cr_expect_str_eq(r.v[0].kind, "forbidden_pattern");
    cr_expect(strstr(r.v[0].message, "could not be checked") != NULL, "message: %s",
              r.v[0].message);
    cr_expect(strstr(r.v[0].message, "match limit") != NULL, "PCRE2's reason: %s",
              r.v[0].message);
    llmops__contract_result_free(&r);
    llmops__contract_free(c);
}

Test(contract_text, invalid_arguments)
{
    ct_spec s = { 0 };
    llmops__contract *c = ct_make(&s);
    llmops__contract_result r;
    cr_expect_eq(llmops__contract_check(NULL, "x", 1, &r), LLMOPS_E_INVALID_ARGUMENT);
    cr_expect_eq(r.n, 0, "the result is initialised even on bad arguments");
    cr_expect_eq(llmops__contract_check(c, NULL, 1, &r), LLMOPS_E_INVALID_ARGUMENT);
    cr_expect_eq(llmops__contract_check(c, "x", 1, NULL), LLMOPS_E_INVALID_ARGUMENT);
    cr_expect_eq(llmops__contract_check(c, NULL, 0, &r), LLMOPS_OK, "NULL, 0 is empty text");
    cr_expect(r.ok);
    llmops__contract_result_free(&r);
    llmops__contract_result_free(NULL);
    llmops__contract_free(NULL);
    llmops__contract_free(c);
}
