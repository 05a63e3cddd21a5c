/*
 * libFuzzer target for the Mustache engine (src/template).
 *
 * Build and run with fuzz/build.sh and fuzz/run.sh. Every input is compiled
 * as a template; a failure must be a parse or limit error with a sane
 * position and a printable message. A template that compiles is rendered
 * against a fixed small context in spec and prompt mode, with partials that
 * include a fixed template, the input itself (recursion) and a broken one:
 *   - spec mode never reports a missing name;
 *   - a failed render leaves the output buffer exactly as it was;
 *   - rendering is deterministic (the same bytes twice), and precompiled
 *     partials (llmops__tmpl_render_compiled) give the same bytes;
 *   - names() works and lists no name twice.
 * Any violation calls abort(), which libFuzzer reports as a crash.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "llmops.h"
#include "core/alloc.h"
#include "core/strbuf.h"
#include "template/mustache.h"

#define CHECK(cond)                                                                   \
    do {                                                                              \
        if (!(cond)) {                                                                \
            fprintf(stderr, "template_fuzz: check failed at line %d: %s\n", __LINE__, \
                    #cond);                                                           \
            abort();                                                                  \
        }                                                                             \
    } while (0)

static const char context_json[] =
    "{\"a\":\"x<&>\\\"'\",\"b\":[1,2,{\"c\":\"deep\",\"d\":[true,false]}],\"n\":null,"
    "\"t\":true,\"f\":false,\"e\":[],\"s\":\"\",\"o\":{\"p\":{\"q\":\"v\"}},\"dyn\":\"p\","
    "\"self\":\"self\",\"num\":1.5e3}";

static llmops_json_doc *context;

typedef struct input {
    const char *data;
    size_t len;
} input;

static int partials(void *ud, const char *name, size_t len, const char **src, size_t *slen)
{
    const input *in = ud;
    static const char fixed[] = "partial {{a}}\n  {{#b}}[{{.}}]{{/b}}\n{{$blk}}default{{/blk}}";
    static const char broken[] = "{{#open}}";
    if (len == 1 && name[0] == 'p') {
        *src = fixed;
        *slen = sizeof fixed - 1;
        return 1;
    }
    if (len == 4 && memcmp(name, "self", 4) == 0) {
        *src = in->data;
        *slen = in->len;
        return 1;
    }
    if (len == 6 && memcmp(name, "broken", 6) == 0) {
        *src = broken;
        *slen = sizeof broken - 1;
        return 1;
    }
    return 0;
}

/* The same partials, precompiled (the broken one cannot be, so it is absent). */
typedef struct compiled {
    const llmops__tmpl *fixed, *self;
} compiled;

static int compiled_partials(void *ud, const char *name, size_t len, const llmops__tmpl **t)
{
    const compiled *c = ud;
    if (len == 1 && name[0] == 'p')
        *t = c->fixed;
    else if (len == 4 && memcmp(name, "self", 4) == 0)
        *t = c->self;
    else
        return 0;
    return 1;
}

static llmops__tmpl *fixed_partial;

static void check_error(const llmops__tmpl_error *err)
{
    CHECK(err->line >= 1 && err->column >= 1);
    CHECK(err->message[0] != '\0');
    CHECK(memchr(err->message, '\0', sizeof err->message) != NULL);
    for (const char *m = err->message; *m; m++)
        CHECK((unsigned char)*m >= 0x20 && (unsigned char)*m < 0x7f);
}

static void render(const llmops__tmpl *t, unsigned mode, input *in)
{
    llmops__buf out = LLMOPS__BUF_INIT;
    out.limit = 1u << 20;
    llmops__buf_puts(&out, "pre");
    llmops__tmpl_error err;
    llmops_status st = llmops__tmpl_render(t, llmops_json_doc_root(context), mode, partials, in,
                                           &out, &err);
    if (st != LLMOPS_OK) {
        CHECK(st == LLMOPS_E_PARSE || st == LLMOPS_E_LIMIT ||
              (st == LLMOPS_E_NOT_FOUND && mode == LLMOPS__TMPL_PROMPT));
        check_error(&err);
        CHECK(out.len == 3 && memcmp(out.data, "pre", 4) == 0 && !out.failed);
    } else if (mode == LLMOPS__TMPL_SPEC) {
        CHECK(out.len >= 3 && out.data[out.len] == '\0');
        llmops__buf again = LLMOPS__BUF_INIT;
        again.limit = 1u << 20;
        llmops__buf_puts(&again, "pre");
        CHECK(llmops__tmpl_render(t, llmops_json_doc_root(context), mode, partials, in, &again,
                                  &err) == LLMOPS_OK);
        CHECK(again.len == out.len && memcmp(again.data, out.data, out.len) == 0);
        /* Precompiled partials give the same bytes. */
        compiled c = { fixed_partial, t };
        llmops__buf_clear(&again);
        llmops__buf_puts(&again, "pre");
        CHECK(llmops__tmpl_render_compiled(t, llmops_json_doc_root(context), mode,
                                           compiled_partials, &c, &again, &err) == LLMOPS_OK);
        CHECK(again.len == out.len && memcmp(again.data, out.data, out.len) == 0);
        llmops__buf_free(&again);
    }
    llmops__buf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!context) {
        CHECK(llmops_json_parse(&context, context_json, sizeof context_json - 1, NULL, NULL) ==
              LLMOPS_OK);
        const char *src;
        size_t len;
        CHECK(partials(NULL, "p", 1, &src, &len));
        CHECK(llmops__tmpl_compile(&fixed_partial, src, len, NULL) == LLMOPS_OK);
    }
    input in = { (const char *)data, size };
    llmops__tmpl *t = NULL;
    llmops__tmpl_error err;
    llmops_status st = llmops__tmpl_compile(&t, in.data, size, &err);
    if (st != LLMOPS_OK) {
        CHECK(t == NULL);
        CHECK(st == LLMOPS_E_PARSE || st == LLMOPS_E_LIMIT);
        CHECK(err.offset <= size);
        check_error(&err);
        return 0;
    }
    render(t, LLMOPS__TMPL_SPEC, &in);
    render(t, LLMOPS__TMPL_PROMPT, &in);
    char **names = NULL;
    size_t n = 0;
    CHECK(llmops__tmpl_names(t, &names, &n) == LLMOPS_OK);
    CHECK((n == 0) == (names == NULL));
    for (size_t i = 0; i < n; i++) {
        CHECK(names[i][0] != '\0');
        for (size_t j = i + 1; j < n && j < i + 64; j++)
            CHECK(strcmp(names[i], names[j]) != 0);
    }
    llmops__tmpl_names_free(names, n);
    llmops__tmpl_free(t);
    return 0;
}
