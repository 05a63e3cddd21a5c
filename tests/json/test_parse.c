/* Parser behaviour: errors and their positions, limits, numbers, strings,
 * duplicate keys and large objects. */
#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "json_test.h"

static llmops_status parse_err(const char *text, size_t len, const llmops_json_parse_options *o,
                               llmops_json_error *err)
{
    llmops_json_doc *doc = (llmops_json_doc *)1;
    llmops_status st = llmops_json_parse(&doc, text, len, o, err);
    if (st != LLMOPS_OK)
        cr_expect_null(doc, "failed parse must leave *out NULL");
    llmops_json_doc_free(st == LLMOPS_OK ? doc : NULL);
    return st;
}

/* ---- error positions ---------------------------------------------------- */

typedef struct pos_case {
    const char *text;
    size_t offset;
    unsigned line, column;
    const char *words;   /* a fragment the message must contain */
} pos_case;

Test(json_parse, error_positions)
{
    static const pos_case cases[] = {
        { "[1,2", 4, 1, 5, "end of input" },
        { "[1,]", 3, 1, 4, "expected a value" },
        { "{\"a\" 1}", 5, 1, 6, "':'" },
        { "{\n  \"a\": tru\n}", 12, 2, 11, "literal" },
        { "[\n1,\n2\n,,]", 8, 4, 2, "expected a value" },
        { "\"abc", 4, 1, 5, "unterminated string" },
        { "[\"a\tb\"]", 3, 1, 4, "control character" },
        { "[01]", 2, 1, 3, "leading zero" },
        { "[1.]", 3, 1, 4, "decimal point" },
        { "[1e+]", 4, 1, 5, "exponent" },
        { "[-]", 2, 1, 3, "digit" },
        { "{\"a\":1}}", 7, 1, 8, "end of input after the root" },
        { "\r\n\r\n  x", 6, 3, 3, "0x78" },
        { "[\"\\x\"]", 2, 1, 3, "escape" },
        { "[\"\\u12G4\"]", 2, 1, 3, "four hex digits" },
        { "[\"\\ud800\\u0041\"]", 2, 1, 3, "high surrogate" },
        { "[\"\\udc00\"]", 2, 1, 3, "low surrogate" },
        { "{\"a\":1,}", 7, 1, 8, "string key" },
        { "", 0, 1, 1, "expected a value" },
        { "   ", 3, 1, 4, "expected a value" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const pos_case *c = &cases[i];
        llmops_json_error err = LLMOPS_JSON_ERROR_INIT;
        cr_expect_eq(parse_err(c->text, strlen(c->text), NULL, &err), LLMOPS_E_PARSE, "case %zu", i);
        cr_expect_eq(err.offset, c->offset, "case %zu: offset %zu", i, err.offset);
        cr_expect_eq(err.line, c->line, "case %zu: line %u", i, err.line);
        cr_expect_eq(err.column, c->column, "case %zu: column %u", i, err.column);
        cr_expect(strstr(err.message, c->words) != NULL, "case %zu: message '%s'", i, err.message);
    }
}

Test(json_parse, message_never_echoes_input)
{
    static const char *inputs[] = {
        "[secretvalue]", "{\"key\": secret}", "\"sk-live-\x01\"", "[\"\xff\xfe secret\"]",
        "{\"password\" \"hunter2\"}",
    };
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        llmops_json_error err = LLMOPS_JSON_ERROR_INIT;
        cr_expect_eq(parse_err(inputs[i], strlen(inputs[i]), NULL, &err), LLMOPS_E_PARSE);
        cr_expect_null(strstr(err.message, "secret"), "%s", err.message);
        cr_expect_null(strstr(err.message, "hunter"), "%s", err.message);
        for (const char *m = err.message; *m; m++)
            cr_expect((unsigned char)*m >= 0x20 && (unsigned char)*m < 0x7f,
                      "message must be printable ASCII");
    }
    llmops_json_error err = LLMOPS_JSON_ERROR_INIT;
    parse_err("[x]", 3, NULL, &err);
    cr_expect_str_eq(err.message, "unexpected byte 0x78, expected a value");
}

