/* Output and input contracts of a task. An output contract says what a
 * model's answer must look like (plain text or one strict JSON value, a JSON
 * Schema, a length limit, patterns that must and must not match); checking an
 * answer lists every violation, and the re-ask message turns them into
 * instructions for the model. The input check holds a call's input against
 * the task's input schema before any prompt is rendered. */
#ifndef LLMOPS_CONTRACT_CONTRACT_H
#define LLMOPS_CONTRACT_CONTRACT_H

#include <stddef.h>

#include "core/strbuf.h"
#include "llmops/common.h"
#include "llmops/json.h"
#include "schema/schema.h"

typedef struct llmops__contract_spec {
    int json;                    /* 0 text, 1 JSON output */
    const llmops_json *schema;   /* JSON Schema for JSON output, or NULL; may be freed after _new */
    /* Allow prose around one JSON value: the JSON inside a ```json fence, or
     * else the first balanced top-level {...} or [...] that parses
     * (string-aware scanning), is taken. Without it prose or fences around
     * the value are a "prose_around_json" violation. */
    int extract_json;
    size_t max_length;           /* in Unicode code points of the whole output, 0 none */
    /* PCRE2 patterns with UTF and Unicode properties and no other flags
     * (write (?i), (?m), (?s) inline), matched against the whole output
     * text, also for JSON output. Matching stops at a backtracking limit; a
     * pattern that hits it counts as violated ("could not be checked"). */
    const char *const *required; /* patterns that must match the output */
    size_t nrequired;
    const char *const *forbidden;/* patterns that must not match */
    size_t nforbidden;
    /* Added: how the schema resolves external references; may be NULL. The
     * resolver's values must outlive the contract. */
    const llmops__schema_options *schema_options;
} llmops__contract_spec;

/* Compiled (schema + patterns), immutable, safe to check from any number of
 * threads at once. */
typedef struct llmops__contract llmops__contract;

/* At most this many schema errors become violations; res->truncated says
 * when there were more. */
#define LLMOPS__CONTRACT_MAX_SCHEMA_ERRORS 20u
/* The re-ask message never exceeds this many bytes. */
#define LLMOPS__CONTRACT_REASK_MAX 4096u
/* A schema whose compact JSON is at most this long is quoted in the re-ask
 * message, so the model sees what it must satisfy even when the schema only
 * went to the provider's native structured output. */
#define LLMOPS__CONTRACT_REASK_SCHEMA_MAX 1024u
/* The one-line summary never exceeds this many bytes. */
#define LLMOPS__CONTRACT_SUMMARY_MAX 1024u

/* Compile a spec. `err` (may be NULL) receives what was wrong and where.
 * LLMOPS_E_SCHEMA: the schema is not a valid schema (the validator's where
 * and why). LLMOPS_E_PARSE: a pattern does not compile (which list, which
 * index, the pattern, the offset and PCRE2's reason). LLMOPS_E_UNSUPPORTED:
 * a pattern in a build without PCRE2 (naming the pattern), or a schema
 * feature the validator lacks. LLMOPS_E_INVALID_ARGUMENT: NULL out/spec, a
 * NULL pattern list or entry, a schema or extract_json on a text contract.
 * LLMOPS_E_NO_MEMORY. */
llmops_status llmops__contract_new(llmops__contract **out, const llmops__contract_spec *spec,
                                   llmops__buf *err);

/* One broken rule. kind is one of "not_json", "prose_around_json",
 * "schema", "max_length", "required_pattern", "forbidden_pattern",
 * "input_schema", and (added) "invalid_utf8": the output is not UTF-8, so
 * its length and patterns could not be checked. */
typedef struct llmops__violation {
    char *kind;
    char *path;        /* instance path (JSON Pointer) for schema violations, else NULL */
    char *message;     /* what was wrong, one sentence, no trailing period */
    char *schema_path; /* added: the failing keyword for schema violations, else NULL */
} llmops__violation;

typedef struct llmops__contract_result {
    int ok;                /* 1: every rule holds */
    llmops__violation *v;
    size_t n;
    /* For JSON contracts, the value that was checked against the schema
     * (the whole text, or the extracted or embedded value) whenever one
     * parsed, even when the verdict is a violation. The caller may take it
     * (set it to NULL before _result_free). */
    llmops_json_doc *json;
    /* Added. */
    size_t json_offset;    /* where that value's text starts in the output, bytes */
    size_t json_length;    /* and its length */
    int truncated;         /* more schema errors existed than were listed */
} llmops__contract_result;

/* Check `len` bytes of `text` (NUL not needed) against `c`. Always
 * initialises *res. LLMOPS_OK whenever the check ran, res->ok being the
 * verdict; LLMOPS_E_NO_MEMORY, LLMOPS_E_INVALID_ARGUMENT (NULL c or res, NULL
 * text with len > 0). */
llmops_status llmops__contract_check(const llmops__contract *c, const char *text, size_t len,
                                     llmops__contract_result *res);

void llmops__contract_result_free(llmops__contract_result *res);

/* The message fed back to the model for a re-ask: what was wrong, item by
 * item, and what to do ("Answer again with only a JSON object that ..."),
 * at most LLMOPS__CONTRACT_REASK_MAX bytes (long items are shortened, items
 * that do not fit are counted). Appends to `out`. LLMOPS_E_INVALID_ARGUMENT
 * for a result that has no violations; LLMOPS_E_NO_MEMORY. */
llmops_status llmops__contract_reask_message(const llmops__contract *c,
                                             const llmops__contract_result *res,
                                             llmops__buf *out);

/* Added: every violation on one line, for a final contract-violation error
 * ("2 contract violations: schema at /age: expected integer, got string;
 * max_length: ..."), at most LLMOPS__CONTRACT_SUMMARY_MAX bytes (the rest
 * counted). Appends to `out`; "no contract violations" for an ok result.
 * LLMOPS_E_INVALID_ARGUMENT, LLMOPS_E_NO_MEMORY. */
llmops_status llmops__contract_summary(const llmops__contract_result *res, llmops__buf *out);

/* Input check: `input` against the task's input schema, violations of kind
 * "input_schema" with the instance path. A NULL schema accepts anything; a
 * NULL input is checked as JSON null. Same status rules as _check. */
llmops_status llmops__input_check(const llmops__schema *input_schema, const llmops_json *input,
                                  llmops__contract_result *res);

void llmops__contract_free(llmops__contract *c);

/* Added: what the contract was made from, for hosts that pass the schema to
 * providers that enforce structured output natively. */
int llmops__contract_is_json(const llmops__contract *c);
const llmops__schema *llmops__contract_schema(const llmops__contract *c);

#endif
