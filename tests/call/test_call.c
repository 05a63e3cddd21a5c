/* The task pipeline end to end on host providers: configuration, prompt
 * registry, input checks, rendering, routes with fallback, the tool loop,
 * output contracts with re-asks, usage, fingerprints and reloads. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "llmops.h"

static char dir[256];

static void write_file(const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "%s", path);
    fputs(text, f);
    fclose(f);
}

static const char *config_yaml =
    "version: 1\n"
    "providers:\n"
    "  host: {type: custom}\n"
    "  backup: {type: custom}\n"
    "models:\n"
    "  main: {provider: host, id: host-model-1, params: {temperature: 0.3}}\n"
    "  spare: {provider: backup, id: backup-model-2}\n"
    "tools:\n"
    "  lookup_order:\n"
    "    description: Finds an order by id\n"
    "    parameters: {type: object, required: [id], properties: {id: {type: string}}}\n"
    "  refund: {description: Refunds an order}\n"
    "tasks:\n"
    "  answer:\n"
    "    prompt: support\n"
    "    model: main\n"
    "    output:\n"
    "      format: json\n"
    "      schema: {type: object, required: [answer], properties: {answer: {type: string}}}\n"
    "    reask: 1\n"
    "    tools: [lookup_order]\n"
    "    route: {fallbacks: [spare], retry: {max_attempts: 1, base_delay_ms: 1}}\n"
    "  plain:\n"
    "    prompt: support\n"
    "    model: main\n";

static const char *prompt_text =
    "---\n"
    "description: Answers a support question\n"
    "input_schema: {type: object, required: [question], properties: {question: {type: string}}}\n"
    "---\n"
    "[system]\n"
    "You help customers of {{product}}.\n"
    "[user]\n"
    "{{question}}\n";

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/llmops-call-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    char p[300];
    snprintf(p, sizeof p, "%s/prompts", dir);
    mkdir(p, 0700);
    write_file("llmops.yaml", config_yaml);
    write_file("prompts/support.prompt", prompt_text);
}

static void teardown(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(call, .init = setup, .fini = teardown);

/* ---- a scripted host model ---------------------------------------------- */

typedef struct script {
    const char *answers[8];   /* "tool:NAME:ARGS" asks for a tool; "!STATUS" fails */
    int n, next;
    int calls;
    char last_user[512];
    char last_model[64];
    int saw_tool_result;
    char tool_result[256];
} script;

static llmops_status scripted(void *self, const llmops_request *req, llmops_response *resp,
                              llmops_stream *stream)
{
    script *s = self;
    s->calls++;
    snprintf(s->last_model, sizeof s->last_model, "%s", llmops_request_model(req));
    for (size_t i = 0; i < llmops_request_message_count(req); i++) {
        size_t len;
        if (llmops_request_message_role(req, i) == LLMOPS_ROLE_USER)
            snprintf(s->last_user, sizeof s->last_user, "%s",
                     llmops_request_message_part(req, i, 0, &len));
        if (llmops_request_message_role(req, i) == LLMOPS_ROLE_TOOL) {
            s->saw_tool_result = 1;
            snprintf(s->tool_result, sizeof s->tool_result, "%s",
                     llmops_request_message_part(req, i, 0, &len));
        }
    }
    const char *a = s->next < s->n ? s->answers[s->next++] : "{\"answer\":\"default\"}";
    if (a[0] == '!')
        return llmops_response_set_error(resp, (llmops_status)atoi(a + 1), "scripted failure"),
               (llmops_status)atoi(a + 1);
    if (strncmp(a, "tool:", 5) == 0) {
        char name[64];
        const char *colon = strchr(a + 5, ':');
        snprintf(name, sizeof name, "%.*s", (int)(colon - (a + 5)), a + 5);
        llmops_response_add_tool_call(resp, "call_1", name, colon + 1);
        llmops_response_set_finish_reason(resp, LLMOPS_FINISH_TOOL_CALLS, NULL);
    } else if (stream) {
        llmops_stream_text(stream, a, SIZE_MAX);
    } else {
        llmops_response_set_text(resp, a, SIZE_MAX);
    }
    llmops_usage u = LLMOPS_USAGE_INIT;
    u.input_tokens = 10;
    u.output_tokens = 4;
    llmops_response_set_usage(resp, &u);
    return LLMOPS_OK;
}

