/* Allocation failure: every allocation a contract makes (compile, check,
 * re-ask message, summary, input check) is made to fail in turn; each run ends in
 * LLMOPS_E_NO_MEMORY or success, without a crash or a leak. Criterion runs
 * each test in its own process, so the replaced allocator stays here. */
#include <stdlib.h>
#include <string.h>

#include "ct_test.h"

static long budget = -1; /* allocations left before failing; -1 = unlimited */
static long live;        /* outstanding blocks */
static long made;        /* allocations made */

static int take(void)
{
    if (budget == 0)
        return 0;
    if (budget > 0)
        budget--;
    made++;
    return 1;
}

static void *f_alloc(size_t n, void *ctx)
{
    (void)ctx;
    if (!take())
        return NULL;
    void *p = malloc(n ? n : 1);
    live += p != NULL;
    return p;
}

static void *f_realloc(void *p, size_t n, void *ctx)
{
    (void)ctx;
    if (!take())
        return NULL;
    void *q = realloc(p, n ? n : 1);
    if (q && !p)
        live++;
    return q;
}

static void f_free(void *p, void *ctx)
{
    (void)ctx;
    if (p)
        live--;
    free(p);
}

static void install(void)
{
    llmops_allocator a = { LLMOPS_ALLOCATOR_VERSION, f_alloc, f_realloc, f_free, NULL };
    cr_assert_eq(llmops_set_allocator(&a), LLMOPS_OK);
}

static void uninstall(void)
{
    llmops_set_allocator(NULL);
}

TestSuite(contract_nomem, .init = install, .fini = uninstall);

static const char *schema_text =
    "{\"type\":\"object\",\"required\":[\"answer\",\"score\"],"
    "\"properties\":{\"answer\":{\"type\":\"string\",\"maxLength\":5},"
    "\"score\":{\"type\":\"number\"}},\"additionalProperties\":false}";
static const char *const req[] = { "^\\{", "\"answer\"" };
static const char *const forb[] = { "(?i)as an ai", "\\bTODO\\b" };

/* One full round at the current budget: OK or NO_MEMORY at each step. */
static int round_trip(llmops_json_doc *schema, const char *text)
{
    llmops__contract_spec spec = { 0 };
    spec.json = 1;
    spec.schema = llmops_json_doc_root(schema);
    spec.max_length = 30;
    spec.required = req;
    spec.nrequired = 2;
    spec.forbidden = forb;
    spec.nforbidden = 2;
    llmops__contract *c = NULL;
    llmops__buf err = LLMOPS__BUF_INIT;
    llmops_status st = llmops__contract_new(&c, &spec, &err);
    if (st != LLMOPS_OK) {
        cr_assert_eq(st, LLMOPS_E_NO_MEMORY, "compile: %s: %s", llmops_status_str(st),
                     err.data ? err.data : "");
        llmops__buf_free(&err);
        cr_assert_null(c);
        return 0;
    }
    llmops__buf_free(&err);
    llmops__contract_result r;
    st = llmops__contract_check(c, text, strlen(text), &r);
    int done = 0;
    if (st == LLMOPS_OK) {
        cr_assert_not(r.ok);
        llmops__buf b = LLMOPS__BUF_INIT;
        st = llmops__contract_reask_message(c, &r, &b);
        if (st == LLMOPS_OK)
            st = llmops__contract_summary(&r, &b);
        llmops__buf_free(&b);
        if (st == LLMOPS_OK) {
            llmops__contract_result in;
            st = llmops__input_check(llmops__contract_schema(c),
                                     llmops_json_doc_root(schema), &in);
            if (st == LLMOPS_OK) {
                cr_assert_not(in.ok);
                done = 1;
            } else {
                cr_assert_eq(in.n, 0, "a failed input check leaves an empty result");
            }
            llmops__contract_result_free(&in);
        }
    } else {
        cr_assert_eq(r.n, 0, "a failed check leaves an empty result");
        cr_assert_null(r.json);
    }
    if (st != LLMOPS_OK)
        cr_assert_eq(st, LLMOPS_E_NO_MEMORY, "%s", llmops_status_str(st));
    llmops__contract_result_free(&r);
    llmops__contract_free(c);
    return done;
}

static void every_failure_point(const char *text)
{
    llmops_json_doc *schema = ct_doc(schema_text);
    long base = live;
    budget = -1;
    made = 0;
    cr_assert(round_trip(schema, text), "the unlimited round must complete");
    long total = made;
    cr_assert_gt(total, 5);
    for (long k = 0; k <= total; k++) {
        budget = k;
        int done = round_trip(schema, text);
        cr_assert_eq(live, base, "leak with the allocation %ld failing", k);
        if (k < total)
            cr_assert_not(done, "round completed although allocation %ld failed", k);
    }
    budget = -1;
    llmops_json_doc_free(schema);
}

Test(contract_nomem, embedded_json_with_every_kind_of_violation)
{
    CT_NEED_PCRE2();
    every_failure_point("As an AI: {\"answer\": \"far too long\", \"score\": \"x\", "
                        "\"more\": 1} TODO");
}

Test(contract_nomem, not_json)
{
    CT_NEED_PCRE2();
    every_failure_point("as an ai I will not");
}

Test(contract_nomem, passing_check_allocations)
{
    CT_NEED_PCRE2();
    /* A passing check of a small answer allocates only the parsed document
     * (one block today): the patterns' match data lives on the stack and the
     * validator allocates nothing for a valid instance. */
    llmops__contract_spec spec = { 0 };
    llmops_json_doc *schema = ct_doc(schema_text);
    spec.json = 1;
    spec.schema = llmops_json_doc_root(schema);
    spec.required = req;
    spec.nrequired = 2;
    spec.forbidden = forb;
    spec.nforbidden = 2;
    llmops__contract *c = NULL;
    cr_assert_eq(llmops__contract_new(&c, &spec, NULL), LLMOPS_OK);
    const char *text = "{\"answer\": \"yes\", \"score\": 1}";
    long before = made;
    llmops__contract_result r;
    cr_assert_eq(llmops__contract_check(c, text, strlen(text), &r), LLMOPS_OK);
    long used = made - before;
    cr_expect(r.ok, "%zu violations, first %s", r.n, r.n ? r.v[0].message : "");
    cr_expect_leq(used, 2, "a passing check made %ld allocations", used);
    llmops__contract_result_free(&r);
    llmops__contract_free(c);
    llmops_json_doc_free(schema);
}
