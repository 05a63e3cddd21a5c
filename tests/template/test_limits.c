/* Limits and failure paths: nesting caps, runaway partials and loops, huge
 * inputs, output limits and allocation failure at every allocation. */
#include <stdio.h>
#include <stdlib.h>

#include "tmpl_test.h"

/* "{{#s}}" x depth + "x" + "{{/s}}" x depth, in a malloc'd string. */
static char *nested(int depth)
{
    char *s = malloc((size_t)depth * 12 + 2);
    cr_assert(s);
    size_t k = 0;
    for (int i = 0; i < depth; i++)
        k += (size_t)sprintf(s + k, "{{#s}}");
    s[k++] = 'x';
    for (int i = 0; i < depth; i++)
        k += (size_t)sprintf(s + k, "{{/s}}");
    s[k] = '\0';
    return s;
}

Test(template_limits, nesting_cap_is_an_error_not_a_crash)
{
    char *ok = nested(LLMOPS__TMPL_MAX_DEPTH);
    llmops__tmpl *t = NULL;
    llmops__tmpl_error err;
    cr_assert_eq(llmops__tmpl_compile(&t, ok, strlen(ok), &err), LLMOPS_OK, "%s", err.message);
    llmops_json_doc *d = NULL;
    cr_assert_eq(llmops_json_parse(&d, "{\"s\":true}", 10, NULL, NULL), LLMOPS_OK);
    llmops__buf b = LLMOPS__BUF_INIT;
    cr_assert_eq(llmops__tmpl_render(t, llmops_json_doc_root(d), 1, NULL, NULL, &b, &err), LLMOPS_OK);
    cr_expect_str_eq(b.data, "x");
    llmops__buf_free(&b);
    llmops__tmpl_free(t);
    free(ok);

    char *deep = nested(LLMOPS__TMPL_MAX_DEPTH + 1);
    t = NULL;
    cr_assert_eq(llmops__tmpl_compile(&t, deep, strlen(deep), &err), LLMOPS_E_LIMIT);
    cr_expect_null(t);
    cr_expect_eq(err.offset, (size_t)LLMOPS__TMPL_MAX_DEPTH * 6, "offset %zu", err.offset);
    cr_expect(strstr(err.message, "deeper than 100") != NULL, "%s", err.message);
    free(deep);

    /* Far deeper still: rejected at the cap, no stack growth with depth. */
    char *huge = nested(200000);
    cr_assert_eq(llmops__tmpl_compile(&t, huge, strlen(huge), &err), LLMOPS_E_LIMIT);
    free(huge);
    llmops_json_doc_free(d);
}

static int self_partial(void *ud, const char *name, size_t len, const char **src, size_t *slen)
{
    (void)name;
    (void)len;
    *src = ud;
    *slen = strlen(ud);
    return 1;
}

Test(template_limits, runaway_partial_recursion)
{
    const char *srcs[] = { "x{{>p}}", "{{#a}}{{>p}}{{/a}}", "{{<p}}{{/p}}", "  {{>p}}\n" };
    llmops_json_doc *d = NULL;
    cr_assert_eq(llmops_json_parse(&d, "{\"a\":[1]}", 9, NULL, NULL), LLMOPS_OK);
    for (size_t i = 0; i < sizeof srcs / sizeof *srcs; i++) {
        for (unsigned mode = 0; mode < 2; mode++) {
            llmops__tmpl *t = NULL;
            cr_assert_eq(llmops__tmpl_compile(&t, srcs[i], strlen(srcs[i]), NULL), LLMOPS_OK);
            llmops__buf b = LLMOPS__BUF_INIT;
            llmops__tmpl_error err;
            llmops_status st = llmops__tmpl_render(t, llmops_json_doc_root(d), mode, self_partial,
                                                   (void *)srcs[i], &b, &err);
            cr_expect_eq(st, LLMOPS_E_LIMIT, "%s: %s", srcs[i], llmops_status_str(st));
            cr_expect(strstr(err.message, "deeper than") != NULL, "%s", err.message);
            cr_expect(strstr(err.message, "partial 'p'") != NULL, "%s", err.message);
            cr_expect_eq(b.len, 0);
            llmops__buf_free(&b);
            llmops__tmpl_free(t);
        }
    }
    llmops_json_doc_free(d);
}

