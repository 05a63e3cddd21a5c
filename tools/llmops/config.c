/* llmops config check: is a configuration valid, and if not, every problem
 * with its file, line, column and key path. */
#include "cli.h"

#include <string.h>

static const cli_cmd cmd_config = {
    "config",
    "usage: llmops config check [--config FILE]\n"
    "\n"
    "Checks a configuration without opening providers: every key, every task's\n"
    "prompt (a missing prompt or label is reported), contracts and routes.\n"
    "Prints \"ok\" on stdout when it is valid; otherwise every problem on stderr,\n"
    "one per line, as FILE:LINE:COLUMN: key.path: message.\n"
    "\n"
    "options:\n"
    "  --config FILE  the configuration (default: $LLMOPS_CONFIG, else ./llmops.yaml)\n"
    "  -h, --help     this text\n"
    "\n"
    "exit status: 0 valid, 1 the check itself failed, 2 usage error, 3 the\n"
    "configuration is missing, unreadable or invalid\n",
};

static int check(int argc, char **argv)
{
    const char *config = NULL;
    int help = 0;
    size_t npos;
    const cli_opt opts[] = { { "config", &config, NULL } };
    int rc = cli_parse(&cmd_config, argc, argv, opts, 1, NULL, 0, &npos, &help);
    if (rc != CLI_EXIT_OK || help)
        return help ? cli_help(&cmd_config) : rc;
    const char *path = cli_config_path(config);
    char *errors = NULL;
    llmops_status st = llmops_config_check(path, &errors);
    if (st == LLMOPS_OK && !(errors && *errors)) {
        llmops_free(errors);
        printf("ok\n");
        return CLI_EXIT_OK;
    }
    if (errors && *errors) {
        size_t n = strlen(errors);
        fputs(errors, stderr);
        if (errors[n - 1] != '\n')
            fputc('\n', stderr);
    }
    llmops_free(errors);
    if (st == LLMOPS_E_NO_MEMORY || st == LLMOPS_E_UNSUPPORTED || st == LLMOPS_E_INTERNAL ||
        st == LLMOPS_E_INVALID_ARGUMENT)
        return cli_fail(&cmd_config, "check", st, NULL);
    fprintf(stderr, "llmops config: %s is invalid (%s)\n", path,
            st == LLMOPS_E_IO ? "cannot read it" : llmops_status_str(st));
    return CLI_EXIT_CONFIG;
}

int cli_config(int argc, char **argv)
{
    if (argc < 1)
        return cli_misuse(&cmd_config, "which command? (llmops config check)");
    if (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0 ||
        strcmp(argv[0], "help") == 0)
        return cli_help(&cmd_config);
    if (strcmp(argv[0], "check") != 0) {
        char why[160];
        snprintf(why, sizeof why, "unknown command '%.100s'", argv[0]);
        return cli_misuse(&cmd_config, why);
    }
    return check(argc - 1, argv + 1);
}
