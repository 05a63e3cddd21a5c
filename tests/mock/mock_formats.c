/* The mock's default format responder: valid answers in each provider's
 * wire format, echoing the last user text (see mock_server.h). Request
 * bodies are read with the library's JSON parser; answers are written by
 * hand so they look like the real servers' output. */
#include "mock_internal.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "llmops/common.h"
#include "llmops/json.h"

typedef enum fmt {
    F_NONE, F_CHAT, F_EMBED, F_MODERATION, F_RESPONSES, F_ANTHROPIC,
    F_GEMINI, F_GEMINI_STREAM, F_GEMINI_EMBED, F_GEMINI_BATCH, F_OLLAMA_CHAT, F_OLLAMA_EMBED
} fmt;

/* What the answer is made of. */
typedef struct ask {
    const llmops_json *root;
    char model[160];
    int stream;
    lt_sb user;          /* last user text */
    int tool_result;     /* the last message carries a tool result */
    lt_sb result;        /* its text */
    char tool[128];      /* first declared tool, "" when none */
    long in_tokens;
    unsigned long serial;
    lt_sb answer;        /* "echo: ..." or "tool result: ..." */
    int call;            /* answer is a tool call */
    lt_sb args;          /* {"text":"..."} when call */
    long out_tokens;
} ask;

/* ---- reading the request ------------------------------------------------ */

static int has_suffix(const char *s, size_t n, const char *suf)
{
    size_t k = strlen(suf);
    return n >= k && memcmp(s + n - k, suf, k) == 0;
}

static long count_words(const char *s, size_t n)
{
    long w = 0;
    int in = 0;
    for (size_t i = 0; i < n; i++) {
        int sp = s[i] == ' ' || s[i] == '\n' || s[i] == '\t' || s[i] == '\r';
        if (!sp && !in) w++;
        in = !sp;
    }
    return w;
}

/* Words in every string under v (message texts, system prompts, ...). */
static long words_in(const llmops_json *v)
{
    switch (llmops_json_type_of(v)) {
    case LLMOPS_JSON_STRING: {
        size_t n = 0;
        const char *s = llmops_json_string(v, &n);
        return count_words(s, n);
    }
    case LLMOPS_JSON_ARRAY:
    case LLMOPS_JSON_OBJECT: {
        long w = 0;
        size_t n = llmops_json_size(v);
        for (size_t i = 0; i < n; i++) {
            const char *k = llmops_json_key_at(v, i, NULL);
            /* Keys that name things rather than carry text. */
            if (k && (!strcmp(k, "role") || !strcmp(k, "type") || !strcmp(k, "id") ||
                      !strcmp(k, "tool_call_id") || !strcmp(k, "tool_use_id") ||
                      !strcmp(k, "call_id") || !strcmp(k, "name")))
                continue;
            w += words_in(llmops_json_at(v, i));
        }
        return w;
    }
    default:
        return 0;
    }
}

/* Text of a content value: a string, an array of parts with "text", or
 * any other JSON written compactly. */
static void value_text(const llmops_json *v, lt_sb *out)
{
    llmops_json_type t = llmops_json_type_of(v);
    if (t == LLMOPS_JSON_STRING) {
        size_t n = 0;
        const char *s = llmops_json_string(v, &n);
        lt_sb_add(out, s, n);
        return;
    }
    if (t == LLMOPS_JSON_ARRAY) {
        for (size_t i = 0; i < llmops_json_size(v); i++) {
            const llmops_json *p = llmops_json_at(v, i);
            const llmops_json *tx = llmops_json_get(p, "text");
            if (llmops_json_type_of(tx) == LLMOPS_JSON_STRING) value_text(tx, out);
            else if (llmops_json_type_of(p) == LLMOPS_JSON_STRING) value_text(p, out);
        }
        return;
    }
    if (t == LLMOPS_JSON_NULL) return;
    char *w = NULL;
    size_t wl = 0;
    if (llmops_json_write(&w, &wl, v, LLMOPS_JSON_WRITE_COMPACT) == LLMOPS_OK) lt_sb_add(out, w, wl);
    llmops_free(w);
}

static int str_is(const llmops_json *v, const char *s)
{
    const char *x = llmops_json_string(v, NULL);
    return x && strcmp(x, s) == 0;
}

/* OpenAI chat, Anthropic and Ollama: messages[]. */
static void read_messages(ask *a, const llmops_json *msgs)
{
    size_t n = llmops_json_size(msgs);
    if (n == 0) return;
    const llmops_json *last = llmops_json_at(msgs, n - 1);
    if (str_is(llmops_json_get(last, "role"), "tool")) {
        a->tool_result = 1;
        value_text(llmops_json_get(last, "content"), &a->result);
        return;
    }
    const llmops_json *content = llmops_json_get(last, "content");
    if (llmops_json_type_of(content) == LLMOPS_JSON_ARRAY) {
        for (size_t i = 0; i < llmops_json_size(content); i++) {
            const llmops_json *b = llmops_json_at(content, i);
            if (str_is(llmops_json_get(b, "type"), "tool_result")) {
                a->tool_result = 1;
                value_text(llmops_json_get(b, "content"), &a->result);
            }
        }
        if (a->tool_result) return;
    }
    for (size_t i = n; i-- > 0;) {
        const llmops_json *msg = llmops_json_at(msgs, i);
        if (str_is(llmops_json_get(msg, "role"), "user")) {
            value_text(llmops_json_get(msg, "content"), &a->user);
            return;
        }
    }
}

