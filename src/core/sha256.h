/* SHA-256 (FIPS 180-4), for content hashes of prompts, requests and
 * fingerprints. In-house rather than from a crypto library because it sits in
 * the single-header amalgamation and is small; checked against NIST vectors. */
#ifndef LLMOPS_CORE_SHA256_H
#define LLMOPS_CORE_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct llmops__sha256 {
    uint32_t state[8];
    uint64_t bytes;
    uint8_t block[64];
    size_t fill;
} llmops__sha256_ctx;

void llmops__sha256_init(llmops__sha256_ctx *ctx);
void llmops__sha256_update(llmops__sha256_ctx *ctx, const void *data, size_t len);
void llmops__sha256_final(llmops__sha256_ctx *ctx, uint8_t digest[32]);
void llmops__sha256(const void *data, size_t len, uint8_t digest[32]);
/* 64 lowercase hex digits + NUL. */
void llmops__sha256_hex(const void *data, size_t len, char out[65]);

#endif
