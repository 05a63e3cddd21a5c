/* See rich.h. */
#include "rich.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void pause_ms(unsigned ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

static void finish(llmops_response *resp)
{
    llmops_usage u = LLMOPS_USAGE_INIT;
    u.input_tokens = 42;
    u.output_tokens = 17;
    u.cached_input_tokens = 8;
    u.reasoning_tokens = 5;
    u.total_tokens = 59;
    llmops_response_set_usage(resp, &u);
    llmops_response_set_finish_reason(resp, LLMOPS_FINISH_TOOL_CALLS, "tool_use");
    llmops_response_set_model(resp, "rich-model-2026-01");
    llmops_response_set_request_id(resp, "req_abc123");
}

static llmops_status gen(void *self, const llmops_request *req, llmops_response *resp,
                         llmops_stream *stream)
{
    lt_rich *r = self;
    atomic_fetch_add(&r->calls, 1);
    (void)req;
    if (stream) {
        llmops_status st;
        if ((st = llmops_stream_reasoning(stream, "Let me think. ", SIZE_MAX)) ||
            (st = llmops_stream_text(stream, "Bonjour, ", SIZE_MAX)))
            return st;
        if (r->gap_ms)
            pause_ms(r->gap_ms);
        if ((st = llmops_stream_text(stream, "le monde \xe2\x9c\x93 \"quoted\"\n", SIZE_MAX)) ||
            (st = llmops_stream_tool_call(stream, 0, "call_1", "get_weather", "{\"city\":",
                                          SIZE_MAX)) ||
            (st = llmops_stream_tool_call(stream, 0, NULL, NULL, "\"Paris\"}", SIZE_MAX)) ||
            (st = llmops_stream_tool_call(stream, 1, "call_2", "noop", "", 0)))
            return st;
    } else {
        llmops_response_set_reasoning(resp, "Let me think. ", SIZE_MAX);
        llmops_response_set_text(resp, "Bonjour, le monde \xe2\x9c\x93 \"quoted\"\n", SIZE_MAX);
        llmops_response_add_tool_call(resp, "call_1", "get_weather", "{\"city\":\"Paris\"}");
        llmops_response_add_tool_call(resp, "call_2", "noop", NULL);
    }
    finish(resp);
    return LLMOPS_OK;
}

static llmops_status cls(void *self, const llmops_request *req, llmops_response *resp)
{
    lt_rich *r = self;
    atomic_fetch_add(&r->calls, 1);
    (void)req;
    llmops_response_add_label(resp, "ham", 0.125);
    llmops_response_add_label(resp, "spam", 0.875);
    llmops_response_set_model(resp, "rich-classifier");
    return LLMOPS_OK;
}

static llmops_status emb(void *self, const llmops_request *req, llmops_response *resp)
{
    lt_rich *r = self;
    atomic_fetch_add(&r->calls, 1);
    for (size_t i = 0; i < llmops_request_input_count(req); i++) {
        /* Values whose float form has no short decimal spelling. */
        float v[5] = {0.1f, -1e-7f, 3.4e38f, 1.0f / 3.0f, (float)i + 0.7f};
        llmops_response_add_embedding(resp, v, 5);
    }
    llmops_usage u = LLMOPS_USAGE_INIT;
    u.input_tokens = 3;
    u.total_tokens = 3;
    llmops_response_set_usage(resp, &u);
    return LLMOPS_OK;
}

llmops_provider *lt_rich_provider(lt_rich *r, const char *name)
{
    llmops_provider_vtable vt = {LLMOPS_PROVIDER_VTABLE_VERSION, gen, cls, emb, NULL};
    llmops_provider *p = NULL;
    cr_assert_eq(llmops_provider_new_custom(&p, name, &vt, r), LLMOPS_OK);
    return p;
}

int lt_deltas_collect(const llmops_delta *d, void *user)
{
    lt_deltas *ds = user;
    cr_assert_lt(ds->n, 64);
    lt_delta_rec *e = &ds->d[ds->n++];
    e->kind = d->kind;
    e->text = strndup(d->text, d->len);
    e->len = d->len;
    e->index = d->tool_index;
    e->id = d->tool_id ? strdup(d->tool_id) : NULL;
    e->name = d->tool_name ? strdup(d->tool_name) : NULL;
    return ds->stop_after > 0 && ds->n >= (size_t)ds->stop_after;
}

void lt_deltas_free(lt_deltas *ds)
{
    for (size_t i = 0; i < ds->n; i++) {
        free(ds->d[i].text);
        free(ds->d[i].id);
        free(ds->d[i].name);
    }
    ds->n = 0;
}

