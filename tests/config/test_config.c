/* A complete, valid llmops.yaml into the typed structs: every field,
 * defaults, lookups and relative path resolution. */
#include <criterion/criterion.h>

#include <limits.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "llmops_config.h"

#define FIXTURES LLMOPS_SOURCE_ROOT "/tests/config/fixtures"

static void setup(void)
{
    if (!LLMOPS_HAVE_YAML)
        cr_skip_test("built without libyaml");
}

TestSuite(config, .init = setup);

static llmops__config *load_full(void)
{
    llmops__config *c = NULL;
    llmops__buf err = LLMOPS__BUF_INIT;
    llmops_status st = llmops__config_load(FIXTURES "/full.yaml", &c, &err);
    cr_assert_eq(st, LLMOPS_OK, "status %d:\n%s", st, err.data ? err.data : "");
    cr_assert_eq(err.len, 0);
    llmops__buf_free(&err);
    return c;
}

static llmops__config *parse_ok(const char *yaml)
{
    llmops__config *c = NULL;
    llmops__buf err = LLMOPS__BUF_INIT;
    llmops_status st = llmops__config_parse(yaml, strlen(yaml), NULL, &c, &err);
    cr_assert_eq(st, LLMOPS_OK, "status %d:\n%s", st, err.data ? err.data : "");
    llmops__buf_free(&err);
    return c;
}

Test(config, full_file_providers)
{
    llmops__config *c = load_full();
    cr_expect_str_eq(c->path, FIXTURES "/full.yaml");
    cr_expect_eq(c->version, 1);
    cr_assert_eq(c->n_providers, 6);

    const llmops__cfg_provider *p = llmops__config_provider(c, "openai");
    cr_assert_not_null(p);
    cr_expect_eq(p, &c->providers[0]);
    cr_expect_eq(p->type, LLMOPS__CFG_OPENAI);
    cr_expect_str_eq(p->type_name, "openai");
    cr_expect_str_eq(p->base_url, "https://api.openai.com/v1");
    cr_expect_str_eq(p->api_key_env, "OPENAI_API_KEY");
    cr_expect_null(p->api_version);
    cr_expect_eq(p->azure, 0);
    cr_expect_null(p->ca_bundle);
    cr_assert_eq(p->n_headers, 2);
    cr_expect_str_eq(p->headers[0], "OpenAI-Organization: org-demo");
    cr_expect_str_eq(p->headers[1], "X-Trace: on");
    cr_expect_null(p->headers[2]);
    cr_expect(p->has_connect_ms && p->connect_ms == 2000);
    cr_expect(p->has_first_byte_ms && p->first_byte_ms == 30000);
    cr_expect(p->has_total_ms && p->total_ms == 120000);
    cr_expect(p->has_idle_ms && p->idle_ms == 15000);
    cr_expect(p->has_max_request_bytes && p->max_request_bytes == 1048576);
    cr_expect(p->has_max_response_bytes && p->max_response_bytes == 8388608);
    cr_expect_str_eq(p->record_to, FIXTURES "/cassettes/recorded");
    cr_expect_null(p->dir);
    cr_expect_eq(p->pos.line, 5);
    cr_expect_eq(p->pos.column, 3);

    p = llmops__config_provider(c, "azure");
    cr_assert_not_null(p);
    cr_expect_eq(p->azure, 1);
    /* A plain 2024-10-21 is a string in the YAML 1.2 core schema. */
    cr_expect_str_eq(p->api_version, "2024-10-21");
    cr_expect_str_eq(p->ca_bundle, "/etc/ssl/certs/ca-certificates.crt");
    cr_expect_null(p->headers);
    cr_expect_eq(p->n_headers, 0);
    cr_expect_eq(p->has_connect_ms, 0);
    cr_expect_eq(p->has_max_request_bytes, 0);

    p = llmops__config_provider(c, "claude");
    cr_expect(p && p->type == LLMOPS__CFG_ANTHROPIC && strcmp(p->api_version, "2023-06-01") == 0);
    cr_expect_null(p->base_url);
    p = llmops__config_provider(c, "local");
    cr_expect(p && p->type == LLMOPS__CFG_OLLAMA && p->api_key_env == NULL);
    p = llmops__config_provider(c, "offline");
    cr_assert_not_null(p);
    cr_expect_eq(p->type, LLMOPS__CFG_REPLAY);
    cr_expect_str_eq(p->dir, FIXTURES "/cassettes");
    cr_expect_eq(p->timing, 1);
    p = llmops__config_provider(c, "mine");
    cr_expect(p && p->type == LLMOPS__CFG_CUSTOM && strcmp(p->type_name, "custom") == 0);
    cr_expect_null(llmops__config_provider(c, "nope"));
    cr_expect_null(llmops__config_provider(c, NULL));
    llmops__config_free(c);
}

