/* One compiled contract checked from several threads at once gives every
 * thread the same answers it gives one thread. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "ct_test.h"

#define THREADS 6
#define ROUNDS 1500

typedef struct case_ {
    const char *text;
    size_t n;            /* expected violation count */
    const char *kind0;   /* expected first kind, or NULL when ok */
} case_;

static const case_ cases[] = {
    { "{\"answer\":\"yes\",\"confidence\":0.9}", 0, NULL },
    { "{\"answer\":\"yes\",\"confidence\":2}", 1, "schema" },
    { "Sure: {\"answer\":\"yes\",\"confidence\":0.5}", 1, "prose_around_json" },
    { "not json", 1, "not_json" },
    { "{\"answer\":\"as an AI I think\",\"confidence\":0.1}", 1, "forbidden_pattern" },
    { "{\"answer\":7}", 2, "schema" },
    { "{\"answer\":\"\xc3\xa9t\xc3\xa9\",\"confidence\":1}", 0, NULL },
};

typedef struct worker {
    const llmops__contract *c;
    int offset;
    int failures;
    char first_failure[256];
} worker;

static void *run(void *arg)
{
    worker *w = arg;
    size_t ncases = sizeof cases / sizeof *cases;
    for (int i = 0; i < ROUNDS; i++) {
        const case_ *k = &cases[(size_t)(i + w->offset) % ncases];
        llmops__contract_result r;
        llmops_status st = llmops__contract_check(w->c, k->text, strlen(k->text), &r);
        int good = st == LLMOPS_OK && r.n == k->n && r.ok == (k->n == 0) &&
                   (!k->kind0 || strcmp(r.v[0].kind, k->kind0) == 0) &&
                   (k->n != 0 || r.json != NULL);
        if (good && k->n) {
            llmops__buf b = LLMOPS__BUF_INIT;
            good = llmops__contract_reask_message(w->c, &r, &b) == LLMOPS_OK &&
                   b.len <= LLMOPS__CONTRACT_REASK_MAX;
            llmops__buf_free(&b);
        }
        if (!good && w->failures++ == 0)
            snprintf(w->first_failure, sizeof w->first_failure,
                     "<%s>: status %d, %zu violations (want %zu), first %s", k->text, (int)st,
                     r.n, k->n, r.n ? r.v[0].kind : "-");
        llmops__contract_result_free(&r);
    }
    return NULL;
}

Test(contract_threads, shared_contract_from_many_threads, .timeout = 120)
{
    CT_NEED_PCRE2();
    const char *forb[] = { "(?i)\\bas an ai\\b" };
    ct_spec s = { .json = 1,
                  .schema = "{\"type\":\"object\",\"required\":[\"answer\",\"confidence\"],"
                            "\"properties\":{\"answer\":{\"type\":\"string\"},"
                            "\"confidence\":{\"type\":\"number\",\"minimum\":0,"
                            "\"maximum\":1}}}",
                  .max_length = 200,
                  .forbidden = forb,
                  .nforbidden = 1 };
    llmops__contract *c = ct_make(&s);
    worker w[THREADS];
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++) {
        memset(&w[i], 0, sizeof w[i]);
        w[i].c = c;
        w[i].offset = i;
        cr_assert_eq(pthread_create(&t[i], NULL, run, &w[i]), 0);
    }
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    for (int i = 0; i < THREADS; i++)
        cr_expect_eq(w[i].failures, 0, "thread %d: %d wrong answers, first %s", i,
                     w[i].failures, w[i].first_failure);
    llmops__contract_free(c);
}
