/* Every class of configuration error, each with its exact
 * FILE:LINE:COLUMN, key path and message; several errors together, sorted;
 * suggestions; refusal of secrets written in the file. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <string.h>

#include "config/config.h"
#include "llmops_config.h"

static void setup(void)
{
    if (!LLMOPS_HAVE_YAML)
        cr_skip_test("built without libyaml");
}

TestSuite(config_errors, .init = setup);

/* Parses `yaml` as the file "llmops.yaml" and expects `st` with exactly
 * the message text `want`. */
static void expect(const char *yaml, llmops_status st, const char *want)
{
    llmops__config *c = (llmops__config *)1;
    llmops__buf err = LLMOPS__BUF_INIT;
    llmops_status got = llmops__config_parse_in(yaml, strlen(yaml), "llmops.yaml", "/cfg", &c,
                                                &err);
    cr_expect_eq(got, st, "status %d, want %d\n%s\ninput:\n%s", got, st,
                 err.data ? err.data : "", yaml);
    cr_expect_null(c);
    cr_expect_str_eq(err.data ? err.data : "", want, "input:\n%s\ngot:\n%s\nwant:\n%s", yaml,
                     err.data ? err.data : "", want);
    llmops__buf_free(&err);
}

static void expect_config(const char *yaml, const char *want)
{
    expect(yaml, LLMOPS_E_CONFIG, want);
}

Test(config_errors, broken_yaml_is_a_parse_error_with_file_and_place)
{
    expect("version: 1\nproviders:\n  a: [1, 2\n", LLMOPS_E_PARSE,
           "llmops.yaml:4:1: did not find expected ',' or ']' (while parsing a flow sequence at "
           "3:6)\n");
    expect("version: 1\nversion: 1\n", LLMOPS_E_PARSE,
           "llmops.yaml:2:1: duplicate key 'version' (first defined at 1:1)\n");
    expect("a: &a [x, x, x, x, x, x, x, x, x, x]\n"
           "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
           "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
           "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
           "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
           "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n",
           LLMOPS_E_LIMIT,
           "llmops.yaml:6:36: the document expands to more than 1000000 nodes (aliases "
           "included)\n");
}

Test(config_errors, top_level)
{
    expect_config("", "llmops.yaml:1:1: (top level): the file is empty; it needs at least "
                      "'version: 1'\n");
    expect_config("- 1\n", "llmops.yaml:1:1: (top level): expected a mapping, got a list\n");
    expect_config("providers: {}\n",
                  "llmops.yaml:1:1: version: required key is missing\n");
    expect_config("version:\n", "llmops.yaml:1:9: version: required key has no value\n");
    expect_config("version: 2\n",
                  "llmops.yaml:1:10: version: unsupported version 2 (this library reads "
                  "version 1)\n");
    expect_config("version: '1'\n",
                  "llmops.yaml:1:10: version: expected an integer, got a string\n");
    expect_config("version: 1.5\n", "llmops.yaml:1:10: version: expected an integer, got 1.5\n");
    expect_config("version: 1\nproviders: [a]\n",
                  "llmops.yaml:2:12: providers: expected a mapping, got a list\n");
    expect_config("version: 1\npolicies: 3\n",
                  "llmops.yaml:2:11: policies: expected a mapping, got a number\n");
}

