/*
 * libFuzzer target for the JSON Schema validator (src/schema).
 *
 * Build and run with fuzz/build.sh OUT schema_fuzz and fuzz/run.sh. For every
 * input that parses as JSON:
 *   - an object or boolean is compiled as a schema and, when it compiles,
 *     validated against fixed instances and against the input itself;
 *   - an array of official-suite groups ({"schema":..., "tests":[{"data"}]},
 *     the seed corpus) has each group's schema compiled and its data
 *     validated;
 *   - the input is validated as an instance against fixed schemas that use
 *     every applicator family.
 * Checked each time: status is OK or LIMIT (memory does not run out here);
 * a valid verdict has no errors, an invalid one with room for errors
 * has at least one; the verdict does not depend on max_errors; every error
 * carries JSON Pointers and a message; a failed compile says why.
 * Any violation calls abort(), which libFuzzer reports as a crash.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "llmops.h"
#include "schema/schema.h"

#define CHECK(cond)                                                                 \
    do {                                                                            \
        if (!(cond)) {                                                              \
            fprintf(stderr, "schema_fuzz: check failed at line %d: %s\n", __LINE__, \
                    #cond);                                                         \
            abort();                                                                \
        }                                                                           \
    } while (0)

static const char *const instances[] = {
    "null", "true", "0", "-1.5", "1e308", "\"abc\"", "\"\"", "[1,\"a\",[],{}]",
    "[1,1]", "{\"a\":1,\"b\":[true,null],\"c\":{\"d\":\"e\"}}", "{}",
};

static const char *const fixed_schemas[] = {
    "{\"$defs\":{\"node\":{\"$dynamicAnchor\":\"n\",\"type\":[\"object\",\"array\",\"string\","
    "\"number\",\"boolean\",\"null\"],\"properties\":{\"a\":{\"$dynamicRef\":\"#n\"}},"
    "\"items\":{\"$ref\":\"#/$defs/node\"},\"unevaluatedProperties\":{\"not\":{\"type\":"
    "\"object\"}}}},\"$ref\":\"#/$defs/node\"}",
    "{\"anyOf\":[{\"type\":\"array\",\"prefixItems\":[{\"type\":\"integer\"}],"
    "\"contains\":{\"type\":\"string\"},\"minContains\":1,\"maxContains\":3,"
    "\"uniqueItems\":true,\"unevaluatedItems\":false},{\"type\":\"object\","
    "\"dependentSchemas\":{\"a\":{\"required\":[\"b\"]}},\"propertyNames\":{\"maxLength\":3},"
    "\"if\":{\"minProperties\":2},\"then\":{\"maxProperties\":4},\"else\":{\"const\":{}}},"
    "{\"oneOf\":[{\"type\":\"number\",\"multipleOf\":0.5},{\"minimum\":10}]},"
    "{\"enum\":[null,\"abc\",[1]]}]}",
    "{\"type\":\"string\",\"minLength\":1,\"maxLength\":8,\"format\":\"date-time\"}",
};

static int is_pointer(const char *p)
{
    return p && (p[0] == '\0' || p[0] == '/');
}

static void validate_checked(const llmops__schema *s, const llmops_json *inst)
{
    llmops__schema_result r0, r8;
    llmops_status st0 = llmops__schema_validate(s, inst, 0, &r0);
    llmops_status st8 = llmops__schema_validate(s, inst, 8, &r8);
    CHECK(st0 == LLMOPS_OK || st0 == LLMOPS_E_LIMIT);
    CHECK(st8 == LLMOPS_OK || st8 == LLMOPS_E_LIMIT);
    CHECK(r0.nerrors == 0);
    CHECK(r8.nerrors <= 8);
    if (st8 == LLMOPS_OK) {
        CHECK(r8.valid ? r8.nerrors == 0 : r8.nerrors > 0);
        if (st0 == LLMOPS_OK)
            CHECK(r0.valid == r8.valid);
    } else {
        CHECK(!r8.valid);
    }
    for (size_t i = 0; i < r8.nerrors; i++) {
        CHECK(is_pointer(r8.errors[i].instance_path));
        CHECK(r8.errors[i].schema_path != NULL);
        CHECK(r8.errors[i].message && r8.errors[i].message[0]);
    }
    llmops__schema_result_free(&r0);
    llmops__schema_result_free(&r8);
}

/* Remote documents the input may $ref: one fixed schema, everything else unknown. */
static llmops_json_doc *remote_doc;

