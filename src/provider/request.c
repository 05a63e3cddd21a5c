/* The request object: what a host asks a provider. Setters validate and
 * copy their input so wire formats can trust what they read (UTF-8 text,
 * JSON that parses, sane parameter ranges). */
#include "provider/request.h"

#include <string.h>

#include "core/alloc.h"
#include "json/utf8.h"

#define MAX_STOPS 16

static size_t text_len(const char *text, size_t len)
{
    return len == SIZE_MAX ? strlen(text) : len;
}

static llmops_status check_utf8(const char *text, size_t len)
{
    return llmops__utf8_check(text, len) == len ? LLMOPS_OK : LLMOPS_E_INVALID_ARGUMENT;
}

static llmops_status text_set(llmops__text *t, const char *text, size_t len)
{
    t->data = llmops__strndup(text ? text : "", len);
    t->len = t->data ? len : 0;
    return t->data ? LLMOPS_OK : LLMOPS_E_NO_MEMORY;
}

static void message_free(llmops__message *m)
{
    for (size_t i = 0; i < m->nparts; i++)
        llmops__free(m->parts[i].data);
    llmops__free(m->parts);
    llmops__free(m->tool_call_id);
    llmops__free(m->tool_name);
    for (size_t i = 0; i < m->ncalls; i++) {
        llmops__free(m->calls[i].id);
        llmops__free(m->calls[i].name);
        llmops__free(m->calls[i].arguments);
    }
    llmops__free(m->calls);
}

llmops_status llmops_request_new(llmops_request **out)
{
    if (!out)
        return LLMOPS_E_INVALID_ARGUMENT;
    *out = llmops__calloc(1, sizeof **out);
    return *out ? LLMOPS_OK : LLMOPS_E_NO_MEMORY;
}

void llmops_request_free(llmops_request *r)
{
    if (!r)
        return;
    llmops__free(r->model);
    for (size_t i = 0; i < r->nmessages; i++)
        message_free(&r->messages[i]);
    llmops__free(r->messages);
    for (size_t i = 0; i < r->nstops; i++)
        llmops__free(r->stops[i]);
    llmops__free(r->stops);
    for (size_t i = 0; i < r->ntools; i++) {
        llmops__free(r->tools[i].name);
        llmops__free(r->tools[i].description);
        llmops_json_doc_free(r->tools[i].parameters);
    }
    llmops__free(r->tools);
    llmops__free(r->tool_choice_name);
    llmops__free(r->schema_name);
    llmops_json_doc_free(r->schema);
    for (size_t i = 0; i < r->nmetadata; i++) {
        llmops__free(r->metadata[i].key);
        llmops__free(r->metadata[i].value);
    }
    llmops__free(r->metadata);
    for (size_t i = 0; i < r->nlabels; i++)
        llmops__free(r->labels[i]);
    llmops__free(r->labels);
    for (size_t i = 0; i < r->ninputs; i++)
        llmops__free(r->inputs[i].data);
    llmops__free(r->inputs);
    llmops_cancel_free(r->cancel);
    llmops__free(r);
}

static llmops_status replace_str(char **slot, const char *s)
{
    char *copy = NULL;
    if (s && !(copy = llmops__strdup(s)))
        return LLMOPS_E_NO_MEMORY;
    llmops__free(*slot);
    *slot = copy;
    return LLMOPS_OK;
}

llmops_status llmops_request_set_model(llmops_request *r, const char *model)
{
    if (!r || (model && !*model))
        return LLMOPS_E_INVALID_ARGUMENT;
    return replace_str(&r->model, model);
}

llmops_status llmops_request_add_message(llmops_request *r, llmops_role role, const char *text,
                                         size_t len)
{
    if (!r || (!text && len) || role < LLMOPS_ROLE_SYSTEM || role > LLMOPS_ROLE_ASSISTANT)
        return LLMOPS_E_INVALID_ARGUMENT;
    len = text ? text_len(text, len) : 0;
    if (text && check_utf8(text, len) != LLMOPS_OK)
        return LLMOPS_E_INVALID_ARGUMENT;
    if (llmops__grow_array((void **)&r->messages, &r->cap_messages, r->nmessages + 1, sizeof *r->messages))
        return LLMOPS_E_NO_MEMORY;
    llmops__message *m = &r->messages[r->nmessages];
    memset(m, 0, sizeof *m);
    m->role = role;
    m->parts = llmops__calloc(1, sizeof *m->parts);
    if (!m->parts || text_set(&m->parts[0], text, len) != LLMOPS_OK) {
        llmops__free(m->parts);
        memset(m, 0, sizeof *m);
        return LLMOPS_E_NO_MEMORY;
    }
    m->nparts = m->cap_parts = 1;
    r->nmessages++;
    return LLMOPS_OK;
}

