/* Running the built llmops tool from a test (see run_cli.h). */
#include "run_cli.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testdata.h"

const char *cli_binary(void)
{
    const char *env = getenv("LLMOPS_CLI");
    return env && *env ? env : LLMOPS_BUILD_ROOT "/tools/llmops/llmops";
}

const char *cli_recorder(void)
{
    const char *env = getenv("LLMOPS_SUPPORT_BOT_RECORD");
    if (env && *env)
        return env;
    static const char path[] = LLMOPS_BUILD_ROOT "/tests/cli/support-bot-record";
    return access(path, X_OK) == 0 ? path : NULL;
}

/* Runs a helper program (cp, rm) to completion; its exit status. */
static int spawn_wait(const char *const *argv)
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

char *cli_demo_copy(void)
{
    char tmpl[] = "/tmp/llmops-cli-XXXXXX";
    if (!mkdtemp(tmpl))
        return NULL;
    const char *src = LLMOPS_SOURCE_ROOT "/examples/support-bot/.";
    const char *argv[] = { "/bin/cp", "-R", src, tmpl, NULL };
    if (spawn_wait(argv) != 0) {
        cli_rmtree(tmpl);
        return NULL;
    }
    return strdup(tmpl);
}

char *cli_tempdir(void)
{
    char tmpl[] = "/tmp/llmops-cli-XXXXXX";
    return mkdtemp(tmpl) ? strdup(tmpl) : NULL;
}

void cli_rmtree(const char *dir)
{
    if (!dir || strncmp(dir, "/tmp/llmops-cli-", 16) != 0)
        return; /* only ever the folders cli_demo_copy made */
    const char *argv[] = { "/bin/rm", "-rf", dir, NULL };
    spawn_wait(argv);
}

static char *read_fd(int fd)
{
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    if (!buf || lseek(fd, 0, SEEK_SET) < 0) {
        free(buf);
        return NULL;
    }
    for (;;) {
        if (n + 1 == cap) {
            char *p = realloc(buf, cap * 2);
            if (!p) {
                free(buf);
                return NULL;
            }
            buf = p;
            cap *= 2;
        }
        ssize_t got = read(fd, buf + n, cap - n - 1);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        n += (size_t)got;
    }
    buf[n] = '\0';
    return buf;
}

static int temp_fd(void)
{
    char tmpl[] = "/tmp/llmops-cli-out-XXXXXX";
    int fd = mkstemp(tmpl);
    if (fd >= 0)
        unlink(tmpl);
    return fd;
}

/* Whether the file behind `fd` holds `text` yet. */
static int fd_has(int fd, const char *text)
{
    char buf[8192];
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    return strstr(buf, text) != NULL;
}

static cli_result exec_full(const char *prog, const char *cwd, const char *stdin_text,
                            const char *config_env, const char *const *env,
                            const char *const *argv, const char *signal_after, int sig)
{
    cli_result r = { -1, NULL, NULL };
    int in = temp_fd(), out = temp_fd(), err = temp_fd();
    if (in < 0 || out < 0 || err < 0)
        goto done;
    if (stdin_text) {
        size_t len = strlen(stdin_text);
        if (write(in, stdin_text, len) != (ssize_t)len || lseek(in, 0, SEEK_SET) < 0)
            goto done;
    }
    pid_t pid = fork();
    if (pid < 0)
        goto done;
    if (pid == 0) {
        if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
            _exit(126);
        if (cwd && chdir(cwd) != 0)
            _exit(126);
        unsetenv("OPENAI_API_KEY"); /* the tests run offline, always */
        unsetenv("LLMOPS_CONFIG");
        if (config_env)
            setenv("LLMOPS_CONFIG", config_env, 1);
        for (size_t i = 0; env && env[i]; i++)
            putenv((char *)env[i]);
        execv(prog, (char *const *)argv);
        _exit(127);
    }
    int status = 0;
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid)
            break;
        if (w < 0 && errno != EINTR)
            goto done;
        if (signal_after && fd_has(out, signal_after)) {
            kill(pid, sig);
            signal_after = NULL;
        }
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec - start.tv_sec > 60) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            break;
        }
        struct timespec nap = { 0, 2 * 1000 * 1000 };
        nanosleep(&nap, NULL);
    }
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = read_fd(out);
    r.err = read_fd(err);
done:
    if (in >= 0)
        close(in);
    if (out >= 0)
        close(out);
    if (err >= 0)
        close(err);
    if (!r.out)
        r.out = strdup("");
    if (!r.err)
        r.err = strdup("");
    return r;
}

cli_result cli_exec(const char *prog, const char *cwd, const char *stdin_text,
                    const char *config_env, const char *const *argv)
{
    return exec_full(prog, cwd, stdin_text, config_env, NULL, argv, NULL, 0);
}

cli_result cli_exec_env(const char *cwd, const char *const *env, const char *const *argv)
{
    return exec_full(cli_binary(), cwd, NULL, NULL, env, argv, NULL, 0);
}

cli_result cli_exec_signal(const char *cwd, const char *const *argv, const char *signal_after,
                           int sig)
{
    return exec_full(cli_binary(), cwd, NULL, NULL, NULL, argv, signal_after, sig);
}

cli_result cli_run(const char *cwd, const char *arg, ...)
{
    const char *argv[32];
    size_t n = 0;
    argv[n++] = cli_binary();
    va_list ap;
    va_start(ap, arg);
    for (const char *a = arg; a && n < 31; a = va_arg(ap, const char *))
        argv[n++] = a;
    va_end(ap);
    argv[n] = NULL;
    return cli_exec(cli_binary(), cwd, NULL, NULL, argv);
}

void cli_result_free(cli_result *r)
{
    free(r->out);
    free(r->err);
    r->out = r->err = NULL;
}

int cli_write(const char *dir, const char *name, const char *text)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t len = strlen(text);
    int ok = fwrite(text, 1, len, f) == len;
    return (fclose(f) == 0 && ok) ? 0 : -1;
}

char *cli_slurp(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return lt_read_file(path, NULL);
}
