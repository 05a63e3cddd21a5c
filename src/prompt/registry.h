/*
 * The prompt registry: prompt files, content-hash versions, labels kept in a
 * lock file, a content-addressed store of every labelled version, promote,
 * rollback, diff, and rendering a prompt into role messages.
 *
 * Layout of a prompt folder <dir>:
 *   <dir>/<name>.prompt          the working file of prompt <name>
 *                                (name: [a-z0-9][a-z0-9._-]*, at most 128 bytes)
 *   <dir>/prompts.lock           labels and their history (path configurable)
 *   <dir>/prompts.lock.lk        advisory lock (flock) serialising writers
 *   <dir>/.versions/<hash>.prompt the exact bytes of every version a label has
 *                                ever pointed at
 *
 * Prompt file: an optional YAML front-matter between a first line "---" and
 * the next line "---" (a mapping with only the keys description, model,
 * params, input_schema, output, tools), then role sections. A line that is
 * exactly "[system]", "[user]" or "[assistant]" (trailing blanks allowed)
 * starts a section; its text runs to the next such line, without the line
 * end before it, and the last section's text ends without the file's final
 * line end. Non-blank text before the first section is an error; so is a
 * file with no section, and a NUL byte or invalid UTF-8 anywhere. Each
 * section is a Mustache template. A leading byte order mark is ignored;
 * "\r\n" line ends are accepted (the "\r" stays inside section text).
 *
 * Version: lowercase hex SHA-256 of the canonical JSON of
 *   {"front": <front-matter as JSON, {} when absent or empty>,
 *    "sections": [{"role": "system"|"user"|"assistant", "text": "..."}]}
 * so reformatting the YAML keeps the version and any text change moves it.
 *
 * Refs: "name" (the working file as it is now), "name@<label>" (the version
 * the lock file's label points at), "name@<hex>" (a version by its full hash
 * or by a unique prefix of at least 8 lowercase hex digits, among the
 * versions in the name's lock history and its working file). After "@", 8 or
 * more hex digits always mean a hash; a shorter word means a label. Labels
 * are [a-z0-9][a-z0-9._-]* and may not be 8 or more hex digits only.
 *
 * Lock file: pretty JSON with sorted keys and a final newline:
 *   {"prompts": {"<name>": {"history": [{"action": "promote"|"rollback",
 *     "at": "<RFC 3339 UTC>", "label": "...", "previous": "<hash>"|null,
 *     "version": "<hash>"}, ...], "labels": {"<label>": "<hash>"}}},
 *    "version": 1}
 * "action" extends the history entry so rollback can walk back through
 * promotions (a rollback pops, a promotion pushes); entries without it read
 * as promotions. A missing lock file is an empty one.
 *
 * Errors (messages go to `err`, an llmops__buf that may be NULL, appended
 * after "; " when it already holds text; they name the file and place):
 *   LLMOPS_E_NOT_FOUND        no such prompt, label or version (says which),
 *                             a missing partial or variable while rendering,
 *                             a label whose version is missing from the store
 *                             (names the lock file and the store path), a
 *                             rollback with no earlier version
 *   LLMOPS_E_PARSE            front-matter or template (file:line:column)
 *   LLMOPS_E_IO               a file could not be read or written (names it)
 *   LLMOPS_E_CONFIG           a corrupt lock file, or a store file whose
 *                             content does not match its name
 *   LLMOPS_E_INVALID_ARGUMENT a malformed ref, name or label; a hash prefix
 *                             shorter than 8 digits or matching several
 *                             versions (the message lists them)
 *   LLMOPS_E_LIMIT            a prompt file larger than LLMOPS__PROMPT_MAX_BYTES,
 *                             YAML past its limits, rendered text past the
 *                             messages buffer's limit
 *   LLMOPS_E_UNSUPPORTED      a front-matter in a build without libyaml
 *   LLMOPS_E_NO_MEMORY
 *
 * Thread-safety: a registry may be used from any number of threads at once
 * (load, hash, list, diff, history, promote and rollback), except free, which must
 * come last. Loaded prompts are immutable and reference-counted: share them
 * between threads freely; each llmops__registry_load result is released
 * with llmops__prompt_release, and a prompt may outlive its registry.
 * promote and rollback are also safe between processes: they hold an
 * exclusive flock on <lock>.lk while they read, change and atomically
 * replace the lock file (temp file, fsync, rename, fsync of the folder).
 */
#ifndef LLMOPS_PROMPT_REGISTRY_H
#define LLMOPS_PROMPT_REGISTRY_H

#include <stddef.h>

