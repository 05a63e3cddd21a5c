/* Classification through generate: the model is asked for JSON holding one
 * label from the request's set, constrained by a JSON Schema enum, at
 * temperature 0. Providers without logprobs give no probability, so the
 * chosen label scores 1.0 (the others are not listed). */
#include <string.h>

#include "core/alloc.h"
#include "core/strbuf.h"
#include "provider/json_out.h"
#include "provider/provider.h"
#include "provider/request.h"
#include "provider/response.h"
#include "provider/stream.h"

static llmops_status build(const llmops_request *req, const char *text, size_t len,
                           llmops_request **out)
{
    llmops__buf schema = LLMOPS__BUF_INIT, prompt = LLMOPS__BUF_INIT;
    llmops__buf_puts(&schema, "{\"type\":\"object\",\"properties\":{\"label\":{\"type\":"
                              "\"string\",\"enum\":[");
    llmops__buf_puts(&prompt, "Classify the text the user sends into exactly one of these "
                              "labels: ");
    for (size_t i = 0; i < req->nlabels; i++) {
        if (i) {
            llmops__buf_putc(&schema, ',');
            llmops__buf_puts(&prompt, ", ");
        }
        llmops__jo_str(&schema, req->labels[i]);
        llmops__jo_str(&prompt, req->labels[i]);
    }
    llmops__buf_puts(&schema, "]}},\"required\":[\"label\"],\"additionalProperties\":false}");
    llmops__buf_puts(&prompt, ". Answer with a JSON object {\"label\": <one of the labels>} "
                              "and nothing else.");
    llmops_request *r = NULL;
    llmops_status st = LLMOPS_E_NO_MEMORY;
    if (!schema.failed && !prompt.failed && (st = llmops_request_new(&r)) == LLMOPS_OK) {
        if ((req->model && (st = llmops_request_set_model(r, req->model)) != LLMOPS_OK) ||
            (st = llmops_request_add_message(r, LLMOPS_ROLE_SYSTEM, prompt.data, prompt.len)) !=
                LLMOPS_OK ||
            (st = llmops_request_add_message(r, LLMOPS_ROLE_USER, text, len)) != LLMOPS_OK ||
            (st = llmops_request_set_temperature(r, 0.0)) != LLMOPS_OK ||
            (st = llmops_request_set_response_format(r, LLMOPS_FORMAT_JSON_SCHEMA,
                                                     "classification", schema.data)) !=
                LLMOPS_OK ||
            (st = llmops_request_set_cancel(r, req->cancel)) != LLMOPS_OK) {
            llmops_request_free(r);
            r = NULL;
        } else {
            r->timeout_ms = req->timeout_ms;
            r->keep_raw = req->keep_raw;
        }
    }
    llmops__buf_free(&schema);
    llmops__buf_free(&prompt);
    *out = r;
    return st;
}

/* The label the model chose: {"label": "..."} as asked, or the bare label
 * from a model that ignored the format. */
static const char *pick(const llmops_request *req, const char *text, size_t len)
{
    llmops_json_doc *doc = NULL;
    const char *found = NULL;
    if (llmops_json_parse(&doc, text, len, NULL, NULL) == LLMOPS_OK) {
        const llmops_json *root = llmops_json_doc_root(doc);
        const llmops_json *v = llmops_json_type_of(root) == LLMOPS_JSON_OBJECT
                                   ? llmops_json_get(root, "label")
                                   : root;
        size_t n = 0;
        const char *s = llmops_json_string(v, &n);
        for (size_t i = 0; s && i < req->nlabels && !found; i++)
            if (strlen(req->labels[i]) == n && memcmp(req->labels[i], s, n) == 0)
                found = req->labels[i];
        llmops_json_doc_free(doc);
        return found;
    }
    while (len && (*text == ' ' || *text == '\n' || *text == '"')) {
        text++;
        len--;
    }
    while (len && (text[len - 1] == ' ' || text[len - 1] == '\n' || text[len - 1] == '"' ||
                   text[len - 1] == '.'))
        len--;
    for (size_t i = 0; i < req->nlabels; i++)
        if (strlen(req->labels[i]) == len && memcmp(req->labels[i], text, len) == 0)
            return req->labels[i];
    return NULL;
}

llmops_status llmops__classify_via_generate(llmops_provider *p, const llmops__call_ctx *ctx,
                                            const llmops_request *req, llmops_response *resp)
{
    if (req->nlabels < 2)
        return llmops__response_fail(resp, LLMOPS_E_INVALID_ARGUMENT,
                                     "%s: classify needs at least 2 labels (got %zu)", p->name,
                                     req->nlabels);
    size_t last = SIZE_MAX;
    for (size_t i = req->nmessages; i-- > 0;)
        if (req->messages[i].role == LLMOPS_ROLE_USER) {
            last = i;
            break;
        }
    if (last == SIZE_MAX)
        return llmops__response_fail(resp, LLMOPS_E_INVALID_ARGUMENT,
                                     "%s: classify needs a user message to classify", p->name);
    size_t len;
    char *text = llmops__request_message_text(req, last, &len);
    if (!text)
        return LLMOPS_E_NO_MEMORY;
    llmops_request *gen = NULL;
    llmops_status st = build(req, text, len, &gen);
    llmops__free(text);
    if (st != LLMOPS_OK)
        return st;
    /* The label is the answer, not a stream: the host's delta callback
     * (if any) never sees the JSON. */
    llmops_stream quiet;
    llmops__stream_init(&quiet, resp, NULL, NULL);
    llmops__call_ctx sub = *ctx;
    sub.stream = &quiet;
    sub.streaming = 0;
    st = llmops__provider_run_generate(p, &sub, gen, resp);
    if (st == LLMOPS_OK) {
        const char *label = pick(req, resp->text.data ? resp->text.data : "", resp->text.len);
        if (!label)
            st = llmops__response_fail(resp, LLMOPS_E_MALFORMED_RESPONSE,
                                       "%s: the model's answer is not one of the %zu labels",
                                       p->name, req->nlabels);
        else
            st = llmops_response_add_label(resp, label, 1.0);
    }
    llmops_request_free(gen);
    return st;
}
