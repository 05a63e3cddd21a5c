/* Error taxonomy: HTTP status mapping, refinement from provider codes and
 * messages (real shapes from OpenAI, Anthropic, Gemini, Ollama and the
 * recorded error bodies), retryability, and retry hints from headers. */
#include <criterion/criterion.h>
#include <string.h>

#include "provider/errors.h"

#define NS INT64_C(1000000000)
/* "Sun, 06 Nov 1994 08:49:37 GMT" */
#define T_1994 INT64_C(784111777)
/* 2024-11-22T09:01:14Z */
#define T_2024 INT64_C(1732266074)
#define CAP_MS UINT64_C(86400000)

static llmops_status refine(llmops_status st, const char *code, const char *msg)
{
    return llmops__error_refine(st, code, code ? strlen(code) : 0, msg, msg ? strlen(msg) : 0);
}

static uint64_t hint(const char *name, const char *value, int64_t now_ns)
{
    return llmops__retry_hint_header(name, strlen(name), value, strlen(value), now_ns);
}

/* ---- HTTP status ---------------------------------------------------------- */

Test(errors, http_status_map_covers_every_class)
{
    cr_assert_eq(llmops__http_status_map(200), LLMOPS_OK);
    cr_assert_eq(llmops__http_status_map(204), LLMOPS_OK);
    cr_assert_eq(llmops__http_status_map(400), LLMOPS_E_BAD_REQUEST);
    cr_assert_eq(llmops__http_status_map(422), LLMOPS_E_BAD_REQUEST);
    cr_assert_eq(llmops__http_status_map(401), LLMOPS_E_AUTH);
    cr_assert_eq(llmops__http_status_map(403), LLMOPS_E_PERMISSION);
    cr_assert_eq(llmops__http_status_map(404), LLMOPS_E_MODEL_NOT_FOUND);
    cr_assert_eq(llmops__http_status_map(408), LLMOPS_E_TIMEOUT);
    cr_assert_eq(llmops__http_status_map(413), LLMOPS_E_CONTEXT_LENGTH);
    cr_assert_eq(llmops__http_status_map(429), LLMOPS_E_RATE_LIMITED);
    cr_assert_eq(llmops__http_status_map(503), LLMOPS_E_OVERLOADED);
    cr_assert_eq(llmops__http_status_map(529), LLMOPS_E_OVERLOADED);
    cr_assert_eq(llmops__http_status_map(500), LLMOPS_E_PROVIDER);
    cr_assert_eq(llmops__http_status_map(502), LLMOPS_E_PROVIDER);
    cr_assert_eq(llmops__http_status_map(504), LLMOPS_E_PROVIDER);
    /* anything else that is not 2xx */
    cr_assert_eq(llmops__http_status_map(402), LLMOPS_E_PROVIDER);
    cr_assert_eq(llmops__http_status_map(409), LLMOPS_E_PROVIDER);
    cr_assert_eq(llmops__http_status_map(302), LLMOPS_E_PROVIDER);
    cr_assert_eq(llmops__http_status_map(100), LLMOPS_E_PROVIDER);
    cr_assert_eq(llmops__http_status_map(0), LLMOPS_E_PROVIDER);
    cr_assert_eq(llmops__http_status_map(-1), LLMOPS_E_PROVIDER);
    cr_assert_eq(llmops__http_status_map(600), LLMOPS_E_PROVIDER);
}

Test(errors, retryable_statuses)
{
    cr_assert(llmops__status_retryable(LLMOPS_E_RATE_LIMITED));
    cr_assert(llmops__status_retryable(LLMOPS_E_OVERLOADED));
    cr_assert(llmops__status_retryable(LLMOPS_E_PROVIDER));
    cr_assert(llmops__status_retryable(LLMOPS_E_TIMEOUT));
    cr_assert(llmops__status_retryable(LLMOPS_E_TRANSPORT));
    const llmops_status never[] = {
        LLMOPS_OK, LLMOPS_E_BAD_REQUEST, LLMOPS_E_AUTH, LLMOPS_E_PERMISSION,
        LLMOPS_E_MODEL_NOT_FOUND, LLMOPS_E_CONTEXT_LENGTH, LLMOPS_E_CONTENT_FILTERED,
        LLMOPS_E_CANCELLED, LLMOPS_E_MALFORMED_RESPONSE, LLMOPS_E_NO_MEMORY,
        LLMOPS_E_INVALID_ARGUMENT, LLMOPS_E_ABORTED, LLMOPS_E_INTERNAL,
    };
    for (size_t i = 0; i < sizeof never / sizeof never[0]; i++)
        cr_assert_not(llmops__status_retryable(never[i]), "status %d", (int)never[i]);
}

