/* The real provider recordings in $LLMOPS_TESTDATA/providers: the index,
 * the bodies, streams turned back into wire bytes, a feeder that runs a
 * stream through the decoder split anywhere, and a response comparison.
 * Shared by every wire-format suite. */
#ifndef LLMOPS_TEST_WIRE_RECORDINGS_H
#define LLMOPS_TEST_WIRE_RECORDINGS_H

#include <stddef.h>

#include "llmops/provider.h"
#include "provider/wire.h"

typedef struct lt_recording {
    char *file;          /* path under providers/, e.g. "openai/x.json" */
    char *provider;      /* "openai", "groq", ... */
    char *endpoint;      /* "/v1/chat/completions", ... */
    int streaming;       /* 1 for "yes" */
    int has_tool_calls;  /* 1 for "yes" */
    /* The HTTP status; for the two index rows that carry none: "stream-error"
     * gives 200 (the error is inside a 200 stream) and "error-body (...)"
     * gives 0 (an error body whose status was not stored). */
    int http_status;
    char *body_form;     /* "raw", "reserialized-from-yaml", "sse-data-lines: ..." */
    char *model;         /* may be "" */
} lt_recording;

/* Parses providers/index.tsv. Returns the number of rows; 0 and *out NULL
 * when the index is missing or unreadable. Free with lt_recordings_free. */
size_t lt_recordings_read(lt_recording **out);
void lt_recordings_free(lt_recording *r, size_t n);

/* The file's bytes (malloc'd, NUL-terminated), NULL if missing. */
char *lt_recording_body(const lt_recording *r, size_t *len);

/* The stream as the wire carried it (malloc'd, NUL-terminated): .sse and
 * .ndjson files as they are; each line of a .chunks.jsonl file becomes
 * "event: <type>\n" (when the payload has a top-level string "type", as
 * Responses-API and Anthropic events do) plus "data: <line>\n\n". */
char *lt_recording_stream_bytes(const lt_recording *r, size_t *len);

/* 1 when the recording is a stream (by its file name). */
int lt_recording_is_stream(const lt_recording *r);

/* Runs `bytes` through llmops__decoder for `wire`, fed in pieces cut at the
 * ascending offsets `splits` (nsplits of them; offsets past len are
 * ignored), into resp (reset first). On success the stream is finished like
 * a real call (llmops__stream_finish). Returns the status, also on resp. */
llmops_status lt_feed_stream(const llmops__wire *wire, const char *bytes, size_t len,
                             const size_t *splits, size_t nsplits, llmops_response *resp);

/* Feeds `bytes` whole, then split into two pieces at every byte boundary
 * (at most max_two_piece_splits of them spread evenly over the stream when
 * nonzero and the stream is longer), then one byte at a time, and checks
 * every run ends like the whole one. Returns 1 when all agree; else 0 with
 * the first split that differed and why. `whole` receives the result of the
 * whole run (reset first). */
int lt_stream_split_check(const llmops__wire *wire, const char *bytes, size_t len,
                          size_t max_two_piece_splits, llmops_response *whole, char *why,
                          size_t cap);

/* 1 when status, text, reasoning, tool calls (id, name, arguments compared
 * as JSON), finish reason, usage, model and request id are equal; else 0
 * and `why` (cap bytes) says the first difference. */
int lt_response_equal(const llmops_response *a, const llmops_response *b, char *why,
                      size_t cap);

#endif
