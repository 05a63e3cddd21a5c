/* llmops prompt: the prompt registry — list, show, hash, diff, promote,
 * rollback and render. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

#define WHERE_OPTS \
    "  --config FILE  take the prompt folder and lock file from this configuration's\n" \
    "                 prompts.dir and prompts.lock (default: $LLMOPS_CONFIG, else\n" \
    "                 ./llmops.yaml)\n" \
    "  --dir DIR      the prompt folder itself (instead of --config)\n" \
    "  --lock FILE    the lock file with --dir (default: DIR/prompts.lock)\n" \
    "  -h, --help     this text\n"

#define REF_HELP \
    "A reference REF is NAME (the working file NAME.prompt), NAME@LABEL (the\n" \
    "version a label points at) or NAME@HEX (a version, or a unique prefix of at\n" \
    "least 8 hex digits).\n"

static const cli_cmd cmd_prompt = {
    "prompt",
    "usage: llmops prompt COMMAND [ARGS] [--config FILE | --dir DIR [--lock FILE]]\n"
    "\n"
    "The prompt registry: prompt files, their content-hash versions and the labels\n"
    "(production, canary, ...) kept in the lock file.\n"
    "\n"
    "commands:\n"
    "  list                        every prompt, its working version and labels\n"
    "  show REF                    the source text of a version\n"
    "  hash REF                    the version (SHA-256) a reference resolves to\n"
    "  diff REF_A REF_B            a unified diff between two versions\n"
    "  promote NAME REF LABEL      point LABEL of NAME at the version REF names\n"
    "  rollback NAME LABEL         move LABEL back to the version it pointed at before\n"
    "  render REF --input JSON     the messages the prompt renders to for an input\n"
    "\n" REF_HELP
    "\n"
    "Run 'llmops prompt COMMAND --help' for a command's options.\n"
    "\n"
    "exit status: 0 ok, 1 the operation failed, 2 usage error, 3 configuration\n"
    "missing or invalid (or a corrupt lock file)\n",
};

static const cli_cmd cmd_list = {
    "prompt list",
    "usage: llmops prompt list [--json] [--config FILE | --dir DIR [--lock FILE]]\n"
    "\n"
    "Lists every prompt (sorted by name): the version of its working file and the\n"
    "version each of its labels points at.\n"
    "\n"
    "options:\n"
    "  --json         print the registry's JSON list instead of a table\n" WHERE_OPTS,
};

static const cli_cmd cmd_show = {
    "prompt show",
    "usage: llmops prompt show REF [--config FILE | --dir DIR [--lock FILE]]\n"
    "\n"
    "Prints the exact source text of the version REF names on stdout, and its\n"
    "version on stderr.\n"
    "\n" REF_HELP "\noptions:\n" WHERE_OPTS,
};

static const cli_cmd cmd_hash = {
    "prompt hash",
    "usage: llmops prompt hash REF [--config FILE | --dir DIR [--lock FILE]]\n"
    "\n"
    "Prints the version (64 hex digits, the SHA-256 of the prompt's canonical\n"
    "content) that REF resolves to.\n"
    "\n" REF_HELP "\noptions:\n" WHERE_OPTS,
};

static const cli_cmd cmd_diff = {
    "prompt diff",
    "usage: llmops prompt diff REF_A REF_B [--config FILE | --dir DIR [--lock FILE]]\n"
    "\n"
    "Prints a unified line diff from REF_A to REF_B (nothing when they are the\n"
    "same). Exit status 0 either way.\n"
    "\n" REF_HELP "\noptions:\n" WHERE_OPTS,
};

static const cli_cmd cmd_promote = {
    "prompt promote",
    "usage: llmops prompt promote NAME REF LABEL [--config FILE | --dir DIR [--lock FILE]]\n"
    "\n"
    "Points LABEL of prompt NAME at the version REF names (NAME for the working\n"
    "file, NAME@LABEL, NAME@HEX or a bare hash prefix). The version's bytes are\n"
    "stored under DIR/.versions so it stays loadable, and the move is recorded in\n"
    "the label's history in the lock file: commit both.\n"
    "\n" REF_HELP "\noptions:\n" WHERE_OPTS,
};

static const cli_cmd cmd_rollback = {
    "prompt rollback",
    "usage: llmops prompt rollback NAME LABEL [--config FILE | --dir DIR [--lock FILE]]\n"
    "\n"
    "Moves LABEL of prompt NAME back to the version it pointed at before its\n"
    "latest promotion still in effect. Fails when there is none.\n"
    "\noptions:\n" WHERE_OPTS,
};

static const cli_cmd cmd_render = {
    "prompt render",
    "usage: llmops prompt render REF --input JSON|@FILE [--json]\n"
    "                            [--config FILE | --dir DIR [--lock FILE]]\n"
    "\n"
    "Renders the prompt REF names with the input, as the model would get it: each\n"
    "message under a [role] line. A variable the input lacks is an error.\n"
    "\n" REF_HELP
    "\n"
    "options:\n"
    "  --input JSON|@FILE  the input: JSON text, or @FILE to read it (@- is stdin)\n"
    "  --json         print the messages as JSON: [{\"role\": ..., \"text\": ...}]\n" WHERE_OPTS,
};

/* parse_sub's answer when it printed --help: the command stops with exit 0. */
#define HELP_SHOWN (-1)

