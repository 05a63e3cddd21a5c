/* examples/support-bot/record.c re-records the demo's cassette: the one it
 * writes must be the one committed (same request fingerprint), and
 * `llmops run` must answer from it. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "run_cli.h"

static char *demo;

static void setup(void)
{
    demo = cli_demo_copy();
    cr_assert_not_null(demo, "cannot copy examples/support-bot to /tmp");
}

static void teardown(void)
{
    cli_rmtree(demo);
    free(demo);
}

TestSuite(cli_record, .init = setup, .fini = teardown, .timeout = 120);

/* The .json names in `dir`, sorted, joined with '\n' (free()). */
static char *cassette_names(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return NULL;
    char *names[64];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < 64) {
        size_t len = strlen(e->d_name);
        if (len > 5 && strcmp(e->d_name + len - 5, ".json") == 0)
            names[n++] = strdup(e->d_name);
    }
    closedir(d);
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
            char *t = names[j];
            names[j] = names[j - 1];
            names[j - 1] = t;
        }
    size_t total = 1;
    for (size_t i = 0; i < n; i++)
        total += strlen(names[i]) + 1;
    char *out = calloc(1, total);
    for (size_t i = 0; i < n; i++) {
        if (out) {
            strcat(out, names[i]);
            strcat(out, "\n");
        }
        free(names[i]);
    }
    return out;
}

Test(cli_record, recorder_reproduces_the_committed_cassette)
{
    const char *rec = cli_recorder();
    if (!rec)
        cr_skip_test("support-bot-record is not built (tests/cli/meson.build builds it)");
    char *committed = cassette_names(LLMOPS_SOURCE_ROOT "/examples/support-bot/cassettes");
    cr_assert_not_null(committed);
    cr_assert_str_neq(committed, "", "the demo has no cassette");

    char cassettes[4096];
    snprintf(cassettes, sizeof cassettes, "%s/cassettes", demo);
    char *cmd_names = cassette_names(cassettes);
    cr_assert_str_eq(cmd_names, committed);
    free(cmd_names);
    /* empty the copy's cassettes, then record */
    DIR *d = opendir(cassettes);
    cr_assert_not_null(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char path[4600];
        snprintf(path, sizeof path, "%s/%s", cassettes, e->d_name);
        unlink(path);
    }
    closedir(d);

    const char *argv[] = { rec, "record.yaml", "input.json", NULL };
    cli_result r = cli_exec(rec, demo, NULL, NULL, argv);
    cr_assert_eq(r.code, 0, "record: exit %d: %s", r.code, r.err);
    cr_expect(strstr(r.out, "\"needs_human\"") != NULL, "%s", r.out);
    cli_result_free(&r);

    char *recorded = cassette_names(cassettes);
    cr_expect_str_eq(recorded, committed,
                     "record.c wrote another cassette than the committed one: record again "
                     "(see examples/support-bot/README.md)");
    free(recorded);
    free(committed);

    r = cli_run(demo, "run", "answer", "--input", "@input.json", NULL);
    cr_expect_eq(r.code, 0, "run on the fresh cassette: %s", r.err);
    cli_result_free(&r);
}
