/* Real model answers from the shared provider recordings, held to JSON
 * contracts: native and prompted JSON output pass strict checks, the same
 * value wrapped the way models often wrap it is found by extraction, and a
 * real prose answer is not JSON. */
#include <stdlib.h>
#include <string.h>

#include "ct_test.h"
#include "testdata.h"

/* choices[0].message.<field> of a recorded chat completion, or a skip. */
static char *recorded(const char *rel, const char *field)
{
    const char *path = lt_testdata_path(rel);
    if (!path)
        cr_skip_test("shared test data missing: %s (set LLMOPS_TESTDATA)", rel);
    size_t len = 0;
    char *body = lt_read_file(path, &len);
    cr_assert_not_null(body, "cannot read %s", path);
    llmops_json_doc *doc = NULL;
    cr_assert_eq(llmops_json_parse(&doc, body, len, NULL, NULL), LLMOPS_OK, "%s", path);
    const llmops_json *msg = llmops_json_get(
        llmops_json_at(llmops_json_get(llmops_json_doc_root(doc), "choices"), 0), "message");
    const char *text = llmops_json_string(llmops_json_get(msg, field), NULL);
    cr_assert_not_null(text, "%s has no choices[0].message.%s", path, field);
    char *copy = strdup(text);
    llmops_json_doc_free(doc);
    free(body);
    return copy;
}

static const char *pet_file = "providers/ollama/pydai__test_ollama_cloud_prompted_output__0.json";
static const char *pet_schema =
    "{\"type\":\"object\",\"required\":[\"name\",\"animal\",\"age\"],"
    "\"properties\":{\"name\":{\"type\":\"string\"},\"animal\":{\"type\":\"string\"},"
    "\"age\":{\"type\":\"integer\",\"minimum\":0}},\"additionalProperties\":false}";
static const char *city_file =
    "providers/ollama/pydai__test_ollama_local_native_output_uses_json_schema__0.json";
static const char *city_schema =
    "{\"type\":\"object\",\"required\":[\"city\",\"country\"],"
    "\"properties\":{\"city\":{\"type\":\"string\"},\"country\":{\"type\":\"string\"}}}";

Test(contract_recorded, prompted_and_native_json_output_pass_strict)
{
    struct { const char *file, *schema, *key, *want; } cases[] = {
        { pet_file, pet_schema, "name", "Loki" },
        { city_file, city_schema, "city", "Paris" },
    };
    for (size_t i = 0; i < 2; i++) {
        char *text = recorded(cases[i].file, "content");
        ct_spec s = { .json = 1, .schema = cases[i].schema, .max_length = 200 };
        llmops__contract *c = ct_make(&s);
        llmops__contract_result r;
        ct_check(c, text, &r);
        cr_expect(r.ok, "%s: %zu violations, first %s", cases[i].file, r.n,
                  r.n ? r.v[0].message : "");
        cr_assert_not_null(r.json);
        cr_expect_str_eq(llmops_json_string(llmops_json_get(llmops_json_doc_root(r.json),
                                                             cases[i].key), NULL),
                         cases[i].want);
        llmops__contract_result_free(&r);
        llmops__contract_free(c);
        free(text);
    }
}

Test(contract_recorded, a_stricter_schema_finds_the_real_answer_wanting)
{
    char *text = recorded(pet_file, "content");
    ct_spec s = { .json = 1,
                  .schema = "{\"type\":\"object\",\"required\":[\"name\",\"owner\"],"
                            "\"properties\":{\"age\":{\"type\":\"string\"}}}" };
    llmops__contract *c = ct_make(&s);
    llmops__contract_result r;
    ct_check(c, text, &r);
    cr_expect_eq(ct_count(&r, "schema"), 2, "missing owner and age not a string: %zu", r.n);
    int age = 0;
    for (size_t i = 0; i < r.n; i++)
        age |= strcmp(r.v[i].path, "/age") == 0;
    cr_expect(age, "the integer age is reported at /age");
    llmops__contract_result_free(&r);
    llmops__contract_free(c);
    free(text);
}

Test(contract_recorded, wrapped_real_answers_are_extracted)
{
    char *json = recorded(city_file, "content");
    ct_spec strict = { .json = 1, .schema = city_schema };
    ct_spec extract = { .json = 1, .extract = 1, .schema = city_schema };
    llmops__contract *cs = ct_make(&strict), *ce = ct_make(&extract);
    /* Text before and after the value, the way models wrap JSON. */
    const char *wrappers[][2] = { { "```json\n", "\n```" },
                                  { "Sure! Here is the answer:\n\n", "\n\nLet me know." },
                                  { "Result: ```json ", "```" } };
    for (size_t i = 0; i < 3; i++) {
        size_t n = strlen(wrappers[i][0]) + strlen(json) + strlen(wrappers[i][1]) + 1;
        char *text = malloc(n);
        strcpy(text, wrappers[i][0]);
        strcat(text, json);
        strcat(text, wrappers[i][1]);
        llmops__contract_result r;
        ct_check(ce, text, &r);
        cr_expect(r.ok, "extraction of wrapper %zu: %zu violations", i, r.n);
        cr_expect_eq(r.json_length, strlen(json), "the value's span, wrapper %zu", i);
        cr_expect(r.json_offset < n && strncmp(text + r.json_offset, json, strlen(json)) == 0);
        llmops__contract_result_free(&r);
        ct_check(cs, text, &r);
        cr_expect_eq(r.n, 1, "strict: only the wrapping is wrong, wrapper %zu", i);
        cr_expect_eq(ct_count(&r, "prose_around_json"), 1);
        llmops__contract_result_free(&r);
        free(text);
    }
    llmops__contract_free(cs);
    llmops__contract_free(ce);
    free(json);
}

Test(contract_recorded, real_prose_is_not_json)
{
    /* The model's own reasoning text: quotes, colons, no JSON value. */
    char *prose = recorded(pet_file, "reasoning");
    ct_spec s = { .json = 1, .extract = 1 };
    llmops__contract *c = ct_make(&s);
    llmops__contract_result r;
    ct_check(c, prose, &r);
    cr_assert_eq(r.n, 1);
    cr_expect_str_eq(r.v[0].kind, "not_json");
    llmops__contract_result_free(&r);
    llmops__contract_free(c);
    ct_spec t = { .max_length = 1000 };
    c = ct_make(&t);
    ct_check(c, prose, &r);
    cr_expect(r.ok, "the same prose passes a text contract");
    llmops__contract_result_free(&r);
    llmops__contract_free(c);
    free(prose);
}
