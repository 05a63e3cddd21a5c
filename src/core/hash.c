/* 64-bit hash for hash tables: reads 8 bytes a step and mixes with
 * multiply-xorshift, so keys of typical length (5-40 bytes) take a handful of
 * multiplies. Not for anything adversarial beyond table balance: tables that
 * take untrusted keys use a per-table random seed. */
#include "core/hash.h"

#include <string.h>

static uint64_t mix(uint64_t x)
{
    x ^= x >> 32;
    x *= 0xd6e8feb86659fd93ull;
    x ^= x >> 32;
    x *= 0xd6e8feb86659fd93ull;
    x ^= x >> 32;
    return x;
}

uint64_t llmops__hash_bytes(const void *data, size_t len, uint64_t seed)
{
    const unsigned char *p = data;
    uint64_t h = seed ^ (0x9e3779b97f4a7c15ull * (len + 1));
    while (len >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = mix(h ^ w) + 0x9e3779b97f4a7c15ull;
        p += 8;
        len -= 8;
    }
    if (len) {
        uint64_t w = 0;
        memcpy(&w, p, len);
        h = mix(h ^ w ^ ((uint64_t)len << 56));
    }
    return mix(h);
}
