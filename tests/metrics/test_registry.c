/* The registry: definitions and name checks, bucket math, reads and
 * snapshots, one call's contribution, the series cap, allocation failure,
 * and the built-in GenAI metrics against the semantic conventions. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "metrics/metrics.h"
#include "prom_check.h"
#include "testdata.h"

/* A label-value array with its length. */
#define L(array) LLMOPS__LABELS(array)

static const char *const ONE_LABEL[] = {"k"};
static const double TWO_BOUNDS[] = {1, 2};

static llmops__metric_def counter_def(const char *name)
{
    llmops__metric_def d = {name, NULL, "help", "1", LLMOPS__METRIC_COUNTER,
                            LLMOPS__VALUE_INT, 1, ONE_LABEL, 0, NULL};
    return d;
}

static llmops__metric_def hist_def(const char *name)
{
    llmops__metric_def d = {name, NULL, "help", "s", LLMOPS__METRIC_HISTOGRAM,
                            LLMOPS__VALUE_DOUBLE, 1, ONE_LABEL, 2, TWO_BOUNDS};
    return d;
}

Test(metrics_names, prometheus_name_rules)
{
    static const char *const good[] = {"a", "_x", ":x", "a:b_c9", "llmops_requests_total",
                                       "A_Z"};
    static const char *const bad[] = {"", "9a", "a-b", "a.b", "a b", "ä", "a{b"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++)
        cr_expect(llmops__metrics_valid_name(good[i]), "%s", good[i]);
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        cr_expect(!llmops__metrics_valid_name(bad[i]), "%s", bad[i]);
    cr_expect(!llmops__metrics_valid_name(NULL));
    static const char *const lgood[] = {"a", "_a", "gen_ai.token.type", "x9", "le"};
    static const char *const lbad[] = {"", "__name__", "__x", "9a", ":a", "a:b", "a-b", ".a"};
    for (size_t i = 0; i < sizeof lgood / sizeof *lgood; i++)
        cr_expect(llmops__metrics_valid_label(lgood[i]), "%s", lgood[i]);
    for (size_t i = 0; i < sizeof lbad / sizeof *lbad; i++)
        cr_expect(!llmops__metrics_valid_label(lbad[i]), "%s", lbad[i]);
}

Test(metrics_names, builtins_are_valid_and_distinct)
{
    llmops__metrics *m = llmops__metrics_new(0);
    for (int i = 0; i < LLMOPS__M_BUILTIN_COUNT; i++) {
        const llmops__metric_def *d = llmops__metrics_def(m, i);
        cr_assert_not_null(d);
        cr_expect(llmops__metrics_valid_name(d->name), "%s", d->name);
        cr_expect(d->help && *d->help && d->unit && *d->unit && d->otel_name);
        if (d->kind == LLMOPS__METRIC_COUNTER)
            cr_expect(strstr(d->name, "_total") == d->name + strlen(d->name) - 6, "%s",
                      d->name);
        else
            cr_expect(d->nbounds > 0 && d->nbounds <= LLMOPS__METRICS_BUCKETS_MAX);
        for (size_t b = 1; b < d->nbounds; b++)
            cr_expect(d->bounds[b] > d->bounds[b - 1]);
        for (size_t l = 0; l < d->nlabels; l++)
            cr_expect(llmops__metrics_valid_label(d->labels[l]), "%s", d->labels[l]);
        for (int j = 0; j < i; j++)
            cr_expect(strcmp(d->name, llmops__metrics_def(m, j)->name) != 0);
        /* and the registry's own check agrees: a copy under the same name clashes */
        int id;
        char *why = NULL;
        cr_expect_eq(llmops__metrics_define(m, d, &id, &why), LLMOPS_E_LIMIT, "%s", d->name);
        cr_expect(why && strstr(why, d->name), "%s", why ? why : "(no message)");
        llmops__free(why);
    }
    cr_expect_null(llmops__metrics_def(m, LLMOPS__M_BUILTIN_COUNT));
    cr_expect_null(llmops__metrics_def(m, -1));
    llmops__metrics_free(m);
}

