/* JSON numbers: exact integer detection, conversion to double without
 * depending on the C locale, shortest round-trip formatting, and the
 * value-based equality and canonical form that agree with each other. */
#ifndef LLMOPS_JSON_NUMBER_H
#define LLMOPS_JSON_NUMBER_H

#include "json/value.h"
#include "core/strbuf.h"

/* Longest text llmops__json_fmt_double produces, NUL included. */
#define JSON_DOUBLE_BUF 32

/* Set JSON_F_INT/JSON_F_DBL and v->num from v->p.s / v->len, which must be
 * RFC 8259 number syntax. INT when the decimal value is an integer that
 * fits int64 exactly ("1.0", "1e2" and "-0" included); DBL when the nearest
 * double is cheap to get exactly right; neither otherwise (computed on use). */
void llmops__json_num_classify(llmops_json *v);

/* The same, from what the parser gathered while scanning: the digits
 * (leading zeros dropped) as `m` when there are at most 19 significant ones
 * (`sig`), `tz` trailing zero digits, and the value m × 10^exp10. */
void llmops__json_num_from_parts(llmops_json *v, int neg, uint64_t m, size_t sig, size_t tz,
                                 int64_t exp10);

/* Scientific exponents (value = d.ddd × 10^X) saturate at ±JSON_EXP_LIMIT.
 * A literal exponent of 10^17 or more saturates outright. Such values are far
 * beyond double range either way; saturating on the normalised exponent keeps
 * the canonical form a fixed point (its text reads back to the same value).
 * The parser hands any exponent at or above the limit to the slow path. */
#define JSON_EXP_LIMIT 100000000000000000LL

/* Nearest double. LLMOPS_E_RANGE when the magnitude overflows a double
 * (underflow to zero or a subnormal is not an error). */
llmops_status llmops__json_num_double(const llmops_json *v, double *out);

/* Shortest text that reads back to `d` (finite), laid out like ECMAScript's
 * Number::toString: integers in int64 plainly, otherwise plain decimals for
 * exponents -7..20 and "d.ddde+N" beyond. -0 gives "0". Returns the length. */
size_t llmops__json_fmt_double(double d, char out[JSON_DOUBLE_BUF]);

/* Parse a locale-independent double from NUL-terminated JSON number text. */
double llmops__json_strtod(const char *s);

/* The canonical text of a number (see LLMOPS_JSON_WRITE_CANONICAL). */
void llmops__json_num_canonical(llmops__buf *b, const llmops_json *v);

/* 1 when the numbers have the same value in the sense of the canonical form:
 * exact integers compare exactly, everything else as the nearest double, and
 * numbers beyond double range by their exact decimal value. */
int llmops__json_num_equal(const llmops_json *a, const llmops_json *b);

/* Decimal text of an int64; returns the length (at most 20). */
size_t llmops__json_fmt_i64(int64_t v, char *out);

#endif
