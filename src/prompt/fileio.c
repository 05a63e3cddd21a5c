/* File helpers for the prompt registry: whole-file reads, atomic replacement
 * (temp file, fsync, rename, fsync of the folder) and the advisory lock that
 * serialises writers across processes. */
#include "prompt/internal.h"

#include "core/alloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

void llmops__pr_errf(llmops__buf *err, const char *fmt, ...)
{
    if (!err)
        return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if (err->len)
        llmops__buf_puts(err, "; ");
    llmops__buf_append(err, msg, (size_t)n < sizeof msg ? (size_t)n : sizeof msg - 1);
}

char *llmops__pr_join(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    char *s = llmops__malloc(la + lb + 2);
    if (!s)
        return NULL;
    size_t n = 0;
    if (la) {
        memcpy(s, a, la);
        n = la;
        if (a[la - 1] != '/')
            s[n++] = '/';
    }
    memcpy(s + n, b, lb + 1);
    return s;
}

llmops_status llmops__pr_read_file(const char *path, size_t max, char **out, size_t *len,
                                   llmops__buf *err)
{
    *out = NULL;
    *len = 0;
    int fd;
    do
        fd = open(path, O_RDONLY | O_CLOEXEC);
    while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        if (errno == ENOENT)
            return LLMOPS_E_NOT_FOUND;
        llmops__pr_errf(err, "%s: cannot open: %s", path, strerror(errno));
        return LLMOPS_E_IO;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        llmops__pr_errf(err, "%s: not a regular file", path);
        close(fd);
        return LLMOPS_E_IO;
    }
    if ((uint64_t)st.st_size > max) {
        llmops__pr_errf(err, "%s: %lld bytes is more than the %zu allowed", path,
                        (long long)st.st_size, max);
        close(fd);
        return LLMOPS_E_LIMIT;
    }
    size_t cap = (size_t)st.st_size + 1, n = 0;
    char *buf = llmops__malloc(cap);
    if (!buf) {
        close(fd);
        return LLMOPS_E_NO_MEMORY;
    }
    for (;;) {
        if (n + 1 == cap) {
            /* The file grew since fstat: keep reading, within the limit. */
            if (cap > max) {
                llmops__pr_errf(err, "%s: more than the %zu bytes allowed", path, max);
                llmops__free(buf);
                close(fd);
                return LLMOPS_E_LIMIT;
            }
            size_t ncap = llmops__grow_cap(cap, cap + 1, 1);
            char *nb = ncap ? llmops__realloc(buf, ncap) : NULL;
            if (!nb) {
                llmops__free(buf);
                close(fd);
                return LLMOPS_E_NO_MEMORY;
            }
            buf = nb;
            cap = ncap;
        }
        ssize_t r = read(fd, buf + n, cap - 1 - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            llmops__pr_errf(err, "%s: read failed: %s", path, strerror(errno));
            llmops__free(buf);
            close(fd);
            return LLMOPS_E_IO;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return LLMOPS_OK;
}

static atomic_uint tmp_counter;

static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static void fsync_dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? llmops__strndup(path, slash == path ? 1 : (size_t)(slash - path))
                      : llmops__strdup(".");
    if (!dir)
        return;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        /* Best effort: some file systems refuse fsync on folders. */
        (void)fsync(fd);
        close(fd);
    }
    llmops__free(dir);
}

llmops_status llmops__pr_write_atomic(const char *path, const char *data, size_t len,
                                      llmops__buf *err)
{
    size_t pl = strlen(path);
    char *tmp = llmops__malloc(pl + 48);
    if (!tmp)
        return LLMOPS_E_NO_MEMORY;
    unsigned k = atomic_fetch_add(&tmp_counter, 1);
    snprintf(tmp, pl + 48, "%s.tmp.%ld.%u", path, (long)getpid(), k);
    int fd;
    do
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        llmops__pr_errf(err, "%s: cannot create a temporary file beside it: %s", path,
                        strerror(errno));
        llmops__free(tmp);
        return LLMOPS_E_IO;
    }
    const char *what = NULL;
    if (write_all(fd, data, len) != 0)
        what = "write";
    else if (fsync(fd) != 0)
        what = "fsync";
    int e = errno;
    if (close(fd) != 0 && !what) {
        what = "close";
        e = errno;
    }
    if (!what && rename(tmp, path) != 0) {
        what = "rename";
        e = errno;
    }
    if (what) {
        unlink(tmp);
        llmops__pr_errf(err, "%s: %s failed: %s", path, what, strerror(e));
        llmops__free(tmp);
        return LLMOPS_E_IO;
    }
    llmops__free(tmp);
    fsync_dir_of(path);
    return LLMOPS_OK;
}

int llmops__pr_lock(const char *path, llmops__buf *err)
{
    int fd;
    do
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        llmops__pr_errf(err, "%s: cannot open the lock: %s", path, strerror(errno));
        return -1;
    }
    int r;
    do
        r = flock(fd, LOCK_EX);
    while (r != 0 && errno == EINTR);
    if (r != 0) {
        llmops__pr_errf(err, "%s: cannot take the lock: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

void llmops__pr_unlock(int fd)
{
    if (fd >= 0)
        close(fd);   /* closing the only descriptor releases the flock */
}
