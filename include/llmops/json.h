/*
 * libllmops — JSON values for hosts.
 *
 * A document (llmops_json_doc) owns every value in it; values
 * (llmops_json) are borrowed pointers into the document and stay valid
 * until the document is freed. Parsing is strict RFC 8259: UTF-8 is
 * validated (overlong forms, UTF-8-encoded surrogates and code points above
 * U+10FFFF are errors; so is a byte order mark), escapes and surrogate pairs
 * are decoded, integers that fit int64 are kept exactly and every number
 * keeps its original text. A \u escape of a lone surrogate (a high one not
 * followed by a low one, or a low one alone) is an error: it has no UTF-8
 * form, and accepting it would make strings that cannot be written back.
 *
 * Duplicate object keys: by default the later member's value replaces the
 * earlier one, keeping the earlier member's position (what JavaScript's
 * JSON.parse does), so lookup, iteration and serialization all see one
 * member per key. LLMOPS_JSON_DUPKEYS_REJECT makes a duplicate a parse error.
 *
 * Thread-safety: a document that is no longer being built may be read from
 * any number of threads at once. Building (llmops_json_new_*, _set, _append)
 * needs exclusive access to the document. Different documents are independent.
 */
#ifndef LLMOPS_JSON_H
#define LLMOPS_JSON_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct llmops_json_doc llmops_json_doc;
typedef struct llmops_json llmops_json;

typedef enum llmops_json_type {
    LLMOPS_JSON_NULL   = 0,
    LLMOPS_JSON_BOOL   = 1,
    LLMOPS_JSON_NUMBER = 2,
    LLMOPS_JSON_STRING = 3,
    LLMOPS_JSON_ARRAY  = 4,
    LLMOPS_JSON_OBJECT = 5
} llmops_json_type;

enum {
    LLMOPS_JSON_DUPKEYS_LAST_WINS = 0, /* default; see the header comment */
    LLMOPS_JSON_DUPKEYS_REJECT    = 1
};

/** Parse options. Initialise with LLMOPS_JSON_PARSE_OPTIONS_INIT or
 *  llmops_json_parse_options_init(); fields are only ever appended. */
typedef struct llmops_json_parse_options {
    unsigned version;       /* LLMOPS_JSON_PARSE_OPTIONS_VERSION */
    unsigned max_depth;     /* nesting limit; 0 = default (512) */
    size_t max_size;        /* input byte limit; 0 = default (64 MiB) */
    unsigned duplicate_keys;/* LLMOPS_JSON_DUPKEYS_* */
} llmops_json_parse_options;

#define LLMOPS_JSON_PARSE_OPTIONS_VERSION 1
#define LLMOPS_JSON_PARSE_OPTIONS_INIT { LLMOPS_JSON_PARSE_OPTIONS_VERSION, 0, 0, 0 }

/** Fill `opts` with the defaults of the linked library. */
LLMOPS_API void llmops_json_parse_options_init(llmops_json_parse_options *opts);

/** Where and why a parse failed. `version` must be set by the caller
 *  (LLMOPS_JSON_ERROR_INIT); the library fills the rest. */
typedef struct llmops_json_error {
    unsigned version;    /* LLMOPS_JSON_ERROR_VERSION */
    size_t offset;       /* byte offset of the problem, 0-based */
    unsigned line;       /* 1-based line */
    unsigned column;     /* 1-based column, counted in bytes */
    char message[128];   /* NUL-terminated, never contains input bytes verbatim */
} llmops_json_error;

#define LLMOPS_JSON_ERROR_VERSION 1
#define LLMOPS_JSON_ERROR_INIT { LLMOPS_JSON_ERROR_VERSION, 0, 0, 0, { 0 } }

/**
 * Parse `len` bytes of `text` (which need not be NUL-terminated and may
 * contain NUL bytes, which are then an error outside strings' escapes).
 * `opts` and `err` may be NULL. On success *out is a new document the caller
 * frees with llmops_json_doc_free().
 * Errors: LLMOPS_E_PARSE (malformed text, invalid UTF-8, or a duplicate key
 * with LLMOPS_JSON_DUPKEYS_REJECT), LLMOPS_E_LIMIT (more than max_size bytes,
 * or containers nested deeper than max_depth), LLMOPS_E_INVALID_ARGUMENT
 * (NULL out, NULL text with len > 0, unknown options version or mode),
 * LLMOPS_E_NO_MEMORY.
 * On failure *out is NULL and `err` (if given) says where and why; an
 * offset equal to `len` means the text ended too early.
 */