Test(json_parse, invalid_arguments)
{
    llmops_json_doc *doc;
    llmops_json_error err = LLMOPS_JSON_ERROR_INIT;
    cr_expect_eq(llmops_json_parse(NULL, "1", 1, NULL, NULL), LLMOPS_E_INVALID_ARGUMENT);
    cr_expect_eq(llmops_json_parse(&doc, NULL, 3, NULL, &err), LLMOPS_E_INVALID_ARGUMENT);
    cr_expect_null(doc);
    cr_expect_eq(llmops_json_parse(&doc, NULL, 0, NULL, &err), LLMOPS_E_PARSE);
    llmops_json_parse_options o = LLMOPS_JSON_PARSE_OPTIONS_INIT;
    o.duplicate_keys = 7;
    cr_expect_eq(llmops_json_parse(&doc, "1", 1, &o, &err), LLMOPS_E_INVALID_ARGUMENT);
    o.duplicate_keys = 0;
    o.version = 99;
    cr_expect_eq(llmops_json_parse(&doc, "1", 1, &o, &err), LLMOPS_E_INVALID_ARGUMENT);
}

Test(json_parse, options_init_gives_defaults)
{
    llmops_json_parse_options o;
    memset(&o, 0xff, sizeof o);
    llmops_json_parse_options_init(&o);
    cr_expect_eq(o.version, LLMOPS_JSON_PARSE_OPTIONS_VERSION);
    cr_expect_eq(o.max_depth, 512);
    cr_expect_eq(o.max_size, (size_t)64 << 20);
    cr_expect_eq(o.duplicate_keys, LLMOPS_JSON_DUPKEYS_LAST_WINS);
}

/* ---- limits ------------------------------------------------------------- */

static char *nested(size_t depth)
{
    char *s = malloc(2 * depth + 1);
    memset(s, '[', depth);
    memset(s + depth, ']', depth);
    s[2 * depth] = '\0';
    return s;
}

Test(json_parse, depth_limit)
{
    llmops_json_error err = LLMOPS_JSON_ERROR_INIT;
    char *ok = nested(512), *deep = nested(513);
    cr_expect_eq(parse_err(ok, strlen(ok), NULL, &err), LLMOPS_OK);
    cr_expect_eq(parse_err(deep, strlen(deep), NULL, &err), LLMOPS_E_LIMIT);
    cr_expect_eq(err.offset, 512);
    cr_expect(strstr(err.message, "depth") != NULL);

    llmops_json_parse_options o = LLMOPS_JSON_PARSE_OPTIONS_INIT;
    o.max_depth = 3;
    cr_expect_eq(parse_err("[{\"a\":[1]}]", 11, &o, &err), LLMOPS_OK);
    cr_expect_eq(parse_err("[{\"a\":[[1]]}]", 13, &o, &err), LLMOPS_E_LIMIT);
    cr_expect_eq(err.offset, 7);
    o.max_depth = 100000;
    char *very = nested(100000);
    cr_expect_eq(parse_err(very, strlen(very), &o, &err), LLMOPS_OK);
    free(ok);
    free(deep);
    free(very);
}

Test(json_parse, size_limit)
{
    llmops_json_parse_options o = LLMOPS_JSON_PARSE_OPTIONS_INIT;
    o.max_size = 10;
    llmops_json_error err = LLMOPS_JSON_ERROR_INIT;
    cr_expect_eq(parse_err("[1,2,3,4] ", 10, &o, &err), LLMOPS_OK);
    cr_expect_eq(parse_err("[1,2,3,4]  ", 11, &o, &err), LLMOPS_E_LIMIT);
    cr_expect_eq(err.offset, 10);
    cr_expect(strstr(err.message, "size") != NULL);
}

/* ---- numbers ------------------------------------------------------------ */