Test(metrics_names, define_refuses_bad_definitions)
{
    llmops__metrics *m = llmops__metrics_new(0);
    struct { llmops__metric_def d; const char *in_msg; } cases[12];
    size_t n = 0;
    static const char *const le[] = {"le"};
    static const char *const dup[] = {"a.b", "a_b"};
    static const char *const reserved[] = {"__meta"};
    static const char *const overflow[] = {"otel.metric.overflow"};
    static const double down[] = {2, 1};
    static const double inf[] = {1, INFINITY};
    cases[n].d = counter_def("bad-name_total"); cases[n++].in_msg = "bad-name_total";
    cases[n].d = counter_def("no_suffix"); cases[n++].in_msg = "_total";
    cases[n].d = hist_def("h_seconds"); cases[n].d.labels = le; cases[n++].in_msg = "\"le\"";
    cases[n].d = counter_def("d_total"); cases[n].d.nlabels = 2; cases[n].d.labels = dup;
    cases[n++].in_msg = "twice";
    cases[n].d = counter_def("r_total"); cases[n].d.labels = reserved; cases[n++].in_msg = "__meta";
    cases[n].d = counter_def("o_total"); cases[n].d.labels = overflow;
    cases[n++].in_msg = "overflow";
    cases[n].d = hist_def("down_seconds"); cases[n].d.bounds = down;
    cases[n++].in_msg = "increasing";
    cases[n].d = hist_def("inf_seconds"); cases[n].d.bounds = inf; cases[n++].in_msg = "finite";
    cases[n].d = hist_def("none_seconds"); cases[n].d.nbounds = 0; cases[n++].in_msg = "bound";
    cases[n].d = counter_def("k_total"); cases[n].d.kind = 7; cases[n++].in_msg = "kind";
    cases[n].d = counter_def("u_total"); cases[n].d.unit = NULL; cases[n++].in_msg = "unit";
    for (size_t i = 0; i < n; i++) {
        int id = -1;
        char *why = NULL;
        cr_expect_eq(llmops__metrics_define(m, &cases[i].d, &id, &why),
                     LLMOPS_E_INVALID_ARGUMENT, "case %zu", i);
        cr_expect(why && strstr(why, cases[i].in_msg), "case %zu: %s", i, why ? why : "-");
        cr_expect_eq(id, -1);
        llmops__free(why);
    }
    /* names a histogram's series occupy are taken too */
    int id;
    llmops__metric_def h = hist_def("lat");
    cr_assert_eq(llmops__metrics_define(m, &h, &id, NULL), LLMOPS_OK);
    llmops__metric_def h2 = hist_def("lat_sum");
    char *why = NULL;
    cr_expect_eq(llmops__metrics_define(m, &h2, &id, &why), LLMOPS_E_LIMIT);
    cr_expect(why && strstr(why, "clashes with metric lat"), "%s", why ? why : "-");
    llmops__free(why);
    llmops__metric_def h3 = hist_def("l");
    cr_expect_eq(llmops__metrics_define(m, &h3, &id, NULL), LLMOPS_OK);
    llmops__metric_def c = counter_def("c_total");
    cr_assert_eq(llmops__metrics_define(m, &c, &id, NULL), LLMOPS_OK);
    llmops__metric_def h4 = hist_def("c_total");
    cr_expect_eq(llmops__metrics_define(m, &h4, &id, NULL), LLMOPS_E_LIMIT);
    /* and so is an OpenTelemetry name */
    llmops__metric_def o = counter_def("other_total");
    o.otel_name = "gen_ai.client.token.usage";
    cr_expect_eq(llmops__metrics_define(m, &o, &id, NULL), LLMOPS_E_LIMIT);
    llmops__metrics_free(m);
}

Test(metrics_names, table_holds_at_most_64)
{
    llmops__metrics *m = llmops__metrics_new(0);
    int defined = 0, id = -1;
    llmops_status st = LLMOPS_OK;
    char name[32];
    while (st == LLMOPS_OK) {
        snprintf(name, sizeof name, "extra%d_total", defined);
        llmops__metric_def d = counter_def(name);
        st = llmops__metrics_define(m, &d, &id, NULL);
        if (st == LLMOPS_OK) {
            defined++;
            /* the definition is copied: the name buffer is reused */
            cr_assert_str_eq(llmops__metrics_def(m, id)->name, name);
        }
    }
    cr_expect_eq(st, LLMOPS_E_LIMIT);
    cr_expect_eq(defined + LLMOPS__M_BUILTIN_COUNT, LLMOPS__METRICS_MAX);
    cr_expect_str_eq(llmops__metrics_def(m, LLMOPS__M_BUILTIN_COUNT)->name, "extra0_total");
    const char *v[] = {"x"};
    cr_expect_eq(llmops__metrics_counter_add(m, id, L(v), 5), LLMOPS_OK);
    llmops__metrics_free(m);
}

