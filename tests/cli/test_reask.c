/* Re-asks and contract violations as `llmops run` shows them. The cassettes
 * are recorded first through the public API (a scripted host provider with
 * record_to), then the tool answers from them offline: a task whose first
 * answer has prose around its JSON and is fixed by the re-ask, and one that
 * never meets its contract. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <llmops.h>

#include "run_cli.h"

static char *dir;

static const char tasks_yaml[] =
    "tasks:\n"
    "  fixed:\n"
    "    prompt: ask\n"
    "    model: m\n"
    "    reask: 1\n"
    "    output:\n"
    "      format: json\n"
    "      schema:\n"
    "        type: object\n"
    "        required: [x]\n"
    "        properties:\n"
    "          x: {type: integer}\n"
    "  broken:\n"
    "    prompt: ask\n"
    "    model: m\n"
    "    reask: 1\n"
    "    output:\n"
    "      format: json\n"
    "      schema:\n"
    "        type: object\n"
    "        required: [x]\n";

/* First turn of "fix": prose around the JSON; its re-ask: the JSON alone.
 * "break": prose every time. */
static llmops_status scripted(void *self, const llmops_request *req, llmops_response *resp,
                              llmops_stream *stream)
{
    (void)self;
    (void)stream;
    size_t n = llmops_request_message_count(req);
    const char *first = llmops_request_message_part(req, 0, 0, NULL);
    const char *text;
    if (first && strcmp(first, "fix") == 0)
        text = n == 1 ? "Sure! Here it is: {\"x\": 1}" : "{\"x\": 1}";
    else
        text = "I would rather not answer in JSON.";
    llmops_usage u = LLMOPS_USAGE_INIT;
    u.input_tokens = 10;
    u.output_tokens = 5;
    u.total_tokens = 15;
    llmops_response_set_text(resp, text, strlen(text));
    llmops_response_set_usage(resp, &u);
    return LLMOPS_OK;
}

static void record(const char *task, const char *input)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/record.yaml", dir);
    llmops_client *client = NULL;
    char *errors = NULL;
    cr_assert_eq(llmops_client_open(&client, path, &errors), LLMOPS_OK, "record.yaml: %s",
                 errors ? errors : "");
    llmops_provider_vtable vt = { LLMOPS_PROVIDER_VTABLE_VERSION, scripted, NULL, NULL, NULL };
    llmops_provider *p = NULL;
    cr_assert_eq(llmops_provider_new_custom(&p, "scripted", &vt, NULL), LLMOPS_OK);
    cr_assert_eq(llmops_client_register_provider(client, "scripted", p), LLMOPS_OK);
    llmops_provider_free(p);
    llmops_call *call = NULL;
    cr_assert_eq(llmops_call_new(&call, client, task), LLMOPS_OK);
    cr_assert_eq(llmops_call_set_input(call, input, strlen(input)), LLMOPS_OK);
    llmops_call_run(call);   /* "broken" fails its contract: recorded all the same */
    llmops_call_free(call);
    llmops_client_free(client);
}

static void setup(void)
{
    dir = cli_tempdir();
    cr_assert_not_null(dir);
    char sub[4200];
    snprintf(sub, sizeof sub, "%s/prompts", dir);
    cr_assert_eq(mkdir(sub, 0755), 0);
    snprintf(sub, sizeof sub, "%s/cassettes", dir);
    cr_assert_eq(mkdir(sub, 0755), 0);
    cr_assert_eq(cli_write(dir, "prompts/ask.prompt", "[user]\n{{q}}\n"), 0);
    char yaml[4096];
    snprintf(yaml, sizeof yaml,
             "version: 1\nproviders:\n  scripted:\n    type: custom\n    record_to: cassettes\n"
             "models:\n  m:\n    provider: scripted\n    id: test-model\n%s",
             tasks_yaml);
    cr_assert_eq(cli_write(dir, "record.yaml", yaml), 0);
    snprintf(yaml, sizeof yaml,
             "version: 1\nproviders:\n  offline:\n    type: replay\n    dir: cassettes\n"
             "models:\n  m:\n    provider: offline\n    id: test-model\n%s",
             tasks_yaml);
    cr_assert_eq(cli_write(dir, "llmops.yaml", yaml), 0);
    record("fixed", "{\"q\": \"fix\"}");
    record("broken", "{\"q\": \"break\"}");
}

