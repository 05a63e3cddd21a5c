/* The client: opening and reloading configuration snapshots, the host's
 * providers and tools, fingerprints and direct model calls. */
#include <string.h>

#include "client/client.h"
#include "core/alloc.h"
#include "llmops_config.h"
#include "provider/request.h"
#include "provider/response.h"

static llmops_status give(llmops_status st, llmops__buf *b, char **out)
{
    if (out) {
        *out = NULL;
        if (st != LLMOPS_OK) {
            if (!b->len)
                llmops__buf_puts(b, llmops_status_str(st));
            /* Drop the trailing newline of the last problem. */
            while (b->len && b->data[b->len - 1] == '\n')
                b->data[--b->len] = '\0';
            *out = llmops__buf_detach(b, NULL);
        }
    }
    llmops__buf_free(b);
    return st;
}

/* Parses configuration text (or the file) into a new snapshot. */
static llmops_status load(llmops_client *c, const char *yaml, size_t len,
                          llmops__snapshot **out, llmops__buf *errors)
{
    llmops__config *cfg = NULL;
    llmops_status st = c->path && !yaml
                           ? llmops__config_load(c->path, &cfg, errors)
                           : llmops__config_parse_in(yaml, len, NULL, c->base_dir, &cfg, errors);
    if (st != LLMOPS_OK)
        return st;
    return llmops__snapshot_build(c, cfg, out, errors);
}

static llmops_status open_client(llmops_client **out, const char *path, const char *yaml,
                                 size_t len, const char *base_dir, char **errors)
{
    llmops__buf err = LLMOPS__BUF_INIT;
    if (!out)
        return give(LLMOPS_E_INVALID_ARGUMENT, &err, errors);
    *out = NULL;
#if !LLMOPS_HAVE_YAML
    (void)path;
    (void)yaml;
    (void)len;
    (void)base_dir;
    llmops__buf_puts(&err, "this libllmops was built without YAML (libyaml)");
    return give(LLMOPS_E_UNSUPPORTED, &err, errors);
#else
    llmops_client *c = llmops__calloc(1, sizeof *c);
    if (!c)
        return give(LLMOPS_E_NO_MEMORY, &err, errors);
    pthread_mutex_init(&c->lock, NULL);
    if (!(c->metrics = llmops__metrics_new(0)) || (path && !(c->path = llmops__strdup(path))) ||
        (base_dir && !(c->base_dir = llmops__strdup(base_dir)))) {
        llmops_client_free(c);
        return give(LLMOPS_E_NO_MEMORY, &err, errors);
    }
    llmops_status st = load(c, yaml, len, &c->snap, &err);
    if (st != LLMOPS_OK) {
        llmops_client_free(c);
        return give(st, &err, errors);
    }
    *out = c;
    return give(LLMOPS_OK, &err, errors);
#endif
}

llmops_status llmops_client_open(llmops_client **out, const char *config_path, char **errors)
{
    if (!config_path) {
        if (errors)
            *errors = NULL;
        return LLMOPS_E_INVALID_ARGUMENT;
    }
    return open_client(out, config_path, NULL, 0, NULL, errors);
}

llmops_status llmops_client_open_string(llmops_client **out, const char *yaml, size_t len,
                                        const char *base_dir, char **errors)
{
    if (!yaml) {
        if (errors)
            *errors = NULL;
        return LLMOPS_E_INVALID_ARGUMENT;
    }
    return open_client(out, NULL, yaml, len == SIZE_MAX ? strlen(yaml) : len, base_dir,
                       errors);
}

void llmops_client_free(llmops_client *c)
{
    if (!c)
        return;
    llmops__snapshot_release(c->snap);
    for (size_t i = 0; i < c->nhosts; i++) {
        llmops__free(c->hosts[i].name);
        llmops_provider_free(c->hosts[i].p);
    }
    llmops__free(c->hosts);
    for (size_t i = 0; i < c->ntools; i++)
        llmops__free(c->tools[i].name);
    llmops__free(c->tools);
    llmops__free(c->path);
    llmops__free(c->base_dir);
    llmops__metrics_free(c->metrics);
    llmops__prices_free(c->prices);
    for (size_t i = 0; i < c->nold_prices; i++)
        llmops__prices_free(c->old_prices[i]);
    llmops__free(c->old_prices);
    pthread_mutex_destroy(&c->lock);
    llmops__free(c);
}

