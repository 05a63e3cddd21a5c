/* The demo "with a key": the same llmops.yaml, its openai provider pointed
 * at a mock OpenAI server on 127.0.0.1 (base_url), OPENAI_API_KEY set. The
 * first target answers, so there is no fallback; the request is the one the
 * real API would get, and the key appears nowhere in the tool's output. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <llmops.h>

#include "run_cli.h"
#include "tests/mock/mock_server.h"

#define KEY "sk-test-cli-0123456789abcdefghijklmnopqrstuvwxyz"

static char *demo;
static lt_mock *mock;

static void setup(void)
{
    demo = cli_demo_copy();
    cr_assert_not_null(demo, "cannot copy examples/support-bot to /tmp");
    mock = lt_mock_start();
    cr_assert_not_null(mock);
    /* llmops.yaml with base_url added to the openai provider */
    char *yaml = cli_slurp(demo, "llmops.yaml");
    cr_assert_not_null(yaml);
    const char *anchor = "    api_key_env: OPENAI_API_KEY\n";
    char *at = strstr(yaml, anchor);
    cr_assert_not_null(at);
    size_t head = (size_t)(at - yaml) + strlen(anchor);
    size_t n = strlen(yaml) + 256;
    char *live = malloc(n);
    cr_assert_not_null(live);
    snprintf(live, n, "%.*s    base_url: %s/v1\n%s", (int)head, yaml, lt_mock_url(mock),
             yaml + head);
    cr_assert_eq(cli_write(demo, "live.yaml", live), 0);
    free(live);
    free(yaml);
}

static void teardown(void)
{
    lt_mock_stop(mock);
    cli_rmtree(demo);
    free(demo);
}

TestSuite(cli_live, .init = setup, .fini = teardown, .timeout = 120);

static const char completion[] =
    "{\"id\": \"chatcmpl-live\", \"object\": \"chat.completion\", \"created\": 1,"
    " \"model\": \"gpt-4o-mini-2024-07-18\","
    " \"choices\": [{\"index\": 0, \"finish_reason\": \"stop\", \"message\": {\"role\":"
    " \"assistant\", \"content\": \"{\\\"answer\\\": \\\"Unplug it for 30 seconds.\\\","
    " \\\"confidence\\\": 0.7, \\\"needs_human\\\": false}\"}}],"
    " \"usage\": {\"prompt_tokens\": 140, \"completion_tokens\": 20, \"total_tokens\": 160}}";

static cli_result run_live(const char *extra)
{
    const char *env[] = { "OPENAI_API_KEY=" KEY, NULL };
    const char *argv[] = { cli_binary(), "run", "answer", "--config", "live.yaml", "--input",
                           "@input.json", extra, NULL };
    return cli_exec_env(demo, env, argv);
}

Test(cli_live, first_target_answers_with_a_key)
{
    cr_assert_eq(lt_mock_push_simple(mock, 200, "x-request-id: req_live_1", completion), 0);
    cli_result r = run_live(NULL);
    cr_assert_eq(r.code, 0, "exit %d: %s", r.code, r.err);
    cr_expect_str_eq(r.out, "{\"answer\": \"Unplug it for 30 seconds.\", \"confidence\": 0.7, "
                            "\"needs_human\": false}\n");
    cr_expect(strstr(r.err, "attempt 1:   openai gpt-4o-mini: ok (HTTP 200)") != NULL, "%s",
              r.err);
    cr_expect(strstr(r.err, "attempt 2") == NULL, "no fallback was needed: %s", r.err);
    cr_expect(strstr(r.err, "model:       gpt-4o-mini-2024-07-18 (model support, provider "
                            "openai)") != NULL, "%s", r.err);
    cr_expect(strstr(r.err, "usage:       140 input, 20 output, 160 total tokens") != NULL,
              "%s", r.err);
    cr_expect(strstr(r.err, KEY) == NULL && strstr(r.out, KEY) == NULL, "the key was printed");

    /* what the real API would have been sent */
    lt_mock_request req;
    cr_assert_eq(lt_mock_request_last(mock, &req), 0);
    cr_expect_str_eq(req.method, "POST");
    cr_expect_str_eq(req.target, "/v1/chat/completions");
    char auth[256];
    cr_expect(lt_mock_request_header(&req, "Authorization", auth, sizeof auth));
    cr_expect_str_eq(auth, "Bearer " KEY);
    llmops_json_doc *doc = NULL;
    cr_assert_eq(llmops_json_parse(&doc, req.body, req.body_len, NULL, NULL), LLMOPS_OK);
    const llmops_json *body = llmops_json_doc_root(doc);
    cr_expect_str_eq(llmops_json_string(llmops_json_get(body, "model"), NULL), "gpt-4o-mini");
    double t = -1;
    cr_expect_eq(llmops_json_get_double(llmops_json_get(body, "temperature"), &t), LLMOPS_OK);
    cr_expect(t > 0.19 && t < 0.21, "temperature %g", t);
    const llmops_json *messages = llmops_json_get(body, "messages");
    cr_expect_eq(llmops_json_size(messages), 2);
    const char *system =
        llmops_json_string(llmops_json_get(llmops_json_at(messages, 0), "content"), NULL);
    cr_expect(system && strstr(system, "support assistant for the Acme Router."),
              "production (version 1) was rendered: %s", system ? system : "(none)");
    const llmops_json *format = llmops_json_get(body, "response_format");
    cr_expect_str_eq(llmops_json_string(llmops_json_get(format, "type"), NULL), "json_schema",
                     "the contract's schema is passed natively");
    llmops_json_doc_free(doc);
    lt_mock_request_free(&req);
    cli_result_free(&r);
}