/* Responses: input is a string or a list of items. */
static void read_responses_input(ask *a, const llmops_json *input)
{
    if (llmops_json_type_of(input) == LLMOPS_JSON_STRING) {
        value_text(input, &a->user);
        return;
    }
    size_t n = llmops_json_size(input);
    if (n == 0) return;
    const llmops_json *last = llmops_json_at(input, n - 1);
    if (str_is(llmops_json_get(last, "type"), "function_call_output")) {
        a->tool_result = 1;
        value_text(llmops_json_get(last, "output"), &a->result);
        return;
    }
    for (size_t i = n; i-- > 0;) {
        const llmops_json *it = llmops_json_at(input, i);
        if (str_is(llmops_json_get(it, "role"), "user")) {
            value_text(llmops_json_get(it, "content"), &a->user);
            return;
        }
    }
}

/* Gemini: contents[] of {role, parts[]}. */
static void read_contents(ask *a, const llmops_json *contents)
{
    size_t n = llmops_json_size(contents);
    if (n == 0) return;
    const llmops_json *lastparts = llmops_json_get(llmops_json_at(contents, n - 1), "parts");
    for (size_t i = 0; i < llmops_json_size(lastparts); i++) {
        const llmops_json *fr = llmops_json_get(llmops_json_at(lastparts, i), "functionResponse");
        if (fr) {
            a->tool_result = 1;
            value_text(llmops_json_get(fr, "response"), &a->result);
        }
    }
    if (a->tool_result) return;
    for (size_t i = n; i-- > 0;) {
        const llmops_json *c = llmops_json_at(contents, i);
        const llmops_json *role = llmops_json_get(c, "role");
        if (!role || str_is(role, "user")) {
            value_text(llmops_json_get(c, "parts"), &a->user);
            return;
        }
    }
}

static void read_tool(ask *a, const llmops_json *tools)
{
    const llmops_json *t = llmops_json_at(tools, 0);
    const char *name = llmops_json_string(llmops_json_get(llmops_json_get(t, "function"), "name"), NULL);
    if (!name) name = llmops_json_string(llmops_json_get(t, "name"), NULL);
    if (!name) {
        const llmops_json *decl = llmops_json_at(llmops_json_get(t, "functionDeclarations"), 0);
        if (!decl) decl = llmops_json_at(llmops_json_get(t, "function_declarations"), 0);
        name = llmops_json_string(llmops_json_get(decl, "name"), NULL);
    }
    if (name) snprintf(a->tool, sizeof a->tool, "%s", name);
}

static void make_answer(ask *a)
{
    if (a->tool_result) {
        lt_sb_puts(&a->answer, "tool result: ");
        lt_sb_add(&a->answer, a->result.data ? a->result.data : "", a->result.len);
    } else if (a->tool[0] && a->user.data && strstr(a->user.data, "call tool")) {
        a->call = 1;
        lt_sb_puts(&a->args, "{\"text\":");
        lt_sb_json_str(&a->args, a->user.data, a->user.len);
        lt_sb_puts(&a->args, "}");
    }
    if (!a->call && !a->tool_result) {
        lt_sb_puts(&a->answer, "echo: ");
        lt_sb_add(&a->answer, a->user.data ? a->user.data : "", a->user.len);
    }
    if (!a->answer.data) lt_sb_puts(&a->answer, "");
    if (!a->args.data) lt_sb_puts(&a->args, "");
    a->out_tokens = a->call ? 1 + count_words(a->user.data ? a->user.data : "", a->user.len)
                            : count_words(a->answer.data, a->answer.len);
    if (a->in_tokens < 1) a->in_tokens = 1;
}

/* ---- writing helpers ---------------------------------------------------- */

static void jstr(lt_sb *b, const char *s) { lt_sb_json_str(b, s, strlen(s)); }
static void jbuf(lt_sb *b, const lt_sb *s) { lt_sb_json_str(b, s->data ? s->data : "", s->len); }

/* Length of the next streamed piece at off: up to 8 bytes, never splitting
 * a UTF-8 sequence. */
static size_t piece_len(const char *s, size_t len, size_t off)
{
    size_t n = len - off < 8 ? len - off : 8;
    while (off + n < len && n > 1 && ((unsigned char)s[off + n] & 0xC0) == 0x80) n--;
    while (off + n < len && ((unsigned char)s[off + n] & 0xC0) == 0x80) n++;
    return n;
}

/* Calls emit for "echo: " then the rest in pieces (or the whole answer for
 * tool results). */
typedef void (*piece_fn)(ask *a, lt_sb *out, const char *p, size_t n);

static void each_piece(ask *a, lt_sb *out, const char *s, size_t len, piece_fn emit)
{
    size_t off = 0;
    if (len >= 6 && memcmp(s, "echo: ", 6) == 0) {
        emit(a, out, s, 6);
        off = 6;
    }
    while (off < len) {
        size_t n = piece_len(s, len, off);
        emit(a, out, s + off, n);
        off += n;
    }
}

static void sse_event(lt_sb *out, const char *name, const lt_sb *data)
{
    if (name) lt_sb_printf(out, "event: %s\n", name);
    lt_sb_puts(out, "data: ");
    lt_sb_add(out, data->data ? data->data : "", data->len);
    lt_sb_puts(out, "\n\n");
}

