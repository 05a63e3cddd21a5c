/* A host provider for the record/replay suite whose answers use every part
 * of a response (reasoning, text, tool calls, finish, usage, model, request
 * id, labels, embeddings), streamed in pieces when asked, plus helpers to
 * capture deltas and compare responses. */
#ifndef LT_REPLAY_RICH_H
#define LT_REPLAY_RICH_H

#include <stdatomic.h>
#include <stddef.h>

#include "llmops/provider.h"

typedef struct lt_rich {
    unsigned gap_ms;      /* pause between the two text pieces when streaming */
    atomic_int calls;
} lt_rich;

llmops_provider *lt_rich_provider(lt_rich *r, const char *name);

typedef struct lt_delta_rec {
    llmops_delta_kind kind;
    char *text;
    size_t len;
    size_t index;
    char *id, *name;
} lt_delta_rec;

typedef struct lt_deltas {
    lt_delta_rec d[64];
    size_t n;
    int stop_after;        /* >0: ask to stop after this many */
} lt_deltas;

int lt_deltas_collect(const llmops_delta *d, void *user);
void lt_deltas_free(lt_deltas *ds);
/* Asserts that two captures are equal, piece by piece. */
void lt_deltas_assert_equal(const lt_deltas *a, const lt_deltas *b);
/* Asserts that two responses carry the same answer. */
void lt_response_assert_same(const llmops_response *a, const llmops_response *b);

/* A fresh directory under /tmp (static buffer per call site: copy it). */
void lt_tmpdir(char out[64]);
void lt_rmdir(const char *dir);

/* The conversation both sides use. */
llmops_request *lt_rich_request(void);

#endif
