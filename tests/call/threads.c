/* Calls on one client from several threads while another thread reloads
 * the configuration, as a plain program so TSan builds run it (Criterion's
 * runner cannot start under ThreadSanitizer). Every call must succeed on
 * the snapshot it started with. Exits non-zero on any failure. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "llmops.h"

#define THREADS 4
#define CALLS 200

static char dir[64];
static atomic_int failures;
static atomic_int done;

static void write_file(const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f)
        exit(1);
    fputs(text, f);
    fclose(f);
}

static llmops_status answer(void *self, const llmops_request *req, llmops_response *resp,
                            llmops_stream *stream)
{
    (void)self;
    (void)req;
    (void)stream;
    return llmops_response_set_text(resp, "{\"answer\":\"ok\"}", SIZE_MAX);
}

#define CONFIG \
    "version: 1\n"                                                                 \
    "providers: {host: {type: custom}}\n"                                          \
    "models: {m: {provider: host, id: model-%d}}\n"                                \
    "tasks:\n"                                                                     \
    "  t:\n"                                                                       \
    "    prompt: p\n"                                                              \
    "    model: m\n"                                                               \
    "    output: {format: json, schema: {type: object, required: [answer]}}\n"

static void *caller(void *arg)
{
    llmops_client *c = arg;
    llmops_call *call = NULL;
    if (llmops_call_new(&call, c, "t") != LLMOPS_OK) {
        atomic_fetch_add(&failures, 1);
        return NULL;
    }
    llmops_call_set_input(call, "{\"q\":\"hi\"}", SIZE_MAX);
    for (int i = 0; i < CALLS; i++)
        if (llmops_call_run(call) != LLMOPS_OK) {
            fprintf(stderr, "FAIL: %s\n", llmops_call_error(call));
            atomic_fetch_add(&failures, 1);
        }
    llmops_call_free(call);
    atomic_fetch_add(&done, 1);
    return NULL;
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/llmops-reload-XXXXXX");
    if (!mkdtemp(dir))
        return 1;
    char path[256];
    snprintf(path, sizeof path, "%s/prompts", dir);
    mkdir(path, 0700);
    write_file("prompts/p.prompt", "[user]\n{{q}}\n");
    char text[1024];
    snprintf(text, sizeof text, CONFIG, 0);
    llmops_client *c = NULL;
    char *errors = NULL;
    if (llmops_client_open_string(&c, text, SIZE_MAX, dir, &errors) != LLMOPS_OK) {
        fprintf(stderr, "open: %s\n", errors ? errors : "");
        return 1;
    }
    llmops_provider_vtable vt = {LLMOPS_PROVIDER_VTABLE_VERSION, answer, NULL, NULL, NULL};
    llmops_provider *p = NULL;
    llmops_provider_new_custom(&p, "host", &vt, NULL);
    llmops_client_register_provider(c, "host", p);
    llmops_provider_free(p);

    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++)
        pthread_create(&t[i], NULL, caller, c);
    int reloads = 0;
    while (atomic_load(&done) < THREADS) {
        snprintf(text, sizeof text, CONFIG, ++reloads);
        if (llmops_client_reload(c, text, SIZE_MAX, &errors) != LLMOPS_OK) {
            fprintf(stderr, "reload: %s\n", errors ? errors : "");
            llmops_free(errors);
            atomic_fetch_add(&failures, 1);
        }
        /* A broken configuration never replaces the running one. */
        if (llmops_client_reload(c, "version: 1\ntasks: {t: {}}", SIZE_MAX, NULL) == LLMOPS_OK)
            atomic_fetch_add(&failures, 1);
    }
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    llmops_client_free(c);
    snprintf(path, sizeof path, "rm -rf '%s'", dir);
    if (system(path) != 0)
        return 1;
    printf("call threads: %d threads x %d calls, %d reloads, %d failures\n", THREADS, CALLS,
           reloads, atomic_load(&failures));
    return atomic_load(&failures) ? 1 : 0;
}
