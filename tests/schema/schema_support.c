/* Running the official JSON Schema test suite files and serving its remotes. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "llmops_config.h"
#include "schema_support.h"
#include "testdata.h"

llmops_json_doc *st_parse(const char *text)
{
    llmops_json_doc *doc = NULL;
    llmops_json_error err = LLMOPS_JSON_ERROR_INIT;
    llmops_status st = llmops_json_parse(&doc, text, strlen(text), NULL, &err);
    cr_assert_eq(st, LLMOPS_OK, "test JSON does not parse at %zu: %s", err.offset, err.message);
    return doc;
}

const llmops_json *st_resolve(void *ud, const char *uri)
{
    st_remotes *r = ud;
    static const char prefix[] = "http://localhost:1234/";
    r->calls++;
    if (strncmp(uri, prefix, sizeof prefix - 1) != 0)
        return NULL;
    char rel[1024];
    snprintf(rel, sizeof rel, "jsonschema/remotes/%s", uri + sizeof prefix - 1);
    const char *path = lt_testdata_path(rel);
    if (!path)
        return NULL;
    size_t len;
    char *text = lt_read_file(path, &len);
    if (!text)
        return NULL;
    llmops_json_doc *doc = NULL;
    llmops_status st = llmops_json_parse(&doc, text, len, NULL, NULL);
    free(text);
    if (st != LLMOPS_OK)
        return NULL;
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 8;
        r->docs = realloc(r->docs, r->cap * sizeof *r->docs);
        cr_assert_not_null(r->docs);
    }
    r->docs[r->n++] = doc;
    return llmops_json_doc_root(doc);
}

void st_remotes_free(st_remotes *r)
{
    for (size_t i = 0; i < r->n; i++)
        llmops_json_doc_free(r->docs[i]);
    free(r->docs);
    memset(r, 0, sizeof *r);
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

int st_run_file(const char *path, int format_assert, st_counts *out)
{
    size_t len;
    char *text = lt_read_file(path, &len);
    if (!text)
        return -1;
    llmops_json_doc *doc = NULL;
    llmops_status pst = llmops_json_parse(&doc, text, len, NULL, NULL);
    free(text);
    if (pst != LLMOPS_OK)
        return -1;
    const llmops_json *groups = llmops_json_doc_root(doc);
    for (size_t g = 0; g < llmops_json_size(groups); g++) {
        const llmops_json *group = llmops_json_at(groups, g);
        const char *gdesc = llmops_json_string(llmops_json_get(group, "description"), NULL);
        const llmops_json *tests = llmops_json_get(group, "tests");
        st_remotes remotes = { 0 };
        llmops__schema_options opts = { .resolve = st_resolve, .resolve_ud = &remotes,
                                        .format_assert = format_assert };
        llmops__schema *s = NULL;
        llmops__buf err = LLMOPS__BUF_INIT;
        llmops_status st = llmops__schema_compile(&s, llmops_json_get(group, "schema"), &opts,
                                                  &err);
        if (st == LLMOPS_E_UNSUPPORTED && !LLMOPS_HAVE_PCRE2 && err.data &&
            strstr(err.data, "PCRE2")) {
            out->skipped += llmops_json_size(tests);
        } else if (st != LLMOPS_OK) {
            fprintf(stderr, "  FAIL %s: \"%s\": schema does not compile (%s): %s\n",
                    base_name(path), gdesc, llmops_status_str(st), err.data ? err.data : "");
            out->failed += llmops_json_size(tests);
            out->compile_errors++;
        }
        for (size_t t = 0; s && t < llmops_json_size(tests); t++) {
            const llmops_json *tc = llmops_json_at(tests, t);
            int want = llmops_json_is_true(llmops_json_get(tc, "valid"));
            llmops__schema_result res;
            /* errors collected too, so the error path runs on every case */
            st = llmops__schema_validate(s, llmops_json_get(tc, "data"), 8, &res);
            int got = st == LLMOPS_OK && res.valid;
            int errors_ok = res.valid ? res.nerrors == 0 : res.nerrors > 0;
            if (st == LLMOPS_OK && got == want && errors_ok) {
                out->passed++;
            } else {
                out->failed++;
                fprintf(stderr, "  FAIL %s: \"%s\" / \"%s\": expected %s, got %s%s%s\n",
                        base_name(path), gdesc,
                        llmops_json_string(llmops_json_get(tc, "description"), NULL),
                        want ? "valid" : "invalid",
                        st != LLMOPS_OK ? llmops_status_str(st) : got ? "valid" : "invalid",
                        res.nerrors ? ": " : "", res.nerrors ? res.errors[0].message : "");
            }
            llmops__schema_result_free(&res);
        }
        llmops__schema_free(s);
        llmops__buf_free(&err);
        st_remotes_free(&remotes);
    }
    llmops_json_doc_free(doc);
    return 0;
}
