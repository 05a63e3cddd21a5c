/*
 * libllmops — common definitions: export macro, version, status codes,
 * feature flags and the replaceable allocator.
 *
 * Thread-safety: everything in this header is safe to call from any thread,
 * except llmops_set_allocator(), which must be called before any other
 * libllmops function and never while another thread uses the library.
 */
#ifndef LLMOPS_COMMON_H
#define LLMOPS_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- export macro ------------------------------------------------------- */

#if defined(_WIN32) && !defined(LLMOPS_STATIC)
#  ifdef LLMOPS_BUILDING
#    define LLMOPS_API __declspec(dllexport)
#  else
#    define LLMOPS_API __declspec(dllimport)
#  endif
#elif defined(__GNUC__) || defined(__clang__)
#  define LLMOPS_API __attribute__((visibility("default")))
#else
#  define LLMOPS_API
#endif

/* ---- version ------------------------------------------------------------ */

#define LLMOPS_VERSION_MAJOR 0
#define LLMOPS_VERSION_MINOR 1
#define LLMOPS_VERSION_PATCH 0
/** MAJOR * 10000 + MINOR * 100 + PATCH, for compile-time comparisons. */
#define LLMOPS_VERSION_NUMBER \
    (LLMOPS_VERSION_MAJOR * 10000 + LLMOPS_VERSION_MINOR * 100 + LLMOPS_VERSION_PATCH)
#define LLMOPS_VERSION_STRING "0.1.0"

/** The version string of the library actually linked ("0.1.0"). Static storage. */
LLMOPS_API const char *llmops_version(void);

/** LLMOPS_VERSION_NUMBER of the library actually linked; compare with the
 *  macro to detect a header/library mismatch at run time. */
LLMOPS_API unsigned llmops_version_number(void);

/* ---- optional features -------------------------------------------------- */

/** Bit flags returned by llmops_features(). Values are never reused. */
enum {
    LLMOPS_FEATURE_HTTP      = 1u << 0, /* libcurl transport */
    LLMOPS_FEATURE_STREAMING = 1u << 1, /* streamed provider responses */
    LLMOPS_FEATURE_YAML      = 1u << 2, /* libyaml configuration and prompts */
    LLMOPS_FEATURE_SQLITE    = 1u << 3, /* SQLite trace store */
    LLMOPS_FEATURE_REDIS     = 1u << 4, /* hiredis shared state */
    LLMOPS_FEATURE_OTLP      = 1u << 5, /* OTLP/HTTP exporter */
    LLMOPS_FEATURE_PCRE2     = 1u << 6  /* PCRE2 patterns in contracts */
};

/** Which optional parts this build of the library contains. */
LLMOPS_API unsigned llmops_features(void);

/* ---- status codes ------------------------------------------------------- */

/**
 * Result of every fallible function. 0 is success. Codes are never
 * renumbered or reused; new codes are appended. The detailed message of a
 * failure is kept on the object that failed (for example llmops_call_error()),
 * or written to an error struct the caller passes in.
 */
