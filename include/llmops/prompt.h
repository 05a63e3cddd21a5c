/*
 * libllmops — the prompt registry: prompt files with content-hash versions,
 * labels (production, canary, ...) in a lock file kept in the repository,
 * and a content-addressed store so every version a label ever pointed at
 * stays loadable.
 *
 * A prompt reference is "name" (the working file), "name@label" or
 * "name@<hex>" (a version, or a unique prefix of at least 8 hex digits).
 *
 * Ownership: llmops_prompts_open / llmops_prompts_free (NULL-safe). Text
 * returned through `char **` is freed with llmops_free, also *why on
 * failure.
 *
 * Thread-safety: a registry may be shared by threads; promote and rollback
 * also lock the lock file, so several processes may change labels at once
 * without losing an update.
 */
#ifndef LLMOPS_PROMPT_H
#define LLMOPS_PROMPT_H

#include "common.h"
#include "json.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct llmops_prompts llmops_prompts;

/** Opens the registry in `dir` with its lock file (NULL: dir/prompts.lock).
 *  Errors: LLMOPS_E_IO, LLMOPS_E_CONFIG (corrupt lock file),
 *  LLMOPS_E_UNSUPPORTED (built without YAML). */
LLMOPS_API llmops_status llmops_prompts_open(llmops_prompts **out, const char *dir,
                                             const char *lock_path, char **why);
LLMOPS_API void llmops_prompts_free(llmops_prompts *prompts);

/** Every prompt as JSON: [{"name", "version" (working file, or null),
 *  "labels": {"production": "<hex>", ...}}], sorted by name. */
LLMOPS_API llmops_status llmops_prompts_list(llmops_prompts *prompts, char **json, char **why);
/** The source text of a version and its version hash. */
LLMOPS_API llmops_status llmops_prompts_show(llmops_prompts *prompts, const char *ref,
                                             char **source, char version[65], char **why);
/** The version hash a reference resolves to. */
LLMOPS_API llmops_status llmops_prompts_hash(llmops_prompts *prompts, const char *ref,
                                             char version[65], char **why);
/** A unified line diff between two references. */
LLMOPS_API llmops_status llmops_prompts_diff(llmops_prompts *prompts, const char *ref_a,
                                             const char *ref_b, char **diff, char **why);
/** Points `label` of prompt `name` at the version `ref` resolves to (which
 *  is stored so it stays loadable); recorded in the label's history. */
LLMOPS_API llmops_status llmops_prompts_promote(llmops_prompts *prompts, const char *name,
                                                const char *ref, const char *label,
                                                char **why);
/** Moves `label` back to the version it pointed at before. LLMOPS_E_NOT_FOUND
 *  when it has no earlier version. */
LLMOPS_API llmops_status llmops_prompts_rollback(llmops_prompts *prompts, const char *name,
                                                 const char *label, char **why);
/** Renders a prompt with `input_json` into messages:
 *  [{"role": "system", "text": "..."}, ...]. A missing variable is an error
 *  naming it. */
LLMOPS_API llmops_status llmops_prompts_render(llmops_prompts *prompts, const char *ref,
                                               const char *input_json, size_t len,
                                               char **messages_json, char **why);

#ifdef __cplusplus
}
#endif

#endif /* LLMOPS_PROMPT_H */
