/* What a caller sees when a contract fails: instance path, schema path and
 * message of each error; and schemas that are not schemas, rejected with
 * where and why. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "llmops_config.h"
#include "schema_support.h"

typedef struct compiled {
    llmops_json_doc *doc;
    llmops__schema *s;
} compiled;

static compiled compile_text(const char *text, int format_assert)
{
    compiled c;
    c.doc = st_parse(text);
    llmops__schema_options o = { .format_assert = format_assert };
    llmops__buf err = LLMOPS__BUF_INIT;
    llmops_status st = llmops__schema_compile(&c.s, llmops_json_doc_root(c.doc), &o, &err);
    cr_assert_eq(st, LLMOPS_OK, "schema does not compile: %s", err.data ? err.data : "");
    llmops__buf_free(&err);
    /* the compiled schema must not need the schema text any more */
    llmops_json_doc_free(c.doc);
    c.doc = NULL;
    return c;
}

static llmops__schema_result check(const llmops__schema *s, const char *instance,
                                   size_t max_errors)
{
    llmops_json_doc *doc = st_parse(instance);
    llmops__schema_result res;
    cr_assert_eq(llmops__schema_validate(s, llmops_json_doc_root(doc), max_errors, &res),
                 LLMOPS_OK);
    llmops_json_doc_free(doc);
    return res;
}

static const llmops__schema_error *find_error(const llmops__schema_result *r, const char *ipath)
{
    for (size_t i = 0; i < r->nerrors; i++)
        if (!strcmp(r->errors[i].instance_path, ipath))
            return &r->errors[i];
    return NULL;
}

static void expect_error(const llmops__schema_result *r, const char *ipath, const char *spath,
                         const char *message)
{
    const llmops__schema_error *e = find_error(r, ipath);
    cr_assert_not_null(e, "no error at instance path \"%s\" (%zu errors)", ipath, r->nerrors);
    cr_expect_str_eq(e->schema_path, spath, "schema path of the error at \"%s\"", ipath);
    cr_expect_str_eq(e->message, message, "message of the error at \"%s\"", ipath);
}

static const char person[] =
    "{\"type\":\"object\","
    " \"properties\":{"
    "   \"name\":{\"type\":\"string\",\"minLength\":1},"
    "   \"age\":{\"type\":\"integer\",\"minimum\":0},"
    "   \"email\":{\"type\":[\"string\",\"null\"]},"
    "   \"tags\":{\"type\":\"array\",\"items\":{\"type\":\"string\"},\"uniqueItems\":true},"
    "   \"role\":{\"enum\":[\"admin\",\"user\"]}},"
    " \"required\":[\"name\",\"email\"],"
    " \"additionalProperties\":false}";

Test(errors, contract_failures_name_instance_and_schema_paths)
{
    compiled c = compile_text(person, 0);
    llmops__schema_result r = check(
        c.s, "{\"name\":5,\"age\":-1,\"tags\":[\"a\",3,\"a\"],\"role\":\"root\",\"extra\":true}",
        16);
    cr_assert_eq(r.valid, 0);
    cr_assert_eq(r.nerrors, 7, "got %zu errors", r.nerrors);
    expect_error(&r, "", "/required", "missing required property \"email\"");
    expect_error(&r, "/name", "/properties/name/type", "expected string, got integer");
    expect_error(&r, "/age", "/properties/age/minimum", "-1 is less than minimum 0");
    expect_error(&r, "/tags/1", "/properties/tags/items/type", "expected string, got integer");
    expect_error(&r, "/tags", "/properties/tags/uniqueItems", "items 0 and 2 are equal");
    expect_error(&r, "/role", "/properties/role/enum", "value is not one of the 2 allowed values");
    expect_error(&r, "/extra", "/additionalProperties", "property \"extra\" is not allowed");
    llmops__schema_result_free(&r);

    r = check(c.s, "{\"name\":\"Ada\",\"email\":null,\"age\":36,\"tags\":[\"x\"]}", 16);
    cr_assert_eq(r.valid, 1);
    cr_assert_eq(r.nerrors, 0);
    llmops__schema_result_free(&r);

    r = check(c.s, "{\"name\":\"Ada\",\"email\":7}", 16);
    expect_error(&r, "/email", "/properties/email/type", "expected null or string, got integer");
    llmops__schema_result_free(&r);
    llmops__schema_free(c.s);
}

