/* The response object: what a provider answered, or why it failed, plus the
 * call's measurements and attempts. Wire formats fill it through the
 * internal helpers; hosts read it through the accessors. */
#include "provider/response.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "json/utf8.h"

static const char *buf_str(const llmops__buf *b, size_t *len)
{
    if (len)
        *len = b->data && !b->failed ? b->len : 0;
    return b->data && !b->failed ? b->data : "";
}

llmops_status llmops_response_new(llmops_response **out)
{
    if (!out)
        return LLMOPS_E_INVALID_ARGUMENT;
    *out = llmops__calloc(1, sizeof **out);
    return *out ? LLMOPS_OK : LLMOPS_E_NO_MEMORY;
}

static void free_calls(llmops_response *r)
{
    for (size_t i = 0; i < r->ncalls; i++) {
        llmops__free(r->calls[i].id);
        llmops__free(r->calls[i].name);
        llmops__buf_free(&r->calls[i].args);
    }
    r->ncalls = 0;
}

static void free_labels(llmops_response *r)
{
    for (size_t i = 0; i < r->nlabels; i++)
        llmops__free(r->labels[i].label);
    r->nlabels = 0;
}

static void free_attempts(llmops_response *r)
{
    for (size_t i = 0; i < r->nattempts; i++) {
        llmops__free(r->attempts[i].target);
        llmops__free(r->attempts[i].model);
    }
    r->nattempts = 0;
}

static void set_str(char **slot, char *value)
{
    llmops__free(*slot);
    *slot = value;
}

void llmops__response_clear_for_attempt(llmops_response *r)
{
    r->status = LLMOPS_OK;
    llmops__buf_clear(&r->error);
    r->error.failed = 0;
    set_str(&r->error_code, NULL);
    r->retry_after_ms = 0;
    llmops__buf_clear(&r->text);
    r->text.failed = 0;
    llmops__buf_clear(&r->reasoning);
    r->reasoning.failed = 0;
    free_calls(r);
    r->finish = LLMOPS_FINISH_UNKNOWN;
    set_str(&r->finish_raw, NULL);
    r->has_usage = 0;
    memset(&r->usage, 0, sizeof r->usage);
    set_str(&r->model, NULL);
    set_str(&r->request_id, NULL);
    set_str(&r->provider, NULL);
    r->http_status = 0;
    llmops__buf_clear(&r->raw);
    r->raw.failed = 0;
    r->ttft_ns = 0;
    r->nfloats = 0;
    r->nvectors = 0;
    free_labels(r);
}

void llmops_response_reset(llmops_response *r)
{
    if (!r)
        return;
    llmops__response_clear_for_attempt(r);
    free_attempts(r);
    r->keep_raw = 0;
    r->start_ns = 0;
    r->latency_ns = 0;
}

void llmops_response_free(llmops_response *r)
{
    if (!r)
        return;
    llmops_response_reset(r);
    llmops__buf_free(&r->error);
    llmops__buf_free(&r->text);
    llmops__buf_free(&r->reasoning);
    llmops__buf_free(&r->raw);
    llmops__free(r->calls);
    llmops__free(r->vectors);
    llmops__free(r->offsets);
    llmops__free(r->labels);
    llmops__free(r->attempts);
    llmops__free(r);
}

/* ---- reading ------------------------------------------------------------ */

llmops_status llmops_response_status(const llmops_response *r)
{
    return r ? r->status : LLMOPS_E_INVALID_ARGUMENT;
}

const char *llmops_response_error(const llmops_response *r)
{
    return r ? buf_str(&r->error, NULL) : "";
}

const char *llmops_response_error_code(const llmops_response *r)
{
    return r ? r->error_code : NULL;
}

uint64_t llmops_response_retry_after_ms(const llmops_response *r)
{
    return r ? r->retry_after_ms : 0;
}

