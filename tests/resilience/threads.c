/* Concurrency checks of the resilience wrappers as a plain program, so they
 * also run under ThreadSanitizer (Criterion's runner aborts under TSan:
 * Snaipe/Criterion#274). Many threads share one fallback chain whose
 * breakers open, half-open and close while they run, and one recorder and
 * one replay provider over one cassette directory. Exits non-zero with a
 * message on the first wrong result. */
#include <dirent.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "provider/breaker.h"
#include "provider/fallback.h"
#include "script.h"

#define THREADS 8
#define CALLS 150

static int failures;

#define CHECK(cond, ...)                                                                     \
    do {                                                                                     \
        if (!(cond)) {                                                                       \
            fprintf(stderr, "%s:%d: ", __FILE__, __LINE__);                                  \
            fprintf(stderr, __VA_ARGS__);                                                    \
            fputc('\n', stderr);                                                             \
            failures++;                                                                      \
            return;                                                                          \
        }                                                                                    \
    } while (0)

/* ---- one probe among racing acquirers ----------------------------------- */

typedef struct race {
    llmops__breaker *b;
    atomic_int go, probes, allows;
} race;

static void *racer(void *arg)
{
    race *r = arg;
    while (!atomic_load(&r->go))
        ;
    for (int i = 0; i < 500; i++) {
        llmops__breaker_ticket t = llmops__breaker_acquire(r->b, 1000);
        if (t == LLMOPS__BREAKER_PROBE)
            atomic_fetch_add(&r->probes, 1);
        else if (t == LLMOPS__BREAKER_ALLOW)
            atomic_fetch_add(&r->allows, 1);
    }
    return NULL;
}

static void breaker_race(void)
{
    llmops__breaker b;
    llmops__breaker_init(&b, 1, 10);
    llmops__breaker_release(&b, llmops__breaker_acquire(&b, 0), LLMOPS__BREAKER_FAILURE, 0);
    race r;
    r.b = &b;
    atomic_init(&r.go, 0);
    atomic_init(&r.probes, 0);
    atomic_init(&r.allows, 0);
    pthread_t th[THREADS];
    for (int i = 0; i < THREADS; i++)
        pthread_create(&th[i], NULL, racer, &r);
    atomic_store(&r.go, 1);
    for (int i = 0; i < THREADS; i++)
        pthread_join(th[i], NULL);
    llmops__breaker_destroy(&b);
    CHECK(atomic_load(&r.probes) == 1, "probes: %d", atomic_load(&r.probes));
    CHECK(atomic_load(&r.allows) == 0, "allows while half-open: %d", atomic_load(&r.allows));
}

/* ---- a shared chain under load ------------------------------------------ */

typedef struct load {
    llmops_provider *fb;
    lt_clock *clock;
    atomic_int ok, bad;
} load;

static void *caller(void *arg)
{
    load *l = arg;
    llmops_request *req = lt_request("m");
    llmops_response *resp = NULL;
    llmops_response_new(&resp);
    for (int i = 0; i < CALLS; i++) {
        /* Time moves on so breakers keep cycling through half-open. */
        lt_clock_advance(l->clock, 400000);
        llmops_status st = llmops_provider_generate(l->fb, req, resp, NULL, NULL);
        const char *p = llmops_response_provider(resp);
        if (st == LLMOPS_OK && p && (strcmp(p, "a") == 0 || strcmp(p, "b") == 0))
            atomic_fetch_add(&l->ok, 1);
        else
            atomic_fetch_add(&l->bad, 1);
    }
    llmops_response_free(resp);
    llmops_request_free(req);
    return NULL;
}