Test(json_parse, huge_numbers_keep_text)
{
    llmops_json_doc *doc = jt_parse("[1e400, -1e400, 1e-400, 123456789012345678901234567890]");
    const llmops_json *r = llmops_json_doc_root(doc);
    double d = 0;
    size_t len;
    cr_expect_eq(llmops_json_get_double(llmops_json_at(r, 0), &d), LLMOPS_E_RANGE);
    cr_expect_str_eq(llmops_json_number_text(llmops_json_at(r, 0), &len), "1e400");
    cr_expect_eq(len, 5);
    cr_expect_eq(llmops_json_get_double(llmops_json_at(r, 1), &d), LLMOPS_E_RANGE);
    cr_expect_eq(llmops_json_get_double(llmops_json_at(r, 2), &d), LLMOPS_OK);
    cr_expect(d == 0.0);
    cr_expect_eq(llmops_json_get_double(llmops_json_at(r, 3), &d), LLMOPS_OK);
    cr_expect(d == 123456789012345678901234567890.0);
    int64_t i;
    cr_expect_eq(llmops_json_get_int(llmops_json_at(r, 3), &i), LLMOPS_E_RANGE);
    cr_expect_str_eq(llmops_json_number_text(llmops_json_at(r, 3), NULL),
                     "123456789012345678901234567890");
    jt_expect_write(r, 0, "[1e400,-1e400,1e-400,123456789012345678901234567890]");
    jt_expect_write(r, LLMOPS_JSON_WRITE_CANONICAL,
                    "[1e+400,-1e+400,0,1.2345678901234568e+29]");
    llmops_json_doc_free(doc);
}

Test(json_parse, int64_edges)
{
    llmops_json_doc *doc = jt_parse("[9223372036854775807, 9223372036854775808, "
                                    "-9223372036854775808, -9223372036854775809, "
                                    "1.0, 1.5, 1E2, 0.5e1, 120e-1, 1234.5e-3]");
    const llmops_json *r = llmops_json_doc_root(doc);
    int64_t i;
    double d;
    cr_expect(llmops_json_is_int(llmops_json_at(r, 0)));
    cr_expect_eq(llmops_json_get_int(llmops_json_at(r, 0), &i), LLMOPS_OK);
    cr_expect_eq(i, INT64_MAX);
    cr_expect_not(llmops_json_is_int(llmops_json_at(r, 1)));
    cr_expect_eq(llmops_json_get_int(llmops_json_at(r, 1), &i), LLMOPS_E_RANGE);
    cr_expect_eq(llmops_json_get_double(llmops_json_at(r, 1), &d), LLMOPS_OK);
    cr_expect(d == 9223372036854775808.0);
    cr_expect_eq(llmops_json_get_int(llmops_json_at(r, 2), &i), LLMOPS_OK);
    cr_expect_eq(i, INT64_MIN);
    cr_expect_not(llmops_json_is_int(llmops_json_at(r, 3)));
    const int64_t ints[] = { 1, -1, 100, 5, 12, -1 };
    for (size_t k = 4; k < 10; k++) {
        llmops_status st = llmops_json_get_int(llmops_json_at(r, k), &i);
        if (ints[k - 4] < 0) {
            cr_expect_eq(st, LLMOPS_E_RANGE, "element %zu", k);
        } else {
            cr_expect_eq(st, LLMOPS_OK, "element %zu", k);
            cr_expect_eq(i, ints[k - 4], "element %zu", k);
        }
    }
    cr_expect_eq(llmops_json_get_double(llmops_json_at(r, 9), &d), LLMOPS_OK);
    cr_expect(d == 1.2345);
    cr_expect_eq(llmops_json_get_int(llmops_json_at(r, 9), &i), LLMOPS_E_RANGE);
    cr_expect_eq(llmops_json_get_int(llmops_json_at(r, 0), NULL), LLMOPS_E_INVALID_ARGUMENT);
    cr_expect_eq(llmops_json_get_int(r, &i), LLMOPS_E_TYPE);
    llmops_json_doc_free(doc);
}

Test(json_parse, negative_zero)
{
    llmops_json_doc *doc = jt_parse("[-0, 0, -0.0, -0e5]");
    const llmops_json *r = llmops_json_doc_root(doc);
    int64_t i = 7;
    double d = 1;
    cr_expect(llmops_json_is_int(llmops_json_at(r, 0)));
    cr_expect_eq(llmops_json_get_int(llmops_json_at(r, 0), &i), LLMOPS_OK);
    cr_expect_eq(i, 0);
    cr_expect_eq(llmops_json_get_double(llmops_json_at(r, 0), &d), LLMOPS_OK);
    cr_expect(d == 0 && signbit(d), "-0 reads back as -0.0");
    cr_expect_eq(llmops_json_get_double(llmops_json_at(r, 1), &d), LLMOPS_OK);
    cr_expect(d == 0 && !signbit(d));
    cr_expect_str_eq(llmops_json_number_text(llmops_json_at(r, 2), NULL), "-0.0");
    cr_expect(llmops_json_equal(llmops_json_at(r, 0), llmops_json_at(r, 1)));
    jt_expect_write(r, 0, "[-0,0,-0.0,-0e5]");
    jt_expect_write(r, LLMOPS_JSON_WRITE_CANONICAL, "[0,0,0,0]");
    llmops_json_doc_free(doc);
}

