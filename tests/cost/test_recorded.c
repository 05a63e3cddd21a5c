/* Cost of real recorded calls: each recording is parsed with its wire
 * format (bodies with parse, streams through the decoder), its usage priced
 * from the shared table, and the result checked against a hand computation
 * with the table's numbers written out. Streamed and non-streamed recordings
 * with the same usage cost the same. */
#include <string.h>

#include "cost_test.h"

typedef struct expect {
    int64_t in, out, cached, creation, reasoning;
} expect;

static void assert_usage(const llmops_usage *u, expect e, const char *file)
{
    cr_assert(u->input_tokens == e.in && u->output_tokens == e.out &&
                  u->cached_input_tokens == e.cached && u->cache_creation_tokens == e.creation &&
                  u->reasoning_tokens == e.reasoning,
              "%s: usage in=%lld out=%lld cached=%lld creation=%lld reasoning=%lld", file,
              (long long)u->input_tokens, (long long)u->output_tokens,
              (long long)u->cached_input_tokens, (long long)u->cache_creation_tokens,
              (long long)u->reasoning_tokens);
}

/* Prices the recording for `type` and returns the cost; fails if unpriced. */
static double recorded_cost(llmops__prices *p, const llmops__wire *wire, const char *type,
                            const char *file, expect e, const char *want_model)
{
    char model[128];
    llmops_usage u = ct_recorded_usage(wire, file, model, sizeof model);
    assert_usage(&u, e, file);
    cr_assert_str_eq(model, want_model, "%s", file);
    const llmops__price *pr = llmops__prices_find(p, type, model);
    cr_assert_not_null(pr, "%s: %s/%s is unpriced", file, type, model);
    double usd = -1, again = -2;
    cr_assert_eq(llmops__cost_usd(pr, &u, &usd), 0, "%s", file);
    /* The one-call form agrees (no recording is near a context tier). */
    cr_assert_eq(llmops__prices_cost(p, type, model, &u, &again), 0, "%s", file);
    cr_assert_eq(again, usd, "%s", file);
    return usd;
}

Test(recorded, openai_chat_stream)
{
    llmops__prices *p = ct_real_table();
    /* gpt-4o-mini-2024-07-18: input 1.5e-07, output 6e-07. */
    double usd = recorded_cost(p, &llmops__wire_openai, "openai",
                               "openai/pydai__test_run_stream_sync_streams_real_model__0.sse",
                               (expect){ 53, 15, 0, 0, 0 }, "gpt-4o-mini-2024-07-18");
    ct_assert_usd(usd, 53 * 1.5e-07 + 15 * 6e-07);
    llmops__prices_free(p);
}

Test(recorded, openai_responses_reasoning)
{
    llmops__prices *p = ct_real_table();
    /* gpt-5-mini-2025-08-07: input 2.5e-07, output 2e-06, no reasoning price:
     * the 128 reasoning tokens are billed as output. */
    double usd = recorded_cost(p, &llmops__wire_openai_responses, "openai-responses",
                               "openai/vercel-ai__openai-reasoning-encrypted-content.1.json",
                               (expect){ 865, 163, 0, 0, 128 }, "gpt-5-mini-2025-08-07");
    ct_assert_usd(usd, 865 * 2.5e-07 + 163 * 2e-06);
    llmops__prices_free(p);
}

Test(recorded, anthropic_cache_read)
{
    llmops__prices *p = ct_real_table();
    /* claude-opus-4-8: input 5e-06, cache read 5e-07, output 2.5e-05; 1590
     * of the 1592 input tokens came from the cache. */
    double usd = recorded_cost(p, &llmops__wire_anthropic, "anthropic",
                               "anthropic/pydai__test_inline_system_prompt_cache_prefix_is_reused__1.json",
                               (expect){ 1592, 4, 1590, 0, 0 }, "claude-opus-4-8");
    ct_assert_usd(usd, 2 * 5e-06 + 1590 * 5e-07 + 4 * 2.5e-05);
    llmops__prices_free(p);
}

Test(recorded, anthropic_dated_sonnet_stream)
{
    llmops__prices *p = ct_real_table();
    /* claude-sonnet-4-20250514: input 3e-06, output 1.5e-05. */
    double usd = recorded_cost(p, &llmops__wire_anthropic, "anthropic",
                               "anthropic/pydai__test_anthropic_web_fetch_tool_stream__0.sse",
                               (expect){ 7244, 153, 0, 0, 0 }, "claude-sonnet-4-20250514");
    ct_assert_usd(usd, 7244 * 3e-06 + 153 * 1.5e-05);
    llmops__prices_free(p);
}