/* ---- refinement: OpenAI ---------------------------------------------------- */

Test(errors, openai_codes)
{
    cr_assert_eq(refine(LLMOPS_E_BAD_REQUEST, "context_length_exceeded",
                        "This model's maximum context length is 128000 tokens. However, your "
                        "messages resulted in 130000 tokens."),
                 LLMOPS_E_CONTEXT_LENGTH);
    /* the message alone is enough when only the type is known */
    cr_assert_eq(refine(LLMOPS_E_BAD_REQUEST, "invalid_request_error",
                        "This model's maximum context length is 8192 tokens."),
                 LLMOPS_E_CONTEXT_LENGTH);
    cr_assert_eq(refine(LLMOPS_E_AUTH, "invalid_api_key",
                        "Incorrect API key provided: sk-abc***. You can find your API key..."),
                 LLMOPS_E_AUTH);
    cr_assert_eq(refine(LLMOPS_E_PROVIDER, "invalid_api_key", NULL), LLMOPS_E_AUTH);
    cr_assert_eq(refine(LLMOPS_E_BAD_REQUEST, NULL, "Incorrect API key provided: sk-x"),
                 LLMOPS_E_AUTH);
    /* insufficient_quota stays rate limited, also when only the message says so */
    cr_assert_eq(refine(LLMOPS_E_RATE_LIMITED, "insufficient_quota",
                        "You exceeded your current quota, please check your plan"),
                 LLMOPS_E_RATE_LIMITED);
    cr_assert_eq(refine(LLMOPS_E_PROVIDER, "insufficient_quota", NULL), LLMOPS_E_RATE_LIMITED);
    cr_assert_eq(refine(LLMOPS_E_PROVIDER, NULL, "You exceeded your current quota."),
                 LLMOPS_E_RATE_LIMITED);
    cr_assert_eq(refine(LLMOPS_E_PROVIDER, "rate_limit_exceeded",
                        "Rate limit reached for gpt-4o on tokens per min (TPM)"),
                 LLMOPS_E_RATE_LIMITED);
    /* "tokens per min" must not read as a context-length problem */
    cr_assert_eq(refine(LLMOPS_E_RATE_LIMITED, "rate_limit_exceeded",
                        "Request too large for gpt-4 on tokens per min (TPM): Limit 10000, "
                        "Requested 20000."),
                 LLMOPS_E_RATE_LIMITED);
    cr_assert_eq(refine(LLMOPS_E_BAD_REQUEST, "content_filter",
                        "The response was filtered due to the prompt triggering Azure OpenAI's "
                        "content management policy."),
                 LLMOPS_E_CONTENT_FILTERED);
    cr_assert_eq(refine(LLMOPS_E_BAD_REQUEST, "content_policy_violation",
                        "Your request was rejected as a result of our safety system."),
                 LLMOPS_E_CONTENT_FILTERED);
    cr_assert_eq(refine(LLMOPS_E_BAD_REQUEST, NULL,
                        "Your request was rejected as a result of our safety system."),
                 LLMOPS_E_CONTENT_FILTERED);
    cr_assert_eq(refine(LLMOPS_E_MODEL_NOT_FOUND, "model_not_found",
                        "The model `nonexistent` does not exist or you do not have access to it."),
                 LLMOPS_E_MODEL_NOT_FOUND);
    /* OpenAI answers some unknown models with 403 or 400: the code wins */
    cr_assert_eq(refine(LLMOPS_E_PERMISSION, "model_not_found", NULL), LLMOPS_E_MODEL_NOT_FOUND);
    cr_assert_eq(refine(LLMOPS_E_BAD_REQUEST, NULL,
                        "The model `gpt-9` does not exist or you do not have access to it."),
                 LLMOPS_E_MODEL_NOT_FOUND);
    cr_assert_eq(refine(LLMOPS_E_PERMISSION, "unsupported_country_region_territory",
                        "Country, region, or territory not supported"),
                 LLMOPS_E_PERMISSION);
    cr_assert_eq(refine(LLMOPS_E_PROVIDER, "server_error", "The server had an error"),
                 LLMOPS_E_PROVIDER);
    cr_assert_eq(refine(LLMOPS_E_PROVIDER, NULL,
                        "That model is currently overloaded with other requests."),
                 LLMOPS_E_OVERLOADED);
    /* Groq / OpenAI-compatible context overflow */
    cr_assert_eq(refine(LLMOPS_E_BAD_REQUEST, "context_length_exceeded",
                        "Please reduce the length of the messages or completion."),
                 LLMOPS_E_CONTEXT_LENGTH);
    cr_assert_eq(refine(LLMOPS_E_BAD_REQUEST, NULL,
                        "Please reduce the length of the messages or completion."),
                 LLMOPS_E_CONTEXT_LENGTH);
}