static void embedding_values(lt_sb *b, const char *s, size_t n, long dims)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    lt_sb_puts(b, "[");
    for (long i = 0; i < dims; i++) {
        h = h * 6364136223846793005ull + 1442695040888963407ull;
        double v = (double)(h >> 11) / 9007199254740992.0 * 2.0 - 1.0;
        lt_sb_printf(b, "%s%.6f", i ? "," : "", v);
    }
    lt_sb_puts(b, "]");
}

static long dims_of(const llmops_json *v, const char *key)
{
    int64_t d = 0;
    if (llmops_json_get_int(llmops_json_get(v, key), &d) == LLMOPS_OK && d > 0 && d <= 4096)
        return (long)d;
    return 8;
}

/* Calls fn for each input text of an embeddings/moderation "input". */
typedef void (*text_fn)(void *ctx, size_t index, const char *s, size_t n);

static size_t each_input(const llmops_json *input, text_fn fn, void *ctx)
{
    if (llmops_json_type_of(input) == LLMOPS_JSON_STRING) {
        size_t n = 0;
        const char *s = llmops_json_string(input, &n);
        fn(ctx, 0, s, n);
        return 1;
    }
    size_t count = llmops_json_size(input);
    for (size_t i = 0; i < count; i++) {
        const llmops_json *it = llmops_json_at(input, i);
        lt_sb t = { 0 };
        if (llmops_json_type_of(it) == LLMOPS_JSON_STRING) value_text(it, &t);
        else value_text(llmops_json_get(it, "text"), &t);
        fn(ctx, i, t.data ? t.data : "", t.len);
        lt_sb_free(&t);
    }
    return count;
}

/* ---- OpenAI chat completions -------------------------------------------- */

static void chat_head(ask *a, lt_sb *b)
{
    lt_sb_printf(b, "{\"id\":\"chatcmpl-mock%lu\",\"object\":\"chat.completion.chunk\",\"created\":%ld,\"model\":",
                 a->serial, (long)time(NULL));
    jstr(b, a->model);
    lt_sb_puts(b, ",\"system_fingerprint\":\"fp_mock\",\"choices\":[");
}

static void chat_text_piece(ask *a, lt_sb *out, const char *p, size_t n)
{
    lt_sb e = { 0 };
    chat_head(a, &e);
    lt_sb_puts(&e, "{\"index\":0,\"delta\":{\"content\":");
    lt_sb_json_str(&e, p, n);
    lt_sb_puts(&e, "},\"logprobs\":null,\"finish_reason\":null}]}");
    sse_event(out, NULL, &e);
    lt_sb_free(&e);
}

