/* The host-replaceable allocator and the library's allocation helpers. */
#include "llmops/common.h"
#include "core/alloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void *default_alloc(size_t size, void *ctx)
{
    (void)ctx;
    return malloc(size ? size : 1);
}

static void *default_realloc(void *ptr, size_t size, void *ctx)
{
    (void)ctx;
    return realloc(ptr, size ? size : 1);
}

static void default_free(void *ptr, void *ctx)
{
    (void)ctx;
    free(ptr);
}

/* Set once before use (documented contract), so no synchronization here. */
static llmops_allocator current = {
    LLMOPS_ALLOCATOR_VERSION, default_alloc, default_realloc, default_free, NULL
};

llmops_status llmops_set_allocator(const llmops_allocator *allocator)
{
    if (!allocator) {
        current.alloc = default_alloc;
        current.realloc = default_realloc;
        current.free = default_free;
        current.ctx = NULL;
        return LLMOPS_OK;
    }
    if (allocator->version != LLMOPS_ALLOCATOR_VERSION || !allocator->alloc ||
        !allocator->realloc || !allocator->free)
        return LLMOPS_E_INVALID_ARGUMENT;
    current = *allocator;
    return LLMOPS_OK;
}

void *llmops_malloc(size_t size)
{
    return llmops__malloc(size);
}

void llmops_free(void *ptr)
{
    llmops__free(ptr);
}

void *llmops__malloc(size_t size)
{
    return current.alloc(size, current.ctx);
}

void *llmops__calloc(size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        return NULL;
    void *p = current.alloc(count * size, current.ctx);
    if (p)
        memset(p, 0, count * size);
    return p;
}

void *llmops__realloc(void *ptr, size_t size)
{
    return current.realloc(ptr, size, current.ctx);
}

void llmops__free(void *ptr)
{
    if (ptr)
        current.free(ptr, current.ctx);
}

char *llmops__strndup(const char *s, size_t len)
{
    if (!s || len == SIZE_MAX)
        return NULL;
    char *d = current.alloc(len + 1, current.ctx);
    if (d) {
        memcpy(d, s, len);
        d[len] = '\0';
    }
    return d;
}

char *llmops__strdup(const char *s)
{
    return s ? llmops__strndup(s, strlen(s)) : NULL;
}

void *llmops__memdup(const void *p, size_t len)
{
    void *d = current.alloc(len, current.ctx);
    if (d && len)
        memcpy(d, p, len);
    return d;
}

size_t llmops__grow_cap(size_t cap, size_t need, size_t elem_size)
{
    size_t n = cap ? cap : 8;
    while (n < need) {
        if (n > SIZE_MAX / 2)
            return 0;
        n *= 2;
    }
    if (elem_size && n > SIZE_MAX / elem_size)
        return 0;
    return n;
}

int llmops__grow_array(void **arr, size_t *cap, size_t need, size_t elem_size)
{
    if (need <= *cap)
        return 0;
    size_t nc = llmops__grow_cap(*cap, need, elem_size);
    if (!nc)
        return -1;
    void *p = llmops__realloc(*arr, nc * elem_size);
    if (!p)
        return -1;
    memset((char *)p + *cap * elem_size, 0, (nc - *cap) * elem_size);
    *arr = p;
    *cap = nc;
    return 0;
}
