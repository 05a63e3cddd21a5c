/* Building a configuration snapshot: providers, prompts, routes, schemas,
 * contracts and fingerprints, all resolved once so a call only reads. Every
 * problem is collected (not just the first), so a broken configuration is
 * explained in one go and never half-applied. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "client/client.h"
#include "core/alloc.h"
#include "core/sha256.h"
#include "provider/json_out.h"
#include "provider/provider.h"
#include "provider/response.h"

/* ---- host ("custom") providers, resolved at call time -------------------- */

/* A provider of type "custom" names a host backend the host may register
 * after the client is open; this kind finds it when a call runs. */
typedef struct proxy_impl {
    llmops_client *client;
    char *name;
} proxy_impl;

static llmops_provider *proxy_target(llmops_provider *p, llmops_response *resp)
{
    proxy_impl *x = p->impl;
    llmops_provider *t = NULL;
    pthread_mutex_lock(&x->client->lock);
    for (size_t i = 0; i < x->client->nhosts; i++)
        if (strcmp(x->client->hosts[i].name, x->name) == 0)
            t = llmops_provider_ref(x->client->hosts[i].p);
    pthread_mutex_unlock(&x->client->lock);
    if (!t)
        llmops__response_fail(resp, LLMOPS_E_NOT_FOUND,
                              "provider \"%s\" is of type custom but the host has not "
                              "registered it (llmops_client_register_provider)",
                              x->name);
    return t;
}

static llmops_status proxy_generate(llmops_provider *p, const llmops__call_ctx *ctx,
                                    const llmops_request *req, llmops_response *resp)
{
    llmops_provider *t = proxy_target(p, resp);
    if (!t)
        return LLMOPS_E_NOT_FOUND;
    llmops_status st = llmops__provider_run_generate(t, ctx, req, resp);
    llmops_provider_free(t);
    return st;
}

static llmops_status proxy_classify(llmops_provider *p, const llmops__call_ctx *ctx,
                                    const llmops_request *req, llmops_response *resp)
{
    llmops_provider *t = proxy_target(p, resp);
    if (!t)
        return LLMOPS_E_NOT_FOUND;
    llmops_status st = llmops__provider_run_classify(t, ctx, req, resp);
    llmops_provider_free(t);
    return st;
}

static llmops_status proxy_embed(llmops_provider *p, const llmops__call_ctx *ctx,
                                 const llmops_request *req, llmops_response *resp)
{
    llmops_provider *t = proxy_target(p, resp);
    if (!t)
        return LLMOPS_E_NOT_FOUND;
    llmops_status st = llmops__provider_run_embed(t, ctx, req, resp);
    llmops_provider_free(t);
    return st;
}

static void proxy_destroy(void *impl)
{
    proxy_impl *x = impl;
    llmops__free(x->name);
    llmops__free(x);
}

static const llmops__provider_ops proxy_ops = {proxy_generate, proxy_classify, proxy_embed,
                                               proxy_destroy};

/* ---- providers ------------------------------------------------------------ */