Test(config_errors, unknown_keys_with_suggestions)
{
    expect_config("version: 1\nprovider: {}\n",
                  "llmops.yaml:2:1: provider: unknown key 'provider' (did you mean "
                  "'providers'?)\n");
    expect_config("version: 1\nproviders:\n  oa:\n    type: openai\n    base_ur: https://x\n",
                  "llmops.yaml:5:5: providers.oa.base_ur: unknown key 'base_ur' (did you mean "
                  "'base_url'?)\n");
    expect_config("version: 1\nproviders:\n  oa:\n    type: openai\n    colour: red\n",
                  "llmops.yaml:5:5: providers.oa.colour: unknown key 'colour'\n");
    expect_config("version: 1\nproviders:\n  oa:\n    type: openai\n    timeouts: {conect_ms: 5}\n",
                  "llmops.yaml:5:16: providers.oa.timeouts.conect_ms: unknown key 'conect_ms' "
                  "(did you mean 'connect_ms'?)\n");
    expect_config("version: 1\ntasks:\n  t:\n    prompt: p\n    output: {fromat: json}\n",
                  "llmops.yaml:5:14: tasks.t.output.fromat: unknown key 'fromat' (did you mean "
                  "'format'?)\n");
    expect_config("version: 1\ntasks:\n  t:\n    prompt: p\n    route: {retry: {max_atempts: 2}}\n",
                  "llmops.yaml:5:21: tasks.t.route.retry.max_atempts: unknown key 'max_atempts' "
                  "(did you mean 'max_attempts'?)\n");
    expect_config("version: 1\nmodels:\n  m: {provider: p, id: x, params: {temprature: 1}}\n"
                  "providers: {p: {type: custom}}\n",
                  "llmops.yaml:3:36: models.m.params.temprature: unknown key 'temprature' (did "
                  "you mean 'temperature'?)\n");
    expect_config("version: 1\nprompts: {dirr: x}\n",
                  "llmops.yaml:2:11: prompts.dirr: unknown key 'dirr' (did you mean 'dir'?)\n");
    expect_config("version: 1\ntools:\n  t: {descripton: x}\n",
                  "llmops.yaml:3:7: tools.t.descripton: unknown key 'descripton' (did you mean "
                  "'description'?)\n");
}

Test(config_errors, wrong_types)
{
    expect_config("version: 1\nproviders:\n  p:\n    type: openai\n"
                  "    timeouts: {total_ms: soon}\n",
                  "llmops.yaml:5:26: providers.p.timeouts.total_ms: expected an integer, got a "
                  "string\n");
    expect_config("version: 1\nproviders:\n  p: {type: openai, azure: yes}\n",
                  "llmops.yaml:3:28: providers.p.azure: expected a boolean (true or false), got "
                  "a string\n");
    expect_config("version: 1\nproviders:\n  p: {type: [openai]}\n",
                  "llmops.yaml:3:13: providers.p.type: expected a string, got a list\n");
    expect_config("version: 1\nproviders:\n  p: openai\n",
                  "llmops.yaml:3:6: providers.p: expected a mapping, got a string\n");
    expect_config("version: 1\nproviders: {p: {type: custom}}\n"
                  "models:\n  m: {provider: p, id: x, params: {temperature: hot}}\n",
                  "llmops.yaml:4:49: models.m.params.temperature: expected a number, got a "
                  "string\n");
    expect_config("version: 1\ntasks:\n  t: {prompt: p, tools: [a, 3]}\n",
                  "llmops.yaml:3:29: tasks.t.tools[1]: expected a string, got a number\n");
    expect_config("version: 1\ntasks:\n  t: {prompt: p, input_schema: object}\n",
                  "llmops.yaml:3:32: tasks.t.input_schema: expected a JSON Schema (a mapping, or "
                  "true/false), got a string\n");
    expect_config("version: 1\ntools:\n  t: {parameters: [1]}\n",
                  "llmops.yaml:3:19: tools.t.parameters: expected a mapping, got a list\n");
    expect_config("version: 1\ntasks:\n  t: {prompt: 12}\n",
                  "llmops.yaml:3:15: tasks.t.prompt: expected a string, got a number\n");
}

