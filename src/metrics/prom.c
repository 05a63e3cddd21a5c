/* Prometheus text exposition format 0.0.4 of a metrics registry. */
#include "metrics/metrics.h"

#include <math.h>
#include <string.h>

#include "json/number.h"
#include "json/utf8.h"

void llmops__metrics_format_double(double v, char out[32])
{
    if (isnan(v))
        memcpy(out, "NaN", 4);
    else if (isinf(v))
        memcpy(out, v > 0 ? "+Inf" : "-Inf", 5);
    else
        llmops__json_fmt_double(v, out);
}

/* HELP text escapes backslash and newline; label values also double-quote.
 * The format is UTF-8, so a byte that does not start a well-formed sequence
 * (a value cut from binary data, say) is written as U+FFFD. */
static void put_escaped(llmops__buf *out, const char *text, int quote)
{
    const unsigned char *s = (const unsigned char *)text, *run = s;
    const unsigned char *end = s + strlen(text);
    while (s < end) {
        const char *esc = NULL;
        size_t skip = 1;
        if (*s == '\\')
            esc = "\\\\";
        else if (*s == '\n')
            esc = "\\n";
        else if (quote && *s == '"')
            esc = "\\\"";
        else if (*s >= 0x80 && (skip = llmops__utf8_seq(s, end)) == 0)
            esc = "\xEF\xBF\xBD";
        if (!esc) {
            s += skip;
            continue;
        }
        llmops__buf_append(out, run, (size_t)(s - run));
        llmops__buf_puts(out, esc);
        s++;
        run = s;
    }
    llmops__buf_append(out, run, (size_t)(s - run));
}

/* Attribute keys may hold dots; Prometheus label names may not. */
static void put_label_name(llmops__buf *out, const char *key)
{
    size_t start = out->len;
    llmops__buf_puts(out, key);
    if (out->failed)
        return;
    for (size_t i = start; i < out->len; i++)
        if (out->data[i] == '.')
            out->data[i] = '_';
}

static void put_double(llmops__buf *out, double v)
{
    char tmp[32];
    llmops__metrics_format_double(v, tmp);
    llmops__buf_puts(out, tmp);
}

/* `name{labels` without the closing brace, into `lab` (reset first); *any
 * tells whether a brace was opened. */
static void put_labels(llmops__buf *lab, const llmops__metric_def *d,
                       const llmops__series_view *v, int *any)
{
    llmops__buf_clear(lab);
    *any = 0;
    if (v->overflow) {
        llmops__buf_puts(lab, "{otel_metric_overflow=\"true\"");
        *any = 1;
        return;
    }
    for (size_t i = 0; i < d->nlabels; i++) {
        if (!v->values[i][0])
            continue;
        llmops__buf_putc(lab, *any ? ',' : '{');
        *any = 1;
        put_label_name(lab, d->labels[i]);
        llmops__buf_puts(lab, "=\"");
        put_escaped(lab, v->values[i], 1);
        llmops__buf_putc(lab, '"');
    }
}

typedef struct prom_ctx {
    llmops__buf *out;
    llmops__buf lab;
} prom_ctx;

static void put_sample(llmops__buf *out, const char *name, const char *suffix,
                       const llmops__buf *lab, int any)
{
    llmops__buf_puts(out, name);
    llmops__buf_puts(out, suffix);
    if (any) {
        llmops__buf_append(out, lab->data, lab->len);
        llmops__buf_putc(out, '}');
    }
    llmops__buf_putc(out, ' ');
}

static int emit_metric(const llmops__metric_def *d, int id, const llmops__series_view *series,
                       size_t nseries, void *user_data)
{
    prom_ctx *c = user_data;
    llmops__buf *out = c->out;
    int hist = d->kind == LLMOPS__METRIC_HISTOGRAM;
    llmops__buf_printf(out, "# HELP %s ", d->name);
    put_escaped(out, d->help, 0);
    llmops__buf_printf(out, "\n# TYPE %s %s\n", d->name, hist ? "histogram" : "counter");
    /* every series repeats the same bounds: format them once */
    char le[LLMOPS__METRICS_BUCKETS_MAX + 1][32];
    for (size_t b = 0; hist && b < d->nbounds; b++)
        llmops__metrics_format_double(d->bounds[b], le[b]);
    if (hist)
        memcpy(le[d->nbounds], "+Inf", 5);
    for (size_t i = 0; i < nseries; i++) {
        const llmops__series_view *v = &series[i];
        int any;
        put_labels(&c->lab, d, v, &any);
        if (!hist) {
            put_sample(out, d->name, "", &c->lab, any);
            if (d->value == LLMOPS__VALUE_INT)
                llmops__buf_put_u64(out, v->count);
            else
                put_double(out, v->value);
            llmops__buf_putc(out, '\n');
            continue;
        }
        for (size_t b = 0; b <= d->nbounds; b++) {
            llmops__buf_puts(out, d->name);
            llmops__buf_puts(out, "_bucket");
            if (any) {
                llmops__buf_append(out, c->lab.data, c->lab.len);
                llmops__buf_puts(out, ",le=\"");
            } else {
                llmops__buf_puts(out, "{le=\"");
            }
            llmops__buf_puts(out, le[b]);
            llmops__buf_puts(out, "\"} ");
            llmops__buf_put_u64(out, v->buckets[b]);
            llmops__buf_putc(out, '\n');
        }
        put_sample(out, d->name, "_sum", &c->lab, any);
        put_double(out, v->value);
        llmops__buf_putc(out, '\n');
        put_sample(out, d->name, "_count", &c->lab, any);
        llmops__buf_put_u64(out, v->count);
        llmops__buf_putc(out, '\n');
    }
    (void)id;
    /* stop early rather than format into a buffer that can no longer grow */
    return out->failed || c->lab.failed;
}

llmops_status llmops__metrics_prometheus(const llmops__metrics *m, llmops__buf *out)
{
    if (!m || !out)
        return LLMOPS_E_INVALID_ARGUMENT;
    prom_ctx c = {out, LLMOPS__BUF_INIT};
    llmops_status st = llmops__metrics_foreach(m, emit_metric, &c);
    int failed = c.lab.failed;
    llmops__buf_free(&c.lab);
    if (st == LLMOPS_E_ABORTED || failed || out->failed)
        return LLMOPS_E_NO_MEMORY;
    return st;
}
