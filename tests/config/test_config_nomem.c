/* Allocation failure: every allocation made while reading YAML and a whole
 * configuration is made to fail in turn; each run must end in
 * LLMOPS_E_NO_MEMORY (or succeed) without a crash or a leak. Criterion runs
 * each test in its own process, so the replaced allocator stays here.
 * (libyaml's own buffers use malloc directly and are not counted.) */
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "llmops_config.h"
#include "testdata.h"

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

static void setup(void)
{
    if (!LLMOPS_HAVE_YAML)
        cr_skip_test("built without libyaml");
    llmops_allocator a = { LLMOPS_ALLOCATOR_VERSION, f_alloc, f_realloc, f_free, NULL };
    cr_assert_eq(llmops_set_allocator(&a), LLMOPS_OK);
}

TestSuite(config_nomem, .init = setup);

Test(config_nomem, yaml_parse_fails_cleanly_at_every_allocation)
{
    static const char text[] = "a: &a {x: [1, 2.5, true, null, \"s\"], y: {z: w}}\n"
                               "b: [*a, *a]\nc: |\n  block\n";
    long n;
    for (n = 0; n < 100000; n++) {
        budget = n;
        live = 0;
        llmops_json_doc *doc = NULL;
        llmops__yaml_positions *pos = NULL;
        llmops__buf err = LLMOPS__BUF_INIT;
        llmops_status st = llmops__yaml_parse(text, sizeof text - 1, &doc, &pos, &err);
        budget = -1;
        llmops__buf_free(&err);
        if (st == LLMOPS_OK) {
            cr_assert_not_null(llmops__yaml_pos_of(pos, llmops_json_doc_root(doc)));
            llmops__yaml_positions_free(pos);
            llmops_json_doc_free(doc);
            cr_assert_eq(live, 0, "leak after success at budget %ld", n);
            break;
        }
        cr_assert_eq(st, LLMOPS_E_NO_MEMORY, "budget %ld: status %d", n, st);
        cr_assert(doc == NULL && pos == NULL);
        cr_assert_eq(live, 0, "%ld blocks leaked at budget %ld", live, n);
    }
    cr_expect_gt(n, 3, "the parse should need several allocations");
}

Test(config_nomem, config_parse_fails_cleanly_at_every_allocation)
{
    size_t len;
    budget = -1;
    char *text = lt_read_file(LLMOPS_SOURCE_ROOT "/tests/config/fixtures/full.yaml", &len);
    cr_assert_not_null(text);
    long n;
    for (n = 0; n < 100000; n++) {
        budget = n;
        live = 0;
        llmops__config *c = NULL;
        llmops__buf err = LLMOPS__BUF_INIT;
        llmops_status st = llmops__config_parse(text, len, "/etc/llmops.yaml", &c, &err);
        budget = -1;
        llmops__buf_free(&err);
        if (st == LLMOPS_OK) {
            cr_assert_not_null(llmops__config_task(c, "answer"));
            llmops__config_free(c);
            cr_assert_eq(live, 0, "leak after success at budget %ld", n);
            break;
        }
        cr_assert_eq(st, LLMOPS_E_NO_MEMORY, "budget %ld: status %d", n, st);
        cr_assert_null(c);
        cr_assert_eq(live, 0, "%ld blocks leaked at budget %ld", live, n);
    }
    cr_expect_gt(n, 10);
    free(text);
}

Test(config_nomem, invalid_config_fails_cleanly_at_every_allocation)
{
    static const char text[] = "version: 2\nproviders:\n  p: {type: opnai, base_ur: x}\n"
                               "tasks:\n  t: {prompt: p, model: nope, tools: [a, b]}\n";
    long n;
    for (n = 0; n < 100000; n++) {
        budget = n;
        live = 0;
        llmops__config *c = NULL;
        llmops__buf err = LLMOPS__BUF_INIT;
        llmops_status st = llmops__config_parse(text, sizeof text - 1, NULL, &c, &err);
        budget = -1;
        llmops__buf_free(&err);
        cr_assert_null(c);
        cr_assert_eq(live, 0, "%ld blocks leaked at budget %ld", live, n);
        if (st == LLMOPS_E_CONFIG)
            break;
        cr_assert_eq(st, LLMOPS_E_NO_MEMORY, "budget %ld: status %d", n, st);
    }
    cr_expect_gt(n, 10);
}