Test(errors, openai_ordinary_bad_requests_stay_bad_requests)
{
    cr_assert_eq(refine(LLMOPS_E_BAD_REQUEST, "unsupported_parameter",
                        "Unsupported parameter: 'max_tokens' is not supported with this model. "
                        "Use 'max_completion_tokens' instead."),
                 LLMOPS_E_BAD_REQUEST);
    cr_assert_eq(refine(LLMOPS_E_BAD_REQUEST, "tool_use_failed",
                        "Tool call validation failed: parameters for tool get_something_by_name "
                        "did not match schema"),
                 LLMOPS_E_BAD_REQUEST);
    /* parameter names must not trigger the content-filter or timeout rules */
    cr_assert_eq(refine(LLMOPS_E_BAD_REQUEST, "invalid_argument",
                        "Invalid value at 'safety_settings[0].category'"),
                 LLMOPS_E_BAD_REQUEST);
    cr_assert_eq(refine(LLMOPS_E_BAD_REQUEST, NULL, "Invalid value for 'timeout': -1"),
                 LLMOPS_E_BAD_REQUEST);
    cr_assert_eq(refine(LLMOPS_E_BAD_REQUEST, NULL,
                        "max_tokens: 100000 > 64000, which is the maximum allowed number of "
                        "output tokens for claude-sonnet"),
                 LLMOPS_E_BAD_REQUEST);
}

/* ---- refinement: Anthropic ------------------------------------------------- */

Test(errors, anthropic_types)
{
    cr_assert_eq(refine(LLMOPS_E_AUTH, "authentication_error", "invalid x-api-key"),
                 LLMOPS_E_AUTH);
    cr_assert_eq(refine(LLMOPS_E_PROVIDER, NULL, "invalid x-api-key"), LLMOPS_E_AUTH);
    cr_assert_eq(refine(LLMOPS_E_PROVIDER, "permission_error",
                        "Your API key does not have permission to use the specified resource."),
                 LLMOPS_E_PERMISSION);
    cr_assert_eq(refine(LLMOPS_E_PROVIDER, "not_found_error", "model: claude-does-not-exist"),
                 LLMOPS_E_MODEL_NOT_FOUND);
    cr_assert_eq(refine(LLMOPS_E_BAD_REQUEST, "invalid_request_error",
                        "prompt is too long: 210432 tokens > 200000 maximum"),
                 LLMOPS_E_CONTEXT_LENGTH);
    cr_assert_eq(refine(LLMOPS_E_BAD_REQUEST, "invalid_request_error",
                        "input length and `max_tokens` exceed context limit: 197000 + 8192 > "
                        "200000, decrease input length or `max_tokens` and try again"),
                 LLMOPS_E_CONTEXT_LENGTH);
    cr_assert_eq(refine(LLMOPS_E_BAD_REQUEST, "invalid_request_error",
                        "This model does not support effort level 'xhigh'."),
                 LLMOPS_E_BAD_REQUEST);
    cr_assert_eq(refine(LLMOPS_E_RATE_LIMITED, "rate_limit_error",
                        "Number of request tokens has exceeded your per-minute rate limit"),
                 LLMOPS_E_RATE_LIMITED);
    /* "has exceeded ... rate limit" has "token"/"exceeded" but is not about context */
    cr_assert_eq(refine(LLMOPS_E_PROVIDER, "rate_limit_error",
                        "Number of request tokens has exceeded your per-minute rate limit"),
                 LLMOPS_E_RATE_LIMITED);
    cr_assert_eq(refine(LLMOPS_E_OVERLOADED, "overloaded_error", "Overloaded"),
                 LLMOPS_E_OVERLOADED);
    /* error event inside a 200 stream: the caller starts from PROVIDER */
    cr_assert_eq(refine(LLMOPS_E_PROVIDER, "overloaded_error", "Overloaded"),
                 LLMOPS_E_OVERLOADED);
    cr_assert_eq(refine(LLMOPS_E_PROVIDER, "api_error", "Internal server error"),
                 LLMOPS_E_PROVIDER);
    cr_assert_eq(refine(LLMOPS_E_PROVIDER, "invalid_request_error", "messages: field required"),
                 LLMOPS_E_BAD_REQUEST);
    cr_assert_eq(refine(LLMOPS_E_PROVIDER, NULL, "Input is too long for requested model."),
                 LLMOPS_E_CONTEXT_LENGTH);
}

