/* Small helpers shared by the JSON suites. */
#ifndef LLMOPS_TEST_JSON_H
#define LLMOPS_TEST_JSON_H

#include <criterion/criterion.h>
#include <string.h>

#include "llmops.h"

/* Parse a NUL-terminated literal with default options; asserts success. */
static inline llmops_json_doc *jt_parse(const char *text)
{
    llmops_json_doc *doc = NULL;
    llmops_json_error err = LLMOPS_JSON_ERROR_INIT;
    llmops_status st = llmops_json_parse(&doc, text, strlen(text), NULL, &err);
    cr_assert_eq(st, LLMOPS_OK, "parse failed: %s at %u:%u", err.message, err.line, err.column);
    return doc;
}

/* Serialize with `flags` and compare with the expected text; frees it. */
static inline void jt_expect_write(const llmops_json *v, unsigned flags, const char *expected)
{
    char *out = NULL;
    size_t len = 0;
    cr_assert_eq(llmops_json_write(&out, &len, v, flags), LLMOPS_OK);
    cr_expect_eq(len, strlen(out));
    cr_expect_str_eq(out, expected);
    llmops_free(out);
}

#endif