llmops_status llmops_client_reload(llmops_client *c, const char *yaml, size_t len,
                                   char **errors)
{
    llmops__buf err = LLMOPS__BUF_INIT;
    if (!c || (!c->path && !yaml))
        return give(LLMOPS_E_INVALID_ARGUMENT, &err, errors);
    llmops__snapshot *next = NULL;
    /* Built outside the lock: calls keep running on the old snapshot. */
    llmops_status st = load(c, yaml, yaml && len == SIZE_MAX ? strlen(yaml) : len, &next, &err);
    if (st != LLMOPS_OK)
        return give(st, &err, errors);
    pthread_mutex_lock(&c->lock);
    llmops__snapshot *old = c->snap;
    c->snap = next;
    pthread_mutex_unlock(&c->lock);
    llmops__snapshot_release(old);
    return give(LLMOPS_OK, &err, errors);
}

llmops__snapshot *llmops__client_acquire(llmops_client *c)
{
    pthread_mutex_lock(&c->lock);
    llmops__snapshot *s = c->snap;
    atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed);
    pthread_mutex_unlock(&c->lock);
    return s;
}

llmops_status llmops_config_check(const char *config_path, char **errors)
{
    llmops_client *c = NULL;
    llmops_status st = llmops_client_open(&c, config_path, errors);
    llmops_client_free(c);
    return st;
}

/* ---- host registrations -------------------------------------------------- */

llmops_status llmops_client_register_provider(llmops_client *c, const char *name,
                                              llmops_provider *p)
{
    if (!c || !name || !*name || !p)
        return LLMOPS_E_INVALID_ARGUMENT;
    llmops_status st = LLMOPS_OK;
    llmops_provider *old = NULL;
    pthread_mutex_lock(&c->lock);
    size_t i = 0;
    while (i < c->nhosts && strcmp(c->hosts[i].name, name) != 0)
        i++;
    if (i < c->nhosts) {
        old = c->hosts[i].p;
        c->hosts[i].p = llmops_provider_ref(p);
    } else if (llmops__grow_array((void **)&c->hosts, &c->cap_hosts, c->nhosts + 1, sizeof *c->hosts) ||
               !(c->hosts[c->nhosts].name = llmops__strdup(name))) {
        st = LLMOPS_E_NO_MEMORY;
    } else {
        c->hosts[c->nhosts++].p = llmops_provider_ref(p);
    }
    pthread_mutex_unlock(&c->lock);
    llmops_provider_free(old);
    return st;
}

llmops_status llmops_client_register_tool(llmops_client *c, const char *name, llmops_tool_fn fn,
                                          void *user_data)
{
    if (!c || !name || !fn)
        return LLMOPS_E_INVALID_ARGUMENT;
    llmops__snapshot *s = llmops__client_acquire(c);
    int declared = llmops__config_tool(s->cfg, name) != NULL;
    llmops__snapshot_release(s);
    if (!declared)
        return LLMOPS_E_NOT_FOUND;
    llmops_status st = LLMOPS_OK;
    pthread_mutex_lock(&c->lock);
    size_t i = 0;
    while (i < c->ntools && strcmp(c->tools[i].name, name) != 0)
        i++;
    if (i == c->ntools) {
        if (llmops__grow_array((void **)&c->tools, &c->cap_tools, c->ntools + 1, sizeof *c->tools) ||
            !(c->tools[i].name = llmops__strdup(name)))
            st = LLMOPS_E_NO_MEMORY;
        else
            c->ntools++;
    }
    if (st == LLMOPS_OK) {
        c->tools[i].fn = fn;
        c->tools[i].user_data = user_data;
    }
    pthread_mutex_unlock(&c->lock);
    return st;
}

