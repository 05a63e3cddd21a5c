#include <criterion/criterion.h>
#include <string.h>

#include "llmops.h"
#include "core/alloc.h"

static size_t allocs, frees;

static void *count_alloc(size_t n, void *ctx)
{
    (void)ctx;
    allocs++;
    return malloc(n ? n : 1);
}

static void *count_realloc(void *p, size_t n, void *ctx)
{
    (void)ctx;
    if (!p)
        allocs++;
    return realloc(p, n ? n : 1);
}

static void count_free(void *p, void *ctx)
{
    (void)ctx;
    if (p)
        frees++;
    free(p);
}

Test(alloc, host_allocator_sees_every_allocation)
{
    llmops_allocator a = { LLMOPS_ALLOCATOR_VERSION, count_alloc, count_realloc, count_free, NULL };
    cr_assert_eq(llmops_set_allocator(&a), LLMOPS_OK);
    char *s = llmops__strdup("hello");
    cr_assert_str_eq(s, "hello");
    void *p = llmops_malloc(10);
    cr_assert_not_null(p);
    llmops_free(p);
    llmops__free(s);
    cr_assert_eq(allocs, 2);
    cr_assert_eq(frees, 2);
    cr_assert_eq(llmops_set_allocator(NULL), LLMOPS_OK);
}

Test(alloc, rejects_incomplete_allocator)
{
    llmops_allocator a = { LLMOPS_ALLOCATOR_VERSION, count_alloc, NULL, count_free, NULL };
    cr_assert_eq(llmops_set_allocator(&a), LLMOPS_E_INVALID_ARGUMENT);
    llmops_allocator b = { 99, count_alloc, count_realloc, count_free, NULL };
    cr_assert_eq(llmops_set_allocator(&b), LLMOPS_E_INVALID_ARGUMENT);
}

Test(alloc, calloc_overflow_and_helpers)
{
    cr_assert_null(llmops__calloc(SIZE_MAX / 2, 4));
    char *z = llmops__calloc(4, 4);
    for (int i = 0; i < 16; i++)
        cr_assert_eq(z[i], 0);
    llmops__free(z);
    char *d = llmops__strndup("abcdef", 3);
    cr_assert_str_eq(d, "abc");
    llmops__free(d);
    cr_assert_null(llmops__strdup(NULL));
    cr_assert_eq(llmops__grow_cap(0, 5, 1), 8);
    cr_assert_eq(llmops__grow_cap(8, 9, 1), 16);
    cr_assert_eq(llmops__grow_cap(8, SIZE_MAX, 1), 0);
}

Test(alloc, grow_array_zeroes_new_slots_and_refuses_overflow)
{
    int *a = NULL;
    size_t cap = 0;
    cr_assert_eq(llmops__grow_array((void **)&a, &cap, 3, sizeof *a), 0);
    cr_assert_geq(cap, 3);
    for (size_t i = 0; i < cap; i++)
        cr_assert_eq(a[i], 0);
    a[0] = 7;
    size_t old = cap;
    cr_assert_eq(llmops__grow_array((void **)&a, &cap, old + 1, sizeof *a), 0);
    cr_assert_eq(a[0], 7);
    cr_assert_eq(a[old], 0);
    cr_assert_eq(llmops__grow_array((void **)&a, &cap, SIZE_MAX / 2, sizeof *a), -1);
    cr_assert_eq(a[0], 7, "unchanged after a refused growth");
    llmops__free(a);
}