static void chain_load(void)
{
    lt_clock clock;
    lt_clock_init(&clock);
    lt_script a, b;
    lt_script_init(&a, "a", NULL);
    lt_script_init(&b, "b", NULL);
    /* a fails in bursts (every step repeats the last: fail forever after
     * the scripted ones), b always answers. */
    for (int i = 0; i < LT_MAX_STEPS - 1; i++)
        lt_script_step(&a, i % 3 ? LLMOPS_E_OVERLOADED : LLMOPS_OK, 529, 0);
    lt_script_step(&a, LLMOPS_E_OVERLOADED, 529, 0);
    lt_script_step(&b, LLMOPS_OK, 200, 0);
    llmops_provider *ps[2] = {lt_script_provider(&a), lt_script_provider(&b)};
    llmops_retry_options o = LLMOPS_RETRY_OPTIONS_INIT;
    o.max_attempts = 2;
    o.base_delay_ms = 1;
    o.max_delay_ms = 2;
    o.breaker_threshold = 2;
    o.breaker_cooldown_ms = 1;
    load l;
    llmops_provider_new_fallback(&l.fb, "chain", ps, NULL, 2, &o);
    llmops_provider_free(ps[0]);
    llmops_provider_free(ps[1]);
    llmops__fallback_set_clock(l.fb, &clock.clk);
    l.clock = &clock;
    atomic_init(&l.ok, 0);
    atomic_init(&l.bad, 0);
    pthread_t th[THREADS];
    for (int i = 0; i < THREADS; i++)
        pthread_create(&th[i], NULL, caller, &l);
    for (int i = 0; i < THREADS; i++)
        pthread_join(th[i], NULL);
    uint64_t opens = llmops__fallback_breaker(l.fb, 0)->opens;
    llmops_provider_free(l.fb);
    lt_script_destroy(&a);
    lt_script_destroy(&b);
    CHECK(atomic_load(&l.ok) == THREADS * CALLS, "ok %d of %d (bad %d)", atomic_load(&l.ok),
          THREADS * CALLS, atomic_load(&l.bad));
    CHECK(opens >= 1, "a's breaker never opened");
}

/* ---- recorder and replay shared by threads ------------------------------ */

static llmops_status answer(void *self, const llmops_request *req, llmops_response *resp,
                            llmops_stream *stream)
{
    (void)self;
    (void)req;
    if (stream) {
        llmops_stream_text(stream, "streamed ", SIZE_MAX);
        return llmops_stream_text(stream, "answer", SIZE_MAX);
    }
    return llmops_response_set_text(resp, "streamed answer", SIZE_MAX);
}

typedef struct rr {
    llmops_provider *rec, *rep;
    atomic_int bad;
} rr;

static int sink(const llmops_delta *d, void *user)
{
    (void)d;
    (void)user;
    return 0;
}

static void *rr_thread(void *arg)
{
    rr *x = arg;
    llmops_request *req = lt_request("m");
    llmops_response *resp = NULL;
    llmops_response_new(&resp);
    for (int i = 0; i < 40; i++) {
        llmops_provider *p = i % 2 ? x->rep : x->rec;
        llmops_status st = llmops_provider_generate(p, req, resp, i % 4 < 2 ? sink : NULL, NULL);
        size_t len;
        const char *t = llmops_response_text(resp, &len);
        /* The replay may run before any cassette exists. */
        if (st == LLMOPS_E_NO_RECORDING && p == x->rep)
            continue;
        if (st != LLMOPS_OK || len != 15 || memcmp(t, "streamed answer", 15) != 0 ||
            (p == x->rec && *llmops_response_error(resp))) {
            fprintf(stderr, "call %d: %s: %s\n", i, llmops_status_str(st),
                    llmops_response_error(resp));
            atomic_fetch_add(&x->bad, 1);
        }
    }
    llmops_response_free(resp);
    llmops_request_free(req);
    return NULL;
}

static void record_replay(void)
{
    char dir[] = "/tmp/llmops-threads-XXXXXX";
    CHECK(mkdtemp(dir) != NULL, "mkdtemp");
    llmops_provider_vtable vt = {LLMOPS_PROVIDER_VTABLE_VERSION, answer, NULL, NULL, NULL};
    llmops_provider *inner = NULL;
    llmops_provider_new_custom(&inner, "inner", &vt, NULL);
    rr x;
    llmops_provider_new_recorder(&x.rec, "rec", inner, dir);
    llmops_provider_new_replay(&x.rep, "rep", dir, 0);
    llmops_provider_free(inner);
    atomic_init(&x.bad, 0);
    pthread_t th[THREADS];
    for (int i = 0; i < THREADS; i++)
        pthread_create(&th[i], NULL, rr_thread, &x);
    for (int i = 0; i < THREADS; i++)
        pthread_join(th[i], NULL);
    llmops_provider_free(x.rec);
    llmops_provider_free(x.rep);
    int files = 0;
    DIR *d = opendir(dir);
    char path[512];
    for (struct dirent *e; d && (e = readdir(d)) != NULL;) {
        if (e->d_name[0] == '.')
            continue;
        files++;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        unlink(path);
    }
    if (d)
        closedir(d);
    rmdir(dir);
    CHECK(atomic_load(&x.bad) == 0, "%d bad record/replay calls", atomic_load(&x.bad));
    CHECK(files == 1, "%d files left (temp files must not survive)", files);
}

int main(void)
{
    breaker_race();
    chain_load();
    record_replay();
    if (failures)
        return 1;
    puts("resilience threads: breaker race, shared chain, shared record/replay: ok");
    return 0;
}