LLMOPS_API llmops_status llmops_json_parse(llmops_json_doc **out, const char *text, size_t len,
                                           const llmops_json_parse_options *opts,
                                           llmops_json_error *err);

/** A new, empty document to build values in. Its root is NULL until set. */
LLMOPS_API llmops_status llmops_json_doc_new(llmops_json_doc **out);

/** Free a document and every value in it. NULL is a no-op. */
LLMOPS_API void llmops_json_doc_free(llmops_json_doc *doc);

/** The document's root value (borrowed), or NULL for an empty document. */
LLMOPS_API const llmops_json *llmops_json_doc_root(const llmops_json_doc *doc);

/** Make `value` (created in `doc`) the root. Errors: LLMOPS_E_INVALID_ARGUMENT. */
LLMOPS_API llmops_status llmops_json_doc_set_root(llmops_json_doc *doc, llmops_json *value);

/* ---- reading ------------------------------------------------------------ */

/** The value's type. NULL gives LLMOPS_JSON_NULL. */
LLMOPS_API llmops_json_type llmops_json_type_of(const llmops_json *v);

/** Static name of a type ("null", "boolean", "number", "string", "array", "object"). */
LLMOPS_API const char *llmops_json_type_name(llmops_json_type type);

/** 1 for true, 0 for false or a non-boolean. */
LLMOPS_API int llmops_json_is_true(const llmops_json *v);

/** 1 if `v` is a number whose value is an integer that fits int64 exactly.
 *  The decimal value counts, not the spelling: "1.0", "1e2" and "-0" are
 *  integers; "9223372036854775808" is not. */
LLMOPS_API int llmops_json_is_int(const llmops_json *v);

/** Read a boolean. Errors: LLMOPS_E_TYPE. */
LLMOPS_API llmops_status llmops_json_get_bool(const llmops_json *v, int *out);

/** Read an integer. Errors: LLMOPS_E_TYPE (not a number), LLMOPS_E_RANGE
 *  (a fraction, or outside int64). */
LLMOPS_API llmops_status llmops_json_get_int(const llmops_json *v, int64_t *out);

/** Read a number as a double (nearest representable; "-0" gives -0.0, a
 *  value too small for a double gives 0). Independent of the C locale.
 *  Errors: LLMOPS_E_TYPE, LLMOPS_E_RANGE (magnitude beyond double). */
LLMOPS_API llmops_status llmops_json_get_double(const llmops_json *v, double *out);

/** The number's text as written in the input (or as generated). Borrowed.
 *  NULL if `v` is not a number. `len` may be NULL. */
LLMOPS_API const char *llmops_json_number_text(const llmops_json *v, size_t *len);

/** The string's UTF-8 bytes, NUL-terminated (it may also contain NUL from
 *  \u0000, so use `len`). Borrowed. NULL if `v` is not a string. `len` may be NULL. */
LLMOPS_API const char *llmops_json_string(const llmops_json *v, size_t *len);

/** Number of elements (array) or members (object); 0 for anything else. */
LLMOPS_API size_t llmops_json_size(const llmops_json *v);

/** Element `i` of an array or the value of member `i` of an object, in
 *  document order; NULL when out of range or not a container. O(1). */
LLMOPS_API const llmops_json *llmops_json_at(const llmops_json *v, size_t i);

/** Key of member `i` of an object (NUL-terminated, borrowed); NULL when out
 *  of range or not an object. `len` may be NULL. */
LLMOPS_API const char *llmops_json_key_at(const llmops_json *v, size_t i, size_t *len);

/** Member value by NUL-terminated key; NULL if absent or not an object.
 *  Large objects are indexed, so lookup does not scan. */
LLMOPS_API const llmops_json *llmops_json_get(const llmops_json *v, const char *key);

/** Member value by a key of `len` bytes (may contain NUL). */
LLMOPS_API const llmops_json *llmops_json_getn(const llmops_json *v, const char *key, size_t len);

/** Deep equality: numbers compare by value (1 == 1.0), objects ignore order.
 *  Numbers are equal exactly when their canonical forms are (see
 *  LLMOPS_JSON_WRITE_CANONICAL): exact integers compare exactly, other
 *  numbers as their nearest double, numbers beyond double range by their
 *  exact decimal value. NULL equals only NULL. */
LLMOPS_API int llmops_json_equal(const llmops_json *a, const llmops_json *b);

