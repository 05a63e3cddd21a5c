/* Mangled prompt files and lock files: a bounded number of random byte
 * edits of valid ones must each end in success or a clear error that names
 * the file and a place, never a crash or a silent half-result. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "fixture.h"
#include "prompt/internal.h"

static const char *PROMPT =
    "---\n"
    "description: Answers a support question\n"
    "model: fast\n"
    "params: {temperature: 0.2}\n"
    "input_schema: {type: object, required: [question]}\n"
    "output: {format: json, schema: {type: object}}\n"
    "tools: [lookup_order]\n"
    "---\n"
    "[system]\n"
    "You are a support agent for {{product}}.{{#vip}} Be extra kind.{{/vip}}\n"
    "[user]\n"
    "{{question}}\n";

static const char *LOCK =
    "{\n  \"prompts\": {\n    \"x\": {\n      \"history\": [\n        {\n"
    "          \"action\": \"promote\",\n          \"at\": \"2026-11-23T18:00:00.000000Z\",\n"
    "          \"label\": \"production\",\n          \"previous\": null,\n"
    "          \"version\": \"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"\n"
    "        }\n      ],\n      \"labels\": {\n        \"production\": "
    "\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"\n      }\n    }\n"
    "  },\n  \"version\": 1\n}\n";

static const char pieces[][8] = { "\n", "---", "[user]", "{{", "}}", "{{#", "{{/", ":", " ",
                                  "\"", "{", "}", "[", "]", ",", "\xff", "-", "@", "0" };

static char *mangle(const char *src, unsigned *seed, size_t *len)
{
    size_t n = strlen(src);
    char *s = malloc(n * 2 + 64);
    memcpy(s, src, n + 1);
    int edits = 1 + rand_r(seed) % 4;
    for (int e = 0; e < edits; e++) {
        size_t at = n ? (size_t)rand_r(seed) % n : 0;
        switch (rand_r(seed) % 3) {
        case 0: /* delete a run */
        {
            size_t k = 1 + (size_t)rand_r(seed) % 6;
            if (at + k > n)
                k = n - at;
            memmove(s + at, s + at + k, n - at - k + 1);
            n -= k;
            break;
        }
        case 1: /* insert a piece */
        {
            const char *p = pieces[rand_r(seed) % (sizeof pieces / sizeof pieces[0])];
            size_t k = strlen(p);
            if (n + k >= strlen(src) * 2 + 60)
                break;
            memmove(s + at + k, s + at, n - at + 1);
            memcpy(s + at, p, k);
            n += k;
            break;
        }
        default: /* overwrite a byte */
            if (n)
                s[at] = (char)(' ' + rand_r(seed) % 95);
            break;
        }
    }
    *len = n;
    return s;
}

Test(robust, mangled_prompt_files)
{
    pf_need_yaml();
    unsigned seed = 2026;
    int ok = 0, errors = 0;
    llmops_json_doc *in = NULL;
    const char *json = "{\"product\":\"Acme\",\"question\":\"why?\",\"vip\":true}";
    cr_assert_eq(llmops_json_parse(&in, json, strlen(json), NULL, NULL), LLMOPS_OK);
    llmops__prompt_messages m = LLMOPS__PROMPT_MESSAGES_INIT;
    for (int round = 0; round < 3000; round++) {
        size_t len;
        char *s = mangle(PROMPT, &seed, &len);
        llmops__prompt *p = NULL;
        llmops__buf err = LLMOPS__BUF_INIT;
        llmops_status st = llmops__prompt_parse(&p, "t", "t.prompt", s, len, &err);
        if (st == LLMOPS_OK) {
            ok++;
            cr_assert_not_null(p);
            cr_assert_eq(strlen(llmops__prompt_version(p)), 64);
            cr_assert_gt(llmops__prompt_section_count(p), 0);
            llmops__buf_clear(&err);
            st = llmops__prompt_render(p, llmops_json_doc_root(in), &m, &err);
            cr_assert(st == LLMOPS_OK || st == LLMOPS_E_NOT_FOUND,
                      "render: %s for:\n%s", llmops_status_str(st), s);
            if (st)
                cr_assert_not_null(strstr(err.data, "t.prompt:"), "%s", err.data);
        } else {
            errors++;
            cr_assert_null(p);
            cr_assert(st == LLMOPS_E_PARSE || st == LLMOPS_E_LIMIT,
                      "parse: %s for:\n%s", llmops_status_str(st), s);
            cr_assert_not_null(err.data, "no message for:\n%s", s);
            cr_assert_eq(strncmp(err.data, "t.prompt:", 9), 0, "message '%s' names no file",
                         err.data);
            /* "t.prompt:LINE:COLUMN: ..." */
            unsigned line = 0, col = 0;
            cr_assert_eq(sscanf(err.data + 9, "%u:%u:", &line, &col), 2,
                         "message '%s' has no line:column", err.data);
            cr_assert(line >= 1 && col >= 1, "%s", err.data);
        }
        llmops__prompt_release(p);
        llmops__buf_free(&err);
        free(s);
    }
    llmops__prompt_messages_free(&m);
    llmops_json_doc_free(in);
    /* Both outcomes were exercised. */
    cr_assert_gt(ok, 100, "%d parsed", ok);
    cr_assert_gt(errors, 100, "%d refused", errors);
}

Test(robust, mangled_lock_files)
{
    unsigned seed = 77;
    int ok = 0, errors = 0;
    for (int round = 0; round < 3000; round++) {
        size_t len;
        char *s = mangle(LOCK, &seed, &len);
        llmops__pr_lockfile lf;
        llmops__buf err = LLMOPS__BUF_INIT;
        llmops_status st = llmops__pr_lock_parse(&lf, s, len, "prompts.lock", &err);
        if (st == LLMOPS_OK) {
            ok++;
            /* What was read writes back and reads again to the same thing. */
            char *text = NULL;
            size_t tl = 0;
            cr_assert_eq(llmops__pr_lock_write(&lf, &text, &tl), LLMOPS_OK);
            llmops__pr_lockfile again;
            cr_assert_eq(llmops__pr_lock_parse(&again, text, tl, "prompts.lock", NULL),
                         LLMOPS_OK, "%s", text);
            char *text2 = NULL;
            size_t tl2 = 0;
            cr_assert_eq(llmops__pr_lock_write(&again, &text2, &tl2), LLMOPS_OK);
            cr_assert_str_eq(text, text2);
            llmops__free(text);
            llmops__free(text2);
            llmops__pr_lock_free(&again);
            llmops__pr_lock_free(&lf);
        } else {
            errors++;
            cr_assert_eq(st, LLMOPS_E_CONFIG, "%s for:\n%s", llmops_status_str(st), s);
            cr_assert_not_null(err.data);
            cr_assert_eq(strncmp(err.data, "prompts.lock", 12), 0, "%s", err.data);
            cr_assert_not_null(strstr(err.data, "corrupt lock file"), "%s", err.data);
        }
        llmops__buf_free(&err);
        free(s);
    }
    cr_assert_gt(ok, 30, "%d read", ok);
    cr_assert_gt(errors, 1000, "%d refused", errors);
}
