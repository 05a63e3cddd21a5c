/* Bounded behaviour: recursion that never consumes the instance, deep
 * instances against recursive schemas, large arrays and objects, and one
 * compiled schema shared by several threads. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "llmops_config.h"
#include "schema_support.h"

static llmops__schema *compile_steps(const char *text, unsigned max_depth,
                                     unsigned long max_steps)
{
    llmops_json_doc *doc = st_parse(text);
    llmops__schema_options o = { .max_depth = max_depth, .max_steps = max_steps };
    llmops__schema *s = NULL;
    llmops__buf err = LLMOPS__BUF_INIT;
    llmops_status st = llmops__schema_compile(&s, llmops_json_doc_root(doc), &o, &err);
    cr_assert_eq(st, LLMOPS_OK, "%s", err.data ? err.data : "");
    llmops__buf_free(&err);
    llmops_json_doc_free(doc);
    return s;
}

static llmops__schema *compile_opts(const char *text, unsigned max_depth)
{
    return compile_steps(text, max_depth, 0);
}

/* [[[...]]] nested `depth` deep, parsed with a parser limit above it. */
static llmops_json_doc *nested_arrays(unsigned depth)
{
    llmops__buf b = LLMOPS__BUF_INIT;
    for (unsigned i = 0; i < depth; i++)
        llmops__buf_putc(&b, '[');
    for (unsigned i = 0; i < depth; i++)
        llmops__buf_putc(&b, ']');
    cr_assert_eq(b.failed, 0);
    llmops_json_parse_options po = LLMOPS_JSON_PARSE_OPTIONS_INIT;
    po.max_depth = depth + 8;
    llmops_json_doc *doc = NULL;
    cr_assert_eq(llmops_json_parse(&doc, b.data, b.len, &po, NULL), LLMOPS_OK);
    llmops__buf_free(&b);
    return doc;
}

Test(limits, reference_cycles_without_progress_hit_the_limit)
{
    const char *cycles[] = {
        "{\"$ref\":\"#\"}",
        ("{\"$defs\":{\"a\":{\"$ref\":\"#/$defs/b\"},\"b\":{\"allOf\":[{\"$ref\":\"#/$defs/a\"}]}},"
         "\"$ref\":\"#/$defs/a\"}"),
        "{\"$dynamicAnchor\":\"x\",\"anyOf\":[{\"$dynamicRef\":\"#x\"}]}",
    };
    for (size_t i = 0; i < sizeof cycles / sizeof cycles[0]; i++) {
        llmops__schema *s = compile_opts(cycles[i], 0);
        llmops_json_doc *inst = st_parse("{\"a\":1}");
        llmops__schema_result r;
        llmops_status st = llmops__schema_validate(s, llmops_json_doc_root(inst), 4, &r);
        cr_expect_eq(st, LLMOPS_E_LIMIT, "schema %zu: got %s", i, llmops_status_str(st));
        cr_expect_eq(r.valid, 0);
        llmops__schema_result_free(&r);
        llmops_json_doc_free(inst);
        llmops__schema_free(s);
    }
}

Test(limits, deep_instances_against_a_recursive_schema)
{
    const char *tree = "{\"type\":\"array\",\"items\":{\"$ref\":\"#\"}}";
    llmops__schema *s = compile_opts(tree, 0);
    llmops__schema_result r;

    llmops_json_doc *shallow = nested_arrays(100);
    cr_assert_eq(llmops__schema_validate(s, llmops_json_doc_root(shallow), 4, &r), LLMOPS_OK);
    cr_assert_eq(r.valid, 1);
    llmops__schema_result_free(&r);
    llmops_json_doc_free(shallow);

    llmops_json_doc *deep = nested_arrays(20000);
    cr_assert_eq(llmops__schema_validate(s, llmops_json_doc_root(deep), 4, &r), LLMOPS_E_LIMIT);
    cr_assert_eq(r.valid, 0);
    llmops__schema_result_free(&r);
    llmops_json_doc_free(deep);
    llmops__schema_free(s);

    /* the caller's own, smaller limit */
    s = compile_opts(tree, 16);
    llmops_json_doc *mid = nested_arrays(40);
    cr_assert_eq(llmops__schema_validate(s, llmops_json_doc_root(mid), 4, &r), LLMOPS_E_LIMIT);
    llmops__schema_result_free(&r);
    llmops_json_doc_free(mid);
    llmops__schema_free(s);
}