typedef enum llmops_status {
    LLMOPS_OK                     = 0,
    LLMOPS_E_INVALID_ARGUMENT     = 1,  /* bad input from the caller */
    LLMOPS_E_NO_MEMORY            = 2,  /* an allocation failed */
    LLMOPS_E_NOT_FOUND            = 3,  /* a named thing does not exist */
    LLMOPS_E_PARSE                = 4,  /* malformed text (JSON, YAML, template, ...) */
    LLMOPS_E_LIMIT                = 5,  /* a configured size/depth/count limit was hit */
    LLMOPS_E_TYPE                 = 6,  /* a value has another type than asked for */
    LLMOPS_E_RANGE                = 7,  /* a value does not fit the requested type */
    LLMOPS_E_UNKNOWN_OPTION       = 8,  /* an option key this library does not know */
    LLMOPS_E_UNSUPPORTED          = 9,  /* not available in this build or for this target */
    LLMOPS_E_IO                   = 10, /* file or system I/O failed */
    LLMOPS_E_CONFIG               = 11, /* configuration is invalid */
    LLMOPS_E_AUTH                 = 12, /* provider rejected the credentials (401) */
    LLMOPS_E_PERMISSION           = 13, /* provider denied access (403) */
    LLMOPS_E_MODEL_NOT_FOUND      = 14, /* provider does not know the model (404) */
    LLMOPS_E_BAD_REQUEST          = 15, /* provider rejected the request (400/422) */
    LLMOPS_E_CONTEXT_LENGTH       = 16, /* input exceeds the model's context window */
    LLMOPS_E_CONTENT_FILTERED     = 17, /* provider refused or filtered the content */
    LLMOPS_E_RATE_LIMITED         = 18, /* provider or local limiter said slow down (429) */
    LLMOPS_E_OVERLOADED           = 19, /* provider overloaded (503, 529) */
    LLMOPS_E_PROVIDER             = 20, /* provider server error (5xx) */
    LLMOPS_E_TIMEOUT              = 21, /* a deadline or timeout expired */
    LLMOPS_E_TRANSPORT            = 22, /* connection, DNS or TLS failure */
    LLMOPS_E_CANCELLED            = 23, /* cancelled by the host */
    LLMOPS_E_MALFORMED_RESPONSE   = 24, /* provider answered something we cannot read */
    LLMOPS_E_CONTRACT_VIOLATION   = 25, /* output failed the task's contract */
    LLMOPS_E_BLOCKED              = 26, /* a guardrail or policy blocked the call */
    LLMOPS_E_BUDGET_EXCEEDED      = 27, /* a cost or token budget is exhausted */
    LLMOPS_E_CIRCUIT_OPEN         = 28, /* every target's circuit breaker is open */
    LLMOPS_E_NO_RECORDING         = 29, /* replay provider has no cassette for a request */
    LLMOPS_E_SCHEMA               = 30, /* a JSON Schema is not a valid schema */
    LLMOPS_E_VALIDATION           = 31, /* a value failed validation (input schema, ...) */
    LLMOPS_E_ABORTED              = 32, /* a host callback asked to stop */
    LLMOPS_E_INTERNAL             = 33  /* a bug in libllmops; please report it */
} llmops_status;

/** One past the highest status code this version knows. */
#define LLMOPS_STATUS__COUNT 34

/** Static, lower-case name of a status ("ok", "rate_limited", ...). Never
 *  NULL: an unknown code gives "unknown". */
LLMOPS_API const char *llmops_status_str(llmops_status status);

/* ---- allocator ---------------------------------------------------------- */

/**
 * A replacement for malloc/realloc/free. All three functions are required.
 * They receive `ctx` last. They must be thread-safe if the library is used
 * from several threads. `realloc(NULL, n, ctx)` must behave like alloc and
 * `free(NULL, ctx)` must be a no-op.
 */
typedef struct llmops_allocator {
    unsigned version;                                   /* LLMOPS_ALLOCATOR_VERSION */
    void *(*alloc)(size_t size, void *ctx);
    void *(*realloc)(void *ptr, size_t size, void *ctx);
    void (*free)(void *ptr, void *ctx);
    void *ctx;
} llmops_allocator;

#define LLMOPS_ALLOCATOR_VERSION 1

/**
 * Replace the allocator used for every allocation the library makes.
 * Pass NULL to restore malloc/realloc/free. The structure is copied.
 * Must be called before any other libllmops call allocates, and never
 * while the library is in use: memory allocated by one allocator must be
 * freed by the same one.
 * Errors: LLMOPS_E_INVALID_ARGUMENT if a function pointer is missing or the
 * version is unknown.
 */
LLMOPS_API llmops_status llmops_set_allocator(const llmops_allocator *allocator);

/** Allocate through the library's allocator. Returns NULL on failure. */
LLMOPS_API void *llmops_malloc(size_t size);

/** Free memory the library handed to the caller (strings through `char **out`
 *  parameters, serialized JSON, error messages). NULL is a no-op. */
LLMOPS_API void llmops_free(void *ptr);

#ifdef __cplusplus
}
#endif

#endif /* LLMOPS_COMMON_H */