Test(metrics_updates, wrong_kind_and_bad_amounts)
{
    llmops__metrics *m = llmops__metrics_new(0);
    const char *v[] = {"t", "m", "v"};
    cr_expect_eq(llmops__metrics_counter_add(m, LLMOPS__M_LATENCY, L(v), 1),
                 LLMOPS_E_INVALID_ARGUMENT);
    cr_expect_eq(llmops__metrics_histogram_observe(m, LLMOPS__M_REQUESTS, L(v), 1),
                 LLMOPS_E_INVALID_ARGUMENT);
    cr_expect_eq(llmops__metrics_counter_add(m, 999, L(v), 1), LLMOPS_E_INVALID_ARGUMENT);
    cr_expect_eq(llmops__metrics_counter_add(m, -1, L(v), 1), LLMOPS_E_INVALID_ARGUMENT);
    cr_expect_eq(llmops__metrics_counter_add(NULL, LLMOPS__M_REQUESTS, L(v), 1),
                 LLMOPS_E_INVALID_ARGUMENT);
    cr_expect_eq(llmops__metrics_counter_add_double(m, LLMOPS__M_COST, L(v), -0.5),
                 LLMOPS_E_INVALID_ARGUMENT);
    cr_expect_eq(llmops__metrics_counter_add_double(m, LLMOPS__M_COST, L(v), NAN),
                 LLMOPS_E_INVALID_ARGUMENT);
    /* an integer counter keeps exact integers, so fractional amounts are refused */
    cr_expect_eq(llmops__metrics_counter_add_double(m, LLMOPS__M_REQUESTS, L(v), 1.0),
                 LLMOPS_E_INVALID_ARGUMENT);
    cr_expect_eq(llmops__metrics_histogram_observe(m, LLMOPS__M_LATENCY, L(v), NAN),
                 LLMOPS_E_INVALID_ARGUMENT);
    /* the number of values must match the metric's labels */
    const char *two[] = {"t", "m"};
    const char *four[] = {"t", "m", "v", "x"};
    cr_expect_eq(llmops__metrics_counter_add(m, LLMOPS__M_REQUESTS, L(two), 1),
                 LLMOPS_E_INVALID_ARGUMENT);
    cr_expect_eq(llmops__metrics_counter_add(m, LLMOPS__M_REQUESTS, L(four), 1),
                 LLMOPS_E_INVALID_ARGUMENT);
    cr_expect_eq(llmops__metrics_histogram_observe(m, LLMOPS__M_LATENCY, L(four), 1),
                 LLMOPS_E_INVALID_ARGUMENT);
    cr_expect_eq(llmops__metrics_read(m, LLMOPS__M_REQUESTS, L(two), NULL, NULL,
                                      NULL), LLMOPS_E_INVALID_ARGUMENT);
    cr_expect_eq(llmops__metrics_series_count(m), 0, "refused updates made series");
    /* integer amounts on a double counter are fine */
    cr_expect_eq(llmops__metrics_counter_add(m, LLMOPS__M_COST, L(v), 3), LLMOPS_OK);
    double cost = 0;
    cr_expect_eq(llmops__metrics_read(m, LLMOPS__M_COST, L(v), NULL, &cost, NULL), LLMOPS_OK);
    cr_expect_float_eq(cost, 3.0, 0);
    llmops__metrics_free(m);
}

Test(metrics_updates, bucket_math)
{
    llmops__metrics *m = llmops__metrics_new(0);
    static const double bounds[] = {-1, 0, 1, 2.5};
    llmops__metric_def d = hist_def("b_seconds");
    d.bounds = bounds;
    d.nbounds = 4;
    int id;
    cr_assert_eq(llmops__metrics_define(m, &d, &id, NULL), LLMOPS_OK);
    const char *v[] = {"x"};
    /* value -> the bucket it belongs to: le is inclusive */
    struct { double v; size_t bucket; } obs[] = {
        {-2, 0}, {-1, 0}, {-0.5, 1}, {0, 1}, {-0.0, 1}, {1e-300, 2}, {1, 2},
        {1.0000001, 3}, {2.5, 3}, {2.5000001, 4}, {1e308, 4}, {-INFINITY, 0},
    };
    size_t per[5] = {0};
    double sum = 0;
    for (size_t i = 0; i < sizeof obs / sizeof *obs; i++) {
        cr_assert_eq(llmops__metrics_histogram_observe(m, id, L(v), obs[i].v), LLMOPS_OK);
        per[obs[i].bucket]++;
        sum += obs[i].v;
    }
    uint64_t buckets[5], count;
    double got_sum;
    cr_assert_eq(llmops__metrics_read(m, id, L(v), &count, &got_sum, buckets), LLMOPS_OK);
    uint64_t cum = 0;
    for (size_t b = 0; b < 5; b++) {
        cum += per[b];
        cr_expect_eq(buckets[b], cum, "bucket %zu: %llu, expected %llu", b,
                     (unsigned long long)buckets[b], (unsigned long long)cum);
    }
    cr_expect_eq(count, sizeof obs / sizeof *obs);
    cr_expect(isinf(got_sum) && got_sum < 0 && isinf(sum));
    /* +Inf lands in the +Inf bucket only */
    const char *w[] = {"inf"};
    cr_assert_eq(llmops__metrics_histogram_observe(m, id, L(w), INFINITY), LLMOPS_OK);
    cr_assert_eq(llmops__metrics_read(m, id, L(w), &count, &got_sum, buckets), LLMOPS_OK);
    cr_expect_eq(buckets[3], 0);
    cr_expect_eq(buckets[4], 1);
    cr_expect(isinf(got_sum) && got_sum > 0);
    llmops__metrics_free(m);
}

