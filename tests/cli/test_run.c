/* llmops run on a copy of the support-bot demo, offline: the OpenAI attempt
 * fails for want of a key and the route falls back to the cassette. */
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

TestSuite(cli_run, .init = setup, .fini = teardown, .timeout = 120);

/* The version the production label points at, via the tool itself. */
static char *production_version(void)
{
    cli_result r = cli_run(demo, "prompt", "hash", "support-answer@production", NULL);
    cr_assert_eq(r.code, 0, "prompt hash: %s", r.err);
    cr_assert_eq(strlen(r.out), 65, "not a hash: %s", r.out);
    r.out[64] = '\0';
    free(r.err);
    return r.out;
}

static int is_hex64(const char *s, size_t len)
{
    if (len != 64)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (!strchr("0123456789abcdef", s[i]))
            return 0;
    return 1;
}

Test(cli_run, demo_answers_offline)
{
    char *version = production_version();
    cli_result r = cli_run(demo, "run", "answer", "--input", "@input.json", NULL);
    cr_assert_eq(r.code, 0, "exit %d: %s", r.code, r.err);

    /* stdout: the checked JSON answer, and only that */
    llmops_json_doc *doc = NULL;
    cr_assert_eq(llmops_json_parse(&doc, r.out, strlen(r.out), NULL, NULL), LLMOPS_OK,
                 "stdout is not JSON: %s", r.out);
    const llmops_json *root = llmops_json_doc_root(doc);
    cr_expect_not_null(llmops_json_string(llmops_json_get(root, "answer"), NULL));
    cr_expect_eq(llmops_json_type_of(llmops_json_get(root, "needs_human")), LLMOPS_JSON_BOOL);
    llmops_json_doc_free(doc);

    /* stderr: what produced it */
    char want[128];
    snprintf(want, sizeof want, "prompt:      support-answer@%s\n", version);
    cr_expect(strstr(r.err, want) != NULL, "no '%s' in: %s", want, r.err);
    const char *fp = strstr(r.err, "fingerprint: ");
    cr_assert_not_null(fp, "%s", r.err);
    cr_expect(is_hex64(fp + 13, strcspn(fp + 13, "\n")), "%s", r.err);
    cr_expect(strstr(r.err, "model:       gpt-4o-mini") != NULL, "%s", r.err);
    cr_expect(strstr(r.err, ", provider offline)\n") != NULL, "%s", r.err);
    cr_expect(strstr(r.err, "usage:       131 input, 96 output, 227 total tokens") != NULL,
              "%s", r.err);
    /* the fallback shows: openai refused for want of a key, then the cassette */
    char attempt[128];
    snprintf(attempt, sizeof attempt, "attempt 1:   openai gpt-4o-mini: %s",
             llmops_status_str(LLMOPS_E_AUTH));
    cr_expect(strstr(r.err, attempt) != NULL, "no '%s' in: %s", attempt, r.err);
    cr_expect(strstr(r.err, "attempt 2:   offline gpt-4o-mini: ok") != NULL, "%s", r.err);
    cr_expect(strstr(r.err, "re-asks:     0\n") != NULL, "%s", r.err);
    cr_expect(strstr(r.err, "tool calls:  0\n") != NULL, "%s", r.err);

    /* the fingerprint is the one `llmops fingerprint` prints */
    cli_result f = cli_run(demo, "fingerprint", "answer", NULL);
    cr_assert_eq(f.code, 0, "%s", f.err);
    cr_expect(strncmp(f.out, fp + 13, 64) == 0, "run says %.64s, fingerprint says %.64s",
              fp + 13, f.out);
    cli_result_free(&f);
    cli_result_free(&r);
    free(version);
}

