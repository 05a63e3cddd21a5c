/* A finished span as the sinks receive it (JSONL file, SQLite store, OTLP
 * exporter). Built by the call pipeline (src/call) when a call, an attempt,
 * a tool call or a guard check ends; immutable and owned by the caller for
 * the duration of the sink call: a sink that keeps it (a queue) copies it
 * (llmops__span_copy). Attribute keys follow the OpenTelemetry GenAI
 * semantic conventions (gen_ai.*) and our own llmops.* names. */
#ifndef LLMOPS_TRACE_SPAN_H
#define LLMOPS_TRACE_SPAN_H

#include <stddef.h>
#include <stdint.h>

#include "core/strbuf.h"
#include "llmops/common.h"

typedef enum llmops__attr_type {
    LLMOPS__ATTR_STRING = 0,
    LLMOPS__ATTR_INT    = 1,
    LLMOPS__ATTR_DOUBLE = 2,
    LLMOPS__ATTR_BOOL   = 3
} llmops__attr_type;

typedef struct llmops__attr {
    const char *key;
    llmops__attr_type type;
    const char *s;       /* STRING (UTF-8, NUL-terminated) */
    int64_t i;           /* INT, BOOL (0/1) */
    double d;            /* DOUBLE */
} llmops__attr;

typedef struct llmops__span_event {
    const char *name;    /* "gen_ai.retrieval", "llmops.feedback", ... */
    uint64_t time_ns;    /* wall clock, ns since the Unix epoch */
    const llmops__attr *attrs;
    size_t nattrs;
} llmops__span_event;

typedef enum llmops__span_kind {
    LLMOPS__SPAN_INTERNAL = 0,
    LLMOPS__SPAN_CLIENT   = 1   /* a provider attempt (an outgoing request) */
} llmops__span_kind;

typedef struct llmops__span {
    char trace_id[33];          /* 32 lowercase hex */
    char span_id[17];           /* 16 lowercase hex */
    char parent_span_id[17];    /* "" for a root span */
    const char *name;           /* "llmops.call answer", "chat gpt-4o-mini", "tool lookup_order" */
    llmops__span_kind kind;
    uint64_t start_ns, end_ns;  /* wall clock, ns since the Unix epoch */
    llmops_status status;       /* LLMOPS_OK or the error */
    const char *status_message; /* "" when OK; never holds a secret */
    const llmops__attr *attrs;
    size_t nattrs;
    const llmops__span_event *events;
    size_t nevents;
} llmops__span;

/* A deep copy in one allocation (free with llmops__free). NULL when out of
 * memory. */
llmops__span *llmops__span_copy(const llmops__span *s);

/* The attribute `key`, or NULL. */
const llmops__attr *llmops__span_attr(const llmops__span *s, const char *key);

/* Appends the span as one compact JSON object (no newline):
 * {"trace_id","span_id","parent_span_id","name","kind":"internal|client",
 *  "start_ns","end_ns","status":"ok|<llmops_status_str>","status_message",
 *  "attributes":{key: value...},"events":[{"name","time_ns","attributes"}]}
 * The one JSON form every sink and the CLI read. */
void llmops__span_to_json(const llmops__span *s, llmops__buf *out);

#endif
