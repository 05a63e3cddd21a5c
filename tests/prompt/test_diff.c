/* The line diff: exact hunks for known cases, and for random edits a patch
 * that turns the old text into the new one with a minimal number of changed
 * lines (checked against an LCS table). */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/alloc.h"
#include "prompt/internal.h"

static char *diff(const char *a, const char *b, size_t max_edits)
{
    llmops__buf out = LLMOPS__BUF_INIT;
    cr_assert_eq(llmops__pr_line_diff(a, strlen(a), b, strlen(b), max_edits, &out), LLMOPS_OK);
    cr_assert_eq(out.failed, 0);
    char *s = llmops__buf_detach(&out, NULL);
    cr_assert_not_null(s);
    return s;
}

static void diff_is(const char *a, const char *b, const char *want)
{
    char *got = diff(a, b, 2000);
    cr_assert_str_eq(got, want, "a:\n%s\nb:\n%s\ngot:\n%s\nwant:\n%s", a, b, got, want);
    llmops__free(got);
}

static const char *numbers(int n, int changed1, int changed2)
{
    static char buf[4096];
    size_t k = 0;
    for (int i = 1; i <= n; i++)
        k += (size_t)snprintf(buf + k, sizeof buf - k, i == changed1 || i == changed2 ? "x%d\n"
                                                                                        : "%d\n",
                              i);
    return buf;
}

Test(diff, known_hunks)
{
    diff_is("same\n", "same\n", "");
    diff_is("", "", "");
    diff_is("1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n", "1\n2\n3\n4\nfive\n6\n7\n8\n9\n10\n",
            "@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n");
    diff_is("", "x\n", "@@ -0,0 +1 @@\n+x\n");
    diff_is("x\ny\n", "", "@@ -1,2 +0,0 @@\n-x\n-y\n");
    diff_is("a\nb\nc\n", "a\nc\n", "@@ -1,3 +1,2 @@\n a\n-b\n c\n");
    diff_is("a\nb\n", "new\na\nb\n", "@@ -1,2 +1,3 @@\n+new\n a\n b\n");
    diff_is("a\nb", "a\nc",
            "@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n"
            "\\ No newline at end of file\n");
    diff_is("a\nb", "a\nb\n",
            "@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n");
}

Test(diff, hunks_split_and_merge)
{
    char a[4096];
    snprintf(a, sizeof a, "%s", numbers(20, 0, 0));
    char *got = diff(a, numbers(20, 1, 20), 2000);
    cr_assert_str_eq(got, "@@ -1,4 +1,4 @@\n-1\n+x1\n 2\n 3\n 4\n"
                          "@@ -17,4 +17,4 @@\n 17\n 18\n 19\n-20\n+x20\n");
    llmops__free(got);
    /* Six equal lines between two changes: one hunk; seven: two. */
    got = diff(a, numbers(20, 5, 12), 2000);
    cr_assert_eq(strncmp(got, "@@ -2,14 +2,14 @@\n", 18), 0, "%s", got);
    cr_assert_null(strstr(got + 1, "@@ -"), "%s", got);
    llmops__free(got);
    got = diff(a, numbers(20, 5, 13), 2000);
    cr_assert_eq(strncmp(got, "@@ -2,7 +2,7 @@\n", 16), 0, "%s", got);
    cr_assert_not_null(strstr(got, "@@ -10,7 +10,7 @@\n"), "%s", got);
    llmops__free(got);
}

/* ---- applying a diff ------------------------------------------------------ */

typedef struct lines {
    char **v;
    size_t n;
} lines;

static lines split(const char *s)
{
    lines l = { NULL, 0 };
    size_t cap = 0;
    for (const char *q = s; *q;) {
        const char *nl = strchr(q, '\n');
        size_t len = nl ? (size_t)(nl - q) + 1 : strlen(q);
        if (l.n == cap) {
            cap = cap ? cap * 2 : 16;
            l.v = realloc(l.v, cap * sizeof *l.v);
        }
        l.v[l.n++] = strndup(q, len);
        q += len;
    }
    return l;
}

static void lines_free(lines *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
}

/* Apply `patch` (only lines ending in '\n') to `a`; returns the result and
 * the number of changed lines in *changes. Fails the test on a bad patch. */
