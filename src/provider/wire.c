/* The registry of built-in wire formats and the HTTP request helpers they
 * share. */
#include <string.h>

#include "provider/wire.h"

const llmops__wire *llmops__wire_find(const char *type)
{
    const llmops__wire *const wires[] = {&llmops__wire_openai, &llmops__wire_openai_responses,
                                         &llmops__wire_anthropic, &llmops__wire_gemini,
                                         &llmops__wire_ollama};
    if (!type)
        return NULL;
    for (size_t i = 0; i < sizeof wires / sizeof wires[0]; i++)
        if (wires[i] && strcmp(wires[i]->type, type) == 0)
            return wires[i];
    return NULL;
}

void llmops__http_request_init(llmops__http_request *h)
{
    memset(h, 0, sizeof *h);
}

/* The headers may hold an API key: wipe them before the memory goes back.
 * Only the bytes written can hold it (buffers grow by copying, and the old
 * copy is wiped in llmops__http_request_header), so a per-call wipe costs
 * the header length, not the capacity. */
static void wipe(llmops__buf *b)
{
    if (b->data && b->len)
        explicit_bzero(b->data, b->len);
}

void llmops__http_request_free(llmops__http_request *h)
{
    wipe(&h->headers);
    llmops__buf_free(&h->url);
    llmops__buf_free(&h->body);
    llmops__buf_free(&h->headers);
}

void llmops__http_request_header(llmops__http_request *h, const char *name, const char *value,
                                 size_t value_len)
{
    /* Growing the buffer would leave a copy of the key in freed memory;
     * reserve first so the append happens in place. */
    size_t need = strlen(name) + 2 + value_len + 1;
    if (h->headers.cap - h->headers.len <= need + 1 && h->headers.data) {
        llmops__buf bigger = LLMOPS__BUF_INIT;
        llmops__buf_reserve(&bigger, h->headers.len + need + 256);
        llmops__buf_append(&bigger, h->headers.data, h->headers.len);
        wipe(&h->headers);
        llmops__buf_free(&h->headers);
        h->headers = bigger;
    }
    llmops__buf_puts(&h->headers, name);
    llmops__buf_append(&h->headers, ": ", 2);
    llmops__buf_append(&h->headers, value, value_len);
    llmops__buf_putc(&h->headers, '\n');
}
