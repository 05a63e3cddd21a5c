/* Several processes promoting at once keep every update; many threads
 * loading and rendering share the cache safely while labels move. */
#include <criterion/criterion.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fixture.h"
#include "prompt/internal.h"

#define CHILDREN 6
#define PER_CHILD 8

static void setup(void)
{
    pf_mkdir();
}

static void teardown(void)
{
    pf_cleanup();
}

TestSuite(concurrency, .init = setup, .fini = teardown, .timeout = 120);

static llmops__pr_lockfile read_lock(void)
{
    char *text = pf_read("prompts.lock");
    cr_assert_not_null(text, "no lock file");
    llmops__pr_lockfile lf;
    llmops__buf err = LLMOPS__BUF_INIT;
    cr_assert_eq(llmops__pr_lock_parse(&lf, text, strlen(text), "prompts.lock", &err), LLMOPS_OK,
                 "%s", err.data ? err.data : "");
    llmops__buf_free(&err);
    free(text);
    return lf;
}

Test(concurrency, promotes_from_several_processes_all_kept)
{
    pf_write("shared.prompt", "[user]\nshared {{x}}\n");
    for (int i = 0; i < CHILDREN; i++) {
        char name[32], text[64];
        snprintf(name, sizeof name, "own%d.prompt", i);
        snprintf(text, sizeof text, "[user]\nown %d\n", i);
        pf_write(name, text);
    }
    pid_t pids[CHILDREN];
    for (int i = 0; i < CHILDREN; i++) {
        pids[i] = fork();
        cr_assert_neq(pids[i], -1, "fork failed");
        if (pids[i] == 0) {
            /* Each child its own registry (its own process), all on one lock file. */
            llmops__registry *reg = NULL;
            if (llmops__registry_open(pf_path(""), NULL, &reg, NULL) != LLMOPS_OK)
                _exit(10);
            int rc = 0;
            for (int j = 0; j < PER_CHILD && !rc; j++) {
                char label[32], own[32];
                snprintf(label, sizeof label, "c%d-%d", i, j);
                snprintf(own, sizeof own, "own%d", i);
                llmops__buf err = LLMOPS__BUF_INIT;
                if (llmops__registry_promote(reg, "shared", NULL, label, &err) != LLMOPS_OK ||
                    llmops__registry_promote(reg, own, NULL, label, &err) != LLMOPS_OK) {
                    fprintf(stderr, "child %d: %s\n", i, err.data ? err.data : "?");
                    rc = 11;
                }
                llmops__buf_free(&err);
            }
            llmops__registry_free(reg);
            _exit(rc);
        }
    }
    for (int i = 0; i < CHILDREN; i++) {
        int status = 0;
        cr_assert_eq(waitpid(pids[i], &status, 0), pids[i]);
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child %d failed (status %d)", i,
                  status);
    }
    llmops__pr_lockfile lf = read_lock();
    const llmops__pr_entry *e = llmops__pr_lock_find(&lf, "shared");
    cr_assert_not_null(e);
    cr_assert_eq(e->label_count, CHILDREN * PER_CHILD, "%zu labels kept", e->label_count);
    cr_assert_eq(e->history_count, CHILDREN * PER_CHILD, "%zu history entries kept",
                 e->history_count);
    for (int i = 0; i < CHILDREN; i++) {
        char own[32];
        snprintf(own, sizeof own, "own%d", i);
        const llmops__pr_entry *o = llmops__pr_lock_find(&lf, own);
        cr_assert_not_null(o, "%s lost", own);
        cr_assert_eq(o->label_count, PER_CHILD);
        cr_assert_eq(o->history_count, PER_CHILD);
    }
    cr_assert_eq(lf.count, CHILDREN + 1);
    llmops__pr_lock_free(&lf);
    /* No temp file was left behind. */
    llmops__prompt_list l;
    llmops__registry *reg = NULL;
    cr_assert_eq(llmops__registry_open(pf_path(""), NULL, &reg, NULL), LLMOPS_OK);
    cr_assert_eq(llmops__registry_list(reg, &l, NULL), LLMOPS_OK);
    cr_assert_eq(l.count, CHILDREN + 1);
    llmops__prompt_list_free(&l);
    llmops__registry_free(reg);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "ls -a '%s' | grep -c tmp", pf_path(""));
    FILE *f = popen(cmd, "r");
    int tmp = -1;
    cr_assert_eq(fscanf(f, "%d", &tmp), 1);
    pclose(f);
    cr_assert_eq(tmp, 0, "temporary files left behind");
}

