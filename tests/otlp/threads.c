/* Producers on several threads against one exporter, plus a thread that
 * flushes and reads stats meanwhile. A plain program (not Criterion) so TSan
 * builds can run it. Checks the counters add up: every offered span is
 * queued or dropped, every queued span exported, failed or still queued. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "common.h"
#include "otlp/exporter.h"
#include "tests/mock/mock_server.h"

#define PRODUCERS 4
#define PER_THREAD 2000

static llmops__otlp *g_x;
static volatile int g_done;

static void *produce(void *arg)
{
    unsigned base = (unsigned)(size_t)arg * PER_THREAD;
    for (unsigned i = 0; i < PER_THREAD; i++) {
        lt_span_fixture f;
        lt_span_fill(&f, base + i);
        llmops__otlp_enqueue(g_x, &f.span);
    }
    return NULL;
}

static void *observe(void *arg)
{
    (void)arg;
    while (!__atomic_load_n(&g_done, __ATOMIC_ACQUIRE)) {
        llmops__otlp_stats st;
        llmops__otlp_stats_get(g_x, &st);
        llmops__otlp_flush(g_x, 5);
    }
    return NULL;
}

int main(void)
{
    lt_mock *m = lt_mock_start();
    if (!m) {
        fprintf(stderr, "otlp-threads: mock server did not start\n");
        return 1;
    }
    lt_mock_set_recording(m, 0);
    for (int i = 0; i < 400; i++)
        lt_mock_push_simple(m, 200, NULL, "{}");
    llmops__otlp_options o;
    memset(&o, 0, sizeof o);
    o.endpoint = lt_mock_url(m);
    o.queue_capacity = 1024;
    o.max_batch = 128;
    o.flush_interval_ms = 20;
    o.max_retries = 1;
    o.retry_base_ms = 5;
    llmops__buf err = LLMOPS__BUF_INIT;
    if (llmops__otlp_new(&o, &g_x, &err) != LLMOPS_OK) {
        fprintf(stderr, "otlp-threads: %s\n", err.data ? err.data : "otlp_new failed");
        return 1;
    }
    pthread_t t[PRODUCERS], obs;
    pthread_create(&obs, NULL, observe, NULL);
    for (size_t i = 0; i < PRODUCERS; i++)
        pthread_create(&t[i], NULL, produce, (void *)i);
    for (size_t i = 0; i < PRODUCERS; i++)
        pthread_join(t[i], NULL);
    __atomic_store_n(&g_done, 1, __ATOMIC_RELEASE);
    pthread_join(obs, NULL);
    int rc = 0;
    if (llmops__otlp_flush(g_x, 20000) != LLMOPS_OK) {
        fprintf(stderr, "otlp-threads: flush timed out\n");
        rc = 1;
    }
    llmops__otlp_stats st;
    llmops__otlp_stats_get(g_x, &st);
    uint64_t offered = (uint64_t)PRODUCERS * PER_THREAD;
    if (st.enqueued + st.dropped_full + st.dropped_nomem != offered ||
        st.exported + st.dropped_failed + st.dropped_rejected + st.queued != st.enqueued || st.exported == 0) {
        fprintf(stderr,
                "otlp-threads: counters do not add up: offered %llu enqueued %llu "
                "dropped_full %llu exported %llu failed %llu queued %zu\n",
                (unsigned long long)offered, (unsigned long long)st.enqueued,
                (unsigned long long)st.dropped_full, (unsigned long long)st.exported,
                (unsigned long long)st.dropped_failed, st.queued);
        rc = 1;
    }
    llmops__otlp_free(g_x);
    lt_mock_stop(m);
    llmops__buf_free(&err);
    if (!rc)
        printf("otlp-threads: ok (%llu exported, %llu dropped full)\n",
               (unsigned long long)st.exported, (unsigned long long)st.dropped_full);
    return rc;
}
