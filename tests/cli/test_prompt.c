/* llmops prompt on a copy of the support-bot demo: version 1 of
 * support-answer is production (kept in prompts/.versions), the working file
 * is version 2 and canary. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <llmops.h>

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

TestSuite(cli_prompt, .init = setup, .fini = teardown, .timeout = 120);

/* `llmops prompt hash REF` in the demo; "" when it fails. */
static void hash_of(const char *ref, char out[65])
{
    cli_result r = cli_run(demo, "prompt", "hash", ref, NULL);
    out[0] = '\0';
    if (r.code == 0 && strlen(r.out) == 65 && r.out[64] == '\n') {
        memcpy(out, r.out, 64);
        out[64] = '\0';
    }
    cli_result_free(&r);
}

Test(cli_prompt, demo_has_two_versions)
{
    char prod[65], canary[65], working[65];
    hash_of("support-answer@production", prod);
    hash_of("support-answer@canary", canary);
    hash_of("support-answer", working);
    cr_assert(prod[0] && canary[0] && working[0], "the demo's labels do not resolve");
    cr_expect_str_neq(prod, canary, "production and canary are the same version");
    cr_expect_str_eq(canary, working, "canary is the working file");
    /* production's bytes are in the store, named by their version */
    char name[128];
    snprintf(name, sizeof name, "prompts/.versions/%s.prompt", prod);
    char *stored = cli_slurp(demo, name);
    cr_expect_not_null(stored, "%s is not in the store", name);
    free(stored);
    /* a unique prefix of 8 hex digits names the same version */
    char ref[64], by_prefix[65];
    snprintf(ref, sizeof ref, "support-answer@%.8s", prod);
    hash_of(ref, by_prefix);
    cr_expect_str_eq(by_prefix, prod);
}

Test(cli_prompt, list_table_and_json)
{
    char prod[65], canary[65];
    hash_of("support-answer@production", prod);
    hash_of("support-answer@canary", canary);
    cli_result r = cli_run(demo, "prompt", "list", NULL);
    cr_assert_eq(r.code, 0, "%s", r.err);
    cr_expect(strncmp(r.out, "NAME", 4) == 0, "%s", r.out);
    char want[256];
    snprintf(want, sizeof want, "support-answer  %.12s  canary=%.12s production=%.12s\n",
             canary, canary, prod);
    cr_expect(strstr(r.out, want) != NULL, "no '%s' in:\n%s", want, r.out);
    cli_result_free(&r);

    r = cli_run(demo, "prompt", "list", "--json", NULL);
    cr_assert_eq(r.code, 0, "%s", r.err);
    llmops_json_doc *doc = NULL;
    cr_assert_eq(llmops_json_parse(&doc, r.out, strlen(r.out), NULL, NULL), LLMOPS_OK, "%s",
                 r.out);
    const llmops_json *root = llmops_json_doc_root(doc);
    cr_assert_eq(llmops_json_size(root), 1);
    const llmops_json *p = llmops_json_at(root, 0);
    cr_expect_str_eq(llmops_json_string(llmops_json_get(p, "name"), NULL), "support-answer");
    cr_expect_str_eq(llmops_json_string(llmops_json_get(p, "version"), NULL), canary);
    const llmops_json *labels = llmops_json_get(p, "labels");
    cr_expect_str_eq(llmops_json_string(llmops_json_get(labels, "production"), NULL), prod);
    llmops_json_doc_free(doc);
    cli_result_free(&r);

    /* --dir reads the same registry without the configuration */
    r = cli_run(demo, "prompt", "list", "--dir", "prompts", NULL);
    cr_expect_eq(r.code, 0, "%s", r.err);
    cr_expect(strstr(r.out, want) != NULL, "--dir: %s", r.out);
    cli_result_free(&r);
}