Test(metrics_updates, gen_ai_buckets_place_values)
{
    llmops__metrics *m = llmops__metrics_new(0);
    const char *v[] = {"chat", "openai", "gpt", "gpt", "input"};
    /* 16 tokens sit on a bound, 17 go to the next one */
    cr_assert_eq(llmops__metrics_histogram_observe(m, LLMOPS__M_GENAI_TOKENS, L(v), 16), LLMOPS_OK);
    cr_assert_eq(llmops__metrics_histogram_observe(m, LLMOPS__M_GENAI_TOKENS, L(v), 17), LLMOPS_OK);
    cr_assert_eq(llmops__metrics_histogram_observe(m, LLMOPS__M_GENAI_TOKENS, L(v), 1e9),
                 LLMOPS_OK);
    uint64_t b[15];
    cr_assert_eq(llmops__metrics_read(m, LLMOPS__M_GENAI_TOKENS, L(v), NULL, NULL, b), LLMOPS_OK);
    cr_expect_eq(b[1], 0); /* le 4 */
    cr_expect_eq(b[2], 1); /* le 16 */
    cr_expect_eq(b[3], 2); /* le 64 */
    cr_expect_eq(b[13], 2); /* le 67108864 */
    cr_expect_eq(b[14], 3); /* +Inf */
    llmops__metrics_free(m);
}

typedef struct visit_log {
    int ids[LLMOPS__METRICS_MAX];
    size_t n;
    int stop_after;
    char first_values[4][64];
    size_t nfirst;
} visit_log;

static int visit(const llmops__metric_def *d, int id, const llmops__series_view *s, size_t n,
                 void *ud)
{
    visit_log *log = ud;
    log->ids[log->n++] = id;
    if (id == LLMOPS__M_REQUESTS)
        for (size_t i = 0; i < n && i < 4; i++)
            snprintf(log->first_values[log->nfirst++], 64, "%s|%s|%s%s",
                     s[i].overflow ? "-" : s[i].values[0], s[i].overflow ? "-" : s[i].values[1],
                     s[i].overflow ? "-" : s[i].values[2], s[i].overflow ? "!" : "");
    (void)d;
    return log->stop_after && (int)log->n >= log->stop_after;
}

Test(metrics_snapshot, foreach_order_values_and_abort)
{
    llmops__metrics *m = llmops__metrics_new(0);
    const char *b[] = {"b", "m", NULL};
    const char *a2[] = {"a", "m2", ""};
    const char *a1[] = {"a", "m", "long-variant"};
    const char *ab[] = {"ab", "", ""};
    cr_assert_eq(llmops__metrics_counter_add(m, LLMOPS__M_REQUESTS, L(b), 1), LLMOPS_OK);
    cr_assert_eq(llmops__metrics_counter_add(m, LLMOPS__M_REQUESTS, L(a2), 1), LLMOPS_OK);
    cr_assert_eq(llmops__metrics_counter_add(m, LLMOPS__M_REQUESTS, L(a1), 1), LLMOPS_OK);
    cr_assert_eq(llmops__metrics_counter_add(m, LLMOPS__M_REQUESTS, L(ab), 1), LLMOPS_OK);
    cr_assert_eq(llmops__metrics_counter_add(m, LLMOPS__M_CACHE_HITS, L(a1), 1), LLMOPS_OK);
    cr_assert_eq(llmops__metrics_histogram_observe(m, LLMOPS__M_LATENCY, L(a1), 1), LLMOPS_OK);
    visit_log log = {0};
    cr_assert_eq(llmops__metrics_foreach(m, visit, &log), LLMOPS_OK);
    cr_assert_eq(log.n, 3);
    cr_expect_eq(log.ids[0], LLMOPS__M_REQUESTS);
    cr_expect_eq(log.ids[1], LLMOPS__M_LATENCY);
    cr_expect_eq(log.ids[2], LLMOPS__M_CACHE_HITS);
    cr_assert_eq(log.nfirst, 4);
    cr_expect_str_eq(log.first_values[0], "a|m|long-variant");
    cr_expect_str_eq(log.first_values[1], "a|m2|");
    cr_expect_str_eq(log.first_values[2], "ab||");
    cr_expect_str_eq(log.first_values[3], "b|m|");
    visit_log stop = {0};
    stop.stop_after = 2;
    cr_expect_eq(llmops__metrics_foreach(m, visit, &stop), LLMOPS_E_ABORTED);
    cr_expect_eq(stop.n, 2);
    /* NULL and "" are the same label value */
    const char *bnull[] = {"b", "m", ""};
    uint64_t c = 0;
    cr_expect_eq(llmops__metrics_read(m, LLMOPS__M_REQUESTS, L(bnull), &c, NULL, NULL), LLMOPS_OK);
    cr_expect_eq(c, 1);
    const char *missing[] = {"zzz", "m", ""};
    cr_expect_eq(llmops__metrics_read(m, LLMOPS__M_REQUESTS, L(missing), &c, NULL, NULL),
                 LLMOPS_E_NOT_FOUND);
    llmops__metrics_free(m);
}

