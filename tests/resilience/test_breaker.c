/* The circuit breaker state machine, alone and under concurrency. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdatomic.h>

#include "provider/breaker.h"

#define MS 1000000ull

Test(breaker, opens_after_threshold_consecutive_failures)
{
    llmops__breaker b;
    cr_assert_eq(llmops__breaker_init(&b, 3, 1000 * MS), 0);
    for (int i = 0; i < 2; i++) {
        cr_assert_eq(llmops__breaker_acquire(&b, 10), LLMOPS__BREAKER_ALLOW);
        llmops__breaker_release(&b, LLMOPS__BREAKER_ALLOW, LLMOPS__BREAKER_FAILURE, 10);
    }
    /* A success in between resets the count. */
    llmops__breaker_release(&b, llmops__breaker_acquire(&b, 10), LLMOPS__BREAKER_SUCCESS, 10);
    for (int i = 0; i < 2; i++)
        llmops__breaker_release(&b, llmops__breaker_acquire(&b, 10), LLMOPS__BREAKER_FAILURE,
                                10);
    cr_assert_eq(llmops__breaker_state_at(&b, 10), LLMOPS__BREAKER_CLOSED);
    llmops__breaker_release(&b, llmops__breaker_acquire(&b, 10), LLMOPS__BREAKER_FAILURE, 20);
    cr_assert_eq(llmops__breaker_state_at(&b, 20), LLMOPS__BREAKER_OPEN);
    cr_assert_eq(b.opens, 1);
    llmops__breaker_destroy(&b);
}

Test(breaker, neutral_outcomes_do_not_count)
{
    llmops__breaker b;
    llmops__breaker_init(&b, 2, 1000 * MS);
    for (int i = 0; i < 10; i++)
        llmops__breaker_release(&b, llmops__breaker_acquire(&b, 1), LLMOPS__BREAKER_NEUTRAL, 1);
    cr_assert_eq(llmops__breaker_state_at(&b, 1), LLMOPS__BREAKER_CLOSED);
    llmops__breaker_destroy(&b);
}

Test(breaker, rejects_while_open_then_half_opens_with_one_probe)
{
    llmops__breaker b;
    llmops__breaker_init(&b, 1, 1000 * MS);
    uint64_t t = 5000 * MS;
    llmops__breaker_release(&b, llmops__breaker_acquire(&b, t), LLMOPS__BREAKER_FAILURE, t);
    cr_assert_eq(llmops__breaker_acquire(&b, t + 1), LLMOPS__BREAKER_DENY);
    cr_assert_eq(llmops__breaker_acquire(&b, t + 999 * MS), LLMOPS__BREAKER_DENY);
    cr_assert_eq(llmops__breaker_state_at(&b, t + 1000 * MS), LLMOPS__BREAKER_HALF_OPEN);
    cr_assert_eq(llmops__breaker_acquire(&b, t + 1000 * MS), LLMOPS__BREAKER_PROBE);
    /* While the probe runs, everyone else is turned away. */
    cr_assert_eq(llmops__breaker_acquire(&b, t + 1001 * MS), LLMOPS__BREAKER_DENY);
    cr_assert_eq(llmops__breaker_acquire(&b, t + 9000 * MS), LLMOPS__BREAKER_DENY);
    /* Probe failed: open again, cooldown from now. */
    llmops__breaker_release(&b, LLMOPS__BREAKER_PROBE, LLMOPS__BREAKER_FAILURE, t + 2000 * MS);
    cr_assert_eq(llmops__breaker_acquire(&b, t + 2500 * MS), LLMOPS__BREAKER_DENY);
    cr_assert_eq(b.opens, 2);
    /* Next probe succeeds: closed, normal calls flow. */
    cr_assert_eq(llmops__breaker_acquire(&b, t + 3000 * MS), LLMOPS__BREAKER_PROBE);
    llmops__breaker_release(&b, LLMOPS__BREAKER_PROBE, LLMOPS__BREAKER_SUCCESS, t + 3000 * MS);
    cr_assert_eq(llmops__breaker_state_at(&b, t + 3000 * MS), LLMOPS__BREAKER_CLOSED);
    cr_assert_eq(llmops__breaker_acquire(&b, t + 3001 * MS), LLMOPS__BREAKER_ALLOW);
    cr_assert_eq(llmops__breaker_acquire(&b, t + 3001 * MS), LLMOPS__BREAKER_ALLOW);
    llmops__breaker_destroy(&b);
}

Test(breaker, neutral_probe_hands_the_probe_on)
{
    llmops__breaker b;
    llmops__breaker_init(&b, 1, 10);
    llmops__breaker_release(&b, llmops__breaker_acquire(&b, 100), LLMOPS__BREAKER_FAILURE, 100);
    cr_assert_eq(llmops__breaker_acquire(&b, 200), LLMOPS__BREAKER_PROBE);
    llmops__breaker_release(&b, LLMOPS__BREAKER_PROBE, LLMOPS__BREAKER_NEUTRAL, 200);
    cr_assert_eq(llmops__breaker_state_at(&b, 200), LLMOPS__BREAKER_HALF_OPEN);
    cr_assert_eq(llmops__breaker_acquire(&b, 201), LLMOPS__BREAKER_PROBE);
    llmops__breaker_destroy(&b);
}