Test(config, full_file_models_tools_prompts)
{
    llmops__config *c = load_full();
    cr_assert_eq(c->n_models, 3);
    const llmops__cfg_model *m = llmops__config_model(c, "fast");
    cr_assert_not_null(m);
    cr_expect_str_eq(m->provider, "openai");
    cr_expect_eq(m->provider_ref, llmops__config_provider(c, "openai"));
    cr_expect_str_eq(m->id, "gpt-4o-mini-2024-07-18");
    cr_expect(m->params.has_temperature && m->params.temperature == 0.2);
    cr_expect(m->params.has_top_p && m->params.top_p == 0.9);
    cr_expect(m->params.has_max_output_tokens && m->params.max_output_tokens == 512);
    cr_expect(m->params.has_seed && m->params.seed == 7);
    cr_assert(m->params.has_stop);
    cr_assert_eq(m->params.n_stop, 2);
    cr_expect_str_eq(m->params.stop[0], "\n\n");
    cr_expect_str_eq(m->params.stop[1], "END");
    m = llmops__config_model(c, "smart");
    cr_assert_not_null(m);
    cr_expect_eq(m->params.has_temperature + m->params.has_top_p + m->params.has_seed +
                     m->params.has_stop + m->params.has_max_output_tokens,
                 0);
    cr_expect_eq(llmops__config_model(c, "replayed")->provider_ref,
                 llmops__config_provider(c, "offline"));

    cr_assert_eq(c->n_tools, 2);
    const llmops__cfg_tool *t = llmops__config_tool(c, "lookup_order");
    cr_assert_not_null(t);
    cr_expect_str_eq(t->description, "Find an order by its id.");
    cr_assert_not_null(t->parameters);
    char *schema = NULL;
    cr_assert_eq(llmops_json_write(&schema, NULL, t->parameters, LLMOPS_JSON_WRITE_COMPACT),
                 LLMOPS_OK);
    cr_expect_str_eq(schema,
                     "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"string\"}},"
                     "\"required\":[\"id\"]}");
    llmops_free(schema);
    t = llmops__config_tool(c, "refund");
    cr_expect(t && t->parameters == NULL);

    cr_expect_str_eq(c->prompts_dir, FIXTURES "/prompts");
    cr_expect_str_eq(c->prompts_lock, FIXTURES "/locks/prompts.lock");
    cr_expect_str_eq(c->base_dir, FIXTURES);

    cr_assert_not_null(c->policies);
    cr_expect(llmops_json_is_true(llmops_json_get(llmops_json_get(c->policies, "pii"), "redact")));
    cr_expect_str_eq(llmops_json_string(llmops_json_get(c->tracing, "exporter"), NULL), "otlp");
    cr_expect_eq(llmops_json_type_of(c->evals), LLMOPS_JSON_OBJECT);
    cr_expect_eq(llmops_json_size(c->evals), 0);
    llmops__config_free(c);
}

