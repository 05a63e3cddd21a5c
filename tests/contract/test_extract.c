/* Finding the JSON value in an answer: fences, prose before and after,
 * braces inside strings, candidates that are not JSON, no JSON at all. */
#include <stdlib.h>
#include <string.h>

#include "contract/internal.h"
#include "ct_test.h"
#include "core/clock.h"

/* The extracted value's text, written compactly. */
static char *found_json(const char *text, int *how)
{
    llmops__ct_found f;
    cr_assert_eq(llmops__ct_find_json(text, strlen(text), &f), LLMOPS_OK);
    *how = f.how;
    if (f.how == LLMOPS__CT_NONE) {
        cr_assert_null(f.doc);
        return NULL;
    }
    cr_assert_not_null(f.doc);
    char *s = NULL;
    cr_assert_eq(llmops_json_write(&s, NULL, llmops_json_doc_root(f.doc), 0), LLMOPS_OK);
    /* The offsets point at the value's own text. */
    llmops_json_doc *again = NULL;
    cr_assert_eq(llmops_json_parse(&again, text + f.off, f.len, NULL, NULL), LLMOPS_OK,
                 "offset %zu length %zu is not the value", f.off, f.len);
    cr_expect(llmops_json_equal(llmops_json_doc_root(again), llmops_json_doc_root(f.doc)));
    cr_expect(f.len == 0 || (text[f.off] != ' ' && text[f.off + f.len - 1] != '\n'),
              "no whitespace around the span");
    llmops_json_doc_free(again);
    llmops_json_doc_free(f.doc);
    char *copy = strdup(s);
    llmops_free(s);
    return copy;
}

static void expect_found(const char *text, int how, const char *json)
{
    int got_how;
    char *got = found_json(text, &got_how);
    cr_expect_eq(got_how, how, "how for <%s>: %d", text, got_how);
    if (json) {
        cr_assert_not_null(got, "nothing found in <%s>", text);
        cr_expect_str_eq(got, json, "in <%s>", text);
    } else {
        cr_expect_null(got, "found %s in <%s>", got ? got : "", text);
    }
    free(got);
}

Test(contract_extract, whole_text)
{
    expect_found(" {\"a\":1} ", LLMOPS__CT_WHOLE, "{\"a\":1}");
    expect_found("\"just a string\"", LLMOPS__CT_WHOLE, "\"just a string\"");
}

Test(contract_extract, json_fences)
{
    expect_found("```json\n{\"a\":1}\n```", LLMOPS__CT_FENCE, "{\"a\":1}");
    expect_found("Result:\n```JSON\n[1, 2]\n```\nDone.", LLMOPS__CT_FENCE, "[1,2]");
    /* A fence on one line, and one the answer never closed (cut off). */
    expect_found("```json {\"a\":1}```", LLMOPS__CT_FENCE, "{\"a\":1}");
    expect_found("Here:\n```json\n{\"a\": [1, 2]}\n", LLMOPS__CT_FENCE, "{\"a\":[1,2]}");
    /* A fenced scalar counts: the fence says it is JSON. */
    expect_found("```json\n\"yes\"\n```", LLMOPS__CT_FENCE, "\"yes\"");
}

Test(contract_extract, fence_preferred_over_earlier_braces)
{
    expect_found("Use {curly} braces like this:\n```json\n{\"b\":2}\n```", LLMOPS__CT_FENCE,
                 "{\"b\":2}");
    /* A python block before the json block: its closing fence is not an
     * opening one. */
    expect_found("```python\nd = {'a': 1}\n```\nthen\n```json\n{\"c\":3}\n```",
                 LLMOPS__CT_FENCE, "{\"c\":3}");
    /* "jsonl" and "json5" are other languages. */
    expect_found("```jsonl\nnope\n```\n{\"d\":4}", LLMOPS__CT_EMBEDDED, "{\"d\":4}");
}

Test(contract_extract, broken_fence_falls_back_to_braces)
{
    expect_found("```json\n{broken\n```\nActually: {\"e\":5}", LLMOPS__CT_EMBEDDED, "{\"e\":5}");
}

Test(contract_extract, prose_before_and_after)
{
    expect_found("Sure, here you go: {\"a\": {\"b\": [1, {\"c\": null}]}} Let me know!",
                 LLMOPS__CT_EMBEDDED, "{\"a\":{\"b\":[1,{\"c\":null}]}}");
    expect_found("The list is [1, 2, 3].", LLMOPS__CT_EMBEDDED, "[1,2,3]");
}

Test(contract_extract, braces_and_quotes_inside_strings)
{
    expect_found("Answer: {\"code\": \"if (x) { return \\\"}\\\"; }\", \"n\": 1} end",
                 LLMOPS__CT_EMBEDDED, "{\"code\":\"if (x) { return \\\"}\\\"; }\",\"n\":1}");
    expect_found("x {\"s\": \"]]]}}}\\\\\"} y", LLMOPS__CT_EMBEDDED,
                 "{\"s\":\"]]]}}}\\\\\"}");
}