static llmops_client *open_with(script *main_model, script *backup)
{
    char path[300];
    snprintf(path, sizeof path, "%s/llmops.yaml", dir);
    llmops_client *c = NULL;
    char *errors = NULL;
    llmops_status st = llmops_client_open(&c, path, &errors);
    cr_assert_eq(st, LLMOPS_OK, "%s: %s", llmops_status_str(st), errors ? errors : "");
    llmops_provider_vtable vt = {LLMOPS_PROVIDER_VTABLE_VERSION, scripted, NULL, NULL, NULL};
    llmops_provider *p = NULL;
    cr_assert_eq(llmops_provider_new_custom(&p, "host", &vt, main_model), LLMOPS_OK);
    cr_assert_eq(llmops_client_register_provider(c, "host", p), LLMOPS_OK);
    llmops_provider_free(p);
    if (backup) {
        cr_assert_eq(llmops_provider_new_custom(&p, "backup", &vt, backup), LLMOPS_OK);
        cr_assert_eq(llmops_client_register_provider(c, "backup", p), LLMOPS_OK);
        llmops_provider_free(p);
    }
    return c;
}

static const char *input = "{\"product\":\"Acme Router\",\"question\":\"It reboots.\"}";

Test(call, renders_calls_and_checks_the_output)
{
    script s = {{"{\"answer\":\"Update the firmware.\"}"}, 1, 0, 0, {0}, {0}, 0, {0}};
    llmops_client *c = open_with(&s, NULL);
    llmops_call *call = NULL;
    cr_assert_eq(llmops_call_new(&call, c, "answer"), LLMOPS_OK);
    cr_assert_eq(llmops_call_set_input(call, input, SIZE_MAX), LLMOPS_OK);
    cr_assert_eq(llmops_call_run(call), LLMOPS_OK, "%s", llmops_call_error(call));
    cr_assert_str_eq(s.last_user, "It reboots.");
    cr_assert_str_eq(s.last_model, "host-model-1");
    cr_assert_str_eq(llmops_call_output_text(call, NULL), "{\"answer\":\"Update the firmware.\"}");
    const llmops_json *out = llmops_call_output_json(call);
    cr_assert_not_null(out);
    cr_assert_str_eq(llmops_json_string(llmops_json_get(out, "answer"), NULL),
                     "Update the firmware.");
    cr_assert_str_eq(llmops_call_prompt_name(call), "support");
    cr_assert_eq(strlen(llmops_call_prompt_version(call)), 64);
    cr_assert_eq(strlen(llmops_call_task_fingerprint(call)), 64);
    cr_assert_eq(strlen(llmops_call_trace_id(call)), 32);
    cr_assert_str_eq(llmops_call_model_name(call), "main");
    llmops_usage u = LLMOPS_USAGE_INIT;
    cr_assert_eq(llmops_call_usage(call, &u), LLMOPS_OK);
    cr_assert_eq(u.input_tokens, 10);
    cr_assert_eq(llmops_call_turn_count(call), 1);
    llmops_call_free(call);
    llmops_client_free(c);
}

Test(call, input_schema_is_checked_before_any_model_call)
{
    script s = {{0}, 0, 0, 0, {0}, {0}, 0, {0}};
    llmops_client *c = open_with(&s, NULL);
    llmops_call *call = NULL;
    llmops_call_new(&call, c, "answer");
    llmops_call_set_input(call, "{\"product\":\"x\"}", SIZE_MAX);
    cr_assert_eq(llmops_call_run(call), LLMOPS_E_VALIDATION);
    cr_assert_eq(s.calls, 0);
    cr_assert_geq(llmops_call_violation_count(call), 1);
    cr_assert_not_null(strstr(llmops_call_error(call), "question"), "%s",
                       llmops_call_error(call));
    cr_assert_eq(llmops_call_set_input(call, "{oops", SIZE_MAX), LLMOPS_E_PARSE);
    llmops_call_free(call);
    llmops_client_free(c);
}

Test(call, a_missing_template_variable_is_an_error)
{
    script s = {{0}, 0, 0, 0, {0}, {0}, 0, {0}};
    llmops_client *c = open_with(&s, NULL);
    llmops_call *call = NULL;
    llmops_call_new(&call, c, "plain");
    llmops_call_set_input(call, "{\"question\":\"hi\"}", SIZE_MAX);
    cr_assert_neq(llmops_call_run(call), LLMOPS_OK);
    cr_assert_not_null(strstr(llmops_call_error(call), "product"), "%s",
                       llmops_call_error(call));
    cr_assert_eq(s.calls, 0);
    llmops_call_free(call);
    llmops_client_free(c);
}

