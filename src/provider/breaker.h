/* A circuit breaker for one fallback target. Closed, it lets calls through
 * and counts consecutive failures; at `threshold` it opens and rejects
 * calls for `cooldown` so a failing provider is not hammered; then it lets
 * exactly one probe call through at a time (half-open): the probe's success
 * closes it, its failure opens it again. Thread-safe (one mutex, held only
 * for a few loads and stores). Time is passed in so tests drive it. Owned by
 * src/provider/breaker.c. */
#ifndef LLMOPS_PROVIDER_BREAKER_H
#define LLMOPS_PROVIDER_BREAKER_H

#include <pthread.h>
#include <stdint.h>

#include "llmops/common.h"

typedef enum llmops__breaker_state {
    LLMOPS__BREAKER_CLOSED    = 0,
    LLMOPS__BREAKER_OPEN      = 1,
    LLMOPS__BREAKER_HALF_OPEN = 2
} llmops__breaker_state;

/* What acquiring gave: no call, a normal call, or the half-open probe. */
typedef enum llmops__breaker_ticket {
    LLMOPS__BREAKER_DENY  = 0,
    LLMOPS__BREAKER_ALLOW = 1,
    LLMOPS__BREAKER_PROBE = 2
} llmops__breaker_ticket;

/* How a call's outcome counts. */
typedef enum llmops__breaker_outcome {
    LLMOPS__BREAKER_SUCCESS = 0, /* the target works: reset / close */
    LLMOPS__BREAKER_FAILURE = 1, /* the target is failing: count / re-open */
    LLMOPS__BREAKER_NEUTRAL = 2  /* says nothing about the target's health */
} llmops__breaker_outcome;

typedef struct llmops__breaker {
    pthread_mutex_t mu;
    llmops__breaker_state state;
    unsigned failures;     /* consecutive, while closed */
    unsigned threshold;    /* >= 1 */
    uint64_t cooldown_ns;
    uint64_t opened_ns;    /* when it last opened */
    int probing;           /* the half-open probe is in flight */
    uint64_t opens;        /* how many times it opened (for reports and tests) */
} llmops__breaker;

/* 0 ok, -1 when the mutex cannot be created. threshold 0 is taken as 1. */
int llmops__breaker_init(llmops__breaker *b, unsigned threshold, uint64_t cooldown_ns);
void llmops__breaker_destroy(llmops__breaker *b);

/* Asks to call the target at now_ns. DENY while open (and while another
 * caller holds the half-open probe); PROBE for the one caller that tests an
 * open breaker whose cooldown has passed; ALLOW while closed. Every ALLOW or
 * PROBE must be followed by exactly one llmops__breaker_release. */
llmops__breaker_ticket llmops__breaker_acquire(llmops__breaker *b, uint64_t now_ns);

/* Reports the outcome of a call made under `ticket`. The outcome of a normal
 * call that finishes after the breaker opened is ignored (the probe decides
 * then). A NEUTRAL probe hands the probe to the next caller. */
void llmops__breaker_release(llmops__breaker *b, llmops__breaker_ticket ticket,
                             llmops__breaker_outcome outcome, uint64_t now_ns);

/* The state as a caller at now_ns would find it (an open breaker whose
 * cooldown passed reads as half-open). */
llmops__breaker_state llmops__breaker_state_at(llmops__breaker *b, uint64_t now_ns);

/* How a call's status counts for the breaker. Failures: what is safe to
 * retry (rate limited, overloaded, provider error, timeout, transport: the
 * target itself is in trouble) and AUTH/PERMISSION (a revoked or missing key
 * fails every call to that target alike, so skipping it saves a doomed round
 * trip per call; the cooldown probe notices when the key is fixed). Neutral:
 * everything that is about this one request or the host (bad request,
 * context length, content filtered, model not found, cancelled, aborted,
 * malformed response, no memory, ...). Success: LLMOPS_OK. */
llmops__breaker_outcome llmops__breaker_outcome_of(llmops_status status);

#endif
