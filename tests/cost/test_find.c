/* Model lookup: every step of the documented order, on real ids of the
 * shared LiteLLM table and on small tables that isolate one rule; lookups
 * from several threads at once. */
#include <pthread.h>
#include <string.h>

#include "cost_test.h"

/* The entry the table has under `id` itself (provider-agnostic lookup). */
static const llmops__price *entry_of(const llmops__prices *p, const char *id)
{
    const llmops__price *e = llmops__prices_find(p, NULL, id);
    cr_assert_not_null(e, "the table has no '%s'", id);
    return e;
}

Test(find, exact_ids)
{
    llmops__prices *p = ct_real_table();
    const llmops__price *e = llmops__prices_find(p, "openai", "gpt-4o");
    cr_assert_not_null(e);
    cr_assert_eq(e->input, 2.5e-06);
    cr_assert_eq(llmops__prices_find(p, "openai-responses", "gpt-4o"), e);
    cr_assert_eq(llmops__prices_find(p, NULL, "gpt-4o"), e);
    /* A dated id the table lists is its own entry... */
    const llmops__price *mini = llmops__prices_find(p, "openai", "gpt-4o-mini-2024-07-18");
    cr_assert_not_null(mini);
    cr_assert_eq(mini->input, 1.5e-07);
    cr_assert_neq(mini, llmops__prices_find(p, "openai", "gpt-4o-mini"));
    /* ...with its own price when it differs from the undated one. */
    const llmops__price *may = llmops__prices_find(p, "openai", "gpt-4o-2024-05-13");
    cr_assert_not_null(may);
    cr_assert_eq(may->input, 5e-06);
    const llmops__price *sonnet =
        llmops__prices_find(p, "anthropic", "claude-sonnet-4-5-20250929");
    cr_assert_not_null(sonnet);
    cr_assert_eq(sonnet->cache_creation, 3.75e-06);
    cr_assert_eq(llmops__prices_find(p, "anthropic", "claude-sonnet-4-20250514")->output,
                 1.5e-05);
    llmops__prices_free(p);
}

Test(find, gemini_prefers_the_gemini_api_entry)
{
    llmops__prices *p = ct_real_table();
    /* "gemini-2.0-flash" is listed under vertex_ai-language-models; for the
     * gemini provider type step 2 finds "gemini/gemini-2.0-flash". */
    const llmops__price *g = llmops__prices_find(p, "gemini", "gemini-2.0-flash");
    cr_assert_eq(g, entry_of(p, "gemini/gemini-2.0-flash"));
    cr_assert_neq(g, entry_of(p, "gemini-2.0-flash"));
    /* Where the two differ the Gemini API price is the one used. */
    const llmops__price *v1 = llmops__prices_find(p, "gemini", "gemini-2.0-flash-001");
    cr_assert_eq(v1, entry_of(p, "gemini/gemini-2.0-flash-001"));
    cr_assert_eq(v1->input, 1e-07);
    cr_assert_eq(entry_of(p, "gemini-2.0-flash-001")->input, 1.5e-07);
    /* Without a provider type the exact id wins. */
    cr_assert_eq(llmops__prices_find(p, NULL, "gemini-2.0-flash-001")->input, 1.5e-07);
    /* Gemini's resource names ("models/...") are the same model. */
    cr_assert_eq(llmops__prices_find(p, "gemini", "models/gemini-2.0-flash"), g);
    llmops__prices_free(p);
}

Test(find, ollama_models)
{
    llmops__prices *p = ct_real_table();
    /* LiteLLM lists some Ollama models at $0 under "ollama/": priced, free. */
    const llmops__price *l = llmops__prices_find(p, "ollama", "llama3");
    cr_assert_eq(l, entry_of(p, "ollama/llama3"));
    cr_assert_eq(l->input, 0.0);
    cr_assert_eq(l->output, 0.0);
    /* The ones in the recordings are not listed: unpriced, not $0. */
    cr_assert_null(llmops__prices_find(p, "ollama", "qwen3:0.6b"));
    cr_assert_null(llmops__prices_find(p, "ollama", "gpt-oss:20b"));
    /* The prefix belongs to the provider type only. */
    cr_assert_null(llmops__prices_find(p, "openai", "llama3"));
    cr_assert_null(llmops__prices_find(p, NULL, "llama3"));
    llmops__prices_free(p);
}

