/* JSON contracts: strict output, prose and fences around the value, schema
 * violations with their paths, several violations at once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ct_test.h"

static const char *person_schema =
    "{\"type\":\"object\",\"required\":[\"name\",\"age\"],"
    "\"properties\":{\"name\":{\"type\":\"string\",\"minLength\":1},"
    "\"age\":{\"type\":\"integer\",\"minimum\":0},"
    "\"tags\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}}},"
    "\"additionalProperties\":false}";

Test(contract_json, strict_whole_value)
{
    ct_spec s = { .json = 1 };
    llmops__contract *c = ct_make(&s);
    cr_expect(llmops__contract_is_json(c));
    llmops__contract_result r;
    ct_check(c, "  \n{\"a\": [1, 2, {\"b\": \"}\"}]}\n\t ", &r);
    cr_expect(r.ok);
    cr_assert_not_null(r.json, "the parsed value is handed back");
    cr_expect_eq(r.json_offset, 3);
    cr_expect_eq(r.json_length, strlen("{\"a\": [1, 2, {\"b\": \"}\"}]}"));
    const llmops_json *a = llmops_json_get(llmops_json_doc_root(r.json), "a");
    cr_expect_eq(llmops_json_size(a), 3);
    llmops__contract_result_free(&r);
    /* Any JSON value is JSON output; the schema decides the type. */
    const char *scalars[] = { "42", "\"text\"", "null", "true", "[]", "-1.5e3" };
    for (size_t i = 0; i < sizeof scalars / sizeof *scalars; i++) {
        ct_check(c, scalars[i], &r);
        cr_expect(r.ok, "%s is one JSON value", scalars[i]);
        cr_expect_not_null(r.json);
        llmops__contract_result_free(&r);
    }
    llmops__contract_free(c);
}

Test(contract_json, caller_may_take_the_document)
{
    ct_spec s = { .json = 1 };
    llmops__contract *c = ct_make(&s);
    llmops__contract_result r;
    ct_check(c, "{\"k\":\"v\"}", &r);
    llmops_json_doc *doc = r.json;
    r.json = NULL;
    llmops__contract_result_free(&r);
    cr_expect_str_eq(llmops_json_string(llmops_json_get(llmops_json_doc_root(doc), "k"), NULL),
                     "v");
    llmops_json_doc_free(doc);
    llmops__contract_free(c);
}

Test(contract_json, not_json_says_where)
{
    ct_spec s = { .json = 1 };
    llmops__contract *c = ct_make(&s);
    llmops__contract_result r;
    ct_check(c, "{\"a\": 1,\n \"b\": }", &r);
    cr_expect_not(r.ok);
    cr_assert_eq(r.n, 1);
    cr_expect_str_eq(r.v[0].kind, "not_json");
    cr_expect_null(r.json);
    cr_expect(strstr(r.v[0].message, "line 2") != NULL, "message: %s", r.v[0].message);
    llmops__contract_result_free(&r);
    ct_check(c, "The answer is 42.", &r);
    cr_assert_eq(r.n, 1);
    cr_expect_str_eq(r.v[0].kind, "not_json");
    llmops__contract_result_free(&r);
    ct_check(c, " \n ", &r);
    cr_assert_eq(r.n, 1);
    cr_expect_str_eq(r.v[0].kind, "not_json");
    cr_expect(strstr(r.v[0].message, "empty") != NULL, "message: %s", r.v[0].message);
    llmops__contract_result_free(&r);
    /* Two values are not one value. */
    ct_check(c, "{} {}", &r);
    cr_expect_not(r.ok);
    llmops__contract_result_free(&r);
    llmops__contract_free(c);
}

