/* Internal allocation helpers: every allocation in the library goes through
 * the host-replaceable allocator (see llmops_set_allocator). */
#ifndef LLMOPS_CORE_ALLOC_H
#define LLMOPS_CORE_ALLOC_H

#include <stddef.h>

void *llmops__malloc(size_t size);
void *llmops__calloc(size_t count, size_t size);   /* overflow-checked, zeroed */
void *llmops__realloc(void *ptr, size_t size);
void llmops__free(void *ptr);
char *llmops__strdup(const char *s);               /* NULL in, NULL out */
char *llmops__strndup(const char *s, size_t len);  /* always NUL-terminated */
void *llmops__memdup(const void *p, size_t len);

/* Grow a capacity: at least `need`, doubling from `cap`; 0 on overflow. */
size_t llmops__grow_cap(size_t cap, size_t need, size_t elem_size);

/* Grows the array *arr of *cap elements of elem_size bytes to hold at least
 * `need`; new slots are zeroed. 0 ok, -1 out of memory or overflow (the
 * array is then unchanged). */
int llmops__grow_array(void **arr, size_t *cap, size_t need, size_t elem_size);

#endif
