/* llmops config check and llmops fingerprint on the support-bot demo and on
 * broken configurations. */
#include <criterion/criterion.h>
#include <regex.h>
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

TestSuite(cli_config, .init = setup, .fini = teardown, .timeout = 120);

static int matches(const char *pattern, const char *text)
{
    regex_t re;
    if (regcomp(&re, pattern, REG_EXTENDED | REG_NEWLINE) != 0)
        return 0;
    int ok = regexec(&re, text, 0, NULL, 0) == 0;
    regfree(&re);
    return ok;
}

Test(cli_config, demo_is_valid)
{
    cli_result r = cli_run(demo, "config", "check", NULL);
    cr_expect_eq(r.code, 0, "exit %d: %s", r.code, r.err);
    cr_expect_str_eq(r.out, "ok\n");
    cr_expect_str_empty(r.err);
    cli_result_free(&r);
    r = cli_run(demo, "config", "check", "--config", "record.yaml", NULL);
    cr_expect_eq(r.code, 0, "record.yaml: exit %d: %s", r.code, r.err);
    cli_result_free(&r);
}

/* Every problem, each as FILE:LINE:COLUMN: key.path: message, exit 3; and
 * the commands that need the configuration refuse it the same way. */
Test(cli_config, invalid_config_lists_every_problem)
{
    cr_assert_eq(cli_write(demo, "bad.yaml",
                           "version: 1\n"
                           "providers:\n"
                           "  offline:\n"
                           "    type: replay\n"
                           "    dir: cassettes\n"
                           "models:\n"
                           "  m:\n"
                           "    provider: nowhere\n"
                           "    id: gpt-4o-mini\n"
                           "tasks:\n"
                           "  answer:\n"
                           "    prompt: support-answer@production\n"
                           "    model: m\n"
                           "    reask: 1\n"
                           "    retries: 3\n"),
                 0);
    cli_result r = cli_run(demo, "config", "check", "--config", "bad.yaml", NULL);
    cr_expect_eq(r.code, 3, "exit %d: %s", r.code, r.err);
    cr_expect_str_empty(r.out);
    cr_expect(matches("^bad\\.yaml:8:[0-9]+: models\\.m\\.provider: ", r.err),
              "unknown provider not reported at 8: %s", r.err);
    cr_expect(matches("^bad\\.yaml:15:5: tasks\\.answer\\.retries: ", r.err),
              "unknown key not reported at 15:5: %s", r.err);
    cli_result_free(&r);

    r = cli_run(demo, "run", "answer", "--input", "@input.json", "--config", "bad.yaml", NULL);
    cr_expect_eq(r.code, 3, "run: exit %d: %s", r.code, r.err);
    cr_expect(matches("^bad\\.yaml:15:5: tasks\\.answer\\.retries: ", r.err), "%s", r.err);
    cr_expect_str_empty(r.out);
    cli_result_free(&r);

    r = cli_run(demo, "fingerprint", "answer", "--config", "bad.yaml", NULL);
    cr_expect_eq(r.code, 3, "fingerprint: exit %d: %s", r.code, r.err);
    cli_result_free(&r);
}

Test(cli_config, broken_yaml_is_exit_3_with_place)
{
    cr_assert_eq(cli_write(demo, "broken.yaml", "version: 1\nproviders:\n  a: [1, 2\n"), 0);
    cli_result r = cli_run(demo, "config", "check", "--config", "broken.yaml", NULL);
    cr_expect_eq(r.code, 3, "exit %d: %s", r.code, r.err);
    cr_expect(matches("^broken\\.yaml:[0-9]+:[0-9]+: ", r.err), "%s", r.err);
    cli_result_free(&r);
}

/* A key written into the file is refused, and the message does not repeat it. */
Test(cli_config, key_in_file_is_refused_without_echo)
{
    const char *key = "sk-proj-Abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGH";
    char yaml[1024];
    snprintf(yaml, sizeof yaml,
             "version: 1\nproviders:\n  openai:\n    type: openai\n    api_key_env: %s\n", key);
    cr_assert_eq(cli_write(demo, "leak.yaml", yaml), 0);
    cli_result r = cli_run(demo, "config", "check", "--config", "leak.yaml", NULL);
    cr_expect_eq(r.code, 3, "exit %d: %s", r.code, r.err);
    cr_expect(matches("^leak\\.yaml:5:[0-9]+: providers\\.openai\\.api_key_env: ", r.err), "%s",
              r.err);
    cr_expect(strstr(r.err, key) == NULL && strstr(r.out, key) == NULL, "the key was echoed");
    cli_result_free(&r);
}

