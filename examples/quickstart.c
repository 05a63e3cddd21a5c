/* quickstart: one LLM call the way a production service makes it, offline.
 *
 * A fallback chain (retries with backoff, circuit breakers, one deadline)
 * over two targets: the OpenAI provider, used only when OPENAI_API_KEY is
 * set, and a replay provider answering from the cassettes in the directory
 * given on the command line. The answer streams to stdout as it arrives;
 * then the usage, timings, attempts and the request fingerprint are shown.
 *
 *   quickstart examples/cassettes          offline: answered by the cassette
 *   OPENAI_API_KEY=... quickstart DIR      live first, the cassette as fallback
 *
 * Build: cc quickstart.c $(pkg-config --cflags --libs llmops) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <llmops.h>

static int print_delta(const llmops_delta *d, void *user_data)
{
    (void)user_data;
    if (d->kind == LLMOPS_DELTA_TEXT) {
        fwrite(d->text, 1, d->len, stdout);
        fflush(stdout);
    } else if (d->kind == LLMOPS_DELTA_TOOL_CALL_DONE) {
        printf("\n[tool call %s(%.*s)]\n", d->tool_name ? d->tool_name : "?", (int)d->len,
               d->text);
    }
    return 0; /* non-zero would stop the call */
}

static int fail(const char *what, llmops_status st, const char *detail)
{
    fprintf(stderr, "quickstart: %s: %s%s%s\n", what, llmops_status_str(st),
            detail ? ": " : "", detail ? detail : "");
    return 1;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s CASSETTE_DIR\n", argv[0]);
        return 2;
    }
    llmops_provider *targets[2];
    size_t n = 0;
    llmops_status st;
    const char *key = getenv("OPENAI_API_KEY");
    if (key && *key) {
        llmops_provider_options o = LLMOPS_PROVIDER_OPTIONS_INIT;
        char *why = NULL;
        if ((st = llmops_provider_new(&targets[n], "openai", "openai", &o, &why)) != LLMOPS_OK)
            return fail("openai provider", st, why);
        n++;
    }
    if ((st = llmops_provider_new_replay(&targets[n], "cassettes", argv[1],
                                         LLMOPS_REPLAY_TIMING)) != LLMOPS_OK)
        return fail("replay provider", st, argv[1]);
    n++;

    llmops_retry_options retry = LLMOPS_RETRY_OPTIONS_INIT;
    retry.max_attempts = 2;
    retry.deadline_ms = 30000;
    llmops_provider *chain = NULL;
    st = llmops_provider_new_fallback(&chain, "chain", targets, NULL, n, &retry);
    for (size_t i = 0; i < n; i++)
        llmops_provider_free(targets[i]); /* the chain holds its own references */
    if (st != LLMOPS_OK)
        return fail("fallback chain", st, NULL);

    llmops_request *req = NULL;
    llmops_request_new(&req);
    llmops_request_set_model(req, "gpt-4o-mini");
    llmops_request_add_message(req, LLMOPS_ROLE_SYSTEM,
                               "You answer in two short sentences.", SIZE_MAX);
    llmops_request_add_message(req, LLMOPS_ROLE_USER,
                               "Why run LLM calls through an in-process library?", SIZE_MAX);
    llmops_request_set_temperature(req, 0.2);
    llmops_request_set_max_output_tokens(req, 120);

    llmops_response *resp = NULL;
    llmops_response_new(&resp);
    st = llmops_provider_generate(chain, req, resp, print_delta, NULL);
    printf("\n\n");
    int rc = 0;
    if (st != LLMOPS_OK) {
        rc = fail("generate", st, llmops_response_error(resp));
    } else {
        llmops_usage u = LLMOPS_USAGE_INIT;
        if (llmops_response_usage(resp, &u) == LLMOPS_OK)
            printf("usage:       %lld input, %lld output tokens\n", (long long)u.input_tokens,
                   (long long)u.output_tokens);
        printf("model:       %s (answered by %s)\n",
               llmops_response_model(resp) ? llmops_response_model(resp) : "?",
               llmops_response_provider(resp));
        printf("ttft:        %.1f ms, total %.1f ms\n", llmops_response_ttft_ns(resp) / 1e6,
               llmops_response_latency_ns(resp) / 1e6);
    }
    for (size_t i = 0; i < llmops_response_attempt_count(resp); i++) {
        llmops_attempt a = LLMOPS_ATTEMPT_INIT;
        llmops_response_attempt(resp, i, &a);
        printf("attempt %zu:   %s -> %s (%.1f ms)\n", i + 1, a.target,
               llmops_status_str(a.status), a.latency_ns / 1e6);
    }
    char fp[65];
    if (llmops_request_fingerprint(req, fp) == LLMOPS_OK)
        printf("fingerprint: %s\n", fp);
    llmops_response_free(resp);
    llmops_request_free(req);
    llmops_provider_free(chain);
    return rc;
}
