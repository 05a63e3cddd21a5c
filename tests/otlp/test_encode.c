/* The OTLP JSON encoding: every field in the protobuf JSON mapping. */
#include <criterion/criterion.h>
#include <string.h>

#include "common.h"
#include "core/strbuf.h"
#include "llmops.h"
#include "llmops_config.h"
#include "otlp/exporter.h"

static const llmops_json *at_path(const llmops_json *r, const char *a, size_t i)
{
    return llmops_json_at(llmops_json_get(r, a), i);
}

static const char *str(const llmops_json *v, const char *key)
{
    const llmops_json *x = llmops_json_get(v, key);
    cr_assert_eq(llmops_json_type_of(x), LLMOPS_JSON_STRING, "%s is not a string", key);
    return llmops_json_string(x, NULL);
}

/* The value object of attribute `key` in an OTLP attribute array. */
static const llmops_json *attr(const llmops_json *arr, const char *key)
{
    for (size_t i = 0; i < llmops_json_size(arr); i++) {
        const llmops_json *kv = llmops_json_at(arr, i);
        if (strcmp(llmops_json_string(llmops_json_get(kv, "key"), NULL), key) == 0)
            return llmops_json_get(kv, "value");
    }
    cr_assert_fail("attribute %s missing", key);
    return NULL;
}

Test(otlp_encode, every_field_in_otlp_json_form)
{
    lt_span_fixture f[2];
    lt_span_fill(&f[0], 0);
    lt_span_fill(&f[1], 1);
    f[1].span.kind = LLMOPS__SPAN_INTERNAL;
    f[1].span.parent_span_id[0] = '\0';
    f[1].span.status = LLMOPS_E_RATE_LIMITED;
    f[1].span.status_message = "slow\ndown";
    f[1].attrs[0].s = "bad \xff utf8";
    const llmops__span *spans[2] = {&f[0].span, &f[1].span};
    llmops__attr res[2] = {
        {"deployment.environment", LLMOPS__ATTR_STRING, "test", 0, 0},
        {"host.cpus", LLMOPS__ATTR_INT, NULL, 2, 0},
    };
    llmops__buf b = LLMOPS__BUF_INIT;
    llmops__otlp_encode("svc", res, 2, spans, 2, &b);
    cr_assert_eq(b.failed, 0);

    llmops_json_doc *doc = NULL;
    cr_assert_eq(llmops_json_parse(&doc, b.data, b.len, NULL, NULL), LLMOPS_OK, "%s", b.data);
    const llmops_json *r = llmops_json_doc_root(doc);
    const llmops_json *rs = at_path(r, "resourceSpans", 0);
    const llmops_json *rattrs = llmops_json_get(llmops_json_get(rs, "resource"), "attributes");
    cr_assert_eq(llmops_json_size(rattrs), 3);
    cr_assert_str_eq(str(attr(rattrs, "service.name"), "stringValue"), "svc");
    cr_assert_str_eq(str(attr(rattrs, "deployment.environment"), "stringValue"), "test");
    cr_assert_str_eq(str(attr(rattrs, "host.cpus"), "intValue"), "2");

    const llmops_json *ss = at_path(rs, "scopeSpans", 0);
    cr_assert_str_eq(str(llmops_json_get(ss, "scope"), "name"), "libllmops");
    cr_assert_str_eq(str(llmops_json_get(ss, "scope"), "version"), llmops_version());
    const llmops_json *sp = llmops_json_get(ss, "spans");
    cr_assert_eq(llmops_json_size(sp), 2);

    const llmops_json *s0 = llmops_json_at(sp, 0);
    cr_assert_str_eq(str(s0, "traceId"), "4bf92f3577b34da6a3ce929d0e0e4736");
    cr_assert_str_eq(str(s0, "spanId"), "00f067aa00000001");
    cr_assert_str_eq(str(s0, "parentSpanId"), "b7ad6b7169203331");
    cr_assert_str_eq(str(s0, "name"), "chat 0");
    int64_t kind = 0, code = 0;
    cr_assert_eq(llmops_json_get_int(llmops_json_get(s0, "kind"), &kind), LLMOPS_OK);
    cr_assert_eq(kind, 3);
    cr_assert_str_eq(str(s0, "startTimeUnixNano"), "1700000000000000000");
    cr_assert_str_eq(str(s0, "endTimeUnixNano"), "1700000000500000000");
    const llmops_json *a0 = llmops_json_get(s0, "attributes");
    cr_assert_str_eq(str(attr(a0, "gen_ai.request.model"), "stringValue"), "gpt-4o\"mini");
    cr_assert_str_eq(str(attr(a0, "gen_ai.usage.input_tokens"), "intValue"), "42");
    double d = 0;
    cr_assert_eq(llmops_json_get_double(llmops_json_get(attr(a0, "llmops.cost_usd"),
                                                        "doubleValue"), &d), LLMOPS_OK);
    cr_assert_float_eq(d, 0.0125, 1e-15);
    cr_assert(llmops_json_is_true(llmops_json_get(attr(a0, "llmops.cache_hit"), "boolValue")));
    const llmops_json *ev = at_path(s0, "events", 0);
    cr_assert_str_eq(str(ev, "name"), "llmops.feedback");
    cr_assert_str_eq(str(ev, "timeUnixNano"), "1700000000000000123");
    cr_assert_str_eq(str(attr(llmops_json_get(ev, "attributes"), "llmops.score"), "intValue"),
                     "-7");
    cr_assert_eq(llmops_json_get_int(llmops_json_get(llmops_json_get(s0, "status"), "code"),
                                     &code), LLMOPS_OK);
    cr_assert_eq(code, 1);
    cr_assert_null(llmops_json_get(llmops_json_get(s0, "status"), "message"));

    const llmops_json *s1 = llmops_json_at(sp, 1);
    cr_assert_null(llmops_json_get(s1, "parentSpanId"), "a root span has no parentSpanId");
    cr_assert_eq(llmops_json_get_int(llmops_json_get(s1, "kind"), &kind), LLMOPS_OK);
    cr_assert_eq(kind, 1);
    const llmops_json *st = llmops_json_get(s1, "status");
    cr_assert_eq(llmops_json_get_int(llmops_json_get(st, "code"), &code), LLMOPS_OK);
    cr_assert_eq(code, 2);
    cr_assert_str_eq(str(st, "message"), "slow\ndown");
    cr_assert_str_eq(str(attr(llmops_json_get(s1, "attributes"), "gen_ai.request.model"),
                         "stringValue"),
                     "bad \xEF\xBF\xBD utf8");
    llmops_json_doc_free(doc);
    llmops__buf_free(&b);
}