Test(cli_prompt, show_prints_exact_source)
{
    char prod[65];
    hash_of("support-answer@production", prod);
    cli_result r = cli_run(demo, "prompt", "show", "support-answer@production", NULL);
    cr_assert_eq(r.code, 0, "%s", r.err);
    char name[128];
    snprintf(name, sizeof name, "prompts/.versions/%s.prompt", prod);
    char *stored = cli_slurp(demo, name);
    cr_assert_not_null(stored);
    cr_expect_str_eq(r.out, stored, "show is not the stored version's bytes");
    char want[128];
    snprintf(want, sizeof want, "version: %s\n", prod);
    cr_expect_str_eq(r.err, want);
    free(stored);
    cli_result_free(&r);

    r = cli_run(demo, "prompt", "show", "support-answer", NULL);
    cr_assert_eq(r.code, 0, "%s", r.err);
    char *working = cli_slurp(demo, "prompts/support-answer.prompt");
    cr_expect_str_eq(r.out, working);
    free(working);
    cli_result_free(&r);
}

Test(cli_prompt, diff_between_versions)
{
    cli_result r = cli_run(demo, "prompt", "diff", "support-answer@production",
                           "support-answer@canary", NULL);
    cr_assert_eq(r.code, 0, "%s", r.err);
    cr_expect(strncmp(r.out, "--- support-answer@production ", 30) == 0, "%s", r.out);
    cr_expect(strstr(r.out, "\n+++ support-answer@canary ") != NULL, "%s", r.out);
    cr_expect(strstr(r.out, "\n@@ -") != NULL, "%s", r.out);
    cr_expect(strstr(r.out, "\n-") != NULL && strstr(r.out, "\n+") != NULL, "%s", r.out);
    cli_result_free(&r);

    r = cli_run(demo, "prompt", "diff", "support-answer@canary", "support-answer", NULL);
    cr_assert_eq(r.code, 0, "%s", r.err);
    cr_expect(strstr(r.out, "@@") == NULL, "identical versions have no hunk: %s", r.out);
    cli_result_free(&r);
}

/* promote then rollback production, through the lock file; the task follows
 * the label (its fingerprint changes and changes back). */
Test(cli_prompt, promote_and_rollback)
{
    char prod[65], canary[65], now[65];
    hash_of("support-answer@production", prod);
    hash_of("support-answer@canary", canary);
    cli_result f1 = cli_run(demo, "fingerprint", "answer", NULL);
    cr_assert_eq(f1.code, 0, "%s", f1.err);
    char *lock_before = cli_slurp(demo, "prompts/prompts.lock");
    cr_assert_not_null(lock_before);

    cli_result r = cli_run(demo, "prompt", "promote", "support-answer", "support-answer@canary",
                           "production", NULL);
    cr_assert_eq(r.code, 0, "%s", r.err);
    char want[256];
    snprintf(want, sizeof want, "support-answer@production: %s -> %s\n", prod, canary);
    cr_expect_str_eq(r.out, want);
    cli_result_free(&r);
    hash_of("support-answer@production", now);
    cr_expect_str_eq(now, canary);
    char *lock_after = cli_slurp(demo, "prompts/prompts.lock");
    cr_assert_not_null(lock_after);
    cr_expect_str_neq(lock_before, lock_after, "the lock file did not change");
    cli_result f2 = cli_run(demo, "fingerprint", "answer", NULL);
    cr_assert_eq(f2.code, 0, "%s", f2.err);
    cr_expect(strncmp(f1.out, f2.out, 64) != 0, "promotion left the fingerprint unchanged");

    /* the demo's cassette answers production version 1 only */
    r = cli_run(demo, "run", "answer", "--input", "@input.json", NULL);
    cr_expect_eq(r.code, 1, "exit %d: %s", r.code, r.err);
    cr_expect(strstr(r.err, llmops_status_str(LLMOPS_E_NO_RECORDING)) != NULL, "%s", r.err);
    cli_result_free(&r);

    /* promoting it again changes nothing */
    r = cli_run(demo, "prompt", "promote", "support-answer", canary, "production", NULL);
    cr_expect_eq(r.code, 0, "%s", r.err);
    cr_expect(strstr(r.out, "unchanged") != NULL, "%s", r.out);
    cli_result_free(&r);

    r = cli_run(demo, "prompt", "rollback", "support-answer", "production", NULL);
    cr_assert_eq(r.code, 0, "%s", r.err);
    snprintf(want, sizeof want, "support-answer@production: %s -> %s\n", canary, prod);
    cr_expect_str_eq(r.out, want);
    cli_result_free(&r);
    hash_of("support-answer@production", now);
    cr_expect_str_eq(now, prod);
    cli_result f3 = cli_run(demo, "fingerprint", "answer", NULL);
    cr_expect_str_eq(f3.out, f1.out, "rollback did not restore the fingerprint");
    r = cli_run(demo, "run", "answer", "--input", "@input.json", NULL);
    cr_expect_eq(r.code, 0, "after rollback: %s", r.err);
    cli_result_free(&r);

    cli_result_free(&f1);
    cli_result_free(&f2);
    cli_result_free(&f3);
    free(lock_before);
    free(lock_after);
}

