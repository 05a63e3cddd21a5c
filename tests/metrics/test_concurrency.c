/* Many threads updating one registry at once: totals come out exact. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>

#include "metrics/metrics.h"

/* A label-value array with its length. */
#define L(array) LLMOPS__LABELS(array)

#define THREADS 8
#define ROUNDS 40000

typedef struct worker_arg {
    llmops__metrics *m;
    int index;
    int failures;
} worker_arg;

static void *worker(void *p)
{
    worker_arg *a = p;
    const char *shared[] = {"support.answer", "gpt-4o", "a"};
    char own_task[32], churn[32];
    snprintf(own_task, sizeof own_task, "thread-%d", a->index);
    const char *own[] = {own_task, "gpt-4o", "a"};
    const char *many[] = {churn, "m", "v"};
    for (int i = 0; i < ROUNDS; i++) {
        /* the same series from every thread, one per thread, and 200 that
         * every thread races to create */
        a->failures += llmops__metrics_counter_add(a->m, LLMOPS__M_REQUESTS, L(shared), 1) != 0;
        a->failures += llmops__metrics_counter_add(a->m, LLMOPS__M_REQUESTS, L(own), 2) != 0;
        a->failures += llmops__metrics_histogram_observe(a->m, LLMOPS__M_LATENCY, L(shared),
                                                         (i % 4) * 0.5) != 0;
        a->failures +=
            llmops__metrics_counter_add_double(a->m, LLMOPS__M_COST, L(shared), 0.25) != 0;
        snprintf(churn, sizeof churn, "churn-%d", i % 200);
        a->failures += llmops__metrics_counter_add(a->m, LLMOPS__M_RETRIES, L(many), 1) != 0;
    }
    return NULL;
}

Test(metrics_threads, eight_threads_sum_exactly)
{
    llmops__metrics *m = llmops__metrics_new(0);
    pthread_t t[THREADS];
    worker_arg args[THREADS];
    for (int i = 0; i < THREADS; i++) {
        args[i] = (worker_arg){m, i, 0};
        cr_assert_eq(pthread_create(&t[i], NULL, worker, &args[i]), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
        cr_expect_eq(args[i].failures, 0, "thread %d: %d failed updates", i, args[i].failures);
    }
    const char *shared[] = {"support.answer", "gpt-4o", "a"};
    uint64_t n = 0, b[15];
    double v = 0;
    cr_assert_eq(llmops__metrics_read(m, LLMOPS__M_REQUESTS, L(shared), &n, NULL, NULL), LLMOPS_OK);
    cr_expect_eq(n, (uint64_t)THREADS * ROUNDS);
    for (int i = 0; i < THREADS; i++) {
        char task[32];
        snprintf(task, sizeof task, "thread-%d", i);
        const char *own[] = {task, "gpt-4o", "a"};
        cr_assert_eq(llmops__metrics_read(m, LLMOPS__M_REQUESTS, L(own), &n, NULL, NULL),
                     LLMOPS_OK);
        cr_expect_eq(n, 2u * ROUNDS);
    }
    cr_assert_eq(llmops__metrics_read(m, LLMOPS__M_LATENCY, L(shared), &n, &v, b), LLMOPS_OK);
    cr_expect_eq(n, (uint64_t)THREADS * ROUNDS);
    /* 0, 0.5, 1, 1.5 in turn: exact in binary, so the sum is exact */
    cr_expect_eq(v, THREADS * (ROUNDS / 4) * 3.0, "sum %.17g", v);
    cr_expect_eq(b[0], (uint64_t)THREADS * ROUNDS / 4);       /* le 0.01: the zeros */
    cr_expect_eq(b[6], (uint64_t)THREADS * ROUNDS / 2);       /* le 0.64: and the halves */
    cr_expect_eq(b[7], (uint64_t)THREADS * ROUNDS * 3 / 4);   /* le 1.28: and the ones */
    cr_expect_eq(b[14], (uint64_t)THREADS * ROUNDS);
    cr_assert_eq(llmops__metrics_read(m, LLMOPS__M_COST, L(shared), NULL, &v, NULL), LLMOPS_OK);
    cr_expect_eq(v, THREADS * ROUNDS * 0.25);
    uint64_t churn_total = 0;
    for (int i = 0; i < 200; i++) {
        char task[32];
        snprintf(task, sizeof task, "churn-%d", i);
        const char *many[] = {task, "m", "v"};
        cr_assert_eq(llmops__metrics_read(m, LLMOPS__M_RETRIES, L(many), &n, NULL, NULL),
                     LLMOPS_OK, "%s", task);
        cr_expect_eq(n, (uint64_t)THREADS * ROUNDS / 200);
        churn_total += n;
    }
    cr_expect_eq(churn_total, (uint64_t)THREADS * ROUNDS);
    /* one series per label set even though threads raced to make them */
    cr_expect_eq(llmops__metrics_series_count(m), 1 + THREADS + 1 + 1 + 200);
    llmops__metrics_free(m);
}
