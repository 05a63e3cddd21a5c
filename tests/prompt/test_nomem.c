/* Allocation failure: each allocation of a parse, a render and every
 * registry operation is made to fail in turn; each run must end in
 * LLMOPS_E_NO_MEMORY without a crash or a leak, and a failed promote or
 * rollback must leave a lock file that still reads. Criterion runs every
 * test in its own process, so the replaced allocator stays in this one. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "prompt/internal.h"
#include "template/mustache.h"

static long budget = -1;   /* allocations left before failing; -1 = unlimited */
static long live;          /* outstanding blocks */

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
    llmops_allocator a = { LLMOPS_ALLOCATOR_VERSION, f_alloc, f_realloc, f_free, NULL };
    cr_assert_eq(llmops_set_allocator(&a), LLMOPS_OK);
    pf_mkdir();
}

static void teardown(void)
{
    pf_cleanup();
    llmops_set_allocator(NULL);
}

TestSuite(nomem, .init = setup, .fini = teardown, .timeout = 120);

static const char *SRC =
    "---\n"
    "description: d\n"
    "model: fast\n"
    "params: {temperature: 0.2, stop: [a, b]}\n"
    "input_schema: {type: object, required: [q]}\n"
    "output: {format: json, schema: {type: object}, required: [x]}\n"
    "tools: [t1, t2]\n"
    "---\n"
    "[system]\nYou help with {{product}}.{{#items}} {{.}}{{/items}}\n"
    "[user]\n{{q}}\n";

/* Run `prep` unlimited, then `op` with budgets 0, 1, 2, ... until it succeeds. Every failure must
 * be LLMOPS_E_NO_MEMORY; every run must free what it took. */
#define SWEEP(prep, op_expr, cleanup)                                                        \
    do {                                                                                     \
        long b;                                                                              \
        for (b = 0; b < 20000; b++) {                                                        \
            long before = live;                                                              \
            prep;                                                                            \
            budget = b;                                                                      \
            llmops_status st_ = (op_expr);                                                   \
            budget = -1;                                                                     \
            cleanup;                                                                         \
            cr_assert_eq(live, before, "budget %ld: %ld blocks leaked (%s)", b, live - before, \
                         llmops_status_str(st_));                                            \
            if (st_ == LLMOPS_OK)                                                            \
                break;                                                                       \
            cr_assert_eq(st_, LLMOPS_E_NO_MEMORY, "budget %ld: %s", b, llmops_status_str(st_)); \
        }                                                                                    \
        cr_assert_lt(b, 20000, "never succeeded");                                           \
        cr_assert_gt(b, 0, "the operation did not allocate at all");                         \
    } while (0)

Test(nomem, parse_and_render)
{
    pf_need_yaml();
    llmops__prompt *p = NULL;
    SWEEP((void)0, pf_parse(SRC, &p, NULL), (llmops__prompt_release(p), p = NULL));
    cr_assert_eq(pf_parse(SRC, &p, NULL), LLMOPS_OK);
    llmops_json_doc *in = NULL;
    const char *json = "{\"product\":\"Acme\",\"items\":[1,2,3],\"q\":\"why?\"}";
    cr_assert_eq(llmops_json_parse(&in, json, strlen(json), NULL, NULL), LLMOPS_OK);
    llmops__prompt_messages m = LLMOPS__PROMPT_MESSAGES_INIT;
    SWEEP((void)0, llmops__prompt_render(p, llmops_json_doc_root(in), &m, NULL),
          llmops__prompt_messages_free(&m));
    cr_assert_eq(llmops__prompt_render(p, llmops_json_doc_root(in), &m, NULL), LLMOPS_OK);
    cr_assert_str_eq(m.items[0].text, "You help with Acme. 1 2 3");
    llmops__prompt_messages_free(&m);
    char **names = NULL;
    size_t n = 0;
    SWEEP((void)0, llmops__prompt_names(p, &names, &n),
          (llmops__tmpl_names_free(names, n), names = NULL, n = 0));
    llmops_json_doc_free(in);
    llmops__prompt_release(p);
    cr_assert_eq(live, 0, "%ld blocks outstanding", live);
}

static llmops__registry *open_or_null(void)
{
    llmops__registry *r = NULL;
    cr_assert_eq(llmops__registry_open(pf_path(""), NULL, &r, NULL), LLMOPS_OK);
    return r;
}

