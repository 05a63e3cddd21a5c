/* The re-ask message: the violations of an answer as a short list the model
 * can act on, then what to send instead. Its size is bounded so a flood of
 * violations cannot blow up the next request. */
#include "contract/contract.h"
#include "contract/internal.h"

#include "json/utf8.h"

#include <string.h>

/* Longest single item; longer ones are cut with "...". */
#define CT_ITEM_MAX 480u
/* Room kept for the "and N more" line. */
#define CT_MORE_RESERVE 64u

size_t llmops__ct_count_chars(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += ((unsigned char)s[i] & 0xC0) != 0x80;
    return n;
}

/* Largest cut <= max that does not split a UTF-8 sequence. */
static size_t cut_at_char(const char *s, size_t len, size_t max)
{
    if (len <= max)
        return len;
    size_t n = max;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return n;
}

void llmops__ct_put_excerpt(llmops__buf *b, const char *s, size_t len, size_t max)
{
    size_t n = cut_at_char(s, len, max);
    llmops__buf_putc(b, '"');
    size_t run = 0;
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = u[i];
        if (c >= 0x80) {
            /* Bytes that are not UTF-8 are shown as \xNN, so messages stay text. */
            size_t k = llmops__utf8_seq(u + i, u + n);
            if (k) {
                i += k - 1;
                continue;
            }
        } else if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7F) {
            continue;
        }
        llmops__buf_append(b, s + run, i - run);
        run = i + 1;
        switch (c) {
        case '"': llmops__buf_puts(b, "\\\""); break;
        case '\\': llmops__buf_puts(b, "\\\\"); break;
        case '\n': llmops__buf_puts(b, "\\n"); break;
        case '\t': llmops__buf_puts(b, "\\t"); break;
        case '\r': llmops__buf_puts(b, "\\r"); break;
        default: llmops__buf_printf(b, "\\x%02x", c); break;
        }
    }
    llmops__buf_append(b, s + run, n - run);
    if (n < len)
        llmops__buf_puts(b, "...");
    llmops__buf_putc(b, '"');
}

/* Append text with line breaks and other control characters as spaces, so
 * each item stays on its own line. */
static void put_line_text(llmops__buf *b, const char *s)
{
    size_t run = 0, i = 0;
    for (; s[i]; i++) {
        if ((unsigned char)s[i] >= 0x20)
            continue;
        llmops__buf_append(b, s + run, i - run);
        llmops__buf_putc(b, ' ');
        run = i + 1;
    }
    llmops__buf_append(b, s + run, i - run);
}

/* Cut `b` to at most `max` bytes at a character boundary, ending in "...". */
static void shorten(llmops__buf *b, size_t max)
{
    if (b->failed || b->len <= max)
        return;
    b->len = cut_at_char(b->data, b->len, max - 3);
    b->data[b->len] = '\0';
    llmops__buf_puts(b, "...");
}

static void put_item(llmops__buf *item, const llmops__violation *v)
{
    llmops__buf_puts(item, "- ");
    if (v->path && (strcmp(v->kind, "schema") == 0 || strcmp(v->kind, "input_schema") == 0)) {
        if (v->path[0]) {
            llmops__buf_puts(item, "at ");
            put_line_text(item, v->path);
        } else {
            llmops__buf_puts(item, "at the top level");
        }
        llmops__buf_puts(item, ": ");
    }
    put_line_text(item, v->message ? v->message : v->kind);
    shorten(item, CT_ITEM_MAX);
    llmops__buf_putc(item, '\n');
}

static void put_closing(llmops__buf *b, const llmops__contract *c)
{
    if (!llmops__contract_is_json(c)) {
        llmops__buf_puts(b, "Answer again, fixing every problem listed above");
        size_t max = llmops__contract_max_length(c);
        if (max)
            llmops__buf_printf(b, ", in at most %zu characters", max);
        llmops__buf_puts(b, ".");
        return;
    }
    const char *t = llmops__contract_root_type(c);
    const char *noun = !t                       ? "a JSON value"
                       : strcmp(t, "object") == 0 ? "a JSON object"
                       : strcmp(t, "array") == 0  ? "a JSON array"
                                                  : "a JSON value";
    const char *schema = llmops__contract_schema_text(c);
    llmops__buf_printf(b, "Answer again with only %s", noun);
    if (schema)
        llmops__buf_puts(b, " that is valid against the JSON Schema below");
    else if (llmops__contract_schema(c))
        llmops__buf_puts(b, " that is valid against the JSON Schema you were given");
    size_t max = llmops__contract_max_length(c);
    if (max)
        llmops__buf_printf(b, ", at most %zu characters long", max);
    llmops__buf_puts(b, ", fixing every problem listed above.");
    if (!llmops__contract_extracts(c))
        llmops__buf_puts(b, " Send no other text and no code fence around it.");
    if (schema) {
        llmops__buf_puts(b, "\nJSON Schema: ");
        llmops__buf_puts(b, schema);
    }
}