Test(limits, deeply_nested_schema_compiles_or_is_refused)
{
    /* {"items":{"items":...{}}} 400 deep: within the parser's and compiler's limits */
    llmops__buf b = LLMOPS__BUF_INIT;
    for (int i = 0; i < 400; i++)
        llmops__buf_puts(&b, "{\"items\":");
    llmops__buf_puts(&b, "{}");
    for (int i = 0; i < 400; i++)
        llmops__buf_putc(&b, '}');
    llmops__schema *s = compile_opts(b.data, 0);
    llmops__schema_free(s);
    llmops__buf_free(&b);
}

Test(limits, large_arrays_and_objects)
{
    /* 50,000 items: uniqueItems must not compare every pair */
    llmops__buf b = LLMOPS__BUF_INIT;
    llmops__buf_putc(&b, '[');
    for (int i = 0; i < 50000; i++)
        llmops__buf_printf(&b, "%s{\"id\":%d,\"v\":[%d,\"s%d\"]}", i ? "," : "", i, i % 7, i);
    llmops__buf_putc(&b, ']');
    llmops_json_doc *arr = st_parse(b.data);
    llmops__schema *s = compile_opts(
        "{\"type\":\"array\",\"uniqueItems\":true,\"items\":{\"type\":\"object\","
        "\"required\":[\"id\"],\"unevaluatedProperties\":false,"
        "\"properties\":{\"id\":{\"type\":\"integer\"},\"v\":{\"type\":\"array\"}}}}",
        0);
    llmops__schema_result r;
    cr_assert_eq(llmops__schema_validate(s, llmops_json_doc_root(arr), 4, &r), LLMOPS_OK);
    cr_assert_eq(r.valid, 1);
    llmops__schema_result_free(&r);
    llmops_json_doc_free(arr);

    /* the same with one duplicate near the end */
    b.len = b.len - 1;
    llmops__buf_puts(&b, ",{\"id\":49990,\"v\":[49990.0,\"s49990\"]}]");
    /* 49990 % 7 == 3, so this differs; then an exact duplicate of item 3 */
    b.len -= 1;
    llmops__buf_puts(&b, ",{\"v\":[3,\"s3\"],\"id\":3}]");
    arr = st_parse(b.data);
    cr_assert_eq(llmops__schema_validate(s, llmops_json_doc_root(arr), 4, &r), LLMOPS_OK);
    cr_assert_eq(r.valid, 0);
    cr_assert_eq(r.nerrors, 1);
    cr_expect_str_eq(r.errors[0].message, "items 3 and 50001 are equal");
    llmops__schema_result_free(&r);
    llmops_json_doc_free(arr);
    llmops__schema_free(s);
    llmops__buf_free(&b);

    if (!LLMOPS_HAVE_PCRE2)
        return; /* the rest needs patternProperties */
    /* 20,000 members against properties, patternProperties and additionalProperties */
    llmops__buf o = LLMOPS__BUF_INIT;
    llmops__buf_putc(&o, '{');
    for (int i = 0; i < 20000; i++)
        llmops__buf_printf(&o, "%s\"%c%d\":%d", i ? "," : "", i % 2 ? 'x' : 'n', i, i);
    llmops__buf_puts(&o, ",\"bad\":1}");
    llmops_json_doc *obj = st_parse(o.data);
    s = compile_opts("{\"properties\":{\"n0\":{\"const\":0}},"
                     "\"patternProperties\":{\"^x[0-9]+$\":{\"type\":\"integer\"},"
                     "\"^n\":{\"minimum\":0}},\"additionalProperties\":false}",
                     0);
    cr_assert_eq(llmops__schema_validate(s, llmops_json_doc_root(obj), 4, &r), LLMOPS_OK);
    cr_assert_eq(r.valid, 0);
    cr_assert_eq(r.nerrors, 1);
    cr_expect_str_eq(r.errors[0].instance_path, "/bad");
    llmops__schema_result_free(&r);
    llmops_json_doc_free(obj);
    llmops__schema_free(s);
    llmops__buf_free(&o);
}

