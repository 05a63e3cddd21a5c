/* Builder, deep copy and equality. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "json_test.h"

Test(json_build, builds_a_document)
{
    llmops_json_doc *doc;
    cr_assert_eq(llmops_json_doc_new(&doc), LLMOPS_OK);
    cr_expect_null(llmops_json_doc_root(doc));
    llmops_json *root = llmops_json_new_object(doc);
    llmops_json *msgs = llmops_json_new_array(doc);
    cr_assert_eq(llmops_json_doc_set_root(doc, root), LLMOPS_OK);
    cr_assert_eq(llmops_json_object_set(doc, root, "model", 5,
                                         llmops_json_new_string(doc, "gpt-x", 5)), LLMOPS_OK);
    /* Placed first, filled afterwards: the placed copy sees the members. */
    cr_assert_eq(llmops_json_object_set(doc, root, "messages", 8, msgs), LLMOPS_OK);
    llmops_json *m = llmops_json_new_object(doc);
    cr_assert_eq(llmops_json_array_append(doc, msgs, m), LLMOPS_OK);
    llmops_json_object_set(doc, m, "role", 4, llmops_json_new_string(doc, "user", 4));
    llmops_json_object_set(doc, m, "content", 7, llmops_json_new_string(doc, "hi \"there\"\n", 11));
    llmops_json_object_set(doc, root, "temperature", 11, llmops_json_new_double(doc, 0.7));
    llmops_json_object_set(doc, root, "max_tokens", 10, llmops_json_new_int(doc, -42));
    llmops_json_object_set(doc, root, "stream", 6, llmops_json_new_bool(doc, 0));
    llmops_json_object_set(doc, root, "stop", 4, llmops_json_new_null(doc));
    /* Replacing keeps the member's position. */
    cr_assert_eq(llmops_json_object_set(doc, root, "model", 5,
                                         llmops_json_new_string(doc, "gpt-y", 5)), LLMOPS_OK);
    jt_expect_write(llmops_json_doc_root(doc), 0,
                    "{\"model\":\"gpt-y\",\"messages\":[{\"role\":\"user\",\"content\":"
                    "\"hi \\\"there\\\"\\n\"}],\"temperature\":0.7,\"max_tokens\":-42,"
                    "\"stream\":false,\"stop\":null}");
    cr_expect_eq(llmops_json_size(root), 6);
    cr_expect_eq(llmops_json_size(llmops_json_get(root, "messages")), 1);
    llmops_json_doc_free(doc);
}

