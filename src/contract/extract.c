/* Locating the one JSON value in a model's answer. The whole text is tried
 * first (strict JSON output); when it is not JSON, a ```json fence and then a
 * balanced {...} or [...] are looked for, so a strict contract can say
 * "prose around JSON" instead of "not JSON" and an extracting contract can
 * take the value. */
#include "contract/internal.h"

#include <string.h>

static int is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static int has_text(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (!is_space((unsigned char)s[i]))
            return 1;
    return 0;
}

/* Parse text[off, off+len); 1 parsed, 0 not JSON, -1 out of memory. */
static int try_parse(const char *text, size_t off, size_t len, llmops__ct_found *f, int how)
{
    llmops_json_doc *doc = NULL;
    llmops_status st = llmops_json_parse(&doc, text + off, len, NULL, NULL);
    if (st == LLMOPS_E_NO_MEMORY)
        return -1;
    if (st != LLMOPS_OK)
        return 0;
    /* The value's own bytes, without the whitespace a fence leaves around it. */
    while (len && is_space((unsigned char)text[off])) {
        off++;
        len--;
    }
    while (len && is_space((unsigned char)text[off + len - 1]))
        len--;
    f->doc = doc;
    f->how = how;
    f->off = off;
    f->len = len;
    return 1;
}

/* Position of the next "```" at or after `from`, or `len`. */
static size_t find_fence(const char *text, size_t len, size_t from)
{
    while (from + 3 <= len) {
        const char *p = memchr(text + from, '`', len - from - 2);
        if (!p)
            return len;
        size_t i = (size_t)(p - text);
        if (text[i + 1] == '`' && text[i + 2] == '`')
            return i;
        from = i + 1;
    }
    return len;
}

/* Length of the info word "json" (any case) at `i` that is a whole word, or 0. */
static size_t json_info(const char *text, size_t len, size_t i)
{
    static const char word[] = "json";
    if (len - i < 4)
        return 0;
    for (size_t k = 0; k < 4; k++) {
        char c = text[i + k];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != word[k])
            return 0;
    }
    if (i + 4 < len) {
        unsigned char c = (unsigned char)text[i + 4];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '_' || c == '-' || c == '.')
            return 0;
    }
    return 4;
}

static int scan_fences(const char *text, size_t len, llmops__ct_found *f)
{
    size_t pos = 0;
    while (pos < len) {
        size_t open = find_fence(text, len, pos);
        if (open >= len)
            return 0;
        size_t i = open + 3;
        while (i < len && (text[i] == ' ' || text[i] == '\t'))
            i++;
        size_t info = json_info(text, len, i);
        size_t body = i + info;
        size_t close = find_fence(text, len, body);
        if (info) {
            int r = try_parse(text, body, close - body, f, LLMOPS__CT_FENCE);
            if (r)
                return r;
        }
        /* Past this block's closing fence, so a closing fence is never read
         * as the opening of the next block. */
        pos = close + 3;
    }
    return 0;
}

/* End (exclusive) of the balanced container opening at `start`, or 0 when
 * the text ends first. Strings are skipped with their escapes, so braces in
 * them do not count. */
static size_t balanced_end(const char *text, size_t len, size_t start)
{
    size_t depth = 0;
    int in_string = 0;
    for (size_t i = start; i < len; i++) {
        char c = text[i];
        if (in_string) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_string = 0;
            continue;
        }
        switch (c) {
        case '"':
            in_string = 1;
            break;
        case '{':
        case '[':
            depth++;
            break;
        case '}':
        case ']':
            if (--depth == 0)
                return i + 1;
            break;
        default:
            break;
        }
    }
    return 0;
}

static int scan_balanced(const char *text, size_t len, llmops__ct_found *f)
{
    size_t pos = 0;
    for (unsigned attempt = 0; attempt < LLMOPS__CT_MAX_CANDIDATES; attempt++) {
        size_t start = pos;
        while (start < len && text[start] != '{' && text[start] != '[')
            start++;
        if (start >= len)
            return 0;
        size_t end = balanced_end(text, len, start);
        if (end) {
            int r = try_parse(text, start, end - start, f, LLMOPS__CT_EMBEDDED);
            if (r)
                return r;
        }
        /* A candidate that does not parse may still hold the value ("{see
         * {"a":1}}"), so the next opener is the next candidate. */
        pos = start + 1;
    }
    return 0;
}

llmops_status llmops__ct_find_json(const char *text, size_t len, llmops__ct_found *f)
{
    memset(f, 0, sizeof *f);
    llmops_json_error perr = LLMOPS_JSON_ERROR_INIT;
    llmops_json_doc *doc = NULL;
    llmops_status st = llmops_json_parse(&doc, text, len, NULL, &perr);
    if (st == LLMOPS_E_NO_MEMORY)
        return st;
    if (st == LLMOPS_OK) {
        size_t off = 0, n = len;
        while (n && is_space((unsigned char)text[off])) {
            off++;
            n--;
        }
        while (n && is_space((unsigned char)text[off + n - 1]))
            n--;
        f->how = LLMOPS__CT_WHOLE;
        f->doc = doc;
        f->off = off;
        f->len = n;
        return LLMOPS_OK;
    }
    f->whole_st = st;
    f->whole_err = perr;
    int r = scan_fences(text, len, f);
    if (r == 0)
        r = scan_balanced(text, len, f);
    if (r < 0)
        return LLMOPS_E_NO_MEMORY;
    if (r > 0) {
        f->prose_before = has_text(text, f->off);
        f->prose_after = has_text(text + f->off + f->len, len - f->off - f->len);
    }
    return LLMOPS_OK;
}
