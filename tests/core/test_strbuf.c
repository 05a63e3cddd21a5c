#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "core/alloc.h"
#include "core/strbuf.h"

Test(strbuf, append_printf_numbers)
{
    llmops__buf b = LLMOPS__BUF_INIT;
    llmops__buf_puts(&b, "a");
    llmops__buf_putc(&b, 'b');
    llmops__buf_printf(&b, "-%d-%s", 42, "x");
    llmops__buf_put_i64(&b, INT64_MIN);
    llmops__buf_putc(&b, ' ');
    llmops__buf_put_u64(&b, UINT64_MAX);
    cr_assert_str_eq(b.data, "ab-42-x-9223372036854775808 18446744073709551615");
    size_t len;
    char *s = llmops__buf_detach(&b, &len);
    cr_assert_eq(len, strlen(s));
    cr_assert_null(b.data);
    llmops__free(s);
}

Test(strbuf, long_printf_and_growth)
{
    llmops__buf b = LLMOPS__BUF_INIT;
    char big[1000];
    memset(big, 'z', sizeof big - 1);
    big[sizeof big - 1] = 0;
    for (int i = 0; i < 100; i++)
        llmops__buf_printf(&b, "%s|", big);
    cr_assert_eq(b.len, 100 * 1000);
    cr_assert_eq(b.data[999], '|');
    llmops__buf_free(&b);
}

Test(strbuf, limit_sets_failed_and_detach_returns_null)
{
    llmops__buf b = LLMOPS__BUF_INIT;
    b.limit = 8;
    llmops__buf_puts(&b, "12345678");
    cr_assert_eq(b.failed, 0);
    llmops__buf_putc(&b, '9');
    cr_assert_eq(b.failed, 2);
    llmops__buf_puts(&b, "more");
    cr_assert_eq(b.len, 8);
    cr_assert_null(llmops__buf_detach(&b, NULL));
}

Test(strbuf, empty_detach_gives_empty_string)
{
    llmops__buf b = LLMOPS__BUF_INIT;
    size_t len = 99;
    char *s = llmops__buf_detach(&b, &len);
    cr_assert_not_null(s);
    cr_assert_eq(len, 0);
    cr_assert_str_eq(s, "");
    llmops__free(s);
}

/* Regression: a reserve on an empty buffer left data non-terminated, so an
 * empty response text read back as heap garbage. */
Test(strbuf, reserve_on_empty_buffer_reads_as_empty_string)
{
    for (int i = 0; i < 50; i++) {
        /* Dirty the heap so a fresh block is unlikely to start with NUL. */
        char *junk = llmops__malloc(64);
        memset(junk, 'J', 64);
        llmops__free(junk);
        llmops__buf b = LLMOPS__BUF_INIT;
        cr_assert_eq(llmops__buf_reserve(&b, 1), 0);
        cr_assert_not_null(b.data);
        cr_assert_eq(b.data[0], '\0');
        llmops__buf_free(&b);
    }
}
