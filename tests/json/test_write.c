/* Writer: compact, pretty, canonical and ASCII output, escaping. */
#include <stdio.h>
#include <stdlib.h>

#include "json_test.h"

static void expect_form(const char *input, unsigned flags, const char *expected)
{
    llmops_json_doc *doc = jt_parse(input);
    jt_expect_write(llmops_json_doc_root(doc), flags, expected);
    llmops_json_doc_free(doc);
}

Test(json_write, compact_keeps_order_and_number_text)
{
    expect_form(" { \"b\" : [ 1.50 , 2E3 , -0 ] ,\n\t\"a\" : { } , \"c\" : [ ] } ", 0,
                "{\"b\":[1.50,2E3,-0],\"a\":{},\"c\":[]}");
}

Test(json_write, pretty_exact_text)
{
    expect_form("{\"name\":\"x\",\"list\":[1,[2,3],{}],\"obj\":{\"k\":null,\"e\":[]},\"t\":true}",
                LLMOPS_JSON_WRITE_PRETTY,
                "{\n"
                "  \"name\": \"x\",\n"
                "  \"list\": [\n"
                "    1,\n"
                "    [\n"
                "      2,\n"
                "      3\n"
                "    ],\n"
                "    {}\n"
                "  ],\n"
                "  \"obj\": {\n"
                "    \"k\": null,\n"
                "    \"e\": []\n"
                "  },\n"
                "  \"t\": true\n"
                "}");
    expect_form("[]", LLMOPS_JSON_WRITE_PRETTY, "[]");
    expect_form("\"s\"", LLMOPS_JSON_WRITE_PRETTY, "\"s\"");
    expect_form("{\"b\":1,\"a\":[1.0]}", LLMOPS_JSON_WRITE_PRETTY | LLMOPS_JSON_WRITE_CANONICAL,
                "{\n  \"a\": [\n    1\n  ],\n  \"b\": 1\n}");
}

Test(json_write, canonical_is_stable)
{
    static const char *same[] = {
        "{\"b\":[1.0,{\"y\":2,\"x\":1e0}],\"a\":\"\\u00e9\",\"c\":0.50}",
        "  {\"a\" : \"\xc3\xa9\",\n \"c\":5e-1, \"b\": [ 1 , { \"x\" : 1, \"y\" : 2.000 } ] }",
        "{\"c\":0.5,\"a\":\"\\u00E9\",\"b\":[10e-1,{\"y\":20E-1,\"x\":0.1e1}]}",
    };
    const char *want = "{\"a\":\"\xc3\xa9\",\"b\":[1,{\"x\":1,\"y\":2}],\"c\":0.5}";
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++)
        expect_form(same[i], LLMOPS_JSON_WRITE_CANONICAL, want);
    /* 1.0 and 1 give the same bytes. */
    expect_form("[1.0, 1, 1e0, 100e-2]", LLMOPS_JSON_WRITE_CANONICAL, "[1,1,1,1]");
}

Test(json_write, canonical_key_order_is_bytewise)
{
    /* UTF-8 byte order: "B" < "a" < "aa" < "b" < "\xc3\xa9" (é) < "\xef\xbd\x81"; a prefix
     * sorts first; an embedded NUL sorts before everything but the prefix. */
    expect_form("{\"\xef\xbd\x81\":6,\"b\":4,\"aa\":3,\"\xc3\xa9\":5,\"a\":2,\"B\":1,"
                "\"a\\u0000\":7,\"\":0}",
                LLMOPS_JSON_WRITE_CANONICAL,
                "{\"\":0,\"B\":1,\"a\":2,\"a\\u0000\":7,\"aa\":3,\"b\":4,\"\xc3\xa9\":5,"
                "\"\xef\xbd\x81\":6}");
    /* Large objects sort too (merge sort path). */
    char in[2048], want[2048];
    size_t n = 0, m = 0;
    n += (size_t)snprintf(in + n, sizeof in - n, "{");
    m += (size_t)snprintf(want + m, sizeof want - m, "{");
    for (int k = 39; k >= 0; k--)
        n += (size_t)snprintf(in + n, sizeof in - n, "%s\"k%02d\":%d", k == 39 ? "" : ",", k, k);
    for (int k = 0; k < 40; k++)
        m += (size_t)snprintf(want + m, sizeof want - m, "%s\"k%02d\":%d", k ? "," : "", k, k);
    snprintf(in + n, sizeof in - n, "}");
    snprintf(want + m, sizeof want - m, "}");
    expect_form(in, LLMOPS_JSON_WRITE_CANONICAL, want);
}

Test(json_write, canonical_numbers)
{
    expect_form("[0.1, 1e21, 1e20, 1e-7, 0.000001, 123.456e3, -1.5E-10, 2.5e+400, 1.0e-400,"
                " 4.35, 12345678901234567890, 9007199254740993, 0.30000000000000004]",
                LLMOPS_JSON_WRITE_CANONICAL,
                "[0.1,1e+21,100000000000000000000,1e-7,0.000001,123456,-1.5e-10,2.5e+400,0,"
                "4.35,12345678901234567000,9007199254740993,0.30000000000000004]");
}

/* Found by the fuzzer: exponents too large for an int64 must still give a
 * canonical text that reads back to an equal value. */
