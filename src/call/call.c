/* One call of a task, the pipeline of DESIGN.md top to bottom:
 *   task → input check → prompt render → route (providers, retries,
 *   fallbacks) → tool loop → output contract (bounded re-ask) → usage.
 * Guardrails, admission, caching and tracing stages join here as their
 * issues land. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "client/client.h"
#include "core/alloc.h"
#include "core/clock.h"
#include "core/ids.h"
#include "provider/request.h"
#include "provider/response.h"
#include "trace/span.h"

typedef struct tool_rec {
    char *id, *name, *arguments, *result;
    llmops_status status;
    uint64_t duration_ns;
} tool_rec;

struct llmops_call {
    llmops_client *client;
    char *task;
    llmops_json_doc *input;
    llmops_request *meta;            /* carries metadata; copied into each request */
    char *user, *session, *tenant;
    char trace_id[33], parent_span[17], span_id[17];
    int has_parent;
    llmops_delta_fn on_delta;
    void *user_data;
    uint64_t deadline_ms;
    llmops_cancel *cancel;

    /* results of the last run */
    llmops_status status;
    llmops__buf error;
    llmops__buf output;
    llmops_json_doc *output_json;
    llmops_response *resp;
    llmops_usage usage;
    int has_usage;
    char *model;
    char *model_name;
    char *prompt_name;
    char prompt_version[65];
    char fingerprint[65];
    unsigned turns, reasks;
    double cost_usd;                 /* summed over priced turns */
    int unpriced;                    /* a turn could not be priced */
    unsigned retries, fallbacks;     /* over every turn, for metrics */
    uint64_t ttft_ns;                /* of the first (streamed) turn */
    const char *provider_type;       /* of the answering provider, static */
    char **violations;
    size_t nviolations;
    tool_rec *tools;
    size_t ntools, cap_tools;
};

static llmops_status replace(char **slot, const char *s)
{
    char *c = NULL;
    if (s && !(c = llmops__strdup(s)))
        return LLMOPS_E_NO_MEMORY;
    llmops__free(*slot);
    *slot = c;
    return LLMOPS_OK;
}

llmops_status llmops_call_new(llmops_call **out, llmops_client *client, const char *task)
{
    if (!out || !client || !task)
        return LLMOPS_E_INVALID_ARGUMENT;
    *out = NULL;
    llmops__snapshot *s = llmops__client_acquire(client);
    int known = llmops__snapshot_task(s, task) != NULL;
    llmops__snapshot_release(s);
    if (!known)
        return LLMOPS_E_NOT_FOUND;
    llmops_call *c = llmops__calloc(1, sizeof *c);
    if (!c || !(c->task = llmops__strdup(task)) || llmops_request_new(&c->meta) != LLMOPS_OK ||
        llmops_response_new(&c->resp) != LLMOPS_OK) {
        llmops_call_free(c);
        return LLMOPS_E_NO_MEMORY;
    }
    c->client = client;
    *out = c;
    return LLMOPS_OK;
}

static void clear_results(llmops_call *c)
{
    c->status = LLMOPS_OK;
    llmops__buf_clear(&c->error);
    c->error.failed = 0;
    llmops__buf_clear(&c->output);
    c->output.failed = 0;
    llmops_json_doc_free(c->output_json);
    c->output_json = NULL;
    llmops_response_reset(c->resp);
    memset(&c->usage, 0, sizeof c->usage);
    c->has_usage = 0;
    replace(&c->model, NULL);
    replace(&c->model_name, NULL);
    replace(&c->prompt_name, NULL);
    c->prompt_version[0] = c->fingerprint[0] = '\0';
    c->turns = c->reasks = 0;
    c->cost_usd = 0;
    c->unpriced = 0;
    c->retries = c->fallbacks = 0;
    c->ttft_ns = 0;
    c->provider_type = NULL;
    for (size_t i = 0; i < c->nviolations; i++)
        llmops__free(c->violations[i]);
    llmops__free(c->violations);
    c->violations = NULL;
    c->nviolations = 0;
    for (size_t i = 0; i < c->ntools; i++) {
        llmops__free(c->tools[i].id);
        llmops__free(c->tools[i].name);
        llmops__free(c->tools[i].arguments);
        llmops__free(c->tools[i].result);
    }
    c->ntools = 0;
}

void llmops_call_free(llmops_call *c)
{
    if (!c)
        return;
    clear_results(c);
    llmops__free(c->tools);
    llmops__buf_free(&c->error);
    llmops__buf_free(&c->output);
    llmops_response_free(c->resp);
    llmops_request_free(c->meta);
    llmops_json_doc_free(c->input);
    llmops__free(c->task);
    llmops__free(c->user);
    llmops__free(c->session);
    llmops__free(c->tenant);
    llmops_cancel_free(c->cancel);
    llmops__free(c);
}

/* ---- settings ------------------------------------------------------------ */

