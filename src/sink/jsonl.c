/* JSONL trace sink with size-based rotation; see jsonl.h for the locking
 * protocol between threads (mutex) and processes (flock on <path>.lock). */
#include "sink/jsonl.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/alloc.h"

#define DEFAULT_MAX_BYTES (64ull * 1024 * 1024)
#define DEFAULT_MAX_FILES 5u

struct llmops__jsonl {
    pthread_mutex_t mu;
    char *path;
    char *lock_path;
    size_t path_len;
    int fd;          /* current file, -1 when it must be (re)opened */
    int lock_fd;
    uint64_t max_bytes;
    unsigned max_files;
    uint64_t errors;
    llmops__buf line;      /* reused under mu */
    llmops__buf last_err;
    char *name_from, *name_to; /* rotation names, path_len + 12 bytes each */
    int mu_ready;
};

static int open_append(const char *path)
{
    int fd;
    do
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    while (fd < 0 && errno == EINTR);
    return fd;
}

static int lock_file(int fd, int op)
{
    int rc;
    do
        rc = flock(fd, op);
    while (rc != 0 && errno == EINTR);
    return rc;
}

llmops_status llmops__jsonl_open(const char *path, uint64_t max_bytes, unsigned max_files,
                                 llmops__jsonl **out, llmops__buf *err)
{
    if (!path || !*path || !out) {
        if (err)
            llmops__buf_puts(err, "jsonl sink: a path and an output pointer are required");
        return LLMOPS_E_INVALID_ARGUMENT;
    }
    *out = NULL;
    llmops__jsonl *s = llmops__calloc(1, sizeof *s);
    if (!s)
        return LLMOPS_E_NO_MEMORY;
    s->fd = -1;
    s->lock_fd = -1;
    s->max_bytes = max_bytes ? max_bytes : DEFAULT_MAX_BYTES;
    s->max_files = max_files ? max_files : DEFAULT_MAX_FILES;
    s->path = llmops__strdup(path);
    s->path_len = strlen(path);
    s->lock_path = llmops__malloc(s->path_len + 6);
    s->name_from = llmops__malloc(s->path_len + 12);
    s->name_to = llmops__malloc(s->path_len + 12);
    if (!s->path || !s->lock_path || !s->name_from || !s->name_to) {
        llmops__jsonl_close(s);
        return LLMOPS_E_NO_MEMORY;
    }
    memcpy(s->lock_path, path, s->path_len);
    memcpy(s->lock_path + s->path_len, ".lock", 6);
    const char *failed = NULL;
    s->fd = open_append(path);
    if (s->fd < 0)
        failed = path;
    else {
        s->lock_fd = open(s->lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (s->lock_fd < 0)
            failed = s->lock_path;
    }
    if (failed) {
        int e = errno;
        if (err)
            llmops__buf_printf(err, "jsonl sink: cannot open '%s': %s", failed, strerror(e));
        llmops__jsonl_close(s);
        return LLMOPS_E_IO;
    }
    pthread_mutex_init(&s->mu, NULL);
    s->mu_ready = 1;
    *out = s;
    return LLMOPS_OK;
}

/* Under mu. Records a failed write; returns LLMOPS_E_IO. */
static llmops_status fail(llmops__jsonl *s, const char *what, const char *file, int e)
{
    s->errors++;
    llmops__buf_clear(&s->last_err);
    llmops__buf_printf(&s->last_err, "jsonl sink: %s '%s': %s", what, file, strerror(e));
    return LLMOPS_E_IO;
}

/* Under mu and the flock. Reopens when the path now names another file
 * (rotated by another process) or none (deleted). Returns 0 or errno. */
static int ensure_current(llmops__jsonl *s)
{
    struct stat at_path, ours;
    if (s->fd >= 0 && stat(s->path, &at_path) == 0 && fstat(s->fd, &ours) == 0 &&
        at_path.st_ino == ours.st_ino && at_path.st_dev == ours.st_dev)
        return 0;
    if (s->fd >= 0)
        close(s->fd);
    s->fd = open_append(s->path);
    return s->fd < 0 ? errno : 0;
}

/* Writes "<path>.<n>" into `name` (sized path_len + 12). */
static void numbered(const llmops__jsonl *s, unsigned n, char *name, size_t cap)
{
    snprintf(name, cap, "%s.%u", s->path, n);
}

/* Under mu and the exclusive flock: path.(k) -> path.(k+1), path -> path.1;
 * the rename onto path.<max_files> drops the oldest. Returns 0 or errno. */
static int rotate(llmops__jsonl *s)
{
    size_t cap = s->path_len + 12;
    char *from = s->name_from, *to = s->name_to;
    for (unsigned k = s->max_files - 1; k >= 1; k--) {
        numbered(s, k, from, cap);
        numbered(s, k + 1, to, cap);
        if (rename(from, to) != 0 && errno != ENOENT)
            return errno;
    }
    numbered(s, 1, to, cap);
    if (rename(s->path, to) != 0 && errno != ENOENT)
        return errno;
    if (s->fd >= 0)
        close(s->fd);
    s->fd = open_append(s->path);
    return s->fd < 0 ? errno : 0;
}

/* Under mu and a flock. 1 when appending `len` bytes would pass max_bytes
 * (a line alone larger than max_bytes goes into an empty file). */
static int would_overflow(const llmops__jsonl *s, size_t len)
{
    struct stat st;
    if (fstat(s->fd, &st) != 0)
        return 0;
    return st.st_size > 0 && (uint64_t)st.st_size + len > s->max_bytes;
}

static llmops_status write_line(llmops__jsonl *s)
{
    const char *p = s->line.data;
    size_t left = s->line.len;
    /* O_APPEND makes one write() atomic with respect to other appenders; a
     * short write (disk full) leaves a partial line we report, not retry,
     * so a retry cannot land between another writer's lines. */
    ssize_t n;
    do
        n = write(s->fd, p, left);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return fail(s, "cannot write", s->path, errno);
    if ((size_t)n != left)
        return fail(s, "short write (disk full?) to", s->path, ENOSPC);
    return LLMOPS_OK;
}

llmops_status llmops__jsonl_write(llmops__jsonl *s, const llmops__span *span)
{
    if (!s || !span)
        return LLMOPS_E_INVALID_ARGUMENT;
    pthread_mutex_lock(&s->mu);
    llmops__buf_clear(&s->line);
    llmops__span_to_json(span, &s->line);
    llmops__buf_putc(&s->line, '\n');
    llmops_status st;
    if (s->line.failed) {
        s->errors++;
        st = LLMOPS_E_NO_MEMORY;
        goto out;
    }
    if (lock_file(s->lock_fd, LOCK_SH) != 0) {
        st = fail(s, "cannot lock", s->lock_path, errno);
        goto out;
    }
    int e = ensure_current(s);
    if (e) {
        st = fail(s, "cannot reopen", s->path, e);
        goto unlock;
    }
    if (would_overflow(s, s->line.len)) {
        /* flock upgrade is not atomic: re-check under the exclusive lock,
         * another process may have rotated meanwhile. */
        if (lock_file(s->lock_fd, LOCK_EX) != 0) {
            st = fail(s, "cannot lock", s->lock_path, errno);
            goto unlock;
        }
        e = ensure_current(s);
        if (!e && would_overflow(s, s->line.len))
            e = rotate(s);
        if (e) {
            st = fail(s, "cannot rotate", s->path, e);
            goto unlock;
        }
    }
    st = write_line(s);
unlock:
    lock_file(s->lock_fd, LOCK_UN);
out:
    pthread_mutex_unlock(&s->mu);
    return st;
}

uint64_t llmops__jsonl_errors(llmops__jsonl *s)
{
    if (!s)
        return 0;
    pthread_mutex_lock(&s->mu);
    uint64_t n = s->errors;
    pthread_mutex_unlock(&s->mu);
    return n;
}

void llmops__jsonl_last_error(llmops__jsonl *s, llmops__buf *out)
{
    if (!s || !out)
        return;
    pthread_mutex_lock(&s->mu);
    if (s->last_err.len)
        llmops__buf_append(out, s->last_err.data, s->last_err.len);
    pthread_mutex_unlock(&s->mu);
}

void llmops__jsonl_close(llmops__jsonl *s)
{
    if (!s)
        return;
    if (s->fd >= 0)
        close(s->fd);
    if (s->lock_fd >= 0)
        close(s->lock_fd);
    if (s->mu_ready)
        pthread_mutex_destroy(&s->mu);
    llmops__buf_free(&s->line);
    llmops__buf_free(&s->last_err);
    llmops__free(s->path);
    llmops__free(s->lock_path);
    llmops__free(s->name_from);
    llmops__free(s->name_to);
    llmops__free(s);
}