static char *apply(const char *a, const char *patch, size_t *changes)
{
    lines al = split(a), pl = split(patch);
    size_t cap = strlen(a) + strlen(patch) + 1, k = 0, ai = 0;
    char *out = malloc(cap);
    *changes = 0;
    for (size_t i = 0; i < pl.n;) {
        unsigned long as, an = 1, bs, bn = 1;
        const char *h = pl.v[i];
        cr_assert_eq(strncmp(h, "@@ -", 4), 0, "not a hunk header: %s", h);
        char *e;
        as = strtoul(h + 4, &e, 10);
        if (*e == ',')
            an = strtoul(e + 1, &e, 10);
        cr_assert_eq(strncmp(e, " +", 2), 0, "%s", h);
        bs = strtoul(e + 2, &e, 10);
        if (*e == ',')
            bn = strtoul(e + 1, &e, 10);
        (void)bs;
        size_t start = an ? as - 1 : as;
        cr_assert_geq(start, ai, "hunks out of order: %s", h);
        for (; ai < start; ai++) {
            strcpy(out + k, al.v[ai]);
            k += strlen(al.v[ai]);
        }
        size_t seen_a = 0, seen_b = 0;
        for (i++; i < pl.n && pl.v[i][0] != '@'; i++) {
            const char *l = pl.v[i];
            if (l[0] == ' ' || l[0] == '-') {
                cr_assert_lt(ai, al.n, "patch runs past the old text");
                cr_assert_str_eq(l + 1, al.v[ai], "context or removed line differs");
                ai++;
                seen_a++;
                if (l[0] == ' ') {
                    strcpy(out + k, l + 1);
                    k += strlen(l + 1);
                    seen_b++;
                } else {
                    (*changes)++;
                }
            } else {
                cr_assert_eq(l[0], '+', "bad patch line: %s", l);
                strcpy(out + k, l + 1);
                k += strlen(l + 1);
                seen_b++;
                (*changes)++;
            }
        }
        cr_assert_eq(seen_a, an, "hunk %s has %zu old lines", h, seen_a);
        cr_assert_eq(seen_b, bn, "hunk %s has %zu new lines", h, seen_b);
    }
    for (; ai < al.n; ai++) {
        strcpy(out + k, al.v[ai]);
        k += strlen(al.v[ai]);
    }
    out[k] = '\0';
    lines_free(&al);
    lines_free(&pl);
    return out;
}

static size_t lcs(const lines *a, const lines *b)
{
    size_t *row = calloc((b->n + 1) * 2, sizeof *row);
    size_t *prev = row, *cur = row + b->n + 1;
    for (size_t i = 1; i <= a->n; i++) {
        for (size_t j = 1; j <= b->n; j++) {
            if (strcmp(a->v[i - 1], b->v[j - 1]) == 0)
                cur[j] = prev[j - 1] + 1;
            else
                cur[j] = prev[j] > cur[j - 1] ? prev[j] : cur[j - 1];
        }
        size_t *t = prev;
        prev = cur;
        cur = t;
    }
    size_t r = prev[b->n];
    free(row);
    return r;
}

static char *random_text(unsigned *seed, size_t nlines, int alphabet)
{
    char *s = malloc(nlines * 8 + 1);
    size_t k = 0;
    for (size_t i = 0; i < nlines; i++)
        k += (size_t)sprintf(s + k, "l%d\n", rand_r(seed) % alphabet);
    s[k] = '\0';
    return s;
}

Test(diff, random_edits_apply_and_are_minimal)
{
    unsigned seed = 12345;
    for (int round = 0; round < 400; round++) {
        size_t na = (size_t)(rand_r(&seed) % 40), nb = (size_t)(rand_r(&seed) % 40);
        int alphabet = 2 + rand_r(&seed) % 8;
        char *a = random_text(&seed, na, alphabet), *b = random_text(&seed, nb, alphabet);
        char *patch = diff(a, b, 2000);
        size_t changes;
        char *got = apply(a, patch, &changes);
        cr_assert_str_eq(got, b, "round %d: patch does not give b\na:\n%s\nb:\n%s\npatch:\n%s",
                         round, a, b, patch);
        lines la = split(a), lb = split(b);
        size_t want = la.n + lb.n - 2 * lcs(&la, &lb);
        cr_assert_eq(changes, want, "round %d: %zu changed lines, minimal is %zu", round,
                     changes, want);
        lines_free(&la);
        lines_free(&lb);
        free(got);
        llmops__free(patch);
        free(a);
        free(b);
    }
}

Test(diff, edit_cap_keeps_a_correct_patch)
{
    unsigned seed = 99;
    for (int round = 0; round < 50; round++) {
        char *a = random_text(&seed, 60, 5), *b = random_text(&seed, 60, 5);
        char *patch = diff(a, b, 4);
        size_t changes;
        char *got = apply(a, patch, &changes);
        cr_assert_str_eq(got, b, "round %d", round);
        free(got);
        llmops__free(patch);
        free(a);
        free(b);
    }
}

Test(diff, large_inputs_stay_bounded)
{
    /* Unrelated 30000-line texts: the cap stops the search; the patch is
     * still right. Few edits in 100000 lines: found exactly, quickly. */
    unsigned seed = 7;
    char *a = random_text(&seed, 30000, 1000000), *b = random_text(&seed, 30000, 1000000);
    time_t t0 = time(NULL);
    char *patch = diff(a, b, 2000);
    size_t changes;
    char *got = apply(a, patch, &changes);
    cr_assert_str_eq(got, b);
    cr_assert_lt(time(NULL) - t0, 60, "unrelated large diff took too long");
    free(got);
    llmops__free(patch);
    free(a);
    free(b);

    size_t n = 100000;
    char *big = malloc(n * 12 + 1), *big2 = malloc(n * 12 + 16);
    size_t k = 0, k2 = 0;
    for (size_t i = 0; i < n; i++) {
        k += (size_t)sprintf(big + k, "line %zu\n", i);
        k2 += (size_t)sprintf(big2 + k2, i % 10000 == 5000 ? "LINE %zu\n" : "line %zu\n", i);
    }
    t0 = time(NULL);
    patch = diff(big, big2, 2000);
    got = apply(big, patch, &changes);
    cr_assert_str_eq(got, big2);
    cr_assert_eq(changes, 20, "%zu changed lines for 10 edits", changes);
    cr_assert_lt(time(NULL) - t0, 60);
    free(got);
    llmops__free(patch);
    free(big);
    free(big2);
}