Test(errors, max_errors_bounds_the_list)
{
    compiled c = compile_text(person, 0);
    const char *bad = "{\"name\":5,\"age\":-1,\"extra\":true}";
    llmops__schema_result r = check(c.s, bad, 1);
    cr_assert_eq(r.valid, 0);
    cr_assert_eq(r.nerrors, 1);
    llmops__schema_result_free(&r);
    r = check(c.s, bad, 0);
    cr_assert_eq(r.valid, 0, "the verdict does not depend on max_errors");
    cr_assert_eq(r.nerrors, 0);
    cr_assert_null(r.errors);
    llmops__schema_result_free(&r);
    llmops__schema_free(c.s);
}

Test(errors, references_report_the_target_keyword)
{
    compiled c = compile_text("{\"$defs\":{\"pos\":{\"type\":\"integer\",\"exclusiveMinimum\":0}},"
                              "\"properties\":{\"n\":{\"$ref\":\"#/$defs/pos\"},"
                              "\"a/b~c\":{\"const\":1}}}",
                              0);
    llmops__schema_result r = check(c.s, "{\"n\":0,\"a/b~c\":2}", 8);
    cr_assert_eq(r.valid, 0);
    expect_error(&r, "/n", "/$defs/pos/exclusiveMinimum", "0 is not greater than 0");
    expect_error(&r, "/a~1b~0c", "/properties/a~1b~0c/const",
                 "value is not the constant the schema requires");
    llmops__schema_result_free(&r);
    llmops__schema_free(c.s);
}

Test(errors, combinators_strings_and_numbers)
{
    compiled c = compile_text(
        "{\"properties\":{"
        " \"a\":{\"anyOf\":[{\"type\":\"string\"},{\"type\":\"boolean\"}]},"
        " \"o\":{\"oneOf\":[{\"minimum\":0},{\"maximum\":10}]},"
        " \"n\":{\"not\":{\"type\":\"null\"}},"
        " \"s\":{\"minLength\":4,\"maxLength\":5,\"const\":\"abcd\"},"
        " \"m\":{\"multipleOf\":0.5,\"maximum\":3},"
        " \"c\":{\"type\":\"array\",\"contains\":{\"type\":\"integer\"},\"maxItems\":2},"
        " \"d\":{\"dependentRequired\":{\"card\":[\"address\"]}}}}",
        0);
    llmops__schema_result r =
        check(c.s,
              "{\"a\":1,\"o\":5,\"n\":null,\"s\":\"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\","
              "\"m\":3.25,\"c\":[\"x\",\"y\",\"z\"],\"d\":{\"card\":1}}",
              32);
    cr_assert_eq(r.valid, 0);
    expect_error(&r, "/a", "/properties/a/anyOf",
                 "matches none of the 2 schemas in anyOf: expected boolean or string, got integer");
    expect_error(&r, "/o", "/properties/o/oneOf", "matches schemas 0 and 1 of oneOf, not just one");
    expect_error(&r, "/n", "/properties/n/not", "must not match the schema in \"not\"");
    expect_error(&r, "/m", "/properties/m/maximum", "3.25 is greater than maximum 3");
    expect_error(&r, "/d", "/properties/d/dependentRequired",
                 "property \"card\" requires property \"address\"");
    size_t s_errors = 0, m_errors = 0, c_errors = 0;
    for (size_t i = 0; i < r.nerrors; i++) {
        s_errors += !strcmp(r.errors[i].instance_path, "/s");
        m_errors += !strcmp(r.errors[i].instance_path, "/m");
        c_errors += !strcmp(r.errors[i].instance_path, "/c");
    }
    /* three code points (nine bytes): too short, not too long; not the const */
    cr_expect_eq(s_errors, 2);
    cr_expect_eq(m_errors, 2);
    cr_expect_eq(c_errors, 2);
    int saw_len = 0, saw_contains = 0;
    for (size_t i = 0; i < r.nerrors; i++) {
        saw_len |= !strcmp(r.errors[i].message, "string has 3 characters, fewer than minLength 4");
        saw_contains |= !strcmp(r.errors[i].schema_path, "/properties/c/contains");
    }
    cr_expect(saw_len && saw_contains);
    llmops__schema_result_free(&r);
    llmops__schema_free(c.s);
}

