/* "Did you mean ...?": the closest candidate to a misspelt word. */
#ifndef LLMOPS_CONFIG_SUGGEST_H
#define LLMOPS_CONFIG_SUGGEST_H

#include <stddef.h>

/* Words longer than this get no suggestion (the distance table stays small). */
#define LLMOPS__SUGGEST_MAX_LEN 64u

/* Optimal-string-alignment distance (Levenshtein plus adjacent swaps) of two
 * byte strings, ASCII letters compared case-insensitively; when it exceeds
 * `cap` the result is cap + 1 (the computation stops early). Either length
 * above LLMOPS__SUGGEST_MAX_LEN gives cap + 1. */
size_t llmops__edit_distance(const char *a, size_t alen, const char *b, size_t blen, size_t cap);

/* The candidate closest to `word` (NUL-terminated) if it is close enough to
 * be a likely typo: distance at most 1 for words of up to 4 bytes, 2 up to
 * 8, else 3, and less than the word's length (a candidate differing only
 * in letter case always qualifies). Ties go to the earlier candidate; a
 * candidate equal to `word` is skipped. NULL when none qualifies. */
const char *llmops__suggest(const char *word, const char *const *cands, size_t n);

#endif
