/* Helpers shared by the Anthropic, Gemini and Ollama wire formats
 * (anthropic.c, gemini.c, ollama.c): one parser per format fills either a
 * plain response (non-streamed body) or a call's stream (streamed events)
 * through a "sink", plus small readers over parsed JSON. Header-only
 * (static inline) so no build list has to change. Owned by helper-d. */
#ifndef LLMOPS_PROVIDER_WIRE_COMMON_H
#define LLMOPS_PROVIDER_WIRE_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/strbuf.h"
#include "llmops/json.h"
#include "provider/request.h"
#include "provider/response.h"
#include "provider/stream.h"

/* Where parsed content goes: the stream when set (its deltas also
 * accumulate into the stream's response), else straight into `resp`. */
typedef struct llmops__sink {
    llmops_stream *s;
    llmops_response *r;
} llmops__sink;

static inline llmops__sink llmops__sink_of_stream(llmops_stream *s)
{
    llmops__sink k = { s, s->resp };
    return k;
}

static inline llmops__sink llmops__sink_of_response(llmops_response *r)
{
    llmops__sink k = { NULL, r };
    return k;
}

static inline llmops_status llmops__sink_text(const llmops__sink *k, const char *t, size_t n)
{
    if (n == 0)
        return LLMOPS_OK;
    return k->s ? llmops__stream_text(k->s, t, n) : llmops__response_append_text(k->r, t, n);
}

static inline llmops_status llmops__sink_reasoning(const llmops__sink *k, const char *t,
                                                   size_t n)
{
    if (n == 0)
        return LLMOPS_OK;
    return k->s ? llmops__stream_reasoning(k->s, t, n)
                : llmops__response_append_reasoning(k->r, t, n);
}

static inline llmops_status llmops__sink_tool_call(const llmops__sink *k, size_t index,
                                                   const char *id, size_t id_len,
                                                   const char *name, size_t name_len,
                                                   const char *frag, size_t frag_len)
{
    if (k->s)
        return llmops__stream_tool_call(k->s, index, id, id_len, name, name_len,
                                        frag ? frag : "", frag_len);
    return llmops__response_tool_call_fragment(k->r, index, id, id_len, name, name_len,
                                               frag ? frag : "", frag_len);
}

/* Member `key` of `obj` when it is a string (else NULL, *len 0). */
static inline const char *llmops__jstr(const llmops_json *obj, const char *key, size_t *len)
{
    size_t n = 0;
    const char *s = llmops_json_string(llmops_json_get(obj, key), &n);
    if (len)
        *len = s ? n : 0;
    return s;
}

/* Member `key` of `obj` as an integer: 1 and *out when it is one. */
static inline int llmops__jint(const llmops_json *obj, const char *key, int64_t *out)
{
    const llmops_json *v = llmops_json_get(obj, key);
    return v && llmops_json_get_int(v, out) == LLMOPS_OK;
}

static inline int llmops__jstr_eq(const char *s, size_t n, const char *lit)
{
    size_t m = strlen(lit);
    return s && n == m && memcmp(s, lit, m) == 0;
}

/* A short, printable excerpt of a body that is not the JSON we expected,
 * for error messages: at most `max` bytes, control bytes and non-ASCII
 * shown as '?', so a message never carries broken UTF-8 or terminal
 * escapes. Writes into out[cap]. */
static inline const char *llmops__excerpt(const char *body, size_t len, char *out, size_t cap)
{
    size_t n = len < cap - 1 ? len : cap - 1;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)body[i];
        out[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
    }
    out[n] = '\0';
    return out;
}

/* Parses `len` bytes of JSON for a wire format; on failure fills resp with
 * LLMOPS_E_MALFORMED_RESPONSE naming `what`, the offset and the reason. */
static inline llmops_status llmops__wire_parse_json(const char *fmt_name, const char *what,
                                                   const char *body, size_t len,
                                                   llmops_json_doc **doc, llmops_response *resp)
{
    llmops_json_error err = LLMOPS_JSON_ERROR_INIT;
    llmops_status st = llmops_json_parse(doc, body ? body : "", body ? len : 0, NULL, &err);
    if (st == LLMOPS_E_NO_MEMORY)
        return llmops__response_fail(resp, st, "%s: out of memory parsing %s", fmt_name, what);
    if (st != LLMOPS_OK)
        return llmops__response_fail(resp, LLMOPS_E_MALFORMED_RESPONSE,
                                     "%s: %s is not valid JSON (byte %zu: %s)", fmt_name, what,
                                     err.offset, err.message);
    return LLMOPS_OK;
}

/* The name of the tool whose call `id` an assistant message before
 * message `before` made (tool results that do not name their tool), or
 * NULL. Scans backwards: the answered call is usually just before. */
static inline const char *llmops__wire_call_name(const llmops_request *req, size_t before,
                                                    const char *id)
{
    if (!id)
        return NULL;
    for (size_t i = before; i-- > 0;) {
        const llmops__message *m = &req->messages[i];
        for (size_t c = 0; c < m->ncalls; c++)
            if (m->calls[c].id && strcmp(m->calls[c].id, id) == 0)
                return m->calls[c].name;
    }
    return NULL;
}

#endif