llmops_status llmops__contract_reask_message(const llmops__contract *c,
                                             const llmops__contract_result *res,
                                             llmops__buf *out)
{
    if (!c || !res || !out || res->n == 0 || !res->v)
        return LLMOPS_E_INVALID_ARGUMENT;
    static const char header[] = "Your previous answer did not meet the required format:\n";
    llmops__buf closing = LLMOPS__BUF_INIT;
    put_closing(&closing, c);
    if (closing.failed) {
        llmops__buf_free(&closing);
        return LLMOPS_E_NO_MEMORY;
    }
    size_t fixed = sizeof header - 1 + closing.len + CT_MORE_RESERVE;
    size_t budget = LLMOPS__CONTRACT_REASK_MAX > fixed ? LLMOPS__CONTRACT_REASK_MAX - fixed : 0;
    size_t start = out->len;
    llmops__buf_puts(out, header);
    llmops__buf item = LLMOPS__BUF_INIT;
    size_t used = 0, shown = 0;
    for (; shown < res->n; shown++) {
        llmops__buf_clear(&item);
        put_item(&item, &res->v[shown]);
        if (item.failed || used + item.len > budget)
            break;
        llmops__buf_append(out, item.data, item.len);
        used += item.len;
    }
    int failed = item.failed;
    llmops__buf_free(&item);
    if (shown < res->n)
        llmops__buf_printf(out, "- and %zu more problem%s not listed here\n", res->n - shown,
                           res->n - shown == 1 ? "" : "s");
    else if (res->truncated)
        llmops__buf_puts(out, "- and more schema errors not listed here\n");
    llmops__buf_append(out, closing.data, closing.len);
    llmops__buf_free(&closing);
    if (failed || out->failed) {
        if (!out->failed)
            out->len = start;
        return LLMOPS_E_NO_MEMORY;
    }
    return LLMOPS_OK;
}

/* Room kept in the summary for "; and N more", and the longest item. */
#define CT_SUMMARY_MORE 40u
#define CT_SUMMARY_ITEM_MAX 300u

llmops_status llmops__contract_summary(const llmops__contract_result *res, llmops__buf *out)
{
    if (!res || !out || (res->n && !res->v))
        return LLMOPS_E_INVALID_ARGUMENT;
    size_t start = out->len;
    if (res->n == 0) {
        llmops__buf_puts(out, "no contract violations");
        return out->failed ? LLMOPS_E_NO_MEMORY : LLMOPS_OK;
    }
    llmops__buf_printf(out, "%zu contract violation%s: ", res->n, res->n == 1 ? "" : "s");
    size_t budget = LLMOPS__CONTRACT_SUMMARY_MAX - CT_SUMMARY_MORE;
    llmops__buf item = LLMOPS__BUF_INIT;
    size_t shown = 0;
    for (; shown < res->n; shown++) {
        const llmops__violation *v = &res->v[shown];
        llmops__buf_clear(&item);
        if (shown)
            llmops__buf_puts(&item, "; ");
        put_line_text(&item, v->kind);
        if (v->path) {
            llmops__buf_puts(&item, " at ");
            put_line_text(&item, v->path[0] ? v->path : "the top level");
        }
        llmops__buf_puts(&item, ": ");
        put_line_text(&item, v->message ? v->message : "");
        shorten(&item, CT_SUMMARY_ITEM_MAX);
        if (item.failed || (out->len - start) + item.len > budget)
            break;
        llmops__buf_append(out, item.data, item.len);
    }
    int failed = item.failed;
    llmops__buf_free(&item);
    if (shown < res->n)
        llmops__buf_printf(out, "%sand %zu more", shown ? "; " : "", res->n - shown);
    if (failed || out->failed) {
        if (!out->failed)
            out->len = start;
        return LLMOPS_E_NO_MEMORY;
    }
    return LLMOPS_OK;
}
