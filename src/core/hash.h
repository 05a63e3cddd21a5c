/* Non-cryptographic 64-bit hashing for in-memory hash tables. */
#ifndef LLMOPS_CORE_HASH_H
#define LLMOPS_CORE_HASH_H

#include <stddef.h>
#include <stdint.h>

/* A fast, well-mixed hash of `len` bytes (64-bit multiply-fold, 8 bytes a step). */
uint64_t llmops__hash_bytes(const void *data, size_t len, uint64_t seed);

#endif