Test(call, contract_violation_is_reasked_once_then_fails)
{
    script s = {{"Sure! Here you go: {\"answer\":\"x\"}", "{\"answer\":\"fixed\"}"}, 2, 0, 0,
                {0}, {0}, 0, {0}};
    llmops_client *c = open_with(&s, NULL);
    llmops_call *call = NULL;
    llmops_call_new(&call, c, "answer");
    llmops_call_set_input(call, input, SIZE_MAX);
    cr_assert_eq(llmops_call_run(call), LLMOPS_OK, "%s", llmops_call_error(call));
    cr_assert_eq(llmops_call_reask_count(call), 1);
    cr_assert_eq(llmops_call_turn_count(call), 2);
    cr_assert_str_eq(llmops_call_output_text(call, NULL), "{\"answer\":\"fixed\"}");
    cr_assert_neq(strlen(s.last_user), 0);
    llmops_usage u = LLMOPS_USAGE_INIT;
    llmops_call_usage(call, &u);
    cr_assert_eq(u.input_tokens, 20, "usage counts both turns");

    script bad = {{"not json", "{\"answer\": 5}"}, 2, 0, 0, {0}, {0}, 0, {0}};
    llmops_client *c2 = open_with(&bad, NULL);
    llmops_call *call2 = NULL;
    llmops_call_new(&call2, c2, "answer");
    llmops_call_set_input(call2, input, SIZE_MAX);
    cr_assert_eq(llmops_call_run(call2), LLMOPS_E_CONTRACT_VIOLATION);
    cr_assert_eq(bad.calls, 2);
    cr_assert_geq(llmops_call_violation_count(call2), 1);
    cr_assert_not_null(strstr(llmops_call_error(call2), "answer"), "%s",
                       llmops_call_error(call2));
    llmops_call_free(call2);
    llmops_client_free(c2);
    llmops_call_free(call);
    llmops_client_free(c);
}

static llmops_status lookup(void *ud, const char *args, size_t len, llmops_tool_output *out)
{
    int *n = ud;
    (*n)++;
    char buf[256];
    snprintf(buf, sizeof buf, "order found for %.*s: shipped", (int)len, args);
    return llmops_tool_output_set(out, buf, SIZE_MAX);
}

Test(call, tool_loop_runs_permitted_tools_and_refuses_others)
{
    script s = {{"tool:lookup_order:{\"id\":\"A1\"}", "tool:refund:{}",
                 "tool:lookup_order:{\"nope\":1}", "{\"answer\":\"It shipped.\"}"},
                4, 0, 0, {0}, {0}, 0, {0}};
    llmops_client *c = open_with(&s, NULL);
    int ran = 0;
    cr_assert_eq(llmops_client_register_tool(c, "lookup_order", lookup, &ran), LLMOPS_OK);
    cr_assert_eq(llmops_client_register_tool(c, "undeclared", lookup, &ran), LLMOPS_E_NOT_FOUND);
    llmops_call *call = NULL;
    llmops_call_new(&call, c, "answer");
    llmops_call_set_input(call, input, SIZE_MAX);
    cr_assert_eq(llmops_call_run(call), LLMOPS_OK, "%s", llmops_call_error(call));
    cr_assert_eq(ran, 1, "only the valid, permitted call ran");
    cr_assert_eq(llmops_call_tool_count(call), 3);
    llmops_tool_record r = LLMOPS_TOOL_RECORD_INIT;
    llmops_call_tool(call, 0, &r);
    cr_assert_str_eq(r.name, "lookup_order");
    cr_assert_eq(r.status, LLMOPS_OK);
    cr_assert_not_null(strstr(r.result, "shipped"));
    llmops_call_tool(call, 1, &r);
    cr_assert_str_eq(r.name, "refund");
    cr_assert_eq(r.status, LLMOPS_E_BLOCKED);
    llmops_call_tool(call, 2, &r);
    cr_assert_eq(r.status, LLMOPS_E_VALIDATION);
    cr_assert(s.saw_tool_result);
    cr_assert_str_eq(llmops_call_output_text(call, NULL), "{\"answer\":\"It shipped.\"}");
    llmops_call_free(call);
    llmops_client_free(c);
}