Test(limits, multiplying_applicators_hit_the_step_budget)
{
    /* each level applies the next one 8 times: 8^9 evaluations if unbounded */
    llmops__buf b = LLMOPS__BUF_INIT;
    llmops__buf_puts(&b, "{\"$ref\":\"#/$defs/l0\",\"$defs\":{");
    for (int i = 0; i < 9; i++) {
        llmops__buf_printf(&b, "%s\"l%d\":{\"allOf\":[", i ? "," : "", i);
        for (int k = 0; k < 8; k++)
            llmops__buf_printf(&b, "%s{\"$ref\":\"#/$defs/l%d\"}", k ? "," : "", i + 1);
        llmops__buf_puts(&b, "]}");
    }
    llmops__buf_puts(&b, ",\"l9\":{\"type\":\"integer\"}}}");
    llmops__schema *s = compile_steps(b.data, 0, 100000);
    llmops_json_doc *inst = st_parse("7");
    llmops__schema_result r;
    cr_assert_eq(llmops__schema_validate(s, llmops_json_doc_root(inst), 4, &r), LLMOPS_E_LIMIT);
    cr_assert_eq(r.valid, 0);
    llmops__schema_result_free(&r);
    llmops__schema_free(s);
    /* the same shape three levels deep fits the budget and validates */
    s = compile_steps("{\"allOf\":[{\"$ref\":\"#/$defs/a\"},{\"$ref\":\"#/$defs/a\"}],"
                      "\"$defs\":{\"a\":{\"allOf\":[{\"type\":\"integer\"},{\"minimum\":1}]}}}",
                      0, 100000);
    cr_assert_eq(llmops__schema_validate(s, llmops_json_doc_root(inst), 4, &r), LLMOPS_OK);
    cr_assert_eq(r.valid, 1);
    llmops__schema_result_free(&r);
    llmops__schema_free(s);
    llmops_json_doc_free(inst);
    llmops__buf_free(&b);
}

typedef struct shared {
    const llmops__schema *s;
    const llmops_json *good, *bad;
    int failures;
} shared;

static void *worker(void *arg)
{
    shared *sh = arg;
    for (int i = 0; i < 2000; i++) {
        llmops__schema_result r;
        const llmops_json *inst = i % 2 ? sh->bad : sh->good;
        if (llmops__schema_validate(sh->s, inst, 4, &r) != LLMOPS_OK || r.valid != !(i % 2) ||
            (i % 2 && (r.nerrors != 2 || strcmp(r.errors[0].instance_path, "/name") != 0)))
            __atomic_add_fetch(&sh->failures, 1, __ATOMIC_RELAXED);
        llmops__schema_result_free(&r);
    }
    return NULL;
}

Test(limits, one_schema_many_threads)
{
    llmops__schema *s = compile_opts(
        "{\"$defs\":{\"n\":{\"$dynamicAnchor\":\"n\",\"type\":\"string\",\"minLength\":4}},"
        "\"type\":\"object\",\"properties\":{\"name\":{\"$dynamicRef\":\"#n\"},"
        "\"tags\":{\"items\":{\"enum\":[\"a\",\"b\"]}}},\"unevaluatedProperties\":false}",
        0);
    llmops_json_doc *good = st_parse("{\"name\":\"Grace\",\"tags\":[\"a\",\"b\"]}");
    llmops_json_doc *bad = st_parse("{\"name\":\"Ada\",\"tags\":[\"a\"],\"x\":1}");
    shared sh = { s, llmops_json_doc_root(good), llmops_json_doc_root(bad), 0 };
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        cr_assert_eq(pthread_create(&t[i], NULL, worker, &sh), 0);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    cr_assert_eq(sh.failures, 0);
    llmops_json_doc_free(good);
    llmops_json_doc_free(bad);
    llmops__schema_free(s);
}