Test(cli_run, json_result_has_everything)
{
    char *version = production_version();
    cli_result r = cli_run(demo, "run", "answer", "--input", "@input.json", "--json", NULL);
    cr_assert_eq(r.code, 0, "exit %d: %s", r.code, r.err);
    cr_expect(strchr(r.out, '\n') == r.out + strlen(r.out) - 1, "not one line: %s", r.out);
    llmops_json_doc *doc = NULL;
    cr_assert_eq(llmops_json_parse(&doc, r.out, strlen(r.out), NULL, NULL), LLMOPS_OK, "%s",
                 r.out);
    const llmops_json *o = llmops_json_doc_root(doc);
    cr_expect(llmops_json_is_true(llmops_json_get(o, "ok")));
    cr_expect_str_eq(llmops_json_string(llmops_json_get(o, "task"), NULL), "answer");
    cr_expect_str_eq(llmops_json_string(llmops_json_get(o, "status"), NULL), "ok");
    cr_expect_eq(llmops_json_type_of(llmops_json_get(o, "error")), LLMOPS_JSON_NULL);
    const llmops_json *out = llmops_json_get(o, "output");
    cr_expect_eq(llmops_json_type_of(out), LLMOPS_JSON_OBJECT, "output is parsed JSON");
    double confidence = -1;
    cr_expect_eq(llmops_json_get_double(llmops_json_get(out, "confidence"), &confidence),
                 LLMOPS_OK);
    cr_expect(confidence >= 0 && confidence <= 1);
    cr_expect_eq(llmops_json_type_of(llmops_json_get(o, "output_text")), LLMOPS_JSON_STRING);
    const llmops_json *prompt = llmops_json_get(o, "prompt");
    cr_expect_str_eq(llmops_json_string(llmops_json_get(prompt, "name"), NULL),
                     "support-answer");
    cr_expect_str_eq(llmops_json_string(llmops_json_get(prompt, "version"), NULL), version);
    size_t fl = 0;
    const char *fp = llmops_json_string(llmops_json_get(o, "fingerprint"), &fl);
    cr_expect(fp && is_hex64(fp, fl));
    cr_expect_str_eq(llmops_json_string(llmops_json_get(o, "provider"), NULL), "offline");
    int64_t n = 0;
    const llmops_json *usage = llmops_json_get(o, "usage");
    cr_expect_eq(llmops_json_get_int(llmops_json_get(usage, "input_tokens"), &n), LLMOPS_OK);
    cr_expect_eq(n, 131);
    cr_expect_eq(llmops_json_get_int(llmops_json_get(usage, "output_tokens"), &n), LLMOPS_OK);
    cr_expect_eq(n, 96);
    const llmops_json *attempts = llmops_json_get(o, "attempts");
    cr_assert_eq(llmops_json_size(attempts), 2, "%s", r.out);
    cr_expect_str_eq(llmops_json_string(llmops_json_get(llmops_json_at(attempts, 0), "status"),
                                        NULL), llmops_status_str(LLMOPS_E_AUTH));
    cr_expect_str_eq(llmops_json_string(llmops_json_get(llmops_json_at(attempts, 1),
                                                        "provider"), NULL), "offline");
    cr_expect_eq(llmops_json_get_int(llmops_json_get(o, "reasks"), &n), LLMOPS_OK);
    cr_expect_eq(n, 0);
    cr_expect_eq(llmops_json_get_int(llmops_json_get(o, "turns"), &n), LLMOPS_OK);
    cr_expect_eq(n, 1);
    cr_expect_eq(llmops_json_type_of(llmops_json_get(o, "tool_calls")), LLMOPS_JSON_ARRAY);
    cr_expect_eq(llmops_json_size(llmops_json_get(o, "tool_calls")), 0);
    cr_expect_eq(llmops_json_size(llmops_json_get(o, "violations")), 0);
    size_t tl = 0;
    llmops_json_string(llmops_json_get(o, "trace_id"), &tl);
    cr_expect_eq(tl, 32, "trace id of 32 hex digits");
    llmops_json_doc_free(doc);
    cli_result_free(&r);
    free(version);
}

/* --stream shows the answer as it arrives, and only once. */
Test(cli_run, stream_prints_the_answer_once)
{
    cli_result plain = cli_run(demo, "run", "answer", "--input", "@input.json", NULL);
    cli_result r = cli_run(demo, "run", "answer", "--input", "@input.json", "--stream", NULL);
    cr_assert_eq(r.code, 0, "exit %d: %s", r.code, r.err);
    cr_expect_str_eq(r.out, plain.out, "streamed and plain output differ");
    cr_expect(strstr(r.err, "fingerprint: ") != NULL, "%s", r.err);
    cli_result_free(&plain);
    cli_result_free(&r);
}

