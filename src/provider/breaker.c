/* Circuit breaker state machine; see breaker.h for the rules. */
#include "provider/breaker.h"

#include "provider/errors.h"

int llmops__breaker_init(llmops__breaker *b, unsigned threshold, uint64_t cooldown_ns)
{
    if (pthread_mutex_init(&b->mu, NULL) != 0)
        return -1;
    b->state = LLMOPS__BREAKER_CLOSED;
    b->failures = 0;
    b->threshold = threshold ? threshold : 1;
    b->cooldown_ns = cooldown_ns;
    b->opened_ns = 0;
    b->probing = 0;
    b->opens = 0;
    return 0;
}

void llmops__breaker_destroy(llmops__breaker *b)
{
    pthread_mutex_destroy(&b->mu);
}

static int cooled(const llmops__breaker *b, uint64_t now_ns)
{
    return now_ns >= b->opened_ns && now_ns - b->opened_ns >= b->cooldown_ns;
}

llmops__breaker_ticket llmops__breaker_acquire(llmops__breaker *b, uint64_t now_ns)
{
    llmops__breaker_ticket t = LLMOPS__BREAKER_DENY;
    pthread_mutex_lock(&b->mu);
    switch (b->state) {
    case LLMOPS__BREAKER_CLOSED:
        t = LLMOPS__BREAKER_ALLOW;
        break;
    case LLMOPS__BREAKER_OPEN:
        if (cooled(b, now_ns)) {
            b->state = LLMOPS__BREAKER_HALF_OPEN;
            b->probing = 1;
            t = LLMOPS__BREAKER_PROBE;
        }
        break;
    case LLMOPS__BREAKER_HALF_OPEN:
        if (!b->probing) {
            b->probing = 1;
            t = LLMOPS__BREAKER_PROBE;
        }
        break;
    }
    pthread_mutex_unlock(&b->mu);
    return t;
}

static void trip(llmops__breaker *b, uint64_t now_ns)
{
    b->state = LLMOPS__BREAKER_OPEN;
    b->opened_ns = now_ns;
    b->failures = 0;
    b->opens++;
}

void llmops__breaker_release(llmops__breaker *b, llmops__breaker_ticket ticket,
                             llmops__breaker_outcome outcome, uint64_t now_ns)
{
    if (ticket == LLMOPS__BREAKER_DENY)
        return;
    pthread_mutex_lock(&b->mu);
    if (ticket == LLMOPS__BREAKER_PROBE) {
        b->probing = 0;
        if (outcome == LLMOPS__BREAKER_SUCCESS) {
            b->state = LLMOPS__BREAKER_CLOSED;
            b->failures = 0;
        } else if (outcome == LLMOPS__BREAKER_FAILURE) {
            trip(b, now_ns);
        }
    } else if (b->state == LLMOPS__BREAKER_CLOSED) {
        if (outcome == LLMOPS__BREAKER_SUCCESS) {
            b->failures = 0;
        } else if (outcome == LLMOPS__BREAKER_FAILURE) {
            if (++b->failures >= b->threshold)
                trip(b, now_ns);
        }
    }
    pthread_mutex_unlock(&b->mu);
}

llmops__breaker_state llmops__breaker_state_at(llmops__breaker *b, uint64_t now_ns)
{
    pthread_mutex_lock(&b->mu);
    llmops__breaker_state s = b->state;
    if (s == LLMOPS__BREAKER_OPEN && cooled(b, now_ns))
        s = LLMOPS__BREAKER_HALF_OPEN;
    pthread_mutex_unlock(&b->mu);
    return s;
}

llmops__breaker_outcome llmops__breaker_outcome_of(llmops_status status)
{
    if (status == LLMOPS_OK)
        return LLMOPS__BREAKER_SUCCESS;
    if (llmops__status_retryable(status) || status == LLMOPS_E_AUTH ||
        status == LLMOPS_E_PERMISSION)
        return LLMOPS__BREAKER_FAILURE;
    return LLMOPS__BREAKER_NEUTRAL;
}