Test(json_parse, doubles_ignore_the_c_locale)
{
    /* The parser must not use the process locale; de_DE writes "1,5". If the
     * locale is not installed, the check still runs in the "C" locale. */
    const char *old = setlocale(LC_NUMERIC, NULL);
    char saved[64];
    snprintf(saved, sizeof saved, "%s", old ? old : "C");
    if (!setlocale(LC_NUMERIC, "de_DE.UTF-8"))
        setlocale(LC_NUMERIC, "fr_FR.UTF-8");
    const char *dp = localeconv()->decimal_point;
    if (strcmp(dp, ".") == 0)
        cr_log_info("no locale with a decimal comma installed (de_DE/fr_FR): checked in the "
                    "\"C\" locale only");
    else
        cr_log_info("checked under LC_NUMERIC=%s (decimal point '%s')", setlocale(LC_NUMERIC, NULL),
                    dp);
    llmops_json_doc *doc = jt_parse("[1.5, 2.25e-3, 0.1000000000000000055511151231257827, 3.14]");
    double d;
    cr_expect_eq(llmops_json_get_double(llmops_json_at(llmops_json_doc_root(doc), 0), &d),
                 LLMOPS_OK);
    cr_expect(d == 1.5);
    cr_expect_eq(llmops_json_get_double(llmops_json_at(llmops_json_doc_root(doc), 2), &d),
                 LLMOPS_OK);
    cr_expect(d == 0.1);
    jt_expect_write(llmops_json_doc_root(doc), LLMOPS_JSON_WRITE_CANONICAL,
                    "[1.5,0.00225,0.1,3.14]");
    llmops_json_doc_free(doc);
    setlocale(LC_NUMERIC, saved);
}

/* ---- strings ------------------------------------------------------------ */

Test(json_parse, nul_bytes)
{
    llmops_json_doc *doc = jt_parse("[\"a\\u0000b\"]");
    size_t len;
    const char *s = llmops_json_string(llmops_json_at(llmops_json_doc_root(doc), 0), &len);
    cr_expect_eq(len, 3);
    cr_expect_eq(memcmp(s, "a\0b", 4), 0);
    jt_expect_write(llmops_json_doc_root(doc), 0, "[\"a\\u0000b\"]");
    llmops_json_doc_free(doc);

    llmops_json_error err = LLMOPS_JSON_ERROR_INIT;
    cr_expect_eq(parse_err("[\"a\0b\"]", 7, NULL, &err), LLMOPS_E_PARSE);
    cr_expect_eq(err.offset, 3);
    cr_expect_eq(parse_err("[1,\0 2]", 7, NULL, &err), LLMOPS_E_PARSE);
    cr_expect_eq(err.offset, 3);
    cr_expect(strstr(err.message, "0x00") != NULL);
    cr_expect_eq(parse_err("[1]\0", 4, NULL, &err), LLMOPS_E_PARSE);
    cr_expect_eq(err.offset, 3);
}

