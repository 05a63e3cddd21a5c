/* Newline-delimited JSON reader: splits a byte stream into lines (LF or
 * CRLF), skipping blank lines, across any read boundary. It does not parse
 * the JSON; the consumer does. Owned by src/stream/ndjson.c. */
#ifndef LLMOPS_STREAM_NDJSON_H
#define LLMOPS_STREAM_NDJSON_H

#include <stddef.h>

#include "core/strbuf.h"

/* One line without its line end. Return non-zero to stop. */
typedef int (*llmops__ndjson_fn)(const char *line, size_t len, void *user_data);

typedef struct llmops__ndjson {
    llmops__buf line;
    size_t max_line;    /* 0: none */
} llmops__ndjson;

#define LLMOPS__NDJSON_OK 0
#define LLMOPS__NDJSON_LIMIT (-1)
#define LLMOPS__NDJSON_NOMEM (-2)

void llmops__ndjson_init(llmops__ndjson *p, size_t max_line);
int llmops__ndjson_feed(llmops__ndjson *p, const char *buf, size_t len, llmops__ndjson_fn fn,
                        void *user_data);
/* Delivers a last line that had no line end. */
int llmops__ndjson_finish(llmops__ndjson *p, llmops__ndjson_fn fn, void *user_data);
void llmops__ndjson_free(llmops__ndjson *p);

#endif