/* Input straight on the command line and from stdin give the same call. */
Test(cli_run, input_forms)
{
    char *json = cli_slurp(demo, "input.json");
    cr_assert_not_null(json);
    json[strcspn(json, "\n")] = '\0';
    cli_result a = cli_run(demo, "run", "answer", "--input", json, NULL);
    cr_expect_eq(a.code, 0, "inline: %s", a.err);
    const char *argv[] = { cli_binary(), "run", "answer", "--input", "@-", NULL };
    cli_result b = cli_exec(cli_binary(), demo, json, NULL, argv);
    cr_expect_eq(b.code, 0, "stdin: %s", b.err);
    cr_expect_str_eq(a.out, b.out);
    /* LLMOPS_CONFIG names the configuration when --config is absent */
    const char *argv2[] = { cli_binary(), "run", "answer", "--input", json, NULL };
    char cfg[4096];
    snprintf(cfg, sizeof cfg, "%s/llmops.yaml", demo);
    cli_result c = cli_exec(cli_binary(), "/", NULL, cfg, argv2);
    cr_expect_eq(c.code, 0, "LLMOPS_CONFIG: %s", c.err);
    cr_expect_str_eq(a.out, c.out);
    /* and --config from elsewhere */
    cli_result d = cli_run("/", "run", "answer", "--config", cfg, "--input", json, NULL);
    cr_expect_eq(d.code, 0, "--config: %s", d.err);
    cr_expect_str_eq(a.out, d.out);
    cli_result_free(&a);
    cli_result_free(&b);
    cli_result_free(&c);
    cli_result_free(&d);
    free(json);
}

Test(cli_run, bad_input_json_is_usage_error)
{
    cli_result r = cli_run(demo, "run", "answer", "--input", "{\"product\": \"x\",\n \"q\" 1}",
                           NULL);
    cr_expect_eq(r.code, 2, "exit %d: %s", r.code, r.err);
    cr_expect(strstr(r.err, "llmops run: --input is not JSON: line 2, column") != NULL, "%s",
              r.err);
    cr_expect_str_empty(r.out);
    cli_result_free(&r);

    cr_assert_eq(cli_write(demo, "broken.json", "[1, 2,"), 0);
    r = cli_run(demo, "run", "answer", "--input", "@broken.json", NULL);
    cr_expect_eq(r.code, 2, "exit %d: %s", r.code, r.err);
    cr_expect(strstr(r.err, "broken.json is not JSON: line 1, column") != NULL, "%s", r.err);
    cli_result_free(&r);

    r = cli_run(demo, "run", "answer", "--input", "@no-such-file.json", NULL);
    cr_expect_eq(r.code, 2, "exit %d: %s", r.code, r.err);
    cr_expect(strstr(r.err, "cannot read --input file no-such-file.json") != NULL, "%s", r.err);
    cli_result_free(&r);
}

/* Input that is JSON but fails the prompt's input schema: the call fails
 * (exit 1) before any model is asked. */
Test(cli_run, input_failing_its_schema_fails_the_call)
{
    cli_result r = cli_run(demo, "run", "answer", "--input", "{\"product\": \"Acme Router\"}",
                           NULL);
    cr_expect_eq(r.code, 1, "exit %d: %s", r.code, r.err);
    char want[128];
    snprintf(want, sizeof want, "llmops run: task answer failed: %s: ",
             llmops_status_str(LLMOPS_E_VALIDATION));
    cr_expect(strstr(r.err, want) != NULL, "no '%s' in: %s", want, r.err);
    cr_expect(strstr(r.err, "question") != NULL, "the message names the missing field: %s",
              r.err);
    cr_expect(strstr(r.err, "attempt 1") == NULL, "no model was called: %s", r.err);
    cr_expect_str_empty(r.out);
    cli_result_free(&r);

    r = cli_run(demo, "run", "answer", "--input", "{\"product\": \"Acme Router\"}", "--json",
                NULL);
    cr_expect_eq(r.code, 1);
    llmops_json_doc *doc = NULL;
    cr_assert_eq(llmops_json_parse(&doc, r.out, strlen(r.out), NULL, NULL), LLMOPS_OK, "%s",
                 r.out);
    const llmops_json *o = llmops_json_doc_root(doc);
    cr_expect_eq(llmops_json_type_of(llmops_json_get(o, "ok")), LLMOPS_JSON_BOOL);
    cr_expect(!llmops_json_is_true(llmops_json_get(o, "ok")));
    cr_expect_str_eq(llmops_json_string(llmops_json_get(o, "status"), NULL),
                     llmops_status_str(LLMOPS_E_VALIDATION));
    cr_expect_eq(llmops_json_type_of(llmops_json_get(o, "error")), LLMOPS_JSON_STRING);
    cr_expect_eq(llmops_json_type_of(llmops_json_get(o, "output")), LLMOPS_JSON_NULL);
    llmops_json_doc_free(doc);
    cli_result_free(&r);
}