Test(metrics_snapshot, long_values_cut_at_a_character)
{
    llmops__metrics *m = llmops__metrics_new(0);
    /* 255 ASCII bytes then a 2-byte character straddling byte 256 */
    char longv[400];
    memset(longv, 'a', 255);
    memcpy(longv + 255, "é", 2);
    memset(longv + 257, 'b', 50);
    longv[307] = '\0';
    const char *v[] = {longv, "m", "v"};
    cr_assert_eq(llmops__metrics_counter_add(m, LLMOPS__M_REQUESTS, L(v), 1), LLMOPS_OK);
    /* a value differing only beyond the cut is the same series */
    longv[300] = 'c';
    cr_assert_eq(llmops__metrics_counter_add(m, LLMOPS__M_REQUESTS, L(v), 1), LLMOPS_OK);
    cr_expect_eq(llmops__metrics_series_count(m), 1);
    llmops__buf b = LLMOPS__BUF_INIT;
    cr_assert_eq(llmops__metrics_prometheus(m, &b), LLMOPS_OK);
    char want[300];
    snprintf(want, sizeof want, "task=\"%.255s\",model", longv);
    cr_expect_not_null(strstr(b.data, want), "cut value not found in\n%s", b.data);
    cr_expect_not_null(strstr(b.data, "} 2\n"));
    llmops__buf_free(&b);
    llmops__metrics_free(m);
}

Test(metrics_calls, record_call_feeds_every_metric)
{
    llmops__metrics *m = llmops__metrics_new(0);
    llmops__call_sample s = {0};
    s.task = "support.answer";
    s.model = "gpt-4o-mini";
    s.variant = "canary";
    s.provider = "openai";
    s.status = LLMOPS_OK;
    s.latency_ns = 1500000000u;
    s.ttft_ns = 200000000u;
    s.has_usage = 1;
    s.usage = (llmops_usage)LLMOPS_USAGE_INIT;
    s.usage.input_tokens = 100;
    s.usage.output_tokens = 20;
    s.usage.cached_input_tokens = 30;
    s.usage.reasoning_tokens = 5;
    s.cost_known = 1;
    s.cost_usd = 0.00042;
    s.retries = 2;
    s.fallbacks = 1;
    cr_assert_eq(llmops__metrics_record_call(m, &s), LLMOPS_OK);
    cr_assert_eq(llmops__metrics_record_call(m, &s), LLMOPS_OK);
    llmops__call_sample f = s;
    f.status = LLMOPS_E_RATE_LIMITED;
    f.has_usage = 0;
    f.ttft_ns = 0;
    f.cost_known = 0;
    f.retries = 0;
    f.fallbacks = 0;
    f.cache_hit = 1;
    f.latency_ns = 50000000u;
    cr_assert_eq(llmops__metrics_record_call(m, &f), LLMOPS_OK);

    const char *call[] = {"support.answer", "gpt-4o-mini", "canary"};
    uint64_t n = 0, b[17];
    double v = 0;
    cr_expect_eq(llmops__metrics_read(m, LLMOPS__M_REQUESTS, L(call), &n, NULL, NULL), LLMOPS_OK);
    cr_expect_eq(n, 3);
    const char *err[] = {"support.answer", "gpt-4o-mini", "canary", "rate_limited"};
    cr_expect_eq(llmops__metrics_read(m, LLMOPS__M_ERRORS, L(err), &n, NULL, NULL), LLMOPS_OK);
    cr_expect_eq(n, 1);
    cr_expect_eq(llmops__metrics_read(m, LLMOPS__M_LATENCY, L(call), &n, &v, b), LLMOPS_OK);
    cr_expect_eq(n, 3);
    cr_expect_float_eq(v, 3.05, 1e-9);
    cr_expect_eq(b[2], 0);  /* le 0.04 */
    cr_expect_eq(b[3], 1);  /* le 0.08: the 50 ms failure */
    cr_expect_eq(b[8], 3);  /* le 2.56 */
    cr_expect_eq(llmops__metrics_read(m, LLMOPS__M_TTFT, L(call), &n, &v, b), LLMOPS_OK);
    cr_expect_eq(n, 2);
    cr_expect_float_eq(v, 0.4, 1e-9);
    cr_expect_eq(b[7], 0);  /* le 0.1 */
    cr_expect_eq(b[8], 2);  /* le 0.25 */
    struct { const char *type; uint64_t want; } tok[] = {
        {"input", 200}, {"output", 40}, {"cached_input", 60}, {"reasoning", 10},
    };
    for (size_t i = 0; i < 4; i++) {
        const char *t[] = {"support.answer", "gpt-4o-mini", "canary", tok[i].type};
        cr_expect_eq(llmops__metrics_read(m, LLMOPS__M_TOKENS, L(t), &n, NULL, NULL), LLMOPS_OK);
        cr_expect_eq(n, tok[i].want, "%s: %llu", tok[i].type, (unsigned long long)n);
    }
    const char *cc[] = {"support.answer", "gpt-4o-mini", "canary", "cache_creation"};
    cr_expect_eq(llmops__metrics_read(m, LLMOPS__M_TOKENS, L(cc), &n, NULL, NULL),
                 LLMOPS_E_NOT_FOUND, "zero counts make no series");
    cr_expect_eq(llmops__metrics_read(m, LLMOPS__M_COST, L(call), NULL, &v, NULL), LLMOPS_OK);
    cr_expect_float_eq(v, 0.00084, 1e-15);
    cr_expect_eq(llmops__metrics_read(m, LLMOPS__M_RETRIES, L(call), &n, NULL, NULL), LLMOPS_OK);
    cr_expect_eq(n, 4);
    cr_expect_eq(llmops__metrics_read(m, LLMOPS__M_FALLBACKS, L(call), &n, NULL, NULL), LLMOPS_OK);
    cr_expect_eq(n, 2);
    cr_expect_eq(llmops__metrics_read(m, LLMOPS__M_CACHE_HITS, L(call), &n, NULL, NULL), LLMOPS_OK);
    cr_expect_eq(n, 1);
    const char *ok[] = {"chat", "openai", "gpt-4o-mini", "gpt-4o-mini", NULL};
    cr_expect_eq(llmops__metrics_read(m, LLMOPS__M_GENAI_DURATION, L(ok), &n, &v, NULL), LLMOPS_OK);
    cr_expect_eq(n, 2);
    cr_expect_float_eq(v, 3.0, 1e-9);
    const char *bad[] = {"chat", "openai", "gpt-4o-mini", "gpt-4o-mini", "rate_limited"};
    cr_expect_eq(llmops__metrics_read(m, LLMOPS__M_GENAI_DURATION, L(bad), &n, NULL, NULL),
                 LLMOPS_OK);
    cr_expect_eq(n, 1);
    const char *in[] = {"chat", "openai", "gpt-4o-mini", "gpt-4o-mini", "input"};
    cr_expect_eq(llmops__metrics_read(m, LLMOPS__M_GENAI_TOKENS, L(in), &n, &v, NULL), LLMOPS_OK);
    cr_expect_eq(n, 2);
    cr_expect_float_eq(v, 200.0, 0);
    const char *out[] = {"chat", "openai", "gpt-4o-mini", "gpt-4o-mini", "output"};
    cr_expect_eq(llmops__metrics_read(m, LLMOPS__M_GENAI_TOKENS, L(out), &n, &v, NULL), LLMOPS_OK);
    cr_expect_float_eq(v, 40.0, 0);
    const char *ttfc[] = {"chat", "openai", "gpt-4o-mini", "gpt-4o-mini"};
    cr_expect_eq(llmops__metrics_read(m, LLMOPS__M_GENAI_TTFC, L(ttfc), &n, NULL, NULL), LLMOPS_OK);
    cr_expect_eq(n, 2);
    /* a given error.type and response model win over the defaults */
    llmops__call_sample g = f;
    g.error_type = "429";
    g.response_model = "gpt-4o-mini-2024-07-18";
    g.operation = "text_completion";
    cr_assert_eq(llmops__metrics_record_call(m, &g), LLMOPS_OK);
    const char *given[] = {"text_completion", "openai", "gpt-4o-mini", "gpt-4o-mini-2024-07-18",
                           "429"};
    cr_expect_eq(llmops__metrics_read(m, LLMOPS__M_GENAI_DURATION, L(given), &n, NULL, NULL),
                 LLMOPS_OK);
    cr_expect_eq(n, 1);
    cr_expect_eq(llmops__metrics_record_call(m, NULL), LLMOPS_E_INVALID_ARGUMENT);
    llmops__metrics_free(m);
}

