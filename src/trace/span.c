/* Span helpers shared by the sinks: copy, attribute lookup, JSON form. */
#include "trace/span.h"

#include <string.h>

#include "core/alloc.h"
#include "core/strbuf.h"
#include "provider/json_out.h"

/* Bytes a string needs in the copy (0 for NULL). */
static size_t str_size(const char *s)
{
    return s ? strlen(s) + 1 : 0;
}

static size_t attrs_size(const llmops__attr *a, size_t n)
{
    size_t total = n * sizeof *a;
    for (size_t i = 0; i < n; i++)
        total += str_size(a[i].key) + str_size(a[i].s);
    return total;
}

/* Bump-copies into one block; `at` is the next free byte. */
static char *put_str(char **at, const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *d = *at;
    memcpy(d, s, n);
    *at += n;
    return d;
}

/* Arrays of structs must start aligned even after strings. */
static void align(char **at)
{
    uintptr_t p = (uintptr_t)*at;
    *at += (16 - p % 16) % 16;
}

static llmops__attr *put_attrs(char **at, const llmops__attr *a, size_t n)
{
    if (!n)
        return NULL;
    align(at);
    llmops__attr *d = (llmops__attr *)(void *)*at;
    *at += n * sizeof *a;
    for (size_t i = 0; i < n; i++) {
        d[i] = a[i];
        d[i].key = put_str(at, a[i].key);
        d[i].s = put_str(at, a[i].s);
    }
    return d;
}

llmops__span *llmops__span_copy(const llmops__span *s)
{
    /* Attribute and event arrays first (aligned), strings after. */
    size_t total = sizeof *s + s->nevents * sizeof *s->events + attrs_size(s->attrs, s->nattrs) +
                   str_size(s->name) + str_size(s->status_message);
    for (size_t i = 0; i < s->nevents; i++)
        total += str_size(s->events[i].name) +
                 attrs_size(s->events[i].attrs, s->events[i].nattrs);
    total += 16 * (s->nevents + 2); /* alignment of each attribute array */
    char *block = llmops__malloc(total);
    if (!block)
        return NULL;
    llmops__span *d = (llmops__span *)(void *)block;
    *d = *s;
    char *at = block + sizeof *s;
    llmops__span_event *ev = NULL;
    if (s->nevents) {
        ev = (llmops__span_event *)(void *)at;
        at += s->nevents * sizeof *ev;
    }
    d->events = ev;
    d->attrs = put_attrs(&at, s->attrs, s->nattrs);
    for (size_t i = 0; i < s->nevents; i++) {
        ev[i] = s->events[i];
        ev[i].attrs = put_attrs(&at, s->events[i].attrs, s->events[i].nattrs);
    }
    d->name = put_str(&at, s->name);
    d->status_message = put_str(&at, s->status_message);
    for (size_t i = 0; i < s->nevents; i++)
        ev[i].name = put_str(&at, s->events[i].name);
    return d;
}

const llmops__attr *llmops__span_attr(const llmops__span *s, const char *key)
{
    for (size_t i = 0; i < s->nattrs; i++)
        if (s->attrs[i].key && strcmp(s->attrs[i].key, key) == 0)
            return &s->attrs[i];
    return NULL;
}

static void attrs_json(llmops__buf *b, const llmops__attr *a, size_t n)
{
    llmops__buf_putc(b, '{');
    for (size_t i = 0; i < n; i++) {
        if (i)
            llmops__buf_putc(b, ',');
        llmops__jo_str(b, a[i].key);
        llmops__buf_putc(b, ':');
        switch (a[i].type) {
        case LLMOPS__ATTR_STRING:
            llmops__jo_str(b, a[i].s);
            break;
        case LLMOPS__ATTR_INT:
            llmops__buf_put_i64(b, a[i].i);
            break;
        case LLMOPS__ATTR_DOUBLE:
            llmops__jo_double(b, a[i].d);
            break;
        case LLMOPS__ATTR_BOOL:
            llmops__buf_puts(b, a[i].i ? "true" : "false");
            break;
        }
    }
    llmops__buf_putc(b, '}');
}

void llmops__span_to_json(const llmops__span *s, llmops__buf *b)
{
    llmops__buf_puts(b, "{\"trace_id\":");
    llmops__jo_str(b, s->trace_id);
    llmops__buf_puts(b, ",\"span_id\":");
    llmops__jo_str(b, s->span_id);
    llmops__buf_puts(b, ",\"parent_span_id\":");
    llmops__jo_str(b, s->parent_span_id);
    llmops__buf_puts(b, ",\"name\":");
    llmops__jo_str(b, s->name);
    llmops__buf_puts(b, s->kind == LLMOPS__SPAN_CLIENT ? ",\"kind\":\"client\""
                                                       : ",\"kind\":\"internal\"");
    llmops__buf_puts(b, ",\"start_ns\":");
    llmops__buf_put_u64(b, s->start_ns);
    llmops__buf_puts(b, ",\"end_ns\":");
    llmops__buf_put_u64(b, s->end_ns);
    llmops__buf_puts(b, ",\"status\":");
    llmops__jo_str(b, s->status == LLMOPS_OK ? "ok" : llmops_status_str(s->status));
    llmops__buf_puts(b, ",\"status_message\":");
    llmops__jo_str(b, s->status_message ? s->status_message : "");
    llmops__buf_puts(b, ",\"attributes\":");
    attrs_json(b, s->attrs, s->nattrs);
    llmops__buf_puts(b, ",\"events\":[");
    for (size_t i = 0; i < s->nevents; i++) {
        if (i)
            llmops__buf_putc(b, ',');
        llmops__buf_puts(b, "{\"name\":");
        llmops__jo_str(b, s->events[i].name);
        llmops__buf_puts(b, ",\"time_ns\":");
        llmops__buf_put_u64(b, s->events[i].time_ns);
        llmops__buf_puts(b, ",\"attributes\":");
        attrs_json(b, s->events[i].attrs, s->events[i].nattrs);
        llmops__buf_putc(b, '}');
    }
    llmops__buf_puts(b, "]}");
}
