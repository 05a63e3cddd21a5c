/* Edit distance for "did you mean" suggestions. Two rows of the dynamic
 * programming table plus the one before them (for swaps) on the stack:
 * words are short, and the per-row minimum lets a hopeless pair stop early. */
#include "config/suggest.h"

#include <string.h>

static unsigned char fold(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c - 'A' + 'a') : c;
}

size_t llmops__edit_distance(const char *a, size_t alen, const char *b, size_t blen, size_t cap)
{
    if (alen > LLMOPS__SUGGEST_MAX_LEN || blen > LLMOPS__SUGGEST_MAX_LEN)
        return cap + 1;
    size_t diff = alen > blen ? alen - blen : blen - alen;
    if (diff > cap)
        return cap + 1;
    size_t rows[3][LLMOPS__SUGGEST_MAX_LEN + 1];
    size_t *prev2 = rows[0], *prev = rows[1], *cur = rows[2];
    for (size_t j = 0; j <= blen; j++)
        prev[j] = j;
    for (size_t i = 1; i <= alen; i++) {
        cur[0] = i;
        size_t row_min = cur[0];
        unsigned char ca = fold((unsigned char)a[i - 1]);
        for (size_t j = 1; j <= blen; j++) {
            unsigned char cb = fold((unsigned char)b[j - 1]);
            size_t cost = ca == cb ? 0 : 1;
            size_t best = prev[j - 1] + cost;
            if (prev[j] + 1 < best)
                best = prev[j] + 1;
            if (cur[j - 1] + 1 < best)
                best = cur[j - 1] + 1;
            if (i > 1 && j > 1 && ca == fold((unsigned char)b[j - 2]) &&
                fold((unsigned char)a[i - 2]) == cb && prev2[j - 2] + 1 < best)
                best = prev2[j - 2] + 1;
            cur[j] = best;
            if (best < row_min)
                row_min = best;
        }
        if (row_min > cap)
            return cap + 1;
        size_t *t = prev2;
        prev2 = prev;
        prev = cur;
        cur = t;
    }
    return prev[blen] > cap ? cap + 1 : prev[blen];
}

const char *llmops__suggest(const char *word, const char *const *cands, size_t n)
{
    size_t wlen = strlen(word);
    size_t limit = wlen <= 4 ? 1 : wlen <= 8 ? 2 : 3;
    if (limit >= wlen)
        limit = wlen ? wlen - 1 : 0;
    if (limit == 0)
        return NULL;
    const char *best = NULL;
    size_t best_d = limit + 1;
    for (size_t i = 0; i < n; i++) {
        size_t d = llmops__edit_distance(word, wlen, cands[i], strlen(cands[i]), best_d - 1);
        /* Distance 0 is a difference in letter case only: still a typo. */
        if (d < best_d && strcmp(word, cands[i]) != 0) {
            best = cands[i];
            best_d = d;
            if (d == 0)
                break;
        }
    }
    return best;
}
