/* Request fingerprints. The canonical form names every field explicitly
 * (and leaves out unset ones) so adding a field later does not change the
 * fingerprint of requests that do not use it; metadata, timeout, cancel
 * token and raw-body flag are left out because they do not change what the
 * provider answers. */
#include "provider/fingerprint.h"

#include <string.h>

#include "core/alloc.h"
#include "core/sha256.h"
#include "provider/request.h"

typedef struct fp_builder {
    llmops_json_doc *doc;
    int failed;
} fp_builder;

static llmops_json *str(fp_builder *b, const char *s, size_t len)
{
    llmops_json *v = llmops_json_new_string(b->doc, s, len);
    if (!v)
        b->failed = 1;
    return v;
}

static void set(fp_builder *b, llmops_json *obj, const char *key, llmops_json *v)
{
    if (!obj || !v || llmops_json_object_set(b->doc, obj, key, strlen(key), v) != LLMOPS_OK)
        b->failed = 1;
}

static void push(fp_builder *b, llmops_json *arr, llmops_json *v)
{
    if (!arr || !v || llmops_json_array_append(b->doc, arr, v) != LLMOPS_OK)
        b->failed = 1;
}

static llmops_json *obj(fp_builder *b)
{
    llmops_json *v = llmops_json_new_object(b->doc);
    if (!v)
        b->failed = 1;
    return v;
}

static llmops_json *arr(fp_builder *b)
{
    llmops_json *v = llmops_json_new_array(b->doc);
    if (!v)
        b->failed = 1;
    return v;
}

static const char *const role_names[] = {"system", "user", "assistant", "tool"};
static const char *const choice_names[] = {"auto", "none", "required", "named"};
static const char *const format_names[] = {"text", "json", "json_schema"};

static llmops_json *message(fp_builder *b, const llmops__message *m)
{
    llmops_json *o = obj(b);
    set(b, o, "role", str(b, role_names[m->role], strlen(role_names[m->role])));
    llmops_json *parts = arr(b);
    for (size_t i = 0; i < m->nparts; i++)
        push(b, parts, str(b, m->parts[i].data, m->parts[i].len));
    set(b, o, "parts", parts);
    if (m->tool_call_id)
        set(b, o, "tool_call_id", str(b, m->tool_call_id, strlen(m->tool_call_id)));
    if (m->tool_name)
        set(b, o, "tool_name", str(b, m->tool_name, strlen(m->tool_name)));
    if (m->ncalls) {
        llmops_json *calls = arr(b);
        for (size_t i = 0; i < m->ncalls; i++) {
            llmops_json *c = obj(b);
            set(b, c, "id", str(b, m->calls[i].id, strlen(m->calls[i].id)));
            set(b, c, "name", str(b, m->calls[i].name, strlen(m->calls[i].name)));
            /* Arguments as JSON values, so whitespace does not matter. */
            llmops_json_doc *ad = NULL;
            llmops_json *av = NULL;
            if (llmops_json_parse(&ad, m->calls[i].arguments, strlen(m->calls[i].arguments),
                                  NULL, NULL) == LLMOPS_OK)
                av = llmops_json_copy(b->doc, llmops_json_doc_root(ad));
            llmops_json_doc_free(ad);
            set(b, c, "arguments", av);
            push(b, calls, c);
        }
        set(b, o, "tool_calls", calls);
    }
    return o;
}