int llmops__client_tool(llmops_client *c, const char *name, llmops_tool_fn *fn, void **ud)
{
    int found = 0;
    pthread_mutex_lock(&c->lock);
    for (size_t i = 0; i < c->ntools && !found; i++)
        if (strcmp(c->tools[i].name, name) == 0) {
            *fn = c->tools[i].fn;
            *ud = c->tools[i].user_data;
            found = 1;
        }
    pthread_mutex_unlock(&c->lock);
    return found;
}

llmops_status llmops_tool_output_set(llmops_tool_output *out, const char *text, size_t len)
{
    if (!out || (!text && len))
        return LLMOPS_E_INVALID_ARGUMENT;
    if (len == SIZE_MAX)
        len = strlen(text);
    llmops__buf_clear(&out->text);
    llmops__buf_append(&out->text, text ? text : "", len);
    return out->text.failed ? LLMOPS_E_NO_MEMORY : LLMOPS_OK;
}

/* ---- fingerprints and direct calls --------------------------------------- */

llmops_status llmops_client_task_fingerprint(llmops_client *c, const char *task, char out[65],
                                             char **parts_json, char **why)
{
    llmops__buf err = LLMOPS__BUF_INIT;
    if (parts_json)
        *parts_json = NULL;
    if (!c || !task || !out)
        return give(LLMOPS_E_INVALID_ARGUMENT, &err, why);
    llmops__snapshot *s = llmops__client_acquire(c);
    const llmops__task_rt *t = llmops__snapshot_task(s, task);
    llmops_status st = LLMOPS_OK;
    if (!t) {
        llmops__buf_printf(&err, "no task \"%s\" in the configuration", task);
        st = LLMOPS_E_NOT_FOUND;
    } else {
        memcpy(out, t->fingerprint, 65);
        if (parts_json && !(*parts_json = llmops__strdup(t->fingerprint_parts)))
            st = LLMOPS_E_NO_MEMORY;
    }
    llmops__snapshot_release(s);
    return give(st, &err, why);
}

typedef enum direct_op { DIRECT_GENERATE, DIRECT_CLASSIFY, DIRECT_EMBED } direct_op;

static llmops_status direct(llmops_client *c, const char *model, direct_op op,
                            const llmops_request *req, llmops_response *resp,
                            llmops_delta_fn fn, void *ud)
{
    if (!c || !model || !req || !resp) {
        if (resp)
            llmops_response_reset(resp);
        return resp ? llmops__response_fail(resp, LLMOPS_E_INVALID_ARGUMENT,
                                            "client call: a required argument is NULL")
                    : LLMOPS_E_INVALID_ARGUMENT;
    }
    llmops__snapshot *s = llmops__client_acquire(c);
    const llmops__cfg_model *m = llmops__config_model(s->cfg, model);
    llmops_status st;
    if (!m) {
        llmops_response_reset(resp);
        st = llmops__response_fail(resp, LLMOPS_E_NOT_FOUND,
                                   "no model \"%s\" in the configuration", model);
        llmops__snapshot_release(s);
        return st;
    }
    llmops_provider *p = s->providers[m->provider_ref - s->cfg->providers];
    llmops_request *r = NULL;
    st = llmops_request_copy(&r, req);
    if (st == LLMOPS_OK)
        st = llmops_request_set_model(r, m->id);
    /* The model's parameters fill what the request leaves unset. */
    const llmops__cfg_params *mp = &m->params;
    if (st == LLMOPS_OK && mp->has_temperature && !r->has_temperature)
        st = llmops_request_set_temperature(r, mp->temperature);
    if (st == LLMOPS_OK && mp->has_top_p && !r->has_top_p)
        st = llmops_request_set_top_p(r, mp->top_p);
    if (st == LLMOPS_OK && mp->has_max_output_tokens && !r->has_max_output_tokens)
        st = llmops_request_set_max_output_tokens(r, mp->max_output_tokens);
    if (st == LLMOPS_OK && mp->has_seed && !r->has_seed)
        st = llmops_request_set_seed(r, mp->seed);
    for (size_t i = 0; st == LLMOPS_OK && mp->has_stop && !req->nstops && i < mp->n_stop; i++)
        st = llmops_request_add_stop(r, mp->stop[i]);
    if (st != LLMOPS_OK) {
        llmops_response_reset(resp);
        llmops__response_fail(resp, st, "client call: %s", llmops_status_str(st));
    } else if (op == DIRECT_GENERATE) {
        st = llmops_provider_generate(p, r, resp, fn, ud);
    } else if (op == DIRECT_CLASSIFY) {
        st = llmops_provider_classify(p, r, resp);
    } else {
        st = llmops_provider_embed(p, r, resp);
    }
    llmops_request_free(r);
    llmops__snapshot_release(s);
    return st;
}