static const llmops_json *resolve(void *ud, const char *uri)
{
    (void)ud;
    if (!strcmp(uri, "http://localhost:1234/integer.json"))
        return llmops_json_doc_root(remote_doc);
    return NULL;
}

static llmops__schema *compile_checked(const llmops_json *schema)
{
    llmops__schema_options o = { .resolve = resolve, .max_depth = 48, .max_steps = 200000 };
    llmops__schema *s = NULL;
    llmops__buf err = LLMOPS__BUF_INIT;
    llmops_status st = llmops__schema_compile(&s, schema, &o, &err);
    if (st == LLMOPS_OK) {
        CHECK(s != NULL);
    } else {
        CHECK(s == NULL);
        CHECK(st == LLMOPS_E_SCHEMA || st == LLMOPS_E_LIMIT || st == LLMOPS_E_UNSUPPORTED);
        CHECK(err.data && err.len > 0);
    }
    llmops__buf_free(&err);
    return s;
}

static llmops_json_doc *fixed_docs[sizeof instances / sizeof instances[0]];
static llmops__schema *fixed_compiled[sizeof fixed_schemas / sizeof fixed_schemas[0]];

static void init_once(void)
{
    static int done;
    if (done)
        return;
    done = 1;
    const char *integer = "{\"type\":\"integer\"}";
    CHECK(llmops_json_parse(&remote_doc, integer, strlen(integer), NULL, NULL) == LLMOPS_OK);
    for (size_t i = 0; i < sizeof instances / sizeof instances[0]; i++)
        CHECK(llmops_json_parse(&fixed_docs[i], instances[i], strlen(instances[i]), NULL, NULL) ==
              LLMOPS_OK);
    for (size_t i = 0; i < sizeof fixed_schemas / sizeof fixed_schemas[0]; i++) {
        llmops_json_doc *d = NULL;
        CHECK(llmops_json_parse(&d, fixed_schemas[i], strlen(fixed_schemas[i]), NULL, NULL) ==
              LLMOPS_OK);
        fixed_compiled[i] = compile_checked(llmops_json_doc_root(d));
        CHECK(fixed_compiled[i] != NULL);
        llmops_json_doc_free(d); /* compiled schemas keep nothing of the text */
    }
}

static void schema_with_instances(const llmops_json *schema, const llmops_json *extra,
                                  const llmops_json *tests)
{
    llmops__schema *s = compile_checked(schema);
    if (!s)
        return;
    for (size_t i = 0; i < sizeof instances / sizeof instances[0]; i++)
        validate_checked(s, llmops_json_doc_root(fixed_docs[i]));
    if (extra)
        validate_checked(s, extra);
    for (size_t i = 0; i < llmops_json_size(tests) && i < 16; i++) {
        const llmops_json *d = llmops_json_get(llmops_json_at(tests, i), "data");
        if (d)
            validate_checked(s, d);
    }
    llmops__schema_free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    init_once();
    llmops_json_parse_options po = LLMOPS_JSON_PARSE_OPTIONS_INIT;
    po.max_depth = 64;
    po.max_size = 1 << 16;
    llmops_json_doc *doc = NULL;
    if (llmops_json_parse(&doc, (const char *)data, size, &po, NULL) != LLMOPS_OK)
        return 0;
    const llmops_json *root = llmops_json_doc_root(doc);
    llmops_json_type t = llmops_json_type_of(root);
    if (t == LLMOPS_JSON_OBJECT || t == LLMOPS_JSON_BOOL) {
        schema_with_instances(root, root, NULL);
    } else if (t == LLMOPS_JSON_ARRAY) {
        for (size_t g = 0; g < llmops_json_size(root) && g < 8; g++) {
            const llmops_json *group = llmops_json_at(root, g);
            const llmops_json *schema = llmops_json_get(group, "schema");
            if (schema)
                schema_with_instances(schema, NULL, llmops_json_get(group, "tests"));
        }
    }
    for (size_t i = 0; i < sizeof fixed_schemas / sizeof fixed_schemas[0]; i++)
        validate_checked(fixed_compiled[i], root);
    llmops_json_doc_free(doc);
    return 0;
}
