/* What `llmops run` shows for calls beyond the plain demo: re-asks, contract
 * violations, tool calls, interruption. The cassettes are recorded first
 * through the public API (a scripted host provider with record_to), then the
 * tool answers from them offline: a task whose first answer has prose around
 * its JSON and is fixed by the re-ask, one that never meets its contract, one
 * whose model calls tools, and a slow stream. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>

#include <llmops.h>

#include "run_cli.h"

static char *dir;

static const char tasks_yaml[] =
    "tools:\n"
    "  lookup:\n"
    "    description: Find an order by its id.\n"
    "    parameters:\n"
    "      type: object\n"
    "      required: [id]\n"
    "      properties:\n"
    "        id: {type: string}\n"
    "  refund:\n"
    "    description: Refund an order.\n"
    "tasks:\n"
    "  tooly:\n"
    "    prompt: ask\n"
    "    model: m\n"
    "    tools: [lookup]\n"
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
 * "break": prose every time. "slow": two streamed pieces. */
static llmops_status scripted(void *self, const llmops_request *req, llmops_response *resp,
                              llmops_stream *stream)
{
    (void)self;
    size_t n = llmops_request_message_count(req);
    const char *first = llmops_request_message_part(req, 0, 0, NULL);
    const char *text;
    if (first && strcmp(first, "slow") == 0 && stream) {
        llmops_stream_text(stream, "first ", 6);
        llmops_stream_text(stream, "second", 6);
        return LLMOPS_OK;
    }
    if (first && strcmp(first, "tools") == 0) {
        if (n == 1) {   /* first turn: one permitted call, one the task does not list */
            llmops_response_add_tool_call(resp, "call_1", "lookup", "{\"id\": \"A1\"}");
            llmops_response_add_tool_call(resp, "call_2", "refund", "{}");
            llmops_response_set_finish_reason(resp, LLMOPS_FINISH_TOOL_CALLS, "tool_calls");
            return LLMOPS_OK;
        }
        text = "Order A1 could not be looked up.";
    } else if (first && strcmp(first, "fix") == 0)
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

static int ignore_delta(const llmops_delta *d, void *user_data)
{
    (void)d;
    (void)user_data;
    return 0;
}

static void record(const char *config, const char *task, const char *input, int stream)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, config);
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
    if (stream)
        cr_assert_eq(llmops_call_set_stream(call, ignore_delta, NULL), LLMOPS_OK);
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
    record("record.yaml", "fixed", "{\"q\": \"fix\"}", 0);
    record("record.yaml", "broken", "{\"q\": \"break\"}", 0);
    record("record.yaml", "tooly", "{\"q\": \"tools\"}", 0);
}

static void teardown(void)
{
    cli_rmtree(dir);
    free(dir);
}

TestSuite(cli_recorded, .init = setup, .fini = teardown, .timeout = 120);

Test(cli_recorded, reask_fixes_the_answer)
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
Test(cli_recorded, stream_then_final_output)
{
    cli_result r = cli_run(dir, "run", "fixed", "--input", "{\"q\": \"fix\"}", "--stream", NULL);
    cr_assert_eq(r.code, 0, "exit %d: %s", r.code, r.err);
    cr_expect_str_eq(r.out, "Sure! Here it is: {\"x\": 1}\n{\"x\": 1}\n");
    cr_expect(strstr(r.err, "the streamed answer was not the final output (1 re-asks, 2 turns)")
              != NULL, "%s", r.err);
    cli_result_free(&r);
}

Test(cli_recorded, contract_violation_lists_violations)
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

/* The tool loop as the tool shows it: the model's calls with their
 * arguments and outcomes. The tool has no callback here (the CLI registers
 * none, and neither did the recording), and "refund" is not the task's. */
Test(cli_recorded, tool_calls_are_listed)
{
    cli_result r = cli_run(dir, "run", "tooly", "--input", "{\"q\": \"tools\"}", NULL);
    cr_assert_eq(r.code, 0, "exit %d: %s", r.code, r.err);
    cr_expect_str_eq(r.out, "Order A1 could not be looked up.\n");
    cr_expect(strstr(r.err, "turns:       2\n") != NULL, "%s", r.err);
    cr_expect(strstr(r.err, "tool calls:  2\n  lookup({\"id\": \"A1\"}): ") != NULL, "%s",
              r.err);
    char want[128];
    snprintf(want, sizeof want, "\n  refund({}): %s, ", llmops_status_str(LLMOPS_E_BLOCKED));
    cr_expect(strstr(r.err, want) != NULL, "no '%s' in: %s", want, r.err);
    cli_result_free(&r);

    r = cli_run(dir, "run", "tooly", "--input", "{\"q\": \"tools\"}", "--json", NULL);
    cr_assert_eq(r.code, 0, "exit %d: %s", r.code, r.err);
    llmops_json_doc *doc = NULL;
    cr_assert_eq(llmops_json_parse(&doc, r.out, strlen(r.out), NULL, NULL), LLMOPS_OK, "%s",
                 r.out);
    const llmops_json *tools = llmops_json_get(llmops_json_doc_root(doc), "tool_calls");
    cr_assert_eq(llmops_json_size(tools), 2, "%s", r.out);
    const llmops_json *t0 = llmops_json_at(tools, 0);
    cr_expect_str_eq(llmops_json_string(llmops_json_get(t0, "id"), NULL), "call_1");
    cr_expect_str_eq(llmops_json_string(llmops_json_get(t0, "name"), NULL), "lookup");
    cr_expect_str_eq(llmops_json_string(llmops_json_get(llmops_json_get(t0, "arguments"), "id"),
                                        NULL), "A1", "arguments are parsed JSON");
    cr_expect_eq(llmops_json_type_of(llmops_json_get(t0, "result")), LLMOPS_JSON_STRING);
    const llmops_json *t1 = llmops_json_at(tools, 1);
    cr_expect_str_eq(llmops_json_string(llmops_json_get(t1, "status"), NULL),
                     llmops_status_str(LLMOPS_E_BLOCKED));
    llmops_json_doc_free(doc);
    cli_result_free(&r);
}

