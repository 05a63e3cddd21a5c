/* A metrics registry as an OTLP/HTTP JSON ExportMetricsServiceRequest
 * (opentelemetry-proto metrics/v1, in the protobuf JSON mapping OTLP uses:
 * lowerCamelCase keys, 64-bit integers as decimal strings, enums as
 * numbers). Everything is cumulative from the registry's creation. */
#include "metrics/metrics.h"

#include <math.h>
#include <string.h>

#include "json/utf8.h"

#define AGGREGATION_CUMULATIVE 2

/* A JSON string; bytes that are not UTF-8 become U+FFFD, since the
 * receiver's parser would refuse the whole request otherwise. */
static void put_str(llmops__buf *out, const char *text)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *s = (const unsigned char *)text, *run = s;
    const unsigned char *end = s + strlen(text);
    llmops__buf_putc(out, '"');
    while (s < end) {
        char esc[8];
        const char *e = NULL;
        size_t skip = 1;
        if (*s == '"' || *s == '\\') {
            esc[0] = '\\';
            esc[1] = (char)*s;
            esc[2] = '\0';
            e = esc;
        } else if (*s < 0x20) {
            memcpy(esc, "\\u00", 4);
            esc[4] = hex[*s >> 4];
            esc[5] = hex[*s & 15];
            esc[6] = '\0';
            e = esc;
        } else if (*s >= 0x80 && (skip = llmops__utf8_seq(s, end)) == 0) {
            e = "\xEF\xBF\xBD";
        }
        if (!e) {
            s += skip;
            continue;
        }
        llmops__buf_append(out, run, (size_t)(s - run));
        llmops__buf_puts(out, e);
        s++;
        run = s;
    }
    llmops__buf_append(out, run, (size_t)(s - run));
    llmops__buf_putc(out, '"');
}

/* OTLP carries doubles as JSON numbers; JSON has no infinities or NaN, and
 * the protobuf JSON mapping spells them as strings. */
static void put_num(llmops__buf *out, double v)
{
    char tmp[32];
    if (isnan(v)) {
        llmops__buf_puts(out, "\"NaN\"");
        return;
    }
    if (isinf(v)) {
        llmops__buf_puts(out, v > 0 ? "\"Infinity\"" : "\"-Infinity\"");
        return;
    }
    llmops__metrics_format_double(v, tmp);
    llmops__buf_puts(out, tmp);
}

static void put_u64_str(llmops__buf *out, uint64_t v)
{
    llmops__buf_putc(out, '"');
    llmops__buf_put_u64(out, v);
    llmops__buf_putc(out, '"');
}

typedef struct otlp_ctx {
    llmops__buf *out;
    uint64_t start_ns, now_ns;
    int first;
} otlp_ctx;

static void put_attributes(llmops__buf *out, const llmops__metric_def *d,
                           const llmops__series_view *v)
{
    llmops__buf_puts(out, "\"attributes\":[");
    if (v->overflow) {
        llmops__buf_puts(out, "{\"key\":\"otel.metric.overflow\",\"value\":{\"boolValue\":true}}");
    } else {
        int any = 0;
        for (size_t i = 0; i < d->nlabels; i++) {
            if (!v->values[i][0])
                continue;
            if (any++)
                llmops__buf_putc(out, ',');
            llmops__buf_puts(out, "{\"key\":");
            put_str(out, d->labels[i]);
            llmops__buf_puts(out, ",\"value\":{\"stringValue\":");
            put_str(out, v->values[i]);
            llmops__buf_puts(out, "}}");
        }
    }
    llmops__buf_puts(out, "],\"startTimeUnixNano\":");
}

static int emit_metric(const llmops__metric_def *d, int id, const llmops__series_view *series,
                       size_t nseries, void *user_data)
{
    otlp_ctx *c = user_data;
    llmops__buf *out = c->out;
    int hist = d->kind == LLMOPS__METRIC_HISTOGRAM;
    if (!c->first)
        llmops__buf_putc(out, ',');
    c->first = 0;
    llmops__buf_puts(out, "{\"name\":");
    put_str(out, d->otel_name ? d->otel_name : d->name);
    llmops__buf_puts(out, ",\"description\":");
    put_str(out, d->help);
    llmops__buf_puts(out, ",\"unit\":");
    put_str(out, d->unit);
    llmops__buf_puts(out, hist ? ",\"histogram\":{" : ",\"sum\":{\"isMonotonic\":true,");
    llmops__buf_printf(out, "\"aggregationTemporality\":%d,\"dataPoints\":[",
                       AGGREGATION_CUMULATIVE);
    for (size_t i = 0; i < nseries; i++) {
        const llmops__series_view *v = &series[i];
        if (i)
            llmops__buf_putc(out, ',');
        llmops__buf_putc(out, '{');
        put_attributes(out, d, v);
        put_u64_str(out, c->start_ns);
        llmops__buf_puts(out, ",\"timeUnixNano\":");
        put_u64_str(out, c->now_ns);
        if (!hist) {
            if (d->value == LLMOPS__VALUE_INT) {
                llmops__buf_puts(out, ",\"asInt\":");
                put_u64_str(out, v->count);
            } else {
                llmops__buf_puts(out, ",\"asDouble\":");
                put_num(out, v->value);
            }
            llmops__buf_putc(out, '}');
            continue;
        }
        llmops__buf_puts(out, ",\"count\":");
        put_u64_str(out, v->count);
        llmops__buf_puts(out, ",\"sum\":");
        put_num(out, v->value);
        /* OTLP counts each bucket on its own; the snapshot is cumulative */
        llmops__buf_puts(out, ",\"bucketCounts\":[");
        for (size_t b = 0; b <= d->nbounds; b++) {
            if (b)
                llmops__buf_putc(out, ',');
            put_u64_str(out, v->buckets[b] - (b ? v->buckets[b - 1] : 0));
        }
        llmops__buf_puts(out, "],\"explicitBounds\":[");
        for (size_t b = 0; b < d->nbounds; b++) {
            if (b)
                llmops__buf_putc(out, ',');
            put_num(out, d->bounds[b]);
        }
        llmops__buf_puts(out, "]}");
    }
    llmops__buf_puts(out, "]}}");
    (void)id;
    return out->failed;
}

llmops_status llmops__metrics_otlp_json(const llmops__metrics *m, const char *service_name,
                                        uint64_t now_wall_ns, llmops__buf *out)
{
    if (!m || !out)
        return LLMOPS_E_INVALID_ARGUMENT;
    otlp_ctx c = {out, llmops__metrics_start_ns(m), now_wall_ns, 1};
    llmops__buf_puts(out, "{\"resourceMetrics\":[{\"resource\":{\"attributes\":["
                          "{\"key\":\"service.name\",\"value\":{\"stringValue\":");
    put_str(out, service_name && *service_name ? service_name : "unknown_service");
    llmops__buf_puts(out, "}}]},\"scopeMetrics\":[{\"scope\":{\"name\":\"libllmops\","
                          "\"version\":");
    put_str(out, llmops_version());
    llmops__buf_puts(out, "},\"metrics\":[");
    llmops_status st = llmops__metrics_foreach(m, emit_metric, &c);
    llmops__buf_puts(out, "]}]}]}");
    if (st == LLMOPS_E_ABORTED || out->failed)
        return LLMOPS_E_NO_MEMORY;
    return st;
}