llmops_status llmops_request_add_text_part(llmops_request *r, const char *text, size_t len)
{
    if (!r || !text || !r->nmessages)
        return LLMOPS_E_INVALID_ARGUMENT;
    len = text_len(text, len);
    if (check_utf8(text, len) != LLMOPS_OK)
        return LLMOPS_E_INVALID_ARGUMENT;
    llmops__message *m = &r->messages[r->nmessages - 1];
    if (llmops__grow_array((void **)&m->parts, &m->cap_parts, m->nparts + 1, sizeof *m->parts))
        return LLMOPS_E_NO_MEMORY;
    if (text_set(&m->parts[m->nparts], text, len) != LLMOPS_OK)
        return LLMOPS_E_NO_MEMORY;
    m->nparts++;
    return LLMOPS_OK;
}

/* Validates that `json` parses to a value of type `want` (or any type when
 * want < 0). */
static llmops_status check_json(const char *json, int want)
{
    llmops_json_doc *doc = NULL;
    llmops_status st = llmops_json_parse(&doc, json, strlen(json), NULL, NULL);
    if (st != LLMOPS_OK)
        return st == LLMOPS_E_NO_MEMORY ? st : LLMOPS_E_PARSE;
    int ok = want < 0 || llmops_json_type_of(llmops_json_doc_root(doc)) == (llmops_json_type)want;
    llmops_json_doc_free(doc);
    return ok ? LLMOPS_OK : LLMOPS_E_TYPE;
}

llmops_status llmops_request_add_tool_call(llmops_request *r, const char *id, const char *name,
                                           const char *arguments_json)
{
    if (!r || !name || !*name || !r->nmessages ||
        r->messages[r->nmessages - 1].role != LLMOPS_ROLE_ASSISTANT)
        return LLMOPS_E_INVALID_ARGUMENT;
    const char *args = arguments_json ? arguments_json : "{}";
    llmops_status st = check_json(args, LLMOPS_JSON_OBJECT);
    if (st != LLMOPS_OK)
        return st;
    llmops__message *m = &r->messages[r->nmessages - 1];
    if (llmops__grow_array((void **)&m->calls, &m->cap_calls, m->ncalls + 1, sizeof *m->calls))
        return LLMOPS_E_NO_MEMORY;
    llmops__req_tool_call *c = &m->calls[m->ncalls];
    c->id = llmops__strdup(id ? id : "");
    c->name = llmops__strdup(name);
    c->arguments = llmops__strdup(args);
    if (!c->id || !c->name || !c->arguments) {
        llmops__free(c->id);
        llmops__free(c->name);
        llmops__free(c->arguments);
        memset(c, 0, sizeof *c);
        return LLMOPS_E_NO_MEMORY;
    }
    m->ncalls++;
    return LLMOPS_OK;
}

llmops_status llmops_request_add_tool_result(llmops_request *r, const char *tool_call_id,
                                             const char *name, const char *content, size_t len)
{
    if (!r || !tool_call_id || (!content && len))
        return LLMOPS_E_INVALID_ARGUMENT;
    len = content ? text_len(content, len) : 0;
    if (content && check_utf8(content, len) != LLMOPS_OK)
        return LLMOPS_E_INVALID_ARGUMENT;
    char *id = llmops__strdup(tool_call_id);
    char *nm = name ? llmops__strdup(name) : NULL;
    if (!id || (name && !nm)) {
        llmops__free(id);
        llmops__free(nm);
        return LLMOPS_E_NO_MEMORY;
    }
    /* Reuse add_message for the part, then retag it as a tool message. */
    llmops_status st = llmops_request_add_message(r, LLMOPS_ROLE_USER, content ? content : "",
                                                  len);
    if (st != LLMOPS_OK) {
        llmops__free(id);
        llmops__free(nm);
        return st;
    }
    llmops__message *m = &r->messages[r->nmessages - 1];
    m->role = LLMOPS_ROLE_TOOL;
    m->tool_call_id = id;
    m->tool_name = nm;
    return LLMOPS_OK;
}