llmops_status llmops_call_set_input(llmops_call *c, const char *json, size_t len)
{
    if (!c || !json)
        return LLMOPS_E_INVALID_ARGUMENT;
    if (len == SIZE_MAX)
        len = strlen(json);
    llmops_json_doc *doc = NULL;
    llmops_json_error err = LLMOPS_JSON_ERROR_INIT;
    llmops_status st = llmops_json_parse(&doc, json, len, NULL, &err);
    if (st != LLMOPS_OK) {
        llmops__buf_clear(&c->error);
        llmops__buf_printf(&c->error, "input is not JSON: line %u, column %u: %s", err.line,
                           err.column, err.message);
        c->status = st;
        return st;
    }
    llmops_json_doc_free(c->input);
    c->input = doc;
    return LLMOPS_OK;
}

llmops_status llmops_call_set_user(llmops_call *c, const char *user)
{
    return c ? replace(&c->user, user) : LLMOPS_E_INVALID_ARGUMENT;
}

llmops_status llmops_call_set_session(llmops_call *c, const char *session)
{
    return c ? replace(&c->session, session) : LLMOPS_E_INVALID_ARGUMENT;
}

llmops_status llmops_call_set_tenant(llmops_call *c, const char *tenant)
{
    return c ? replace(&c->tenant, tenant) : LLMOPS_E_INVALID_ARGUMENT;
}

llmops_status llmops_call_set_metadata(llmops_call *c, const char *key, const char *value)
{
    return c ? llmops_request_set_metadata(c->meta, key, value) : LLMOPS_E_INVALID_ARGUMENT;
}

static int hex_run(const char *s, size_t n)
{
    int nonzero = 0;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f')))
            return 0;
        nonzero |= ch != '0';
    }
    return nonzero;
}

llmops_status llmops_call_set_traceparent(llmops_call *c, const char *tp)
{
    if (!c)
        return LLMOPS_E_INVALID_ARGUMENT;
    if (!tp) {
        c->has_parent = 0;
        return LLMOPS_OK;
    }
    /* version-traceid-parentid-flags; version ff is invalid, ids not all zero. */
    if (strlen(tp) < 55 || tp[2] != '-' || tp[35] != '-' || tp[52] != '-' ||
        (tp[55] != '\0' && tp[55] != '-') || !((tp[0] != 'f' || tp[1] != 'f')) ||
        !hex_run(tp + 3, 32) || !hex_run(tp + 36, 16) ||
        strspn(tp, "0123456789abcdef") < 2 || strspn(tp + 53, "0123456789abcdef") < 2)
        return LLMOPS_E_INVALID_ARGUMENT;
    memcpy(c->trace_id, tp + 3, 32);
    c->trace_id[32] = '\0';
    memcpy(c->parent_span, tp + 36, 16);
    c->parent_span[16] = '\0';
    c->has_parent = 1;
    return LLMOPS_OK;
}

llmops_status llmops_call_set_stream(llmops_call *c, llmops_delta_fn fn, void *user_data)
{
    if (!c)
        return LLMOPS_E_INVALID_ARGUMENT;
    c->on_delta = fn;
    c->user_data = user_data;
    return LLMOPS_OK;
}

llmops_status llmops_call_set_deadline_ms(llmops_call *c, uint64_t ms)
{
    if (!c)
        return LLMOPS_E_INVALID_ARGUMENT;
    c->deadline_ms = ms;
    return LLMOPS_OK;
}

llmops_status llmops_call_set_cancel(llmops_call *c, llmops_cancel *cancel)
{
    if (!c)
        return LLMOPS_E_INVALID_ARGUMENT;
    llmops__cancel_ref(cancel);
    llmops_cancel_free(c->cancel);
    c->cancel = cancel;
    return LLMOPS_OK;
}

/* ---- the pipeline -------------------------------------------------------- */

