/* Input checks: a call's input against the task's input schema. */
#include <string.h>

#include "ct_test.h"

static const char *input_schema =
    "{\"type\":\"object\",\"required\":[\"question\"],"
    "\"properties\":{\"question\":{\"type\":\"string\",\"maxLength\":10},"
    "\"lang\":{\"enum\":[\"en\",\"de\"]}}}";

Test(contract_input, valid_input_passes)
{
    llmops__schema *s = ct_schema(input_schema);
    llmops_json_doc *in = ct_doc("{\"question\":\"why?\",\"lang\":\"de\"}");
    llmops__contract_result r;
    cr_assert_eq(llmops__input_check(s, llmops_json_doc_root(in), &r), LLMOPS_OK);
    cr_expect(r.ok);
    cr_expect_eq(r.n, 0);
    cr_expect_null(r.json);
    llmops__contract_result_free(&r);
    llmops_json_doc_free(in);
    llmops__schema_free(s);
}

Test(contract_input, every_input_violation_with_its_path)
{
    llmops__schema *s = ct_schema(input_schema);
    llmops_json_doc *in = ct_doc("{\"question\":\"much too long a question\",\"lang\":\"fr\"}");
    llmops__contract_result r;
    cr_assert_eq(llmops__input_check(s, llmops_json_doc_root(in), &r), LLMOPS_OK);
    cr_expect_not(r.ok);
    cr_assert_eq(r.n, 2, "maxLength and enum: %zu", r.n);
    cr_expect_eq(ct_count(&r, "input_schema"), 2);
    int q = 0, l = 0;
    for (size_t i = 0; i < r.n; i++) {
        cr_assert_not_null(r.v[i].path);
        cr_assert_not_null(r.v[i].message);
        q |= strcmp(r.v[i].path, "/question") == 0;
        l |= strcmp(r.v[i].path, "/lang") == 0;
    }
    cr_expect(q && l);
    llmops__contract_result_free(&r);
    llmops_json_doc_free(in);

    in = ct_doc("{\"lang\":\"en\"}");
    cr_assert_eq(llmops__input_check(s, llmops_json_doc_root(in), &r), LLMOPS_OK);
    cr_assert_eq(r.n, 1);
    cr_expect_str_eq(r.v[0].kind, "input_schema");
    cr_expect_str_eq(r.v[0].path, "", "a missing property is reported at its object");
    cr_expect(strstr(r.v[0].message, "question") != NULL, "names it: %s", r.v[0].message);
    llmops__contract_result_free(&r);
    llmops_json_doc_free(in);
    llmops__schema_free(s);
}

Test(contract_input, no_schema_accepts_anything)
{
    llmops_json_doc *in = ct_doc("[1, \"x\"]");
    llmops__contract_result r;
    cr_assert_eq(llmops__input_check(NULL, llmops_json_doc_root(in), &r), LLMOPS_OK);
    cr_expect(r.ok);
    llmops__contract_result_free(&r);
    cr_assert_eq(llmops__input_check(NULL, NULL, &r), LLMOPS_OK);
    cr_expect(r.ok);
    llmops__contract_result_free(&r);
    llmops_json_doc_free(in);
    cr_expect_eq(llmops__input_check(NULL, NULL, NULL), LLMOPS_E_INVALID_ARGUMENT);
}

Test(contract_input, missing_input_is_null)
{
    llmops__schema *s = ct_schema(input_schema);
    llmops__contract_result r;
    cr_assert_eq(llmops__input_check(s, NULL, &r), LLMOPS_OK);
    cr_expect_not(r.ok, "an object schema refuses no input");
    cr_expect_eq(ct_count(&r, "input_schema"), r.n);
    llmops__contract_result_free(&r);
    llmops__schema_free(s);

    s = ct_schema("{\"type\":[\"object\",\"null\"]}");
    cr_assert_eq(llmops__input_check(s, NULL, &r), LLMOPS_OK);
    cr_expect(r.ok, "a schema that allows null accepts no input");
    llmops__contract_result_free(&r);
    llmops__schema_free(s);
}

Test(contract_input, the_re_ask_wording_covers_input_paths)
{
    llmops__schema *s = ct_schema(input_schema);
    llmops_json_doc *in = ct_doc("{\"question\":7}");
    llmops__contract_result r;
    cr_assert_eq(llmops__input_check(s, llmops_json_doc_root(in), &r), LLMOPS_OK);
    cr_assert_eq(r.n, 1);
    ct_spec sp = { .json = 1 };
    llmops__contract *c = ct_make(&sp);
    llmops__buf b = LLMOPS__BUF_INIT;
    cr_assert_eq(llmops__contract_reask_message(c, &r, &b), LLMOPS_OK);
    cr_expect(strstr(b.data, "- at /question: ") != NULL, "%s", b.data);
    llmops__buf_free(&b);
    llmops__contract_free(c);
    llmops__contract_result_free(&r);
    llmops_json_doc_free(in);
    llmops__schema_free(s);
}