Test(contract_json, prose_around_json_is_a_violation_when_strict)
{
    ct_spec s = { .json = 1 };
    llmops__contract *c = ct_make(&s);
    llmops__contract_result r;
    ct_check(c, "Sure! Here it is: {\"a\": 1}", &r);
    cr_assert_eq(r.n, 1);
    cr_expect_str_eq(r.v[0].kind, "prose_around_json");
    cr_expect(strstr(r.v[0].message, "before the JSON") != NULL, "message: %s", r.v[0].message);
    cr_expect_not_null(r.json, "the embedded value is still parsed and returned");
    llmops__contract_result_free(&r);
    ct_check(c, "{\"a\": 1}\nHope this helps.", &r);
    cr_assert_eq(r.n, 1);
    cr_expect(strstr(r.v[0].message, "after the JSON") != NULL, "message: %s", r.v[0].message);
    llmops__contract_result_free(&r);
    ct_check(c, "Here: [1,2] ok?", &r);
    cr_assert_eq(r.n, 1);
    cr_expect(strstr(r.v[0].message, "before and after") != NULL, "message: %s",
              r.v[0].message);
    llmops__contract_result_free(&r);
    ct_check(c, "```json\n{\"a\": 1}\n```", &r);
    cr_assert_eq(r.n, 1);
    cr_expect_str_eq(r.v[0].kind, "prose_around_json");
    cr_expect(strstr(r.v[0].message, "fence") != NULL, "message: %s", r.v[0].message);
    llmops__contract_result_free(&r);
    llmops__contract_free(c);
}

Test(contract_json, extraction_allows_prose)
{
    ct_spec s = { .json = 1, .extract = 1 };
    llmops__contract *c = ct_make(&s);
    llmops__contract_result r;
    const char *text = "Sure! Here it is:\n```json\n{\"a\": 1}\n```\nAnything else?";
    ct_check(c, text, &r);
    cr_expect(r.ok, "%zu violations", r.n);
    cr_assert_not_null(r.json);
    cr_expect_eq(r.json_offset, (size_t)(strstr(text, "{") - text));
    cr_expect_eq(r.json_length, 8);
    llmops__contract_result_free(&r);
    ct_check(c, "no json here at all", &r);
    cr_assert_eq(r.n, 1);
    cr_expect_str_eq(r.v[0].kind, "not_json");
    cr_expect(strstr(r.v[0].message, "no JSON value") != NULL, "message: %s", r.v[0].message);
    llmops__contract_result_free(&r);
    llmops__contract_free(c);
}

Test(contract_json, schema_pass_and_fail_with_paths)
{
    ct_spec s = { .json = 1, .schema = person_schema };
    llmops__contract *c = ct_make(&s);
    cr_expect_not_null(llmops__contract_schema(c));
    llmops__contract_result r;
    ct_check(c, "{\"name\":\"Ada\",\"age\":36,\"tags\":[\"math\"]}", &r);
    cr_expect(r.ok, "%zu violations, first: %s", r.n, r.n ? r.v[0].message : "");
    llmops__contract_result_free(&r);

    ct_check(c, "{\"name\":\"Ada\",\"age\":\"36\"}", &r);
    cr_assert_eq(r.n, 1, "one error, got %zu", r.n);
    cr_expect_str_eq(r.v[0].kind, "schema");
    cr_assert_not_null(r.v[0].path);
    cr_expect_str_eq(r.v[0].path, "/age");
    cr_assert_not_null(r.v[0].schema_path);
    cr_expect(strstr(r.v[0].schema_path, "/properties/age/type") != NULL, "schema path: %s",
              r.v[0].schema_path);
    cr_expect_not_null(r.json, "the value is returned even when it breaks the schema");
    llmops__contract_result_free(&r);

    ct_check(c, "[]", &r);
    cr_assert_geq(r.n, 1);
    cr_expect_str_eq(r.v[0].path, "", "a wrong root type is at the root");
    llmops__contract_result_free(&r);
    llmops__contract_free(c);
}

