/* Random bytes and W3C trace-context identifiers. */
#ifndef LLMOPS_CORE_IDS_H
#define LLMOPS_CORE_IDS_H

#include <stddef.h>
#include <stdint.h>

/* Cryptographically random bytes from the kernel (getrandom); 0 ok, -1 error. */
int llmops__random_bytes(void *buf, size_t len);
/* Fast per-thread PRNG (xoshiro256**), seeded from the kernel; for jitter and
 * sampling, never for secrets. */
uint64_t llmops__rand_u64(void);
/* Uniform double in [0, 1). */
double llmops__rand_unit(void);

/* 32 lowercase hex digits + NUL; never all zeros (invalid per W3C). */
void llmops__trace_id(char out[33]);
/* 16 lowercase hex digits + NUL; never all zeros. */
void llmops__span_id(char out[17]);
/* Lowercase hex of `len` bytes into out (2*len+1 bytes). */
void llmops__hex(const uint8_t *bytes, size_t len, char *out);

#endif
