/* The span record every sink receives: deep copy and JSON form. */
#include <criterion/criterion.h>
#include <string.h>

#include "core/alloc.h"
#include "llmops.h"
#include "trace/span.h"

static llmops__span sample(llmops__attr *attrs, llmops__span_event *ev)
{
    attrs[0] = (llmops__attr){"gen_ai.request.model", LLMOPS__ATTR_STRING, "gpt-4o\"mini", 0, 0};
    attrs[1] = (llmops__attr){"gen_ai.usage.input_tokens", LLMOPS__ATTR_INT, NULL, 42, 0};
    attrs[2] = (llmops__attr){"llmops.cost_usd", LLMOPS__ATTR_DOUBLE, NULL, 0, 0.0125};
    attrs[3] = (llmops__attr){"llmops.cache_hit", LLMOPS__ATTR_BOOL, NULL, 1, 0};
    ev[0] = (llmops__span_event){"gen_ai.retrieval", 1700000000000000123ull, attrs + 1, 1};
    llmops__span s;
    memset(&s, 0, sizeof s);
    strcpy(s.trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
    strcpy(s.span_id, "00f067aa0ba902b7");
    s.name = "chat gpt-4o-mini";
    s.kind = LLMOPS__SPAN_CLIENT;
    s.start_ns = 1700000000000000000ull;
    s.end_ns = 1700000000500000000ull;
    s.status = LLMOPS_E_RATE_LIMITED;
    s.status_message = "slow down";
    s.attrs = attrs;
    s.nattrs = 4;
    s.events = ev;
    s.nevents = 1;
    return s;
}

Test(span, json_form_has_every_field)
{
    llmops__attr attrs[4];
    llmops__span_event ev[1];
    llmops__span s = sample(attrs, ev);
    llmops__buf b = LLMOPS__BUF_INIT;
    llmops__span_to_json(&s, &b);
    llmops_json_doc *doc = NULL;
    cr_assert_eq(llmops_json_parse(&doc, b.data, b.len, NULL, NULL), LLMOPS_OK, "%s", b.data);
    const llmops_json *r = llmops_json_doc_root(doc);
    cr_assert_str_eq(llmops_json_string(llmops_json_get(r, "kind"), NULL), "client");
    cr_assert_str_eq(llmops_json_string(llmops_json_get(r, "status"), NULL), "rate_limited");
    cr_assert_str_eq(llmops_json_string(llmops_json_get(r, "parent_span_id"), NULL), "");
    const llmops_json *a = llmops_json_get(r, "attributes");
    cr_assert_str_eq(llmops_json_string(llmops_json_get(a, "gen_ai.request.model"), NULL),
                     "gpt-4o\"mini");
    int64_t n = 0;
    llmops_json_get_int(llmops_json_get(a, "gen_ai.usage.input_tokens"), &n);
    cr_assert_eq(n, 42);
    cr_assert(llmops_json_is_true(llmops_json_get(a, "llmops.cache_hit")));
    uint64_t ev_t = 0;
    llmops_json_get_int(llmops_json_get(llmops_json_at(llmops_json_get(r, "events"), 0),
                                         "time_ns"),
                        (int64_t *)&ev_t);
    cr_assert_eq(ev_t, 1700000000000000123ull);
    llmops_json_doc_free(doc);
    llmops__buf_free(&b);
}

Test(span, copy_is_deep_and_self_contained)
{
    llmops__attr attrs[4];
    llmops__span_event ev[1];
    llmops__span s = sample(attrs, ev);
    llmops__span *c = llmops__span_copy(&s);
    cr_assert_not_null(c);
    /* Scribble over the originals: the copy must not see it. */
    memset(attrs, 0, sizeof attrs);
    memset(ev, 0, sizeof ev);
    cr_assert_str_eq(c->name, "chat gpt-4o-mini");
    cr_assert_eq(c->nattrs, 4);
    const llmops__attr *m = llmops__span_attr(c, "gen_ai.request.model");
    cr_assert_not_null(m);
    cr_assert_str_eq(m->s, "gpt-4o\"mini");
    cr_assert_eq(((uintptr_t)c->attrs) % _Alignof(llmops__attr), 0);
    cr_assert_eq(((uintptr_t)c->events[0].attrs) % _Alignof(llmops__attr), 0);
    cr_assert_str_eq(c->events[0].name, "gen_ai.retrieval");
    cr_assert_str_eq(c->events[0].attrs[0].key, "gen_ai.usage.input_tokens");
    cr_assert_null(llmops__span_attr(c, "nope"));
    llmops__free(c);
}
