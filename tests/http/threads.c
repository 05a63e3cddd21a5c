/* Built-in providers shared by threads, as a plain program: Criterion's
 * runner cannot start under ThreadSanitizer, and this is what TSan must see
 * (one provider and one fallback chain used from several threads, streaming
 * and not, with a cancel triggered from another thread). Exits non-zero on
 * any failure. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "llmops.h"
#include "tests/mock/mock_server.h"

#define THREADS 4
#define CALLS 20

static int failures;
static pthread_mutex_t fail_lock = PTHREAD_MUTEX_INITIALIZER;

static void fail(const char *what, const char *detail)
{
    pthread_mutex_lock(&fail_lock);
    failures++;
    fprintf(stderr, "FAIL: %s: %s\n", what, detail ? detail : "");
    pthread_mutex_unlock(&fail_lock);
}

static llmops_provider *make(const lt_mock *m, const char *type, const char *suffix,
                             const char *name)
{
    char base[256];
    snprintf(base, sizeof base, "%s%s", lt_mock_url(m), suffix);
    llmops_provider_options o = LLMOPS_PROVIDER_OPTIONS_INIT;
    o.base_url = base;
    o.api_key_env = "LT_THREADS_KEY";
    llmops_provider *p = NULL;
    char *why = NULL;
    if (llmops_provider_new(&p, type, name, &o, &why) != LLMOPS_OK) {
        fail("provider", why);
        exit(1);
    }
    return p;
}

static int count_delta(const llmops_delta *d, void *ud)
{
    (void)d;
    (*(int *)ud)++;
    return 0;
}

typedef struct job {
    llmops_provider *p;
    const char *model;
    int stream;
} job;

static void *worker(void *arg)
{
    job *j = arg;
    llmops_request *r = NULL;
    llmops_request_new(&r);
    llmops_request_set_model(r, j->model);
    llmops_request_add_message(r, LLMOPS_ROLE_USER, "threads say hi", SIZE_MAX);
    llmops_response *resp = NULL;
    llmops_response_new(&resp);
    for (int i = 0; i < CALLS; i++) {
        int n = 0;
        llmops_status st = llmops_provider_generate(j->p, r, resp, j->stream ? count_delta : NULL,
                                                    &n);
        if (st != LLMOPS_OK)
            fail("generate", llmops_response_error(resp));
        else if (strcmp(llmops_response_text(resp, NULL), "echo: threads say hi") != 0)
            fail("text", llmops_response_text(resp, NULL));
        else if (j->stream && n < 2)
            fail("stream", "too few deltas");
    }
    llmops_response_free(resp);
    llmops_request_free(r);
    return NULL;
}

static void *cancel_soon(void *arg)
{
    struct timespec ts = {0, 150 * 1000000L};
    nanosleep(&ts, NULL);
    llmops_cancel_trigger(arg);
    return NULL;
}

int main(void)
{
    setenv("LT_THREADS_KEY", "sk-threads", 1);
    lt_mock *m = lt_mock_start();
    if (!m)
        return 1;
    llmops_provider *openai = make(m, "openai", "/v1", "openai");
    llmops_provider *anthropic = make(m, "anthropic", "", "anthropic");
    llmops_provider *targets[2] = {openai, anthropic};
    const char *models[2] = {NULL, "claude-test"};
    llmops_retry_options ro = LLMOPS_RETRY_OPTIONS_INIT;
    ro.base_delay_ms = 1;
    llmops_provider *chain = NULL;
    if (llmops_provider_new_fallback(&chain, "chain", targets, models, 2, &ro) != LLMOPS_OK)
        return 1;

    job jobs[THREADS] = {{openai, "gpt-test", 0}, {openai, "gpt-test", 1},
                         {anthropic, "claude-test", 1}, {chain, "gpt-test", 1}};
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++)
        pthread_create(&t[i], NULL, worker, &jobs[i]);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);

    /* A call waiting on a server that never answers, cancelled from
     * another thread. */
    lt_mock_response silent = {0};
    silent.fault = LT_MOCK_FAULT_SILENT;
    silent.max_ms = 10000;
    lt_mock_push(m, &silent);
    llmops_cancel *c = NULL;
    llmops_cancel_new(&c);
    llmops_request *r = NULL;
    llmops_request_new(&r);
    llmops_request_set_model(r, "gpt-test");
    llmops_request_add_message(r, LLMOPS_ROLE_USER, "hi", SIZE_MAX);
    llmops_request_set_cancel(r, c);
    llmops_response *resp = NULL;
    llmops_response_new(&resp);
    pthread_t ct;
    pthread_create(&ct, NULL, cancel_soon, c);
    if (llmops_provider_generate(openai, r, resp, NULL, NULL) != LLMOPS_E_CANCELLED)
        fail("cancel", llmops_response_error(resp));
    pthread_join(ct, NULL);

    llmops_response_free(resp);
    llmops_request_free(r);
    llmops_cancel_free(c);
    llmops_provider_free(chain);
    llmops_provider_free(openai);
    llmops_provider_free(anthropic);
    lt_mock_stop(m);
    printf("http threads: %d threads x %d calls, %d failures\n", THREADS, CALLS, failures);
    return failures ? 1 : 0;
}
