/* Bump allocator for data that lives and dies together (a parsed JSON
 * document, a request, a rendered prompt). Not thread-safe: one owner. */
#ifndef LLMOPS_CORE_ARENA_H
#define LLMOPS_CORE_ARENA_H

#include <stddef.h>

typedef struct llmops__arena_block llmops__arena_block;

typedef struct llmops__arena {
    llmops__arena_block *head;  /* current block; older blocks chained behind */
    size_t next_size;           /* size of the next block to allocate */
    size_t total;               /* bytes obtained from the allocator */
} llmops__arena;

#define LLMOPS__ARENA_INIT { NULL, 0, 0 }

void llmops__arena_init(llmops__arena *a, size_t first_block);
/* 16-byte aligned; NULL on out-of-memory or overflow. size 0 gives a valid pointer. */
void *llmops__arena_alloc(llmops__arena *a, size_t size);
void *llmops__arena_calloc(llmops__arena *a, size_t count, size_t size);
char *llmops__arena_strndup(llmops__arena *a, const char *s, size_t len);
void *llmops__arena_memdup(llmops__arena *a, const void *p, size_t len);
/* Grow the most recent allocation in place when possible, else copy. */
void *llmops__arena_realloc(llmops__arena *a, void *ptr, size_t old_size, size_t new_size);
/* Free every block but keep the first for reuse. */
void llmops__arena_reset(llmops__arena *a);
void llmops__arena_free(llmops__arena *a);

#endif