Test(json_build, numbers)
{
    llmops_json_doc *doc;
    llmops_json_doc_new(&doc);
    static const struct { double d; const char *text; int is_int; } cases[] = {
        { 0.1, "0.1", 0 }, { 1.0, "1", 1 }, { -2.5, "-2.5", 0 }, { 1e21, "1e+21", 0 },
        { 1e20, "100000000000000000000", 0 }, { 1e-7, "1e-7", 0 }, { 0.000001, "0.000001", 0 },
        { 123456.789, "123456.789", 0 }, { 5e-324, "5e-324", 0 },
        { 1.7976931348623157e308, "1.7976931348623157e+308", 0 }, { -0.0, "-0", 1 },
        { 9007199254740993.0, "9007199254740992", 1 }, { 0.30000000000000004, "0.30000000000000004", 0 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        llmops_json *v = llmops_json_new_double(doc, cases[i].d);
        cr_assert_not_null(v);
        cr_expect_str_eq(llmops_json_number_text(v, NULL), cases[i].text);
        cr_expect_eq(llmops_json_is_int(v), cases[i].is_int, "%s", cases[i].text);
        double back;
        cr_expect_eq(llmops_json_get_double(v, &back), LLMOPS_OK);
        cr_expect(back == cases[i].d && signbit(back) == signbit(cases[i].d), "%s", cases[i].text);
    }
    cr_expect_null(llmops_json_new_double(doc, NAN));
    cr_expect_null(llmops_json_new_double(doc, INFINITY));
    cr_expect_null(llmops_json_new_double(doc, -INFINITY));
    llmops_json *i = llmops_json_new_int(doc, INT64_MIN);
    cr_expect_str_eq(llmops_json_number_text(i, NULL), "-9223372036854775808");
    int64_t back;
    cr_expect_eq(llmops_json_get_int(i, &back), LLMOPS_OK);
    cr_expect_eq(back, INT64_MIN);
    llmops_json_doc_free(doc);
}

Test(json_build, strings)
{
    llmops_json_doc *doc;
    llmops_json_doc_new(&doc);
    size_t len;
    llmops_json *s = llmops_json_new_string(doc, "a\0b", 3);
    cr_assert_not_null(s);
    cr_expect_eq(memcmp(llmops_json_string(s, &len), "a\0b", 4), 0);
    cr_expect_eq(len, 3);
    cr_expect_null(llmops_json_new_string(doc, "\xc0\xaf", 2));
    cr_expect_null(llmops_json_new_string(doc, "\xed\xa0\x80", 3));
    cr_expect_null(llmops_json_new_string(doc, NULL, 1));
    cr_expect_not_null(llmops_json_new_string(doc, NULL, 0));
    cr_expect_null(llmops_json_new_string(NULL, "a", 1));
    /* Multi-byte UTF-8 in values and keys, and a string too big for the
     * small-string pool. */
    const char utf[] = "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80";
    llmops_json *u = llmops_json_new_string(doc, utf, sizeof utf - 1);
    cr_assert_not_null(u);
    cr_expect_str_eq(llmops_json_string(u, NULL), utf);
    llmops_json *obj = llmops_json_new_object(doc);
    cr_expect_eq(llmops_json_object_set(doc, obj, "\xc3\xa9", 2, u), LLMOPS_OK);
    cr_expect_eq(llmops_json_get(obj, "\xc3\xa9"), llmops_json_at(obj, 0));
    size_t big_len = 5000;
    char *big = malloc(big_len);
    memset(big, 'z', big_len);
    llmops_json *b = llmops_json_new_string(doc, big, big_len);
    cr_assert_not_null(b);
    cr_expect_eq(memcmp(llmops_json_string(b, &len), big, big_len), 0);
    cr_expect_eq(len, big_len);
    free(big);
    llmops_json_doc_free(doc);
}

Test(json_build, scalars)
{
    llmops_json_doc *doc;
    llmops_json_doc_new(&doc);
    llmops_json *arr = llmops_json_new_array(doc);
    llmops_json_doc_set_root(doc, arr);
    llmops_json_array_append(doc, arr, llmops_json_new_bool(doc, 1));
    llmops_json_array_append(doc, arr, llmops_json_new_bool(doc, 0));
    llmops_json_array_append(doc, arr, llmops_json_new_null(doc));
    llmops_json_array_append(doc, arr, llmops_json_new_double(doc, 0.0));
    llmops_json_array_append(doc, arr, llmops_json_new_int(doc, 0));
    llmops_json_array_append(doc, arr, llmops_json_new_string(doc, "", 0));
    jt_expect_write(arr, 0, "[true,false,null,0,0,\"\"]");
    int b = 0;
    cr_expect_eq(llmops_json_get_bool(llmops_json_at(arr, 0), &b), LLMOPS_OK);
    cr_expect_eq(b, 1);
    cr_expect_eq(llmops_json_get_bool(llmops_json_at(arr, 2), &b), LLMOPS_E_TYPE);
    cr_expect_str_eq(llmops_json_type_name(llmops_json_type_of(llmops_json_at(arr, 3))), "number");
    cr_expect_str_eq(llmops_json_type_name(LLMOPS_JSON_STRING), "string");
    cr_expect_str_eq(llmops_json_type_name(LLMOPS_JSON_ARRAY), "array");
    cr_expect_str_eq(llmops_json_type_name(LLMOPS_JSON_OBJECT), "object");
    cr_expect_str_eq(llmops_json_type_name(LLMOPS_JSON_NULL), "null");
    cr_expect_str_eq(llmops_json_type_name((llmops_json_type)42), "unknown");
    llmops_json_doc_free(doc);
}

Test(json_build, misuse_is_refused)
{
    llmops_json_doc *doc, *other;
    llmops_json_doc_new(&doc);
    llmops_json_doc_new(&other);
    llmops_json *arr = llmops_json_new_array(doc), *obj = llmops_json_new_object(doc);
    llmops_json *x = llmops_json_new_int(doc, 1), *foreign = llmops_json_new_int(other, 2);
    cr_expect_eq(llmops_json_array_append(doc, arr, foreign), LLMOPS_E_INVALID_ARGUMENT);
    cr_expect_eq(llmops_json_array_append(other, arr, x), LLMOPS_E_INVALID_ARGUMENT);
    cr_expect_eq(llmops_json_doc_set_root(other, arr), LLMOPS_E_INVALID_ARGUMENT);
    cr_expect_eq(llmops_json_array_append(doc, obj, x), LLMOPS_E_TYPE);
    cr_expect_eq(llmops_json_object_set(doc, arr, "k", 1, x), LLMOPS_E_TYPE);
    cr_expect_eq(llmops_json_array_append(doc, x, x), LLMOPS_E_TYPE);
    cr_expect_eq(llmops_json_array_append(doc, arr, NULL), LLMOPS_E_INVALID_ARGUMENT);
    cr_expect_eq(llmops_json_object_set(doc, obj, "\xff", 1, x), LLMOPS_E_INVALID_ARGUMENT);
    cr_expect_eq(llmops_json_object_set(doc, obj, NULL, 2, x), LLMOPS_E_INVALID_ARGUMENT);
    /* Placed once only. */
    cr_expect_eq(llmops_json_array_append(doc, arr, x), LLMOPS_OK);
    cr_expect_eq(llmops_json_array_append(doc, arr, x), LLMOPS_E_INVALID_ARGUMENT);
    cr_expect_eq(llmops_json_object_set(doc, obj, "x", 1, x), LLMOPS_E_INVALID_ARGUMENT);
    /* No cycles: a container inside itself or inside its own descendant. */
    cr_expect_eq(llmops_json_array_append(doc, arr, arr), LLMOPS_E_INVALID_ARGUMENT);
    cr_expect_eq(llmops_json_object_set(doc, obj, "a", 1, arr), LLMOPS_OK);
    llmops_json *inner = llmops_json_new_array(doc);
    cr_expect_eq(llmops_json_array_append(doc, arr, inner), LLMOPS_OK);
    cr_expect_eq(llmops_json_array_append(doc, inner, obj), LLMOPS_E_INVALID_ARGUMENT);
    cr_expect_eq(llmops_json_doc_set_root(doc, obj), LLMOPS_OK);
    cr_expect_eq(llmops_json_doc_set_root(doc, obj), LLMOPS_OK);
    cr_expect_eq(llmops_json_doc_set_root(doc, inner), LLMOPS_E_INVALID_ARGUMENT);
    cr_expect_eq(llmops_json_doc_set_root(doc, NULL), LLMOPS_E_INVALID_ARGUMENT);
    jt_expect_write(llmops_json_doc_root(doc), 0, "{\"a\":[1,[]]}");
    /* Parsed documents are read-only: their empty containers refuse. */
    llmops_json_doc *parsed = jt_parse("[[]]");
    llmops_json *pe = (llmops_json *)llmops_json_at(llmops_json_doc_root(parsed), 0);
    llmops_json *y = llmops_json_new_int(parsed, 1);
    cr_expect_eq(llmops_json_array_append(parsed, pe, y), LLMOPS_E_INVALID_ARGUMENT);
    llmops_json_doc_free(parsed);
    llmops_json_doc_free(doc);
    llmops_json_doc_free(other);
    llmops_json_doc_free(NULL);
}

Test(json_build, large_object_set)
{
    enum { N = 100000 };
    llmops_json_doc *doc;
    llmops_json_doc_new(&doc);
    llmops_json *obj = llmops_json_new_object(doc);
    char key[32];
    for (int k = 0; k < N; k++) {
        int n = snprintf(key, sizeof key, "k%d", k);
        cr_assert_eq(llmops_json_object_set(doc, obj, key, (size_t)n, llmops_json_new_int(doc, k)),
                     LLMOPS_OK);
    }
    for (int k = 0; k < N; k += 3) {
        int n = snprintf(key, sizeof key, "k%d", k);
        llmops_json_object_set(doc, obj, key, (size_t)n, llmops_json_new_int(doc, -k));
    }
    cr_expect_eq(llmops_json_size(obj), N);
    int bad = 0;
    for (int k = 0; k < N; k++) {
        snprintf(key, sizeof key, "k%d", k);
        int64_t v = 0;
        bad += llmops_json_get_int(llmops_json_get(obj, key), &v) != LLMOPS_OK;
        bad += v != (k % 3 ? k : -k);
        bad += strcmp(llmops_json_key_at(obj, (size_t)k, NULL), key) != 0;
    }
    cr_expect_eq(bad, 0);
    cr_expect_null(llmops_json_get(obj, "k100000"));
    llmops_json_doc_free(doc);
}

Test(json_build, deep_nesting_without_recursion)
{
    enum { DEPTH = 200000 };
    llmops_json_doc *doc;
    llmops_json_doc_new(&doc);
    llmops_json *root = llmops_json_new_array(doc), *cur = root;
    llmops_json_doc_set_root(doc, root);
    for (int i = 0; i < DEPTH; i++) {
        llmops_json *next = llmops_json_new_array(doc);
        cr_assert_eq(llmops_json_array_append(doc, cur, next), LLMOPS_OK);
        cur = next;
    }
    char *out = NULL;
    size_t len;
    cr_assert_eq(llmops_json_write(&out, &len, root, 0), LLMOPS_OK);
    cr_expect_eq(len, 2 * (DEPTH + 1));
    llmops_json_doc *copy;
    llmops_json_doc_new(&copy);
    llmops_json *c = llmops_json_copy(copy, root);
    cr_assert_not_null(c);
    cr_expect(llmops_json_equal(root, c));
    llmops_json_parse_options o = LLMOPS_JSON_PARSE_OPTIONS_INIT;
    o.max_depth = DEPTH + 1;
    llmops_json_doc *parsed;
    cr_assert_eq(llmops_json_parse(&parsed, out, len, &o, NULL), LLMOPS_OK);
    cr_expect(llmops_json_equal(root, llmops_json_doc_root(parsed)));
    llmops_free(out);
    llmops_json_doc_free(parsed);
    llmops_json_doc_free(copy);
    llmops_json_doc_free(doc);
}

Test(json_build, copy_is_deep)
{
    llmops_json_doc *src = jt_parse("{\"a\":[1,2.5,\"x\\u00e9\",{\"b\":null,\"c\":true}],"
                                    "\"k0\":0,\"k1\":1,\"k2\":2,\"k3\":3,\"k4\":4,\"k5\":5,"
                                    "\"k6\":6,\"k7\":7,\"k8\":8,\"e\":{},\"f\":[]}");
    llmops_json_doc *dst;
    llmops_json_doc_new(&dst);
    llmops_json *c = llmops_json_copy(dst, llmops_json_doc_root(src));
    cr_assert_not_null(c);
    cr_expect(llmops_json_equal(c, llmops_json_doc_root(src)));
    char *before;
    llmops_json_write(&before, NULL, llmops_json_doc_root(src), 0);
    llmops_json_doc_free(src); /* the copy must not point into the source */
    cr_assert_eq(llmops_json_doc_set_root(dst, c), LLMOPS_OK);
    jt_expect_write(c, 0, before);
    cr_expect_not_null(llmops_json_get(c, "k8"));
    /* A copy is editable, including containers that were empty. */
    llmops_json *f = (llmops_json *)llmops_json_get(c, "f");
    cr_expect_eq(llmops_json_array_append(dst, f, llmops_json_new_int(dst, 9)), LLMOPS_OK);
    cr_expect_eq(llmops_json_size(llmops_json_get(c, "f")), 1);
    cr_expect_eq(llmops_json_object_set(dst, c, "k9", 2, llmops_json_new_null(dst)), LLMOPS_OK);
    cr_expect_eq(llmops_json_size(c), 13);
    cr_expect_null(llmops_json_copy(dst, NULL));
    cr_expect_null(llmops_json_copy(NULL, c));
    llmops_free(before);
    llmops_json_doc_free(dst);
}

Test(json_build, equality)
{
    static const struct { const char *a, *b; int eq; } cases[] = {
        { "1", "1.0", 1 }, { "1", "1e0", 1 }, { "100", "1E2", 1 }, { "0.5", "5e-1", 1 },
        { "-0", "0", 1 }, { "1", "2", 0 }, { "1", "\"1\"", 0 }, { "0.1", "0.10000000000000001", 1 },
        { "9223372036854775807", "9223372036854775806", 0 }, { "1e400", "10e399", 1 },
        { "1e400", "2e400", 0 }, { "1e400", "-1e400", 0 },
        { "{\"a\":1,\"b\":[1,2]}", "{\"b\":[1,2.0],\"a\":1}", 1 },
        { "{\"a\":1,\"b\":[1,2]}", "{\"b\":[2,1],\"a\":1}", 0 },
        { "{\"a\":1}", "{\"a\":1,\"b\":1}", 0 }, { "{\"a\":1}", "{\"b\":1}", 0 },
        { "[]", "{}", 0 }, { "[[]]", "[{}]", 0 }, { "null", "false", 0 }, { "true", "true", 1 },
        { "\"a\\u0000\"", "\"a\"", 0 }, { "\"\\u00e9\"", "\"\xc3\xa9\"", 1 },
        { "{\"k0\":0,\"k1\":1,\"k2\":2,\"k3\":3,\"k4\":4,\"k5\":5,\"k6\":6,\"k7\":7,\"k8\":8,\"k9\":9}",
          "{\"k9\":9,\"k8\":8,\"k7\":7,\"k6\":6,\"k5\":5,\"k4\":4,\"k3\":3,\"k2\":2,\"k1\":1,\"k0\":0}", 1 },
        { "{\"k0\":0,\"k1\":1,\"k2\":2,\"k3\":3,\"k4\":4,\"k5\":5,\"k6\":6,\"k7\":7,\"k8\":8,\"k9\":9}",
          "{\"k9\":9,\"k8\":8,\"k7\":7,\"k6\":6,\"k5\":5,\"k4\":4,\"k3\":3,\"k2\":2,\"k1\":1,\"kX\":0}", 0 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        llmops_json_doc *a = jt_parse(cases[i].a), *b = jt_parse(cases[i].b);
        cr_expect_eq(llmops_json_equal(llmops_json_doc_root(a), llmops_json_doc_root(b)),
                     cases[i].eq, "%s vs %s", cases[i].a, cases[i].b);
        cr_expect_eq(llmops_json_equal(llmops_json_doc_root(b), llmops_json_doc_root(a)),
                     cases[i].eq, "%s vs %s (swapped)", cases[i].a, cases[i].b);
        /* Equal values have identical canonical bytes, and only they do. */
        char *ca, *cb;
        llmops_json_write(&ca, NULL, llmops_json_doc_root(a), LLMOPS_JSON_WRITE_CANONICAL);
        llmops_json_write(&cb, NULL, llmops_json_doc_root(b), LLMOPS_JSON_WRITE_CANONICAL);
        cr_expect_eq(strcmp(ca, cb) == 0, cases[i].eq, "canonical %s vs %s", ca, cb);
        llmops_free(ca);
        llmops_free(cb);
        llmops_json_doc_free(a);
        llmops_json_doc_free(b);
    }
    cr_expect(llmops_json_equal(NULL, NULL));
    llmops_json_doc *d = jt_parse("1");
    cr_expect_not(llmops_json_equal(llmops_json_doc_root(d), NULL));
    llmops_json_doc_free(d);
}
