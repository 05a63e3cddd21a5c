/* HTTP benchmark: the library's transport (llmops__http_perform) and the
 * full provider call (llmops_provider_generate: request JSON, HTTP, parse)
 * against bare libcurl doing the identical exchange, all against the mock
 * server started in this process, on 1 and 4 threads.
 *
 * CPU time is the client threads' own (getrusage RUSAGE_THREAD summed over
 * the workers), so the mock server's work in this process is not counted.
 * Usage: http_bench [calls per thread per row, default 2000] [bare|transport|provider]
 * (the second argument runs only that path, 1 thread, for profilers). */
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "core/clock.h"
#include "llmops/provider.h"
#include "tests/mock/mock_server.h"
#include "transport/http.h"

#define KEY "sk-bench-0123456789abcdef"
#define ROUNDS 5

static const char k_body[] =
    "{\"model\":\"gpt-bench\",\"messages\":[{\"role\":\"system\",\"content\":\"be brief\"},"
    "{\"role\":\"user\",\"content\":\"hello bench\"}]}";

typedef enum path { P_BARE, P_TRANSPORT, P_PROVIDER, P_COUNT } path;
static const char *const k_path_name[P_COUNT] = {"bare libcurl", "transport", "provider"};

static char g_url[128];
static llmops_provider *g_provider;
static llmops_request *g_request;

typedef struct worker {
    path p;
    int calls;
    int failures;
    double cpu_s;
} worker;

static double thread_cpu(void)
{
    struct rusage ru;
    getrusage(RUSAGE_THREAD, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

typedef struct grow {
    char *data;
    size_t len, cap;
} grow;

static size_t bare_write(char *p, size_t size, size_t n, void *ud)
{
    grow *g = ud;
    size_t len = size * n;
    if (g->len + len + 1 > g->cap) {
        size_t cap = g->cap ? g->cap * 2 : 4096;
        while (cap < g->len + len + 1) cap *= 2;
        char *d = realloc(g->data, cap);
        if (!d) return 0;
        g->data = d;
        g->cap = cap;
    }
    memcpy(g->data + g->len, p, len);
    g->len += len;
    g->data[g->len] = '\0';
    return len;
}

/* Bare libcurl: one easy handle per thread, reused, the same headers. */
static void run_bare(worker *w)
{
    CURL *e = curl_easy_init();
    struct curl_slist *h = NULL;
    h = curl_slist_append(h, "Authorization: Bearer " KEY);
    h = curl_slist_append(h, "Content-Type: application/json");
    h = curl_slist_append(h, "Expect:");
    grow g = {NULL, 0, 0};
    curl_easy_setopt(e, CURLOPT_URL, g_url);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(e, CURLOPT_USERAGENT, "libllmops/" LLMOPS_VERSION_STRING);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    /* The transport asks for compressed bodies; so does the identical
     * request here. */
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, k_body);
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(sizeof k_body - 1));
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, bare_write);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &g);
    double c0 = thread_cpu();
    for (int i = 0; i < w->calls; i++) {
        g.len = 0;
        long status = 0;
        if (curl_easy_perform(e) != CURLE_OK ||
            curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status) != CURLE_OK || status != 200 ||
            !g.data || !strstr(g.data, "echo: hello bench"))
            w->failures++;
    }
    w->cpu_s = thread_cpu() - c0;
    free(g.data);
    curl_slist_free_all(h);
    curl_easy_cleanup(e);
}

