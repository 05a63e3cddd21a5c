/* Span fixtures shared by the OTLP tests. */
#ifndef LT_OTLP_COMMON_H
#define LT_OTLP_COMMON_H

#include <stdio.h>
#include <string.h>

#include "trace/span.h"

typedef struct lt_span_fixture {
    llmops__attr attrs[4];
    llmops__attr ev_attrs[1];
    llmops__span_event ev[1];
    char name[48];
    llmops__span span;
} lt_span_fixture;

/* A client span numbered i (name "chat <i>", span id ends in i's hex). */
static inline void lt_span_fill(lt_span_fixture *f, unsigned i)
{
    memset(f, 0, sizeof *f);
    f->attrs[0] = (llmops__attr){"gen_ai.request.model", LLMOPS__ATTR_STRING, "gpt-4o\"mini", 0, 0};
    f->attrs[1] = (llmops__attr){"gen_ai.usage.input_tokens", LLMOPS__ATTR_INT, NULL, 42, 0};
    f->attrs[2] = (llmops__attr){"llmops.cost_usd", LLMOPS__ATTR_DOUBLE, NULL, 0, 0.0125};
    f->attrs[3] = (llmops__attr){"llmops.cache_hit", LLMOPS__ATTR_BOOL, NULL, 1, 0};
    f->ev_attrs[0] = (llmops__attr){"llmops.score", LLMOPS__ATTR_INT, NULL, -7, 0};
    f->ev[0] = (llmops__span_event){"llmops.feedback", 1700000000000000123ull, f->ev_attrs, 1};
    snprintf(f->name, sizeof f->name, "chat %u", i);
    llmops__span *s = &f->span;
    strcpy(s->trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
    snprintf(s->span_id, sizeof s->span_id, "00f067aa%08x", i + 1);
    strcpy(s->parent_span_id, "b7ad6b7169203331");
    s->name = f->name;
    s->kind = LLMOPS__SPAN_CLIENT;
    s->start_ns = 1700000000000000000ull;
    s->end_ns = 1700000000500000000ull;
    s->status = LLMOPS_OK;
    s->status_message = "";
    s->attrs = f->attrs;
    s->nattrs = 4;
    s->events = f->ev;
    s->nevents = 1;
}

#endif