static int streq(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

void lt_deltas_assert_equal(const lt_deltas *a, const lt_deltas *b)
{
    cr_assert_eq(a->n, b->n, "delta counts %zu vs %zu", a->n, b->n);
    for (size_t i = 0; i < a->n; i++) {
        const lt_delta_rec *x = &a->d[i], *y = &b->d[i];
        cr_assert_eq(x->kind, y->kind, "delta %zu kind", i);
        cr_assert_eq(x->len, y->len, "delta %zu length", i);
        cr_assert_str_eq(x->text, y->text, "delta %zu text", i);
        cr_assert_eq(x->index, y->index, "delta %zu index", i);
        cr_assert(streq(x->id, y->id), "delta %zu id", i);
        cr_assert(streq(x->name, y->name), "delta %zu name", i);
    }
}

void lt_response_assert_same(const llmops_response *a, const llmops_response *b)
{
    size_t la, lb;
    const char *ta = llmops_response_text(a, &la), *tb = llmops_response_text(b, &lb);
    cr_assert_eq(la, lb);
    cr_assert_eq(strlen(ta), la, "text is NUL-terminated at its length");
    cr_assert_eq(strlen(tb), lb, "text is NUL-terminated at its length");
    cr_assert(memcmp(ta, tb, la) == 0, "text differs");
    ta = llmops_response_reasoning(a, &la);
    tb = llmops_response_reasoning(b, &lb);
    cr_assert_eq(la, lb);
    cr_assert(memcmp(ta, tb, la) == 0, "reasoning differs");
    cr_assert_eq(llmops_response_tool_call_count(a), llmops_response_tool_call_count(b));
    for (size_t i = 0; i < llmops_response_tool_call_count(a); i++) {
        cr_assert(streq(llmops_response_tool_call_id(a, i), llmops_response_tool_call_id(b, i)));
        cr_assert_str_eq(llmops_response_tool_call_name(a, i),
                         llmops_response_tool_call_name(b, i));
        cr_assert_str_eq(llmops_response_tool_call_arguments(a, i),
                         llmops_response_tool_call_arguments(b, i));
    }
    cr_assert_eq(llmops_response_finish_reason(a), llmops_response_finish_reason(b));
    cr_assert(streq(llmops_response_finish_reason_raw(a), llmops_response_finish_reason_raw(b)));
    cr_assert(streq(llmops_response_model(a), llmops_response_model(b)));
    cr_assert(streq(llmops_response_request_id(a), llmops_response_request_id(b)));
    cr_assert_eq(llmops_response_http_status(a), llmops_response_http_status(b));
    llmops_usage ua = LLMOPS_USAGE_INIT, ub = LLMOPS_USAGE_INIT;
    llmops_status sa = llmops_response_usage(a, &ua), sb = llmops_response_usage(b, &ub);
    cr_assert_eq(sa, sb);
    cr_assert_eq(ua.input_tokens, ub.input_tokens);
    cr_assert_eq(ua.output_tokens, ub.output_tokens);
    cr_assert_eq(ua.cached_input_tokens, ub.cached_input_tokens);
    cr_assert_eq(ua.cache_creation_tokens, ub.cache_creation_tokens);
    cr_assert_eq(ua.reasoning_tokens, ub.reasoning_tokens);
    cr_assert_eq(ua.total_tokens, ub.total_tokens);
    cr_assert_eq(llmops_response_label_count(a), llmops_response_label_count(b));
    for (size_t i = 0; i < llmops_response_label_count(a); i++) {
        double xa, xb;
        cr_assert_str_eq(llmops_response_label(a, i, &xa), llmops_response_label(b, i, &xb));
        cr_assert_eq(xa, xb);
    }
    cr_assert_eq(llmops_response_embedding_count(a), llmops_response_embedding_count(b));
    for (size_t i = 0; i < llmops_response_embedding_count(a); i++) {
        size_t da, db;
        const float *va = llmops_response_embedding(a, i, &da);
        const float *vb = llmops_response_embedding(b, i, &db);
        cr_assert_eq(da, db);
        cr_assert(memcmp(va, vb, da * sizeof *va) == 0, "embedding %zu differs", i);
    }
}

void lt_tmpdir(char out[64])
{
    snprintf(out, 64, "/tmp/llmops-replay-XXXXXX");
    cr_assert_not_null(mkdtemp(out));
}

void lt_rmdir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    char path[512];
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        unlink(path);
    }
    closedir(d);
    rmdir(dir);
}

llmops_request *lt_rich_request(void)
{
    llmops_request *req = NULL;
    cr_assert_eq(llmops_request_new(&req), LLMOPS_OK);
    llmops_request_set_model(req, "rich-model");
    llmops_request_add_message(req, LLMOPS_ROLE_SYSTEM, "Be brief.", SIZE_MAX);
    llmops_request_add_message(req, LLMOPS_ROLE_USER, "Weather in Paris?", SIZE_MAX);
    llmops_request_add_tool(req, "get_weather", "Weather by city",
                            "{\"type\":\"object\","
                            "\"properties\":{\"city\":{\"type\":\"string\"}}}");
    llmops_request_add_tool(req, "noop", NULL, NULL);
    llmops_request_set_temperature(req, 0.25);
    return req;
}
