/* Where a configuration keeps its prompts (prompts.dir, prompts.lock).
 *
 * The public API opens a prompt registry from a folder, but has no call that
 * reads one section of llmops.yaml without opening the whole client (which
 * would also need valid providers and tasks). `llmops prompt` must work on a
 * configuration whose tasks are still broken, so the tool reads just this
 * section itself with libyaml; validating the rest is `llmops config check`'s
 * job. */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#if LLMOPS_CLI_HAVE_YAML
#include <yaml.h>

static char *dup_str(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

/* `rel` taken from the directory of `config_path` unless it is absolute. */
static char *resolve(const char *config_path, const char *rel, size_t rel_len)
{
    const char *slash = strrchr(config_path, '/');
    if (rel_len && rel[0] == '/')
        return dup_str(rel, rel_len);
    if (!slash)
        return dup_str(rel, rel_len);
    size_t dlen = (size_t)(slash - config_path) + 1;
    char *p = malloc(dlen + rel_len + 1);
    if (p) {
        memcpy(p, config_path, dlen);
        memcpy(p + dlen, rel, rel_len);
        p[dlen + rel_len] = '\0';
    }
    return p;
}

static yaml_node_t *map_get(yaml_document_t *doc, yaml_node_t *map, const char *key)
{
    if (!map || map->type != YAML_MAPPING_NODE)
        return NULL;
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = yaml_document_get_node(doc, p->key);
        if (k && k->type == YAML_SCALAR_NODE && k->data.scalar.length == strlen(key) &&
            memcmp(k->data.scalar.value, key, k->data.scalar.length) == 0)
            return yaml_document_get_node(doc, p->value);
    }
    return NULL;
}

/* A plain null (empty, ~, null, Null, NULL): the key is as good as absent. */
static int is_null(const yaml_node_t *v)
{
    if (v->type != YAML_SCALAR_NODE || v->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return 0;
    const char *s = (const char *)v->data.scalar.value;
    size_t n = v->data.scalar.length;
    return n == 0 || (n == 1 && s[0] == '~') ||
           (n == 4 && (memcmp(s, "null", 4) == 0 || memcmp(s, "Null", 4) == 0 ||
                       memcmp(s, "NULL", 4) == 0));
}

/* A string setting: a scalar other than null. -1 (after a message) when the
 * key holds something else. */
static int get_path(const cli_cmd *cmd, const char *config_path, yaml_document_t *doc,
                    yaml_node_t *section, const char *key, char **out)
{
    yaml_node_t *v = map_get(doc, section, key);
    *out = NULL;
    if (!v || is_null(v))
        return 0;
    if (v->type != YAML_SCALAR_NODE) {
        fprintf(stderr, "%s:%lu:%lu: prompts.%s: must be a path (a string)\n", config_path,
                (unsigned long)v->start_mark.line + 1, (unsigned long)v->start_mark.column + 1,
                key);
        return -1;
    }
    *out = resolve(config_path, (const char *)v->data.scalar.value, v->data.scalar.length);
    if (!*out) {
        fprintf(stderr, "llmops %s: out of memory\n", cmd->name);
        return -1;
    }
    return 0;
}

int cli_prompts_location(const cli_cmd *cmd, const char *config_path, char **dir, char **lock)
{
    *dir = NULL;
    *lock = NULL;
    size_t len;
    char *text = cli_read_file(config_path, &len);
    if (!text) {
        fprintf(stderr, "llmops %s: cannot read configuration %s: %s\n", cmd->name, config_path,
                strerror(errno));
        return CLI_EXIT_CONFIG;
    }
    yaml_parser_t parser;
    yaml_document_t doc;
    int rc = CLI_EXIT_CONFIG;
    if (!yaml_parser_initialize(&parser)) {
        free(text);
        fprintf(stderr, "llmops %s: out of memory\n", cmd->name);
        return CLI_EXIT_FAILED;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    if (!yaml_parser_load(&parser, &doc)) {
        fprintf(stderr, "%s:%lu:%lu: %s\n", config_path,
                (unsigned long)parser.problem_mark.line + 1,
                (unsigned long)parser.problem_mark.column + 1,
                parser.problem ? parser.problem : "broken YAML");
        yaml_parser_delete(&parser);
        free(text);
        return CLI_EXIT_CONFIG;
    }
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    yaml_node_t *section = map_get(&doc, root, "prompts");
    if (section && is_null(section))
        section = NULL;
    if (section && section->type != YAML_MAPPING_NODE) {
        fprintf(stderr, "%s:%lu:%lu: prompts: must be a mapping (dir, lock)\n", config_path,
                (unsigned long)section->start_mark.line + 1,
                (unsigned long)section->start_mark.column + 1);
    } else if (get_path(cmd, config_path, &doc, section, "dir", dir) == 0 &&
               get_path(cmd, config_path, &doc, section, "lock", lock) == 0) {
        if (!*dir)
            *dir = resolve(config_path, "prompts", 7);
        rc = *dir ? CLI_EXIT_OK : CLI_EXIT_FAILED;
    }
    if (rc != CLI_EXIT_OK) {
        free(*dir);
        free(*lock);
        *dir = *lock = NULL;
    }
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    free(text);
    return rc;
}

#else

int cli_prompts_location(const cli_cmd *cmd, const char *config_path, char **dir, char **lock)
{
    (void)config_path;
    *dir = *lock = NULL;
    fprintf(stderr,
            "llmops %s: this llmops was built without YAML support, so it cannot read "
            "--config; give the prompt folder with --dir DIR [--lock FILE]\n",
            cmd->name);
    return CLI_EXIT_FAILED;
}

#endif