static void lock_still_reads(void)
{
    char *text = pf_read("prompts.lock");
    if (!text)
        return;
    llmops__pr_lockfile lf;
    cr_assert_eq(llmops__pr_lock_parse(&lf, text, strlen(text), "prompts.lock", NULL), LLMOPS_OK,
                 "a failed write left a lock file that does not read:\n%s", text);
    llmops__pr_lock_free(&lf);
    free(text);
}

Test(nomem, registry_operations)
{
    pf_need_yaml();
    pf_write("x.prompt", SRC);
    llmops__registry *reg = NULL;
    SWEEP((void)0, llmops__registry_open(pf_path(""), NULL, &reg, NULL),
          (llmops__registry_free(reg), reg = NULL));

    /* Each sweep runs on a fresh registry, so nothing is served from a cache. */
    llmops__buf err = LLMOPS__BUF_INIT;
    SWEEP(reg = open_or_null(), (llmops__registry_promote(reg, "x", NULL, "production", &err)),
          (llmops__registry_free(reg), reg = NULL, llmops__buf_free(&err), lock_still_reads()));
    pf_write("x.prompt", "[user]\nnew {{q}}\n");
    SWEEP(reg = open_or_null(), (llmops__registry_promote(reg, "x", "x", "production", &err)),
          (llmops__registry_free(reg), reg = NULL, llmops__buf_free(&err), lock_still_reads()));

    llmops__prompt *p = NULL;
    SWEEP(reg = open_or_null(), (llmops__registry_load(reg, "x@production", &p, &err)),
          (llmops__prompt_release(p), p = NULL, llmops__registry_free(reg), reg = NULL,
           llmops__buf_free(&err)));
    char v[65];
    reg = open_or_null();
    cr_assert_eq(llmops__registry_hash(reg, "x", v, NULL), LLMOPS_OK);
    llmops__registry_free(reg);
    char prefix[16];
    snprintf(prefix, sizeof prefix, "x@%.9s", v);
    SWEEP(reg = open_or_null(), (llmops__registry_hash(reg, prefix, v, &err)),
          (llmops__registry_free(reg), reg = NULL, llmops__buf_free(&err)));

    llmops__prompt_list l = { NULL, 0 };
    SWEEP(reg = open_or_null(), (llmops__registry_list(reg, &l, &err)),
          (llmops__prompt_list_free(&l), llmops__registry_free(reg), reg = NULL,
           llmops__buf_free(&err)));

    llmops__buf out = LLMOPS__BUF_INIT;
    SWEEP(reg = open_or_null(), (llmops__registry_diff(reg, "x@production", "x", &out, &err)),
          (llmops__buf_free(&out), llmops__registry_free(reg), reg = NULL,
           llmops__buf_free(&err)));

    char was[65];
    reg = open_or_null();
    cr_assert_eq(llmops__registry_hash(reg, "x@production", was, NULL), LLMOPS_OK);
    llmops__registry_free(reg);
    pf_write("x.prompt", "[user]\nnewer {{q}}\n");
    reg = open_or_null();
    cr_assert_eq(llmops__registry_promote(reg, "x", NULL, "production", NULL), LLMOPS_OK);
    llmops__registry_free(reg);
    /* A rollback that fails part way leaves the label where it was. */
    SWEEP(reg = open_or_null(), (llmops__registry_rollback(reg, "x", "production", &err)),
          (llmops__registry_free(reg), reg = NULL, llmops__buf_free(&err), lock_still_reads()));
    llmops__prompt_history h = { NULL, 0 };
    SWEEP(reg = open_or_null(), (llmops__registry_history(reg, "x", NULL, &h, &err)),
          (llmops__prompt_history_free(&h), llmops__registry_free(reg), reg = NULL,
           llmops__buf_free(&err)));
    char live_v[65];
    SWEEP(reg = open_or_null(),
          (llmops__registry_live_at(reg, "x", "production", "2200-01-01T00:00:00Z", live_v, &err)),
          (llmops__registry_free(reg), reg = NULL, llmops__buf_free(&err)));
    reg = open_or_null();
    char now[65];
    cr_assert_eq(llmops__registry_hash(reg, "x@production", now, NULL), LLMOPS_OK);
    cr_assert_str_eq(now, was, "the rollback did not happen exactly once");
    cr_assert_str_eq(live_v, now);
    llmops__registry_free(reg);
    cr_assert_eq(live, 0, "%ld blocks outstanding", live);
}
