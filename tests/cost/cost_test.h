/* Helpers shared by the cost suite: the real price table (or a skip), small
 * tables from text, and usages parsed from real provider recordings. */
#ifndef LLMOPS_TEST_COST_H
#define LLMOPS_TEST_COST_H

#include <criterion/criterion.h>
#include <math.h>

#include "cost/prices.h"
#include "llmops/provider.h"
#include "provider/wire.h"

#define PRICE_TABLE_REL "prices/model_prices_and_context_window.json"

/* The shared table, loaded; skips the test when the data folder is missing. */
llmops__prices *ct_real_table(void);

/* A table from JSON text that must load. */
llmops__prices *ct_table(const char *json);

/* The usage and model of a recording under providers/ (a body parsed with
 * wire->parse, or a stream fed through the decoder, by its file name).
 * Skips when the recording is missing; fails when it does not parse. */
llmops_usage ct_recorded_usage(const llmops__wire *wire, const char *file, char *model,
                               size_t model_cap);

/* A price with every field unset. */
llmops__price ct_unset_price(void);

/* Relative closeness for sums of products of decimal prices. */
#define ct_assert_usd(got, want)                                                        \
    cr_assert(fabs((got) - (want)) <= 1e-12 * fmax(1.0, fabs(want)),                    \
              "cost %.17g, expected %.17g", (double)(got), (double)(want))

#endif
