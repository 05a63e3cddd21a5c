/* Cost accounting: a per-token price table in LiteLLM's
 * model_prices_and_context_window.json format, per-model overrides, model
 * lookup by the ids providers and users actually write, and the USD cost of
 * one call's usage.
 *
 * A table is built once (load or parse, then any overrides with
 * llmops__prices_set) and is immutable afterwards: any number of threads may
 * then call llmops__prices_find and llmops__cost_usd on it at once. */
#ifndef LLMOPS_COST_PRICES_H
#define LLMOPS_COST_PRICES_H

#include <stddef.h>

#include "core/strbuf.h"
#include "llmops/common.h"
#include "llmops/provider.h"

typedef struct llmops__prices llmops__prices;

/* USD per token for each kind of token; NaN means "not set". In a loaded
 * table: input = input_cost_per_token, output = output_cost_per_token,
 * cached_input = cache_read_input_token_cost, cache_creation =
 * cache_creation_input_token_cost, reasoning = output_cost_per_reasoning_token. */
typedef struct llmops__price {
    double input, output, cached_input, cache_creation, reasoning;
} llmops__price;

/* Longest model id the table keeps (bytes). Longer keys are skipped at load
 * and counted; lookups of longer ids find nothing. */
#define LLMOPS__PRICE_KEY_MAX 255

/* What a load kept and left out. */
typedef struct llmops__prices_info {
    size_t models;      /* ids with a per-token price, findable */
    size_t unpriced;    /* well-formed entries without input_cost_per_token or
                         * output_cost_per_token (images, audio seconds, tiered
                         * prices, ...): never returned by find, so their
                         * calls are reported unpriced */
    size_t skipped;     /* entries with a wrong type or value, left out */
    size_t overrides;   /* llmops__prices_set calls applied */
} llmops__prices_info;

/* Reads the table from a file. The top level must be an object of model id
 * -> entry object. "sample_spec" (LiteLLM's field documentation) and
 * "last_updated" (a date string) are ignored. An entry is skipped and
 * counted (see llmops__prices_info and llmops__prices_warnings) instead of
 * failing the table when it is not an object, when one of its prices (the
 * five of llmops__price and their "_above_<N>k_tokens" context tiers, at
 * most 4 tiers) is not a non-negative finite number, when its
 * "litellm_provider" is not a string, or when its id is longer than
 * LLMOPS__PRICE_KEY_MAX. Other fields (batch, priority and flex prices,
 * per-image and per-second prices, 1-hour cache writes, tiered_pricing
 * arrays) are not read.
 * Errors (message in err, which may be NULL): LLMOPS_E_IO naming the file
 * and the system's reason, LLMOPS_E_PARSE with FILE:LINE:COLUMN (malformed
 * JSON, or a top level that is not an object), LLMOPS_E_LIMIT (a file over
 * 64 MiB), LLMOPS_E_INVALID_ARGUMENT, LLMOPS_E_NO_MEMORY. */
llmops_status llmops__prices_load(const char *path, llmops__prices **out, llmops__buf *err);

/* The same from `len` bytes of JSON text; errors say "price table:LINE:COLUMN". */
llmops_status llmops__prices_parse(const char *json, size_t len, llmops__prices **out,
                                   llmops__buf *err);

/* An empty table (every model unpriced until set). */
llmops_status llmops__prices_new(llmops__prices **out);

/* Overrides the price of `model` (an exact id, as in llmops.yaml). The
 * override's set fields replace the table's for that exact id and its unset
 * (NaN) fields keep the table's; an id not in the table is added with only
 * the set fields. An override also drops the table's context tiers for that
 * id (see find_usage): the operator's price holds for every prompt size.
 * Call before the table is shared: it invalidates pointers earlier finds
 * returned. An override matches any provider type (see find).
 * Errors: LLMOPS_E_INVALID_ARGUMENT (NULL, empty or too long id, a negative
 * or infinite price, or every field NaN), LLMOPS_E_NO_MEMORY. */
llmops_status llmops__prices_set(llmops__prices *p, const char *model, const llmops__price *price);