Test(otlp_encode, error_without_message_uses_status_name_and_non_finite_doubles)
{
    lt_span_fixture f;
    lt_span_fill(&f, 0);
    f.span.status = LLMOPS_E_TIMEOUT;
    f.attrs[2].d = 1.0 / 0.0;
    const llmops__span *spans[1] = {&f.span};
    llmops__buf b = LLMOPS__BUF_INIT;
    llmops__otlp_encode(NULL, NULL, 0, spans, 1, &b);
    llmops_json_doc *doc = NULL;
    cr_assert_eq(llmops_json_parse(&doc, b.data, b.len, NULL, NULL), LLMOPS_OK, "%s", b.data);
    const llmops_json *rs = at_path(llmops_json_doc_root(doc), "resourceSpans", 0);
    const llmops_json *rattrs = llmops_json_get(llmops_json_get(rs, "resource"), "attributes");
    cr_assert_str_eq(str(attr(rattrs, "service.name"), "stringValue"), "libllmops");
    const llmops_json *s0 = at_path(at_path(rs, "scopeSpans", 0), "spans", 0);
    cr_assert_str_eq(str(llmops_json_get(s0, "status"), "message"),
                     llmops_status_str(LLMOPS_E_TIMEOUT));
    cr_assert_str_eq(str(attr(llmops_json_get(s0, "attributes"), "llmops.cost_usd"),
                         "doubleValue"),
                     "Infinity");
    llmops_json_doc_free(doc);
    llmops__buf_free(&b);
}

#if !LLMOPS_HAVE_HTTP
Test(otlp_encode, exporter_unsupported_without_http)
{
    llmops__otlp_options o;
    memset(&o, 0, sizeof o);
    o.endpoint = "http://127.0.0.1:4318";
    llmops__otlp *x = (llmops__otlp *)&o;
    llmops__buf err = LLMOPS__BUF_INIT;
    cr_assert_eq(llmops__otlp_new(&o, &x, &err), LLMOPS_E_UNSUPPORTED);
    cr_assert_null(x);
    cr_assert(err.data && strstr(err.data, "libcurl"), "err: %s", err.data);
    llmops__buf_free(&err);
}
#endif
