/* Retry waits of the fallback chain: exponential backoff with full jitter,
 * the provider's retry hint, and the one deadline shared by every retry and
 * fallback. Also the time and randomness sources of the resilience
 * wrappers (fallback, breaker, replay timing), behind a small table so tests
 * can run them on a fake clock and never sleep for real. Owned by
 * src/provider/backoff.c. */
#ifndef LLMOPS_PROVIDER_BACKOFF_H
#define LLMOPS_PROVIDER_BACKOFF_H

#include <stdint.h>

#include "llmops/provider.h"

/* Where the wrappers get time, sleep and random numbers. Every function
 * must be thread-safe. */
typedef struct llmops__resil_clock {
    uint64_t (*now_ns)(void *user);            /* monotonic nanoseconds */
    void (*sleep_ns)(uint64_t ns, void *user); /* block about ns */
    uint64_t (*rand_u64)(void *user);          /* uniform 64-bit */
    void *user;
} llmops__resil_clock;

/* The real sources: llmops__mono_ns, llmops__sleep_ns, llmops__rand_u64
 * (a per-thread PRNG). Static storage. */
const llmops__resil_clock *llmops__resil_clock_real(void);

/* The full-jitter cap before retry number `retry` (1 = the wait after the
 * first failed attempt): min(max_ns, base_ns * 2^(retry-1)), without
 * overflow. */
uint64_t llmops__backoff_cap_ns(unsigned retry, uint64_t base_ns, uint64_t max_ns);

/* A uniform random wait in [0, cap]. */
uint64_t llmops__backoff_jitter_ns(const llmops__resil_clock *clk, uint64_t cap);

typedef enum llmops__backoff_verdict {
    LLMOPS__BACKOFF_WAIT = 0,          /* sleep *wait_ns, then retry */
    LLMOPS__BACKOFF_HINT_PAST_DEADLINE, /* the provider asked for longer than is left */
    LLMOPS__BACKOFF_PAST_DEADLINE      /* even the jittered wait leaves no time */
} llmops__backoff_verdict;

/* Plans the wait before retry number `retry`: a full-jitter draw, raised to
 * the provider's hint (hint_ms, 0 when none) when there is one. With a
 * deadline (deadline_ns != 0), a wait that would reach it is not taken:
 * retrying this target is pointless then, and the time is better spent on
 * the next target. *wait_ns receives the wait in every case. */
llmops__backoff_verdict llmops__backoff_plan(const llmops__resil_clock *clk, unsigned retry,
                                             uint64_t base_ns, uint64_t max_ns,
                                             uint64_t hint_ms, uint64_t now_ns,
                                             uint64_t deadline_ns, uint64_t *wait_ns);

/* Sleeps ns in slices of at most 50 ms so a cancelled request (req may be
 * NULL) ends the wait promptly. 0 when the whole wait passed, -1 when the
 * request was cancelled. */
int llmops__backoff_sleep(const llmops__resil_clock *clk, uint64_t ns,
                          const llmops_request *req);

#endif