Test(config_errors, out_of_range)
{
    expect_config("version: 1\nproviders: {p: {type: custom}}\n"
                  "models:\n  m: {provider: p, id: x, params: {temperature: 2.5, top_p: -0.1, "
                  "max_output_tokens: 0}}\n",
                  "llmops.yaml:4:49: models.m.params.temperature: must be between 0 and 2, got "
                  "2.5\n"
                  "llmops.yaml:4:61: models.m.params.top_p: must be between 0 and 1, got -0.1\n"
                  "llmops.yaml:4:86: models.m.params.max_output_tokens: must be between 1 and "
                  "10000000, got 0\n");
    expect_config("version: 1\ntasks:\n  t: {prompt: p, reask: 6, max_tool_steps: 0, "
                  "deadline_ms: -5}\n",
                  "llmops.yaml:3:25: tasks.t.reask: must be between 0 and 5, got 6\n"
                  "llmops.yaml:3:44: tasks.t.max_tool_steps: must be between 1 and 100, got 0\n"
                  "llmops.yaml:3:60: tasks.t.deadline_ms: must be between 1 and 86400000, got "
                  "-5\n");
    expect_config("version: 1\ntasks:\n  t:\n    prompt: p\n    route:\n      retry: "
                  "{base_delay_ms: 500, max_delay_ms: 100, max_attempts: 99}\n",
                  "llmops.yaml:6:49: tasks.t.route.retry.max_delay_ms: must not be below "
                  "base_delay_ms (500)\n"
                  "llmops.yaml:6:68: tasks.t.route.retry.max_attempts: must be between 1 and "
                  "20, got 99\n");
    expect_config("version: 1\nproviders:\n  p: {type: openai, max_request_bytes: 10}\n",
                  "llmops.yaml:3:40: providers.p.max_request_bytes: must be between 1024 and "
                  "4294967296, got 10\n");
    expect_config("version: 1\nproviders: {p: {type: custom}}\n"
                  "models:\n  m: {provider: p, id: x, params: {stop: [a, b, c, d, e, f, g, h, "
                  "i, j, k, l, m, n, o, p, q]}}\n",
                  "llmops.yaml:4:42: models.m.params.stop: at most 16 entries, got 17\n");
    expect_config("version: 1\ntasks:\n  t: {prompt: p, output: {max_length: 0}}\n",
                  "llmops.yaml:3:39: tasks.t.output.max_length: must be between 1 and "
                  "100000000, got 0\n");
}

Test(config_errors, missing_required_keys)
{
    expect_config("version: 1\nproviders:\n  p: {base_url: 'https://x'}\n",
                  "llmops.yaml:3:3: providers.p.type: required key is missing\n");
    expect_config("version: 1\nproviders: {r: {type: replay}}\n",
                  "llmops.yaml:2:13: providers.r.dir: required key is missing\n");
    expect_config("version: 1\nproviders: {p: {type: custom}}\nmodels:\n  m: {provider: p}\n",
                  "llmops.yaml:4:3: models.m.id: required key is missing\n");
    expect_config("version: 1\nproviders:\n  p:\n",
                  "llmops.yaml:3:3: providers.p.type: required key is missing\n");
    expect_config("version: 1\nmodels:\n  m: {id: x}\n",
                  "llmops.yaml:3:3: models.m.provider: required key is missing\n");
    expect_config("version: 1\ntasks:\n  t: {model: m}\n",
                  "llmops.yaml:3:3: tasks.t.prompt: required key is missing\n"
                  "llmops.yaml:3:14: tasks.t.model: unknown model 'm' (none is defined)\n");
}

