/* Backoff: the full-jitter cap, the draw's bounds, retry hints, the deadline
 * and cancellable sleeps. */
#include <criterion/criterion.h>

#include "provider/backoff.h"
#include "script.h"

#define MS 1000000ull

Test(backoff, cap_doubles_from_base_and_stops_at_max)
{
    cr_assert_eq(llmops__backoff_cap_ns(1, 250 * MS, 20000 * MS), 250 * MS);
    cr_assert_eq(llmops__backoff_cap_ns(2, 250 * MS, 20000 * MS), 500 * MS);
    cr_assert_eq(llmops__backoff_cap_ns(3, 250 * MS, 20000 * MS), 1000 * MS);
    cr_assert_eq(llmops__backoff_cap_ns(7, 250 * MS, 20000 * MS), 16000 * MS);
    cr_assert_eq(llmops__backoff_cap_ns(8, 250 * MS, 20000 * MS), 20000 * MS);
    /* A huge attempt number neither overflows nor loops for long. */
    cr_assert_eq(llmops__backoff_cap_ns(4000000000u, 250 * MS, 20000 * MS), 20000 * MS);
    cr_assert_eq(llmops__backoff_cap_ns(200, UINT64_MAX / 3, UINT64_MAX), UINT64_MAX);
    cr_assert_eq(llmops__backoff_cap_ns(0, 250 * MS, 20000 * MS), 250 * MS);
}

Test(backoff, full_jitter_stays_in_bounds_and_spreads)
{
    const llmops__resil_clock *real = llmops__resil_clock_real();
    uint64_t cap = 1000 * MS, lo = UINT64_MAX, hi = 0;
    for (int i = 0; i < 20000; i++) {
        uint64_t w = llmops__backoff_jitter_ns(real, cap);
        cr_assert_leq(w, cap);
        if (w < lo)
            lo = w;
        if (w > hi)
            hi = w;
    }
    /* Uniform over [0, cap]: 20000 draws cover both ends (the chance of
     * missing the outer 5% on one side is 0.95^20000). */
    cr_assert_lt(lo, cap / 20, "smallest draw %llu", (unsigned long long)lo);
    cr_assert_gt(hi, cap - cap / 20, "largest draw %llu", (unsigned long long)hi);
    cr_assert_eq(llmops__backoff_jitter_ns(real, 0), 0);
}

Test(backoff, jitter_uses_the_injected_random_source)
{
    lt_clock c;
    lt_clock_init(&c);
    atomic_store(&c.rnd, 1234);
    cr_assert_eq(llmops__backoff_jitter_ns(&c.clk, 10000), 1234);
    cr_assert_eq(llmops__backoff_jitter_ns(&c.clk, 1000), 1234 % 1001);
}

Test(backoff, plan_takes_the_longer_of_hint_and_jitter)
{
    lt_clock c;
    lt_clock_init(&c);
    uint64_t wait = 0, now = 1000 * MS;
    atomic_store(&c.rnd, 100 * MS);
    /* No hint: the draw. */
    cr_assert_eq(llmops__backoff_plan(&c.clk, 1, 250 * MS, 20000 * MS, 0, now, 0, &wait),
                 LLMOPS__BACKOFF_WAIT);
    cr_assert_eq(wait, 100 * MS);
    /* A longer hint wins, even beyond max_delay (a rate-limit window). */
    cr_assert_eq(llmops__backoff_plan(&c.clk, 1, 250 * MS, 1000 * MS, 30000, now, 0, &wait),
                 LLMOPS__BACKOFF_WAIT);
    cr_assert_eq(wait, 30000 * MS);
    /* A shorter hint does not shorten the draw. */
    cr_assert_eq(llmops__backoff_plan(&c.clk, 1, 250 * MS, 20000 * MS, 50, now, 0, &wait),
                 LLMOPS__BACKOFF_WAIT);
    cr_assert_eq(wait, 100 * MS);
}

Test(backoff, plan_refuses_waits_that_reach_the_deadline)
{
    lt_clock c;
    lt_clock_init(&c);
    uint64_t wait = 0, now = 1000 * MS;
    atomic_store(&c.rnd, 200 * MS);
    /* The hint would pass the deadline: do not wait. */
    cr_assert_eq(llmops__backoff_plan(&c.clk, 1, 250 * MS, 20000 * MS, 5000, now,
                                      now + 2000 * MS, &wait),
                 LLMOPS__BACKOFF_HINT_PAST_DEADLINE);
    cr_assert_eq(wait, 5000 * MS);
    /* A hint that fits is taken. */
    cr_assert_eq(llmops__backoff_plan(&c.clk, 1, 250 * MS, 20000 * MS, 1500, now,
                                      now + 2000 * MS, &wait),
                 LLMOPS__BACKOFF_WAIT);
    cr_assert_eq(wait, 1500 * MS);
    /* The draw alone reaches it. */
    cr_assert_eq(llmops__backoff_plan(&c.clk, 1, 250 * MS, 20000 * MS, 0, now, now + 150 * MS,
                                      &wait),
                 LLMOPS__BACKOFF_PAST_DEADLINE);
    /* Already past. */
    cr_assert_eq(llmops__backoff_plan(&c.clk, 1, 250 * MS, 20000 * MS, 0, now, now - 1, &wait),
                 LLMOPS__BACKOFF_PAST_DEADLINE);
}

Test(backoff, sleep_is_sliced_and_stops_on_cancel)
{
    lt_clock c;
    lt_clock_init(&c);
    cr_assert_eq(llmops__backoff_sleep(&c.clk, 120 * MS, NULL), 0);
    cr_assert_eq(atomic_load(&c.slept), 120 * MS);
    cr_assert_eq(atomic_load(&c.sleeps), 3, "50 + 50 + 20 ms slices");

    llmops_request *req = lt_request(NULL);
    llmops_cancel *cancel = NULL;
    cr_assert_eq(llmops_cancel_new(&cancel), LLMOPS_OK);
    llmops_request_set_cancel(req, cancel);
    llmops_cancel_trigger(cancel);
    atomic_store(&c.slept, 0);
    cr_assert_eq(llmops__backoff_sleep(&c.clk, 10000 * MS, req), -1);
    cr_assert_eq(atomic_load(&c.slept), 0, "a cancelled request does not wait");
    llmops_cancel_reset(cancel);
    cr_assert_eq(llmops__backoff_sleep(&c.clk, 10 * MS, req), 0);
    llmops_request_free(req);
    llmops_cancel_free(cancel);
}
