/* Internal hooks of the fallback chain (src/provider/fallback.c), for tests
 * and diagnostics. */
#ifndef LLMOPS_PROVIDER_FALLBACK_H
#define LLMOPS_PROVIDER_FALLBACK_H

#include <stddef.h>

#include "llmops/provider.h"
#include "provider/backoff.h"
#include "provider/breaker.h"

/* Replaces the clock, sleep and random sources of a fallback provider (NULL
 * restores the real ones). Not synchronized: call it before the provider's
 * first call. LLMOPS_E_INVALID_ARGUMENT when p is not a fallback provider. */
llmops_status llmops__fallback_set_clock(llmops_provider *p, const llmops__resil_clock *clk);

/* The breaker of target i, or NULL when p is not a fallback provider or i is
 * out of range. Borrowed from p. */
llmops__breaker *llmops__fallback_breaker(llmops_provider *p, size_t i);

#endif