const char *llmops_response_text(const llmops_response *r, size_t *len)
{
    if (!r) {
        if (len)
            *len = 0;
        return "";
    }
    return buf_str(&r->text, len);
}

const char *llmops_response_reasoning(const llmops_response *r, size_t *len)
{
    if (!r) {
        if (len)
            *len = 0;
        return "";
    }
    return buf_str(&r->reasoning, len);
}

size_t llmops_response_tool_call_count(const llmops_response *r)
{
    return r ? r->ncalls : 0;
}

const char *llmops_response_tool_call_id(const llmops_response *r, size_t i)
{
    return r && i < r->ncalls ? r->calls[i].id : NULL;
}

const char *llmops_response_tool_call_name(const llmops_response *r, size_t i)
{
    return r && i < r->ncalls ? r->calls[i].name : NULL;
}

const char *llmops_response_tool_call_arguments(const llmops_response *r, size_t i)
{
    if (!r || i >= r->ncalls)
        return NULL;
    const llmops__buf *b = &r->calls[i].args;
    return b->data && b->len && !b->failed ? b->data : "{}";
}

llmops_finish_reason llmops_response_finish_reason(const llmops_response *r)
{
    return r ? r->finish : LLMOPS_FINISH_UNKNOWN;
}

const char *llmops_response_finish_reason_raw(const llmops_response *r)
{
    return r ? r->finish_raw : NULL;
}

llmops_status llmops_response_usage(const llmops_response *r, llmops_usage *out)
{
    if (!r || !out || out->version < 1)
        return LLMOPS_E_INVALID_ARGUMENT;
    unsigned v = out->version;
    if (!r->has_usage) {
        memset(out, 0, sizeof *out);
        out->version = v;
        return LLMOPS_E_NOT_FOUND;
    }
    /* Version 1 is the whole struct today; later versions append. */
    *out = r->usage;
    out->version = v;
    return LLMOPS_OK;
}

const char *llmops_response_model(const llmops_response *r)
{
    return r ? r->model : NULL;
}

const char *llmops_response_request_id(const llmops_response *r)
{
    return r ? r->request_id : NULL;
}

const char *llmops_response_provider(const llmops_response *r)
{
    return r ? r->provider : NULL;
}

int llmops_response_http_status(const llmops_response *r)
{
    return r ? r->http_status : 0;
}

const char *llmops_response_raw(const llmops_response *r, size_t *len)
{
    if (!r || !r->raw.data || r->raw.failed) {
        if (len)
            *len = 0;
        return NULL;
    }
    if (len)
        *len = r->raw.len;
    return r->raw.data;
}

uint64_t llmops_response_ttft_ns(const llmops_response *r)
{
    return r ? r->ttft_ns : 0;
}

uint64_t llmops_response_latency_ns(const llmops_response *r)
{
    return r ? r->latency_ns : 0;
}

size_t llmops_response_embedding_count(const llmops_response *r)
{
    return r ? r->nvectors : 0;
}

const float *llmops_response_embedding(const llmops_response *r, size_t i, size_t *dims)
{
    if (!r || i >= r->nvectors) {
        if (dims)
            *dims = 0;
        return NULL;
    }
    if (dims)
        *dims = r->offsets[i + 1] - r->offsets[i];
    return r->vectors + r->offsets[i];
}

size_t llmops_response_label_count(const llmops_response *r)
{
    return r ? r->nlabels : 0;
}

const char *llmops_response_label(const llmops_response *r, size_t i, double *score)
{
    if (!r || i >= r->nlabels) {
        if (score)
            *score = 0.0;
        return NULL;
    }
    if (score)
        *score = r->labels[i].score;
    return r->labels[i].label;
}

size_t llmops_response_attempt_count(const llmops_response *r)
{
    return r ? r->nattempts : 0;
}

