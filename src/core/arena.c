/* Bump allocator: blocks chained newest-first; big requests get their own
 * block so one large string does not waste the remainder of a small block. */
#include "core/arena.h"
#include "core/alloc.h"

#include <stdint.h>
#include <string.h>

#define ARENA_ALIGN 16
#define ARENA_MIN_BLOCK 1024
#define ARENA_MAX_BLOCK (1u << 20)

struct llmops__arena_block {
    llmops__arena_block *prev;
    size_t size;   /* usable bytes after the header */
    size_t used;
    /* data follows, aligned */
};

#define HEADER_SIZE ((sizeof(llmops__arena_block) + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1))

static char *block_data(llmops__arena_block *b)
{
    return (char *)b + HEADER_SIZE;
}

void llmops__arena_init(llmops__arena *a, size_t first_block)
{
    a->head = NULL;
    a->next_size = first_block < ARENA_MIN_BLOCK ? ARENA_MIN_BLOCK : first_block;
    a->total = 0;
}

static llmops__arena_block *new_block(llmops__arena *a, size_t need)
{
    if (a->next_size == 0)
        a->next_size = ARENA_MIN_BLOCK;
    size_t size = a->next_size;
    if (need > size)
        size = need;
    if (size > SIZE_MAX - HEADER_SIZE)
        return NULL;
    llmops__arena_block *b = llmops__malloc(HEADER_SIZE + size);
    if (!b)
        return NULL;
    b->size = size;
    b->used = 0;
    a->total += HEADER_SIZE + size;
    if (a->next_size < ARENA_MAX_BLOCK)
        a->next_size *= 2;
    return b;
}

void *llmops__arena_alloc(llmops__arena *a, size_t size)
{
    if (size > SIZE_MAX - ARENA_ALIGN)
        return NULL;
    size_t rounded = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    if (rounded == 0)
        rounded = ARENA_ALIGN;
    llmops__arena_block *b = a->head;
    if (b && b->size - b->used >= rounded) {
        void *p = block_data(b) + b->used;
        b->used += rounded;
        return p;
    }
    llmops__arena_block *nb = new_block(a, rounded);
    if (!nb)
        return NULL;
    /* A block made for one oversized request goes behind the current head so
     * the head's free space stays usable for the small requests that follow. */
    if (b && rounded > a->next_size / 4 && b->size - b->used > nb->size - rounded) {
        nb->prev = b->prev;
        b->prev = nb;
    } else {
        nb->prev = b;
        a->head = nb;
    }
    nb->used = rounded;
    return block_data(nb);
}

void *llmops__arena_calloc(llmops__arena *a, size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        return NULL;
    void *p = llmops__arena_alloc(a, count * size);
    if (p)
        memset(p, 0, count * size);
    return p;
}

char *llmops__arena_strndup(llmops__arena *a, const char *s, size_t len)
{
    if (len == SIZE_MAX)
        return NULL;
    char *d = llmops__arena_alloc(a, len + 1);
    if (d) {
        if (len)
            memcpy(d, s, len);
        d[len] = '\0';
    }
    return d;
}

void *llmops__arena_memdup(llmops__arena *a, const void *p, size_t len)
{
    void *d = llmops__arena_alloc(a, len);
    if (d && len)
        memcpy(d, p, len);
    return d;
}

void *llmops__arena_realloc(llmops__arena *a, void *ptr, size_t old_size, size_t new_size)
{
    if (!ptr)
        return llmops__arena_alloc(a, new_size);
    llmops__arena_block *b = a->head;
    size_t old_rounded = (old_size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    if (old_rounded == 0)
        old_rounded = ARENA_ALIGN;
    if (new_size <= old_size)
        return ptr;
    /* The last allocation of the head block can grow in place. */
    if (b && (char *)ptr + old_rounded == block_data(b) + b->used &&
        new_size <= SIZE_MAX - ARENA_ALIGN) {
        size_t new_rounded = (new_size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
        size_t start = (size_t)((char *)ptr - block_data(b));
        if (b->size - start >= new_rounded) {
            b->used = start + new_rounded;
            return ptr;
        }
    }
    void *np = llmops__arena_alloc(a, new_size);
    if (np)
        memcpy(np, ptr, old_size);
    return np;
}

void llmops__arena_reset(llmops__arena *a)
{
    llmops__arena_block *b = a->head;
    if (!b)
        return;
    /* Keep the oldest block (usually the smallest, the steady-state one). */
    while (b->prev) {
        llmops__arena_block *prev = b->prev;
        a->total -= HEADER_SIZE + b->size;
        llmops__free(b);
        b = prev;
    }
    b->used = 0;
    a->head = b;
}

void llmops__arena_free(llmops__arena *a)
{
    llmops__arena_block *b = a->head;
    while (b) {
        llmops__arena_block *prev = b->prev;
        llmops__free(b);
        b = prev;
    }
    a->head = NULL;
    a->total = 0;
}
