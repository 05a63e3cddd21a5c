/* Spans as an OTLP ExportTraceServiceRequest in the protobuf JSON mapping
 * OTLP/HTTP uses: lowerCamelCase keys, trace/span ids as hex, 64-bit
 * integers (nanos, intValue) as decimal strings, enums as integers. */
#include "otlp/exporter.h"

#include <math.h>
#include <string.h>

#include "json/utf8.h"

#define KIND_INTERNAL 1
#define KIND_CLIENT 3
#define STATUS_OK 1
#define STATUS_ERROR 2

/* A JSON string; bytes that are not UTF-8 become U+FFFD because the
 * collector would refuse the whole batch otherwise. */
static void put_str(llmops__buf *out, const char *text)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *s = (const unsigned char *)(text ? text : "");
    const unsigned char *end = s + strlen((const char *)s), *run = s;
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
            skip = 1;
        }
        if (e) {
            llmops__buf_append(out, run, (size_t)(s - run));
            llmops__buf_puts(out, e);
            s += skip;
            run = s;
        } else {
            s += skip;
        }
    }
    llmops__buf_append(out, run, (size_t)(s - run));
    llmops__buf_putc(out, '"');
}

static void put_attr_value(llmops__buf *out, const llmops__attr *a)
{
    switch (a->type) {
    case LLMOPS__ATTR_INT:
        llmops__buf_puts(out, "{\"intValue\":\"");
        llmops__buf_put_i64(out, a->i);
        llmops__buf_puts(out, "\"}");
        return;
    case LLMOPS__ATTR_DOUBLE:
        llmops__buf_puts(out, "{\"doubleValue\":");
        /* The JSON mapping spells non-finite doubles as strings. */
        if (isnan(a->d))
            llmops__buf_puts(out, "\"NaN\"");
        else if (isinf(a->d))
            llmops__buf_puts(out, a->d > 0 ? "\"Infinity\"" : "\"-Infinity\"");
        else
            llmops__buf_printf(out, "%.17g", a->d);
        llmops__buf_putc(out, '}');
        return;
    case LLMOPS__ATTR_BOOL:
        llmops__buf_puts(out, a->i ? "{\"boolValue\":true}" : "{\"boolValue\":false}");
        return;
    case LLMOPS__ATTR_STRING:
    default:
        llmops__buf_puts(out, "{\"stringValue\":");
        put_str(out, a->s);
        llmops__buf_putc(out, '}');
        return;
    }
}

static void put_attrs(llmops__buf *out, const llmops__attr *attrs, size_t n, int comma)
{
    for (size_t i = 0; i < n; i++) {
        if (comma || i)
            llmops__buf_putc(out, ',');
        llmops__buf_puts(out, "{\"key\":");
        put_str(out, attrs[i].key);
        llmops__buf_puts(out, ",\"value\":");
        put_attr_value(out, &attrs[i]);
        llmops__buf_putc(out, '}');
    }
}

static void put_nanos(llmops__buf *out, const char *key, uint64_t ns)
{
    llmops__buf_printf(out, ",\"%s\":\"", key);
    llmops__buf_put_u64(out, ns);
    llmops__buf_putc(out, '"');
}

static void put_span(llmops__buf *out, const llmops__span *s)
{
    llmops__buf_puts(out, "{\"traceId\":");
    put_str(out, s->trace_id);
    llmops__buf_puts(out, ",\"spanId\":");
    put_str(out, s->span_id);
    if (s->parent_span_id[0]) {
        llmops__buf_puts(out, ",\"parentSpanId\":");
        put_str(out, s->parent_span_id);
    }
    llmops__buf_puts(out, ",\"name\":");
    put_str(out, s->name);
    llmops__buf_printf(out, ",\"kind\":%d",
                       s->kind == LLMOPS__SPAN_CLIENT ? KIND_CLIENT : KIND_INTERNAL);
    put_nanos(out, "startTimeUnixNano", s->start_ns);
    put_nanos(out, "endTimeUnixNano", s->end_ns);
    llmops__buf_puts(out, ",\"attributes\":[");
    put_attrs(out, s->attrs, s->nattrs, 0);
    llmops__buf_puts(out, "],\"events\":[");
    for (size_t i = 0; i < s->nevents; i++) {
        const llmops__span_event *ev = &s->events[i];
        if (i)
            llmops__buf_putc(out, ',');
        llmops__buf_puts(out, "{\"name\":");
        put_str(out, ev->name);
        put_nanos(out, "timeUnixNano", ev->time_ns);
        llmops__buf_puts(out, ",\"attributes\":[");
        put_attrs(out, ev->attrs, ev->nattrs, 0);
        llmops__buf_puts(out, "]}");
    }
    llmops__buf_puts(out, "],\"status\":");
    if (s->status == LLMOPS_OK) {
        llmops__buf_printf(out, "{\"code\":%d}", STATUS_OK);
    } else {
        llmops__buf_printf(out, "{\"code\":%d,\"message\":", STATUS_ERROR);
        const char *m = s->status_message && s->status_message[0]
                            ? s->status_message : llmops_status_str(s->status);
        put_str(out, m);
        llmops__buf_putc(out, '}');
    }
    llmops__buf_putc(out, '}');
}

void llmops__otlp_encode(const char *service_name, const llmops__attr *res, size_t nres,
                         const llmops__span *const *spans, size_t n, llmops__buf *out)
{
    llmops__buf_puts(out, "{\"resourceSpans\":[{\"resource\":{\"attributes\":["
                          "{\"key\":\"service.name\",\"value\":{\"stringValue\":");
    put_str(out, service_name ? service_name : "libllmops");
    llmops__buf_puts(out, "}}");
    put_attrs(out, res, nres, 1);
    llmops__buf_puts(out, "]},\"scopeSpans\":[{\"scope\":{\"name\":\"libllmops\",\"version\":");
    put_str(out, llmops_version());
    llmops__buf_puts(out, "},\"spans\":[");
    for (size_t i = 0; i < n; i++) {
        if (i)
            llmops__buf_putc(out, ',');
        put_span(out, spans[i]);
    }
    llmops__buf_puts(out, "]}]}]}");
}