Test(cli_run, unknown_task)
{
    cli_result r = cli_run(demo, "run", "nope", "--input", "{}", NULL);
    cr_expect_eq(r.code, 1, "exit %d: %s", r.code, r.err);
    cr_expect(strstr(r.err, "llmops run: llmops.yaml has no task 'nope'") != NULL, "%s", r.err);
    cli_result_free(&r);
}

/* No cassette for what is asked (a question nobody recorded): every target
 * fails and the tool says so, with the attempts. */
Test(cli_run, no_recording_fails_with_attempts)
{
    cli_result r = cli_run(demo, "run", "answer", "--input",
                           "{\"product\": \"Acme Router\", \"question\": \"Is it waterproof?\"}",
                           NULL);
    cr_expect_eq(r.code, 1, "exit %d: %s", r.code, r.err);
    cr_expect(strstr(r.err, "llmops run: task answer failed: ") != NULL, "%s", r.err);
    const char *none = llmops_status_str(LLMOPS_E_NO_RECORDING);
    cr_expect(strstr(r.err, none) != NULL, "%s", r.err);
    char attempt[128];
    snprintf(attempt, sizeof attempt, "attempt 2:   offline gpt-4o-mini: %s", none);
    cr_expect(strstr(r.err, attempt) != NULL, "no '%s' in: %s", attempt, r.err);
    cr_expect(strstr(r.err, "model:") == NULL, "no model answered: %s", r.err);
    cr_expect_str_empty(r.out);
    cli_result_free(&r);
}

Test(cli_run, missing_config_is_exit_3)
{
    cli_result r = cli_run(demo, "run", "answer", "--input", "{}", "--config", "nope.yaml", NULL);
    cr_expect_eq(r.code, 3, "exit %d: %s", r.code, r.err);
    cr_expect(strstr(r.err, "nope.yaml") != NULL, "%s", r.err);
    cli_result_free(&r);
}

/* The README's demo command, exactly, from the source root (read-only: a
 * run changes no file). */
Test(cli_run, readme_demo_command)
{
    cli_result r = cli_run(LLMOPS_SOURCE_ROOT, "run", "answer", "--config",
                           "examples/support-bot/llmops.yaml", "--input",
                           "@examples/support-bot/input.json", NULL);
    cr_expect_eq(r.code, 0, "exit %d: %s", r.code, r.err);
    cr_expect(strncmp(r.out, "{\"answer\": ", 11) == 0, "%s", r.out);
    cr_expect(strstr(r.err, "prompt:      support-answer@") != NULL, "%s", r.err);
    cr_expect(strstr(r.err, "usage:       131 input") != NULL, "%s", r.err);
    cli_result_free(&r);
}

/* The call's own settings: joining a trace, who it is for, its deadline. */
Test(cli_run, call_settings)
{
    const char *tp = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    cli_result r = cli_run(demo, "run", "answer", "--input", "@input.json", "--traceparent", tp,
                           "--user", "user-42", "--session", "s-1", "--tenant", "acme",
                           "--deadline-ms", "20000", NULL);
    cr_expect_eq(r.code, 0, "exit %d: %s", r.code, r.err);
    cr_expect(strstr(r.err, "trace:       0af7651916cd43dd8448eb211c80319c\n") != NULL,
              "the call did not join the trace: %s", r.err);
    cli_result_free(&r);

    r = cli_run(demo, "run", "answer", "--input", "@input.json", "--traceparent", "00-zz", NULL);
    cr_expect_eq(r.code, 2, "exit %d: %s", r.code, r.err);
    cr_expect(strstr(r.err, "bad --traceparent: ") != NULL, "%s", r.err);
    cli_result_free(&r);

    for (const char *const *bad = (const char *const[]){ "0", "-5", "12ms", "",
                                                          "99999999999999999999999", NULL };
         *bad; bad++) {
        r = cli_run(demo, "run", "answer", "--input", "@input.json", "--deadline-ms", *bad,
                    "--config", "absent.yaml", NULL);
        cr_expect_eq(r.code, 2, "--deadline-ms '%s': exit %d: %s", *bad, r.code, r.err);
        cr_expect(strstr(r.err, "--deadline-ms takes a whole number") != NULL, "%s", r.err);
        cli_result_free(&r);
    }
}
