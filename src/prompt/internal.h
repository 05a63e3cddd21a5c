/* Declarations shared by the prompt registry's own files (file I/O, the lock
 * file model, the line diff). Not for use outside src/prompt/. */
#ifndef LLMOPS_PROMPT_INTERNAL_H
#define LLMOPS_PROMPT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "llmops/common.h"
#include "core/strbuf.h"

/* ---- errors (fileio.c) -------------------------------------------------- */

/* Append a message to `err` (NULL-safe), separating it from earlier text. */
void llmops__pr_errf(llmops__buf *err, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* ---- files (fileio.c) --------------------------------------------------- */

/* Read the whole file at `path` (at most `max` bytes) into a NUL-terminated
 * *out (llmops__free). A missing file is LLMOPS_E_NOT_FOUND with no message
 * written, so callers can say what was missing in their own words. */
llmops_status llmops__pr_read_file(const char *path, size_t max, char **out, size_t *len,
                                   llmops__buf *err);

/* Replace `path` with `len` bytes atomically: a temp file in the same
 * folder, fsync, rename over `path`, fsync of the folder. */
llmops_status llmops__pr_write_atomic(const char *path, const char *data, size_t len,
                                      llmops__buf *err);

/* "<a>/<b>" (or "<b>" when a is empty); NULL when out of memory. */
char *llmops__pr_join(const char *a, const char *b);

/* Exclusive advisory lock (flock) on `path`, created when missing. Returns
 * the descriptor to pass to llmops__pr_unlock, or -1 with a message. */
int llmops__pr_lock(const char *path, llmops__buf *err);
void llmops__pr_unlock(int fd);

/* ---- lock file (lockfile.c) --------------------------------------------- */

enum { LLMOPS__PR_PROMOTE = 0, LLMOPS__PR_ROLLBACK = 1 };

typedef struct llmops__pr_event {
    char *label;
    char version[65];
    char previous[65];   /* "" for null */
    char at[32];
    int action;          /* LLMOPS__PR_PROMOTE or LLMOPS__PR_ROLLBACK */
} llmops__pr_event;

/* The name each record is sorted by comes first (lockfile.c searches on it). */
typedef struct llmops__pr_label {
    char *label;
    char version[65];
} llmops__pr_label;

typedef struct llmops__pr_entry {
    char *name;
    llmops__pr_label *labels;   /* sorted by label */
    size_t label_count, label_cap;
    llmops__pr_event *history;  /* in file order (oldest first) */
    size_t history_count, history_cap;
} llmops__pr_entry;

typedef struct llmops__pr_lockfile {
    llmops__pr_entry *entries;  /* sorted by name */
    size_t count, cap;
} llmops__pr_lockfile;

/* Parse lock-file text; `file` names it in messages. Errors:
 * LLMOPS_E_CONFIG (not JSON, or not the lock-file shape: the message gives
 * line:column or the key path), LLMOPS_E_NO_MEMORY. */
llmops_status llmops__pr_lock_parse(llmops__pr_lockfile *out, const char *text, size_t len,
                                    const char *file, llmops__buf *err);
/* Read and parse the lock file at `path`; a missing file is an empty one. */
llmops_status llmops__pr_lock_load(llmops__pr_lockfile *out, const char *path,
                                   llmops__buf *err);
/* Serialise as pretty JSON with sorted keys and a final newline. */
llmops_status llmops__pr_lock_write(const llmops__pr_lockfile *lf, char **out, size_t *len);
void llmops__pr_lock_free(llmops__pr_lockfile *lf);

const llmops__pr_entry *llmops__pr_lock_find(const llmops__pr_lockfile *lf, const char *name);
const char *llmops__pr_lock_label(const llmops__pr_entry *e, const char *label);

/* Move `label` of `name` to `version`, recording `previous` (the label's
 * old version or "") with `action`, at the current time. */
llmops_status llmops__pr_lock_set(llmops__pr_lockfile *lf, const char *name, const char *label,
                                  const char *version, int action);

/* The version a rollback of `label` returns to: the history of the label
 * replayed as a stack (a promotion pushes, a rollback pops), one below its
 * top; when the top is not the label's current version (a hand edit), the
 * top itself. 0 with `out` filled, -1 when there is none, -2 out of memory. */
int llmops__pr_lock_rollback_target(const llmops__pr_entry *e, const char *label,
                                    char out[65]);

/* Parse an RFC 3339 time ("2026-11-23T18:00:00.123456Z", any offset or
 * fraction) into nanoseconds since the Unix epoch. 0 ok, -1 malformed. */
int llmops__pr_parse_time(const char *s, int64_t *ns);

/* 1 if `s` is exactly 64 lowercase hex digits. */
int llmops__pr_is_hash(const char *s, size_t len);

/* ---- diff (diff.c) ------------------------------------------------------ */

/* Append the hunks of a unified line diff of `a` and `b` (3 lines of
 * context) to `out`; nothing when they are equal. Minimal up to
 * `max_edits` edits, then the rest of the middle is one replaced block. */
llmops_status llmops__pr_line_diff(const char *a, size_t alen, const char *b, size_t blen,
                                   size_t max_edits, llmops__buf *out);

#endif