Test(errors, formats_assert_only_when_asked)
{
    const char *schema = "{\"properties\":{\"when\":{\"format\":\"date-time\"},"
                         "\"ip\":{\"format\":\"ipv4\"},\"id\":{\"format\":\"uuid\"}}}";
    const char *bad = "{\"when\":\"2024-02-30T10:00:00Z\",\"ip\":\"1.2.3.256\",\"id\":\"x\"}";
    compiled ann = compile_text(schema, 0);
    llmops__schema_result r = check(ann.s, bad, 8);
    cr_assert_eq(r.valid, 1, "format is an annotation by default");
    llmops__schema_result_free(&r);
    llmops__schema_free(ann.s);

    compiled as = compile_text(schema, 1);
    r = check(as.s, bad, 8);
    cr_assert_eq(r.valid, 0);
    cr_assert_eq(r.nerrors, 3);
    expect_error(&r, "/when", "/properties/when/format", "string is not a valid date-time");
    llmops__schema_result_free(&r);
    r = check(as.s,
              "{\"when\":\"2024-02-29T23:59:60Z\",\"ip\":\"10.0.0.1\","
              "\"id\":\"123e4567-e89b-12d3-a456-426614174000\"}",
              8);
    cr_assert_eq(r.valid, 1);
    llmops__schema_result_free(&r);
    llmops__schema_free(as.s);
}

/* ---- invalid schemas ----------------------------------------------------------- */

static void expect_rejected(const char *text, llmops_status want, const char *where,
                            const char *why)
{
    llmops_json_doc *doc = st_parse(text);
    llmops__schema *s = NULL;
    llmops__buf err = LLMOPS__BUF_INIT;
    llmops_status st = llmops__schema_compile(&s, llmops_json_doc_root(doc), NULL, &err);
    cr_assert_eq(st, want, "%s: got %s (%s)", text, llmops_status_str(st),
                 err.data ? err.data : "");
    cr_assert_null(s);
    cr_assert_not_null(err.data, "%s: no error text", text);
    cr_expect(strstr(err.data, where) != NULL, "%s: error \"%s\" does not say where (%s)", text,
              err.data, where);
    cr_expect(strstr(err.data, why) != NULL, "%s: error \"%s\" does not say why (%s)", text,
              err.data, why);
    llmops__buf_free(&err);
    llmops_json_doc_free(doc);
}

Test(invalid, schemas_are_rejected_with_where_and_why)
{
    expect_rejected("{\"type\":\"strin\"}", LLMOPS_E_SCHEMA, "\"/type\"", "unknown type \"strin\"");
    expect_rejected("{\"type\":[\"string\",\"string\"]}", LLMOPS_E_SCHEMA, "/type", "twice");
    expect_rejected("{\"properties\":{\"a\":{\"minLength\":-1}}}", LLMOPS_E_SCHEMA,
                    "\"/properties/a/minLength\"", "non-negative integer");
    expect_rejected("{\"maxItems\":1.5}", LLMOPS_E_SCHEMA, "/maxItems", "non-negative integer");
    expect_rejected("{\"items\":3}", LLMOPS_E_SCHEMA, "\"/items\"", "must be a schema");
    expect_rejected("{\"allOf\":[]}", LLMOPS_E_SCHEMA, "/allOf", "non-empty array");
    expect_rejected("{\"anyOf\":[{},4]}", LLMOPS_E_SCHEMA, "/anyOf/1", "must be a schema");
    expect_rejected("{\"required\":[\"a\",1]}", LLMOPS_E_SCHEMA, "/required/1", "string");
    expect_rejected("{\"multipleOf\":0}", LLMOPS_E_SCHEMA, "/multipleOf", "greater than 0");
    expect_rejected("{\"enum\":3}", LLMOPS_E_SCHEMA, "/enum", "array");
    expect_rejected("{\"uniqueItems\":1}", LLMOPS_E_SCHEMA, "/uniqueItems", "boolean");
    expect_rejected("{\"$defs\":{\"unused\":{\"type\":5}}}", LLMOPS_E_SCHEMA,
                    "/$defs/unused/type", "type name");
    expect_rejected("{\"$anchor\":\"1bad\"}", LLMOPS_E_SCHEMA, "/$anchor", "not a valid anchor");
    expect_rejected("{\"$id\":\"http://x.test/a#frag\"}", LLMOPS_E_SCHEMA, "/$id", "fragment");
    expect_rejected("42", LLMOPS_E_SCHEMA, "\"\"", "object or a boolean");
}