Test(config, full_file_tasks)
{
    llmops__config *c = load_full();
    cr_assert_eq(c->n_tasks, 3);
    const llmops__cfg_task *t = llmops__config_task(c, "answer");
    cr_assert_not_null(t);
    cr_expect_str_eq(t->description, "Answer a support question.");
    cr_expect_str_eq(t->prompt, "support-answer@production");
    cr_expect_str_eq(t->prompt_name, "support-answer");
    cr_expect_str_eq(t->prompt_label, "production");
    cr_expect_null(t->prompt_version);
    cr_expect_str_eq(t->model, "fast");
    cr_expect_eq(t->model_ref, llmops__config_model(c, "fast"));
    cr_expect(t->params.has_temperature && t->params.temperature == 0);
    cr_expect(t->params.has_stop && t->params.n_stop == 1 &&
              strcmp(t->params.stop[0], "DONE") == 0);
    cr_expect_eq(t->params.has_top_p, 0);
    cr_expect_str_eq(llmops_json_string(llmops_json_get(t->input_schema, "type"), NULL), "object");
    cr_assert(t->has_output);
    cr_expect_eq(t->output.json, 1);
    cr_expect_not_null(llmops_json_get(t->output.schema, "required"));
    cr_expect_eq(t->output.extract_json, 1);
    cr_expect(t->output.has_max_length && t->output.max_length == 4000);
    cr_assert_eq(t->output.n_required, 1);
    cr_expect_str_eq(t->output.required[0], "\"answer\"");
    cr_assert_eq(t->output.n_forbidden, 1);
    cr_expect_str_eq(t->output.forbidden[0], "(?i)as an ai");
    cr_expect_eq(t->reask, 2);
    cr_assert_eq(t->n_tools, 2);
    cr_expect_str_eq(t->tools[1], "refund");
    cr_expect_eq(t->tool_refs[0], llmops__config_tool(c, "lookup_order"));
    cr_expect_eq(t->tool_refs[1], llmops__config_tool(c, "refund"));
    cr_expect_eq(t->max_tool_steps, 4);
    cr_assert_eq(t->n_fallbacks, 2);
    cr_expect_str_eq(t->fallbacks[0], "smart");
    cr_expect_eq(t->fallback_refs[1], llmops__config_model(c, "replayed"));
    cr_expect(t->retry.has_max_attempts && t->retry.max_attempts == 3);
    cr_expect(t->retry.has_base_delay_ms && t->retry.base_delay_ms == 100);
    cr_expect(t->retry.has_max_delay_ms && t->retry.max_delay_ms == 2000);
    cr_expect(t->retry.has_breaker_threshold && t->retry.breaker_threshold == 5);
    cr_expect(t->retry.has_breaker_cooldown_ms && t->retry.breaker_cooldown_ms == 30000);
    cr_expect(t->has_deadline_ms && t->deadline_ms == 60000);
    cr_expect_eq(t->pos.line, 65);
    cr_expect_eq(t->pos.column, 3);

    t = llmops__config_task(c, "pinned");
    cr_assert_not_null(t);
    cr_expect_str_eq(t->prompt_name, "support-answer");
    cr_expect_str_eq(t->prompt_version, "3f2a9c1d");
    cr_expect_null(t->prompt_label);

    /* Defaults. */
    t = llmops__config_task(c, "plain");
    cr_assert_not_null(t);
    cr_expect_str_eq(t->prompt_name, "greeting");
    cr_expect(t->prompt_label == NULL && t->prompt_version == NULL);
    cr_expect(t->model == NULL && t->model_ref == NULL && t->description == NULL);
    cr_expect_null(t->input_schema);
    cr_expect_eq(t->has_output, 0);
    cr_expect_eq(t->output.json, 0);
    cr_expect_eq(t->reask, 1);
    cr_expect_eq(t->n_tools, 0);
    cr_expect_eq(t->max_tool_steps, 8);
    cr_expect_eq(t->n_fallbacks, 0);
    cr_expect_eq(t->retry.has_max_attempts, 0);
    cr_expect_eq(t->has_deadline_ms, 0);
    cr_expect_null(llmops__config_task(c, "answer "));
    llmops__config_free(c);
}

Test(config, minimal_file_and_defaults)
{
    char cwd[PATH_MAX];
    cr_assert_not_null(getcwd(cwd, sizeof cwd));
    llmops__config *c = parse_ok("version: 1\n");
    cr_expect_str_eq(c->path, "<string>");
    cr_expect_str_eq(c->base_dir, cwd);
    cr_expect_eq(c->n_providers + c->n_models + c->n_tools + c->n_tasks, 0);
    char want[PATH_MAX + 32];
    snprintf(want, sizeof want, "%s/prompts", cwd);
    cr_expect_str_eq(c->prompts_dir, want);
    snprintf(want, sizeof want, "%s/prompts/prompts.lock", cwd);
    cr_expect_str_eq(c->prompts_lock, want);
    cr_expect(c->policies == NULL && c->tracing == NULL && c->evals == NULL);
    cr_expect_null(llmops__config_task(c, "x"));
    llmops__config_free(c);

    /* Empty sections written as bare keys are empty. */
    c = parse_ok("version: 1\nproviders:\nmodels: {}\ntasks:\n");
    cr_expect_eq(c->n_providers + c->n_models + c->n_tasks, 0);
    llmops__config_free(c);
}

