/* llmops fingerprint TASK: the hash over everything that decides a task's
 * behaviour, and the parts it was computed from. */
#include "cli.h"

#include <string.h>

static const cli_cmd cmd_fingerprint = {
    "fingerprint",
    "usage: llmops fingerprint TASK [--config FILE]\n"
    "\n"
    "Prints the task fingerprint (SHA-256, 64 hex digits) on the first line, then\n"
    "the parts it was computed from as pretty JSON: prompt version, model ids and\n"
    "parameters, tools and their schemas, contract and route. Two configurations\n"
    "give a task the same fingerprint exactly when these parts are the same.\n"
    "\n"
    "options:\n"
    "  --config FILE  the configuration (default: $LLMOPS_CONFIG, else ./llmops.yaml)\n"
    "  -h, --help     this text\n"
    "\n"
    "exit status: 0 ok, 1 unknown task or its prompt cannot be loaded, 2 usage\n"
    "error, 3 configuration missing or invalid\n",
};

int cli_fingerprint(int argc, char **argv)
{
    const char *config = NULL, *pos[1];
    int help = 0;
    size_t npos;
    const cli_opt opts[] = { { "config", &config, NULL } };
    int rc = cli_parse(&cmd_fingerprint, argc, argv, opts, 1, pos, 1, &npos, &help);
    if (rc != CLI_EXIT_OK || help)
        return help ? cli_help(&cmd_fingerprint) : rc;
    if (npos != 1)
        return cli_misuse(&cmd_fingerprint, "which task?");
    const char *path = cli_config_path(config);
    llmops_client *client = NULL;
    if ((rc = cli_open_client(&cmd_fingerprint, path, &client)) != CLI_EXIT_OK)
        return rc;
    char hex[65] = { 0 };
    char *parts = NULL, *why = NULL;
    llmops_status st = llmops_client_task_fingerprint(client, pos[0], hex, &parts, &why);
    if (st == LLMOPS_E_NOT_FOUND && !(why && *why)) {
        fprintf(stderr, "llmops fingerprint: %s has no task '%s'\n", path, pos[0]);
        rc = CLI_EXIT_FAILED;
    } else if (st != LLMOPS_OK) {
        rc = cli_fail(&cmd_fingerprint, pos[0], st, why);
    } else {
        printf("%s\n", hex);
        if (parts)
            cli_print_pretty_json(stdout, parts, strlen(parts));
    }
    llmops_free(parts);
    llmops_free(why);
    llmops_client_free(client);
    return rc;
}