#define THREADS 8
#define ROUNDS 300

typedef struct shared {
    llmops__registry *reg;
    char v1[65];
    char prefix[16];
    llmops__prompt *ref;   /* what "x" loads to: the cache must hand out this one */
    int failures;
    pthread_mutex_t mu;
} shared;

static void fail(shared *s, const char *what, const llmops__buf *err)
{
    pthread_mutex_lock(&s->mu);
    if (s->failures++ < 5)
        fprintf(stderr, "%s: %s\n", what, err && err->data ? err->data : "");
    pthread_mutex_unlock(&s->mu);
}

static void *loader(void *arg)
{
    shared *s = arg;
    llmops__prompt_messages m = LLMOPS__PROMPT_MESSAGES_INIT;
    llmops_json_doc *in = NULL;
    llmops_json_parse(&in, "{\"q\":\"hi\"}", 10, NULL, NULL);
    llmops__buf err = LLMOPS__BUF_INIT;
    for (int i = 0; i < ROUNDS; i++) {
        const char *refs[] = { "x", "x@production", s->prefix };
        for (int r = 0; r < 3; r++) {
            llmops__prompt *p = NULL;
            llmops__buf_clear(&err);
            if (llmops__registry_load(s->reg, refs[r], &p, &err) != LLMOPS_OK) {
                fail(s, refs[r], &err);
                continue;
            }
            if (strcmp(llmops__prompt_version(p), s->v1) != 0)
                fail(s, "wrong version", NULL);
            if (r == 0 && p != s->ref)
                fail(s, "working file not served from the cache", NULL);
            if (llmops__prompt_render(p, llmops_json_doc_root(in), &m, &err) != LLMOPS_OK ||
                m.count != 1 || strcmp(m.items[0].text, "say hi") != 0)
                fail(s, "render", &err);
            llmops__prompt_release(p);
        }
    }
    llmops__buf_free(&err);
    llmops__prompt_messages_free(&m);
    llmops_json_doc_free(in);
    return NULL;
}

static void *promoter(void *arg)
{
    shared *s = arg;
    static _Atomic int next;
    for (int i = 0; i < 10; i++) {
        char label[32];
        snprintf(label, sizeof label, "t%d", next++);
        llmops__buf err = LLMOPS__BUF_INIT;
        if (llmops__registry_promote(s->reg, "x", NULL, label, &err) != LLMOPS_OK)
            fail(s, "promote", &err);
        llmops__buf_free(&err);
    }
    return NULL;
}

Test(concurrency, threads_share_loads_while_labels_move)
{
    pf_need_yaml();
    pf_write("x.prompt", "---\nmodel: fast\n---\n[user]\nsay {{q}}\n");
    shared s;
    memset(&s, 0, sizeof s);
    pthread_mutex_init(&s.mu, NULL);
    cr_assert_eq(llmops__registry_open(pf_path(""), NULL, &s.reg, NULL), LLMOPS_OK);
    cr_assert_eq(llmops__registry_promote(s.reg, "x", NULL, "production", NULL), LLMOPS_OK);
    cr_assert_eq(llmops__registry_hash(s.reg, "x", s.v1, NULL), LLMOPS_OK);
    snprintf(s.prefix, sizeof s.prefix, "x@%.8s", s.v1);
    cr_assert_eq(llmops__registry_load(s.reg, "x", &s.ref, NULL), LLMOPS_OK);

    pthread_t t[THREADS + 2];
    for (int i = 0; i < THREADS; i++)
        cr_assert_eq(pthread_create(&t[i], NULL, loader, &s), 0);
    for (int i = THREADS; i < THREADS + 2; i++)
        cr_assert_eq(pthread_create(&t[i], NULL, promoter, &s), 0);
    for (int i = 0; i < THREADS + 2; i++)
        pthread_join(t[i], NULL);
    cr_assert_eq(s.failures, 0, "%d failures (first ones on stderr)", s.failures);

    llmops__pr_lockfile lf = read_lock();
    const llmops__pr_entry *e = llmops__pr_lock_find(&lf, "x");
    cr_assert_eq(e->label_count, 21, "%zu labels", e->label_count);
    cr_assert_eq(e->history_count, 21);
    llmops__pr_lock_free(&lf);
    llmops__prompt_release(s.ref);
    llmops__registry_free(s.reg);
    pthread_mutex_destroy(&s.mu);
}