static void problem(llmops__buf *errors, const llmops__config *cfg, llmops__yaml_pos pos,
                    const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* One problem per line, "FILE:LINE:COLUMN: key.path: message". */
static void problem(llmops__buf *errors, const llmops__config *cfg, llmops__yaml_pos pos,
                    const char *fmt, ...)
{
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    llmops__buf_printf(errors, "%s:%u:%u: %s\n", cfg->path, pos.line, pos.column, msg);
}

static llmops_provider *make_provider(llmops_client *client, const llmops__config *cfg,
                                      const llmops__cfg_provider *cp, llmops__buf *errors)
{
    llmops_provider *p = NULL;
    llmops_status st = LLMOPS_OK;
    char *why = NULL;
    if (cp->type == LLMOPS__CFG_REPLAY) {
        st = llmops_provider_new_replay(&p, cp->name, cp->dir,
                                        cp->timing ? LLMOPS_REPLAY_TIMING : 0);
    } else if (cp->type == LLMOPS__CFG_CUSTOM) {
        proxy_impl *x = llmops__calloc(1, sizeof *x);
        if (x && (x->name = llmops__strdup(cp->name))) {
            x->client = client;
            st = llmops__provider_create(&p, cp->name, "custom", &proxy_ops, x);
        } else {
            llmops__free(x);
            st = LLMOPS_E_NO_MEMORY;
        }
    } else {
        llmops_provider_options o = LLMOPS_PROVIDER_OPTIONS_INIT;
        o.base_url = cp->base_url;
        o.api_key_env = cp->api_key_env;
        o.api_version = cp->api_version;
        o.azure = cp->azure;
        o.ca_bundle = cp->ca_bundle;
        o.headers = cp->headers;
        o.connect_timeout_ms = cp->has_connect_ms ? cp->connect_ms : 0;
        o.first_byte_timeout_ms = cp->has_first_byte_ms ? cp->first_byte_ms : 0;
        o.total_timeout_ms = cp->has_total_ms ? cp->total_ms : 0;
        o.idle_timeout_ms = cp->has_idle_ms ? cp->idle_ms : 0;
        o.max_request_bytes = cp->has_max_request_bytes ? cp->max_request_bytes : 0;
        o.max_response_bytes = cp->has_max_response_bytes ? cp->max_response_bytes : 0;
        st = llmops_provider_new(&p, cp->type_name, cp->name, &o, &why);
    }
    if (st == LLMOPS_OK && cp->record_to) {
        llmops_provider *rec = NULL;
        st = llmops_provider_new_recorder(&rec, cp->name, p, cp->record_to);
        llmops_provider_free(p);
        p = st == LLMOPS_OK ? rec : NULL;
    }
    if (st != LLMOPS_OK) {
        problem(errors, cfg, cp->pos, "providers.%s: cannot create the provider: %s",
                cp->name, why ? why : llmops_status_str(st));
        llmops_free(why);
        return NULL;
    }
    return p;
}

/* ---- parameters ----------------------------------------------------------- */

static void params_from_cfg(llmops__params *p, const llmops__cfg_params *c)
{
    if (c->has_temperature) {
        p->has_temperature = 1;
        p->temperature = c->temperature;
    }
    if (c->has_top_p) {
        p->has_top_p = 1;
        p->top_p = c->top_p;
    }
    if (c->has_max_output_tokens) {
        p->has_max_output_tokens = 1;
        p->max_output_tokens = c->max_output_tokens;
    }
    if (c->has_seed) {
        p->has_seed = 1;
        p->seed = c->seed;
    }
    if (c->has_stop) {
        p->stop = c->stop;
        p->n_stop = c->n_stop;
    }
}

/* Front-matter params: a JSON object with the same keys. Stops stay with
 * the configuration (the front-matter's are ignored when the config sets
 * them). */
static void params_from_json(llmops__params *p, const llmops_json *o)
{
    if (llmops_json_type_of(o) != LLMOPS_JSON_OBJECT)
        return;
    double d;
    int64_t i;
    if (llmops_json_get_double(llmops_json_get(o, "temperature"), &d) == LLMOPS_OK) {
        p->has_temperature = 1;
        p->temperature = d;
    }
    if (llmops_json_get_double(llmops_json_get(o, "top_p"), &d) == LLMOPS_OK) {
        p->has_top_p = 1;
        p->top_p = d;
    }
    if (llmops_json_get_int(llmops_json_get(o, "max_output_tokens"), &i) == LLMOPS_OK) {
        p->has_max_output_tokens = 1;
        p->max_output_tokens = i;
    }
    if (llmops_json_get_int(llmops_json_get(o, "seed"), &i) == LLMOPS_OK) {
        p->has_seed = 1;
        p->seed = i;
    }
}

static void params_json(llmops__buf *b, const llmops__params *p)
{
    llmops__buf_putc(b, '{');
    int first = 1;
#define SEP() (first ? (void)(first = 0) : llmops__buf_putc(b, ','))
    if (p->has_max_output_tokens) {
        SEP();
        llmops__buf_printf(b, "\"max_output_tokens\":%lld", (long long)p->max_output_tokens);
    }
    if (p->has_seed) {
        SEP();
        llmops__buf_printf(b, "\"seed\":%lld", (long long)p->seed);
    }
    if (p->n_stop) {
        SEP();
        llmops__buf_puts(b, "\"stop\":[");
        for (size_t i = 0; i < p->n_stop; i++) {
            if (i)
                llmops__buf_putc(b, ',');
            llmops__jo_str(b, p->stop[i]);
        }
        llmops__buf_putc(b, ']');
    }
    if (p->has_temperature) {
        SEP();
        llmops__buf_puts(b, "\"temperature\":");
        llmops__jo_double(b, p->temperature);
    }
    if (p->has_top_p) {
        SEP();
        llmops__buf_puts(b, "\"top_p\":");
        llmops__jo_double(b, p->top_p);
    }
#undef SEP
    llmops__buf_putc(b, '}');
}

/* ---- fingerprint ---------------------------------------------------------- */

static void model_json(llmops__buf *b, const llmops__cfg_model *m)
{
    llmops__buf_puts(b, "{\"id\":");
    llmops__jo_str(b, m->id);
    llmops__buf_puts(b, ",\"name\":");
    llmops__jo_str(b, m->name);
    llmops__buf_puts(b, ",\"provider\":");
    llmops__jo_str(b, m->provider);
    llmops__buf_puts(b, ",\"type\":");
    llmops__jo_str(b, m->provider_ref ? m->provider_ref->type_name : "");
    llmops__buf_putc(b, '}');
}

static void opt_json(llmops__buf *b, const llmops_json *v)
{
    if (v)
        llmops__jo_value(b, v);
    else
        llmops__buf_puts(b, "null");
}

/* Everything that decides the task's behaviour, written as JSON and then
 * canonicalized (sorted keys), hashed with SHA-256. */
static llmops_status fingerprint(llmops__task_rt *t)
{
    const llmops__cfg_task *c = t->cfg;
    llmops__buf b = LLMOPS__BUF_INIT;
    llmops__buf_puts(&b, "{\"task\":");
    llmops__jo_str(&b, c->name);
    llmops__buf_puts(&b, ",\"prompt\":{\"name\":");
    llmops__jo_str(&b, llmops__prompt_name(t->prompt));
    llmops__buf_puts(&b, ",\"version\":");
    llmops__jo_str(&b, llmops__prompt_version(t->prompt));
    llmops__buf_puts(&b, "},\"model\":");
    model_json(&b, t->model);
    llmops__buf_puts(&b, ",\"params\":");
    params_json(&b, &t->params);
    llmops__buf_puts(&b, ",\"fallbacks\":[");
    for (size_t i = 0; i < c->n_fallbacks; i++) {
        if (i)
            llmops__buf_putc(&b, ',');
        model_json(&b, c->fallback_refs[i]);
    }
    llmops__buf_puts(&b, "],\"tools\":[");
    for (size_t i = 0; i < t->ntools; i++) {
        const llmops__cfg_tool *tool = t->tools[i].cfg;
        llmops__buf_puts(&b, i ? ",{\"name\":" : "{\"name\":");
        llmops__jo_str(&b, tool->name);
        llmops__buf_puts(&b, ",\"description\":");
        if (tool->description)
            llmops__jo_str(&b, tool->description);
        else
            llmops__buf_puts(&b, "null");
        llmops__buf_puts(&b, ",\"parameters\":");
        opt_json(&b, tool->parameters);
        llmops__buf_putc(&b, '}');
    }
    llmops__buf_puts(&b, "],\"input_schema\":");
    opt_json(&b, c->input_schema ? c->input_schema : llmops__prompt_input_schema(t->prompt));
    llmops__buf_puts(&b, ",\"output\":");
    if (c->has_output) {
        const llmops__cfg_output *o = &c->output;
        llmops__buf_printf(&b, "{\"format\":\"%s\",\"extract_json\":%s,\"max_length\":%zu,"
                               "\"schema\":",
                           o->json ? "json" : "text", o->extract_json ? "true" : "false",
                           o->has_max_length ? o->max_length : (size_t)0);
        opt_json(&b, o->schema);
        llmops__buf_puts(&b, ",\"required\":[");
        for (size_t i = 0; i < o->n_required; i++) {
            if (i)
                llmops__buf_putc(&b, ',');
            llmops__jo_str(&b, o->required[i]);
        }
        llmops__buf_puts(&b, "],\"forbidden\":[");
        for (size_t i = 0; i < o->n_forbidden; i++) {
            if (i)
                llmops__buf_putc(&b, ',');
            llmops__jo_str(&b, o->forbidden[i]);
        }
        llmops__buf_puts(&b, "]}");
    } else {
        opt_json(&b, llmops__prompt_output(t->prompt));
    }
    const llmops__cfg_retry *r = &c->retry;
    llmops__buf_printf(&b, ",\"reask\":%u,\"max_tool_steps\":%u,\"deadline_ms\":%llu,"
                           "\"retry\":{\"max_attempts\":%u,\"base_delay_ms\":%u,"
                           "\"max_delay_ms\":%u,\"breaker_threshold\":%u,"
                           "\"breaker_cooldown_ms\":%u}}",
                       c->reask, c->max_tool_steps,
                       (unsigned long long)(c->has_deadline_ms ? c->deadline_ms : 0),
                       r->has_max_attempts ? r->max_attempts : 0,
                       r->has_base_delay_ms ? r->base_delay_ms : 0,
                       r->has_max_delay_ms ? r->max_delay_ms : 0,
                       r->has_breaker_threshold ? r->breaker_threshold : 0,
                       r->has_breaker_cooldown_ms ? r->breaker_cooldown_ms : 0);
    if (b.failed) {
        llmops__buf_free(&b);
        return LLMOPS_E_NO_MEMORY;
    }
    llmops_json_doc *doc = NULL;
    llmops_status st = llmops_json_parse(&doc, b.data, b.len, NULL, NULL);
    llmops__buf_free(&b);
    if (st != LLMOPS_OK)
        return st == LLMOPS_E_NO_MEMORY ? st : LLMOPS_E_INTERNAL;
    char *canon = NULL;
    size_t len = 0;
    st = llmops_json_write(&canon, &len, llmops_json_doc_root(doc), LLMOPS_JSON_WRITE_CANONICAL);
    llmops_json_doc_free(doc);
    if (st != LLMOPS_OK)
        return st;
    llmops__sha256_hex(canon, len, t->fingerprint);
    t->fingerprint_parts = canon;
    return LLMOPS_OK;
}

/* ---- tasks ---------------------------------------------------------------- */

static llmops_status compile_schema(const llmops_json *schema, llmops__schema **out,
                                    const llmops__config *cfg, llmops__yaml_pos pos,
                                    const char *what, const char *task, llmops__buf *errors)
{
    llmops__buf err = LLMOPS__BUF_INIT;
    llmops_status st = llmops__schema_compile(out, schema, NULL, &err);
    if (st != LLMOPS_OK)
        problem(errors, cfg, pos, "tasks.%s: %s: %s", task, what,
                err.data ? err.data : llmops_status_str(st));
    llmops__buf_free(&err);
    return st;
}

/* The output contract of a task: its own `output`, else the prompt's. */
static llmops_status task_contract(llmops__task_rt *t, const llmops__config *cfg,
                                   llmops__buf *errors)
{
    const llmops__cfg_task *c = t->cfg;
    llmops__contract_spec spec;
    memset(&spec, 0, sizeof spec);
    if (c->has_output) {
        spec.json = c->output.json;
        spec.schema = c->output.schema;
        spec.extract_json = c->output.extract_json;
        spec.max_length = c->output.has_max_length ? c->output.max_length : 0;
        spec.required = c->output.required;
        spec.nrequired = c->output.n_required;
        spec.forbidden = c->output.forbidden;
        spec.nforbidden = c->output.n_forbidden;
    } else {
        const llmops_json *o = llmops__prompt_output(t->prompt);
        if (llmops_json_type_of(o) != LLMOPS_JSON_OBJECT)
            return LLMOPS_OK;
        const char *fmt = llmops_json_string(llmops_json_get(o, "format"), NULL);
        spec.json = fmt && strcmp(fmt, "json") == 0;
        spec.schema = llmops_json_get(o, "schema");
        int x = 0;
        llmops_json_get_bool(llmops_json_get(o, "extract_json"), &x);
        spec.extract_json = x;
    }
    llmops__buf err = LLMOPS__BUF_INIT;
    llmops_status st = llmops__contract_new(&t->contract, &spec, &err);
    if (st != LLMOPS_OK)
        problem(errors, cfg, c->pos, "tasks.%s: output contract: %s", c->name,
                err.data ? err.data : llmops_status_str(st));
    llmops__buf_free(&err);
    t->json_output = spec.json;
    t->output_schema = spec.json ? spec.schema : NULL;
    return st;
}

static llmops_status build_task(llmops__snapshot *s, llmops__task_rt *t,
                                const llmops__cfg_task *c, llmops__buf *errors)
{
    const llmops__config *cfg = s->cfg;
    t->cfg = c;
    llmops__buf err = LLMOPS__BUF_INIT;
    llmops_status st = llmops__registry_load(s->registry, c->prompt, &t->prompt, &err);
    if (st != LLMOPS_OK) {
        problem(errors, cfg, c->pos, "tasks.%s: prompt %s: %s", c->name, c->prompt,
                err.data ? err.data : llmops_status_str(st));
        llmops__buf_free(&err);
        return st;
    }
    llmops__buf_free(&err);

    t->model = c->model_ref;
    if (!t->model) {
        const char *m = llmops__prompt_model(t->prompt);
        if (!m) {
            problem(errors, cfg, c->pos,
                    "tasks.%s: no model: set tasks.%s.model or `model` in the prompt %s",
                    c->name, c->name, c->prompt);
            return LLMOPS_E_CONFIG;
        }
        if (!(t->model = llmops__config_model(cfg, m))) {
            problem(errors, cfg, c->pos,
                    "tasks.%s: the prompt names model \"%s\", which llmops.yaml does not "
                    "define",
                    c->name, m);
            return LLMOPS_E_CONFIG;
        }
    }
    params_from_cfg(&t->params, &t->model->params);
    params_from_json(&t->params, llmops__prompt_params(t->prompt));
    params_from_cfg(&t->params, &c->params);

    /* The route: the primary model, then the fallbacks, each with its own
     * provider and pinned id. */
    size_t n = 1 + c->n_fallbacks;
    llmops_provider **targets = llmops__calloc(n, sizeof *targets);
    const char **models = llmops__calloc(n, sizeof *models);
    if (!targets || !models) {
        llmops__free(targets);
        llmops__free(models);
        return LLMOPS_E_NO_MEMORY;
    }
    for (size_t i = 0; i < n; i++) {
        const llmops__cfg_model *m = i ? c->fallback_refs[i - 1] : t->model;
        size_t pi = (size_t)(m->provider_ref - cfg->providers);
        targets[i] = s->providers[pi];
        models[i] = m->id;
    }
    llmops_retry_options ro = LLMOPS_RETRY_OPTIONS_INIT;
    const llmops__cfg_retry *r = &c->retry;
    ro.max_attempts = r->has_max_attempts ? r->max_attempts : 0;
    ro.base_delay_ms = r->has_base_delay_ms ? r->base_delay_ms : 0;
    ro.max_delay_ms = r->has_max_delay_ms ? r->max_delay_ms : 0;
    ro.breaker_threshold = r->has_breaker_threshold ? r->breaker_threshold : 0;
    ro.breaker_cooldown_ms = r->has_breaker_cooldown_ms ? r->breaker_cooldown_ms : 0;
    st = llmops_provider_new_fallback(&t->route, c->name, targets, models, n, &ro);
    llmops__free(targets);
    llmops__free(models);
    if (st != LLMOPS_OK)
        return st;

    const llmops_json *in = c->input_schema ? c->input_schema
                                            : llmops__prompt_input_schema(t->prompt);
    if (in && (st = compile_schema(in, &t->input_schema, cfg, c->pos, "input schema", c->name,
                                   errors)) != LLMOPS_OK)
        return st;
    if ((st = task_contract(t, cfg, errors)) != LLMOPS_OK)
        return st;

    if (c->n_tools && !(t->tools = llmops__calloc(c->n_tools, sizeof *t->tools)))
        return LLMOPS_E_NO_MEMORY;
    for (size_t i = 0; i < c->n_tools; i++) {
        t->tools[i].cfg = c->tool_refs[i];
        t->ntools = i + 1;
        if (c->tool_refs[i]->parameters &&
            (st = compile_schema(c->tool_refs[i]->parameters, &t->tools[i].schema, cfg, c->pos,
                                 "tool parameters", c->name, errors)) != LLMOPS_OK)
            return st;
    }
    return fingerprint(t);
}

static void task_free(llmops__task_rt *t)
{
    llmops__prompt_release(t->prompt);
    llmops_provider_free(t->route);
    llmops__schema_free(t->input_schema);
    llmops__contract_free(t->contract);
    for (size_t i = 0; i < t->ntools; i++)
        llmops__schema_free(t->tools[i].schema);
    llmops__free(t->tools);
    llmops_free(t->fingerprint_parts);
}

void llmops__snapshot_release(llmops__snapshot *s)
{
    if (!s || atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) != 1)
        return;
    if (s->tasks)
        for (size_t i = 0; i < s->cfg->n_tasks; i++)
            task_free(&s->tasks[i]);
    llmops__free(s->tasks);
    if (s->providers)
        for (size_t i = 0; i < s->cfg->n_providers; i++)
            llmops_provider_free(s->providers[i]);
    llmops__free(s->providers);
    llmops__registry_free(s->registry);
    llmops__config_free(s->cfg);
    llmops__free(s);
}