llmops_status llmops_client_generate(llmops_client *c, const char *model,
                                     const llmops_request *req, llmops_response *resp,
                                     llmops_delta_fn on_delta, void *user_data)
{
    return direct(c, model, DIRECT_GENERATE, req, resp, on_delta, user_data);
}

llmops_status llmops_client_classify(llmops_client *c, const char *model,
                                     const llmops_request *req, llmops_response *resp)
{
    return direct(c, model, DIRECT_CLASSIFY, req, resp, NULL, NULL);
}

llmops_status llmops_client_embed(llmops_client *c, const char *model, const llmops_request *req,
                                  llmops_response *resp)
{
    return direct(c, model, DIRECT_EMBED, req, resp, NULL, NULL);
}

/* ---- prices and metrics --------------------------------------------------- */

llmops_status llmops_client_load_prices(llmops_client *c, const char *path, char **why)
{
    llmops__buf err = LLMOPS__BUF_INIT;
    if (!c || !path)
        return give(LLMOPS_E_INVALID_ARGUMENT, &err, why);
    llmops__prices *p = NULL;
    llmops_status st = llmops__prices_load(path, &p, &err);
    if (st != LLMOPS_OK)
        return give(st, &err, why);
    pthread_mutex_lock(&c->lock);
    if (c->prices && llmops__grow_array((void **)&c->old_prices, &c->cap_old_prices,
                                        c->nold_prices + 1, sizeof *c->old_prices)) {
        pthread_mutex_unlock(&c->lock);
        llmops__prices_free(p);
        return give(LLMOPS_E_NO_MEMORY, &err, why);
    }
    if (c->prices)
        c->old_prices[c->nold_prices++] = c->prices;
    c->prices = p;
    pthread_mutex_unlock(&c->lock);
    return give(LLMOPS_OK, &err, why);
}

const llmops__prices *llmops__client_prices(llmops_client *c)
{
    pthread_mutex_lock(&c->lock);
    const llmops__prices *p = c->prices;
    pthread_mutex_unlock(&c->lock);
    return p;
}

llmops_status llmops_client_metrics_prometheus(llmops_client *c, char **text)
{
    if (!c || !text)
        return LLMOPS_E_INVALID_ARGUMENT;
    *text = NULL;
    llmops__buf out = LLMOPS__BUF_INIT;
    llmops_status st = llmops__metrics_prometheus(c->metrics, &out);
    if (st == LLMOPS_OK && !(*text = llmops__buf_detach(&out, NULL)))
        st = LLMOPS_E_NO_MEMORY;
    llmops__buf_free(&out);
    return st;
}

llmops_status llmops_client_set_span_hooks(llmops_client *c, llmops_span_fn on_start,
                                           llmops_span_fn on_end, void *user_data)
{
    if (!c)
        return LLMOPS_E_INVALID_ARGUMENT;
    pthread_mutex_lock(&c->lock);
    c->span_start = on_start;
    c->span_end = on_end;
    c->span_ud = user_data;
    pthread_mutex_unlock(&c->lock);
    return LLMOPS_OK;
}