llmops_status llmops_request_set_temperature(llmops_request *r, double t)
{
    if (!r)
        return LLMOPS_E_INVALID_ARGUMENT;
    if (!(t >= 0.0 && t <= 2.0))
        return LLMOPS_E_RANGE;
    r->temperature = t;
    r->has_temperature = 1;
    return LLMOPS_OK;
}

llmops_status llmops_request_set_top_p(llmops_request *r, double p)
{
    if (!r)
        return LLMOPS_E_INVALID_ARGUMENT;
    if (!(p >= 0.0 && p <= 1.0))
        return LLMOPS_E_RANGE;
    r->top_p = p;
    r->has_top_p = 1;
    return LLMOPS_OK;
}

llmops_status llmops_request_set_max_output_tokens(llmops_request *r, int64_t n)
{
    if (!r)
        return LLMOPS_E_INVALID_ARGUMENT;
    if (n < 1)
        return LLMOPS_E_RANGE;
    r->max_output_tokens = n;
    r->has_max_output_tokens = 1;
    return LLMOPS_OK;
}

llmops_status llmops_request_set_seed(llmops_request *r, int64_t seed)
{
    if (!r)
        return LLMOPS_E_INVALID_ARGUMENT;
    r->seed = seed;
    r->has_seed = 1;
    return LLMOPS_OK;
}

llmops_status llmops_request_add_stop(llmops_request *r, const char *stop)
{
    if (!r || !stop || !*stop || check_utf8(stop, strlen(stop)) != LLMOPS_OK)
        return LLMOPS_E_INVALID_ARGUMENT;
    if (r->nstops >= MAX_STOPS)
        return LLMOPS_E_LIMIT;
    if (!r->stops && !(r->stops = llmops__calloc(MAX_STOPS, sizeof *r->stops)))
        return LLMOPS_E_NO_MEMORY;
    if (!(r->stops[r->nstops] = llmops__strdup(stop)))
        return LLMOPS_E_NO_MEMORY;
    r->nstops++;
    return LLMOPS_OK;
}

static llmops_status parse_doc(const char *json, llmops_json_doc **out, int want_object)
{
    *out = NULL;
    llmops_json_doc *doc = NULL;
    llmops_status st = llmops_json_parse(&doc, json, strlen(json), NULL, NULL);
    if (st != LLMOPS_OK)
        return st == LLMOPS_E_NO_MEMORY ? st : LLMOPS_E_PARSE;
    if (want_object && llmops_json_type_of(llmops_json_doc_root(doc)) != LLMOPS_JSON_OBJECT) {
        llmops_json_doc_free(doc);
        return LLMOPS_E_SCHEMA;
    }
    *out = doc;
    return LLMOPS_OK;
}

llmops_status llmops_request_add_tool(llmops_request *r, const char *name,
                                      const char *description, const char *parameters)
{
    if (!r || !name || !*name || check_utf8(name, strlen(name)) != LLMOPS_OK ||
        (description && check_utf8(description, strlen(description)) != LLMOPS_OK))
        return LLMOPS_E_INVALID_ARGUMENT;
    for (size_t i = 0; i < r->ntools; i++)
        if (strcmp(r->tools[i].name, name) == 0)
            return LLMOPS_E_INVALID_ARGUMENT;
    llmops_json_doc *doc = NULL;
    if (parameters) {
        llmops_status st = parse_doc(parameters, &doc, 1);
        if (st != LLMOPS_OK)
            return st;
    }
    if (llmops__grow_array((void **)&r->tools, &r->cap_tools, r->ntools + 1, sizeof *r->tools)) {
        llmops_json_doc_free(doc);
        return LLMOPS_E_NO_MEMORY;
    }
    llmops__tool *t = &r->tools[r->ntools];
    t->name = llmops__strdup(name);
    t->description = description ? llmops__strdup(description) : NULL;
    t->parameters = doc;
    if (!t->name || (description && !t->description)) {
        llmops__free(t->name);
        llmops__free(t->description);
        llmops_json_doc_free(doc);
        memset(t, 0, sizeof *t);
        return LLMOPS_E_NO_MEMORY;
    }
    r->ntools++;
    return LLMOPS_OK;
}

