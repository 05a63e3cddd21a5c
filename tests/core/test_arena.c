#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "core/arena.h"

Test(arena, alignment_and_distinct_memory)
{
    llmops__arena a;
    llmops__arena_init(&a, 0);
    char *prev = NULL;
    for (int i = 1; i < 2000; i++) {
        char *p = llmops__arena_alloc(&a, (size_t)(i % 37));
        cr_assert_not_null(p);
        cr_assert_eq((uintptr_t)p % 16, 0);
        memset(p, 0xab, (size_t)(i % 37));
        cr_assert_neq(p, prev);
        prev = p;
    }
    llmops__arena_free(&a);
}

Test(arena, large_allocation_keeps_small_space_usable)
{
    llmops__arena a;
    llmops__arena_init(&a, 1024);
    char *small1 = llmops__arena_alloc(&a, 16);
    char *big = llmops__arena_alloc(&a, 1 << 20);
    cr_assert_not_null(big);
    memset(big, 1, 1 << 20);
    char *small2 = llmops__arena_alloc(&a, 16);
    /* small2 comes from the same block as small1, right after it */
    cr_assert_eq(small2, small1 + 16);
    llmops__arena_free(&a);
}

Test(arena, realloc_grows_last_in_place_and_copies_otherwise)
{
    llmops__arena a;
    llmops__arena_init(&a, 4096);
    char *p = llmops__arena_alloc(&a, 10);
    memcpy(p, "0123456789", 10);
    char *q = llmops__arena_realloc(&a, p, 10, 100);
    cr_assert_eq(p, q);
    char *other = llmops__arena_alloc(&a, 8);
    (void)other;
    char *r = llmops__arena_realloc(&a, q, 100, 200);
    cr_assert_neq(r, q);
    cr_assert_eq(memcmp(r, "0123456789", 10), 0);
    llmops__arena_free(&a);
}

Test(arena, strndup_reset_and_overflow)
{
    llmops__arena a;
    llmops__arena_init(&a, 0);
    char *s = llmops__arena_strndup(&a, "hello world", 5);
    cr_assert_str_eq(s, "hello");
    for (int i = 0; i < 100; i++)
        llmops__arena_alloc(&a, 1000);
    size_t before = a.total;
    llmops__arena_reset(&a);
    cr_assert_lt(a.total, before);
    cr_assert_not_null(llmops__arena_alloc(&a, 8));
    cr_assert_null(llmops__arena_alloc(&a, SIZE_MAX - 4));
    cr_assert_null(llmops__arena_calloc(&a, SIZE_MAX / 2, 4));
    llmops__arena_free(&a);
}
