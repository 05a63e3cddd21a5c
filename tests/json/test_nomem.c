/* Allocation failure: every allocation the JSON code makes is made to fail in
 * turn; each run must end in LLMOPS_E_NO_MEMORY (or NULL) without a crash or
 * a leak. Criterion runs every test in its own process, so the replaced
 * allocator cannot leak into other tests. */
#include <stdio.h>
#include <stdlib.h>

#include "json_test.h"

static long budget = -1; /* allocations left before failing; -1 = unlimited */
static long live;        /* outstanding blocks */

static int take(void)
{
    if (budget == 0)
        return 0;
    if (budget > 0)
        budget--;
    return 1;
}

static void *f_alloc(size_t n, void *ctx)
{
    (void)ctx;
    if (!take())
        return NULL;
    void *p = malloc(n ? n : 1);
    live += p != NULL;
    return p;
}

static void *f_realloc(void *p, size_t n, void *ctx)
{
    (void)ctx;
    if (!take())
        return NULL;
    void *q = realloc(p, n ? n : 1);
    if (q && !p)
        live++;
    return q;
}

static void f_free(void *p, void *ctx)
{
    (void)ctx;
    if (p)
        live--;
    free(p);
}

static void install(void)
{
    llmops_allocator a = { LLMOPS_ALLOCATOR_VERSION, f_alloc, f_realloc, f_free, NULL };
    cr_assert_eq(llmops_set_allocator(&a), LLMOPS_OK);
}

static void uninstall(void)
{
    llmops_set_allocator(NULL);
}

TestSuite(json_nomem, .init = install, .fini = uninstall);

/* A document that exercises every allocation path: a large object (index),
 * escaped strings, deep-ish nesting beyond the parser's inline stacks. */
static char *sample(size_t *len)
{
    size_t cap = 1 << 16, n = 0;
    char *s = malloc(cap);
    n += (size_t)snprintf(s + n, cap - n, "{\"text\":\"a\\nb\\u00e9\\ud83d\\ude00\",\"big\":{");
    for (int k = 0; k < 200; k++)
        n += (size_t)snprintf(s + n, cap - n, "%s\"key%d\":[%d,%d.5,\"v\"]", k ? "," : "", k, k, k);
    n += (size_t)snprintf(s + n, cap - n, "},\"deep\":");
    for (int k = 0; k < 100; k++)
        s[n++] = '[';
    for (int k = 0; k < 100; k++)
        s[n++] = ']';
    n += (size_t)snprintf(s + n, cap - n, ",\"big2\":{\"key0\":1");
    for (int k = 1; k < 100; k++)
        n += (size_t)snprintf(s + n, cap - n, ",\"key%d\":%d", k, k);
    /* A long string of escapes grows the output buffer mid-string. */
    n += (size_t)snprintf(s + n, cap - n, "},\"esc\":\"");
    for (int k = 0; k < 400; k++)
        n += (size_t)snprintf(s + n, cap - n, "\\u0001\\n\xe2\x80\xa8");
    n += (size_t)snprintf(s + n, cap - n, "\"}");
    *len = n;
    return s;
}

Test(json_nomem, parse_fails_cleanly)
{
    size_t len;
    char *text = sample(&len);
    int failures = 0;
    for (long limit = 0;; limit++) {
        budget = limit;
        llmops_json_doc *doc = NULL;
        llmops_json_error err = LLMOPS_JSON_ERROR_INIT;
        llmops_status st = llmops_json_parse(&doc, text, len, NULL, &err);
        budget = -1;
        if (st == LLMOPS_OK) {
            cr_expect_gt(limit, 0);
            llmops_json_doc_free(doc);
            break;
        }
        cr_assert_eq(st, LLMOPS_E_NO_MEMORY, "limit %ld: %s", limit, llmops_status_str(st));
        cr_assert_null(doc);
        cr_assert_str_eq(err.message, "out of memory");
        cr_assert_eq(live, 0, "limit %ld: %ld blocks leaked", limit, live);
        failures++;
        cr_assert_lt(limit, 100000);
    }
    cr_expect_eq(live, 0);
    cr_log_info("parse: %d allocation points failed cleanly", failures);
    free(text);
}

Test(json_nomem, write_and_copy_fail_cleanly)
{
    size_t len;
    char *text = sample(&len);
    llmops_json_doc *doc = NULL;
    cr_assert_eq(llmops_json_parse(&doc, text, len, NULL, NULL), LLMOPS_OK);
    long base = live;
    static const unsigned modes[] = { 0, LLMOPS_JSON_WRITE_PRETTY, LLMOPS_JSON_WRITE_CANONICAL,
                                      LLMOPS_JSON_WRITE_ASCII };
    for (size_t m = 0; m < 4; m++) {
        for (long limit = 0;; limit++) {
            budget = limit;
            char *out = NULL;
            llmops_status st = llmops_json_write(&out, NULL, llmops_json_doc_root(doc), modes[m]);
            budget = -1;
            if (st == LLMOPS_OK) {
                llmops_free(out);
                break;
            }
            cr_assert_eq(st, LLMOPS_E_NO_MEMORY);
            cr_assert_null(out);
            cr_assert_eq(live, base, "write mode %u limit %ld leaked", modes[m], limit);
        }
    }
    for (long limit = 0;; limit++) {
        budget = limit;
        llmops_json_doc *dst = NULL;
        llmops_status st = llmops_json_doc_new(&dst);
        llmops_json *c = st == LLMOPS_OK ? llmops_json_copy(dst, llmops_json_doc_root(doc)) : NULL;
        budget = -1;
        if (st != LLMOPS_OK)
            cr_assert_eq(st, LLMOPS_E_NO_MEMORY);
        int done = c != NULL;
        if (done)
            cr_expect(llmops_json_equal(c, llmops_json_doc_root(doc)));
        llmops_json_doc_free(dst);
        cr_assert_eq(live, base, "copy limit %ld leaked", limit);
        if (done)
            break;
    }
    llmops_json_doc_free(doc);
    cr_expect_eq(live, 0);
    free(text);
}

Test(json_nomem, builder_fails_cleanly)
{
    int saw_failure = 0;
    for (long limit = 0;; limit++) {
        llmops_json_doc *doc = NULL;
        budget = limit;
        llmops_status st = llmops_json_doc_new(&doc);
        int ok = st == LLMOPS_OK;
        llmops_json *obj = ok ? llmops_json_new_object(doc) : NULL;
        ok = obj != NULL;
        char key[16];
        for (int k = 0; ok && k < 300; k++) {
            snprintf(key, sizeof key, "k%d", k);
            llmops_json *v = llmops_json_new_string(doc, "value", 5);
            if (!v) {
                ok = 0;
                break;
            }
            llmops_status s2 = llmops_json_object_set(doc, obj, key, strlen(key), v);
            if (s2 != LLMOPS_OK) {
                cr_assert_eq(s2, LLMOPS_E_NO_MEMORY);
                /* The object is still usable and consistent after a failure. */
                budget = -1;
                cr_assert_eq(llmops_json_size(obj), (size_t)k);
                for (int j = 0; j < k; j++) {
                    snprintf(key, sizeof key, "k%d", j);
                    cr_assert_not_null(llmops_json_get(obj, key));
                }
                ok = 0;
            }
        }
        budget = -1;
        if (!ok)
            saw_failure = 1;
        llmops_json_doc_free(doc);
        cr_assert_eq(live, 0, "limit %ld leaked %ld", limit, live);
        if (ok)
            break;
        cr_assert_lt(limit, 100000);
    }
    cr_expect(saw_failure);
}