Test(errors, generic_types_do_not_override_a_precise_http_status)
{
    /* OpenAI sends unknown models as 404 + invalid_request_error */
    cr_assert_eq(refine(LLMOPS_E_MODEL_NOT_FOUND, "invalid_request_error", "Unknown request URL"),
                 LLMOPS_E_MODEL_NOT_FOUND);
    cr_assert_eq(refine(LLMOPS_E_BAD_REQUEST, "api_error", "odd"), LLMOPS_E_BAD_REQUEST);
    cr_assert_eq(refine(LLMOPS_E_AUTH, "INVALID_ARGUMENT", "odd"), LLMOPS_E_AUTH);
    cr_assert_eq(refine(LLMOPS_E_OVERLOADED, "INTERNAL", "odd"), LLMOPS_E_OVERLOADED);
}

/* ---- refinement: Gemini ---------------------------------------------------- */

Test(errors, gemini_rpc_statuses)
{
    cr_assert_eq(refine(LLMOPS_E_PROVIDER, "INVALID_ARGUMENT", "Request contains an invalid argument."),
                 LLMOPS_E_BAD_REQUEST);
    cr_assert_eq(refine(LLMOPS_E_BAD_REQUEST, "INVALID_ARGUMENT",
                        "The input token count (1234567) exceeds the maximum number of tokens "
                        "allowed (1048576)."),
                 LLMOPS_E_CONTEXT_LENGTH);
    cr_assert_eq(refine(LLMOPS_E_BAD_REQUEST, "INVALID_ARGUMENT",
                        "input token count exceeds the limit"),
                 LLMOPS_E_CONTEXT_LENGTH);
    /* Gemini reports a bad key as 400 INVALID_ARGUMENT */
    cr_assert_eq(refine(LLMOPS_E_BAD_REQUEST, "INVALID_ARGUMENT",
                        "API key not valid. Please pass a valid API key."),
                 LLMOPS_E_AUTH);
    cr_assert_eq(refine(LLMOPS_E_BAD_REQUEST, "API_KEY_INVALID", NULL), LLMOPS_E_AUTH);
    cr_assert_eq(refine(LLMOPS_E_PROVIDER, "UNAUTHENTICATED",
                        "Request had invalid authentication credentials."),
                 LLMOPS_E_AUTH);
    cr_assert_eq(refine(LLMOPS_E_PROVIDER, "PERMISSION_DENIED",
                        "Method doesn't allow unregistered callers."),
                 LLMOPS_E_PERMISSION);
    cr_assert_eq(refine(LLMOPS_E_MODEL_NOT_FOUND, "NOT_FOUND",
                        "models/nonexistent-model is not found for API version v1beta"),
                 LLMOPS_E_MODEL_NOT_FOUND);
    cr_assert_eq(refine(LLMOPS_E_PROVIDER, "NOT_FOUND", "Requested entity was not found."),
                 LLMOPS_E_MODEL_NOT_FOUND);
    cr_assert_eq(refine(LLMOPS_E_PROVIDER, "RESOURCE_EXHAUSTED",
                        "Resource has been exhausted (e.g. check quota)."),
                 LLMOPS_E_RATE_LIMITED);
    cr_assert_eq(refine(LLMOPS_E_PROVIDER, "UNAVAILABLE", "The model is overloaded."),
                 LLMOPS_E_OVERLOADED);
    cr_assert_eq(refine(LLMOPS_E_PROVIDER, "UNAVAILABLE", "The service is currently unavailable."),
                 LLMOPS_E_OVERLOADED);
    cr_assert_eq(refine(LLMOPS_E_PROVIDER, "INTERNAL", "An internal error has occurred."),
                 LLMOPS_E_PROVIDER);
    cr_assert_eq(refine(LLMOPS_E_PROVIDER, "DEADLINE_EXCEEDED", "Deadline expired before operation could complete."),
                 LLMOPS_E_TIMEOUT);
    cr_assert_eq(refine(LLMOPS_E_PROVIDER, NULL, "upstream request timed out"),
                 LLMOPS_E_TIMEOUT);
    /* finish/block reasons the wire code passes as codes */
    cr_assert_eq(refine(LLMOPS_E_PROVIDER, "SAFETY", NULL), LLMOPS_E_CONTENT_FILTERED);
    cr_assert_eq(refine(LLMOPS_E_PROVIDER, "PROHIBITED_CONTENT", NULL), LLMOPS_E_CONTENT_FILTERED);
    cr_assert_eq(refine(LLMOPS_E_PROVIDER, "BLOCKLIST", NULL), LLMOPS_E_CONTENT_FILTERED);
    cr_assert_eq(refine(LLMOPS_E_PROVIDER, "RECITATION", NULL), LLMOPS_E_CONTENT_FILTERED);
}

