/* Growable byte buffer with a sticky failure flag. */
#include "core/strbuf.h"
#include "core/alloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int llmops__buf_reserve(llmops__buf *b, size_t extra)
{
    if (b->failed)
        return -1;
    if (extra > SIZE_MAX - b->len - 1) {
        b->failed = 1;
        return -1;
    }
    size_t need = b->len + extra + 1;
    if (b->limit && need - 1 > b->limit) {
        b->failed = 2;
        return -1;
    }
    if (need <= b->cap)
        return 0;
    size_t cap = llmops__grow_cap(b->cap < 64 ? 64 : b->cap, need, 1);
    char *p = cap ? llmops__realloc(b->data, cap) : NULL;
    if (!p) {
        b->failed = 1;
        return -1;
    }
    b->data = p;
    b->cap = cap;
    /* A first allocation must already read as "" (the header promises a
     * NUL-terminated buffer whenever data is non-NULL). */
    b->data[b->len] = '\0';
    return 0;
}

void llmops__buf_append(llmops__buf *b, const void *data, size_t len)
{
    if (llmops__buf_reserve(b, len) != 0)
        return;
    if (len)
        memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
}

void llmops__buf_puts(llmops__buf *b, const char *s)
{
    llmops__buf_append(b, s, strlen(s));
}

void llmops__buf_putc(llmops__buf *b, char c)
{
    if (b->len + 1 < b->cap && !b->failed && (!b->limit || b->len < b->limit)) {
        b->data[b->len++] = c;
        b->data[b->len] = '\0';
        return;
    }
    llmops__buf_append(b, &c, 1);
}

void llmops__buf_printf(llmops__buf *b, const char *fmt, ...)
{
    if (b->failed)
        return;
    va_list ap;
    va_start(ap, fmt);
    char small[256];
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->failed = 1;
        return;
    }
    if ((size_t)n < sizeof small) {
        llmops__buf_append(b, small, (size_t)n);
        return;
    }
    if (llmops__buf_reserve(b, (size_t)n) != 0)
        return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void llmops__buf_put_u64(llmops__buf *b, uint64_t v)
{
    char tmp[24];
    size_t i = sizeof tmp;
    do {
        tmp[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    llmops__buf_append(b, tmp + i, sizeof tmp - i);
}

void llmops__buf_put_i64(llmops__buf *b, int64_t v)
{
    if (v < 0) {
        llmops__buf_putc(b, '-');
        llmops__buf_put_u64(b, (uint64_t)0 - (uint64_t)v);
    } else {
        llmops__buf_put_u64(b, (uint64_t)v);
    }
}

void llmops__buf_clear(llmops__buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

char *llmops__buf_detach(llmops__buf *b, size_t *len)
{
    if (b->failed) {
        llmops__buf_free(b);
        return NULL;
    }
    if (!b->data && llmops__buf_reserve(b, 0) != 0)
        return NULL;
    b->data[b->len] = '\0';
    char *d = b->data;
    if (len)
        *len = b->len;
    b->data = NULL;
    b->len = b->cap = 0;
    return d;
}

void llmops__buf_free(llmops__buf *b)
{
    llmops__free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
    b->failed = 0;
}
