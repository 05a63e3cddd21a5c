#include "testdata.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

const char *lt_testdata_dir(void)
{
    const char *env = getenv("LLMOPS_TESTDATA");
    return (env && *env) ? env : LLMOPS_TESTDATA_DEFAULT;
}

const char *lt_testdata_path(const char *rel)
{
    static char bufs[4][4096];
    static int next;
    char *buf = bufs[next++ & 3];
    struct stat st;
    int n = snprintf(buf, sizeof bufs[0], "%s/%s", lt_testdata_dir(), rel);
    if (n < 0 || (size_t)n >= sizeof bufs[0] || stat(buf, &st) != 0)
        return NULL;
    return buf;
}

char *lt_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *data = malloc(cap + 1);
    size_t got;
    while (data && (got = fread(data + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            char *bigger = realloc(data, cap * 2 + 1);
            if (!bigger) {
                free(data);
                data = NULL;
                break;
            }
            data = bigger;
            cap *= 2;
        }
    }
    fclose(f);
    if (!data)
        return NULL;
    data[n] = '\0';
    if (len)
        *len = n;
    return data;
}