llmops_status llmops_response_attempt(const llmops_response *r, size_t i, llmops_attempt *out)
{
    if (!r || !out || out->version < 1)
        return LLMOPS_E_INVALID_ARGUMENT;
    if (i >= r->nattempts)
        return LLMOPS_E_NOT_FOUND;
    const llmops__attempt_rec *a = &r->attempts[i];
    out->target = a->target;
    out->model = a->model;
    out->status = a->status;
    out->http_status = a->http_status;
    out->latency_ns = a->latency_ns;
    out->retry_after_ms = a->retry_after_ms;
    return LLMOPS_OK;
}

/* ---- filling (public) --------------------------------------------------- */

static llmops_status set_buf_utf8(llmops__buf *b, const char *text, size_t len)
{
    if (!text && len)
        return LLMOPS_E_INVALID_ARGUMENT;
    if (len == SIZE_MAX)
        len = strlen(text);
    if (text && llmops__utf8_check(text, len) != len)
        return LLMOPS_E_INVALID_ARGUMENT;
    llmops__buf_clear(b);
    b->failed = 0;
    llmops__buf_append(b, text ? text : "", len);
    if (!b->data)
        llmops__buf_reserve(b, 1);
    return b->failed ? LLMOPS_E_NO_MEMORY : LLMOPS_OK;
}

llmops_status llmops_response_set_text(llmops_response *r, const char *text, size_t len)
{
    return r ? set_buf_utf8(&r->text, text, len) : LLMOPS_E_INVALID_ARGUMENT;
}

llmops_status llmops_response_set_reasoning(llmops_response *r, const char *text, size_t len)
{
    return r ? set_buf_utf8(&r->reasoning, text, len) : LLMOPS_E_INVALID_ARGUMENT;
}

llmops_status llmops_response_add_tool_call(llmops_response *r, const char *id,
                                            const char *name, const char *arguments_json)
{
    if (!r || !name || !*name)
        return LLMOPS_E_INVALID_ARGUMENT;
    const char *args = arguments_json ? arguments_json : "{}";
    llmops_json_doc *doc = NULL;
    llmops_status st = llmops_json_parse(&doc, args, strlen(args), NULL, NULL);
    llmops_json_doc_free(doc);
    if (st != LLMOPS_OK)
        return st == LLMOPS_E_NO_MEMORY ? st : LLMOPS_E_PARSE;
    return llmops__response_tool_call_fragment(r, r->ncalls, id, id ? strlen(id) : 0, name,
                                               strlen(name), args, strlen(args));
}

llmops_status llmops_response_set_finish_reason(llmops_response *r, llmops_finish_reason reason,
                                                const char *raw)
{
    if (!r || reason < LLMOPS_FINISH_UNKNOWN || reason > LLMOPS_FINISH_OTHER)
        return LLMOPS_E_INVALID_ARGUMENT;
    r->finish = reason;
    return raw ? llmops__response_set_finish_raw_n(r, raw, strlen(raw))
               : (set_str(&r->finish_raw, NULL), LLMOPS_OK);
}

llmops_status llmops_response_set_usage(llmops_response *r, const llmops_usage *u)
{
    if (!r || !u || u->version < 1)
        return LLMOPS_E_INVALID_ARGUMENT;
    r->usage = *u;
    r->usage.version = LLMOPS_USAGE_VERSION;
    r->has_usage = 1;
    return LLMOPS_OK;
}

static llmops_status set_str_n(char **slot, const char *s, size_t len)
{
    char *c = llmops__strndup(s, len);
    if (!c)
        return LLMOPS_E_NO_MEMORY;
    set_str(slot, c);
    return LLMOPS_OK;
}

llmops_status llmops_response_set_model(llmops_response *r, const char *model)
{
    if (!r)
        return LLMOPS_E_INVALID_ARGUMENT;
    if (!model) {
        set_str(&r->model, NULL);
        return LLMOPS_OK;
    }
    return set_str_n(&r->model, model, strlen(model));
}