Test(json_parse, invalid_utf8)
{
    static const struct { const char *s; size_t off; } bad[] = {
        { "[\"\xc0\xaf\"]", 2 },               /* overlong '/' */
        { "[\"\xe0\x80\xaf\"]", 2 },           /* overlong, 3 bytes */
        { "[\"\xf0\x82\x82\xac\"]", 2 },       /* overlong, 4 bytes */
        { "[\"ab\xed\xa0\x80\"]", 4 },         /* UTF-16 surrogate D800 in UTF-8 */
        { "[\"\xed\xbf\xbf\"]", 2 },           /* surrogate DFFF */
        { "[\"\xf4\x90\x80\x80\"]", 2 },       /* U+110000 */
        { "[\"\xf5\x80\x80\x80\"]", 2 },
        { "[\"\x80\"]", 2 },                   /* lone continuation */
        { "[\"\xc3\"]", 2 },                   /* truncated sequence */
        { "[\"\xe2\x82\"]", 2 },
        { "[\"\xff\"]", 2 },
        { "\xef\xbb\xbf[1]", 0 },              /* a BOM is not JSON text */
        { "[\xc3\xa9]", 1 },                   /* valid UTF-8 outside a string */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        llmops_json_error err = LLMOPS_JSON_ERROR_INIT;
        cr_expect_eq(parse_err(bad[i].s, strlen(bad[i].s), NULL, &err), LLMOPS_E_PARSE,
                     "case %zu", i);
        cr_expect_eq(err.offset, bad[i].off, "case %zu: offset %zu", i, err.offset);
    }
    /* The edges that are valid. */
    llmops_json_doc *doc = jt_parse("[\"\xc2\x80\xdf\xbf\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80"
                                    "\xef\xbf\xbf\xf0\x90\x80\x80\xf4\x8f\xbf\xbf\"]");
    size_t len;
    llmops_json_string(llmops_json_at(llmops_json_doc_root(doc), 0), &len);
    cr_expect_eq(len, 24);
    llmops_json_doc_free(doc);
}

Test(json_parse, escapes_and_surrogate_pairs)
{
    llmops_json_doc *doc = jt_parse("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\u20AC\\ud83d\\ude00\\uDBFF\\uDFFF\"");
    size_t len;
    const char *s = llmops_json_string(llmops_json_doc_root(doc), &len);
    const char want[] = "\"\\/\b\f\n\r\t\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf";
    cr_expect_eq(len, sizeof want - 1);
    cr_expect_eq(memcmp(s, want, sizeof want), 0);
    llmops_json_doc_free(doc);
}

Test(json_parse, truncated_text)
{
    const char *full = "{\"a\": [1, 2.5e3, \"x\\u00e9\\n\", true, false, null, {\"b\": {}}], "
                       "\"c\": \"\xe2\x82\xac\"}";
    size_t n = strlen(full);
    for (size_t cut = 0; cut < n; cut++) {
        llmops_json_error err = LLMOPS_JSON_ERROR_INIT;
        cr_expect_eq(parse_err(full, cut, NULL, &err), LLMOPS_E_PARSE, "prefix %zu", cut);
        cr_expect(err.offset <= cut, "prefix %zu: offset %zu", cut, err.offset);
    }
    llmops_json_error err = LLMOPS_JSON_ERROR_INIT;
    cr_expect_eq(parse_err(full, n, NULL, &err), LLMOPS_OK);
}

Test(json_parse, scalars_at_the_root)
{
    static const struct { const char *text; llmops_json_type type; } cases[] = {
        { "null", LLMOPS_JSON_NULL }, { " true ", LLMOPS_JSON_BOOL }, { "false", LLMOPS_JSON_BOOL },
        { "-12.5e-1", LLMOPS_JSON_NUMBER }, { "\"\"", LLMOPS_JSON_STRING },
        { "[]", LLMOPS_JSON_ARRAY }, { "{}", LLMOPS_JSON_OBJECT },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        llmops_json_doc *doc = jt_parse(cases[i].text);
        cr_expect_eq(llmops_json_type_of(llmops_json_doc_root(doc)), cases[i].type, "%s",
                     cases[i].text);
        llmops_json_doc_free(doc);
    }
    llmops_json_doc *doc = jt_parse("true");
    int b = 0;
    cr_expect_eq(llmops_json_get_bool(llmops_json_doc_root(doc), &b), LLMOPS_OK);
    cr_expect_eq(b, 1);
    cr_expect(llmops_json_is_true(llmops_json_doc_root(doc)));
    cr_expect_str_eq(llmops_json_type_name(LLMOPS_JSON_BOOL), "boolean");
    cr_expect_eq(llmops_json_type_of(NULL), LLMOPS_JSON_NULL);
    llmops_json_doc_free(doc);
    llmops_json_error err = LLMOPS_JSON_ERROR_INIT;
    cr_expect_eq(parse_err("nul", 3, NULL, &err), LLMOPS_E_PARSE);
    cr_expect_eq(parse_err("truex", 5, NULL, &err), LLMOPS_E_PARSE);
    cr_expect_eq(err.offset, 4);
    cr_expect_eq(parse_err("True", 4, NULL, &err), LLMOPS_E_PARSE);
}