static void run_transport(worker *w)
{
    llmops__provider_cfg cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.connect_timeout_ms = 10000;
    cfg.first_byte_timeout_ms = 60000;
    cfg.total_timeout_ms = 600000;
    cfg.idle_timeout_ms = 60000;
    cfg.max_request_bytes = 32u << 20;
    cfg.max_response_bytes = 64u << 20;
    double c0 = thread_cpu();
    for (int i = 0; i < w->calls; i++) {
        /* Built per call, as the provider does. */
        llmops__http_request r;
        llmops__http_request_init(&r);
        llmops__buf_puts(&r.url, g_url);
        llmops__buf_append(&r.body, k_body, sizeof k_body - 1);
        llmops__http_request_header(&r, "Authorization", "Bearer " KEY, sizeof("Bearer " KEY) - 1);
        llmops__http_request_header(&r, "Content-Type", "application/json", 16);
        llmops__http_call call = {&r, &cfg, 0, NULL, NULL, NULL};
        llmops__http_result res;
        llmops__http_result_init(&res);
        if (llmops__http_perform(&call, &res) != LLMOPS_OK || res.http_status != 200 ||
            !strstr(res.body.data, "echo: hello bench"))
            w->failures++;
        llmops__http_result_free(&res);
        llmops__http_request_free(&r);
    }
    w->cpu_s = thread_cpu() - c0;
}

static void run_provider(worker *w)
{
    llmops_response *resp = NULL;
    if (llmops_response_new(&resp) != LLMOPS_OK) {
        w->failures = w->calls;
        return;
    }
    double c0 = thread_cpu();
    for (int i = 0; i < w->calls; i++) {
        size_t len = 0;
        const char *text;
        if (llmops_provider_generate(g_provider, g_request, resp, NULL, NULL) != LLMOPS_OK ||
            !(text = llmops_response_text(resp, &len)) || strcmp(text, "echo: hello bench") != 0)
            w->failures++;
    }
    w->cpu_s = thread_cpu() - c0;
    llmops_response_free(resp);
}

static void *worker_main(void *p)
{
    worker *w = p;
    switch (w->p) {
    case P_BARE: run_bare(w); break;
    case P_TRANSPORT: run_transport(w); break;
    default: run_provider(w); break;
    }
    return NULL;
}

typedef struct result {
    double calls_per_s;
    double cpu_us_per_call;
    int failures;
} result;

static result measure(path p, int threads, int calls)
{
    worker w[8];
    pthread_t th[8];
    uint64_t t0 = llmops__mono_ns();
    for (int i = 0; i < threads; i++) {
        w[i] = (worker){p, calls, 0, 0.0};
        pthread_create(&th[i], NULL, worker_main, &w[i]);
    }
    double cpu = 0;
    result r = {0, 0, 0};
    for (int i = 0; i < threads; i++) {
        pthread_join(th[i], NULL);
        cpu += w[i].cpu_s;
        r.failures += w[i].failures;
    }
    double wall = (double)(llmops__mono_ns() - t0) / 1e9;
    double total = (double)threads * calls;
    r.calls_per_s = total / wall;
    r.cpu_us_per_call = cpu * 1e6 / total;
    return r;
}

