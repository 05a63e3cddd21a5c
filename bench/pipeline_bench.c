/* The task pipeline's own cost: one call of a task on an in-process model
 * registered through the vtable — render a ~1 KB prompt, check the input
 * against its schema, validate a ~500-byte JSON output against the
 * contract's schema, sum usage. Prints the median and p99 microseconds per
 * call and the allocations per call (counted through llmops_set_allocator).
 *
 * usage: pipeline_bench [CALLS]   (default 20000) */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "llmops.h"

static atomic_size_t allocations;

static void *count_alloc(size_t n, void *ctx)
{
    (void)ctx;
    atomic_fetch_add_explicit(&allocations, 1, memory_order_relaxed);
    return malloc(n);
}

static void *count_realloc(void *p, size_t n, void *ctx)
{
    (void)ctx;
    atomic_fetch_add_explicit(&allocations, 1, memory_order_relaxed);
    return realloc(p, n);
}

static void count_free(void *p, void *ctx)
{
    (void)ctx;
    free(p);
}

/* A ~500-byte answer that satisfies the output schema. */
static const char answer[] =
    "{\"answer\":\"Your Acme Router reboots when its firmware is older than 2.4. Open the admin "
    "page, choose Maintenance, then Update, and wait five minutes without unplugging it. If it "
    "still reboots, reset it with the pin button for ten seconds.\",\"confidence\":0.82,"
    "\"needs_human\":false,\"steps\":[\"Open the admin page\",\"Choose Maintenance > "
    "Update\",\"Wait five minutes\",\"Reset with the pin if it persists\"],\"category\":"
    "\"hardware\",\"links\":[\"https://support.example.com/acme/firmware\"]}";

static llmops_status model(void *self, const llmops_request *req, llmops_response *resp,
                           llmops_stream *stream)
{
    (void)self;
    (void)req;
    (void)stream;
    llmops_response_set_text(resp, answer, sizeof answer - 1);
    llmops_usage u = LLMOPS_USAGE_INIT;
    u.input_tokens = 300;
    u.output_tokens = 120;
    llmops_response_set_usage(resp, &u);
    return LLMOPS_OK;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) < 0) {
        perror(path);
        exit(1);
    }
    fclose(f);
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    size_t calls = argc > 1 ? (size_t)strtoul(argv[1], NULL, 10) : 20000;
    if (calls < 100)
        calls = 100;
    llmops_allocator a = {LLMOPS_ALLOCATOR_VERSION, count_alloc, count_realloc, count_free, NULL};
    llmops_set_allocator(&a);

    char dir[] = "/tmp/llmops-bench-XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    char path[256];
    snprintf(path, sizeof path, "%s/prompts", dir);
    mkdir(path, 0700);
    snprintf(path, sizeof path, "%s/llmops.yaml", dir);
    write_file(path,
               "version: 1\n"
               "providers: {local: {type: custom}}\n"
               "models: {m: {provider: local, id: local-1, params: {temperature: 0}}}\n"
               "tasks:\n"
               "  answer:\n"
               "    prompt: support\n"
               "    model: m\n"
               "    output:\n"
               "      format: json\n"
               "      schema:\n"
               "        type: object\n"
               "        required: [answer, confidence, needs_human]\n"
               "        properties:\n"
               "          answer: {type: string, minLength: 1}\n"
               "          confidence: {type: number, minimum: 0, maximum: 1}\n"
               "          needs_human: {type: boolean}\n"
               "          steps: {type: array, items: {type: string}}\n"
               "          category: {enum: [hardware, billing, account, other]}\n"
               "          links: {type: array, items: {type: string}}\n");
    /* A ~1 KB prompt with a dozen variables and a section. */
    char prompt[4096];
    snprintf(prompt, sizeof prompt,
             "---\n"
             "input_schema:\n"
             "  type: object\n"
             "  required: [product, question, customer]\n"
             "  properties:\n"
             "    product: {type: string}\n"
             "    question: {type: string}\n"
             "    customer: {type: object}\n"
             "    history: {type: array}\n"
             "---\n"
             "[system]\n"
             "You are the support assistant of {{product}}. You answer customers with "
             "accurate, short, friendly steps they can follow at home. You never invent "
             "features that {{product}} does not have, and you say when a human should take "
             "over. The customer is {{customer.name}} ({{customer.tier}} tier, customer since "
             "{{customer.since}}). Their region is {{customer.region}} and their language is "
             "{{customer.language}}. Answer in JSON with the fields answer, confidence, "
             "needs_human, steps, category and links. Keep the answer under 80 words. Use "
             "the knowledge base below when it applies, and cite its links.\n"
             "Knowledge base: firmware updates fix most reboot loops; a factory reset needs "
             "the pin button for ten seconds; warranty covers hardware faults for two years; "
             "billing questions go to the billing team; account changes need the account "
             "owner.\n"
             "{{#history}}Earlier: {{.}}\n{{/history}}"
             "[user]\n"
             "{{question}}\n");
    snprintf(path, sizeof path, "%s/prompts/support.prompt", dir);
    write_file(path, prompt);

    snprintf(path, sizeof path, "%s/llmops.yaml", dir);
    llmops_client *client = NULL;
    char *errors = NULL;
    if (llmops_client_open(&client, path, &errors) != LLMOPS_OK) {
        fprintf(stderr, "pipeline_bench: %s\n", errors ? errors : "open failed");
        return 1;
    }
    llmops_provider_vtable vt = {LLMOPS_PROVIDER_VTABLE_VERSION, model, NULL, NULL, NULL};
    llmops_provider *p = NULL;
    llmops_provider_new_custom(&p, "local", &vt, NULL);
    llmops_client_register_provider(client, "local", p);
    llmops_provider_free(p);

    const char *input =
        "{\"product\":\"Acme Router X2\",\"question\":\"My router keeps rebooting every few "
        "minutes since yesterday. What should I do?\",\"customer\":{\"name\":\"Dana\","
        "\"tier\":\"gold\",\"since\":\"2019\",\"region\":\"EU\",\"language\":\"English\"},"
        "\"history\":[\"asked about Wi-Fi range\",\"renewed warranty\"]}";
    llmops_call *call = NULL;
    if (llmops_call_new(&call, client, "answer") != LLMOPS_OK ||
        llmops_call_set_input(call, input, SIZE_MAX) != LLMOPS_OK)
        return 1;
    /* Warm up caches and the allocator. */
    for (int i = 0; i < 200; i++)
        if (llmops_call_run(call) != LLMOPS_OK) {
            fprintf(stderr, "pipeline_bench: %s\n", llmops_call_error(call));
            return 1;
        }
    uint64_t *t = malloc(calls * sizeof *t);
    if (!t)
        return 1;
    size_t allocs_before = atomic_load(&allocations);
    for (size_t i = 0; i < calls; i++) {
        uint64_t t0 = now_ns();
        llmops_call_run(call);
        t[i] = now_ns() - t0;
    }
    size_t allocs = atomic_load(&allocations) - allocs_before;
    qsort(t, calls, sizeof *t, cmp_u64);
    printf("pipeline: %zu calls, median %.2f us, p99 %.2f us, %.1f allocations per call\n",
           calls, t[calls / 2] / 1000.0, t[calls * 99 / 100] / 1000.0,
           (double)allocs / (double)calls);
    free(t);
    llmops_call_free(call);
    llmops_client_free(client);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : 1;
}