llmops_status llmops_request_set_tool_choice(llmops_request *r, llmops_tool_choice choice,
                                             const char *name)
{
    if (!r || choice < LLMOPS_TOOL_CHOICE_AUTO || choice > LLMOPS_TOOL_CHOICE_NAMED ||
        (choice == LLMOPS_TOOL_CHOICE_NAMED && (!name || !*name)))
        return LLMOPS_E_INVALID_ARGUMENT;
    llmops_status st =
        replace_str(&r->tool_choice_name, choice == LLMOPS_TOOL_CHOICE_NAMED ? name : NULL);
    if (st == LLMOPS_OK)
        r->tool_choice = choice;
    return st;
}

llmops_status llmops_request_set_response_format(llmops_request *r,
                                                 llmops_response_format format,
                                                 const char *name, const char *schema_json)
{
    if (!r || format < LLMOPS_FORMAT_TEXT || format > LLMOPS_FORMAT_JSON_SCHEMA)
        return LLMOPS_E_INVALID_ARGUMENT;
    llmops_json_doc *doc = NULL;
    char *nm = NULL;
    if (format == LLMOPS_FORMAT_JSON_SCHEMA) {
        if (!schema_json)
            return LLMOPS_E_INVALID_ARGUMENT;
        llmops_status st = parse_doc(schema_json, &doc, 1);
        if (st != LLMOPS_OK)
            return st;
        if (!(nm = llmops__strdup(name && *name ? name : "response"))) {
            llmops_json_doc_free(doc);
            return LLMOPS_E_NO_MEMORY;
        }
    }
    llmops_json_doc_free(r->schema);
    llmops__free(r->schema_name);
    r->schema = doc;
    r->schema_name = nm;
    r->format = format;
    return LLMOPS_OK;
}

llmops_status llmops_request_set_timeout_ms(llmops_request *r, uint64_t ms)
{
    if (!r)
        return LLMOPS_E_INVALID_ARGUMENT;
    r->timeout_ms = ms;
    return LLMOPS_OK;
}

llmops_status llmops_request_set_metadata(llmops_request *r, const char *key, const char *value)
{
    if (!r || !key || !*key || !value || check_utf8(key, strlen(key)) != LLMOPS_OK ||
        check_utf8(value, strlen(value)) != LLMOPS_OK)
        return LLMOPS_E_INVALID_ARGUMENT;
    for (size_t i = 0; i < r->nmetadata; i++)
        if (strcmp(r->metadata[i].key, key) == 0)
            return replace_str(&r->metadata[i].value, value);
    if (llmops__grow_array((void **)&r->metadata, &r->cap_metadata, r->nmetadata + 1, sizeof *r->metadata))
        return LLMOPS_E_NO_MEMORY;
    llmops__kv *kv = &r->metadata[r->nmetadata];
    kv->key = llmops__strdup(key);
    kv->value = llmops__strdup(value);
    if (!kv->key || !kv->value) {
        llmops__free(kv->key);
        llmops__free(kv->value);
        memset(kv, 0, sizeof *kv);
        return LLMOPS_E_NO_MEMORY;
    }
    r->nmetadata++;
    return LLMOPS_OK;
}

llmops_status llmops_request_add_label(llmops_request *r, const char *label)
{
    if (!r || !label || !*label || check_utf8(label, strlen(label)) != LLMOPS_OK)
        return LLMOPS_E_INVALID_ARGUMENT;
    for (size_t i = 0; i < r->nlabels; i++)
        if (strcmp(r->labels[i], label) == 0)
            return LLMOPS_E_INVALID_ARGUMENT;
    if (llmops__grow_array((void **)&r->labels, &r->cap_labels, r->nlabels + 1, sizeof *r->labels))
        return LLMOPS_E_NO_MEMORY;
    if (!(r->labels[r->nlabels] = llmops__strdup(label)))
        return LLMOPS_E_NO_MEMORY;
    r->nlabels++;
    return LLMOPS_OK;
}

