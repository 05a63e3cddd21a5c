/* llmops: the libllmops command-line tool. Runs tasks, manages the prompt
 * registry, checks configurations and prints task fingerprints, using only
 * the library's public API. */
#include "cli.h"

#include <string.h>

static const cli_cmd cmd_main = {
    "",
    "usage: llmops COMMAND [ARGS]\n"
    "\n"
    "commands:\n"
    "  run TASK --input JSON|@FILE [--config FILE] [--stream] [--json]\n"
    "                          run one call of a task and print its output\n"
    "  prompt list|show|hash|diff|promote|rollback|render ...\n"
    "                          the prompt registry (versions and labels)\n"
    "  config check [--config FILE]\n"
    "                          check a configuration: \"ok\" or every problem\n"
    "  fingerprint TASK [--config FILE]\n"
    "                          a task's fingerprint and the parts it hashes\n"
    "  version                 the tool's and the library's version and features\n"
    "  help [COMMAND]          this text, or a command's\n"
    "\n"
    "Every command takes --help. The configuration is --config FILE, else\n"
    "$LLMOPS_CONFIG, else ./llmops.yaml; relative paths in it are taken from its\n"
    "directory.\n"
    "\n"
    "exit status:\n"
    "  0  ok\n"
    "  1  the operation failed (the library's message is on stderr)\n"
    "  2  usage error: unknown command or option, missing argument, --input that\n"
    "     is not JSON or cannot be read\n"
    "  3  the configuration is missing, unreadable or invalid (each problem on\n"
    "     stderr as FILE:LINE:COLUMN: key.path: message)\n",
};

static const cli_cmd cmd_version = {
    "version",
    "usage: llmops version\n"
    "\n"
    "Prints the version of this tool and of the libllmops it runs on, and the\n"
    "optional features that library was built with.\n",
};

static int version(int argc, char **argv)
{
    const char *pos[1];
    size_t npos;
    int help = 0;
    int rc = cli_parse(&cmd_version, argc, argv, NULL, 0, pos, 0, &npos, &help);
    if (rc != CLI_EXIT_OK || help)
        return help ? cli_help(&cmd_version) : rc;
    static const struct { unsigned bit; const char *name; } features[] = {
        { LLMOPS_FEATURE_HTTP, "http" },     { LLMOPS_FEATURE_STREAMING, "streaming" },
        { LLMOPS_FEATURE_YAML, "yaml" },     { LLMOPS_FEATURE_SQLITE, "sqlite" },
        { LLMOPS_FEATURE_REDIS, "redis" },   { LLMOPS_FEATURE_OTLP, "otlp" },
        { LLMOPS_FEATURE_PCRE2, "pcre2" },
    };
    unsigned f = llmops_features();
    printf("llmops %s (libllmops %s)\nfeatures:", LLMOPS_VERSION_STRING, llmops_version());
    int any = 0;
    for (size_t i = 0; i < sizeof features / sizeof *features; i++)
        if (f & features[i].bit) {
            printf(" %s", features[i].name);
            any = 1;
        }
    printf("%s\n", any ? "" : " none");
    if (llmops_version_number() != LLMOPS_VERSION_NUMBER)
        fprintf(stderr, "llmops: warning: built against libllmops %s but running on %s\n",
                LLMOPS_VERSION_STRING, llmops_version());
    return CLI_EXIT_OK;
}

typedef int (*command_fn)(int argc, char **argv);

static const struct {
    const char *name;
    command_fn fn;
} commands[] = {
    { "run", cli_run },
    { "prompt", cli_prompt },
    { "config", cli_config },
    { "fingerprint", cli_fingerprint },
    { "version", version },
};

static command_fn find(const char *name)
{
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        if (strcmp(commands[i].name, name) == 0)
            return commands[i].fn;
    return NULL;
}

static int unknown(const char *name)
{
    char why[160];
    snprintf(why, sizeof why, "unknown command '%.100s'", name);
    fprintf(stderr, "llmops: %s\n\n", why);
    fputs(cmd_main.usage, stderr);
    return CLI_EXIT_USAGE;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(cmd_main.usage, stderr);
        return CLI_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0)
        return cli_help(&cmd_main);
    if (strcmp(name, "--version") == 0)
        return version(0, NULL);
    if (strcmp(name, "help") == 0) {
        if (argc < 3)
            return cli_help(&cmd_main);
        command_fn fn = find(argv[2]);
        if (!fn)
            return unknown(argv[2]);
        char *help_arg[] = { (char *)"--help", NULL };
        return fn(1, help_arg);
    }
    command_fn fn = find(name);
    if (!fn)
        return unknown(name);
    return fn(argc - 2, argv + 2);
}