Test(cli_config, missing_file_is_exit_3)
{
    cli_result r = cli_run(demo, "config", "check", "--config", "absent.yaml", NULL);
    cr_expect_eq(r.code, 3, "exit %d: %s", r.code, r.err);
    cr_expect(strstr(r.err, "absent.yaml") != NULL, "%s", r.err);
    cli_result_free(&r);
    /* the default ./llmops.yaml, absent here */
    r = cli_run("/", "config", "check", NULL);
    cr_expect_eq(r.code, 3, "exit %d: %s", r.code, r.err);
    cr_expect(strstr(r.err, "llmops.yaml") != NULL, "%s", r.err);
    cli_result_free(&r);
}

/* A task whose label points nowhere is caught by the check. */
Test(cli_config, dangling_label_is_reported)
{
    char *yaml = cli_slurp(demo, "llmops.yaml");
    cr_assert_not_null(yaml);
    char *at = strstr(yaml, "support-answer@production");
    cr_assert_not_null(at);
    memcpy(at, "support-answer@productio", 24);
    memmove(at + 24, at + 25, strlen(at + 25) + 1);   /* "@productio": no such label */
    cr_assert_eq(cli_write(demo, "dangling.yaml", yaml), 0);
    free(yaml);
    cli_result r = cli_run(demo, "config", "check", "--config", "dangling.yaml", NULL);
    cr_expect_eq(r.code, 3, "exit %d: %s", r.code, r.err);
    cr_expect(strstr(r.err, "productio") != NULL, "%s", r.err);
    cli_result_free(&r);
}

Test(cli_config, fingerprint_hash_and_parts)
{
    char prod[65] = "";
    cli_result h = cli_run(demo, "prompt", "hash", "support-answer@production", NULL);
    cr_assert_eq(h.code, 0, "%s", h.err);
    memcpy(prod, h.out, 64);
    prod[64] = '\0';
    cli_result_free(&h);

    cli_result r = cli_run(demo, "fingerprint", "answer", NULL);
    cr_assert_eq(r.code, 0, "exit %d: %s", r.code, r.err);
    cr_expect(matches("^[0-9a-f]{64}\n", r.out), "%s", r.out);
    const char *parts = r.out + 65;
    llmops_json_doc *doc = NULL;
    cr_assert_eq(llmops_json_parse(&doc, parts, strlen(parts), NULL, NULL), LLMOPS_OK,
                 "the parts are not JSON: %s", parts);
    cr_expect_eq(llmops_json_type_of(llmops_json_doc_root(doc)), LLMOPS_JSON_OBJECT);
    llmops_json_doc_free(doc);
    cr_expect(strstr(parts, prod) != NULL, "the prompt version is not among the parts: %s",
              parts);
    cr_expect(strstr(parts, "gpt-4o-mini") != NULL, "%s", parts);
    cr_expect(strstr(parts, "\n  ") != NULL, "the parts are not pretty: %s", parts);

    /* same configuration, same fingerprint; a parameter change moves it */
    cli_result again = cli_run(demo, "fingerprint", "answer", NULL);
    cr_expect_str_eq(again.out, r.out);
    cli_result_free(&again);
    char *yaml = cli_slurp(demo, "llmops.yaml");
    cr_assert_not_null(yaml);
    char *t = strstr(yaml, "temperature: 0.2");
    cr_assert_not_null(t);
    t[strlen("temperature: 0.")] = '3';
    cr_assert_eq(cli_write(demo, "warmer.yaml", yaml), 0);
    free(yaml);
    cli_result w = cli_run(demo, "fingerprint", "answer", "--config", "warmer.yaml", NULL);
    cr_assert_eq(w.code, 0, "%s", w.err);
    cr_expect(strncmp(w.out, r.out, 64) != 0, "temperature did not move the fingerprint");
    cli_result_free(&w);
    cli_result_free(&r);
}

Test(cli_config, fingerprint_unknown_task)
{
    cli_result r = cli_run(demo, "fingerprint", "nope", NULL);
    cr_expect_eq(r.code, 1, "exit %d: %s", r.code, r.err);
    cr_expect(strstr(r.err, "nope") != NULL, "%s", r.err);
    cr_expect_str_empty(r.out);
    cli_result_free(&r);
}