Test(call, the_route_falls_back_to_the_next_model)
{
    char overloaded[8];
    snprintf(overloaded, sizeof overloaded, "!%d", (int)LLMOPS_E_OVERLOADED);
    script s = {{overloaded}, 1, 0, 0, {0}, {0}, 0, {0}};
    script b = {{"{\"answer\":\"from backup\"}"}, 1, 0, 0, {0}, {0}, 0, {0}};
    llmops_client *c = open_with(&s, &b);
    llmops_call *call = NULL;
    llmops_call_new(&call, c, "answer");
    llmops_call_set_input(call, input, SIZE_MAX);
    cr_assert_eq(llmops_call_run(call), LLMOPS_OK, "%s", llmops_call_error(call));
    cr_assert_str_eq(b.last_model, "backup-model-2");
    cr_assert_str_eq(llmops_call_model_name(call), "spare", "the model that answered");
    const llmops_response *resp = llmops_call_response(call);
    cr_assert_eq(llmops_response_attempt_count(resp), 2);
    llmops_call_free(call);
    llmops_client_free(c);
}

Test(call, unregistered_host_provider_is_explained)
{
    char path[300];
    snprintf(path, sizeof path, "%s/llmops.yaml", dir);
    llmops_client *c = NULL;
    cr_assert_eq(llmops_client_open(&c, path, NULL), LLMOPS_OK);
    llmops_call *call = NULL;
    llmops_call_new(&call, c, "plain");
    llmops_call_set_input(call, input, SIZE_MAX);
    cr_assert_eq(llmops_call_run(call), LLMOPS_E_NOT_FOUND);
    cr_assert_not_null(strstr(llmops_call_error(call), "register"), "%s",
                       llmops_call_error(call));
    llmops_call_free(call);
    llmops_client_free(c);
}

static int count_deltas(const llmops_delta *d, void *ud)
{
    (void)d;
    (*(int *)ud)++;
    return 0;
}

Test(call, streams_the_first_turn)
{
    script s = {{"{\"answer\":\"streamed\"}"}, 1, 0, 0, {0}, {0}, 0, {0}};
    llmops_client *c = open_with(&s, NULL);
    llmops_call *call = NULL;
    llmops_call_new(&call, c, "answer");
    llmops_call_set_input(call, input, SIZE_MAX);
    int n = 0;
    llmops_call_set_stream(call, count_deltas, &n);
    cr_assert_eq(llmops_call_run(call), LLMOPS_OK, "%s", llmops_call_error(call));
    cr_assert_geq(n, 1);
    llmops_call_free(call);
    llmops_client_free(c);
}