/* ---- refinement: Ollama and others ---------------------------------------- */

Test(errors, plain_messages)
{
    cr_assert_eq(refine(LLMOPS_E_MODEL_NOT_FOUND, NULL,
                        "model \"llama3\" not found, try pulling it first"),
                 LLMOPS_E_MODEL_NOT_FOUND);
    cr_assert_eq(refine(LLMOPS_E_PROVIDER, NULL,
                        "model \"llama3\" not found, try pulling it first"),
                 LLMOPS_E_MODEL_NOT_FOUND);
    cr_assert_eq(refine(LLMOPS_E_PROVIDER, NULL,
                        "model 'nonexistent' not found, make sure the correct model ID was used"),
                 LLMOPS_E_MODEL_NOT_FOUND);
    cr_assert_eq(refine(LLMOPS_E_RATE_LIMITED, NULL,
                        "google/gemini-2.0-flash-exp:free is temporarily rate-limited upstream."),
                 LLMOPS_E_RATE_LIMITED);
    cr_assert_eq(refine(LLMOPS_E_PROVIDER, NULL, "Too Many Requests"), LLMOPS_E_RATE_LIMITED);
    cr_assert_eq(refine(LLMOPS_E_PROVIDER, NULL,
                        "Prompt contains 40000 tokens, too large for model with 32768 maximum "
                        "context length"),
                 LLMOPS_E_CONTEXT_LENGTH);
    cr_assert_eq(refine(LLMOPS_E_PROVIDER, NULL, "exceeds the model's context window"),
                 LLMOPS_E_CONTEXT_LENGTH);
    cr_assert_eq(refine(LLMOPS_E_PROVIDER, NULL, "Service Unavailable"), LLMOPS_E_OVERLOADED);
    cr_assert_eq(refine(LLMOPS_E_PROVIDER, NULL, "permission denied for project"),
                 LLMOPS_E_PERMISSION);
    cr_assert_eq(refine(LLMOPS_E_PROVIDER, NULL, "blocked by content filter"),
                 LLMOPS_E_CONTENT_FILTERED);
}

