/* Prometheus text exposition: golden text, escaping, number formatting and a
 * strict line-by-line read of everything the registry writes. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "metrics/metrics.h"
#include "prom_check.h"

/* A label-value array with its length. */
#define L(array) LLMOPS__LABELS(array)

static char *render(const llmops__metrics *m)
{
    llmops__buf b = LLMOPS__BUF_INIT;
    cr_assert_eq(llmops__metrics_prometheus(m, &b), LLMOPS_OK);
    char *text = llmops__buf_detach(&b, NULL);
    cr_assert_not_null(text);
    return text;
}

static void check(const char *text, size_t want_samples)
{
    char err[512];
    size_t n = 0;
    cr_assert_eq(lt_prom_check(text, err, sizeof err, &n), 0, "%s\n--- exposition ---\n%s", err,
                 text);
    if (want_samples)
        cr_assert_eq(n, want_samples, "%zu samples, expected %zu", n, want_samples);
}

Test(metrics_prom, golden_small_registry)
{
    llmops__metrics *m = llmops__metrics_new(0);
    cr_assert_not_null(m);
    static const char *const labels[] = {"route.name"};
    static const double bounds[] = {0.1, 1};
    llmops__metric_def d = {"demo_seconds", "demo.duration", "Demo \\ help\nsecond line.", "s",
                            LLMOPS__METRIC_HISTOGRAM, LLMOPS__VALUE_DOUBLE, 1, labels, 2, bounds};
    int demo = -1;
    char *why = NULL;
    cr_assert_eq(llmops__metrics_define(m, &d, &demo, &why), LLMOPS_OK, "%s", why);
    cr_assert_eq(demo, LLMOPS__M_BUILTIN_COUNT);

    const char *a[] = {"support.answer", "gpt-4o", "a"};
    const char *b[] = {"support.answer", "claude", "b"};
    const char *e[] = {"support.answer", "gpt-4o", "a", "timeout"};
    cr_assert_eq(llmops__metrics_counter_add(m, LLMOPS__M_REQUESTS, L(a), 2), LLMOPS_OK);
    cr_assert_eq(llmops__metrics_counter_add(m, LLMOPS__M_REQUESTS, L(b), 1), LLMOPS_OK);
    cr_assert_eq(llmops__metrics_counter_add(m, LLMOPS__M_ERRORS, L(e), 1), LLMOPS_OK);
    cr_assert_eq(llmops__metrics_counter_add_double(m, LLMOPS__M_COST, L(a), 0.0125), LLMOPS_OK);
    const char *q[] = {"x\"y"};
    const char *none[] = {NULL};
    cr_assert_eq(llmops__metrics_histogram_observe(m, demo, L(q), 0.1), LLMOPS_OK);
    cr_assert_eq(llmops__metrics_histogram_observe(m, demo, L(q), 0.5), LLMOPS_OK);
    cr_assert_eq(llmops__metrics_histogram_observe(m, demo, L(q), 2), LLMOPS_OK);
    cr_assert_eq(llmops__metrics_histogram_observe(m, demo, L(none), 5), LLMOPS_OK);

    static const char golden[] =
        "# HELP llmops_requests_total Calls finished, successful or not, by task, model and "
        "route variant.\n"
        "# TYPE llmops_requests_total counter\n"
        "llmops_requests_total{task=\"support.answer\",model=\"claude\",variant=\"b\"} 1\n"
        "llmops_requests_total{task=\"support.answer\",model=\"gpt-4o\",variant=\"a\"} 2\n"
        "# HELP llmops_errors_total Calls that failed, by status.\n"
        "# TYPE llmops_errors_total counter\n"
        "llmops_errors_total{task=\"support.answer\",model=\"gpt-4o\",variant=\"a\","
        "status=\"timeout\"} 1\n"
        "# HELP llmops_cost_usd_total Cost of priced calls in US dollars (unpriced calls add "
        "nothing).\n"
        "# TYPE llmops_cost_usd_total counter\n"
        "llmops_cost_usd_total{task=\"support.answer\",model=\"gpt-4o\",variant=\"a\"} 0.0125\n"
        "# HELP demo_seconds Demo \\\\ help\\nsecond line.\n"
        "# TYPE demo_seconds histogram\n"
        "demo_seconds_bucket{le=\"0.1\"} 0\n"
        "demo_seconds_bucket{le=\"1\"} 0\n"
        "demo_seconds_bucket{le=\"+Inf\"} 1\n"
        "demo_seconds_sum 5\n"
        "demo_seconds_count 1\n"
        "demo_seconds_bucket{route_name=\"x\\\"y\",le=\"0.1\"} 1\n"
        "demo_seconds_bucket{route_name=\"x\\\"y\",le=\"1\"} 2\n"
        "demo_seconds_bucket{route_name=\"x\\\"y\",le=\"+Inf\"} 3\n"
        "demo_seconds_sum{route_name=\"x\\\"y\"} 2.6\n"
        "demo_seconds_count{route_name=\"x\\\"y\"} 3\n";
    char *text = render(m);
    cr_assert_str_eq(text, golden);
    check(text, 14);

    /* and line by line, through the reader: the escaped value comes back */
    const char *line = strstr(text, "demo_seconds_sum{");
    cr_assert_not_null(line);
    char one[256];
    size_t len = (size_t)(strchr(line, '\n') - line);
    memcpy(one, line, len);
    one[len] = '\0';
    lt_prom_sample s;
    const char *err = NULL;
    cr_assert_eq(lt_prom_parse_sample(one, &s, &err), 0, "%s", err);
    cr_assert_str_eq(s.name, "demo_seconds_sum");
    cr_assert_eq(s.nlabels, 1);
    cr_assert_str_eq(s.keys[0], "route_name");
    cr_assert_str_eq(s.values[0], "x\"y");
    cr_assert_float_eq(s.value, 2.6, 1e-12);
    llmops__free(text);
    llmops__metrics_free(m);
}

