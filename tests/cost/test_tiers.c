/* Context tiers: LiteLLM's "<price>_above_<N>k_tokens" keys price a whole
 * call at the tier's prices when its prompt has more than N * 1000 tokens. */
#include <string.h>

#include "cost_test.h"

static llmops_usage prompt_of(int64_t in, int64_t cached, int64_t out)
{
    llmops_usage u = LLMOPS_USAGE_INIT;
    u.input_tokens = in;
    u.cached_input_tokens = cached;
    u.output_tokens = out;
    return u;
}

static double cost(const llmops__price *pr, llmops_usage u)
{
    double usd = -1;
    cr_assert_not_null(pr);
    cr_assert_eq(llmops__cost_usd(pr, &u, &usd), 0);
    return usd;
}

Test(tiers, claude_sonnet_above_200k)
{
    llmops__prices *p = ct_real_table();
    const char *m = "claude-sonnet-4-5-20250929";
    /* Base: input 3e-06, output 1.5e-05, cache read 3e-07. At 200,000 prompt
     * tokens still the base price... */
    llmops_usage u = prompt_of(200000, 50000, 1000);
    const llmops__price *base = llmops__prices_find_usage(p, "anthropic", m, &u);
    cr_assert_eq(base, llmops__prices_find(p, "anthropic", m));
    ct_assert_usd(cost(base, u), 150000 * 3e-06 + 50000 * 3e-07 + 1000 * 1.5e-05);
    /* ...one more and every token is at the above-200k prices: input 6e-06,
     * output 2.25e-05, cache read 6e-07, cache write 7.5e-06. */
    u = prompt_of(200001, 50000, 1000);
    u.cache_creation_tokens = 1;
    const llmops__price *tier = llmops__prices_find_usage(p, "anthropic", m, &u);
    cr_assert_neq(tier, base);
    cr_assert_eq(tier->input, 6e-06);
    cr_assert_eq(tier->output, 2.25e-05);
    cr_assert_eq(tier->cached_input, 6e-07);
    cr_assert_eq(tier->cache_creation, 7.5e-06);
    ct_assert_usd(cost(tier, u), 150000 * 6e-06 + 50000 * 6e-07 + 1 * 7.5e-06 + 1000 * 2.25e-05);
    double usd = 0;
    cr_assert_eq(llmops__prices_cost(p, "anthropic", m, &u, &usd), 0);
    ct_assert_usd(usd, 150000 * 6e-06 + 50000 * 6e-07 + 1 * 7.5e-06 + 1000 * 2.25e-05);
    llmops__prices_free(p);
}

Test(tiers, gemini_and_gpt)
{
    llmops__prices *p = ct_real_table();
    /* gemini/gemini-2.5-pro above 200k: input 2.5e-06, cache read 2.5e-07,
     * output 1.5e-05. */
    llmops_usage u = prompt_of(300000, 100000, 2000);
    ct_assert_usd(cost(llmops__prices_find_usage(p, "gemini", "gemini-2.5-pro", &u), u),
                  200000 * 2.5e-06 + 100000 * 2.5e-07 + 2000 * 1.5e-05);
    /* gpt-5.4 above 272k: input 5e-06, cache read 5e-07, output 2.25e-05;
     * 250k is below it. */
    u = prompt_of(272001, 0, 10);
    ct_assert_usd(cost(llmops__prices_find_usage(p, "openai", "gpt-5.4-2026-03-05", &u), u),
                  272001 * 5e-06 + 10 * 2.25e-05);
    u = prompt_of(250000, 0, 10);
    ct_assert_usd(cost(llmops__prices_find_usage(p, "openai", "gpt-5.4-2026-03-05", &u), u),
                  250000 * 2.5e-06 + 10 * 1.5e-05);
    /* No tiers: the base price at any size. */
    u = prompt_of(900000, 0, 10);
    cr_assert_eq(llmops__prices_find_usage(p, "openai", "gpt-4o", &u),
                 llmops__prices_find(p, "openai", "gpt-4o"));
    /* NULL usage is the base price; unpriced stays unpriced. */
    cr_assert_eq(llmops__prices_find_usage(p, "gemini", "gemini-2.5-pro", NULL),
                 llmops__prices_find(p, "gemini", "gemini-2.5-pro"));
    cr_assert_null(llmops__prices_find_usage(p, "ollama", "qwen3:0.6b", &u));
    llmops__prices_free(p);
}

Test(tiers, rules_on_a_small_table)
{
    llmops__prices *p = ct_table(
        "{\"m\": {\"input_cost_per_token\": 1, \"output_cost_per_token\": 2,"
        "         \"cache_read_input_token_cost\": 0.5,"
        "         \"output_cost_per_token_above_500k_tokens\": 40,"
        "         \"input_cost_per_token_above_100k_tokens\": 10,"
        "         \"input_cost_per_token_above_500k_tokens\": 30,"
        "         \"input_cost_per_token_above_100k_tokens_priority\": 99,"
        "         \"cache_creation_input_token_cost_above_1hr\": 99,"
        "         \"input_cost_per_audio_per_second_above_128k_tokens\": 99,"
        "         \"input_cost_per_token_above_xk_tokens\": 99},"
        " \"bad-tier\": {\"input_cost_per_token\": 1,"
        "                \"output_cost_per_token_above_200k_tokens\": \"2\"},"
        " \"five-tiers\": {\"input_cost_per_token\": 1,"
        "   \"input_cost_per_token_above_1k_tokens\": 2, \"input_cost_per_token_above_2k_tokens\": 3,"
        "   \"input_cost_per_token_above_3k_tokens\": 4, \"input_cost_per_token_above_4k_tokens\": 5,"
        "   \"input_cost_per_token_above_5k_tokens\": 6}}");
    llmops__prices_info info;
    llmops__prices_info_get(p, &info);
    cr_assert_eq(info.models, 1);
    cr_assert_eq(info.skipped, 2);
    cr_assert_str_eq(llmops__prices_warnings(p),
                     "'bad-tier': output_cost_per_token_above_200k_tokens is string, not a number\n"
                     "'five-tiers': more than 4 context tiers");
    llmops_usage u = prompt_of(100000, 0, 1);
    const llmops__price *pr = llmops__prices_find_usage(p, NULL, "m", &u);
    cr_assert_eq(pr->input, 1);
    u.input_tokens = 100001;
    pr = llmops__prices_find_usage(p, NULL, "m", &u);
    /* Tier 100k sets input only: output and cache read are the base ones. */
    cr_assert_eq(pr->input, 10);
    cr_assert_eq(pr->output, 2);
    cr_assert_eq(pr->cached_input, 0.5);
    cr_assert(isnan(pr->cache_creation));
    u.input_tokens = 700000;
    pr = llmops__prices_find_usage(p, NULL, "m", &u);
    cr_assert_eq(pr->input, 30);
    cr_assert_eq(pr->output, 40);
    cr_assert_eq(pr->cached_input, 0.5);
    /* An override holds for every prompt size. */
    llmops__price o = ct_unset_price();
    o.output = 3;
    cr_assert_eq(llmops__prices_set(p, "m", &o), LLMOPS_OK);
    pr = llmops__prices_find_usage(p, NULL, "m", &u);
    cr_assert_eq(pr, llmops__prices_find(p, NULL, "m"));
    cr_assert_eq(pr->input, 1);
    cr_assert_eq(pr->output, 3);
    llmops__prices_free(p);
}