Test(errors, unknown_or_missing_input_keeps_status)
{
    cr_assert_eq(refine(LLMOPS_E_PROVIDER, NULL, NULL), LLMOPS_E_PROVIDER);
    cr_assert_eq(refine(LLMOPS_E_BAD_REQUEST, "", ""), LLMOPS_E_BAD_REQUEST);
    cr_assert_eq(refine(LLMOPS_E_PROVIDER, "something_new", "an unheard-of failure"),
                 LLMOPS_E_PROVIDER);
    /* EXACT codes: a resource other than the model is not a missing model */
    cr_assert_eq(refine(LLMOPS_E_BAD_REQUEST, "previous_response_not_found",
                        "Previous response with id 'resp_1' not found."),
                 LLMOPS_E_BAD_REQUEST);
    /* lengths are honoured: the hint lies beyond code_len / message_len */
    const char *code = "xxxxcontext_length_exceeded";
    cr_assert_eq(llmops__error_refine(LLMOPS_E_BAD_REQUEST, code, 4, NULL, 0),
                 LLMOPS_E_BAD_REQUEST);
    const char *msg = "hi prompt is too long";
    cr_assert_eq(llmops__error_refine(LLMOPS_E_BAD_REQUEST, NULL, 0, msg, 8),
                 LLMOPS_E_BAD_REQUEST);
    cr_assert_eq(llmops__error_refine(LLMOPS_E_BAD_REQUEST, NULL, 0, msg, strlen(msg)),
                 LLMOPS_E_CONTEXT_LENGTH);
}

Test(errors, only_provider_failures_are_refined)
{
    cr_assert_eq(refine(LLMOPS_OK, "rate_limit_exceeded", "rate limit"), LLMOPS_OK);
    cr_assert_eq(refine(LLMOPS_E_TRANSPORT, NULL, "operation timed out"), LLMOPS_E_TRANSPORT);
    cr_assert_eq(refine(LLMOPS_E_CANCELLED, "overloaded_error", NULL), LLMOPS_E_CANCELLED);
    cr_assert_eq(refine(LLMOPS_E_NO_MEMORY, "overloaded_error", NULL), LLMOPS_E_NO_MEMORY);
    cr_assert_eq(refine(LLMOPS_E_MALFORMED_RESPONSE, "overloaded_error", NULL),
                 LLMOPS_E_MALFORMED_RESPONSE);
}

/* ---- retry hints ---------------------------------------------------------- */

Test(errors, retry_after_delta_seconds)
{
    int64_t now = T_1994 * NS;
    cr_assert_eq(hint("Retry-After", "30", now), 30000);
    cr_assert_eq(hint("retry-after", "0", now), 0);
    cr_assert_eq(hint("RETRY-AFTER", " 7 ", now), 7000);
    cr_assert_eq(hint("Retry-After", "86400", now), CAP_MS);
    /* huge values saturate at the 24 h cap instead of wrapping */
    cr_assert_eq(hint("Retry-After", "99999999999999999999999999", now), CAP_MS);
    cr_assert_eq(hint("Retry-After", "100000", now), CAP_MS);
    /* garbage */
    cr_assert_eq(hint("Retry-After", "", now), 0);
    cr_assert_eq(hint("Retry-After", "-5", now), 0);
    cr_assert_eq(hint("Retry-After", "1.5", now), 0);
    cr_assert_eq(hint("Retry-After", "12abc", now), 0);
    cr_assert_eq(hint("Retry-After", "soon", now), 0);
}

