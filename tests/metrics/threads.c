/* The registry under concurrent use, as a plain program so ThreadSanitizer
 * builds run it: writers on shared, own and racing-to-create series, a
 * writer past the series cap, a reader taking Prometheus snapshots and
 * checking each one, and a thread defining new metrics meanwhile. Exits
 * non-zero on any failure. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "metrics/metrics.h"
#include "prom_check.h"

/* A label-value array with its length. */
#define L(array) LLMOPS__LABELS(array)

#define WRITERS 8
#define ROUNDS 20000
#define CAP 400

static llmops__metrics *reg;
static atomic_int writers_left = WRITERS;
static atomic_int failures;

static void fail(const char *what)
{
    atomic_fetch_add(&failures, 1);
    fprintf(stderr, "FAIL: %s\n", what);
}

static void *writer(void *p)
{
    int idx = (int)(intptr_t)p;
    const char *shared[] = {"t", "m", "v"};
    char own[32], churn[32];
    snprintf(own, sizeof own, "w%d", idx);
    const char *mine[] = {own, "m", "v"};
    const char *many[] = {churn, "m", "v", "input"};
    for (int i = 0; i < ROUNDS; i++) {
        if (llmops__metrics_counter_add(reg, LLMOPS__M_REQUESTS, L(shared), 1) ||
            llmops__metrics_counter_add(reg, LLMOPS__M_REQUESTS, L(mine), 1) ||
            llmops__metrics_histogram_observe(reg, LLMOPS__M_LATENCY, L(shared), (i % 3) * 0.5) ||
            llmops__metrics_counter_add_double(reg, LLMOPS__M_COST, L(shared), 0.5))
            fail("update");
        /* more label sets than the cap: some fold into the overflow series */
        snprintf(churn, sizeof churn, "c%d", (i * 7 + idx) % 1000);
        if (llmops__metrics_counter_add(reg, LLMOPS__M_TOKENS, L(many), 1))
            fail("churn update");
    }
    atomic_fetch_sub(&writers_left, 1);
    return NULL;
}

static void *scraper(void *p)
{
    (void)p;
    int scrapes = 0;
    while (atomic_load(&writers_left) > 0 || scrapes < 3) {
        llmops__buf b = LLMOPS__BUF_INIT;
        if (llmops__metrics_prometheus(reg, &b) != LLMOPS_OK) {
            fail("prometheus");
        } else if (b.data) {
            char err[512];
            if (lt_prom_check(b.data, err, sizeof err, NULL) != 0) {
                fprintf(stderr, "%s\n", err);
                fail("exposition check");
            }
        }
        llmops__buf_free(&b);
        scrapes++;
    }
    printf("metrics threads: %d snapshots checked\n", scrapes);
    return NULL;
}

static void *definer(void *p)
{
    (void)p;
    static const char *const labels[] = {"k"};
    for (int i = 0; i < 20; i++) {
        char name[32];
        snprintf(name, sizeof name, "late%d_total", i);
        llmops__metric_def d = {name, NULL, "late", "1", LLMOPS__METRIC_COUNTER,
                                LLMOPS__VALUE_INT, 1, labels, 0, NULL};
        int id;
        if (llmops__metrics_define(reg, &d, &id, NULL) != LLMOPS_OK) {
            fail("define");
            continue;
        }
        const char *v[] = {"x"};
        for (int j = 0; j < 100; j++)
            if (llmops__metrics_counter_add(reg, id, L(v), 1))
                fail("late update");
    }
    return NULL;
}

int main(void)
{
    reg = llmops__metrics_new(CAP);
    if (!reg)
        return 1;
    pthread_t w[WRITERS], s, d;
    pthread_create(&s, NULL, scraper, NULL);
    pthread_create(&d, NULL, definer, NULL);
    for (intptr_t i = 0; i < WRITERS; i++)
        pthread_create(&w[i], NULL, writer, (void *)i);
    for (int i = 0; i < WRITERS; i++)
        pthread_join(w[i], NULL);
    pthread_join(d, NULL);
    pthread_join(s, NULL);

    const char *shared[] = {"t", "m", "v"};
    uint64_t n = 0;
    double v = 0;
    if (llmops__metrics_read(reg, LLMOPS__M_REQUESTS, L(shared), &n, NULL, NULL) ||
        n != (uint64_t)WRITERS * ROUNDS)
        fail("shared counter total");
    double want = 0;
    for (int i = 0; i < ROUNDS; i++)
        want += (i % 3) * 0.5;
    if (llmops__metrics_read(reg, LLMOPS__M_LATENCY, L(shared), &n, &v, NULL) ||
        n != (uint64_t)WRITERS * ROUNDS || v != WRITERS * want)
        fail("histogram count and sum");
    if (llmops__metrics_read(reg, LLMOPS__M_COST, L(shared), NULL, &v, NULL) ||
        v != WRITERS * ROUNDS * 0.5)
        fail("cost total");
    /* every churn update is either in a stored series or folded */
    struct { uint64_t stored, folded; } tally = {0, 0};
    for (int i = 0; i < 1000; i++) {
        char c[32];
        snprintf(c, sizeof c, "c%d", i);
        const char *many[] = {c, "m", "v", "input"};
        if (llmops__metrics_read(reg, LLMOPS__M_TOKENS, L(many), &n, NULL, NULL) == LLMOPS_OK)
            tally.stored += n;
    }
    const char *name[] = {"llmops_tokens_total"};
    if (llmops__metrics_read(reg, LLMOPS__M_OVERFLOW, L(name), &tally.folded, NULL, NULL))
        fail("no overflow count");
    if (tally.stored + tally.folded != (uint64_t)WRITERS * ROUNDS) {
        fprintf(stderr, "churn: %llu stored + %llu folded\n", (unsigned long long)tally.stored,
                (unsigned long long)tally.folded);
        fail("churn updates lost");
    }
    if (llmops__metrics_series_count(reg) > CAP + LLMOPS__METRICS_MAX)
        fail("series cap exceeded");
    printf("metrics threads: %d writers x %d rounds, %llu folded, %zu series, %d failures\n",
           WRITERS, ROUNDS, (unsigned long long)tally.folded, llmops__metrics_series_count(reg),
           atomic_load(&failures));
    llmops__metrics_free(reg);
    return atomic_load(&failures) ? 1 : 0;
}
