/* JSON Schema draft 2020-12 validation for task contracts (input and output
 * schemas). A schema is compiled once into an immutable graph of keyword
 * nodes, then validated against any number of instances, from any number of
 * threads at once; a validation that passes allocates nothing.
 *
 * Dialect: every 2020-12 keyword, with $vocabulary honoured for custom
 * meta-schemas and the 2020-12 meta-schemas built in (so "$ref" to
 * https://json-schema.org/draft/2020-12/schema works offline). "$schema" of
 * draft-04/06/07 or 2019-09 is accepted and read as 2020-12 plus the tuple
 * form of "items" and "dependencies". "pattern" and "patternProperties" are
 * ECMA-262 (\d \w \s ASCII/ECMA sets, \p{Letter}, \u{...}) run by PCRE2.
 * Asserted formats (format_assert, or the format-assertion vocabulary):
 * date-time, date, time, duration, email, idn-email, hostname (ASCII
 * labels; A-labels are not decoded), ipv4, ipv6, uri, uri-reference, iri,
 * iri-reference, uri-template, uuid, regex, json-pointer,
 * relative-json-pointer; any other format is an annotation. */
#ifndef LLMOPS_SCHEMA_SCHEMA_H
#define LLMOPS_SCHEMA_SCHEMA_H

#include <stddef.h>

#include "core/strbuf.h"
#include "llmops/common.h"
#include "llmops/json.h"

/* Compiled, immutable, shareable across threads. */
typedef struct llmops__schema llmops__schema;

/* Resolves a URI the schema references that is not inside it ($ref to
 * another document, or a $schema meta-schema other than the built-in 2020-12
 * ones). `uri` is resolved against the referring schema's $id (so it stays
 * relative when no $id above it is absolute) and has no fragment. Return a JSON value that stays valid until the schema is freed
 * (e.g. owned by a doc the resolver keeps), or NULL. Called only during
 * compile, on the compiling thread, at most once per URI. Never the network:
 * tests load $LLMOPS_TESTDATA/jsonschema/remotes files for
 * http://localhost:1234/... */
typedef const llmops_json *(*llmops__schema_resolve_fn)(void *ud, const char *uri);

typedef struct llmops__schema_options {
    llmops__schema_resolve_fn resolve; /* may be NULL: only built-in meta-schemas */
    void *resolve_ud;
    int format_assert;  /* 0: format is an annotation (2020-12 default) */
    unsigned max_depth; /* evaluation nesting limit; 0 = default (LLMOPS__SCHEMA_MAX_DEPTH) */
    /* Subschema evaluations allowed per validate call; 0 = default
     * (LLMOPS__SCHEMA_MAX_STEPS). Bounds schemas whose applicators multiply
     * (allOf of allOfs of the same $ref ...), which no depth limit catches. */
    unsigned long max_steps;
} llmops__schema_options;

#define LLMOPS__SCHEMA_MAX_DEPTH 512u
#define LLMOPS__SCHEMA_MAX_STEPS 50000000ul

/* Compile `schema` (a boolean or an object). `opts` may be NULL. `err` (may
 * be NULL) receives why it failed. LLMOPS_E_SCHEMA when the schema is not a
 * valid schema: err says where (schema path) and why; an unknown $ref target
 * is LLMOPS_E_SCHEMA naming it. LLMOPS_E_UNSUPPORTED for a pattern when the
 * build has no PCRE2, or a required vocabulary this validator does not know.
 * LLMOPS_E_NO_MEMORY, LLMOPS_E_INVALID_ARGUMENT (NULL out or schema). The
 * schema JSON may be freed after compile; values returned by the resolver
 * must outlive the compiled schema. */
llmops_status llmops__schema_compile(llmops__schema **out, const llmops_json *schema,
                                     const llmops__schema_options *opts, llmops__buf *err);

/* One failed keyword. Both paths are JSON Pointers: instance_path into the
 * instance ("" is the root), schema_path to the failing keyword in the schema
 * after following references ("/properties/name/type"; for a keyword in
 * another document, that document's URI, '#', then the pointer). The message
 * says what was expected and what was found, e.g. "expected integer, got
 * string", "missing required property \"name\"". */
typedef struct llmops__schema_error {
    char *instance_path;
    char *schema_path;
    char *message;
} llmops__schema_error;

typedef struct llmops__schema_result {
    int valid;
    llmops__schema_error *errors;
    size_t nerrors;
} llmops__schema_result;

/* Validate `instance` against `s`, collecting at most `max_errors` errors
 * (0: just the verdict, fastest). Status is OK whenever validation ran
 * (res->valid says the verdict); LLMOPS_E_NO_MEMORY, LLMOPS_E_LIMIT
 * (evaluation deeper than max_depth, e.g. a reference cycle that never
 * consumes the instance, or more than max_steps subschema evaluations),
 * LLMOPS_E_INVALID_ARGUMENT otherwise. res is always
 * initialised; free it with llmops__schema_result_free. */
llmops_status llmops__schema_validate(const llmops__schema *s, const llmops_json *instance,
                                      size_t max_errors, llmops__schema_result *res);

void llmops__schema_result_free(llmops__schema_result *res);
void llmops__schema_free(llmops__schema *s);

#endif
