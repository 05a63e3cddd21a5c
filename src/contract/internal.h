/* Pieces of the contract checker shared between its files: locating the JSON
 * value in an answer (extract.c), compiled patterns (pattern.c), collecting
 * violations (contract.c) and text helpers (reask.c). */
#ifndef LLMOPS_CONTRACT_INTERNAL_H
#define LLMOPS_CONTRACT_INTERNAL_H

#include <stddef.h>

#include "contract/contract.h"

/* ---- extract.c ---------------------------------------------------------- */

enum {
    LLMOPS__CT_NONE = 0,     /* no JSON value found */
    LLMOPS__CT_WHOLE = 1,    /* the whole text (surrounding whitespace aside) */
    LLMOPS__CT_FENCE = 2,    /* inside a ```json fence */
    LLMOPS__CT_EMBEDDED = 3  /* the first balanced {...} / [...] that parses */
};

/* Failed parse attempts of embedded candidates before the scan gives up, so
 * prose full of braces costs at most this many passes over the text. */
#define LLMOPS__CT_MAX_CANDIDATES 64u

typedef struct llmops__ct_found {
    int how;                 /* LLMOPS__CT_* */
    llmops_json_doc *doc;    /* owned by the caller when how != NONE */
    size_t off, len;         /* the value's bytes in the text */
    int prose_before;        /* non-space text before the value */
    int prose_after;         /* non-space text after it */
    llmops_status whole_st;  /* how parsing the whole text failed (when how != WHOLE) */
    llmops_json_error whole_err;
} llmops__ct_found;

/* Find the JSON value in `text`: the whole text, else a ```json fence whose
 * content parses, else the first balanced top-level object or array that
 * parses. LLMOPS_OK (found->how says what was found) or LLMOPS_E_NO_MEMORY. */
llmops_status llmops__ct_find_json(const char *text, size_t len, llmops__ct_found *found);

/* ---- pattern.c ---------------------------------------------------------- */

/* The compiled required and forbidden patterns of one contract, immutable
 * after compile. Index i < nrequired is required pattern i, the rest are the
 * forbidden ones in order. */
typedef struct llmops__ct_patterns llmops__ct_patterns;

/* NULL *out when there are no patterns at all. */
llmops_status llmops__ct_patterns_new(llmops__ct_patterns **out,
                                      const char *const *required, size_t nrequired,
                                      const char *const *forbidden, size_t nforbidden,
                                      llmops__buf *err);
void llmops__ct_patterns_free(llmops__ct_patterns *p);
size_t llmops__ct_patterns_count(const llmops__ct_patterns *p);
const char *llmops__ct_pattern_source(const llmops__ct_patterns *p, size_t i);

/* Per-check scratch, on the checker's stack: PCRE2's match data is carved
 * out of `mem`, so a check allocates nothing for its patterns (only the
 * interpreter's backtracking frames, when there is no JIT, come from the
 * heap). Never shared between threads. */
typedef struct llmops__ct_scratch {
    union {
        max_align_t align;
        unsigned char bytes[640];
    } mem;
    size_t used;
    void *gctx; /* pcre2_general_context drawing on mem */
    void *md;   /* pcre2_match_data */
} llmops__ct_scratch;

/* LLMOPS_OK or LLMOPS_E_NO_MEMORY; always pair with _scratch_done. */
llmops_status llmops__ct_scratch_init(llmops__ct_scratch *s, const llmops__ct_patterns *p);
void llmops__ct_scratch_done(llmops__ct_scratch *s);

enum {
    LLMOPS__CT_NOMATCH = 0,
    LLMOPS__CT_MATCH = 1,
    LLMOPS__CT_MATCH_ERROR = 2, /* limit hit: `why` says which */
    LLMOPS__CT_MATCH_NOMEM = 3
};

/* Match pattern i against valid UTF-8 `text`. On a match, start and end get the
 * matched bytes. On an error `why` gets PCRE2's reason. */
int llmops__ct_pattern_match(const llmops__ct_patterns *p, size_t i, llmops__ct_scratch *s,
                             const char *text, size_t len, size_t *start, size_t *end,
                             char *why, size_t why_size);

/* ---- contract.c: what the re-ask wording needs ------------------------- */

size_t llmops__contract_max_length(const llmops__contract *c);
const char *llmops__contract_root_type(const llmops__contract *c); /* or NULL */
int llmops__contract_extracts(const llmops__contract *c);
const char *llmops__contract_schema_text(const llmops__contract *c); /* or NULL */

/* ---- text helpers (reask.c) ---------------------------------------------- */

/* Append at most `max` bytes of UTF-8 `s` (cut at a character boundary),
 * with "..." when shortened. Quotes and control characters are escaped so
 * the excerpt reads as one quoted string. */
void llmops__ct_put_excerpt(llmops__buf *b, const char *s, size_t len, size_t max);

/* Code points in `len` bytes (bytes that do not continue a sequence). */
size_t llmops__ct_count_chars(const char *s, size_t len);

#endif