Test(recorded, gemini_stream_and_body)
{
    llmops__prices *p = ct_real_table();
    /* gemini/gemini-2.0-flash: input 1e-07, output 4e-07. */
    double usd = recorded_cost(p, &llmops__wire_gemini, "gemini",
                               "gemini/pydai__test_google_model_iter_stream__0.sse",
                               (expect){ 52, 5, 0, 0, 0 }, "gemini-2.0-flash");
    ct_assert_usd(usd, 52 * 1e-07 + 5 * 4e-07);
    /* gemini/gemini-3-pro-preview: input 2e-06, output 1.2e-05; thoughts are
     * output tokens. */
    usd = recorded_cost(p, &llmops__wire_gemini, "gemini", "gemini/vercel-ai__google-reasoning.json",
                        (expect){ 9, 311, 0, 0, 282 }, "gemini-3-pro-preview");
    ct_assert_usd(usd, 9 * 2e-06 + 311 * 1.2e-05);
    llmops__prices_free(p);
}

Test(recorded, ollama_is_unpriced)
{
    llmops__prices *p = ct_real_table();
    char model[128];
    llmops_usage u = ct_recorded_usage(
        &llmops__wire_openai, "ollama/pydai__test_ollama_local_native_output_uses_json_schema__0.json",
        model, sizeof model);
    assert_usage(&u, (expect){ 136, 15, 0, 0, 0 }, "ollama recording");
    cr_assert_str_eq(model, "qwen3:0.6b");
    const llmops__price *pr = llmops__prices_find(p, "ollama", model);
    cr_assert_null(pr);
    double usd = 123.0;
    cr_assert_eq(llmops__cost_usd(pr, &u, &usd), -1);
    cr_assert_eq(llmops__prices_cost(p, "ollama", model, &u, &usd), -1);
    cr_assert_eq(usd, 123.0);
    llmops__prices_free(p);
}

/* Pairs of recordings of one provider, one streamed and one not, whose
 * usage is the same: the cost must be the same, and what the table says. */
static void same_cost(const llmops__wire *wire, const char *type, const char *body_file,
                      const char *stream_file, expect e, const char *model, double want)
{
    llmops__prices *p = ct_real_table();
    double body = recorded_cost(p, wire, type, body_file, e, model);
    double stream = recorded_cost(p, wire, type, stream_file, e, model);
    cr_assert_eq(body, stream, "%s: %.17g, %s: %.17g", body_file, body, stream_file, stream);
    ct_assert_usd(body, want);
    llmops__prices_free(p);
}

Test(recorded, stream_equals_body_anthropic)
{
    /* claude-fable-5: input 1e-05, output 5e-05. */
    same_cost(&llmops__wire_anthropic, "anthropic", "anthropic/vercel-ai__anthropic-refusal.json",
              "anthropic/vercel-ai__anthropic-refusal.chunks.jsonl", (expect){ 18, 5, 0, 0, 0 },
              "claude-fable-5", 18 * 1e-05 + 5 * 5e-05);
}

Test(recorded, stream_equals_body_openai_responses)
{
    /* gpt-5.2-codex: input 1.75e-06, output 1.4e-05. */
    same_cost(&llmops__wire_openai_responses, "openai-responses",
              "openai/vercel-ai__openai-custom-tool.1.json",
              "openai/vercel-ai__openai-custom-tool.1.chunks.jsonl", (expect){ 50, 20, 0, 0, 0 },
              "gpt-5.2-codex", 50 * 1.75e-06 + 20 * 1.4e-05);
}

Test(recorded, stream_equals_body_openai_compatible)
{
    /* Mistral through the OpenAI wire, priced as LiteLLM's "mistral":
     * mistral/mistral-small-latest, input 6e-08, output 1.8e-07. */
    same_cost(&llmops__wire_openai, "mistral", "mistral/vercel-ai__mistral-tool-call.json",
              "mistral/vercel-ai__mistral-tool-call.chunks.jsonl", (expect){ 124, 22, 0, 0, 0 },
              "mistral-small-latest", 124 * 6e-08 + 22 * 1.8e-07);
}