llmops_status llmops__snapshot_build(llmops_client *client, llmops__config *cfg,
                                     llmops__snapshot **out, llmops__buf *errors)
{
    *out = NULL;
    llmops__snapshot *s = llmops__calloc(1, sizeof *s);
    if (!s) {
        llmops__config_free(cfg);
        return LLMOPS_E_NO_MEMORY;
    }
    atomic_init(&s->refs, 1);
    s->cfg = cfg;
    llmops_status st = LLMOPS_OK;
    if ((cfg->n_providers && !(s->providers = llmops__calloc(cfg->n_providers,
                                                             sizeof *s->providers))) ||
        (cfg->n_tasks && !(s->tasks = llmops__calloc(cfg->n_tasks, sizeof *s->tasks)))) {
        llmops__snapshot_release(s);
        return LLMOPS_E_NO_MEMORY;
    }
    for (size_t i = 0; i < cfg->n_providers; i++)
        if (!(s->providers[i] = make_provider(client, cfg, &cfg->providers[i], errors)))
            st = LLMOPS_E_CONFIG;
    if (cfg->n_tasks) {
        llmops__buf err = LLMOPS__BUF_INIT;
        llmops_status rs = llmops__registry_open(cfg->prompts_dir, cfg->prompts_lock,
                                                 &s->registry, &err);
        if (rs != LLMOPS_OK) {
            llmops__buf_printf(errors, "%s: prompts: %s\n", cfg->path,
                               err.data ? err.data : llmops_status_str(rs));
            st = rs;
        }
        llmops__buf_free(&err);
    }
    for (size_t i = 0; st == LLMOPS_OK && i < cfg->n_tasks; i++) {
        llmops_status ts = build_task(s, &s->tasks[i], &cfg->tasks[i], errors);
        if (ts != LLMOPS_OK)
            st = ts == LLMOPS_E_NO_MEMORY ? ts : LLMOPS_E_CONFIG;
    }
    /* Keep going through the tasks so every problem is listed. */
    if (st == LLMOPS_E_CONFIG && s->registry)
        for (size_t i = 0; i < cfg->n_tasks; i++)
            if (!s->tasks[i].cfg)
                build_task(s, &s->tasks[i], &cfg->tasks[i], errors);
    if (st != LLMOPS_OK) {
        llmops__snapshot_release(s);
        return st;
    }
    *out = s;
    return LLMOPS_OK;
}

const llmops__task_rt *llmops__snapshot_task(const llmops__snapshot *s, const char *name)
{
    const llmops__cfg_task *c = llmops__config_task(s->cfg, name);
    return c ? &s->tasks[c - s->cfg->tasks] : NULL;
}
