/* Loading price tables: the real LiteLLM map, and every way a table can be
 * wrong (missing file, bad JSON with its position, wrong top level, entries
 * of the wrong type that are skipped and counted). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cost_test.h"
#include "llmops/json.h"
#include "testdata.h"

static void assert_price(const llmops__price *p, double in, double out, double cached,
                         double creation, double reasoning)
{
    const double want[5] = { in, out, cached, creation, reasoning };
    const double got[5] = { p->input, p->output, p->cached_input, p->cache_creation,
                            p->reasoning };
    static const char *names[5] = { "input", "output", "cached_input", "cache_creation",
                                    "reasoning" };
    for (int i = 0; i < 5; i++) {
        if (isnan(want[i]))
            cr_assert(isnan(got[i]), "%s: %g, expected unset", names[i], got[i]);
        else
            cr_assert(got[i] == want[i], "%s: %.17g, expected %.17g", names[i], got[i], want[i]);
    }
}

/* Counted once with a script over the pinned file: of its 2,985 top-level
 * keys, "sample_spec" and "last_updated" are not models, 2,521 entries have
 * input_cost_per_token or output_cost_per_token, and 462 (images, audio
 * seconds, rerank queries, ...) have neither; every price field is a number. */
Test(load, real_table_counts)
{
    llmops__prices *p = ct_real_table();
    llmops__prices_info info;
    llmops__prices_info_get(p, &info);
    cr_expect_eq(info.models, 2521, "models: %zu", info.models);
    cr_expect_eq(info.unpriced, 462, "unpriced: %zu", info.unpriced);
    cr_expect_eq(info.skipped, 0, "skipped: %zu (%s)", info.skipped, llmops__prices_warnings(p));
    cr_expect_eq(info.overrides, 0);
    cr_expect_str_eq(llmops__prices_warnings(p), "");
    llmops__prices_free(p);
}

Test(load, real_table_values)
{
    llmops__prices *p = ct_real_table();
    assert_price(llmops__prices_find(p, NULL, "gpt-4o"), 2.5e-06, 1e-05, 1.25e-06, NAN, NAN);
    assert_price(llmops__prices_find(p, NULL, "claude-sonnet-4-5"), 3e-06, 1.5e-05, 3e-07,
                 3.75e-06, NAN);
    assert_price(llmops__prices_find(p, NULL, "gemini/gemini-2.5-flash-lite"), 1e-07, 4e-07,
                 1e-08, NAN, 4e-07);
    /* Embeddings: an integer 0 output price is a price. */
    assert_price(llmops__prices_find(p, NULL, "text-embedding-3-small"), 2e-08, 0.0, NAN, NAN,
                 NAN);
    /* Priced per image only: left out, so its calls are unpriced. */
    cr_expect_null(llmops__prices_find(p, NULL, "1024-x-1024/dall-e-2"));
    cr_expect_null(llmops__prices_find(p, NULL, "sample_spec"));
    cr_expect_null(llmops__prices_find(p, NULL, "last_updated"));
    llmops__prices_free(p);
}

Test(load, missing_file_names_it)
{
    llmops__prices *p = (llmops__prices *)1;
    llmops__buf err = LLMOPS__BUF_INIT;
    llmops_status st = llmops__prices_load("/nonexistent/llmops/prices.json", &p, &err);
    cr_assert_eq(st, LLMOPS_E_IO);
    cr_assert_null(p);
    cr_assert_not_null(strstr(err.data, "'/nonexistent/llmops/prices.json'"), "%s", err.data);
    cr_assert_not_null(strstr(err.data, "No such file"), "%s", err.data);
    llmops__buf_free(&err);
}

Test(load, directory_is_io_error)
{
    llmops__prices *p = NULL;
    llmops__buf err = LLMOPS__BUF_INIT;
    cr_assert_eq(llmops__prices_load("/tmp", &p, &err), LLMOPS_E_IO);
    cr_assert_null(p);
    cr_assert_not_null(strstr(err.data, "'/tmp' is a directory"), "%s", err.data);
    llmops__buf_free(&err);
}

