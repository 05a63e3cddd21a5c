/* Helpers shared by the template suites. */
#ifndef LLMOPS_TEST_TMPL_H
#define LLMOPS_TEST_TMPL_H

#include <criterion/criterion.h>
#include <string.h>

#include "llmops.h"
#include "core/alloc.h"
#include "core/strbuf.h"
#include "template/mustache.h"

/* Partials from a JSON object {name: source}. */
static inline int tt_partials(void *ud, const char *name, size_t len, const char **src,
                              size_t *slen)
{
    const llmops_json *v = llmops_json_getn((const llmops_json *)ud, name, len);
    const char *s = llmops_json_string(v, slen);
    if (!s)
        return 0;
    *src = s;
    return 1;
}

/* Compile and render; returns the status; *out (malloc'd by the library,
 * free with llmops__free) holds the text on success. */
static inline llmops_status tt_render(const char *tmpl, const char *data_json,
                                      const char *partials_json, unsigned mode, char **out,
                                      llmops__tmpl_error *err)
{
    llmops_json_doc *data = NULL, *parts = NULL;
    *out = NULL;
    cr_assert_eq(llmops_json_parse(&data, data_json, strlen(data_json), NULL, NULL), LLMOPS_OK,
                 "bad test data JSON: %s", data_json);
    if (partials_json)
        cr_assert_eq(llmops_json_parse(&parts, partials_json, strlen(partials_json), NULL, NULL),
                     LLMOPS_OK);
    llmops__tmpl *t = NULL;
    llmops_status st = llmops__tmpl_compile(&t, tmpl, strlen(tmpl), err);
    if (st == LLMOPS_OK) {
        llmops__buf b = LLMOPS__BUF_INIT;
        st = llmops__tmpl_render(t, llmops_json_doc_root(data), mode,
                                 parts ? tt_partials : NULL,
                                 parts ? (void *)llmops_json_doc_root(parts) : NULL, &b, err);
        if (st == LLMOPS_OK) {
            *out = llmops__buf_detach(&b, NULL);
            cr_assert(*out != NULL);
        }
        llmops__buf_free(&b);
        llmops__tmpl_free(t);
    }
    llmops_json_doc_free(data);
    llmops_json_doc_free(parts);
    return st;
}

/* Render in `mode` and expect `expected`. */
static inline void tt_expect(const char *tmpl, const char *data_json, unsigned mode,
                             const char *expected)
{
    char *out = NULL;
    llmops__tmpl_error err;
    llmops_status st = tt_render(tmpl, data_json, NULL, mode, &out, &err);
    cr_assert_eq(st, LLMOPS_OK, "render of \"%s\" failed: %s (%s at %u:%u)", tmpl,
                 llmops_status_str(st), err.message, err.line, err.column);
    cr_expect_str_eq(out, expected, "template \"%s\"", tmpl);
    llmops__free(out);
}

#endif
