/* JSONL trace sink: one span per line (llmops__span_to_json), appended to a
 * file that rotates by size (path -> path.1 -> ... -> path.<max_files>, the
 * oldest dropped). Every line goes out in one write() on an O_APPEND
 * descriptor, so threads and processes sharing the file never interleave
 * partial lines. Rotation takes an exclusive flock on "<path>.lock"; writers
 * hold it shared, so a line never lands in a file being rotated away. A
 * writer notices a rotated or deleted file (inode change) and reopens.
 * Writers check the size under the shared lock, so with several processes a
 * file may pass max_bytes by the lines written in that window; a line longer
 * than max_bytes gets a file of its own. The lock file stays (another
 * process may hold it). */
#ifndef LLMOPS_SINK_JSONL_H
#define LLMOPS_SINK_JSONL_H

#include <stdint.h>

#include "core/strbuf.h"
#include "llmops/common.h"
#include "trace/span.h"

typedef struct llmops__jsonl llmops__jsonl;

/* max_bytes 0 means 64 MiB; max_files (rotations kept) 0 means 5. Errors:
 * LLMOPS_E_IO naming the file and the errno text (also in `err` when
 * non-NULL), LLMOPS_E_INVALID_ARGUMENT, LLMOPS_E_NO_MEMORY. */
llmops_status llmops__jsonl_open(const char *path, uint64_t max_bytes, unsigned max_files,
                                 llmops__jsonl **out, llmops__buf *err);

/* Thread-safe. LLMOPS_E_IO when the line could not be written whole (disk
 * full, permission); the failure is counted and its text kept for
 * llmops__jsonl_last_error. */
llmops_status llmops__jsonl_write(llmops__jsonl *sink, const llmops__span *s);

/* Failed writes since open. */
uint64_t llmops__jsonl_errors(llmops__jsonl *sink);

/* Appends the text of the last write error ("" when none) to `out`. */
void llmops__jsonl_last_error(llmops__jsonl *sink, llmops__buf *out);

void llmops__jsonl_close(llmops__jsonl *sink);

#endif