static void teardown(void)
{
    cli_rmtree(dir);
    free(dir);
}

TestSuite(cli_reask, .init = setup, .fini = teardown, .timeout = 120);

Test(cli_reask, reask_fixes_the_answer)
{
    cli_result r = cli_run(dir, "run", "fixed", "--input", "{\"q\": \"fix\"}", NULL);
    cr_assert_eq(r.code, 0, "exit %d: %s", r.code, r.err);
    cr_expect_str_eq(r.out, "{\"x\": 1}\n");
    cr_expect(strstr(r.err, "re-asks:     1\n") != NULL, "%s", r.err);
    cr_expect(strstr(r.err, "turns:       2\n") != NULL, "%s", r.err);
    cr_expect(strstr(r.err, "usage:       20 input, 10 output, 30 total tokens") != NULL,
              "usage is summed over both turns: %s", r.err);
    cli_result_free(&r);

    r = cli_run(dir, "run", "fixed", "--input", "{\"q\": \"fix\"}", "--json", NULL);
    cr_assert_eq(r.code, 0, "exit %d: %s", r.code, r.err);
    llmops_json_doc *doc = NULL;
    cr_assert_eq(llmops_json_parse(&doc, r.out, strlen(r.out), NULL, NULL), LLMOPS_OK, "%s",
                 r.out);
    const llmops_json *o = llmops_json_doc_root(doc);
    int64_t n = -1;
    cr_expect_eq(llmops_json_get_int(llmops_json_get(o, "reasks"), &n), LLMOPS_OK);
    cr_expect_eq(n, 1);
    cr_expect_eq(llmops_json_get_int(llmops_json_get(llmops_json_get(o, "output"), "x"), &n),
                 LLMOPS_OK);
    cr_expect_eq(n, 1);
    llmops_json_doc_free(doc);
    cli_result_free(&r);
}

/* The first turn streamed prose; the tool says the final output differs and
 * prints it after the streamed text. */
Test(cli_reask, stream_then_final_output)
{
    cli_result r = cli_run(dir, "run", "fixed", "--input", "{\"q\": \"fix\"}", "--stream", NULL);
    cr_assert_eq(r.code, 0, "exit %d: %s", r.code, r.err);
    cr_expect_str_eq(r.out, "Sure! Here it is: {\"x\": 1}\n{\"x\": 1}\n");
    cr_expect(strstr(r.err, "the streamed answer was not the final output (1 re-asks, 2 turns)")
              != NULL, "%s", r.err);
    cli_result_free(&r);
}

Test(cli_reask, contract_violation_lists_violations)
{
    cli_result r = cli_run(dir, "run", "broken", "--input", "{\"q\": \"break\"}", NULL);
    cr_expect_eq(r.code, 1, "exit %d: %s", r.code, r.err);
    char want[128];
    snprintf(want, sizeof want, "llmops run: task broken failed: %s: ",
             llmops_status_str(LLMOPS_E_CONTRACT_VIOLATION));
    cr_expect(strstr(r.err, want) != NULL, "no '%s' in: %s", want, r.err);
    cr_expect(strstr(r.err, "\n  violation: ") != NULL, "%s", r.err);
    cr_expect(strstr(r.err, "re-asks:     1\n") != NULL, "%s", r.err);
    cr_expect_str_empty(r.out);
    cli_result_free(&r);

    r = cli_run(dir, "run", "broken", "--input", "{\"q\": \"break\"}", "--json", NULL);
    cr_expect_eq(r.code, 1);
    llmops_json_doc *doc = NULL;
    cr_assert_eq(llmops_json_parse(&doc, r.out, strlen(r.out), NULL, NULL), LLMOPS_OK, "%s",
                 r.out);
    const llmops_json *o = llmops_json_doc_root(doc);
    cr_expect_str_eq(llmops_json_string(llmops_json_get(o, "status"), NULL),
                     llmops_status_str(LLMOPS_E_CONTRACT_VIOLATION));
    cr_expect_gt(llmops_json_size(llmops_json_get(o, "violations")), 0);
    cr_expect_eq(llmops_json_type_of(llmops_json_get(o, "output")), LLMOPS_JSON_NULL);
    llmops_json_doc_free(doc);
    cli_result_free(&r);
}