/* The options every subcommand shares, plus the ones it adds. */
typedef struct where {
    const char *config, *dir, *lock, *input;
    int json;
} where;

static int parse_sub(const cli_cmd *cmd, int argc, char **argv, where *w, int with_input,
                     int with_json, const char **pos, size_t npos_want)
{
    cli_opt opts[6];
    size_t n = 0;
    opts[n++] = (cli_opt){ "config", &w->config, NULL };
    opts[n++] = (cli_opt){ "dir", &w->dir, NULL };
    opts[n++] = (cli_opt){ "lock", &w->lock, NULL };
    if (with_input)
        opts[n++] = (cli_opt){ "input", &w->input, NULL };
    if (with_json)
        opts[n++] = (cli_opt){ "json", NULL, &w->json };
    size_t npos;
    int help;
    int rc = cli_parse(cmd, argc, argv, opts, n, pos, npos_want, &npos, &help);
    if (rc != CLI_EXIT_OK)
        return rc;
    if (help) {
        cli_help(cmd);
        return HELP_SHOWN;
    }
    if (npos != npos_want) {
        char why[128];
        snprintf(why, sizeof why, "expected %zu argument%s, got %zu", npos_want,
                 npos_want == 1 ? "" : "s", npos);
        return cli_misuse(cmd, why);
    }
    if (w->dir && w->config)
        return cli_misuse(cmd, "give either --config or --dir, not both");
    if (w->lock && !w->dir)
        return cli_misuse(cmd, "--lock goes with --dir (with --config, prompts.lock says it)");
    if (with_input && !w->input)
        return cli_misuse(cmd, "--input is required (JSON text or @FILE)");
    return CLI_EXIT_OK;
}

static int open_registry(const cli_cmd *cmd, const where *w, llmops_prompts **out)
{
    char *dir = NULL, *lock = NULL;
    if (w->dir) {
        dir = strdup(w->dir);
        lock = w->lock ? strdup(w->lock) : NULL;
        if (!dir || (w->lock && !lock)) {
            free(dir);
            free(lock);
            return cli_fail(cmd, "opening the registry", LLMOPS_E_NO_MEMORY, NULL);
        }
    } else {
        int rc = cli_prompts_location(cmd, cli_config_path(w->config), &dir, &lock);
        if (rc != CLI_EXIT_OK)
            return rc;
    }
    char *why = NULL;
    llmops_status st = llmops_prompts_open(out, dir, lock, &why);
    int rc = CLI_EXIT_OK;
    if (st != LLMOPS_OK) {
        *out = NULL;
        fprintf(stderr, "llmops %s: cannot open the prompts in %s: %s%s%s\n", cmd->name, dir,
                llmops_status_str(st), why && *why ? ": " : "", why ? why : "");
        rc = st == LLMOPS_E_CONFIG || st == LLMOPS_E_IO ? CLI_EXIT_CONFIG : CLI_EXIT_FAILED;
    }
    llmops_free(why);
    free(dir);
    free(lock);
    return rc;
}

static int failed(const cli_cmd *cmd, const char *what, llmops_status st, char *why)
{
    cli_fail(cmd, what, st, why);
    llmops_free(why);
    return st == LLMOPS_E_CONFIG ? CLI_EXIT_CONFIG : CLI_EXIT_FAILED;
}

/* ---- list --------------------------------------------------------------- */

