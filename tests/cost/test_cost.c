/* The cost formula (each kind of token at its price, the documented
 * fallbacks, unpriced never $0) and per-model overrides. */
#include <stdio.h>
#include <string.h>

#include "cost_test.h"

static llmops_usage usage(int64_t in, int64_t out, int64_t cached, int64_t creation,
                          int64_t reasoning)
{
    llmops_usage u = LLMOPS_USAGE_INIT;
    u.input_tokens = in;
    u.output_tokens = out;
    u.cached_input_tokens = cached;
    u.cache_creation_tokens = creation;
    u.reasoning_tokens = reasoning;
    u.total_tokens = in + out;
    return u;
}

static double cost_of(const llmops__price *price, llmops_usage u)
{
    double usd = -42.0;
    int rc = llmops__cost_usd(price, &u, &usd);
    cr_assert_eq(rc, 0, "unexpectedly unpriced");
    return usd;
}

static int unpriced(const llmops__price *price, llmops_usage u)
{
    double usd = -42.0;
    int rc = llmops__cost_usd(price, &u, &usd);
    cr_assert_eq(usd, -42.0, "an unpriced call must not write a cost");
    return rc == -1;
}

Test(cost, every_kind_at_its_own_price)
{
    llmops__price pr = { 3e-6, 15e-6, 0.3e-6, 3.75e-6, 20e-6 };
    /* 1000 input of which 200 cached and 300 written to the cache; 500
     * output of which 100 reasoning. */
    double want = 500 * 3e-6 + 200 * 0.3e-6 + 300 * 3.75e-6 + 400 * 15e-6 + 100 * 20e-6;
    ct_assert_usd(cost_of(&pr, usage(1000, 500, 200, 300, 100)), want);
}

Test(cost, fallbacks)
{
    /* No cache or reasoning prices: cached and cache-creation tokens at the
     * input price, reasoning tokens are ordinary output tokens. */
    llmops__price pr = { 2e-6, 8e-6, NAN, NAN, NAN };
    ct_assert_usd(cost_of(&pr, usage(1000, 500, 200, 300, 100)), 1000 * 2e-6 + 500 * 8e-6);
    /* Only a cache-read price. */
    pr.cached_input = 0.5e-6;
    ct_assert_usd(cost_of(&pr, usage(1000, 500, 200, 300, 100)),
                  800 * 2e-6 + 200 * 0.5e-6 + 500 * 8e-6);
}

Test(cost, zero_usage_and_free_models)
{
    llmops__price pr = { 2e-6, 8e-6, NAN, NAN, NAN };
    cr_assert_eq(cost_of(&pr, usage(0, 0, 0, 0, 0)), 0.0);
    llmops__price free_model = { 0.0, 0.0, NAN, NAN, NAN };
    cr_assert_eq(cost_of(&free_model, usage(100, 100, 10, 0, 5)), 0.0);
}

Test(cost, unpriced_is_never_zero)
{
    llmops_usage u = usage(10, 5, 0, 0, 0);
    cr_assert(unpriced(NULL, u));
    llmops__price none = { NAN, NAN, NAN, NAN, NAN };
    cr_assert(unpriced(&none, u));
    cr_assert(unpriced(&none, usage(0, 0, 0, 0, 0)));
    /* Only cache prices: nothing prices plain tokens. */
    llmops__price cache_only = { NAN, NAN, 1e-6, 1e-6, NAN };
    cr_assert(unpriced(&cache_only, u));
    /* Input-only (embeddings): fine without output, unpriced with it. */
    llmops__price embed = { 2e-8, NAN, NAN, NAN, NAN };
    ct_assert_usd(cost_of(&embed, usage(1000, 0, 0, 0, 0)), 1000 * 2e-8);
    cr_assert(unpriced(&embed, usage(1000, 1, 0, 0, 0)));
    /* Output-only with input tokens: unpriced. */
    llmops__price out_only = { NAN, 1e-6, NAN, NAN, NAN };
    cr_assert(unpriced(&out_only, u));
    ct_assert_usd(cost_of(&out_only, usage(0, 7, 0, 0, 0)), 7e-6);
    /* All input cached, and a cache price: the missing input price is not needed. */
    llmops__price cached_in = { NAN, 1e-6, 0.1e-6, NAN, NAN };
    ct_assert_usd(cost_of(&cached_in, usage(10, 5, 10, 0, 0)), 10 * 0.1e-6 + 5 * 1e-6);
    /* Reasoning only priced separately, output unset: the rest of output is unpriced. */
    llmops__price reasoning_only = { 1e-6, NAN, NAN, NAN, 2e-6 };
    ct_assert_usd(cost_of(&reasoning_only, usage(10, 5, 0, 0, 5)), 10e-6 + 10e-6);
    cr_assert(unpriced(&reasoning_only, usage(10, 6, 0, 0, 5)));
    double usd;
    cr_assert_eq(llmops__cost_usd(&reasoning_only, NULL, &usd), -1);
    cr_assert_eq(llmops__cost_usd(&reasoning_only, &u, NULL), -1);
}

