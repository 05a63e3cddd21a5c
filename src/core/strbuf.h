/* Growable byte buffer. A failed allocation sets `failed`; later appends are
 * ignored, so callers check once at the end instead of after every append. */
#ifndef LLMOPS_CORE_STRBUF_H
#define LLMOPS_CORE_STRBUF_H

#include <stddef.h>
#include <stdint.h>

typedef struct llmops__buf {
    char *data;     /* always NUL-terminated when non-NULL */
    size_t len;
    size_t cap;
    int failed;     /* sticky out-of-memory (or limit) flag */
    size_t limit;   /* 0 = unlimited; exceeding it sets failed = 2 */
} llmops__buf;

#define LLMOPS__BUF_INIT { NULL, 0, 0, 0, 0 }

int llmops__buf_reserve(llmops__buf *b, size_t extra);  /* 0 ok, -1 failed */
void llmops__buf_append(llmops__buf *b, const void *data, size_t len);
void llmops__buf_puts(llmops__buf *b, const char *s);
void llmops__buf_putc(llmops__buf *b, char c);
void llmops__buf_printf(llmops__buf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
void llmops__buf_put_i64(llmops__buf *b, int64_t v);
void llmops__buf_put_u64(llmops__buf *b, uint64_t v);
void llmops__buf_clear(llmops__buf *b);                 /* len = 0, keeps memory */
/* Hand the bytes to the caller (free with llmops__free); the buffer is reset.
 * Returns NULL if the buffer failed. An empty buffer gives "". */
char *llmops__buf_detach(llmops__buf *b, size_t *len);
void llmops__buf_free(llmops__buf *b);

#endif