Test(template_limits, runaway_loops_hit_the_step_cap, .timeout = 60)
{
    /* 40 nested loops over 4 items: 4^40 iterations unless capped. */
    char *src = malloc(40 * 12 + 2);
    size_t k = 0;
    for (int i = 0; i < 40; i++)
        k += (size_t)sprintf(src + k, "{{#l}}");
    src[k++] = '.';
    for (int i = 0; i < 40; i++)
        k += (size_t)sprintf(src + k, "{{/l}}");
    src[k] = '\0';
    llmops__tmpl *t = NULL;
    cr_assert_eq(llmops__tmpl_compile(&t, src, k, NULL), LLMOPS_OK);
    llmops_json_doc *d = NULL;
    cr_assert_eq(llmops_json_parse(&d, "{\"l\":[1,2,3,4]}", 15, NULL, NULL), LLMOPS_OK);
    llmops__buf b = LLMOPS__BUF_INIT;
    llmops__tmpl_error err;
    cr_expect_eq(llmops__tmpl_render(t, llmops_json_doc_root(d), 0, NULL, NULL, &b, &err),
                 LLMOPS_E_LIMIT);
    cr_expect(strstr(err.message, "steps") != NULL, "%s", err.message);
    cr_expect_eq(b.len, 0);
    llmops__buf_free(&b);
    llmops__tmpl_free(t);
    llmops_json_doc_free(d);
    free(src);
}

Test(template_limits, output_limit)
{
    const char *src = "{{#l}}{{x}}{{/l}}";
    llmops__tmpl *t = NULL;
    cr_assert_eq(llmops__tmpl_compile(&t, src, strlen(src), NULL), LLMOPS_OK);
    llmops_json_doc *d = NULL;
    const char *dj = "{\"l\":[1,2,3,4,5,6,7,8,9,10],\"x\":\"0123456789\"}";
    cr_assert_eq(llmops_json_parse(&d, dj, strlen(dj), NULL, NULL), LLMOPS_OK);
    llmops__buf b = LLMOPS__BUF_INIT;
    b.limit = 95;
    llmops__buf_puts(&b, "head");
    llmops__tmpl_error err;
    cr_expect_eq(llmops__tmpl_render(t, llmops_json_doc_root(d), 1, NULL, NULL, &b, &err),
                 LLMOPS_E_LIMIT);
    cr_expect(strstr(err.message, "limit") != NULL, "%s", err.message);
    cr_expect_str_eq(b.data, "head");
    cr_expect_eq(b.failed, 0);
    b.limit = 104;
    cr_expect_eq(llmops__tmpl_render(t, llmops_json_doc_root(d), 1, NULL, NULL, &b, &err), LLMOPS_OK);
    cr_expect_eq(b.len, 104);
    llmops__buf_free(&b);
    llmops__tmpl_free(t);
    llmops_json_doc_free(d);
}