Test(json_write, canonical_huge_exponents)
{
    static const char *inputs[] = {
        "[0.4e0066999,999999999.4e0066999,999999999.4e09999999999999999007]",
        "[1234e99999999999999999, 1e100000000000000000, 1e-99999999999999999999999]",
        "[12.5e99999999999999990, 0.000e999999999999999999999]",
    };
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        llmops_json_doc *doc = jt_parse(inputs[i]);
        char *c1 = NULL, *c2 = NULL;
        size_t n1;
        cr_assert_eq(llmops_json_write(&c1, &n1, llmops_json_doc_root(doc),
                                       LLMOPS_JSON_WRITE_CANONICAL), LLMOPS_OK);
        llmops_json_doc *again = NULL;
        cr_assert_eq(llmops_json_parse(&again, c1, n1, NULL, NULL), LLMOPS_OK);
        cr_expect(llmops_json_equal(llmops_json_doc_root(doc), llmops_json_doc_root(again)),
                  "%s -> %s", inputs[i], c1);
        llmops_json_write(&c2, NULL, llmops_json_doc_root(again), LLMOPS_JSON_WRITE_CANONICAL);
        cr_expect_str_eq(c2, c1);
        llmops_free(c1);
        llmops_free(c2);
        llmops_json_doc_free(again);
        llmops_json_doc_free(doc);
    }
    expect_form("[0.4e0066999, 1e-99999999999999999999999, 0.000e999999999999999999999]",
                LLMOPS_JSON_WRITE_CANONICAL, "[4e+66998,0,0]");
    /* Beyond 10^17 the exponent saturates (documented). */
    expect_form("[1e100000000000000000, 1e200000000000000000]", LLMOPS_JSON_WRITE_CANONICAL,
                "[1e+100000000000000000,1e+100000000000000000]");
}

Test(json_write, escapes_control_characters)
{
    expect_form("\"\\u0000\\u0001\\b\\t\\n\\u000b\\f\\r\\u001f \\\" \\\\ \\/ \\u007f\"", 0,
                "\"\\u0000\\u0001\\b\\t\\n\\u000b\\f\\r\\u001f \\\" \\\\ / \x7f\"");
    expect_form("\"\\u0000\\u0001\\b\\t\\n\\u000b\\f\\r\\u001f \\\" \\\\ \\/ \\u007f\"",
                LLMOPS_JSON_WRITE_CANONICAL,
                "\"\\u0000\\u0001\\b\\t\\n\\u000b\\f\\r\\u001f \\\" \\\\ / \x7f\"");
}

Test(json_write, line_separators)
{
    /* U+2028/U+2029 are valid in JSON but end lines in JavaScript: normal
     * output escapes them; canonical output keeps the minimal form. */
    expect_form("\"a\\u2028b\xe2\x80\xa9" "c\xe2\x82\xac\"", 0,
                "\"a\\u2028b\\u2029c\xe2\x82\xac\"");
    expect_form("\"a\\u2028b\xe2\x80\xa9" "c\xe2\x82\xac\"", LLMOPS_JSON_WRITE_CANONICAL,
                "\"a\xe2\x80\xa8" "b\xe2\x80\xa9" "c\xe2\x82\xac\"");
    /* Long runs around them (word-at-a-time path). */
    expect_form("\"0123456789abcdef\xe2\x80\xa8" "0123456789abcdef\xe2\x82\xac" "0123456789\"", 0,
                "\"0123456789abcdef\\u20280123456789abcdef\xe2\x82\xac" "0123456789\"");
}

Test(json_write, ascii_mode)
{
    expect_form("\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \\u2028 \xf4\x8f\xbf\xbf!\"",
                LLMOPS_JSON_WRITE_ASCII,
                "\"caf\\u00e9 \\u20ac \\ud83d\\ude00 \\u2028 \\udbff\\udfff!\"");
    expect_form("{\"\xc3\xa9\":\"x\"}", LLMOPS_JSON_WRITE_ASCII | LLMOPS_JSON_WRITE_CANONICAL,
                "{\"\\u00e9\":\"x\"}");
}

Test(json_write, long_strings)
{
    /* Escapes at every position of a word, and at the ends. */
    for (size_t at = 0; at < 24; at++) {
        char in[64], want[64];
        memset(in, 'x', sizeof in);
        in[0] = '"';
        in[1 + at] = '\\';
        in[2 + at] = 'n';
        in[26] = '"';
        in[27] = '\0';
        memset(want, 'x', sizeof want);
        want[0] = '"';
        want[1 + at] = '\\';
        want[2 + at] = 'n';
        want[26] = '"';
        want[27] = '\0';
        expect_form(in, 0, want);
    }
    size_t n = 1 << 20;
    char *big = malloc(n + 3);
    big[0] = '"';
    for (size_t i = 0; i < n; i++)
        big[1 + i] = (char)('a' + i % 26);
    big[n + 1] = '"';
    big[n + 2] = '\0';
    expect_form(big, 0, big);
    free(big);
}

Test(json_write, arguments)
{
    llmops_json_doc *doc = jt_parse("1");
    char *out = (char *)1;
    size_t len = 9;
    cr_expect_eq(llmops_json_write(&out, &len, NULL, 0), LLMOPS_E_INVALID_ARGUMENT);
    cr_expect_null(out);
    cr_expect_eq(len, 0);
    cr_expect_eq(llmops_json_write(NULL, NULL, llmops_json_doc_root(doc), 0),
                 LLMOPS_E_INVALID_ARGUMENT);
    cr_expect_eq(llmops_json_write(&out, NULL, llmops_json_doc_root(doc), 1u << 7),
                 LLMOPS_E_INVALID_ARGUMENT);
    cr_expect_eq(llmops_json_write(&out, NULL, llmops_json_doc_root(doc), 0), LLMOPS_OK);
    cr_expect_str_eq(out, "1");
    llmops_free(out);
    llmops_json_doc_free(doc);
}