#include "llmops/common.h"
#include "llmops/json.h"
#include "llmops/provider.h"
#include "core/strbuf.h"

#define LLMOPS__PROMPT_MAX_BYTES ((size_t)4 << 20)
#define LLMOPS__PROMPT_NAME_MAX 128
#define LLMOPS__PROMPT_MIN_PREFIX 8

typedef struct llmops__registry llmops__registry;
typedef struct llmops__prompt llmops__prompt;

/* ---- prompts ------------------------------------------------------------ */

/* Parse a prompt from `len` bytes of `src` (copied). `name` is the prompt's
 * name; `file` names the source in messages (e.g. "prompts/x.prompt").
 * The result has one reference, released with llmops__prompt_release. */
llmops_status llmops__prompt_parse(llmops__prompt **out, const char *name, const char *file,
                                   const char *src, size_t len, llmops__buf *err);

void llmops__prompt_retain(llmops__prompt *p);
void llmops__prompt_release(llmops__prompt *p);   /* NULL is a no-op */

const char *llmops__prompt_name(const llmops__prompt *p);
const char *llmops__prompt_version(const llmops__prompt *p);   /* 64 hex digits */
/* The exact bytes the prompt was parsed from (NUL-terminated). */
const char *llmops__prompt_source(const llmops__prompt *p, size_t *len);

/* The front-matter as JSON (an object, {} when absent), borrowed from `p`. */
const llmops_json *llmops__prompt_front(const llmops__prompt *p);
/* Front-matter fields, borrowed; NULL when the key is absent. */
const char *llmops__prompt_description(const llmops__prompt *p);
const char *llmops__prompt_model(const llmops__prompt *p);
const llmops_json *llmops__prompt_params(const llmops__prompt *p);        /* object */
const llmops_json *llmops__prompt_input_schema(const llmops__prompt *p);  /* object or bool */
/* {format: "text"|"json", schema, extract_json, max_length, required, forbidden} */
const llmops_json *llmops__prompt_output(const llmops__prompt *p);
const llmops_json *llmops__prompt_tools(const llmops__prompt *p);         /* array of strings */

size_t llmops__prompt_section_count(const llmops__prompt *p);
/* Section `i`: its role, its template text (borrowed, NUL-terminated) and the
 * 1-based line of the file where that text starts. Out of range: -1. */
int llmops__prompt_section(const llmops__prompt *p, size_t i, llmops_role *role,
                           const char **text, size_t *len, unsigned *line);
/* Every top-level name the sections reference, each once, in order of first
 * use (see llmops__tmpl_names); free with llmops__tmpl_names_free. */
llmops_status llmops__prompt_names(const llmops__prompt *p, char ***names, size_t *n);

/* Rendered messages. Reuse one across renders: its memory is kept, so a
 * warm render allocates nothing. Texts point into `text` and stay valid until
 * the next render into the same struct or its free. */
typedef struct llmops__prompt_message {
    llmops_role role;
    const char *text;   /* NUL-terminated */
    size_t len;
} llmops__prompt_message;

typedef struct llmops__prompt_messages {
    llmops__prompt_message *items;
    size_t count;
    size_t cap;
    llmops__buf text;   /* every message's text, each followed by a NUL */
} llmops__prompt_messages;

#define LLMOPS__PROMPT_MESSAGES_INIT { NULL, 0, 0, LLMOPS__BUF_INIT }

/* Render every section against `input` (any JSON value, usually an object;
 * NULL is an empty context) in prompt mode: nothing is escaped, and a
 * missing variable is LLMOPS_E_NOT_FOUND naming it, the section and the
 * file's line:column. On failure `out` holds no messages. */
llmops_status llmops__prompt_render(const llmops__prompt *p, const llmops_json *input,
                                    llmops__prompt_messages *out, llmops__buf *err);
void llmops__prompt_messages_free(llmops__prompt_messages *m);

/* ---- registry ----------------------------------------------------------- */

/* Open the prompt folder `dir` (it must exist). `lock_path` NULL means
 * <dir>/prompts.lock. The lock file is read and checked now (a corrupt one
 * is LLMOPS_E_CONFIG); prompt files are read when they are loaded. */
llmops_status llmops__registry_open(const char *dir, const char *lock_path,
                                    llmops__registry **out, llmops__buf *err);
void llmops__registry_free(llmops__registry *reg);   /* NULL is a no-op */

const char *llmops__registry_dir(const llmops__registry *reg);
const char *llmops__registry_lock_path(const llmops__registry *reg);

typedef struct llmops__prompt_label {
    char *label;
    char version[65];
} llmops__prompt_label;