/* A streamed answer replayed with its timing, the second piece 30 s after
 * the first: SIGINT after the first piece cancels the call, which ends
 * promptly as a cancelled call (exit 1), not after the gap. */
Test(cli_recorded, interrupt_cancels_the_call)
{
    char sub[4200];
    snprintf(sub, sizeof sub, "%s/slow", dir);
    cr_assert_eq(mkdir(sub, 0755), 0);
    cr_assert_eq(cli_write(dir, "record-slow.yaml",
                           "version: 1\nproviders:\n  scripted:\n    type: custom\n"
                           "    record_to: slow\nmodels:\n  m:\n    provider: scripted\n"
                           "    id: test-model\ntasks:\n  slow:\n    prompt: ask\n"
                           "    model: m\n"),
                 0);
    record("record-slow.yaml", "slow", "{\"q\": \"slow\"}", 1);

    /* stretch the recorded gap before the second piece to 30 s */
    DIR *d = opendir(sub);
    cr_assert_not_null(d);
    struct dirent *e;
    char name[512] = "";
    while ((e = readdir(d)) != NULL)
        if (strstr(e->d_name, ".json"))
            snprintf(name, sizeof name, "slow/%s", e->d_name);
    closedir(d);
    cr_assert(name[0], "nothing was recorded");
    char *text = cli_slurp(dir, name);
    cr_assert_not_null(text);
    llmops_json_doc *in = NULL, *out = NULL;
    cr_assert_eq(llmops_json_parse(&in, text, strlen(text), NULL, NULL), LLMOPS_OK);
    cr_assert_eq(llmops_json_doc_new(&out), LLMOPS_OK);
    llmops_json *root = llmops_json_copy(out, llmops_json_doc_root(in));
    cr_assert_not_null(root);
    const llmops_json *deltas = llmops_json_get(root, "deltas");
    cr_assert_eq(llmops_json_size(deltas), 2, "%s", text);
    llmops_json *second = (llmops_json *)llmops_json_at(deltas, 1);
    cr_assert_eq(llmops_json_object_set(out, second, "t_ns", 4,
                                        llmops_json_new_int(out, INT64_C(30000000000))),
                 LLMOPS_OK);
    char *patched = NULL;
    cr_assert_eq(llmops_json_write(&patched, NULL, root, LLMOPS_JSON_WRITE_PRETTY), LLMOPS_OK);
    cr_assert_eq(cli_write(dir, name, patched), 0);
    llmops_free(patched);
    llmops_json_doc_free(in);
    llmops_json_doc_free(out);
    free(text);

    cr_assert_eq(cli_write(dir, "slow.yaml",
                           "version: 1\nproviders:\n  replay:\n    type: replay\n"
                           "    dir: slow\n    timing: true\nmodels:\n  m:\n"
                           "    provider: replay\n    id: test-model\ntasks:\n  slow:\n"
                           "    prompt: ask\n    model: m\n"),
                 0);
    const char *argv[] = { cli_binary(), "run", "slow", "--config", "slow.yaml", "--input",
                           "{\"q\": \"slow\"}", "--stream", NULL };
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    cli_result r = cli_exec_signal(dir, argv, "first ", SIGINT);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    cr_expect_eq(r.code, 1, "exit %d: %s", r.code, r.err);
    cr_expect(strncmp(r.out, "first ", 6) == 0 && !strstr(r.out, "second"), "%s", r.out);
    char want[128];
    snprintf(want, sizeof want, "llmops run: task slow failed: %s",
             llmops_status_str(LLMOPS_E_CANCELLED));
    cr_expect(strstr(r.err, want) != NULL, "no '%s' in: %s", want, r.err);
    cr_expect_lt(t1.tv_sec - t0.tv_sec, 20, "the call waited out the gap");
    cli_result_free(&r);
}
