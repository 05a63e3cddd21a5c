/* Specs that cannot become contracts are refused, saying which part and why. */
#include <stdlib.h>
#include <string.h>

#include "ct_test.h"
#include "llmops_config.h"

#if LLMOPS_HAVE_PCRE2
Test(contract_spec, bad_required_pattern_says_which_and_where)
{
    const char *req[] = { "^ok$", "(abc" };
    ct_spec s = { .required = req, .nrequired = 2 };
    char *msg;
    cr_expect_eq(ct_make_fail(&s, &msg), LLMOPS_E_PARSE);
    cr_expect(strstr(msg, "required pattern 1") != NULL, "which: %s", msg);
    cr_expect(strstr(msg, "\"(abc\"") != NULL, "the pattern: %s", msg);
    cr_expect(strstr(msg, "at offset 4") != NULL, "where: %s", msg);
    cr_expect(strstr(msg, "parenthesis") != NULL, "why: %s", msg);
    free(msg);
}

Test(contract_spec, bad_forbidden_pattern_says_which_and_where)
{
    const char *req[] = { "fine" };
    const char *forb[] = { "ok", "also ok", "a{2,1}" };
    ct_spec s = { .required = req, .nrequired = 1, .forbidden = forb, .nforbidden = 3 };
    char *msg;
    cr_expect_eq(ct_make_fail(&s, &msg), LLMOPS_E_PARSE);
    cr_expect(strstr(msg, "forbidden pattern 2") != NULL, "which: %s", msg);
    cr_expect(strstr(msg, "offset") != NULL, "where: %s", msg);
    free(msg);
}

Test(contract_spec, pattern_that_is_not_utf8)
{
    const char *forb[] = { "caf\xe9" };
    ct_spec s = { .forbidden = forb, .nforbidden = 1 };
    char *msg;
    cr_expect_eq(ct_make_fail(&s, &msg), LLMOPS_E_PARSE);
    cr_expect(strstr(msg, "forbidden pattern 0") != NULL, "%s", msg);
    cr_expect(strstr(msg, "\"caf\\xe9\"") != NULL, "the bad byte is shown escaped: %s", msg);
    cr_expect(strstr(msg, "UTF-8") != NULL, "why: %s", msg);
    free(msg);
}
#else
Test(contract_spec, patterns_need_pcre2)
{
    const char *forb[] = { "secret" };
    ct_spec s = { .forbidden = forb, .nforbidden = 1 };
    char *msg;
    cr_expect_eq(ct_make_fail(&s, &msg), LLMOPS_E_UNSUPPORTED);
    cr_expect(strstr(msg, "\"secret\"") != NULL, "names the pattern: %s", msg);
    free(msg);
}
#endif

Test(contract_spec, bad_schema)
{
    ct_spec s = { .json = 1, .schema = "{\"type\":\"objekt\"}" };
    char *msg;
    cr_expect_eq(ct_make_fail(&s, &msg), LLMOPS_E_SCHEMA);
    cr_expect(strncmp(msg, "output schema: ", 15) == 0, "says which schema: %s", msg);
    cr_expect_gt(strlen(msg), 15, "and why: %s", msg);
    free(msg);
    ct_spec s2 = { .json = 1, .schema = "{\"properties\":{\"a\":{\"minimum\":\"zero\"}}}" };
    cr_expect_eq(ct_make_fail(&s2, &msg), LLMOPS_E_SCHEMA);
    cr_expect(strstr(msg, "minimum") != NULL, "where: %s", msg);
    free(msg);
}

Test(contract_spec, schema_or_extraction_on_text_output)
{
    ct_spec s = { .json = 0, .schema = "{\"type\":\"object\"}" };
    char *msg;
    cr_expect_eq(ct_make_fail(&s, &msg), LLMOPS_E_INVALID_ARGUMENT);
    cr_expect(strstr(msg, "schema needs JSON output") != NULL, "%s", msg);
    free(msg);
    ct_spec s2 = { .json = 0, .extract = 1 };
    cr_expect_eq(ct_make_fail(&s2, &msg), LLMOPS_E_INVALID_ARGUMENT);
    cr_expect(strstr(msg, "extract_json") != NULL, "%s", msg);
    free(msg);
}

Test(contract_spec, null_patterns)
{
    const char *req[] = { "a", NULL };
    ct_spec s = { .required = req, .nrequired = 2 };
    char *msg;
    cr_expect_eq(ct_make_fail(&s, &msg), LLMOPS_E_INVALID_ARGUMENT);
    cr_expect(strstr(msg, "required pattern 1 is NULL") != NULL, "%s", msg);
    free(msg);
    ct_spec s2 = { .forbidden = NULL, .nforbidden = 3 };
    cr_expect_eq(ct_make_fail(&s2, &msg), LLMOPS_E_INVALID_ARGUMENT);
    cr_expect(strstr(msg, "3 forbidden patterns") != NULL, "%s", msg);
    free(msg);
}

Test(contract_spec, null_arguments)
{
    llmops__contract *c = (llmops__contract *)1;
    llmops__contract_spec spec = { 0 };
    cr_expect_eq(llmops__contract_new(&c, NULL, NULL), LLMOPS_E_INVALID_ARGUMENT);
    cr_expect_null(c);
    cr_expect_eq(llmops__contract_new(NULL, &spec, NULL), LLMOPS_E_INVALID_ARGUMENT);
}

Test(contract_spec, boolean_schemas)
{
    ct_spec s = { .json = 1, .schema = "true" };
    llmops__contract *c = ct_make(&s);
    llmops__contract_result r;
    ct_check(c, "[1]", &r);
    cr_expect(r.ok);
    llmops__contract_result_free(&r);
    llmops__contract_free(c);
    ct_spec f = { .json = 1, .schema = "false" };
    c = ct_make(&f);
    ct_check(c, "[1]", &r);
    cr_expect_eq(ct_count(&r, "schema"), 1, "false refuses everything");
    llmops__contract_result_free(&r);
    llmops__contract_free(c);
}
