/* The OTLP/HTTP JSON metrics body: structure, values and names, read back
 * through the library's JSON parser. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "llmops/json.h"
#include "metrics/metrics.h"

/* A label-value array with its length. */
#define L(array) LLMOPS__LABELS(array)

static const llmops_json *get(const llmops_json *v, const char *path)
{
    /* dotted path; a numeric part indexes an array */
    char part[64];
    while (v && *path) {
        size_t n = strcspn(path, ".");
        cr_assert_lt(n, sizeof part);
        memcpy(part, path, n);
        part[n] = '\0';
        if (part[0] >= '0' && part[0] <= '9')
            v = llmops_json_at(v, (size_t)strtoul(part, NULL, 10));
        else
            v = llmops_json_get(v, part);
        path += n + (path[n] == '.');
    }
    return v;
}

static const char *str(const llmops_json *v, const char *path)
{
    const char *s = llmops_json_string(get(v, path), NULL);
    cr_assert_not_null(s, "no string at %s", path);
    return s;
}

static const llmops_json *metric(const llmops_json *root, const char *name)
{
    const llmops_json *list = get(root, "resourceMetrics.0.scopeMetrics.0.metrics");
    for (size_t i = 0; i < llmops_json_size(list); i++)
        if (strcmp(str(llmops_json_at(list, i), "name"), name) == 0)
            return llmops_json_at(list, i);
    cr_assert_fail("metric %s not in the export", name);
    return NULL;
}

/* The value of attribute `key` of a data point, or NULL. */
static const llmops_json *attr(const llmops_json *point, const char *key)
{
    const llmops_json *list = llmops_json_get(point, "attributes");
    for (size_t i = 0; i < llmops_json_size(list); i++)
        if (strcmp(str(llmops_json_at(list, i), "key"), key) == 0)
            return get(llmops_json_at(list, i), "value");
    return NULL;
}

static llmops_json_doc *export(const llmops__metrics *m, const char *service, uint64_t now)
{
    llmops__buf b = LLMOPS__BUF_INIT;
    cr_assert_eq(llmops__metrics_otlp_json(m, service, now, &b), LLMOPS_OK);
    llmops_json_doc *doc = NULL;
    llmops_json_error err = LLMOPS_JSON_ERROR_INIT;
    cr_assert_eq(llmops_json_parse(&doc, b.data, b.len, NULL, &err), LLMOPS_OK,
                 "invalid JSON at %zu: %s\n%s", (size_t)err.offset, err.message, b.data);
    llmops__buf_free(&b);
    return doc;
}