Test(contract_extract, first_candidate_not_json)
{
    /* Prose braces that are not JSON are skipped; the next candidate is tried. */
    expect_found("Fill {name} in, e.g. {\"name\": \"Ada\"}", LLMOPS__CT_EMBEDDED,
                 "{\"name\":\"Ada\"}");
    /* The value nested inside a bracketed remark is found. */
    expect_found("(see [note: {\"k\": true}])", LLMOPS__CT_EMBEDDED, "{\"k\":true}");
    /* The first of two values wins. */
    expect_found("a {\"x\":1} b {\"y\":2}", LLMOPS__CT_EMBEDDED, "{\"x\":1}");
}

Test(contract_extract, no_json_at_all)
{
    expect_found("no json here", LLMOPS__CT_NONE, NULL);
    expect_found("", LLMOPS__CT_NONE, NULL);
    expect_found("{ unbalanced [ and never closed", LLMOPS__CT_NONE, NULL);
    expect_found("{'single': 'quotes'}", LLMOPS__CT_NONE, NULL);
    expect_found("```\n```", LLMOPS__CT_NONE, NULL);
    expect_found("``", LLMOPS__CT_NONE, NULL);
    /* A bare scalar inside prose is not extracted: only objects and arrays are. */
    expect_found("The answer is 42", LLMOPS__CT_NONE, NULL);
}

Test(contract_extract, whole_text_parse_error_is_kept)
{
    llmops__ct_found f;
    const char *text = "line one\nline {two";
    cr_assert_eq(llmops__ct_find_json(text, strlen(text), &f), LLMOPS_OK);
    cr_expect_eq(f.how, LLMOPS__CT_NONE);
    cr_expect_eq(f.whole_st, LLMOPS_E_PARSE);
    cr_expect_eq(f.whole_err.line, 1);
    cr_expect_gt(strlen(f.whole_err.message), 0);
}

Test(contract_extract, many_braces_stay_bounded)
{
    /* 200 000 unmatched openers: each candidate scan runs to the end, but
     * only a bounded number of candidates are tried. */
    size_t n = 200000;
    char *text = malloc(n + 1);
    memset(text, '{', n);
    text[n] = '\0';
    uint64_t t0 = llmops__mono_ns();
    int how;
    char *got = found_json(text, &how);
    uint64_t ms = (llmops__mono_ns() - t0) / 1000000u;
    cr_expect_null(got);
    cr_expect_eq(how, LLMOPS__CT_NONE);
    /* Generous: quadratic work would take minutes. */
    cr_expect_lt(ms, 5000, "took %llu ms", (unsigned long long)ms);
    free(text);
}

/* Deterministic pseudo-random texts from JSON's punctuation, prose and
 * fences: whatever is found must be exactly a JSON value in the text. */
Test(contract_extract, random_texts_keep_invariants)
{
    static const char *const atoms[] = { "{", "}", "[", "]", "\"", "\\", ":", ",", " ", "\n",
                                         "1", "a", "\"k\"", "true", "```", "```json\n",
                                         "{\"a\":[1,{\"b\":\"}\"}]}", "\xc3\xa9", "null" };
    const size_t natoms = sizeof atoms / sizeof *atoms;
    uint64_t seed = 0x9e3779b97f4a7c15ull;
    char text[512];
    size_t found = 0;
    for (int round = 0; round < 20000; round++) {
        size_t len = 0;
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        int atoms_n = (int)(seed >> 59) + 1; /* 1..32 atoms */
        for (int k = 0; k < atoms_n; k++) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            const char *a = atoms[(seed >> 33) % natoms];
            size_t al = strlen(a);
            if (len + al >= sizeof text)
                break;
            memcpy(text + len, a, al);
            len += al;
        }
        text[len] = '\0';
        llmops__ct_found f;
        cr_assert_eq(llmops__ct_find_json(text, len, &f), LLMOPS_OK);
        llmops_json_doc *whole = NULL;
        int whole_ok = llmops_json_parse(&whole, text, len, NULL, NULL) == LLMOPS_OK;
        cr_assert_eq(whole_ok, f.how == LLMOPS__CT_WHOLE, "whole-text verdict for <%s>", text);
        if (f.how == LLMOPS__CT_NONE) {
            cr_assert_null(f.doc);
        } else {
            found++;
            cr_assert_leq(f.off + f.len, len);
            llmops_json_doc *span = NULL;
            cr_assert_eq(llmops_json_parse(&span, text + f.off, f.len, NULL, NULL), LLMOPS_OK,
                         "span %zu+%zu of <%s> is not JSON", f.off, f.len, text);
            cr_assert(llmops_json_equal(llmops_json_doc_root(span), llmops_json_doc_root(f.doc)));
            if (f.how == LLMOPS__CT_EMBEDDED)
                cr_assert(text[f.off] == '{' || text[f.off] == '[', "<%s>", text);
            llmops_json_doc_free(span);
        }
        llmops_json_doc_free(whole);
        llmops_json_doc_free(f.doc);
    }
    cr_expect_gt(found, 1000, "the generator must also make texts that hold JSON: %zu", found);
}