Test(config, relative_paths)
{
    const char *yaml = "version: 1\nprompts: {dir: ./p/q}\n"
                       "providers:\n  r: {type: replay, dir: ../tapes, record_to: /abs/rec}\n";
    llmops__config *c = NULL;
    cr_assert_eq(llmops__config_parse_in(yaml, strlen(yaml), "inline", "/srv/app", &c, NULL),
                 LLMOPS_OK);
    cr_expect_str_eq(c->path, "inline");
    cr_expect_str_eq(c->prompts_dir, "/srv/app/p/q");
    cr_expect_str_eq(c->prompts_lock, "/srv/app/p/q/prompts.lock");
    cr_expect_str_eq(c->providers[0].dir, "/srv/app/../tapes");
    cr_expect_str_eq(c->providers[0].record_to, "/abs/rec");
    llmops__config_free(c);

    /* A path names its own folder; a relative one is taken from the current
     * directory at load time. */
    char cwd[PATH_MAX];
    cr_assert_not_null(getcwd(cwd, sizeof cwd));
    cr_assert_eq(llmops__config_parse(yaml, strlen(yaml), "conf/llmops.yaml", &c, NULL),
                 LLMOPS_OK);
    char want[PATH_MAX + 64];
    snprintf(want, sizeof want, "%s/conf/p/q", cwd);
    cr_expect_str_eq(c->prompts_dir, want);
    llmops__config_free(c);
    cr_assert_eq(llmops__config_parse(yaml, strlen(yaml), "/etc/llmops.yaml", &c, NULL),
                 LLMOPS_OK);
    cr_expect_str_eq(c->prompts_dir, "/etc/p/q");
    cr_expect_str_eq(c->base_dir, "/etc");
    llmops__config_free(c);
    cr_assert_eq(llmops__config_parse(yaml, strlen(yaml), "/llmops.yaml", &c, NULL), LLMOPS_OK);
    cr_expect_str_eq(c->prompts_dir, "/p/q");
    llmops__config_free(c);

    /* The lock defaults to the prompt folder even when it is moved. */
    const char *lock = "version: 1\nprompts: {lock: all.lock}\n";
    cr_assert_eq(llmops__config_parse_in(lock, strlen(lock), NULL, "/x", &c, NULL), LLMOPS_OK);
    cr_expect_str_eq(c->prompts_dir, "/x/prompts");
    cr_expect_str_eq(c->prompts_lock, "/x/all.lock");
    llmops__config_free(c);
}

Test(config, prompt_references)
{
    llmops__config *c = parse_ok(
        "version: 1\ntasks:\n"
        "  a: {prompt: name}\n"
        "  b: {prompt: name@canary}\n"
        "  c: {prompt: name@0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef}\n"
        "  d: {prompt: my.prompt_v2@v1.2-rc}\n"
        "  e: {prompt: n@abc}\n");
    cr_expect_str_eq(llmops__config_task(c, "b")->prompt_label, "canary");
    cr_expect_eq(strlen(llmops__config_task(c, "c")->prompt_version), 64);
    cr_expect_str_eq(llmops__config_task(c, "d")->prompt_name, "my.prompt_v2");
    cr_expect_str_eq(llmops__config_task(c, "d")->prompt_label, "v1.2-rc");
    /* Fewer than 8 hex digits is a label, as in the registry. */
    cr_expect_str_eq(llmops__config_task(c, "e")->prompt_label, "abc");
    llmops__config_free(c);
}

Test(config, single_string_lists_and_lookups_at_scale)
{
    llmops__buf b = LLMOPS__BUF_INIT;
    llmops__buf_puts(&b, "version: 1\nproviders: {p: {type: custom}}\nmodels:\n");
    for (int i = 0; i < 2000; i++)
        llmops__buf_printf(&b, "  m%d: {provider: p, id: id-%d}\n", i, i);
    llmops__buf_puts(&b, "tasks:\n");
    for (int i = 0; i < 2000; i++)
        llmops__buf_printf(&b, "  t%d: {prompt: p%d, model: m%d, route: {fallbacks: m%d}}\n", i,
                           i, i, (i + 1) % 2000);
    llmops__config *c = NULL;
    llmops__buf err = LLMOPS__BUF_INIT;
    cr_assert_eq(llmops__config_parse(b.data, b.len, NULL, &c, &err), LLMOPS_OK, "%s", err.data);
    cr_assert_eq(c->n_models, 2000);
    cr_assert_eq(c->n_tasks, 2000);
    for (int i = 0; i < 2000; i += 97) {
        char name[16];
        snprintf(name, sizeof name, "t%d", i);
        const llmops__cfg_task *t = llmops__config_task(c, name);
        cr_assert_not_null(t);
        cr_expect_str_eq(t->name, name);
        snprintf(name, sizeof name, "m%d", (i + 1) % 2000);
        cr_expect_eq(t->n_fallbacks, 1);
        cr_expect_eq(t->fallback_refs[0], llmops__config_model(c, name));
    }
    llmops__config_free(c);
    llmops__buf_free(&err);
    llmops__buf_free(&b);
}