Test(metrics_prom, empty_registry_writes_nothing)
{
    llmops__metrics *m = llmops__metrics_new(0);
    char *text = render(m);
    cr_assert_str_eq(text, "");
    llmops__free(text);
    llmops__metrics_free(m);
}

Test(metrics_prom, label_values_escaped)
{
    llmops__metrics *m = llmops__metrics_new(0);
    const char *tricky[] = {"back\\slash", "quote\"d", "new\nline"};
    const char *plain[] = {"\\\"\n", "", "ünïcødé ✓"};
    cr_assert_eq(llmops__metrics_counter_add(m, LLMOPS__M_RETRIES, L(tricky), 3), LLMOPS_OK);
    cr_assert_eq(llmops__metrics_counter_add(m, LLMOPS__M_RETRIES, L(plain), 1), LLMOPS_OK);
    char *text = render(m);
    cr_assert_not_null(strstr(text, "llmops_retries_total{task=\"back\\\\slash\","
                                    "model=\"quote\\\"d\",variant=\"new\\nline\"} 3\n"),
                       "%s", text);
    /* an empty value is left out, as Prometheus treats it as absent */
    cr_assert_not_null(strstr(text, "llmops_retries_total{task=\"\\\\\\\"\\n\","
                                    "variant=\"ünïcødé ✓\"} 1\n"),
                       "%s", text);
    check(text, 2);
    /* bytes that are not UTF-8 come out as U+FFFD, and values that differ
     * only there are one series, as they would show the same */
    const char *binary[] = {"a\xff\xc3", "\xed\xa0\x80z", "ok"};
    const char *binary2[] = {"a\x80\xfe", "\xed\xa0\x80z", "ok"};
    cr_assert_eq(llmops__metrics_counter_add(m, LLMOPS__M_FALLBACKS, L(binary), 1), LLMOPS_OK);
    cr_assert_eq(llmops__metrics_counter_add(m, LLMOPS__M_FALLBACKS, L(binary2), 1), LLMOPS_OK);
    uint64_t n = 0;
    const char *shown[] = {"a\xef\xbf\xbd\xef\xbf\xbd",
                           "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdz", "ok"};
    cr_expect_eq(llmops__metrics_read(m, LLMOPS__M_FALLBACKS, L(shown), &n, NULL, NULL),
                 LLMOPS_OK);
    cr_expect_eq(n, 2);
    llmops__buf fb = LLMOPS__BUF_INIT;
    cr_assert_eq(llmops__metrics_prometheus(m, &fb), LLMOPS_OK);
    cr_expect_not_null(strstr(fb.data, "llmops_fallbacks_total{task=\"a\xef\xbf\xbd\xef\xbf\xbd\","
                                       "model=\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdz\","
                                       "variant=\"ok\"} 2\n"), "%s", fb.data);
    llmops__buf_free(&fb);
    /* the reader gets the raw values back */
    const char *line = strstr(text, "llmops_retries_total{task=\"back");
    char one[512];
    size_t len = (size_t)(strchr(line, '\n') - line);
    memcpy(one, line, len);
    one[len] = '\0';
    lt_prom_sample s;
    const char *err;
    cr_assert_eq(lt_prom_parse_sample(one, &s, &err), 0, "%s", err);
    cr_assert_str_eq(s.values[0], "back\\slash");
    cr_assert_str_eq(s.values[1], "quote\"d");
    cr_assert_str_eq(s.values[2], "new\nline");
    llmops__free(text);
    llmops__metrics_free(m);
}