Test(cli_prompt, rollback_without_history_fails)
{
    cli_result r = cli_run(demo, "prompt", "rollback", "support-answer", "canary", NULL);
    cr_expect_eq(r.code, 1, "exit %d: %s", r.code, r.err);
    char want[128];
    snprintf(want, sizeof want, "llmops prompt rollback: rollback: %s",
             llmops_status_str(LLMOPS_E_NOT_FOUND));
    cr_expect(strstr(r.err, want) != NULL, "no '%s' in: %s", want, r.err);
    cli_result_free(&r);
}

Test(cli_prompt, unknown_refs_fail)
{
    cli_result r = cli_run(demo, "prompt", "hash", "support-answer@staging", NULL);
    cr_expect_eq(r.code, 1, "exit %d: %s", r.code, r.err);
    cr_expect(strstr(r.err, "staging") != NULL, "%s", r.err);
    cli_result_free(&r);
    r = cli_run(demo, "prompt", "show", "no-such-prompt", NULL);
    cr_expect_eq(r.code, 1, "exit %d: %s", r.code, r.err);
    cr_expect(strstr(r.err, "no-such-prompt") != NULL, "%s", r.err);
    cli_result_free(&r);
    r = cli_run(demo, "prompt", "promote", "support-answer", "support-answer", "Not A Label",
                NULL);
    cr_expect_eq(r.code, 1, "exit %d: %s", r.code, r.err);
    cli_result_free(&r);
}

Test(cli_prompt, render)
{
    cli_result r = cli_run(demo, "prompt", "render", "support-answer@production", "--input",
                           "@input.json", NULL);
    cr_assert_eq(r.code, 0, "%s", r.err);
    const char *head = "[system]\nYou are the support assistant for the Acme Router. ";
    cr_expect(strncmp(r.out, head, strlen(head)) == 0, "%s", r.out);
    cr_expect(strstr(r.out, "\n\n[user]\nMy router keeps rebooting, what should I do?\n") !=
              NULL, "%s", r.out);
    cli_result_free(&r);

    r = cli_run(demo, "prompt", "render", "support-answer@production", "--input",
                "@input.json", "--json", NULL);
    cr_assert_eq(r.code, 0, "%s", r.err);
    llmops_json_doc *doc = NULL;
    cr_assert_eq(llmops_json_parse(&doc, r.out, strlen(r.out), NULL, NULL), LLMOPS_OK, "%s",
                 r.out);
    const llmops_json *root = llmops_json_doc_root(doc);
    cr_assert_eq(llmops_json_size(root), 2);
    cr_expect_str_eq(llmops_json_string(llmops_json_get(llmops_json_at(root, 0), "role"), NULL),
                     "system");
    cr_expect_str_eq(llmops_json_string(llmops_json_get(llmops_json_at(root, 1), "text"), NULL),
                     "My router keeps rebooting, what should I do?");
    llmops_json_doc_free(doc);
    cli_result_free(&r);

    /* a variable the input lacks is an error naming it */
    r = cli_run(demo, "prompt", "render", "support-answer", "--input", "{\"product\": \"X\"}",
                NULL);
    cr_expect_eq(r.code, 1, "exit %d: %s", r.code, r.err);
    cr_expect(strstr(r.err, "question") != NULL, "%s", r.err);
    cr_expect_str_empty(r.out);
    cli_result_free(&r);

    r = cli_run(demo, "prompt", "render", "support-answer", "--input", "{nope", NULL);
    cr_expect_eq(r.code, 2, "exit %d: %s", r.code, r.err);
    cli_result_free(&r);
}