llmops_status llmops_response_set_request_id(llmops_response *r, const char *id)
{
    if (!r)
        return LLMOPS_E_INVALID_ARGUMENT;
    if (!id) {
        set_str(&r->request_id, NULL);
        return LLMOPS_OK;
    }
    return set_str_n(&r->request_id, id, strlen(id));
}

llmops_status llmops_response_add_embedding(llmops_response *r, const float *vector, size_t dims)
{
    if (!r || (!vector && dims))
        return LLMOPS_E_INVALID_ARGUMENT;
    if (llmops__grow_array((void **)&r->vectors, &r->cap_floats, r->nfloats + dims, sizeof *r->vectors) ||
        llmops__grow_array((void **)&r->offsets, &r->cap_offsets, r->nvectors + 2, sizeof *r->offsets))
        return LLMOPS_E_NO_MEMORY;
    if (dims)
        memcpy(r->vectors + r->nfloats, vector, dims * sizeof *vector);
    r->offsets[r->nvectors] = r->nfloats;
    r->nfloats += dims;
    r->nvectors++;
    r->offsets[r->nvectors] = r->nfloats;
    return LLMOPS_OK;
}

llmops_status llmops_response_add_label(llmops_response *r, const char *label, double score)
{
    if (!r || !label || !*label || !(score >= 0.0 && score <= 1.0))
        return LLMOPS_E_INVALID_ARGUMENT;
    if (llmops__grow_array((void **)&r->labels, &r->cap_labels, r->nlabels + 1, sizeof *r->labels))
        return LLMOPS_E_NO_MEMORY;
    char *c = llmops__strdup(label);
    if (!c)
        return LLMOPS_E_NO_MEMORY;
    /* Insertion keeps the list sorted best first; equal scores keep the
     * order they were added in. Label sets are small. */
    size_t at = r->nlabels;
    while (at > 0 && r->labels[at - 1].score < score)
        at--;
    memmove(&r->labels[at + 1], &r->labels[at], (r->nlabels - at) * sizeof *r->labels);
    r->labels[at].label = c;
    r->labels[at].score = score;
    r->nlabels++;
    return LLMOPS_OK;
}

llmops_status llmops_response_set_retry_after_ms(llmops_response *r, uint64_t ms)
{
    if (!r)
        return LLMOPS_E_INVALID_ARGUMENT;
    r->retry_after_ms = ms;
    return LLMOPS_OK;
}

llmops_status llmops_response_set_error(llmops_response *r, llmops_status status,
                                        const char *message)
{
    if (!r || status == LLMOPS_OK)
        return LLMOPS_E_INVALID_ARGUMENT;
    llmops__response_fail(r, status, "%s", message ? message : llmops_status_str(status));
    return LLMOPS_OK;
}

/* ---- filling (internal) ------------------------------------------------- */

llmops_status llmops__response_append_text(llmops_response *r, const char *s, size_t len)
{
    llmops__buf_append(&r->text, s, len);
    return r->text.failed ? LLMOPS_E_NO_MEMORY : LLMOPS_OK;
}

llmops_status llmops__response_append_reasoning(llmops_response *r, const char *s, size_t len)
{
    llmops__buf_append(&r->reasoning, s, len);
    return r->reasoning.failed ? LLMOPS_E_NO_MEMORY : LLMOPS_OK;
}

llmops_status llmops__response_tool_call_fragment(llmops_response *r, size_t index,
                                                  const char *id, size_t id_len,
                                                  const char *name, size_t name_len,
                                                  const char *frag, size_t frag_len)
{
    /* Indexes come from the wire; a provider that skips ahead gets the
     * calls in between created empty rather than a crash, but a wild index
     * is malformed input, not an allocation request. */
    if (index > r->ncalls + 64)
        return LLMOPS_E_MALFORMED_RESPONSE;
    if (index >= r->ncalls) {
        if (llmops__grow_array((void **)&r->calls, &r->cap_calls, index + 1, sizeof *r->calls))
            return LLMOPS_E_NO_MEMORY;
        for (size_t i = r->ncalls; i <= index; i++)
            memset(&r->calls[i], 0, sizeof r->calls[i]);
        r->ncalls = index + 1;
    }
    llmops__resp_tool_call *c = &r->calls[index];
    if (id && id_len && !c->id && !(c->id = llmops__strndup(id, id_len)))
        return LLMOPS_E_NO_MEMORY;
    if (name && name_len && !c->name && !(c->name = llmops__strndup(name, name_len)))
        return LLMOPS_E_NO_MEMORY;
    if (frag_len) {
        llmops__buf_append(&c->args, frag, frag_len);
        if (c->args.failed)
            return LLMOPS_E_NO_MEMORY;
    }
    return LLMOPS_OK;
}

