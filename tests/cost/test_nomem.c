/* Allocation failure: every allocation loading a table and adding overrides
 * makes is failed in turn; each run ends in LLMOPS_E_NO_MEMORY with nothing
 * left allocated, and the first run that has enough memory succeeds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cost_test.h"

static long budget = -1; /* allocations left before failing; -1 = unlimited */
static long live;        /* outstanding blocks */

static int take(void)
{
    if (budget == 0)
        return 0;
    if (budget > 0)
        budget--;
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

static const char table[] =
    "{\"sample_spec\": {}, \"a\": {\"input_cost_per_token\": 1, \"litellm_provider\": \"x\","
    " \"input_cost_per_token_above_1k_tokens\": 2},"
    " \"b\": {\"output_cost_per_token\": \"bad\"}, \"c\": {\"output_cost_per_token\": 2},"
    " \"d\": 5, \"e\": {\"mode\": \"image_generation\"}}";

Test(nomem, parse_fails_cleanly_at_every_allocation)
{
    install();
    int succeeded = 0;
    for (long n = 0; n < 200 && !succeeded; n++) {
        budget = n;
        live = 0;
        llmops__prices *p = NULL;
        llmops__buf err = LLMOPS__BUF_INIT;
        budget = n;
        llmops_status st = llmops__prices_parse(table, strlen(table), &p, &err);
        budget = -1;
        if (st == LLMOPS_OK) {
            succeeded = 1;
            llmops__prices_info info;
            llmops__prices_info_get(p, &info);
            cr_assert_eq(info.models, 2);
            cr_assert_eq(info.skipped, 2);
            cr_assert_not_null(strstr(llmops__prices_warnings(p), "'b': output_cost_per_token"));
            llmops_usage u = LLMOPS_USAGE_INIT;
            u.input_tokens = 1001;
            cr_assert_eq(llmops__prices_find_usage(p, NULL, "a", &u)->input, 2.0);
            llmops__prices_free(p);
        } else {
            cr_assert_eq(st, LLMOPS_E_NO_MEMORY, "allocation %ld: %s", n, llmops_status_str(st));
            cr_assert_null(p);
        }
        llmops__buf_free(&err);
        cr_assert_eq(live, 0, "allocation %ld failing leaks %ld blocks", n, live);
    }
    cr_assert(succeeded, "never succeeded within 200 allocations");
}

Test(nomem, set_fails_cleanly_at_every_allocation)
{
    install();
    int succeeded = 0;
    for (long n = 0; n < 100 && !succeeded; n++) {
        live = 0;
        llmops__prices *p = NULL;
        cr_assert_eq(llmops__prices_parse(table, strlen(table), &p, NULL), LLMOPS_OK);
        llmops__price o = { 1e-6, 2e-6, NAN, NAN, NAN };
        /* Enough new ids to grow the entries and rebuild the index. */
        llmops_status st = LLMOPS_OK;
        char id[16];
        int added = 0;
        budget = n;
        for (; added < 20; added++) {
            snprintf(id, sizeof id, "new-%d", added);
            st = llmops__prices_set(p, id, &o);
            if (st != LLMOPS_OK)
                break;
        }
        budget = -1;
        if (st == LLMOPS_OK) {
            succeeded = 1;
        } else {
            cr_assert_eq(st, LLMOPS_E_NO_MEMORY);
            cr_assert_not_null(llmops__prices_find(p, NULL, "a"));
            snprintf(id, sizeof id, "new-%d", added);
            cr_assert_null(llmops__prices_find(p, NULL, id), "a failed set left %s behind", id);
        }
        /* The table is still whole: everything added before the failure is there. */
        for (int i = 0; i < added; i++) {
            snprintf(id, sizeof id, "new-%d", i);
            cr_assert_not_null(llmops__prices_find(p, NULL, id), "%s lost", id);
        }
        llmops__prices_free(p);
        cr_assert_eq(live, 0, "allocation %ld failing leaks %ld blocks", n, live);
    }
    cr_assert(succeeded);
}