Test(contract_json, several_schema_errors_all_reported)
{
    ct_spec s = { .json = 1, .schema = person_schema };
    llmops__contract *c = ct_make(&s);
    llmops__contract_result r;
    ct_check(c, "{\"name\":\"\",\"age\":-1,\"tags\":[\"ok\",7],\"extra\":true}", &r);
    cr_expect_not(r.ok);
    cr_expect_eq(ct_count(&r, "schema"), r.n);
    cr_expect_geq(r.n, 4, "minLength, minimum, item type, additionalProperties: got %zu", r.n);
    int name = 0, age = 0, tag = 0;
    for (size_t i = 0; i < r.n; i++) {
        name |= strcmp(r.v[i].path, "/name") == 0;
        age |= strcmp(r.v[i].path, "/age") == 0;
        tag |= strcmp(r.v[i].path, "/tags/1") == 0;
    }
    cr_expect(name && age && tag, "paths /name, /age and /tags/1 all reported");
    llmops__contract_result_free(&r);
    llmops__contract_free(c);
}

Test(contract_json, schema_errors_are_capped)
{
    ct_spec s = { .json = 1, .schema = "{\"type\":\"array\",\"items\":{\"type\":\"string\"}}" };
    llmops__contract *c = ct_make(&s);
    char text[512] = "[";
    for (int i = 0; i < 50; i++)
        strcat(text, i ? ",1" : "1");
    strcat(text, "]");
    llmops__contract_result r;
    ct_check(c, text, &r);
    cr_expect_eq(r.n, LLMOPS__CONTRACT_MAX_SCHEMA_ERRORS);
    cr_expect(r.truncated, "more errors existed than were listed");
    llmops__contract_result_free(&r);
    /* Exactly at the cap is not truncated. */
    strcpy(text, "[");
    for (unsigned i = 0; i < LLMOPS__CONTRACT_MAX_SCHEMA_ERRORS; i++)
        strcat(text, i ? ",1" : "1");
    strcat(text, "]");
    ct_check(c, text, &r);
    cr_expect_eq(r.n, LLMOPS__CONTRACT_MAX_SCHEMA_ERRORS);
    cr_expect_not(r.truncated);
    llmops__contract_result_free(&r);
    llmops__contract_free(c);
}

Test(contract_json, prose_and_schema_and_length_and_patterns_together)
{
    CT_NEED_PCRE2();
    const char *req[] = { "\"summary\"" };
    const char *forb[] = { "(?i)lorem" };
    ct_spec s = { .json = 1,
                  .schema = "{\"type\":\"object\",\"required\":[\"summary\"]}",
                  .max_length = 20,
                  .required = req,
                  .nrequired = 1,
                  .forbidden = forb,
                  .nforbidden = 1 };
    llmops__contract *c = ct_make(&s);
    llmops__contract_result r;
    ct_check(c, "Lorem: {\"title\": \"x\"}", &r);
    cr_expect_eq(ct_count(&r, "prose_around_json"), 1);
    cr_expect_eq(ct_count(&r, "schema"), 1, "the embedded value is still held to the schema");
    cr_expect_eq(ct_count(&r, "max_length"), 1);
    cr_expect_eq(ct_count(&r, "required_pattern"), 1);
    cr_expect_eq(ct_count(&r, "forbidden_pattern"), 1);
    cr_expect_eq(r.n, 5);
    llmops__contract_result_free(&r);
    ct_check(c, "{\"summary\": \"ok\"}", &r);
    cr_expect(r.ok, "%zu violations", r.n);
    llmops__contract_result_free(&r);
    llmops__contract_free(c);
}

Test(contract_json, not_json_with_schema_has_no_schema_errors)
{
    ct_spec s = { .json = 1, .schema = person_schema };
    llmops__contract *c = ct_make(&s);
    llmops__contract_result r;
    ct_check(c, "name: Ada", &r);
    cr_expect_eq(r.n, 1);
    cr_expect_eq(ct_count(&r, "not_json"), 1);
    llmops__contract_result_free(&r);
    llmops__contract_free(c);
}