llmops_status llmops__response_fail(llmops_response *r, llmops_status status, const char *fmt,
                                    ...)
{
    r->status = status;
    llmops__buf_clear(&r->error);
    r->error.failed = 0;
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    if ((size_t)n < sizeof tmp) {
        llmops__buf_append(&r->error, tmp, (size_t)n);
    } else if (llmops__buf_reserve(&r->error, (size_t)n + 1) == 0) {
        va_start(ap, fmt);
        vsnprintf(r->error.data, (size_t)n + 1, fmt, ap);
        va_end(ap);
        r->error.len = (size_t)n;
    }
    return status;
}

llmops_status llmops__response_set_model_n(llmops_response *r, const char *s, size_t len)
{
    return set_str_n(&r->model, s, len);
}

llmops_status llmops__response_set_request_id_n(llmops_response *r, const char *s, size_t len)
{
    return set_str_n(&r->request_id, s, len);
}

llmops_status llmops__response_set_error_code_n(llmops_response *r, const char *s, size_t len)
{
    return set_str_n(&r->error_code, s, len);
}

llmops_status llmops__response_set_finish_raw_n(llmops_response *r, const char *s, size_t len)
{
    return set_str_n(&r->finish_raw, s, len);
}

llmops_status llmops__response_set_provider(llmops_response *r, const char *name)
{
    if (!name) {
        set_str(&r->provider, NULL);
        return LLMOPS_OK;
    }
    return set_str_n(&r->provider, name, strlen(name));
}

llmops_status llmops__response_add_attempt(llmops_response *r, const char *target,
                                           const char *model, llmops_status status,
                                           int http_status, uint64_t latency_ns,
                                           uint64_t retry_after_ms)
{
    if (llmops__grow_array((void **)&r->attempts, &r->cap_attempts, r->nattempts + 1, sizeof *r->attempts))
        return LLMOPS_E_NO_MEMORY;
    llmops__attempt_rec *a = &r->attempts[r->nattempts];
    a->target = target ? llmops__strdup(target) : NULL;
    a->model = model ? llmops__strdup(model) : NULL;
    if ((target && !a->target) || (model && !a->model)) {
        llmops__free(a->target);
        llmops__free(a->model);
        return LLMOPS_E_NO_MEMORY;
    }
    a->status = status;
    a->http_status = http_status;
    a->latency_ns = latency_ns;
    a->retry_after_ms = retry_after_ms;
    r->nattempts++;
    return LLMOPS_OK;
}

void llmops__response_finalize(llmops_response *r)
{
    for (size_t i = 0; i < r->ncalls; i++) {
        llmops__buf *b = &r->calls[i].args;
        if (!b->len && !b->failed)
            llmops__buf_puts(b, "{}");
    }
    /* Readers get "" rather than NULL for an empty answer. */
    if (!r->text.data)
        llmops__buf_reserve(&r->text, 1);
    int failed = r->text.failed || r->reasoning.failed;
    for (size_t i = 0; i < r->ncalls; i++)
        failed |= r->calls[i].args.failed;
    if (failed && r->status == LLMOPS_OK)
        llmops__response_fail(r, LLMOPS_E_NO_MEMORY, "out of memory assembling the answer");
}