Test(load, bad_arguments)
{
    llmops__prices *p = NULL;
    llmops__buf err = LLMOPS__BUF_INIT;
    cr_assert_eq(llmops__prices_load(NULL, &p, &err), LLMOPS_E_INVALID_ARGUMENT);
    cr_assert_eq(llmops__prices_load("", &p, &err), LLMOPS_E_INVALID_ARGUMENT);
    cr_assert_eq(llmops__prices_load("x.json", NULL, NULL), LLMOPS_E_INVALID_ARGUMENT);
    cr_assert_eq(llmops__prices_parse(NULL, 3, &p, NULL), LLMOPS_E_INVALID_ARGUMENT);
    cr_assert_null(p);
    cr_assert_gt(err.len, 0);
    llmops__buf_free(&err);
}

static char *write_temp(const char *text)
{
    char *path = strdup("/tmp/llmops-cost-XXXXXX");
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    size_t n = strlen(text);
    cr_assert_eq(write(fd, text, n), (ssize_t)n);
    close(fd);
    return path;
}

static const char bad_json[] = "{\n"
                               "  \"a\": {\"input_cost_per_token\": 1e-6},\n"
                               "  \"b\": {\"input_cost_per_token\": }\n"
                               "}\n";

Test(load, bad_json_gives_line_and_column)
{
    llmops__prices *p = NULL;
    llmops__buf err = LLMOPS__BUF_INIT;
    llmops_status st = llmops__prices_parse(bad_json, strlen(bad_json), &p, &err);
    cr_assert_eq(st, LLMOPS_E_PARSE);
    cr_assert_null(p);
    /* Line 3, column 33 is the '}' where a value was due. */
    cr_assert(strncmp(err.data, "price table:3:33: ", 18) == 0, "%s", err.data);
    llmops__buf_free(&err);
}

Test(load, bad_file_gives_path_line_and_column)
{
    char *path = write_temp(bad_json);
    llmops__prices *p = NULL;
    llmops__buf err = LLMOPS__BUF_INIT;
    llmops_status st = llmops__prices_load(path, &p, &err);
    unlink(path);
    cr_assert_eq(st, LLMOPS_E_PARSE);
    char want[128];
    snprintf(want, sizeof want, "%s:3:33: ", path);
    cr_assert(strncmp(err.data, want, strlen(want)) == 0, "%s (expected %s...)", err.data, want);
    free(path);
    llmops__buf_free(&err);
}

Test(load, truncated_and_empty)
{
    llmops__prices *p = NULL;
    llmops__buf err = LLMOPS__BUF_INIT;
    cr_assert_eq(llmops__prices_parse("{\"gpt-4o\": {", 12, &p, &err), LLMOPS_E_PARSE);
    cr_assert(strncmp(err.data, "price table:1:13: ", 18) == 0, "%s", err.data);
    llmops__buf_clear(&err);
    cr_assert_eq(llmops__prices_parse("", 0, &p, &err), LLMOPS_E_PARSE);
    cr_assert(strncmp(err.data, "price table:1:1: ", 17) == 0, "%s", err.data);
    cr_assert_null(p);
    llmops__buf_free(&err);
}

Test(load, top_level_must_be_object)
{
    llmops__prices *p = NULL;
    llmops__buf err = LLMOPS__BUF_INIT;
    const char *text = "\n  [ {\"input_cost_per_token\": 1} ]";
    cr_assert_eq(llmops__prices_parse(text, strlen(text), &p, &err), LLMOPS_E_PARSE);
    cr_assert_null(p);
    cr_assert_str_eq(err.data,
                     "price table:2:3: the top level is array, not an object of model id to prices");
    llmops__buf_free(&err);
}

