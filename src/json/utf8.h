/* UTF-8 checking and encoding for JSON strings, plus the word-at-a-time
 * byte tests the parser and writer use to skip runs of plain bytes. */
#ifndef LLMOPS_JSON_UTF8_H
#define LLMOPS_JSON_UTF8_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Length of the well-formed multi-byte sequence at p (p[0] >= 0x80), or 0.
 * Follows Unicode table 3-7: overlongs, UTF-16 surrogates (ED A0..BF) and
 * code points above U+10FFFF are not well-formed. */
static inline size_t llmops__utf8_seq(const unsigned char *p, const unsigned char *end)
{
    unsigned c = p[0];
    size_t avail = (size_t)(end - p);
    if (c >= 0xC2 && c <= 0xDF)
        return (avail >= 2 && (p[1] & 0xC0) == 0x80) ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if (avail < 3 || (p[2] & 0xC0) != 0x80)
            return 0;
        unsigned lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
        return (p[1] >= lo && p[1] <= hi) ? 3 : 0;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (avail < 4 || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80)
            return 0;
        unsigned lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
        return (p[1] >= lo && p[1] <= hi) ? 4 : 0;
    }
    return 0;
}

/* Offset of the first byte that is not part of well-formed UTF-8, or len. */
size_t llmops__utf8_check(const char *s, size_t len);

/* Decode the well-formed sequence at p (already validated); *n gets its length. */
uint32_t llmops__utf8_decode(const unsigned char *p, size_t *n);

/* Encode a Unicode scalar value; returns the byte count (1-4). */
size_t llmops__utf8_encode(uint32_t cp, char *out);

/* ---- word-at-a-time tests ------------------------------------------------
 * Each returns a word with the high bit set in (at least) every byte lane
 * that matches. Lanes above a true match may also be set (borrows), never a
 * lane below the lowest true match, so the lowest set lane is exact. */

#define LLMOPS__ONES  0x0101010101010101ull
#define LLMOPS__HIGHS 0x8080808080808080ull

static inline uint64_t llmops__swar_load(const unsigned char *p)
{
    uint64_t w;
    memcpy(&w, p, 8);
    return w;
}

static inline uint64_t llmops__swar_eq(uint64_t w, unsigned char c)
{
    uint64_t x = w ^ (LLMOPS__ONES * c);
    return (x - LLMOPS__ONES) & ~x & LLMOPS__HIGHS;
}

/* Bytes below n (n <= 128). */
static inline uint64_t llmops__swar_lt(uint64_t w, unsigned char n)
{
    return (w - LLMOPS__ONES * n) & ~w & LLMOPS__HIGHS;
}

/* Bytes a JSON string cannot hold raw or that need a closer look: '"', '\\',
 * control characters and (when `high`) any byte >= 0x80. */
static inline uint64_t llmops__swar_special(uint64_t w, int high)
{
    uint64_t m = llmops__swar_eq(w, '"') | llmops__swar_eq(w, '\\') | llmops__swar_lt(w, 0x20);
    return high ? (m | (w & LLMOPS__HIGHS)) : m;
}

/* Index of the lowest flagged lane of a nonzero mask. Where that is not
 * cheap to find, 0: callers then look at the bytes one by one. */
static inline unsigned llmops__swar_first(uint64_t mask)
{
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    return (unsigned)__builtin_ctzll(mask) >> 3;
#else
    (void)mask;
    return 0;
#endif
}

#endif