llmops_status llmops_request_add_input(llmops_request *r, const char *text, size_t len)
{
    if (!r || !text)
        return LLMOPS_E_INVALID_ARGUMENT;
    len = text_len(text, len);
    if (check_utf8(text, len) != LLMOPS_OK)
        return LLMOPS_E_INVALID_ARGUMENT;
    if (llmops__grow_array((void **)&r->inputs, &r->cap_inputs, r->ninputs + 1, sizeof *r->inputs))
        return LLMOPS_E_NO_MEMORY;
    if (text_set(&r->inputs[r->ninputs], text, len) != LLMOPS_OK)
        return LLMOPS_E_NO_MEMORY;
    r->ninputs++;
    return LLMOPS_OK;
}

llmops_status llmops_request_set_dimensions(llmops_request *r, uint32_t dims)
{
    if (!r)
        return LLMOPS_E_INVALID_ARGUMENT;
    r->dimensions = dims;
    return LLMOPS_OK;
}

llmops_status llmops_request_set_embed_encoding(llmops_request *r, llmops_embed_encoding enc)
{
    if (!r || (enc != LLMOPS_EMBED_FLOAT && enc != LLMOPS_EMBED_BASE64))
        return LLMOPS_E_INVALID_ARGUMENT;
    r->embed_encoding = enc;
    return LLMOPS_OK;
}

llmops_status llmops_request_set_keep_raw(llmops_request *r, int keep)
{
    if (!r)
        return LLMOPS_E_INVALID_ARGUMENT;
    r->keep_raw = keep != 0;
    return LLMOPS_OK;
}

llmops_status llmops_request_set_cancel(llmops_request *r, llmops_cancel *cancel)
{
    if (!r)
        return LLMOPS_E_INVALID_ARGUMENT;
    llmops__cancel_ref(cancel);
    llmops_cancel_free(r->cancel);
    r->cancel = cancel;
    return LLMOPS_OK;
}

static int lower_hex(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return 1;
}

llmops_status llmops_request_set_traceparent(llmops_request *r, const char *tp)
{
    if (!r)
        return LLMOPS_E_INVALID_ARGUMENT;
    if (!tp) {
        r->traceparent[0] = '\0';
        return LLMOPS_OK;
    }
    /* Exactly version 00: "00-<32 hex>-<16 hex>-<2 hex>". */
    if (strlen(tp) != 55 || tp[2] != '-' || tp[35] != '-' || tp[52] != '-' ||
        !lower_hex(tp, 2) || !lower_hex(tp + 3, 32) || !lower_hex(tp + 36, 16) ||
        !lower_hex(tp + 53, 2) || strncmp(tp, "00", 2) != 0)
        return LLMOPS_E_INVALID_ARGUMENT;
    memcpy(r->traceparent, tp, 56);
    return LLMOPS_OK;
}

/* ---- copy --------------------------------------------------------------- */

static llmops_json_doc *doc_clone(const llmops_json_doc *src, int *failed)
{
    if (!src)
        return NULL;
    llmops_json_doc *doc = NULL;
    if (llmops_json_doc_new(&doc) != LLMOPS_OK) {
        *failed = 1;
        return NULL;
    }
    llmops_json *v = llmops_json_copy(doc, llmops_json_doc_root(src));
    if (!v || llmops_json_doc_set_root(doc, v) != LLMOPS_OK) {
        llmops_json_doc_free(doc);
        *failed = 1;
        return NULL;
    }
    return doc;
}

static char *dup_or_fail(const char *s, int *failed)
{
    if (!s)
        return NULL;
    char *c = llmops__strdup(s);
    if (!c)
        *failed = 1;
    return c;
}