Test(call, traceparent_is_joined_or_refused)
{
    script s = {{0}, 0, 0, 0, {0}, {0}, 0, {0}};
    llmops_client *c = open_with(&s, NULL);
    llmops_call *call = NULL;
    llmops_call_new(&call, c, "answer");
    cr_assert_eq(llmops_call_set_traceparent(call, "00-zz-bad"), LLMOPS_E_INVALID_ARGUMENT);
    cr_assert_eq(llmops_call_set_traceparent(
                     call, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
                 LLMOPS_OK);
    llmops_call_set_input(call, input, SIZE_MAX);
    llmops_call_run(call);
    cr_assert_str_eq(llmops_call_trace_id(call), "4bf92f3577b34da6a3ce929d0e0e4736");
    cr_assert_neq(strcmp(llmops_call_span_id(call), "00f067aa0ba902b7"), 0);
    llmops_call_free(call);
    llmops_client_free(c);
}

Test(call, fingerprints_follow_what_decides_behaviour_and_reload_is_atomic)
{
    script s = {{0}, 0, 0, 0, {0}, {0}, 0, {0}};
    llmops_client *c = open_with(&s, NULL);
    char a[65], b[65];
    char *parts = NULL;
    cr_assert_eq(llmops_client_task_fingerprint(c, "answer", a, &parts, NULL), LLMOPS_OK);
    cr_assert_not_null(strstr(parts, "host-model-1"));
    cr_assert_not_null(strstr(parts, "lookup_order"));
    llmops_free(parts);
    cr_assert_eq(llmops_client_task_fingerprint(c, "nope", b, NULL, NULL), LLMOPS_E_NOT_FOUND);

    /* A broken reload changes nothing. */
    char *errors = NULL;
    cr_assert_neq(llmops_client_reload(c, "version: 1\ntasks: [", SIZE_MAX, &errors), LLMOPS_OK);
    cr_assert_not_null(errors);
    llmops_free(errors);
    cr_assert_eq(llmops_client_task_fingerprint(c, "answer", b, NULL, NULL), LLMOPS_OK);
    cr_assert_str_eq(a, b);

    /* A prompt change moves the fingerprint after a reload. */
    write_file("prompts/support.prompt",
               "---\ninput_schema: {type: object, required: [question]}\n---\n[system]\n"
               "You help customers of {{product}}, politely.\n[user]\n{{question}}\n");
    cr_assert_eq(llmops_client_reload(c, NULL, 0, &errors), LLMOPS_OK, "%s",
                 errors ? errors : "");
    cr_assert_eq(llmops_client_task_fingerprint(c, "answer", b, NULL, NULL), LLMOPS_OK);
    cr_assert_str_neq(a, b);
    llmops_client_free(c);
}

Test(call, broken_configurations_are_explained_with_positions)
{
    write_file("bad.yaml", "version: 1\nmodels:\n  m: {provider: nowhere, id: x}\n");
    char path[300];
    snprintf(path, sizeof path, "%s/bad.yaml", dir);
    llmops_client *c = NULL;
    char *errors = NULL;
    cr_assert_eq(llmops_client_open(&c, path, &errors), LLMOPS_E_CONFIG);
    cr_assert_null(c);
    cr_assert_not_null(strstr(errors, "bad.yaml:3:"), "%s", errors);
    cr_assert_not_null(strstr(errors, "nowhere"), "%s", errors);
    llmops_free(errors);

    write_file("bad2.yaml", "version: 1\nproviders: {h: {type: custom}}\nmodels: {m: {provider: "
                            "h, id: x}}\ntasks: {t: {prompt: missing@production, model: m}}\n");
    snprintf(path, sizeof path, "%s/bad2.yaml", dir);
    cr_assert_neq(llmops_config_check(path, &errors), LLMOPS_OK);
    cr_assert_not_null(strstr(errors, "missing"), "%s", errors);
    llmops_free(errors);
}

Test(call, direct_generate_on_a_named_model)
{
    script s = {{"hello"}, 1, 0, 0, {0}, {0}, 0, {0}};
    llmops_client *c = open_with(&s, NULL);
    llmops_request *r = NULL;
    llmops_request_new(&r);
    llmops_request_add_message(r, LLMOPS_ROLE_USER, "hi", SIZE_MAX);
    llmops_response *resp = NULL;
    llmops_response_new(&resp);
    cr_assert_eq(llmops_client_generate(c, "main", r, resp, NULL, NULL), LLMOPS_OK, "%s",
                 llmops_response_error(resp));
    cr_assert_str_eq(llmops_response_text(resp, NULL), "hello");
    cr_assert_str_eq(s.last_model, "host-model-1");
    cr_assert_eq(llmops_client_generate(c, "nope", r, resp, NULL, NULL), LLMOPS_E_NOT_FOUND);
    llmops_response_free(resp);
    llmops_request_free(r);
    llmops_client_free(c);
}

Test(call, cost_from_the_price_table_and_metrics)
{
    script s = {{"{\"answer\":\"a\"}", "{\"answer\":\"b\"}"}, 2, 0, 0, {0}, {0}, 0, {0}};
    llmops_client *c = open_with(&s, NULL);
    llmops_call *call = NULL;
    llmops_call_new(&call, c, "answer");
    llmops_call_set_input(call, input, SIZE_MAX);
    cr_assert_eq(llmops_call_run(call), LLMOPS_OK, "%s", llmops_call_error(call));
    double usd = -1;
    cr_assert_eq(llmops_call_cost(call, &usd), LLMOPS_E_NOT_FOUND, "no table: unpriced, not $0");

    write_file("prices.json", "{\"host-model-1\": {\"input_cost_per_token\": 0.000001, "
                              "\"output_cost_per_token\": 0.000002, \"litellm_provider\": "
                              "\"custom\"}}");
    char path[300];
    snprintf(path, sizeof path, "%s/prices.json", dir);
    char *why = NULL;
    cr_assert_eq(llmops_client_load_prices(c, "/nonexistent/prices.json", &why), LLMOPS_E_IO);
    cr_assert_not_null(strstr(why, "/nonexistent/prices.json"), "%s", why);
    llmops_free(why);
    cr_assert_eq(llmops_client_load_prices(c, path, &why), LLMOPS_OK, "%s", why ? why : "");
    cr_assert_eq(llmops_call_run(call), LLMOPS_OK, "%s", llmops_call_error(call));
    cr_assert_eq(llmops_call_cost(call, &usd), LLMOPS_OK);
    cr_assert_float_eq(usd, 10 * 0.000001 + 4 * 0.000002, 1e-12);

    char *prom = NULL;
    cr_assert_eq(llmops_client_metrics_prometheus(c, &prom), LLMOPS_OK);
    cr_assert_not_null(strstr(prom, "llmops_requests_total"), "%s", prom);
    cr_assert_not_null(strstr(prom, "task=\"answer\""), "%s", prom);
    cr_assert_not_null(strstr(prom, "llmops_cost_usd_total"), "%s", prom);
    llmops_free(prom);
    llmops_call_free(call);
    llmops_client_free(c);
}

typedef struct spans {
    int started, ended;
    char names[16][64];
    char parents[16][17];
    char ids[16][17];
    char traces[16][33];
    char root_json[4096];
    int content_leaked;
} spans;

static void on_start(const llmops_span_info *s, void *ud)
{
    spans *c = ud;
    cr_assert_null(s->json);
    c->started++;
}

static void on_end(const llmops_span_info *s, void *ud)
{
    spans *c = ud;
    if (c->ended < 16) {
        snprintf(c->names[c->ended], 64, "%s", s->name);
        snprintf(c->parents[c->ended], 17, "%s", s->parent_span_id);
        snprintf(c->ids[c->ended], 17, "%s", s->span_id);
        snprintf(c->traces[c->ended], 33, "%s", s->trace_id);
    }
    if (strstr(s->json, "It reboots") || strstr(s->json, "Acme Router"))
        c->content_leaked = 1;
    if (strncmp(s->name, "llmops.call", 11) == 0)
        snprintf(c->root_json, sizeof c->root_json, "%s", s->json);
    c->ended++;
}

Test(call, span_tree_for_a_tool_loop)
{
    script s = {{"tool:lookup_order:{\"id\":\"A1\"}", "{\"answer\":\"It shipped.\"}"}, 2, 0, 0,
                {0}, {0}, 0, {0}};
    llmops_client *c = open_with(&s, NULL);
    int ran = 0;
    llmops_client_register_tool(c, "lookup_order", lookup, &ran);
    spans got;
    memset(&got, 0, sizeof got);
    cr_assert_eq(llmops_client_set_span_hooks(c, on_start, on_end, &got), LLMOPS_OK);
    llmops_call *call = NULL;
    llmops_call_new(&call, c, "answer");
    llmops_call_set_input(call, input, SIZE_MAX);
    llmops_call_set_traceparent(call, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    cr_assert_eq(llmops_call_run(call), LLMOPS_OK, "%s", llmops_call_error(call));
    /* turn 1 (asks for the tool), the tool, turn 2, then the root. */
    cr_assert_eq(got.ended, 4);
    cr_assert_eq(got.started, 4);
    cr_assert_str_eq(got.names[0], "chat host-model-1");
    cr_assert_str_eq(got.names[1], "tool lookup_order");
    cr_assert_str_eq(got.names[2], "chat host-model-1");
    cr_assert_str_eq(got.names[3], "llmops.call answer");
    const char *root = got.ids[3];
    cr_assert_str_eq(root, llmops_call_span_id(call));
    cr_assert_str_eq(got.parents[3], "00f067aa0ba902b7", "the root joins the incoming parent");
    for (int i = 0; i < 4; i++) {
        cr_assert_str_eq(got.traces[i], "4bf92f3577b34da6a3ce929d0e0e4736");
        if (i < 3)
            cr_assert_str_eq(got.parents[i], root);
    }
    cr_assert_not_null(strstr(got.root_json, llmops_call_prompt_version(call)));
    cr_assert_not_null(strstr(got.root_json, llmops_call_task_fingerprint(call)));
    cr_assert_not_null(strstr(got.root_json, "\"gen_ai.usage.input_tokens\":20"), "%s",
                       got.root_json);
    cr_assert_eq(got.content_leaked, 0, "no message content in spans");
    llmops_call_free(call);
    llmops_client_free(c);
}