Test(metrics_prom, numbers)
{
    char t[32];
    struct { double v; const char *want; } cases[] = {
        {0, "0"}, {1, "1"}, {0.1, "0.1"}, {2.6, "2.6"}, {1048576, "1048576"},
        {67108864, "67108864"}, {1e-7, "1e-7"}, {0.00042, "0.00042"}, {-2.5, "-2.5"},
        {1e300, "1e+300"}, {INFINITY, "+Inf"}, {-INFINITY, "-Inf"}, {NAN, "NaN"},
        {0.1 + 0.2, "0.30000000000000004"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        llmops__metrics_format_double(cases[i].v, t);
        cr_expect_str_eq(t, cases[i].want, "case %zu", i);
    }
}

Test(metrics_prom, every_builtin_renders_and_reads_back)
{
    llmops__metrics *m = llmops__metrics_new(0);
    llmops__call_sample s = {0};
    s.task = "support.answer";
    s.model = "gpt-4o-mini";
    s.response_model = "gpt-4o-mini-2024-07-18";
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
    s.usage.cache_creation_tokens = 7;
    s.usage.reasoning_tokens = 5;
    s.cost_known = 1;
    s.cost_usd = 0.00042;
    s.retries = 2;
    s.fallbacks = 1;
    s.cache_hit = 1;
    cr_assert_eq(llmops__metrics_record_call(m, &s), LLMOPS_OK);
    s.status = LLMOPS_E_RATE_LIMITED;
    s.has_usage = 0;
    s.ttft_ns = 0;
    s.cost_known = 0; /* unpriced: adds nothing, never $0 */
    cr_assert_eq(llmops__metrics_record_call(m, &s), LLMOPS_OK);
    const char *sink[] = {"otlp"};
    cr_assert_eq(llmops__metrics_counter_add(m, LLMOPS__M_DROPPED_SPANS, L(sink), 4), LLMOPS_OK);
    char *text = render(m);
    check(text, 0);
    /* every built-in family but the overflow counter shows */
    for (int id = 0; id < LLMOPS__M_OVERFLOW; id++) {
        char head[160];
        snprintf(head, sizeof head, "# TYPE %s ", llmops__metrics_def(m, id)->name);
        cr_expect_not_null(strstr(text, head), "%s missing", head);
    }
    cr_expect_not_null(strstr(text, "gen_ai_client_operation_duration_seconds_bucket{"
                                    "gen_ai_operation_name=\"chat\",gen_ai_provider_name="
                                    "\"openai\",gen_ai_request_model=\"gpt-4o-mini\","
                                    "gen_ai_response_model=\"gpt-4o-mini-2024-07-18\","
                                    "error_type=\"rate_limited\",le=\"2.56\"} 1\n"), "%s", text);
    cr_expect_not_null(strstr(text, "gen_ai_client_token_usage_bucket{gen_ai_operation_name="
                                    "\"chat\",gen_ai_provider_name=\"openai\","
                                    "gen_ai_request_model=\"gpt-4o-mini\",gen_ai_response_model="
                                    "\"gpt-4o-mini-2024-07-18\",gen_ai_token_type=\"input\","
                                    "le=\"256\"} 1\n"), "%s", text);
    cr_expect_not_null(strstr(text, "llmops_dropped_spans_total{sink=\"otlp\"} 4\n"));
    cr_expect_not_null(strstr(text, "llmops_cost_usd_total{task=\"support.answer\",model="
                                    "\"gpt-4o-mini\",variant=\"canary\"} 0.00042\n"));
    llmops__free(text);
    llmops__metrics_free(m);
}

Test(metrics_prom, reader_rejects_bad_text)
{
    /* the reader used above is itself strict */
    static const char *const bad[] = {
        "x 1\n",                                                     /* no TYPE */
        "# HELP x h\n# TYPE x counter\nx{a=\"b} 1\n",                /* unterminated */
        "# HELP x h\n# TYPE x counter\nx{a=\"\\t\"} 1\n",            /* bad escape */
        "# HELP x h\n# TYPE x counter\nx 1",                         /* no newline */
        "# HELP x h\n# TYPE x counter\nx  1\n",                      /* two spaces */
        ("# HELP h_s h\n# TYPE h_s histogram\nh_s_bucket{le=\"1\"} 2\nh_s_bucket{le=\"+Inf\"} 1\n"
         "h_s_sum 1\nh_s_count 1\n"),                                /* not cumulative */
        "# HELP x h\n# TYPE x counter\nx{a=\"1\"} 1\nx{a=\"2\"} 1\nx{a=\"1\"} 2\n",  /* twice */
        "# HELP h_s h\n# TYPE h_s histogram\nh_s_bucket{le=\"1\"} 1\nh_s_sum 1\nh_s_count 1\n",
        "# HELP h_s h\n# TYPE h_s histogram\nh_s_bucket{le=\"+Inf\"} 2\nh_s_sum 1\nh_s_count 1\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char err[256];
        cr_expect_eq(lt_prom_check(bad[i], err, sizeof err, NULL), -1, "case %zu accepted", i);
    }
}

/* Random bytes in label values: whatever they are, the exposition stays
 * well-formed and every series keeps its own line. */
Test(metrics_prom, random_label_bytes_stay_well_formed)
{
    llmops__metrics *m = llmops__metrics_new(0);
    unsigned seed = 12345;
    static const char alphabet[] = "ab\"\\\n\t{}=,# \xc3\xa9\xff\xe2\x82\xac\x80";
    char vals[3][40];
    const char *v[] = {vals[0], vals[1], vals[2]};
    size_t made = 0;
    for (int i = 0; i < 2000; i++) {
        for (int k = 0; k < 3; k++) {
            seed = seed * 1103515245u + 12345u;
            size_t len = (seed >> 16) % 39;
            for (size_t j = 0; j < len; j++) {
                seed = seed * 1103515245u + 12345u;
                vals[k][j] = alphabet[(seed >> 16) % (sizeof alphabet - 1)];
            }
            vals[k][len] = '\0';
        }
        uint64_t before = 0;
        int fresh = llmops__metrics_read(m, LLMOPS__M_REQUESTS, L(v), &before, NULL, NULL) ==
                    LLMOPS_E_NOT_FOUND;
        cr_assert_eq(llmops__metrics_counter_add(m, LLMOPS__M_REQUESTS, L(v), 1), LLMOPS_OK);
        made += fresh;
    }
    char *text = render(m);
    /* one HELP, one TYPE, one line per series */
    check(text, made);
    llmops__free(text);
    llmops__metrics_free(m);
}