static int print_table(const char *json, size_t len)
{
    llmops_json_doc *doc = NULL;
    if (llmops_json_parse(&doc, json, len, NULL, NULL) != LLMOPS_OK)
        return -1;
    const llmops_json *root = llmops_json_doc_root(doc);
    size_t n = llmops_json_size(root), width = 4;
    for (size_t i = 0; i < n; i++) {
        size_t l = 0;
        llmops_json_string(llmops_json_get(llmops_json_at(root, i), "name"), &l);
        if (l > width)
            width = l;
    }
    printf("%-*s  %-12s  %s\n", (int)width, "NAME", "WORKING", "LABELS");
    for (size_t i = 0; i < n; i++) {
        const llmops_json *p = llmops_json_at(root, i);
        const char *name = llmops_json_string(llmops_json_get(p, "name"), NULL);
        const char *ver = llmops_json_string(llmops_json_get(p, "version"), NULL);
        printf("%-*s  %-12.12s  ", (int)width, name ? name : "?", ver ? ver : "(no file)");
        const llmops_json *labels = llmops_json_get(p, "labels");
        size_t nl = llmops_json_size(labels);
        if (nl == 0)
            printf("-");
        for (size_t j = 0; j < nl; j++) {
            const char *label = llmops_json_key_at(labels, j, NULL);
            const char *hex = llmops_json_string(llmops_json_at(labels, j), NULL);
            printf("%s%s=%.12s", j ? " " : "", label ? label : "?", hex ? hex : "?");
        }
        printf("\n");
    }
    llmops_json_doc_free(doc);
    return 0;
}

static int do_list(int argc, char **argv)
{
    where w = { 0 };
    int rc = parse_sub(&cmd_list, argc, argv, &w, 0, 1, NULL, 0);
    if (rc != CLI_EXIT_OK)
        return rc == HELP_SHOWN ? CLI_EXIT_OK : rc;
    llmops_prompts *reg = NULL;
    if ((rc = open_registry(&cmd_list, &w, &reg)) != CLI_EXIT_OK)
        return rc;
    char *json = NULL, *why = NULL;
    llmops_status st = llmops_prompts_list(reg, &json, &why);
    if (st != LLMOPS_OK) {
        rc = failed(&cmd_list, "listing the prompts", st, why);
    } else {
        llmops_free(why);
        size_t len = strlen(json);
        if (w.json)
            cli_print_pretty_json(stdout, json, len);
        else if (print_table(json, len) != 0)
            rc = cli_fail(&cmd_list, "reading the list", LLMOPS_E_INTERNAL, "not JSON");
    }
    llmops_free(json);
    llmops_prompts_free(reg);
    return rc;
}

/* ---- show, hash --------------------------------------------------------- */

static int do_show(int argc, char **argv, int hash_only)
{
    const cli_cmd *cmd = hash_only ? &cmd_hash : &cmd_show;
    where w = { 0 };
    const char *pos[1];
    int rc = parse_sub(cmd, argc, argv, &w, 0, 0, pos, 1);
    if (rc != CLI_EXIT_OK)
        return rc == HELP_SHOWN ? CLI_EXIT_OK : rc;
    llmops_prompts *reg = NULL;
    if ((rc = open_registry(cmd, &w, &reg)) != CLI_EXIT_OK)
        return rc;
    char version[65] = { 0 };
    char *source = NULL, *why = NULL;
    llmops_status st = hash_only ? llmops_prompts_hash(reg, pos[0], version, &why)
                                 : llmops_prompts_show(reg, pos[0], &source, version, &why);
    if (st != LLMOPS_OK) {
        rc = failed(cmd, pos[0], st, why);
    } else {
        llmops_free(why);
        if (hash_only) {
            printf("%s\n", version);
        } else {
            fputs(source, stdout);
            fflush(stdout);
            fprintf(stderr, "version: %s\n", version);
        }
    }
    llmops_free(source);
    llmops_prompts_free(reg);
    return rc;
}

/* ---- diff --------------------------------------------------------------- */

static int do_diff(int argc, char **argv)
{
    where w = { 0 };
    const char *pos[2];
    int rc = parse_sub(&cmd_diff, argc, argv, &w, 0, 0, pos, 2);
    if (rc != CLI_EXIT_OK)
        return rc == HELP_SHOWN ? CLI_EXIT_OK : rc;
    llmops_prompts *reg = NULL;
    if ((rc = open_registry(&cmd_diff, &w, &reg)) != CLI_EXIT_OK)
        return rc;
    char *diff = NULL, *why = NULL;
    llmops_status st = llmops_prompts_diff(reg, pos[0], pos[1], &diff, &why);
    if (st != LLMOPS_OK) {
        rc = failed(&cmd_diff, "diff", st, why);
    } else {
        llmops_free(why);
        fputs(diff ? diff : "", stdout);
    }
    llmops_free(diff);
    llmops_prompts_free(reg);
    return rc;
}

/* ---- promote, rollback -------------------------------------------------- */

/* The version `name@label` points at now ("" when none). */
static void label_version(llmops_prompts *reg, const char *name, const char *label,
                          char out[65])
{
    size_t n = strlen(name) + strlen(label) + 2;
    char *ref = malloc(n);
    char *why = NULL;
    out[0] = '\0';
    if (!ref)
        return;
    snprintf(ref, n, "%s@%s", name, label);
    if (llmops_prompts_hash(reg, ref, out, &why) != LLMOPS_OK)
        out[0] = '\0';
    llmops_free(why);
    free(ref);
}