/* ---- building ----------------------------------------------------------- */
/* Each constructor returns a value owned by `doc`, or NULL when out of
 * memory (or on invalid arguments). Strings are copied.
 * A value can be placed (appended, set or made the root) once. A container
 * may be filled after it is placed. Values read from a parsed document are
 * read-only: copy them with llmops_json_copy() to edit them. */

LLMOPS_API llmops_json *llmops_json_new_null(llmops_json_doc *doc);
LLMOPS_API llmops_json *llmops_json_new_bool(llmops_json_doc *doc, int value);
LLMOPS_API llmops_json *llmops_json_new_int(llmops_json_doc *doc, int64_t value);
/** NaN and infinities are not JSON: they return NULL. The number's text is
 *  the shortest that reads back to `value` (as in the canonical form, except
 *  that -0.0 keeps its sign as "-0"). */
LLMOPS_API llmops_json *llmops_json_new_double(llmops_json_doc *doc, double value);
/** `len` bytes of UTF-8; invalid UTF-8 returns NULL. */
LLMOPS_API llmops_json *llmops_json_new_string(llmops_json_doc *doc, const char *s, size_t len);
LLMOPS_API llmops_json *llmops_json_new_array(llmops_json_doc *doc);
LLMOPS_API llmops_json *llmops_json_new_object(llmops_json_doc *doc);

/** Deep-copy `v` (from any document) into `doc`. */
LLMOPS_API llmops_json *llmops_json_copy(llmops_json_doc *doc, const llmops_json *v);

/** Append `value` (created in the same document, not yet placed) to `array`.
 *  Errors: LLMOPS_E_INVALID_ARGUMENT (another document, already placed, or
 *  placing a container inside itself), LLMOPS_E_TYPE, LLMOPS_E_NO_MEMORY. */
LLMOPS_API llmops_status llmops_json_array_append(llmops_json_doc *doc, llmops_json *array,
                                                  llmops_json *value);

/** Set member `key` (`key_len` bytes of UTF-8) of `object` to `value`;
 *  an existing member with that key keeps its position and gets the value.
 *  Errors: LLMOPS_E_INVALID_ARGUMENT, LLMOPS_E_TYPE, LLMOPS_E_NO_MEMORY. */
LLMOPS_API llmops_status llmops_json_object_set(llmops_json_doc *doc, llmops_json *object,
                                                const char *key, size_t key_len,
                                                llmops_json *value);

/* ---- writing ------------------------------------------------------------ */

/* Compact and pretty output keep member order and each number's text, and
 * escape '"', '\\', control characters (\b \f \n \r \t, else \u00xx)
 * and U+2028/U+2029 (line ends in JavaScript). '/' is never escaped. */
enum {
    LLMOPS_JSON_WRITE_COMPACT   = 0,
    /* Two-space indent, one element or member per line, "key": value,
     * empty containers as [] and {}, no trailing newline. */
    LLMOPS_JSON_WRITE_PRETTY    = 1u << 0,
    /* Canonical form for hashing: object keys sorted by their UTF-8 bytes, no
     * insignificant whitespace, minimal string escapes, integral numbers
     * within int64 as integers, other numbers in the shortest form that
     * reads back to the same double. Equal values give identical bytes.
     * Numbers are laid out like ECMAScript's Number::toString (RFC 8785):
     * 0.000001, 1e-7, 1e+21, 1.5e+300; "-0" becomes 0. A number beyond double
     * range keeps its exact value, normalised: 1e400 and 10e399 give 1e+400
     * (its decimal exponent saturates at +-10^17, so beyond that all such
     * numbers with the same digits are one value).
     * Combined with PRETTY it keeps this content but uses the pretty layout;
     * combined with ASCII, non-ASCII characters are escaped as well. */
    LLMOPS_JSON_WRITE_CANONICAL = 1u << 1,
    /* Escape every non-ASCII character as \uXXXX (lowercase hex; a surrogate
     * pair above U+FFFF). */
    LLMOPS_JSON_WRITE_ASCII     = 1u << 2
};

/**
 * Serialize `v` into a new NUL-terminated string (*out, freed with
 * llmops_free). `out_len` (may be NULL) receives the length without the NUL.
 * Non-canonical output keeps each number's original text.
 * Errors: LLMOPS_E_INVALID_ARGUMENT (NULL out or v, unknown flag bits),
 * LLMOPS_E_NO_MEMORY.
 */
LLMOPS_API llmops_status llmops_json_write(char **out, size_t *out_len, const llmops_json *v,
                                           unsigned flags);

#ifdef __cplusplus
}
#endif

#endif /* LLMOPS_JSON_H */