typedef struct llmops__prompt_entry {
    char *name;
    int has_file;                  /* <dir>/<name>.prompt exists */
    char version[65];              /* the working file's version; "" when there
                                    * is no file or it does not parse */
    llmops__prompt_label *labels;  /* sorted by label */
    size_t label_count;
} llmops__prompt_entry;

typedef struct llmops__prompt_list {
    llmops__prompt_entry *items;   /* sorted by name */
    size_t count;
} llmops__prompt_list;

/* Names of the prompt files in the folder plus names only in the lock file,
 * each with its labels and its working file's version. Files whose names
 * are not valid prompt names are ignored. Free with llmops__prompt_list_free. */
llmops_status llmops__registry_list(llmops__registry *reg, llmops__prompt_list *out,
                                    llmops__buf *err);
void llmops__prompt_list_free(llmops__prompt_list *list);

/* Resolve and load `ref`. Parsed prompts are cached by content, so loading
 * the same bytes again (any ref) costs a read and a hash, not a parse; a
 * store version costs neither. The cache holds at most
 * LLMOPS__PROMPT_CACHE_MAX prompts and starts over when full.
 * *out gets a new reference (release it). */
#define LLMOPS__PROMPT_CACHE_MAX 1024
llmops_status llmops__registry_load(llmops__registry *reg, const char *ref, llmops__prompt **out,
                                    llmops__buf *err);

/* The version `ref` resolves to (64 hex digits and a NUL). */
llmops_status llmops__registry_hash(llmops__registry *reg, const char *ref, char out[65],
                                    llmops__buf *err);

/* A unified line diff (3 lines of context) of the two prompt files `ref_a`
 * and `ref_b`, appended to `out`: "--- <ref_a> <version>" and
 * "+++ <ref_b> <version>" headers, then "@@ -a,n +b,m @@" hunks; no hunk when
 * the files are identical. The diff is minimal (Myers O(ND)) up to
 * LLMOPS__DIFF_MAX_EDITS edits; past that the remaining middle is shown as
 * one replaced block, so time and memory stay bounded. */
#define LLMOPS__DIFF_MAX_EDITS 2000
llmops_status llmops__registry_diff(llmops__registry *reg, const char *ref_a, const char *ref_b,
                                    llmops__buf *out, llmops__buf *err);

/* Point `label` of prompt `name` at the version `ref` names: NULL or `name`
 * (the working file), "name@label", "name@<hex>", or a bare hash or prefix
 * of `name`'s versions. The version's bytes are copied into the store first
 * (when they come from the working file), then the label moves and a
 * history entry is appended. Promoting the version a label already points at
 * changes nothing. */
llmops_status llmops__registry_promote(llmops__registry *reg, const char *name, const char *ref,
                                       const char *label, llmops__buf *err);

/* Move `label` of `name` back to the version it pointed at before its latest
 * promotion still in effect; LLMOPS_E_NOT_FOUND when there is none. */
llmops_status llmops__registry_rollback(llmops__registry *reg, const char *name,
                                        const char *label, llmops__buf *err);

/* ---- history ------------------------------------------------------------ */

typedef struct llmops__prompt_event {
    char *label;
    char version[65];    /* where the label went */
    char previous[65];   /* where it was; "" when it was new */
    char at[32];         /* RFC 3339, as recorded */
    int rollback;        /* 1 for a rollback, 0 for a promotion */
} llmops__prompt_event;

typedef struct llmops__prompt_history {
    llmops__prompt_event *items;   /* oldest first */
    size_t count;
} llmops__prompt_history;

/* The recorded events of prompt `name`, of one `label` or (NULL) of all,
 * read from the lock file as it is now. No events is not an error.
 * Free with llmops__prompt_history_free. */
llmops_status llmops__registry_history(llmops__registry *reg, const char *name, const char *label,
                                       llmops__prompt_history *out, llmops__buf *err);
void llmops__prompt_history_free(llmops__prompt_history *h);

/* Which version `label` of `name` pointed at, at the RFC 3339 time `at`
 * (the last event at or before it): "which prompt was live". The version
 * stays loadable as "name@<version>". LLMOPS_E_NOT_FOUND when the label did
 * not exist yet; LLMOPS_E_INVALID_ARGUMENT for a malformed time. */
llmops_status llmops__registry_live_at(llmops__registry *reg, const char *name, const char *label,
                                       const char *at, char out[65], llmops__buf *err);

/* 1 if `s` is a valid prompt name (or label: the same alphabet). */
int llmops__prompt_name_ok(const char *s, size_t len);

#endif