Test(load, wrong_types_are_skipped_and_counted)
{
    const char *text =
        "{\n"
        "  \"sample_spec\": {\"input_cost_per_token\": \"ignored\"},\n"
        "  \"last_updated\": \"2026-07-24\",\n"
        "  \"good\": {\"input_cost_per_token\": 1e-6, \"output_cost_per_token\": 2e-6,\n"
        "            \"litellm_provider\": \"openai\", \"max_tokens\": \"not read\"},\n"
        "  \"string-price\": {\"input_cost_per_token\": \"1e-6\"},\n"
        "  \"bool-price\": {\"output_cost_per_token\": true},\n"
        "  \"null-price\": {\"input_cost_per_token\": 1e-6, \"cache_read_input_token_cost\": null},\n"
        "  \"negative\": {\"input_cost_per_token\": -1e-6},\n"
        "  \"huge\": {\"input_cost_per_token\": 1e999},\n"
        "  \"bad-provider\": {\"input_cost_per_token\": 1e-6, \"litellm_provider\": 7},\n"
        "  \"not-object\": 12,\n"
        "  \"array\": [1e-6],\n"
        "  \"int-price\": {\"input_cost_per_token\": 0, \"output_cost_per_token\": 1},\n"
        "  \"image-only\": {\"output_cost_per_image\": 0.04}\n"
        "}";
    llmops__prices *p = ct_table(text);
    llmops__prices_info info;
    llmops__prices_info_get(p, &info);
    cr_assert_eq(info.models, 2);
    cr_assert_eq(info.skipped, 8, "%zu: %s", info.skipped, llmops__prices_warnings(p));
    cr_assert_eq(info.unpriced, 1);
    cr_assert_not_null(llmops__prices_find(p, NULL, "good"));
    cr_assert_not_null(llmops__prices_find(p, NULL, "int-price"));
    cr_assert_eq(llmops__prices_find(p, NULL, "int-price")->output, 1.0);
    static const char *skipped[] = { "string-price", "bool-price", "null-price", "negative",
                                     "huge", "bad-provider", "not-object", "array" };
    for (size_t i = 0; i < sizeof skipped / sizeof skipped[0]; i++)
        cr_assert_null(llmops__prices_find(p, NULL, skipped[i]), "%s", skipped[i]);
    cr_assert_null(llmops__prices_find(p, NULL, "image-only"));
    cr_assert_str_eq(llmops__prices_warnings(p),
                     "'string-price': input_cost_per_token is string, not a number\n"
                     "'bool-price': output_cost_per_token is boolean, not a number\n"
                     "'null-price': cache_read_input_token_cost is null, not a number\n"
                     "'negative': input_cost_per_token is negative (-1e-06)\n"
                     "'huge': input_cost_per_token is out of range\n"
                     "'bad-provider': litellm_provider is number, not a string\n"
                     "'not-object': the entry is number, not an object\n"
                     "'array': the entry is array, not an object");
    llmops__prices_free(p);
}

Test(load, many_skipped_are_summarised)
{
    llmops__buf text = LLMOPS__BUF_INIT;
    llmops__buf_puts(&text, "{\"ok\": {\"input_cost_per_token\": 1e-6}");
    for (int i = 0; i < 25; i++)
        llmops__buf_printf(&text, ", \"bad-%02d\": {\"input_cost_per_token\": \"x\"}", i);
    llmops__buf_putc(&text, '}');
    cr_assert(!text.failed);
    llmops__prices *p = ct_table(text.data);
    llmops__prices_info info;
    llmops__prices_info_get(p, &info);
    cr_assert_eq(info.skipped, 25);
    cr_assert_eq(info.models, 1);
    const char *w = llmops__prices_warnings(p);
    size_t lines = 1;
    for (const char *c = w; *c; c++)
        lines += *c == '\n';
    cr_assert_eq(lines, 21, "%s", w);
    cr_assert(strncmp(w, "'bad-00': ", 10) == 0, "%s", w);
    cr_assert_not_null(strstr(w, "'bad-19': "), "%s", w);
    cr_assert_null(strstr(w, "'bad-20'"), "%s", w);
    const char *tail = "\n... and 5 more";
    cr_assert_str_eq(w + strlen(w) - strlen(tail), tail);
    llmops__prices_free(p);
    llmops__buf_free(&text);
}