Test(breaker, late_results_of_normal_calls_do_not_override_the_probe)
{
    llmops__breaker b;
    llmops__breaker_init(&b, 1, 10);
    /* Two calls start while closed; the first fails and opens it. */
    llmops__breaker_ticket t1 = llmops__breaker_acquire(&b, 100);
    llmops__breaker_ticket t2 = llmops__breaker_acquire(&b, 100);
    llmops__breaker_release(&b, t1, LLMOPS__BREAKER_FAILURE, 100);
    /* The second succeeds late: the breaker stays open until a probe. */
    llmops__breaker_release(&b, t2, LLMOPS__BREAKER_SUCCESS, 101);
    cr_assert_eq(llmops__breaker_state_at(&b, 101), LLMOPS__BREAKER_OPEN);
    llmops__breaker_destroy(&b);
}

Test(breaker, outcome_of_statuses)
{
    cr_assert_eq(llmops__breaker_outcome_of(LLMOPS_OK), LLMOPS__BREAKER_SUCCESS);
    cr_assert_eq(llmops__breaker_outcome_of(LLMOPS_E_RATE_LIMITED), LLMOPS__BREAKER_FAILURE);
    cr_assert_eq(llmops__breaker_outcome_of(LLMOPS_E_OVERLOADED), LLMOPS__BREAKER_FAILURE);
    cr_assert_eq(llmops__breaker_outcome_of(LLMOPS_E_PROVIDER), LLMOPS__BREAKER_FAILURE);
    cr_assert_eq(llmops__breaker_outcome_of(LLMOPS_E_TIMEOUT), LLMOPS__BREAKER_FAILURE);
    cr_assert_eq(llmops__breaker_outcome_of(LLMOPS_E_TRANSPORT), LLMOPS__BREAKER_FAILURE);
    cr_assert_eq(llmops__breaker_outcome_of(LLMOPS_E_AUTH), LLMOPS__BREAKER_FAILURE);
    cr_assert_eq(llmops__breaker_outcome_of(LLMOPS_E_PERMISSION), LLMOPS__BREAKER_FAILURE);
    cr_assert_eq(llmops__breaker_outcome_of(LLMOPS_E_BAD_REQUEST), LLMOPS__BREAKER_NEUTRAL);
    cr_assert_eq(llmops__breaker_outcome_of(LLMOPS_E_CONTEXT_LENGTH), LLMOPS__BREAKER_NEUTRAL);
    cr_assert_eq(llmops__breaker_outcome_of(LLMOPS_E_MODEL_NOT_FOUND), LLMOPS__BREAKER_NEUTRAL);
    cr_assert_eq(llmops__breaker_outcome_of(LLMOPS_E_CANCELLED), LLMOPS__BREAKER_NEUTRAL);
}

typedef struct race {
    llmops__breaker *b;
    atomic_int *go;
    atomic_int probes, allows, denies;
} race;

static void *racer(void *arg)
{
    race *r = arg;
    while (!atomic_load(r->go))
        ;
    for (int i = 0; i < 200; i++) {
        llmops__breaker_ticket t = llmops__breaker_acquire(r->b, 1000 * MS);
        if (t == LLMOPS__BREAKER_PROBE)
            atomic_fetch_add(&r->probes, 1);
        else if (t == LLMOPS__BREAKER_ALLOW)
            atomic_fetch_add(&r->allows, 1);
        else
            atomic_fetch_add(&r->denies, 1);
        /* The probe is never released: nobody else may probe meanwhile. */
    }
    return NULL;
}

Test(breaker, exactly_one_probe_among_racing_threads)
{
    llmops__breaker b;
    llmops__breaker_init(&b, 1, 10 * MS);
    llmops__breaker_release(&b, llmops__breaker_acquire(&b, 0), LLMOPS__BREAKER_FAILURE, 0);
    atomic_int go;
    atomic_init(&go, 0);
    race r = {&b, &go, 0, 0, 0};
    pthread_t th[8];
    for (int i = 0; i < 8; i++)
        cr_assert_eq(pthread_create(&th[i], NULL, racer, &r), 0);
    atomic_store(&go, 1);
    for (int i = 0; i < 8; i++)
        pthread_join(th[i], NULL);
    cr_assert_eq(atomic_load(&r.probes), 1);
    cr_assert_eq(atomic_load(&r.allows), 0);
    cr_assert_eq(atomic_load(&r.denies), 8 * 200 - 1);
    llmops__breaker_destroy(&b);
}