static double median(double *v, int n)
{
    for (int i = 1; i < n; i++)     /* insertion sort: n is tiny */
        for (int j = i; j > 0 && v[j - 1] > v[j]; j--) {
            double t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static long bench_key(char *buf, size_t cap, void *ud)
{
    (void)ud;
    size_t n = sizeof KEY - 1;
    if (n > cap) return -1;
    memcpy(buf, KEY, n);
    return (long)n;
}

int main(int argc, char **argv)
{
    int calls = argc > 1 ? atoi(argv[1]) : 2000;
    int only = -1;
    for (int p = 0; argc > 2 && p < P_COUNT; p++)
        if (strstr(k_path_name[p], argv[2]))
            only = p;
    if (calls < 10 || calls > 1000000 || (argc > 2 && only < 0)) {
        fprintf(stderr, "usage: %s [calls per thread, 10..1000000] [bare|transport|provider]\n", argv[0]);
        return 2;
    }
    setenv("no_proxy", "127.0.0.1", 1);
    setenv("NO_PROXY", "127.0.0.1", 1);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    lt_mock *mock = lt_mock_start();
    if (!mock) return 1;
    lt_mock_set_recording(mock, 0);
    snprintf(g_url, sizeof g_url, "%s/v1/chat/completions", lt_mock_url(mock));

    char base[128];
    snprintf(base, sizeof base, "%s/v1", lt_mock_url(mock));
    llmops_provider_options o = LLMOPS_PROVIDER_OPTIONS_INIT;
    o.base_url = base;
    o.key_fn = bench_key;
    char *why = NULL;
    if (llmops_provider_new(&g_provider, "openai", "bench", &o, &why) != LLMOPS_OK) {
        fprintf(stderr, "provider: %s\n", why ? why : "?");
        return 1;
    }
    llmops_request_new(&g_request);
    llmops_request_set_model(g_request, "gpt-bench");
    llmops_request_add_message(g_request, LLMOPS_ROLE_SYSTEM, "be brief", SIZE_MAX);
    llmops_request_add_message(g_request, LLMOPS_ROLE_USER, "hello bench", SIZE_MAX);

    if (only >= 0) {
        result r = measure((path)only, 1, calls);
        printf("%s: %.0f calls/s, %.1f us CPU/call, %d failures\n", k_path_name[only], r.calls_per_s,
               r.cpu_us_per_call, r.failures);
        llmops_request_free(g_request);
        llmops_provider_free(g_provider);
        llmops__http_global_cleanup();
        lt_mock_stop(mock);
        curl_global_cleanup();
        return r.failures ? 1 : 0;
    }

    printf("http_bench: %d calls per thread per row in %d interleaved rounds (median shown); small "
           "OpenAI chat request and response; mock server in process on 127.0.0.1; CPU = client "
           "threads only\n\n", calls, ROUNDS);
    printf("%-8s %-14s %12s %14s %9s\n", "threads", "path", "calls/s", "CPU us/call", "failures");
    static const int thread_counts[2] = {1, 4};
    int failed = 0;
    for (int t = 0; t < 2; t++) {
        int nt = thread_counts[t];
        double cps[P_COUNT][ROUNDS], cpu[P_COUNT][ROUNDS];
        int fails[P_COUNT] = {0, 0, 0};
        for (int p = 0; p < P_COUNT; p++)
            measure((path)p, nt, calls / 10 + 1);   /* warm: connections, pools */
        /* Rounds interleave the paths so a change in machine load hits all
         * of them alike; the median drops the outliers. */
        for (int round = 0; round < ROUNDS; round++)
            for (int p = 0; p < P_COUNT; p++) {
                result r = measure((path)p, nt, calls / ROUNDS + 1);
                cps[p][round] = r.calls_per_s;
                cpu[p][round] = r.cpu_us_per_call;
                fails[p] += r.failures;
            }
        double med_cps[P_COUNT], med_cpu[P_COUNT];
        for (int p = 0; p < P_COUNT; p++) {
            med_cps[p] = median(cps[p], ROUNDS);
            med_cpu[p] = median(cpu[p], ROUNDS);
            failed += fails[p];
            printf("%-8d %-14s %12.0f %14.1f %9d\n", nt, k_path_name[p], med_cps[p], med_cpu[p], fails[p]);
        }
        printf("  %d thread%s: transport/bare calls/s %.3f, added CPU %+.1f us/call; "
               "provider/bare calls/s %.3f, added CPU %+.1f us/call\n\n",
               nt, nt > 1 ? "s" : "", med_cps[P_TRANSPORT] / med_cps[P_BARE],
               med_cpu[P_TRANSPORT] - med_cpu[P_BARE], med_cps[P_PROVIDER] / med_cps[P_BARE],
               med_cpu[P_PROVIDER] - med_cpu[P_BARE]);
    }
    printf("connections accepted by the mock: %u for %zu requests\n", lt_mock_connections(mock),
           lt_mock_request_count(mock));
    llmops_request_free(g_request);
    llmops_provider_free(g_provider);
    llmops__http_global_cleanup();
    lt_mock_stop(mock);
    curl_global_cleanup();
    return failed ? 1 : 0;
}