Test(find, other_litellm_providers_use_their_prefix)
{
    llmops__prices *p = ct_real_table();
    /* OpenAI-compatible hosts can name their LiteLLM provider. */
    cr_assert_eq(llmops__prices_find(p, "mistral", "mistral-small-latest"),
                 entry_of(p, "mistral/mistral-small-latest"));
    cr_assert_eq(llmops__prices_find(p, "xai", "grok-3-mini"), entry_of(p, "xai/grok-3-mini"));
    cr_assert_null(llmops__prices_find(p, "openai", "grok-3-mini"));
    /* Step 3: an exact id under another provider is still found. */
    cr_assert_eq(llmops__prices_find(p, "openai", "claude-haiku-4-5"),
                 entry_of(p, "claude-haiku-4-5"));
    llmops__prices_free(p);
}

Test(find, date_suffix_dropped_only_when_the_dated_id_is_absent)
{
    llmops__prices *p = ct_real_table();
    /* Snapshots the table does not list yet fall back to their family. */
    cr_assert_eq(llmops__prices_find(p, "openai", "gpt-4o-2026-01-15"), entry_of(p, "gpt-4o"));
    cr_assert_eq(llmops__prices_find(p, "anthropic", "claude-sonnet-4-5-20260101"),
                 entry_of(p, "claude-sonnet-4-5"));
    cr_assert_eq(llmops__prices_find(p, "openai-responses", "gpt-5.4-mini-2026-09-30"),
                 entry_of(p, "gpt-5.4-mini"));
    /* Not a date: no fallback. */
    cr_assert_null(llmops__prices_find(p, "openai", "gpt-4o-2026-13-15"));
    cr_assert_null(llmops__prices_find(p, "openai", "gpt-4o-12345678"));
    /* Listed with tiered prices only: stays unpriced though its family,
     * dashscope/qwen-plus, has a per-token price. */
    cr_assert_not_null(llmops__prices_find(p, "dashscope", "qwen-plus"));
    cr_assert_null(llmops__prices_find(p, "dashscope", "qwen-plus-2025-07-28"));
    cr_assert_null(llmops__prices_find(p, NULL, "dashscope/qwen-plus-2025-07-28"));
    /* gpt-4.5-preview-2025-02-27 (a recording's model): neither id listed. */
    cr_assert_null(llmops__prices_find(p, "openai", "gpt-4.5-preview-2025-02-27"));
    llmops__prices_free(p);
}

/* The shared table has no "anthropic/..." or "openai/<chat model>" ids and
 * no Gemini model only under "vertex_ai/", so those prefix rules, the "@"
 * date form and the step order are checked on a small table. */
static const char small_table[] =
    "{"
    "\"anthropic/claude-x\": {\"input_cost_per_token\": 1, \"litellm_provider\": \"anthropic\"},"
    "\"openai/gpt-x\": {\"input_cost_per_token\": 2, \"litellm_provider\": \"openai\"},"
    "\"vertex_ai/gemini-v\": {\"input_cost_per_token\": 3, \"litellm_provider\": \"vertex_ai\"},"
    "\"gemini/gemini-both\": {\"input_cost_per_token\": 4, \"litellm_provider\": \"gemini\"},"
    "\"vertex_ai/gemini-both\": {\"input_cost_per_token\": 5, \"litellm_provider\": \"vertex_ai\"},"
    "\"claude-y\": {\"input_cost_per_token\": 6, \"litellm_provider\": \"bedrock\"},"
    "\"anthropic/claude-y\": {\"input_cost_per_token\": 7, \"litellm_provider\": \"anthropic\"},"
    "\"plain\": {\"input_cost_per_token\": 8},"
    "\"anthropic/plain\": {\"input_cost_per_token\": 9},"
    "\"claude-z\": {\"input_cost_per_token\": 10, \"litellm_provider\": \"anthropic\"},"
    "\"claude-z-20250101\": {\"input_cost_per_token\": 11, \"litellm_provider\": \"bedrock\"},"
    "\"claude-v\": {\"input_cost_per_token\": 12, \"litellm_provider\": \"vertex_ai\"},"
    "\"groq/llama-g\": {\"input_cost_per_token\": 13, \"litellm_provider\": \"groq\"},"
    "\"claude-z-20250303\": {\"litellm_provider\": \"anthropic\", \"tiered_pricing\": []},"
    "\"anthropic/claude-w-20250404\": {\"output_cost_per_image\": 1},"
    "\"claude-w\": {\"input_cost_per_token\": 14, \"litellm_provider\": \"anthropic\"}"
    "}";

static double input_of(const llmops__prices *p, const char *type, const char *model)
{
    const llmops__price *e = llmops__prices_find(p, type, model);
    return e ? e->input : -1.0;
}