Test(config_errors, enums_and_formats)
{
    expect_config("version: 1\nproviders:\n  p: {type: opnai}\n",
                  "llmops.yaml:3:13: providers.p.type: unknown provider type 'opnai' (did you "
                  "mean 'openai'?)\n");
    expect_config("version: 1\nproviders:\n  p: {type: bedrock}\n",
                  "llmops.yaml:3:13: providers.p.type: unknown provider type 'bedrock' (one of "
                  "openai, openai-responses, anthropic, gemini, ollama, replay, custom)\n");
    expect_config("version: 1\ntasks:\n  t: {prompt: p, output: {format: yaml}}\n",
                  "llmops.yaml:3:35: tasks.t.output.format: unknown format 'yaml' (text or "
                  "json)\n");
    expect_config("version: 1\ntasks:\n  t: {prompt: p, output: {schema: {type: object}, "
                  "extract_json: true}}\n",
                  "llmops.yaml:3:27: tasks.t.output.schema: needs format: json\n"
                  "llmops.yaml:3:51: tasks.t.output.extract_json: needs format: json\n");
    expect_config("version: 1\nproviders:\n  p: {type: openai, base_url: ftp://x}\n",
                  "llmops.yaml:3:31: providers.p.base_url: expected an http:// or https:// URL "
                  "with a host\n");
    expect_config("version: 1\nproviders:\n  p: {type: openai, api_key_env: MY-KEY}\n",
                  "llmops.yaml:3:34: providers.p.api_key_env: not an environment variable name "
                  "(letters, digits and _, not starting with a digit)\n");
    expect_config("version: 1\nproviders:\n  p:\n    type: openai\n    headers: {'Bad Name': x}\n",
                  "llmops.yaml:5:15: providers.p.headers[\"Bad Name\"]: not a valid HTTP header "
                  "name\n");
}

Test(config_errors, keys_that_do_not_fit_the_type)
{
    expect_config("version: 1\nproviders:\n  r: {type: replay, dir: d, base_url: 'http://x'}\n",
                  "llmops.yaml:3:29: providers.r.base_url: applies only to HTTP providers "
                  "(openai, openai-responses, anthropic, gemini, ollama)\n");
    expect_config("version: 1\nproviders:\n  a: {type: anthropic, azure: true, timing: true}\n",
                  "llmops.yaml:3:24: providers.a.azure: applies only to providers of type "
                  "openai and openai-responses\n"
                  "llmops.yaml:3:37: providers.a.timing: applies only to providers of type "
                  "replay\n");
}

Test(config_errors, names)
{
    expect_config("version: 1\nproviders:\n  'bad name': {type: custom}\n",
                  "llmops.yaml:3:3: providers[\"bad name\"]: a name must be 1 to 128 letters, "
                  "digits and . _ : / - starting with a letter or digit\n");
    expect_config("version: 1\ntools:\n  lookup.order: {}\n",
                  "llmops.yaml:3:3: tools[\"lookup.order\"]: a tool name must be 1 to 64 "
                  "letters, digits, _ and - (what providers accept)\n");
    expect_config("version: 1\ntasks:\n  t: {prompt: Bad@x}\n",
                  "llmops.yaml:3:15: tasks.t.prompt: a prompt name is 1 to 128 of a-z 0-9 . _ - "
                  "starting with a letter or digit\n");
    expect_config("version: 1\ntasks:\n  t: {prompt: 'p@'}\n",
                  "llmops.yaml:3:15: tasks.t.prompt: after '@' comes a label (a-z 0-9 . _ -) or "
                  "a version hash (8 to 64 lowercase hex digits)\n");
    expect_config("version: 1\ntasks:\n  t: {prompt: "
                  "p@0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0}\n",
                  "llmops.yaml:3:15: tasks.t.prompt: a version hash has at most 64 hex digits\n");
}