/* ---- duplicate keys ----------------------------------------------------- */

Test(json_parse, duplicate_keys_last_wins)
{
    llmops_json_doc *doc = jt_parse("{\"a\": 1, \"b\": 2, \"a\": 3, \"c\": {\"x\": 1, \"x\": [2]}}");
    const llmops_json *r = llmops_json_doc_root(doc);
    cr_expect_eq(llmops_json_size(r), 3);
    cr_expect_str_eq(llmops_json_key_at(r, 0, NULL), "a");
    int64_t i;
    llmops_json_get_int(llmops_json_get(r, "a"), &i);
    cr_expect_eq(i, 3);
    jt_expect_write(r, 0, "{\"a\":3,\"b\":2,\"c\":{\"x\":[2]}}");
    llmops_json_doc_free(doc);
}

Test(json_parse, duplicate_keys_reject)
{
    llmops_json_parse_options o = LLMOPS_JSON_PARSE_OPTIONS_INIT;
    o.duplicate_keys = LLMOPS_JSON_DUPKEYS_REJECT;
    llmops_json_error err = LLMOPS_JSON_ERROR_INIT;
    const char *t = "{\"a\": 1,\n \"b\": 2,\n \"a\": 3}";
    cr_expect_eq(parse_err(t, strlen(t), &o, &err), LLMOPS_E_PARSE);
    cr_expect_eq(err.offset, 19);
    cr_expect_eq(err.line, 3);
    cr_expect_eq(err.column, 2);
    cr_expect(strstr(err.message, "duplicate") != NULL);
    /* Keys equal after unescaping are duplicates too. */
    t = "{\"a\": 1, \"\\u0061\": 2}";
    cr_expect_eq(parse_err(t, strlen(t), &o, &err), LLMOPS_E_PARSE);
    cr_expect_eq(parse_err("{\"a\": 1, \"A\": 2}", 16, &o, &err), LLMOPS_OK);

    /* A large object goes through the hash index: same rule, same position. */
    char big[4096];
    size_t n = (size_t)snprintf(big, sizeof big, "{");
    for (int k = 0; k < 100; k++)
        n += (size_t)snprintf(big + n, sizeof big - n, "\"k%d\":%d,", k, k);
    size_t dup_at = n;
    n += (size_t)snprintf(big + n, sizeof big - n, "\"k42\":0}");
    cr_expect_eq(parse_err(big, n, &o, &err), LLMOPS_E_PARSE);
    cr_expect_eq(err.offset, dup_at);
    cr_expect_eq(parse_err(big, n, NULL, &err), LLMOPS_OK);

    /* Around the size where objects switch from scanning to the index. */
    for (int members = 1; members <= 40; members++) {
        n = (size_t)snprintf(big, sizeof big, "{");
        for (int k = 0; k < members; k++)
            n += (size_t)snprintf(big + n, sizeof big - n, "\"m%d\":%d,", k, k);
        dup_at = n;
        n += (size_t)snprintf(big + n, sizeof big - n, "\"m%d\":-1}", members / 2);
        cr_expect_eq(parse_err(big, n, &o, &err), LLMOPS_E_PARSE, "%d members", members);
        cr_expect_eq(err.offset, dup_at, "%d members", members);
        llmops_json_doc *doc = jt_parse(big);
        const llmops_json *r = llmops_json_doc_root(doc);
        cr_expect_eq(llmops_json_size(r), (size_t)members);
        int64_t v = 0;
        snprintf(big, sizeof big, "m%d", members / 2);
        cr_expect_eq(llmops_json_get_int(llmops_json_get(r, big), &v), LLMOPS_OK);
        cr_expect_eq(v, -1, "%d members: last value wins", members);
        cr_expect_str_eq(llmops_json_key_at(r, (size_t)members / 2, NULL), big,
                         "%d members: first position kept", members);
        llmops_json_doc_free(doc);
    }
}

/* ---- large objects ------------------------------------------------------ */

