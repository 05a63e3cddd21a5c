/* Temporary prompt folders: made with mkdtemp, removed recursively. */
#include "fixture.h"

#include "llmops_config.h"

#include <criterion/criterion.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[256];

const char *pf_mkdir(void)
{
    snprintf(dir, sizeof dir, "/tmp/llmops-prompt-XXXXXX");
    cr_assert_not_null(mkdtemp(dir), "mkdtemp failed");
    return dir;
}

static void rm_rf(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        struct dirent *de;
        while (d && (de = readdir(d)) != NULL) {
            if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                continue;
            char child[1024];
            snprintf(child, sizeof child, "%s/%s", path, de->d_name);
            rm_rf(child);
        }
        if (d)
            closedir(d);
        rmdir(path);
    } else {
        unlink(path);
    }
}

void pf_cleanup(void)
{
    if (dir[0] && strncmp(dir, "/tmp/llmops-prompt-", 19) == 0)
        rm_rf(dir);
    dir[0] = '\0';
}

const char *pf_path(const char *rel)
{
    static char bufs[4][1024];
    static int next;
    char *b = bufs[next++ & 3];
    snprintf(b, 1024, "%s/%s", dir, rel);
    return b;
}

void pf_write(const char *rel, const char *text)
{
    const char *p = pf_path(rel);
    FILE *f = fopen(p, "wb");
    cr_assert_not_null(f, "cannot write %s", p);
    fwrite(text, 1, strlen(text), f);
    fclose(f);
}

char *pf_read(const char *rel)
{
    FILE *f = fopen(pf_path(rel), "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    size_t got = fread(s, 1, (size_t)n, f);
    s[got] = '\0';
    fclose(f);
    return s;
}

int pf_exists(const char *rel)
{
    struct stat st;
    return stat(pf_path(rel), &st) == 0;
}

llmops_status pf_parse(const char *src, llmops__prompt **out, llmops__buf *err)
{
    return llmops__prompt_parse(out, "t", "t.prompt", src, strlen(src), err);
}

void pf_need_yaml(void)
{
#if !LLMOPS_HAVE_YAML
    cr_skip_test("this libllmops is built without libyaml, and front-matter needs it");
#endif
}