Test(cli_live, streamed_from_the_first_target)
{
    lt_mock_response resp;
    memset(&resp, 0, sizeof resp);
    resp.body =
        "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o-mini\","
        "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":"
        "\"{\\\"answer\\\": \\\"Unplug it\"},\"finish_reason\":null}]}\n\n"
        "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o-mini\","
        "\"choices\":[{\"index\":0,\"delta\":{\"content\":\" for 30 seconds.\\\", "
        "\\\"confidence\\\": 0.7, \\\"needs_human\\\": false}\"},\"finish_reason\":\"stop\"}]}"
        "\n\n"
        "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o-mini\","
        "\"choices\":[],\"usage\":{\"prompt_tokens\":140,\"completion_tokens\":20,"
        "\"total_tokens\":160}}\n\n"
        "data: [DONE]\n\n";
    resp.chunk_size = 64;
    cr_assert_eq(lt_mock_push(mock, &resp), 0);
    cli_result r = run_live("--stream");
    cr_assert_eq(r.code, 0, "exit %d: %s", r.code, r.err);
    cr_expect_str_eq(r.out, "{\"answer\": \"Unplug it for 30 seconds.\", \"confidence\": 0.7, "
                            "\"needs_human\": false}\n");
    cr_expect(strstr(r.err, "attempt 1:   openai gpt-4o-mini: ok (HTTP 200)") != NULL, "%s",
              r.err);
    cr_expect(strstr(r.err, "usage:       140 input, 20 output, 160 total tokens") != NULL,
              "%s", r.err);
    lt_mock_request req;
    cr_assert_eq(lt_mock_request_last(mock, &req), 0);
    cr_expect(strstr(req.body, "\"stream\":true") != NULL, "%s", req.body);
    lt_mock_request_free(&req);
    cli_result_free(&r);
}

/* A 401 from the server: the fallback answers from the cassette, and the
 * attempt says why the first target failed. */
Test(cli_live, rejected_key_falls_back)
{
    cr_assert_eq(lt_mock_push_simple(mock, 401, NULL,
                                     "{\"error\": {\"message\": \"Incorrect API key provided\","
                                     " \"type\": \"invalid_request_error\", \"code\": "
                                     "\"invalid_api_key\"}}"),
                 0);
    cli_result r = run_live(NULL);
    cr_assert_eq(r.code, 0, "exit %d: %s", r.code, r.err);
    char want[128];
    snprintf(want, sizeof want, "attempt 1:   openai gpt-4o-mini: %s (HTTP 401)",
             llmops_status_str(LLMOPS_E_AUTH));
    cr_expect(strstr(r.err, want) != NULL, "no '%s' in: %s", want, r.err);
    cr_expect(strstr(r.err, "attempt 2:   offline gpt-4o-mini: ok") != NULL, "%s", r.err);
    cr_expect(strstr(r.err, KEY) == NULL, "the key was printed");
    cli_result_free(&r);
}