static llmops_status fail(llmops_call *c, llmops_status st, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Records the outcome: "<task>: <message>". */
static llmops_status fail(llmops_call *c, llmops_status st, const char *fmt, ...)
{
    c->status = st;
    llmops__buf_clear(&c->error);
    c->error.failed = 0;
    char tmp[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    llmops__buf_printf(&c->error, "%s: %s", c->task, tmp);
    return st;
}

static void add_usage(llmops_call *c)
{
    llmops_usage u = LLMOPS_USAGE_INIT;
    if (llmops_response_usage(c->resp, &u) != LLMOPS_OK)
        return;
    c->has_usage = 1;
    c->usage.version = LLMOPS_USAGE_VERSION;
    c->usage.input_tokens += u.input_tokens;
    c->usage.output_tokens += u.output_tokens;
    c->usage.cached_input_tokens += u.cached_input_tokens;
    c->usage.cache_creation_tokens += u.cache_creation_tokens;
    c->usage.reasoning_tokens += u.reasoning_tokens;
    c->usage.total_tokens += u.total_tokens;
    c->usage.cost_usd += u.cost_usd;
}

/* ---- spans ----------------------------------------------------------------- */

typedef struct hooks {
    llmops_span_fn start, end;
    void *ud;
} hooks;

static hooks hooks_of(llmops_client *client)
{
    hooks h;
    pthread_mutex_lock(&client->lock);
    h.start = client->span_start;
    h.end = client->span_end;
    h.ud = client->span_ud;
    pthread_mutex_unlock(&client->lock);
    return h;
}

#define MAX_ATTRS 24

typedef struct span_b {
    llmops__span sp;
    llmops__attr attrs[MAX_ATTRS];
    llmops__span_event events[16];
    llmops__attr event_attrs[16][5];
} span_b;

static void attr_s(span_b *b, const char *key, const char *v)
{
    if (v && b->sp.nattrs < MAX_ATTRS)
        b->attrs[b->sp.nattrs++] = (llmops__attr){key, LLMOPS__ATTR_STRING, v, 0, 0};
}

static void attr_i(span_b *b, const char *key, int64_t v)
{
    if (b->sp.nattrs < MAX_ATTRS)
        b->attrs[b->sp.nattrs++] = (llmops__attr){key, LLMOPS__ATTR_INT, NULL, v, 0};
}

static void attr_d(span_b *b, const char *key, double v)
{
    if (b->sp.nattrs < MAX_ATTRS)
        b->attrs[b->sp.nattrs++] = (llmops__attr){key, LLMOPS__ATTR_DOUBLE, NULL, 0, v};
}

static void span_begin(span_b *b, const char *trace_id, const char *span_id, const char *parent,
                       const char *name, llmops__span_kind kind, const hooks *h)
{
    memset(&b->sp, 0, sizeof b->sp);
    memcpy(b->sp.trace_id, trace_id, 33);
    if (span_id)
        memcpy(b->sp.span_id, span_id, 17);
    else
        llmops__span_id(b->sp.span_id);
    snprintf(b->sp.parent_span_id, sizeof b->sp.parent_span_id, "%s", parent ? parent : "");
    b->sp.name = name;
    b->sp.kind = kind;
    b->sp.start_ns = llmops__wall_ns();
    b->sp.attrs = b->attrs;
    b->sp.events = b->events;
    if (h->start) {
        llmops_span_info info = {LLMOPS_SPAN_INFO_VERSION, b->sp.trace_id, b->sp.span_id,
                                 b->sp.parent_span_id, name, b->sp.start_ns, 0, LLMOPS_OK,
                                 NULL};
        h->start(&info, h->ud);
    }
}

static void span_end(span_b *b, llmops_status st, const char *message, const hooks *h)
{
    b->sp.end_ns = llmops__wall_ns();
    b->sp.status = st;
    b->sp.status_message = st == LLMOPS_OK ? "" : message;
    if (!h->end)
        return;
    llmops__buf json = LLMOPS__BUF_INIT;
    llmops__span_to_json(&b->sp, &json);
    if (!json.failed) {
        llmops_span_info info = {LLMOPS_SPAN_INFO_VERSION, b->sp.trace_id, b->sp.span_id,
                                 b->sp.parent_span_id, b->sp.name, b->sp.start_ns,
                                 b->sp.end_ns, st, json.data};
        h->end(&info, h->ud);
    }
    llmops__buf_free(&json);
}

/* The usage attributes of a span. */
static void attr_usage(span_b *b, const llmops_usage *u)
{
    attr_i(b, "gen_ai.usage.input_tokens", u->input_tokens);
    attr_i(b, "gen_ai.usage.output_tokens", u->output_tokens);
    if (u->cached_input_tokens)
        attr_i(b, "gen_ai.usage.cache_read.input_tokens", u->cached_input_tokens);
    if (u->reasoning_tokens)
        attr_i(b, "llmops.usage.reasoning_tokens", u->reasoning_tokens);
}

/* A model turn's span ends with what the response says, one event per
 * provider attempt (retries and fallbacks visible). */
static void turn_span_fill(span_b *b, const llmops_response *r)
{
    attr_s(b, "gen_ai.response.model", llmops_response_model(r));
    attr_s(b, "gen_ai.response.id", llmops_response_request_id(r));
    attr_s(b, "llmops.provider", llmops_response_provider(r));
    llmops_usage u = LLMOPS_USAGE_INIT;
    if (llmops_response_usage(r, &u) == LLMOPS_OK)
        attr_usage(b, &u);
    const char *fr = llmops_response_finish_reason_raw(r);
    attr_s(b, "gen_ai.response.finish_reasons", fr);
    size_t n = llmops_response_attempt_count(r);
    attr_i(b, "llmops.attempts", (int64_t)n);
    for (size_t i = 0; i < n && b->sp.nevents < 16; i++) {
        llmops_attempt a = LLMOPS_ATTEMPT_INIT;
        if (llmops_response_attempt(r, i, &a) != LLMOPS_OK)
            break;
        llmops__attr *ea = b->event_attrs[b->sp.nevents];
        size_t k = 0;
        ea[k++] = (llmops__attr){"llmops.target", LLMOPS__ATTR_STRING, a.target ? a.target : "",
                                 0, 0};
        ea[k++] = (llmops__attr){"gen_ai.request.model", LLMOPS__ATTR_STRING,
                                 a.model ? a.model : "", 0, 0};
        ea[k++] = (llmops__attr){"llmops.status", LLMOPS__ATTR_STRING,
                                 llmops_status_str(a.status), 0, 0};
        ea[k++] = (llmops__attr){"http.response.status_code", LLMOPS__ATTR_INT, NULL,
                                 a.http_status, 0};
        ea[k++] = (llmops__attr){"llmops.latency_ms", LLMOPS__ATTR_DOUBLE, NULL, 0,
                                 (double)a.latency_ns / 1e6};
        b->events[b->sp.nevents++] =
            (llmops__span_event){"llmops.attempt", b->sp.start_ns, ea, k};
    }
}

static llmops_status build_request(llmops_call *c, const llmops__task_rt *t,
                                   const llmops__prompt_messages *msgs, llmops_request **out)
{
    llmops_request *r = NULL;
    llmops_status st = llmops_request_copy(&r, c->meta);
    if (st != LLMOPS_OK)
        return st;
    st = llmops_request_set_model(r, t->model->id);
    for (size_t i = 0; st == LLMOPS_OK && i < msgs->count; i++)
        st = llmops_request_add_message(r, msgs->items[i].role, msgs->items[i].text,
                                        msgs->items[i].len);
    const llmops__params *p = &t->params;
    if (st == LLMOPS_OK && p->has_temperature)
        st = llmops_request_set_temperature(r, p->temperature);
    if (st == LLMOPS_OK && p->has_top_p)
        st = llmops_request_set_top_p(r, p->top_p);
    if (st == LLMOPS_OK && p->has_max_output_tokens)
        st = llmops_request_set_max_output_tokens(r, p->max_output_tokens);
    if (st == LLMOPS_OK && p->has_seed)
        st = llmops_request_set_seed(r, p->seed);
    for (size_t i = 0; st == LLMOPS_OK && i < p->n_stop; i++)
        st = llmops_request_add_stop(r, p->stop[i]);
    for (size_t i = 0; st == LLMOPS_OK && i < t->ntools; i++) {
        const llmops__cfg_tool *tool = t->tools[i].cfg;
        char *params = NULL;
        if (tool->parameters &&
            (st = llmops_json_write(&params, NULL, tool->parameters, 0)) != LLMOPS_OK)
            break;
        st = llmops_request_add_tool(r, tool->name, tool->description, params);
        llmops_free(params);
    }
    if (st == LLMOPS_OK && t->json_output) {
        char *schema = NULL;
        if (t->output_schema &&
            llmops_json_type_of(t->output_schema) == LLMOPS_JSON_OBJECT &&
            (st = llmops_json_write(&schema, NULL, t->output_schema, 0)) == LLMOPS_OK)
            st = llmops_request_set_response_format(r, LLMOPS_FORMAT_JSON_SCHEMA, "output",
                                                    schema);
        else if (st == LLMOPS_OK)
            st = llmops_request_set_response_format(r, LLMOPS_FORMAT_JSON, NULL, NULL);
        llmops_free(schema);
    }
    if (st == LLMOPS_OK && c->user)
        st = llmops_request_set_metadata(r, "user_id", c->user);
    if (st == LLMOPS_OK) {
        uint64_t ms = c->deadline_ms ? c->deadline_ms
                                     : (t->cfg->has_deadline_ms ? t->cfg->deadline_ms : 0);
        llmops_request_set_timeout_ms(r, ms);
        st = llmops_request_set_cancel(r, c->cancel);
    }
    if (st != LLMOPS_OK) {
        llmops_request_free(r);
        return st;
    }
    *out = r;
    return LLMOPS_OK;
}

static llmops_status record_tool(llmops_call *c, const char *id, const char *name,
                                 const char *args, const char *result, llmops_status st,
                                 uint64_t ns)
{
    if (c->ntools == c->cap_tools) {
        size_t nc = llmops__grow_cap(c->cap_tools, c->ntools + 1, sizeof *c->tools);
        tool_rec *p = nc ? llmops__realloc(c->tools, nc * sizeof *p) : NULL;
        if (!p)
            return LLMOPS_E_NO_MEMORY;
        c->tools = p;
        c->cap_tools = nc;
    }
    tool_rec *r = &c->tools[c->ntools];
    r->id = id ? llmops__strdup(id) : NULL;
    r->name = llmops__strdup(name);
    r->arguments = llmops__strdup(args);
    r->result = llmops__strdup(result);
    r->status = st;
    r->duration_ns = ns;
    c->ntools++;
    return r->name && r->arguments && r->result ? LLMOPS_OK : LLMOPS_E_NO_MEMORY;
}

/* Runs one tool call the model asked for and appends its result to the
 * conversation. A refused or failing tool is reported to the model (and
 * recorded) rather than ending the call: the model may recover. */
static llmops_status run_tool(llmops_call *c, const llmops__task_rt *t, llmops_request *req,
                              size_t i, const hooks *h)
{
    const char *id = llmops_response_tool_call_id(c->resp, i);
    const char *name = llmops_response_tool_call_name(c->resp, i);
    const char *args = llmops_response_tool_call_arguments(c->resp, i);
    if (!name)
        name = "";
    uint64_t t0 = llmops__mono_ns();
    llmops__buf result = LLMOPS__BUF_INIT;
    llmops_status st = LLMOPS_OK;
    const llmops__task_tool *tool = NULL;
    for (size_t k = 0; k < t->ntools && !tool; k++)
        if (strcmp(t->tools[k].cfg->name, name) == 0)
            tool = &t->tools[k];
    llmops_json_doc *doc = NULL;
    llmops_tool_fn fn;
    void *ud;
    if (!tool) {
        st = LLMOPS_E_BLOCKED;
        llmops__buf_printf(&result, "error: the tool \"%s\" is not permitted for this task",
                           name);
    } else if (llmops_json_parse(&doc, args, strlen(args), NULL, NULL) != LLMOPS_OK ||
               llmops_json_type_of(llmops_json_doc_root(doc)) != LLMOPS_JSON_OBJECT) {
        st = LLMOPS_E_VALIDATION;
        llmops__buf_puts(&result, "error: the arguments are not a JSON object");
    } else if (tool->schema) {
        llmops__schema_result sr;
        llmops_status vs = llmops__schema_validate(tool->schema, llmops_json_doc_root(doc), 5,
                                                   &sr);
        if (vs != LLMOPS_OK || !sr.valid) {
            st = LLMOPS_E_VALIDATION;
            llmops__buf_puts(&result, "error: the arguments do not match the tool's parameters");
            for (size_t k = 0; k < sr.nerrors; k++)
                llmops__buf_printf(&result, "; at \"%s\": %s", sr.errors[k].instance_path,
                                   sr.errors[k].message);
        }
        llmops__schema_result_free(&sr);
    }
    if (st == LLMOPS_OK) {
        if (!llmops__client_tool(c->client, name, &fn, &ud)) {
            st = LLMOPS_E_NOT_FOUND;
            llmops__buf_printf(&result, "error: the tool \"%s\" has no registered callback",
                               name);
        } else {
            span_b ts;
            char span_name[96];
            snprintf(span_name, sizeof span_name, "tool %s", tool->cfg->name);
            span_begin(&ts, c->trace_id, NULL, c->span_id, span_name, LLMOPS__SPAN_INTERNAL, h);
            attr_s(&ts, "gen_ai.tool.name", tool->cfg->name);
            attr_s(&ts, "gen_ai.tool.call.id", id);
            llmops_tool_output out = {LLMOPS__BUF_INIT};
            st = fn(ud, args, strlen(args), &out);
            span_end(&ts, st, st == LLMOPS_OK ? "" : "the tool failed", h);
            if (st != LLMOPS_OK)
                llmops__buf_printf(&result, "error: %s: ", llmops_status_str(st));
            llmops__buf_append(&result, out.text.data ? out.text.data : "", out.text.len);
            llmops__buf_free(&out.text);
        }
    }
    llmops_json_doc_free(doc);
    if (result.failed) {
        llmops__buf_free(&result);
        return LLMOPS_E_NO_MEMORY;
    }
    const char *text = result.data ? result.data : "";
    llmops_status rs = record_tool(c, id, name, args, text, st, llmops__mono_ns() - t0);
    if (rs == LLMOPS_OK)
        rs = llmops_request_add_tool_result(req, id ? id : "", name, text, result.len);
    llmops__buf_free(&result);
    return rs;
}

/* The model's turn with tool calls goes into the history, then each call's
 * result. */
static llmops_status tool_turn(llmops_call *c, const llmops__task_rt *t, llmops_request *req,
                               const hooks *h)
{
    size_t len;
    const char *text = llmops_response_text(c->resp, &len);
    llmops_status st = llmops_request_add_message(req, LLMOPS_ROLE_ASSISTANT, text, len);
    size_t n = llmops_response_tool_call_count(c->resp);
    for (size_t i = 0; st == LLMOPS_OK && i < n; i++) {
        const char *id = llmops_response_tool_call_id(c->resp, i);
        const char *name = llmops_response_tool_call_name(c->resp, i);
        st = llmops_request_add_tool_call(req, id ? id : "", name ? name : "unknown",
                                          llmops_response_tool_call_arguments(c->resp, i));
        if (st == LLMOPS_E_PARSE || st == LLMOPS_E_TYPE)
            st = llmops_request_add_tool_call(req, id ? id : "", name ? name : "unknown", "{}");
    }
    for (size_t i = 0; st == LLMOPS_OK && i < n; i++)
        st = run_tool(c, t, req, i, h);
    return st;
}

/* After each model turn: which configured model answered (the route's
 * last attempt names its provider and model id; after a fallback that is
 * not the primary), what the turn cost, and its retries and fallbacks. */
static void account_turn(llmops_call *c, const llmops__task_rt *t, const llmops__snapshot *s)
{
    size_t n = llmops_response_attempt_count(c->resp);
    llmops_attempt a = LLMOPS_ATTEMPT_INIT;
    if (c->turns == 1)
        c->ttft_ns = llmops_response_ttft_ns(c->resp);
    const char *prev = NULL;
    for (size_t i = 0; i < n; i++) {
        if (llmops_response_attempt(c->resp, i, &a) != LLMOPS_OK)
            break;
        if (i && prev && a.target && strcmp(prev, a.target) == 0)
            c->retries++;
        else if (i)
            c->fallbacks++;
        prev = a.target;
    }
    if (!n || !a.target || !a.model)
        return;
    const llmops__cfg_provider *cp = llmops__config_provider(s->cfg, a.target);
    c->provider_type = cp ? cp->type_name : NULL;
    for (size_t i = 0; i <= t->cfg->n_fallbacks; i++) {
        const llmops__cfg_model *m = i ? t->cfg->fallback_refs[i - 1] : t->model;
        if (strcmp(m->id, a.model) == 0 && strcmp(m->provider, a.target) == 0) {
            replace(&c->model_name, m->name);
            break;
        }
    }
    /* Cost: the model the provider says answered (dated, more precise),
     * else the id asked for. A turn without usage cannot be priced. */
    const llmops__prices *prices = llmops__client_prices(c->client);
    llmops_usage u = LLMOPS_USAGE_INIT;
    double usd = 0;
    const char *rm = llmops_response_model(c->resp);
    if (!prices || llmops_response_usage(c->resp, &u) != LLMOPS_OK ||
        ((!rm || llmops__prices_cost(prices, c->provider_type, rm, &u, &usd) != 0) &&
         llmops__prices_cost(prices, c->provider_type, a.model, &u, &usd) != 0))
        c->unpriced = 1;
    else
        c->cost_usd += usd;
}

static void record_metrics(llmops_call *c, uint64_t latency_ns)
{
    llmops__call_sample m;
    memset(&m, 0, sizeof m);
    m.task = c->task;
    m.model = c->model_name;
    m.response_model = c->model;
    m.variant = "";
    m.provider = c->provider_type;
    m.status = c->status;
    m.latency_ns = latency_ns;
    m.ttft_ns = c->ttft_ns;
    m.has_usage = c->has_usage;
    m.usage = c->usage;
    m.usage.version = LLMOPS_USAGE_VERSION;
    m.cost_known = c->turns && !c->unpriced;
    m.cost_usd = c->cost_usd;
    m.retries = c->retries;
    m.fallbacks = c->fallbacks;
    /* Metrics never fail a call. */
    (void)llmops__metrics_record_call(c->client->metrics, &m);
}

static llmops_status keep_violations(llmops_call *c, const llmops__contract_result *res)
{
    c->violations = llmops__calloc(res->n ? res->n : 1, sizeof *c->violations);
    if (!c->violations)
        return LLMOPS_E_NO_MEMORY;
    for (size_t i = 0; i < res->n; i++) {
        llmops__buf b = LLMOPS__BUF_INIT;
        llmops__buf_printf(&b, "%s", res->v[i].kind);
        if (res->v[i].path)
            llmops__buf_printf(&b, " at \"%s\"", res->v[i].path);
        llmops__buf_printf(&b, ": %s", res->v[i].message);
        if (!(c->violations[i] = llmops__buf_detach(&b, NULL)))
            return LLMOPS_E_NO_MEMORY;
        c->nviolations = i + 1;
    }
    return LLMOPS_OK;
}

static llmops_status violation_error(llmops_call *c, llmops_status st, const char *what)
{
    fail(c, st, "%s", what);
    for (size_t i = 0; i < c->nviolations; i++)
        llmops__buf_printf(&c->error, "%s%s", i ? "; " : ": ", c->violations[i]);
    return st;
}

static llmops_status run(llmops_call *c, const llmops__snapshot *s, const llmops__task_rt *t,
                         const hooks *h)
{
    llmops_status st;
    memcpy(c->fingerprint, t->fingerprint, 65);
    memcpy(c->prompt_version, llmops__prompt_version(t->prompt), 65);
    if (replace(&c->prompt_name, llmops__prompt_name(t->prompt)) != LLMOPS_OK ||
        replace(&c->model_name, t->model->name) != LLMOPS_OK)
        return fail(c, LLMOPS_E_NO_MEMORY, "out of memory");

    llmops_json_doc *empty = NULL;
    const llmops_json *input = c->input ? llmops_json_doc_root(c->input) : NULL;
    if (!input) {
        if (llmops_json_parse(&empty, "{}", 2, NULL, NULL) != LLMOPS_OK)
            return fail(c, LLMOPS_E_NO_MEMORY, "out of memory");
        input = llmops_json_doc_root(empty);
    }

    /* 3. input contract */
    if (t->input_schema) {
        llmops__contract_result res;
        st = llmops__input_check(t->input_schema, input, &res);
        if (st == LLMOPS_OK && !res.ok) {
            st = keep_violations(c, &res);
            llmops__contract_result_free(&res);
            llmops_json_doc_free(empty);
            return st != LLMOPS_OK ? fail(c, st, "out of memory")
                                   : violation_error(c, LLMOPS_E_VALIDATION,
                                                     "the input does not match the task's "
                                                     "input schema");
        }
        llmops__contract_result_free(&res);
        if (st != LLMOPS_OK) {
            llmops_json_doc_free(empty);
            return fail(c, st, "input check: %s", llmops_status_str(st));
        }
    }

    /* 2. prompt */
    llmops__prompt_messages msgs = LLMOPS__PROMPT_MESSAGES_INIT;
    llmops__buf err = LLMOPS__BUF_INIT;
    st = llmops__prompt_render(t->prompt, input, &msgs, &err);
    llmops_json_doc_free(empty);
    if (st != LLMOPS_OK) {
        fail(c, st, "prompt %s: %s", c->prompt_name, err.data ? err.data : "render failed");
        llmops__buf_free(&err);
        llmops__prompt_messages_free(&msgs);
        return st;
    }
    llmops__buf_free(&err);
    llmops_request *req = NULL;
    st = build_request(c, t, &msgs, &req);
    llmops__prompt_messages_free(&msgs);
    if (st != LLMOPS_OK)
        return fail(c, st, "building the request: %s", llmops_status_str(st));

    /* 7-8. model turns: tool loop and contract re-asks */
    unsigned tool_steps = 0;
    for (;;) {
        c->turns++;
        /* Only the first turn streams: later turns would repeat or
         * contradict what the host already showed. */
        int stream = c->turns == 1 && c->on_delta;
        span_b turn;
        char name[160];
        snprintf(name, sizeof name, "chat %s", t->model->id);
        span_begin(&turn, c->trace_id, NULL, c->span_id, name, LLMOPS__SPAN_CLIENT, h);
        attr_s(&turn, "gen_ai.operation.name", "chat");
        attr_s(&turn, "gen_ai.request.model", t->model->id);
        attr_i(&turn, "llmops.turn", c->turns);
        /* The provider request carries this turn's span as its parent. */
        char tp[56];
        snprintf(tp, sizeof tp, "00-%s-%s-01", c->trace_id, turn.sp.span_id);
        llmops_request_set_traceparent(req, tp);
        st = llmops_provider_generate(t->route, req, c->resp, stream ? c->on_delta : NULL,
                                      c->user_data);
        add_usage(c);
        account_turn(c, t, s);
        turn_span_fill(&turn, c->resp);
        span_end(&turn, st, llmops_response_error(c->resp), h);
        if (st != LLMOPS_OK) {
            fail(c, st, "%s", llmops_response_error(c->resp));
            break;
        }
        if (llmops_response_tool_call_count(c->resp)) {
            if (++tool_steps > t->cfg->max_tool_steps) {
                st = fail(c, LLMOPS_E_LIMIT,
                          "the model kept calling tools past max_tool_steps (%u)",
                          t->cfg->max_tool_steps);
                break;
            }
            if ((st = tool_turn(c, t, req, h)) != LLMOPS_OK) {
                fail(c, st, "tool loop: %s", llmops_status_str(st));
                break;
            }
            continue;
        }
        size_t len;
        const char *text = llmops_response_text(c->resp, &len);
        if (t->contract) {
            llmops__contract_result res;
            st = llmops__contract_check(t->contract, text, len, &res);
            if (st != LLMOPS_OK) {
                llmops__contract_result_free(&res);
                fail(c, st, "output check: %s", llmops_status_str(st));
                break;
            }
            if (!res.ok) {
                if (c->reasks < t->cfg->reask) {
                    llmops__buf msg = LLMOPS__BUF_INIT;
                    st = llmops__contract_reask_message(t->contract, &res, &msg);
                    if (st == LLMOPS_OK)
                        st = llmops_request_add_message(req, LLMOPS_ROLE_ASSISTANT, text, len);
                    if (st == LLMOPS_OK)
                        st = llmops_request_add_message(req, LLMOPS_ROLE_USER,
                                                        msg.data ? msg.data : "", msg.len);
                    llmops__buf_free(&msg);
                    llmops__contract_result_free(&res);
                    if (st != LLMOPS_OK) {
                        fail(c, st, "re-ask: %s", llmops_status_str(st));
                        break;
                    }
                    c->reasks++;
                    continue;
                }
                st = keep_violations(c, &res);
                llmops__contract_result_free(&res);
                llmops__buf_append(&c->output, text, len);
                st = st != LLMOPS_OK ? fail(c, st, "out of memory")
                                     : violation_error(c, LLMOPS_E_CONTRACT_VIOLATION,
                                                       "the output breaks the task's contract");
                break;
            }
            c->output_json = res.json;
            res.json = NULL;
            llmops__contract_result_free(&res);
        }
        llmops__buf_append(&c->output, text, len);
        st = c->output.failed ? fail(c, LLMOPS_E_NO_MEMORY, "out of memory")
                              : LLMOPS_OK;
        break;
    }
    const char *m = llmops_response_model(c->resp);
    replace(&c->model, m ? m : llmops_request_model(req));
    llmops_request_free(req);
    return st;
}

llmops_status llmops_call_run(llmops_call *c)
{
    if (!c)
        return LLMOPS_E_INVALID_ARGUMENT;
    clear_results(c);
    if (!c->has_parent)
        llmops__trace_id(c->trace_id);
    llmops__span_id(c->span_id);
    llmops__snapshot *s = llmops__client_acquire(c->client);
    const llmops__task_rt *t = llmops__snapshot_task(s, c->task);
    uint64_t t0 = llmops__mono_ns();
    hooks h = hooks_of(c->client);
    span_b root;
    char name[160];
    snprintf(name, sizeof name, "llmops.call %s", c->task);
    span_begin(&root, c->trace_id, c->span_id, c->has_parent ? c->parent_span : "", name,
               LLMOPS__SPAN_INTERNAL, &h);
    llmops_status st = t ? run(c, s, t, &h)
                         : fail(c, LLMOPS_E_NOT_FOUND,
                                "the configuration has no such task (it was reloaded)");
    llmops__snapshot_release(s);
    c->status = st;
    if (c->usage.cost_usd == 0 && !c->unpriced)
        c->usage.cost_usd = c->cost_usd;
    record_metrics(c, llmops__mono_ns() - t0);
    attr_s(&root, "gen_ai.operation.name", "chat");
    attr_s(&root, "llmops.task", c->task);
    attr_s(&root, "llmops.prompt.name", c->prompt_name);
    attr_s(&root, "llmops.prompt.version", c->prompt_version[0] ? c->prompt_version : NULL);
    attr_s(&root, "llmops.task_fingerprint", c->fingerprint[0] ? c->fingerprint : NULL);
    attr_s(&root, "llmops.model", c->model_name);
    attr_s(&root, "gen_ai.response.model", c->model);
    attr_s(&root, "gen_ai.provider.name", c->provider_type);
    attr_s(&root, "llmops.user", c->user);
    attr_s(&root, "llmops.session", c->session);
    attr_s(&root, "llmops.tenant", c->tenant);
    attr_i(&root, "llmops.turns", c->turns);
    attr_i(&root, "llmops.reasks", c->reasks);
    attr_i(&root, "llmops.tool_calls", (int64_t)c->ntools);
    if (c->has_usage)
        attr_usage(&root, &c->usage);
    if (c->turns && !c->unpriced)
        attr_d(&root, "llmops.cost_usd", c->cost_usd);
    span_end(&root, st, llmops_call_error(c), &h);
    return st;
}

/* ---- results -------------------------------------------------------------- */

llmops_status llmops_call_status(const llmops_call *c)
{
    return c ? c->status : LLMOPS_E_INVALID_ARGUMENT;
}

const char *llmops_call_error(const llmops_call *c)
{
    return c && c->error.data && c->status != LLMOPS_OK ? c->error.data : "";
}

const char *llmops_call_output_text(const llmops_call *c, size_t *len)
{
    if (len)
        *len = c && c->output.data ? c->output.len : 0;
    return c && c->output.data ? c->output.data : "";
}

const llmops_json *llmops_call_output_json(const llmops_call *c)
{
    return c && c->output_json ? llmops_json_doc_root(c->output_json) : NULL;
}

const llmops_response *llmops_call_response(const llmops_call *c)
{
    return c && c->turns ? c->resp : NULL;
}

llmops_status llmops_call_usage(const llmops_call *c, llmops_usage *out)
{
    if (!c || !out || out->version < 1)
        return LLMOPS_E_INVALID_ARGUMENT;
    unsigned v = out->version;
    *out = c->usage;
    out->version = v;
    return c->has_usage ? LLMOPS_OK : LLMOPS_E_NOT_FOUND;
}

llmops_status llmops_call_cost(const llmops_call *c, double *usd)
{
    if (!c || !usd)
        return LLMOPS_E_INVALID_ARGUMENT;
    *usd = 0;
    if (!c->turns || c->unpriced)
        return LLMOPS_E_NOT_FOUND;
    *usd = c->cost_usd;
    return LLMOPS_OK;
}

const char *llmops_call_model(const llmops_call *c)
{
    return c ? c->model : NULL;
}

const char *llmops_call_model_name(const llmops_call *c)
{
    return c ? c->model_name : NULL;
}

unsigned llmops_call_turn_count(const llmops_call *c)
{
    return c ? c->turns : 0;
}

const char *llmops_call_prompt_name(const llmops_call *c)
{
    return c ? c->prompt_name : NULL;
}

const char *llmops_call_prompt_version(const llmops_call *c)
{
    return c && c->prompt_version[0] ? c->prompt_version : NULL;
}

const char *llmops_call_task_fingerprint(const llmops_call *c)
{
    return c && c->fingerprint[0] ? c->fingerprint : NULL;
}

const char *llmops_call_trace_id(const llmops_call *c)
{
    return c && c->trace_id[0] ? c->trace_id : NULL;
}

const char *llmops_call_span_id(const llmops_call *c)
{
    return c && c->span_id[0] ? c->span_id : NULL;
}

unsigned llmops_call_reask_count(const llmops_call *c)
{
    return c ? c->reasks : 0;
}

size_t llmops_call_violation_count(const llmops_call *c)
{
    return c ? c->nviolations : 0;
}

const char *llmops_call_violation(const llmops_call *c, size_t i)
{
    return c && i < c->nviolations ? c->violations[i] : NULL;
}

size_t llmops_call_tool_count(const llmops_call *c)
{
    return c ? c->ntools : 0;
}

llmops_status llmops_call_tool(const llmops_call *c, size_t i, llmops_tool_record *out)
{
    if (!c || !out || out->version < 1)
        return LLMOPS_E_INVALID_ARGUMENT;
    if (i >= c->ntools)
        return LLMOPS_E_NOT_FOUND;
    const tool_rec *r = &c->tools[i];
    out->id = r->id;
    out->name = r->name;
    out->arguments = r->arguments;
    out->result = r->result;
    out->status = r->status;
    out->duration_ns = r->duration_ns;
    return LLMOPS_OK;
}
