/* Names of status codes. The table is indexed by code, so a new code must be
 * appended here and in common.h together (tests/core checks every code has a
 * distinct name). */
#include "llmops/common.h"

static const char *const names[LLMOPS_STATUS__COUNT] = {
    [LLMOPS_OK] = "ok",
    [LLMOPS_E_INVALID_ARGUMENT] = "invalid_argument",
    [LLMOPS_E_NO_MEMORY] = "no_memory",
    [LLMOPS_E_NOT_FOUND] = "not_found",
    [LLMOPS_E_PARSE] = "parse_error",
    [LLMOPS_E_LIMIT] = "limit_exceeded",
    [LLMOPS_E_TYPE] = "wrong_type",
    [LLMOPS_E_RANGE] = "out_of_range",
    [LLMOPS_E_UNKNOWN_OPTION] = "unknown_option",
    [LLMOPS_E_UNSUPPORTED] = "unsupported",
    [LLMOPS_E_IO] = "io_error",
    [LLMOPS_E_CONFIG] = "config_error",
    [LLMOPS_E_AUTH] = "authentication_failed",
    [LLMOPS_E_PERMISSION] = "permission_denied",
    [LLMOPS_E_MODEL_NOT_FOUND] = "model_not_found",
    [LLMOPS_E_BAD_REQUEST] = "bad_request",
    [LLMOPS_E_CONTEXT_LENGTH] = "context_length_exceeded",
    [LLMOPS_E_CONTENT_FILTERED] = "content_filtered",
    [LLMOPS_E_RATE_LIMITED] = "rate_limited",
    [LLMOPS_E_OVERLOADED] = "overloaded",
    [LLMOPS_E_PROVIDER] = "provider_error",
    [LLMOPS_E_TIMEOUT] = "timeout",
    [LLMOPS_E_TRANSPORT] = "transport_error",
    [LLMOPS_E_CANCELLED] = "cancelled",
    [LLMOPS_E_MALFORMED_RESPONSE] = "malformed_response",
    [LLMOPS_E_CONTRACT_VIOLATION] = "contract_violation",
    [LLMOPS_E_BLOCKED] = "blocked",
    [LLMOPS_E_BUDGET_EXCEEDED] = "budget_exceeded",
    [LLMOPS_E_CIRCUIT_OPEN] = "circuit_open",
    [LLMOPS_E_NO_RECORDING] = "no_recording",
    [LLMOPS_E_SCHEMA] = "invalid_schema",
    [LLMOPS_E_VALIDATION] = "validation_failed",
    [LLMOPS_E_ABORTED] = "aborted",
    [LLMOPS_E_INTERNAL] = "internal_error",
};

const char *llmops_status_str(llmops_status status)
{
    unsigned i = (unsigned)status;
    if (i >= LLMOPS_STATUS__COUNT || !names[i])
        return "unknown";
    return names[i];
}