Test(config_errors, references_that_point_nowhere)
{
    expect_config("version: 1\n"
                  "providers: {openai: {type: openai}}\n"
                  "models:\n"
                  "  fast: {provider: opneai, id: x}\n"
                  "  good: {provider: openai, id: y}\n"
                  "tools: {lookup: {}}\n"
                  "tasks:\n"
                  "  t:\n"
                  "    prompt: p\n"
                  "    model: fsat\n"
                  "    tools: [lookup, lokup, lookup, other]\n"
                  "    route: {fallbacks: [good, gone, good]}\n"
                  "  u: {prompt: p, model: good, route: {fallbacks: good}}\n",
                  "llmops.yaml:4:20: models.fast.provider: unknown provider 'opneai' (did you "
                  "mean 'openai'?)\n"
                  "llmops.yaml:10:12: tasks.t.model: unknown model 'fsat' (did you mean "
                  "'fast'?)\n"
                  "llmops.yaml:11:21: tasks.t.tools[1]: unknown tool 'lokup' (did you mean "
                  "'lookup'?)\n"
                  "llmops.yaml:11:28: tasks.t.tools[2]: tool 'lookup' is listed twice\n"
                  "llmops.yaml:11:36: tasks.t.tools[3]: unknown tool 'other'\n"
                  "llmops.yaml:12:31: tasks.t.route.fallbacks[1]: unknown model 'gone'\n"
                  "llmops.yaml:12:37: tasks.t.route.fallbacks[2]: model 'good' is listed twice\n"
                  "llmops.yaml:13:50: tasks.u.route.fallbacks: the task's own model cannot be "
                  "its fallback\n");
}

Test(config_errors, secrets_are_refused_and_never_echoed)
{
    const char *key = "sk-proj-abcdefghijklmnopqrstuvwxyz0123456789";
    char yaml[1024];
    snprintf(yaml, sizeof yaml,
             "version: 1\n"
             "providers:\n"
             "  oa:\n"
             "    type: openai\n"
             "    api_key: %s\n"
             "    headers:\n"
             "      Authorization: Bearer abcdefghijklmnop\n"
             "      X-Other: %s\n"
             "  g:\n"
             "    type: gemini\n"
             "    token: short\n"
             "    base_url: https://user:pw@example.com/v1\n"
             "    api_key_env: AIzaSyA1234567890abcdefghijklmnopqrstu\n"
             "tracing:\n"
             "  headers: {x: 'Bearer abcdefghijklmnopq'}\n",
             key, key);
    const char *msg = "a secret is written in the file; write the key in an environment variable "
                      "and name it in api_key_env";
    char want[4096];
    snprintf(want, sizeof want,
             "llmops.yaml:5:14: providers.oa.api_key: %s\n"
             "llmops.yaml:7:22: providers.oa.headers.Authorization: %s\n"
             "llmops.yaml:8:16: providers.oa.headers.X-Other: %s\n"
             "llmops.yaml:11:12: providers.g.token: %s\n"
             "llmops.yaml:12:15: providers.g.base_url: %s\n"
             "llmops.yaml:13:18: providers.g.api_key_env: %s\n"
             "llmops.yaml:15:16: tracing.headers.x: %s\n",
             msg, msg, msg, msg, msg, msg, msg);
    expect_config(yaml, want);

    /* A key used as a mapping key is not repeated in the path either. */
    snprintf(yaml, sizeof yaml, "version: 1\nevals: {%s: 1}\n", key);
    llmops__buf err = LLMOPS__BUF_INIT;
    llmops__config *c = NULL;
    cr_expect_eq(llmops__config_parse(yaml, strlen(yaml), NULL, &c, &err), LLMOPS_E_CONFIG);
    cr_expect(err.data && strstr(err.data, "sk-proj") == NULL, "%s", err.data);
    snprintf(want, sizeof want, "<string>:2:9: evals[\"<redacted>\"]: %s\n", msg);
    cr_expect_str_eq(err.data, want);
    llmops__buf_free(&err);
    /* Also where keys are checked against the known ones. */
    snprintf(yaml, sizeof yaml, "version: 1\nproviders:\n  p: {type: custom, %s: 1}\n", key);
    snprintf(want, sizeof want, "llmops.yaml:3:21: providers.p[\"<redacted>\"]: %s\n", msg);
    expect_config(yaml, want);
}

