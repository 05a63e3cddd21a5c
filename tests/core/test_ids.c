#include <criterion/criterion.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/hash.h"
#include "core/ids.h"

static int is_lower_hex(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return s[n] == '\0';
}

Test(ids, trace_and_span_ids_are_w3c_hex_and_distinct)
{
    char t1[33], t2[33], s1[17], s2[17];
    llmops__trace_id(t1);
    llmops__trace_id(t2);
    llmops__span_id(s1);
    llmops__span_id(s2);
    cr_assert(is_lower_hex(t1, 32));
    cr_assert(is_lower_hex(s1, 16));
    cr_assert_str_neq(t1, t2);
    cr_assert_str_neq(s1, s2);
    cr_assert_str_neq(t1, "00000000000000000000000000000000");
}

Test(ids, forked_child_does_not_repeat_parent_ids)
{
    char parent_first[33];
    llmops__trace_id(parent_first); /* seeds this thread's generator */
    int fds[2];
    cr_assert_eq(pipe(fds), 0);
    pid_t pid = fork();
    if (pid == 0) {
        char c[33];
        llmops__trace_id(c);
        ssize_t w = write(fds[1], c, 32);
        _exit(w == 32 ? 0 : 1);
    }
    char parent_next[33], child[33] = { 0 };
    llmops__trace_id(parent_next);
    cr_assert_eq(read(fds[0], child, 32), 32);
    waitpid(pid, NULL, 0);
    cr_assert_str_neq(child, parent_next);
}

Test(ids, rand_unit_in_range_and_spread)
{
    int buckets[10] = { 0 };
    for (int i = 0; i < 10000; i++) {
        double u = llmops__rand_unit();
        cr_assert(u >= 0.0 && u < 1.0);
        buckets[(int)(u * 10)]++;
    }
    for (int i = 0; i < 10; i++)
        cr_assert(buckets[i] > 800 && buckets[i] < 1200, "bucket %d has %d", i, buckets[i]);
}

Test(clock, monotonic_advances_and_rfc3339_format)
{
    uint64_t a = llmops__mono_ns();
    llmops__sleep_ns(2000000);
    uint64_t b = llmops__mono_ns();
    cr_assert_geq(b - a, 2000000);
    char ts[32];
    llmops__format_rfc3339(1700000000123456789ull, ts);
    cr_assert_str_eq(ts, "2023-11-14T22:13:20.123456Z");
}

Test(hash, equal_inputs_equal_hashes_and_seed_matters)
{
    const char *k = "gen_ai.request.model";
    cr_assert_eq(llmops__hash_bytes(k, strlen(k), 1), llmops__hash_bytes(k, strlen(k), 1));
    cr_assert_neq(llmops__hash_bytes(k, strlen(k), 1), llmops__hash_bytes(k, strlen(k), 2));
    cr_assert_neq(llmops__hash_bytes("ab", 2, 0), llmops__hash_bytes("ba", 2, 0));
    cr_assert_neq(llmops__hash_bytes("a", 1, 0), llmops__hash_bytes("a\0", 2, 0));
}
