/* Small JSON writers for building request bodies straight into an
 * llmops__buf (no intermediate document): escaped strings, locale-free
 * numbers and embedded llmops_json values. Header-only (static inline) so
 * each wire format that includes it needs no extra object file. Errors
 * (allocation, invalid UTF-8 already excluded by the request setters) set
 * the buffer's sticky `failed` flag; callers check once at the end.
 * Owned by helper-d (anthropic.c, gemini.c, ollama.c); others may use it. */
#ifndef LLMOPS_PROVIDER_JSON_OUT_H
#define LLMOPS_PROVIDER_JSON_OUT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/alloc.h"
#include "core/strbuf.h"
#include "json/number.h"
#include "llmops/json.h"

/* Appends `len` bytes of UTF-8 escaped for the inside of a JSON string (no
 * quotes). Runs of bytes that need no escape are copied with one append, so
 * the cost is linear and there is no per-byte call for ordinary text. */
static inline void llmops__jo_escape(llmops__buf *b, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    size_t run = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *esc = NULL;
        char u[6];
        if (c == '"')
            esc = "\\\"";
        else if (c == '\\')
            esc = "\\\\";
        else if (c == '\n')
            esc = "\\n";
        else if (c == '\r')
            esc = "\\r";
        else if (c == '\t')
            esc = "\\t";
        else if (c < 0x20) {
            u[0] = '\\', u[1] = 'u', u[2] = '0', u[3] = '0';
            u[4] = hex[c >> 4], u[5] = hex[c & 15];
        } else if (c == 0xE2 && i + 2 < len && (unsigned char)s[i + 1] == 0x80 &&
                   ((unsigned char)s[i + 2] == 0xA8 || (unsigned char)s[i + 2] == 0xA9)) {
            /* U+2028/U+2029 end lines in JavaScript; escape them like the
             * library's own writer does. */
            llmops__buf_append(b, s + run, i - run);
            llmops__buf_append(b, (unsigned char)s[i + 2] == 0xA8 ? "\\u2028" : "\\u2029", 6);
            i += 2;
            run = i + 1;
            continue;
        } else
            continue;
        llmops__buf_append(b, s + run, i - run);
        if (esc)
            llmops__buf_puts(b, esc);
        else
            llmops__buf_append(b, u, 6);
        run = i + 1;
    }
    llmops__buf_append(b, s + run, len - run);
}

/* `len` bytes of UTF-8 as a quoted JSON string. */
static inline void llmops__jo_strn(llmops__buf *b, const char *s, size_t len)
{
    llmops__buf_putc(b, '"');
    llmops__jo_escape(b, s, len);
    llmops__buf_putc(b, '"');
}

static inline void llmops__jo_str(llmops__buf *b, const char *s)
{
    llmops__jo_strn(b, s ? s : "", s ? strlen(s) : 0);
}

/* `"key":` for a key that needs no escaping (a literal in the source). */
static inline void llmops__jo_key(llmops__buf *b, const char *key)
{
    llmops__buf_putc(b, '"');
    llmops__buf_puts(b, key);
    llmops__buf_puts(b, "\":");
}

/* Shortest round-trip text of a finite double, independent of the C locale
 * (printf would write "0,7" under a German LC_NUMERIC). */
static inline void llmops__jo_double(llmops__buf *b, double d)
{
    char tmp[JSON_DOUBLE_BUF];
    size_t n = llmops__json_fmt_double(d, tmp);
    llmops__buf_append(b, tmp, n);
}

/* An llmops_json value in compact form; NULL writes `null`. */
static inline void llmops__jo_value(llmops__buf *b, const llmops_json *v)
{
    if (!v) {
        llmops__buf_puts(b, "null");
        return;
    }
    char *text = NULL;
    size_t n = 0;
    if (llmops_json_write(&text, &n, v, LLMOPS_JSON_WRITE_COMPACT) != LLMOPS_OK) {
        b->failed = 1;
        return;
    }
    llmops__buf_append(b, text, n);
    llmops__free(text);
}

/* JSON text that was validated on input (tool call arguments) written as a
 * value; empty text becomes {}. */
static inline void llmops__jo_raw_object(llmops__buf *b, const char *json)
{
    if (!json || !*json)
        llmops__buf_puts(b, "{}");
    else
        llmops__buf_puts(b, json);
}

#endif