/* Looks `model` up for a provider of type `provider_type` ("openai",
 * "openai-responses", "anthropic", "gemini", "ollama", or any LiteLLM
 * provider name such as "azure", "groq", "mistral"; NULL for none).
 * Returns the price (owned by the table) or NULL when the model is unpriced.
 *
 * Order, first hit wins (each step is one hash lookup):
 *   0. A leading "models/" (Gemini's resource name) is dropped.
 *   1. The exact id, when its entry is an override, has no litellm_provider,
 *      or its litellm_provider is the provider type's LiteLLM provider
 *      ("openai" for openai and openai-responses, "anthropic", "gemini",
 *      "ollama"; an unknown type names itself), or provider_type is NULL.
 *   2. The id under the type's LiteLLM prefixes: "openai/" (openai,
 *      openai-responses), "anthropic/", "gemini/" then "vertex_ai/" (gemini),
 *      "ollama/"; an unknown type uses "<type>/"; none when provider_type
 *      is NULL.
 *   3. The exact id whatever its litellm_provider (an OpenAI-compatible
 *      gateway serving "claude-haiku-4-5" still finds Anthropic's price).
 *   4. Only when no id tried in steps 1-3 is in the table at all and the id
 *      ends in a date suffix ("-YYYY-MM-DD", "-YYYYMMDD" or "@YYYYMMDD"
 *      with a plausible month and day): steps 1-3 again for the id without
 *      it ("gpt-4o-2026-01-15" -> "gpt-4o"). A dated id the table lists
 *      keeps its own price, and one it lists without a per-token price
 *      (e.g. "dashscope/qwen-plus-2025-07-28", priced only in tiers) stays
 *      unpriced rather than taking its family's price.
 * Entries without input_cost_per_token and output_cost_per_token are never
 * returned: their calls are unpriced.
 * Checking litellm_provider in step 1 is what makes provider gemini price
 * "gemini-2.0-flash-001" as "gemini/gemini-2.0-flash-001" (the Gemini API,
 * 1e-07 per input token) rather than the exact id, which LiteLLM lists at
 * Vertex AI's price (1.5e-07).
 * Each step is one hash lookup: about 30 ns for a hit at step 1, 90 ns for a
 * date-suffix fallback, independent of the table's size. */
const llmops__price *llmops__prices_find(const llmops__prices *p, const char *provider_type,
                                         const char *model);

/* The same lookup, then the price for this usage's prompt size: LiteLLM's
 * "<price field>_above_<N>k_tokens" keys (Gemini 2.5 Pro and Claude Sonnet
 * 4.x above 200k, GPT-5.4 above 272k, ...) price a call whose input_tokens
 * (cached ones included) exceed N * 1000 entirely at those prices; a field
 * the tier does not set keeps the base price. With several tiers the
 * highest exceeded one applies. `usage` NULL gives the base price. This is
 * the lookup a call's cost should use; find gives the base price. */
const llmops__price *llmops__prices_find_usage(const llmops__prices *p,
                                               const char *provider_type, const char *model,
                                               const llmops_usage *usage);

/* Cost of one call's usage at `price`:
 *   input_tokens - cached_input_tokens - cache_creation_tokens at input,
 *   cached_input_tokens at cached_input (unset: input),
 *   cache_creation_tokens at cache_creation (unset: input),
 *   output_tokens - reasoning_tokens at output,
 *   reasoning_tokens at reasoning (unset: output, i.e. reasoning tokens are
 *   ordinary output tokens unless the table prices them separately).
 * Negative counts count as 0; cached, creation and reasoning counts are
 * capped so the parts never exceed input_tokens and output_tokens (providers
 * report them as parts of those totals).
 * Returns 0 and sets *usd, or -1 (leaving *usd alone) when the model is
 * unpriced: `price` is NULL, it sets neither input nor output, a kind of
 * token the usage has is priced by nothing (after the fallbacks above), or
 * the sum overflows a double (absurd prices such as 1e300 per token).
 * Never reports an unpriced call as $0. */
int llmops__cost_usd(const llmops__price *price, const llmops_usage *usage, double *usd);

/* find_usage then cost_usd: the cost of one call of `model` at the provider
 * of type `provider_type`. 0 and *usd, or -1 when unpriced. */
int llmops__prices_cost(const llmops__prices *p, const char *provider_type, const char *model,
                        const llmops_usage *usage, double *usd);

void llmops__prices_info_get(const llmops__prices *p, llmops__prices_info *out);

/* One line per skipped entry ("'<id>': input_cost_per_token is a string"),
 * at most 20 lines then "... and N more"; "" when nothing was skipped. Owned
 * by the table. For the host's log hook. */
const char *llmops__prices_warnings(const llmops__prices *p);

/* NULL-safe. */
void llmops__prices_free(llmops__prices *p);

#endif
