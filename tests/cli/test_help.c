/* Every command's --help, usage errors and exit codes, and `version`. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "run_cli.h"

static void binary_built(void)
{
    cr_assert(access(cli_binary(), X_OK) == 0, "llmops is not built at %s", cli_binary());
}

TestSuite(cli_help, .init = binary_built, .timeout = 120);

/* --help prints the usage on stdout, starting with the command's own usage
 * line, and exits 0 without touching any configuration. */
static void expect_help(const char *usage_start, const char *a, const char *b, const char *c)
{
    cli_result r = cli_run("/", a, b, c, NULL);
    cr_expect_eq(r.code, 0, "%s %s %s: exit %d, stderr: %s", a, b ? b : "", c ? c : "", r.code,
                 r.err);
    cr_expect(strncmp(r.out, usage_start, strlen(usage_start)) == 0,
              "%s %s: stdout does not start with '%s': %.200s", a, b ? b : "", usage_start,
              r.out);
    cr_expect_str_empty(r.err, "%s %s: stderr: %s", a, b ? b : "", r.err);
    cli_result_free(&r);
}

Test(cli_help, every_command_has_help)
{
    expect_help("usage: llmops COMMAND", "--help", NULL, NULL);
    expect_help("usage: llmops COMMAND", "-h", NULL, NULL);
    expect_help("usage: llmops COMMAND", "help", NULL, NULL);
    expect_help("usage: llmops run TASK", "run", "--help", NULL);
    expect_help("usage: llmops run TASK", "help", "run", NULL);
    expect_help("usage: llmops prompt COMMAND", "prompt", "--help", NULL);
    expect_help("usage: llmops prompt list", "prompt", "list", "--help");
    expect_help("usage: llmops prompt show REF", "prompt", "show", "--help");
    expect_help("usage: llmops prompt hash REF", "prompt", "hash", "--help");
    expect_help("usage: llmops prompt diff REF_A REF_B", "prompt", "diff", "--help");
    expect_help("usage: llmops prompt promote NAME REF LABEL", "prompt", "promote", "--help");
    expect_help("usage: llmops prompt rollback NAME LABEL", "prompt", "rollback", "-h");
    expect_help("usage: llmops prompt render REF", "prompt", "render", "--help");
    expect_help("usage: llmops config check", "config", "--help", NULL);
    expect_help("usage: llmops config check", "config", "check", "--help");
    expect_help("usage: llmops fingerprint TASK", "fingerprint", "--help", NULL);
    expect_help("usage: llmops version", "version", "--help", NULL);
}

Test(cli_help, main_help_documents_exit_codes)
{
    cli_result r = cli_run("/", "--help", NULL);
    cr_assert_eq(r.code, 0);
    for (const char *const *s = (const char *const[]){ "run TASK", "prompt list", "config check",
                                                        "fingerprint TASK", "version",
                                                        "0  ok", "1  the operation failed",
                                                        "2  usage error", "3  the configuration",
                                                        NULL };
         *s; s++)
        cr_expect(strstr(r.out, *s) != NULL, "llmops --help lacks '%s'", *s);
    cli_result_free(&r);
}

/* Misuse: exit 2, a one-line complaint naming the problem, then the usage,
 * all on stderr; nothing on stdout. */
static void expect_misuse(const char *complaint, const char *const *args)
{
    const char *argv[16] = { cli_binary() };
    size_t n = 1;
    for (; args[n - 1]; n++)
        argv[n] = args[n - 1];
    argv[n] = NULL;
    cli_result r = cli_exec(cli_binary(), "/", NULL, NULL, argv);
    cr_expect_eq(r.code, 2, "%s ...: exit %d, stderr: %s", args[0] ? args[0] : "", r.code, r.err);
    cr_expect(strstr(r.err, complaint) != NULL, "%s ...: stderr lacks '%s': %s",
              args[0] ? args[0] : "", complaint, r.err);
    cr_expect(strstr(r.err, "usage: llmops") != NULL, "%s: no usage text on stderr: %s",
              args[0] ? args[0] : "", r.err);
    cr_expect_str_empty(r.out, "stdout: %s", r.out);
    cli_result_free(&r);
}

#define MISUSE(complaint, ...) expect_misuse(complaint, (const char *const[]){ __VA_ARGS__, NULL })

Test(cli_help, misuse_is_exit_2_with_usage)
{
    expect_misuse("", (const char *const[]){ NULL });
    MISUSE("unknown command 'frobnicate'", "frobnicate");
    MISUSE("which task?", "run");
    MISUSE("--input is required", "run", "answer");
    MISUSE("unknown option '--bogus'", "run", "answer", "--input", "{}", "--bogus");
    MISUSE("option '--input' needs a value", "run", "answer", "--input");
    MISUSE("option '--json' takes no value", "run", "answer", "--input", "{}", "--json=yes");
    MISUSE("--stream and --json cannot be combined", "run", "answer", "--input", "{}",
           "--stream", "--json");
    MISUSE("unexpected argument 'extra'", "run", "answer", "extra", "--input", "{}");
    MISUSE("unknown option '-x'", "run", "-x");
    MISUSE("which command?", "prompt");
    MISUSE("unknown command 'frob'", "prompt", "frob");
    MISUSE("expected 1 argument, got 0", "prompt", "hash");
    MISUSE("expected 2 arguments, got 1", "prompt", "diff", "a");
    MISUSE("expected 3 arguments, got 2", "prompt", "promote", "a", "b");
    MISUSE("unexpected argument 'c'", "prompt", "rollback", "a", "b", "c");
    MISUSE("expected 2 arguments, got 1", "prompt", "rollback", "a");
    MISUSE("give either --config or --dir", "prompt", "list", "--dir", "x", "--config", "y");
    MISUSE("--lock goes with --dir", "prompt", "list", "--lock", "x");
    MISUSE("--input is required", "prompt", "render", "x");
    MISUSE("which command?", "config");
    MISUSE("unknown command 'fix'", "config", "fix");
    MISUSE("unexpected argument 'x'", "config", "check", "x");
    MISUSE("which task?", "fingerprint");
    MISUSE("unexpected argument 'x'", "version", "x");
    MISUSE("unknown command 'nope'", "help", "nope");
}

/* Options may come before or after the positionals, as --name=value too,
 * and "--" ends them. */
Test(cli_help, option_forms)
{
    cli_result r = cli_run("/", "run", "--input={}", "--config=/nonexistent/llmops.yaml", "--",
                           "answer", NULL);
    /* Parsing succeeded: the failure is the missing configuration (3), not usage (2). */
    cr_expect_eq(r.code, 3, "exit %d: %s", r.code, r.err);
    cr_expect(strstr(r.err, "/nonexistent/llmops.yaml") != NULL, "%s", r.err);
    cli_result_free(&r);
}

Test(cli_help, version)
{
    cli_result r = cli_run("/", "version", NULL);
    cr_assert_eq(r.code, 0, "%s", r.err);
    cr_expect(strncmp(r.out, "llmops 0.1.0 (libllmops 0.1.0)\nfeatures:", 40) == 0, "%s", r.out);
    cr_expect(r.out[strlen(r.out) - 1] == '\n', "%s", r.out);
    cli_result_free(&r);
    r = cli_run("/", "--version", NULL);
    cr_expect_eq(r.code, 0);
    cr_expect(strncmp(r.out, "llmops 0.1.0", 12) == 0, "%s", r.out);
    cli_result_free(&r);
}
