/* Clocks: monotonic for durations and deadlines, wall for timestamps. */
#ifndef LLMOPS_CORE_CLOCK_H
#define LLMOPS_CORE_CLOCK_H

#include <stdint.h>

uint64_t llmops__mono_ns(void);   /* CLOCK_MONOTONIC, nanoseconds */
uint64_t llmops__wall_ns(void);   /* CLOCK_REALTIME, nanoseconds since the Unix epoch */
/* RFC 3339 UTC with microseconds, "2026-11-22T09:01:14.123456Z"; out >= 32 bytes. */
void llmops__format_rfc3339(uint64_t wall_ns, char out[32]);
void llmops__sleep_ns(uint64_t ns);

#endif