Test(load, long_and_odd_ids)
{
    llmops__buf text = LLMOPS__BUF_INIT;
    char longest[LLMOPS__PRICE_KEY_MAX + 2];
    memset(longest, 'm', sizeof longest - 1);
    longest[LLMOPS__PRICE_KEY_MAX + 1] = '\0'; /* one byte over */
    llmops__buf_printf(&text,
                       "{\"%s\": {\"input_cost_per_token\": 1}, \"%.*s\": "
                       "{\"input_cost_per_token\": 2}, \"ctl\\u0001\\nid\": 3, "
                       "\"\": {\"output_cost_per_token\": 4}}",
                       longest, LLMOPS__PRICE_KEY_MAX, longest);
    llmops__prices *p = ct_table(text.data);
    llmops__prices_info info;
    llmops__prices_info_get(p, &info);
    cr_assert_eq(info.models, 2, "%zu", info.models); /* the longest allowed id and "" */
    cr_assert_eq(info.skipped, 2);
    cr_assert_null(llmops__prices_find(p, NULL, longest));
    longest[LLMOPS__PRICE_KEY_MAX] = '\0';
    const llmops__price *at_max = llmops__prices_find(p, NULL, longest);
    cr_assert_not_null(at_max);
    cr_assert_eq(at_max->input, 2.0);
    /* An empty id is never looked up. */
    cr_assert_null(llmops__prices_find(p, NULL, ""));
    const char *w = llmops__prices_warnings(p);
    cr_assert_not_null(strstr(w, "...': the id is 256 bytes, longer than 255"), "%s", w);
    /* Control bytes in an id cannot start a new log line. */
    cr_assert_not_null(strstr(w, "\n'ctl??id': the entry is number, not an object"), "%s", w);
    llmops__prices_free(p);
    llmops__buf_free(&text);
}

Test(load, duplicate_id_last_wins_and_empty_table)
{
    llmops__prices *p = ct_table("{\"m\": {\"input_cost_per_token\": 1}, "
                                 "\"m\": {\"input_cost_per_token\": 2}}");
    llmops__prices_info info;
    llmops__prices_info_get(p, &info);
    cr_assert_eq(info.models, 1);
    cr_assert_eq(llmops__prices_find(p, NULL, "m")->input, 2.0);
    llmops__prices_free(p);

    p = ct_table(" {} ");
    llmops__prices_info_get(p, &info);
    cr_assert_eq(info.models, 0);
    cr_assert_null(llmops__prices_find(p, "openai", "gpt-4o"));
    llmops__prices_free(p);
    llmops__prices_free(NULL);
}

/* Every entry of the real table, read independently with the JSON API: each
 * one with a per-token price is found under its own id with exactly the
 * table's five numbers, and each one without is not found. */
Test(load, every_real_entry_round_trips)
{
    llmops__prices *p = ct_real_table();
    size_t len = 0;
    char *text = lt_read_file(lt_testdata_path(PRICE_TABLE_REL), &len);
    cr_assert_not_null(text);
    llmops_json_doc *doc = NULL;
    cr_assert_eq(llmops_json_parse(&doc, text, len, NULL, NULL), LLMOPS_OK);
    const llmops_json *root = llmops_json_doc_root(doc);
    static const char *fields[5] = { "input_cost_per_token", "output_cost_per_token",
                                     "cache_read_input_token_cost",
                                     "cache_creation_input_token_cost",
                                     "output_cost_per_reasoning_token" };
    size_t priced = 0, checked = 0;
    for (size_t i = 0; i < llmops_json_size(root); i++) {
        const char *key = llmops_json_key_at(root, i, NULL);
        const llmops_json *v = llmops_json_at(root, i);
        if (!strcmp(key, "sample_spec") || llmops_json_type_of(v) != LLMOPS_JSON_OBJECT)
            continue;
        double want[5];
        for (int f = 0; f < 5; f++) {
            const llmops_json *x = llmops_json_get(v, fields[f]);
            want[f] = NAN;
            if (x)
                cr_assert_eq(llmops_json_get_double(x, &want[f]), LLMOPS_OK);
        }
        const llmops__price *e = llmops__prices_find(p, NULL, key);
        checked++;
        if (isnan(want[0]) && isnan(want[1])) {
            /* Listed without a per-token price: unpriced, also when the id has
             * a date suffix and its undated family is priced. */
            cr_assert_null(e, "'%s' has no per-token price but was found", key);
            continue;
        }
        priced++;
        cr_assert_not_null(e, "'%s' not found", key);
        const double got[5] = { e->input, e->output, e->cached_input, e->cache_creation,
                                e->reasoning };
        for (int f = 0; f < 5; f++)
            cr_assert(isnan(want[f]) ? isnan(got[f]) : got[f] == want[f], "'%s' %s: %.17g != %.17g",
                      key, fields[f], got[f], want[f]);
    }
    cr_assert_eq(checked, 2983);
    cr_assert_eq(priced, 2521);
    llmops_json_doc_free(doc);
    free(text);
    llmops__prices_free(p);
}