Test(find, order_on_a_small_table)
{
    llmops__prices *p = ct_table(small_table);
    /* Step 2 prefixes. */
    cr_assert_eq(input_of(p, "anthropic", "claude-x"), 1);
    cr_assert_eq(input_of(p, "openai", "gpt-x"), 2);
    cr_assert_eq(input_of(p, "openai-responses", "gpt-x"), 2);
    cr_assert_eq(input_of(p, "gemini", "gemini-v"), 3);
    cr_assert_eq(input_of(p, "gemini", "gemini-both"), 4); /* gemini/ before vertex_ai/ */
    cr_assert_eq(input_of(p, "groq", "llama-g"), 13);
    cr_assert_eq(input_of(p, "openai", "claude-x"), -1);
    cr_assert_eq(input_of(p, NULL, "claude-x"), -1);
    cr_assert_eq(input_of(p, NULL, "anthropic/claude-x"), 1); /* ids with a prefix are exact */
    /* Step 1 needs a matching litellm_provider, else the prefixed id wins
     * (step 2), and the exact id is the last resort (step 3). */
    cr_assert_eq(input_of(p, "anthropic", "claude-y"), 7);
    cr_assert_eq(input_of(p, NULL, "claude-y"), 6);
    cr_assert_eq(input_of(p, "openai", "claude-y"), 6);
    /* No litellm_provider: the exact id matches any type. */
    cr_assert_eq(input_of(p, "anthropic", "plain"), 8);
    /* A dated id listed under another provider is still before the undated
     * one (the date is dropped only when steps 1-3 find nothing). */
    cr_assert_eq(input_of(p, "anthropic", "claude-z-20250101"), 11);
    cr_assert_eq(input_of(p, "anthropic", "claude-z-20250102"), 10);
    /* Listed without a per-token price, exactly or under the prefix: no
     * date fallback. */
    cr_assert_eq(input_of(p, "anthropic", "claude-z-20250303"), -1);
    cr_assert_eq(input_of(p, "anthropic", "claude-w-20250404"), -1);
    cr_assert_eq(input_of(p, "anthropic", "claude-w-20250405"), 14);
    cr_assert_eq(input_of(p, "openai", "claude-w-20250404"), 14); /* anthropic/ not tried */
    /* The three date forms. */
    cr_assert_eq(input_of(p, "anthropic", "claude-z-2025-01-02"), 10);
    cr_assert_eq(input_of(p, "gemini", "claude-v@20240620"), 12);
    cr_assert_eq(input_of(p, "anthropic", "claude-x-20251001"), 1);
    cr_assert_eq(input_of(p, "anthropic", "claude-x@"), -1);
    cr_assert_eq(input_of(p, "anthropic", "claude-x-20251301"), -1); /* month 13 */
    cr_assert_eq(input_of(p, "anthropic", "claude-x-20251000"), -1); /* day 0 */
    cr_assert_eq(input_of(p, "anthropic", "20251001"), -1);
    /* Odd inputs. */
    cr_assert_eq(input_of(p, "anthropic", ""), -1);
    cr_assert_eq(input_of(p, "anthropic", "models/"), -1);
    cr_assert_null(llmops__prices_find(p, "anthropic", NULL));
    cr_assert_null(llmops__prices_find(NULL, "anthropic", "claude-x"));
    char huge[600];
    memset(huge, 'a', sizeof huge - 1);
    huge[sizeof huge - 1] = '\0';
    cr_assert_null(llmops__prices_find(p, "anthropic", huge));
    cr_assert_null(llmops__prices_find(p, huge, "claude-x"));
    llmops__prices_free(p);
}

struct thread_arg {
    const llmops__prices *p;
    const llmops__price *gpt4o, *gemini;
    int failures;
};

static void *finder(void *v)
{
    struct thread_arg *a = v;
    for (int i = 0; i < 20000; i++) {
        if (llmops__prices_find(a->p, "openai", "gpt-4o-2026-01-15") != a->gpt4o ||
            llmops__prices_find(a->p, "gemini", "gemini-2.0-flash") != a->gemini ||
            llmops__prices_find(a->p, "ollama", "qwen3:0.6b") != NULL)
            a->failures++;
    }
    return NULL;
}

Test(find, shared_between_threads)
{
    llmops__prices *p = ct_real_table();
    struct thread_arg args[4];
    pthread_t tids[4];
    for (int i = 0; i < 4; i++) {
        args[i] = (struct thread_arg){ p, entry_of(p, "gpt-4o"),
                                       entry_of(p, "gemini/gemini-2.0-flash"), 0 };
        cr_assert_eq(pthread_create(&tids[i], NULL, finder, &args[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(tids[i], NULL);
        cr_assert_eq(args[i].failures, 0, "thread %d: %d wrong lookups", i, args[i].failures);
    }
    llmops__prices_free(p);
}
