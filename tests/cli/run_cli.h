/* Running the built llmops tool from a test: the binary, a private copy of
 * the support-bot demo, and one command's exit status, stdout and stderr. */
#ifndef LLMOPS_TEST_RUN_CLI_H
#define LLMOPS_TEST_RUN_CLI_H

#include <stddef.h>

typedef struct cli_result {
    int code;      /* exit status; -1 when it did not exit normally */
    char *out;     /* stdout, NUL-terminated */
    char *err;     /* stderr, NUL-terminated */
} cli_result;

/* The llmops binary: $LLMOPS_CLI, else the build tree's tools/llmops/llmops. */
const char *cli_binary(void);

/* The support-bot recorder: $LLMOPS_SUPPORT_BOT_RECORD, else the one
 * tests/cli builds, or NULL when it is not built. */
const char *cli_recorder(void);

/* A fresh copy of examples/support-bot in a new temporary folder (free()
 * the path; cli_rmtree removes it). NULL on failure. */
char *cli_demo_copy(void);
/* A new empty temporary folder of the same kind (free() the path). */
char *cli_tempdir(void);
void cli_rmtree(const char *dir);

/* Runs `prog` with argv (NULL-terminated, argv[0] included) in `cwd` (NULL:
 * the current folder), `stdin_text` on stdin (NULL: empty), with
 * OPENAI_API_KEY and LLMOPS_CONFIG removed from the environment, then
 * LLMOPS_CONFIG set to `config_env` when not NULL. Gives up after 60 s. */
cli_result cli_exec(const char *prog, const char *cwd, const char *stdin_text,
                    const char *config_env, const char *const *argv);

/* cli_exec of the llmops binary with `env` ("NAME=value" strings, NULL
 * terminated) added to its environment after the removals. */
cli_result cli_exec_env(const char *cwd, const char *const *env, const char *const *argv);

/* cli_exec of the llmops binary that sends `sig` to it once its stdout
 * holds `signal_after`. */
cli_result cli_exec_signal(const char *cwd, const char *const *argv, const char *signal_after,
                           int sig);

/* cli_exec of the llmops binary; the list of arguments ends with NULL. */
cli_result cli_run(const char *cwd, const char *arg, ...);

void cli_result_free(cli_result *r);

/* Writes `text` to dir/name; 0 on success. */
int cli_write(const char *dir, const char *name, const char *text);
/* Reads dir/name (free()); NULL when it cannot. */
char *cli_slurp(const char *dir, const char *name);

#endif
