/* Helpers for the contract suite. */
#include "ct_test.h"

#include <stdlib.h>
#include <string.h>

llmops_json_doc *ct_doc(const char *json)
{
    llmops_json_doc *doc = NULL;
    llmops_json_error e = LLMOPS_JSON_ERROR_INIT;
    llmops_status st = llmops_json_parse(&doc, json, strlen(json), NULL, &e);
    cr_assert_eq(st, LLMOPS_OK, "test JSON does not parse: %s (%s)", e.message, json);
    return doc;
}

static llmops_status make(const ct_spec *s, llmops__contract **out, llmops__buf *err)
{
    llmops_json_doc *doc = s->schema ? ct_doc(s->schema) : NULL;
    llmops__contract_spec spec = { 0 };
    spec.json = s->json;
    spec.schema = doc ? llmops_json_doc_root(doc) : NULL;
    spec.extract_json = s->extract;
    spec.max_length = s->max_length;
    spec.required = s->required;
    spec.nrequired = s->nrequired;
    spec.forbidden = s->forbidden;
    spec.nforbidden = s->nforbidden;
    llmops_status st = llmops__contract_new(out, &spec, err);
    llmops_json_doc_free(doc);
    return st;
}

llmops__contract *ct_make(const ct_spec *s)
{
    llmops__contract *c = NULL;
    llmops__buf err = LLMOPS__BUF_INIT;
    llmops_status st = make(s, &c, &err);
    cr_assert_eq(st, LLMOPS_OK, "contract does not compile: %s: %s", llmops_status_str(st),
                 err.data ? err.data : "(no message)");
    cr_assert_not_null(c);
    llmops__buf_free(&err);
    return c;
}

llmops_status ct_make_fail(const ct_spec *s, char **msg)
{
    llmops__contract *c = (llmops__contract *)1;
    llmops__buf err = LLMOPS__BUF_INIT;
    llmops_status st = make(s, &c, &err);
    cr_assert_neq(st, LLMOPS_OK, "contract compiled but should not have");
    cr_assert_null(c, "a failed compile must leave *out NULL");
    *msg = strdup(err.data ? err.data : "");
    llmops__buf_free(&err);
    return st;
}

void ct_check(const llmops__contract *c, const char *text, llmops__contract_result *res)
{
    llmops_status st = llmops__contract_check(c, text, strlen(text), res);
    cr_assert_eq(st, LLMOPS_OK, "check failed to run: %s", llmops_status_str(st));
    cr_assert_eq(res->ok, res->n == 0, "verdict and violation count disagree");
    for (size_t i = 0; i < res->n; i++) {
        cr_assert_not_null(res->v[i].kind);
        cr_assert_not_null(res->v[i].message);
        cr_assert_gt(strlen(res->v[i].message), 0, "violation %zu has an empty message", i);
    }
}

const llmops__violation *ct_find(const llmops__contract_result *r, const char *kind, size_t nth)
{
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->v[i].kind, kind) == 0 && nth-- == 0)
            return &r->v[i];
    return NULL;
}

size_t ct_count(const llmops__contract_result *r, const char *kind)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n; i++)
        n += strcmp(r->v[i].kind, kind) == 0;
    return n;
}

llmops__schema *ct_schema(const char *json)
{
    llmops_json_doc *doc = ct_doc(json);
    llmops__schema *s = NULL;
    llmops__buf err = LLMOPS__BUF_INIT;
    llmops_status st = llmops__schema_compile(&s, llmops_json_doc_root(doc), NULL, &err);
    cr_assert_eq(st, LLMOPS_OK, "schema does not compile: %s", err.data ? err.data : "");
    llmops__buf_free(&err);
    llmops_json_doc_free(doc);
    return s;
}
