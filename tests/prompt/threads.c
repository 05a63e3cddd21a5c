/* The registry shared by threads, as a plain program so ThreadSanitizer
 * builds can run it (Criterion's runner cannot start under TSan): loaders
 * by name, label and prefix render while other threads promote, roll back
 * and rewrite the working file. Exit status 0 when every check held. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "prompt/internal.h"
#include "prompt/registry.h"

#define LOADERS 6
#define ROUNDS 200
#define PROMOTES 12

static char dir[64];
static llmops__registry *reg;
static char v1[65], prefix[16];
static atomic_int failures;
static atomic_int writers_done;

static void fail(const char *what, const llmops__buf *err)
{
    if (atomic_fetch_add(&failures, 1) < 10)
        fprintf(stderr, "prompt-threads: %s: %s\n", what, err && err->data ? err->data : "");
}

static void write_file(const char *rel, const char *text)
{
    char path[128], tmp[140];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    snprintf(tmp, sizeof tmp, "%s.w", path);
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        fail("cannot write", NULL);
        return;
    }
    fputs(text, f);
    fclose(f);
    rename(tmp, path);   /* readers see the old or the new file, never half */
}

static void *loader(void *arg)
{
    (void)arg;
    llmops__prompt_messages m = LLMOPS__PROMPT_MESSAGES_INIT;
    llmops_json_doc *in = NULL;
    llmops_json_parse(&in, "{\"q\":\"hi\"}", 10, NULL, NULL);
    llmops__buf err = LLMOPS__BUF_INIT;
    for (int i = 0; i < ROUNDS; i++) {
        const char *refs[] = { "x", "x@production", prefix };
        for (int r = 0; r < 3; r++) {
            llmops__prompt *p = NULL;
            llmops__buf_clear(&err);
            if (llmops__registry_load(reg, refs[r], &p, &err) != LLMOPS_OK) {
                fail(refs[r], &err);
                continue;
            }
            /* The working file changes under us; the prefix never moves. */
            if (r == 2 && strcmp(llmops__prompt_version(p), v1) != 0)
                fail("prefix resolved to another version", NULL);
            if (llmops__prompt_render(p, llmops_json_doc_root(in), &m, &err) != LLMOPS_OK ||
                m.count != 1 || strncmp(m.items[0].text, "say", 3) != 0)
                fail("render", &err);
            llmops__prompt_release(p);
        }
        if (i % 50 == 0) {
            llmops__prompt_list l;
            if (llmops__registry_list(reg, &l, &err) != LLMOPS_OK || l.count != 1)
                fail("list", &err);
            else
                llmops__prompt_list_free(&l);
        }
    }
    llmops__buf_free(&err);
    llmops__prompt_messages_free(&m);
    llmops_json_doc_free(in);
    return NULL;
}

static void *promoter(void *arg)
{
    int id = (int)(size_t)arg;
    for (int i = 0; i < PROMOTES; i++) {
        char label[32];
        snprintf(label, sizeof label, "t%d-%d", id, i);
        llmops__buf err = LLMOPS__BUF_INIT;
        if (llmops__registry_promote(reg, "x", NULL, label, &err) != LLMOPS_OK)
            fail("promote", &err);
        if (i % 3 == 2 && llmops__registry_promote(reg, "x", NULL, "production", &err) != LLMOPS_OK)
            fail("promote production", &err);
        llmops__buf_free(&err);
    }
    atomic_fetch_add(&writers_done, 1);
    return NULL;
}

static void *editor(void *arg)
{
    (void)arg;
    for (int i = 0; i < 40; i++) {
        char text[64];
        snprintf(text, sizeof text, "[user]\nsay {{q}} %d\n", i);
        write_file("x.prompt", text);
        usleep(500);
    }
    return NULL;
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/llmops-prompt-threads-XXXXXX");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 2;
    }
    write_file("x.prompt", "[user]\nsay {{q}}\n");
    llmops__buf err = LLMOPS__BUF_INIT;
    if (llmops__registry_open(dir, NULL, &reg, &err) != LLMOPS_OK ||
        llmops__registry_promote(reg, "x", NULL, "production", &err) != LLMOPS_OK ||
        llmops__registry_hash(reg, "x", v1, &err) != LLMOPS_OK) {
        fprintf(stderr, "setup: %s\n", err.data ? err.data : "");
        return 2;
    }
    snprintf(prefix, sizeof prefix, "x@%.8s", v1);

    pthread_t t[LOADERS + 3];
    for (int i = 0; i < LOADERS; i++)
        pthread_create(&t[i], NULL, loader, NULL);
    pthread_create(&t[LOADERS], NULL, promoter, (void *)(size_t)0);
    pthread_create(&t[LOADERS + 1], NULL, promoter, (void *)(size_t)1);
    pthread_create(&t[LOADERS + 2], NULL, editor, NULL);
    for (int i = 0; i < LOADERS + 3; i++)
        pthread_join(t[i], NULL);

    /* Every promotion is in the lock file. */
    llmops__pr_lockfile lf;
    char lock[128];
    snprintf(lock, sizeof lock, "%s/prompts.lock", dir);
    if (llmops__pr_lock_load(&lf, lock, &err) != LLMOPS_OK) {
        fail("lock", &err);
    } else {
        const llmops__pr_entry *e = llmops__pr_lock_find(&lf, "x");
        if (!e || e->label_count != 2 * PROMOTES + 1)
            fail("labels lost", NULL);
        llmops__pr_lock_free(&lf);
    }
    llmops__buf_free(&err);
    llmops__registry_free(reg);

    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "prompt-threads: could not remove %s\n", dir);
    int f = atomic_load(&failures);
    printf("prompt-threads: %d loaders x %d rounds, 2 promoters, 1 editor: %d failures\n",
           LOADERS, ROUNDS, f);
    return f ? 1 : 0;
}
