/* SHA-256 against the NIST FIPS 180-2 example vectors. */
#include <criterion/criterion.h>
#include <string.h>

#include "core/alloc.h"
#include "core/sha256.h"

static void check(const char *msg, const char *expect)
{
    char hex[65];
    llmops__sha256_hex(msg, strlen(msg), hex);
    cr_assert_str_eq(hex, expect, "sha256(\"%s\")", msg);
}

Test(sha256, nist_vectors)
{
    check("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    check("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    check("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    check("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmn"
          "opqrsmnopqrstnopqrstu",
          "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

Test(sha256, million_a_fed_in_odd_pieces)
{
    char *a = llmops__malloc(1000000);
    memset(a, 'a', 1000000);
    llmops__sha256_ctx ctx;
    llmops__sha256_init(&ctx);
    size_t off = 0, step = 1;
    while (off < 1000000) {
        size_t n = step < 1000000 - off ? step : 1000000 - off;
        llmops__sha256_update(&ctx, a + off, n);
        off += n;
        step = step * 3 % 1001 + 1;
    }
    uint8_t d[32];
    llmops__sha256_final(&ctx, d);
    char hex[65];
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        hex[2 * i] = digits[d[i] >> 4];
        hex[2 * i + 1] = digits[d[i] & 15];
    }
    hex[64] = 0;
    cr_assert_str_eq(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    llmops__free(a);
}

Test(sha256, padding_boundaries_match_one_shot)
{
    /* Lengths around the 55/56/64 byte padding edges, incremental vs one shot. */
    char buf[130];
    for (int i = 0; i < 130; i++)
        buf[i] = (char)('a' + i % 26);
    for (size_t len = 50; len < 130; len++) {
        uint8_t one[32], inc[32];
        llmops__sha256(buf, len, one);
        llmops__sha256_ctx ctx;
        llmops__sha256_init(&ctx);
        for (size_t i = 0; i < len; i++)
            llmops__sha256_update(&ctx, buf + i, 1);
        llmops__sha256_final(&ctx, inc);
        cr_assert_eq(memcmp(one, inc, 32), 0, "length %zu", len);
    }
}