Test(cost, overflow_is_unpriced)
{
    llmops__price absurd = { 1e300, 1e300, NAN, NAN, NAN };
    cr_assert(unpriced(&absurd, usage(INT64_MAX, 0, 0, 0, 0)));
    cr_assert(unpriced(&absurd, usage(0, 1000000000, 0, 0, 0)));
    ct_assert_usd(cost_of(&absurd, usage(1, 0, 0, 0, 0)), 1e300);
}

Test(cost, inconsistent_counts_are_capped)
{
    llmops__price pr = { 1e-6, 2e-6, 0.5e-6, 4e-6, 3e-6 };
    /* Negative counts count as zero. */
    ct_assert_usd(cost_of(&pr, usage(-5, -5, -1, -1, -1)), 0.0);
    /* More cached than input: all input is cached; creation gets what is left (none). */
    ct_assert_usd(cost_of(&pr, usage(10, 0, 15, 5, 0)), 10 * 0.5e-6);
    /* Cached plus creation above input: creation is capped to the rest. */
    ct_assert_usd(cost_of(&pr, usage(10, 0, 6, 8, 0)), 6 * 0.5e-6 + 4 * 4e-6);
    /* More reasoning than output (some providers count them apart): capped. */
    ct_assert_usd(cost_of(&pr, usage(0, 10, 0, 0, 25)), 10 * 3e-6);
}

/* Anthropic: usage.input_tokens holds cache reads and cache writes (the wire
 * adds them to the message's input_tokens), each billed at its own rate. */
Test(cost, anthropic_cache_write_and_read)
{
    llmops__prices *p = ct_real_table();
    const llmops__price *pr = llmops__prices_find(p, "anthropic", "claude-sonnet-4-5-20250929");
    cr_assert_not_null(pr);
    /* Wire: input_tokens 20 + cache_creation 1000 + cache_read 3000 = 4020. */
    llmops_usage u = usage(4020, 250, 3000, 1000, 0);
    ct_assert_usd(cost_of(pr, u), 20 * 3e-06 + 3000 * 3e-07 + 1000 * 3.75e-06 + 250 * 1.5e-05);
    llmops__prices_free(p);
}

Test(cost, reasoning_priced_separately_by_the_table)
{
    llmops__prices *p = ct_real_table();
    /* dashscope/qwen-turbo: output 2e-07, output_cost_per_reasoning_token 5e-07. */
    const llmops__price *pr = llmops__prices_find(p, "dashscope", "qwen-turbo");
    cr_assert_not_null(pr);
    cr_assert_eq(pr->output, 2e-07);
    cr_assert_eq(pr->reasoning, 5e-07);
    cr_assert_eq(pr->input, 5e-08);
    ct_assert_usd(cost_of(pr, usage(9, 311, 0, 0, 282)), 9 * 5e-08 + 29 * 2e-07 + 282 * 5e-07);
    /* gpt-5-mini has no reasoning price: reasoning is output. */
    const llmops__price *mini = llmops__prices_find(p, "openai", "gpt-5-mini");
    cr_assert(isnan(mini->reasoning));
    ct_assert_usd(cost_of(mini, usage(865, 163, 0, 0, 128)), 865 * 2.5e-07 + 163 * 2e-06);
    llmops__prices_free(p);
}

Test(overrides, replace_set_fields_keep_the_rest)
{
    llmops__prices *p = ct_real_table();
    llmops__price o = ct_unset_price();
    o.input = 1e-6;
    o.reasoning = 9e-6;
    cr_assert_eq(llmops__prices_set(p, "gpt-4o", &o), LLMOPS_OK);
    const llmops__price *e = llmops__prices_find(p, "openai", "gpt-4o");
    cr_assert_eq(e->input, 1e-6);
    cr_assert_eq(e->output, 1e-05);          /* from the table */
    cr_assert_eq(e->cached_input, 1.25e-06); /* from the table */
    cr_assert_eq(e->reasoning, 9e-6);
    cr_assert(isnan(e->cache_creation));
    /* Dated ids the table lacks reach the override through the date rule. */
    cr_assert_eq(llmops__prices_find(p, "openai", "gpt-4o-2026-01-15"), e);
    /* A dated id the table has is not overridden. */
    cr_assert_eq(llmops__prices_find(p, "openai", "gpt-4o-2024-08-06")->input, 2.5e-06);
    llmops__prices_info info;
    llmops__prices_info_get(p, &info);
    cr_assert_eq(info.overrides, 1);
    cr_assert_eq(info.models, 2521);
    ct_assert_usd(cost_of(e, usage(100, 50, 40, 0, 10)),
                  60 * 1e-6 + 40 * 1.25e-06 + 40 * 1e-05 + 10 * 9e-6);
    llmops__prices_free(p);
}