static int do_move(int argc, char **argv, int rollback)
{
    const cli_cmd *cmd = rollback ? &cmd_rollback : &cmd_promote;
    where w = { 0 };
    const char *pos[3];
    int rc = parse_sub(cmd, argc, argv, &w, 0, 0, pos, rollback ? 2 : 3);
    if (rc != CLI_EXIT_OK)
        return rc == HELP_SHOWN ? CLI_EXIT_OK : rc;
    const char *name = pos[0];
    const char *label = rollback ? pos[1] : pos[2];
    llmops_prompts *reg = NULL;
    if ((rc = open_registry(cmd, &w, &reg)) != CLI_EXIT_OK)
        return rc;
    char before[65], after[65];
    label_version(reg, name, label, before);
    char *why = NULL;
    llmops_status st = rollback ? llmops_prompts_rollback(reg, name, label, &why)
                                : llmops_prompts_promote(reg, name, pos[1], label, &why);
    if (st != LLMOPS_OK) {
        rc = failed(cmd, rollback ? "rollback" : "promote", st, why);
    } else {
        llmops_free(why);
        label_version(reg, name, label, after);
        if (strcmp(before, after) == 0)
            printf("%s@%s: already %s (unchanged)\n", name, label, after);
        else
            printf("%s@%s: %s -> %s\n", name, label, before[0] ? before : "(none)", after);
    }
    llmops_prompts_free(reg);
    return rc;
}

/* ---- render ------------------------------------------------------------- */

static void print_messages(const char *json, size_t len)
{
    llmops_json_doc *doc = NULL;
    if (llmops_json_parse(&doc, json, len, NULL, NULL) != LLMOPS_OK) {
        fputs(json, stdout);
        return;
    }
    const llmops_json *root = llmops_json_doc_root(doc);
    size_t n = llmops_json_size(root);
    for (size_t i = 0; i < n; i++) {
        const llmops_json *m = llmops_json_at(root, i);
        size_t tlen = 0;
        const char *role = llmops_json_string(llmops_json_get(m, "role"), NULL);
        const char *text = llmops_json_string(llmops_json_get(m, "text"), &tlen);
        printf("%s[%s]\n", i ? "\n" : "", role ? role : "?");
        fwrite(text ? text : "", 1, tlen, stdout);
        fputc('\n', stdout);
    }
    llmops_json_doc_free(doc);
}

static int do_render(int argc, char **argv)
{
    where w = { 0 };
    const char *pos[1];
    int rc = parse_sub(&cmd_render, argc, argv, &w, 1, 1, pos, 1);
    if (rc != CLI_EXIT_OK)
        return rc == HELP_SHOWN ? CLI_EXIT_OK : rc;
    char *input = NULL;
    size_t len = 0;
    if ((rc = cli_read_input(&cmd_render, w.input, &input, &len)) != CLI_EXIT_OK)
        return rc;
    llmops_prompts *reg = NULL;
    if ((rc = open_registry(&cmd_render, &w, &reg)) != CLI_EXIT_OK) {
        free(input);
        return rc;
    }
    char *messages = NULL, *why = NULL;
    llmops_status st = llmops_prompts_render(reg, pos[0], input, len, &messages, &why);
    if (st != LLMOPS_OK) {
        rc = failed(&cmd_render, pos[0], st, why);
    } else {
        llmops_free(why);
        if (w.json)
            cli_print_pretty_json(stdout, messages, strlen(messages));
        else
            print_messages(messages, strlen(messages));
    }
    llmops_free(messages);
    llmops_prompts_free(reg);
    free(input);
    return rc;
}

int cli_prompt(int argc, char **argv)
{
    if (argc < 1)
        return cli_misuse(&cmd_prompt, "which command?");
    const char *sub = argv[0];
    if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0 || strcmp(sub, "help") == 0)
        return cli_help(&cmd_prompt);
    argc--;
    argv++;
    if (strcmp(sub, "list") == 0)
        return do_list(argc, argv);
    if (strcmp(sub, "show") == 0)
        return do_show(argc, argv, 0);
    if (strcmp(sub, "hash") == 0)
        return do_show(argc, argv, 1);
    if (strcmp(sub, "diff") == 0)
        return do_diff(argc, argv);
    if (strcmp(sub, "promote") == 0)
        return do_move(argc, argv, 0);
    if (strcmp(sub, "rollback") == 0)
        return do_move(argc, argv, 1);
    if (strcmp(sub, "render") == 0)
        return do_render(argc, argv);
    char why[160];
    snprintf(why, sizeof why, "unknown command '%.100s'", sub);
    return cli_misuse(&cmd_prompt, why);
}
