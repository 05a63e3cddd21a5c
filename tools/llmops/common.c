/* What every llmops command shares: option parsing, usage and error
 * reporting, reading files and --input, opening the client. */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int cli_help(const cli_cmd *cmd)
{
    fputs(cmd->usage, stdout);
    return CLI_EXIT_OK;
}

int cli_misuse(const cli_cmd *cmd, const char *why)
{
    if (why)
        fprintf(stderr, "llmops %s: %s\n\n", cmd->name, why);
    fputs(cmd->usage, stderr);
    return CLI_EXIT_USAGE;
}

static const cli_opt *find_opt(const cli_opt *opts, size_t nopts, const char *name, size_t len)
{
    for (size_t i = 0; i < nopts; i++)
        if (strlen(opts[i].name) == len && memcmp(opts[i].name, name, len) == 0)
            return &opts[i];
    return NULL;
}

int cli_parse(const cli_cmd *cmd, int argc, char **argv, const cli_opt *opts, size_t nopts,
              const char **pos, size_t max_pos, size_t *npos, int *help)
{
    char why[512];
    int only_pos = 0;
    *npos = 0;
    *help = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!only_pos && (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)) {
            *help = 1;
            return CLI_EXIT_OK;
        }
        if (!only_pos && strcmp(a, "--") == 0) {
            only_pos = 1;
            continue;
        }
        if (!only_pos && a[0] == '-' && a[1] != '\0') {
            if (a[1] != '-') {
                snprintf(why, sizeof why, "unknown option '%s'", a);
                return cli_misuse(cmd, why);
            }
            const char *name = a + 2;
            const char *eq = strchr(name, '=');
            size_t nlen = eq ? (size_t)(eq - name) : strlen(name);
            const cli_opt *o = find_opt(opts, nopts, name, nlen);
            if (!o) {
                snprintf(why, sizeof why, "unknown option '--%.*s'", (int)nlen, name);
                return cli_misuse(cmd, why);
            }
            if (o->flag) {
                if (eq) {
                    snprintf(why, sizeof why, "option '--%s' takes no value", o->name);
                    return cli_misuse(cmd, why);
                }
                *o->flag = 1;
            } else if (eq) {
                *o->value = eq + 1;
            } else if (i + 1 < argc) {
                *o->value = argv[++i];
            } else {
                snprintf(why, sizeof why, "option '--%s' needs a value", o->name);
                return cli_misuse(cmd, why);
            }
            continue;
        }
        if (*npos == max_pos) {
            snprintf(why, sizeof why, "unexpected argument '%s'", a);
            return cli_misuse(cmd, why);
        }
        pos[(*npos)++] = a;
    }
    return CLI_EXIT_OK;
}

const char *cli_config_path(const char *opt)
{
    if (opt)
        return opt;
    const char *env = getenv("LLMOPS_CONFIG");
    if (env && *env)
        return env;
    return "llmops.yaml";
}

char *cli_read_file(const char *path, size_t *len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (n + 1 < cap) {
            if (ferror(f)) {
                free(buf);
                buf = NULL;
            }
            break;
        }
        char *bigger = realloc(buf, cap * 2);
        if (!bigger) {
            free(buf);
            buf = NULL;
            errno = ENOMEM;
            break;
        }
        buf = bigger;
        cap *= 2;
    }
    int saved = errno;
    if (f != stdin)
        fclose(f);
    errno = saved;
    if (!buf)
        return NULL;
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

int cli_read_input(const cli_cmd *cmd, const char *arg, char **text, size_t *len)
{
    const char *from = "--input";
    char *buf;
    size_t n;
    if (arg[0] == '@') {
        from = arg[1] == '-' && arg[2] == '\0' ? "stdin" : arg + 1;
        buf = cli_read_file(arg + 1, &n);
        if (!buf) {
            fprintf(stderr, "llmops %s: cannot read --input file %s: %s\n", cmd->name, arg + 1,
                    strerror(errno));
            return CLI_EXIT_USAGE;
        }
    } else {
        n = strlen(arg);
        buf = malloc(n + 1);
        if (!buf) {
            fprintf(stderr, "llmops %s: out of memory\n", cmd->name);
            return CLI_EXIT_FAILED;
        }
        memcpy(buf, arg, n + 1);
    }
    llmops_json_doc *doc = NULL;
    llmops_json_error err = LLMOPS_JSON_ERROR_INIT;
    llmops_status st = llmops_json_parse(&doc, buf, n, NULL, &err);
    llmops_json_doc_free(doc);
    if (st != LLMOPS_OK) {
        if (st == LLMOPS_E_NO_MEMORY) {
            free(buf);
            return cli_fail(cmd, "reading --input", st, NULL);
        }
        fprintf(stderr, "llmops %s: %s is not JSON: line %u, column %u: %s\n", cmd->name, from,
                err.line, err.column, err.message[0] ? err.message : llmops_status_str(st));
        free(buf);
        return CLI_EXIT_USAGE;
    }
    *text = buf;
    *len = n;
    return CLI_EXIT_OK;
}

static void print_lines(const char *text)
{
    size_t n = strlen(text);
    fputs(text, stderr);
    if (n && text[n - 1] != '\n')
        fputc('\n', stderr);
}

int cli_open_client(const cli_cmd *cmd, const char *path, llmops_client **out)
{
    char *errors = NULL;
    llmops_status st = llmops_client_open(out, path, &errors);
    if (st == LLMOPS_OK) {
        llmops_free(errors);
        return CLI_EXIT_OK;
    }
    *out = NULL;
    if (errors && *errors)
        print_lines(errors);
    llmops_free(errors);
    int config = st == LLMOPS_E_IO || st == LLMOPS_E_PARSE || st == LLMOPS_E_CONFIG ||
                 st == LLMOPS_E_SCHEMA || st == LLMOPS_E_NOT_FOUND || st == LLMOPS_E_LIMIT;
    fprintf(stderr, "llmops %s: cannot use configuration %s: %s\n", cmd->name, path,
            st == LLMOPS_E_IO ? "cannot read it" : llmops_status_str(st));
    return config ? CLI_EXIT_CONFIG : CLI_EXIT_FAILED;
}

int cli_fail(const cli_cmd *cmd, const char *what, llmops_status st, const char *detail)
{
    fprintf(stderr, "llmops %s: %s: %s%s%s\n", cmd->name, what, llmops_status_str(st),
            detail && *detail ? ": " : "", detail && *detail ? detail : "");
    return CLI_EXIT_FAILED;
}

void cli_print_pretty_json(FILE *f, const char *json, size_t len)
{
    llmops_json_doc *doc = NULL;
    char *pretty = NULL;
    if (llmops_json_parse(&doc, json, len, NULL, NULL) == LLMOPS_OK &&
        llmops_json_write(&pretty, NULL, llmops_json_doc_root(doc), LLMOPS_JSON_WRITE_PRETTY) ==
            LLMOPS_OK) {
        fprintf(f, "%s\n", pretty);
    } else {
        fwrite(json, 1, len, f);
        if (len && json[len - 1] != '\n')
            fputc('\n', f);
    }
    llmops_free(pretty);
    llmops_json_doc_free(doc);
}
