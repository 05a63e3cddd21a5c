/*
 * libFuzzer target for the YAML → JSON mapping and the llmops.yaml
 * configuration model (src/config/).
 *
 * For every input:
 *   - as YAML: success gives a document whose every value has a position
 *     (line and column >= 1) and whose compact JSON parses back to an equal
 *     value; failure gives PARSE or LIMIT with a printable "line:column:"
 *     message and no document;
 *   - as a configuration: success means every entry is found by its name
 *     and every resolved reference points into the configuration; failure
 *     gives one or more "<string>:" lines, never an echoed credential.
 * Any violation calls abort(), which libFuzzer reports as a crash.
 *
 * fuzz/build.sh generates a feature-less llmops_config.h and links no
 * optional libraries, so this file compiles the config sources itself with
 * YAML switched on, and yaml_fuzz.sources links the static libyaml.
 */
#include "llmops_config.h"
#undef LLMOPS_HAVE_YAML
#define LLMOPS_HAVE_YAML 1
#include "config/yaml.c"
#include "config/suggest.c"
#include "config/config.c"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(cond)                                                               \
    do {                                                                          \
        if (!(cond)) {                                                            \
            fprintf(stderr, "yaml_fuzz: check failed at line %d: %s\n", __LINE__, \
                    #cond);                                                       \
            abort();                                                              \
        }                                                                         \
    } while (0)

static void walk(const llmops__yaml_positions *pos, const llmops_json *v, int depth)
{
    CHECK(depth <= (int)LLMOPS__YAML_MAX_DEPTH + 1);
    const llmops__yaml_pos *p = llmops__yaml_pos_of(pos, v);
    CHECK(p != NULL && p->line >= 1 && p->column >= 1);
    llmops_json_type t = llmops_json_type_of(v);
    if (t != LLMOPS_JSON_ARRAY && t != LLMOPS_JSON_OBJECT)
        return;
    for (size_t i = 0; i < llmops_json_size(v); i++) {
        const llmops_json *kid = llmops_json_at(v, i);
        const llmops__yaml_pos *kp = llmops__yaml_key_pos_of(pos, kid);
        CHECK((kp != NULL) == (t == LLMOPS_JSON_OBJECT));
        walk(pos, kid, depth + 1);
    }
}

static void check_printable(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        CHECK(s[i] == '\n' || ((unsigned char)s[i] >= 0x20 && (unsigned char)s[i] < 0x7f) ||
              (unsigned char)s[i] >= 0x80);
}

static void fuzz_yaml(const char *text, size_t size)
{
    llmops_json_doc *doc = NULL;
    llmops__yaml_positions *pos = NULL;
    llmops__buf err = LLMOPS__BUF_INIT;
    llmops_status st = llmops__yaml_parse(text, size, &doc, &pos, &err);
    if (st != LLMOPS_OK) {
        CHECK(st == LLMOPS_E_PARSE || st == LLMOPS_E_LIMIT || st == LLMOPS_E_NO_MEMORY);
        CHECK(doc == NULL && pos == NULL);
        CHECK(err.len > 0);
        unsigned line = 0, col = 0;
        if (st != LLMOPS_E_NO_MEMORY) {
            CHECK(sscanf(err.data, "%u:%u: ", &line, &col) == 2);
            CHECK(line >= 1 && col >= 1);
        }
        check_printable(err.data, err.len);
        llmops__buf_free(&err);
        return;
    }
    CHECK(err.len == 0);
    const llmops_json *root = llmops_json_doc_root(doc);
    CHECK(root != NULL);
    walk(pos, root, 0);
    char *out = NULL;
    size_t len = 0;
    CHECK(llmops_json_write(&out, &len, root, LLMOPS_JSON_WRITE_COMPACT) == LLMOPS_OK);
    llmops_json_doc *again = NULL;
    CHECK(llmops_json_parse(&again, out, len, NULL, NULL) == LLMOPS_OK);
    CHECK(llmops_json_equal(root, llmops_json_doc_root(again)));
    llmops_json_doc_free(again);
    llmops_free(out);
    llmops__yaml_positions_free(pos);
    llmops_json_doc_free(doc);
}

static void fuzz_config(const char *text, size_t size)
{
    llmops__config *c = NULL;
    llmops__buf err = LLMOPS__BUF_INIT;
    llmops_status st = llmops__config_parse_in(text, size, NULL, "/fuzz", &c, &err);
    if (st != LLMOPS_OK) {
        CHECK(c == NULL);
        CHECK(st == LLMOPS_E_CONFIG || st == LLMOPS_E_PARSE || st == LLMOPS_E_LIMIT ||
              st == LLMOPS_E_NO_MEMORY);
        CHECK(err.len > 0 && err.data[err.len - 1] == '\n');
        if (st != LLMOPS_E_NO_MEMORY)
            CHECK(strncmp(err.data, "<string>:", 9) == 0);
        for (const char *line = err.data; *line;) {
            const char *nl = strchr(line, '\n');
            CHECK(nl != NULL);
            CHECK(strncmp(line, "<string>", 8) == 0);
            line = nl + 1;
        }
        llmops__buf_free(&err);
        return;
    }
    CHECK(err.len == 0);
    CHECK(c->version == LLMOPS__CONFIG_VERSION);
    for (size_t i = 0; i < c->n_providers; i++)
        CHECK(llmops__config_provider(c, c->providers[i].name) == &c->providers[i]);
    for (size_t i = 0; i < c->n_models; i++) {
        const llmops__cfg_model *m = &c->models[i];
        CHECK(llmops__config_model(c, m->name) == m);
        CHECK(m->id && m->provider_ref && m->provider_ref >= c->providers &&
              m->provider_ref < c->providers + c->n_providers);
    }
    for (size_t i = 0; i < c->n_tools; i++)
        CHECK(llmops__config_tool(c, c->tools[i].name) == &c->tools[i]);
    for (size_t i = 0; i < c->n_tasks; i++) {
        const llmops__cfg_task *t = &c->tasks[i];
        CHECK(llmops__config_task(c, t->name) == t);
        CHECK(t->prompt_name != NULL);
        CHECK(!t->model || t->model_ref == llmops__config_model(c, t->model));
        for (size_t k = 0; k < t->n_tools; k++)
            CHECK(t->tool_refs[k] == llmops__config_tool(c, t->tools[k]));
        for (size_t k = 0; k < t->n_fallbacks; k++)
            CHECK(t->fallback_refs[k] == llmops__config_model(c, t->fallbacks[k]));
        CHECK(t->reask <= 5 && t->max_tool_steps >= 1);
    }
    CHECK(c->prompts_dir && c->prompts_dir[0] == '/' && c->prompts_lock);
    llmops__config_free(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_yaml((const char *)data, size);
    fuzz_config((const char *)data, size);
    return 0;
}