llmops_status llmops_request_copy(llmops_request **out, const llmops_request *src)
{
    if (!out || !src)
        return LLMOPS_E_INVALID_ARGUMENT;
    *out = NULL;
    llmops_request *r = llmops__calloc(1, sizeof *r);
    if (!r)
        return LLMOPS_E_NO_MEMORY;
    int failed = 0;
    /* Scalars first, then every owned pointer is replaced by a copy. */
    r->has_temperature = src->has_temperature;
    r->has_top_p = src->has_top_p;
    r->has_max_output_tokens = src->has_max_output_tokens;
    r->has_seed = src->has_seed;
    r->temperature = src->temperature;
    r->top_p = src->top_p;
    r->max_output_tokens = src->max_output_tokens;
    r->seed = src->seed;
    r->tool_choice = src->tool_choice;
    r->format = src->format;
    r->timeout_ms = src->timeout_ms;
    r->dimensions = src->dimensions;
    r->embed_encoding = src->embed_encoding;
    r->keep_raw = src->keep_raw;
    memcpy(r->traceparent, src->traceparent, sizeof r->traceparent);
    r->cancel = llmops__cancel_ref(src->cancel);
    r->model = dup_or_fail(src->model, &failed);
    r->tool_choice_name = dup_or_fail(src->tool_choice_name, &failed);
    r->schema_name = dup_or_fail(src->schema_name, &failed);
    r->schema = doc_clone(src->schema, &failed);

    if (src->nmessages && !(r->messages = llmops__calloc(src->nmessages, sizeof *r->messages)))
        failed = 1;
    for (size_t i = 0; r->messages && i < src->nmessages && !failed; i++) {
        const llmops__message *sm = &src->messages[i];
        llmops__message *m = &r->messages[i];
        r->nmessages = r->cap_messages = i + 1;
        m->role = sm->role;
        m->tool_call_id = dup_or_fail(sm->tool_call_id, &failed);
        m->tool_name = dup_or_fail(sm->tool_name, &failed);
        if (sm->nparts && !(m->parts = llmops__calloc(sm->nparts, sizeof *m->parts)))
            failed = 1;
        for (size_t j = 0; m->parts && j < sm->nparts && !failed; j++) {
            if (text_set(&m->parts[j], sm->parts[j].data, sm->parts[j].len) != LLMOPS_OK)
                failed = 1;
            else
                m->nparts = m->cap_parts = j + 1;
        }
        if (sm->ncalls && !(m->calls = llmops__calloc(sm->ncalls, sizeof *m->calls)))
            failed = 1;
        for (size_t j = 0; m->calls && j < sm->ncalls && !failed; j++) {
            m->ncalls = m->cap_calls = j + 1;
            m->calls[j].id = dup_or_fail(sm->calls[j].id, &failed);
            m->calls[j].name = dup_or_fail(sm->calls[j].name, &failed);
            m->calls[j].arguments = dup_or_fail(sm->calls[j].arguments, &failed);
        }
    }
    if (src->nstops && !(r->stops = llmops__calloc(MAX_STOPS, sizeof *r->stops)))
        failed = 1;
    for (size_t i = 0; r->stops && i < src->nstops && !failed; i++) {
        r->stops[i] = dup_or_fail(src->stops[i], &failed);
        r->nstops = i + 1;
    }
    if (src->ntools && !(r->tools = llmops__calloc(src->ntools, sizeof *r->tools)))
        failed = 1;
    for (size_t i = 0; r->tools && i < src->ntools && !failed; i++) {
        r->ntools = r->cap_tools = i + 1;
        r->tools[i].name = dup_or_fail(src->tools[i].name, &failed);
        r->tools[i].description = dup_or_fail(src->tools[i].description, &failed);
        r->tools[i].parameters = doc_clone(src->tools[i].parameters, &failed);
    }
    if (src->nmetadata && !(r->metadata = llmops__calloc(src->nmetadata, sizeof *r->metadata)))
        failed = 1;
    for (size_t i = 0; r->metadata && i < src->nmetadata && !failed; i++) {
        r->nmetadata = r->cap_metadata = i + 1;
        r->metadata[i].key = dup_or_fail(src->metadata[i].key, &failed);
        r->metadata[i].value = dup_or_fail(src->metadata[i].value, &failed);
    }
    if (src->nlabels && !(r->labels = llmops__calloc(src->nlabels, sizeof *r->labels)))
        failed = 1;
    for (size_t i = 0; r->labels && i < src->nlabels && !failed; i++) {
        r->nlabels = r->cap_labels = i + 1;
        r->labels[i] = dup_or_fail(src->labels[i], &failed);
    }
    if (src->ninputs && !(r->inputs = llmops__calloc(src->ninputs, sizeof *r->inputs)))
        failed = 1;
    for (size_t i = 0; r->inputs && i < src->ninputs && !failed; i++) {
        if (text_set(&r->inputs[i], src->inputs[i].data, src->inputs[i].len) != LLMOPS_OK)
            failed = 1;
        else
            r->ninputs = r->cap_inputs = i + 1;
    }
    if (failed) {
        llmops_request_free(r);
        return LLMOPS_E_NO_MEMORY;
    }
    *out = r;
    return LLMOPS_OK;
}