Test(metrics_otlp, structure_and_values)
{
    llmops__metrics *m = llmops__metrics_new(0);
    llmops__call_sample s = {0};
    s.task = "support.answer";
    s.model = "gpt-4o-mini";
    s.variant = "a";
    s.provider = "openai";
    s.latency_ns = 300000000u;
    s.has_usage = 1;
    s.usage.input_tokens = 1000;
    s.usage.output_tokens = 3;
    s.cost_known = 1;
    s.cost_usd = 0.5;
    cr_assert_eq(llmops__metrics_record_call(m, &s), LLMOPS_OK);
    s.latency_ns = 5000000000u;
    cr_assert_eq(llmops__metrics_record_call(m, &s), LLMOPS_OK);
    s.latency_ns = 10000000u;
    cr_assert_eq(llmops__metrics_record_call(m, &s), LLMOPS_OK);

    llmops_json_doc *doc = export(m, "support-bot", 1800000000123456789ull);
    const llmops_json *root = llmops_json_doc_root(doc);
    cr_expect_str_eq(str(root, "resourceMetrics.0.resource.attributes.0.key"), "service.name");
    cr_expect_str_eq(str(root, "resourceMetrics.0.resource.attributes.0.value.stringValue"),
                     "support-bot");
    cr_expect_str_eq(str(root, "resourceMetrics.0.scopeMetrics.0.scope.name"), "libllmops");
    cr_expect_str_eq(str(root, "resourceMetrics.0.scopeMetrics.0.scope.version"),
                     llmops_version());

    const llmops_json *dur = metric(root, "gen_ai.client.operation.duration");
    cr_expect_str_eq(str(dur, "unit"), "s");
    cr_expect_str_eq(str(dur, "description"), "GenAI operation duration.");
    int64_t temporality = 0;
    cr_assert_eq(llmops_json_get_int(get(dur, "histogram.aggregationTemporality"), &temporality),
                 LLMOPS_OK);
    cr_expect_eq(temporality, 2);
    const llmops_json *pt = get(dur, "histogram.dataPoints.0");
    cr_assert_not_null(pt);
    cr_expect_str_eq(llmops_json_string(get(attr(pt, "gen_ai.operation.name"), "stringValue"),
                                        NULL), "chat");
    cr_expect_str_eq(llmops_json_string(get(attr(pt, "gen_ai.provider.name"), "stringValue"),
                                        NULL), "openai");
    cr_expect_null(attr(pt, "error.type"), "empty attributes are left out");
    cr_expect_str_eq(str(pt, "count"), "3");
    cr_expect_str_eq(str(pt, "timeUnixNano"), "1800000000123456789");
    char start[32];
    snprintf(start, sizeof start, "%llu", (unsigned long long)llmops__metrics_start_ns(m));
    cr_expect_str_eq(str(pt, "startTimeUnixNano"), start);
    cr_expect_gt(llmops__metrics_start_ns(m), 1600000000000000000ull);
    double sum = 0;
    cr_assert_eq(llmops_json_get_double(get(pt, "sum"), &sum), LLMOPS_OK);
    cr_expect_float_eq(sum, 5.31, 1e-9);
    /* per-bucket counts: 0.01 in le 0.01, 0.3 in le 0.32, 5 in le 5.12 */
    const llmops_json *bc = get(pt, "bucketCounts"), *eb = get(pt, "explicitBounds");
    const llmops__metric_def *d = llmops__metrics_def(m, LLMOPS__M_GENAI_DURATION);
    cr_assert_eq(llmops_json_size(bc), d->nbounds + 1);
    cr_assert_eq(llmops_json_size(eb), d->nbounds);
    const char *want[15] = {"1", "0", "0", "0", "0", "1", "0", "0", "0", "1",
                            "0", "0", "0", "0", "0"};
    for (size_t i = 0; i <= d->nbounds; i++)
        cr_expect_str_eq(llmops_json_string(llmops_json_at(bc, i), NULL), want[i], "bucket %zu",
                         i);
    for (size_t i = 0; i < d->nbounds; i++) {
        double bound = 0;
        cr_assert_eq(llmops_json_get_double(llmops_json_at(eb, i), &bound), LLMOPS_OK);
        cr_expect_eq(bound, d->bounds[i]);
    }

    const llmops_json *req = metric(root, "llmops.requests");
    cr_expect(llmops_json_is_true(get(req, "sum.isMonotonic")));
    cr_expect_str_eq(str(req, "sum.dataPoints.0.asInt"), "3");
    cr_expect_str_eq(str(req, "unit"), "{request}");
    const llmops_json *cost = metric(root, "llmops.cost_usd");
    double c = 0;
    cr_assert_eq(llmops_json_get_double(get(cost, "sum.dataPoints.0.asDouble"), &c), LLMOPS_OK);
    cr_expect_float_eq(c, 1.5, 0);
    const llmops_json *tok = metric(root, "gen_ai.client.token.usage");
    cr_expect_eq(llmops_json_size(get(tok, "histogram.dataPoints")), 2, "input and output");
    llmops_json_doc_free(doc);
    llmops__metrics_free(m);
}