llmops_status llmops__request_canonical_json(const llmops_request *r, const char *model,
                                             char **out, size_t *len)
{
    *out = NULL;
    fp_builder b = {NULL, 0};
    if (llmops_json_doc_new(&b.doc) != LLMOPS_OK)
        return LLMOPS_E_NO_MEMORY;
    llmops_json *root = obj(&b);
    const char *m = model ? model : r->model;
    if (m)
        set(&b, root, "model", str(&b, m, strlen(m)));
    if (r->nmessages) {
        llmops_json *msgs = arr(&b);
        for (size_t i = 0; i < r->nmessages; i++)
            push(&b, msgs, message(&b, &r->messages[i]));
        set(&b, root, "messages", msgs);
    }
    if (r->has_temperature)
        set(&b, root, "temperature", llmops_json_new_double(b.doc, r->temperature));
    if (r->has_top_p)
        set(&b, root, "top_p", llmops_json_new_double(b.doc, r->top_p));
    if (r->has_max_output_tokens)
        set(&b, root, "max_output_tokens", llmops_json_new_int(b.doc, r->max_output_tokens));
    if (r->has_seed)
        set(&b, root, "seed", llmops_json_new_int(b.doc, r->seed));
    if (r->nstops) {
        llmops_json *a = arr(&b);
        for (size_t i = 0; i < r->nstops; i++)
            push(&b, a, str(&b, r->stops[i], strlen(r->stops[i])));
        set(&b, root, "stop", a);
    }
    if (r->ntools) {
        llmops_json *a = arr(&b);
        for (size_t i = 0; i < r->ntools; i++) {
            const llmops__tool *t = &r->tools[i];
            llmops_json *o = obj(&b);
            set(&b, o, "name", str(&b, t->name, strlen(t->name)));
            if (t->description)
                set(&b, o, "description", str(&b, t->description, strlen(t->description)));
            if (t->parameters)
                set(&b, o, "parameters",
                    llmops_json_copy(b.doc, llmops_json_doc_root(t->parameters)));
            push(&b, a, o);
        }
        set(&b, root, "tools", a);
    }
    if (r->tool_choice != LLMOPS_TOOL_CHOICE_AUTO) {
        const char *c = choice_names[r->tool_choice];
        set(&b, root, "tool_choice", str(&b, c, strlen(c)));
        if (r->tool_choice_name)
            set(&b, root, "tool_choice_name",
                str(&b, r->tool_choice_name, strlen(r->tool_choice_name)));
    }
    if (r->format != LLMOPS_FORMAT_TEXT) {
        const char *f = format_names[r->format];
        set(&b, root, "format", str(&b, f, strlen(f)));
        if (r->schema) {
            set(&b, root, "schema_name", str(&b, r->schema_name, strlen(r->schema_name)));
            set(&b, root, "schema", llmops_json_copy(b.doc, llmops_json_doc_root(r->schema)));
        }
    }
    if (r->nlabels) {
        llmops_json *a = arr(&b);
        for (size_t i = 0; i < r->nlabels; i++)
            push(&b, a, str(&b, r->labels[i], strlen(r->labels[i])));
        set(&b, root, "labels", a);
    }
    if (r->ninputs) {
        llmops_json *a = arr(&b);
        for (size_t i = 0; i < r->ninputs; i++)
            push(&b, a, str(&b, r->inputs[i].data, r->inputs[i].len));
        set(&b, root, "inputs", a);
    }
    if (r->dimensions)
        set(&b, root, "dimensions", llmops_json_new_int(b.doc, r->dimensions));
    llmops_status st = LLMOPS_E_NO_MEMORY;
    if (!b.failed && root && llmops_json_doc_set_root(b.doc, root) == LLMOPS_OK)
        st = llmops_json_write(out, len, root, LLMOPS_JSON_WRITE_CANONICAL);
    llmops_json_doc_free(b.doc);
    return st == LLMOPS_OK ? LLMOPS_OK : LLMOPS_E_NO_MEMORY;
}

llmops_status llmops__request_fingerprint_model(const llmops_request *r, const char *model,
                                                char out[65])
{
    char *text = NULL;
    size_t len = 0;
    llmops_status st = llmops__request_canonical_json(r, model, &text, &len);
    if (st != LLMOPS_OK)
        return st;
    llmops__sha256_hex(text, len, out);
    llmops_free(text);
    return LLMOPS_OK;
}

llmops_status llmops_request_fingerprint(const llmops_request *r, char out[65])
{
    if (!r || !out)
        return LLMOPS_E_INVALID_ARGUMENT;
    return llmops__request_fingerprint_model(r, NULL, out);
}