Test(errors, retry_after_http_dates)
{
    int64_t now = (T_1994 - 30) * NS;
    cr_assert_eq(hint("Retry-After", "Sun, 06 Nov 1994 08:49:37 GMT", now), 30000);
    /* obsolete forms RFC 9110 still requires recipients to accept */
    cr_assert_eq(hint("Retry-After", "Sunday, 06-Nov-94 08:49:37 GMT", now), 30000);
    cr_assert_eq(hint("Retry-After", "Sun Nov  6 08:49:37 1994", now), 30000);
    /* sub-second "now" rounds up so the wait never ends early */
    cr_assert_eq(hint("Retry-After", "Sun, 06 Nov 1994 08:49:37 GMT", now + NS / 2), 29500);
    cr_assert_eq(hint("Retry-After", "Sun, 06 Nov 1994 08:49:37 GMT", now + 1), 30000);
    /* past or present dates: no wait */
    cr_assert_eq(hint("Retry-After", "Sun, 06 Nov 1994 08:49:37 GMT", T_1994 * NS), 0);
    cr_assert_eq(hint("Retry-After", "Sun, 06 Nov 1994 08:49:37 GMT", (T_1994 + 3600) * NS), 0);
    cr_assert_eq(hint("Retry-After", "Mon, 01 Jan 0001 00:00:00 GMT", now), 0);
    /* far future saturates */
    cr_assert_eq(hint("Retry-After", "Fri, 31 Dec 9999 23:59:59 GMT", now), CAP_MS);
    cr_assert_eq(hint("Retry-After", "Mon, 07 Nov 1994 08:49:37 GMT", now), CAP_MS);
    /* leap day and year boundary */
    int64_t leap = INT64_C(1709164800); /* 2024-02-29T00:00:00Z */
    cr_assert_eq(hint("Retry-After", "Thu, 29 Feb 2024 00:00:10 GMT", leap * NS), 10000);
    cr_assert_eq(hint("Retry-After", "Thu, 29 Feb 2024 00:00:00 GMT", (leap - 1) * NS), 1000);
    /* malformed dates */
    const char *bad[] = {
        "Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 6 Nov 1994 08:49:37 GMT",
        "Sun, 06 Foo 1994 08:49:37 GMT", "Sun, 31 Nov 1994 08:49:37 GMT",
        "Sun, 29 Feb 2023 08:49:37 GMT", "Sun, 06 Nov 1994 24:00:00 GMT",
        "Sun, 06 Nov 1994 08:60:00 GMT", "Sun, 06 Nov 1994 08:49:37 GMTx",
        "Xyz, 06 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 94 08:49:37 GMT",
        "Sunday, 06-Nov-1994 08:49:37 GMT", "Sun Nov 6 08:49:37 1994",
        "2024-11-22T09:01:14Z", "Sun,", "S",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_assert_eq(hint("Retry-After", bad[i], now), 0, "%s", bad[i]);
}

Test(errors, rfc850_two_digit_year_follows_the_fifty_year_rule)
{
    /* now = 2024-11-22: "30" is 2030 (future), "94" is 1994 (past) */
    int64_t now = T_2024 * NS;
    uint64_t ms = hint("Retry-After", "Friday, 22-Nov-24 09:01:44 GMT", now);
    cr_assert_eq(ms, 30000);
    cr_assert_eq(hint("Retry-After", "Sunday, 06-Nov-94 08:49:37 GMT", now), 0);
    cr_assert_eq(hint("Retry-After", "Friday, 22-Nov-30 09:01:44 GMT", now), CAP_MS);
}

Test(errors, retry_after_ms)
{
    cr_assert_eq(hint("retry-after-ms", "150", 0), 150);
    cr_assert_eq(hint("Retry-After-Ms", "150.2", 0), 151);
    cr_assert_eq(hint("retry-after-ms", "0", 0), 0);
    cr_assert_eq(hint("retry-after-ms", "999999999999999999999", 0), CAP_MS);
    cr_assert_eq(hint("retry-after-ms", "abc", 0), 0);
    cr_assert_eq(hint("retry-after-ms", "15s", 0), 0);
    cr_assert_eq(hint("retry-after-ms", "", 0), 0);
}

Test(errors, openai_reset_durations)
{
    cr_assert_eq(hint("x-ratelimit-reset-requests", "1s", 0), 1000);
    cr_assert_eq(hint("x-ratelimit-reset-tokens", "6m0s", 0), 360000);
    cr_assert_eq(hint("X-RateLimit-Reset-Tokens", "120ms", 0), 120);
    cr_assert_eq(hint("x-ratelimit-reset-requests", "2.5s", 0), 2500);
    cr_assert_eq(hint("x-ratelimit-reset-requests", "1h2m3s", 0), 3723000);
    cr_assert_eq(hint("x-ratelimit-reset-requests", "2m59.56s", 0), 179560);
    cr_assert_eq(hint("x-ratelimit-reset-requests", "0s", 0), 0);
    cr_assert_eq(hint("x-ratelimit-reset-requests", "0", 0), 0);
    cr_assert_eq(hint("x-ratelimit-reset-requests", "500us", 0), 1);
    cr_assert_eq(hint("x-ratelimit-reset-requests", "500\xc2\xb5s", 0), 1);
    cr_assert_eq(hint("x-ratelimit-reset-requests", "1500000ns", 0), 2);
    cr_assert_eq(hint("x-ratelimit-reset-requests", "48h", 0), CAP_MS);
    cr_assert_eq(hint("x-ratelimit-reset-requests", "99999999999999999999h", 0), CAP_MS);
    const char *bad[] = { "", "s", "1", "12", "1x", "1.s", "-1s", "1s2", "1 s", "ms", "1sm" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_assert_eq(hint("x-ratelimit-reset-tokens", bad[i], 0), 0, "'%s'", bad[i]);
}

Test(errors, anthropic_reset_timestamps)
{
    int64_t now = (T_2024 - 20) * NS;
    const char *names[] = {
        "anthropic-ratelimit-requests-reset", "anthropic-ratelimit-tokens-reset",
        "anthropic-ratelimit-input-tokens-reset", "Anthropic-RateLimit-Output-Tokens-Reset",
    };
    for (size_t i = 0; i < 4; i++)
        cr_assert_eq(hint(names[i], "2024-11-22T09:01:14Z", now), 20000, "%s", names[i]);
    cr_assert_eq(hint(names[0], "2024-11-22T09:01:14.25Z", now), 20250);
    cr_assert_eq(hint(names[0], "2024-11-22T09:01:14.000000001Z", now), 20001);
    cr_assert_eq(hint(names[0], "2024-11-22t09:01:14z", now), 20000);
    cr_assert_eq(hint(names[0], "2024-11-22 09:01:14Z", now), 20000);
    cr_assert_eq(hint(names[0], "2024-11-22T10:01:14+01:00", now), 20000);
    cr_assert_eq(hint(names[0], "2024-11-22T08:01:14-01:00", now), 20000);
    /* past */
    cr_assert_eq(hint(names[0], "2024-11-22T09:01:14Z", T_2024 * NS), 0);
    cr_assert_eq(hint(names[0], "2020-01-01T00:00:00Z", now), 0);
    /* far future */
    cr_assert_eq(hint(names[0], "2124-11-22T09:01:14Z", now), CAP_MS);
    const char *bad[] = {
        "2024-11-22", "2024-11-22T09:01:14", "2024-13-22T09:01:14Z", "2024-11-31T09:01:14Z",
        "2024-11-22T09:01:14.Z", "2024-11-22T09:01:14+0100", "24-11-22T09:01:14Z",
        "2024-11-22T09:01:14Zjunk", "tomorrow", "",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_assert_eq(hint(names[1], bad[i], now), 0, "'%s'", bad[i]);
}

Test(errors, other_headers_are_not_hints)
{
    cr_assert_eq(hint("x-ratelimit-remaining-requests", "30", 0), 0);
    cr_assert_eq(hint("x-ratelimit-reset", "30s", 0), 0);
    cr_assert_eq(hint("content-length", "30", 0), 0);
    cr_assert_eq(hint("retry-after-seconds", "30", 0), 0);
    cr_assert_eq(hint("retry-afte", "30", 0), 0);
    cr_assert_eq(llmops__retry_hint_header(NULL, 0, "30", 2, 0), 0);
    cr_assert_eq(llmops__retry_hint_header("retry-after", 11, NULL, 0, 0), 0);
    /* name and value lengths are honoured */
    cr_assert_eq(llmops__retry_hint_header("retry-after-ms", 11, "30", 2, 0), 30000);
    cr_assert_eq(llmops__retry_hint_header("retry-after", 11, "305", 2, 0), 30000);
}

Test(errors, gemini_retry_delay)
{
    cr_assert_eq(llmops__retry_hint_duration("30s", 3), 30000);
    cr_assert_eq(llmops__retry_hint_duration("1.5s", 4), 1500);
    cr_assert_eq(llmops__retry_hint_duration("0.25s", 5), 250);
    cr_assert_eq(llmops__retry_hint_duration("0s", 2), 0);
    cr_assert_eq(llmops__retry_hint_duration("53.123456789s", 13), 53124);
    cr_assert_eq(llmops__retry_hint_duration("100000s", 7), CAP_MS);
    cr_assert_eq(llmops__retry_hint_duration("30", 2), 0);
    cr_assert_eq(llmops__retry_hint_duration("abc", 3), 0);
    cr_assert_eq(llmops__retry_hint_duration("", 0), 0);
    cr_assert_eq(llmops__retry_hint_duration(NULL, 3), 0);
    cr_assert_eq(llmops__retry_hint_duration("30sX", 3), 30000);
}