static int find_overflow(const llmops__metric_def *d, int id, const llmops__series_view *s,
                         size_t n, void *ud)
{
    uint64_t *out = ud;
    if (id == LLMOPS__M_REQUESTS && n && s[n - 1].overflow) {
        cr_expect_null(s[n - 1].values);
        *out = s[n - 1].count;
    }
    (void)d;
    return 0;
}

Test(metrics_cap, label_explosion_folds_into_overflow)
{
    llmops__metrics *m = llmops__metrics_new(100);
    char task[32];
    const char *v[] = {task, "m", "v"};
    for (int i = 0; i < 150; i++) {
        snprintf(task, sizeof task, "task-%03d", i);
        cr_assert_eq(llmops__metrics_counter_add(m, LLMOPS__M_REQUESTS, L(v), 1), LLMOPS_OK);
    }
    /* 100 label sets, plus the overflow counter's one series kept in reserve */
    cr_expect_eq(llmops__metrics_series_count(m), 101);
    uint64_t n = 0;
    snprintf(task, sizeof task, "task-%03d", 120);
    cr_expect_eq(llmops__metrics_read(m, LLMOPS__M_REQUESTS, L(v), &n, NULL, NULL),
                 LLMOPS_E_NOT_FOUND);
    /* stored series keep counting */
    snprintf(task, sizeof task, "task-%03d", 5);
    cr_assert_eq(llmops__metrics_counter_add(m, LLMOPS__M_REQUESTS, L(v), 1), LLMOPS_OK);
    cr_expect_eq(llmops__metrics_read(m, LLMOPS__M_REQUESTS, L(v), &n, NULL, NULL), LLMOPS_OK);
    cr_expect_eq(n, 2);
    uint64_t folded = 0;
    cr_assert_eq(llmops__metrics_foreach(m, find_overflow, &folded), LLMOPS_OK);
    cr_expect_eq(folded, 50);
    const char *name[] = {"llmops_requests_total"};
    cr_expect_eq(llmops__metrics_read(m, LLMOPS__M_OVERFLOW, L(name), &n, NULL, NULL), LLMOPS_OK);
    cr_expect_eq(n, 50);
    /* another metric folds into its own overflow series */
    cr_assert_eq(llmops__metrics_histogram_observe(m, LLMOPS__M_LATENCY, L(v), 0.5), LLMOPS_OK);
    const char *lat[] = {"llmops_latency_seconds"};
    cr_expect_eq(llmops__metrics_read(m, LLMOPS__M_OVERFLOW, L(lat), &n, NULL, NULL), LLMOPS_OK);
    cr_expect_eq(n, 1);
    cr_expect_eq(llmops__metrics_series_count(m), 102);

    llmops__buf b = LLMOPS__BUF_INIT;
    cr_assert_eq(llmops__metrics_prometheus(m, &b), LLMOPS_OK);
    cr_expect_not_null(strstr(b.data, "llmops_requests_total{otel_metric_overflow=\"true\"} 50\n"));
    cr_expect_not_null(strstr(b.data, "llmops_latency_seconds_bucket{otel_metric_overflow="
                                      "\"true\",le=\"+Inf\"} 1\n"));
    cr_expect_not_null(strstr(b.data, "llmops_metric_overflow_total{metric="
                                      "\"llmops_requests_total\"} 50\n"));
    char err[256];
    cr_expect_eq(lt_prom_check(b.data, err, sizeof err, NULL), 0, "%s", err);
    llmops__buf_free(&b);
    llmops__metrics_free(m);
}