Test(invalid, unknown_references_are_named)
{
    expect_rejected("{\"properties\":{\"x\":{\"$ref\":\"#/$defs/missing\"}}}", LLMOPS_E_SCHEMA,
                    "/properties/x/$ref", "\"#/$defs/missing\" has no target");
    expect_rejected("{\"$ref\":\"#nowhere\"}", LLMOPS_E_SCHEMA, "/$ref", "#nowhere");
    /* no resolver: another document cannot be loaded, and is named */
    expect_rejected("{\"$ref\":\"https://example.test/other.json#/x\"}", LLMOPS_E_SCHEMA, "/$ref",
                    "cannot resolve reference \"https://example.test/other.json#/x\"");
    expect_rejected("{\"$defs\":{\"a\":{\"const\":1}},\"$ref\":\"#/$defs/a/const\"}",
                    LLMOPS_E_SCHEMA, "/$ref", "does not point to a schema");
    expect_rejected("{\"$schema\":\"https://example.test/meta\"}", LLMOPS_E_SCHEMA,
                    "/$schema",
                    "cannot load meta-schema \"https://example.test/meta\"");
}

static const llmops_json *one_doc_resolver(void *ud, const char *uri)
{
    llmops_json_doc **docs = ud;
    if (!strcmp(uri, "https://example.test/defs.json"))
        return llmops_json_doc_root(docs[0]);
    if (!strcmp(uri, "https://example.test/vocab-meta"))
        return llmops_json_doc_root(docs[1]);
    return NULL;
}

Test(invalid, resolver_documents_and_vocabularies)
{
    llmops_json_doc *docs[2];
    docs[0] = st_parse("{\"$defs\":{\"id\":{\"type\":\"string\",\"maxLength\":2}}}");
    docs[1] = st_parse("{\"$vocabulary\":{\"https://json-schema.org/draft/2020-12/vocab/core\":"
                       "true,\"https://example.test/vocab/secret-sauce\":true}}");
    llmops__schema_options o = { .resolve = one_doc_resolver, .resolve_ud = docs };
    llmops_json_doc *sd = st_parse(
        "{\"properties\":{\"user\":{\"$ref\":\"https://example.test/defs.json#/$defs/id\"}}}");
    llmops__schema *s = NULL;
    llmops__buf err = LLMOPS__BUF_INIT;
    cr_assert_eq(llmops__schema_compile(&s, llmops_json_doc_root(sd), &o, &err), LLMOPS_OK, "%s",
                 err.data ? err.data : "");
    llmops__schema_result r = check(s, "{\"user\":\"x-1\"}", 4);
    cr_assert_eq(r.valid, 0);
    expect_error(&r, "/user", "https://example.test/defs.json#/$defs/id/maxLength",
                 "string has 3 characters, more than maxLength 2");
    llmops__schema_result_free(&r);
    llmops__schema_free(s);
    llmops_json_doc_free(sd);

    /* a meta-schema that requires a vocabulary this validator does not know */
    sd = st_parse("{\"$schema\":\"https://example.test/vocab-meta\",\"type\":\"string\"}");
    llmops__buf_clear(&err);
    cr_assert_eq(llmops__schema_compile(&s, llmops_json_doc_root(sd), &o, &err),
                 LLMOPS_E_UNSUPPORTED);
    cr_assert(strstr(err.data, "secret-sauce") != NULL, "%s", err.data);
    llmops_json_doc_free(sd);
    llmops__buf_free(&err);
    llmops_json_doc_free(docs[0]);
    llmops_json_doc_free(docs[1]);
}

/* ---- patterns (ECMA-262 on PCRE2) ------------------------------------------------ */