Test(template_limits, huge_inputs, .timeout = 120)
{
    /* 8 MiB of text around 200,000 variables, and one 8 MiB text run. */
    size_t n = 200000;
    char *src = malloc(n * 48 + 1);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += (size_t)sprintf(src + k, "line %06zu: {{v}} and {{{w}}} {{! c }}\n", i);
    llmops__tmpl *t = NULL;
    llmops__tmpl_error err;
    cr_assert_eq(llmops__tmpl_compile(&t, src, k, &err), LLMOPS_OK, "%s", err.message);
    llmops_json_doc *d = NULL;
    cr_assert_eq(llmops_json_parse(&d, "{\"v\":\"V\",\"w\":\"<W>\"}", 19, NULL, NULL), LLMOPS_OK);
    llmops__buf b = LLMOPS__BUF_INIT;
    cr_assert_eq(llmops__tmpl_render(t, llmops_json_doc_root(d), 0, NULL, NULL, &b, &err), LLMOPS_OK);
    cr_expect_eq(b.len, n * strlen("line 000000: V and <W> \n"));
    cr_expect(strncmp(b.data, "line 000000: V and <W> \nline 000001:", 36) == 0);
    char **names = NULL;
    size_t nn = 0;
    cr_assert_eq(llmops__tmpl_names(t, &names, &nn), LLMOPS_OK);
    cr_expect_eq(nn, 2);
    llmops__tmpl_names_free(names, nn);
    llmops__buf_free(&b);
    llmops__tmpl_free(t);

    memset(src, 'a', 8u << 20);
    src[8u << 20] = '\0';
    src[100] = '{';
    cr_assert_eq(llmops__tmpl_compile(&t, src, 8u << 20, &err), LLMOPS_OK);
    llmops__buf b2 = LLMOPS__BUF_INIT;
    cr_assert_eq(llmops__tmpl_render(t, NULL, 1, NULL, NULL, &b2, &err), LLMOPS_OK);
    cr_expect_eq(b2.len, 8u << 20);
    cr_expect_eq(memcmp(b2.data, src, 8u << 20), 0);
    llmops__buf_free(&b2);
    llmops__tmpl_free(t);
    /* An opening delimiter near the end with no close. */
    memcpy(src + (8u << 20) - 10, "{{ name  ", 9);
    cr_assert_eq(llmops__tmpl_compile(&t, src, 8u << 20, &err), LLMOPS_E_PARSE);
    cr_expect_eq(err.offset, (8u << 20) - 10);
    llmops_json_doc_free(d);
    free(src);
}

/* ---- allocation failure ---- */

static long budget = -1;
static long live;

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

Test(template_limits, allocation_failure_everywhere)
{
    llmops_allocator a = { LLMOPS_ALLOCATOR_VERSION, f_alloc, f_realloc, f_free, NULL };
    cr_assert_eq(llmops_set_allocator(&a), LLMOPS_OK);
    const char *dj = "{\"who\":\"Ann\",\"items\":[{\"n\":1},{\"n\":2}],\"obj\":{\"k\":[1,2]},"
                     "\"dyn\":\"sig\"}";
    const char *pj = "{\"sig\":\"-- {{who}}\\n  {{obj}}\\n\",\"base\":\"<{{$b}}default{{/b}}>\"}";
    llmops_json_doc *data = NULL, *parts = NULL;
    cr_assert_eq(llmops_json_parse(&data, dj, strlen(dj), NULL, NULL), LLMOPS_OK);
    cr_assert_eq(llmops_json_parse(&parts, pj, strlen(pj), NULL, NULL), LLMOPS_OK);
    const char *src = "Hello {{who}}!\n{{#items}}- {{n}}\n{{/items}}{{obj}}\n  {{>sig}}\n"
                      "{{>*dyn}}{{<base}}{{$b}}over {{who}}{{/b}}{{/base}}";
    const char *want = "Hello Ann!\n- 1\n- 2\n{\"k\":[1,2]}\n  -- Ann\n    {\"k\":[1,2]}\n"
                       "-- Ann\n  {\"k\":[1,2]}\n<over Ann>";
    long base = live;
    int succeeded = 0;
    for (long n = 0; n < 400 && !succeeded; n++) {
        budget = n;
        llmops__tmpl *t = NULL;
        llmops__tmpl_error err;
        llmops_status st = llmops__tmpl_compile(&t, src, strlen(src), &err);
        if (st != LLMOPS_OK) {
            cr_assert_eq(st, LLMOPS_E_NO_MEMORY, "budget %ld: %s", n, llmops_status_str(st));
            cr_assert_null(t);
            budget = -1;
            cr_assert_eq(live, base, "budget %ld: leak after failed compile", n);
            continue;
        }
        llmops__buf b = LLMOPS__BUF_INIT;
        st = llmops__tmpl_render(t, llmops_json_doc_root(data), LLMOPS__TMPL_PROMPT, tt_partials,
                                 (void *)llmops_json_doc_root(parts), &b, &err);
        char **names = NULL;
        size_t nn = 0;
        llmops_status nst = st == LLMOPS_OK ? llmops__tmpl_names(t, &names, &nn) : LLMOPS_OK;
        budget = -1;
        if (st == LLMOPS_OK && nst == LLMOPS_OK) {
            cr_expect_str_eq(b.data, want);
            cr_expect_eq(nn, 4); /* who, items, obj, dyn */
            succeeded = 1;
        } else {
            cr_assert(st == LLMOPS_E_NO_MEMORY || nst == LLMOPS_E_NO_MEMORY,
                      "budget %ld: render %s names %s (%s)", n, llmops_status_str(st),
                      llmops_status_str(nst), err.message);
            cr_assert(st != LLMOPS_OK || b.failed == 0);
            if (st != LLMOPS_OK)
                cr_expect(strstr(err.message, "memory") != NULL, "budget %ld: %s", n, err.message);
        }
        llmops__tmpl_names_free(names, nn);
        llmops__buf_free(&b);
        llmops__tmpl_free(t);
        cr_assert_eq(live, base, "budget %ld: leak", n);
    }
    cr_expect(succeeded, "never succeeded within 400 allocations");
    llmops_json_doc_free(data);
    llmops_json_doc_free(parts);
    llmops_set_allocator(NULL);
}

