/* Scripted fake targets and a fake clock for the resilience suite: host
 * providers (llmops_provider_new_custom) that answer a scripted sequence of
 * statuses, so retries, fallbacks and breakers run without a network and
 * without sleeping. */
#ifndef LT_RESILIENCE_SCRIPT_H
#define LT_RESILIENCE_SCRIPT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "llmops/provider.h"
#include "provider/backoff.h"

/* A monotonic clock that only moves when slept on or advanced. */
typedef struct lt_clock {
    atomic_uint_fast64_t now;
    atomic_uint_fast64_t slept;    /* total ns slept */
    atomic_uint_fast64_t sleeps;   /* number of sleep calls */
    atomic_uint_fast64_t rnd;      /* what rand_u64 returns */
    llmops__resil_clock clk;
} lt_clock;

void lt_clock_init(lt_clock *c);
void lt_clock_advance(lt_clock *c, uint64_t ns);

#define LT_MAX_STEPS 16

/* What a scripted target does on call i (the last step repeats). */
typedef struct lt_step {
    llmops_status status;     /* LLMOPS_OK: answer "<text>" */
    int http_status;
    uint64_t retry_after_ms;
    uint64_t cost_ns;         /* advance the fake clock by this much */
    const char *partial;      /* streamed before answering/failing */
} lt_step;

typedef struct lt_script {
    const char *name;
    lt_step steps[LT_MAX_STEPS];
    size_t nsteps;
    lt_clock *clock;          /* may be NULL */
    llmops_cancel *cancel_on_fail; /* triggered when a failing step runs */
    atomic_int calls;
    char last_model[64];
    pthread_mutex_t mu;
    /* When set, the call blocks until `release` is set (max 5 s). */
    int block;
    atomic_int release;
    atomic_int inside;        /* calls currently running */
} lt_script;

void lt_script_init(lt_script *s, const char *name, lt_clock *clock);
void lt_script_step(lt_script *s, llmops_status st, int http, uint64_t retry_ms);
/* A provider over the script; the script must outlive it. */
llmops_provider *lt_script_provider(lt_script *s);
void lt_script_destroy(lt_script *s);
/* The model the last call saw (copied under the lock). */
void lt_script_last_model(lt_script *s, char *out, size_t cap);

/* A one-message request ("hello"); model may be NULL. */
llmops_request *lt_request(const char *model);

#endif