Test(overrides, new_models_and_provider_agnostic)
{
    llmops__prices *p = ct_real_table();
    llmops__price o = { 1e-7, 2e-7, NAN, NAN, NAN };
    /* A local model the table does not list. */
    cr_assert_eq(llmops__prices_set(p, "qwen3:0.6b", &o), LLMOPS_OK);
    const llmops__price *e = llmops__prices_find(p, "ollama", "qwen3:0.6b");
    cr_assert_not_null(e);
    cr_assert_eq(e->output, 2e-7);
    cr_assert(isnan(e->cached_input));
    /* An override of an id the table lists under another provider wins at step 1. */
    o.input = 5e-7;
    cr_assert_eq(llmops__prices_set(p, "gemini-2.0-flash", &o), LLMOPS_OK);
    cr_assert_eq(llmops__prices_find(p, "gemini", "gemini-2.0-flash")->input, 5e-7);
    /* Setting again merges again. */
    llmops__price again = ct_unset_price();
    again.output = 3e-7;
    cr_assert_eq(llmops__prices_set(p, "qwen3:0.6b", &again), LLMOPS_OK);
    e = llmops__prices_find(p, "ollama", "qwen3:0.6b");
    cr_assert_eq(e->input, 1e-7);
    cr_assert_eq(e->output, 3e-7);
    llmops__prices_info info;
    llmops__prices_info_get(p, &info);
    cr_assert_eq(info.models, 2522);
    cr_assert_eq(info.overrides, 3);
    llmops__prices_free(p);
}

Test(overrides, many_on_an_empty_table)
{
    llmops__prices *p = NULL;
    cr_assert_eq(llmops__prices_new(&p), LLMOPS_OK);
    cr_assert_null(llmops__prices_find(p, "openai", "gpt-4o"));
    char id[32];
    for (int i = 0; i < 1000; i++) {
        llmops__price o = { i * 1e-9, i * 2e-9, NAN, NAN, NAN };
        snprintf(id, sizeof id, "model-%d", i);
        cr_assert_eq(llmops__prices_set(p, id, &o), LLMOPS_OK);
    }
    for (int i = 0; i < 1000; i++) {
        snprintf(id, sizeof id, "model-%d", i);
        const llmops__price *e = llmops__prices_find(p, "anthropic", id);
        cr_assert_not_null(e, "%s", id);
        cr_assert_eq(e->output, i * 2e-9);
    }
    cr_assert_null(llmops__prices_find(p, NULL, "model-1000"));
    llmops__prices_free(p);
}

Test(overrides, invalid)
{
    llmops__prices *p = ct_table("{\"m\": {\"input_cost_per_token\": 1}}");
    llmops__price ok = { 1e-6, NAN, NAN, NAN, NAN };
    llmops__price none = ct_unset_price();
    llmops__price negative = { -1e-6, NAN, NAN, NAN, NAN };
    llmops__price inf = { 1e-6, INFINITY, NAN, NAN, NAN };
    cr_assert_eq(llmops__prices_set(p, "m", &none), LLMOPS_E_INVALID_ARGUMENT);
    cr_assert_eq(llmops__prices_set(p, "m", &negative), LLMOPS_E_INVALID_ARGUMENT);
    cr_assert_eq(llmops__prices_set(p, "m", &inf), LLMOPS_E_INVALID_ARGUMENT);
    cr_assert_eq(llmops__prices_set(p, "", &ok), LLMOPS_E_INVALID_ARGUMENT);
    cr_assert_eq(llmops__prices_set(p, NULL, &ok), LLMOPS_E_INVALID_ARGUMENT);
    cr_assert_eq(llmops__prices_set(p, "m", NULL), LLMOPS_E_INVALID_ARGUMENT);
    cr_assert_eq(llmops__prices_set(NULL, "m", &ok), LLMOPS_E_INVALID_ARGUMENT);
    char longid[LLMOPS__PRICE_KEY_MAX + 2];
    memset(longid, 'x', sizeof longid - 1);
    longid[sizeof longid - 1] = '\0';
    cr_assert_eq(llmops__prices_set(p, longid, &ok), LLMOPS_E_INVALID_ARGUMENT);
    /* Nothing changed. */
    cr_assert_eq(llmops__prices_find(p, NULL, "m")->input, 1.0);
    llmops__prices_info info;
    llmops__prices_info_get(p, &info);
    cr_assert_eq(info.overrides, 0);
    cr_assert_eq(llmops__prices_new(NULL), LLMOPS_E_INVALID_ARGUMENT);
    llmops__prices_free(p);
}