Test(metrics_cap, memory_stays_bounded)
{
    llmops__metrics *m = llmops__metrics_new(1000);
    char task[32];
    const char *v[] = {task, "m", "v"};
    for (int i = 0; i < 200000; i++) {
        snprintf(task, sizeof task, "t%d", i);
        cr_assert_eq(llmops__metrics_histogram_observe(m, LLMOPS__M_LATENCY, L(v), 1), LLMOPS_OK);
    }
    cr_expect_leq(llmops__metrics_series_count(m), 1000 + LLMOPS__METRICS_MAX);
    const char *name[] = {"llmops_latency_seconds"};
    uint64_t n = 0;
    cr_expect_eq(llmops__metrics_read(m, LLMOPS__M_OVERFLOW, L(name), &n, NULL, NULL), LLMOPS_OK);
    cr_expect_eq(n, 199000);
    llmops__metrics_free(m);
}

/* ---- allocation failure ------------------------------------------------------ */

static long budget = -1;

static void *f_alloc(size_t n, void *ctx)
{
    (void)ctx;
    if (budget == 0)
        return NULL;
    if (budget > 0)
        budget--;
    return malloc(n ? n : 1);
}

static void *f_realloc(void *p, size_t n, void *ctx)
{
    (void)ctx;
    if (budget == 0)
        return NULL;
    if (budget > 0)
        budget--;
    return realloc(p, n ? n : 1);
}

static void f_free(void *p, void *ctx)
{
    (void)ctx;
    free(p);
}

Test(metrics_nomem, failures_lose_one_update_only)
{
    llmops_allocator a = {LLMOPS_ALLOCATOR_VERSION, f_alloc, f_realloc, f_free, NULL};
    cr_assert_eq(llmops_set_allocator(&a), LLMOPS_OK);
    budget = 0;
    cr_expect_null(llmops__metrics_new(0));
    budget = 1;
    cr_expect_null(llmops__metrics_new(0));
    budget = -1;
    llmops__metrics *m = llmops__metrics_new(0);
    cr_assert_not_null(m);
    const char *v[] = {"t", "m", "v"};
    budget = 0;
    cr_expect_eq(llmops__metrics_counter_add(m, LLMOPS__M_REQUESTS, L(v), 1), LLMOPS_E_NO_MEMORY);
    cr_expect_eq(llmops__metrics_series_count(m), 0);
    budget = -1;
    cr_expect_eq(llmops__metrics_counter_add(m, LLMOPS__M_REQUESTS, L(v), 1), LLMOPS_OK);
    /* an existing series needs no memory */
    budget = 0;
    cr_expect_eq(llmops__metrics_counter_add(m, LLMOPS__M_REQUESTS, L(v), 1), LLMOPS_OK);
    llmops__buf b = LLMOPS__BUF_INIT;
    cr_expect_eq(llmops__metrics_prometheus(m, &b), LLMOPS_E_NO_MEMORY);
    llmops__buf_free(&b);
    llmops__metric_def d = counter_def("x_total");
    int id;
    cr_expect_eq(llmops__metrics_define(m, &d, &id, NULL), LLMOPS_E_NO_MEMORY);
    /* a failing snapshot fails at every point, never half-written as success */
    for (long k = 1; k < 6; k++) {
        budget = k;
        llmops__buf c = LLMOPS__BUF_INIT;
        llmops_status st = llmops__metrics_prometheus(m, &c);
        budget = -1;
        cr_expect(st == LLMOPS_OK || st == LLMOPS_E_NO_MEMORY);
        if (st == LLMOPS_OK)
            cr_expect_not_null(strstr(c.data, "llmops_requests_total{task=\"t\",model=\"m\","
                                              "variant=\"v\"} 2\n"));
        llmops__buf_free(&c);
    }
    budget = -1;
    uint64_t n = 0;
    cr_expect_eq(llmops__metrics_read(m, LLMOPS__M_REQUESTS, L(v), &n, NULL, NULL), LLMOPS_OK);
    cr_expect_eq(n, 2);
    llmops__metrics_free(m);
    llmops_set_allocator(NULL);
}