Test(config_errors, looks_like_secret)
{
    static const char *const yes[] = {
        "sk-abcdefghijklmnopqrstuvwxyz", "sk-ant-api03-abcdefghijklmnopqrstuv",
        "AIzaSyA1234567890abcdefghijklmnopqr", "gsk_abcdefghijklmnopqrstuvwx",
        "Bearer abcdefgh12345", "bearer eyJhbGciOi.eyJzdWIi.sig", "Basic dXNlcjpwYXNzd29yZA==",
        "ghp_abcdefghijklmnopqrstuvwxyz0123456789", "hf_abcdefghijklmnopqrstuvwxyz",
    };
    static const char *const no[] = {
        "sk-", "sk-1", "hello", "Bearer", "Bearer token", "sk- this is prose about keys",
        "OPENAI_API_KEY", "https://api.openai.com/v1", "AIza", "skeleton key words here",
    };
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        cr_expect(llmops__config_looks_like_secret(yes[i], strlen(yes[i])), "%s", yes[i]);
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        cr_expect(!llmops__config_looks_like_secret(no[i], strlen(no[i])), "%s", no[i]);
}

Test(config_errors, many_errors_together_sorted_by_place)
{
    expect_config("version: 3\n"
                  "providers:\n"
                  "  p: {type: openai, base_ur: x}\n"
                  "  q: {type: custom}\n"
                  "models:\n"
                  "  m: {provider: nope, id: 5}\n"
                  "tasks:\n"
                  "  t: {prompt: p, reask: -1, tools: [x]}\n"
                  "extra: true\n",
                  "llmops.yaml:1:10: version: unsupported version 3 (this library reads version "
                  "1)\n"
                  "llmops.yaml:3:21: providers.p.base_ur: unknown key 'base_ur' (did you mean "
                  "'base_url'?)\n"
                  "llmops.yaml:6:17: models.m.provider: unknown provider 'nope'\n"
                  "llmops.yaml:6:27: models.m.id: expected a string, got a number\n"
                  "llmops.yaml:8:25: tasks.t.reask: must be between 0 and 5, got -1\n"
                  "llmops.yaml:8:37: tasks.t.tools[0]: unknown tool 'x' (none is defined)\n"
                  "llmops.yaml:9:1: extra: unknown key 'extra'\n");
}

Test(config_errors, load_names_the_file)
{
    llmops__config *c = NULL;
    llmops__buf err = LLMOPS__BUF_INIT;
    const char *path = LLMOPS_SOURCE_ROOT "/tests/config/fixtures/bad.yaml";
    cr_assert_eq(llmops__config_load(path, &c, &err), LLMOPS_E_CONFIG, "%s", err.data);
    cr_expect_null(c);
    cr_expect_str_eq(err.data, LLMOPS_SOURCE_ROOT "/tests/config/fixtures/bad.yaml:5:15: "
                               "models.m.provider: unknown provider 'openia' (did you mean "
                               "'openai'?)\n");
    llmops__buf_free(&err);
}

Test(config_errors, a_flood_of_problems_is_cut_short)
{
    llmops__buf b = LLMOPS__BUF_INIT;
    llmops__buf_puts(&b, "version: 1\n");
    for (int i = 0; i < 600; i++)
        llmops__buf_printf(&b, "junk%d: 1\n", i);
    llmops__config *c = NULL;
    llmops__buf err = LLMOPS__BUF_INIT;
    cr_assert_eq(llmops__config_parse(b.data, b.len, NULL, &c, &err), LLMOPS_E_CONFIG);
    size_t lines = 0;
    for (size_t i = 0; i < err.len; i++)
        lines += err.data[i] == '\n';
    cr_expect_eq(lines, 501);
    cr_expect(strstr(err.data, "<string>:2:1: junk0: unknown key 'junk0'\n") == err.data);
    cr_expect(strstr(err.data, "<string>:501:1: junk499: unknown key 'junk499'\n") != NULL);
    cr_expect(strstr(err.data, "junk500") == NULL);
    const char *tail = "<string>: 100 more problems not shown\n";
    cr_expect_str_eq(err.data + err.len - strlen(tail), tail);
    llmops__buf_free(&err);
    llmops__buf_free(&b);
}
