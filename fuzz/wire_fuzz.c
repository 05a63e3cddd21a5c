/*
 * libFuzzer target for the five wire formats (openai, openai-responses,
 * anthropic, gemini, ollama): response bodies, error bodies and streams.
 *
 * Build and run with fuzz/build.sh and fuzz/run.sh (target wire_fuzz).
 *
 * The first byte selects the wire (byte % 5) and the operation
 * ((byte / 5) % 3: generate, embed, classify; an operation the wire does not
 * have falls back to generate). A first byte below 0x10 is only a selector
 * and is dropped; any other first byte also belongs to the payload, so the
 * seed corpus (raw recordings: JSON, SSE, NDJSON) stays valid input. On the
 * payload it runs:
 *   - parse() for the operation, then the end-of-call finalize;
 *   - parse_error() with an HTTP status picked from the input;
 *   - the stream path: llmops__decoder over the wire's framing, fed in
 *     pieces of a size picked from the input, with a delta callback that
 *     reads every delta, then finish.
 * Checks (abort() on violation, which libFuzzer reports): a failed call has
 * a message, an OK call has none; status codes are in range; a stream's
 * tool call indices are dense and deltas carry readable bytes. Leaks and
 * memory errors are the sanitizers' to find.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "provider/decoder.h"
#include "provider/response.h"
#include "provider/stream.h"
#include "provider/wire.h"

#define CHECK(cond)                                                               \
    do {                                                                          \
        if (!(cond)) {                                                            \
            fprintf(stderr, "wire_fuzz: check failed at line %d: %s\n", __LINE__, \
                    #cond);                                                       \
            abort();                                                              \
        }                                                                         \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const llmops__wire *wire_at(unsigned i)
{
    switch (i % 5) {
    case 0: return &llmops__wire_openai;
    case 1: return &llmops__wire_openai_responses;
    case 2: return &llmops__wire_anthropic;
    case 3: return &llmops__wire_gemini;
    default: return &llmops__wire_ollama;
    }
}

static void check_outcome(const llmops_response *r, llmops_status st)
{
    CHECK(st == llmops_response_status(r));
    CHECK((int)st >= 0 && (int)st <= (int)LLMOPS_E_INTERNAL);
    const char *msg = llmops_response_error(r);
    CHECK(msg != NULL);
    if (st != LLMOPS_OK)
        CHECK(msg[0] != '\0');
    size_t n = 0;
    const char *t = llmops_response_text(r, &n);
    CHECK(t != NULL);
    CHECK(n == 0 || t[n] == '\0');
}

typedef struct sink_state {
    size_t max_index;   /* highest tool index seen + 1 */
    unsigned sum;       /* touches every delta byte so ASan sees the reads */
} sink_state;

static int on_delta(const llmops_delta *d, void *user_data)
{
    sink_state *ss = user_data;
    CHECK(d->len == 0 || d->text != NULL);
    for (size_t i = 0; i < d->len; i++)
        ss->sum += (unsigned char)d->text[i];
    if (d->kind == LLMOPS_DELTA_TOOL_CALL || d->kind == LLMOPS_DELTA_TOOL_CALL_DONE) {
        /* Indices are dense: a new call is the next one. */
        CHECK(d->tool_index <= ss->max_index);
        if (d->tool_index == ss->max_index)
            ss->max_index++;
        if (d->tool_id)
            ss->sum += (unsigned char)d->tool_id[0];
        if (d->tool_name)
            ss->sum += (unsigned char)d->tool_name[0];
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int statuses[] = {400, 401, 403, 404, 408, 413, 422, 429, 500, 502, 503, 529};
    if (size == 0)
        return 0;
    unsigned sel = data[0];
    const llmops__wire *w = wire_at(sel);
    if (!w)
        return 0;
    llmops__op op = (llmops__op)((sel / 5) % 3);
    if (!(w->ops & (1u << op)))
        op = LLMOPS__OP_GENERATE;
    const char *p = (const char *)data;
    size_t n = size;
    if (sel < 0x10) {
        p++;
        n--;
    }
    unsigned pick = size > 1 ? data[size - 1] : 0;

    llmops_response *r = NULL;
    if (llmops_response_new(&r) != LLMOPS_OK)
        return 0;

    llmops_status st = w->parse(op, p, n, r);
    if (st == LLMOPS_OK)
        llmops__response_finalize(r);
    check_outcome(r, llmops_response_status(r));
    CHECK(st == llmops_response_status(r));
    for (size_t i = 0; i < llmops_response_tool_call_count(r); i++)
        CHECK(llmops_response_tool_call_arguments(r, i) != NULL);

    llmops_response_reset(r);
    int http = statuses[pick % (sizeof statuses / sizeof statuses[0])];
    w->parse_error(http, p, n, r);
    CHECK(llmops_response_status(r) != LLMOPS_OK);
    CHECK(llmops_response_error(r)[0] != '\0');

    llmops_response_reset(r);
    r->start_ns = llmops__mono_ns();
    sink_state ss = {0, 0};
    llmops_stream s;
    llmops__stream_init(&s, r, on_delta, &ss);
    llmops__decoder d;
    if (llmops__decoder_init(&d, w, &s, 1u << 20) == LLMOPS_OK) {
        size_t chunk = 1 + pick % 64;
        st = LLMOPS_OK;
        for (size_t at = 0; at < n && st == LLMOPS_OK; at += chunk)
            st = llmops__decoder_feed(&d, p + at, n - at < chunk ? n - at : chunk);
        if (st == LLMOPS_OK)
            st = llmops__decoder_finish(&d);
        llmops__decoder_free(&d);
        if (st == LLMOPS_OK) {
            st = llmops__stream_finish(&s);
            llmops__response_finalize(r);
        }
        if (st != LLMOPS_OK)
            CHECK(llmops_response_status(r) != LLMOPS_OK);
        CHECK(llmops_response_error(r) != NULL);
        if (llmops_response_status(r) != LLMOPS_OK)
            CHECK(llmops_response_error(r)[0] != '\0');
    }
    llmops_response_free(r);
    return 0;
}