Test(config, load_reports_missing_file)
{
    llmops__config *c = (llmops__config *)1;
    llmops__buf err = LLMOPS__BUF_INIT;
    cr_expect_eq(llmops__config_load(FIXTURES "/does-not-exist.yaml", &c, &err), LLMOPS_E_IO);
    cr_expect_null(c);
    cr_expect_str_eq(err.data, FIXTURES "/does-not-exist.yaml: cannot open: No such file or "
                               "directory\n");
    llmops__buf_free(&err);
    llmops__buf_clear(&err);
    cr_expect_eq(llmops__config_load(FIXTURES, &c, &err), LLMOPS_E_IO);
    cr_expect_str_eq(err.data, FIXTURES ": cannot read: Is a directory\n");
    llmops__buf_free(&err);
    cr_expect_eq(llmops__config_load(NULL, &c, NULL), LLMOPS_E_INVALID_ARGUMENT);
    cr_expect_eq(llmops__config_parse("x", 1, NULL, NULL, NULL), LLMOPS_E_INVALID_ARGUMENT);
}

Test(config, provider_and_retry_options)
{
    llmops__config *c = load_full();
    llmops_provider_options o;
    llmops__cfg_provider_options(llmops__config_provider(c, "openai"), &o);
    cr_expect_eq(o.version, LLMOPS_PROVIDER_OPTIONS_VERSION);
    cr_expect_str_eq(o.base_url, "https://api.openai.com/v1");
    cr_expect_str_eq(o.api_key_env, "OPENAI_API_KEY");
    cr_expect_str_eq(o.headers[0], "OpenAI-Organization: org-demo");
    cr_expect_null(o.headers[2]);
    cr_expect_eq(o.connect_timeout_ms, 2000);
    cr_expect_eq(o.first_byte_timeout_ms, 30000);
    cr_expect_eq(o.total_timeout_ms, 120000);
    cr_expect_eq(o.idle_timeout_ms, 15000);
    cr_expect_eq(o.max_request_bytes, 1048576);
    cr_expect_eq(o.max_response_bytes, 8388608);
    cr_expect(o.key_fn == NULL && o.default_model == NULL);
    llmops__cfg_provider_options(llmops__config_provider(c, "azure"), &o);
    cr_expect(o.azure == 1 && strcmp(o.api_version, "2024-10-21") == 0);
    cr_expect_str_eq(o.ca_bundle, "/etc/ssl/certs/ca-certificates.crt");
    cr_expect(o.headers == NULL && o.connect_timeout_ms == 0 && o.max_request_bytes == 0);

    llmops_retry_options r;
    llmops__cfg_retry_options(llmops__config_task(c, "answer"), &r);
    cr_expect_eq(r.version, LLMOPS_RETRY_OPTIONS_VERSION);
    cr_expect(r.max_attempts == 3 && r.base_delay_ms == 100 && r.max_delay_ms == 2000);
    cr_expect(r.breaker_threshold == 5 && r.breaker_cooldown_ms == 30000);
    cr_expect_eq(r.deadline_ms, 60000);
    llmops__cfg_retry_options(llmops__config_task(c, "plain"), &r);
    cr_expect(r.max_attempts == 0 && r.base_delay_ms == 0 && r.max_delay_ms == 0 &&
              r.breaker_threshold == 0 && r.breaker_cooldown_ms == 0 && r.deadline_ms == 0);
    llmops__config_free(c);
}

Test(config, entries_without_a_value_are_empty)
{
    llmops__config *c = parse_ok("version: 1\ntools:\n  refund:\n  other: {}\n");
    cr_assert_eq(c->n_tools, 2);
    const llmops__cfg_tool *t = llmops__config_tool(c, "refund");
    cr_assert_not_null(t);
    cr_expect(t->description == NULL && t->parameters == NULL);
    cr_expect(t->pos.line == 3 && t->pos.column == 3);
    llmops__config_free(c);
}