/* The real table cut short anywhere is a parse error at its end, never a
 * crash or a partial table. */
Test(load, truncated_real_table)
{
    const char *path = lt_testdata_path(PRICE_TABLE_REL);
    if (!path)
        cr_skip_test("shared test data missing: %s/%s (set LLMOPS_TESTDATA)", lt_testdata_dir(),
                     PRICE_TABLE_REL);
    size_t len = 0;
    char *text = lt_read_file(path, &len);
    cr_assert_not_null(text);
    llmops__buf err = LLMOPS__BUF_INIT;
    for (size_t k = 1; k < 40; k++) {
        size_t cut = len / 40 * k + k; /* a spread of offsets, not on line starts */
        llmops__prices *p = NULL;
        llmops__buf_clear(&err);
        cr_assert_eq(llmops__prices_parse(text, cut, &p, &err), LLMOPS_E_PARSE, "cut at %zu", cut);
        cr_assert_null(p);
        unsigned line = 1;
        for (size_t i = 0; i < cut; i++)
            line += text[i] == '\n';
        char want[64];
        snprintf(want, sizeof want, "price table:%u:", line);
        cr_assert(strncmp(err.data, want, strlen(want)) == 0, "cut at %zu: %s (want %s)", cut,
                  err.data, want);
    }
    llmops__buf_free(&err);
    free(text);
}

/* Random damage to a table that uses every field the loader reads: each
 * variant either loads (and its lookups work) or fails with a positioned
 * parse error; nothing crashes. Deterministic and bounded. */
Test(load, damaged_tables)
{
    static const char base[] =
        "{\"sample_spec\": {\"input_cost_per_token\": 0},\n"
        " \"gpt-x\": {\"input_cost_per_token\": 2.5e-06, \"output_cost_per_token\": 1e-05,\n"
        "   \"cache_read_input_token_cost\": 1.25e-06, \"litellm_provider\": \"openai\",\n"
        "   \"input_cost_per_token_above_200k_tokens\": 5e-06},\n"
        " \"gemini/g-1\": {\"input_cost_per_token\": 1e-07, \"output_cost_per_reasoning_token\": 4e-07,\n"
        "   \"cache_creation_input_token_cost\": 2e-07, \"litellm_provider\": \"gemini\"}}";
    const size_t n = sizeof base - 1;
    char buf[sizeof base];
    uint64_t seed = 0x9e3779b97f4a7c15ull;
    static const char bytes[] = "{}[]\":,0123456789.-eE tfn\\\n\x01\xff";
    size_t loaded = 0, rejected = 0;
    for (int round = 0; round < 3000; round++) {
        memcpy(buf, base, n);
        int edits = 1 + round % 4;
        for (int k = 0; k < edits; k++) {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            buf[seed % n] = bytes[(seed >> 32) % (sizeof bytes - 1)];
        }
        llmops__prices *p = NULL;
        llmops__buf err = LLMOPS__BUF_INIT;
        llmops_status st = llmops__prices_parse(buf, n, &p, &err);
        if (st == LLMOPS_OK) {
            loaded++;
            llmops_usage u = LLMOPS_USAGE_INIT;
            u.input_tokens = 300000;
            u.output_tokens = 10;
            double usd;
            const llmops__price *pr = llmops__prices_find_usage(p, "openai", "gpt-x", &u);
            if (pr && llmops__cost_usd(pr, &u, &usd) == 0)
                cr_assert(usd >= 0 && isfinite(usd));
            (void)llmops__prices_find(p, "gemini", "g-1");
            (void)llmops__prices_warnings(p);
            llmops__prices_free(p);
        } else {
            rejected++;
            cr_assert_eq(st, LLMOPS_E_PARSE, "round %d: %s", round, llmops_status_str(st));
            cr_assert(strncmp(err.data, "price table:", 12) == 0, "%s", err.data);
        }
        llmops__buf_free(&err);
    }
    cr_assert_gt(loaded, 0);
    cr_assert_gt(rejected, 0);
}