/* ---- reading ------------------------------------------------------------ */

const char *llmops_request_model(const llmops_request *r)
{
    return r ? r->model : NULL;
}

size_t llmops_request_message_count(const llmops_request *r)
{
    return r ? r->nmessages : 0;
}

static const llmops__message *msg(const llmops_request *r, size_t i)
{
    return r && i < r->nmessages ? &r->messages[i] : NULL;
}

llmops_role llmops_request_message_role(const llmops_request *r, size_t i)
{
    const llmops__message *m = msg(r, i);
    return m ? m->role : LLMOPS_ROLE_USER;
}

size_t llmops_request_message_part_count(const llmops_request *r, size_t i)
{
    const llmops__message *m = msg(r, i);
    return m ? m->nparts : 0;
}

const char *llmops_request_message_part(const llmops_request *r, size_t i, size_t part,
                                        size_t *len)
{
    const llmops__message *m = msg(r, i);
    if (!m || part >= m->nparts) {
        if (len)
            *len = 0;
        return NULL;
    }
    if (len)
        *len = m->parts[part].len;
    return m->parts[part].data;
}

const char *llmops_request_message_tool_call_id(const llmops_request *r, size_t i)
{
    const llmops__message *m = msg(r, i);
    return m ? m->tool_call_id : NULL;
}

const char *llmops_request_message_tool_name(const llmops_request *r, size_t i)
{
    const llmops__message *m = msg(r, i);
    return m ? m->tool_name : NULL;
}

size_t llmops_request_message_tool_call_count(const llmops_request *r, size_t i)
{
    const llmops__message *m = msg(r, i);
    return m ? m->ncalls : 0;
}

static const llmops__req_tool_call *call_at(const llmops_request *r, size_t i, size_t c)
{
    const llmops__message *m = msg(r, i);
    return m && c < m->ncalls ? &m->calls[c] : NULL;
}

const char *llmops_request_message_tool_call_id_at(const llmops_request *r, size_t i, size_t c)
{
    const llmops__req_tool_call *tc = call_at(r, i, c);
    return tc ? tc->id : NULL;
}

const char *llmops_request_message_tool_call_name(const llmops_request *r, size_t i, size_t c)
{
    const llmops__req_tool_call *tc = call_at(r, i, c);
    return tc ? tc->name : NULL;
}

const char *llmops_request_message_tool_call_arguments(const llmops_request *r, size_t i,
                                                       size_t c)
{
    const llmops__req_tool_call *tc = call_at(r, i, c);
    return tc ? tc->arguments : NULL;
}

int llmops_request_temperature(const llmops_request *r, double *out)
{
    if (!r || !r->has_temperature)
        return 0;
    if (out)
        *out = r->temperature;
    return 1;
}

int llmops_request_top_p(const llmops_request *r, double *out)
{
    if (!r || !r->has_top_p)
        return 0;
    if (out)
        *out = r->top_p;
    return 1;
}

int llmops_request_max_output_tokens(const llmops_request *r, int64_t *out)
{
    if (!r || !r->has_max_output_tokens)
        return 0;
    if (out)
        *out = r->max_output_tokens;
    return 1;
}

int llmops_request_seed(const llmops_request *r, int64_t *out)
{
    if (!r || !r->has_seed)
        return 0;
    if (out)
        *out = r->seed;
    return 1;
}

size_t llmops_request_stop_count(const llmops_request *r)
{
    return r ? r->nstops : 0;
}

const char *llmops_request_stop(const llmops_request *r, size_t i)
{
    return r && i < r->nstops ? r->stops[i] : NULL;
}

size_t llmops_request_tool_count(const llmops_request *r)
{
    return r ? r->ntools : 0;
}

const char *llmops_request_tool_name(const llmops_request *r, size_t i)
{
    return r && i < r->ntools ? r->tools[i].name : NULL;
}

const char *llmops_request_tool_description(const llmops_request *r, size_t i)
{
    return r && i < r->ntools ? r->tools[i].description : NULL;
}

const llmops_json *llmops_request_tool_parameters(const llmops_request *r, size_t i)
{
    if (!r || i >= r->ntools || !r->tools[i].parameters)
        return NULL;
    return llmops_json_doc_root(r->tools[i].parameters);
}

