/* Scripted fake targets and fake clock; see script.h. */
#include "script.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "provider/response.h"

static uint64_t fake_now(void *user)
{
    return atomic_load(&((lt_clock *)user)->now);
}

static void fake_sleep(uint64_t ns, void *user)
{
    lt_clock *c = user;
    atomic_fetch_add(&c->now, ns);
    atomic_fetch_add(&c->slept, ns);
    atomic_fetch_add(&c->sleeps, 1);
}

static uint64_t fake_rand(void *user)
{
    return atomic_load(&((lt_clock *)user)->rnd);
}

void lt_clock_init(lt_clock *c)
{
    /* Start at the real monotonic time so the provider layer's own checks
     * against the real clock see deadlines in the future. */
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    atomic_init(&c->now, (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec);
    atomic_init(&c->slept, 0);
    atomic_init(&c->sleeps, 0);
    atomic_init(&c->rnd, 0);
    c->clk.now_ns = fake_now;
    c->clk.sleep_ns = fake_sleep;
    c->clk.rand_u64 = fake_rand;
    c->clk.user = c;
}

void lt_clock_advance(lt_clock *c, uint64_t ns)
{
    atomic_fetch_add(&c->now, ns);
}

void lt_script_init(lt_script *s, const char *name, lt_clock *clock)
{
    memset(s, 0, sizeof *s);
    s->name = name;
    s->clock = clock;
    atomic_init(&s->calls, 0);
    atomic_init(&s->release, 0);
    atomic_init(&s->inside, 0);
    pthread_mutex_init(&s->mu, NULL);
}

void lt_script_step(lt_script *s, llmops_status st, int http, uint64_t retry_ms)
{
    if (s->nsteps < LT_MAX_STEPS) {
        lt_step step = {st, http, retry_ms, 0, NULL};
        s->steps[s->nsteps++] = step;
    }
}

void lt_script_destroy(lt_script *s)
{
    pthread_mutex_destroy(&s->mu);
}

void lt_script_last_model(lt_script *s, char *out, size_t cap)
{
    pthread_mutex_lock(&s->mu);
    snprintf(out, cap, "%s", s->last_model);
    pthread_mutex_unlock(&s->mu);
}

static llmops_status run(lt_script *s, const llmops_request *req, llmops_response *resp,
                         llmops_stream *stream, int embed)
{
    int i = atomic_fetch_add(&s->calls, 1);
    atomic_fetch_add(&s->inside, 1);
    const lt_step *st = &s->steps[(size_t)i < s->nsteps ? (size_t)i : s->nsteps - 1];
    pthread_mutex_lock(&s->mu);
    const char *m = llmops_request_model(req);
    snprintf(s->last_model, sizeof s->last_model, "%s", m ? m : "");
    pthread_mutex_unlock(&s->mu);
    if (s->block) {
        for (int k = 0; k < 5000 && !atomic_load(&s->release); k++) {
            struct timespec ts = {0, 1000000};
            nanosleep(&ts, NULL);
        }
    }
    if (s->clock && st->cost_ns)
        lt_clock_advance(s->clock, st->cost_ns);
    if (st->partial && stream)
        llmops_stream_text(stream, st->partial, strlen(st->partial));
    llmops_status out = st->status;
    if (out == LLMOPS_OK) {
        if (embed) {
            float v[3] = {0.5f, -0.25f, (float)i};
            llmops_response_add_embedding(resp, v, 3);
        } else {
            char text[96];
            snprintf(text, sizeof text, "answer from %s", s->name);
            llmops_response_set_text(resp, text, strlen(text));
            llmops_response_set_finish_reason(resp, LLMOPS_FINISH_STOP, "stop");
        }
    } else {
        char msg[96];
        snprintf(msg, sizeof msg, "%s says %s", s->name, llmops_status_str(out));
        llmops_response_set_error(resp, out, msg);
        resp->http_status = st->http_status;
        resp->retry_after_ms = st->retry_after_ms;
        if (s->cancel_on_fail)
            llmops_cancel_trigger(s->cancel_on_fail);
    }
    atomic_fetch_sub(&s->inside, 1);
    return out;
}

static llmops_status gen(void *self, const llmops_request *req, llmops_response *resp,
                         llmops_stream *stream)
{
    return run(self, req, resp, stream, 0);
}

static llmops_status cls(void *self, const llmops_request *req, llmops_response *resp)
{
    llmops_status st = run(self, req, resp, NULL, 0);
    if (st == LLMOPS_OK) {
        llmops_response_add_label(resp, llmops_request_label(req, 1), 0.75);
        llmops_response_add_label(resp, llmops_request_label(req, 0), 0.25);
    }
    return st;
}

static llmops_status emb(void *self, const llmops_request *req, llmops_response *resp)
{
    return run(self, req, resp, NULL, 1);
}

llmops_provider *lt_script_provider(lt_script *s)
{
    llmops_provider_vtable vt = {LLMOPS_PROVIDER_VTABLE_VERSION, gen, cls, emb, NULL};
    llmops_provider *p = NULL;
    if (llmops_provider_new_custom(&p, s->name, &vt, s) != LLMOPS_OK)
        return NULL;
    return p;
}

llmops_request *lt_request(const char *model)
{
    llmops_request *req = NULL;
    if (llmops_request_new(&req) != LLMOPS_OK)
        return NULL;
    if (model)
        llmops_request_set_model(req, model);
    llmops_request_add_message(req, LLMOPS_ROLE_USER, "hello", SIZE_MAX);
    return req;
}