/* The prompt commands read only prompts.dir and prompts.lock from the
 * configuration, so they work while a task is broken; broken YAML is exit 3. */
Test(cli_prompt, configuration_handling)
{
    cr_assert_eq(cli_write(demo, "other.yaml",
                           "version: 1\nprompts:\n  dir: prompts\n"
                           "tasks:\n  answer:\n    prompt: 42\n"),
                 0);
    cli_result r = cli_run(demo, "prompt", "list", "--config", "other.yaml", NULL);
    cr_expect_eq(r.code, 0, "%s", r.err);
    cr_expect(strstr(r.out, "support-answer") != NULL, "%s", r.out);
    cli_result_free(&r);

    /* without a prompts section: DIR is "prompts" beside the configuration */
    cr_assert_eq(cli_write(demo, "bare.yaml", "version: 1\nprompts:\n"), 0);
    r = cli_run("/", "prompt", "list", "--config", "bare.yaml", NULL);
    cr_expect_eq(r.code, 3, "bare.yaml is not in /: exit %d: %s", r.code, r.err);
    cli_result_free(&r);
    char bare[4096];
    snprintf(bare, sizeof bare, "%s/bare.yaml", demo);
    r = cli_run("/", "prompt", "list", "--config", bare, NULL);
    cr_expect_eq(r.code, 0, "%s", r.err);
    cr_expect(strstr(r.out, "support-answer") != NULL, "%s", r.out);
    cli_result_free(&r);

    cr_assert_eq(cli_write(demo, "broken.yaml", "prompts:\n  dir: [unclosed\n"), 0);
    r = cli_run(demo, "prompt", "list", "--config", "broken.yaml", NULL);
    cr_expect_eq(r.code, 3, "exit %d: %s", r.code, r.err);
    cr_expect(strstr(r.err, "broken.yaml:") != NULL, "%s", r.err);
    cli_result_free(&r);

    cr_assert_eq(cli_write(demo, "wrong.yaml", "prompts:\n  dir:\n    - a\n"), 0);
    r = cli_run(demo, "prompt", "list", "--config", "wrong.yaml", NULL);
    cr_expect_eq(r.code, 3, "exit %d: %s", r.code, r.err);
    cr_expect(strstr(r.err, "wrong.yaml:3:5: prompts.dir: must be a path") != NULL, "%s", r.err);
    cli_result_free(&r);

    r = cli_run(demo, "prompt", "list", "--config", "missing.yaml", NULL);
    cr_expect_eq(r.code, 3, "exit %d: %s", r.code, r.err);
    cr_expect(strstr(r.err, "missing.yaml") != NULL, "%s", r.err);
    cli_result_free(&r);

    /* a configuration elsewhere: its prompts folder is relative to it */
    char cfg[4096];
    snprintf(cfg, sizeof cfg, "%s/llmops.yaml", demo);
    r = cli_run("/", "prompt", "hash", "support-answer@production", "--config", cfg, NULL);
    cr_expect_eq(r.code, 0, "%s", r.err);
    cli_result_free(&r);

    /* a corrupt lock file is a configuration problem */
    cr_assert_eq(cli_write(demo, "prompts/prompts.lock", "{\"version\": 1, \"prompts\": 7}\n"),
                 0);
    r = cli_run(demo, "prompt", "hash", "support-answer@production", NULL);
    cr_expect_eq(r.code, 3, "exit %d: %s", r.code, r.err);
    cr_expect(strstr(r.err, "prompts.lock") != NULL, "%s", r.err);
    cli_result_free(&r);
}