llmops_tool_choice llmops_request_tool_choice(const llmops_request *r, const char **name)
{
    if (name)
        *name = r ? r->tool_choice_name : NULL;
    return r ? r->tool_choice : LLMOPS_TOOL_CHOICE_AUTO;
}

llmops_response_format llmops_request_response_format(const llmops_request *r,
                                                      const char **name,
                                                      const llmops_json **schema)
{
    int js = r && r->format == LLMOPS_FORMAT_JSON_SCHEMA;
    if (name)
        *name = js ? r->schema_name : NULL;
    if (schema)
        *schema = js ? llmops_json_doc_root(r->schema) : NULL;
    return r ? r->format : LLMOPS_FORMAT_TEXT;
}

uint64_t llmops_request_timeout_ms(const llmops_request *r)
{
    return r ? r->timeout_ms : 0;
}

size_t llmops_request_metadata_count(const llmops_request *r)
{
    return r ? r->nmetadata : 0;
}

const char *llmops_request_metadata_key(const llmops_request *r, size_t i)
{
    return r && i < r->nmetadata ? r->metadata[i].key : NULL;
}

const char *llmops_request_metadata(const llmops_request *r, const char *key)
{
    if (!r || !key)
        return NULL;
    for (size_t i = 0; i < r->nmetadata; i++)
        if (strcmp(r->metadata[i].key, key) == 0)
            return r->metadata[i].value;
    return NULL;
}

size_t llmops_request_label_count(const llmops_request *r)
{
    return r ? r->nlabels : 0;
}

const char *llmops_request_label(const llmops_request *r, size_t i)
{
    return r && i < r->nlabels ? r->labels[i] : NULL;
}

size_t llmops_request_input_count(const llmops_request *r)
{
    return r ? r->ninputs : 0;
}

const char *llmops_request_input(const llmops_request *r, size_t i, size_t *len)
{
    if (!r || i >= r->ninputs) {
        if (len)
            *len = 0;
        return NULL;
    }
    if (len)
        *len = r->inputs[i].len;
    return r->inputs[i].data;
}

uint32_t llmops_request_dimensions(const llmops_request *r)
{
    return r ? r->dimensions : 0;
}

int llmops_request_cancelled(const llmops_request *r)
{
    return r ? llmops_cancel_is_set(r->cancel) : 0;
}

/* ---- assembled texts ---------------------------------------------------- */

static char *join_parts(const llmops__message *msgs, size_t n, int only_system, size_t *len)
{
    size_t total = 0, count = 0;
    for (size_t i = 0; i < n; i++) {
        if (only_system && msgs[i].role != LLMOPS_ROLE_SYSTEM)
            continue;
        for (size_t j = 0; j < msgs[i].nparts; j++, count++)
            total += msgs[i].parts[j].len + 2;
    }
    *len = 0;
    if (!count)
        return NULL;
    char *out = llmops__malloc(total + 1);
    if (!out) {
        *len = SIZE_MAX;
        return NULL;
    }
    /* System messages are separate paragraphs; parts of one message are
     * pieces of one text. */
    size_t o = 0;
    int first = 1;
    for (size_t i = 0; i < n; i++) {
        if (only_system && msgs[i].role != LLMOPS_ROLE_SYSTEM)
            continue;
        if (!first && only_system) {
            memcpy(out + o, "\n\n", 2);
            o += 2;
        }
        first = 0;
        for (size_t j = 0; j < msgs[i].nparts; j++) {
            memcpy(out + o, msgs[i].parts[j].data, msgs[i].parts[j].len);
            o += msgs[i].parts[j].len;
        }
    }
    out[o] = '\0';
    *len = o;
    return out;
}

char *llmops__request_system_text(const llmops_request *r, size_t *len)
{
    return join_parts(r->messages, r->nmessages, 1, len);
}

char *llmops__request_message_text(const llmops_request *r, size_t i, size_t *len)
{
    *len = 0;
    if (i >= r->nmessages)
        return NULL;
    char *s = join_parts(&r->messages[i], 1, 0, len);
    if (!s && *len == 0) {
        /* A message with an empty text still has a text: "". */
        s = llmops__strdup("");
        if (!s)
            *len = SIZE_MAX;
    }
    return s;
}