Test(metrics_otlp, overflow_empty_and_awkward_values)
{
    llmops__metrics *m = llmops__metrics_new(2);
    llmops_json_doc *doc = export(m, NULL, 1);
    const llmops_json *root = llmops_json_doc_root(doc);
    cr_expect_str_eq(str(root, "resourceMetrics.0.resource.attributes.0.value.stringValue"),
                     "unknown_service");
    cr_expect_eq(llmops_json_size(get(root, "resourceMetrics.0.scopeMetrics.0.metrics")), 0);
    llmops_json_doc_free(doc);

    const char *odd[] = {"tab\there \"q\" \\ \x01", "bad\xff", "é"};
    const char *more[] = {"x", "y", "z"};
    const char *more2[] = {"x2", "y", "z"};
    cr_assert_eq(llmops__metrics_counter_add(m, LLMOPS__M_RETRIES, L(odd), 1), LLMOPS_OK);
    cr_assert_eq(llmops__metrics_counter_add(m, LLMOPS__M_RETRIES, L(more), 1), LLMOPS_OK);
    cr_assert_eq(llmops__metrics_counter_add(m, LLMOPS__M_RETRIES, L(more2), 4), LLMOPS_OK);
    doc = export(m, "svc", 2);
    root = llmops_json_doc_root(doc);
    const llmops_json *ret = metric(root, "llmops.retries");
    const llmops_json *pts = get(ret, "sum.dataPoints");
    cr_assert_eq(llmops_json_size(pts), 3);
    /* series come sorted by label values, bytewise, the overflow series last */
    const llmops_json *first = llmops_json_at(pts, 0);
    cr_expect_str_eq(llmops_json_string(get(attr(first, "task"), "stringValue"), NULL),
                     "tab\there \"q\" \\ \x01");
    cr_expect_str_eq(llmops_json_string(get(attr(first, "model"), "stringValue"), NULL),
                     "bad\xEF\xBF\xBD");
    const llmops_json *over = llmops_json_at(pts, 2);
    cr_expect(llmops_json_is_true(get(attr(over, "otel.metric.overflow"), "boolValue")));
    cr_expect_str_eq(str(over, "asInt"), "4");
    llmops_json_doc_free(doc);
    llmops__metrics_free(m);
}

/* OpenTelemetry's Prometheus naming: dots become underscores, the unit adds
 * a suffix (s -> _seconds; annotations in braces add none), monotonic sums
 * end in _total. Our Prometheus names follow it, so a collector that
 * converts our OTLP export shows the same names as our own exposition. */
Test(metrics_otlp, prometheus_names_follow_the_otel_conversion)
{
    llmops__metrics *m = llmops__metrics_new(0);
    for (int i = 0; i < LLMOPS__M_BUILTIN_COUNT; i++) {
        const llmops__metric_def *d = llmops__metrics_def(m, i);
        char want[160];
        size_t n = 0;
        for (const char *p = d->otel_name; *p && n < sizeof want - 20; p++)
            want[n++] = *p == '.' ? '_' : *p;
        want[n] = '\0';
        if (strcmp(d->unit, "s") == 0)
            strcat(want, "_seconds");
        else
            cr_assert_eq(d->unit[0], '{', "%s: unit %s has no conversion here", d->name, d->unit);
        if (d->kind == LLMOPS__METRIC_COUNTER)
            strcat(want, "_total");
        cr_expect_str_eq(d->name, want, "otel %s", d->otel_name);
    }
    llmops__metrics_free(m);
}

Test(metrics_otlp, allocation_failure_reported)
{
    llmops__metrics *m = llmops__metrics_new(0);
    const char *v[] = {"t", "m", "v"};
    cr_assert_eq(llmops__metrics_counter_add(m, LLMOPS__M_REQUESTS, L(v), 1), LLMOPS_OK);
    llmops__buf b = LLMOPS__BUF_INIT;
    b.limit = 100; /* too small for the body: the buffer fails as on OOM */
    cr_expect_eq(llmops__metrics_otlp_json(m, "svc", 1, &b), LLMOPS_E_NO_MEMORY);
    llmops__buf_free(&b);
    cr_expect_eq(llmops__metrics_otlp_json(NULL, "svc", 1, &b), LLMOPS_E_INVALID_ARGUMENT);
    llmops__metrics_free(m);
}
