/* Error taxonomy shared by every wire format: HTTP status to llmops_status,
 * the provider-independent hints in error messages, and retry hints from
 * headers. Owned by src/provider/errors.c. */
#ifndef LLMOPS_PROVIDER_ERRORS_H
#define LLMOPS_PROVIDER_ERRORS_H

#include <stddef.h>
#include <stdint.h>

#include "llmops/common.h"

/* Default mapping of an HTTP status: 400/422 bad request, 401 auth, 403
 * permission, 404 model not found, 408 timeout, 413 context length, 429
 * rate limited, 503/529 overloaded, other 5xx provider error, anything else
 * non-2xx provider error. */
llmops_status llmops__http_status_map(int http_status);

/* Refines a status from the provider's error code/type and message:
 * "context_length_exceeded", "maximum context length", "prompt is too
 * long", "content_filter", "content_policy_violation", "SAFETY",
 * "insufficient_quota" (stays rate limited), "overloaded_error",
 * "RESOURCE_EXHAUSTED", "UNAVAILABLE", "PERMISSION_DENIED", ... Returns the
 * refined status or `status` unchanged. */
llmops_status llmops__error_refine(llmops_status status, const char *code, size_t code_len,
                                   const char *message, size_t message_len);

/* 1 when a failure with this status may be retried (rate limited,
 * overloaded, provider error, timeout, transport). */
int llmops__status_retryable(llmops_status status);

/* Retry hint from one response header (name case-insensitive): Retry-After
 * (delta-seconds or HTTP-date, against now_wall_ns), retry-after-ms,
 * x-ratelimit-reset-requests / -tokens ("1s", "6m0s", "120ms", "2.5s") and
 * anthropic-ratelimit-*-reset (RFC 3339). Returns milliseconds, 0 when the
 * header is not a hint or cannot be read. */
uint64_t llmops__retry_hint_header(const char *name, size_t name_len, const char *value,
                                   size_t value_len, int64_t now_wall_ns);

/* Gemini's google.rpc.RetryInfo "retryDelay" ("30s", "1.5s") in ms, 0 if
 * unreadable. */
uint64_t llmops__retry_hint_duration(const char *s, size_t len);

#endif
