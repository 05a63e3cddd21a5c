/*
 * The llmops command-line tool: what the command files share. The tool is
 * built on libllmops' public API only (llmops.h); these helpers are the
 * tool's own (argument parsing, reading inputs, exit codes), not library
 * functions.
 */
#ifndef LLMOPS_CLI_H
#define LLMOPS_CLI_H

#include <stddef.h>
#include <stdio.h>

#include <llmops.h>

/* Exit codes; docs/cli.md and `llmops --help` list the same. */
enum {
    CLI_EXIT_OK = 0,       /* the command did what was asked */
    CLI_EXIT_FAILED = 1,   /* the operation failed; the library's message is on stderr */
    CLI_EXIT_USAGE = 2,    /* bad command line (unknown option, missing argument, bad --input) */
    CLI_EXIT_CONFIG = 3    /* the configuration is missing, unreadable or invalid */
};

/* One option of a command. `value` receives the argument of an option that
 * takes one (--name VALUE or --name=VALUE; the last one given wins); `flag`
 * is set to 1 for an option without an argument. */
typedef struct cli_opt {
    const char *name;   /* without the leading "--" */
    const char **value;
    int *flag;
} cli_opt;

/* A command's usage text and how to report misuse of it. */
typedef struct cli_cmd {
    const char *name;   /* "run", "prompt diff", ... */
    const char *usage;  /* the whole --help text */
} cli_cmd;

/* Parses argv[0..argc) (the command's own arguments, without its name)
 * against `opts`. Positionals go to pos[0..max_pos), their number to *npos;
 * "--" ends the options. --help / -h sets *help and stops. Returns
 * CLI_EXIT_OK, or CLI_EXIT_USAGE after telling stderr what was wrong
 * (unknown option, missing value, too many positionals). */
int cli_parse(const cli_cmd *cmd, int argc, char **argv, const cli_opt *opts, size_t nopts,
              const char **pos, size_t max_pos, size_t *npos, int *help);

/* Prints the usage text: to stdout for --help (returns CLI_EXIT_OK), or to
 * stderr after a one-line complaint `why` (may be NULL) for misuse (returns
 * CLI_EXIT_USAGE). */
int cli_help(const cli_cmd *cmd);
int cli_misuse(const cli_cmd *cmd, const char *why);

/* The configuration file: --config when given, else $LLMOPS_CONFIG when
 * set and not empty, else ./llmops.yaml. */
const char *cli_config_path(const char *opt);

/* Reads a whole file ("-" is stdin) into a NUL-terminated buffer (free()).
 * NULL with errno set on failure. */
char *cli_read_file(const char *path, size_t *len);

/* The text of an --input argument: "@FILE" reads FILE ("@-": stdin), anything
 * else is the JSON itself. The text must be one JSON value; otherwise stderr
 * says where it is broken (file or argument, line:column) and the result is
 * CLI_EXIT_USAGE. *text is free()d by the caller. */
int cli_read_input(const cli_cmd *cmd, const char *arg, char **text, size_t *len);

/* Opens a client on `path`. On failure prints the library's problems (one
 * per line) to stderr and returns CLI_EXIT_CONFIG (missing, unreadable or
 * invalid configuration) or CLI_EXIT_FAILED (anything else). */
int cli_open_client(const cli_cmd *cmd, const char *path, llmops_client **out);

/* Prints "llmops CMD: what: status_name: detail" to stderr (detail may be
 * NULL or empty) and returns CLI_EXIT_FAILED. */
int cli_fail(const cli_cmd *cmd, const char *what, llmops_status st, const char *detail);

/* JSON text written pretty (two-space indent) to `f` with a final newline;
 * text that does not parse is written as it is. */
void cli_print_pretty_json(FILE *f, const char *json, size_t len);

/* Where the prompt registry of a configuration lives: prompts.dir and
 * prompts.lock of the YAML file, relative paths taken from the file's
 * directory (dir defaults to "prompts"; *lock is NULL when not set, meaning
 * DIR/prompts.lock). Both are free()d by the caller. Returns CLI_EXIT_OK, or
 * CLI_EXIT_CONFIG after telling stderr why (unreadable file, broken YAML,
 * prompts.dir not a string), or CLI_EXIT_FAILED when the tool was built
 * without YAML support. */
int cli_prompts_location(const cli_cmd *cmd, const char *config_path, char **dir, char **lock);

/* The commands. Each takes its own arguments (without the command name). */
int cli_run(int argc, char **argv);
int cli_prompt(int argc, char **argv);
int cli_config(int argc, char **argv);
int cli_fingerprint(int argc, char **argv);

#endif