Test(patterns, ecma_semantics_and_messages)
{
    if (!LLMOPS_HAVE_PCRE2) {
        llmops_json_doc *doc = st_parse("{\"pattern\":\"^a\"}");
        llmops__schema *s = NULL;
        llmops__buf err = LLMOPS__BUF_INIT;
        cr_assert_eq(llmops__schema_compile(&s, llmops_json_doc_root(doc), NULL, &err),
                     LLMOPS_E_UNSUPPORTED);
        cr_assert(strstr(err.data, "PCRE2") != NULL, "%s", err.data);
        llmops__buf_free(&err);
        llmops_json_doc_free(doc);
        cr_skip_test("this build has no PCRE2: patterns are reported as unsupported");
    }
    compiled c = compile_text("{\"properties\":{"
                              "\"id\":{\"pattern\":\"^[a-z]+-\\\\d+$\"},"
                              "\"w\":{\"pattern\":\"^\\\\w+$\"},"
                              "\"u\":{\"pattern\":\"^\\\\u00e9\\\\p{Letter}$\"},"
                              "\"end\":{\"pattern\":\"x$\"}},"
                              "\"patternProperties\":{\"^meta_\":{\"type\":\"string\"}}}",
                              0);
    llmops__schema_result r = check(c.s,
                                    "{\"id\":\"user-\xd9\xa3\",\"w\":\"caf\xc3\xa9\","
                                    "\"u\":\"\xc3\xa9\xc3\xa9\",\"end\":\"x\\n\",\"meta_a\":1}",
                                    16);
    cr_assert_eq(r.valid, 0);
    /* \d and \w are ASCII in ECMA-262; $ does not match before a final newline */
    expect_error(&r, "/id", "/properties/id/pattern",
                 "string does not match pattern \"^[a-z]+-\\d+$\"");
    expect_error(&r, "/w", "/properties/w/pattern", "string does not match pattern \"^\\w+$\"");
    expect_error(&r, "/end", "/properties/end/pattern", "string does not match pattern \"x$\"");
    expect_error(&r, "/meta_a", "/patternProperties/^meta_/type", "expected string, got integer");
    cr_assert_null(find_error(&r, "/u"), "\\u00e9 and \\p{Letter} match \"\xc3\xa9\xc3\xa9\"");
    cr_assert_eq(r.nerrors, 4);
    llmops__schema_result_free(&r);
    r = check(c.s, "{\"id\":\"user-42\",\"w\":\"a_1\",\"end\":\"ax\",\"meta_b\":\"s\"}", 16);
    cr_assert_eq(r.valid, 1);
    llmops__schema_result_free(&r);
    llmops__schema_free(c.s);

    expect_rejected("{\"pattern\":\"([a-z\"}", LLMOPS_E_SCHEMA, "/pattern",
                    "invalid regular expression");
    expect_rejected("{\"patternProperties\":{\"(?i)x\":{}}}", LLMOPS_E_SCHEMA,
                    "/patternProperties/(?i)x", "not ECMA-262");
    expect_rejected("{\"pattern\":\"\\\\a\"}", LLMOPS_E_SCHEMA, "/pattern", "not ECMA-262");
}

Test(errors, forbidden_members_name_the_false_subschema)
{
    compiled c = compile_text("{\"properties\":{\"secret\":false,\"ok\":true},"
                              "\"unevaluatedProperties\":false}",
                              0);
    llmops__schema_result r = check(c.s, "{\"ok\":1,\"secret\":1,\"z\":2}", 8);
    cr_assert_eq(r.valid, 0);
    cr_assert_eq(r.nerrors, 2);
    expect_error(&r, "/secret", "/properties/secret", "property \"secret\" is not allowed");
    expect_error(&r, "/z", "/unevaluatedProperties", "property \"z\" is not allowed");
    llmops__schema_result_free(&r);
    llmops__schema_free(c.s);
}

Test(errors, failed_unions_explain_the_closest_branch)
{
    compiled c = compile_text(
        "{\"oneOf\":["
        "{\"type\":\"object\",\"required\":[\"kind\",\"text\"],"
        "\"properties\":{\"kind\":{\"const\":\"msg\"}}},"
        "{\"type\":\"object\",\"required\":[\"kind\",\"url\"],"
        "\"properties\":{\"kind\":{\"const\":\"link\"},"
        "\"url\":{\"anyOf\":[{\"type\":\"string\"},{\"type\":\"null\"}]}}},"
        "{\"type\":\"string\"}]}",
        0);
    llmops__schema_result r = check(c.s, "{\"kind\":\"link\"}", 8);
    cr_assert_eq(r.valid, 0);
    cr_assert_eq(r.nerrors, 2);
    cr_expect_str_eq(r.errors[0].message,
                     "matches none of the 3 schemas in oneOf (closest: oneOf/1, errors follow)");
    cr_expect_str_eq(r.errors[0].schema_path, "/oneOf");
    cr_expect_str_eq(r.errors[1].message, "missing required property \"url\"");
    cr_expect_str_eq(r.errors[1].schema_path, "/oneOf/1/required");
    llmops__schema_result_free(&r);

    r = check(c.s, "{\"kind\":\"link\",\"url\":3}", 8);
    cr_assert_eq(r.nerrors, 2);
    cr_expect_str_eq(r.errors[1].instance_path, "/url");
    cr_expect_str_eq(r.errors[1].message,
                     "matches none of the 2 schemas in anyOf: expected null or string, got integer");
    llmops__schema_result_free(&r);

    /* the verdict alone never pays for explanations */
    r = check(c.s, "{\"kind\":\"link\"}", 0);
    cr_assert_eq(r.valid, 0);
    cr_assert_eq(r.nerrors, 0);
    llmops__schema_result_free(&r);
    llmops__schema_free(c.s);
}