static void chat_args_piece(ask *a, lt_sb *out, const char *p, size_t n)
{
    lt_sb e = { 0 };
    chat_head(a, &e);
    lt_sb_puts(&e, "{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":");
    lt_sb_json_str(&e, p, n);
    lt_sb_puts(&e, "}}]},\"logprobs\":null,\"finish_reason\":null}]}");
    sse_event(out, NULL, &e);
    lt_sb_free(&e);
}

static void chat_usage(ask *a, lt_sb *b)
{
    lt_sb_printf(b, "{\"prompt_tokens\":%ld,\"completion_tokens\":%ld,\"total_tokens\":%ld,"
                    "\"prompt_tokens_details\":{\"cached_tokens\":0},"
                    "\"completion_tokens_details\":{\"reasoning_tokens\":0}}",
                 a->in_tokens, a->out_tokens, a->in_tokens + a->out_tokens);
}

static void openai_chat(ask *a, lt_sb *out)
{
    if (!a->stream) {
        lt_sb_printf(out, "{\"id\":\"chatcmpl-mock%lu\",\"object\":\"chat.completion\",\"created\":%ld,\"model\":",
                     a->serial, (long)time(NULL));
        jstr(out, a->model);
        lt_sb_puts(out, ",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",");
        if (a->call) {
            lt_sb_printf(out, "\"content\":null,\"tool_calls\":[{\"id\":\"call_mock%lu\",\"type\":\"function\","
                              "\"function\":{\"name\":", a->serial);
            jstr(out, a->tool);
            lt_sb_puts(out, ",\"arguments\":");
            jbuf(out, &a->args);
            lt_sb_puts(out, "}}]},\"logprobs\":null,\"finish_reason\":\"tool_calls\"}],\"usage\":");
        } else {
            lt_sb_puts(out, "\"content\":");
            jbuf(out, &a->answer);
            lt_sb_puts(out, ",\"refusal\":null},\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":");
        }
        chat_usage(a, out);
        lt_sb_puts(out, ",\"system_fingerprint\":\"fp_mock\"}");
        return;
    }
    lt_sb e = { 0 };
    chat_head(a, &e);
    if (a->call) {
        lt_sb_printf(&e, "{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":null,\"tool_calls\":"
                         "[{\"index\":0,\"id\":\"call_mock%lu\",\"type\":\"function\",\"function\":{\"name\":",
                     a->serial);
        jstr(&e, a->tool);
        lt_sb_puts(&e, ",\"arguments\":\"\"}}]},\"logprobs\":null,\"finish_reason\":null}]}");
        sse_event(out, NULL, &e);
        for (size_t off = 0; off < a->args.len;) {
            size_t n = piece_len(a->args.data, a->args.len, off);
            chat_args_piece(a, out, a->args.data + off, n);
            off += n;
        }
    } else {
        lt_sb_puts(&e, "{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null},"
                       "\"logprobs\":null,\"finish_reason\":null}]}");
        sse_event(out, NULL, &e);
        each_piece(a, out, a->answer.data, a->answer.len, chat_text_piece);
    }
    e.len = 0;
    chat_head(a, &e);
    lt_sb_printf(&e, "{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"%s\"}]}",
                 a->call ? "tool_calls" : "stop");
    sse_event(out, NULL, &e);
    e.len = 0;
    chat_head(a, &e);
    lt_sb_puts(&e, "],\"usage\":");
    chat_usage(a, &e);
    lt_sb_puts(&e, "}");
    sse_event(out, NULL, &e);
    lt_sb_puts(out, "data: [DONE]\n\n");
    lt_sb_free(&e);
}

/* ---- OpenAI embeddings and moderation ----------------------------------- */

typedef struct embed_ctx {
    lt_sb *out;
    long dims;
    long tokens;
    int style;  /* 0 OpenAI, 1 Ollama, 2 Gemini batch */
} embed_ctx;

static void embed_one(void *p, size_t index, const char *s, size_t n)
{
    embed_ctx *c = p;
    if (index > 0) lt_sb_puts(c->out, ",");
    if (c->style == 0) lt_sb_printf(c->out, "{\"object\":\"embedding\",\"index\":%zu,\"embedding\":", index);
    if (c->style == 2) lt_sb_puts(c->out, "{\"values\":");
    embedding_values(c->out, s, n, c->dims);
    if (c->style != 1) lt_sb_puts(c->out, "}");
    c->tokens += count_words(s, n);
}

static void openai_embed(ask *a, lt_sb *out)
{
    embed_ctx c = { out, dims_of(a->root, "dimensions"), 0, 0 };
    lt_sb_puts(out, "{\"object\":\"list\",\"data\":[");
    each_input(llmops_json_get(a->root, "input"), embed_one, &c);
    lt_sb_puts(out, "],\"model\":");
    jstr(out, a->model);
    if (c.tokens < 1) c.tokens = 1;
    lt_sb_printf(out, ",\"usage\":{\"prompt_tokens\":%ld,\"total_tokens\":%ld}}", c.tokens, c.tokens);
}

static void moderate_one(void *p, size_t index, const char *s, size_t n)
{
    lt_sb *out = p;
    int flagged = memmem(s, n, "flag me", 7) != NULL;
    if (index > 0) lt_sb_puts(out, ",");
    lt_sb_printf(out, "{\"flagged\":%s,\"categories\":{\"harassment\":false,\"hate\":false,"
                      "\"self-harm\":false,\"sexual\":false,\"violence\":%s},\"category_scores\":"
                      "{\"harassment\":0.0001,\"hate\":0.0001,\"self-harm\":0.0001,\"sexual\":0.0001,"
                      "\"violence\":%s}}",
                 flagged ? "true" : "false", flagged ? "true" : "false", flagged ? "0.97" : "0.0002");
}

static void openai_moderation(ask *a, lt_sb *out)
{
    lt_sb_printf(out, "{\"id\":\"modr-mock%lu\",\"model\":", a->serial);
    jstr(out, a->model);
    lt_sb_puts(out, ",\"results\":[");
    each_input(llmops_json_get(a->root, "input"), moderate_one, out);
    lt_sb_puts(out, "]}");
}

/* ---- OpenAI Responses --------------------------------------------------- */

static void responses_item(ask *a, lt_sb *b, int done)
{
    if (a->call) {
        lt_sb_printf(b, "{\"type\":\"function_call\",\"id\":\"fc_mock%lu\",\"call_id\":\"call_mock%lu\",\"name\":",
                     a->serial, a->serial);
        jstr(b, a->tool);
        lt_sb_puts(b, ",\"arguments\":");
        if (done) jbuf(b, &a->args);
        else lt_sb_puts(b, "\"\"");
        lt_sb_printf(b, ",\"status\":\"%s\"}", done ? "completed" : "in_progress");
        return;
    }
    lt_sb_printf(b, "{\"type\":\"message\",\"id\":\"msg_mock%lu\",\"status\":\"%s\",\"role\":\"assistant\",\"content\":[",
                 a->serial, done ? "completed" : "in_progress");
    if (done) {
        lt_sb_puts(b, "{\"type\":\"output_text\",\"annotations\":[],\"text\":");
        jbuf(b, &a->answer);
        lt_sb_puts(b, "}");
    }
    lt_sb_puts(b, "]}");
}

static void responses_object(ask *a, lt_sb *b, int done)
{
    lt_sb_printf(b, "{\"id\":\"resp_mock%lu\",\"object\":\"response\",\"created_at\":%ld,\"status\":\"%s\",\"model\":",
                 a->serial, (long)time(NULL), done ? "completed" : "in_progress");
    jstr(b, a->model);
    lt_sb_puts(b, ",\"output\":[");
    if (done) responses_item(a, b, 1);
    lt_sb_puts(b, "],\"usage\":");
    if (done)
        lt_sb_printf(b, "{\"input_tokens\":%ld,\"input_tokens_details\":{\"cached_tokens\":0},"
                        "\"output_tokens\":%ld,\"output_tokens_details\":{\"reasoning_tokens\":0},"
                        "\"total_tokens\":%ld}}",
                     a->in_tokens, a->out_tokens, a->in_tokens + a->out_tokens);
    else
        lt_sb_puts(b, "null}");
}

static void responses_delta(ask *a, lt_sb *out, const char *p, size_t n)
{
    lt_sb e = { 0 };
    lt_sb_printf(&e, "{\"type\":\"response.output_text.delta\",\"item_id\":\"msg_mock%lu\","
                     "\"output_index\":0,\"content_index\":0,\"delta\":", a->serial);
    lt_sb_json_str(&e, p, n);
    lt_sb_puts(&e, "}");
    sse_event(out, "response.output_text.delta", &e);
    lt_sb_free(&e);
}

static void responses(ask *a, lt_sb *out)
{
    if (!a->stream) {
        responses_object(a, out, 1);
        return;
    }
    lt_sb e = { 0 };
    lt_sb_puts(&e, "{\"type\":\"response.created\",\"response\":");
    responses_object(a, &e, 0);
    lt_sb_puts(&e, "}");
    sse_event(out, "response.created", &e);
    e.len = 0;
    lt_sb_puts(&e, "{\"type\":\"response.output_item.added\",\"output_index\":0,\"item\":");
    responses_item(a, &e, 0);
    lt_sb_puts(&e, "}");
    sse_event(out, "response.output_item.added", &e);
    if (a->call) {
        for (size_t off = 0; off < a->args.len;) {
            size_t n = piece_len(a->args.data, a->args.len, off);
            e.len = 0;
            lt_sb_printf(&e, "{\"type\":\"response.function_call_arguments.delta\",\"item_id\":\"fc_mock%lu\","
                             "\"output_index\":0,\"delta\":", a->serial);
            lt_sb_json_str(&e, a->args.data + off, n);
            lt_sb_puts(&e, "}");
            sse_event(out, "response.function_call_arguments.delta", &e);
            off += n;
        }
        e.len = 0;
        lt_sb_printf(&e, "{\"type\":\"response.function_call_arguments.done\",\"item_id\":\"fc_mock%lu\","
                         "\"output_index\":0,\"arguments\":", a->serial);
        jbuf(&e, &a->args);
        lt_sb_puts(&e, "}");
        sse_event(out, "response.function_call_arguments.done", &e);
    } else {
        e.len = 0;
        lt_sb_printf(&e, "{\"type\":\"response.content_part.added\",\"item_id\":\"msg_mock%lu\",\"output_index\":0,"
                         "\"content_index\":0,\"part\":{\"type\":\"output_text\",\"annotations\":[],\"text\":\"\"}}",
                     a->serial);
        sse_event(out, "response.content_part.added", &e);
        each_piece(a, out, a->answer.data, a->answer.len, responses_delta);
        e.len = 0;
        lt_sb_printf(&e, "{\"type\":\"response.output_text.done\",\"item_id\":\"msg_mock%lu\",\"output_index\":0,"
                         "\"content_index\":0,\"text\":", a->serial);
        jbuf(&e, &a->answer);
        lt_sb_puts(&e, "}");
        sse_event(out, "response.output_text.done", &e);
        e.len = 0;
        lt_sb_printf(&e, "{\"type\":\"response.content_part.done\",\"item_id\":\"msg_mock%lu\",\"output_index\":0,"
                         "\"content_index\":0,\"part\":{\"type\":\"output_text\",\"annotations\":[],\"text\":",
                     a->serial);
        jbuf(&e, &a->answer);
        lt_sb_puts(&e, "}}");
        sse_event(out, "response.content_part.done", &e);
    }
    e.len = 0;
    lt_sb_puts(&e, "{\"type\":\"response.output_item.done\",\"output_index\":0,\"item\":");
    responses_item(a, &e, 1);
    lt_sb_puts(&e, "}");
    sse_event(out, "response.output_item.done", &e);
    e.len = 0;
    lt_sb_puts(&e, "{\"type\":\"response.completed\",\"response\":");
    responses_object(a, &e, 1);
    lt_sb_puts(&e, "}");
    sse_event(out, "response.completed", &e);
    lt_sb_free(&e);
}

/* ---- Anthropic messages ------------------------------------------------- */

static void anthropic_text_piece(ask *a, lt_sb *out, const char *p, size_t n)
{
    lt_sb e = { 0 };
    lt_sb_puts(&e, "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":");
    lt_sb_json_str(&e, p, n);
    lt_sb_puts(&e, "}}");
    sse_event(out, "content_block_delta", &e);
    lt_sb_free(&e);
}

static void anthropic(ask *a, lt_sb *out)
{
    const char *stop = a->call ? "tool_use" : "end_turn";
    if (!a->stream) {
        lt_sb_printf(out, "{\"id\":\"msg_mock%lu\",\"type\":\"message\",\"role\":\"assistant\",\"model\":", a->serial);
        jstr(out, a->model);
        lt_sb_puts(out, ",\"content\":[");
        if (a->call) {
            lt_sb_printf(out, "{\"type\":\"tool_use\",\"id\":\"toolu_mock%lu\",\"name\":", a->serial);
            jstr(out, a->tool);
            lt_sb_puts(out, ",\"input\":");
            lt_sb_add(out, a->args.data, a->args.len);
            lt_sb_puts(out, "}");
        } else {
            lt_sb_puts(out, "{\"type\":\"text\",\"text\":");
            jbuf(out, &a->answer);
            lt_sb_puts(out, "}");
        }
        lt_sb_printf(out, "],\"stop_reason\":\"%s\",\"stop_sequence\":null,\"usage\":{\"input_tokens\":%ld,"
                          "\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0,\"output_tokens\":%ld}}",
                     stop, a->in_tokens, a->out_tokens);
        return;
    }
    lt_sb e = { 0 };
    lt_sb_printf(&e, "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_mock%lu\",\"type\":\"message\","
                     "\"role\":\"assistant\",\"model\":", a->serial);
    jstr(&e, a->model);
    lt_sb_printf(&e, ",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":%ld,"
                     "\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0,\"output_tokens\":1}}}",
                 a->in_tokens);
    sse_event(out, "message_start", &e);
    e.len = 0;
    if (a->call) {
        lt_sb_printf(&e, "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"tool_use\","
                         "\"id\":\"toolu_mock%lu\",\"name\":", a->serial);
        jstr(&e, a->tool);
        lt_sb_puts(&e, ",\"input\":{}}}");
    } else {
        lt_sb_puts(&e, "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}");
    }
    sse_event(out, "content_block_start", &e);
    e.len = 0;
    lt_sb_puts(&e, "{\"type\": \"ping\"}");
    sse_event(out, "ping", &e);
    if (a->call) {
        for (size_t off = 0; off < a->args.len;) {
            size_t n = piece_len(a->args.data, a->args.len, off);
            e.len = 0;
            lt_sb_puts(&e, "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"input_json_delta\","
                           "\"partial_json\":");
            lt_sb_json_str(&e, a->args.data + off, n);
            lt_sb_puts(&e, "}}");
            sse_event(out, "content_block_delta", &e);
            off += n;
        }
    } else {
        each_piece(a, out, a->answer.data, a->answer.len, anthropic_text_piece);
    }
    e.len = 0;
    lt_sb_puts(&e, "{\"type\":\"content_block_stop\",\"index\":0}");
    sse_event(out, "content_block_stop", &e);
    e.len = 0;
    lt_sb_printf(&e, "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"%s\",\"stop_sequence\":null},"
                     "\"usage\":{\"output_tokens\":%ld}}", stop, a->out_tokens);
    sse_event(out, "message_delta", &e);
    e.len = 0;
    lt_sb_puts(&e, "{\"type\":\"message_stop\"}");
    sse_event(out, "message_stop", &e);
    lt_sb_free(&e);
}

/* ---- Gemini -------------------------------------------------------------- */

static void gemini_usage(ask *a, lt_sb *b)
{
    lt_sb_printf(b, ",\"usageMetadata\":{\"promptTokenCount\":%ld,\"candidatesTokenCount\":%ld,"
                    "\"totalTokenCount\":%ld}", a->in_tokens, a->out_tokens, a->in_tokens + a->out_tokens);
}

/* One GenerateContentResponse: `text` (n bytes) or the call, final adds
 * finishReason and usage. */
static void gemini_chunk(ask *a, lt_sb *b, const char *text, size_t n, int final)
{
    lt_sb_puts(b, "{\"candidates\":[{\"content\":{\"parts\":[");
    if (a->call) {
        lt_sb_puts(b, "{\"functionCall\":{\"name\":");
        jstr(b, a->tool);
        lt_sb_puts(b, ",\"args\":");
        lt_sb_add(b, a->args.data, a->args.len);
        lt_sb_puts(b, "}}");
    } else {
        lt_sb_puts(b, "{\"text\":");
        lt_sb_json_str(b, text, n);
        lt_sb_puts(b, "}");
    }
    lt_sb_puts(b, "],\"role\":\"model\"}");
    if (final) lt_sb_puts(b, ",\"finishReason\":\"STOP\"");
    lt_sb_puts(b, ",\"index\":0}]");
    if (final) gemini_usage(a, b);
    lt_sb_puts(b, ",\"modelVersion\":");
    jstr(b, a->model);
    lt_sb_printf(b, ",\"responseId\":\"mock%lu\"}", a->serial);
}

static void gemini_stream(ask *a, lt_sb *out, int sse)
{
    /* Pieces of the answer, the last one carrying finishReason and usage. */
    size_t offs[4096];
    size_t np = 0, off = 0;
    const char *s = a->answer.data;
    size_t len = a->call ? 0 : a->answer.len;
    if (len >= 6 && memcmp(s, "echo: ", 6) == 0) { offs[np++] = 0; off = 6; }
    while (off < len && np < sizeof offs / sizeof offs[0] - 1) {
        offs[np++] = off;
        off += piece_len(s, len, off);
    }
    if (np == 0) offs[np++] = 0;
    offs[np] = len;
    if (!sse) lt_sb_puts(out, "[");
    for (size_t i = 0; i < np; i++) {
        lt_sb e = { 0 };
        size_t end = i + 1 < np ? offs[i + 1] : len;
        gemini_chunk(a, &e, s + offs[i], end - offs[i], i + 1 == np);
        if (sse) {
            lt_sb_puts(out, "data: ");
            lt_sb_add(out, e.data, e.len);
            lt_sb_puts(out, "\r\n\r\n");
        } else {
            if (i) lt_sb_puts(out, ",\r\n");
            lt_sb_add(out, e.data, e.len);
        }
        lt_sb_free(&e);
    }
    if (!sse) lt_sb_puts(out, "]");
}

static void gemini_embed(ask *a, lt_sb *out, int batch)
{
    if (!batch) {
        lt_sb t = { 0 };
        value_text(llmops_json_get(llmops_json_get(a->root, "content"), "parts"), &t);
        lt_sb_puts(out, "{\"embedding\":{\"values\":");
        embedding_values(out, t.data ? t.data : "", t.len, dims_of(a->root, "outputDimensionality"));
        lt_sb_puts(out, "}}");
        lt_sb_free(&t);
        return;
    }
    const llmops_json *reqs = llmops_json_get(a->root, "requests");
    lt_sb_puts(out, "{\"embeddings\":[");
    for (size_t i = 0; i < llmops_json_size(reqs); i++) {
        const llmops_json *r = llmops_json_at(reqs, i);
        lt_sb t = { 0 };
        value_text(llmops_json_get(llmops_json_get(r, "content"), "parts"), &t);
        lt_sb_puts(out, i ? ",{\"values\":" : "{\"values\":");
        embedding_values(out, t.data ? t.data : "", t.len, dims_of(r, "outputDimensionality"));
        lt_sb_puts(out, "}");
        lt_sb_free(&t);
    }
    lt_sb_puts(out, "]}");
}

/* ---- Ollama --------------------------------------------------------------- */

static void ollama_created(lt_sb *b)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    lt_sb_printf(b, "\"created_at\":\"%04d-%02d-%02dT%02d:%02d:%02d.000000Z\"", tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static void ollama_piece(ask *a, lt_sb *out, const char *p, size_t n)
{
    lt_sb_puts(out, "{\"model\":");
    jstr(out, a->model);
    lt_sb_puts(out, ",");
    ollama_created(out);
    lt_sb_puts(out, ",\"message\":{\"role\":\"assistant\",\"content\":");
    lt_sb_json_str(out, p, n);
    lt_sb_puts(out, "},\"done\":false}\n");
}

static void ollama_final(ask *a, lt_sb *out, int with_message)
{
    lt_sb_puts(out, "{\"model\":");
    jstr(out, a->model);
    lt_sb_puts(out, ",");
    ollama_created(out);
    lt_sb_puts(out, ",\"message\":{\"role\":\"assistant\",\"content\":");
    if (with_message && !a->call) jbuf(out, &a->answer);
    else lt_sb_puts(out, "\"\"");
    if (a->call) {
        lt_sb_puts(out, ",\"tool_calls\":[{\"function\":{\"name\":");
        jstr(out, a->tool);
        lt_sb_puts(out, ",\"arguments\":");
        lt_sb_add(out, a->args.data, a->args.len);
        lt_sb_puts(out, "}}]");
    }
    lt_sb_printf(out, "},\"done_reason\":\"stop\",\"done\":true,\"total_duration\":1200000,"
                      "\"load_duration\":100000,\"prompt_eval_count\":%ld,\"prompt_eval_duration\":300000,"
                      "\"eval_count\":%ld,\"eval_duration\":800000}",
                 a->in_tokens, a->out_tokens);
}

static void ollama_chat(ask *a, lt_sb *out)
{
    if (!a->stream) {
        ollama_final(a, out, 1);
        return;
    }
    if (!a->call) each_piece(a, out, a->answer.data, a->answer.len, ollama_piece);
    ollama_final(a, out, 0);
    lt_sb_puts(out, "\n");
}

static void ollama_embed(ask *a, lt_sb *out)
{
    embed_ctx c = { out, dims_of(a->root, "dimensions"), 0, 1 };
    lt_sb_puts(out, "{\"model\":");
    jstr(out, a->model);
    lt_sb_puts(out, ",\"embeddings\":[");
    each_input(llmops_json_get(a->root, "input"), embed_one, &c);
    if (c.tokens < 1) c.tokens = 1;
    lt_sb_printf(out, "],\"total_duration\":500000,\"load_duration\":100000,\"prompt_eval_count\":%ld}", c.tokens);
}

/* ---- dispatch -------------------------------------------------------------- */

static fmt classify(const char *target, char *model, size_t model_sz, int *sse)
{
    const char *q = strchr(target, '?');
    size_t n = q ? (size_t)(q - target) : strlen(target);
    *sse = q && strstr(q, "alt=sse") != NULL;
    const char *mp = NULL;
    for (const char *p = target; p + 8 <= target + n; p++)
        if (memcmp(p, "/models/", 8) == 0) mp = p + 8;
    const char *colon = mp ? memchr(mp, ':', (size_t)(target + n - mp)) : NULL;
    if (colon) {
        snprintf(model, model_sz, "%.*s", (int)(colon - mp), mp);
        const char *verb = colon + 1;
        size_t vl = (size_t)(target + n - verb);
        if (vl == 15 && !memcmp(verb, "generateContent", 15)) return F_GEMINI;
        if (vl == 21 && !memcmp(verb, "streamGenerateContent", 21)) return F_GEMINI_STREAM;
        if (vl == 12 && !memcmp(verb, "embedContent", 12)) return F_GEMINI_EMBED;
        if (vl == 18 && !memcmp(verb, "batchEmbedContents", 18)) return F_GEMINI_BATCH;
        return F_NONE;
    }
    if (has_suffix(target, n, "/chat/completions")) return F_CHAT;
    if (has_suffix(target, n, "/api/chat")) return F_OLLAMA_CHAT;
    if (has_suffix(target, n, "/api/embed")) return F_OLLAMA_EMBED;
    if (has_suffix(target, n, "/embeddings")) return F_EMBED;
    if (has_suffix(target, n, "/moderations")) return F_MODERATION;
    if (has_suffix(target, n, "/responses")) return F_RESPONSES;
    if (has_suffix(target, n, "/messages")) return F_ANTHROPIC;
    return F_NONE;
}

static void error_body(lt_sb *body, const char *type, const char *msg)
{
    lt_sb_puts(body, "{\"error\":{\"message\":");
    jstr(body, msg);
    lt_sb_puts(body, ",\"type\":");
    jstr(body, type);
    lt_sb_puts(body, ",\"param\":null,\"code\":null}}");
}

void lt_mock__format_respond(const lt_mock_request *req, unsigned long serial,
                             lt_mock_response *resp, lt_sb *headers, lt_sb *body)
{
    ask a;
    memset(&a, 0, sizeof a);
    a.serial = serial;
    int sse = 0;
    fmt f = classify(req->target, a.model, sizeof a.model, &sse);
    resp->status = 200;
    resp->content_type = "application/json";
    if (f == F_NONE) {
        char msg[256];
        snprintf(msg, sizeof msg, "mock: no format answers %s %.180s", req->method, req->target);
        resp->status = 404;
        error_body(body, "invalid_request_error", msg);
        return;
    }
    llmops_json_doc *doc = NULL;
    llmops_json_error err = LLMOPS_JSON_ERROR_INIT;
    if (llmops_json_parse(&doc, req->body, req->body_len, NULL, &err) != LLMOPS_OK) {
        char msg[256];
        snprintf(msg, sizeof msg, "mock: request body is not JSON (offset %zu: %s)", err.offset, err.message);
        resp->status = 400;
        error_body(body, "invalid_request_error", msg);
        return;
    }
    a.root = llmops_json_doc_root(doc);
    const char *model = llmops_json_string(llmops_json_get(a.root, "model"), NULL);
    if (model) snprintf(a.model, sizeof a.model, "%s", model);
    if (!a.model[0]) snprintf(a.model, sizeof a.model, "mock-model");
    const llmops_json *st = llmops_json_get(a.root, "stream");
    a.stream = f == F_OLLAMA_CHAT ? (st == NULL || llmops_json_is_true(st)) : llmops_json_is_true(st);
    if (f == F_GEMINI_STREAM) a.stream = 1;
    read_tool(&a, llmops_json_get(a.root, "tools"));

    switch (f) {
    case F_CHAT: case F_ANTHROPIC: case F_OLLAMA_CHAT:
        read_messages(&a, llmops_json_get(a.root, "messages"));
        a.in_tokens = words_in(llmops_json_get(a.root, "messages")) + words_in(llmops_json_get(a.root, "system"));
        break;
    case F_RESPONSES:
        read_responses_input(&a, llmops_json_get(a.root, "input"));
        a.in_tokens = words_in(llmops_json_get(a.root, "input")) +
                      words_in(llmops_json_get(a.root, "instructions"));
        break;
    case F_GEMINI: case F_GEMINI_STREAM:
        read_contents(&a, llmops_json_get(a.root, "contents"));
        a.in_tokens = words_in(llmops_json_get(a.root, "contents")) +
                      words_in(llmops_json_get(a.root, "systemInstruction"));
        break;
    default:
        break;
    }
    make_answer(&a);

    switch (f) {
    case F_CHAT:
        lt_sb_printf(headers, "x-request-id: req_mock%lu\nopenai-processing-ms: 1\n", serial);
        openai_chat(&a, body);
        break;
    case F_EMBED:
        lt_sb_printf(headers, "x-request-id: req_mock%lu\n", serial);
        openai_embed(&a, body);
        break;
    case F_MODERATION:
        lt_sb_printf(headers, "x-request-id: req_mock%lu\n", serial);
        openai_moderation(&a, body);
        break;
    case F_RESPONSES:
        lt_sb_printf(headers, "x-request-id: req_mock%lu\n", serial);
        responses(&a, body);
        break;
    case F_ANTHROPIC:
        lt_sb_printf(headers, "request-id: req_mock%lu\n", serial);
        anthropic(&a, body);
        break;
    case F_GEMINI:
        gemini_chunk(&a, body, a.answer.data, a.call ? 0 : a.answer.len, 1);
        break;
    case F_GEMINI_STREAM:
        gemini_stream(&a, body, sse);
        break;
    case F_GEMINI_EMBED:
    case F_GEMINI_BATCH:
        gemini_embed(&a, body, f == F_GEMINI_BATCH);
        break;
    case F_OLLAMA_CHAT:
        ollama_chat(&a, body);
        break;
    case F_OLLAMA_EMBED:
        ollama_embed(&a, body);
        break;
    default:
        break;
    }
    if (a.stream && (f == F_CHAT || f == F_RESPONSES || f == F_ANTHROPIC || (f == F_GEMINI_STREAM && sse)))
        resp->content_type = "text/event-stream";
    if (a.stream && f == F_OLLAMA_CHAT) resp->content_type = "application/x-ndjson";
    lt_sb_free(&a.user);
    lt_sb_free(&a.result);
    lt_sb_free(&a.answer);
    lt_sb_free(&a.args);
    llmops_json_doc_free(doc);
}