Test(json_parse, duplicates_inside_large_objects_keep_order)
{
    char text[1024];
    size_t n = (size_t)snprintf(text, sizeof text, "{");
    for (int k = 0; k < 20; k++)
        n += (size_t)snprintf(text + n, sizeof text - n, "\"k%d\":%d,", k, k);
    n += (size_t)snprintf(text + n, sizeof text - n, "\"k5\":\"five\",\"k0\":[],");
    for (int k = 20; k < 30; k++)
        n += (size_t)snprintf(text + n, sizeof text - n, "%s\"k%d\":%d", k > 20 ? "," : "", k, k);
    snprintf(text + n, sizeof text - n, "}");
    llmops_json_doc *doc = jt_parse(text);
    const llmops_json *r = llmops_json_doc_root(doc);
    cr_expect_eq(llmops_json_size(r), 30);
    char key[8];
    for (int k = 0; k < 30; k++) {
        snprintf(key, sizeof key, "k%d", k);
        cr_expect_str_eq(llmops_json_key_at(r, (size_t)k, NULL), key);
        cr_expect_eq(llmops_json_get(r, key), llmops_json_at(r, (size_t)k), "%s", key);
    }
    cr_expect_str_eq(llmops_json_string(llmops_json_get(r, "k5"), NULL), "five");
    cr_expect_eq(llmops_json_type_of(llmops_json_get(r, "k0")), LLMOPS_JSON_ARRAY);
    cr_expect(llmops_json_is_int(llmops_json_get(r, "k29")));
    llmops_json_doc_free(doc);
}

Test(json_parse, large_object_lookup)
{
    enum { N = 200000 };
    size_t cap = (size_t)N * 32 + 16, n = 0;
    char *text = malloc(cap);
    text[n++] = '{';
    for (int k = 0; k < N; k++)
        n += (size_t)snprintf(text + n, cap - n, "%s\"key-%d\":%d", k ? "," : "", k, k);
    /* Every key once more: duplicate folding must stay linear too. */
    for (int k = 0; k < N; k += 2)
        n += (size_t)snprintf(text + n, cap - n, ",\"key-%d\":%d", k, -k);
    text[n++] = '}';
    llmops_json_doc *doc = NULL;
    cr_assert_eq(llmops_json_parse(&doc, text, n, NULL, NULL), LLMOPS_OK);
    const llmops_json *r = llmops_json_doc_root(doc);
    cr_expect_eq(llmops_json_size(r), N);
    char key[32];
    int bad = 0;
    for (int k = 0; k < N; k++) {
        snprintf(key, sizeof key, "key-%d", k);
        int64_t v = 0;
        bad += llmops_json_get_int(llmops_json_get(r, key), &v) != LLMOPS_OK;
        bad += v != (k % 2 ? k : -k);
        bad += strcmp(llmops_json_key_at(r, (size_t)k, NULL), key) != 0;
    }
    cr_expect_eq(bad, 0, "%d lookups or keys were wrong", bad);
    cr_expect_null(llmops_json_get(r, "key-200000"));
    cr_expect_null(llmops_json_get(r, "key"));
    cr_expect_null(llmops_json_getn(r, "key-1\0", 6));
    llmops_json_doc_free(doc);
    free(text);
}

Test(json_parse, lookup_edges)
{
    llmops_json_doc *doc = jt_parse("{\"\": 1, \"a\\u0000b\": 2, \"a\": [true]}");
    const llmops_json *r = llmops_json_doc_root(doc);
    cr_expect_not_null(llmops_json_get(r, ""));
    cr_expect_not_null(llmops_json_getn(r, "a\0b", 3));
    cr_expect_null(llmops_json_getn(r, "a\0c", 3));
    cr_expect_null(llmops_json_get(r, NULL));
    cr_expect_null(llmops_json_get(llmops_json_get(r, "a"), "x"));
    cr_expect_null(llmops_json_at(r, 3));
    cr_expect_null(llmops_json_key_at(llmops_json_get(r, "a"), 0, NULL));
    cr_expect(llmops_json_is_true(llmops_json_at(llmops_json_get(r, "a"), 0)));
    size_t len = 0;
    cr_expect_str_eq(llmops_json_key_at(r, 1, &len), "a");
    cr_expect_eq(len, 3);
    cr_expect_eq(llmops_json_size(llmops_json_at(r, 0)), 0);
    cr_expect_null(llmops_json_string(llmops_json_at(r, 0), NULL));
    cr_expect_null(llmops_json_number_text(r, NULL));
    llmops_json_doc_free(doc);
}