typedef struct compiled_set {
    const llmops__tmpl *sig, *base;
} compiled_set;

static int compiled_lookup(void *ud, const char *name, size_t len, const llmops__tmpl **t)
{
    const compiled_set *cs = ud;
    if (len == 3 && memcmp(name, "sig", 3) == 0)
        *t = cs->sig;
    else if (len == 4 && memcmp(name, "base", 4) == 0)
        *t = cs->base;
    else
        return 0;
    return 1;
}

static llmops__tmpl *compile_str(const char *s)
{
    llmops__tmpl *t = NULL;
    llmops__tmpl_error err;
    cr_assert_eq(llmops__tmpl_compile(&t, s, strlen(s), &err), LLMOPS_OK, "%s", err.message);
    return t;
}

Test(template_limits, precompiled_partials_render_without_allocating)
{
    llmops_allocator a = { LLMOPS_ALLOCATOR_VERSION, f_alloc, f_realloc, f_free, NULL };
    cr_assert_eq(llmops_set_allocator(&a), LLMOPS_OK);
    compiled_set cs = { compile_str("-- {{who}}\n"), compile_str("<{{$b}}default{{/b}}>") };
    llmops__tmpl *t = compile_str("Hi {{who}}\n{{#items}}- {{n}}\n{{/items}}\n  {{>sig}}\n"
                                  "{{<base}}{{$b}}over{{/b}}{{/base}}{{>none}}");
    const char *dj = "{\"who\":\"Ann\",\"items\":[{\"n\":1},{\"n\":2}]}";
    llmops_json_doc *d = NULL;
    cr_assert_eq(llmops_json_parse(&d, dj, strlen(dj), NULL, NULL), LLMOPS_OK);
    llmops__buf b = LLMOPS__BUF_INIT;
    cr_assert_eq(llmops__buf_reserve(&b, 4096), 0);
    long before = live;
    budget = 0; /* any allocation now fails the render */
    for (int i = 0; i < 3; i++) {
        llmops__buf_clear(&b);
        llmops__tmpl_error err;
        cr_assert_eq(llmops__tmpl_render_compiled(t, llmops_json_doc_root(d), LLMOPS__TMPL_SPEC,
                                                  compiled_lookup, &cs, &b, &err),
                     LLMOPS_OK, "%s", err.message);
        cr_expect_str_eq(b.data, "Hi Ann\n- 1\n- 2\n  -- Ann\n<over>");
    }
    budget = -1;
    cr_expect_eq(live, before);
    /* Prompt mode: an unknown precompiled partial is an error. */
    llmops__tmpl_error err;
    cr_expect_eq(llmops__tmpl_render_compiled(t, llmops_json_doc_root(d), LLMOPS__TMPL_PROMPT,
                                              compiled_lookup, &cs, &b, &err),
                 LLMOPS_E_NOT_FOUND);
    cr_expect(strstr(err.message, "'none'") != NULL, "%s", err.message);
    llmops__buf_free(&b);
    llmops__tmpl_free(t);
    llmops__tmpl_free((llmops__tmpl *)cs.sig);
    llmops__tmpl_free((llmops__tmpl *)cs.base);
    llmops_json_doc_free(d);
    llmops_set_allocator(NULL);
}