/* ---- the semantic conventions ------------------------------------------------------ */

/* The bounds listed after "ExplicitBucketBoundaries] of" in the section
 * before the metric's generated table. */
static size_t doc_bounds(const char *doc, const char *metric, double *out, size_t cap)
{
    char marker[160];
    snprintf(marker, sizeof marker, "<!-- semconv metric.%s -->", metric);
    const char *end = strstr(doc, marker);
    if (!end)
        return 0;
    const char *p = NULL;
    for (const char *q = doc; (q = strstr(q, "ExplicitBucketBoundaries] of")) && q < end; q++)
        p = q;
    if (!p)
        return 0;
    p = strchr(p, '[');
    size_t n = 0;
    while (p && *p != ']' && n < cap) {
        char *e;
        out[n++] = strtod(p + 1, &e);
        p = e;
        while (*p == ' ' || *p == '\n')
            p++;
        if (*p != ',' && *p != ']')
            return 0;
    }
    return n;
}

Test(metrics_semconv, gen_ai_names_and_boundaries_match_the_conventions)
{
    const char *yaml_path = lt_testdata_path("otel-genai/model/gen-ai/metrics.yaml");
    const char *md_path = lt_testdata_path("otel-genai/docs/gen-ai/gen-ai-metrics.md");
    if (!yaml_path || !md_path)
        cr_skip_test("otel-genai test data not found under %s", lt_testdata_dir());
    char *yaml = lt_read_file(yaml_path, NULL);
    char *md = lt_read_file(md_path, NULL);
    cr_assert(yaml && md);
    llmops__metrics *m = llmops__metrics_new(0);
    int ids[] = {LLMOPS__M_GENAI_DURATION, LLMOPS__M_GENAI_TOKENS, LLMOPS__M_GENAI_TTFC};
    const char *units[] = {"s", "{token}", "s"};
    for (size_t i = 0; i < 3; i++) {
        const llmops__metric_def *d = llmops__metrics_def(m, ids[i]);
        char want[200];
        snprintf(want, sizeof want, "metric_name: %s\n", d->otel_name);
        const char *at = strstr(yaml, want);
        cr_assert_not_null(at, "%s not in metrics.yaml", d->otel_name);
        const char *next = strstr(at + 1, "metric_name:");
        const char *inst = strstr(at, "instrument: histogram");
        cr_expect(inst && (!next || inst < next), "%s is not a histogram", d->otel_name);
        snprintf(want, sizeof want, "unit: \"%s\"", units[i]);
        const char *unit = strstr(at, want);
        cr_expect(unit && (!next || unit < next), "%s unit", d->otel_name);
        cr_expect_str_eq(d->unit, units[i]);
        double bounds[64];
        size_t n = doc_bounds(md, d->otel_name, bounds, 64);
        cr_assert_eq(n, d->nbounds, "%s: %zu bounds in the docs, %zu here", d->otel_name, n,
                     d->nbounds);
        for (size_t b = 0; b < n; b++)
            cr_expect_eq(bounds[b], d->bounds[b], "%s bound %zu", d->otel_name, b);
        /* every attribute the conventions require for GenAI client metrics */
        int has_op = 0, has_provider = 0;
        for (size_t l = 0; l < d->nlabels; l++) {
            has_op |= strcmp(d->labels[l], "gen_ai.operation.name") == 0;
            has_provider |= strcmp(d->labels[l], "gen_ai.provider.name") == 0;
        }
        cr_expect(has_op && has_provider, "%s lacks required attributes", d->otel_name);
    }
    const llmops__metric_def *tok = llmops__metrics_def(m, LLMOPS__M_GENAI_TOKENS);
    cr_expect_str_eq(tok->labels[tok->nlabels - 1], "gen_ai.token.type");
    llmops__metrics_free(m);
    free(yaml);
    free(md);
}
