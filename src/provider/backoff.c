/* Full-jitter exponential backoff (the AWS "full jitter" scheme: a uniform
 * draw in [0, min(cap, base * 2^n)]) with retry hints and a deadline. Full
 * jitter spreads the retries of many clients that failed together, which
 * is what a 429 or 529 from a shared provider usually means. */
#include "provider/backoff.h"

#include "core/clock.h"
#include "core/ids.h"

#define SLEEP_SLICE_NS 50000000ull /* cancel is noticed within 50 ms */

static uint64_t real_now(void *user)
{
    (void)user;
    return llmops__mono_ns();
}

static void real_sleep(uint64_t ns, void *user)
{
    (void)user;
    llmops__sleep_ns(ns);
}

static uint64_t real_rand(void *user)
{
    (void)user;
    return llmops__rand_u64();
}

static const llmops__resil_clock real_clock = { real_now, real_sleep, real_rand, NULL };

const llmops__resil_clock *llmops__resil_clock_real(void)
{
    return &real_clock;
}

uint64_t llmops__backoff_cap_ns(unsigned retry, uint64_t base_ns, uint64_t max_ns)
{
    if (retry == 0)
        retry = 1;
    uint64_t cap = base_ns;
    for (unsigned i = 1; i < retry && cap < max_ns; i++) {
        if (cap > UINT64_MAX / 2)
            return max_ns;
        cap *= 2;
    }
    return cap < max_ns ? cap : max_ns;
}

uint64_t llmops__backoff_jitter_ns(const llmops__resil_clock *clk, uint64_t cap)
{
    uint64_t r = clk->rand_u64(clk->user);
    if (cap == UINT64_MAX)
        return r;
    /* Modulo bias is below cap / 2^64: irrelevant for waits of seconds. */
    return r % (cap + 1);
}

llmops__backoff_verdict llmops__backoff_plan(const llmops__resil_clock *clk, unsigned retry,
                                             uint64_t base_ns, uint64_t max_ns,
                                             uint64_t hint_ms, uint64_t now_ns,
                                             uint64_t deadline_ns, uint64_t *wait_ns)
{
    uint64_t wait = llmops__backoff_jitter_ns(clk, llmops__backoff_cap_ns(retry, base_ns, max_ns));
    uint64_t hint_ns = hint_ms > UINT64_MAX / 1000000u ? UINT64_MAX : hint_ms * 1000000u;
    /* The hint is the provider saying when it will accept us again; it may
     * exceed max_delay (a rate-limit window), which only caps our own
     * guesses. */
    if (hint_ms && hint_ns > wait)
        wait = hint_ns;
    *wait_ns = wait;
    if (deadline_ns == 0)
        return LLMOPS__BACKOFF_WAIT;
    if (now_ns >= deadline_ns || wait >= deadline_ns - now_ns)
        return hint_ms && wait == hint_ns ? LLMOPS__BACKOFF_HINT_PAST_DEADLINE
                                          : LLMOPS__BACKOFF_PAST_DEADLINE;
    return LLMOPS__BACKOFF_WAIT;
}

int llmops__backoff_sleep(const llmops__resil_clock *clk, uint64_t ns, const llmops_request *req)
{
    while (ns > 0) {
        if (req && llmops_request_cancelled(req))
            return -1;
        uint64_t step = ns < SLEEP_SLICE_NS ? ns : SLEEP_SLICE_NS;
        clk->sleep_ns(step, clk->user);
        ns -= step;
    }
    return req && llmops_request_cancelled(req) ? -1 : 0;
}
